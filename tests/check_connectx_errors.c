/*
 * connectx(2) ERRORS: every entry, in the order the checks are made, and
 * the HACKING.md choices that concern errors.  Each row checks the errno,
 * that *len and *connid are written (0) on failure, and that the socket was
 * left as it was.  Only loopback is ever connected to; TEST-NET, multicast
 * and broadcast addresses appear only where a check refuses them first.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
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
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/time.h>
#include <signal.h>
#include <grp.h>

#include <check.h>
#include "connectx.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

/* connectx fails with want; *len and *connid are written with 0. */
#define CX_FAIL(fd, ep, assoc, flags, iov, iovcnt, want) do {		\
	size_t len_ = 777;						\
	sae_connid_t cid_ = 777;					\
	EXPECT_ERR(connectx((fd), (ep), (assoc), (flags), (iov),	\
	    (iovcnt), &len_, &cid_), (want));				\
	ck_assert_msg(len_ == 0, "*len not written: %zu", len_);	\
	ck_assert_msg(cid_ == 0, "*connid not written: %u", cid_);	\
} while (0)

/* connectx with no data, no flags, ANY association. */
#define CX_FAIL0(fd, ep, want)	CX_FAIL(fd, ep, SAE_ASSOCID_ANY, 0, NULL, 0, want)

/* Fresh socket left fresh: not bound, not connected, not on a device. */
#define PRISTINE(fd) do {						\
	struct tu_snap p_;						\
	tu_snap_take((fd), &p_);					\
	ck_assert_msg(!tu_is_bound(fd), "socket was bound");		\
	ck_assert_msg(!tu_is_connected(fd), "socket was connected");	\
	ck_assert_msg(p_.tcp_state == -1 || p_.tcp_state == TCP_CLOSE,	\
	    "TCP state %d, want CLOSE", p_.tcp_state);			\
	ck_assert_msg(p_.dev[0] == '\0', "bound to device %s", p_.dev);	\
} while (0)

static sa_endpoints_t
dst_ep(const void *dst, socklen_t len)
{
	sa_endpoints_t ep;

	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = dst;
	ep.sae_dstaddrlen = len;
	return ep;
}

/* A socket of the family bound to loopback:port (0: any), kept by the caller. */
/* Skip (true) when a would-be foreign address is in fact this host's. */
static bool
is_local(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = tu_socket(ss->ss_family, SOCK_DGRAM);
	bool local = bind(fd, (const struct sockaddr *)ss, len) == 0;

	close(fd);
	if (local)
		printf("SKIP: address is local on this host\n");
	return local;
}

static unsigned int
lo_index(void)
{
	unsigned int idx = if_nametoindex("lo");

	ck_assert_uint_ne(idx, 0);
	return idx;
}

/* ---- the rows ---------------------------------------------------------- */

/*
 * Each row is one connectx call on a socket made for it: the socket, the
 * endpoints, the other arguments, the errno wanted and the state to
 * compare afterwards.  A failing row's message starts with its name.
 * Names cite the entries of connectx(2) ERRORS in their order ("EINVAL
 * row 2" is the second EINVAL entry there).
 */

/* The socket a row's call is made on: enum tu_sock's (testutil.h), or one of these. */
enum sock {
	S_UNIX_LISTENING = S_OWN,
	S_TCP4_CONNECTED, S_TCP6_CONNECTED,	/* by connect(2), accepted */
	S_TCP6_CONNECTX,	/* connected by connectx to the row's listener */
	S_TCP4_CONNECTING, S_TCP6_CONNECTING,	/* SYN_SENT to a black hole */
	S_TCP4_BOUND, S_UDP6_BOUND,		/* bound to loopback, port 0 */
	S_TCP4_REUSEADDR,	/* SO_REUSEADDR set */
};

static const char *const sock_name[] = {
	"AF_UNIX listening",
	"TCP/IPv4 connected", "TCP/IPv6 connected", "TCP/IPv6 connected by connectx",
	"TCP/IPv4 connecting", "TCP/IPv6 connecting", "TCP/IPv4 bound",
	"UDP/IPv6 bound", "TCP/IPv4 SO_REUSEADDR",
};

/* An address in a row. */
enum addr_kind {
	A_NONE = 0,		/* no address (a NULL pointer) */
	A_LOOP,			/* loopback of the family, at port */
	A_TEXT,			/* text, at port */
	A_UNIX,			/* an AF_UNIX path */
	A_LIVE,			/* the row's listener of the family */
	A_REFUSED,		/* a loopback port with no listener */
	A_RECEIVER,		/* a bound UDP socket of the family */
	A_INUSE_TCP, A_INUSE_UDP,	/* held by a socket bound to it */
	A_IFADDR,		/* this host's, on an interface other than lo */
	A_UNSIZEABLE,		/* AF_UNIX, zeroed, packed as 16 bytes */
};
#define P_FREE	(-1)		/* a free port of the family */

struct addr {
	enum addr_kind	kind;
	int		family;
	const char	*text;
	int		port;
};

#define LO4(p)		{ A_LOOP, AF_INET, NULL, (p) }
#define LO6(p)		{ A_LOOP, AF_INET6, NULL, (p) }
#define V4(t, p)	{ A_TEXT, AF_INET, (t), (p) }
#define V6(t, p)	{ A_TEXT, AF_INET6, (t), (p) }
#define UNIXPATH	{ A_UNIX, AF_UNIX, NULL, 0 }
#define LIVE4		{ A_LIVE, AF_INET, NULL, 0 }
#define LIVE6		{ A_LIVE, AF_INET6, NULL, 0 }
#define REFUSED4	{ A_REFUSED, AF_INET, NULL, 0 }
#define REFUSED6	{ A_REFUSED, AF_INET6, NULL, 0 }
#define RECEIVER4	{ A_RECEIVER, AF_INET, NULL, 0 }
#define INUSE_TCP4	{ A_INUSE_TCP, AF_INET, NULL, 0 }
#define INUSE_TCP6	{ A_INUSE_TCP, AF_INET6, NULL, 0 }
#define INUSE_UDP4	{ A_INUSE_UDP, AF_INET, NULL, 0 }
#define INUSE_UDP6	{ A_INUSE_UDP, AF_INET6, NULL, 0 }
#define IFADDR4		{ A_IFADDR, AF_INET, NULL, 0 }
#define UNSIZEABLE	{ A_UNSIZEABLE, AF_UNIX, NULL, 0 }

/* The data a row hands over. */
enum iov_kind {
	IOV_NONE = 0,
	IOV_ABC,		/* one buffer of 3 bytes */
	IOV_BYTES,		/* 1025 buffers of 1 byte */
	IOV_SSIZE_PLUS,		/* SSIZE_MAX, 1, 1 */
	IOV_SIZE_MAX,		/* SIZE_MAX */
	IOV_HALVES,		/* SSIZE_MAX / 2 + 1, twice */
	IOV_BIG,		/* one buffer of .iovlen bytes */
	IOV_BIG_SPLIT,		/* 60000 + 5508 bytes */
};

enum srcif { IF_NONE = 0, IF_MISSING, IF_LO };	/* 0, 99999 (no such), lo */
enum out { OUT_BOTH = 0, OUT_CONNID, OUT_NONE };	/* len and connid given */
enum need { NEED_NOTHING = 0, NEED_ROOT, NEED_FOREIGN_SRC };

struct row {
	const char	*name;
	int		sock;			/* enum tu_sock or enum sock */
	bool		no_endpoints;		/* endpoints NULL */
	enum srcif	srcif;
	struct addr	src;
	bool		srclen_set;
	socklen_t	srclen;			/* else the address's own */
	struct addr	dst[2];			/* two: a packed list */
	bool		dstlen_set;
	socklen_t	dstlen;			/* else the list's own, */
	int		dstadj;			/* plus this */
	sae_associd_t	assoc;
	unsigned int	flags;
	enum iov_kind	iov;
	unsigned int	iovcnt;
	size_t		iovlen;
	enum out	out;
	int		want;			/* errno */
	enum tu_after	after;
	int		tcp_state;		/* 0: not compared */
	bool		live_untouched;		/* the row's listener saw nothing */
	enum need	need;
};

#define SRCLEN(n)	.srclen_set = true, .srclen = (n)
#define DSTLEN(n)	.dstlen_set = true, .dstlen = (n)
#define NO_DST		.dst = { { A_NONE, 0, NULL, 0 } }

static const struct row rows[] = {
	/* EBADF */
	{ "EBADF: descriptor -1", S_NEG, .dst = { LO4(9) }, .want = EBADF },
	{ "EBADF: closed descriptor", S_CLOSED, .dst = { LO4(9) }, .want = EBADF },
	{ "EBADF before EINVAL row 1 (endpoints NULL)", S_NEG, .no_endpoints = true,
	  .want = EBADF },
	{ "EBADF before EINVAL rows 1 and 5 (NULL, associd 5, flag 0x80)", S_NEG,
	  .no_endpoints = true, .assoc = 5, .flags = 0x80, .want = EBADF },
	/* ENOTSOCK */
	{ "ENOTSOCK: pipe", S_PIPE_R, .dst = { LO4(9) }, .want = ENOTSOCK,
	  .after = AFTER_UNCHANGED },
	{ "ENOTSOCK: /dev/null", S_DEVNULL, .dst = { LO4(9) }, .want = ENOTSOCK,
	  .after = AFTER_UNCHANGED },
	{ "ENOTSOCK before EINVAL row 1 (endpoints NULL)", S_PIPE_R,
	  .no_endpoints = true, .want = ENOTSOCK, .after = AFTER_UNCHANGED },
	/* EINVAL row 1: endpoints NULL */
	{ "EINVAL row 1: endpoints NULL", S_TCP4, .no_endpoints = true,
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 1 before EOPNOTSUPP row 1 (AF_UNIX)", S_UNIX_STREAM,
	  .no_endpoints = true, .want = EINVAL, .after = AFTER_UNCHANGED },
	{ "EINVAL row 1 before EISCONN (connected)", S_TCP4_CONNECTED,
	  .no_endpoints = true, .want = EINVAL, .after = AFTER_UNCHANGED },
	/* ENAMETOOLONG */
	{ "ENAMETOOLONG: sae_srcaddrlen 256", S_TCP4, .src = LO4(0), SRCLEN(256),
	  .dst = { LO4(P_FREE) }, .want = ENAMETOOLONG, .after = AFTER_PRISTINE },
	{ "ENAMETOOLONG: sae_srcaddrlen 0xFFFFFFFF", S_TCP4, .src = LO4(0),
	  SRCLEN(0xFFFFFFFFu), .dst = { LO4(P_FREE) }, .want = ENAMETOOLONG,
	  .after = AFTER_PRISTINE },
	{ "ENAMETOOLONG not at 255: on to EADDRNOTAVAIL row 1 (port 0)", S_TCP4,
	  .src = LO4(0), SRCLEN(255), .dst = { LO4(0) }, .want = EADDRNOTAVAIL,
	  .after = AFTER_PRISTINE },
	{ "ENAMETOOLONG before EINVAL row 3 (no destination)", S_TCP4,
	  .src = LO4(0), SRCLEN(256), NO_DST, DSTLEN(0), .want = ENAMETOOLONG,
	  .after = AFTER_PRISTINE },
	{ "ENAMETOOLONG before EOPNOTSUPP row 1 (AF_UNIX)", S_UNIX_STREAM,
	  .src = LO4(0), SRCLEN(300), .dst = { LO4(9) }, .want = ENAMETOOLONG,
	  .after = AFTER_UNCHANGED },
	/* EINVAL row 2: source too short */
	{ "EINVAL row 2: IPv4 source of 15 bytes", S_TCP4, .src = LO4(0),
	  SRCLEN(sizeof(struct sockaddr_in) - 1), .dst = { LO4(P_FREE) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 2: IPv4 source of 1 byte", S_TCP4, .src = LO4(0), SRCLEN(1),
	  .dst = { LO4(P_FREE) }, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 2: IPv4 source of 0 bytes", S_TCP4, .src = LO4(0), SRCLEN(0),
	  .dst = { LO4(P_FREE) }, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 2: IPv6 source of 16 bytes", S_TCP6, .src = LO6(0),
	  SRCLEN(sizeof(struct sockaddr_in)), .dst = { LO6(P_FREE) },
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 2 before EAFNOSUPPORT row 1 (IPv6 source on IPv4)", S_TCP4,
	  .src = LO6(0), SRCLEN(20), .dst = { LO4(P_FREE) }, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 2 before EOPNOTSUPP row 1 (AF_UNIX)", S_UNIX_DGRAM,
	  .src = LO4(0), SRCLEN(8), .dst = { LO4(9) }, .want = EINVAL,
	  .after = AFTER_UNCHANGED },
	/* EINVAL row 3: destination missing or not whole */
	{ "EINVAL row 3: sae_dstaddr NULL", S_TCP4, NO_DST,
	  DSTLEN(sizeof(struct sockaddr_in)), .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 3: sae_dstaddrlen 0", S_TCP4, .dst = { LO4(P_FREE) },
	  DSTLEN(0), .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 3: sae_dstaddrlen 3", S_TCP4, .dst = { LO4(P_FREE) },
	  DSTLEN(3), .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 3: IPv4 destination of 15 bytes", S_TCP4,
	  .dst = { LO4(P_FREE) }, DSTLEN(sizeof(struct sockaddr_in) - 1),
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 3: IPv6 destination of 27 bytes", S_TCP6,
	  .dst = { LO6(P_FREE) }, DSTLEN(sizeof(struct sockaddr_in6) - 1),
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 3: 1.9 addresses", S_TCP4,
	  .dst = { LO4(P_FREE), LO4(P_FREE) }, .dstadj = -1, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 3: 2.5 addresses", S_TCP4,
	  .dst = { LO4(P_FREE), LO4(P_FREE) }, .dstadj = 8, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 3: 1.25 addresses", S_TCP4,
	  .dst = { LO4(P_FREE), LO4(P_FREE) },
	  DSTLEN(sizeof(struct sockaddr_in) + 4), .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 3: unsizeable family in a packed list (HACKING.md)", S_TCP4,
	  .dst = { LIVE4, UNSIZEABLE }, .want = EINVAL, .after = AFTER_PRISTINE,
	  .live_untouched = true },
	{ "EINVAL row 3 before EOPNOTSUPP row 1 (AF_UNIX)", S_UNIX_STREAM, NO_DST,
	  DSTLEN(0), .want = EINVAL, .after = AFTER_UNCHANGED },
	{ "EINVAL row 3 before EAFNOSUPPORT row 1 (short IPv6 on IPv4)", S_TCP4,
	  .dst = { LO6(9) }, DSTLEN(sizeof(struct sockaddr_in6) - 4),
	  .want = EINVAL, .after = AFTER_PRISTINE },
	/* EINVAL row 4: iov */
	{ "EINVAL row 4: iovcnt 0", S_TCP4, .dst = { LO4(P_FREE) }, .iov = IOV_ABC,
	  .iovcnt = 0, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4: iovcnt 1025", S_TCP4, .dst = { LO4(P_FREE) },
	  .iov = IOV_BYTES, .iovcnt = 1025, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 4: iovcnt UINT_MAX", S_TCP4, .dst = { LO4(P_FREE) },
	  .iov = IOV_BYTES, .iovcnt = UINT_MAX, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 4 not at iovcnt 1024: the connect is refused", S_TCP4,
	  .dst = { REFUSED4 }, .iov = IOV_BYTES, .iovcnt = 1024,
	  .want = ECONNREFUSED, .after = AFTER_UNCONNECTED },
	{ "EINVAL row 4: len NULL", S_TCP4, .dst = { LO4(P_FREE) }, .iov = IOV_ABC,
	  .iovcnt = 1, .out = OUT_CONNID, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 4: SSIZE_MAX + 1 bytes", S_TCP4, .dst = { LO4(P_FREE) },
	  .iov = IOV_SSIZE_PLUS, .iovcnt = 2, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 4: SIZE_MAX bytes", S_TCP4, .dst = { LO4(P_FREE) },
	  .iov = IOV_SIZE_MAX, .iovcnt = 1, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 4: two halves over SSIZE_MAX", S_TCP4,
	  .dst = { LO4(P_FREE) }, .iov = IOV_HALVES, .iovcnt = 2,
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 4 before EOPNOTSUPP row 1 (AF_UNIX)", S_UNIX_STREAM,
	  .dst = { LO4(9) }, .iov = IOV_ABC, .iovcnt = 0, .want = EINVAL,
	  .after = AFTER_UNCHANGED },
	{ "EINVAL row 4 before EADDRNOTAVAIL row 1 (port 0)", S_TCP4,
	  .dst = { LO4(0) }, .iov = IOV_ABC, .iovcnt = 1, .out = OUT_NONE,
	  .want = EINVAL, .after = AFTER_PRISTINE },
	/* EINVAL row 5: associd, flags */
	{ "EINVAL row 5: associd 1", S_TCP4, .dst = { LO4(P_FREE) }, .assoc = 1,
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 5: associd SAE_ASSOCID_ALL", S_TCP4, .dst = { LO4(P_FREE) },
	  .assoc = SAE_ASSOCID_ALL, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 5: flag 0x8", S_TCP4, .dst = { LO4(P_FREE) }, .flags = 0x8,
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 5: IDEMPOTENT | 0x100", S_TCP4, .dst = { LO4(P_FREE) },
	  .flags = CONNECT_DATA_IDEMPOTENT | 0x100, .want = EINVAL,
	  .after = AFTER_PRISTINE },
	{ "EINVAL row 5: flag 0x80000000", S_TCP4, .dst = { LO4(P_FREE) },
	  .flags = 0x80000000u, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL row 5 (associd 3) before EOPNOTSUPP row 1 (AF_UNIX)",
	  S_UNIX_STREAM, .dst = { LO4(9) }, .assoc = 3, .want = EINVAL,
	  .after = AFTER_UNCHANGED },
	{ "EINVAL row 5 (flag 0x10) before EOPNOTSUPP row 1 (AF_UNIX)",
	  S_UNIX_STREAM, .dst = { LO4(9) }, .flags = 0x10, .want = EINVAL,
	  .after = AFTER_UNCHANGED },
	{ "EINVAL row 5 before EOPNOTSUPP row 2 (listening)", S_TCP4_LISTENING,
	  .dst = { LO4(P_FREE) }, .assoc = 2, .want = EINVAL,
	  .after = AFTER_UNCHANGED },
	/* EOPNOTSUPP row 1: not a socket the library drives */
	{ "EOPNOTSUPP row 1: AF_UNIX stream", S_UNIX_STREAM, .dst = { LO4(9) },
	  .want = EOPNOTSUPP, .after = AFTER_UNCHANGED },
	{ "EOPNOTSUPP row 1: AF_UNIX datagram, AF_UNIX destination",
	  S_UNIX_DGRAM, .dst = { UNIXPATH }, .want = EOPNOTSUPP,
	  .after = AFTER_UNCHANGED },
	{ "EOPNOTSUPP row 1: AF_NETLINK", S_NETLINK, .dst = { LO4(9) },
	  .want = EOPNOTSUPP, .after = AFTER_UNCHANGED },
	{ "EOPNOTSUPP row 1: raw IPv4", S_RAW4, .dst = { LO4(P_FREE) },
	  .want = EOPNOTSUPP, .after = AFTER_UNCHANGED, .need = NEED_ROOT },
	{ "EOPNOTSUPP row 1 before EAFNOSUPPORT row 1 (raw IPv6, IPv4 port 0)",
	  S_RAW6, .dst = { LO4(0) }, .want = EOPNOTSUPP,
	  .after = AFTER_UNCHANGED, .need = NEED_ROOT },
	{ "EOPNOTSUPP row 1: ICMP datagram", S_ICMP4, .dst = { LO4(9) },
	  .want = EOPNOTSUPP, .after = AFTER_PRISTINE },
	{ "EOPNOTSUPP row 1 before EAFNOSUPPORT row 1 (ICMP, IPv6 port 0)",
	  S_ICMP4, .dst = { LO6(0) }, .want = EOPNOTSUPP,
	  .after = AFTER_PRISTINE },
	{ "EOPNOTSUPP row 1 before EAFNOSUPPORT row 1 (AF_UNIX, IPv6 port 0)",
	  S_UNIX_STREAM, .dst = { LO6(0) }, .want = EOPNOTSUPP,
	  .after = AFTER_UNCHANGED },
	{ "EOPNOTSUPP row 1 before row 2 (AF_UNIX listening)", S_UNIX_LISTENING,
	  .dst = { LO4(9) }, .want = EOPNOTSUPP, .after = AFTER_UNCHANGED },
	/* EAFNOSUPPORT row 1: family differs */
	{ "EAFNOSUPPORT row 1: IPv6 destination, TCP/IPv4", S_TCP4,
	  .dst = { LO6(P_FREE) }, .want = EAFNOSUPPORT, .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 1: IPv6 destination, UDP/IPv4", S_UDP4,
	  .dst = { LO6(P_FREE) }, .want = EAFNOSUPPORT, .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 1: IPv4 destination, TCP/IPv6 (not mapped)", S_TCP6,
	  .dst = { LO4(P_FREE) }, .want = EAFNOSUPPORT, .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 1: IPv4 destination, UDP/IPv6 (not mapped)", S_UDP6,
	  .dst = { LO4(P_FREE) }, .want = EAFNOSUPPORT, .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 1: lone AF_UNIX destination kept whole (HACKING.md)",
	  S_TCP4, .dst = { UNIXPATH }, .want = EAFNOSUPPORT,
	  .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 1: IPv6 source, TCP/IPv4", S_TCP4, .src = LO6(0),
	  .dst = { LO4(P_FREE) }, .want = EAFNOSUPPORT, .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 1: IPv4 source, TCP/IPv6", S_TCP6, .src = LO4(0),
	  .dst = { LO6(P_FREE) }, .want = EAFNOSUPPORT, .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 1: second in the list", S_TCP4,
	  .dst = { LIVE4, LO6(9) }, .want = EAFNOSUPPORT, .after = AFTER_PRISTINE,
	  .live_untouched = true },
	{ "EAFNOSUPPORT row 1 (second) before row 2 and EADDRNOTAVAIL row 1 (first)",
	  S_TCP4, .dst = { V4("224.0.0.1", 0), LO6(9) }, .want = EAFNOSUPPORT,
	  .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 1 (second) before EADDRNOTAVAIL row 1 (first)",
	  S_TCP4, .dst = { V4("127.0.0.1", 0), LO6(9) }, .want = EAFNOSUPPORT,
	  .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 1 before ENXIO", S_TCP4, .srcif = IF_MISSING,
	  .dst = { LO6(9) }, .want = EAFNOSUPPORT, .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 1 before EOPNOTSUPP row 2 (listening)",
	  S_TCP4_LISTENING, .dst = { LO6(9) }, .want = EAFNOSUPPORT,
	  .after = AFTER_UNCHANGED },
	{ "EAFNOSUPPORT row 1 before EISCONN (connected)", S_TCP6_CONNECTED,
	  .dst = { LO4(9) }, .want = EAFNOSUPPORT, .after = AFTER_UNCHANGED },
	/* EAFNOSUPPORT row 2: TCP to multicast or broadcast */
	{ "EAFNOSUPPORT row 2: 224.0.0.1", S_TCP4, .dst = { V4("224.0.0.1", 9) },
	  .want = EAFNOSUPPORT, .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 2: 239.255.255.250", S_TCP4,
	  .dst = { V4("239.255.255.250", 1900) }, .want = EAFNOSUPPORT,
	  .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 2: 255.255.255.255", S_TCP4,
	  .dst = { V4("255.255.255.255", 9) }, .want = EAFNOSUPPORT,
	  .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 2: ff02::1", S_TCP6, .dst = { V6("ff02::1", 9) },
	  .want = EAFNOSUPPORT, .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 2: ff05::1:3", S_TCP6, .dst = { V6("ff05::1:3", 547) },
	  .want = EAFNOSUPPORT, .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 2: ::ffff:224.0.0.1", S_TCP6,
	  .dst = { V6("::ffff:224.0.0.1", 9) }, .want = EAFNOSUPPORT,
	  .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 2: ::ffff:255.255.255.255", S_TCP6,
	  .dst = { V6("::ffff:255.255.255.255", 9) }, .want = EAFNOSUPPORT,
	  .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 2: second in the list", S_TCP4,
	  .dst = { LIVE4, V4("224.0.0.1", 9) }, .want = EAFNOSUPPORT,
	  .after = AFTER_PRISTINE, .live_untouched = true },
	{ "EAFNOSUPPORT row 2 before EADDRNOTAVAIL row 1 (port 0)", S_TCP4,
	  .dst = { V4("224.0.0.1", 0) }, .want = EAFNOSUPPORT,
	  .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 2 not for UDP: on to EADDRNOTAVAIL row 1", S_UDP4,
	  .dst = { V4("224.0.0.1", 0) }, .want = EADDRNOTAVAIL,
	  .after = AFTER_PRISTINE },
	{ "EAFNOSUPPORT row 2 before EISCONN (connected)", S_TCP4_CONNECTED,
	  .dst = { V4("255.255.255.255", 9) }, .want = EAFNOSUPPORT,
	  .after = AFTER_UNCHANGED },
	/* EADDRNOTAVAIL row 1: port 0 */
	{ "EADDRNOTAVAIL row 1: port 0, TCP/IPv4", S_TCP4, .dst = { LO4(0) },
	  .want = EADDRNOTAVAIL, .after = AFTER_PRISTINE },
	{ "EADDRNOTAVAIL row 1: port 0, TCP/IPv6", S_TCP6, .dst = { LO6(0) },
	  .want = EADDRNOTAVAIL, .after = AFTER_PRISTINE },
	{ "EADDRNOTAVAIL row 1: port 0, UDP/IPv4", S_UDP4, .dst = { LO4(0) },
	  .want = EADDRNOTAVAIL, .after = AFTER_PRISTINE },
	{ "EADDRNOTAVAIL row 1: port 0, UDP/IPv6", S_UDP6, .dst = { LO6(0) },
	  .want = EADDRNOTAVAIL, .after = AFTER_PRISTINE },
	{ "EADDRNOTAVAIL row 1: port 0 second in the list", S_TCP6,
	  .dst = { LIVE6, LO6(0) }, .want = EADDRNOTAVAIL, .after = AFTER_PRISTINE,
	  .live_untouched = true },
	{ "EADDRNOTAVAIL row 1: connected UDP left as it was", S_UDP4_CONNECTED,
	  .dst = { LO4(0) }, .want = EADDRNOTAVAIL, .after = AFTER_UNCHANGED },
	{ "EADDRNOTAVAIL row 1 before ENXIO", S_TCP4, .srcif = IF_MISSING,
	  .dst = { LO4(0) }, .want = EADDRNOTAVAIL, .after = AFTER_PRISTINE },
	{ "EADDRNOTAVAIL row 1 before EOPNOTSUPP row 2 (listening)",
	  S_TCP4_LISTENING, .dst = { LO4(0) }, .want = EADDRNOTAVAIL,
	  .after = AFTER_UNCHANGED },
	{ "EADDRNOTAVAIL row 1 before EISCONN (connected)", S_TCP4_CONNECTED,
	  .dst = { LO4(0) }, .want = EADDRNOTAVAIL, .after = AFTER_UNCHANGED },
	{ "EADDRNOTAVAIL row 1 before EALREADY (connecting)", S_TCP4_CONNECTING,
	  .dst = { LO4(0) }, .want = EADDRNOTAVAIL, .after = AFTER_UNCHANGED },
	/* ENXIO */
	{ "ENXIO: sae_srcif 99999, TCP/IPv4", S_TCP4, .srcif = IF_MISSING,
	  .dst = { LO4(P_FREE) }, .want = ENXIO, .after = AFTER_PRISTINE },
	{ "ENXIO: sae_srcif 99999, UDP/IPv6", S_UDP6, .srcif = IF_MISSING,
	  .dst = { LO6(P_FREE) }, .want = ENXIO, .after = AFTER_PRISTINE },
	{ "ENXIO: with a source address", S_TCP4, .srcif = IF_MISSING,
	  .src = LO4(0), .dst = { LO4(P_FREE) }, .want = ENXIO,
	  .after = AFTER_PRISTINE },
	{ "ENXIO before EADDRNOTAVAIL row 2 (foreign source)", S_TCP4,
	  .srcif = IF_MISSING, .src = V4("192.0.2.1", 0), .dst = { LO4(P_FREE) },
	  .want = ENXIO, .after = AFTER_PRISTINE },
	{ "ENXIO before EADDRINUSE", S_TCP4, .srcif = IF_MISSING,
	  .src = INUSE_TCP4, .dst = { LO4(P_FREE) }, .want = ENXIO,
	  .after = AFTER_PRISTINE },
	{ "ENXIO before EOPNOTSUPP row 2 (listening)", S_TCP4_LISTENING,
	  .srcif = IF_MISSING, .dst = { LO4(P_FREE) }, .want = ENXIO,
	  .after = AFTER_UNCHANGED },
	{ "ENXIO before EISCONN (connected)", S_TCP4_CONNECTED,
	  .srcif = IF_MISSING, .dst = { LO4(P_FREE) }, .want = ENXIO,
	  .after = AFTER_UNCHANGED },
	{ "ENXIO before EALREADY (connecting)", S_TCP4_CONNECTING,
	  .srcif = IF_MISSING, .dst = { LO4(P_FREE) }, .want = ENXIO,
	  .after = AFTER_UNCHANGED },
	/* EADDRNOTAVAIL row 2: source not this host's, or not the interface's */
	{ "EADDRNOTAVAIL row 2: 192.0.2.1, TCP", S_TCP4, .src = V4("192.0.2.1", 0),
	  .dst = { LO4(P_FREE) }, .want = EADDRNOTAVAIL, .after = AFTER_PRISTINE,
	  .need = NEED_FOREIGN_SRC },
	{ "EADDRNOTAVAIL row 2: 192.0.2.1, UDP", S_UDP4, .src = V4("192.0.2.1", 0),
	  .dst = { LO4(P_FREE) }, .want = EADDRNOTAVAIL, .after = AFTER_PRISTINE,
	  .need = NEED_FOREIGN_SRC },
	{ "EADDRNOTAVAIL row 2: 2001:db8::1, TCP", S_TCP6,
	  .src = V6("2001:db8::1", 0), .dst = { LO6(P_FREE) },
	  .want = EADDRNOTAVAIL, .after = AFTER_PRISTINE,
	  .need = NEED_FOREIGN_SRC },
	{ "EADDRNOTAVAIL row 2: 2001:db8::1, UDP", S_UDP6,
	  .src = V6("2001:db8::1", 0), .dst = { LO6(P_FREE) },
	  .want = EADDRNOTAVAIL, .after = AFTER_PRISTINE,
	  .need = NEED_FOREIGN_SRC },
	{ "EADDRNOTAVAIL row 2: sae_srcif lo, foreign source", S_TCP4,
	  .srcif = IF_LO, .src = V4("192.0.2.1", 0), .dst = { LO4(P_FREE) },
	  .want = EADDRNOTAVAIL, .after = AFTER_PRISTINE,
	  .need = NEED_FOREIGN_SRC },
	{ "EADDRNOTAVAIL row 2: sae_srcif lo, another interface's address",
	  S_TCP4, .srcif = IF_LO, .src = IFADDR4, .dst = { LO4(P_FREE) },
	  .want = EADDRNOTAVAIL, .after = AFTER_PRISTINE },
	{ "EADDRNOTAVAIL row 2 before EOPNOTSUPP row 2 (listening)",
	  S_TCP4_LISTENING, .src = V4("192.0.2.1", 0), .dst = { LO4(P_FREE) },
	  .want = EADDRNOTAVAIL, .after = AFTER_UNCHANGED,
	  .need = NEED_FOREIGN_SRC },
	{ "EADDRNOTAVAIL row 2 before EISCONN (connected)", S_TCP4_CONNECTED,
	  .src = V4("192.0.2.1", 0), .dst = { LO4(P_FREE) },
	  .want = EADDRNOTAVAIL, .after = AFTER_UNCHANGED,
	  .need = NEED_FOREIGN_SRC },
	{ "EADDRNOTAVAIL row 2 before EALREADY (connecting)", S_TCP4_CONNECTING,
	  .src = V4("192.0.2.1", 0), .dst = { LO4(P_FREE) },
	  .want = EADDRNOTAVAIL, .after = AFTER_UNCHANGED,
	  .need = NEED_FOREIGN_SRC },
	/* EADDRINUSE */
	{ "EADDRINUSE: TCP/IPv4", S_TCP4, .src = INUSE_TCP4,
	  .dst = { LO4(P_FREE) }, .want = EADDRINUSE, .after = AFTER_PRISTINE },
	{ "EADDRINUSE: TCP/IPv6", S_TCP6, .src = INUSE_TCP6,
	  .dst = { LO6(P_FREE) }, .want = EADDRINUSE, .after = AFTER_PRISTINE },
	{ "EADDRINUSE: UDP/IPv4", S_UDP4, .src = INUSE_UDP4,
	  .dst = { LO4(P_FREE) }, .want = EADDRINUSE, .after = AFTER_PRISTINE },
	{ "EADDRINUSE: UDP/IPv6", S_UDP6, .src = INUSE_UDP6,
	  .dst = { LO6(P_FREE) }, .want = EADDRINUSE, .after = AFTER_PRISTINE },
	{ "EADDRINUSE: a listener's address, even with SO_REUSEADDR",
	  S_TCP4_REUSEADDR, .src = LIVE4, .dst = { LO4(P_FREE) },
	  .want = EADDRINUSE, .after = AFTER_PRISTINE },
	{ "EADDRINUSE before EOPNOTSUPP row 2 (listening)", S_TCP4_LISTENING,
	  .src = INUSE_TCP4, .dst = { LO4(P_FREE) }, .want = EADDRINUSE,
	  .after = AFTER_UNCHANGED },
	{ "EADDRINUSE before EISCONN (connected)", S_TCP4_CONNECTED,
	  .src = INUSE_TCP4, .dst = { LO4(P_FREE) }, .want = EADDRINUSE,
	  .after = AFTER_UNCHANGED },
	{ "EADDRINUSE before EALREADY (connecting)", S_TCP4_CONNECTING,
	  .src = INUSE_TCP4, .dst = { LO4(P_FREE) }, .want = EADDRINUSE,
	  .after = AFTER_UNCHANGED },
	/* EOPNOTSUPP row 2: listening */
	{ "EOPNOTSUPP row 2: listening, TCP/IPv4", S_TCP4_LISTENING,
	  .dst = { LIVE4 }, .want = EOPNOTSUPP, .after = AFTER_UNCHANGED,
	  .tcp_state = TCP_LISTEN, .live_untouched = true },
	{ "EOPNOTSUPP row 2: listening, TCP/IPv6", S_TCP6_LISTENING,
	  .dst = { LIVE6 }, .want = EOPNOTSUPP, .after = AFTER_UNCHANGED,
	  .live_untouched = true },
	{ "EOPNOTSUPP row 2 before bind(2)'s EINVAL (free source)",
	  S_TCP4_LISTENING, .src = LO4(0), .dst = { LO4(P_FREE) },
	  .want = EOPNOTSUPP, .after = AFTER_UNCHANGED },
	/* EISCONN */
	{ "EISCONN: connected by connect(2)", S_TCP4_CONNECTED, .dst = { LIVE4 },
	  .want = EISCONN, .after = AFTER_UNCHANGED,
	  .tcp_state = TCP_ESTABLISHED, .live_untouched = true },
	{ "EISCONN: connected by connectx", S_TCP6_CONNECTX, .dst = { LIVE6 },
	  .want = EISCONN, .after = AFTER_UNCHANGED },
	{ "EISCONN before bind(2)'s EINVAL (free source)", S_TCP4_CONNECTED,
	  .src = LO4(0), .dst = { LO4(P_FREE) }, .want = EISCONN,
	  .after = AFTER_UNCHANGED },
	/* EALREADY */
	{ "EALREADY: connect(2) in progress, TCP/IPv4", S_TCP4_CONNECTING,
	  .dst = { LIVE4 }, .want = EALREADY, .after = AFTER_UNCHANGED,
	  .tcp_state = TCP_SYN_SENT, .live_untouched = true },
	{ "EALREADY: connect(2) in progress, TCP/IPv6", S_TCP6_CONNECTING,
	  .dst = { REFUSED6 }, .want = EALREADY, .after = AFTER_UNCHANGED },
	{ "EALREADY before bind(2)'s EINVAL (free source)", S_TCP4_CONNECTING,
	  .src = LO4(0), .dst = { LO4(P_FREE) }, .want = EALREADY,
	  .after = AFTER_UNCHANGED },
	/* EINVAL row 6: already bound and sae_srcaddr (HACKING.md) */
	{ "EINVAL row 6: bound TCP, another free source", S_TCP4_BOUND,
	  .src = LO4(0), .dst = { REFUSED4 }, .want = EINVAL,
	  .after = AFTER_UNCHANGED },
	{ "EINVAL row 6: bound UDP/IPv6, another free source", S_UDP6_BOUND,
	  .src = LO6(0), .dst = { LO6(P_FREE) }, .want = EINVAL,
	  .after = AFTER_UNCHANGED },
	{ "EINVAL row 6 with sae_srcif lo: left on no device", S_TCP4_BOUND,
	  .srcif = IF_LO, .src = LO4(0), .dst = { REFUSED4 }, .want = EINVAL,
	  .after = AFTER_UNCHANGED },
	/* Not EAFNOSUPPORT row 2: a subnet-directed broadcast (HACKING.md) */
	{ "lo's directed broadcast: the kernel's ENETUNREACH, not EAFNOSUPPORT row 2",
	  S_TCP4, .dst = { V4("127.255.255.255", P_FREE) }, .want = ENETUNREACH,
	  .after = AFTER_UNCONNECTED },
	/* EMSGSIZE (HACKING.md) */
	{ "EMSGSIZE: UDP/IPv4 65508 bytes, before the source binding", S_UDP4,
	  .src = LO4(0), .dst = { RECEIVER4 }, .iov = IOV_BIG, .iovcnt = 1,
	  .iovlen = 65508, .want = EMSGSIZE, .after = AFTER_PRISTINE },
	{ "EMSGSIZE: UDP/IPv4 60000 + 5508 bytes (the total counts)", S_UDP4,
	  .src = LO4(0), .dst = { RECEIVER4 }, .iov = IOV_BIG_SPLIT, .iovcnt = 2,
	  .want = EMSGSIZE, .after = AFTER_PRISTINE },
	{ "EMSGSIZE: UDP/IPv6 65528 bytes", S_UDP6, .dst = { LO6(P_FREE) },
	  .iov = IOV_BIG, .iovcnt = 1, .iovlen = 65528, .want = EMSGSIZE,
	  .after = AFTER_PRISTINE },
	{ "EMSGSIZE after EADDRNOTAVAIL row 1 (port 0)", S_UDP4, .dst = { LO4(0) },
	  .iov = IOV_BIG, .iovcnt = 1, .iovlen = 65508, .want = EADDRNOTAVAIL,
	  .after = AFTER_PRISTINE },
	{ "EMSGSIZE: connected UDP keeps its peer", S_UDP4_CONNECTED,
	  .dst = { LO4(P_FREE) }, .iov = IOV_BIG, .iovcnt = 1, .iovlen = 65508,
	  .want = EMSGSIZE, .after = AFTER_UNCHANGED },
	{ "EMSGSIZE not for TCP: EOPNOTSUPP row 2 (listening)", S_TCP4_LISTENING,
	  .dst = { LO4(P_FREE) }, .iov = IOV_BIG, .iovcnt = 1, .iovlen = 65508,
	  .want = EOPNOTSUPP, .after = AFTER_UNCHANGED },
};

/* What a row set up: listeners, a black hole, sockets its addresses hold. */
struct bench {
	struct listener		live, own;
	bool			have_live;
	struct blackhole	bh;
	int			held[2];
	int			peer;
};

static struct listener *
live_of(struct bench *b, int family)
{
	if (!b->have_live) {
		ck_assert_int_eq(tu_listen(&b->live, family, 8), 0);
		b->have_live = true;
	}
	ck_assert_int_eq(b->live.addr.ss_family, family);
	return &b->live;
}

/* An address of this host on an interface other than lo; false if none. */
static bool
other_if_addr(struct sockaddr_storage *ss, socklen_t *len)
{
	struct ifaddrs *list, *ifa;
	bool found = false;

	ck_assert_int_eq(getifaddrs(&list), 0);
	for (ifa = list; ifa != NULL && !found; ifa = ifa->ifa_next)
		if (ifa->ifa_addr != NULL && ifa->ifa_addr->sa_family == AF_INET &&
		    !(ifa->ifa_flags & IFF_LOOPBACK)) {
			memset(ss, 0, sizeof(*ss));
			memcpy(ss, ifa->ifa_addr, sizeof(struct sockaddr_in));
			*len = sizeof(struct sockaddr_in);
			found = true;
		}
	freeifaddrs(list);
	return found;
}

/* The row's address a into ss; false: the row is skipped (said why). */
static bool
make_addr(struct bench *b, const struct row *r, const struct addr *a,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	uint16_t port = a->port == P_FREE ? tu_free_port(a->family) :
	    (uint16_t)a->port;
	struct listener *l;
	int *held = &b->held[b->held[0] < 0 ? 0 : 1];

	memset(ss, 0, sizeof(*ss));
	switch (a->kind) {
	case A_NONE:
		*len = 0;
		break;
	case A_LOOP:
		tu_loopback(ss, len, a->family, port);
		break;
	case A_TEXT:
		if (a->family == AF_INET)
			tu_set_v4(ss, len, a->text, port);
		else
			tu_set_v6(ss, len, a->text, port);
		break;
	case A_UNIX:
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, "/nonexistent/cx-test");
		*len = sizeof(*sun);
		break;
	case A_LIVE:
		l = live_of(b, a->family);
		*ss = l->addr;
		*len = l->addrlen;
		break;
	case A_REFUSED:
		tu_refused(ss, len, a->family);
		break;
	case A_RECEIVER:
		*held = tu_bound(a->family, SOCK_DGRAM, 0, ss, len);
		break;
	case A_INUSE_TCP:
	case A_INUSE_UDP:
		*held = tu_bound(a->family, a->kind == A_INUSE_TCP ?
		    SOCK_STREAM : SOCK_DGRAM, 0, ss, len);
		break;
	case A_IFADDR:
		if (!other_if_addr(ss, len)) {
			printf("SKIP: %s: no IPv4 address on an interface "
			    "other than lo\n", r->name);
			return false;
		}
		break;
	case A_UNSIZEABLE:
		ss->ss_family = AF_UNIX;
		*len = sizeof(struct sockaddr_in);
		break;
	}
	return true;
}

/* The row's socket; -2: the row is skipped (said why). */
static int
make_sock(struct bench *b, const struct row *r)
{
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	socklen_t len;
	sa_endpoints_t ep;
	int fd, one = 1;

	if (r->sock < S_OWN)
		return tu_sock_make(r->sock, r->name, &b->own);
	switch ((enum sock)r->sock) {
	case S_UNIX_LISTENING:
		fd = tu_socket(AF_UNIX, SOCK_STREAM);
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		/* abstract name: nothing in the file system */
		snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
		    "cx-test-%d", (int)getpid());
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
		ck_assert_int_eq(listen(fd, 1), 0);
		return fd;
	case S_TCP4_CONNECTED:
		return tu_tcp_connected(AF_INET, &b->own, &b->peer, false);
	case S_TCP6_CONNECTED:
		return tu_tcp_connected(AF_INET6, &b->own, &b->peer, false);
	case S_TCP6_CONNECTX:
		fd = tu_socket(AF_INET6, SOCK_STREAM);
		(void)live_of(b, AF_INET6);
		ep = dst_ep(&b->live.addr, b->live.addrlen);
		ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0,
		    NULL, NULL), 0);
		return fd;
	case S_TCP4_CONNECTING:	return tu_tcp_connecting(AF_INET, &b->bh);
	case S_TCP6_CONNECTING:	return tu_tcp_connecting(AF_INET6, &b->bh);
	case S_TCP4_BOUND:
		return tu_bound(AF_INET, SOCK_STREAM, 0, &ss, &len);
	case S_UDP6_BOUND:
		return tu_bound(AF_INET6, SOCK_DGRAM, 0, &ss, &len);
	case S_TCP4_REUSEADDR:
		fd = tu_socket(AF_INET, SOCK_STREAM);
		ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one)), 0);
		return fd;
	}
	ck_abort_msg("%s: no such socket kind %d", r->name, (int)r->sock);
	return -1;
}

/* The row's data; its count stays the row's iovcnt. */
static struct iovec *
make_iov(const struct row *r)
{
	static char big[65536], abc[4] = "abc";
	static struct iovec iov[1025];
	unsigned int i;

	switch (r->iov) {
	case IOV_NONE:
		return NULL;
	case IOV_ABC:
		iov[0] = (struct iovec){ abc, 3 };
		break;
	case IOV_BYTES:
		for (i = 0; i < 1025; i++)
			iov[i] = (struct iovec){ big, 1 };
		break;
	case IOV_SSIZE_PLUS:
		iov[0] = (struct iovec){ abc, SSIZE_MAX };
		iov[1] = (struct iovec){ abc, 1 };
		iov[2] = (struct iovec){ abc, 1 };
		break;
	case IOV_SIZE_MAX:
		iov[0] = (struct iovec){ abc, SIZE_MAX };
		break;
	case IOV_HALVES:
		iov[0] = (struct iovec){ abc, SSIZE_MAX / 2 + 1 };
		iov[1] = (struct iovec){ abc, SSIZE_MAX / 2 + 1 };
		break;
	case IOV_BIG:
		ck_assert_uint_le(r->iovlen, sizeof(big));
		iov[0] = (struct iovec){ big, r->iovlen };
		break;
	case IOV_BIG_SPLIT:
		iov[0] = (struct iovec){ big, 60000 };
		iov[1] = (struct iovec){ big, 5508 };
		break;
	}
	return iov;
}

START_TEST(test_connectx_error_row)
{
	const struct row *r = &rows[_i];
	struct bench b = { .held = { -1, -1 }, .peer = -1 };
	struct sockaddr_storage dst[2], src;
	socklen_t dstlen[2], srclen = 0;
	unsigned char srcbuf[512], list[256];
	sa_endpoints_t ep;
	struct tu_snap before;
	struct iovec *iov;
	size_t len = 777, *lenp = &len, n;
	sae_connid_t cid = 777, *cidp = &cid;
	int fd, ret, err, i, ndst;

	if (r->need == NEED_ROOT && geteuid() != 0) {
		printf("SKIP: %s: needs root\n", r->name);
		return;
	}
	if ((fd = make_sock(&b, r)) == -2)
		return;
	memset(&ep, 0, sizeof(ep));
	if (r->src.kind != A_NONE) {
		if (!make_addr(&b, r, &r->src, &src, &srclen))
			return;
		if (r->need == NEED_FOREIGN_SRC && is_local(&src, srclen))
			return;
		/* Room behind it for the lengths over 255 that rows give. */
		memset(srcbuf, 0, sizeof(srcbuf));
		memcpy(srcbuf, &src, sizeof(src));
		ep.sae_srcaddr = (const struct sockaddr *)(void *)srcbuf;
		ep.sae_srcaddrlen = r->srclen_set ? r->srclen : srclen;
	}
	ndst = r->dst[1].kind != A_NONE ? 2 : r->dst[0].kind != A_NONE ? 1 : 0;
	for (i = 0; i < ndst; i++)
		if (!make_addr(&b, r, &r->dst[i], &dst[i], &dstlen[i]))
			return;
	if (ndst == 2) {
		/* Zeros behind the list: a row that overstates its length reads them. */
		memset(list, 0, sizeof(list));
		n = tu_pack(list, dst, dstlen, 2);
		ep = (sa_endpoints_t){ ep.sae_srcif, ep.sae_srcaddr,
		    ep.sae_srcaddrlen, (struct sockaddr *)list, (socklen_t)n };
	} else if (ndst == 1) {
		ep.sae_dstaddr = (struct sockaddr *)&dst[0];
		ep.sae_dstaddrlen = dstlen[0];
	}
	if (r->dstlen_set)
		ep.sae_dstaddrlen = r->dstlen;
	ep.sae_dstaddrlen += r->dstadj;
	if (r->srcif == IF_MISSING) {
		ck_assert_ptr_null(if_indextoname(99999, (char[IF_NAMESIZE]){ 0 }));
		ep.sae_srcif = 99999;
	} else if (r->srcif == IF_LO)
		ep.sae_srcif = lo_index();
	iov = make_iov(r);
	if (r->out == OUT_CONNID)
		lenp = NULL;
	else if (r->out == OUT_NONE)
		lenp = NULL, cidp = NULL;

	if (r->after == AFTER_UNCHANGED)
		tu_snap_take(fd, &before);
	errno = 0;
	ret = connectx(fd, r->no_endpoints ? NULL : &ep, r->assoc, r->flags,
	    iov, r->iovcnt, lenp, cidp);
	err = errno;

	tu_row_errno(r->name, tu_sock_name(r->sock, sock_name), ret, err, r->want);
	if (lenp != NULL)
		ck_assert_msg(len == 0, "%s: *len not written: %zu", r->name, len);
	if (cidp != NULL)
		ck_assert_msg(cid == 0, "%s: *connid not written: %u", r->name,
		    cid);
	tu_row_after(r->name, fd, r->after, &before, r->tcp_state);
	if (r->live_untouched)
		tu_assert_no_connection(&b.live);
}
END_TEST

/* ---- cases that are more than one call -------------------------------- */


START_TEST(test_connectx_eaddrnotavail_row2_not_for_a_lo_address)
{
	struct listener l;
	struct sockaddr_storage s, got;
	socklen_t sl, gl = sizeof(got);
	sa_endpoints_t ep;
	size_t len = 777;
	sae_connid_t cid = 777;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	/*
	 * 127.0.0.5 is lo's (all of 127/8 is): no EADDRNOTAVAIL row 2, the
	 * call connects.
	 */
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	tu_set_v4(&s, &sl, "127.0.0.5", 0);
	ep = dst_ep(&l.addr, l.addrlen);
	ep.sae_srcif = lo_index();
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	ck_assert_msg(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, &len, &cid) == 0,
	    "connectx: %s", strerror(errno));
	ck_assert_uint_eq(cid, 1);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&got, &gl), 0);
	ck_assert_uint_eq(ntohl(((struct sockaddr_in *)&got)->sin_addr.s_addr),
	    0x7f000005);
}
END_TEST

START_TEST(test_connectx_eaddrinuse_not_for_a_v6only_source)
{
	struct listener l;
	struct sockaddr_storage s, any6;
	socklen_t sl;
	sa_endpoints_t ep;
	size_t len;
	sae_connid_t cid;
	int one = 1, fd = tu_socket(AF_INET6, SOCK_STREAM);
	int other = tu_bound(AF_INET, SOCK_STREAM, 0, &s, &sl);

	/*
	 * 127.0.0.1:P is held by an IPv4 socket.  [::]:P is free for an
	 * IPV6_V6ONLY socket (bind(2) succeeds), so EADDRINUSE must not apply.
	 */
	(void)other;
	ck_assert_int_eq(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
	    sizeof(one)), 0);
	ck_assert_int_eq(tu_listen(&l, AF_INET6, 8), 0);
	tu_loopback(&any6, &sl, AF_INET6, tu_port_of(&s));
	((struct sockaddr_in6 *)&any6)->sin6_addr = in6addr_any;
	ep = dst_ep(&l.addr, l.addrlen);
	ep.sae_srcaddr = (struct sockaddr *)&any6;
	ep.sae_srcaddrlen = sl;
	ck_assert_msg(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, &len, &cid) == 0,
	    "connectx: %s (the V6ONLY socket could bind [::]:%u)",
	    strerror(errno), tu_port_of(&s));
	ck_assert(tu_is_connected(fd));
}
END_TEST

START_TEST(test_connectx_eisconn_not_for_udp)
{
	struct sockaddr_storage a, b;
	socklen_t al, bl;
	sa_endpoints_t ep;
	int ra = tu_bound(AF_INET, SOCK_DGRAM, 0, &a, &al);
	int rb = tu_bound(AF_INET, SOCK_DGRAM, 0, &b, &bl);
	int fd = tu_socket(AF_INET, SOCK_DGRAM);
	char c;

	(void)ra;
	ep = dst_ep(&a, al);
	ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL), 0);
	ep = dst_ep(&b, bl);
	ck_assert_msg(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL) == 0,
	    "UDP re-association: %s", strerror(errno));
	ck_assert_int_eq(send(fd, "x", 1, 0), 1);
	ck_assert_int_eq(recv(rb, &c, 1, MSG_DONTWAIT), 1);
}
END_TEST

START_TEST(test_connectx_ealready_nonblocking_connectx)
{
	struct blackhole bh;
	sa_endpoints_t ep;
	struct tu_snap s;
	int fd = tu_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);

	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	ep = dst_ep(&bh.l.addr, bh.l.addrlen);
	CX_FAIL0(fd, &ep, EINPROGRESS);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_SYN_SENT);
	tu_snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EALREADY);
	UNCHANGED(fd, &s);
}
END_TEST

/* Port numbers below this need privilege to bind; 0 if unknown. */
static int
unprivileged_port_start(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "r");
	int v = 0;

	if (f != NULL) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/*
 * In an unprivileged child: connectx with sae_srcif = lo and a source
 * bind(2) refuses, on a socket bound to bound_port (-1: not bound).
 * 0: errno want and the socket on no device; 1: another outcome;
 * 2: left on a device; 3: setup failed.  What went otherwise is written
 * to report (a pipe to the test).
 */
static int
srcif_case_unprivileged(int report, int bound_port, uint16_t src_port,
    int want)
{
	struct sockaddr_storage b, s, d;
	socklen_t bl, sl, dl, devlen = IFNAMSIZ;
	sa_endpoints_t ep;
	char dev[IFNAMSIZ + 1] = "";
	int fd, ret, err;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		dprintf(report, "socket: %s", strerror(errno));
		return 3;
	}
	if (bound_port >= 0) {
		tu_loopback(&b, &bl, AF_INET, (uint16_t)bound_port);
		if (bind(fd, (struct sockaddr *)&b, bl) != 0) {
			dprintf(report, "bind: %s", strerror(errno));
			return 3;
		}
	}
	tu_loopback(&s, &sl, AF_INET, src_port);
	tu_refused(&d, &dl, AF_INET);
	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (struct sockaddr *)&d;
	ep.sae_dstaddrlen = dl;
	ep.sae_srcif = if_nametoindex("lo");
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	errno = 0;
	ret = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
	err = errno;
	if (ret != -1 || err != want) {
		dprintf(report, "srcif %u, to port %u: returned %d, errno %d (%s)",
		    ep.sae_srcif, tu_port_of(&d), ret, err, strerror(err));
		return 1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &devlen) == 0 &&
	    dev[0] != '\0') {
		dprintf(report, "on device %s", dev);
		return 2;
	}
	close(fd);
	return 0;
}

static const char *const srcif_outcome[] = {
	"ok", "wrong outcome (errno)", "the socket was left bound to lo",
	"setup failed"
};

START_TEST(test_connectx_hacking_bound_srcaddr_srcif_unprivileged)
{
	char said[256] = "";
	pid_t pid;
	ssize_t n;
	int status, code, p[2];

	/*
	 * As above without privilege: Linux >= 5.7 lets anyone bind a
	 * socket to a device, but only a privileged process may unbind it.
	 * A bind(2) refusal after the checks (EINVAL: already bound; EACCES:
	 * a privileged port) must still leave the socket on no device.
	 */
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		if (geteuid() == 0 && (setgroups(0, NULL) != 0 ||
		    setgid(65534) != 0 || setuid(65534) != 0)) {
			dprintf(p[1], "dropping root: %s", strerror(errno));
			_exit(3);
		}
		code = srcif_case_unprivileged(p[1], 0, 0, EINVAL);
		if (code == 0 && unprivileged_port_start() > 1)
			code = 10 + srcif_case_unprivileged(p[1], -1, 1, EACCES);
		_exit(code == 10 ? 0 : code);
	}
	close(p[1]);
	n = read(p[0], said, sizeof(said) - 1);
	said[n > 0 ? n : 0] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	code = WEXITSTATUS(status);
	ck_assert_msg(code == 0, "unprivileged, %s: %s: %s",
	    code >= 10 ? "fresh socket, source port 1 (EACCES)" :
	    "bound socket (EINVAL)", srcif_outcome[code % 10 & 3], said);
}
END_TEST


START_TEST(test_connectx_hacking_parked_run_ealready)
{
	struct listener l;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[64];
	sa_endpoints_t ep;
	struct tu_snap s;
	int fd = tu_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);

	/*
	 * [refused, live] on a non-blocking socket: after the refusal the
	 * kernel socket is idle (CLOSE) but the parked run is in progress.
	 */
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	tu_refused(&a[0], &al[0], AF_INET);
	a[1] = l.addr;
	al[1] = l.addrlen;
	ep = dst_ep(buf, (socklen_t)tu_pack(buf, a, al, 2));
	CX_FAIL0(fd, &ep, EINPROGRESS);
	usleep(50000);
	tu_snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EALREADY);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_connectx_hacking_udp_65507_passes)
{
	static char big[65507];
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct iovec iov = { big, sizeof(big) };
	size_t len = 0;
	int r = tu_bound(AF_INET, SOCK_DGRAM, 0, &d, &dl);
	int fd = tu_socket(AF_INET, SOCK_DGRAM);

	ep = dst_ep(&d, dl);
	ck_assert_msg(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 1, &len, NULL) == 0,
	    "connectx: %s", strerror(errno));
	ck_assert_uint_eq(len, sizeof(big));
	ck_assert_int_eq(recv(r, big, sizeof(big), MSG_DONTWAIT), (int)sizeof(big));
}
END_TEST

START_TEST(test_connectx_hacking_udp_failed_reassociation_keeps_record)
{
	struct sockaddr_storage a, bc;
	socklen_t al, bl;
	sa_endpoints_t ep;
	struct tu_snap s;
	sctp_assoc_t id = 0, id2 = 0;
	int r = tu_bound(AF_INET, SOCK_DGRAM, 0, &a, &al);
	int fd = tu_socket(AF_INET, SOCK_DGRAM);

	/*
	 * lo's broadcast address: connect(2) refuses it (EACCES, no
	 * SO_BROADCAST) and nothing is sent.  The socket keeps its peer
	 * and its record its association.
	 */
	(void)r;
	ep = dst_ep(&a, al);
	ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL), 0);
	ck_assert_int_eq(cx_getassocid(fd, &id), 0);
	tu_set_v4(&bc, &bl, "127.255.255.255", tu_port_of(&a));
	ep = dst_ep(&bc, bl);
	tu_snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EACCES);
	UNCHANGED(fd, &s);
	ck_assert_int_eq(cx_getassocid(fd, &id2), 0);
	ck_assert_int_eq(id2, id);
}
END_TEST

static void
on_alarm(int sig)
{
	(void)sig;
}

/* SIGALRM in ms milliseconds, caught by a handler with flags. */
static void
alarm_in(int ms, int flags)
{
	struct sigaction sa;
	struct itimerval it;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void
alarm_off(void)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
}

/* HACKING, EINTR: every attempt abandoned, the socket left unconnected. */
static void
eintr_case(const void *dst, socklen_t dstlen, int ms, int sa_flags)
{
	struct listener live;
	sa_endpoints_t ep = dst_ep(dst, dstlen);
	int fd = tu_socket(AF_INET, SOCK_STREAM), nfds = tu_count_fds();

	alarm_in(ms, sa_flags);
	CX_FAIL0(fd, &ep, EINTR);
	alarm_off();
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	ck_assert(!tu_is_connected(fd));
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(tu_count_fds(), nfds);
	/* Unconnected, not spent: it connects afterwards. */
	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	ep = dst_ep(&live.addr, live.addrlen);
	ck_assert_msg(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL) == 0,
	    "connectx after EINTR: %s", strerror(errno));
}

START_TEST(test_connectx_hacking_eintr_lone_address)
{
	struct blackhole bh;

	/* Without SA_RESTART the kernel's blocking connect is interrupted. */
	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	eintr_case(&bh.l.addr, bh.l.addrlen, 200, 0);
}
END_TEST

START_TEST(test_connectx_hacking_eintr_list_sa_restart)
{
	struct blackhole bh1, bh2;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[64];

	/*
	 * A list waits in poll(2), which a signal interrupts even so; at
	 * 400 ms the second attempt (on a clone) is in flight too.
	 */
	ck_assert_int_eq(tu_blackhole(&bh1, AF_INET), 0);
	ck_assert_int_eq(tu_blackhole(&bh2, AF_INET), 0);
	a[0] = bh1.l.addr;
	al[0] = bh1.l.addrlen;
	a[1] = bh2.l.addr;
	al[1] = bh2.l.addrlen;
	eintr_case(buf, (socklen_t)tu_pack(buf, a, al, 2), 400, SA_RESTART);
}
END_TEST


/* ---- suite ----------------------------------------------------------- */

static Suite *
connectx_errors_suite(void)
{
	Suite *s = suite_create("connectx_errors");
	TCase *tc;

	tc = tcase_create("rows");
	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, test_connectx_error_row, 0,
	    (int)(sizeof(rows) / sizeof(rows[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("sequences");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_connectx_eaddrnotavail_row2_not_for_a_lo_address);
	tcase_add_test(tc, test_connectx_eaddrinuse_not_for_a_v6only_source);
	tcase_add_test(tc, test_connectx_eisconn_not_for_udp);
	tcase_add_test(tc, test_connectx_ealready_nonblocking_connectx);
	tcase_add_test(tc, test_connectx_hacking_bound_srcaddr_srcif_unprivileged);
	tcase_add_test(tc, test_connectx_hacking_parked_run_ealready);
	tcase_add_test(tc, test_connectx_hacking_udp_65507_passes);
	tcase_add_test(tc, test_connectx_hacking_udp_failed_reassociation_keeps_record);
	tcase_add_test(tc, test_connectx_hacking_eintr_lone_address);
	tcase_add_test(tc, test_connectx_hacking_eintr_list_sa_restart);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(connectx_errors_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
