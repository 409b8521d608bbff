/*
 * Seating a socket on the user's descriptor number, and the clone recipe
 * that makes it possible (sockclone.c).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>

#include "engine_run.h"
#include "engine_seat.h"
#include "registry.h"
#include "sockclone.h"
#include "sockstate.h"
#include "transport.h"

int
run_move_to_user_fd(struct run *r, int fd, int flags)
{
	uint64_t cookie;
	int fdflags;

	if (!run_user_fd_ours(r))
		return ECONNABORTED;
	if ((fdflags = fcntl(r->fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFL, flags) == -1)
		return errno;
	/* Looked at last just before: the window left is in CAVEATS. */
	if (!run_user_fd_ours(r))
		return ECONNABORTED;
	if (dup3(fd, r->fd, (fdflags & FD_CLOEXEC) ? O_CLOEXEC : 0) == -1)
		return errno;
	close(fd);
	cookie = sockstate_cookie(r->fd);
	registry_rekey(r->fd, r->cookie, cookie);
	r->cookie = cookie;
	return 0;
}

int
run_user_fd_flags(struct run *r)
{
	return r->handed_back ? fcntl(r->fd, F_GETFL) : r->user_flags;
}

int
run_user_fd_nonblock(struct run *r)
{
	int flags;

	/* Where the kernel does the waiting, the start is meant to wait. */
	if (!r->handed_back || !(r->nonblocking || r->toggled) ||
	    (flags = fcntl(r->fd, F_GETFL)) == -1 ||
	    (flags & O_NONBLOCK) ||
	    fcntl(r->fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return -1;
	return flags;
}

void
run_user_fd_restore(struct run *r, int flags)
{
	if (flags != -1 && run_user_fd_ours(r))
		fcntl(r->fd, F_SETFL, flags);
}

static bool
learn_recipe(struct run *r)
{
	if (r->recipe == NULL && (r->recipe = malloc(sizeof(*r->recipe))) != NULL &&
	    sockclone_learn(r->fd, r->user_mapped ? &r->before : NULL,
	    &r->early, r->recipe) != 0) {
		free(r->recipe);
		r->recipe = NULL;
	}
	return r->recipe != NULL;
}

int
run_renew_user_socket(struct run *r)
{
	int fd, flags, err;

	if (!r->user_mapped || addr_is_v4mapped(&r->dests.v[r->next]))
		return 0;
	if (r->gone)
		return ECONNABORTED;
	/*
	 * Not known to be mapped (a connect of the application's ran on it):
	 * with no faithful fresh socket to be had, or not AF_INET6 after
	 * all, the attempt runs on the socket itself.
	 */
	if (!learn_recipe(r) || r->recipe->family != AF_INET6) {
		if (!r->maybe_mapped)
			return ENOTSUP;
		r->user_mapped = r->maybe_mapped = false;
		return 0;
	}
	if ((flags = fcntl(r->fd, F_GETFL)) == -1 ||
	    (fd = sockclone_make(r->recipe)) == -1)
		return errno;
	if ((err = run_move_to_user_fd(r, fd, flags)) != 0) {
		close(fd);
		return err;
	}
	r->user_mapped = r->maybe_mapped = false;
	return 0;
}

void
run_note_user_socket(struct run *r, const struct sockstate *st)
{
	bool mapped = false, native = false;
	size_t i;

	for (i = 0; i < r->dests.n && r->tp->sticky_v4mapped; i++) {
		if (addr_is_v4mapped(&r->dests.v[i]))
			mapped = true;
		else if (r->dests.v[i].ss.ss_family == AF_INET6)
			native = true;
	}
	/* For a later call, which may need one too (HACKING.md, Verdicts). */
	if (mapped && !r->before.set)
		sockclone_note(r->fd, &st->local, &r->before);
	/*
	 * What the first attempt's connect(2) will change, for a recipe
	 * learnt after it (run_learn_clones): a few reads, where the recipe
	 * takes a hundred and more.
	 */
	if ((r->policy.max_parallel >= 2 && r->dests.n >= 2) || (mapped && native))
		sockclone_note_early(r->fd, st->type == SOCK_STREAM &&
		    st->protocol == IPPROTO_TCP, st->ran_connect, !r->before.set,
		    &r->early);
	if (mapped && native)
		learn_recipe(r);
}

void
run_decide_clones(struct run *r)
{
	r->clones = r->policy.max_parallel >= 2 && r->dests.n >= 2 &&
	    r->early.set ? CLONES_UNLEARNT : CLONES_NO;
}

int
run_learn_clones(struct run *r)
{
	/* Learnt already, for a renewal, with no attempt on the socket. */
	bool before_any = r->recipe != NULL, learnt;
	int err;

	if (r->clones != CLONES_UNLEARNT)
		return EINPROGRESS;
	learnt = learn_recipe(r);
	/*
	 * Read while the attempt on the user's socket was in its handshake,
	 * which changes nothing but what the note holds: the transport says
	 * so now.  Otherwise it ended meanwhile (an established connection
	 * grows its buffers, which may then not copy): whatever was learnt,
	 * or found not to copy, is let go, and that end is the caller's to
	 * take.
	 */
	if (!before_any && r->user_busy &&
	    (err = r->tp->finish(r->fd)) != EINPROGRESS) {
		free(r->recipe);
		r->recipe = NULL;
		return err;
	}
	r->clones = learnt ? CLONES_OK : CLONES_NO;
	return EINPROGRESS;
}
