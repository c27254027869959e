/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sequencer runs (TALLY_MB_RUN_MAX, membership.h): a representative orders a
 * sync round's batches as a few broadcast ORDERED runs, not a frame per
 * message, and answers a NACK with runs; a member sends its batch as one
 * DATA run, delivers what runs bring in number order exactly once, asks for
 * a gap, and ignores runs that are not its representative's.
 */
#include <string.h>

#include "check.h"
#include "mb_install.h"
#include "membership/membership.h"
#include "wire/mb.h"

#define N 200u
#define SEQ_MEMBER 8u	/* the proposal the member test installs */

struct world {
	struct tally_mb *mb;
	unsigned submit_in_view;	/* nodeinfo messages the view callback submits */
	/* What was sent. */
	unsigned ordered, data, nacks, parts, unicast_ordered, oversize;
	uint64_t next_gseq;		/* ORDERED frames must continue where the last ended */
	bool gseq_gap;
	uint64_t entries_ordered, nack_gseq, part_seq;
	struct tally_mb_entry data_run[TALLY_MB_RUN_MAX];
	uint32_t data_n;
	/* What was delivered. */
	unsigned delivered;
	uint32_t delivered_from[4 * N];
};

static struct world w;

static void on_send(void *ctx, uint32_t to, const struct tally_mb_msg *msg)
{
	static uint8_t body[TALLY_WIRE_MAX_BODY];

	(void)ctx;
	if (tally_wire_encode_mb(msg, body, sizeof(body)) < 0)
		w.oversize++;
	switch (msg->type) {
	case TALLY_MB_ORDERED:
		w.ordered++;
		w.unicast_ordered += to != TALLY_MB_BROADCAST;
		if (to == TALLY_MB_BROADCAST) {
			w.gseq_gap |= msg->gseq != w.next_gseq;
			w.next_gseq = msg->gseq + msg->n_entries;
			w.entries_ordered += msg->n_entries;
		}
		break;
	case TALLY_MB_DATA:
		w.data++;
		w.data_n = msg->n_entries;
		memcpy(w.data_run, msg->entries, msg->n_entries * sizeof(*msg->entries));
		break;
	case TALLY_MB_NACK:
		w.nacks++;
		w.nack_gseq = msg->gseq;
		break;
	case TALLY_MB_PROPOSE_PART:
		w.parts++;
		w.part_seq = msg->seq;
		break;
	default:
		break;
	}
}

static struct tally_qmsg nodeinfo(uint32_t id)
{
	struct tally_qmsg q;

	memset(&q, 0, sizeof(q));
	q.type = TALLY_QMSG_NODEINFO;
	q.nodeinfo.nodeid = id;
	q.nodeinfo.votes = 1;
	q.nodeinfo.expected_votes = N;
	return q;
}

/* As the quorum core does in its sync round: our nodeinfo, into the batch. */
static void on_view(void *ctx, const votequorum_ring_id_t *r, const uint32_t *mem, size_t n)
{
	(void)ctx;
	(void)r;
	(void)mem;
	(void)n;
	for (unsigned i = 0; i < w.submit_in_view; i++) {
		struct tally_qmsg q = nodeinfo(1000 + i);

		tally_mb_submit(w.mb, &q, 0);
	}
}

static void on_deliver(void *ctx, uint32_t sender, const struct tally_qmsg *q)
{
	(void)ctx;
	(void)q;
	if (w.delivered < 4 * N)
		w.delivered_from[w.delivered] = sender;
	w.delivered++;
}

static void on_activate(void *ctx)
{
	(void)ctx;
}

static const struct tally_mb_ops ops = { on_send, on_view, on_deliver, on_activate };

static uint32_t ids[N];
static uint64_t incs[N];

static struct tally_mb *create(uint32_t self, unsigned submit_in_view, uint64_t now)
{
	struct tally_mb_params p;

	tally_mb_params_default(&p);
	memset(&w, 0, sizeof(w));
	w.next_gseq = 1;
	w.submit_in_view = submit_in_view;
	for (uint32_t i = 0; i < N; i++) {
		ids[i] = i + 1;
		incs[i] = 1;
	}
	w.mb = tally_mb_create(self, 1, &p, &ops, NULL, now);
	return w.mb;
}

static struct tally_mb_msg from(uint32_t id, enum tally_mb_type type, uint64_t ring_seq)
{
	struct tally_mb_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.from = id;
	m.inc = 1;
	m.ring.nodeid = 1;
	m.ring.seq = ring_seq;
	m.max_seq = ring_seq;
	return m;
}

/* ------------------------------------------------------------------ */
/* The representative                                                   */

/* Node 1 proposes all N (hearing everyone), every member accepts: installed, rep. */
static struct tally_mb *installed_rep(uint64_t *now)
{
	struct tally_mb *mb = create(1, 1, *now);
	struct tally_mb_params p;

	tally_mb_params_default(&p);
	for (int t = 0; t < 40 && w.parts == 0; t++) {
		*now += p.interval_us;
		for (uint32_t id = 2; id <= N; id++) {
			struct tally_mb_msg hb = from(id, TALLY_MB_HEARTBEAT, 0);

			hb.ring.nodeid = 0;
			hb.flags = TALLY_MB_HB_HEARSET;
			hb.ids = ids;
			hb.n_ids = N;
			tally_mb_receive(mb, &hb, *now);
		}
		tally_mb_tick(mb, *now);
	}
	CHECK(w.parts > 0);
	for (uint32_t id = 2; id <= N; id++) {
		struct tally_mb_msg acc = from(id, TALLY_MB_ACCEPT, 0);

		acc.ring.nodeid = 0;
		acc.seq = w.part_seq;
		tally_mb_receive(mb, &acc, *now);
	}
	CHECK_EQ(tally_mb_ring(mb).nodeid, 1);
	CHECK_EQ(tally_mb_ring(mb).seq, w.part_seq);
	return mb;
}

/* Member `id`'s batch: its nodeinfo and BATCH_END, as one DATA run. */
static void send_batch(struct tally_mb *mb, uint32_t id, uint64_t now)
{
	struct tally_mb_entry e[2];
	struct tally_mb_msg m = from(id, TALLY_MB_DATA, tally_mb_ring(mb).seq);

	memset(e, 0, sizeof(e));
	e[0].origin = e[1].origin = id;
	e[0].lseq = 1;
	e[0].payload = TALLY_MB_PAYLOAD_QMSG;
	e[0].qmsg = nodeinfo(id);
	e[1].lseq = 2;
	e[1].payload = TALLY_MB_PAYLOAD_BATCH_END;
	m.entries = e;
	m.n_entries = 2;
	tally_mb_receive(mb, &m, now);
}

static void a_sync_round_is_ordered_in_runs(void)
{
	uint64_t now = 1000;
	struct tally_mb *mb = installed_rep(&now);
	struct tally_mb_msg nack;
	const uint32_t entries = 2 * N;	/* every member's nodeinfo and batch end */

	tally_mb_tick(mb, now);	/* our own batch is in */
	for (uint32_t id = 2; id < N; id++)
		send_batch(mb, id, now);
	tally_mb_tick(mb, now);
	CHECK_EQ(w.ordered, 0);	/* nothing before every batch is in */
	send_batch(mb, N, now);
	CHECK_EQ(w.ordered, 0);	/* ... and nothing inside the receive call */
	tally_mb_tick(mb, now);
	CHECK_EQ(w.entries_ordered, entries);
	CHECK_EQ(w.ordered, (entries + TALLY_MB_RUN_MAX - 1) / TALLY_MB_RUN_MAX);
	CHECK_EQ(w.unicast_ordered, 0);
	CHECK(!w.gseq_gap);
	CHECK_EQ(w.oversize, 0);
	/* in member order: ours first (through our own timer), then 2, 3, ... */
	CHECK_EQ(w.delivered, N);
	for (uint32_t i = 0; i < N && i < w.delivered; i++)
		CHECK_EQ(w.delivered_from[i], i + 1);

	/* A NACK from the start: the next 64 entries, to that member only, in two runs. */
	nack = from(5, TALLY_MB_NACK, tally_mb_ring(mb).seq);
	nack.gseq = 1;
	w.ordered = 0;
	tally_mb_receive(mb, &nack, now);
	CHECK_EQ(w.ordered, 2);
	CHECK_EQ(w.unicast_ordered, 2);
	/* for what was never sent, nothing */
	nack.gseq = entries + 1;
	w.ordered = 0;
	tally_mb_receive(mb, &nack, now);
	CHECK_EQ(w.ordered, 0);
	tally_mb_destroy(mb);
}

/* ------------------------------------------------------------------ */
/* A member                                                             */

/* Node 2 accepts node 1's proposal of all N in parts, then its commit. */
static struct tally_mb *installed_member(uint64_t now)
{
	struct tally_mb *mb = create(2, 3, now);

	mb_install_view(mb, 1, SEQ_MEMBER, ids, incs, N, now);
	CHECK_EQ(tally_mb_ring(mb).seq, SEQ_MEMBER);
	return mb;
}

/* An ORDERED run from `sender` of entries first..last, each node 3's nodeinfo. */
static void ordered(struct tally_mb *mb, uint32_t sender, uint64_t first, uint64_t last,
		    uint64_t now)
{
	static struct tally_mb_entry e[TALLY_MB_RUN_MAX];
	struct tally_mb_msg m = from(sender, TALLY_MB_ORDERED, SEQ_MEMBER);

	memset(e, 0, sizeof(e));
	for (uint64_t g = first; g <= last; g++) {
		e[g - first].origin = 3;
		e[g - first].lseq = g;
		e[g - first].payload = TALLY_MB_PAYLOAD_QMSG;
		e[g - first].qmsg = nodeinfo(3);
	}
	m.gseq = first;
	m.n_entries = (uint32_t)(last - first + 1);
	m.entries = e;
	tally_mb_receive(mb, &m, now);
}

static void a_member_sends_and_takes_runs(void)
{
	uint64_t now = 1000;
	struct tally_mb *mb = installed_member(now);

	/* its batch: three nodeinfo and the batch end, one frame */
	CHECK_EQ(w.data, 1);
	CHECK_EQ(w.data_n, 4);
	for (uint32_t i = 0; i < w.data_n; i++) {
		CHECK_EQ(w.data_run[i].origin, 2);
		CHECK_EQ(w.data_run[i].lseq, i + 1);
	}
	CHECK_EQ(w.data_run[3].payload, TALLY_MB_PAYLOAD_BATCH_END);

	ordered(mb, 1, 1, TALLY_MB_RUN_MAX, now);
	CHECK_EQ(w.delivered, TALLY_MB_RUN_MAX);
	ordered(mb, 1, 31, 50, now);	/* overlapping: only what is new */
	CHECK_EQ(w.delivered, 50);
	ordered(mb, 7, 51, 60, now);	/* not from the representative */
	ordered(mb, 1, 52, 60, now);	/* a gap at 51 */
	CHECK_EQ(w.delivered, 50);
	CHECK_EQ(w.nacks, 0);
	now += 100000;
	tally_mb_tick(mb, now);
	CHECK_EQ(w.nacks, 1);
	CHECK_EQ(w.nack_gseq, 51);
	ordered(mb, 1, 51, 51, now);
	CHECK_EQ(w.delivered, 60);
	tally_mb_destroy(mb);
}

int main(void)
{
	RUN(a_sync_round_is_ordered_in_runs);
	RUN(a_member_sends_and_takes_runs);
	return CHECK_EXIT();
}
