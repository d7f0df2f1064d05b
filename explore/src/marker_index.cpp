#include "marker_index.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>
#include <vector>

namespace interlace::detail {
namespace {

// The pass's marker comment syntax (pass/MarkerPass.cpp), and the macro.
void scan(const std::string &path, std::set<std::string> &names) {
  static const std::regex marker(
      R"((?://|/\*)[[:space:]]*interlace:[[:space:]]*([A-Za-z_][A-Za-z0-9_]*))"
      R"(|INTERLACE_MARKER\([[:space:]]*([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*\))");
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (std::sregex_iterator it(text.begin(), text.end(), marker), end; it != end; ++it) {
    names.insert((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
  }
}

std::size_t edit_distance(const std::string &a, const std::string &b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

} // namespace

KnownMarkers known_markers(std::span<const rt::StepRecord> trace) {
  KnownMarkers known;
  std::set<std::string> paths;
  for (const rt::StepRecord &step : trace) {
    if (step.event.kind == rt::EventKind::Marker && step.event.addr != nullptr) {
      known.names.insert(static_cast<const char *>(step.event.addr));
    }
    const interlace_site *site = step.event.site;
    if (site != nullptr && site->file != nullptr && site->file[0] == '/') {
      paths.insert(site->file);
    }
  }
  for (const std::string &path : paths) {
    scan(path, known.names);
    known.files.insert(path.substr(path.rfind('/') + 1));
  }
  return known;
}

std::string closest_marker(const std::string &name, const std::set<std::string> &names) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (const std::string &candidate : names) {
    const std::size_t distance = edit_distance(name, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

} // namespace interlace::detail
