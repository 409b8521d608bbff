/*
 * disconnectx(2): end the association a socket holds, through its
 * transport, and drop the record of it.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>

#include "connectx.h"
#include "engine.h"
#include "registry.h"
#include "sockstate.h"
#include "transport.h"

int
disconnectx(int fd, sae_associd_t associd, sae_connid_t connid)
{
	struct sockstate st;
	struct sockrec *rec;
	cx_sctp_assoc_t current = 0;
	bool running = false;
	int err = 0;

	if ((err = sockstate_identify(fd, &st)) != 0)
		goto fail;
	if ((rec = registry_lock(fd, st.cookie, false)) != NULL) {
		current = registry_current_id(rec);
		running = rec->run != NULL;
	}
	registry_unlock(fd);
	if ((associd != SAE_ASSOCID_ANY && associd != SAE_ASSOCID_ALL &&
	    (current == 0 || associd != (sae_associd_t)current)) ||
	    (connid != SAE_CONNID_ANY && connid != SAE_CONNID_ALL && connid != 1)) {
		err = EINVAL;
		goto fail;
	}
	if ((err = sockstate_inspect(&st)) != 0)
		goto fail;
	if (st.tp == NULL) {
		err = EOPNOTSUPP;
		goto fail;
	}
	if (!st.connected && !st.connecting && !running) {
		err = ENOTCONN;
		goto fail;
	}
	/* A run between attempts has nothing in the kernel to end. */
	if (st.connected || st.connecting)
		err = st.tp->disconnect(fd);

	if ((rec = registry_lock(fd, st.cookie, true)) != NULL) {
		assoc_clear(&rec->assoc);
		engine_run_free(rec->run);
		rec->run = NULL;
		if (st.tp->connects_once)
			rec->tcp_done = true;
	}
	registry_unlock(fd);
	if (err != 0)
		goto fail;
	return 0;
fail:
	errno = err;
	return -1;
}
