/* SPDX-License-Identifier: BSD-3-Clause */
/* Install a large view on a node under test, as its proposer would: parts, then commit. */
#ifndef TALLY_TEST_MB_INSTALL_H
#define TALLY_TEST_MB_INSTALL_H

#include "membership/membership.h"

/*
 * `rep` (incarnation 1) proposes the n members ids/incs as ring seq `seq` in
 * PROPOSE_PARTs, then commits it; the node accepts and installs it if it
 * would accept that proposal.
 */
static inline void mb_install_view(struct tally_mb *m, uint32_t rep, uint64_t seq,
				   const uint32_t *ids, const uint64_t *incs, uint32_t n,
				   uint64_t now)
{
	struct tally_mb_msg c = { .type = TALLY_MB_COMMIT, .from = rep, .inc = 1, .seq = seq };

	for (uint32_t off = 0; off < n; off += TALLY_MB_PART_MEMBERS) {
		struct tally_mb_msg part = { .type = TALLY_MB_PROPOSE_PART, .from = rep, .inc = 1 };

		part.seq = part.max_seq = seq;
		part.gseq = n;
		part.lseq = off;
		part.ids = ids + off;
		part.incs = incs + off;
		part.n_ids = n - off < TALLY_MB_PART_MEMBERS ? n - off : TALLY_MB_PART_MEMBERS;
		tally_mb_receive(m, &part, now);
	}
	tally_mb_receive(m, &c, now);
}

#endif
