/* SPDX-License-Identifier: BSD-3-Clause */
/* libvotequorum internals shared by the api/ sources (nothing here is exported). */
#ifndef TALLY_API_LIB_INT_H
#define TALLY_API_LIB_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qb/qbipcc.h>

#include <corosync/votequorum.h>

#include "shm/shm.h"

/* Largest event payload (a quorum list of every record plus the device). */
#define VQ_EVENT_MAX \
	(sizeof(struct tally_shm_ev_quorum) + (TALLY_SHM_MAX_NODES + 1) * sizeof(votequorum_node_t))

/* A notification queued by the library itself (trackstart CURRENT, resync). */
struct vq_queued {
	struct vq_queued *next;
	uint64_t at_seq;	/**< deliver once the log is read up to this seq */
	uint64_t context;
	uint32_t type;		/**< enum tally_shm_event_type */
	uint32_t len;
	uint8_t payload[];
};

struct vq_inst {
	qb_ipcc_connection_t *conn;
	pthread_mutex_t req_lock;	/**< one request/response at a time */
	pthread_mutex_t lock;		/**< everything below */
	atomic_bool dead;		/**< the engine went away */
	atomic_bool finalizing;

	uint8_t *seg;
	size_t seg_size;
	int shm_fd;		/**< the segment's clients file, for the ring's inotify watch */
	struct tally_shm_reader rd;
	struct tally_shm_clients *clients;	/**< the client area, our writable mapping */
	/* Our slot there (NULL, TALLY_SHM_CLIENTS: the engine gave none). */
	struct tally_shm_client *slot;
	uint32_t slot_index;
	uint32_t resyncs;
	TALLY_SHM_ATOMIC(uint32_t) futex_sleeping;	/**< our threads asleep on the slot */

	votequorum_callbacks_t cb;
	void *user_context;
	bool tracking;
	uint64_t track_context;
	struct vq_queued *q_head, **q_tail;

	/* votequorum_fd_get: an epoll set of the engine's event socket and local_fd. */
	int epoll_fd;
	int event_fd;		/**< libqb's; readable on a wake event or hang-up */
	int local_fd;		/**< eventfd: set while q_head is not empty */
	bool local_set;
	int ring_fd;		/**< inotify on the segment: the engine rings it; -1: use WATCH */
	bool watch_armed;
	uint64_t last_check_ns;
};

/* api/error.c: libqb / handle-table errno values -> cs_error_t (spec §1.2). */
cs_error_t tally_errno_to_cs(int err);

/* api/handle.c: a reference-counted handle database with generation counters. */
cs_error_t vq_handle_create(struct vq_inst *inst, votequorum_handle_t *handle);
/* A counted reference, or NULL for a stale, unknown or finalizing handle. */
struct vq_inst *vq_handle_get(votequorum_handle_t handle);
void vq_handle_put(votequorum_handle_t handle);
/* Mark finalizing and drop the creation reference. BAD_HANDLE the second time. */
cs_error_t vq_handle_destroy(votequorum_handle_t handle);

/* api/conn.c: the engine connection and the mapped segment. */
cs_error_t vq_conn_open(struct vq_inst *inst);
void vq_conn_close(struct vq_inst *inst);
/* One request, its cs_error_t reply; LIBRARY when the engine is gone. */
cs_error_t vq_conn_request(struct vq_inst *inst, void *req, size_t size);
/* Drain wake events; false when the engine is gone. Nothing else pending. */
bool vq_conn_check(struct vq_inst *inst);
/*
 * About to return with nothing pending (fd users): make the descriptor
 * readable on the next event, by the engine's ring (our sleeper bit) or,
 * without a slot, a WATCH request. LIBRARY when the engine is gone.
 */
cs_error_t vq_conn_arm(struct vq_inst *inst);
/* Our read cursor, tracking and resyncs into our slot (tally-stat). No syscall. */
void vq_conn_report(struct vq_inst *inst);
cs_error_t vq_conn_fd(struct vq_inst *inst, int *fd);
/* Wake this handle's sleeping dispatch (finalize). */
void vq_conn_interrupt(struct vq_inst *inst);
/* Keep the fd_get descriptor readable exactly while queued notifications wait. */
void vq_conn_local_ready(struct vq_inst *inst, bool ready);

/* api/track.c: tracking and dispatch. */
cs_error_t vq_track_start(struct vq_inst *inst, uint64_t context, unsigned int flags);
cs_error_t vq_track_stop(struct vq_inst *inst);
cs_error_t vq_dispatch(struct vq_inst *inst, votequorum_handle_t handle, cs_dispatch_flags_t type);
void vq_track_clear(struct vq_inst *inst);

#endif
