/*
 * Source binding.  Whether an address is this host's, and whether it is
 * free, is asked of the kernel by binding a throw-away socket of the same
 * kind (same reuse options): it knows about 127.0.0.0/8 and non-local
 * binding, which a walk over getifaddrs(3) would not.
 */
#include <config.h>

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "addrlist.h"
#include "sockopts.h"
#include "sockstate.h"
#include "srcbind.h"

static bool
same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)(const void *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr, 16) == 0;
}

/* a within the prefix of ifa (on a loopback interface, all of 127/8 is its). */
static bool
in_prefix(const struct sockaddr *a, const struct ifaddrs *ifa)
{
	const unsigned char *x, *y, *m;
	size_t i, n;

	if (ifa->ifa_netmask == NULL)
		return false;
	if (a->sa_family == AF_INET) {
		x = (const void *)&((const struct sockaddr_in *)(const void *)a)->sin_addr;
		y = (const void *)&((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr;
		m = (const void *)&((const struct sockaddr_in *)(const void *)ifa->ifa_netmask)->sin_addr;
		n = 4;
	} else {
		x = (const void *)&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr;
		y = (const void *)&((const struct sockaddr_in6 *)(const void *)ifa->ifa_addr)->sin6_addr;
		m = (const void *)&((const struct sockaddr_in6 *)(const void *)ifa->ifa_netmask)->sin6_addr;
		n = 16;
	}
	for (i = 0; i < n; i++)
		if ((x[i] & m[i]) != (y[i] & m[i]))
			return false;
	return true;
}

/* src is an address of the interface named ifname. */
static bool
on_interface(const char *ifname, const struct sockaddr *src)
{
	struct ifaddrs *list, *ifa;
	bool found = false;

	if (getifaddrs(&list) != 0)
		return false;
	for (ifa = list; ifa != NULL && !found; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL || strcmp(ifa->ifa_name, ifname) != 0 ||
		    ifa->ifa_addr->sa_family != src->sa_family)
			continue;
		found = same_addr(src, ifa->ifa_addr) ||
		    ((ifa->ifa_flags & IFF_LOOPBACK) && in_prefix(src, ifa));
	}
	freeifaddrs(list);
	return found;
}

/* The options that decide whether bind(2) accepts an address. */
static void
copy_bind_options(int from, int to)
{
	static const struct { int level, name; } opts[] = {
		{ SOL_SOCKET, SO_REUSEADDR }, { SOL_SOCKET, SO_REUSEPORT },
		{ IPPROTO_IP, IP_FREEBIND }, { IPPROTO_IP, IP_TRANSPARENT },
		{ IPPROTO_IPV6, IPV6_V6ONLY }, { IPPROTO_IPV6, IPV6_FREEBIND },
		{ IPPROTO_IPV6, IPV6_TRANSPARENT },
	};
	socklen_t len;
	size_t i;
	int v;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		len = sizeof(v);
		if (getsockopt(from, opts[i].level, opts[i].name, &v, &len) == 0 && v)
			setsockopt(to, opts[i].level, opts[i].name, &v, sizeof(v));
	}
}

/* Bind a throw-away socket like st's to src: 0 or bind(2)'s errno. */
static int
probe_bind(const struct sockstate *st, const struct sockaddr *src, socklen_t len)
{
	int fd, err = 0;

	/* Out of descriptors: nothing to ask; the bind itself will answer. */
	if ((fd = socket(st->family, st->type | SOCK_CLOEXEC, st->protocol)) == -1)
		return errno == EMFILE || errno == ENFILE ? 0 : errno;
	copy_bind_options(st->fd, fd);
	if (bind(fd, src, len) != 0)
		err = errno;
	close(fd);
	return err;
}

int
srcbind_check(const struct sockstate *st, unsigned int srcif,
    const struct sockaddr *src, socklen_t srclen)
{
	char ifname[IF_NAMESIZE];

	if (srcif != 0 && if_indextoname(srcif, ifname) == NULL)
		return ENXIO;
	if (src == NULL)
		return 0;
	if (srcif != 0 && !on_interface(ifname, src))
		return EADDRNOTAVAIL;
	/* Any refusal (EADDRNOTAVAIL, EADDRINUSE, EACCES...) is decided here. */
	return probe_bind(st, src, srclen);
}

/*
 * IP_BIND_ADDRESS_NO_PORT for a bind to port 0: the port is chosen by
 * connect(2), not bind(2), so the socket still shows port 0 and the engine
 * may run parallel attempts on clones bound the same way (connectx(2),
 * "Parallel attempts").  Returns whether the option was turned on here, to
 * be turned off again after the bind: the socket reads back as before.
 */
bool
srcbind_defer_port(int fd, const struct sockaddr *src)
{
	int on = 1, was = 0;
	socklen_t len = sizeof(was);

	if (addr_port(src) != 0 ||
	    getsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &was, &len) != 0 ||
	    was)
		return false;
	return setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on,
	    sizeof(on)) == 0;
}

void
srcbind_defer_port_end(int fd, bool turned_on)
{
	int off = 0;

	if (turned_on)
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &off, sizeof(off));
}

int
srcbind_apply(int fd, unsigned int srcif, const struct sockaddr *src,
    socklen_t srclen, bool defer_port)
{
	int idx = (int)srcif, err;
	bool no_port = false;

	if (srcif != 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &idx, sizeof(idx)) != 0)
		return errno;
	if (src != NULL && defer_port)
		no_port = srcbind_defer_port(fd, src);
	err = src != NULL && bind(fd, src, srclen) != 0 ? errno : 0;
	srcbind_defer_port_end(fd, no_port);
	if (err != 0) {
		/* Undo the interface binding (refused without privilege on Linux >= 5.7). */
		if (srcif != 0) {
			idx = 0;
			setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &idx, sizeof(idx));
		}
		return err;
	}
	return 0;
}
