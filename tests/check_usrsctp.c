/*
 * cx_usrsctp_connectx over the real usrsctp stack, UDP-encapsulated on
 * loopback, without privileges: two paths (::1 and 127.0.0.1) on one
 * AF_INET6 association, the COMM_UP ID, the peer addresses kept, data both
 * ways; failover from a black-holed first address within the policy's
 * bound (and usrsctp's own 3 s without it); the total timeout; refusal;
 * non-blocking use; and the checks of cx_usrsctp_connectx(3) ERRORS.
 *
 * Each test runs in its own process (Check's fork mode) with its own
 * stack: usrsctp_init on a free UDP port; client and server sockets in
 * that one stack reach each other through it (the client's remote
 * encapsulation port is the stack's own).
 */
#include <config.h>

#include <connectx_usrsctp.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>

#include "testutil.h"
#include "usrsctp_util.h"

#define SPORT		5001		/* SCTP port of the servers (usrsctp's own space) */
#define D_MS		100		/* the attempt delay the timing tests set */
#define MARGIN_MS	tu_margin_ms(400)	/* scheduling, usrsctp's 10 ms tick */

static uint16_t encaps;			/* this process's stack's UDP port */

static void
setup(void)
{
	encaps = usstack_start();
	ck_assert_uint_ne(encaps, 0);
}

static struct socket *
client(int family)
{
	struct socket *so = uu_socket(family, encaps);

	ck_assert_ptr_nonnull(so);
	return so;
}

static void
subscribe_assoc_change(struct socket *so)
{
	struct sctp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.se_assoc_id = SCTP_FUTURE_ASSOC;
	ev.se_type = SCTP_ASSOC_CHANGE;
	ev.se_on = 1;
	ck_assert_int_eq(usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_EVENT, &ev,
	    sizeof(ev)), 0);
}

static void
echo_once(struct socket *cl, struct socket *srv, const char *msg)
{
	char buf[256];
	ssize_t n;

	ck_assert_int_eq(uu_send(cl, msg, strlen(msg)), (ssize_t)strlen(msg));
	n = uu_recv(srv, buf, sizeof(buf), 3000, NULL);
	ck_assert_int_eq(n, (ssize_t)strlen(msg));
	ck_assert_int_eq(memcmp(buf, msg, strlen(msg)), 0);
	ck_assert_int_eq(uu_send(srv, buf, (size_t)n), n);
	n = uu_recv(cl, buf, sizeof(buf), 3000, NULL);
	ck_assert_int_eq(n, (ssize_t)strlen(msg));
	ck_assert_int_eq(memcmp(buf, msg, strlen(msg)), 0);
}

/* -------------------------------------------------------------- two paths */

START_TEST(two_paths_v6_and_v4)
{
	static const char *const any[] = { "::" };
	unsigned char list[64], *p = list;
	struct socket *l, *cl, *srv;
	struct sockaddr *peers;
	sctp_assoc_t id = 0, up_id = 0, q = 0;
	int n;

	ck_assert_ptr_nonnull(l = uu_listen(AF_INET6, any, 1, SPORT));
	cl = client(AF_INET6);
	subscribe_assoc_change(cl);
	uu_put(&p, "::1", SPORT);
	uu_put(&p, "127.0.0.1", SPORT);

	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 2, &id), 0);
	ck_assert_int_eq(uu_state(cl, id), SCTP_ESTABLISHED);
	/* The ID is the one usrsctp's COMM_UP notification carries. */
	ck_assert_int_eq(uu_recv_assoc_change(cl, 2000, &up_id), SCTP_COMM_UP);
	ck_assert_uint_eq(up_id, id);
	ck_assert_int_eq(cx_usrsctp_getassocid(cl, &q), 0);
	ck_assert_uint_eq(q, id);

	/* Both peer addresses kept (the server, bound to all, adds the host's others). */
	n = cx_usrsctp_getpaddrs(cl, 0, &peers);
	ck_assert_int_ge(n, 2);
	ck_assert(uu_has(peers, n, "::1"));
	ck_assert(uu_has(peers, n, "127.0.0.1"));
	cx_freepaddrs(peers);
	ck_assert_int_eq(cx_usrsctp_getpaddrs(cl, id, &peers), n);
	cx_freepaddrs(peers);
	ck_assert_int_eq(cx_usrsctp_getpaddrs(cl, id + 1, &peers), -1);
	ck_assert_int_eq(errno, EINVAL);

	ck_assert_ptr_nonnull(srv = usrsctp_accept(l, NULL, NULL));
	echo_once(cl, srv, "over two paths");
	echo_once(cl, srv, "and back again");

	/* EISCONN: an established socket, and a listening one. */
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 2, &q), -1);
	ck_assert_int_eq(errno, EISCONN);
	ck_assert_int_eq(cx_usrsctp_connectx(l, (struct sockaddr *)(void *)list, 2, &q), -1);
	ck_assert_int_eq(errno, EISCONN);
	/* The record outlives a failed call. */
	ck_assert_int_eq(cx_usrsctp_getassocid(cl, &q), 0);
	ck_assert_uint_eq(q, id);

	usrsctp_close(srv);
	usrsctp_close(cl);
	usrsctp_close(l);
}
END_TEST

/* --------------------------------------------------------------- failover */

/*
 * The first address black-holed: the server listens on 127.0.0.1 only and
 * the stack drops the INIT to ::1 without an ABORT (sysctl blackhole).
 */
static struct socket *
v4_only_server(void)
{
	static const char *const lo4[] = { "127.0.0.1" };
	struct socket *l;

	usrsctp_sysctl_set_sctp_blackhole(2);
	ck_assert_ptr_nonnull(l = uu_listen(AF_INET, lo4, 1, SPORT));
	return l;
}

static size_t
dead_then_live(unsigned char *list)
{
	unsigned char *p = list;

	uu_put(&p, "::1", SPORT);
	uu_put(&p, "127.0.0.1", SPORT);
	return (size_t)(p - list);
}

START_TEST(failover_within_attempt_delay)
{
	unsigned char list[64];
	struct socket *l, *cl;
	struct sockaddr *peers;
	sctp_assoc_t id = 0;
	double t0, ms;
	int n;

	l = v4_only_server();
	ck_assert_int_eq(cx_setdefault(CX_OPT_ATTEMPT_DELAY_MS, D_MS), 0);
	cl = client(AF_INET6);
	dead_then_live(list);
	t0 = uu_now_ms();
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 2, &id), 0);
	ms = uu_now_ms() - t0;
	printf("failover: black-holed ::1, then 127.0.0.1: %.0f ms (D = %d ms)\n", ms, D_MS);
	ck_assert_double_ge(ms, D_MS * 0.8);
	ck_assert_double_lt(ms, D_MS + MARGIN_MS);
	ck_assert_int_eq(uu_state(cl, id), SCTP_ESTABLISHED);

	/* The association kept only the address the server has. */
	n = cx_usrsctp_getpaddrs(cl, id, &peers);
	ck_assert_int_eq(n, 1);
	ck_assert(uu_is(peers, "127.0.0.1"));
	cx_freepaddrs(peers);
	usrsctp_close(cl);
	usrsctp_close(l);
}
END_TEST

/* The same list with usrsctp's own parameters: its 3 s initial RTO. */
START_TEST(failover_with_usrsctp_defaults)
{
	unsigned char list[64];
	struct socket *l, *cl;
	sctp_assoc_t id = 0;
	double t0, ms;

	l = v4_only_server();
	cl = client(AF_INET6);
	dead_then_live(list);
	t0 = uu_now_ms();
	ck_assert_int_eq(usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 2, &id), 0);
	ck_assert_int_eq(uu_wait_established(cl, id, 10000), SCTP_ESTABLISHED);
	ms = uu_now_ms() - t0;
	printf("failover, usrsctp's defaults: %.0f ms\n", ms);
	ck_assert_double_ge(ms, 2500);
	usrsctp_close(cl);
	usrsctp_close(l);
}
END_TEST

/* Nothing answers: the total timeout T bounds the call (ETIMEDOUT). */
START_TEST(total_timeout_bounds_the_call)
{
	unsigned char list[64], *p = list;
	struct socket *cl;
	sctp_assoc_t id = 77, q;
	double t0, ms;

	usrsctp_sysctl_set_sctp_blackhole(2);
	ck_assert_int_eq(cx_setdefault(CX_OPT_ATTEMPT_DELAY_MS, D_MS), 0);
	ck_assert_int_eq(cx_setdefault(CX_OPT_TOTAL_TIMEOUT_MS, 600), 0);
	cl = client(AF_INET6);
	uu_put(&p, "::1", SPORT);
	uu_put(&p, "127.0.0.1", SPORT);
	t0 = uu_now_ms();
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 2, &id), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ms = uu_now_ms() - t0;
	ck_assert_double_ge(ms, 600 * 0.8);
	ck_assert_double_lt(ms, 600 + MARGIN_MS);
	ck_assert_uint_eq(id, 77);		/* *id only on success */
	ck_assert_int_eq(cx_usrsctp_getassocid(cl, &q), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	usrsctp_close(cl);
}
END_TEST

/*
 * The silent peer of init_count_bounds_the_call: a plain UDP socket on
 * both families where the client's SCTP packets arrive and nothing
 * answers.
 */
#define SCTP_CHUNK_INIT		1

static int
silent_peer(uint16_t *port)
{
	struct sockaddr_in6 sin6;
	socklen_t len = sizeof(sin6);
	int fd, off = 0;

	ck_assert_int_ge(fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0), 0);
	ck_assert_int_eq(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)), 0);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin6, &len), 0);
	*port = ntohs(sin6.sin6_port);
	return fd;
}

/*
 * The first chunk type of the next packet from this process's stack (its
 * UDP port: other stacks on the machine may send here too); -1: none left.
 */
static int
silent_peer_next(int fd)
{
	unsigned char pkt[2048];
	struct sockaddr_in6 from;
	socklen_t len;
	ssize_t n;

	do {
		len = sizeof(from);
		if ((n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &len)) < 0)
			return -1;
	} while (ntohs(from.sin6_port) != encaps);
	/* SCTP's common header is 12 bytes; the first chunk's type follows. */
	return n > 12 ? pkt[12] : 0;
}

/*
 * No total timeout: usrsctp itself gives up after max(8, twice the list)
 * INITs, one every D, and says so in SO_ERROR (cx_usrsctp_connectx(3),
 * FAILOVER).  The INITs are counted where they arrive: 8 within the call
 * (usrsctp's own RTO.initial would allow one in 3 s) and none after it.
 * Without the count, a call ended by its own bound with an INIT count left
 * as it was would pass as well.
 *
 * Paced with room: usrsctp's clock is its timer thread's 10 ms steps
 * (one step per wake-up), which runs slow when that thread is woken late,
 * so on a loaded machine its count ends later than 8 D (seen here: calls
 * of 8 D = 160 ms that took 340 ms).  The call's own bound
 * is 8 D + 200 ms, and an INIT still under way then is aborted, leaving
 * SO_ERROR 0 (cx_usrsctp_connectx(3), ERRORS, ETIMEDOUT).  With D = 100 ms
 * usrsctp's clock could run only 25 % slow before that bound came first
 * (seen: SO_ERROR 0 after ETIMEDOUT under load); with D = 20 ms it may run
 * 125 % slow.  Past that, SO_ERROR 0 is taken, but only from a call that
 * lasted its whole bound.
 */
#define INIT_D_MS	20
#define INIT_BOUND_MS	(8 * INIT_D_MS + 200)

START_TEST(init_count_bounds_the_call)
{
	unsigned char list[64], *p = list;
	struct socket *cl;
	socklen_t len = sizeof(int);
	sctp_assoc_t id = 0;
	double t0, ms;
	int err = 0, peer, type, inits = 0, state;
	uint16_t port;

	peer = silent_peer(&port);
	ck_assert_int_eq(cx_setdefault(CX_OPT_ATTEMPT_DELAY_MS, INIT_D_MS), 0);
	ck_assert_ptr_nonnull(cl = uu_socket(AF_INET6, port));
	uu_put(&p, "::1", SPORT);
	uu_put(&p, "127.0.0.1", SPORT);
	t0 = uu_now_ms();
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 2, &id), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ms = uu_now_ms() - t0;
	ck_assert_int_eq(usrsctp_getsockopt(cl, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	state = uu_state(cl, id);
	ck_assert_double_ge(ms, 8 * INIT_D_MS * 0.9);
	ck_assert_double_lt(ms, INIT_BOUND_MS + MARGIN_MS);
	ck_assert_msg(err == ETIMEDOUT || (err == 0 && ms >= INIT_BOUND_MS),
	    "SO_ERROR %d after %.0f ms (bound %d ms)", err, ms, INIT_BOUND_MS);

	/* Anything the stack still sends after the call has 2 D and more to come. */
	usleep((2 * INIT_D_MS + 100) * 1000);
	/*
	 * Gone, or CLOSED while usrsctp's timer thread frees it (loaded
	 * machine).  One the call aborted may still read COOKIE-WAIT right
	 * after it, until usrsctp has freed it: gone by now.
	 */
	if (err == 0 && state > 0 && state != SCTP_CLOSED)
		state = uu_state(cl, id);
	ck_assert_msg(state < 0 || state == SCTP_CLOSED, "association state %d after the call", state);
	while ((type = silent_peer_next(peer)) >= 0)
		inits += type == SCTP_CHUNK_INIT;
	printf("init count: %d INITs in a call of %.0f ms, SO_ERROR %d (%s)\n", inits, ms,
	    err, err == ETIMEDOUT ? "usrsctp's count ended it" : "the call's bound came first");
	ck_assert_int_eq(inits, 8);
	usrsctp_close(cl);
	close(peer);
}
END_TEST

/* No listener and no black hole: the peer's ABORT ends it at once. */
START_TEST(refused)
{
	unsigned char list[64], *p = list;
	struct socket *cl;
	sctp_assoc_t id;
	double t0;

	cl = client(AF_INET);
	uu_put(&p, "127.0.0.1", SPORT + 1);
	t0 = uu_now_ms();
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 1, &id), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_double_lt(uu_now_ms() - t0, MARGIN_MS);
	usrsctp_close(cl);
}
END_TEST

/* ----------------------------------------------------------- non-blocking */

START_TEST(non_blocking)
{
	unsigned char list[64];
	struct socket *l, *cl;
	struct sockaddr *peers;
	sctp_assoc_t id = 0, q = 0;
	int n;

	l = v4_only_server();
	ck_assert_int_eq(cx_setdefault(CX_OPT_ATTEMPT_DELAY_MS, D_MS), 0);
	cl = client(AF_INET6);
	usrsctp_set_non_blocking(cl, 1);
	dead_then_live(list);
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 2, &id), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_uint_ne(id, 0);
	/* EALREADY: under way. */
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 2, &q), -1);
	ck_assert_int_eq(errno, EALREADY);
	ck_assert_int_eq(cx_usrsctp_getassocid(cl, &q), 0);
	ck_assert_uint_eq(q, id);
	ck_assert_int_eq(cx_usrsctp_getpaddrs(cl, 0, &peers), -1);
	ck_assert_int_eq(errno, ENOTCONN);	/* not up yet */

	ck_assert_int_eq(uu_wait_established(cl, id, D_MS + MARGIN_MS), SCTP_ESTABLISHED);
	n = cx_usrsctp_getpaddrs(cl, 0, &peers);
	ck_assert_int_eq(n, 1);
	ck_assert(uu_is(peers, "127.0.0.1"));
	cx_freepaddrs(peers);
	usrsctp_close(cl);
	usrsctp_close(l);
}
END_TEST


/* ------------------------------------------------------------ one-to-many */

/*
 * A one-to-many socket (SOCK_SEQPACKET) holds several associations: the
 * library keeps a record of each (cx_usrsctp_connectx(3), CAVEATS), and a
 * failed call drops only its own.
 */
START_TEST(one_to_many_keeps_each_association)
{
	static const char *const lo4[] = { "127.0.0.1" };
	unsigned char a[64], b[64], dead[64], *p;
	struct socket *l1, *l2, *cl;
	struct sockaddr *peers;
	sctp_assoc_t id1 = 0, id2 = 0, q = 0, idf = 99;

	ck_assert_ptr_nonnull(l1 = uu_listen(AF_INET, lo4, 1, SPORT));
	ck_assert_ptr_nonnull(l2 = uu_listen(AF_INET, lo4, 1, SPORT + 2));
	ck_assert_ptr_nonnull(cl = uu_socket_type(AF_INET, SOCK_SEQPACKET, encaps));
	p = a; uu_put(&p, "127.0.0.1", SPORT);
	p = b; uu_put(&p, "127.0.0.1", SPORT + 2);
	p = dead; uu_put(&p, "127.0.0.1", SPORT + 4);	/* no listener */

	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)a, 1, &id1), 0);
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)b, 1, &id2), 0);
	ck_assert_uint_ne(id1, id2);
	/* Both recorded: each answers for its own peer. */
	ck_assert_int_eq(cx_usrsctp_getpaddrs(cl, id1, &peers), 1);
	ck_assert_uint_eq(ntohs(((struct sockaddr_in *)(void *)peers)->sin_port), SPORT);
	cx_freepaddrs(peers);
	ck_assert_int_eq(cx_usrsctp_getpaddrs(cl, id2, &peers), 1);
	ck_assert_uint_eq(ntohs(((struct sockaddr_in *)(void *)peers)->sin_port), SPORT + 2);
	cx_freepaddrs(peers);
	ck_assert_int_eq(cx_usrsctp_getassocid(cl, &q), 0);
	ck_assert_uint_eq(q, id2);		/* the newest */

	/*
	 * A blocking call that fails (the peer aborts: no listener) leaves
	 * the records of the associations still up.  A one-to-many socket
	 * reports its failures as ETIMEDOUT (cx_usrsctp_connectx(3),
	 * COMPATIBILITY).
	 */
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)dead, 1, &idf), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_uint_eq(idf, 99);
	ck_assert_int_eq(uu_state(cl, id1), SCTP_ESTABLISHED);
	ck_assert_int_eq(cx_usrsctp_getpaddrs(cl, id1, &peers), 1);
	cx_freepaddrs(peers);
	ck_assert_int_eq(cx_usrsctp_getpaddrs(cl, id2, &peers), 1);
	cx_freepaddrs(peers);
	ck_assert_int_eq(cx_usrsctp_getassocid(cl, &q), 0);
	ck_assert_uint_eq(q, id2);
	usrsctp_close(cl);
	usrsctp_close(l1);
	usrsctp_close(l2);
}
END_TEST

/* What a socket's own timer settings are, as the application reads them. */
struct timers {
	struct sctp_rtoinfo	rto;
	struct sctp_initmsg	init;
};

static void
read_timers(struct socket *so, struct timers *t)
{
	socklen_t len;

	memset(t, 0, sizeof(*t));
	t->rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
	len = sizeof(t->rto);
	ck_assert_int_eq(usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_RTOINFO, &t->rto, &len), 0);
	len = sizeof(t->init);
	ck_assert_int_eq(usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_INITMSG, &t->init, &len), 0);
}

struct racer {
	struct socket		*so;
	unsigned char		 list[64];
	pthread_barrier_t	*start;
	int			 ret, err;
};

static void *
race(void *arg)
{
	struct racer *r = arg;
	sctp_assoc_t id;

	pthread_barrier_wait(r->start);
	r->ret = cx_usrsctp_connectx(r->so, (struct sockaddr *)(void *)r->list, 1, &id);
	r->err = errno;
	return NULL;
}

/*
 * Two threads connect one one-to-many socket at once: afterwards the
 * socket's own RTO and INIT settings are back, whatever the interleaving
 * (cx_usrsctp_connectx(3), FAILOVER; libconnectx(3): every call is
 * thread-safe).
 */
START_TEST(two_threads_one_socket_keep_its_timers)
{
	static const char *const lo4[] = { "127.0.0.1" };
	struct sctp_rtoinfo mine = { SCTP_FUTURE_ASSOC, 2000, 50000, 900 };
	struct sctp_initmsg init = { 0, 5, 0, 40000 };
	struct socket *l1, *l2, *cl, *s1, *s2;
	struct timers before, after;
	struct racer r[2];
	pthread_barrier_t start;
	pthread_t t[2];
	unsigned char *p;
	int round, i;

	ck_assert_ptr_nonnull(l1 = uu_listen(AF_INET, lo4, 1, SPORT));
	ck_assert_ptr_nonnull(l2 = uu_listen(AF_INET, lo4, 1, SPORT + 2));
	ck_assert_int_eq(pthread_barrier_init(&start, NULL, 2), 0);
	for (round = 0; round < 30; round++) {
		ck_assert_ptr_nonnull(cl = uu_socket_type(AF_INET, SOCK_SEQPACKET, encaps));
		ck_assert_int_eq(usrsctp_setsockopt(cl, IPPROTO_SCTP, SCTP_RTOINFO,
		    &mine, sizeof(mine)), 0);
		ck_assert_int_eq(usrsctp_setsockopt(cl, IPPROTO_SCTP, SCTP_INITMSG,
		    &init, sizeof(init)), 0);
		read_timers(cl, &before);
		ck_assert_uint_eq(before.rto.srto_initial, 2000);
		for (i = 0; i < 2; i++) {
			r[i].so = cl;
			r[i].start = &start;
			p = r[i].list;
			uu_put(&p, "127.0.0.1", i == 0 ? SPORT : SPORT + 2);
			ck_assert_int_eq(pthread_create(&t[i], NULL, race, &r[i]), 0);
		}
		for (i = 0; i < 2; i++) {
			pthread_join(t[i], NULL);
			ck_assert_msg(r[i].ret == 0, "round %d thread %d: %s", round, i,
			    strerror(r[i].err));
		}
		/* The listeners' accept queues (backlog 8) must not fill up. */
		ck_assert_ptr_nonnull(s1 = usrsctp_accept(l1, NULL, NULL));
		ck_assert_ptr_nonnull(s2 = usrsctp_accept(l2, NULL, NULL));
		usrsctp_close(s1);
		usrsctp_close(s2);
		read_timers(cl, &after);
		ck_assert_msg(after.rto.srto_initial == 2000 && after.rto.srto_min == 900 &&
		    after.rto.srto_max == 50000,
		    "round %d: RTO initial/min/max %u/%u/%u, want 2000/900/50000", round,
		    after.rto.srto_initial, after.rto.srto_min, after.rto.srto_max);
		ck_assert_msg(after.init.sinit_max_attempts == before.init.sinit_max_attempts &&
		    after.init.sinit_max_init_timeo == before.init.sinit_max_init_timeo,
		    "round %d: INIT attempts/timeout %u/%u, want %u/%u", round,
		    after.init.sinit_max_attempts, after.init.sinit_max_init_timeo,
		    before.init.sinit_max_attempts, before.init.sinit_max_init_timeo);
		usrsctp_close(cl);
	}
	pthread_barrier_destroy(&start);
	usrsctp_close(l1);
	usrsctp_close(l2);
}
END_TEST

/* -------------------------------------------- failover during the association */

#include "usrsctp_thlds.h"

struct assoc_params {
	struct sctp_rtoinfo	rto;
	struct sctp_paddrthlds	th;
	struct sctp_paddrparams	pp;
	struct sctp_assocparams	ap;
};

static void
read_params(struct socket *so, sctp_assoc_t id, struct assoc_params *p)
{
	socklen_t len;

	memset(p, 0, sizeof(*p));
	p->rto.srto_assoc_id = id;
	len = sizeof(p->rto);
	ck_assert_int_eq(usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_RTOINFO, &p->rto, &len), 0);
	p->th.spt_assoc_id = id;
	p->th.spt_address.ss_family = AF_INET;
	len = sizeof(p->th);
	ck_assert_int_eq(usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_THLDS, &p->th, &len), 0);
	p->pp.spp_assoc_id = id;
	p->pp.spp_address.ss_family = AF_INET;
	len = sizeof(p->pp);
	ck_assert_int_eq(usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &p->pp, &len), 0);
	p->ap.sasoc_assoc_id = id;
	len = sizeof(p->ap);
	ck_assert_int_eq(usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_ASSOCINFO, &p->ap, &len), 0);
}

/*
 * cx_usrsctp_connectx(3), FAILOVER DURING THE ASSOCIATION: once up, the
 * association has PF threshold 0 (path.max.retrans kept), RTO.min F,
 * RTO.max 4F, heartbeats every F and Association.Max.Retrans 3; the
 * socket's own values are untouched.
 */
START_TEST(failover_policy_on_the_association)
{
	static const char *const lo4[] = { "127.0.0.1" };
	unsigned char list[64], *p = list;
	struct assoc_params a, sock;
	struct socket *l, *cl;
	sctp_assoc_t id;

	ck_assert_int_eq(cx_setdefault(CX_OPT_FAILOVER_MS, 120), 0);
	ck_assert_ptr_nonnull(l = uu_listen(AF_INET, lo4, 1, SPORT));
	cl = client(AF_INET);
	uu_put(&p, "127.0.0.1", SPORT);
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 1, &id), 0);
	read_params(cl, id, &a);
	ck_assert_uint_eq(a.rto.srto_min, 120);
	ck_assert_uint_eq(a.rto.srto_max, 480);
	ck_assert_uint_eq(a.th.spt_pathpfthld, 0);
	ck_assert_uint_eq(a.th.spt_pathmaxrxt, usrsctp_sysctl_get_sctp_path_rtx_max_default());
	ck_assert_uint_eq(a.pp.spp_hbinterval, 120);
	ck_assert_uint_eq(a.ap.sasoc_asocmaxrxt, 3);
	usrsctp_close(cl);
	usrsctp_close(l);

	/* A one-to-many socket: the endpoint keeps usrsctp's own values. */
	cl = uu_socket_type(AF_INET, SOCK_SEQPACKET, encaps);
	ck_assert_ptr_nonnull(cl);
	ck_assert_ptr_nonnull(l = uu_listen(AF_INET, lo4, 1, SPORT + 2));
	p = list;
	uu_put(&p, "127.0.0.1", SPORT + 2);
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 1, &id), 0);
	read_params(cl, id, &a);
	ck_assert_uint_eq(a.rto.srto_min, 120);
	read_params(cl, SCTP_FUTURE_ASSOC, &sock);
	ck_assert_uint_eq(sock.rto.srto_min, usrsctp_sysctl_get_sctp_rto_min_default());
	ck_assert_uint_eq(sock.rto.srto_max, usrsctp_sysctl_get_sctp_rto_max_default());
	ck_assert_uint_eq(sock.pp.spp_hbinterval, usrsctp_sysctl_get_sctp_heartbeat_interval_default());
	usrsctp_close(cl);
	usrsctp_close(l);
}
END_TEST

/* What the application set on the socket itself before the call stays. */
START_TEST(failover_policy_keeps_the_applications_own)
{
	static const char *const lo4[] = { "127.0.0.1" };
	struct sctp_rtoinfo rto = { SCTP_FUTURE_ASSOC, 0, 0, 777 };
	struct sctp_paddrparams pp;
	unsigned char list[64], *p = list;
	struct assoc_params a;
	struct socket *l, *cl;
	sctp_assoc_t id;

	ck_assert_int_eq(cx_setdefault(CX_OPT_FAILOVER_MS, 120), 0);
	ck_assert_ptr_nonnull(l = uu_listen(AF_INET, lo4, 1, SPORT));
	cl = client(AF_INET);
	ck_assert_int_eq(usrsctp_setsockopt(cl, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof(rto)), 0);
	memset(&pp, 0, sizeof(pp));
	pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
	pp.spp_hbinterval = 4321;
	pp.spp_flags = SPP_HB_ENABLE;
	ck_assert_int_eq(usrsctp_setsockopt(cl, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp)), 0);
	uu_put(&p, "127.0.0.1", SPORT);
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 1, &id), 0);
	read_params(cl, id, &a);
	ck_assert_uint_eq(a.rto.srto_min, 777);		/* its own */
	ck_assert_uint_eq(a.rto.srto_max, 777);		/* 4F = 480, raised to its minimum */
	ck_assert_uint_eq(a.pp.spp_hbinterval, 4321);	/* its own */
	ck_assert_uint_eq(a.th.spt_pathpfthld, 0);
	ck_assert_uint_eq(a.ap.sasoc_asocmaxrxt, 3);
	usrsctp_close(cl);
	usrsctp_close(l);
}
END_TEST

/* A non-blocking call: the policy is applied by the first query that sees it up. */
START_TEST(failover_policy_after_non_blocking_call)
{
	static const char *const lo4[] = { "127.0.0.1" };
	unsigned char list[64], *p = list;
	struct cx_usrsctp_path *paths;
	struct assoc_params a;
	struct socket *l, *cl;
	sctp_assoc_t id, q;

	ck_assert_int_eq(cx_setdefault(CX_OPT_FAILOVER_MS, 120), 0);
	ck_assert_ptr_nonnull(l = uu_listen(AF_INET, lo4, 1, SPORT));
	cl = client(AF_INET);
	usrsctp_set_non_blocking(cl, 1);
	uu_put(&p, "127.0.0.1", SPORT);
	ck_assert_int_eq(cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 1, &id), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_int_eq(uu_wait_established(cl, id, 3000), SCTP_ESTABLISHED);
	ck_assert_int_eq(cx_usrsctp_getassocid(cl, &q), 0);
	read_params(cl, id, &a);
	ck_assert_uint_eq(a.rto.srto_min, 120);
	ck_assert_uint_eq(a.th.spt_pathpfthld, 0);
	/* The path states: one path, the primary, active. */
	ck_assert_int_eq(cx_usrsctp_getpaths(cl, 0, &paths), 1);
	ck_assert(uu_is((struct sockaddr *)&paths[0].cp_addr, "127.0.0.1"));
	ck_assert_int_eq(paths[0].cp_state, SCTP_ACTIVE);
	ck_assert_int_eq(paths[0].cp_primary, 1);
	ck_assert_uint_ge(paths[0].cp_rto_ms, 120);
	cx_usrsctp_freepaths(paths);
	ck_assert_int_eq(cx_usrsctp_getpaths(cl, id + 1, &paths), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(cx_usrsctp_getpaths(cl, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(cx_usrsctp_getpaths(NULL, 0, &paths), -1);
	ck_assert_int_eq(errno, EBADF);
	usrsctp_close(cl);
	usrsctp_close(l);
}
END_TEST

/* ------------------------------------------------------------ cxconnect -S */

/*
 * cxconnect(1), -S: the tool connects over usrsctp (its own stack,
 * UDP-encapsulated to the echo server's port), pipes stdin to the peer and
 * the peer to stdout, and with -v names the association and its paths.
 */
START_TEST(cxconnect_over_usrsctp)
{
	static const char *const lo4[] = { "127.0.0.1" };
	const char *b = getenv("top_builddir");
	uint16_t sport_udp = usstack_free_port();
	char cmd[512], out[256] = "", err[1024] = "";
	pid_t server;
	FILE *f;
	size_t n;
	int status;

	server = uu_server_fork(sport_udp, AF_INET, lo4, 1, SPORT);
	ck_assert_int_gt(server, 0);
	snprintf(cmd, sizeof(cmd), "printf 'over usrsctp' | %s/tools/cxconnect -v -S %u "
	    "127.0.0.1:%d 2>/tmp/cxconnect_sctp.err.%d", b ? b : ".", sport_udp, SPORT,
	    (int)getpid());
	ck_assert_ptr_nonnull(f = popen(cmd, "r"));
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	status = pclose(f);
	snprintf(cmd, sizeof(cmd), "/tmp/cxconnect_sctp.err.%d", (int)getpid());
	if ((f = fopen(cmd, "r")) != NULL) {
		n = fread(err, 1, sizeof(err) - 1, f);
		err[n] = '\0';
		fclose(f);
		unlink(cmd);
	}
	uu_server_stop(server);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit %d: %s", status, err);
	ck_assert_msg(strcmp(out, "over usrsctp") == 0, "out '%s'; stderr: %s", out, err);
	ck_assert_msg(strstr(err, "SCTP association") != NULL &&
	    strstr(err, "path 127.0.0.1 active, primary") != NULL, "-v said: %s", err);
}
END_TEST

/* ------------------------------------- cx_usrsctp_connectx(3) ERRORS */

static struct socket *fresh;

static void
rows_setup(void)
{
	setup();
	fresh = client(AF_INET);
}

static int
try(const void *list, int cnt)
{
	sctp_assoc_t id = 12345;
	int r;

	errno = 0;
	r = cx_usrsctp_connectx(fresh, list, cnt, &id);
	ck_assert_uint_eq(id, 12345);
	return r == -1 ? errno : 0;
}

START_TEST(ebadf_null_socket)
{
	unsigned char list[64], *p = list;
	sctp_assoc_t id;

	uu_put(&p, "127.0.0.1", SPORT);
	ck_assert_int_eq(cx_usrsctp_connectx(NULL, (struct sockaddr *)(void *)list, 1, &id), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(cx_usrsctp_getassocid(NULL, &id), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

START_TEST(einval_row1_no_list)
{
	unsigned char list[64], *p = list;

	uu_put(&p, "127.0.0.1", SPORT);
	ck_assert_int_eq(try(NULL, 1), EINVAL);
	ck_assert_int_eq(try(list, 0), EINVAL);
	ck_assert_int_eq(try(list, -1), EINVAL);
}
END_TEST

START_TEST(e2big_row2_usrsctp_limit)
{
	static unsigned char list[200 * sizeof(struct sockaddr_in6)];
	unsigned char *p;
	char a[32];
	int i;

	/* 74 IPv6 entries: 2072 bytes (usrsctp takes 2044 besides its count). */
	for (p = list, i = 0; i < 74; i++)
		uu_put(&p, "::1", SPORT);
	ck_assert_int_eq(try(list, 74), E2BIG);
	/* 73 (2044 bytes) fit: the next check decides (its last port differs). */
	for (p = list, i = 0; i < 73; i++)
		uu_put(&p, "::1", i == 72 ? SPORT + 1 : SPORT);
	ck_assert_int_eq(try(list, 73), EINVAL);
	/* 128 IPv4 entries: 2048 + 4 bytes in usrsctp's buffer. */
	for (p = list, i = 0; i < 128; i++) {
		snprintf(a, sizeof(a), "127.0.%d.%d", i / 200, 1 + i % 200);
		uu_put(&p, a, SPORT);
	}
	ck_assert_int_eq(try(list, 128), E2BIG);
	/* 127 fit: the next check decides (its last port differs). */
	for (p = list, i = 0; i < 127; i++)
		uu_put(&p, "127.0.0.1", i == 126 ? SPORT + 1 : SPORT);
	ck_assert_int_eq(try(list, 127), EINVAL);
}
END_TEST

START_TEST(e2big_row1_over_64k)
{
	size_t n = 65536 / sizeof(struct sockaddr_in6) + 2;
	unsigned char *list = calloc(n, sizeof(struct sockaddr_in6)), *p = list;
	size_t i;

	ck_assert_ptr_nonnull(list);
	for (i = 0; i < n; i++)
		uu_put(&p, "::1", SPORT);
	ck_assert_int_eq(try(list, (int)n), E2BIG);
	ck_assert_int_eq(try(list, 0x7fffffff), E2BIG);
	free(list);
}
END_TEST

START_TEST(einval_row2_bad_family)
{
	unsigned char list[64], *p = list;
	struct sockaddr_in sin;

	uu_put(&p, "127.0.0.1", SPORT);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_UNIX;
	memcpy(p, &sin, sizeof(sin));
	ck_assert_int_eq(try(list, 2), EINVAL);
}
END_TEST

/* Left to usrsctp (it cannot be asked a socket's family): still EINVAL. */
START_TEST(einval_row4_ipv6_on_ipv4_socket)
{
	unsigned char list[64], *p = list;

	uu_put(&p, "::1", SPORT);
	ck_assert_int_eq(try(list, 1), EINVAL);
}
END_TEST

START_TEST(einval_row3_addresses)
{
	unsigned char list[64], *p;

	p = list; uu_put(&p, "0.0.0.0", SPORT);
	ck_assert_int_eq(try(list, 1), EINVAL);
	p = list; uu_put(&p, "::", SPORT);
	ck_assert_int_eq(try(list, 1), EINVAL);
	p = list; uu_put(&p, "224.0.0.1", SPORT);
	ck_assert_int_eq(try(list, 1), EINVAL);
	p = list; uu_put(&p, "ff02::1", SPORT);
	ck_assert_int_eq(try(list, 1), EINVAL);
	p = list; uu_put(&p, "255.255.255.255", SPORT);
	ck_assert_int_eq(try(list, 1), EINVAL);
	p = list; uu_put(&p, "::ffff:0.0.0.0", SPORT);
	ck_assert_int_eq(try(list, 1), EINVAL);
	p = list; uu_put(&p, "127.0.0.1", 0);
	ck_assert_int_eq(try(list, 1), EINVAL);
	p = list; uu_put(&p, "127.0.0.1", SPORT); uu_put(&p, "127.0.0.2", SPORT + 1);
	ck_assert_int_eq(try(list, 2), EINVAL);
}
END_TEST

/* A failed check leaves the socket as it was: it still connects. */
START_TEST(checks_leave_socket_usable)
{
	static const char *const lo4[] = { "127.0.0.1" };
	unsigned char list[64], *p = list;
	struct socket *l;
	sctp_assoc_t id;

	ck_assert_ptr_nonnull(l = uu_listen(AF_INET, lo4, 1, SPORT));
	uu_put(&p, "127.0.0.1", 0);
	ck_assert_int_eq(try(list, 1), EINVAL);
	p = list;
	uu_put(&p, "127.0.0.1", SPORT);
	ck_assert_int_eq(cx_usrsctp_connectx(fresh, (struct sockaddr *)(void *)list, 1, &id), 0);
	ck_assert_int_eq(uu_state(fresh, id), SCTP_ESTABLISHED);
	usrsctp_close(l);
}
END_TEST

/* Queries on a socket cx_usrsctp_connectx never touched. */
START_TEST(queries_without_record)
{
	struct sockaddr *peers;
	sctp_assoc_t id;

	ck_assert_int_eq(cx_usrsctp_getassocid(fresh, &id), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(cx_usrsctp_getpaddrs(fresh, 0, &peers), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(cx_usrsctp_getassocid(fresh, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(cx_usrsctp_getpaddrs(fresh, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

static Suite *
usrsctp_suite(void)
{
	Suite *s = suite_create("usrsctp");
	TCase *tc;

	tc = tcase_create("paths");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, two_paths_v6_and_v4);
	tcase_add_test(tc, failover_within_attempt_delay);
	tcase_add_test(tc, failover_with_usrsctp_defaults);
	tcase_add_test(tc, total_timeout_bounds_the_call);
	tcase_add_test(tc, init_count_bounds_the_call);
	tcase_add_test(tc, refused);
	tcase_add_test(tc, non_blocking);
	suite_add_tcase(s, tc);

	tc = tcase_create("one_to_many");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, one_to_many_keeps_each_association);
	tcase_add_test(tc, two_threads_one_socket_keep_its_timers);
	suite_add_tcase(s, tc);

	tc = tcase_create("failover_policy");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, failover_policy_on_the_association);
	tcase_add_test(tc, failover_policy_keeps_the_applications_own);
	tcase_add_test(tc, failover_policy_after_non_blocking_call);
	suite_add_tcase(s, tc);

	/*
	 * No stack in this process (no setup): the tool is the client, and
	 * the server is forked before any usrsctp thread exists here
	 * (usrsctp_util.h, uu_server_fork).
	 */
	tc = tcase_create("cxconnect");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, cxconnect_over_usrsctp);
	suite_add_tcase(s, tc);

	tc = tcase_create("rows");
	tcase_add_checked_fixture(tc, rows_setup, NULL);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, ebadf_null_socket);
	tcase_add_test(tc, einval_row1_no_list);
	tcase_add_test(tc, e2big_row2_usrsctp_limit);
	tcase_add_test(tc, e2big_row1_over_64k);
	tcase_add_test(tc, einval_row2_bad_family);
	tcase_add_test(tc, einval_row4_ipv6_on_ipv4_socket);
	tcase_add_test(tc, einval_row3_addresses);
	tcase_add_test(tc, checks_leave_socket_usable);
	tcase_add_test(tc, queries_without_record);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(usrsctp_suite());
	/* One stack per test: each must run in a process of its own. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
