/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * frame-inject: a hostile peer on a tally cluster's segment (issue 9). From
 * the network namespace it runs in, it writes raw Ethernet frames on IFACE
 * with tally's ethertype, each kind of frame a receiver must drop:
 *
 *   garbage       random bytes after the Ethernet header
 *   truncated     a captured frame cut short
 *   bitflip       a captured frame with one bit of its body flipped
 *   oversized     a captured frame with bytes appended
 *   replay        captured frames sent again unchanged
 *   wrong-key     a well-formed heartbeat of node 2 sealed with another key
 *   other-cluster the right authkey, another cluster name
 *   unknown       the right key and cluster, a node id not in the nodelist
 *   stale         the right key, node 2's id, an incarnation from long ago
 *
 * The right key and cluster name come from CONF (as tallyd reads them).
 * It prints "kind=count" for what it sent. Exit 0, 1 (bad arguments), 2 (socket).
 *
 *   frame-inject -c CONF -i IFACE [-n COUNT]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "conf/conf.h"
#include "dp/dp.h"
#include "config/cmap.h"
#include "wire/eth.h"
#include "wire/mb.h"
#include "wire/wire.h"

#define CAPTURE_MAX 64

struct injector {
	int fd;
	struct sockaddr_ll to;
	uint8_t self[TALLY_ETH_ADDR_LEN];
	uint8_t group[TALLY_ETH_ADDR_LEN];
	struct tally_wire_key key;
	const char *cluster;
	uint8_t *authkey;
	size_t authkey_len;
	uint8_t cap[CAPTURE_MAX][1514];
	size_t cap_len[CAPTURE_MAX], n_cap;
};

static void send_frame(struct injector *in, const uint8_t *payload, size_t len)
{
	uint8_t f[TALLY_ETH_HDR_LEN + 2048];

	if (len > sizeof(f) - TALLY_ETH_HDR_LEN)
		return;
	tally_eth_put_hdr(f, in->group, in->self, TALLY_ETH_TYPE);
	memcpy(f + TALLY_ETH_HDR_LEN, payload, len);
	if (sendto(in->fd, f, TALLY_ETH_HDR_LEN + len, 0, (struct sockaddr *)&in->to,
		   sizeof(in->to)) < 0)
		perror("frame-inject: sendto");
}

/* A heartbeat body as node `from` would send it (empty hear set: it hears nobody). */
static size_t heartbeat(uint8_t *out, size_t len)
{
	struct tally_mb_msg m = { .type = TALLY_MB_HEARTBEAT, .flags = TALLY_MB_HB_HEARSET };
	int n = tally_wire_encode_mb(&m, out, len);

	return n > 0 ? (size_t)n : 0;
}

static void sealed(struct injector *in, const struct tally_wire_key *key, uint32_t sender,
		   uint64_t inc, uint64_t seq)
{
	struct tally_wire_hdr h = { TALLY_WIRE_MEMBERSHIP, sender, inc, seq };
	uint8_t body[256], frame[512];
	size_t blen = heartbeat(body, sizeof(body));
	int n = tally_wire_seal(key, &h, body, blen, frame, sizeof(frame));

	if (n > 0)
		send_frame(in, frame, (size_t)n);
}

/* Frames of the running cluster, as they pass by. */
static void capture(struct injector *in)
{
	uint8_t f[2048];

	while (in->n_cap < CAPTURE_MAX) {
		struct pollfd p = { .fd = in->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 1000) <= 0)
			break;
		n = recv(in->fd, f, sizeof(f), 0);
		if (n <= TALLY_ETH_HDR_LEN + TALLY_WIRE_OVERHEAD || n > 1514 ||
		    ((f[12] << 8) | f[13]) != TALLY_ETH_TYPE ||
		    memcmp(f + TALLY_ETH_ADDR_LEN, in->self, TALLY_ETH_ADDR_LEN) == 0)
			continue;
		in->cap_len[in->n_cap] = (size_t)n - TALLY_ETH_HDR_LEN;
		memcpy(in->cap[in->n_cap++], f + TALLY_ETH_HDR_LEN, (size_t)n - TALLY_ETH_HDR_LEN);
	}
}

static int open_socket(struct injector *in, const char *iface)
{
	struct ifreq ifr = { 0 };

	in->fd = socket(AF_PACKET, SOCK_RAW, htons(TALLY_ETH_TYPE));
	if (in->fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(in->fd, SIOCGIFHWADDR, &ifr) != 0)
		return -errno;
	memcpy(in->self, ifr.ifr_hwaddr.sa_data, TALLY_ETH_ADDR_LEN);
	in->to.sll_family = AF_PACKET;
	in->to.sll_protocol = htons(TALLY_ETH_TYPE);
	in->to.sll_ifindex = (int)if_nametoindex(iface);
	in->to.sll_halen = TALLY_ETH_ADDR_LEN;
	if (in->to.sll_ifindex == 0 ||
	    bind(in->fd, (struct sockaddr *)&in->to, sizeof(in->to)) != 0)
		return -errno;
	return 0;
}

static int load(struct injector *in, const char *conf, char *err, size_t errlen)
{
	struct tally_cmap *map = tally_conf_load(conf, err, errlen);
	struct tally_dp_cfg cfg;

	if (map == NULL || tally_dp_cfg_from_cmap(&cfg, map, err, errlen) != 0)
		return -1;
	memcpy(in->group, cfg.group, sizeof(in->group));
	/* Loading the key checks that totem.cluster_name is set. */
	if (tally_conf_load_key(map, &in->key, err, errlen) != 0 ||
	    tally_conf_read_authkey(map, &in->authkey, &in->authkey_len, err, errlen) != 0)
		return -1;
	in->cluster = strdup(tally_cmap_get(map, "totem.cluster_name"));
	tally_cmap_free(map);
	return 0;
}

int main(int argc, char **argv)
{
	static struct injector in;
	struct tally_wire_key wrong, other;
	uint8_t random_key[64], buf[2048];
	const char *conf = NULL, *iface = NULL;
	char err[512];
	int opt, count = 20;

	while ((opt = getopt(argc, argv, "c:i:n:")) != -1) {
		if (opt == 'c')
			conf = optarg;
		else if (opt == 'i')
			iface = optarg;
		else if (opt == 'n')
			count = atoi(optarg);
		else
			return 1;
	}
	if (conf == NULL || iface == NULL || count <= 0 || sodium_init() < 0) {
		fprintf(stderr, "usage: frame-inject -c CONF -i IFACE [-n COUNT]\n");
		return 1;
	}
	if (load(&in, conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "frame-inject: %s\n", err);
		return 1;
	}
	if (open_socket(&in, iface) != 0) {
		fprintf(stderr, "frame-inject: %s: %s\n", iface, strerror(errno));
		return 2;
	}
	randombytes_buf(random_key, sizeof(random_key));
	tally_wire_key_derive(&wrong, random_key, sizeof(random_key), in.cluster);
	tally_wire_key_derive(&other, in.authkey, in.authkey_len, "not-this-cluster");
	capture(&in);

	for (int i = 0; i < count; i++) {
		size_t len = 48 + randombytes_uniform(200);

		randombytes_buf(buf, len);
		send_frame(&in, buf, len);
		sealed(&in, &wrong, 2, 1u << 30, (uint64_t)i + 1);
		sealed(&in, &other, 2, 1u << 30, (uint64_t)i + 1);
		sealed(&in, &in.key, 99, 1u << 30, (uint64_t)i + 1);
		sealed(&in, &in.key, 2, 1, (uint64_t)i + 1);	/* an incarnation long gone */
	}
	for (size_t k = 0; k < in.n_cap; k++) {
		size_t len = in.cap_len[k];

		if (len > TALLY_WIRE_MAX_FRAME)
			continue;	/* (capture keeps them shorter: for the compiler) */
		send_frame(&in, in.cap[k], len);			/* replay */
		send_frame(&in, in.cap[k], len / 2);			/* truncated */
		memcpy(buf, in.cap[k], len);
		buf[TALLY_WIRE_HDR_LEN + randombytes_uniform((uint32_t)(len - TALLY_WIRE_OVERHEAD))] ^=
			(uint8_t)(1u << randombytes_uniform(8));
		send_frame(&in, buf, len);				/* bitflip */
		memcpy(buf, in.cap[k], len);
		memset(buf + len, 0xa5, 100);
		send_frame(&in, buf, len + 100);			/* oversized */
	}
	printf("garbage=%d\nwrong-key=%d\nother-cluster=%d\nunknown=%d\nstale=%d\n"
	       "replay=%zu\ntruncated=%zu\nbitflip=%zu\noversized=%zu\n",
	       count, count, count, count, count, in.n_cap, in.n_cap, in.n_cap, in.n_cap);
	return 0;
}
