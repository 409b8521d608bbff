/*
 * Kernel SCTP: the kernel runs the list itself (its INIT goes to the first
 * address and moves to the others on retransmission), so this transport
 * connects a whole list at once.  The socket options are tried as
 * lksctp-tools tries them: SCTP_SOCKOPT_CONNECTX3 (getsockopt on a
 * struct sctp_getaddrs_old naming the list, the ID returned in it), then SCTP_SOCKOPT_CONNECTX (setsockopt,
 * the ID as its result), then SCTP_SOCKOPT_CONNECTX_OLD (no ID), each
 * fallback only on ENOPROTOOPT.  The two older options cannot report an ID
 * on a non-blocking socket; then the call fails with ENOPROTOOPT, as
 * lksctp's does.
 *
 * Before the list goes to the kernel, the socket gets the failover policy
 * of libconnectx(3), Failover during the association, for the association
 * it makes: RFC 7829's potentially-failed threshold 0
 * (SCTP_PEER_ADDR_THLDS_V2, path.max.retrans kept), RTO.initial F, RTO.min F
 * and RTO.max 4F (SCTP_RTOINFO), heartbeats every F (SCTP_PEER_ADDR_PARAMS)
 * and Association.Max.Retrans 3 (SCTP_ASSOCINFO).  A value the application
 * set itself (one that differs from the kernel's default, net.sctp.* in
 * /proc/sys, or Linux's built-in default where that cannot be read) is
 * left alone.  The kernel's INIT timer starts at RTO.initial, so its INIT
 * moves to the list's next address after F rather than 3 s; the number of
 * INITs and their ceiling (max_init_timeo) are the kernel's as before.  An
 * option the kernel refuses is skipped: the connect goes on.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "sockopts.h"
#include "addrlist.h"
#include "sockio.h"
#include "transport.h"
#include "transport_sctp.h"

struct sctp_sockopt_calls sctp_sockopt_calls = { getsockopt, setsockopt };

/* The kernel's default of a net.sctp sysctl, or Linux's built-in one. */
static long
kernel_default(const char *name, long builtin)
{
	char path[64], buf[32];
	long v = builtin;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/sctp/%s", name);
	if ((f = fopen(path, "re")) == NULL)
		return builtin;
	if (fgets(buf, sizeof(buf), f) != NULL)
		v = strtol(buf, NULL, 10);
	fclose(f);
	return v;
}

static int
kget(int fd, int name, void *buf, socklen_t len)
{
	return sctp_sockopt_calls.get(fd, SOL_SCTP, name, buf, &len) == 0 ? 0 : errno;
}

static void
kset(int fd, int name, const void *buf, socklen_t len)
{
	(void)sctp_sockopt_calls.set(fd, SOL_SCTP, name, buf, len);
}

/* The failover policy on the socket, for the association it is about to make. */
static void
set_failover(int fd, long f)
{
	struct linux_sctp_rtoinfo rto;
	struct linux_sctp_paddrthlds_v2 th;
	struct linux_sctp_paddrparams pp;
	struct linux_sctp_assocparams ap;

	memset(&rto, 0, sizeof(rto));
	if (kget(fd, SCTP_RTOINFO, &rto, sizeof(rto)) == 0) {
		bool own_max = rto.srto_max != (uint32_t)kernel_default("rto_max", 60000);
		bool own_min = rto.srto_min != (uint32_t)kernel_default("rto_min", 1000);
		bool own_initial = rto.srto_initial != (uint32_t)kernel_default("rto_initial", 3000);

		if (!own_max)
			rto.srto_max = (uint32_t)(4 * f);
		if (!own_min)
			rto.srto_min = (uint32_t)f;
		/* The application's own value wins over the policy's. */
		if (rto.srto_min > rto.srto_max) {
			if (own_min && !own_max)
				rto.srto_max = rto.srto_min;
			else
				rto.srto_min = rto.srto_max;
		}
		rto.srto_assoc_id = 0;
		/* RTO.initial is each new path's RTO until a round trip is
		 * measured on it: left at the kernel's 3 s, a path that has
		 * carried nothing yet would wait 3 s for its first timeout. */
		if (own_initial)
			rto.srto_initial = 0;		/* 0: as it is */
		else if ((uint32_t)f < rto.srto_min)
			rto.srto_initial = rto.srto_min;
		else if ((uint32_t)f > rto.srto_max)
			rto.srto_initial = rto.srto_max;
		else
			rto.srto_initial = (uint32_t)f;
		kset(fd, SCTP_RTOINFO, &rto, sizeof(rto));
	}
	memset(&th, 0, sizeof(th));
	if (kget(fd, SCTP_PEER_ADDR_THLDS_V2, &th, sizeof(th)) == 0 &&
	    th.spt_pathpfthld == (uint16_t)kernel_default("pf_retrans", 0)) {
		th.spt_assoc_id = 0;
		th.spt_pathpfthld = 0;		/* path.max.retrans, cpthld as they are */
		kset(fd, SCTP_PEER_ADDR_THLDS_V2, &th, sizeof(th));
	}
	memset(&pp, 0, sizeof(pp));
	if (kget(fd, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp)) == 0 &&
	    pp.spp_hbinterval == (uint32_t)kernel_default("hb_interval", 30000)) {
		memset(&pp, 0, sizeof(pp));	/* 0: as it is */
		pp.spp_hbinterval = (uint32_t)f;
		pp.spp_flags = LINUX_SPP_HB_ENABLE;
		kset(fd, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp));
	}
	memset(&ap, 0, sizeof(ap));
	if (kget(fd, SCTP_ASSOCINFO, &ap, sizeof(ap)) == 0 &&
	    ap.sasoc_asocmaxrxt == (uint16_t)kernel_default("association_max_retrans", 10)) {
		memset(&ap, 0, sizeof(ap));	/* 0: as it is */
		ap.sasoc_asocmaxrxt = 3;
		kset(fd, SCTP_ASSOCINFO, &ap, sizeof(ap));
	}
}

/* The list packed as the kernel takes it. */
static unsigned char *
pack(const struct destlist *dests, size_t *len)
{
	unsigned char *buf, *p;
	size_t i, total = 0;

	for (i = 0; i < dests->n; i++)
		total += dests->v[i].len;
	if ((p = buf = malloc(total)) == NULL)
		return NULL;
	for (i = 0; i < dests->n; i++) {
		memcpy(p, &dests->v[i].ss, dests->v[i].len);
		p += dests->v[i].len;
	}
	*len = total;
	return buf;
}

/*
 * SCTP_SOCKOPT_CONNECTX3 takes the kernel's struct sctp_getaddrs_old: the
 * list's size and address, and room for the ID it returns.
 */
struct connectx3_param {
	int32_t	 assoc_id;
	int	 addr_num;	/* bytes, despite the name */
	void	*addrs;
};

static int
connectx3(int fd, unsigned char *buf, size_t len, cx_sctp_assoc_t *id)
{
	struct connectx3_param param = { 0, (int)len, buf };
	socklen_t optlen = sizeof(param);
	int err;

	err = sctp_sockopt_calls.get(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX3, &param,
	    &optlen) == 0 ? 0 : errno;
	if (err == 0 || err == EINPROGRESS)
		*id = param.assoc_id;
	return err;
}

/*
 * Connect the list; *id is set when an option reported it.  With want_id,
 * an ID that cannot be had is an error (ENOPROTOOPT), as in lksctp.
 */
static int
sctp_connect_list(int fd, const struct destlist *dests, bool want_id,
    long failover_ms, cx_sctp_assoc_t *id)
{
	unsigned char *buf;
	size_t len;
	int err, flags, r;

	*id = 0;
	if ((buf = pack(dests, &len)) == NULL)
		return ENOMEM;
	set_failover(fd, failover_ms);
	if ((err = connectx3(fd, buf, len, id)) != ENOPROTOOPT)
		goto out;
	if (want_id) {
		/* The older options report no ID on a non-blocking socket. */
		if ((flags = fcntl(fd, F_GETFL)) == -1) {
			err = errno;
			goto out;
		}
		if (flags & O_NONBLOCK)
			goto out;
	}
	r = sctp_sockopt_calls.set(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX,
	    buf, (socklen_t)len);
	if (r > 0) {
		*id = r;
		err = 0;
		goto out;
	}
	err = r < 0 ? errno : ENOPROTOOPT;
	if (err != ENOPROTOOPT || want_id)
		goto out;
	/* The oldest option connects but cannot name the association. */
	err = sctp_sockopt_calls.set(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX_OLD,
	    buf, (socklen_t)len) == 0 ? 0 : errno;
out:
	free(buf);
	return err;
}

/*
 * The association's primary path is the address its INIT was answered
 * from: the destination that won (the kernel moves the INIT along the list
 * on its retransmission timers).  A one-to-one socket names its
 * association through SCTP_STATUS only once it is up (EINVAL before, and
 * after it ended); a path of it is found by the peer's address all along
 * (SCTP_GET_PEER_ADDR_INFO), which tells the two apart without taking the
 * socket's error.  Once the kernel has freed an association, nothing says
 * whether it had come up: "ended" is all the record learns.
 */
static int
sctp_which(int fd, cx_sctp_assoc_t id, const struct destlist *dests, int *index)
{
	struct linux_sctp_status st;
	struct linux_sctp_paddrinfo pi;
	socklen_t tlen = sizeof(int);
	int err, type = 0;

	memset(&st, 0, sizeof(st));
	st.sstat_assoc_id = id;
	if ((err = kget(fd, SCTP_STATUS, &st, sizeof(st))) != 0) {
		/* One-to-many: the ID names it while it lives. */
		if (err != EINVAL || dests->n == 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 ||
		    type != SOCK_STREAM)
			return err == EINVAL ? ENOTCONN : err;
		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.spinfo_address, &dests->v[0].ss, dests->v[0].len);
		return kget(fd, SCTP_GET_PEER_ADDR_INFO, &pi, sizeof(pi)) == 0 ?
		    EINPROGRESS : ENOTCONN;
	}
	if (st.sstat_state == LINUX_SCTP_COOKIE_WAIT ||
	    st.sstat_state == LINUX_SCTP_COOKIE_ECHOED)
		return EINPROGRESS;
	*index = addrlist_index_of(dests,
	    (const struct sockaddr *)&st.sstat_primary.spinfo_address);
	return 0;
}

static int
sctp_restore(int fd, const struct sockstate *before)
{
	(void)before;
	return sockio_shutdown(fd);
}

const struct transport transport_sctp = {
	.name = "sctp",
	.finish = sockio_pending_error,
	.abandon = sockio_keep,	/* the kernel undoes a failed association */
	.restore = sctp_restore,
	.send = sockio_send_some,
	.disconnect = sockio_shutdown,	/* one-to-one: graceful */
	.connect_list = sctp_connect_list,
	.which = sctp_which,
};
