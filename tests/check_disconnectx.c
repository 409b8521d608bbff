/*
 * disconnectx(2): the entries of its ERRORS (EBADF, ENOTSOCK, EINVAL for a
 * foreign associd or connid, EOPNOTSUPP, ENOTCONN) as rows of a table, each
 * with the socket, its record and its peer left as they were, and its
 * behaviour: UDP dissolves and keeps its local port, then connectx
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
	return tu_bound(family, SOCK_DGRAM, 0, ss, len);
}

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
	struct tu_snap s;

	ck_assert_int_eq(tu_listen(&l, family, 8), 0);
	tu_snap_take(fd, &s);
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

/* ---- the rows ---------------------------------------------------------- */

/*
 * Each row is one disconnectx call on a socket made for it: the socket,
 * associd and connid, the errno wanted and the state to compare
 * afterwards (the socket, its record, its peer).  A failing row's message
 * starts with its name.  Names cite the entries of disconnectx(2) ERRORS,
 * whose checks are made in their order.
 */

/* The socket a row's call is made on: enum tu_sock's (testutil.h), or one of these. */
enum sock {
	S_UDP4_BOUND = S_OWN,	/* bound to loopback, port 0 */
	S_TCP4_CONNECTX,	/* connected by connectx, peer accepted */
	S_UDP6_CONNECTX,	/* associated by connectx to a receiver */
	S_TCP4_CONNECTED,	/* by connect(2): no ID recorded */
	S_TCP4_REUSED,		/* connect(2)ed on the number of a connectx'd
				 * socket just closed */
	S_UDP4_DISCONNECTED,	/* associated by connectx, then disconnectx'd */
	S_TCP4_REFUSED,		/* connectx refused */
	S_TCP4_ABANDONED,	/* non-blocking connectx to a black hole,
				 * then disconnectx'd */
};

static const char *const sock_name[] = {
	"UDP/IPv4 bound", "TCP/IPv4 connected by connectx",
	"UDP/IPv6 associated by connectx", "TCP/IPv4 connected by connect(2)",
	"TCP/IPv4 connected on a reused number",
	"UDP/IPv4 dissolved by disconnectx",
	"TCP/IPv4 refused", "TCP/IPv4 abandoned by disconnectx",
};

/* The associd a row passes. */
enum idkind {
	ID_VALUE = 0,		/* .id as it is (SAE_ASSOCID_ANY: 0) */
	ID_OWN,			/* the socket's recorded ID plus .id */
	ID_OTHER,		/* the ID of another socket's association */
	ID_OLD,			/* the ID its number's previous socket had */
};

/* The record after the call. */
enum record { REC_ANY = 0, REC_KEPT, REC_NONE };

struct row {
	const char	*name;
	int		sock;		/* enum tu_sock or enum sock */
	enum idkind	idkind;
	sae_associd_t	id;
	sae_connid_t	connid;
	int		want;		/* errno */
	enum tu_after	after;
	int		tcp_state;	/* 0: not compared */
	enum record	record;		/* the association's ID, as it was */
	bool		peer_open;	/* the peer saw no FIN */
};

#define ALL		.id = SAE_ASSOCID_ALL
#define CONNID(n)	.connid = (n)
#define OWN(k)		.idkind = ID_OWN, .id = (k)

static const struct row rows[] = {
	/* EBADF */
	{ "EBADF: descriptor -1", S_NEG, .want = EBADF },
	{ "EBADF: closed descriptor", S_CLOSED, .want = EBADF },
	{ "EBADF before EINVAL (foreign associd and connid)", S_NEG,
	  .id = 12345, CONNID(7), .want = EBADF },
	/* ENOTSOCK */
	{ "ENOTSOCK: pipe", S_PIPE_R, .want = ENOTSOCK },
	{ "ENOTSOCK: pipe, ALL/ALL", S_PIPE_W, ALL, CONNID(SAE_CONNID_ALL),
	  .want = ENOTSOCK },
	{ "ENOTSOCK before EINVAL (foreign associd and connid)", S_PIPE_R,
	  .id = 12345, CONNID(7), .want = ENOTSOCK },
	/* EINVAL: associd */
	{ "EINVAL: associd the recorded ID + 1 (TCP)", S_TCP4_CONNECTX, OWN(1),
	  .want = EINVAL, .after = AFTER_UNCHANGED, .record = REC_KEPT,
	  .peer_open = true },
	{ "EINVAL: associd SAE_ASSOCID_ALL - 1 (TCP)", S_TCP4_CONNECTX,
	  .id = SAE_ASSOCID_ALL - 1, .want = EINVAL, .after = AFTER_UNCHANGED,
	  .record = REC_KEPT, .peer_open = true },
	{ "EINVAL: associd the recorded ID + 1 (UDP)", S_UDP6_CONNECTX, OWN(1),
	  .want = EINVAL, .after = AFTER_UNCHANGED, .record = REC_KEPT },
	{ "EINVAL: associd of another socket's association", S_TCP4_CONNECTX,
	  .idkind = ID_OTHER, .want = EINVAL, .after = AFTER_UNCHANGED,
	  .record = REC_KEPT, .peer_open = true },
	{ "EINVAL: associd 1, none recorded (connected by connect(2))",
	  S_TCP4_CONNECTED, .id = 1, .want = EINVAL, .after = AFTER_UNCHANGED,
	  .record = REC_NONE, .peer_open = true },
	{ "EINVAL: associd of the closed socket whose number this one has",
	  S_TCP4_REUSED, .idkind = ID_OLD, .want = EINVAL,
	  .after = AFTER_UNCHANGED, .record = REC_NONE, .peer_open = true },
	/* EINVAL: connid */
	{ "EINVAL: connid 2", S_TCP4_CONNECTX, CONNID(2), .want = EINVAL,
	  .after = AFTER_UNCHANGED, .record = REC_KEPT, .peer_open = true },
	{ "EINVAL: connid 0xFFFFFFFE with the recorded ID", S_TCP4_CONNECTX,
	  OWN(0), CONNID(0xFFFFFFFEu), .want = EINVAL,
	  .after = AFTER_UNCHANGED, .record = REC_KEPT, .peer_open = true },
	{ "EINVAL: connid 0x80000000 with SAE_ASSOCID_ALL", S_TCP4_CONNECTX,
	  ALL, CONNID(0x80000000u), .want = EINVAL, .after = AFTER_UNCHANGED,
	  .record = REC_KEPT, .peer_open = true },
	/* EINVAL before the rest */
	{ "EINVAL before ENOTCONN: associd 7 (fresh UDP)", S_UDP4, .id = 7,
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL before ENOTCONN: connid 9 (fresh UDP)", S_UDP4, CONNID(9),
	  .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL before ENOTCONN: associd 7 (fresh TCP/IPv6)", S_TCP6,
	  .id = 7, .want = EINVAL, .after = AFTER_PRISTINE },
	{ "EINVAL before ENOTCONN: connid 3 (listening)", S_TCP4_LISTENING,
	  CONNID(3), .want = EINVAL, .after = AFTER_UNCHANGED,
	  .tcp_state = TCP_LISTEN },
	{ "EINVAL before EOPNOTSUPP: associd 7 (AF_UNIX)", S_UNIX_STREAM,
	  .id = 7, .want = EINVAL, .after = AFTER_UNCHANGED },
	/* EOPNOTSUPP */
	{ "EOPNOTSUPP: AF_UNIX stream socket", S_UNIX_STREAM,
	  .want = EOPNOTSUPP, .after = AFTER_UNCHANGED },
	/* ENOTCONN */
	{ "ENOTCONN: fresh UDP/IPv4", S_UDP4, .want = ENOTCONN,
	  .after = AFTER_PRISTINE },
	{ "ENOTCONN: fresh UDP/IPv6, ALL/ALL", S_UDP6, ALL,
	  CONNID(SAE_CONNID_ALL), .want = ENOTCONN, .after = AFTER_PRISTINE },
	{ "ENOTCONN: UDP bound, no peer", S_UDP4_BOUND, .want = ENOTCONN,
	  .after = AFTER_UNCHANGED },
	{ "ENOTCONN: UDP dissolved already", S_UDP4_DISCONNECTED,
	  .want = ENOTCONN, .after = AFTER_UNCHANGED, .record = REC_NONE },
	{ "ENOTCONN: fresh TCP/IPv4", S_TCP4, .want = ENOTCONN,
	  .after = AFTER_PRISTINE, .tcp_state = TCP_CLOSE },
	{ "ENOTCONN: fresh TCP/IPv6", S_TCP6, .want = ENOTCONN,
	  .after = AFTER_PRISTINE, .tcp_state = TCP_CLOSE },
	{ "ENOTCONN: TCP listening", S_TCP6_LISTENING, .want = ENOTCONN,
	  .after = AFTER_UNCHANGED, .tcp_state = TCP_LISTEN },
	{ "ENOTCONN: TCP refused", S_TCP4_REFUSED, .want = ENOTCONN,
	  .after = AFTER_UNCHANGED, .tcp_state = TCP_CLOSE },
	{ "ENOTCONN: TCP run abandoned already", S_TCP4_ABANDONED,
	  .want = ENOTCONN, .after = AFTER_UNCHANGED, .tcp_state = TCP_CLOSE,
	  .record = REC_NONE },
};

/* What a row set up: listeners, a black hole, the peers of its sockets. */
struct bench {
	struct listener		own, other;
	struct blackhole	bh;
	bool			have_bh;
	int			peer, other_fd, other_peer, receiver;
	sae_associd_t		old_id;		/* S_TCP4_REUSED */
};

/* The row's socket; -2: the row is skipped (said why). */
static int
make_sock(struct bench *b, const struct row *r)
{
	struct sockaddr_storage a;
	socklen_t al;
	int fd, fd2;

	if (r->sock < S_OWN)
		return tu_sock_make(r->sock, r->name, &b->own);
	switch ((enum sock)r->sock) {
	case S_UDP4_BOUND:	return udp_receiver(AF_INET, &a, &al);
	case S_TCP4_CONNECTX:
		return tu_tcp_connected(AF_INET, &b->own, &b->peer, true);
	case S_UDP6_CONNECTX:
	case S_UDP4_DISCONNECTED:
		b->receiver = udp_receiver(r->sock == S_UDP6_CONNECTX ?
		    AF_INET6 : AF_INET, &a, &al);
		fd = tu_socket(a.ss_family, SOCK_DGRAM);
		EXPECT_OK(cx(fd, &a, al));
		if (r->sock == S_UDP4_DISCONNECTED)
			EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY,
			    SAE_CONNID_ANY));
		return fd;
	case S_TCP4_CONNECTED:
	case S_TCP4_REUSED:
		if (r->sock == S_TCP4_REUSED) {
			struct listener l;
			int peer;

			fd = tu_tcp_connected(AF_INET, &l, &peer, true);
			b->old_id = assoc_of(fd);
			close(fd);
			close(peer);
			close(l.fd);
			/* The number is reused by a new socket. */
			fd2 = tu_socket(AF_INET, SOCK_STREAM);
			if (fd2 != fd) {
				ck_assert_int_eq(dup3(fd2, fd, O_CLOEXEC), fd);
				close(fd2);
			}
		} else
			fd = tu_socket(AF_INET, SOCK_STREAM);
		ck_assert_int_eq(tu_listen(&b->own, AF_INET, 8), 0);
		ck_assert_int_eq(connect(fd, (struct sockaddr *)&b->own.addr,
		    b->own.addrlen), 0);
		b->peer = tu_accept(&b->own, 2000);
		ck_assert_int_ge(b->peer, 0);
		return fd;
	case S_TCP4_REFUSED:
		fd = tu_socket(AF_INET, SOCK_STREAM);
		tu_refused(&a, &al, AF_INET);
		EXPECT_ERR(cx(fd, &a, al), ECONNREFUSED);
		return fd;
	case S_TCP4_ABANDONED:
		fd = tu_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
		ck_assert_int_eq(tu_blackhole(&b->bh, AF_INET), 0);
		b->have_bh = true;
		EXPECT_ERR(cx(fd, &b->bh.l.addr, b->bh.l.addrlen), EINPROGRESS);
		EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY));
		return fd;
	}
	ck_abort_msg("%s: no such socket kind %d", r->name, (int)r->sock);
	return -1;
}

/* The row's associd. */
static sae_associd_t
make_id(struct bench *b, const struct row *r, int fd)
{
	switch (r->idkind) {
	case ID_VALUE:
		return r->id;
	case ID_OWN:
		return assoc_of(fd) + r->id;
	case ID_OTHER:
		b->other_fd = tu_tcp_connected(AF_INET6, &b->other,
		    &b->other_peer, true);
		return assoc_of(b->other_fd);
	case ID_OLD:
		return b->old_id;
	}
	ck_abort_msg("%s: no such associd kind %d", r->name, (int)r->idkind);
	return 0;
}

START_TEST(test_disconnectx_error_row)
{
	const struct row *r = &rows[_i];
	struct bench b = { .peer = -1, .other_fd = -1, .other_peer = -1,
	    .receiver = -1 };
	struct tu_snap before;
	sctp_assoc_t rec_before = 0, rec_after = 0;
	sae_associd_t id;
	int fd, ret, err;

	if ((fd = make_sock(&b, r)) == -2)
		return;
	id = make_id(&b, r, fd);
	if (r->record == REC_KEPT)
		ck_assert_msg(cx_getassocid(fd, &rec_before) == 0,
		    "%s: no association before the call: %s", r->name,
		    strerror(errno));
	tu_snap_take(fd, &before);
	errno = 0;
	ret = disconnectx(fd, id, r->connid);
	err = errno;

	tu_row_errno(r->name, tu_sock_name(r->sock, sock_name), ret, err, r->want);
	tu_row_after(r->name, fd, r->after, &before, r->tcp_state);
	switch (r->record) {
	case REC_ANY:
		break;
	case REC_KEPT:
		ck_assert_msg(cx_getassocid(fd, &rec_after) == 0 &&
		    rec_after == rec_before, "%s: record not kept: ID %d, "
		    "was %d (%s)", r->name, (int)rec_after, (int)rec_before,
		    strerror(errno));
		break;
	case REC_NONE:
		errno = 0;
		ck_assert_msg(cx_getassocid(fd, &rec_after) == -1 &&
		    errno == ENOTCONN, "%s: a record is left: ID %d, errno %d "
		    "(%s)", r->name, (int)rec_after, errno, strerror(errno));
		break;
	}
	if (r->peer_open)
		assert_peer_open(b.peer, 100);
	if (b.have_bh)
		tu_blackhole_close(&b.bh);
}
END_TEST

/* ---- calls that succeed, and what a refusal leaves possible ------------- */

START_TEST(test_disconnectx_accepts_recorded_id_and_connid_1)
{
	struct listener l;
	int peer, fd = tu_tcp_connected(AF_INET, &l, &peer, true);

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
	port = tu_local_port(fd);			/* bound implicitly */
	ck_assert_uint_ne(port, 0);
	EXPECT_OK(disconnectx(fd, assoc_of(fd), SAE_CONNID_ANY));
	ck_assert(!tu_is_connected(fd));
	ck_assert_uint_eq(tu_local_port(fd), port);
	assert_record_dropped(fd);
	/* connectx works again, from the same port. */
	EXPECT_OK(cx(fd, &b, bl));
	ck_assert(tu_is_connected(fd));
	ck_assert_uint_eq(tu_local_port(fd), port);
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
	port = tu_local_port(fd);
	EXPECT_OK(cx(fd, &a, al));
	EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY));
	ck_assert(!tu_is_connected(fd));
	ck_assert_uint_eq(tu_local_port(fd), port);
	EXPECT_OK(cx(fd, &a, al));
	ck_assert_uint_eq(tu_local_port(fd), port);
}
END_TEST

START_TEST(test_disconnectx_udp_explicit_bound_keeps_address)
{
	struct sockaddr_storage a, mine;
	socklen_t al, ml;
	struct tu_snap before;
	int r = udp_receiver(AF_INET6, &a, &al);
	int fd = udp_receiver(AF_INET6, &mine, &ml);

	(void)r;
	tu_snap_take(fd, &before);
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
	port = tu_local_port(fd);
	EXPECT_OK(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY));
	ck_assert(!tu_is_connected(fd));
	ck_assert_uint_eq(tu_local_port(fd), port);
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
	port = tu_local_port(fd);
	tu_set_v4(&other, &ol, "127.0.0.2", port);
	ck_assert_int_eq(bind(o, (struct sockaddr *)&other, ol), 0);
	EXPECT_OK(disconnectx(fd, assoc_of(fd), SAE_CONNID_ANY));
	ck_assert(!tu_is_connected(fd));
	ck_assert_uint_eq(tu_local_port(fd), port);
	assert_record_dropped(fd);
	/* The other program's socket keeps its own. */
	ck_assert_uint_eq(tu_local_port(o), port);
	/* Associated again, from the same port. */
	EXPECT_OK(cx(fd, &a, al));
	ck_assert_uint_eq(tu_local_port(fd), port);
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
	int peer, fd = tu_tcp_connected(family, &l, &peer, true);

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
	int peer, fd = tu_tcp_connected(AF_INET, &l, &peer, true);
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
	int peer, fd = tu_tcp_connected(AF_INET, &l, &peer, true);
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

	tc = tcase_create("rows");
	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, test_disconnectx_error_row, 0,
	    (int)(sizeof(rows) / sizeof(rows[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("calls");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_disconnectx_accepts_recorded_id_and_connid_1);
	tcase_add_test(tc, test_disconnectx_accepts_all_all);
	tcase_add_test(tc, test_disconnectx_enotconn_tcp_fresh_may_connect_after);
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
