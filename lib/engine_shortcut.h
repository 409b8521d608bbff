/*
 * Runs that skip the scheduler: a transport whose protocol runs the list
 * itself (kernel SCTP), and a lone destination deferred to the first write.
 */
#ifndef CX_ENGINE_SHORTCUT_H
#define CX_ENGINE_SHORTCUT_H

#include <stdbool.h>

struct run;

/*
 * A transport whose protocol runs the list itself (kernel SCTP): one call,
 * reported as one attempt at the first address, where the protocol starts.
 * The protocol's association ID, when it gives one, is the association's.
 */
int	run_whole_list(struct run *r, bool want_id);

struct assoc;

/*
 * A record whose association the protocol completes on its own
 * (assoc.completes): brought up to date from the socket fd, under the
 * record's lock.  *winner is the index to report: -1 while the association
 * is being set up or once it failed (the attempt then shows
 * ENOTCONN: the socket holds the error, SO_ERROR, for the application).
 */
void	engine_whole_list_update(int fd, struct assoc *a, int *winner);

/*
 * No data, connect no later than the first write (a lone destination):
 * begun now, it is the socket's to finish, so the call succeeds at once,
 * unless the socket is non-blocking and the SYN has already left (no fast
 * open cookie, or a plain connect): then the call reports what the kernel
 * reported, EINPROGRESS, and the attempt is a run like any non-blocking
 * one, for cx_step (connectx(2), COMPATIBILITY).
 */
int	run_deferred(struct run *r);

#endif /* !CX_ENGINE_SHORTCUT_H */
