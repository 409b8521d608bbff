/*
 * Kernel UDP: connect(2) only sets the peer, so an attempt ends at once,
 * routed or not.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "sockio.h"
#include "sockopts.h"
#include "sockstate.h"
#include "transport.h"

static in_port_t *
port_of(struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return &((struct sockaddr_in6 *)(void *)ss)->sin6_port;
	return &((struct sockaddr_in *)(void *)ss)->sin_port;
}

static bool
addr_is_wildcard(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr);
	return ((const struct sockaddr_in *)(const void *)ss)->sin_addr.s_addr ==
	    htonl(INADDR_ANY);
}

/* The wildcard address of ss's family, with ss's port. */
static void
wildcard_of(const struct sockaddr_storage *ss, struct sockaddr_storage *w)
{
	memset(w, 0, sizeof(*w));
	w->ss_family = ss->ss_family;
	*port_of(w) = *port_of((struct sockaddr_storage *)(uintptr_t)ss);
}

static socklen_t
len_of(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

/*
 * A socket of fd's kind holding the port while the kernel lets go of it:
 * bound with SO_REUSEADDR (which fd has for the moment) on the wildcard
 * address if it can be, else on the address fd had.  *at is where it
 * holds it; -1 with errno when it cannot be had.
 */
static int
hold_port(int fd, const struct sockaddr_storage *had,
    struct sockaddr_storage *at)
{
	int h, on = 1, v6only = 0, type = SOCK_DGRAM, proto = IPPROTO_UDP, err;
	socklen_t len = sizeof(int);

	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len);
	if ((h = socket(had->ss_family, type | SOCK_CLOEXEC, proto)) == -1)
		return -1;
	len = sizeof(v6only);
	if ((had->ss_family == AF_INET6 &&
	    (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) != 0 ||
	    setsockopt(h, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
	    sizeof(v6only)) != 0)) ||
	    setsockopt(h, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0)
		goto fail;
	wildcard_of(had, at);
	if (bind(h, (struct sockaddr *)at, len_of(at)) == 0)
		return h;
	*at = *had;
	if (errno == EADDRINUSE && !addr_is_wildcard(had) &&
	    bind(h, (struct sockaddr *)at, len_of(at)) == 0)
		return h;
fail:
	err = errno;
	close(h);
	errno = err;
	return -1;
}

/*
 * Dissolve the association, keeping the port of had (the socket's local
 * address while associated, or before the call for udp_restore; port 0:
 * none to keep).  Linux's disconnect lets go of a port the application
 * did not bind explicitly, of an address it did not bind, and of the
 * interface binding: the interface is bound again, and the port on the
 * address the kernel kept, else on the wildcard address, else (another
 * socket holds the port on some address) on the address the socket had.
 * Meanwhile a second socket holds the port, so that no other can take it
 * in between; the socket shares it with that one through SO_REUSEADDR,
 * set for the moment.  When the port cannot be held, nothing is done
 * (disconnectx(2), UDP).
 */
static int
udp_dissolve(int fd, const struct sockaddr_storage *had)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };
	struct sockaddr_storage local, at;
	socklen_t len = sizeof(int);
	int holder = -1, reuse = 0, on = 1, ifindex = 0, err = 0;
	bool reuse_set = false;

	if (had == NULL || *port_of((struct sockaddr_storage *)(uintptr_t)had) == 0)
		return connect(fd, &sa, sizeof(sa)) == 0 ? 0 : errno;
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &ifindex, &len) != 0)
		ifindex = 0;
	len = sizeof(reuse);
	if (getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, &len) != 0)
		return errno;
	if (!reuse) {
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0)
			return errno;
		reuse_set = true;
	}
	if ((holder = hold_port(fd, had, &at)) == -1) {
		err = errno;
		goto out;	/* still associated, as it was */
	}
	if (connect(fd, &sa, sizeof(sa)) != 0) {
		err = errno;
		goto out;
	}
	if (ifindex != 0)
		setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &ifindex,
		    sizeof(ifindex));
	len = sizeof(local);
	if (getsockname(fd, (struct sockaddr *)&local, &len) != 0) {
		err = errno;
		goto out;
	}
	if (*port_of(&local) != 0)
		goto out;	/* bound explicitly: the kernel kept it */
	if (!addr_is_wildcard(&local))
		at = local;	/* the address bound explicitly, kept */
	*port_of(&at) = *port_of((struct sockaddr_storage *)(uintptr_t)had);
	if (bind(fd, (struct sockaddr *)&at, len_of(&at)) != 0)
		err = errno;
out:
	if (reuse_set)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
	if (holder != -1)
		close(holder);
	return err;
}

/* Whether a (of a datagram's source) is b, the peer: address and port. */
static bool
same_peer(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->sa_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	    IN6_ARE_ADDR_EQUAL(&a6->sin6_addr, &b6->sin6_addr);
}

/*
 * Drop the datagrams queued before the socket took its new peer that are
 * not from that peer: the old peer's, or anyone's while it had none.  An
 * associated socket receives from its peer only (connectx(2), UDP), but
 * Linux's connect(2) leaves the queue as it is, so the application would
 * read the old peer's datagram as the new one's.  The queue is read from
 * its head and cannot be reordered: dropping stops at the first datagram
 * from the new peer.  Nothing from another source arrives after connect.
 */
static void
drop_strays(int fd, const struct sockaddr *peer)
{
	struct sockaddr_storage from;
	struct msghdr msg;
	struct iovec iov;
	char byte;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = &byte;
		iov.iov_len = 1;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		if (recvmsg(fd, &msg, MSG_PEEK | MSG_DONTWAIT) < 0 ||
		    same_peer(&from, peer))
			return;
		if (recv(fd, &byte, 1, MSG_DONTWAIT) < 0)
			return;
	}
}

/*
 * Associate.  An error the previous peer left pending (ECONNREFUSED from
 * an ICMP port unreachable) belongs to the old association: collected
 * here, once the socket has its new peer, it never fails the first send
 * to the new one (HACKING.md, Verdicts).  Errors from the old peer that
 * arrive later no longer match the socket.  Its datagrams still queued
 * are dropped likewise (drop_strays).
 */
static bool
addr_is_mapped(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(
	    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
}

/*
 * Linux's connect(2) refuses (EAFNOSUPPORT) to move an AF_INET6 socket
 * from an IPv4-mapped peer to a native IPv6 one while the old association
 * stands: the IPv4 source it chose stays.  The old association is
 * dissolved first, keeping the local port (udp_dissolve), then the new
 * peer is set; when either fails, the old peer is put back (connectx(2),
 * UDP).  0 or errno; err itself when the move is not that one.
 */
static int
udp_leave_mapped(int fd, const struct sockaddr *sa, socklen_t len, int err)
{
	struct sockaddr_storage peer, local, now;
	socklen_t plen = sizeof(peer), llen = sizeof(local), nlen = sizeof(now);

	if (err != EAFNOSUPPORT || sa->sa_family != AF_INET6 ||
	    addr_is_mapped(sa) ||
	    getpeername(fd, (struct sockaddr *)&peer, &plen) != 0 ||
	    !addr_is_mapped((struct sockaddr *)&peer) ||
	    getsockname(fd, (struct sockaddr *)&local, &llen) != 0)
		return err;
	if ((err = udp_dissolve(fd, &local)) == 0 &&
	    (err = sockio_connect(fd, sa, len)) == 0)
		return 0;
	if (getpeername(fd, (struct sockaddr *)&now, &nlen) != 0)
		(void)connect(fd, (struct sockaddr *)&peer, plen);
	return err;
}

static int
udp_start(int fd, const struct sockaddr *sa, socklen_t len)
{
	int err = sockio_connect(fd, sa, len);

	if (err == EAFNOSUPPORT)
		err = udp_leave_mapped(fd, sa, len, err);
	if (err == 0) {
		sockio_pending_error(fd);
		drop_strays(fd, sa);
	}
	return err;
}

static int
udp_restore(int fd, const struct sockstate *before)
{
	if (before->connected)
		return connect(fd, (const struct sockaddr *)&before->peer,
		    before->peerlen) == 0 ? 0 : errno;
	return udp_dissolve(fd, before->bound ? &before->local : NULL);
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
	return udp_dissolve(fd, &local);
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
