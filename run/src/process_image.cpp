#include "process_image.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <new>

#include "signal_changes.hpp"

namespace interlace::run {
namespace {

// A process with more than this much private writable address space (a sanitizer's shadow
// memory, say) is not worth saving: a fork per execution costs less.
constexpr std::uintptr_t kMostSaved = std::uintptr_t{16} << 30;
constexpr std::size_t kMostMappings = 8192;
constexpr std::size_t kMapsText = std::size_t{4} << 20;
constexpr int kMostDescriptors = 65536;
constexpr std::size_t kReasonSize = 512;
constexpr std::size_t kMostFrames = std::size_t{8} << 20; // the default stack size

std::uintptr_t page_size() {
  static const auto size = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  return size;
}

std::uintptr_t page_down(std::uintptr_t address) { return address & ~(page_size() - 1); }
std::uintptr_t page_up(std::uintptr_t address) { return page_down(address + page_size() - 1); }

// Addresses come from /proc/self/maps as integers.
template <class T> T *at(std::uintptr_t address) {
  return reinterpret_cast<T *>(address); // NOLINT(performance-no-int-to-ptr)
}

// All of ProcessImage's own memory (its tables, the saved pages) is one reserved mapping,
// handed out in slices: one line of /proc/self/maps rather than two per saved region, so
// reading it costs less, and one range to leave out of the image.
struct Arena {
  std::byte *base = nullptr;
  std::size_t size = 0;
  std::size_t used = 0;

  void *take(std::size_t bytes) {
    bytes = page_up(bytes);
    if (size - used < bytes) {
      return nullptr;
    }
    void *slice = base + used;
    used += bytes;
    return slice;
  }
  // Slices are not reused: their pages go back to the kernel, their addresses stay reserved.
  static void give_back(void *slice, std::size_t bytes) {
    if (slice != nullptr) {
      madvise(slice, page_up(bytes), MADV_DONTNEED);
    }
  }
};
constexpr std::size_t kArenaSize = std::size_t{64} << 30;

struct Range {
  std::uintptr_t begin = 0;
  std::uintptr_t end = 0;
};

enum class Special : std::uint8_t { None, Heap, Stack, Kernel };

// A line of /proc/self/maps.
struct Mapping {
  Range range;
  bool readable = false;
  bool writable = false;
  bool is_private = false;
  bool file_backed = false;
  Special special = Special::None;
  char name[40] = {}; // the start of the path, for messages
};

// A saved mapping (a part of one, for the main stack).
struct Region {
  Range range;
  bool file_backed = false; // its pages not yet written read the file, not zeros
  bool heap = false;
  std::byte *copy = nullptr;     // range-sized
  std::uint8_t *saved = nullptr; // a byte per page: 1 when copy holds that page
  std::size_t reserved = 0;      // bytes of copy (and pages of saved) mapped
  char name[40] = {};
};

std::uintptr_t pages_of(const Range &range) { return (range.end - range.begin) / page_size(); }

unsigned long parse_hex(const char *&text) {
  unsigned long value = 0;
  for (;; ++text) {
    const char c = *text;
    if (c >= '0' && c <= '9') {
      value = value * 16 + static_cast<unsigned long>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      value = value * 16 + static_cast<unsigned long>(c - 'a' + 10);
    } else {
      return value;
    }
  }
}

const char *skip_field(const char *text) {
  while (*text != ' ' && *text != '\n' && *text != '\0') {
    ++text;
  }
  while (*text == ' ') {
    ++text;
  }
  return text;
}

// Reads a whole /proc file into `buffer` with system calls only. Returns its size, or -1.
long read_proc(const char *path, char *buffer, std::size_t capacity) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return -1;
  }
  std::size_t size = 0;
  for (;;) {
    const ssize_t got = read(fd, buffer + size, capacity - 1 - size);
    if (got <= 0) {
      break;
    }
    size += static_cast<std::size_t>(got);
    if (size == capacity - 1) {
      close(fd);
      return -1;
    }
  }
  close(fd);
  buffer[size] = '\0';
  return static_cast<long>(size);
}

} // namespace

struct ProcessImage::Tables {
  Arena arena;
  std::byte *frames = nullptr; // a copy of the main stack from frames_begin to its end
  std::uintptr_t frames_begin = 0;
  std::size_t frames_size = 0;
  char *text = nullptr;              // /proc/self/maps
  std::uint8_t *residency = nullptr; // mincore's answer for one region
  std::array<Mapping, kMostMappings> mappings;
  std::size_t mapping_count = 0;
  std::array<Range, kMostMappings> captured; // every mapping at capture but ours
  std::size_t captured_count = 0;
  std::array<Region, kMostMappings> regions;
  std::size_t region_count = 0;
  std::array<Region, kMostMappings> next_regions; // capture() builds the new list here
  std::array<std::uint64_t, kMostDescriptors / 64> descriptors{};
  bool first_capture_done = false;
  bool descriptors_listed = false;
  int directory = -1;
  mode_t umask = 0;
  std::array<struct sigaction, 65> dispositions{};
  std::uintptr_t heap_end = 0;
  std::array<char, kReasonSize> reason{};
};

namespace {

using Tables = ProcessImage::Tables;

// Calls `visit` with each piece of `range` that is not one of our own mappings.
template <class Visit> void for_each_foreign_piece(const Tables &tables, Range range, Visit visit) {
  const auto own_begin = reinterpret_cast<std::uintptr_t>(tables.arena.base);
  const std::uintptr_t own_end = own_begin + tables.arena.size;
  if (range.end <= own_begin || range.begin >= own_end) {
    visit(range);
    return;
  }
  if (range.begin < own_begin) {
    visit(Range{range.begin, own_begin});
  }
  if (range.end > own_end) {
    visit(Range{own_end, range.end});
  }
}

bool read_mappings(Tables &tables) {
  const long size = read_proc("/proc/self/maps", tables.text, kMapsText);
  if (size < 0) {
    return false;
  }
  tables.mapping_count = 0;
  for (const char *line = tables.text; *line != '\0';) {
    if (tables.mapping_count == tables.mappings.size()) {
      return false;
    }
    Mapping &mapping = tables.mappings[tables.mapping_count++];
    mapping = Mapping{};
    const char *text = line;
    mapping.range.begin = parse_hex(text);
    ++text; // '-'
    mapping.range.end = parse_hex(text);
    ++text; // ' '
    mapping.readable = text[0] == 'r';
    mapping.writable = text[1] == 'w';
    mapping.is_private = text[3] == 'p';
    text = skip_field(text);            // permissions
    text = skip_field(text);            // offset
    text = skip_field(text);            // device
    mapping.file_backed = *text != '0'; // inode
    text = skip_field(text);
    const char *end = std::strchr(text, '\n');
    const std::size_t length =
        end != nullptr ? static_cast<std::size_t>(end - text) : std::strlen(text);
    std::memcpy(mapping.name, text, std::min(length, sizeof mapping.name - 1));
    if (std::strncmp(text, "[heap]", 6) == 0) {
      mapping.special = Special::Heap;
    } else if (std::strncmp(text, "[stack]", 7) == 0) {
      mapping.special = Special::Stack;
    } else if (*text == '[') {
      mapping.special = Special::Kernel; // [vvar], [vdso], [vsyscall]
    }
    mapping.file_backed = mapping.file_backed && mapping.special == Special::None;
    line = end != nullptr ? end + 1 : text + length;
  }
  return true;
}

// Whether a mapping's pages are saved. The main stack is saved from the caller's frame up
// instead, byte for byte.
bool saved_by_page(const Mapping &mapping) {
  return mapping.readable && mapping.writable && mapping.is_private &&
         mapping.special != Special::Kernel && mapping.special != Special::Stack;
}

void release_region(Region &region) {
  Arena::give_back(region.copy, region.reserved);
  Arena::give_back(region.saved, region.reserved / page_size());
  region = Region{};
}

bool reserve_region(Arena &arena, Region &region) {
  const std::size_t size = region.range.end - region.range.begin;
  if (region.copy != nullptr && region.reserved == size) {
    return true;
  }
  auto *copy = static_cast<std::byte *>(arena.take(size));
  auto *saved = static_cast<std::uint8_t *>(arena.take(size / page_size()));
  if (copy == nullptr || saved == nullptr) {
    return false;
  }
  if (region.copy != nullptr) {
    // The heap grew or shrank: keep what was saved of the pages it still has.
    const std::size_t kept = std::min(size, region.reserved) / page_size();
    for (std::size_t i = 0; i < kept; ++i) {
      if (region.saved[i] != 0) {
        std::memcpy(copy + i * page_size(), region.copy + i * page_size(), page_size());
        saved[i] = 1;
      }
    }
    Arena::give_back(region.copy, region.reserved);
    Arena::give_back(region.saved, region.reserved / page_size());
  }
  region.copy = copy;
  region.saved = saved;
  region.reserved = size;
  return true;
}

// Which pages of an anonymous region are in memory: the others were never written and read
// as zeros. A file-backed region's are all taken as present: their unwritten pages read the
// file, which the copy then holds.
void residency(Tables &tables, const Region &region) {
  const std::uintptr_t pages = pages_of(region.range);
  if (region.file_backed || mincore(at<void>(region.range.begin),
                                    region.range.end - region.range.begin, tables.residency) != 0) {
    std::memset(tables.residency, 1, pages);
  }
}

enum class Direction : std::uint8_t { Save, Restore };

// Makes the saved copy and the live pages agree, one way or the other: compares each saved
// page and copies it if it differs; a page present but not saved is, when saving, copied, and
// when restoring, zeroed (it was never written before the execution). Eight pages at a time
// are skipped when none is saved or present: most of a thread stack or a grown heap.
void sync_pages(Tables &tables, Direction direction) {
  const std::uintptr_t page = page_size();
  constexpr std::uint64_t kPresentBits = 0x0101010101010101ULL;
  for (std::size_t r = 0; r < tables.region_count; ++r) {
    Region &region = tables.regions[r];
    residency(tables, region);
    const std::uintptr_t pages = pages_of(region.range);
    for (std::uintptr_t i = 0; i < pages;) {
      if (pages - i >= 8) {
        std::uint64_t saved = 0;
        std::uint64_t present = 0;
        std::memcpy(&saved, region.saved + i, sizeof saved);
        std::memcpy(&present, tables.residency + i, sizeof present);
        if (saved == 0 && (present & kPresentBits) == 0) {
          i += 8;
          continue;
        }
      }
      auto *live = at<std::byte>(region.range.begin + i * page);
      std::byte *copy = region.copy + i * page;
      if (region.saved[i] != 0) {
        if (std::memcmp(live, copy, page) != 0) {
          if (direction == Direction::Save) {
            std::memcpy(copy, live, page);
          } else {
            std::memcpy(live, copy, page);
          }
        }
      } else if ((tables.residency[i] & 1) != 0) {
        // The copy of a page never saved is zeros.
        if (direction == Direction::Save) {
          std::memcpy(copy, live, page);
        } else {
          std::memset(live, 0, page);
        }
        region.saved[i] = 1;
      }
      ++i;
    }
  }
}

void set_reason(Tables &tables, const char *format, const Range &range, const char *name) {
  std::snprintf(tables.reason.data(), tables.reason.size(), format, range.begin, range.end, name);
}

bool list_descriptors(Tables &tables, bool capture) {
  const int directory = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory < 0) {
    std::snprintf(tables.reason.data(), tables.reason.size(), "cannot list /proc/self/fd");
    return false;
  }
  if (capture) {
    tables.descriptors.fill(0);
  }
  alignas(8) char buffer[8192];
  bool ok = true;
  std::array<std::uint64_t, kMostDescriptors / 64> seen{};
  for (;;) {
    const long got = syscall(SYS_getdents64, directory, buffer, sizeof buffer);
    if (got <= 0) {
      break;
    }
    for (long offset = 0; offset < got;) {
      struct Entry {
        std::uint64_t inode;
        std::int64_t next;
        unsigned short length;
        unsigned char type;
        char name[1];
      };
      const auto *entry = reinterpret_cast<const Entry *>(buffer + offset);
      offset += entry->length;
      if (entry->name[0] < '0' || entry->name[0] > '9') {
        continue;
      }
      const int fd = std::atoi(entry->name);
      if (fd == directory) {
        continue;
      }
      if (fd >= kMostDescriptors) {
        std::snprintf(tables.reason.data(), tables.reason.size(),
                      "file descriptor %d is beyond the %d interlace keeps track of", fd,
                      kMostDescriptors);
        ok = false;
        continue;
      }
      const std::uint64_t bit = std::uint64_t{1} << (fd % 64);
      if (capture) {
        tables.descriptors[static_cast<std::size_t>(fd / 64)] |= bit;
      } else if ((tables.descriptors[static_cast<std::size_t>(fd / 64)] & bit) == 0) {
        close(fd); // opened by the execution
      }
      seen[static_cast<std::size_t>(fd / 64)] |= bit;
    }
  }
  close(directory);
  if (!capture) {
    for (std::size_t word = 0; word < seen.size(); ++word) {
      if (const std::uint64_t missing = tables.descriptors[word] & ~seen[word]; missing != 0) {
        std::snprintf(tables.reason.data(), tables.reason.size(),
                      "the execution closed file descriptor %d, which the program had at main",
                      static_cast<int>(word * 64) + __builtin_ctzll(missing));
        ok = false;
      }
    }
  }
  return ok;
}

int thread_count() {
  char text[1024];
  if (read_proc("/proc/self/stat", text, sizeof text) < 0) {
    return -1;
  }
  // The command name may hold spaces: fields are counted from its closing parenthesis.
  const char *field = std::strrchr(text, ')');
  if (field == nullptr) {
    return -1;
  }
  ++field;
  for (int i = 3; i < 20 && field != nullptr; ++i) {
    field = std::strchr(field + 1, ' ');
  }
  return field != nullptr ? std::atoi(field + 1) : -1;
}

void save_process_settings(Tables &tables) {
  tables.directory = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  tables.umask = umask(0);
  umask(tables.umask);
  for (int signal = 1; signal <= 64; ++signal) {
    real_sigaction(signal, nullptr, &tables.dispositions[static_cast<std::size_t>(signal)]);
  }
}

// Reads the mappings and makes the saved regions match them: those of the last capture that
// are still there as they were keep their copies, the others are released, new ones made.
// Records every mapping's range (to tell the ones an execution makes) and where the main stack
// ends. Returns null, or why the process cannot be saved.
const char *track_mappings(Tables &tables, std::uintptr_t &stack_end) {
  if (!read_mappings(tables)) {
    return "cannot read /proc/self/maps";
  }
  std::size_t next_count = 0;
  std::uintptr_t total = 0;
  tables.captured_count = 0;
  tables.heap_end = 0;
  bool full = false;
  for (std::size_t m = 0; m < tables.mapping_count; ++m) {
    const Mapping &mapping = tables.mappings[m];
    for_each_foreign_piece(tables, mapping.range, [&](Range piece) {
      if (tables.captured_count == tables.captured.size() ||
          next_count == tables.next_regions.size()) {
        full = true;
        return;
      }
      tables.captured[tables.captured_count++] = piece;
      if (mapping.special == Special::Stack) {
        stack_end = piece.end;
      }
      if (!saved_by_page(mapping)) {
        return;
      }
      Region &region = tables.next_regions[next_count++];
      region = Region{};
      for (std::size_t r = 0; r < tables.region_count; ++r) {
        if (tables.regions[r].range.begin == piece.begin && tables.regions[r].copy != nullptr) {
          region = tables.regions[r];
          tables.regions[r] = Region{}; // moved
          break;
        }
      }
      region.range = piece;
      region.file_backed = mapping.file_backed;
      region.heap = mapping.special == Special::Heap;
      std::memcpy(region.name, mapping.name, sizeof region.name);
      total += piece.end - piece.begin;
      if (region.heap) {
        tables.heap_end = piece.end;
      }
    });
  }
  for (std::size_t r = 0; r < tables.region_count; ++r) {
    release_region(tables.regions[r]);
  }
  tables.region_count = 0;
  if (full || total > kMostSaved) {
    for (std::size_t r = 0; r < next_count; ++r) {
      release_region(tables.next_regions[r]);
    }
    return full ? "the process has more mappings than interlace keeps track of"
                : "the process has more writable memory than is worth saving (a sanitizer's "
                  "shadow memory?)";
  }
  for (std::size_t r = 0; r < next_count; ++r) {
    if (!reserve_region(tables.arena, tables.next_regions[r])) {
      for (std::size_t k = 0; k < next_count; ++k) {
        release_region(tables.next_regions[k]);
      }
      return "cannot map memory to save the process in";
    }
  }
  std::copy_n(tables.next_regions.begin(), next_count, tables.regions.begin());
  tables.region_count = next_count;

  return nullptr;
}

// Fails unless the caller is the process's only thread. A joined thread may still be on its
// way out of the kernel (pthread_join returns when its thread id is cleared, before it leaves
// the thread group): those are given a moment.
const char *check_single_thread(Tables &tables) {
  int threads = thread_count();
  for (int tries = 0; threads != 1 && tries < 1000; ++tries) {
    sched_yield();
    threads = thread_count();
  }
  if (threads != 1) {
    std::snprintf(tables.reason.data(), tables.reason.size(),
                  "%d threads are still running after the execution ended", threads - 1);
    return tables.reason.data();
  }
  return nullptr;
}

// Puts the mappings back: the heap's end where it was (brk), whichever way it moved; every
// saved region must still be there, readable and writable; mappings made since the capture go.
const char *restore_mappings(Tables &tables) {
  if (!read_mappings(tables)) {
    return "cannot read /proc/self/maps";
  }
  for (std::size_t m = 0; m < tables.mapping_count; ++m) {
    Mapping &mapping = tables.mappings[m];
    if (mapping.special == Special::Heap && tables.heap_end != 0 &&
        mapping.range.end != tables.heap_end) {
      if (syscall(SYS_brk, tables.heap_end) != static_cast<long>(tables.heap_end)) {
        set_reason(tables, "cannot move the heap's end back (%lx-%lx %s)", mapping.range,
                   mapping.name);
        return tables.reason.data();
      }
      mapping.range.end = tables.heap_end;
    }
  }
  // Every saved region must still be there, readable and writable.
  for (std::size_t r = 0; r < tables.region_count; ++r) {
    const Region &region = tables.regions[r];
    std::uintptr_t covered = region.range.begin;
    for (std::size_t m = 0; m < tables.mapping_count && covered < region.range.end; ++m) {
      const Mapping &mapping = tables.mappings[m];
      if (mapping.range.begin <= covered && mapping.range.end > covered && mapping.readable &&
          mapping.writable && mapping.is_private) {
        covered = mapping.range.end;
      }
    }
    if (covered < region.range.end) {
      set_reason(tables,
                 "the execution unmapped or write-protected memory the program had at main "
                 "(%lx-%lx %s)",
                 region.range, region.name);
      return tables.reason.data();
    }
  }
  // Mappings made since the capture go.
  for (std::size_t m = 0; m < tables.mapping_count; ++m) {
    for_each_foreign_piece(tables, tables.mappings[m].range, [&](Range piece) {
      std::uintptr_t at_address = piece.begin;
      for (std::size_t c = 0; c < tables.captured_count && at_address < piece.end; ++c) {
        const Range &old = tables.captured[c];
        if (old.end <= at_address || old.begin >= piece.end) {
          continue;
        }
        if (old.begin > at_address) {
          munmap(at<void>(at_address), old.begin - at_address);
        }
        at_address = std::max(at_address, old.end);
      }
      if (at_address < piece.end) {
        munmap(at<void>(at_address), piece.end - at_address);
      }
    });
  }
  return nullptr;
}

// The working directory, the umask and the signal dispositions the execution changed; and
// children the program started and did not wait for are reaped.
void restore_process_settings(const Tables &tables, std::uint64_t changed_signals) {
  if (tables.directory >= 0) {
    fchdir(tables.directory);
  }
  umask(tables.umask);
  for (int signal = 1; signal <= 64; ++signal) {
    if ((changed_signals & (std::uint64_t{1} << (signal - 1))) != 0) {
      real_sigaction(signal, &tables.dispositions[static_cast<std::size_t>(signal)], nullptr);
    }
  }
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
    // No zombies left behind.
  }
}

} // namespace

ProcessImage::ProcessImage() {
  void *memory = mmap(nullptr, kArenaSize, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) {
    throw std::bad_alloc();
  }
  // A flag the program's mappings do not have, so that the kernel never merges the arena with
  // one of theirs into a single line of /proc/self/maps.
  madvise(memory, kArenaSize, MADV_DONTDUMP);
  Arena arena{static_cast<std::byte *>(memory), kArenaSize, 0};
  void *tables = arena.take(sizeof(Tables));
  tables_ = new (tables) Tables();
  tables_->arena = arena;
  tables_->text = static_cast<char *>(tables_->arena.take(kMapsText));
  tables_->residency = static_cast<std::uint8_t *>(tables_->arena.take(kMostSaved / page_size()));
  tables_->frames = static_cast<std::byte *>(tables_->arena.take(kMostFrames));
}

ProcessImage::~ProcessImage() {
  if (tables_->directory >= 0) {
    close(tables_->directory);
  }
  const Arena arena = tables_->arena;
  tables_->~Tables();
  munmap(arena.base, arena.size);
}

const char *ProcessImage::capture(const void *frames) {
  Tables &tables = *tables_;
  if (!tables.first_capture_done) {
    // A thread the program started before main (a library's constructor) would run on
    // through every rollback.
    if (thread_count() != 1) {
      return "the program started a thread before main";
    }
    save_process_settings(tables);
    tables.first_capture_done = true;
  }
  clear_signal_changes();
  std::uintptr_t stack_end = 0;
  if (const char *why = track_mappings(tables, stack_end); why != nullptr) {
    return why;
  }
  sync_pages(tables, Direction::Save);
  // After a rollback the descriptors are those of the last capture (roll_back() closed the
  // others and failed if one was missing): only the first capture lists them.
  if (!tables.descriptors_listed) {
    if (!list_descriptors(tables, true)) {
      return tables.reason.data();
    }
    tables.descriptors_listed = true;
  }
  tables.frames_begin = reinterpret_cast<std::uintptr_t>(frames);
  if (stack_end <= tables.frames_begin || stack_end - tables.frames_begin > kMostFrames) {
    return "the caller's frame is not on the main stack";
  }
  tables.frames_size = stack_end - tables.frames_begin;
  std::memcpy(tables.frames, frames, tables.frames_size);
  return nullptr;
}

const char *ProcessImage::roll_back() {
  Tables &tables = *tables_;
  const std::uint64_t changed_signals = signal_changes(); // before the memory holding it goes back
  if (const char *why = check_single_thread(tables); why != nullptr) {
    return why;
  }
  if (const char *why = restore_mappings(tables); why != nullptr) {
    return why;
  }
  sync_pages(tables, Direction::Restore);
  std::memcpy(at<void>(tables.frames_begin), tables.frames, tables.frames_size);
  if (!list_descriptors(tables, false)) {
    return tables.reason.data();
  }
  restore_process_settings(tables, changed_signals);
  return nullptr;
}

} // namespace interlace::run
