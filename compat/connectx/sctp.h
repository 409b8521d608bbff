/*
 * The SCTP sockets API's sctp_assoc_t, where lksctp-tools' <netinet/sctp.h>
 * is absent.  Included by <connectx.h>; do not include directly.
 *
 * cx_sctp_assoc_t is always the library's signed 32-bit type.  The name
 * sctp_assoc_t is defined only when no other header has defined it:
 * lksctp's (the same type, int32_t) may come before or after this one,
 * since C11 allows a repeated identical typedef; usrsctp.h's (uint32_t)
 * must come first, or define CX_NO_SCTP_ASSOC_T.
 */
#ifndef CONNECTX_SCTP_H
#define CONNECTX_SCTP_H

#include <stdint.h>

typedef int32_t cx_sctp_assoc_t;

#if !defined(CX_NO_SCTP_ASSOC_T) && !defined(__USRSCTP_H__) && \
    !defined(_SCTP_H) && !defined(__linux_sctp_h__)
typedef int32_t sctp_assoc_t;
#endif

#endif /* !CONNECTX_SCTP_H */
