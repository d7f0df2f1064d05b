// The INTERLACE_* environment variables, parsed in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace interlace::detail {

struct Environment {
  std::optional<std::uint64_t> seed; // INTERLACE_SEED
  std::optional<int> max_attempts;   // INTERLACE_MAX_ATTEMPTS
  std::optional<std::string> replay; // INTERLACE_REPLAY
};

// Reads the environment now; throws UsageError for a malformed value.
Environment read_environment();

} // namespace interlace::detail
