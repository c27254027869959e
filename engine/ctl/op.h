/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One control request a client sent (tally/ctl_proto.h) as a value:
 * decoded and checked, then applied to the node, without any I/O. The
 * server (ctl.c) runs these on every message; tests/fuzz/fuzz_ctl.c feeds
 * them arbitrary bytes.
 */
#ifndef TALLY_CTL_OP_H
#define TALLY_CTL_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <corosync/corotypes.h>

#include "tally/ctl_proto.h"

/*
 * A checked request, copied whole: what the server hands the thread that
 * owns the node (tallyd: the lcore, through a ring; a one-thread engine:
 * itself) for the ones that change state.
 */
struct tally_ctl_op {
	uint64_t token;	/**< answer with tally_ctl_reply(ctl, token, result) */
	union {
		struct qb_ipc_request_header hdr;	/**< hdr.id: TALLY_CTL_REQ_* */
		struct tally_ctl_req_hello hello;
		struct tally_ctl_req_setexpected setexpected;
		struct tally_ctl_req_setvotes setvotes;
		struct tally_ctl_req_qdevice qdevice;
		struct tally_ctl_req_qdevice_update update;
		struct tally_ctl_req_qdevice_poll poll;
		struct tally_ctl_req_qdevice_master_wins master_wins;
		struct tally_ctl_req_watch watch;
		struct tally_ctl_req_status status;
		struct tally_ctl_req_clients clients;
	} rq;
};

/*
 * Check the `size` bytes of one request (any alignment) and copy them into
 * op->rq (the rest of op zeroed). CS_OK; CS_ERR_MESSAGE_ERROR when its size
 * is not exactly that of its type or the id is unknown (malformed);
 * CS_ERR_INVALID_PARAM for a name without a NUL or failing corosync's name
 * check. op->rq.hdr.id is the request's id whenever a header was there, so
 * a refusal can be answered under it; 0 otherwise.
 */
cs_error_t tally_ctl_decode(const void *data, size_t size, struct tally_ctl_op *op);

struct tally_node;

/*
 * Apply a decoded state-changing op (setexpected, setvotes, qdevice_*) to
 * the node on its own thread, `now` in the node's clock (ms). The result,
 * or *pending: the node answers later through its reply hook with
 * op->token (a qdevice_register waiting for its message).
 * CS_ERR_MESSAGE_ERROR for any other id.
 */
cs_error_t tally_ctl_op_apply(struct tally_node *node, const struct tally_ctl_op *op,
			      uint64_t now, bool *pending);

#endif
