// Each execution of a whole program in a child forked from the server (program_execution.hpp):
// the child runs main as managed thread 0 under its copy of the strategy, with its output in
// the memory file, writes its record into memory it shares with the server and ends with
// _exit. For programs whose process cannot be rolled back (a sanitizer's), and
// --isolation fork.
#pragma once

#include <cstddef>
#include <string>

#include "hot_pages.hpp"
#include "program_execution.hpp"

namespace interlace::run {

class ForkedExecutor final : public ProgramExecutor {
public:
  // `stdin_fd`: the file every execution reads as standard input from its start (-1: none,
  // /dev/null).
  ForkedExecutor(ProgramEntry entry, int stdin_fd);
  ~ForkedExecutor() override;
  ForkedExecutor(const ForkedExecutor &) = delete;
  ForkedExecutor &operator=(const ForkedExecutor &) = delete;

  ProgramRun run(rt::Strategy &strategy, const rt::RunOptions &options) override;
  std::string output() const override { return files_.output(); }

private:
  ProgramEntry entry_;
  ExecutionFiles files_;
  std::byte *shared_ = nullptr; // the child's record
  std::size_t last_record_size_ = 0;
  // What executions fault in (hot_pages.hpp): learned by the second to the fourth, populated by
  // every one.
  HotPages hot_pages_;
  int learning_runs_left_ = 3;
  bool stacks_cached_ = false; // after the first execution, see cache_thread_stacks
};

} // namespace interlace::run
