/*
 * Policy values, their ranges, and the process defaults.  The environment
 * is read once, on first use; a bad value there is ignored with one line on
 * stderr, since a program that cannot be changed has no errno to look at.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

#include "connectx.h"
#include "policy.h"

struct option_desc {
	int		 opt;
	const char	*env;
	size_t		 off;
	long		 min, max;
	bool		 zero_ok;	/* 0 means "none" / "the kernel's" */
};

static const struct option_desc options[] = {
	{ CX_OPT_ATTEMPT_DELAY_MS, "CX_ATTEMPT_DELAY_MS",
	    offsetof(struct policy, attempt_delay_ms), 10, 2000, false },
	{ CX_OPT_ATTEMPT_TIMEOUT_MS, "CX_ATTEMPT_TIMEOUT_MS",
	    offsetof(struct policy, attempt_timeout_ms), 10, 600000, true },
	{ CX_OPT_TOTAL_TIMEOUT_MS, "CX_TOTAL_TIMEOUT_MS",
	    offsetof(struct policy, total_timeout_ms), 10, 3600000, true },
	{ CX_OPT_MAX_PARALLEL, "CX_MAX_PARALLEL",
	    offsetof(struct policy, max_parallel), 1, 16, false },
	/* Not set (0, never settable), F follows the attempt delay. */
	{ CX_OPT_FAILOVER_MS, "CX_FAILOVER_MS",
	    offsetof(struct policy, failover_ms), 10, 2000, false },
	{ CX_OPT_HISTORY, "CX_HISTORY",
	    offsetof(struct policy, history), 0, 1, false },
	{ CX_OPT_HISTORY_MS, "CX_HISTORY_MS",
	    offsetof(struct policy, history_ms), 10, 86400000, false },
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static struct policy defaults = {
	.attempt_delay_ms = 250,	/* RFC 8305's Connection Attempt Delay */
	.attempt_timeout_ms = 0,
	.total_timeout_ms = 0,
	.max_parallel = 4,
	.failover_ms = 0,		/* the attempt delay */
	.history = 1,
	.history_ms = 600000,		/* ten minutes */
};

static const struct option_desc *
find(int opt)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++)
		if (options[i].opt == opt)
			return &options[i];
	return NULL;
}

static bool
in_range(const struct option_desc *d, long v)
{
	return (v == 0 && d->zero_ok) || (v >= d->min && v <= d->max);
}

static long *
field(struct policy *p, const struct option_desc *d)
{
	return (long *)(void *)((char *)p + d->off);
}

/*
 * A value of the environment: decimal digits alone (strtol(3) would take
 * a sign and leading blanks too), at most max; -1 otherwise.
 */
static long
env_number(const char *s, long max)
{
	long v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9' && v <= max; p++)
		v = v * 10 + (*p - '0');
	return p == s || *p != '\0' || v > max ? -1 : v;
}

static void
read_environment(void)
{
	const char *s;
	long v;
	size_t i;

	for (i = 0; i < NOPTIONS; i++) {
		if ((s = getenv(options[i].env)) == NULL)
			continue;
		v = env_number(s, options[i].max);
		if (v == -1 || !in_range(&options[i], v)) {
			fprintf(stderr, "libconnectx: ignoring %s=\"%s\" "
			    "(allowed: %s%ld..%ld)\n", options[i].env, s,
			    options[i].zero_ok ? "0 or " : "",
			    options[i].min, options[i].max);
			continue;
		}
		*field(&defaults, &options[i]) = v;
	}
}

/*
 * The defaults are read on every connect from every thread: each value is
 * read and written atomically, with no lock, so calls on different sockets
 * never meet here.  A reader racing cx_setdefault may see one option old
 * and another new; each is a valid value.
 */
void
policy_defaults(struct policy *p)
{
	size_t i;

	pthread_once(&env_once, read_environment);
	for (i = 0; i < NOPTIONS; i++)
		*field(p, &options[i]) = __atomic_load_n(field(&defaults,
		    &options[i]), __ATOMIC_RELAXED);
}

int
policy_set(struct policy *p, int opt, long value)
{
	const struct option_desc *d = find(opt);

	if (d == NULL || !in_range(d, value))
		return EINVAL;
	*field(p, d) = value;
	return 0;
}

long
policy_failover_ms(const struct policy *p)
{
	return p->failover_ms > 0 ? p->failover_ms : p->attempt_delay_ms;
}

int
policy_get(const struct policy *p, int opt, long *value)
{
	const struct option_desc *d = find(opt);

	if (d == NULL || value == NULL)
		return EINVAL;
	*value = opt == CX_OPT_FAILOVER_MS ? policy_failover_ms(p) :
	    *field((struct policy *)(uintptr_t)p, d);
	return 0;
}

int
policy_set_default(int opt, long value)
{
	const struct option_desc *d = find(opt);

	pthread_once(&env_once, read_environment);
	if (d == NULL || !in_range(d, value))
		return EINVAL;
	__atomic_store_n(field(&defaults, d), value, __ATOMIC_RELAXED);
	return 0;
}

int
policy_get_default(int opt, long *value)
{
	const struct option_desc *d = find(opt);

	pthread_once(&env_once, read_environment);
	if (d == NULL || value == NULL)
		return EINVAL;
	*value = __atomic_load_n(field(&defaults, d), __ATOMIC_RELAXED);
	if (opt == CX_OPT_FAILOVER_MS && *value == 0)
		*value = __atomic_load_n(&defaults.attempt_delay_ms, __ATOMIC_RELAXED);
	return 0;
}
