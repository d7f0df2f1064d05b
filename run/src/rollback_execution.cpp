#include "rollback_execution.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <stdexcept>
#include <vector>

#include "file_text.hpp"
#include "run_config.hpp"
#include "wire.hpp"

namespace interlace::run {
namespace {

constexpr std::size_t kHeader = 64;

struct Header {
  std::uint64_t size;
  bool overflowed;
};

// Leaves every decision to the runtime's fairness policy.
class NoOpinion final : public rt::Strategy {
public:
  std::optional<int> next(const rt::Decision & /*decision*/) override { return std::nullopt; }
};

// Does the runtime's once-per-process work (crash handlers, a terminate handler, a look at
// how Abseil is linked) now, in the saved image, rather than in every execution after each
// rollback undid it.
void warm_up_runtime() {
  NoOpinion strategy;
  rt::Executor executor;
  const std::vector<std::function<void()>> bodies = {[] {}};
  executor.run(bodies, strategy);
}

// glibc's malloc gives memory back to the kernel (trims the heap, unmaps large blocks) and
// tunes its thresholds as it goes, state that each rollback undoes while the kernel's side
// stays: every execution would grow the heap again, fault its pages in afresh and map its
// large blocks anew. Settled thresholds let executions reuse the saved image's pages.
void settle_malloc() {
  constexpr int kTopPad = 4 << 20;
  mallopt(M_TOP_PAD, kTopPad);         // grow the heap in large steps, once
  mallopt(M_TRIM_THRESHOLD, 1 << 30);  // and never shrink it
  mallopt(M_MMAP_THRESHOLD, 32 << 20); // blocks below 32 MiB come from the heap
  // Grown now, in the saved image, not again by each execution.
  free(malloc(std::size_t{4} << 20)); // NOLINT(cppcoreguidelines-no-malloc)
}

} // namespace

RollbackExecutor::RollbackExecutor(ProgramEntry entry, int stdin_fd)
    : entry_(entry), stdin_fd_(stdin_fd), files_(stdin_fd) {
  settle_malloc();
  warm_up_runtime();
  rt::end_idle_pooled_workers();
  void *record = mmap(nullptr, kRecordCapacity, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (record == MAP_FAILED) {
    fail_system("mmap of the executions' record");
  }
  record_ = static_cast<std::byte *>(record);
  for (int fd = 0; fd < 3; ++fd) {
    server_streams_[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  }
}

RollbackExecutor::~RollbackExecutor() {
  munmap(record_, kRecordCapacity);
  for (const int fd : server_streams_) {
    if (fd >= 0) {
      close(fd);
    }
  }
}

std::string RollbackExecutor::output() const {
  return fallback_ ? fallback_->output() : files_.output();
}

ProgramRun RollbackExecutor::run(rt::Strategy &strategy, const rt::RunOptions &options) {
  if (fallback_) {
    return fallback_->run(strategy, options);
  }
  files_.reset();
  std::fflush(nullptr); // nothing buffered in the server may be written by the execution
  // The frames above this one hold the strategy, which the execution changes.
  if (image_.capture(__builtin_frame_address(0)) != nullptr) {
    fallback_ = std::make_unique<ForkedExecutor>(entry_, stdin_fd_);
    return fallback_->run(strategy, options);
  }
  try {
    execute(strategy, options);
  } catch (...) {
    if (const char *why = image_.roll_back(); why != nullptr) {
      cannot_roll_back(why);
    }
    throw;
  }
  if (const char *why = image_.roll_back(); why != nullptr) {
    cannot_roll_back(why);
  }

  const auto *header = reinterpret_cast<const Header *>(record_);
  if (header->overflowed) {
    return unrecorded_run(kRecordOverflowed);
  }
  WireReader in(record_ + kHeader, header->size);
  std::vector<std::byte> decisions;
  ProgramRun run = read_program_run(in, decisions);
  if (run.num_threads > cached_stacks_) {
    // From the next capture on, the threads' stacks are part of the image (glibc's cache),
    // not mapped and faulted in afresh by each execution.
    cache_thread_stacks(run.num_threads);
    cached_stacks_ = run.num_threads;
  }
  replay_logged_decisions(decisions, strategy);
  return run;
}

void RollbackExecutor::execute(rt::Strategy &strategy, const rt::RunOptions &options) {
  files_.redirect();
  // Whichever way the execution ends, the server gets its streams back and no pooled thread
  // outlives it (the rollback needs this process to be its only thread).
  const auto restore = [this] {
    for (int fd = 0; fd < 3; ++fd) {
      dup2(server_streams_[fd], fd);
    }
    rt::end_idle_pooled_workers();
  };
  WireWriter out(record_ + kHeader, kRecordCapacity - kHeader);
  try {
    run_program_once(entry_, strategy, options, out);
  } catch (...) {
    restore();
    throw;
  }
  auto *header = reinterpret_cast<Header *>(record_);
  header->size = out.size();
  header->overflowed = out.overflowed();
  restore();
}

void RollbackExecutor::cannot_roll_back(const char *why) const {
  write_all(server_streams_[2], std::string("interlace run: cannot put the process back as it "
                                            "was at main after an execution: ") +
                                    why + "\n");
  _exit(kCannotRollBackStatus);
}

} // namespace interlace::run
