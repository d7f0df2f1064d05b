#include "verdict.hpp"

namespace interlace::detail {

Verdict verdict_of(const rt::Outcome &outcome) {
  switch (outcome.failure) {
  case rt::FailureKind::None:
    return Verdict::Holds;
  case rt::FailureKind::Exception:
    return Verdict::Exception;
  case rt::FailureKind::Deadlock:
    return Verdict::Deadlock;
  case rt::FailureKind::Livelock:
    return Verdict::Livelock;
  case rt::FailureKind::Timeout:
    return Verdict::Timeout;
  case rt::FailureKind::Crash:
    return Verdict::Crash;
  case rt::FailureKind::Exit:
    return Verdict::Exit;
  case rt::FailureKind::Stopped:
    return Verdict::Stopped;
  case rt::FailureKind::StrategyError:
    return Verdict::StrategyError;
  case rt::FailureKind::Discarded:
    return Verdict::Discarded;
  }
  return Verdict::Holds;
}

} // namespace interlace::detail
