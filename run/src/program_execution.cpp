#include "program_execution.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <stdexcept>
#include <utility>

#include "decision_log.hpp"
#include "file_text.hpp"
#include "forked_execution.hpp"
#include "rollback_execution.hpp"

// Sanitizer runtimes define this; weak, so that programs built without one link and run.
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace interlace::run {
namespace {

// "exit(3)" in a runtime message "thread 1 called exit(3) at f.c:9": the status.
int status_in_message(const std::string &message) {
  const std::size_t called = message.find(" called ");
  const std::size_t open = message.find('(', called == std::string::npos ? 0 : called);
  if (called == std::string::npos || open == std::string::npos) {
    return 0;
  }
  return std::atoi(message.c_str() + open + 1);
}

// main may be declared int main(void) or int main(int, char **): glibc's startup calls each
// through this one type, as we do, which UBSan's function check would report.
__attribute__((no_sanitize("function"))) int call_main(const ProgramEntry &entry) {
  return entry.main(entry.argc, entry.argv, entry.envp);
}

void *no_work(void *argument) { return argument; }

} // namespace

[[noreturn]] void fail_system(const char *what) {
  throw std::runtime_error(std::string("interlace run: ") + what + ": " + std::strerror(errno));
}

void cache_thread_stacks(int count) {
  // Of 8 MiB, glibc's default stack size: address space, and the pages the threads touched.
  constexpr int kMostCached = 64;
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

std::unique_ptr<ProgramExecutor> make_program_executor(const ProgramEntry &entry, int stdin_fd,
                                                       Isolation isolation) {
  // A sanitizer's shadow memory is too large to save, and its reports end the process: a
  // sanitized program runs each execution in a child of its own.
  if (isolation == Isolation::Fork || __sanitizer_set_death_callback != nullptr) {
    return std::make_unique<ForkedExecutor>(entry, stdin_fd);
  }
  try {
    return std::make_unique<RollbackExecutor>(entry, stdin_fd);
  } catch (const std::bad_alloc &) {
    // No room for the saved image (its address space is reserved up front): fork instead.
    return std::make_unique<ForkedExecutor>(entry, stdin_fd);
  }
}

ExecutionFiles::ExecutionFiles(int stdin_fd) : stdin_fd_(stdin_fd) {
  if (stdin_fd_ < 0) {
    null_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC); // opened once, not by every execution
  }
  output_fd_ = memfd_create("interlace-output", MFD_CLOEXEC);
  if (output_fd_ < 0) {
    fail_system("memfd_create");
  }
}

ExecutionFiles::~ExecutionFiles() {
  close(output_fd_);
  if (null_fd_ >= 0) {
    close(null_fd_);
  }
}

void ExecutionFiles::reset() const {
  if (ftruncate(output_fd_, 0) != 0 || lseek(output_fd_, 0, SEEK_SET) != 0) {
    fail_system("resetting the output file");
  }
  if (stdin_fd_ >= 0 && lseek(stdin_fd_, 0, SEEK_SET) != 0) {
    fail_system("rewinding the --stdin file");
  }
}

void ExecutionFiles::redirect() const {
  const int input = stdin_fd_ >= 0 ? stdin_fd_ : null_fd_;
  if (input >= 0) {
    dup2(input, STDIN_FILENO);
  } else {
    close(STDIN_FILENO); // no /dev/null: a read fails, as at the end of a file it would return 0
  }
  dup2(output_fd_, STDOUT_FILENO);
  dup2(output_fd_, STDERR_FILENO);
}

std::string ExecutionFiles::output() const { return file_text(output_fd_); }

void run_program_once(const ProgramEntry &entry, rt::Strategy &strategy,
                      const rt::RunOptions &options, WireWriter &out,
                      const std::function<void()> &after_record) {
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
  if (after_record) {
    after_record();
  }
}

ProgramRun read_program_run(WireReader &in, std::vector<std::byte> &decisions) {
  ProgramRun run;
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
  decisions = in.get_vector<std::byte>();
  if (in.broken()) {
    throw std::logic_error("interlace run: internal error: an execution's record does not parse");
  }
  return run;
}

ProgramRun unrecorded_run(std::string died) {
  ProgramRun run;
  run.died = std::move(died);
  run.outcome.failure = rt::FailureKind::Crash;
  run.outcome.message = "the execution's process " + run.died;
  return run;
}

void replay_logged_decisions(const std::vector<std::byte> &decisions, rt::Strategy &strategy) {
  WireReader in(decisions.data(), decisions.size());
  if (const std::string error = replay_decisions(in, strategy); !error.empty()) {
    throw std::logic_error("interlace run: internal error: " + error);
  }
}

} // namespace interlace::run
