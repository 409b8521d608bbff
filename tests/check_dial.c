/*
 * cx_dial(): the RFC 8305 order and packing on fixed lists, then dials on
 * loopback by numeric address (both families), by "localhost", by service
 * name, non-blocking and UDP; resolver failures reported apart from
 * connect failures; no descriptor left behind on failure.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>

#include "connectx.h"
#include "dial.h"
#include "testutil.h"

/* --- the order and the packing, on fixed lists ------------------------- */

#define FIXED_MAX 8

/* A fixed getaddrinfo-like list, from a string such as "66644" (6: IPv6). */
struct fixed {
	struct addrinfo		ai[FIXED_MAX];
	struct sockaddr_storage	ss[FIXED_MAX];
	size_t			n;
};

/* Entry i gets port 1000 + i, so that the order can be read back. */
static struct addrinfo *
fixed_list(struct fixed *f, const char *families)
{
	struct sockaddr_in *sin;
	struct sockaddr_in6 *six;
	size_t i;

	memset(f, 0, sizeof(*f));
	f->n = strlen(families);
	for (i = 0; i < f->n; i++) {
		sin = (struct sockaddr_in *)&f->ss[i];
		six = (struct sockaddr_in6 *)&f->ss[i];
		f->ai[i].ai_addr = (struct sockaddr *)&f->ss[i];
		f->ai[i].ai_socktype = SOCK_STREAM;
		f->ai[i].ai_next = i + 1 < f->n ? &f->ai[i + 1] : NULL;
		if (families[i] == '6') {
			six->sin6_family = AF_INET6;
			six->sin6_port = htons((uint16_t)(1000 + i));
			six->sin6_addr = in6addr_loopback;
			f->ai[i].ai_family = AF_INET6;
			f->ai[i].ai_addrlen = sizeof(*six);
		} else if (families[i] == '4') {
			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)(1000 + i));
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			f->ai[i].ai_family = AF_INET;
			f->ai[i].ai_addrlen = sizeof(*sin);
		} else {
			f->ss[i].ss_family = AF_UNIX;
			f->ai[i].ai_family = AF_UNIX;
			f->ai[i].ai_addrlen = sizeof(sa_family_t);
		}
	}
	return f->n > 0 ? &f->ai[0] : NULL;
}

/* The order as the list's entry numbers, e.g. "04152". */
static void
order_of(const char *families, char *out)
{
	const struct addrinfo *v[FIXED_MAX];
	struct fixed f;
	struct addrinfo *list = fixed_list(&f, families);
	size_t i, n = dial_order(list, v);

	for (i = 0; i < n; i++)
		out[i] = (char)('0' + (v[i] - f.ai));
	out[n] = '\0';
}

START_TEST(order_interleaves_families)
{
	char got[FIXED_MAX + 1];

	order_of("66644", got);
	ck_assert_str_eq(got, "03142");
	order_of("46666", got);
	ck_assert_str_eq(got, "01234");
	order_of("64444", got);
	ck_assert_str_eq(got, "01234");
	order_of("44664", got);
	ck_assert_str_eq(got, "02134");
	order_of("666", got);
	ck_assert_str_eq(got, "012");
}
END_TEST

START_TEST(order_skips_other_families)
{
	char got[FIXED_MAX + 1];

	order_of("u6u4", got);
	ck_assert_str_eq(got, "13");
	order_of("uu", got);
	ck_assert_str_eq(got, "");
	ck_assert_uint_eq(dial_order(NULL, NULL), 0);
}
END_TEST

START_TEST(pack_maps_ipv4_on_a_mixed_list)
{
	const struct addrinfo *v[FIXED_MAX];
	struct sockaddr_in6 entry[3];
	struct fixed f;
	size_t n = dial_order(fixed_list(&f, "646"), v);
	socklen_t len;
	unsigned char *buf;
	int i;

	ck_assert_int_eq(dial_family(v, n), AF_INET6);
	buf = dial_pack(v, n, AF_INET6, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(len, sizeof(entry));
	memcpy(entry, buf, sizeof(entry));
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(entry[i].sin6_family, AF_INET6);
		ck_assert_uint_eq(ntohs(entry[i].sin6_port), 1000 + i);
	}
	ck_assert(IN6_IS_ADDR_LOOPBACK(&entry[0].sin6_addr));
	ck_assert(IN6_IS_ADDR_V4MAPPED(&entry[1].sin6_addr));
	ck_assert_uint_eq(entry[1].sin6_addr.s6_addr[12], 127);
	ck_assert_uint_eq(entry[1].sin6_addr.s6_addr[15], 1);
	free(buf);
}
END_TEST

START_TEST(pack_ipv4_socket_leaves_ipv6_out)
{
	const struct addrinfo *v[FIXED_MAX];
	struct sockaddr_in entry[2];
	struct fixed f;
	size_t n = dial_order(fixed_list(&f, "4644"), v);
	socklen_t len;
	unsigned char *buf;

	ck_assert_int_eq(dial_family(v, 1), AF_INET);
	buf = dial_pack(v, n, AF_INET, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(len, 3 * sizeof(struct sockaddr_in));
	memcpy(entry, buf, sizeof(entry));
	ck_assert_uint_eq(ntohs(entry[0].sin_port), 1000);
	ck_assert_uint_eq(ntohs(entry[1].sin_port), 1002);
	free(buf);
}
END_TEST

/* --- dials on loopback ------------------------------------------------- */

static void
port_text(const struct listener *l, char *buf, size_t size)
{
	const struct sockaddr_in *sin = (const void *)&l->addr;

	snprintf(buf, size, "%u", ntohs(sin->sin_port));
}

/* fd is connected to the listener's port on an address of family. */
static void
assert_peer(int fd, const struct listener *l, int family)
{
	struct sockaddr_storage peer;
	const struct sockaddr_in *want = (const void *)&l->addr;
	const struct sockaddr_in *got = (const void *)&peer;
	const struct sockaddr_in6 *got6 = (const void *)&peer;
	socklen_t len = sizeof(peer);

	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer, &len), 0);
	ck_assert_uint_eq(got->sin_port, want->sin_port);
	if (family == AF_INET6)
		ck_assert(IN6_IS_ADDR_LOOPBACK(&got6->sin6_addr));
	else if (peer.ss_family == AF_INET6)	/* run as IPv4-mapped */
		ck_assert(IN6_IS_ADDR_V4MAPPED(&got6->sin6_addr));
	else
		ck_assert_uint_eq(ntohl(got->sin_addr.s_addr), INADDR_LOOPBACK);
}

/* A dial of host to the listener's port that must succeed. */
static void
dial_ok(const char *host, int family)
{
	struct listener l;
	cx_sctp_assoc_t id = -1, recorded = 0;
	char port[8];
	int fd, gai = -1, acc;

	ck_assert_int_eq(tu_listen(&l, family, 8), 0);
	port_text(&l, port, sizeof(port));
	fd = cx_dial(host, port, SOCK_STREAM, NULL, &id, &gai);
	ck_assert_msg(fd >= 0, "cx_dial %s %s: %s", host, port,
	    strerror(errno));
	ck_assert_int_eq(gai, 0);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(cx_getassocid(fd, &recorded), 0);
	ck_assert_int_eq(recorded, id);
	assert_peer(fd, &l, family);
	ck_assert_int_ge(acc = tu_accept(&l, 1000), 0);
	close(acc);
	close(fd);
	close(l.fd);
}

START_TEST(dial_numeric_ipv4)
{
	dial_ok("127.0.0.1", AF_INET);
}
END_TEST

START_TEST(dial_numeric_ipv6)
{
	dial_ok("::1", AF_INET6);
}
END_TEST

START_TEST(dial_localhost)
{
	dial_ok("localhost", AF_INET);
}
END_TEST

/* A service name of /etc/services whose port is free on 127.0.0.1. */
static const char *
bindable_service(struct listener *l)
{
	static const char *names[] = { "http-alt", "x11", "postgresql",
	    "mysql", "webcache", "ircd" };
	struct sockaddr_in sin;
	struct servent *se;
	size_t i;
	int one = 1;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((se = getservbyname(names[i], "tcp")) == NULL)
			continue;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = (in_port_t)se->s_port;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(l->fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
		    listen(l->fd, 8) == 0) {
			memcpy(&l->addr, &sin, sizeof(sin));
			l->addrlen = sizeof(sin);
			return names[i];
		}
		close(l->fd);
	}
	return NULL;
}

START_TEST(dial_service_name)
{
	struct listener l;
	const char *service = bindable_service(&l);
	int fd, gai;

	if (service == NULL) {
		fprintf(stderr, "dial_service_name: no usable service name in "
		    "/etc/services; not run\n");
		return;
	}
	fd = cx_dial("127.0.0.1", service, SOCK_STREAM, NULL, NULL, &gai);
	ck_assert_msg(fd >= 0, "cx_dial 127.0.0.1 %s: %s", service,
	    strerror(errno));
	assert_peer(fd, &l, AF_INET);
	close(fd);
	close(l.fd);
}
END_TEST

START_TEST(dial_unknown_service_is_a_resolver_failure)
{
	int fds = tu_count_fds(), gai = 0;

	errno = 0;
	ck_assert_int_eq(cx_dial("127.0.0.1", "no-such-service-cx", SOCK_STREAM,
	    NULL, NULL, &gai), -1);
	ck_assert_msg(gai == EAI_SERVICE || gai == EAI_NONAME,
	    "gai %d (%s)", gai, gai_strerror(gai));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(tu_count_fds(), fds);
}
END_TEST

/*
 * A program that takes its port from a user ("70000", "+80", "") must be
 * told the service is bad, never be connected to another port:
 * cx_dial(3) ERRORS, ENOENT with EAI_SERVICE.  getaddrinfo alone wraps
 * P + 65536 onto P and takes "", " P" and "+P" as numbers.
 */
START_TEST(dial_port_out_of_range_is_refused)
{
	struct listener l;
	char bad[8][16];
	unsigned int p;
	size_t i;
	int fds, gai;

	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	p = tu_port_of(&l.addr);
	snprintf(bad[0], sizeof(bad[0]), "%u", p + 65536);
	snprintf(bad[1], sizeof(bad[1]), "%u", p + 4 * 65536);
	snprintf(bad[2], sizeof(bad[2]), "+%u", p);
	snprintf(bad[3], sizeof(bad[3]), " %u", p);
	snprintf(bad[4], sizeof(bad[4]), "%u ", p);
	snprintf(bad[5], sizeof(bad[5]), "%ux", p);
	snprintf(bad[6], sizeof(bad[6]), "-%u", 65536 - p);
	bad[7][0] = '\0';
	fds = tu_count_fds();
	for (i = 0; i < 8; i++) {
		gai = 0;
		errno = 0;
		ck_assert_msg(cx_dial("127.0.0.1", bad[i], SOCK_STREAM, NULL,
		    NULL, &gai) == -1, "service \"%s\" was dialled", bad[i]);
		ck_assert_int_eq(errno, ENOENT);
		ck_assert_msg(gai == EAI_SERVICE, "service \"%s\": gai %d (%s)",
		    bad[i], gai, gai_strerror(gai));
		ck_assert_int_eq(tu_count_fds(), fds);
	}
	tu_assert_no_connection(&l);
	close(l.fd);
}
END_TEST

/* 65535 is a port: the range ends there, it is not cut short. */
START_TEST(dial_port_65535_is_a_port)
{
	struct sockaddr_in sin;
	struct listener l;
	int fd, one = 1, gai = -1, acc;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(65535);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(l.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l.fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(l.fd, 8) != 0) {
		fprintf(stderr, "dial_port_65535_is_a_port: port 65535 is "
		    "taken; not run\n");
		close(l.fd);
		return;
	}
	memcpy(&l.addr, &sin, sizeof(sin));
	l.addrlen = sizeof(sin);
	fd = cx_dial("127.0.0.1", "65535", SOCK_STREAM, NULL, NULL, &gai);
	ck_assert_msg(fd >= 0, "cx_dial 127.0.0.1 65535: %s", strerror(errno));
	assert_peer(fd, &l, AF_INET);
	ck_assert_int_ge(acc = tu_accept(&l, 1000), 0);
	close(acc);
	close(fd);
	close(l.fd);
}
END_TEST

/*
 * .invalid never resolves (RFC 6761); with no network here the resolver
 * answers "no such name" or "try again".  Either way a resolver failure,
 * not a connect errno.
 */
START_TEST(dial_invalid_name_is_a_resolver_failure)
{
	cx_sctp_assoc_t id = -1;
	int fds = tu_count_fds(), gai = 0;

	ck_assert_int_eq(cx_dial("no-such-host.invalid", "80", SOCK_STREAM,
	    NULL, &id, &gai), -1);
	ck_assert_msg(gai == EAI_NONAME || gai == EAI_AGAIN ||
	    gai == EAI_NODATA || gai == EAI_FAIL, "gai %d (%s)", gai,
	    gai_strerror(gai));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(id, 0);
	ck_assert_int_eq(tu_count_fds(), fds);
}
END_TEST

START_TEST(dial_refused_is_a_connect_failure)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char port[8];
	int fds = tu_count_fds(), gai = -1;

	tu_refused(&ss, &len, AF_INET);
	snprintf(port, sizeof(port), "%u",
	    ntohs(((struct sockaddr_in *)&ss)->sin_port));
	ck_assert_int_eq(cx_dial("127.0.0.1", port, SOCK_STREAM, NULL, NULL,
	    &gai), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_int_eq(gai, 0);
	ck_assert_int_eq(tu_count_fds(), fds);
}
END_TEST

START_TEST(dial_bad_policy)
{
	struct cx_dial_opts opts;
	int fds = tu_count_fds(), gai = -1;

	memset(&opts, 0, sizeof(opts));
	opts.cd_attempt_delay_ms = 5;	/* below 10 */
	ck_assert_int_eq(cx_dial("127.0.0.1", "9", SOCK_STREAM, &opts, NULL,
	    &gai), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(gai, 0);
	ck_assert_int_eq(tu_count_fds(), fds);
}
END_TEST

START_TEST(dial_policy_and_source)
{
	struct cx_dial_opts opts;
	struct sockaddr_in src, local;
	struct listener l;
	socklen_t len = sizeof(local);
	char port[8];
	long delay = 0;
	int fd;

	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	port_text(&l, port, sizeof(port));
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&opts, 0, sizeof(opts));
	opts.cd_srcaddr = (struct sockaddr *)&src;
	opts.cd_srcaddrlen = sizeof(src);
	opts.cd_attempt_delay_ms = 40;
	fd = cx_dial("localhost", port, SOCK_STREAM, &opts, NULL, NULL);
	ck_assert_msg(fd >= 0, "cx_dial: %s", strerror(errno));
	ck_assert_int_eq(cx_getopt(fd, CX_OPT_ATTEMPT_DELAY_MS, &delay), 0);
	ck_assert_int_eq(delay, 40);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&local, &len), 0);
	ck_assert_int_eq(local.sin_family, AF_INET);
	ck_assert_uint_eq(ntohl(local.sin_addr.s_addr), INADDR_LOOPBACK);
	close(fd);
	close(l.fd);
}
END_TEST

START_TEST(dial_bad_type)
{
	int gai = -1;

	ck_assert_int_eq(cx_dial("127.0.0.1", "80", SOCK_RAW, NULL, NULL,
	    &gai), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(gai, 0);
	ck_assert_int_eq(cx_dial("127.0.0.1", "80", SOCK_STREAM | 0x4000000,
	    NULL, NULL, &gai), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* An IPv4 literal asked for as IPv6: the resolver says no. */
START_TEST(dial_family_mismatch_is_a_resolver_failure)
{
	struct cx_dial_opts opts;
	int gai = 0;

	memset(&opts, 0, sizeof(opts));
	opts.cd_family = AF_INET6;
	ck_assert_int_eq(cx_dial("127.0.0.1", "80", SOCK_STREAM, &opts, NULL,
	    &gai), -1);
	ck_assert_int_ne(gai, 0);
}
END_TEST

START_TEST(dial_nonblocking)
{
	struct listener l;
	struct pollfd pfd;
	cx_sctp_assoc_t id = 0, recorded = 0;
	char port[8];
	int fd, r, wait_ms = -1;

	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	port_text(&l, port, sizeof(port));
	fd = cx_dial("127.0.0.1", port, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, NULL, &id, NULL);
	ck_assert_msg(fd >= 0, "cx_dial: %s", strerror(errno));
	ck_assert_int_gt(id, 0);
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	do {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		poll(&pfd, 1, wait_ms);
	} while ((r = cx_step(fd, &wait_ms)) == -1 && errno == EINPROGRESS);
	ck_assert_msg(r == 0, "cx_step: %s", strerror(errno));
	ck_assert_int_eq(cx_getassocid(fd, &recorded), 0);
	ck_assert_int_eq(recorded, id);
	assert_peer(fd, &l, AF_INET);
	close(fd);
	close(l.fd);
}
END_TEST

START_TEST(dial_udp)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char port[8], buf[8];
	int peer, fd;

	peer = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(peer, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(peer, (struct sockaddr *)&sin, &len), 0);
	snprintf(port, sizeof(port), "%u", ntohs(sin.sin_port));
	fd = cx_dial("127.0.0.1", port, SOCK_DGRAM, NULL, NULL, NULL);
	ck_assert_msg(fd >= 0, "cx_dial: %s", strerror(errno));
	ck_assert_int_eq(send(fd, "ping", 4, 0), 4);
	ck_assert_int_eq(recv(peer, buf, sizeof(buf), 0), 4);
	close(fd);
	close(peer);
}
END_TEST

static Suite *
dial_suite(void)
{
	Suite *s = suite_create("cx_dial");
	TCase *order = tcase_create("order");
	TCase *dial = tcase_create("dial");

	tcase_add_test(order, order_interleaves_families);
	tcase_add_test(order, order_skips_other_families);
	tcase_add_test(order, pack_maps_ipv4_on_a_mixed_list);
	tcase_add_test(order, pack_ipv4_socket_leaves_ipv6_out);
	tcase_add_test(dial, dial_numeric_ipv4);
	tcase_add_test(dial, dial_numeric_ipv6);
	tcase_add_test(dial, dial_localhost);
	tcase_add_test(dial, dial_service_name);
	tcase_add_test(dial, dial_unknown_service_is_a_resolver_failure);
	tcase_add_test(dial, dial_port_out_of_range_is_refused);
	tcase_add_test(dial, dial_port_65535_is_a_port);
	tcase_add_test(dial, dial_invalid_name_is_a_resolver_failure);
	tcase_add_test(dial, dial_refused_is_a_connect_failure);
	tcase_add_test(dial, dial_bad_policy);
	tcase_add_test(dial, dial_policy_and_source);
	tcase_add_test(dial, dial_bad_type);
	tcase_add_test(dial, dial_family_mismatch_is_a_resolver_failure);
	tcase_add_test(dial, dial_nonblocking);
	tcase_add_test(dial, dial_udp);
	tcase_set_timeout(dial, 30);
	suite_add_tcase(s, order);
	suite_add_tcase(s, dial);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dial_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
