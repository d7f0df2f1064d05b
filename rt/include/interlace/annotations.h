/* Source annotations understood by the interlace pass. */
#ifndef INTERLACE_ANNOTATIONS_H
#define INTERLACE_ANNOTATIONS_H

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

#endif /* INTERLACE_ANNOTATIONS_H */
