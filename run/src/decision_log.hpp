// Keeping a search's strategy in step with an execution that ran in another process.
//
// An execution runs in a child forked from the server, on the child's copy of the strategy;
// whatever the strategy learned there (SURW's profile, the choices a ChoiceRecorder wrote
// down, PCT's step counts) stays in the child. So the child logs every question the runtime
// asked the strategy (each Decision and WakeDecision, with everything it showed) and the
// answers, and the server asks its own copy the same questions in the same order. A strategy
// is a deterministic function of its seed and the questions it was asked, so the server's copy
// ends in the state the child's did, and the search learns from it as from an execution in its
// own process. The answers are compared: a strategy that answers differently is a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interlace/rt/strategy.hpp"
#include "wire.hpp"

namespace interlace::run {

// Wraps a strategy and logs the questions it is asked and its answers.
class RecordingStrategy final : public rt::Strategy {
public:
  explicit RecordingStrategy(rt::Strategy &inner) : inner_(inner) {}

  void begin() override;
  std::optional<int> next(const rt::Decision &decision) override;
  std::size_t choose_waiter(const rt::WakeDecision &decision) override;
  std::string stop_reason() const override { return inner_.stop_reason(); }
  std::uint64_t repeats() const override { return inner_.repeats(); }

  // The log, as replay_decisions() reads it.
  void write(WireWriter &out) const;

private:
  rt::Strategy &inner_;
  std::vector<std::byte> log_;
};

// Asks `strategy` the logged questions. Returns an empty string, or what went wrong (a log
// that does not parse, an answer that differs from the logged one).
std::string replay_decisions(WireReader &in, rt::Strategy &strategy);

} // namespace interlace::run
