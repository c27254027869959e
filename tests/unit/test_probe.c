/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTT probes (probe/probe.h, the PROBE frame body of wire.h): rounds probe
 * a bounded number of peers, round robin, also with 1024 of them; only the
 * PONG of the outstanding PING makes a sample, and it lands in the right
 * log2 bucket; PINGs are answered to whoever asked; an unanswered PING is
 * counted lost at the next one; the body decoder takes exactly 13 bytes of
 * a valid message and nothing else.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "config/cmap.h"
#include "probe/probe.h"
#include "wire/wire.h"

#define MAX_SENT 64

static struct {
	uint32_t to[MAX_SENT];
	struct tally_probe_msg m[MAX_SENT];
	size_t n;
} sent;

static void on_send(void *ctx, uint32_t to, const struct tally_probe_msg *m)
{
	(void)ctx;
	if (sent.n < MAX_SENT) {
		sent.to[sent.n] = to;
		sent.m[sent.n] = *m;
	}
	sent.n++;
}

static const struct tally_probe_ops ops = { on_send };

static struct tally_probe *prober(const uint32_t *ids, size_t n, uint32_t per_round)
{
	struct tally_probe_params p = { 1000, per_round };

	memset(&sent, 0, sizeof(sent));
	return tally_probe_create(1, ids, n, &p, &ops, NULL, 0);
}

static void create_refuses_bad_peer_lists(void)
{
	static const uint32_t dup[] = { 2, 3, 2 }, self[] = { 2, 1 }, zero[] = { 0, 2 };
	struct tally_probe_params p;

	tally_probe_params_default(&p);
	CHECK(tally_probe_create(1, dup, 3, &p, &ops, NULL, 0) == NULL && errno == EINVAL);
	CHECK(tally_probe_create(1, self, 2, &p, &ops, NULL, 0) == NULL);
	CHECK(tally_probe_create(1, zero, 2, &p, &ops, NULL, 0) == NULL);
	CHECK(tally_probe_create(0, dup, 1, &p, &ops, NULL, 0) == NULL);
	p.per_round = 0;
	CHECK(tally_probe_create(1, dup, 1, &p, &ops, NULL, 0) == NULL);
}

static void rounds_go_round_robin_in_id_order(void)
{
	static const uint32_t ids[] = { 9, 3, 5, 2, 7 };
	static const uint32_t want[] = { 2, 3, 5, 7, 9, 2 };
	struct tally_probe *pr = prober(ids, 5, 2);

	CHECK_EQ(tally_probe_count(pr), 5);
	CHECK_EQ(tally_probe_peer_id(pr, 0), 2);
	CHECK_EQ(tally_probe_next_deadline(pr), 0);
	tally_probe_tick(pr, 0);
	CHECK_EQ(sent.n, 2);
	tally_probe_tick(pr, 999);	/* not due: nothing */
	CHECK_EQ(sent.n, 2);
	CHECK_EQ(tally_probe_next_deadline(pr), 1000);
	tally_probe_tick(pr, 1000);
	tally_probe_tick(pr, 2500);	/* late: one round, the next one an interval on */
	CHECK_EQ(tally_probe_next_deadline(pr), 3500);
	CHECK_EQ(sent.n, 6);
	for (size_t i = 0; i < 6; i++) {
		CHECK_EQ(sent.to[i], want[i]);
		CHECK_EQ(sent.m[i].kind, TALLY_PROBE_PING);
		CHECK_EQ(sent.m[i].target, want[i]);
		CHECK(sent.m[i].token != 0 && (i == 0 || sent.m[i].token > sent.m[i - 1].token));
	}
	tally_probe_destroy(pr);
}

static void a_pong_is_one_sample(void)
{
	static const uint32_t ids[] = { 2, 3 };
	struct tally_probe *pr = prober(ids, 2, 2);
	struct tally_probe_msg pong = { TALLY_PROBE_PONG, 1, 0 };
	const struct tally_probe_rtt *r;
	struct tally_probe_stats st;

	tally_probe_tick(pr, 100);
	pong.token = sent.m[0].token;
	tally_probe_receive(pr, 2, &pong, 180);
	r = tally_probe_rtt_of(pr, 2);
	CHECK(r != NULL);
	CHECK_EQ(r->sent, 1);
	CHECK_EQ(r->answered, 1);
	CHECK_EQ(r->last_us, 80);
	CHECK_EQ(r->min_us, 80);
	CHECK_EQ(r->max_us, 80);
	CHECK_EQ(r->ewma_us, 80);
	CHECK_EQ(r->hist[6], 1);	/* [64, 128) */
	/* the same PONG again, one for peer 3's token from 2, one from a stranger */
	tally_probe_receive(pr, 2, &pong, 190);
	pong.token = sent.m[1].token;
	tally_probe_receive(pr, 2, &pong, 190);
	tally_probe_receive(pr, 42, &pong, 190);
	CHECK_EQ(r->answered, 1);
	CHECK_EQ(tally_probe_rtt_of(pr, 3)->answered, 0);
	tally_probe_get_stats(pr, &st);
	CHECK_EQ(st.pings_sent, 2);
	CHECK_EQ(st.pongs_received, 4);
	CHECK_EQ(st.unmatched, 2);
	CHECK_EQ(st.unknown, 1);
	/* 3 is answered late: lost at its next PING, and that late PONG is no sample */
	tally_probe_tick(pr, 1100);
	CHECK_EQ(tally_probe_rtt_of(pr, 3)->lost, 1);
	CHECK_EQ(tally_probe_rtt_of(pr, 2)->lost, 0);
	tally_probe_receive(pr, 3, &pong, 1150);
	CHECK_EQ(tally_probe_rtt_of(pr, 3)->answered, 0);
	/* a second sample of 2 moves the EWMA by an eighth */
	pong.token = sent.m[2].token;
	tally_probe_receive(pr, 2, &pong, 1100 + 880);
	CHECK_EQ(r->last_us, 880);
	CHECK_EQ(r->max_us, 880);
	CHECK_EQ(r->min_us, 80);
	CHECK_EQ(r->ewma_us, (80 * 7 + 880) / 8);
	CHECK_EQ(r->hist[9], 1);	/* [512, 1024) */
	CHECK(tally_probe_rtt_of(pr, 4) == NULL);
	tally_probe_destroy(pr);
}

static void pings_are_answered_to_the_asker(void)
{
	struct tally_probe_params p = { 0, 1 };	/* probing off: still answers */
	struct tally_probe *pr;
	struct tally_probe_msg ping = { TALLY_PROBE_PING, 1, 77 };
	struct tally_probe_stats st;

	memset(&sent, 0, sizeof(sent));
	pr = tally_probe_create(1, NULL, 0, &p, &ops, NULL, 0);
	CHECK(pr != NULL);
	CHECK_EQ(tally_probe_next_deadline(pr), UINT64_MAX);
	tally_probe_tick(pr, 5000);
	CHECK_EQ(sent.n, 0);
	tally_probe_receive(pr, 5, &ping, 10);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(sent.to[0], 5);
	CHECK_EQ(sent.m[0].kind, TALLY_PROBE_PONG);
	CHECK_EQ(sent.m[0].target, 5);
	CHECK_EQ(sent.m[0].token, 77);
	ping.target = 3;	/* a broadcast PING for someone else */
	tally_probe_receive(pr, 5, &ping, 10);
	CHECK_EQ(sent.n, 1);
	tally_probe_get_stats(pr, &st);
	CHECK_EQ(st.pongs_sent, 1);
	CHECK_EQ(st.misaddressed, 1);
	tally_probe_destroy(pr);
}

static void the_cost_stays_bounded_at_1024_nodes(void)
{
	static uint32_t ids[1023];
	static unsigned pinged[1025];
	struct tally_probe *pr;
	size_t before;

	for (uint32_t i = 0; i < 1023; i++)
		ids[i] = i + 2;
	pr = prober(ids, 1023, 4);
	memset(pinged, 0, sizeof(pinged));
	/* 256 rounds cover every peer once (the last round wraps to peer 2) */
	for (uint64_t t = 0; t < 256; t++) {
		before = sent.n;
		tally_probe_tick(pr, t * 1000);
		CHECK_EQ(sent.n - before, 4);
	}
	for (size_t i = 0; i < 1023; i++)
		pinged[ids[i]] = (unsigned)tally_probe_rtt_of(pr, ids[i])->sent;
	CHECK_EQ(pinged[2], 2);
	for (uint32_t id = 3; id <= 1024; id++)
		CHECK_EQ(pinged[id], 1);
	tally_probe_destroy(pr);
}

static void buckets_and_quantiles(void)
{
	struct tally_probe_rtt r = { 0 };

	CHECK_EQ(tally_probe_bucket(0), 0);
	CHECK_EQ(tally_probe_bucket(1), 0);
	CHECK_EQ(tally_probe_bucket(2), 1);
	CHECK_EQ(tally_probe_bucket(3), 1);
	CHECK_EQ(tally_probe_bucket(1023), 9);
	CHECK_EQ(tally_probe_bucket(1024), 10);
	CHECK_EQ(tally_probe_bucket(UINT64_MAX), TALLY_PROBE_BUCKETS - 1);
	CHECK_EQ(tally_probe_bucket_limit(0), 2);
	CHECK_EQ(tally_probe_bucket_limit(9), 1024);
	CHECK(tally_probe_bucket_limit(TALLY_PROBE_BUCKETS - 1) == UINT64_MAX);
	CHECK_EQ(tally_probe_quantile(&r, 50), 0);
	/* 100, 100, 100, 5000 µs */
	r.hist[6] = 3;
	r.hist[12] = 1;
	r.min_us = 100;
	r.max_us = 5000;
	CHECK_EQ(tally_probe_quantile(&r, 50), 128);
	CHECK_EQ(tally_probe_quantile(&r, 75), 128);
	CHECK_EQ(tally_probe_quantile(&r, 99), 5000);	/* 8192 is above the max */
	CHECK_EQ(tally_probe_quantile(&r, 0), 128);
	r.hist[6] = 0;
	r.hist[0] = 3;	/* 1 µs each: bucket 0 ends at 2 */
	r.min_us = 1;
	CHECK_EQ(tally_probe_quantile(&r, 50), 2);
}

static void params_from_the_configuration(void)
{
	struct tally_cmap *map = tally_cmap_new();
	struct tally_probe_params p;
	char err[128];

	CHECK_EQ(tally_probe_params_from_cmap(map, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.interval_us, 100000);
	CHECK_EQ(p.per_round, 4);
	tally_cmap_set(map, "engine.probe_interval", "0");
	tally_cmap_set(map, "engine.probe_peers", "16");
	CHECK_EQ(tally_probe_params_from_cmap(map, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.interval_us, 0);
	CHECK_EQ(p.per_round, 16);
	tally_cmap_set(map, "engine.probe_peers", "0");
	CHECK_EQ(tally_probe_params_from_cmap(map, &p, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "engine.probe_peers") != NULL);
	tally_cmap_set(map, "engine.probe_peers", "x");
	CHECK_EQ(tally_probe_params_from_cmap(map, &p, err, sizeof(err)), -EINVAL);
	tally_cmap_free(map);
}

static void bodies_are_strict(void)
{
	struct tally_probe_msg m = { TALLY_PROBE_PONG, 0x01020304u, 0x1122334455667788ull }, back;
	uint8_t b[32];

	CHECK_EQ(tally_wire_encode_probe(&m, b, sizeof(b)), TALLY_WIRE_PROBE_LEN);
	CHECK_EQ(b[0], 2);
	CHECK_EQ(b[1], 1);
	CHECK_EQ(b[4], 4);
	CHECK_EQ(b[12], 0x88);
	CHECK_EQ(tally_wire_decode_probe(b, TALLY_WIRE_PROBE_LEN, &back), TALLY_WIRE_OK);
	CHECK(back.kind == m.kind && back.target == m.target && back.token == m.token);
	CHECK_EQ(tally_wire_decode_probe(b, TALLY_WIRE_PROBE_LEN - 1, &back), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(tally_wire_decode_probe(b, TALLY_WIRE_PROBE_LEN + 1, &back), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(tally_wire_decode_probe(b, 0, &back), TALLY_WIRE_BAD_BODY);
	for (unsigned k = 0; k < 256; k++) {
		b[0] = (uint8_t)k;
		CHECK_EQ(tally_wire_decode_probe(b, TALLY_WIRE_PROBE_LEN, &back),
			 k == 1 || k == 2 ? TALLY_WIRE_OK : TALLY_WIRE_BAD_BODY);
	}
	b[0] = 1;
	memset(b + 1, 0, 4);	/* target 0 */
	CHECK_EQ(tally_wire_decode_probe(b, TALLY_WIRE_PROBE_LEN, &back), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(tally_wire_encode_probe(&m, b, sizeof(b)), TALLY_WIRE_PROBE_LEN);
	memset(b + 5, 0, 8);	/* token 0 */
	CHECK_EQ(tally_wire_decode_probe(b, TALLY_WIRE_PROBE_LEN, &back), TALLY_WIRE_BAD_BODY);
	CHECK_EQ(tally_wire_encode_probe(&m, b, TALLY_WIRE_PROBE_LEN - 1), -ENOSPC);
	m.token = 0;
	CHECK_EQ(tally_wire_encode_probe(&m, b, sizeof(b)), -EINVAL);
	m.token = 1;
	m.kind = 3;
	CHECK_EQ(tally_wire_encode_probe(&m, b, sizeof(b)), -EINVAL);
	m.kind = TALLY_PROBE_PING;
	m.target = 0;
	CHECK_EQ(tally_wire_encode_probe(&m, b, sizeof(b)), -EINVAL);
}

/* A sealed PROBE frame opens like any other, and its body decodes. */
static void probe_frames_are_sealed(void)
{
	static uint8_t authkey[64] = { 9 };
	struct tally_wire_key k;
	struct tally_wire_hdr h = { TALLY_WIRE_PROBE, 4, 7, 1 }, got;
	struct tally_probe_msg m = { TALLY_PROBE_PING, 1, 5 }, back;
	uint8_t body[TALLY_WIRE_PROBE_LEN], f[128];
	const uint8_t *b;
	size_t blen;
	int n;

	CHECK_EQ(tally_wire_key_derive(&k, authkey, sizeof(authkey), "c"), 0);
	CHECK_EQ(tally_wire_encode_probe(&m, body, sizeof(body)), TALLY_WIRE_PROBE_LEN);
	n = tally_wire_seal(&k, &h, body, sizeof(body), f, sizeof(f));
	CHECK_EQ(n, TALLY_WIRE_OVERHEAD + TALLY_WIRE_PROBE_LEN);
	CHECK_EQ(tally_wire_open(&k, f, (size_t)n, &got, &b, &blen), TALLY_WIRE_OK);
	CHECK_EQ(got.type, TALLY_WIRE_PROBE);
	CHECK_EQ(tally_wire_decode_probe(b, blen, &back), TALLY_WIRE_OK);
	CHECK_EQ(back.token, 5);
	f[TALLY_WIRE_HDR_LEN] ^= 1;	/* a flipped body bit fails the MAC */
	CHECK_EQ(tally_wire_open(&k, f, (size_t)n, &got, &b, &blen), TALLY_WIRE_BAD_MAC);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(create_refuses_bad_peer_lists);
	RUN(rounds_go_round_robin_in_id_order);
	RUN(a_pong_is_one_sample);
	RUN(pings_are_answered_to_the_asker);
	RUN(the_cost_stays_bounded_at_1024_nodes);
	RUN(buckets_and_quantiles);
	RUN(params_from_the_configuration);
	RUN(bodies_are_strict);
	RUN(probe_frames_are_sealed);
	return CHECK_EXIT();
}
