/*
 * Socket inspection.  SO_COOKIE answers EBADF/ENOTSOCK and names the socket
 * itself (never reused, unlike its descriptor number); TCP_INFO answers
 * "is it TCP" and its state in one call.
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "sockopts.h"
#include "addrlist.h"
#include "sockstate.h"
#include "transport.h"

uint64_t
sockstate_cookie(int fd)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	struct stat sb;

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) == 0)
		return cookie;
	if (errno != ENOPROTOOPT)
		return 0;
	/* Kernels before 4.12: the socket inode, unique while it lives. */
	if (fstat(fd, &sb) != 0 || !S_ISSOCK(sb.st_mode))
		return 0;
	return (uint64_t)sb.st_ino | (1ULL << 63);
}

int
sockstate_cookie_of(int fd, uint64_t *cookie)
{
	if (fd < 0) {
		*cookie = 0;
		return EBADF;
	}
	if ((*cookie = sockstate_cookie(fd)) != 0)
		return 0;
	return errno == EBADF ? EBADF : ENOTSOCK;
}

int
sockstate_identify(int fd, struct sockstate *st)
{
	memset(st, 0, sizeof(*st));
	st->fd = fd;
	return sockstate_cookie_of(fd, &st->cookie);
}

static in_port_t *
port_of(struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return &((struct sockaddr_in *)(void *)ss)->sin_port;
	if (ss->ss_family == AF_INET6)
		return &((struct sockaddr_in6 *)(void *)ss)->sin6_port;
	return NULL;
}

static bool
closed_after_connect(const struct tcp_info *ti)
{
	return ti->tcpi_state == TCP_CLOSE &&
	    (ti->tcpi_pmtu != 0 || ti->tcpi_advmss != 0);
}

bool
sockstate_ran_connect(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	    closed_after_connect(&ti);
}

bool
sockstate_stale_port(int fd, struct sockaddr_storage *local)
{
	struct sockaddr_storage a = *local;
	in_port_t *port = port_of(&a);
	int on = 1, no_port = 0, v6only = 0, err;
	socklen_t len;

	if (port == NULL || *port == 0 || !sockstate_ran_connect(fd))
		return false;
	*port = 0;
	if (a.ss_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)&a)->sin6_flowinfo = 0;
	len = sizeof(no_port);
	if (getsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &no_port,
	    &len) != 0)
		return false;
	/* Without the option the bind would take a port: not asked. */
	if (!no_port && setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
	    &on, sizeof(on)) != 0)
		return false;
	len = sizeof(v6only);
	if (a.ss_family == AF_INET6)
		getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len);
	/*
	 * EINVAL: the socket holds a port (inet_num set).  Any other refusal
	 * (the address it shows is no longer this host's): not known, so
	 * taken as held, as before this probe.
	 */
	err = bind(fd, (struct sockaddr *)&a, a.ss_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) == 0 ?
	    0 : errno;
	if (!no_port)
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &no_port,
		    sizeof(no_port));
	/* Binding a native IPv6 address sets IPV6_V6ONLY: put back. */
	if (err == 0 && a.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	if (err != 0)
		return false;
	*port_of(local) = 0;
	return true;
}

static bool
local_is_set(const struct sockstate *st)
{
	const struct sockaddr_in *sin = (const void *)&st->local;
	const struct sockaddr_in6 *sin6 = (const void *)&st->local;

	if (st->family == AF_INET)
		return sin->sin_port != 0 || sin->sin_addr.s_addr != INADDR_ANY;
	if (st->family == AF_INET6)
		return sin6->sin6_port != 0 ||
		    !IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	return false;
}

bool
sockstate_bound(struct sockstate *st)
{
	if (st->bound && st->ran_connect &&
	    sockstate_stale_port(st->fd, &st->local))
		st->bound = local_is_set(st);
	return st->bound;
}

static int
getint(int fd, int level, int name, int *v)
{
	socklen_t len = sizeof(*v);

	return getsockopt(fd, level, name, v, &len) == 0 ? 0 : errno;
}

static void
tcp_state(struct sockstate *st, const struct linux_tcp_info *ti, socklen_t len)
{
	int state = ti->base.tcpi_state;

	st->listening = state == TCP_LISTEN;
	st->connecting = state == TCP_SYN_SENT;
	st->connected = state != TCP_LISTEN && state != TCP_SYN_SENT &&
	    state != TCP_CLOSE;
	/*
	 * Closed, a segment sent, nothing acknowledged: the application's own
	 * connect(2) failed.  Linux keeps such a socket "connecting" until a
	 * connect(2) collects the failure (HACKING.md, Verdicts).
	 */
	st->failed_connect = state == TCP_CLOSE &&
	    len >= LINUX_TCP_INFO_SEGS_LEN && ti->segs_out > 0 &&
	    ti->bytes_acked == 0;
	st->ran_connect = closed_after_connect(&ti->base);
}

int
sockstate_inspect_lone(struct sockstate *st, const struct dest *d)
{
	struct linux_tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(st->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return sockstate_inspect(st);
	st->family = d->ss.ss_family;
	st->family_assumed = true;
	st->type = SOCK_STREAM;
	st->protocol = IPPROTO_TCP;
	st->tp = &transport_tcp;
	/* Its local address is not read: neither is it needed. */
	memset(&st->local, 0, sizeof(st->local));
	st->local.ss_family = (sa_family_t)st->family;
	st->locallen = 0;
	tcp_state(st, &ti, len);
	return 0;
}

int
sockstate_inspect(struct sockstate *st)
{
	st->family_assumed = false;
	struct linux_tcp_info ti;
	socklen_t len;
	int err;

	st->locallen = sizeof(st->local);
	if (getsockname(st->fd, (struct sockaddr *)&st->local, &st->locallen) != 0)
		return errno;
	st->family = st->local.ss_family;
	st->bound = local_is_set(st);
	if (st->family != AF_INET && st->family != AF_INET6)
		return 0;

	len = sizeof(ti);
	/* Only TCP (and MPTCP, driven alike) answers TCP_INFO. */
	if (getsockopt(st->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0) {
		st->type = SOCK_STREAM;
		st->protocol = IPPROTO_TCP;
		st->tp = &transport_tcp;
		tcp_state(st, &ti, len);
		return 0;
	}
	if ((err = getint(st->fd, SOL_SOCKET, SO_TYPE, &st->type)) != 0 ||
	    (err = getint(st->fd, SOL_SOCKET, SO_PROTOCOL, &st->protocol)) != 0)
		return err;
	/*
	 * Kernel SCTP: the kernel applies its own state rules to the connect;
	 * a one-to-one socket's peer says whether disconnectx has work.
	 */
	if (st->protocol == IPPROTO_SCTP &&
	    (st->type == SOCK_STREAM || st->type == SOCK_SEQPACKET)) {
		st->tp = &transport_sctp;
		st->peerlen = sizeof(st->peer);
		st->connected = st->type == SOCK_STREAM &&
		    getpeername(st->fd, (struct sockaddr *)&st->peer,
		    &st->peerlen) == 0;
		return 0;
	}
	if (st->type == SOCK_DGRAM &&
	    (st->protocol == IPPROTO_UDP || st->protocol == IPPROTO_UDPLITE)) {
		st->tp = &transport_udp;
		st->peerlen = sizeof(st->peer);
		st->connected = getpeername(st->fd, (struct sockaddr *)&st->peer,
		    &st->peerlen) == 0;
	}
	return 0;
}
