/*
 * The stagger scheduler.
 *
 * Destinations are tried in list order.  An attempt that has neither
 * succeeded nor failed after the attempt delay D is joined by the next one
 * and keeps running: whichever completes first wins (RFC 8305's stagger).
 * A hard failure moves on at once.  At most max_parallel attempts are in
 * flight; past it the oldest is dropped.
 *
 * The first attempt runs on the user's own socket; later ones, while it is
 * busy, on clones of it (sockclone.c).  A clone that wins is moved onto the
 * user's descriptor number with dup3(2), keeping O_NONBLOCK and FD_CLOEXEC
 * (engine_seat.c).  Where a clone cannot be faithful, or on a non-blocking
 * socket (whose application polls only its own descriptor), attempts run
 * one at a time on the user's socket: at D the running attempt is given up
 * for the next.
 *
 * A signal that interrupts the run abandons every attempt: the call fails
 * with EINTR and leaves the socket unconnected.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "engine_run.h"
#include "engine_seat.h"
#include "engine_stagger.h"
#include "history.h"
#include "sockclone.h"
#include "timeutil.h"
#include "transport.h"

/* How often a blocking run looks for a disconnectx it cannot hear. */
#define CANCEL_CHECK_MS	100

/* Attempt i ended with err.  True when it won. */
static bool
attempt_end(struct run *r, int i, int err)
{
	struct live l = run_take_live(r, i);
	int flags;

	if (err == 0) {
		run_end_all(r, ECANCELED);
		/* A clone won: onto the user's number, unless that is gone. */
		if (l.fd != r->fd) {
			flags = run_user_fd_flags(r);
			err = flags == -1 ? ECONNABORTED :
			    run_move_to_user_fd(r, l.fd, flags);
		}
	}
	run_end_report(r, l.at, err);
	if (err == 0) {
		r->winner = (int)r->report[l.at].ca_index;
		r->winner_taken = l.taken;
		return true;
	}
	if (l.fd != r->fd || r->user_busy)
		run_release(r, l.fd);
	if (err == EINTR)
		r->interrupted = true;
	else
		r->error = run_better_error(r->error, err);
	r->move_on = true;
	return false;
}

/*
 * Whether the next attempt may run on a clone: on a non-blocking socket
 * only once the application watches every attempt's descriptor (cx_fds),
 * for an event loop that polls the user's descriptor alone would not see
 * a clone connect.
 */
static bool
may_clone(const struct run *r)
{
	return r->clones != CLONES_NO && (!r->nonblocking || r->watched);
}

/*
 * start(), and where it says "connected" at once, the transport's look that
 * the socket made its handshake (HACKING.md, "One system call").  Only a
 * socket past its handshake answers that look so, and the run's has just
 * made one: on the user's descriptor it stands for the look after the
 * start (r->looked).  Any other answer: the descriptor is asked whose it is
 * before anything more is done on it.
 */
static int
start_confirmed(struct run *r, int fd, const struct dest *d)
{
	const struct sockaddr *sa = (const struct sockaddr *)&d->ss;
	int err = r->tp->start(fd, sa, d->len);

	r->looked = false;
	if (err != 0 || r->tp->confirm == NULL)
		return err;
	if ((err = r->tp->confirm(fd)) == 0) {
		r->looked = fd == r->fd;
		return 0;
	}
	if (fd == r->fd && !run_user_fd_ours(r))
		return ECONNABORTED;
	if (err == EINPROGRESS)
		return r->tp->restart(fd, sa, d->len);
	/* Connected, and closed since by the peer: connect(2)'s answer stands. */
	return 0;
}

/* Start the next destination on fd.  True when it won at once. */
static bool
attempt_start(struct run *r, int fd)
{
	const struct dest *d = &r->dests.v[r->next];
	struct cx_attempt *a;
	struct live *l;
	int err, saved;

	/*
	 * No attempt starts, nor is reported as starting, once disconnectx
	 * has asked the run to stop (HACKING.md, Verdicts): the run ends at
	 * its next look.
	 */
	if (fd >= 0 && run_cancelled(r)) {
		if (fd != r->fd)
			close(fd);
		return false;
	}
	l = &r->live[r->nlive++];
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
	/*
	 * Its successor starts beside it at once, on a clone: the recipe is
	 * learnt before this attempt's connect(2) rather than during it.
	 */
	if (r->recalled && fd == r->fd && !r->user_busy) {
		(void)run_learn_clones(r);
		r->recalled = may_clone(r);
	}
	if (fd == r->fd) {
		r->user_busy = true;
		r->user_mapped |= r->tp->sticky_v4mapped && addr_is_v4mapped(d);
		r->maybe_mapped &= !addr_is_v4mapped(d);	/* now it is */
	}
	a = run_report_begin(r, l->at, r->next++);
	r->last_start = a->ca_start;
	run_notify(r, l->at);
	l->taken = 0;
	l->quiet = false;
	if (fd < 0)		/* no socket could be had for it */
		err = -fd;
	/* The observer may have closed the descriptor, or called disconnectx. */
	else if (r->gone || (r->observer.fn != NULL && run_cancelled(r)))
		err = ECONNABORTED;
	else {
		saved = fd == r->fd ? run_user_fd_nonblock(r) : -1;
		if (r->syn != NULL)
			err = r->tp->start_with_data(fd, (const struct sockaddr *)
			    &d->ss, d->len, r->syn, r->synlen, r->no_cookie,
			    &l->taken);
		else
			err = start_confirmed(r, fd, d);
		run_user_fd_restore(r, saved);
	}
	/*
	 * Looked at again once begun: a disconnectx that came between the
	 * look above and the start did not see this attempt to end it.
	 */
	if (err == EINPROGRESS && !run_cancelled(r))
		return false;
	if (r->cancelled || r->gone)
		err = ECONNABORTED;
	return attempt_end(r, r->nlive - 1, err);
}

#define SOCKET_LATER	INT_MIN
#define SOCKET_WON	(INT_MIN + 1)

/*
 * At the parallel cap, before the oldest attempt is dropped: whether one
 * has ended meanwhile.  A remembered destination starts its successor at
 * once (connectx(2), "History"), so the cap can be met before any poll
 * has seen the first answer; each attempt is asked, oldest first, as a
 * poll would have (the transport's verdict).  SOCKET_WON when one won,
 * SOCKET_LATER when one failed (a slot is free: look again), 0 when all
 * are still in their handshakes.
 */
static int
ended_at_cap(struct run *r)
{
	int i, err;

	for (i = 0; i < r->nlive; i++) {
		if ((err = r->tp->finish(r->live[i].fd)) == EINPROGRESS)
			continue;
		return attempt_end(r, i, err) ? SOCKET_WON : SOCKET_LATER;
	}
	return 0;
}

/*
 * A socket for the next attempt: the user's if idle, else a clone, else
 * the user's after giving up the attempt it carries; -errno when none can
 * serve it; SOCKET_LATER when the next is not due yet after all;
 * SOCKET_WON when an attempt in flight turned out to have won.
 */
static int
socket_for_next(struct run *r)
{
	int fd, i, err;

	if (r->user_busy && may_clone(r)) {
		/*
		 * The recipe is learnt at the first clone (engine_seat.c): an
		 * attempt on the user's socket that ended meanwhile ends here.
		 */
		if ((err = run_learn_clones(r)) != EINPROGRESS) {
			for (i = 0; r->live[i].fd != r->fd; i++)
				;
			return attempt_end(r, i, err) ? SOCKET_WON : SOCKET_LATER;
		}
		if (r->clones == CLONES_OK && r->nlive >= r->policy.max_parallel) {
			if ((fd = ended_at_cap(r)) != 0)
				return fd;
			attempt_end(r, 0, ETIMEDOUT);	/* drop the oldest */
		}
		/*
		 * No faithful clone, out of descriptors (or memory): one at a
		 * time, as below.
		 */
		if (r->clones == CLONES_OK && r->user_busy &&
		    (fd = sockclone_make(r->recipe)) != -1) {
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
	if ((err = run_renew_user_socket(r)) != 0)
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

int
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

int
run_advance(struct run *r, int *wait_ms)
{
	struct timespec now, t, due;
	bool timed;
	bool looked = false;	/* the deadline's last look taken */
	int i, fd;

	int err;

	for (;;) {
		if (run_cancelled(r)) {
			run_end_all(r, ECANCELED);
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
			run_end_all(r, EINTR);
			return EINTR;
		}
		if (r->has_deadline && !ts_before(now, r->deadline)) {
			/*
			 * Verdicts already in are read once before the deadline
			 * ends the run: an attempt refused at once, its thread
			 * then not run for longer than the total timeout (a
			 * loaded machine), failed with ETIMEDOUT instead of its
			 * ECONNREFUSED (connectx(2) ERRORS).
			 */
			if (!looked && r->nlive > 0 && run_poll(r, 0) == 0) {
				looked = true;
				continue;
			}
			run_end_all(r, ETIMEDOUT);
			return r->error != 0 ? r->error : ETIMEDOUT;
		}
		due = ts_add_ms(r->last_start, r->policy.attempt_delay_ms);
		if (r->next < r->dests.n && (r->nlive == 0 || r->move_on ||
		    r->recalled || !ts_before(now, due))) {
			/*
			 * A start the stagger timed, beside attempts that go
			 * on, counts from when it was due, not from when the
			 * run woke up to make it: late wake-ups do not add up
			 * along the list (connectx(2), "Failover").  Not after
			 * a failure or a remembered destination (those start
			 * at once), nor one at a time (each attempt has D of
			 * its own), nor when the wake-up was D late or more.
			 */
			timed = r->nlive > 0 && !r->move_on && !r->recalled &&
			    may_clone(r) && ts_before(now, ts_add_ms(due,
			    r->policy.attempt_delay_ms));
			if (run_cancelled(r))
				continue;
			/* Those in flight stayed silent for D (the history). */
			if (r->nlive > 0 && !r->move_on && !r->recalled)
				r->outlasted = r->nreport;
			if ((fd = socket_for_next(r)) == SOCKET_WON)
				return 0;
			if (fd == SOCKET_LATER)
				continue;
			/* No recipe after all: one at a time. */
			timed = timed && may_clone(r);
			if (attempt_start(r, fd))
				return 0;
			if (timed && !r->move_on)
				r->last_start = due;
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

int
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

int
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
			run_end_all(r, err);
			return err;
		}
		(void)run_cancelled(r);
	}
}
