#include "searches/portfolio.hpp"

#include <utility>

namespace interlace::detail {

Portfolio::Portfolio(std::vector<std::unique_ptr<ScheduleSearch>> members, std::vector<int> opening,
                     std::size_t opening_executions, std::vector<int> steady)
    : members_(std::move(members)), done_(members_.size(), false), opening_(std::move(opening)),
      opening_executions_(opening_.empty() ? 0 : opening_executions), steady_(std::move(steady)) {}

Search Portfolio::kind() const {
  return last_ >= 0 ? members_[static_cast<std::size_t>(last_)]->kind() : Search::automatic;
}

rt::Strategy *Portfolio::next_strategy() {
  // Every member gets a turn within members_.size() full patterns, so a portfolio whose
  // members are all done gives up after that many turns.
  const std::size_t patience =
      members_.size() * (opening_.size() + steady_.size()) + opening_executions_;
  for (std::size_t tried = 0; tried < patience; ++tried) {
    const std::size_t turn = turn_++;
    const int member = turn < opening_executions_
                           ? opening_[turn % opening_.size()]
                           : steady_[(turn - opening_executions_) % steady_.size()];
    const auto index = static_cast<std::size_t>(member);
    if (done_[index]) {
      continue;
    }
    if (rt::Strategy *strategy = members_[index]->next_strategy()) {
      last_ = member;
      return strategy;
    }
    done_[index] = true;
  }
  return nullptr;
}

void Portfolio::observe(const ExecutionResult &result) {
  if (last_ >= 0) {
    members_[static_cast<std::size_t>(last_)]->observe(result);
  }
}

SelfShrinkingSearch *Portfolio::self_shrinking() {
  return last_ >= 0 ? members_[static_cast<std::size_t>(last_)]->self_shrinking() : nullptr;
}

} // namespace interlace::detail
