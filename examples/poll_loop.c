/*
 * Driving a non-blocking connectx(2) from a poll(2) loop with cx_step(3).
 *
 *   poll_loop ADDR:PORT [ADDR:PORT ...]      (IPv4 addresses)
 *
 * connectx() starts the first attempt and returns EINPROGRESS.  Each time
 * the socket is writable, or the wait cx_step() asked for has passed, the
 * loop calls cx_step(): 0 is connected, EINPROGRESS means poll again (it may
 * have moved on to the next address), anything else is the final error.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <connectx.h>

#define MAXADDRS 16

static int
parse(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':'), *p;
	unsigned long port = 0;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	/* The port: 1 to 65535 in decimal digits alone (atoi would wrap it). */
	for (p = colon + 1; *p >= '0' && *p <= '9' && port <= 65535; p++)
		port = port * 10 + (unsigned long)(*p - '0');
	if (p == colon + 1 || *p != '\0' || port == 0 || port > 65535)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in list[MAXADDRS];
	sa_endpoints_t ep = { 0 };
	struct pollfd pfd;
	int i, n = argc - 1, fd, wait_ms = -1, r;

	if (n < 1 || n > MAXADDRS) {
		fprintf(stderr, "usage: poll_loop ADDR:PORT [ADDR:PORT ...]\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		if (parse(argv[i + 1], &list[i]) != 0) {
			fprintf(stderr, "poll_loop: bad address %s\n", argv[i + 1]);
			return 2;
		}
	ep.sae_dstaddr = (struct sockaddr *)list;
	ep.sae_dstaddrlen = (socklen_t)(n * (int)sizeof(list[0]));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	r = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
	while (r == -1 && errno == EINPROGRESS) {
		/* Here an event loop would run other work until one of these. */
		pfd.fd = fd;
		pfd.events = POLLOUT;
		poll(&pfd, 1, wait_ms);
		r = cx_step(fd, &wait_ms);
	}
	if (r == -1) {
		fprintf(stderr, "poll_loop: %s\n", strerror(errno));
		return 1;
	}
	printf("connected to %s\n", argv[cx_getpeerindex(fd, SAE_ASSOCID_ANY) + 1]);
	close(fd);
	return 0;
}
