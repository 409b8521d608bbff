/*
 * The non-blocking driver: a run parked in the socket's record, taken out
 * by cx_step() for one step and parked again, watched by an event loop
 * through cx_fds() and cx_timeout().
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>

#include "engine_data.h"
#include "engine_run.h"
#include "engine_stagger.h"
#include "engine_step.h"
#include "history.h"
#include "registry.h"
#include "sockstate.h"
#include "timeutil.h"
#include "transport.h"

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
	uint64_t cookie;
	struct sockrec *rec;
	struct run *r = NULL;
	bool established = false, busy = false;
	int err;

	*wait_ms = -1;
	if ((err = sockstate_cookie_of(fd, &cookie)) != 0)
		return err;
	/*
	 * The run is taken out of the record while this call works on it;
	 * the record stays busy meanwhile, so that no other call starts or
	 * steps a run on the socket in that gap.
	 */
	if ((rec = registry_lock_seen(fd, cookie)) != NULL) {
		busy = rec->busy;
		if (!busy && (r = registry_claim_parked(rec)) != NULL)
			rec->busy = rec->stepping = true;
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
		if (run_park(r, true) != 0)
			err = ECONNABORTED;
		return err;
	}
	/* Once won, the run only delivers what is owed (run_send_owed). */
	err = r->winner >= 0 ? 0 : run_advance(r, wait_ms);
	if (err == 0 && r->syn != NULL) {
		*wait_ms = -1;
		if ((err = run_send_owed(r)) == EAGAIN)
			err = EINPROGRESS;
		else if (err != 0 && run_user_fd_ours(r))
			r->tp->abandon(r->fd);
	}
	if (err == EINPROGRESS)
		return run_park(r, true) == 0 ? EINPROGRESS : ECONNABORTED;
	*wait_ms = -1;
	return run_commit(r, err, false, true);
}

int
engine_fds(int fd, struct pollfd *pfd, int n, int *count)
{
	uint64_t cookie;
	struct sockrec *rec;
	struct run *r;
	int i, k = 0, err;

	*count = 0;
	if ((err = sockstate_cookie_of(fd, &cookie)) != 0)
		return err;
	if (n < 0 || (pfd == NULL && n > 0))
		return EINVAL;
	if ((rec = registry_lock_seen(fd, cookie)) != NULL &&
	    (r = registry_peek_parked(rec)) != NULL && !rec->busy) {
		/*
		 * From now on the next attempts may run on clones, and the
		 * history may start the next beside a remembered one.
		 */
		if (!r->watched && r->clones != CLONES_NO && r->policy.history &&
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
		/*
		 * Won, and still owing fast open bytes: the socket's
		 * writability is what the next step waits for (libconnectx(3),
		 * Non-blocking use).
		 */
		if (r->winner >= 0) {
			if (k < n) {
				pfd[k].fd = r->fd;
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
	uint64_t cookie;
	struct sockrec *rec;
	const struct run *r;
	int err;

	*wait_ms = 0;		/* nothing under way: cx_step() tells */
	if ((err = sockstate_cookie_of(fd, &cookie)) != 0)
		return err;
	if ((rec = registry_lock_seen(fd, cookie)) != NULL) {
		if (rec->busy)
			*wait_ms = QUIET_MS;
		else if ((r = registry_peek_parked(rec)) != NULL)
			/* Owing bytes: no limit but the socket's readiness. */
			*wait_ms = r->winner >= 0 ? -1 :
			    run_wait(r, mono_now(), true);
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
