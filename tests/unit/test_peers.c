/* SPDX-License-Identifier: BSD-3-Clause */
/* tallyd's per-sender table (engine/daemon/peers.h). */
#include <string.h>

#include "check.h"
#include "daemon/peers.h"

static void test_add_find(void)
{
	struct tally_peers t;
	const uint8_t mac[TALLY_ETH_ADDR_LEN] = { 2, 0, 0, 0, 0, 7 };
	struct tally_peer *p;

	CHECK_EQ(tally_peers_init(&t, 4), 0);
	CHECK(tally_peers_find(&t, 7) == NULL);
	p = tally_peers_add(&t, 7, mac);
	CHECK(p != NULL && p->nodeid == 7 && p->addr_known && memcmp(p->addr, mac, 6) == 0);
	CHECK(tally_peers_find(&t, 7) == p);
	/* adding again keeps the entry (and its replay state) */
	p->frames = 5;
	CHECK(tally_peers_add(&t, 7, NULL) == p && p->frames == 5 && p->addr_known);
	CHECK(tally_peers_add(&t, 0, NULL) == NULL);	/* 0 is the broadcast address */
	CHECK(tally_peers_find(&t, 0) == NULL);
	CHECK(tally_peers_find(&t, 8) == NULL);
	tally_peers_free(&t);
}

/* Dense ids, sparse ids, and the capacity bound: never more than asked for. */
static void test_capacity(void)
{
	struct tally_peers t;
	size_t added = 0;

	CHECK_EQ(tally_peers_init(&t, 1024), 0);
	for (uint32_t id = 1; id <= 1024; id++)
		added += tally_peers_add(&t, id * (id % 2 ? 1u : 65537u), NULL) != NULL;
	CHECK_EQ(added, 1024);
	for (uint32_t id = 1; id <= 1024; id++) {
		const struct tally_peer *p = tally_peers_find(&t, id * (id % 2 ? 1u : 65537u));

		CHECK(p != NULL && p->nodeid == id * (id % 2 ? 1u : 65537u));
	}
	CHECK(tally_peers_find(&t, 2) == NULL);
	/* the table is sized for 1024 at half load: it refuses what would overfill it */
	while (tally_peers_add(&t, (uint32_t)(1000000 + added), NULL) != NULL)
		added++;
	CHECK(2 * added <= t.mask + 1);
	CHECK(tally_peers_find(&t, 3) != NULL);
	tally_peers_free(&t);
}

int main(void)
{
	RUN(test_add_find);
	RUN(test_capacity);
	return CHECK_EXIT();
}
