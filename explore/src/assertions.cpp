#include "assertions.hpp"

#include <string>

#include "interlace/rt/executor.hpp"

namespace interlace::detail {
namespace {

AssertionCaptureFactory g_factory = nullptr;

} // namespace

void set_assertion_capture_factory(AssertionCaptureFactory factory) { g_factory = factory; }

std::unique_ptr<AssertionCapture> capture_assertions() {
  return g_factory != nullptr ? g_factory() : nullptr;
}

// The explorer's bodies are the executor's, in order. (A thread-local would not do: bodies that
// run as fibers share one OS thread.)
int current_exploration_thread() noexcept { return rt::current_body(); }

void AssertionCapture::add(const char *framework, const char *file, int line, const char *message) {
  std::string where = file != nullptr ? file : "an unknown place";
  if (const auto slash = where.rfind('/'); slash != std::string::npos) {
    where.erase(0, slash + 1);
  }
  if (file != nullptr && line >= 0) {
    where += ":" + std::to_string(line);
  }
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  failures_.push_back({current_exploration_thread(), std::string("failed a ") + framework +
                                                         " assertion at " + where + ": " + text});
}

} // namespace interlace::detail
