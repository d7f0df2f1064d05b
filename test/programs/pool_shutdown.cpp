// A worker waits for work or shutdown on a condition variable; shutdown sets its flag without
// the mutex, so the notify can fall between the worker's check and its wait, and the join
// waits for ever. Fixed: set the flag under the mutex.
#include <condition_variable>
#include <mutex>
#include <thread>

namespace {
std::mutex mutex;
std::condition_variable wake;
bool stopping = false;

void worker() {
  std::unique_lock<std::mutex> lock(mutex);
  while (!stopping) {
    wake.wait(lock);
  }
}
} // namespace

int main() {
  std::thread thread(worker);
#ifdef FIXED
  {
    std::lock_guard<std::mutex> guard(mutex);
    stopping = true;
  }
#else
  stopping = true;
#endif
  wake.notify_one();
  thread.join();
  return 0;
}
