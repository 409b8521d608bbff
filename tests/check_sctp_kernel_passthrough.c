/*
 * Kernel SCTP pass-through against a real kernel: what the kernel answers
 * to each of the three connectx socket options, and what sctp_connectx(3)
 * makes of it.  This is the authority for the answers that
 * tests/check_sctp_passthrough.c's labelled FAKE plays (that test checks
 * only the order and form of the options); where the two disagree, the
 * fake is corrected.  Runs in the kernel lane (tests/lanes.sh kernel: Linux
 * 6.1, SCTP as a module); skips (77) where the kernel has no SCTP.
 * See sctp_connectx(3), and HACKING.md on kernel SCTP.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/sctp.h>

#include <check.h>

#include "connectx.h"

/* The kernel's struct sctp_getaddrs_old, which CONNECTX3 takes. */
struct getaddrs_old {
	sctp_assoc_t	 assoc_id;
	int		 addr_num;	/* bytes */
	struct sockaddr	*addrs;
};

static int listener = -1;
static struct sockaddr_in live;	/* 127.0.0.1, listening */
static struct sockaddr_in dead;	/* 127.0.0.1, a port nobody holds */

static int
sctp_socket(int nonblocking)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC |
	    (nonblocking ? SOCK_NONBLOCK : 0), IPPROTO_SCTP);

	ck_assert_int_ge(fd, 0);
	return fd;
}

static void
setup(void)
{
	socklen_t len = sizeof(live);
	int probe;

	memset(&live, 0, sizeof(live));
	live.sin_family = AF_INET;
	live.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listener = sctp_socket(0);
	ck_assert_int_eq(bind(listener, (struct sockaddr *)&live, sizeof(live)), 0);
	ck_assert_int_eq(listen(listener, 16), 0);
	ck_assert_int_eq(getsockname(listener, (struct sockaddr *)&live, &len), 0);
	/* A port bound and closed again: nobody listens there. */
	dead = live;
	dead.sin_port = 0;
	probe = sctp_socket(0);
	ck_assert_int_eq(bind(probe, (struct sockaddr *)&dead, sizeof(dead)), 0);
	len = sizeof(dead);
	ck_assert_int_eq(getsockname(probe, (struct sockaddr *)&dead, &len), 0);
	close(probe);
}

static void
teardown(void)
{
	close(listener);
}

/* The association's ID as the kernel reports it (SCTP_STATUS). */
static sctp_assoc_t
status_id(int fd)
{
	struct sctp_status st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(getsockopt(fd, SOL_SCTP, SCTP_STATUS, &st, &len), 0);
	return st.sstat_assoc_id;
}

/* A non-blocking connect's end: writable, no pending error. */
static void
await_established(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = -1;

	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	ck_assert_int_eq(err, 0);
}

static int
connectx3(int fd, struct sockaddr_in *to, sctp_assoc_t *id, socklen_t *optlen)
{
	struct getaddrs_old param = { 0, sizeof(*to), (struct sockaddr *)to };
	int rc;

	*optlen = sizeof(param);
	rc = getsockopt(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX3, &param, optlen);
	*id = param.assoc_id;
	return rc;
}

/* The fake's "CONNECTX3 answers 0 with the ID in the struct". */
START_TEST(kernel_connectx3_returns_the_id_in_the_struct)
{
	int fd = sctp_socket(0);
	sctp_assoc_t id;
	socklen_t optlen;

	ck_assert_int_eq(connectx3(fd, &live, &id, &optlen), 0);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(id, status_id(fd));
	/* The kernel rewrites the option length to that of the ID. */
	ck_assert_uint_eq(optlen, sizeof(sctp_assoc_t));
	close(fd);
}
END_TEST

/* The fake's "CONNECTX3 on a non-blocking socket: EINPROGRESS, ID set". */
START_TEST(kernel_connectx3_nonblocking_is_einprogress_with_the_id)
{
	int fd = sctp_socket(1);
	sctp_assoc_t id;
	socklen_t optlen;

	errno = 0;
	ck_assert_int_eq(connectx3(fd, &live, &id, &optlen), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_int_gt(id, 0);
	ck_assert_uint_eq(optlen, sizeof(sctp_assoc_t));
	await_established(fd);
	ck_assert_int_eq(id, status_id(fd));
	close(fd);
}
END_TEST

/* The fake's "CONNECTX3 refused: ECONNREFUSED, nothing written back". */
START_TEST(kernel_connectx3_refused_is_econnrefused_and_leaves_the_struct)
{
	int fd = sctp_socket(0);
	sctp_assoc_t id;
	socklen_t optlen;

	errno = 0;
	ck_assert_int_eq(connectx3(fd, &dead, &id, &optlen), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_int_eq(id, 0);
	ck_assert_uint_eq(optlen, sizeof(struct getaddrs_old));
	close(fd);
}
END_TEST

/* The fake's "CONNECTX answers with the ID as its result". */
START_TEST(kernel_connectx_result_is_the_id)
{
	int fd = sctp_socket(0);
	int rc;

	rc = setsockopt(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX, &live, sizeof(live));
	ck_assert_int_gt(rc, 0);
	ck_assert_int_eq(rc, status_id(fd));
	close(fd);
}
END_TEST

/* Why the fake stops after CONNECTX3 on a non-blocking socket wanting an ID. */
START_TEST(kernel_connectx_nonblocking_is_einprogress_without_an_id)
{
	int fd = sctp_socket(1);

	errno = 0;
	ck_assert_int_eq(setsockopt(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX, &live,
	    sizeof(live)), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	await_established(fd);
	close(fd);
}
END_TEST

/* The fake's "CONNECTX_OLD answers 0". */
START_TEST(kernel_connectx_old_answers_zero)
{
	int fd = sctp_socket(0);

	ck_assert_int_eq(setsockopt(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX_OLD, &live,
	    sizeof(live)), 0);
	ck_assert_int_gt(status_id(fd), 0);
	close(fd);
}
END_TEST

/* sctp_connectx(3): the kernel's ID, blocking. */
START_TEST(library_blocking_id_is_the_kernels)
{
	struct sockaddr_in list[2] = { live, live };
	cx_sctp_assoc_t id = 0, recorded = 0;
	int fd = sctp_socket(0);

	list[1].sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1);
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)list, 2, &id), 0);
	ck_assert_int_eq(id, status_id(fd));
	ck_assert_int_eq(cx_getassocid(fd, &recorded), 0);
	ck_assert_int_eq(recorded, id);
	close(fd);
}
END_TEST

/* sctp_connectx(3) RETURN VALUES: -1/EINPROGRESS with *id already valid. */
START_TEST(library_nonblocking_einprogress_id_is_the_kernels)
{
	cx_sctp_assoc_t id = 0;
	int fd = sctp_socket(1);

	errno = 0;
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&live, 1, &id), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_int_gt(id, 0);
	await_established(fd);
	ck_assert_int_eq(id, status_id(fd));
	close(fd);
}
END_TEST

/*
 * The observer of a whole-list run (kernel SCTP: the kernel is given the
 * list in one call) is told the attempt began, and there puts another
 * socket on the number (dup2(2), as another thread may) or calls
 * disconnectx(2).  libconnectx(3), Observer: the run then leaves that
 * number alone, and no attempt starts once the run has seen the
 * disconnectx.  The stagger looks after its observer (attempt_start);
 * the whole list must too: ECONNABORTED, the other socket never
 * associated, nothing at the listener.
 */
enum at_start { SWAP_IN_OTHER, DISCONNECT };
static int start_other = -1;

static void
act_at_start(int fd, const struct cx_attempt *a, void *arg)
{
	enum at_start *what = arg;

	if (a->ca_error != EINPROGRESS)
		return;
	if (*what == SWAP_IN_OTHER)
		ck_assert_int_eq(dup2(start_other, fd), fd);
	else
		ck_assert_int_eq(disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), 0);
}

START_TEST(library_whole_list_leaves_the_number_its_observer_gave_up)
{
	enum at_start what = _i == 0 ? SWAP_IN_OTHER : DISCONNECT;
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	struct pollfd p = { .fd = listener, .events = POLLIN };
	cx_sctp_assoc_t id = 0;
	int fd = sctp_socket(0), rc, err;

	start_other = sctp_socket(0);
	ck_assert_int_eq(cx_setobserver(fd, act_at_start, &what), 0);
	rc = sctp_connectx(fd, (struct sockaddr *)&live, 1, &id);
	err = errno;
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(err == ECONNABORTED, "%s: sctp_connectx: %s",
	    what == SWAP_IN_OTHER ? "dup2" : "disconnectx", strerror(err));
	if (what == SWAP_IN_OTHER)
		ck_assert_msg(getpeername(start_other, (struct sockaddr *)&peer,
		    &len) == -1, "the other socket was associated");
	ck_assert_msg(poll(&p, 1, 100) == 0,
	    "the listener got an association");
	close(fd);
	close(start_other);
}
END_TEST

/* A refused association: the kernel's error, the socket left unconnected
 * and usable for the next sctp_connectx. */
START_TEST(library_refused_is_econnrefused_and_the_socket_connects_again)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	cx_sctp_assoc_t id = 0;
	int fd = sctp_socket(0);

	errno = 0;
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&dead, 1, &id), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer, &len), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&live, 1, &id), 0);
	ck_assert_int_eq(id, status_id(fd));
	close(fd);
}
END_TEST

/* ---- which destination won (connectx(2), Kernel SCTP) ------------------ */

/*
 * A network namespace of the test's own in which 127.0.0.3 is a black hole
 * (a tc filter on lo drops what is sent to it: this 6.1 kernel has no
 * nftables ip family) and 127.0.0.1 listens: the kernel's INIT to .3 is
 * never answered and moves on to .1 after RTO.initial.
 */
static struct sockaddr_in hole;	/* 127.0.0.3, the listener's port */

static void
setup_hole(void)
{
	ck_assert_msg(geteuid() == 0 && unshare(CLONE_NEWNET) == 0 &&
	    system("ip link set lo up && ip addr add 127.0.0.3/32 dev lo && "
	    "tc qdisc add dev lo root handle 1: prio && "
	    "tc filter add dev lo parent 1: protocol ip prio 1 u32 "
	    "match ip dst 127.0.0.3/32 action drop") == 0,
	    "a network namespace with tc(8) (root; the kernel lane runs as root)");
	setup();
	hole = live;
	hole.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 2);
}

static void
attempt_is(int fd, cx_sctp_assoc_t id, int index, const struct sockaddr_in *at,
    int err)
{
	struct cx_attempt *a;

	ck_assert_int_eq(cx_getattempts(fd, id, &a), 1);
	ck_assert_int_eq(a[0].ca_error, err);
	ck_assert_int_eq(a[0].ca_index, index);
	ck_assert_int_eq(((struct sockaddr_in *)&a[0].ca_addr)->sin_addr.s_addr,
	    at->sin_addr.s_addr);
	cx_freeattempts(a);
}

/* Blocking: the record names the address that answered, not the first. */
START_TEST(library_blocking_winner_is_the_address_that_answered)
{
	struct sockaddr_in list[2] = { hole, live };
	cx_sctp_assoc_t id = 0;
	int fd = sctp_socket(0);

	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)list, 2, &id), 0);
	ck_assert_int_eq(cx_getpeerindex(fd, id), 1);
	attempt_is(fd, id, 1, &live, 0);
	close(fd);
}
END_TEST

/*
 * Non-blocking: while the kernel sets the association up the record has
 * no winner (ENOTCONN), its ID is the kernel's; once up, the record learns
 * which address answered when asked.
 */
START_TEST(library_nonblocking_winner_is_learned_from_the_kernel)
{
	struct sockaddr_in list[2] = { hole, live };
	cx_sctp_assoc_t id = 0, recorded = 0;
	int fd = sctp_socket(1);

	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)list, 2, &id), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_int_eq(cx_getpeerindex(fd, id), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(cx_getassocid(fd, &recorded), 0);
	ck_assert_int_eq(recorded, id);
	attempt_is(fd, id, 0, &hole, EINPROGRESS);
	await_established(fd);
	ck_assert_int_eq(cx_getpeerindex(fd, id), 1);
	attempt_is(fd, id, 1, &live, 0);
	close(fd);
}
END_TEST

/*
 * Non-blocking, and the association fails (one INIT, unanswered): the
 * record learns it when asked, and the error stays the application's to
 * read (SO_ERROR).  Each row is one order an event loop may take: the
 * library asked first, or SO_ERROR read (and so cleared) first, as a loop
 * does on POLLOUT before it asks anyone.  Either way the record says the
 * same.
 */
static const struct {
	const char	*order;
	int		 so_error_first;
} failure_orders[] = {
	{ "the library asked first", 0 },
	{ "SO_ERROR read first", 1 },
};

START_TEST(library_nonblocking_failure_is_learned_and_the_error_left)
{
	struct sctp_initmsg im = { .sinit_max_attempts = 1,
	    .sinit_max_init_timeo = 100 };
	cx_sctp_assoc_t id = 0, recorded = 0;
	socklen_t len = sizeof(int);
	struct pollfd p;
	int fd = sctp_socket(1), err = 0, i;

	ck_assert_int_eq(setsockopt(fd, SOL_SCTP, SCTP_INITMSG, &im, sizeof(im)), 0);
	ck_assert_int_eq(sctp_connectx(fd, (struct sockaddr *)&hole, 1, &id), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	if (failure_orders[_i].so_error_first) {
		/* The loop's way: wait for the socket, read SO_ERROR, then ask. */
		p.fd = fd;
		p.events = POLLOUT;
		p.revents = 0;
		ck_assert_int_eq(poll(&p, 1, 5000), 1);
		ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
		ck_assert_msg(err == ETIMEDOUT, "%s: SO_ERROR %d",
		    failure_orders[_i].order, err);
		ck_assert_int_eq(cx_getassocid(fd, &recorded), -1);
	} else {
		for (i = 0; i < 100 && cx_getassocid(fd, &recorded) == 0; i++)
			usleep(50000);
		ck_assert_msg(i < 100, "the association did not fail within 5 s");
	}
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(cx_getpeerindex(fd, id), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	attempt_is(fd, id, 0, &hole, ENOTCONN);
	err = -1;
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	/* Read by the loop already, or left for it by the library. */
	ck_assert_msg(err == (failure_orders[_i].so_error_first ? 0 : ETIMEDOUT),
	    "%s: SO_ERROR %d after the library was asked",
	    failure_orders[_i].order, err);
	close(fd);
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *k, *l, *w;
	SRunner *sr;
	int probe, failed;

	probe = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	if (probe == -1) {
		printf("SKIP: this kernel has no SCTP (socket(AF_INET, SOCK_STREAM, "
		    "IPPROTO_SCTP): %s); tests/lanes.sh kernel runs this test "
		    "in a kernel that has it\n", strerror(errno));
		return 77;
	}
	close(probe);
	s = suite_create("sctp pass-through (real kernel)");
	k = tcase_create("kernel");
	tcase_add_checked_fixture(k, setup, teardown);
	tcase_add_test(k, kernel_connectx3_returns_the_id_in_the_struct);
	tcase_add_test(k, kernel_connectx3_nonblocking_is_einprogress_with_the_id);
	tcase_add_test(k, kernel_connectx3_refused_is_econnrefused_and_leaves_the_struct);
	tcase_add_test(k, kernel_connectx_result_is_the_id);
	tcase_add_test(k, kernel_connectx_nonblocking_is_einprogress_without_an_id);
	tcase_add_test(k, kernel_connectx_old_answers_zero);
	suite_add_tcase(s, k);
	l = tcase_create("library");
	tcase_add_checked_fixture(l, setup, teardown);
	tcase_add_test(l, library_blocking_id_is_the_kernels);
	tcase_add_test(l, library_nonblocking_einprogress_id_is_the_kernels);
	tcase_add_test(l, library_refused_is_econnrefused_and_the_socket_connects_again);
	tcase_add_loop_test(l, library_whole_list_leaves_the_number_its_observer_gave_up, 0, 2);
	suite_add_tcase(s, l);
	w = tcase_create("which destination won");
	tcase_add_checked_fixture(w, setup_hole, teardown);
	tcase_set_timeout(w, 20);
	tcase_add_test(w, library_blocking_winner_is_the_address_that_answered);
	tcase_add_test(w, library_nonblocking_winner_is_learned_from_the_kernel);
	tcase_add_loop_test(w, library_nonblocking_failure_is_learned_and_the_error_left,
	    0, (int)(sizeof(failure_orders) / sizeof(failure_orders[0])));
	suite_add_tcase(s, w);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
