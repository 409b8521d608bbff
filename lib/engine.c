/*
 * The endpoint-list engine: one connect over a validated list of
 * destinations, for every front-end and every transport.  A request
 * becomes a run (engine_run.c); a transport that runs the list itself or a
 * deferred connect takes a shortcut (engine_shortcut.c); every other run
 * goes to the stagger scheduler (engine_stagger.c), with the caller's data
 * (engine_data.c).  A non-blocking socket's run is parked in the registry
 * for cx_step() (engine_step.c).
 *
 * On a blocking socket the engine sets O_NONBLOCK for the run and restores
 * the flags after it; a lone destination with no timeouts is left to the
 * kernel's blocking connect, which costs no system call beyond connect(2).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "engine.h"
#include "engine_data.h"
#include "engine_run.h"
#include "engine_seat.h"
#include "engine_shortcut.h"
#include "engine_stagger.h"
#include "registry.h"
#include "timeutil.h"
#include "transport.h"

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
 * A send timeout (SO_SNDTIMEO) on a blocking socket bounds the whole call,
 * as the total timeout does: the shorter of the two ends it (connectx(2),
 * "Blocking and non-blocking sockets").
 */
static void
bound_by_sndtimeo(struct run *r)
{
	struct timeval tv;
	socklen_t len = sizeof(tv);
	struct timespec t;

	if (getsockopt(r->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) != 0 ||
	    (tv.tv_sec <= 0 && tv.tv_usec <= 0))
		return;
	t = ts_add_ms(mono_now(), (int64_t)tv.tv_sec * 1000 +
	    (tv.tv_usec + 999) / 1000);
	if (!r->has_deadline || ts_before(t, r->deadline))
		r->deadline = t;
	r->has_deadline = true;
}

/*
 * The kernel's own blocking connect(2) (a lone destination, no timeouts)
 * came back EINPROGRESS.  On a non-blocking socket that is the answer; on
 * a blocking one it means the send timeout ran out, which ends the call
 * as the total timeout would: the attempt is abandoned, ETIMEDOUT.
 */
static int
kernel_wait_ended(struct run *r)
{
	int flags = fcntl(r->fd, F_GETFL);

	if (flags == -1 || (flags & O_NONBLOCK))
		return EINPROGRESS;
	run_end_all(r, ETIMEDOUT);
	return r->error != 0 ? r->error : ETIMEDOUT;
}

/* Make the user's socket non-blocking for the run; r->toggled if it was not. */
static int
enter_nonblocking(struct run *r)
{
	if ((r->user_flags = fcntl(r->fd, F_GETFL)) == -1)
		return errno;
	if (r->user_flags & O_NONBLOCK) {
		/* Clones too, once the event loop watches them (cx_fds). */
		r->nonblocking = true;
		run_decide_clones(r);
		return 0;
	}
	if (fcntl(r->fd, F_SETFL, r->user_flags | O_NONBLOCK) == -1)
		return errno;
	r->toggled = true;
	bound_by_sndtimeo(r);
	run_decide_clones(r);
	return 0;
}

int
engine_connect(struct engine_request *req, struct engine_result *res)
{
	struct run *r;
	int err, wait_ms;
	bool defer, kernel_waits;

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
	 * attempt needs a fresh socket made as it was (run_renew_user_socket).
	 */
	r->user_mapped = r->before.set && r->tp->sticky_v4mapped;
	/*
	 * Nor can a socket that a connect of the application's ran on be
	 * told from one left in IPv4-mapped mode (Linux shows neither the
	 * address nor the mode afterwards): it is renewed alike.
	 */
	if (!r->user_mapped && r->tp->sticky_v4mapped && req->st->ran_connect &&
	    req->st->family == AF_INET6)
		r->user_mapped = r->maybe_mapped = true;
	if ((r->id = registry_new_id()) == 0)
		return res->error = run_unclaim(r, EOVERFLOW);
	res->id = r->id;
	defer = req->defer && r->tp->start_deferred != NULL && r->dests.n == 1;
	if (r->tp->prepare != NULL &&
	    (err = r->tp->prepare(r->fd, req->st, defer)) != 0)
		return res->error = run_unclaim(r, err);

	if (r->tp->connect_list != NULL) {
		err = run_whole_list(r, req->want_id);
		res->id = r->id;
		if (err == 0 && req->iov != NULL)
			err = run_send_rest(r, req->iov, req->iovcnt, req->st,
			    &res->sent);
		res->winner = r->winner;
		if (run_commit(r, err == EINPROGRESS ? 0 : err, req->st->connected,
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
			if (run_park(r, false) != 0)
				return res->error = ECONNABORTED;
			registry_parked();
			return res->error = EINPROGRESS;
		}
		res->winner = r->winner;
		if ((err = run_commit(r, err, false, false)) != 0)
			res->winner = -1;
		return res->error = err;
	}
	if (req->fastopen && req->iov != NULL && r->tp->start_with_data != NULL &&
	    !run_copy_syn_data(r, req->iov, req->iovcnt, req->no_cookie))
		return res->error = run_unclaim(r, ENOMEM);

	run_note_user_socket(r, req->st);
	/*
	 * The engine must see each attempt's end: the socket is made
	 * non-blocking, but for a lone plain destination with no timeouts,
	 * which the kernel's own blocking connect serves exactly.
	 */
	kernel_waits = r->dests.n == 1 && r->policy.attempt_timeout_ms <= 0 &&
	    r->policy.total_timeout_ms <= 0 && r->syn == NULL;
	if (!kernel_waits && (err = enter_nonblocking(r)) != 0)
		return res->error = run_unclaim(r, err);
	/*
	 * The checks have just looked at the descriptor, and until the
	 * attempt starts nothing is done on it (no fresh socket to seat on
	 * it, no flags to set, no observer to call): that look stands for
	 * the one before the start (HACKING.md, "One system call").
	 */
	r->looked = kernel_waits && !r->user_mapped && r->observer.fn == NULL;
	err = run_advance(r, &wait_ms);
	if (err == EINPROGRESS && r->toggled)
		err = run_blocking(r);
	else if (err == EINPROGRESS && kernel_waits)
		err = kernel_wait_ended(r);
	if (r->toggled && run_user_fd_ours(r))
		fcntl(r->fd, F_SETFL, r->user_flags);
	/* The family was the destination's guess: the front-end checks it. */
	if (req->st->family_assumed && (err == EAFNOSUPPORT || err == EINVAL)) {
		res->recheck = true;
		return res->error = run_unclaim(r, err);
	}

	if (err == EINPROGRESS) {
		/* Plain data waits for the application; fast open's is owed. */
		run_settle_owed(r, &res->sent);
		if ((err = run_park(r, false)) != 0) {
			res->sent = 0;
			return res->error = err;
		}
		registry_parked();
		return res->error = EINPROGRESS;
	}
	if (err == 0 && req->iov != NULL)
		err = run_send_rest(r, req->iov, req->iovcnt, req->st,
			    &res->sent);
	res->winner = err == 0 ? r->winner : -1;
	if ((err = run_commit(r, err, req->st->connected, false)) != 0) {
		res->winner = -1;
		res->sent = 0;
	}
	return res->error = err;
}
