// Errors interlace raises for misuse. Each message names the cause and the fix.
#pragma once

#include <stdexcept>
#include <string>

namespace interlace {

// A call that cannot work as written: bad options, no instrumented code, a replay token
// from another build, an exploration started from inside another.
class UsageError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// A trace-marker schedule that cannot proceed: its what() names the step and the cause.
class ScheduleError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace interlace
