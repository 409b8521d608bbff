/*
 * Kernel SCTP pass-through: the order and form of the socket options, and
 * nothing else.
 *
 * FAKE: the project's own machines have no kernel SCTP, so these tests swap
 * the two system calls of lib/transport_sctp.c (compiled into this program)
 * for a fake that plays the kernel's answers from a script.  What is under
 * test is the sequence: which option is tried, with what buffer, which
 * answer makes it try the next.  What the kernel answers, and what
 * sctp_connectx(3) makes of it, is tested against the real kernel by
 * tests/check_sctp_kernel_passthrough.c (tests/lanes.sh kernel, Linux 6.1):
 * the fake answers as that test found the kernel does (the ID written back,
 * and the option length rewritten to the ID's, only on success and on
 * EINPROGRESS); where the two disagree, the real kernel wins and this fake
 * is corrected.  The fallbacks (ENOPROTOOPT) no kernel the lane runs can
 * produce: only here are they exercised.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>

#include "addrlist.h"
#include "transport.h"
#include "transport_sctp.h"

#define FAKE_SOL_SCTP		132
#define FAKE_CONNECTX_OLD	107
#define FAKE_CONNECTX		110
#define FAKE_CONNECTX3		111

/* One scripted answer: what the fake kernel returns for an option. */
struct answer {
	int	optname;
	int	result;		/* return value when >= 0 */
	int	error;		/* errno when result is -1 */
	int32_t	id;		/* written in front of the list (CONNECTX3) */
};

static struct answer script[4];
static int nscript;
static int calls[8];		/* option names, in the order tried */
static int ncalls;
static unsigned char seen[512];	/* the buffer the last option was given */
static socklen_t seenlen;

/* The kernel's struct sctp_getaddrs_old, which CONNECTX3 takes. */
struct fake_getaddrs_old {
	int32_t	 assoc_id;
	int	 addr_num;
	void	*addrs;
};

static int
play(int level, int name, const void *buf, socklen_t *lenp, void *out)
{
	const struct fake_getaddrs_old *param = buf;
	socklen_t len = *lenp;
	int i;

	ck_assert_int_eq(level, FAKE_SOL_SCTP);
	calls[ncalls++] = name;
	if (name == FAKE_CONNECTX3) {
		/* What the kernel reads: the struct, then the list it names. */
		ck_assert_uint_eq(len, sizeof(*param));
		ck_assert_int_eq(param->assoc_id, 0);
		memcpy(seen, param->addrs, (size_t)param->addr_num);
		seenlen = (socklen_t)param->addr_num;
	} else {
		memcpy(seen, buf, len);
		seenlen = len;
	}
	for (i = 0; i < nscript; i++) {
		if (script[i].optname != name)
			continue;
		/*
		 * CONNECTX3 as Linux answers it: on success and on EINPROGRESS
		 * the ID in the struct's first field and the option length
		 * rewritten to the ID's; on any other error, neither.
		 */
		if (out != NULL && (script[i].result >= 0 ||
		    script[i].error == EINPROGRESS)) {
			memcpy(out, &script[i].id, sizeof(script[i].id));
			*lenp = sizeof(script[i].id);
		}
		if (script[i].result < 0)
			errno = script[i].error;
		return script[i].result;
	}
	errno = ENOPROTOOPT;
	return -1;
}

static int
fake_get(int fd, int level, int name, void *buf, socklen_t *len)
{
	(void)fd;
	return play(level, name, buf, len, buf);
}

static int
fake_set(int fd, int level, int name, const void *buf, socklen_t len)
{
	(void)fd;
	return play(level, name, buf, &len, NULL);
}

static void
setup(void)
{
	sctp_sockopt_calls.get = fake_get;
	sctp_sockopt_calls.set = fake_set;
	nscript = 0;
	ncalls = 0;
}

static void
say(int optname, int result, int error, int32_t id)
{
	script[nscript++] = (struct answer){ optname, result, error, id };
}

/* Two IPv4 addresses, as sctp_connectx packs them. */
static struct dest two[2];
static struct destlist list = { two, 2 };

static void
make_list(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(5000) };
	int i;

	for (i = 0; i < 2; i++) {
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK + i);
		memset(&two[i], 0, sizeof(two[i]));
		memcpy(&two[i].ss, &sin, sizeof(sin));
		two[i].len = sizeof(sin);
	}
}

static int
run(bool nonblocking, bool want_id, cx_sctp_assoc_t *id)
{
	int fd = socket(AF_INET, SOCK_DGRAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
	int err;

	make_list();
	err = transport_sctp.connect_list(fd, &list, want_id, id);
	close(fd);
	return err;
}

START_TEST(test_connectx3_first_with_the_list_named_in_sctp_getaddrs_old)
{
	cx_sctp_assoc_t id;

	say(FAKE_CONNECTX3, 0, 0, 42);
	run(false, true, &id);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_int_eq(calls[0], FAKE_CONNECTX3);
	/* addr_num is the packed list's size in bytes; the list as given. */
	ck_assert_uint_eq(seenlen, 2 * sizeof(struct sockaddr_in));
	ck_assert_mem_eq(seen, &two[0].ss, sizeof(struct sockaddr_in));
	ck_assert_mem_eq(seen + sizeof(struct sockaddr_in), &two[1].ss,
	    sizeof(struct sockaddr_in));
}
END_TEST

START_TEST(test_connectx3_einprogress_keeps_the_id_and_does_not_fall_back)
{
	cx_sctp_assoc_t id;

	say(FAKE_CONNECTX3, -1, EINPROGRESS, 9);
	run(true, true, &id);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_int_eq(calls[0], FAKE_CONNECTX3);
}
END_TEST

START_TEST(test_connectx3_failure_other_than_enoprotoopt_is_final)
{
	cx_sctp_assoc_t id;

	say(FAKE_CONNECTX3, -1, ECONNREFUSED, 0);
	run(false, true, &id);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_int_eq(calls[0], FAKE_CONNECTX3);
}
END_TEST

START_TEST(test_falls_back_to_connectx_whose_result_is_the_id)
{
	cx_sctp_assoc_t id;

	say(FAKE_CONNECTX3, -1, ENOPROTOOPT, 0);
	say(FAKE_CONNECTX, 7, 0, 0);
	ck_assert_int_eq(run(false, true, &id), 0);
	ck_assert_int_eq(ncalls, 2);
	ck_assert_int_eq(calls[1], FAKE_CONNECTX);
	/* Only here: no kernel the lane runs lacks CONNECTX3. */
	ck_assert_int_eq(id, 7);
	/* The older options take the bare list. */
	ck_assert_uint_eq(seenlen, 2 * sizeof(struct sockaddr_in));
	ck_assert_mem_eq(seen, &two[0].ss, sizeof(struct sockaddr_in));
}
END_TEST

START_TEST(test_connectx_failure_other_than_enoprotoopt_is_final)
{
	cx_sctp_assoc_t id;

	say(FAKE_CONNECTX3, -1, ENOPROTOOPT, 0);
	say(FAKE_CONNECTX, -1, ETIMEDOUT, 0);
	ck_assert_int_eq(run(false, false, &id), ETIMEDOUT);
	ck_assert_int_eq(ncalls, 2);
}
END_TEST

START_TEST(test_falls_back_to_connectx_old_only_when_no_id_is_wanted)
{
	cx_sctp_assoc_t id;

	say(FAKE_CONNECTX3, -1, ENOPROTOOPT, 0);
	say(FAKE_CONNECTX, -1, ENOPROTOOPT, 0);
	say(FAKE_CONNECTX_OLD, 0, 0, 0);
	ck_assert_int_eq(run(false, false, &id), 0);
	ck_assert_int_eq(ncalls, 3);
	ck_assert_int_eq(calls[2], FAKE_CONNECTX_OLD);
	ck_assert_int_eq(id, 0);

	ncalls = 0;
	ck_assert_int_eq(run(false, true, &id), ENOPROTOOPT);
	ck_assert_int_eq(ncalls, 2);
}
END_TEST

START_TEST(test_nonblocking_socket_wanting_an_id_stops_after_connectx3)
{
	cx_sctp_assoc_t id;

	say(FAKE_CONNECTX3, -1, ENOPROTOOPT, 0);
	say(FAKE_CONNECTX, 7, 0, 0);
	ck_assert_int_eq(run(true, true, &id), ENOPROTOOPT);
	ck_assert_int_eq(ncalls, 1);
	/* Without an ID wanted, the older option is tried. */
	ncalls = 0;
	ck_assert_int_eq(run(true, false, &id), 0);
	ck_assert_int_eq(ncalls, 2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sctp pass-through (FAKE kernel options)");
	TCase *tc = tcase_create("option sequence");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_connectx3_first_with_the_list_named_in_sctp_getaddrs_old);
	tcase_add_test(tc, test_connectx3_einprogress_keeps_the_id_and_does_not_fall_back);
	tcase_add_test(tc, test_connectx3_failure_other_than_enoprotoopt_is_final);
	tcase_add_test(tc, test_falls_back_to_connectx_whose_result_is_the_id);
	tcase_add_test(tc, test_connectx_failure_other_than_enoprotoopt_is_final);
	tcase_add_test(tc, test_falls_back_to_connectx_old_only_when_no_id_is_wanted);
	tcase_add_test(tc, test_nonblocking_socket_wanting_an_id_stops_after_connectx3);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
