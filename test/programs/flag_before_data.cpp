// The writer raises `ready` before it fills in the message, so a reader that sees the flag
// can read an empty message. Fixed: fill in the message, then raise the flag.
#include <atomic>
#include <cassert>
#include <string>
#include <thread>

namespace {
std::atomic<bool> ready{false};
int message_length = 0;

void write_message() {
#ifdef FIXED
  message_length = 5;
  ready.store(true);
#else
  ready.store(true);
  message_length = 5;
#endif
}

int read_message() { return ready.load() ? message_length : -1; }
} // namespace

int main() {
  int seen = -1;
  std::thread writer(write_message);
  std::thread reader([&seen] { seen = read_message(); });
  writer.join();
  reader.join();
  assert(seen == -1 || seen == 5);
  return 0;
}
