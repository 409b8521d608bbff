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
#include "sockopts.h"
#include "transport_sctp.h"

#define FAKE_SOL_SCTP		132
#define FAKE_CONNECTX_OLD	107
#define FAKE_CONNECTX		110
#define FAKE_CONNECTX3		111
/* The failover policy's options (libconnectx(3), Failover during the association). */
#define FAKE_RTOINFO		0
#define FAKE_ASSOCINFO		1
#define FAKE_PEER_ADDR_PARAMS	9
#define FAKE_THLDS_V2		37

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

/*
 * The fake kernel's path-management settings of the socket (Linux's
 * built-in defaults to begin with, or what a test says the application
 * set), and the order the options were set in.
 */
static struct linux_sctp_rtoinfo k_rto;
static struct linux_sctp_paddrthlds_v2 k_th;
static struct linux_sctp_paddrparams k_pp;
static struct linux_sctp_assocparams k_ap;
static int psets[8], npsets;

static void
kernel_defaults(void)
{
	memset(&k_rto, 0, sizeof(k_rto));
	k_rto.srto_initial = 3000;
	k_rto.srto_min = 1000;
	k_rto.srto_max = 60000;
	memset(&k_th, 0, sizeof(k_th));
	k_th.spt_pathmaxrxt = 5;
	k_th.spt_pathpfthld = 0;
	k_th.spt_pathcpthld = 0xffff;
	memset(&k_pp, 0, sizeof(k_pp));
	k_pp.spp_hbinterval = 30000;
	k_pp.spp_pathmaxrxt = 5;
	memset(&k_ap, 0, sizeof(k_ap));
	k_ap.sasoc_asocmaxrxt = 10;
	npsets = 0;
}

/* A failover option: answered from, or written to, the settings above. */
static int
play_policy(int name, const void *buf, socklen_t len, void *out)
{
	void *k = name == FAKE_RTOINFO ? (void *)&k_rto :
	    name == FAKE_ASSOCINFO ? (void *)&k_ap :
	    name == FAKE_PEER_ADDR_PARAMS ? (void *)&k_pp : (void *)&k_th;
	size_t sz = name == FAKE_RTOINFO ? sizeof(k_rto) :
	    name == FAKE_ASSOCINFO ? sizeof(k_ap) :
	    name == FAKE_PEER_ADDR_PARAMS ? sizeof(k_pp) : sizeof(k_th);
	const struct linux_sctp_rtoinfo *r = buf;
	const struct linux_sctp_paddrparams *p = buf;
	const struct linux_sctp_assocparams *a = buf;

	ck_assert_uint_eq(len, sz);
	if (out != NULL) {
		memcpy(out, k, sz);
		return 0;
	}
	psets[npsets++] = name;
	/* As Linux does: 0 leaves a value as it is. */
	if (name == FAKE_RTOINFO) {
		if (r->srto_initial)
			k_rto.srto_initial = r->srto_initial;
		if (r->srto_min)
			k_rto.srto_min = r->srto_min;
		if (r->srto_max)
			k_rto.srto_max = r->srto_max;
	} else if (name == FAKE_PEER_ADDR_PARAMS) {
		if (p->spp_hbinterval)
			k_pp.spp_hbinterval = p->spp_hbinterval;
		k_pp.spp_flags = p->spp_flags;
	} else if (name == FAKE_ASSOCINFO) {
		if (a->sasoc_asocmaxrxt)
			k_ap.sasoc_asocmaxrxt = a->sasoc_asocmaxrxt;
	} else
		memcpy(&k_th, buf, sz);
	return 0;
}

static int
play(int level, int name, const void *buf, socklen_t *lenp, void *out)
{
	const struct fake_getaddrs_old *param = buf;
	socklen_t len = *lenp;
	int i;

	ck_assert_int_eq(level, FAKE_SOL_SCTP);
	if (name == FAKE_RTOINFO || name == FAKE_ASSOCINFO ||
	    name == FAKE_PEER_ADDR_PARAMS || name == FAKE_THLDS_V2)
		return play_policy(name, buf, len, out);
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
	kernel_defaults();
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
	err = transport_sctp.connect_list(fd, &list, want_id, 250, id);
	close(fd);
	return err;
}

/*
 * libconnectx(3), Failover during the association: before the list goes
 * to the kernel, the socket gets PF threshold 0 with path.max.retrans kept,
 * RTO.initial F, RTO.min F and RTO.max 4F, heartbeats every F,
 * Association.Max.Retrans 3.
 */
START_TEST(test_failover_policy_set_before_the_list)
{
	cx_sctp_assoc_t id;

	k_th.spt_pathpfthld = 0;
	say(FAKE_CONNECTX3, 0, 0, 42);
	ck_assert_int_eq(run(false, true, &id), 0);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_int_eq(calls[0], FAKE_CONNECTX3);
	ck_assert_uint_eq(k_rto.srto_min, 250);
	ck_assert_uint_eq(k_rto.srto_max, 1000);
	ck_assert_uint_eq(k_rto.srto_initial, 250);
	ck_assert_uint_eq(k_th.spt_pathpfthld, 0);
	ck_assert_uint_eq(k_th.spt_pathmaxrxt, 5);
	ck_assert_uint_eq(k_pp.spp_hbinterval, 250);
	ck_assert_uint_eq(k_pp.spp_flags, 1);	/* SPP_HB_ENABLE */
	ck_assert_uint_eq(k_ap.sasoc_asocmaxrxt, 3);
	ck_assert_int_eq(npsets, 4);
}
END_TEST

/* What the application set itself (values other than the kernel's defaults) stays. */
START_TEST(test_failover_policy_keeps_the_applications_own)
{
	cx_sctp_assoc_t id;

	k_rto.srto_min = 777;
	k_rto.srto_max = 700;		/* below F: RTO.min follows it down */
	k_pp.spp_hbinterval = 5000;
	k_ap.sasoc_asocmaxrxt = 7;
	k_th.spt_pathpfthld = 2;
	say(FAKE_CONNECTX3, 0, 0, 42);
	ck_assert_int_eq(run(false, true, &id), 0);
	ck_assert_uint_eq(k_rto.srto_min, 700);
	ck_assert_uint_eq(k_rto.srto_max, 700);
	ck_assert_uint_eq(k_rto.srto_initial, 700);	/* F, within RTO.min..RTO.max */
	ck_assert_uint_eq(k_pp.spp_hbinterval, 5000);
	ck_assert_uint_eq(k_ap.sasoc_asocmaxrxt, 7);
	ck_assert_uint_eq(k_th.spt_pathpfthld, 2);
	ck_assert_int_eq(npsets, 1);	/* RTOINFO only */
}
END_TEST

/* An RTO.initial of the application's own stays; the policy's RTO.min and
 * RTO.max still go. */
START_TEST(test_failover_policy_keeps_the_applications_rto_initial)
{
	cx_sctp_assoc_t id;

	k_rto.srto_initial = 1500;
	say(FAKE_CONNECTX3, 0, 0, 42);
	ck_assert_int_eq(run(false, true, &id), 0);
	ck_assert_uint_eq(k_rto.srto_initial, 1500);
	ck_assert_uint_eq(k_rto.srto_min, 250);
	ck_assert_uint_eq(k_rto.srto_max, 1000);
}
END_TEST

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
	tcase_add_test(tc, test_failover_policy_set_before_the_list);
	tcase_add_test(tc, test_failover_policy_keeps_the_applications_own);
	tcase_add_test(tc, test_failover_policy_keeps_the_applications_rto_initial);
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
