/*
 * Kernel SCTP: the kernel runs the list itself (its INIT goes to the first
 * address and moves to the others on retransmission), so this transport
 * connects a whole list at once.  The socket options are tried as
 * lksctp-tools tries them: SCTP_SOCKOPT_CONNECTX3 (getsockopt on a
 * struct sctp_getaddrs_old naming the list, the ID returned in it), then SCTP_SOCKOPT_CONNECTX (setsockopt,
 * the ID as its result), then SCTP_SOCKOPT_CONNECTX_OLD (no ID), each
 * fallback only on ENOPROTOOPT.  The two older options cannot report an ID
 * on a non-blocking socket; then the call fails with ENOPROTOOPT, as
 * lksctp's does.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "sockopts.h"
#include "addrlist.h"
#include "sockio.h"
#include "transport.h"
#include "transport_sctp.h"

struct sctp_sockopt_calls sctp_sockopt_calls = { getsockopt, setsockopt };

/* The list packed as the kernel takes it. */
static unsigned char *
pack(const struct destlist *dests, size_t *len)
{
	unsigned char *buf, *p;
	size_t i, total = 0;

	for (i = 0; i < dests->n; i++)
		total += dests->v[i].len;
	if ((p = buf = malloc(total)) == NULL)
		return NULL;
	for (i = 0; i < dests->n; i++) {
		memcpy(p, &dests->v[i].ss, dests->v[i].len);
		p += dests->v[i].len;
	}
	*len = total;
	return buf;
}

/*
 * SCTP_SOCKOPT_CONNECTX3 takes the kernel's struct sctp_getaddrs_old: the
 * list's size and address, and room for the ID it returns.
 */
struct connectx3_param {
	int32_t	 assoc_id;
	int	 addr_num;	/* bytes, despite the name */
	void	*addrs;
};

static int
connectx3(int fd, unsigned char *buf, size_t len, cx_sctp_assoc_t *id)
{
	struct connectx3_param param = { 0, (int)len, buf };
	socklen_t optlen = sizeof(param);
	int err;

	err = sctp_sockopt_calls.get(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX3, &param,
	    &optlen) == 0 ? 0 : errno;
	if (err == 0 || err == EINPROGRESS)
		*id = param.assoc_id;
	return err;
}

/*
 * Connect the list; *id is set when an option reported it.  With want_id,
 * an ID that cannot be had is an error (ENOPROTOOPT), as in lksctp.
 */
static int
sctp_connect_list(int fd, const struct destlist *dests, bool want_id,
    cx_sctp_assoc_t *id)
{
	unsigned char *buf;
	size_t len;
	int err, flags, r;

	*id = 0;
	if ((buf = pack(dests, &len)) == NULL)
		return ENOMEM;
	if ((err = connectx3(fd, buf, len, id)) != ENOPROTOOPT)
		goto out;
	if (want_id) {
		/* The older options report no ID on a non-blocking socket. */
		if ((flags = fcntl(fd, F_GETFL)) == -1) {
			err = errno;
			goto out;
		}
		if (flags & O_NONBLOCK)
			goto out;
	}
	r = sctp_sockopt_calls.set(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX,
	    buf, (socklen_t)len);
	if (r > 0) {
		*id = r;
		err = 0;
		goto out;
	}
	err = r < 0 ? errno : ENOPROTOOPT;
	if (err != ENOPROTOOPT || want_id)
		goto out;
	/* The oldest option connects but cannot name the association. */
	err = sctp_sockopt_calls.set(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX_OLD,
	    buf, (socklen_t)len) == 0 ? 0 : errno;
out:
	free(buf);
	return err;
}

static int
sctp_restore(int fd, const struct sockstate *before)
{
	(void)before;
	return sockio_shutdown(fd);
}

const struct transport transport_sctp = {
	.name = "sctp",
	.finish = sockio_pending_error,
	.abandon = sockio_keep,	/* the kernel undoes a failed association */
	.restore = sctp_restore,
	.send = sockio_send_some,
	.disconnect = sockio_shutdown,	/* one-to-one: graceful */
	.connect_list = sctp_connect_list,
};
