/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control IPC requests -> tally_ctl_decode -> tally_ctl_op_apply on a
 * one-node engine node, as the server does for each message of a client.
 * The input is a sequence of requests, each a 2-byte little-endian length
 * and that many bytes, so lengths and the header's size field disagree as
 * freely as a hostile client makes them. A request that decodes must be
 * exactly its type's size with terminated names.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/cmap.h"
#include "ctl/op.h"
#include "node/node.h"
#include "tally/shm_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NODEID 1u
#define QUEUE_MAX 64

/* A device configured, so the qdevice calls reach the quorum core. */
static const char conf[] = "totem {\n cluster_name: f\n}\n"
			   "nodelist {\n node {\n  nodeid: 1\n }\n node {\n  nodeid: 2\n }\n}\n"
			   "quorum {\n provider: corosync_votequorum\n"
			   " device {\n  model: net\n  votes: 1\n }\n}\n";

/* The loopback transport: every message comes back to its sender, in order. */
struct loopback {
	struct tally_qmsg q[QUEUE_MAX];
	size_t n;
};

static void lb_send(void *ctx, const struct tally_qmsg *msg)
{
	struct loopback *lb = ctx;

	if (lb->n < QUEUE_MAX)	/* a full queue drops, as a lossy peer would */
		lb->q[lb->n++] = *msg;
}

static void lb_wake(void *ctx)
{
}

static void lb_reply(void *ctx, uint64_t token, cs_error_t result)
{
}

static void deliver(struct tally_node *node, struct loopback *lb, uint64_t now)
{
	/* a delivery may send again: bounded, so a loop cannot hang the fuzzer */
	for (int rounds = 0; lb->n > 0 && rounds < 16; rounds++) {
		struct tally_qmsg batch[QUEUE_MAX];
		size_t n = lb->n;

		memcpy(batch, lb->q, n * sizeof(batch[0]));
		lb->n = 0;
		for (size_t i = 0; i < n; i++)
			tally_node_deliver(node, NODEID, &batch[i], now);
	}
}

static void install_view(struct tally_node *node, struct loopback *lb, uint64_t now)
{
	static const uint32_t members[] = { NODEID };
	votequorum_ring_id_t ring = { NODEID, 4 };

	tally_node_sync_init(node, &ring, members, 1, now);
	for (int i = 0; i < 8; i++) {
		deliver(node, lb, now);
		if (tally_node_sync_process(node) && lb->n == 0)
			break;
	}
	deliver(node, lb, now);
	tally_node_sync_activate(node);
}

static bool terminated(const char *name)
{
	return memchr(name, '\0', VOTEQUORUM_QDEVICE_MAX_NAME_LEN) != NULL;
}

/* What tally_ctl_decode promises of a request it accepts. */
static void check_accepted(const struct tally_ctl_op *op, size_t len)
{
	const struct qb_ipc_request_header *h = &op->rq.hdr;
	bool ok = h->id > 0 && h->id < TALLY_CTL_REQ_COUNT && (size_t)h->size == len;

	switch (h->id) {
	case TALLY_CTL_REQ_QDEVICE_REGISTER:
	case TALLY_CTL_REQ_QDEVICE_UNREGISTER:
		ok = ok && terminated(op->rq.qdevice.name);
		break;
	case TALLY_CTL_REQ_QDEVICE_UPDATE:
		ok = ok && terminated(op->rq.update.oldname) && terminated(op->rq.update.newname);
		break;
	case TALLY_CTL_REQ_QDEVICE_POLL:
		ok = ok && terminated(op->rq.poll.name);
		break;
	case TALLY_CTL_REQ_QDEVICE_MASTER_WINS:
		ok = ok && terminated(op->rq.master_wins.name);
		break;
	default:
		break;
	}
	if (!ok)
		abort();
}

static struct tally_node *boot(struct tally_cmap **map, void *seg, struct loopback *lb)
{
	static const struct tally_node_ops ops = {
		.send = lb_send, .wake = lb_wake, .reply = lb_reply,
	};
	char err[256];

	*map = tally_cmap_new();
	if (*map == NULL || tally_cmap_parse(*map, conf, sizeof(conf) - 1, "fuzz", err,
					     sizeof(err)) != 0)
		abort();
	return tally_node_create(NODEID, *map, 0, seg, TALLY_SHM_SEGMENT_SIZE, 1, &ops, lb, err,
				 sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *seg;
	static struct loopback lb;
	struct tally_cmap *map;
	struct tally_node *node;
	uint64_t now = 1000;

	if (seg == NULL && (seg = malloc(TALLY_SHM_SEGMENT_SIZE)) == NULL)
		abort();
	lb.n = 0;
	node = boot(&map, seg, &lb);
	if (node == NULL)
		abort();
	install_view(node, &lb, now);
	while (size >= 2) {
		size_t len = (size_t)data[0] | (size_t)data[1] << 8;
		struct tally_ctl_op op;
		bool pending;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		if (tally_ctl_decode(data, len, &op) == CS_OK) {
			check_accepted(&op, len);
			op.token = now;
			(void)tally_ctl_op_apply(node, &op, now, &pending);
			deliver(node, &lb, now);
		}
		data += len;
		size -= len;
		now += 500;	/* poll timeouts and deadlines expire along the way */
		tally_node_expire(node, now);
		deliver(node, &lb, now);
	}
	tally_node_destroy(node);
	tally_cmap_free(map);
	return 0;
}
