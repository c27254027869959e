/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bodies of TALLY_WIRE_MEMBERSHIP frames: one struct tally_mb_msg each.
 * Sender id and incarnation travel in the frame header, not here. Pure: no
 * allocation, the caller owns every buffer.
 *
 *   field          encoding                    types
 *   type           u8 (enum tally_mb_type)     all
 *   max_seq        varint                      all
 *   ring.nodeid    varint (< 2^32)             all
 *   ring.seq       varint                      all
 *   flags          u8 (TALLY_MB_HB_* only)     HEARTBEAT
 *   gseq           varint                      HEARTBEAT, ORDERED, NACK, PROPOSE_PART
 *   seq            varint                      PROPOSE, ACCEPT, REJECT, COMMIT, ABORT,
 *                                              PROPOSE_PART
 *   origin         varint (< 2^32)             REJECT
 *   lseq           varint                      PROPOSE_PART
 *   entries        varint n (1..TALLY_MB_RUN_MAX), then n times:
 *                    origin   varint (1 .. 2^32-1)
 *                    lseq     varint
 *                    payload  u8 (enum tally_mb_payload)
 *                    qmsg     varint len, qmsg body (payload QMSG only)
 *                                              DATA, ORDERED
 *   ids            id list                     PROPOSE, PROPOSE_PART (members),
 *                                              ACCEPT (deaf),
 *                                              HEARTBEAT with DEAFSET
 *                  id list, id list            HEARTBEAT with HEARSET: heard,
 *                                              then the n_unheard tail
 *   incs           n_ids zigzag varints        PROPOSE, PROPOSE_PART: each the difference
 *                                              to the previous incarnation
 *                                              (the first to 0)
 *
 * Fields are written in the order of the table, only for the types named;
 * a message that sets a field its type does not carry cannot be encoded.
 * Varints are LEB128 (7 bits a byte, low first), at most 10 bytes, minimal.
 *
 * An id list starts with a varint h = (n << 2) | form:
 *   form 0  runs: n runs of consecutive ids, each varint gap and varint
 *           length - 1; gap is the first id of the run minus the last id of
 *           the run before (minus 0 for the first run), so 1..N is 4 bytes
 *   form 1  raw: n ids, each a varint; only for lists not strictly ascending
 *           (receivers refuse such lists, but a list travels as it is)
 *   form 2  bitmap: varint first id, then n bytes; bit b of byte k (low bit
 *           first) is id first + 8k + b; the first bit and the last byte are
 *           never 0
 * The encoder picks the shorter of runs and bitmap for ascending lists, so
 * any set of ids within a span of S ids costs at most S/8 + 7 bytes, and
 * re-encoding a decoded body never makes it longer.
 * n == 0 only in form 0 (the empty list). Ids are never 0 (the broadcast
 * address) and a list holds at most TALLY_WIRE_MB_MAX_IDS of them.
 *
 * Size limits (TALLY_WIRE_MAX_BODY = 1452): a HEARTBEAT with any hear set
 * and tail within a span of 4096 ids fits, so does a PROPOSE of 1024
 * consecutive members whose incarnations differ from the previous member's
 * by less than 64 (the simulator's). With arbitrary 64-bit incarnations
 * (tallyd's start times in ns: up to 10 bytes each) 141 consecutive members
 * fit, and TALLY_WIRE_MB_PROPOSE_FIT members always do, whatever their ids;
 * larger proposals may fail with -EMSGSIZE. So the membership sends a
 * proposal of more than TALLY_MB_PART_MEMBERS (64) as PROPOSE_PARTs of 64
 * members each (membership.h), which always fit: 1024 members of tallyd's
 * 10-byte incarnations are 16 frames. A run of TALLY_MB_RUN_MAX entries
 * none of which is a quorum-device message always fits, and so does one
 * quorum-device message alone; larger runs may fail with -EMSGSIZE.
 */
#ifndef TALLY_CORE_WIRE_MB_H
#define TALLY_CORE_WIRE_MB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "membership/membership.h"
#include "wire/wire.h"

/*
 * The largest cluster: every view is small (full knowledge) up to it, and it
 * is within the published node table (TALLY_SHM_MAX_NODES).
 */
#define TALLY_WIRE_MB_MAX_IDS 1024u
/* A hear-set heartbeat carries two lists (heard, then the unheard tail). */
#define TALLY_WIRE_MB_MAX_HB_IDS (2 * TALLY_WIRE_MB_MAX_IDS)
/*
 * Members of a PROPOSE that fit whatever their ids and incarnations: 36 bytes
 * of fixed fields, then 16 a member at worst (a 6-byte run, a 10-byte inc).
 */
#define TALLY_WIRE_MB_PROPOSE_FIT 88u

/* Storage for the arrays a decoded message points into. */
struct tally_wire_mb_arrays {
	uint32_t ids[TALLY_WIRE_MB_MAX_HB_IDS];
	uint64_t incs[TALLY_WIRE_MB_MAX_IDS];
	struct tally_mb_entry entries[TALLY_MB_RUN_MAX];
};

/*
 * Body of a TALLY_WIRE_MEMBERSHIP frame. `from` and `inc` are not encoded:
 * they travel in the frame header. Returns the body length, or -EMSGSIZE
 * when it does not fit in len (or a list is longer than
 * TALLY_WIRE_MB_MAX_IDS), -EINVAL for a message that cannot be valid (unknown
 * type, payload or flag bits, an id 0, a field or array its type does not
 * carry, n_unheard > n_ids, a DATA/ORDERED without entries or with an
 * entry of origin 0 or an unknown payload, a quorum message
 * tally_wire_encode_qmsg refuses).
 */
int tally_wire_encode_mb(const struct tally_mb_msg *m, uint8_t *out, size_t len);

/*
 * Decode a body; m->from/m->inc are taken from hdr (sender, incarnation).
 * m->ids points into arr->ids (m->incs into arr->incs for PROPOSE, NULL
 * otherwise; m->entries into arr->entries for DATA and ORDERED).
 * TALLY_WIRE_OK or TALLY_WIRE_BAD_BODY; never reads outside body, never
 * crashes on any input.
 */
enum tally_wire_verdict tally_wire_decode_mb(const struct tally_wire_hdr *hdr, const uint8_t *body,
					     size_t len, struct tally_mb_msg *m,
					     struct tally_wire_mb_arrays *arr);

/*
 * Do a and b say the same as far as a body carries it: every field, the
 * arrays by content, the quorum message by its encoding? For tests, fuzzing
 * and the simulator, which check decode(encode(m)) against m.
 */
bool tally_wire_mb_same(const struct tally_mb_msg *a, const struct tally_mb_msg *b);

#endif
