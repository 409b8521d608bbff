/*
 * A parked run, for event loops (libconnectx(3), "Non-blocking use"):
 * cx_step() advances it, cx_fds() and cx_timeout() say what to watch and
 * for how long, and the cx_ queries read what it has done so far.
 */
#ifndef CX_ENGINE_STEP_H
#define CX_ENGINE_STEP_H

#include <stdbool.h>

struct assoc;
struct pollfd;
struct sockrec;

/* cx_step(): advance the socket's parked run; 0 or errno, *wait_ms set. */
int	engine_step(int fd, int *wait_ms);

/*
 * cx_fds(): the descriptors a non-blocking run's attempts are on, with
 * the events to watch, at most n of them in pfd; *count is how many there
 * are.  Watching them lets the run use clones.  0 or errno.
 */
int	engine_fds(int fd, struct pollfd *pfd, int n, int *count);

/* cx_timeout(): the longest the run may wait for cx_step(), or -1. */
int	engine_timeout(int fd, int *wait_ms);

/*
 * What the run parked on a record (locked) has done so far, as an
 * association record (borrowed); false when none is parked there.
 */
bool	engine_parked_view(const struct sockrec *, struct assoc *);

#endif /* !CX_ENGINE_STEP_H */
