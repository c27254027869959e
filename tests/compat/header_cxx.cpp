// SPDX-License-Identifier: BSD-3-Clause
// The public headers compile as C++ and their types are usable from it.
#include <corosync/votequorum.h>
#include <corosync/corotypes.h>

#include <cinttypes>
#include <cstdio>
#include <type_traits>

static void on_quorum(votequorum_handle_t, uint64_t, uint32_t, uint32_t, votequorum_node_t[])
{
}

int main()
{
	votequorum_callbacks_t cb = {};
	struct votequorum_info info = {};
	votequorum_ring_id_t ring = { 1, 0x1d };
	// decltype does not use the function, so no library is needed to link this.
	static_assert(std::is_same<decltype(&votequorum_qdevice_poll),
				   cs_error_t (*)(votequorum_handle_t, const char *, unsigned int,
						  votequorum_ring_id_t)>::value,
		      "qdevice_poll prototype");

	cb.votequorum_quorum_notify_fn = on_quorum;
	static_assert(sizeof(struct votequorum_info) == 292, "votequorum_info size");
	static_assert(sizeof(votequorum_ring_id_t) == 16, "ring id size");
	static_assert(CS_OK == 1, "CS_OK");
	std::printf("ring " CS_PRI_RING_ID " info %zu cb %p\n", ring.nodeid, ring.seq,
		    sizeof(info), reinterpret_cast<void *>(cb.votequorum_quorum_notify_fn));
	return 0;
}
