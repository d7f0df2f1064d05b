// Every function the runtime intercepts is the runtime's for the program: the table in
// rt/src/intercepted.def generates each interposer, and the hand-written ones stand beside it.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <string>

#include "interlace/rt/executor.hpp"

namespace {

struct Intercepted {
  const char *family;
  const char *name;
};

constexpr Intercepted kTable[] = {
#define INTERLACE_FUNCTION(family, ret, name, params, args) {#family, #name},
#define INTERLACE_FUNCTION_VERSIONED(family, ret, name, version, params, args) {#family, #name},
#include "intercepted.def"
#undef INTERLACE_FUNCTION_VERSIONED
#undef INTERLACE_FUNCTION
    {"futex", "syscall"},         {"threads", "pthread_exit"}, {"process", "abort"},
    {"process", "__assert_fail"}, {"process", "exit"},         {"process", "_exit"},
    {"process", "_Exit"},         {"process", "quick_exit"},
};

std::string library_of(void *symbol) {
  Dl_info info{};
  return symbol != nullptr && dladdr(symbol, &info) != 0 && info.dli_fname != nullptr
             ? info.dli_fname
             : "";
}

// The runtime library itself, found through one of its own functions.
void *runtime_library() {
  return dlopen(library_of(reinterpret_cast<void *>(&interlace::rt::pooled_worker_count)).c_str(),
                RTLD_LAZY | RTLD_NOLOAD);
}

TEST(InterpositionTest, TheRuntimeDefinesEveryInterceptedFunction) {
  void *runtime = runtime_library();
  ASSERT_NE(runtime, nullptr);
  for (const Intercepted &function : kTable) {
    EXPECT_NE(library_of(dlsym(runtime, function.name)).find("libinterlace_rt"), std::string::npos)
        << function.family << ": " << function.name;
  }
  dlclose(runtime);
}

// In a sanitized build the sanitizer's interceptors come first and call ours in turn.
#if !defined(__SANITIZE_ADDRESS__) && !__has_feature(address_sanitizer)
TEST(InterpositionTest, EveryInterceptedFunctionResolvesToTheRuntime) {
  for (const Intercepted &function : kTable) {
    EXPECT_NE(library_of(dlsym(RTLD_DEFAULT, function.name)).find("libinterlace_rt"),
              std::string::npos)
        << function.family << ": " << function.name;
  }
}
#endif

TEST(InterpositionTest, TheTableCoversEveryFamily) {
  for (const char *family : {"threads", "mutex", "condvar", "rwlock", "semaphore", "spinlock",
                             "barrier", "once", "time"}) {
    int count = 0;
    for (const Intercepted &function : kTable) {
      count += std::string(function.family) == family ? 1 : 0;
    }
    EXPECT_GT(count, 0) << family;
  }
}

} // namespace
