/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The view computation of the membership protocol (docs/design/membership.md,
 * "Agreeing"): candidates grouped greedily in ascending id order into
 * cliques that avoid every broken pair, the simulator oracle's rule. Only
 * the group of one candidate is wanted, so the groups after it are never
 * built.
 *
 * Cost: O(P log N) to index the P pairs, then O(G·N + P) for the G groups up
 * to the wanted one (the naive rule is O(G·N·P)). Pure: no clock, no I/O;
 * the scratch arrays are reused from call to call.
 */
#ifndef TALLY_CORE_MEMBERSHIP_GROUP_H
#define TALLY_CORE_MEMBERSHIP_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tally_grouper {
	uint32_t *start;	/**< n + 1: adjacency of candidate i at adj[start[i]..] */
	uint32_t *adj;		/**< both directions of every indexed pair */
	uint32_t *pair_idx;	/**< the pairs as candidate indices, 2 each */
	uint32_t *grp;		/**< group of each candidate, UINT32_MAX: none yet */
	uint32_t *stamp;	/**< g + 1: conflicts with a member of group g */
	size_t cap_n, cap_adj;
};

/*
 * The group of candidate `self` (an index into ids, which are sorted and
 * distinct) when ids[0..n) are grouped greedily around the broken pairs:
 * `pairs` and `extra` hold (a, b) id pairs, 2 entries each; pairs naming an
 * id that is not a candidate, or one id twice, are ignored. Writes the
 * members' indices, ascending, to out (room for n) and returns how many;
 * 0 when out of memory or self >= n.
 */
size_t tally_group_of(struct tally_grouper *g, const uint32_t *ids, size_t n,
		      const uint32_t *pairs, size_t n_pairs, const uint32_t *extra,
		      size_t n_extra, size_t self, uint32_t *out);

/* Give back the pair index if it has room for more than keep_pairs pairs. */
void tally_grouper_trim(struct tally_grouper *g, size_t keep_pairs);
void tally_grouper_free(struct tally_grouper *g);

#endif
