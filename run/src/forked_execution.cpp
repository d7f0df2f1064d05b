#include "forked_execution.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>

#include "decision_log.hpp"
#include "file_text.hpp"
#include "wire.hpp"

// Sanitizer runtimes call this before they end a process that made a report; weak, so that
// programs built without a sanitizer link and run as well.
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace interlace::run {
namespace {

// The child's record: a header, then the payload. Only touched pages are backed.
constexpr std::size_t kSharedSize = std::size_t{1} << 30;
constexpr std::size_t kHeader = 64;
constexpr std::uint32_t kComplete = 0x1d0c0de;
constexpr std::uint32_t kOverflow = 0x0bad512e;
// The most of the record an execution populates ahead (as much as the last record took).
constexpr std::size_t kMostPopulatedRecord = std::size_t{4} << 20;

struct Header {
  std::uint64_t size;
  std::uint32_t state;
};

[[noreturn]] void fail_system(const char *what) {
  throw std::runtime_error(std::string("interlace run: ") + what + ": " + std::strerror(errno));
}

// A sanitizer's report ends the execution like a failed assertion: abort() on a managed
// thread fails the execution (the report is in its output) and the child still writes its
// record, rather than the sanitizer ending the process mid-execution.
void on_sanitizer_death() { std::abort(); }

// "exit(3)" in a runtime message "thread 1 called exit(3) at f.c:9": the status.
int status_in_message(const std::string &message) {
  const std::size_t called = message.find(" called ");
  const std::size_t open = message.find('(', called == std::string::npos ? 0 : called);
  if (called == std::string::npos || open == std::string::npos) {
    return 0;
  }
  return std::atoi(message.c_str() + open + 1);
}

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

// main may be declared int main(void) or int main(int, char **): glibc's startup calls each
// through this one type, as we do, which UBSan's function check would report.
__attribute__((no_sanitize("function"))) int call_main(const ProgramEntry &entry) {
  return entry.main(entry.argc, entry.argv, entry.envp);
}

// What the child needs of the server besides the program and the strategy.
struct ChildSetup {
  int output_fd;
  int stdin_fd;
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
  if (setup.stdin_fd >= 0) {
    dup2(setup.stdin_fd, STDIN_FILENO);
  } else {
    close(STDIN_FILENO); // no /dev/null: a read fails, as at the end of a file it would return 0
  }
  dup2(setup.output_fd, STDOUT_FILENO);
  dup2(setup.output_fd, STDERR_FILENO);
  if (__sanitizer_set_death_callback != nullptr) {
    __sanitizer_set_death_callback(&on_sanitizer_death);
  }

  RecordingStrategy recording(strategy);
  rt::Executor executor;
  std::vector<rt::Allocation> allocations;
  executor.set_allocation_log(&allocations);
  int returned = 0;
  bool main_returned = false;
  const std::vector<std::function<void()>> bodies = {[&] {
    returned = call_main(entry);
    main_returned = true;
  }};
  static const std::string kNames[] = {"main"};
  rt::RunOptions own = options;
  own.thread_names = kNames;
  const rt::Outcome outcome = executor.run(bodies, recording, own);
  std::fflush(nullptr);

  WireWriter out(shared + kHeader, kSharedSize - kHeader);
  out.put(outcome.failure);
  out.put(outcome.thread);
  out.put_string(outcome.message);
  out.put_string(outcome.details);
  const bool exited = outcome.failure == rt::FailureKind::Exit;
  out.put<std::uint8_t>(main_returned || exited ? 1 : 0);
  out.put<int>(exited ? status_in_message(outcome.message) : returned);
  out.put_span(executor.schedule());
  out.put_span(executor.trace());
  out.put_span(executor.wake_choices());
  out.put_span(std::span<const rt::Allocation>(allocations));
  out.put(executor.preemptions());
  out.put(executor.num_threads());
  out.put(executor.memory_steps());
  recording.write(out);
  const HotPages touched = setup.learn ? touched_pages(mappings) : HotPages();
  out.put_span(std::span<const PageRange>(touched.written));
  out.put_span(std::span<const PageRange>(touched.read));
  auto *header = reinterpret_cast<Header *>(shared);
  header->size = out.size();
  header->state = out.overflowed() ? kOverflow : kComplete;
  _exit(0);
}

void *no_work(void *argument) { return argument; }

// Starts `count` threads at once and joins them, so that glibc keeps their stacks in its
// cache (up to 40 MiB) and every execution forked from now on starts its threads on those
// stacks: no mapping, guard page or fresh-page faults of its own, and hot_pages.hpp learns and
// populates the pages the threads use. Each execution starts one OS thread per managed thread.
void cache_thread_stacks(int count) {
  constexpr int kMostCached = 4; // of 8 MiB, glibc's default stack size
  std::vector<pthread_t> threads;
  for (int i = 0; i < std::min(count, kMostCached); ++i) {
    pthread_t thread{};
    if (pthread_create(&thread, nullptr, &no_work, nullptr) != 0) {
      break;
    }
    threads.push_back(thread);
  }
  for (const pthread_t thread : threads) {
    pthread_join(thread, nullptr);
  }
}

} // namespace

ForkedExecutor::ForkedExecutor(ProgramEntry entry, int stdin_fd)
    : entry_(entry), stdin_fd_(stdin_fd) {
  if (stdin_fd_ < 0) {
    null_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC); // opened once, not by every execution
  }
  output_fd_ = memfd_create("interlace-output", MFD_CLOEXEC);
  if (output_fd_ < 0) {
    fail_system("memfd_create");
  }
  void *shared = mmap(nullptr, kSharedSize, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (shared == MAP_FAILED) {
    fail_system("mmap of the executions' record");
  }
  shared_ = static_cast<std::byte *>(shared);
  shared_size_ = kSharedSize;
}

ForkedExecutor::~ForkedExecutor() {
  munmap(shared_, shared_size_);
  close(output_fd_);
  if (null_fd_ >= 0) {
    close(null_fd_);
  }
}

ProgramRun ForkedExecutor::run(rt::Strategy &strategy, const rt::RunOptions &options) {
  auto *header = reinterpret_cast<Header *>(shared_);
  header->state = 0;
  header->size = 0;
  if (ftruncate(output_fd_, 0) != 0 || lseek(output_fd_, 0, SEEK_SET) != 0) {
    fail_system("resetting the output file");
  }
  if (stdin_fd_ >= 0 && lseek(stdin_fd_, 0, SEEK_SET) != 0) {
    fail_system("rewinding the --stdin file");
  }
  std::fflush(nullptr); // nothing buffered in the server may be written twice
  const pid_t child = fork();
  if (child < 0) {
    fail_system("fork");
  }
  if (child == 0) {
    const ChildSetup setup{.output_fd = output_fd_,
                           .stdin_fd = stdin_fd_ >= 0 ? stdin_fd_ : null_fd_,
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

  ProgramRun run;
  const bool clean_exit = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!clean_exit || header->state != kComplete) {
    run.died = header->state == kOverflow
                   ? std::string("its record outgrew the 1 GiB interlace keeps for it")
                   : describe_wait_status(status);
    run.exited_without_record = WIFEXITED(status) && header->state != kOverflow;
    run.outcome.failure = rt::FailureKind::Crash;
    run.outcome.message = "the execution's process " + run.died;
    return run;
  }
  WireReader in(shared_ + kHeader, header->size);
  run.outcome.failure = in.get<rt::FailureKind>();
  run.outcome.thread = in.get<int>();
  run.outcome.message = in.get_string();
  run.outcome.details = in.get_string();
  run.program_exited = in.get<std::uint8_t>() != 0;
  run.exit_status = in.get<int>();
  run.schedule = in.get_vector<int>();
  run.trace = in.get_vector<rt::StepRecord>();
  run.wake_choices = in.get_vector<rt::WakeChoice>();
  run.allocations = in.get_vector<rt::Allocation>();
  run.preemptions = in.get<int>();
  run.num_threads = in.get<int>();
  run.memory_steps = in.get<std::uint64_t>();
  const std::vector<std::byte> log = in.get_vector<std::byte>();
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
  WireReader decisions(log.data(), log.size());
  if (const std::string error = replay_decisions(decisions, strategy); !error.empty()) {
    throw std::logic_error("interlace run: internal error: " + error);
  }
  return run;
}

std::string ForkedExecutor::output() const { return file_text(output_fd_); }

} // namespace interlace::run
