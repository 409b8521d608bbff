/*
 * The destination list: decoding a packed list of sockaddrs (each sized by
 * its family, as sctp_connectx packs them) and the per-address facts the
 * front-ends' checks need.  No I/O here.
 */
#ifndef CX_ADDRLIST_H
#define CX_ADDRLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Largest packed list sctp_connectx accepts (sctp_connectx(3), E2BIG). */
#define ADDRLIST_MAX_BYTES	65536

struct dest {
	struct sockaddr_storage	ss;
	socklen_t		len;
};

struct destlist {
	struct dest	*v;
	size_t		 n;
};

/* sizeof the sockaddr of an AF_INET/AF_INET6 family; 0 for any other. */
socklen_t	addr_size(int family);

/*
 * connectx: split len bytes at buf.  One address of another family is kept
 * whole (its family is the caller's to refuse); otherwise every entry must
 * be a whole AF_INET or AF_INET6 address.  0, EINVAL or ENOMEM.
 */
int	addrlist_split_len(const void *buf, size_t len, struct destlist *out);

/*
 * sctp_connectx: split cnt entries at buf.  0, E2BIG (over
 * ADDRLIST_MAX_BYTES, or cnt overflows the size), EINVAL (a family other
 * than AF_INET/AF_INET6) or ENOMEM.
 */
int	addrlist_split_count(const void *buf, int cnt, struct destlist *out);

int	addrlist_copy(const struct destlist *from, struct destlist *to);
void	addrlist_free(struct destlist *);

/* Rewrite an AF_INET entry as the IPv4-mapped AF_INET6 one, and back. */
void	addr_map_v4(struct dest *);
void	addr_unmap_v4(struct dest *);
bool	addr_is_v4mapped(const struct dest *);
/*
 * The index in dests of the destination sa names (address and port; an
 * IPv4 address and its IPv4-mapped form are one), or -1.
 */
int	addrlist_index_of(const struct destlist *, const struct sockaddr *);

int	addr_family(const struct dest *);
uint16_t addr_port(const struct sockaddr *);
bool	addr_is_unspecified(const struct sockaddr *);
bool	addr_is_multicast(const struct sockaddr *);
bool	addr_is_broadcast(const struct sockaddr *);

/*
 * sctp_connectx(3) ERRORS, EINVAL (addresses): every address of the list
 * usable (not unspecified, multicast or broadcast, port not 0) and one
 * port for all.  0 or EINVAL.  Shared by sctp_connectx and
 * cx_usrsctp_connectx.
 */
int	addrlist_check_usable(const struct destlist *);

#endif /* !CX_ADDRLIST_H */
