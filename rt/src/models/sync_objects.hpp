// The state of the primitives the runtime models itself rather than calling the real ones:
// barriers (arrivals and rounds) and pthread_once (the thread running the initialiser). Reset
// with every execution.
#pragma once

#include <cstdint>
#include <vector>

namespace interlace::rt::detail {

class SyncTable {
public:
  struct State {
    const void *object = nullptr;
    int owner = -1;          // pthread_once: the thread running the initialiser
    unsigned count = 0;      // barrier: threads per round
    unsigned arrived = 0;    // barrier: arrivals in this round
    std::uint64_t round = 0; // barrier: completed rounds
  };

  void clear() { states_.clear(); }
  // The state of `object`, made on first use.
  State &state(const void *object);
  // The state of `object`, or null when no thread has used it in this execution.
  const State *find(const void *object) const;

private:
  std::vector<State> states_;
};

} // namespace interlace::rt::detail
