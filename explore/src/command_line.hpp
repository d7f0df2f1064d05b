// The command that reruns the current test: this process's own command line, narrowed to
// the running test when a test runner tells us its name.
#pragma once

#include <string>

namespace interlace::detail {

std::string rerun_command();

} // namespace interlace::detail
