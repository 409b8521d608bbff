/*
 * The cx_usrsctp_ queries (cx_usrsctp_connectx(3)): what the records of
 * usrsctp_records.c hold, completed from the stack when an association has
 * come up since it was recorded.
 */
#include <config.h>

#include <usrsctp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
