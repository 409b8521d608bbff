/*
 * The public header on its own (the SYNOPSIS of connectx(2)): <connectx.h>
 * is the first header after <config.h>, so it must bring everything it uses.
 * Darwin's names have Darwin's values and layout; the prototypes are exactly
 * the pages'.  The tests of the header beside lksctp-tools' <netinet/sctp.h>
 * live in check_header_lksctp.c (another translation unit) and are called
 * from here.
 */
#include <config.h>

#include <connectx.h>	/* first: self-contained */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <check.h>

/* check_header_lksctp.c */
int	hdr_lksctp_assoc_t_size(void);
int	hdr_lksctp_assoc_t_is_signed(void);
int	hdr_lksctp_assoc_t_is_int32(void);
int	hdr_lksctp_reread_assoc_t_size(void);
int	hdr_lksctp_connectx(int32_t *id, int *err);
int	hdr_lksctp_connectx_ebadf(int *err);
/*
 * check_header_lksctp_rev.c: the whole header after lksctp's, a translation
 * unit of its own.  Weak: the test below says so when the file is not
 * built into this program.
 */
int	hdr_lksctp_rev_assoc_t_size(void) __attribute__((weak));
int	hdr_lksctp_rev_connectx_ebadf(int *err) __attribute__((weak));

/* Compile-time: the types are the ones the pages name. */
#define IS_TYPE(expr, T)	_Generic((expr), T: 1, default: 0)

_Static_assert(sizeof(sae_associd_t) == 4, "sae_associd_t is 32 bits");
_Static_assert(sizeof(sae_connid_t) == 4, "sae_connid_t is 32 bits");
_Static_assert(IS_TYPE((sae_associd_t)0, uint32_t), "sae_associd_t is uint32_t");
_Static_assert(IS_TYPE((sae_connid_t)0, uint32_t), "sae_connid_t is uint32_t");
_Static_assert(IS_TYPE((cx_sctp_assoc_t)0, int32_t), "cx_sctp_assoc_t is int32_t");
_Static_assert(IS_TYPE((sctp_assoc_t)0, int32_t), "sctp_assoc_t is int32_t");

/* The prototypes, exactly: an incompatible one would not convert. */
static int (*const p_connectx)(int, const sa_endpoints_t *, sae_associd_t,
    unsigned int, const struct iovec *, unsigned int, size_t *,
    sae_connid_t *) = connectx;
static int (*const p_disconnectx)(int, sae_associd_t, sae_connid_t) = disconnectx;
static int (*const p_sctp_connectx)(int, struct sockaddr *, int,
    sctp_assoc_t *) = sctp_connectx;

START_TEST(test_darwin_association_and_connection_ids_have_darwins_values)
{
	ck_assert_uint_eq(SAE_ASSOCID_ANY, 0);
	ck_assert_uint_eq(SAE_ASSOCID_ALL, 0xFFFFFFFFu);
	ck_assert_uint_eq(SAE_CONNID_ANY, 0);
	ck_assert_uint_eq(SAE_CONNID_ALL, 0xFFFFFFFFu);
	/* Unsigned 32-bit: ALL is the type's largest value. */
	ck_assert_uint_eq(sizeof(sae_associd_t), 4);
	ck_assert_uint_eq(sizeof(sae_connid_t), 4);
	ck_assert((sae_associd_t)-1 == SAE_ASSOCID_ALL);
	ck_assert((sae_connid_t)-1 == SAE_CONNID_ALL);
	ck_assert((sae_associd_t)-1 > 0);
}
END_TEST

START_TEST(test_connect_flags_have_darwins_values)
{
	ck_assert_uint_eq(CONNECT_RESUME_ON_READ_WRITE, 0x1);
	ck_assert_uint_eq(CONNECT_DATA_IDEMPOTENT, 0x2);
	ck_assert_uint_eq(CONNECT_DATA_AUTHENTICATED, 0x4);
}
END_TEST

START_TEST(test_sa_endpoints_fields_are_in_darwins_order_and_types)
{
	sa_endpoints_t ep;

	ck_assert_uint_eq(offsetof(sa_endpoints_t, sae_srcif), 0);
	ck_assert_uint_lt(offsetof(sa_endpoints_t, sae_srcif),
	    offsetof(sa_endpoints_t, sae_srcaddr));
	ck_assert_uint_lt(offsetof(sa_endpoints_t, sae_srcaddr),
	    offsetof(sa_endpoints_t, sae_srcaddrlen));
	ck_assert_uint_lt(offsetof(sa_endpoints_t, sae_srcaddrlen),
	    offsetof(sa_endpoints_t, sae_dstaddr));
	ck_assert_uint_lt(offsetof(sa_endpoints_t, sae_dstaddr),
	    offsetof(sa_endpoints_t, sae_dstaddrlen));
	ck_assert(IS_TYPE(ep.sae_srcif, unsigned int));
	ck_assert(IS_TYPE(ep.sae_srcaddr, const struct sockaddr *));
	ck_assert(IS_TYPE(ep.sae_srcaddrlen, socklen_t));
	ck_assert(IS_TYPE(ep.sae_dstaddr, const struct sockaddr *));
	ck_assert(IS_TYPE(ep.sae_dstaddrlen, socklen_t));
	/* Five fields and padding, nothing else. */
	ck_assert_uint_eq(sizeof(ep), offsetof(sa_endpoints_t, sae_dstaddrlen) +
	    sizeof(socklen_t) + (sizeof(void *) == 8 ? 4 : 0));
}
END_TEST

START_TEST(test_sctp_assoc_t_is_signed_int32)
{
	ck_assert_uint_eq(sizeof(cx_sctp_assoc_t), 4);
	ck_assert((cx_sctp_assoc_t)-1 < 0);
	ck_assert_uint_eq(sizeof(sctp_assoc_t), 4);
	ck_assert((sctp_assoc_t)-1 < 0);
}
END_TEST

START_TEST(test_public_calls_link_through_their_prototypes)
{
	sae_connid_t cid = 5;
	size_t len = 5;
	sctp_assoc_t id = 5;

	errno = 0;
	ck_assert_int_eq(p_connectx(-1, NULL, SAE_ASSOCID_ANY, 0, NULL, 0, &len, &cid), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(cid, 0);
	errno = 0;
	ck_assert_int_eq(p_disconnectx(-1, SAE_ASSOCID_ANY, SAE_CONNID_ANY), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(p_sctp_connectx(-1, NULL, 1, &id), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

START_TEST(test_header_compiles_before_lksctp_with_the_same_assoc_type)
{
	ck_assert_int_eq(hdr_lksctp_assoc_t_size(), 4);
	ck_assert_int_eq(hdr_lksctp_assoc_t_is_signed(), 1);
	ck_assert_int_eq(hdr_lksctp_assoc_t_is_int32(), 1);
}
END_TEST

START_TEST(test_header_compiles_after_lksctp)
{
	int err = 0;

	ck_assert_int_eq(hdr_lksctp_reread_assoc_t_size(), 4);
	ck_assert_msg(hdr_lksctp_rev_assoc_t_size != NULL &&
	    hdr_lksctp_rev_connectx_ebadf != NULL,
	    "tests/check_header_lksctp_rev.c is not built into check_header "
	    "(add it to tests_check_header_SOURCES in Makefile.am)");
	ck_assert_int_eq(hdr_lksctp_rev_assoc_t_size(), 4);
	ck_assert_int_eq(hdr_lksctp_rev_connectx_ebadf(&err), -1);
	ck_assert_int_eq(err, EBADF);
}
END_TEST

START_TEST(test_sctp_connectx_through_lksctps_prototype_connects_and_sets_id)
{
	int32_t id = 0;
	int err = 0;

	ck_assert_msg(hdr_lksctp_connectx(&id, &err) == 0, "sctp_connectx: errno %d", err);
	ck_assert_int_gt(id, 0);
	err = 0;
	ck_assert_int_eq(hdr_lksctp_connectx_ebadf(&err), -1);
	ck_assert_int_eq(err, EBADF);
}
END_TEST

static Suite *
header_suite(void)
{
	Suite *s = suite_create("header");
	TCase *tc;

	tc = tcase_create("darwin");
	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, test_darwin_association_and_connection_ids_have_darwins_values);
	tcase_add_test(tc, test_connect_flags_have_darwins_values);
	tcase_add_test(tc, test_sa_endpoints_fields_are_in_darwins_order_and_types);
	tcase_add_test(tc, test_sctp_assoc_t_is_signed_int32);
	tcase_add_test(tc, test_public_calls_link_through_their_prototypes);
	suite_add_tcase(s, tc);

	tc = tcase_create("lksctp");
	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, test_header_compiles_before_lksctp_with_the_same_assoc_type);
	tcase_add_test(tc, test_header_compiles_after_lksctp);
	tcase_add_test(tc, test_sctp_connectx_through_lksctps_prototype_connects_and_sets_id);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(header_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
