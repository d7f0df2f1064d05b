#include "searches/search_names.hpp"

#include <array>
#include <utility>

#include "interlace/errors.hpp"

namespace interlace {
namespace {

constexpr std::array<std::pair<Search, const char *>, 6> kNames = {{
    {Search::automatic, "automatic"},
    {Search::random, "random"},
    {Search::pct, "pct"},
    {Search::pos, "pos"},
    {Search::surw, "surw"},
    {Search::dpor, "dpor"},
}};

} // namespace

const char *to_string(Search search) {
  for (const auto &[value, name] : kNames) {
    if (value == search) {
      return name;
    }
  }
  return "?";
}

namespace detail {

Search parse_search(std::string_view text, std::string_view where) {
  for (const auto &[value, name] : kNames) {
    if (text == name) {
      return value;
    }
  }
  std::string known;
  for (const auto &[value, name] : kNames) {
    known += known.empty() ? "" : ", ";
    known += name;
  }
  throw UsageError(std::string(where) + "='" + std::string(text) +
                   "' names no search; use one of " + known);
}

} // namespace detail
} // namespace interlace
