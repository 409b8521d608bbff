/*
 * usrsctp 0.9.5 handles SCTP_PEER_ADDR_THLDS (per-path failure and RFC 7829
 * "potentially failed" thresholds: sctp_usrreq.c sets and gets it) but its
 * public <usrsctp.h> names neither the option nor its structure.  These are
 * the values of its own netinet/sctp.h and netinet/sctp_uio.h (FreeBSD's
 * layout: the address first).  usrsctp has no primary-switchover threshold:
 * spt_pathcpthld reads 0xffff and must be written as 0xffff.
 * Include after <usrsctp.h>; a later usrsctp that names them wins.
 */
#ifndef CX_COMPAT_USRSCTP_THLDS_H
#define CX_COMPAT_USRSCTP_THLDS_H

#include <stdint.h>
#include <sys/socket.h>

#ifndef SCTP_PEER_ADDR_THLDS
#define SCTP_PEER_ADDR_THLDS	0x00000023

struct sctp_paddrthlds {
	struct sockaddr_storage	spt_address;
	sctp_assoc_t		spt_assoc_id;
	uint16_t		spt_pathmaxrxt;
	uint16_t		spt_pathpfthld;
	uint16_t		spt_pathcpthld;
};
#endif

#endif /* !CX_COMPAT_USRSCTP_THLDS_H */
