/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Greedy grouping (see group.h). Candidate j joins group g when no pair
 * joins it to a member g already has; instead of scanning every pair for
 * every (group, candidate), each new member stamps its neighbours with g, so
 * a candidate's test is one comparison.
 */
#include "group.h"

#include <stdlib.h>
#include <sys/types.h>

#define NONE UINT32_MAX

static ssize_t index_of(const uint32_t *ids, size_t n, uint32_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ids[mid] == id)
			return (ssize_t)mid;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static bool reserve(uint32_t **buf, size_t need)
{
	uint32_t *nb = realloc(*buf, (need ? need : 1) * sizeof(**buf));

	if (nb == NULL)
		return false;
	*buf = nb;
	return true;
}

static bool reserve_all(struct tally_grouper *g, size_t n, size_t n_pairs)
{
	if (n + 1 > g->cap_n) {
		size_t c = g->cap_n ? g->cap_n : 16;

		while (c < n + 1)
			c *= 2;
		if (!reserve(&g->start, c) || !reserve(&g->grp, c) || !reserve(&g->stamp, c))
			return false;
		g->cap_n = c;
	}
	if (2 * n_pairs > g->cap_adj) {
		size_t c = g->cap_adj ? g->cap_adj : 64;

		while (c < 2 * n_pairs)
			c *= 2;
		if (!reserve(&g->adj, c) || !reserve(&g->pair_idx, c))
			return false;
		g->cap_adj = c;
	}
	return true;
}

/*
 * index_of, looking a few places from `hint` first: pairs come in runs of one
 * node and the ascending ids its hear set lacks, so the next index is
 * usually the last one or a little after (a cluster forming at 256 nodes has
 * 65 000 broken pairs and spent two thirds of its time in the binary search).
 */
static ssize_t index_near(const uint32_t *ids, size_t n, uint32_t id, size_t hint)
{
	for (size_t j = hint; j < n && j < hint + 8 && ids[j] <= id; j++)
		if (ids[j] == id)
			return (ssize_t)j;
	return index_of(ids, n, id);
}

/* Pairs as candidate indices; returns how many name two distinct candidates. */
static size_t index_pairs(struct tally_grouper *g, const uint32_t *ids, size_t n,
			  const uint32_t *pairs, size_t n_pairs, size_t kept)
{
	size_t hint_a = 0, hint_b = 0;

	for (size_t k = 0; k < n_pairs; k++) {
		ssize_t a = index_near(ids, n, pairs[2 * k], hint_a);
		ssize_t b = index_near(ids, n, pairs[2 * k + 1], hint_b);

		hint_a = a >= 0 ? (size_t)a : 0;
		hint_b = b >= 0 ? (size_t)b + 1 : 0;

		if (a < 0 || b < 0 || a == b)
			continue;
		g->pair_idx[2 * kept] = (uint32_t)a;
		g->pair_idx[2 * kept + 1] = (uint32_t)b;
		kept++;
	}
	return kept;
}

/* Compressed adjacency: counts, prefix sums, then fill. */
static void build_adjacency(struct tally_grouper *g, size_t n, size_t kept)
{
	for (size_t i = 0; i <= n; i++)
		g->start[i] = 0;
	for (size_t k = 0; k < 2 * kept; k++)
		g->start[g->pair_idx[k] + 1]++;
	for (size_t i = 0; i < n; i++)
		g->start[i + 1] += g->start[i];
	/* stamp[] is the fill cursor here; it is reset before grouping. */
	for (size_t i = 0; i < n; i++)
		g->stamp[i] = g->start[i];
	for (size_t k = 0; k < kept; k++) {
		uint32_t a = g->pair_idx[2 * k], b = g->pair_idx[2 * k + 1];

		g->adj[g->stamp[a]++] = b;
		g->adj[g->stamp[b]++] = a;
	}
}

static void join(struct tally_grouper *g, uint32_t i, uint32_t grp)
{
	g->grp[i] = grp;
	for (uint32_t e = g->start[i]; e < g->start[i + 1]; e++)
		g->stamp[g->adj[e]] = grp + 1;
}

size_t tally_group_of(struct tally_grouper *g, const uint32_t *ids, size_t n,
		      const uint32_t *pairs, size_t n_pairs, const uint32_t *extra,
		      size_t n_extra, size_t self, uint32_t *out)
{
	size_t kept, n_out = 0;
	uint32_t next = 0;

	if (self >= n || !reserve_all(g, n, n_pairs + n_extra))
		return 0;
	kept = index_pairs(g, ids, n, pairs, n_pairs, 0);
	kept = index_pairs(g, ids, n, extra, n_extra, kept);
	build_adjacency(g, n, kept);
	for (size_t i = 0; i < n; i++) {
		g->grp[i] = NONE;
		g->stamp[i] = 0;
	}
	for (size_t i = 0; i < n && g->grp[self] == NONE; i++) {
		if (g->grp[i] != NONE)
			continue;
		join(g, (uint32_t)i, next);
		for (size_t j = i + 1; j < n; j++)
			if (g->grp[j] == NONE && g->stamp[j] != next + 1)
				join(g, (uint32_t)j, next);
		next++;
	}
	for (size_t i = 0; i < n; i++)
		if (g->grp[i] == g->grp[self])
			out[n_out++] = (uint32_t)i;
	return n_out;
}

void tally_grouper_trim(struct tally_grouper *g, size_t keep_pairs)
{
	if (g->cap_adj <= 2 * keep_pairs)
		return;
	free(g->adj);
	free(g->pair_idx);
	g->adj = g->pair_idx = NULL;
	g->cap_adj = 0;
}

void tally_grouper_free(struct tally_grouper *g)
{
	free(g->start);
	free(g->adj);
	free(g->pair_idx);
	free(g->grp);
	free(g->stamp);
	*g = (struct tally_grouper){ 0 };
}
