// What `interlace run` tells the program's process: the options of the run, passed in the
// environment (INTERLACE_RUN holds the protocol version, INTERLACE_RUN_OPTIONS the options),
// read once by the server and removed before main runs, so that programs the program starts
// do not see them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace interlace::run {

// Bumped whenever RunConfig's encoding or the report's format changes: a program that loads
// a runner of another version refuses the run with a message naming the fix.
inline constexpr int kRunProtocol = 2;
inline constexpr const char *kProtocolVariable = "INTERLACE_RUN";
inline constexpr const char *kOptionsVariable = "INTERLACE_RUN_OPTIONS";
// glibc keeps the stacks of ended threads for reuse up to 40 MiB, five threads' worth, and
// unmaps the oldest beyond that. The command raises the limit (the programs' threads are not
// many), so that each execution's threads reuse stacks that are part of the saved image
// (rollback_execution.hpp) instead of unmapping them; the server takes it out of main's
// environment again.
inline constexpr const char *kTunablesVariable = "GLIBC_TUNABLES";
inline constexpr const char *kStackCacheTunable = "glibc.pthread.stack_cache_size=0x100000000";

// A server's exit status when an execution left its process in a state it cannot put back
// (rollback_execution.hpp): the command runs the job again with a fork per execution.
inline constexpr int kCannotRollBackStatus = 3;

struct RunConfig {
  std::string search = "automatic";
  std::optional<std::uint64_t> seed;
  int max_attempts = 1000; // for the whole run, split among shards
  std::int64_t time_limit_ms = 60000;
  int shard_index = 0; // this process's shard of shard_count
  int shard_count = 1;
  std::optional<std::string> replay;
  bool fail_on_exit_code = false;
  int max_steps = 100000;
  std::int64_t stall_timeout_ms = 10000;
  int reproduce = 10;
  int max_shrinks = 1000;
  bool verbose = false;
  bool fork_each_execution = false; // --isolation fork
  std::string stdin_file;           // empty: /dev/null
  int result_fd = -1;               // where the server writes its report
  int progress_fd = -1;             // a shared page of counters, one slot per shard
  std::string rerun_command;        // "interlace run [options] -- ./prog args", for the report
};

std::string encode(const RunConfig &config);
// Throws std::invalid_argument naming what does not parse.
RunConfig decode_config(std::string_view text);

// What a server publishes while it runs, one slot per process of a run (its shard index
// modulo kProgressSlots), in a page the command maps too.
struct ProgressSlot {
  std::uint64_t runs;       // every execution: searching, shrinking and replaying
  std::uint64_t executions; // the search's
  std::uint64_t distinct;
  std::uint64_t search; // the interlace::Search running, for the progress line
};
inline constexpr int kProgressSlots = 64;

} // namespace interlace::run
