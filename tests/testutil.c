#include <config.h>

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>

#include <check.h>

#include "connectx.h"
#include "testutil.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

void
tu_loopback(struct sockaddr_storage *ss, socklen_t *len, int family, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = in6addr_loopback;
		*len = sizeof(*sin6);
	}
}

int
tu_listen(struct listener *l, int family, int backlog)
{
	l->fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return -1;
	tu_loopback(&l->addr, &l->addrlen, family, 0);
	if (bind(l->fd, (struct sockaddr *)&l->addr, l->addrlen) != 0 ||
	    listen(l->fd, backlog) != 0 ||
	    getsockname(l->fd, (struct sockaddr *)&l->addr, &l->addrlen) != 0) {
		close(l->fd);
		return -1;
	}
	return 0;
}

int
tu_blackhole(struct blackhole *b, int family)
{
	struct tcp_info ti;
	socklen_t len;
	int i, fd;

	if (tu_listen(&b->l, family, 0) != 0)
		return -1;
	/* backlog 0 admits one connection into the accept queue; fill it. */
	b->nfill = 0;
	for (i = 0; i < 2; i++) {
		fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		connect(fd, (struct sockaddr *)&b->l.addr, b->l.addrlen);
		b->fill[b->nfill++] = fd;
		usleep(20000);
	}
	/* The first filler is established; the queue is now full. */
	len = sizeof(ti);
	if (getsockopt(b->fill[0], IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
	    ti.tcpi_state != TCP_ESTABLISHED) {
		tu_blackhole_close(b);
		return -1;
	}
	return 0;
}

void
tu_blackhole_close(struct blackhole *b)
{
	int i;

	for (i = 0; i < b->nfill; i++)
		close(b->fill[i]);
	b->nfill = 0;
	close(b->l.fd);
}

void
tu_refused(struct sockaddr_storage *ss, socklen_t *len, int family)
{
	struct listener l;

	/* Take a free port from the kernel, then let it go: nobody listens. */
	if (tu_listen(&l, family, 1) == 0) {
		*ss = l.addr;
		*len = l.addrlen;
		close(l.fd);
	} else
		tu_loopback(ss, len, family, 1);
}

void *
tu_unblock_later(void *arg)
{
	struct tu_unblock *u = arg;
	struct pollfd p = { u->started, POLLIN, 0 };

	if (u->started >= 0)
		(void)poll(&p, 1, 10000);
	usleep((useconds_t)u->after_ms * 1000);
	/* The filler still retransmitting must not take the freed place. */
	close(u->b->fill[1]);
	u->b->fill[1] = -1;
	close(accept(u->b->l.fd, NULL, NULL));
	return NULL;
}

void
tu_assert_slow_first_won(int fd, long d)
{
	struct cx_attempt *at;

	ck_assert_int_eq(cx_getpeerindex(fd, 0), 0);
	ck_assert_int_eq(cx_getattempts(fd, 0, &at), 2);
	ck_assert_int_eq(at[0].ca_error, 0);
	ck_assert_int_eq(at[1].ca_error, ECANCELED);
	/* The second started at D while the first kept running. */
	ck_assert(tu_ts_ms(at[1].ca_start) - tu_ts_ms(at[0].ca_start) >= d - 1);
	ck_assert(tu_ts_ms(at[0].ca_end) > tu_ts_ms(at[1].ca_start));
	cx_freeattempts(at);
}

size_t
tu_pack(unsigned char *buf, const struct sockaddr_storage *addrs,
    const socklen_t *lens, int n)
{
	size_t off = 0;
	int i;

	for (i = 0; i < n; i++) {
		memcpy(buf + off, &addrs[i], lens[i]);
		off += lens[i];
	}
	return off;
}

bool
tu_is_bound(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return false;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		return sin->sin_port != 0 || sin->sin_addr.s_addr != 0;
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		return sin6->sin6_port != 0 ||
		    !IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	}
	return false;
}

bool
tu_is_connected(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return getpeername(fd, (struct sockaddr *)&ss, &len) == 0;
}

int
tu_tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return -1;
	return ti.tcpi_state;
}

int
tu_accept(const struct listener *l, int ms)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	return accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
}

double
tu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double
tu_ts_ms(struct timespec t)
{
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

double
tu_margin_ms(double dflt)
{
	const char *s = getenv("CX_TEST_MARGIN_MS");
	double v = s != NULL ? atof(s) : 0;

	return v > dflt ? v : dflt;
}

int
tu_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

void
tu_set_v4(struct sockaddr_storage *ss, socklen_t *len, const char *a,
    uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, a, &sin->sin_addr), 1);
	*len = sizeof(*sin);
}

void
tu_set_v6(struct sockaddr_storage *ss, socklen_t *len, const char *a,
    uint16_t port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, a, &sin6->sin6_addr), 1);
	*len = sizeof(*sin6);
}

uint16_t
tu_port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

uint16_t
tu_free_port(int family)
{
	struct sockaddr_storage ss;
	socklen_t len;

	tu_refused(&ss, &len, family);
	return tu_port_of(&ss);
}

int
tu_socket(int family, int type)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	ck_assert_msg(fd >= 0, "socket: %s", strerror(errno));
	return fd;
}

int
tu_tcp_socket(int family, int extra)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | extra, 0);

	ck_assert_int_ge(fd, 0);
	return fd;
}

int
tu_bound(int family, int type, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	int fd = tu_socket(family, type);

	tu_loopback(ss, len, family, port);
	ck_assert_msg(bind(fd, (struct sockaddr *)ss, *len) == 0, "bind: %s",
	    strerror(errno));
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)ss, len), 0);
	return fd;
}

int
tu_tcp_connected(int family, struct listener *l, int *peer, bool by_connectx)
{
	int fd = tu_socket(family, SOCK_STREAM);

	ck_assert_int_eq(tu_listen(l, family, 8), 0);
	if (by_connectx)
		EXPECT_OK(tu_connectx(fd, &l->addr, &l->addrlen, 1));
	else
		EXPECT_OK(connect(fd, (struct sockaddr *)&l->addr, l->addrlen));
	*peer = tu_accept(l, 2000);
	ck_assert_int_ge(*peer, 0);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_ESTABLISHED);
	return fd;
}

int
tu_tcp_connecting(int family, struct blackhole *bh)
{
	int fd = tu_socket(family, SOCK_STREAM | SOCK_NONBLOCK);
	int r, e;

	ck_assert_int_eq(tu_blackhole(bh, family), 0);
	errno = 0;
	r = connect(fd, (struct sockaddr *)&bh->l.addr, bh->l.addrlen);
	e = errno;
	ck_assert_msg(r == -1 && e == EINPROGRESS,
	    "connect: returned %d, errno %d (%s); want -1, errno %d (%s)",
	    r, e, strerror(e), EINPROGRESS, strerror(EINPROGRESS));
	ck_assert_int_eq(tu_tcp_state(fd), TCP_SYN_SENT);
	return fd;
}

void
tu_assert_no_connection(const struct listener *l)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };

	ck_assert_msg(poll(&pfd, 1, 100) == 0,
	    "the listener got a connection: a check let a connect through");
}

uint16_t
tu_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	return tu_port_of(&ss);
}

uint64_t
tu_cookie(int fd)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);

	getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len);
	return c;
}

int
tu_connectx(int fd, const struct sockaddr_storage *a, const socklen_t *l,
    int n)
{
	unsigned char buf[TU_MAXDEST * sizeof(struct sockaddr_storage)];
	sa_endpoints_t ep = { 0 };

	ck_assert_int_le(n, TU_MAXDEST);
	ep.sae_dstaddr = (const struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, a, l, n);
	return connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
}

int
tu_connect_past(int fd, const struct blackhole *b,
    const struct listener *live, long d)
{
	struct sockaddr_storage a[2] = { b->l.addr, live->addr };
	socklen_t l[2] = { b->l.addrlen, live->addrlen };

	if (cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, d) != 0)
		return -1;
	return tu_connectx(fd, a, l, 2);
}

int
tu_drive(int fd)
{
	struct pollfd pfd[TU_MAXDEST];
	int r, k, w;

	while ((r = cx_step(fd, &w)) == -1 && errno == EINPROGRESS) {
		k = cx_fds(fd, pfd, TU_MAXDEST);
		ck_assert_int_ge(k, 1);
		ck_assert_int_eq(cx_timeout(fd, &w), 0);
		poll(pfd, (nfds_t)k, w);
	}
	return r;
}

void
tu_dl_add(struct tu_dlist *d, const struct sockaddr_storage *ss, socklen_t len)
{
	ck_assert_int_lt(d->n, TU_MAXDEST);
	d->a[d->n] = *ss;
	d->l[d->n] = len;
	d->n++;
}

void
tu_dl_add_refused(struct tu_dlist *d, int family)
{
	struct sockaddr_storage ss;
	socklen_t len;

	tu_refused(&ss, &len, family);
	tu_dl_add(d, &ss, len);
}

void
tu_snap_take(int fd, struct tu_snap *s)
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

const char *
tu_snap_changed(int fd, const struct tu_snap *b)
{
	struct tu_snap a;

	tu_snap_take(fd, &a);
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

static const char *const sock_name[S_OWN] = {
	"descriptor -1", "closed descriptor", "pipe (read end)",
	"pipe (write end)", "/dev/null", "AF_UNIX stream", "AF_UNIX datagram",
	"TCP/IPv4", "TCP/IPv6", "UDP/IPv4", "UDP/IPv6", "UDP/IPv4 connected",
	"AF_NETLINK", "raw IPv4", "raw IPv6", "ICMP datagram",
	"TCP/IPv4 listening", "TCP/IPv6 listening",
};

int
tu_sock_make(int kind, const char *row, struct listener *own)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, p[2];

	switch ((enum tu_sock)kind) {
	case S_NEG:		return -1;
	case S_CLOSED:
		fd = tu_socket(AF_INET, SOCK_STREAM);
		close(fd);
		return fd;
	case S_PIPE_R:
	case S_PIPE_W:
		ck_assert_int_eq(pipe(p), 0);
		return p[kind == S_PIPE_R ? 0 : 1];
	case S_DEVNULL:
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		ck_assert_int_ge(fd, 0);
		return fd;
	case S_UNIX_STREAM:	return tu_socket(AF_UNIX, SOCK_STREAM);
	case S_UNIX_DGRAM:	return tu_socket(AF_UNIX, SOCK_DGRAM);
	case S_TCP4:		return tu_socket(AF_INET, SOCK_STREAM);
	case S_TCP6:		return tu_socket(AF_INET6, SOCK_STREAM);
	case S_UDP4:		return tu_socket(AF_INET, SOCK_DGRAM);
	case S_UDP6:		return tu_socket(AF_INET6, SOCK_DGRAM);
	case S_UDP4_CONNECTED:
		fd = tu_socket(AF_INET, SOCK_DGRAM);
		tu_loopback(&ss, &len, AF_INET, tu_free_port(AF_INET));
		ck_assert_int_eq(connect(fd, (struct sockaddr *)&ss, len), 0);
		return fd;
	case S_NETLINK:
		if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0)) < 0)
			printf("SKIP: %s: no AF_NETLINK socket: %s\n", row,
			    strerror(errno));
		return fd < 0 ? -2 : fd;
	case S_RAW4:
	case S_RAW6:
		fd = socket(kind == S_RAW4 ? AF_INET : AF_INET6,
		    SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
		if (fd < 0) {
			ck_assert_msg(errno == EPERM || errno == EACCES,
			    "%s: socket: %s", row, strerror(errno));
			printf("SKIP: %s: SOCK_RAW: %s\n", row, strerror(errno));
			return -2;
		}
		return fd;
	case S_ICMP4:
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (fd < 0)
			printf("SKIP: %s: no IPPROTO_ICMP dgram socket "
			    "(net.ipv4.ping_group_range): %s\n", row,
			    strerror(errno));
		return fd < 0 ? -2 : fd;
	case S_TCP4_LISTENING:
	case S_TCP6_LISTENING:
		ck_assert_int_eq(tu_listen(own, kind == S_TCP4_LISTENING ?
		    AF_INET : AF_INET6, 8), 0);
		ck_assert_int_eq(tu_tcp_state(own->fd), TCP_LISTEN);
		return own->fd;
	case S_OWN:
		break;
	}
	ck_abort_msg("tu_sock_make: kind %d is a table's own", kind);
	return -1;
}

const char *
tu_sock_name(int kind, const char *const *own)
{
	return kind < S_OWN ? sock_name[kind] : own[kind - S_OWN];
}

void
tu_row_errno(const char *name, const char *sock, int ret, int err, int want)
{
	ck_assert_msg(ret == -1 && err == want,
	    "%s (%s): returned %d, errno %d (%s); want -1, errno %d (%s)",
	    name, sock, ret, err, strerror(err), want, strerror(want));
}

void
tu_row_after(const char *name, int fd, enum tu_after after,
    const struct tu_snap *before, int tcp_state)
{
	struct tu_snap now;
	const char *what;

	switch (after) {
	case AFTER_NOTHING:
		break;
	case AFTER_PRISTINE:
		tu_snap_take(fd, &now);
		ck_assert_msg(!tu_is_bound(fd), "%s: socket was bound", name);
		ck_assert_msg(!tu_is_connected(fd), "%s: socket was connected",
		    name);
		ck_assert_msg(now.tcp_state == -1 || now.tcp_state == TCP_CLOSE,
		    "%s: TCP state %d, want CLOSE", name, now.tcp_state);
		ck_assert_msg(now.dev[0] == '\0', "%s: bound to device %s",
		    name, now.dev);
		break;
	case AFTER_UNCHANGED:
		what = tu_snap_changed(fd, before);
		ck_assert_msg(what == NULL, "%s: socket changed: %s", name, what);
		break;
	case AFTER_UNCONNECTED:
		ck_assert_msg(!tu_is_connected(fd), "%s: socket was connected",
		    name);
		break;
	}
	if (tcp_state != 0)
		ck_assert_msg(tu_tcp_state(fd) == tcp_state,
		    "%s: TCP state %d, want %d", name, tu_tcp_state(fd),
		    tcp_state);
}
