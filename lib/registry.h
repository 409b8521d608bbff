/*
 * The association registry: what the library knows of each socket it has
 * touched.  A record is found by descriptor number and belongs to the socket
 * whose cookie it carries; a record left by a closed socket whose number was
 * reused is dropped on first sight.  Records are spread over shards, each
 * with its own lock, so that calls on different sockets do not wait on one
 * another.
 */
#ifndef CX_REGISTRY_H
#define CX_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "connectx.h"
#include "addrlist.h"
#include "policy.h"
#include "sockclone.h"

struct transport;

struct assoc {
	cx_sctp_assoc_t		 id;		/* 0: no association */
	struct destlist		 dests;		/* the list as the engine ran it */
	int			 winner;	/* index in dests, or -1 */
	struct cx_attempt	*attempts;
	size_t			 nattempts;
	/*
	 * Set while the protocol completes the association on its own
	 * (kernel SCTP, begun on a non-blocking socket): the record is
	 * brought up to date from the socket when asked
	 * (engine_whole_list_update).
	 */
	const struct transport	*completes;
};

struct observer {
	cx_observer_t	 fn;
	void		*arg;
};

/*
 * What a socket keeps between calls (the engine's non-blocking run, for
 * cx_step): opaque here, freed by its own destructor when the record is
 * dropped or found to belong to a closed socket.
 */
struct parked {
	void	 *obj;
	void	(*drop)(void *);
};

struct sockrec {
	uint64_t	 cookie;
	bool		 has_policy;
	struct policy	 policy;
	struct observer	 observer;
	struct assoc	 assoc;
	bool		 tcp_done;	/* disconnectx'd: never connects again */
	struct parked	 parked;	/* a non-blocking connect under way */
	/*
	 * A call works on the socket's run (a connectx, or cx_step with the
	 * parked run in hand): no other may start or step one meanwhile, and
	 * disconnectx asks it to stop with cancel (HACKING.md, Verdicts).
	 */
	bool		 busy;
	bool		 cancel;
	/*
	 * busy with a parked run taken out by cx_step: the run, and its ID
	 * (assoc.id, set when it was parked), are still under way.
	 */
	bool		 stepping;
	/* Left in IPv4-mapped mode by a run: what it was before. */
	struct sockclone_before	 before_mapped;
};

/*
 * The record of the socket fd whose cookie is given, with its shard locked;
 * created when create is set, else NULL when there is none.  Unlock with
 * registry_unlock(fd) whatever it returned.
 */
struct sockrec	*registry_lock(int fd, uint64_t cookie, bool create);
void		 registry_unlock(int fd);
/*
 * registry_lock(fd, cookie, false) where cookie was just read from fd
 * (a call on the socket fd names now): a closed socket's record found
 * there has its parked run freed.
 */
struct sockrec	*registry_lock_seen(int fd, uint64_t cookie);

/*
 * Mark the socket's record busy for a run about to start: 0, EALREADY when
 * a call already works on a run of this socket or one is parked, or ENOMEM.
 * *mapped: set when an earlier run left the socket in IPv4-mapped mode.  The run
 * clears busy when it parks or commits.
 */
int		 registry_claim(int fd, uint64_t cookie,
		    struct sockclone_before *mapped);

/*
 * The record's parked object (its shard locked): park one where none is;
 * claim takes it out (the caller owns it then; NULL when none); peek
 * leaves it in place; drop frees it with its destructor.
 */
void		 registry_park(struct sockrec *, void *obj, void (*drop)(void *));
void		*registry_claim_parked(struct sockrec *);
void		*registry_peek_parked(const struct sockrec *);
void		 registry_drop_parked(struct sockrec *);

/*
 * A new run was parked (outside any lock): now and then, the parked runs
 * of sockets closed since are freed (HACKING.md, Verdicts).
 */
void		 registry_parked(void);

/* disconnectx asked the call working on the socket's run to stop. */
bool		 registry_cancelled(int fd, uint64_t cookie);

/*
 * The socket behind fd was replaced by another (the engine's winning
 * clone): its record, policy included, now belongs to the new socket.
 */
void		 registry_rekey(int fd, uint64_t old_cookie, uint64_t new_cookie);

/* A new association ID: positive, never reused in this process; 0 when spent. */
cx_sctp_assoc_t	 registry_new_id(void);

/* The ID of the association established or under way, or 0. */
cx_sctp_assoc_t	 registry_current_id(const struct sockrec *);

/* Drop the association a record holds. */
void		 assoc_clear(struct assoc *);

/* What a front-end reads of a socket's record, in one lookup. */
struct sockview {
	bool		done;		/* dissolved by disconnectx */
	bool		running;	/* a run is parked or a call works on one */
	bool		associated;	/* an association was established (TCP:
					 * for good, even if it has since died,
					 * as a deferred RESUME connect may) */
	struct policy	policy;		/* its own, or the process defaults */
	struct observer	observer;
};

void		 registry_view(int fd, uint64_t cookie, struct sockview *);

/* The policy a socket runs under: its own, or the process defaults. */
void		 registry_policy(int fd, uint64_t cookie, struct policy *);

#endif /* !CX_REGISTRY_H */
