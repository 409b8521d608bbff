/*
 * The handshake of one association on the usrsctp stack, bounded by the
 * library's policy: its INIT pacing, the socket parameters changed for it
 * and put back, and the blocking wait for the association.  Include after
 * <usrsctp.h>.
 */
#ifndef CX_USRSCTP_HANDSHAKE_H
#define CX_USRSCTP_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>

/* The INIT pacing derived from the policy. */
struct pacing {
	long	rto_ms;		/* RTO.initial and the INIT's maximum timeout */
	long	inits;		/* INITs sent at most: sinit_max_attempts + 1 */
	long	deadline_ms;	/* a blocking call gives up after this */
};

/* The parameters of the socket a handshake changes, to put back. */
struct saved {
	struct sctp_rtoinfo	rto;
	struct sctp_initmsg	init;
};

/*
 * The socket's parameters are saved, overridden and put back under this
 * lock, one call at a time per socket: two threads connecting one
 * one-to-many socket would otherwise save each other's overrides as the
 * socket's own.  Only usrsctp_get/setsockopt and usrsctp_connectx run under
 * it.  Locks are striped by the socket's address.
 */
void	hs_lock(struct socket *so);
void	hs_unlock(struct socket *so);

/*
 * Abort the association id (SCTP_ABORT), so that a call that gave up
 * leaves nothing that comes up later.  0, or an errno when usrsctp refused.
 */
int	hs_abort(struct socket *so, sctp_assoc_t id);

/* ESTABLISHED, or one of the shutdown states that only follow it. */
bool	hs_was_established(int32_t state);

/* The pacing for a list of naddrs under the process policy. */
void	hs_pace(size_t naddrs, struct pacing *pc);

/* Save the socket's parameters into sv, then set the pacing's: 0 or an errno. */
int	hs_override(struct socket *so, struct saved *sv, const struct pacing *pc);

/*
 * Put the socket's own parameters back.  The INIT parameters belong to the
 * endpoint alone (an association copies them when it is made).  RTO.info
 * goes to id: SCTP_FUTURE_ASSOC for the endpoint, an association's ID for
 * that association's bounds.
 */
void	hs_restore_init(struct socket *so, const struct saved *sv);
void	hs_restore_rto(struct socket *so, sctp_assoc_t id, const struct saved *sv);

/* One-to-many sockets answer the association count; one-to-one refuse it. */
bool	hs_is_one_to_one(struct socket *so);

/* SCTP_STATUS of id: 0 or an errno. */
int	hs_assoc_state(struct socket *so, sctp_assoc_t id, struct sctp_status *st);

/* COOKIE-WAIT or COOKIE-ECHOED. */
bool	hs_setting_up(int32_t state);

/* The socket's pending error (SO_ERROR), 0 when none or unreadable. */
int	hs_so_error(struct socket *so);

/*
 * A blocking call: wait until the association is no longer being set up.
 * Signals do not end the wait (usrsctp cannot abandon an INIT under way);
 * the INIT bound does, and when the COOKIE-ECHO is out by then, usrsctp's
 * own end of that phase (as many tries, every D at most).
 * 0, or the errno the association failed with.
 */
int	hs_wait_up(struct socket *so, sctp_assoc_t id, const struct pacing *pc);

#endif /* !CX_USRSCTP_HANDSHAKE_H */
