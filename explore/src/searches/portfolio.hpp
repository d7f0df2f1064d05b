// The automatic search: a portfolio that interleaves several searches, one execution each in
// turn following fixed patterns (best first), so that a bug that one of them finds quickly is
// found quickly, whichever it is. An opening pattern holds for the first executions, then a
// steady one repeats. It reports the member that drove the last execution, so the result
// names the search that found a failure.
#pragma once

#include <memory>
#include <vector>

#include "searches/search.hpp"

namespace interlace::detail {

class Portfolio final : public ScheduleSearch {
public:
  // Patterns are indexes into `members`, the order in which they take turns: `opening`
  // repeated for the first `opening_executions` executions, then `steady` repeated.
  Portfolio(std::vector<std::unique_ptr<ScheduleSearch>> members, std::vector<int> opening,
            std::size_t opening_executions, std::vector<int> steady);

  Search kind() const override;
  rt::Strategy *next_strategy() override;
  void observe(const ExecutionResult &result) override;
  SelfShrinkingSearch *self_shrinking() override;

private:
  std::vector<std::unique_ptr<ScheduleSearch>> members_;
  std::vector<bool> done_; // a member that returned no strategy is skipped from then on
  std::vector<int> opening_;
  std::size_t opening_executions_;
  std::vector<int> steady_;
  std::size_t turn_ = 0; // turns handed out so far, done members' included
  int last_ = -1;        // the member that drove the last execution
};

} // namespace interlace::detail
