/*
 * Cloning a socket's set-up.  For each option in the table, the user's
 * value is compared with a fresh socket's; a difference is copied and read
 * back, and a value that does not read back equal (no privilege, a buffer
 * size the kernel rounds) makes the clone unfaithful.  Options outside the
 * table (socket filters, TCP_MD5SIG, IP_OPTIONS, ...) are not seen: the
 * man page lists the table.  TCP_FASTOPEN_CONNECT is not in it: attempts
 * on clones always make a handshake (HACKING.md, Verdicts).
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>

#include "sockopts.h"
#include "sockclone.h"
#include "srcbind.h"

struct optdesc {
	int	family;		/* 0: any */
	int	type;		/* 0: any */
	int	level, name;
	bool	halved;		/* the kernel doubles what is set */
};

static const struct optdesc table[] = {
	{ 0, 0, SOL_SOCKET, SO_REUSEADDR, false },
	{ 0, 0, SOL_SOCKET, SO_REUSEPORT, false },
	{ 0, 0, SOL_SOCKET, SO_KEEPALIVE, false },
	{ 0, 0, SOL_SOCKET, SO_LINGER, false },
	{ 0, 0, SOL_SOCKET, SO_RCVBUF, true },
	{ 0, 0, SOL_SOCKET, SO_SNDBUF, true },
	{ 0, 0, SOL_SOCKET, SO_PRIORITY, false },
	{ 0, 0, SOL_SOCKET, SO_MARK, false },
	{ 0, 0, SOL_SOCKET, SO_BINDTOIFINDEX, false },
	{ 0, 0, SOL_SOCKET, SO_RCVTIMEO, false },
	{ 0, 0, SOL_SOCKET, SO_SNDTIMEO, false },
	{ 0, 0, SOL_SOCKET, SO_OOBINLINE, false },
	{ 0, 0, SOL_SOCKET, SO_RCVLOWAT, false },
	{ 0, 0, SOL_SOCKET, SO_TIMESTAMP, false },
	{ 0, 0, SOL_SOCKET, SO_TIMESTAMPNS, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_NODELAY, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_MAXSEG, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_CORK, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_KEEPIDLE, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_KEEPINTVL, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_KEEPCNT, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_SYNCNT, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_LINGER2, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_WINDOW_CLAMP, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_CONGESTION, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_USER_TIMEOUT, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_NOTSENT_LOWAT, false },
	{ 0, SOCK_STREAM, IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, false },
	{ AF_INET, 0, IPPROTO_IP, IP_TOS, false },
	{ AF_INET, 0, IPPROTO_IP, IP_TTL, false },
	{ AF_INET, 0, IPPROTO_IP, IP_MTU_DISCOVER, false },
	{ AF_INET, 0, IPPROTO_IP, IP_FREEBIND, false },
	{ AF_INET, 0, IPPROTO_IP, IP_TRANSPARENT, false },
	{ AF_INET, 0, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, false },
	{ AF_INET, 0, IPPROTO_IP, IP_RECVERR, false },
	{ AF_INET6, 0, IPPROTO_IPV6, IPV6_V6ONLY, false },
	{ AF_INET6, 0, IPPROTO_IPV6, IPV6_TCLASS, false },
	{ AF_INET6, 0, IPPROTO_IPV6, IPV6_UNICAST_HOPS, false },
	{ AF_INET6, 0, IPPROTO_IPV6, IPV6_MTU_DISCOVER, false },
	{ AF_INET6, 0, IPPROTO_IPV6, IPV6_RECVERR, false },
	{ AF_INET6, 0, IPPROTO_IPV6, IPV6_FREEBIND, false },
	{ AF_INET6, 0, IPPROTO_IPV6, IPV6_TRANSPARENT, false },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

struct optval {
	socklen_t	len;
	unsigned char	v[32];
};

static bool
read_opt(int fd, const struct optdesc *d, struct optval *o)
{
	memset(o, 0, sizeof(*o));
	o->len = sizeof(o->v);
	return getsockopt(fd, d->level, d->name, o->v, &o->len) == 0;
}

static bool
same(const struct optval *a, const struct optval *b)
{
	return a->len == b->len && memcmp(a->v, b->v, a->len) == 0;
}

/* What to set so that the clone reads back as the user's socket does. */
static void
value_to_set(const struct optdesc *d, const struct optval *user,
    struct sockclone_set *s)
{
	int v;

	s->level = d->level;
	s->name = d->name;
	s->len = user->len;
	memcpy(s->value, user->v, user->len);
	if (d->halved && user->len == sizeof(int)) {
		memcpy(&v, user->v, sizeof(v));
		v /= 2;
		memcpy(s->value, &v, sizeof(v));
	}
	if (d->level == IPPROTO_TCP && d->name == TCP_CONGESTION)
		s->len = (socklen_t)strnlen((const char *)s->value, user->len);
}

static int
apply(int fd, const struct sockclone_recipe *r)
{
	int i;

	for (i = 0; i < r->nsets; i++)
		if (setsockopt(fd, r->sets[i].level, r->sets[i].name,
		    r->sets[i].value, r->sets[i].len) != 0)
			return errno;
	if (r->bind_src) {
		/* As srcbind_apply: the port is connect(2)'s to choose. */
		bool no_port = r->type == SOCK_STREAM &&
		    srcbind_defer_port(fd, (const struct sockaddr *)&r->src);
		int err = bind(fd, (const struct sockaddr *)&r->src, r->srclen);

		err = err != 0 ? errno : 0;
		srcbind_defer_port_end(fd, no_port);
		return err;
	}
	return 0;
}

/* The source address to bind clones to; ENOTSUP for an explicit port. */
static int
learn_source(int fd, const struct sockclone_before *b, struct sockclone_recipe *r)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&r->src;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&r->src;

	r->srclen = sizeof(r->src);
	if (getsockname(fd, (struct sockaddr *)&r->src, &r->srclen) != 0)
		return errno;
	if (b != NULL && r->src.ss_family == AF_INET6)
		sin6->sin6_port = b->port;
	if (r->src.ss_family == AF_INET) {
		if (sin->sin_port != 0)
			return ENOTSUP;
		r->bind_src = sin->sin_addr.s_addr != INADDR_ANY;
	} else {
		if (sin6->sin6_port != 0)
			return ENOTSUP;
		r->bind_src = !IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	}
	return 0;
}

static int
getint(int fd, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	getsockopt(fd, SOL_SOCKET, name, &v, &len);
	return v;
}

void
sockclone_note(int fd, const struct sockaddr_storage *local,
    struct sockclone_before *b)
{
	socklen_t len = sizeof(b->maxseg);

	b->set = true;
	b->port = ((const struct sockaddr_in6 *)(const void *)local)->sin6_port;
	if (getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &b->maxseg, &len) != 0)
		b->maxseg = -1;
}

int
sockclone_learn(int fd, const struct sockclone_before *b,
    struct sockclone_recipe *r)
{
	struct optval user, fresh, copied;
	struct sockclone_set *s;
	int probe, err = 0;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->family = getint(fd, SO_DOMAIN);
	r->type = getint(fd, SO_TYPE);
	r->protocol = getint(fd, SO_PROTOCOL);
	if (b != NULL && !b->set)
		b = NULL;
	if ((err = learn_source(fd, b, r)) != 0)
		return err;
	if ((probe = socket(r->family, r->type | SOCK_CLOEXEC, r->protocol)) == -1)
		return errno;
	for (i = 0; i < NTABLE && err == 0; i++) {
		if ((table[i].family && table[i].family != r->family) ||
		    (table[i].type && table[i].type != r->type))
			continue;
		if (!read_opt(fd, &table[i], &user) ||
		    !read_opt(probe, &table[i], &fresh))
			continue;
		if (b != NULL && table[i].level == IPPROTO_TCP &&
		    table[i].name == TCP_MAXSEG && b->maxseg >= 0)
			memcpy(user.v, &b->maxseg, sizeof(b->maxseg));
		if (same(&user, &fresh))
			continue;
		s = &r->sets[r->nsets++];
		value_to_set(&table[i], &user, s);
		if (setsockopt(probe, s->level, s->name, s->value, s->len) != 0 ||
		    !read_opt(probe, &table[i], &copied) || !same(&user, &copied))
			err = ENOTSUP;
	}
	close(probe);
	return err;
}

int
sockclone_make(const struct sockclone_recipe *r)
{
	int fd, err;

	fd = socket(r->family, r->type | SOCK_NONBLOCK | SOCK_CLOEXEC, r->protocol);
	if (fd == -1)
		return -1;
	if ((err = apply(fd, r)) != 0) {
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}
