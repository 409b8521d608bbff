/*
 * A client written the way macOS programs call connectx(2) for TCP Fast
 * Open: destination only, SAE_ASSOCID_ANY, CONNECT_RESUME_ON_READ_WRITE |
 * CONNECT_DATA_IDEMPOTENT, no iov, len or connid, then write(2).  Nothing
 * in it names libconnectx: on Linux it builds unchanged with
 *
 *   cc -include connectx.h $(pkg-config --cflags libconnectx) macos_client.c \
 *       $(pkg-config --libs libconnectx)
 *
 * Usage: macos_client IPV4-ADDRESS PORT MESSAGE   (prints the reply)
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A port: 1 to 65535 in decimal digits alone, else a usage error. */
static unsigned short
port_number(const char *s)
{
	unsigned long port = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9' && port <= 65535; p++)
		port = port * 10 + (unsigned long)(*p - '0');
	if (p == s || *p != '\0' || port == 0 || port > 65535)
		errx(2, "bad port %s", s);
	return (unsigned short)port;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in sin;
	sa_endpoints_t endpoints;
	char reply[512];
	ssize_t n;
	int s;

	if (argc != 4)
		errx(2, "usage: macos_client address port message");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port_number(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1)
		errx(2, "bad address %s", argv[1]);

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	memset(&endpoints, 0, sizeof(endpoints));
	endpoints.sae_dstaddr = (struct sockaddr *)&sin;
	endpoints.sae_dstaddrlen = sizeof(sin);
	if (connectx(s, &endpoints, SAE_ASSOCID_ANY,
	    CONNECT_RESUME_ON_READ_WRITE | CONNECT_DATA_IDEMPOTENT,
	    NULL, 0, NULL, NULL) == -1)
		err(1, "connectx");
	if (write(s, argv[3], strlen(argv[3])) == -1)
		err(1, "write");
	shutdown(s, SHUT_WR);
	while ((n = read(s, reply, sizeof(reply))) > 0)
		fwrite(reply, 1, (size_t)n, stdout);
	if (n == -1)
		err(1, "read");
	close(s);
	return 0;
}
