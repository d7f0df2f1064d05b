#include "thread_pool.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "execution.hpp"
#include "fatal.hpp"
#include "futex.hpp"
#include "real.hpp"
#include "signals.hpp"

namespace interlace::rt::detail {

ThreadPool &ThreadPool::instance() {
  // Never destroyed: workers may still be parked when static destructors run.
  static auto *pool = new ThreadPool();
  return *pool;
}

void *ThreadPool::worker_main(void *arg) {
  auto *worker = static_cast<Worker *>(arg);
  prepare_worker_signals(*worker);
  worker->tid.store(raw_gettid(), std::memory_order_release);
  for (;;) {
    worker->parker.wait([worker] {
      return worker->task.load(std::memory_order_seq_cst) != nullptr ||
             worker->retire.load(std::memory_order_seq_cst);
    });
    ManagedThread *task = worker->task.exchange(nullptr, std::memory_order_acq_rel);
    if (task == nullptr) {
      if (worker->retire_raw.load(std::memory_order_acquire)) {
        raw_exit_thread();
      }
      return nullptr; // retired: the pool joins this thread
    }
    task->execution->run_thread(*task);
    if (worker->dead.load(std::memory_order_acquire)) {
      // It ran a sanitizer's thread start (sanitizers.hpp): the sanitizer forgets the thread
      // only when it ends. The executor joins it and takes a new worker.
      return nullptr;
    }
  }
}

Worker *ThreadPool::acquire() {
  {
    std::lock_guard<InternalLock> guard(lock_);
    need_ = std::max(need_, ++out_);
    if (!idle_.empty()) {
      Worker *worker = idle_.back();
      idle_.pop_back();
      return worker;
    }
  }
  auto *worker = new Worker();
  const int rc = real::pthread_create(&worker->handle, nullptr, &ThreadPool::worker_main, worker);
  if (rc != 0) {
    std::fprintf(stderr, "interlace: cannot start a worker thread: %s\n", std::strerror(rc));
    internal_error("pthread_create failed for a pooled worker");
  }
  live_.fetch_add(1, std::memory_order_relaxed);
  return worker;
}

void ThreadPool::release(Worker *worker) {
  const bool stopped = worker->stopped.load(std::memory_order_acquire);
  const bool lost = worker->lost.load(std::memory_order_acquire) && !stopped;
  const bool dead = worker->dead.load(std::memory_order_acquire) || stopped;
  std::vector<Worker *> surplus;
  {
    std::lock_guard<InternalLock> guard(lock_);
    --out_;
    if (!lost && !dead) {
      idle_.push_back(worker);
    }
    surplus = take_surplus_locked();
    if (out_ == 0) {
      previous_need_ = need_;
      need_ = 0;
    }
  }
  if (lost) {
    live_.fetch_sub(1, std::memory_order_relaxed);
  } else if (dead) {
    // The thread ended itself with a raw exit; joining waits for the kernel to clear its
    // thread id and lets glibc reuse its stack.
    real::pthread_join(worker->handle, nullptr);
    free_worker_signals(*worker);
    delete worker;
    live_.fetch_sub(1, std::memory_order_relaxed);
  }
  end_workers(surplus);
}

void ThreadPool::end_idle_workers() {
  std::vector<Worker *> idle;
  {
    std::lock_guard<InternalLock> guard(lock_);
    idle.swap(idle_);
  }
  for (Worker *worker : idle) {
    worker->retire_raw.store(true, std::memory_order_release);
  }
  end_workers(idle);
}

std::vector<Worker *> ThreadPool::take_surplus_locked() {
  const std::size_t cap = std::max(kMinIdleWorkers, std::min(need_, previous_need_));
  std::vector<Worker *> surplus;
  if (idle_.size() > cap) {
    // The oldest idle workers go: the newest are the likeliest to be still polling.
    const auto keep_from = idle_.end() - static_cast<std::ptrdiff_t>(cap);
    surplus.assign(idle_.begin(), keep_from);
    idle_.erase(idle_.begin(), keep_from);
  }
  return surplus;
}

void ThreadPool::end_workers(const std::vector<Worker *> &workers) {
  // Wake them all first, so that they end in parallel, then join each.
  for (Worker *worker : workers) {
    worker->retire.store(true, std::memory_order_seq_cst);
    worker->parker.wake();
  }
  for (Worker *worker : workers) {
    real::pthread_join(worker->handle, nullptr);
    free_worker_signals(*worker);
    delete worker;
    live_.fetch_sub(1, std::memory_order_relaxed);
  }
}

} // namespace interlace::rt::detail
