// Built with -fsanitize=thread: the runtime must stop at start-up and say why, not crash in a
// pooled worker when the exploration starts.
#include <interlace/interlace.hpp>

int main() {
  int value = 0;
  auto result = interlace::explore_interleavings(
      [] { return 0; }, {[&](int &) { ++value; }, [&](int &) { ++value; }},
      [](const int &) { return true; }, {.max_attempts = 10});
  return result.property_holds ? 0 : 1;
}
