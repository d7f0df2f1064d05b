#include "decision_log.hpp"

#include <cstring>
#include <limits>
#include <span>
#include <type_traits>

namespace interlace::run {
namespace {

enum class Record : std::uint8_t { Begin, Next, Wake };

template <class T> void append(std::vector<std::byte> &log, const T &value) {
  static_assert(std::is_trivially_copyable_v<T>);
  const auto *bytes = reinterpret_cast<const std::byte *>(&value);
  log.insert(log.end(), bytes, bytes + sizeof(T));
}

template <class T> void append_span(std::vector<std::byte> &log, std::span<const T> values) {
  append<std::uint32_t>(log, static_cast<std::uint32_t>(values.size()));
  for (const T &value : values) {
    append(log, value);
  }
}

template <class T> bool read_span(WireReader &in, std::vector<T> &values) {
  const auto count = in.get<std::uint32_t>();
  if (in.broken()) {
    return false;
  }
  values.clear();
  for (std::uint32_t i = 0; i < count && !in.broken(); ++i) {
    values.push_back(in.get<T>());
  }
  return !in.broken();
}

} // namespace

void RecordingStrategy::begin() {
  log_.clear();
  append(log_, Record::Begin);
  inner_.begin();
}

std::optional<int> RecordingStrategy::next(const rt::Decision &decision) {
  const std::optional<int> answer = inner_.next(decision);
  append(log_, Record::Next);
  append(log_, decision.step);
  append(log_, decision.current);
  append(log_, decision.run_length);
  append_span(log_, decision.candidates);
  append<std::uint32_t>(log_, static_cast<std::uint32_t>(decision.pending.size()));
  for (std::size_t i = 0; i < decision.pending.size(); ++i) {
    append(log_, decision.pending[i]);
  }
  append_span(log_, decision.sleepers);
  append<std::int32_t>(log_, answer ? *answer : std::numeric_limits<std::int32_t>::min());
  return answer;
}

std::size_t RecordingStrategy::choose_waiter(const rt::WakeDecision &decision) {
  const std::size_t answer = inner_.choose_waiter(decision);
  append(log_, Record::Wake);
  append(log_, decision.step);
  append(log_, decision.kind);
  append_span(log_, decision.waiters);
  append<std::uint64_t>(log_, answer);
  return answer;
}

void RecordingStrategy::write(WireWriter &out) const {
  out.put_span(std::span<const std::byte>(log_));
}

std::string replay_decisions(WireReader &in, rt::Strategy &strategy) {
  std::vector<int> candidates;
  std::vector<rt::Event> events;
  std::vector<const rt::Event *> pending;
  std::vector<int> sleepers;
  std::vector<int> waiters;
  while (!in.at_end()) {
    const auto record = in.get<Record>();
    if (in.broken()) {
      break;
    }
    if (record == Record::Begin) {
      strategy.begin();
    } else if (record == Record::Next) {
      rt::Decision decision;
      decision.step = in.get<std::uint64_t>();
      decision.current = in.get<int>();
      decision.run_length = in.get<std::uint32_t>();
      if (!read_span(in, candidates) || !read_span(in, events) || !read_span(in, sleepers)) {
        break;
      }
      pending.clear();
      for (const rt::Event &event : events) {
        pending.push_back(&event);
      }
      decision.candidates = candidates;
      decision.pending = rt::AnnouncedSteps(pending);
      decision.sleepers = sleepers;
      const auto logged = in.get<std::int32_t>();
      const std::optional<int> answer = strategy.next(decision);
      const std::int32_t got = answer ? *answer : std::numeric_limits<std::int32_t>::min();
      if (got != logged) {
        return "the strategy answered step " + std::to_string(decision.step) + " with " +
               std::to_string(got) + " in the server but " + std::to_string(logged) +
               " in the execution";
      }
    } else if (record == Record::Wake) {
      rt::WakeDecision decision;
      decision.step = in.get<std::uint64_t>();
      decision.kind = in.get<rt::WakeKind>();
      if (!read_span(in, waiters)) {
        break;
      }
      decision.waiters = waiters;
      const auto logged = in.get<std::uint64_t>();
      if (strategy.choose_waiter(decision) != logged) {
        return "the strategy chose another waiter at step " + std::to_string(decision.step) +
               " in the server than in the execution";
      }
    } else {
      return "unknown record in the decision log";
    }
  }
  return in.broken() ? "the decision log is truncated" : "";
}

} // namespace interlace::run
