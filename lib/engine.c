/*
 * The endpoint-list engine.
 *
 * Destinations are tried in list order.  An attempt that has neither
 * succeeded nor failed after the attempt delay D is joined by the next one
 * and keeps running: whichever completes first wins (RFC 8305's stagger).
 * A hard failure moves on at once.  At most max_parallel attempts are in
 * flight; past it the oldest is dropped.
 *
 * The first attempt runs on the user's own socket; later ones, while it is
 * busy, on clones of it (sockclone.c).  A clone that wins is moved onto the
 * user's descriptor number with dup3(2), keeping O_NONBLOCK and FD_CLOEXEC.
 * Where a clone cannot be faithful, or on a non-blocking socket (whose
 * application polls only its own descriptor), attempts run one at a time on
 * the user's socket: at D the running attempt is given up for the next.
 *
 * On a blocking socket the engine sets O_NONBLOCK for the run and restores
 * the flags after it; a lone destination with no timeouts is left to the
 * kernel's blocking connect, which costs no system call beyond connect(2).
 *
 * A signal that interrupts the run abandons every attempt: the call fails
 * with EINTR and leaves the socket unconnected.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "engine.h"
#include "history.h"
#include "registry.h"
#include "sockclone.h"
#include "timeutil.h"
#include "transport.h"

#define RUN_MAX_LIVE	16	/* policy.c caps max_parallel at this */

/* An attempt in flight: the socket it runs on and its line in the report. */
struct live {
	int	fd;
	size_t	at;
	short	revents;
	bool	quiet;		/* ready, yet not done: not polled for a moment */
	size_t	taken;		/* bytes of r->syn its first flight took */
};

/* How long an attempt that polled ready without an end is left out. */
#define QUIET_MS	10
/* How often a blocking run looks for a disconnectx it cannot hear. */
#define CANCEL_CHECK_MS	100

/* The most a first flight can take: one segment of at most 64 KiB. */
#define SYN_DATA_MAX	65535

enum clone_mode { CLONES_NO, CLONES_OK };

struct run {
	int			 fd;		/* the user's descriptor */
	uint64_t		 cookie;	/* of the socket it names */
	const struct transport	*tp;
	int			 protocol;	/* the history's key */
	struct destlist		 dests;
	struct policy		 policy;
	struct observer		 observer;
	cx_sctp_assoc_t		 id;
	struct cx_attempt	*report;	/* one per destination started */
	size_t			 nreport;
	size_t			 next;		/* next destination to start */
	struct live		 live[RUN_MAX_LIVE];
	int			 nlive;		/* oldest first */
	bool			 user_busy;	/* an attempt runs on r->fd */
	enum clone_mode		 clones;
	struct sockclone_recipe	*recipe;
	int			 user_flags;	/* F_GETFL before the run */
	bool			 user_mapped;	/* r->fd ran an IPv4-mapped attempt */
	struct sockclone_before	 before;	/* r->fd before its first one */
	bool			 has_deadline;
	struct timespec		 deadline;	/* of the whole run */
	struct timespec		 last_start;
	bool			 move_on;	/* an attempt failed: start the next now */
	bool			 nonblocking;	/* the user's socket is: clones only */
	bool			 watched;	/* ... once the loop watches cx_fds() */
	bool			 recalled;	/* the last one started is remembered
						 * as silent: start the next now */
	bool			 interrupted;
	bool			 cancelled;	/* disconnectx from another thread */
	bool			 gone;		/* r->fd no longer names the socket */
	int			 error;		/* best failure so far, or 0 */
	int			 winner;	/* index in dests, or -1 */
	/*
	 * Fast open: the data each attempt puts in its first flight, copied
	 * (the caller's buffers do not outlive a non-blocking call).  Once a
	 * non-blocking call has reported *len, syn holds exactly those bytes,
	 * which whichever attempt wins must deliver.
	 */
	unsigned char		*syn;
	size_t			 synlen;
	bool			 fastopen;	/* deferred: with TCP_FASTOPEN_CONNECT */
	bool			 no_cookie;
	size_t			 winner_taken;	/* of syn, in the winner's first flight */
	size_t			 owed_sent;	/* of the rest, delivered by cx_step */
};

/* How far an attempt got: a peer answered, before silence, before routes. */
static int
error_rank(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return 4;
	case ETIMEDOUT:
		return 3;
	case EHOSTUNREACH:
		return 2;
	case ENETUNREACH:
		return 1;
	default:
		return 0;
	}
}

int
engine_better_error(int best, int err)
{
	if (best == 0 || error_rank(err) > error_rank(best))
		return err;
	return best;
}

/* Free a run; the user's socket is not touched, clones are closed. */
static void
run_free(struct run *r)
{
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nlive; i++)
		if (r->live[i].fd != r->fd)
			close(r->live[i].fd);
	addrlist_free(&r->dests);
	free(r->report);
	free(r->recipe);
	free(r->syn);
	free(r);
}

/* run_free as the destructor of a run parked in the registry. */
static void
run_drop(void *r)
{
	run_free(r);
}

static struct run *
run_new(struct engine_request *req)
{
	struct run *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->report = calloc(req->dests.n, sizeof(*r->report))) == NULL) {
		free(r);
		return NULL;
	}
	r->fd = req->st->fd;
	r->cookie = req->st->cookie;
	r->tp = req->st->tp;
	r->protocol = req->st->protocol;
	r->dests = req->dests;
	req->dests.v = NULL;
	req->dests.n = 0;
	r->policy = req->policy;
	r->observer = req->observer;
	r->winner = -1;
	r->clones = CLONES_NO;
	if (r->policy.total_timeout_ms > 0) {
		r->has_deadline = true;
		r->deadline = ts_add_ms(mono_now(), r->policy.total_timeout_ms);
	}
	return r;
}

/*
 * Whether the user's descriptor still names the run's socket: looked at
 * (its cookie) right before every action on that number, since another
 * thread may close it or dup2(2) something else onto it meanwhile
 * (HACKING.md, Verdicts, "A socket closed under a run").  Once not, never
 * again: the run leaves the number alone.
 */
static bool
user_fd_ours(struct run *r)
{
	if (!r->gone && sockstate_cookie(r->fd) != r->cookie)
		r->gone = true;
	return !r->gone;
}

/* Let go of the socket an attempt ran on. */
static void
release(struct run *r, int fd)
{
	if (fd == r->fd) {
		if (user_fd_ours(r))
			r->tp->abandon(fd);
		r->user_busy = false;
	} else if (fd >= 0)
		close(fd);
}

/*
 * Tell the socket's observer of attempt at, as it starts or ends.  The
 * observer may close the descriptor (another thread may too, but the
 * observer runs inside the call): the run then leaves that number alone.
 */
static void
notify(struct run *r, size_t at)
{
	if (r->observer.fn == NULL)
		return;
	r->observer.fn(r->fd, &r->report[at], r->observer.arg);
	if (sockstate_cookie(r->fd) != r->cookie)
		r->gone = true;
}

/*
 * disconnectx from another thread (or from the observer) asked the run to
 * stop: it starts nothing more and fails with ECONNABORTED.
 */
static bool
cancelled(struct run *r)
{
	if (!r->cancelled && user_fd_ours(r))
		r->cancelled = registry_cancelled(r->fd, r->cookie);
	return r->cancelled || r->gone;
}

/*
 * Whether an attempt that ended with err stayed silent or failed, for the
 * history: the network's refusals count at once; an attempt the engine
 * ended itself (given up, overtaken, interrupted, out of resources) only
 * when it had been silent for the attempt delay or its own timeout.
 */
static bool
stayed_silent(const struct run *r, const struct cx_attempt *a, int err)
{
	int64_t ms = ts_ms(a->ca_end) - ts_ms(a->ca_start);

	switch (err) {
	case 0:
	case EINPROGRESS:
		return false;
	case ECANCELED:
	case ECONNABORTED:	/* abandoned by disconnectx (HACKING.md, Verdicts) */
	case ETIMEDOUT:
	case EINTR:
	case ENOMEM:
	case ENOBUFS:
	case EMFILE:
	case ENFILE:
	case EAFNOSUPPORT:	/* the socket's family, not the destination */
	case EINVAL:
		return ms >= r->policy.attempt_delay_ms ||
		    (r->policy.attempt_timeout_ms > 0 &&
		    ms >= r->policy.attempt_timeout_ms);
	default:
		return true;
	}
}

/* connectx(2), "History": an answer is forgotten, silence remembered. */
static void
learn_history(const struct run *r, const struct cx_attempt *a, int err)
{
	const struct sockaddr *sa = (const struct sockaddr *)&a->ca_addr;

	if (err == 0)
		history_forget(sa, r->protocol);
	else if (r->policy.history && stayed_silent(r, a, err))
		history_remember(sa, r->protocol, r->policy.history_ms);
}

static void
end_report(struct run *r, size_t at, int err)
{
	r->report[at].ca_end = mono_now();
	r->report[at].ca_error = err;
	learn_history(r, &r->report[at], err);
	notify(r, at);
}

static struct live
take_live(struct run *r, int i)
{
	struct live l = r->live[i];

	memmove(&r->live[i], &r->live[i + 1],
	    (size_t)(r->nlive - i - 1) * sizeof(r->live[0]));
	r->nlive--;
	return l;
}

/* End every attempt in flight with err (ECANCELED, ETIMEDOUT, EINTR). */
static void
end_all(struct run *r, int err)
{
	struct live l;

	while (r->nlive > 0) {
		l = take_live(r, 0);
		end_report(r, l.at, err);
		release(r, l.fd);
		if (err != ECANCELED && err != EINTR)
			r->error = engine_better_error(r->error, err);
	}
}

/*
 * Put socket fd on the user's descriptor number, with the file status
 * flags given and the user's FD_CLOEXEC; fd is closed.  The registry
 * record follows the socket.  0 or errno.
 */
static int
move_to_user_fd(struct run *r, int fd, int flags)
{
	uint64_t cookie;
	int fdflags;

	if (!user_fd_ours(r))
		return ECONNABORTED;
	if ((fdflags = fcntl(r->fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFL, flags) == -1)
		return errno;
	/* Looked at last just before: the window left is in CAVEATS. */
	if (!user_fd_ours(r))
		return ECONNABORTED;
	if (dup3(fd, r->fd, (fdflags & FD_CLOEXEC) ? O_CLOEXEC : 0) == -1)
		return errno;
	close(fd);
	cookie = sockstate_cookie(r->fd);
	registry_rekey(r->fd, r->cookie, cookie);
	r->cookie = cookie;
	return 0;
}

/* Attempt i ended with err.  True when it won. */
static bool
attempt_end(struct run *r, int i, int err)
{
	struct live l = take_live(r, i);

	if (err == 0) {
		end_all(r, ECANCELED);
		if (l.fd != r->fd)
			err = move_to_user_fd(r, l.fd, r->user_flags);
	}
	end_report(r, l.at, err);
	if (err == 0) {
		r->winner = (int)r->report[l.at].ca_index;
		r->winner_taken = l.taken;
		return true;
	}
	if (l.fd != r->fd || r->user_busy)
		release(r, l.fd);
	if (err == EINTR)
		r->interrupted = true;
	else
		r->error = engine_better_error(r->error, err);
	r->move_on = true;
	return false;
}

/* Start the next destination on fd.  True when it won at once. */
/*
 * Whether the next attempt may run on a clone: on a non-blocking socket
 * only once the application watches every attempt's descriptor (cx_fds),
 * for an event loop that polls the user's descriptor alone would not see
 * a clone connect.
 */
static bool
may_clone(const struct run *r)
{
	return r->clones == CLONES_OK && (!r->nonblocking || r->watched);
}

static bool
attempt_start(struct run *r, int fd)
{
	const struct dest *d = &r->dests.v[r->next];
	struct cx_attempt *a = &r->report[r->nreport];
	struct live *l = &r->live[r->nlive++];
	int err;

	l->fd = fd;
	l->at = r->nreport++;
	l->revents = 0;
	r->move_on = false;
	/*
	 * A destination remembered as silent does not hold its successor
	 * back (connectx(2), "History"): only where the successor can run
	 * beside it, on a clone.
	 */
	r->recalled = may_clone(r) && r->policy.history &&
	    r->next + 1 < r->dests.n &&
	    history_recalls((const struct sockaddr *)&d->ss, r->protocol);
	if (fd == r->fd) {
		r->user_busy = true;
		r->user_mapped |= r->tp->sticky_v4mapped && addr_is_v4mapped(d);
	}
	memcpy(&a->ca_addr, &d->ss, d->len);
	a->ca_addrlen = d->len;
	a->ca_index = (unsigned int)r->next++;
	a->ca_start = r->last_start = mono_now();
	a->ca_error = EINPROGRESS;
	notify(r, l->at);
	l->taken = 0;
	l->quiet = false;
	if (fd < 0)		/* no socket could be had for it */
		err = -fd;
	else if (cancelled(r))
		err = ECONNABORTED;
	else if (r->syn != NULL)
		err = r->tp->start_with_data(fd, (const struct sockaddr *)&d->ss,
		    d->len, r->syn, r->synlen, r->no_cookie, &l->taken);
	else
		err = r->tp->start(fd, (const struct sockaddr *)&d->ss, d->len);
	/*
	 * Looked at again once begun: a disconnectx that came between the
	 * look above and the start did not see this attempt to end it.
	 */
	if (err == EINPROGRESS && !cancelled(r))
		return false;
	if (r->cancelled || r->gone)
		err = ECONNABORTED;
	return attempt_end(r, r->nlive - 1, err);
}

static bool
learn_recipe(struct run *r)
{
	if (r->recipe == NULL && (r->recipe = malloc(sizeof(*r->recipe))) != NULL &&
	    sockclone_learn(r->fd, r->user_mapped ? &r->before : NULL,
	    r->recipe) != 0) {
		free(r->recipe);
		r->recipe = NULL;
	}
	return r->recipe != NULL;
}

/*
 * Linux keeps an AF_INET6 TCP socket in IPv4-mapped mode after a mapped
 * attempt, even through connect(AF_UNSPEC): a native IPv6 connect on it
 * then never completes.  Before such an attempt the user's socket is
 * replaced by a fresh one made like it; 0, or the errno that prevented it
 * (the attempt then fails with it at once rather than hang).
 */
static int
renew_user_socket(struct run *r)
{
	int fd, flags, err;

	if (!r->user_mapped || addr_is_v4mapped(&r->dests.v[r->next]))
		return 0;
	if (r->gone)
		return ECONNABORTED;
	if (!learn_recipe(r))
		return ENOTSUP;
	if ((flags = fcntl(r->fd, F_GETFL)) == -1 ||
	    (fd = sockclone_make(r->recipe)) == -1)
		return errno;
	if ((err = move_to_user_fd(r, fd, flags)) != 0) {
		close(fd);
		return err;
	}
	r->user_mapped = false;
	return 0;
}

/*
 * A list that mixes IPv4-mapped and native IPv6 destinations may need a
 * fresh socket mid-run (renew_user_socket): learn how to make one now,
 * while the socket is as the caller left it.
 */
static void
prepare_renewal(struct run *r, const struct sockstate *st)
{
	bool mapped = false, native = false;
	size_t i;

	if (!r->tp->sticky_v4mapped)
		return;
	for (i = 0; i < r->dests.n; i++) {
		if (addr_is_v4mapped(&r->dests.v[i]))
			mapped = true;
		else if (r->dests.v[i].ss.ss_family == AF_INET6)
			native = true;
	}
	/* For a later call, which may need one too (HACKING.md, Verdicts). */
	if (mapped && !r->user_mapped)
		sockclone_note(r->fd, &st->local, &r->before);
	if (mapped && native)
		learn_recipe(r);
}

/*
 * Learn, before the first attempt changes the socket (its port, its MSS),
 * whether later attempts may run on clones of it.
 */
static void
decide_clones(struct run *r)
{
	r->clones = CLONES_NO;
	if (r->policy.max_parallel < 2 || r->dests.n < 2 || !learn_recipe(r))
		return;
	r->clones = CLONES_OK;
}

/*
 * A socket for the next attempt: the user's if idle, else a clone, else
 * the user's after giving up the attempt it carries; -errno when none can
 * serve it; SOCKET_LATER when the next is not due yet after all.
 */
#define SOCKET_LATER	INT_MIN
static int
socket_for_next(struct run *r)
{
	int fd, i, err;

	if (r->user_busy && may_clone(r)) {
		if (r->nlive >= r->policy.max_parallel)
			attempt_end(r, 0, ETIMEDOUT);	/* drop the oldest */
		/* Out of descriptors (or memory): one at a time, as below. */
		if (r->user_busy && (fd = sockclone_make(r->recipe)) != -1) {
			/* The user's number was free: its socket is closed. */
			if (fd != r->fd)
				return fd;
			close(fd);
			r->gone = true;
			return -ECONNABORTED;
		}
		/*
		 * Started early only for the history: without a clone the
		 * attempt on the user's socket keeps its full D.
		 */
		if (r->user_busy && r->recalled && ts_before(mono_now(),
		    ts_add_ms(r->last_start, r->policy.attempt_delay_ms))) {
			r->recalled = false;
			return SOCKET_LATER;
		}
	}
	for (i = 0; r->user_busy && i < r->nlive; i++)
		if (r->live[i].fd == r->fd)
			attempt_end(r, i, ETIMEDOUT);
	if ((err = renew_user_socket(r)) != 0)
		return -err;
	return r->fd;
}

static void
earliest(struct timespec *t, bool *set, struct timespec c)
{
	if (!*set || ts_before(c, *t))
		*t = c;
	*set = true;
}

/*
 * The longest a run in flight may be left alone from now, in ms, or -1:
 * until the next start, the oldest attempt's timeout, the deadline, and
 * with quiet, QUIET_MS for an attempt left out of the poll for a moment.
 */
static int
run_wait(const struct run *r, struct timespec now, bool quiet)
{
	struct timespec t;
	bool limited = false;
	int64_t ms;
	int i;

	if (r->next < r->dests.n && (r->move_on || (r->recalled && may_clone(r))))
		return 0;
	if (r->next < r->dests.n)
		earliest(&t, &limited,
		    ts_add_ms(r->last_start, r->policy.attempt_delay_ms));
	if (r->policy.attempt_timeout_ms > 0 && r->nlive > 0)
		earliest(&t, &limited, ts_add_ms(r->report[r->live[0].at].ca_start,
		    r->policy.attempt_timeout_ms));
	if (r->has_deadline)
		earliest(&t, &limited, r->deadline);
	for (i = 0; quiet && i < r->nlive; i++)
		if (r->live[i].quiet)
			earliest(&t, &limited, ts_add_ms(now, QUIET_MS));
	if (!limited)
		return -1;
	ms = ms_until(now, t);
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * One step of the run, never blocking; the live slots' revents say what
 * poll(2) last saw.  Returns 0 (connected), the final errno, or EINPROGRESS
 * with *wait_ms the longest the caller may wait (-1: until a socket is
 * ready).
 */
static int
run_advance(struct run *r, int *wait_ms)
{
	struct timespec now, t;
	int i, fd;

	int err;

	for (;;) {
		if (cancelled(r)) {
			end_all(r, ECANCELED);
			return ECONNABORTED;
		}
		for (i = 0; i < r->nlive; i++) {
			if (!(r->live[i].revents & (POLLOUT | POLLERR | POLLHUP)))
				continue;
			/* Ready is a hint; the transport's verdict decides. */
			if ((err = r->tp->finish(r->live[i].fd)) == EINPROGRESS) {
				r->live[i].revents = 0;
				r->live[i].quiet = true;
				continue;
			}
			if (attempt_end(r, i, err))
				return 0;
			i = -1;		/* slots moved: look again */
		}
		now = mono_now();
		for (i = 0; i < r->nlive; i++) {
			t = ts_add_ms(r->report[r->live[i].at].ca_start,
			    r->policy.attempt_timeout_ms);
			if (r->policy.attempt_timeout_ms > 0 && !ts_before(now, t)) {
				attempt_end(r, i, ETIMEDOUT);
				i = -1;
			}
		}
		if (r->interrupted) {
			end_all(r, EINTR);
			return EINTR;
		}
		if (r->has_deadline && !ts_before(now, r->deadline)) {
			end_all(r, ETIMEDOUT);
			return r->error != 0 ? r->error : ETIMEDOUT;
		}
		if (r->next < r->dests.n && (r->nlive == 0 || r->move_on ||
		    r->recalled || !ts_before(now, ts_add_ms(r->last_start,
		    r->policy.attempt_delay_ms)))) {
			if (cancelled(r))
				continue;
			if ((fd = socket_for_next(r)) == SOCKET_LATER)
				continue;
			if (attempt_start(r, fd))
				return 0;
			continue;
		}
		if (r->nlive == 0)
			return r->error;

		*wait_ms = run_wait(r, now, false);
		for (i = 0; i < r->nlive; i++)
			r->live[i].revents = 0;
		return EINPROGRESS;
	}
}

/*
 * A transport whose protocol runs the list itself (kernel SCTP): one call,
 * reported as one attempt at the first address, where the protocol starts.
 * The protocol's association ID, when it gives one, is the association's.
 */
static int
run_whole_list(struct run *r, bool want_id)
{
	struct cx_attempt *a = &r->report[r->nreport++];
	cx_sctp_assoc_t id;
	int err;

	memcpy(&a->ca_addr, &r->dests.v[0].ss, r->dests.v[0].len);
	a->ca_addrlen = r->dests.v[0].len;
	a->ca_start = mono_now();
	a->ca_error = EINPROGRESS;
	notify(r, 0);
	err = r->tp->connect_list(r->fd, &r->dests, want_id,
	    policy_failover_ms(&r->policy), &id);
	if (err != EINPROGRESS)
		end_report(r, 0, err);
	if (id > 0)
		r->id = id;
	/* In progress, the kernel's association exists and runs on its own. */
	if (err == 0 || err == EINPROGRESS)
		r->winner = 0;
	else
		r->error = err;
	return err;
}

/* Poll every attempt in flight for at most wait_ms; 0 or errno. */
static int
run_poll(struct run *r, int wait_ms)
{
	struct pollfd pfd[RUN_MAX_LIVE];
	int i, n;

	for (i = 0; i < r->nlive; i++) {
		/* Polled ready without an end: left out for a moment, not spun on. */
		pfd[i].fd = r->live[i].quiet ? -1 : r->live[i].fd;
		pfd[i].events = POLLOUT;
		pfd[i].revents = 0;
		if (r->live[i].quiet && (wait_ms < 0 || wait_ms > QUIET_MS))
			wait_ms = QUIET_MS;
		r->live[i].quiet = false;
	}
	if ((n = poll(pfd, (nfds_t)r->nlive, wait_ms)) < 0)
		return errno;
	for (i = 0; i < r->nlive; i++)
		r->live[i].revents = pfd[i].revents;
	return 0;
}

/* Drive a run to its end; the user's socket is non-blocking here. */
static int
run_blocking(struct run *r)
{
	int err, wait_ms;

	for (;;) {
		err = run_advance(r, &wait_ms);
		if (err != EINPROGRESS)
			return err;
		/*
		 * disconnectx wakes the poll by ending the attempt on the
		 * user's socket; with none there, the run looks now and then.
		 */
		if (!r->user_busy && (wait_ms < 0 || wait_ms > CANCEL_CHECK_MS))
			wait_ms = CANCEL_CHECK_MS;
		if ((err = run_poll(r, wait_ms)) != 0) {
			end_all(r, err);
			return err;
		}
		(void)cancelled(r);
	}
}

/*
 * The socket's record, locked, when the run may still write it: NULL when
 * the descriptor no longer names the run's socket (closed, maybe reused:
 * the record, if any, is the new socket's), or when disconnectx asked the
 * run to stop (it dropped the record already).  The descriptor itself is
 * looked at too, under the lock, by every caller (verify is kept for the
 * callers' sake): another thread may close it or dup2(2) onto it during
 * a blocking call as during cx_step.  The record is no longer busy.
 * Unlock with registry_unlock(r->fd) whatever it returned.
 */
static struct sockrec *
settle(struct run *r, bool verify)
{
	struct sockrec *rec = registry_lock(r->fd, r->cookie, false);

	(void)verify;
	if (rec == NULL)
		r->gone = true;
	else {
		rec->busy = false;
		if (rec->cancel || !user_fd_ours(r)) {
			r->cancelled = rec->cancel;
			r->gone |= !rec->cancel;
			rec->cancel = false;
			if (r->gone) {
				/* Its socket is closed: so is the record. */
				assoc_clear(&rec->assoc);
				memset(&rec->before_mapped, 0,
				    sizeof(rec->before_mapped));
			}
			rec = NULL;
		}
	}
	return rec;
}

/*
 * Record the run's outcome as the socket's association; the run is freed.
 * A failed run on a socket still associated from before (UDP) leaves that
 * association's record as it is: it is what the socket still has.  Returns
 * err, or ECONNABORTED when the run was abandoned meanwhile (settle): a
 * connection it made then is ended too, never reported.
 */
static int
commit(struct run *r, int err, bool was_associated, bool verify)
{
	struct sockrec *rec = settle(r, verify);

	if (rec != NULL && !(err != 0 && was_associated)) {
		assoc_clear(&rec->assoc);
		rec->assoc.id = r->id;
		rec->assoc.dests = r->dests;
		rec->assoc.winner = err == 0 ? r->winner : -1;
		rec->assoc.attempts = r->report;
		rec->assoc.nattempts = r->nreport;
		r->dests.v = NULL;
		r->dests.n = 0;
		r->report = NULL;
	}
	if (rec != NULL) {
		memset(&rec->before_mapped, 0, sizeof(rec->before_mapped));
		if (r->user_mapped)
			rec->before_mapped = r->before;
	}
	registry_unlock(r->fd);
	if (rec == NULL) {
		if (err == 0 && !r->gone)
			r->tp->disconnect(r->fd);
		err = ECONNABORTED;
	}
	run_free(r);
	return err;
}

/*
 * Park a non-blocking socket's run for cx_step(): 0, or ECONNABORTED when
 * the run was abandoned meanwhile (settle); it is then ended and freed.
 */
static int
park(struct run *r, bool verify)
{
	struct sockrec *rec = settle(r, verify);

	if (rec != NULL) {
		registry_park(rec, r, run_drop);
		assoc_clear(&rec->assoc);
		rec->assoc.id = r->id;
	}
	registry_unlock(r->fd);
	if (rec != NULL)
		return 0;
	end_all(r, ECANCELED);
	run_free(r);
	return ECONNABORTED;
}

/*
 * After the winner connected: queue what of the caller's data its first
 * flight did not carry, as much as fits now (*sent counts both).  A failed
 * send undoes the connection (UDP: back to the peer it had).
 */
static int
send_rest(struct run *r, const struct engine_request *req, size_t *sent)
{
	struct iovec rest[1024];
	size_t skip = r->winner_taken, more = 0;
	int i, n = 0, err;

	for (i = 0; i < req->iovcnt; i++) {
		if (skip >= req->iov[i].iov_len) {
			skip -= req->iov[i].iov_len;
			continue;
		}
		rest[n].iov_base = (char *)req->iov[i].iov_base + skip;
		rest[n++].iov_len = req->iov[i].iov_len - skip;
		skip = 0;
	}
	if (!user_fd_ours(r))
		return ECONNABORTED;
	err = n > 0 ? r->tp->send(r->fd, rest, n, &more) : 0;
	*sent = r->winner_taken + more;
	if (err != 0) {
		*sent = 0;
		r->tp->restore(r->fd, req->st);
	}
	return err;
}

/*
 * cx_step's winner owes the bytes *len already reported that its own first
 * flight did not carry.  What the send buffer takes now is sent; the rest
 * stays owed (EAGAIN) and the run stays parked, to be sent by a later
 * cx_step once the socket polls writable: a non-blocking call never waits,
 * and a connection that succeeded is never given up for a full buffer.
 * 0 when all are delivered, EAGAIN, or the send's errno.
 */
static int
send_owed(struct run *r)
{
	size_t off = r->winner_taken + r->owed_sent;
	ssize_t n;

	while (off < r->synlen) {
		n = send(r->fd, r->syn + off, r->synlen - off,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			r->owed_sent += (size_t)n;
		} else if (n < 0 && errno == EWOULDBLOCK)
			return EAGAIN;
		else if (n < 0 && errno != EINTR)
			return errno;
	}
	return 0;
}

/* Copy the first flight's worth of the caller's data for fast open. */
static bool
copy_syn_data(struct run *r, const struct engine_request *req)
{
	size_t total = 0, n;
	int i;

	for (i = 0; i < req->iovcnt; i++)
		total += req->iov[i].iov_len;
	r->synlen = total < SYN_DATA_MAX ? total : SYN_DATA_MAX;
	if (r->synlen == 0 || (r->syn = malloc(r->synlen)) == NULL)
		return r->synlen == 0;
	for (i = 0, total = 0; total < r->synlen; i++) {
		n = req->iov[i].iov_len < r->synlen - total ?
		    req->iov[i].iov_len : r->synlen - total;
		memcpy(r->syn + total, req->iov[i].iov_base, n);
		total += n;
	}
	r->no_cookie = req->no_cookie;
	return true;
}

/*
 * A non-blocking call stops here: what its first attempt's first flight
 * took is *len, and whichever attempt wins owes exactly that.
 */
static void
settle_owed(struct run *r, size_t *sent)
{
	unsigned char *p;

	*sent = r->nlive > 0 ? r->live[0].taken : 0;
	r->synlen = *sent;
	if (r->synlen == 0) {
		free(r->syn);
		r->syn = NULL;
	} else if ((p = realloc(r->syn, r->synlen)) != NULL)
		r->syn = p;	/* a parked run keeps only what is owed */
}

/*
 * No data, connect no later than the first write (a lone destination):
 * begun now, it is the socket's to finish, so the call succeeds at once,
 * unless the socket is non-blocking and the SYN has already left (no fast
 * open cookie, or a plain connect): then the call reports what the kernel
 * reported, EINPROGRESS, and the attempt is a run like any non-blocking
 * one, for cx_step (connectx(2), COMPATIBILITY).
 */
static int
run_deferred(struct run *r)
{
	const struct dest *d = &r->dests.v[0];
	struct cx_attempt *a = &r->report[r->nreport++];
	int err, flags;

	memcpy(&a->ca_addr, &d->ss, d->len);
	a->ca_addrlen = d->len;
	a->ca_start = mono_now();
	/* Never wait for a handshake here, even on a blocking socket. */
	if ((flags = fcntl(r->fd, F_GETFL)) == -1)
		return errno;
	if (!(flags & O_NONBLOCK))
		fcntl(r->fd, F_SETFL, flags | O_NONBLOCK);
	a->ca_error = EINPROGRESS;
	notify(r, 0);
	err = r->tp->start_deferred(r->fd, (const struct sockaddr *)&d->ss,
	    d->len, r->fastopen, r->no_cookie);
	if (!(flags & O_NONBLOCK) && user_fd_ours(r))
		fcntl(r->fd, F_SETFL, flags);
	if (err == EINPROGRESS && (flags & O_NONBLOCK)) {
		struct live *l = &r->live[r->nlive++];

		memset(l, 0, sizeof(*l));
		l->fd = r->fd;
		r->user_busy = true;
		r->next = 1;
		r->last_start = a->ca_start;
		return EINPROGRESS;
	}
	if (err != EINPROGRESS)
		end_report(r, 0, err);
	if (err == 0 || err == EINPROGRESS) {
		r->winner = 0;
		return 0;
	}
	r->tp->abandon(r->fd);
	return err;
}

/* Make the user's socket non-blocking for the run; *toggled if it was not. */
static int
enter_nonblocking(struct run *r, bool *toggled)
{
	*toggled = false;
	if ((r->user_flags = fcntl(r->fd, F_GETFL)) == -1)
		return errno;
	if (r->user_flags & O_NONBLOCK) {
		/* Clones too, once the event loop watches them (cx_fds). */
		r->nonblocking = true;
		decide_clones(r);
		return 0;
	}
	if (fcntl(r->fd, F_SETFL, r->user_flags | O_NONBLOCK) == -1)
		return errno;
	*toggled = true;
	decide_clones(r);
	return 0;
}

/* A run that ends before its first attempt: the record is left as it was. */
static int
unclaim(struct run *r, int err)
{
	return commit(r, err, true, false);
}

int
engine_connect(struct engine_request *req, struct engine_result *res)
{
	struct run *r;
	int err, wait_ms;
	bool toggled = false, defer;

	memset(res, 0, sizeof(*res));
	res->winner = -1;
	if ((r = run_new(req)) == NULL)
		return res->error = ENOMEM;
	/* Two calls on one socket: the second is EALREADY, as connect(2)'s. */
	if ((err = registry_claim(r->fd, r->cookie, &r->before)) != 0) {
		run_free(r);
		return res->error = err;
	}
	/*
	 * An earlier run left the socket in IPv4-mapped mode: a native
	 * attempt needs a fresh socket made as it was (renew_user_socket).
	 */
	r->user_mapped = r->before.set && r->tp->sticky_v4mapped;
	if ((r->id = registry_new_id()) == 0)
		return res->error = unclaim(r, EOVERFLOW);
	res->id = r->id;
	defer = req->defer && r->tp->start_deferred != NULL && r->dests.n == 1;
	if (r->tp->prepare != NULL &&
	    (err = r->tp->prepare(r->fd, req->st, defer)) != 0)
		return res->error = unclaim(r, err);

	if (r->tp->connect_list != NULL) {
		err = run_whole_list(r, req->want_id);
		res->id = r->id;
		if (err == 0 && req->iov != NULL)
			err = send_rest(r, req, &res->sent);
		res->winner = r->winner;
		if (commit(r, err == EINPROGRESS ? 0 : err, req->st->connected,
		    false) == ECONNABORTED) {
			res->winner = -1;
			err = ECONNABORTED;
		}
		return res->error = err;
	}
	if (defer) {
		r->fastopen = req->fastopen;
		r->no_cookie = req->no_cookie;
		if ((err = run_deferred(r)) == EINPROGRESS) {
			if (park(r, false) != 0)
				return res->error = ECONNABORTED;
			registry_parked();
			return res->error = EINPROGRESS;
		}
		res->winner = r->winner;
		if ((err = commit(r, err, false, false)) != 0)
			res->winner = -1;
		return res->error = err;
	}
	if (req->fastopen && req->iov != NULL && r->tp->start_with_data != NULL &&
	    !copy_syn_data(r, req))
		return res->error = unclaim(r, ENOMEM);

	prepare_renewal(r, req->st);
	/*
	 * The engine must see each attempt's end: the socket is made
	 * non-blocking, but for a lone plain destination with no timeouts,
	 * which the kernel's own blocking connect serves exactly.
	 */
	if ((r->dests.n > 1 || r->policy.attempt_timeout_ms > 0 ||
	    r->policy.total_timeout_ms > 0 || r->syn != NULL) &&
	    (err = enter_nonblocking(r, &toggled)) != 0)
		return res->error = unclaim(r, err);
	err = run_advance(r, &wait_ms);
	if (err == EINPROGRESS && toggled)
		err = run_blocking(r);
	if (toggled && user_fd_ours(r))
		fcntl(r->fd, F_SETFL, r->user_flags);
	/* The family was the destination's guess: the front-end checks it. */
	if (req->st->family_assumed && (err == EAFNOSUPPORT || err == EINVAL)) {
		res->recheck = true;
		return res->error = unclaim(r, err);
	}

	if (err == EINPROGRESS) {
		/* Plain data waits for the application; fast open's is owed. */
		settle_owed(r, &res->sent);
		if ((err = park(r, false)) != 0) {
			res->sent = 0;
			return res->error = err;
		}
		registry_parked();
		return res->error = EINPROGRESS;
	}
	if (err == 0 && req->iov != NULL)
		err = send_rest(r, req, &res->sent);
	res->winner = err == 0 ? r->winner : -1;
	if ((err = commit(r, err, req->st->connected, false)) != 0) {
		res->winner = -1;
		res->sent = 0;
	}
	return res->error = err;
}

/*
 * cx_step with nothing under way on a socket whose record counts its
 * association as established: the socket says whether it is (HACKING.md,
 * Verdicts).  A TCP connection still in its handshake (a deferred one
 * whose SYN left) is in progress; one deferred to the first write, which
 * polls writable at once, is as good as connected; one that failed gives
 * its error.
 */
static int
established_verdict(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	struct sockstate st;

	if (sockstate_identify(fd, &st) != 0 || sockstate_inspect(&st) != 0 ||
	    st.tp == NULL || !st.tp->connects_once)
		return 0;
	if (st.connecting)
		return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT) ? 0 :
		    EINPROGRESS;
	if (st.failed_connect)
		return st.tp->finish(fd);
	return 0;
}

int
engine_step(int fd, int *wait_ms)
{
	uint64_t cookie = sockstate_cookie(fd);
	struct sockrec *rec;
	struct run *r = NULL;
	bool established = false, busy = false;
	int err;

	*wait_ms = -1;
	if (cookie == 0)
		return fd < 0 || errno == EBADF ? EBADF : ENOTSOCK;
	/*
	 * The run is taken out of the record while this call works on it;
	 * the record stays busy meanwhile, so that no other call starts or
	 * steps a run on the socket in that gap.
	 */
	if ((rec = registry_lock(fd, cookie, false)) != NULL) {
		busy = rec->busy;
		if (!busy && (r = registry_claim_parked(rec)) != NULL)
			rec->busy = true;
		established = rec->assoc.winner >= 0;
	}
	registry_unlock(fd);
	/* Another call works on the run: it goes on. */
	if (busy) {
		*wait_ms = QUIET_MS;
		return EINPROGRESS;
	}
	/* Nothing under way: the run has ended (or never began). */
	if (r == NULL)
		return established ? established_verdict(fd) : ENOTCONN;

	if ((err = run_poll(r, 0)) != 0) {
		if (park(r, true) != 0)
			err = ECONNABORTED;
		return err;
	}
	/* Once won, the run only delivers what is owed (send_owed). */
	err = r->winner >= 0 ? 0 : run_advance(r, wait_ms);
	if (err == 0 && r->syn != NULL) {
		*wait_ms = -1;
		if ((err = send_owed(r)) == EAGAIN)
			err = EINPROGRESS;
		else if (err != 0)
			r->tp->abandon(r->fd);
	}
	if (err == EINPROGRESS)
		return park(r, true) == 0 ? EINPROGRESS : ECONNABORTED;
	*wait_ms = -1;
	return commit(r, err, false, true);
}

int
engine_fds(int fd, struct pollfd *pfd, int n, int *count)
{
	uint64_t cookie = sockstate_cookie(fd);
	struct sockrec *rec;
	struct run *r;
	int i, k = 0;

	*count = 0;
	if (cookie == 0)
		return fd < 0 || errno == EBADF ? EBADF : ENOTSOCK;
	if (n < 0 || (pfd == NULL && n > 0))
		return EINVAL;
	if ((rec = registry_lock(fd, cookie, false)) != NULL &&
	    (r = registry_peek_parked(rec)) != NULL && !rec->busy) {
		/*
		 * From now on the next attempts may run on clones, and the
		 * history may start the next beside a remembered one.
		 */
		if (!r->watched && r->clones == CLONES_OK && r->policy.history &&
		    r->nreport > 0 && r->next < r->dests.n &&
		    history_recalls((const struct sockaddr *)
		    &r->report[r->nreport - 1].ca_addr, r->protocol))
			r->recalled = true;
		r->watched = true;
		for (i = 0; i < r->nlive; i++) {
			/* Ready, yet in its handshake: cx_timeout() covers it. */
			if (r->live[i].quiet)
				continue;
			if (k < n) {
				pfd[k].fd = r->live[i].fd;
				pfd[k].events = POLLOUT;
				pfd[k].revents = 0;
			}
			k++;
		}
	}
	registry_unlock(fd);
	*count = k;
	return 0;
}

int
engine_timeout(int fd, int *wait_ms)
{
	uint64_t cookie = sockstate_cookie(fd);
	struct sockrec *rec;
	const struct run *r;

	*wait_ms = 0;		/* nothing under way: cx_step() tells */
	if (cookie == 0)
		return fd < 0 || errno == EBADF ? EBADF : ENOTSOCK;
	if ((rec = registry_lock(fd, cookie, false)) != NULL) {
		if (rec->busy)
			*wait_ms = QUIET_MS;
		else if ((r = registry_peek_parked(rec)) != NULL)
			*wait_ms = run_wait(r, mono_now(), true);
	}
	registry_unlock(fd);
	return 0;
}

bool
engine_parked_view(const struct sockrec *rec, struct assoc *view)
{
	const struct run *r = registry_peek_parked(rec);

	if (r == NULL)
		return false;
	view->id = r->id;
	view->dests = r->dests;
	view->winner = -1;
	view->attempts = r->report;
	view->nattempts = r->nreport;
	return true;
}
