/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ABI probe for the votequorum headers.
 *
 * Built twice: once on tally's include/ and once on corosync's installed
 * headers. It prints one "NAME VALUE ..." line per fact (constants with
 * their type and macro text, sizes, alignments, offsets and member types),
 * and abi-compare.py demands that both builds print the same lines.
 *
 * Prototypes cannot be printed, so they are pinned at compile time: a
 * header whose function or callback types differ from corosync's does not
 * build. __builtin_types_compatible_p only looks at the types, so the
 * probe needs no library at link time. GNU C: built with -std=gnu11.
 */
#include <corosync/votequorum.h>

#include <inttypes.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>

#define SAME_TYPE(expr, type)							\
	_Static_assert(__builtin_types_compatible_p(__typeof__(expr), type),	\
		       "type of " #expr " differs from corosync's")

/* Every function of both headers, with corosync 3.1.7's exact type. */
SAME_TYPE(&votequorum_initialize,
	  cs_error_t (*)(votequorum_handle_t *, votequorum_callbacks_t *));
SAME_TYPE(&votequorum_finalize, cs_error_t (*)(votequorum_handle_t));
SAME_TYPE(&votequorum_dispatch, cs_error_t (*)(votequorum_handle_t, cs_dispatch_flags_t));
SAME_TYPE(&votequorum_fd_get, cs_error_t (*)(votequorum_handle_t, int *));
SAME_TYPE(&votequorum_getinfo,
	  cs_error_t (*)(votequorum_handle_t, unsigned int, struct votequorum_info *));
SAME_TYPE(&votequorum_setexpected, cs_error_t (*)(votequorum_handle_t, unsigned int));
SAME_TYPE(&votequorum_setvotes,
	  cs_error_t (*)(votequorum_handle_t, unsigned int, unsigned int));
SAME_TYPE(&votequorum_trackstart, cs_error_t (*)(votequorum_handle_t, uint64_t, unsigned int));
SAME_TYPE(&votequorum_trackstop, cs_error_t (*)(votequorum_handle_t));
SAME_TYPE(&votequorum_context_get, cs_error_t (*)(votequorum_handle_t, void **));
SAME_TYPE(&votequorum_context_set, cs_error_t (*)(votequorum_handle_t, void *));
SAME_TYPE(&votequorum_qdevice_register, cs_error_t (*)(votequorum_handle_t, const char *));
SAME_TYPE(&votequorum_qdevice_unregister, cs_error_t (*)(votequorum_handle_t, const char *));
SAME_TYPE(&votequorum_qdevice_update,
	  cs_error_t (*)(votequorum_handle_t, const char *, const char *));
SAME_TYPE(&votequorum_qdevice_poll,
	  cs_error_t (*)(votequorum_handle_t, const char *, unsigned int, votequorum_ring_id_t));
SAME_TYPE(&votequorum_qdevice_master_wins,
	  cs_error_t (*)(votequorum_handle_t, const char *, unsigned int));
SAME_TYPE(&qb_to_cs_error, cs_error_t (*)(int));
SAME_TYPE(&cs_strerror, const char *(*)(cs_error_t));
SAME_TYPE(&hdb_error_to_cs, cs_error_t (*)(int));
SAME_TYPE(&cs_timestamp_get, uint64_t (*)(void));

/* The callback types and the scalar typedefs. */
SAME_TYPE((votequorum_quorum_notification_fn_t)0,
	  void (*)(votequorum_handle_t, uint64_t, uint32_t, uint32_t, votequorum_node_t *));
SAME_TYPE((votequorum_nodelist_notification_fn_t)0,
	  void (*)(votequorum_handle_t, uint64_t, votequorum_ring_id_t, uint32_t, uint32_t *));
SAME_TYPE((votequorum_expectedvotes_notification_fn_t)0,
	  void (*)(votequorum_handle_t, uint64_t, uint32_t));
SAME_TYPE((votequorum_handle_t)0, uint64_t);
SAME_TYPE((cs_time_t)0, int64_t);

/*
 * The C type an expression has, as a string. Enums show up as the integer
 * type they are compatible with, arrays as the pointer they decay to;
 * anything not listed (structs) is "other".
 */
#define TYPE_NAME(x) _Generic((x),						\
	char: "char",								\
	signed char: "signed char",						\
	unsigned char: "unsigned char",						\
	short: "short",								\
	unsigned short: "unsigned short",					\
	int: "int",								\
	unsigned int: "unsigned int",						\
	long: "long",								\
	unsigned long: "unsigned long",						\
	long long: "long long",							\
	unsigned long long: "unsigned long long",				\
	char *: "char *",							\
	const char *: "const char *",						\
	unsigned char *: "unsigned char *",					\
	unsigned int *: "unsigned int *",					\
	votequorum_node_t *: "votequorum_node_t *",				\
	votequorum_quorum_notification_fn_t: "votequorum_quorum_notification_fn_t", \
	votequorum_nodelist_notification_fn_t: "votequorum_nodelist_notification_fn_t", \
	votequorum_expectedvotes_notification_fn_t:				\
		"votequorum_expectedvotes_notification_fn_t",			\
	default: "other")

#define STR(x) #x
#define XSTR(x) STR(x)

/* A macro constant: value, type, and its expansion (spacing normalised). */
#define CONSTANT(x)								\
	printf("%s %lld type=%s text=%s\n", #x, (long long)(x), TYPE_NAME(x), XSTR(x))
#define STRING(x) printf("%s \"%s\" text=%s\n", #x, x, XSTR(x))
/* An enumerator: its value, and the type of the constant itself. */
#define ENUMERATOR(x) printf("%s %lld type=%s\n", #x, (long long)(x), TYPE_NAME(x))

/* Unevaluated lvalue of type t (only ever used inside sizeof/_Generic). */
#define OBJ(t) (*(t *)0)
#define TYPE(t)									\
	printf("sizeof(%s) %zu alignof %zu type=%s\n", #t, sizeof(t), alignof(t),	\
	       TYPE_NAME(OBJ(t)))
#define MEMBER(t, m)								\
	printf("offsetof(%s, %s) %zu size %zu type=%s\n", #t, #m, offsetof(t, m),	\
	       sizeof(OBJ(t).m), TYPE_NAME(OBJ(t).m))

static void votequorum_constants(void)
{
	CONSTANT(VOTEQUORUM_INFO_TWONODE);
	CONSTANT(VOTEQUORUM_INFO_QUORATE);
	CONSTANT(VOTEQUORUM_INFO_WAIT_FOR_ALL);
	CONSTANT(VOTEQUORUM_INFO_LAST_MAN_STANDING);
	CONSTANT(VOTEQUORUM_INFO_AUTO_TIE_BREAKER);
	CONSTANT(VOTEQUORUM_INFO_ALLOW_DOWNSCALE);
	CONSTANT(VOTEQUORUM_INFO_QDEVICE_REGISTERED);
	CONSTANT(VOTEQUORUM_INFO_QDEVICE_ALIVE);
	CONSTANT(VOTEQUORUM_INFO_QDEVICE_CAST_VOTE);
	CONSTANT(VOTEQUORUM_INFO_QDEVICE_MASTER_WINS);
	CONSTANT(VOTEQUORUM_QDEVICE_NODEID);
	CONSTANT(VOTEQUORUM_QDEVICE_MAX_NAME_LEN);
	CONSTANT(VOTEQUORUM_QDEVICE_DEFAULT_TIMEOUT);
	CONSTANT(VOTEQUORUM_QDEVICE_DEFAULT_SYNC_TIMEOUT);
	CONSTANT(VOTEQUORUM_NODESTATE_MEMBER);
	CONSTANT(VOTEQUORUM_NODESTATE_DEAD);
	CONSTANT(VOTEQUORUM_NODESTATE_LEAVING);
}

static void corotypes_constants(void)
{
	CONSTANT(CS_FALSE);
	CONSTANT(CS_TRUE);
	CONSTANT(CS_MAX_NAME_LENGTH);
	CONSTANT(CS_TIME_END);
	CONSTANT(CS_MAX(3, 7));
	printf("CS_MAX(a, b) text=%s\n", XSTR(CS_MAX(a, b)));
	CONSTANT(CS_IPC_TIMEOUT_MS);
	CONSTANT(CS_TIME_MS_IN_SEC);
	CONSTANT(CS_TIME_US_IN_SEC);
	CONSTANT(CS_TIME_NS_IN_SEC);
	CONSTANT(CS_TIME_US_IN_MSEC);
	CONSTANT(CS_TIME_NS_IN_MSEC);
	CONSTANT(CS_TIME_NS_IN_USEC);
	CONSTANT(CS_TRACK_CURRENT);
	CONSTANT(CS_TRACK_CHANGES);
	CONSTANT(CS_TRACK_CHANGES_ONLY);
	STRING(CS_PRI_NODE_ID);
	STRING(CS_PRI_NODE_ID_PADDED);
	STRING(CS_PRI_RING_ID_SEQ);
	STRING(CS_PRI_RING_ID);

	ENUMERATOR(CS_DISPATCH_ONE);
	ENUMERATOR(CS_DISPATCH_ALL);
	ENUMERATOR(CS_DISPATCH_BLOCKING);
	ENUMERATOR(CS_DISPATCH_ONE_NONBLOCKING);

	ENUMERATOR(CS_OK);
	ENUMERATOR(CS_ERR_LIBRARY);
	ENUMERATOR(CS_ERR_VERSION);
	ENUMERATOR(CS_ERR_INIT);
	ENUMERATOR(CS_ERR_TIMEOUT);
	ENUMERATOR(CS_ERR_TRY_AGAIN);
	ENUMERATOR(CS_ERR_INVALID_PARAM);
	ENUMERATOR(CS_ERR_NO_MEMORY);
	ENUMERATOR(CS_ERR_BAD_HANDLE);
	ENUMERATOR(CS_ERR_BUSY);
	ENUMERATOR(CS_ERR_ACCESS);
	ENUMERATOR(CS_ERR_NOT_EXIST);
	ENUMERATOR(CS_ERR_NAME_TOO_LONG);
	ENUMERATOR(CS_ERR_EXIST);
	ENUMERATOR(CS_ERR_NO_SPACE);
	ENUMERATOR(CS_ERR_INTERRUPT);
	ENUMERATOR(CS_ERR_NAME_NOT_FOUND);
	ENUMERATOR(CS_ERR_NO_RESOURCES);
	ENUMERATOR(CS_ERR_NOT_SUPPORTED);
	ENUMERATOR(CS_ERR_BAD_OPERATION);
	ENUMERATOR(CS_ERR_FAILED_OPERATION);
	ENUMERATOR(CS_ERR_MESSAGE_ERROR);
	ENUMERATOR(CS_ERR_QUEUE_FULL);
	ENUMERATOR(CS_ERR_QUEUE_NOT_AVAILABLE);
	ENUMERATOR(CS_ERR_BAD_FLAGS);
	ENUMERATOR(CS_ERR_TOO_BIG);
	ENUMERATOR(CS_ERR_NO_SECTIONS);
	ENUMERATOR(CS_ERR_CONTEXT_NOT_FOUND);
	ENUMERATOR(CS_ERR_TOO_MANY_GROUPS);
	ENUMERATOR(CS_ERR_SECURITY);
}

static void types(void)
{
	TYPE(cs_error_t);
	TYPE(cs_dispatch_flags_t);
	TYPE(cs_time_t);
	TYPE(cs_name_t);
	MEMBER(cs_name_t, length);
	MEMBER(cs_name_t, value);
	TYPE(cs_version_t);
	MEMBER(cs_version_t, releaseCode);
	MEMBER(cs_version_t, majorVersion);
	MEMBER(cs_version_t, minorVersion);

	TYPE(votequorum_handle_t);
	TYPE(struct votequorum_info);
	MEMBER(struct votequorum_info, node_id);
	MEMBER(struct votequorum_info, node_state);
	MEMBER(struct votequorum_info, node_votes);
	MEMBER(struct votequorum_info, node_expected_votes);
	MEMBER(struct votequorum_info, highest_expected);
	MEMBER(struct votequorum_info, total_votes);
	MEMBER(struct votequorum_info, quorum);
	MEMBER(struct votequorum_info, flags);
	MEMBER(struct votequorum_info, qdevice_votes);
	MEMBER(struct votequorum_info, qdevice_name);
	TYPE(votequorum_node_t);
	MEMBER(votequorum_node_t, nodeid);
	MEMBER(votequorum_node_t, state);
	TYPE(votequorum_ring_id_t);
	MEMBER(votequorum_ring_id_t, nodeid);
	MEMBER(votequorum_ring_id_t, seq);
	TYPE(votequorum_quorum_notification_fn_t);
	TYPE(votequorum_nodelist_notification_fn_t);
	TYPE(votequorum_expectedvotes_notification_fn_t);
	TYPE(votequorum_callbacks_t);
	MEMBER(votequorum_callbacks_t, votequorum_quorum_notify_fn);
	MEMBER(votequorum_callbacks_t, votequorum_expectedvotes_notify_fn);
	MEMBER(votequorum_callbacks_t, votequorum_nodelist_notify_fn);
}

int main(void)
{
	votequorum_constants();
	corotypes_constants();
	types();
	return 0;
}
