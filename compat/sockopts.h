/*
 * Linux socket option and flag values that older C libraries do not name.
 * Internal (not installed): the library's own portability header.
 */
#ifndef CX_COMPAT_SOCKOPTS_H
#define CX_COMPAT_SOCKOPTS_H

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
