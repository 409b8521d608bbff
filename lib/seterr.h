/* The public calls' way out on failure: errno set, -1 returned. */
#ifndef CX_SETERR_H
#define CX_SETERR_H

#include <errno.h>

static inline int
fail_errno(int err)
{
	errno = err;
	return -1;
}

#endif /* !CX_SETERR_H */
