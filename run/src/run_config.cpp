#include "run_config.hpp"

#include <charconv>
#include <stdexcept>
#include <vector>

namespace interlace::run {
namespace {

// Fields are key=value, separated by the ASCII unit separator, which no path or argument
// of a command line contains in practice.
constexpr char kSeparator = '\x1f';

template <class T> T number(std::string_view key, std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw std::invalid_argument(std::string(key) + "='" + std::string(text) + "' is not a number");
  }
  return value;
}

} // namespace

std::string encode(const RunConfig &config) {
  std::string text;
  const auto field = [&text](const char *key, const std::string &value) {
    text += std::string(key) + "=" + value + kSeparator;
  };
  field("search", config.search);
  if (config.seed) {
    field("seed", std::to_string(*config.seed));
  }
  field("attempts", std::to_string(config.max_attempts));
  field("time_limit_ms", std::to_string(config.time_limit_ms));
  field("shard_index", std::to_string(config.shard_index));
  field("shard_count", std::to_string(config.shard_count));
  if (config.replay) {
    field("replay", *config.replay);
  }
  field("fail_on_exit_code", config.fail_on_exit_code ? "1" : "0");
  field("max_steps", std::to_string(config.max_steps));
  field("stall_timeout_ms", std::to_string(config.stall_timeout_ms));
  field("reproduce", std::to_string(config.reproduce));
  field("max_shrinks", std::to_string(config.max_shrinks));
  field("verbose", config.verbose ? "1" : "0");
  field("fork_each_execution", config.fork_each_execution ? "1" : "0");
  field("stdin", config.stdin_file);
  field("result_fd", std::to_string(config.result_fd));
  field("progress_fd", std::to_string(config.progress_fd));
  field("rerun", config.rerun_command);
  return text;
}

RunConfig decode_config(std::string_view text) {
  RunConfig config;
  while (!text.empty()) {
    const std::size_t end = text.find(kSeparator);
    const std::string_view item = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      throw std::invalid_argument("option '" + std::string(item) + "' has no value");
    }
    const std::string_view key = item.substr(0, equals);
    const std::string_view value = item.substr(equals + 1);
    if (key == "search") {
      config.search = value;
    } else if (key == "seed") {
      config.seed = number<std::uint64_t>(key, value);
    } else if (key == "attempts") {
      config.max_attempts = number<int>(key, value);
    } else if (key == "time_limit_ms") {
      config.time_limit_ms = number<std::int64_t>(key, value);
    } else if (key == "shard_index") {
      config.shard_index = number<int>(key, value);
    } else if (key == "shard_count") {
      config.shard_count = number<int>(key, value);
    } else if (key == "replay") {
      config.replay = std::string(value);
    } else if (key == "fail_on_exit_code") {
      config.fail_on_exit_code = value == "1";
    } else if (key == "max_steps") {
      config.max_steps = number<int>(key, value);
    } else if (key == "stall_timeout_ms") {
      config.stall_timeout_ms = number<std::int64_t>(key, value);
    } else if (key == "reproduce") {
      config.reproduce = number<int>(key, value);
    } else if (key == "max_shrinks") {
      config.max_shrinks = number<int>(key, value);
    } else if (key == "verbose") {
      config.verbose = value == "1";
    } else if (key == "fork_each_execution") {
      config.fork_each_execution = value == "1";
    } else if (key == "stdin") {
      config.stdin_file = value;
    } else if (key == "result_fd") {
      config.result_fd = number<int>(key, value);
    } else if (key == "progress_fd") {
      config.progress_fd = number<int>(key, value);
    } else if (key == "rerun") {
      config.rerun_command = value;
    } else {
      throw std::invalid_argument("unknown option '" + std::string(key) + "'");
    }
  }
  return config;
}

} // namespace interlace::run
