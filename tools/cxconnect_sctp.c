/*
 * cxconnect -S port: the list over usrsctp, the userland SCTP stack, with
 * UDP encapsulation to the peer's UDP port (cxconnect(1), SCTP).  The
 * association is made by cx_usrsctp_connectx(3), so its failover is
 * bounded by the policy while connecting and during the association; -v
 * prints each path event usrsctp reports (the tool, as the application,
 * subscribes to SCTP_PEER_ADDR_CHANGE and reads it from its own receive
 * path).  stdin goes to the peer, the peer to stdout.
 */
#include <config.h>

#include "cxconnect_sctp.h"

#ifdef HAVE_USRSCTP
#include <connectx_usrsctp.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "usrsctp_stack.h"

#define CHUNK		65536
#define QUIET_MS	500	/* after stdin's end, before the SHUTDOWN */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Everything sent is acknowledged (or the association is gone). */
static bool
all_acked(struct socket *so)
{
	struct sctp_status st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_STATUS, &st, &len) != 0)
		return true;
	return st.sstat_unackdata == 0 && st.sstat_penddata == 0;
}

static const char *
addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in *sin = (const void *)ss;
	const struct sockaddr_in6 *sin6 = (const void *)ss;

	if (ss->ss_family == AF_INET)
		return inet_ntop(AF_INET, &sin->sin_addr, buf, (socklen_t)len);
	if (ss->ss_family == AF_INET6)
		return inet_ntop(AF_INET6, &sin6->sin6_addr, buf, (socklen_t)len);
	return "?";
}

static void
show_paths(struct socket *so)
{
	struct cx_usrsctp_path *p;
	char a[INET6_ADDRSTRLEN];
	int i, n;

	if ((n = cx_usrsctp_getpaths(so, 0, &p)) < 0)
		return;
	for (i = 0; i < n; i++)
		fprintf(stderr, "cxconnect: path %s %s%s, RTO %u ms\n",
		    addr_str(&p[i].cp_addr, a, sizeof(a)),
		    p[i].cp_state == SCTP_ACTIVE ? "active" :
		    p[i].cp_state == SCTP_INACTIVE ? "inactive" : "unconfirmed",
		    p[i].cp_primary ? ", primary" : "", p[i].cp_rto_ms);
	cx_usrsctp_freepaths(p);
}

static void
show_event(const void *buf, size_t n)
{
	union sctp_notification sn;
	char a[INET6_ADDRSTRLEN];
	static const char *const what[] = { "?", "available", "unreachable",
	    "removed", "added", "made primary", "confirmed" };

	memset(&sn, 0, sizeof(sn));
	memcpy(&sn, buf, n < sizeof(sn) ? n : sizeof(sn));
	if (sn.sn_header.sn_type == SCTP_PEER_ADDR_CHANGE) {
		unsigned s = sn.sn_paddr_change.spc_state;

		fprintf(stderr, "cxconnect: path %s %s\n",
		    addr_str(&sn.sn_paddr_change.spc_aaddr, a, sizeof(a)),
		    s < sizeof(what) / sizeof(what[0]) ? what[s] : "changed");
	} else if (sn.sn_header.sn_type == SCTP_ASSOC_CHANGE &&
	    sn.sn_assoc_change.sac_state != SCTP_COMM_UP)
		fprintf(stderr, "cxconnect: association %u ended (state %u, error %u)\n",
		    (unsigned)sn.sn_assoc_change.sac_assoc_id,
		    (unsigned)sn.sn_assoc_change.sac_state,
		    (unsigned)sn.sn_assoc_change.sac_error);
}

static void
subscribe(struct socket *so, uint16_t type)
{
	struct sctp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.se_assoc_id = SCTP_FUTURE_ASSOC;
	ev.se_type = type;
	ev.se_on = 1;
	(void)usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev));
}

int
cxconnect_sctp(const struct sockaddr *list, int n, int family, long encaps,
    bool verbose)
{
	static char buf[CHUNK];
	struct sctp_udpencaps ue;
	struct sctp_sndinfo si;
	struct sctp_rcvinfo ri;
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	struct socket *so;
	socklen_t fromlen, infolen;
	struct sockaddr_in6 from;
	unsigned int infotype;
	sctp_assoc_t id;
	bool in_open = true, shut = false;
	double quiet_since = 0;
	ssize_t k;
	int flags;

	(void)usstack_start();	/* this end of the encapsulation: a free port */
	if ((so = usrsctp_socket(family, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL,
	    0, NULL)) == NULL) {
		perror("cxconnect: usrsctp_socket");
		return 1;
	}
	memset(&ue, 0, sizeof(ue));
	ue.sue_address.ss_family = (sa_family_t)family;
	ue.sue_port = htons((uint16_t)encaps);
	(void)usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT,
	    &ue, sizeof(ue));
	subscribe(so, SCTP_ASSOC_CHANGE);
	if (verbose)
		subscribe(so, SCTP_PEER_ADDR_CHANGE);
	if (cx_usrsctp_connectx(so, list, n, &id) != 0) {
		fprintf(stderr, "cxconnect: cx_usrsctp_connectx: %s\n", strerror(errno));
		return 1;
	}
	if (verbose) {
		fprintf(stderr, "cxconnect: SCTP association %u over usrsctp\n", (unsigned)id);
		show_paths(so);
	}
	usrsctp_set_non_blocking(so, 1);
	for (;;) {
		if (in_open && poll(&pfd, 1, 5) > 0) {
			k = read(STDIN_FILENO, buf, sizeof(buf));
			if (k <= 0) {
				in_open = false;
				quiet_since = now_ms();
			} else {
				memset(&si, 0, sizeof(si));
				while (usrsctp_sendv(so, buf, (size_t)k, NULL, 0, &si,
				    sizeof(si), SCTP_SENDV_SNDINFO, 0) < 0) {
					if (errno != EWOULDBLOCK && errno != EAGAIN) {
						perror("cxconnect: usrsctp_sendv");
						return 3;
					}
					usleep(1000);
				}
			}
		} else if (!in_open) {
			/*
			 * SCTP has no half-close: a SHUTDOWN stops the peer's
			 * sending too.  So once stdin has ended, everything sent
			 * is acknowledged and nothing has come for QUIET_MS, the
			 * association is shut down.
			 */
			if (!shut && now_ms() - quiet_since >= QUIET_MS && all_acked(so)) {
				(void)usrsctp_shutdown(so, SHUT_WR);
				shut = true;
			}
			usleep(5000);
		}
		for (;;) {
			fromlen = sizeof(from);
			infolen = sizeof(ri);
			infotype = 0;
			flags = 0;
			k = usrsctp_recvv(so, buf, sizeof(buf), (struct sockaddr *)&from,
			    &fromlen, &ri, &infolen, &infotype, &flags);
			if (k < 0 && (errno == EWOULDBLOCK || errno == EAGAIN))
				break;
			if (k <= 0) {
				usrsctp_close(so);
				return k == 0 ? 0 : 3;
			}
			if (flags & MSG_NOTIFICATION) {
				if (verbose)
					show_event(buf, (size_t)k);
				continue;
			}
			if (write(STDOUT_FILENO, buf, (size_t)k) != k)
				return 3;
			quiet_since = now_ms();
		}
	}
}
#else
#include <stdio.h>

int
cxconnect_sctp(const struct sockaddr *list, int n, int family, long encaps,
    bool verbose)
{
	(void)list; (void)n; (void)family; (void)encaps; (void)verbose;
	fprintf(stderr, "cxconnect: -S: built without usrsctp\n");
	return 2;
}
#endif
