/*
 * First-flight data and the rest of the caller's data (HACKING.md, "Fast
 * open").
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine_data.h"
#include "engine_run.h"
#include "transport.h"

/* The most a first flight can take: one segment of at most 64 KiB. */
#define SYN_DATA_MAX	65535

int
run_send_rest(struct run *r, const struct iovec *iov, int iovcnt,
    const struct sockstate *st, size_t *sent)
{
	struct iovec rest[1024];
	size_t skip = r->winner_taken, more = 0;
	int i, n = 0, err;

	for (i = 0; i < iovcnt; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		rest[n].iov_base = (char *)iov[i].iov_base + skip;
		rest[n++].iov_len = iov[i].iov_len - skip;
		skip = 0;
	}
	/*
	 * Data goes only to the run's own socket: the confirm's look after
	 * the start (r->looked) cannot tell it from another established TCP
	 * socket dup2(2)'d onto the number (connectx(2) BUGS), the cookie can.
	 */
	if (!run_user_fd_asked(r))
		return ECONNABORTED;
	err = n > 0 ? r->tp->send(r->fd, rest, n, &more) : 0;
	*sent = r->winner_taken + more;
	if (err != 0) {
		*sent = 0;
		r->tp->restore(r->fd, st);
	}
	return err;
}

int
run_send_owed(struct run *r)
{
	size_t off = r->winner_taken + r->owed_sent;
	ssize_t n;

	/*
	 * As run_send_rest: the bytes go to the run's own socket only; the
	 * observer (told of the win just before) or another thread may have
	 * closed the number or dup2(2)'d another socket onto it.
	 */
	if (off < r->synlen && !run_user_fd_asked(r))
		return ECONNABORTED;
	while (off < r->synlen) {
		n = send(r->fd, r->syn + off, r->synlen - off,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			r->owed_sent += (size_t)n;
		} else if (n < 0 && errno == EWOULDBLOCK)
			return EAGAIN;
		else if (n < 0 && errno != EINTR)
			return errno;
	}
	return 0;
}

bool
run_copy_syn_data(struct run *r, const struct iovec *iov, int iovcnt,
    bool no_cookie)
{
	size_t total = 0, n;
	int i;

	for (i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	r->synlen = total < SYN_DATA_MAX ? total : SYN_DATA_MAX;
	if (r->synlen == 0 || (r->syn = malloc(r->synlen)) == NULL)
		return r->synlen == 0;
	for (i = 0, total = 0; total < r->synlen; i++) {
		n = iov[i].iov_len < r->synlen - total ?
		    iov[i].iov_len : r->synlen - total;
		memcpy(r->syn + total, iov[i].iov_base, n);
		total += n;
	}
	r->no_cookie = no_cookie;
	return true;
}

void
run_settle_owed(struct run *r, size_t *sent)
{
	unsigned char *p;

	*sent = r->nlive > 0 ? r->live[0].taken : 0;
	r->synlen = *sent;
	if (r->synlen == 0) {
		free(r->syn);
		r->syn = NULL;
	} else if ((p = realloc(r->syn, r->synlen)) != NULL)
		r->syn = p;	/* a parked run keeps only what is owed */
}
