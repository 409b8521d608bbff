/*
 * Darwin's connectx(2) names, for systems that do not have them.
 * Included by <connectx.h>; do not include directly.
 */
#ifndef CONNECTX_DARWIN_H
#define CONNECTX_DARWIN_H

#include <stdint.h>
#include <sys/socket.h>

#ifndef SAE_ASSOCID_ANY
typedef uint32_t sae_associd_t;
typedef uint32_t sae_connid_t;

#define SAE_ASSOCID_ANY	0
#define SAE_ASSOCID_ALL	((sae_associd_t)(~0U))
#define SAE_CONNID_ANY	0
#define SAE_CONNID_ALL	((sae_connid_t)(~0U))

#define CONNECT_RESUME_ON_READ_WRITE	0x1
#define CONNECT_DATA_IDEMPOTENT		0x2
#define CONNECT_DATA_AUTHENTICATED	0x4

typedef struct sa_endpoints {
	unsigned int		 sae_srcif;	/* interface index, or 0 */
	const struct sockaddr	*sae_srcaddr;	/* source address, or NULL */
	socklen_t		 sae_srcaddrlen;
	const struct sockaddr	*sae_dstaddr;	/* destination(s) */
	socklen_t		 sae_dstaddrlen;
} sa_endpoints_t;
#endif /* !SAE_ASSOCID_ANY */

#endif /* !CONNECTX_DARWIN_H */
