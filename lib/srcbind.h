/*
 * Source binding (sae_srcif, sae_srcaddr): checks that leave the user's
 * socket untouched, then the binding itself.
 */
#ifndef CX_SRCBIND_H
#define CX_SRCBIND_H

#include <stdbool.h>
#include <sys/socket.h>

struct sockstate;

/*
 * connectx(2) ERRORS' ENXIO, EADDRNOTAVAIL row 2 and EADDRINUSE, in
 * order, on a probe socket of the same kind: ENXIO (no interface srcif),
 * EADDRNOTAVAIL (src is no address of this host, or of interface srcif),
 * EADDRINUSE (src is taken), or any other refusal of bind(2) (EACCES);
 * else 0.
 */
int	srcbind_check(const struct sockstate *, unsigned int srcif,
	    const struct sockaddr *src, socklen_t srclen);

/*
 * Bind the socket to the interface, then to the address; 0 or errno.
 * With defer_port, a port 0 is left for connect(2) to choose
 * (IP_BIND_ADDRESS_NO_PORT during the bind).
 */
int	srcbind_apply(int fd, unsigned int srcif, const struct sockaddr *src,
	    socklen_t srclen, bool defer_port);

/*
 * Turn IP_BIND_ADDRESS_NO_PORT on for a bind of fd to src if src's port is
 * 0 and the option is off; true when it was turned on, for
 * srcbind_defer_port_end() to turn it off after the bind.
 */
bool	srcbind_defer_port(int fd, const struct sockaddr *src);
void	srcbind_defer_port_end(int fd, bool turned_on);

#endif /* !CX_SRCBIND_H */
