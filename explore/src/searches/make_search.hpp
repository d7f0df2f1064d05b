// Builds the search an exploration asked for (ExploreOptions::search).
#pragma once

#include <memory>

#include "searches/search.hpp"

namespace interlace::detail {

// Throws UsageError for a search this build cannot run.
std::unique_ptr<ScheduleSearch> make_search(Search kind, const SearchParams &params);

} // namespace interlace::detail
