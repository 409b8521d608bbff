/*
 * The records of usrsctp sockets and the cx_usrsctp_ queries over them.
 *
 * A usrsctp socket has no descriptor and no close hook the library could
 * use, so its record is keyed by the struct socket's address and stamped
 * with the socket's local port.  Every lookup compares the stamp with the
 * socket: a record left by a closed socket whose memory now holds another
 * is dropped on sight, unless the new socket has the same local port (an
 * explicit bind to it) -- that case cannot be told apart.  Records of
 * closed sockets otherwise stay until their address is looked up again.
 */
#include <config.h>

#include <usrsctp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "connectx_usrsctp.h"
#include "addrlist.h"
#include "registry.h"
#include "transport_usrsctp.h"

static int
fail(int err)
{
	errno = err;
	return -1;
}

uint32_t
us_stamp(struct socket *so)
{
	struct sockaddr *addrs;
	uint32_t port;
	int n;

	n = usrsctp_getladdrs(so, SCTP_FUTURE_ASSOC, &addrs);
	if (n <= 0)
		return 0;
	port = addr_port(addrs);
	usrsctp_freeladdrs(addrs);
	return port;
}

struct ptrrec *
us_lock_rec(struct socket *so)
{
	uint32_t stamp = us_stamp(so);
	struct ptrrec *rec = registry_lock_ptr(so, false);

	if (rec != NULL && rec->stamp != stamp) {
		registry_drop_ptr(so);
		rec = NULL;
	}
	return rec;
}

/* An address as compared: IPv4-mapped IPv6 taken as the IPv4 address. */
static void
canonical(const struct sockaddr_storage *ss, struct dest *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(&out->ss, ss, addr_size(ss->ss_family));
	out->len = addr_size(ss->ss_family);
	addr_unmap_v4(out);
}

static bool
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	struct dest ca, cb;
	const struct sockaddr_in *a4, *b4;
	const struct sockaddr_in6 *a6, *b6;

	canonical(a, &ca);
	canonical(b, &cb);
	if (ca.ss.ss_family != cb.ss.ss_family)
		return false;
	if (ca.ss.ss_family == AF_INET) {
		a4 = (const struct sockaddr_in *)(const void *)&ca.ss;
		b4 = (const struct sockaddr_in *)(const void *)&cb.ss;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (ca.ss.ss_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)(const void *)&ca.ss;
		b6 = (const struct sockaddr_in6 *)(const void *)&cb.ss;
		return a6->sin6_port == b6->sin6_port &&
		    IN6_ARE_ADDR_EQUAL(&a6->sin6_addr, &b6->sin6_addr);
	}
	return false;
}

/* The packed list usrsctp_getpaddrs gave, as a destlist (AF_INET/AF_INET6 only). */
static int
read_peers(struct socket *so, sctp_assoc_t id, struct destlist *out)
{
	struct sockaddr *addrs;
	const unsigned char *p;
	struct sockaddr sa;
	socklen_t sz;
	int i, n;

	out->v = NULL;
	out->n = 0;
	if ((n = usrsctp_getpaddrs(so, id, &addrs)) < 0)
		return errno == ENOMEM ? ENOMEM : ENOTCONN;
	if (n == 0)
		return ENOTCONN;
	if ((out->v = calloc((size_t)n, sizeof(*out->v))) == NULL) {
		usrsctp_freepaddrs(addrs);
		return ENOMEM;
	}
	p = (const unsigned char *)addrs;
	for (i = 0; i < n; i++) {
		memcpy(&sa, p, sizeof(sa));
		if ((sz = addr_size(sa.sa_family)) == 0)
			break;		/* AF_CONN: not one of ours */
		memcpy(&out->v[out->n].ss, p, sz);
		out->v[out->n].len = sz;
		out->n++;
		p += sz;
	}
	usrsctp_freepaddrs(addrs);
	return 0;
}

int
us_refresh(struct socket *so, struct ptrrec *rec)
{
	struct sctp_status st;
	socklen_t len = sizeof(st);
	sctp_assoc_t id = (sctp_assoc_t)rec->assoc.id;
	size_t i;
	int err;

	if (rec->up)
		return 0;
	memset(&st, 0, sizeof(st));
	st.sstat_assoc_id = id;
	if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_STATUS, &st, &len) != 0)
		return ENOTCONN;
	if (st.sstat_state == SCTP_COOKIE_WAIT || st.sstat_state == SCTP_COOKIE_ECHOED)
		return EINPROGRESS;
	addrlist_free(&rec->peers);
	if ((err = read_peers(so, id, &rec->peers)) != 0)
		return err;
	rec->assoc.winner = -1;
	for (i = 0; i < rec->assoc.dests.n; i++)
		if (same_addr(&rec->assoc.dests.v[i].ss, &st.sstat_primary.spinfo_address)) {
			rec->assoc.winner = (int)i;
			break;
		}
	rec->up = true;
	return 0;
}

/*
 * The record of so, completed if its association has come up since: 0 with
 * the lock held, or an errno with it released.  A non-blocking connect that
 * never came up leaves no record.
 */
static int
lock_current(struct socket *so, struct ptrrec **recp, bool need_up)
{
	struct ptrrec *rec;
	int err;

	if (so == NULL)
		return EBADF;
	if ((rec = us_lock_rec(so)) == NULL) {
		registry_unlock_ptr(so);
		return ENOTCONN;
	}
	err = us_refresh(so, rec);
	if (err == ENOTCONN)
		registry_drop_ptr(so);
	if (err == EINPROGRESS && !need_up)
		err = 0;
	if (err == EINPROGRESS)
		err = ENOTCONN;
	if (err != 0) {
		registry_unlock_ptr(so);
		return err;
	}
	*recp = rec;
	return 0;
}

int
cx_usrsctp_getassocid(struct socket *so, sctp_assoc_t *id)
{
	struct ptrrec *rec;
	int err;

	if (so != NULL && id == NULL)
		return fail(EINVAL);
	if ((err = lock_current(so, &rec, false)) != 0)
		return fail(err);
	*id = (sctp_assoc_t)rec->assoc.id;
	registry_unlock_ptr(so);
	return 0;
}

int
cx_usrsctp_getpaddrs(struct socket *so, sctp_assoc_t id, struct sockaddr **addrs)
{
	struct ptrrec *rec;
	unsigned char *p;
	size_t i, total = 0;
	int err, n;

	if (so != NULL && addrs == NULL)
		return fail(EINVAL);
	if ((err = lock_current(so, &rec, true)) != 0)
		return fail(err);
	if (id != 0 && id != (sctp_assoc_t)rec->assoc.id) {
		registry_unlock_ptr(so);
		return fail(EINVAL);
	}
	for (i = 0; i < rec->peers.n; i++)
		total += rec->peers.v[i].len;
	if ((p = malloc(total ? total : 1)) == NULL) {
		registry_unlock_ptr(so);
		return fail(ENOMEM);
	}
	*addrs = (struct sockaddr *)(void *)p;
	for (i = 0; i < rec->peers.n; i++) {
		memcpy(p, &rec->peers.v[i].ss, rec->peers.v[i].len);
		p += rec->peers.v[i].len;
	}
	n = (int)rec->peers.n;
	registry_unlock_ptr(so);
	return n;
}
