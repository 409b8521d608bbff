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
#include "timeutil.h"
#include "transport.h"

int
run_whole_list(struct run *r, bool want_id)
{
	struct cx_attempt *a = &r->report[r->nreport++];
	cx_sctp_assoc_t id;
	int err;

	memcpy(&a->ca_addr, &r->dests.v[0].ss, r->dests.v[0].len);
	a->ca_addrlen = r->dests.v[0].len;
	a->ca_start = mono_now();
	a->ca_error = EINPROGRESS;
	run_notify(r, 0);
	err = r->tp->connect_list(r->fd, &r->dests, want_id,
	    policy_failover_ms(&r->policy), &id);
	if (err != EINPROGRESS)
		run_end_report(r, 0, err);
	if (id > 0)
		r->id = id;
	/* In progress, the kernel's association exists and runs on its own. */
	if (err == 0 || err == EINPROGRESS)
		r->winner = 0;
	else
		r->error = err;
	return err;
}

int
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
	run_notify(r, 0);
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
