#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "benchutil.h"

int
bu_listener(struct sockaddr_in *sin, int backlog, int flags)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);

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

double
bu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
bu_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
bu_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bu_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
bu_count_arg(const char *prog, const char *s, long max)
{
	long v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9' && v <= max; p++)
		v = v * 10 + (*p - '0');
	if (p == s || *p != '\0' || v < 1 || v > max) {
		fprintf(stderr, "%s: %s: not a count (1 to %ld)\n", prog, s, max);
		exit(2);
	}
	return (int)v;
}
