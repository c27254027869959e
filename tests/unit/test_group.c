/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The membership's view computation (engine/core/membership/group.h) and
 * its id-run sets (idruns.h), each against the plain definition on random
 * inputs: the greedy rule scanning every pair for every candidate, and
 * sets as sorted arrays.
 */
#include "check.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "membership/group.h"
#include "membership/idruns.h"

#define MAX_N 300
#define MAX_PAIRS 2000

static uint64_t rng = 20261202;

static uint32_t draw(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* n distinct ascending ids, clustered so that runs appear. */
static size_t random_ids(uint32_t *ids, size_t n, uint32_t gap_one_in)
{
	uint32_t id = 1 + draw(5);

	for (size_t i = 0; i < n; i++) {
		ids[i] = id;
		id += draw(gap_one_in) == 0 ? 2 + draw(40) : 1;
	}
	return n;
}

/* The rule as docs/design/membership.md states it, O(G·N·P). */
static int naive_group_of(const uint32_t *ids, size_t n, const uint32_t *pairs, size_t np,
			  const uint32_t *extra, size_t ne, size_t self, uint32_t *out)
{
	int grp[MAX_N];
	int g = 0;
	size_t n_out = 0;

	for (size_t i = 0; i < n; i++)
		grp[i] = -1;
	for (size_t i = 0; i < n; i++) {
		if (grp[i] >= 0)
			continue;
		grp[i] = g;
		for (size_t j = i + 1; j < n; j++) {
			bool ok = grp[j] < 0;

			for (size_t k = 0; ok && k < np + ne; k++) {
				const uint32_t *pr = k < np ? &pairs[2 * k] : &extra[2 * (k - np)];
				uint32_t other;

				if (pr[0] == ids[j])
					other = pr[1];
				else if (pr[1] == ids[j])
					other = pr[0];
				else
					continue;
				for (size_t x = 0; x < n; x++)
					if (ids[x] == other && grp[x] == g)
						ok = false;
			}
			if (ok)
				grp[j] = g;
		}
		g++;
	}
	for (size_t i = 0; i < n; i++)
		if (grp[i] == grp[self])
			out[n_out++] = (uint32_t)i;
	return (int)n_out;
}

static uint32_t some_id(const uint32_t *ids, size_t n)
{
	/* Mostly candidates, sometimes an id that is not one (ignored). */
	return draw(10) == 0 ? ids[n - 1] + 1 + draw(5) : ids[draw((uint32_t)n)];
}

static void test_group_matches_rule(void)
{
	static uint32_t ids[MAX_N], pairs[2 * MAX_PAIRS], extra[2 * 64];
	static uint32_t got[MAX_N], want[MAX_N];
	struct tally_grouper g = { 0 };

	for (int round = 0; round < 400; round++) {
		size_t n = 1 + draw(round < 200 ? 20 : MAX_N);
		size_t np = draw(round % 3 == 0 ? 4 : (uint32_t)(n * 3 < MAX_PAIRS ? n * 3 : MAX_PAIRS));
		size_t ne = draw(3) == 0 ? draw(64) : 0;

		random_ids(ids, n, 8);
		for (size_t k = 0; k < np; k++) {
			pairs[2 * k] = some_id(ids, n);
			pairs[2 * k + 1] = draw(20) == 0 ? pairs[2 * k] : some_id(ids, n);
		}
		for (size_t k = 0; k < ne; k++) {
			extra[2 * k] = some_id(ids, n);
			extra[2 * k + 1] = some_id(ids, n);
		}
		for (int t = 0; t < 4; t++) {
			size_t self = draw((uint32_t)n);
			size_t ng = tally_group_of(&g, ids, n, pairs, np, extra, ne, self, got);
			int nw = naive_group_of(ids, n, pairs, np, extra, ne, self, want);

			CHECK_EQ(ng, nw);
			CHECK(ng > 0 && memcmp(got, want, ng * sizeof(*got)) == 0);
		}
	}
	/* Out of range: nothing, no crash. */
	CHECK_EQ(tally_group_of(&g, ids, 3, pairs, 0, NULL, 0, 3, got), 0);
	tally_grouper_free(&g);
}

/* Everyone hears everyone but one pair: the pair's higher end is left for the next group. */
static void test_group_examples(void)
{
	const uint32_t ids[] = { 1, 2, 3, 4, 5 };
	const uint32_t pairs[] = { 2, 4, 3, 3, 9, 1 };
	uint32_t out[5];
	struct tally_grouper g = { 0 };

	CHECK_EQ(tally_group_of(&g, ids, 5, pairs, 3, NULL, 0, 0, out), 4);
	CHECK(out[0] == 0 && out[1] == 1 && out[2] == 2 && out[3] == 4);
	CHECK_EQ(tally_group_of(&g, ids, 5, pairs, 3, NULL, 0, 3, out), 1);
	CHECK_EQ(out[0], 3);
	tally_grouper_free(&g);
}

static bool in_sorted(const uint32_t *l, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == id)
			return true;
	return false;
}

/* The elements of x that y lacks. */
static size_t naive_diff(const uint32_t *x, size_t nx, const uint32_t *y, size_t ny, uint32_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < nx; i++)
		if (!in_sorted(y, ny, x[i]))
			out[n++] = x[i];
	return n;
}

static void test_idruns_match_sets(void)
{
	static uint32_t a[MAX_N], b[MAX_N], got[4 * MAX_N], want[4 * MAX_N];
	struct tally_idruns s = { 0 };

	for (int round = 0; round < 2000; round++) {
		size_t na = draw(MAX_N), nb = draw(MAX_N), nw, ng;
		uint32_t gap = 1 + draw(round % 2 ? 4 : 200);

		random_ids(a, na, gap);
		random_ids(b, nb, 1 + draw(50));
		CHECK(tally_idruns_set(&s, a, na));
		CHECK_EQ(s.ids, na);
		for (uint32_t id = 0; id < (na ? a[na - 1] : 0) + 3; id++)
			CHECK_EQ(tally_idruns_has(&s, id), in_sorted(a, na, id));
		nw = naive_diff(b, nb, a, na, want);
		ng = tally_idruns_lacked(&s, b, nb, got);
		CHECK_EQ(ng, nw);
		CHECK(memcmp(got, want, nw * sizeof(*got)) == 0);
		nw = naive_diff(a, na, b, nb, want);
		ng = tally_idruns_extra(&s, b, nb, got);
		CHECK_EQ(ng, nw);
		CHECK(memcmp(got, want, nw * sizeof(*got)) == 0);
	}
	/* The edges of the id space: runs ending at UINT32_MAX, lists starting at 1. */
	{
		const uint32_t top[] = { 1, UINT32_MAX - 2, UINT32_MAX - 1, UINT32_MAX };
		const uint32_t list[] = { UINT32_MAX - 1 };

		CHECK(tally_idruns_set(&s, top, 4));
		CHECK_EQ(s.n, 2);
		CHECK(tally_idruns_has(&s, UINT32_MAX));
		CHECK(!tally_idruns_has(&s, 0));
		CHECK_EQ(tally_idruns_extra(&s, list, 1, got), 3);
		CHECK(got[0] == 1 && got[1] == UINT32_MAX - 2 && got[2] == UINT32_MAX);
		CHECK_EQ(tally_idruns_lacked(&s, top, 4, got), 0);
	}
	tally_idruns_free(&s);
}

int main(void)
{
	RUN(test_group_examples);
	RUN(test_group_matches_rule);
	RUN(test_idruns_match_sets);
	return CHECK_EXIT();
}
