/*
 * sctp_connectx(3): the SCTP sockets API's call, translated into one engine
 * run.  The checks below are the entries of sctp_connectx(3) ERRORS, in
 * order; each leaves the socket as it was.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>

#include "connectx.h"
#include "addrlist.h"
#include "engine.h"
#include "registry.h"
#include "sockstate.h"
#include "transport.h"

/*
 * EINVAL row 3: families against the socket; IPv4 entries mapped on
 * AF_INET6.  An IPv4-mapped IPv6 entry is IPv4 too: a V6ONLY socket
 * refuses it, as kernel SCTP does (sctp_connectx(3) ERRORS), before an ID
 * is taken.
 */
static int
check_families(const struct sockstate *st, struct destlist *dests)
{
	bool has_v4 = false;
	socklen_t len;
	size_t i;
	int v6only = 0;

	for (i = 0; i < dests->n; i++) {
		if (addr_family(&dests->v[i]) == AF_INET6 &&
		    st->family == AF_INET)
			return EINVAL;
		if (addr_family(&dests->v[i]) == AF_INET ||
		    addr_is_v4mapped(&dests->v[i]))
			has_v4 = true;
	}
	if (st->family != AF_INET6 || !has_v4)
		return 0;
	len = sizeof(v6only);
	if (getsockopt(st->fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) != 0)
		return errno;
	if (v6only)
		return EINVAL;
	for (i = 0; i < dests->n; i++)
		addr_map_v4(&dests->v[i]);
	return 0;
}

/* EISCONN, EALREADY. */
static int
check_state(const struct sockstate *st, const struct sockview *v)
{
	if (st->listening || st->connected ||
	    (st->tp->connects_once && (v->done || v->associated)))
		return EISCONN;
	if (st->connecting || v->running)
		return EALREADY;
	return 0;
}

static int
check(int fd, struct sockaddr *addrs, int addrcnt, struct sockstate *st,
    struct sockview *v, struct destlist *dests, bool quick)
{
	int err;

	if ((err = sockstate_identify(fd, st)) != 0)
		return err;
	if (addrs == NULL || addrcnt <= 0)
		return EINVAL;
	if ((err = addrlist_split_count(addrs, addrcnt, dests)) != 0)
		return err;
	/* A lone destination: its family left to connect(2) (see connectx.c). */
	quick = quick && dests->n == 1 && !addr_is_v4mapped(&dests->v[0]);
	if ((err = quick ? sockstate_inspect_lone(st, &dests->v[0]) :
	    sockstate_inspect(st)) != 0)
		return err;
	/* Not a row of its own: sockets no transport drives. */
	if (st->tp == NULL)
		return EOPNOTSUPP;
	if ((err = check_families(st, dests)) != 0 ||
	    (err = addrlist_check_usable(dests)) != 0)
		return err;
	registry_view(fd, st->cookie, v);
	return check_state(st, v);
}

int
sctp_connectx(int fd, struct sockaddr *addrs, int addrcnt, cx_sctp_assoc_t *id)
{
	struct engine_request req;
	struct engine_result res;
	struct sockstate st;
	struct sockview view;
	int err;

	memset(&req, 0, sizeof(req));
	err = check(fd, addrs, addrcnt, &st, &view, &req.dests, true);
	/*
	 * A refusal, or an observer (which must not see an attempt that a
	 * check would refuse), with the family assumed: the full checks, so
	 * that the family's row comes in its place.
	 */
	if (st.family_assumed && (err != 0 || view.observer.fn != NULL)) {
		addrlist_free(&req.dests);
		err = check(fd, addrs, addrcnt, &st, &view, &req.dests, false);
	}
again:
	if (err != 0) {
		addrlist_free(&req.dests);
		errno = err;
		return -1;
	}
	req.st = &st;
	req.want_id = id != NULL;
	req.policy = view.policy;
	req.observer = view.observer;
	err = engine_connect(&req, &res);
	addrlist_free(&req.dests);	/* the engine's, unless it failed to start */
	if (res.recheck) {
		/* connect(2) refused the family that was assumed: the full checks. */
		memset(&req, 0, sizeof(req));
		err = check(fd, addrs, addrcnt, &st, &view, &req.dests, false);
		goto again;
	}
	if ((err == 0 || err == EINPROGRESS) && id != NULL)
		*id = res.id;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}
