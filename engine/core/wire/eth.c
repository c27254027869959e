/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet framing and the receive filter (see eth.h). */
#include "wire/eth.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t broadcast[TALLY_ETH_ADDR_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static bool same(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, TALLY_ETH_ADDR_LEN) == 0;
}

enum tally_eth_verdict tally_eth_classify(const struct tally_eth_filter *f, const uint8_t *frame,
					  size_t len)
{
	const uint8_t *dst, *src;

	/* checked before any pointer arithmetic: NULL + 6 is undefined */
	if (frame == NULL || len < TALLY_ETH_HDR_LEN)
		return TALLY_ETH_SHORT;
	dst = frame;
	src = frame + TALLY_ETH_ADDR_LEN;
	if (((uint16_t)(frame[12] << 8) | frame[13]) != f->ethertype)
		return TALLY_ETH_OTHER_TYPE;
	if (!same(dst, f->self) && !same(dst, broadcast) && !same(dst, f->group))
		return TALLY_ETH_NOT_FOR_US;
	if (same(src, f->self))
		return TALLY_ETH_OWN;
	return TALLY_ETH_OK;
}

void tally_eth_put_hdr(uint8_t *out, const uint8_t dst[TALLY_ETH_ADDR_LEN],
		       const uint8_t src[TALLY_ETH_ADDR_LEN], uint16_t ethertype)
{
	memcpy(out, dst, TALLY_ETH_ADDR_LEN);
	memcpy(out + TALLY_ETH_ADDR_LEN, src, TALLY_ETH_ADDR_LEN);
	out[12] = (uint8_t)(ethertype >> 8);
	out[13] = (uint8_t)ethertype;
}

int tally_eth_parse_addr(const char *text, uint8_t out[TALLY_ETH_ADDR_LEN])
{
	uint8_t a[TALLY_ETH_ADDR_LEN];

	if (text == NULL || strlen(text) != 17)
		return -EINVAL;
	for (int i = 0; i < TALLY_ETH_ADDR_LEN; i++) {
		const char *p = text + 3 * i;
		char pair[3] = {p[0], p[1], '\0'};

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (i < TALLY_ETH_ADDR_LEN - 1 && p[2] != ':'))
			return -EINVAL;
		a[i] = (uint8_t)strtoul(pair, NULL, 16);
	}
	memcpy(out, a, sizeof(a));
	return 0;
}

const char *tally_eth_verdict_name(enum tally_eth_verdict v)
{
	static const char *const names[] = {
		[TALLY_ETH_OK] = "ok",
		[TALLY_ETH_SHORT] = "short",
		[TALLY_ETH_OTHER_TYPE] = "other_type",
		[TALLY_ETH_NOT_FOR_US] = "not_for_us",
		[TALLY_ETH_OWN] = "own",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == TALLY_ETH_VERDICT_COUNT,
		       "a name for every verdict");

	return (unsigned)v < TALLY_ETH_VERDICT_COUNT ? names[v] : "unknown";
}
