/*
 * Starting a usrsctp stack for a program: the command-line tool's -S, the
 * benchmarks and the tests (not the library, which never starts one: the
 * application does, cx_usrsctp_connectx(3)).  Compiled into each of them,
 * as lib/addrlist.c is into both libraries (HACKING.md), so that none of
 * them reaches into another's directory.
 */
#ifndef CX_USRSCTP_STACK_H
#define CX_USRSCTP_STACK_H

#include <stdint.h>

/* A UDP port free right now on both 0.0.0.0 and :: (host order), or 0. */
uint16_t	usstack_free_port(void);

/*
 * usrsctp_init with its UDP encapsulation on such a port, which is
 * returned (host order; 0 when none could be had: usrsctp picks none).
 */
uint16_t	usstack_start(void);

#endif
