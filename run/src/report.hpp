// What a server tells `interlace run` when it is done: the verdict, the failure's kind, the
// counts, the token and the explanation, as lines of "key value" and then the explanation.
#pragma once

#include <cstdint>
#include <string>

namespace interlace::run {

// The result of a run, as the server hands it to `interlace run`.
struct ProgramReport {
  enum class Verdict { Holds, Failure, UsageError } verdict = Verdict::Holds;
  std::string kind;       // the failure's kind: assertion, abort, sanitizer, signal, deadlock, ...
  std::string message;    // one line
  std::uint64_t seed = 0; // the run's --seed (each shard searches with one derived from it)
  std::string shard;      // "I/N"
  std::string search;
  int executions = 0;
  int distinct = 0;
  int preemptions = 0;
  int threads = 0;
  bool exhaustive = false;
  std::string token;
  std::string schedule; // its runs, thread.count joined by '_'
  std::string explanation;
};

// The report in the text form `interlace run` reads, and back.
std::string format_report(const ProgramReport &report);
ProgramReport parse_report(const std::string &text);

} // namespace interlace::run
