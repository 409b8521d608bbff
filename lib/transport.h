/*
 * The transport operations table: what the engine needs from a kind of
 * socket, and nothing about the front-ends' flags or arguments.  Every
 * operation returns 0 or an errno value.
 */
#ifndef CX_TRANSPORT_H
#define CX_TRANSPORT_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <stdbool.h>

#include "connectx.h"

struct destlist;
struct sockstate;

struct transport {
	const char	*name;
	/* Begin connecting a non-blocking socket: 0, EINPROGRESS or errno. */
	int	(*start)(int fd, const struct sockaddr *, socklen_t);
	/*
	 * Optional: begin connecting with data in the first flight (TCP Fast
	 * Open; without a cookie where no_cookie allows it).  *taken is what
	 * the kernel took into that flight; where the kernel will not, it is
	 * 0 and this is start().
	 */
	int	(*start_with_data)(int fd, const struct sockaddr *, socklen_t,
		    const void *data, size_t len, bool no_cookie, size_t *taken);
	/*
	 * Optional: connect no later than the first write, whose data then
	 * goes in the first flight; 0 or EINPROGRESS when begun, or errno.
	 */
	int	(*start_deferred)(int fd, const struct sockaddr *, socklen_t,
		    bool fastopen, bool no_cookie);
	/*
	 * Linux leaves an AF_INET6 TCP socket in IPv4-mapped mode after a
	 * mapped attempt, even through abandon: a native IPv6 attempt needs a
	 * fresh socket.
	 */
	bool	sticky_v4mapped;
	/* A socket that had a connection never connects again (TCP). */
	bool	connects_once;
	/*
	 * Optional: before a run's first attempt on the user's socket, undo
	 * what an earlier connect left on it that would decide the run
	 * (HACKING.md, Verdicts); defer: the run connects by the first write.
	 */
	int	(*prepare)(int fd, const struct sockstate *, bool defer);
	/*
	 * The verdict on a started attempt the socket reports ready: 0 only
	 * when the socket really is connected, EINPROGRESS when it is not
	 * yet, or the attempt's errno (HACKING.md, Verdicts).
	 */
	int	(*finish)(int fd);
	/*
	 * Optional: after start() returned 0, whether the socket made its
	 * handshake, in one look (HACKING.md, "One system call"): 0 when it
	 * is past it; EINPROGRESS when connect(2) only deferred it (fast
	 * open by the application's TCP_FASTOPEN_CONNECT, a cookie cached);
	 * another errno when the descriptor answers as no connected socket
	 * of this transport (the engine then asks whose it is).
	 */
	int	(*confirm)(int fd);
	/*
	 * With confirm: the run's own socket, whose start was only deferred,
	 * connects again with a handshake: 0, EINPROGRESS or errno.
	 */
	int	(*restart)(int fd, const struct sockaddr *, socklen_t);
	/* Undo a failed or given-up attempt: the socket can start another. */
	int	(*abandon)(int fd);
	/* Put the socket back as inspected before the call (after a failed send). */
	int	(*restore)(int fd, const struct sockstate *before);
	/* Queue the caller's data on a connected socket; *sent set always. */
	int	(*send)(int fd, const struct iovec *, int iovcnt, size_t *sent);
	/* disconnectx: end the association. */
	int	(*disconnect)(int fd);
	/* Largest message send() takes whole for a family; NULL: a byte stream. */
	size_t	(*max_message)(int family);
	/*
	 * Transports whose protocol runs the list itself (kernel SCTP) set
	 * this instead of start: connect the whole list; 0, EINPROGRESS or
	 * errno, *id set to the protocol's association ID when it gives one.
	 * failover_ms bounds the association's path failover once it is up
	 * (libconnectx(3), Failover during the association).
	 */
	int	(*connect_list)(int fd, const struct destlist *, bool want_id,
		    long failover_ms, cx_sctp_assoc_t *id);
	/*
	 * With connect_list: which destination of the list association id
	 * runs on, as the protocol says (*index, -1 when none of the list's),
	 * 0; EINPROGRESS while it is being set up; another errno when there
	 * is no such association (it failed: the socket holds the error).
	 */
	int	(*which)(int fd, cx_sctp_assoc_t id, const struct destlist *,
		    int *index);
};

extern const struct transport transport_tcp;
extern const struct transport transport_udp;
extern const struct transport transport_sctp;

#endif /* !CX_TRANSPORT_H */
