/*
 * libFuzzer target: the packed destination list decoder (lib/addrlist.c,
 * compiled in directly) and the address predicates.
 *
 * Input: byte 0 chooses the decoder (bit 0: addrlist_split_count, else
 * addrlist_split_len) and a misalignment of the list (bits 1-2); for
 * split_count the next 4 bytes are addrcnt.  The rest is the list.
 *
 * Besides memory errors (ASan) and undefined behaviour (UBSan), every
 * result is checked against a reference model written from the header's
 * contract, and the decoded entries against the input bytes; any
 * difference aborts.  Nothing here touches the network.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "addrlist.h"

#define FAIL(...) do { fprintf(stderr, "fuzz_addrlist: " __VA_ARGS__); \
	fputc('\n', stderr); abort(); } while (0)

static sa_family_t
fam(const unsigned char *p)
{
	sa_family_t f;

	memcpy(&f, p + offsetof(struct sockaddr, sa_family), sizeof(f));
	return f;
}

static size_t
ref_size(sa_family_t f)
{
	return f == AF_INET ? sizeof(struct sockaddr_in) :
	    f == AF_INET6 ? sizeof(struct sockaddr_in6) : 0;
}

/* The contract of addrlist_split_len, independently: errno and count. */
static int
ref_split_len(const unsigned char *p, size_t len, size_t *n)
{
	size_t off = 0, sz;

	*n = 0;
	if (len < 4)
		return EINVAL;
	if (ref_size(fam(p)) == 0) {
		if (len > sizeof(struct sockaddr_storage))
			return EINVAL;
		*n = 1;
		return 0;
	}
	while (off < len) {
		if (len - off < sizeof(sa_family_t))
			return EINVAL;
		sz = ref_size(fam(p + off));
		if (sz == 0 || len - off < sz)
			return EINVAL;
		off += sz;
		(*n)++;
	}
	return 0;
}

/*
 * The contract of addrlist_split_count.  The harness pads the bytes given
 * with zeros, so a list running past them ends in family 0.
 */
static int
ref_split_count(const unsigned char *p, int cnt)
{
	size_t off = 0, sz;
	int i;

	if (cnt < 0 || (size_t)cnt > ADDRLIST_MAX_BYTES / sizeof(struct sockaddr_in))
		return E2BIG;
	for (i = 0; i < cnt; i++) {
		sz = ref_size(fam(p + off));
		if (sz == 0)
			return EINVAL;
		off += sz;
		if (off > ADDRLIST_MAX_BYTES)
			return E2BIG;
	}
	return 0;
}

static void
check_predicates(struct dest *d)
{
	const struct sockaddr *sa = (const struct sockaddr *)&d->ss;
	struct dest m;
	uint16_t port;
	bool un, mc, bc;

	port = addr_port(sa);
	un = addr_is_unspecified(sa);
	mc = addr_is_multicast(sa);
	bc = addr_is_broadcast(sa);
	if (bc && (un || mc))
		FAIL("broadcast and unspecified/multicast at once");
	if (d->ss.ss_family == AF_INET) {
		struct sockaddr_in sin;
		uint32_t a;

		memcpy(&sin, &d->ss, sizeof(sin));
		a = ntohl(sin.sin_addr.s_addr);
		if (port != ntohs(sin.sin_port) || un != (a == 0) ||
		    mc != ((a >> 28) == 0xe) || bc != (a == 0xffffffffu))
			FAIL("AF_INET predicates wrong for %08x", a);
	}
	if (d->ss.ss_family != AF_INET && d->ss.ss_family != AF_INET6 &&
	    (port != 0 || un || mc || bc))
		FAIL("predicates true for family %d", d->ss.ss_family);
	/* An IPv4 address and its IPv4-mapped form are the same to every check. */
	m = *d;
	addr_map_v4(&m);
	if (d->ss.ss_family == AF_INET) {
		sa = (const struct sockaddr *)&m.ss;
		if (m.ss.ss_family != AF_INET6 || m.len != sizeof(struct sockaddr_in6) ||
		    addr_port(sa) != port || addr_is_unspecified(sa) != un ||
		    addr_is_multicast(sa) != mc || addr_is_broadcast(sa) != bc)
			FAIL("addr_map_v4 changed what the checks see");
	} else if (memcmp(&m, d, sizeof(m)) != 0)
		FAIL("addr_map_v4 changed a non-AF_INET entry");
}

static void
check_list(const unsigned char *p, struct destlist *l, size_t want_n, bool lone)
{
	struct destlist c;
	size_t i, off = 0;

	if (l->n != want_n || l->v == NULL)
		FAIL("%zu entries, want %zu", l->n, want_n);
	for (i = 0; i < l->n; i++) {
		if (!lone && l->v[i].len != ref_size(fam(p + off)))
			FAIL("entry %zu: length %u", i, (unsigned)l->v[i].len);
		if (memcmp(&l->v[i].ss, p + off, l->v[i].len) != 0)
			FAIL("entry %zu differs from the input", i);
		if (addr_family(&l->v[i]) != fam(p + off))
			FAIL("entry %zu: family", i);
		off += l->v[i].len;
		check_predicates(&l->v[i]);
	}
	if (addrlist_copy(l, &c) != 0)
		FAIL("addrlist_copy failed");
	if (c.n != l->n || memcmp(c.v, l->v, l->n * sizeof(*l->v)) != 0)
		FAIL("addrlist_copy differs");
	addrlist_free(&c);
	if (c.v != NULL || c.n != 0)
		FAIL("addrlist_free left the list set");
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct destlist l = { NULL, 0 };
	unsigned char *buf, *p;
	size_t n, len, shift;
	int32_t cnt = 0;
	int err, want;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	shift = (mode >> 1) & 3;
	if (mode & 1) {
		if (size < 4)
			return 0;
		memcpy(&cnt, data, 4);
		data += 4;
		size -= 4;
	}
	len = size;
	/*
	 * Exactly the bytes given (ASan sees any read past them), shifted off
	 * alignment; split_count gets 32 zero bytes more, the caller's promise
	 * that the list goes on ending in family 0.
	 */
	if ((buf = malloc(shift + len + ((mode & 1) ? 32 : 0) + 1)) == NULL)
		return 0;
	p = buf + shift;
	memcpy(p, data, len);
	if (mode & 1)
		memset(p + len, 0, 32);

	if (mode & 1) {
		/* A count past what the bytes hold ends at the zero padding. */
		err = addrlist_split_count(p, cnt, &l);
		want = ref_split_count(p, cnt);
		if (err != want)
			FAIL("split_count(cnt %d): %d, want %d", cnt, err, want);
		if (err == 0)
			check_list(p, &l, (size_t)cnt, false);
	} else {
		err = addrlist_split_len(p, len, &l);
		want = ref_split_len(p, len, &n);
		if (err != want)
			FAIL("split_len(len %zu): %d, want %d", len, err, want);
		if (err == 0)
			check_list(p, &l, n, ref_size(fam(p)) == 0);
	}
	if (err != 0 && (l.v != NULL || l.n != 0) && err != ENOMEM)
		FAIL("failure left a list behind (%zu entries)", l.n);
	addrlist_free(&l);
	free(buf);
	return 0;
}
