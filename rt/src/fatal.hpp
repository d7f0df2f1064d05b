// The one exit for internal bugs of the runtime, tagged so that nobody mistakes one for a
// failure of the code under test.
#pragma once

namespace interlace::rt::detail {

[[noreturn]] void internal_error(const char *what);

} // namespace interlace::rt::detail
