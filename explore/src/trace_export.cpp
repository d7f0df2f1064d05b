#include "trace_export.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "quoting.hpp"
#include "source_text.hpp"

namespace interlace::detail {
namespace {

std::string xml_text(const std::string &text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string location(const TraceLine &line) {
  return line.site != nullptr ? short_location(*line.site) : std::string("runtime");
}

std::string label(const TraceLine &line) {
  if (!line.event.empty()) {
    return line.event;
  }
  return line.site != nullptr ? source_line(*line.site) : std::string();
}

std::string accesses(const TraceLine &line) {
  std::string text;
  for (const TraceAccess &access : line.accesses) {
    const std::string item =
        std::string(rt::to_string(access.kind)) + " " + std::to_string(access.size);
    if (text.find(item) == std::string::npos) {
      text += (text.empty() ? "" : ", ") + item;
    }
  }
  return text;
}

std::string objects(const TraceLine &line) {
  std::string text;
  for (const TraceAccess &access : line.accesses) {
    if (text.find(access.object) == std::string::npos) {
      text += (text.empty() ? "" : ", ") + access.object;
    }
  }
  return text;
}

constexpr int kSlot = 10; // microseconds per trace line on the time axis

} // namespace

std::string chrome_trace_json(const TraceModel &model, int threads, const std::string &title) {
  std::string out = R"({"displayTimeUnit":"ns","otherData":{"title":)" + json_string(title) +
                    "},\"traceEvents\":[\n";
  out += R"({"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":)" +
         json_string("interlace counterexample") + "}}";
  for (int thread = 0; thread < threads; ++thread) {
    out += ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":" + std::to_string(thread) +
           R"(,"args":{"name":)" + json_string("thread " + std::to_string(thread)) + "}}";
  }
  for (const TraceLine &line : model.lines) {
    out += ",\n{\"name\":" + json_string(location(line) + " " + label(line)) +
           R"(,"cat":"step","ph":"X","pid":1,"tid":)" + std::to_string(line.thread) +
           ",\"ts\":" + std::to_string((line.number - 1) * kSlot) +
           ",\"dur\":" + std::to_string(kSlot) + R"(,"args":{"line":)" +
           std::to_string(line.number) + ",\"location\":" + json_string(location(line)) +
           ",\"source\":" + json_string(label(line)) +
           ",\"access\":" + json_string(accesses(line)) +
           ",\"object\":" + json_string(objects(line)) + "}}";
  }
  for (std::size_t id = 0; id < model.conflicts.size(); ++id) {
    const Conflict &conflict = model.conflicts[id];
    const TraceLine &from = model.lines[conflict.from_line];
    const TraceLine &to = model.lines[conflict.to_line];
    const std::string common =
        R"("name":"conflict","cat":"conflict","id":)" + std::to_string(id + 1) + ",\"pid\":1,";
    out += ",\n{" + common + R"("ph":"s","tid":)" + std::to_string(from.thread) +
           ",\"ts\":" + std::to_string((from.number - 1) * kSlot + kSlot / 2) +
           R"(,"args":{"object":)" + json_string(conflict.object) + "}}";
    out += ",\n{" + common + R"("ph":"f","bp":"e","tid":)" + std::to_string(to.thread) +
           ",\"ts\":" + std::to_string((to.number - 1) * kSlot + kSlot / 2) + "}";
  }
  return out + "\n]}\n";
}

std::string swimlane_svg(const TraceModel &model, int threads, const std::string &title) {
  constexpr int kMargin = 16;
  constexpr int kNumberWidth = 36;
  constexpr int kColumn = 360;
  constexpr int kRow = 40;
  constexpr int kHeader = 64;
  const int width = kMargin * 2 + kNumberWidth + kColumn * threads;
  const int height = kHeader + kRow * static_cast<int>(model.lines.size()) + kMargin;
  const auto column_x = [&](int thread) { return kMargin + kNumberWidth + kColumn * thread; };
  const auto row_y = [&](std::size_t line) { return kHeader + kRow * static_cast<int>(line); };

  std::string out = R"(<svg xmlns="http://www.w3.org/2000/svg" width=")" + std::to_string(width) +
                    "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                    std::to_string(width) + " " + std::to_string(height) +
                    "\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" "
                    "font-size=\"12\">\n";
  out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
         "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">"
         "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#c62828\"/></marker></defs>\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  out += "<text x=\"" + std::to_string(kMargin) +
         "\" y=\"22\" font-size=\"14\" "
         "font-weight=\"bold\">" +
         xml_text(title) + "</text>\n";
  for (int thread = 0; thread < threads; ++thread) {
    const int x = column_x(thread);
    out += "<rect x=\"" + std::to_string(x + 4) + "\" y=\"" + std::to_string(kHeader - 24) +
           "\" width=\"" + std::to_string(kColumn - 8) + "\" height=\"" +
           std::to_string(height - kHeader + 16) + "\" fill=\"#f4f6f8\" rx=\"6\"/>\n";
    out += "<text x=\"" + std::to_string(x + kColumn / 2) + "\" y=\"" +
           std::to_string(kHeader - 8) + R"(" text-anchor="middle" font-weight="bold">thread )" +
           std::to_string(thread) + "</text>\n";
  }
  for (std::size_t index = 0; index < model.lines.size(); ++index) {
    const TraceLine &line = model.lines[index];
    const int x = column_x(line.thread) + 10;
    const int y = row_y(index);
    out += "<text x=\"" + std::to_string(kMargin) + "\" y=\"" + std::to_string(y + 22) +
           R"(" fill="#777">)" + std::to_string(line.number) + "</text>\n";
    out += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y + 4) + "\" width=\"" +
           std::to_string(kColumn - 20) + "\" height=\"" + std::to_string(kRow - 8) +
           "\" fill=\"#ffffff\" stroke=\"#90a4ae\" rx=\"4\"/>\n";
    std::string text = location(line) + "  " + label(line);
    if (text.size() > 46) {
      text = text.substr(0, 43) + "...";
    }
    out += "<text x=\"" + std::to_string(x + 6) + "\" y=\"" + std::to_string(y + 18) + "\">" +
           xml_text(text) + "</text>\n";
    std::string detail = accesses(line);
    if (!line.accesses.empty()) {
      detail += "  " + objects(line);
    }
    if (detail.size() > 50) {
      detail = detail.substr(0, 47) + "...";
    }
    out += "<text x=\"" + std::to_string(x + 6) + "\" y=\"" + std::to_string(y + 31) +
           R"(" font-size="10" fill="#546e7a">)" + xml_text(detail) + "</text>\n";
  }
  for (const Conflict &conflict : model.conflicts) {
    const TraceLine &from = model.lines[conflict.from_line];
    const TraceLine &to = model.lines[conflict.to_line];
    // From the side of one box to the facing side of the other, at mid-height, so that the
    // arrow runs through the gap between the columns rather than across other boxes.
    const bool rightwards = from.thread < to.thread;
    const int box_left = 10;
    const int box_right = kColumn - 10;
    const int x1 = column_x(from.thread) + (rightwards ? box_right : box_left);
    const int x2 = column_x(to.thread) + (rightwards ? box_left : box_right);
    const int y1 = row_y(conflict.from_line) + kRow / 2;
    const int y2 = row_y(conflict.to_line) + kRow / 2;
    out += "<line x1=\"" + std::to_string(x1) + "\" y1=\"" + std::to_string(y1) + "\" x2=\"" +
           std::to_string(x2) + "\" y2=\"" + std::to_string(y2) +
           "\" stroke=\"#c62828\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"><title>" +
           xml_text(conflict.object) + "</title></line>\n";
  }
  return out + "</svg>\n";
}

std::string write_trace_file(const std::string &path, const TraceModel &model, int threads,
                             const std::string &title) {
  const bool svg = path.size() >= 4 && path.compare(path.size() - 4, 4, ".svg") == 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return "cannot write INTERLACE_TRACE_OUT=" + path + ": " + std::strerror(errno);
  }
  out << (svg ? swimlane_svg(model, threads, title) : chrome_trace_json(model, threads, title));
  return out ? std::string() : "cannot write INTERLACE_TRACE_OUT=" + path;
}

} // namespace interlace::detail
