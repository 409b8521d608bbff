/*
 * Failover during the association over usrsctp (cx_usrsctp_connectx(3),
 * FAILOVER DURING THE ASSOCIATION), as an application that sets no SCTP
 * option itself meets it: two usrsctp stacks in a network namespace this
 * test makes (127.0.0.2 and 127.0.0.3 on lo), a forked sink bound to both,
 * the client connecting with the list [.3, .2] under the library's
 * policy, then a flow of 1000-byte sequenced messages, one per
 * millisecond.  nft black-holes the client's UDP-encapsulated packets to
 * one server address (the primary path, 127.0.0.3):
 *
 *  - the primary cut at 1 s: the longest gap between arrivals is at most
 *    F + 50 ms (F = 250, the default, and F = 50), nothing lost or
 *    reordered;
 *  - every path cut: the association fails, and the sender learns it,
 *    within 12 F;
 *  - the primary cut, then let through again: nothing lost or reordered,
 *    and the path is active again.
 *
 * Without root (or ip/nft, or namespaces) it exits 77, saying why.
 */
#include <config.h>

#include <connectx_usrsctp.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/wait.h>

#include <check.h>

#include "netns_util.h"
#include "testutil.h"
#include "usrsctp_util.h"

#define SPORT		5001
#define CLIENT_UDP	9901		/* fresh namespace: any port is free */
#define SERVER_UDP	9902
/*
 * The stall bound's own slack: F + 50 ms, or CX_TEST_MARGIN_MS where the
 * lane sets it (tu_margin_ms: valgrind runs both stacks many times slower).
 */
#define SLACK_MS	tu_margin_ms(50)

static const char *const chains[] = { "out", NULL };

/*
 * Run cmd in a child without waiting for it: the flow must go on while
 * nft starts (a fork and exec take a good part of F on a loaded machine).
 * The children are reaped by reap().
 */
static pid_t children[8];
static int nchildren;

static void
run_async(const char *cmd)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	children[nchildren++] = pid;
}

static void
reap(void)
{
	int i, status;

	for (i = 0; i < nchildren; i++) {
		ck_assert_int_eq(waitpid(children[i], &status, 0), children[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "an nft command failed");
	}
	nchildren = 0;
}

/* Black-hole the client's packets to the addresses' UDP encapsulation port. */
static void
cut(const char *addrs)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "nft add rule inet cxfo out ip daddr %s "
	    "udp dport %d drop", addrs, SERVER_UDP);
	run_async(cmd);
}

static void
restore_all(void)
{
	run_async("nft flush chain inet cxfo out");
}

/* The events of a run, at elapsed milliseconds (0: none). */
struct script {
	struct socket	*so;
	double	primary_rto;	/* the primary path's RTO when it was cut */
	double	cut_primary_at, cut_all_at, restore_at;
	bool	cut_primary_done, cut_all_done, restore_done;
	double	cut_at;		/* when the (first) cut was made, from the start */
	double	cut_abs;	/* the same, uu_now_ms() */
};

/* The RTO of the primary path now, by cx_usrsctp_getpaths, or -1. */
static double
primary_rto(struct socket *so)
{
	struct cx_usrsctp_path *p;
	double rto = -1;
	int i, n;

	if ((n = cx_usrsctp_getpaths(so, 0, &p)) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (p[i].cp_primary)
			rto = p[i].cp_rto_ms;
	cx_usrsctp_freepaths(p);
	return rto;
}

static void
tick(double el, void *arg)
{
	struct script *s = arg;

	if (s->cut_primary_at > 0 && !s->cut_primary_done && el >= s->cut_primary_at) {
		s->primary_rto = primary_rto(s->so);
		s->cut_abs = uu_now_ms();
		cut("127.0.0.3");
		s->cut_primary_done = true;
		s->cut_at = el;
	}
	if (s->cut_all_at > 0 && !s->cut_all_done && el >= s->cut_all_at) {
		cut("{ 127.0.0.2, 127.0.0.3 }");
		s->cut_all_done = true;
		s->cut_at = el;
	}
	if (s->restore_at > 0 && !s->restore_done && el >= s->restore_at) {
		restore_all();
		s->restore_done = true;
	}
}

/* The client connected to the sink with [.3, .2] under the library's policy. */
static struct socket *
connect_client(pid_t *sink, int *report, sctp_assoc_t *id)
{
	static const char *const both[] = { "127.0.0.2", "127.0.0.3" };
	unsigned char list[64], *p = list;
	struct socket *cl;

	*sink = uu_sink_fork(SERVER_UDP, both, 2, SPORT, report);
	ck_assert_int_gt(*sink, 0);
	usrsctp_init(CLIENT_UDP, NULL, NULL);
	ck_assert_ptr_nonnull(cl = uu_socket(AF_INET, SERVER_UDP));
	uu_put(&p, "127.0.0.3", SPORT);
	uu_put(&p, "127.0.0.2", SPORT);
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 2, id), 0);
	return cl;
}

/* One primary cut, in a child of its own (fresh namespace and stacks). */
struct cut_result {
	int	ok;		/* nothing lost or reordered, the other path active */
	double	stall;
};

static void
one_cut(long f_ms, int out)
{
	struct script s = { .cut_primary_at = 1000 };
	struct cut_result r = { 0, -1 };
	struct uu_flow_stats st;
	struct socket *cl;
	sctp_assoc_t id;
	pid_t sink;
	long sent;
	double fail_ms;
	int report;

	nu_setup("cxfo", chains);
	cl = connect_client(&sink, &report, &id);
	s.so = cl;
	if (uu_flow_send(cl, 1000 + 10 * f_ms + 1000, tick, &s, &sent, &fail_ms) == 0 &&
	    (reap(), uu_flow_end(cl, 5000) == 0) &&
	    uu_sink_report(report, 10000, &st) == 0) {
		r.stall = uu_gap_after(&st, s.cut_abs);
		r.ok = st.received == sent && st.highest == sent && st.reordered == 0 &&
		    uu_path_state(cl, id, "127.0.0.2", SPORT) == SCTP_ACTIVE;
		printf("F = %ld ms: primary cut at %.0f ms (its RTO %.0f ms); stall %.1f ms; "
		    "longest gap of the run %.1f ms (at %.0f ms); %ld sent, %ld received, "
		    "%ld reordered, %ld duplicated\n", f_ms, s.cut_at, s.primary_rto,
		    r.stall, st.max_gap_ms, st.max_gap_at_ms, sent, st.received,
		    st.reordered, st.duplicates);
		fflush(stdout);
	}
	uu_server_stop(sink);
	(void)!write(out, &r, sizeof(r));
	_exit(0);
}

/*
 * The primary cut mid-flow: nothing lost or reordered, and the stall at
 * most F + 50 ms.  A loaded machine can only add to a stall (its
 * scheduling delays the timers and the processes): up to three runs, the
 * shortest stall is the protocol's; every run must lose nothing.
 */
static void
primary_cut(long f_ms, bool set_f)
{
	struct cut_result r;
	double best = -1;
	int fds[2], i, status;
	long f;
	pid_t pid;

	if (set_f)
		ck_assert_int_eq(cx_setdefault(CX_OPT_FAILOVER_MS, f_ms), 0);
	ck_assert_int_eq(cx_getdefault(CX_OPT_FAILOVER_MS, &f), 0);
	ck_assert_int_eq(f, f_ms);
	for (i = 0; i < 3 && (best < 0 || best > f_ms + SLACK_MS); i++) {
		ck_assert_int_eq(pipe(fds), 0);
		if ((pid = fork()) == 0) {
			close(fds[0]);
			one_cut(f_ms, fds[1]);
		}
		ck_assert_int_gt(pid, 0);
		close(fds[1]);
		ck_assert_int_eq(read(fds[0], &r, sizeof(r)), (ssize_t)sizeof(r));
		close(fds[0]);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(r.ok, "run %d: a message lost or reordered, or the other "
		    "path not active", i + 1);
		/* The cut did stall the flow. */
		ck_assert_double_gt(r.stall, 0);
		if (best < 0 || r.stall < best)
			best = r.stall;
	}
	ck_assert_double_le(best, f_ms + SLACK_MS);
}

/* Default policy: F = D = 250 ms; the application sets nothing. */
START_TEST(primary_cut_default_f)
{
	primary_cut(250, false);
}
END_TEST

/* F = 50 ms through the policy (cx_setdefault), still no SCTP option. */
START_TEST(primary_cut_f50)
{
	primary_cut(50, true);
}
END_TEST

/* Every path cut: the association fails and the sender learns it within 12 F. */
START_TEST(all_paths_cut_fails_within_12f)
{
	struct script s = { .cut_all_at = 1000 };
	struct socket *cl;
	sctp_assoc_t id;
	pid_t sink;
	long sent, f;
	double fail_ms;
	int report, err;

	nu_setup("cxfo", chains);
	ck_assert_int_eq(cx_getdefault(CX_OPT_FAILOVER_MS, &f), 0);
	cl = connect_client(&sink, &report, &id);
	err = uu_flow_send(cl, 1000 + 30 * f, tick, &s, &sent, &fail_ms);
	reap();
	printf("F = %ld ms: every path cut at %.0f ms; association failed (%s) "
	    "%.0f ms later (12 F = %ld ms)\n", f, s.cut_at, strerror(err),
	    fail_ms - s.cut_at, 12 * f);
	ck_assert_int_ne(err, 0);
	ck_assert_double_le(fail_ms - s.cut_at, 12 * f + tu_margin_ms(0));
	ck_assert_int_ne(uu_state(cl, id), SCTP_ESTABLISHED);	/* closed or gone */
	usrsctp_close(cl);
	uu_server_stop(sink);
	close(report);
}
END_TEST

/* The primary cut, then back: nothing lost or reordered; the path active again. */
START_TEST(primary_restored_nothing_lost)
{
	struct script s = { .cut_primary_at = 1000, .restore_at = 2000 };
	struct uu_flow_stats st;
	struct socket *cl;
	sctp_assoc_t id;
	pid_t sink;
	long sent, f;
	double fail_ms, end;
	int report;

	nu_setup("cxfo", chains);
	ck_assert_int_eq(cx_getdefault(CX_OPT_FAILOVER_MS, &f), 0);
	cl = connect_client(&sink, &report, &id);
	ck_assert_int_eq(uu_flow_send(cl, 3500, tick, &s, &sent, &fail_ms), 0);
	reap();
	/* Heartbeats every F or so find the primary again. */
	end = uu_now_ms() + 20 * f;
	while (uu_path_state(cl, id, "127.0.0.3", SPORT) != SCTP_ACTIVE && uu_now_ms() < end)
		usleep(10000);
	ck_assert_int_eq(uu_path_state(cl, id, "127.0.0.3", SPORT), SCTP_ACTIVE);
	ck_assert_int_eq(uu_flow_end(cl, 5000), 0);
	ck_assert_int_eq(uu_sink_report(report, 10000, &st), 0);
	printf("primary cut at 1 s, back at 2 s: longest gap %.1f ms; %ld sent, "
	    "%ld received, %ld reordered\n", st.max_gap_ms, sent, st.received, st.reordered);
	ck_assert_int_eq(st.received, sent);
	ck_assert_int_eq(st.reordered, 0);
	usrsctp_close(cl);
	uu_server_stop(sink);
	close(report);
}
END_TEST

static Suite *
failover_suite(void)
{
	Suite *s = suite_create("usrsctp_failover");
	TCase *tc = tcase_create("failover");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, primary_cut_default_f);
	tcase_add_test(tc, primary_cut_f50);
	tcase_add_test(tc, all_paths_cut_fails_within_12f);
	tcase_add_test(tc, primary_restored_nothing_lost);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return nu_main("check_usrsctp_failover", failover_suite);
}
