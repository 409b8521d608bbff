/*
 * disconnectx(2): the entries of its ERRORS (EBADF, ENOTSOCK, EINVAL for a
 * foreign associd or connid, ENOTCONN) with the socket left as it was, and
 * its behaviour: UDP dissolves and keeps its local port, then connectx
 * works again; TCP established sends FIN, TCP connecting is abandoned, and
 * neither connects again (EISCONN); the association record is dropped.
 * Only loopback is ever connected to.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <check.h>
#include "connectx.h"
#include "sockopts.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

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

struct snap {
	struct sockaddr_storage	local, peer;
	socklen_t		locallen, peerlen;
	int			local_err, peer_err;
	int			tcp_state;
};

static void
snap_take(int fd, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->locallen = sizeof(s->local);
	s->local_err = getsockname(fd, (struct sockaddr *)&s->local,
	    &s->locallen) == 0 ? 0 : errno;
	s->peerlen = sizeof(s->peer);
	s->peer_err = getpeername(fd, (struct sockaddr *)&s->peer,
	    &s->peerlen) == 0 ? 0 : errno;
	s->tcp_state = tu_tcp_state(fd);
}

static const char *
snap_changed(int fd, const struct snap *b)
{
	struct snap a;

	snap_take(fd, &a);
	if (a.local_err != b->local_err || a.locallen != b->locallen ||
	    memcmp(&a.local, &b->local, a.locallen) != 0)
		return "local address";
	if (a.peer_err != b->peer_err || a.peerlen != b->peerlen ||
	    memcmp(&a.peer, &b->peer, a.peerlen) != 0)
		return "peer address";
	if (a.tcp_state != b->tcp_state)
		return "TCP state";
	return NULL;
}

#define UNCHANGED(fd, s) do {						\
	const char *what_ = snap_changed((fd), (s));			\
	ck_assert_msg(what_ == NULL, "socket changed: %s", what_);	\
} while (0)

static uint16_t
local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	return tu_port_of(&ss);
}

static int
cx(int fd, const struct sockaddr_storage *dst, socklen_t len)
{
	sa_endpoints_t ep;

	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (const struct sockaddr *)dst;
	ep.sae_dstaddrlen = len;
	return connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
}

/* The association ID recorded for fd (the call must succeed). */
static sae_associd_t
assoc_of(int fd)
{
	sctp_assoc_t id = 0;

	ck_assert_msg(cx_getassocid(fd, &id) == 0, "cx_getassocid: %s",
	    strerror(errno));
	ck_assert_int_gt(id, 0);
	return (sae_associd_t)id;
}

static void
assert_record_dropped(int fd)
{
	sctp_assoc_t id = 0;

	EXPECT_ERR(cx_getassocid(fd, &id), ENOTCONN);
}

/* A UDP receiver on loopback. */
static int
udp_receiver(int family, struct sockaddr_storage *ss, socklen_t *len)
{
	int fd = tu_socket(family, SOCK_DGRAM);

	tu_loopback(ss, len, family, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)ss, *len), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)ss, len), 0);
	return fd;
}

/* A TCP socket connected by connectx to a new listener; peer accepted. */
static int
tcp_connectx(int family, struct listener *l, int *peer)
{
	int fd = tu_socket(family, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(l, family, 8), 0);
	EXPECT_OK(cx(fd, &l->addr, l->addrlen));
	*peer = tu_accept(l, 2000);
	ck_assert_int_ge(*peer, 0);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_ESTABLISHED);
	return fd;
}

/* The peer sees no FIN (nothing to read) within ms. */
static void
assert_peer_open(int peer, int ms)
{
	struct pollfd pfd = { .fd = peer, .events = POLLIN };

	ck_assert_msg(poll(&pfd, 1, ms) == 0, "peer saw data or FIN");
}

/* The peer reads end of stream (a FIN) within two seconds. */
static void
assert_peer_fin(int peer)
{
	struct pollfd pfd = { .fd = peer, .events = POLLIN };
	char c;

	ck_assert_msg(poll(&pfd, 1, 2000) == 1, "peer saw no FIN");
	ck_assert_int_eq(read(peer, &c, 1), 0);
}

/* Wait (up to two seconds) for fd's TCP state to become state. */
static void
wait_tcp_state(int fd, int state)
{
	int i;

	for (i = 0; i < 200 && tu_tcp_state(fd) != state; i++)
		usleep(10000);
	ck_assert_int_eq(tu_tcp_state(fd), state);
}

/* connectx and sctp_connectx both refuse a disconnected TCP socket. */
static void
assert_no_reconnect(int fd, int family)
{
	struct listener l;
	struct snap s;

	ck_assert_int_eq(tu_listen(&l, family, 8), 0);
	snap_take(fd, &s);
	EXPECT_ERR(cx(fd, &l.addr, l.addrlen), EISCONN);
	UNCHANGED(fd, &s);
	EXPECT_ERR(sctp_connectx(fd, (struct sockaddr *)&l.addr, 1, NULL),
	    EISCONN);
	UNCHANGED(fd, &s);
	{
		struct pollfd pfd = { .fd = l.fd, .events = POLLIN };

		ck_assert_msg(poll(&pfd, 1, 100) == 0,
		    "the disconnected socket connected again");
	}
	close(l.fd);
}

/* ---- EBADF, ENOTSOCK ------------------------------------------------- */

START_TEST(test_disconnectx_ebadf)
{
	int fd = tu_socket(AF_INET, SOCK_DGRAM);

	EXPECT_ERR(disconnectx(-1, SAE_ASSOCID_ANY, SAE_CONNID_ANY), EBADF);
	close(fd);
	EXPECT_ERR(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), EBADF);
}
END_TEST

START_TEST(test_disconnectx_enotsock)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	EXPECT_ERR(disconnectx(p[0], SAE_ASSOCID_ANY, SAE_CONNID_ANY), ENOTSOCK);
	EXPECT_ERR(disconnectx(p[1], SAE_ASSOCID_ALL, SAE_CONNID_ALL), ENOTSOCK);
}
END_TEST

START_TEST(test_disconnectx_ebadf_enotsock_before_einval)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	EXPECT_ERR(disconnectx(-1, 12345, 7), EBADF);
	EXPECT_ERR(disconnectx(p[0], 12345, 7), ENOTSOCK);
}
END_TEST

/* ---- EINVAL: associd, connid ----------------------------------------- */

START_TEST(test_disconnectx_einval_wrong_associd_tcp)
{
	struct listener l;
	struct snap s;
	int peer, fd = tcp_connectx(AF_INET, &l, &peer);
	sae_associd_t id = assoc_of(fd);

	snap_take(fd, &s);
	EXPECT_ERR(disconnectx(fd, id + 1, SAE_CONNID_ANY), EINVAL);
	EXPECT_ERR(disconnectx(fd, SAE_ASSOCID_ALL - 1, SAE_CONNID_ANY), EINVAL);
	UNCHANGED(fd, &s);
	ck_assert_uint_eq(assoc_of(fd), id);	/* record kept */
	assert_peer_open(peer, 100);
}
END_TEST

START_TEST(test_disconnectx_einval_wrong_associd_udp)
{
	struct sockaddr_storage a;
	socklen_t al;
	struct snap s;
	int r = udp_receiver(AF_INET6, &a, &al),
	    fd = tu_socket(AF_INET6, SOCK_DGRAM);
	sae_associd_t id;

	(void)r;
	EXPECT_OK(cx(fd, &a, al));
	id = assoc_of(fd);
	snap_take(fd, &s);
	EXPECT_ERR(disconnectx(fd, id + 1, SAE_CONNID_ANY), EINVAL);
	UNCHANGED(fd, &s);
	ck_assert(tu_is_connected(fd));
}
END_TEST

START_TEST(test_disconnectx_einval_associd_of_other_socket)
{
	struct listener l1, l2;
	struct snap s;
	int p1, p2, a = tcp_connectx(AF_INET, &l1, &p1);
	int b = tcp_connectx(AF_INET6, &l2, &p2);

	snap_take(a, &s);
	EXPECT_ERR(disconnectx(a, assoc_of(b), SAE_CONNID_ANY), EINVAL);
	UNCHANGED(a, &s);
	assert_peer_open(p1, 100);
}
END_TEST

START_TEST(test_disconnectx_einval_associd_none_recorded)
{
	struct listener l;
	struct snap s;
	int peer, fd = tu_socket(AF_INET, SOCK_STREAM);

	/* Connected by connect(2): no ID recorded, so none but ANY/ALL fits. */
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&l.addr, l.addrlen), 0);
	peer = tu_accept(&l, 2000);
	ck_assert_int_ge(peer, 0);
	snap_take(fd, &s);
	EXPECT_ERR(disconnectx(fd, 1, SAE_CONNID_ANY), EINVAL);
	UNCHANGED(fd, &s);
	assert_peer_open(peer, 100);
}
END_TEST

START_TEST(test_disconnectx_einval_associd_of_closed_socket)
{
	struct listener l, l2;
	struct snap s;
	int peer, peer2, fd = tcp_connectx(AF_INET, &l, &peer), fd2;
	sae_associd_t old = assoc_of(fd);

	/* The descriptor number is reused by a new socket: not its ID. */
	close(fd);
	fd2 = tu_socket(AF_INET, SOCK_STREAM);
	if (fd2 != fd) {
		ck_assert_int_eq(dup3(fd2, fd, O_CLOEXEC), fd);
		close(fd2);
		fd2 = fd;
	}
	ck_assert_int_eq(tu_listen(&l2, AF_INET, 8), 0);
	ck_assert_int_eq(connect(fd2, (struct sockaddr *)&l2.addr, l2.addrlen), 0);
	peer2 = tu_accept(&l2, 2000);
	ck_assert_int_ge(peer2, 0);
	snap_take(fd2, &s);
	EXPECT_ERR(disconnectx(fd2, old, SAE_CONNID_ANY), EINVAL);
	UNCHANGED(fd2, &s);
	assert_peer_open(peer2, 100);
}
END_TEST

START_TEST(test_disconnectx_einval_connid)
{
	struct listener l;
	struct snap s;
	int peer, fd = tcp_connectx(AF_INET, &l, &peer);
	sae_associd_t id = assoc_of(fd);

	snap_take(fd, &s);
	EXPECT_ERR(disconnectx(fd, SAE_ASSOCID_ANY, 2), EINVAL);
	EXPECT_ERR(disconnectx(fd, id, 0xFFFFFFFEu), EINVAL);
	EXPECT_ERR(disconnectx(fd, SAE_ASSOCID_ALL, 0x80000000u), EINVAL);
	UNCHANGED(fd, &s);
	ck_assert_uint_eq(assoc_of(fd), id);
	assert_peer_open(peer, 100);
}
END_TEST

START_TEST(test_disconnectx_einval_before_enotconn)
{
	struct listener l;
	struct snap s;
	int u = tu_socket(AF_INET, SOCK_DGRAM),
	    t = tu_socket(AF_INET6, SOCK_STREAM);

	EXPECT_ERR(disconnectx(u, 7, SAE_CONNID_ANY), EINVAL);
	EXPECT_ERR(disconnectx(u, SAE_ASSOCID_ANY, 9), EINVAL);
	EXPECT_ERR(disconnectx(t, 7, SAE_CONNID_ANY), EINVAL);
	ck_assert(!tu_is_bound(u));
	ck_assert(!tu_is_bound(t));
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	snap_take(l.fd, &s);
	EXPECT_ERR(disconnectx(l.fd, SAE_ASSOCID_ANY, 3), EINVAL);
	UNCHANGED(l.fd, &s);
}
END_TEST

START_TEST(test_disconnectx_accepts_recorded_id_and_connid_1)
{
	struct listener l;
	int peer, fd = tcp_connectx(AF_INET, &l, &peer);

	EXPECT_OK(disconnectx(fd, assoc_of(fd), 1));
	assert_peer_fin(peer);
}
END_TEST

START_TEST(test_disconnectx_accepts_all_all)
{
	struct sockaddr_storage a;
	socklen_t al;
	int r = udp_receiver(AF_INET, &a, &al),
	    fd = tu_socket(AF_INET, SOCK_DGRAM);

	(void)r;
	EXPECT_OK(cx(fd, &a, al));
	EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ALL, SAE_CONNID_ALL));
	ck_assert(!tu_is_connected(fd));
}
END_TEST

/* ---- ENOTCONN -------------------------------------------------------- */

START_TEST(test_disconnectx_enotconn_udp_fresh)
{
	int fd = tu_socket(AF_INET, SOCK_DGRAM),
	    fd6 = tu_socket(AF_INET6, SOCK_DGRAM);

	EXPECT_ERR(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), ENOTCONN);
	EXPECT_ERR(disconnectx(fd6, SAE_ASSOCID_ALL, SAE_CONNID_ALL), ENOTCONN);
	ck_assert(!tu_is_bound(fd));
	ck_assert(!tu_is_bound(fd6));
	ck_assert(!tu_is_connected(fd));
}
END_TEST

START_TEST(test_disconnectx_enotconn_udp_bound)
{
	struct sockaddr_storage a;
	socklen_t al;
	struct snap s;
	int fd = udp_receiver(AF_INET, &a, &al);

	snap_take(fd, &s);
	EXPECT_ERR(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), ENOTCONN);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_disconnectx_enotconn_udp_twice)
{
	struct sockaddr_storage a;
	socklen_t al;
	struct snap s;
	int r = udp_receiver(AF_INET, &a, &al),
	    fd = tu_socket(AF_INET, SOCK_DGRAM);

	(void)r;
	EXPECT_OK(cx(fd, &a, al));
	EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY));
	snap_take(fd, &s);
	EXPECT_ERR(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), ENOTCONN);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_disconnectx_enotconn_tcp_fresh)
{
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    fd6 = tu_socket(AF_INET6, SOCK_STREAM);

	EXPECT_ERR(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), ENOTCONN);
	EXPECT_ERR(disconnectx(fd6, SAE_ASSOCID_ANY, SAE_CONNID_ANY), ENOTCONN);
	ck_assert(!tu_is_bound(fd));
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	ck_assert_int_eq(tu_tcp_state(fd6), TCP_CLOSE);
}
END_TEST

START_TEST(test_disconnectx_enotconn_tcp_fresh_may_connect_after)
{
	struct listener l;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	/* A refused disconnectx does not mark the socket as done. */
	EXPECT_ERR(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), ENOTCONN);
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	EXPECT_OK(cx(fd, &l.addr, l.addrlen));
}
END_TEST

START_TEST(test_disconnectx_enotconn_tcp_listening)
{
	struct listener l;
	struct snap s;

	ck_assert_int_eq(tu_listen(&l, AF_INET6, 8), 0);
	snap_take(l.fd, &s);
	EXPECT_ERR(disconnectx(l.fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), ENOTCONN);
	UNCHANGED(l.fd, &s);
	ck_assert_int_eq(tu_tcp_state(l.fd), TCP_LISTEN);
}
END_TEST

START_TEST(test_disconnectx_enotconn_tcp_refused)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_refused(&d, &dl, AF_INET);
	EXPECT_ERR(cx(fd, &d, dl), ECONNREFUSED);
	EXPECT_ERR(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), ENOTCONN);
}
END_TEST

START_TEST(test_disconnectx_enotconn_tcp_after_abandon)
{
	struct blackhole bh;
	int fd = tu_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);

	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	EXPECT_ERR(cx(fd, &bh.l.addr, bh.l.addrlen), EINPROGRESS);
	EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY));
	EXPECT_ERR(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), ENOTCONN);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	tu_blackhole_close(&bh);
}
END_TEST

/* ---- UDP: dissolve, keep the port, associate again ------------------- */

static void
udp_dissolve_case(int family)
{
	struct sockaddr_storage a, b, from;
	socklen_t al, bl, fl = sizeof(from);
	int ra = udp_receiver(family, &a, &al), rb = udp_receiver(family, &b, &bl);
	int fd = tu_socket(family, SOCK_DGRAM);
	uint16_t port;
	char c;

	(void)ra;
	EXPECT_OK(cx(fd, &a, al));
	port = local_port(fd);			/* bound implicitly */
	ck_assert_uint_ne(port, 0);
	EXPECT_OK(disconnectx(fd, assoc_of(fd), SAE_CONNID_ANY));
	ck_assert(!tu_is_connected(fd));
	ck_assert_uint_eq(local_port(fd), port);
	assert_record_dropped(fd);
	/* connectx works again, from the same port. */
	EXPECT_OK(cx(fd, &b, bl));
	ck_assert(tu_is_connected(fd));
	ck_assert_uint_eq(local_port(fd), port);
	ck_assert_int_eq(send(fd, "y", 1, 0), 1);
	ck_assert_int_eq(recvfrom(rb, &c, 1, 0, (struct sockaddr *)&from, &fl), 1);
	ck_assert_uint_eq(tu_port_of(&from), port);
	assoc_of(fd);
}

START_TEST(test_disconnectx_udp4_dissolve_keeps_port)
{
	udp_dissolve_case(AF_INET);
}
END_TEST

START_TEST(test_disconnectx_udp6_dissolve_keeps_port)
{
	udp_dissolve_case(AF_INET6);
}
END_TEST

START_TEST(test_disconnectx_udp_bound_port0_keeps_port)
{
	struct sockaddr_storage a, l;
	socklen_t al, ll;
	int r = udp_receiver(AF_INET, &a, &al),
	    fd = tu_socket(AF_INET, SOCK_DGRAM);
	uint16_t port;

	/* Bound to 127.0.0.1 with a port the kernel chose: the port is kept. */
	(void)r;
	tu_loopback(&l, &ll, AF_INET, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&l, ll), 0);
	port = local_port(fd);
	EXPECT_OK(cx(fd, &a, al));
	EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY));
	ck_assert(!tu_is_connected(fd));
	ck_assert_uint_eq(local_port(fd), port);
	EXPECT_OK(cx(fd, &a, al));
	ck_assert_uint_eq(local_port(fd), port);
}
END_TEST

START_TEST(test_disconnectx_udp_explicit_bound_keeps_address)
{
	struct sockaddr_storage a, mine;
	socklen_t al, ml;
	struct snap before;
	int r = udp_receiver(AF_INET6, &a, &al);
	int fd = udp_receiver(AF_INET6, &mine, &ml);

	(void)r;
	snap_take(fd, &before);
	EXPECT_OK(cx(fd, &a, al));
	EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY));
	UNCHANGED(fd, &before);		/* ::1:port, unconnected */
}
END_TEST

START_TEST(test_disconnectx_udp_connected_by_connect)
{
	struct sockaddr_storage a;
	socklen_t al;
	int r = udp_receiver(AF_INET, &a, &al),
	    fd = tu_socket(AF_INET, SOCK_DGRAM);
	uint16_t port;

	(void)r;
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, al), 0);
	port = local_port(fd);
	EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY));
	ck_assert(!tu_is_connected(fd));
	ck_assert_uint_eq(local_port(fd), port);
}
END_TEST

/*
 * Another program holds the port on another address (127.0.0.2:P, no
 * SO_REUSEADDR) while ours is associated from 127.0.0.1:P.  disconnectx
 * must keep the port (disconnectx(2): the port is bound again on the
 * wildcard address where it can be, else on the address it had), and the
 * socket associates again from it.
 */
START_TEST(test_disconnectx_udp_port_held_on_another_address_is_kept)
{
	struct sockaddr_storage a, other, from;
	socklen_t al, ol, fl = sizeof(from);
	int ra = udp_receiver(AF_INET, &a, &al),
	    fd = tu_socket(AF_INET, SOCK_DGRAM),
	    o = tu_socket(AF_INET, SOCK_DGRAM);
	uint16_t port;
	char c;

	EXPECT_OK(cx(fd, &a, al));
	port = local_port(fd);
	tu_set_v4(&other, &ol, "127.0.0.2", port);
	ck_assert_int_eq(bind(o, (struct sockaddr *)&other, ol), 0);
	EXPECT_OK(disconnectx(fd, assoc_of(fd), SAE_CONNID_ANY));
	ck_assert(!tu_is_connected(fd));
	ck_assert_uint_eq(local_port(fd), port);
	assert_record_dropped(fd);
	/* The other program's socket keeps its own. */
	ck_assert_uint_eq(local_port(o), port);
	/* Associated again, from the same port. */
	EXPECT_OK(cx(fd, &a, al));
	ck_assert_uint_eq(local_port(fd), port);
	ck_assert_int_eq(send(fd, "y", 1, 0), 1);
	ck_assert_int_eq(recvfrom(ra, &c, 1, 0, (struct sockaddr *)&from, &fl), 1);
	ck_assert_uint_eq(tu_port_of(&from), port);
	close(o);
}
END_TEST

/*
 * Linux's disconnect also drops the socket's interface binding; a socket
 * connectx bound to an interface (sae_srcif) keeps it through
 * disconnectx, as it keeps its port, and leaves through it again.
 */
START_TEST(test_disconnectx_udp_keeps_its_interface)
{
	struct sockaddr_storage a;
	socklen_t al, len;
	sa_endpoints_t ep;
	int ifindex = -1, r = udp_receiver(AF_INET, &a, &al),
	    fd = tu_socket(AF_INET, SOCK_DGRAM);

	memset(&ep, 0, sizeof(ep));
	ep.sae_srcif = if_nametoindex("lo");
	ck_assert_uint_ne(ep.sae_srcif, 0);
	ep.sae_dstaddr = (const struct sockaddr *)&a;
	ep.sae_dstaddrlen = al;
	EXPECT_OK(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL));
	EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY));
	len = sizeof(ifindex);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &ifindex,
	    &len), 0);
	ck_assert_int_eq(ifindex, (int)ep.sae_srcif);
	close(r);
}
END_TEST

/* ---- TCP established: FIN; no connect again; record dropped --------- */

static void
tcp_established_case(int family)
{
	struct listener l;
	int peer, fd = tcp_connectx(family, &l, &peer);

	EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY));
	assert_peer_fin(peer);
	assert_record_dropped(fd);
	wait_tcp_state(fd, TCP_FIN_WAIT2);	/* our FIN acknowledged */
	assert_no_reconnect(fd, family);
}

START_TEST(test_disconnectx_tcp4_established_fin)
{
	tcp_established_case(AF_INET);
}
END_TEST

START_TEST(test_disconnectx_tcp6_established_fin)
{
	tcp_established_case(AF_INET6);
}
END_TEST

START_TEST(test_disconnectx_tcp_established_both_directions)
{
	struct listener l;
	int peer, fd = tcp_connectx(AF_INET, &l, &peer);
	char c;

	EXPECT_OK(disconnectx(fd, assoc_of(fd), SAE_CONNID_ALL));
	assert_peer_fin(peer);
	/* Sending is shut too; reading sees end of stream. */
	EXPECT_ERR((int)send(fd, "z", 1, MSG_NOSIGNAL), EPIPE);
	ck_assert_int_eq(read(fd, &c, 1), 0);
}
END_TEST

START_TEST(test_disconnectx_tcp_connected_by_connect_fin)
{
	struct listener l;
	int peer, fd = tu_socket(AF_INET6, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(&l, AF_INET6, 8), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&l.addr, l.addrlen), 0);
	peer = tu_accept(&l, 2000);
	ck_assert_int_ge(peer, 0);
	EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY));
	assert_peer_fin(peer);
	wait_tcp_state(fd, TCP_FIN_WAIT2);
	assert_no_reconnect(fd, AF_INET6);
}
END_TEST

START_TEST(test_disconnectx_tcp_stale_id_einval_after)
{
	struct listener l;
	int peer, fd = tcp_connectx(AF_INET, &l, &peer);
	sae_associd_t id = assoc_of(fd);

	EXPECT_OK(disconnectx(fd, id, 1));
	/* The record is gone: its ID names nothing now. */
	EXPECT_ERR(disconnectx(fd, id, 1), EINVAL);
}
END_TEST

/* ---- TCP connecting: abandoned; no connect again --------------------- */

START_TEST(test_disconnectx_tcp_connecting_abandoned)
{
	struct blackhole bh;
	int fd = tu_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);

	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	EXPECT_ERR(connect(fd, (struct sockaddr *)&bh.l.addr, bh.l.addrlen),
	    EINPROGRESS);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_SYN_SENT);
	EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY));
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	ck_assert(!tu_is_connected(fd));
	assert_no_reconnect(fd, AF_INET);
	tu_blackhole_close(&bh);
}
END_TEST

static void
tcp_connectx_abandoned_case(int family)
{
	struct blackhole bh;
	sctp_assoc_t id = 0;
	int fd = tu_socket(family, SOCK_STREAM | SOCK_NONBLOCK), wait_ms;

	ck_assert_int_eq(tu_blackhole(&bh, family), 0);
	EXPECT_ERR(cx(fd, &bh.l.addr, bh.l.addrlen), EINPROGRESS);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_SYN_SENT);
	ck_assert_int_eq(cx_getassocid(fd, &id), 0);	/* under way */
	EXPECT_OK(disconnectx(fd, (sae_associd_t)id, 1));
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	ck_assert(!tu_is_connected(fd));
	assert_record_dropped(fd);
	/* Nothing is under way any more. */
	EXPECT_ERR(cx_step(fd, &wait_ms), ENOTCONN);
	assert_no_reconnect(fd, family);
	tu_blackhole_close(&bh);
}

START_TEST(test_disconnectx_tcp4_connectx_in_progress_abandoned)
{
	tcp_connectx_abandoned_case(AF_INET);
}
END_TEST

START_TEST(test_disconnectx_tcp6_connectx_in_progress_abandoned)
{
	tcp_connectx_abandoned_case(AF_INET6);
}
END_TEST

START_TEST(test_disconnectx_tcp_sctp_connectx_in_progress_abandoned)
{
	struct blackhole bh;
	sctp_assoc_t id = 0;
	int fd = tu_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);

	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	EXPECT_ERR(sctp_connectx(fd, (struct sockaddr *)&bh.l.addr, 1, &id),
	    EINPROGRESS);
	ck_assert_int_gt(id, 0);
	EXPECT_OK(disconnectx(fd, (sae_associd_t)id, SAE_CONNID_ANY));
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	assert_record_dropped(fd);
	assert_no_reconnect(fd, AF_INET);
	tu_blackhole_close(&bh);
}
END_TEST

START_TEST(test_disconnectx_tcp_parked_run_between_attempts)
{
	struct listener l;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[64];
	sa_endpoints_t ep;
	sctp_assoc_t id = 0;
	int fd = tu_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK), wait_ms;

	/*
	 * [refused, live], non-blocking: after the refusal the kernel socket
	 * is idle but the run is parked.  disconnectx abandons the run.
	 */
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	tu_refused(&a[0], &al[0], AF_INET);
	a[1] = l.addr;
	al[1] = l.addrlen;
	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, a, al, 2);
	EXPECT_ERR(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL),
	    EINPROGRESS);
	usleep(50000);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	ck_assert_int_eq(cx_getassocid(fd, &id), 0);
	EXPECT_OK(disconnectx(fd, (sae_associd_t)id, SAE_CONNID_ANY));
	assert_record_dropped(fd);
	EXPECT_ERR(cx_step(fd, &wait_ms), ENOTCONN);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	{
		struct pollfd pfd = { .fd = l.fd, .events = POLLIN };

		ck_assert_msg(poll(&pfd, 1, 100) == 0,
		    "the abandoned run connected to the live address");
	}
	assert_no_reconnect(fd, AF_INET);
}
END_TEST

/* ---- suite ----------------------------------------------------------- */

static Suite *
disconnectx_suite(void)
{
	Suite *s = suite_create("disconnectx");
	TCase *tc;

	tc = tcase_create("errors");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_disconnectx_ebadf);
	tcase_add_test(tc, test_disconnectx_enotsock);
	tcase_add_test(tc, test_disconnectx_ebadf_enotsock_before_einval);
	tcase_add_test(tc, test_disconnectx_einval_wrong_associd_tcp);
	tcase_add_test(tc, test_disconnectx_einval_wrong_associd_udp);
	tcase_add_test(tc, test_disconnectx_einval_associd_of_other_socket);
	tcase_add_test(tc, test_disconnectx_einval_associd_none_recorded);
	tcase_add_test(tc, test_disconnectx_einval_associd_of_closed_socket);
	tcase_add_test(tc, test_disconnectx_einval_connid);
	tcase_add_test(tc, test_disconnectx_einval_before_enotconn);
	tcase_add_test(tc, test_disconnectx_accepts_recorded_id_and_connid_1);
	tcase_add_test(tc, test_disconnectx_accepts_all_all);
	tcase_add_test(tc, test_disconnectx_enotconn_udp_fresh);
	tcase_add_test(tc, test_disconnectx_enotconn_udp_bound);
	tcase_add_test(tc, test_disconnectx_enotconn_udp_twice);
	tcase_add_test(tc, test_disconnectx_enotconn_tcp_fresh);
	tcase_add_test(tc, test_disconnectx_enotconn_tcp_fresh_may_connect_after);
	tcase_add_test(tc, test_disconnectx_enotconn_tcp_listening);
	tcase_add_test(tc, test_disconnectx_enotconn_tcp_refused);
	tcase_add_test(tc, test_disconnectx_enotconn_tcp_after_abandon);
	suite_add_tcase(s, tc);

	tc = tcase_create("udp");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_disconnectx_udp4_dissolve_keeps_port);
	tcase_add_test(tc, test_disconnectx_udp6_dissolve_keeps_port);
	tcase_add_test(tc, test_disconnectx_udp_bound_port0_keeps_port);
	tcase_add_test(tc, test_disconnectx_udp_explicit_bound_keeps_address);
	tcase_add_test(tc, test_disconnectx_udp_connected_by_connect);
	tcase_add_test(tc, test_disconnectx_udp_port_held_on_another_address_is_kept);
	tcase_add_test(tc, test_disconnectx_udp_keeps_its_interface);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_disconnectx_tcp4_established_fin);
	tcase_add_test(tc, test_disconnectx_tcp6_established_fin);
	tcase_add_test(tc, test_disconnectx_tcp_established_both_directions);
	tcase_add_test(tc, test_disconnectx_tcp_connected_by_connect_fin);
	tcase_add_test(tc, test_disconnectx_tcp_stale_id_einval_after);
	tcase_add_test(tc, test_disconnectx_tcp_connecting_abandoned);
	tcase_add_test(tc, test_disconnectx_tcp4_connectx_in_progress_abandoned);
	tcase_add_test(tc, test_disconnectx_tcp6_connectx_in_progress_abandoned);
	tcase_add_test(tc, test_disconnectx_tcp_sctp_connectx_in_progress_abandoned);
	tcase_add_test(tc, test_disconnectx_tcp_parked_run_between_attempts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(disconnectx_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
