// Instrumented modules register their site tables here at start-up.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <vector>

#include "interlace/abi.h"
#include "interlace/rt/memory.hpp"
#include "interlace/rt/sites.hpp"
#include "internal_lock.hpp"

namespace interlace::rt {
namespace {

struct Module {
  const interlace_site *sites;
  std::uint64_t count;
};

struct Registry {
  detail::InternalLock lock;
  std::vector<Module> modules;
  std::vector<GlobalVariableInfo> globals; // sorted by address
};

Registry &registry() {
  static auto *instance = new Registry(); // modules register from static constructors
  return *instance;
}

std::uint64_t mix(std::uint64_t hash, std::uint64_t value) {
  hash ^= value + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
  return hash;
}

std::uint64_t hash_text(std::uint64_t hash, const char *text) {
  for (; text != nullptr && *text != '\0'; ++text) {
    hash = (hash ^ static_cast<unsigned char>(*text)) * 0x100000001b3ULL;
  }
  return hash;
}

} // namespace

std::size_t instrumented_module_count() {
  Registry &reg = registry();
  std::lock_guard<detail::InternalLock> guard(reg.lock);
  return reg.modules.size();
}

std::uint64_t build_fingerprint() {
  Registry &reg = registry();
  std::lock_guard<detail::InternalLock> guard(reg.lock);
  // Order-independent over modules, so static-constructor order does not matter.
  std::uint64_t total = 0;
  for (const Module &module : reg.modules) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (std::uint64_t i = 0; i < module.count; ++i) {
      const interlace_site &site = module.sites[i];
      const char *file = std::strrchr(site.file, '/');
      hash = hash_text(hash, file != nullptr ? file + 1 : site.file);
      hash = hash_text(hash, site.function);
      hash = mix(hash, (static_cast<std::uint64_t>(site.line) << 32) | site.column);
      hash = mix(hash, site.kind);
    }
    total += hash;
  }
  return total;
}

std::optional<GlobalVariableInfo> find_global(const void *address) {
  Registry &reg = registry();
  std::lock_guard<detail::InternalLock> guard(reg.lock);
  auto after =
      std::ranges::upper_bound(reg.globals, address, std::less<>(), &GlobalVariableInfo::address);
  if (after == reg.globals.begin()) {
    return std::nullopt;
  }
  const GlobalVariableInfo &candidate = *(after - 1);
  const auto offset = reinterpret_cast<std::uintptr_t>(address) -
                      reinterpret_cast<std::uintptr_t>(candidate.address);
  if (offset >= candidate.size) {
    return std::nullopt;
  }
  return candidate;
}

} // namespace interlace::rt

extern "C" void __interlace_register_module(uint32_t abi_version, const interlace_site *sites,
                                            uint64_t count, const interlace_global *globals,
                                            uint64_t global_count, const char *module_name) {
  if (abi_version != INTERLACE_ABI_VERSION) {
    std::fprintf(stderr,
                 "interlace: error: %s was instrumented for runtime ABI version %u, but this "
                 "runtime (libinterlace_rt) implements version %u.\n"
                 "Rebuild it with the libInterlacePass.so that comes with this runtime.\n",
                 module_name != nullptr ? module_name : "a module", abi_version,
                 INTERLACE_ABI_VERSION);
    std::_Exit(2);
  }
  auto &reg = interlace::rt::registry();
  std::lock_guard<interlace::rt::detail::InternalLock> guard(reg.lock);
  reg.modules.push_back(interlace::rt::Module{sites, count});
  for (uint64_t i = 0; i < global_count; ++i) {
    const interlace_global &global = globals[i];
    reg.globals.push_back(interlace::rt::GlobalVariableInfo{global.address, global.size,
                                                            global.element_size, global.name});
  }
  std::ranges::sort(reg.globals, std::less<>(), &interlace::rt::GlobalVariableInfo::address);
}
