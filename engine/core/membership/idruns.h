/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A set of node ids kept as runs of consecutive ids. Hear sets are nearly
 * the whole cluster (1..N is one run, 1..N less a crashed node two), so
 * comparing one against the sorted candidate list costs O(runs · log N)
 * plus what differs, instead of a walk over N ids (docs/design/membership.md,
 * "Agreeing"). Pure; the run array is reused from call to call.
 */
#ifndef TALLY_CORE_MEMBERSHIP_IDRUNS_H
#define TALLY_CORE_MEMBERSHIP_IDRUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tally_idruns {
	uint32_t *r;		/**< run i is r[2i]..r[2i+1], ascending, never touching */
	uint32_t n;		/**< runs */
	uint32_t ids;		/**< ids in all runs */
	uint32_t cap;		/**< runs r has room for */
};

/* From a strictly ascending list; false when out of memory (the set is then empty). */
bool tally_idruns_set(struct tally_idruns *s, const uint32_t *ids, size_t n);
bool tally_idruns_has(const struct tally_idruns *s, uint32_t id);
/* The elements of strictly ascending `list` that s lacks, to out (room for n). */
size_t tally_idruns_lacked(const struct tally_idruns *s, const uint32_t *list, size_t n,
			   uint32_t *out);
/* The ids of s that strictly ascending `list` lacks, to out (room for s->ids). */
size_t tally_idruns_extra(const struct tally_idruns *s, const uint32_t *list, size_t n,
			  uint32_t *out);
void tally_idruns_free(struct tally_idruns *s);

#endif
