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
#ifdef __cplusplus
}
namespace interlace {
inline void assume(bool condition) { interlace_assume(condition ? 1 : 0); }
} // namespace interlace
#endif

#endif /* INTERLACE_ANNOTATIONS_H */
