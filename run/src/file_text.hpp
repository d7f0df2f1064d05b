// The whole content of an open file, read from its start whatever its offset: the memory
// files an execution's output and a job's result are written to; and writing a whole text.
#pragma once

#include <string>
#include <string_view>

namespace interlace::run {

std::string file_text(int fd);

// Writes all of `text` to `fd`, as far as the descriptor takes it (errors are not reported:
// the callers write messages on their way out).
void write_all(int fd, std::string_view text);

} // namespace interlace::run
