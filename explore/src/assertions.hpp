// Test-framework assertions that fail inside an execution (see interlace/gtest.hpp).
#pragma once

#include <memory>

#include "interlace/gtest.hpp"

namespace interlace::detail {

// A capture for one execution, or null when no test framework registered one.
std::unique_ptr<AssertionCapture> capture_assertions();

// Marks the calling (managed) thread as running thread body `index` while it lives.
class ExplorationThreadScope {
public:
  explicit ExplorationThreadScope(int index) noexcept;
  ~ExplorationThreadScope();
  ExplorationThreadScope(const ExplorationThreadScope &) = delete;
  ExplorationThreadScope &operator=(const ExplorationThreadScope &) = delete;

private:
  int outer_;
};

} // namespace interlace::detail
