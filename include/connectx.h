/*
 * libconnectx: SCTP-style multi-address connects for every socket.
 *
 * connectx(2) and disconnectx(2) as Darwin has them, sctp_connectx(3) as the
 * SCTP sockets API has it, and the cx_ calls that steer and report on the
 * one endpoint-list engine under both.  See connectx(2), sctp_connectx(3)
 * and libconnectx(3).
 */
#ifndef CONNECTX_H
#define CONNECTX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <connectx/darwin.h>
#include <connectx/sctp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Darwin's calls. */
int	connectx(int, const sa_endpoints_t *, sae_associd_t, unsigned int,
	    const struct iovec *, unsigned int, size_t *, sae_connid_t *);
int	disconnectx(int, sae_associd_t, sae_connid_t);

/* The SCTP sockets API's call; a drop-in for lksctp-tools' libsctp. */
int	sctp_connectx(int, struct sockaddr *, int, cx_sctp_assoc_t *);

/*
 * Policy of the engine, per socket (cx_setopt) or for the process
 * (cx_setdefault).  Values are in milliseconds, but CX_OPT_MAX_PARALLEL and
 * CX_OPT_HISTORY.
 */
#define CX_OPT_ATTEMPT_DELAY_MS		1	/* 10 .. 2000; default 250 */
#define CX_OPT_ATTEMPT_TIMEOUT_MS	2	/* 0 (none) or 10 .. 600000 */
#define CX_OPT_TOTAL_TIMEOUT_MS		3	/* 0 (kernel's) or 10 .. 3600000 */
#define CX_OPT_MAX_PARALLEL		4	/* 1 .. 16; default 4 */
#define CX_OPT_FAILOVER_MS		5	/* 10 .. 2000; default: the attempt delay */
#define CX_OPT_HISTORY			6	/* 0 (off) or 1; default 1 */
#define CX_OPT_HISTORY_MS		7	/* 10 .. 86400000; default 600000 */

int	cx_setopt(int, int, long);
int	cx_getopt(int, int, long *);
int	cx_setdefault(int, long);
int	cx_getdefault(int, long *);

/* One attempt of the engine, as cx_getattempts() reports it. */
struct cx_attempt {
	struct sockaddr_storage	ca_addr;	/* destination tried */
	socklen_t		ca_addrlen;
	unsigned int		ca_index;	/* its place in the list */
	struct timespec		ca_start;	/* CLOCK_MONOTONIC */
	struct timespec		ca_end;		/* zero while running */
	int			ca_error;	/* 0 won, EINPROGRESS running */
};

/*
 * Called, in the calling thread, as each attempt on the socket starts
 * (ca_error EINPROGRESS) and as it ends; NULL removes it.
 */
typedef void (*cx_observer_t)(int, const struct cx_attempt *, void *);
int	cx_setobserver(int, cx_observer_t, void *);

/* Queries on the association recorded for a socket. */
int	cx_getassocid(int, cx_sctp_assoc_t *);
int	cx_getpaddrs(int, cx_sctp_assoc_t, struct sockaddr **);
void	cx_freepaddrs(struct sockaddr *);
int	cx_getpeerindex(int, cx_sctp_assoc_t);
int	cx_getattempts(int, cx_sctp_assoc_t, struct cx_attempt **);
void	cx_freeattempts(struct cx_attempt *);

/* Drive a non-blocking socket's connect on: 0, or -1 with errno. */
int	cx_step(int, int *);

/*
 * For event loops: the descriptors to watch (at most n filled; returns how
 * many there are, or -1), and the longest wait before cx_step().  Watching
 * them gives a non-blocking run parallel attempts.  See libconnectx(3).
 */
struct pollfd;
int	cx_fds(int, struct pollfd *, int);
int	cx_timeout(int, int *);

/*
 * A host name and service to a connected socket: resolved, ordered as
 * RFC 8305 does, run by the engine.  Zeroed fields take the defaults.
 * See cx_dial(3).
 */
struct cx_dial_opts {
	int			 cd_family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	unsigned int		 cd_srcif;	/* interface index, or 0 */
	const struct sockaddr	*cd_srcaddr;	/* source address, or NULL */
	socklen_t		 cd_srcaddrlen;
	long			 cd_attempt_delay_ms;	/* 0: the defaults, */
	long			 cd_attempt_timeout_ms;	/* as cx_setdefault */
	long			 cd_total_timeout_ms;
	long			 cd_max_parallel;
	cx_observer_t		 cd_observer;	/* as cx_setobserver, or NULL */
	void			*cd_observer_arg;
};

/* A descriptor, or -1 with errno; *gai_error: 0 or getaddrinfo's code. */
int	cx_dial(const char *, const char *, int, const struct cx_dial_opts *,
	    cx_sctp_assoc_t *, int *);

#ifdef __cplusplus
}
#endif

#endif /* !CONNECTX_H */
