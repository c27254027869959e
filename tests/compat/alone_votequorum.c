/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * <corosync/votequorum.h> included first and alone must compile and give
 * everything a votequorum client needs, corotypes.h included.
 */
#include <corosync/votequorum.h>

static void on_expected(votequorum_handle_t handle, uint64_t context, uint32_t expected_votes)
{
	(void)handle;
	(void)context;
	(void)expected_votes;
}

int main(void)
{
	votequorum_callbacks_t callbacks = {
		.votequorum_expectedvotes_notify_fn = on_expected,
	};
	struct votequorum_info info = { .node_state = VOTEQUORUM_NODESTATE_MEMBER };
	votequorum_ring_id_t ring = { .nodeid = 1, .seq = 0x1d };
	votequorum_node_t node = { .nodeid = 2, .state = VOTEQUORUM_NODESTATE_LEAVING };
	cs_error_t rc = CS_ERR_NOT_EXIST;
	int err = ENOENT;

	_Static_assert(sizeof(info.qdevice_name) == VOTEQUORUM_QDEVICE_MAX_NAME_LEN, "name buffer");
	return (!callbacks.votequorum_quorum_notify_fn &&
		info.node_state == 1 && ring.seq == 0x1d && node.state == 3 && rc == 12 &&
		err != 0 && (info.flags & VOTEQUORUM_INFO_QUORATE) == 0) ? 0 : 1;
}
