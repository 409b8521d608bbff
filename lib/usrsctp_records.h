/*
 * The records of usrsctp sockets: what cx_usrsctp_connectx(3) made on each
 * socket, read back by the cx_usrsctp_ queries.  A usrsctp socket has no
 * descriptor and no close hook the library could use, so its record is
 * keyed by the struct socket's address (never dereferenced here) and
 * stamped with the socket's local port: a record whose stamp no longer
 * matches was left by a closed socket whose memory now holds another, and
 * is dropped on sight.  Its own shards and locks.
 *
 * Include after <usrsctp.h>: sctp_assoc_t is usrsctp's.
 */
#ifndef CX_USRSCTP_RECORDS_H
#define CX_USRSCTP_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "addrlist.h"
#include "usrsctp_failover.h"

/* One association made by cx_usrsctp_connectx on the socket. */
struct usassoc {
	sctp_assoc_t	 id;
	bool		 up;		/* seen established; peers, winner read */
	struct destlist	 dests;		/* the list as given */
	int		 winner;	/* index in dests of the primary, or -1 */
	struct destlist	 peers;		/* peer addresses the association kept */
	bool		 plan_due;	/* the failover plan waits for it to be up */
	struct fo_plan	 plan;
	struct usassoc	*next;		/* older ones */
};

struct usrec {
	const void	*key;
	uint32_t	 stamp;		/* the socket's local port when recorded */
	struct usassoc	*assocs;	/* newest first */
	struct usrec	*next;
};

/*
 * The record of so with its shard locked; created when create is set, else
 * NULL when there is none or it was left by an earlier socket at the same
 * address (then it is dropped).  Unlock with usrec_unlock(so) whatever it
 * returned.
 */
struct usrec	*usrec_lock(struct socket *so, bool create);
void		 usrec_unlock(struct socket *so);

/* The association id of rec (0: the newest), or NULL. */
struct usassoc	*usrec_find(struct usrec *rec, sctp_assoc_t id);

/* A fresh entry for id (an older one of that ID replaced), or NULL (ENOMEM). */
struct usassoc	*usrec_add(struct usrec *rec, sctp_assoc_t id);

/* Drop the entry of id; the record goes with its last entry. */
void		 usrec_remove(struct socket *so, sctp_assoc_t id);

/*
 * Complete a from the association: once it is established, the peer
 * addresses it kept and the index of its primary path in the list.  0 (up),
 * EINPROGRESS (still being set up), ENOTCONN (it never came up and is gone)
 * or ENOMEM.
 */
int		 usassoc_refresh(struct socket *so, struct usassoc *a);

#endif /* !CX_USRSCTP_RECORDS_H */
