/*
 * History of silent destinations (history.h).  A fixed table of
 * HISTORY_SLOTS entries, open-addressed by a hash of the key with a short
 * probe window: remembering, recalling and forgetting touch at most
 * HISTORY_PROBE entries under one mutex, whatever the number of runs.
 * When the window is full the entry expiring first is replaced, so the
 * table is bounded and a flood of dead destinations only pushes out the
 * oldest memories.  A count of live entries lets a successful connect skip
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
#define HISTORY_PROBE	8

struct hkey {
	uint8_t		addr[16];
	uint32_t	scope;
	uint16_t	port;
	uint8_t		family;
	uint8_t		proto;
};

struct hentry {
	struct hkey	key;
	bool		used;
	struct timespec	expires;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct hentry table[HISTORY_SLOTS];
static unsigned int nused;	/* atomic reads outside the lock */

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
	return h % HISTORY_SLOTS;
}

static void
drop(struct hentry *e)
{
	e->used = false;
	__atomic_sub_fetch(&nused, 1, __ATOMIC_RELAXED);
}

/* The entry of k, or NULL; expired entries met on the way are dropped. */
static struct hentry *
find(const struct hkey *k, struct timespec now)
{
	struct hentry *e;
	size_t i, at = hash(k);

	for (i = 0; i < HISTORY_PROBE; i++) {
		e = &table[(at + i) % HISTORY_SLOTS];
		if (!e->used)
			continue;
		if (!ts_before(now, e->expires)) {
			drop(e);
			continue;
		}
		if (memcmp(&e->key, k, sizeof(*k)) == 0)
			return e;
	}
	return NULL;
}

void
history_remember(const struct sockaddr *sa, int proto, long lifetime_ms)
{
	struct timespec now = mono_now();
	struct hentry *e, *victim = NULL;
	struct hkey k;
	size_t i, at;

	if (!make_key(sa, proto, &k))
		return;
	pthread_mutex_lock(&lock);
	if ((e = find(&k, now)) == NULL) {
		at = hash(&k);
		for (i = 0; i < HISTORY_PROBE; i++) {
			e = &table[(at + i) % HISTORY_SLOTS];
			if (!e->used)
				break;
			if (victim == NULL || ts_before(e->expires, victim->expires))
				victim = e;
		}
		if (i == HISTORY_PROBE)
			e = victim;
		else
			__atomic_add_fetch(&nused, 1, __ATOMIC_RELAXED);
		e->key = k;
		e->used = true;
	}
	e->expires = ts_add_ms(now, lifetime_ms);
	pthread_mutex_unlock(&lock);
}

void
history_forget(const struct sockaddr *sa, int proto)
{
	struct hentry *e;
	struct hkey k;

	if (__atomic_load_n(&nused, __ATOMIC_RELAXED) == 0 ||
	    !make_key(sa, proto, &k))
		return;
	pthread_mutex_lock(&lock);
	if ((e = find(&k, mono_now())) != NULL)
		drop(e);
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
	found = find(&k, mono_now()) != NULL;
	pthread_mutex_unlock(&lock);
	return found;
}
