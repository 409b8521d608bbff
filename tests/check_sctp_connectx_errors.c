/*
 * sctp_connectx(3) ERRORS on kernel TCP and UDP sockets: every entry, in
 * the order the checks are made (EOPNOTSUPP for a socket no transport
 * drives and EISCONN for connected UDP are HACKING.md's choices), IPv4
 * entries mapped on AF_INET6 sockets, and packed lists read at any
 * alignment.  Each row checks the errno and that the socket was left as it
 * was.  Only loopback is ever connected to.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <check.h>
#include "connectx.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

#define SCX_FAIL(fd, addrs, cnt, want)					\
	EXPECT_ERR(sctp_connectx((fd), (struct sockaddr *)(void *)(addrs), \
	    (cnt), NULL), (want))

#define PRISTINE(fd) do {						\
	int st_ = tu_tcp_state(fd);					\
	ck_assert_msg(!tu_is_bound(fd), "socket was bound");		\
	ck_assert_msg(!tu_is_connected(fd), "socket was connected");	\
	ck_assert_msg(st_ == -1 || st_ == TCP_CLOSE,			\
	    "TCP state %d, want CLOSE", st_);				\
} while (0)

/* Pack n loopback addresses of the family at port into buf; its size. */
static size_t
pack_loopback(unsigned char *buf, int family, uint16_t port, int n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	size_t off = 0;
	int i;

	tu_loopback(&ss, &len, family, port);
	for (i = 0; i < n; i++) {
		memcpy(buf + off, &ss, len);
		off += len;
	}
	return off;
}

static void
set_v6only(int fd, int on)
{
	ck_assert_int_eq(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
	    sizeof(on)), 0);
}

/*
 * Memory whose last `size` bytes are followed by an inaccessible page: a
 * read past them faults.
 */
static unsigned char *
guarded(size_t size, void **map, size_t *maplen)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t pages = (size + (size_t)pg - 1) / (size_t)pg + 1;
	unsigned char *p;

	*maplen = pages * (size_t)pg;
	p = mmap(NULL, *maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_int_eq(mprotect(p + *maplen - pg, (size_t)pg, PROT_NONE), 0);
	*map = p;
	return p + *maplen - pg - size;
}

/* ---- the rows ---------------------------------------------------------- */

/*
 * Each row is one sctp_connectx call on a socket made for it: the socket,
 * the packed list (entries, each repeated, at an offset, or in memory
 * followed by a page that faults), addrcnt, the errno wanted and the state
 * to compare afterwards.  A failing row's message starts with its name.
 * Names cite the entries of sctp_connectx(3) ERRORS in their order
 * ("EINVAL row 2" is the second EINVAL entry there).
 */

/* The socket a row's call is made on: enum tu_sock's (testutil.h), or one of these. */
enum sock {
	S_TCP6_V6ONLY = S_OWN, S_UDP6_V6ONLY,
	S_TCP4_CONNECTED,	/* by connect(2), accepted */
	S_TCP6_SCTP_CONNECTX,	/* connected by sctp_connectx to the listener */
	S_UDP6_SCTP_CONNECTX,	/* associated by sctp_connectx */
	S_TCP4_CONNECTING, S_TCP6_CONNECTING,	/* SYN_SENT to a black hole */
};

static const char *const sock_name[] = {
	"TCP/IPv6 V6ONLY", "UDP/IPv6 V6ONLY",
	"TCP/IPv4 connected",
	"TCP/IPv6 connected by sctp_connectx", "UDP/IPv6 by sctp_connectx",
	"TCP/IPv4 connecting", "TCP/IPv6 connecting",
};

enum addr_kind {
	A_NONE = 0,
	A_LOOP,			/* loopback of the family, at port */
	A_TEXT,			/* text, at port */
	A_LIVE,			/* the row's listener (of the family) */
	A_REFUSED,		/* a loopback port with no listener */
	A_UNIX,			/* an AF_UNIX path (struct sockaddr_un) */
	A_BAD,			/* family text[0] zeroed, port bytes long */
};
#define P_FREE	(-1)		/* a free port of the family */
#define P_LIVE	(-2)		/* the row's listener's port */
#define P_LIVE1	(-3)		/* that port + 1 */
#define P_LIVEX	(-4)		/* that port ^ 1 */

struct entry {
	enum addr_kind	kind;
	int		family;
	const char	*text;
	int		port;
	int		times;		/* 0: once */
};

#define LO4(p)		{ A_LOOP, AF_INET, NULL, (p), 0 }
#define LO6(p)		{ A_LOOP, AF_INET6, NULL, (p), 0 }
#define LO4N(p, n)	{ A_LOOP, AF_INET, NULL, (p), (n) }
#define LO6N(p, n)	{ A_LOOP, AF_INET6, NULL, (p), (n) }
#define V4(t, p)	{ A_TEXT, AF_INET, (t), (p), 0 }
#define V6(t, p)	{ A_TEXT, AF_INET6, (t), (p), 0 }
#define LIVE4		{ A_LIVE, AF_INET, NULL, 0, 0 }
#define LIVE6		{ A_LIVE, AF_INET6, NULL, 0, 0 }
#define REFUSED6	{ A_REFUSED, AF_INET6, NULL, 0, 0 }
#define UNIXPATH	{ A_UNIX, AF_UNIX, NULL, 0, 0 }
#define BAD(fam, len)	{ A_BAD, (fam), NULL, (len), 0 }

struct row {
	const char	*name;
	int		sock;		/* enum tu_sock or enum sock */
	struct entry	list[3];
	bool		null_addrs;	/* addrs NULL */
	bool		cnt_set;
	int		addrcnt;	/* else the entries' count */
	size_t		offset;		/* of the list in its buffer */
	bool		guarded;	/* a faulting page right after the list */
	int		listen_family;	/* the row's listener, for P_LIVE */
	int		want;		/* errno */
	enum tu_after	after;
	int		tcp_state;	/* 0: not compared */
	bool		live_untouched;
};

#define CNT(n)		.cnt_set = true, .addrcnt = (n)

static const struct row rows[] = {
	/* EBADF */
	{ "EBADF: descriptor -1", S_NEG, { LO4(9) }, .want = EBADF },
	{ "EBADF: closed descriptor", S_CLOSED, { LO4(9) }, .want = EBADF },
	{ "EBADF before EINVAL row 1 (addrs NULL)", S_NEG, .null_addrs = true,
	  CNT(1), .want = EBADF },
	{ "EBADF before EINVAL row 1 (addrcnt 0)", S_NEG, { LO4(9) }, CNT(0),
	  .want = EBADF },
	{ "EBADF before E2BIG row 1 (addrcnt INT_MAX)", S_NEG, { LO4(9) },
	  CNT(INT_MAX), .want = EBADF },
	/* ENOTSOCK */
	{ "ENOTSOCK: pipe", S_PIPE_W, { LO4(9) }, .want = ENOTSOCK,
	  .after = AFTER_UNCHANGED },
	{ "ENOTSOCK before EINVAL row 1 (addrs NULL)", S_PIPE_R,
	  .null_addrs = true, CNT(1), .want = ENOTSOCK },
	{ "ENOTSOCK before EINVAL row 1 (addrcnt -1)", S_PIPE_R, { LO4(9) },
	  CNT(-1), .want = ENOTSOCK },
	{ "ENOTSOCK before E2BIG row 1 (addrcnt INT_MAX)", S_PIPE_R, { LO4(9) },
	  CNT(INT_MAX), .want = ENOTSOCK },
	/* EINVAL row 1: addrs NULL, addrcnt not positive */
	{ "EINVAL row 1: addrs NULL", S_TCP4, .null_addrs = true, CNT(1),
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 1: addrcnt 0", S_TCP6, { LO6(P_FREE) }, CNT(0),
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 1: addrcnt -1", S_TCP6, { LO6(P_FREE) }, CNT(-1),
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 1: addrcnt INT_MIN", S_TCP6, { LO6(P_FREE) }, CNT(INT_MIN),
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 1: addrcnt 0, UDP", S_UDP4, { LO4(P_FREE) }, CNT(0),
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 1 before E2BIG row 1 (NULL, addrcnt INT_MAX)", S_TCP4,
	  .null_addrs = true, CNT(INT_MAX), .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 1 before EOPNOTSUPP (AF_UNIX)", S_UNIX_STREAM, { LO4(9) },
	  CNT(0), .want = EINVAL, .after = AFTER_UNCHANGED },
	{ "EINVAL row 1 before EISCONN (listening)", S_TCP4_LISTENING,
	  .null_addrs = true, CNT(1), .want = EINVAL, .after = AFTER_UNCHANGED },
	/* E2BIG rows 1 and 2: over 64 KiB */
	{ "E2BIG row 1: 4097 IPv4 entries (65552 bytes)", S_TCP4,
	  { LO4N(P_FREE, 4097) }, .want = E2BIG, .after = AFTER_PRISTINE },
	{ "E2BIG row 2: 2340 IPv6 + 2 IPv4 entries (65552 bytes)", S_TCP6,
	  { LO6N(P_FREE, 2340), LO4N(P_FREE, 2) }, .want = E2BIG,
	  .after = AFTER_PRISTINE },
	{ "E2BIG not at 65536 bytes (4096 IPv4): on to EINVAL row 4 (port 0)",
	  S_TCP4, { LO4N(0, 4096) }, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "E2BIG not at 65536 bytes (2340 IPv6 + 1 IPv4): EINVAL row 4 (port 0)",
	  S_TCP6, { LO6N(0, 2340), LO4(0) }, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "E2BIG row 1: addrcnt INT_MAX, the entries not read", S_TCP4,
	  { LO4(P_FREE) }, CNT(INT_MAX), .guarded = true, .want = E2BIG,
	  .after = AFTER_PRISTINE },
	{ "E2BIG row 1: addrcnt INT_MAX / 16 + 1, the entries not read", S_TCP4,
	  { LO4(P_FREE) }, CNT(INT_MAX / 16 + 1), .guarded = true,
	  .want = E2BIG, .after = AFTER_PRISTINE },
	{ "E2BIG row 1: addrcnt INT_MAX / 28 + 1, the entries not read", S_TCP4,
	  { LO4(P_FREE) }, CNT(INT_MAX / 28 + 1), .guarded = true,
	  .want = E2BIG, .after = AFTER_PRISTINE },
	{ "E2BIG row 1: addrcnt 4097, the entries not read", S_TCP4,
	  { LO4(P_FREE) }, CNT(4097), .guarded = true, .want = E2BIG,
	  .after = AFTER_PRISTINE },
	{ "E2BIG row 1 before EINVAL row 2 (AF_UNIX entry first)", S_TCP6,
	  { BAD(AF_UNIX, sizeof(struct sockaddr_in6)) }, CNT(INT_MAX),
	  .want = E2BIG, .after = AFTER_PRISTINE },
	{ "E2BIG row 2 before EINVAL row 2 (past 64 KiB, then AF_UNIX)", S_TCP6,
	  { LO6N(80, 2341), BAD(AF_UNIX, sizeof(struct sockaddr_in6)) },
	  .want = E2BIG, .after = AFTER_PRISTINE },
	{ "E2BIG row 1 before EISCONN (listening)", S_TCP4_LISTENING,
	  { LO4N(P_FREE, 4097) }, .want = E2BIG, .after = AFTER_UNCHANGED },
	/* EINVAL row 2: an entry of another family */
	{ "EINVAL row 2: AF_UNIX entry", S_TCP4, { UNIXPATH }, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 2: family 0", S_UDP6, { BAD(0, sizeof(struct sockaddr_storage)) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 2: AF_PACKET second entry", S_TCP4,
	  { LIVE4, BAD(AF_PACKET, sizeof(struct sockaddr_in)) }, .want = EINVAL,
	  .after = AFTER_PRISTINE, .live_untouched = true },
	{ "EINVAL row 2 before EOPNOTSUPP (AF_UNIX socket)", S_UNIX_STREAM,
	  { UNIXPATH }, .want = EINVAL, .after = AFTER_UNCHANGED },
	{ "EINVAL row 2 before EISCONN (listening)", S_TCP4_LISTENING,
	  { BAD(AF_UNIX, sizeof(struct sockaddr_storage)) }, .want = EINVAL,
	  .after = AFTER_UNCHANGED },
	{ "EINVAL row 2 before EISCONN (connected)", S_TCP4_CONNECTED,
	  { BAD(AF_UNIX, sizeof(struct sockaddr_storage)) }, .want = EINVAL,
	  .after = AFTER_UNCHANGED },
	/* EOPNOTSUPP: a socket no transport drives (HACKING.md) */
	{ "EOPNOTSUPP: AF_UNIX stream", S_UNIX_STREAM, { LO4(9) },
	  .want = EOPNOTSUPP, .after = AFTER_UNCHANGED },
	{ "EOPNOTSUPP: AF_UNIX datagram", S_UNIX_DGRAM, { LO6(9) },
	  .want = EOPNOTSUPP, .after = AFTER_UNCHANGED },
	{ "EOPNOTSUPP: raw IPv4", S_RAW4, { LO4(P_FREE) }, .want = EOPNOTSUPP,
	  .after = AFTER_UNCHANGED },
	{ "EOPNOTSUPP before EINVAL row 3 (raw IPv4, IPv6 entry)", S_RAW4,
	  { LO6(P_FREE) }, .want = EOPNOTSUPP, .after = AFTER_UNCHANGED },
	{ "EOPNOTSUPP: ICMP datagram", S_ICMP4, { LO4(9) }, .want = EOPNOTSUPP,
	  .after = AFTER_PRISTINE },
	{ "EOPNOTSUPP before EINVAL row 3 (ICMP, IPv6 entry)", S_ICMP4, { LO6(9) },
	  .want = EOPNOTSUPP, .after = AFTER_PRISTINE },
	{ "EOPNOTSUPP before EINVAL row 4 (port 0)", S_UNIX_STREAM, { LO4(0) },
	  .want = EOPNOTSUPP, .after = AFTER_UNCHANGED },
	{ "EOPNOTSUPP before EINVAL row 4 (multicast)", S_UNIX_STREAM,
	  { V4("224.0.0.1", 9) }, .want = EOPNOTSUPP, .after = AFTER_UNCHANGED },
	/* EINVAL row 3: families against the socket */
	{ "EINVAL row 3: IPv6 entry, TCP/IPv4", S_TCP4, { LO6(P_FREE) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 3: IPv6 entry, UDP/IPv4", S_UDP4, { LO6(P_FREE) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 3: IPv6 second entry, TCP/IPv4", S_TCP4,
	  { LIVE4, LO6(P_LIVE) }, .listen_family = AF_INET, .want = EINVAL,
	  .after = AFTER_PRISTINE, .live_untouched = true },
	{ "EINVAL row 3: IPv4 entry, V6ONLY TCP", S_TCP6_V6ONLY, { LIVE4 },
	  .want = EINVAL, .after = AFTER_PRISTINE, .live_untouched = true },
	{ "EINVAL row 3: IPv4 entry, V6ONLY UDP", S_UDP6_V6ONLY, { LO4(P_FREE) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 3: IPv4 second entry, V6ONLY TCP", S_TCP6_V6ONLY,
	  { LIVE6, LO4(P_LIVE) }, .listen_family = AF_INET6, .want = EINVAL,
	  .after = AFTER_PRISTINE, .live_untouched = true },
	{ "EINVAL row 3 before row 4 (V6ONLY, IPv4 port 0)", S_TCP6_V6ONLY,
	  { LO4(0) }, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 3 before EISCONN (listening)", S_TCP4_LISTENING, { LO6(9) },
	  .want = EINVAL, .after = AFTER_UNCHANGED },
	{ "EINVAL row 3 before EISCONN (connected)", S_TCP4_CONNECTED, { LO6(9) },
	  .want = EINVAL, .after = AFTER_UNCHANGED },
	{ "EINVAL row 3 before EALREADY (connecting)", S_TCP4_CONNECTING,
	  { LO6(9) }, .want = EINVAL, .after = AFTER_UNCHANGED },
	/* EINVAL row 4: unusable addresses, port 0, ports differ */
	{ "EINVAL row 4: 0.0.0.0, TCP", S_TCP4, { V4("0.0.0.0", P_FREE) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: 0.0.0.0, UDP", S_UDP4, { V4("0.0.0.0", P_FREE) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: 0.0.0.0 mapped on TCP/IPv6", S_TCP6,
	  { V4("0.0.0.0", P_FREE) }, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: ::", S_TCP6, { V6("::", P_FREE) }, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 4: ::ffff:0.0.0.0", S_TCP6, { V6("::ffff:0.0.0.0", P_FREE) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: 224.0.0.1, TCP", S_TCP4, { V4("224.0.0.1", 9) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: 224.0.0.1, UDP too", S_UDP4, { V4("224.0.0.1", 9) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: 224.0.0.1 mapped on UDP/IPv6", S_UDP6,
	  { V4("224.0.0.1", 9) }, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: ff02::1", S_UDP6, { V6("ff02::1", 9) }, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 4: ::ffff:239.1.2.3", S_UDP6, { V6("::ffff:239.1.2.3", 9) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: 255.255.255.255, TCP", S_TCP4,
	  { V4("255.255.255.255", 9) }, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: 255.255.255.255, UDP", S_UDP4,
	  { V4("255.255.255.255", 9) }, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: 255.255.255.255 mapped on TCP/IPv6", S_TCP6,
	  { V4("255.255.255.255", 9) }, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: ::ffff:255.255.255.255", S_TCP6,
	  { V6("::ffff:255.255.255.255", 9) }, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 4: IPv4 port 0, TCP/IPv4", S_TCP4, { LO4(0) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: IPv4 port 0 mapped on TCP/IPv6", S_TCP6, { LO4(0) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: IPv6 port 0, TCP", S_TCP6, { LO6(0) }, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 4: IPv6 port 0, UDP", S_UDP6, { LO6(0) }, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 4: ports differ after a live entry", S_TCP4,
	  { LIVE4, LO4(P_LIVE1) }, .listen_family = AF_INET, .want = EINVAL,
	  .after = AFTER_PRISTINE, .live_untouched = true },
	{ "EINVAL row 4: ports differ, mapped on TCP/IPv6", S_TCP6,
	  { LIVE4, LO4(P_LIVE1) }, .listen_family = AF_INET, .want = EINVAL,
	  .after = AFTER_PRISTINE, .live_untouched = true },
	{ "EINVAL row 4: ports differ, IPv6 then IPv4", S_TCP6,
	  { LO6(P_LIVE), LO4(P_LIVE1) }, .listen_family = AF_INET,
	  .want = EINVAL, .after = AFTER_PRISTINE, .live_untouched = true },
	{ "EINVAL row 4: port 0 last of ten", S_TCP6,
	  { LO6N(P_LIVE, 9), LO6(0) }, .listen_family = AF_INET6, .want = EINVAL,
	  .after = AFTER_PRISTINE, .live_untouched = true },
	{ "EINVAL row 4 before EISCONN (listening)", S_TCP4_LISTENING, { LO4(0) },
	  .want = EINVAL, .after = AFTER_UNCHANGED },
	{ "EINVAL row 4 before EISCONN (connected)", S_TCP4_CONNECTED, { LO4(0) },
	  .want = EINVAL, .after = AFTER_UNCHANGED },
	{ "EINVAL row 4 before EALREADY (connecting)", S_TCP4_CONNECTING,
	  { LO4(0) }, .want = EINVAL, .after = AFTER_UNCHANGED },
#define UNALIGNED(off)							\
	{ "EINVAL row 4: third entry's port differs, list at offset " #off, \
	  S_TCP6, { LO6(P_LIVE), V4("127.0.0.1", P_LIVE), LO6(P_LIVEX) },	\
	  .offset = (off), .listen_family = AF_INET6, .want = EINVAL,	\
	  .after = AFTER_PRISTINE, .live_untouched = true },		\
	{ "EINVAL row 4: third entry multicast, list at offset " #off,	\
	  S_TCP6, { LO6(P_LIVE), V4("127.0.0.1", P_LIVE), V6("ff02::1", P_LIVE) }, \
	  .offset = (off), .listen_family = AF_INET6, .want = EINVAL,	\
	  .after = AFTER_PRISTINE, .live_untouched = true }
	UNALIGNED(1), UNALIGNED(3), UNALIGNED(5), UNALIGNED(7),
#undef UNALIGNED
	/* EISCONN */
	{ "EISCONN: listening", S_TCP6_LISTENING, { LIVE6 }, .want = EISCONN,
	  .after = AFTER_UNCHANGED, .tcp_state = TCP_LISTEN,
	  .live_untouched = true },
	{ "EISCONN: connected by connect(2)", S_TCP4_CONNECTED, { LIVE4 },
	  .want = EISCONN, .after = AFTER_UNCHANGED, .live_untouched = true },
	{ "EISCONN: connected by sctp_connectx", S_TCP6_SCTP_CONNECTX, { LIVE6 },
	  .want = EISCONN, .after = AFTER_UNCHANGED },
	{ "EISCONN: connected UDP (HACKING.md: connectx may re-associate)",
	  S_UDP4_CONNECTED, { LO4(P_FREE) }, .want = EISCONN,
	  .after = AFTER_UNCHANGED },
	{ "EISCONN: UDP associated by sctp_connectx", S_UDP6_SCTP_CONNECTX,
	  { LO6(P_FREE) }, .want = EISCONN, .after = AFTER_UNCHANGED },
	/* EALREADY */
	{ "EALREADY: connect(2) in progress, TCP/IPv4", S_TCP4_CONNECTING,
	  { LIVE4 }, .want = EALREADY, .after = AFTER_UNCHANGED,
	  .tcp_state = TCP_SYN_SENT, .live_untouched = true },
	{ "EALREADY: connect(2) in progress, TCP/IPv6", S_TCP6_CONNECTING,
	  { REFUSED6 }, .want = EALREADY, .after = AFTER_UNCHANGED },
};

/* What a row set up: its listeners, the black hole, the peer. */
struct bench {
	struct listener		live, own;
	bool			have_live;
	struct blackhole	bh;
	int			peer;
};

static struct listener *
live_of(struct bench *b, int family)
{
	if (!b->have_live) {
		ck_assert_int_eq(tu_listen(&b->live, family, 8), 0);
		b->have_live = true;
	}
	return &b->live;
}

/* Append entry e (once) at buf; its size. */
static size_t
put_entry(struct bench *b, const struct entry *e, unsigned char *buf)
{
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	socklen_t len;
	uint16_t live = b->have_live ? tu_port_of(&b->live.addr) : 0;
	uint16_t port = e->port == P_FREE ? tu_free_port(e->family) :
	    e->port == P_LIVE ? live : e->port == P_LIVE1 ? (uint16_t)(live + 1) :
	    e->port == P_LIVEX ? (uint16_t)(live ^ 1) : (uint16_t)e->port;

	memset(&ss, 0, sizeof(ss));
	switch (e->kind) {
	case A_NONE:
		return 0;
	case A_LOOP:
		tu_loopback(&ss, &len, e->family, port);
		break;
	case A_TEXT:
		if (e->family == AF_INET)
			tu_set_v4(&ss, &len, e->text, port);
		else
			tu_set_v6(&ss, &len, e->text, port);
		break;
	case A_LIVE:
		ss = live_of(b, e->family)->addr;
		len = b->live.addrlen;
		break;
	case A_REFUSED:
		tu_refused(&ss, &len, e->family);
		break;
	case A_UNIX:
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		strcpy(sun.sun_path, "/nonexistent/cx-test");
		memcpy(buf, &sun, sizeof(sun));
		return sizeof(sun);
	case A_BAD:
		ss.ss_family = (sa_family_t)e->family;
		len = (socklen_t)e->port;
		break;
	}
	memcpy(buf, &ss, len);
	return len;
}

/* The row's socket; -2: the row is skipped (said why). */
static int
make_sock(struct bench *b, const struct row *r)
{
	struct sockaddr_storage ss;
	socklen_t len;
	sctp_assoc_t id = 0;
	int fd;

	if (r->sock < S_OWN)
		return tu_sock_make(r->sock, r->name, &b->own);
	switch ((enum sock)r->sock) {
	case S_TCP6_V6ONLY:
	case S_UDP6_V6ONLY:
		fd = tu_socket(AF_INET6, r->sock == S_TCP6_V6ONLY ?
		    SOCK_STREAM : SOCK_DGRAM);
		set_v6only(fd, 1);
		return fd;
	case S_TCP4_CONNECTED:
		return tu_tcp_connected(AF_INET, &b->own, &b->peer, false);
	case S_TCP6_SCTP_CONNECTX:
		fd = tu_socket(AF_INET6, SOCK_STREAM);
		ck_assert_int_eq(sctp_connectx(fd,
		    (struct sockaddr *)&live_of(b, AF_INET6)->addr, 1, &id), 0);
		return fd;
	case S_UDP6_SCTP_CONNECTX:
		fd = tu_socket(AF_INET6, SOCK_DGRAM);
		tu_loopback(&ss, &len, AF_INET6, tu_free_port(AF_INET6));
		ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&ss, 1, &id), 0);
		ck_assert_int_gt(id, 0);
		return fd;
	case S_TCP4_CONNECTING:	return tu_tcp_connecting(AF_INET, &b->bh);
	case S_TCP6_CONNECTING:	return tu_tcp_connecting(AF_INET6, &b->bh);
	}
	ck_abort_msg("%s: no such socket kind %d", r->name, (int)r->sock);
	return -1;
}

START_TEST(test_sctp_connectx_error_row)
{
	const struct row *r = &rows[_i];
	struct bench b = { .peer = -1 };
	unsigned char *buf = NULL, *list = NULL;
	void *map = NULL;
	size_t off = 0, maplen = 0;
	struct tu_snap before;
	int fd, ret, err, i, t, count = 0;

	if ((fd = make_sock(&b, r)) == -2)
		return;
	if (r->listen_family != 0)
		(void)live_of(&b, r->listen_family);
	if (!r->null_addrs) {
		buf = calloc(1, 70000 + 8);
		ck_assert_ptr_nonnull(buf);
		list = buf + r->offset;
		for (i = 0; i < 3; i++)
			for (t = 0; t < (r->list[i].times ? r->list[i].times : 1) &&
			    r->list[i].kind != A_NONE; t++, count++)
				off += put_entry(&b, &r->list[i], list + off);
		if (r->guarded) {
			/* The list, then a page that faults. */
			unsigned char *g = guarded(off, &map, &maplen);

			memcpy(g, list, off);
			list = g;
		}
	}
	if (r->after == AFTER_UNCHANGED)
		tu_snap_take(fd, &before);
	errno = 0;
	ret = sctp_connectx(fd, (struct sockaddr *)(void *)list,
	    r->cnt_set ? r->addrcnt : count, NULL);
	err = errno;

	tu_row_errno(r->name, tu_sock_name(r->sock, sock_name), ret, err, r->want);
	tu_row_after(r->name, fd, r->after, &before, r->tcp_state);
	if (r->live_untouched)
		tu_assert_no_connection(&b.live);
	if (map != NULL)
		munmap(map, maplen);
	free(buf);
}
END_TEST

/* ---- cases that are more than one call -------------------------------- */


START_TEST(test_sctp_connectx_einval_row3_not_without_v6only)
{
	struct listener l;
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	sctp_assoc_t id = 0;
	int a, fd = tu_socket(AF_INET6, SOCK_STREAM);
	struct sockaddr_in6 *p6 = (struct sockaddr_in6 *)&peer;

	/* Without V6ONLY, IPv4 entries are used as IPv4-mapped addresses. */
	set_v6only(fd, 0);
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	ck_assert_msg(sctp_connectx(fd, (struct sockaddr *)&l.addr, 1, &id) == 0,
	    "sctp_connectx: %s", strerror(errno));
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer, &pl), 0);
	ck_assert_int_eq(peer.ss_family, AF_INET6);
	ck_assert(IN6_IS_ADDR_V4MAPPED(&p6->sin6_addr));
	ck_assert_uint_eq(ntohs(p6->sin6_port), tu_port_of(&l.addr));
	a = tu_accept(&l, 2000);
	ck_assert_int_ge(a, 0);
	close(a);
}
END_TEST

START_TEST(test_sctp_connectx_einval_row3_not_for_a_mixed_list)
{
	struct listener l;
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	unsigned char buf[128];
	size_t off;
	sctp_assoc_t id = 0;
	int fd = tu_socket(AF_INET6, SOCK_STREAM);
	uint16_t port;

	/* [::1 (refused), 127.0.0.1 (listening)], one port for both. */
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	port = tu_port_of(&l.addr);
	off = pack_loopback(buf, AF_INET6, port, 1);
	memcpy(buf + off, &l.addr, sizeof(struct sockaddr_in));
	ck_assert_msg(sctp_connectx(fd, (struct sockaddr *)buf, 2, &id) == 0,
	    "sctp_connectx: %s (is [::1]:%u free?)", strerror(errno), port);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer, &pl), 0);
	ck_assert(IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&peer)->sin6_addr));
}
END_TEST

/*
 * A V6ONLY socket given an IPv4 address written IPv4-mapped
 * (::ffff:127.0.0.1, as a resolver with AI_V4MAPPED returns it): refused
 * as an IPv4 entry (EINVAL row 3), as kernel SCTP refuses it, before anything is
 * done: the socket untouched, no connection, no association ID used up.
 */
START_TEST(test_sctp_connectx_einval_row3_v6only_v4mapped)
{
	struct listener l;
	struct sockaddr_in6 mapped;
	unsigned char buf[2 * sizeof(struct sockaddr_in6)];
	sctp_assoc_t before = 0, after = 0, id = -1;
	int a, fd = tu_socket(AF_INET6, SOCK_STREAM),
	    u = tu_socket(AF_INET6, SOCK_DGRAM),
	    probe = tu_socket(AF_INET6, SOCK_DGRAM);

	set_v6only(fd, 1);
	set_v6only(u, 1);
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	memset(&mapped, 0, sizeof(mapped));
	mapped.sin6_family = AF_INET6;
	mapped.sin6_port = htons(tu_port_of(&l.addr));
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:127.0.0.1",
	    &mapped.sin6_addr), 1);
	/* The ID the next association gets, before and after. */
	ck_assert_int_eq(sctp_connectx(probe, (struct sockaddr *)&mapped, 1,
	    &before), 0);
	EXPECT_ERR(sctp_connectx(fd, (struct sockaddr *)&mapped, 1, &id),
	    EINVAL);
	PRISTINE(fd);
	EXPECT_ERR(sctp_connectx(u, (struct sockaddr *)&mapped, 1, &id),
	    EINVAL);
	PRISTINE(u);
	/* Second of two, after a native IPv6 entry. */
	pack_loopback(buf, AF_INET6, tu_port_of(&l.addr), 1);
	memcpy(buf + sizeof(mapped), &mapped, sizeof(mapped));
	EXPECT_ERR(sctp_connectx(fd, (struct sockaddr *)buf, 2, &id), EINVAL);
	PRISTINE(fd);
	tu_assert_no_connection(&l);
	close(probe);
	probe = tu_socket(AF_INET6, SOCK_DGRAM);
	ck_assert_int_eq(sctp_connectx(probe, (struct sockaddr *)&mapped, 1,
	    &after), 0);
	ck_assert_int_eq(after, before + 1);
	/* The same socket without V6ONLY takes it. */
	close(fd);
	fd = tu_socket(AF_INET6, SOCK_STREAM);
	set_v6only(fd, 0);
	ck_assert_msg(sctp_connectx(fd, (struct sockaddr *)&mapped, 1, &id) == 0,
	    "sctp_connectx: %s", strerror(errno));
	ck_assert_int_ge(a = tu_accept(&l, 2000), 0);
	close(a);
	close(fd);
	close(u);
	close(probe);
	close(l.fd);
}
END_TEST

START_TEST(test_sctp_connectx_mapped_refused_then_v6_connects)
{
	struct listener l;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[64];
	sctp_assoc_t id = 0;
	int fd = tu_socket(AF_INET6, SOCK_STREAM), acc;

	/*
	 * [127.0.0.2 (mapped, refused), ::1 (listening)].  A total timeout
	 * turns a hang of the second attempt into a failure.
	 */
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_TOTAL_TIMEOUT_MS, 3000), 0);
	ck_assert_int_eq(tu_listen(&l, AF_INET6, 8), 0);
	tu_set_v4(&a[0], &al[0], "127.0.0.2", tu_port_of(&l.addr));
	a[1] = l.addr;
	al[1] = l.addrlen;
	tu_pack(buf, a, al, 2);
	ck_assert_msg(sctp_connectx(fd, (struct sockaddr *)buf, 2, &id) == 0,
	    "sctp_connectx: %s (the ::1 attempt after the mapped one "
	    "never completed)", strerror(errno));
	acc = tu_accept(&l, 2000);
	ck_assert_int_ge(acc, 0);
	close(acc);
}
END_TEST

START_TEST(test_sctp_connectx_ealready_nonblocking_sctp_connectx)
{
	struct blackhole bh;
	struct tu_snap s;
	sctp_assoc_t id = 0;
	int fd = tu_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);

	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	EXPECT_ERR(sctp_connectx(fd, (struct sockaddr *)&bh.l.addr, 1, &id),
	    EINPROGRESS);
	ck_assert_int_gt(id, 0);		/* *id valid on EINPROGRESS */
	ck_assert_int_eq(tu_tcp_state(fd), TCP_SYN_SENT);
	tu_snap_take(fd, &s);
	SCX_FAIL(fd, &bh.l.addr, 1, EALREADY);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_sctp_connectx_ealready_parked_run)
{
	struct listener l;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[64];
	struct tu_snap s;
	sctp_assoc_t id = 0;
	int fd = tu_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);

	/*
	 * HACKING: a parked run is "in progress" even between attempts,
	 * when the kernel socket is idle ([127.0.0.2 refused, live]).
	 */
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	tu_set_v4(&a[0], &al[0], "127.0.0.2", tu_port_of(&l.addr));
	a[1] = l.addr;
	al[1] = l.addrlen;
	tu_pack(buf, a, al, 2);
	EXPECT_ERR(sctp_connectx(fd, (struct sockaddr *)buf, 2, &id), EINPROGRESS);
	ck_assert_int_gt(id, 0);
	usleep(50000);
	tu_snap_take(fd, &s);
	SCX_FAIL(fd, buf, 2, EALREADY);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_sctp_connectx_unaligned_v4_list_connects)
{
	struct listener l;
	struct sockaddr_storage a[2], peer;
	socklen_t al[2], pl = sizeof(peer);
	unsigned char *raw = malloc(256 + 1);
	sctp_assoc_t id = 0;
	int fd = tu_socket(AF_INET, SOCK_STREAM), acc;

	/* 127.0.0.2:P is refused (the listener holds 127.0.0.1:P only). */
	ck_assert_ptr_nonnull(raw);
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	tu_set_v4(&a[0], &al[0], "127.0.0.2", tu_port_of(&l.addr));
	a[1] = l.addr;
	al[1] = l.addrlen;
	tu_pack(raw + 1, a, al, 2);		/* odd offset */
	ck_assert_msg(sctp_connectx(fd, (struct sockaddr *)(void *)(raw + 1), 2,
	    &id) == 0, "sctp_connectx: %s", strerror(errno));
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer, &pl), 0);
	ck_assert_int_eq(memcmp(&((struct sockaddr_in *)&peer)->sin_addr,
	    &((struct sockaddr_in *)&l.addr)->sin_addr, 4), 0);
	acc = tu_accept(&l, 2000);
	ck_assert_int_ge(acc, 0);
	close(acc);
	free(raw);
}
END_TEST

START_TEST(test_sctp_connectx_unaligned_v6_mixed_connects)
{
	struct listener l;
	unsigned char *raw = malloc(256 + 3);
	struct sockaddr_storage v6;
	socklen_t v6l;
	sctp_assoc_t id = 0;
	int fd = tu_socket(AF_INET6, SOCK_STREAM), acc;

	/* [::1 (refused), 127.0.0.1 (mapped, listening)] at offset 3. */
	ck_assert_ptr_nonnull(raw);
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	tu_loopback(&v6, &v6l, AF_INET6, tu_port_of(&l.addr));
	memcpy(raw + 3, &v6, v6l);
	memcpy(raw + 3 + v6l, &l.addr, l.addrlen);
	ck_assert_msg(sctp_connectx(fd, (struct sockaddr *)(void *)(raw + 3), 2,
	    &id) == 0, "sctp_connectx: %s", strerror(errno));
	ck_assert_int_gt(id, 0);
	acc = tu_accept(&l, 2000);
	ck_assert_int_ge(acc, 0);
	close(acc);
	free(raw);
}
END_TEST

/* ---- suite ----------------------------------------------------------- */

static Suite *
sctp_connectx_errors_suite(void)
{
	Suite *s = suite_create("sctp_connectx_errors");
	TCase *tc;

	tc = tcase_create("rows");
	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, test_sctp_connectx_error_row, 0,
	    (int)(sizeof(rows) / sizeof(rows[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("sequences");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_sctp_connectx_einval_row3_not_without_v6only);
	tcase_add_test(tc, test_sctp_connectx_einval_row3_not_for_a_mixed_list);
	tcase_add_test(tc, test_sctp_connectx_einval_row3_v6only_v4mapped);
	tcase_add_test(tc, test_sctp_connectx_mapped_refused_then_v6_connects);
	tcase_add_test(tc, test_sctp_connectx_ealready_nonblocking_sctp_connectx);
	tcase_add_test(tc, test_sctp_connectx_ealready_parked_run);
	tcase_add_test(tc, test_sctp_connectx_unaligned_v4_list_connects);
	tcase_add_test(tc, test_sctp_connectx_unaligned_v6_mixed_connects);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sctp_connectx_errors_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
