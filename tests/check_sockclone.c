/*
 * Option faithfulness (connectx(2), "Parallel attempts"): every option a
 * program can set reads back the same after connectx, whichever attempt
 * won; an option the library cannot copy is noticed, and the run goes one
 * attempt at a time on the caller's own socket.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <linux/filter.h>

#include <check.h>

#include "connectx.h"
#include "sockopts.h"
#include "testutil.h"

#define D	30

/* One option the test sets, with the value it sets. */
struct opt {
	const char	*name;
	int		 level, opt;
	unsigned char	 v[16];
	socklen_t	 len;
};

#define INT(l, o, x)	{ #o, l, o, { (x) & 0xff, ((x) >> 8) & 0xff, \
	((x) >> 16) & 0xff, ((unsigned)(x) >> 24) & 0xff }, 4 }

static struct opt opts[] = {
	INT(SOL_SOCKET, SO_REUSEADDR, 1),
	INT(SOL_SOCKET, SO_REUSEPORT, 1),
	INT(SOL_SOCKET, SO_KEEPALIVE, 1),
	{ "SO_LINGER", SOL_SOCKET, SO_LINGER, { 1, 0, 0, 0, 5, 0, 0, 0 }, 8 },
	INT(SOL_SOCKET, SO_RCVBUF, 100000),
	INT(SOL_SOCKET, SO_SNDBUF, 120000),
	INT(SOL_SOCKET, SO_PRIORITY, 3),
	INT(SOL_SOCKET, SO_MARK, 7),
	{ "SO_RCVTIMEO", SOL_SOCKET, SO_RCVTIMEO, { 3 }, 16 },
	{ "SO_SNDTIMEO", SOL_SOCKET, SO_SNDTIMEO, { 4 }, 16 },
	INT(SOL_SOCKET, SO_OOBINLINE, 1),
	INT(SOL_SOCKET, SO_RCVLOWAT, 10),
	INT(SOL_SOCKET, SO_TIMESTAMPNS, 1),
	INT(SOL_SOCKET, SO_ZEROCOPY, 1),
	{ "SO_MAX_PACING_RATE", SOL_SOCKET, SO_MAX_PACING_RATE,
	    { 0x40, 0x42, 0x0f, 0 }, 8 },
	INT(SOL_SOCKET, SO_BUSY_POLL, 50),
	INT(SOL_SOCKET, 74 /* SO_TXREHASH */, 0),
	INT(SOL_SOCKET, 75 /* SO_RCVMARK */, 1),
	INT(SOL_SOCKET, SO_PASSCRED, 1),
	INT(IPPROTO_TCP, TCP_NODELAY, 1),
	INT(IPPROTO_TCP, TCP_MAXSEG, 1200),
	INT(IPPROTO_TCP, TCP_KEEPIDLE, 77),
	INT(IPPROTO_TCP, TCP_KEEPINTVL, 11),
	INT(IPPROTO_TCP, TCP_KEEPCNT, 4),
	INT(IPPROTO_TCP, TCP_SYNCNT, 3),
	INT(IPPROTO_TCP, TCP_LINGER2, 9),
	INT(IPPROTO_TCP, TCP_WINDOW_CLAMP, 60000),
	{ "TCP_CONGESTION", IPPROTO_TCP, TCP_CONGESTION, "reno", 4 },
	INT(IPPROTO_TCP, TCP_THIN_LINEAR_TIMEOUTS, 1),
	INT(IPPROTO_TCP, TCP_USER_TIMEOUT, 12345),
	INT(IPPROTO_TCP, TCP_NOTSENT_LOWAT, 4096),
	INT(IPPROTO_TCP, 37 /* TCP_TX_DELAY */, 10),
	INT(IPPROTO_TCP, TCP_SAVE_SYN, 1),
	INT(IPPROTO_TCP, 36 /* TCP_INQ */, 1),
	INT(IPPROTO_IP, IP_TOS, 0x20),
	INT(IPPROTO_IP, IP_TTL, 33),
	INT(IPPROTO_IP, IP_RECVERR, 1),
	INT(IPPROTO_IP, IP_FREEBIND, 1),
	INT(IPPROTO_IP, 51 /* IP_LOCAL_PORT_RANGE */, 40000 | (50000 << 16)),
	INT(IPPROTO_IP, IP_RECVTOS, 1),
	INT(IPPROTO_IP, IP_PKTINFO, 1),
	INT(IPPROTO_IP, IP_RECVTTL, 1),
	INT(IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO),
	{ "IP_OPTIONS", IPPROTO_IP, IP_OPTIONS, { 1, 1, 1, 1 }, 4 },
	INT(IPPROTO_IP, IP_MULTICAST_TTL, 5),
	INT(IPPROTO_IP, IP_RECVORIGDSTADDR, 1),
};
#define NOPTS	(sizeof(opts) / sizeof(opts[0]))

/* Set every option the kernel lets this process set; how many took. */
static int
set_all(int fd, bool *took)
{
	size_t i;
	int n = 0;

	for (i = 0; i < NOPTS; i++) {
		took[i] = setsockopt(fd, opts[i].level, opts[i].opt, opts[i].v,
		    opts[i].len) == 0;
		n += took[i];
	}
	return n;
}

struct val {
	int		r;
	socklen_t	len;
	unsigned char	v[64];
};

static void
read_opt(int fd, int level, int name, struct val *v)
{
	memset(v, 0, sizeof(*v));
	v->len = sizeof(v->v);
	v->r = getsockopt(fd, level, name, v->v, &v->len);
}

static bool
same(const struct val *a, const struct val *b)
{
	return a->r == b->r && (a->r != 0 || (a->len == b->len &&
	    memcmp(a->v, b->v, a->len) == 0));
}

/* [black hole, live] on fd; the live attempt runs on a clone and wins. */
static void
connect_past(int fd, const struct blackhole *b, const struct listener *live)
{
	int r;

	ck_assert_int_eq(cx_setopt(fd, CX_OPT_HISTORY, 0), 0);
	r = tu_connect_past(fd, b, live, D);
	ck_assert_msg(r == 0, "connectx: %s", strerror(errno));
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
}

/* Identity and state, which differ between any two connections. */
static bool
state_only(int level, int name)
{
	if (level == SOL_SOCKET)
		return name == SO_COOKIE || name == SO_MEMINFO ||
		    name == SO_INCOMING_CPU || name == SO_INCOMING_NAPI_ID ||
		    name == SO_PEERNAME || name == SO_ERROR ||
		    name == SO_PEERCRED || name == 77 /* SO_PEERPIDFD */ ||
		    name == SO_ATTACH_FILTER;
	if (level == IPPROTO_TCP)
		return name == TCP_INFO || name == TCP_CC_INFO ||
		    name == TCP_QUICKACK || name == TCP_SAVED_SYN ||
		    name == TCP_ZEROCOPY_RECEIVE || name == TCP_QUEUE_SEQ ||
		    name == TCP_TIMESTAMP;
	/* IP_PROTOCOL reads inet_num: a TCP socket's local port. */
	return level == IPPROTO_IP && (name == IP_PKTOPTIONS || name == 52);
}

START_TEST(test_every_settable_option_reads_back_after_a_clone_win)
{
	static const int levels[] = { SOL_SOCKET, IPPROTO_IP, IPPROTO_TCP };
	struct blackhole b;
	struct listener live;
	struct val before[NOPTS], after, plain;
	bool took[NOPTS], took2[NOPTS];
	char diffs[2048] = "";
	uint64_t cookie;
	size_t i;
	int ref, fd, n, l, name;

	ck_assert_int_eq(tu_blackhole(&b, AF_INET), 0);
	ck_assert_int_eq(tu_listen(&live, AF_INET, 64), 0);

	/* The reference: the same options, a plain connect(2). */
	ref = tu_tcp_socket(AF_INET, 0);
	n = set_all(ref, took);
	ck_assert_int_eq(connect(ref, (struct sockaddr *)&live.addr,
	    live.addrlen), 0);

	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(set_all(fd, took2), n);
	for (i = 0; i < NOPTS; i++)
		read_opt(fd, opts[i].level, opts[i].opt, &before[i]);
	cookie = tu_cookie(fd);
	connect_past(fd, &b, &live);
	ck_assert_msg(tu_cookie(fd) != cookie, "the clone did not win");

	/* Each option the test set, before and after. */
	for (i = 0; i < NOPTS; i++) {
		if (!took[i])
			continue;
		read_opt(fd, opts[i].level, opts[i].opt, &after);
		read_opt(ref, opts[i].level, opts[i].opt, &plain);
		/* TCP_MAXSEG reads the MSS in use once connected, as on ref. */
		if (!same(&after, &plain) ||
		    (opts[i].opt != TCP_MAXSEG && !same(&after, &before[i])))
			snprintf(diffs + strlen(diffs), sizeof(diffs) - strlen(diffs),
			    " %s", opts[i].name);
	}
	ck_assert_msg(diffs[0] == '\0', "lost on the clone:%s", diffs);

	/* Every readable option, against the plain connection. */
	for (l = 0; l < 3; l++)
		for (name = 1; name <= 90; name++) {
			struct val x;

			if (state_only(levels[l], name))
				continue;
			read_opt(fd, levels[l], name, &x);
			read_opt(ref, levels[l], name, &plain);
			if (!same(&x, &plain))
				snprintf(diffs + strlen(diffs),
				    sizeof(diffs) - strlen(diffs), " %d/%d",
				    levels[l], name);
		}
	ck_assert_msg(diffs[0] == '\0', "level/option differing from a plain "
	    "connect:%s", diffs);
	/* IP_LOCAL_PORT_RANGE was honoured by the clone's connect. */
	{
		struct sockaddr_in sin;
		socklen_t len = sizeof(sin);

		ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
		ck_assert_int_ge(ntohs(sin.sin_port), 40000);
		ck_assert_int_le(ntohs(sin.sin_port), 50000);
	}
	close(fd);
	close(ref);
	tu_blackhole_close(&b);
	close(live.fd);
}
END_TEST

START_TEST(test_socket_filter_is_noticed_and_attempts_run_one_at_a_time)
{
	struct sock_filter accept_all = BPF_STMT(BPF_RET | BPF_K, 0xffffffff);
	struct sock_fprog prog = { .len = 1, .filter = &accept_all };
	struct blackhole b;
	struct listener live;
	struct cx_attempt *at;
	socklen_t blocks = 0;
	uint64_t cookie;
	int fd;

	ck_assert_int_eq(tu_blackhole(&b, AF_INET), 0);
	ck_assert_int_eq(tu_listen(&live, AF_INET, 64), 0);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)), 0);
	cookie = tu_cookie(fd);
	connect_past(fd, &b, &live);
	/* Given up at D for the next, on the caller's own socket. */
	ck_assert_int_eq(cx_getattempts(fd, 0, &at), 2);
	ck_assert_int_eq(at[0].ca_error, ETIMEDOUT);
	ck_assert_int_eq(at[1].ca_error, 0);
	cx_freeattempts(at);
	ck_assert(tu_cookie(fd) == cookie);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, NULL, &blocks), 0);
	ck_assert_uint_eq(blocks, 1);
	close(fd);
	tu_blackhole_close(&b);
	close(live.fd);
}
END_TEST

START_TEST(test_ipv6_options_read_back_after_a_clone_win)
{
	struct blackhole b;
	struct listener live;
	struct val before[4], after;
	static const struct { int level, name, v; } o[4] = {
		{ IPPROTO_IPV6, IPV6_TCLASS, 0x28 },
		{ IPPROTO_IPV6, IPV6_UNICAST_HOPS, 17 },
		{ IPPROTO_IPV6, IPV6_RECVERR, 1 },
		{ IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1 },
	};
	uint64_t cookie;
	int fd, i;

	if (tu_blackhole(&b, AF_INET6) != 0)
		return;		/* no IPv6 loopback here */
	ck_assert_int_eq(tu_listen(&live, AF_INET6, 64), 0);
	fd = tu_tcp_socket(AF_INET6, 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(setsockopt(fd, o[i].level, o[i].name, &o[i].v,
		    sizeof(int)), 0);
		read_opt(fd, o[i].level, o[i].name, &before[i]);
	}
	cookie = tu_cookie(fd);
	connect_past(fd, &b, &live);
	ck_assert(tu_cookie(fd) != cookie);
	for (i = 0; i < 4; i++) {
		read_opt(fd, o[i].level, o[i].name, &after);
		ck_assert_msg(same(&after, &before[i]), "option %d/%d lost",
		    o[i].level, o[i].name);
	}
	close(fd);
	tu_blackhole_close(&b);
	close(live.fd);
}
END_TEST

/*
 * A non-blocking application sets an option after connectx returned
 * EINPROGRESS, then runs its event loop: the options are read when the
 * first parallel attempt is due (connectx(2), "Parallel attempts"), so
 * the clone that wins has it too.
 */
START_TEST(test_option_set_after_a_non_blocking_call_is_copied)
{
	struct sockaddr_storage a[2];
	socklen_t l[2];
	unsigned char buf[2 * sizeof(struct sockaddr_in6)];
	sa_endpoints_t ep = { 0 };
	struct blackhole b;
	struct listener live;
	struct pollfd pfd[16];
	uint64_t cookie;
	int fd, n, wait_ms, on = 1, v;
	socklen_t len = sizeof(v);

	ck_assert_int_eq(tu_blackhole(&b, AF_INET), 0);
	ck_assert_int_eq(tu_listen(&live, AF_INET, 64), 0);
	a[0] = b.l.addr; l[0] = b.l.addrlen;
	a[1] = live.addr; l[1] = live.addrlen;
	ep.sae_dstaddr = (const struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, a, l, 2);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	cookie = tu_cookie(fd);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, D), 0);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_HISTORY, 0), 0);
	ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL,
	    NULL), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on,
	    sizeof(on)), 0);
	for (;;) {
		ck_assert_int_ge(n = cx_fds(fd, pfd, 16), 0);
		ck_assert_int_eq(cx_timeout(fd, &wait_ms), 0);
		ck_assert_int_ne(poll(pfd, (nfds_t)n, wait_ms), -1);
		if (cx_step(fd, NULL) == 0)
			break;
		ck_assert_int_eq(errno, EINPROGRESS);
	}
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
	ck_assert_msg(tu_cookie(fd) != cookie, "the clone did not win");
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, &len), 0);
	ck_assert_msg(v == 1, "SO_KEEPALIVE set after the call was lost");
	close(fd);
	tu_blackhole_close(&b);
	close(live.fd);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sockclone");
	TCase *tc = tcase_create("faithful");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_every_settable_option_reads_back_after_a_clone_win);
	tcase_add_test(tc, test_socket_filter_is_noticed_and_attempts_run_one_at_a_time);
	tcase_add_test(tc, test_ipv6_options_read_back_after_a_clone_win);
	tcase_add_test(tc, test_option_set_after_a_non_blocking_call_is_copied);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
