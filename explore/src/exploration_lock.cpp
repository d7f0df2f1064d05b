#include "exploration_lock.hpp"

namespace interlace::detail {

std::unique_lock<std::recursive_mutex> lock_exploration() {
  static std::recursive_mutex mutex;
  return std::unique_lock<std::recursive_mutex>(mutex);
}

} // namespace interlace::detail
