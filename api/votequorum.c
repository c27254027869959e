/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libvotequorum.so.8: the 16 functions of corosync's <corosync/votequorum.h>
 * (spec §1.4, §2). Each takes a counted handle reference for its duration.
 * Read-only calls never leave the process: getinfo reads the mapped
 * segment; the rest are one request to the engine (api/conn.c).
 */
#include <stdlib.h>
#include <string.h>

#include "lib_int.h"
#include "tally/ctl_proto.h"

#define VQ_EXPORT __attribute__((visibility("default")))

VQ_EXPORT cs_error_t votequorum_initialize(votequorum_handle_t *handle,
					   votequorum_callbacks_t *callbacks)
{
	struct vq_inst *inst;
	cs_error_t rc;

	if (handle == NULL)
		return CS_ERR_INVALID_PARAM;
	inst = calloc(1, sizeof(*inst));
	if (inst == NULL)
		return CS_ERR_NO_MEMORY;
	pthread_mutex_init(&inst->lock, NULL);
	pthread_mutex_init(&inst->req_lock, NULL);
	inst->q_tail = &inst->q_head;
	if (callbacks != NULL)
		inst->cb = *callbacks;
	rc = vq_handle_create(inst, handle);
	if (rc != CS_OK) {
		pthread_mutex_destroy(&inst->lock);
		pthread_mutex_destroy(&inst->req_lock);
		free(inst);
		return rc;
	}
	rc = vq_conn_open(inst);
	if (rc != CS_OK)
		vq_handle_destroy(*handle);	/* as corosync: *handle is written, then dead */
	return rc;
}

VQ_EXPORT cs_error_t votequorum_finalize(votequorum_handle_t handle)
{
	return vq_handle_destroy(handle);
}

VQ_EXPORT cs_error_t votequorum_dispatch(votequorum_handle_t handle,
					 cs_dispatch_flags_t dispatch_types)
{
	struct vq_inst *inst;
	cs_error_t rc;

	/* The type is checked before the handle, as corosync does. */
	if (dispatch_types != CS_DISPATCH_ONE && dispatch_types != CS_DISPATCH_ALL &&
	    dispatch_types != CS_DISPATCH_BLOCKING && dispatch_types != CS_DISPATCH_ONE_NONBLOCKING)
		return CS_ERR_INVALID_PARAM;
	inst = vq_handle_get(handle);
	if (inst == NULL)
		return CS_ERR_BAD_HANDLE;
	rc = vq_dispatch(inst, handle, dispatch_types);
	vq_handle_put(handle);
	return rc;
}

VQ_EXPORT cs_error_t votequorum_fd_get(votequorum_handle_t handle, int *fd)
{
	struct vq_inst *inst = vq_handle_get(handle);
	cs_error_t rc;

	if (inst == NULL)
		return CS_ERR_BAD_HANDLE;
	if (fd == NULL) {
		rc = CS_ERR_INVALID_PARAM;
	} else {
		pthread_mutex_lock(&inst->lock);
		rc = vq_conn_fd(inst, fd);
		pthread_mutex_unlock(&inst->lock);
	}
	vq_handle_put(handle);
	return rc;
}

VQ_EXPORT cs_error_t votequorum_getinfo(votequorum_handle_t handle, unsigned int nodeid,
					struct votequorum_info *info)
{
	struct vq_inst *inst = vq_handle_get(handle);
	cs_error_t rc;

	if (inst == NULL)
		return CS_ERR_BAD_HANDLE;
	if (info == NULL)
		rc = CS_ERR_INVALID_PARAM;
	else if (atomic_load(&inst->dead))
		rc = CS_ERR_LIBRARY;
	else
		rc = tally_shm_getinfo(&inst->rd, nodeid, info);	/* no syscall */
	vq_handle_put(handle);
	return rc;
}

/* One request on a counted reference. */
static cs_error_t request(votequorum_handle_t handle, void *req, size_t size)
{
	struct vq_inst *inst = vq_handle_get(handle);
	cs_error_t rc;

	if (inst == NULL)
		return CS_ERR_BAD_HANDLE;
	rc = vq_conn_request(inst, req, size);
	vq_handle_put(handle);
	return rc;
}

VQ_EXPORT cs_error_t votequorum_setexpected(votequorum_handle_t handle,
					    unsigned int expected_votes)
{
	struct tally_ctl_req_setexpected rq = { { TALLY_CTL_REQ_SETEXPECTED, 0 }, expected_votes, 0 };

	return request(handle, &rq, sizeof(rq));
}

VQ_EXPORT cs_error_t votequorum_setvotes(votequorum_handle_t handle, unsigned int nodeid,
					 unsigned int votes)
{
	struct tally_ctl_req_setvotes rq = { { TALLY_CTL_REQ_SETVOTES, 0 }, nodeid, votes };

	return request(handle, &rq, sizeof(rq));
}

VQ_EXPORT cs_error_t votequorum_trackstart(votequorum_handle_t handle, uint64_t context,
					   unsigned int flags)
{
	struct vq_inst *inst = vq_handle_get(handle);
	cs_error_t rc;

	if (inst == NULL)
		return CS_ERR_BAD_HANDLE;
	rc = atomic_load(&inst->dead) ? CS_ERR_LIBRARY : vq_track_start(inst, context, flags);
	vq_handle_put(handle);
	return rc;
}

VQ_EXPORT cs_error_t votequorum_trackstop(votequorum_handle_t handle)
{
	struct vq_inst *inst = vq_handle_get(handle);
	cs_error_t rc;

	if (inst == NULL)
		return CS_ERR_BAD_HANDLE;
	rc = atomic_load(&inst->dead) ? CS_ERR_LIBRARY : vq_track_stop(inst);
	vq_handle_put(handle);
	return rc;
}

VQ_EXPORT cs_error_t votequorum_context_get(votequorum_handle_t handle, void **context)
{
	struct vq_inst *inst = vq_handle_get(handle);

	if (inst == NULL)
		return CS_ERR_BAD_HANDLE;
	if (context != NULL)
		*context = inst->user_context;
	vq_handle_put(handle);
	return context != NULL ? CS_OK : CS_ERR_INVALID_PARAM;
}

VQ_EXPORT cs_error_t votequorum_context_set(votequorum_handle_t handle, void *context)
{
	struct vq_inst *inst = vq_handle_get(handle);

	if (inst == NULL)
		return CS_ERR_BAD_HANDLE;
	inst->user_context = context;
	vq_handle_put(handle);
	return CS_OK;
}

/* The library-side name check (spec §2.2): 1..254 characters. */
static cs_error_t put_name(char dst[VOTEQUORUM_QDEVICE_MAX_NAME_LEN], const char *name)
{
	size_t len = name != NULL ? strnlen(name, VOTEQUORUM_QDEVICE_MAX_NAME_LEN) : 0;

	if (len == 0 || len >= VOTEQUORUM_QDEVICE_MAX_NAME_LEN)
		return CS_ERR_INVALID_PARAM;
	memcpy(dst, name, len + 1);
	return CS_OK;
}

/* A request that starts with a name: zeroed, its id set, the name checked and copied. */
static cs_error_t named(void *rq, size_t size, int32_t id, char *field, const char *name)
{
	memset(rq, 0, size);
	((struct qb_ipc_request_header *)rq)->id = id;
	return put_name(field, name);
}

/* register, unregister: the same request body. */
static cs_error_t qdevice_name_request(votequorum_handle_t handle, int32_t id, const char *name)
{
	struct tally_ctl_req_qdevice rq;

	if (named(&rq, sizeof(rq), id, rq.name, name) != CS_OK)
		return CS_ERR_INVALID_PARAM;
	return request(handle, &rq, sizeof(rq));
}

VQ_EXPORT cs_error_t votequorum_qdevice_register(votequorum_handle_t handle, const char *name)
{
	return qdevice_name_request(handle, TALLY_CTL_REQ_QDEVICE_REGISTER, name);
}

VQ_EXPORT cs_error_t votequorum_qdevice_unregister(votequorum_handle_t handle, const char *name)
{
	return qdevice_name_request(handle, TALLY_CTL_REQ_QDEVICE_UNREGISTER, name);
}

VQ_EXPORT cs_error_t votequorum_qdevice_update(votequorum_handle_t handle, const char *oldname,
					       const char *newname)
{
	struct tally_ctl_req_qdevice_update rq;

	if (named(&rq, sizeof(rq), TALLY_CTL_REQ_QDEVICE_UPDATE, rq.oldname, oldname) != CS_OK ||
	    put_name(rq.newname, newname) != CS_OK)
		return CS_ERR_INVALID_PARAM;
	return request(handle, &rq, sizeof(rq));
}

VQ_EXPORT cs_error_t votequorum_qdevice_poll(votequorum_handle_t handle, const char *name,
					     unsigned int cast_vote, votequorum_ring_id_t ring_id)
{
	struct tally_ctl_req_qdevice_poll rq;

	if (named(&rq, sizeof(rq), TALLY_CTL_REQ_QDEVICE_POLL, rq.name, name) != CS_OK)
		return CS_ERR_INVALID_PARAM;
	rq.cast_vote = cast_vote;
	rq.ring_nodeid = ring_id.nodeid;
	rq.ring_seq = ring_id.seq;
	return request(handle, &rq, sizeof(rq));
}

VQ_EXPORT cs_error_t votequorum_qdevice_master_wins(votequorum_handle_t handle, const char *name,
						    unsigned int allow)
{
	struct tally_ctl_req_qdevice_master_wins rq;

	if (named(&rq, sizeof(rq), TALLY_CTL_REQ_QDEVICE_MASTER_WINS, rq.name, name) != CS_OK)
		return CS_ERR_INVALID_PARAM;
	rq.allow = allow;
	return request(handle, &rq, sizeof(rq));
}
