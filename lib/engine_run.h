/*
 * One run of the engine over a destination list: its attempts in flight,
 * its report (one line per destination started), and how it ends in the
 * socket's record (committed, or parked for cx_step).  Shared by the
 * engine's files (HACKING.md, "Data flow of one call"); nothing outside
 * the engine sees a run.
 */
#ifndef CX_ENGINE_RUN_H
#define CX_ENGINE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "connectx.h"
#include "addrlist.h"
#include "policy.h"
#include "registry.h"
#include "sockclone.h"

struct sockstate;
struct transport;

#define RUN_MAX_LIVE	16	/* policy.c caps max_parallel at this */

/* An attempt in flight: the socket it runs on and its line in the report. */
struct live {
	int	fd;
	size_t	at;
	short	revents;
	bool	quiet;		/* ready, yet not done: not polled for a moment */
	size_t	taken;		/* bytes of r->syn its first flight took */
};
/* CLONES_UNLEARNT: allowed, the recipe not learnt yet (run_learn_clones). */
enum clone_mode { CLONES_NO, CLONES_UNLEARNT, CLONES_OK };

struct run {
	int			 fd;		/* the user's descriptor */
	uint64_t		 cookie;	/* of the socket it names */
	const struct transport	*tp;
	int			 protocol;	/* the history's key */
	struct destlist		 dests;
	struct policy		 policy;
	struct observer		 observer;
	cx_sctp_assoc_t		 id;
	struct cx_attempt	*report;	/* one per destination started */
	size_t			 nreport;
	size_t			 next;		/* next destination to start */
	struct live		 live[RUN_MAX_LIVE];
	int			 nlive;		/* oldest first */
	bool			 user_busy;	/* an attempt runs on r->fd */
	enum clone_mode		 clones;
	struct sockclone_recipe	*recipe;
	int			 user_flags;	/* F_GETFL before the run */
	bool			 user_mapped;	/* r->fd ran an IPv4-mapped attempt */
	bool			 maybe_mapped;	/* ... or may have: a connect ran on it */
	struct sockclone_before	 before;	/* r->fd before its first one */
	struct sockclone_early	 early;		/* r->fd before the run's connect */
	bool			 has_deadline;
	struct timespec		 deadline;	/* of the whole run */
	struct timespec		 last_start;
	size_t			 outlasted;	/* report lines [0, outlasted) were
						 * silent when the delay timed a
						 * start: silent for D */
	bool			 move_on;	/* an attempt failed: start the next now */
	bool			 nonblocking;	/* the user's socket is: clones only */
	bool			 toggled;	/* the engine set O_NONBLOCK on it */
	bool			 handed_back;	/* parked once, or an observer ran:
						   the application may have changed
						   the descriptor's file status
						   flags since */
	bool			 watched;	/* ... once the loop watches cx_fds() */
	bool			 recalled;	/* the last one started is remembered
						 * as silent: start the next now */
	bool			 interrupted;
	bool			 cancelled;	/* disconnectx from another thread */
	bool			 gone;		/* r->fd no longer names the socket */
	/*
	 * r->fd was looked at and nothing was done on it since (the
	 * front-end's checks, for a lone destination the kernel waits for):
	 * the next look is that one (HACKING.md, "One system call").
	 */
	bool			 looked;
	bool			 completes;	/* the protocol finishes the run
						 * on its own (kernel SCTP) */
	int			 error;		/* best failure so far, or 0 */
	int			 winner;	/* index in dests, or -1 */
	/*
	 * Fast open: the data each attempt puts in its first flight, copied
	 * (the caller's buffers do not outlive a non-blocking call).  Once a
	 * non-blocking call has reported *len, syn holds exactly those bytes,
	 * which whichever attempt wins must deliver.
	 */
	unsigned char		*syn;
	size_t			 synlen;
	bool			 fastopen;	/* deferred: with TCP_FASTOPEN_CONNECT */
	bool			 no_cookie;
	size_t			 winner_taken;	/* of syn, in the winner's first flight */
	size_t			 owed_sent;	/* of the rest, delivered by cx_step */
};

/* Free a run; the user's socket is not touched, clones are closed. */
void	run_free(struct run *r);

/* Order of "how far an attempt got" for the all-failed errno. */
int	run_better_error(int best, int err);

/*
 * Whether the user's descriptor still names the run's socket: looked at
 * (its cookie) right before every action on that number, since another
 * thread may close it or dup2(2) something else onto it meanwhile
 * (HACKING.md, Verdicts, "A socket closed under a run").  Once not, never
 * again: the run leaves the number alone.
 */
bool	run_user_fd_ours(struct run *r);

/*
 * The same, its cookie read whatever r->looked says: before what must
 * reach the run's own socket only (data, a disconnect), which the
 * confirm's look after a start cannot promise (HACKING.md, "One system
 * call").
 */
bool	run_user_fd_asked(struct run *r);

/* Let go of the socket an attempt ran on. */
void	run_release(struct run *r, int fd);

/*
 * Tell the socket's observer of attempt at, as it starts or ends.  The
 * observer may close the descriptor (another thread may too, but the
 * observer runs inside the call): the run then leaves that number alone.
 */
void	run_notify(struct run *r, size_t at);

/*
 * disconnectx from another thread (or from the observer) asked the run to
 * stop: it starts nothing more and fails with ECONNABORTED.
 */
bool	run_cancelled(struct run *r);

/* Report line a names destination i of dests. */
void	run_report_name(struct cx_attempt *a, const struct destlist *dests, int i);
/* Report line at: destination i, started now, in progress. */
struct cx_attempt *run_report_begin(struct run *r, size_t at, int i);
/* Attempt at ended with err: its report line, the history, the observer. */
void	run_end_report(struct run *r, size_t at, int err);

/* Take attempt i out of the ones in flight. */
struct live	run_take_live(struct run *r, int i);

/* End every attempt in flight with err (ECANCELED, ETIMEDOUT, EINTR). */
void	run_end_all(struct run *r, int err);

/*
 * Record the run's outcome as the socket's association; the run is freed.
 * A failed run on a socket still associated from before (UDP) leaves that
 * association's record as it is: it is what the socket still has.  Returns
 * err, or ECONNABORTED when the run was abandoned meanwhile (settle): a
 * connection it made then is ended too, never reported.
 */
int	run_commit(struct run *r, int err, bool was_associated, bool verify);

/*
 * Park a non-blocking socket's run for cx_step(): 0, or ECONNABORTED when
 * the run was abandoned meanwhile (settle); it is then ended and freed.
 */
int	run_park(struct run *r, bool verify);

/* A run that ends before its first attempt: the record is left as it was. */
int	run_unclaim(struct run *r, int err);

#endif /* !CX_ENGINE_RUN_H */
