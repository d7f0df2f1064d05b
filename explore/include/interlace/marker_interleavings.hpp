// explore_marker_interleavings: every interleaving of the trace markers the threads reach,
// each run once on a fresh state and checked by an invariant (the Python original's function
// of the same name). Threads switch only at markers: the code between two markers of a thread
// runs without interruption, so the executions are the orders in which the threads can pass
// their markers. The first order that fails comes back as a Schedule to paste into a test:
//
//   auto result = interlace::explore_marker_interleavings(
//       [] { return Account{100}; },
//       {{"alice", [](Account &a) { a.transfer(50); }},   // `// interlace: read_balance` and
//        {"bob", [](Account &a) { a.transfer(50); }}},    // `// interlace: write_balance` inside
//       [](const Account &a) { return a.balance == 200; });
//   // result.failing_schedule: Schedule{{"alice", "read_balance"}, {"bob", "read_balance"}, ...}
//   // interlace::TraceExecutor(*result.failing_schedule) replays it exactly.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "interlace/explore.hpp"
#include "interlace/trace_markers.hpp"

namespace interlace {

struct MarkerOptions {
  int max_schedules = 100000;                                   // executions before giving up
  std::chrono::milliseconds timeout = std::chrono::seconds(60); // for the whole exploration
};

template <class State> struct MarkerInterleavingsResult {
  bool property_holds = true;               // no order of the markers failed
  std::optional<Schedule> failing_schedule; // the markers in the order they ran, when one failed
  std::shared_ptr<State> counterexample;    // the state that order left, when one failed
  std::string failure;          // why that execution failed: the invariant, or what the runtime saw
  int num_explored = 0;         // executions run
  int marker_interleavings = 0; // distinct orders of the markers among them
  bool exhaustive = false;      // every order was run (no limit cut the exploration short)
};

namespace detail {

// What the compiled core needs from the typed front end.
struct MarkerSpec {
  std::vector<std::string> names;
  std::function<void()> new_state;
  std::vector<std::function<void()>> bodies; // thread i on the current state
  std::function<bool()> invariant_holds;
  std::function<void()> keep_state;
  MarkerOptions options;
};

struct MarkerReport {
  bool property_holds = true;
  std::vector<Step> failing;
  std::string failure;
  int num_explored = 0;
  int marker_interleavings = 0;
  bool exhaustive = false;
};

MarkerReport explore_markers(const MarkerSpec &spec);

// Runs one thread's body on the current state; harness code, so no yield points of its own.
template <class State> struct MarkerThread {
  std::function<void(State &)> *body;
  std::shared_ptr<State> *current;
  INTERLACE_NO_INSTRUMENT void operator()() const { (*body)(**current); }
};

} // namespace detail

template <class Setup, class Invariant>
auto explore_marker_interleavings(
    Setup setup, std::vector<std::pair<std::string, std::function<void(StateOf<Setup> &)>>> threads,
    Invariant invariant, MarkerOptions options = {}) -> MarkerInterleavingsResult<StateOf<Setup>> {
  using State = StateOf<Setup>;
  std::shared_ptr<State> current;
  std::shared_ptr<State> kept;
  detail::MarkerSpec spec;
  spec.options = options;
  for (auto &[name, body] : threads) {
    if (!body) {
      throw UsageError("explore_marker_interleavings: thread '" + name +
                       "' has an empty std::function; give every thread a body");
    }
    spec.names.push_back(name);
    spec.bodies.emplace_back(detail::MarkerThread<State>{&body, &current});
  }
  spec.new_state = [&] {
    current.reset();
    current = detail::make_state<State>(setup);
  };
  spec.invariant_holds = [&] { return static_cast<bool>(invariant(std::as_const(*current))); };
  spec.keep_state = [&] { kept = current; };
  const detail::MarkerReport report = detail::explore_markers(spec);
  MarkerInterleavingsResult<State> result;
  result.property_holds = report.property_holds;
  if (!report.property_holds) {
    result.failing_schedule.emplace(report.failing);
    result.counterexample = kept;
  }
  result.failure = report.failure;
  result.num_explored = report.num_explored;
  result.marker_interleavings = report.marker_interleavings;
  result.exhaustive = report.exhaustive;
  return result;
}

} // namespace interlace
