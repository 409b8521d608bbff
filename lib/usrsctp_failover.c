/*
 * Failover during the association for usrsctp (cx_usrsctp_connectx(3),
 * FAILOVER DURING THE ASSOCIATION).  usrsctp's defaults (RTO.min 1 s,
 * RTO.max 60 s, path.max.retrans 5, the RFC 7829 potentially-failed
 * threshold off) freeze a flow for about a minute when the primary path
 * dies.  Per association, once established:
 *
 * - PF threshold 0 (SCTP_PEER_ADDR_THLDS): the first retransmission timeout
 *   on a path makes it "potentially failed" and usrsctp moves the data to
 *   an alternate path at once; path.max.retrans is written back unchanged,
 *   so "inactive" still means path.max.retrans timeouts;
 * - RTO.min = F, RTO.max = 4F (SCTP_RTOINFO): that first timeout comes
 *   after about F;
 * - heartbeats every F (plus usrsctp's RTO and jitter) on every path
 *   (SCTP_PEER_ADDR_PARAMS), so that an idle path's death and a dead one's
 *   return are seen;
 * - Association.Max.Retrans FO_ASSOC_MAX_RETRANS (SCTP_ASSOCINFO), below
 *   the sum of the paths' path.max.retrans as RFC 9260 section 8.2 asks:
 *   with every path dead the association fails within about 11 F.
 *
 * A parameter the application set on the socket itself is left as it set
 * it: the library reads the socket's values before the handshake and
 * compares each with usrsctp's stack-wide default (usrsctp_sysctl_get_*);
 * one that differs was set by the application.
 */
#include <config.h>

#include <usrsctp.h>

#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "connectx.h"
#include "usrsctp_thlds.h"
#include "usrsctp_failover.h"

static long
failover_ms(void)
{
	long v;

	if (cx_getdefault(CX_OPT_FAILOVER_MS, &v) == 0 && v > 0)
		return v;
	if (cx_getdefault(CX_OPT_ATTEMPT_DELAY_MS, &v) == 0 && v > 0)
		return v;
	return 250;
}

void
fo_plan(struct socket *so, const struct sctp_rtoinfo *rto, struct fo_plan *plan)
{
	struct sctp_paddrthlds th;
	struct sctp_paddrparams pp;
	struct sctp_assocparams ap;
	socklen_t len;

	memset(plan, 0, sizeof(*plan));
	plan->f_ms = failover_ms();
	plan->rto_initial = rto->srto_initial;
	plan->rto_min = rto->srto_min;
	plan->rto_max = rto->srto_max;
	plan->own_rto_min = rto->srto_min != usrsctp_sysctl_get_sctp_rto_min_default();
	plan->own_rto_max = rto->srto_max != usrsctp_sysctl_get_sctp_rto_max_default();

	memset(&th, 0, sizeof(th));
	th.spt_assoc_id = SCTP_FUTURE_ASSOC;
	len = sizeof(th);
	plan->own_pf = usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_THLDS,
	    &th, &len) != 0 ||
	    th.spt_pathpfthld != usrsctp_sysctl_get_sctp_path_pf_threshold();

	memset(&pp, 0, sizeof(pp));
	pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
	len = sizeof(pp);
	plan->own_hb = usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS,
	    &pp, &len) != 0 || (pp.spp_flags & SPP_HB_DISABLE) ||
	    pp.spp_hbinterval != usrsctp_sysctl_get_sctp_heartbeat_interval_default();

	memset(&ap, 0, sizeof(ap));
	ap.sasoc_assoc_id = SCTP_FUTURE_ASSOC;
	len = sizeof(ap);
	plan->own_asocmaxrxt = usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_ASSOCINFO,
	    &ap, &len) != 0 ||
	    ap.sasoc_asocmaxrxt != usrsctp_sysctl_get_sctp_assoc_rtx_max_default();
}

/* Every path of the association: the wildcard address. */
static void
any_address(struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = AF_INET;
}

static int
set_rto(struct socket *so, sctp_assoc_t id, const struct fo_plan *plan)
{
	struct sctp_rtoinfo rto;
	uint32_t f = (uint32_t)plan->f_ms;

	memset(&rto, 0, sizeof(rto));
	rto.srto_assoc_id = id;
	rto.srto_max = plan->own_rto_max ? plan->rto_max : f * FO_RTO_MAX_FACTOR;
	rto.srto_min = plan->own_rto_min ? plan->rto_min : f;
	/* The application's own value wins over the policy's. */
	if (rto.srto_min > rto.srto_max) {
		if (plan->own_rto_min && !plan->own_rto_max)
			rto.srto_max = rto.srto_min;
		else
			rto.srto_min = rto.srto_max;
	}
	/* usrsctp wants min <= initial <= max: the socket's own, within them. */
	rto.srto_initial = plan->rto_initial;
	if (rto.srto_initial < rto.srto_min)
		rto.srto_initial = rto.srto_min;
	if (rto.srto_initial > rto.srto_max)
		rto.srto_initial = rto.srto_max;
	return usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_RTOINFO, &rto,
	    sizeof(rto)) == 0 ? 0 : errno;
}

static int
set_pf(struct socket *so, sctp_assoc_t id)
{
	struct sctp_paddrthlds th;
	socklen_t len = sizeof(th);

	memset(&th, 0, sizeof(th));
	th.spt_assoc_id = id;
	any_address(&th.spt_address);
	if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_THLDS, &th, &len) != 0)
		return errno;
	th.spt_assoc_id = id;
	any_address(&th.spt_address);
	th.spt_pathpfthld = 0;		/* path.max.retrans as it was */
	th.spt_pathcpthld = 0xffff;
	return usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_THLDS, &th,
	    sizeof(th)) == 0 ? 0 : errno;
}

static int
set_heartbeat(struct socket *so, sctp_assoc_t id, const struct fo_plan *plan)
{
	struct sctp_paddrparams pp;

	memset(&pp, 0, sizeof(pp));		/* 0: leave as is */
	pp.spp_assoc_id = id;
	any_address(&pp.spp_address);
	pp.spp_hbinterval = (uint32_t)plan->f_ms;
	pp.spp_flags = SPP_HB_ENABLE;
	return usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp,
	    sizeof(pp)) == 0 ? 0 : errno;
}

static int
set_assoc_retrans(struct socket *so, sctp_assoc_t id)
{
	struct sctp_assocparams ap;

	memset(&ap, 0, sizeof(ap));		/* 0: leave as is */
	ap.sasoc_assoc_id = id;
	ap.sasoc_asocmaxrxt = FO_ASSOC_MAX_RETRANS;
	return usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_ASSOCINFO, &ap,
	    sizeof(ap)) == 0 ? 0 : errno;
}

int
fo_apply(struct socket *so, sctp_assoc_t id, const struct fo_plan *plan)
{
	int err, first = 0;

	err = set_rto(so, id, plan);
	first = first ? first : err;
	if (!plan->own_pf && (err = set_pf(so, id)) != 0 && first == 0)
		first = err;
	if (!plan->own_hb && (err = set_heartbeat(so, id, plan)) != 0 && first == 0)
		first = err;
	if (!plan->own_asocmaxrxt && (err = set_assoc_retrans(so, id)) != 0 && first == 0)
		first = err;
	return first;
}
