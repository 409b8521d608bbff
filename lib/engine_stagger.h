/*
 * The stagger scheduler (RFC 8305): a run as a state machine that never
 * blocks, and the poll(2) loop that drives a blocking socket's run.
 */
#ifndef CX_ENGINE_STAGGER_H
#define CX_ENGINE_STAGGER_H

#include <stdbool.h>
#include <time.h>

struct run;

/* How long an attempt that polled ready without an end is left out. */
#define QUIET_MS	10

/*
 * One step of the run, never blocking; the live slots' revents say what
 * poll(2) last saw.  Returns 0 (connected), the final errno, or EINPROGRESS
 * with *wait_ms the longest the caller may wait (-1: until a socket is
 * ready).
 */
int	run_advance(struct run *r, int *wait_ms);

/*
 * The longest a run in flight may be left alone from now, in ms, or -1:
 * until the next start, the oldest attempt's timeout, the deadline, and
 * with quiet, QUIET_MS for an attempt left out of the poll for a moment.
 */
int	run_wait(const struct run *r, struct timespec now, bool quiet);

/* Poll every attempt in flight for at most wait_ms; 0 or errno. */
int	run_poll(struct run *r, int wait_ms);

/* Drive a run to its end; the user's socket is non-blocking here. */
int	run_blocking(struct run *r);

#endif /* !CX_ENGINE_STAGGER_H */
