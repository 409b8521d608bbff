/*
 * The engine's failover, as users see it (connectx(2), Failover): the list
 * in order, a refused address passed at once, a silent one given up after
 * the attempt delay D, one errno ranked by how far the best attempt got, the
 * attempt report, the policy calls and environment, non-blocking use through
 * cx_step(), and signals.  Loopback only.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <check.h>

#include "connectx.h"
#include "testutil.h"

/* Slack allowed past a computed deadline (scheduling, loopback). */
#define MARGIN_MS	tu_margin_ms(150)
/* The attempt delay the timing tests set on their sockets. */
#define D_MS		100

/* This program's own path, for re-running itself with an environment. */
static char self_exe[PATH_MAX];

static void
dl_add_listener(struct tu_dlist *d, const struct listener *l)
{
	tu_dl_add(d, &l->addr, l->addrlen);
}

static void
make_listener(struct listener *l, int family)
{
	ck_assert_int_eq(tu_listen(l, family, 16), 0);
}

static void
make_blackhole(struct blackhole *b, int family)
{
	ck_assert_msg(tu_blackhole(b, family) == 0, "black hole fixture failed");
}

/* connectx(2) to the list packed as its multi-destination extension. */
static int
connectx_list(int fd, const struct tu_dlist *d)
{
	unsigned char buf[TU_MAXDEST * sizeof(struct sockaddr_storage)];
	sa_endpoints_t ep;

	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (const struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, d->a, d->l, d->n);
	return connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
}

static void
set_opt(int fd, int opt, long v)
{
	ck_assert_int_eq(cx_setopt(fd, opt, v), 0);
}

/* The peer of fd is exactly the listener's address. */
static void
assert_peer_is(int fd, const struct listener *l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&ss, &len), 0);
	ck_assert_uint_eq(len, l->addrlen);
	ck_assert_mem_eq(&ss, &l->addr, len);
}

/* The listener has a connection waiting (the client really reached it). */
static void
assert_accepts(const struct listener *l)
{
	int a = tu_accept(l, 1000);

	ck_assert_int_ge(a, 0);
	close(a);
}

/*
 * fd holds no local address or port.  Linux keeps showing the last source
 * port in getsockname(2) after a failed connect (plain connect(2) does the
 * same) although the port is released; so: no address, and the socket can
 * still be bound (bind(2) fails EINVAL on a socket that holds a port).
 */
static void
assert_unbound(int fd)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss, any;
	socklen_t len = sizeof(ss);

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_msg(sin->sin_addr.s_addr == htonl(INADDR_ANY),
	    "failed connectx left the socket bound to an address");
	memset(&any, 0, sizeof(any));
	any.sin_family = AF_INET;
	any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_msg(bind(fd, (struct sockaddr *)&any, sizeof(any)) == 0,
	    "socket still holds a port: bind gave %s", strerror(errno));
}

static double
ts_ms(struct timespec t)
{
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* ---------------------------------------------------------------- failover */

START_TEST(test_refused_then_live_connects_at_once_to_the_live_one)
{
	struct listener live;
	struct tu_dlist d = { .n = 0 };
	double t0, el;
	int fd;

	make_listener(&live, AF_INET);
	tu_dl_add_refused(&d, AF_INET);
	dl_add_listener(&d, &live);
	fd = tu_tcp_socket(AF_INET, 0);
	/* A long delay: only moving on at once explains a fast connect. */
	set_opt(fd, CX_OPT_ATTEMPT_DELAY_MS, 2000);

	t0 = tu_now_ms();
	ck_assert_int_eq(connectx_list(fd, &d), 0);
	el = tu_now_ms() - t0;
	ck_assert_msg(el < MARGIN_MS, "refused address held the run %.0f ms", el);
	assert_peer_is(fd, &live);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_ESTABLISHED);
	/* The caller's blocking mode is back. */
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_accepts(&live);
	close(fd);
	close(live.fd);
}
END_TEST

START_TEST(test_blackholed_then_live_connects_after_one_attempt_delay)
{
	struct listener live;
	struct blackhole bh;
	struct tu_dlist d = { .n = 0 };
	double t0, el;
	int fd, nfd;

	make_listener(&live, AF_INET);
	make_blackhole(&bh, AF_INET);
	dl_add_listener(&d, &bh.l);
	dl_add_listener(&d, &live);
	fd = tu_tcp_socket(AF_INET, 0);
	set_opt(fd, CX_OPT_ATTEMPT_DELAY_MS, D_MS);
	nfd = tu_count_fds();

	t0 = tu_now_ms();
	ck_assert_int_eq(connectx_list(fd, &d), 0);
	el = tu_now_ms() - t0;
	ck_assert_msg(el >= D_MS - 1 && el <= D_MS + MARGIN_MS,
	    "connected after %.0f ms, expected %d..%.0f", el, D_MS, D_MS + MARGIN_MS);
	/* No descriptor left behind by the run. */
	ck_assert_int_eq(tu_count_fds(), nfd);
	assert_peer_is(fd, &live);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
	assert_accepts(&live);
	close(fd);
	tu_blackhole_close(&bh);
	close(live.fd);
}
END_TEST

START_TEST(test_two_blackholes_then_live_connect_after_two_attempt_delays)
{
	struct listener live;
	struct blackhole bh[2];
	struct tu_dlist d = { .n = 0 };
	double t0, el;
	int fd;

	make_listener(&live, AF_INET);
	make_blackhole(&bh[0], AF_INET);
	make_blackhole(&bh[1], AF_INET);
	dl_add_listener(&d, &bh[0].l);
	dl_add_listener(&d, &bh[1].l);
	dl_add_listener(&d, &live);
	fd = tu_tcp_socket(AF_INET, 0);
	set_opt(fd, CX_OPT_ATTEMPT_DELAY_MS, D_MS);

	t0 = tu_now_ms();
	ck_assert_int_eq(connectx_list(fd, &d), 0);
	el = tu_now_ms() - t0;
	ck_assert_msg(el >= 2 * D_MS - 1 && el <= 2 * D_MS + MARGIN_MS,
	    "connected after %.0f ms, expected %d..%.0f", el, 2 * D_MS,
	    2 * D_MS + MARGIN_MS);
	assert_peer_is(fd, &live);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 2);
	assert_accepts(&live);
	close(fd);
	tu_blackhole_close(&bh[0]);
	tu_blackhole_close(&bh[1]);
	close(live.fd);
}
END_TEST

START_TEST(test_ipv6_refused_then_live_connects_to_the_live_one)
{
	struct listener live;
	struct tu_dlist d = { .n = 0 };
	int fd;

	make_listener(&live, AF_INET6);
	tu_dl_add_refused(&d, AF_INET6);
	tu_dl_add_refused(&d, AF_INET6);
	dl_add_listener(&d, &live);
	fd = tu_tcp_socket(AF_INET6, 0);
	set_opt(fd, CX_OPT_ATTEMPT_DELAY_MS, 2000);

	ck_assert_int_eq(connectx_list(fd, &d), 0);
	assert_peer_is(fd, &live);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 2);
	assert_accepts(&live);
	close(fd);
	close(live.fd);
}
END_TEST

START_TEST(test_ipv6_blackholed_then_live_connects_after_one_attempt_delay)
{
	struct listener live;
	struct blackhole bh;
	struct tu_dlist d = { .n = 0 };
	double t0, el;
	int fd;

	make_listener(&live, AF_INET6);
	make_blackhole(&bh, AF_INET6);
	dl_add_listener(&d, &bh.l);
	dl_add_listener(&d, &live);
	fd = tu_tcp_socket(AF_INET6, 0);
	set_opt(fd, CX_OPT_ATTEMPT_DELAY_MS, D_MS);

	t0 = tu_now_ms();
	ck_assert_int_eq(connectx_list(fd, &d), 0);
	el = tu_now_ms() - t0;
	ck_assert_msg(el >= D_MS - 1 && el <= D_MS + MARGIN_MS,
	    "connected after %.0f ms", el);
	assert_peer_is(fd, &live);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
	assert_accepts(&live);
	close(fd);
	tu_blackhole_close(&bh);
	close(live.fd);
}
END_TEST

static void
v4mapped(struct sockaddr_in6 *m, const struct sockaddr_storage *v4)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)v4;

	memset(m, 0, sizeof(*m));
	m->sin6_family = AF_INET6;
	m->sin6_port = sin->sin_port;
	m->sin6_addr.s6_addr[10] = 0xff;
	m->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&m->sin6_addr.s6_addr[12], &sin->sin_addr, 4);
}

START_TEST(test_sctp_connectx_maps_ipv4_entries_on_an_inet6_socket)
{
	struct listener live;
	struct sockaddr_storage refused, peer;
	struct sockaddr_in6 mapped, *p6;
	socklen_t plen;
	unsigned char buf[2 * sizeof(struct sockaddr_in)];
	cx_sctp_assoc_t id = 0, got = 0;
	int fd;

	make_listener(&live, AF_INET);
	v4mapped(&mapped, &live.addr);

	/* The premise: an AF_INET6 socket reaches an AF_INET listener on
	 * 127.0.0.1 through ::ffff:127.0.0.1. */
	fd = tu_tcp_socket(AF_INET6, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&mapped, sizeof(mapped)), 0);
	assert_accepts(&live);
	close(fd);

	/*
	 * Now the same through sctp_connectx, IPv4 entries.  Its entries share
	 * one port: 127.0.0.2 on the live port has no listener (the listener
	 * is bound to 127.0.0.1 only) and refuses.
	 */
	refused = live.addr;
	((struct sockaddr_in *)&refused)->sin_addr.s_addr = htonl(0x7f000002);
	memcpy(buf, &refused, sizeof(struct sockaddr_in));
	memcpy(buf + sizeof(struct sockaddr_in), &live.addr, sizeof(struct sockaddr_in));
	fd = tu_tcp_socket(AF_INET6, 0);
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)buf, 2, &id), 0);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(cx_getassocid(fd, &got), 0);
	ck_assert_int_eq(got, id);
	ck_assert_int_eq(cx_getpeerindex(fd, id), 1);

	plen = sizeof(peer);
	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer, &plen), 0);
	ck_assert_int_eq(peer.ss_family, AF_INET6);
	p6 = (struct sockaddr_in6 *)&peer;
	ck_assert(IN6_IS_ADDR_V4MAPPED(&p6->sin6_addr));
	ck_assert_mem_eq(&p6->sin6_addr, &mapped.sin6_addr, 16);
	ck_assert_uint_eq(p6->sin6_port, mapped.sin6_port);
	assert_accepts(&live);
	close(fd);
	close(live.fd);
}
END_TEST

START_TEST(test_attempt_report_records_every_attempt_in_order)
{
	struct listener live;
	struct blackhole bh;
	struct tu_dlist d = { .n = 0 };
	struct cx_attempt *at = NULL;
	cx_sctp_assoc_t id;
	int fd, n, i;

	make_listener(&live, AF_INET);
	make_blackhole(&bh, AF_INET);
	tu_dl_add_refused(&d, AF_INET);
	dl_add_listener(&d, &bh.l);
	dl_add_listener(&d, &live);
	fd = tu_tcp_socket(AF_INET, 0);
	set_opt(fd, CX_OPT_ATTEMPT_DELAY_MS, D_MS);
	ck_assert_int_eq(connectx_list(fd, &d), 0);
	ck_assert_int_eq(cx_getassocid(fd, &id), 0);

	n = cx_getattempts(fd, 0, &at);
	ck_assert_int_eq(n, 3);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(at[i].ca_index, (unsigned)i);
		ck_assert_uint_eq(at[i].ca_addrlen, d.l[i]);
		ck_assert_mem_eq(&at[i].ca_addr, &d.a[i], d.l[i]);
		ck_assert_msg(ts_ms(at[i].ca_start) > 0, "attempt %d: no start", i);
		ck_assert_msg(ts_ms(at[i].ca_end) >= ts_ms(at[i].ca_start),
		    "attempt %d ends before it starts", i);
		ck_assert_int_ne(at[i].ca_error, EINPROGRESS);
		if (i > 0)
			ck_assert_msg(ts_ms(at[i].ca_start) >= ts_ms(at[i - 1].ca_start),
			    "attempt %d starts before attempt %d", i, i - 1);
	}
	/* Refused: answered at once, and the next started only after it. */
	ck_assert_int_eq(at[0].ca_error, ECONNREFUSED);
	ck_assert(ts_ms(at[1].ca_start) >= ts_ms(at[0].ca_end));
	/* The black hole: no outcome of its own, ran at least D. */
	ck_assert_int_ne(at[1].ca_error, 0);
	ck_assert_msg(ts_ms(at[1].ca_end) - ts_ms(at[1].ca_start) >= D_MS - 1,
	    "black hole attempt ran only %.1f ms",
	    ts_ms(at[1].ca_end) - ts_ms(at[1].ca_start));
	/* The live one was started D after the black hole, and won. */
	ck_assert(ts_ms(at[2].ca_start) - ts_ms(at[1].ca_start) >= D_MS - 1);
	ck_assert_int_eq(at[2].ca_error, 0);
	cx_freeattempts(at);

	ck_assert_int_eq(cx_getpeerindex(fd, 0), 2);
	ck_assert_int_eq(cx_getpeerindex(fd, id), 2);
	errno = 0;
	ck_assert_int_eq(cx_getpeerindex(fd, id + 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(cx_getattempts(fd, id + 1, &at), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
	tu_blackhole_close(&bh);
	close(live.fd);
}
END_TEST

/* ---------------------------------------------------------------- all fail */

START_TEST(test_all_refused_fails_econnrefused_and_leaves_socket_fresh)
{
	struct listener live;
	struct tu_dlist d = { .n = 0 };
	struct cx_attempt *at = NULL;
	double t0;
	int fd, i, nfd;

	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add_refused(&d, AF_INET);
	fd = tu_tcp_socket(AF_INET, 0);
	set_opt(fd, CX_OPT_ATTEMPT_DELAY_MS, 2000);
	nfd = tu_count_fds();

	t0 = tu_now_ms();
	errno = 0;
	ck_assert_int_eq(connectx_list(fd, &d), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert(tu_now_ms() - t0 < MARGIN_MS);
	ck_assert_int_eq(tu_count_fds(), nfd);
	ck_assert(!tu_is_connected(fd));
	assert_unbound(fd);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);

	/* Every attempt's own outcome stays queryable; nobody won. */
	ck_assert_int_eq(cx_getattempts(fd, 0, &at), 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(at[i].ca_error, ECONNREFUSED);
	cx_freeattempts(at);
	errno = 0;
	ck_assert_int_eq(cx_getpeerindex(fd, 0), -1);
	ck_assert_int_eq(errno, ENOTCONN);

	/* An ordinary connect(2) works on it afterwards. */
	make_listener(&live, AF_INET);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&live.addr, live.addrlen), 0);
	assert_peer_is(fd, &live);
	assert_accepts(&live);
	close(fd);
	close(live.fd);
}
END_TEST

START_TEST(test_refused_outranks_a_timed_out_blackhole_in_either_order)
{
	struct blackhole bh;
	struct sockaddr_storage ref;
	struct cx_attempt *at = NULL;
	socklen_t rlen;
	double t0, el;
	int fd, order;

	make_blackhole(&bh, AF_INET);
	tu_refused(&ref, &rlen, AF_INET);
	for (order = 0; order < 2; order++) {
		struct tu_dlist d = { .n = 0 };

		if (order == 0) {
			dl_add_listener(&d, &bh.l);
			tu_dl_add(&d, &ref, rlen);
		} else {
			tu_dl_add(&d, &ref, rlen);
			dl_add_listener(&d, &bh.l);
		}
		fd = tu_tcp_socket(AF_INET, 0);
		/* The black hole ends by its own timeout, not by D. */
		set_opt(fd, CX_OPT_ATTEMPT_DELAY_MS, 2000);
		set_opt(fd, CX_OPT_ATTEMPT_TIMEOUT_MS, D_MS);
		t0 = tu_now_ms();
		errno = 0;
		ck_assert_int_eq(connectx_list(fd, &d), -1);
		ck_assert_msg(errno == ECONNREFUSED, "order %d: errno %d (%s)",
		    order, errno, strerror(errno));
		el = tu_now_ms() - t0;
		ck_assert_msg(el >= D_MS - 1 && el <= D_MS + MARGIN_MS,
		    "order %d: failed after %.0f ms", order, el);
		ck_assert_int_eq(cx_getattempts(fd, 0, &at), 2);
		ck_assert_int_eq(at[order == 0 ? 0 : 1].ca_error, ETIMEDOUT);
		ck_assert_int_eq(at[order == 0 ? 1 : 0].ca_error, ECONNREFUSED);
		cx_freeattempts(at);
		ck_assert(!tu_is_connected(fd));
		ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
		close(fd);
	}
	tu_blackhole_close(&bh);
}
END_TEST

START_TEST(test_all_blackholed_fail_etimedout_at_the_total_timeout)
{
	struct blackhole bh[2];
	struct tu_dlist d = { .n = 0 };
	double t0, el;
	int fd;

	make_blackhole(&bh[0], AF_INET);
	make_blackhole(&bh[1], AF_INET);
	dl_add_listener(&d, &bh[0].l);
	dl_add_listener(&d, &bh[1].l);
	fd = tu_tcp_socket(AF_INET, 0);
	set_opt(fd, CX_OPT_ATTEMPT_DELAY_MS, D_MS);
	set_opt(fd, CX_OPT_TOTAL_TIMEOUT_MS, 250);

	t0 = tu_now_ms();
	errno = 0;
	ck_assert_int_eq(connectx_list(fd, &d), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	el = tu_now_ms() - t0;
	ck_assert_msg(el >= 249 && el <= 250 + MARGIN_MS,
	    "total timeout 250 ms, failed after %.0f ms", el);
	ck_assert(!tu_is_connected(fd));
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	close(fd);
	tu_blackhole_close(&bh[0]);
	tu_blackhole_close(&bh[1]);
}
END_TEST

START_TEST(test_lone_blackhole_fails_etimedout_at_the_attempt_timeout)
{
	struct blackhole bh;
	struct tu_dlist d = { .n = 0 };
	double t0, el;
	int fd;

	make_blackhole(&bh, AF_INET);
	dl_add_listener(&d, &bh.l);
	fd = tu_tcp_socket(AF_INET, 0);
	set_opt(fd, CX_OPT_ATTEMPT_TIMEOUT_MS, 200);

	t0 = tu_now_ms();
	errno = 0;
	ck_assert_int_eq(connectx_list(fd, &d), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	el = tu_now_ms() - t0;
	ck_assert_msg(el >= 199 && el <= 200 + MARGIN_MS, "failed after %.0f ms", el);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	tu_blackhole_close(&bh);
}
END_TEST

/* ------------------------------------------------------------------ policy */

struct bound {
	int	opt;
	long	dflt;
	long	ok[4];		/* accepted, 0-terminated unless zero_ok */
	int	nok;
	long	bad[4];
	int	nbad;
};

static const struct bound bounds[] = {
	{ CX_OPT_ATTEMPT_DELAY_MS, 250, { 10, 2000, 500 }, 3, { 0, 9, 2001, -1 }, 4 },
	{ CX_OPT_ATTEMPT_TIMEOUT_MS, 0, { 0, 10, 600000, 1000 }, 4, { 9, 600001, -1 }, 3 },
	{ CX_OPT_TOTAL_TIMEOUT_MS, 0, { 0, 10, 3600000, 1000 }, 4, { 9, 3600001, -1 }, 3 },
	{ CX_OPT_MAX_PARALLEL, 4, { 1, 16, 2 }, 3, { 0, 17, -1 }, 3 },
};

START_TEST(test_setopt_accepts_in_range_rejects_out_of_range_and_reads_back)
{
	size_t i;
	int fd, j;
	long v;

	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		const struct bound *b = &bounds[i];

		fd = tu_tcp_socket(AF_INET, 0);
		/* A socket nobody set runs under the process defaults. */
		ck_assert_int_eq(cx_getopt(fd, b->opt, &v), 0);
		ck_assert_int_eq(v, b->dflt);
		for (j = 0; j < b->nok; j++) {
			ck_assert_msg(cx_setopt(fd, b->opt, b->ok[j]) == 0,
			    "opt %d: %ld refused", b->opt, b->ok[j]);
			ck_assert_int_eq(cx_getopt(fd, b->opt, &v), 0);
			ck_assert_int_eq(v, b->ok[j]);
		}
		/* The last accepted value survives every rejected one. */
		for (j = 0; j < b->nbad; j++) {
			errno = 0;
			ck_assert_msg(cx_setopt(fd, b->opt, b->bad[j]) == -1 &&
			    errno == EINVAL, "opt %d: %ld not EINVAL", b->opt,
			    b->bad[j]);
			ck_assert_int_eq(cx_getopt(fd, b->opt, &v), 0);
			ck_assert_int_eq(v, b->ok[b->nok - 1]);
		}
		/* Another socket is not affected. */
		j = tu_tcp_socket(AF_INET, 0);
		ck_assert_int_eq(cx_getopt(j, b->opt, &v), 0);
		ck_assert_int_eq(v, b->dflt);
		close(j);
		close(fd);
	}
	fd = tu_tcp_socket(AF_INET, 0);
	errno = 0;
	ck_assert_int_eq(cx_setopt(fd, 99, 100), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(cx_getopt(fd, 99, &v), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
}
END_TEST

START_TEST(test_setopt_on_a_non_socket_fails_ebadf_or_enotsock)
{
	int p[2];
	long v;

	ck_assert_int_eq(pipe(p), 0);
	errno = 0;
	ck_assert_int_eq(cx_setopt(p[0], CX_OPT_ATTEMPT_DELAY_MS, 100), -1);
	ck_assert_int_eq(errno, ENOTSOCK);
	errno = 0;
	ck_assert_int_eq(cx_getopt(p[0], CX_OPT_ATTEMPT_DELAY_MS, &v), -1);
	ck_assert_int_eq(errno, ENOTSOCK);
	close(p[0]);
	close(p[1]);
	errno = 0;
	ck_assert_int_eq(cx_setopt(p[0], CX_OPT_ATTEMPT_DELAY_MS, 100), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(cx_setopt(-1, CX_OPT_ATTEMPT_DELAY_MS, 100), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

START_TEST(test_setdefault_accepts_in_range_rejects_out_of_range_and_reads_back)
{
	size_t i;
	int j, fd;
	long v;

	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		const struct bound *b = &bounds[i];

		ck_assert_int_eq(cx_getdefault(b->opt, &v), 0);
		ck_assert_int_eq(v, b->dflt);
		for (j = 0; j < b->nok; j++) {
			ck_assert_int_eq(cx_setdefault(b->opt, b->ok[j]), 0);
			ck_assert_int_eq(cx_getdefault(b->opt, &v), 0);
			ck_assert_int_eq(v, b->ok[j]);
		}
		for (j = 0; j < b->nbad; j++) {
			errno = 0;
			ck_assert_msg(cx_setdefault(b->opt, b->bad[j]) == -1 &&
			    errno == EINVAL, "default %d: %ld not EINVAL",
			    b->opt, b->bad[j]);
			ck_assert_int_eq(cx_getdefault(b->opt, &v), 0);
			ck_assert_int_eq(v, b->ok[b->nok - 1]);
		}
		/* A new socket starts from the new default. */
		fd = tu_tcp_socket(AF_INET, 0);
		ck_assert_int_eq(cx_getopt(fd, b->opt, &v), 0);
		ck_assert_int_eq(v, b->ok[b->nok - 1]);
		close(fd);
		ck_assert_int_eq(cx_setdefault(b->opt, b->dflt), 0);
	}
	errno = 0;
	ck_assert_int_eq(cx_setdefault(99, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_process_default_delay_governs_failover)
{
	struct listener live;
	struct blackhole bh;
	struct tu_dlist d = { .n = 0 };
	double t0, el;
	int fd;

	make_listener(&live, AF_INET);
	make_blackhole(&bh, AF_INET);
	dl_add_listener(&d, &bh.l);
	dl_add_listener(&d, &live);
	ck_assert_int_eq(cx_setdefault(CX_OPT_ATTEMPT_DELAY_MS, D_MS), 0);
	fd = tu_tcp_socket(AF_INET, 0);
	t0 = tu_now_ms();
	ck_assert_int_eq(connectx_list(fd, &d), 0);
	el = tu_now_ms() - t0;
	ck_assert_int_eq(cx_setdefault(CX_OPT_ATTEMPT_DELAY_MS, 250), 0);
	ck_assert_msg(el >= D_MS - 1 && el <= D_MS + MARGIN_MS,
	    "connected after %.0f ms", el);
	close(fd);
	tu_blackhole_close(&bh);
	close(live.fd);
}
END_TEST

/*
 * The environment is read at the first use of the library, so each case
 * runs this program again (fork+exec) with the variable set and a mode
 * flag; the child prints what it saw on stdout.
 */
static int
run_child(const char *value, const char *mode, char *out, size_t outsz,
    char *err, size_t errsz)
{
	int po[2], pe[2], status;
	ssize_t n;
	size_t got;
	pid_t pid;

	ck_assert_int_eq(pipe(po), 0);
	ck_assert_int_eq(pipe(pe), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		unsetenv("CX_ATTEMPT_DELAY_MS");
		unsetenv("CX_ATTEMPT_TIMEOUT_MS");
		unsetenv("CX_TOTAL_TIMEOUT_MS");
		unsetenv("CX_MAX_PARALLEL");
		if (value != NULL)
			setenv("CX_ATTEMPT_DELAY_MS", value, 1);
		execl(self_exe, self_exe, "--env-child", mode, (char *)NULL);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	got = 0;
	while (got + 1 < outsz && (n = read(po[0], out + got, outsz - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	got = 0;
	while (got + 1 < errsz && (n = read(pe[0], err + got, errsz - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(po[0]);
	close(pe[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

START_TEST(test_env_attempt_delay_sets_the_default_at_first_use)
{
	char out[256], err[1024];

	ck_assert_int_eq(run_child("123", "delay", out, sizeof(out), err,
	    sizeof(err)), 0);
	ck_assert_str_eq(out, "123\n");
	ck_assert_str_eq(err, "");
	/* Without the variable: 250. */
	ck_assert_int_eq(run_child(NULL, "delay", out, sizeof(out), err,
	    sizeof(err)), 0);
	ck_assert_str_eq(out, "250\n");
	ck_assert_str_eq(err, "");
	/* Read once: changing it after the first use changes nothing. */
	ck_assert_int_eq(run_child("123", "late", out, sizeof(out), err,
	    sizeof(err)), 0);
	ck_assert_str_eq(out, "123\n123\n");
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(test_env_bad_attempt_delay_is_ignored_with_one_line_warning)
{
	/* Digits alone (libconnectx(3), ENVIRONMENT): no sign, no blank. */
	static const char *const bad[] = { "5", "2001", "abc", "100ms", "", "-20",
	    "+100", " 100", "100 ", "-0", "99999999999999999999" };
	char out[256], err[1024];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(run_child(bad[i], "delay", out, sizeof(out), err,
		    sizeof(err)), 0);
		ck_assert_msg(strcmp(out, "250\n") == 0,
		    "CX_ATTEMPT_DELAY_MS=\"%s\" gave default %s", bad[i], out);
		ck_assert_msg(count_lines(err) == 1 && err[strlen(err) - 1] == '\n',
		    "CX_ATTEMPT_DELAY_MS=\"%s\": stderr \"%s\"", bad[i], err);
		ck_assert_msg(strstr(err, "CX_ATTEMPT_DELAY_MS") != NULL,
		    "warning does not name the variable: %s", err);
	}
}
END_TEST

START_TEST(test_env_attempt_delay_governs_failover)
{
	char out[256], err[1024];
	double el;
	int idx;

	ck_assert_int_eq(run_child("100", "connect", out, sizeof(out), err,
	    sizeof(err)), 0);
	ck_assert_msg(sscanf(out, "%lf %d", &el, &idx) == 2, "child said: %s %s",
	    out, err);
	ck_assert_int_eq(idx, 1);
	ck_assert_msg(el >= 99 && el <= 100 + MARGIN_MS,
	    "with CX_ATTEMPT_DELAY_MS=100 connected after %.0f ms", el);
}
END_TEST

/* The child's side of the environment tests. */
static int
env_child(const char *mode)
{
	struct listener live;
	struct blackhole bh;
	struct sockaddr_storage a[2];
	socklen_t l[2];
	unsigned char buf[2 * sizeof(struct sockaddr_storage)];
	sa_endpoints_t ep;
	double t0, el;
	long v;
	int fd, rc;

	if (strcmp(mode, "delay") == 0 || strcmp(mode, "late") == 0) {
		if (cx_getdefault(CX_OPT_ATTEMPT_DELAY_MS, &v) != 0)
			return 1;
		printf("%ld\n", v);
		if (strcmp(mode, "late") == 0) {
			setenv("CX_ATTEMPT_DELAY_MS", "777", 1);
			if (cx_getdefault(CX_OPT_ATTEMPT_DELAY_MS, &v) != 0)
				return 1;
			printf("%ld\n", v);
		}
		return 0;
	}
	if (strcmp(mode, "connect") == 0) {
		if (tu_listen(&live, AF_INET, 4) != 0 || tu_blackhole(&bh, AF_INET) != 0)
			return 2;
		a[0] = bh.l.addr;
		l[0] = bh.l.addrlen;
		a[1] = live.addr;
		l[1] = live.addrlen;
		memset(&ep, 0, sizeof(ep));
		ep.sae_dstaddr = (const struct sockaddr *)buf;
		ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, a, l, 2);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		t0 = tu_now_ms();
		rc = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
		el = tu_now_ms() - t0;
		if (rc != 0) {
			fprintf(stderr, "connectx: %s\n", strerror(errno));
			return 3;
		}
		printf("%.1f %d\n", el, cx_getpeerindex(fd, 0));
		return 0;
	}
	return 4;
}

/* ------------------------------------------------------------- non-blocking */

/*
 * The application's event loop: poll for writability with the time
 * cx_step() allows, then step.  Returns cx_step's final result (errno in
 * *err); *steps counts the EINPROGRESS answers, *maxwait the longest finite
 * wait asked for.
 */
static int
drive(int fd, int *err, int *steps, int *maxwait)
{
	int wait_ms = 0, rc;

	*steps = 0;
	*maxwait = -1;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		ck_assert_int_ge(poll(&p, 1, wait_ms), 0);
		errno = 0;
		rc = cx_step(fd, &wait_ms);
		*err = errno;
		if (rc == 0 || *err != EINPROGRESS)
			return rc;
		ck_assert_int_ge(wait_ms, -1);
		if (wait_ms > *maxwait)
			*maxwait = wait_ms;
		ck_assert_int_lt(++*steps, 100);
	}
}

START_TEST(test_nonblocking_connectx_steps_through_refused_blackhole_to_live)
{
	struct listener live;
	struct blackhole bh;
	struct tu_dlist d = { .n = 0 };
	cx_sctp_assoc_t id = 0, id2 = 0;
	double t0, el;
	int fd, rc, err, steps, maxwait;

	make_listener(&live, AF_INET);
	make_blackhole(&bh, AF_INET);
	tu_dl_add_refused(&d, AF_INET);
	dl_add_listener(&d, &bh.l);
	dl_add_listener(&d, &live);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	set_opt(fd, CX_OPT_ATTEMPT_DELAY_MS, D_MS);

	t0 = tu_now_ms();
	errno = 0;
	ck_assert_int_eq(connectx_list(fd, &d), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	/* Blocked, it would have waited D for the black hole at least. */
	ck_assert_msg(tu_now_ms() - t0 < D_MS, "non-blocking connectx blocked "
	    "(%.0f ms)", tu_now_ms() - t0);
	/* The association exists while the run goes on. */
	ck_assert_int_eq(cx_getassocid(fd, &id), 0);
	ck_assert_int_gt(id, 0);

	rc = drive(fd, &err, &steps, &maxwait);
	el = tu_now_ms() - t0;
	ck_assert_msg(rc == 0, "cx_step ended with %s", strerror(err));
	ck_assert_int_ge(steps, 2);
	ck_assert_msg(maxwait > 0 && maxwait <= D_MS, "asked to wait %d ms", maxwait);
	ck_assert_msg(el >= D_MS - 1 && el <= D_MS + MARGIN_MS,
	    "connected after %.0f ms", el);
	assert_peer_is(fd, &live);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 2);
	ck_assert_int_eq(cx_getassocid(fd, &id2), 0);
	ck_assert_int_eq(id2, id);
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	/* Nothing under way any more: established. */
	ck_assert_int_eq(cx_step(fd, NULL), 0);
	assert_accepts(&live);
	close(fd);
	tu_blackhole_close(&bh);
	close(live.fd);
}
END_TEST

START_TEST(test_nonblocking_connectx_all_refused_steps_to_econnrefused)
{
	struct tu_dlist d = { .n = 0 };
	int fd, rc, err, steps, maxwait;

	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add_refused(&d, AF_INET);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	errno = 0;
	rc = connectx_list(fd, &d);
	if (rc == -1 && errno == EINPROGRESS)
		rc = drive(fd, &err, &steps, &maxwait);
	else
		err = errno;
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(err, ECONNREFUSED);
	ck_assert(!tu_is_connected(fd));
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	/* The run is over and nothing is established. */
	errno = 0;
	ck_assert_int_eq(cx_step(fd, NULL), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	close(fd);
}
END_TEST

START_TEST(test_nonblocking_sctp_connectx_sets_id_with_einprogress)
{
	struct listener live;
	cx_sctp_assoc_t id = -7, got = 0;
	int fd, rc, err, steps, maxwait;

	make_listener(&live, AF_INET);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	errno = 0;
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&live.addr, 1, &id), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(cx_getassocid(fd, &got), 0);
	ck_assert_int_eq(got, id);

	rc = drive(fd, &err, &steps, &maxwait);
	ck_assert_msg(rc == 0, "cx_step ended with %s", strerror(err));
	ck_assert_int_eq(cx_getassocid(fd, &got), 0);
	ck_assert_int_eq(got, id);
	ck_assert_int_eq(cx_getpeerindex(fd, id), 0);
	assert_peer_is(fd, &live);
	assert_accepts(&live);
	close(fd);
	close(live.fd);
}
END_TEST

/* ------------------------------------------------------------------ signals */

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/*
 * The observer: from 50 ms in, it reads /proc/self/task/TID/syscall until
 * the calling thread is blocked in poll(2) or connect(2), the run under
 * way, and only then sends it one SIGALRM.  A timer could fire before the
 * run blocks on a loaded machine, and the run would then wait for the
 * kernel's SYN timeout.
 */
struct observer {
	pthread_t	 caller;
	pid_t		 tid;
	double		 sent;		/* tu_now_ms() at the signal; 0: none */
};

/*
 * The thread's state letter from /proc/self/task/TID/stat: 'S' while it
 * sleeps in a system call.
 */
static char
task_state(pid_t tid)
{
	char path[64], line[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	if ((f = fopen(path, "r")) == NULL)
		return '?';
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (p == NULL || (p = strrchr(line, ')')) == NULL || p[1] != ' ')
		return '?';
	return p[2];
}

static bool
blocked_in_run(pid_t tid)
{
	char path[64];
	FILE *f;
	long nr = -1;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	if ((f = fopen(path, "r")) == NULL) {
		/*
		 * No such file where the kernel has no syscall tracing
		 * (Linux 6.1 in user mode, the kernel lane: HACKING.md):
		 * asleep twice 5 ms apart.  The run sleeps only in poll(2)
		 * (its connects are non-blocking); without this the signal
		 * never came and each test waited for the SYN timeout.
		 */
		if (errno != ENOENT || task_state(tid) != 'S')
			return false;
		usleep(5000);
		return task_state(tid) == 'S';
	}
	if (fscanf(f, "%ld", &nr) != 1)
		nr = -1;
	fclose(f);
	return nr == SYS_connect ||
#ifdef SYS_poll
	    nr == SYS_poll ||
#endif
	    nr == SYS_ppoll;
}

static void *
observe(void *arg)
{
	struct observer *o = arg;
	double t0 = tu_now_ms();

	usleep(50000);
	while (!blocked_in_run(o->tid)) {
		if (tu_now_ms() - t0 > 5000)
			return NULL;	/* never blocked: alarms stays 0 */
		usleep(1000);
	}
	o->sent = tu_now_ms();
	pthread_kill(o->caller, SIGALRM);
	return NULL;
}

/* connectx to black holes, one signal once under way; returns errno. */
static int
interrupted_run(int fd, const struct tu_dlist *d, int sa_flags, double *el)
{
	struct sigaction sa, old;
	struct observer o;
	pthread_t th;
	double end;
	int rc, err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = sa_flags;
	ck_assert_int_eq(sigaction(SIGALRM, &sa, &old), 0);
	alarms = 0;
	o.caller = pthread_self();
	o.tid = (pid_t)syscall(SYS_gettid);
	o.sent = 0;
	ck_assert_int_eq(pthread_create(&th, NULL, observe, &o), 0);
	errno = 0;
	rc = connectx_list(fd, d);
	err = errno;
	end = tu_now_ms();
	pthread_join(th, NULL);
	sigaction(SIGALRM, &old, NULL);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(alarms, 1);
	*el = end - o.sent;
	return err;
}

/*
 * A blocking run over three black holes interrupted once under way
 * (signals from 50 ms in): with a long delay only the first attempt is
 * under way; with a short one, several are (in parallel, where the engine
 * runs them so).
 */
static void
check_eintr_leaves_socket_reusable(int sa_flags, long delay)
{
	struct listener live;
	struct blackhole bh[3];
	struct tu_dlist d = { .n = 0 };
	struct tu_dlist dl = { .n = 0 };
	double el;
	int fd, err, i, nfd;

	make_listener(&live, AF_INET);
	for (i = 0; i < 3; i++) {
		make_blackhole(&bh[i], AF_INET);
		dl_add_listener(&d, &bh[i].l);
	}
	fd = tu_tcp_socket(AF_INET, 0);
	set_opt(fd, CX_OPT_ATTEMPT_DELAY_MS, delay);
	nfd = tu_count_fds();

	err = interrupted_run(fd, &d, sa_flags, &el);
	ck_assert_msg(err == EINTR, "errno %d (%s)", err, strerror(err));
	ck_assert_msg(el < MARGIN_MS, "returned %.0f ms after the signal", el);
	/* Every attempt abandoned: unconnected, not half-way, nothing left. */
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	ck_assert(!tu_is_connected(fd));
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(tu_count_fds(), nfd);

	/* And it connects again. */
	dl_add_listener(&dl, &live);
	ck_assert_int_eq(connectx_list(fd, &dl), 0);
	assert_peer_is(fd, &live);
	assert_accepts(&live);
	close(fd);
	for (i = 0; i < 3; i++)
		tu_blackhole_close(&bh[i]);
	close(live.fd);
}

START_TEST(test_signal_interrupts_blackhole_run_with_eintr_socket_unconnected)
{
	check_eintr_leaves_socket_reusable(0, 2000);
}
END_TEST

START_TEST(test_signal_interrupts_staggered_attempts_with_eintr_socket_unconnected)
{
	check_eintr_leaves_socket_reusable(0, 15);
}
END_TEST

START_TEST(test_signal_with_sa_restart_still_interrupts_multi_address_run)
{
	/* HACKING.md: poll(2) is not restarted, so a multi-address run fails
	 * EINTR even under SA_RESTART. */
	check_eintr_leaves_socket_reusable(SA_RESTART, 2000);
}
END_TEST

START_TEST(test_signal_interrupts_lone_blackhole_connect_with_eintr_socket_unconnected)
{
	struct listener live;
	struct blackhole bh;
	struct tu_dlist d = { .n = 0 };
	struct tu_dlist dl = { .n = 0 };
	double el;
	int fd, err;

	/* One address, no timeouts: the kernel's own blocking connect. */
	make_listener(&live, AF_INET);
	make_blackhole(&bh, AF_INET);
	dl_add_listener(&d, &bh.l);
	fd = tu_tcp_socket(AF_INET, 0);
	err = interrupted_run(fd, &d, 0, &el);
	ck_assert_msg(err == EINTR, "errno %d (%s)", err, strerror(err));
	ck_assert_msg(el < MARGIN_MS, "returned %.0f ms after the signal", el);
	/* Abandoned, not left connecting in the background. */
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	ck_assert(!tu_is_connected(fd));
	dl_add_listener(&dl, &live);
	ck_assert_int_eq(connectx_list(fd, &dl), 0);
	assert_peer_is(fd, &live);
	assert_accepts(&live);
	close(fd);
	tu_blackhole_close(&bh);
	close(live.fd);
}
END_TEST

/* ---------------------------------------------------- a run under way */

/*
 * A non-blocking run of [first, live] with the first attempt's outcome
 * already in (refused: the kernel socket is closed again) or still
 * pending (black hole: SYN_SENT), and no cx_step called yet.
 */
static int
start_parked_run(struct listener *live, struct blackhole *bh, bool refused)
{
	struct tu_dlist d = { .n = 0 };
	int fd;

	make_listener(live, AF_INET);
	if (refused)
		tu_dl_add_refused(&d, AF_INET);
	else {
		make_blackhole(bh, AF_INET);
		dl_add_listener(&d, &bh->l);
	}
	dl_add_listener(&d, live);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	set_opt(fd, CX_OPT_ATTEMPT_DELAY_MS, 2000);
	errno = 0;
	ck_assert_int_eq(connectx_list(fd, &d), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	usleep(50000);	/* the refusal arrives; cx_step not called */
	return fd;
}

static void
check_second_connect_fails_ealready(bool refused)
{
	struct listener live;
	struct blackhole bh;
	struct tu_dlist d = { .n = 0 };
	cx_sctp_assoc_t id = 0, id2 = 0;
	int fd, rc, err, steps, maxwait;

	fd = start_parked_run(&live, &bh, refused);
	ck_assert_int_eq(cx_getassocid(fd, &id), 0);
	dl_add_listener(&d, &live);
	errno = 0;
	ck_assert_int_eq(connectx_list(fd, &d), -1);
	ck_assert_msg(errno == EALREADY, "%s: connectx gave %s",
	    refused ? "between attempts" : "attempt in flight", strerror(errno));
	errno = 0;
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&live.addr, 1, &id2), -1);
	ck_assert_msg(errno == EALREADY, "%s: sctp_connectx gave %s",
	    refused ? "between attempts" : "attempt in flight", strerror(errno));

	/* The first run goes on, undisturbed, to the live address. */
	if (refused) {
		rc = drive(fd, &err, &steps, &maxwait);
		ck_assert_msg(rc == 0, "cx_step ended with %s", strerror(err));
		ck_assert_int_eq(cx_getassocid(fd, &id2), 0);
		ck_assert_int_eq(id2, id);
		ck_assert_int_eq(cx_getpeerindex(fd, id), 1);
		assert_peer_is(fd, &live);
	} else
		tu_blackhole_close(&bh);
	close(fd);
	close(live.fd);
}

START_TEST(test_connect_while_nonblocking_run_is_in_flight_fails_ealready)
{
	check_second_connect_fails_ealready(false);
}
END_TEST

START_TEST(test_connect_while_nonblocking_run_is_between_attempts_fails_ealready)
{
	check_second_connect_fails_ealready(true);
}
END_TEST

static void
check_disconnectx_abandons_run(bool refused)
{
	struct listener live;
	struct blackhole bh;
	cx_sctp_assoc_t id = 0;
	int fd, w;

	fd = start_parked_run(&live, &bh, refused);
	ck_assert_int_eq(cx_getassocid(fd, &id), 0);
	ck_assert_msg(disconnectx(fd, (sae_associd_t)id, SAE_CONNID_ANY) == 0,
	    "%s: disconnectx gave %s", refused ? "between attempts" :
	    "attempt in flight", strerror(errno));
	/* Nothing under way, nothing established, no later attempt made. */
	errno = 0;
	ck_assert_int_eq(cx_step(fd, &w), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
	ck_assert(!tu_is_connected(fd));
	ck_assert_int_eq(tu_accept(&live, 100), -1);
	if (!refused)
		tu_blackhole_close(&bh);
	close(fd);
	close(live.fd);
}

START_TEST(test_disconnectx_abandons_nonblocking_run_in_flight)
{
	check_disconnectx_abandons_run(false);
}
END_TEST

START_TEST(test_disconnectx_abandons_nonblocking_run_between_attempts)
{
	check_disconnectx_abandons_run(true);
}
END_TEST

/* ---------------------------------------------------------------------- main */

static Suite *
failover_suite(void)
{
	Suite *s = suite_create("failover");
	TCase *tc;

	tc = tcase_create("failover");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_refused_then_live_connects_at_once_to_the_live_one);
	tcase_add_test(tc, test_blackholed_then_live_connects_after_one_attempt_delay);
	tcase_add_test(tc, test_two_blackholes_then_live_connect_after_two_attempt_delays);
	tcase_add_test(tc, test_ipv6_refused_then_live_connects_to_the_live_one);
	tcase_add_test(tc, test_ipv6_blackholed_then_live_connects_after_one_attempt_delay);
	tcase_add_test(tc, test_sctp_connectx_maps_ipv4_entries_on_an_inet6_socket);
	tcase_add_test(tc, test_attempt_report_records_every_attempt_in_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("all_fail");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_all_refused_fails_econnrefused_and_leaves_socket_fresh);
	tcase_add_test(tc, test_refused_outranks_a_timed_out_blackhole_in_either_order);
	tcase_add_test(tc, test_all_blackholed_fail_etimedout_at_the_total_timeout);
	tcase_add_test(tc, test_lone_blackhole_fails_etimedout_at_the_attempt_timeout);
	suite_add_tcase(s, tc);

	tc = tcase_create("policy");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_setopt_accepts_in_range_rejects_out_of_range_and_reads_back);
	tcase_add_test(tc, test_setopt_on_a_non_socket_fails_ebadf_or_enotsock);
	tcase_add_test(tc, test_setdefault_accepts_in_range_rejects_out_of_range_and_reads_back);
	tcase_add_test(tc, test_process_default_delay_governs_failover);
	tcase_add_test(tc, test_env_attempt_delay_sets_the_default_at_first_use);
	tcase_add_test(tc, test_env_bad_attempt_delay_is_ignored_with_one_line_warning);
	tcase_add_test(tc, test_env_attempt_delay_governs_failover);
	suite_add_tcase(s, tc);

	tc = tcase_create("nonblocking");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_nonblocking_connectx_steps_through_refused_blackhole_to_live);
	tcase_add_test(tc, test_nonblocking_connectx_all_refused_steps_to_econnrefused);
	tcase_add_test(tc, test_nonblocking_sctp_connectx_sets_id_with_einprogress);
	tcase_add_test(tc, test_connect_while_nonblocking_run_is_in_flight_fails_ealready);
	tcase_add_test(tc, test_connect_while_nonblocking_run_is_between_attempts_fails_ealready);
	tcase_add_test(tc, test_disconnectx_abandons_nonblocking_run_in_flight);
	tcase_add_test(tc, test_disconnectx_abandons_nonblocking_run_between_attempts);
	suite_add_tcase(s, tc);

	tc = tcase_create("signals");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_signal_interrupts_blackhole_run_with_eintr_socket_unconnected);
	tcase_add_test(tc, test_signal_interrupts_staggered_attempts_with_eintr_socket_unconnected);
	tcase_add_test(tc, test_signal_with_sa_restart_still_interrupts_multi_address_run);
	tcase_add_test(tc, test_signal_interrupts_lone_blackhole_connect_with_eintr_socket_unconnected);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	ssize_t n;
	int failed;

	if (argc == 3 && strcmp(argv[1], "--env-child") == 0)
		return env_child(argv[2]);

	/* The tests set their policy; the caller's environment must not. */
	unsetenv("CX_ATTEMPT_DELAY_MS");
	unsetenv("CX_ATTEMPT_TIMEOUT_MS");
	unsetenv("CX_TOTAL_TIMEOUT_MS");
	unsetenv("CX_MAX_PARALLEL");
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n > 0)
		self_exe[n] = '\0';
	else
		snprintf(self_exe, sizeof(self_exe), "%s", argv[0]);

	sr = srunner_create(failover_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
