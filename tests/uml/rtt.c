/*
 * Real round-trip times on loopback, delayed by netem (the kernel lane,
 * tests/uml/rtt.sh sets the qdiscs; this program only measures).
 *
 *   rtt fastopen PORT N   connect(2)+send(2) vs connectx(2) with
 *                         CONNECT_DATA_IDEMPOTENT (TCP Fast Open, cookie
 *                         cached): time until the reply to a request arrives
 *   rtt connect ADDR PORT N        connect(2) alone: time to connected
 *   rtt eyeballs ADDR1 ADDR2 PORT N  connectx(2) over [ADDR1, ADDR2] with
 *                         the default policy: time, and which address won
 *
 * Each prints the median of N runs (after one run not counted: the first
 * connect on a fresh qdisc is slower) in milliseconds, one line, and what
 * else the lane reads; eyeballs prints that first run too (its "cold" run:
 * the engine's history knows nothing of the addresses yet).  A listener thread on 0.0.0.0:PORT answers "ok" to
 * each request (fastopen) or just accepts (connect, eyeballs).
 */
#include <config.h>

#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "connectx.h"

#define MAXRUNS	32

static int listener;
static int answer;	/* read a request and answer it */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *
serve(void *arg)
{
	char buf[64];
	int c;

	(void)arg;
	for (;;) {
		if ((c = accept(listener, NULL, NULL)) == -1)
			continue;
		if (answer && read(c, buf, sizeof(buf)) > 0)
			(void)!write(c, "ok", 2);
		close(c);
	}
	return NULL;
}

static void
listen_on(unsigned short port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	pthread_t t;
	int on = 1, qlen = 64;

	if ((listener = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (setsockopt(listener, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)) != 0)
		err(1, "TCP_FASTOPEN");
	if (bind(listener, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(listener, 64) != 0)
		err(1, "listener on port %u", port);
	if (pthread_create(&t, NULL, serve, NULL) != 0)
		errx(1, "pthread_create");
}

static struct sockaddr_in
addr(const char *a, unsigned short port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (inet_pton(AF_INET, a, &sin.sin_addr) != 1)
		errx(2, "bad address %s", a);
	return sin;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Until the reply arrives. */
static void
await_reply(int s)
{
	char buf[8];

	if (read(s, buf, sizeof(buf)) != 2)
		err(1, "no reply");
}

static double
plain_request(struct sockaddr_in *to)
{
	double t0 = now_ms();
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (connect(s, (struct sockaddr *)to, sizeof(*to)) != 0)
		err(1, "connect");
	if (send(s, "GET", 3, 0) != 3)
		err(1, "send");
	await_reply(s);
	close(s);
	return now_ms() - t0;
}

static double
fastopen_request(struct sockaddr_in *to, size_t *inflight)
{
	struct iovec iov = { .iov_base = "GET", .iov_len = 3 };
	sa_endpoints_t ep = { .sae_dstaddr = (struct sockaddr *)to,
	    .sae_dstaddrlen = sizeof(*to) };
	double t0 = now_ms();
	int s = socket(AF_INET, SOCK_STREAM, 0);

	*inflight = 0;
	if (connectx(s, &ep, SAE_ASSOCID_ANY, CONNECT_DATA_IDEMPOTENT, &iov, 1,
	    inflight, NULL) != 0)
		err(1, "connectx");
	if (*inflight != 3)
		errx(1, "connectx sent %zu of 3 bytes", *inflight);
	await_reply(s);
	close(s);
	return now_ms() - t0;
}

static double
connect_once(struct sockaddr_in *to)
{
	double t0 = now_ms(), el;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (connect(s, (struct sockaddr *)to, sizeof(*to)) != 0)
		err(1, "connect");
	el = now_ms() - t0;
	close(s);
	return el;
}

static double
eyeballs_once(struct sockaddr_in *list, int *winner)
{
	sa_endpoints_t ep = { .sae_dstaddr = (struct sockaddr *)list,
	    .sae_dstaddrlen = 2 * sizeof(*list) };
	double t0 = now_ms(), el;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (connectx(s, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL) != 0)
		err(1, "connectx");
	el = now_ms() - t0;
	*winner = cx_getpeerindex(s, 0);
	close(s);
	return el;
}

int
main(int argc, char **argv)
{
	double a[MAXRUNS], b[MAXRUNS], cold;
	struct sockaddr_in to, list[2];
	int i, n, winner, coldwinner, wins[2] = { 0, 0 };
	size_t inflight;

	if (argc == 4 && strcmp(argv[1], "fastopen") == 0) {
		n = atoi(argv[3]);
		if (n < 1 || n > MAXRUNS)
			errx(2, "1 .. %d runs", MAXRUNS);
		answer = 1;
		listen_on((unsigned short)atoi(argv[2]));
		to = addr("127.0.0.1", (unsigned short)atoi(argv[2]));
		/* Not counted: the first fetches the server's cookie. */
		plain_request(&to);
		fastopen_request(&to, &inflight);
		for (i = 0; i < n; i++) {
			a[i] = plain_request(&to);
			b[i] = fastopen_request(&to, &inflight);
		}
		printf("plain %.0f fastopen %.0f\n", median(a, n), median(b, n));
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "connect") == 0) {
		n = atoi(argv[4]);
		if (n < 1 || n > MAXRUNS)
			errx(2, "1 .. %d runs", MAXRUNS);
		listen_on((unsigned short)atoi(argv[3]));
		to = addr(argv[2], (unsigned short)atoi(argv[3]));
		connect_once(&to);
		for (i = 0; i < n; i++)
			a[i] = connect_once(&to);
		printf("connect %.0f\n", median(a, n));
		return 0;
	}
	if (argc == 6 && strcmp(argv[1], "eyeballs") == 0) {
		n = atoi(argv[5]);
		if (n < 1 || n > MAXRUNS)
			errx(2, "1 .. %d runs", MAXRUNS);
		listen_on((unsigned short)atoi(argv[4]));
		list[0] = addr(argv[2], (unsigned short)atoi(argv[4]));
		list[1] = addr(argv[3], (unsigned short)atoi(argv[4]));
		/* The first run meets an engine that knows nothing of these
		 * addresses; the later ones meet what it learnt from it. */
		cold = eyeballs_once(list, &winner);
		coldwinner = winner;
		for (i = 0; i < n; i++) {
			a[i] = eyeballs_once(list, &winner);
			if (winner < 0 || winner > 1)
				errx(1, "cx_getpeerindex: %d", winner);
			wins[winner]++;
		}
		printf("eyeballs %.0f first %d second %d cold %.0f %s\n",
		    median(a, n), wins[0], wins[1], cold,
		    coldwinner == 0 ? "first" : "second");
		return 0;
	}
	fprintf(stderr, "usage: rtt fastopen PORT N | connect ADDR PORT N | "
	    "eyeballs ADDR1 ADDR2 PORT N\n");
	return 2;
}
