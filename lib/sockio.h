/*
 * Socket operations that several transports share as they are: each
 * returns 0 or an errno value, and fits a slot of struct transport.
 */
#ifndef CX_SOCKIO_H
#define CX_SOCKIO_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>

int	sockio_connect(int fd, const struct sockaddr *, socklen_t);
int	sockio_pending_error(int fd);		/* SO_ERROR, collected */
int	sockio_keep(int fd);			/* nothing to undo */
int	sockio_shutdown(int fd);		/* both directions */
/* What fits the send buffer now; the rest is the application's to send. */
int	sockio_send_some(int fd, const struct iovec *, int iovcnt, size_t *sent);

#endif /* !CX_SOCKIO_H */
