/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control requests as they come off a connection (op.h): checked against
 * the exact size of their type and every name for a terminating NUL before
 * anything reads them. No I/O, so a fuzz target drives this file alone.
 */
#include "ctl/op.h"

#include <string.h>

#include "node/node.h"
#include "quorum/quorum.h"

/* The exact size of each request; 0: no such request. */
static const size_t req_size[TALLY_CTL_REQ_COUNT] = {
	[TALLY_CTL_REQ_HELLO] = sizeof(struct tally_ctl_req_hello),
	[TALLY_CTL_REQ_SETEXPECTED] = sizeof(struct tally_ctl_req_setexpected),
	[TALLY_CTL_REQ_SETVOTES] = sizeof(struct tally_ctl_req_setvotes),
	[TALLY_CTL_REQ_QDEVICE_REGISTER] = sizeof(struct tally_ctl_req_qdevice),
	[TALLY_CTL_REQ_QDEVICE_UNREGISTER] = sizeof(struct tally_ctl_req_qdevice),
	[TALLY_CTL_REQ_QDEVICE_UPDATE] = sizeof(struct tally_ctl_req_qdevice_update),
	[TALLY_CTL_REQ_QDEVICE_POLL] = sizeof(struct tally_ctl_req_qdevice_poll),
	[TALLY_CTL_REQ_QDEVICE_MASTER_WINS] = sizeof(struct tally_ctl_req_qdevice_master_wins),
	[TALLY_CTL_REQ_WATCH] = sizeof(struct tally_ctl_req_watch),
	[TALLY_CTL_REQ_STATUS] = sizeof(struct tally_ctl_req_status),
	[TALLY_CTL_REQ_CLIENTS] = sizeof(struct tally_ctl_req_clients),
};

_Static_assert(sizeof(((struct tally_ctl_op *)0)->rq) >= sizeof(struct tally_ctl_req_qdevice_update),
	       "every request fits the op");

/* A name field must be a C string inside its buffer, then pass corosync's check. */
static bool name_ok(const char *name)
{
	return memchr(name, '\0', VOTEQUORUM_QDEVICE_MAX_NAME_LEN) != NULL &&
	       tally_qdevice_name_check(name) == CS_OK;
}

static bool names_ok(const struct tally_ctl_op *op)
{
	switch (op->rq.hdr.id) {
	case TALLY_CTL_REQ_QDEVICE_REGISTER:
	case TALLY_CTL_REQ_QDEVICE_UNREGISTER:
		return name_ok(op->rq.qdevice.name);
	case TALLY_CTL_REQ_QDEVICE_UPDATE:
		return name_ok(op->rq.update.oldname) && name_ok(op->rq.update.newname);
	case TALLY_CTL_REQ_QDEVICE_POLL:
		return name_ok(op->rq.poll.name);
	case TALLY_CTL_REQ_QDEVICE_MASTER_WINS:
		return name_ok(op->rq.master_wins.name);
	default:
		return true;
	}
}

cs_error_t tally_ctl_decode(const void *data, size_t size, struct tally_ctl_op *op)
{
	struct qb_ipc_request_header h;

	memset(op, 0, sizeof(*op));
	if (data == NULL || size < sizeof(h))
		return CS_ERR_MESSAGE_ERROR;
	memcpy(&h, data, sizeof(h));	/* data need not be aligned */
	op->rq.hdr.id = h.id;
	if (h.size < 0 || (size_t)h.size != size || h.id <= 0 || h.id >= TALLY_CTL_REQ_COUNT ||
	    req_size[h.id] != size)
		return CS_ERR_MESSAGE_ERROR;
	memcpy(&op->rq, data, size);
	return names_ok(op) ? CS_OK : CS_ERR_INVALID_PARAM;
}

cs_error_t tally_ctl_op_apply(struct tally_node *node, const struct tally_ctl_op *op,
			      uint64_t now, bool *pending)
{
	*pending = false;
	switch (op->rq.hdr.id) {
	case TALLY_CTL_REQ_SETEXPECTED:
		return tally_node_setexpected(node, op->rq.setexpected.expected_votes);
	case TALLY_CTL_REQ_SETVOTES:
		return tally_node_setvotes(node, op->rq.setvotes.nodeid, op->rq.setvotes.votes);
	case TALLY_CTL_REQ_QDEVICE_REGISTER:
		return tally_node_qdevice_register(node, op->rq.qdevice.name, op->token, pending);
	case TALLY_CTL_REQ_QDEVICE_UNREGISTER:
		return tally_node_qdevice_unregister(node, op->rq.qdevice.name);
	case TALLY_CTL_REQ_QDEVICE_UPDATE:
		return tally_node_qdevice_update(node, op->rq.update.oldname, op->rq.update.newname);
	case TALLY_CTL_REQ_QDEVICE_POLL: {
		const struct tally_ctl_req_qdevice_poll *rq = &op->rq.poll;
		votequorum_ring_id_t ring = { rq->ring_nodeid, rq->ring_seq };

		return tally_node_qdevice_poll(node, rq->name, rq->cast_vote, &ring, now);
	}
	case TALLY_CTL_REQ_QDEVICE_MASTER_WINS:
		return tally_node_qdevice_master_wins(node, op->rq.master_wins.name,
						      op->rq.master_wins.allow);
	default:
		return CS_ERR_MESSAGE_ERROR;
	}
}
