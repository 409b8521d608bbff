/*
 * Failover during the association on a real kernel SCTP socket
 * (libconnectx(3), Failover during the association): after sctp_connectx,
 * the association carries RTO.min F and RTO.max 4F, the potentially-failed
 * threshold 0, heartbeats every F and Association.Max.Retrans 3; a second
 * socket whose application set RTO.min and the heartbeat interval itself
 * keeps them.  With root, ip(8) and nft(8), in a network namespace of its
 * own: a flow over [127.0.0.3, 127.0.0.2] survives the primary's cut with
 * a longest gap of at most F + 50 ms, nothing lost or reordered.
 * Skips (77) where the kernel has no SCTP.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/wait.h>

#include "connectx.h"
#include "sockopts.h"

#define SKIP	77
#define F_MS	250		/* the default: the attempt delay */
#define MSG	1000

static int failures;

static void
check(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	if (!ok)
		failures++;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
kget(int fd, int name, void *buf, socklen_t len)
{
	return getsockopt(fd, SOL_SCTP, name, buf, &len);
}

static int
listener(const char *a1, const char *a2, struct sockaddr_in *srv)
{
	struct sockaddr_in sin[2];
	socklen_t len = sizeof(*srv);
	int l = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP), n = a2 ? 2 : 1;

	memset(sin, 0, sizeof(sin));
	sin[0].sin_family = sin[1].sin_family = AF_INET;
	inet_pton(AF_INET, a1, &sin[0].sin_addr);
	if (a2 != NULL)
		inet_pton(AF_INET, a2, &sin[1].sin_addr);
	if (bind(l, (struct sockaddr *)&sin[0], sizeof(sin[0])) != 0 ||
	    getsockname(l, (struct sockaddr *)srv, &len) != 0)
		return -1;
	if (n == 2) {
		sin[1].sin_port = srv->sin_port;
		/* SCTP_SOCKOPT_BINDX_ADD */
		if (setsockopt(l, SOL_SCTP, 100, &sin[1], sizeof(sin[1])) != 0)
			return -1;
	}
	return listen(l, 8) == 0 ? l : -1;
}

/* The association's settings after a plain sctp_connectx. */
static void
settings(void)
{
	struct sockaddr_in srv, list[2];
	struct linux_sctp_rtoinfo rto;
	struct linux_sctp_paddrthlds_v2 th;
	struct linux_sctp_paddrparams pp;
	struct linux_sctp_assocparams ap;
	cx_sctp_assoc_t id = 0;
	int l, fd;

	if ((l = listener("127.0.0.1", NULL, &srv)) < 0) {
		check(false, "listener on 127.0.0.1");
		return;
	}
	list[0] = list[1] = srv;
	list[1].sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1);
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	check(sctp_connectx(fd, (struct sockaddr *)list, 2, &id) == 0, "sctp_connectx");
	memset(&rto, 0, sizeof(rto));
	rto.srto_assoc_id = id;
	check(kget(fd, SCTP_RTOINFO, &rto, sizeof(rto)) == 0 &&
	    rto.srto_min == F_MS && rto.srto_max == 4 * F_MS, "RTO.min F, RTO.max 4F");
	memset(&th, 0, sizeof(th));
	th.spt_assoc_id = id;
	check(kget(fd, SCTP_PEER_ADDR_THLDS_V2, &th, sizeof(th)) == 0 &&
	    th.spt_pathpfthld == 0, "potentially-failed threshold 0");
	memset(&pp, 0, sizeof(pp));
	pp.spp_assoc_id = id;
	check(kget(fd, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp)) == 0 &&
	    pp.spp_hbinterval == F_MS, "heartbeat interval F");
	memset(&ap, 0, sizeof(ap));
	ap.sasoc_assoc_id = id;
	check(kget(fd, SCTP_ASSOCINFO, &ap, sizeof(ap)) == 0 &&
	    ap.sasoc_asocmaxrxt == 3, "Association.Max.Retrans 3");
	close(fd);

	/* The application's own RTO.min and heartbeat interval stay.  Values in
	 * whole 4 and 10 ms steps: the kernel keeps an association's timers in
	 * jiffies, so 123 ms read back as 130 ms on Linux 6.1 in user mode
	 * (HZ=100), which is the kernel's rounding, not the library's doing. */
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	memset(&rto, 0, sizeof(rto));
	rto.srto_min = 120;
	(void)setsockopt(fd, SOL_SCTP, SCTP_RTOINFO, &rto, sizeof(rto));
	memset(&pp, 0, sizeof(pp));
	pp.spp_hbinterval = 4320;
	pp.spp_flags = LINUX_SPP_HB_ENABLE;
	(void)setsockopt(fd, SOL_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp));
	check(sctp_connectx(fd, (struct sockaddr *)list, 2, &id) == 0, "sctp_connectx (own settings)");
	memset(&rto, 0, sizeof(rto));
	rto.srto_assoc_id = id;
	check(kget(fd, SCTP_RTOINFO, &rto, sizeof(rto)) == 0 && rto.srto_min == 120 &&
	    rto.srto_max == 4 * F_MS, "the application's RTO.min kept, RTO.max 4F");
	memset(&pp, 0, sizeof(pp));
	pp.spp_assoc_id = id;
	check(kget(fd, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp)) == 0 &&
	    pp.spp_hbinterval == 4320, "the application's heartbeat interval kept");
	close(fd);
	close(l);
}

/* The primary cut mid-flow, in a namespace of our own (root, ip, nft). */
static void
flow(void)
{
	struct sockaddr_in srv, list[2];
	char buf[MSG];
	cx_sctp_assoc_t id;
	double t0, last = 0, gap = 0, t;
	uint32_t seq, expect = 0, sent = 0, v;
	int l, fd, c, reordered = 0, status;
	pid_t pid;

	if (geteuid() != 0 || system("command -v nft >/dev/null && command -v ip >/dev/null") != 0 ||
	    unshare(CLONE_NEWNET) != 0 ||
	    system("ip link set lo up && ip addr add 127.0.0.2/32 dev lo && "
	    "ip addr add 127.0.0.3/32 dev lo && nft add table inet cxk && "
	    "nft add chain inet cxk out '{ type filter hook output priority 0 ; }'") != 0) {
		printf("SKIP: the flow part needs root, ip(8), nft(8) and a network namespace\n");
		return;
	}
	if ((l = listener("127.0.0.2", "127.0.0.3", &srv)) < 0) {
		check(false, "listener on 127.0.0.2 and .3");
		return;
	}
	if ((pid = fork()) == 0) {
		/* The receiver: arrival gaps, order, count; its verdict is its status. */
		c = accept(l, NULL, NULL);
		while (recv(c, buf, sizeof(buf), MSG_WAITALL) == (ssize_t)sizeof(buf)) {
			t = now_ms();
			memcpy(&v, buf, 4);
			seq = ntohl(v);
			if (seq == 0xffffffffu)
				break;
			if (last > 0 && t - last > gap)
				gap = t - last;
			last = t;
			if (seq != expect)
				reordered++;
			expect = seq + 1;
		}
		printf("kernel: longest gap %.1f ms, %u received, %d out of order\n",
		    gap, expect, reordered);
		_exit(gap <= F_MS + 50 && reordered == 0 ? 0 : 1);
	}
	close(l);
	list[0] = list[1] = srv;
	inet_pton(AF_INET, "127.0.0.3", &list[0].sin_addr);
	inet_pton(AF_INET, "127.0.0.2", &list[1].sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	check(sctp_connectx(fd, (struct sockaddr *)list, 2, &id) == 0, "sctp_connectx [.3, .2]");
	memset(buf, 'x', sizeof(buf));
	t0 = now_ms();
	while (now_ms() - t0 < 3000) {
		if (sent == 1000)
			(void)!system("nft add rule inet cxk out ip daddr 127.0.0.3 drop");
		v = htonl(sent++);
		memcpy(buf, &v, 4);
		if (send(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
			break;
		usleep(1000);
	}
	v = htonl(0xffffffffu);
	memcpy(buf, &v, 4);
	(void)send(fd, buf, sizeof(buf), 0);
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "primary cut: longest gap within F + 50 ms, in order");
	close(fd);
}

int
main(void)
{
	int probe = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);

	if (probe == -1) {
		printf("SKIP: this kernel has no SCTP (socket(AF_INET, SOCK_STREAM, "
		    "IPPROTO_SCTP): %s); the failover options are covered by "
		    "check_sctp_passthrough's fake\n", strerror(errno));
		return SKIP;
	}
	close(probe);
	settings();
	flow();
	return failures == 0 ? 0 : 1;
}
