/* cxconnect's SCTP mode over usrsctp (cxconnect(1), -S). */
#ifndef CX_CXCONNECT_SCTP_H
#define CX_CXCONNECT_SCTP_H

#include <stdbool.h>
#include <sys/socket.h>

/* Connect the packed list of n addresses and pipe stdin/stdout: the exit status. */
int	cxconnect_sctp(const struct sockaddr *list, int n, int family, long encaps,
	    bool verbose);

#endif /* !CX_CXCONNECT_SCTP_H */
