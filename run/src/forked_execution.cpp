#include "forked_execution.hpp"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "wire.hpp"

// Sanitizer runtimes call this before they end a process that made a report; weak, so that
// programs built without a sanitizer link and run as well.
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace interlace::run {
namespace {

// The child's record: a header, then the payload. Only touched pages are backed.
constexpr std::size_t kHeader = 64;
constexpr std::uint32_t kComplete = 0x1d0c0de;
constexpr std::uint32_t kOverflow = 0x0bad512e;
// The most of the record an execution populates ahead (as much as the last record took).
constexpr std::size_t kMostPopulatedRecord = std::size_t{4} << 20;

struct Header {
  std::uint64_t size;
  std::uint32_t state;
};

// A sanitizer's report ends the execution like a failed assertion: abort() on a managed
// thread fails the execution (the report is in its output) and the child still writes its
// record, rather than the sanitizer ending the process mid-execution.
void on_sanitizer_death() { std::abort(); }

std::string describe_wait_status(int status) {
  if (WIFSIGNALED(status)) {
    const char *name = sigabbrev_np(WTERMSIG(status));
    return std::string("killed by SIG") + (name != nullptr ? name : "?") +
           (WCOREDUMP(status) ? " (core dumped)" : "");
  }
  if (WIFEXITED(status)) {
    return "exited with status " + std::to_string(WEXITSTATUS(status)) +
           " outside any managed thread";
  }
  return "ended abnormally";
}

// What the child needs of the server besides the program and the strategy.
struct ChildSetup {
  const ExecutionFiles *files;
  std::byte *shared;
  std::size_t record_size; // the last record's, to populate that much of the region
  const HotPages *hot_pages;
  bool learn; // report which pages this execution touched
};

[[noreturn]] void run_child(const ProgramEntry &entry, rt::Strategy &strategy,
                            const rt::RunOptions &options, const ChildSetup &setup) {
  std::byte *shared = setup.shared;
  // Before anything else, and while this is the only thread: see hot_pages.hpp.
  const std::vector<Mapping> mappings = setup.learn ? private_mappings() : std::vector<Mapping>();
  setup.hot_pages->populate();
  populate_for_writing(shared, kHeader + std::min(setup.record_size, kMostPopulatedRecord));
  // A child outlives no server: if the server goes, so does the execution.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  setup.files->redirect();
  if (__sanitizer_set_death_callback != nullptr) {
    __sanitizer_set_death_callback(&on_sanitizer_death);
  }
  WireWriter out(shared + kHeader, kRecordCapacity - kHeader);
  // The child ends as soon as its record is written, with the execution's threads as they
  // are: joining them (the executor's destructor) could wait forever on a thread that a
  // sanitizer's report left stuck in the sanitizer's own locks.
  run_program_once(entry, strategy, options, out, [&] {
    const HotPages touched = setup.learn ? touched_pages(mappings) : HotPages();
    out.put_span(std::span<const PageRange>(touched.written));
    out.put_span(std::span<const PageRange>(touched.read));
    auto *header = reinterpret_cast<Header *>(shared);
    header->size = out.size();
    header->state = out.overflowed() ? kOverflow : kComplete;
    _exit(0);
  });
  _exit(0); // not reached
}

} // namespace

ForkedExecutor::ForkedExecutor(ProgramEntry entry, int stdin_fd) : entry_(entry), files_(stdin_fd) {
  void *shared = mmap(nullptr, kRecordCapacity, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (shared == MAP_FAILED) {
    fail_system("mmap of the executions' record");
  }
  shared_ = static_cast<std::byte *>(shared);
}

ForkedExecutor::~ForkedExecutor() { munmap(shared_, kRecordCapacity); }

ProgramRun ForkedExecutor::run(rt::Strategy &strategy, const rt::RunOptions &options) {
  auto *header = reinterpret_cast<Header *>(shared_);
  header->state = 0;
  header->size = 0;
  files_.reset();
  std::fflush(nullptr); // nothing buffered in the server may be written twice
  const pid_t child = fork();
  if (child < 0) {
    fail_system("fork");
  }
  if (child == 0) {
    const ChildSetup setup{.files = &files_,
                           .shared = shared_,
                           .record_size = last_record_size_,
                           .hot_pages = &hot_pages_,
                           .learn = stacks_cached_ && learning_runs_left_ > 0};
    run_child(entry_, strategy, options, setup);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      fail_system("waitpid");
    }
  }

  const bool clean_exit = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!clean_exit || header->state != kComplete) {
    ProgramRun run = unrecorded_run(header->state == kOverflow ? std::string(kRecordOverflowed)
                                                               : describe_wait_status(status));
    run.exited_without_record = WIFEXITED(status) && header->state != kOverflow;
    return run;
  }
  WireReader in(shared_ + kHeader, header->size);
  std::vector<std::byte> decisions;
  ProgramRun run = read_program_run(in, decisions);
  HotPages touched;
  touched.written = in.get_vector<PageRange>();
  touched.read = in.get_vector<PageRange>();
  if (in.broken()) {
    throw std::logic_error("interlace run: internal error: an execution's record does not parse");
  }
  last_record_size_ = header->size;
  if (!stacks_cached_) {
    cache_thread_stacks(run.num_threads);
    stacks_cached_ = true;
  } else if (learning_runs_left_ > 0) {
    --learning_runs_left_;
    hot_pages_.merge(touched);
  }
  replay_logged_decisions(decisions, strategy);
  return run;
}

} // namespace interlace::run
