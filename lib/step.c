/*
 * cx_step(), cx_fds(), cx_timeout(): the non-blocking front-end of the
 * engine, for event loops (libconnectx(3), "Non-blocking use").
 */
#include <config.h>

#include <errno.h>

#include "connectx.h"
#include "engine_step.h"

int
cx_step(int fd, int *wait_ms)
{
	int dummy, err = engine_step(fd, wait_ms != NULL ? wait_ms : &dummy);

	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

int
cx_fds(int fd, struct pollfd *fds, int n)
{
	int count, err = engine_fds(fd, fds, n, &count);

	if (err != 0) {
		errno = err;
		return -1;
	}
	return count;
}

int
cx_timeout(int fd, int *wait_ms)
{
	int dummy, err = engine_timeout(fd, wait_ms != NULL ? wait_ms : &dummy);

	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}
