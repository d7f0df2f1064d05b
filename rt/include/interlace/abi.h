/* interlace runtime ABI: the only contract between the pass (libInterlacePass.so)
 * and the runtime (libinterlace_rt.so). Plain C so that any front end can target it.
 *
 * The pass inserts one call before every memory access it instruments, passing the
 * address, the access size and a pointer to a static site record, and one module
 * constructor that registers the module's site table. Bump INTERLACE_ABI_VERSION on
 * any change to this file; the runtime refuses modules built against another version.
 */
#ifndef INTERLACE_ABI_H
#define INTERLACE_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INTERLACE_ABI_VERSION 7

/* What the instrumented instruction was. The callee says whether a step reads or
 * writes; the site kind says which source construct it came from. */
enum interlace_site_kind {
  INTERLACE_SITE_LOAD = 0,
  INTERLACE_SITE_STORE = 1,
  INTERLACE_SITE_ATOMIC_LOAD = 2,
  INTERLACE_SITE_ATOMIC_STORE = 3,
  INTERLACE_SITE_ATOMIC_RMW = 4,
  INTERLACE_SITE_CMPXCHG = 5,
  INTERLACE_SITE_FENCE = 6,
  INTERLACE_SITE_MEMCPY = 7,
  INTERLACE_SITE_MEMMOVE = 8,
  INTERLACE_SITE_MEMSET = 9,
  INTERLACE_SITE_MARKER = 10,
  INTERLACE_SITE_ALLOCATION = 11,
  INTERLACE_SITE_CALL = 12,
  INTERLACE_SITE_AWAIT = 13
};

/* Bits of interlace_site::flags. */
enum interlace_site_flags {
  /* The access is in a system header (the C or C++ library) and was not inlined into user
   * code: reports prefer the user's own lines. */
  INTERLACE_SITE_SYSTEM_HEADER = 1,
  /* The access is a third-party library's header code (a container's method from
   * /usr/include/<library>/, inlined into the user's line or not; not the C or C++ standard
   * library's): reports treat it as the library's work on the user's object. */
  INTERLACE_SITE_LIBRARY_CODE = 2
};

/* One static record per instrumented instruction. `file` is an absolute path when
 * the module had debug info, "?" otherwise; `line` and `column` are then 0. */
typedef struct interlace_site {
  const char *file;
  const char *function;
  uint32_t line;
  uint32_t column;
  uint32_t kind;      /* enum interlace_site_kind */
  uint32_t flags;     /* enum interlace_site_flags */
  const char *object; /* the accessed object as the source names it ("Counter::value",
                         "balance", "table[]"), or null when the compiler could not tell */
} interlace_site;

/* A global variable of an instrumented module, so that reports can name its addresses
 * (with the element index when it is an array). */
typedef struct interlace_global {
  const void *address;
  uint64_t size;
  uint64_t element_size; /* the array element's size, or `size` for a scalar */
  const char *name;
} interlace_global;

/* The site of the latest call from instrumented user code into a library (a pthread function,
 * or libstdc++ code that calls one): set by the pass before such calls, read by the runtime's
 * interceptors to say where a lock was taken or a wait began. */
extern __thread const interlace_site *__interlace_call_site;

/* Non-zero while the calling thread is a managed thread whose execution makes third-party
 * library code's accesses steps (sites with INTERLACE_SITE_LIBRARY_CODE): the pass calls the
 * runtime for those accesses only then. */
extern __thread unsigned char __interlace_library_steps;

/* Called once per instrumented module from a module constructor. */
void __interlace_register_module(uint32_t abi_version, const interlace_site *sites, uint64_t count,
                                 const interlace_global *globals, uint64_t global_count,
                                 const char *module_name);

/* Yield points. Each announces the access that follows it; when the calling thread
 * is not managed by an exploration they return at once. */
void __interlace_read(const void *addr, uint64_t size, const interlace_site *site);
void __interlace_write(const void *addr, uint64_t size, const interlace_site *site);
void __interlace_rmw(const void *addr, uint64_t size, const interlace_site *site);
void __interlace_fence(const interlace_site *site);

/* A trace marker: the calling thread reached the line the marker gates. Inserted by the pass
 * for `// interlace: NAME` comments, or written as INTERLACE_MARKER(NAME). */
void __interlace_marker(const char *name, const interlace_site *site);

/* A coroutine reached a co_await (after the awaiter's await_ready, before it suspends). Where
 * async tasks run cooperatively (interlace/asio.hpp) it makes a switch point where the
 * coroutine goes on past the co_await without having gone back to its loop (the runtime's
 * await_in_progress, interlace/rt/event.hpp); the step itself marks where the task awaits. */
void __interlace_await(const interlace_site *site);

/* Instrumented code allocated `size` bytes at `addr` (operator new, malloc, calloc, realloc,
 * aligned_alloc), at `site`: reports then name heap objects by where they were made. */
void __interlace_alloc(const void *addr, uint64_t size, const interlace_site *site);

#ifdef __cplusplus
}
#endif

#endif /* INTERLACE_ABI_H */
