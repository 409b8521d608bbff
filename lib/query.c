/*
 * The cx_ queries and policy calls: read or set what the registry holds for
 * a socket.  Results are copied out under the record's lock.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "connectx.h"
#include "engine_shortcut.h"
#include "engine_step.h"
#include "policy.h"
#include "registry.h"
#include "sockstate.h"

static int
fail(int err)
{
	errno = err;
	return -1;
}

/*
 * Lock fd's record and give a view of the association id names (0: the
 * current one, or the last run's).  0 with the lock held, or an errno
 * with it released.
 */
static int
lock_assoc(int fd, cx_sctp_assoc_t id, struct assoc *view)
{
	struct sockrec *rec;
	uint64_t cookie;
	int err;

	if ((err = sockstate_cookie_of(fd, &cookie)) != 0)
		return err;
	if ((rec = registry_lock(fd, cookie, false)) == NULL)
		err = ENOTCONN;
	else {
		if (!engine_parked_view(rec, view)) {
			int winner;

			engine_whole_list_update(fd, &rec->assoc, &winner);
			*view = rec->assoc;
			view->winner = winner;
		}
		if (view->id == 0)
			err = ENOTCONN;
		else if (id != 0 && id != view->id)
			err = EINVAL;
	}
	if (err != 0)
		registry_unlock(fd);
	return err;
}

int
cx_getassocid(int fd, cx_sctp_assoc_t *id)
{
	struct sockrec *rec;
	uint64_t cookie;
	int err;

	if ((err = sockstate_cookie_of(fd, &cookie)) != 0)
		return fail(err);
	if (id == NULL)
		return fail(EINVAL);
	rec = registry_lock(fd, cookie, false);
	if (rec != NULL)
		engine_whole_list_update(fd, &rec->assoc, &(int){ 0 });
	*id = rec != NULL ? registry_current_id(rec) : 0;
	registry_unlock(fd);
	return *id != 0 ? 0 : fail(ENOTCONN);
}

int
cx_getpaddrs(int fd, cx_sctp_assoc_t id, struct sockaddr **addrs)
{
	struct assoc view;
	unsigned char *p;
	size_t i, total = 0;
	int err;

	if (addrs == NULL)
		return fail(EINVAL);
	if ((err = lock_assoc(fd, id, &view)) != 0)
		return fail(err);
	for (i = 0; i < view.dests.n; i++)
		total += view.dests.v[i].len;
	if ((p = malloc(total ? total : 1)) == NULL) {
		registry_unlock(fd);
		return fail(ENOMEM);
	}
	*addrs = (struct sockaddr *)(void *)p;
	for (i = 0; i < view.dests.n; i++) {
		memcpy(p, &view.dests.v[i].ss, view.dests.v[i].len);
		p += view.dests.v[i].len;
	}
	registry_unlock(fd);
	return (int)view.dests.n;
}

void
cx_freepaddrs(struct sockaddr *addrs)
{
	free(addrs);
}

int
cx_getpeerindex(int fd, cx_sctp_assoc_t id)
{
	struct assoc view;
	int err;

	if ((err = lock_assoc(fd, id, &view)) != 0)
		return fail(err);
	registry_unlock(fd);
	return view.winner >= 0 ? view.winner : fail(ENOTCONN);
}

int
cx_getattempts(int fd, cx_sctp_assoc_t id, struct cx_attempt **attempts)
{
	struct assoc view;
	int err;

	if (attempts == NULL)
		return fail(EINVAL);
	if ((err = lock_assoc(fd, id, &view)) != 0)
		return fail(err);
	*attempts = malloc(view.nattempts ? view.nattempts * sizeof(**attempts) : 1);
	if (*attempts == NULL) {
		registry_unlock(fd);
		return fail(ENOMEM);
	}
	memcpy(*attempts, view.attempts, view.nattempts * sizeof(**attempts));
	registry_unlock(fd);
	return (int)view.nattempts;
}

void
cx_freeattempts(struct cx_attempt *attempts)
{
	free(attempts);
}

int
cx_setopt(int fd, int opt, long value)
{
	struct sockrec *rec;
	struct policy p;
	uint64_t cookie;
	int err;

	if ((err = sockstate_cookie_of(fd, &cookie)) != 0)
		return fail(err);
	/* One lock: a concurrent cx_setopt of another option is not lost. */
	if ((rec = registry_lock(fd, cookie, true)) == NULL)
		err = ENOMEM;
	else {
		if (rec->has_policy)
			p = rec->policy;
		else
			policy_defaults(&p);
		if ((err = policy_set(&p, opt, value)) == 0) {
			rec->policy = p;
			rec->has_policy = true;
		}
	}
	registry_unlock(fd);
	return err != 0 ? fail(err) : 0;
}

int
cx_setobserver(int fd, cx_observer_t fn, void *arg)
{
	struct sockrec *rec;
	uint64_t cookie;
	int err;

	if ((err = sockstate_cookie_of(fd, &cookie)) != 0)
		return fail(err);
	if ((rec = registry_lock(fd, cookie, true)) != NULL) {
		rec->observer.fn = fn;
		rec->observer.arg = arg;
	}
	registry_unlock(fd);
	return rec != NULL ? 0 : fail(ENOMEM);
}

int
cx_getopt(int fd, int opt, long *value)
{
	struct policy p;
	uint64_t cookie;
	int err;

	if ((err = sockstate_cookie_of(fd, &cookie)) != 0)
		return fail(err);
	registry_policy(fd, cookie, &p);
	if ((err = policy_get(&p, opt, value)) != 0)
		return fail(err);
	return 0;
}

int
cx_setdefault(int opt, long value)
{
	int err = policy_set_default(opt, value);

	return err != 0 ? fail(err) : 0;
}

int
cx_getdefault(int opt, long *value)
{
	int err = policy_get_default(opt, value);

	return err != 0 ? fail(err) : 0;
}
