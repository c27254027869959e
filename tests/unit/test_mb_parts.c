/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Large proposals in parts (TALLY_MB_PROPOSE_PART, membership.h): a node
 * accepts a reassembled proposal exactly when it would accept the whole
 * PROPOSE, whatever order the parts come in; every malformed or foreign part
 * is dropped and counted and leads to no answer; and a proposer of more than
 * TALLY_MB_PART_MEMBERS members sends parts that each fit one frame.
 */
#include <string.h>

#include "check.h"
#include "mb_stub.h"
#include "membership/membership.h"
#include "wire/mb.h"

#define N 200
#define SELF 2u

struct sent {
	unsigned accepts, rejects, parts, proposes, oversize, unicasts;
	uint64_t accept_seq;
};

static struct sent sent;

static void on_send(void *ctx, uint32_t to, const struct tally_mb_msg *msg)
{
	static uint8_t body[TALLY_WIRE_MAX_BODY];

	(void)ctx;
	sent.unicasts += to != TALLY_MB_BROADCAST;
	if (tally_wire_encode_mb(msg, body, sizeof(body)) < 0)
		sent.oversize++;
	if (msg->type == TALLY_MB_ACCEPT) {
		sent.accepts++;
		sent.accept_seq = msg->seq;
	}
	sent.rejects += msg->type == TALLY_MB_REJECT;
	sent.parts += msg->type == TALLY_MB_PROPOSE_PART;
	sent.proposes += msg->type == TALLY_MB_PROPOSE;
}

static const struct tally_mb_ops ops = { on_send, mb_stub_view, mb_stub_deliver,
					 mb_stub_activate };

static uint32_t ids[N];
static uint64_t incs[N];

static struct tally_mb *node(void)
{
	struct tally_mb_params p;

	tally_mb_params_default(&p);
	memset(&sent, 0, sizeof(sent));
	for (uint32_t i = 0; i < N; i++) {
		ids[i] = i + 1;
		/* tallyd's start times in ns: no two close together */
		incs[i] = 1764000000000000000ull + (uint64_t)i * 999999937ull * (i % 3 + 1);
	}
	incs[SELF - 1] = 1;
	return tally_mb_create(SELF, 1, &p, &ops, NULL, 1000);
}

/* Part k of the proposal of `seq` from node 1, over ids/incs of n members. */
static struct tally_mb_msg part(uint64_t seq, uint32_t n, uint32_t k)
{
	struct tally_mb_msg m;
	uint32_t off = k * TALLY_MB_PART_MEMBERS, left = n - off;

	memset(&m, 0, sizeof(m));
	m.type = TALLY_MB_PROPOSE_PART;
	m.from = 1;
	m.inc = incs[0];
	m.seq = m.max_seq = seq;
	m.gseq = n;
	m.lseq = off;
	m.ids = ids + off;
	m.incs = incs + off;
	m.n_ids = left < TALLY_MB_PART_MEMBERS ? left : TALLY_MB_PART_MEMBERS;
	return m;
}

static uint64_t dropped(const struct tally_mb *mb)
{
	struct tally_mb_stats st;

	tally_mb_get_stats(mb, &st);
	return st.parts_dropped;
}

static const uint32_t n_parts = (N + TALLY_MB_PART_MEMBERS - 1) / TALLY_MB_PART_MEMBERS;

static void parts_in_any_order_make_the_proposal(void)
{
	struct tally_mb *mb = node();
	struct tally_mb_msg m;

	for (uint32_t k = n_parts; k-- > 1;) {
		m = part(8, N, k);
		tally_mb_receive(mb, &m, 2000);
	}
	CHECK_EQ(sent.accepts, 0);	/* not before the last part */
	m = part(8, N, 0);
	tally_mb_receive(mb, &m, 2000);
	CHECK_EQ(sent.accepts, 1);
	CHECK_EQ(sent.accept_seq, 8);
	CHECK_EQ(dropped(mb), 0);
	/* a part repeated after the whole arrived starts a new buffer, never a second answer */
	tally_mb_receive(mb, &m, 2100);
	CHECK_EQ(sent.accepts, 1);
	tally_mb_destroy(mb);
}

/* Each bad part is dropped and counted; the proposal then completes with good parts. */
static void malformed_parts_are_dropped(void)
{
	struct tally_mb *mb = node();
	struct tally_mb_msg m;
	uint64_t want = 0;

#define DROPPED(k, setup)                                                                  \
	do {                                                                               \
		m = part(8, N, k);                                                         \
		setup;                                                                     \
		tally_mb_receive(mb, &m, 2000);                                            \
		CHECK_EQ(dropped(mb), ++want);                                             \
	} while (0)

	DROPPED(1, m.gseq = TALLY_MB_PART_MEMBERS);	/* small enough for one PROPOSE */
	DROPPED(1, m.gseq = 70000);			/* more than any cluster */
	DROPPED(1, m.lseq = 65);			/* not where a part starts */
	DROPPED(1, m.lseq = 256);			/* beyond the proposal */
	DROPPED(1, m.n_ids = 63);			/* a middle part is full */
	DROPPED(n_parts - 1, m.n_ids++);		/* the last is the rest, no more */
	DROPPED(1, m.incs = NULL);
	DROPPED(1, m.ids = NULL);
	DROPPED(1, m.seq = 0);
	m = part(8, N, 1);
	tally_mb_receive(mb, &m, 2000);
	CHECK_EQ(dropped(mb), want);
	DROPPED(1, (void)0);				/* the same part twice */
	DROPPED(2, m.seq = 4);				/* an older proposal meanwhile */
	CHECK_EQ(sent.accepts, 0);
	for (uint32_t k = 0; k < n_parts; k++) {
		if (k == 1)
			continue;
		m = part(8, N, k);
		tally_mb_receive(mb, &m, 2000);
	}
	CHECK_EQ(sent.accepts, 1);
	CHECK_EQ(dropped(mb), want);
	tally_mb_destroy(mb);
}

/* Parts that are each well formed but whose whole is not a valid proposal: no answer. */
static void bad_wholes_get_no_answer(void)
{
	struct tally_mb *mb = node();
	struct tally_mb_msg m;
	uint32_t tmp[TALLY_MB_PART_MEMBERS], others[TALLY_MB_PART_MEMBERS];

	/* members out of order across parts: swap the first two parts' ids */
	memcpy(tmp, ids, sizeof(tmp));
	memcpy(ids, ids + TALLY_MB_PART_MEMBERS, sizeof(tmp));
	memcpy(ids + TALLY_MB_PART_MEMBERS, tmp, sizeof(tmp));
	for (uint32_t k = 0; k < n_parts; k++) {
		m = part(8, N, k);
		m.from = 1;
		tally_mb_receive(mb, &m, 2000);
	}
	CHECK_EQ(sent.accepts + sent.rejects, 0);
	/* a proposal that does not name us with our incarnation */
	memcpy(ids + TALLY_MB_PART_MEMBERS, ids, sizeof(tmp));
	memcpy(ids, tmp, sizeof(tmp));
	incs[SELF - 1] = 2;
	for (uint32_t k = 0; k < n_parts; k++) {
		m = part(12, N, k);
		tally_mb_receive(mb, &m, 2000);
	}
	CHECK_EQ(sent.accepts + sent.rejects, 0);
	/*
	 * A broadcast proposal that leaves us out (its first part spans our id
	 * without it) takes no buffer: a lower proposal naming us still completes.
	 */
	others[0] = 1;
	for (uint32_t i = 1; i < TALLY_MB_PART_MEMBERS; i++)
		others[i] = i + 2;
	m = part(400, N, 0);
	m.ids = others;
	tally_mb_receive(mb, &m, 2000);
	CHECK_EQ(dropped(mb), 0);
	incs[SELF - 1] = 1;
	/* the right one after all that */
	for (uint32_t k = 0; k < n_parts; k++) {
		m = part(16, N, k);
		tally_mb_receive(mb, &m, 2000);
	}
	CHECK_EQ(sent.accepts, 1);
	CHECK_EQ(sent.accept_seq, 16);
	tally_mb_destroy(mb);
}

/*
 * Node 1, hearing N - 1 peers that hear everyone, proposes them all: in
 * parts, every one of which encodes within a frame.
 */
static void a_large_proposer_sends_parts(void)
{
	struct tally_mb_params p;
	struct tally_mb *mb;
	uint64_t now = 1000;

	tally_mb_params_default(&p);
	memset(&sent, 0, sizeof(sent));
	for (uint32_t i = 0; i < N; i++)
		ids[i] = i + 1;
	mb = tally_mb_create(1, 1, &p, &ops, NULL, now);
	for (int t = 0; t < 40 && sent.parts == 0; t++) {
		now += p.interval_us;
		for (uint32_t id = 2; id <= N; id++) {
			struct tally_mb_msg hb;

			memset(&hb, 0, sizeof(hb));
			hb.type = TALLY_MB_HEARTBEAT;
			hb.from = id;
			hb.inc = 1;
			hb.flags = TALLY_MB_HB_HEARSET;
			hb.ids = ids;
			hb.n_ids = N;
			tally_mb_receive(mb, &hb, now);
		}
		tally_mb_tick(mb, now);
	}
	CHECK_EQ(sent.proposes, 0);
	CHECK_EQ(sent.parts, n_parts);	/* each one broadcast, not N - 1 unicasts */
	CHECK_EQ(sent.unicasts, 0);
	CHECK_EQ(sent.oversize, 0);
	tally_mb_destroy(mb);
}

int main(void)
{
	RUN(parts_in_any_order_make_the_proposal);
	RUN(malformed_parts_are_dropped);
	RUN(bad_wholes_get_no_answer);
	RUN(a_large_proposer_sends_parts);
	return CHECK_EXIT();
}
