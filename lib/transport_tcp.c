/* Kernel TCP: plain connect(2), collected through SO_ERROR. */
#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "sockstate.h"
#include "transport.h"

static int
tcp_start(int fd, const struct sockaddr *sa, socklen_t len)
{
	return connect(fd, sa, len) == 0 ? 0 : errno;
}

static int
pending_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return errno;
	return err;
}

static int
tcp_finish(int fd)
{
	return pending_error(fd);
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

	pending_error(fd);
	return err;
}

/* Before the call the socket was unconnected: undo the connection. */
static int
tcp_restore(int fd, const struct sockstate *before)
{
	(void)before;
	return tcp_abandon(fd);
}

/* What fits the send buffer now; the rest is the application's to send. */
static int
tcp_send(int fd, const struct iovec *iov, int iovcnt, size_t *sent)
{
	struct msghdr msg = { .msg_iov = (struct iovec *)(uintptr_t)iov,
	    .msg_iovlen = (size_t)iovcnt };
	ssize_t n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);

	*sent = n > 0 ? (size_t)n : 0;
	if (n >= 0 || errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return errno;
}

/* Established: a graceful close of both directions.  Connecting: abandoned. */
static int
tcp_disconnect(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return errno;
	switch (ti.tcpi_state) {
	case TCP_SYN_SENT:
		return tcp_abandon(fd);
	case TCP_CLOSE:
	case TCP_LISTEN:
		return ENOTCONN;
	default:
		return shutdown(fd, SHUT_RDWR) == 0 ? 0 : errno;
	}
}

const struct transport transport_tcp = {
	.name = "tcp",
	.start = tcp_start,
	.finish = tcp_finish,
	.abandon = tcp_abandon,
	.restore = tcp_restore,
	.send = tcp_send,
	.disconnect = tcp_disconnect,
};
