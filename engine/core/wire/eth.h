/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tally frames on Ethernet (docs/design/datapath.md): a plain 14-byte
 * Ethernet II header with tally's own ethertype, then one wire frame
 * (wire.h) as the whole payload.
 *
 *   dst MAC (6) | src MAC (6) | ethertype 0x88B5 (2) | wire frame (48..1500)
 *
 * 0x88B5 is IEEE 802's "local experimental" ethertype: never assigned to a
 * protocol, so nothing else on a cluster segment uses it by accident. The
 * shortest wire frame (48 bytes) makes a 62-byte Ethernet frame, above the
 * 60-byte minimum, so NICs never pad ours and the wire's exact-length check
 * holds on every link.
 *
 * The classifier is what a receiver must do before trusting anything:
 * af_packet on a bridge hands us every flooded frame (PLATFORM.md §2).
 * Pure: no I/O.
 */
#ifndef TALLY_CORE_WIRE_ETH_H
#define TALLY_CORE_WIRE_ETH_H

#include <stddef.h>
#include <stdint.h>

#define TALLY_ETH_TYPE 0x88B5
#define TALLY_ETH_HDR_LEN 14
#define TALLY_ETH_ADDR_LEN 6

/* Why a received Ethernet frame was not handed on (or OK). */
enum tally_eth_verdict {
	TALLY_ETH_OK = 0,
	TALLY_ETH_SHORT,      /**< shorter than an Ethernet header */
	TALLY_ETH_OTHER_TYPE, /**< not our ethertype (VLAN tags included) */
	TALLY_ETH_NOT_FOR_US, /**< unicast to someone else, or another group */
	TALLY_ETH_OWN,	      /**< our own source address: a looped-back copy */
	TALLY_ETH_VERDICT_COUNT,
};

/* What a receiver accepts: its own address, broadcast, and one group. */
struct tally_eth_filter {
	uint8_t self[TALLY_ETH_ADDR_LEN];
	uint8_t group[TALLY_ETH_ADDR_LEN]; /**< multicast address of the cluster */
	uint16_t ethertype;
};

enum tally_eth_verdict tally_eth_classify(const struct tally_eth_filter *f, const uint8_t *frame,
					  size_t len);

/* Write the 14-byte header at out. */
void tally_eth_put_hdr(uint8_t *out, const uint8_t dst[TALLY_ETH_ADDR_LEN],
		       const uint8_t src[TALLY_ETH_ADDR_LEN], uint16_t ethertype);

/* "02:00:5e:00:00:01" (hex pairs joined by ':'): 0 or -EINVAL. */
int tally_eth_parse_addr(const char *text, uint8_t out[TALLY_ETH_ADDR_LEN]);

const char *tally_eth_verdict_name(enum tally_eth_verdict v);

#endif
