/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The votequorum service of one node, as a pure state machine (spec §3–§5).
 *
 * Inputs: configuration, membership changes (the sync protocol of spec §3.8),
 * messages delivered in agreed order, local API requests, and the passing of
 * time (`now` in milliseconds, monotonic, supplied by the caller).
 * Outputs go through struct tally_quorum_ops: messages to multicast to the
 * current view (delivered back to every member, us included, in one total
 * order), notifications for trackers, deferred API replies, and the
 * expected-votes-tracking barrier to persist. Nothing here reads a clock,
 * touches a file or a socket, or keeps global state; one struct per node, so
 * a simulator runs a thousand of them in one process.
 */
#ifndef TALLY_CORE_QUORUM_H
#define TALLY_CORE_QUORUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <corosync/votequorum.h>

#include "config/votequorum_cfg.h"

struct tally_cmap;
struct tally_quorum;

/* Node flags exchanged between daemons (spec §3.1; not the API's INFO bits). */
#define TALLY_QFLAG_QUORATE 0x01u
#define TALLY_QFLAG_LEAVING 0x02u
#define TALLY_QFLAG_WFASTATUS 0x04u
#define TALLY_QFLAG_FIRST 0x08u
#define TALLY_QFLAG_QDEVICE_REGISTERED 0x10u
#define TALLY_QFLAG_QDEVICE_ALIVE 0x20u
#define TALLY_QFLAG_QDEVICE_CAST_VOTE 0x40u
#define TALLY_QFLAG_QDEVICE_MASTER_WINS 0x80u

/* Parameters of a RECONFIGURE message. */
enum tally_qreconf_param {
	TALLY_QRECONF_EXPECTED_VOTES = 1,
	TALLY_QRECONF_NODE_VOTES = 2,
	TALLY_QRECONF_CANCEL_WFA = 3,
};

enum tally_qmsg_type {
	TALLY_QMSG_NODEINFO = 0,
	TALLY_QMSG_RECONFIGURE = 1,
	TALLY_QMSG_QDEVICE_REG = 2,
	TALLY_QMSG_QDEVICE_RECONFIGURE = 3,
};

enum tally_qdevice_op {
	TALLY_QDEVICE_OP_UNREGISTER = 0,
	TALLY_QDEVICE_OP_REGISTER = 1,
};

/* A votequorum message between daemons (spec §3.9). */
struct tally_qmsg {
	enum tally_qmsg_type type;
	union {
		struct {
			uint32_t nodeid;	/**< 0: the quorum-device pseudo node */
			uint32_t votes;
			uint32_t expected_votes;
			uint32_t flags;
		} nodeinfo;
		struct {
			uint32_t nodeid;
			uint32_t value;
			enum tally_qreconf_param param;
		} reconfigure;
		struct {
			enum tally_qdevice_op op;
			char name[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
		} qdevice_reg;
		struct {
			char oldname[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
			char newname[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
		} qdevice_reconfigure;
	};
};

enum tally_qnotify_type {
	TALLY_QNOTIFY_NODELIST,
	TALLY_QNOTIFY_QUORUM,
	TALLY_QNOTIFY_EXPECTEDVOTES,
};

/* A notification for every tracker; pointers are valid during the call only. */
struct tally_qnotify {
	enum tally_qnotify_type type;
	union {
		struct {
			votequorum_ring_id_t ring_id;
			uint32_t n_members;
			const uint32_t *members;
		} nodelist;
		struct {
			uint32_t quorate;
			uint32_t n_nodes;
			const votequorum_node_t *nodes;
		} quorum;
		struct {
			uint32_t expected_votes;
		} expectedvotes;
	};
};

enum tally_qlog_level {
	TALLY_QLOG_CRIT,
	TALLY_QLOG_WARNING,
	TALLY_QLOG_NOTICE,
	TALLY_QLOG_INFO,
	TALLY_QLOG_DEBUG,
};

struct tally_quorum_ops {
	/* Multicast to the current view in agreed order (us included). */
	void (*send)(void *ctx, const struct tally_qmsg *msg);
	/* A notification for all registered trackers. */
	void (*notify)(void *ctx, const struct tally_qnotify *n);
	/* A deferred API call (qdevice_register) completed. */
	void (*reply)(void *ctx, uint64_t token, cs_error_t result);
	/* The expected-votes-tracking barrier rose: store it durably. */
	void (*persist_ev_barrier)(void *ctx, uint32_t barrier);
	void (*log)(void *ctx, enum tally_qlog_level level, const char *text);
};

/*
 * Create the service for node `nodeid` from `map` (spec §3.3). `ev_barrier`
 * is the value read from the expected-votes-tracking file (0 if absent).
 * `max_nodes` bounds the node table (DEAD records are reused beyond it).
 * NULL on error with errno set; for a configuration error (EINVAL) `err`
 * holds corosync's message.
 */
struct tally_quorum *tally_quorum_create(uint32_t nodeid, const struct tally_cmap *map,
					 uint32_t ev_barrier, uint32_t max_nodes,
					 const struct tally_quorum_ops *ops, void *ops_ctx,
					 char *err, size_t errlen);
void tally_quorum_destroy(struct tally_quorum *q);

/* Runtime reload after `map` changed (corosync-cmapctl -s/-d on quorum.* or nodelist.*). */
void tally_quorum_reload(struct tally_quorum *q, const struct tally_cmap *map, uint64_t now);

/* Membership: one sync round (spec §3.8). `members` is in totem order. */
void tally_quorum_sync_init(struct tally_quorum *q, const votequorum_ring_id_t *ring,
			    const uint32_t *members, size_t n_members, uint64_t now);
/* true when done; false while waiting for the quorum device's poll. */
bool tally_quorum_sync_process(struct tally_quorum *q);
void tally_quorum_sync_activate(struct tally_quorum *q);

/* A message delivered in agreed order. */
void tally_quorum_deliver(struct tally_quorum *q, uint32_t sender, const struct tally_qmsg *msg,
			  uint64_t now);

/* Timers: the earliest deadline (UINT64_MAX if none) and firing them. */
uint64_t tally_quorum_next_deadline(const struct tally_quorum *q);
void tally_quorum_expire(struct tally_quorum *q, uint64_t now);

/* Clean shutdown: with allow_downscale, announce LEAVING (spec §3.11.5). */
void tally_quorum_leave(struct tally_quorum *q);

/* API requests of the local node (spec §2.2). */
cs_error_t tally_quorum_getinfo(const struct tally_quorum *q, uint32_t nodeid,
				struct votequorum_info *info);
cs_error_t tally_quorum_setexpected(struct tally_quorum *q, uint32_t expected_votes);
cs_error_t tally_quorum_setvotes(struct tally_quorum *q, uint32_t nodeid, uint32_t votes);
void tally_quorum_cancel_wait_for_all(struct tally_quorum *q);
/*
 * Registration completes when its message is delivered: *pending is set and
 * the result arrives through ops->reply(token). Otherwise the result is final.
 */
cs_error_t tally_quorum_qdevice_register(struct tally_quorum *q, const char *name,
					 uint64_t token, bool *pending);
cs_error_t tally_quorum_qdevice_unregister(struct tally_quorum *q, const char *name);
cs_error_t tally_quorum_qdevice_update(struct tally_quorum *q, const char *oldname,
				       const char *newname);
cs_error_t tally_quorum_qdevice_poll(struct tally_quorum *q, const char *name,
				     uint32_t cast_vote, const votequorum_ring_id_t *ring,
				     uint64_t now);
cs_error_t tally_quorum_qdevice_master_wins(struct tally_quorum *q, const char *name,
					    uint32_t allow);

/* Library-side name check shared by every qdevice call: INVALID_PARAM or OK. */
cs_error_t tally_qdevice_name_check(const char *name);

/* The current nodelist and quorum notifications (trackstart CURRENT/CHANGES). */
void tally_quorum_emit_current(const struct tally_quorum *q,
			       void (*sink)(void *ctx, const struct tally_qnotify *n), void *ctx);

struct tally_shm_snapshot;
/* Everything getinfo needs, for the publication segment (tally/shm_layout.h). */
void tally_quorum_snapshot(const struct tally_quorum *q, struct tally_shm_snapshot *out);

/* Read-only state for tools and tests. */
bool tally_quorum_is_quorate(const struct tally_quorum *q);
votequorum_ring_id_t tally_quorum_ring_id(const struct tally_quorum *q);
size_t tally_quorum_members(const struct tally_quorum *q, const uint32_t **members);
bool tally_quorum_in_sync(const struct tally_quorum *q);
uint32_t tally_quorum_ev_barrier(const struct tally_quorum *q);
/* Self-check: the incrementally kept member tally equals a fresh count. */
bool tally_quorum_tally_consistent(const struct tally_quorum *q);

#endif
