/*
 * Failover on loopback, as the README shows it: a refused address, a
 * black-holed address (a listener whose accept queue is full), then a live
 * listener, given to connectx(2) as one packed list.  Prints each attempt's
 * outcome and time, then what a plain connect(2) loop would have cost.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <connectx.h>

static int
listener(struct sockaddr_in *sin, int backlog)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)sin, sizeof(*sin)) != 0 ||
	    listen(fd, backlog) != 0 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) != 0) {
		perror("listener");
		exit(1);
	}
	return fd;
}

static double
ms_between(struct timespec a, struct timespec b)
{
	return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

static long
sysctl_long(const char *path, long fallback)
{
	FILE *f = fopen(path, "r");
	long v = fallback;

	if (f != NULL) {
		if (fscanf(f, "%ld", &v) != 1)
			v = fallback;
		fclose(f);
	}
	return v;
}

int
main(void)
{
	struct sockaddr_in list[3], refused;
	struct cx_attempt *at;
	struct timespec t0, t1;
	sa_endpoints_t ep;
	char name[INET_ADDRSTRLEN];
	const char *what[3] = { "refused", "black hole", "live" };
	int live, hole, filler, fd, n, i, r;
	long syn_retries;
	double plain;

	/* Refused: a port taken from the kernel and let go. */
	close(listener(&refused, 1));
	list[0] = refused;
	/* Black hole: backlog 0 admits one connection; the next SYNs are dropped. */
	hole = listener(&list[1], 0);
	filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(filler, (struct sockaddr *)&list[1], sizeof(list[1])) != 0) {
		perror("filler");
		return 1;
	}
	live = listener(&list[2], 16);

	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (const struct sockaddr *)list;
	ep.sae_dstaddrlen = sizeof(list);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	printf("connectx(2) to 3 addresses, in this order:\n");
	for (i = 0; i < 3; i++)
		printf("  [%d] %s:%u  (%s)\n", i,
		    inet_ntop(AF_INET, &list[i].sin_addr, name, sizeof(name)),
		    ntohs(list[i].sin_port), what[i]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r != 0) {
		perror("connectx");
		return 1;
	}

	printf("\ntimeline (attempt delay %s ms):\n",
	    getenv("CX_ATTEMPT_DELAY_MS") ? getenv("CX_ATTEMPT_DELAY_MS") : "250");
	n = cx_getattempts(fd, SAE_ASSOCID_ANY, &at);
	for (i = 0; i < n; i++)
		printf("  +%7.1f ms  [%u] %-10s -> %-22s after %7.1f ms\n",
		    ms_between(t0, at[i].ca_start), at[i].ca_index,
		    what[at[i].ca_index],
		    at[i].ca_error == 0 ? "connected" :
		    at[i].ca_error == ETIMEDOUT ? "no answer, given up" :
		    at[i].ca_error == ECANCELED ? "no answer; dropped" :
		    strerror(at[i].ca_error),
		    ms_between(at[i].ca_start, at[i].ca_end));
	cx_freeattempts(at);
	printf("connected to [%d] in %.1f ms (an attempt still unanswered "
	    "after the delay is joined by the next, not abandoned)\n",
	    cx_getpeerindex(fd, 0), ms_between(t0, t1));

	/*
	 * A plain connect(2) loop waits out the kernel's SYN retries on the
	 * black hole: an initial RTO of 1 s doubling on each of
	 * net.ipv4.tcp_syn_retries retransmissions (computed, not measured).
	 */
	syn_retries = sysctl_long("/proc/sys/net/ipv4/tcp_syn_retries", 6);
	plain = 0;
	for (i = 0; i <= syn_retries; i++)
		plain += 1000.0 * (1L << i);
	printf("a plain connect(2) loop on the same list: about %.0f s "
	    "(tcp_syn_retries=%ld: 1 s RTO doubling, computed)\n",
	    plain / 1000, syn_retries);
	close(fd);
	close(filler);
	close(hole);
	close(live);
	return 0;
}
