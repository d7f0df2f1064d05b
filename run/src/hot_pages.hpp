// The pages an execution's process faults in, faulted in ahead in one system call per range.
//
// A forked child starts with the server's memory shared copy-on-write: the first write to each
// page it shares is a page fault that copies it, the first use of each page of a file mapping
// (code, read-only data) a fault that maps it again, since fork copies no page table entries
// for those. An execution of a small two-thread program took 88 such faults, and on the
// 2-core VM of docs/performance.md a fault costs 15 to 30 us: madvise(MADV_POPULATE_WRITE)
// copies the same pages for a third of that, MADV_POPULATE_READ maps file pages for a
// twentieth, in one call per range, made before the execution starts its threads.
//
// Which pages: a few executions of a server learn them, each reading /proc/self/pagemap after
// its run for the private mappings it inherited: a page of a writable mapping that is now this
// process's alone (it was copied, or filled with zeros, here) was written; a present page of a
// read-only mapping was used (or was present already, and populating it costs next to
// nothing). The executions that come after populate the union of what was learned. Populating
// changes no byte of memory, only when the kernel does its work; a range that is no longer
// mapped as it was fails on its own, and so does every range before Linux 5.14: both are
// ignored, and those pages fault as before.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace interlace::run {

struct PageRange {
  std::uintptr_t begin = 0; // page aligned
  std::uintptr_t end = 0;   // page aligned, past the last page
};

struct HotPages {
  std::vector<PageRange> written;
  std::vector<PageRange> read;

  // Adds `other`'s ranges, merging those that touch or overlap.
  void merge(const HotPages &other);
  // Populates every range (MADV_POPULATE_WRITE, MADV_POPULATE_READ). Failures are ignored:
  // the pages then fault as they would have.
  void populate() const;
};

// Populates the pages of [begin, begin + size) for writing, as HotPages::populate does.
void populate_for_writing(void *begin, std::size_t size);

// A mapping of this process that is worth learning about.
struct Mapping {
  PageRange range;
  bool writable = false;
};

// This process's private mappings now, but for those too large to scan (a sanitizer's shadow
// memory).
std::vector<Mapping> private_mappings();

// Which pages of `mappings` this process wrote and used since it was forked (see above).
HotPages touched_pages(const std::vector<Mapping> &mappings);

} // namespace interlace::run
