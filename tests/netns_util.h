/*
 * The network namespace of a root-only usrsctp test (check_usrsctp_netns,
 * check_usrsctp_failover): each test in a process of its own, in a
 * namespace of its own with 127.0.0.2 and 127.0.0.3 on its loopback and an
 * nftables table whose rules drop what the test cuts.
 */
#ifndef CX_NETNS_UTIL_H
#define CX_NETNS_UTIL_H

#include <check.h>

/* system(3); a command that fails is named on stderr.  Its status. */
int		 nu_run(const char *cmd);

/*
 * This process into a new network namespace: lo up with 127.0.0.2/32 and
 * 127.0.0.3/32, and the nft table "inet table" with one output-hook
 * filter chain per name of chains (NULL-terminated).  Asserts each step.
 */
void		 nu_setup(const char *table, const char *const *chains);

/*
 * Run the suite made by suite(), each test in its own process (the namespace and the stack
 * are the process's); when this machine cannot (not root, no ip(8) or
 * nft(8), no namespaces, no nftables inet family), print why and return
 * 77 (skipped).  main's return value.
 */
int		 nu_main(const char *prog, Suite *(*suite)(void));

#endif
