// The whole-program runner's figures (docs/performance.md): what one process per execution
// costs, and how many executions per second `interlace run` gets through.
//
//   bench_programs [ATTEMPTS]   (6 000)
//
// fork_us: fork, _exit in the child, waitpid in the parent, from a small process.
// fork_threads_us: the same with the child starting and joining two threads first, as an
//   execution of a two-thread program must (a pooled worker does not survive the fork).
// fork_one_cpu_us, fork_threads_one_cpu_us: the same two on one processor, as `interlace run`
//   runs each job (docs/performance.md).
// run_exec_per_s_jobs1, _jobs2: `interlace run --jobs N` on a two-thread C program with a few
//   dozen shared accesses (program_two_threads.c), executions over the run's own elapsed time,
//   with each execution rolled back in the program's process (the default isolation).
// run_fork_exec_per_s_jobs1, _jobs2: the same with --isolation fork, a process per execution;
//   the two isolations' runs alternate, so that both see the same load.
// fault_us: the first write to a fresh anonymous page (what a forked child pays for each page it
//   copies, and any design that returns memory to the kernel between executions).
// soft_dirty: 1 when this kernel tracks written pages (/proc/self/clear_refs "4" and the
//   soft-dirty bit of /proc/self/pagemap), which a snapshot-and-restore runner would build on.
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

void *nothing(void *arg) { return arg; }

double fork_microseconds(int threads, int rounds) {
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < rounds; ++i) {
    const pid_t child = fork();
    if (child == 0) {
      for (int t = 0; t < threads; ++t) {
        pthread_t thread;
        pthread_create(&thread, nullptr, &nothing, nullptr);
        pthread_join(thread, nullptr);
      }
      _exit(0);
    }
    waitpid(child, nullptr, 0);
  }
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / rounds;
}

// Runs `measure` on the processor this thread is on, then lets it run anywhere again.
template <class Measure> double on_one_cpu(Measure measure) {
  cpu_set_t all;
  sched_getaffinity(0, sizeof all, &all);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  sched_setaffinity(0, sizeof one, &one);
  const double result = measure();
  sched_setaffinity(0, sizeof all, &all);
  return result;
}

double median(std::vector<double> values) {
  std::ranges::sort(values);
  return values[values.size() / 2];
}

std::string json_number(const std::string &text, const std::string &key) {
  const std::size_t at = text.find("\"" + key + "\": ");
  if (at == std::string::npos) {
    return "";
  }
  const std::size_t begin = at + key.size() + 4;
  return text.substr(begin, text.find_first_of(",\n", begin) - begin);
}

// Executions per second of one `interlace run`, from its JSON.
double run_rate(const std::string &bin, const char *isolation, int jobs, int attempts) {
  const std::string json = "/tmp/bench_programs_" + std::to_string(getpid()) + ".json";
  const std::string command = bin + "/interlace run --seed 1 --search pos --max-attempts " +
                              std::to_string(attempts) + " --jobs " + std::to_string(jobs) +
                              " --isolation " + isolation + " --json " + json + " -- " + bin +
                              "/bench_program_two_threads >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "bench_programs: %s failed\n", command.c_str());
    std::exit(1);
  }
  std::ifstream in(json);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(json.c_str());
  return std::stod(json_number(text, "executions")) /
         std::stod(json_number(text, "elapsed_seconds"));
}

double fault_microseconds(int pages) {
  const std::size_t size = static_cast<std::size_t>(pages) * 4096;
  void *memory = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    return -1;
  }
  madvise(memory, size, MADV_NOHUGEPAGE); // one fault per page, not per huge page
  auto *bytes = static_cast<volatile char *>(memory);
  const Clock::time_point start = Clock::now();
  for (int page = 0; page < pages; ++page) {
    bytes[static_cast<std::size_t>(page) * 4096] = 1;
  }
  const double elapsed = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  munmap(memory, size);
  return elapsed / pages;
}

// Clears the soft-dirty bits, writes one page, and reads its bit back.
bool soft_dirty_works() {
  static char page[4096] __attribute__((aligned(4096)));
  page[0] = 1;
  const int clear = open("/proc/self/clear_refs", O_WRONLY);
  const int map = open("/proc/self/pagemap", O_RDONLY);
  bool works = false;
  if (clear >= 0 && map >= 0 && write(clear, "4", 1) == 1) {
    page[0] = 2;
    std::uint64_t entry = 0;
    const off_t at = static_cast<off_t>(reinterpret_cast<std::uintptr_t>(page) / 4096 * 8);
    works = pread(map, &entry, sizeof entry, at) == sizeof entry && ((entry >> 55) & 1) != 0;
  }
  if (clear >= 0) {
    close(clear);
  }
  if (map >= 0) {
    close(map);
  }
  return works;
}

} // namespace

int main(int argc, char **argv) {
  // Enough that each of two jobs runs a second or more: a job's start (20 ms) and its first
  // executions (which learn the pages and thread stacks the later ones reuse) are amortised.
  const int attempts = argc > 1 ? std::atoi(argv[1]) : 6000;
  std::string bin = argv[0];
  bin = bin.substr(0, bin.rfind('/'));
  std::vector<double> plain;
  std::vector<double> threaded;
  std::vector<double> plain_one_cpu;
  std::vector<double> threaded_one_cpu;
  for (int i = 0; i < 5; ++i) {
    plain.push_back(fork_microseconds(0, 200));
    threaded.push_back(fork_microseconds(2, 200));
    plain_one_cpu.push_back(on_one_cpu([] { return fork_microseconds(0, 200); }));
    threaded_one_cpu.push_back(on_one_cpu([] { return fork_microseconds(2, 200); }));
  }
  std::printf("fork_us %.0f us\n", median(plain));
  std::printf("fork_threads_us %.0f us\n", median(threaded));
  std::printf("fork_one_cpu_us %.0f us\n", median(plain_one_cpu));
  std::printf("fork_threads_one_cpu_us %.0f us\n", median(threaded_one_cpu));
  std::vector<double> faults;
  for (int i = 0; i < 5; ++i) {
    faults.push_back(fault_microseconds(256));
  }
  std::printf("fault_us %.1f us\n", median(faults));
  std::printf("soft_dirty %d\n", soft_dirty_works() ? 1 : 0);
  for (const int jobs : {1, 2}) {
    constexpr int kRuns = 3;
    std::vector<double> rollback;
    std::vector<double> forked;
    for (int i = 0; i < kRuns; ++i) {
      rollback.push_back(run_rate(bin, "rollback", jobs, attempts));
      forked.push_back(run_rate(bin, "fork", jobs, attempts / 4));
    }
    std::printf("run_exec_per_s_jobs%d %.0f executions/s\n", jobs, median(rollback));
    std::printf("run_fork_exec_per_s_jobs%d %.0f executions/s\n", jobs, median(forked));
  }
  return 0;
}
