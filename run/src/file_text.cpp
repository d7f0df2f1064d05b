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

void write_all(int fd, std::string_view text) {
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t wrote = write(fd, text.data() + done, text.size() - done);
    if (wrote <= 0) {
      return;
    }
    done += static_cast<std::size_t>(wrote);
  }
}

} // namespace interlace::run
