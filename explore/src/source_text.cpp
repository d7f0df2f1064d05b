#include "source_text.hpp"

#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <vector>

namespace interlace::detail {
namespace {

std::string trim(const std::string &text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) {
    return std::string();
  }
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

const std::vector<std::string> &file_lines(const std::string &path) {
  static std::mutex mutex;
  static std::map<std::string, std::vector<std::string>> cache;
  std::lock_guard<std::mutex> guard(mutex);
  auto [it, inserted] = cache.try_emplace(path);
  if (inserted) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      it->second.push_back(trim(line));
    }
  }
  return it->second;
}

} // namespace

std::string source_line(const interlace_site &site) {
  if (site.line == 0 || site.file == nullptr || site.file[0] != '/') {
    return std::string();
  }
  const std::vector<std::string> &lines = file_lines(site.file);
  return site.line <= lines.size() ? lines[site.line - 1] : std::string();
}

std::string compact_function_name(const std::string &name) {
  constexpr std::size_t kMaxWidth = 40;
  if (name.size() <= kMaxWidth) {
    return name;
  }
  // Template arguments and parameter lists are what make a name long; drop them.
  std::string compact;
  int depth = 0;
  for (const char c : name) {
    if (c == '<' || c == '(') {
      if (depth++ == 0) {
        compact += c == '<' ? "<>" : "()";
      }
    } else if (c == '>' || c == ')') {
      depth = depth > 0 ? depth - 1 : 0;
    } else if (depth == 0) {
      compact += c;
    }
  }
  if (compact.size() <= kMaxWidth) {
    return compact;
  }
  // Its innermost names that fit, cut at a "::".
  for (std::size_t at = compact.find("::"); at != std::string::npos;
       at = compact.find("::", at + 2)) {
    if (compact.size() - (at + 2) <= kMaxWidth - 3) {
      return "..." + compact.substr(at + 2);
    }
  }
  return "..." + compact.substr(compact.size() - (kMaxWidth - 3));
}

std::string short_location(const interlace_site &site) {
  if (site.line == 0) {
    return site.function != nullptr && site.function[0] != '\0'
               ? compact_function_name(site.function)
               : std::string("?");
  }
  const char *file = std::strrchr(site.file, '/');
  return std::string(file != nullptr ? file + 1 : site.file) + ":" + std::to_string(site.line);
}

} // namespace interlace::detail
