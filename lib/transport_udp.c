/*
 * Kernel UDP: connect(2) only sets the peer, so an attempt ends at once,
 * routed or not.
 */
#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "sockio.h"
#include "sockstate.h"
#include "transport.h"

static in_port_t *
port_of(struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return &((struct sockaddr_in6 *)(void *)ss)->sin6_port;
	return &((struct sockaddr_in *)(void *)ss)->sin_port;
}

/*
 * Dissolve the association.  The kernel also lets go of a local port the
 * application did not bind explicitly; it is bound again, on the address
 * the socket is left with, so that the socket keeps its port.
 */
static int
udp_dissolve(int fd, in_port_t port)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);

	if (connect(fd, &sa, sizeof(sa)) != 0)
		return errno;
	if (port == 0)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&local, &len) != 0)
		return errno;
	if (*port_of(&local) != 0)
		return 0;
	*port_of(&local) = port;
	return bind(fd, (struct sockaddr *)&local, len) == 0 ? 0 : errno;
}

/*
 * Associate.  An error the previous peer left pending (ECONNREFUSED from
 * an ICMP port unreachable) belongs to the old association: collected
 * here, once the socket has its new peer, it never fails the first send
 * to the new one (HACKING.md, Verdicts).  Errors from the old peer that
 * arrive later no longer match the socket.
 */
static int
udp_start(int fd, const struct sockaddr *sa, socklen_t len)
{
	int err = sockio_connect(fd, sa, len);

	if (err == 0)
		sockio_pending_error(fd);
	return err;
}

static int
udp_restore(int fd, const struct sockstate *before)
{
	struct sockaddr_storage local = before->local;

	if (before->connected)
		return connect(fd, (const struct sockaddr *)&before->peer,
		    before->peerlen) == 0 ? 0 : errno;
	return udp_dissolve(fd, before->bound ? *port_of(&local) : 0);
}

/* One datagram, all of it or nothing. */
static int
udp_send(int fd, const struct iovec *iov, int iovcnt, size_t *sent)
{
	struct msghdr msg = { .msg_iov = (struct iovec *)(uintptr_t)iov,
	    .msg_iovlen = (size_t)iovcnt };
	ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);

	*sent = n > 0 ? (size_t)n : 0;
	return n >= 0 ? 0 : errno;
}

static int
udp_disconnect(int fd)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);

	if (getsockname(fd, (struct sockaddr *)&local, &len) != 0)
		return errno;
	return udp_dissolve(fd, *port_of(&local));
}

/* 65535 less the IP (IPv4 only) and UDP headers. */
static size_t
udp_max_message(int family)
{
	return family == AF_INET6 ? 65535 - 8 : 65535 - 20 - 8;
}

const struct transport transport_udp = {
	.name = "udp",
	.start = udp_start,
	.finish = sockio_pending_error,
	.abandon = sockio_keep,	/* a failed UDP connect changes nothing */
	.restore = udp_restore,
	.send = udp_send,
	.disconnect = udp_disconnect,
	.max_message = udp_max_message,
};
