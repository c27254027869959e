/* SPDX-License-Identifier: BSD-3-Clause */
/* Id sets as runs (see idruns.h). */
#include "idruns.h"

#include <stdlib.h>

/* First index of sorted list whose element is >= id. */
static size_t lower_bound(const uint32_t *list, size_t n, uint32_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (list[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool tally_idruns_set(struct tally_idruns *s, const uint32_t *ids, size_t n)
{
	s->n = 0;
	s->ids = 0;
	if (n > UINT32_MAX / 2)
		return false;
	if (n > s->cap) {
		uint32_t *nr = realloc(s->r, 2 * n * sizeof(*s->r));

		if (nr == NULL)
			return false;
		s->r = nr;
		s->cap = (uint32_t)n;
	}
	for (size_t i = 0; i < n; i++) {
		if (s->n > 0 && s->r[2 * s->n - 1] + 1 == ids[i]) {
			s->r[2 * s->n - 1] = ids[i];
		} else {
			s->r[2 * s->n] = ids[i];
			s->r[2 * s->n + 1] = ids[i];
			s->n++;
		}
	}
	s->ids = (uint32_t)n;
	return true;
}

bool tally_idruns_has(const struct tally_idruns *s, uint32_t id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->r[2 * mid + 1] < id)
			lo = mid + 1;
		else if (s->r[2 * mid] > id)
			hi = mid;
		else
			return true;
	}
	return false;
}

size_t tally_idruns_lacked(const struct tally_idruns *s, const uint32_t *list, size_t n,
			   uint32_t *out)
{
	size_t n_out = 0, at = 0;

	/* The list's elements inside run i are one slice of it: copy what lies between. */
	for (uint32_t i = 0; i < s->n && at < n; i++) {
		size_t from = at + lower_bound(list + at, n - at, s->r[2 * i]);
		size_t to;

		while (at < from)
			out[n_out++] = list[at++];
		to = from + lower_bound(list + from, n - from, s->r[2 * i + 1]);
		at = to < n && list[to] == s->r[2 * i + 1] ? to + 1 : to;
	}
	while (at < n)
		out[n_out++] = list[at++];
	return n_out;
}

/*
 * The ids of lo..hi missing from list[a..b), whose elements all lie in
 * lo..hi: a distinct slice as long as its range has no gap, so bisecting
 * finds each gap in O(log n).
 */
static size_t gaps(const uint32_t *list, size_t a, size_t b, uint64_t lo, uint64_t hi,
		   uint32_t *out)
{
	size_t mid, n_out;

	if (lo > hi || b - a == hi - lo + 1)
		return 0;
	if (a == b) {
		for (uint64_t id = lo; id <= hi; id++)
			out[id - lo] = (uint32_t)id;
		return (size_t)(hi - lo + 1);
	}
	mid = a + (b - a) / 2;
	n_out = gaps(list, a, mid, lo, (uint64_t)list[mid] - 1, out);
	return n_out + gaps(list, mid + 1, b, (uint64_t)list[mid] + 1, hi, out + n_out);
}

size_t tally_idruns_extra(const struct tally_idruns *s, const uint32_t *list, size_t n,
			  uint32_t *out)
{
	size_t n_out = 0, at = 0;

	for (uint32_t i = 0; i < s->n; i++) {
		size_t from = at + lower_bound(list + at, n - at, s->r[2 * i]);
		size_t to = from + lower_bound(list + from, n - from, s->r[2 * i + 1]);

		if (to < n && list[to] == s->r[2 * i + 1])
			to++;
		n_out += gaps(list, from, to, s->r[2 * i], s->r[2 * i + 1], out + n_out);
		at = to;
	}
	return n_out;
}

void tally_idruns_free(struct tally_idruns *s)
{
	free(s->r);
	*s = (struct tally_idruns){ 0 };
}
