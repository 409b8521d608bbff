/*
 * Cloning a socket's set-up (connectx(2), "Parallel attempts").
 *
 * Every option the kernel lets a program read, at the SOL_SOCKET,
 * IPPROTO_IP, IPPROTO_IPV6 (AF_INET6) and IPPROTO_TCP (TCP) levels, is read
 * on the user's socket and on a fresh socket of the same kind; each one
 * that differs is copied.  The copy is then checked as a whole: a probe
 * socket made exactly as a clone will be (options set, source bound) must
 * read back the same as the user's socket over every readable option, or
 * the clone is unfaithful and the engine runs one attempt at a time.  So
 * an option the library knows nothing about is copied when a plain
 * setsockopt of what getsockopt returned reproduces it, and noticed when
 * it does not.  Options that describe the socket's identity or state
 * rather than its set-up (SO_COOKIE, SO_ERROR, TCP_INFO, ...) are not
 * compared; reading SO_ERROR, or TCP_SAVED_SYN, would change the socket.
 * TCP_FASTOPEN_CONNECT is neither copied nor compared: attempts on clones
 * always make a handshake (HACKING.md, Verdicts).
 * A socket filter, classic or eBPF, is noticed through SO_GET_FILTER;
 * options the kernel does not let a program read (TCP_MD5SIG, a reuseport
 * group's program, ...) cannot be seen.
 *
 * The engine learns the recipe only when its first clone is due, with an
 * attempt of its own running on the socket by then (HACKING.md,
 * "Clones").  What that connect(2) changes is taken from a note made
 * before it (struct sockclone_early): the local address, TCP_MAXSEG,
 * TCP_WINDOW_CLAMP and TCP_CONGESTION; the ECN bits of a TCP socket's
 * IP_TOS and IPV6_TCLASS, which the kernel sets and a program cannot, are
 * never compared.  Every other option reads the same on a socket in its
 * handshake as before it (what differs besides is identity or state,
 * above); the engine checks that the handshake was still under way once
 * the recipe was read, since an established connection's buffers grow.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>

#include "sockopts.h"
#include "sockclone.h"
#include "sockstate.h"
#include "srcbind.h"

/* Option numbers scanned at each level (the kernel answers ENOPROTOOPT past its own). */
struct range {
	int	level, first, last;
};

static const struct range ranges[] = {
	{ SOL_SOCKET, 1, 90 },
	{ IPPROTO_IP, 1, 70 },
	{ IPPROTO_IPV6, 1, 90 },
	{ IPPROTO_TCP, 1, 50 },
};
#define NRANGES	(sizeof(ranges) / sizeof(ranges[0]))

/*
 * Not compared: identity and state (they differ between any two sockets or
 * follow the connection), reads that take input, and reads with side
 * effects.  Numbers rather than names: older libcs lack most of them.
 */
static bool
not_setup(int level, int name)
{
	static const int sol[] = {
		3,	/* SO_TYPE */
		4,	/* SO_ERROR: reading it clears it */
		17,	/* SO_PEERCRED */
		26,	/* SO_GET_FILTER: its length is in blocks (see filtered()) */
		28,	/* SO_PEERNAME */
		30,	/* SO_ACCEPTCONN */
		31,	/* SO_PEERSEC */
		38,	/* SO_PROTOCOL */
		39,	/* SO_DOMAIN */
		48,	/* SO_BPF_EXTENSIONS */
		49,	/* SO_INCOMING_CPU: where packets arrived */
		55,	/* SO_MEMINFO */
		56,	/* SO_INCOMING_NAPI_ID */
		57,	/* SO_COOKIE */
		59,	/* SO_PEERGROUPS */
		71,	/* SO_NETNS_COOKIE */
		77,	/* SO_PEERPIDFD: reading it makes a descriptor */
		78, 79, 80,	/* SO_DEVMEM_* */
	};
	static const int ip[] = {
		9,	/* IP_PKTOPTIONS */
		14,	/* IP_MTU */
		41,	/* IP_MSFILTER */
		48,	/* MCAST_MSFILTER */
		52,	/* IP_PROTOCOL */
	};
	static const int ipv6[] = {
		1,	/* IPV6_ADDRFORM */
		6,	/* IPV6_2292PKTOPTIONS */
		24,	/* IPV6_MTU */
		32,	/* IPV6_FLOWLABEL_MGR */
		48,	/* MCAST_MSFILTER */
		61,	/* IPV6_PATHMTU */
	};
	static const int tcp[] = {
		11,	/* TCP_INFO */
		12,	/* TCP_QUICKACK: follows the connection */
		21,	/* TCP_QUEUE_SEQ */
		24,	/* TCP_TIMESTAMP: the clock */
		26,	/* TCP_CC_INFO */
		28,	/* TCP_SAVED_SYN: reading it frees it */
		29,	/* TCP_REPAIR_WINDOW */
		30,	/* TCP_FASTOPEN_CONNECT: never copied (Verdicts) */
		35,	/* TCP_ZEROCOPY_RECEIVE */
		38, 39, 40, 41, 42,	/* TCP_AO_*: keys are not readable */
		43,	/* TCP_IS_MPTCP */
	};
	const int *v;
	size_t i, n;

	switch (level) {
	case SOL_SOCKET:
		v = sol, n = sizeof(sol) / sizeof(sol[0]);
		break;
	case IPPROTO_IP:
		v = ip, n = sizeof(ip) / sizeof(ip[0]);
		break;
	case IPPROTO_IPV6:
		v = ipv6, n = sizeof(ipv6) / sizeof(ipv6[0]);
		break;
	default:
		v = tcp, n = sizeof(tcp) / sizeof(tcp[0]);
		break;
	}
	for (i = 0; i < n; i++)
		if (v[i] == name)
			return true;
	return false;
}

struct optval {
	socklen_t	len;
	unsigned char	v[SOCKCLONE_VALUE_MAX];
};

/*
 * The options a fresh socket of one kind answers, and their values there,
 * learnt once per process and kind: a learn then reads only the user's
 * socket (and a probe when something is to be copied).  A default changed
 * by sysctl later is still copied when the user's socket has the new one.
 */
struct optname {
	short	level, name;
};

#define MAX_READABLE	320
#define MAX_KINDS	8

struct kind {
	int		 family, type, protocol;
	int		 n;
	struct optname	 names[MAX_READABLE];
	struct optval	*fresh;		/* n values */
};

static struct kind kinds[MAX_KINDS];
static int nkinds;
static pthread_mutex_t kinds_lock = PTHREAD_MUTEX_INITIALIZER;

static bool
read_opt(int fd, int level, int name, struct optval *o)
{
	memset(o, 0, sizeof(*o));
	o->len = sizeof(o->v);
	return getsockopt(fd, level, name, o->v, &o->len) == 0;
}

static bool
level_applies(int level, const struct sockclone_recipe *r)
{
	if (level == IPPROTO_IPV6)
		return r->family == AF_INET6;
	if (level == IPPROTO_TCP)
		return r->type == SOCK_STREAM && r->protocol == IPPROTO_TCP;
	return true;
}

static const struct kind *
kind_of(const struct sockclone_recipe *r)
{
	struct optval o;
	struct kind *k = NULL;
	size_t i;
	int j, name, probe = -1;

	pthread_mutex_lock(&kinds_lock);
	for (j = 0; j < nkinds; j++)
		if (kinds[j].family == r->family && kinds[j].type == r->type &&
		    kinds[j].protocol == r->protocol) {
			k = &kinds[j];
			goto out;
		}
	if (nkinds == MAX_KINDS ||
	    (probe = socket(r->family, r->type | SOCK_CLOEXEC, r->protocol)) == -1)
		goto out;
	k = &kinds[nkinds];
	k->family = r->family;
	k->type = r->type;
	k->protocol = r->protocol;
	k->n = 0;
	for (i = 0; i < NRANGES; i++) {
		if (!level_applies(ranges[i].level, r))
			continue;
		for (name = ranges[i].first; name <= ranges[i].last; name++)
			if (!not_setup(ranges[i].level, name) && k->n < MAX_READABLE &&
			    read_opt(probe, ranges[i].level, name, &o)) {
				k->names[k->n].level = (short)ranges[i].level;
				k->names[k->n++].name = (short)name;
			}
	}
	if ((k->fresh = calloc((size_t)k->n + 1, sizeof(*k->fresh))) == NULL)
		k = NULL;
	else {
		for (j = 0; j < k->n; j++)
			read_opt(probe, k->names[j].level, k->names[j].name,
			    &k->fresh[j]);
		nkinds++;
	}
out:
	if (probe != -1)
		close(probe);
	pthread_mutex_unlock(&kinds_lock);
	return k;
}

/* A socket filter cannot be copied by its value: noticed here (EACCES: eBPF). */
static bool
filtered(int fd)
{
	socklen_t blocks = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, NULL, &blocks) != 0)
		return errno != ENOPROTOOPT;	/* EACCES: an eBPF program */
	return blocks != 0;
}

/* What to set so that the clone reads back as the user's socket does. */
static void
value_to_set(int level, int name, const struct optval *user,
    struct sockclone_set *s)
{
	int v;

	s->level = level;
	s->name = name;
	s->len = user->len;
	memcpy(s->value, user->v, user->len);
	/* The kernel doubles the buffer sizes it is given. */
	if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF) &&
	    user->len == sizeof(int)) {
		memcpy(&v, user->v, sizeof(v));
		v /= 2;
		memcpy(s->value, &v, sizeof(v));
	}
	/* Names read back padded with NULs. */
	if ((level == IPPROTO_TCP && (name == TCP_CONGESTION || name == TCP_ULP)) ||
	    (level == SOL_SOCKET && name == SO_BINDTODEVICE))
		s->len = (socklen_t)strnlen((const char *)s->value, user->len);
}

/* SO_RCVBUFFORCE for SO_RCVBUF and so on: past the sysctl maximum too. */
static int
forced(const struct sockclone_set *s)
{
	if (s->level != SOL_SOCKET)
		return 0;
	return s->name == SO_RCVBUF ? SO_RCVBUFFORCE :
	    s->name == SO_SNDBUF ? SO_SNDBUFFORCE : 0;
}

static int
apply(int fd, const struct sockclone_recipe *r)
{
	const struct sockclone_set *s;
	bool no_port;
	int i, err, force;

	for (i = 0; i < r->nsets; i++) {
		s = &r->sets[i];
		/* Forcing needs CAP_NET_ADMIN; without it, the plain option. */
		if ((force = forced(s)) != 0 &&
		    setsockopt(fd, SOL_SOCKET, force, s->value, s->len) == 0)
			continue;
		if (setsockopt(fd, s->level, s->name, s->value, s->len) != 0)
			return errno;
	}
	if (r->bind_src) {
		/* As srcbind_apply: the port is connect(2)'s to choose. */
		no_port = r->type == SOCK_STREAM &&
		    srcbind_defer_port(fd, (const struct sockaddr *)&r->src);
		err = bind(fd, (const struct sockaddr *)&r->src, r->srclen) == 0 ?
		    0 : errno;
		srcbind_defer_port_end(fd, no_port);
		return err;
	}
	return 0;
}

/* The source address to bind clones to; ENOTSUP for an explicit port. */
static int
learn_source(int fd, const struct sockclone_before *b,
    const struct sockclone_early *e, struct sockclone_recipe *r)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&r->src;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&r->src;

	/* Not what the run's own connect(2) bound: the address noted before. */
	if (e != NULL) {
		r->src = e->src;
		r->srclen = e->srclen;
	} else {
		r->srclen = sizeof(r->src);
		if (getsockname(fd, (struct sockaddr *)&r->src, &r->srclen) != 0)
			return errno;
	}
	if (b != NULL && r->src.ss_family == AF_INET6)
		sin6->sin6_port = b->port;
	/* A failed connect(2)'s port, shown but let go: none of its own. */
	else if (e == NULL && r->type == SOCK_STREAM)
		sockstate_stale_port(fd, &r->src);
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

static bool
same(const struct optval *a, const struct optval *b)
{
	return a->len == b->len && memcmp(a->v, b->v, a->len) == 0;
}

/* An option neither copied nor compared: its value as set is not known. */
#define UNKNOWN_LEN	((socklen_t)-1)

/*
 * The value of an option that a connect(2) changes, as set before it: in
 * *o, true; o->len UNKNOWN_LEN when it cannot be told.  False: the socket
 * shows it as set, read it.
 */
static bool
noted(int fd, const struct optname *n, const struct sockclone_before *b,
    const struct sockclone_early *e, const struct sockclone_recipe *r,
    struct optval *o)
{
	int v;

	if (n->level != IPPROTO_TCP)
		return false;
	memset(o, 0, sizeof(*o));
	o->len = UNKNOWN_LEN;
	switch (n->name) {
	case TCP_MAXSEG:
		/*
		 * Once a connect(2) ran, Linux reads TCP_MAXSEG back as that
		 * connect's segment size, not as the value set.
		 */
		if (b != NULL && b->maxseg >= 0)
			v = b->maxseg;
		else if (e != NULL)
			v = e->maxseg;
		else if (r->type == SOCK_STREAM && sockstate_ran_connect(fd))
			v = -1;
		else
			return false;
		break;
	case TCP_WINDOW_CLAMP:	/* set by connect(2) when 0 */
		if (e == NULL)
			return false;
		v = e->window_clamp;
		break;
	case TCP_CONGESTION:	/* the route's, when it names one */
		if (e == NULL)
			return false;
		if (e->congestion[0] != '\0') {
			o->len = SOCKCLONE_CA_NAME;
			memcpy(o->v, e->congestion, SOCKCLONE_CA_NAME);
		}
		return true;
	default:
		return false;
	}
	if (v >= 0) {
		o->len = sizeof(v);
		memcpy(o->v, &v, sizeof(v));
	}
	return true;
}

/*
 * The ECN bits of a TCP socket's IP_TOS or IPV6_TCLASS are the kernel's
 * (set on connect(2) for a congestion control that needs ECN); Linux keeps
 * them when a program sets the option, so they are not the program's.
 */
static void
drop_ecn(const struct optname *n, const struct sockclone_recipe *r,
    struct optval *o)
{
	int v;

	if (r->type != SOCK_STREAM || o->len != sizeof(v) ||
	    !((n->level == IPPROTO_IP && n->name == IP_TOS) ||
	    (n->level == IPPROTO_IPV6 && n->name == IPV6_TCLASS)))
		return;
	memcpy(&v, o->v, sizeof(v));
	v &= ~0x03;		/* INET_ECN_MASK */
	memcpy(o->v, &v, sizeof(v));
}

/*
 * The differences between fd and a fresh probe become the recipe's sets;
 * then a second probe, made by the recipe, must read back as fd does.
 */
static int
learn_options(int fd, const struct sockclone_before *b,
    const struct sockclone_early *e, struct sockclone_recipe *r)
{
	struct optval *user, o;
	const struct kind *k;
	int probe, i, err = 0;

	if ((k = kind_of(r)) == NULL)
		return ENOTSUP;
	if ((user = calloc((size_t)k->n + 1, sizeof(*user))) == NULL)
		return ENOMEM;
	for (i = 0; i < k->n && err == 0; i++) {
		if (noted(fd, &k->names[i], b, e, r, &user[i])) {
			if (user[i].len == UNKNOWN_LEN)
				continue;	/* neither copied nor compared */
		} else if (!read_opt(fd, k->names[i].level, k->names[i].name,
		    &user[i])) {
			user[i].len = 0;	/* not readable here: compared as such */
			continue;
		}
		drop_ecn(&k->names[i], r, &user[i]);
		if (same(&user[i], &k->fresh[i]))
			continue;
		if (r->nsets == SOCKCLONE_MAX_SETS ||
		    user[i].len > SOCKCLONE_VALUE_MAX - 1)
			err = ENOTSUP;
		else
			value_to_set(k->names[i].level, k->names[i].name, &user[i],
			    &r->sets[r->nsets++]);
	}
	if (err != 0 || (r->nsets == 0 && !r->bind_src)) {
		free(user);
		return err;	/* 0: a fresh socket is the clone */
	}
	if ((probe = socket(r->family, r->type | SOCK_CLOEXEC, r->protocol)) == -1) {
		free(user);
		return errno;
	}
	if (apply(probe, r) != 0)
		err = ENOTSUP;
	for (i = 0; i < k->n && err == 0; i++) {
		if (user[i].len == UNKNOWN_LEN)
			continue;
		if (!read_opt(probe, k->names[i].level, k->names[i].name, &o)) {
			err = user[i].len != 0 ? ENOTSUP : 0;
			continue;
		}
		drop_ecn(&k->names[i], r, &o);
		if (!same(&user[i], &o))
			err = ENOTSUP;
	}
	close(probe);
	free(user);
	return err;
}

void
sockclone_note(int fd, const struct sockaddr_storage *local,
    struct sockclone_before *b)
{
	struct sockaddr_storage shown = *local;
	socklen_t len = sizeof(b->maxseg);

	b->set = true;
	/* A failed connect(2)'s port, shown but let go: none of its own. */
	if (shown.ss_family == AF_INET6)
		sockstate_stale_port(fd, &shown);
	b->port = ((const struct sockaddr_in6 *)(const void *)&shown)->sin6_port;
	/* After an earlier connect(2), not the value set (learn_options). */
	if (sockstate_ran_connect(fd) ||
	    getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &b->maxseg, &len) != 0)
		b->maxseg = -1;
}

void
sockclone_note_early(int fd, bool tcp, bool ran_connect, bool clear_stale,
    struct sockclone_early *e)
{
	socklen_t len;

	memset(e, 0, sizeof(*e));
	e->tcp = tcp;
	e->maxseg = e->window_clamp = -1;
	e->srclen = sizeof(e->src);
	if (getsockname(fd, (struct sockaddr *)&e->src, &e->srclen) != 0)
		return;
	/* A failed connect(2)'s port, shown but let go: none of its own. */
	if (tcp && clear_stale)
		sockstate_stale_port(fd, &e->src);
	e->set = true;
	if (!tcp)
		return;
	len = sizeof(e->maxseg);
	if (ran_connect ||
	    getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &e->maxseg, &len) != 0)
		e->maxseg = -1;
	len = sizeof(e->window_clamp);
	if (getsockopt(fd, IPPROTO_TCP, TCP_WINDOW_CLAMP, &e->window_clamp,
	    &len) != 0)
		e->window_clamp = -1;
	len = sizeof(e->congestion);
	if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, e->congestion,
	    &len) != 0)
		memset(e->congestion, 0, sizeof(e->congestion));
}

int
sockclone_learn(int fd, const struct sockclone_before *b,
    const struct sockclone_early *e, struct sockclone_recipe *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->family = getint(fd, SO_DOMAIN);
	r->type = getint(fd, SO_TYPE);
	r->protocol = getint(fd, SO_PROTOCOL);
	if (b != NULL && !b->set)
		b = NULL;
	if (e != NULL && !e->set)
		e = NULL;
	if ((err = learn_source(fd, b, e, r)) != 0)
		return err;
	if (filtered(fd))
		return ENOTSUP;
	return learn_options(fd, b, e, r);
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
