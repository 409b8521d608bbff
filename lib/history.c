/*
 * History of silent destinations (history.h).  A pool of HISTORY_SLOTS
 * entries, found through a chained hash of the key and ordered by expiry
 * in a binary min-heap, all under one mutex.  Every slot can hold any
 * key: the table forgets nothing while it has room (connectx(2),
 * "History": 1024 entries).  When it is full, the entry expiring first
 * (the heap's top) makes room, in O(log n); entries met expired at the
 * heap's top are dropped as each call takes the lock, so each entry costs
 * its expiry once.  A count of live entries lets a successful connect skip
 * the lock altogether while nothing is remembered.
 */
#include <config.h>

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include "history.h"
#include "timeutil.h"

#define HISTORY_SLOTS	1024
#define HISTORY_BUCKETS	2048	/* a power of two; chains stay short */

struct hkey {
	uint8_t		addr[16];
	uint32_t	scope;
	uint16_t	port;
	uint8_t		family;
	uint8_t		proto;
};

/*
 * Links are slot numbers plus one, so that the zeroed static table reads
 * as empty: 0 is "none".
 */
struct hentry {
	struct hkey	key;
	struct timespec	expires;
	uint16_t	next;	/* in its bucket's chain, or in the free list */
	uint16_t	heap;	/* its place in heap[] */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct hentry table[HISTORY_SLOTS];
static uint16_t bucket[HISTORY_BUCKETS];	/* first of each chain */
static uint16_t heap[HISTORY_SLOTS];	/* slots, soonest expiry first */
static uint16_t free_head;		/* slots given back */
static unsigned int never_used;		/* slots [never_used, SLOTS) are fresh */
static unsigned int nused;		/* atomic reads outside the lock */

static bool
make_key(const struct sockaddr *sa, int proto, struct hkey *k)
{
	const struct sockaddr_in *sin = (const void *)sa;
	const struct sockaddr_in6 *sin6 = (const void *)sa;

	memset(k, 0, sizeof(*k));
	k->proto = (uint8_t)proto;
	if (sa->sa_family == AF_INET) {
		k->family = AF_INET;
		k->port = sin->sin_port;
		memcpy(k->addr, &sin->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		k->family = AF_INET;
		k->port = sin6->sin6_port;
		memcpy(k->addr, &sin6->sin6_addr.s6_addr[12], 4);
	} else if (sa->sa_family == AF_INET6) {
		k->family = AF_INET6;
		k->port = sin6->sin6_port;
		k->scope = sin6->sin6_scope_id;
		memcpy(k->addr, &sin6->sin6_addr, 16);
	} else
		return false;
	return true;
}

/* FNV-1a over the key's bytes. */
static size_t
hash(const struct hkey *k)
{
	const unsigned char *p = (const void *)k;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return h & (HISTORY_BUCKETS - 1);
}

static bool
heap_less(unsigned int a, unsigned int b)
{
	return ts_before(table[heap[a]].expires, table[heap[b]].expires);
}

static void
heap_swap(unsigned int a, unsigned int b)
{
	uint16_t t = heap[a];

	heap[a] = heap[b];
	heap[b] = t;
	table[heap[a]].heap = (uint16_t)a;
	table[heap[b]].heap = (uint16_t)b;
}

/* Move heap[i] to its place after its expiry changed (or it arrived). */
static void
heap_fix(unsigned int i)
{
	unsigned int c;

	while (i > 0 && heap_less(i, (i - 1) / 2)) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		c = 2 * i + 1;
		if (c >= nused)
			break;
		if (c + 1 < nused && heap_less(c + 1, c))
			c++;
		if (!heap_less(c, i))
			break;
		heap_swap(i, c);
		i = c;
	}
}

/* Drop slot s: out of its chain and the heap, back to the free list. */
static void
drop(unsigned int s)
{
	struct hentry *e = &table[s];
	uint16_t *link = &bucket[hash(&e->key)];
	unsigned int i = e->heap, last;

	while (*link != s + 1)
		link = &table[*link - 1].next;
	*link = e->next;
	last = nused - 1;
	__atomic_store_n(&nused, last, __ATOMIC_RELAXED);
	if (i != last) {
		heap[i] = heap[last];
		table[heap[i]].heap = (uint16_t)i;
		heap_fix(i);
	}
	e->next = free_head;
	free_head = (uint16_t)(s + 1);
}

/* Drop the entries that have expired: they are at the heap's top. */
static void
expire(struct timespec now)
{
	while (nused > 0 && !ts_before(now, table[heap[0]].expires))
		drop(heap[0]);
}

/* The slot of k, or -1. */
static int
find(const struct hkey *k)
{
	uint16_t s;

	for (s = bucket[hash(k)]; s != 0; s = table[s - 1].next)
		if (memcmp(&table[s - 1].key, k, sizeof(*k)) == 0)
			return s - 1;
	return -1;
}

void
history_remember(const struct sockaddr *sa, int proto, long lifetime_ms)
{
	struct timespec now = mono_now();
	struct hentry *e;
	struct hkey k;
	unsigned int s;
	int found;
	size_t b;

	if (!make_key(sa, proto, &k))
		return;
	pthread_mutex_lock(&lock);
	expire(now);
	if ((found = find(&k)) >= 0) {
		e = &table[found];
		e->expires = ts_add_ms(now, lifetime_ms);
		heap_fix(e->heap);
		pthread_mutex_unlock(&lock);
		return;
	}
	/* Full: the entry expiring first makes room. */
	if (nused == HISTORY_SLOTS)
		drop(heap[0]);
	if (free_head != 0) {
		s = free_head - 1u;
		free_head = table[s].next;
	} else
		s = never_used++;
	e = &table[s];
	e->key = k;
	e->expires = ts_add_ms(now, lifetime_ms);
	b = hash(&k);
	e->next = bucket[b];
	bucket[b] = (uint16_t)(s + 1);
	e->heap = (uint16_t)nused;
	heap[nused] = (uint16_t)s;
	__atomic_store_n(&nused, nused + 1, __ATOMIC_RELAXED);
	heap_fix(e->heap);
	pthread_mutex_unlock(&lock);
}

void
history_forget(const struct sockaddr *sa, int proto)
{
	struct hkey k;
	int s;

	if (__atomic_load_n(&nused, __ATOMIC_RELAXED) == 0 ||
	    !make_key(sa, proto, &k))
		return;
	pthread_mutex_lock(&lock);
	expire(mono_now());
	if ((s = find(&k)) >= 0)
		drop((unsigned int)s);
	pthread_mutex_unlock(&lock);
}

bool
history_recalls(const struct sockaddr *sa, int proto)
{
	struct hkey k;
	bool found;

	if (__atomic_load_n(&nused, __ATOMIC_RELAXED) == 0 ||
	    !make_key(sa, proto, &k))
		return false;
	pthread_mutex_lock(&lock);
	expire(mono_now());
	found = find(&k) >= 0;
	pthread_mutex_unlock(&lock);
	return found;
}
