/*
 * <connectx.h> beside lksctp-tools' <netinet/sctp.h> (sctp_connectx(3)):
 *
 *  - <netinet/in.h>, <connectx.h>, <netinet/sctp.h>, in that order: lksctp's
 *    typedef of sctp_assoc_t repeats ours (the same type) and its
 *    sctp_connectx prototype is compatible with ours;
 *  - then <connectx/sctp.h>, the part of <connectx.h> that depends on
 *    which header came first, is read again (guard lifted) after lksctp's.
 *
 * The whole header after lksctp's needs a translation unit of its own:
 * check_header_lksctp_rev.c.  sctp_connectx is called here through
 * lksctp's prototype; it links to libconnectx (no -lsctp).
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <connectx.h>
#include <netinet/sctp.h>

#ifndef __linux_sctp_h__
#error "lksctp's <netinet/sctp.h> was not the one included"
#endif

/* Order 1 holds: one type under both names. */
_Static_assert(_Generic((sctp_assoc_t)0, int32_t: 1, default: 0),
    "sctp_assoc_t is int32_t beside lksctp");
_Static_assert(_Generic((sctp_assoc_t *)0, cx_sctp_assoc_t *: 1, default: 0),
    "sctp_assoc_t and cx_sctp_assoc_t are the same type");

/* The order-dependent part again, now after lksctp's header. */
#undef CONNECTX_SCTP_H
#include <connectx/sctp.h>
#ifndef CONNECTX_SCTP_H
#error "<connectx/sctp.h> was not read again after <netinet/sctp.h>"
#endif

int	hdr_lksctp_assoc_t_size(void);
int	hdr_lksctp_assoc_t_is_signed(void);
int	hdr_lksctp_assoc_t_is_int32(void);
int	hdr_lksctp_reread_assoc_t_size(void);
int	hdr_lksctp_connectx(int32_t *id, int *err);
int	hdr_lksctp_connectx_ebadf(int *err);

int
hdr_lksctp_assoc_t_size(void)
{
	return (int)sizeof(sctp_assoc_t);
}

int
hdr_lksctp_assoc_t_is_signed(void)
{
	return (sctp_assoc_t)-1 < 0;
}

int
hdr_lksctp_assoc_t_is_int32(void)
{
	return _Generic((sctp_assoc_t)0, int32_t: 1, default: 0) &&
	    _Generic((cx_sctp_assoc_t)0, int32_t: 1, default: 0);
}

int
hdr_lksctp_reread_assoc_t_size(void)
{
	sctp_assoc_t lk = -1;
	cx_sctp_assoc_t *ours = &lk;	/* compatible pointer: same type */

	return *ours < 0 ? (int)sizeof(*ours) : -1;
}

/* A loopback listener, and sctp_connectx to it through lksctp's prototype. */
int
hdr_lksctp_connectx(int32_t *id, int *err)
{
	int (*lk)(int, struct sockaddr *, int, sctp_assoc_t *) = sctp_connectx;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	sctp_assoc_t aid = 0;
	int l, fd, rc;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return *err = errno, -2;
	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(l, 1) != 0 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) != 0) {
		*err = errno;
		close(l);
		return -2;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	rc = lk(fd, (struct sockaddr *)&sin, 1, &aid);
	*err = rc == 0 ? 0 : errno;
	*id = aid;
	close(fd);
	close(l);
	return rc;
}

int
hdr_lksctp_connectx_ebadf(int *err)
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
