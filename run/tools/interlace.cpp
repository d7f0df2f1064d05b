// The `interlace` command. `interlace run [options] -- ./program args...` runs a program built
// with the interlace pass under a schedule search: it starts the program with the runner
// preloaded (run/src/program_entry.cpp), once per job, each job a shard of the search with a
// seed of its own, watches them, stops the others when one finds a failure, and prints that
// job's report. Exit status: 0 no failure, 1 a failure, 2 a usage error.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <elf.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "file_text.hpp"
#include "quoting.hpp"
#include "report.hpp"
#include "run_config.hpp"

namespace interlace::run {
namespace {

using Clock = std::chrono::steady_clock;
using detail::json_string;
using detail::shell_quote;

constexpr const char *kUsage =
    "usage: interlace run [options] -- ./program [args...]\n"
    "\n"
    "Runs a program built with the interlace pass (interlace-cc, interlace-c++ or\n"
    "interlace_instrument() in CMake) under a search of its thread interleavings; main is\n"
    "managed thread 0. Each execution starts from a fresh copy of the process at main.\n"
    "\n"
    "options:\n"
    "  --search S            automatic (default), random, pct, pos, surw\n"
    "  --seed N              the search's seed (default: a fresh one, printed)\n"
    "  --max-attempts N      executions to try, for all jobs and shards together (1000)\n"
    "  --time-limit SECONDS  for the whole run, shrinking included (60)\n"
    "  --jobs N              N executions in parallel, each job a shard of the search (1)\n"
    "  --shard I/N           run shard I (from 0) of N of the search: its share of the\n"
    "                        attempts, with a seed of its own (also GTEST_SHARD_INDEX and\n"
    "                        GTEST_TOTAL_SHARDS, or TEST_SHARD_INDEX and TEST_TOTAL_SHARDS)\n"
    "  --replay TOKEN        run only the schedule of a token a failure printed\n"
    "                        (INTERLACE_REPLAY=TOKEN does the same)\n"
    "  --json FILE           also write the result as JSON to FILE\n"
    "  --stdin FILE          every execution reads FILE as standard input (default /dev/null)\n"
    "  --fail-on-exit-code   a non-zero exit status of the program is a failure\n"
    "  --max-steps N         steps in one execution before it is a livelock (100000)\n"
    "  --stall-timeout SECONDS  no step for this long is a stall (10)\n"
    "  --verbose             explanations show every step\n"
    "  --isolation MODE      how each execution starts from main's image: rollback (default:\n"
    "                        in the program's process, which is then put back as it was) or\n"
    "                        fork (a child process per execution, slower)\n"
    "\n"
    "exit status: 0 no failure found, 1 a failure found (explained on stdout), 2 usage error\n";

class UsageFailure : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct Options {
  RunConfig config;
  int jobs = 1;
  std::optional<std::string> json;
  std::vector<std::string> program; // the program and its arguments
};

std::atomic<int> g_interrupted{0};

void on_interrupt(int signal) { g_interrupted.store(signal); }

// Does nothing, but a SIGCHLD with a handler interrupts the controller's wait (wait_for_jobs).
void on_child(int /*signal*/) {}

// The processors this process may run on, in order.
std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) {
        cpus.push_back(cpu);
      }
    }
  }
  return cpus;
}

template <class T> T parse_number(const std::string &option, const std::string &text, T min) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min) {
    throw UsageFailure(option + " expects a whole number of at least " + std::to_string(min) +
                       ", got '" + text + "'");
  }
  return value;
}

std::int64_t parse_seconds(const std::string &option, const std::string &text) {
  char *end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(seconds > 0) || seconds > 1e9) {
    throw UsageFailure(option + " expects a positive number of seconds, got '" + text + "'");
  }
  return static_cast<std::int64_t>(seconds * 1000);
}

std::pair<int, int> parse_shard(const std::string &where, const std::string &text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos) {
    throw UsageFailure(where + " expects I/N (shard I, from 0, of N), got '" + text + "'");
  }
  const int index = parse_number<int>(where, text.substr(0, slash), 0);
  const int count = parse_number<int>(where, text.substr(slash + 1), 1);
  if (index >= count) {
    throw UsageFailure(where + ": shard index " + std::to_string(index) +
                       " is not below the shard count " + std::to_string(count));
  }
  return {index, count};
}

std::optional<std::string> variable(const char *name) {
  const char *value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::optional<std::string>(value) : std::nullopt;
}

// The shard test runners ask for: GTEST_* (ctest with gtest_discover_tests, GoogleTest), then
// Bazel's TEST_*.
std::optional<std::pair<int, int>> shard_from_environment() {
  for (const auto &[index_name, total_name] :
       {std::pair{"GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS"},
        std::pair{"TEST_SHARD_INDEX", "TEST_TOTAL_SHARDS"}}) {
    const std::optional<std::string> index = variable(index_name);
    const std::optional<std::string> total = variable(total_name);
    if (index && total) {
      return parse_shard(std::string(index_name) + "/" + total_name, *index + "/" + *total);
    }
  }
  return std::nullopt;
}

Options parse_options(int argc, char **argv) {
  Options options;
  RunConfig &config = options.config;
  if (const auto seed = variable("INTERLACE_SEED")) {
    config.seed = parse_number<std::uint64_t>("INTERLACE_SEED", *seed, 0);
  }
  if (const auto attempts = variable("INTERLACE_MAX_ATTEMPTS")) {
    config.max_attempts = parse_number<int>("INTERLACE_MAX_ATTEMPTS", *attempts, 1);
  }
  if (const auto search = variable("INTERLACE_SEARCH")) {
    config.search = *search;
  }
  config.replay = variable("INTERLACE_REPLAY");
  std::optional<std::pair<int, int>> shard = shard_from_environment();
  std::vector<std::string> replay_options;
  int i = 2; // after "interlace run"
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        throw UsageFailure(arg + " needs a value");
      }
      return argv[++i];
    };
    if (arg == "--search") {
      config.search = value();
    } else if (arg == "--seed") {
      config.seed = parse_number<std::uint64_t>(arg, value(), 0);
    } else if (arg == "--max-attempts") {
      config.max_attempts = parse_number<int>(arg, value(), 1);
    } else if (arg == "--time-limit") {
      config.time_limit_ms = parse_seconds(arg, value());
    } else if (arg == "--jobs") {
      options.jobs = parse_number<int>(arg, value(), 1);
      if (options.jobs > kProgressSlots) {
        throw UsageFailure("--jobs is at most " + std::to_string(kProgressSlots));
      }
    } else if (arg == "--shard") {
      shard = parse_shard(arg, value());
    } else if (arg == "--replay") {
      config.replay = value();
    } else if (arg == "--json") {
      options.json = value();
    } else if (arg == "--stdin") {
      config.stdin_file = value();
      if (access(config.stdin_file.c_str(), R_OK) != 0) {
        throw UsageFailure("--stdin " + config.stdin_file + ": " + std::strerror(errno));
      }
      char resolved[PATH_MAX];
      if (realpath(config.stdin_file.c_str(), resolved) != nullptr) {
        config.stdin_file = resolved;
      }
      replay_options.push_back("--stdin " + shell_quote(config.stdin_file));
    } else if (arg == "--fail-on-exit-code") {
      config.fail_on_exit_code = true;
      replay_options.push_back(arg);
    } else if (arg == "--max-steps") {
      config.max_steps = parse_number<int>(arg, value(), 1);
      replay_options.push_back("--max-steps " + std::to_string(config.max_steps));
    } else if (arg == "--stall-timeout") {
      config.stall_timeout_ms = parse_seconds(arg, value());
    } else if (arg == "--verbose") {
      config.verbose = true;
    } else if (arg == "--isolation") {
      const std::string mode = value();
      if (mode != "rollback" && mode != "fork") {
        throw UsageFailure("--isolation expects rollback or fork, got '" + mode + "'");
      }
      config.fork_each_execution = mode == "fork";
    } else {
      throw UsageFailure("unknown option '" + arg +
                         "' (interlace run --help lists them; the "
                         "program and its arguments go after --)");
    }
  }
  for (; i < argc; ++i) {
    options.program.emplace_back(argv[i]);
  }
  if (options.program.empty()) {
    throw UsageFailure("no program given: interlace run [options] -- ./program args...");
  }
  if (shard) {
    config.shard_index = shard->first;
    config.shard_count = shard->second;
  }
  std::string command = "interlace run";
  for (const std::string &option : replay_options) {
    command += " " + option;
  }
  command += " --";
  for (const std::string &word : options.program) {
    command += " " + shell_quote(word);
  }
  config.rerun_command = command;
  return options;
}

std::string read_file(const std::string &path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string text;
  text.resize(limit);
  in.read(text.data(), static_cast<std::streamsize>(limit));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// The program as a path, checked: it exists, runs, and was built for interlace run.
std::string check_program(const std::string &name) {
  std::string path = name;
  if (name.find('/') == std::string::npos) {
    const std::string paths = variable("PATH").value_or("/usr/bin:/bin");
    path.clear();
    for (std::size_t at = 0; at <= paths.size();) {
      const std::size_t end = std::min(paths.find(':', at), paths.size());
      const std::string candidate = paths.substr(at, end - at) + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) {
        path = candidate;
        break;
      }
      at = end + 1;
    }
    if (path.empty()) {
      throw UsageFailure(name + ": no such program in PATH (give its path, e.g. ./" + name + ")");
    }
  }
  struct stat info{};
  if (stat(path.c_str(), &info) != 0) {
    throw UsageFailure(path + ": " + std::strerror(errno) +
                       " (build it first, e.g. interlace-cc "
                       "-o " +
                       path + " " + path + ".c)");
  }
  if (!S_ISREG(info.st_mode)) {
    throw UsageFailure(path + " is not a regular file");
  }
  if (access(path.c_str(), X_OK) != 0) {
    throw UsageFailure(path + " is not executable (chmod +x " + path + ", or build it again)");
  }
  const std::string head = read_file(path, sizeof(Elf64_Ehdr));
  if (head.starts_with("#!")) {
    throw UsageFailure(path + " is a script; run interlace on the program it starts");
  }
  if (head.size() < sizeof(Elf64_Ehdr) || std::memcmp(head.data(), ELFMAG, SELFMAG) != 0) {
    throw UsageFailure(path + " is not an ELF program");
  }
  const std::string image = read_file(path, static_cast<std::size_t>(info.st_size));
  Elf64_Ehdr header{};
  std::memcpy(&header, image.data(), sizeof header);
  bool dynamic = false;
  for (int k = 0; k < header.e_phnum; ++k) {
    const std::size_t at = header.e_phoff + static_cast<std::size_t>(k) * header.e_phentsize;
    if (at + sizeof(Elf64_Phdr) > image.size()) {
      break;
    }
    Elf64_Phdr segment{};
    std::memcpy(&segment, image.data() + at, sizeof segment);
    dynamic = dynamic || segment.p_type == PT_INTERP;
  }
  if (!dynamic) {
    throw UsageFailure(path + " is statically linked; interlace run needs a dynamically linked "
                              "program (drop -static)");
  }
  // An instrumented module registers itself with the runtime: its name is in the program's
  // dynamic symbol table.
  constexpr const char *kFix =
      "Rebuild it with interlace-cc or interlace-c++ (e.g. make "
      "CC=interlace-cc CXX=interlace-c++), or interlace_instrument(<target>) "
      "in CMake.";
  if (image.find("__interlace_register_module") == std::string::npos) {
    throw UsageFailure(path +
                       " was not built with the interlace pass, so interlace cannot "
                       "switch its threads. " +
                       kFix);
  }
  // The runner linked into it (program_entry.cpp) names its protocol.
  const std::string marker = "interlace-run-protocol-" + std::to_string(kRunProtocol);
  if (image.find(marker + '\0') == std::string::npos) {
    throw UsageFailure(
        path +
        (image.find("interlace-run-protocol-") != std::string::npos
             ? " was linked with the runner of another interlace version. "
             : " was compiled with the interlace pass but not linked with its runner "
               "(libinterlace_program.a). ") +
        kFix);
  }
  return path;
}

struct Job {
  pid_t pid = -1;
  int result_fd = -1;
  bool done = false;
  int status = 0;
  bool forked = false; // a fork per execution
  int slot = 0;        // its progress slot: its shard index modulo kProgressSlots
};

int memory_file(const char *name, std::size_t size) {
  const int fd = memfd_create(name, 0); // inherited by the programs: no MFD_CLOEXEC
  if (fd < 0 || ftruncate(fd, static_cast<off_t>(size)) != 0) {
    throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
  }
  return fd;
}

const char *search_name(std::uint64_t search) {
  static const char *const kNames[] = {"automatic", "random", "pct", "pos", "surw", "dpor"};
  return search < std::size(kNames) ? kNames[search] : "?";
}

class Run {
public:
  explicit Run(Options options) : options_(std::move(options)) {}

  int execute() {
    const std::string program = check_program(options_.program[0]);
    progress_fd_ = memory_file("interlace-progress", sizeof(ProgressSlot) * kProgressSlots);
    void *page = mmap(nullptr, sizeof(ProgressSlot) * kProgressSlots, PROT_READ | PROT_WRITE,
                      MAP_SHARED, progress_fd_, 0);
    if (page == MAP_FAILED) {
      throw std::runtime_error(std::string("mmap: ") + std::strerror(errno));
    }
    slots_ = static_cast<ProgressSlot *>(page);
    // Descendants that lose their parent come to us, so none outlives the run unseen.
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    const int jobs = options_.config.replay ? 1 : options_.jobs;
    if (!options_.config.seed) {
      // One seed for every job, printed with the result, so the whole run can be repeated.
      std::random_device device;
      options_.config.seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
    }
    start_ = Clock::now();
    cpus_ = allowed_cpus();
    program_ = program;
    for (int j = 0; j < jobs; ++j) {
      jobs_.push_back(start_job(j, jobs, options_.config.fork_each_execution));
    }
    const std::optional<std::size_t> decisive = wait_for_jobs();
    stop_all();
    return finish(decisive);
  }

private:
  Job start_job(int j, int jobs, bool forked) {
    // Job j of J in shard I of N is shard I*J + j of N*J: its share of the attempts, its
    // own seed (run_config.hpp), the same partition however the work is spread.
    RunConfig config = options_.config;
    if (!config.replay) {
      config.shard_index = options_.config.shard_index * jobs + j;
      config.shard_count = options_.config.shard_count * jobs;
    }
    config.fork_each_execution = forked;
    // A job started again (see fall_back) gets what is left of the time limit.
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
    config.time_limit_ms = std::max<std::int64_t>(config.time_limit_ms - elapsed, 1000);
    const std::string &program = program_;
    Job job;
    job.forked = forked;
    job.slot = config.shard_index % kProgressSlots;
    job.result_fd = memory_file("interlace-result", 0);
    config.result_fd = job.result_fd;
    config.progress_fd = progress_fd_;
    const std::string encoded = encode(config);
    std::vector<std::string> arguments = options_.program;
    arguments[0] = program;
    const pid_t pid = fork();
    if (pid < 0) {
      throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
      setpgid(0, 0);
      // Each job, its server and all its executions, runs on one processor: an execution's
      // threads run one at a time anyway, and on one processor its forks, thread starts,
      // handoffs and page faults need no other processor (no wakeup or TLB flush across
      // processors), which on the 2-core VM of docs/performance.md is most of what an
      // execution costs. Jobs take the processors we may use in turn.
      if (cpus_.size() > 1) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpus_[static_cast<std::size_t>(j) % cpus_.size()], &one);
        sched_setaffinity(0, sizeof one, &one);
      }
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      setenv(kProtocolVariable, std::to_string(kRunProtocol).c_str(), 1);
      setenv(kOptionsVariable, encoded.c_str(), 1);
      // Every execution starts from the server's image (a fork of it, or its memory put back):
      // symbols bound lazily would be looked up again in each one, so bind them all once.
      setenv("LD_BIND_NOW", "1", 1);
      const std::string tunables = variable(kTunablesVariable).value_or("");
      setenv(kTunablesVariable,
             ((tunables.empty() ? "" : tunables + ":") + kStackCacheTunable).c_str(), 1);
      // A sanitizer's report ends the execution (forked_execution.cpp): UBSan's too.
      const std::string ubsan = variable("UBSAN_OPTIONS").value_or("");
      setenv("UBSAN_OPTIONS", ("halt_on_error=1:print_stacktrace=1:" + ubsan).c_str(), 1);
      std::vector<char *> argv;
      argv.reserve(arguments.size() + 1);
      for (std::string &word : arguments) {
        argv.push_back(word.data());
      }
      argv.push_back(nullptr);
      execv(program.c_str(), argv.data());
      std::fprintf(stderr, "interlace run: cannot start %s: %s\n", program.c_str(),
                   std::strerror(errno));
      _exit(2);
    }
    setpgid(pid, pid); // also here, so that stop_all() finds the group whoever runs first
    job.pid = pid;
    return job;
  }

  // Waits until every job ended, or one found a failure or a usage error (its index), or the
  // time limit (plus what an execution may take to notice it) passed. Between two looks it
  // sleeps until a child changes state, a signal comes or the next progress line is due, so
  // that it takes no processor time from the executions.
  std::optional<std::size_t> wait_for_jobs() {
    const auto hard_limit = start_ + std::chrono::milliseconds(options_.config.time_limit_ms) +
                            std::chrono::milliseconds(options_.config.stall_timeout_ms) +
                            std::chrono::seconds(10);
    auto next_progress = start_ + std::chrono::seconds(1);
    // SIGCHLD, SIGINT and SIGTERM stay blocked while we look, and are let in only by the
    // sleep (ppoll), so none that comes after a look can be missed.
    sigset_t watched;
    sigemptyset(&watched);
    sigaddset(&watched, SIGCHLD);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGTERM);
    sigset_t previous;
    sigprocmask(SIG_BLOCK, &watched, &previous);
    sigset_t sleeping = previous;
    sigdelset(&sleeping, SIGCHLD);
    sigdelset(&sleeping, SIGINT);
    sigdelset(&sleeping, SIGTERM);
    const std::optional<std::size_t> decisive = watch_jobs(hard_limit, next_progress, sleeping);
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    return decisive;
  }

  std::optional<std::size_t> watch_jobs(Clock::time_point hard_limit,
                                        Clock::time_point next_progress,
                                        const sigset_t &sleeping_mask) {
    for (;;) {
      int status = 0;
      const pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid > 0) {
        bool restarted = false;
        for (std::size_t j = 0; j < jobs_.size(); ++j) {
          if (jobs_[j].pid == pid) {
            jobs_[j].done = true;
            jobs_[j].status = status;
            if (should_fall_back(jobs_[j])) {
              fall_back(j);
              restarted = true;
            } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
              return j;
            }
          }
        }
        if (restarted) {
          continue;
        }
        if (std::ranges::all_of(jobs_, [](const Job &job) { return job.done; })) {
          return std::nullopt;
        }
        continue; // an orphaned descendant, or a job that found nothing
      }
      if (g_interrupted.load() != 0) {
        interrupted_ = true;
        return std::nullopt;
      }
      const Clock::time_point now = Clock::now();
      if (now >= hard_limit) {
        timed_out_ = true;
        return std::nullopt;
      }
      if (now >= next_progress) {
        show_progress(now);
        next_progress = now + std::chrono::seconds(isatty(STDERR_FILENO) != 0 ? 1 : 10);
      }
      const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::min(next_progress, hard_limit) - now);
      const struct timespec timeout{.tv_sec = static_cast<time_t>(wait.count() / 1'000'000'000),
                                    .tv_nsec = static_cast<long>(wait.count() % 1'000'000'000)};
      ppoll(nullptr, 0, &timeout, &sleeping_mask);
    }
  }

  // A job whose executions ran in its own process (RollbackExecutor) and that ended without a
  // report: an execution left what could not be put back (it said so), or ended or replaced
  // the process itself. Run again with a fork per execution, the job reports it as it should.
  bool should_fall_back(const Job &job) const {
    return !job.forked && !interrupted_ && file_text(job.result_fd).empty();
  }

  void fall_back(std::size_t j) {
    Job &job = jobs_[j];
    if (!WIFEXITED(job.status) || WEXITSTATUS(job.status) != kCannotRollBackStatus) {
      std::fprintf(stderr,
                   "interlace run: the program's process ended (%s) during an execution in it; "
                   "running the search again with a process per execution\n",
                   WIFSIGNALED(job.status)
                       ? ("signal " + std::to_string(WTERMSIG(job.status))).c_str()
                       : ("status " + std::to_string(WEXITSTATUS(job.status))).c_str());
    } else {
      std::fprintf(stderr, "interlace run: running the search again with a process per "
                           "execution (--isolation fork)\n");
    }
    kill(-job.pid, SIGKILL); // what the program started in its group
    close(job.result_fd);
    ProgressSlot &slot = slots_[job.slot];
    std::atomic_ref(slot.runs).store(0, std::memory_order_relaxed);
    std::atomic_ref(slot.executions).store(0, std::memory_order_relaxed);
    std::atomic_ref(slot.distinct).store(0, std::memory_order_relaxed);
    job = start_job(static_cast<int>(j), static_cast<int>(jobs_.size()), true);
  }

  void show_progress(Clock::time_point now) {
    std::uint64_t runs = 0;
    std::uint64_t distinct = 0;
    for (const Job &job : jobs_) {
      ProgressSlot &slot = slots_[job.slot];
      runs += std::atomic_ref(slot.runs).load(std::memory_order_relaxed);
      distinct += std::atomic_ref(slot.distinct).load(std::memory_order_relaxed);
    }
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const char *search = search_name(std::atomic_ref(slots_[jobs_[0].slot].search).load());
    const bool tty = isatty(STDERR_FILENO) != 0;
    // Executions of every kind (the search's, shrinking, replays), so the rate is the runner's.
    std::fprintf(stderr,
                 "%sinterlace run: %llu executions, %.0f/s, %llu distinct interleavings, "
                 "%.0f s, search %s%s",
                 tty ? "\r" : "", static_cast<unsigned long long>(runs),
                 elapsed > 0 ? static_cast<double>(runs) / elapsed : 0.0,
                 static_cast<unsigned long long>(distinct), elapsed, search, tty ? "   " : "\n");
    progress_shown_ = true;
  }

  // Ends every job's process group (its executions, and what they started), then every process
  // that is still a child of ours: as a subreaper we inherit the descendants whose parent died,
  // also those that left the job's group (setsid). Returns once none is left, or after 5 s.
  void stop_all() {
    for (const Job &job : jobs_) {
      kill(-job.pid, SIGKILL);
    }
    const Clock::time_point give_up = Clock::now() + std::chrono::seconds(5);
    for (;;) {
      int status = 0;
      const pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid > 0) {
        for (Job &job : jobs_) {
          if (job.pid == pid && !job.done) {
            job.done = true;
            job.status = status;
          }
        }
        continue;
      }
      if (pid < 0 && errno == ECHILD) {
        break; // no child left, orphans included
      }
      if (Clock::now() >= give_up) {
        std::fprintf(stderr, "interlace run: some processes the program started did not end\n");
        break;
      }
      for (const pid_t child : own_children()) {
        kill(child, SIGKILL);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (progress_shown_ && isatty(STDERR_FILENO) != 0) {
      std::fputs("\n", stderr);
    }
  }

  // This process's children, from /proc (orphans reparented to us included).
  static std::vector<pid_t> own_children() {
    std::vector<pid_t> children;
    const std::string path = "/proc/self/task/" + std::to_string(gettid()) + "/children";
    std::ifstream in(path);
    for (long pid = 0; in >> pid;) {
      children.push_back(static_cast<pid_t>(pid));
    }
    return children;
  }

  int finish(std::optional<std::size_t> decisive) {
    if (interrupted_) {
      std::fprintf(stderr, "interlace run: interrupted; every execution was stopped\n");
      return 2;
    }
    std::vector<ProgramReport> reports;
    reports.reserve(jobs_.size());
    for (const Job &job : jobs_) {
      reports.push_back(parse_report(file_text(job.result_fd)));
    }
    const std::size_t chosen = decisive.value_or(0);
    const Job &job = jobs_[chosen];
    const std::string raw = file_text(job.result_fd);
    if (raw.empty()) {
      if (timed_out_) {
        std::fprintf(stderr, "interlace run: the program did not finish within the time limit "
                             "and was stopped\n");
        return 2;
      }
      std::fprintf(stderr,
                   "interlace run: %s ended (%s) before interlace could run it: see its message "
                   "above\n",
                   options_.program[0].c_str(),
                   WIFSIGNALED(job.status)
                       ? ("signal " + std::to_string(WTERMSIG(job.status))).c_str()
                       : ("status " + std::to_string(WEXITSTATUS(job.status))).c_str());
      return 2;
    }
    ProgramReport report = reports[chosen];
    if (report.verdict == ProgramReport::Verdict::UsageError) {
      std::fprintf(stderr, "interlace run: %s\n", report.message.c_str());
      return 2;
    }
    int executions = 0;
    int distinct = 0;
    bool exhaustive = true;
    for (std::size_t j = 0; j < jobs_.size(); ++j) {
      executions += static_cast<int>(slots_[jobs_[j].slot].executions);
      distinct += static_cast<int>(slots_[jobs_[j].slot].distinct);
      exhaustive = exhaustive && reports[j].exhaustive;
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    std::fputs(report.explanation.c_str(), stdout);
    if (jobs_.size() > 1) {
      std::printf("  %d jobs ran %d executions in all (%d distinct interleavings) in %.1f s\n",
                  static_cast<int>(jobs_.size()), executions, distinct, elapsed);
    }
    if (report.verdict == ProgramReport::Verdict::Holds && timed_out_) {
      std::printf("  stopped at the time limit\n");
    }
    std::fflush(stdout);
    if (options_.json) {
      write_json(*options_.json, report, executions, distinct, exhaustive, elapsed);
    }
    return report.verdict == ProgramReport::Verdict::Failure ? 1 : 0;
  }

  void write_json(const std::string &path, const ProgramReport &report, int executions,
                  int distinct, bool exhaustive, double elapsed) {
    const bool failed = report.verdict == ProgramReport::Verdict::Failure;
    std::string schedule = "[";
    for (std::size_t at = 0; at < report.schedule.size();) {
      const std::size_t end = std::min(report.schedule.find('_', at), report.schedule.size());
      const std::string run = report.schedule.substr(at, end - at);
      const std::size_t dot = run.find('.');
      schedule += std::string(schedule.size() > 1 ? "," : "") +
                  "{\"thread\":" + run.substr(0, dot) + ",\"steps\":" + run.substr(dot + 1) + "}";
      at = end + 1;
    }
    schedule += "]";
    std::string command = options_.config.rerun_command;
    if (failed) {
      command.insert(std::string("interlace run ").size(), "--replay " + report.token + " ");
    }
    const std::string text =
        "{\n  \"verdict\": " + json_string(failed ? "failure" : "holds") +
        ",\n  \"kind\": " + (failed ? json_string(report.kind) : "null") +
        ",\n  \"message\": " + (failed ? json_string(report.message) : "null") +
        ",\n  \"program\": " + json_string(options_.program[0]) +
        ",\n  \"seed\": " + std::to_string(report.seed) +
        ",\n  \"shard\": " + json_string(report.shard) +
        ",\n  \"search\": " + json_string(report.search) +
        ",\n  \"executions\": " + std::to_string(executions) +
        ",\n  \"distinct_interleavings\": " + std::to_string(distinct) +
        ",\n  \"exhaustive\": " + (exhaustive && !failed ? "true" : "false") +
        ",\n  \"jobs\": " + std::to_string(jobs_.size()) +
        ",\n  \"elapsed_seconds\": " + std::to_string(elapsed) +
        ",\n  \"preemptions\": " + (failed ? std::to_string(report.preemptions) : "null") +
        ",\n  \"schedule\": " + (failed ? schedule : "null") +
        ",\n  \"token\": " + (failed ? json_string(report.token) : "null") +
        ",\n  \"replay_command\": " + (failed ? json_string(command) : "null") +
        ",\n  \"explanation\": " + json_string(report.explanation) + "\n}\n";
    std::ofstream out(path);
    out << text;
    if (!out) {
      std::fprintf(stderr, "interlace run: cannot write --json %s\n", path.c_str());
    }
  }

  Options options_;
  std::vector<Job> jobs_;
  std::string program_; // the checked path
  int progress_fd_ = -1;
  ProgressSlot *slots_ = nullptr;
  Clock::time_point start_;
  bool timed_out_ = false;
  bool interrupted_ = false;
  bool progress_shown_ = false;
  std::vector<int> cpus_; // the processors the jobs run on, in turn
};

} // namespace
} // namespace interlace::run

int main(int argc, char **argv) {
  using namespace interlace::run;
  if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::string_view(argv[1]) != "run") {
    std::fprintf(stderr, "interlace: unknown command '%s'\n%s", argv[1], kUsage);
    return 2;
  }
  struct sigaction action{};
  action.sa_handler = &on_interrupt;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  struct sigaction child{};
  child.sa_handler = &on_child;
  child.sa_flags = SA_RESTART;
  sigaction(SIGCHLD, &child, nullptr);
  try {
    return Run(parse_options(argc, argv)).execute();
  } catch (const UsageFailure &error) {
    std::fprintf(stderr, "interlace run: %s\n", error.what());
    return 2;
  } catch (const std::exception &error) {
    std::fprintf(stderr, "interlace run: %s\n", error.what());
    return 2;
  }
}
