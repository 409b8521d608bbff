/*
 * Failover during the association (cx_usrsctp_connectx(3), FAILOVER DURING
 * THE ASSOCIATION): once an association is established, its path
 * management is bounded by the policy's failover bound F.  What the
 * application set on the socket itself is kept.  Include after <usrsctp.h>.
 */
#ifndef CX_USRSCTP_FAILOVER_H
#define CX_USRSCTP_FAILOVER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The plan for one association: F, and which parameters the application
 * set on the socket itself (a value that differs from usrsctp's stack-wide
 * default, read before the handshake changed anything).
 */
struct fo_plan {
	long		f_ms;
	bool		own_rto_min, own_rto_max, own_pf, own_hb, own_asocmaxrxt;
	uint32_t	rto_initial, rto_min, rto_max;	/* the socket's own */
};

/* The plan for an association about to be made on so; rto is the socket's own RTO. */
void	fo_plan(struct socket *so, const struct sctp_rtoinfo *rto, struct fo_plan *plan);

/* Apply the plan to the established association id: 0 or the first errno. */
int	fo_apply(struct socket *so, sctp_assoc_t id, const struct fo_plan *plan);

/*
 * The association retransmission limit under F: the association fails at
 * the timeout after that many, and timeouts backed off up to RTO.max = 4F
 * (F, 2F, 4F, 4F) reach 11 F at the fourth.
 */
#define FO_ASSOC_MAX_RETRANS	3
#define FO_RTO_MAX_FACTOR	4

#endif /* !CX_USRSCTP_FAILOVER_H */
