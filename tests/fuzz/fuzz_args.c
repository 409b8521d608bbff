/*
 * libFuzzer target: the argument checking of connectx(), sctp_connectx()
 * and disconnectx() (and the cx_ calls beside them), driven with fuzzed
 * arguments on sockets of every kind, linked with the library's sources.
 *
 * Safety: no fuzzed address ever reaches a destination off this host.
 * Every AF_INET/AF_INET6 entry of a destination list is rewritten, before
 * the call, to a loopback address (127.0.0.1, 127.a.b.c, ::1 or
 * ::ffff:127.a.b.c), its port to one of two ports held by sockets of this
 * process that are bound but never listen (so a TCP connect is refused at
 * once and a UDP datagram lands here), a non-zero port staying non-zero;
 * the family, the length and every other byte stay as fuzzed.  The
 * interface index is 0, lo's, or one that does not exist.  tests/fuzz/run.sh
 * also runs the target inside a new network namespace (unshare -n) where
 * only lo exists.
 *
 * Oracle, beyond ASan/UBSan: every errno is one the call's ERRORS section
 * (connectx(2), sctp_connectx(3), disconnectx(2), libconnectx(3)) allows;
 * *len / *connid are written on every return; a call that fails one of the
 * checks leaves the socket exactly as it was (local and peer address, TCP
 * state, file status flags).  A breach aborts.
 *
 * Input: a socket kind, then up to four operations on it, each an opcode
 * and its arguments, read from the bytes in order (zeros once they run out).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "connectx.h"

#define FAIL(...) do { fprintf(stderr, "fuzz_args: " __VA_ARGS__); \
	fputc('\n', stderr); abort(); } while (0)

/* ---- reading the input ------------------------------------------------- */

struct in {
	const uint8_t	*p;
	size_t		 n;
};

static uint8_t
u8(struct in *in)
{
	uint8_t v = 0;

	if (in->n > 0) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static uint16_t
u16(struct in *in)
{
	return (uint16_t)(u8(in) | u8(in) << 8);
}

static uint32_t
u32(struct in *in)
{
	return (uint32_t)u16(in) | (uint32_t)u16(in) << 16;
}

/* n bytes into dst; zeros past the end of the input. */
static void
bytes(struct in *in, void *dst, size_t n)
{
	size_t k = n < in->n ? n : in->n;

	memcpy(dst, in->p, k);
	memset((char *)dst + k, 0, n - k);
	in->p += k;
	in->n -= k;
}

/* ---- the fixed world: closed ports, a live listener --------------------- */

static uint16_t closed_port[2];	/* host order */
static int holders[8];
static int live4 = -1;		/* TCP listener on 127.0.0.1 */
static struct sockaddr_in live4_addr;
static unsigned int lo_index;
static int closed_fd = -1;	/* a number known not to be open */

static int
hold(int family, int type, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if ((fd = socket(family, type | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		len = sizeof(*s4);
	}
	/* The wildcard address: no other socket can take the port on any address. */
	if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
world_init(void)
{
	struct sockaddr_in sin;
	socklen_t len;
	int i, k, tries, fd;

	for (i = 0; i < 2; i++) {
		for (tries = 0; tries < 100; tries++) {
			/* A port the kernel picks for TCP/IPv4, then the rest on it. */
			if ((fd = hold(AF_INET, SOCK_STREAM, 0)) == -1)
				FAIL("cannot bind a TCP socket");
			len = sizeof(sin);
			getsockname(fd, (struct sockaddr *)&sin, &len);
			closed_port[i] = ntohs(sin.sin_port);
			holders[i * 4] = fd;
			holders[i * 4 + 1] = hold(AF_INET6, SOCK_STREAM, closed_port[i]);
			holders[i * 4 + 2] = hold(AF_INET, SOCK_DGRAM, closed_port[i]);
			holders[i * 4 + 3] = hold(AF_INET6, SOCK_DGRAM, closed_port[i]);
			for (k = 1; k < 4; k++)
				if (holders[i * 4 + k] == -1)
					break;
			if (k == 4)
				break;
			for (k = 0; k < 4; k++)
				if (holders[i * 4 + k] != -1)
					close(holders[i * 4 + k]);
		}
		if (tries == 100)
			FAIL("cannot hold two closed ports");
	}
	live4 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&live4_addr, 0, sizeof(live4_addr));
	live4_addr.sin_family = AF_INET;
	live4_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	len = sizeof(live4_addr);
	if (bind(live4, (struct sockaddr *)&live4_addr, len) != 0 ||
	    listen(live4, 64) != 0 ||
	    getsockname(live4, (struct sockaddr *)&live4_addr, &len) != 0) {
		close(live4);
		live4 = -1;
	}
	lo_index = if_nametoindex("lo");
	/* A descriptor number that is not open, far above those in use. */
	closed_fd = fcntl(0, F_DUPFD_CLOEXEC, 900);
	close(closed_fd);
}

/* ---- sockets to fuzz ---------------------------------------------------- */

enum kind {
	K_TCP4, K_TCP6, K_TCP6_V6ONLY, K_UDP4, K_UDP6, K_UDP6_V6ONLY,
	K_UNIX_STREAM, K_UNIX_DGRAM, K_UNIX_SEQPACKET, K_PIPE, K_CLOSED,
	K_NEGATIVE, K_TCP4_LISTEN, K_TCP4_CONNECTED, K_UDP4_CONNECTED,
	K_TCP4_NONBLOCK, K_TCP6_NONBLOCK, K_TCP4_BOUND, K_TCP4_OPTIONS,
	K_RAW4, K_UDPLITE6, K_NKINDS
};

struct sock {
	int	fd;
	int	extra;		/* pipe's other end, accepted peer: closed after */
	bool	is_socket;
};

static void
set_policy(int fd)
{
	/* Any connect here is refused at once; bound every call regardless. */
	cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, 10);
	cx_setopt(fd, CX_OPT_TOTAL_TIMEOUT_MS, 20);
}

static int
mk(int family, int type, int protocol)
{
	return socket(family, type | SOCK_CLOEXEC, protocol);
}

static void
sock_make(struct sock *s, enum kind k)
{
	struct sockaddr_in sin;
	int one = 1, p[2], v;

	s->fd = -1;
	s->extra = -1;
	s->is_socket = true;
	switch (k) {
	case K_TCP4: s->fd = mk(AF_INET, SOCK_STREAM, 0); break;
	case K_TCP6: s->fd = mk(AF_INET6, SOCK_STREAM, 0); break;
	case K_TCP6_V6ONLY:
		s->fd = mk(AF_INET6, SOCK_STREAM, 0);
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		break;
	case K_UDP4: s->fd = mk(AF_INET, SOCK_DGRAM, 0); break;
	case K_UDP6: s->fd = mk(AF_INET6, SOCK_DGRAM, 0); break;
	case K_UDP6_V6ONLY:
		s->fd = mk(AF_INET6, SOCK_DGRAM, 0);
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		break;
	case K_UNIX_STREAM: s->fd = mk(AF_UNIX, SOCK_STREAM, 0); break;
	case K_UNIX_DGRAM: s->fd = mk(AF_UNIX, SOCK_DGRAM, 0); break;
	case K_UNIX_SEQPACKET: s->fd = mk(AF_UNIX, SOCK_SEQPACKET, 0); break;
	case K_PIPE:
		if (pipe2(p, O_CLOEXEC) == 0) {
			s->fd = p[0];
			s->extra = p[1];
		}
		s->is_socket = false;
		break;
	case K_CLOSED: s->fd = closed_fd; s->is_socket = false; return;
	case K_NEGATIVE: s->fd = -1; s->is_socket = false; return;
	case K_TCP4_LISTEN:
		s->fd = mk(AF_INET, SOCK_STREAM, 0);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		bind(s->fd, (struct sockaddr *)&sin, sizeof(sin));
		listen(s->fd, 1);
		break;
	case K_TCP4_CONNECTED:
		s->fd = mk(AF_INET, SOCK_STREAM, 0);
		if (live4 != -1 && connect(s->fd, (struct sockaddr *)&live4_addr,
		    sizeof(live4_addr)) == 0)
			s->extra = accept4(live4, NULL, NULL, SOCK_CLOEXEC);
		break;
	case K_UDP4_CONNECTED:
		s->fd = mk(AF_INET, SOCK_DGRAM, 0);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = htons(closed_port[0]);
		connect(s->fd, (struct sockaddr *)&sin, sizeof(sin));
		break;
	case K_TCP4_NONBLOCK:
		s->fd = mk(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		break;
	case K_TCP6_NONBLOCK:
		s->fd = mk(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
		break;
	case K_TCP4_BOUND:
		s->fd = mk(AF_INET, SOCK_STREAM, 0);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		bind(s->fd, (struct sockaddr *)&sin, sizeof(sin));
		break;
	case K_TCP4_OPTIONS:
		s->fd = mk(AF_INET, SOCK_STREAM, 0);
		setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		v = 12345;
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
		break;
	case K_RAW4:
		/* Needs privilege; without it the call sees a closed number. */
		s->fd = mk(AF_INET, SOCK_RAW, IPPROTO_TCP);
		break;
	case K_UDPLITE6:
		s->fd = mk(AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE);
		break;
	default:
		break;
	}
	if (s->fd == -1)
		s->is_socket = false;
	else if (s->is_socket)
		set_policy(s->fd);
}

static void
sock_free(struct sock *s)
{
	if (s->fd >= 0 && s->fd != closed_fd)
		close(s->fd);
	if (s->extra >= 0)
		close(s->extra);
}

/* ---- what a failed check must leave unchanged --------------------------- */

struct snap {
	struct sockaddr_storage	local, peer;
	socklen_t		locallen, peerlen;
	int			local_err, peer_err, tcp_state, flags;
};

static void
snap_take(int fd, struct snap *s)
{
	struct tcp_info ti;
	socklen_t len;

	memset(s, 0, sizeof(*s));
	s->locallen = sizeof(s->local);
	s->local_err = getsockname(fd, (struct sockaddr *)&s->local,
	    &s->locallen) == 0 ? 0 : errno;
	s->peerlen = sizeof(s->peer);
	s->peer_err = getpeername(fd, (struct sockaddr *)&s->peer,
	    &s->peerlen) == 0 ? 0 : errno;
	len = sizeof(ti);
	s->tcp_state = getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 ?
	    ti.tcpi_state : -1;
	s->flags = fcntl(fd, F_GETFL);
}

static void
snap_same(int fd, const struct snap *a, const char *call, int err)
{
	struct snap b;

	snap_take(fd, &b);
	/*
	 * The kernel moves some TCP states on by itself (FIN_WAIT1 to
	 * FIN_WAIT2, SYN_SENT to CLOSE when the RST comes): those are not
	 * compared, the stable ones are.
	 */
	if (a->tcp_state != TCP_CLOSE && a->tcp_state != TCP_LISTEN &&
	    a->tcp_state != TCP_ESTABLISHED && a->tcp_state != -1)
		b.tcp_state = a->tcp_state;
	if (memcmp(a, &b, sizeof(b)) != 0)
		FAIL("%s failed with %s but changed the socket (state %d->%d, "
		    "flags %#x->%#x, local %d/%u port %u->%d/%u port %u, "
		    "peer %d->%d)", call, strerror(err), a->tcp_state,
		    b.tcp_state, a->flags, b.flags, a->local_err, a->locallen,
		    ntohs(((const struct sockaddr_in *)&a->local)->sin_port),
		    b.local_err, b.locallen,
		    ntohs(((const struct sockaddr_in *)&b.local)->sin_port),
		    a->peer_err, b.peer_err);
}

static bool
in_set(int err, const int *set)
{
	for (; *set != 0; set++)
		if (*set == err)
			return true;
	return false;
}

/* Errors of the checks: the socket is as it was. */
static const int cx_check_errs[] = { EBADF, ENOTSOCK, EINVAL, ENAMETOOLONG,
	EOPNOTSUPP, EAFNOSUPPORT, EADDRNOTAVAIL, ENXIO, EADDRINUSE, EISCONN,
	EALREADY, EMSGSIZE, 0 };
/* Outcomes of connecting (connectx(2) ERRORS), and what a bind/send may add. */
static const int cx_connect_errs[] = { ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH,
	ENETUNREACH, ENETDOWN, EINTR, EINPROGRESS, EACCES, EPERM, ECONNRESET,
	EOVERFLOW, 0 };
static const int sctp_check_errs[] = { EBADF, ENOTSOCK, EINVAL, E2BIG,
	EISCONN, EALREADY, EOPNOTSUPP, 0 };
static const int dx_errs[] = { EBADF, ENOTSOCK, EINVAL, ENOTCONN, EOPNOTSUPP, 0 };

/* ---- destinations: loopback only ---------------------------------------- */

static uint16_t
port_map(uint16_t fuzzed)
{
	return fuzzed == 0 ? 0 : closed_port[fuzzed & 1];
}

static void
rewrite_one(unsigned char *p, sa_family_t family)
{
	if (family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, p, sizeof(sin));
		sin.sin_port = htons(port_map(ntohs(sin.sin_port)));
		/* 127.0.0.1, or 127 with the fuzzed low bytes: all of it is lo. */
		sin.sin_addr.s_addr = (sin.sin_addr.s_addr & htonl(0x00ffffff)) |
		    htonl(0x7f000000);
		memcpy(p, &sin, sizeof(sin));
	} else if (family == AF_INET6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, p, sizeof(sin6));
		sin6.sin6_port = htons(port_map(ntohs(sin6.sin6_port)));
		if (sin6.sin6_addr.s6_addr[0] & 1) {
			/* ::ffff:127.x.y.z */
			memcpy(&sin6.sin6_addr.s6_addr[13], &sin6.sin6_addr.s6_addr[1], 3);
			memset(&sin6.sin6_addr, 0, 10);
			sin6.sin6_addr.s6_addr[10] = sin6.sin6_addr.s6_addr[11] = 0xff;
			sin6.sin6_addr.s6_addr[12] = 127;
		} else {
			sin6.sin6_addr = in6addr_loopback;
		}
		/* A scope on ::1 would name an interface: none. */
		sin6.sin6_scope_id = 0;
		memcpy(p, &sin6, sizeof(sin6));
	}
}

static sa_family_t
fam_at(const unsigned char *p)
{
	sa_family_t f;

	memcpy(&f, p, sizeof(f));
	return f;
}

static size_t
fam_size(sa_family_t f)
{
	return f == AF_INET ? sizeof(struct sockaddr_in) :
	    f == AF_INET6 ? sizeof(struct sockaddr_in6) : 0;
}

/*
 * Rewrite every whole AF_INET/AF_INET6 entry of a packed list.  As many
 * entries as the bytes hold are rewritten, whatever the count the call is
 * given: nothing that could be read as an address escapes.
 */
static void
rewrite_list(unsigned char *p, size_t len)
{
	size_t off = 0, sz;

	while (len - off >= sizeof(sa_family_t)) {
		sz = fam_size(fam_at(p + off));
		if (sz == 0 || len - off < sz)
			break;
		rewrite_one(p + off, fam_at(p + off));
		off += sz;
	}
}

/* ---- the calls ---------------------------------------------------------- */

static unsigned char iobuf[65536];

static void
op_connectx(struct in *in, struct sock *s)
{
	uint8_t sel = u8(in), m;
	sa_endpoints_t ep;
	struct iovec *iov = NULL;
	unsigned char *src = NULL, *dst = NULL;
	unsigned int iovcnt = 0, i, flags;
	sae_associd_t associd;
	/* No count of bytes sent can be this (it is past SSIZE_MAX). */
	size_t len = SIZE_MAX - 1, *lenp = (sel & 0x10) ? NULL : &len;
	size_t total = 0;
	sae_connid_t cid = 777, *cidp = (sel & 0x20) ? NULL : &cid;
	struct snap before;
	int r, err;

	memset(&ep, 0, sizeof(ep));
	m = u8(in);
	ep.sae_srcif = (m & 3) == 0 ? 0 : (m & 3) == 1 ? lo_index :
	    0x7fffff00u + (m >> 2);
	if (sel & 0x02) {
		ep.sae_srcaddrlen = u16(in) % 300;
		src = malloc(ep.sae_srcaddrlen ? ep.sae_srcaddrlen : 1);
		bytes(in, src, ep.sae_srcaddrlen);
		ep.sae_srcaddr = (const struct sockaddr *)src;
	}
	if (!(sel & 0x04)) {
		ep.sae_dstaddrlen = u16(in) % 600;
		dst = malloc(ep.sae_dstaddrlen ? ep.sae_dstaddrlen : 1);
		bytes(in, dst, ep.sae_dstaddrlen);
		rewrite_list(dst, ep.sae_dstaddrlen);
		ep.sae_dstaddr = (const struct sockaddr *)dst;
	} else
		ep.sae_dstaddrlen = u16(in);
	if (sel & 0x08) {
		m = u8(in);
		iovcnt = (m & 0x80) ? u16(in) % 1100 : m & 7;
		/* Exactly the entries a valid call may read. */
		iov = malloc((iovcnt > 1024 ? 1024 : iovcnt ? iovcnt : 1) * sizeof(*iov));
		for (i = 0; i < iovcnt && i < 1024; i++) {
			m = u8(in);
			iov[i].iov_base = iobuf;
			switch (m & 3) {
			case 0: iov[i].iov_len = u16(in) % 256; break;
			case 1: iov[i].iov_len = u16(in) % sizeof(iobuf); break;
			case 2: iov[i].iov_len = (size_t)SSIZE_MAX - (m >> 2); break;
			default: iov[i].iov_len = SIZE_MAX - (m >> 2); break;
			}
			/*
			 * Huge lengths: a total past SSIZE_MAX must be refused;
			 * one below it reaches no send (every connect is
			 * refused, a datagram that long is EMSGSIZE).
			 */
		}
	}
	m = u8(in);
	associd = (m & 3) == 0 ? SAE_ASSOCID_ANY : (m & 3) == 1 ? SAE_ASSOCID_ALL :
	    u32(in);
	m = u8(in);
	flags = (m & 0x80) ? u32(in) : m & 7;

	if (s->is_socket)
		snap_take(s->fd, &before);
	errno = 0;
	r = connectx(s->fd, (sel & 0x01) ? NULL : &ep, associd, flags, iov,
	    iovcnt, lenp, cidp);
	err = errno;
	if (r != 0 && r != -1)
		FAIL("connectx returned %d", r);
	for (i = 0; iov != NULL && i < iovcnt && i < 1024; i++)
		total = iov[i].iov_len > SIZE_MAX - total ? SIZE_MAX :
		    total + iov[i].iov_len;
	if (lenp != NULL && (len == SIZE_MAX - 1 || len > total ||
	    (r == -1 && err != EINPROGRESS && len != 0)))
		FAIL("connectx: *len %zu after %d/%s", len, r, strerror(err));
	if (cidp != NULL && cid != (r == 0 ? 1u : 0u))
		FAIL("connectx: *connid %u after %d/%s", cid, r, strerror(err));
	if (r == -1) {
		if (in_set(err, cx_check_errs)) {
			if (s->is_socket)
				snap_same(s->fd, &before, "connectx", err);
		} else if (!in_set(err, cx_connect_errs))
			FAIL("connectx: errno %d (%s) not in connectx(2) ERRORS", err,
			    strerror(err));
		if (!s->is_socket && err != EBADF && err != ENOTSOCK)
			FAIL("connectx on a non-socket: %s", strerror(err));
	} else if (!s->is_socket)
		FAIL("connectx succeeded on a non-socket");
	free(iov);
	free(src);
	free(dst);
}

static void
op_sctp_connectx(struct in *in, struct sock *s)
{
	uint8_t sel = u8(in), m;
	unsigned char *buf = NULL, *p;
	size_t n = 0, shift;
	cx_sctp_assoc_t id = -7, *idp = (sel & 0x02) ? NULL : &id;
	struct snap before;
	int cnt, r, err;

	m = u8(in);
	cnt = (m & 0x80) ? (int)u32(in) : (m & 0x40) ? -(int)(m & 0x3f) : m & 0x3f;
	shift = (sel >> 2) & 3;
	if (!(sel & 0x01)) {
		n = u16(in) % 1024;
		/* The bytes given, then zeros: a longer count ends at family 0. */
		buf = calloc(1, shift + n + 32);
		p = buf + shift;
		bytes(in, p, n);
		rewrite_list(p, n + 32);
	} else
		p = NULL;

	if (s->is_socket)
		snap_take(s->fd, &before);
	errno = 0;
	r = sctp_connectx(s->fd, (struct sockaddr *)(void *)p, cnt, idp);
	err = errno;
	if (r != 0 && r != -1)
		FAIL("sctp_connectx returned %d", r);
	if (r == -1) {
		if (in_set(err, sctp_check_errs)) {
			if (s->is_socket)
				snap_same(s->fd, &before, "sctp_connectx", err);
			if (idp != NULL && id != -7)
				FAIL("sctp_connectx wrote *id on %s", strerror(err));
		} else if (!in_set(err, cx_connect_errs))
			FAIL("sctp_connectx: errno %d (%s) not in sctp_connectx(3) ERRORS", err,
			    strerror(err));
		if (!s->is_socket && err != EBADF && err != ENOTSOCK)
			FAIL("sctp_connectx on a non-socket: %s", strerror(err));
		if (err == EINPROGRESS && idp != NULL && id <= 0)
			FAIL("sctp_connectx: EINPROGRESS without *id");
	} else if (idp != NULL && id <= 0)
		FAIL("sctp_connectx: 0 with *id %d", id);
	free(buf);
}

static void
op_disconnectx(struct in *in, struct sock *s)
{
	uint8_t m = u8(in);
	cx_sctp_assoc_t cur = 0;
	sae_associd_t a;
	sae_connid_t c;
	int r, err;

	cx_getassocid(s->fd, &cur);
	switch (m & 3) {
	case 0: a = SAE_ASSOCID_ANY; break;
	case 1: a = SAE_ASSOCID_ALL; break;
	case 2: a = (sae_associd_t)cur; break;
	default: a = u32(in); break;
	}
	switch ((m >> 2) & 3) {
	case 0: c = SAE_CONNID_ANY; break;
	case 1: c = SAE_CONNID_ALL; break;
	case 2: c = 1; break;
	default: c = u32(in); break;
	}
	errno = 0;
	r = disconnectx(s->fd, a, c);
	err = errno;
	if (r != 0 && (r != -1 || !in_set(err, dx_errs)))
		FAIL("disconnectx: %d, errno %d (%s)", r, err, strerror(err));
}

static void
op_other(struct in *in, struct sock *s)
{
	uint8_t m = u8(in);
	struct sockaddr *addrs;
	struct cx_attempt *att;
	cx_sctp_assoc_t id = 0;
	long v;
	int n, w;

	switch (m & 7) {
	case 0:
		cx_step(s->fd, (m & 8) ? NULL : &w);
		break;
	case 1:
		if ((n = cx_getpaddrs(s->fd, (m & 8) ? 0 : (cx_sctp_assoc_t)u32(in),
		    &addrs)) >= 0)
			cx_freepaddrs(addrs);
		break;
	case 2:
		if ((n = cx_getattempts(s->fd, (m & 8) ? 0 : (cx_sctp_assoc_t)u32(in),
		    &att)) >= 0)
			cx_freeattempts(att);
		break;
	case 3:
		cx_getpeerindex(s->fd, (m & 8) ? 0 : (cx_sctp_assoc_t)u32(in));
		break;
	case 4:
		cx_getassocid(s->fd, (m & 8) ? NULL : &id);
		break;
	case 5:
		/* Any value is checked; the bound on a call's time is put back. */
		cx_setopt(s->fd, (int)(m >> 4), (long)(int32_t)u32(in));
		if (s->is_socket)
			set_policy(s->fd);
		break;
	case 6:
		cx_getopt(s->fd, (int)(m >> 4), (m & 8) ? NULL : &v);
		break;
	default:
		/* Pass time on a non-blocking connect: nothing here waits. */
		cx_step(s->fd, NULL);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct in in = { data, size };
	struct sock s;
	int i, nops;
	uint8_t m;

	if (!ready) {
		world_init();
		ready = true;
	}
	m = u8(&in);
	sock_make(&s, (enum kind)(m % K_NKINDS));
	nops = 1 + ((m >> 5) & 3);
	for (i = 0; i < nops; i++) {
		switch (u8(&in) % 4) {
		case 0: op_connectx(&in, &s); break;
		case 1: op_sctp_connectx(&in, &s); break;
		case 2: op_disconnectx(&in, &s); break;
		default: op_other(&in, &s); break;
		}
	}
	sock_free(&s);
	return 0;
}
