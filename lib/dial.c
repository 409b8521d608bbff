/*
 * cx_dial(): a name and a service to a connected socket.  One job:
 * resolve, order as RFC 8305 does, and hand the list to connectx(2), so
 * that a dial runs the very engine, checks and records connectx does.
 *
 * A name with addresses of both families is run on one AF_INET6 socket,
 * its IPv4 addresses written IPv4-mapped, so that the families interleave
 * in one engine run; where the host has no IPv6 sockets, its IPv4
 * addresses alone are run on an AF_INET socket.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "connectx.h"
#include "dial.h"

#define SOCK_FLAGS	(SOCK_NONBLOCK | SOCK_CLOEXEC)

/* The packed list for connectx and the socket it needs. */
struct dialplan {
	int		 family;
	int		 type;		/* with SOCK_FLAGS */
	int		 protocol;
	unsigned char	*addrs;
	socklen_t	 len;
};

/*
 * The service as cx_dial(3) takes it: a port number of digits alone, at
 * most 65535, or a service name, which begins with neither a sign nor a
 * blank.  getaddrinfo(3) wraps a number above 65535 onto a port below it
 * (70000 is port 4464) and takes "", a leading "+" or blanks as numbers.
 */
static bool
service_ok(const char *s)
{
	unsigned long port = 0;
	size_t i;

	if (s == NULL)
		return true;	/* port 0: connectx(2)'s EADDRNOTAVAIL */
	if (s[0] == '\0' || strchr("+- \t\n\v\f\r", s[0]) != NULL)
		return false;
	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++)
		if ((port = port * 10 + (unsigned long)(s[i] - '0')) > 65535)
			return false;
	return true;	/* a name, or digits within range */
}

/*
 * getaddrinfo, trying the name as a numeric address first: a numeric
 * host never reaches a resolver (nor /etc/hosts).  0 or an EAI_ code.
 */
static int
resolve(const char *host, const char *service, int type, int family,
    struct addrinfo **res)
{
	struct addrinfo hints;
	int err;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = type & ~SOCK_FLAGS;
	hints.ai_flags = AI_NUMERICHOST;
	if ((err = getaddrinfo(host, service, &hints, res)) != EAI_NONAME ||
	    host == NULL)
		return err;
	hints.ai_flags = 0;
	return getaddrinfo(host, service, &hints, res);
}

/*
 * The socket for the plan.  A mixed list's IPv4-mapped addresses reach
 * IPv4 peers only with IPV6_V6ONLY off, whatever net.ipv6.bindv6only says.
 */
static int
plan_socket(const struct dialplan *p)
{
	int fd, off = 0;

	if ((fd = socket(p->family, p->type, p->protocol)) == -1)
		return -1;
	if (p->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    &off, sizeof(off)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Order and pack the resolved list and open its socket; fd or -1. */
static int
plan_open(struct dialplan *p, const struct addrinfo *res, int type)
{
	const struct addrinfo **v;
	const struct addrinfo *ai;
	size_t n = 0;
	int fd = -1;

	for (ai = res; ai != NULL; ai = ai->ai_next)
		n++;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -1;
	if ((n = dial_order(res, v)) == 0) {
		free(v);
		errno = EAFNOSUPPORT;
		return -1;
	}
	p->family = dial_family(v, n);
	p->type = type;
	p->protocol = v[0]->ai_protocol;
	if ((p->addrs = dial_pack(v, n, p->family, &p->len)) != NULL &&
	    (fd = plan_socket(p)) == -1 && p->family == AF_INET6 &&
	    errno == EAFNOSUPPORT) {
		/* No IPv6 here: the IPv4 addresses alone, if any. */
		free(p->addrs);
		p->family = AF_INET;
		if ((p->addrs = dial_pack(v, n, p->family, &p->len)) != NULL &&
		    p->len > 0)
			fd = plan_socket(p);
		else if (p->addrs != NULL)
			errno = EAFNOSUPPORT;
	}
	free(v);
	return fd;
}

/* The options' policy on the new socket; 0 or -1 (EINVAL). */
static int
apply_policy(int fd, const struct cx_dial_opts *o)
{
	static const int opt[] = { CX_OPT_ATTEMPT_DELAY_MS,
	    CX_OPT_ATTEMPT_TIMEOUT_MS, CX_OPT_TOTAL_TIMEOUT_MS,
	    CX_OPT_MAX_PARALLEL };
	const long value[] = { o->cd_attempt_delay_ms,
	    o->cd_attempt_timeout_ms, o->cd_total_timeout_ms,
	    o->cd_max_parallel };
	size_t i;

	for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (value[i] != 0 && cx_setopt(fd, opt[i], value[i]) == -1)
			return -1;
	if (o->cd_observer != NULL &&
	    cx_setobserver(fd, o->cd_observer, o->cd_observer_arg) == -1)
		return -1;
	return 0;
}

/* connectx(2) on the plan: 0, or -1 with errno (EINPROGRESS included). */
static int
plan_connect(int fd, const struct dialplan *p, const struct cx_dial_opts *o)
{
	sa_endpoints_t ep;

	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (const struct sockaddr *)(const void *)p->addrs;
	ep.sae_dstaddrlen = p->len;
	if (o != NULL) {
		ep.sae_srcif = o->cd_srcif;
		ep.sae_srcaddr = o->cd_srcaddr;
		ep.sae_srcaddrlen = o->cd_srcaddrlen;
	}
	return connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL);
}

/* errno for a resolver failure: distinct from every connect errno. */
static int
resolver_errno(int gai, int saved)
{
	if (gai == EAI_SYSTEM)
		return saved;
	if (gai == EAI_MEMORY)
		return ENOMEM;
	return ENOENT;
}

/* TCP or UDP, with socket(2)'s flags: the types the transports drive. */
static bool
type_ok(int type)
{
	int base = type & ~SOCK_FLAGS;

	return base == SOCK_STREAM || base == SOCK_DGRAM;
}

/* The family to ask the resolver for: the source's, else the caller's. */
static int
wanted_family(const struct cx_dial_opts *o)
{
	if (o == NULL)
		return AF_UNSPEC;
	if (o->cd_srcaddr != NULL && o->cd_srcaddrlen >= sizeof(sa_family_t))
		return o->cd_srcaddr->sa_family;
	return o->cd_family;
}

int
cx_dial(const char *host, const char *service, int type,
    const struct cx_dial_opts *opts, cx_sctp_assoc_t *id, int *gai_error)
{
	struct dialplan plan;
	struct addrinfo *res;
	int fd, gai, err = 0;

	if (gai_error != NULL)
		*gai_error = 0;
	if (id != NULL)
		*id = 0;
	if (!type_ok(type)) {
		errno = EINVAL;
		return -1;
	}
	gai = service_ok(service) ? resolve(host, service, type,
	    wanted_family(opts), &res) : EAI_SERVICE;
	if (gai != 0) {
		err = resolver_errno(gai, errno);
		if (gai_error != NULL)
			*gai_error = gai;
		errno = err;
		return -1;
	}
	memset(&plan, 0, sizeof(plan));
	if ((fd = plan_open(&plan, res, type)) == -1)
		err = errno;
	else if ((opts != NULL && apply_policy(fd, opts) == -1) ||
	    (plan_connect(fd, &plan, opts) == -1 && errno != EINPROGRESS)) {
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	free(plan.addrs);
	if (fd == -1) {
		errno = err;
		return -1;
	}
	if (id != NULL)
		cx_getassocid(fd, id);
	return fd;
}
