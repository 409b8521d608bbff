/*
 * The endpoint-list engine: one connect over a validated list of
 * destinations, for every front-end and every transport.
 *
 *   front-end --(engine_request)--> engine_connect --> transport ops
 *                                        |
 *                                        +--> registry (association record)
 *
 * A run is a state machine (engine_stagger.c) that never blocks; a
 * blocking socket's run is that machine driven by poll(2), a non-blocking
 * socket's run is parked in the registry and driven by cx_step()
 * (engine_step.h).
 */
#ifndef CX_ENGINE_H
#define CX_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "connectx.h"
#include "addrlist.h"
#include "policy.h"
#include "registry.h"
#include "sockstate.h"

struct engine_request {
	const struct sockstate	*st;		/* the user's socket, inspected */
	struct destlist		 dests;		/* taken over by the engine */
	const struct iovec	*iov;		/* data once connected, or NULL */
	int			 iovcnt;
	struct policy		 policy;
	struct observer		 observer;	/* told of each attempt */
	bool			 want_id;	/* the caller reads the ID (sctp_connectx) */
	bool			 fastopen;	/* iov rides the first flight where allowed */
	bool			 no_cookie;	/* ... even without a fast open cookie */
	bool			 defer;		/* no data: connect by the first write */
};

struct engine_result {
	int		 error;		/* 0, EINPROGRESS or the final errno */
	size_t		 sent;		/* bytes of iov the kernel accepted */
	cx_sctp_assoc_t	 id;		/* the association's ID */
	int		 winner;	/* index of the address that won, or -1 */
	bool		 recheck;	/* connect(2) refused the family the
					 * front-end assumed (st->family_assumed):
					 * nothing was recorded; check in full */
};

/* Run the list on the socket; returns res->error. */
int	engine_connect(struct engine_request *, struct engine_result *);

#endif /* !CX_ENGINE_H */
