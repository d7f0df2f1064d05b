#include "environment.hpp"

#include <charconv>
#include <cstdlib>
#include <limits>
#include <string_view>

#include "interlace/errors.hpp"
#include "searches/search_names.hpp"

namespace interlace::detail {
namespace {

std::optional<std::string> variable(const char *name) {
  const char *value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    return std::nullopt;
  }
  return std::string(value);
}

// Decimal, or hexadecimal after 0x: nothing else (no sign, no spaces, no octal), so that a
// typo is an error rather than another number.
std::uint64_t parse_unsigned(const char *name, const std::string &text, std::uint64_t max,
                             const char *hint) {
  std::string_view digits = text;
  int base = 10;
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    digits.remove_prefix(2);
    base = 16;
  }
  std::uint64_t value = 0;
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  const bool complete = !digits.empty() && end == digits.data() + digits.size();
  if (error == std::errc::result_out_of_range ||
      (complete && error == std::errc() && value > max)) {
    throw UsageError(std::string(name) + "='" + text + "' is out of range: at most " +
                     std::to_string(max) + " (in decimal, or in hexadecimal after 0x); " + hint);
  }
  if (!complete || error != std::errc()) {
    throw UsageError(std::string(name) + "='" + text +
                     "' is not a number: write it in decimal (42) or in hexadecimal after 0x "
                     "(0x2a), without sign or spaces; " +
                     hint);
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
  if (auto text = variable("INTERLACE_SEARCH")) {
    env.search = parse_search(*text, "INTERLACE_SEARCH");
  }
  if (auto text = variable("INTERLACE_SHARD")) {
    const std::size_t slash = text->find('/');
    const char *hint = "set it to I/N, shard I (from 0) of N, e.g. INTERLACE_SHARD=0/4";
    if (slash == std::string::npos) {
      throw UsageError("INTERLACE_SHARD='" + *text + "' is not I/N; " + hint);
    }
    Shard shard;
    shard.index = static_cast<int>(parse_unsigned("INTERLACE_SHARD", text->substr(0, slash),
                                                  std::numeric_limits<int>::max(), hint));
    shard.count = static_cast<int>(parse_unsigned("INTERLACE_SHARD", text->substr(slash + 1),
                                                  std::numeric_limits<int>::max(), hint));
    if (shard.count == 0 || shard.index >= shard.count) {
      throw UsageError("INTERLACE_SHARD='" + *text + "': the index must be below the count; " +
                       hint);
    }
    env.shard = shard;
  }
  return env;
}

} // namespace interlace::detail
