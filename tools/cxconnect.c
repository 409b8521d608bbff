/*
 * cxconnect: a netcat-like client on libconnectx.
 *
 *   cxconnect [-46uv] [-d ms] [-i interface] [-s source] [-t ms] [-T ms]
 *             host port
 *   cxconnect [options] addr:port [addr:port | [addr6]:port ...]
 *   cxconnect -h | --help
 *
 * A host name goes to cx_dial(3); a list of addresses to connectx(2), in
 * the order given.  Either way the connect is a blocking one, so that the
 * engine runs its staggered parallel attempts, and -v prints each attempt
 * as it ends through the socket's observer (cx_setobserver(3)).  Then
 * stdin goes to the peer and the peer to stdout until the peer is done.
 *
 * Exit status: 0 done, 1 could not connect, 2 usage, 3 I/O error after
 * connecting.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <connectx.h>

#include "cxconnect_sctp.h"

#define EXIT_NOCONNECT	1
#define EXIT_USAGE	2
#define EXIT_IO		3

#define MAXADDRS	64
#define CHUNK		65536
/* The largest UDP payload over IPv4 (65535 less IP and UDP headers). */
#define DGRAM_MAX	(65535 - 20 - 8)

struct config {
	int			 family;	/* -4, -6, else AF_UNSPEC */
	int			 type;		/* -u: SOCK_DGRAM */
	bool			 verbose;
	const char		*ifname;	/* -i */
	unsigned int		 ifindex;
	struct sockaddr_storage	 src;		/* -s */
	socklen_t		 srclen;	/* 0: none */
	long			 sctp_encaps;	/* -S: SCTP over usrsctp to this UDP port */
};

/* What to connect to: a name and a service, or a list of addresses. */
struct target {
	const char		*host;		/* NULL: a list */
	const char		*service;
	struct sockaddr_in6	 list[MAXADDRS];	/* packed */
	socklen_t		 listlen;
	int			 family;	/* of the list */
};

/* When the connect began, for -v's offsets. */
struct progress {
	struct timespec	 t0;
};

/* The usage: on stdout with status 0 when asked for, else on stderr. */
static void
usage(FILE *to, int status)
{
	fprintf(to,
	    "usage: cxconnect [-46uv] [-d delay] [-i interface] [-s source] "
	    "[-t timeout] [-T timeout]\n"
	    "                 host port\n"
	    "       cxconnect [-46uv] [...] addr:port [addr:port | "
	    "[addr6]:port ...]\n"
	    "       cxconnect -h | --help\n"
	    "       cxconnect -S udp-port [-v] [-d delay] [-T timeout] addr:port ...\n");
	exit(status);
}

static void
fail(int status, const char *what, const char *why)
{
	fprintf(stderr, "cxconnect: %s: %s\n", what, why);
	exit(status);
}

/* A numeric address, with an optional numeric port; 0 or an EAI_ code. */
static int
numeric_addr(const char *addr, const char *port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct addrinfo hints, *res;
	int err;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	if ((err = getaddrinfo(addr, port, &hints, &res)) != 0)
		return err;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/*
 * A decimal number of digits alone (no sign, no blank, nothing after it),
 * at most max; false otherwise.  strtol(3) and getaddrinfo(3) take a sign,
 * leading blanks and (getaddrinfo) a port above 65535, which it wraps.
 */
static bool
parse_decimal(const char *s, unsigned long max, unsigned long *v)
{
	unsigned long n = 0, digit;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		digit = (unsigned long)(*s - '0');
		if (n > (max - digit) / 10)
			return false;
		n = n * 10 + digit;
	}
	*v = n;
	return true;
}

/* A port operand: a number from 1 to 65535. */
static bool
port_ok(const char *s)
{
	unsigned long v;

	return parse_decimal(s, 65535, &v) && v != 0;
}

/*
 * The port of host port: a number from 1 to 65535, or a service name;
 * a service name begins with neither a sign nor a blank, and is not all
 * digits.
 */
static bool
service_ok(const char *s)
{
	if (strspn(s, "0123456789") == strlen(s))
		return port_ok(s);
	return strchr("+- \t\n\v\f\r", s[0]) == NULL;
}

enum operand {
	OP_ADDRPORT,	/* an address:port, in ss */
	OP_OTHER,	/* not of that shape: a host name or a bare address */
	OP_BAD		/* of that shape, but not numeric or no valid port */
};

/* "addr:port" or "[addr6]:port" into ss (see enum operand). */
static enum operand
parse_addrport(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	const char *colon = strrchr(s, ':'), *h = s;
	size_t hlen;

	if (colon == NULL)
		return OP_OTHER;
	hlen = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hlen < 2 || s[hlen - 1] != ']')
			return OP_BAD;
		h = s + 1;
		hlen -= 2;
	} else if (memchr(s, ':', hlen) != NULL)
		return OP_OTHER;	/* an IPv6 address needs its brackets */
	if (hlen == 0 || hlen >= sizeof(host) || !port_ok(colon + 1))
		return OP_BAD;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (numeric_addr(host, colon + 1, ss, len) != 0)
		return OP_BAD;
	return s[0] != '[' || ss->ss_family == AF_INET6 ? OP_ADDRPORT : OP_BAD;
}

static long
parse_ms(const char *opt, const char *s)
{
	unsigned long v;

	if (!parse_decimal(s, LONG_MAX, &v))
		fail(EXIT_USAGE, opt, "not a number of milliseconds");
	return (long)v;
}

/* -d, -t, -T: the process defaults, which the one connect runs under. */
static void
set_policy(char opt, const char *arg)
{
	char name[3] = { '-', opt, '\0' };
	int which = opt == 'd' ? CX_OPT_ATTEMPT_DELAY_MS :
	    opt == 't' ? CX_OPT_ATTEMPT_TIMEOUT_MS : CX_OPT_TOTAL_TIMEOUT_MS;

	if (cx_setdefault(which, parse_ms(name, arg)) == -1)
		fail(EXIT_USAGE, name, opt == 'd' ?
		    "out of range (10 to 2000 ms)" : opt == 't' ?
		    "out of range (0, or 10 to 600000 ms)" :
		    "out of range (0, or 10 to 3600000 ms)");
}

static void
parse_options(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long port;
	int ch;

	memset(cfg, 0, sizeof(*cfg));
	cfg->type = SOCK_STREAM;
	while ((ch = getopt_long(argc, argv, "46d:hi:s:S:t:T:uv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout, 0);
			break;
		case '4':
			cfg->family = AF_INET;
			break;
		case '6':
			cfg->family = AF_INET6;
			break;
		case 'd':
		case 't':
		case 'T':
			set_policy((char)ch, optarg);
			break;
		case 'i':
			cfg->ifname = optarg;
			break;
		case 's':
			if (numeric_addr(optarg, NULL, &cfg->src,
			    &cfg->srclen) != 0)
				fail(EXIT_USAGE, optarg,
				    "not a numeric address");
			break;
		case 'S':
			if (!parse_decimal(optarg, 65535, &port) || port < 1)
				fail(EXIT_USAGE, optarg, "not a UDP port (1 to 65535)");
			cfg->sctp_encaps = (long)port;
			break;
		case 'u':
			cfg->type = SOCK_DGRAM;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (cfg->srclen != 0 && cfg->family != AF_UNSPEC &&
	    cfg->src.ss_family != cfg->family)
		fail(EXIT_USAGE, "-s", "source of the other address family");
	if (cfg->srclen != 0)
		cfg->family = cfg->src.ss_family;
}

/* Write ss as a list entry of the list's family (IPv4-mapped if need be). */
static void
list_put(struct target *t, int i, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *sin = (const void *)ss;
	struct sockaddr_in6 *six = &t->list[i];
	unsigned char *packed = (unsigned char *)t->list;
	size_t size = t->family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);

	if (t->family == ss->ss_family) {
		memcpy(packed + (size_t)i * size, ss, size);
		return;
	}
	memset(six, 0, sizeof(*six));
	six->sin6_family = AF_INET6;
	six->sin6_port = sin->sin_port;
	six->sin6_addr.s6_addr[10] = six->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&six->sin6_addr.s6_addr[12], &sin->sin_addr, 4);
}

/*
 * The operands: all addr:port, else host and port.  A list of both
 * families runs on an AF_INET6 socket with the IPv4 ones mapped.
 */
static void
parse_target(int argc, char **argv, const struct config *cfg,
    struct target *t)
{
	struct sockaddr_storage ss[MAXADDRS];
	enum operand kind;
	socklen_t len;
	int i;

	memset(t, 0, sizeof(*t));
	if (argc < 1 || argc > MAXADDRS)
		usage(stderr, EXIT_USAGE);
	if (parse_addrport(argv[0], &ss[0], &len) == OP_OTHER) {
		if (argc != 2)
			usage(stderr, EXIT_USAGE);
		if (!service_ok(argv[1]))
			fail(EXIT_USAGE, argv[1],
			    "not a port (1 to 65535) nor a service name");
		t->host = argv[0];
		t->service = argv[1];
		return;
	}
	for (i = 0; i < argc; i++) {
		if ((kind = parse_addrport(argv[i], &ss[i], &len)) != OP_ADDRPORT)
			fail(EXIT_USAGE, argv[i], kind == OP_BAD ?
			    "not a numeric address:port (port 1 to 65535)" :
			    "not an address:port (IPv6 in brackets)");
		if (cfg->family != AF_UNSPEC && ss[i].ss_family != cfg->family)
			fail(EXIT_USAGE, argv[i], cfg->srclen != 0 ?
			    "not of the source's address family" :
			    "not of the address family asked for");
	}
	t->family = ss[0].ss_family;
	for (i = 1; i < argc; i++)
		if (ss[i].ss_family != t->family)
			t->family = AF_INET6;
	for (i = 0; i < argc; i++)
		list_put(t, i, &ss[i]);
	t->listlen = (socklen_t)argc * (t->family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
}

/* "addr:port" or "[addr6]:port"; an IPv4-mapped address as IPv4. */
static const char *
addr_text(const struct sockaddr *sa, char *buf, size_t size)
{
	const struct sockaddr_in *sin = (const void *)sa;
	const struct sockaddr_in6 *six = (const void *)sa;
	char a[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(sin->sin_port));
	} else if (IN6_IS_ADDR_V4MAPPED(&six->sin6_addr)) {
		inet_ntop(AF_INET, &six->sin6_addr.s6_addr[12], a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(six->sin6_port));
	} else {
		inet_ntop(AF_INET6, &six->sin6_addr, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, ntohs(six->sin6_port));
	}
	return buf;
}

static double
ms_between(struct timespec a, struct timespec b)
{
	return (double)(b.tv_sec - a.tv_sec) * 1e3 +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

static const char *
outcome_text(int err)
{
	if (err == 0)
		return "connected";
	if (err == ECANCELED)
		return "dropped, another attempt won";
	return strerror(err);
}

/* -v: the engine tells of each attempt; one line as each ends. */
static void
show_attempt(int fd, const struct cx_attempt *a, void *arg)
{
	const struct progress *pg = arg;
	char addr[INET6_ADDRSTRLEN + 16];

	(void)fd;
	if (a->ca_error == EINPROGRESS)
		return;
	addr_text((const void *)&a->ca_addr, addr, sizeof(addr));
	fprintf(stderr, "cxconnect: [%u] %s +%.1f ms: %s after %.1f ms\n",
	    a->ca_index, addr, ms_between(pg->t0, a->ca_start),
	    outcome_text(a->ca_error), ms_between(a->ca_start, a->ca_end));
}

/* -v: the winner, its place in the list and the association ID. */
static void
show_winner(int fd, const struct progress *pg)
{
	struct cx_attempt *at;
	struct timespec now;
	cx_sctp_assoc_t id = 0;
	char addr[INET6_ADDRSTRLEN + 16];
	int i, n;

	clock_gettime(CLOCK_MONOTONIC, &now);
	cx_getassocid(fd, &id);
	if ((n = cx_getattempts(fd, id, &at)) == -1)
		return;
	for (i = 0; i < n; i++) {
		if (at[i].ca_error != 0)
			continue;
		addr_text((const void *)&at[i].ca_addr, addr, sizeof(addr));
		fprintf(stderr, "cxconnect: connected to %s [%u] in %.1f ms, "
		    "association %ld\n", addr, at[i].ca_index,
		    ms_between(pg->t0, now), (long)id);
	}
	cx_freeattempts(at);
}

/* The list mode's socket: blocking, dual-stack for a mixed list. */
static int
list_socket(const struct config *cfg, const struct target *t)
{
	int fd, off = 0;

	fd = socket(t->family, cfg->type | SOCK_CLOEXEC, 0);
	if (fd == -1)
		fail(EXIT_NOCONNECT, "socket", strerror(errno));
	if (t->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	return fd;
}

/* Connect: the socket, connected (or the tool exits, status 1). */
static int
start(const struct config *cfg, const struct target *t, struct progress *pg)
{
	struct cx_dial_opts opts;
	sa_endpoints_t ep;
	int fd, gai;

	if (t->host != NULL) {
		memset(&opts, 0, sizeof(opts));
		opts.cd_family = cfg->family;
		opts.cd_srcif = cfg->ifindex;
		if (cfg->srclen != 0) {
			opts.cd_srcaddr = (const struct sockaddr *)&cfg->src;
			opts.cd_srcaddrlen = cfg->srclen;
		}
		if (cfg->verbose) {
			opts.cd_observer = show_attempt;
			opts.cd_observer_arg = pg;
		}
		fd = cx_dial(t->host, t->service, cfg->type | SOCK_CLOEXEC,
		    &opts, NULL, &gai);
		if (gai == EAI_SERVICE)
			fail(EXIT_USAGE, t->service, "no such service");
		if (fd == -1 && gai != 0)
			fail(EXIT_NOCONNECT, t->host, gai == EAI_SYSTEM ?
			    strerror(errno) : gai_strerror(gai));
		if (fd == -1)
			fail(EXIT_NOCONNECT, t->host, strerror(errno));
		return fd;
	}
	fd = list_socket(cfg, t);
	memset(&ep, 0, sizeof(ep));
	ep.sae_srcif = cfg->ifindex;
	if (cfg->srclen != 0) {
		ep.sae_srcaddr = (const struct sockaddr *)&cfg->src;
		ep.sae_srcaddrlen = cfg->srclen;
	}
	ep.sae_dstaddr = (const struct sockaddr *)t->list;
	ep.sae_dstaddrlen = t->listlen;
	if (cfg->verbose)
		cx_setobserver(fd, show_attempt, pg);
	if (connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL) == -1)
		fail(EXIT_NOCONNECT, "connectx", strerror(errno));
	return fd;
}

/* One direction of the pipe: a chunk read, then written out whole. */
struct chunk {
	char	data[CHUNK];
	size_t	off, len;
};

struct pump {
	int		net;
	bool		dgram;
	struct chunk	up;		/* stdin to the peer */
	struct chunk	down;		/* the peer to stdout */
	bool		in_eof, net_eof, shut;
};

static void
io_fail(const char *what)
{
	fail(EXIT_IO, what, strerror(errno));
}

static bool
transient(int err)
{
	return err == EINTR || err == EAGAIN || err == EWOULDBLOCK;
}

/* Read at most max bytes into an empty chunk; a datagram socket has no end. */
static void
pump_read(int fd, struct chunk *c, size_t max, bool *eof, bool dgram,
    const char *what)
{
	ssize_t n = read(fd, c->data, max);

	if (n == -1 && !transient(errno))
		io_fail(what);
	if (n == 0 && !dgram)
		*eof = true;	/* a datagram may be empty; a stream ends */
	if (n > 0) {
		c->off = 0;
		c->len = (size_t)n;
	}
}

static void
pump_write(int fd, struct chunk *c, const char *what)
{
	ssize_t n = write(fd, c->data + c->off, c->len - c->off);

	if (n == -1 && !transient(errno))
		io_fail(what);
	if (n > 0 && (c->off += (size_t)n) == c->len)
		c->off = c->len = 0;
}

/* Which way each descriptor is waited for: only where a chunk can move. */
static void
pump_events(const struct pump *p, struct pollfd pfd[3])
{
	pfd[0].fd = !p->in_eof && p->up.len == 0 ? STDIN_FILENO : -1;
	pfd[0].events = POLLIN;
	pfd[1].events = (!p->net_eof && p->down.len == 0 ? POLLIN : 0) |
	    (p->up.len > 0 ? POLLOUT : 0);
	pfd[1].fd = pfd[1].events != 0 ? p->net : -1;
	pfd[2].fd = p->down.len > 0 ? STDOUT_FILENO : -1;
	pfd[2].events = POLLOUT;
}

/*
 * stdin to the peer, the peer to stdout, until the peer ends its side.
 * stdin's end is passed on as a half-close (TCP); a datagram socket has
 * no end, so it runs until interrupted.  With UDP each read of stdin is
 * one datagram, so a read takes at most what one datagram can carry.
 */
static int
pump(int net, bool dgram)
{
	static struct pump p;	/* two chunks: too big for the stack */
	struct pollfd pfd[3];
	const short ready = POLLIN | POLLOUT | POLLHUP | POLLERR;

	p.net = net;
	p.dgram = dgram;
	for (;;) {
		if (p.net_eof && p.down.len == 0)
			return 0;
		if (p.in_eof && p.up.len == 0 && !p.shut && !p.dgram) {
			if (shutdown(net, SHUT_WR) == -1)
				io_fail("shutdown");
			p.shut = true;
		}
		pump_events(&p, pfd);
		if (poll(pfd, 3, -1) == -1) {
			if (errno != EINTR)
				io_fail("poll");
			continue;
		}
		if (pfd[0].revents & POLLNVAL)
			p.in_eof = true;	/* no stdin: as if empty */
		else if (pfd[0].revents & ready)
			pump_read(STDIN_FILENO, &p.up, p.dgram ? DGRAM_MAX :
			    CHUNK, &p.in_eof, false, "stdin");
		if (pfd[1].revents & ready && p.up.len > 0)
			pump_write(net, &p.up, "send");
		if (pfd[1].revents & ready && pfd[1].events & POLLIN)
			pump_read(net, &p.down, CHUNK, &p.net_eof, p.dgram,
			    "receive");
		if (pfd[2].revents & (ready | POLLNVAL))
			pump_write(STDOUT_FILENO, &p.down, "stdout");
	}
}

/*
 * A standard descriptor the tool was started without (cxconnect <&-) gets
 * /dev/null in its place before any socket is opened, so that the socket
 * can never be descriptor 0, 1 or 2: the peer's data would be read back as
 * input and sent to the peer, or the peer would get our output or our
 * messages (cxconnect(1), DESCRIPTION).  At fd, 0 .. fd-1 are open, so
 * open(2) returns fd.
 */
static void
fill_standard_fds(void)
{
	int fd;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", fd == STDIN_FILENO ? O_RDONLY :
		    O_WRONLY) != fd)
			_exit(EXIT_NOCONNECT);
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct target t;
	struct progress pg;
	int fd;

	fill_standard_fds();
	signal(SIGPIPE, SIG_IGN);
	parse_options(argc, argv, &cfg);
	parse_target(argc - optind, argv + optind, &cfg, &t);
	if (cfg.ifname != NULL &&
	    (cfg.ifindex = if_nametoindex(cfg.ifname)) == 0)
		fail(EXIT_NOCONNECT, cfg.ifname, "no such interface");

	/* SCTP over usrsctp: the list, UDP-encapsulated (cxconnect_sctp.c). */
	if (cfg.sctp_encaps != 0) {
		if (t.host != NULL || cfg.type != SOCK_STREAM || cfg.srclen != 0 ||
		    cfg.ifname != NULL)
			fail(EXIT_USAGE, "-S", "takes addr:port operands, without -u, -s or -i");
		return cxconnect_sctp((const struct sockaddr *)t.list,
		    (int)(t.listlen / (t.family == AF_INET ? sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6))), t.family, cfg.sctp_encaps, cfg.verbose);
	}

	memset(&pg, 0, sizeof(pg));
	clock_gettime(CLOCK_MONOTONIC, &pg.t0);
	fd = start(&cfg, &t, &pg);
	if (cfg.verbose)
		show_winner(fd, &pg);
	/* The pump polls and never waits in read or write. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		io_fail("fcntl");
	return pump(fd, cfg.type == SOCK_DGRAM);
}
