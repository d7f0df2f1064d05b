// A consumer throws when it finds the queue in a state it thinks impossible (the producer
// published the size before the item); the exception escapes the thread, which ends the
// program through std::terminate. Fixed: publish the item before the size.
#include <stdexcept>
#include <thread>

namespace {
int item = 0;
int size = 0;

void produce() {
#ifdef FIXED
  item = 42;
  size = 1;
#else
  size = 1;
  item = 42;
#endif
}

void consume() {
  if (size == 1 && item != 42) {
    throw std::runtime_error("queue has a size but no item");
  }
}
} // namespace

int main() {
  std::thread producer(produce);
  std::thread consumer(consume);
  producer.join();
  consumer.join();
  return 0;
}
