/*
 * The records of usrsctp sockets (see usrsctp_records.h).  A record left
 * by a closed socket stays until its address is looked up again; a new
 * socket at the same address bound to the same local port cannot be told
 * from the old one.
 */
#include <config.h>

#include <usrsctp.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "usrsctp_records.h"

#define NSHARDS	64

struct shard {
	pthread_mutex_t	 lock;
	struct usrec	*head;
};

static struct shard shards[NSHARDS];
static pthread_once_t shards_once = PTHREAD_ONCE_INIT;

static void
shards_init(void)
{
	size_t i;

	for (i = 0; i < NSHARDS; i++)
		pthread_mutex_init(&shards[i].lock, NULL);
}

static struct shard *
shard_of(const void *key)
{
	uintptr_t k = (uintptr_t)key;

	pthread_once(&shards_once, shards_init);
	/* Allocations are aligned: skip the low bits, fold in higher ones. */
	return &shards[((k >> 4) ^ (k >> 10) ^ (k >> 16)) % NSHARDS];
}

/* The socket's local port, which stamps its record; 0 when unbound. */
static uint32_t
stamp_of(struct socket *so)
{
	struct sockaddr *addrs;
	uint32_t port;
	int n;

	n = usrsctp_getladdrs(so, SCTP_FUTURE_ASSOC, &addrs);
	if (n <= 0)
		return 0;
	port = addr_port(addrs);
	usrsctp_freeladdrs(addrs);
	return port;
}

static void
assoc_free(struct usassoc *a)
{
	addrlist_free(&a->dests);
	addrlist_free(&a->peers);
	free(a);
}

/* Unlink and free the record of key; the shard's lock is held. */
static void
drop(struct shard *s, const void *key)
{
	struct usrec **pp, *r;
	struct usassoc *a;

	for (pp = &s->head; (r = *pp) != NULL; pp = &r->next)
		if (r->key == key) {
			*pp = r->next;
			while ((a = r->assocs) != NULL) {
				r->assocs = a->next;
				assoc_free(a);
			}
			free(r);
			return;
		}
}

struct usrec *
usrec_lock(struct socket *so, bool create)
{
	struct shard *s = shard_of(so);
	uint32_t stamp = stamp_of(so);
	struct usrec *r;

	pthread_mutex_lock(&s->lock);
	for (r = s->head; r != NULL; r = r->next)
		if (r->key == so)
			break;
	if (r != NULL && r->stamp != stamp) {
		drop(s, so);
		r = NULL;
	}
	if (r != NULL || !create || (r = calloc(1, sizeof(*r))) == NULL)
		return r;
	r->key = so;
	r->stamp = stamp;
	r->next = s->head;
	s->head = r;
	return r;
}

void
usrec_unlock(struct socket *so)
{
	pthread_mutex_unlock(&shard_of(so)->lock);
}

struct usassoc *
usrec_find(struct usrec *rec, sctp_assoc_t id)
{
	struct usassoc *a;

	if (rec == NULL)
		return NULL;
	if (id == 0)
		return rec->assocs;
	for (a = rec->assocs; a != NULL; a = a->next)
		if (a->id == id)
			return a;
	return NULL;
}

struct usassoc *
usrec_add(struct usrec *rec, sctp_assoc_t id)
{
	struct usassoc **pp, *a;

	/* usrsctp reuses no ID while its association lives: an entry of it is stale. */
	for (pp = &rec->assocs; (a = *pp) != NULL; pp = &a->next)
		if (a->id == id) {
			*pp = a->next;
			assoc_free(a);
			break;
		}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->id = id;
	a->winner = -1;
	a->next = rec->assocs;
	rec->assocs = a;
	return a;
}

void
usrec_remove(struct socket *so, sctp_assoc_t id)
{
	struct shard *s = shard_of(so);
	struct usassoc **pp, *a;
	struct usrec *r;

	for (r = s->head; r != NULL; r = r->next)
		if (r->key == so)
			break;
	if (r == NULL)
		return;
	for (pp = &r->assocs; (a = *pp) != NULL; pp = &a->next)
		if (a->id == id) {
			*pp = a->next;
			assoc_free(a);
			break;
		}
	if (r->assocs == NULL)
		drop(s, so);
}

/* An address as compared: IPv4-mapped IPv6 taken as the IPv4 address. */
static void
canonical(const struct sockaddr_storage *ss, struct dest *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(&out->ss, ss, addr_size(ss->ss_family));
	out->len = addr_size(ss->ss_family);
	addr_unmap_v4(out);
}

static bool
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	struct dest ca, cb;
	const struct sockaddr_in *a4, *b4;
	const struct sockaddr_in6 *a6, *b6;

	canonical(a, &ca);
	canonical(b, &cb);
	if (ca.ss.ss_family != cb.ss.ss_family)
		return false;
	if (ca.ss.ss_family == AF_INET) {
		a4 = (const struct sockaddr_in *)(const void *)&ca.ss;
		b4 = (const struct sockaddr_in *)(const void *)&cb.ss;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (ca.ss.ss_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)(const void *)&ca.ss;
		b6 = (const struct sockaddr_in6 *)(const void *)&cb.ss;
		return a6->sin6_port == b6->sin6_port &&
		    IN6_ARE_ADDR_EQUAL(&a6->sin6_addr, &b6->sin6_addr);
	}
	return false;
}

/* The packed list usrsctp_getpaddrs gave, as a destlist (AF_INET/AF_INET6 only). */
static int
read_peers(struct socket *so, sctp_assoc_t id, struct destlist *out)
{
	struct sockaddr *addrs;
	const unsigned char *p;
	struct sockaddr sa;
	socklen_t sz;
	int i, n;

	out->v = NULL;
	out->n = 0;
	if ((n = usrsctp_getpaddrs(so, id, &addrs)) < 0)
		return errno == ENOMEM ? ENOMEM : ENOTCONN;
	if (n == 0)
		return ENOTCONN;
	if ((out->v = calloc((size_t)n, sizeof(*out->v))) == NULL) {
		usrsctp_freepaddrs(addrs);
		return ENOMEM;
	}
	p = (const unsigned char *)addrs;
	for (i = 0; i < n; i++) {
		memcpy(&sa, p, sizeof(sa));
		if ((sz = addr_size(sa.sa_family)) == 0)
			break;		/* AF_CONN: not one of ours */
		memcpy(&out->v[out->n].ss, p, sz);
		out->v[out->n].len = sz;
		out->n++;
		p += sz;
	}
	usrsctp_freepaddrs(addrs);
	return 0;
}

int
usassoc_refresh(struct socket *so, struct usassoc *a)
{
	struct sctp_status st;
	socklen_t len = sizeof(st);
	size_t i;
	int err;

	if (a->up)
		return 0;
	memset(&st, 0, sizeof(st));
	st.sstat_assoc_id = a->id;
	if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_STATUS, &st, &len) != 0)
		return ENOTCONN;
	if (st.sstat_state == SCTP_COOKIE_WAIT || st.sstat_state == SCTP_COOKIE_ECHOED)
		return EINPROGRESS;
	addrlist_free(&a->peers);
	if ((err = read_peers(so, a->id, &a->peers)) != 0)
		return err;
	a->winner = -1;
	for (i = 0; i < a->dests.n; i++)
		if (same_addr(&a->dests.v[i].ss, &st.sstat_primary.spinfo_address)) {
			a->winner = (int)i;
			break;
		}
	a->up = true;
	return 0;
}
