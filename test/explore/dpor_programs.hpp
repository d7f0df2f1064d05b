// The classic DPOR benchmarks, ported to explore_interleavings from the public sources in
// Nidhugg's benchmarks/ (readers, lastzero, filesystem, CO-2+2W, szymanski, dijkstra,
// peterson, parker) and GenMC's tests/correct/synthetic/indexer. Each C program's main()
// initialised the globals (here: the state's constructor) and started the threads (here: the
// thread list); what main() did after joining them runs in no thread, so it changes no count.
// Under sequential consistency an optimal DPOR explores a fixed number of complete executions
// of each, which Nidhugg (--sc --optimal) and GenMC (--sc) agree on: dpor_test.cpp pins the
// small sizes, bench/dpor the large ones.
#pragma once

#include <interlace/annotations.h>
#include <interlace/interlace.hpp>

#include <array>
#include <atomic>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace interlace::dpor_programs {

template <class State> using Threads = std::vector<std::function<void(State &)>>;

// The C programs' assert, kept in builds with NDEBUG: its loads are steps that count.
inline void require(bool holds) {
  if (!holds) {
    std::abort();
  }
}

// readers: one writer and n readers of one variable: 2^n executions.
template <int N> struct Readers {
  std::atomic<int> x{0};
  std::array<std::atomic<int>, N + 1> idx{};
  Readers() {
    for (int i = 0; i <= N; ++i) {
      idx[i].store(i, std::memory_order_relaxed);
    }
  }
  static Threads<Readers> threads() {
    Threads<Readers> all{[](Readers &s) { s.x.store(42); }};
    for (int i = 1; i <= N; ++i) {
      all.push_back([i](Readers &s) {
        [[maybe_unused]] const int r = s.idx[i - 1].load();
        (void)s.x.load();
      });
    }
    return all;
  }
};

// lastzero: a reader looks for the last zero in an array that n writers fill, each from the
// element before its own.
template <int N> struct LastZero {
  std::array<std::atomic<int>, N + 1> array{};
  static Threads<LastZero> threads() {
    Threads<LastZero> all{[](LastZero &s) {
      for (int i = N; s.array[i].load() != 0; --i) {
      }
    }};
    for (int j = 1; j <= N; ++j) {
      all.push_back([j](LastZero &s) { s.array[j].store(s.array[j - 1].load() + 1); });
    }
    return all;
  }
};

// indexer (GenMC's CAS version): n threads insert 4 values each into a hash table by
// compare-exchange with linear probing; only some of them collide.
template <int N> struct Indexer {
  static constexpr int kSize = 128;
  static constexpr int kMax = 4;
  std::array<std::atomic<int>, kSize> table{};
  static Threads<Indexer> threads() {
    Threads<Indexer> all;
    for (int tid = 0; tid < N; ++tid) {
      all.push_back([tid](Indexer &s) {
        for (int i = 0; i < kMax; ++i) {
          const int w = i * 11 + tid;
          int h = (w * 7) % kSize;
          int zero = 0;
          while (!s.table[h].compare_exchange_strong(zero, w, std::memory_order_relaxed,
                                                     std::memory_order_relaxed)) {
            h = (h + 1) % kSize;
            zero = 0;
          }
        }
      });
    }
    return all;
  }
};

// filesystem: threads allocate disk blocks to inodes under per-inode and per-block locks.
template <int NumThreads> struct FileSystem {
  static constexpr int kBlocks = 26;
  static constexpr int kInodes = 32;
  static constexpr int kLoop = 10;
  std::array<std::mutex, kInodes> locki;
  std::array<std::atomic<int>, kInodes> inode{};
  std::array<std::mutex, kBlocks> lockb;
  std::array<std::atomic<int>, kBlocks> busy{};
  static Threads<FileSystem> threads() {
    Threads<FileSystem> all;
    for (int tid = 0; tid < NumThreads; ++tid) {
      all.push_back([tid](FileSystem &s) {
        const int i = tid % kInodes;
        const std::lock_guard<std::mutex> inode_guard(s.locki[i]);
        if (s.inode[i].load() == 0) {
          int b = (i * 2) % kBlocks;
          for (int j = 0; j < kLoop; ++j) {
            s.lockb[b].lock();
            if (s.busy[b].load() == 0) {
              s.busy[b].store(1);
              s.inode[i].store(b + 1);
              s.lockb[b].unlock();
              break;
            }
            s.lockb[b].unlock();
            b = (b + 1) % kBlocks;
          }
        }
      });
    }
    return all;
  }
};

// CO-2+2W: n threads each write their id twice to one variable: (2n)! / 2^n executions.
template <int N> struct Coherence2W {
  std::atomic<int> var{0};
  std::array<int, N> arg{};
  Coherence2W() {
    for (int i = 0; i < N; ++i) {
      arg[i] = i;
    }
  }
  static Threads<Coherence2W> threads() {
    Threads<Coherence2W> all;
    for (int i = 0; i < N; ++i) {
      all.push_back([i](Coherence2W &s) {
        const int tid = s.arg[i];
        s.var.store(tid);
        s.var.store(tid);
      });
    }
    return all;
  }
};

// szymanski: Szymanski's mutual exclusion for two threads, spin loops bounded to 2 rounds.
struct Szymanski {
  static constexpr int kLoop = 2;
  std::atomic<int> flag1{0};
  std::atomic<int> flag2{0};
  std::atomic<int> x{0};
  static void run(std::atomic<int> &mine, std::atomic<int> &other, std::atomic<int> &x, int me) {
    for (int j = 0; j < kLoop; ++j) {
      mine.store(1);
      bool ok = false;
      for (int i = 0; i < kLoop; ++i) {
        if (other.load() < 3) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        return;
      }
      mine.store(3);
      if (other.load() == 1) {
        mine.store(2);
        ok = false;
        for (int i = 0; i < kLoop; ++i) {
          if (other.load() == 4) {
            ok = true;
            break;
          }
        }
        if (!ok) {
          return;
        }
      }
      mine.store(4);
      ok = false;
      for (int i = 0; i < kLoop; ++i) {
        if (other.load() < 2) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        return;
      }
      x.store(me); // the critical section
      require(x.load() == me);
      ok = false;
      for (int i = 0; i < kLoop; ++i) {
        if (2 > other.load() || other.load() > 3) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        return;
      }
      mine.store(0);
    }
  }
  static Threads<Szymanski> threads() {
    return {[](Szymanski &s) { run(s.flag1, s.flag2, s.x, 1); },
            [](Szymanski &s) { run(s.flag2, s.flag1, s.x, 2); }};
  }
};

// dijkstra: Dijkstra's mutual exclusion for two threads, loops bounded to 5 rounds.
struct Dijkstra {
  static constexpr int kLoop = 5;
  static constexpr int kThreads = 2;
  std::array<std::atomic<int>, kThreads> interested{};
  std::array<std::atomic<int>, kThreads> passed{};
  std::atomic<int> k{0};
  std::atomic<int> x{0};
  static void run(Dijkstra &s, int tid) {
    bool ok = false;
    s.interested[tid].store(1);
    for (int jj = 0; jj < kLoop; ++jj) {
      for (int j = 0; j < kLoop; ++j) {
        const int seen = s.k.load();
        if (seen == tid) {
          ok = true;
          break;
        }
        if (s.interested[seen].load() == 0) {
          s.k.store(tid);
        }
      }
      if (!ok) {
        return;
      }
      s.passed[tid].store(1);
      bool done = true;
      for (int j = 0; j < kThreads; ++j) {
        if (j == tid) {
          continue;
        }
        if (s.passed[j].load() == 1) {
          s.passed[tid].store(0);
          done = false;
        }
      }
      if (done) {
        ok = true;
        break;
      }
      ok = false;
    }
    if (!ok) {
      return;
    }
    s.x.store(tid); // the critical section
    require(s.x.load() == tid);
    s.passed[tid].store(0);
    s.interested[tid].store(0);
  }
  static Threads<Dijkstra> threads() {
    return {[](Dijkstra &s) { run(s, 0); }, [](Dijkstra &s) { run(s, 1); }};
  }
};

// peterson: Peterson's mutual exclusion for two threads, loops bounded to 2 rounds.
struct Peterson {
  static constexpr int kLoop = 2;
  std::atomic<int> flag0{0};
  std::atomic<int> flag1{0};
  std::atomic<int> turn{0};
  std::atomic<int> x{0};
  static void run(std::atomic<int> &mine, std::atomic<int> &other, std::atomic<int> &turn,
                  std::atomic<int> &x, int me) {
    const int yours = me == 1 ? 1 : 0; // the turn this thread gives away
    for (int j = 0; j < kLoop; ++j) {
      mine.store(1);
      turn.store(yours);
      bool ok = false;
      for (int i = 0; i < kLoop; ++i) {
        const int their_flag = other.load();
        const int now = turn.load();
        if (their_flag != 1 || now != yours) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        return;
      }
      x.store(me); // the critical section
      require(x.load() == me);
      mine.store(0);
    }
  }
  static Threads<Peterson> threads() {
    return {[](Peterson &s) { run(s.flag0, s.flag1, s.turn, s.x, 1); },
            [](Peterson &s) { run(s.flag1, s.flag0, s.turn, s.x, 2); }};
  }
};

// parker: the race in Java's LockSupport.park (bug 6822370), with a two-thread spin lock
// written with assumptions, the parker's rounds bounded by n.
template <int N> struct Parker {
  std::atomic<int> global_cond{0};
  std::atomic<int> unparker_finished{0};
  std::atomic<int> x{0};
  std::atomic<int> y{0};
  std::atomic<int> parker_counter{0};
  std::atomic<int> parker_cond{0};

  void lock(int id) {
    if (id != 0) {
      x.store(1);
      interlace::assume(y.load() == 0);
    } else {
      y.store(1);
      interlace::assume(x.load() == 0);
    }
  }
  void unlock(int id) { (id != 0 ? x : y).store(0); }
  bool trylock(int id) { // true on success
    std::atomic<int> &mine = id != 0 ? x : y;
    std::atomic<int> &theirs = id != 0 ? y : x;
    mine.store(1);
    if (theirs.load() == 0) {
      return true;
    }
    mine.store(0);
    return false;
  }
  void cond_wait(int id) {
    parker_cond.store(1);
    unlock(id);
    require(unparker_finished.load() == 0 || parker_cond.load() == 0);
    interlace::assume(parker_cond.load() == 0);
    lock(id);
  }
  void unpark() {
    lock(0);
    const int s = parker_counter.load();
    parker_counter.store(1);
    unlock(0);
    if (s < 1) {
      parker_cond.store(0);
    }
  }
  void park() {
    if (parker_counter.load() > 0) {
      parker_counter.store(0);
      return;
    }
    if (!trylock(1)) {
      return;
    }
    if (parker_counter.load() > 0) {
      parker_counter.store(0);
      unlock(1);
      return;
    }
    cond_wait(1);
    parker_counter.store(0);
    unlock(1);
  }
  static Threads<Parker> threads() {
    return {[](Parker &s) {
              for (int i = 0; s.global_cond.load() == 0; ++i) {
                interlace::assume(i < N);
                s.park();
              }
            },
            [](Parker &s) {
              s.unpark();
              s.global_cond.store(1);
              s.unpark();
              s.unparker_finished.store(1);
            }};
  }
};

// Runs every interleaving of State's threads with the systematic search.
template <class State> auto explore_all(ExploreOptions options = {}) {
  options.search = Search::dpor;
  options.max_attempts =
      options.max_attempts == ExploreOptions{}.max_attempts ? 10'000'000 : options.max_attempts;
  options.timeout = std::chrono::minutes(10);
  return explore_interleavings([] { return std::make_unique<State>(); }, State::threads(),
                               [](const State &) { return true; }, options);
}

// Complete executions: the ones no assumption cut short.
template <class Result> int complete_executions(const Result &result) {
  return result.num_explored - result.num_discarded;
}

} // namespace interlace::dpor_programs
