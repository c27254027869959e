/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What tallyd remembers per sender, keyed by node id: the replay window of
 * its frames (wire.h) and the Ethernet address to unicast to. Only nodes of
 * the configured nodelist have an entry, so a frame from anyone else is
 * dropped before it costs memory, even with a valid key. Fixed size, no
 * allocation after creation: the lcore uses it.
 */
#ifndef TALLY_DAEMON_PEERS_H
#define TALLY_DAEMON_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/eth.h"
#include "wire/wire.h"

struct tally_peer {
	uint32_t nodeid;	/**< 0: free slot */
	bool addr_known;
	uint8_t addr[TALLY_ETH_ADDR_LEN];
	struct tally_wire_replay replay;
	uint64_t frames;	/**< accepted from it */
	uint64_t last_tsc;	/**< when the last one came */
};

struct tally_peers {
	struct tally_peer *slot;
	size_t mask;		/**< capacity - 1 (a power of two) */
	size_t n;
};

/* Room for `max` peers at a load of at most one half. 0 or -ENOMEM. */
int tally_peers_init(struct tally_peers *t, size_t max);
void tally_peers_free(struct tally_peers *t);
/* Add nodeid (not 0), with its address when addr != NULL. NULL when full. */
struct tally_peer *tally_peers_add(struct tally_peers *t, uint32_t nodeid, const uint8_t *addr);
/* NULL: not a configured node. */
struct tally_peer *tally_peers_find(const struct tally_peers *t, uint32_t nodeid);

#endif
