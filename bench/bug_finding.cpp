// The bug-finding benchmark (issue 13): runs every program of bench/bugs with every search
// over a number of seeds and prints, per program and search, the median schedules and time to
// the first failure and how many seeds found it, as a Markdown table. `make bench` runs it
// after the figures; bench/README.md says how to read and run it.
//
//   bench_bugs                                  # every program, every search, 20 seeds
//   bench_bugs --programs reorder_5,dining_5 --searches pct,pos --seeds 5 --attempts 2000
//   bench_bugs --quick                          # a smoke run: 3 seeds, 1000 schedules
//   bench_bugs --fixed                          # the fixed variants must not fail
//   bench_bugs --list                           # the programs and what each needs to fail
#include "bugs/programs.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using bugbench::BugProgram;
using bugbench::Failure;
using interlace::Search;
using Clock = std::chrono::steady_clock;

constexpr Search kAllSearches[] = {Search::automatic, Search::random, Search::pct,
                                   Search::pos,       Search::surw,   Search::dpor};
constexpr Search kDefaultSearches[] = {Search::automatic, Search::random, Search::pct, Search::pos,
                                       Search::surw};

struct Flags {
  std::vector<std::string> programs; // empty: all
  std::vector<Search> searches{std::begin(kDefaultSearches), std::end(kDefaultSearches)};
  std::optional<int> seeds;
  std::optional<int> attempts;
  bool quick = false;
  bool fixed = false;
  bool list = false;
  bool explain = false;  // print the explanation of every failure found
  bool per_seed = false; // print every seed's result
};

[[noreturn]] void usage_error(const std::string &message) {
  std::fprintf(
      stderr,
      "bench_bugs: %s\n"
      "usage: bench_bugs [--programs a,b] [--searches automatic,random,pct,pos,surw]\n"
      "                  [--seeds N] [--attempts N] [--quick] [--fixed] [--list] [--explain]\n",
      message.c_str());
  std::exit(2);
}

std::vector<std::string> split(const std::string &text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');) {
    if (!part.empty()) {
      parts.push_back(part);
    }
  }
  return parts;
}

int positive(const std::string &flag, const std::string &text) {
  const std::string message = flag + " needs a positive number, got '" + text + "'";
  std::size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception &) {
    usage_error(message);
  }
  if (used != text.size() || value <= 0) {
    usage_error(message);
  }
  return value;
}

Search search_named(const std::string &name) {
  for (const Search search : kAllSearches) {
    if (name == interlace::to_string(search)) {
      return search;
    }
  }
  usage_error("unknown search '" + name + "'");
}

Flags parse_flags(int argc, char **argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    std::optional<std::string> value;
    if (const std::size_t equals = flag.find('='); equals != std::string::npos) {
      value = flag.substr(equals + 1);
      flag.resize(equals);
    }
    auto argument = [&]() -> std::string {
      if (value) {
        return *value;
      }
      if (i + 1 >= argc) {
        usage_error(flag + " needs a value");
      }
      return argv[++i];
    };
    if (flag == "--programs") {
      flags.programs = split(argument());
    } else if (flag == "--searches") {
      flags.searches.clear();
      for (const std::string &name : split(argument())) {
        flags.searches.push_back(search_named(name));
      }
    } else if (flag == "--seeds") {
      flags.seeds = positive(flag, argument());
    } else if (flag == "--attempts") {
      flags.attempts = positive(flag, argument());
    } else if (flag == "--quick") {
      flags.quick = true;
    } else if (flag == "--fixed") {
      flags.fixed = true;
    } else if (flag == "--list") {
      flags.list = true;
    } else if (flag == "--explain") {
      flags.explain = true;
    } else if (flag == "--per-seed") {
      flags.per_seed = true;
    } else if (flag == "--help" || flag == "-h") {
      usage_error("runs the bug-finding benchmark (bench/README.md)");
    } else {
      usage_error("unknown flag '" + flag + "'");
    }
  }
  if (flags.searches.empty()) {
    usage_error("--searches names no search");
  }
  return flags;
}

// The environment overrides every exploration's seed, attempts or search: the table would
// measure something other than what it says.
void refuse_overriding_environment() {
  for (const char *name :
       {"INTERLACE_SEED", "INTERLACE_MAX_ATTEMPTS", "INTERLACE_SEARCH", "INTERLACE_REPLAY"}) {
    if (std::getenv(name) != nullptr) {
      std::fprintf(stderr,
                   "bench_bugs: %s is set; it would override the benchmark's own "
                   "choice in every exploration. Unset it.\n",
                   name);
      std::exit(2);
    }
  }
}

std::vector<const BugProgram *> select_programs(const std::vector<BugProgram> &all,
                                                const std::vector<std::string> &names) {
  std::vector<const BugProgram *> selected;
  if (names.empty()) {
    for (const BugProgram &program : all) {
      selected.push_back(&program);
    }
    return selected;
  }
  for (const std::string &name : names) {
    const auto found =
        std::ranges::find_if(all, [&](const BugProgram &p) { return name == p.name; });
    if (found == all.end()) {
      usage_error("unknown program '" + name + "' (bench_bugs --list names them)");
    }
    selected.push_back(&*found);
  }
  return selected;
}

// The failure the explanation's first line names ("Race found after ...", "Deadlock after").
std::optional<Failure> failure_named(const std::string &explanation) {
  auto starts = [&](std::string_view prefix) { return explanation.starts_with(prefix); };
  if (starts("Race found")) {
    return Failure::invariant;
  }
  if (starts("Exception")) {
    return Failure::exception;
  }
  if (starts("Deadlock")) {
    return Failure::deadlock;
  }
  return std::nullopt;
}

std::string first_lines(const std::string &text, int lines) {
  std::size_t end = 0;
  for (int i = 0; i < lines && end != std::string::npos; ++i) {
    end = text.find('\n', end == 0 ? 0 : end + 1);
  }
  return end == std::string::npos ? text : text.substr(0, end + 1);
}

struct SeedRun {
  bool found = false;
  int explored = 0;
  double ms = 0;
};

// One program under one search, over every seed.
struct Cell {
  std::vector<SeedRun> runs;
  double seconds = 0; // wall time of all its seeds

  int found() const {
    return static_cast<int>(std::ranges::count_if(runs, [](const SeedRun &r) { return r.found; }));
  }
  template <class Field> std::optional<double> median(Field field) const {
    std::vector<double> values;
    for (const SeedRun &run : runs) {
      if (run.found) {
        values.push_back(field(run));
      }
    }
    if (values.empty()) {
      return std::nullopt;
    }
    std::ranges::sort(values);
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  }
  std::optional<double> median_schedules() const {
    return median([](const SeedRun &r) { return static_cast<double>(r.explored); });
  }
  std::optional<double> median_ms() const {
    return median([](const SeedRun &r) { return r.ms; });
  }
};

// Counts kept across the whole run: anything here makes the exit status 1.
struct Problems {
  int wrong_failures = 0; // a program failed, but not the way its bug fails
  int timeouts = 0;       // an exploration stopped at its timeout
  int harness_errors = 0; // an exploration threw
};

interlace::ExploreOptions options_for(Search search, int seed, int attempts) {
  interlace::ExploreOptions options;
  options.max_attempts = attempts;
  options.seed = static_cast<std::uint64_t>(seed);
  options.reproduce_on_failure = 0;
  options.shrink = false;
  options.timeout = std::chrono::minutes(10);
  options.search = search;
  return options;
}

Cell measure(const BugProgram &program, Search search, int seeds, int attempts, bool explain,
             bool per_seed, Problems &problems) {
  Cell cell;
  const auto start = Clock::now();
  for (int seed = 1; seed <= seeds; ++seed) {
    SeedRun run;
    const auto begin = Clock::now();
    try {
      const bugbench::InterleavingResultSummary result =
          program.run(options_for(search, seed, attempts));
      run.ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
      run.explored = result.num_explored;
      if (result.found && explain) {
        std::fprintf(stderr, "%s (%s, seed %d):\n%s\n", program.name, interlace::to_string(search),
                     seed, result.explanation.c_str());
      }
      if (result.found && failure_named(result.explanation) == program.failure) {
        run.found = true;
      } else if (result.found) {
        ++problems.wrong_failures;
        std::fprintf(stderr, "bench_bugs: %s (%s, seed %d) failed, but not as a %s failure:\n%s",
                     program.name, interlace::to_string(search), seed,
                     bugbench::to_string(program.failure),
                     first_lines(result.explanation, 3).c_str());
      } else if (result.explanation.find("stopped at its timeout") != std::string::npos) {
        ++problems.timeouts;
        std::fprintf(stderr, "bench_bugs: %s (%s, seed %d) stopped at its timeout\n", program.name,
                     interlace::to_string(search), seed);
      }
    } catch (const std::exception &error) {
      ++problems.harness_errors;
      std::fprintf(stderr, "bench_bugs: %s (%s, seed %d) threw: %s\n", program.name,
                   interlace::to_string(search), seed, error.what());
    }
    if (per_seed) {
      std::fprintf(stderr, "seed-run %s %s %d %s %d\n", program.name, interlace::to_string(search),
                   seed, run.found ? "found" : "missed", run.explored);
    }
    cell.runs.push_back(run);
  }
  cell.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return cell;
}

std::string number(std::optional<double> value, int decimals) {
  if (!value) {
    return "-";
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, *value);
  return text;
}

void print_list(const std::vector<const BugProgram *> &programs) {
  std::printf("| program | shape | fails by | needs |\n|---|---|---|---|\n");
  for (const BugProgram *program : programs) {
    std::printf("| %s | %s | %s | %s |\n", program->name, program->shape,
                bugbench::to_string(program->failure), program->needs);
  }
}

// Runs each program's fixed variant: it must hold on every schedule.
int check_fixed(const std::vector<const BugProgram *> &programs,
                const std::vector<Search> &searches, int seeds, int attempts) {
  int failures = 0;
  for (const BugProgram *program : programs) {
    for (const Search search : searches) {
      for (int seed = 1; seed <= seeds; ++seed) {
        const bugbench::InterleavingResultSummary result =
            program->fixed(options_for(search, seed, attempts));
        const bool ok = !result.found && result.num_explored == attempts;
        std::printf("%-16s %-9s seed %-3d %s\n", program->name, interlace::to_string(search), seed,
                    ok ? "holds" : "FAILS");
        if (!ok) {
          ++failures;
          std::printf("%s", first_lines(result.explanation, 4).c_str());
        }
      }
    }
  }
  std::printf("%d fixed program%s checked with %d schedule%s per seed: %d failed\n",
              static_cast<int>(programs.size()), programs.size() == 1 ? "" : "s", attempts,
              attempts == 1 ? "" : "s", failures);
  return failures == 0 ? 0 : 1;
}

void print_table(const std::vector<const BugProgram *> &programs,
                 const std::vector<Search> &searches,
                 const std::map<std::pair<const BugProgram *, Search>, Cell> &cells, int seeds,
                 int attempts) {
  std::printf("## Bug-finding benchmark: %d seed%s, up to %d schedules each\n\n", seeds,
              seeds == 1 ? "" : "s", attempts);
  std::printf("Per search: the median schedules to the first failure and the median time to it "
              "(ms) over the seeds that found it, and how many seeds found it.\n\n");
  std::printf("| program |");
  for (const Search search : searches) {
    std::printf(" %s sched | ms | found |", interlace::to_string(search));
  }
  std::printf("\n|---|");
  for (std::size_t i = 0; i < searches.size(); ++i) {
    std::printf("--:|--:|--:|");
  }
  std::printf("\n");
  for (const BugProgram *program : programs) {
    std::printf("| %s |", program->name);
    for (const Search search : searches) {
      const Cell &cell = cells.at({program, search});
      std::printf(" %s | %s | %d/%d |", number(cell.median_schedules(), 0).c_str(),
                  number(cell.median_ms(), 1).c_str(), cell.found(), seeds);
    }
    std::printf("\n");
  }
  std::printf("\n");
  for (const Search search : searches) {
    int programs_found = 0;
    int seed_runs_found = 0;
    double seconds = 0;
    for (const BugProgram *program : programs) {
      const Cell &cell = cells.at({program, search});
      programs_found += cell.found() > 0 ? 1 : 0;
      seed_runs_found += cell.found();
      seconds += cell.seconds;
    }
    std::printf("- %s: found %d of %d programs (by at least one seed), %d of %d seed runs, in "
                "%.1f s\n",
                interlace::to_string(search), programs_found, static_cast<int>(programs.size()),
                seed_runs_found, static_cast<int>(programs.size()) * seeds, seconds);
  }
}

// The target for the default search: it finds every bug any single search finds,
// with a median schedules-to-bug within 2 times the best single search's.
void print_automatic_check(const std::vector<const BugProgram *> &programs,
                           const std::vector<Search> &searches,
                           const std::map<std::pair<const BugProgram *, Search>, Cell> &cells) {
  const bool has_automatic = std::ranges::find(searches, Search::automatic) != searches.end();
  if (!has_automatic || searches.size() < 2) {
    return;
  }
  std::printf("\n### automatic against the best single search\n\n");
  std::printf("The issue's target: automatic finds every bug a single search finds, with a median "
              "within 2x of the best single search's (the lowest median; seeds found in "
              "brackets).\n\n");
  std::printf("| program | best single search | its median | automatic median | ratio | "
              "verdict |\n|---|---|--:|--:|--:|---|\n");
  int found_by_some = 0;
  int found_by_automatic = 0;
  int within_two = 0;
  for (const BugProgram *program : programs) {
    std::optional<Search> best;
    std::optional<double> best_median;
    for (const Search search : searches) {
      if (search == Search::automatic) {
        continue;
      }
      const std::optional<double> median = cells.at({program, search}).median_schedules();
      if (median && (!best_median || *median < *best_median)) {
        best = search;
        best_median = median;
      }
    }
    if (!best || !best_median) {
      std::printf("| %s | none found it | - | - | - | - |\n", program->name);
      continue;
    }
    ++found_by_some;
    const Cell &best_cell = cells.at({program, *best});
    const Cell &automatic_cell = cells.at({program, Search::automatic});
    const std::optional<double> automatic = automatic_cell.median_schedules();
    std::optional<double> ratio;
    if (automatic) {
      ++found_by_automatic;
      ratio = *automatic / *best_median;
      within_two += *ratio <= 2.0 ? 1 : 0;
    }
    const char *verdict = !ratio ? "MISSED" : *ratio <= 2.0 ? "ok" : "over 2x";
    const int seeds = static_cast<int>(best_cell.runs.size());
    std::printf("| %s | %s | %s (%d/%d) | %s (%d/%d) | %s | %s |\n", program->name,
                interlace::to_string(*best), number(best_median, 0).c_str(), best_cell.found(),
                seeds, number(automatic, 0).c_str(), automatic_cell.found(), seeds,
                number(ratio, 2).c_str(), verdict);
  }
  std::printf("\nautomatic found %d of the %d bugs a single search found; its median is within 2x "
              "of the best single search's on %d of them (target: all %d).\n",
              found_by_automatic, found_by_some, within_two, found_by_some);
}

} // namespace

int main(int argc, char **argv) {
  const Flags flags = parse_flags(argc, argv);
  const std::vector<BugProgram> all = bugbench::all_programs();
  const std::vector<const BugProgram *> programs = select_programs(all, flags.programs);
  if (flags.list) {
    print_list(programs);
    return 0;
  }
  refuse_overriding_environment();
  if (flags.fixed) {
    return check_fixed(programs, flags.searches, flags.seeds.value_or(flags.quick ? 1 : 2),
                       flags.attempts.value_or(flags.quick ? 200 : 1000));
  }
  const int seeds = flags.seeds.value_or(flags.quick ? 3 : 20);
  const int attempts = flags.attempts.value_or(flags.quick ? 1000 : 10000);

  const auto start = Clock::now();
  Problems problems;
  std::map<std::pair<const BugProgram *, Search>, Cell> cells;
  for (const BugProgram *program : programs) {
    for (const Search search : flags.searches) {
      Cell cell =
          measure(*program, search, seeds, attempts, flags.explain, flags.per_seed, problems);
      std::fprintf(stderr, "%-16s %-9s found %2d/%d  median %8s schedules  %6.1f s\n",
                   program->name, interlace::to_string(search), cell.found(), seeds,
                   number(cell.median_schedules(), 0).c_str(), cell.seconds);
      cells.emplace(std::make_pair(program, search), std::move(cell));
    }
  }
  print_table(programs, flags.searches, cells, seeds, attempts);
  print_automatic_check(programs, flags.searches, cells);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("\nTotal: %.0f s for %d program%s x %d search%s x %d seed%s.\n", seconds,
              static_cast<int>(programs.size()), programs.size() == 1 ? "" : "s",
              static_cast<int>(flags.searches.size()), flags.searches.size() == 1 ? "" : "es",
              seeds, seeds == 1 ? "" : "s");
  const int problem_count = problems.wrong_failures + problems.timeouts + problems.harness_errors;
  if (problem_count > 0) {
    std::fprintf(stderr,
                 "bench_bugs: %d wrong failure(s), %d timeout(s), %d exploration error(s): see "
                 "above\n",
                 problems.wrong_failures, problems.timeouts, problems.harness_errors);
    return 1;
  }
  return 0;
}
