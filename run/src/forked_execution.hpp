// One execution of a whole program in a process of its own.
//
// The server (the program's process, stopped before main: program_entry.cpp) forks a child
// per execution. The child runs main as managed thread 0 under the strategy (its copy of the
// server's), with its output in a memory file, then writes what the execution did (outcome,
// schedule, trace, the strategy's decision log) into memory it shares with the server and
// ends with _exit. So every execution starts from the image the program had on entering main:
// globals, heap, file descriptors and working directory as they were, whatever the previous
// execution did to them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hot_pages.hpp"
#include "interlace/rt/executor.hpp"
#include "interlace/rt/memory.hpp"
#include "interlace/rt/strategy.hpp"

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
  // Set when the child ended without writing its record (killed, or a crash outside any
  // managed thread): how it ended, e.g. "killed by SIGKILL".
  std::string died;
  // ... and it did so with an exit status: an exec, or an exit from outside the execution.
  bool exited_without_record = false;
};

class ForkedExecutor {
public:
  // `stdin_fd`: the file every execution reads as standard input from its start (-1: none,
  // /dev/null).
  ForkedExecutor(ProgramEntry entry, int stdin_fd);
  ~ForkedExecutor();
  ForkedExecutor(const ForkedExecutor &) = delete;
  ForkedExecutor &operator=(const ForkedExecutor &) = delete;

  // Runs the program once under `strategy` and brings the strategy's state in the server up
  // to date (decision_log.hpp).
  ProgramRun run(rt::Strategy &strategy, const rt::RunOptions &options);

  // What the last execution wrote to its standard output and error, interleaved.
  std::string output() const;

private:
  ProgramEntry entry_;
  int stdin_fd_;
  int null_fd_ = -1; // /dev/null, standard input without --stdin
  int output_fd_ = -1;
  std::byte *shared_ = nullptr; // the child's record
  std::size_t shared_size_ = 0;
  std::size_t last_record_size_ = 0;
  // What executions fault in (hot_pages.hpp): learned by the second to the fourth, populated by
  // every one.
  HotPages hot_pages_;
  int learning_runs_left_ = 3;
  bool stacks_cached_ = false; // after the first execution, see cache_thread_stacks
};

} // namespace interlace::run
