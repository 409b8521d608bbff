/*
 * The endpoint-list engine, first form: destinations are tried in turn on
 * the user's own socket.  A hard failure moves on at once; an attempt that
 * has neither succeeded nor failed after the attempt delay is given up for
 * the next address (the last address is given the kernel's time, or the
 * policy's timeouts).
 *
 * On a blocking socket the engine sets O_NONBLOCK for the run and puts the
 * caller's flags back after it; a lone destination with no timeouts to
 * enforce is left to the kernel's own blocking connect, which costs no
 * system call beyond connect(2) itself.
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

#include "engine.h"
#include "registry.h"
#include "timeutil.h"
#include "transport.h"

struct run {
	int			 fd;
	uint64_t		 cookie;
	const struct transport	*tp;
	struct destlist		 dests;
	struct policy		 policy;
	cx_sctp_assoc_t		 id;
	struct cx_attempt	*report;	/* one per destination started */
	size_t			 nreport;
	size_t			 next;		/* next destination to start */
	bool			 in_flight;	/* report[nreport - 1] runs */
	bool			 has_deadline;
	struct timespec		 deadline;	/* of the whole run */
	int			 error;		/* best failure so far, or 0 */
	int			 winner;	/* index in dests, or -1 */
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

void
engine_run_free(struct run *r)
{
	if (r == NULL)
		return;
	addrlist_free(&r->dests);
	free(r->report);
	free(r);
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
	r->dests = req->dests;
	req->dests.v = NULL;
	req->dests.n = 0;
	r->policy = req->policy;
	r->winner = -1;
	if (r->policy.total_timeout_ms > 0) {
		r->has_deadline = true;
		r->deadline = ts_add_ms(mono_now(), r->policy.total_timeout_ms);
	}
	return r;
}

static void
attempt_end(struct run *r, int err)
{
	struct cx_attempt *a = &r->report[r->nreport - 1];

	a->ca_end = mono_now();
	a->ca_error = err;
	r->in_flight = false;
	if (err == 0) {
		r->winner = (int)a->ca_index;
		return;
	}
	/* Leave the socket able to start the next attempt, or as it was. */
	r->tp->abandon(r->fd);
	if (err != EINTR)
		r->error = engine_better_error(r->error, err);
}

static void
attempt_start(struct run *r)
{
	const struct dest *d = &r->dests.v[r->next];
	struct cx_attempt *a = &r->report[r->nreport++];
	int err;

	memcpy(&a->ca_addr, &d->ss, d->len);
	a->ca_addrlen = d->len;
	a->ca_index = (unsigned int)r->next++;
	a->ca_start = mono_now();
	a->ca_error = EINPROGRESS;
	err = r->tp->start(r->fd, (const struct sockaddr *)&d->ss, d->len);
	if (err == EINPROGRESS)
		r->in_flight = true;
	else
		attempt_end(r, err);
}

/*
 * When the attempt in flight is to be given up: after the attempt delay if
 * another destination waits, after its own timeout, at the run's deadline.
 * False when nothing limits it but the kernel.
 */
static bool
give_up_time(const struct run *r, struct timespec *t)
{
	struct timespec start = r->report[r->nreport - 1].ca_start, c;
	bool limited = false;

	if (r->next < r->dests.n) {
		*t = ts_add_ms(start, r->policy.attempt_delay_ms);
		limited = true;
	}
	if (r->policy.attempt_timeout_ms > 0) {
		c = ts_add_ms(start, r->policy.attempt_timeout_ms);
		if (!limited || ts_before(c, *t))
			*t = c;
		limited = true;
	}
	if (r->has_deadline) {
		if (!limited || ts_before(r->deadline, *t))
			*t = r->deadline;
		limited = true;
	}
	return limited;
}

/*
 * One step of the run, never blocking.  revents is what poll(2) last said
 * of the socket.  Returns 0 (connected), the final errno, or EINPROGRESS
 * with *wait_ms the longest the caller may wait for the socket (-1: until
 * it is ready).
 */
static int
run_advance(struct run *r, short revents, int *wait_ms)
{
	struct timespec now, limit;

	for (;;) {
		if (r->in_flight) {
			if (revents & (POLLOUT | POLLERR | POLLHUP)) {
				revents = 0;
				attempt_end(r, r->tp->finish(r->fd));
				if (r->winner >= 0)
					return 0;
				continue;
			}
			now = mono_now();
			if (!give_up_time(r, &limit)) {
				*wait_ms = -1;
				return EINPROGRESS;
			}
			if (ts_before(now, limit)) {
				int64_t ms = ms_until(now, limit);

				*wait_ms = ms > INT_MAX ? INT_MAX : (int)ms;
				return EINPROGRESS;
			}
			attempt_end(r, ETIMEDOUT);
			continue;
		}
		if (r->nreport > 0 && r->report[r->nreport - 1].ca_error == EINTR)
			return EINTR;
		if (r->next == r->dests.n)
			return r->error;
		if (r->has_deadline && !ts_before(mono_now(), r->deadline))
			return r->error ? r->error : ETIMEDOUT;
		attempt_start(r);
		if (r->winner >= 0)
			return 0;
	}
}

/* Drive a run to its end with poll(2); the socket is non-blocking here. */
static int
run_blocking(struct run *r)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLOUT };
	short revents = 0;
	int err, n, wait_ms;

	for (;;) {
		err = run_advance(r, revents, &wait_ms);
		if (err != EINPROGRESS)
			return err;
		n = poll(&pfd, 1, wait_ms);
		if (n < 0) {
			err = errno;
			attempt_end(r, err);
			return err;
		}
		revents = n > 0 ? pfd.revents : 0;
	}
}

/* Record the run's outcome as the socket's association; the run is freed. */
static void
commit(struct run *r, int err)
{
	struct sockrec *rec = registry_lock(r->fd, r->cookie, true);

	if (rec != NULL) {
		engine_run_free(rec->run);
		rec->run = NULL;
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
	registry_unlock(r->fd);
	engine_run_free(r);
}

/* Park a non-blocking socket's run for cx_step(); false when out of memory. */
static bool
park(struct run *r)
{
	struct sockrec *rec = registry_lock(r->fd, r->cookie, true);

	if (rec != NULL) {
		engine_run_free(rec->run);
		rec->run = r;
		assoc_clear(&rec->assoc);
		rec->assoc.id = r->id;
	}
	registry_unlock(r->fd);
	return rec != NULL;
}

static int
send_data(struct run *r, const struct engine_request *req, size_t *sent)
{
	int err = r->tp->send(r->fd, req->iov, req->iovcnt, sent);

	if (err != 0)
		r->tp->restore(r->fd, req->st);
	return err;
}

int
engine_connect(struct engine_request *req, struct engine_result *res)
{
	struct run *r;
	int err, flags = 0, wait_ms;
	bool toggled = false;

	memset(res, 0, sizeof(*res));
	res->winner = -1;
	if ((r = run_new(req)) == NULL)
		return res->error = ENOMEM;
	if ((r->id = registry_new_id()) == 0) {
		engine_run_free(r);
		return res->error = EOVERFLOW;
	}
	res->id = r->id;

	/* The engine must see each attempt's end: make the socket non-blocking. */
	if (r->dests.n > 1 || r->policy.attempt_timeout_ms > 0 ||
	    r->policy.total_timeout_ms > 0) {
		if ((flags = fcntl(r->fd, F_GETFL)) == -1) {
			err = errno;
			engine_run_free(r);
			return res->error = err;
		}
		if (!(flags & O_NONBLOCK)) {
			if (fcntl(r->fd, F_SETFL, flags | O_NONBLOCK) == -1) {
				err = errno;
				engine_run_free(r);
				return res->error = err;
			}
			toggled = true;
		}
	}
	err = run_advance(r, 0, &wait_ms);
	if (err == EINPROGRESS && toggled)
		err = run_blocking(r);
	if (toggled)
		fcntl(r->fd, F_SETFL, flags);

	if (err == EINPROGRESS) {
		/* Data waits for the application: *len says none was sent. */
		if (!park(r)) {
			attempt_end(r, ENOMEM);
			engine_run_free(r);
			return res->error = ENOMEM;
		}
		return res->error = EINPROGRESS;
	}
	if (err == 0 && req->iov != NULL)
		err = send_data(r, req, &res->sent);
	res->winner = err == 0 ? r->winner : -1;
	commit(r, err);
	return res->error = err;
}

int
engine_step(int fd, int *wait_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	uint64_t cookie = sockstate_cookie(fd);
	struct sockrec *rec;
	struct run *r = NULL;
	bool established = false;
	int err;

	*wait_ms = -1;
	if (cookie == 0)
		return fd < 0 || errno == EBADF ? EBADF : ENOTSOCK;
	if ((rec = registry_lock(fd, cookie, false)) != NULL) {
		r = rec->run;
		rec->run = NULL;
		established = rec->assoc.winner >= 0;
	}
	registry_unlock(fd);
	/* Nothing under way: the run has ended (or never began). */
	if (r == NULL)
		return established ? 0 : ENOTCONN;

	if (poll(&pfd, 1, 0) < 0) {
		err = errno;
		park(r);
		return err;
	}
	err = run_advance(r, pfd.revents, wait_ms);
	if (err == EINPROGRESS) {
		park(r);
		return EINPROGRESS;
	}
	*wait_ms = -1;
	commit(r, err);
	return err;
}

void
engine_run_view(const struct run *r, struct assoc *view)
{
	view->id = r->id;
	view->dests = r->dests;
	view->winner = -1;
	view->attempts = r->report;
	view->nattempts = r->nreport;
}
