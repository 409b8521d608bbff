/*
 * cx_usrsctp_connectx with real multi-homing, as root, in a network
 * namespace this test creates: lo up, 127.0.0.2 and 127.0.0.3 added to it
 * before either usrsctp stack starts (usrsctp reads addresses once), and
 * nft rules that drop the client's UDP-encapsulated packets to one server
 * address.  A forked server (its own stack, its own UDP port) listens on
 * both; the client's packets to it are told apart from its replies by the
 * UDP destination port.
 *
 *  1. 127.0.0.2 black-holed, 127.0.0.3 live: the association comes up
 *     within the attempt delay D.
 *  2. Then 127.0.0.2 is let through and 127.0.0.3 (the primary path) is
 *     dropped: SCTP's own path management marks it inactive after the
 *     heartbeats fail, and the association carries data on 127.0.0.2.
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

#include <check.h>

#include "testutil.h"
#include "netns_util.h"
#include "usrsctp_util.h"

#define SPORT		5001
#define CLIENT_UDP	9901		/* fresh namespace: any port is free */
#define SERVER_UDP	9902
#define D_MS		100
#define MARGIN_MS	tu_margin_ms(400)	/* scheduling, usrsctp's 10 ms tick */

/*
 * The attempt delay of the multihomed test: D_MS, longer than a round trip
 * to the forked server, so that the INIT that got through is the last one
 * sent (each T1-init expiry moves the INIT, and the primary path with it,
 * to the other address: lib/usrsctp_handshake.c).  Under valgrind
 * (CX_TEST_MARGIN_MS set) that round trip takes hundreds of milliseconds
 * and a later INIT went back to the dropped address, taking the primary
 * path with it; there D is 2 s.  The failover bound F stays D_MS (its
 * default follows D: libconnectx(3), CX_OPT_FAILOVER_MS).
 */
static int
multihomed_d_ms(void)
{
	return tu_margin_ms(0) > 0 ? 2000 : D_MS;
}

static const char *const chains[] = { "to2", "to3", NULL };

static void
drop_to(const char *chain, const char *addr)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "nft add rule inet cxtest %s ip daddr %s udp dport %d drop",
	    chain, addr, SERVER_UDP);
	ck_assert_int_eq(nu_run(cmd), 0);
}

static void
wait_path(struct socket *cl, sctp_assoc_t id, const char *addr, int want, int ms)
{
	double end = uu_now_ms() + ms;
	int st;

	while ((st = uu_path_state(cl, id, addr, SPORT)) != want && uu_now_ms() < end)
		usleep(10000);
	ck_assert_msg(st == want, "path %s state %d, want %d", addr, st, want);
}

static void
echo(struct socket *cl, const char *msg, int ms)
{
	char buf[256];
	ssize_t n;

	ck_assert_int_eq(uu_send(cl, msg, strlen(msg)), (ssize_t)strlen(msg));
	n = uu_recv(cl, buf, sizeof(buf), ms, NULL);
	ck_assert_int_eq(n, (ssize_t)strlen(msg));
	ck_assert_int_eq(memcmp(buf, msg, (size_t)n), 0);
}

START_TEST(multihomed_failover)
{
	static const char *const both[] = { "127.0.0.2", "127.0.0.3" };
	unsigned char list[64], *p = list;
	struct sctp_paddrparams pp;
	struct sockaddr *peers;
	struct socket *cl;
	sctp_assoc_t id = 0;
	pid_t server;
	double t0, ms;
	int n, d = multihomed_d_ms();

	nu_setup("cxtest", chains);
	drop_to("to2", "127.0.0.2");
	server = uu_server_fork(SERVER_UDP, AF_INET, both, 2, SPORT);
	ck_assert_int_gt(server, 0);
	usrsctp_init(CLIENT_UDP, NULL, NULL);
	ck_assert_ptr_nonnull(cl = uu_socket(AF_INET, SERVER_UDP));
	ck_assert_int_eq(cx_setdefault(CX_OPT_ATTEMPT_DELAY_MS, d), 0);
	ck_assert_int_eq(cx_setdefault(CX_OPT_FAILOVER_MS, D_MS), 0);

	/* 1: black-holed first, live second. */
	uu_put(&p, "127.0.0.2", SPORT);
	uu_put(&p, "127.0.0.3", SPORT);
	t0 = uu_now_ms();
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 2, &id), 0);
	ms = uu_now_ms() - t0;
	printf("namespace: 127.0.0.2 dropped, up on 127.0.0.3 in %.0f ms (D = %d ms)\n", ms, d);
	ck_assert_double_ge(ms, d * 0.8);
	ck_assert_double_lt(ms, d + MARGIN_MS);
	n = cx_usrsctp_getpaddrs(cl, id, &peers);
	ck_assert_int_eq(n, 2);
	ck_assert(uu_has(peers, n, "127.0.0.2"));
	ck_assert(uu_has(peers, n, "127.0.0.3"));
	cx_freepaddrs(peers);
	/* The INIT that got through went to 127.0.0.3: the primary path. */
	{
		struct sctp_status st;
		socklen_t len = sizeof(st);

		memset(&st, 0, sizeof(st));
		st.sstat_assoc_id = id;
		ck_assert_int_eq(usrsctp_getsockopt(cl, IPPROTO_SCTP, SCTP_STATUS,
		    &st, &len), 0);
		ck_assert(uu_is((struct sockaddr *)&st.sstat_primary.spinfo_address,
		    "127.0.0.3"));
	}
	echo(cl, "first", 3000);

	/* Fast path management for the second part: heartbeats every 100 ms. */
	memset(&pp, 0, sizeof(pp));
	pp.spp_assoc_id = id;
	pp.spp_address.ss_family = AF_INET;	/* any address: every path */
	pp.spp_hbinterval = 100;
	pp.spp_pathmaxrxt = 2;
	pp.spp_flags = SPP_HB_ENABLE;
	ck_assert_int_eq(usrsctp_setsockopt(cl, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS,
	    &pp, sizeof(pp)), 0);
	{
		struct sctp_rtoinfo rto = { id, 100, 200, 50 };

		ck_assert_int_eq(usrsctp_setsockopt(cl, IPPROTO_SCTP, SCTP_RTOINFO,
		    &rto, sizeof(rto)), 0);
	}

	/* 2: 127.0.0.2 comes back (confirmed by heartbeat), the primary goes. */
	ck_assert_int_eq(nu_run("nft flush chain inet cxtest to2"), 0);
	wait_path(cl, id, "127.0.0.2", SCTP_ACTIVE, 5000);
	wait_path(cl, id, "127.0.0.3", SCTP_ACTIVE, 5000);
	drop_to("to3", "127.0.0.3");
	t0 = uu_now_ms();
	echo(cl, "second, after the primary path died", 10000);
	wait_path(cl, id, "127.0.0.3", SCTP_INACTIVE, 10000);
	printf("namespace: 127.0.0.3 inactive, data on 127.0.0.2 after %.0f ms\n",
	    uu_now_ms() - t0);
	ck_assert_int_eq(uu_path_state(cl, id, "127.0.0.2", SPORT), SCTP_ACTIVE);
	ck_assert_int_eq(uu_state(cl, id), SCTP_ESTABLISHED);
	echo(cl, "third", 3000);

	usrsctp_close(cl);
	uu_server_stop(server);
}
END_TEST

/*
 * A blocking call that times out leaves nothing that comes up later
 * (cx_usrsctp_connectx(3), ERRORS, ETIMEDOUT): the INIT is answered but
 * every COOKIE-ECHO is dropped until after the call gave up; once they
 * pass again, no association appears on the socket and the listener
 * accepts none, and the record agrees (ENOTCONN).  One stack: the client
 * encapsulates to its own UDP port, where the listener is.
 */
START_TEST(timed_out_call_leaves_nothing)
{
	static const char *const two[] = { "127.0.0.2" };
	unsigned char list[64], *p = list;
	struct socket *l, *cl, *acc;
	char cmd[256];
	sctp_assoc_t id = 7, q;
	double t0, ms;
	int st;

	nu_setup("cxtest", chains);
	/* UDP header 8 bytes + SCTP common header 12: the first chunk's type at bit 160. */
	snprintf(cmd, sizeof(cmd), "nft add rule inet cxtest to2 ip daddr 127.0.0.2 "
	    "udp dport %d @th,160,8 10 drop", CLIENT_UDP);
	ck_assert_int_eq(nu_run(cmd), 0);
	usrsctp_init(CLIENT_UDP, NULL, NULL);
	ck_assert_ptr_nonnull(l = uu_listen(AF_INET, two, 1, SPORT));
	usrsctp_set_non_blocking(l, 1);
	ck_assert_ptr_nonnull(cl = uu_socket(AF_INET, CLIENT_UDP));
	ck_assert_int_eq(cx_setdefault(CX_OPT_ATTEMPT_DELAY_MS, D_MS), 0);
	ck_assert_int_eq(cx_setdefault(CX_OPT_TOTAL_TIMEOUT_MS, 600), 0);
	uu_put(&p, "127.0.0.2", SPORT);
	t0 = uu_now_ms();
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 1, &id), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ms = uu_now_ms() - t0;
	printf("namespace: COOKIE-ECHO dropped, call gave up after %.0f ms\n", ms);
	ck_assert_uint_eq(id, 7);
	ck_assert_int_eq(nu_run("nft flush chain inet cxtest to2"), 0);

	/* Long enough for a COOKIE-ECHO retransmission with usrsctp's backoff. */
	usleep(4000 * 1000);
	st = uu_state(cl, 0);
	ck_assert_msg(st < 0, "an association came up after the call failed (state %d)", st);
	ck_assert_ptr_null(acc = usrsctp_accept(l, NULL, NULL));
	ck_assert_int_eq(cx_usrsctp_getassocid(cl, &q), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	usrsctp_close(cl);
	usrsctp_close(l);
}
END_TEST

static Suite *
netns_suite(void)
{
	Suite *s = suite_create("usrsctp_netns");
	TCase *tc = tcase_create("namespace");

	tcase_set_timeout(tc, 40);
	tcase_add_test(tc, multihomed_failover);
	tcase_add_test(tc, timed_out_call_leaves_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return nu_main("check_usrsctp_netns", netns_suite);
}
