#include "report.hpp"

#include <algorithm>
#include <cstdlib>

namespace interlace::run {

std::string format_report(const ProgramReport &report) {
  std::string text;
  const auto line = [&text](const char *key, const std::string &value) {
    std::string flat = value;
    std::ranges::replace(flat, '\n', ' ');
    text += std::string(key) + " " + flat + "\n";
  };
  line("verdict", report.verdict == ProgramReport::Verdict::Holds     ? "holds"
                  : report.verdict == ProgramReport::Verdict::Failure ? "failure"
                                                                      : "usage");
  line("kind", report.kind);
  line("message", report.message);
  line("seed", std::to_string(report.seed));
  line("shard", report.shard);
  line("search", report.search);
  line("executions", std::to_string(report.executions));
  line("distinct", std::to_string(report.distinct));
  line("preemptions", std::to_string(report.preemptions));
  line("threads", std::to_string(report.threads));
  line("exhaustive", report.exhaustive ? "1" : "0");
  line("token", report.token);
  line("schedule", report.schedule);
  text += "explanation\n" + report.explanation;
  return text;
}

ProgramReport parse_report(const std::string &text) {
  ProgramReport report;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end == std::string::npos ? end : end - at);
    at = end == std::string::npos ? text.size() : end + 1;
    if (line == "explanation") {
      report.explanation = text.substr(at);
      break;
    }
    const std::size_t space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    const auto number = [&value] { return std::strtoll(value.c_str(), nullptr, 10); };
    if (key == "verdict") {
      report.verdict = value == "holds"     ? ProgramReport::Verdict::Holds
                       : value == "failure" ? ProgramReport::Verdict::Failure
                                            : ProgramReport::Verdict::UsageError;
    } else if (key == "kind") {
      report.kind = value;
    } else if (key == "message") {
      report.message = value;
    } else if (key == "seed") {
      report.seed = std::strtoull(value.c_str(), nullptr, 10);
    } else if (key == "shard") {
      report.shard = value;
    } else if (key == "search") {
      report.search = value;
    } else if (key == "executions") {
      report.executions = static_cast<int>(number());
    } else if (key == "distinct") {
      report.distinct = static_cast<int>(number());
    } else if (key == "preemptions") {
      report.preemptions = static_cast<int>(number());
    } else if (key == "threads") {
      report.threads = static_cast<int>(number());
    } else if (key == "exhaustive") {
      report.exhaustive = value == "1";
    } else if (key == "token") {
      report.token = value;
    } else if (key == "schedule") {
      report.schedule = value;
    }
  }
  return report;
}

} // namespace interlace::run
