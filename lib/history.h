/*
 * The engine's memory of destinations that recently stayed silent or
 * failed (RFC 8305, section 4): per process, bounded, entries expiring.
 * Keyed by address, port and protocol; an IPv4-mapped IPv6 address is the
 * IPv4 one.  Thread-safe.  See connectx(2), "History".
 */
#ifndef CX_HISTORY_H
#define CX_HISTORY_H

#include <stdbool.h>
#include <sys/socket.h>

/* Remember sa (protocol proto) as silent for lifetime_ms from now. */
void	history_remember(const struct sockaddr *sa, int proto, long lifetime_ms);

/* sa answered: forget it.  Costs no lock while nothing is remembered. */
void	history_forget(const struct sockaddr *sa, int proto);

/* Whether sa is remembered as silent, and not yet expired. */
bool	history_recalls(const struct sockaddr *sa, int proto);

#endif /* !CX_HISTORY_H */
