/*
 * sctp_connectx on a real kernel SCTP socket, over loopback: a listener on
 * 127.0.0.1, a list [127.0.0.1, 127.0.0.2], the association comes up and
 * the ID is the kernel's.  Skips (77) where the kernel has no SCTP.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "connectx.h"

#define SKIP 77

static int
fail(const char *what)
{
	fprintf(stderr, "FAIL: %s: %s\n", what, strerror(errno));
	return 1;
}

int
main(void)
{
	struct sockaddr_in srv = { .sin_family = AF_INET }, list[2];
	socklen_t len = sizeof(srv);
	cx_sctp_assoc_t id = 0, recorded = 0;
	int l, fd;

	l = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	if (l == -1) {
		printf("SKIP: this kernel has no SCTP (socket(AF_INET, "
		    "SOCK_STREAM, IPPROTO_SCTP): %s); the pass-through is "
		    "covered by check_sctp_passthrough's fake\n", strerror(errno));
		return SKIP;
	}
	srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (struct sockaddr *)&srv, sizeof(srv)) != 0 || listen(l, 4) != 0 ||
	    getsockname(l, (struct sockaddr *)&srv, &len) != 0)
		return fail("listener");
	list[0] = srv;
	list[1] = srv;
	list[1].sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1);
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	if (sctp_connectx(fd, (struct sockaddr *)list, 2, &id) != 0)
		return fail("sctp_connectx");
	if (id <= 0 || cx_getassocid(fd, &recorded) != 0 || recorded != id) {
		fprintf(stderr, "FAIL: id %d, recorded %d\n", id, recorded);
		return 1;
	}
	printf("PASS: kernel SCTP association %d over a 2-address list\n", id);
	close(fd);
	close(l);
	return 0;
}
