/*
 * A non-blocking connectx(2) driven by a libuv loop, with every attempt
 * watched: cx_fds(3) names the descriptors, cx_timeout(3) the wait, and
 * cx_step(3) moves the run on, so later addresses are tried beside the
 * first (a slow but live first address can still win).
 *
 *   uv_connect ADDR:PORT [ADDR:PORT ...]      (IPv4 addresses)
 *
 * libuv watches descriptors with epoll, whose registrations belong to the
 * socket behind a number: before each cx_step() every poll handle is
 * closed (the step may close a descriptor it named, or put the winning
 * socket behind the application's descriptor), and after it the loop
 * watches what cx_fds() names then.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <uv.h>
#include <connectx.h>

#define MAXFDS	16

struct conn {
	uv_loop_t	*loop;
	uv_timer_t	 timer;
	uv_poll_t	 polls[MAXFDS];
	int		 npolls, closing;
	int		 fd, error;
	int		 stepped, done;
};

static void watch(struct conn *);

static void
poll_closed(uv_handle_t *h)
{
	struct conn *c = h->data;

	if (--c->closing == 0)
		watch(c);
}

/* Something is ready, or the wait is over: stop watching, then step. */
static void
wake(struct conn *c)
{
	int i;

	uv_timer_stop(&c->timer);
	if (c->closing > 0)
		return;
	c->closing = c->npolls;
	for (i = 0; i < c->npolls; i++)
		uv_close((uv_handle_t *)&c->polls[i], poll_closed);
	if (c->npolls == 0)
		watch(c);
	c->npolls = 0;
}

static void
on_poll(uv_poll_t *p, int status, int events)
{
	(void)status;
	(void)events;
	wake(p->data);
}

static void
on_timer(uv_timer_t *t)
{
	wake(t->data);
}

/* Step (but the first time), then watch what the run names now. */
static void
watch(struct conn *c)
{
	struct pollfd pfd[MAXFDS];
	int i, n, wait_ms;

	if (c->stepped++ && cx_step(c->fd, NULL) == 0) {
		c->done = 1;
	} else if (c->stepped > 1 && errno != EINPROGRESS) {
		c->error = errno;
		c->done = 1;
	}
	if (c->done) {
		uv_close((uv_handle_t *)&c->timer, NULL);
		return;
	}
	if ((n = cx_fds(c->fd, pfd, MAXFDS)) == -1 ||
	    cx_timeout(c->fd, &wait_ms) == -1) {
		c->error = errno;
		c->done = 1;
		uv_close((uv_handle_t *)&c->timer, NULL);
		return;
	}
	for (i = 0; i < n && i < MAXFDS; i++) {
		uv_poll_init(c->loop, &c->polls[i], pfd[i].fd);
		c->polls[i].data = c;
		uv_poll_start(&c->polls[i], UV_WRITABLE, on_poll);
	}
	c->npolls = i;
	if (wait_ms >= 0)
		uv_timer_start(&c->timer, on_timer, (uint64_t)wait_ms, 0);
}

static int
parse(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in list[MAXFDS];
	sa_endpoints_t ep = { 0 };
	struct conn c = { 0 };
	int i, n = argc - 1;

	if (n < 1 || n > MAXFDS) {
		fprintf(stderr, "usage: uv_connect ADDR:PORT [ADDR:PORT ...]\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		if (parse(argv[i + 1], &list[i]) != 0) {
			fprintf(stderr, "uv_connect: bad address %s\n", argv[i + 1]);
			return 2;
		}
	ep.sae_dstaddr = (struct sockaddr *)list;
	ep.sae_dstaddrlen = (socklen_t)(n * (int)sizeof(list[0]));
	c.loop = uv_default_loop();
	uv_timer_init(c.loop, &c.timer);
	c.timer.data = &c;
	c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (connectx(c.fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL) == 0)
		c.done = 1;
	else if (errno != EINPROGRESS) {
		perror("connectx");
		return 1;
	} else
		watch(&c);
	uv_run(c.loop, UV_RUN_DEFAULT);
	if (c.error != 0) {
		fprintf(stderr, "uv_connect: %s\n", strerror(c.error));
		return 1;
	}
	printf("connected to address %d\n", cx_getpeerindex(c.fd, 0));
	close(c.fd);
	return 0;
}
