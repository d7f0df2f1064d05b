#include "interlace/rt/executor.hpp"

#include <exception>
#include <mutex>

#include "abseil_mutex.hpp"
#include "execution.hpp"
#include "futex.hpp"
#include "internal_lock.hpp"
#include "signals.hpp"
#include "thread_pool.hpp"

namespace interlace::rt {
namespace {

std::terminate_handler g_previous_terminate = nullptr;

// A managed thread that reaches std::terminate must not take the test process with it:
// either its Teardown met a frame it cannot cross (a noexcept function), or the code under
// test terminated. Either way the execution fails, and the OS thread ends without unwinding.
[[noreturn]] void on_terminate() {
  if (detail::ManagedThread *self = detail::current_thread()) {
    // From here on runtime code: the string code below may be the instrumented copy.
    self->in_runtime = true;
    std::string message = "thread " + std::to_string(self->id) + " called std::terminate";
    if (std::exception_ptr pending = std::current_exception()) {
      try {
        std::rethrow_exception(pending);
      } catch (const std::exception &e) {
        message += " with an active exception: ";
        message += e.what();
      } catch (...) {
        message += " with an active exception not derived from std::exception";
      }
    }
    self->execution->terminate_thread(*self, FailureKind::Exception, std::move(message));
  }
  if (g_previous_terminate != nullptr) {
    g_previous_terminate();
  }
  std::abort();
}

// An abandoned execution is never freed: the thread stuck in it may still return to the
// runtime and read it (it then ends itself).
void retain_forever(std::unique_ptr<detail::Execution> execution) {
  static detail::InternalLock lock;
  static auto *abandoned = new std::vector<std::unique_ptr<detail::Execution>>();
  std::lock_guard<detail::InternalLock> guard(lock);
  abandoned->push_back(std::move(execution));
}

void install_terminate_handler() {
  static std::once_flag once;
  std::call_once(once, [] { g_previous_terminate = std::set_terminate(&on_terminate); });
}

} // namespace

const char *to_string(FailureKind kind) {
  switch (kind) {
  case FailureKind::None:
    return "none";
  case FailureKind::Exception:
    return "exception";
  case FailureKind::Deadlock:
    return "deadlock";
  case FailureKind::Livelock:
    return "livelock";
  case FailureKind::Timeout:
    return "timeout";
  case FailureKind::Crash:
    return "crash";
  case FailureKind::Exit:
    return "exit";
  case FailureKind::Stopped:
    return "stopped";
  case FailureKind::StrategyError:
    return "strategy error";
  case FailureKind::Discarded:
    return "discarded";
  }
  return "?";
}

Executor::Executor() {
  install_terminate_handler();
  detail::install_signal_handlers();
}

Executor::~Executor() {
  if (execution_ && execution_->abandoned()) {
    retain_forever(std::move(execution_));
  }
  for (detail::Worker *worker : workers_) {
    detail::ThreadPool::instance().release(worker);
  }
}

Outcome Executor::run(std::span<const std::function<void()>> bodies, Strategy &strategy,
                      const RunOptions &options) {
  if (in_managed_thread()) {
    Outcome outcome;
    outcome.failure = FailureKind::Exception;
    outcome.message = "Executor::run was called from a managed thread; nested executions are "
                      "not supported";
    return outcome;
  }
  if (execution_ && execution_->abandoned()) {
    retain_forever(std::move(execution_));
    for (detail::Worker *worker : workers_) {
      detail::ThreadPool::instance().release(worker);
    }
    workers_.clear();
  }
  detail::warn_if_abseil_not_interposed();
  replace_dead_workers();
  if (!execution_) {
    execution_ = std::make_unique<detail::Execution>(workers_);
  }
  execution_->allocation_log = allocation_log_;
  return execution_->run(bodies, strategy, options);
}

void Executor::replace_dead_workers() {
  for (detail::Worker *&worker : workers_) {
    if (worker->dead.load(std::memory_order_acquire)) {
      detail::ThreadPool::instance().release(worker);
      worker = detail::ThreadPool::instance().acquire();
    }
  }
}

std::span<const StepRecord> Executor::trace() const {
  return execution_ ? std::span<const StepRecord>(execution_->trace)
                    : std::span<const StepRecord>();
}

std::span<const int> Executor::schedule() const {
  return execution_ ? std::span<const int>(execution_->schedule) : std::span<const int>();
}

std::span<const WakeChoice> Executor::wake_choices() const {
  return execution_ ? std::span<const WakeChoice>(execution_->wake_choices)
                    : std::span<const WakeChoice>();
}

int Executor::preemptions() const { return execution_ ? execution_->preemptions() : 0; }

int Executor::num_threads() const { return execution_ ? execution_->num_threads() : 0; }

std::uint64_t Executor::memory_steps() const { return execution_ ? execution_->memory_steps() : 0; }

bool in_managed_thread() noexcept { return detail::current_thread() != nullptr; }

int current_body() noexcept {
  const detail::ManagedThread *self = detail::current_thread();
  return self != nullptr && self->id < self->execution->num_bodies() ? self->id : -1;
}

int pooled_worker_count() noexcept { return detail::ThreadPool::instance().live_workers(); }

void end_idle_pooled_workers() { detail::ThreadPool::instance().end_idle_workers(); }

} // namespace interlace::rt
