/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Received bytes -> frame checks -> membership body decoder, and the decoder
 * on the raw input (only an authenticated peer reaches it, but a peer can be
 * buggy). Whatever decodes must encode again, to a body that decodes to the
 * same message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <sodium.h>

#include "wire/mb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_and_back(const struct tally_wire_hdr *h, const uint8_t *body, size_t len)
{
	static struct tally_wire_mb_arrays arr, arr2;
	static uint8_t again[TALLY_WIRE_MAX_BODY];
	struct tally_mb_msg m, back;
	int n;

	if (tally_wire_decode_mb(h, body, len, &m, &arr) != TALLY_WIRE_OK)
		return;
	/* one encoding per list and minimal varints: never longer than what came */
	n = tally_wire_encode_mb(&m, again, sizeof(again));
	if (n <= 0 || (size_t)n > len || tally_wire_decode_mb(h, again, (size_t)n, &back, &arr2) != TALLY_WIRE_OK ||
	    !tally_wire_mb_same(&m, &back))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tally_wire_hdr raw = { TALLY_WIRE_MEMBERSHIP, 2, 5, 1 };
	static struct tally_wire_key key;
	static int ready;
	struct tally_wire_hdr h;
	const uint8_t *body;
	size_t body_len;

	if (!ready) {
		uint8_t authkey[64] = { 1, 2, 3 };

		if (sodium_init() < 0)
			abort();
		tally_wire_key_derive(&key, authkey, sizeof(authkey), "fuzz");
		ready = 1;
	}
	/* fuzz_wire covers the replay window; every sealed seed reaches the body here */
	if (tally_wire_open(&key, data, size, &h, &body, &body_len) == TALLY_WIRE_OK &&
	    h.type == TALLY_WIRE_MEMBERSHIP)
		decode_and_back(&h, body, body_len);
	if (size <= TALLY_WIRE_MAX_BODY)
		decode_and_back(&raw, data, size);
	return 0;
}
