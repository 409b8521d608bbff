/*
 * Source binding (sae_srcif, sae_srcaddr): checks that leave the user's
 * socket untouched, then the binding itself.
 */
#ifndef CX_SRCBIND_H
#define CX_SRCBIND_H

#include <sys/socket.h>

struct sockstate;

/*
 * Rows 13-15 of connectx's checks, in order, on a probe socket of the same
 * kind: ENXIO (no interface srcif), EADDRNOTAVAIL (src is no address of
 * this host, or of interface srcif), EADDRINUSE (src is taken), or any
 * other refusal of bind(2) (EACCES); else 0.
 */
int	srcbind_check(const struct sockstate *, unsigned int srcif,
	    const struct sockaddr *src, socklen_t srclen);

/* Bind the socket to the interface, then to the address; 0 or errno. */
int	srcbind_apply(int fd, unsigned int srcif, const struct sockaddr *src,
	    socklen_t srclen);

#endif /* !CX_SRCBIND_H */
