// SPDX-License-Identifier: BSD-3-Clause
//
// The public headers from C++17: they compile, their types are usable, the
// prototypes have C linkage (every call below must resolve to the C
// definitions in cxx_stubs.c, or the test does not link), and structs pass
// by value between C and C++ in both directions.
#include <corosync/votequorum.h>
#include <corosync/corotypes.h> // second include: the guard must hold

#include <cinttypes>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "cxx_stubs.h"

#define SAME_TYPE(fn, type) \
	static_assert(std::is_same<decltype(&fn), type>::value, #fn " prototype")

SAME_TYPE(votequorum_initialize, cs_error_t (*)(votequorum_handle_t *, votequorum_callbacks_t *));
SAME_TYPE(votequorum_finalize, cs_error_t (*)(votequorum_handle_t));
SAME_TYPE(votequorum_dispatch, cs_error_t (*)(votequorum_handle_t, cs_dispatch_flags_t));
SAME_TYPE(votequorum_fd_get, cs_error_t (*)(votequorum_handle_t, int *));
SAME_TYPE(votequorum_getinfo,
	  cs_error_t (*)(votequorum_handle_t, unsigned int, struct votequorum_info *));
SAME_TYPE(votequorum_setexpected, cs_error_t (*)(votequorum_handle_t, unsigned int));
SAME_TYPE(votequorum_setvotes, cs_error_t (*)(votequorum_handle_t, unsigned int, unsigned int));
SAME_TYPE(votequorum_trackstart, cs_error_t (*)(votequorum_handle_t, uint64_t, unsigned int));
SAME_TYPE(votequorum_trackstop, cs_error_t (*)(votequorum_handle_t));
SAME_TYPE(votequorum_context_get, cs_error_t (*)(votequorum_handle_t, void **));
SAME_TYPE(votequorum_context_set, cs_error_t (*)(votequorum_handle_t, void *));
SAME_TYPE(votequorum_qdevice_register, cs_error_t (*)(votequorum_handle_t, const char *));
SAME_TYPE(votequorum_qdevice_unregister, cs_error_t (*)(votequorum_handle_t, const char *));
SAME_TYPE(votequorum_qdevice_update,
	  cs_error_t (*)(votequorum_handle_t, const char *, const char *));
SAME_TYPE(votequorum_qdevice_poll,
	  cs_error_t (*)(votequorum_handle_t, const char *, unsigned int, votequorum_ring_id_t));
SAME_TYPE(votequorum_qdevice_master_wins,
	  cs_error_t (*)(votequorum_handle_t, const char *, unsigned int));
SAME_TYPE(qb_to_cs_error, cs_error_t (*)(int));
SAME_TYPE(cs_strerror, const char *(*)(cs_error_t));
SAME_TYPE(hdb_error_to_cs, cs_error_t (*)(int));
SAME_TYPE(cs_timestamp_get, uint64_t (*)());

static_assert(std::is_same<votequorum_handle_t, uint64_t>::value, "handle type");
static_assert(std::is_same<cs_time_t, int64_t>::value, "cs_time_t");
static_assert(std::is_standard_layout<struct votequorum_info>::value, "info is C layout");
static_assert(sizeof(struct votequorum_info) == 292, "votequorum_info size");
static_assert(offsetof(struct votequorum_info, qdevice_name) == 36, "qdevice_name offset");
static_assert(sizeof(votequorum_node_t) == 8, "node size");
static_assert(sizeof(votequorum_ring_id_t) == 16 && offsetof(votequorum_ring_id_t, seq) == 8,
	      "ring id layout");
static_assert(offsetof(votequorum_callbacks_t, votequorum_expectedvotes_notify_fn) ==
	      sizeof(void (*)()), "callbacks order");
static_assert(sizeof(cs_error_t) == 4 && sizeof(cs_dispatch_flags_t) == 4, "enum sizes");
static_assert(CS_OK == 1 && CS_ERR_SECURITY == 100, "cs_error_t values");
// CS_TRUE is an unparenthesised "!0" in corosync too, hence the brackets.
static_assert((CS_TRUE) == 1 && CS_FALSE == 0, "truth values");
static_assert(CS_IPC_TIMEOUT_MS == -1, "IPC timeout");
static_assert(VOTEQUORUM_QDEVICE_MAX_NAME_LEN == 255, "name length");
static_assert((CS_TRACK_CURRENT | CS_TRACK_CHANGES | CS_TRACK_CHANGES_ONLY) == 7, "track flags");

static int failures;

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
			failures++;						\
		}								\
	} while (0)

static unsigned int seen_quorate, seen_expected, seen_members;
static votequorum_ring_id_t seen_ring;

static void on_quorum(votequorum_handle_t handle, uint64_t context, uint32_t quorate,
		      uint32_t node_list_entries, votequorum_node_t node_list[])
{
	CHECK(handle == STUB_HANDLE && context == STUB_CONTEXT);
	CHECK(node_list_entries == 3 && node_list[1].nodeid == 3 &&
	      node_list[1].state == VOTEQUORUM_NODESTATE_DEAD);
	seen_quorate = quorate;
}

static void on_nodelist(votequorum_handle_t handle, uint64_t context, votequorum_ring_id_t ring_id,
			uint32_t node_list_entries, uint32_t node_list[])
{
	CHECK(handle == STUB_HANDLE && context == STUB_CONTEXT);
	seen_ring = ring_id;
	seen_members = node_list_entries == 2 ? node_list[0] + node_list[1] : 0;
}

static void on_expectedvotes(votequorum_handle_t handle, uint64_t context, uint32_t expected_votes)
{
	CHECK(handle == STUB_HANDLE && context == STUB_CONTEXT);
	seen_expected = expected_votes;
}

static bool last_was(const char *fn)
{
	return stub_last.fn && std::strcmp(stub_last.fn, fn) == 0;
}

int main()
{
	votequorum_callbacks_t callbacks = {};
	votequorum_handle_t handle = 0;
	struct votequorum_info info = {};
	votequorum_ring_id_t ring = { 7, 0x11 };
	void *context = nullptr;
	int fd = -1;
	char buf[64];

	callbacks.votequorum_quorum_notify_fn = on_quorum;
	callbacks.votequorum_expectedvotes_notify_fn = on_expectedvotes;
	callbacks.votequorum_nodelist_notify_fn = on_nodelist;

	CHECK(votequorum_initialize(&handle, &callbacks) == CS_OK && handle == STUB_HANDLE);
	CHECK(votequorum_fd_get(handle, &fd) == CS_OK && fd == 42);
	CHECK(votequorum_context_set(handle, &info) == CS_OK);
	CHECK(votequorum_context_get(handle, &context) == CS_OK && context == &info);
	CHECK(votequorum_trackstart(handle, STUB_CONTEXT, CS_TRACK_CURRENT | CS_TRACK_CHANGES) ==
	      CS_OK && stub_last.u64 == STUB_CONTEXT && stub_last.u1 == 3);

	cs_dispatch_flags_t how = CS_DISPATCH_ALL;
	CHECK(votequorum_dispatch(handle, how) == CS_OK);
	CHECK(seen_ring.nodeid == 1 && seen_ring.seq == 0x1d && seen_members == 3);
	CHECK(seen_expected == 3 && seen_quorate == 1);

	CHECK(votequorum_getinfo(handle, VOTEQUORUM_QDEVICE_NODEID, &info) == CS_OK);
	CHECK((info.flags & VOTEQUORUM_INFO_QUORATE) &&
	      std::strcmp(info.qdevice_name, "Qdevice") == 0);
	CHECK(votequorum_setexpected(handle, 5) == CS_OK && stub_last.u1 == 5);
	CHECK(votequorum_setvotes(handle, 2, 3) == CS_OK && stub_last.u1 == 2 && stub_last.u2 == 3);
	CHECK(votequorum_qdevice_register(handle, "Qdevice") == CS_OK &&
	      last_was("votequorum_qdevice_register"));
	CHECK(votequorum_qdevice_update(handle, "Qdevice", "Q2") == CS_OK &&
	      std::strcmp(stub_last.name2, "Q2") == 0);
	CHECK(votequorum_qdevice_poll(handle, "Q2", CS_TRUE, ring) == CS_OK &&
	      stub_last.u1 == 1 && stub_last.u2 == 7 && stub_last.u64 == 0x11);
	CHECK(votequorum_qdevice_master_wins(handle, "Q2", CS_FALSE) == CS_OK && stub_last.u1 == 0);
	CHECK(votequorum_qdevice_unregister(handle, "Q2") == CS_OK &&
	      last_was("votequorum_qdevice_unregister"));
	CHECK(votequorum_trackstop(handle) == CS_OK && last_was("votequorum_trackstop"));
	CHECK(votequorum_finalize(handle) == CS_OK && last_was("votequorum_finalize"));

	cs_error_t err = qb_to_cs_error(-EAGAIN);
	CHECK(err == CS_ERR_LIBRARY && last_was("qb_to_cs_error"));
	CHECK(std::strcmp(cs_strerror(CS_OK), "success") == 0);
	CHECK(hdb_error_to_cs(0) == CS_OK);

	cs_name_t name = {};
	cs_version_t version = { 'Y', 3, 1 };
	name.length = sizeof(name.value);
	std::snprintf(buf, sizeof(buf), "node " CS_PRI_NODE_ID " ring " CS_PRI_RING_ID,
		      ring.nodeid, ring.nodeid, ring.seq);
	CHECK(std::strcmp(buf, "node 7 ring 7.11") == 0);
	CHECK(name.length == CS_MAX_NAME_LENGTH && version.majorVersion == 3);
	CHECK(CS_MAX(cs_timestamp_get(), uint64_t{1}) >= 1);

	std::printf("%s: %s\n", failures ? "FAIL" : "ok", buf);
	return failures ? 1 : 0;
}
