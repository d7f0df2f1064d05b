// Source lines for explanations, read from the files named in site records.
#pragma once

#include <string>

#include "interlace/abi.h"

namespace interlace::detail {

// The trimmed text of the site's line, or "" when the file cannot be read.
std::string source_line(const interlace_site &site);

// "counter.cpp:7" (base name and line), or "?" without debug info.
std::string short_location(const interlace_site &site);

} // namespace interlace::detail
