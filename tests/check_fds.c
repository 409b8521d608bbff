/*
 * Descriptor hygiene (connectx(2), Parallel attempts: no descriptor leaked,
 * none the user did not create closed, on every path) and RLIMIT_NOFILE
 * exhaustion.
 *
 * storm: CX_FDS_CONNECTS (default 10000) blocking failover connects over
 * lists mixing refused addresses, black holes and the live listener, with
 * parallel attempts on (cap 4, attempt delay 10 ms, total timeout 2 s).
 * Before each call, sentinels are opened at the lowest free numbers just
 * above the user's socket, where the engine's clones would go, with a gap
 * between them that a clone will take; after it, every sentinel must be
 * the same open file (st_dev/st_ino, flags) and the process's set of open
 * descriptors (number -> file) must be what it was, the user's socket
 * apart.  Every call must end as its list says: connected to the live
 * listener, or ECONNREFUSED / ETIMEDOUT where the live one is absent.
 *
 * rlimit: with RLIMIT_NOFILE set so that no descriptor can be created
 * (the user's socket is the last), a multi-address connect cannot clone:
 * run_learn_clones() finds no probe socket for the recipe (CLONES_NO), so
 * socket_for_next() gives the user's attempt up at D and starts the next
 * on the user's socket -- one attempt at a time, the same outcome.  No
 * call makes a descriptor the user did not ask for, so EMFILE never
 * reaches the caller of connectx/sctp_connectx here: an attempt that needs
 * a fresh socket and cannot have one must fail on its own (recorded),
 * never hang.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <check.h>
#include "connectx.h"
#include "testutil.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

/* ---- the open descriptor set ---------------------------------------------- */

struct fdent {
	int	fd;
	dev_t	dev;
	ino_t	ino;
};

struct fdset {
	struct fdent	v[1024];
	int		n;
};

static void
fdset_take(struct fdset *s)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	struct stat sb;
	int fd;

	ck_assert_ptr_nonnull(d);
	s->n = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if (fd == dirfd(d) || fstat(fd, &sb) != 0)
			continue;
		ck_assert_int_lt(s->n, 1024);
		s->v[s->n++] = (struct fdent){ fd, sb.st_dev, sb.st_ino };
	}
	closedir(d);
}

/* What differs between two sets, but the descriptor skip; NULL if none. */
static const char *
fdset_diff(const struct fdset *a, const struct fdset *b, int skip, int *which)
{
	int i, j;

	for (i = 0; i < a->n; i++) {
		if (a->v[i].fd == skip)
			continue;
		for (j = 0; j < b->n && b->v[j].fd != a->v[i].fd; j++)
			;
		*which = a->v[i].fd;
		if (j == b->n)
			return "closed";
		if (b->v[j].dev != a->v[i].dev || b->v[j].ino != a->v[i].ino)
			return "replaced";
	}
	for (j = 0; j < b->n; j++) {
		if (b->v[j].fd == skip)
			continue;
		for (i = 0; i < a->n && a->v[i].fd != b->v[j].fd; i++)
			;
		*which = b->v[j].fd;
		if (i == a->n)
			return "opened (leaked)";
	}
	return NULL;
}

/* ---- sentinels ---------------------------------------------------------- */

#define NSENT	4

struct sentinel {
	int	fd;
	dev_t	dev;
	ino_t	ino;
	int	fl, fdfl;
};

/* Sentinels at the next free numbers, the second closed again (a gap). */
static int
sentinels_place(struct sentinel *s, int *gap)
{
	struct stat sb;
	int i;

	for (i = 0; i < NSENT; i++) {
		s[i].fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		ck_assert_int_ge(s[i].fd, 0);
	}
	*gap = s[1].fd;
	close(s[1].fd);
	s[1].fd = -1;
	for (i = 0; i < NSENT; i++) {
		if (s[i].fd < 0)
			continue;
		ck_assert_int_eq(fstat(s[i].fd, &sb), 0);
		s[i].dev = sb.st_dev;
		s[i].ino = sb.st_ino;
		s[i].fl = fcntl(s[i].fd, F_GETFL);
		s[i].fdfl = fcntl(s[i].fd, F_GETFD);
	}
	return NSENT - 1;
}

static const char *
sentinels_check(const struct sentinel *s)
{
	struct stat sb;
	int i;

	for (i = 0; i < NSENT; i++) {
		if (s[i].fd < 0)
			continue;
		if (fstat(s[i].fd, &sb) != 0)
			return "a sentinel was closed";
		if (sb.st_dev != s[i].dev || sb.st_ino != s[i].ino)
			return "a sentinel was replaced (dup2 onto it?)";
		if (fcntl(s[i].fd, F_GETFL) != s[i].fl ||
		    fcntl(s[i].fd, F_GETFD) != s[i].fdfl)
			return "a sentinel's flags changed";
	}
	return NULL;
}

static void
sentinels_close(struct sentinel *s)
{
	int i;

	for (i = 0; i < NSENT; i++)
		if (s[i].fd >= 0)
			close(s[i].fd);
}

/* ---- helpers -------------------------------------------------------------- */

static int
env_int(const char *name, int dflt)
{
	const char *s = getenv(name);

	return s != NULL && atoi(s) > 0 ? atoi(s) : dflt;
}

static bool
peer_is(int fd, const struct listener *l)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);

	return getpeername(fd, (struct sockaddr *)&peer, &len) == 0 &&
	    len == l->addrlen && memcmp(&peer, &l->addr, len) == 0;
}

/* Accept and close what the live listener has (keeps its queue short). */
static int
drain(const struct listener *l)
{
	int fd, n = 0;

	while ((fd = tu_accept(l, 0)) >= 0) {
		close(fd);
		n++;
	}
	return n;
}

/* ---- storm ---------------------------------------------------------------- */

START_TEST(test_storm)
{
	int ncalls = env_int("CX_FDS_CONNECTS", 10000);
	struct listener live;
	struct blackhole hole;
	struct sockaddr_storage dead, a[4];
	socklen_t deadlen, al[4];
	unsigned char list[4 * sizeof(struct sockaddr_storage)];
	struct fdset before, after;
	struct sentinel sent[NSENT];
	sa_endpoints_t ep;
	const char *what;
	int i, n, fd, rc, err, gap, which, has_live, has_hole;
	int ok = 0, refused = 0, timedout = 0, adopted = 0, fds0;
	uint64_t cookie;
	socklen_t cl;
	double t0 = tu_now_ms();

	ck_assert_int_eq(tu_listen(&live, AF_INET, 1024), 0);
	ck_assert_int_eq(tu_blackhole(&hole, AF_INET), 0);
	tu_refused(&dead, &deadlen, AF_INET);
	ck_assert_int_eq(cx_setdefault(CX_OPT_ATTEMPT_DELAY_MS, 10), 0);
	ck_assert_int_eq(cx_setdefault(CX_OPT_MAX_PARALLEL, 4), 0);
	/* Lists without the live listener end here (the hole never answers). */
	ck_assert_int_eq(cx_setdefault(CX_OPT_TOTAL_TIMEOUT_MS, 2000), 0);
	fds0 = tu_count_fds();

	for (i = 0; i < ncalls; i++) {
		/*
		 * Eight shapes: refused only before live (no waiting), and one
		 * in eight with the black hole, which takes a clone at D.
		 */
		n = 0;
		has_live = 1;
		has_hole = 0;
		switch (i % 8) {
		case 0:
			a[n] = hole.l.addr; al[n++] = hole.l.addrlen;
			a[n] = dead; al[n++] = deadlen;
			a[n] = live.addr; al[n++] = live.addrlen;
			has_hole = 1;
			break;
		case 1:
			a[n] = dead; al[n++] = deadlen;
			a[n] = dead; al[n++] = deadlen;
			a[n] = live.addr; al[n++] = live.addrlen;
			break;
		case 2:
			a[n] = live.addr; al[n++] = live.addrlen;
			a[n] = dead; al[n++] = deadlen;
			break;
		case 3:
			a[n] = dead; al[n++] = deadlen;
			a[n] = dead; al[n++] = deadlen;
			has_live = 0;
			break;
		case 4:
			a[n] = dead; al[n++] = deadlen;
			a[n] = live.addr; al[n++] = live.addrlen;
			a[n] = hole.l.addr; al[n++] = hole.l.addrlen;
			break;
		case 5:
			a[n] = dead; al[n++] = deadlen;
			a[n] = dead; al[n++] = deadlen;
			a[n] = dead; al[n++] = deadlen;
			a[n] = live.addr; al[n++] = live.addrlen;
			break;
		case 6:
			a[n] = live.addr; al[n++] = live.addrlen;
			a[n] = live.addr; al[n++] = live.addrlen;
			break;
		default:
			a[n] = dead; al[n++] = deadlen;
			a[n] = live.addr; al[n++] = live.addrlen;
			break;
		}
		/* Once in 400: no live one after the black hole (the timeout path). */
		if (i % 400 == 8) {
			n = 0;
			a[n] = dead; al[n++] = deadlen;
			a[n] = hole.l.addr; al[n++] = hole.l.addrlen;
			a[n] = dead; al[n++] = deadlen;
			has_live = 0;
			has_hole = 1;
			cx_setdefault(CX_OPT_TOTAL_TIMEOUT_MS, 50);
		}
		memset(&ep, 0, sizeof(ep));
		ep.sae_dstaddr = (struct sockaddr *)list;
		ep.sae_dstaddrlen = (socklen_t)tu_pack(list, a, al, n);

		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(fd, 0);
		sentinels_place(sent, &gap);
		fdset_take(&before);
		cl = sizeof(cookie);
		getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &cl);

		errno = 0;
		rc = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
		err = errno;
		if (i % 400 == 8)
			cx_setdefault(CX_OPT_TOTAL_TIMEOUT_MS, 2000);

		if ((what = sentinels_check(sent)) != NULL)
			ck_abort_msg("call %d: %s", i, what);
		fdset_take(&after);
		what = fdset_diff(&before, &after, fd, &which);
		ck_assert_msg(what == NULL, "call %d: descriptor %d %s", i, which,
		    what);
		ck_assert_msg(fcntl(fd, F_GETFD) == FD_CLOEXEC &&
		    (fcntl(fd, F_GETFL) & O_NONBLOCK) == 0,
		    "call %d: the user's descriptor flags changed", i);
		if (has_live) {
			ck_assert_msg(rc == 0, "call %d: %s", i, strerror(err));
			ck_assert_msg(peer_is(fd, &live), "call %d: peer", i);
			ok++;
		} else if (has_hole) {
			/*
			 * connectx(2) ERRORS: ECONNREFUSED when an attempt was
			 * refused, else ETIMEDOUT.  Under load the 50 ms total
			 * timeout can pass before the first attempt starts (the
			 * thread not run that long): then nothing was refused.
			 */
			struct cx_attempt *rat;
			int k, nrat = cx_getattempts(fd, 0, &rat), refusals = 0;

			for (k = 0; k < nrat; k++)
				refusals += rat[k].ca_error == ECONNREFUSED;
			if (nrat > 0)
				cx_freeattempts(rat);
			ck_assert_msg(rc == -1 && err == (refusals > 0 ? ECONNREFUSED : ETIMEDOUT),
			    "call %d: %d %s, %d attempts, %d refused", i, rc, strerror(err),
			    nrat, refusals);
			timedout++;
		} else {
			ck_assert_msg(rc == -1 && err == ECONNREFUSED,
			    "call %d: %d %s", i, rc, strerror(err));
			refused++;
		}
		{
			uint64_t c2 = 0;

			cl = sizeof(c2);
			getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c2, &cl);
			adopted += c2 != cookie;
		}
		sentinels_close(sent);
		close(fd);
		if (i % 64 == 63)
			drain(&live);
	}
	drain(&live);
	ck_assert_int_eq(tu_count_fds(), fds0);
	fprintf(stderr, "fds: %d failover connects in %.0f ms: %d connected "
	    "(%d on an adopted clone), %d refused, %d without the live one "
	    "through a black hole; %d descriptors open before and after\n",
	    ncalls, tu_now_ms() - t0, ok, adopted, refused, timedout, fds0);
	ck_assert_int_gt(adopted, 0);
	tu_blackhole_close(&hole);
	close(live.fd);
	cx_setdefault(CX_OPT_TOTAL_TIMEOUT_MS, 0);
}
END_TEST

/* ---- rlimit ---------------------------------------------------------------- */

static struct rlimit saved_limit;

/* No descriptor can be created past fd (the highest one open). */
static void
limit_to(int fd)
{
	struct rlimit rl;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved_limit), 0);
	rl = saved_limit;
	rl.rlim_cur = (rlim_t)fd + 1;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

static void
unlimit(void)
{
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved_limit), 0);
}

/*
 * The highest open descriptor below the limit (valgrind keeps its own
 * above it); the user's socket must be it for the limit to bite.
 */
static int
highest_fd(void)
{
	struct rlimit rl;
	struct fdset s;
	int i, m = -1;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	fdset_take(&s);
	for (i = 0; i < s.n; i++)
		if (s.v[i].fd > m && (rlim_t)s.v[i].fd < rl.rlim_cur)
			m = s.v[i].fd;
	return m;
}

static int fillers[1024], nfillers;

/* A socket that is the highest descriptor, with none free below it. */
static int
top_socket(int family, int type)
{
	int fd, top;

	/* Fill every hole below the current highest descriptor. */
	top = highest_fd();
	while (nfillers < 1024 &&
	    (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
		if (fd > top) {
			close(fd);
			break;
		}
		fillers[nfillers++] = fd;	/* kept open: no lower number is free */
	}
	fd = socket(family, type | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fd, highest_fd());
	return fd;
}

/* After each rlimit test, even a failed one (CK_FORK=no): limit and fillers back. */
static void
rlimit_teardown(void)
{
	if (saved_limit.rlim_max != 0)
		setrlimit(RLIMIT_NOFILE, &saved_limit);
	while (nfillers > 0)
		close(fillers[--nfillers]);
}

START_TEST(test_rlimit_blackhole_first)
{
	struct listener live;
	struct blackhole hole;
	struct sockaddr_storage a[2];
	socklen_t al[2];
	unsigned char list[2 * sizeof(struct sockaddr_storage)];
	struct cx_attempt *att;
	sa_endpoints_t ep = { 0 };
	int fd, rc, err, n, fds;
	double t0, ms;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 16), 0);
	ck_assert_int_eq(tu_blackhole(&hole, AF_INET), 0);
	a[0] = hole.l.addr; al[0] = hole.l.addrlen;
	a[1] = live.addr; al[1] = live.addrlen;
	ep.sae_dstaddr = (struct sockaddr *)list;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(list, a, al, 2);

	fd = top_socket(AF_INET, SOCK_STREAM);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_ATTEMPT_DELAY_MS, 50), 0);
	fds = tu_count_fds();
	limit_to(fd);
	ck_assert_int_eq(socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(errno, EMFILE);
	t0 = tu_now_ms();
	rc = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
	err = errno;
	ms = tu_now_ms() - t0;
	unlimit();
	ck_assert_msg(rc == 0, "connectx at the descriptor limit: %s", strerror(err));
	ck_assert(peer_is(fd, &live));
	ck_assert_int_eq(tu_count_fds(), fds);
	/* One at a time: the black hole given up at D, then the live one. */
	n = cx_getattempts(fd, 0, &att);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(att[0].ca_index, 0);
	ck_assert_int_eq(att[0].ca_error, ETIMEDOUT);
	ck_assert_int_eq(att[1].ca_index, 1);
	ck_assert_int_eq(att[1].ca_error, 0);
	ck_assert_msg(ms >= 45 && ms < 1000, "took %.0f ms, want about D (50)", ms);
	cx_freeattempts(att);
	fprintf(stderr, "rlimit: [black hole, live] at the limit: connected in "
	    "%.0f ms, one attempt at a time\n", ms);
	close(fd);
	tu_blackhole_close(&hole);
	close(live.fd);
}
END_TEST

START_TEST(test_rlimit_refused_first)
{
	struct listener live;
	struct sockaddr_storage a[3];
	socklen_t al[3];
	unsigned char list[3 * sizeof(struct sockaddr_storage)];
	cx_sctp_assoc_t id = 0;
	sa_endpoints_t ep = { 0 };
	int fd, rc, fds;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 16), 0);
	tu_refused(&a[0], &al[0], AF_INET);
	tu_refused(&a[1], &al[1], AF_INET);
	a[2] = live.addr; al[2] = live.addrlen;
	ep.sae_dstaddr = (struct sockaddr *)list;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(list, a, al, 3);

	/* connectx */
	fd = top_socket(AF_INET, SOCK_STREAM);
	fds = tu_count_fds();
	limit_to(fd);
	rc = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
	unlimit();
	ck_assert_msg(rc == 0, "connectx: %s", strerror(errno));
	ck_assert(peer_is(fd, &live));
	ck_assert_int_eq(cx_getpeerindex(fd, 0), 2);
	ck_assert_int_eq(tu_count_fds(), fds);
	close(fd);

	/* sctp_connectx: one port for all, 127.0.0.2 and .3 refuse */
	memcpy(&a[0], &live.addr, live.addrlen);
	memcpy(&a[1], &live.addr, live.addrlen);
	((struct sockaddr_in *)&a[0])->sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1);
	((struct sockaddr_in *)&a[1])->sin_addr.s_addr = htonl(INADDR_LOOPBACK + 2);
	tu_pack(list, a, al, 3);
	fd = top_socket(AF_INET, SOCK_STREAM);
	fds = tu_count_fds();
	limit_to(fd);
	rc = sctp_connectx(fd, (struct sockaddr *)list, 3, &id);
	unlimit();
	ck_assert_msg(rc == 0, "sctp_connectx: %s", strerror(errno));
	ck_assert_int_gt(id, 0);
	ck_assert(peer_is(fd, &live));
	ck_assert_int_eq(tu_count_fds(), fds);
	close(fd);
	close(live.fd);
}
END_TEST

/* With a source address: srcbind's probe socket cannot be made either. */
START_TEST(test_rlimit_source)
{
	struct listener live;
	struct sockaddr_storage a[2], src;
	socklen_t al[2], srclen;
	unsigned char list[2 * sizeof(struct sockaddr_storage)];
	sa_endpoints_t ep = { 0 };
	int fd, rc, fds;

	ck_assert_int_eq(tu_listen(&live, AF_INET, 16), 0);
	tu_refused(&a[0], &al[0], AF_INET);
	a[1] = live.addr; al[1] = live.addrlen;
	tu_loopback(&src, &srclen, AF_INET, 0);
	ep.sae_srcaddr = (struct sockaddr *)&src;
	ep.sae_srcaddrlen = srclen;
	ep.sae_dstaddr = (struct sockaddr *)list;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(list, a, al, 2);

	fd = top_socket(AF_INET, SOCK_STREAM);
	fds = tu_count_fds();
	limit_to(fd);
	rc = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
	unlimit();
	ck_assert_msg(rc == 0, "connectx with a source: %s", strerror(errno));
	ck_assert(peer_is(fd, &live));
	ck_assert_int_eq(tu_count_fds(), fds);
	close(fd);
	close(live.fd);
}
END_TEST

/*
 * AF_INET6 [::ffff:127.0.0.1 refused, ::1 live]: after the mapped attempt
 * the engine replaces the user's socket with a fresh one for the native
 * IPv6 attempt (renew_user_socket).  At the limit it cannot: the attempt
 * must then fail on its own at once (or be made some other way), never
 * run on a socket on which it cannot complete.  Bounded by a 2 s total
 * timeout; the call must end well before it.
 */
START_TEST(test_rlimit_mapped_then_v6)
{
	struct listener live6;
	struct sockaddr_storage dead4, a[2];
	socklen_t dead4len, al[2];
	struct sockaddr_in6 *m;
	unsigned char list[2 * sizeof(struct sockaddr_storage)];
	struct cx_attempt *att;
	sa_endpoints_t ep = { 0 };
	int fd, rc, err, fds, n;
	double t0, ms;

	ck_assert_int_eq(tu_listen(&live6, AF_INET6, 16), 0);
	tu_refused(&dead4, &dead4len, AF_INET);
	memset(&a[0], 0, sizeof(a[0]));
	m = (struct sockaddr_in6 *)&a[0];
	m->sin6_family = AF_INET6;
	m->sin6_port = ((struct sockaddr_in *)&dead4)->sin_port;
	m->sin6_addr.s6_addr[10] = m->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&m->sin6_addr.s6_addr[12], &((struct sockaddr_in *)&dead4)->sin_addr, 4);
	al[0] = sizeof(*m);
	a[1] = live6.addr; al[1] = live6.addrlen;
	ep.sae_dstaddr = (struct sockaddr *)list;
	ep.sae_dstaddrlen = (socklen_t)tu_pack(list, a, al, 2);

	/* Without the limit: connected to ::1. */
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL), 0);
	ck_assert(peer_is(fd, &live6));
	close(fd);

	fd = top_socket(AF_INET6, SOCK_STREAM);
	ck_assert_int_eq(cx_setopt(fd, CX_OPT_TOTAL_TIMEOUT_MS, 2000), 0);
	fds = tu_count_fds();
	limit_to(fd);
	t0 = tu_now_ms();
	errno = 0;
	rc = connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
	err = errno;
	ms = tu_now_ms() - t0;
	unlimit();
	ck_assert_int_eq(tu_count_fds(), fds);
	n = cx_getattempts(fd, 0, &att);
	fprintf(stderr, "rlimit: [::ffff:127.0.0.1 refused, ::1 live] at the "
	    "limit: %d (%s) in %.0f ms, %d attempts, last %s\n", rc,
	    rc ? strerror(err) : "connected", ms, n,
	    n > 0 ? strerror(att[n - 1].ca_error) : "-");
	if (n > 0)
		cx_freeattempts(att);
	ck_assert_msg(ms < 1000, "the ::1 attempt ran on a socket that cannot "
	    "complete it: %.0f ms (%s)", ms, rc ? strerror(err) : "connected");
	ck_assert_msg(rc == 0 || err == ECONNREFUSED || err == EMFILE,
	    "%d %s", rc, strerror(err));
	close(fd);
	close(live6.fd);
}
END_TEST

static Suite *
fds_suite(void)
{
	Suite *s = suite_create("fds");
	TCase *tc = tcase_create("storm");
	TCase *tr = tcase_create("rlimit");

	tcase_add_test(tc, test_storm);
	tcase_set_timeout(tc, 1200);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tr, NULL, rlimit_teardown);
	tcase_add_test(tr, test_rlimit_blackhole_first);
	tcase_add_test(tr, test_rlimit_refused_first);
	tcase_add_test(tr, test_rlimit_source);
	tcase_add_test(tr, test_rlimit_mapped_then_v6);
	tcase_set_timeout(tr, 30);
	suite_add_tcase(s, tr);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fds_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
