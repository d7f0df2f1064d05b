// Source lines for explanations, read from the files named in site records.
#pragma once

#include <string>

#include "interlace/abi.h"

namespace interlace::detail {

// The trimmed text of the site's line, or "" when the file cannot be read.
std::string source_line(const interlace_site &site);

// "counter.cpp:7" (base name and line); without a line, the site's function name, compacted;
// "?" without either.
std::string short_location(const interlace_site &site);

// A function name at most 40 characters wide, so that it does not widen every row of a
// trace: template arguments and parameters become "<>" and "()", and what is still too long
// keeps its innermost names (cut at a "::") after "...".
std::string compact_function_name(const std::string &name);

} // namespace interlace::detail
