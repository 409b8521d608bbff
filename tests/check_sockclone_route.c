/*
 * What the run's own connect(2) changes is never copied onto a clone
 * (HACKING.md, "Clones"; connectx(2), "Parallel attempts"): the recipe is
 * learnt when the first clone is due, with the first attempt in its
 * handshake on the caller's socket by then, and a connect takes values
 * from its route that are not the application's.
 *
 * The application: a socket left as socket(2) made it (or with
 * TCP_MAXSEG set), a list [black hole, live] whose first destination's
 * route names a congestion control ("congctl reno") and a window clamp
 * ("window 5000"), the live one on loopback, whose route names neither.
 * The live attempt runs on a clone and wins; the caller's descriptor must
 * then read TCP_CONGESTION, TCP_WINDOW_CLAMP and TCP_MAXSEG as a plain
 * connect(2) to the live address reads them, not as the black hole's
 * route set them on the caller's socket.
 *
 * The program runs in a network namespace of its own (root: unshare,
 * ip(8), a veth pair, with a permanent neighbour entry so that the SYNs
 * leave and nothing answers); elsewhere it exits 77 and says why.
 */
#include <config.h>

#include <errno.h>
#include <sched.h>
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

#define D		30
#define HOLE		"10.9.9.77"
#define HOLE_PORT	8080

struct reads {
	char	congestion[16];
	int	clamp, maxseg;
};

static void
take(int fd, struct reads *r)
{
	socklen_t len;

	memset(r, 0, sizeof(*r));
	len = sizeof(r->congestion);
	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION,
	    r->congestion, &len), 0);
	len = sizeof(r->clamp);
	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_WINDOW_CLAMP, &r->clamp,
	    &len), 0);
	len = sizeof(r->maxseg);
	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &r->maxseg,
	    &len), 0);
}

/* A socket as the application makes it: maxseg 0 leaves TCP_MAXSEG alone. */
static int
app_socket(int maxseg)
{
	int fd = tu_tcp_socket(AF_INET, 0);

	if (maxseg > 0)
		ck_assert_int_eq(setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &maxseg,
		    sizeof(maxseg)), 0);
	return fd;
}

static void
clone_win_reads_as_a_plain_connect(int maxseg)
{
	struct sockaddr_storage a[2];
	socklen_t l[2];
	unsigned char buf[2 * sizeof(struct sockaddr_in6)];
	sa_endpoints_t ep = { 0 };
	struct listener live;
	struct reads got, want;
	uint64_t cookie;
	int fd, ref, c;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 16), 0);
	tu_set_v4(&a[0], &l[0], HOLE, HOLE_PORT);
	a[1] = live.addr;
	l[1] = live.addrlen;
	ep.sae_dstaddr = (const struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, a, l, 2);

	/* What a plain connect(2) to the live address reads. */
	ref = app_socket(maxseg);
	ck_assert_int_eq(connect(ref, (struct sockaddr *)&live.addr,
	    live.addrlen), 0);
	take(ref, &want);

	fd = app_socket(maxseg);
	cookie = tu_cookie(fd);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, D), 0);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_HISTORY, 0), 0);
	ck_assert_msg(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL,
	    NULL) == 0, "connectx: %s", strerror(errno));
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
	ck_assert_msg(tu_cookie(fd) != cookie, "the clone did not win");
	take(fd, &got);
	ck_assert_msg(strcmp(got.congestion, want.congestion) == 0,
	    "TCP_CONGESTION %s, a plain connect reads %s (the black hole's "
	    "route says reno)", got.congestion, want.congestion);
	ck_assert_msg(got.clamp == want.clamp, "TCP_WINDOW_CLAMP %d, a plain "
	    "connect reads %d (the black hole's route says 5000)", got.clamp,
	    want.clamp);
	ck_assert_msg(got.maxseg == want.maxseg, "TCP_MAXSEG %d, a plain "
	    "connect reads %d", got.maxseg, want.maxseg);
	if ((c = tu_accept(&live, 1000)) >= 0)
		close(c);
	if ((c = tu_accept(&live, 1000)) >= 0)
		close(c);
	close(fd);
	close(ref);
	close(live.fd);
}

START_TEST(test_route_values_of_the_first_attempt_are_not_copied)
{
	clone_win_reads_as_a_plain_connect(0);
}
END_TEST

START_TEST(test_maxseg_set_reads_as_set_after_a_clone_win)
{
	clone_win_reads_as_a_plain_connect(1000);
}
END_TEST

/* The namespace; NULL, or why it cannot be had. */
static const char *
setup(void)
{
	static const char *const cmds[] = {
		"ip link set lo up",
		"ip link add cxr0 type veth peer name cxr1",
		"ip link set cxr0 up",
		"ip link set cxr1 up",
		"ip addr add 10.9.9.1/24 dev cxr0",
		"ip neigh replace " HOLE " lladdr 02:00:00:00:00:01 nud permanent dev cxr0",
		"ip route add " HOLE "/32 dev cxr0 congctl reno window 5000",
	};
	char cmd[256];
	size_t i;

	if (geteuid() != 0)
		return "not root";
	if (unshare(CLONE_NEWNET) != 0)
		return "no network namespace (unshare)";
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s >/dev/null 2>&1", cmds[i]);
		if (system(cmd) != 0)
			return cmds[i];
	}
	return NULL;
}

int
main(void)
{
	Suite *s = suite_create("sockclone_route");
	TCase *tc = tcase_create("the first attempt's route");
	const char *why;
	SRunner *sr;
	int failed;

	if ((why = setup()) != NULL) {
		printf("SKIP: cannot make the namespace: %s\n", why);
		return 77;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_route_values_of_the_first_attempt_are_not_copied);
	tcase_add_test(tc, test_maxseg_set_reads_as_set_after_a_clone_win);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
