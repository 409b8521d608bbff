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

/* A UDP port free on both 0.0.0.0 and :: right now (host order). */
uint16_t	 uu_free_udp_port(void);

/* usrsctp_init on a free UDP port, which is returned (host order). */
double		 uu_margin_ms(void);	/* slack for upper time bounds */
uint16_t	 uu_init(void);

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
 */
pid_t		 uu_server_fork(uint16_t encaps_port, int family,
		    const char *const *addrs, int n, uint16_t sport);
void		 uu_server_stop(pid_t);

/* Milliseconds on the monotonic clock. */
double		 uu_now_ms(void);

#endif /* !CX_USRSCTP_UTIL_H */
