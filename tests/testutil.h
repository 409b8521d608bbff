/*
 * Test fixtures on loopback: live listeners, refused ports, black holes
 * (HACKING.md, Tests), and checks of the state a socket was left in.
 */
#ifndef CX_TESTUTIL_H
#define CX_TESTUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* A TCP listener on loopback (family AF_INET: 127.0.0.1, AF_INET6: ::1). */
struct listener {
	int			fd;
	struct sockaddr_storage	addr;	/* where to connect */
	socklen_t		addrlen;
};

int	tu_listen(struct listener *, int family, int backlog);

/*
 * A black hole without privileges: a listener with backlog 0 whose accept
 * queue is already full (filled with connecting sockets
 * kept open here), so further SYNs are dropped.
 */
struct blackhole {
	struct listener	l;
	int		fill[4];
	int		nfill;
};

int	tu_blackhole(struct blackhole *, int family);
void	tu_blackhole_close(struct blackhole *);

/* An address on loopback with no listener: connecting is refused at once. */
void	tu_refused(struct sockaddr_storage *, socklen_t *, int family);

/*
 * Frees a black hole's accept queue after_ms milliseconds on: its next
 * SYN retransmission (about 1 s after the first) is answered, and the
 * destination becomes slow but live.  A thread's start routine (arg: a
 * struct tu_unblock).  started is a descriptor to wait on first (up to
 * 10 s; the after_ms then count from when it became readable), or -1 to
 * count from the thread's start.
 */
struct tu_unblock {
	struct blackhole	*b;
	int			 after_ms;
	int			 started;
};

void	*tu_unblock_later(void *);
/*
 * The run on fd to [slow but live, other] ended on the slow first one: the
 * second attempt started d ms after it, beside it, and was cancelled when
 * the first won (connectx(2), "Parallel attempts").
 */
void	 tu_assert_slow_first_won(int fd, long d);

/* Loopback address of the family with the given port (host order). */
void	tu_loopback(struct sockaddr_storage *, socklen_t *, int family, uint16_t port);

/* Pack addresses one after another, as sctp_connectx and connectx's extension take them. */
size_t	tu_pack(unsigned char *buf, const struct sockaddr_storage *addrs,
	    const socklen_t *lens, int n);

/* Socket state left behind. */
bool	tu_is_bound(int fd);		/* getsockname shows an address or port */
bool	tu_is_connected(int fd);	/* getpeername succeeds */
int	tu_tcp_state(int fd);		/* tcpi_state, or -1 */

/* Accept one connection within ms milliseconds; -1 if none. */
int	tu_accept(const struct listener *, int ms);

/* Milliseconds on the monotonic clock. */
double	tu_now_ms(void);
/* A time (struct cx_attempt's ca_start, ca_end) in milliseconds. */
double	tu_ts_ms(struct timespec);

/*
 * Slack for an upper time bound: dflt, or CX_TEST_MARGIN_MS when that is
 * larger (the valgrind and kernel lanes set it: their programs run many
 * times slower; lower bounds never move).
 */
double	tu_margin_ms(double dflt);

/* How many descriptors the process has open. */
int	tu_count_fds(void);

/*
 * Helpers for Check tests: each fails the running test (ck_assert) when
 * what it needs cannot be had.
 */

/* Fill a sockaddr_in from a literal address and port (host order). */
void	tu_set_v4(struct sockaddr_storage *, socklen_t *, const char *,
	    uint16_t);
/* Fill a sockaddr_in6 from a literal address and port (host order). */
void	tu_set_v6(struct sockaddr_storage *, socklen_t *, const char *,
	    uint16_t);
/* The port of an AF_INET or AF_INET6 address (host order). */
uint16_t tu_port_of(const struct sockaddr_storage *);
/* A port no socket holds on loopback of the family (host order). */
uint16_t tu_free_port(int family);
/* A socket(2) with SOCK_CLOEXEC added to type. */
int	tu_socket(int family, int type);
/* A TCP socket, SOCK_CLOEXEC and extra (e.g. SOCK_NONBLOCK) added. */
int	tu_tcp_socket(int family, int extra);
/*
 * A socket of the type bound to loopback of the family at port (0: one the
 * kernel picks), its address read back into ss and len.
 */
int	tu_bound(int family, int type, uint16_t port, struct sockaddr_storage *,
	    socklen_t *);
/*
 * A TCP socket connected to a new listener *l, by connectx(2) when
 * by_connectx, else by connect(2); the peer accepted in *peer.
 */
int	tu_tcp_connected(int family, struct listener *l, int *peer,
	    bool by_connectx);
/* A non-blocking TCP socket connecting (SYN_SENT) to a new black hole. */
int	tu_tcp_connecting(int family, struct blackhole *);
/* The listener got no connection within 100 ms. */
void	tu_assert_no_connection(const struct listener *);
/* The port the socket is bound to (host order). */
uint16_t tu_local_port(int fd);
/* The socket's SO_COOKIE (its identity: a clone that won has another), or 0. */
uint64_t tu_cookie(int fd);

/*
 * connectx(2) on fd to the n addresses a[] (lengths l[], at most
 * TU_MAXDEST), packed into its destination list; no source, data or
 * flags.  Returns what connectx returned (errno kept).
 */
int	tu_connectx(int fd, const struct sockaddr_storage *a,
	    const socklen_t *l, int n);
/*
 * tu_connectx to [black hole, live listener] with an attempt delay of d ms
 * (CX_OPT_ATTEMPT_DELAY_MS): the live attempt starts at d, on a clone
 * beside the first where the socket allows (connectx(2), "Parallel
 * attempts").  -1 with cx_setopt's errno if the delay cannot be set.
 */
int	tu_connect_past(int fd, const struct blackhole *,
	    const struct listener *live, long d);
/*
 * An event loop of poll(2) driving a parked run to its end: cx_step, then
 * every descriptor cx_fds names (at least one) for as long as cx_timeout
 * says.  Returns cx_step's last answer (errno kept).
 */
int	tu_drive(int fd);

/* A destination list being built: at most TU_MAXDEST addresses. */
#define TU_MAXDEST	8
struct tu_dlist {
	struct sockaddr_storage	a[TU_MAXDEST];
	socklen_t		l[TU_MAXDEST];
	int			n;
};

/* Append an address to the list. */
void	tu_dl_add(struct tu_dlist *, const struct sockaddr_storage *,
	    socklen_t);
/* Append a refused loopback address of the family (see tu_refused). */
void	tu_dl_add_refused(struct tu_dlist *, int family);

/*
 * Error rows (HACKING.md, Tests: "Error rows are data"): what a call left
 * behind, and the checks every row makes.  Each message starts with the
 * row's name.
 */

/* What can be seen of a socket, to tell that a call left it as it was. */
struct tu_snap {
	struct sockaddr_storage	local, peer;
	socklen_t		locallen, peerlen;
	int			local_err, peer_err;
	int			tcp_state;
	int			flags;
	char			dev[IFNAMSIZ + 1];
};

void	tu_snap_take(int fd, struct tu_snap *);
/* What differs from the snapshot ("local address", ...), or NULL. */
const char *tu_snap_changed(int fd, const struct tu_snap *);

/* The state a row's call must leave its socket in. */
enum tu_after {
	AFTER_NOTHING = 0,	/* no socket state to compare */
	AFTER_PRISTINE,		/* not bound, not connected, on no device */
	AFTER_UNCHANGED,	/* as it was before the call (struct tu_snap) */
	AFTER_UNCONNECTED,	/* no peer */
};

/*
 * The sockets a row's call is made on that every table has: descriptors
 * that are not sockets (EBADF, ENOTSOCK), sockets no transport drives
 * (EOPNOTSUPP), fresh TCP and UDP ones.  A table's own kinds are numbered
 * from S_OWN on.
 */
enum tu_sock {
	S_NEG = 0,		/* -1 */
	S_CLOSED,		/* a descriptor number just closed */
	S_PIPE_R, S_PIPE_W,	/* a pipe's ends (the other one left open) */
	S_DEVNULL,		/* /dev/null */
	S_UNIX_STREAM, S_UNIX_DGRAM,
	S_TCP4, S_TCP6, S_UDP4, S_UDP6,		/* fresh */
	S_UDP4_CONNECTED,	/* connect(2) to a free loopback port */
	S_NETLINK,		/* skipped where there is none */
	S_RAW4, S_RAW6,		/* SOCK_RAW, IPPROTO_UDP: root only */
	S_ICMP4,		/* ping socket: skipped where not allowed */
	S_TCP4_LISTENING, S_TCP6_LISTENING,	/* on loopback, in *own */
	S_OWN			/* the first of a table's own kinds */
};

/*
 * The socket of a kind below S_OWN for the row named row; -2 when the row
 * is skipped here (said why on stdout).  A listening kind's listener is
 * made in *own.
 */
int	tu_sock_make(int kind, const char *row, struct listener *own);
/* The kind's name for a row's message; own[] names a table's own kinds. */
const char *tu_sock_name(int kind, const char *const *own);

/*
 * The call returns -1 with errno want; returns 0.  The message names the
 * call as written (where the file using them includes <check.h>,
 * <errno.h> and <string.h>).
 */
#define EXPECT_ERR(call, want) do {					\
	int r_, e_;							\
	errno = 0;							\
	r_ = (call);							\
	e_ = errno;							\
	ck_assert_msg(r_ == -1 && e_ == (want),				\
	    "%s: returned %d, errno %d (%s); want -1, errno %d (%s)",	\
	    #call, r_, e_, strerror(e_), (want), strerror(want));	\
} while (0)

#define EXPECT_OK(call) do {						\
	int r_;								\
	errno = 0;							\
	r_ = (call);							\
	ck_assert_msg(r_ == 0, "%s: returned %d, errno %d (%s)", #call,	\
	    r_, errno, strerror(errno));				\
} while (0)

/* The socket is as in the snapshot s (tu_snap_take). */
#define UNCHANGED(fd, s) do {						\
	const char *what_ = tu_snap_changed((fd), (s));			\
	ck_assert_msg(what_ == NULL, "socket changed: %s", what_);	\
} while (0)

/* The row's call returned -1 with errno want; sock names its socket. */
void	tu_row_errno(const char *name, const char *sock, int ret, int err,
	    int want);
/*
 * The row's socket is as after says (before: taken just before the call,
 * for AFTER_UNCHANGED), and in TCP state tcp_state unless that is 0.
 */
void	tu_row_after(const char *name, int fd, enum tu_after after,
	    const struct tu_snap *before, int tcp_state);

#endif /* !CX_TESTUTIL_H */
