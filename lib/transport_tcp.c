/* Kernel TCP: plain connect(2), collected through SO_ERROR. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "sockopts.h"
#include "sockio.h"
#include "sockstate.h"
#include "transport.h"

static void
allow_no_cookie(int fd, bool no_cookie)
{
	int one = 1;

	if (no_cookie)
		setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, &one, sizeof(one));
}

/*
 * MSG_FASTOPEN rather than TCP_FASTOPEN_CONNECT: the SYN leaves now, so the
 * engine can time the attempt and fail over, and sendmsg's result says
 * exactly how much of the data rode in it.  Without a cookie the kernel
 * sends a plain SYN (asking for one) and takes nothing; with fast open off
 * it refuses (EOPNOTSUPP) and a plain connect is made instead.
 */
static int
tcp_start_with_data(int fd, const struct sockaddr *sa, socklen_t len,
    const void *data, size_t datalen, bool no_cookie, size_t *taken)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)data, .iov_len = datalen };
	struct msghdr msg = { .msg_name = (void *)(uintptr_t)sa, .msg_namelen = len,
	    .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	*taken = 0;
	allow_no_cookie(fd, no_cookie);
	n = sendmsg(fd, &msg, MSG_FASTOPEN | MSG_NOSIGNAL);
	if (n >= 0) {
		*taken = (size_t)n;
		return EINPROGRESS;
	}
	if (errno == EOPNOTSUPP)
		return sockio_connect(fd, sa, len);
	return errno;
}

/*
 * TCP_FASTOPEN_CONNECT: with a cookie cached, connect(2) returns at once and
 * the SYN leaves with the first write's data; without one, the handshake
 * starts now.  Fast open off: a plain connect.
 */
static int
tcp_start_deferred(int fd, const struct sockaddr *sa, socklen_t len,
    bool fastopen, bool no_cookie)
{
	int one = 1;

	int zero = 0, err;

	if (fastopen) {
		allow_no_cookie(fd, no_cookie);
		setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof(one));
	}
	err = sockio_connect(fd, sa, len);
	/* Not begun: the socket is not left deferring a later connect. */
	if (fastopen && err != 0 && err != EINPROGRESS)
		setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &zero, sizeof(zero));
	return err;
}

/* How far the socket's TCP state is: 0 with *stage, or errno. */
enum tcp_stage { STAGE_HANDSHAKE, STAGE_CLOSED, STAGE_PAST };

static int
tcp_stage_of(int fd, struct tcp_info *ti, enum tcp_stage *stage)
{
	socklen_t len = sizeof(*ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len) != 0)
		return errno;
	switch (ti->tcpi_state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:
		*stage = STAGE_HANDSHAKE;
		break;
	case TCP_CLOSE:
	case TCP_LISTEN:
		*stage = STAGE_CLOSED;
		break;
	default:
		*stage = STAGE_PAST;
	}
	return 0;
}

/*
 * The verdict (HACKING.md, Verdicts): the kernel's TCP state decides, not
 * SO_ERROR, which anyone may have read first.  Established or past it: the
 * handshake completed.  Still in the handshake: not yet.  Closed: failed,
 * with the error pending; when someone else took it, how far the attempt
 * got says which (its SYN answered at once: refused; retransmitted: timed
 * out).
 */
static int
tcp_finish(int fd)
{
	struct tcp_info ti;
	enum tcp_stage stage;
	int err;

	if ((err = tcp_stage_of(fd, &ti, &stage)) != 0)
		return err;
	switch (stage) {
	case STAGE_HANDSHAKE:
		return EINPROGRESS;
	case STAGE_CLOSED:
		if ((err = sockio_pending_error(fd)) != 0)
			return err;
		return ti.tcpi_total_retrans == 0 ? ECONNREFUSED : ETIMEDOUT;
	default:
		/* Collected so that the application does not see it later. */
		sockio_pending_error(fd);
		return 0;
	}
}

/*
 * connect(AF_UNSPEC) ends a SYN_SENT attempt and resets the socket's
 * "connecting" state, without which the next connect(2) would only report
 * the old failure.  The error it leaves pending (ECONNRESET) is collected
 * so that the next attempt does not inherit it.
 */
static int
tcp_abandon(int fd)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };
	int err = connect(fd, &sa, sizeof(sa)) == 0 ? 0 : errno;

	sockio_pending_error(fd);
	return err;
}

/*
 * A failed connect(2) of the application's own leaves the socket
 * "connecting" in Linux's eyes until a connect collects the failure: the
 * next connect(2) would report the old error, or ECONNABORTED once it was
 * read, instead of trying.
 */
static int
tcp_prepare(int fd, const struct sockstate *st, bool defer)
{
	(void)defer;
	if (st->failed_connect)
		tcp_abandon(fd);
	return 0;
}

/*
 * After connect(2) returned 0 (HACKING.md, Verdicts, "No handshake
 * skipped"): with TCP_FASTOPEN_CONNECT set (by the application, or by an
 * earlier deferred call) and a cookie cached, that 0 means "deferred":
 * the socket is in SYN_SENT with nothing sent.  Past the handshake: done.
 */
static int
tcp_confirm(int fd)
{
	struct tcp_info ti;
	enum tcp_stage stage;
	int err;

	if ((err = tcp_stage_of(fd, &ti, &stage)) != 0)
		return err;
	return stage == STAGE_HANDSHAKE ? EINPROGRESS :
	    stage == STAGE_CLOSED ? ENOTCONN : 0;
}

/*
 * A deferred start made a handshake: abandoned, the option that deferred
 * it turned off (without CONNECT_RESUME_ON_READ_WRITE an attempt needs a
 * handshake), connected again.
 */
static int
tcp_restart(int fd, const struct sockaddr *sa, socklen_t len)
{
	int zero = 0;

	tcp_abandon(fd);
	if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &zero,
	    sizeof(zero)) != 0)
		return errno;
	return sockio_connect(fd, sa, len);
}

/* Before the call the socket was unconnected: undo the connection. */
static int
tcp_restore(int fd, const struct sockstate *before)
{
	(void)before;
	return tcp_abandon(fd);
}

/* Established: a graceful close of both directions.  Connecting: abandoned. */
static int
tcp_disconnect(int fd)
{
	struct tcp_info ti;
	enum tcp_stage stage;
	int err;

	if ((err = tcp_stage_of(fd, &ti, &stage)) != 0)
		return err;
	if (stage == STAGE_CLOSED)
		return ENOTCONN;
	if (ti.tcpi_state == TCP_SYN_SENT)
		return tcp_abandon(fd);
	return shutdown(fd, SHUT_RDWR) == 0 ? 0 : errno;
}

const struct transport transport_tcp = {
	.name = "tcp",
	.start = sockio_connect,
	.start_with_data = tcp_start_with_data,
	.start_deferred = tcp_start_deferred,
	.prepare = tcp_prepare,
	.finish = tcp_finish,
	.confirm = tcp_confirm,
	.restart = tcp_restart,
	.abandon = tcp_abandon,
	.restore = tcp_restore,
	.send = sockio_send_some,
	.disconnect = tcp_disconnect,
	.sticky_v4mapped = true,
	.connects_once = true,
};
