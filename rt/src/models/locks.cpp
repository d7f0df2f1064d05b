#include "locks.hpp"

#include <pthread.h>

#include <algorithm>

#include "../execution.hpp"
#include "wait_model.hpp"

namespace interlace::rt::detail {

void LockTable::note_acquired(const void *lock, Type type, const ManagedThread &owner, Hold hold) {
  const interlace_site *call = owner.announced.site;
  const HeldLock acquired{
      lock, type, owner.id, call != nullptr ? call : owner.last_site, call != nullptr, hold};
  if (hold == Hold::Exclusive) {
    for (HeldLock &held : held_) {
      if (held.lock == lock) {
        held = acquired;
        return;
      }
    }
  }
  held_.push_back(acquired);
}

void LockTable::note_released(const void *lock) {
  std::erase_if(held_, [lock](const HeldLock &held) { return held.lock == lock; });
}

bool LockTable::note_released(const void *lock, const ManagedThread &owner) {
  const auto held = std::ranges::find_if(
      held_, [&](const HeldLock &entry) { return entry.lock == lock && entry.owner == owner.id; });
  if (held == held_.end()) {
    return false;
  }
  held_.erase(held);
  return true;
}

bool LockTable::holds(const void *lock, const ManagedThread &owner, Hold hold) const {
  return std::ranges::any_of(held_, [&](const HeldLock &held) {
    return held.lock == lock && held.owner == owner.id && held.hold == hold;
  });
}

int LockTable::holder(const void *lock, bool any_hold) const {
  for (const HeldLock &held : held_) {
    if (held.lock == lock && (any_hold || held.hold == Hold::Exclusive)) {
      return held.owner;
    }
  }
  return -1;
}

std::string LockTable::describe_holders(const void *lock, Hold hold, const char *how,
                                        const Execution &execution) const {
  std::string text;
  for (const HeldLock &held : held_) {
    if (held.lock != lock || held.hold != hold) {
      continue;
    }
    text += (text.empty() ? std::string(" ") + how : std::string(",")) + " thread " +
            std::to_string(held.owner);
    text += execution.thread(held.owner).status == ThreadStatus::Finished
                ? ", which finished without unlocking it (missing unlock; taken "
                : " (taken ";
    text += std::string(held.exact ? "at " : "after ") + site_text(held.site) + ")";
  }
  return text;
}

// The fields are glibc's (2.36, as in Debian 12), checked against the holder's thread id so
// that nothing but a lock that thread still holds is touched.
void LockTable::reset(const HeldLock &held, int tid) {
  void *lock = const_cast<void *>(held.lock); // NOLINT(cppcoreguidelines-pro-type-const-cast)
  switch (held.type) {
  case Type::Mutex: {
    // Back to what PTHREAD_MUTEX_INITIALIZER has, keeping the type. Robust mutexes are left
    // alone: the next locker gets EOWNERDEAD, as it should.
    constexpr int kRobust = 16; // glibc's internal PTHREAD_MUTEX_ROBUST_NORMAL_NP bit of __kind
    auto *mutex = static_cast<pthread_mutex_t *>(lock);
    if (mutex->__data.__owner == tid && (mutex->__data.__kind & kRobust) == 0) {
      __atomic_store_n(&mutex->__data.__lock, 0, __ATOMIC_RELEASE);
      mutex->__data.__count = 0;
      mutex->__data.__owner = 0;
      mutex->__data.__nusers = 0;
    }
    return;
  }
  case Type::RwLock: {
    // Held for writing by the holder, or for reading by exactly the execution's read holds.
    auto *rwlock = static_cast<pthread_rwlock_t *>(lock);
    constexpr unsigned kReaderShift = 3; // glibc's PTHREAD_RWLOCK_READER_SHIFT
    const auto read_holds = std::ranges::count_if(held_, [&](const HeldLock &other) {
      return other.lock == held.lock && other.hold == Hold::Read;
    });
    const bool written = rwlock->__data.__cur_writer == tid;
    const bool read =
        rwlock->__data.__cur_writer == 0 && read_holds > 0 &&
        (rwlock->__data.__readers >> kReaderShift) == static_cast<unsigned>(read_holds);
    if (written || read) {
      rwlock->__data.__readers = 0;
      rwlock->__data.__writers = 0;
      rwlock->__data.__wrphase_futex = 0;
      rwlock->__data.__writers_futex = 0;
      rwlock->__data.__cur_writer = 0;
    }
    return;
  }
  case Type::Abseil:
    // absl::Mutex is one word, 0 when free with no waiters; nobody waits inside Abseil for a
    // Mutex the runtime tracks (abseil_mutex.cpp).
    __atomic_store_n(static_cast<std::intptr_t *>(lock), 0, __ATOMIC_RELEASE);
    return;
  case Type::Spin:
    // Its held value is the architecture's (x86-64's glibc counts down from 1): init says it.
    pthread_spin_init(static_cast<pthread_spinlock_t *>(lock), PTHREAD_PROCESS_PRIVATE);
    return;
  }
}

namespace {

std::string or_else(const std::string &holders, const char *otherwise) {
  return holders.empty() ? std::string(otherwise) : holders;
}

// A mutex or a spinlock: its one holder.
class ExclusiveLockModel final : public WaitModel {
public:
  constexpr ExclusiveLockModel(const char *noun, bool unwinds) : noun_(noun), unwinds_(unwinds) {}
  int holder(const WaitTarget &target, const Execution &execution) const override {
    return execution.locks().holder(target.object, /*any_hold=*/false);
  }
  std::string describe(const WaitTarget &target, const Execution &execution) const override {
    return std::string(noun_) + " " + address_text(target.object) +
           or_else(execution.locks().describe_holders(target.object, LockTable::Hold::Exclusive,
                                                      "held by", execution),
                   " (not held by a thread of this execution)");
  }
  // pthread_spin_lock is noexcept and returns no error libstdc++ would throw for.
  bool unwinds_cleanly() const override { return unwinds_; }

private:
  const char *noun_;
  bool unwinds_;
};

// A rwlock: a reader waits for its writer; a writer for every hold.
class RwLockModel final : public WaitModel {
public:
  constexpr explicit RwLockModel(bool write) : write_(write) {}
  int holder(const WaitTarget &target, const Execution &execution) const override {
    return execution.locks().holder(target.object, /*any_hold=*/write_);
  }
  std::string describe(const WaitTarget &target, const Execution &execution) const override {
    const LockTable &locks = execution.locks();
    const std::string writers = locks.describe_holders(target.object, LockTable::Hold::Exclusive,
                                                       "held for writing by", execution);
    if (!write_) {
      return "rwlock " + address_text(target.object) + " to read," +
             or_else(writers, " (not held for writing by a thread of this execution)");
    }
    return "rwlock " + address_text(target.object) + " to write," +
           or_else(writers + locks.describe_holders(target.object, LockTable::Hold::Read,
                                                    "held for reading by", execution),
                   " (not held by a thread of this execution)");
  }
  bool unwinds_cleanly() const override { return true; }

private:
  bool write_;
};

constinit const ExclusiveLockModel kMutex("mutex", true);
constinit const ExclusiveLockModel kSpin("spinlock", false);
constinit const RwLockModel kReader(false);
constinit const RwLockModel kWriter(true);

} // namespace

const WaitModel &mutex_wait_model() { return kMutex; }
const WaitModel &spin_wait_model() { return kSpin; }
const WaitModel &rwlock_wait_model(bool write) { return write ? kWriter : kReader; }

} // namespace interlace::rt::detail
