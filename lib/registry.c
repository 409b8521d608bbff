/*
 * Records live in NSHARDS arrays indexed by fd / NSHARDS, each array behind
 * its own mutex: descriptor numbers are small and dense, so this is both the
 * simplest map and one without hashing.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "sockstate.h"

#define NSHARDS	64

struct shard {
	pthread_mutex_t	  lock;
	struct sockrec	**recs;
	size_t		  nrecs;
};

static struct shard shards[NSHARDS];
static pthread_once_t shards_once = PTHREAD_ONCE_INIT;
static uint64_t last_id;	/* atomically incremented; never wraps */

static void
shards_init(void)
{
	size_t i;

	for (i = 0; i < NSHARDS; i++)
		pthread_mutex_init(&shards[i].lock, NULL);
}

static struct shard *
shard_of(int fd)
{
	pthread_once(&shards_once, shards_init);
	return &shards[(unsigned)fd % NSHARDS];
}

void
assoc_clear(struct assoc *a)
{
	addrlist_free(&a->dests);
	free(a->attempts);
	memset(a, 0, sizeof(*a));
	a->winner = -1;
}

static void
sockrec_reset(struct sockrec *r, uint64_t cookie)
{
	assoc_clear(&r->assoc);
	registry_drop_parked(r);
	memset(r, 0, sizeof(*r));
	r->assoc.winner = -1;
	r->cookie = cookie;
}

static bool
grow(struct shard *s, size_t slot)
{
	struct sockrec **recs;
	size_t n = s->nrecs ? s->nrecs : 16;

	while (n <= slot)
		n *= 2;
	if ((recs = realloc(s->recs, n * sizeof(*recs))) == NULL)
		return false;
	memset(recs + s->nrecs, 0, (n - s->nrecs) * sizeof(*recs));
	s->recs = recs;
	s->nrecs = n;
	return true;
}

/* Lock fd's shard: the record kept for fd's number, or NULL. */
static struct sockrec *
lock_slot(int fd)
{
	struct shard *s = shard_of(fd);
	size_t slot = (unsigned)fd / NSHARDS;

	pthread_mutex_lock(&s->lock);
	return slot < s->nrecs ? s->recs[slot] : NULL;
}

struct sockrec *
registry_lock(int fd, uint64_t cookie, bool create)
{
	struct shard *s = shard_of(fd);
	size_t slot = (unsigned)fd / NSHARDS;
	struct sockrec *r = lock_slot(fd);

	if (r != NULL && r->cookie != cookie) {
		/* Left by a socket since closed: it is not this one's. */
		if (!create)
			return NULL;
		sockrec_reset(r, cookie);
	}
	if (r != NULL || !create)
		return r;
	if (slot >= s->nrecs && !grow(s, slot))
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->cookie = cookie;
	r->assoc.winner = -1;
	s->recs[slot] = r;
	return r;
}

struct sockrec *
registry_lock_seen(int fd, uint64_t cookie)
{
	struct sockrec *r = lock_slot(fd);

	if (r != NULL && r->cookie != cookie) {
		/*
		 * cookie is the socket fd names now: a record of another is a
		 * closed socket's, and its parked run is freed here, clones
		 * and all (libconnectx(3), Non-blocking use).  A busy one is
		 * a run's between its dup3 and its re-key: left alone.
		 */
		if (!r->busy && r->parked.obj != NULL)
			sockrec_reset(r, cookie);
		return NULL;
	}
	return r;
}

void
registry_unlock(int fd)
{
	pthread_mutex_unlock(&shard_of(fd)->lock);
}

void
registry_park(struct sockrec *r, void *obj, void (*drop)(void *))
{
	r->parked.obj = obj;
	r->parked.drop = drop;
}

void *
registry_claim_parked(struct sockrec *r)
{
	void *obj = r->parked.obj;

	r->parked.obj = NULL;
	r->parked.drop = NULL;
	return obj;
}

void *
registry_peek_parked(const struct sockrec *r)
{
	return r->parked.obj;
}

void
registry_drop_parked(struct sockrec *r)
{
	void (*drop)(void *) = r->parked.drop;
	void *obj = registry_claim_parked(r);

	if (obj != NULL)
		drop(obj);
}

/*
 * Runs parked for cx_step whose socket was closed without it: freed by a
 * sweep that runs once as many runs were parked since the last one as it
 * found still alive then (at least SWEEP_MIN): the cost per park stays
 * constant and the dead runs kept are bounded by the live ones.
 */
#define SWEEP_MIN	64

static pthread_mutex_t sweep_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t parks_since_sweep, alive_at_sweep;

static size_t
sweep(void)
{
	struct sockrec *r;
	size_t i, slot, alive = 0;
	int fd;

	pthread_once(&shards_once, shards_init);
	for (i = 0; i < NSHARDS; i++) {
		pthread_mutex_lock(&shards[i].lock);
		for (slot = 0; slot < shards[i].nrecs; slot++) {
			if ((r = shards[i].recs[slot]) == NULL || r->parked.obj == NULL ||
			    r->busy)
				continue;
			fd = (int)(slot * NSHARDS + i);
			if (sockstate_cookie(fd) == r->cookie)
				alive++;
			else
				sockrec_reset(r, 0);	/* its socket is closed */
		}
		pthread_mutex_unlock(&shards[i].lock);
	}
	return alive;
}

void
registry_parked(void)
{
	bool due;

	pthread_mutex_lock(&sweep_lock);
	due = ++parks_since_sweep >= (alive_at_sweep > SWEEP_MIN ?
	    alive_at_sweep : SWEEP_MIN);
	if (due)
		parks_since_sweep = 0;
	pthread_mutex_unlock(&sweep_lock);
	if (due) {
		size_t alive = sweep();

		pthread_mutex_lock(&sweep_lock);
		alive_at_sweep = alive;
		pthread_mutex_unlock(&sweep_lock);
	}
}

cx_sctp_assoc_t
registry_new_id(void)
{
	uint64_t id = __atomic_add_fetch(&last_id, 1, __ATOMIC_RELAXED);

	return id <= INT32_MAX ? (cx_sctp_assoc_t)id : 0;
}

void
registry_view(int fd, uint64_t cookie, struct sockview *v)
{
	struct sockrec *r = registry_lock(fd, cookie, false);

	memset(v, 0, sizeof(*v));
	if (r != NULL && r->has_policy)
		v->policy = r->policy;
	else
		policy_defaults(&v->policy);
	if (r != NULL) {
		v->done = r->tcp_done;
		v->running = r->parked.obj != NULL || r->busy;
		v->associated = !v->running && r->assoc.winner >= 0;
		v->observer = r->observer;
	}
	registry_unlock(fd);
}

int
registry_claim(int fd, uint64_t cookie, struct sockclone_before *mapped)
{
	struct sockrec *r = registry_lock(fd, cookie, true);
	int err = 0;

	memset(mapped, 0, sizeof(*mapped));
	if (r == NULL)
		err = ENOMEM;
	else if (r->busy || r->parked.obj != NULL)
		err = EALREADY;
	else {
		r->busy = true;
		r->cancel = false;
		*mapped = r->before_mapped;
	}
	registry_unlock(fd);
	return err;
}

bool
registry_cancelled(int fd, uint64_t cookie)
{
	struct sockrec *r = registry_lock(fd, cookie, false);
	bool cancel = r == NULL || r->cancel;

	registry_unlock(fd);
	return cancel;
}

void
registry_policy(int fd, uint64_t cookie, struct policy *p)
{
	struct sockview v;

	registry_view(fd, cookie, &v);
	*p = v.policy;
}

cx_sctp_assoc_t
registry_current_id(const struct sockrec *r)
{
	return r->parked.obj != NULL || r->stepping || r->assoc.winner >= 0 ?
	    r->assoc.id : 0;
}

void
registry_rekey(int fd, uint64_t old_cookie, uint64_t new_cookie)
{
	struct sockrec *rec = registry_lock(fd, old_cookie, false);

	if (rec != NULL)
		rec->cookie = new_cookie;
	registry_unlock(fd);
}
