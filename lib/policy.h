/*
 * The engine's policy: attempt delay, per-attempt and total timeouts, the
 * parallel cap, the history of silent destinations.  Process defaults come
 * from the environment once, and from cx_setdefault(); a socket may carry
 * its own (cx_setopt, in the registry).
 */
#ifndef CX_POLICY_H
#define CX_POLICY_H

struct policy {
	long	attempt_delay_ms;
	long	attempt_timeout_ms;	/* 0: none beyond the stagger */
	long	total_timeout_ms;	/* 0: the kernel's */
	long	max_parallel;
	long	failover_ms;		/* F; 0: not set, the attempt delay */
	long	history;		/* 1: remember silent destinations */
	long	history_ms;		/* how long they are remembered */
};

/*
 * F, the failover bound during an association (libconnectx(3), Failover
 * during the association): its own value, or the attempt delay.
 */
long	policy_failover_ms(const struct policy *);

/* The process defaults now. */
void	policy_defaults(struct policy *);
int	policy_set_default(int opt, long value);
int	policy_get_default(int opt, long *value);

/* One option of p: 0, or EINVAL for an unknown option or a value out of range. */
int	policy_set(struct policy *p, int opt, long value);
int	policy_get(const struct policy *p, int opt, long *value);

#endif /* !CX_POLICY_H */
