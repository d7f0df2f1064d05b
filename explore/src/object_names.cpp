#include "object_names.hpp"

#include <cstdio>
#include <ranges>

#include "interlace/rt/sites.hpp"
#include "source_text.hpp"

namespace interlace::detail {
namespace {

std::uint64_t offset_in(const void *address, const void *base) {
  return reinterpret_cast<std::uintptr_t>(address) - reinterpret_cast<std::uintptr_t>(base);
}

bool contains(const void *base, std::uint64_t size, const void *address) {
  return reinterpret_cast<std::uintptr_t>(address) >= reinterpret_cast<std::uintptr_t>(base) &&
         offset_in(address, base) < size;
}

std::string with_offset(const std::string &name, std::uint64_t offset) {
  return offset == 0 ? name : name + " (+" + std::to_string(offset) + ")";
}

} // namespace

std::map<const void *, const char *> known_names(std::span<const rt::StepRecord> trace) {
  std::map<const void *, const char *> names;
  for (const rt::StepRecord &step : trace) {
    if (rt::is_memory_access(step.event.kind) && step.event.site != nullptr &&
        step.event.site->object != nullptr) {
      names.try_emplace(step.event.addr, step.event.site->object);
    }
  }
  return names;
}

std::string object_name(const rt::Event &event, const MemoryContext &memory) {
  if (event.site != nullptr && event.site->object != nullptr) {
    return event.site->object;
  }
  if (const auto known = memory.known.find(event.addr); known != memory.known.end()) {
    return known->second;
  }
  if (const auto global = rt::find_global(event.addr)) {
    const std::uint64_t offset = offset_in(event.addr, global->address);
    if (global->element_size < global->size && global->element_size != 0) {
      return std::string(global->name) + "[" + std::to_string(offset / global->element_size) + "]";
    }
    return with_offset(global->name, offset);
  }
  if (memory.state != nullptr && contains(memory.state, memory.state_size, event.addr)) {
    return with_offset("the state", offset_in(event.addr, memory.state));
  }
  // The latest allocation that contains the address was the live one.
  for (const auto &allocation : std::ranges::reverse_view(memory.allocations)) {
    if (contains(allocation.address, allocation.size, event.addr)) {
      // The allocation's type is unknown (a struct and an array look alike): give the offset.
      const std::string where = allocation.site != nullptr ? short_location(*allocation.site) : "?";
      return with_offset("heap object allocated at " + where,
                         offset_in(event.addr, allocation.address));
    }
  }
  char address[32];
  std::snprintf(address, sizeof address, "%p", event.addr);
  return address;
}

} // namespace interlace::detail
