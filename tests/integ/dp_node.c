/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp-node: a stand-in engine for the datapath tests, the tally-cluster tests
 * and the wake-latency measurement. It runs engine/dp with a real config
 * and authkey, and
 *   (default)  sends an authenticated nodeinfo heartbeat to the cluster
 *              multicast every -i µs, counts what it hears by sender and by
 *              verdict, and keeps -s FILE up to date with who it heard in
 *              the last 250 ms;
 *   --stray    also sends frames nobody should accept: unicast to a MAC that
 *              is not on the segment, and our frame under ethertype 0x88B6;
 *   --ping N   sends N authenticated pings (after 1000 unrecorded) to --peer,
 *              one at a time, and reports the round-trip percentiles;
 *   --pong     answers pings.
 * It prints key=value counters at exit (SIGTERM, SIGINT, -t or --ping done).
 *
 *   dp-node -c CONF [-n NODEID] [-t SECONDS] [-i US] [-s FILE] [--stray]
 *           [--ping N --peer MAC | --pong]
 * Exit: 0, 1 (bad arguments or config, port failure), 77 (the EAL cannot start).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "conf/conf.h"
#include "config/cmap.h"
#include "dp/dp.h"
#include "wire/wire.h"

#define MAX_SENDERS 256
#define WARMUP 1000

struct node {
	struct tally_dp *dp;
	struct tally_wire_key key;
	uint32_t nodeid;
	uint64_t seq, incarnation;
	uint64_t hz, interval, end, next_status;
	bool stray, pong;
	uint8_t peer[TALLY_ETH_ADDR_LEN];
	const char *status;
	/* ping */
	uint64_t pings, sent_pings, out_tsc, *rtt;
	bool outstanding;
	/* receive side */
	struct tally_wire_counters verdicts;
	struct tally_wire_replay replay[MAX_SENDERS];
	uint64_t heard[MAX_SENDERS], last_heard[MAX_SENDERS];
};

static struct tally_dp *running;

static void on_signal(int sig)
{
	(void)sig;
	if (running != NULL)
		tally_dp_stop(running);
}

static void send_qmsg(struct node *n, const uint8_t *dst, const struct tally_qmsg *m)
{
	struct tally_wire_hdr h = {TALLY_WIRE_QUORUM, n->nodeid, n->incarnation, ++n->seq};
	uint8_t body[64];
	int blen = tally_wire_encode_qmsg(m, body, sizeof(body));
	uint8_t *p = tally_dp_tx_frame(n->dp, dst, TALLY_WIRE_OVERHEAD + (size_t)blen);

	if (p != NULL)
		tally_wire_seal(&n->key, &h, body, (size_t)blen, p,
				TALLY_WIRE_OVERHEAD + (size_t)blen);
}

static struct tally_qmsg nodeinfo(uint32_t nodeid, uint32_t tag)
{
	struct tally_qmsg m = {.type = TALLY_QMSG_NODEINFO};

	m.nodeinfo.nodeid = nodeid;
	m.nodeinfo.votes = 1;
	m.nodeinfo.expected_votes = tag;
	return m;
}

static void on_rx(void *ctx, struct tally_dp *dp, const uint8_t *payload, size_t len,
		  const uint8_t *src, uint64_t now)
{
	struct node *n = ctx;
	struct tally_wire_hdr h;
	struct tally_qmsg m;
	const uint8_t *body;
	size_t blen;
	enum tally_wire_verdict v = tally_wire_open(&n->key, payload, len, &h, &body, &blen);

	if (v == TALLY_WIRE_OK && h.sender >= MAX_SENDERS)
		v = TALLY_WIRE_BAD_BODY;
	if (v == TALLY_WIRE_OK)
		v = tally_wire_replay_check(&n->replay[h.sender], h.incarnation, h.seq);
	if (v == TALLY_WIRE_OK)
		v = tally_wire_decode_qmsg(body, blen, &m);
	n->verdicts.verdict[v]++;
	if (v != TALLY_WIRE_OK)
		return;
	n->heard[h.sender]++;
	n->last_heard[h.sender] = now;
	if (n->pong) {
		send_qmsg(n, src, &m);
	} else if (n->pings > 0 && n->outstanding && m.nodeinfo.expected_votes == n->sent_pings) {
		if (n->sent_pings > WARMUP)
			n->rtt[n->sent_pings - WARMUP - 1] = now - n->out_tsc;
		n->outstanding = false;
		if (n->sent_pings == n->pings + WARMUP) {
			tally_dp_stop(dp);
			return;
		}
		/* The next ping at once: this measures wake-up, not a send schedule. */
		n->out_tsc = tally_dp_tsc();
		n->outstanding = true;
		struct tally_qmsg p = nodeinfo(n->nodeid, (uint32_t)++n->sent_pings);
		send_qmsg(n, n->peer, &p);
	}
}

static void write_status(struct node *n, uint64_t now)
{
	char tmp[4096 + 8];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", n->status);
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f, "heard:");
	for (unsigned i = 0; i < MAX_SENDERS; i++)
		if (n->heard[i] > 0 && now - n->last_heard[i] < n->hz / 4)
			fprintf(f, " %u", i);
	fprintf(f, "\nbad_mac: %llu\n",
		(unsigned long long)n->verdicts.verdict[TALLY_WIRE_BAD_MAC]);
	fclose(f);
	rename(tmp, n->status);
}

static uint64_t on_tick(void *ctx, struct tally_dp *dp, uint64_t now)
{
	static const uint8_t stranger[TALLY_ETH_ADDR_LEN] = {0x02, 0xee, 0xee, 0xee, 0xee, 0xee};
	struct node *n = ctx;

	if (n->end != 0 && now >= n->end) {
		tally_dp_stop(dp);
		return UINT64_MAX;
	}
	if (n->pings > 0) {
		/* The first ping, or the last one was lost: (re)send it under its number. */
		if (!n->outstanding || now - n->out_tsc > n->hz / 5) {
			if (!n->outstanding)
				n->sent_pings++;
			struct tally_qmsg p = nodeinfo(n->nodeid, (uint32_t)n->sent_pings);

			n->out_tsc = now;
			n->outstanding = true;
			send_qmsg(n, n->peer, &p);
		}
		return now + n->hz / 5;
	}
	if (n->pong)
		return n->end ? n->end : UINT64_MAX;

	struct tally_qmsg hb = nodeinfo(n->nodeid, 0);

	send_qmsg(n, tally_dp_group(dp), &hb);
	if (n->stray) {
		uint8_t *p;

		send_qmsg(n, stranger, &hb);
		send_qmsg(n, tally_dp_group(dp), &hb);
		/* Rewrite the last frame's ethertype: right bytes, wrong protocol. */
		p = tally_dp_tx_frame(dp, tally_dp_group(dp), 0);
		if (p != NULL) {
			p[-2] = 0x88;
			p[-1] = 0xB6;
		}
	}
	if (n->status != NULL && now >= n->next_status) {
		write_status(n, now);
		n->next_status = now + n->hz / 5;
	}
	return now + n->interval;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(struct node *n)
{
	struct tally_dp_counters cs, *c = &cs;
	double cycles;

	tally_dp_counters(n->dp, c);
	cycles = (double)(c->busy_cycles + c->idle_cycles);

	printf("node=%u\nrx=%llu\ndelivered=%llu\ntx=%llu\ntx_drop=%llu\niterations=%llu\n"
	       "sleeps=%llu\nwakes=%llu\nbusy_pct=%.2f\n",
	       n->nodeid, (unsigned long long)c->rx, (unsigned long long)c->rx_delivered,
	       (unsigned long long)c->tx, (unsigned long long)c->tx_drop,
	       (unsigned long long)c->iterations, (unsigned long long)c->sleeps,
	       (unsigned long long)c->wakes,
	       cycles > 0 ? 100.0 * (double)c->busy_cycles / cycles : 0.0);
	for (int v = 1; v < TALLY_ETH_VERDICT_COUNT; v++)
		printf("filtered_%s=%llu\n", tally_eth_verdict_name(v),
		       (unsigned long long)c->filtered[v]);
	for (int v = 0; v < TALLY_WIRE_VERDICT_COUNT; v++)
		printf("wire_%s=%llu\n", tally_wire_verdict_name(v),
		       (unsigned long long)n->verdicts.verdict[v]);
	for (unsigned i = 0; i < MAX_SENDERS; i++)
		if (n->heard[i] > 0)
			printf("heard_%u=%llu\n", i, (unsigned long long)n->heard[i]);
	if (n->pings > 0 && n->sent_pings > WARMUP + 1) {
		uint64_t got = n->sent_pings - WARMUP - (n->outstanding ? 1 : 0);
		double k = 1e6 / (double)n->hz;

		qsort(n->rtt, got, sizeof(uint64_t), cmp_u64);
		printf("pings=%llu\nrtt_us_p50=%.2f\nrtt_us_p90=%.2f\nrtt_us_p99=%.2f\n"
		       "rtt_us_max=%.2f\n",
		       (unsigned long long)got, n->rtt[got / 2] * k, n->rtt[got * 9 / 10] * k,
		       n->rtt[got * 99 / 100] * k, n->rtt[got - 1] * k);
	}
	fflush(stdout);
}

static int usage(void)
{
	fprintf(stderr, "usage: dp-node -c CONF [-n NODEID] [-t SECONDS] [-i US] [-s FILE] "
			"[--stray] [--ping N --peer MAC | --pong]\n");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"stray", no_argument, NULL, 'S'},
		{"ping", required_argument, NULL, 'P'},
		{"peer", required_argument, NULL, 'R'},
		{"pong", no_argument, NULL, 'O'},
		{NULL, 0, NULL, 0},
	};
	static struct node n;
	const struct tally_dp_ops ops = {on_rx, on_tick};
	struct tally_dp_cfg cfg;
	struct tally_cmap *map;
	const char *conf = NULL;
	double secs = 0;
	char err[512];
	uint32_t interval_us = 10000;
	int opt, rc;

	memset(n.peer, 0xff, sizeof(n.peer));
	while ((opt = getopt_long(argc, argv, "c:n:t:i:s:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			conf = optarg;
			break;
		case 'n':
			n.nodeid = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'i':
			interval_us = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 's':
			n.status = optarg;
			break;
		case 'S':
			n.stray = true;
			break;
		case 'P':
			n.pings = strtoull(optarg, NULL, 10);
			break;
		case 'O':
			n.pong = true;
			break;
		case 'R':
			if (tally_eth_parse_addr(optarg, n.peer) != 0)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (conf == NULL || interval_us == 0 || sodium_init() < 0)
		return usage();
	map = tally_conf_load(conf, err, sizeof(err));
	if (map == NULL || tally_dp_cfg_from_cmap(&cfg, map, err, sizeof(err)) != 0 ||
	    tally_conf_load_key(map, &n.key, err, sizeof(err)) != 0) {
		fprintf(stderr, "dp-node: %s\n", err);
		return 1;
	}
	if (n.nodeid == 0 && tally_cmap_get_u32(map, "engine.nodeid", &n.nodeid) != 0) {
		fprintf(stderr, "dp-node: no node id (-n or engine.nodeid)\n");
		return 1;
	}
	rc = tally_dp_eal_init(&cfg, argv[0], err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "dp-node: %s\n", err);
		return 77;
	}
	n.dp = tally_dp_open(&cfg, -1, "dp_node", err, sizeof(err));
	if (n.dp == NULL) {
		fprintf(stderr, "dp-node: %s\n", err);
		return 1;
	}
	n.hz = tally_dp_tsc_hz();
	n.interval = n.hz / 1000000 * interval_us;
	n.incarnation = tally_dp_tsc();
	if (secs > 0)
		n.end = tally_dp_tsc() + (uint64_t)(secs * (double)n.hz);
	if (n.pings > 0 && (n.rtt = calloc(n.pings, sizeof(uint64_t))) == NULL)
		return 1;
	running = n.dp;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	tally_dp_run(n.dp, &ops, &n);
	report(&n);
	tally_dp_close(n.dp);
	tally_cmap_free(map);
	free(n.rtt);
	return 0;
}
