#include "execution_report.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "execution.hpp"
#include "models/wait_model.hpp"

namespace interlace::rt::detail {

std::string site_text(const interlace_site *site) {
  if (site == nullptr || site->line == 0) {
    return "an unknown location";
  }
  const char *file = site->file;
  if (const char *slash = std::strrchr(file, '/')) {
    file = slash + 1;
  }
  return std::string(file) + ":" + std::to_string(site->line);
}

std::string address_text(const void *address) {
  char text[32];
  std::snprintf(text, sizeof text, "%p", address);
  return text;
}

namespace {

// "a.cpp:12 read" for a step with a source location, "lock 0x1234" for one without.
std::string step_text(const Event &event) {
  if (event.site != nullptr && event.site->line != 0) {
    return site_text(event.site) + " " + to_string(event.kind);
  }
  return std::string(to_string(event.kind)) +
         (event.addr != nullptr ? " " + address_text(event.addr) : std::string());
}

std::string describe_wait(const ManagedThread &thread, const Execution &execution) {
  return wait_model(thread.waiting).describe(thread.waiting, execution);
}

// Follows the waits-for edges from each blocked thread; the first cycle found, as
// "thread 0 -> thread 1 -> thread 0".
std::string describe_cycle(const Execution &execution) {
  for (int start = 0; start < execution.num_threads(); ++start) {
    std::vector<int> path{start};
    for (int current = start;;) {
      const ManagedThread &thread = execution.thread(current);
      if (thread.status != ThreadStatus::Blocked) {
        break;
      }
      const int next = wait_model(thread.waiting).holder(thread.waiting, execution);
      if (next < 0) {
        break;
      }
      const auto seen = std::ranges::find(path, next);
      if (seen != path.end()) {
        std::string text = "  cycle:";
        for (auto it = seen; it != path.end(); ++it) {
          text += " thread " + std::to_string(*it) + " ->";
        }
        return text + " thread " + std::to_string(next) + "\n";
      }
      path.push_back(next);
      current = next;
    }
  }
  return "  no cycle: no running thread is left to release these waits\n";
}

// The name of a system call a stuck thread may wait in, by its number (x86-64's and
// AArch64's differ; the common blocking ones of each).
const char *blocking_call_name(long number) {
  struct Call {
    long number;
    const char *name;
  };
  static constexpr Call kCalls[] = {
#if defined(__x86_64__)
      {0, "read"},         {1, "write"},      {7, "poll"},
      {17, "pread64"},     {19, "readv"},     {23, "select"},
      {34, "pause"},       {35, "nanosleep"}, {42, "connect"},
      {43, "accept"},      {45, "recvfrom"},  {47, "recvmsg"},
      {61, "wait4"},       {202, "futex"},    {230, "clock_nanosleep"},
      {232, "epoll_wait"}, {247, "waitid"},   {257, "openat"},
      {270, "pselect6"},   {271, "ppoll"},    {281, "epoll_pwait"},
      {288, "accept4"},
#elif defined(__aarch64__)
      {22, "epoll_pwait"},
      {56, "openat"},
      {63, "read"},
      {64, "write"},
      {65, "readv"},
      {67, "pread64"},
      {72, "pselect6"},
      {73, "ppoll"},
      {98, "futex"},
      {101, "nanosleep"},
      {115, "clock_nanosleep"},
      {202, "accept"},
      {203, "connect"},
      {207, "recvfrom"},
      {212, "recvmsg"},
      {242, "accept4"},
      {260, "wait4"},
#endif
  };
  for (const Call &call : kCalls) {
    if (call.number == number) {
      return call.name;
    }
  }
  return nullptr;
}

} // namespace

std::string position(const ManagedThread &thread) {
  if (const interlace_site *site = thread.announced.site) {
    return "at " + site_text(site);
  }
  return "after " + site_text(thread.last_site);
}

std::string describe_deadlock(const Execution &execution) {
  std::string text;
  for (int id = 0; id < execution.num_threads(); ++id) {
    const ManagedThread &thread = execution.thread(id);
    text += "  thread " + std::to_string(id) + " ";
    if (thread.status == ThreadStatus::Finished) {
      text += "has finished\n";
    } else {
      text += "waits for " + describe_wait(thread, execution) + ", " + position(thread) + "\n";
    }
  }
  return text + describe_cycle(execution);
}

std::string describe_threads(const Execution &execution) {
  std::string text;
  for (int id = 0; id < execution.num_threads(); ++id) {
    const ManagedThread &thread = execution.thread(id);
    const Event &pending = thread.announced;
    text += "  " + execution.label(id) + " ";
    if (thread.status == ThreadStatus::Finished) {
      text += "has finished";
    } else if (thread.status == ThreadStatus::Blocked) {
      text += "waits for " + describe_wait(thread, execution) + ", " + position(thread);
    } else if (pending.kind == EventKind::Marker) {
      text += "is at marker '" + std::string(static_cast<const char *>(pending.addr)) + "' (" +
              site_text(pending.site) + ")";
    } else if (pending.kind == EventKind::Switch) {
      text += "is back at its event loop";
    } else if (pending.kind == EventKind::Start) {
      text += "has not started";
    } else {
      text += "is at " + site_text(pending.site != nullptr ? pending.site : thread.last_site);
    }
    text += "\n";
  }
  return text;
}

std::string describe_positions(const Execution &execution) {
  std::string text;
  for (int id = 0; id < execution.num_threads(); ++id) {
    const ManagedThread &thread = execution.thread(id);
    text += "  thread " + std::to_string(id);
    if (thread.status == ThreadStatus::Finished) {
      text += " finished\n";
      continue;
    }
    text += " was at " + site_text(thread.last_site);
    const std::uint64_t shown =
        std::min<std::uint64_t>(thread.executed_steps, ManagedThread::kRecentSteps);
    if (shown == 0) {
      text += "\n";
      continue;
    }
    text += "; its last " + std::to_string(shown) + " of " + std::to_string(thread.executed_steps) +
            " steps:";
    std::string previous;
    int repeats = 0;
    const auto flush = [&] {
      if (repeats > 0) {
        text += " " + previous + (repeats > 1 ? " (x" + std::to_string(repeats) + ")" : "") + ",";
      }
    };
    for (std::uint64_t i = thread.executed_steps - shown; i < thread.executed_steps; ++i) {
      const std::string step = step_text(thread.recent_steps[i % ManagedThread::kRecentSteps]);
      if (step == previous) {
        ++repeats;
        continue;
      }
      flush();
      previous = step;
      repeats = 1;
    }
    flush();
    text.back() = '\n';
  }
  return text;
}

std::string describe_stuck_thread(int tid) {
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/syscall";
  std::FILE *file = std::fopen(path.c_str(), "r");
  if (file == nullptr) {
    return "stuck outside the runtime";
  }
  char text[64] = {};
  const bool read = std::fgets(text, sizeof text, file) != nullptr;
  std::fclose(file);
  if (!read) {
    return "stuck outside the runtime";
  }
  if (std::strncmp(text, "running", 7) == 0) {
    return "running code that has no yield points (a loop in uninstrumented code?)";
  }
  const long number = std::strtol(text, nullptr, 10);
  if (number < 0) {
    return "stuck outside the runtime";
  }
  const char *name = blocking_call_name(number);
  return name != nullptr ? std::string("blocked in the ") + name + "() system call"
                         : "blocked in system call " + std::to_string(number);
}

} // namespace interlace::rt::detail
