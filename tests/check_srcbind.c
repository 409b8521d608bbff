/*
 * Source binding (connectx(2): sae_srcaddr as bind(2) would, sae_srcif bound
 * to the interface, both before the first attempt): the connection the
 * listener sees comes from there, also after failover.  Loopback only:
 * 127.0.0.2 is an address of lo (127.0.0.0/8).
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <check.h>

#include "connectx.h"
#include "sockopts.h"
#include "testutil.h"

#ifndef SO_BINDTOIFINDEX
#define SO_BINDTOIFINDEX 62
#endif

#define MAXDEST	4
/*
 * Past a black hole with an attempt delay of 50 ms, the live destination
 * is reached at 50 ms (connectx(2), "Parallel attempts").  The upper bound
 * leaves a loaded machine with sanitizers most of a second, and stays under
 * the kernel's first SYN retransmission (1 s): a run that waited on the
 * black hole's attempt instead of starting the next one still fails it.
 */
#define PAST_BLACKHOLE_MAX_MS	(50 + 750)

static void
addr4(struct sockaddr_in *sin, uint32_t a, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(a);
	sin->sin_port = htons(port);
}

/* connectx with the given source, to refused addresses (nrefused) then l. */
static int
connectx_from(int fd, unsigned int srcif, const void *src, socklen_t srclen,
    int nrefused, const struct listener *l)
{
	struct sockaddr_storage a[MAXDEST];
	socklen_t len[MAXDEST];
	unsigned char buf[MAXDEST * sizeof(struct sockaddr_storage)];
	sa_endpoints_t ep;
	int i;

	for (i = 0; i < nrefused; i++)
		tu_refused(&a[i], &len[i], l->addr.ss_family);
	a[i] = l->addr;
	len[i] = l->addrlen;
	memset(&ep, 0, sizeof(ep));
	ep.sae_srcif = srcif;
	ep.sae_srcaddr = src;
	ep.sae_srcaddrlen = srclen;
	ep.sae_dstaddr = (const struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, a, len, nrefused + 1);
	return connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
}

/*
 * Accept the client's connection at l and check that the listener sees it
 * coming from want_addr (host order) and, when want_port is not 0, that
 * port; the client's own getsockname must agree.  Returns the port seen.
 */
static uint16_t
assert_seen_from4(const struct listener *l, int client, uint32_t want_addr,
    uint16_t want_port)
{
	struct sockaddr_in peer, local;
	socklen_t plen = sizeof(peer), llen = sizeof(local);
	char s[INET_ADDRSTRLEN];
	int a;

	ck_assert_int_eq(getsockname(client, (struct sockaddr *)&local, &llen), 0);
	ck_assert_msg(ntohl(local.sin_addr.s_addr) == want_addr,
	    "client's local address is %s",
	    inet_ntop(AF_INET, &local.sin_addr, s, sizeof(s)));
	a = tu_accept(l, 1000);
	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(getpeername(a, (struct sockaddr *)&peer, &plen), 0);
	close(a);
	ck_assert_msg(ntohl(peer.sin_addr.s_addr) == want_addr,
	    "listener sees the client as %s",
	    inet_ntop(AF_INET, &peer.sin_addr, s, sizeof(s)));
	ck_assert_uint_eq(peer.sin_port, local.sin_port);
	if (want_port != 0)
		ck_assert_uint_eq(ntohs(peer.sin_port), want_port);
	return ntohs(peer.sin_port);
}

/* A port free on 127.0.0.2 just now. */
static uint16_t
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = tu_tcp_socket(AF_INET, 0);

	addr4(&sin, 0x7f000002, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

/* The interface the socket is bound to, by both socket options. */
static void
assert_bound_to_lo(int fd, unsigned int lo)
{
	char name[IF_NAMESIZE + 1];
	socklen_t len;
	int idx = -1;

	len = sizeof(idx);
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &idx, &len) == 0)
		ck_assert_int_eq(idx, (int)lo);
	else
		ck_assert_int_eq(errno, ENOPROTOOPT);	/* kernel before 5.7 */
	memset(name, 0, sizeof(name));
	len = sizeof(name);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, &len), 0);
	ck_assert_str_eq(name, "lo");
}

START_TEST(test_srcaddr_127_0_0_2_port_0_is_the_connections_source)
{
	struct listener live;
	struct sockaddr_in src;
	int fd;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 4), 0);
	addr4(&src, 0x7f000002, 0);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_from(fd, 0, &src, sizeof(src), 0, &live), 0);
	ck_assert_uint_ne(assert_seen_from4(&live, fd, 0x7f000002, 0), 0);
	close(fd);
	close(live.fd);
}
END_TEST

START_TEST(test_srcaddr_with_explicit_free_port_is_used_as_given)
{
	struct listener live;
	struct sockaddr_in src;
	uint16_t port;
	int fd;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 4), 0);
	port = free_port();
	addr4(&src, 0x7f000002, port);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_from(fd, 0, &src, sizeof(src), 0, &live), 0);
	assert_seen_from4(&live, fd, 0x7f000002, port);
	close(fd);
	close(live.fd);
}
END_TEST

START_TEST(test_srcaddr_and_port_survive_failover_past_refused_addresses)
{
	struct listener live;
	struct sockaddr_in src;
	uint16_t port;
	int fd;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 4), 0);
	/* Port 0: the address holds through the failed attempts. */
	addr4(&src, 0x7f000002, 0);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_from(fd, 0, &src, sizeof(src), 2, &live), 0);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 2);
	assert_seen_from4(&live, fd, 0x7f000002, 0);
	close(fd);

	/* An explicit port too. */
	port = free_port();
	addr4(&src, 0x7f000002, port);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_from(fd, 0, &src, sizeof(src), 2, &live), 0);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 2);
	assert_seen_from4(&live, fd, 0x7f000002, port);
	close(fd);
	close(live.fd);
}
END_TEST

/* [black hole, live]: the live address is tried while the first waits. */
static int
connectx_past_blackhole(int fd, unsigned int srcif, const void *src,
    socklen_t srclen, const struct listener *l, struct blackhole *bh,
    double *el)
{
	struct sockaddr_storage a[2];
	socklen_t len[2];
	unsigned char buf[2 * sizeof(struct sockaddr_storage)];
	sa_endpoints_t ep;
	double t0;
	int rc;

	ck_assert_int_eq(tu_blackhole(bh, AF_INET), 0);
	a[0] = bh->l.addr;
	len[0] = bh->l.addrlen;
	a[1] = l->addr;
	len[1] = l->addrlen;
	memset(&ep, 0, sizeof(ep));
	ep.sae_srcif = srcif;
	ep.sae_srcaddr = src;
	ep.sae_srcaddrlen = srclen;
	ep.sae_dstaddr = (const struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, a, len, 2);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, 50), 0);
	t0 = tu_now_ms();
	rc = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
	*el = tu_now_ms() - t0;
	return rc;
}

START_TEST(test_srcif_and_srcaddr_hold_when_a_later_attempt_wins_past_a_blackhole)
{
	struct listener live;
	struct blackhole bh;
	struct sockaddr_in src;
	unsigned int lo = if_nametoindex("lo");
	double el;
	int fd;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 4), 0);
	addr4(&src, 0x7f000002, 0);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_past_blackhole(fd, lo, &src, sizeof(src), &live,
	    &bh, &el), 0);
	ck_assert_msg(el >= 49 && el < PAST_BLACKHOLE_MAX_MS,
	    "connected after %.0f ms", el);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
	/* Whatever socket the winning attempt ran on, it is bound as asked. */
	assert_bound_to_lo(fd, lo);
	assert_seen_from4(&live, fd, 0x7f000002, 0);
	close(fd);
	tu_blackhole_close(&bh);
	close(live.fd);
}
END_TEST

/*
 * connectx(2), "Parallel attempts": a source address with port 0 leaves the
 * port to connect(2) (IP_BIND_ADDRESS_NO_PORT), so the black hole's attempt
 * keeps running beside the live one on a clone bound the same way.
 */
START_TEST(test_srcaddr_port_0_keeps_parallel_attempts)
{
	struct listener live;
	struct blackhole bh;
	struct sockaddr_in src;
	struct cx_attempt *at;
	socklen_t len = sizeof(int);
	double el;
	int fd, v = -1;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 4), 0);
	addr4(&src, 0x7f000002, 0);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_HISTORY, 0), 0);
	ck_assert_int_eq(connectx_past_blackhole(fd, 0, &src, sizeof(src), &live,
	    &bh, &el), 0);
	ck_assert_msg(el >= 49 && el < PAST_BLACKHOLE_MAX_MS,
	    "connected after %.0f ms", el);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
	ck_assert_int_eq(cx_getattempts(fd, 0, &at), 2);
	/* Overtaken while still running, not given up at D. */
	ck_assert_int_eq(at[0].ca_error, ECANCELED);
	ck_assert_int_eq(at[1].ca_error, 0);
	cx_freeattempts(at);
	/* The source address holds on the winner, its port chosen at connect. */
	assert_seen_from4(&live, fd, 0x7f000002, 0);
	/* The option the library used for the bind reads back as before. */
	ck_assert_int_eq(getsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &v,
	    &len), 0);
	ck_assert_int_eq(v, 0);
	close(fd);
	tu_blackhole_close(&bh);
	close(live.fd);
}
END_TEST

START_TEST(test_explicit_source_port_holds_when_a_later_attempt_wins_past_a_blackhole)
{
	struct listener live;
	struct blackhole bh;
	struct sockaddr_in src;
	uint16_t port;
	double el;
	int fd;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 4), 0);
	port = free_port();
	addr4(&src, 0x7f000002, port);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_past_blackhole(fd, 0, &src, sizeof(src), &live,
	    &bh, &el), 0);
	ck_assert_msg(el >= 49 && el < PAST_BLACKHOLE_MAX_MS,
	    "connected after %.0f ms", el);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
	assert_seen_from4(&live, fd, 0x7f000002, port);
	close(fd);
	tu_blackhole_close(&bh);
	close(live.fd);
}
END_TEST

START_TEST(test_srcif_lo_binds_the_socket_to_lo_and_connects)
{
	struct listener live;
	unsigned int lo = if_nametoindex("lo");
	int fd;

	ck_assert_uint_ne(lo, 0);
	ck_assert_int_eq(tu_listen(&live, AF_INET, 4), 0);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_from(fd, lo, NULL, 0, 0, &live), 0);
	assert_bound_to_lo(fd, lo);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_ESTABLISHED);
	assert_seen_from4(&live, fd, 0x7f000001, 0);
	close(fd);
	close(live.fd);
}
END_TEST

START_TEST(test_srcif_lo_with_srcaddr_127_0_0_2_uses_both)
{
	struct listener live;
	struct sockaddr_in src;
	unsigned int lo = if_nametoindex("lo");
	int fd;

	ck_assert_uint_ne(lo, 0);
	ck_assert_int_eq(tu_listen(&live, AF_INET, 4), 0);
	addr4(&src, 0x7f000002, 0);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_from(fd, lo, &src, sizeof(src), 1, &live), 0);
	assert_bound_to_lo(fd, lo);
	assert_seen_from4(&live, fd, 0x7f000002, 0);
	close(fd);
	close(live.fd);
}
END_TEST

START_TEST(test_ipv6_srcif_lo_with_srcaddr_loopback)
{
	struct listener live;
	struct sockaddr_storage src, peer;
	socklen_t srclen, plen = sizeof(peer);
	unsigned int lo = if_nametoindex("lo");
	int fd, a;

	ck_assert_int_eq(tu_listen(&live, AF_INET6, 4), 0);
	tu_loopback(&src, &srclen, AF_INET6, 0);
	fd = tu_tcp_socket(AF_INET6, 0);
	ck_assert_int_eq(connectx_from(fd, lo, &src, srclen, 1, &live), 0);
	assert_bound_to_lo(fd, lo);
	a = tu_accept(&live, 1000);
	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(getpeername(a, (struct sockaddr *)&peer, &plen), 0);
	ck_assert(IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&peer)->sin6_addr));
	close(a);
	close(fd);
	close(live.fd);
}
END_TEST

static Suite *
srcbind_suite(void)
{
	Suite *s = suite_create("srcbind");
	TCase *tc;

	tc = tcase_create("srcaddr");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_srcaddr_127_0_0_2_port_0_is_the_connections_source);
	tcase_add_test(tc, test_srcaddr_with_explicit_free_port_is_used_as_given);
	tcase_add_test(tc, test_srcaddr_and_port_survive_failover_past_refused_addresses);
	suite_add_tcase(s, tc);

	tc = tcase_create("srcif");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_srcif_lo_binds_the_socket_to_lo_and_connects);
	tcase_add_test(tc, test_srcif_lo_with_srcaddr_127_0_0_2_uses_both);
	tcase_add_test(tc, test_ipv6_srcif_lo_with_srcaddr_loopback);
	tcase_add_test(tc, test_srcif_and_srcaddr_hold_when_a_later_attempt_wins_past_a_blackhole);
	tcase_add_test(tc, test_explicit_source_port_holds_when_a_later_attempt_wins_past_a_blackhole);
	tcase_add_test(tc, test_srcaddr_port_0_keeps_parallel_attempts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(srcbind_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
