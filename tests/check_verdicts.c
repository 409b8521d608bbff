/*
 * Verdicts (HACKING.md, Verdicts): "connected", "failed" and "in progress"
 * as applications meet them around a connect.  Each test is written as the
 * program that hits the case: an event loop that reads SO_ERROR before
 * cx_step(), a second thread calling disconnectx(), a socket reused across
 * calls, a UDP peer that went away, a socket whose own connect(2) failed.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/wait.h>

#include <check.h>

#include "connectx.h"
#include "testutil.h"


static int
connect_list(int fd, const struct tu_dlist *d)
{
	unsigned char buf[TU_MAXDEST * sizeof(struct sockaddr_storage)];
	sa_endpoints_t ep = { 0 };

	ep.sae_dstaddr = (const struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, d->a, d->l, d->n);
	return connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
}

static bool
peer_is(int fd, const struct sockaddr_storage *want)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);

	if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0)
		return false;
	if (peer.ss_family == AF_INET)
		return memcmp(&((struct sockaddr_in *)&peer)->sin_addr,
		    &((const struct sockaddr_in *)want)->sin_addr, 4) == 0 &&
		    tu_port_of(&peer) == tu_port_of(want);
	return memcmp(&((struct sockaddr_in6 *)&peer)->sin6_addr,
	    &((const struct sockaddr_in6 *)want)->sin6_addr, 16) == 0 &&
	    tu_port_of(&peer) == tu_port_of(want);
}

static int
so_error(int fd)
{
	int err = -1;
	socklen_t len = sizeof(err);

	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	return err;
}

/*
 * The loop libuv, libevent and most hand-written loops run for connect(2),
 * with cx_step() added as connectx(2) asks: wait for POLLOUT, read SO_ERROR,
 * then step.  Returns cx_step's last result, errno kept.
 */
static int
event_loop(int fd, int *steps)
{
	int r, wait_ms = 1000;

	*steps = 0;
	do {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		ck_assert_int_ge(poll(&p, 1, wait_ms < 0 ? 5000 : wait_ms), 0);
		(void)so_error(fd);		/* the loop's own look */
		r = cx_step(fd, &wait_ms);
		ck_assert_int_lt(++*steps, 100);
	} while (r == -1 && errno == EINPROGRESS);
	return r;
}

/* ---- 1. SO_ERROR read by the application before cx_step ------------------ */

START_TEST(test_loop_reading_so_error_first_moves_on_to_the_live_address)
{
	struct listener live;
	struct tu_dlist d = { .n = 0 };
	struct cx_attempt *att;
	cx_sctp_assoc_t id;
	int fd, steps, n;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add(&d, &live.addr, live.addrlen);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	ck_assert_int_eq(connect_list(fd, &d), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_int_eq(event_loop(fd, &steps), 0);
	/* Connected for real, to the live address. */
	ck_assert(peer_is(fd, &live.addr));
	ck_assert_int_eq(tu_tcp_state(fd), TCP_ESTABLISHED);
	ck_assert_int_eq(cx_getassocid(fd, &id), 0);
	ck_assert_int_eq(cx_getpeerindex(fd, id), 1);
	ck_assert_int_eq(n = cx_getattempts(fd, id, &att), 2);
	ck_assert_int_eq(att[0].ca_error, ECONNREFUSED);
	ck_assert_int_eq(att[1].ca_error, 0);
	cx_freeattempts(att);
	close(fd);
	close(live.fd);
}
END_TEST

START_TEST(test_loop_reading_so_error_first_lone_refused_fails)
{
	struct tu_dlist d = { .n = 0 };
	cx_sctp_assoc_t id;
	int fd, steps;

	tu_dl_add_refused(&d, AF_INET);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	ck_assert_int_eq(connect_list(fd, &d), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_int_eq(event_loop(fd, &steps), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert(!tu_is_connected(fd));
	ck_assert_int_eq(cx_getassocid(fd, &id), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	/* And a later step still says no connection. */
	ck_assert_int_eq(cx_step(fd, NULL), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	close(fd);
}
END_TEST

/* ---- 2. disconnectx() from another thread during a blocking connectx ---- */

struct disrupter {
	int	fd;
	int	delay_ms;
	int	rc, err;
};

static void *
disrupt(void *arg)
{
	struct disrupter *d = arg;

	usleep((useconds_t)d->delay_ms * 1000);
	d->rc = disconnectx(d->fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY);
	d->err = errno;
	return NULL;
}

static int started, ended;

static void
count_starts(int fd, const struct cx_attempt *a, void *arg)
{
	(void)fd;
	(void)arg;
	if (a->ca_error == EINPROGRESS)
		__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	else
		__atomic_add_fetch(&ended, 1, __ATOMIC_SEQ_CST);
}

/* A blocking connectx over n black holes, disconnectx'd at 100 ms. */
static void
blocking_call_abandoned(int nholes, int delay_ms, int total_ms)
{
	struct blackhole bh[3];
	struct tu_dlist d = { .n = 0 };
	struct disrupter dis;
	cx_sctp_assoc_t id;
	pthread_t t;
	double t0;
	int fd, i, rc, err;

	for (i = 0; i < nholes; i++) {
		ck_assert_int_eq(tu_blackhole(&bh[i], AF_INET), 0);
		tu_dl_add(&d, &bh[i].l.addr, bh[i].l.addrlen);
	}
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, delay_ms), 0);
	if (total_ms > 0)
		ck_assert_int_eq(cx_setopt(fd, CX_OPT_TOTAL_TIMEOUT_MS, total_ms), 0);
	ck_assert_int_eq(cx_setobserver(fd, count_starts, NULL), 0);
	started = ended = 0;
	dis.fd = fd;
	dis.delay_ms = 100;
	ck_assert_int_eq(pthread_create(&t, NULL, disrupt, &dis), 0);
	t0 = tu_now_ms();
	rc = connect_list(fd, &d);
	err = errno;
	pthread_join(t, NULL);
	ck_assert_int_eq(dis.rc, 0);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(err, ECONNABORTED);	/* connectx(2) ERRORS, ECONNABORTED */
	ck_assert(tu_now_ms() - t0 < 1000 + tu_margin_ms(0));
	/* No winner, no connection, nothing started after the disconnectx. */
	ck_assert(!tu_is_connected(fd));
	ck_assert_int_ne(tu_tcp_state(fd), TCP_SYN_SENT);
	ck_assert_int_eq(cx_getassocid(fd, &id), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	i = __atomic_load_n(&started, __ATOMIC_SEQ_CST);
	usleep(2 * (useconds_t)delay_ms * 1000);
	ck_assert_int_eq(__atomic_load_n(&started, __ATOMIC_SEQ_CST), i);
	ck_assert_int_le(i, (100 + delay_ms - 1) / delay_ms);
	/*
	 * libconnectx(3), Observer: "an attempt still running when
	 * disconnectx(2) abandons its run is not reported as ending".
	 */
	ck_assert_msg(__atomic_load_n(&ended, __ATOMIC_SEQ_CST) == 0,
	    "%d abandoned attempt(s) reported as ending", ended);
	/* disconnectx(2): a TCP socket does not connect again. */
	ck_assert_int_eq(connect_list(fd, &d), -1);
	ck_assert_int_eq(errno, EISCONN);
	/* Nor is there anything left to disconnect (disconnectx(2), ENOTCONN). */
	ck_assert_int_eq(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	close(fd);
	/*
	 * Nor is it history (connectx(2), History: the destination neither
	 * failed nor stayed silent; the application gave up): the first
	 * black hole, live again, does not start its successor at once.
	 */
	{
		struct listener live;
		struct tu_dlist d2 = { .n = 0 };
		struct cx_attempt *at;
		int n;

		ck_assert_int_eq(tu_listen(&live, AF_INET, 16), 0);
		ck_assert_int_eq(listen(bh[0].l.fd, 64), 0);
		tu_dl_add(&d2, &bh[0].l.addr, bh[0].l.addrlen);
		tu_dl_add(&d2, &live.addr, live.addrlen);
		fd = tu_tcp_socket(AF_INET, 0);
		ck_assert_int_eq(cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, 250), 0);
		ck_assert_int_eq(connect_list(fd, &d2), 0);
		n = cx_getattempts(fd, 0, &at);
		ck_assert_msg(n == 1, "the abandoned destination was remembered "
		    "(%d attempts)", n);
		cx_freeattempts(at);
		close(fd);
		close(live.fd);
	}
	for (i = 0; i < nholes; i++)
		tu_blackhole_close(&bh[i]);
}

START_TEST(test_disconnectx_from_another_thread_fails_the_blocking_call)
{
	/* The shape: two black holes, total timeout 2 s. */
	blocking_call_abandoned(2, 250, 2000);
}
END_TEST

START_TEST(test_disconnectx_from_another_thread_parallel_attempts)
{
	/* Attempts on the socket and on a clone when the call is abandoned. */
	blocking_call_abandoned(3, 40, 0);
}
END_TEST

START_TEST(test_disconnectx_from_another_thread_kernel_blocking_connect)
{
	/* One destination, no timeouts: the kernel's own blocking connect. */
	blocking_call_abandoned(1, 250, 0);
}
END_TEST

/* ---- 4. an AF_INET6 socket reused after an IPv4-mapped attempt ----------- */

START_TEST(test_v6_socket_reused_after_mapped_attempt_connects_at_once)
{
	struct listener live;
	struct sockaddr_storage mapped;
	socklen_t mlen;
	struct tu_dlist d1 = { .n = 0 }, d2 = { .n = 0 };
	double t0;
	int fd, nb;

	if (tu_listen(&live, AF_INET6, 8) != 0) {
		fprintf(stderr, "no ::1 here; skipped\n");
		return;
	}
	for (nb = 0; nb < 2; nb++) {
		struct sockaddr_storage r4;
		socklen_t r4len;
		char text[INET_ADDRSTRLEN];

		tu_refused(&r4, &r4len, AF_INET);
		inet_ntop(AF_INET, &((struct sockaddr_in *)&r4)->sin_addr, text,
		    sizeof(text));
		tu_set_v6(&mapped, &mlen, "::ffff:127.0.0.1", tu_port_of(&r4));
		d1.n = d2.n = 0;
		tu_dl_add(&d1, &mapped, mlen);
		tu_dl_add(&d2, &live.addr, live.addrlen);
		fd = tu_tcp_socket(AF_INET6, nb ? SOCK_NONBLOCK : 0);
		/* Bound the wrong outcome; the right one takes milliseconds. */
		ck_assert_int_eq(cx_setopt(fd, CX_OPT_TOTAL_TIMEOUT_MS, 3000), 0);
		if (nb) {
			int steps;

			ck_assert_int_eq(connect_list(fd, &d1), -1);
			ck_assert_int_eq(errno, EINPROGRESS);
			ck_assert_int_eq(event_loop(fd, &steps), -1);
		} else
			ck_assert_int_eq(connect_list(fd, &d1), -1);
		ck_assert_int_eq(errno, ECONNREFUSED);
		t0 = tu_now_ms();
		if (nb) {
			int steps, r = connect_list(fd, &d2);

			if (r == -1) {
				ck_assert_int_eq(errno, EINPROGRESS);
				r = event_loop(fd, &steps);
			}
			ck_assert_int_eq(r, 0);
		} else
			ck_assert_int_eq(connect_list(fd, &d2), 0);
		ck_assert(tu_now_ms() - t0 < 1000 + tu_margin_ms(0));
		ck_assert(peer_is(fd, &live.addr));
		close(fd);
	}
	close(live.fd);
}
END_TEST

/* ---- 5. UDP re-association after the old peer died ----------------------- */

static void
udp_peer_died_then_reassociate(bool with_data)
{
	struct sockaddr_storage dead, b_addr;
	socklen_t dlen, blen = sizeof(b_addr);
	sa_endpoints_t ep = { 0 };
	struct iovec iov = { "to-b", 4 };
	struct pollfd p;
	char got[16];
	size_t len = 99;
	int fd, b;

	/* A: a port nobody holds; B: a live UDP peer. */
	tu_loopback(&dead, &dlen, AF_INET, tu_free_port(AF_INET));
	b = tu_socket(AF_INET, SOCK_DGRAM);
	tu_loopback(&b_addr, &blen, AF_INET, 0);
	ck_assert_int_eq(bind(b, (struct sockaddr *)&b_addr, blen), 0);
	ck_assert_int_eq(getsockname(b, (struct sockaddr *)&b_addr, &blen), 0);

	fd = tu_socket(AF_INET, SOCK_DGRAM);
	ep.sae_dstaddr = (struct sockaddr *)&dead;
	ep.sae_dstaddrlen = dlen;
	ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL), 0);
	ck_assert_int_eq(send(fd, "x", 1, 0), 1);
	/* The port unreachable comes back: ECONNREFUSED pending. */
	p.fd = fd;
	p.events = 0;
	ck_assert_int_eq(poll(&p, 1, 2000), 1);
	ck_assert(p.revents & POLLERR);

	ep.sae_dstaddr = (struct sockaddr *)&b_addr;
	ep.sae_dstaddrlen = blen;
	if (with_data)
		ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 1,
		    &len, NULL), 0);
	else {
		ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0,
		    NULL, NULL), 0);
		ck_assert_int_eq(send(fd, "to-b", 4, 0), 4);
		len = 4;
	}
	ck_assert_uint_eq(len, 4);
	ck_assert(peer_is(fd, &b_addr));
	p.fd = b;
	p.events = POLLIN;
	ck_assert_int_eq(poll(&p, 1, 2000), 1);
	ck_assert_int_eq(recv(b, got, sizeof(got), 0), 4);
	ck_assert(memcmp(got, "to-b", 4) == 0);
	close(fd);
	close(b);
}

START_TEST(test_udp_reassociation_after_peer_died_with_data)
{
	udp_peer_died_then_reassociate(true);
}
END_TEST

START_TEST(test_udp_reassociation_after_peer_died_then_send)
{
	udp_peer_died_then_reassociate(false);
}
END_TEST

/* ---- 7. a socket whose own connect(2) failed and was read ---------------- */

static void
own_failed_connect_then_connectx(bool blocking, bool read_error)
{
	struct listener live;
	struct sockaddr_storage refused;
	socklen_t rlen;
	struct tu_dlist d = { .n = 0 };
	struct pollfd p;
	int fd, steps, r;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	tu_refused(&refused, &rlen, AF_INET);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&refused, rlen), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	p.fd = fd;
	p.events = POLLOUT;
	ck_assert_int_eq(poll(&p, 1, 2000), 1);
	if (read_error)
		ck_assert_int_eq(so_error(fd), ECONNREFUSED);
	if (blocking)
		ck_assert_int_eq(fcntl(fd, F_SETFL, 0), 0);
	tu_dl_add(&d, &live.addr, live.addrlen);
	r = connect_list(fd, &d);
	if (!blocking && r == -1) {
		ck_assert_int_eq(errno, EINPROGRESS);
		r = event_loop(fd, &steps);
	}
	ck_assert_msg(r == 0, "connectx: %s", strerror(errno));
	ck_assert(peer_is(fd, &live.addr));
	close(fd);
	close(live.fd);
}

START_TEST(test_own_failed_connect_read_then_single_destination_blocking)
{
	own_failed_connect_then_connectx(true, true);
}
END_TEST

START_TEST(test_own_failed_connect_read_then_single_destination_nonblocking)
{
	own_failed_connect_then_connectx(false, true);
}
END_TEST

START_TEST(test_own_failed_connect_unread_then_single_destination)
{
	own_failed_connect_then_connectx(true, false);
}
END_TEST

/* ---- issue: the gap while cx_step works ---------------------------------- */

/*
 * The observer runs inside cx_step (libconnectx(3), Observer): what it does
 * there is what another thread could do in the same gap.
 */
struct gap {
	bool		 stepping;
	bool		 done;
	int		 fd;
	const struct tu_dlist *again;
	int		 rc, err;	/* of the call made in the gap */
	int		 rc2, err2;
	int		 newfd;		/* the socket put on fd in the gap */
	cx_sctp_assoc_t	 newid;
};

static void
second_call_in_gap(int fd, const struct cx_attempt *a, void *arg)
{
	struct gap *g = arg;
	unsigned char buf[TU_MAXDEST * sizeof(struct sockaddr_storage)];
	size_t n;

	(void)a;
	if (!g->stepping || g->done)
		return;
	g->done = true;
	g->rc = connect_list(fd, g->again);
	g->err = errno;
	n = tu_pack(buf, g->again->a, g->again->l, g->again->n);
	(void)n;
	g->rc2 = sctp_connectx(fd, (struct sockaddr *)buf, g->again->n, NULL);
	g->err2 = errno;
}

START_TEST(test_connect_from_the_gap_of_cx_step_is_ealready)
{
	struct listener live;
	struct tu_dlist d = { .n = 0 }, again = { .n = 0 };
	struct gap g = { 0 };
	int fd, steps;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add(&d, &live.addr, live.addrlen);
	tu_dl_add(&again, &live.addr, live.addrlen);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	g.fd = fd;
	g.again = &again;
	ck_assert_int_eq(cx_setobserver(fd, second_call_in_gap, &g), 0);
	ck_assert_int_eq(connect_list(fd, &d), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	g.stepping = true;
	ck_assert_int_eq(event_loop(fd, &steps), 0);
	ck_assert(g.done);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err, EALREADY);
	ck_assert_int_eq(g.rc2, -1);
	ck_assert_int_eq(g.err2, EALREADY);
	ck_assert(peer_is(fd, &live.addr));
	close(fd);
	close(live.fd);
}
END_TEST

static void
replace_socket_in_gap(int fd, const struct cx_attempt *a, void *arg)
{
	struct gap *g = arg;
	int s;

	(void)a;
	if (!g->stepping || g->done)
		return;
	g->done = true;
	/* close(fd) and a new socket on the same number, connected by the library. */
	s = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(dup2(s, fd), fd);
	close(s);
	g->rc = connect_list(fd, g->again);
	g->err = errno;
	g->rc2 = cx_getassocid(fd, &g->newid);
}

START_TEST(test_close_during_cx_step_leaves_the_new_socket_alone)
{
	struct listener live;
	struct tu_dlist d = { .n = 0 }, again = { .n = 0 };
	struct gap g = { 0 };
	cx_sctp_assoc_t id;
	int fd, rc;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add(&d, &live.addr, live.addrlen);
	tu_dl_add(&again, &live.addr, live.addrlen);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	g.fd = fd;
	g.again = &again;
	ck_assert_int_eq(cx_setobserver(fd, replace_socket_in_gap, &g), 0);
	ck_assert_int_eq(connect_list(fd, &d), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	{
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		ck_assert_int_eq(poll(&p, 1, 2000), 1);
	}
	g.stepping = true;
	rc = cx_step(fd, NULL);
	ck_assert(g.done);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(g.rc2, 0);
	/* The old run is gone with its socket: it says so, and touches nothing. */
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(errno, ECONNABORTED);
	ck_assert(peer_is(fd, &live.addr));
	ck_assert_int_eq(tu_tcp_state(fd), TCP_ESTABLISHED);
	ck_assert_int_eq(cx_getassocid(fd, &id), 0);
	ck_assert_int_eq(id, g.newid);
	ck_assert_int_eq(cx_getpeerindex(fd, id), 0);
	ck_assert_int_eq(cx_step(fd, NULL), 0);
	close(fd);
	close(live.fd);
}
END_TEST



static void
disconnect_in_gap(int fd, const struct cx_attempt *a, void *arg)
{
	struct gap *g = arg;

	(void)a;
	if (!g->stepping || g->done)
		return;
	g->done = true;
	g->rc = disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY);
	g->err = errno;
}

START_TEST(test_disconnectx_during_cx_step_fails_the_step)
{
	struct listener live;
	struct tu_dlist d = { .n = 0 };
	struct gap g = { 0 };
	cx_sctp_assoc_t id;
	int fd, steps;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add(&d, &live.addr, live.addrlen);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	ck_assert_int_eq(cx_setobserver(fd, disconnect_in_gap, &g), 0);
	ck_assert_int_eq(connect_list(fd, &d), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	g.stepping = true;
	/* The refused attempt's end is reported inside cx_step: disconnectx there. */
	ck_assert_int_eq(event_loop(fd, &steps), -1);
	ck_assert_int_eq(errno, ECONNABORTED);
	ck_assert(g.done);
	ck_assert_int_eq(g.rc, 0);
	ck_assert(!tu_is_connected(fd));
	ck_assert_int_eq(cx_getassocid(fd, &id), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(cx_step(fd, NULL), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(connect_list(fd, &d), -1);
	ck_assert_int_eq(errno, EISCONN);
	tu_assert_no_connection(&live);
	close(fd);
	close(live.fd);
}
END_TEST

/*
 * A Darwin-minded client (curl's shape) asks for a deferred connect on a
 * non-blocking socket without fast open: the SYN leaves at once, so the
 * call says EINPROGRESS and the connection is a run like any other
 * (libconnectx(3), Policy, Associations and Observer: "and returns 0
 * for"): not established in the record until cx_step ends it, its end
 * reported by cx_step.
 */
static int resume_ends[2];	/* ends reported, the last one's ca_error */

static void
count_resume_ends(int fd, const struct cx_attempt *a, void *arg)
{
	(void)fd;
	(void)arg;
	if (a->ca_error != EINPROGRESS) {
		resume_ends[0]++;
		resume_ends[1] = a->ca_error;
	}
}

START_TEST(test_resume_on_a_nonblocking_socket_whose_syn_left_is_a_run)
{
	struct sockaddr_storage refused;
	socklen_t rlen;
	sa_endpoints_t ep = { 0 };
	struct pollfd p;
	cx_sctp_assoc_t id;
	int fd;

	tu_refused(&refused, &rlen, AF_INET);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	ck_assert_int_eq(cx_setobserver(fd, count_resume_ends, NULL), 0);
	ep.sae_dstaddr = (struct sockaddr *)&refused;
	ep.sae_dstaddrlen = rlen;
	resume_ends[0] = resume_ends[1] = 0;
	ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY,
	    CONNECT_RESUME_ON_READ_WRITE, NULL, 0, NULL, NULL), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	/* Under way: an ID, no winner, no end reported yet. */
	ck_assert_int_eq(cx_getassocid(fd, &id), 0);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), -1);
	ck_assert_int_eq(resume_ends[0], 0);
	p.fd = fd;
	p.events = POLLOUT;
	ck_assert_int_eq(poll(&p, 1, 3000), 1);
	ck_assert_int_eq(cx_step(fd, NULL), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_int_eq(resume_ends[0], 1);
	ck_assert_int_eq(resume_ends[1], ECONNREFUSED);
	ck_assert(!tu_is_connected(fd));
	ck_assert_int_eq(cx_getassocid(fd, &id), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), -1);
	close(fd);
}
END_TEST

/* ---- cx_step with nothing under way asks the socket ---------------------- */

START_TEST(test_cx_step_after_resume_asks_the_socket)
{
	struct blackhole bh;
	struct sockaddr_storage refused;
	socklen_t rlen;
	sa_endpoints_t ep = { 0 };
	int fd, wait_ms;

	/* A blocking RESUME call returns 0 with the handshake under way. */
	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	fd = tu_tcp_socket(AF_INET, 0);
	ep.sae_dstaddr = (struct sockaddr *)&bh.l.addr;
	ep.sae_dstaddrlen = bh.l.addrlen;
	ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY,
	    CONNECT_RESUME_ON_READ_WRITE, NULL, 0, NULL, NULL), 0);
	ck_assert_int_eq(cx_step(fd, &wait_ms), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	close(fd);
	tu_blackhole_close(&bh);
	/* Refused: cx_step says so, even after the loop read SO_ERROR. */
	tu_refused(&refused, &rlen, AF_INET);
	fd = tu_tcp_socket(AF_INET, 0);
	ep.sae_dstaddr = (struct sockaddr *)&refused;
	ep.sae_dstaddrlen = rlen;
	ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY,
	    CONNECT_RESUME_ON_READ_WRITE, NULL, 0, NULL, NULL), 0);
	{
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		ck_assert_int_eq(poll(&p, 1, 2000), 1);
	}
	(void)so_error(fd);
	ck_assert_int_eq(cx_step(fd, NULL), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	close(fd);
}
END_TEST

/* ---- the descriptor closed or reused by another thread during a run ------ */

struct replacer {
	int	fd;
	int	mode;		/* 0: close it; 1: dup2 a UDP socket onto it */
};

static void *
replace_fd(void *arg)
{
	struct replacer *p = arg;
	int s;

	usleep(100000);
	if (p->mode == 0) {
		close(p->fd);
		return NULL;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	dup2(s, p->fd);
	close(s);
	return NULL;
}

static void
ignore_attempt(int fd, const struct cx_attempt *a, void *arg)
{
	(void)fd;
	(void)a;
	(void)arg;
}

/*
 * A blocking connectx([black hole, live]) whose descriptor another thread
 * closes, or replaces with its own socket, at 100 ms: connectx(2) ERRORS,
 * ECONNABORTED ("...or closed the descriptor"); HACKING.md, Verdicts, "A
 * socket closed under a run": the number is left alone, nothing leaks.
 */
static void
blocking_call_loses_its_descriptor(int mode, bool observer)
{
	struct blackhole bh;
	struct listener live;
	struct tu_dlist d = { .n = 0 };
	struct replacer p;
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	pthread_t t;
	int fd, rc, err, type = 0, nfds;

	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	tu_dl_add(&d, &bh.l.addr, bh.l.addrlen);
	tu_dl_add(&d, &live.addr, live.addrlen);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, 250), 0);
	if (observer)
		ck_assert_int_eq(cx_setobserver(fd, ignore_attempt, NULL), 0);
	nfds = tu_count_fds();
	p.fd = fd;
	p.mode = mode;
	ck_assert_int_eq(pthread_create(&t, NULL, replace_fd, &p), 0);
	rc = connect_list(fd, &d);
	err = errno;
	pthread_join(t, NULL);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(err, ECONNABORTED);
	if (mode == 0) {
		/* The number stays closed: no socket of the library's on it. */
		ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
		ck_assert_int_eq(errno, EBADF);
		ck_assert_int_eq(tu_count_fds(), nfds - 1);
	} else {
		/* The other thread's socket: not connected, its flags kept. */
		ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type,
		    &(socklen_t){ sizeof(type) }), 0);
		ck_assert_int_eq(type, SOCK_DGRAM);
		ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer, &len), -1);
		ck_assert_int_eq(errno, ENOTCONN);
		ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
		ck_assert_int_eq(tu_count_fds(), nfds);
		close(fd);
	}
	close(live.fd);
	tu_blackhole_close(&bh);
}

START_TEST(test_descriptor_closed_by_another_thread_during_blocking_call)
{
	blocking_call_loses_its_descriptor(0, false);
}
END_TEST

START_TEST(test_descriptor_closed_by_another_thread_with_an_observer)
{
	blocking_call_loses_its_descriptor(0, true);
}
END_TEST

/*
 * connectx(CONNECT_RESUME_ON_READ_WRITE) to the lone listener live, no
 * data: a deferred start (libconnectx(3)), which each test below has its
 * observer undermine; the call must fail with ECONNABORTED.
 */
static void
deferred_call_aborts(int fd, const struct listener *live)
{
	sa_endpoints_t ep;
	int rc, err;

	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (const struct sockaddr *)&live->addr;
	ep.sae_dstaddrlen = live->addrlen;
	rc = connectx(fd, &ep, SAE_ASSOCID_ANY, CONNECT_RESUME_ON_READ_WRITE,
	    NULL, 0, NULL, NULL);
	err = errno;
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(err == ECONNABORTED, "connectx: %s", strerror(err));
}

/*
 * A deferred start (CONNECT_RESUME_ON_READ_WRITE, one destination, no
 * data) whose observer closes the descriptor when told the attempt began:
 * connectx(2) ERRORS, ECONNABORTED, as for any run whose descriptor is
 * closed under it; the observer hears that attempt end, with an error;
 * the number stays closed and nothing leaks.
 */
struct closing_observer {
	int	starts, ends, end_error;
};

static void
close_at_start(int fd, const struct cx_attempt *a, void *arg)
{
	struct closing_observer *o = arg;

	if (a->ca_error == EINPROGRESS) {
		if (o->starts++ == 0)
			close(fd);
	} else {
		o->ends++;
		o->end_error = a->ca_error;
	}
}

START_TEST(test_deferred_start_whose_observer_closes_the_descriptor)
{
	struct closing_observer o = { 0, 0, 0 };
	struct listener live;
	int fd, nfds;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 16), 0);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(cx_setobserver(fd, close_at_start, &o), 0);
	nfds = tu_count_fds();
	deferred_call_aborts(fd, &live);
	ck_assert_int_eq(o.starts, 1);
	ck_assert_msg(o.ends == 1 && o.end_error == ECONNABORTED,
	    "the observer heard %d ends, the last with %d", o.ends, o.end_error);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(tu_count_fds(), nfds - 1);
	close(live.fd);
}
END_TEST

/*
 * The same deferred start, and the observer puts another socket on the
 * number when told the attempt began (dup2(2), as another thread may):
 * the run leaves that number alone from then on (libconnectx(3),
 * Observer: "the run then leaves that number alone"; HACKING.md,
 * Verdicts, "A socket closed under a run").  The other socket, blocking
 * and unconnected, must stay both: no connect(2) on it, no O_NONBLOCK
 * left on it, nothing at the listener.
 */
static int deferred_other = -1;

static void
dup2_at_start(int fd, const struct cx_attempt *a, void *arg)
{
	int *starts = arg;

	if (a->ca_error == EINPROGRESS && (*starts)++ == 0)
		ck_assert_int_eq(dup2(deferred_other, fd), fd);
}

START_TEST(test_deferred_start_whose_observer_puts_another_socket_on_the_number)
{
	struct listener live;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int fd, starts = 0;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 16), 0);
	fd = tu_tcp_socket(AF_INET, 0);
	deferred_other = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(cx_setobserver(fd, dup2_at_start, &starts), 0);
	deferred_call_aborts(fd, &live);
	ck_assert_int_eq(starts, 1);
	ck_assert_msg(!(fcntl(deferred_other, F_GETFL) & O_NONBLOCK),
	    "the other socket was left non-blocking");
	ck_assert_int_eq(getsockopt(deferred_other, IPPROTO_TCP, TCP_INFO, &ti,
	    &len), 0);
	ck_assert_msg(ti.tcpi_state == TCP_CLOSE,
	    "the other socket was connected (TCP state %d)", ti.tcpi_state);
	tu_assert_no_connection(&live);
	close(fd);
	close(deferred_other);
	close(live.fd);
}
END_TEST

/*
 * The deferred start whose observer closes the descriptor, as the
 * application's report and the history see it: the attempt was
 * abandoned because the descriptor was closed, ECANCELED or ECONNABORTED
 * (libconnectx(3), the attempt's ca_error), not an error of the network;
 * and a live destination abandoned at once is not remembered as silent
 * (connectx(2), History): a later run over [it, another live one] with a
 * long attempt delay starts it alone, and it wins.
 */
static void
count_own_starts(int fd, const struct cx_attempt *a, void *arg)
{
	(void)fd;
	if (a->ca_error == EINPROGRESS)
		(*(int *)arg)++;
}

START_TEST(test_deferred_start_closed_by_its_observer_is_abandoned_not_failed)
{
	struct closing_observer o = { 0, 0, 0 };
	struct listener live, other;
	struct tu_dlist dl = { .n = 0 };
	int fd, starts = 0;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 16), 0);
	ck_assert_int_eq(tu_listen(&other, AF_INET, 16), 0);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(cx_setobserver(fd, close_at_start, &o), 0);
	deferred_call_aborts(fd, &live);
	ck_assert_int_eq(o.ends, 1);
	ck_assert_msg(o.end_error == ECONNABORTED || o.end_error == ECANCELED,
	    "the attempt ended with %s", strerror(o.end_error));

	/* The history: the live destination is not held as silent. */
	tu_dl_add(&dl, &live.addr, live.addrlen);
	tu_dl_add(&dl, &other.addr, other.addrlen);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, 2000), 0);
	ck_assert_int_eq(cx_setobserver(fd, count_own_starts, &starts), 0);
	ck_assert_int_eq(tu_connectx(fd, dl.a, dl.l, dl.n), 0);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 0);
	ck_assert_msg(starts == 1, "%d attempts started: the live destination "
	    "was remembered as silent", starts);
	close(fd);
	close(live.fd);
	close(other.fd);
}
END_TEST

/*
 * The same deferred start, and the observer calls disconnectx(2) when told
 * the attempt began: the run has seen it before anything is sent, so no
 * attempt starts (libconnectx(3), Observer: "no attempt starts ... once
 * the run has seen the disconnectx"), as the stagger's attempt_start
 * already makes sure: ECONNABORTED, and nothing reaches the listener.
 */
static void
disconnect_at_start(int fd, const struct cx_attempt *a, void *arg)
{
	int *rc = arg;

	if (a->ca_error == EINPROGRESS)
		*rc = disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY);
}

START_TEST(test_deferred_start_whose_observer_calls_disconnectx)
{
	struct listener live;
	int fd, drc = 1;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 16), 0);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(cx_setobserver(fd, disconnect_at_start, &drc), 0);
	deferred_call_aborts(fd, &live);
	ck_assert_int_eq(drc, 0);
	tu_assert_no_connection(&live);
	close(fd);
	close(live.fd);
}
END_TEST

START_TEST(test_descriptor_reused_by_another_thread_during_blocking_call)
{
	blocking_call_loses_its_descriptor(1, false);
}
END_TEST

/*
 * One destination and no timeouts: the kernel's own blocking connect(2)
 * does the waiting (HACKING.md, "One system call").  Another thread, 100 ms
 * in, closes the descriptor or dup2(2)s a socket of its own onto it, then
 * lets the black hole answer.  The one look after connect(2) (TCP_INFO)
 * tells every replacement but an established TCP socket: the call fails
 * with ECONNABORTED and leaves the other thread's socket alone
 * (connectx(2) ERRORS).  An established TCP socket answers that look as the
 * run's own would: the call returns 0, its connect having succeeded, and
 * the association is tied to the run's socket, so the other thread's
 * socket never shows it (connectx(2) BUGS).
 */
enum lone_swap { SWAP_CLOSE, SWAP_UDP, SWAP_FRESH_TCP, SWAP_ESTABLISHED_TCP };

struct lone_swapper {
	int			 fd;
	enum lone_swap		 how;
	struct blackhole	*bh;
	struct listener		*other;	/* SWAP_ESTABLISHED_TCP's peer */
};

static void *
swap_descriptor(void *arg)
{
	struct lone_swapper *w = arg;
	int s = -1;

	usleep(100000);
	switch (w->how) {
	case SWAP_CLOSE:
		close(w->fd);
		break;
	case SWAP_UDP:
		s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		break;
	case SWAP_FRESH_TCP:
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		break;
	case SWAP_ESTABLISHED_TCP:
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		connect(s, (struct sockaddr *)&w->other->addr, w->other->addrlen);
		break;
	}
	if (s >= 0) {
		dup2(s, w->fd);
		close(s);
	}
	return NULL;
}

/*
 * Room in the black hole's queue from 150 ms on: the next SYN is answered.
 * Accepted in a process of its own, whose descriptors cannot take the
 * number the other thread closed.
 */
static pid_t
answer_later(struct blackhole *bh)
{
	pid_t pid = fork();
	int c;

	if (pid == 0) {
		usleep(150000);
		for (;;)
			if ((c = tu_accept(&bh->l, 100)) >= 0)
				close(c);
	}
	ck_assert_int_gt(pid, 0);
	return pid;
}

static const struct lone_swap_row {
	const char	*name;
	enum lone_swap	 how;
	int		 data;	/* the call carries data */
	int		 rc, err;
} lone_swap_rows[] = {
	{ "closed",			SWAP_CLOSE,		0, -1, ECONNABORTED },
	{ "a UDP socket",		SWAP_UDP,		0, -1, ECONNABORTED },
	{ "a fresh TCP socket",		SWAP_FRESH_TCP,		0, -1, ECONNABORTED },
	{ "an established TCP socket",	SWAP_ESTABLISHED_TCP,	0, 0, 0 },
	/* Data goes to the call's own socket only: the cookie is asked. */
	{ "an established TCP socket, data", SWAP_ESTABLISHED_TCP, 1, -1, ECONNABORTED },
};

START_TEST(test_lone_destination_descriptor_replaced_while_the_kernel_waits)
{
	const struct lone_swap_row *row = &lone_swap_rows[_i];
	struct blackhole bh;
	struct listener other;
	struct tu_dlist d = { .n = 0 };
	struct lone_swapper w = { 0 };
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	cx_sctp_assoc_t id;
	pthread_t t;
	pid_t answerer;
	int fd, rc, err, type = 0;

	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	ck_assert_int_eq(tu_listen(&other, AF_INET, 8), 0);
	tu_dl_add(&d, &bh.l.addr, bh.l.addrlen);
	fd = tu_tcp_socket(AF_INET, 0);
	w.fd = fd;
	w.how = row->how;
	w.bh = &bh;
	w.other = &other;
	answerer = answer_later(&bh);
	ck_assert_int_eq(pthread_create(&t, NULL, swap_descriptor, &w), 0);
	if (row->data) {
		sa_endpoints_t ep = { .sae_dstaddr = (struct sockaddr *)&bh.l.addr,
		    .sae_dstaddrlen = bh.l.addrlen };
		struct iovec iov = { (void *)(uintptr_t)"the call's data", 15 };
		size_t sent = 99;

		rc = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 1, &sent, NULL);
		err = errno;
		if (rc != 0)
			ck_assert_uint_eq(sent, 0);
	} else {
		rc = connect_list(fd, &d);
		err = errno;
	}
	pthread_join(t, NULL);
	kill(answerer, SIGKILL);
	waitpid(answerer, NULL, 0);
	ck_assert_msg(rc == row->rc && (rc == 0 || err == row->err),
	    "%s: rc %d errno %d", row->name, rc, err);
	switch (row->how) {
	case SWAP_CLOSE:
		ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
		break;
	case SWAP_UDP:
		ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type,
		    &(socklen_t){ sizeof(type) }), 0);
		ck_assert_int_eq(type, SOCK_DGRAM);
		ck_assert(!tu_is_connected(fd));
		break;
	case SWAP_FRESH_TCP:
		ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
		ck_assert(!tu_is_connected(fd));
		break;
	case SWAP_ESTABLISHED_TCP:
		/* The other thread's connection, as it was; no association. */
		ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
		ck_assert_int_eq(ti.tcpi_state, TCP_ESTABLISHED);
		ck_assert(peer_is(fd, &other.addr));
		if (row->data) {
			/* Nothing of the call's reached the other thread's peer. */
			struct pollfd p = { .fd = -1, .events = POLLIN };
			ck_assert_int_ge(p.fd = tu_accept(&other, 1000), 0);
			ck_assert_int_eq(poll(&p, 1, 200), 0);
			close(p.fd);
		}
		break;
	}
	if (row->how != SWAP_CLOSE) {
		ck_assert_int_eq(cx_getassocid(fd, &id), -1);
		ck_assert_int_eq(errno, ENOTCONN);
		close(fd);
	}
	close(other.fd);
	tu_blackhole_close(&bh);
}
END_TEST

/* ---- a socket reused after a failed connect behaves as a fresh one ------- */

/*
 * Linux lets go of a failed connect(2)'s port yet getsockname(2) still
 * shows it (HACKING.md, Verdicts, "Nothing carried over from an earlier
 * call").  The failure is the library's own (an earlier connectx) or the
 * application's own connect(2).
 */
enum earlier { BY_CONNECTX, BY_OWN_CONNECT };

static int
socket_after_refused(int family, enum earlier how, int extra)
{
	struct sockaddr_storage refused;
	socklen_t rlen;
	struct tu_dlist d = { .n = 0 };
	struct pollfd p;
	int fd = tu_tcp_socket(family, extra), steps;

	ck_assert_int_eq(cx_setopt(fd, CX_OPT_HISTORY, 0), 0);
	tu_refused(&refused, &rlen, family);
	tu_dl_add(&d, &refused, rlen);
	errno = 0;
	if (how == BY_CONNECTX) {
		if (connect_list(fd, &d) == -1 && errno == EINPROGRESS)
			(void)event_loop(fd, &steps);
	} else if (connect(fd, (struct sockaddr *)&refused, rlen) == -1 &&
	    errno == EINPROGRESS) {
		p.fd = fd;
		p.events = POLLOUT;
		ck_assert_int_eq(poll(&p, 1, 2000), 1);
		errno = so_error(fd);	/* as an event loop does */
	}
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert(!tu_is_connected(fd));
	return fd;
}

/*
 * The old port taken by another socket, here a connection closed from
 * 127.0.0.1:port (TIME_WAIT): what made a probe of the port through another
 * socket answer "held".  On a busy machine the port often has one already,
 * from a connection of someone else's: then that one serves.  Either way a
 * plain bind(2) of another socket to the port fails.
 */
static void
time_wait_on(uint16_t port, const struct listener *live)
{
	struct sockaddr_storage src;
	socklen_t srclen;
	int c = tu_tcp_socket(AF_INET, 0), a, one = 1;

	tu_set_v4(&src, &srclen, "127.0.0.1", port);
	ck_assert_int_eq(setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)), 0);
	if (bind(c, (struct sockaddr *)&src, srclen) == 0) {
		ck_assert_int_eq(connect(c, (const struct sockaddr *)&live->addr,
		    live->addrlen), 0);
		ck_assert_int_ge(a = tu_accept(live, 2000), 0);
		close(c);	/* the active close: TIME_WAIT on this side */
		usleep(20000);
		close(a);
	} else {
		ck_assert_int_eq(errno, EADDRINUSE);
		close(c);
	}
	c = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(bind(c, (struct sockaddr *)&src, srclen), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(c);
}

START_TEST(test_reused_socket_keeps_parallel_attempts)
{
	struct blackhole bh;
	struct listener live;
	struct tu_dlist d = { .n = 0 };
	struct cx_attempt *at = NULL;
	enum earlier how;
	int fd, mss;
	socklen_t len = sizeof(mss);

	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	tu_dl_add(&d, &bh.l.addr, bh.l.addrlen);
	tu_dl_add(&d, &live.addr, live.addrlen);
	for (how = BY_CONNECTX; how <= BY_OWN_CONNECT; how++) {
		fd = socket_after_refused(AF_INET, how, 0);
		ck_assert_int_ne(tu_local_port(fd), 0);
		time_wait_on(tu_local_port(fd), &live);
		ck_assert_int_eq(cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, 100), 0);
		ck_assert_msg(connect_list(fd, &d) == 0, "connectx: %s",
		    strerror(errno));
		ck_assert(peer_is(fd, &live.addr));
		/* connectx(2), Failover: the first kept running, overtaken. */
		ck_assert_int_eq(cx_getattempts(fd, 0, &at), 2);
		ck_assert_int_eq(at[0].ca_error, ECANCELED);
		ck_assert_int_eq(at[1].ca_error, 0);
		cx_freeattempts(at);
		ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
		/* Not clamped to the segment size the failed connect left. */
		ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss,
		    &len), 0);
		ck_assert_int_gt(mss, 1500);
		close(fd);
		close(tu_accept(&live, 2000));
	}
	close(live.fd);
	tu_blackhole_close(&bh);
}
END_TEST

START_TEST(test_reused_socket_takes_a_source_address)
{
	struct listener live;
	struct sockaddr_storage src, local, refused;
	socklen_t srclen, rlen, len;
	sa_endpoints_t ep = { 0 };
	enum earlier how;
	cx_sctp_assoc_t id;
	uint16_t port;
	int fd;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	tu_set_v4(&src, &srclen, "127.0.0.2", 0);
	ep.sae_srcaddr = (struct sockaddr *)&src;
	ep.sae_srcaddrlen = srclen;
	ep.sae_dstaddr = (struct sockaddr *)&live.addr;
	ep.sae_dstaddrlen = live.addrlen;
	for (how = BY_CONNECTX; how <= BY_OWN_CONNECT; how++) {
		fd = socket_after_refused(AF_INET, how, 0);
		time_wait_on(tu_local_port(fd), &live);
		/* As bind(2) would: the port shown is no longer the socket's. */
		ck_assert_msg(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0,
		    NULL, NULL) == 0, "connectx: %s", strerror(errno));
		len = sizeof(local);
		ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&local,
		    &len), 0);
		ck_assert_int_eq(((struct sockaddr_in *)&local)->sin_addr.s_addr,
		    inet_addr("127.0.0.2"));
		ck_assert(peer_is(fd, &live.addr));
		close(fd);
		close(tu_accept(&live, 2000));
	}

	/*
	 * A port the application bound itself stays its own through a failed
	 * connect: connectx(2) ERRORS, EINVAL row 6, the socket as it was.
	 */
	fd = tu_tcp_socket(AF_INET, 0);
	port = tu_free_port(AF_INET);
	tu_set_v4(&local, &len, "127.0.0.1", port);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&local, len), 0);
	tu_refused(&refused, &rlen, AF_INET);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&refused, rlen), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL,
	    NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(tu_local_port(fd), port);
	ck_assert(!tu_is_connected(fd));
	ck_assert_int_eq(cx_getassocid(fd, &id), -1);
	ck_assert_int_eq(errno, ENOTCONN);	/* no run was made */
	close(fd);
	close(live.fd);
}
END_TEST

START_TEST(test_reused_v6_socket_tries_native_after_mapped)
{
	struct listener live;
	struct tu_dlist d = { .n = 0 };
	struct sockaddr_storage mapped, r4;
	socklen_t mlen, r4len;
	struct cx_attempt *at = NULL;
	int fd, nb, r, steps;

	if (tu_listen(&live, AF_INET6, 8) != 0) {
		fprintf(stderr, "no ::1 here; skipped\n");
		return;
	}
	tu_refused(&r4, &r4len, AF_INET);
	tu_set_v6(&mapped, &mlen, "::ffff:127.0.0.1", tu_port_of(&r4));
	tu_dl_add(&d, &mapped, mlen);
	tu_dl_add(&d, &live.addr, live.addrlen);
	for (nb = 0; nb < 2; nb++) {
		fd = socket_after_refused(AF_INET6, BY_CONNECTX,
		    nb ? SOCK_NONBLOCK : 0);
		ck_assert_int_eq(cx_setopt(fd, CX_OPT_TOTAL_TIMEOUT_MS, 3000), 0);
		r = connect_list(fd, &d);
		if (nb && r == -1 && errno == EINPROGRESS)
			r = event_loop(fd, &steps);
		ck_assert_msg(r == 0, "connectx: %s", strerror(errno));
		ck_assert(peer_is(fd, &live.addr));
		ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
		ck_assert_int_eq(cx_getattempts(fd, 0, &at), 2);
		ck_assert_int_eq(at[0].ca_error, ECONNREFUSED);
		ck_assert_int_eq(at[1].ca_error, 0);
		cx_freeattempts(at);
		ck_assert_int_eq(!!(fcntl(fd, F_GETFL) & O_NONBLOCK), nb);
		close(fd);
		close(tu_accept(&live, 2000));
	}
	close(live.fd);
}
END_TEST

/*
 * The application's own connect(2) to an IPv4-mapped address was refused:
 * Linux leaves the socket in IPv4-mapped mode and shows nothing of it
 * (connectx(2), Failover).  The next native destination connects at once.
 */
START_TEST(test_own_mapped_connect_then_native_connects_at_once)
{
	struct listener live;
	struct tu_dlist d = { .n = 0 };
	struct sockaddr_storage mapped, r4;
	socklen_t mlen, r4len;
	int fd, nb, r, steps;
	double t0;

	if (tu_listen(&live, AF_INET6, 8) != 0) {
		fprintf(stderr, "no ::1 here; skipped\n");
		return;
	}
	tu_dl_add(&d, &live.addr, live.addrlen);
	for (nb = 0; nb < 2; nb++) {
		struct pollfd p;

		tu_refused(&r4, &r4len, AF_INET);
		tu_set_v6(&mapped, &mlen, "::ffff:127.0.0.1", tu_port_of(&r4));
		fd = tu_tcp_socket(AF_INET6, nb ? SOCK_NONBLOCK : 0);
		r = connect(fd, (struct sockaddr *)&mapped, mlen);
		if (nb) {
			ck_assert_int_eq(r, -1);
			ck_assert_int_eq(errno, EINPROGRESS);
			p.fd = fd;
			p.events = POLLOUT;
			ck_assert_int_eq(poll(&p, 1, 2000), 1);
			ck_assert_int_eq(so_error(fd), ECONNREFUSED);
		} else {
			ck_assert_int_eq(r, -1);
			ck_assert_int_eq(errno, ECONNREFUSED);
		}
		/* Bound the wrong outcome; the right one takes milliseconds. */
		ck_assert_int_eq(cx_setopt(fd, CX_OPT_TOTAL_TIMEOUT_MS, 3000), 0);
		t0 = tu_now_ms();
		r = connect_list(fd, &d);
		if (nb && r == -1 && errno == EINPROGRESS)
			r = event_loop(fd, &steps);
		ck_assert_msg(r == 0, "connectx: %s", strerror(errno));
		ck_assert(tu_now_ms() - t0 < 1000 + tu_margin_ms(0));
		ck_assert(peer_is(fd, &live.addr));
		ck_assert_int_eq(cx_getpeerindex(fd, 0), 0);
		ck_assert_int_eq(!!(fcntl(fd, F_GETFL) & O_NONBLOCK), nb);
		close(fd);
		close(tu_accept(&live, 2000));
	}
	close(live.fd);
}
END_TEST

/* ---- SO_SNDTIMEO on a blocking socket ------------------------------------ */

/*
 * connectx(2), Blocking and non-blocking sockets: a send timeout bounds the
 * whole blocking call, as the total timeout does; the call never returns
 * EINPROGRESS and leaves no run behind.
 */
START_TEST(test_sndtimeo_bounds_a_blocking_call)
{
	struct blackhole bh;
	struct listener live;
	struct tu_dlist one = { .n = 0 }, two = { .n = 0 }, lv = { .n = 0 };
	struct timeval tv = { 0, 300000 };
	struct cx_attempt *at = NULL;
	int fd, wait_ms, n, total, k, i;
	double t0, el;

	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	ck_assert_int_eq(tu_listen(&live, AF_INET, 8), 0);
	tu_dl_add(&one, &bh.l.addr, bh.l.addrlen);
	tu_dl_add(&two, &bh.l.addr, bh.l.addrlen);
	tu_dl_add(&two, &bh.l.addr, bh.l.addrlen);
	tu_dl_add(&lv, &live.addr, live.addrlen);
	/* A lone destination, two, and two under a longer total timeout. */
	for (n = 0; n < 3; n++) {
		fd = tu_tcp_socket(AF_INET, 0);
		ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
		    sizeof(tv)), 0);
		total = n == 2 ? 5000 : 0;
		if (total > 0)
			ck_assert_int_eq(cx_setopt(fd, CX_OPT_TOTAL_TIMEOUT_MS,
			    total), 0);
		t0 = tu_now_ms();
		ck_assert_int_eq(connect_list(fd, n == 0 ? &one : &two), -1);
		ck_assert_int_eq(errno, ETIMEDOUT);
		el = tu_now_ms() - t0;
		ck_assert_msg(el >= 290 && el < 1500 + tu_margin_ms(0),
		    "ended after %.0f ms", el);
		/* Nothing left: no run for cx_step, no connection, blocking. */
		ck_assert_int_eq(cx_step(fd, &wait_ms), -1);
		ck_assert_int_eq(errno, ENOTCONN);
		ck_assert(!tu_is_connected(fd));
		ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
		ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
		/*
		 * Every attempt given up.  Two destinations: on a slow machine
		 * (the kernel lane) learning how to clone the socket may use
		 * up the 300 ms before any starts, as with the total timeout.
		 */
		at = NULL;
		k = cx_getattempts(fd, 0, &at);
		if (n == 0)
			ck_assert_int_eq(k, 1);
		else
			ck_assert_int_ge(k, 0);
		for (i = 0; i < k; i++)
			ck_assert_int_eq(at[i].ca_error, ETIMEDOUT);
		cx_freeattempts(at);
		/* The socket serves the next call. */
		ck_assert_msg(connect_list(fd, &lv) == 0, "connectx: %s",
		    strerror(errno));
		ck_assert(peer_is(fd, &live.addr));
		close(fd);
		close(tu_accept(&live, 2000));
	}

	/* A shorter total timeout still ends it first. */
	fd = tu_tcp_socket(AF_INET, 0);
	tv.tv_sec = 5;
	tv.tv_usec = 0;
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
	    sizeof(tv)), 0);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_TOTAL_TIMEOUT_MS, 300), 0);
	t0 = tu_now_ms();
	ck_assert_int_eq(connect_list(fd, &two), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert(tu_now_ms() - t0 < 1500 + tu_margin_ms(0));
	close(fd);
	close(live.fd);
	tu_blackhole_close(&bh);
}
END_TEST

static Suite *
verdicts_suite(void)
{
	Suite *s = suite_create("verdicts");
	TCase *tc = tcase_create("as applications meet them");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_loop_reading_so_error_first_moves_on_to_the_live_address);
	tcase_add_test(tc, test_loop_reading_so_error_first_lone_refused_fails);
	tcase_add_test(tc, test_disconnectx_from_another_thread_fails_the_blocking_call);
	tcase_add_test(tc, test_disconnectx_from_another_thread_parallel_attempts);
	tcase_add_test(tc, test_disconnectx_from_another_thread_kernel_blocking_connect);
	tcase_add_test(tc, test_v6_socket_reused_after_mapped_attempt_connects_at_once);
	tcase_add_test(tc, test_udp_reassociation_after_peer_died_with_data);
	tcase_add_test(tc, test_udp_reassociation_after_peer_died_then_send);
	tcase_add_test(tc, test_own_failed_connect_read_then_single_destination_blocking);
	tcase_add_test(tc, test_own_failed_connect_read_then_single_destination_nonblocking);
	tcase_add_test(tc, test_own_failed_connect_unread_then_single_destination);
	tcase_add_test(tc, test_connect_from_the_gap_of_cx_step_is_ealready);
	tcase_add_test(tc, test_close_during_cx_step_leaves_the_new_socket_alone);
	tcase_add_test(tc, test_cx_step_after_resume_asks_the_socket);
	tcase_add_test(tc, test_disconnectx_during_cx_step_fails_the_step);
	tcase_add_test(tc, test_descriptor_closed_by_another_thread_during_blocking_call);
	tcase_add_test(tc, test_descriptor_closed_by_another_thread_with_an_observer);
	tcase_add_test(tc, test_deferred_start_whose_observer_closes_the_descriptor);
	tcase_add_test(tc, test_deferred_start_whose_observer_puts_another_socket_on_the_number);
	tcase_add_test(tc, test_deferred_start_closed_by_its_observer_is_abandoned_not_failed);
	tcase_add_test(tc, test_deferred_start_whose_observer_calls_disconnectx);
	tcase_add_test(tc, test_descriptor_reused_by_another_thread_during_blocking_call);
	tcase_add_loop_test(tc, test_lone_destination_descriptor_replaced_while_the_kernel_waits,
	    0, (int)(sizeof(lone_swap_rows) / sizeof(lone_swap_rows[0])));
	tcase_add_test(tc, test_reused_socket_keeps_parallel_attempts);
	tcase_add_test(tc, test_reused_socket_takes_a_source_address);
	tcase_add_test(tc, test_reused_v6_socket_tries_native_after_mapped);
	tcase_add_test(tc, test_own_mapped_connect_then_native_connects_at_once);
	tcase_add_test(tc, test_sndtimeo_bounds_a_blocking_call);
	tcase_add_test(tc, test_resume_on_a_nonblocking_socket_whose_syn_left_is_a_run);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(verdicts_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
