// Abseil's absl::Mutex, interposed (abseil_mutex.cpp).
#pragma once

namespace interlace::rt::detail {

// Once per process: says on stderr how to fix the link order when a loaded Abseil's
// Mutex::Lock is not the runtime's interposer.
void warn_if_abseil_not_interposed();

} // namespace interlace::rt::detail
