/*
 * connectx(2): Darwin's call, translated into one engine run.  The checks
 * below are the entries of connectx(2) ERRORS, in order; each leaves the
 * socket as it was.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>

#include "connectx.h"
#include "addrlist.h"
#include "engine.h"
#include "registry.h"
#include "sockstate.h"
#include "srcbind.h"
#include "transport.h"

#define CONNECTX_FLAGS	(CONNECT_RESUME_ON_READ_WRITE | \
	CONNECT_DATA_IDEMPOTENT | CONNECT_DATA_AUTHENTICATED)
#define CONNECTX_IOV_MAX	1024
#define SRCADDR_MAX		255

/* EINVAL row 4: the data vector is usable and its total fits ssize_t. */
static bool
iov_ok(const struct iovec *iov, unsigned int iovcnt, const size_t *len)
{
	size_t total = 0;
	unsigned int i;

	if (iovcnt == 0 || iovcnt > CONNECTX_IOV_MAX || len == NULL)
		return false;
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > SSIZE_MAX - total)
			return false;
		total += iov[i].iov_len;
	}
	return true;
}

/* After the rows: a datagram the transport cannot send whole (EMSGSIZE). */
static int
check_message(const struct sockstate *st, const struct iovec *iov,
    unsigned int iovcnt, const struct destlist *dests)
{
	size_t total = 0, i;
	int family = AF_INET;

	if (iov == NULL || st->tp->max_message == NULL)
		return 0;
	for (i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	/*
	 * An AF_INET6 socket sends to an IPv4-mapped peer as IPv4: when every
	 * destination is one, IPv4's limit applies here, before anything is
	 * done, rather than at the send after the association.
	 */
	for (i = 0; i < dests->n && family == AF_INET; i++)
		if (!addr_is_v4mapped(&dests->v[i]))
			family = st->family;
	return total > st->tp->max_message(family) ? EMSGSIZE : 0;
}

/* EINVAL rows 1-5 and ENAMETOOLONG: the arguments alone. */
static int
check_arguments(const sa_endpoints_t *ep, sae_associd_t associd,
    unsigned int flags, const struct iovec *iov, unsigned int iovcnt,
    const size_t *len, struct destlist *dests)
{
	socklen_t need;
	int err;

	if (ep == NULL)
		return EINVAL;
	if (ep->sae_srcaddr != NULL) {
		if (ep->sae_srcaddrlen > SRCADDR_MAX)
			return ENAMETOOLONG;
		if (ep->sae_srcaddrlen < sizeof(sa_family_t))
			return EINVAL;
		need = addr_size(ep->sae_srcaddr->sa_family);
		if (need != 0 && ep->sae_srcaddrlen < need)
			return EINVAL;
	}
	if (ep->sae_dstaddr == NULL)
		return EINVAL;
	if ((err = addrlist_split_len(ep->sae_dstaddr, ep->sae_dstaddrlen,
	    dests)) != 0)
		return err;
	if (iov != NULL && !iov_ok(iov, iovcnt, len))
		return EINVAL;
	if (associd != SAE_ASSOCID_ANY || (flags & ~CONNECTX_FLAGS) != 0)
		return EINVAL;
	return 0;
}

/* EAFNOSUPPORT rows 1-2, EADDRNOTAVAIL row 1: each address vs the socket. */
static int
check_addresses(const struct sockstate *st, const sa_endpoints_t *ep,
    const struct destlist *dests)
{
	const struct sockaddr *sa;
	size_t i;

	if (ep->sae_srcaddr != NULL && ep->sae_srcaddr->sa_family != st->family)
		return EAFNOSUPPORT;
	for (i = 0; i < dests->n; i++)
		if (dests->v[i].ss.ss_family != st->family)
			return EAFNOSUPPORT;
	for (i = 0; i < dests->n; i++) {
		sa = (const struct sockaddr *)&dests->v[i].ss;
		if (st->type == SOCK_STREAM &&
		    (addr_is_multicast(sa) || addr_is_broadcast(sa)))
			return EAFNOSUPPORT;
	}
	for (i = 0; i < dests->n; i++)
		if (addr_port((const struct sockaddr *)&dests->v[i].ss) == 0)
			return EADDRNOTAVAIL;
	return 0;
}

/* EOPNOTSUPP row 2, EISCONN, EALREADY: the socket's own state. */
static int
check_state(const struct sockstate *st, const struct sockview *v)
{
	if (st->listening)
		return EOPNOTSUPP;
	if ((st->type == SOCK_STREAM && st->connected) ||
	    (st->tp->connects_once && (v->done || v->associated)))
		return EISCONN;
	if (st->connecting || v->running)
		return EALREADY;
	return 0;
}

static int
check(int fd, const sa_endpoints_t *ep, sae_associd_t associd,
    unsigned int flags, const struct iovec *iov, unsigned int iovcnt,
    const size_t *len, struct sockstate *st, struct sockview *v,
    struct destlist *dests, bool quick)
{
	int err;

	if ((err = sockstate_identify(fd, st)) != 0 ||
	    (err = check_arguments(ep, associd, flags, iov, iovcnt, len, dests)) != 0)
		return err;
	/*
	 * A lone destination, nothing else to weigh against the socket's
	 * address: its family is left to connect(2) to refuse, and the call
	 * checks again in full if it does (HACKING.md, "One system call").
	 */
	quick = quick && dests->n == 1 && ep->sae_srcif == 0 &&
	    ep->sae_srcaddr == NULL && iov == NULL && flags == 0 &&
	    !addr_is_v4mapped(&dests->v[0]);
	if ((err = quick ? sockstate_inspect_lone(st, &dests->v[0]) :
	    sockstate_inspect(st)) != 0)
		return err;
	if (st->tp == NULL)
		return EOPNOTSUPP;
	if ((err = check_addresses(st, ep, dests)) != 0)
		return err;
	if ((ep->sae_srcif != 0 || ep->sae_srcaddr != NULL) &&
	    (err = srcbind_check(st, ep->sae_srcif, ep->sae_srcaddr,
	    ep->sae_srcaddrlen)) != 0)
		return err;
	registry_view(fd, st->cookie, v);
	if ((err = check_state(st, v)) != 0)
		return err;
	/*
	 * A bound socket cannot be bound again: bind(2)'s EINVAL, before any
	 * change.  The last check that can refuse a TCP socket: only a call
	 * that goes on has a stale port cleared (sockstate_bound).
	 */
	if (ep->sae_srcaddr != NULL && sockstate_bound(st))
		return EINVAL;
	return check_message(st, iov, iovcnt, dests);
}

int
connectx(int fd, const sa_endpoints_t *ep, sae_associd_t associd,
    unsigned int flags, const struct iovec *iov, unsigned int iovcnt,
    size_t *len, sae_connid_t *connid)
{
	struct engine_request req;
	struct engine_result res;
	struct sockstate st;
	struct sockview view;
	int err;

	if (len != NULL)
		*len = 0;
	if (connid != NULL)
		*connid = 0;
	memset(&req, 0, sizeof(req));
	err = check(fd, ep, associd, flags, iov, iovcnt, len, &st, &view,
	    &req.dests, true);
	/*
	 * A refusal, or an observer (which must not see an attempt that a
	 * check would refuse), with the family assumed: the full checks, so
	 * that the family's row comes in its place.
	 */
	if (st.family_assumed && (err != 0 || view.observer.fn != NULL)) {
		addrlist_free(&req.dests);
		err = check(fd, ep, associd, flags, iov, iovcnt, len, &st, &view,
		    &req.dests, false);
	}
again:
	if (err == 0 && (ep->sae_srcif != 0 || ep->sae_srcaddr != NULL))
		err = srcbind_apply(fd, ep->sae_srcif, ep->sae_srcaddr,
		    ep->sae_srcaddrlen, st.tp == &transport_tcp);
	if (err != 0) {
		addrlist_free(&req.dests);
		errno = err;
		return -1;
	}
	req.st = &st;
	req.iov = iov;
	req.iovcnt = (int)iovcnt;
	/* Darwin's flags as the engine's terms (connectx(2), COMPATIBILITY). */
	req.fastopen = (flags & CONNECT_DATA_IDEMPOTENT) &&
	    (iov != NULL || (flags & CONNECT_RESUME_ON_READ_WRITE));
	req.defer = iov == NULL && (flags & CONNECT_RESUME_ON_READ_WRITE);
	req.no_cookie = req.fastopen && (flags & CONNECT_DATA_AUTHENTICATED);
	req.policy = view.policy;
	req.observer = view.observer;
	err = engine_connect(&req, &res);
	addrlist_free(&req.dests);	/* the engine's, unless it failed to start */
	if (res.recheck) {
		/* connect(2) refused the family that was assumed: the full checks. */
		memset(&req, 0, sizeof(req));
		err = check(fd, ep, associd, flags, iov, iovcnt, len, &st, &view,
		    &req.dests, false);
		goto again;
	}
	if (len != NULL)
		*len = res.sent;
	if (err != 0) {
		errno = err;
		return -1;
	}
	if (connid != NULL)
		*connid = 1;
	return 0;
}
