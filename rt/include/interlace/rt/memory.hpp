// What the runtime knows about memory, for reports that name objects rather than addresses:
// the instrumented modules' global variables, and the allocations instrumented code made.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "interlace/abi.h"

namespace interlace::rt {

struct GlobalVariableInfo {
  const void *address = nullptr;
  std::uint64_t size = 0;
  std::uint64_t element_size = 0; // the array element's size, or `size`
  const char *name = nullptr;
};

// The registered global variable that contains `address`, if any.
std::optional<GlobalVariableInfo> find_global(const void *address);

// An allocation by instrumented code (operator new, malloc, ...).
struct Allocation {
  const void *address = nullptr;
  std::uint64_t size = 0;
  const interlace_site *site = nullptr;
};

// For its lifetime, allocations that instrumented code makes on the constructing (unmanaged)
// thread are appended to `log`: e.g. around the setup of an exploration's state.
class AllocationScope {
public:
  explicit AllocationScope(std::vector<Allocation> &log);
  ~AllocationScope();
  AllocationScope(const AllocationScope &) = delete;
  AllocationScope &operator=(const AllocationScope &) = delete;

private:
  std::vector<Allocation> *outer_;
};

} // namespace interlace::rt
