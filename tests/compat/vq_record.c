/* SPDX-License-Identifier: BSD-3-Clause */
/* The callback recorder (vq_record.h). */
#include "vq_record.h"

#include <string.h>

struct rec recs[MAX_RECS];
int n_recs;

static struct rec *next_rec(enum rec_type type, votequorum_handle_t h, uint64_t ctx)
{
	static struct rec spill;
	struct rec *r = n_recs < MAX_RECS ? &recs[n_recs] : &spill;

	n_recs++;
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->handle = h;
	r->context = ctx;
	return r;
}

static void on_quorum(votequorum_handle_t h, uint64_t ctx, uint32_t quorate, uint32_t n,
		      votequorum_node_t nodes[])
{
	struct rec *r = next_rec(REC_QUORUM, h, ctx);

	r->quorate = quorate;
	r->n = n;
	for (uint32_t i = 0; i < n && i < 8; i++) {
		r->ids[i] = nodes[i].nodeid;
		r->states[i] = nodes[i].state;
	}
}

static void on_nodelist(votequorum_handle_t h, uint64_t ctx, votequorum_ring_id_t ring,
			uint32_t n, uint32_t ids[])
{
	struct rec *r = next_rec(REC_NODELIST, h, ctx);

	r->ring = ring;
	r->n = n;
	for (uint32_t i = 0; i < n && i < 8; i++)
		r->ids[i] = ids[i];
}

static void on_expected(votequorum_handle_t h, uint64_t ctx, uint32_t expected)
{
	next_rec(REC_EXPECTED, h, ctx)->expected = expected;
}

votequorum_callbacks_t recording_callbacks = {
	.votequorum_quorum_notify_fn = on_quorum,
	.votequorum_expectedvotes_notify_fn = on_expected,
	.votequorum_nodelist_notify_fn = on_nodelist,
};

void recs_clear(void)
{
	n_recs = 0;
	memset(recs, 0, sizeof(recs));
}
