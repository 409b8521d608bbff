/*
 * Kernel SCTP pass-through: the whole list goes to the kernel in one
 * socket option, exactly as lksctp-tools' sctp_connectx() hands it over.
 */
#ifndef CX_TRANSPORT_SCTP_H
#define CX_TRANSPORT_SCTP_H

#include <sys/socket.h>

/*
 * The two system calls the pass-through makes.  They are the real ones;
 * tests/check_sctp_passthrough.c swaps in a labelled FAKE, since this
 * project's test machines have no kernel SCTP.
 */
struct sctp_sockopt_calls {
	int	(*get)(int, int, int, void *, socklen_t *);
	int	(*set)(int, int, int, const void *, socklen_t);
};

extern struct sctp_sockopt_calls sctp_sockopt_calls;

#endif /* !CX_TRANSPORT_SCTP_H */
