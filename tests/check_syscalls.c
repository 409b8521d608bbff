/*
 * What a lone destination's connect costs in system calls beyond
 * connect(2) (HACKING.md, "One system call"): an application that connects
 * one address at a time, in a loop, through connectx(2) and sctp_connectx(3)
 * as it would through connect(2).  And what a list whose first destination
 * answers at once costs in socket option reads: no clone is made, so the
 * clone recipe (some 130 reads) is never learnt (HACKING.md, "Clones").
 *
 * This program runs itself under strace -f -c (--connects WAY N: N connects
 * to a loopback listener, each accepted and both ends closed), a long and a
 * short run of each way, and subtracts: setup cancels, and plain connect(2)'s
 * own calls are taken from the library's.  Memory calls (mmap, brk...) are
 * not counted: a sanitizer's allocator makes them at its own pace.  Nor are
 * clock reads: Linux answers clock_gettime(CLOCK_MONOTONIC) in the vDSO,
 * without entering the kernel, so HACKING.md's count has none; a kernel
 * that serves it as a system call (user-mode Linux, the kernel lane: no
 * vDSO clock) shows the library's clock reads to strace, and they are
 * counted apart and printed (SKIP: ...).  Exits 77 where strace is missing
 * or may not trace.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include "connectx.h"
#include "testutil.h"

/*
 * The most a lone destination may cost beyond connect(2): SO_COOKIE and
 * TCP_INFO before it, TCP_INFO after it; what each answers that connect(2)
 * does not, and why no fewer can, is in HACKING.md, "One system call".
 */
#define LONE_EXTRA_MAX	3
/*
 * getsockopt(2) calls of a blocking connectx to [live, black hole] beyond
 * plain connect(2)'s: 18 here (11 looks at the descriptor's SO_COOKIE;
 * TCP_INFO for the checks and for the verdict; SO_SNDTIMEO; SO_ERROR;
 * and the note made before the first attempt: TCP_MAXSEG,
 * TCP_WINDOW_CLAMP, TCP_CONGESTION).  Learning the clone recipe at every
 * run, as the engine did before, made it 119 (main at 57e7857).
 */
#define LIST_GETSOCKOPT_MAX	20
#define SHORT_RUN	50
#define LONG_RUN	250

static const char *self;

enum way { PLAIN, CONNECTX, SCTP_CONNECTX, LIST };
static const char *way_name[] = { "plain", "connectx", "sctp_connectx",
    "list" };

/* The application: N connects of one way, nothing else. */
static int
connects(enum way w, int n)
{
	struct listener l;
	struct blackhole b;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char list[2 * sizeof(struct sockaddr_in6)];
	sa_endpoints_t ep = { 0 };
	sctp_assoc_t id;
	int i, fd, c, r;

	if (tu_listen(&l, AF_INET, 16) != 0)
		return 1;
	ep.sae_dstaddr = (const struct sockaddr *)&l.addr;
	ep.sae_dstaddrlen = l.addrlen;
	if (w == LIST) {
		/* [live, black hole]: the first answers at once. */
		if (tu_blackhole(&b, AF_INET) != 0)
			return 1;
		a[0] = l.addr;
		al[0] = l.addrlen;
		a[1] = b.l.addr;
		al[1] = b.l.addrlen;
		ep.sae_dstaddr = (const struct sockaddr *)list;
		ep.sae_dstaddrlen = (socklen_t)tu_pack(list, a, al, 2);
		w = CONNECTX;
	}
	for (i = 0; i < n; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (w == PLAIN)
			r = connect(fd, (const struct sockaddr *)&l.addr, l.addrlen);
		else if (w == CONNECTX)
			r = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
		else
			r = sctp_connectx(fd, (struct sockaddr *)&l.addr, 1, &id);
		if (r != 0 || (c = accept(l.fd, NULL, NULL)) < 0) {
			perror(way_name[w]);
			return 1;
		}
		close(c);
		close(fd);
	}
	close(l.fd);
	return 0;
}

/*
 * System calls (memory management aside) of one run under strace -f -c;
 * with call, only that one's.  Its clock_gettime calls in *clocks, if
 * asked (0 where the vDSO answers them).
 */
static long
count_of(enum way w, int n, const char *call, long *clocks)
{
	char out[] = "/tmp/check_syscalls.XXXXXX", arg[16], line[256];
	long total = -1, v;
	pid_t pid;
	FILE *f;
	int fd, st;

	ck_assert_int_ge(fd = mkstemp(out), 0);
	close(fd);
	snprintf(arg, sizeof(arg), "%d", n);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execlp("strace", "strace", "-f", "-c", "-e", "trace=!%memory",
		    "-o", out, self, "--connects", way_name[w], arg, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "strace %s %s %d: status %d", self, way_name[w], n, st);
	ck_assert_ptr_nonnull(f = fopen(out, "r"));
	if (clocks != NULL)
		*clocks = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		/* "100.00 0.004 12 1234 5 total": calls is the 4th field. */
		char name[64];
		int k = sscanf(line, "%*s %*s %*s %ld %63s %63s", &v, name, name);

		if (k >= 2 && strcmp(name, call != NULL ? call : "total") == 0)
			total = v;
		if (k >= 2 && clocks != NULL && strcmp(name, "clock_gettime") == 0)
			*clocks = v;
	}
	fclose(f);
	unlink(out);
	ck_assert_msg(total > 0 || call != NULL, "no total in strace's table");
	return total < 0 ? 0 : total;
}

static long
count(enum way w, int n, long *clocks)
{
	return count_of(w, n, NULL, clocks);
}

/*
 * Calls per connect beyond plain connect(2)'s, in thousandths; clock reads
 * that were system calls here are left out, and said so.
 */
static long
extra_per_connect(enum way w)
{
	long cl[4], way, plain, clocks;

	way = count(w, LONG_RUN, &cl[0]) - count(w, SHORT_RUN, &cl[1]);
	plain = count(PLAIN, LONG_RUN, &cl[2]) - count(PLAIN, SHORT_RUN, &cl[3]);
	clocks = (cl[0] - cl[1]) - (cl[2] - cl[3]);
	if (clocks != 0)
		printf("SKIP: %s: clock_gettime is a system call in this kernel "
		    "(no vDSO clock): %ld.%03ld a connect, not counted\n",
		    way_name[w], clocks * 1000 / (LONG_RUN - SHORT_RUN) / 1000,
		    clocks * 1000 / (LONG_RUN - SHORT_RUN) % 1000);
	return (way - clocks - plain) * 1000 / (LONG_RUN - SHORT_RUN);
}

static void
lone_costs_at_most_the_bound(enum way w)
{
	long extra = extra_per_connect(w);

	printf("%s: %ld.%03ld system calls a connect beyond connect(2)\n",
	    way_name[w], extra / 1000, extra % 1000);
	ck_assert_msg(extra <= LONE_EXTRA_MAX * 1000,
	    "%s: %ld.%03ld system calls per connect beyond connect(2), more "
	    "than %d (HACKING.md, One system call)", way_name[w], extra / 1000,
	    extra % 1000, LONE_EXTRA_MAX);
}

START_TEST(test_connectx_lone_destination_three_system_calls_beyond_connect)
{
	lone_costs_at_most_the_bound(CONNECTX);
}
END_TEST

START_TEST(test_sctp_connectx_lone_destination_three_system_calls_beyond_connect)
{
	lone_costs_at_most_the_bound(SCTP_CONNECTX);
}
END_TEST

START_TEST(test_connectx_live_first_reads_no_clone_recipe)
{
	long way = count_of(LIST, LONG_RUN, "getsockopt", NULL) -
	    count_of(LIST, SHORT_RUN, "getsockopt", NULL);
	long plain = count_of(PLAIN, LONG_RUN, "getsockopt", NULL) -
	    count_of(PLAIN, SHORT_RUN, "getsockopt", NULL);
	long extra = (way - plain) * 1000 / (LONG_RUN - SHORT_RUN);

	printf("[live, black hole]: %ld.%03ld getsockopt per connect beyond "
	    "connect(2)\n", extra / 1000, extra % 1000);
	ck_assert_msg(extra <= LIST_GETSOCKOPT_MAX * 1000,
	    "[live, black hole]: %ld.%03ld getsockopt per connect beyond "
	    "connect(2), more than %d: the clone recipe was read (HACKING.md, "
	    "Clones)", extra / 1000, extra % 1000, LIST_GETSOCKOPT_MAX);
}
END_TEST

static Suite *
syscalls_suite(void)
{
	Suite *s = suite_create("syscalls");
	TCase *tc = tcase_create("a lone destination, blocking TCP");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_connectx_lone_destination_three_system_calls_beyond_connect);
	tcase_add_test(tc, test_sctp_connectx_lone_destination_three_system_calls_beyond_connect);
	suite_add_tcase(s, tc);
	tc = tcase_create("a list whose first destination answers at once");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_connectx_live_first_reads_no_clone_recipe);
	suite_add_tcase(s, tc);
	return s;
}

/* Whether strace is here and may trace this program. */
static bool
strace_works(void)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "strace -f -c -o /dev/null %s --connects "
	    "plain 1 >/dev/null 2>&1", self);
	return system(cmd) == 0;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc == 4 && strcmp(argv[1], "--connects") == 0) {
		int w = strcmp(argv[2], "connectx") == 0 ? CONNECTX :
		    strcmp(argv[2], "sctp_connectx") == 0 ? SCTP_CONNECTX :
		    strcmp(argv[2], "list") == 0 ? LIST : PLAIN;

		return connects((enum way)w, atoi(argv[3]));
	}
	/* The program itself (libtool's wrapper runs it by its full path). */
	self = strchr(argv[0], '/') != NULL ? argv[0] : "/proc/self/exe";
	if (!strace_works()) {
		printf("SKIP: strace is not installed or may not trace here\n");
		return 77;
	}
	sr = srunner_create(syscalls_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
