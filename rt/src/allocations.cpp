// __interlace_alloc: allocations by instrumented code, logged for reports. Managed threads
// log into their execution's log (Executor::set_allocation_log), an unmanaged thread into the
// AllocationScope it opened; everything else is ignored.
#include "execution.hpp"
#include "interlace/rt/memory.hpp"

namespace interlace::rt {
namespace {

thread_local std::vector<Allocation> *t_scope_log = nullptr;

} // namespace

AllocationScope::AllocationScope(std::vector<Allocation> &log) : outer_(t_scope_log) {
  t_scope_log = &log;
}

AllocationScope::~AllocationScope() { t_scope_log = outer_; }

} // namespace interlace::rt

extern "C" void __interlace_alloc(const void *addr, uint64_t size, const interlace_site *site) {
  using interlace::rt::Allocation;
  if (interlace::rt::detail::ManagedThread *self = interlace::rt::detail::current_thread()) {
    std::vector<Allocation> *log = self->execution->allocation_log;
    if (!self->in_runtime && log != nullptr) {
      const interlace::rt::detail::RuntimeSection section(*self);
      log->push_back(Allocation{addr, size, site});
    }
    return;
  }
  if (interlace::rt::t_scope_log != nullptr) {
    interlace::rt::t_scope_log->push_back(Allocation{addr, size, site});
  }
}
