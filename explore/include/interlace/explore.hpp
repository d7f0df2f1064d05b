// explore_interleavings: property-based search over thread interleavings.
//
//   struct Counter { int value = 0; void increment() { int t = value; value = t + 1; } };
//
//   auto result = interlace::explore_interleavings(
//       [] { return Counter{}; },                                  // a fresh state per schedule
//       {[](Counter &c) { c.increment(); }, [](Counter &c) { c.increment(); }},
//       [](const Counter &c) { return c.value == 2; },              // must hold after each one
//       {.max_attempts = 200, .seed = 42});
//   EXPECT_RACE_FOUND(result);   // result.counterexample->value == 1, result.explanation ...
//
// Each attempt runs the threads one at a time on real OS threads, switching only at the
// yield points the interlace pass put before every shared-memory access. RapidCheck draws
// a choice at each point where more than one thread could run, and on failure shrinks the
// choices, which removes context switches. Code under test must be compiled with
// interlace_instrument() (CMake) or -fpass-plugin=libInterlacePass.so.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "interlace/annotations.h"
#include "interlace/errors.hpp"

namespace interlace {

// How schedules are chosen (docs/searches.md says what each is good at).
enum class Search {
  automatic, // the default: a portfolio of the samplers below, best first
  random,    // RapidCheck-driven choice sequences: random runs of random lengths
  pct,       // probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010)
  pos,       // partial order sampling (Yuan et al., CAV 2018)
  surw,      // selectively uniform random walk (Zhao et al., ASPLOS 2025)
  dpor,      // systematic: every interleaving up to equivalence, each once
};

// "automatic", "random", "pct", "pos", "surw", "dpor".
const char *to_string(Search search);

struct ExploreOptions {
  int max_attempts = 200; // schedules to try; env INTERLACE_MAX_ATTEMPTS overrides
  // Deprecated and ignored: the random search used to draw choices only during the first
  // max_ops steps. Every search now chooses anywhere in an execution, up to max_steps.
  int max_ops = 300;
  std::optional<std::uint64_t> seed = std::nullopt; // unset: a fresh seed, printed in the result;
                                                    // env INTERLACE_SEED overrides
  int reproduce_on_failure = 10;                    // replays of the final counterexample
  bool shrink = true;
  std::chrono::milliseconds timeout = std::chrono::seconds(60); // whole exploration
  int max_steps = 100000; // steps in one execution before it counts as a livelock
  // A schedule in which no step happens for this long has a thread stuck in code interlace
  // does not control (a blocking system call, an uninstrumented spin): it ends as a timeout.
  std::chrono::milliseconds stall_timeout = std::chrono::seconds(10);
  // Executions spent shrinking a failure. Shrinking also ends after a quarter of `timeout`
  // (from the first failure); the explanation says when either cut it short.
  int max_shrinks = 1000;
  Search search = Search::automatic; // env INTERLACE_SEARCH overrides
  int pct_depth = 3;                 // the bug depth PCT targets: d - 1 priority change points
  std::optional<int> preemption_bound = std::nullopt; // unset: unbounded (dpor honours it;
                                                      // samplers may)
  // Let condition variable waits return spuriously, as POSIX allows: the search wakes a waiting
  // thread now and then, which finds waits without a predicate loop.
  bool spurious_wakeups = false;
  // Async tasks (explore_async_interleavings): every co_await in instrumented code is a point
  // where another task may go on, as every await is in the Python original: once what it
  // awaited is done and the coroutine goes on past it (docs/async.md). false: only real
  // suspensions (a task back at its event loop: a timer, a channel, a post) and markers, which
  // is exactly what a single-threaded io_context can do.
  bool every_co_await = true;
  // Async tasks: the io_context is run by several threads, so handlers of different tasks may
  // run at the same time. Tasks then interleave at every shared access, as threads do (Asio's
  // own code included), not only at switch points; a strand still runs its handlers one at a
  // time. Finds what a multi-threaded io_context shows: a strand used in one place and
  // forgotten in another.
  bool concurrent_handlers = false;
};

template <class State> struct InterleavingResult {
  bool property_holds = true;            // true: no failing schedule found
  std::shared_ptr<State> counterexample; // state after the (shrunk) failing schedule; null if none
  std::vector<int> schedule;             // that schedule: the thread index of every executed step
  int preemptions = 0;                   // switches away from a still-runnable thread in `schedule`
  std::string replay;                    // token: set INTERLACE_REPLAY=<token> to rerun just it
  std::uint64_t seed = 0;                // the seed the exploration used
  int num_explored = 0;                  // schedules run before the failure (or in total)
  int unique_interleavings = 0;          // distinct executed step sequences among them
  int num_discarded = 0;                 // schedules among num_explored cut short, uncounted: an
                         // interlace::assume() did not hold, or dpor found them redundant
  int reproduction_attempts = 0;     // = reproduce_on_failure when a failure was found
  int reproduction_successes = 0;    // how many of those replays failed the same way
  std::string explanation;           // the interleaved source trace and the verdict
  bool exhaustive = false;           // true only when the search explored every
                                     // interleaving (dpor finished within its bounds):
                                     // "holds" is then a proof for these threads and inputs
  Search search = Search::automatic; // the search that found the failure (or ran last)
};

namespace detail {

template <class T> struct StateOfResult {
  using type = T;
};
template <class T, class D> struct StateOfResult<std::unique_ptr<T, D>> {
  using type = T;
};

// What the compiled core needs from the typed front end.
struct ExplorationSpec {
  int num_threads = 0;
  std::function<void()> new_state; // make a fresh state current
  // Runs thread i on the current state. A plain function pointer rather than a
  // std::function: it is called inside managed threads and must add no yield points.
  void (*run_thread)(void *context, int thread) = nullptr;
  void *run_context = nullptr;
  std::function<bool()> invariant_holds; // check the current state
  std::function<void()> keep_state;      // keep the current state as the counterexample
  std::function<std::shared_ptr<void>()> share_state; // the current state, type-erased
  std::size_t state_size = 0;                         // sizeof the state, for reports
  std::source_location where;                         // the explore_interleavings call
  // The threads are async tasks (interlace/asio.hpp): reports say which coroutine each ran.
  bool async_tasks = false;
  // Run the threads cooperatively: each goes on until it reaches a switch point
  // (interlace_switch_point), a marker, blocks or ends, and only there may another take over.
  // Async tasks run so, unless ExploreOptions::concurrent_handlers.
  bool cooperative = false;
  std::vector<std::string> thread_names; // names for reports; "thread N" beyond its end
  // Asked when a search ends having covered every interleaving: true when the driver knows its
  // executions depended on something the search does not order (async timers under dpor), so
  // that the verdict says "sampled".
  std::function<bool()> not_exhaustive;
};

struct ExplorationReport {
  bool property_holds = true;
  std::vector<int> schedule;
  int preemptions = 0;
  std::string replay;
  std::uint64_t seed = 0;
  int num_explored = 0;
  int unique_interleavings = 0;
  int num_discarded = 0;
  int reproduction_attempts = 0;
  int reproduction_successes = 0;
  std::string explanation;
  bool exhaustive = false;
  Search search = Search::automatic;
};

ExplorationReport explore(const ExplorationSpec &spec, const ExploreOptions &options);

// The search an exploration with `options` runs: options.search, unless INTERLACE_SEARCH names
// another.
Search search_in_effect(const ExploreOptions &options);

// The glue below runs inside managed threads; it is not code under test, so it gets no
// yield points of its own.
template <class State, class Setup>
INTERLACE_NO_INSTRUMENT std::shared_ptr<State> make_state(Setup &setup) {
  if constexpr (std::is_same_v<std::remove_cvref_t<std::invoke_result_t<Setup &>>, State>) {
    return std::shared_ptr<State>(new State(setup())); // no move needed: copy elision
  } else {
    auto owned = setup();
    if (!owned) {
      throw UsageError("explore_interleavings: setup() returned a null pointer; return the "
                       "initial state (or a std::unique_ptr to it) for every schedule");
    }
    return std::shared_ptr<State>(std::move(owned));
  }
}

// The typed result of an exploration; `kept` is the counterexample, if one was kept.
template <class State>
InterleavingResult<State> result_of(ExplorationReport report, std::shared_ptr<State> kept) {
  InterleavingResult<State> result;
  result.property_holds = report.property_holds;
  result.counterexample = report.property_holds ? nullptr : std::move(kept);
  result.schedule = std::move(report.schedule);
  result.preemptions = report.preemptions;
  result.replay = std::move(report.replay);
  result.seed = report.seed;
  result.num_explored = report.num_explored;
  result.unique_interleavings = report.unique_interleavings;
  result.num_discarded = report.num_discarded;
  result.reproduction_attempts = report.reproduction_attempts;
  result.reproduction_successes = report.reproduction_successes;
  result.explanation = std::move(report.explanation);
  result.exhaustive = report.exhaustive;
  result.search = report.search;
  return result;
}

template <class State> struct ThreadRunner {
  std::vector<std::function<void(State &)>> *threads;
  std::shared_ptr<State> *current;

  INTERLACE_NO_INSTRUMENT static void run(void *context, int thread) {
    auto *self = static_cast<ThreadRunner *>(context);
    (*self->threads)[static_cast<std::size_t>(thread)](**self->current);
  }
};

} // namespace detail

// The state type of a setup function: what it returns, or what its unique_ptr owns.
template <class Setup>
using StateOf =
    typename detail::StateOfResult<std::remove_cvref_t<std::invoke_result_t<Setup &>>>::type;

// Runs `threads` concurrently on a fresh state from `setup`, once per generated schedule, and
// checks `invariant` after each. Stops at the first failure (the invariant returns false, a
// thread throws, a deadlock, a livelock, or a GoogleTest assertion fails in a thread, the
// setup or the invariant; see interlace/gtest.hpp), shrinks it to the fewest preemptions, replays
// it `reproduce_on_failure` times and explains it. Throws interlace::UsageError on misuse.
template <class Setup, class Invariant>
auto explore_interleavings(Setup setup, std::vector<std::function<void(StateOf<Setup> &)>> threads,
                           Invariant invariant, ExploreOptions options = {},
                           std::source_location where = std::source_location::current())
    -> InterleavingResult<StateOf<Setup>> {
  using State = StateOf<Setup>;
  static_assert(std::is_invocable_r_v<bool, Invariant &, const State &>,
                "explore_interleavings: the invariant must be callable as bool(const State&)");
  std::shared_ptr<State> current;
  std::shared_ptr<State> kept;

  detail::ExplorationSpec spec;
  spec.num_threads = static_cast<int>(threads.size());
  spec.where = where;
  for (std::size_t i = 0; i < threads.size(); ++i) {
    if (!threads[i]) {
      throw UsageError("explore_interleavings: thread " + std::to_string(i) +
                       " is an empty std::function; give every thread a body");
    }
  }
  // The old state goes first, so that the new one can take its place: a systematic search
  // (Search::dpor) compares addresses across executions.
  spec.new_state = [&] {
    current.reset();
    current = detail::make_state<State>(setup);
  };
  detail::ThreadRunner<State> runner{&threads, &current};
  spec.run_thread = &detail::ThreadRunner<State>::run;
  spec.run_context = &runner;
  spec.invariant_holds = [&] { return static_cast<bool>(invariant(std::as_const(*current))); };
  spec.keep_state = [&] { kept = current; };
  spec.share_state = [&]() -> std::shared_ptr<void> { return current; };
  spec.state_size = sizeof(State);

  return detail::result_of<State>(detail::explore(spec, options), std::move(kept));
}

} // namespace interlace
