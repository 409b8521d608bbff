/* The socket operations the transports share. */
#include <config.h>

#include <errno.h>
#include <stdint.h>

#include "sockio.h"

int
sockio_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	return connect(fd, sa, len) == 0 ? 0 : errno;
}

int
sockio_pending_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return errno;
	return err;
}

int
sockio_keep(int fd)
{
	(void)fd;
	return 0;
}

int
sockio_shutdown(int fd)
{
	return shutdown(fd, SHUT_RDWR) == 0 ? 0 : errno;
}

int
sockio_send_some(int fd, const struct iovec *iov, int iovcnt, size_t *sent)
{
	struct msghdr msg = { .msg_iov = (struct iovec *)(uintptr_t)iov,
	    .msg_iovlen = (size_t)iovcnt };
	ssize_t n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);

	*sent = n > 0 ? (size_t)n : 0;
	if (n >= 0 || errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return errno;
}
