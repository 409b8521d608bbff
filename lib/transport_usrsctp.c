/*
 * cx_usrsctp_connectx(3): sctp_connectx's checks (SPEC §4) for a usrsctp
 * socket, then one usrsctp_connectx whose INIT retransmissions are paced
 * by the library's policy, so that failover to the next address of the
 * list takes about the attempt delay D, not usrsctp's 3 s initial RTO.
 *
 * How the policy maps onto SCTP: usrsctp's T1-init timer, on expiry,
 * moves the INIT to an alternate address of the association
 * (sctp_t1init_timer: sctp_find_alternate_net) and times it with the
 * doubled RTO, capped by the INIT's maximum timeout.  Setting RTO.initial
 * and sinit_max_init_timeo to D makes that one address every D; the INIT
 * count (sinit_max_attempts + 1) bounds the whole setup: count x D stays
 * within the total timeout T when one is set, and is max(8, twice the
 * list) otherwise.
 *
 * usrsctp's connectx returns before the handshake ends; on a blocking
 * socket this call waits for the association, polling its state.
 */
#include <config.h>

#include <usrsctp.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

#include "connectx_usrsctp.h"
#include "addrlist.h"
#include "policy.h"
#include "registry.h"
#include "timeutil.h"
#include "transport_usrsctp.h"

/* usrsctp_connectx packs the list behind an int into this many bytes. */
#define US_CONNECTX_BUF		2048
/* Extra time, past the INIT bound, for the cookie exchange to finish. */
#define US_GRACE_MS		200
/* How often a blocking call looks at the association's state. */
#define US_POLL_NS		1000000L
/* sinit_max_attempts is 16 bits. */
#define US_MAX_INITS		65536L

/* The INIT pacing derived from the policy. */
struct pacing {
	long	rto_ms;		/* RTO.initial and the INIT's maximum timeout */
	long	inits;		/* INITs sent at most: sinit_max_attempts + 1 */
	long	deadline_ms;	/* a blocking call gives up after this */
};

/* The parameters of the socket this call changes, to put back. */
struct saved {
	struct sctp_rtoinfo	rto;
	struct sctp_initmsg	init;
};

static int
fail(int err)
{
	errno = err;
	return -1;
}

/* The size of an entry in usrsctp_connectx's buffer: IPv4-mapped packs as IPv4. */
static size_t
packed_size(const struct dest *d)
{
	if (d->ss.ss_family == AF_INET || addr_is_v4mapped(d))
		return sizeof(struct sockaddr_in);
	return sizeof(struct sockaddr_in6);
}

/* Row 4 against usrsctp's own limit, which is far below the 64 KiB of §4. */
static int
check_usrsctp_size(const struct destlist *dests)
{
	size_t i, total = sizeof(int);

	for (i = 0; i < dests->n; i++)
		total += packed_size(&dests->v[i]);
	return total > US_CONNECTX_BUF ? E2BIG : 0;
}

/* Row 7: every address usable, one port for all. */
static int
check_addresses(const struct destlist *dests)
{
	const struct sockaddr *sa, *first;
	size_t i;

	first = (const struct sockaddr *)&dests->v[0].ss;
	for (i = 0; i < dests->n; i++) {
		sa = (const struct sockaddr *)&dests->v[i].ss;
		if (addr_is_unspecified(sa) || addr_is_multicast(sa) ||
		    addr_is_broadcast(sa) || addr_port(sa) == 0 ||
		    addr_port(sa) != addr_port(first))
			return EINVAL;
	}
	return 0;
}

/* One-to-many sockets answer the association count; one-to-one refuse it. */
static bool
is_one_to_one(struct socket *so)
{
	uint32_t n = 0;
	socklen_t len = sizeof(n);

	return usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_GET_ASSOC_NUMBER,
	    &n, &len) != 0;
}

static int
assoc_state(struct socket *so, sctp_assoc_t id, struct sctp_status *st)
{
	socklen_t len = sizeof(*st);

	memset(st, 0, sizeof(*st));
	st->sstat_assoc_id = id;
	if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_STATUS, st, &len) != 0)
		return errno;
	return 0;
}

static bool
setting_up(int32_t state)
{
	return state == SCTP_COOKIE_WAIT || state == SCTP_COOKIE_ECHOED;
}

/* Up, or up and already closing: the handshake completed. */
static bool
was_established(int32_t state)
{
	return state == SCTP_ESTABLISHED || state == SCTP_SHUTDOWN_PENDING ||
	    state == SCTP_SHUTDOWN_SENT || state == SCTP_SHUTDOWN_RECEIVED ||
	    state == SCTP_SHUTDOWN_ACK_SENT;
}

static int
so_error(struct socket *so)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (usrsctp_getsockopt(so, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return 0;
	return err;
}

/*
 * Rows 8-9, one-to-one sockets only (a one-to-many socket listens and
 * connects at once).  An association on the socket says it directly.
 * Without one, usrsctp shows listening only through connect(2)'s own
 * checks, which come before anything it changes: an AF_UNSPEC address is
 * refused with EOPNOTSUPP when listening, EALREADY when connecting, and
 * EAFNOSUPPORT otherwise.  That path clears a pending so_error, so a
 * socket that has one (its association failed) is left to usrsctp.
 */
static int
check_state(struct socket *so)
{
	struct sctp_status st;
	struct sockaddr sa;

	if (!is_one_to_one(so))
		return 0;
	if (assoc_state(so, 0, &st) == 0)
		return setting_up(st.sstat_state) ? EALREADY : EISCONN;
	if (so_error(so) != 0)
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
	    (err = check_addresses(dests)) != 0)
		return err;
	/* Row 6 (families) is usrsctp's own check: it cannot be asked the family. */
	return check_state(so);
}

static void
pace(const struct policy *p, size_t naddrs, struct pacing *pc)
{
	long d = p->attempt_delay_ms, t = p->total_timeout_ms;

	if (t > 0) {
		pc->inits = t / d;
		if (pc->inits < 2)
			pc->inits = 2;
		if (pc->inits > US_MAX_INITS)
			pc->inits = US_MAX_INITS;
		pc->rto_ms = t / pc->inits < d ? t / pc->inits : d;
		if (pc->rto_ms < 1)
			pc->rto_ms = 1;
		pc->deadline_ms = t;
	} else {
		pc->inits = naddrs * 2 > 8 ? (long)naddrs * 2 : 8;
		if (pc->inits > US_MAX_INITS)
			pc->inits = US_MAX_INITS;
		pc->rto_ms = d;
		pc->deadline_ms = pc->inits * d;
	}
}

static int
get_params(struct socket *so, struct saved *sv)
{
	socklen_t len;

	memset(sv, 0, sizeof(*sv));
	sv->rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
	len = sizeof(sv->rto);
	if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_RTOINFO, &sv->rto, &len) != 0)
		return errno;
	len = sizeof(sv->init);
	if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_INITMSG, &sv->init, &len) != 0)
		return errno;
	return 0;
}

static int
set_rto(struct socket *so, sctp_assoc_t id, uint32_t initial, uint32_t min,
    uint32_t max)
{
	struct sctp_rtoinfo rto;

	memset(&rto, 0, sizeof(rto));
	rto.srto_assoc_id = id;
	rto.srto_initial = initial;
	rto.srto_min = min;
	rto.srto_max = max;
	return usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_RTOINFO, &rto,
	    sizeof(rto)) == 0 ? 0 : errno;
}

static int
set_pacing(struct socket *so, const struct saved *sv, const struct pacing *pc)
{
	struct sctp_initmsg init;
	uint32_t rto = (uint32_t)pc->rto_ms;
	int err;

	err = set_rto(so, SCTP_FUTURE_ASSOC, rto,
	    sv->rto.srto_min < rto ? sv->rto.srto_min : rto,
	    sv->rto.srto_max > rto ? sv->rto.srto_max : rto);
	if (err != 0)
		return err;
	memset(&init, 0, sizeof(init));		/* 0: leave as is */
	init.sinit_max_attempts = (uint16_t)(pc->inits - 1);
	init.sinit_max_init_timeo = (uint16_t)(rto < 65535 ? rto : 65535);
	if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_INITMSG, &init,
	    sizeof(init)) != 0)
		return errno;
	return 0;
}

/*
 * Put the socket's own parameters back where they reach.  The INIT
 * parameters belong to the endpoint alone (an association copies them when
 * it is made).  RTO.info goes to the association while a one-to-one socket
 * has one: then id names it and its minimum and maximum are put back once
 * it is established; with none, to the endpoint.
 */
static void
restore_init(struct socket *so, const struct saved *sv)
{
	(void)usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_INITMSG, &sv->init,
	    sizeof(sv->init));
}

static void
restore_rto(struct socket *so, sctp_assoc_t id, const struct saved *sv)
{
	(void)set_rto(so, id, sv->rto.srto_initial, sv->rto.srto_min,
	    sv->rto.srto_max);
}

/*
 * A blocking call: wait until the association is no longer being set up.
 * Signals do not end the wait (usrsctp cannot abandon an INIT under way);
 * the INIT bound does.  0, or the errno the association failed with.
 */
static int
wait_up(struct socket *so, sctp_assoc_t id, const struct pacing *pc)
{
	const struct timespec tick = { 0, US_POLL_NS };
	struct timespec end = ts_add_ms(mono_now(), pc->deadline_ms + US_GRACE_MS);
	struct sctp_status st;
	int err;

	for (;;) {
		if (assoc_state(so, id, &st) != 0) {
			err = so_error(so);
			return err != 0 ? err : ETIMEDOUT;
		}
		if (was_established(st.sstat_state))
			return 0;
		/* Neither coming up nor up: it failed (or is being freed). */
		if (!setting_up(st.sstat_state)) {
			err = so_error(so);
			return err != 0 ? err : ETIMEDOUT;
		}
		if (!ts_before(mono_now(), end))
			return ETIMEDOUT;
		(void)nanosleep(&tick, NULL);
	}
}

/* The association just made (or under way), as the registry keeps it. */
static int
record(struct socket *so, sctp_assoc_t id, struct destlist *dests, bool up)
{
	struct ptrrec *rec;
	uint32_t stamp = us_stamp(so);
	int err = 0;

	rec = registry_lock_ptr(so, true);
	if (rec != NULL) {
		assoc_clear(&rec->assoc);
		addrlist_free(&rec->peers);
		rec->stamp = stamp;
		rec->up = false;
		rec->assoc.id = (cx_sctp_assoc_t)id;
		rec->assoc.dests = *dests;	/* the record's now */
		dests->v = NULL;
		dests->n = 0;
		if (up && (err = us_refresh(so, rec)) == ENOTCONN)
			err = 0;	/* ended already: the caller has its answer */
	} else
		err = ENOMEM;
	registry_unlock_ptr(so);
	return err;
}

static void
forget(struct socket *so)
{
	(void)registry_lock_ptr(so, false);
	registry_drop_ptr(so);
	registry_unlock_ptr(so);
}

int
cx_usrsctp_connectx(struct socket *so, const struct sockaddr *addrs,
    int addrcnt, sctp_assoc_t *id)
{
	struct destlist dests = { NULL, 0 };
	struct policy p;
	struct pacing pc;
	struct saved sv;
	sctp_assoc_t aid = 0;
	bool one_to_one;
	int err;

	if ((err = check(so, addrs, addrcnt, &dests)) != 0)
		goto out;
	policy_defaults(&p);
	pace(&p, dests.n, &pc);
	one_to_one = is_one_to_one(so);
	if ((err = get_params(so, &sv)) != 0 ||
	    (err = set_pacing(so, &sv, &pc)) != 0)
		goto out;
	if (usrsctp_connectx(so, addrs, addrcnt, &aid) != 0) {
		err = errno;
		restore_init(so, &sv);
		restore_rto(so, SCTP_FUTURE_ASSOC, &sv);
		goto out;
	}
	restore_init(so, &sv);
	if (!one_to_one)
		restore_rto(so, SCTP_FUTURE_ASSOC, &sv);
	if (usrsctp_get_non_blocking(so) == 1) {
		err = record(so, aid, &dests, false);
		if (err == 0)
			err = EINPROGRESS;
	} else {
		err = wait_up(so, aid, &pc);
		/* The data phase runs on the socket's own RTO bounds. */
		restore_rto(so, one_to_one && err != 0 ? SCTP_FUTURE_ASSOC : aid, &sv);
		if (err == 0)
			err = record(so, aid, &dests, true);
		else
			forget(so);
	}
	if ((err == 0 || err == EINPROGRESS) && id != NULL)
		*id = aid;
out:
	addrlist_free(&dests);
	return err != 0 ? fail(err) : 0;
}
