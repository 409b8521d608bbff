/*
 * libconnectx benchmarks (connectx(2), Failover and Parallel attempts;
 * README.md, Performance).  Figures, not timed tests:
 *
 *   cxbench overhead [N]      one live address: connect(2) vs connectx vs
 *                             sctp_connectx, N connections each, interleaved
 *   cxbench blackhole         K = 1, 3, 8 black holes then a live address,
 *                             D = 10, 50 and 250 ms: time to connect
 *                             (target: K x D + 5 ms)
 *   cxbench refused [N]       N refused addresses then a live one
 *   cxbench slow              a slow but live first address against a fast
 *                             or a dead second one: which wins
 *   cxbench history [N]       [2 black holes, live], D = 250 ms: the first
 *                             connect, then N more in the same process
 *                             (the history lets them skip the black holes)
 *   cxbench leaks [N]         N failover connects: descriptors, peak RSS
 *   cxbench scale [N]         one poll(2) loop driving N concurrent
 *                             non-blocking runs to [black hole, live]
 *                             through cx_fds/cx_timeout/cx_step, against N
 *                             plain non-blocking connects to the live
 *                             address; without N, 1000 then 10000
 *   cxbench scale-live [N]    the same with [live, black hole]: the first
 *                             destination answers at once, no clone is
 *                             made (nor its recipe learnt)
 *   cxbench dial HOST PORT N [CMD]
 *                             N cx_dial() connects to HOST in this process:
 *                             the first, then the median and max of the
 *                             rest, and the address each won on; with CMD,
 *                             CMD is run (sh -c) and one more connect
 *                             follows (bench/history_peers.sh: a revived
 *                             first destination)
 *   cxbench calls WAY N       N connects one WAY (plain, connectx,
 *                             sctp_connectx) and nothing else, for
 *                             strace -c to count system calls (bench/run.sh)
 *
 * Loopback only.  Each figure is a median of repeated runs made here.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <connectx.h>

#include "benchutil.h"

/* ---- fixtures (loopback) ------------------------------------------------ */

struct sockaddr_in_list {
	struct sockaddr_in	v[1100];
	int			n;
};

/* A listener whose accept queue is full: SYNs to it are dropped. */
static int
blackhole(struct sockaddr_in *sin, int *filler)
{
	int fd = bu_listener(sin, 0, 0);

	*filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(*filler, (struct sockaddr *)sin, sizeof(*sin)) != 0) {
		perror("blackhole");
		exit(1);
	}
	return fd;
}

static void
refused(struct sockaddr_in *sin)
{
	close(bu_listener(sin, 1, 0));
}

/* Accepts and closes connections until told to stop. */
struct acceptor {
	int		fd;
	pthread_t	t;
};

static void *
accept_loop(void *arg)
{
	struct acceptor *a = arg;
	int c;

	while ((c = accept(a->fd, NULL, NULL)) >= 0)
		close(c);
	return NULL;
}

static void
acceptor_start(struct acceptor *a, struct sockaddr_in *sin)
{
	a->fd = bu_listener(sin, 4096, 0);
	pthread_create(&a->t, NULL, accept_loop, a);
}

static void
acceptor_stop(struct acceptor *a)
{
	shutdown(a->fd, SHUT_RDWR);
	pthread_join(a->t, NULL);
	close(a->fd);
}

static int
connectx_list(int fd, const struct sockaddr_in *list, int n)
{
	sa_endpoints_t ep = { 0 };

	ep.sae_dstaddr = (const struct sockaddr *)list;
	ep.sae_dstaddrlen = (socklen_t)(n * (int)sizeof(*list));
	return connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* ---- overhead ----------------------------------------------------------- */

enum way { PLAIN, CONNECTX, SCTP_CONNECTX, PROBES, NWAYS };
static const char *way_name[] = { "socket+connect+close", "connectx", "sctp_connectx",
    "plain + the 3 probes" };

/*
 * The three system calls connectx adds to a lone address (SO_COOKIE,
 * getsockname, TCP_INFO), made by hand: the floor under its overhead.
 */
static void
probes(int fd)
{
	struct sockaddr_storage ss;
	struct tcp_info ti;
	uint64_t cookie;
	socklen_t len;

	len = sizeof(cookie);
	getsockopt(fd, SOL_SOCKET, 57 /* SO_COOKIE */, &cookie, &len);
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	len = sizeof(ti);
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
}

static double
connect_many(enum way w, const struct sockaddr_in *sin, int n)
{
	sa_endpoints_t ep = { 0 };
	sctp_assoc_t id;
	double t0 = bu_now_ms();
	int i, fd, r;

	ep.sae_dstaddr = (const struct sockaddr *)sin;
	ep.sae_dstaddrlen = sizeof(*sin);
	for (i = 0; i < n; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (w == PROBES)
			probes(fd);
		if (w == PLAIN || w == PROBES)
			r = connect(fd, (const struct sockaddr *)sin, sizeof(*sin));
		else if (w == CONNECTX)
			r = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
		else
			r = sctp_connectx(fd, (struct sockaddr *)(uintptr_t)sin, 1, &id);
		if (r != 0) {
			fprintf(stderr, "%s: %s\n", way_name[w], strerror(errno));
			exit(1);
		}
		close(fd);
	}
	return bu_now_ms() - t0;
}

/*
 * Rounds interleave the three ways, so that each round's ratios compare
 * runs made moments apart; the figure is the median of those ratios (the
 * machine's drift between rounds is larger than the overhead measured).
 */
static void
bench_overhead(int n)
{
	enum { ROUNDS = 21 };
	struct acceptor a;
	struct sockaddr_in sin;
	double t[NWAYS][ROUNDS], ratio[NWAYS][ROUNDS], m;
	int round, w, per = n / ROUNDS;

	acceptor_start(&a, &sin);
	connect_many(PLAIN, &sin, 500);		/* warm up */
	for (round = 0; round < ROUNDS; round++)
		for (w = 0; w < NWAYS; w++)
			t[w][round] = connect_many((enum way)w, &sin, per);
	acceptor_stop(&a);
	for (round = 0; round < ROUNDS; round++)
		for (w = 0; w < NWAYS; w++)
			ratio[w][round] = t[w][round] / t[PLAIN][round];
	printf("overhead: one live address on loopback, %d connections per way "
	    "(%d interleaved rounds of %d; medians over rounds)\n", per * ROUNDS,
	    ROUNDS, per);
	for (w = 0; w < NWAYS; w++) {
		m = bu_median(t[w], ROUNDS);
		printf("  %-22s %8.1f ms/round  %6.2f us/connect  ratio to plain, "
		    "same round: %.3f\n", way_name[w], m, m * 1000 / per,
		    bu_median(ratio[w], ROUNDS));
	}
}

/* ---- black holes --------------------------------------------------------- */

static void
bench_blackhole(void)
{
	static const int ks[] = { 1, 3, 8 };
	static const long ds[] = { 10, 50, 250 };
	struct sockaddr_in list[9], hole_addr[8];
	int holes[8], fillers[8], live, fd, ki, di, i, k, rep;
	double t[5], m, syn_timeout = 0;
	long retries = 6;
	FILE *f;

	if ((f = fopen("/proc/sys/net/ipv4/tcp_syn_retries", "r")) != NULL) {
		if (fscanf(f, "%ld", &retries) != 1)
			retries = 6;
		fclose(f);
	}
	for (i = 0; i <= retries; i++)
		syn_timeout += 1000.0 * (1L << i);
	for (i = 0; i < 8; i++)
		holes[i] = blackhole(&hole_addr[i], &fillers[i]);
	printf("black holes then one live address (median of 5); plain connect(2) "
	    "loop: %.0f s per black hole (tcp_syn_retries=%ld, 1 s initial RTO "
	    "doubling: computed, not measured)\n", syn_timeout / 1000, retries);
	printf("  %3s %6s %12s %12s %10s %14s\n", "K", "D ms", "connect ms",
	    "target ms", "met", "plain loop s");
	for (di = 0; di < 3; di++)
		for (ki = 0; ki < 3; ki++) {
			k = ks[ki];
			/* K black holes, then the live listener in place K. */
			memcpy(list, hole_addr, (size_t)k * sizeof(list[0]));
			live = bu_listener(&list[k], 64, 0);
			for (rep = 0; rep < 5; rep++) {
				fd = socket(AF_INET, SOCK_STREAM, 0);
				cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, ds[di]);
				/* The stagger itself: no memory of earlier reps. */
				cx_setopt(fd, CX_OPT_HISTORY, 0);
				t[rep] = bu_now_ms();
				if (connectx_list(fd, list, k + 1) != 0) {
					perror("connectx");
					exit(1);
				}
				t[rep] = bu_now_ms() - t[rep];
				close(fd);
			}
			close(live);
			m = bu_median(t, 5);
			printf("  %3d %6ld %12.1f %12ld %10s %14.0f\n", k, ds[di], m,
			    k * ds[di] + 5, m <= k * ds[di] + 5 ? "yes" : "NO",
			    k * syn_timeout / 1000);
		}
	for (i = 0; i < 8; i++) {
		close(fillers[i]);
		close(holes[i]);
	}
}

/* ---- refused ------------------------------------------------------------- */

static void
bench_refused(int n)
{
	static struct sockaddr_in list[1001];
	struct acceptor a;
	double t[7], m;
	int i, fd, rep;

	if (n > 1000)
		n = 1000;
	for (i = 0; i < n; i++)
		refused(&list[i]);
	acceptor_start(&a, &list[n]);
	for (rep = 0; rep < 7; rep++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		t[rep] = bu_now_ms();
		if (connectx_list(fd, list, n + 1) != 0 || cx_getpeerindex(fd, 0) != n) {
			perror("connectx");
			exit(1);
		}
		t[rep] = bu_now_ms() - t[rep];
		close(fd);
	}
	acceptor_stop(&a);
	m = bu_median(t, 7);
	printf("refused: %d refused addresses then a live one: %.1f ms "
	    "(median of 7; target < 100 ms: %s)\n", n, m, m < 100 ? "met" : "NOT met");
}

/* ---- slow but live -------------------------------------------------------- */

struct unblock {
	int	hole, filler;
	int	after_ms;
};

/* Free a black hole's queue: its next SYN retransmission (~1 s) is answered. */
static void *
unblock_later(void *arg)
{
	struct unblock *u = arg;

	usleep((useconds_t)u->after_ms * 1000);
	close(accept(u->hole, NULL, NULL));
	return NULL;
}

static void
slow_case(const char *label, bool second_live, long d)
{
	struct sockaddr_in list[2];
	struct unblock u;
	pthread_t t;
	int second, filler2 = -1, fd, winner;
	double t0, took;

	u.hole = blackhole(&list[0], &u.filler);
	u.after_ms = 100;
	second = second_live ? bu_listener(&list[1], 8, 0) :
	    blackhole(&list[1], &filler2);
	pthread_create(&t, NULL, unblock_later, &u);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, d);
	t0 = bu_now_ms();
	if (connectx_list(fd, list, 2) != 0) {
		perror("connectx");
		exit(1);
	}
	took = bu_now_ms() - t0;
	winner = cx_getpeerindex(fd, 0);
	pthread_join(t, NULL);
	printf("  %-46s D=%4ld ms: address [%d] won after %6.1f ms\n", label, d,
	    winner, took);
	close(fd);
	close(u.filler);
	close(u.hole);
	close(second);
	if (filler2 >= 0)
		close(filler2);
}

static void
bench_slow(void)
{
	printf("slow but live: [0] answers its SYN retransmission at ~1000 ms "
	    "(1.5 x D for D = 666 ms); rule: attempts started at D intervals keep "
	    "running, and the first to complete wins\n");
	slow_case("[1] answers at once when started at D", true, 666);
	slow_case("[1] never answers", false, 666);
	slow_case("[1] answers at once, but D is past [0]'s answer", true, 1500);
}

/* ---- history ------------------------------------------------------------ */

static void
bench_history(int n)
{
	struct sockaddr_in list[3];
	double t0, first = 0, t[1000], p[1000], m, pm;
	int holes[2], fillers[2], live, fd, i, over = 0, pover = 0;

	if (n <= 0 || n > 1000)
		n = 1000;
	holes[0] = blackhole(&list[0], &fillers[0]);
	holes[1] = blackhole(&list[1], &fillers[1]);
	live = bu_listener(&list[2], 1024, 0);
	for (i = -1; i < n; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		t0 = bu_now_ms();
		if (connectx_list(fd, list, 3) != 0 || cx_getpeerindex(fd, 0) != 2) {
			perror("connectx");
			exit(1);
		}
		if (i < 0)
			first = bu_now_ms() - t0;
		else
			t[i] = bu_now_ms() - t0;
		close(fd);
		close(accept(live, NULL, NULL));
		if (i < 0)
			continue;
		/* The baseline, moments apart: plain connect(2) to the live one. */
		fd = socket(AF_INET, SOCK_STREAM, 0);
		t0 = bu_now_ms();
		if (connect(fd, (struct sockaddr *)&list[2], sizeof(list[2])) != 0) {
			perror("connect");
			exit(1);
		}
		p[i] = bu_now_ms() - t0;
		close(fd);
		close(accept(live, NULL, NULL));
	}
	for (i = 0; i < n; i++) {
		over += t[i] > 10;
		pover += p[i] > 10;
	}
	m = bu_median(t, n);
	pm = bu_median(p, n);
	printf("history: [black hole, black hole, live], D = 250 ms, one process: "
	    "first connect %.1f ms; the next %d: median %.2f ms, max %.2f ms, %d "
	    "over 10 ms (target <= 10 ms: %s); plain connect(2) to the live one, "
	    "alternating: median %.2f ms, max %.2f ms, %d over 10 ms\n", first, n,
	    m, t[n - 1], over, t[n - 1] <= 10 ? "met" : "NOT met", pm, p[n - 1],
	    pover);
	for (i = 0; i < 2; i++) {
		close(fillers[i]);
		close(holes[i]);
	}
	close(live);
}

/* ---- leaks --------------------------------------------------------------- */

static void
bench_leaks(int n)
{
	struct sockaddr_in list[3];
	struct acceptor a;
	struct rusage ru;
	int hole, filler, fd, i, before, after;
	double t0;

	refused(&list[0]);
	hole = blackhole(&list[1], &filler);
	acceptor_start(&a, &list[2]);
	before = count_fds();
	t0 = bu_now_ms();
	for (i = 0; i < n; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, 10);
		if (connectx_list(fd, list, 3) != 0) {
			perror("connectx");
			exit(1);
		}
		close(fd);
	}
	after = count_fds();
	getrusage(RUSAGE_SELF, &ru);
	acceptor_stop(&a);
	printf("leaks: %d failover connects (refused, black hole, live; D=10 ms, "
	    "the live attempt on a clone) in %.1f s: descriptors before %d, after "
	    "%d (%s); peak RSS %ld KiB\n", n, (bu_now_ms() - t0) / 1000, before, after,
	    before == after ? "equal" : "LEAK", ru.ru_maxrss);
	close(filler);
	close(hole);
}


/* ---- scale: one event loop, many runs ------------------------------------ */

static long
rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return v;
}

static double
cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* A live listener served by a process of its own (not counted here). */
static pid_t
acceptor_process(struct sockaddr_in *sin)
{
	int fd = bu_listener(sin, 65535, 0), c;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		for (;;)
			if ((c = accept(fd, NULL, NULL)) >= 0)
				close(c);
	}
	close(fd);
	return pid;
}

/* Where the live address is in the list: [black hole, live] or [live, black hole]. */
static int scale_live_at = 1;

struct scale_fig {
	double	wall_ms, cpu_ms, setup_ms;
	long	rss_kib;
	int	connected, fds_left, iterations, peak_active;
};

struct scale_loop {
	int		 n;
	int		*fd;		/* per run: the user's descriptor, -1 done */
	int		*due;		/* per run: step once poll says so or due */
	struct pollfd	*pfd;
	int		*owner;		/* pfd[i] belongs to run owner[i] */
	int		 cap;
};

static void
scale_loop_init(struct scale_loop *L, int n)
{
	L->n = n;
	L->cap = 4 * n + 16;
	L->fd = calloc((size_t)n, sizeof(int));
	L->due = calloc((size_t)n, sizeof(int));
	L->pfd = calloc((size_t)L->cap, sizeof(struct pollfd));
	L->owner = calloc((size_t)L->cap, sizeof(int));
	if (!L->fd || !L->due || !L->pfd || !L->owner) {
		perror("calloc");
		exit(1);
	}
	/* Touched now, so that the RSS figures count none of it. */
	memset(L->pfd, 1, (size_t)L->cap * sizeof(struct pollfd));
	memset(L->owner, 1, (size_t)L->cap * sizeof(int));
}

/*
 * The library's side: every run to [black hole, live]; before each wait
 * the loop asks cx_fds() and cx_timeout() of every run under way, waits in
 * one poll(2), then calls cx_step() on each run one of whose descriptors
 * is ready or whose time is up.
 */
static void
scale_lib(struct scale_loop *L, const struct sockaddr_in *list, long d,
    struct scale_fig *f)
{
	sa_endpoints_t ep = { 0 };
	int i, k, np, active = 0, tmin, w, r, before;
	long rss0, rss_peak;
	double t0, c0, now0;

	ep.sae_dstaddr = (const struct sockaddr *)list;
	ep.sae_dstaddrlen = 2 * sizeof(list[0]);
	memset(f, 0, sizeof(*f));
	before = count_fds();
	rss0 = rss_kib();
	c0 = cpu_ms();
	t0 = bu_now_ms();
	for (i = 0; i < L->n; i++) {
		L->fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (L->fd[i] < 0) {
			perror("scale: socket");
			exit(1);
		}
		cx_setopt(L->fd[i], CX_OPT_ATTEMPT_DELAY_MS, d);
		r = connectx(L->fd[i], &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL,
		    NULL);
		if (r == 0) {
			f->connected++;
			continue;
		}
		if (errno != EINPROGRESS) {
			perror("scale: connectx");
			exit(1);
		}
		L->due[i] = 0;
		active++;
	}
	f->setup_ms = bu_now_ms() - t0;
	f->peak_active = active;
	rss_peak = rss_kib();
	while (active > 0) {
		f->iterations++;
		np = 0;
		tmin = -1;
		for (i = 0; i < L->n; i++) {
			if (L->due[i] < 0)	/* connected or failed */
				continue;
			k = cx_fds(L->fd[i], L->pfd + np, L->cap - np);
			if (k < 0 || np + k > L->cap) {
				fprintf(stderr, "scale: cx_fds: %d\n", k);
				exit(1);
			}
			while (k-- > 0)
				L->owner[np++] = i;
			cx_timeout(L->fd[i], &w);
			L->due[i] = w;
			if (w >= 0 && (tmin < 0 || w < tmin))
				tmin = w;
		}
		now0 = bu_now_ms();
		if (poll(L->pfd, (nfds_t)np, tmin) < 0 && errno != EINTR) {
			perror("scale: poll");
			exit(1);
		}
		/* A run is stepped when one of its descriptors is ready... */
		for (k = 0; k < np; k++)
			if (L->pfd[k].revents != 0)
				L->due[L->owner[k]] = 0;
		/* ...or its time is up. */
		w = (int)(bu_now_ms() - now0);
		for (i = 0; i < L->n; i++) {
			if (L->due[i] < 0 || L->due[i] > w)
				continue;
			if (cx_step(L->fd[i], NULL) == 0) {
				if (cx_getpeerindex(L->fd[i], SAE_ASSOCID_ANY) ==
				    scale_live_at)
					f->connected++;
				L->due[i] = -1;
				active--;
			} else if (errno != EINPROGRESS) {
				L->due[i] = -1;
				active--;
			}
		}
	}
	f->wall_ms = bu_now_ms() - t0;
	f->cpu_ms = cpu_ms() - c0;
	f->rss_kib = (rss_kib() > rss_peak ? rss_kib() : rss_peak) - rss0;
	for (i = 0; i < L->n; i++)
		close(L->fd[i]);
	f->fds_left = count_fds() - before;
}

/* The baseline: plain non-blocking connects to the live address alone. */
static void
scale_plain(struct scale_loop *L, const struct sockaddr_in *live,
    struct scale_fig *f)
{
	int i, k, np, active = 0, err, before;
	socklen_t len;
	long rss0;
	double t0, c0;

	memset(f, 0, sizeof(*f));
	before = count_fds();
	rss0 = rss_kib();
	c0 = cpu_ms();
	t0 = bu_now_ms();
	for (i = 0; i < L->n; i++) {
		L->fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (L->fd[i] < 0) {
			perror("scale: socket");
			exit(1);
		}
		L->due[i] = 0;
		if (connect(L->fd[i], (const struct sockaddr *)live,
		    sizeof(*live)) == 0) {
			f->connected++;
			L->due[i] = -1;
		} else if (errno != EINPROGRESS) {
			perror("scale: connect");
			exit(1);
		} else
			active++;
	}
	f->setup_ms = bu_now_ms() - t0;
	f->peak_active = active;
	while (active > 0) {
		f->iterations++;
		np = 0;
		for (i = 0; i < L->n; i++)
			if (L->due[i] == 0) {
				L->pfd[np].fd = L->fd[i];
				L->pfd[np].events = POLLOUT;
				L->pfd[np].revents = 0;
				L->owner[np++] = i;
			}
		if (poll(L->pfd, (nfds_t)np, -1) < 0 && errno != EINTR) {
			perror("scale: poll");
			exit(1);
		}
		for (k = 0; k < np; k++) {
			if (L->pfd[k].revents == 0)
				continue;
			i = L->owner[k];
			len = sizeof(err);
			getsockopt(L->fd[i], SOL_SOCKET, SO_ERROR, &err, &len);
			if (err == 0)
				f->connected++;
			L->due[i] = -1;
			active--;
		}
	}
	f->wall_ms = bu_now_ms() - t0;
	f->cpu_ms = cpu_ms() - c0;
	f->rss_kib = rss_kib() - rss0;
	for (i = 0; i < L->n; i++)
		close(L->fd[i]);
	f->fds_left = count_fds() - before;
}

/* One measurement in a process of its own: fresh heap, fresh registry. */
static void
scale_child(int n, bool lib, const struct sockaddr_in *list, long d,
    struct scale_fig *f)
{
	struct scale_loop L;
	int p[2];
	pid_t pid;

	if (pipe(p) != 0 || (pid = fork()) < 0) {
		perror("scale: fork");
		exit(1);
	}
	if (pid == 0) {
		close(p[0]);
		scale_loop_init(&L, n);
		if (lib)
			scale_lib(&L, list, d, f);
		else
			scale_plain(&L, &list[scale_live_at], f);
		_exit(write(p[1], f, sizeof(*f)) == (ssize_t)sizeof(*f) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], f, sizeof(*f)) != (ssize_t)sizeof(*f)) {
		fprintf(stderr, "scale: the measuring process failed\n");
		exit(1);
	}
	close(p[0]);
	waitpid(pid, NULL, 0);
}

static void
bench_scale(int only)
{
	enum { ROUNDS = 5 };
	static const long d = 250;
	const int sizes[2] = { only ? only : 1000, 10000 };
	struct scale_fig lib[2][ROUNDS], plain[2][ROUNDS];
	struct sockaddr_in list[2];
	struct rlimit rl;
	double v[ROUNDS], lib_cpu[2], plain_cpu[2], lib_wall[2], plain_wall[2];
	double lib_rss[2], plain_rss[2];
	int hole, filler, si, nsizes = only ? 1 : 2, rnd, bad = 0, need;
	pid_t acc;

	need = 2 * sizes[nsizes - 1];
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t)need) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)need;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			getrlimit(RLIMIT_NOFILE, &rl);
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t)need) {
		fprintf(stderr, "scale: RLIMIT_NOFILE %lu < %d: run as root or "
		    "raise the hard limit\n", (unsigned long)rl.rlim_cur, need);
		exit(1);
	}
	hole = blackhole(&list[1 - scale_live_at], &filler);
	acc = acceptor_process(&list[scale_live_at]);
	printf("scale: one poll(2) loop, N concurrent non-blocking runs to "
	    "%s (D = %ld ms; cx_fds/cx_timeout/cx_step) vs N plain "
	    "non-blocking connects to the live address; %d alternating rounds, "
	    "medians\n", scale_live_at == 1 ? "[black hole, live]" :
	    "[live, black hole]", d, ROUNDS);
	for (si = 0; si < nsizes; si++) {
		for (rnd = 0; rnd < ROUNDS; rnd++) {
			scale_child(sizes[si], false, list, d, &plain[si][rnd]);
			scale_child(sizes[si], true, list, d, &lib[si][rnd]);
			if (lib[si][rnd].connected != sizes[si] ||
			    plain[si][rnd].connected != sizes[si] ||
			    lib[si][rnd].fds_left != 0 || plain[si][rnd].fds_left != 0)
				bad++;
			printf("  N=%5d round %d: plain %7.1f ms wall (%6.1f "
			    "starting) %7.1f ms cpu %+6ld KiB, %d in flight, %d "
			    "connected, %+d fds after | library %7.1f ms wall (%6.1f "
			    "starting) %7.1f ms cpu %+6ld KiB, %d in flight, %d "
			    "connected on [%d], %+d fds after, %d loop turns\n",
			    sizes[si], rnd, plain[si][rnd].wall_ms,
			    plain[si][rnd].setup_ms, plain[si][rnd].cpu_ms,
			    plain[si][rnd].rss_kib, plain[si][rnd].peak_active,
			    plain[si][rnd].connected,
			    plain[si][rnd].fds_left, lib[si][rnd].wall_ms,
			    lib[si][rnd].setup_ms,
			    lib[si][rnd].cpu_ms, lib[si][rnd].rss_kib,
			    lib[si][rnd].peak_active,
			    lib[si][rnd].connected, scale_live_at,
			    lib[si][rnd].fds_left, lib[si][rnd].iterations);
		}
#define MED(arr, field, out) do { \
	for (rnd = 0; rnd < ROUNDS; rnd++) v[rnd] = (double)arr[si][rnd].field; \
	out = bu_median(v, ROUNDS); } while (0)
		MED(lib, cpu_ms, lib_cpu[si]);
		MED(plain, cpu_ms, plain_cpu[si]);
		MED(lib, wall_ms, lib_wall[si]);
		MED(plain, wall_ms, plain_wall[si]);
		MED(lib, rss_kib, lib_rss[si]);
		MED(plain, rss_kib, plain_rss[si]);
#undef MED
		printf("  N=%5d medians, per run: plain %.1f us wall, %.1f us cpu, "
		    "%.0f B RSS | library %.1f us wall (D = %ld ms %s), "
		    "%.1f us cpu, %.0f B RSS | library/plain cpu %.2f\n",
		    sizes[si], plain_wall[si] * 1e3 / sizes[si],
		    plain_cpu[si] * 1e3 / sizes[si],
		    plain_rss[si] * 1024 / sizes[si],
		    lib_wall[si] * 1e3 / sizes[si], d,
		    scale_live_at == 1 ? "included" : "not waited for",
		    lib_cpu[si] * 1e3 / sizes[si], lib_rss[si] * 1024 / sizes[si],
		    lib_cpu[si] / plain_cpu[si]);
	}
	if (nsizes == 2)
		printf("  per-run growth from N=%d to N=%d (1.00 = flat): library "
		    "cpu %.2f, RSS %.2f, wall beyond D %.2f; plain cpu %.2f, wall "
		    "%.2f\n", sizes[0], sizes[1],
		    (lib_cpu[1] / sizes[1]) / (lib_cpu[0] / sizes[0]),
		    (lib_rss[1] / sizes[1]) / (lib_rss[0] / sizes[0]),
		    ((lib_wall[1] - d * scale_live_at) / sizes[1]) /
		    ((lib_wall[0] - d * scale_live_at) / sizes[0]),
		    (plain_cpu[1] / sizes[1]) / (plain_cpu[0] / sizes[0]),
		    (plain_wall[1] / sizes[1]) / (plain_wall[0] / sizes[0]));
	printf("  all connected, no descriptor left after its run: %s\n",
	    bad == 0 ? "yes" : "NO");
	kill(acc, SIGKILL);
	waitpid(acc, NULL, 0);
	close(filler);
	close(hole);
}


/* ---- dial: repeat connects to a name, in one process ---------------------- */

static void
dial_once(const char *host, const char *port, double *ms, char *won, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd, gai = 0;
	double t0 = bu_now_ms();

	if ((fd = cx_dial(host, port, SOCK_STREAM, NULL, NULL, &gai)) < 0) {
		fprintf(stderr, "cx_dial %s %s: %s\n", host, port,
		    gai != 0 ? gai_strerror(gai) : strerror(errno));
		exit(1);
	}
	*ms = bu_now_ms() - t0;
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    inet_ntop(ss.ss_family, ss.ss_family == AF_INET ?
	    (void *)&((struct sockaddr_in *)&ss)->sin_addr :
	    (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr, won,
	    (socklen_t)len) == NULL)
		snprintf(won, len, "?");
	close(fd);
}

static void
bench_dial(const char *host, const char *port, int n, const char *revive)
{
	static double t[100000];
	char won[INET6_ADDRSTRLEN], first_won[INET6_ADDRSTRLEN];
	char rest_won[INET6_ADDRSTRLEN] = "", last_won[INET6_ADDRSTRLEN];
	double first, m, last;
	long d = 0;
	int i, same = 1;

	if (n > 100000)
		n = 100000;
	dial_once(host, port, &first, first_won, sizeof(first_won));
	for (i = 0; i < n - 1; i++) {
		dial_once(host, port, &t[i], won, sizeof(won));
		if (i == 0)
			memcpy(rest_won, won, sizeof(won));
		else if (strcmp(won, rest_won) != 0)
			same = 0;
	}
	cx_getdefault(CX_OPT_ATTEMPT_DELAY_MS, &d);
	printf("libconnectx cx_dial %s:%s (D = %ld ms, history on): first %.1f ms "
	    "(won on %s)", host, port, d, first, first_won);
	if (n > 1) {
		m = bu_median(t, n - 1);
		qsort(t, (size_t)n - 1, sizeof(t[0]), bu_cmp_double);
		printf("; the next %d: median %.2f ms, max %.2f ms (won on %s%s)",
		    n - 1, m, t[n - 2], rest_won, same ? "" : " and others");
	}
	printf("\n");
	if (revive != NULL) {
		if (system(revive) != 0) {
			fprintf(stderr, "cxbench dial: %s failed\n", revive);
			exit(1);
		}
		dial_once(host, port, &last, last_won, sizeof(last_won));
		printf("libconnectx after \"%s\": %.2f ms, won on %s\n", revive,
		    last, last_won);
	}
}

int
main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	int n = argc > 2 && strcmp(what, "calls") != 0 &&
	    strcmp(what, "dial") != 0 ? bu_count_arg("cxbench", argv[2], 100000000) : 0;
	bool all = strcmp(what, "all") == 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(what, "dial") == 0 && (argc == 5 || argc == 6)) {
		bench_dial(argv[2], argv[3], bu_count_arg("cxbench", argv[4], 100000000),
		    argc == 6 ? argv[5] : NULL);
		return 0;
	}
	if (strcmp(what, "calls") == 0 && argc == 4) {
		struct acceptor a;
		struct sockaddr_in sin;
		int w;

		for (w = 0; w < 3; w++)
			if (strcmp(argv[2], w == 0 ? "plain" : way_name[w]) == 0)
				break;
		if (w == 3) {
			fprintf(stderr, "cxbench: calls: %s: not a way of "
			    "connecting\n", argv[2]);
			return 2;
		}
		acceptor_start(&a, &sin);
		connect_many((enum way)w, &sin, bu_count_arg("cxbench", argv[3], 100000000));
		acceptor_stop(&a);
		return 0;
	}
	if (all || strcmp(what, "overhead") == 0)
		bench_overhead(n ? n : 20000);
	if (all || strcmp(what, "refused") == 0)
		bench_refused(n ? n : 1000);
	if (all || strcmp(what, "blackhole") == 0)
		bench_blackhole();
	if (all || strcmp(what, "slow") == 0)
		bench_slow();
	if (all || strcmp(what, "history") == 0)
		bench_history(n ? n : 100);
	if (all || strcmp(what, "leaks") == 0)
		bench_leaks(n ? n : 10000);
	if (all || strcmp(what, "scale") == 0)
		bench_scale(n);
	if (all || strcmp(what, "scale-live") == 0) {
		scale_live_at = 0;
		bench_scale(n);
	}
	return 0;
}
