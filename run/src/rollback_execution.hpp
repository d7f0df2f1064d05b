// Each execution of a whole program in the server's own process, which is then put back as it
// was (process_image.hpp): the default isolation of `interlace run` (program_execution.hpp).
//
// Before each execution the server saves its process; main then runs on managed threads of
// the server, with the standard streams on the execution's files, and writes its record into
// a shared mapping the rollback leaves alone; the runtime's pooled threads are ended; the
// process is put back; the server reads the record and replays the strategy's decisions. An
// execution thus costs its threads' starts and the pages it touched, not a fork, a new
// address space and the faults that fill it.
//
// If the process cannot be saved (too large), this executor forks instead, from then on. If an
// execution leaves what cannot be put back (a thread still running, a mapping of main's image
// unmapped, a descriptor of it closed), the server says why on its standard error and ends
// with kCannotRollBackStatus: `interlace run` then runs that job again with a fork per
// execution.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "forked_execution.hpp"
#include "process_image.hpp"
#include "program_execution.hpp"

namespace interlace::run {

class RollbackExecutor final : public ProgramExecutor {
public:
  RollbackExecutor(ProgramEntry entry, int stdin_fd);
  ~RollbackExecutor() override;
  RollbackExecutor(const RollbackExecutor &) = delete;
  RollbackExecutor &operator=(const RollbackExecutor &) = delete;

  ProgramRun run(rt::Strategy &strategy, const rt::RunOptions &options) override;
  std::string output() const override;

private:
  // Runs the execution and writes its record; nothing it made survives its return but the
  // record and what the rollback undoes.
  void execute(rt::Strategy &strategy, const rt::RunOptions &options);
  [[noreturn]] void cannot_roll_back(const char *why) const;

  ProgramEntry entry_;
  int stdin_fd_;
  ExecutionFiles files_;
  ProcessImage image_;
  std::byte *record_ = nullptr;              // shared, so not part of the process image
  int server_streams_[3] = {-1, -1, -1};     // the server's stdin, stdout and stderr
  int cached_stacks_ = 0;                    // see cache_thread_stacks
  std::unique_ptr<ForkedExecutor> fallback_; // when the process cannot be saved
};

} // namespace interlace::run
