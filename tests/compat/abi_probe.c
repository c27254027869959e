/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prints every constant, size, alignment and offset of the votequorum API.
 * Built twice, against tally's headers and against corosync's installed
 * ones; abi-compare.sh requires the two outputs to be identical. Each
 * prototype is pinned by a compile-time type check, so a header with a
 * different signature does not build at all.
 */
#include <corosync/votequorum.h>

#include <inttypes.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define SAME_TYPE(expr, type) _Static_assert(__builtin_types_compatible_p(__typeof__(expr), type), #expr)

SAME_TYPE(&votequorum_initialize, cs_error_t (*)(votequorum_handle_t *, votequorum_callbacks_t *));
SAME_TYPE(&votequorum_finalize, cs_error_t (*)(votequorum_handle_t));
SAME_TYPE(&votequorum_dispatch, cs_error_t (*)(votequorum_handle_t, cs_dispatch_flags_t));
SAME_TYPE(&votequorum_fd_get, cs_error_t (*)(votequorum_handle_t, int *));
SAME_TYPE(&votequorum_getinfo,
	  cs_error_t (*)(votequorum_handle_t, unsigned int, struct votequorum_info *));
SAME_TYPE(&votequorum_setexpected, cs_error_t (*)(votequorum_handle_t, unsigned int));
SAME_TYPE(&votequorum_setvotes, cs_error_t (*)(votequorum_handle_t, unsigned int, unsigned int));
SAME_TYPE(&votequorum_trackstart, cs_error_t (*)(votequorum_handle_t, uint64_t, unsigned int));
SAME_TYPE(&votequorum_trackstop, cs_error_t (*)(votequorum_handle_t));
SAME_TYPE(&votequorum_context_get, cs_error_t (*)(votequorum_handle_t, void **));
SAME_TYPE(&votequorum_context_set, cs_error_t (*)(votequorum_handle_t, void *));
SAME_TYPE(&votequorum_qdevice_register, cs_error_t (*)(votequorum_handle_t, const char *));
SAME_TYPE(&votequorum_qdevice_unregister, cs_error_t (*)(votequorum_handle_t, const char *));
SAME_TYPE(&votequorum_qdevice_update,
	  cs_error_t (*)(votequorum_handle_t, const char *, const char *));
SAME_TYPE(&votequorum_qdevice_poll, cs_error_t (*)(votequorum_handle_t, const char *,
						   unsigned int, votequorum_ring_id_t));
SAME_TYPE(&votequorum_qdevice_master_wins,
	  cs_error_t (*)(votequorum_handle_t, const char *, unsigned int));
SAME_TYPE(&qb_to_cs_error, cs_error_t (*)(int));
SAME_TYPE(&cs_strerror, const char *(*)(cs_error_t));
SAME_TYPE(&hdb_error_to_cs, cs_error_t (*)(int));
SAME_TYPE(&cs_timestamp_get, uint64_t (*)(void));
SAME_TYPE((votequorum_quorum_notification_fn_t)0,
	  void (*)(votequorum_handle_t, uint64_t, uint32_t, uint32_t, votequorum_node_t *));
SAME_TYPE((votequorum_nodelist_notification_fn_t)0,
	  void (*)(votequorum_handle_t, uint64_t, votequorum_ring_id_t, uint32_t, uint32_t *));
SAME_TYPE((votequorum_expectedvotes_notification_fn_t)0,
	  void (*)(votequorum_handle_t, uint64_t, uint32_t));
SAME_TYPE((votequorum_handle_t)0, uint64_t);
SAME_TYPE((cs_time_t)0, int64_t);

#define VALUE(x) printf("%s %lld\n", #x, (long long)(x))
#define STRING(x) printf("%s \"%s\"\n", #x, x)
#define SIZE(t) printf("sizeof(%s) %zu alignof %zu\n", #t, sizeof(t), alignof(t))
#define OFFSET(t, m) printf("offsetof(%s, %s) %zu size %zu\n", #t, #m, offsetof(t, m), \
			    sizeof(((t *)0)->m))

int main(void)
{
	VALUE(VOTEQUORUM_INFO_TWONODE);
	VALUE(VOTEQUORUM_INFO_QUORATE);
	VALUE(VOTEQUORUM_INFO_WAIT_FOR_ALL);
	VALUE(VOTEQUORUM_INFO_LAST_MAN_STANDING);
	VALUE(VOTEQUORUM_INFO_AUTO_TIE_BREAKER);
	VALUE(VOTEQUORUM_INFO_ALLOW_DOWNSCALE);
	VALUE(VOTEQUORUM_INFO_QDEVICE_REGISTERED);
	VALUE(VOTEQUORUM_INFO_QDEVICE_ALIVE);
	VALUE(VOTEQUORUM_INFO_QDEVICE_CAST_VOTE);
	VALUE(VOTEQUORUM_INFO_QDEVICE_MASTER_WINS);
	VALUE(VOTEQUORUM_QDEVICE_NODEID);
	VALUE(VOTEQUORUM_QDEVICE_MAX_NAME_LEN);
	VALUE(VOTEQUORUM_QDEVICE_DEFAULT_TIMEOUT);
	VALUE(VOTEQUORUM_QDEVICE_DEFAULT_SYNC_TIMEOUT);
	VALUE(VOTEQUORUM_NODESTATE_MEMBER);
	VALUE(VOTEQUORUM_NODESTATE_DEAD);
	VALUE(VOTEQUORUM_NODESTATE_LEAVING);

	VALUE(CS_FALSE);
	VALUE(CS_TRUE);
	VALUE(CS_MAX_NAME_LENGTH);
	VALUE(CS_TIME_END);
	VALUE(CS_MAX(3, 7));
	VALUE(CS_IPC_TIMEOUT_MS);
	VALUE(CS_TIME_MS_IN_SEC);
	VALUE(CS_TIME_US_IN_SEC);
	VALUE(CS_TIME_NS_IN_SEC);
	VALUE(CS_TIME_US_IN_MSEC);
	VALUE(CS_TIME_NS_IN_MSEC);
	VALUE(CS_TIME_NS_IN_USEC);
	VALUE(CS_TRACK_CURRENT);
	VALUE(CS_TRACK_CHANGES);
	VALUE(CS_TRACK_CHANGES_ONLY);
	VALUE(CS_DISPATCH_ONE);
	VALUE(CS_DISPATCH_ALL);
	VALUE(CS_DISPATCH_BLOCKING);
	VALUE(CS_DISPATCH_ONE_NONBLOCKING);
	STRING(CS_PRI_NODE_ID);
	STRING(CS_PRI_NODE_ID_PADDED);
	STRING(CS_PRI_RING_ID_SEQ);
	STRING(CS_PRI_RING_ID);

	VALUE(CS_OK);
	VALUE(CS_ERR_LIBRARY);
	VALUE(CS_ERR_VERSION);
	VALUE(CS_ERR_INIT);
	VALUE(CS_ERR_TIMEOUT);
	VALUE(CS_ERR_TRY_AGAIN);
	VALUE(CS_ERR_INVALID_PARAM);
	VALUE(CS_ERR_NO_MEMORY);
	VALUE(CS_ERR_BAD_HANDLE);
	VALUE(CS_ERR_BUSY);
	VALUE(CS_ERR_ACCESS);
	VALUE(CS_ERR_NOT_EXIST);
	VALUE(CS_ERR_NAME_TOO_LONG);
	VALUE(CS_ERR_EXIST);
	VALUE(CS_ERR_NO_SPACE);
	VALUE(CS_ERR_INTERRUPT);
	VALUE(CS_ERR_NAME_NOT_FOUND);
	VALUE(CS_ERR_NO_RESOURCES);
	VALUE(CS_ERR_NOT_SUPPORTED);
	VALUE(CS_ERR_BAD_OPERATION);
	VALUE(CS_ERR_FAILED_OPERATION);
	VALUE(CS_ERR_MESSAGE_ERROR);
	VALUE(CS_ERR_QUEUE_FULL);
	VALUE(CS_ERR_QUEUE_NOT_AVAILABLE);
	VALUE(CS_ERR_BAD_FLAGS);
	VALUE(CS_ERR_TOO_BIG);
	VALUE(CS_ERR_NO_SECTIONS);
	VALUE(CS_ERR_CONTEXT_NOT_FOUND);
	VALUE(CS_ERR_TOO_MANY_GROUPS);
	VALUE(CS_ERR_SECURITY);

	SIZE(cs_error_t);
	SIZE(cs_dispatch_flags_t);
	SIZE(cs_time_t);
	SIZE(cs_name_t);
	OFFSET(cs_name_t, length);
	OFFSET(cs_name_t, value);
	SIZE(cs_version_t);
	OFFSET(cs_version_t, releaseCode);
	OFFSET(cs_version_t, majorVersion);
	OFFSET(cs_version_t, minorVersion);
	SIZE(votequorum_handle_t);
	SIZE(struct votequorum_info);
	OFFSET(struct votequorum_info, node_id);
	OFFSET(struct votequorum_info, node_state);
	OFFSET(struct votequorum_info, node_votes);
	OFFSET(struct votequorum_info, node_expected_votes);
	OFFSET(struct votequorum_info, highest_expected);
	OFFSET(struct votequorum_info, total_votes);
	OFFSET(struct votequorum_info, quorum);
	OFFSET(struct votequorum_info, flags);
	OFFSET(struct votequorum_info, qdevice_votes);
	OFFSET(struct votequorum_info, qdevice_name);
	SIZE(votequorum_node_t);
	OFFSET(votequorum_node_t, nodeid);
	OFFSET(votequorum_node_t, state);
	SIZE(votequorum_ring_id_t);
	OFFSET(votequorum_ring_id_t, nodeid);
	OFFSET(votequorum_ring_id_t, seq);
	SIZE(votequorum_callbacks_t);
	OFFSET(votequorum_callbacks_t, votequorum_quorum_notify_fn);
	OFFSET(votequorum_callbacks_t, votequorum_expectedvotes_notify_fn);
	OFFSET(votequorum_callbacks_t, votequorum_nodelist_notify_fn);
	return 0;
}
