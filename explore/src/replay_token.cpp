#include "replay_token.hpp"

#include <charconv>
#include <map>
#include <mutex>

#include "interlace/errors.hpp"

namespace interlace::detail {
namespace {

constexpr std::string_view kPrefix = "il1";
constexpr int kMaxThreads = 1 << 16;

std::string hex(std::uint64_t value, int digits) {
  std::string text(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, value >>= 4) {
    text[static_cast<std::size_t>(i)] = "0123456789abcdef"[value & 15];
  }
  return text;
}

[[noreturn]] void malformed(std::string_view text, const std::string &why) {
  throw UsageError("INTERLACE_REPLAY='" + std::string(text) + "' is not a replay token (" + why +
                   "); copy the whole INTERLACE_REPLAY=... value from a failure's explanation");
}

template <class Int> Int number(std::string_view field, int base, std::string_view token) {
  Int value{};
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value, base);
  if (field.empty() || error != std::errc() || end != field.data() + field.size()) {
    malformed(token, "bad number '" + std::string(field) + "'");
  }
  return value;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

} // namespace

std::vector<ScheduleRun> runs_of(std::span<const int> schedule) {
  std::vector<ScheduleRun> runs;
  for (const int thread : schedule) {
    if (runs.empty() || runs.back().thread != thread) {
      runs.push_back({thread, 0});
    }
    ++runs.back().count;
  }
  return runs;
}

std::uint64_t total_steps(std::span<const ScheduleRun> runs) {
  std::uint64_t total = 0;
  for (const ScheduleRun &run : runs) {
    total += run.count; // at most 2^32 runs of < 2^32 steps: no overflow
  }
  return total;
}

std::vector<int> expand(std::span<const ScheduleRun> runs) {
  std::vector<int> schedule;
  schedule.reserve(total_steps(runs));
  for (const ScheduleRun &run : runs) {
    schedule.insert(schedule.end(), run.count, run.thread);
  }
  return schedule;
}

std::string encode(const ReplayToken &token) {
  std::string text(kPrefix);
  text += "-" + hex(token.build, 16) + "-" + hex(token.exploration, 8) + "-" +
          std::to_string(token.threads) + "-";
  if (token.runs.empty()) {
    text += "e";
  }
  for (std::size_t i = 0; i < token.runs.size(); ++i) {
    if (i != 0) {
      text += '_';
    }
    text += std::to_string(token.runs[i].thread) + "." + std::to_string(token.runs[i].count);
  }
  for (std::size_t i = 0; i < token.wakes.size(); ++i) {
    text += i == 0 ? "-w" : "_";
    text += std::to_string(token.wakes[i].ordinal) + "." + std::to_string(token.wakes[i].index);
  }
  return text;
}

ReplayToken decode(std::string_view text) {
  const std::vector<std::string_view> fields = split(text, '-');
  if (fields.size() != 5 && (fields.size() != 6 || !fields[5].starts_with('w'))) {
    malformed(text, "expected 5 fields separated by '-', and optionally a sixth starting 'w'");
  }
  if (fields[0] != kPrefix) {
    malformed(text, "it does not start with '" + std::string(kPrefix) +
                        "-'; tokens from another interlace version cannot be replayed");
  }
  ReplayToken token;
  token.build = number<std::uint64_t>(fields[1], 16, text);
  token.exploration = number<std::uint32_t>(fields[2], 16, text);
  token.threads = number<int>(fields[3], 10, text);
  if (token.threads <= 0 || token.threads > kMaxThreads) {
    malformed(text, "thread count out of range");
  }
  if (fields.size() == 6) {
    std::uint64_t previous = 0;
    for (std::string_view wake : split(fields[5].substr(1), '_')) {
      const std::vector<std::string_view> parts = split(wake, '.');
      if (parts.size() != 2) {
        malformed(text, "bad waiter choice '" + std::string(wake) + "'");
      }
      const auto ordinal = number<std::uint64_t>(parts[0], 10, text);
      const auto index = number<std::uint32_t>(parts[1], 10, text);
      if (index == 0 || (!token.wakes.empty() && ordinal <= previous)) {
        malformed(text, "bad waiter choice '" + std::string(wake) + "'");
      }
      previous = ordinal;
      token.wakes.push_back({ordinal, index});
    }
  }
  if (fields[4] == "e") {
    return token;
  }
  for (std::string_view run : split(fields[4], '_')) {
    const std::vector<std::string_view> parts = split(run, '.');
    if (parts.size() != 2) {
      malformed(text, "bad run '" + std::string(run) + "'");
    }
    const int thread = number<int>(parts[0], 10, text);
    const int count = number<int>(parts[1], 10, text);
    if (thread < 0 || count <= 0) {
      malformed(text, "bad run '" + std::string(run) + "'");
    }
    // Threads the exploration's threads start come after them, so a run may name an id at or
    // above the token's thread count; a replay of a schedule that names a thread the
    // execution never starts ends as a strategy error.
    if (thread >= kMaxThreads) {
      malformed(text, "run '" + std::string(run) + "' names thread " + std::to_string(thread) +
                          ", more than an execution has");
    }
    token.runs.push_back({thread, static_cast<std::uint32_t>(count)});
  }
  return token;
}

std::uint32_t exploration_key(const std::source_location &where, int threads,
                              const std::string &test) {
  std::uint32_t hash = 2166136261U;
  auto add = [&hash](std::string_view bytes) {
    for (const char byte : bytes) {
      hash = (hash ^ static_cast<unsigned char>(byte)) * 16777619U;
    }
  };
  // The file's base name, so that a token survives a move of the checkout.
  std::string_view file = where.file_name();
  if (const auto slash = file.rfind('/'); slash != std::string_view::npos) {
    file.remove_prefix(slash + 1);
  }
  add(file);
  add(":" + std::to_string(where.line()) + ":" + std::to_string(threads) + ":");
  add(test);
  // The n-th exploration with this identity in the process.
  static std::mutex mutex;
  static std::map<std::uint32_t, std::uint32_t> occurrences;
  const std::lock_guard<std::mutex> guard(mutex);
  add("#" + std::to_string(occurrences[hash]++));
  return hash;
}

} // namespace interlace::detail
