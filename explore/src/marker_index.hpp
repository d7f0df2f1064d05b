// Which trace markers a program has, as far as the code a run executed shows.
#pragma once

#include <set>
#include <span>
#include <string>

#include "interlace/rt/event.hpp"

namespace interlace::detail {

// The markers the threads of a run passed, and those written (as `// interlace: NAME`
// comments or INTERLACE_MARKER(NAME)) in the source files of the code they executed. The
// runtime registers no table of markers, so a marker in a file no thread ran is not seen.
struct KnownMarkers {
  std::set<std::string> names;
  std::set<std::string> files; // base names of the source files searched
};

KnownMarkers known_markers(std::span<const rt::StepRecord> trace);

// The known name closest to `name` by edit distance, if one is close enough to be a typo.
std::string closest_marker(const std::string &name, const std::set<std::string> &names);

} // namespace interlace::detail
