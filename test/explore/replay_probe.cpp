// A small program for the replay and determinism tests: it explores the lost update (and, in
// "helper" mode, two explorations through one shared helper) and prints the results, so that
// tests can run it as separate processes with INTERLACE_REPLAY / INTERLACE_SEED set.
#include <interlace/interlace.hpp>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace {

struct Counter {
  int value = 0;
  void increment() {
    int t = value;
    value = t + 1;
  }
};

void print(const char *label, const interlace::InterleavingResult<Counter> &result) {
  std::string schedule;
  for (const int thread : result.schedule) {
    schedule += std::to_string(thread);
  }
  std::printf("%s holds=%d explored=%d unique=%d preemptions=%d value=%d reproduced=%d/%d "
              "schedule=%s\n%s replay=%s\n",
              label, result.property_holds ? 1 : 0, result.num_explored,
              result.unique_interleavings, result.preemptions,
              result.counterexample ? result.counterexample->value : -1,
              result.reproduction_successes, result.reproduction_attempts, schedule.c_str(), label,
              result.replay.c_str());
  if (result.explanation.find("replayed from INTERLACE_REPLAY") != std::string::npos) {
    std::printf("%s replayed\n", label);
  }
}

// One call site shared by every exploration of the lost update.
interlace::InterleavingResult<Counter> explore_increments(int threads, std::uint64_t seed) {
  std::vector<std::function<void(Counter &)>> bodies(static_cast<std::size_t>(threads),
                                                     [](Counter &c) { c.increment(); });
  return interlace::explore_interleavings(
      [] { return Counter{}; }, bodies, [threads](const Counter &c) { return c.value == threads; },
      {.seed = seed});
}

} // namespace

int main(int argc, char **argv) {
  const bool helper = argc > 1 && std::strcmp(argv[1], "helper") == 0;
  try {
    print("first", explore_increments(2, 42));
    if (helper) {
      print("second", explore_increments(2, 43));
    }
  } catch (const interlace::UsageError &error) {
    std::printf("usage error: %s\n", error.what());
    return 2;
  }
  return 0;
}
