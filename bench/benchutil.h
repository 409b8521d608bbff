/*
 * What the benchmarks share (bench/cxbench.c, bench/syscalls.c): a
 * loopback listener, the clock, medians and the count arguments.  Each
 * exits (1, or 2 for a bad argument) with a line on stderr where what it
 * needs cannot be had: a benchmark has no way on.
 */
#ifndef CX_BENCHUTIL_H
#define CX_BENCHUTIL_H

#include <netinet/in.h>

/*
 * A TCP listener on 127.0.0.1, port chosen by the kernel, written to *sin;
 * flags (e.g. SOCK_NONBLOCK) added to the socket's type.
 */
int	bu_listener(struct sockaddr_in *sin, int backlog, int flags);

/* Milliseconds on the monotonic clock. */
double	bu_now_ms(void);

/* qsort(3)'s comparison of doubles. */
int	bu_cmp_double(const void *, const void *);
/* The median of v[0..n-1] (sorted in place). */
double	bu_median(double *v, int n);

/*
 * A count: 1 to max in decimal digits alone, else "PROG: S: not a count
 * (1 to MAX)" and exit 2.
 */
int	bu_count_arg(const char *prog, const char *s, long max);

#endif /* !CX_BENCHUTIL_H */
