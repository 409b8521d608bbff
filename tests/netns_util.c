/*
 * The namespace of a root-only usrsctp test (netns_util.h).
 */
#include <config.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "netns_util.h"

int
nu_run(const char *cmd)
{
	int r = system(cmd);

	if (r != 0)
		fprintf(stderr, "command failed (%d): %s\n", r, cmd);
	return r;
}

void
nu_setup(const char *table, const char *const *chains)
{
	char cmd[256];

	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	ck_assert_int_eq(nu_run("ip link set lo up && "
	    "ip addr add 127.0.0.2/32 dev lo && ip addr add 127.0.0.3/32 dev lo"), 0);
	snprintf(cmd, sizeof(cmd), "nft add table inet %s", table);
	ck_assert_int_eq(nu_run(cmd), 0);
	for (; *chains != NULL; chains++) {
		snprintf(cmd, sizeof(cmd), "nft add chain inet %s %s "
		    "'{ type filter hook output priority 0 ; }'", table, *chains);
		ck_assert_int_eq(nu_run(cmd), 0);
	}
}

/* Why a namespace test cannot run here, or NULL. */
static const char *
why_not(void)
{
	if (geteuid() != 0)
		return "needs root (a network namespace with 127.0.0.2/.3 and nft rules)";
	if (system("command -v ip >/dev/null 2>&1 && command -v nft >/dev/null 2>&1") != 0)
		return "needs ip(8) and nft(8)";
	if (system("unshare -n true >/dev/null 2>&1") != 0)
		return "cannot create a network namespace here";
	/* Debian's user-mode-linux 6.1 (tests/lanes.sh kernel) is built
	 * without nftables' inet family (CONFIG_NF_TABLES_INET). */
	if (system("unshare -n nft add table inet cxprobe >/dev/null 2>&1") != 0)
		return "this kernel's nftables has no inet family (nft add table inet fails)";
	return NULL;
}

int
nu_main(const char *prog, Suite *(*suite)(void))
{
	const char *why = why_not();
	SRunner *sr;
	int failed;

	if (why != NULL) {
		printf("SKIP %s: %s\n", prog, why);
		return 77;
	}
	sr = srunner_create(suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
