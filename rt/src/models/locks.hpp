// The lock family's model: which managed thread holds which mutex, rwlock or spinlock, taken
// where; what a thread blocked on one waits for; and putting back the real locks that an
// ended execution's threads still hold.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "interlace/abi.h"

namespace interlace::rt::detail {

struct ManagedThread;
class Execution;

class LockTable {
public:
  // A mutex or spinlock has one holder; a rwlock has a writer or any number of read holds.
  enum class Hold : std::uint8_t { Exclusive, Read };
  // Which real lock it is: a lock still held when the execution ends is reset by its type.
  enum class Type : std::uint8_t { Mutex, RwLock, Spin, Abseil };

  void clear() { held_.clear(); }
  // Taken after the owner's announced step (the acquiring call, when instrumented code made it).
  void note_acquired(const void *lock, Type type, const ManagedThread &owner,
                     Hold hold = Hold::Exclusive);
  void note_released(const void *lock);                             // every hold of the lock
  bool note_released(const void *lock, const ManagedThread &owner); // one hold by the owner
  bool holds(const void *lock, const ManagedThread &owner, Hold hold) const;
  // The first holder of `lock` (any hold, or only an exclusive one), or -1.
  int holder(const void *lock, bool any_hold) const;
  // " held by thread 1 (taken after a.cpp:12)" (`how` is "held by"), for every hold of `lock`
  // of the given kind; empty when there is none.
  std::string describe_holders(const void *lock, Hold hold, const char *how,
                               const Execution &execution) const;
  // Every thread has ended: puts each lock still held back in its unlocked state, while the
  // real lock still names its holder (`tid_of(thread id)`, a kernel thread id), and forgets it.
  template <class TidOf> void reset_all(TidOf &&tid_of);

private:
  struct HeldLock {
    const void *lock;
    Type type;
    int owner;
    const interlace_site *site; // where it was taken, or the owner's latest line before
    bool exact;                 // `site` is the acquiring call itself
    Hold hold;
  };
  void reset(const HeldLock &held, int tid);

  std::vector<HeldLock> held_;
};

template <class TidOf> void LockTable::reset_all(TidOf &&tid_of) {
  for (const HeldLock &held : held_) {
    reset(held, tid_of(held.owner));
  }
  held_.clear();
}

} // namespace interlace::rt::detail
