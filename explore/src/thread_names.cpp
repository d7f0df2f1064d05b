#include "thread_names.hpp"

#include <regex>

namespace interlace::detail {

std::string thread_label(int thread, std::span<const std::string> names) {
  return thread >= 0 && static_cast<std::size_t>(thread) < names.size()
             ? names[static_cast<std::size_t>(thread)]
             : "thread " + std::to_string(thread);
}

std::string with_thread_names(const std::string &text, std::span<const std::string> names) {
  if (names.empty()) {
    return text;
  }
  static const std::regex thread_id("thread ([0-9]+)");
  std::string result;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), thread_id), end; it != end; ++it) {
    result.append(last, text.cbegin() + it->position());
    result += thread_label(std::stoi((*it)[1].str()), names);
    last = text.cbegin() + it->position() + it->length();
  }
  result.append(last, text.cend());
  return result;
}

} // namespace interlace::detail
