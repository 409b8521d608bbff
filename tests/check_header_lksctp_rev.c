/*
 * <connectx.h> after lksctp-tools' <netinet/sctp.h> (sctp_connectx(3)), the
 * order check_header_lksctp.c cannot have: <netinet/in.h>, <netinet/sctp.h>,
 * then <connectx.h>.  lksctp's macros and declarations come first; the
 * library's header must neither redefine nor clash with them.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <connectx.h>

#ifndef __linux_sctp_h__
#error "lksctp's <netinet/sctp.h> was not the one included"
#endif

_Static_assert(_Generic((sctp_assoc_t *)0, cx_sctp_assoc_t *: 1, default: 0),
    "sctp_assoc_t and cx_sctp_assoc_t are the same type");

int	hdr_lksctp_rev_assoc_t_size(void);
int	hdr_lksctp_rev_connectx_ebadf(int *err);

int
hdr_lksctp_rev_assoc_t_size(void)
{
	return (sctp_assoc_t)-1 < 0 ? (int)sizeof(sctp_assoc_t) : -1;
}

/* Through lksctp's prototype (which came first). */
int
hdr_lksctp_rev_connectx_ebadf(int *err)
{
	struct sockaddr_in sin;
	sctp_assoc_t aid = 0;
	int rc;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(9);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	errno = 0;
	rc = sctp_connectx(-1, (struct sockaddr *)&sin, 1, &aid);
	*err = errno;
	return rc;
}
