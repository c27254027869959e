/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-dp: how many authenticated frames one lcore pushes through engine/dp.
 * Two net_ring ports wired back to back (A's tx is B's rx) on one thread:
 * per frame A seals a nodeinfo heartbeat into an mbuf and sends it in bursts
 * of 32; B polls, filters, MAC-checks, replay-checks and decodes it. So one
 * frame here costs both ends of a real link. A second pass copies a frame
 * sealed in advance and only counts on receipt: the datapath without crypto.
 * A third copies frames sealed in advance (each with its own sequence
 * number) and B opens, replay-checks and decodes them: what one lcore can
 * receive with authentication, the receiver's side alone.
 *
 *   bench-dp [SECONDS per pass, default 2]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include <sodium.h>

#include "dp/dp.h"
#include "wire/wire.h"

enum pass_kind {
	PASS_COPY,	/**< pre-sealed frame copied, counted on receipt */
	PASS_SEAL,	/**< sealed per frame, opened per frame */
	PASS_OPEN,	/**< pre-sealed frames copied, opened per frame */
};

/* PASS_OPEN: this many distinct frames sealed in advance (5 MB), then the window starts over. */
#define PRESEALED 65536

struct sink {
	struct tally_wire_key key;
	struct tally_wire_replay replay;
	uint64_t ok, bad;
	bool auth;	/**< the receiver opens */
};

static void on_rx(void *ctx, struct tally_dp *dp, const uint8_t *payload, size_t len,
		  const uint8_t *src, uint64_t now)
{
	struct sink *s = ctx;
	struct tally_wire_hdr h;
	struct tally_qmsg m;
	const uint8_t *body;
	size_t blen;

	if (!s->auth) {
		s->ok += len == TALLY_WIRE_OVERHEAD + 17;
		return;
	}
	if (tally_wire_open(&s->key, payload, len, &h, &body, &blen) == TALLY_WIRE_OK &&
	    tally_wire_replay_check(&s->replay, h.incarnation, h.seq) == TALLY_WIRE_OK &&
	    tally_wire_decode_qmsg(body, blen, &m) == TALLY_WIRE_OK)
		s->ok++;
	else
		s->bad++;
}

/* This thread's CPU time: on a shared host the wall clock also counts other jobs' slices. */
static double cpu_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int ring_port(const char *name, struct rte_ring *rx, struct rte_ring *tx)
{
	return rte_eth_from_rings(name, &rx, 1, &tx, 1, (unsigned)rte_socket_id());
}

static void pass(struct tally_dp *a, struct tally_dp *b, struct sink *s, enum pass_kind kind,
		 uint8_t (*presealed)[TALLY_WIRE_OVERHEAD + 17], double secs)
{
	static const char *const what[] = {
		[PASS_COPY] = "send+recv, no crypto:",
		[PASS_SEAL] = "seal+send+recv+open:",
		[PASS_OPEN] = "send+recv+open (sealed):",
	};
	const struct tally_dp_ops ops = {on_rx, NULL};
	struct tally_qmsg m = {.type = TALLY_QMSG_NODEINFO};
	struct tally_wire_hdr h = {TALLY_WIRE_QUORUM, 1, 1, 0};
	struct tally_dp_counters c;
	uint8_t body[32], sealed[TALLY_WIRE_MAX_FRAME];
	uint64_t hz = tally_dp_tsc_hz(), t0, t1, end, never = UINT64_MAX, drops0;
	unsigned next = 0;
	double cpu0;
	int blen, flen;

	m.nodeinfo.nodeid = 1;
	m.nodeinfo.votes = 1;
	m.nodeinfo.expected_votes = 3;
	blen = tally_wire_encode_qmsg(&m, body, sizeof(body));
	flen = tally_wire_seal(&s->key, &h, body, (size_t)blen, sealed, sizeof(sealed));
	if (kind == PASS_OPEN)
		for (unsigned i = 0; i < PRESEALED; i++) {
			h.seq = i + 1;
			tally_wire_seal(&s->key, &h, body, (size_t)blen, presealed[i],
					sizeof(presealed[i]));
		}
	s->auth = kind != PASS_COPY;
	memset(&s->replay, 0, sizeof(s->replay));
	s->ok = s->bad = 0;
	tally_dp_counters(a, &c);
	drops0 = c.tx_drop;
	cpu0 = cpu_secs();
	t0 = tally_dp_tsc();
	end = t0 + (uint64_t)(secs * (double)hz);
	do {
		for (int k = 0; k < TALLY_DP_BURST; k++) {
			uint8_t *p = tally_dp_tx_frame(a, tally_dp_group(a), (size_t)flen);

			if (p == NULL)
				break;
			if (kind == PASS_SEAL) {
				h.seq++;
				tally_wire_seal(&s->key, &h, body, (size_t)blen, p, (size_t)flen);
			} else if (kind == PASS_OPEN) {
				if (next == PRESEALED) {	/* the same seqs again: a new window */
					next = 0;
					memset(&s->replay, 0, sizeof(s->replay));
				}
				memcpy(p, presealed[next++], (size_t)flen);
			} else {
				memcpy(p, sealed, (size_t)flen);
			}
		}
		tally_dp_tx_flush(a);
		while (tally_dp_poll(b, &ops, s, &never) > 0)
			;
	} while ((t1 = tally_dp_tsc()) < end);
	cpu0 = cpu_secs() - cpu0;
	tally_dp_counters(a, &c);
	printf("%-26s %10.0f frames/s  %7.1f ns/frame  %10.0f frames/CPU-s  (%.0f %% CPU, %llu "
	       "frames, %llu refused, %llu tx drops)\n",
	       what[kind],
	       (double)s->ok * (double)hz / (double)(t1 - t0),
	       (double)(t1 - t0) * 1e9 / (double)hz / (double)(s->ok ? s->ok : 1),
	       (double)s->ok / cpu0, cpu0 * 100 * (double)hz / (double)(t1 - t0),
	       (unsigned long long)s->ok, (unsigned long long)s->bad,
	       (unsigned long long)(c.tx_drop - drops0));
}

int main(int argc, char **argv)
{
	struct tally_cmap *map = tally_cmap_new();
	struct tally_dp_cfg cfg;
	struct tally_dp *a, *b;
	struct rte_ring *ab, *ba;
	static struct sink s;
	uint8_t (*presealed)[TALLY_WIRE_OVERHEAD + 17];
	uint8_t authkey[64] = {1};
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	char err[256];
	int pa, pb;

	if (map == NULL || sodium_init() < 0 || tally_dp_cfg_from_cmap(&cfg, map, err, sizeof(err)))
		return 1;
	cfg.idle = TALLY_DP_IDLE_BUSY;
	if (tally_dp_eal_init(&cfg, argv[0], err, sizeof(err)) != 0) {
		fprintf(stderr, "bench-dp: %s\n", err);
		return 77;
	}
	ab = rte_ring_create("bench_ab", 1024, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	ba = rte_ring_create("bench_ba", 1024, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	pa = ab && ba ? ring_port("bench_a", ba, ab) : -1;
	pb = pa >= 0 ? ring_port("bench_b", ab, ba) : -1;
	a = pb >= 0 ? tally_dp_open(&cfg, pa, "bench_pool_a", err, sizeof(err)) : NULL;
	b = a ? tally_dp_open(&cfg, pb, "bench_pool_b", err, sizeof(err)) : NULL;
	if (b == NULL) {
		fprintf(stderr, "bench-dp: ports: %s\n", pb < 0 ? "net_ring failed" : err);
		return 1;
	}
	tally_wire_key_derive(&s.key, authkey, sizeof(authkey), "bench");
	printf("one lcore, net_ring A -> B, nodeinfo frames of %d bytes + 14 Ethernet\n",
	       TALLY_WIRE_OVERHEAD + 17);
	presealed = malloc(PRESEALED * sizeof(*presealed));
	if (presealed == NULL)
		return 1;
	pass(a, b, &s, PASS_COPY, presealed, secs);
	pass(a, b, &s, PASS_SEAL, presealed, secs);
	pass(a, b, &s, PASS_OPEN, presealed, secs);
	free(presealed);
	tally_dp_close(a);
	tally_dp_close(b);
	tally_cmap_free(map);
	return s.ok > 0 && s.bad == 0 ? 0 : 1;
}
