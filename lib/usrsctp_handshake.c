/*
 * The handshake of one usrsctp association, paced by the library's policy
 * (cx_usrsctp_connectx(3), DESCRIPTION), so that failover to the next
 * address of the list takes about the attempt delay D, not usrsctp's 3 s
 * initial RTO.
 *
 * How the policy maps onto SCTP: usrsctp's T1-init timer, on expiry,
 * moves the INIT to an alternate address of the association
 * (sctp_t1init_timer: sctp_find_alternate_net) and times it with the
 * doubled RTO, capped by the INIT's maximum timeout.  Setting RTO.initial
 * and sinit_max_init_timeo to D makes that one address every D; the INIT
 * count (sinit_max_attempts + 1) bounds the whole setup: count x D stays
 * within the total timeout T when one is set, and is max(8, twice the
 * list) otherwise.
 */
#include <config.h>

#include <usrsctp.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

#include "connectx.h"
#include "timeutil.h"
#include "usrsctp_handshake.h"

/* Extra time, past the INIT bound, for the cookie exchange to finish. */
#define US_GRACE_MS		200
/* How often a blocking call looks at the association's state. */
#define US_POLL_NS		1000000L
/* sinit_max_attempts is 16 bits. */
#define US_MAX_INITS		65536L

#define NSTRIPES	16

static pthread_mutex_t stripes[NSTRIPES] = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
};

static pthread_mutex_t *
stripe_of(struct socket *so)
{
	uintptr_t k = (uintptr_t)so;

	return &stripes[((k >> 4) ^ (k >> 10) ^ (k >> 16)) % NSTRIPES];
}

void
hs_lock(struct socket *so)
{
	pthread_mutex_lock(stripe_of(so));
}

void
hs_unlock(struct socket *so)
{
	pthread_mutex_unlock(stripe_of(so));
}

int
hs_abort(struct socket *so, sctp_assoc_t id)
{
	struct sctp_sndinfo si;
	char none = 0;		/* usrsctp refuses a NULL buffer (EFAULT), even empty */

	memset(&si, 0, sizeof(si));
	si.snd_flags = SCTP_ABORT;
	si.snd_assoc_id = id;
	if (usrsctp_sendv(so, &none, 0, NULL, 0, &si, sizeof(si),
	    SCTP_SENDV_SNDINFO, 0) < 0)
		return errno;
	return 0;
}

/* A process default through the public call (this library has no policy of its own). */
static long
default_of(int opt, long fallback)
{
	long v;

	return cx_getdefault(opt, &v) == 0 ? v : fallback;
}

void
hs_pace(size_t naddrs, struct pacing *pc)
{
	long d = default_of(CX_OPT_ATTEMPT_DELAY_MS, 250);
	long t = default_of(CX_OPT_TOTAL_TIMEOUT_MS, 0);

	if (d < 1)
		d = 1;
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

int
hs_override(struct socket *so, struct saved *sv, const struct pacing *pc)
{
	struct sctp_initmsg init;
	uint32_t rto = (uint32_t)pc->rto_ms;
	int err;

	if ((err = get_params(so, sv)) != 0)
		return err;
	/*
	 * RTO.max = D too: usrsctp retransmits the COOKIE-ECHO on the path's
	 * RTO, backed off up to RTO.max, as many times as the INIT
	 * (sctp_cookie_timer: max_init_times), so the cookie phase is bounded
	 * like the INIT phase, instead of by usrsctp's 60 s.
	 */
	err = set_rto(so, SCTP_FUTURE_ASSOC, rto,
	    sv->rto.srto_min < rto ? sv->rto.srto_min : rto, rto);
	if (err != 0)
		return err;
	memset(&init, 0, sizeof(init));		/* 0: leave as is */
	init.sinit_max_attempts = (uint16_t)(pc->inits - 1);
	init.sinit_max_init_timeo = (uint16_t)(rto < 65535 ? rto : 65535);
	if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_INITMSG, &init,
	    sizeof(init)) != 0) {
		err = errno;
		hs_restore_rto(so, SCTP_FUTURE_ASSOC, sv);
		return err;
	}
	return 0;
}

void
hs_restore_init(struct socket *so, const struct saved *sv)
{
	(void)usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_INITMSG, &sv->init,
	    sizeof(sv->init));
}

void
hs_restore_rto(struct socket *so, sctp_assoc_t id, const struct saved *sv)
{
	(void)set_rto(so, id, sv->rto.srto_initial, sv->rto.srto_min,
	    sv->rto.srto_max);
}

bool
hs_is_one_to_one(struct socket *so)
{
	uint32_t n = 0;
	socklen_t len = sizeof(n);

	return usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_GET_ASSOC_NUMBER,
	    &n, &len) != 0;
}

int
hs_assoc_state(struct socket *so, sctp_assoc_t id, struct sctp_status *st)
{
	socklen_t len = sizeof(*st);

	memset(st, 0, sizeof(*st));
	st->sstat_assoc_id = id;
	if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_STATUS, st, &len) != 0)
		return errno;
	return 0;
}

bool
hs_setting_up(int32_t state)
{
	return state == SCTP_COOKIE_WAIT || state == SCTP_COOKIE_ECHOED;
}

bool
hs_was_established(int32_t state)
{
	return state == SCTP_ESTABLISHED || state == SCTP_SHUTDOWN_PENDING ||
	    state == SCTP_SHUTDOWN_SENT || state == SCTP_SHUTDOWN_RECEIVED ||
	    state == SCTP_SHUTDOWN_ACK_SENT;
}

int
hs_so_error(struct socket *so)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (usrsctp_getsockopt(so, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return 0;
	return err;
}

int
hs_wait_up(struct socket *so, sctp_assoc_t id, const struct pacing *pc)
{
	const struct timespec tick = { 0, US_POLL_NS };
	struct timespec now, end = ts_add_ms(mono_now(), pc->deadline_ms + US_GRACE_MS);
	struct sctp_status st;
	bool extended = false;
	int err;

	for (;;) {
		if (hs_assoc_state(so, id, &st) != 0) {
			err = hs_so_error(so);
			return err != 0 ? err : ETIMEDOUT;
		}
		if (hs_was_established(st.sstat_state))
			return 0;
		/* Neither coming up nor up: it failed (or is being freed). */
		if (!hs_setting_up(st.sstat_state)) {
			err = hs_so_error(so);
			return err != 0 ? err : ETIMEDOUT;
		}
		now = mono_now();
		if (!ts_before(now, end)) {
			/*
			 * In the COOKIE-ECHO phase at the bound (an INIT answered
			 * late, or usrsctp's timers late on a loaded machine):
			 * usrsctp ends that phase itself (as many COOKIE-ECHOs as
			 * INITs, every D at most) and cannot abort it on a
			 * one-to-one socket.  Wait for that, once, so that
			 * nothing comes up after the call failed.  Still in the
			 * INIT phase: the caller aborts it.
			 */
			if (extended || st.sstat_state != SCTP_COOKIE_ECHOED)
				return ETIMEDOUT;
			extended = true;
			end = ts_add_ms(now, pc->inits * pc->rto_ms + US_GRACE_MS);
		}
		(void)nanosleep(&tick, NULL);
	}
}
