/*
 * A minimal stand-in for LTP's test.h, written for this project: lksctp-tools'
 * functional tests include it (with -DLTP) and Debian's source package does
 * not ship it.  Only what those tests use: the result types, TCID/TST_TOTAL/
 * TST_CNT (each test defines them), tst_resm, tst_brkm and tst_exit.  Output
 * lines are "TCID  N PASS|FAIL|BROK|INFO : message", as lksctp's own
 * fallback prints them; tst_brkm ends the program with status 2 (LTP's
 * would call the cleanup function, which these tests give as tst_exit).
 */
#ifndef CX_LTP_TEST_H
#define CX_LTP_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define TPASS	0
#define TFAIL	1
#define TBROK	2
#define TWARN	4
#define TINFO	16

extern char *TCID;
extern int TST_TOTAL;
extern int TST_CNT;

static const char *
tst_type_name(int ttype)
{
	switch (ttype) {
	case TPASS: return "PASS";
	case TFAIL: return "FAIL";
	case TBROK: return "BROK";
	case TWARN: return "WARN";
	default:    return "INFO";
	}
}

static void __attribute__((format(printf, 2, 3), unused))
tst_resm(int ttype, const char *fmt, ...)
{
	va_list ap;

	printf("%s %2d %s : ", TCID, ttype == TPASS || ttype == TFAIL ?
	    ++TST_CNT : TST_CNT, tst_type_name(ttype));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void __attribute__((noreturn, unused))
tst_exit(void)
{
	exit(0);
}

static void __attribute__((format(printf, 3, 4), noreturn, unused))
tst_brkm(int ttype, void (*cleanup)(void), const char *fmt, ...)
{
	va_list ap;

	(void)cleanup;	/* tst_exit: would end with 0, and this is a break */
	printf("%s %2d %s : ", TCID, ++TST_CNT, tst_type_name(ttype));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(2);
}

#endif
