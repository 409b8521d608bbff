/*
 * The header in the other order from check_usrsctp.c: <usrsctp.h>, then
 * <connectx.h>, then <connectx_usrsctp.h> (through usrsctp_util.h).
 */
#include <config.h>

#include <usrsctp.h>
#include <connectx.h>
#include <connectx_usrsctp.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "usrsctp_util.h"

/* usrsctp's unsigned ID is the one in force here, not the library's. */
_Static_assert((sctp_assoc_t)-1 > 0, "sctp_assoc_t is usrsctp's");

double
uu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct socket *
uu_socket(int family, uint16_t encaps)
{
	return uu_socket_type(family, SOCK_STREAM, encaps);
}

struct socket *
uu_socket_type(int family, int type, uint16_t encaps)
{
	struct sctp_udpencaps ue;
	struct socket *so;

	so = usrsctp_socket(family, type, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (so == NULL)
		return NULL;
	memset(&ue, 0, sizeof(ue));
	ue.sue_address.ss_family = (sa_family_t)family;
	ue.sue_port = htons(encaps);
	if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT,
	    &ue, sizeof(ue)) != 0) {
		usrsctp_close(so);
		return NULL;
	}
	return so;
}

size_t
uu_put(unsigned char **p, const char *addr, uint16_t port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		memcpy(*p, &sin, sizeof(sin));
		*p += sizeof(sin);
		return sizeof(sin);
	}
	if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) != 1)
		abort();
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	memcpy(*p, &sin6, sizeof(sin6));
	*p += sizeof(sin6);
	return sizeof(sin6);
}

struct socket *
uu_listen(int family, const char *const *addrs, int n, uint16_t sport)
{
	unsigned char buf[16 * sizeof(struct sockaddr_in6)], *p = buf;
	struct socket *so;
	int i;

	so = usrsctp_socket(family, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (so == NULL)
		return NULL;
	for (i = 0; i < n && i < 16; i++)
		uu_put(&p, addrs[i], sport);
	if (usrsctp_bindx(so, (struct sockaddr *)(void *)buf, n,
	    SCTP_BINDX_ADD_ADDR) != 0 || usrsctp_listen(so, 8) != 0) {
		usrsctp_close(so);
		return NULL;
	}
	return so;
}

bool
uu_is(const struct sockaddr *sa, const char *addr)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct in_addr a4;
	struct in6_addr a6;

	if (sa->sa_family == AF_INET) {
		memcpy(&sin, sa, sizeof(sin));
		return inet_pton(AF_INET, addr, &a4) == 1 &&
		    a4.s_addr == sin.sin_addr.s_addr;
	}
	if (sa->sa_family != AF_INET6)
		return false;
	memcpy(&sin6, sa, sizeof(sin6));
	if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr))
		return inet_pton(AF_INET, addr, &a4) == 1 &&
		    memcmp(&sin6.sin6_addr.s6_addr[12], &a4, 4) == 0;
	return inet_pton(AF_INET6, addr, &a6) == 1 &&
	    IN6_ARE_ADDR_EQUAL(&a6, &sin6.sin6_addr);
}

bool
uu_has(const struct sockaddr *list, int n, const char *addr)
{
	const unsigned char *p = (const unsigned char *)list;
	struct sockaddr sa;
	int i;

	for (i = 0; i < n; i++) {
		memcpy(&sa, p, sizeof(sa));
		if (uu_is((const struct sockaddr *)(const void *)p, addr))
			return true;
		p += sa.sa_family == AF_INET ? sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6);
	}
	return false;
}

int
uu_state(struct socket *so, sctp_assoc_t id)
{
	struct sctp_status st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	st.sstat_assoc_id = id;
	if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_STATUS, &st, &len) != 0)
		return -errno;
	return st.sstat_state;
}

int
uu_path_state(struct socket *so, sctp_assoc_t id, const char *addr, uint16_t port)
{
	struct sctp_paddrinfo pi;
	socklen_t len = sizeof(pi);
	unsigned char *p = (unsigned char *)&pi.spinfo_address;

	memset(&pi, 0, sizeof(pi));
	uu_put(&p, addr, port);
	pi.spinfo_assoc_id = id;
	if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_GET_PEER_ADDR_INFO, &pi, &len) != 0)
		return -errno;
	return pi.spinfo_state;
}

int
uu_wait_established(struct socket *so, sctp_assoc_t id, int ms)
{
	double end = uu_now_ms() + ms;
	int st;

	for (;;) {
		st = uu_state(so, id);
		if (st == SCTP_ESTABLISHED || st < 0 || uu_now_ms() > end)
			return st;
		usleep(1000);
	}
}

ssize_t
uu_send(struct socket *so, const void *buf, size_t len)
{
	struct sctp_sndinfo si;

	memset(&si, 0, sizeof(si));
	return usrsctp_sendv(so, buf, len, NULL, 0, &si, sizeof(si),
	    SCTP_SENDV_SNDINFO, 0);
}

/* One message, waiting up to ms (the socket is made non-blocking meanwhile). */
static ssize_t
recv_one(struct socket *so, void *buf, size_t len, int ms, int *flags)
{
	double end = uu_now_ms() + ms;
	int nb = usrsctp_get_non_blocking(so);
	struct sctp_rcvinfo ri;
	socklen_t fromlen, infolen;
	struct sockaddr_in6 from;
	unsigned int infotype;
	ssize_t n;

	usrsctp_set_non_blocking(so, 1);
	for (;;) {
		fromlen = sizeof(from);
		infolen = sizeof(ri);
		infotype = 0;
		*flags = 0;
		n = usrsctp_recvv(so, buf, len, (struct sockaddr *)&from, &fromlen,
		    &ri, &infolen, &infotype, flags);
		if (n >= 0 || (errno != EWOULDBLOCK && errno != EAGAIN) ||
		    uu_now_ms() > end)
			break;
		usleep(1000);
	}
	usrsctp_set_non_blocking(so, nb);
	return n;
}

ssize_t
uu_recv(struct socket *so, void *buf, size_t len, int ms, sctp_assoc_t *commup_id)
{
	double end = uu_now_ms() + ms;
	union sctp_notification sn;
	ssize_t n;
	int flags;

	for (;;) {
		n = recv_one(so, buf, len, (int)(end - uu_now_ms()) + 1, &flags);
		if (n <= 0 || !(flags & MSG_NOTIFICATION))
			return n;
		memset(&sn, 0, sizeof(sn));
		memcpy(&sn, buf, (size_t)n < sizeof(sn) ? (size_t)n : sizeof(sn));
		if (commup_id != NULL && sn.sn_header.sn_type == SCTP_ASSOC_CHANGE &&
		    sn.sn_assoc_change.sac_state == SCTP_COMM_UP)
			*commup_id = sn.sn_assoc_change.sac_assoc_id;
	}
}

int
uu_recv_assoc_change(struct socket *so, int ms, sctp_assoc_t *id)
{
	union sctp_notification sn;
	char buf[1024];
	ssize_t n;
	int flags;

	n = recv_one(so, buf, sizeof(buf), ms, &flags);
	if (n < (ssize_t)sizeof(struct sctp_assoc_change) || !(flags & MSG_NOTIFICATION))
		return -1;
	memcpy(&sn, buf, sizeof(sn) < (size_t)n ? sizeof(sn) : (size_t)n);
	if (sn.sn_header.sn_type != SCTP_ASSOC_CHANGE)
		return -1;
	*id = sn.sn_assoc_change.sac_assoc_id;
	return sn.sn_assoc_change.sac_state;
}

/* ------------------------------------------------------ the forked server */

/*
 * A child forked from a process with more than one thread may make only
 * async-signal-safe calls (fork(2)): a lock another thread held at the
 * fork stays held in the child.  The server and the sink go on to start a
 * stack (usrsctp_init: threads, malloc), so they are forked only from a
 * process that has not started its own stack yet.  Seen when forked after
 * it: under ASan (whose allocator has no fork handler, unlike glibc's
 * malloc) the child's usrsctp threads wait for ever on an allocator lock
 * at their start and the INITs sent to it are never read.
 */
static bool
single_threaded(void)
{
	char line[128];
	FILE *f;
	int n = -1;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return true;	/* cannot tell: trust the caller */
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	if (n > 1)
		fprintf(stderr, "usrsctp_util: %d threads here (a stack started?): "
		    "fork the server or sink before usrsctp_init\n", n);
	return n <= 1;
}

/*
 * What a forked server does with an association it accepted; out is the
 * pipe to its parent.  true: the association is closed and the next one
 * accepted; false: the server exits at once, leaving it as it is.
 */
typedef bool (*handler_fn)(struct socket *c, int out);

/* The forked server: its own stack, listening, handle for each association. */
static void
serve(int out, uint16_t encaps_port, int family, const char *const *addrs,
    int n, uint16_t sport, handler_fn handle)
{
	struct socket *l, *c;

	usrsctp_init(encaps_port, NULL, NULL);
	if ((l = uu_listen(family, addrs, n, sport)) == NULL)
		_exit(1);
	(void)!write(out, "r", 1);
	while ((c = usrsctp_accept(l, NULL, NULL)) != NULL) {
		if (!handle(c, out))
			_exit(0);
		usrsctp_close(c);
	}
	_exit(0);
}

/*
 * Fork a server (uu_server_fork's terms) that runs handle; once it
 * listens, its pid, and the pipe's read end in *out (closed when out is
 * NULL).
 */
static pid_t
server_fork(uint16_t encaps_port, int family, const char *const *addrs,
    int n, uint16_t sport, handler_fn handle, int *out)
{
	int fds[2];
	pid_t pid;
	char c;

	if (!single_threaded()) {
		errno = EDEADLK;
		return -1;
	}
	if (pipe(fds) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		close(fds[0]);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		serve(fds[1], encaps_port, family, addrs, n, sport, handle);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &c, 1) != 1) {
		close(fds[0]);
		if (pid > 0)
			uu_server_stop(pid);
		return -1;
	}
	if (out != NULL)
		*out = fds[0];
	else
		close(fds[0]);
	return pid;
}

/* The echo server's: every message back, until the association ends. */
static bool
echo(struct socket *c, int out)
{
	char buf[65536];
	ssize_t k;
	int flags;

	(void)out;
	for (;;) {
		k = recv_one(c, buf, sizeof(buf), 3600 * 1000, &flags);
		if (k <= 0)
			break;
		if (!(flags & MSG_NOTIFICATION))
			(void)uu_send(c, buf, (size_t)k);
	}
	return true;
}

pid_t
uu_server_fork(uint16_t encaps_port, int family, const char *const *addrs,
    int n, uint16_t sport)
{
	return server_fork(encaps_port, family, addrs, n, sport, echo, NULL);
}

void
uu_server_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);
}

/* ------------------------------------------------------------ the flow */

#define UU_FLOW_END	0xffffffffu

static uint32_t
seq_of(const char *buf)
{
	uint32_t v;

	memcpy(&v, buf, sizeof(v));
	return ntohl(v);
}

/*
 * The sink's: records every flow message of the one association it takes
 * until the end marker or the association's end, then writes its
 * statistics to report and exits.
 */
static bool
sink(struct socket *c, int report)
{
	struct uu_flow_stats st;
	struct sctp_sack_info si;
	static unsigned char seen[1 << 20];
	char buf[2048];
	double first = -1, last = 0, t;
	uint32_t seq;
	long maxseq = -1;
	ssize_t k;
	int flags;

	memset(&st, 0, sizeof(st));
	/*
	 * A SACK for every packet.  With usrsctp's default (every second
	 * packet, else after 200 ms) a cut that falls after an odd packet has
	 * that packet's SACK come 200 ms late, which restarts the sender's
	 * retransmission timer (RFC 9260 6.3.2): the stall is then F plus
	 * up to 200 ms, the peer's doing.  See cx_usrsctp_connectx(3).
	 */
	memset(&si, 0, sizeof(si));
	si.sack_assoc_id = SCTP_FUTURE_ASSOC;
	si.sack_delay = 0;
	si.sack_freq = 1;
	(void)usrsctp_setsockopt(c, IPPROTO_SCTP, SCTP_DELAYED_SACK, &si, sizeof(si));
	for (;;) {
		k = recv_one(c, buf, sizeof(buf), 3600 * 1000, &flags);
		if (k <= 0)
			break;
		if ((flags & MSG_NOTIFICATION) || k < 4)
			continue;
		t = uu_now_ms();
		seq = seq_of(buf);
		if (seq == UU_FLOW_END)
			break;
		if (first < 0)
			first = t;
		else {
			if (t - last > st.max_gap_ms) {
				st.max_gap_ms = t - last;
				st.max_gap_at_ms = last - first;
			}
			if (t - last > UU_GAP_MS && st.ngaps < 64) {
				st.gap_at[st.ngaps] = last;
				st.gap_ms[st.ngaps++] = t - last;
			}
		}
		last = t;
		if (seq >= sizeof(seen))
			continue;
		if (seen[seq]) {
			st.duplicates++;
			continue;
		}
		seen[seq] = 1;
		st.received++;
		if ((long)seq < maxseq)
			st.reordered++;
		else
			maxseq = seq;
	}
	st.highest = maxseq + 1;
	(void)!write(report, &st, sizeof(st));
	return false;
}

pid_t
uu_sink_fork(uint16_t encaps_port, const char *const *addrs, int n,
    uint16_t sport, int *report)
{
	return server_fork(encaps_port, AF_INET, addrs, n, sport, sink, report);
}

int
uu_sink_report(int report, int ms, struct uu_flow_stats *st)
{
	struct pollfd pfd = { report, POLLIN, 0 };

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	return read(report, st, sizeof(*st)) == (ssize_t)sizeof(*st) ? 0 : -1;
}

int
uu_flow_send(struct socket *so, double duration_ms,
    void (*tick)(double, void *), void *arg, long *sent, double *fail_ms)
{
	char msg[UU_FLOW_MSG];
	double t0 = uu_now_ms(), next = t0, el;
	uint32_t seq = 0, v;
	int st;

	memset(msg, 'x', sizeof(msg));
	*sent = 0;
	*fail_ms = 0;
	usrsctp_set_non_blocking(so, 1);
	for (;;) {
		el = uu_now_ms() - t0;
		if (el >= duration_ms)
			return 0;
		if (tick != NULL)
			tick(el, arg);
		if ((st = uu_state(so, 0)) != SCTP_ESTABLISHED) {
			*fail_ms = uu_now_ms() - t0;
			return ECONNRESET;
		}
		/* Every message due by now, in order, as far as the stack takes them. */
		while (next <= uu_now_ms()) {
			v = htonl(seq);
			memcpy(msg, &v, sizeof(v));
			if (uu_send(so, msg, sizeof(msg)) < 0) {
				if (errno == EWOULDBLOCK || errno == EAGAIN)
					break;
				*fail_ms = uu_now_ms() - t0;
				return errno;
			}
			seq++;
			(*sent)++;
			next += 1;
		}
		usleep(500);
	}
}

int
uu_flow_end(struct socket *so, int ms)
{
	char msg[UU_FLOW_MSG];
	double end = uu_now_ms() + ms;
	uint32_t v = htonl(UU_FLOW_END);

	memset(msg, 0, sizeof(msg));
	memcpy(msg, &v, sizeof(v));
	while (uu_send(so, msg, sizeof(msg)) < 0) {
		if ((errno != EWOULDBLOCK && errno != EAGAIN) || uu_now_ms() > end)
			return -1;
		usleep(1000);
	}
	return 0;
}

double
uu_gap_after(const struct uu_flow_stats *st, double t)
{
	double g = 0;
	int i;

	for (i = 0; i < st->ngaps; i++)
		if (st->gap_at[i] >= t && st->gap_ms[i] > g)
			g = st->gap_ms[i];
	return g;
}
