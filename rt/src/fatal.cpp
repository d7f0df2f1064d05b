#include "fatal.hpp"

#include <cstdio>
#include <cstdlib>

namespace interlace::rt::detail {

void internal_error(const char *what) {
  std::fprintf(stderr,
               "interlace: internal error: %s\n"
               "This is a bug in interlace, not in the code under test; please report it.\n",
               what);
  std::abort();
}

} // namespace interlace::rt::detail
