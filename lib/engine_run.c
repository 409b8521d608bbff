/*
 * The run and its report: what each attempt did, told to the observer and
 * the history as it ends, and the run's end in the socket's record.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_run.h"
#include "history.h"
#include "registry.h"
#include "sockstate.h"
#include "timeutil.h"
#include "transport.h"

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
run_better_error(int best, int err)
{
	if (best == 0 || error_rank(err) > error_rank(best))
		return err;
	return best;
}

/*
 * A clone let go of: its attempt ended first, then closed.  close(2)
 * alone ends it only if no other process holds a copy (a child forked
 * while the run was parked): the copy would go on connecting.
 */
static void
run_drop_clone(const struct run *r, int fd)
{
	(void)r->tp->abandon(fd);
	close(fd);
}

void
run_free(struct run *r)
{
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nlive; i++)
		if (r->live[i].fd != r->fd)
			run_drop_clone(r, r->live[i].fd);
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

bool
run_user_fd_ours(struct run *r)
{
	if (r->looked)
		return !r->gone;
	if (!r->gone && sockstate_cookie(r->fd) != r->cookie)
		r->gone = true;
	return !r->gone;
}

bool
run_user_fd_asked(struct run *r)
{
	r->looked = false;
	return run_user_fd_ours(r);
}

void
run_release(struct run *r, int fd)
{
	if (fd == r->fd) {
		if (run_user_fd_ours(r))
			r->tp->abandon(fd);
		r->user_busy = false;
	} else if (fd >= 0)
		run_drop_clone(r, fd);
}

void
run_notify(struct run *r, size_t at)
{
	if (r->observer.fn == NULL)
		return;
	r->looked = false;
	/* The application's code ran: it may have changed the flags too. */
	r->handed_back = true;
	r->observer.fn(r->fd, &r->report[at], r->observer.arg);
	if (sockstate_cookie(r->fd) != r->cookie)
		r->gone = true;
}

bool
run_cancelled(struct run *r)
{
	if (!r->cancelled && run_user_fd_ours(r))
		r->cancelled = registry_cancelled(r->fd, r->cookie);
	return r->cancelled || r->gone;
}

/*
 * Whether an attempt that ended with err stayed silent or failed, for the
 * history: the network's refusals count at once; an attempt the engine
 * ended itself (given up, overtaken, interrupted, out of resources) only
 * when it had been silent for the attempt delay or its own timeout.  One
 * still silent when the delay timed a later start was silent for D as the
 * schedule counts it, though that start, counted from when it was due
 * (connectx(2), "Failover"), may come less than D after its own start.
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
	case ECONNABORTED:	/* the descriptor closed under the run */
	case ETIMEDOUT:
	case EINTR:
	case ENOMEM:
	case ENOBUFS:
	case EMFILE:
	case ENFILE:
	case EAFNOSUPPORT:	/* the socket's family, not the destination */
	case EINVAL:
		return (size_t)(a - r->report) < r->outlasted ||
		    ms >= r->policy.attempt_delay_ms ||
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

void
run_report_name(struct cx_attempt *a, const struct destlist *dests, int i)
{
	const struct dest *d = &dests->v[i];

	memcpy(&a->ca_addr, &d->ss, d->len);
	a->ca_addrlen = d->len;
	a->ca_index = (unsigned int)i;
}

struct cx_attempt *
run_report_begin(struct run *r, size_t at, int i)
{
	struct cx_attempt *a = &r->report[at];

	run_report_name(a, &r->dests, i);
	a->ca_start = mono_now();
	a->ca_error = EINPROGRESS;
	return a;
}

void
run_end_report(struct run *r, size_t at, int err)
{
	r->report[at].ca_end = mono_now();
	r->report[at].ca_error = err;
	/*
	 * A failure may be disconnectx's doing (the kernel's blocking
	 * connect wakes with EPIPE, a poll with the reset it caused): looked
	 * at for failures only, so a win costs nothing more.
	 */
	if (err != 0 && err != ECANCELED && !r->cancelled && !r->gone)
		(void)run_cancelled(r);
	/*
	 * Abandoned by disconnectx: neither the destination's doing (not
	 * history: connectx(2), History) nor reported as ending
	 * (libconnectx(3), Observer); the record is dropped anyway.
	 */
	if (r->cancelled)
		return;
	learn_history(r, &r->report[at], err);
	run_notify(r, at);
}

struct live
run_take_live(struct run *r, int i)
{
	struct live l = r->live[i];

	memmove(&r->live[i], &r->live[i + 1],
	    (size_t)(r->nlive - i - 1) * sizeof(r->live[0]));
	r->nlive--;
	return l;
}

void
run_end_all(struct run *r, int err)
{
	struct live l;

	while (r->nlive > 0) {
		l = run_take_live(r, 0);
		run_end_report(r, l.at, err);
		run_release(r, l.fd);
		if (err != ECANCELED && err != EINTR)
			r->error = run_better_error(r->error, err);
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
		rec->busy = rec->stepping = false;
		if (rec->cancel || !run_user_fd_ours(r)) {
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

int
run_commit(struct run *r, int err, bool was_associated, bool verify)
{
	struct sockrec *rec = settle(r, verify);

	if (rec != NULL && !(err != 0 && was_associated)) {
		assoc_clear(&rec->assoc);
		rec->assoc.id = r->id;
		rec->assoc.dests = r->dests;
		rec->assoc.winner = err == 0 ? r->winner : -1;
		rec->assoc.attempts = r->report;
		rec->assoc.nattempts = r->nreport;
		rec->assoc.completes = err == 0 && r->completes ? r->tp : NULL;
		r->dests.v = NULL;
		r->dests.n = 0;
		r->report = NULL;
	}
	if (rec != NULL) {
		memset(&rec->before_mapped, 0, sizeof(rec->before_mapped));
		if (r->user_mapped && !r->maybe_mapped)
			rec->before_mapped = r->before;
	}
	registry_unlock(r->fd);
	if (rec == NULL) {
		/* Cancelled: the descriptor is asked whose it is, right before. */
		if (err == 0 && run_user_fd_asked(r))
			r->tp->disconnect(r->fd);
		err = ECONNABORTED;
	}
	run_free(r);
	return err;
}

int
run_park(struct run *r, bool verify)
{
	struct sockrec *rec = settle(r, verify);

	r->handed_back = true;
	if (rec != NULL) {
		registry_park(rec, r, run_drop);
		assoc_clear(&rec->assoc);
		rec->assoc.id = r->id;
	}
	registry_unlock(r->fd);
	if (rec != NULL)
		return 0;
	run_end_all(r, ECANCELED);
	run_free(r);
	return ECONNABORTED;
}

int
run_unclaim(struct run *r, int err)
{
	return run_commit(r, err, true, false);
}
