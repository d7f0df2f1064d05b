#include "file_text.hpp"

#include <sys/types.h>
#include <unistd.h>

namespace interlace::run {

std::string file_text(int fd) {
  std::string text;
  char buffer[65536];
  for (off_t offset = 0;;) {
    const ssize_t got = pread(fd, buffer, sizeof buffer, offset);
    if (got <= 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(got));
    offset += got;
  }
  return text;
}

} // namespace interlace::run
