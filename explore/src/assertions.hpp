// Test-framework assertions that fail inside an execution (see interlace/gtest.hpp).
#pragma once

#include <memory>

#include "interlace/gtest.hpp"

namespace interlace::detail {

// A capture for one execution, or null when no test framework registered one.
std::unique_ptr<AssertionCapture> capture_assertions();

} // namespace interlace::detail
