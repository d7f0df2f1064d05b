// The command that reruns the current test: this process's own command line, narrowed to
// the running test when a test runner tells us its name.
#pragma once

#include <string>

namespace interlace::detail {

std::string rerun_command();

// "Suite.Test" when a test runner registered itself (see interlace/gtest.hpp), else "".
std::string current_test_name();

} // namespace interlace::detail
