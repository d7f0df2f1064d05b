#include "command_line.hpp"

#include <fstream>
#include <iterator>
#include <vector>

#include "interlace/gtest.hpp"
#include "quoting.hpp"

namespace interlace::detail {
namespace {

TestNameProvider g_test_name_provider = nullptr;

std::vector<std::string> own_arguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  std::string current;
  for (char c : raw) {
    if (c == '\0') {
      args.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  return args;
}

} // namespace

void set_test_name_provider(TestNameProvider provider) { g_test_name_provider = provider; }

std::string current_test_name() {
  return g_test_name_provider != nullptr ? g_test_name_provider() : std::string();
}

std::string rerun_command() {
  const std::string test = current_test_name();
  std::string command;
  for (const std::string &arg : own_arguments()) {
    if (!test.empty() && arg.starts_with("--gtest_filter=")) {
      continue; // replaced by the exact test below
    }
    if (!command.empty()) {
      command += ' ';
    }
    command += shell_quote(arg);
  }
  if (!test.empty()) {
    command += " --gtest_filter=" + shell_quote(test);
  }
  return command;
}

} // namespace interlace::detail
