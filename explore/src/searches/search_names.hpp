// Search names as users write them (INTERLACE_SEARCH, interlace run --search).
#pragma once

#include <string_view>

#include "interlace/explore.hpp"

namespace interlace::detail {

// The search named `text` ("pct"); a UsageError naming `where` and the known names otherwise.
Search parse_search(std::string_view text, std::string_view where);

} // namespace interlace::detail
