/*
 * cx_usrsctp_connectx(3): sctp_connectx(3)'s checks for a usrsctp socket,
 * then one usrsctp_connectx whose handshake is paced by the library's
 * policy (usrsctp_handshake.c), recorded for the cx_usrsctp_ queries
 * (usrsctp_records.c).
 *
 * usrsctp's connectx returns before the handshake ends; on a blocking
 * socket this call waits for the association.
 */
#include <config.h>

#include <usrsctp.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>

#include "connectx_usrsctp.h"
#include "addrlist.h"
#include "seterr.h"
#include "usrsctp_failover.h"
#include "usrsctp_handshake.h"
#include "usrsctp_records.h"

/* usrsctp_connectx packs the list behind an int into this many bytes. */
#define US_CONNECTX_BUF		2048

/* The size of an entry in usrsctp_connectx's buffer: IPv4-mapped packs as IPv4. */
static size_t
packed_size(const struct dest *d)
{
	if (d->ss.ss_family == AF_INET || addr_is_v4mapped(d))
		return sizeof(struct sockaddr_in);
	return sizeof(struct sockaddr_in6);
}

/*
 * sctp_connectx(3) ERRORS, E2BIG, against usrsctp's own limit, which is
 * far below the library's 64 KiB.
 */
static int
check_usrsctp_size(const struct destlist *dests)
{
	size_t i, total = sizeof(int);

	for (i = 0; i < dests->n; i++)
		total += packed_size(&dests->v[i]);
	return total > US_CONNECTX_BUF ? E2BIG : 0;
}

/*
 * EISCONN and EALREADY, one-to-one sockets only (a one-to-many socket
 * listens and connects at once).  An association on the socket says it
 * directly.  Without one, usrsctp shows listening only through connect(2)'s
 * own checks, which come before anything it changes: an AF_UNSPEC address
 * is refused with EOPNOTSUPP when listening, EALREADY when connecting, and
 * EAFNOSUPPORT otherwise.  That path clears a pending so_error, so a
 * socket that has one (its association failed) is left to usrsctp.
 */
static int
check_state(struct socket *so)
{
	struct sctp_status st;
	struct sockaddr sa;

	if (!hs_is_one_to_one(so))
		return 0;
	if (hs_assoc_state(so, 0, &st) == 0)
		return hs_setting_up(st.sstat_state) ? EALREADY : EISCONN;
	if (hs_so_error(so) != 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	if (usrsctp_connect(so, &sa, sizeof(sa)) == 0)
		return 0;	/* not reached: AF_UNSPEC never connects */
	switch (errno) {
	case EOPNOTSUPP:
		return EISCONN;
	case EALREADY:
		return EALREADY;
	default:
		return 0;
	}
}

/* cx_usrsctp_connectx(3) ERRORS, in their order. */
static int
check(struct socket *so, const struct sockaddr *addrs, int addrcnt,
    struct destlist *dests)
{
	int err;

	if (so == NULL)
		return EBADF;
	if (addrs == NULL || addrcnt <= 0)
		return EINVAL;
	if ((err = addrlist_split_count(addrs, addrcnt, dests)) != 0 ||
	    (err = check_usrsctp_size(dests)) != 0 ||
	    (err = addrlist_check_usable(dests)) != 0)
		return err;
	/* Families against the socket: usrsctp's own check (it cannot be asked the family). */
	return check_state(so);
}

/*
 * The association just made (or under way), as the records keep it; a
 * plan not yet applied (non-blocking) is applied when it is seen up.
 */
static int
record(struct socket *so, sctp_assoc_t id, struct destlist *dests, bool up,
    const struct fo_plan *plan)
{
	struct usrec *rec;
	struct usassoc *a = NULL;
	int err = 0;

	rec = usrec_lock(so, true);
	if (rec != NULL && (a = usrec_add(rec, id)) != NULL) {
		a->dests = *dests;	/* the record's now */
		dests->v = NULL;
		dests->n = 0;
		a->plan = *plan;
		a->plan_due = !up;
		if (up && (err = usassoc_refresh(so, a)) == ENOTCONN)
			err = 0;	/* ended already: the caller has its answer */
	} else
		err = ENOMEM;
	usrec_unlock(so);
	return err;
}

static void
forget(struct socket *so, sctp_assoc_t id)
{
	(void)usrec_lock(so, false);
	usrec_remove(so, id);
	usrec_unlock(so);
}

/*
 * A blocking wait that failed with err: an association still being set up
 * is aborted, so that nothing comes up after the call returned (its
 * COOKIE-ECHO would otherwise be retransmitted with usrsctp's own backoff).
 * One that came up at the last moment is kept: 0.
 */
static int
give_up(struct socket *so, sctp_assoc_t id, int err)
{
	struct sctp_status st;

	if (hs_assoc_state(so, id, &st) != 0)
		return err;		/* gone already */
	if (hs_was_established(st.sstat_state))
		return 0;
	if (hs_setting_up(st.sstat_state))
		(void)hs_abort(so, id);
	return err;
}

int
cx_usrsctp_connectx(struct socket *so, const struct sockaddr *addrs,
    int addrcnt, sctp_assoc_t *id)
{
	struct destlist dests = { NULL, 0 };
	struct pacing pc;
	struct saved sv;
	struct fo_plan plan;
	sctp_assoc_t aid = 0;
	bool one_to_one;
	int err;

	if ((err = check(so, addrs, addrcnt, &dests)) != 0)
		goto out;
	hs_pace(dests.n, &pc);
	one_to_one = hs_is_one_to_one(so);
	/* Save, override, connect and put back: one call at a time per socket. */
	hs_lock(so);
	if ((err = hs_override(so, &sv, &pc)) != 0) {
		hs_unlock(so);
		goto out;
	}
	/* What the application set itself, before anything of ours is on the socket. */
	fo_plan(so, &sv.rto, &plan);
	if (usrsctp_connectx(so, addrs, addrcnt, &aid) != 0) {
		err = errno;
		hs_restore_init(so, &sv);
		hs_restore_rto(so, SCTP_FUTURE_ASSOC, &sv);
		hs_unlock(so);
		goto out;
	}
	hs_restore_init(so, &sv);
	/* One-to-many: the association has its copy; the endpoint gets its own back. */
	if (!one_to_one)
		hs_restore_rto(so, SCTP_FUTURE_ASSOC, &sv);
	hs_unlock(so);
	if (usrsctp_get_non_blocking(so) == 1) {
		err = record(so, aid, &dests, false, &plan);
		if (err == 0)
			err = EINPROGRESS;
	} else {
		if ((err = hs_wait_up(so, aid, &pc)) != 0)
			err = give_up(so, aid, err);
		if (err == 0) {
			/* The data phase runs under the failover policy. */
			(void)fo_apply(so, aid, &plan);
			err = record(so, aid, &dests, true, &plan);
		} else {
			/* The socket's own RTO bounds back (one-to-one: they are its association's). */
			hs_lock(so);
			if (one_to_one)
				hs_restore_rto(so, SCTP_FUTURE_ASSOC, &sv);
			hs_unlock(so);
			forget(so, aid);
		}
	}
	if ((err == 0 || err == EINPROGRESS) && id != NULL)
		*id = aid;
out:
	addrlist_free(&dests);
	return err != 0 ? fail_errno(err) : 0;
}
