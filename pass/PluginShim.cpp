//===- PluginShim.cpp - libInterlacePass.so, the file compilers load ------===//
//
// The passes live in libInterlacePassLLVM<N>.so next to this file, an LLVM <N> plugin that
// takes its LLVM symbols from the clang or opt that loads it. Loaded into another LLVM, that
// library dies with "symbol lookup error" the moment one of its static constructors calls a
// function the host lacks. This shim links no LLVM: it finds out which LLVM the host is, loads
// the passes only into LLVM <N>, and otherwise says which compiler to use and gives clang a
// plugin it refuses cleanly ("unable to load plugin", exit status 1).
//
// The passes are loaded when this file is (from a constructor), not when clang asks for
// llvmGetPassPluginInfo: -fplugin=libInterlacePass.so loads it before clang parses the
// -mllvm -interlace-* options, which the passes' static constructors register.
//
//===----------------------------------------------------------------------===//

#include <dlfcn.h>
#include <link.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "PluginInfo.h"

#ifndef INTERLACE_LLVM_MAJOR
#error "INTERLACE_LLVM_MAJOR (the LLVM major version the passes are built for) is not defined"
#endif
#ifndef INTERLACE_PASS_IMPL
#error "INTERLACE_PASS_IMPL (the file name of the passes' library) is not defined"
#endif

namespace {

using GetInfo = interlace::PluginLibraryInfo (*)();

GetInfo g_get_info = nullptr;

// "libLLVM-14.so.1" (Debian's LLVM 14), "libLLVM.so.19.1", "libLLVM-19.so": the major, or 0.
int major_from_library_name(const char *path) {
  const char *name = std::strrchr(path, '/');
  name = name != nullptr ? name + 1 : path;
  const char *digits = nullptr;
  if (std::strncmp(name, "libLLVM-", 8) == 0) {
    digits = name + 8;
  } else if (std::strncmp(name, "libLLVM.so.", 11) == 0) {
    digits = name + 11;
  } else {
    return 0;
  }
  return static_cast<int>(std::strtol(digits, nullptr, 10));
}

int find_llvm_library(dl_phdr_info *info, size_t /*size*/, void *data) {
  if (info->dlpi_name == nullptr) {
    return 0;
  }
  const int major = major_from_library_name(info->dlpi_name);
  if (major != 0) {
    *static_cast<int *>(data) = major;
    return 1;
  }
  return 0;
}

// The LLVM major version of the process that loads us, or 0 when it cannot be told (an LLVM
// linked statically into a compiler that exports no LLVMGetVersion).
int host_llvm_major() {
  // LLVM 16 and later export LLVMGetVersion (the C API), in libLLVM and in tools that export
  // their symbols for plugins.
  using GetVersion = void (*)(unsigned *, unsigned *, unsigned *);
  if (void *symbol = dlsym(RTLD_DEFAULT, "LLVMGetVersion")) {
    unsigned major = 0;
    unsigned minor = 0;
    unsigned patch = 0;
    reinterpret_cast<GetVersion>(symbol)(&major, &minor, &patch);
    return static_cast<int>(major);
  }
  // Older ones: the name of the shared LLVM library the compiler runs on.
  int major = 0;
  dl_iterate_phdr(&find_llvm_library, &major);
  return major;
}

// The passes' library: the same directory as this file.
bool impl_path(char *out, size_t size) {
  Dl_info self{};
  if (dladdr(reinterpret_cast<void *>(&host_llvm_major), &self) == 0 || self.dli_fname == nullptr) {
    return false;
  }
  const char *slash = std::strrchr(self.dli_fname, '/');
  const int dir_length = slash != nullptr ? static_cast<int>(slash - self.dli_fname + 1) : 0;
  const int written =
      std::snprintf(out, size, "%.*s%s", dir_length, self.dli_fname, INTERLACE_PASS_IMPL);
  return written > 0 && static_cast<size_t>(written) < size;
}

[[gnu::constructor]] void load_passes() {
  const int major = host_llvm_major();
  if (major != 0 && major != INTERLACE_LLVM_MAJOR) {
    std::fprintf(stderr,
                 "interlace: libInterlacePass.so was built for LLVM %d (clang-%d); this compiler "
                 "is LLVM %d: compile with clang++-%d or clang-%d (Debian: apt-get install "
                 "clang-%d)\n",
                 INTERLACE_LLVM_MAJOR, INTERLACE_LLVM_MAJOR, major, INTERLACE_LLVM_MAJOR,
                 INTERLACE_LLVM_MAJOR, INTERLACE_LLVM_MAJOR);
    return;
  }
  char path[4096];
  if (!impl_path(path, sizeof path)) {
    std::fprintf(stderr, "interlace: libInterlacePass.so cannot tell where it was loaded from\n");
    return;
  }
  // RTLD_NOW: a host that lacks one of the symbols the passes need makes dlopen fail here,
  // with a message, instead of ending the process in the middle of a compilation.
  void *passes = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (passes == nullptr) {
    std::fprintf(stderr, "interlace: libInterlacePass.so cannot load its passes: %s\n", dlerror());
    if (major == 0) {
      std::fprintf(stderr,
                   "  they are built for LLVM %d, and this compiler's LLVM version is unknown: "
                   "compile with clang++-%d or clang-%d\n",
                   INTERLACE_LLVM_MAJOR, INTERLACE_LLVM_MAJOR, INTERLACE_LLVM_MAJOR);
    }
    return;
  }
  g_get_info = reinterpret_cast<GetInfo>(dlsym(passes, "llvmGetPassPluginInfo"));
  if (g_get_info == nullptr) {
    std::fprintf(stderr, "interlace: %s has no llvmGetPassPluginInfo\n", path);
  }
}

} // namespace

// What clang's -fpass-plugin and opt's -load-pass-plugin ask for. Without the passes, an API
// version no LLVM accepts, so that the compiler reports "unable to load plugin" and stops.
extern "C" [[gnu::visibility("default")]] interlace::PluginLibraryInfo llvmGetPassPluginInfo() {
  if (g_get_info != nullptr) {
    return g_get_info();
  }
  return {0, "InterlacePass", "unavailable", nullptr};
}
