/*
 * connectx(2): every error row of SPEC §2, in order, and the HACKING.md
 * choices that concern errors.  Each test checks the errno, that *len and
 * *connid are written (0) on failure, and that the socket was left as it
 * was.  Only loopback is ever connected to; TEST-NET, multicast and
 * broadcast addresses appear only where a check refuses them first.
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

#define EXPECT_ERR(call, want) do {					\
	int r_, e_;							\
	errno = 0;							\
	r_ = (call);							\
	e_ = errno;							\
	ck_assert_msg(r_ == -1 && e_ == (want),				\
	    "%s: returned %d, errno %d (%s); want -1, errno %d (%s)",	\
	    #call, r_, e_, strerror(e_), (want), strerror(want));	\
} while (0)

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

/* What can be seen of a socket, to tell that a call left it as it was. */
struct snap {
	struct sockaddr_storage	local, peer;
	socklen_t		locallen, peerlen;
	int			local_err, peer_err;
	int			tcp_state;
	int			flags;
	char			dev[IFNAMSIZ + 1];
};

static void
snap_take(int fd, struct snap *s)
{
	socklen_t len;

	memset(s, 0, sizeof(*s));
	s->locallen = sizeof(s->local);
	s->local_err = getsockname(fd, (struct sockaddr *)&s->local,
	    &s->locallen) == 0 ? 0 : errno;
	s->peerlen = sizeof(s->peer);
	s->peer_err = getpeername(fd, (struct sockaddr *)&s->peer,
	    &s->peerlen) == 0 ? 0 : errno;
	s->tcp_state = tu_tcp_state(fd);
	s->flags = fcntl(fd, F_GETFL);
	len = IFNAMSIZ;
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->dev, &len) != 0)
		s->dev[0] = '\0';
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
	if (strcmp(a.dev, b->dev) != 0)
		return "bound device (SO_BINDTODEVICE)";
	return NULL;
}

#define UNCHANGED(fd, s) do {						\
	const char *what_ = snap_changed((fd), (s));			\
	ck_assert_msg(what_ == NULL, "socket changed: %s", what_);	\
} while (0)

/* Fresh socket left fresh: not bound, not connected, not on a device. */
#define PRISTINE(fd) do {						\
	struct snap p_;							\
	snap_take((fd), &p_);						\
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
static int
bound_sock(int family, int type, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	int fd = tu_socket(family, type);

	tu_loopback(ss, len, family, port);
	ck_assert_msg(bind(fd, (struct sockaddr *)ss, *len) == 0, "bind: %s",
	    strerror(errno));
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)ss, len), 0);
	return fd;
}

/* A TCP socket connected (by connect(2)) to a new listener; peer accepted. */
static int
tcp_connected(int family, struct listener *l, int *peer)
{
	int fd = tu_socket(family, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(l, family, 8), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&l->addr, l->addrlen), 0);
	*peer = tu_accept(l, 2000);
	ck_assert_int_ge(*peer, 0);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_ESTABLISHED);
	return fd;
}

/* A TCP listening socket on loopback. */
static int
tcp_listening(int family, struct listener *l)
{
	ck_assert_int_eq(tu_listen(l, family, 8), 0);
	ck_assert_int_eq(tu_tcp_state(l->fd), TCP_LISTEN);
	return l->fd;
}

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

/* ---- row 1: EBADF ---------------------------------------------------- */

START_TEST(test_connectx_row01_negative_fd_ebadf)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;

	tu_loopback(&d, &dl, AF_INET, 9);
	ep = dst_ep(&d, dl);
	CX_FAIL0(-1, &ep, EBADF);
}
END_TEST

START_TEST(test_connectx_row01_closed_fd_ebadf)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	close(fd);
	tu_loopback(&d, &dl, AF_INET, 9);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EBADF);
}
END_TEST

START_TEST(test_connectx_row01_before_row03)
{
	CX_FAIL0(-1, NULL, EBADF);
	CX_FAIL(-1, NULL, 5, 0x80, NULL, 0, EBADF);
}
END_TEST

/* ---- row 2: ENOTSOCK ------------------------------------------------- */

START_TEST(test_connectx_row02_pipe_enotsock)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int p[2], fd;

	ck_assert_int_eq(pipe(p), 0);
	tu_loopback(&d, &dl, AF_INET, 9);
	ep = dst_ep(&d, dl);
	CX_FAIL0(p[0], &ep, ENOTSOCK);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	CX_FAIL0(fd, &ep, ENOTSOCK);
}
END_TEST

START_TEST(test_connectx_row02_before_row03)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	CX_FAIL0(p[0], NULL, ENOTSOCK);
}
END_TEST

/* ---- row 3: endpoints NULL ------------------------------------------- */

START_TEST(test_connectx_row03_null_endpoints_einval)
{
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	CX_FAIL0(fd, NULL, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row03_before_row09_unix)
{
	int fd = tu_socket(AF_UNIX, SOCK_STREAM);

	CX_FAIL0(fd, NULL, EINVAL);
}
END_TEST

START_TEST(test_connectx_row03_before_row17_connected)
{
	struct listener l;
	struct snap s;
	int peer, fd = tcp_connected(AF_INET, &l, &peer);

	snap_take(fd, &s);
	CX_FAIL0(fd, NULL, EINVAL);
	UNCHANGED(fd, &s);
}
END_TEST

/* ---- row 4: sae_srcaddrlen > 255 -------------------------------------- */

START_TEST(test_connectx_row04_srcaddrlen_enametoolong)
{
	unsigned char src[512];
	struct sockaddr_storage d;
	socklen_t dl, sl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	memset(src, 0, sizeof(src));
	tu_loopback((struct sockaddr_storage *)(void *)src, &sl, AF_INET, 0);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (const struct sockaddr *)(void *)src;
	ep.sae_srcaddrlen = 256;
	CX_FAIL0(fd, &ep, ENAMETOOLONG);
	PRISTINE(fd);
	ep.sae_srcaddrlen = 0xFFFFFFFFu;
	CX_FAIL0(fd, &ep, ENAMETOOLONG);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row04_srcaddrlen_255_passes)
{
	unsigned char src[512];
	struct sockaddr_storage d;
	socklen_t dl, sl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	/* 255 is not too long: the call goes on to row 12 (port 0). */
	memset(src, 0, sizeof(src));
	tu_loopback((struct sockaddr_storage *)(void *)src, &sl, AF_INET, 0);
	tu_loopback(&d, &dl, AF_INET, 0);
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (const struct sockaddr *)(void *)src;
	ep.sae_srcaddrlen = 255;
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row04_before_row06)
{
	unsigned char src[512];
	socklen_t sl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	memset(src, 0, sizeof(src));
	tu_loopback((struct sockaddr_storage *)(void *)src, &sl, AF_INET, 0);
	ep = dst_ep(NULL, 0);
	ep.sae_srcaddr = (const struct sockaddr *)(void *)src;
	ep.sae_srcaddrlen = 256;
	CX_FAIL0(fd, &ep, ENAMETOOLONG);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row04_before_row09_unix)
{
	unsigned char src[512];
	struct sockaddr_storage d;
	socklen_t dl, sl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_UNIX, SOCK_STREAM);

	memset(src, 0, sizeof(src));
	tu_loopback((struct sockaddr_storage *)(void *)src, &sl, AF_INET, 0);
	tu_loopback(&d, &dl, AF_INET, 9);
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (const struct sockaddr *)(void *)src;
	ep.sae_srcaddrlen = 300;
	CX_FAIL0(fd, &ep, ENAMETOOLONG);
}
END_TEST

/* ---- row 5: sae_srcaddr too short for its family --------------------- */

START_TEST(test_connectx_row05_srcaddr_short_v4_einval)
{
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_loopback(&s, &sl, AF_INET, 0);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sizeof(struct sockaddr_in) - 1;
	CX_FAIL0(fd, &ep, EINVAL);
	PRISTINE(fd);
	ep.sae_srcaddrlen = 1;
	CX_FAIL0(fd, &ep, EINVAL);
	ep.sae_srcaddrlen = 0;
	CX_FAIL0(fd, &ep, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row05_srcaddr_short_v6_einval)
{
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET6, SOCK_STREAM);

	tu_loopback(&s, &sl, AF_INET6, 0);
	tu_loopback(&d, &dl, AF_INET6, tu_free_port(AF_INET6));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sizeof(struct sockaddr_in); /* 16 < 28 */
	CX_FAIL0(fd, &ep, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row05_before_row10)
{
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	/* IPv6 source (row 10's family mismatch), but too short first. */
	tu_loopback(&s, &sl, AF_INET6, 0);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = 20;
	CX_FAIL0(fd, &ep, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row05_before_row09_unix)
{
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_UNIX, SOCK_DGRAM);

	tu_loopback(&s, &sl, AF_INET, 0);
	tu_loopback(&d, &dl, AF_INET, 9);
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = 8;
	CX_FAIL0(fd, &ep, EINVAL);
}
END_TEST

/* ---- row 6: destination missing or not whole -------------------------- */

START_TEST(test_connectx_row06_dst_null_einval)
{
	sa_endpoints_t ep = dst_ep(NULL, sizeof(struct sockaddr_in));
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	CX_FAIL0(fd, &ep, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row06_dstlen_short_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    fd6 = tu_socket(AF_INET6, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, 0);
	CX_FAIL0(fd, &ep, EINVAL);
	ep = dst_ep(&d, 3);
	CX_FAIL0(fd, &ep, EINVAL);
	ep = dst_ep(&d, sizeof(struct sockaddr_in) - 1);
	CX_FAIL0(fd, &ep, EINVAL);
	PRISTINE(fd);
	tu_loopback(&d, &dl, AF_INET6, tu_free_port(AF_INET6));
	ep = dst_ep(&d, sizeof(struct sockaddr_in6) - 1);
	CX_FAIL0(fd6, &ep, EINVAL);
	PRISTINE(fd6);
}
END_TEST

START_TEST(test_connectx_row06_dstlen_not_whole_einval)
{
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[256];
	size_t n;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_loopback(&a[0], &al[0], AF_INET, tu_free_port(AF_INET));
	tu_loopback(&a[1], &al[1], AF_INET, tu_free_port(AF_INET));
	memset(buf, 0, sizeof(buf));
	n = tu_pack(buf, a, al, 2);
	ep = dst_ep(buf, (socklen_t)n - 1);		/* 1.9 addresses */
	CX_FAIL0(fd, &ep, EINVAL);
	ep = dst_ep(buf, (socklen_t)n + 8);		/* 2.5 addresses */
	CX_FAIL0(fd, &ep, EINVAL);
	ep = dst_ep(buf, sizeof(struct sockaddr_in) + 4);
	CX_FAIL0(fd, &ep, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row06_packed_unsizeable_family_einval)
{
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[256];
	size_t n;
	sa_endpoints_t ep;
	struct listener l;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	/* HACKING: in a packed list of several, an unsizeable family is EINVAL. */
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	a[0] = l.addr;
	al[0] = l.addrlen;
	memset(&a[1], 0, sizeof(a[1]));
	a[1].ss_family = AF_UNIX;
	al[1] = sizeof(struct sockaddr_in);
	n = tu_pack(buf, a, al, 2);
	ep = dst_ep(buf, (socklen_t)n);
	CX_FAIL0(fd, &ep, EINVAL);
	PRISTINE(fd);
	tu_assert_no_connection(&l);
}
END_TEST

START_TEST(test_connectx_row06_before_row09_unix)
{
	sa_endpoints_t ep = dst_ep(NULL, 0);
	int fd = tu_socket(AF_UNIX, SOCK_STREAM);

	CX_FAIL0(fd, &ep, EINVAL);
}
END_TEST

START_TEST(test_connectx_row06_before_row10_short_v6_on_v4)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	/* An IPv6 address (row 10 on this socket) that is not whole (row 6). */
	tu_loopback(&d, &dl, AF_INET6, 9);
	ep = dst_ep(&d, sizeof(struct sockaddr_in6) - 4);
	CX_FAIL0(fd, &ep, EINVAL);
	PRISTINE(fd);
}
END_TEST

/* ---- row 7: iov ------------------------------------------------------ */

START_TEST(test_connectx_row07_iovcnt_zero_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	char data[4] = "abc";
	struct iovec iov = { data, 3 };
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 0, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row07_iovcnt_over_iov_max_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct iovec *iov = calloc(1025, sizeof(*iov));
	char byte = 'x';
	int i, fd = tu_socket(AF_INET, SOCK_STREAM);

	ck_assert_ptr_nonnull(iov);
	for (i = 0; i < 1025; i++) {
		iov[i].iov_base = &byte;
		iov[i].iov_len = 1;
	}
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, iov, 1025, EINVAL);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, iov, UINT_MAX, EINVAL);
	PRISTINE(fd);
	free(iov);
}
END_TEST

START_TEST(test_connectx_row07_iov_max_1024_passes)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct iovec *iov = calloc(1024, sizeof(*iov));
	char byte = 'x';
	int i, fd = tu_socket(AF_INET, SOCK_STREAM);

	/* 1024 is allowed: the call reaches the connect, which is refused. */
	ck_assert_ptr_nonnull(iov);
	for (i = 0; i < 1024; i++) {
		iov[i].iov_base = &byte;
		iov[i].iov_len = 1;
	}
	tu_refused(&d, &dl, AF_INET);
	ep = dst_ep(&d, dl);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, iov, 1024, ECONNREFUSED);
	ck_assert(!tu_is_connected(fd));
	free(iov);
}
END_TEST

START_TEST(test_connectx_row07_len_null_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	char data[4] = "abc";
	struct iovec iov = { data, 3 };
	sae_connid_t cid = 777;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	EXPECT_ERR(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 1, NULL, &cid),
	    EINVAL);
	ck_assert_uint_eq(cid, 0);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row07_total_overflows_ssize_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	char data[4] = "abc";
	struct iovec iov[3] = { { data, SSIZE_MAX }, { data, 1 }, { data, 1 } };
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, iov, 2, EINVAL);
	iov[0].iov_len = SIZE_MAX;
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, iov, 1, EINVAL);
	iov[0].iov_len = SSIZE_MAX / 2 + 1;
	iov[1].iov_len = SSIZE_MAX / 2 + 1;
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, iov, 2, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row07_before_row09_unix)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	char data[4] = "abc";
	struct iovec iov = { data, 3 };
	int fd = tu_socket(AF_UNIX, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, 9);
	ep = dst_ep(&d, dl);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 0, EINVAL);
}
END_TEST

START_TEST(test_connectx_row07_before_row12_port0)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	char data[4] = "abc";
	struct iovec iov = { data, 3 };
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, 0);
	ep = dst_ep(&d, dl);
	EXPECT_ERR(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 1, NULL, NULL),
	    EINVAL);
	PRISTINE(fd);
}
END_TEST

/* ---- row 8: associd, flags ------------------------------------------- */

START_TEST(test_connectx_row08_associd_not_any_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	CX_FAIL(fd, &ep, 1, 0, NULL, 0, EINVAL);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ALL, 0, NULL, 0, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row08_unknown_flag_einval)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0x8, NULL, 0, EINVAL);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, CONNECT_DATA_IDEMPOTENT | 0x100,
	    NULL, 0, EINVAL);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0x80000000u, NULL, 0, EINVAL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row08_before_row09_unix)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_UNIX, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, 9);
	ep = dst_ep(&d, dl);
	CX_FAIL(fd, &ep, 3, 0, NULL, 0, EINVAL);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0x10, NULL, 0, EINVAL);
}
END_TEST

START_TEST(test_connectx_row08_before_row16_listening)
{
	struct listener l;
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct snap s;
	int fd = tcp_listening(AF_INET, &l);

	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	snap_take(fd, &s);
	CX_FAIL(fd, &ep, 2, 0, NULL, 0, EINVAL);
	UNCHANGED(fd, &s);
}
END_TEST

/* ---- row 9: not a socket the library drives --------------------------- */

START_TEST(test_connectx_row09_unix_stream_eopnotsupp)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct snap s;
	int fd = tu_socket(AF_UNIX, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, 9);
	ep = dst_ep(&d, dl);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EOPNOTSUPP);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_connectx_row09_unix_dgram_eopnotsupp)
{
	struct sockaddr_un sun;
	sa_endpoints_t ep;
	struct snap s;
	int fd = tu_socket(AF_UNIX, SOCK_DGRAM);

	/* Even a destination of the socket's own family. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, "/nonexistent/cx-test");
	ep = dst_ep(&sun, sizeof(sun));
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EOPNOTSUPP);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_connectx_row09_netlink_eopnotsupp)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		printf("SKIP: no AF_NETLINK socket: %s\n", strerror(errno));
		return;
	}
	tu_loopback(&d, &dl, AF_INET, 9);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EOPNOTSUPP);
}
END_TEST

START_TEST(test_connectx_row09_raw_eopnotsupp)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
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
	ep = dst_ep(&d, dl);
	snap_take(fd, &s);
	/* (a raw socket's name shows its protocol as the port) */
	CX_FAIL0(fd, &ep, EOPNOTSUPP);
	UNCHANGED(fd, &s);
	ck_assert(!tu_is_connected(fd));
}
END_TEST

START_TEST(test_connectx_row09_raw_before_row10)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct snap s;
	int fd;

	if (geteuid() != 0) {
		printf("SKIP: SOCK_RAW needs root\n");
		return;
	}
	if ((fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP)) < 0) {
		printf("SKIP: SOCK_RAW: %s\n", strerror(errno));
		return;
	}
	tu_loopback(&d, &dl, AF_INET, 0);	/* row 10 and row 12 too */
	ep = dst_ep(&d, dl);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EOPNOTSUPP);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_connectx_row09_icmp_dgram_eopnotsupp)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);

	if (fd < 0) {
		printf("SKIP: no IPPROTO_ICMP dgram socket "
		    "(net.ipv4.ping_group_range): %s\n", strerror(errno));
		return;
	}
	tu_loopback(&d, &dl, AF_INET, 9);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EOPNOTSUPP);
	PRISTINE(fd);
	/* Before row 10 (IPv6 destination) and row 12 (port 0). */
	tu_loopback(&d, &dl, AF_INET6, 0);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EOPNOTSUPP);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row09_unix_before_row10_row12)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_UNIX, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET6, 0);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EOPNOTSUPP);
}
END_TEST

START_TEST(test_connectx_row09_unix_listening_before_row16)
{
	struct sockaddr_un sun;
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_UNIX, SOCK_STREAM);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	/* abstract name: nothing in the file system */
	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "cx-test-%d",
	    (int)getpid());
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	tu_loopback(&d, &dl, AF_INET, 9);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EOPNOTSUPP);
}
END_TEST

/* ---- row 10: family differs ------------------------------------------ */

START_TEST(test_connectx_row10_v6_dst_on_v4_eafnosupport)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    u = tu_socket(AF_INET, SOCK_DGRAM);

	tu_loopback(&d, &dl, AF_INET6, tu_free_port(AF_INET6));
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
	CX_FAIL0(u, &ep, EAFNOSUPPORT);
	PRISTINE(u);
}
END_TEST

START_TEST(test_connectx_row10_v4_dst_on_v6_eafnosupport)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET6, SOCK_STREAM),
	    u = tu_socket(AF_INET6, SOCK_DGRAM);

	/* connectx does not map IPv4 (sctp_connectx does). */
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
	CX_FAIL0(u, &ep, EAFNOSUPPORT);
	PRISTINE(u);
}
END_TEST

START_TEST(test_connectx_row10_lone_foreign_family_kept_whole)
{
	struct sockaddr_un sun;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	/* HACKING: a lone destination of another family is EAFNOSUPPORT. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, "/nonexistent/cx-test");
	ep = dst_ep(&sun, sizeof(sun));
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row10_src_family_differs)
{
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    fd6 = tu_socket(AF_INET6, SOCK_STREAM);

	/* HACKING: a source of another family is EAFNOSUPPORT at row 10. */
	tu_loopback(&s, &sl, AF_INET6, 0);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
	tu_loopback(&s, &sl, AF_INET, 0);
	tu_loopback(&d, &dl, AF_INET6, tu_free_port(AF_INET6));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	CX_FAIL0(fd6, &ep, EAFNOSUPPORT);
	PRISTINE(fd6);
}
END_TEST

START_TEST(test_connectx_row10_second_in_list)
{
	struct listener l;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[256];
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	a[0] = l.addr;
	al[0] = l.addrlen;
	tu_loopback(&a[1], &al[1], AF_INET6, 9);
	ep = dst_ep(buf, (socklen_t)tu_pack(buf, a, al, 2));
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
	tu_assert_no_connection(&l);
}
END_TEST

START_TEST(test_connectx_row10_before_row11_row12)
{
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[256];
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	/* First entry: port 0 and multicast; second: another family. */
	tu_set_v4(&a[0], &al[0], "224.0.0.1", 0);
	tu_loopback(&a[1], &al[1], AF_INET6, 9);
	ep = dst_ep(buf, (socklen_t)tu_pack(buf, a, al, 2));
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	tu_set_v4(&a[0], &al[0], "127.0.0.1", 0);
	ep = dst_ep(buf, (socklen_t)tu_pack(buf, a, al, 2));
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row10_before_row13)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET6, 9);
	ep = dst_ep(&d, dl);
	ep.sae_srcif = 99999;
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row10_before_row16_listening)
{
	struct listener l;
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct snap s;
	int fd = tcp_listening(AF_INET, &l);

	tu_loopback(&d, &dl, AF_INET6, 9);
	ep = dst_ep(&d, dl);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_connectx_row10_before_row17_connected)
{
	struct listener l;
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct snap s;
	int peer, fd = tcp_connected(AF_INET6, &l, &peer);

	tu_loopback(&d, &dl, AF_INET, 9);
	ep = dst_ep(&d, dl);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	UNCHANGED(fd, &s);
}
END_TEST

/* ---- row 11: TCP to multicast or broadcast --------------------------- */

START_TEST(test_connectx_row11_tcp4_multicast_eafnosupport)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_set_v4(&d, &dl, "224.0.0.1", 9);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	tu_set_v4(&d, &dl, "239.255.255.250", 1900);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row11_tcp4_broadcast_eafnosupport)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_set_v4(&d, &dl, "255.255.255.255", 9);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row11_tcp6_multicast_eafnosupport)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET6, SOCK_STREAM);

	tu_set_v6(&d, &dl, "ff02::1", 9);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	tu_set_v6(&d, &dl, "ff05::1:3", 547);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row11_tcp6_mapped_eafnosupport)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET6, SOCK_STREAM);

	tu_set_v6(&d, &dl, "::ffff:224.0.0.1", 9);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	tu_set_v6(&d, &dl, "::ffff:255.255.255.255", 9);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row11_second_in_list)
{
	struct listener l;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[256];
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	a[0] = l.addr;
	al[0] = l.addrlen;
	tu_set_v4(&a[1], &al[1], "224.0.0.1", 9);
	ep = dst_ep(buf, (socklen_t)tu_pack(buf, a, al, 2));
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
	tu_assert_no_connection(&l);
}
END_TEST

START_TEST(test_connectx_row11_before_row12)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_set_v4(&d, &dl, "224.0.0.1", 0);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row11_not_for_udp)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_DGRAM);

	/* UDP may go to multicast: the call reaches row 12 (port 0). */
	tu_set_v4(&d, &dl, "224.0.0.1", 0);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row11_before_row17_connected)
{
	struct listener l;
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct snap s;
	int peer, fd = tcp_connected(AF_INET, &l, &peer);

	tu_set_v4(&d, &dl, "255.255.255.255", 9);
	ep = dst_ep(&d, dl);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EAFNOSUPPORT);
	UNCHANGED(fd, &s);
}
END_TEST

/* ---- row 12: port 0 -------------------------------------------------- */

START_TEST(test_connectx_row12_port0_tcp_eaddrnotavail)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    fd6 = tu_socket(AF_INET6, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, 0);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	PRISTINE(fd);
	tu_loopback(&d, &dl, AF_INET6, 0);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd6, &ep, EADDRNOTAVAIL);
	PRISTINE(fd6);
}
END_TEST

START_TEST(test_connectx_row12_port0_udp_eaddrnotavail)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_DGRAM),
	    fd6 = tu_socket(AF_INET6, SOCK_DGRAM);

	tu_loopback(&d, &dl, AF_INET, 0);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	PRISTINE(fd);
	tu_loopback(&d, &dl, AF_INET6, 0);
	ep = dst_ep(&d, dl);
	CX_FAIL0(fd6, &ep, EADDRNOTAVAIL);
	PRISTINE(fd6);
}
END_TEST

START_TEST(test_connectx_row12_port0_second_in_list)
{
	struct listener l;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[256];
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET6, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(&l, AF_INET6, 8), 0);
	a[0] = l.addr;
	al[0] = l.addrlen;
	tu_loopback(&a[1], &al[1], AF_INET6, 0);
	ep = dst_ep(buf, (socklen_t)tu_pack(buf, a, al, 2));
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	PRISTINE(fd);
	tu_assert_no_connection(&l);
}
END_TEST

START_TEST(test_connectx_row12_udp_connected_left_as_was)
{
	struct sockaddr_storage d, peer;
	socklen_t dl, pl;
	sa_endpoints_t ep;
	struct snap s;
	int fd = tu_socket(AF_INET, SOCK_DGRAM);

	tu_loopback(&peer, &pl, AF_INET, tu_free_port(AF_INET));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&peer, pl), 0);
	tu_loopback(&d, &dl, AF_INET, 0);
	ep = dst_ep(&d, dl);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_connectx_row12_before_row13)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_loopback(&d, &dl, AF_INET, 0);
	ep = dst_ep(&d, dl);
	ep.sae_srcif = 99999;
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row12_before_row16_17_18)
{
	struct listener l, l2;
	struct blackhole bh;
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct snap s;
	int peer, fd;

	tu_loopback(&d, &dl, AF_INET, 0);
	ep = dst_ep(&d, dl);
	fd = tcp_listening(AF_INET, &l);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	UNCHANGED(fd, &s);
	fd = tcp_connected(AF_INET, &l2, &peer);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	UNCHANGED(fd, &s);
	fd = tu_tcp_connecting(AF_INET, &bh);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	UNCHANGED(fd, &s);
}
END_TEST

/* ---- row 13: no such interface --------------------------------------- */

START_TEST(test_connectx_row13_srcif_enxio)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    u = tu_socket(AF_INET6, SOCK_DGRAM);

	ck_assert_uint_eq(if_nametoindex("cx-none"), 0);
	ck_assert_ptr_null(if_indextoname(99999, (char[IF_NAMESIZE]){ 0 }));
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcif = 99999;
	CX_FAIL0(fd, &ep, ENXIO);
	PRISTINE(fd);
	tu_loopback(&d, &dl, AF_INET6, tu_free_port(AF_INET6));
	ep = dst_ep(&d, dl);
	ep.sae_srcif = 99999;
	CX_FAIL0(u, &ep, ENXIO);
	PRISTINE(u);
}
END_TEST

START_TEST(test_connectx_row13_with_srcaddr_enxio)
{
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_loopback(&s, &sl, AF_INET, 0);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcif = 99999;
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	CX_FAIL0(fd, &ep, ENXIO);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row13_before_row14)
{
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_set_v4(&s, &sl, "192.0.2.1", 0);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcif = 99999;
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	CX_FAIL0(fd, &ep, ENXIO);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row13_before_row15)
{
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	int other = bound_sock(AF_INET, SOCK_STREAM, 0, &s, &sl);
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	(void)other;
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcif = 99999;
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	CX_FAIL0(fd, &ep, ENXIO);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row13_before_row16_17_18)
{
	struct listener l, l2;
	struct blackhole bh;
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct snap s;
	int peer, fd;

	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcif = 99999;
	fd = tcp_listening(AF_INET, &l);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, ENXIO);
	UNCHANGED(fd, &s);
	fd = tcp_connected(AF_INET, &l2, &peer);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, ENXIO);
	UNCHANGED(fd, &s);
	fd = tu_tcp_connecting(AF_INET, &bh);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, ENXIO);
	UNCHANGED(fd, &s);
}
END_TEST

/* ---- row 14: source not this host's (or not the interface's) --------- */

START_TEST(test_connectx_row14_srcaddr_not_local_v4)
{
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM),
	    u = tu_socket(AF_INET, SOCK_DGRAM);

	tu_set_v4(&s, &sl, "192.0.2.1", 0);
	if (is_local(&s, sl))
		return;
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	PRISTINE(fd);
	CX_FAIL0(u, &ep, EADDRNOTAVAIL);
	PRISTINE(u);
}
END_TEST

START_TEST(test_connectx_row14_srcaddr_not_local_v6)
{
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET6, SOCK_STREAM),
	    u = tu_socket(AF_INET6, SOCK_DGRAM);

	tu_set_v6(&s, &sl, "2001:db8::1", 0);
	if (is_local(&s, sl))
		return;
	tu_loopback(&d, &dl, AF_INET6, tu_free_port(AF_INET6));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	PRISTINE(fd);
	CX_FAIL0(u, &ep, EADDRNOTAVAIL);
	PRISTINE(u);
}
END_TEST

START_TEST(test_connectx_row14_srcif_lo_foreign_addr)
{
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	tu_set_v4(&s, &sl, "192.0.2.1", 0);
	if (is_local(&s, sl))
		return;
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcif = lo_index();
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row14_srcif_lo_addr_of_other_interface)
{
	struct ifaddrs *list, *ifa;
	struct sockaddr_storage s, d;
	socklen_t sl = 0, dl;
	sa_endpoints_t ep;
	int fd;

	/* An address of this host on an interface that is not lo. */
	ck_assert_int_eq(getifaddrs(&list), 0);
	for (ifa = list; ifa != NULL; ifa = ifa->ifa_next)
		if (ifa->ifa_addr != NULL && ifa->ifa_addr->sa_family == AF_INET &&
		    !(ifa->ifa_flags & IFF_LOOPBACK)) {
			memset(&s, 0, sizeof(s));
			memcpy(&s, ifa->ifa_addr, sizeof(struct sockaddr_in));
			sl = sizeof(struct sockaddr_in);
			break;
		}
	freeifaddrs(list);
	if (sl == 0) {
		printf("SKIP: no IPv4 address on an interface other than lo\n");
		return;
	}
	fd = tu_socket(AF_INET, SOCK_STREAM);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcif = lo_index();
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row14_srcif_lo_loopback_addr_passes)
{
	struct listener l;
	struct sockaddr_storage s, got;
	socklen_t sl, gl = sizeof(got);
	sa_endpoints_t ep;
	size_t len = 777;
	sae_connid_t cid = 777;
	int fd = tu_socket(AF_INET, SOCK_STREAM);

	/* 127.0.0.5 is lo's (all of 127/8 is): no row 14, the call connects. */
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

START_TEST(test_connectx_row14_before_row16_17_18)
{
	struct listener l, l2;
	struct blackhole bh;
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	struct snap sn;
	int peer, fd;

	tu_set_v4(&s, &sl, "192.0.2.1", 0);
	if (is_local(&s, sl))
		return;
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	fd = tcp_listening(AF_INET, &l);
	snap_take(fd, &sn);
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	UNCHANGED(fd, &sn);
	fd = tcp_connected(AF_INET, &l2, &peer);
	snap_take(fd, &sn);
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	UNCHANGED(fd, &sn);
	fd = tu_tcp_connecting(AF_INET, &bh);
	snap_take(fd, &sn);
	CX_FAIL0(fd, &ep, EADDRNOTAVAIL);
	UNCHANGED(fd, &sn);
}
END_TEST

/* ---- row 15: source in use ------------------------------------------- */

static void
row15_case(int family, int type)
{
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	int other = bound_sock(family, type, 0, &s, &sl);
	int fd = tu_socket(family, type);

	tu_loopback(&d, &dl, family, tu_free_port(family));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	CX_FAIL0(fd, &ep, EADDRINUSE);
	PRISTINE(fd);
	close(other);
}

START_TEST(test_connectx_row15_srcaddr_in_use_tcp4)
{
	row15_case(AF_INET, SOCK_STREAM);
}
END_TEST

START_TEST(test_connectx_row15_srcaddr_in_use_tcp6)
{
	row15_case(AF_INET6, SOCK_STREAM);
}
END_TEST

START_TEST(test_connectx_row15_srcaddr_in_use_udp4)
{
	row15_case(AF_INET, SOCK_DGRAM);
}
END_TEST

START_TEST(test_connectx_row15_srcaddr_in_use_udp6)
{
	row15_case(AF_INET6, SOCK_DGRAM);
}
END_TEST

START_TEST(test_connectx_row15_in_use_by_listener)
{
	struct listener busy;
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	int one = 1, fd = tu_socket(AF_INET, SOCK_STREAM);

	/* Even with SO_REUSEADDR, a listener's address is taken. */
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)), 0);
	ck_assert_int_eq(tu_listen(&busy, AF_INET, 8), 0);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&busy.addr;
	ep.sae_srcaddrlen = busy.addrlen;
	CX_FAIL0(fd, &ep, EADDRINUSE);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_row15_before_row16_17_18)
{
	struct listener l, l2;
	struct blackhole bh;
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	struct snap sn;
	int peer, fd, other = bound_sock(AF_INET, SOCK_STREAM, 0, &s, &sl);

	(void)other;
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	fd = tcp_listening(AF_INET, &l);
	snap_take(fd, &sn);
	CX_FAIL0(fd, &ep, EADDRINUSE);
	UNCHANGED(fd, &sn);
	fd = tcp_connected(AF_INET, &l2, &peer);
	snap_take(fd, &sn);
	CX_FAIL0(fd, &ep, EADDRINUSE);
	UNCHANGED(fd, &sn);
	fd = tu_tcp_connecting(AF_INET, &bh);
	snap_take(fd, &sn);
	CX_FAIL0(fd, &ep, EADDRINUSE);
	UNCHANGED(fd, &sn);
}
END_TEST

START_TEST(test_connectx_row15_v6only_source_not_in_use)
{
	struct listener l;
	struct sockaddr_storage s, any6;
	socklen_t sl;
	sa_endpoints_t ep;
	size_t len;
	sae_connid_t cid;
	int one = 1, fd = tu_socket(AF_INET6, SOCK_STREAM);
	int other = bound_sock(AF_INET, SOCK_STREAM, 0, &s, &sl);

	/*
	 * 127.0.0.1:P is held by an IPv4 socket.  [::]:P is free for an
	 * IPV6_V6ONLY socket (bind(2) succeeds), so row 15 must not apply.
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

/* ---- row 16: listening ----------------------------------------------- */

START_TEST(test_connectx_row16_listening_eopnotsupp)
{
	struct listener l, live;
	sa_endpoints_t ep;
	struct snap s;
	int fd = tcp_listening(AF_INET, &l);

	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	ep = dst_ep(&live.addr, live.addrlen);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EOPNOTSUPP);
	UNCHANGED(fd, &s);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_LISTEN);
	tu_assert_no_connection(&live);
}
END_TEST

START_TEST(test_connectx_row16_listening_v6_eopnotsupp)
{
	struct listener l, live;
	sa_endpoints_t ep;
	struct snap s;
	int fd = tcp_listening(AF_INET6, &l);

	ck_assert_int_eq(tu_listen(&live, AF_INET6, 8), 0);
	ep = dst_ep(&live.addr, live.addrlen);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EOPNOTSUPP);
	UNCHANGED(fd, &s);
	tu_assert_no_connection(&live);
}
END_TEST

START_TEST(test_connectx_row16_listening_with_srcaddr)
{
	struct listener l;
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	struct snap sn;
	int fd = tcp_listening(AF_INET, &l);

	/* A free source: rows 13-15 pass; row 16 before bind(2)'s EINVAL. */
	tu_loopback(&s, &sl, AF_INET, 0);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	snap_take(fd, &sn);
	CX_FAIL0(fd, &ep, EOPNOTSUPP);
	UNCHANGED(fd, &sn);
}
END_TEST

/* ---- row 17: TCP already connected ----------------------------------- */

START_TEST(test_connectx_row17_connected_eisconn)
{
	struct listener l, other;
	sa_endpoints_t ep;
	struct snap s;
	int peer, fd = tcp_connected(AF_INET, &l, &peer);

	ck_assert_int_eq(tu_listen(&other, AF_INET, 8), 0);
	ep = dst_ep(&other.addr, other.addrlen);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EISCONN);
	UNCHANGED(fd, &s);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_ESTABLISHED);
	tu_assert_no_connection(&other);
}
END_TEST

START_TEST(test_connectx_row17_connected_by_connectx_eisconn)
{
	struct listener l;
	sa_endpoints_t ep;
	struct snap s;
	int fd = tu_socket(AF_INET6, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(&l, AF_INET6, 8), 0);
	ep = dst_ep(&l.addr, l.addrlen);
	ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL), 0);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EISCONN);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_connectx_row17_not_for_udp)
{
	struct sockaddr_storage a, b;
	socklen_t al, bl;
	sa_endpoints_t ep;
	int ra = bound_sock(AF_INET, SOCK_DGRAM, 0, &a, &al);
	int rb = bound_sock(AF_INET, SOCK_DGRAM, 0, &b, &bl);
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

START_TEST(test_connectx_row17_before_bound_einval)
{
	struct listener l;
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	struct snap sn;
	int peer, fd = tcp_connected(AF_INET, &l, &peer);

	tu_loopback(&s, &sl, AF_INET, 0);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	snap_take(fd, &sn);
	CX_FAIL0(fd, &ep, EISCONN);
	UNCHANGED(fd, &sn);
}
END_TEST

/* ---- row 18: connect in progress ------------------------------------- */

START_TEST(test_connectx_row18_connect_in_progress_ealready)
{
	struct blackhole bh;
	struct listener live;
	sa_endpoints_t ep;
	struct snap s;
	int fd = tu_tcp_connecting(AF_INET, &bh);

	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	ep = dst_ep(&live.addr, live.addrlen);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EALREADY);
	UNCHANGED(fd, &s);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_SYN_SENT);
	tu_assert_no_connection(&live);
}
END_TEST

START_TEST(test_connectx_row18_connect_in_progress_v6_ealready)
{
	struct blackhole bh;
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct snap s;
	int fd = tu_tcp_connecting(AF_INET6, &bh);

	tu_refused(&d, &dl, AF_INET6);
	ep = dst_ep(&d, dl);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EALREADY);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_connectx_row18_connectx_in_progress_ealready)
{
	struct blackhole bh;
	sa_endpoints_t ep;
	struct snap s;
	int fd = tu_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);

	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	ep = dst_ep(&bh.l.addr, bh.l.addrlen);
	CX_FAIL0(fd, &ep, EINPROGRESS);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_SYN_SENT);
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EALREADY);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_connectx_row18_before_bound_einval)
{
	struct blackhole bh;
	struct sockaddr_storage s, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	struct snap sn;
	int fd = tu_tcp_connecting(AF_INET, &bh);

	tu_loopback(&s, &sl, AF_INET, 0);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	snap_take(fd, &sn);
	CX_FAIL0(fd, &ep, EALREADY);
	UNCHANGED(fd, &sn);
}
END_TEST

/* ---- HACKING.md choices ---------------------------------------------- */

START_TEST(test_connectx_hacking_bound_srcaddr_einval)
{
	struct sockaddr_storage b, s, d;
	socklen_t bl, sl, dl;
	sa_endpoints_t ep;
	struct snap sn;
	int fd = bound_sock(AF_INET, SOCK_STREAM, 0, &b, &bl);

	/* Already bound, another (free) source: bind(2)'s EINVAL, after row 18. */
	tu_loopback(&s, &sl, AF_INET, 0);
	tu_refused(&d, &dl, AF_INET);
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	snap_take(fd, &sn);
	CX_FAIL0(fd, &ep, EINVAL);
	UNCHANGED(fd, &sn);
	ck_assert(!tu_is_connected(fd));
}
END_TEST

START_TEST(test_connectx_hacking_bound_srcaddr_udp_einval)
{
	struct sockaddr_storage b, s, d;
	socklen_t bl, sl, dl;
	sa_endpoints_t ep;
	struct snap sn;
	int fd = bound_sock(AF_INET6, SOCK_DGRAM, 0, &b, &bl);

	tu_loopback(&s, &sl, AF_INET6, 0);
	tu_loopback(&d, &dl, AF_INET6, tu_free_port(AF_INET6));
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	snap_take(fd, &sn);
	CX_FAIL0(fd, &ep, EINVAL);
	UNCHANGED(fd, &sn);
}
END_TEST

START_TEST(test_connectx_hacking_bound_srcaddr_srcif_leaves_no_device)
{
	struct sockaddr_storage b, s, d;
	socklen_t bl, sl, dl;
	sa_endpoints_t ep;
	struct snap sn;
	int fd = bound_sock(AF_INET, SOCK_STREAM, 0, &b, &bl);

	/* The EINVAL leaves the socket as it was: not bound to lo either. */
	tu_loopback(&s, &sl, AF_INET, 0);
	tu_refused(&d, &dl, AF_INET);
	ep = dst_ep(&d, dl);
	ep.sae_srcif = lo_index();
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	snap_take(fd, &sn);
	CX_FAIL0(fd, &ep, EINVAL);
	UNCHANGED(fd, &sn);
}
END_TEST

START_TEST(test_connectx_hacking_subnet_broadcast_not_row11)
{
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	size_t len = 777;
	sae_connid_t cid = 777;
	int r, e, fd = tu_socket(AF_INET, SOCK_STREAM);

	/* lo's own directed broadcast: the kernel refuses it, not row 11. */
	tu_set_v4(&d, &dl, "127.255.255.255", tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	r = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, &len, &cid);
	e = errno;
	ck_assert_int_eq(r, -1);
	ck_assert_msg(e == ENETUNREACH, "errno %d (%s), want ENETUNREACH", e,
	    strerror(e));
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(cid, 0);
	ck_assert(!tu_is_connected(fd));
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
 * 2: left on a device; 3: setup failed.
 */
static int
srcif_case_unprivileged(int bound_port, uint16_t src_port, int want)
{
	struct sockaddr_storage b, s, d;
	socklen_t bl, sl, dl, devlen = IFNAMSIZ;
	sa_endpoints_t ep;
	char dev[IFNAMSIZ + 1] = "";
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 3;
	if (bound_port >= 0) {
		tu_loopback(&b, &bl, AF_INET, (uint16_t)bound_port);
		if (bind(fd, (struct sockaddr *)&b, bl) != 0)
			return 3;
	}
	tu_loopback(&s, &sl, AF_INET, src_port);
	tu_refused(&d, &dl, AF_INET);
	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (struct sockaddr *)&d;
	ep.sae_dstaddrlen = dl;
	ep.sae_srcif = if_nametoindex("lo");
	ep.sae_srcaddr = (struct sockaddr *)&s;
	ep.sae_srcaddrlen = sl;
	if (connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL) != -1 ||
	    errno != want)
		return 1;
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &devlen) == 0 &&
	    dev[0] != '\0')
		return 2;
	close(fd);
	return 0;
}

static const char *const srcif_outcome[] = {
	"ok", "wrong outcome (errno)", "the socket was left bound to lo",
	"setup failed"
};

START_TEST(test_connectx_hacking_bound_srcaddr_srcif_unprivileged)
{
	pid_t pid;
	int status, code;

	/*
	 * As above without privilege: Linux >= 5.7 lets anyone bind a
	 * socket to a device, but only a privileged process may unbind it.
	 * A bind(2) refusal after the checks (EINVAL: already bound; EACCES:
	 * a privileged port) must still leave the socket on no device.
	 */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgroups(0, NULL) != 0 ||
		    setgid(65534) != 0 || setuid(65534) != 0))
			_exit(3);
		code = srcif_case_unprivileged(0, 0, EINVAL);
		if (code == 0 && unprivileged_port_start() > 1)
			code = 10 + srcif_case_unprivileged(-1, 1, EACCES);
		_exit(code == 10 ? 0 : code);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	code = WEXITSTATUS(status);
	ck_assert_msg(code == 0, "unprivileged, %s: %s",
	    code >= 10 ? "fresh socket, source port 1 (EACCES)" :
	    "bound socket (EINVAL)", srcif_outcome[code % 10 & 3]);
}
END_TEST

START_TEST(test_connectx_hacking_parked_run_ealready)
{
	struct listener l;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[64];
	sa_endpoints_t ep;
	struct snap s;
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
	snap_take(fd, &s);
	CX_FAIL0(fd, &ep, EALREADY);
	UNCHANGED(fd, &s);
}
END_TEST

START_TEST(test_connectx_hacking_udp_emsgsize_untouched)
{
	static char big[65535 - 20 - 8 + 1];
	struct sockaddr_storage src, d;
	socklen_t sl, dl;
	sa_endpoints_t ep;
	struct iovec iov[2] = { { big, 65508 }, { big, 0 } };
	int r = bound_sock(AF_INET, SOCK_DGRAM, 0, &d, &dl);
	int fd = tu_socket(AF_INET, SOCK_DGRAM);

	/* HACKING: over 65507 bytes, EMSGSIZE before the source binding. */
	(void)r;
	tu_loopback(&src, &sl, AF_INET, 0);
	ep = dst_ep(&d, dl);
	ep.sae_srcaddr = (struct sockaddr *)&src;
	ep.sae_srcaddrlen = sl;
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, iov, 1, EMSGSIZE);
	PRISTINE(fd);
	iov[0].iov_len = 60000;
	iov[1].iov_len = 5508;			/* the total counts */
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, iov, 2, EMSGSIZE);
	PRISTINE(fd);
}
END_TEST

START_TEST(test_connectx_hacking_udp6_emsgsize_untouched)
{
	static char big[65535 - 8 + 1];
	struct sockaddr_storage d;
	socklen_t dl;
	sa_endpoints_t ep;
	struct iovec iov = { big, 65528 };
	int fd = tu_socket(AF_INET6, SOCK_DGRAM);

	tu_loopback(&d, &dl, AF_INET6, tu_free_port(AF_INET6));
	ep = dst_ep(&d, dl);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 1, EMSGSIZE);
	PRISTINE(fd);
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
	int r = bound_sock(AF_INET, SOCK_DGRAM, 0, &d, &dl);
	int fd = tu_socket(AF_INET, SOCK_DGRAM);

	ep = dst_ep(&d, dl);
	ck_assert_msg(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 1, &len, NULL) == 0,
	    "connectx: %s", strerror(errno));
	ck_assert_uint_eq(len, sizeof(big));
	ck_assert_int_eq(recv(r, big, sizeof(big), MSG_DONTWAIT), (int)sizeof(big));
}
END_TEST

START_TEST(test_connectx_hacking_emsgsize_after_rows)
{
	static char big[65508];
	struct listener l;
	struct sockaddr_storage d, peer;
	socklen_t dl, pl;
	sa_endpoints_t ep;
	struct iovec iov = { big, sizeof(big) };
	struct snap s;
	int fd = tu_socket(AF_INET, SOCK_DGRAM);

	/* Row 12 comes first. */
	tu_loopback(&d, &dl, AF_INET, 0);
	ep = dst_ep(&d, dl);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 1, EADDRNOTAVAIL);
	PRISTINE(fd);
	/* A connected UDP socket keeps its peer. */
	tu_loopback(&peer, &pl, AF_INET, tu_free_port(AF_INET));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&peer, pl), 0);
	tu_loopback(&d, &dl, AF_INET, tu_free_port(AF_INET));
	ep = dst_ep(&d, dl);
	snap_take(fd, &s);
	CX_FAIL(fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 1, EMSGSIZE);
	UNCHANGED(fd, &s);
	/* TCP is a byte stream: no EMSGSIZE; a listening socket is row 16. */
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	snap_take(l.fd, &s);
	CX_FAIL(l.fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 1, EOPNOTSUPP);
	UNCHANGED(l.fd, &s);
}
END_TEST

START_TEST(test_connectx_hacking_udp_failed_reassociation_keeps_record)
{
	struct sockaddr_storage a, bc;
	socklen_t al, bl;
	sa_endpoints_t ep;
	struct snap s;
	sctp_assoc_t id = 0, id2 = 0;
	int r = bound_sock(AF_INET, SOCK_DGRAM, 0, &a, &al);
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
	snap_take(fd, &s);
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

	tc = tcase_create("rows01_08");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_connectx_row01_negative_fd_ebadf);
	tcase_add_test(tc, test_connectx_row01_closed_fd_ebadf);
	tcase_add_test(tc, test_connectx_row01_before_row03);
	tcase_add_test(tc, test_connectx_row02_pipe_enotsock);
	tcase_add_test(tc, test_connectx_row02_before_row03);
	tcase_add_test(tc, test_connectx_row03_null_endpoints_einval);
	tcase_add_test(tc, test_connectx_row03_before_row09_unix);
	tcase_add_test(tc, test_connectx_row03_before_row17_connected);
	tcase_add_test(tc, test_connectx_row04_srcaddrlen_enametoolong);
	tcase_add_test(tc, test_connectx_row04_srcaddrlen_255_passes);
	tcase_add_test(tc, test_connectx_row04_before_row06);
	tcase_add_test(tc, test_connectx_row04_before_row09_unix);
	tcase_add_test(tc, test_connectx_row05_srcaddr_short_v4_einval);
	tcase_add_test(tc, test_connectx_row05_srcaddr_short_v6_einval);
	tcase_add_test(tc, test_connectx_row05_before_row10);
	tcase_add_test(tc, test_connectx_row05_before_row09_unix);
	tcase_add_test(tc, test_connectx_row06_dst_null_einval);
	tcase_add_test(tc, test_connectx_row06_dstlen_short_einval);
	tcase_add_test(tc, test_connectx_row06_dstlen_not_whole_einval);
	tcase_add_test(tc, test_connectx_row06_packed_unsizeable_family_einval);
	tcase_add_test(tc, test_connectx_row06_before_row09_unix);
	tcase_add_test(tc, test_connectx_row06_before_row10_short_v6_on_v4);
	tcase_add_test(tc, test_connectx_row07_iovcnt_zero_einval);
	tcase_add_test(tc, test_connectx_row07_iovcnt_over_iov_max_einval);
	tcase_add_test(tc, test_connectx_row07_iov_max_1024_passes);
	tcase_add_test(tc, test_connectx_row07_len_null_einval);
	tcase_add_test(tc, test_connectx_row07_total_overflows_ssize_einval);
	tcase_add_test(tc, test_connectx_row07_before_row09_unix);
	tcase_add_test(tc, test_connectx_row07_before_row12_port0);
	tcase_add_test(tc, test_connectx_row08_associd_not_any_einval);
	tcase_add_test(tc, test_connectx_row08_unknown_flag_einval);
	tcase_add_test(tc, test_connectx_row08_before_row09_unix);
	tcase_add_test(tc, test_connectx_row08_before_row16_listening);
	suite_add_tcase(s, tc);

	tc = tcase_create("rows09_12");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_connectx_row09_unix_stream_eopnotsupp);
	tcase_add_test(tc, test_connectx_row09_unix_dgram_eopnotsupp);
	tcase_add_test(tc, test_connectx_row09_netlink_eopnotsupp);
	tcase_add_test(tc, test_connectx_row09_raw_eopnotsupp);
	tcase_add_test(tc, test_connectx_row09_raw_before_row10);
	tcase_add_test(tc, test_connectx_row09_icmp_dgram_eopnotsupp);
	tcase_add_test(tc, test_connectx_row09_unix_before_row10_row12);
	tcase_add_test(tc, test_connectx_row09_unix_listening_before_row16);
	tcase_add_test(tc, test_connectx_row10_v6_dst_on_v4_eafnosupport);
	tcase_add_test(tc, test_connectx_row10_v4_dst_on_v6_eafnosupport);
	tcase_add_test(tc, test_connectx_row10_lone_foreign_family_kept_whole);
	tcase_add_test(tc, test_connectx_row10_src_family_differs);
	tcase_add_test(tc, test_connectx_row10_second_in_list);
	tcase_add_test(tc, test_connectx_row10_before_row11_row12);
	tcase_add_test(tc, test_connectx_row10_before_row13);
	tcase_add_test(tc, test_connectx_row10_before_row16_listening);
	tcase_add_test(tc, test_connectx_row10_before_row17_connected);
	tcase_add_test(tc, test_connectx_row11_tcp4_multicast_eafnosupport);
	tcase_add_test(tc, test_connectx_row11_tcp4_broadcast_eafnosupport);
	tcase_add_test(tc, test_connectx_row11_tcp6_multicast_eafnosupport);
	tcase_add_test(tc, test_connectx_row11_tcp6_mapped_eafnosupport);
	tcase_add_test(tc, test_connectx_row11_second_in_list);
	tcase_add_test(tc, test_connectx_row11_before_row12);
	tcase_add_test(tc, test_connectx_row11_not_for_udp);
	tcase_add_test(tc, test_connectx_row11_before_row17_connected);
	tcase_add_test(tc, test_connectx_row12_port0_tcp_eaddrnotavail);
	tcase_add_test(tc, test_connectx_row12_port0_udp_eaddrnotavail);
	tcase_add_test(tc, test_connectx_row12_port0_second_in_list);
	tcase_add_test(tc, test_connectx_row12_udp_connected_left_as_was);
	tcase_add_test(tc, test_connectx_row12_before_row13);
	tcase_add_test(tc, test_connectx_row12_before_row16_17_18);
	suite_add_tcase(s, tc);

	tc = tcase_create("rows13_18");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_connectx_row13_srcif_enxio);
	tcase_add_test(tc, test_connectx_row13_with_srcaddr_enxio);
	tcase_add_test(tc, test_connectx_row13_before_row14);
	tcase_add_test(tc, test_connectx_row13_before_row15);
	tcase_add_test(tc, test_connectx_row13_before_row16_17_18);
	tcase_add_test(tc, test_connectx_row14_srcaddr_not_local_v4);
	tcase_add_test(tc, test_connectx_row14_srcaddr_not_local_v6);
	tcase_add_test(tc, test_connectx_row14_srcif_lo_foreign_addr);
	tcase_add_test(tc, test_connectx_row14_srcif_lo_addr_of_other_interface);
	tcase_add_test(tc, test_connectx_row14_srcif_lo_loopback_addr_passes);
	tcase_add_test(tc, test_connectx_row14_before_row16_17_18);
	tcase_add_test(tc, test_connectx_row15_srcaddr_in_use_tcp4);
	tcase_add_test(tc, test_connectx_row15_srcaddr_in_use_tcp6);
	tcase_add_test(tc, test_connectx_row15_srcaddr_in_use_udp4);
	tcase_add_test(tc, test_connectx_row15_srcaddr_in_use_udp6);
	tcase_add_test(tc, test_connectx_row15_in_use_by_listener);
	tcase_add_test(tc, test_connectx_row15_before_row16_17_18);
	tcase_add_test(tc, test_connectx_row15_v6only_source_not_in_use);
	tcase_add_test(tc, test_connectx_row16_listening_eopnotsupp);
	tcase_add_test(tc, test_connectx_row16_listening_v6_eopnotsupp);
	tcase_add_test(tc, test_connectx_row16_listening_with_srcaddr);
	tcase_add_test(tc, test_connectx_row17_connected_eisconn);
	tcase_add_test(tc, test_connectx_row17_connected_by_connectx_eisconn);
	tcase_add_test(tc, test_connectx_row17_not_for_udp);
	tcase_add_test(tc, test_connectx_row17_before_bound_einval);
	tcase_add_test(tc, test_connectx_row18_connect_in_progress_ealready);
	tcase_add_test(tc, test_connectx_row18_connect_in_progress_v6_ealready);
	tcase_add_test(tc, test_connectx_row18_connectx_in_progress_ealready);
	tcase_add_test(tc, test_connectx_row18_before_bound_einval);
	suite_add_tcase(s, tc);

	tc = tcase_create("hacking");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_connectx_hacking_bound_srcaddr_einval);
	tcase_add_test(tc, test_connectx_hacking_bound_srcaddr_udp_einval);
	tcase_add_test(tc, test_connectx_hacking_bound_srcaddr_srcif_leaves_no_device);
	tcase_add_test(tc, test_connectx_hacking_subnet_broadcast_not_row11);
	tcase_add_test(tc, test_connectx_hacking_bound_srcaddr_srcif_unprivileged);
	tcase_add_test(tc, test_connectx_hacking_parked_run_ealready);
	tcase_add_test(tc, test_connectx_hacking_udp_emsgsize_untouched);
	tcase_add_test(tc, test_connectx_hacking_udp6_emsgsize_untouched);
	tcase_add_test(tc, test_connectx_hacking_udp_65507_passes);
	tcase_add_test(tc, test_connectx_hacking_emsgsize_after_rows);
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
