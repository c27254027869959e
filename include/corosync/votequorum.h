/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * votequorum client API, served by tally's libvotequorum.so.8.
 *
 * This is a drop-in for corosync 3.1.7's <corosync/votequorum.h>: every
 * type, constant, struct layout and prototype is the same, so programs
 * written for corosync build unchanged against it and binaries built
 * against either header run against either library. tests/compat checks
 * that against the installed corosync header; keep it that way when
 * editing (no new declarations, no attributes, no reordering).
 *
 * The behaviour of each call is described in spec section 2 (shared/spec/
 * votequorum.md). Every call returns a cs_error_t, and success is CS_OK,
 * which is 1 rather than 0.
 */
#ifndef COROSYNC_VOTEQUORUM_H_DEFINED
#define COROSYNC_VOTEQUORUM_H_DEFINED

#include <corosync/corotypes.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque connection handle; a table key, not a file descriptor. */
typedef uint64_t votequorum_handle_t;

/*
 * Bits of votequorum_info.flags. The first six describe the cluster as the
 * local node sees it, whichever node was asked about.
 */
#define VOTEQUORUM_INFO_TWONODE 1
#define VOTEQUORUM_INFO_QUORATE 2
#define VOTEQUORUM_INFO_WAIT_FOR_ALL 4
#define VOTEQUORUM_INFO_LAST_MAN_STANDING 8
#define VOTEQUORUM_INFO_AUTO_TIE_BREAKER 16
#define VOTEQUORUM_INFO_ALLOW_DOWNSCALE 32
/* The rest describe the quorum device of the node that was asked about. */
#define VOTEQUORUM_INFO_QDEVICE_REGISTERED 64
#define VOTEQUORUM_INFO_QDEVICE_ALIVE 128
#define VOTEQUORUM_INFO_QDEVICE_CAST_VOTE 256
#define VOTEQUORUM_INFO_QDEVICE_MASTER_WINS 512

/*
 * Node id 0 names the quorum device in setvotes() and in quorum
 * notifications, but the local node in getinfo().
 */
#define VOTEQUORUM_QDEVICE_NODEID 0
/* Size of a device name buffer with its NUL, so names hold at most 254 characters. */
#define VOTEQUORUM_QDEVICE_MAX_NAME_LEN 255
/* Defaults of quorum.device.timeout and quorum.device.sync_timeout, in ms. */
#define VOTEQUORUM_QDEVICE_DEFAULT_TIMEOUT 10000
#define VOTEQUORUM_QDEVICE_DEFAULT_SYNC_TIMEOUT 30000

/* votequorum_info.node_state and votequorum_node_t.state. */
#define VOTEQUORUM_NODESTATE_MEMBER 1
#define VOTEQUORUM_NODESTATE_DEAD 2
#define VOTEQUORUM_NODESTATE_LEAVING 3

/** What votequorum_getinfo() reports about one node (spec section 3.10). */
struct votequorum_info {
	unsigned int node_id;
	unsigned int node_state;
	unsigned int node_votes;
	unsigned int node_expected_votes;
	unsigned int highest_expected;
	unsigned int total_votes;
	unsigned int quorum;
	unsigned int flags;
	unsigned int qdevice_votes;
	char qdevice_name[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
};

/** One entry of a quorum notification; state 0 marks the device entry. */
typedef struct {
	uint32_t nodeid;
	uint32_t state;
} votequorum_node_t;

/*
 * Identifies one membership: the ring representative and the totem ring
 * sequence. It travels by value; qdevice_poll() must echo it exactly.
 */
typedef struct {
	uint32_t nodeid;
	uint64_t seq;
} votequorum_ring_id_t;

/* node_list: every node ever seen, plus {0, 0} when a device is registered here. */
typedef void (*votequorum_quorum_notification_fn_t)(votequorum_handle_t handle,
						     uint64_t context, uint32_t quorate,
						     uint32_t node_list_entries,
						     votequorum_node_t node_list[]);

/* node_list: the members of the new ring, valid only during the callback. */
typedef void (*votequorum_nodelist_notification_fn_t)(votequorum_handle_t handle,
						       uint64_t context,
						       votequorum_ring_id_t ring_id,
						       uint32_t node_list_entries,
						       uint32_t node_list[]);

typedef void (*votequorum_expectedvotes_notification_fn_t)(votequorum_handle_t handle,
							    uint64_t context,
							    uint32_t expected_votes);

/*
 * Any member may be NULL. The order (quorum, expectedvotes, nodelist) is
 * ABI and differs from the order of the typedefs above.
 */
typedef struct {
	votequorum_quorum_notification_fn_t votequorum_quorum_notify_fn;
	votequorum_expectedvotes_notification_fn_t votequorum_expectedvotes_notify_fn;
	votequorum_nodelist_notification_fn_t votequorum_nodelist_notify_fn;
} votequorum_callbacks_t;

/** Connect to the local service; callbacks is copied and may be NULL. */
cs_error_t votequorum_initialize(votequorum_handle_t *handle, votequorum_callbacks_t *callbacks);

/** Drop the connection; safe while another thread sits in dispatch. */
cs_error_t votequorum_finalize(votequorum_handle_t handle);

/** Run queued callbacks; dispatch_types says how long to wait (spec section 2.4). */
cs_error_t votequorum_dispatch(votequorum_handle_t handle, cs_dispatch_flags_t dispatch_types);

/** The descriptor to poll for readability before calling dispatch. */
cs_error_t votequorum_fd_get(votequorum_handle_t handle, int *fd);

/** Fill *info for nodeid (0: the local node); CS_ERR_NOT_EXIST if never seen. */
cs_error_t votequorum_getinfo(votequorum_handle_t handle, unsigned int nodeid,
			      struct votequorum_info *info);

/** Change expected votes cluster-wide, if quorum stays reachable. */
cs_error_t votequorum_setexpected(votequorum_handle_t handle, unsigned int expected_votes);

/** Change one node's votes cluster-wide; nodeid 0 is the quorum device. */
cs_error_t votequorum_setvotes(votequorum_handle_t handle, unsigned int nodeid,
			       unsigned int votes);

/** Ask for notifications (CS_TRACK_* flags), each tagged with context. */
cs_error_t votequorum_trackstart(votequorum_handle_t handle, uint64_t context,
				 unsigned int flags);

/** Stop the notifications trackstart asked for. */
cs_error_t votequorum_trackstop(votequorum_handle_t handle);

/** Read the per-handle user pointer; purely local, no daemon round trip. */
cs_error_t votequorum_context_get(votequorum_handle_t handle, void **context);

/** Store the per-handle user pointer. */
cs_error_t votequorum_context_set(votequorum_handle_t handle, void *context);

/** Attach a quorum device to this node; it counts once it polls. */
cs_error_t votequorum_qdevice_register(votequorum_handle_t handle, const char *name);

/** Detach the quorum device registered under name. */
cs_error_t votequorum_qdevice_unregister(votequorum_handle_t handle, const char *name);

/** Rename the registered device; the name is informational only. */
cs_error_t votequorum_qdevice_update(votequorum_handle_t handle, const char *oldname,
				     const char *newname);

/** Keep the device alive and say whether it votes in ring ring_id. */
cs_error_t votequorum_qdevice_poll(votequorum_handle_t handle, const char *name,
				   unsigned int cast_vote, votequorum_ring_id_t ring_id);

/** Let the device allow (or forbid) master-wins for this node. */
cs_error_t votequorum_qdevice_master_wins(votequorum_handle_t handle, const char *name,
					  unsigned int allow);

#ifdef __cplusplus
}
#endif

#endif /* COROSYNC_VOTEQUORUM_H_DEFINED */
