/*
 * cx_dial()'s list from a resolved name: RFC 8305 §4's order and the
 * packing for one socket, kept apart from the resolving so that tests can
 * run them on a fixed list.
 */
#ifndef CX_DIAL_H
#define CX_DIAL_H

#include <stddef.h>
#include <netdb.h>
#include <sys/socket.h>

/*
 * getaddrinfo's order (RFC 6724) with the families interleaved, the first
 * family's count being 1: the first address, then one of the other family,
 * then the first family's next, and so on; what is left of the longer
 * family follows in order.  Entries that are neither AF_INET nor AF_INET6
 * are left out.  out has room for every entry of list; returns how many
 * were placed.
 */
size_t	dial_order(const struct addrinfo *list,
	    const struct addrinfo **out);

/*
 * The family of the socket an ordered list runs on: the entries' own, or
 * AF_INET6 when both families are there.
 */
int	dial_family(const struct addrinfo *const *v, size_t n);

/*
 * The ordered entries packed one after another, as connectx(2) takes a
 * list, for a socket of family: on AF_INET6, IPv4 entries are written
 * IPv4-mapped; on AF_INET, IPv6 entries are left out.  The buffer is
 * malloc'd (NULL when out of memory); *len is its length.
 */
void	*dial_pack(const struct addrinfo *const *v, size_t n, int family,
	    socklen_t *len);

#endif /* !CX_DIAL_H */
