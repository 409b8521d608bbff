/*
 * The stall when the primary path dies mid-transfer over usrsctp
 * (libconnectx(3), Failover during the association), three ways side by
 * side in one run:
 *
 *   library    cx_usrsctp_connectx with the library's defaults (F = D = 250 ms)
 *   usrsctp    usrsctp_connectx with usrsctp's defaults
 *              (RTO.min 1 s, RTO.max 60 s, no potentially-failed state)
 *   hand-tuned usrsctp_connectx, then by hand: PF threshold 0,
 *              RTO.min 250 ms, RTO.max 1 s
 *
 * Each case runs in a child of its own (usrsctp starts once per process)
 * in a network namespace of its own: lo with 127.0.0.2 and .3, a forked
 * sink bound to both, the client connecting with [.3, .2]; 1000-byte
 * sequenced messages, one per millisecond; at 1 s nft drops the client's
 * UDP-encapsulated packets to 127.0.0.3 (the primary).  Printed: the
 * stall (the longest gap between arrivals at the sink from the cut on),
 * messages lost and reordered.  The sink SACKs every packet (see
 * tests/usrsctp_util.c): a peer's delayed SACK can add its delay.
 *
 * Root, ip(8) and nft(8).  Usage: usrsctp_stall [usrsctp_case_seconds]
 * (default 75: usrsctp's own stall is about 64 s).
 */
#include <config.h>

#include <connectx_usrsctp.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/wait.h>

#include "usrsctp_thlds.h"
#include "usrsctp_util.h"

#define SPORT		5001
#define CLIENT_UDP	9901
#define SERVER_UDP	9902

enum mode { LIBRARY, USRSCTP, HAND };

struct result {
	int			ok;
	struct uu_flow_stats	st;
	long			sent;
	double			stall;	/* the longest gap from the cut on */
};

/* At 1 s: nft in a child of its own, so that the flow goes on meanwhile. */
static void
cut_primary(double el, void *arg)
{
	double *cut_abs = arg;

	if (*cut_abs == 0 && el >= 1000) {
		*cut_abs = uu_now_ms();
		if (fork() == 0) {
			execl("/bin/sh", "sh", "-c", "nft add rule inet cxb out ip daddr "
			    "127.0.0.3 udp dport 9902 drop", (char *)NULL);
			_exit(127);
		}
	}
}

static void
hand_tune(struct socket *so, sctp_assoc_t id)
{
	struct sctp_rtoinfo rto;
	struct sctp_paddrthlds th;
	socklen_t len = sizeof(th);

	memset(&rto, 0, sizeof(rto));
	rto.srto_assoc_id = id;
	rto.srto_initial = 250;		/* usrsctp wants min <= initial <= max */
	rto.srto_min = 250;
	rto.srto_max = 1000;
	(void)usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof(rto));
	memset(&th, 0, sizeof(th));
	th.spt_assoc_id = id;
	th.spt_address.ss_family = AF_INET;
	(void)usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_THLDS, &th, &len);
	th.spt_assoc_id = id;
	th.spt_pathpfthld = 0;
	th.spt_pathcpthld = 0xffff;
	(void)usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_THLDS, &th, sizeof(th));
}

static void
one_case(enum mode m, double seconds, int out)
{
	static const char *const both[] = { "127.0.0.2", "127.0.0.3" };
	unsigned char list[64], *p = list;
	struct result r;
	struct socket *cl;
	sctp_assoc_t id = 0;
	double fail_ms;
	double cut_abs = 0;
	pid_t sink;
	int report;

	memset(&r, 0, sizeof(r));
	if (unshare(CLONE_NEWNET) != 0 ||
	    system("ip link set lo up && ip addr add 127.0.0.2/32 dev lo && "
	    "ip addr add 127.0.0.3/32 dev lo && nft add table inet cxb && "
	    "nft add chain inet cxb out '{ type filter hook output priority 0 ; }'") != 0)
		goto out;
	if ((sink = uu_sink_fork(SERVER_UDP, both, 2, SPORT, &report)) <= 0)
		goto out;
	usrsctp_init(CLIENT_UDP, NULL, NULL);
	if ((cl = uu_socket(AF_INET, SERVER_UDP)) == NULL)
		goto out;
	uu_put(&p, "127.0.0.3", SPORT);
	uu_put(&p, "127.0.0.2", SPORT);
	if (m == LIBRARY) {
		if (cx_usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 2, &id) != 0)
			goto out;
	} else {
		if (usrsctp_connectx(cl, (struct sockaddr *)(void *)list, 2, &id) != 0 ||
		    uu_wait_established(cl, id, 10000) != SCTP_ESTABLISHED)
			goto out;
		if (m == HAND)
			hand_tune(cl, id);
	}
	if (uu_flow_send(cl, seconds * 1000, cut_primary, &cut_abs, &r.sent, &fail_ms) != 0 ||
	    uu_flow_end(cl, 120000) != 0 ||
	    uu_sink_report(report, 120000, &r.st) != 0)
		goto out;
	r.stall = uu_gap_after(&r.st, cut_abs);
	r.ok = 1;
	uu_server_stop(sink);
out:
	(void)!write(out, &r, sizeof(r));
	_exit(0);
}

static int
run_case(enum mode m, double seconds, struct result *r)
{
	int fds[2], status;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe(fds) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		close(fds[0]);
		one_case(m, seconds, fds[1]);
	}
	close(fds[1]);
	if (read(fds[0], r, sizeof(*r)) != (ssize_t)sizeof(*r))
		r->ok = 0;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return r->ok ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static const char *const names[] = {
		"library defaults (cx_usrsctp_connectx, F = D = 250 ms)",
		"usrsctp defaults (usrsctp_connectx)",
		"hand-tuned (PF 0, RTO.min 250 ms, RTO.max 1 s)",
	};
	double secs[3] = { 3, argc > 1 ? atof(argv[1]) : 75, 3 };
	struct result r;
	int m;

	if (geteuid() != 0 || system("command -v nft >/dev/null && command -v ip >/dev/null") != 0) {
		printf("usrsctp_stall: needs root, ip(8) and nft(8); skipped\n");
		return 77;
	}
	printf("primary path (127.0.0.3) black-holed at 1 s; 1000-byte messages, 1 per ms\n");
	printf("%-56s %12s %8s %8s %10s\n", "case", "stall", "sent", "lost", "reordered");
	for (m = LIBRARY; m <= HAND; m++) {
		if (run_case((enum mode)m, secs[m], &r) != 0) {
			printf("%-56s %12s\n", names[m], "(failed)");
			continue;
		}
		printf("%-56s %9.0f ms %8ld %8ld %10ld\n", names[m], r.stall,
		    r.sent, r.sent - r.st.received, r.st.reordered);
		fflush(stdout);
	}
	return 0;
}
