/*
 * Associations (libconnectx(3), Associations): IDs positive, never 0, unique
 * in the process; the same ID from sctp_connectx, cx_getassocid and
 * disconnectx; records tied to the socket, not its descriptor number; the
 * destination list read back as given; thread safety.  Loopback only.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <check.h>

#include "connectx.h"
#include "testutil.h"

#define MAXDEST		8

static void
make_listener(struct listener *l, int family)
{
	ck_assert_int_eq(tu_listen(l, family, 64), 0);
}

static int
connectx_packed(int fd, const void *buf, size_t len)
{
	sa_endpoints_t ep;

	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = buf;
	ep.sae_dstaddrlen = (socklen_t)len;
	return connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
}

static int
connectx_to(int fd, const struct listener *l)
{
	return connectx_packed(fd, &l->addr, l->addrlen);
}

static cx_sctp_assoc_t
assoc_of(int fd)
{
	cx_sctp_assoc_t id = 0;

	ck_assert_int_eq(cx_getassocid(fd, &id), 0);
	return id;
}

static void
drain(const struct listener *l, int n)
{
	int a;

	while (n-- > 0) {
		a = tu_accept(l, 1000);
		ck_assert_int_ge(a, 0);
		close(a);
	}
}

/* -------------------------------------------------------------------- IDs */

START_TEST(test_ids_are_positive_and_distinct_across_sockets)
{
	struct listener live;
	cx_sctp_assoc_t ids[6];
	int fds[6], i, j;

	make_listener(&live, AF_INET);
	for (i = 0; i < 6; i++) {
		fds[i] = tu_tcp_socket(AF_INET, 0);
		ck_assert_int_eq(connectx_to(fds[i], &live), 0);
		ids[i] = assoc_of(fds[i]);
		ck_assert_int_gt(ids[i], 0);
		for (j = 0; j < i; j++)
			ck_assert_int_ne(ids[i], ids[j]);
	}
	/* Reading again gives each socket its own, unchanged. */
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(assoc_of(fds[i]), ids[i]);
	for (i = 0; i < 6; i++)
		close(fds[i]);
	drain(&live, 6);
	close(live.fd);
}
END_TEST

START_TEST(test_sctp_connectx_id_equals_cx_getassocid)
{
	struct listener live, live6;
	cx_sctp_assoc_t id = 0, prev = 0;
	int fd, i;

	make_listener(&live, AF_INET);
	make_listener(&live6, AF_INET6);
	for (i = 0; i < 4; i++) {
		const struct listener *l = i % 2 ? &live6 : &live;

		fd = tu_tcp_socket(l->addr.ss_family, 0);
		id = 0;
		ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&l->addr, 1, &id), 0);
		ck_assert_int_gt(id, 0);
		ck_assert_int_ne(id, prev);
		ck_assert_int_eq(assoc_of(fd), id);
		ck_assert_int_eq(cx_getpeerindex(fd, id), 0);
		prev = id;
		close(fd);
	}
	/* id may be NULL. */
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&live.addr, 1, NULL), 0);
	ck_assert_int_gt(assoc_of(fd), prev);
	close(fd);
	drain(&live, 3);
	drain(&live6, 2);
	close(live.fd);
	close(live6.fd);
}
END_TEST

START_TEST(test_disconnectx_takes_the_recorded_id_and_rejects_others)
{
	struct listener live;
	cx_sctp_assoc_t id;
	int fd;

	make_listener(&live, AF_INET);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_to(fd, &live), 0);
	id = assoc_of(fd);

	errno = 0;
	ck_assert_int_eq(disconnectx(fd, (sae_associd_t)id + 1, SAE_CONNID_ANY), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(disconnectx(fd, (sae_associd_t)id, 2), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* The failed calls changed nothing. */
	ck_assert_int_eq(tu_tcp_state(fd), TCP_ESTABLISHED);
	ck_assert_int_eq(assoc_of(fd), id);

	ck_assert_int_eq(disconnectx(fd, (sae_associd_t)id, 1), 0);
	/* The record is dropped. */
	errno = 0;
	ck_assert_int_eq(cx_getassocid(fd, &id), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	close(fd);
	drain(&live, 1);
	close(live.fd);
}
END_TEST

START_TEST(test_an_id_of_another_socket_is_not_accepted)
{
	struct listener live;
	cx_sctp_assoc_t a, b;
	int fa, fb;

	make_listener(&live, AF_INET);
	fa = tu_tcp_socket(AF_INET, 0);
	fb = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_to(fa, &live), 0);
	ck_assert_int_eq(connectx_to(fb, &live), 0);
	a = assoc_of(fa);
	b = assoc_of(fb);
	errno = 0;
	ck_assert_int_eq(disconnectx(fa, (sae_associd_t)b, SAE_CONNID_ANY), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(cx_getpeerindex(fa, b), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(cx_getpeerindex(fa, a), 0);
	close(fa);
	close(fb);
	drain(&live, 2);
	close(live.fd);
}
END_TEST

START_TEST(test_reused_descriptor_shows_no_old_association)
{
	struct listener live;
	struct sockaddr *pa = NULL;
	struct cx_attempt *at = NULL;
	cx_sctp_assoc_t old, id = -1;
	long v;
	int fd, fd2;

	make_listener(&live, AF_INET);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, 1234), 0);
	ck_assert_int_eq(connectx_to(fd, &live), 0);
	old = assoc_of(fd);
	close(fd);

	fd2 = tu_tcp_socket(AF_INET, 0);
	ck_assert_msg(fd2 == fd, "new socket got %d, not the reused %d", fd2, fd);

	errno = 0;
	ck_assert_int_eq(cx_getassocid(fd2, &id), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(id, 0);
	errno = 0;
	ck_assert_int_eq(cx_getpaddrs(fd2, 0, &pa), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	errno = 0;
	ck_assert_int_eq(cx_getattempts(fd2, 0, &at), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	errno = 0;
	ck_assert_int_eq(cx_getpeerindex(fd2, 0), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	errno = 0;
	ck_assert_int_eq(disconnectx(fd2, (sae_associd_t)old, SAE_CONNID_ANY), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* Nor the old socket's policy. */
	ck_assert_int_eq(cx_getopt(fd2, CX_OPT_ATTEMPT_DELAY_MS, &v), 0);
	ck_assert_int_eq(v, 250);

	/* And it connects like any new socket, under a new ID. */
	ck_assert_int_eq(connectx_to(fd2, &live), 0);
	id = assoc_of(fd2);
	ck_assert_int_gt(id, old);
	ck_assert_int_eq(tu_tcp_state(fd2), TCP_ESTABLISHED);
	close(fd2);
	drain(&live, 2);
	close(live.fd);
}
END_TEST

START_TEST(test_getpaddrs_returns_the_list_as_given)
{
	struct listener live, live6;
	struct sockaddr_storage a[MAXDEST];
	socklen_t l[MAXDEST];
	unsigned char buf[MAXDEST * sizeof(struct sockaddr_storage)];
	struct sockaddr *pa = NULL;
	cx_sctp_assoc_t id;
	size_t len;
	int fd, n;

	/* IPv4: two refused, then the live one. */
	make_listener(&live, AF_INET);
	tu_refused(&a[0], &l[0], AF_INET);
	tu_refused(&a[1], &l[1], AF_INET);
	a[2] = live.addr;
	l[2] = live.addrlen;
	len = tu_pack(buf, a, l, 3);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_packed(fd, buf, len), 0);
	id = assoc_of(fd);
	n = cx_getpaddrs(fd, 0, &pa);
	ck_assert_int_eq(n, 3);
	ck_assert_mem_eq(pa, buf, len);
	cx_freepaddrs(pa);
	pa = NULL;
	ck_assert_int_eq(cx_getpaddrs(fd, id, &pa), 3);
	ck_assert_mem_eq(pa, buf, len);
	cx_freepaddrs(pa);
	errno = 0;
	ck_assert_int_eq(cx_getpaddrs(fd, id + 1, &pa), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);

	/* IPv6, through sctp_connectx (one port for all entries). */
	make_listener(&live6, AF_INET6);
	a[0] = live6.addr;
	l[0] = live6.addrlen;
	a[1] = live6.addr;
	l[1] = live6.addrlen;
	len = tu_pack(buf, a, l, 2);
	fd = tu_tcp_socket(AF_INET6, 0);
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)buf, 2, &id), 0);
	ck_assert_int_eq(cx_getpaddrs(fd, id, &pa), 2);
	ck_assert_mem_eq(pa, buf, len);
	cx_freepaddrs(pa);
	close(fd);
	drain(&live, 1);
	drain(&live6, 1);
	close(live.fd);
	close(live6.fd);
}
END_TEST

/* ----------------------------------------------------------------- threads */

#define NTHREADS	4
#define NLOOPS		500

static struct listener shared_live;
static volatile int acceptor_stop;

static void *
acceptor(void *arg)
{
	struct pollfd p = { .fd = shared_live.fd, .events = POLLIN };
	int a;

	(void)arg;
	while (!acceptor_stop) {
		if (poll(&p, 1, 20) == 1 &&
		    (a = accept4(shared_live.fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
			close(a);
	}
	return NULL;
}

struct worker {
	pthread_t	 t;
	int		 failures;
	char		 why[160];
	cx_sctp_assoc_t	 ids[NLOOPS];
};

static void *
worker(void *arg)
{
	struct worker *w = arg;
	struct sockaddr *pa;
	cx_sctp_assoc_t id, got;
	int i, fd;

#define WFAIL(...) do { w->failures++; \
	snprintf(w->why, sizeof(w->why), __VA_ARGS__); goto next; } while (0)
	for (i = 0; i < NLOOPS; i++) {
		w->ids[i] = 0;
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
			w->failures++;
			snprintf(w->why, sizeof(w->why), "socket: %s", strerror(errno));
			continue;
		}
		id = 0;
		if (sctp_connectx(fd, (struct sockaddr *)&shared_live.addr, 1, &id) != 0)
			WFAIL("loop %d: sctp_connectx: %s", i, strerror(errno));
		w->ids[i] = id;
		got = 0;
		if (cx_getassocid(fd, &got) != 0 || got != id)
			WFAIL("loop %d: own id %d, cx_getassocid %d", i, id, got);
		if (cx_getpeerindex(fd, id) != 0)
			WFAIL("loop %d: cx_getpeerindex: %s", i, strerror(errno));
		pa = NULL;
		if (cx_getpaddrs(fd, id, &pa) != 1 ||
		    memcmp(pa, &shared_live.addr, shared_live.addrlen) != 0)
			WFAIL("loop %d: cx_getpaddrs wrong", i);
		/* Read again after the others had time to run. */
		if (cx_getassocid(fd, &got) != 0 || got != id)
			WFAIL("loop %d: own id %d, later cx_getassocid %d", i, id, got);
next:
		if (pa != NULL)
			cx_freepaddrs(pa);
		pa = NULL;
		close(fd);
	}
#undef WFAIL
	return NULL;
}

static int
cmp_id(const void *a, const void *b)
{
	cx_sctp_assoc_t x = *(const cx_sctp_assoc_t *)a, y = *(const cx_sctp_assoc_t *)b;

	return x < y ? -1 : x > y;
}

START_TEST(test_threads_each_see_their_own_ids_without_cross_talk)
{
	static struct worker w[NTHREADS];
	static cx_sctp_assoc_t all[NTHREADS * NLOOPS];
	pthread_t acc;
	int i, j, n = 0;

	ck_assert_int_eq(tu_listen(&shared_live, AF_INET, 1024), 0);
	acceptor_stop = 0;
	ck_assert_int_eq(pthread_create(&acc, NULL, acceptor, NULL), 0);
	for (i = 0; i < NTHREADS; i++) {
		w[i].failures = 0;
		w[i].why[0] = '\0';
		ck_assert_int_eq(pthread_create(&w[i].t, NULL, worker, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(w[i].t, NULL);
	acceptor_stop = 1;
	pthread_join(acc, NULL);
	close(shared_live.fd);

	for (i = 0; i < NTHREADS; i++) {
		ck_assert_msg(w[i].failures == 0, "thread %d: %d failures, last: %s",
		    i, w[i].failures, w[i].why);
		for (j = 0; j < NLOOPS; j++) {
			ck_assert_int_gt(w[i].ids[j], 0);
			/* One thread's IDs grow: it never sees an older one. */
			if (j > 0)
				ck_assert_int_gt(w[i].ids[j], w[i].ids[j - 1]);
			all[n++] = w[i].ids[j];
		}
	}
	/* Unique across the process. */
	qsort(all, (size_t)n, sizeof(all[0]), cmp_id);
	for (i = 1; i < n; i++)
		ck_assert_msg(all[i] != all[i - 1], "ID %d given twice", all[i]);
}
END_TEST

static Suite *
assoc_suite(void)
{
	Suite *s = suite_create("assoc");
	TCase *tc;

	tc = tcase_create("ids");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_ids_are_positive_and_distinct_across_sockets);
	tcase_add_test(tc, test_sctp_connectx_id_equals_cx_getassocid);
	tcase_add_test(tc, test_disconnectx_takes_the_recorded_id_and_rejects_others);
	tcase_add_test(tc, test_an_id_of_another_socket_is_not_accepted);
	tcase_add_test(tc, test_reused_descriptor_shows_no_old_association);
	tcase_add_test(tc, test_getpaddrs_returns_the_list_as_given);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_threads_each_see_their_own_ids_without_cross_talk);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	unsetenv("CX_ATTEMPT_DELAY_MS");
	sr = srunner_create(assoc_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
