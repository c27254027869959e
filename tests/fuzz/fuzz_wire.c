/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Received bytes -> frame checks -> quorum body decoder. The body decoder is
 * also fed the raw input, since only an authenticated peer reaches it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <sodium.h>

#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
	if (tally_wire_open(&key, data, size, &h, &body, &body_len) == TALLY_WIRE_OK &&
	    tally_wire_replay_check(&replay, h.incarnation, h.seq) == TALLY_WIRE_OK)
		(void)tally_wire_decode_qmsg(body, body_len, &m);
	(void)tally_wire_decode_qmsg(data, size, &m);
	return 0;
}
