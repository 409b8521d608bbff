/*
 * A storm of signals during blocking multi-address connects (connectx(2),
 * Signals; HACKING.md, EINTR: every attempt is abandoned, the socket is left
 * unconnected).
 *
 * A 1 ms ITIMER_REAL runs, its SIGALRM handler installed without
 * SA_RESTART, through CX_SIGNAL_CALLS (default 1000) blocking connectx
 * calls on lists with black holes in them (attempt delay 10 ms, total
 * timeout 1 s).  Every call must return 0 or -1/EINTR.  After EINTR the
 * socket is unconnected (TCP_CLOSE, getpeername fails), blocking again,
 * and a connectx without the timer succeeds on it.  Each call carries 8
 * bytes of data of its own; a listener thread reads every connection to
 * the end and counts each call's bytes: exactly once for a call that
 * returned 0, never for one that returned EINTR.  No descriptor leaks.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/time.h>

#include <check.h>
#include "connectx.h"
#include "testutil.h"

#define TAGLEN	8

static volatile sig_atomic_t nsignals;

static void
on_alarm(int sig)
{
	(void)sig;
	nsignals++;
}

/* ---- the live listener's side: read every connection to its end ---------- */

struct server {
	struct listener	 l;
	pthread_t	 thread;
	int		 stop[2];	/* pipe: stop when readable */
	int		*count;		/* per call: how many times its tag came */
	int		 ncalls;
	int		 conns, empty, stray;
	long		 bytes;
};

struct conn {
	int		fd;
	unsigned char	buf[64];
	size_t		len;
};

static void
conn_done(struct server *s, struct conn *c)
{
	char tag[TAGLEN + 1];
	int i;

	s->conns++;
	if (c->len == 0)
		s->empty++;
	else if (c->len != TAGLEN)
		s->stray++;
	else {
		memcpy(tag, c->buf, TAGLEN);
		tag[TAGLEN] = '\0';
		if (sscanf(tag, "C%7d", &i) == 1 && i >= 0 && i < s->ncalls)
			s->count[i]++;
		else
			s->stray++;
	}
	close(c->fd);
}

static void *
serve(void *arg)
{
	struct server *s = arg;
	struct pollfd pfd[66];
	struct conn c[64];
	int n = 0, npoll, i, k, fd;
	ssize_t r;

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = s->l.fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = s->stop[0], .events = POLLIN };
		for (i = 0; i < n; i++)
			pfd[2 + i] = (struct pollfd){ .fd = c[i].fd, .events = POLLIN };
		if (poll(pfd, (nfds_t)(2 + n), -1) < 0)
			continue;
		npoll = n;	/* connections accepted below are polled next time */
		if ((pfd[1].revents & POLLIN) && n == 0 && !(pfd[0].revents & POLLIN))
			break;
		if ((pfd[0].revents & POLLIN) && n < 64 &&
		    (fd = accept4(s->l.fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
			c[n++] = (struct conn){ .fd = fd, .len = 0 };
		for (i = 0; i < npoll; i++) {
			if (!(pfd[2 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(c[i].fd, c[i].buf + c[i].len,
			    sizeof(c[i].buf) - c[i].len);
			if (r > 0) {
				c[i].len += (size_t)r;
				s->bytes += r;
				if (c[i].len < sizeof(c[i].buf))
					continue;
			}
			conn_done(s, &c[i]);
			for (k = i; k < n - 1; k++) {
				c[k] = c[k + 1];
				pfd[2 + k] = pfd[3 + k];
			}
			n--;
			npoll--;
			i--;
		}
	}
	return NULL;
}

static void
server_start(struct server *s, int ncalls)
{
	sigset_t all, old;

	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(tu_listen(&s->l, AF_INET, 128), 0);
	ck_assert_int_eq(pipe2(s->stop, O_CLOEXEC), 0);
	s->ncalls = ncalls;
	s->count = calloc((size_t)ncalls, sizeof(*s->count));
	ck_assert_ptr_nonnull(s->count);
	/* SIGALRM goes to the thread making the calls, never to this one. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ck_assert_int_eq(pthread_create(&s->thread, NULL, serve, s), 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void
server_stop(struct server *s)
{
	ck_assert_int_eq(write(s->stop[1], "x", 1), 1);
	pthread_join(s->thread, NULL);
	close(s->stop[0]);
	close(s->stop[1]);
	close(s->l.fd);
}

/* ---- the storm ------------------------------------------------------------ */

static void
timer_set(int usec)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_interval.tv_usec = usec;
	it.it_value.tv_usec = usec;
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void
block_alarm(bool block)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static int
env_int(const char *name, int dflt)
{
	const char *s = getenv(name);

	return s != NULL && atoi(s) > 0 ? atoi(s) : dflt;
}

START_TEST(test_storm)
{
	int ncalls = env_int("CX_SIGNAL_CALLS", 1000);
	struct blackhole h1, h2;
	struct sockaddr_storage dead, peer;
	socklen_t deadlen, peerlen;
	struct server srv;
	struct sigaction sa, oldsa;
	unsigned char list[4 * sizeof(struct sockaddr_storage)];
	struct sockaddr_storage a[4];
	socklen_t al[4];
	char tag[TAGLEN + 8];
	sa_endpoints_t ep;
	struct iovec iov;
	int fds_before, i, n, fd, rc, err, ok = 0, intr = 0, i2;
	size_t len, plen;
	sae_connid_t cid;
	char *won = calloc((size_t)ncalls, 1);

	ck_assert_int_eq(tu_blackhole(&h1, AF_INET), 0);
	ck_assert_int_eq(tu_blackhole(&h2, AF_INET), 0);
	tu_refused(&dead, &deadlen, AF_INET);
	/* Counted before the listener's thread, which holds connections open. */
	fds_before = tu_count_fds();
	server_start(&srv, ncalls);
	ck_assert_int_eq(cx_setdefault(CX_OPT_ATTEMPT_DELAY_MS, 10), 0);
	ck_assert_int_eq(cx_setdefault(CX_OPT_TOTAL_TIMEOUT_MS, 1000), 0);
	/*
	 * Every call meets its black holes afresh: with the history of silent
	 * destinations (libconnectx(3), CX_OPT_HISTORY) a remembered one no
	 * longer holds the live one back, and where loopback's handshake ends
	 * inside connect(2) itself (one CPU: the kernel lane, HACKING.md) no
	 * call then ever waited, so no signal could interrupt one (200 calls,
	 * 9 512 signals, 0 EINTR there).
	 */
	ck_assert_int_eq(cx_setdefault(CX_OPT_HISTORY, 0), 0);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;		/* no SA_RESTART */
	ck_assert_int_eq(sigaction(SIGALRM, &sa, &oldsa), 0);

	for (i = 0; i < ncalls; i++) {
		/* Black holes before, between and after the live listener. */
		switch (i % 4) {
		case 0:
			a[0] = h1.l.addr; al[0] = h1.l.addrlen;
			a[1] = srv.l.addr; al[1] = srv.l.addrlen;
			n = 2;
			break;
		case 1:
			a[0] = dead; al[0] = deadlen;
			a[1] = h1.l.addr; al[1] = h1.l.addrlen;
			a[2] = h2.l.addr; al[2] = h2.l.addrlen;
			a[3] = srv.l.addr; al[3] = srv.l.addrlen;
			n = 4;
			break;
		case 2:
			a[0] = srv.l.addr; al[0] = srv.l.addrlen;
			a[1] = h1.l.addr; al[1] = h1.l.addrlen;
			n = 2;
			break;
		default:
			a[0] = h1.l.addr; al[0] = h1.l.addrlen;
			a[1] = dead; al[1] = deadlen;
			a[2] = srv.l.addr; al[2] = srv.l.addrlen;
			a[3] = h2.l.addr; al[3] = h2.l.addrlen;
			n = 4;
			break;
		}
		plen = tu_pack(list, a, al, n);
		memset(&ep, 0, sizeof(ep));
		ep.sae_dstaddr = (struct sockaddr *)list;
		ep.sae_dstaddrlen = (socklen_t)plen;
		snprintf(tag, sizeof(tag), "C%07d", i % 10000000);
		iov.iov_base = tag;
		iov.iov_len = TAGLEN;

		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(fd, 0);
		/* The timer runs through the call only. */
		timer_set(1000);
		len = 99;
		cid = 99;
		errno = 0;
		rc = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, &iov, 1, &len, &cid);
		err = errno;
		timer_set(0);
		ck_assert_msg(rc == 0 || (rc == -1 && err == EINTR),
		    "call %d: %d, errno %d (%s)", i, rc, err, strerror(err));
		ck_assert_msg((fcntl(fd, F_GETFL) & O_NONBLOCK) == 0,
		    "call %d: left non-blocking", i);
		if (rc == 0) {
			ok++;
			won[i] = 1;
			ck_assert_msg(len == TAGLEN && cid == 1,
			    "call %d: *len %zu *connid %u", i, len, cid);
			peerlen = sizeof(peer);
			ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer,
			    &peerlen), 0);
			ck_assert_msg(peerlen == srv.l.addrlen && memcmp(&peer,
			    &srv.l.addr, peerlen) == 0, "call %d: peer not the "
			    "live listener", i);
		} else {
			intr++;
			ck_assert_msg(len == 0 && cid == 0,
			    "call %d: EINTR with *len %zu *connid %u", i, len, cid);
			ck_assert_int_eq(tu_tcp_state(fd), TCP_CLOSE);
			peerlen = sizeof(peer);
			ck_assert_msg(getpeername(fd, (struct sockaddr *)&peer,
			    &peerlen) == -1 && errno == ENOTCONN,
			    "call %d: connected after EINTR", i);
			/* And it can connect again (no data, no timer). */
			block_alarm(true);
			ep.sae_dstaddr = (struct sockaddr *)&srv.l.addr;
			ep.sae_dstaddrlen = srv.l.addrlen;
			rc = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
			err = errno;
			block_alarm(false);
			ck_assert_msg(rc == 0, "call %d: connectx after EINTR: %s",
			    i, strerror(err));
		}
		close(fd);
	}
	ck_assert_int_eq(sigaction(SIGALRM, &oldsa, NULL), 0);
	server_stop(&srv);
	ck_assert_int_eq(tu_count_fds(), fds_before);

	for (i2 = 0, i = 0; i < ncalls; i++)
		i2 += srv.count[i];
	fprintf(stderr, "signals: %d calls, %d returned 0, %d EINTR, %d signals; "
	    "listener: %d connections, %d empty, %ld bytes, %d tags\n", ncalls,
	    ok, intr, (int)nsignals, srv.conns, srv.empty, srv.bytes, i2);
	ck_assert_int_eq(srv.stray, 0);
	/* Every call's own data: received once exactly when it returned 0. */
	for (i = 0; i < ncalls; i++)
		ck_assert_msg(srv.count[i] == won[i],
		    "call %d (%s): its data received %d times", i,
		    won[i] ? "returned 0" : "EINTR", srv.count[i]);
	ck_assert_int_eq(i2, ok);
	ck_assert_int_eq(srv.bytes, (long)ok * TAGLEN);
	/* The storm must have interrupted calls, and let some through. */
	ck_assert_int_gt(intr, 0);
	ck_assert_int_gt(ok, 0);
	free(srv.count);
	free(won);
	tu_blackhole_close(&h1);
	tu_blackhole_close(&h2);
}
END_TEST

static Suite *
signals_suite(void)
{
	Suite *s = suite_create("signals");
	TCase *tc = tcase_create("storm");

	tcase_add_test(tc, test_storm);
	tcase_set_timeout(tc, 600);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(signals_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
