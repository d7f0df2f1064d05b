#include "wait_model.hpp"

#include "../execution.hpp"
#include "../fatal.hpp"

namespace interlace::rt::detail {

const WaitModel &wait_model(const WaitTarget &target) {
  switch (target.kind) {
  case WaitKind::Mutex:
    return mutex_wait_model();
  case WaitKind::Spin:
    return spin_wait_model();
  case WaitKind::ReadLock:
    return rwlock_wait_model(/*write=*/false);
  case WaitKind::WriteLock:
    return rwlock_wait_model(/*write=*/true);
  case WaitKind::Join:
    return join_wait_model();
  case WaitKind::Cond:
    return condvar_wait_model();
  case WaitKind::Semaphore:
    return semaphore_wait_model();
  case WaitKind::Barrier:
    return barrier_wait_model();
  case WaitKind::Once:
    return once_wait_model();
  case WaitKind::Futex:
    return futex_wait_model();
  case WaitKind::Assumption:
    return assumption_wait_model();
  case WaitKind::None:
    break;
  }
  internal_error("a thread is blocked without a wait target");
}

} // namespace interlace::rt::detail
