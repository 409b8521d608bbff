/*
 * sctp_connectx(3) on kernel TCP and UDP sockets: every error row of SPEC
 * §4, in order, HACKING.md's EOPNOTSUPP (between rows 5 and 6) and EISCONN
 * for connected UDP, IPv4 entries mapped on AF_INET6 sockets, and packed
 * lists read at any alignment.  Each test checks the errno and that the
 * socket was left as it was.  Only loopback is ever connected to.
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

#define EXPECT_ERR(call, want) do {					\
	int r_, e_;							\
	errno = 0;							\
	r_ = (call);							\
	e_ = errno;							\
	ck_assert_msg(r_ == -1 && e_ == (want),				\
	    "%s: returned %d, errno %d (%s); want -1, errno %d (%s)",	\
	    #call, r_, e_, strerror(e_), (want), strerror(want));	\
} while (0)

#define SCX_FAIL(fd, addrs, cnt, want)					\
	EXPECT_ERR(sctp_connectx((fd), (struct sockaddr *)(void *)(addrs), \
	    (cnt), NULL), (want))

struct snap {
	struct sockaddr_storage	local, peer;
	socklen_t		locallen, peerlen;
	int			local_err, peer_err;
	int			tcp_state;
	int			flags;
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
	s->flags = fcntl(fd, F_GETFL);
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
	if (a.flags != b->flags)
		return "file status flags";
	return NULL;
}

#define UNCHANGED(fd, s) do {						\
	const char *what_ = snap_changed((fd), (s));			\
	ck_assert_msg(what_ == NULL, "socket changed: %s", what_);	\
} while (0)

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

static int
tcp_connected(int family, struct listener *l, int *peer)
{
	int fd = tu_socket(family, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(l, family, 8), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&l->addr, l->addrlen), 0);
	*peer = tu_accept(l, 2000);
	ck_assert_int_ge(*peer, 0);
	return fd;
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

/* ---- row 1: EBADF ---------------------------------------------------- */

START_TEST(test_sctp_connectx_row01_negative_fd_ebadf)
{
	struct sockaddr_storage d;
	socklen_t dl;

	tu_loopback(&d, &dl, AF_INET, 9);
	SCX_FAIL(-1, &d, 1, EBADF);
}
END_TEST

START_TEST(test_sctp_connectx_row01_closed_fd_ebadf)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	close(fd);
	tu_loopback(&d, &dl, AF_INET, 9);
	SCX_FAIL(fd, &d, 1, EBADF);
}
END_TEST

START_TEST(test_sctp_connectx_row01_before_row03_row04)
{
	struct sockaddr_storage d;
	socklen_t dl;

	tu_loopback(&d, &dl, AF_INET, 9);
	SCX_FAIL(-1, NULL, 1, EBADF);
	SCX_FAIL(-1, &d, 0, EBADF);
	SCX_FAIL(-1, &d, INT_MAX, EBADF);
}
END_TEST

/* ---- row 2: ENOTSOCK ------------------------------------------------- */

START_TEST(test_sctp_connectx_row02_pipe_enotsock)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	tu_loopback(&d, &dl, AF_INET, 9);
	SCX_FAIL(p[1], &d, 1, ENOTSOCK);
}
END_TEST

START_TEST(test_sctp_connectx_row02_before_row03_row04)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	tu_loopback(&d, &dl, AF_INET, 9);
	SCX_FAIL(p[0], NULL, 1, ENOTSOCK);
	SCX_FAIL(p[0], &d, -1, ENOTSOCK);
	SCX_FAIL(p[0], &d, INT_MAX, ENOTSOCK);
}
END_TEST

/* ---- row 3: addrs NULL, addrcnt <= 0 ---------------------------------- */

START_TEST(test_sctp_connectx_row03_null_addrs_einval)
{
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	SCX_FAIL(fd, NULL, 1, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_sctp_connectx_row03_addrcnt_not_positive_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_INET6, SOCK_STREAM),
	    u = tu_socket(AF_INET, SOCK_DGRAM);

	tu_loopback(&d, &dl, AF_INET6, tu_free_port(AF_INET6));
	SCX_FAIL(fd, &d, 0, EINVAL);
	SCX_FAIL(fd, &d, -1, EINVAL);
	SCX_FAIL(fd, &d, INT_MIN, EINVAL);
	PRISTINE(fd);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	SCX_FAIL(u, &d, 0, EINVAL);
	PRISTINE(u);
}
END_TEST

START_TEST(test_sctp_connectx_row03_before_row04)
{
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	SCX_FAIL(fd, NULL, INT_MAX, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_sctp_connectx_row03_before_eopnotsupp_row08)
{
	struct listener l;
	struct sockaddr_storage d;
	socklen_t dl;
	struct snap s;
	int u = tu_socket(AF_UNIX, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, 9);
	SCX_FAIL(u, &d, 0, EINVAL);
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	snap_take(l.fd, &s);
	SCX_FAIL(l.fd, NULL, 1, EINVAL);
	UNCHANGED(l.fd, &s);
}
END_TEST

/* ---- row 4: list over 64 KiB, or addrcnt overflowing ----------------- */

START_TEST(test_sctp_connectx_row04_over_64k_by_count_e2big)
{
	unsigned char *buf = calloc(4097, sizeof(struct sockaddr_in));
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	ck_assert_ptr_nonnull(buf);
	pack_loopback(buf, AF_INET, tu_free_port(AF_INET), 4097);	/* 65552 bytes */
	SCX_FAIL(fd, buf, 4097, E2BIG);
	PRISTINE(fd);
	free(buf);
}
END_TEST

START_TEST(test_sctp_connectx_row04_over_64k_by_size_e2big)
{
	size_t n6 = 2340, off;
	unsigned char *buf = calloc(1, 70000);
	int fd = tu_socket(AF_INET6, SOCK_STREAM);
	uint16_t port = tu_free_port(AF_INET6);

	/* 2340 * 28 + 2 * 16 = 65552: few entries, too many bytes. */
	ck_assert_ptr_nonnull(buf);
	off = pack_loopback(buf, AF_INET6, port, (int)n6);
	off += pack_loopback(buf + off, AF_INET, port, 2);
	ck_assert_uint_eq(off, 65552);
	SCX_FAIL(fd, buf, (int)n6 + 2, E2BIG);
	PRISTINE(fd);
	free(buf);
}
END_TEST

START_TEST(test_sctp_connectx_row04_exactly_64k_not_e2big)
{
	unsigned char *buf = calloc(4096, sizeof(struct sockaddr_in));
	size_t off;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	/* 65536 bytes is not larger than 64 KiB: row 7 (port 0) decides. */
	ck_assert_ptr_nonnull(buf);
	off = pack_loopback(buf, AF_INET, 0, 4096);
	ck_assert_uint_eq(off, 65536);
	SCX_FAIL(fd, buf, 4096, EINVAL);
	PRISTINE(fd);
	free(buf);
}
END_TEST

START_TEST(test_sctp_connectx_row04_exactly_64k_mixed_not_e2big)
{
	unsigned char *buf = calloc(1, 70000);
	size_t off;
	int fd = tu_socket(AF_INET6, SOCK_STREAM);

	/* 2340 * 28 + 16 = 65536. */
	ck_assert_ptr_nonnull(buf);
	off = pack_loopback(buf, AF_INET6, 0, 2340);
	off += pack_loopback(buf + off, AF_INET, 0, 1);
	ck_assert_uint_eq(off, 65536);
	SCX_FAIL(fd, buf, 2341, EINVAL);
	PRISTINE(fd);
	free(buf);
}
END_TEST

START_TEST(test_sctp_connectx_row04_addrcnt_int_max_not_read)
{
	struct sockaddr_storage d;
	socklen_t dl;
	void *map;
	size_t maplen;
	unsigned char *p = guarded(sizeof(struct sockaddr_in), &map, &maplen);
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	/* One entry, then a page that faults: the count alone must decide. */
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	memcpy(p, &d, dl);
	SCX_FAIL(fd, p, INT_MAX, E2BIG);
	SCX_FAIL(fd, p, INT_MAX / 16 + 1, E2BIG);
	SCX_FAIL(fd, p, INT_MAX / 28 + 1, E2BIG);
	SCX_FAIL(fd, p, 4097, E2BIG);
	PRISTINE(fd);
	munmap(map, maplen);
}
END_TEST

START_TEST(test_sctp_connectx_row04_before_row05)
{
	unsigned char *buf = calloc(1, 70000);
	struct sockaddr_storage bad;
	size_t off;
	int fd = tu_socket(AF_INET6, SOCK_STREAM);

	/* A bad family first, but addrcnt alone is too big. */
	ck_assert_ptr_nonnull(buf);
	memset(&bad, 0, sizeof(bad));
	bad.ss_family = AF_UNIX;
	memcpy(buf, &bad, sizeof(struct sockaddr_in6));
	SCX_FAIL(fd, buf, INT_MAX, E2BIG);
	/* The list passes 64 KiB before its bad entry. */
	memset(buf, 0, 70000);
	off = pack_loopback(buf, AF_INET6, 80, 2341);	/* 65548 bytes */
	memcpy(buf + off, &bad, sizeof(struct sockaddr_in6));
	SCX_FAIL(fd, buf, 2342, E2BIG);
	PRISTINE(fd);
	free(buf);
}
END_TEST

START_TEST(test_sctp_connectx_row04_before_row08_listening)
{
	struct listener l;
	struct snap s;
	unsigned char *buf = calloc(4097, sizeof(struct sockaddr_in));

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	pack_loopback(buf, AF_INET, tu_free_port(AF_INET), 4097);
	snap_take(l.fd, &s);
	SCX_FAIL(l.fd, buf, 4097, E2BIG);
	UNCHANGED(l.fd, &s);
	free(buf);
}
END_TEST

/* ---- row 5: family not AF_INET/AF_INET6 ------------------------------ */

START_TEST(test_sctp_connectx_row05_family_unix_einval)
{
	struct sockaddr_un sun;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, "/nonexistent/cx-test");
	SCX_FAIL(fd, &sun, 1, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_sctp_connectx_row05_family_zero_einval)
{
	struct sockaddr_storage d;
	int fd = tu_socket(AF_INET6, SOCK_DGRAM);

	memset(&d, 0, sizeof(d));
	SCX_FAIL(fd, &d, 1, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_sctp_connectx_row05_second_entry_einval)
{
	struct listener l;
	unsigned char buf[128];
	struct sockaddr_storage bad;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &l.addr, sizeof(struct sockaddr_in));
	memset(&bad, 0, sizeof(bad));
	bad.ss_family = AF_PACKET;
	memcpy(buf + sizeof(struct sockaddr_in), &bad, sizeof(struct sockaddr_in));
	SCX_FAIL(fd, buf, 2, EINVAL);
	PRISTINE(fd);
	tu_assert_no_connection(&l);
}
END_TEST

START_TEST(test_sctp_connectx_row05_before_eopnotsupp)
{
	struct sockaddr_un sun;
	int fd = tu_socket(AF_UNIX, SOCK_STREAM);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, "/nonexistent/cx-test");
	SCX_FAIL(fd, &sun, 1, EINVAL);
}
END_TEST

START_TEST(test_sctp_connectx_row05_before_row08)
{
	struct listener l, l2;
	struct sockaddr_storage bad;
	struct snap s;
	int peer, fd;

	memset(&bad, 0, sizeof(bad));
	bad.ss_family = AF_UNIX;
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	snap_take(l.fd, &s);
	SCX_FAIL(l.fd, &bad, 1, EINVAL);
	UNCHANGED(l.fd, &s);
	fd = tcp_connected(AF_INET, &l2, &peer);
	snap_take(fd, &s);
	SCX_FAIL(fd, &bad, 1, EINVAL);
	UNCHANGED(fd, &s);
}
END_TEST

/* ---- HACKING: EOPNOTSUPP between rows 5 and 6 ------------------------ */

START_TEST(test_sctp_connectx_eopnotsupp_unix_stream)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_UNIX, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, 9);
	SCX_FAIL(fd, &d, 1, EOPNOTSUPP);
}
END_TEST

START_TEST(test_sctp_connectx_eopnotsupp_unix_dgram)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_UNIX, SOCK_DGRAM);

	tu_loopback(&d, &dl, AF_INET6, 9);
	SCX_FAIL(fd, &d, 1, EOPNOTSUPP);
}
END_TEST

START_TEST(test_sctp_connectx_eopnotsupp_raw)
{
	struct sockaddr_storage d;
	socklen_t dl;
	struct snap s;
	int fd;

	if (geteuid() != 0) {
		printf("SKIP: SOCK_RAW needs root\n");
		return;
	}
	if ((fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP)) < 0) {
		ck_assert_msg(errno == EPERM || errno == EACCES, "socket: %s",
		    strerror(errno));
		printf("SKIP: SOCK_RAW: %s\n", strerror(errno));
		return;
	}
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	snap_take(fd, &s);
	SCX_FAIL(fd, &d, 1, EOPNOTSUPP);
	UNCHANGED(fd, &s);
	/* Before row 6: an IPv6 entry on this AF_INET socket. */
	tu_loopback(&d, &dl, AF_INET6, tu_free_port(AF_INET6));
	SCX_FAIL(fd, &d, 1, EOPNOTSUPP);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_sctp_connectx_eopnotsupp_icmp_dgram)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);

	if (fd < 0) {
		printf("SKIP: no IPPROTO_ICMP dgram socket "
		    "(net.ipv4.ping_group_range): %s\n", strerror(errno));
		return;
	}
	tu_loopback(&d, &dl, AF_INET, 9);
	SCX_FAIL(fd, &d, 1, EOPNOTSUPP);
	tu_loopback(&d, &dl, AF_INET6, 9);	/* row 6 on this socket */
	SCX_FAIL(fd, &d, 1, EOPNOTSUPP);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_sctp_connectx_eopnotsupp_before_row06_row07)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_UNIX, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, 0);		/* port 0: row 7 */
	SCX_FAIL(fd, &d, 1, EOPNOTSUPP);
	tu_set_v4(&d, &dl, "224.0.0.1", 9);		/* multicast: row 7 */
	SCX_FAIL(fd, &d, 1, EOPNOTSUPP);
}
END_TEST

/* ---- row 6: families against the socket ------------------------------ */

START_TEST(test_sctp_connectx_row06_v6_on_v4_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    u = tu_socket(AF_INET, SOCK_DGRAM);

	tu_loopback(&d, &dl, AF_INET6, tu_free_port(AF_INET6));
	SCX_FAIL(fd, &d, 1, EINVAL);
	PRISTINE(fd);
	SCX_FAIL(u, &d, 1, EINVAL);
	PRISTINE(u);
}
END_TEST

START_TEST(test_sctp_connectx_row06_v6_second_on_v4_einval)
{
	struct listener l;
	unsigned char buf[128];
	size_t off;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	memcpy(buf, &l.addr, sizeof(struct sockaddr_in));
	off = sizeof(struct sockaddr_in);
	pack_loopback(buf + off, AF_INET6, tu_port_of(&l.addr), 1);
	SCX_FAIL(fd, buf, 2, EINVAL);
	PRISTINE(fd);
	tu_assert_no_connection(&l);
}
END_TEST

START_TEST(test_sctp_connectx_row06_v6only_v4_einval)
{
	struct listener l;
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_INET6, SOCK_STREAM),
	    u = tu_socket(AF_INET6, SOCK_DGRAM);

	set_v6only(fd, 1);
	set_v6only(u, 1);
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	SCX_FAIL(fd, &l.addr, 1, EINVAL);
	PRISTINE(fd);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	SCX_FAIL(u, &d, 1, EINVAL);
	PRISTINE(u);
	tu_assert_no_connection(&l);
}
END_TEST

START_TEST(test_sctp_connectx_row06_v6only_v4_second_einval)
{
	struct listener l;
	unsigned char buf[128];
	size_t off;
	int fd = tu_socket(AF_INET6, SOCK_STREAM);

	set_v6only(fd, 1);
	ck_assert_int_eq(tu_listen(&l, AF_INET6, 8), 0);
	memcpy(buf, &l.addr, sizeof(struct sockaddr_in6));
	off = sizeof(struct sockaddr_in6);
	pack_loopback(buf + off, AF_INET, tu_port_of(&l.addr), 1);
	SCX_FAIL(fd, buf, 2, EINVAL);
	PRISTINE(fd);
	tu_assert_no_connection(&l);
}
END_TEST

/*
 * A V6ONLY socket given an IPv4 address written IPv4-mapped
 * (::ffff:127.0.0.1, as a resolver with AI_V4MAPPED returns it): refused
 * at row 6 as an IPv4 entry, as kernel SCTP refuses it, before anything is
 * done: the socket untouched, no connection, no association ID used up.
 */
START_TEST(test_sctp_connectx_row06_v6only_v4mapped_einval)
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

START_TEST(test_sctp_connectx_row06_before_row07)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_INET6, SOCK_STREAM);

	/* V6ONLY and an IPv4 entry that row 7 would also refuse. */
	set_v6only(fd, 1);
	tu_loopback(&d, &dl, AF_INET, 0);
	SCX_FAIL(fd, &d, 1, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_sctp_connectx_row06_before_row08_row09)
{
	struct listener l, l2;
	struct blackhole bh;
	struct sockaddr_storage d;
	socklen_t dl;
	struct snap s;
	int peer, fd;

	tu_loopback(&d, &dl, AF_INET6, 9);
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	snap_take(l.fd, &s);
	SCX_FAIL(l.fd, &d, 1, EINVAL);
	UNCHANGED(l.fd, &s);
	fd = tcp_connected(AF_INET, &l2, &peer);
	snap_take(fd, &s);
	SCX_FAIL(fd, &d, 1, EINVAL);
	UNCHANGED(fd, &s);
	fd = tu_tcp_connecting(AF_INET, &bh);
	snap_take(fd, &s);
	SCX_FAIL(fd, &d, 1, EINVAL);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_sctp_connectx_row06_mapped_v4_on_v6_connects)
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

START_TEST(test_sctp_connectx_row06_mixed_list_on_v6)
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

/* ---- row 7: unusable addresses, port 0, ports differ ------------------ */

START_TEST(test_sctp_connectx_row07_unspecified_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    fd6 = tu_socket(AF_INET6, SOCK_STREAM);
	int u = tu_socket(AF_INET, SOCK_DGRAM);
	uint16_t port = tu_free_port(AF_INET);

	tu_set_v4(&d, &dl, "0.0.0.0", port);
	SCX_FAIL(fd, &d, 1, EINVAL);
	SCX_FAIL(u, &d, 1, EINVAL);
	SCX_FAIL(fd6, &d, 1, EINVAL);		/* mapped: ::ffff:0.0.0.0 */
	tu_set_v6(&d, &dl, "::", port);
	SCX_FAIL(fd6, &d, 1, EINVAL);
	tu_set_v6(&d, &dl, "::ffff:0.0.0.0", port);
	SCX_FAIL(fd6, &d, 1, EINVAL);
	PRISTINE(fd);
	PRISTINE(fd6);
	PRISTINE(u);
}
END_TEST

START_TEST(test_sctp_connectx_row07_multicast_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    fd6 = tu_socket(AF_INET6, SOCK_DGRAM);
	int u = tu_socket(AF_INET, SOCK_DGRAM);

	tu_set_v4(&d, &dl, "224.0.0.1", 9);
	SCX_FAIL(fd, &d, 1, EINVAL);
	SCX_FAIL(u, &d, 1, EINVAL);		/* UDP too */
	SCX_FAIL(fd6, &d, 1, EINVAL);		/* mapped */
	tu_set_v6(&d, &dl, "ff02::1", 9);
	SCX_FAIL(fd6, &d, 1, EINVAL);
	tu_set_v6(&d, &dl, "::ffff:239.1.2.3", 9);
	SCX_FAIL(fd6, &d, 1, EINVAL);
	PRISTINE(fd);
	PRISTINE(fd6);
	PRISTINE(u);
}
END_TEST

START_TEST(test_sctp_connectx_row07_broadcast_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    fd6 = tu_socket(AF_INET6, SOCK_STREAM);
	int u = tu_socket(AF_INET, SOCK_DGRAM);

	tu_set_v4(&d, &dl, "255.255.255.255", 9);
	SCX_FAIL(fd, &d, 1, EINVAL);
	SCX_FAIL(u, &d, 1, EINVAL);
	SCX_FAIL(fd6, &d, 1, EINVAL);		/* mapped */
	tu_set_v6(&d, &dl, "::ffff:255.255.255.255", 9);
	SCX_FAIL(fd6, &d, 1, EINVAL);
	PRISTINE(fd);
	PRISTINE(fd6);
	PRISTINE(u);
}
END_TEST

START_TEST(test_sctp_connectx_row07_port0_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    fd6 = tu_socket(AF_INET6, SOCK_STREAM);
	int u = tu_socket(AF_INET6, SOCK_DGRAM);

	tu_loopback(&d, &dl, AF_INET, 0);
	SCX_FAIL(fd, &d, 1, EINVAL);
	SCX_FAIL(fd6, &d, 1, EINVAL);		/* mapped */
	tu_loopback(&d, &dl, AF_INET6, 0);
	SCX_FAIL(fd6, &d, 1, EINVAL);
	SCX_FAIL(u, &d, 1, EINVAL);
	PRISTINE(fd);
	PRISTINE(fd6);
	PRISTINE(u);
}
END_TEST

START_TEST(test_sctp_connectx_row07_ports_differ_einval)
{
	struct listener l;
	unsigned char buf[128];
	size_t off;
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    fd6 = tu_socket(AF_INET6, SOCK_STREAM);
	uint16_t port;

	/* A live first entry: the check must refuse before connecting. */
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	port = tu_port_of(&l.addr);
	memcpy(buf, &l.addr, sizeof(struct sockaddr_in));
	off = sizeof(struct sockaddr_in);
	pack_loopback(buf + off, AF_INET, (uint16_t)(port + 1), 1);
	SCX_FAIL(fd, buf, 2, EINVAL);
	PRISTINE(fd);
	SCX_FAIL(fd6, buf, 2, EINVAL);		/* mapped, same ports */
	PRISTINE(fd6);
	/* IPv6 then IPv4, ports differ. */
	off = pack_loopback(buf, AF_INET6, port, 1);
	pack_loopback(buf + off, AF_INET, (uint16_t)(port + 1), 1);
	SCX_FAIL(fd6, buf, 2, EINVAL);
	PRISTINE(fd6);
	tu_assert_no_connection(&l);
}
END_TEST

START_TEST(test_sctp_connectx_row07_bad_last_of_many)
{
	struct listener l;
	unsigned char buf[10 * sizeof(struct sockaddr_in6)];
	size_t off;
	int fd = tu_socket(AF_INET6, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(&l, AF_INET6, 8), 0);
	off = pack_loopback(buf, AF_INET6, tu_port_of(&l.addr), 9);
	pack_loopback(buf + off, AF_INET6, 0, 1);
	SCX_FAIL(fd, buf, 10, EINVAL);
	PRISTINE(fd);
	tu_assert_no_connection(&l);
}
END_TEST

START_TEST(test_sctp_connectx_row07_before_row08_row09)
{
	struct listener l, l2;
	struct blackhole bh;
	struct sockaddr_storage d;
	socklen_t dl;
	struct snap s;
	int peer, fd;

	tu_loopback(&d, &dl, AF_INET, 0);
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	snap_take(l.fd, &s);
	SCX_FAIL(l.fd, &d, 1, EINVAL);
	UNCHANGED(l.fd, &s);
	fd = tcp_connected(AF_INET, &l2, &peer);
	snap_take(fd, &s);
	SCX_FAIL(fd, &d, 1, EINVAL);
	UNCHANGED(fd, &s);
	fd = tu_tcp_connecting(AF_INET, &bh);
	snap_take(fd, &s);
	SCX_FAIL(fd, &d, 1, EINVAL);
	UNCHANGED(fd, &s);
}
END_TEST

/* ---- row 8: listening or connected ----------------------------------- */

START_TEST(test_sctp_connectx_row08_listening_eisconn)
{
	struct listener l, live;
	struct snap s;

	ck_assert_int_eq(tu_listen(&l, AF_INET6, 8), 0);
	ck_assert_int_eq(tu_listen(&live, AF_INET6, 8), 0);
	snap_take(l.fd, &s);
	SCX_FAIL(l.fd, &live.addr, 1, EISCONN);
	UNCHANGED(l.fd, &s);
	ck_assert_int_eq(tu_tcp_state(l.fd), TCP_LISTEN);
	tu_assert_no_connection(&live);
}
END_TEST

START_TEST(test_sctp_connectx_row08_connected_tcp_eisconn)
{
	struct listener l, live;
	struct snap s;
	int peer, fd = tcp_connected(AF_INET, &l, &peer);

	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	snap_take(fd, &s);
	SCX_FAIL(fd, &live.addr, 1, EISCONN);
	UNCHANGED(fd, &s);
	tu_assert_no_connection(&live);
}
END_TEST

START_TEST(test_sctp_connectx_row08_connected_by_sctp_connectx_eisconn)
{
	struct listener l;
	struct snap s;
	sctp_assoc_t id = 0;
	int fd = tu_socket(AF_INET6, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(&l, AF_INET6, 8), 0);
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&l.addr, 1, &id), 0);
	snap_take(fd, &s);
	SCX_FAIL(fd, &l.addr, 1, EISCONN);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_sctp_connectx_row08_connected_udp_eisconn)
{
	struct sockaddr_storage a, b;
	socklen_t al, bl;
	struct snap s;
	int fd = tu_socket(AF_INET, SOCK_DGRAM);

	/* HACKING: a connected UDP socket is EISCONN here (connectx may re-associate). */
	tu_loopback(&a, &al, AF_INET, tu_free_port(AF_INET));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, al), 0);
	tu_loopback(&b, &bl, AF_INET, tu_free_port(AF_INET));
	snap_take(fd, &s);
	SCX_FAIL(fd, &b, 1, EISCONN);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_sctp_connectx_row08_udp_by_sctp_connectx_eisconn)
{
	struct sockaddr_storage a;
	socklen_t al;
	struct snap s;
	sctp_assoc_t id = 0;
	int fd = tu_socket(AF_INET6, SOCK_DGRAM);

	tu_loopback(&a, &al, AF_INET6, tu_free_port(AF_INET6));
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&a, 1, &id), 0);
	ck_assert_int_gt(id, 0);
	snap_take(fd, &s);
	SCX_FAIL(fd, &a, 1, EISCONN);
	UNCHANGED(fd, &s);
}
END_TEST

/* ---- row 9: connect in progress -------------------------------------- */

START_TEST(test_sctp_connectx_row09_connect_in_progress_ealready)
{
	struct blackhole bh;
	struct listener live;
	struct snap s;
	int fd = tu_tcp_connecting(AF_INET, &bh);

	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	snap_take(fd, &s);
	SCX_FAIL(fd, &live.addr, 1, EALREADY);
	UNCHANGED(fd, &s);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_SYN_SENT);
	tu_assert_no_connection(&live);
}
END_TEST

START_TEST(test_sctp_connectx_row09_connect_in_progress_v6_ealready)
{
	struct blackhole bh;
	struct sockaddr_storage d;
	socklen_t dl;
	struct snap s;
	int fd = tu_tcp_connecting(AF_INET6, &bh);

	tu_refused(&d, &dl, AF_INET6);
	snap_take(fd, &s);
	SCX_FAIL(fd, &d, 1, EALREADY);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_sctp_connectx_row09_sctp_connectx_in_progress_ealready)
{
	struct blackhole bh;
	struct snap s;
	sctp_assoc_t id = 0;
	int fd = tu_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);

	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	EXPECT_ERR(sctp_connectx(fd, (struct sockaddr *)&bh.l.addr, 1, &id),
	    EINPROGRESS);
	ck_assert_int_gt(id, 0);		/* *id valid on EINPROGRESS */
	ck_assert_int_eq(tu_tcp_state(fd), TCP_SYN_SENT);
	snap_take(fd, &s);
	SCX_FAIL(fd, &bh.l.addr, 1, EALREADY);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_sctp_connectx_row09_parked_run_ealready)
{
	struct listener l;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[64];
	struct snap s;
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
	snap_take(fd, &s);
	SCX_FAIL(fd, buf, 2, EALREADY);
	UNCHANGED(fd, &s);
}
END_TEST

/* ---- packed lists at any alignment ----------------------------------- */

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

START_TEST(test_sctp_connectx_row06_mapped_refused_then_v6_connects)
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

START_TEST(test_sctp_connectx_unaligned_errors_read_right)
{
	struct listener l;
	struct sockaddr_storage a[3];
	socklen_t al[3];
	unsigned char *raw = malloc(256 + 1);
	int fd = tu_socket(AF_INET6, SOCK_STREAM), i;
	uint16_t port;

	/* At each odd offset, the third entry's port (or family) is wrong. */
	ck_assert_ptr_nonnull(raw);
	ck_assert_int_eq(tu_listen(&l, AF_INET6, 8), 0);
	port = tu_port_of(&l.addr);
	for (i = 1; i < 8; i += 2) {
		tu_loopback(&a[0], &al[0], AF_INET6, port);
		tu_set_v4(&a[1], &al[1], "127.0.0.1", port);
		tu_loopback(&a[2], &al[2], AF_INET6, (uint16_t)(port ^ 1));
		tu_pack(raw + i, a, al, 3);
		SCX_FAIL(fd, raw + i, 3, EINVAL);
		tu_set_v6(&a[2], &al[2], "ff02::1", port);
		tu_pack(raw + i, a, al, 3);
		SCX_FAIL(fd, raw + i, 3, EINVAL);
		PRISTINE(fd);
	}
	tu_assert_no_connection(&l);
	free(raw);
}
END_TEST

/* ---- suite ----------------------------------------------------------- */

static Suite *
sctp_connectx_errors_suite(void)
{
	Suite *s = suite_create("sctp_connectx_errors");
	TCase *tc;

	tc = tcase_create("rows01_05");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_sctp_connectx_row01_negative_fd_ebadf);
	tcase_add_test(tc, test_sctp_connectx_row01_closed_fd_ebadf);
	tcase_add_test(tc, test_sctp_connectx_row01_before_row03_row04);
	tcase_add_test(tc, test_sctp_connectx_row02_pipe_enotsock);
	tcase_add_test(tc, test_sctp_connectx_row02_before_row03_row04);
	tcase_add_test(tc, test_sctp_connectx_row03_null_addrs_einval);
	tcase_add_test(tc, test_sctp_connectx_row03_addrcnt_not_positive_einval);
	tcase_add_test(tc, test_sctp_connectx_row03_before_row04);
	tcase_add_test(tc, test_sctp_connectx_row03_before_eopnotsupp_row08);
	tcase_add_test(tc, test_sctp_connectx_row04_over_64k_by_count_e2big);
	tcase_add_test(tc, test_sctp_connectx_row04_over_64k_by_size_e2big);
	tcase_add_test(tc, test_sctp_connectx_row04_exactly_64k_not_e2big);
	tcase_add_test(tc, test_sctp_connectx_row04_exactly_64k_mixed_not_e2big);
	tcase_add_test(tc, test_sctp_connectx_row04_addrcnt_int_max_not_read);
	tcase_add_test(tc, test_sctp_connectx_row04_before_row05);
	tcase_add_test(tc, test_sctp_connectx_row04_before_row08_listening);
	tcase_add_test(tc, test_sctp_connectx_row05_family_unix_einval);
	tcase_add_test(tc, test_sctp_connectx_row05_family_zero_einval);
	tcase_add_test(tc, test_sctp_connectx_row05_second_entry_einval);
	tcase_add_test(tc, test_sctp_connectx_row05_before_eopnotsupp);
	tcase_add_test(tc, test_sctp_connectx_row05_before_row08);
	suite_add_tcase(s, tc);

	tc = tcase_create("eopnotsupp");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_sctp_connectx_eopnotsupp_unix_stream);
	tcase_add_test(tc, test_sctp_connectx_eopnotsupp_unix_dgram);
	tcase_add_test(tc, test_sctp_connectx_eopnotsupp_raw);
	tcase_add_test(tc, test_sctp_connectx_eopnotsupp_icmp_dgram);
	tcase_add_test(tc, test_sctp_connectx_eopnotsupp_before_row06_row07);
	suite_add_tcase(s, tc);

	tc = tcase_create("rows06_09");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_sctp_connectx_row06_v6_on_v4_einval);
	tcase_add_test(tc, test_sctp_connectx_row06_v6_second_on_v4_einval);
	tcase_add_test(tc, test_sctp_connectx_row06_v6only_v4_einval);
	tcase_add_test(tc, test_sctp_connectx_row06_v6only_v4_second_einval);
	tcase_add_test(tc, test_sctp_connectx_row06_v6only_v4mapped_einval);
	tcase_add_test(tc, test_sctp_connectx_row06_before_row07);
	tcase_add_test(tc, test_sctp_connectx_row06_before_row08_row09);
	tcase_add_test(tc, test_sctp_connectx_row06_mapped_v4_on_v6_connects);
	tcase_add_test(tc, test_sctp_connectx_row06_mixed_list_on_v6);
	tcase_add_test(tc, test_sctp_connectx_row06_mapped_refused_then_v6_connects);
	tcase_add_test(tc, test_sctp_connectx_row07_unspecified_einval);
	tcase_add_test(tc, test_sctp_connectx_row07_multicast_einval);
	tcase_add_test(tc, test_sctp_connectx_row07_broadcast_einval);
	tcase_add_test(tc, test_sctp_connectx_row07_port0_einval);
	tcase_add_test(tc, test_sctp_connectx_row07_ports_differ_einval);
	tcase_add_test(tc, test_sctp_connectx_row07_bad_last_of_many);
	tcase_add_test(tc, test_sctp_connectx_row07_before_row08_row09);
	tcase_add_test(tc, test_sctp_connectx_row08_listening_eisconn);
	tcase_add_test(tc, test_sctp_connectx_row08_connected_tcp_eisconn);
	tcase_add_test(tc, test_sctp_connectx_row08_connected_by_sctp_connectx_eisconn);
	tcase_add_test(tc, test_sctp_connectx_row08_connected_udp_eisconn);
	tcase_add_test(tc, test_sctp_connectx_row08_udp_by_sctp_connectx_eisconn);
	tcase_add_test(tc, test_sctp_connectx_row09_connect_in_progress_ealready);
	tcase_add_test(tc, test_sctp_connectx_row09_connect_in_progress_v6_ealready);
	tcase_add_test(tc, test_sctp_connectx_row09_sctp_connectx_in_progress_ealready);
	tcase_add_test(tc, test_sctp_connectx_row09_parked_run_ealready);
	suite_add_tcase(s, tc);

	tc = tcase_create("unaligned");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_sctp_connectx_unaligned_v4_list_connects);
	tcase_add_test(tc, test_sctp_connectx_unaligned_v6_mixed_connects);
	tcase_add_test(tc, test_sctp_connectx_unaligned_errors_read_right);
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
