/*
 * What a lone destination's connect costs beyond connect(2) (HACKING.md,
 * "One system call"): the driver of bench/syscalls.sh.  Figures, not a
 * timed test.
 *
 *   syscalls calls WAY N     N connects one WAY (plain, connectx,
 *                            sctp_connectx) to a loopback listener, each
 *                            accepted and both ends closed, and nothing
 *                            else: for strace -f -c, a long and a short
 *                            run subtracted so that setup cancels
 *   syscalls wall [ROUNDS [N]]
 *                            ROUNDS rounds (default 15) of one run of N
 *                            connects (default 3000) per way, the ways
 *                            alternating inside each round and their order
 *                            turning from round to round; the figures are
 *                            medians over rounds (per-connect time, and
 *                            the ratio of each way to plain connect(2) in
 *                            the same round)
 *
 * A timed run only connects and closes: the listener's queue is drained
 * between runs, untimed (its backlog holds a whole run).  On a machine
 * other work shares, only the same-round ratios mean much.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <connectx.h>

#include "benchutil.h"

enum way { PLAIN, CONNECTX, SCTP_CONNECTX, NWAYS };
static const char *way_name[] = { "plain", "connectx", "sctp_connectx" };

/* One connect of the way on a fresh blocking TCP socket; its descriptor. */
static int
connect_one(enum way w, const struct sockaddr_in *sin)
{
	sa_endpoints_t ep = { 0 };
	sctp_assoc_t id;
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	ep.sae_dstaddr = (const struct sockaddr *)sin;
	ep.sae_dstaddrlen = sizeof(*sin);
	if (w == PLAIN)
		r = connect(fd, (const struct sockaddr *)sin, sizeof(*sin));
	else if (w == CONNECTX)
		r = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
	else
		r = sctp_connectx(fd, (struct sockaddr *)(uintptr_t)sin, 1, &id);
	if (fd < 0 || r != 0) {
		fprintf(stderr, "syscalls: %s: %s\n", way_name[w], strerror(errno));
		exit(1);
	}
	return fd;
}

static void
calls(enum way w, int n)
{
	struct sockaddr_in sin;
	int l = bu_listener(&sin, 16, 0), i, fd, c;

	for (i = 0; i < n; i++) {
		fd = connect_one(w, &sin);
		if ((c = accept(l, NULL, NULL)) < 0) {
			perror("accept");
			exit(1);
		}
		close(c);
		close(fd);
	}
	close(l);
}

/*
 * Closed with a reset (SO_LINGER 0), every way alike: a normal close
 * leaves the port in TIME_WAIT, and the 9000 a round piles up make each
 * later connect's port search dearer, which biased whichever way ran last
 * in a round by up to 30%.
 */
static void
close_reset(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* Accept (and close) what is queued; untimed. */
static void
drain(int l)
{
	int c;

	while ((c = accept(l, NULL, NULL)) >= 0)
		close(c);
}

/* A lone destination's calls beyond connect(2) (HACKING.md, One system call). */
#define LONE_EXTRA_CALLS	3

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
wall(int rounds, int n)
{
	struct sockaddr_in sin;
	double t[NWAYS][rounds], ratio[NWAYS][rounds], t0;
	double c[NWAYS][rounds], cratio[NWAYS][rounds], c0;
	double bare[rounds], floor3[rounds];
	int l, r, k, w, i;
	FILE *f;
	long somax = 0;

	if ((f = fopen("/proc/sys/net/core/somaxconn", "r")) != NULL) {
		if (fscanf(f, "%ld", &somax) != 1)
			somax = 0;
		fclose(f);
	}
	if (somax != 0 && somax < n)
		fprintf(stderr, "syscalls: somaxconn %ld < %d: runs will stall "
		    "on a full accept queue\n", somax, n);
	l = bu_listener(&sin, n, SOCK_NONBLOCK);	/* drained, never waited on */
	/* Warm up: the library's first-call set-up, the listener's tables. */
	for (i = 0; i < 300; i++)
		close(connect_one((enum way)(i % NWAYS), &sin));
	drain(l);
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < NWAYS; k++) {
			w = (r + k) % NWAYS;
			c0 = cpu_ms();
			t0 = bu_now_ms();
			for (i = 0; i < n; i++)
				close_reset(connect_one((enum way)w, &sin));
			t[w][r] = (bu_now_ms() - t0) * 1e3;	/* us */
			c[w][r] = (cpu_ms() - c0) * 1e3;
			drain(l);
		}
		/* A bare system call, n of them, in the same round. */
		t0 = bu_now_ms();
		for (i = 0; i < n; i++)
			(void)getppid();
		bare[r] = (bu_now_ms() - t0) * 1e3;
		floor3[r] = (t[PLAIN][r] + LONE_EXTRA_CALLS * bare[r]) / t[PLAIN][r];
		for (w = 0; w < NWAYS; w++) {
			ratio[w][r] = t[w][r] / t[PLAIN][r];
			cratio[w][r] = c[w][r] / c[PLAIN][r];
		}
	}
	close(l);
	printf("wall: one live loopback address, blocking TCP socket; %d rounds "
	    "of one run of %d connects per way, alternating; medians over "
	    "rounds\n", rounds, n);
	for (w = 0; w < NWAYS; w++)
		printf("  %-14s %7.2f us/connect   ratio to plain connect(2), "
		    "same round: %.3f\n", way_name[w], bu_median(t[w], rounds) / n,
		    bu_median(ratio[w], rounds));
	/*
	 * What the extra calls alone cost, whatever they are: a bare system
	 * call timed in the same rounds, as a ratio to plain connect(2).
	 */
	printf("  a bare system call (getppid) %.2f us; plain connect(2) plus %d of "
	    "them, same round: %.3f\n", bu_median(bare, rounds) / n,
	    LONE_EXTRA_CALLS, bu_median(floor3, rounds));
	/*
	 * The process's CPU time over the same runs (the loopback handshake's
	 * kernel work is mostly charged to it): other work sharing the machine
	 * stretches wall time far more than this.
	 */
	printf("cpu: the same runs, this process's CPU time (CLOCK_PROCESS_CPUTIME_ID)\n");
	for (w = 0; w < NWAYS; w++)
		printf("  %-14s %7.2f us/connect   ratio to plain connect(2), "
		    "same round: %.3f\n", way_name[w], bu_median(c[w], rounds) / n,
		    bu_median(cratio[w], rounds));
}

int
main(int argc, char **argv)
{
	int w;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && strcmp(argv[1], "calls") == 0) {
		for (w = 0; w < NWAYS; w++)
			if (strcmp(argv[2], way_name[w]) == 0)
				break;
		if (w == NWAYS) {
			fprintf(stderr, "syscalls: %s: not a way (plain, connectx, "
			    "sctp_connectx)\n", argv[2]);
			return 2;
		}
		calls((enum way)w, bu_count_arg("syscalls", argv[3], 100000));
		return 0;
	}
	if (argc >= 2 && argc <= 4 && strcmp(argv[1], "wall") == 0) {
		int rounds = argc > 2 ? bu_count_arg("syscalls", argv[2], 100000) : 15;

		if (rounds > 1000) {
			fprintf(stderr, "syscalls: wall: at most 1000 rounds\n");
			return 2;
		}
		wall(rounds, argc > 3 ? bu_count_arg("syscalls", argv[3], 100000) : 3000);
		return 0;
	}
	fprintf(stderr, "usage: syscalls calls WAY N | syscalls wall [ROUNDS [N]]\n");
	return 2;
}
