#include "searches/make_search.hpp"

#include <utility>
#include <vector>

#include "interlace/errors.hpp"
#include "searches/dpor.hpp"
#include "searches/pct.hpp"
#include "searches/portfolio.hpp"
#include "searches/pos.hpp"
#include "searches/random.hpp"
#include "searches/surw.hpp"

namespace interlace::detail {
namespace {

// Each member of the portfolio gets a seed of its own, derived from the exploration's.
SearchParams member_params(const SearchParams &params, Search kind) {
  SearchParams derived = params;
  derived.seed = rt::splitmix64(params.seed ^ static_cast<std::uint64_t>(kind));
  return derived;
}

// The members and their turns, chosen on the bug-finding benchmark (bench/bugs; the figures
// are in docs/searches.md). SURW finds most bugs within a few schedules when it finds them
// (its first execution profiles, the second is already selective), POS finds every one, so the
// first 32 executions alternate the two. Past them, what is left needs a long specific order of
// many threads, which random choice sequences reach best: random gets half the turns, POS,
// SURW and PCT share the rest.
std::unique_ptr<ScheduleSearch> make_automatic(const SearchParams &params) {
  enum Member : std::uint8_t { Surw, Pos, Random, Pct };
  const std::vector<Search> kinds = {Search::surw, Search::pos, Search::random, Search::pct};
  std::vector<std::unique_ptr<ScheduleSearch>> members;
  members.reserve(kinds.size());
  for (const Search kind : kinds) {
    const SearchParams own = member_params(params, kind);
    // RapidCheck's handoff at every execution would make the portfolio slower than its
    // samplers: its random member draws from a seeded generator (random.hpp).
    members.push_back(kind == Search::random ? make_seeded_random_search(own)
                                             : make_search(kind, own));
  }
  constexpr std::size_t kOpening = 32;
  return std::make_unique<Portfolio>(
      std::move(members), std::vector<int>{Surw, Pos}, kOpening,
      std::vector<int>{Random, Random, Pos, Surw, Random, Random, Pos, Pct});
}

} // namespace

std::unique_ptr<ScheduleSearch> make_search(Search kind, const SearchParams &params) {
  switch (kind) {
  case Search::automatic:
    return make_automatic(params);
  case Search::random:
    return make_random_search(params);
  case Search::pct:
    return make_pct_search(params);
  case Search::pos:
    return make_pos_search(params);
  case Search::surw:
    return make_surw_search(params);
  case Search::dpor:
    return make_dpor_search(params);
  }
  throw UsageError("ExploreOptions::search = " + std::to_string(static_cast<int>(kind)) +
                   " is not a search: use one of the Search enumerators");
}

} // namespace interlace::detail
