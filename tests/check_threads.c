/*
 * Concurrency (libconnectx(3): thread-safe calls; Associations: a
 * descriptor closed and reused never shows the old socket's association).
 *
 * CX_THREADS (default 4) threads each run CX_THREAD_LOOPS (default 10000;
 * the valgrind lane uses fewer) loops on sockets of their own: connect to a
 * live loopback listener through a list that is the thread's alone
 * (sctp_connectx or connectx, some lists with a black hole first so that
 * clones are made and adopted), query the association (ID, addresses,
 * winner, attempts) and check every answer is this socket's, disconnectx,
 * check the record is gone, close.  Meanwhile one more thread closes and
 * reopens descriptors (sockets, pipes, dups) as fast as it can so that the
 * numbers are reused all the time, and checks that a fresh socket never
 * shows an association.  A listener thread accepts and closes.
 *
 * Verdicts (HACKING.md, Verdicts) under the same load: every fourth loop
 * runs its list on a non-blocking socket driven by an event loop that
 * reads SO_ERROR before cx_step() on a random half of its turns, and must
 * still end connected to the live address; every 32nd loop runs a blocking
 * connectx through black holes while a thread of its own calls
 * disconnectx(), and must fail with ECONNABORTED, connected to nothing,
 * its observer told of no abandoned attempt ending.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <check.h>
#include "connectx.h"
#include "testutil.h"

#define MAXTHREADS	16

static struct listener live;
static struct blackhole hole;
static atomic_int stop_churn, stop_accept;
static atomic_long churn_ops, accepted;

struct worker {
	int		 id;
	int		 loops;
	pthread_t	 thread;
	char		 fail[256];	/* first failure, or "" */
	long		 connects, holes;
};

#define WFAIL(w, ...) do {						\
	if ((w)->fail[0] == '\0')					\
		snprintf((w)->fail, sizeof((w)->fail), __VA_ARGS__);	\
	return false;							\
} while (0)

static void *
acceptor(void *arg)
{
	struct pollfd pfd = { .fd = live.fd, .events = POLLIN };
	int fd;

	(void)arg;
	while (!atomic_load(&stop_accept)) {
		if (poll(&pfd, 1, 50) != 1)
			continue;
		if ((fd = accept4(live.fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			close(fd);
			atomic_fetch_add(&accepted, 1);
		}
	}
	return NULL;
}

/* Close and reopen descriptors so that their numbers are reused at once. */
static void *
churn(void *arg)
{
	char *fail = arg;
	cx_sctp_assoc_t id;
	int fds[8], p[2], i;
	long n = 0;

	while (!atomic_load(&stop_churn)) {
		for (i = 0; i < 4; i++)
			fds[i] = socket(i & 1 ? AF_INET6 : AF_INET,
			    (i & 2 ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
		if (pipe2(p, O_CLOEXEC) == 0) {
			fds[4] = p[0];
			fds[5] = p[1];
		} else
			fds[4] = fds[5] = -1;
		fds[6] = fds[0] >= 0 ? fcntl(fds[0], F_DUPFD_CLOEXEC, 0) : -1;
		fds[7] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		/* A fresh socket on a reused number has no association. */
		for (i = 0; i < 4; i++) {
			if (fds[i] < 0)
				continue;
			errno = 0;
			if ((cx_getassocid(fds[i], &id) != -1 || errno != ENOTCONN) &&
			    fail[0] == '\0')
				snprintf(fail, 256, "fresh socket %d shows "
				    "association %d", fds[i], id);
		}
		for (i = 0; i < 8; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		n++;
	}
	atomic_store(&churn_ops, n);
	return NULL;
}

static bool
same(const struct sockaddr *a, const struct sockaddr_storage *b, socklen_t len)
{
	return memcmp(a, b, len) == 0;
}

struct abandoner {
	int		fd;
	atomic_int	done;
	atomic_int	stop;		/* the call returned: stop trying */
};

/*
 * disconnectx until the call on the socket is under way, and no longer once
 * the call has returned (a socket whose run was abandoned may refuse a
 * later disconnectx: looping on it would hang the test, not fail it).
 */
static void *
abandon(void *arg)
{
	struct abandoner *a = arg;

	while (disconnectx(a->fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY) != 0) {
		if (atomic_load(&a->stop))
			return NULL;
		usleep(500);
	}
	atomic_store(&a->done, 1);
	return NULL;
}

/*
 * The observer of an abandoned run: black holes only, so the only end it
 * may hear of is a give-up (ETIMEDOUT, at the attempt delay); an attempt
 * still running when disconnectx abandons the run is not reported as
 * ending, and none starts after it (libconnectx(3), Observer).
 */
static void
watch_abandoned(int fd, const struct cx_attempt *a, void *arg)
{
	int *other = arg;

	(void)fd;
	if (a->ca_error != EINPROGRESS && a->ca_error != ETIMEDOUT &&
	    *other == 0)
		*other = a->ca_error;
}

/* A blocking connectx through black holes, disconnectx'd meanwhile. */
static bool
abandoned(struct worker *w, int k)
{
	int other = 0;

	struct sockaddr_storage a[2] = { hole.l.addr, hole.l.addr };
	socklen_t al[2] = { hole.l.addrlen, hole.l.addrlen };
	unsigned char list[2 * sizeof(struct sockaddr_storage)];
	struct abandoner ab;
	sa_endpoints_t ep;
	pthread_t t;
	int fd, rc, err;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		WFAIL(w, "socket: %s", strerror(errno));
	cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, 10);
	cx_setopt(fd, CX_OPT_TOTAL_TIMEOUT_MS, 5000);
	cx_setobserver(fd, watch_abandoned, &other);
	ab.fd = fd;
	atomic_store(&ab.done, 0);
	atomic_store(&ab.stop, 0);
	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (struct sockaddr *)list;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(list, a, al, 2);
	if (pthread_create(&t, NULL, abandon, &ab) != 0) {
		close(fd);
		WFAIL(w, "pthread_create");
	}
	rc = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
	err = errno;
	atomic_store(&ab.stop, 1);
	pthread_join(t, NULL);
	w->connects++;
	if (rc != -1 || err != ECONNABORTED || tu_is_connected(fd)) {
		close(fd);
		WFAIL(w, "loop %d: abandoned connectx: %d (%s)", k, rc,
		    strerror(err));
	}
	if (other != 0) {
		close(fd);
		WFAIL(w, "loop %d: abandoned attempt reported ending: %s", k,
		    strerror(other));
	}
	close(fd);
	return true;
}

/* Drive a non-blocking run as an event loop does, SO_ERROR read at times. */
static int
step_loop(int fd, unsigned *seed)
{
	int rc, wait_ms = 1000, e;
	socklen_t len;

	do {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		poll(&p, 1, wait_ms < 0 || wait_ms > 1000 ? 1000 : wait_ms);
		if (rand_r(seed) & 1) {
			len = sizeof(e);
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
		}
		rc = cx_step(fd, &wait_ms);
	} while (rc == -1 && errno == EINPROGRESS);
	return rc;
}

/* One loop of a worker; false with w->fail set on a wrong answer. */
static bool
one(struct worker *w, int k)
{
	struct sockaddr_storage a[3];
	socklen_t al[3];
	unsigned char list[3 * sizeof(struct sockaddr_storage)];
	struct sockaddr *paddrs;
	struct cx_attempt *att;
	cx_sctp_assoc_t id = 0, got = 0;
	sa_endpoints_t ep;
	size_t len;
	int fd, n, rc, idx, i, use_hole = k % 16 == 0, winner;
	bool nonblocking = k % 4 == 3;
	unsigned seed = (unsigned)(w->id * 7919 + k);

	if (k % 32 == 7)
		return abandoned(w, k);

	/*
	 * [127.0.0.(10 + thread):live port, (black hole,) live]: nobody
	 * listens on the first (refused at once), and it names the thread.
	 */
	a[0] = live.addr;
	al[0] = live.addrlen;
	((struct sockaddr_in *)&a[0])->sin_addr.s_addr =
	    htonl(INADDR_LOOPBACK + 9 + (uint32_t)w->id);
	n = 1;
	if (use_hole) {
		a[n] = hole.l.addr;
		al[n++] = hole.l.addrlen;
	}
	a[n] = live.addr;
	al[n++] = live.addrlen;
	winner = n - 1;
	len = tu_pack(list, a, al, n);

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC |
	    (nonblocking ? SOCK_NONBLOCK : 0), 0)) < 0)
		WFAIL(w, "socket: %s", strerror(errno));
	cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, 10);
	/* sctp_connectx wants one port: lists with the black hole go to connectx. */
	if ((k & 1) || use_hole) {
		memset(&ep, 0, sizeof(ep));
		ep.sae_dstaddr = (struct sockaddr *)list;
		ep.sae_dstaddrlen = (socklen_t)len;
		rc = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
	} else
		rc = sctp_connectx(fd, (struct sockaddr *)list, n, &id);
	w->connects++;
	w->holes += use_hole;
	if (nonblocking && rc == -1 && errno == EINPROGRESS)
		rc = step_loop(fd, &seed);
	if (rc != 0) {
		close(fd);
		WFAIL(w, "loop %d: connect: %s", k, strerror(errno));
	}
	if (cx_getassocid(fd, &got) != 0 || got <= 0 || (id != 0 && got != id)) {
		close(fd);
		WFAIL(w, "loop %d: assoc id %d, sctp_connectx said %d", k, got, id);
	}
	if ((i = cx_getpaddrs(fd, 0, &paddrs)) != n) {
		close(fd);
		WFAIL(w, "loop %d: %d peer addresses, want %d", k, i, n);
	}
	for (i = 0, len = 0; i < n; i++) {
		if (!same((struct sockaddr *)((char *)paddrs + len), &a[i], al[i])) {
			cx_freepaddrs(paddrs);
			close(fd);
			WFAIL(w, "loop %d: address %d is not this socket's", k, i);
		}
		len += al[i];
	}
	cx_freepaddrs(paddrs);
	if ((idx = cx_getpeerindex(fd, got)) != winner) {
		close(fd);
		WFAIL(w, "loop %d: winner %d, want %d", k, idx, winner);
	}
	if ((i = cx_getattempts(fd, got, &att)) < 1 || i > n) {
		close(fd);
		WFAIL(w, "loop %d: %d attempts", k, i);
	}
	if (!same((struct sockaddr *)&att[0].ca_addr, &a[0], al[0])) {
		cx_freeattempts(att);
		close(fd);
		WFAIL(w, "loop %d: first attempt is not this socket's", k);
	}
	cx_freeattempts(att);
	if (disconnectx(fd, (sae_associd_t)got, SAE_CONNID_ANY) != 0) {
		close(fd);
		WFAIL(w, "loop %d: disconnectx: %s", k, strerror(errno));
	}
	errno = 0;
	if (cx_getassocid(fd, &got) != -1 || errno != ENOTCONN) {
		close(fd);
		WFAIL(w, "loop %d: association after disconnectx", k);
	}
	close(fd);
	return true;
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	int k;

	for (k = 0; k < w->loops; k++)
		if (!one(w, k))
			break;
	return NULL;
}

static int
env_int(const char *name, int dflt)
{
	const char *s = getenv(name);

	return s != NULL && atoi(s) > 0 ? atoi(s) : dflt;
}

START_TEST(test_threads)
{
	int nthreads = env_int("CX_THREADS", 4);
	int loops = env_int("CX_THREAD_LOOPS", 10000);
	struct worker w[MAXTHREADS];
	pthread_t tacc, tchurn;
	char churn_fail[256] = "";
	long connects = 0, holes = 0;
	int i, fds_before;
	double t0;

	if (nthreads > MAXTHREADS)
		nthreads = MAXTHREADS;
	ck_assert_int_eq(tu_listen(&live, AF_INET, 1024), 0);
	ck_assert_int_eq(tu_blackhole(&hole, AF_INET), 0);
	fds_before = tu_count_fds();
	atomic_store(&stop_churn, 0);
	atomic_store(&stop_accept, 0);
	ck_assert_int_eq(pthread_create(&tacc, NULL, acceptor, NULL), 0);
	ck_assert_int_eq(pthread_create(&tchurn, NULL, churn, churn_fail), 0);
	t0 = tu_now_ms();
	for (i = 0; i < nthreads; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].loops = loops;
	}
	for (i = 0; i < nthreads; i++)
		ck_assert_int_eq(pthread_create(&w[i].thread, NULL, work, &w[i]), 0);
	for (i = 0; i < nthreads; i++)
		pthread_join(w[i].thread, NULL);
	atomic_store(&stop_churn, 1);
	pthread_join(tchurn, NULL);
	atomic_store(&stop_accept, 1);
	pthread_join(tacc, NULL);
	for (i = 0; i < nthreads; i++) {
		ck_assert_msg(w[i].fail[0] == '\0', "thread %d: %s", i, w[i].fail);
		connects += w[i].connects;
		holes += w[i].holes;
	}
	ck_assert_msg(churn_fail[0] == '\0', "churn: %s", churn_fail);
	ck_assert_int_eq(tu_count_fds(), fds_before);
	fprintf(stderr, "threads: %d x %d loops, %ld connects (%ld through a black "
	    "hole), %ld accepted, %ld descriptor churn rounds, %.0f ms\n",
	    nthreads, loops, connects, holes, atomic_load(&accepted),
	    atomic_load(&churn_ops), tu_now_ms() - t0);
	ck_assert_int_eq(connects, (long)nthreads * loops);
	tu_blackhole_close(&hole);
	close(live.fd);
}
END_TEST

static Suite *
threads_suite(void)
{
	Suite *s = suite_create("threads");
	TCase *tc = tcase_create("loops");

	tcase_add_test(tc, test_threads);
	tcase_set_timeout(tc, 1800);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(threads_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
