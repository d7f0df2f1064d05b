// The DPOR table: the classic benchmarks (test/explore/dpor_programs.hpp) explored by
// Search::dpor, with their complete executions, time and executions per second, and, where the
// peers are built (../shared/peers: GenMC and Nidhugg from their public sources, in $PEERS or
// /tmp/peers), theirs on the same programs in the same run, one fresh process each (their time
// is the one they report, without the compile).
//
//   bench_dpor            every row, both sizes
//   bench_dpor --quick    the small sizes only
//   bench_dpor --no-peers ours only
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "../test/explore/dpor_programs.hpp"

namespace {

using namespace interlace::dpor_programs; // NOLINT(google-build-using-namespace)

struct Row {
  const char *name;
  const char *parameter; // "N=8", or "-"
  long expected;         // Nidhugg's and GenMC's count
  bool small;            // in the test suite too
  std::function<std::pair<long, double>()> run;
  const char *source;      // relative to $PEERS
  const char *define;      // -D for the peers, or ""
  const char *genmc_flags; // extra GenMC flags
  const char *genmc_source;
};

template <class State> std::pair<long, double> measure() {
  const auto start = std::chrono::steady_clock::now();
  const auto result = explore_all<State>();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!result.property_holds || !result.exhaustive) {
    std::fprintf(stderr, "bench_dpor: unexpected verdict:\n%s\n", result.explanation.c_str());
  }
  return {complete_executions(result), seconds};
}

struct PeerResult {
  std::optional<long> executions;
  std::optional<double> seconds;
};

std::string run_command(const std::string &command) {
  std::string output;
  FILE *pipe = popen(command.c_str(), "r"); // NOLINT(cert-env33-c): the peers are programs
  if (pipe == nullptr) {
    return output;
  }
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
    output += buffer.data();
  }
  pclose(pipe);
  return output;
}

std::optional<double> number_after(const std::string &text, const std::string &label) {
  const std::regex pattern(label + "\\s*([0-9.]+)");
  std::smatch match;
  if (std::regex_search(text, match, pattern)) {
    return std::stod(match[1]);
  }
  return std::nullopt;
}

PeerResult genmc(const std::string &peers, const Row &row) {
  const std::string binary = peers + "/genmc/genmc";
  if (!std::filesystem::exists(binary)) {
    return {};
  }
  const std::string source = peers + "/" + row.genmc_source;
  const std::string output =
      run_command("timeout 120 " + binary + " --sc --disable-estimation " + row.genmc_flags +
                  " -- " + row.define + " " + source + " 2>&1");
  PeerResult result;
  if (auto count = number_after(output, "Number of complete executions explored:")) {
    result.executions = static_cast<long>(*count);
  }
  result.seconds = number_after(output, "Total wall-clock time:");
  return result;
}

PeerResult nidhugg(const std::string &peers, const Row &row) {
  const std::string binary = peers + "/install/nidhugg/bin/nidhuggc";
  if (!std::filesystem::exists(binary)) {
    return {};
  }
  const std::string output =
      run_command("timeout 120 " + binary + " " + row.define + " -- --sc --optimal " + peers + "/" +
                  row.source + " 2>&1");
  PeerResult result;
  if (auto count = number_after(output, "Trace count:")) {
    result.executions = static_cast<long>(*count);
  }
  result.seconds = number_after(output, "Total wall-clock time:");
  return result;
}

std::string cell(const std::optional<long> &executions, const std::optional<double> &seconds) {
  if (!executions || !seconds) {
    return "–";
  }
  std::array<char, 96> text{};
  std::snprintf(text.data(), text.size(), "%ld in %.2f s (%.0f/s)", *executions, *seconds,
                *seconds > 0 ? static_cast<double>(*executions) / *seconds : 0.0);
  return text.data();
}

} // namespace

int main(int argc, char **argv) {
  bool quick = false;
  bool peers_too = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      quick = true;
    } else if (arg == "--no-peers") {
      peers_too = false;
    } else {
      std::fprintf(stderr, "usage: bench_dpor [--quick] [--no-peers]\n");
      return 2;
    }
  }
  const char *env = std::getenv("PEERS");
  const std::string peers = env != nullptr ? env : "/tmp/peers";
  constexpr const char *kReaders = "nidhugg/benchmarks/from_RCMC/readers.c";
  constexpr const char *kLastZero = "nidhugg/benchmarks/from_CONCUERROR/lastzero.c";
  constexpr const char *kIndexer = "genmc/tests/correct/synthetic/indexer/variants/indexer0.c";
  constexpr const char *kFileSystem = "nidhugg/benchmarks/from_TRACER/filesystem.c";
  constexpr const char *kCoherence = "nidhugg/benchmarks/from_TRACER/CO-2+2W.c";
  constexpr const char *kSzymanski = "nidhugg/benchmarks/SV-COMP/szymanski.c";
  constexpr const char *kDijkstra = "nidhugg/benchmarks/from_TRACER/dijkstra.c";
  constexpr const char *kPeterson = "nidhugg/benchmarks/from_TRACER/peterson.c";
  constexpr const char *kParker = "nidhugg/benchmarks/from_DCDPOR/parker.c";
  // run-dpor.sh's copy of parker.c for GenMC (its __VERIFIER_assume declaration differs).
  constexpr const char *kParkerGenmc = "work/parker-genmc.c";
  const std::vector<Row> rows = {
      {"readers", "N=8", 256, true, measure<Readers<8>>, kReaders, "-DN=8", "", kReaders},
      {"readers", "N=13", 8192, false, measure<Readers<13>>, kReaders, "-DN=13", "", kReaders},
      {"lastzero", "N=10", 3328, true, measure<LastZero<10>>, kLastZero, "-DN=10", "", kLastZero},
      {"lastzero", "N=14", 69632, false, measure<LastZero<14>>, kLastZero, "-DN=14", "", kLastZero},
      {"indexer", "N=13", 64, true, measure<Indexer<13>>, kIndexer, "-DN=13", "", kIndexer},
      {"indexer", "N=15", 4096, false, measure<Indexer<15>>, kIndexer, "-DN=15", "", kIndexer},
      {"filesystem", "18 threads", 32, true, measure<FileSystem<18>>, kFileSystem,
       "-DNUM_THREADS=18", "", kFileSystem},
      {"filesystem", "22 threads", 512, false, measure<FileSystem<22>>, kFileSystem,
       "-DNUM_THREADS=22", "", kFileSystem},
      {"CO-2+2W", "N=4", 2520, true, measure<Coherence2W<4>>, kCoherence, "-DN=4", "", kCoherence},
      {"CO-2+2W", "N=5", 113400, false, measure<Coherence2W<5>>, kCoherence, "-DN=5", "",
       kCoherence},
      {"szymanski", "-", 22945, true, measure<Szymanski>, kSzymanski, "", "", kSzymanski},
      {"dijkstra", "-", 135, true, measure<Dijkstra>, kDijkstra, "", "", kDijkstra},
      {"peterson", "-", 2420, true, measure<Peterson>, kPeterson, "", "", kPeterson},
      {"parker", "N=8", 2008, true, measure<Parker<8>>, kParker, "-DN=8", "--disable-ipr",
       kParkerGenmc},
      {"parker", "N=12", 6180, false, measure<Parker<12>>, kParker, "-DN=12", "--disable-ipr",
       kParkerGenmc},
  };
  if (peers_too && std::filesystem::exists(peers + "/nidhugg/benchmarks/from_DCDPOR/parker.c")) {
    std::filesystem::create_directories(peers + "/work");
    run_command("sed 's/^void __VERIFIER_assume(int);/#include <genmc.h>/' " + peers +
                "/nidhugg/benchmarks/from_DCDPOR/parker.c > " + peers + "/" + kParkerGenmc);
  }

  std::printf("DPOR: complete executions of the classic benchmarks (Search::dpor; peers: %s)\n\n",
              peers_too ? peers.c_str() : "not run");
  std::printf("| benchmark | size | expected | interlace | GenMC --sc | Nidhugg --sc --optimal | "
              "interlace / GenMC (exec/s) |\n|---|---|---|---|---|---|---|\n");
  bool all_match = true;
  for (const Row &row : rows) {
    if (quick && !row.small) {
      continue;
    }
    const auto [executions, seconds] = row.run();
    all_match = all_match && executions == row.expected;
    PeerResult g;
    PeerResult n;
    if (peers_too) {
      g = genmc(peers, row);
      n = nidhugg(peers, row);
    }
    std::string ratio = "–";
    if (g.executions && g.seconds && *g.seconds > 0 && seconds > 0) {
      const double ours = static_cast<double>(executions) / seconds;
      const double theirs = static_cast<double>(*g.executions) / *g.seconds;
      std::array<char, 32> text{};
      std::snprintf(text.data(), text.size(), "%.2f×", ours / theirs);
      ratio = text.data();
    }
    std::printf("| %s | %s | %ld | %s%s | %s | %s | %s |\n", row.name, row.parameter, row.expected,
                cell(executions, seconds).c_str(), executions == row.expected ? "" : " MISMATCH",
                cell(g.executions, g.seconds).c_str(), cell(n.executions, n.seconds).c_str(),
                ratio.c_str());
    std::fflush(stdout);
  }
  return all_match ? 0 : 1;
}
