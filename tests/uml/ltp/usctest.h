/*
 * A stand-in for LTP's usctest.h, written for this project: lksctp-tools'
 * sctputil.h includes it under -DLTP; nothing from it is used by the
 * sctp_connectx tests the kernel lane runs (tests/uml/lksctp.sh).
 */
#ifndef CX_LTP_USCTEST_H
#define CX_LTP_USCTEST_H
#endif
