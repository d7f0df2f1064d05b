// One execution of a whole program, from main's image, and what it hands back to the search.
//
// The server is the program's process, stopped before main (program_entry.cpp). Each
// execution must start from the image the program had on entering main: globals, heap, file
// descriptors and working directory as they were, whatever earlier executions did. Two
// executors give that:
// - RollbackExecutor (rollback_execution.hpp), the default: the execution runs in the
//   server's own process, which then puts its memory and the rest of its state back
//   (process_image.hpp). No fork, no new address space.
// - ForkedExecutor (forked_execution.hpp): each execution in a child forked from the server.
//   Used when the process cannot be rolled back (a sanitizer's shadow memory), or asked for.
// Either way the execution writes a record (run_program_once) into memory the rollback or the
// child's exit leaves alone, and the server reads it (read_program_run) and asks its strategy
// the questions the execution asked it (decision_log.hpp), since memory rolled back, or a
// child's, keeps nothing the strategy learned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "interlace/rt/executor.hpp"
#include "interlace/rt/memory.hpp"
#include "interlace/rt/strategy.hpp"
#include "wire.hpp"

namespace interlace::run {

using MainFunction = int (*)(int, char **, char **);

struct ProgramEntry {
  MainFunction main = nullptr;
  int argc = 0;
  char **argv = nullptr;
  char **envp = nullptr;
};

// What one execution did.
struct ProgramRun {
  rt::Outcome outcome;         // the runtime's verdict (message and details, no exception)
  bool program_exited = false; // main returned, or a thread called exit() and friends
  int exit_status = 0;         // what main returned or exit() was given
  std::vector<int> schedule;   // as rt::Executor reports them
  std::vector<rt::StepRecord> trace;
  std::vector<rt::WakeChoice> wake_choices;
  std::vector<rt::Allocation> allocations;
  int preemptions = 0;
  int num_threads = 0;
  std::uint64_t memory_steps = 0;
  // Set when the execution's process ended without writing its record (killed, or a crash
  // outside any managed thread): how it ended, e.g. "killed by SIGKILL".
  std::string died;
  // ... and it did so with an exit status: an exec, or an exit from outside the execution.
  bool exited_without_record = false;
};

// The memory an execution's record may take (only the pages it writes are backed), and what
// an execution that needed more is reported as (unrecorded_run).
inline constexpr std::size_t kRecordCapacity = std::size_t{1} << 30;
inline constexpr const char *kRecordOverflowed =
    "wrote a record larger than the 1 GiB interlace keeps for it";

class ProgramExecutor {
public:
  virtual ~ProgramExecutor() = default;
  // Runs the program once under `strategy` and brings the strategy's state up to date.
  virtual ProgramRun run(rt::Strategy &strategy, const rt::RunOptions &options) = 0;
  // What the last execution wrote to its standard output and error, interleaved.
  virtual std::string output() const = 0;
};

enum class Isolation { Rollback, Fork };

// The executor for `isolation`: a RollbackExecutor falls back to forking by itself when the
// process cannot be saved.
std::unique_ptr<ProgramExecutor> make_program_executor(const ProgramEntry &entry, int stdin_fd,
                                                       Isolation isolation);

// The files every execution uses: its standard input (the --stdin file from its start, or
// none) and a memory file its standard output and error go to.
class ExecutionFiles {
public:
  explicit ExecutionFiles(int stdin_fd);
  ~ExecutionFiles();
  ExecutionFiles(const ExecutionFiles &) = delete;
  ExecutionFiles &operator=(const ExecutionFiles &) = delete;

  // Empties the output and rewinds the input, before each execution.
  void reset() const;
  // Makes them the calling process's standard input, output and error.
  void redirect() const;
  std::string output() const;

private:
  int stdin_fd_;
  int null_fd_ = -1; // /dev/null, standard input without --stdin
  int output_fd_ = -1;
};

// Runs main once on managed threads of this process under `strategy` (logging its decisions)
// and writes what the execution did to `out`; the program's output is flushed. Then calls
// `after_record` (if set), while the execution's executor and threads are still there.
void run_program_once(const ProgramEntry &entry, rt::Strategy &strategy,
                      const rt::RunOptions &options, WireWriter &out,
                      const std::function<void()> &after_record = {});

// Reads what run_program_once wrote; `decisions` receives the strategy's log, for
// replay_decisions(). Throws std::logic_error on a record that does not parse.
ProgramRun read_program_run(WireReader &in, std::vector<std::byte> &decisions);

// Starts `count` threads at once (at most 64) and joins them, so that glibc keeps their stacks
// in its cache (kStackCacheTunable) and every execution from now on starts its threads on those
// stacks: no mapping, guard page or fresh-page faults of its own.
void cache_thread_stacks(int count);

// Throws std::runtime_error naming `what` and errno.
[[noreturn]] void fail_system(const char *what);

// The run of an execution whose record did not arrive, a crash: `died` says how its process
// ended ("killed by SIGKILL", kRecordOverflowed).
ProgramRun unrecorded_run(std::string died);

// Asks `strategy` the questions of a log read by read_program_run. Throws std::logic_error
// when its answers differ.
void replay_logged_decisions(const std::vector<std::byte> &decisions, rt::Strategy &strategy);

} // namespace interlace::run
