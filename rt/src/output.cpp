// What managed threads write to stderr. A library that gives up (Abseil's checks and its
// deadlock detector, TBB's assertions) says why on stderr just before it aborts; the failure
// report quotes it (Execution::terminate_thread). stdio's own writes reach write() inside libc,
// where no interposer sees them: write() and syscall(SYS_write) called from the code are.
#include "primitive_support.hpp"
#include "primitives.hpp"

namespace interlace::rt::detail::managed {

void note_stderr(ManagedThread &self, const char *text, std::size_t size) {
  if (text == nullptr || size == 0) {
    return;
  }
  const RuntimeSection section(self);
  self.execution->note_stderr(text, size);
}

long write(ManagedThread &self, int fd, const void *data, unsigned long count) {
  if (fd == 2) {
    note_stderr(self, static_cast<const char *>(data), count);
  }
  return real::write(fd, data, count);
}

} // namespace interlace::rt::detail::managed
