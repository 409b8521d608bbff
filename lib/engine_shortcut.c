/*
 * The engine's shortcuts: one call for the whole list (kernel SCTP), and
 * a deferred connect that is begun and left to the socket.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "engine_run.h"
#include "engine_shortcut.h"
#include "registry.h"
#include "timeutil.h"
#include "transport.h"

int
run_whole_list(struct run *r, bool want_id)
{
	cx_sctp_assoc_t id;
	int err, winner = 0;

	/*
	 * The report's one line names the destination the association was
	 * set up through, once the protocol says which (its primary path;
	 * the first destination when that is none of the list's).
	 */
	(void)run_report_begin(r, r->nreport++, 0);
	run_notify(r, 0);
	id = 0;
	if (r->gone || (r->observer.fn != NULL && run_cancelled(r)))
		err = ECONNABORTED;
	else
		err = r->tp->connect_list(r->fd, &r->dests, want_id,
		    policy_failover_ms(&r->policy), &id);
	if (id > 0)
		r->id = id;
	if (err == 0 && r->tp->which != NULL &&
	    r->tp->which(r->fd, r->id, &r->dests, &winner) == 0 && winner > 0)
		run_report_name(&r->report[0], &r->dests, winner);
	else
		winner = 0;
	if (err != EINPROGRESS)
		run_end_report(r, 0, err);
	/*
	 * In progress, the kernel's association exists and runs on its own:
	 * the record counts it, and learns its end when asked.
	 */
	if (err == 0 || err == EINPROGRESS)
		r->winner = winner;
	else
		r->error = err;
	/* Asked by the kernel's ID: none (the oldest option), nothing asked. */
	r->completes = err == EINPROGRESS && r->tp->which != NULL && id > 0;
	return err;
}

void
engine_whole_list_update(int fd, struct assoc *a, int *winner)
{
	struct cx_attempt *at = a->nattempts > 0 ? &a->attempts[0] : NULL;
	int err, w = 0;

	*winner = a->winner;
	if (a->completes == NULL || at == NULL)
		return;
	if ((err = a->completes->which(fd, a->id, &a->dests, &w)) == EINPROGRESS) {
		*winner = -1;
		return;
	}
	at->ca_end = mono_now();
	a->completes = NULL;
	if (err != 0) {
		at->ca_error = ENOTCONN;
		*winner = a->winner = -1;
		return;
	}
	if (w < 0)
		w = 0;
	run_report_name(at, &a->dests, w);
	at->ca_error = 0;
	*winner = a->winner = w;
}

int
run_deferred(struct run *r)
{
	const struct dest *d = &r->dests.v[0];
	struct cx_attempt *a = run_report_begin(r, r->nreport++, 0);
	int err, flags;

	run_notify(r, 0);
	/* Never wait for a handshake here, even on a blocking socket. */
	if (r->gone || (r->observer.fn != NULL && run_cancelled(r)) ||
	    (flags = fcntl(r->fd, F_GETFL)) == -1) {
		run_end_report(r, 0, ECONNABORTED);
		return ECONNABORTED;
	}
	if (!(flags & O_NONBLOCK))
		fcntl(r->fd, F_SETFL, flags | O_NONBLOCK);
	err = r->tp->start_deferred(r->fd, (const struct sockaddr *)&d->ss,
	    d->len, r->fastopen, r->no_cookie);
	if (!(flags & O_NONBLOCK) && run_user_fd_ours(r))
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
		run_end_report(r, 0, err);
	if (err == 0 || err == EINPROGRESS) {
		r->winner = 0;
		return 0;
	}
	r->tp->abandon(r->fd);
	return err;
}
