// What several explore tests share: the quick-start counter and a scoped environment variable.
#pragma once

#include <interlace/interlace.hpp>
#include <stdlib.h>

#include <string>

namespace interlace::testing {

struct Counter {
  int value = 0;

  void increment() {
    int t = value;
    value = t + 1;
  }
};

// Two threads increment a Counter; it must reach 2.
inline auto explore_counter(ExploreOptions options) {
  return explore_interleavings(
      [] { return Counter{}; },
      {[](Counter &c) { c.increment(); }, [](Counter &c) { c.increment(); }},
      [](const Counter &c) { return c.value == 2; }, options);
}

// Sets an environment variable for one scope.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const std::string &value) : name_(name) {
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { unsetenv(name_); }
  ScopedEnv(const ScopedEnv &) = delete;
  ScopedEnv &operator=(const ScopedEnv &) = delete;

private:
  const char *name_;
};

} // namespace interlace::testing
