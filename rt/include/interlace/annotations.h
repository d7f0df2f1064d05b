/* Source annotations understood by the interlace pass. */
#ifndef INTERLACE_ANNOTATIONS_H
#define INTERLACE_ANNOTATIONS_H

#include "interlace/abi.h"

/* Marks a function whose memory accesses get no yield points: the scheduler never switches
 * threads inside it. It implies noinline, because code inlined into an instrumented caller
 * would be instrumented there.
 *
 *   INTERLACE_NO_INSTRUMENT void log_progress(const char *what);
 */
#if defined(__clang__)
#define INTERLACE_NO_INSTRUMENT __attribute__((annotate("interlace_no_instrument"), noinline))
#else
#define INTERLACE_NO_INSTRUMENT
#endif

/* A trace marker in code, for builds without the pass (or where a comment cannot go). The
 * same as a `// interlace: NAME` comment on the line after it:
 *
 *   INTERLACE_MARKER(read_balance);
 *   int current = balance;
 *
 * Needs the runtime (Interlace::runtime or Interlace::interlace) at link time. */
#define INTERLACE_MARKER(NAME)                                                                     \
  do {                                                                                             \
    static const interlace_site interlace_marker_site_ = {                                         \
        __FILE__, __func__, __LINE__, 0, INTERLACE_SITE_MARKER, 0, 0};                             \
    __interlace_marker(#NAME, &interlace_marker_site_);                                            \
  } while (0)

/* An assumption about the schedule: when `condition` is false in a managed thread, that
 * thread stops there for good while the others go on, and the execution ends as neither a
 * failure nor a complete run (an exploration counts it as discarded), as the C model
 * checkers' __VERIFIER_assume does. It turns a spin-wait into something a systematic search
 * can enumerate:
 *
 *   int seen = atomic_load(&flag);
 *   interlace_assume(seen == 1); // instead of: while (atomic_load(&flag) != 1) {}
 *
 * The calling thread never runs past it (its stack is unwound once the execution ends).
 * Outside a managed thread it does nothing. */
#ifdef __cplusplus
extern "C" {
#endif
void interlace_assume(int condition);

/* A switch point of cooperative code: the calling managed thread stands for an async task
 * that is back at its event loop, where any ready task may go next (interlace/asio.hpp calls
 * it; a driver that runs tasks cooperatively switches only at these, markers and blocking).
 * `site` (may be null) is the source line reports show for it. Outside a managed thread it
 * does nothing. */
void interlace_switch_point(const interlace_site *site);

/* For drivers that run code of their own in managed threads (interlace/asio.hpp's event
 * loops): from interlace_hide_begin() to interlace_hide_end() the calling thread has no yield
 * points and its blocking calls and clock reads are the real ones, so no code under test may
 * run there. interlace_unhide_begin() opens a visible stretch inside a hidden one (to wake a
 * waiting thread, which the runtime must see); interlace_hide_end() closes either with what
 * its begin returned. Outside a managed thread they do nothing. */
int interlace_hide_begin(void);
/* An async task's event loop with nothing to run waits for a completion to post it a handler:
 * a futex wait on `word` while it holds `seen` (a FUTEX_WAKE on the word ends it), which reports
 * describe as the task awaiting at its last co_await. */
void interlace_task_wait(uint32_t *word, uint32_t seen);
int interlace_unhide_begin(void);
void interlace_hide_end(int previous);
#ifdef __cplusplus
}
namespace interlace {
inline void assume(bool condition) { interlace_assume(condition ? 1 : 0); }
} // namespace interlace
#endif

#endif /* INTERLACE_ANNOTATIONS_H */
