/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control IPC server (libqb qb_ipcs, protocol in tally/ctl_proto.h),
 * run by a libqb main loop on the daemon's control thread. It applies the
 * calls that change state (setexpected, setvotes, qdevice_*) to the node and
 * answers with corosync's cs_error_t once the node applied them locally;
 * qdevice_register is answered when its message is delivered. It also hands
 * the library the segment's name at initialize and sends a wake event to
 * clients that watch the event log through votequorum_fd_get.
 *
 * Authorization as corosync: root, plus the uids and gids of the
 * `uidgid { uid: ... gid: ... }` configuration; everybody else is refused at
 * connect time. A qdevice registration outlives its connection.
 */
#ifndef TALLY_CTL_H
#define TALLY_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <qb/qbloop.h>

#include <corosync/votequorum.h>

#include "ctl/op.h"
#include "tally/ctl_proto.h"

struct tally_cmap;
struct tally_node;
struct tally_ctl;

#define TALLY_CTL_ACL_MAX 64

struct tally_ctl_acl {
	uid_t uids[TALLY_CTL_ACL_MAX];
	size_t n_uids;
	gid_t gids[TALLY_CTL_ACL_MAX];
	size_t n_gids;
};

/*
 * The ACL from a map's uidgid.uid.<user> and uidgid.gid.<group> keys (names
 * or numbers; names are looked up in the passwd/group databases). 0,
 * -ENOENT naming an unknown user or group in err, -E2BIG for too many.
 */
int tally_ctl_acl_from_cmap(const struct tally_cmap *map, struct tally_ctl_acl *acl, char *err,
			    size_t errlen);

/*
 * Create, size and map the shared-memory segment `name` (size must be
 * TALLY_SHM_SEGMENT_SIZE): two files that must not exist, `name` for the
 * engine's part, mode 0400 (0440 with the first uidgid group), and `name`
 * TALLY_SHM_CLIENTS_SUFFIX for the client area, 0600 (0660): exactly the
 * users the control socket lets in can read the segment, and write only the
 * client area. NULL with a message.
 */
void *tally_ctl_segment_create(const char *name, const struct tally_ctl_acl *acl, size_t size,
			       char *err, size_t errlen);
void tally_ctl_segment_destroy(const char *name, void *segment, size_t size);
/*
 * A client may ftruncate the client area's file: the SIGBUS that the next
 * touch raises (in the engine or the control thread) restores the file's
 * size instead of killing the process. How often the size was restored, by
 * that or by tally_ctl_segment_repair, process-wide.
 */
uint64_t tally_ctl_segment_restores(void);
/* The client area's file (`clients_fd`) back to its size if a client shortened it (counted). */
bool tally_ctl_segment_repair(int clients_fd);

struct tally_ctl_cfg {
	const char *service;	/**< tally_ctl_service_name() */
	const char *shm_name;	/**< what clients shm_open(); must exist (the ring writes to it) */
	uint64_t segment_size;
	uint64_t engine_incarnation;
	void *segment;		/**< the node's segment, writable (waiter count) */
	struct tally_ctl_acl acl;
};

struct tally_ctl_exec {
	/*
	 * Take a copy of op and apply it (tally_ctl_op_apply) where the node
	 * lives; the answer comes through tally_ctl_reply, possibly inside
	 * this call. false: it cannot be taken now (the client gets
	 * CS_ERR_TRY_AGAIN).
	 */
	bool (*submit)(void *ctx, const struct tally_ctl_op *op);
	/* Optional: the engine's status as text (key: value lines), for TALLY_CTL_REQ_STATUS. */
	size_t (*status)(void *ctx, char *buf, size_t len);
	void *ctx;
};

/* Start serving on `loop`. NULL with errno set (EADDRINUSE: the name is taken). */
struct tally_ctl *tally_ctl_create(const struct tally_ctl_cfg *cfg,
				   const struct tally_ctl_exec *exec, qb_loop_t *loop);
void tally_ctl_destroy(struct tally_ctl *ctl);

/* Wire these to tally_node_ops: */
/* The event log moved (any thread): wake the watching clients from the loop. */
void tally_ctl_kick(struct tally_ctl *ctl);
/* Events were appended (the node's thread): ring the clients asleep in poll(). */
void tally_ctl_ring(struct tally_ctl *ctl);
/* An op was applied: answer its client (loop thread; no-op if it left). */
void tally_ctl_reply(struct tally_ctl *ctl, uint64_t token, cs_error_t result);

/* The clock the control thread hands to the node (CLOCK_MONOTONIC, ms). */
uint64_t tally_ctl_now_ms(void);

/* Requests refused as malformed since creation (for stats and tests). */
uint64_t tally_ctl_malformed(const struct tally_ctl *ctl);

#endif
