/* cx_step(): the non-blocking front-end of the engine. */
#include <config.h>

#include <errno.h>

#include "connectx.h"
#include "engine.h"

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
