// The INTERLACE_* environment variables, parsed in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "interlace/explore.hpp"
#include "sharding.hpp"

namespace interlace::detail {

struct Environment {
  std::optional<std::uint64_t> seed;    // INTERLACE_SEED
  std::optional<int> max_attempts;      // INTERLACE_MAX_ATTEMPTS
  std::optional<std::string> replay;    // INTERLACE_REPLAY
  bool verbose = false;                 // INTERLACE_VERBOSE=1: every step in explanations
  std::optional<std::string> trace_out; // INTERLACE_TRACE_OUT: a .json or .svg to write
  std::optional<Search> search;         // INTERLACE_SEARCH
  std::optional<Shard> shard;           // INTERLACE_SHARD=I/N
};

// Reads the environment now; throws UsageError for a malformed value.
Environment read_environment();

} // namespace interlace::detail
