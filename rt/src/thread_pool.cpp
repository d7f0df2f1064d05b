#include "thread_pool.hpp"

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
    worker->parker.wait(
        [worker] { return worker->task.load(std::memory_order_seq_cst) != nullptr; });
    ManagedThread *task = worker->task.exchange(nullptr, std::memory_order_acq_rel);
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
  if (worker->lost.load(std::memory_order_acquire) &&
      !worker->stopped.load(std::memory_order_acquire)) {
    live_.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  if (worker->dead.load(std::memory_order_acquire) ||
      worker->stopped.load(std::memory_order_acquire)) {
    // The thread ended itself with a raw exit; joining waits for the kernel to clear its
    // thread id and lets glibc reuse its stack.
    real::pthread_join(worker->handle, nullptr);
    free_worker_signals(*worker);
    delete worker;
    live_.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  std::lock_guard<InternalLock> guard(lock_);
  idle_.push_back(worker);
}

} // namespace interlace::rt::detail
