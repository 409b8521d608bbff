/*
 * disconnectx(2): end the association a socket holds, through its
 * transport, and drop the record of it.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>

#include "connectx.h"
#include "registry.h"
#include "sockstate.h"
#include "transport.h"

int
disconnectx(int fd, sae_associd_t associd, sae_connid_t connid)
{
	struct sockstate st;
	struct sockrec *rec;
	cx_sctp_assoc_t current = 0;
	bool running = false, busy = false;
	int err = 0;

	if ((err = sockstate_identify(fd, &st)) != 0)
		goto fail;
	if ((rec = registry_lock(fd, st.cookie, false)) != NULL) {
		current = registry_current_id(rec);
		running = registry_peek_parked(rec) != NULL || rec->busy;
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
	/*
	 * The record first.  A call working on the socket's run (a blocking
	 * connectx in another thread, or cx_step) is asked to stop: it fails
	 * with ECONNABORTED and records nothing (HACKING.md, Verdicts).
	 */
	if ((rec = registry_lock(fd, st.cookie, true)) != NULL) {
		assoc_clear(&rec->assoc);
		registry_drop_parked(rec);
		busy = rec->cancel = rec->busy;
		if (st.tp->connects_once)
			rec->tcp_done = true;
	}
	registry_unlock(fd);
	/*
	 * Then the kernel's connect, which wakes that call.  Looked at again:
	 * the call may have begun an attempt on the socket since; one it
	 * begins from now on, it ends itself.
	 */
	if (busy && (err = sockstate_inspect(&st)) != 0)
		goto fail;
	/* A run between attempts has nothing in the kernel to end. */
	if (st.connected || st.connecting)
		err = st.tp->disconnect(fd);
	/*
	 * A dissolve that failed and left the association as it was (UDP,
	 * the port could not be kept): its record stays too.
	 */
	if (err != 0 && !running && st.tp == &transport_udp) {
		struct sockstate after = st;

		if (sockstate_inspect(&after) == 0 && after.connected)
			goto fail;
	}
	if (err != 0)
		goto fail;
	return 0;
fail:
	errno = err;
	return -1;
}
