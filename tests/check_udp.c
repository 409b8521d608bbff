/*
 * connectx(2) and disconnectx(2) on UDP sockets (connectx(2), UDP):
 * associate at once, re-associate, data as one datagram, EMSGSIZE leaving
 * the socket as it was, disconnectx keeping the local port.  Loopback only.
 */
#include <config.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <check.h>

#include "connectx.h"
#include "testutil.h"

#define BIG	70000	/* over the largest UDP datagram (65507 on IPv4) */

static char big[BIG];

/* A UDP socket bound to loopback, to receive what the client sends. */
struct peer {
	int			fd;
	struct sockaddr_storage	addr;
	socklen_t		addrlen;
};

static void
make_peer(struct peer *p, int family)
{
	p->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(p->fd, 0);
	tu_loopback(&p->addr, &p->addrlen, family, 0);
	ck_assert_int_eq(bind(p->fd, (struct sockaddr *)&p->addr, p->addrlen), 0);
	ck_assert_int_eq(getsockname(p->fd, (struct sockaddr *)&p->addr,
	    &p->addrlen), 0);
}

static int
udp_socket(int family, int extra)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | extra, 0);

	ck_assert_int_ge(fd, 0);
	return fd;
}

/* Next datagram at p within ms, its length, or -1 when none came. */
static ssize_t
recv_within(const struct peer *p, void *buf, size_t len, int ms)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	return recv(p->fd, buf, len, MSG_DONTWAIT);
}

static void
assert_nothing_arrives(const struct peer *p)
{
	char buf[16];

	ck_assert_msg(recv_within(p, buf, sizeof(buf), 100) == -1,
	    "unexpected datagram at the peer");
}

static int
connectx_data(int fd, const struct sockaddr_storage *dst, socklen_t dstlen,
    const struct iovec *iov, unsigned int iovcnt, size_t *len,
    sae_connid_t *cid)
{
	sa_endpoints_t ep;

	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (const struct sockaddr *)dst;
	ep.sae_dstaddrlen = dstlen;
	return connectx(fd, &ep, SAE_ASSOCID_ANY, 0, iov, iovcnt, len, cid);
}

static int
connectx_peer(int fd, const struct peer *p)
{
	return connectx_data(fd, &p->addr, p->addrlen, NULL, 0, NULL, NULL);
}

static void
assert_peer_is(int fd, const struct peer *p)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&ss, &len), 0);
	ck_assert_uint_eq(len, p->addrlen);
	ck_assert_mem_eq(&ss, &p->addr, len);
}

static in_port_t
local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* A datagram sent with send(2) reaches p (and p only). */
static void
assert_send_reaches(int fd, const struct peer *p, const char *msg)
{
	char buf[64];
	ssize_t n;

	ck_assert_int_eq(send(fd, msg, strlen(msg), 0), (ssize_t)strlen(msg));
	n = recv_within(p, buf, sizeof(buf), 1000);
	ck_assert_int_eq(n, (ssize_t)strlen(msg));
	ck_assert_mem_eq(buf, msg, strlen(msg));
}

/* The next datagram fd receives within a second: its length and source. */
static ssize_t
recv_from_within(int fd, char *buf, size_t len, struct sockaddr_storage *from)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	socklen_t fl = sizeof(*from);

	if (poll(&pfd, 1, 1000) != 1)
		return -1;
	return recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)from, &fl);
}

/* Send msg from p to fd and wait until fd has it queued. */
static void
queue_from(const struct peer *p, int fd, const char *msg)
{
	struct sockaddr_storage me;
	socklen_t ml = sizeof(me);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&me, &ml), 0);
	ck_assert_int_eq(sendto(p->fd, msg, strlen(msg), 0,
	    (struct sockaddr *)&me, ml), (ssize_t)strlen(msg));
	ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
}

/*
 * A client associated with A re-associates with B while A's answer is
 * still queued; later, dissolved, a stray datagram from C is queued before
 * it associates with B again.  What it reads after each connectx is B's:
 * an associated socket receives from its peer only (connectx(2), UDP).
 */
START_TEST(test_udp_reassociation_drops_what_the_old_peer_left_queued)
{
	struct sockaddr_storage from;
	struct peer a, b, c;
	char buf[16];
	int fd;

	make_peer(&a, AF_INET);
	make_peer(&b, AF_INET);
	make_peer(&c, AF_INET);
	fd = udp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_peer(fd, &a), 0);
	queue_from(&a, fd, "from a");
	ck_assert_int_eq(connectx_peer(fd, &b), 0);
	queue_from(&b, fd, "from b");
	ck_assert_int_eq(recv_from_within(fd, buf, sizeof(buf), &from), 6);
	ck_assert_mem_eq(buf, "from b", 6);
	ck_assert_mem_eq(&from, &b.addr, b.addrlen);

	ck_assert_int_eq(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), 0);
	queue_from(&c, fd, "from c");
	ck_assert_int_eq(connectx_peer(fd, &b), 0);
	queue_from(&b, fd, "b again");
	ck_assert_int_eq(recv_from_within(fd, buf, sizeof(buf), &from), 7);
	ck_assert_mem_eq(buf, "b again", 7);
	ck_assert_mem_eq(&from, &b.addr, b.addrlen);
	close(fd);
	close(a.fd);
	close(b.fd);
	close(c.fd);
}
END_TEST

/*
 * Dissolved, the socket got a datagram from B before it associated with
 * B: that one is B's and is kept.
 */
START_TEST(test_udp_association_keeps_what_the_new_peer_sent_first)
{
	struct sockaddr_storage from;
	struct peer a, b;
	char buf[16];
	int fd;

	make_peer(&a, AF_INET);
	make_peer(&b, AF_INET);
	fd = udp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_peer(fd, &a), 0);
	ck_assert_int_eq(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), 0);
	queue_from(&b, fd, "early b");
	ck_assert_int_eq(connectx_peer(fd, &b), 0);
	ck_assert_int_eq(recv_from_within(fd, buf, sizeof(buf), &from), 7);
	ck_assert_mem_eq(buf, "early b", 7);
	ck_assert_mem_eq(&from, &b.addr, b.addrlen);
	close(fd);
	close(a.fd);
	close(b.fd);
}
END_TEST

/*
 * A dual-stack client associated with A over IPv6 is asked to send 65520
 * bytes to an IPv4 peer B written IPv4-mapped: over IPv6's limit of 65527
 * it is not, over IPv4's 65507 it is.  EMSGSIZE before anything is done
 * (connectx(2), UDP): still associated with A, A's answer still queued,
 * nothing at B.
 */
START_TEST(test_udp_oversized_for_a_mapped_peer_fails_before_anything)
{
	struct sockaddr_storage mapped, from;
	struct sockaddr_in6 *m6 = (struct sockaddr_in6 *)&mapped;
	struct peer a, b;
	struct iovec iov;
	size_t len = 999;
	char buf[16];
	int fd, off = 0;

	make_peer(&a, AF_INET6);
	make_peer(&b, AF_INET);
	memset(&mapped, 0, sizeof(mapped));
	m6->sin6_family = AF_INET6;
	m6->sin6_port = ((struct sockaddr_in *)&b.addr)->sin_port;
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:127.0.0.1", &m6->sin6_addr), 1);
	fd = udp_socket(AF_INET6, 0);
	ck_assert_int_eq(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof(off)), 0);
	ck_assert_int_eq(connectx_peer(fd, &a), 0);
	queue_from(&a, fd, "from a");
	iov.iov_base = big;
	iov.iov_len = 65520;
	errno = 0;
	ck_assert_int_eq(connectx_data(fd, &mapped, sizeof(*m6), &iov, 1, &len,
	    NULL), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_uint_eq(len, 0);
	assert_peer_is(fd, &a);
	ck_assert_int_eq(recv_from_within(fd, buf, sizeof(buf), &from), 6);
	ck_assert_mem_eq(buf, "from a", 6);
	assert_nothing_arrives(&b);
	close(fd);
	close(a.fd);
	close(b.fd);
}
END_TEST

START_TEST(test_udp_connectx_associates_with_the_address)
{
	struct peer a;
	sae_connid_t cid = 77;
	size_t len = 77;
	cx_sctp_assoc_t id;
	int fd;

	make_peer(&a, AF_INET);
	fd = udp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_data(fd, &a.addr, a.addrlen, NULL, 0, &len, &cid), 0);
	ck_assert_uint_eq(cid, 1);
	ck_assert_uint_eq(len, 0);
	assert_peer_is(fd, &a);
	ck_assert_int_eq(cx_getassocid(fd, &id), 0);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(cx_getpeerindex(fd, id), 0);
	assert_send_reaches(fd, &a, "ping");
	close(fd);
	close(a.fd);
}
END_TEST

START_TEST(test_udp_connectx_reassociates_to_another_peer)
{
	struct peer a, b;
	cx_sctp_assoc_t ida, idb;
	int fd;

	make_peer(&a, AF_INET);
	make_peer(&b, AF_INET);
	fd = udp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_peer(fd, &a), 0);
	ck_assert_int_eq(cx_getassocid(fd, &ida), 0);
	ck_assert_int_eq(connectx_peer(fd, &b), 0);
	assert_peer_is(fd, &b);
	ck_assert_int_eq(cx_getassocid(fd, &idb), 0);
	ck_assert_int_gt(idb, 0);
	ck_assert_int_ne(idb, ida);
	assert_send_reaches(fd, &b, "to b");
	assert_nothing_arrives(&a);
	close(fd);
	close(a.fd);
	close(b.fd);
}
END_TEST

START_TEST(test_udp_data_goes_out_as_exactly_one_datagram)
{
	struct peer a;
	struct iovec iov[3];
	char buf[256];
	size_t len = 999;
	sae_connid_t cid = 0;
	ssize_t n;
	int fd;

	make_peer(&a, AF_INET);
	iov[0].iov_base = (void *)"hello";
	iov[0].iov_len = 5;
	iov[1].iov_base = (void *)", ";
	iov[1].iov_len = 2;
	iov[2].iov_base = (void *)"datagram";
	iov[2].iov_len = 8;
	fd = udp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_data(fd, &a.addr, a.addrlen, iov, 3, &len, &cid), 0);
	ck_assert_uint_eq(len, 15);
	ck_assert_uint_eq(cid, 1);
	n = recv_within(&a, buf, sizeof(buf), 1000);
	ck_assert_int_eq(n, 15);
	ck_assert_mem_eq(buf, "hello, datagram", 15);
	/* Just the one. */
	assert_nothing_arrives(&a);
	close(fd);
	close(a.fd);
}
END_TEST

START_TEST(test_udp_oversized_datagram_fails_emsgsize_and_leaves_fresh_socket_unbound)
{
	struct peer a;
	struct iovec iov;
	size_t len = 999;
	sae_connid_t cid = 99;
	int fd;

	make_peer(&a, AF_INET);
	iov.iov_base = big;
	iov.iov_len = BIG;
	fd = udp_socket(AF_INET, 0);
	ck_assert(!tu_is_bound(fd));
	errno = 0;
	ck_assert_int_eq(connectx_data(fd, &a.addr, a.addrlen, &iov, 1, &len, &cid), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(cid, 0);
	ck_assert(!tu_is_connected(fd));
	ck_assert_msg(!tu_is_bound(fd), "socket left bound (port %u)", local_port(fd));
	assert_nothing_arrives(&a);
	/* It associates normally afterwards. */
	ck_assert_int_eq(connectx_peer(fd, &a), 0);
	assert_send_reaches(fd, &a, "after");
	close(fd);
	close(a.fd);
}
END_TEST

START_TEST(test_udp_oversized_datagram_fails_emsgsize_and_keeps_previous_peer_and_port)
{
	struct peer a, b;
	struct iovec iov;
	size_t len = 999;
	in_port_t port;
	int fd;

	make_peer(&a, AF_INET);
	make_peer(&b, AF_INET);
	iov.iov_base = big;
	iov.iov_len = BIG;
	fd = udp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_peer(fd, &a), 0);
	port = local_port(fd);
	ck_assert_uint_ne(port, 0);

	errno = 0;
	ck_assert_int_eq(connectx_data(fd, &b.addr, b.addrlen, &iov, 1, &len, NULL), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_uint_eq(len, 0);
	assert_peer_is(fd, &a);
	ck_assert_uint_eq(local_port(fd), port);
	assert_send_reaches(fd, &a, "still a");
	assert_nothing_arrives(&b);
	close(fd);
	close(a.fd);
	close(b.fd);
}
END_TEST

START_TEST(test_udp_oversized_datagram_keeps_previous_association_record)
{
	struct peer a, b;
	struct iovec iov;
	cx_sctp_assoc_t ida, now = 0;
	size_t len;
	int fd;

	make_peer(&a, AF_INET);
	make_peer(&b, AF_INET);
	iov.iov_base = big;
	iov.iov_len = BIG;
	fd = udp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_peer(fd, &a), 0);
	ck_assert_int_eq(cx_getassocid(fd, &ida), 0);
	errno = 0;
	ck_assert_int_eq(connectx_data(fd, &b.addr, b.addrlen, &iov, 1, &len, NULL), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	/* Still associated with a, as before the call: its ID still holds. */
	ck_assert_msg(cx_getassocid(fd, &now) == 0 && now == ida,
	    "association with a lost: cx_getassocid gives %d (%s), was %d",
	    now, strerror(errno), ida);
	ck_assert_int_eq(disconnectx(fd, (sae_associd_t)ida, SAE_CONNID_ANY), 0);
	ck_assert(!tu_is_connected(fd));
	close(fd);
	close(a.fd);
	close(b.fd);
}
END_TEST

/*
 * A send that the kernel refuses after the new peer is set: in a network
 * namespace of the test's own, lo's MTU is 1500 and the socket forbids
 * fragments (IP_PMTUDISC_DO), so a 2000-byte datagram passes the size
 * check (connectx(2), UDP: 65507) and then fails EMSGSIZE in sendmsg(2).
 * The socket is put back with its old peer and its record keeps the old
 * association (connectx(2), UDP; HACKING.md, "failed re-association of a
 * UDP socket").  The namespace is entered by a child process, so that the
 * rest of the suite keeps its own, also when Check does not fork.
 */
static const char *
send_refused_after_reassociation(void)
{
	struct peer a, b;
	struct iovec iov = { big, 2000 };
	cx_sctp_assoc_t ida = 0, now = 0;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char buf[16];
	size_t len = 999;
	int fd, dont = IP_PMTUDISC_DO;

	if (unshare(CLONE_NEWNET) != 0 ||
	    system("ip link set lo up mtu 1500") != 0)
		return "no network namespace of the test's own";
	make_peer(&a, AF_INET);
	make_peer(&b, AF_INET);
	fd = udp_socket(AF_INET, 0);
	if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof(dont)) != 0 ||
	    connectx_peer(fd, &a) != 0 || cx_getassocid(fd, &ida) != 0)
		return "setting up the association with a";
	errno = 0;
	if (connectx_data(fd, &b.addr, b.addrlen, &iov, 1, &len, NULL) != -1 ||
	    errno != EMSGSIZE)
		return "connectx with 2000 bytes over an MTU of 1500: not EMSGSIZE";
	if (len != 0)
		return "*len not 0 after the failed send";
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0 || sl != a.addrlen ||
	    memcmp(&ss, &a.addr, sl) != 0)
		return "the old peer was not put back";
	if (cx_getassocid(fd, &now) != 0 || now != ida)
		return "the record lost the old association";
	if (send(fd, "still a", 7, 0) != 7 || recv_within(&a, buf, sizeof(buf), 1000) != 7)
		return "a send after the failed call does not reach a";
	if (recv_within(&b, buf, sizeof(buf), 100) != -1)
		return "b received a datagram";
	return NULL;
}

START_TEST(test_udp_send_refused_after_reassociation_puts_the_old_peer_back)
{
	char msg[128] = "";
	int pfd[2], st;
	pid_t pid;
	ssize_t n;

	if (geteuid() != 0) {
		printf("SKIP: %s needs root (a network namespace)\n", __func__);
		return;
	}
	ck_assert_int_eq(pipe(pfd), 0);
	if ((pid = fork()) == 0) {
		const char *why = send_refused_after_reassociation();

		if (why != NULL)
			(void)!write(pfd[1], why, strlen(why));
		_exit(why != NULL);
	}
	close(pfd[1]);
	n = read(pfd[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", msg);
}
END_TEST

START_TEST(test_udp_disconnectx_dissolves_and_keeps_the_local_port)
{
	struct peer a, b;
	struct sockaddr_storage lo;
	socklen_t lolen;
	cx_sctp_assoc_t id;
	in_port_t port;
	int fd, explicit;

	make_peer(&a, AF_INET);
	make_peer(&b, AF_INET);
	for (explicit = 0; explicit < 2; explicit++) {
		fd = udp_socket(AF_INET, 0);
		if (explicit) {
			tu_loopback(&lo, &lolen, AF_INET, 0);
			ck_assert_int_eq(bind(fd, (struct sockaddr *)&lo, lolen), 0);
		}
		ck_assert_int_eq(connectx_peer(fd, &a), 0);
		port = local_port(fd);
		ck_assert_uint_ne(port, 0);
		ck_assert_int_eq(cx_getassocid(fd, &id), 0);

		ck_assert_int_eq(disconnectx(fd, (sae_associd_t)id, SAE_CONNID_ANY), 0);
		ck_assert(!tu_is_connected(fd));
		ck_assert_msg(local_port(fd) == port, "%s port %u became %u",
		    explicit ? "bound" : "implicit", port, local_port(fd));
		/* The record is dropped. */
		errno = 0;
		ck_assert_int_eq(cx_getassocid(fd, &id), -1);
		ck_assert_int_eq(errno, ENOTCONN);
		/* connectx may be called again. */
		ck_assert_int_eq(connectx_peer(fd, &b), 0);
		assert_peer_is(fd, &b);
		assert_send_reaches(fd, &b, "again");
		close(fd);
	}
	close(a.fd);
	close(b.fd);
}
END_TEST

START_TEST(test_udp_disconnectx_on_unassociated_socket_fails_enotconn)
{
	struct peer a;
	int fd;

	fd = udp_socket(AF_INET, 0);
	errno = 0;
	ck_assert_int_eq(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	errno = 0;
	ck_assert_int_eq(disconnectx(fd, SAE_ASSOCID_ALL, SAE_CONNID_ALL), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	/* Nor twice. */
	make_peer(&a, AF_INET);
	ck_assert_int_eq(connectx_peer(fd, &a), 0);
	ck_assert_int_eq(disconnectx(fd, SAE_ASSOCID_ALL, SAE_CONNID_ALL), 0);
	errno = 0;
	ck_assert_int_eq(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	close(fd);
	close(a.fd);
}
END_TEST

START_TEST(test_udp_ipv6_associates_and_sends_one_datagram)
{
	struct peer a;
	struct iovec iov = { .iov_base = (void *)"six", .iov_len = 3 };
	char buf[16];
	size_t len = 0;
	in_port_t port;
	int fd;

	make_peer(&a, AF_INET6);
	fd = udp_socket(AF_INET6, 0);
	ck_assert_int_eq(connectx_data(fd, &a.addr, a.addrlen, &iov, 1, &len, NULL), 0);
	ck_assert_uint_eq(len, 3);
	assert_peer_is(fd, &a);
	ck_assert_int_eq(recv_within(&a, buf, sizeof(buf), 1000), 3);
	ck_assert_mem_eq(buf, "six", 3);
	port = local_port(fd);
	ck_assert_int_eq(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), 0);
	ck_assert(!tu_is_connected(fd));
	ck_assert_uint_eq(local_port(fd), port);
	close(fd);
	close(a.fd);
}
END_TEST

START_TEST(test_udp_nonblocking_socket_associates_at_once)
{
	struct peer a;
	int fd;

	make_peer(&a, AF_INET);
	fd = udp_socket(AF_INET, SOCK_NONBLOCK);
	ck_assert_int_eq(connectx_peer(fd, &a), 0);
	assert_peer_is(fd, &a);
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	/* Nothing left under way for cx_step. */
	ck_assert_int_eq(cx_step(fd, NULL), 0);
	close(fd);
	close(a.fd);
}
END_TEST

START_TEST(test_udp_list_associates_the_first_routable_address)
{
	struct peer a, b;
	struct sockaddr_storage v[2];
	socklen_t l[2];
	unsigned char buf[2 * sizeof(struct sockaddr_storage)];
	sa_endpoints_t ep;
	int fd;

	make_peer(&a, AF_INET);
	make_peer(&b, AF_INET);
	v[0] = a.addr;
	l[0] = a.addrlen;
	v[1] = b.addr;
	l[1] = b.addrlen;
	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (const struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, v, l, 2);
	fd = udp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL), 0);
	assert_peer_is(fd, &a);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 0);
	close(fd);
	close(a.fd);
	close(b.fd);
}
END_TEST

START_TEST(test_udp_sctp_connectx_sets_id_and_refuses_a_connected_socket)
{
	struct peer a;
	cx_sctp_assoc_t id = 0, got = 0;
	int fd;

	make_peer(&a, AF_INET);
	fd = udp_socket(AF_INET, 0);
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&a.addr, 1, &id), 0);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(cx_getassocid(fd, &got), 0);
	ck_assert_int_eq(got, id);
	assert_peer_is(fd, &a);
	/* HACKING.md: sctp_connectx on a connected UDP socket is EISCONN. */
	errno = 0;
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&a.addr, 1, &id), -1);
	ck_assert_int_eq(errno, EISCONN);
	close(fd);
	close(a.fd);
}
END_TEST

/* Where an AF_INET6 socket reaches IPv4 peer p: p's address IPv4-mapped. */
static void
mapped_of(const struct peer *p, struct sockaddr_storage *ss, socklen_t *len)
{
	tu_set_v6(ss, len, "::ffff:127.0.0.1", tu_port_of(&p->addr));
}

/* A datagram of msg reaches p within a second. */
static void
assert_arrives(const struct peer *p, const char *msg)
{
	char buf[64];

	ck_assert_int_eq(recv_within(p, buf, sizeof(buf), 1000),
	    (ssize_t)strlen(msg));
	ck_assert_mem_eq(buf, msg, strlen(msg));
}

/*
 * connectx(2) UDP: "A UDP socket that is already associated may call
 * connectx() again to associate with another peer".  A dual-stack client
 * (one AF_INET6 socket) whose first peer was IPv4 (its address
 * IPv4-mapped) moves to an IPv6 peer, then back, a datagram each time;
 * its local port stays.  Linux's connect(2) refuses the move from a mapped
 * peer to a native one while the old association stands.
 */
START_TEST(test_udp6_moves_from_a_mapped_peer_to_a_native_one_and_back)
{
	struct peer a, b;
	struct sockaddr_storage am, ss;
	struct iovec iov = { .iov_base = (void *)"one", .iov_len = 3 };
	cx_sctp_assoc_t ida, idb;
	socklen_t amlen, len;
	size_t sent = 0;
	in_port_t port;
	int fd, r, e;

	make_peer(&a, AF_INET);
	make_peer(&b, AF_INET6);
	mapped_of(&a, &am, &amlen);
	fd = udp_socket(AF_INET6, 0);
	ck_assert_int_eq(connectx_data(fd, &am, amlen, &iov, 1, &sent, NULL), 0);
	assert_arrives(&a, "one");
	port = local_port(fd);
	ck_assert_int_eq(cx_getassocid(fd, &ida), 0);

	errno = 0;
	iov.iov_base = (void *)"two";
	r = connectx_data(fd, &b.addr, b.addrlen, &iov, 1, &sent, NULL);
	e = errno;
	ck_assert_msg(r == 0, "mapped -> native: %s", strerror(e));
	ck_assert_uint_eq(sent, 3);
	assert_arrives(&b, "two");
	assert_peer_is(fd, &b);
	ck_assert_uint_eq(local_port(fd), port);
	ck_assert_int_eq(cx_getassocid(fd, &idb), 0);
	ck_assert_int_ne(idb, ida);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 0);
	assert_send_reaches(fd, &b, "to b");
	assert_nothing_arrives(&a);

	iov.iov_base = (void *)"six";
	ck_assert_int_eq(connectx_data(fd, &am, amlen, &iov, 1, &sent, NULL), 0);
	assert_arrives(&a, "six");
	len = sizeof(ss);
	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&ss, &len), 0);
	ck_assert_uint_eq(len, amlen);
	ck_assert_mem_eq(&ss, &am, len);
	ck_assert_uint_eq(local_port(fd), port);
	close(fd);
	close(a.fd);
	close(b.fd);
}
END_TEST

/*
 * connectx(2) UDP: "If no destination can be associated, the socket keeps
 * its previous peer, its record keeps the previous association".  The
 * dual-stack client associated with an IPv4 peer tries a native IPv6 one
 * that connect(2) refuses (link-local without an interface: EINVAL, on
 * every Linux, before anything is sent): the move to a native peer leaves
 * the old association standing, with its port, still carrying datagrams.
 */
START_TEST(test_udp6_failed_move_from_a_mapped_peer_keeps_the_old_one)
{
	struct peer a;
	struct sockaddr_storage am, ll, ss;
	cx_sctp_assoc_t ida, now = 0;
	socklen_t amlen, lllen, len;
	in_port_t port;
	int fd, r, e;

	make_peer(&a, AF_INET);
	mapped_of(&a, &am, &amlen);
	tu_set_v6(&ll, &lllen, "fe80::1", 9);
	fd = udp_socket(AF_INET6, 0);
	ck_assert_int_eq(connectx_data(fd, &am, amlen, NULL, 0, NULL, NULL), 0);
	port = local_port(fd);
	ck_assert_int_eq(cx_getassocid(fd, &ida), 0);

	errno = 0;
	r = connectx_data(fd, &ll, lllen, NULL, 0, NULL, NULL);
	e = errno;
	ck_assert_int_eq(r, -1);
	ck_assert_msg(e == EINVAL, "errno %s, want EINVAL", strerror(e));
	len = sizeof(ss);
	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&ss, &len), 0);
	ck_assert_uint_eq(len, amlen);
	ck_assert_mem_eq(&ss, &am, len);
	ck_assert_uint_eq(local_port(fd), port);
	ck_assert_msg(cx_getassocid(fd, &now) == 0 && now == ida,
	    "association record: %d (%s), was %d", now, strerror(errno), ida);
	assert_send_reaches(fd, &a, "still a");
	close(fd);
	close(a.fd);
}
END_TEST

static Suite *
udp_suite(void)
{
	Suite *s = suite_create("udp");
	TCase *tc;

	tc = tcase_create("associate");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_udp_connectx_associates_with_the_address);
	tcase_add_test(tc, test_udp_connectx_reassociates_to_another_peer);
	tcase_add_test(tc, test_udp_reassociation_drops_what_the_old_peer_left_queued);
	tcase_add_test(tc, test_udp_association_keeps_what_the_new_peer_sent_first);
	tcase_add_test(tc, test_udp_oversized_for_a_mapped_peer_fails_before_anything);
	tcase_add_test(tc, test_udp_nonblocking_socket_associates_at_once);
	tcase_add_test(tc, test_udp_list_associates_the_first_routable_address);
	tcase_add_test(tc, test_udp_sctp_connectx_sets_id_and_refuses_a_connected_socket);
	tcase_add_test(tc, test_udp_ipv6_associates_and_sends_one_datagram);
	tcase_add_test(tc, test_udp6_moves_from_a_mapped_peer_to_a_native_one_and_back);
	tcase_add_test(tc, test_udp6_failed_move_from_a_mapped_peer_keeps_the_old_one);
	suite_add_tcase(s, tc);

	tc = tcase_create("data");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_udp_data_goes_out_as_exactly_one_datagram);
	tcase_add_test(tc, test_udp_oversized_datagram_fails_emsgsize_and_leaves_fresh_socket_unbound);
	tcase_add_test(tc, test_udp_oversized_datagram_fails_emsgsize_and_keeps_previous_peer_and_port);
	tcase_add_test(tc, test_udp_oversized_datagram_keeps_previous_association_record);
	tcase_add_test(tc, test_udp_send_refused_after_reassociation_puts_the_old_peer_back);
	suite_add_tcase(s, tc);

	tc = tcase_create("disconnect");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_udp_disconnectx_dissolves_and_keeps_the_local_port);
	tcase_add_test(tc, test_udp_disconnectx_on_unassociated_socket_fails_enotconn);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(udp_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
