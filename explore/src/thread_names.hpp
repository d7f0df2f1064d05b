// Threads as a driver names them: "task1", "thread 0" when it gave no name.
#pragma once

#include <span>
#include <string>

namespace interlace::detail {

// names[thread], or "thread N" for a thread without one.
std::string thread_label(int thread, std::span<const std::string> names);

// `text` with every "thread N" the runtime wrote replaced by that thread's name.
std::string with_thread_names(const std::string &text, std::span<const std::string> names);

} // namespace interlace::detail
