/*
 * Sockets made like the user's, for the engine's parallel attempts: same
 * family, type and protocol, every readable option that differs from a
 * fresh socket's copied, and the same source address.  A clone that cannot be faithful is refused, and
 * the engine then runs one attempt at a time on the user's own socket.
 */
#ifndef CX_SOCKCLONE_H
#define CX_SOCKCLONE_H

#include <stdbool.h>
#include <sys/socket.h>
#include <netinet/in.h>

#define SOCKCLONE_MAX_SETS	48
#define SOCKCLONE_VALUE_MAX	64	/* bytes of one option's value */

struct sockclone_set {
	int		level, name;
	socklen_t	len;
	unsigned char	value[SOCKCLONE_VALUE_MAX];
};

/* What makes a clone of one socket, learnt at most once per run. */
struct sockclone_recipe {
	int			family, type, protocol;
	bool			bind_src;
	struct sockaddr_storage	src;		/* port 0 */
	socklen_t		srclen;
	struct sockclone_set	sets[SOCKCLONE_MAX_SETS];
	int			nsets;
};

/*
 * What an AF_INET6 TCP socket showed before an IPv4-mapped attempt changed
 * it: Linux keeps the attempt's local port and a smaller TCP_MAXSEG on it
 * afterwards, which are not the application's.  Kept with the socket's
 * record, so that a later call can still make a socket like it.
 */
struct sockclone_before {
	bool		set;
	in_port_t	port;		/* network order; 0: none of its own */
	int		maxseg;
};

/* Note what fd shows now; local is its address as inspected. */
void	sockclone_note(int fd, const struct sockaddr_storage *local,
	    struct sockclone_before *);

/*
 * What a run's connect(2) changes on the socket, noted before its first
 * attempt, so that the recipe can be learnt later, when the first clone
 * is due (HACKING.md, "Clones"): the local address (a connect binds one,
 * and a port), and the TCP options that read back otherwise once a
 * connect ran (TCP_MAXSEG: the connection's segment size;
 * TCP_WINDOW_CLAMP: the kernel's clamp, or the route's "window";
 * TCP_CONGESTION: the route's "congctl").  A few system calls, against
 * the recipe's hundred and more.
 */
#define SOCKCLONE_CA_NAME	16	/* TCP_CA_NAME_MAX */

struct sockclone_early {
	bool			set;
	bool			tcp;
	struct sockaddr_storage	src;		/* a stale port cleared */
	socklen_t		srclen;
	int			maxseg;		/* -1: not known */
	int			window_clamp;	/* -1: not known */
	char			congestion[SOCKCLONE_CA_NAME]; /* "": not known */
};

/*
 * Note it; ran_connect: a connect(2) ran on fd before this call (its
 * TCP_MAXSEG is then that connect's, not a value set: not known);
 * clear_stale: a port a failed connect left in view is cleared
 * (sockstate_stale_port), as sockclone_learn() does without early.
 * early->set stays false when fd's address cannot be read.
 */
void	sockclone_note_early(int fd, bool tcp, bool ran_connect,
	    bool clear_stale, struct sockclone_early *);

/*
 * Learn how to clone fd: as it was before a mapped attempt, when before
 * is given; as it was when early was noted, for what a connect changes,
 * when early is given.  0, ENOTSUP when a clone cannot be faithful (an
 * explicit source port, an option that does not copy, a socket filter),
 * or errno.
 */
int	sockclone_learn(int fd, const struct sockclone_before *,
	    const struct sockclone_early *, struct sockclone_recipe *);

/* A new non-blocking, close-on-exec socket made by the recipe; -1/errno. */
int	sockclone_make(const struct sockclone_recipe *);

#endif /* !CX_SOCKCLONE_H */
