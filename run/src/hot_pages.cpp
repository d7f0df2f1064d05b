#include "hot_pages.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace interlace::run {
namespace {

// Linux 5.14's madvise advice, named here for older headers.
constexpr int kPopulateRead = 22;
constexpr int kPopulateWrite = 23;
// A sanitizer's shadow memory and other reservations of that size are not scanned: the page
// map of 1 GiB alone is 2 MiB.
constexpr std::uintptr_t kLargestScanned = std::uintptr_t{1} << 30;
// /proc/self/pagemap, one 64-bit entry per page.
constexpr std::uint64_t kPresent = std::uint64_t{1} << 63;
constexpr std::uint64_t kExclusive = std::uint64_t{1} << 56;

std::uintptr_t page_size() {
  static const auto size = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  return size;
}

void merge_ranges(std::vector<PageRange> &into, const std::vector<PageRange> &more) {
  into.insert(into.end(), more.begin(), more.end());
  std::ranges::sort(into, {}, &PageRange::begin);
  std::vector<PageRange> merged;
  for (const PageRange &range : into) {
    if (!merged.empty() && range.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, range.end);
    } else {
      merged.push_back(range);
    }
  }
  into = std::move(merged);
}

void add_page(std::vector<PageRange> &ranges, std::uintptr_t page) {
  if (!ranges.empty() && ranges.back().end == page) {
    ranges.back().end = page + page_size();
  } else {
    ranges.push_back({page, page + page_size()});
  }
}

void populate_ranges(const std::vector<PageRange> &ranges, int advice) {
  for (const PageRange &range : ranges) {
    // The addresses come from /proc/self/maps: an integer is what there is.
    auto *begin = reinterpret_cast<void *>(range.begin); // NOLINT(performance-no-int-to-ptr)
    madvise(begin, range.end - range.begin, advice);
  }
}

} // namespace

void HotPages::merge(const HotPages &other) {
  merge_ranges(written, other.written);
  merge_ranges(read, other.read);
}

void HotPages::populate() const {
  populate_ranges(written, kPopulateWrite);
  populate_ranges(read, kPopulateRead);
}

void populate_for_writing(void *begin, std::size_t size) { madvise(begin, size, kPopulateWrite); }

std::vector<Mapping> private_mappings() {
  std::vector<Mapping> mappings;
  std::FILE *maps = std::fopen("/proc/self/maps", "re");
  if (maps == nullptr) {
    return mappings;
  }
  char line[512];
  while (std::fgets(line, sizeof line, maps) != nullptr) {
    unsigned long begin = 0;
    unsigned long end = 0;
    char permissions[5] = {};
    if (std::sscanf(line, "%lx-%lx %4s", &begin, &end, permissions) != 3) {
      continue;
    }
    const bool readable = permissions[0] == 'r';
    const bool is_private = permissions[3] == 'p';
    // [vsyscall] and [vvar] cannot be populated; the kernel fills the vDSO's pages itself.
    const bool special = std::strstr(line, "[vsyscall]") != nullptr ||
                         std::strstr(line, "[vvar") != nullptr ||
                         std::strstr(line, "[vdso]") != nullptr;
    if (!readable || !is_private || special || end - begin > kLargestScanned) {
      continue;
    }
    mappings.push_back({{begin, end}, permissions[1] == 'w'});
  }
  std::fclose(maps);
  return mappings;
}

HotPages touched_pages(const std::vector<Mapping> &mappings) {
  HotPages touched;
  const int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (pagemap < 0) {
    return touched;
  }
  std::vector<std::uint64_t> entries;
  for (const Mapping &mapping : mappings) {
    const std::uintptr_t pages = (mapping.range.end - mapping.range.begin) / page_size();
    entries.assign(pages, 0);
    const auto bytes = static_cast<ssize_t>(pages * sizeof(std::uint64_t));
    const auto offset =
        static_cast<off_t>(mapping.range.begin / page_size() * sizeof(std::uint64_t));
    if (pread(pagemap, entries.data(), static_cast<std::size_t>(bytes), offset) != bytes) {
      continue;
    }
    for (std::uintptr_t i = 0; i < pages; ++i) {
      const std::uintptr_t page = mapping.range.begin + i * page_size();
      const bool present = (entries[i] & kPresent) != 0;
      if (mapping.writable) {
        // Present in the server too, unless written here: only a copy or a new page is ours.
        if (present && (entries[i] & kExclusive) != 0) {
          add_page(touched.written, page);
        }
      } else if (present) {
        add_page(touched.read, page);
      }
    }
  }
  close(pagemap);
  return touched;
}

} // namespace interlace::run
