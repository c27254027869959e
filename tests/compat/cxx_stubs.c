/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * C definitions of every function the two headers declare, linked into the
 * header-cxx test instead of the real libraries. header_cxx.cpp calls them
 * all: if a header lost its extern "C" block, the C++ side would ask for
 * mangled names and the test would not link. The stubs also hand structs
 * by value across the language boundary in both directions, and call the
 * C++ callbacks the way the library's dispatch would.
 */
#include <corosync/votequorum.h>

#include <string.h>

#include "cxx_stubs.h"

struct stub_record stub_last;

static votequorum_callbacks_t stub_callbacks;
static void *stub_context;

static cs_error_t record(const char *fn, votequorum_handle_t handle)
{
	stub_last.fn = fn;
	stub_last.handle = handle;
	return CS_OK;
}

cs_error_t votequorum_initialize(votequorum_handle_t *handle, votequorum_callbacks_t *callbacks)
{
	*handle = STUB_HANDLE;
	if (callbacks)
		stub_callbacks = *callbacks;
	else
		memset(&stub_callbacks, 0, sizeof(stub_callbacks));
	return record(__func__, *handle);
}

cs_error_t votequorum_finalize(votequorum_handle_t handle)
{
	return record(__func__, handle);
}

/* Delivers one of each notification, in the order a membership change does. */
cs_error_t votequorum_dispatch(votequorum_handle_t handle, cs_dispatch_flags_t dispatch_types)
{
	votequorum_ring_id_t ring = { .nodeid = 1, .seq = 0x1d };
	uint32_t members[] = { 1, 2 };
	votequorum_node_t nodes[] = {
		{ .nodeid = 2, .state = VOTEQUORUM_NODESTATE_MEMBER },
		{ .nodeid = 3, .state = VOTEQUORUM_NODESTATE_DEAD },
		{ .nodeid = 1, .state = VOTEQUORUM_NODESTATE_MEMBER },
	};

	if (dispatch_types != CS_DISPATCH_ALL)
		return CS_ERR_INVALID_PARAM;
	if (stub_callbacks.votequorum_nodelist_notify_fn)
		stub_callbacks.votequorum_nodelist_notify_fn(handle, STUB_CONTEXT, ring,
							     2, members);
	if (stub_callbacks.votequorum_expectedvotes_notify_fn)
		stub_callbacks.votequorum_expectedvotes_notify_fn(handle, STUB_CONTEXT, 3);
	if (stub_callbacks.votequorum_quorum_notify_fn)
		stub_callbacks.votequorum_quorum_notify_fn(handle, STUB_CONTEXT, 1, 3, nodes);
	return record(__func__, handle);
}

cs_error_t votequorum_fd_get(votequorum_handle_t handle, int *fd)
{
	*fd = 42;
	return record(__func__, handle);
}

cs_error_t votequorum_getinfo(votequorum_handle_t handle, unsigned int nodeid,
			      struct votequorum_info *info)
{
	memset(info, 0, sizeof(*info));
	info->node_id = nodeid;
	info->node_state = VOTEQUORUM_NODESTATE_MEMBER;
	info->flags = VOTEQUORUM_INFO_QUORATE | VOTEQUORUM_INFO_QDEVICE_REGISTERED;
	strcpy(info->qdevice_name, "Qdevice");
	stub_last.u1 = nodeid;
	return record(__func__, handle);
}

cs_error_t votequorum_setexpected(votequorum_handle_t handle, unsigned int expected_votes)
{
	stub_last.u1 = expected_votes;
	return record(__func__, handle);
}

cs_error_t votequorum_setvotes(votequorum_handle_t handle, unsigned int nodeid,
			       unsigned int votes)
{
	stub_last.u1 = nodeid;
	stub_last.u2 = votes;
	return record(__func__, handle);
}

cs_error_t votequorum_trackstart(votequorum_handle_t handle, uint64_t context,
				 unsigned int flags)
{
	stub_last.u64 = context;
	stub_last.u1 = flags;
	return record(__func__, handle);
}

cs_error_t votequorum_trackstop(votequorum_handle_t handle)
{
	return record(__func__, handle);
}

cs_error_t votequorum_context_get(votequorum_handle_t handle, void **context)
{
	*context = stub_context;
	return record(__func__, handle);
}

cs_error_t votequorum_context_set(votequorum_handle_t handle, void *context)
{
	stub_context = context;
	return record(__func__, handle);
}

cs_error_t votequorum_qdevice_register(votequorum_handle_t handle, const char *name)
{
	stub_last.name = name;
	return record(__func__, handle);
}

cs_error_t votequorum_qdevice_unregister(votequorum_handle_t handle, const char *name)
{
	stub_last.name = name;
	return record(__func__, handle);
}

cs_error_t votequorum_qdevice_update(votequorum_handle_t handle, const char *oldname,
				     const char *newname)
{
	stub_last.name = oldname;
	stub_last.name2 = newname;
	return record(__func__, handle);
}

cs_error_t votequorum_qdevice_poll(votequorum_handle_t handle, const char *name,
				   unsigned int cast_vote, votequorum_ring_id_t ring_id)
{
	stub_last.name = name;
	stub_last.u1 = cast_vote;
	stub_last.u2 = ring_id.nodeid;
	stub_last.u64 = ring_id.seq;
	return record(__func__, handle);
}

cs_error_t votequorum_qdevice_master_wins(votequorum_handle_t handle, const char *name,
					  unsigned int allow)
{
	stub_last.name = name;
	stub_last.u1 = allow;
	return record(__func__, handle);
}

cs_error_t qb_to_cs_error(int result)
{
	stub_last.fn = __func__;
	return result >= 0 ? CS_OK : CS_ERR_LIBRARY;
}

const char *cs_strerror(cs_error_t err)
{
	stub_last.fn = __func__;
	return err == CS_OK ? "success" : "failure";
}

cs_error_t hdb_error_to_cs(int res)
{
	stub_last.fn = __func__;
	return res == 0 ? CS_OK : CS_ERR_BAD_HANDLE;
}
