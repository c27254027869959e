/* SPDX-License-Identifier: BSD-3-Clause */
/* RTT probes (probe.h): round-robin PINGs, immediate PONGs, per-peer histograms. */
#include "probe.h"

#include "config/cmap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#define EWMA_SHIFT 3u	/* weight 1/8, as TCP's srtt */

struct peer {
	uint32_t id;
	uint64_t token;		/**< outstanding PING; 0: none */
	uint64_t sent_at;
	struct tally_probe_rtt rtt;
};

struct tally_probe {
	uint32_t self;
	struct tally_probe_params p;
	const struct tally_probe_ops *ops;
	void *ctx;
	struct peer *peers;	/**< ascending ids */
	size_t n;
	size_t next;		/**< the first peer of the next round */
	uint64_t next_at;
	uint64_t tokens;	/**< the last token used */
	struct tally_probe_stats st;
};

void tally_probe_params_default(struct tally_probe_params *p)
{
	p->interval_us = 100000;
	p->per_round = 4;
}

int tally_probe_params_from_cmap(const struct tally_cmap *map, struct tally_probe_params *p,
				 char *err, size_t errlen)
{
	uint32_t interval;

	tally_probe_params_default(p);
	interval = (uint32_t)p->interval_us;
	if (tally_cmap_get_u32_in(map, "engine.probe_interval", 0, 60000000, &interval, err,
				  errlen) != 0 ||
	    tally_cmap_get_u32_in(map, "engine.probe_peers", 1, 64, &p->per_round, err, errlen) != 0)
		return -EINVAL;
	p->interval_us = interval;
	return 0;
}

static int cmp_peer(const void *a, const void *b)
{
	const struct peer *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

struct tally_probe *tally_probe_create(uint32_t self, const uint32_t *peers, size_t n,
				       const struct tally_probe_params *p,
				       const struct tally_probe_ops *ops, void *ctx, uint64_t now)
{
	struct tally_probe *pr;

	if (self == 0 || p == NULL || ops == NULL || (n > 0 && peers == NULL) ||
	    (p->interval_us > 0 && p->per_round == 0)) {
		errno = EINVAL;
		return NULL;
	}
	pr = calloc(1, sizeof(*pr));
	if (pr == NULL)
		return NULL;
	pr->peers = calloc(n > 0 ? n : 1, sizeof(*pr->peers));
	if (pr->peers == NULL) {
		free(pr);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		pr->peers[i].id = peers[i];
	qsort(pr->peers, n, sizeof(*pr->peers), cmp_peer);
	for (size_t i = 0; i < n; i++) {
		if (pr->peers[i].id == 0 || pr->peers[i].id == self ||
		    (i > 0 && pr->peers[i].id == pr->peers[i - 1].id)) {
			tally_probe_destroy(pr);
			errno = EINVAL;
			return NULL;
		}
	}
	pr->self = self;
	pr->p = *p;
	pr->ops = ops;
	pr->ctx = ctx;
	pr->n = n;
	pr->next_at = now;
	return pr;
}

void tally_probe_destroy(struct tally_probe *pr)
{
	if (pr == NULL)
		return;
	free(pr->peers);
	free(pr);
}

static struct peer *find(const struct tally_probe *pr, uint32_t id)
{
	struct peer key = { .id = id };

	return pr->n > 0 ? bsearch(&key, pr->peers, pr->n, sizeof(*pr->peers), cmp_peer) : NULL;
}

unsigned tally_probe_bucket(uint64_t rtt_us)
{
	unsigned b = 0;

	while (rtt_us >= 2 && b < TALLY_PROBE_BUCKETS - 1) {
		rtt_us >>= 1;
		b++;
	}
	return b;
}

uint64_t tally_probe_bucket_limit(unsigned b)
{
	return b >= TALLY_PROBE_BUCKETS - 1 ? UINT64_MAX : (uint64_t)2 << b;
}

static void record(struct tally_probe_rtt *r, uint64_t rtt)
{
	r->answered++;
	r->last_us = rtt;
	if (r->answered == 1 || rtt < r->min_us)
		r->min_us = rtt;
	if (rtt > r->max_us)
		r->max_us = rtt;
	if (r->answered == 1)
		r->ewma_us = rtt;
	else	/* unsigned: add the new share before taking the old one away */
		r->ewma_us = (r->ewma_us * ((1u << EWMA_SHIFT) - 1) + rtt) >> EWMA_SHIFT;
	r->hist[tally_probe_bucket(rtt)]++;
}

uint64_t tally_probe_quantile(const struct tally_probe_rtt *r, unsigned pct)
{
	uint64_t total = 0, want, seen = 0;

	for (unsigned b = 0; b < TALLY_PROBE_BUCKETS; b++)
		total += r->hist[b];
	if (total == 0)
		return 0;
	if (pct > 100)
		pct = 100;
	/* the rank of the sample, 1-based, rounded up: p50 of 3 samples is the 2nd */
	want = (total * pct + 99) / 100;
	if (want == 0)
		want = 1;
	for (unsigned b = 0; b < TALLY_PROBE_BUCKETS; b++) {
		uint64_t lim;

		seen += r->hist[b];
		if (seen < want)
			continue;
		lim = tally_probe_bucket_limit(b);
		return lim > r->max_us ? r->max_us : lim < r->min_us ? r->min_us : lim;
	}
	return r->max_us;
}

void tally_probe_receive(struct tally_probe *pr, uint32_t from, const struct tally_probe_msg *m,
			 uint64_t now)
{
	struct tally_probe_msg pong;
	struct peer *p;

	if (m->target != pr->self) {
		pr->st.misaddressed++;
		return;
	}
	if (m->kind == TALLY_PROBE_PING) {
		/* stateless: answering costs no memory, whoever asks */
		pong = (struct tally_probe_msg){ TALLY_PROBE_PONG, from, m->token };
		pr->st.pongs_sent++;
		pr->ops->send(pr->ctx, from, &pong);
		return;
	}
	pr->st.pongs_received++;
	p = find(pr, from);
	if (p == NULL) {
		pr->st.unknown++;
		return;
	}
	if (p->token == 0 || m->token != p->token) {
		pr->st.unmatched++;
		return;
	}
	p->token = 0;
	/* our clock is monotonic; a PONG stamped before its PING is a caller's bug */
	record(&p->rtt, now >= p->sent_at ? now - p->sent_at : 0);
}

uint64_t tally_probe_next_deadline(const struct tally_probe *pr)
{
	return pr->p.interval_us == 0 || pr->n == 0 ? UINT64_MAX : pr->next_at;
}

void tally_probe_tick(struct tally_probe *pr, uint64_t now)
{
	size_t k = pr->p.per_round < pr->n ? pr->p.per_round : pr->n;

	if (tally_probe_next_deadline(pr) > now)
		return;
	/* a late tick does not probe twice: the next round is one interval on */
	pr->next_at = now + pr->p.interval_us;
	for (size_t i = 0; i < k; i++) {
		struct peer *p = &pr->peers[pr->next];
		struct tally_probe_msg ping = { TALLY_PROBE_PING, p->id, ++pr->tokens };

		pr->next = (pr->next + 1) % pr->n;
		if (p->token != 0)
			p->rtt.lost++;	/* unanswered for a whole cycle */
		p->token = ping.token;
		p->sent_at = now;
		p->rtt.sent++;
		pr->st.pings_sent++;
		pr->ops->send(pr->ctx, p->id, &ping);
	}
}

size_t tally_probe_count(const struct tally_probe *pr)
{
	return pr->n;
}

uint32_t tally_probe_peer_id(const struct tally_probe *pr, size_t i)
{
	return pr->peers[i].id;
}

const struct tally_probe_rtt *tally_probe_peer_rtt(const struct tally_probe *pr, size_t i)
{
	return &pr->peers[i].rtt;
}

const struct tally_probe_rtt *tally_probe_rtt_of(const struct tally_probe *pr, uint32_t id)
{
	const struct peer *p = find(pr, id);

	return p != NULL ? &p->rtt : NULL;
}

void tally_probe_get_stats(const struct tally_probe *pr, struct tally_probe_stats *out)
{
	*out = pr->st;
}
