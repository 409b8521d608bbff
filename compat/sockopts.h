/*
 * Linux socket option and flag values that older C libraries do not name.
 * Internal (not installed): the library's own portability header.
 */
#ifndef CX_COMPAT_SOCKOPTS_H
#define CX_COMPAT_SOCKOPTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>

#ifndef SO_COOKIE
#define SO_COOKIE			57
#endif
#ifndef SO_BINDTOIFINDEX
#define SO_BINDTOIFINDEX		62
#endif
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN			0x20000000
#endif
#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT		30
#endif
#ifndef TCP_FASTOPEN_NO_COOKIE
#define TCP_FASTOPEN_NO_COOKIE		34
#endif
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT		24
#endif
/*
 * TCP_INFO as Linux 4.2 and later fill it: the C library's struct tcp_info
 * stops at tcpi_total_retrans, and the kernel only ever appends.  A kernel
 * that fills less returns a shorter length.
 */
struct linux_tcp_info {
	struct tcp_info	base;
	uint64_t	pacing_rate, max_pacing_rate;
	uint64_t	bytes_acked, bytes_received;
	uint32_t	segs_out, segs_in;
};
_Static_assert(sizeof(struct tcp_info) == 104,
    "struct tcp_info grew: take linux_tcp_info's fields from it");
#define LINUX_TCP_INFO_SEGS_LEN \
	(offsetof(struct linux_tcp_info, segs_in) + sizeof(uint32_t))

/* Kernel SCTP, where lksctp-tools' headers are absent. */
#ifndef SOL_SCTP
#define SOL_SCTP			132
#endif
#ifndef SCTP_SOCKOPT_CONNECTX_OLD
#define SCTP_SOCKOPT_CONNECTX_OLD	107
#define SCTP_SOCKOPT_CONNECTX		110
#define SCTP_SOCKOPT_CONNECTX3		111
#endif

/*
 * Kernel SCTP's path-management options and their structures, as Linux's
 * <linux/sctp.h> lays them out (sctp_assoc_t is a 32-bit int there), for
 * the pass-through's failover policy without lksctp's headers.
 */
#ifndef SCTP_RTOINFO
#define SCTP_RTOINFO			0
#define SCTP_ASSOCINFO			1
#define SCTP_PEER_ADDR_PARAMS		9
#endif
#ifndef SCTP_PEER_ADDR_THLDS_V2
#define SCTP_PEER_ADDR_THLDS_V2		37
#endif
#define LINUX_SPP_HB_ENABLE		1

struct linux_sctp_rtoinfo {
	int32_t		srto_assoc_id;
	uint32_t	srto_initial;
	uint32_t	srto_max;
	uint32_t	srto_min;
};

struct linux_sctp_assocparams {
	int32_t		sasoc_assoc_id;
	uint16_t	sasoc_asocmaxrxt;
	uint16_t	sasoc_number_peer_destinations;
	uint32_t	sasoc_peer_rwnd;
	uint32_t	sasoc_local_rwnd;
	uint32_t	sasoc_cookie_life;
};

struct linux_sctp_paddrparams {
	int32_t			spp_assoc_id;
	struct sockaddr_storage	spp_address;
	uint32_t		spp_hbinterval;
	uint16_t		spp_pathmaxrxt;
	uint32_t		spp_pathmtu;
	uint32_t		spp_sackdelay;
	uint32_t		spp_flags;
	uint32_t		spp_ipv6_flowlabel;
	uint8_t			spp_dscp;
} __attribute__((packed, aligned(4)));

struct linux_sctp_paddrthlds_v2 {
	int32_t			spt_assoc_id;
	struct sockaddr_storage	spt_address;
	uint16_t		spt_pathmaxrxt;
	uint16_t		spt_pathpfthld;
	uint16_t		spt_pathcpthld;
};

/* SCTP_STATUS: the association's state and its primary path. */
#ifndef SCTP_STATUS
#define SCTP_STATUS			14
#define SCTP_GET_PEER_ADDR_INFO		15
#endif
#define LINUX_SCTP_COOKIE_WAIT		2
#define LINUX_SCTP_COOKIE_ECHOED	3

struct linux_sctp_paddrinfo {
	int32_t			spinfo_assoc_id;
	struct sockaddr_storage	spinfo_address;
	int32_t			spinfo_state;
	uint32_t		spinfo_cwnd;
	uint32_t		spinfo_srtt;
	uint32_t		spinfo_rto;
	uint32_t		spinfo_mtu;
} __attribute__((packed, aligned(4)));

struct linux_sctp_status {
	int32_t			sstat_assoc_id;
	int32_t			sstat_state;
	uint32_t		sstat_rwnd;
	uint16_t		sstat_unackdata;
	uint16_t		sstat_penddata;
	uint16_t		sstat_instrms;
	uint16_t		sstat_outstrms;
	uint32_t		sstat_fragmentation_point;
	struct linux_sctp_paddrinfo sstat_primary;
};

#endif /* !CX_COMPAT_SOCKOPTS_H */
