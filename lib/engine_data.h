/*
 * The caller's data: what rides each attempt's first flight (fast open),
 * what the winner sends after it, and what a non-blocking call's winner
 * owes once *len has been reported.
 */
#ifndef CX_ENGINE_DATA_H
#define CX_ENGINE_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

struct run;
struct sockstate;

/* Copy the first flight's worth of the caller's data for fast open. */
bool	run_copy_syn_data(struct run *r, const struct iovec *iov, int iovcnt,
	    bool no_cookie);

/*
 * A non-blocking call stops here: what its first attempt's first flight
 * took is *len, and whichever attempt wins owes exactly that.
 */
void	run_settle_owed(struct run *r, size_t *sent);

/*
 * After the winner connected: queue what of the caller's data its first
 * flight did not carry, as much as fits now (*sent counts both).  A failed
 * send undoes the connection (UDP: back to the peer it had).
 */
int	run_send_rest(struct run *r, const struct iovec *iov, int iovcnt,
	    const struct sockstate *st, size_t *sent);

/*
 * cx_step's winner owes the bytes *len already reported that its own first
 * flight did not carry.  What the send buffer takes now is sent; the rest
 * stays owed (EAGAIN) and the run stays parked, to be sent by a later
 * cx_step once the socket polls writable: a non-blocking call never waits,
 * and a connection that succeeded is never given up for a full buffer.
 * 0 when all are delivered, EAGAIN, or the send's errno.
 */
int	run_send_owed(struct run *r);

#endif /* !CX_ENGINE_DATA_H */
