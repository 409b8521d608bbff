/*
 * Data at connect time, verified on the wire (connectx(2), Data and flags).
 *
 * Runs in a network namespace of its own (root; skips with 77 otherwise),
 * where net.ipv4.tcp_fastopen can be set freely and tcpdump on lo sees only
 * this test's packets.  The capture answers the question that matters: did
 * the SYN carry the data?
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/wait.h>

#include <check.h>

#include "connectx.h"
#include "testutil.h"

#define SKIP 77


static int
write_file(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (f == NULL)
		return -1;
	ok = fputs(value, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Set the namespace's fast open mode and forget every cached cookie. */
static void
set_fastopen(const char *value)
{
	ck_assert_int_eq(write_file("/proc/sys/net/ipv4/tcp_fastopen", value), 0);
	ck_assert_int_eq(system("ip tcp_metrics flush all 2>/dev/null; true"), 0);
}

/* A fast open listener on 127.0.0.1 (server side enabled by the sysctl). */
static void
fastopen_listener(struct listener *l)
{
	int qlen = 16;

	ck_assert_int_eq(tu_listen(l, AF_INET, 16), 0);
	ck_assert_int_eq(setsockopt(l->fd, IPPROTO_TCP, TCP_FASTOPEN, &qlen,
	    sizeof(qlen)), 0);
}

/* ---- packet capture ------------------------------------------------------ */

struct capture {
	pid_t	pid;
	char	file[64];
};

static void
capture_start(struct capture *c, uint16_t port)
{
	char filter[64];
	int pipefd[2], n;
	char buf[256];

	snprintf(c->file, sizeof(c->file), "/tmp/cx-fastopen-%d.pcap", (int)getpid());
	snprintf(filter, sizeof(filter), "tcp port %u", port);
	ck_assert_int_eq(pipe(pipefd), 0);
	if ((c->pid = fork()) == 0) {
		dup2(pipefd[1], 2);
		/* Immediate mode: without it this kernel's capture ring holds packets back. */
		execlp("tcpdump", "tcpdump", "-Z", "root", "-i", "lo", "-nn",
		    "--immediate-mode", "-U", "-w", c->file, filter, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	/* Ready once it says it is listening. */
	n = (int)read(pipefd[0], buf, sizeof(buf) - 1);
	close(pipefd[0]);
	ck_assert_msg(n > 0, "tcpdump did not start");
	usleep(300000);
}

/* Payload lengths of the capture's SYNs (not SYN-ACKs), in order. */
static int
capture_syn_lengths(struct capture *c, int *len, int max)
{
	char cmd[256], line[512];
	FILE *p;
	int n = 0;
	char *at;

	usleep(200000);
	kill(c->pid, SIGINT);
	waitpid(c->pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "tcpdump -r %s -nn "
	    "'tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0' "
	    "2>/dev/null", c->file);
	ck_assert((p = popen(cmd, "r")) != NULL);
	while (n < max && fgets(line, sizeof(line), p) != NULL)
		if ((at = strstr(line, "length ")) != NULL)
			len[n++] = atoi(at + 7);
	pclose(p);
	unlink(c->file);
	return n;
}

/* ---- helpers ------------------------------------------------------------- */

static int
connectx_data(int fd, const struct sockaddr_storage *a, socklen_t alen,
    unsigned int flags, const char *data, size_t *len)
{
	sa_endpoints_t ep = { 0 };
	struct iovec iov = { (void *)(uintptr_t)data, data ? strlen(data) : 0 };

	ep.sae_dstaddr = (const struct sockaddr *)a;
	ep.sae_dstaddrlen = alen;
	return connectx(fd, &ep, SAE_ASSOCID_ANY, flags, data ? &iov : NULL,
	    data ? 1 : 0, len, NULL);
}

/* Everything the server reads on one accepted connection, until EOF. */
static size_t
read_all(const struct listener *l, char *buf, size_t max)
{
	int c = tu_accept(l, 2000);
	size_t got = 0;
	ssize_t n;

	ck_assert_int_ge(c, 0);
	while (got < max && (n = read(c, buf + got, max - got)) > 0)
		got += (size_t)n;
	close(c);
	buf[got] = '\0';
	return got;
}

static uint16_t
port_of(const struct listener *l)
{
	return ntohs(((const struct sockaddr_in *)&l->addr)->sin_port);
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(test_second_connect_carries_the_data_in_its_syn)
{
	struct listener l;
	struct capture cap;
	char got[64];
	size_t len = 99;
	int fd, syn[4], n;

	set_fastopen("3");
	fastopen_listener(&l);
	capture_start(&cap, port_of(&l));
	/* First: no cookie yet; a plain SYN asks for one, data after the handshake. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connectx_data(fd, &l.addr, l.addrlen,
	    CONNECT_DATA_IDEMPOTENT, "first", &len), 0);
	ck_assert_uint_eq(len, 5);
	close(fd);
	ck_assert_uint_eq(read_all(&l, got, sizeof(got) - 1), 5);
	ck_assert_str_eq(got, "first");
	/* Second: the cookie is cached; the SYN carries the data. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connectx_data(fd, &l.addr, l.addrlen,
	    CONNECT_DATA_IDEMPOTENT, "second", &len), 0);
	ck_assert_uint_eq(len, 6);
	close(fd);
	ck_assert_uint_eq(read_all(&l, got, sizeof(got) - 1), 6);
	ck_assert_str_eq(got, "second");	/* once, not twice */

	n = capture_syn_lengths(&cap, syn, 4);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(syn[0], 0);
	ck_assert_int_eq(syn[1], 6);
	close(l.fd);
}
END_TEST

START_TEST(test_authenticated_first_syn_carries_data_without_cookie)
{
	struct listener l;
	struct capture cap;
	char got[64];
	size_t len = 0;
	int fd, syn[4];

	/* Client and server on, server accepts data without a cookie (0x200). */
	set_fastopen("515");
	fastopen_listener(&l);
	capture_start(&cap, port_of(&l));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connectx_data(fd, &l.addr, l.addrlen,
	    CONNECT_DATA_IDEMPOTENT | CONNECT_DATA_AUTHENTICATED, "nocookie", &len), 0);
	ck_assert_uint_eq(len, 8);
	close(fd);
	ck_assert_uint_eq(read_all(&l, got, sizeof(got) - 1), 8);
	ck_assert_str_eq(got, "nocookie");
	ck_assert_int_eq(capture_syn_lengths(&cap, syn, 4), 1);
	ck_assert_int_eq(syn[0], 8);
	close(l.fd);
}
END_TEST

START_TEST(test_resume_returns_at_once_and_the_first_write_rides_the_syn)
{
	struct listener l;
	struct capture cap;
	struct pollfd pfd;
	char got[64];
	double t0;
	int fd, syn[4];

	set_fastopen("3");
	fastopen_listener(&l);
	/* Fetch a cookie first. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connectx_data(fd, &l.addr, l.addrlen,
	    CONNECT_DATA_IDEMPOTENT, "x", &(size_t){0}), 0);
	close(fd);
	read_all(&l, got, sizeof(got) - 1);

	capture_start(&cap, port_of(&l));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	t0 = tu_now_ms();
	ck_assert_int_eq(connectx_data(fd, &l.addr, l.addrlen,
	    CONNECT_RESUME_ON_READ_WRITE | CONNECT_DATA_IDEMPOTENT, NULL, NULL), 0);
	/*
	 * "At once": no handshake is waited for.  On loopback one takes less
	 * than any bound here, so the capture below is what shows it (no SYN
	 * until the write); the time is the library's own speed, slack
	 * widened where programs run slowly (tu_margin_ms).
	 */
	ck_assert_msg(tu_now_ms() - t0 < tu_margin_ms(50), "connectx took %.0f ms",
	    tu_now_ms() - t0);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	ck_assert(pfd.revents & POLLOUT);
	ck_assert_int_eq(write(fd, "resumed", 7), 7);
	close(fd);
	ck_assert_uint_eq(read_all(&l, got, sizeof(got) - 1), 7);
	ck_assert_str_eq(got, "resumed");
	ck_assert_int_eq(capture_syn_lengths(&cap, syn, 4), 1);
	ck_assert_int_eq(syn[0], 7);	/* no SYN until the write, and it carried it */
	close(l.fd);
}
END_TEST

START_TEST(test_resume_without_fast_open_still_connects_by_the_first_write)
{
	struct listener l;
	char got[64];
	int fd;

	set_fastopen("0");
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connectx_data(fd, &l.addr, l.addrlen,
	    CONNECT_RESUME_ON_READ_WRITE, NULL, NULL), 0);
	ck_assert_int_eq(write(fd, "plain", 5), 5);
	close(fd);
	ck_assert_uint_eq(read_all(&l, got, sizeof(got) - 1), 5);
	ck_assert_str_eq(got, "plain");
	close(l.fd);
}
END_TEST

START_TEST(test_fast_open_off_is_a_plain_connect_and_send_never_an_error)
{
	struct listener l;
	struct capture cap;
	char got[64];
	size_t len = 0;
	int fd, syn[4];

	set_fastopen("0");
	ck_assert_int_eq(tu_listen(&l, AF_INET, 8), 0);
	capture_start(&cap, port_of(&l));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connectx_data(fd, &l.addr, l.addrlen,
	    CONNECT_DATA_IDEMPOTENT | CONNECT_DATA_AUTHENTICATED, "plainly", &len), 0);
	ck_assert_uint_eq(len, 7);
	close(fd);
	ck_assert_uint_eq(read_all(&l, got, sizeof(got) - 1), 7);
	ck_assert_str_eq(got, "plainly");
	ck_assert_int_eq(capture_syn_lengths(&cap, syn, 4), 1);
	ck_assert_int_eq(syn[0], 0);	/* no data in the SYN: after the handshake */
	close(l.fd);
}
END_TEST

START_TEST(test_failover_with_fast_open_data_delivers_it_exactly_once)
{
	struct listener live;
	struct blackhole bh;
	struct sockaddr_storage a[3];
	socklen_t al[3];
	unsigned char buf[3 * sizeof(struct sockaddr_in)];
	sa_endpoints_t ep = { 0 };
	struct iovec iov = { "exactly-once", 12 };
	char got[64];
	size_t len;
	int fd, round;

	set_fastopen("3");
	fastopen_listener(&live);
	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	tu_refused(&a[0], &al[0], AF_INET);
	a[1] = bh.l.addr; al[1] = bh.l.addrlen;
	a[2] = live.addr; al[2] = live.addrlen;
	ep.sae_dstaddr = (struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, a, al, 3);
	/* Round 0 without a cookie, round 1 with: data after, then in, the SYN. */
	for (round = 0; round < 2; round++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, 50);
		len = 0;
		ck_assert_int_eq(connectx(fd, &ep, 0, CONNECT_DATA_IDEMPOTENT, &iov, 1,
		    &len, NULL), 0);
		ck_assert_uint_eq(len, 12);
		close(fd);
		ck_assert_uint_eq(read_all(&live, got, sizeof(got) - 1), 12);
		ck_assert_str_eq(got, "exactly-once");
		ck_assert_int_eq(tu_accept(&live, 100), -1);	/* nothing else */
	}
	tu_blackhole_close(&bh);
	close(live.fd);
}
END_TEST

/* Non-blocking: *len is what the SYN took (0 without a cookie), owed after. */
static size_t
nonblocking_len(const struct listener *l, const struct sockaddr_storage *first,
    socklen_t firstlen, char *got, size_t max)
{
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[2 * sizeof(struct sockaddr_in)];
	sa_endpoints_t ep = { 0 };
	static char iov_data[] = "nonblocking";
	struct iovec iov = { iov_data, 11 };
	size_t len = 99;
	int fd, r, wait_ms, n = 0;

	a[n] = *first; al[n++] = firstlen;
	if (first != &l->addr) {
		a[n] = l->addr;
		al[n++] = l->addrlen;
	}
	ep.sae_dstaddr = (struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, a, al, n);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connectx(fd, &ep, 0, CONNECT_DATA_IDEMPOTENT, &iov, 1, &len, NULL);
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	do {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		poll(&p, 1, 1000);
		r = cx_step(fd, &wait_ms);
	} while (r == -1 && errno == EINPROGRESS);
	ck_assert_int_eq(r, 0);
	/* The application sends what *len says was not sent. */
	if (len < 11)
		ck_assert_int_eq(write(fd, &iov_data[len], 11 - len), (ssize_t)(11 - len));
	close(fd);
	ck_assert_uint_eq(read_all(l, got, max), 11);
	return len;
}

START_TEST(test_nonblocking_len_with_and_without_cookie)
{
	struct listener l;
	struct sockaddr_storage refused;
	socklen_t rlen;
	char got[64];

	set_fastopen("3");
	fastopen_listener(&l);
	ck_assert_uint_eq(nonblocking_len(&l, &l.addr, l.addrlen, got, 63), 0);
	ck_assert_str_eq(got, "nonblocking");
	ck_assert_uint_eq(nonblocking_len(&l, &l.addr, l.addrlen, got, 63), 11);
	ck_assert_str_eq(got, "nonblocking");
	/* The attempt that took the data is refused; the winner delivers it once. */
	tu_refused(&refused, &rlen, AF_INET);
	ck_assert_uint_le(nonblocking_len(&l, &refused, rlen, got, 63), 11);
	ck_assert_str_eq(got, "nonblocking");
	close(l.fd);
}
END_TEST


/* ---- verdicts (HACKING.md, Verdicts) ------------------------------------- */

/* A cookie for 127.0.0.1: the kernel keys it by the address, not the port. */
static void
fetch_cookie(const struct listener *l)
{
	char got[16];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_eq(connectx_data(fd, &l->addr, l->addrlen,
	    CONNECT_DATA_IDEMPOTENT, "c", &(size_t){0}), 0);
	close(fd);
	read_all(l, got, sizeof(got) - 1);
}

static int
fastopen_connect_opt(int fd)
{
	int v = -1;
	socklen_t len = sizeof(v);

	getsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &v, &len);
	return v;
}

/* [dead A, live B] on a socket that would skip the handshake: B wins. */
static void
dead_then_live_with_handshakes(int fd, struct listener *live)
{
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char buf[2 * sizeof(struct sockaddr_in)];
	sa_endpoints_t ep = { 0 };
	struct cx_attempt *att;
	cx_sctp_assoc_t id;
	char got[16];

	tu_refused(&a[0], &al[0], AF_INET);	/* 127.0.0.1: the cookie applies */
	a[1] = live->addr;
	al[1] = live->addrlen;
	ep.sae_dstaddr = (struct sockaddr *)buf;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(buf, a, al, 2);
	ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL,
	    NULL), 0);
	ck_assert_int_eq(tu_tcp_state(fd), TCP_ESTABLISHED);
	ck_assert_int_eq(cx_getassocid(fd, &id), 0);
	ck_assert_int_eq(cx_getpeerindex(fd, id), 1);
	ck_assert_int_eq(cx_getattempts(fd, id, &att), 2);
	ck_assert_int_eq(att[0].ca_error, ECONNREFUSED);
	cx_freeattempts(att);
	ck_assert_int_eq(fastopen_connect_opt(fd), 0);
	ck_assert_int_eq(write(fd, "to-b", 4), 4);
	close(fd);
	ck_assert_uint_eq(read_all(live, got, sizeof(got) - 1), 4);
	ck_assert_str_eq(got, "to-b");
}

START_TEST(test_user_fastopen_connect_option_still_needs_a_handshake)
{
	struct listener live;
	int fd, one = 1;

	set_fastopen("3");
	fastopen_listener(&live);
	fetch_cookie(&live);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one,
	    sizeof(one)), 0);
	dead_then_live_with_handshakes(fd, &live);
	close(live.fd);
}
END_TEST

START_TEST(test_earlier_deferred_call_leaves_no_fastopen_connect_behind)
{
	struct listener live;
	struct sockaddr_storage unreachable;
	socklen_t ulen;
	int fd;

	set_fastopen("3");
	fastopen_listener(&live);
	fetch_cookie(&live);
	/* This namespace has no route off lo: the deferred connect fails at once. */
	tu_set_v4(&unreachable, &ulen, "192.0.2.1", 80);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connectx_data(fd, &unreachable, ulen,
	    CONNECT_RESUME_ON_READ_WRITE | CONNECT_DATA_IDEMPOTENT, NULL, NULL), -1);
	ck_assert_int_eq(errno, ENETUNREACH);
	ck_assert_int_eq(fastopen_connect_opt(fd), 0);
	ck_assert(!tu_is_connected(fd));
	dead_then_live_with_handshakes(fd, &live);
	close(live.fd);
}
END_TEST

/*
 * curl's --tcp-fastopen on its Darwin branch: a non-blocking socket,
 * connectx(fd, {dst}, SAE_ASSOCID_ANY, CONNECT_RESUME_ON_READ_WRITE |
 * CONNECT_DATA_IDEMPOTENT, NULL, 0, NULL, NULL); on EINPROGRESS wait for
 * writability; read SO_ERROR; send the request.
 */
static int
curl_connect(const struct sockaddr_storage *dst, socklen_t len, int *rc, int *err)
{
	sa_endpoints_t ep = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	ep.sae_dstaddr = (const struct sockaddr *)dst;
	ep.sae_dstaddrlen = len;
	*rc = connectx(fd, &ep, SAE_ASSOCID_ANY, CONNECT_RESUME_ON_READ_WRITE |
	    CONNECT_DATA_IDEMPOTENT, NULL, 0, NULL, NULL);
	*err = errno;
	return fd;
}

static void
wait_writable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	ck_assert_int_eq(poll(&p, 1, 3000), 1);
}

/*
 * One destination, the application's own TCP_FASTOPEN_CONNECT set and a
 * cookie cached for 127.0.0.1, so that connect(2) alone would return 0
 * having sent nothing: connectx(2) still makes a handshake ("Data and
 * flags": an attempt succeeds only after a real handshake; HACKING.md,
 * Verdicts, "No handshake skipped") and turns the option off.  Each row
 * is a socket mode and a destination; the server accepts before anyone
 * writes, which a deferred connect would not let it.
 */
static const struct lone_fastopen_row {
	const char	*name;
	int		 nonblocking;
	int		 refused;	/* the destination: refused, else live */
} lone_fastopen_rows[] = {
	{ "blocking, live",		0, 0 },
	{ "blocking, refused",		0, 1 },
	{ "non-blocking, live",		1, 0 },
	{ "non-blocking, refused",	1, 1 },
};

START_TEST(test_lone_destination_with_user_fastopen_connect_makes_a_handshake)
{
	const struct lone_fastopen_row *row = &lone_fastopen_rows[_i];
	struct listener live;
	struct sockaddr_storage dst;
	socklen_t dlen;
	int fd, c, rc, err, one = 1;

	set_fastopen("3");
	fastopen_listener(&live);
	fetch_cookie(&live);
	if (row->refused)
		tu_refused(&dst, &dlen, AF_INET);	/* 127.0.0.1: the cookie applies */
	else {
		dst = live.addr;
		dlen = live.addrlen;
	}
	fd = socket(AF_INET, SOCK_STREAM | (row->nonblocking ? SOCK_NONBLOCK : 0), 0);
	ck_assert_int_eq(setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one,
	    sizeof(one)), 0);
	rc = connectx_data(fd, &dst, dlen, 0, NULL, NULL);
	err = errno;
	if (row->nonblocking) {
		ck_assert_msg(rc == -1 && err == EINPROGRESS, "%s: rc %d errno %d",
		    row->name, rc, err);
		wait_writable(fd);
		rc = cx_step(fd, NULL);
		err = errno;
	}
	if (row->refused) {
		ck_assert_msg(rc == -1 && err == ECONNREFUSED, "%s: rc %d errno %d",
		    row->name, rc, err);
		ck_assert(!tu_is_connected(fd));
	} else {
		ck_assert_msg(rc == 0, "%s: rc %d errno %d", row->name, rc, err);
		ck_assert_int_eq(tu_tcp_state(fd), TCP_ESTABLISHED);
		ck_assert_int_ge(c = tu_accept(&live, 1000), 0);
		close(c);
	}
	ck_assert_int_eq(fastopen_connect_opt(fd), 0);
	close(fd);
	close(live.fd);
}
END_TEST

static int
so_error_of(int fd)
{
	int e = -1;
	socklen_t len = sizeof(e);

	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len), 0);
	return e;
}

START_TEST(test_curl_sequence_without_cookie_reports_einprogress)
{
	struct listener live;
	struct sockaddr_storage dead;
	socklen_t dlen;
	char got[16];
	int fd, rc, err;

	set_fastopen("3");
	fastopen_listener(&live);
	tu_refused(&dead, &dlen, AF_INET);
	/* First address refuses: the SYN left at once, so EINPROGRESS... */
	fd = curl_connect(&dead, dlen, &rc, &err);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(err, EINPROGRESS);
	wait_writable(fd);
	/* ...and the refusal reaches curl as a failed connect: it falls back. */
	ck_assert_int_eq(so_error_of(fd), ECONNREFUSED);
	ck_assert_int_eq(cx_step(fd, NULL), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert(!tu_is_connected(fd));
	close(fd);
	/* The fallback: still no cookie, the same shape, and it works. */
	fd = curl_connect(&live.addr, live.addrlen, &rc, &err);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(err, EINPROGRESS);
	wait_writable(fd);
	ck_assert_int_eq(so_error_of(fd), 0);
	ck_assert_int_eq(send(fd, "GET", 3, MSG_NOSIGNAL), 3);
	ck_assert_int_eq(cx_step(fd, NULL), 0);
	close(fd);
	ck_assert_uint_eq(read_all(&live, got, sizeof(got) - 1), 3);
	ck_assert_str_eq(got, "GET");
	close(live.fd);
}
END_TEST

START_TEST(test_curl_sequence_with_cookie_defers_and_failure_shows_its_errno)
{
	struct listener live;
	struct sockaddr_storage dead;
	socklen_t dlen;
	struct capture cap;
	struct pollfd p;
	char got[16];
	int fd, rc, err, syn[4];

	set_fastopen("3");
	fastopen_listener(&live);
	fetch_cookie(&live);
	capture_start(&cap, port_of(&live));
	/* Cookie cached: the SYN waits for the first write, which it carries. */
	fd = curl_connect(&live.addr, live.addrlen, &rc, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(so_error_of(fd), 0);
	ck_assert_int_eq(send(fd, "GET", 3, MSG_NOSIGNAL), 3);
	close(fd);
	ck_assert_uint_eq(read_all(&live, got, sizeof(got) - 1), 3);
	ck_assert_str_eq(got, "GET");
	ck_assert_int_eq(capture_syn_lengths(&cap, syn, 4), 1);
	ck_assert_int_eq(syn[0], 3);
	/* A dead port on the same address: the failure shows as ECONNREFUSED. */
	tu_refused(&dead, &dlen, AF_INET);
	fd = curl_connect(&dead, dlen, &rc, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(so_error_of(fd), 0);
	ck_assert_int_eq(send(fd, "GET", 3, MSG_NOSIGNAL), 3);
	p.fd = fd;
	p.events = POLLIN;
	ck_assert_int_eq(poll(&p, 1, 3000), 1);
	ck_assert_int_eq(recv(fd, got, sizeof(got), 0), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);		/* not EPIPE */
	close(fd);
	close(live.fd);
}
END_TEST


/*
 * A non-blocking run whose first attempt's SYN took the data and failed:
 * the winner owes those bytes (connectx(2), Data and flags).  Its send
 * buffer is small and the server does not read yet: cx_step never waits
 * for the bytes to drain and never gives up the connection because of it.
 */
#define OWED_MAX	60000

struct slow_reader {
	const struct listener	*l;
	unsigned char		 buf[OWED_MAX + 16];
	size_t			 got;
	int			 start_ms;
};

static void *
read_later(void *arg)
{
	struct slow_reader *sr = arg;

	usleep((useconds_t)sr->start_ms * 1000);
	sr->got = read_all(sr->l, (char *)sr->buf, sizeof(sr->buf) - 1);
	return NULL;
}

/*
 * The list [refused, live] that leaves a winner owing fast open bytes: a
 * cookie for 127.0.0.1, where the first (refused) address is, so that its
 * SYN takes data; the live listener on 127.0.0.2, for which no cookie is
 * cached, so that the winner's SYN carries none and it owes what the
 * first SYN took.  small_window: the listener takes little at a time
 * (tiny receive buffer), so the owed bytes cannot all go at once.
 */
static void
owed_list(struct listener *live, bool small_window, unsigned char *list,
    sa_endpoints_t *ep)
{
	struct listener cookie;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	int small = 4096, tiny = 1;

	set_fastopen("3");
	fastopen_listener(&cookie);
	fetch_cookie(&cookie);
	close(cookie.fd);
	live->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (small_window)
		ck_assert_int_eq(setsockopt(live->fd, SOL_SOCKET, SO_RCVBUF,
		    &tiny, sizeof(tiny)), 0);
	tu_set_v4(&live->addr, &live->addrlen, "127.0.0.2", 0);
	ck_assert_int_eq(bind(live->fd, (struct sockaddr *)&live->addr,
	    live->addrlen), 0);
	if (small_window)
		ck_assert_int_eq(setsockopt(live->fd, IPPROTO_TCP, TCP_FASTOPEN,
		    &small, sizeof(small)), 0);
	ck_assert_int_eq(listen(live->fd, 16), 0);
	ck_assert_int_eq(getsockname(live->fd, (struct sockaddr *)&live->addr,
	    &live->addrlen), 0);
	tu_refused(&a[0], &al[0], AF_INET);	/* takes the data, then refuses */
	a[1] = live->addr;
	al[1] = live->addrlen;
	memset(ep, 0, sizeof(*ep));
	ep->sae_dstaddr = (struct sockaddr *)list;
	ep->sae_dstaddrlen = (socklen_t)tu_pack(list, a, al, 2);
}

/* A run over owed_list's small-window list with OWED_MAX bytes of data. */
struct owed_run {
	struct listener		 live;
	unsigned char		 list[2 * sizeof(struct sockaddr_in)];
	sa_endpoints_t		 ep;
	struct slow_reader	 sr;
	pthread_t		 t;
	size_t			 len;	/* what connectx reported */
	int			 fd;
};

static unsigned char owed_data[OWED_MAX];

/*
 * Start it: a non-blocking connectx with a small send buffer, EINPROGRESS
 * with some bytes in the first SYN; the live side's reader starts 600 ms
 * on, in a thread.
 */
static void
owed_start(struct owed_run *o)
{
	struct iovec iov = { owed_data, sizeof(owed_data) };
	int small = 4096, r;
	size_t i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < sizeof(owed_data); i++)
		owed_data[i] = (unsigned char)(i * 7 + i / 251);
	owed_list(&o->live, true, o->list, &o->ep);
	o->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_eq(setsockopt(o->fd, SOL_SOCKET, SO_SNDBUF, &small,
	    sizeof(small)), 0);
	r = connectx(o->fd, &o->ep, SAE_ASSOCID_ANY, CONNECT_DATA_IDEMPOTENT,
	    &iov, 1, &o->len, NULL);
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_uint_gt(o->len, 0);	/* the dead address's SYN took some */
	o->sr.start_ms = 600;
	o->sr.l = &o->live;
	ck_assert_int_eq(pthread_create(&o->t, NULL, read_later, &o->sr), 0);
}

/*
 * Once connected: the application sends from byte len on, and the peer
 * gets the data whole, once.
 */
static void
owed_finish(struct owed_run *o)
{
	size_t i;

	for (i = o->len; i < sizeof(owed_data); ) {
		struct pollfd p = { .fd = o->fd, .events = POLLOUT };
		ssize_t n = send(o->fd, owed_data + i, sizeof(owed_data) - i,
		    MSG_NOSIGNAL);

		if (n > 0)
			i += (size_t)n;
		else {
			ck_assert_int_eq(errno, EAGAIN);
			poll(&p, 1, 1000);
		}
	}
	close(o->fd);
	pthread_join(o->t, NULL);
	ck_assert_uint_eq(o->sr.got, sizeof(owed_data));
	ck_assert(memcmp(o->sr.buf, owed_data, sizeof(owed_data)) == 0);
	close(o->live.fd);
}

START_TEST(test_owed_bytes_never_block_cx_step)
{
	struct owed_run o;
	double t0, slowest = 0, first_ready = -1;
	int r, wait_ms = 200, steps = 0;

	/*
	 * The winner owes what the dead address's SYN took, and the server's
	 * small window keeps it from sending that much at once.
	 */
	owed_start(&o);
	t0 = tu_now_ms();
	do {
		struct pollfd p = { .fd = o.fd, .events = POLLOUT };
		double s;

		poll(&p, 1, wait_ms < 0 || wait_ms > 200 ? 200 : wait_ms);
		s = tu_now_ms();
		r = cx_step(o.fd, &wait_ms);
		s = tu_now_ms() - s;
		if (s > slowest)
			slowest = s;
		if (first_ready < 0 && tu_tcp_state(o.fd) == TCP_ESTABLISHED)
			first_ready = tu_now_ms() - t0;
		ck_assert_int_lt(++steps, 1000);
	} while (r == -1 && errno == EINPROGRESS);
	ck_assert_msg(r == 0, "cx_step: %s", strerror(errno));
	/* Never blocked: the reader started 600 ms in, no step took 200 ms. */
	ck_assert_msg(slowest < 200 + tu_margin_ms(0), "a cx_step took %.0f ms",
	    slowest);
	ck_assert_int_eq(tu_tcp_state(o.fd), TCP_ESTABLISHED);
	fprintf(stderr, "owed: %zu bytes in the first SYN, connected after "
	    "%.0f ms, slowest cx_step %.1f ms, %d steps\n", o.len, first_ready,
	    slowest, steps);
	owed_finish(&o);
}
END_TEST


/*
 * The same owed bytes, driven by the loop libconnectx(3) describes under
 * Non-blocking use: wait for what cx_fds() names, at most cx_timeout(),
 * then cx_step().  While cx_step says EINPROGRESS because the winner still
 * owes bytes ("until the socket, polled for POLLOUT, has taken them all"),
 * that loop must have something to wait for: the socket among cx_fds(), or
 * a finite cx_timeout().  Neither, and poll(2) on nothing waits forever.
 */
START_TEST(test_owed_bytes_keep_the_socket_among_cx_fds)
{
	struct owed_run o;
	struct pollfd pfd[16];
	int r, k, w, steps = 0, owing = 0;

	owed_start(&o);
	while ((r = cx_step(o.fd, NULL)) == -1 && errno == EINPROGRESS) {
		k = cx_fds(o.fd, pfd, 16);
		ck_assert_int_ge(k, 0);
		ck_assert_int_eq(cx_timeout(o.fd, &w), 0);
		if (tu_tcp_state(o.fd) == TCP_ESTABLISHED)
			owing = 1;
		ck_assert_msg(k >= 1 || w >= 0, "cx_step says EINPROGRESS (%s), "
		    "but cx_fds names no descriptor and cx_timeout no limit",
		    owing ? "bytes owed" : "connecting");
		poll(pfd, (nfds_t)k, w);
		ck_assert_int_lt(++steps, 10000);
	}
	ck_assert_msg(r == 0, "cx_step: %s", strerror(errno));
	owed_finish(&o);
}
END_TEST

/*
 * The observer replaces the descriptor as the winner is reported: the run
 * leaves that number alone from then on (libconnectx(3), Observer; HACKING.md,
 * Verdicts, "A socket closed under a run").  Here the winner still owes the
 * bytes the dead address's SYN took: they must not go to the socket now on
 * the number, nor may the library abandon that socket when the send fails.
 */
enum swap_kind { SWAP_UDP, SWAP_LISTENER };

struct swap_at_win {
	enum swap_kind		kind;
	struct sockaddr_storage	to;	/* SWAP_UDP: the receiver */
	socklen_t		tolen;
	int			done;
};

static void
swap_at_win(int fd, const struct cx_attempt *a, void *arg)
{
	struct swap_at_win *s = arg;
	struct sockaddr_storage any;
	socklen_t anylen;
	int n;

	if (a->ca_error != 0 || s->done)
		return;
	if (s->kind == SWAP_UDP) {
		n = socket(AF_INET, SOCK_DGRAM, 0);
		if (n < 0 || connect(n, (struct sockaddr *)&s->to, s->tolen) != 0)
			return;
	} else {
		n = socket(AF_INET, SOCK_STREAM, 0);
		tu_set_v4(&any, &anylen, "127.0.0.1", 0);
		if (n < 0 || bind(n, (struct sockaddr *)&any, anylen) != 0 ||
		    listen(n, 4) != 0)
			return;
	}
	if (dup2(n, fd) == fd)
		s->done = 1;
	close(n);
}

START_TEST(test_owed_bytes_never_reach_a_socket_the_observer_put_on_the_number)
{
	struct listener live;
	struct sockaddr_storage rcvaddr;
	socklen_t rcvlen;
	unsigned char list[2 * sizeof(struct sockaddr_in)];
	static char data[] = "owed-bytes";
	struct iovec iov = { data, sizeof(data) - 1 };
	struct swap_at_win s = { .kind = (enum swap_kind)_i };
	sa_endpoints_t ep;
	char got[64];
	size_t len = 0;
	int fd, r, rcv, wait_ms = 200, steps = 0;

	owed_list(&live, false, list, &ep);
	/* The application's UDP receiver, which the replacement talks to. */
	rcv = tu_bound(AF_INET, SOCK_DGRAM, 0, &rcvaddr, &rcvlen);
	ck_assert_int_ge(rcv, 0);
	s.to = rcvaddr;
	s.tolen = rcvlen;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_eq(cx_setobserver(fd, swap_at_win, &s), 0);
	r = connectx(fd, &ep, SAE_ASSOCID_ANY, CONNECT_DATA_IDEMPOTENT, &iov, 1,
	    &len, NULL);
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_uint_eq(len, sizeof(data) - 1);	/* the first SYN took it all */
	do {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		poll(&p, 1, wait_ms < 0 || wait_ms > 200 ? 200 : wait_ms);
		r = cx_step(fd, &wait_ms);
		ck_assert_int_lt(++steps, 100);
	} while (r == -1 && errno == EINPROGRESS);
	ck_assert_msg(s.done, "the observer never saw the win");
	/* libconnectx(3), Observer: the descriptor replaced, the run failed. */
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, ECONNABORTED);
	if (s.kind == SWAP_UDP) {
		/* Nothing of the connect's data went to the application's peer. */
		usleep(100000);
		ck_assert_msg(recv(rcv, got, sizeof(got), MSG_DONTWAIT) == -1,
		    "the owed fast open bytes went to the socket now on the number");
		ck_assert_int_eq(errno, EAGAIN);
		ck_assert(tu_is_connected(fd));
	} else {
		/* The application's listener was not disconnected by the library. */
		ck_assert_msg(tu_tcp_state(fd) == TCP_LISTEN,
		    "the listener now on the number was left in state %d",
		    tu_tcp_state(fd));
	}
	close(fd);
	close(rcv);
	close(live.fd);
}
END_TEST

/*
 * A non-blocking run parked with fast open data, its socket closed without
 * cx_step and its number not reused: the library does not keep the data
 * (libconnectx(3), Non-blocking use).  300 runs of up to 32 KiB each stay
 * under a few megabytes.
 */
START_TEST(test_parked_runs_of_closed_sockets_are_freed)
{
	struct listener cookie;
	struct blackhole bh;
	static unsigned char data[60000];
	struct iovec iov = { data, sizeof(data) };
	sa_endpoints_t ep = { 0 };
	struct mallinfo2 before, after;
	int held[300], i, fd;
	size_t len, took = 0;

	set_fastopen("3");
	fastopen_listener(&cookie);
	fetch_cookie(&cookie);
	close(cookie.fd);
	ck_assert_int_eq(tu_blackhole(&bh, AF_INET), 0);
	ep.sae_dstaddr = (struct sockaddr *)&bh.l.addr;
	ep.sae_dstaddrlen = bh.l.addrlen;
	before = mallinfo2();
	for (i = 0; i < 300; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		ck_assert_int_ge(fd, 0);
		len = 0;
		ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY,
		    CONNECT_DATA_IDEMPOTENT, &iov, 1, &len, NULL), -1);
		ck_assert_int_eq(errno, EINPROGRESS);
		took += len;
		close(fd);
		/* The number stays taken, by something that is no socket. */
		held[i] = open("/dev/null", O_RDONLY);
		ck_assert_int_eq(held[i], fd);
	}
	after = mallinfo2();
	ck_assert_uint_gt(took, 300 * 1000);	/* the SYNs took data */
	ck_assert_msg(after.uordblks < before.uordblks + 4 * 1024 * 1024,
	    "%zu bytes kept for %zu bytes of closed sockets' data",
	    after.uordblks - before.uordblks, took);
	for (i = 0; i < 300; i++)
		close(held[i]);
	tu_blackhole_close(&bh);
}
END_TEST

static bool
enter_namespace(void)
{
	if (geteuid() != 0) {
		printf("SKIP: needs root for a network namespace and "
		    "net.ipv4.tcp_fastopen\n");
		return false;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		printf("SKIP: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return false;
	}
	if (system("ip link set lo up") != 0) {
		printf("SKIP: cannot bring lo up in the namespace\n");
		return false;
	}
	if (system("command -v tcpdump >/dev/null") != 0) {
		printf("SKIP: tcpdump is not installed (apt-get install tcpdump)\n");
		return false;
	}
	return true;
}

int
main(void)
{
	Suite *s = suite_create("fast open");
	TCase *tc = tcase_create("on the wire");
	SRunner *sr;
	int failed;

	if (!enter_namespace())
		return SKIP;
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_second_connect_carries_the_data_in_its_syn);
	tcase_add_test(tc, test_authenticated_first_syn_carries_data_without_cookie);
	tcase_add_test(tc, test_resume_returns_at_once_and_the_first_write_rides_the_syn);
	tcase_add_test(tc, test_resume_without_fast_open_still_connects_by_the_first_write);
	tcase_add_test(tc, test_fast_open_off_is_a_plain_connect_and_send_never_an_error);
	tcase_add_test(tc, test_failover_with_fast_open_data_delivers_it_exactly_once);
	tcase_add_test(tc, test_nonblocking_len_with_and_without_cookie);
	tcase_add_test(tc, test_user_fastopen_connect_option_still_needs_a_handshake);
	tcase_add_test(tc, test_earlier_deferred_call_leaves_no_fastopen_connect_behind);
	tcase_add_loop_test(tc, test_lone_destination_with_user_fastopen_connect_makes_a_handshake,
	    0, (int)(sizeof(lone_fastopen_rows) / sizeof(lone_fastopen_rows[0])));
	tcase_add_test(tc, test_curl_sequence_without_cookie_reports_einprogress);
	tcase_add_test(tc, test_curl_sequence_with_cookie_defers_and_failure_shows_its_errno);
	tcase_add_test(tc, test_owed_bytes_never_block_cx_step);
	tcase_add_test(tc, test_owed_bytes_keep_the_socket_among_cx_fds);
	tcase_add_test(tc, test_parked_runs_of_closed_sockets_are_freed);
	tcase_add_loop_test(tc,
	    test_owed_bytes_never_reach_a_socket_the_observer_put_on_the_number,
	    SWAP_UDP, SWAP_LISTENER + 1);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* One at a time: each test sets the namespace's sysctl. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
