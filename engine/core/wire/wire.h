/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames between tally engines (DESIGN.md §4): a fixed header, a body and a
 * keyed MAC over both. Pure: no I/O; the caller owns buffers and clocks.
 *
 *   off  size  field (all integers big-endian)
 *     0     4  magic "TLY1"
 *     4     1  version (1)
 *     5     1  type (enum tally_wire_type)
 *     6     2  body length
 *     8     4  cluster hash (first 4 bytes of BLAKE2b(cluster name))
 *    12     4  sender node id
 *    16     8  sender incarnation (grows on every start of the sender)
 *    24     8  frame sequence (grows on every frame of one incarnation)
 *    32     n  body
 *  32+n    16  MAC: keyed BLAKE2b-128 over bytes [0, 32+n)
 *
 * The MAC key is derived from the corosync-style authkey file and the cluster
 * name, so a frame of another cluster fails twice: hash and MAC. Anything
 * that fails a check is dropped and counted by verdict; nothing here aborts.
 * Callers must call sodium_init() once before using this module.
 */
#ifndef TALLY_CORE_WIRE_H
#define TALLY_CORE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"
#include "quorum/quorum.h"

#define TALLY_WIRE_MAGIC 0x544c5931u
#define TALLY_WIRE_VERSION 1
#define TALLY_WIRE_HDR_LEN 32
#define TALLY_WIRE_MAC_LEN 16
#define TALLY_WIRE_OVERHEAD (TALLY_WIRE_HDR_LEN + TALLY_WIRE_MAC_LEN)
/* Fits an Ethernet payload, so no frame is ever fragmented. */
#define TALLY_WIRE_MAX_FRAME 1500
#define TALLY_WIRE_MAX_BODY (TALLY_WIRE_MAX_FRAME - TALLY_WIRE_OVERHEAD)
#define TALLY_WIRE_AUTHKEY_MIN 32
#define TALLY_WIRE_AUTHKEY_MAX 4096
/* Frames up to this far behind the newest one of a sender are still accepted once. */
#define TALLY_WIRE_REPLAY_WINDOW 64

enum tally_wire_type {
	TALLY_WIRE_QUORUM = 1,	/**< body: one votequorum message */
	TALLY_WIRE_MEMBERSHIP = 2,	/**< body: one membership message (wire/mb.h) */
	TALLY_WIRE_PROBE = 3,		/**< body: one RTT probe (probe/probe.h) */
};

/* Why a frame was dropped (or OK). Counters are indexed by it. */
enum tally_wire_verdict {
	TALLY_WIRE_OK = 0,
	TALLY_WIRE_SHORT,
	TALLY_WIRE_BAD_MAGIC,
	TALLY_WIRE_BAD_VERSION,
	TALLY_WIRE_BAD_LENGTH,
	TALLY_WIRE_OTHER_CLUSTER,
	TALLY_WIRE_BAD_MAC,
	TALLY_WIRE_STALE_INCARNATION,
	TALLY_WIRE_REPLAY,
	TALLY_WIRE_BAD_BODY,
	TALLY_WIRE_VERDICT_COUNT,
};

struct tally_wire_key {
	uint8_t mac_key[32];
	uint32_t cluster_hash;
};

struct tally_wire_hdr {
	enum tally_wire_type type;
	uint32_t sender;
	uint64_t incarnation;
	uint64_t seq;
};

/* Per-sender replay state: the newest incarnation and a sliding window of seqs. */
struct tally_wire_replay {
	uint64_t incarnation;
	uint64_t top;		/**< highest seq accepted */
	uint64_t window;	/**< bit i: seq top - i was accepted */
	bool valid;
};

struct tally_wire_counters {
	uint64_t verdict[TALLY_WIRE_VERDICT_COUNT];
};

/*
 * Derive the frame key from an authkey (TALLY_WIRE_AUTHKEY_MIN..MAX bytes) and
 * the cluster name. 0 or -EINVAL.
 */
int tally_wire_key_derive(struct tally_wire_key *key, const void *authkey, size_t authkey_len,
			  const char *cluster_name);

/* Write header, body and MAC into out. Returns the frame length, or -EINVAL / -ENOSPC. */
int tally_wire_seal(const struct tally_wire_key *key, const struct tally_wire_hdr *hdr,
		    const void *body, size_t body_len, uint8_t *out, size_t out_len);

/*
 * Check a received frame (length, magic, version, cluster, MAC, in that
 * order) and parse its header. On OK, *body points into frame.
 */
enum tally_wire_verdict tally_wire_open(const struct tally_wire_key *key, const uint8_t *frame,
					size_t len, struct tally_wire_hdr *hdr,
					const uint8_t **body, size_t *body_len);

/* Accept (and remember) a sender's frame, or say why it is stale or a replay. */
enum tally_wire_verdict tally_wire_replay_check(struct tally_wire_replay *r, uint64_t incarnation,
						uint64_t seq);

const char *tally_wire_verdict_name(enum tally_wire_verdict v);

/* Quorum message bodies. Encode returns the length or -ENOSPC/-EINVAL. */
int tally_wire_encode_qmsg(const struct tally_qmsg *m, uint8_t *out, size_t len);
enum tally_wire_verdict tally_wire_decode_qmsg(const uint8_t *body, size_t len,
					       struct tally_qmsg *m);

/*
 * RTT probe bodies: u8 kind (1 PING, 2 PONG), u32 target, u64 token; 13
 * bytes exactly. Encode returns the length or -ENOSPC/-EINVAL; decode
 * refuses any other length, kind, a target or token of 0 (BAD_BODY).
 */
#define TALLY_WIRE_PROBE_LEN 13
int tally_wire_encode_probe(const struct tally_probe_msg *m, uint8_t *out, size_t len);
enum tally_wire_verdict tally_wire_decode_probe(const uint8_t *body, size_t len,
						struct tally_probe_msg *m);

#endif
