/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-sender table (peers.h): open addressing, linear probing. */
#include "daemon/peers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Node ids are often dense (1..N): a multiplicative hash spreads them. */
static size_t slot_of(const struct tally_peers *t, uint32_t nodeid)
{
	return (size_t)((nodeid * 2654435761u) & t->mask);
}

int tally_peers_init(struct tally_peers *t, size_t max)
{
	size_t cap = 16;

	while (cap < 2 * max)
		cap *= 2;
	t->slot = calloc(cap, sizeof(*t->slot));
	if (t->slot == NULL)
		return -ENOMEM;
	t->mask = cap - 1;
	t->n = 0;
	return 0;
}

void tally_peers_free(struct tally_peers *t)
{
	free(t->slot);
	t->slot = NULL;
}

struct tally_peer *tally_peers_find(const struct tally_peers *t, uint32_t nodeid)
{
	if (nodeid == 0)
		return NULL;
	for (size_t i = slot_of(t, nodeid);; i = (i + 1) & t->mask) {
		if (t->slot[i].nodeid == nodeid)
			return &t->slot[i];
		if (t->slot[i].nodeid == 0)
			return NULL;	/* never full: the load stays at most one half */
	}
}

struct tally_peer *tally_peers_add(struct tally_peers *t, uint32_t nodeid, const uint8_t *addr)
{
	struct tally_peer *p = tally_peers_find(t, nodeid);
	size_t i;

	if (nodeid == 0)
		return NULL;
	if (p == NULL) {
		if (2 * (t->n + 1) > t->mask + 1)
			return NULL;
		for (i = slot_of(t, nodeid); t->slot[i].nodeid != 0; i = (i + 1) & t->mask)
			;
		p = &t->slot[i];
		memset(p, 0, sizeof(*p));
		p->nodeid = nodeid;
		t->n++;
	}
	if (addr != NULL) {
		memcpy(p->addr, addr, TALLY_ETH_ADDR_LEN);
		p->addr_known = true;
	}
	return p;
}
