/*
 * Test fixtures for the usrsctp transport: the real stack over UDP
 * encapsulation on loopback.  One stack per process (usrsctp_init): a
 * server and a client in one process reach each other through the stack's
 * own UDP port; a forked server brings a second stack with its own port.
 */
#ifndef CX_USRSCTP_UTIL_H
#define CX_USRSCTP_UTIL_H

#include <usrsctp.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "connectx.h"
#include "usrsctp_stack.h"	/* usstack_start, usstack_free_port */


/* An SCTP socket whose associations encapsulate to remote UDP port encaps. */
struct socket	*uu_socket(int family, uint16_t encaps);
/* The same of a type: SOCK_STREAM (one-to-one) or SOCK_SEQPACKET (one-to-many). */
struct socket	*uu_socket_type(int family, int type, uint16_t encaps);

/* A listener bound to each of the addresses (strings), SCTP port sport. */
struct socket	*uu_listen(int family, const char *const *addrs, int n, uint16_t sport);

/* One address, packed at *p (which advances); returns its length. */
size_t		 uu_put(unsigned char **p, const char *addr, uint16_t port);

/* Is sa (AF_INET, AF_INET6 or IPv4-mapped) the address addr? */
bool		 uu_is(const struct sockaddr *sa, const char *addr);

/* Is addr among the n packed addresses at list? */
bool		 uu_has(const struct sockaddr *list, int n, const char *addr);

/* State of the association (SCTP_STATUS), or -errno. */
int		 uu_state(struct socket *so, sctp_assoc_t id);

/* State of the path to addr (SCTP_GET_PEER_ADDR_INFO spinfo_state), or -errno. */
int		 uu_path_state(struct socket *so, sctp_assoc_t id, const char *addr, uint16_t port);

/* Wait until uu_state is ESTABLISHED or no association: that state. */
int		 uu_wait_established(struct socket *so, sctp_assoc_t id, int ms);

/* Send len bytes on stream 0. */
ssize_t		 uu_send(struct socket *so, const void *buf, size_t len);

/*
 * Receive one data message within ms milliseconds, skipping notifications
 * (a COMM_UP seen on the way is reported in *commup_id when non-NULL).
 */
ssize_t		 uu_recv(struct socket *so, void *buf, size_t len, int ms,
		    sctp_assoc_t *commup_id);

/* The next message is an SCTP_ASSOC_CHANGE notification: its state and ID. */
int		 uu_recv_assoc_change(struct socket *so, int ms, sctp_assoc_t *id);

/*
 * A forked echo server: its own stack on UDP port encaps_port, listening
 * on addrs at sport; echoes every message of every association.  Returns
 * once it listens.  Killed by uu_server_stop (and when its parent dies).
 * Called before this process starts a stack of its own (usrsctp_init
 * starts threads; a child forked from a threaded process may only exec):
 * otherwise -1, EDEADLK, and a line on stderr.  The same for uu_sink_fork.
 */
pid_t		 uu_server_fork(uint16_t encaps_port, int family,
		    const char *const *addrs, int n, uint16_t sport);
void		 uu_server_stop(pid_t);

/*
 * A sequenced flow for failover measurements (libconnectx(3), Failover
 * during the association): 1000-byte messages, each with its sequence
 * number first, one every millisecond.
 */
#define UU_FLOW_MSG	1000

/* What the sink saw of one flow. */
struct uu_flow_stats {
	long	received;	/* distinct messages */
	long	duplicates;
	long	reordered;	/* arrived after a higher sequence number */
	long	highest;	/* highest sequence number + 1 */
	double	max_gap_ms;	/* longest time between two arrivals */
	double	max_gap_at_ms;	/* when it began, from the first arrival */
	int	ngaps;		/* gaps over UU_GAP_MS: start (uu_now_ms), length */
	double	gap_at[64], gap_ms[64];
};
#define UU_GAP_MS	20

/*
 * The longest gap that began at or after t (uu_now_ms: one clock for every
 * process), or 0: the stall a path cut at t caused, apart from the
 * scheduling hiccups of a loaded machine before it.
 */
double		 uu_gap_after(const struct uu_flow_stats *, double t);

/*
 * A forked sink: its own stack on UDP port encaps_port, listening on addrs
 * at sport; takes one association and records every flow message until
 * the end marker (uu_flow_end) or the association's end, then writes its
 * statistics to *report (a pipe's read end, returned).
 */
pid_t		 uu_sink_fork(uint16_t encaps_port, const char *const *addrs,
		    int n, uint16_t sport, int *report);
/* The sink's statistics, within ms: 0, or -1 when none came. */
int		 uu_sink_report(int report, int ms, struct uu_flow_stats *);

/*
 * Send the flow on so (made non-blocking) for duration_ms, calling
 * tick(elapsed_ms, arg) every millisecond before it sends.  A message the
 * stack cannot take yet is sent at the next tick (order kept).  Stops when
 * the association fails: returns 0 when the duration ran out, else the
 * errno it failed with (ECONNRESET when only its state said so), with
 * *fail_ms the elapsed time it was seen at.  *sent counts the messages
 * taken by the stack.
 */
int		 uu_flow_send(struct socket *so, double duration_ms,
		    void (*tick)(double elapsed_ms, void *), void *arg,
		    long *sent, double *fail_ms);
/* The end marker, once everything before it is queued (blocking up to ms). */
int		 uu_flow_end(struct socket *so, int ms);

/* Milliseconds on the monotonic clock. */
double		 uu_now_ms(void);

#endif /* !CX_USRSCTP_UTIL_H */
