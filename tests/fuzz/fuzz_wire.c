/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Received bytes -> frame checks -> the body decoder of the frame's type
 * (quorum, membership or probe). The body decoders are also fed the raw input:
 * only an authenticated peer reaches them, but a peer can be buggy. A
 * membership body that decodes must encode again, no longer, to a body that
 * decodes to the same message; a probe body that decodes encodes to the
 * same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "wire/mb.h"
#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void mb_decode_and_back(const struct tally_wire_hdr *h, const uint8_t *body, size_t len)
{
	static struct tally_wire_mb_arrays arr, arr2;
	static uint8_t again[TALLY_WIRE_MAX_BODY];
	struct tally_mb_msg m, back;
	int n;

	if (tally_wire_decode_mb(h, body, len, &m, &arr) != TALLY_WIRE_OK)
		return;
	/* shortest forms out, no redundant forms in: never longer than what came */
	n = tally_wire_encode_mb(&m, again, sizeof(again));
	if (n <= 0 || (size_t)n > len ||
	    tally_wire_decode_mb(h, again, (size_t)n, &back, &arr2) != TALLY_WIRE_OK ||
	    !tally_wire_mb_same(&m, &back))
		abort();
}

static void probe_decode_and_back(const uint8_t *body, size_t len)
{
	struct tally_probe_msg m;
	uint8_t again[TALLY_WIRE_PROBE_LEN];

	if (tally_wire_decode_probe(body, len, &m) != TALLY_WIRE_OK)
		return;
	/* one form only: what decodes is exactly what the encoder writes */
	if (tally_wire_encode_probe(&m, again, sizeof(again)) != (int)len ||
	    memcmp(again, body, len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tally_wire_hdr raw_mb = { TALLY_WIRE_MEMBERSHIP, 2, 5, 1 };
	static struct tally_wire_key key;
	static struct tally_wire_replay replay;
	static int ready;
	struct tally_wire_hdr h;
	struct tally_qmsg m;
	const uint8_t *body;
	size_t body_len;

	if (!ready) {
		uint8_t authkey[64] = { 1, 2, 3 };

		if (sodium_init() < 0)
			abort();
		tally_wire_key_derive(&key, authkey, sizeof(authkey), "fuzz");
		ready = 1;
	}
	if (tally_wire_open(&key, data, size, &h, &body, &body_len) == TALLY_WIRE_OK) {
		/* the body is decoded even when a replay: every sealed seed reaches it */
		(void)tally_wire_replay_check(&replay, h.incarnation, h.seq);
		if (h.type == TALLY_WIRE_MEMBERSHIP)
			mb_decode_and_back(&h, body, body_len);
		else if (h.type == TALLY_WIRE_PROBE)
			probe_decode_and_back(body, body_len);
		else
			(void)tally_wire_decode_qmsg(body, body_len, &m);
	}
	(void)tally_wire_decode_qmsg(data, size, &m);
	probe_decode_and_back(data, size);
	if (size <= TALLY_WIRE_MAX_BODY)
		mb_decode_and_back(&raw_mb, data, size);
	return 0;
}
