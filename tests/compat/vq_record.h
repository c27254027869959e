/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A callback recorder for votequorum clients: every notification becomes a
 * struct rec in recs[], in the order dispatch delivered them. Used by the
 * library tests (vq_harness) and the transcripts (vq_transcript).
 */
#ifndef TALLY_TEST_VQ_RECORD_H
#define TALLY_TEST_VQ_RECORD_H

#include <stdint.h>

#include <corosync/votequorum.h>

enum rec_type { REC_NODELIST = 1, REC_QUORUM, REC_EXPECTED };

struct rec {
	enum rec_type type;
	votequorum_handle_t handle;
	uint64_t context;
	uint32_t quorate;		/**< quorum */
	uint32_t expected;		/**< expectedvotes */
	votequorum_ring_id_t ring;	/**< nodelist */
	uint32_t n;			/**< entries */
	uint32_t ids[8];
	uint32_t states[8];
};

#define MAX_RECS 64
extern struct rec recs[MAX_RECS];
extern int n_recs;	/**< callbacks seen; only the first MAX_RECS are kept */
extern votequorum_callbacks_t recording_callbacks;
void recs_clear(void);

#endif
