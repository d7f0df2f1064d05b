// Where a program run by `interlace run` becomes the server of its executions.
//
// Programs built for interlace link this file (libinterlace_program.a), which defines
// __libc_start_main, the function the program's startup code calls to run main: without
// INTERLACE_RUN it hands over to glibc's untouched, so a program started any other way runs as
// usual; with it, glibc runs the program's constructors and then, instead of main, serve() below.
// That process is the server: it never runs main on its own account; each execution runs main
// from the image the program had on entering main (program_execution.hpp).
// Interposing here, rather than at a constructor, is what hands us main's address and arguments
// without any help from the program's build.
#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "file_text.hpp"
#include "program_explorer.hpp"
#include "run_config.hpp"

extern char **environ; // NOLINT(readability-redundant-declaration): unistd.h declares it only
                       // with _GNU_SOURCE

namespace interlace::run {
namespace {

using StartMain = int (*)(MainFunction, int, char **, void (*)(), void (*)(), void (*)(), void *);

MainFunction g_main = nullptr;

} // namespace

// `interlace run` looks for this text in a program before it starts it: the program was linked
// with a runner that speaks its protocol (run_config.hpp).
extern "C" __attribute__((used, visibility("default"))) const char interlace_run_marker[] =
    "interlace-run-protocol-2";
static_assert(kRunProtocol == 2, "update interlace_run_marker with the protocol");

namespace {

// Takes the run's variables out of the environment, so that what main (and any program it
// starts) sees is what the user ran interlace with.
std::string take_options() {
  const char *options = std::getenv(kOptionsVariable);
  std::string text = options != nullptr ? options : "";
  unsetenv(kOptionsVariable);
  unsetenv(kProtocolVariable);
  if (const char *tunables = std::getenv(kTunablesVariable); tunables != nullptr) {
    std::string user = tunables;
    if (const std::size_t ours = user.rfind(kStackCacheTunable); ours != std::string::npos) {
      user.erase(ours == 0 ? 0 : ours - 1); // and the ':' before it
    }
    if (user.empty()) {
      unsetenv(kTunablesVariable);
    } else {
      setenv(kTunablesVariable, user.c_str(), 1);
    }
  }
  return text;
}

int serve(int argc, char **argv, char **envp) {
  (void)envp; // environ, edited by take_options, is what main gets
  // Every execution starts its threads afresh, and glibc gives each new thread that allocates
  // an arena of its own (a 64 MiB mapping, then trimmed): one arena spares each execution that.
  mallopt(M_ARENA_MAX, 1);
  const char *protocol = std::getenv(kProtocolVariable);
  const std::string expected = std::to_string(kRunProtocol);
  const bool same_protocol = protocol != nullptr && expected == protocol;
  ProgramReport report;
  RunConfig config;
  try {
    config = decode_config(take_options());
  } catch (const std::invalid_argument &error) {
    report.verdict = ProgramReport::Verdict::UsageError;
    report.message =
        std::string("interlace run: bad options from the interlace command: ") + error.what();
  }
  if (!same_protocol) {
    report.verdict = ProgramReport::Verdict::UsageError;
    report.message = "this program was linked with the runner of another interlace version; "
                     "rebuild it with this interlace's interlace-cc or interlace-c++";
  } else if (report.message.empty()) {
    report = explore_program(ProgramEntry{g_main, argc, argv, environ}, config);
  }
  const std::string text = format_report(report);
  if (config.result_fd >= 0) {
    write_all(config.result_fd, text);
  } else {
    write_all(STDERR_FILENO,
              report.explanation.empty() ? report.message + "\n" : report.explanation);
  }
  std::fflush(nullptr);
  // The program's exit handlers and static destructors are not for the server to run.
  _exit(report.verdict == ProgramReport::Verdict::Holds     ? 0
        : report.verdict == ProgramReport::Verdict::Failure ? 1
                                                            : 2);
}

} // namespace
} // namespace interlace::run

extern "C" __attribute__((visibility("default"))) int
__libc_start_main(interlace::run::MainFunction main, int argc, char **argv, void (*init)(),
                  void (*fini)(), void (*rtld_fini)(), void *stack_end) {
  using interlace::run::StartMain;
  static auto real = reinterpret_cast<StartMain>(dlsym(RTLD_NEXT, "__libc_start_main"));
  if (real == nullptr) {
    std::fprintf(stderr, "interlace run: cannot find glibc's __libc_start_main: %s\n", dlerror());
    std::_Exit(2);
  }
  if (std::getenv(interlace::run::kProtocolVariable) == nullptr) {
    return real(main, argc, argv, init, fini, rtld_fini, stack_end);
  }
  interlace::run::g_main = main;
  return real(&interlace::run::serve, argc, argv, init, fini, rtld_fini, stack_end);
}
