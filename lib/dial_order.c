/*
 * A resolved name's addresses as cx_dial runs them: RFC 8305 §4's
 * interleaving, then packed for connectx(2).  No I/O here.
 */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "dial.h"

static bool
usable(const struct addrinfo *ai)
{
	return ai->ai_family == AF_INET || ai->ai_family == AF_INET6;
}

/* The first usable entry at or after ai whose family is (or is not) fam. */
static const struct addrinfo *
next_of(const struct addrinfo *ai, int fam, bool same)
{
	for (; ai != NULL; ai = ai->ai_next)
		if (usable(ai) && (ai->ai_family == fam) == same)
			return ai;
	return NULL;
}

size_t
dial_order(const struct addrinfo *list, const struct addrinfo **out)
{
	const struct addrinfo *first, *other;
	size_t n = 0;
	bool turn_first = true;
	int fam;

	if ((first = next_of(list, AF_UNSPEC, false)) == NULL)
		return 0;
	fam = first->ai_family;
	other = next_of(list, fam, false);
	while (first != NULL || other != NULL) {
		if (other == NULL || (turn_first && first != NULL)) {
			out[n++] = first;
			first = next_of(first->ai_next, fam, true);
		} else {
			out[n++] = other;
			other = next_of(other->ai_next, fam, false);
		}
		turn_first = !turn_first;
	}
	return n;
}

int
dial_family(const struct addrinfo *const *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i]->ai_family != v[0]->ai_family)
			return AF_INET6;
	return n > 0 ? v[0]->ai_family : AF_UNSPEC;
}

/* The IPv4-mapped IPv6 form of an IPv4 address (RFC 4291 §2.5.5.2). */
static void
map_v4(const struct sockaddr_in *sin, struct sockaddr_in6 *six)
{
	memset(six, 0, sizeof(*six));
	six->sin6_family = AF_INET6;
	six->sin6_port = sin->sin_port;
	six->sin6_addr.s6_addr[10] = 0xff;
	six->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&six->sin6_addr.s6_addr[12], &sin->sin_addr, 4);
}

void *
dial_pack(const struct addrinfo *const *v, size_t n, int family,
    socklen_t *len)
{
	struct sockaddr_in6 mapped;
	unsigned char *buf;
	size_t i, at = 0;

	*len = 0;
	if ((buf = malloc(n > 0 ? n * sizeof(mapped) : 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (v[i]->ai_family == family) {
			memcpy(buf + at, v[i]->ai_addr, v[i]->ai_addrlen);
			at += v[i]->ai_addrlen;
		} else if (family == AF_INET6 && v[i]->ai_family == AF_INET) {
			map_v4((const struct sockaddr_in *)(const void *)
			    v[i]->ai_addr, &mapped);
			memcpy(buf + at, &mapped, sizeof(mapped));
			at += sizeof(mapped);
		}
	}
	*len = (socklen_t)at;
	return buf;
}
