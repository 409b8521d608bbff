/*
 * Time to association over usrsctp (UDP-encapsulated, loopback) when the
 * first address of the list is black-holed: cx_usrsctp_connectx under the
 * library's policy versus usrsctp_connectx with usrsctp's defaults
 * (RTO.initial 3 s), the median of a few runs side by side.
 *
 * The list is [::1, 127.0.0.1] on an AF_INET6 socket; the server listens
 * on 127.0.0.1 only and the stack drops the INIT to ::1 without an ABORT
 * (sysctl blackhole).  One stack in this process serves both ends.
 *
 * Usage: usrsctp_bench [runs [attempt_delay_ms]]   (defaults: 5, the library's)
 */
#include <config.h>

#include <connectx_usrsctp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "usrsctp_stack.h"

#define SPORT	5001
#define MAXRUNS	50

static uint16_t encaps;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct socket *
client(void)
{
	struct sctp_udpencaps ue;
	struct socket *so;

	so = usrsctp_socket(AF_INET6, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (so == NULL)
		return NULL;
	memset(&ue, 0, sizeof(ue));
	ue.sue_address.ss_family = AF_INET6;
	ue.sue_port = htons(encaps);
	(void)usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT,
	    &ue, sizeof(ue));
	return so;
}

static int
state(struct socket *so, sctp_assoc_t id)
{
	struct sctp_status st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	st.sstat_assoc_id = id;
	if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_STATUS, &st, &len) != 0)
		return -1;
	return st.sstat_state;
}

/* One run: milliseconds to an established association, or -1. */
static double
one(const unsigned char *list, int library)
{
	struct socket *so = client();
	sctp_assoc_t id = 0;
	double t0, ms = -1;
	int st;

	if (so == NULL)
		return -1;
	t0 = now_ms();
	if (library) {
		if (cx_usrsctp_connectx(so, (const struct sockaddr *)(const void *)list, 2, &id) == 0)
			ms = now_ms() - t0;
	} else if (usrsctp_connectx(so, (const struct sockaddr *)(const void *)list, 2, &id) == 0) {
		while ((st = state(so, id)) == SCTP_COOKIE_WAIT || st == SCTP_COOKIE_ECHOED)
			usleep(1000);
		if (st == SCTP_ESTABLISHED)
			ms = now_ms() - t0;
	}
	usrsctp_close(so);
	return ms;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("  %-40s median %6.0f ms   (min %.0f, max %.0f)\n", what,
	    n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1]);
}

/* Decimal digits alone, at most 10^9; -1 otherwise (which no range takes). */
static long
decimal_arg(const char *s)
{
	long v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9' && v <= 1000000000; p++)
		v = v * 10 + (*p - '0');
	return p == s || *p != '\0' || v > 1000000000 ? -1 : v;
}

int
main(int argc, char **argv)
{
	double lib[MAXRUNS], def[MAXRUNS];
	unsigned char list[2 * sizeof(struct sockaddr_in6)], *p = list;
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	struct socket *l;
	long runs = argc > 1 ? decimal_arg(argv[1]) : 5, d;
	int i;

	if (runs < 1 || runs > MAXRUNS) {
		fprintf(stderr, "usage: usrsctp_bench [runs (1..%d) [attempt_delay_ms]]\n", MAXRUNS);
		return 2;
	}
	if (argc > 2 && cx_setdefault(CX_OPT_ATTEMPT_DELAY_MS, decimal_arg(argv[2])) != 0) {
		perror("attempt delay");
		return 2;
	}
	(void)cx_getdefault(CX_OPT_ATTEMPT_DELAY_MS, &d);

	encaps = usstack_start();
	usrsctp_sysctl_set_sctp_blackhole(2);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(SPORT);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (l == NULL || usrsctp_bind(l, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    usrsctp_listen(l, 64) != 0) {
		perror("listener");
		return 1;
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(SPORT);
	sin6.sin6_addr = in6addr_loopback;
	memcpy(p, &sin6, sizeof(sin6));
	p += sizeof(sin6);
	memcpy(p, &sin, sizeof(sin));

	for (i = 0; i < runs; i++)
		if ((lib[i] = one(list, 1)) < 0 || (def[i] = one(list, 0)) < 0) {
			fprintf(stderr, "run %d: no association\n", i);
			return 1;
		}
	printf("usrsctp over UDP on loopback: time to association, [::1 (black-holed), 127.0.0.1]\n");
	printf("  %ld runs each; library attempt delay D = %ld ms\n", runs, d);
	report("cx_usrsctp_connectx (library's bound)", lib, (int)runs);
	report("usrsctp_connectx (usrsctp's defaults)", def, (int)runs);
	usrsctp_close(l);
	return 0;
}
