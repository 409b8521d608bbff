/*
 * Decoding packed destination lists.  Entries are read with memcpy: the
 * caller's list need not be aligned.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "addrlist.h"

socklen_t
addr_size(int family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	default:
		return 0;
	}
}

static sa_family_t
family_at(const unsigned char *p)
{
	sa_family_t family;

	memcpy(&family, p + offsetof(struct sockaddr, sa_family), sizeof(family));
	return family;
}

static int
alloc_list(size_t n, struct destlist *out)
{
	out->v = calloc(n, sizeof(*out->v));
	out->n = n;
	return out->v == NULL ? ENOMEM : 0;
}

static void
fill(struct destlist *out, const unsigned char *p)
{
	size_t i;

	for (i = 0; i < out->n; i++) {
		out->v[i].len = addr_size(family_at(p));
		memcpy(&out->v[i].ss, p, out->v[i].len);
		p += out->v[i].len;
	}
}

int
addrlist_split_len(const void *buf, size_t len, struct destlist *out)
{
	const unsigned char *p = buf;
	size_t off, n = 0;
	socklen_t sz;

	if (len < sizeof(sa_family_t) + sizeof(in_port_t))
		return EINVAL;
	/* A lone address of a family we do not pack is kept whole. */
	sz = addr_size(family_at(p));
	if (sz == 0) {
		if (len > sizeof(struct sockaddr_storage))
			return EINVAL;
		if (alloc_list(1, out) != 0)
			return ENOMEM;
		memcpy(&out->v[0].ss, p, len);
		out->v[0].len = (socklen_t)len;
		return 0;
	}
	for (off = 0; off < len; off += sz, n++) {
		if (len - off < sizeof(sa_family_t))
			return EINVAL;
		sz = addr_size(family_at(p + off));
		if (sz == 0 || len - off < sz)
			return EINVAL;
	}
	if (alloc_list(n, out) != 0)
		return ENOMEM;
	fill(out, p);
	return 0;
}

int
addrlist_split_count(const void *buf, int cnt, struct destlist *out)
{
	const unsigned char *p = buf;
	size_t off = 0;
	socklen_t sz;
	int i;

	/* Every entry is at least a sockaddr_in: reject early, never overflow. */
	if ((size_t)cnt > ADDRLIST_MAX_BYTES / sizeof(struct sockaddr_in))
		return E2BIG;
	for (i = 0; i < cnt; i++) {
		sz = addr_size(family_at(p + off));
		if (sz == 0)
			return EINVAL;
		off += sz;
		if (off > ADDRLIST_MAX_BYTES)
			return E2BIG;
	}
	if (alloc_list((size_t)cnt, out) != 0)
		return ENOMEM;
	fill(out, p);
	return 0;
}

int
addrlist_copy(const struct destlist *from, struct destlist *to)
{
	if (alloc_list(from->n, to) != 0)
		return ENOMEM;
	memcpy(to->v, from->v, from->n * sizeof(*from->v));
	return 0;
}

void
addrlist_free(struct destlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
addr_map_v4(struct dest *d)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (d->ss.ss_family != AF_INET)
		return;
	memcpy(&sin, &d->ss, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = sin.sin_port;
	sin6.sin6_addr.s6_addr[10] = 0xff;
	sin6.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&sin6.sin6_addr.s6_addr[12], &sin.sin_addr, 4);
	memset(&d->ss, 0, sizeof(d->ss));
	memcpy(&d->ss, &sin6, sizeof(sin6));
	d->len = sizeof(sin6);
}

bool
addr_is_v4mapped(const struct dest *d)
{
	return d->ss.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(
	    &((const struct sockaddr_in6 *)(const void *)&d->ss)->sin6_addr);
}

void
addr_unmap_v4(struct dest *d)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;

	if (!addr_is_v4mapped(d))
		return;
	memcpy(&sin6, &d->ss, sizeof(sin6));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = sin6.sin6_port;
	memcpy(&sin.sin_addr, &sin6.sin6_addr.s6_addr[12], 4);
	memset(&d->ss, 0, sizeof(d->ss));
	memcpy(&d->ss, &sin, sizeof(sin));
	d->len = sizeof(sin);
}

int
addr_family(const struct dest *d)
{
	return d->ss.ss_family;
}

uint16_t
addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	return 0;
}

/*
 * The IPv4 address of an AF_INET or IPv4-mapped AF_INET6 sockaddr, in host
 * order, and whether there was one.
 */
static bool
v4_of(const struct sockaddr *sa, uint32_t *a)
{
	const struct in6_addr *a6;

	if (sa->sa_family == AF_INET) {
		*a = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);
		return true;
	}
	a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (sa->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(a6)) {
		memcpy(a, &a6->s6_addr[12], 4);
		*a = ntohl(*a);
		return true;
	}
	return false;
}

bool
addr_is_unspecified(const struct sockaddr *sa)
{
	uint32_t a;

	if (v4_of(sa, &a))
		return a == INADDR_ANY;
	return sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
}

bool
addr_is_multicast(const struct sockaddr *sa)
{
	uint32_t a;

	if (v4_of(sa, &a))
		return IN_MULTICAST(a);
	return sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_MULTICAST(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
}

/*
 * Only the limited broadcast address is known here; a subnet-directed
 * broadcast is refused by the kernel at connect time (ENETUNREACH).
 */
bool
addr_is_broadcast(const struct sockaddr *sa)
{
	uint32_t a;

	return v4_of(sa, &a) && a == INADDR_BROADCAST;
}

int
addrlist_check_usable(const struct destlist *dests)
{
	const struct sockaddr *sa, *first;
	size_t i;

	if (dests->n == 0)
		return EINVAL;
	first = (const struct sockaddr *)&dests->v[0].ss;
	for (i = 0; i < dests->n; i++) {
		sa = (const struct sockaddr *)&dests->v[i].ss;
		if (addr_is_unspecified(sa) || addr_is_multicast(sa) ||
		    addr_is_broadcast(sa) || addr_port(sa) == 0 ||
		    addr_port(sa) != addr_port(first))
			return EINVAL;
	}
	return 0;
}

int
addrlist_index_of(const struct destlist *dests, const struct sockaddr *sa)
{
	const struct sockaddr *d;
	const struct sockaddr_in6 *a6, *d6;
	uint32_t a4, d4;
	size_t i;

	for (i = 0; i < dests->n; i++) {
		d = (const struct sockaddr *)&dests->v[i].ss;
		if (addr_port(d) != addr_port(sa))
			continue;
		if (v4_of(sa, &a4)) {
			if (v4_of(d, &d4) && a4 == d4)
				return (int)i;
			continue;
		}
		if (sa->sa_family != AF_INET6 || d->sa_family != AF_INET6)
			continue;
		a6 = (const struct sockaddr_in6 *)(const void *)sa;
		d6 = (const struct sockaddr_in6 *)(const void *)d;
		if (memcmp(&a6->sin6_addr, &d6->sin6_addr, sizeof(a6->sin6_addr)) == 0)
			return (int)i;
	}
	return -1;
}
