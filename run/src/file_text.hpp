// The whole content of an open file, read from its start whatever its offset: the memory
// files an execution's output and a job's result are written to.
#pragma once

#include <string>

namespace interlace::run {

std::string file_text(int fd);

} // namespace interlace::run
