/*
 * A usrsctp stack on a free UDP port (usrsctp_stack.h): one stack per
 * process, its UDP encapsulation port the one peers send to.
 */
#include <config.h>

#include <usrsctp.h>

#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "usrsctp_stack.h"

uint16_t
usstack_free_port(void)
{
	struct sockaddr_in6 sin6;
	socklen_t len = sizeof(sin6);
	int fd, off = 0;
	uint16_t port = 0;

	/* A dual-stack socket: the port is free on both families. */
	if ((fd = socket(AF_INET6, SOCK_DGRAM, 0)) < 0)
		return 0;
	(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin6, &len) == 0)
		port = ntohs(sin6.sin6_port);
	close(fd);
	return port;
}

uint16_t
usstack_start(void)
{
	uint16_t port = usstack_free_port();

	usrsctp_init(port, NULL, NULL);
	return port;
}
