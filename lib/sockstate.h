/*
 * What a descriptor is and what state its socket is in, read with as few
 * system calls as the checks allow.  No side effects.
 */
#ifndef CX_SOCKSTATE_H
#define CX_SOCKSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct transport;

struct sockstate {
	int			 fd;
	uint64_t		 cookie;	/* identity of the socket itself */
	int			 family;
	int			 type;
	int			 protocol;
	const struct transport	*tp;		/* NULL: not one we drive */
	bool			 listening;
	bool			 connected;
	bool			 connecting;	/* kernel connect in progress */
	bool			 failed_connect; /* TCP: its own connect(2) failed */
	bool			 bound;		/* local address or port set */
	bool			 family_assumed; /* not read: the lone
						 * destination's (sockstate_inspect_lone) */
	struct sockaddr_storage	 local;
	socklen_t		 locallen;
	struct sockaddr_storage	 peer;		/* UDP, when connected */
	socklen_t		 peerlen;
};

/* The first two checks: 0, EBADF or ENOTSOCK; sets fd and cookie. */
int	sockstate_identify(int fd, struct sockstate *);

/* Family, type, protocol, transport and connection state; 0 or errno. */
int	sockstate_inspect(struct sockstate *);

/*
 * For a lone destination and nothing else to check against the socket's
 * address: one TCP_INFO read, the family taken from the destination (the
 * kernel's connect(2) refuses another with EAFNOSUPPORT or EINVAL, which
 * the caller then checks again in full).  Falls back to sockstate_inspect()
 * for a socket that is not TCP.
 */
struct dest;
int	sockstate_inspect_lone(struct sockstate *, const struct dest *);

/* Cookie of fd, or 0 when it is no socket. */
uint64_t sockstate_cookie(int fd);

#endif /* !CX_SOCKSTATE_H */
