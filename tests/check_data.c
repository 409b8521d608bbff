/*
 * Data given to connectx(2) on TCP (connectx(2), Data and flags: *len
 * and *connid): it reaches the peer that accepted exactly once, after
 * earlier addresses failed; *len is exactly what the kernel took; a
 * non-blocking socket sends nothing (HACKING.md).  Loopback only.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
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

#define D_MS		100
#define LARGE		(8u << 20)	/* 8 MiB */

static int
connectx_iov(int fd, const struct tu_dlist *d, const struct iovec *iov,
    unsigned int iovcnt, size_t *len, sae_connid_t *cid)
{
	unsigned char buf[TU_MAXDEST * sizeof(struct sockaddr_storage)];
	sa_endpoints_t ep;

	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (const struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, d->a, d->l, d->n);
	return connectx(fd, &ep, SAE_ASSOCID_ANY, 0, iov, iovcnt, len, cid);
}

/*
 * Everything the connection at a carries until EOF (the client shuts its
 * side down first), at most cap bytes, in buf; its length.
 */
static size_t
read_to_eof(int a, unsigned char *buf, size_t cap)
{
	struct pollfd p = { .fd = a, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	for (;;) {
		ck_assert_msg(poll(&p, 1, 2000) == 1, "peer: no EOF after %zu bytes", got);
		n = recv(a, buf + got, cap - got, MSG_DONTWAIT);
		if (n == 0)
			return got;
		if (n < 0) {
			ck_assert_int_eq(errno, EAGAIN);
			continue;
		}
		got += (size_t)n;
		ck_assert_msg(got < cap, "peer received more than %zu bytes", cap);
	}
}

START_TEST(test_data_reaches_the_live_peer_exactly_once_after_failed_addresses)
{
	static const char msg[] = "exactly once, after failover\n";
	struct listener live;
	struct blackhole bh;
	struct tu_dlist d = { .n = 0 };
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = sizeof(msg) - 1 };
	unsigned char buf[256];
	sae_connid_t cid = 0;
	size_t len = 999;
	int fd, a;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 4), 0);
	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add(&d, &bh.l.addr, bh.l.addrlen);
	tu_dl_add(&d, &live.addr, live.addrlen);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, D_MS), 0);

	ck_assert_int_eq(connectx_iov(fd, &d, &iov, 1, &len, &cid), 0);
	ck_assert_uint_eq(len, sizeof(msg) - 1);
	ck_assert_uint_eq(cid, 1);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 2);

	a = tu_accept(&live, 1000);
	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	ck_assert_uint_eq(read_to_eof(a, buf, sizeof(buf)), sizeof(msg) - 1);
	ck_assert_mem_eq(buf, msg, sizeof(msg) - 1);
	/* The live listener had that one connection only. */
	ck_assert_int_eq(tu_accept(&live, 100), -1);
	close(a);
	close(fd);
	tu_blackhole_close(&bh);
	close(live.fd);
}
END_TEST

START_TEST(test_failed_connect_with_data_writes_len_zero_and_connid_zero)
{
	struct tu_dlist d = { .n = 0 };
	struct iovec iov = { .iov_base = (void *)"lost", .iov_len = 4 };
	sae_connid_t cid = 77;
	size_t len = 999;
	int fd;

	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add_refused(&d, AF_INET);
	fd = tu_tcp_socket(AF_INET, 0);
	errno = 0;
	ck_assert_int_eq(connectx_iov(fd, &d, &iov, 1, &len, &cid), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(cid, 0);
	close(fd);
}
END_TEST

START_TEST(test_three_buffers_arrive_in_order_as_one_stream)
{
	struct listener live;
	struct tu_dlist d = { .n = 0 };
	struct iovec iov[3] = {
		{ .iov_base = (void *)"first|", .iov_len = 6 },
		{ .iov_base = (void *)"second|", .iov_len = 7 },
		{ .iov_base = (void *)"third", .iov_len = 5 },
	};
	unsigned char buf[64];
	sae_connid_t cid = 0;
	size_t len = 0;
	int fd, a;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 4), 0);
	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add(&d, &live.addr, live.addrlen);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(connectx_iov(fd, &d, iov, 3, &len, &cid), 0);
	ck_assert_uint_eq(len, 18);
	ck_assert_uint_eq(cid, 1);
	a = tu_accept(&live, 1000);
	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	ck_assert_uint_eq(read_to_eof(a, buf, sizeof(buf)), 18);
	ck_assert_mem_eq(buf, "first|second|third", 18);
	close(a);
	close(fd);
	close(live.fd);
}
END_TEST

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 31 + (i >> 11));
}

START_TEST(test_data_larger_than_send_buffer_queues_what_fits_and_says_how_much)
{
	struct listener live;
	struct tu_dlist d = { .n = 0 };
	struct iovec iov;
	unsigned char *data, *got;
	size_t len = 0, sent, rcvd = 0, i;
	sae_connid_t cid = 0;
	struct pollfd p[2];
	int fd, a, small = 64 * 1024;
	ssize_t n;
	bool shut = false;

	data = malloc(LARGE);
	got = malloc(LARGE + 1);
	ck_assert_ptr_nonnull(data);
	ck_assert_ptr_nonnull(got);
	for (i = 0; i < LARGE; i++)
		data[i] = pattern(i);
	ck_assert_int_eq(tu_listen(&live, AF_INET, 4), 0);
	/* Small buffers on both sides, so 8 MiB cannot all be taken at once. */
	ck_assert_int_eq(setsockopt(live.fd, SOL_SOCKET, SO_RCVBUF, &small,
	    sizeof(small)), 0);
	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add(&d, &live.addr, live.addrlen);
	fd = tu_tcp_socket(AF_INET, 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	iov.iov_base = data;
	iov.iov_len = LARGE;

	ck_assert_int_eq(connectx_iov(fd, &d, &iov, 1, &len, &cid), 0);
	ck_assert_uint_eq(cid, 1);
	ck_assert_msg(len > 0 && len < LARGE, "*len = %zu of %u", len, LARGE);
	/* The caller's socket is blocking again. */
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);

	/* The peer receives exactly *len bytes before the client sends more. */
	a = tu_accept(&live, 1000);
	ck_assert_int_ge(a, 0);
	p[0].fd = a;
	p[0].events = POLLIN;
	while (rcvd < len) {
		ck_assert_msg(poll(p, 1, 1000) == 1, "peer stalled at %zu of %zu",
		    rcvd, len);
		n = recv(a, got + rcvd, LARGE + 1 - rcvd, MSG_DONTWAIT);
		ck_assert_int_gt(n, 0);
		rcvd += (size_t)n;
	}
	ck_assert_uint_eq(rcvd, len);
	ck_assert_int_eq(poll(p, 1, 200), 0);
	ck_assert_mem_eq(got, data, len);

	/* The application sends the rest; the stream is whole and in order. */
	sent = len;
	ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	p[1].fd = fd;
	while (!shut || rcvd < LARGE) {
		p[0].events = POLLIN;
		p[1].events = shut ? 0 : POLLOUT;
		ck_assert_int_gt(poll(p, 2, 2000), 0);
		if (!shut && (p[1].revents & POLLOUT)) {
			n = send(fd, data + sent, LARGE - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			if (sent == LARGE) {
				ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
				shut = true;
			}
		}
		if (p[0].revents & POLLIN) {
			n = recv(a, got + rcvd, LARGE + 1 - rcvd, MSG_DONTWAIT);
			ck_assert_int_ge(n, 0);
			if (n == 0)
				break;
			rcvd += (size_t)n;
		}
	}
	ck_assert_uint_eq(rcvd, LARGE);
	for (i = 0; i < LARGE; i++)
		if (got[i] != data[i])
			ck_abort_msg("byte %zu differs", i);
	close(a);
	close(fd);
	close(live.fd);
	free(data);
	free(got);
}
END_TEST

START_TEST(test_nonblocking_connect_with_data_sends_nothing_until_the_app_writes)
{
	struct listener live;
	struct tu_dlist d = { .n = 0 };
	struct iovec iov = { .iov_base = (void *)"early", .iov_len = 5 };
	struct pollfd p;
	unsigned char buf[16];
	sae_connid_t cid = 77;
	size_t len = 999;
	int fd, a, rc, wait_ms = 0, steps = 0;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 4), 0);
	tu_dl_add_refused(&d, AF_INET);
	tu_dl_add(&d, &live.addr, live.addrlen);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	errno = 0;
	ck_assert_int_eq(connectx_iov(fd, &d, &iov, 1, &len, &cid), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(cid, 0);

	for (;;) {
		p.fd = fd;
		p.events = POLLOUT;
		ck_assert_int_ge(poll(&p, 1, wait_ms), 0);
		errno = 0;
		rc = cx_step(fd, &wait_ms);
		if (rc == 0)
			break;
		ck_assert_msg(errno == EINPROGRESS, "cx_step: %s", strerror(errno));
		ck_assert_int_lt(++steps, 100);
	}
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);

	a = tu_accept(&live, 1000);
	ck_assert_int_ge(a, 0);
	p.fd = a;
	p.events = POLLIN;
	ck_assert_msg(poll(&p, 1, 200) == 0, "data arrived before the app wrote");

	ck_assert_int_eq(send(fd, "later", 5, MSG_NOSIGNAL), 5);
	ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	ck_assert_uint_eq(read_to_eof(a, buf, sizeof(buf)), 5);
	ck_assert_mem_eq(buf, "later", 5);
	close(a);
	close(fd);
	close(live.fd);
}
END_TEST

static Suite *
data_suite(void)
{
	Suite *s = suite_create("data");
	TCase *tc;

	tc = tcase_create("data");
	tcase_set_timeout(tc, 15);
	tcase_add_test(tc, test_data_reaches_the_live_peer_exactly_once_after_failed_addresses);
	tcase_add_test(tc, test_failed_connect_with_data_writes_len_zero_and_connid_zero);
	tcase_add_test(tc, test_three_buffers_arrive_in_order_as_one_stream);
	tcase_add_test(tc, test_data_larger_than_send_buffer_queues_what_fits_and_says_how_much);
	tcase_add_test(tc, test_nonblocking_connect_with_data_sends_nothing_until_the_app_writes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	unsetenv("CX_ATTEMPT_DELAY_MS");
	sr = srunner_create(data_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
