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

#endif /* !CX_COMPAT_SOCKOPTS_H */
