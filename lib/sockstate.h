/*
 * What a descriptor is and what state its socket is in, read with as few
 * system calls as the checks allow.  No side effects, but one, made once
 * no check can refuse the call any more: a port a failed connect(2) left
 * in view, and no longer held, is cleared (sockstate_stale_port), so that
 * the socket shows what it has.
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
	bool			 ran_connect;	/* TCP, closed: a connect(2) ran on it */
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

/*
 * Whether a closed TCP socket has had a connect(2) run on it: TCP_INFO's
 * path MTU and advertised MSS are set by a connect and by nothing else,
 * and stay set after it failed and after connect(AF_UNSPEC).
 */
bool	sockstate_ran_connect(int fd);

/*
 * A closed TCP socket that a connect(2) ran on still shows that connect's
 * local port after Linux let go of it (HACKING.md, Verdicts, "Nothing
 * carried over from an earlier call").  Whether the socket still holds the
 * port shown in *local is asked of the socket itself: bind(2) to the
 * address it shows, port 0, with IP_BIND_ADDRESS_NO_PORT, is refused
 * (EINVAL) exactly when the socket holds a port, and takes no port when it
 * does not.  True when the port was such a stale one: the socket then
 * shows port 0, as *local does; nothing else changes on it.
 */
bool	sockstate_stale_port(int fd, struct sockaddr_storage *local);

/*
 * Whether the socket inspected has a local address or port of its own,
 * for the last check before the call changes the socket (connectx(2)
 * ERRORS, EINVAL row 6): a stale port is cleared (sockstate_stale_port),
 * so that only a call that goes on changes the socket.
 */
bool	sockstate_bound(struct sockstate *);

/* Cookie of fd, or 0 when it is no socket. */
uint64_t sockstate_cookie(int fd);

/* The socket's cookie in *cookie: 0, or EBADF / ENOTSOCK as fd is not one. */
int	sockstate_cookie_of(int fd, uint64_t *cookie);

#endif /* !CX_SOCKSTATE_H */
