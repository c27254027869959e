/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Ethernet receive filter: af_packet hands over every flooded frame, so
 * only our ethertype to our address, broadcast or our group gets through,
 * and our own looped-back frames do not.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "wire/eth.h"

static const uint8_t self[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t peer[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t group[6] = {0x03, 0x74, 0x6c, 0x79, 0, 0};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static struct tally_eth_filter filter(void)
{
	struct tally_eth_filter f = {.ethertype = TALLY_ETH_TYPE};

	memcpy(f.self, self, 6);
	memcpy(f.group, group, 6);
	return f;
}

static void short_and_null_frames_are_dropped(void)
{
	struct tally_eth_filter f = filter();
	uint8_t b[TALLY_ETH_HDR_LEN];

	tally_eth_put_hdr(b, self, peer, TALLY_ETH_TYPE);
	CHECK_EQ(tally_eth_classify(&f, NULL, 64), TALLY_ETH_SHORT);
	CHECK_EQ(tally_eth_classify(&f, b, TALLY_ETH_HDR_LEN - 1), TALLY_ETH_SHORT);
	CHECK_EQ(tally_eth_classify(&f, b, TALLY_ETH_HDR_LEN), TALLY_ETH_OK);
}

static void other_ethertypes_are_dropped(void)
{
	struct tally_eth_filter f = filter();
	uint8_t b[64] = {0};

	tally_eth_put_hdr(b, self, peer, 0x88B6);
	CHECK_EQ(tally_eth_classify(&f, b, sizeof(b)), TALLY_ETH_OTHER_TYPE);
	tally_eth_put_hdr(b, self, peer, 0x8100); /* a VLAN tag in front of ours */
	b[16] = 0x88;
	b[17] = 0xB5;
	CHECK_EQ(tally_eth_classify(&f, b, sizeof(b)), TALLY_ETH_OTHER_TYPE);
}

static void frames_for_someone_else_are_dropped(void)
{
	struct tally_eth_filter f = filter();
	uint8_t b[64] = {0};
	uint8_t other_group[6] = {0x03, 0x74, 0x6c, 0x79, 0, 1};

	tally_eth_put_hdr(b, peer, self, TALLY_ETH_TYPE);
	CHECK_EQ(tally_eth_classify(&f, b, sizeof(b)), TALLY_ETH_NOT_FOR_US);
	tally_eth_put_hdr(b, other_group, peer, TALLY_ETH_TYPE);
	CHECK_EQ(tally_eth_classify(&f, b, sizeof(b)), TALLY_ETH_NOT_FOR_US);
}

static void own_frames_are_dropped(void)
{
	struct tally_eth_filter f = filter();
	uint8_t b[64] = {0};

	tally_eth_put_hdr(b, group, self, TALLY_ETH_TYPE);
	CHECK_EQ(tally_eth_classify(&f, b, sizeof(b)), TALLY_ETH_OWN);
}

static void ours_broadcast_and_group_pass(void)
{
	struct tally_eth_filter f = filter();
	uint8_t b[64] = {0};

	tally_eth_put_hdr(b, self, peer, TALLY_ETH_TYPE);
	CHECK_EQ(tally_eth_classify(&f, b, sizeof(b)), TALLY_ETH_OK);
	tally_eth_put_hdr(b, bcast, peer, TALLY_ETH_TYPE);
	CHECK_EQ(tally_eth_classify(&f, b, sizeof(b)), TALLY_ETH_OK);
	tally_eth_put_hdr(b, group, peer, TALLY_ETH_TYPE);
	CHECK_EQ(tally_eth_classify(&f, b, sizeof(b)), TALLY_ETH_OK);
	CHECK(memcmp(b, group, 6) == 0 && memcmp(b + 6, peer, 6) == 0);
	CHECK(b[12] == 0x88 && b[13] == 0xB5);
}

static void addresses_parse_strictly(void)
{
	uint8_t a[6] = {9, 9, 9, 9, 9, 9}, keep[6];

	memcpy(keep, a, 6);
	CHECK_EQ(tally_eth_parse_addr(NULL, a), -EINVAL);
	CHECK_EQ(tally_eth_parse_addr("", a), -EINVAL);
	CHECK_EQ(tally_eth_parse_addr("02:00:00:00:00", a), -EINVAL);
	CHECK_EQ(tally_eth_parse_addr("02:00:00:00:00:0g", a), -EINVAL);
	CHECK_EQ(tally_eth_parse_addr("02-00-00-00-00-01", a), -EINVAL);
	CHECK_EQ(tally_eth_parse_addr("02:00:00:00:00:011", a), -EINVAL);
	CHECK(memcmp(a, keep, 6) == 0);
	CHECK_EQ(tally_eth_parse_addr("03:74:6C:79:00:00", a), 0);
	CHECK(memcmp(a, group, 6) == 0);
}

static void every_verdict_has_a_name(void)
{
	CHECK(strcmp(tally_eth_verdict_name(TALLY_ETH_NOT_FOR_US), "not_for_us") == 0);
	CHECK(strcmp(tally_eth_verdict_name(TALLY_ETH_VERDICT_COUNT), "unknown") == 0);
}

int main(void)
{
	RUN(short_and_null_frames_are_dropped);
	RUN(other_ethertypes_are_dropped);
	RUN(frames_for_someone_else_are_dropped);
	RUN(own_frames_are_dropped);
	RUN(ours_broadcast_and_group_pass);
	RUN(addresses_parse_strictly);
	RUN(every_verdict_has_a_name);
	return CHECK_EXIT();
}
