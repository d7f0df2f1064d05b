// Each operation on the counter is atomic, but the increment is a load and a store, so two
// threads can still lose an update. Fixed: fetch_add.
#include <atomic>
#include <cassert>
#include <thread>

namespace {
std::atomic<int> counter{0};

void increment() {
#ifdef FIXED
  counter.fetch_add(1);
#else
  counter.store(counter.load() + 1);
#endif
}
} // namespace

int main() {
  std::thread a(increment);
  std::thread b(increment);
  a.join();
  b.join();
  assert(counter.load() == 2);
  return 0;
}
