/*
 * The full stagger on a non-blocking socket, driven by an event loop
 * (libconnectx(3), "Non-blocking use"): the loop watches what cx_fds()
 * returns for at most cx_timeout() and calls cx_step(); later attempts run
 * on clones beside the first, a slow but live first address still wins,
 * and the winner ends on the user's descriptor.  Once with poll(2), once
 * with libuv (where configure found it), and the old loop that watches the
 * user's descriptor alone still runs one attempt at a time.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <check.h>
#ifdef HAVE_LIBUV
#include <uv.h>
#endif

#include "connectx.h"
#include "testutil.h"

/* The list most tests here run: [black hole, live listener], IPv4. */
static void
black_hole_then_live(struct blackhole *b, struct listener *live,
    struct tu_dlist *dl)
{
	ck_assert_int_eq(tu_blackhole(b, AF_INET), 0);
	ck_assert_int_eq(tu_listen(live, AF_INET, 16), 0);
	tu_dl_add(dl, &b->l.addr, b->l.addrlen);
	tu_dl_add(dl, &live->addr, live->addrlen);
}

/* connectx on a non-blocking socket: -1/EINPROGRESS expected. */
static void
start(int fd, const struct tu_dlist *dl, long d)
{
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, d), 0);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_HISTORY, 0), 0);
	ck_assert_int_eq(tu_connectx(fd, dl->a, dl->l, dl->n), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
}

/* The loop an application writes with poll(2); cx_step's result. */
static int
poll_loop(int fd, int max_watched)
{
	struct pollfd pfd[16];
	int n, wait_ms, seen = 0;

	for (;;) {
		n = cx_fds(fd, pfd, 16);
		ck_assert_int_ge(n, 0);
		ck_assert_int_le(n, 16);
		if (n > seen)
			seen = n;
		ck_assert_int_eq(cx_timeout(fd, &wait_ms), 0);
		ck_assert_int_ne(poll(pfd, (nfds_t)n, wait_ms), -1);
		if (cx_step(fd, NULL) == 0)
			break;
		if (errno != EINPROGRESS)
			return errno;
	}
	ck_assert_int_le(seen, max_watched);
	return 0;
}

/* [black hole, live]: the live attempt starts at D on a clone and wins. */
START_TEST(test_poll_loop_runs_attempts_in_parallel)
{
	struct blackhole b;
	struct listener live;
	struct tu_dlist dl = { .n = 0 };
	struct cx_attempt *at;
	uint64_t cookie;
	double t0, took;
	int fd;

	black_hole_then_live(&b, &live, &dl);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	cookie = tu_cookie(fd);
	t0 = tu_now_ms();
	start(fd, &dl, 50);
	ck_assert_int_eq(poll_loop(fd, 2), 0);
	took = tu_now_ms() - t0;
	/* The upper bound's slack: tu_margin_ms(), widened in the kernel lane
	 * (HACKING.md, The kernel lane), where each of the loop's calls is a
	 * ptrace round trip: 506 ms there under load. */
	ck_assert_msg(took >= 49 && took < 50 + tu_margin_ms(250), "connected after %.0f ms", took);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
	ck_assert(tu_is_connected(fd));
	/* The winner is on the user's descriptor, still non-blocking. */
	ck_assert(tu_cookie(fd) != cookie);
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ck_assert_int_eq(cx_getattempts(fd, 0, &at), 2);
	ck_assert_int_eq(at[0].ca_error, ECANCELED);	/* ran beside it */
	ck_assert_int_eq(at[1].ca_error, 0);
	cx_freeattempts(at);
	close(fd);
	tu_blackhole_close(&b);
	close(live.fd);
}
END_TEST

/*
 * The winner moved onto the user's descriptor keeps the descriptor's file
 * status flags as they are when it moves, not as they were when connectx
 * began (libconnectx(3), "Non-blocking use": "keeping fd's file status
 * flags"): an application that clears O_NONBLOCK between two cx_step()
 * calls, to use the connection with blocking calls once it is up, gets a
 * blocking socket.  Each row is what the application does between the
 * calls, and the O_NONBLOCK it must find on the winner.
 */
static const struct {
	const char	*what;
	bool		 clear_nonblock;
} flag_rows[] = {
	{ "flags left as they were", false },
	{ "O_NONBLOCK cleared between the calls", true },
};

START_TEST(test_winner_keeps_the_flags_the_descriptor_has_when_it_moves)
{
	struct blackhole b;
	struct listener live;
	struct tu_dlist dl = { .n = 0 };
	uint64_t cookie;
	int fd, flags;

	black_hole_then_live(&b, &live, &dl);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	cookie = tu_cookie(fd);
	start(fd, &dl, 50);
	if (flag_rows[_i].clear_nonblock) {
		flags = fcntl(fd, F_GETFL);
		ck_assert_int_eq(fcntl(fd, F_SETFL, flags & ~O_NONBLOCK), 0);
	}
	ck_assert_int_eq(poll_loop(fd, 2), 0);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
	ck_assert(tu_cookie(fd) != cookie);	/* a clone won and moved */
	ck_assert(tu_is_connected(fd));
	flags = fcntl(fd, F_GETFL);
	ck_assert_msg(!(flags & O_NONBLOCK) == flag_rows[_i].clear_nonblock,
	    "%s: the winner is %sblocking", flag_rows[_i].what,
	    (flags & O_NONBLOCK) ? "non-" : "");
	close(fd);
	tu_blackhole_close(&b);
	close(live.fd);
}
END_TEST

START_TEST(test_poll_loop_slow_but_live_first_address_wins)
{
	struct blackhole slow, dead;
	struct tu_dlist dl = { .n = 0 };
	struct tu_unblock u;
	pthread_t t;
	int fd;

	ck_assert_int_eq(tu_blackhole(&slow, AF_INET), 0);
	ck_assert_int_eq(tu_blackhole(&dead, AF_INET), 0);
	tu_dl_add(&dl, &slow.l.addr, slow.l.addrlen);
	tu_dl_add(&dl, &dead.l.addr, dead.l.addrlen);
	/* Freed 100 ms on: its SYN retransmission is answered. */
	u.b = &slow;
	u.after_ms = 100;
	u.started = -1;
	pthread_create(&t, NULL, tu_unblock_later, &u);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_TOTAL_TIMEOUT_MS, 5000), 0);
	start(fd, &dl, 300);
	ck_assert_int_eq(poll_loop(fd, 2), 0);
	pthread_join(t, NULL);
	tu_assert_slow_first_won(fd, 300);
	close(fd);
	tu_blackhole_close(&slow);
	tu_blackhole_close(&dead);
}
END_TEST

/* A loop that polls the user's descriptor alone: one attempt at a time. */
START_TEST(test_loop_without_cx_fds_runs_one_at_a_time)
{
	struct blackhole b;
	struct listener live;
	struct tu_dlist dl = { .n = 0 };
	struct pollfd pfd;
	struct cx_attempt *at;
	uint64_t cookie;
	int fd, wait_ms;

	black_hole_then_live(&b, &live, &dl);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	cookie = tu_cookie(fd);
	start(fd, &dl, 50);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	wait_ms = 50;
	while (cx_step(fd, &wait_ms) == -1) {
		ck_assert_int_eq(errno, EINPROGRESS);
		ck_assert_int_ne(poll(&pfd, 1, wait_ms), -1);
	}
	ck_assert_int_eq(cx_getattempts(fd, 0, &at), 2);
	ck_assert_int_eq(at[0].ca_error, ETIMEDOUT);	/* given up at D */
	ck_assert_int_eq(at[1].ca_error, 0);
	cx_freeattempts(at);
	ck_assert(tu_cookie(fd) == cookie);
	close(fd);
	tu_blackhole_close(&b);
	close(live.fd);
}
END_TEST

/*
 * The same loop, and the application clears O_NONBLOCK after connectx, to
 * use the connection with blocking calls once it is up.  The attempts
 * that cx_step() starts on the descriptor still never wait for their
 * handshakes (libconnectx(3), "Non-blocking use": O_NONBLOCK is set for
 * the start alone), and the connection ends up with the flags the
 * application left: blocking.  [black hole, black hole, live]: the second
 * black hole's start would block for its whole SYN timeout.
 */
START_TEST(test_loop_without_cx_fds_when_the_application_cleared_nonblock)
{
	struct blackhole b[2];
	struct listener live;
	struct tu_dlist dl = { .n = 0 };
	struct pollfd pfd;
	struct cx_attempt *at;
	double t, slowest = 0;
	int fd, wait_ms, i;

	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(tu_blackhole(&b[i], AF_INET), 0);
		tu_dl_add(&dl, &b[i].l.addr, b[i].l.addrlen);
	}
	ck_assert_int_eq(tu_listen(&live, AF_INET, 16), 0);
	tu_dl_add(&dl, &live.addr, live.addrlen);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_TOTAL_TIMEOUT_MS, 5000), 0);
	start(fd, &dl, 50);
	ck_assert_int_eq(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK), 0);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	wait_ms = 50;
	for (;;) {
		t = tu_now_ms();
		i = cx_step(fd, &wait_ms);
		t = tu_now_ms() - t;
		if (t > slowest)
			slowest = t;
		if (i == 0)
			break;
		ck_assert_int_eq(errno, EINPROGRESS);
		ck_assert_int_ne(poll(&pfd, 1, wait_ms), -1);
	}
	/* A start that waited would take the SYN timeout (about 127 s). */
	ck_assert_msg(slowest < tu_margin_ms(1000), "a cx_step took %.0f ms", slowest);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 2);
	ck_assert(tu_is_connected(fd));
	ck_assert_msg(!(fcntl(fd, F_GETFL) & O_NONBLOCK), "the winner is non-blocking");
	ck_assert_int_eq(cx_getattempts(fd, 0, &at), 3);
	ck_assert_int_eq(at[0].ca_error, ETIMEDOUT);
	ck_assert_int_eq(at[1].ca_error, ETIMEDOUT);
	ck_assert_int_eq(at[2].ca_error, 0);
	cx_freeattempts(at);
	close(fd);
	for (i = 0; i < 2; i++)
		tu_blackhole_close(&b[i]);
	close(live.fd);
}
END_TEST

/*
 * An observer is the application's code too (libconnectx(3), Observer):
 * one that clears O_NONBLOCK when told the first attempt begins does not
 * make the non-blocking connectx wait for that attempt's handshake; the
 * run goes on from the loop and the connection ends up blocking, as the
 * application left the descriptor.
 */
static void
clear_nonblock_once(int fd, const struct cx_attempt *a, void *arg)
{
	int *done = arg;

	if (a->ca_error == EINPROGRESS && !*done) {
		*done = 1;
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	}
}

START_TEST(test_observer_that_clears_nonblock_does_not_make_connectx_wait)
{
	struct blackhole b;
	struct listener live;
	struct tu_dlist dl = { .n = 0 };
	struct pollfd pfd;
	double t;
	int fd, wait_ms, done = 0;

	black_hole_then_live(&b, &live, &dl);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	ck_assert_int_eq(cx_setobserver(fd, clear_nonblock_once, &done), 0);
	t = tu_now_ms();
	start(fd, &dl, 50);
	t = tu_now_ms() - t;
	ck_assert_int_eq(done, 1);
	/* A start that waited would take the SYN timeout (about 127 s). */
	ck_assert_msg(t < tu_margin_ms(1000), "connectx took %.0f ms", t);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	wait_ms = 50;
	while (cx_step(fd, &wait_ms) == -1) {
		ck_assert_int_eq(errno, EINPROGRESS);
		ck_assert_int_ne(poll(&pfd, 1, wait_ms), -1);
	}
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 1);
	ck_assert(tu_is_connected(fd));
	ck_assert_msg(!(fcntl(fd, F_GETFL) & O_NONBLOCK), "the winner is non-blocking");
	close(fd);
	tu_blackhole_close(&b);
	close(live.fd);
}
END_TEST

/*
 * disconnectx(2) with the association's own ID, from the observer while
 * cx_step() starts the next attempt: the run is under way, so its ID is
 * the socket's current one (disconnectx(2) ERRORS, EINVAL: "the ID of an
 * association established or under way"; cx_getassocid in libconnectx(3)),
 * as it is between two steps.  The call abandons the run (libconnectx(3),
 * Observer): cx_step fails with ECONNABORTED and nothing connects.  Each
 * row is a loop: with cx_fds (the next attempt on a clone) and without
 * (one at a time on the descriptor).
 */
struct disconnect_at_next {
	cx_sctp_assoc_t	 id;		/* as cx_getassocid said between steps */
	int		 called;
	int		 getid_rc, getid_errno;
	cx_sctp_assoc_t	 got;
	int		 rc, err;
};

static void
disconnect_at_next(int fd, const struct cx_attempt *a, void *arg)
{
	struct disconnect_at_next *o = arg;

	if (a->ca_index != 1 || a->ca_error != EINPROGRESS || o->called)
		return;
	o->called = 1;
	o->getid_rc = cx_getassocid(fd, &o->got);
	o->getid_errno = errno;
	o->rc = disconnectx(fd, (sae_associd_t)o->id, SAE_CONNID_ANY);
	o->err = errno;
}

START_TEST(test_observer_disconnectx_with_the_runs_id_inside_cx_step)
{
	struct blackhole b;
	struct listener live;
	struct tu_dlist dl = { .n = 0 };
	struct disconnect_at_next o = { 0 };
	struct pollfd pfd;
	int fd, r, wait_ms = 50, steps = 0;
	bool with_fds = _i == 1;

	black_hole_then_live(&b, &live, &dl);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	ck_assert_int_eq(cx_setobserver(fd, disconnect_at_next, &o), 0);
	start(fd, &dl, 50);
	/* Between steps the run's ID is the socket's. */
	ck_assert_int_eq(cx_getassocid(fd, &o.id), 0);
	ck_assert_int_gt(o.id, 0);
	if (with_fds)
		r = poll_loop(fd, 2);
	else {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		while ((r = cx_step(fd, &wait_ms)) == -1 && errno == EINPROGRESS) {
			ck_assert_int_ne(poll(&pfd, 1, wait_ms), -1);
			ck_assert_int_lt(++steps, 1000);
		}
		r = r == 0 ? 0 : errno;
	}
	ck_assert_msg(o.called, "the second attempt never started");
	ck_assert_msg(o.rc == 0, "disconnectx(fd, %d) inside cx_step: %s",
	    (int)o.id, strerror(o.err));
	ck_assert_msg(o.getid_rc == 0 && o.got == o.id,
	    "cx_getassocid inside cx_step: %d (%s), id %d, not %d", o.getid_rc,
	    o.getid_rc ? strerror(o.getid_errno) : "", (int)o.got, (int)o.id);
	/* Abandoned means failed: nothing connected. */
	ck_assert_int_eq(r, ECONNABORTED);
	ck_assert(!tu_is_connected(fd));
	tu_assert_no_connection(&live);
	close(fd);
	tu_blackhole_close(&b);
	close(live.fd);
}
END_TEST

/*
 * The application gives up on a connect by closing its descriptor (its own
 * timeout), and a new socket takes the number, which its loop then asks
 * cx_step, cx_fds and cx_timeout about.  libconnectx(3), Non-blocking use:
 * a run parked on a closed socket "is freed when the descriptor number is
 * used for a socket the library sees": its clones, still in their
 * handshakes with a silent destination, are closed then, not left to
 * retransmit and perhaps connect for nobody until a sweep 64 parks later.
 */
START_TEST(test_run_of_a_closed_descriptor_freed_when_its_number_is_seen)
{
	struct blackhole b1, b2;
	struct tu_dlist dl = { .n = 0 };
	struct pollfd pfd[16];
	int fd, n, nfds = 0, base, wait_ms, steps = 0;

	ck_assert_int_eq(tu_blackhole(&b1, AF_INET), 0);
	ck_assert_int_eq(tu_blackhole(&b2, AF_INET), 0);
	tu_dl_add(&dl, &b1.l.addr, b1.l.addrlen);
	tu_dl_add(&dl, &b2.l.addr, b2.l.addrlen);
	base = tu_count_fds();
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	start(fd, &dl, 20);
	/* Driven until the second attempt runs beside the first, on a clone. */
	while ((nfds = cx_fds(fd, pfd, 16)) < 2) {
		ck_assert_int_eq(nfds, 1);
		ck_assert_int_eq(cx_timeout(fd, &wait_ms), 0);
		ck_assert_int_ne(poll(pfd, (nfds_t)nfds, wait_ms), -1);
		ck_assert_int_eq(cx_step(fd, NULL), -1);
		ck_assert_int_eq(errno, EINPROGRESS);
		ck_assert_int_lt(++steps, 1000);
	}
	ck_assert_int_eq(tu_count_fds(), base + 2);
	/* Given up: closed, and the number taken by a new socket. */
	close(fd);
	if ((n = tu_tcp_socket(AF_INET, SOCK_NONBLOCK)) != fd) {
		ck_assert_int_eq(dup2(n, fd), fd);
		close(n);
	}
	ck_assert_int_eq(cx_step(fd, NULL), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(cx_fds(fd, pfd, 16), 0);
	ck_assert_int_eq(cx_timeout(fd, &wait_ms), 0);
	ck_assert_msg(tu_count_fds() == base + 1,
	    "%d descriptors of the closed socket's run still open",
	    tu_count_fds() - base - 1);
	close(fd);
	tu_blackhole_close(&b1);
	tu_blackhole_close(&b2);
}
END_TEST

/*
 * fork(2) while a run is parked: the child holds copies of every
 * descriptor, the clones cx_fds() named included ("The descriptors other
 * than fd belong to the library", libconnectx(3)), and cannot know which
 * the library will let go of.  A clone the parent's run gives up (the
 * winner found) must stop connecting, not go on in the child's copy with
 * its SYN retransmitted until the silent destination answers, and a
 * connection made there for nobody.  (libconnectx(3), Non-blocking use:
 * cx_step "may close them".)
 */
START_TEST(test_clones_given_up_stop_connecting_in_a_forked_child)
{
	struct blackhole b1, b2;
	struct listener live;
	struct tu_dlist dl = { .n = 0 };
	struct pollfd pfd[16];
	int fd, i, k, clone_fd = -1, wait_ms, steps = 0, go[2], status;
	pid_t pid;
	char c;

	ck_assert_int_eq(tu_blackhole(&b1, AF_INET), 0);
	ck_assert_int_eq(tu_blackhole(&b2, AF_INET), 0);
	ck_assert_int_eq(tu_listen(&live, AF_INET, 16), 0);
	tu_dl_add(&dl, &b1.l.addr, b1.l.addrlen);
	tu_dl_add(&dl, &b2.l.addr, b2.l.addrlen);
	tu_dl_add(&dl, &live.addr, live.addrlen);
	fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	start(fd, &dl, 100);
	/* Driven until the second attempt runs on a clone. */
	while ((k = cx_fds(fd, pfd, 16)) < 2) {
		ck_assert_int_eq(cx_timeout(fd, &wait_ms), 0);
		ck_assert_int_ne(poll(pfd, (nfds_t)k, wait_ms), -1);
		ck_assert_int_eq(cx_step(fd, NULL), -1);
		ck_assert_int_eq(errno, EINPROGRESS);
		ck_assert_int_lt(++steps, 1000);
	}
	for (i = 0; i < k; i++)
		if (pfd[i].fd != fd)
			clone_fd = pfd[i].fd;
	ck_assert_int_ge(clone_fd, 0);
	ck_assert_int_eq(tu_tcp_state(clone_fd), TCP_SYN_SENT);
	ck_assert_int_eq(pipe(go), 0);
	if ((pid = fork()) == 0) {
		/* The child: a worker that never calls the library. */
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(tu_tcp_state(clone_fd) == TCP_SYN_SENT ? 1 : 0);
	}
	ck_assert_int_ge(pid, 0);
	close(go[0]);
	/* The parent's run goes on: the third destination wins. */
	ck_assert_int_eq(tu_drive(fd), 0);
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 2);
	ck_assert_int_eq(write(go[1], "x", 1), 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_msg(WEXITSTATUS(status) == 0,
	    "the clone given up still connects in the child's copy");
	close(go[1]);
	close(fd);
	tu_blackhole_close(&b1);
	tu_blackhole_close(&b2);
	close(live.fd);
}
END_TEST

START_TEST(test_cx_fds_and_cx_timeout_errors)
{
	struct pollfd pfd[2];
	int fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK), wait_ms = 7;

	errno = 0;
	ck_assert_int_eq(cx_fds(-1, pfd, 2), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(cx_fds(0 + open("/dev/null", O_RDONLY | O_CLOEXEC), pfd, 2), -1);
	ck_assert_int_eq(errno, ENOTSOCK);
	ck_assert_int_eq(cx_fds(fd, NULL, 2), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(cx_fds(fd, pfd, -1), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* Nothing under way: nothing to watch, and cx_step() tells at once. */
	ck_assert_int_eq(cx_fds(fd, pfd, 2), 0);
	ck_assert_int_eq(cx_fds(fd, NULL, 0), 0);
	ck_assert_int_eq(cx_timeout(fd, &wait_ms), 0);
	ck_assert_int_eq(wait_ms, 0);
	ck_assert_int_eq(cx_timeout(-1, &wait_ms), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(cx_step(fd, NULL), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	close(fd);
}
END_TEST

#ifdef HAVE_LIBUV
/*
 * libuv: one uv_poll_t per descriptor cx_fds() names and a uv_timer_t for
 * cx_timeout().  Before cx_step() every poll handle is closed: the step may
 * close a clone, or move the winner onto the user's descriptor (a new
 * socket behind the same number), and libuv's epoll registrations must not
 * outlive the sockets they were made for.
 */
struct uvrun {
	uv_loop_t	*loop;
	uv_timer_t	 timer;
	uv_poll_t	 polls[16];
	int		 npolls, open;
	int		 fd, result, steps;
	bool		 done;
};

static void arm(struct uvrun *);

static void
closed(uv_handle_t *h)
{
	struct uvrun *u = h->data;

	if (--u->open == 0 && !u->done)
		arm(u);		/* every handle gone: step, then watch again */
}

static void
step_now(struct uvrun *u)
{
	int i;

	uv_timer_stop(&u->timer);
	if (u->open > 0)
		return;		/* closing: closed() steps */
	for (i = 0; i < u->npolls; i++) {
		u->open++;
		uv_close((uv_handle_t *)&u->polls[i], closed);
	}
	if (u->npolls == 0)
		arm(u);
	u->npolls = 0;
}

/* A CLOCK_MONOTONIC time in ms, as tu_now_ms() reads it. */
static double
ts_ms(struct timespec ts)
{
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
on_poll(uv_poll_t *p, int status, int events)
{
	(void)status;
	(void)events;
	step_now(p->data);
}

static void
on_timer(uv_timer_t *t)
{
	step_now(t->data);
}

/* Step the run, then watch what it names now. */
static void
arm(struct uvrun *u)
{
	struct pollfd pfd[16];
	int i, n, wait_ms;

	if (u->steps++ > 0) {
		if (cx_step(u->fd, NULL) == 0 || errno != EINPROGRESS) {
			u->result = errno == EINPROGRESS ? 0 : errno;
			if (cx_getpeerindex(u->fd, 0) >= 0)
				u->result = 0;
			u->done = true;
			uv_close((uv_handle_t *)&u->timer, NULL);
			return;
		}
	}
	n = cx_fds(u->fd, pfd, 16);
	ck_assert_int_ge(n, 0);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(uv_poll_init(u->loop, &u->polls[i], pfd[i].fd), 0);
		u->polls[i].data = u;
		ck_assert_int_eq(uv_poll_start(&u->polls[i], UV_WRITABLE, on_poll), 0);
	}
	u->npolls = n;
	ck_assert_int_eq(cx_timeout(u->fd, &wait_ms), 0);
	if (wait_ms >= 0)
		uv_timer_start(&u->timer, on_timer, (uint64_t)wait_ms, 0);
}

START_TEST(test_libuv_loop_runs_attempts_in_parallel)
{
	struct blackhole b;
	struct listener live;
	struct tu_dlist dl = { .n = 0 };
	struct cx_attempt *at;
	struct uvrun u;
	uint64_t cookie;
	double t0, took;

	black_hole_then_live(&b, &live, &dl);
	memset(&u, 0, sizeof(u));
	u.loop = uv_default_loop();
	u.fd = tu_tcp_socket(AF_INET, SOCK_NONBLOCK);
	cookie = tu_cookie(u.fd);
	ck_assert_int_eq(uv_timer_init(u.loop, &u.timer), 0);
	u.timer.data = &u;
	t0 = tu_now_ms();
	start(u.fd, &dl, 50);
	arm(&u);
	ck_assert_int_eq(uv_run(u.loop, UV_RUN_DEFAULT), 0);
	took = tu_now_ms() - t0;
	ck_assert_int_eq(u.result, 0);
	/* The same slack as the poll(2) loop's. */
	ck_assert_msg(took >= 49 && took < 50 + tu_margin_ms(250), "connected after %.0f ms", took);
	ck_assert_int_eq(cx_getpeerindex(u.fd, 0), 1);
	ck_assert(tu_is_connected(u.fd));
	ck_assert_int_eq(cx_getattempts(u.fd, 0, &at), 2);
	ck_assert_msg(at[0].ca_error == ECANCELED, "the black hole's attempt "
	    "ended %d (%s) %.0f ms in; the live one started %.0f ms in",
	    at[0].ca_error, strerror(at[0].ca_error),
	    ts_ms(at[0].ca_end) - t0, ts_ms(at[1].ca_start) - t0);
	ck_assert_int_eq(at[1].ca_error, 0);
	/* Side by side: the winner ran on a clone, now on the user's number. */
	ck_assert(tu_cookie(u.fd) != cookie);
	cx_freeattempts(at);
	close(u.fd);
	tu_blackhole_close(&b);
	close(live.fd);
}
END_TEST
#endif

int
main(void)
{
	Suite *s = suite_create("evloop");
	TCase *tc = tcase_create("evloop");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_poll_loop_runs_attempts_in_parallel);
	tcase_add_loop_test(tc, test_winner_keeps_the_flags_the_descriptor_has_when_it_moves,
	    0, (int)(sizeof(flag_rows) / sizeof(flag_rows[0])));
	tcase_add_test(tc, test_poll_loop_slow_but_live_first_address_wins);
	tcase_add_test(tc, test_loop_without_cx_fds_runs_one_at_a_time);
	tcase_add_test(tc, test_loop_without_cx_fds_when_the_application_cleared_nonblock);
	tcase_add_test(tc, test_observer_that_clears_nonblock_does_not_make_connectx_wait);
	tcase_add_test(tc, test_cx_fds_and_cx_timeout_errors);
	tcase_add_test(tc, test_clones_given_up_stop_connecting_in_a_forked_child);
	tcase_add_test(tc, test_run_of_a_closed_descriptor_freed_when_its_number_is_seen);
	tcase_add_loop_test(tc, test_observer_disconnectx_with_the_runs_id_inside_cx_step,
	    0, 2);
#ifdef HAVE_LIBUV
	tcase_add_test(tc, test_libuv_loop_runs_attempts_in_parallel);
#else
	fprintf(stderr, "libuv not found by configure: its loop is not tested\n");
#endif
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
