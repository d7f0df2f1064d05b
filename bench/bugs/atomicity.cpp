// Atomicity violations: each access is synchronised, but what must happen as one unit is
// split over two critical sections (or guarded by the wrong lock), and another thread gets in
// between.
#include "programs.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace bugbench {
namespace {

// --- withdraw: check the balance under the lock, debit under it again ---------------------
// Two clients withdraw 60 from 100; each checks the balance in one critical section and
// debits in the next, so both may pass the check. Two auditors read the balance under the
// lock meanwhile. The fixed withdrawal checks and debits in one critical section.

struct Account {
  std::mutex mutex;
  int balance = 100;
  int audits = 0;
};

template <bool Fixed> void withdraw(Account &a, int amount) {
  std::unique_lock<std::mutex> lock(a.mutex);
  const bool enough = a.balance >= amount;
  if constexpr (!Fixed) {
    lock.unlock();
  }
  if (!enough) {
    return;
  }
  if constexpr (!Fixed) {
    lock.lock();
  }
  a.balance -= amount;
}

template <bool Fixed> InterleavingResultSummary withdraw_twice(const interlace::ExploreOptions &o) {
  auto threads = threads_for<Account>(4);
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([](Account &a) { withdraw<Fixed>(a, 60); });
  }
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([](Account &a) {
      for (int round = 0; round < 3; ++round) {
        const std::lock_guard<std::mutex> lock(a.mutex);
        if (a.balance >= 0) {
          ++a.audits;
        }
      }
    });
  }
  return summarize(interlace::explore_interleavings(
      [] { return std::make_unique<Account>(); }, std::move(threads),
      [](const Account &a) { return a.balance >= 0; }, o));
}

// --- bank transfer: debit and credit in two critical sections, an auditor sums ----------
// Two tellers move 10 between accounts x and y in opposite directions, each debiting under
// one account's lock and crediting under the other's. The auditor, after 30 steps of work of
// its own, reads x under x's lock and y under y's lock, and expects the total of 200: it fails
// if it reads between a teller's debit and credit. The fixed tellers and auditor hold both
// locks (std::scoped_lock).

struct Bank {
  std::mutex x_mutex;
  std::mutex y_mutex;
  int x = 100;
  int y = 100;
  int audited_total = 200;
  volatile int work[8] = {};
};

template <bool Fixed>
void transfer(Bank &b, std::mutex &from_mutex, int &from, std::mutex &to_mutex, int &to) {
  if constexpr (Fixed) {
    const std::scoped_lock lock(b.x_mutex, b.y_mutex);
    from -= 10;
    to += 10;
  } else {
    {
      const std::lock_guard<std::mutex> lock(from_mutex);
      from -= 10;
    }
    const std::lock_guard<std::mutex> lock(to_mutex);
    to += 10;
  }
}

template <bool Fixed> InterleavingResultSummary bank_transfer(const interlace::ExploreOptions &o) {
  auto threads = threads_for<Bank>(3);
  threads.emplace_back([](Bank &b) { transfer<Fixed>(b, b.x_mutex, b.x, b.y_mutex, b.y); });
  threads.emplace_back([](Bank &b) { transfer<Fixed>(b, b.y_mutex, b.y, b.x_mutex, b.x); });
  threads.emplace_back([](Bank &b) {
    local_work(b.work, 30);
    if constexpr (Fixed) {
      const std::scoped_lock lock(b.x_mutex, b.y_mutex);
      b.audited_total = b.x + b.y;
    } else {
      int x = 0;
      {
        const std::lock_guard<std::mutex> lock(b.x_mutex);
        x = b.x;
      }
      const std::lock_guard<std::mutex> lock(b.y_mutex);
      b.audited_total = x + b.y;
    }
  });
  return summarize(interlace::explore_interleavings(
      [] { return std::make_unique<Bank>(); }, std::move(threads),
      [](const Bank &b) { return b.audited_total == 200 && b.x + b.y == 200; }, o));
}

// --- wrong lock: one thread guards the counter with another lock --------------------------
// Three threads increment the counter under lock A, a fourth under lock B: its increment
// races with theirs. The fixed fourth thread takes lock A too.

struct TwoLocks {
  std::mutex a;
  std::mutex b;
  int counter = 0;
};

template <bool Fixed> InterleavingResultSummary wrong_lock(const interlace::ExploreOptions &o) {
  auto threads = threads_for<TwoLocks>(4);
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([](TwoLocks &s) {
      const std::lock_guard<std::mutex> lock(s.a);
      const int t = s.counter;
      s.counter = t + 1;
    });
  }
  threads.emplace_back([](TwoLocks &s) {
    const std::lock_guard<std::mutex> lock(Fixed ? s.a : s.b);
    const int t = s.counter;
    s.counter = t + 1;
  });
  return summarize(interlace::explore_interleavings(
      [] { return std::make_unique<TwoLocks>(); }, std::move(threads),
      [](const TwoLocks &s) { return s.counter == 4; }, o));
}

// --- append: read the source's length under its lock, copy under it again -----------------
// Like Java's StringBuffer.append(StringBuffer): the appender reads the source's length in one
// critical section and copies that many characters in the next; a truncation in between makes
// the copy run past the source's end, which throws std::out_of_range. Two more threads read
// the source meanwhile. The fixed appender reads and copies in one critical section.

struct Buffers {
  std::mutex source_mutex;
  int source_length = 4;
  int source[4] = {1, 2, 3, 4};
  int copy[4] = {};
  int reads = 0;
};

template <bool Fixed> InterleavingResultSummary append_copy(const interlace::ExploreOptions &o) {
  auto threads = threads_for<Buffers>(4);
  threads.emplace_back([](Buffers &s) {
    std::unique_lock<std::mutex> lock(s.source_mutex);
    const int length = s.source_length;
    if constexpr (!Fixed) {
      lock.unlock();
      lock.lock();
    }
    if (length > s.source_length) {
      throw std::out_of_range("append: copying past the end of the source");
    }
    for (int i = 0; i < length; ++i) {
      s.copy[i] = s.source[i];
    }
  });
  threads.emplace_back([](Buffers &s) {
    const std::lock_guard<std::mutex> lock(s.source_mutex);
    s.source_length = 0;
  });
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([](Buffers &s) {
      const std::lock_guard<std::mutex> lock(s.source_mutex);
      s.reads += s.source_length;
    });
  }
  return summarize(interlace::explore_interleavings([] { return std::make_unique<Buffers>(); },
                                                    std::move(threads),
                                                    [](const Buffers &) { return true; }, o));
}

// --- driver stop: check the stopping flag, then take a reference --------------------------
// The Bluetooth driver of Qadeer and Wu (PLDI 2004): two I/O threads check that the driver is
// not stopping, take a reference (an atomic increment), use the device and drop the
// reference; the stopper sets the flag and drops the initial reference; whoever drops the
// last one marks the device stopped. An I/O thread preempted between its check and its
// increment uses a stopped device. The fixed I/O thread takes its reference first and then
// checks the flag, dropping the reference again if the driver is stopping.

struct Driver {
  std::atomic<int> pending{1};
  int stopping = 0;
  int stopped = 0;
  bool used_after_stop = false;
};

void release(Driver &d) {
  if (d.pending.fetch_sub(1) == 1) {
    d.stopped = 1;
  }
}

template <bool Fixed> InterleavingResultSummary driver_stop(const interlace::ExploreOptions &o) {
  auto threads = threads_for<Driver>(3);
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([](Driver &d) {
      if constexpr (Fixed) {
        d.pending.fetch_add(1);
        if (d.stopping != 0) {
          release(d);
          return;
        }
      } else {
        if (d.stopping != 0) {
          return;
        }
        d.pending.fetch_add(1);
      }
      if (d.stopped != 0) {
        d.used_after_stop = true;
      }
      release(d);
    });
  }
  threads.emplace_back([](Driver &d) {
    d.stopping = 1;
    release(d);
  });
  return summarize(interlace::explore_interleavings(
      [] { return std::make_unique<Driver>(); }, std::move(threads),
      [](const Driver &d) { return !d.used_after_stop && d.stopped == 1; }, o));
}

// --- lazy init: a double-checked initialisation without its second check ------------------
// Three threads get a lazily created object, two of them after 30 steps of work of their
// own: each checks the pointer, then creates the object under the lock, but without checking
// again there, so a thread preempted after the first check while another comes along creates
// it a second time. The fixed version checks again under the lock.

struct Lazy {
  std::mutex mutex;
  std::unique_ptr<int> instance;
  int creations = 0;
  volatile int work[3][8] = {};
};

template <bool Fixed> InterleavingResultSummary lazy_init(const interlace::ExploreOptions &o) {
  auto threads = threads_for<Lazy>(3);
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([i](Lazy &s) {
      local_work(s.work[i], i == 0 ? 0 : 30);
      if (s.instance) {
        return;
      }
      const std::lock_guard<std::mutex> lock(s.mutex);
      if (Fixed && s.instance) {
        return;
      }
      ++s.creations;
      s.instance = std::make_unique<int>(42);
    });
  }
  return summarize(
      interlace::explore_interleavings([] { return std::make_unique<Lazy>(); }, std::move(threads),
                                       [](const Lazy &s) { return s.creations == 1; }, o));
}

// --- double-checked publication: the flag is set before the object is filled -------------
// Three threads get a lazily initialised configuration through a double-checked lock, two of
// them after 30 steps of work of their own; the initialiser sets `ready` before it fills the
// fields, so a thread that checks `ready` in between uses an empty configuration. The fixed
// initialiser fills the fields first.

struct Config {
  std::mutex mutex;
  int ready = 0;
  int port = 0;
  int limit = 0;
  bool used_empty = false;
  volatile int work[3][8] = {};
};

template <bool Fixed> InterleavingResultSummary dcl_publish(const interlace::ExploreOptions &o) {
  auto threads = threads_for<Config>(3);
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([i](Config &c) {
      local_work(c.work[i], i == 0 ? 0 : 30);
      if (c.ready == 0) {
        const std::lock_guard<std::mutex> lock(c.mutex);
        if (c.ready == 0) {
          if constexpr (Fixed) {
            c.port = 8080;
            c.limit = 10;
            keep_order();
            c.ready = 1;
          } else {
            c.ready = 1;
            keep_order();
            c.port = 8080;
            c.limit = 10;
          }
        }
      }
      keep_order();
      if (c.port != 8080 || c.limit != 10) {
        c.used_empty = true;
      }
    });
  }
  return summarize(interlace::explore_interleavings(
      [] { return std::make_unique<Config>(); }, std::move(threads),
      [](const Config &c) { return !c.used_empty; }, o));
}

} // namespace

void add_atomicity_programs(std::vector<BugProgram> &programs) {
  programs.push_back({"withdraw", "atomicity: check and debit in two critical sections",
                      "both clients check the balance before either debits", Failure::invariant,
                      [](auto &o) { return withdraw_twice<false>(o); },
                      [](auto &o) { return withdraw_twice<true>(o); }});
  programs.push_back({"bank_transfer", "atomicity: bank transfer, debit and credit apart",
                      "the auditor reads between a teller's debit and credit", Failure::invariant,
                      [](auto &o) { return bank_transfer<false>(o); },
                      [](auto &o) { return bank_transfer<true>(o); }});
  programs.push_back({"wrong_lock", "atomicity: one thread guards the counter with another lock",
                      "a preemption inside one of the two differently locked increments",
                      Failure::invariant, [](auto &o) { return wrong_lock<false>(o); },
                      [](auto &o) { return wrong_lock<true>(o); }});
  programs.push_back({"append_copy", "atomicity: StringBuffer.append (length, then copy)",
                      "the truncation runs between the appender's two critical sections",
                      Failure::exception, [](auto &o) { return append_copy<false>(o); },
                      [](auto &o) { return append_copy<true>(o); }});
  programs.push_back({"driver_stop", "atomicity: Bluetooth driver stop (check, then reference)",
                      "the stopper runs to the end between an I/O thread's check and increment",
                      Failure::invariant, [](auto &o) { return driver_stop<false>(o); },
                      [](auto &o) { return driver_stop<true>(o); }});
  programs.push_back({"lazy_init", "atomicity: double-checked init without the second check",
                      "a thread passes the unlocked check before the first one creates",
                      Failure::invariant, [](auto &o) { return lazy_init<false>(o); },
                      [](auto &o) { return lazy_init<true>(o); }});
  programs.push_back({"dcl_publish", "publication: double-checked init sets the flag first",
                      "a thread checks the flag between the initialiser's flag and field stores",
                      Failure::invariant, [](auto &o) { return dcl_publish<false>(o); },
                      [](auto &o) { return dcl_publish<true>(o); }});
}

} // namespace bugbench
