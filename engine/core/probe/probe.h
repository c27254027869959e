/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Round-trip times to peers (docs/design/probe.md): every interval the
 * prober sends a PING to the next `per_round` peers of its list, round
 * robin; a peer answers at once with a PONG echoing the PING's token; the
 * time between the two, on our own clock, is one sample of that peer's RTT.
 *
 * Probes travel in their own frame type (TALLY_WIRE_PROBE, wire.h), sealed
 * and replay-checked like every other frame, but they never reach the
 * membership protocol: an answered probe is no heartbeat and a lost one no
 * evidence. Pure like the rest of the core: `now` in µs comes in, messages
 * go out through ops->send, nothing is allocated after creation.
 *
 * Cost: per_round PINGs sent and as many PONGs received per interval, plus
 * the PONGs for others' PINGs (per_round on average), whatever the cluster
 * size; a peer is sampled every ceil(n / per_round) intervals.
 */
#ifndef TALLY_CORE_PROBE_H
#define TALLY_CORE_PROBE_H

#include <stddef.h>
#include <stdint.h>

/* Histogram buckets: bucket 0 holds RTTs below 2 µs, bucket b [2^b, 2^(b+1)) µs. */
#define TALLY_PROBE_BUCKETS 24u

enum tally_probe_kind {
	TALLY_PROBE_PING = 1,	/**< please answer `token` */
	TALLY_PROBE_PONG = 2,	/**< the answer to the PING of `token` */
};

/* One probe message; the sender travels in the frame header. */
struct tally_probe_msg {
	enum tally_probe_kind kind;
	uint32_t target;	/**< PING: the node asked; PONG: the node that asked */
	uint64_t token;		/**< the asker's probe number (never 0), echoed */
};

struct tally_probe_ops {
	/* Send to one node (the caller may broadcast when it has no address: target says whom). */
	void (*send)(void *ctx, uint32_t to, const struct tally_probe_msg *m);
};

struct tally_probe_params {
	uint64_t interval_us;	/**< between rounds; 0: never probe (still answer) */
	uint32_t per_round;	/**< peers probed per round */
};

/* What we measured of one peer. */
struct tally_probe_rtt {
	uint64_t sent;		/**< PINGs to it */
	uint64_t answered;	/**< ... answered in time (samples) */
	uint64_t lost;		/**< ... not answered before the next PING to it */
	uint64_t last_us, min_us, max_us;	/**< of the samples; 0 without any */
	uint64_t ewma_us;	/**< weight 1/8 for each new sample */
	uint64_t hist[TALLY_PROBE_BUCKETS];
};

struct tally_probe_stats {
	uint64_t pings_sent, pongs_sent, pongs_received;
	uint64_t unmatched;	/**< a PONG for no probe outstanding (late, or a stray) */
	uint64_t misaddressed;	/**< target is not us (a broadcast PING for another node) */
	uint64_t unknown;	/**< a PONG from a node we never probe */
};

struct tally_probe;
struct tally_cmap;

/* Defaults: every 100 ms, 4 peers. */
void tally_probe_params_default(struct tally_probe_params *p);
/* engine.probe_interval (µs, 0: off) and engine.probe_peers over the defaults. */
int tally_probe_params_from_cmap(const struct tally_cmap *map, struct tally_probe_params *p,
				 char *err, size_t errlen);

/*
 * Node `self`, probing `peers` (n ids, any order, no 0, no self, no
 * duplicates: -EINVAL via errno) from `now` on. NULL with errno set.
 */
struct tally_probe *tally_probe_create(uint32_t self, const uint32_t *peers, size_t n,
				       const struct tally_probe_params *p,
				       const struct tally_probe_ops *ops, void *ctx, uint64_t now);
void tally_probe_destroy(struct tally_probe *pr);

/* A probe message from node `from` (authenticated, not us). */
void tally_probe_receive(struct tally_probe *pr, uint32_t from, const struct tally_probe_msg *m,
			 uint64_t now);
/* The next round; UINT64_MAX: none. */
uint64_t tally_probe_next_deadline(const struct tally_probe *pr);
void tally_probe_tick(struct tally_probe *pr, uint64_t now);

/* The probed peers, in ascending id order: i < tally_probe_count(). */
size_t tally_probe_count(const struct tally_probe *pr);
uint32_t tally_probe_peer_id(const struct tally_probe *pr, size_t i);
const struct tally_probe_rtt *tally_probe_peer_rtt(const struct tally_probe *pr, size_t i);
/* A peer's measurements by id; NULL: not probed. */
const struct tally_probe_rtt *tally_probe_rtt_of(const struct tally_probe *pr, uint32_t id);
void tally_probe_get_stats(const struct tally_probe *pr, struct tally_probe_stats *out);

/* The bucket of an RTT, and the upper bound of a bucket (µs). */
unsigned tally_probe_bucket(uint64_t rtt_us);
uint64_t tally_probe_bucket_limit(unsigned b);
/*
 * The RTT below which `pct` % of the samples fall, from the histogram: the
 * upper bound of the bucket holding that sample, within [min_us, max_us].
 * 0 without samples.
 */
uint64_t tally_probe_quantile(const struct tally_probe_rtt *r, unsigned pct);

#endif
