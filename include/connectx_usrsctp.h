/*
 * libconnectx over usrsctp, the userland SCTP stack: sctp_connectx(3)'s
 * checks and a failover time bounded by the library's policy, for
 * usrsctp sockets.  See cx_usrsctp_connectx(3).
 *
 * Installed only when the library was built with usrsctp.  Include this
 * header before <connectx.h> (or include <usrsctp.h> first): sctp_assoc_t
 * here is usrsctp's (uint32_t), and <connectx.h> then leaves the name to it.
 */
#ifndef CONNECTX_USRSCTP_H
#define CONNECTX_USRSCTP_H

#if defined(CONNECTX_SCTP_H) && !defined(__USRSCTP_H__) && !defined(CX_NO_SCTP_ASSOC_T)
#error "include <connectx_usrsctp.h> or <usrsctp.h> before <connectx.h>: their sctp_assoc_t differ"
#endif

#include <usrsctp.h>
#include <connectx.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Connect a usrsctp socket to a packed list of addresses (one peer, one
 * port), as sctp_connectx(3) does: 0 once the association is established
 * (blocking socket), -1 with errno EINPROGRESS on a non-blocking one (*id
 * already set), else -1 with errno.  *id is usrsctp's association ID, the
 * one its notifications and calls use.
 */
int	cx_usrsctp_connectx(struct socket *, const struct sockaddr *, int,
	    sctp_assoc_t *);

/* The ID of the association cx_usrsctp_connectx made on the socket. */
int	cx_usrsctp_getassocid(struct socket *, sctp_assoc_t *);

/*
 * The peer addresses the association kept (read when it came up), packed;
 * returns their count.  Free the list with cx_freepaddrs().
 */
int	cx_usrsctp_getpaddrs(struct socket *, sctp_assoc_t, struct sockaddr **);

/* One peer address of an association and the state of its path. */
struct cx_usrsctp_path {
	struct sockaddr_storage	cp_addr;
	int32_t			cp_state;	/* SCTP_ACTIVE, SCTP_INACTIVE,
						   SCTP_UNCONFIRMED */
	int			cp_primary;	/* 1: the primary path */
	uint32_t		cp_rto_ms;	/* its retransmission timeout now */
	uint32_t		cp_srtt_ms;	/* its smoothed round-trip time */
};

/*
 * Every peer address of the association (0: the newest) with its path's
 * state, as usrsctp sees it now; returns their count.  Free the array with
 * cx_usrsctp_freepaths().
 */
int	cx_usrsctp_getpaths(struct socket *, sctp_assoc_t, struct cx_usrsctp_path **);
void	cx_usrsctp_freepaths(struct cx_usrsctp_path *);

#ifdef __cplusplus
}
#endif

#endif /* !CONNECTX_USRSCTP_H */
