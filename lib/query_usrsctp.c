/*
 * The cx_usrsctp_ queries (cx_usrsctp_connectx(3)): what the records of
 * usrsctp_records.c hold, completed from the stack when an association has
 * come up since it was recorded.
 */
#include <config.h>

#include <usrsctp.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "connectx_usrsctp.h"
#include "seterr.h"
#include "usrsctp_records.h"

/*
 * The association id of so (0: the newest), completed if it has come up
 * since: 0 with the record locked and *ap set, or an errno with it
 * released.  An association that never came up is forgotten.  ENOTCONN when
 * the socket has no record; EINVAL when id names none of its associations.
 */
static int
lock_current(struct socket *so, sctp_assoc_t id, struct usassoc **ap, bool need_up)
{
	struct usrec *rec;
	struct usassoc *a;
	int err;

	if (so == NULL)
		return EBADF;
	if ((rec = usrec_lock(so, false)) == NULL) {
		usrec_unlock(so);
		return ENOTCONN;
	}
	if ((a = usrec_find(rec, id)) == NULL) {
		usrec_unlock(so);
		return EINVAL;
	}
	err = usassoc_refresh(so, a);
	if (err == ENOTCONN)
		usrec_remove(so, a->id);
	if (err == EINPROGRESS && !need_up)
		err = 0;
	if (err == EINPROGRESS)
		err = ENOTCONN;
	if (err != 0) {
		usrec_unlock(so);
		return err;
	}
	/* A non-blocking call's association, seen up: its failover policy now. */
	if (a->up && a->plan_due) {
		a->plan_due = false;
		(void)fo_apply(so, a->id, &a->plan);
	}
	*ap = a;
	return 0;
}

int
cx_usrsctp_getassocid(struct socket *so, sctp_assoc_t *id)
{
	struct usassoc *a;
	int err;

	if (so != NULL && id == NULL)
		return fail_errno(EINVAL);
	if ((err = lock_current(so, 0, &a, false)) != 0)
		return fail_errno(err);
	*id = a->id;
	usrec_unlock(so);
	return 0;
}

int
cx_usrsctp_getpaddrs(struct socket *so, sctp_assoc_t id, struct sockaddr **addrs)
{
	struct usassoc *a;
	unsigned char *p;
	size_t i, total = 0;
	int err, n;

	if (so != NULL && addrs == NULL)
		return fail_errno(EINVAL);
	if ((err = lock_current(so, id, &a, true)) != 0)
		return fail_errno(err);
	for (i = 0; i < a->peers.n; i++)
		total += a->peers.v[i].len;
	if ((p = malloc(total ? total : 1)) == NULL) {
		usrec_unlock(so);
		return fail_errno(ENOMEM);
	}
	*addrs = (struct sockaddr *)(void *)p;
	for (i = 0; i < a->peers.n; i++) {
		memcpy(p, &a->peers.v[i].ss, a->peers.v[i].len);
		p += a->peers.v[i].len;
	}
	n = (int)a->peers.n;
	usrec_unlock(so);
	return n;
}

/* Two sockaddrs (AF_INET/AF_INET6) name the same address and port. */
static bool
same_sockaddr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a->ss_family == AF_INET6 && a6->sin6_port == b6->sin6_port &&
	    IN6_ARE_ADDR_EQUAL(&a6->sin6_addr, &b6->sin6_addr);
}

int
cx_usrsctp_getpaths(struct socket *so, sctp_assoc_t id, struct cx_usrsctp_path **paths)
{
	struct cx_usrsctp_path *v;
	struct sctp_paddrinfo pi;
	struct sctp_setprim prim;
	struct sockaddr *addrs;
	struct usassoc *a;
	const unsigned char *p;
	struct sockaddr sa;
	socklen_t len, sz;
	sctp_assoc_t aid;
	bool have_prim;
	int err, i, n, k = 0;

	if (so != NULL && paths == NULL)
		return fail_errno(EINVAL);
	if ((err = lock_current(so, id, &a, true)) != 0)
		return fail_errno(err);
	aid = a->id;
	usrec_unlock(so);
	/* The stack's own view now: the association may have moved since. */
	if ((n = usrsctp_getpaddrs(so, aid, &addrs)) <= 0)
		return fail_errno(n < 0 && errno == ENOMEM ? ENOMEM : ENOTCONN);
	if ((v = calloc((size_t)n, sizeof(*v))) == NULL) {
		usrsctp_freepaddrs(addrs);
		return fail_errno(ENOMEM);
	}
	memset(&prim, 0, sizeof(prim));
	prim.ssp_assoc_id = aid;
	len = sizeof(prim);
	have_prim = usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_PRIMARY_ADDR, &prim, &len) == 0;
	p = (const unsigned char *)addrs;
	for (i = 0; i < n; i++) {
		memcpy(&sa, p, sizeof(sa));
		if ((sz = addr_size(sa.sa_family)) == 0)
			break;		/* AF_CONN: not one of ours */
		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.spinfo_address, p, sz);
		pi.spinfo_assoc_id = aid;
		len = sizeof(pi);
		p += sz;
		if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_GET_PEER_ADDR_INFO, &pi, &len) != 0)
			continue;	/* gone meanwhile */
		memcpy(&v[k].cp_addr, &pi.spinfo_address, sz);
		v[k].cp_state = pi.spinfo_state;
		v[k].cp_primary = have_prim && same_sockaddr(&prim.ssp_addr, &v[k].cp_addr);
		v[k].cp_rto_ms = pi.spinfo_rto;
		v[k].cp_srtt_ms = pi.spinfo_srtt;
		k++;
	}
	usrsctp_freepaddrs(addrs);
	*paths = v;
	return k;
}

void
cx_usrsctp_freepaths(struct cx_usrsctp_path *paths)
{
	free(paths);
}
