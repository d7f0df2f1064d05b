#include "environment.hpp"

#include <cerrno>
#include <cstdlib>
#include <limits>

#include "interlace/errors.hpp"

namespace interlace::detail {
namespace {

std::optional<std::string> variable(const char *name) {
  const char *value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    return std::nullopt;
  }
  return std::string(value);
}

std::uint64_t parse_unsigned(const char *name, const std::string &text, std::uint64_t max,
                             const char *hint) {
  errno = 0;
  char *end = nullptr;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 0);
  if (errno != 0 || end == text.c_str() || *end != '\0' || text[0] == '-' || value > max) {
    throw UsageError(std::string(name) + "='" + text + "' is not a valid number; " + hint);
  }
  return value;
}

} // namespace

Environment read_environment() {
  Environment env;
  if (auto text = variable("INTERLACE_SEED")) {
    env.seed = parse_unsigned("INTERLACE_SEED", *text, std::numeric_limits<std::uint64_t>::max(),
                              "set it to the seed a previous run printed, e.g. INTERLACE_SEED=42");
  }
  if (auto text = variable("INTERLACE_MAX_ATTEMPTS")) {
    const auto value = parse_unsigned(
        "INTERLACE_MAX_ATTEMPTS", *text, std::numeric_limits<int>::max(),
        "set it to a positive number of schedules, e.g. INTERLACE_MAX_ATTEMPTS=10000");
    if (value == 0) {
      throw UsageError("INTERLACE_MAX_ATTEMPTS=0 would explore nothing; set a positive number");
    }
    env.max_attempts = static_cast<int>(value);
  }
  env.replay = variable("INTERLACE_REPLAY");
  if (auto text = variable("INTERLACE_VERBOSE")) {
    if (*text != "0" && *text != "1") {
      throw UsageError("INTERLACE_VERBOSE='" + *text + "' must be 1 (every step) or 0");
    }
    env.verbose = *text == "1";
  }
  env.trace_out = variable("INTERLACE_TRACE_OUT");
  return env;
}

} // namespace interlace::detail
