/* Monotonic milliseconds and timespec arithmetic, for the engine's clock. */
#ifndef CX_TIMEUTIL_H
#define CX_TIMEUTIL_H

#include <stdint.h>
#include <time.h>

static inline struct timespec
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

static inline int64_t
ts_ms(struct timespec ts)
{
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline struct timespec
ts_add_ms(struct timespec ts, int64_t ms)
{
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

/* Milliseconds from now until t, rounded up, never negative. */
static inline int64_t
ms_until(struct timespec now, struct timespec t)
{
	int64_t ns = (int64_t)(t.tv_sec - now.tv_sec) * 1000000000 +
	    (t.tv_nsec - now.tv_nsec);

	return ns <= 0 ? 0 : (ns + 999999) / 1000000;
}

static inline int
ts_before(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

#endif /* !CX_TIMEUTIL_H */
