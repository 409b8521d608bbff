/*
 * What the usrsctp transport and its queries share: the records of usrsctp
 * sockets in the registry (keyed by the struct socket's address), checked
 * against the socket before use, and completed once the association is up.
 * Include before "connectx.h": usrsctp's sctp_assoc_t is the one in force.
 */
#ifndef CX_TRANSPORT_USRSCTP_H
#define CX_TRANSPORT_USRSCTP_H

#include <usrsctp.h>

#include "connectx.h"
#include "registry.h"

/* The socket's local port, which stamps its record; 0 when unbound. */
uint32_t	 us_stamp(struct socket *so);

/*
 * The record of so with its shard locked, or NULL (lock held too) when
 * there is none or it was left by an earlier socket at the same address
 * (stamp differs: then it is dropped).  Unlock with registry_unlock_ptr(so).
 */
struct ptrrec	*us_lock_rec(struct socket *so);

/*
 * Complete rec from the association: once it is established, the peer
 * addresses it kept and the index of its primary path in the list.  0 (up),
 * EINPROGRESS (still being set up), ENOTCONN (it never came up and is gone)
 * or ENOMEM.
 */
int		 us_refresh(struct socket *so, struct ptrrec *rec);

#endif /* !CX_TRANSPORT_USRSCTP_H */
