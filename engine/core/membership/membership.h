/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cluster membership of one node, as a pure state machine
 * (docs/design/membership.md): failure detection from heartbeats, agreed
 * views with ring ids, and one total order of quorum messages per view with
 * a sync barrier — the contract the quorum core expects from corosync's
 * totem + sync (engine/core/quorum/quorum.h).
 *
 * Inputs: frames received (already authenticated and decoded), the passing
 * of time (`now` in microseconds, monotonic, supplied by the caller), quorum
 * messages to order, a clean leave. Outputs go through struct tally_mb_ops.
 * No clock, no I/O, no globals: the simulator runs a thousand of them in one
 * process and tallyd runs one on its lcore.
 */
#ifndef TALLY_CORE_MEMBERSHIP_H
#define TALLY_CORE_MEMBERSHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <corosync/votequorum.h>

#include "quorum/quorum.h"

/* Destination of a broadcast (every node of the cluster's network). */
#define TALLY_MB_BROADCAST 0u

/*
 * Views up to this size run in full-knowledge mode: broadcast heartbeats with
 * hear sets. Larger views watch quietly with K-observer expander monitoring
 * and go to full knowledge for a moment (an alert) when something is wrong
 * (docs/design/membership.md, "Large views"). 128: a full-knowledge interval
 * costs O(N^2) per node (177 us of CPU at 256, 2 ms at 1024), the expander's
 * stays near 2 us. The config key engine.small_view and the simulator's
 * --small-view choose another threshold, a build another default.
 */
#ifndef TALLY_MB_SMALL_VIEW
#define TALLY_MB_SMALL_VIEW 128u
#endif
/* The most ids a heartbeat's hear set carries. */
#define TALLY_MB_MAX_HEARSET 1024u

enum tally_mb_type {
	TALLY_MB_HEARTBEAT = 1,	/**< liveness; hear set (small mode) or deaf set (large) */
	TALLY_MB_PROPOSE = 2,	/**< a new view: ids[] = members, incs[] = incarnations */
	TALLY_MB_ACCEPT = 3,	/**< ids[] = proposed members the acceptor does not hear */
	TALLY_MB_REJECT = 4,	/**< the acceptor follows a lower representative */
	TALLY_MB_COMMIT = 5,	/**< install the proposal of `seq` */
	TALLY_MB_ABORT = 6,	/**< the proposal of `seq` is withdrawn */
	TALLY_MB_DATA = 7,	/**< a member's messages for the sequencer */
	TALLY_MB_ORDERED = 8,	/**< the sequencer's numbered copies, to every member */
	TALLY_MB_NACK = 9,	/**< resend ORDERED from `gseq` on */
	TALLY_MB_PROPOSE_PART = 10,	/**< a slice of a PROPOSE too large for one frame */
};

/*
 * A proposal of more than this many members travels as PROPOSE_PARTs of
 * this many (the last one shorter): part k carries members k·PART.. with
 * their incarnations, `lseq` = k·PART (its first member's index), `gseq` =
 * the whole proposal's size. Receivers reassemble one proposal at a time and
 * handle it as the PROPOSE it stands for; a part that does not fit the one
 * they hold is dropped and counted (docs/design/membership.md, "Agreeing").
 */
#define TALLY_MB_PART_MEMBERS 64u

/* What kind of payload an entry of a DATA/ORDERED carries. */
enum tally_mb_payload {
	TALLY_MB_PAYLOAD_QMSG = 0,	/**< a quorum message */
	TALLY_MB_PAYLOAD_SYNC_DONE = 1,	/**< the sender's sync round is done (barrier) */
	TALLY_MB_PAYLOAD_BATCH_END = 2,	/**< ends what the sender sent as the view began */
};

/* One message through the sequencer: whose, its number there, what. */
struct tally_mb_entry {
	uint32_t origin;	/**< the member whose message it is (never 0) */
	uint64_t lseq;		/**< the origin's own message number */
	enum tally_mb_payload payload;
	struct tally_qmsg qmsg;	/**< payload QMSG only */
};

/*
 * DATA and ORDERED carry runs of entries, at most this many a frame: a sync
 * round's burst (every member's nodeinfo and batch end, ordered at once)
 * goes to each member as N/20-odd frames instead of 2N, which is what lets
 * a 512-node view's sync round through receive rings of a few thousand
 * frames. An ORDERED's entries are numbered gseq, gseq + 1, ...; a DATA's
 * are all the sender's. A quorum-device message travels alone
 * (tally_mb_entry_alone: its names take a third of a frame), so any run of
 * at most this many of the rest fits a frame (wire/mb.h).
 */
#define TALLY_MB_RUN_MAX 40u

static inline bool tally_mb_entry_alone(const struct tally_mb_entry *e)
{
	return e->payload == TALLY_MB_PAYLOAD_QMSG && (e->qmsg.type == TALLY_QMSG_QDEVICE_REG ||
						       e->qmsg.type == TALLY_QMSG_QDEVICE_RECONFIGURE);
}

/* Heartbeat flags. */
#define TALLY_MB_HB_IN_VIEW 0x01u	/**< the sender has an installed view */
#define TALLY_MB_HB_REP 0x02u		/**< ... and is its representative */
#define TALLY_MB_HB_LEAVING 0x04u	/**< clean leave: remove me now */
#define TALLY_MB_HB_HEARSET 0x08u	/**< ids[] = nodes the sender hears */
#define TALLY_MB_HB_DEAFSET 0x10u	/**< ids[] = monitored nodes it does not hear */

/*
 * One membership message, decoded. `ids`/`incs`/`entries` point into
 * storage owned by the sender for the duration of the send/receive call only.
 */
struct tally_mb_msg {
	enum tally_mb_type type;
	uint32_t from;
	uint64_t inc;		/**< sender's incarnation */
	uint32_t flags;
	votequorum_ring_id_t ring;	/**< the sender's installed view (seq 0: none) */
	uint64_t seq;		/**< PROPOSE/ACCEPT/REJECT/COMMIT/ABORT: proposal seq */
	uint64_t max_seq;	/**< highest ring seq the sender has seen */
	uint64_t gseq;		/**< ORDERED: its first entry's number; NACK: first
				     wanted; HB: high; PROPOSE_PART: members of the
				     whole proposal */
	uint32_t origin;	/**< REJECT: the lower representative it follows */
	uint64_t lseq;		/**< PROPOSE_PART: index of its first member */
	uint32_t n_entries;	/**< DATA/ORDERED: 1..TALLY_MB_RUN_MAX */
	const struct tally_mb_entry *entries;
	uint32_t n_ids;
	const uint32_t *ids;
	uint32_t n_unheard;	/**< HEARTBEAT with a hear set: the last n_unheard ids
				     are nodes whose own hear set lacks the sender */
	const uint64_t *incs;	/**< PROPOSE and PROPOSE_PART only, n_ids entries */
};

struct tally_mb_ops {
	/* Send to one node, or to TALLY_MB_BROADCAST. */
	void (*send)(void *ctx, uint32_t to, const struct tally_mb_msg *m);
	/* A view is installed: start the quorum sync round (tally_quorum_sync_init). */
	void (*view)(void *ctx, const votequorum_ring_id_t *ring, const uint32_t *members,
		     size_t n);
	/* A quorum message in the view's agreed order (us included). */
	void (*deliver)(void *ctx, uint32_t sender, const struct tally_qmsg *msg);
	/* Every member's sync round is done: tally_quorum_sync_activate. */
	void (*activate)(void *ctx);
};

struct tally_mb_params {
	uint64_t interval_us;	/**< between heartbeats */
	uint32_t miss_count;	/**< silent intervals before a peer is not heard */
	uint32_t observers;	/**< K: monitors per node in large views */
	uint64_t hold_down_us;	/**< first hold-out of a flapping node (doubles) */
	uint32_t small_view;	/**< larger views use the expander; 1..TALLY_MB_MAX_HEARSET */
};

/* Defaults: docs/design/membership.md, "Timing parameters". */
void tally_mb_params_default(struct tally_mb_params *p);

struct tally_mb;
struct tally_cmap;

/*
 * engine.heartbeat_interval (µs), engine.miss_count, engine.observers,
 * engine.hold_down (µs) over the defaults. -EINVAL with `err` on a bad value.
 */
int tally_mb_params_from_cmap(const struct tally_cmap *map, struct tally_mb_params *p, char *err,
			      size_t errlen);

/* Node `id`, incarnation `inc` (grows on every start), starting at `now`. */
struct tally_mb *tally_mb_create(uint32_t id, uint64_t inc, const struct tally_mb_params *p,
				 const struct tally_mb_ops *ops, void *ctx, uint64_t now);
void tally_mb_destroy(struct tally_mb *m);

/* A frame from another node (never from ourselves). */
void tally_mb_receive(struct tally_mb *m, const struct tally_mb_msg *msg, uint64_t now);
/* Timers: the earliest deadline and firing everything due. */
uint64_t tally_mb_next_deadline(const struct tally_mb *m);
void tally_mb_tick(struct tally_mb *m, uint64_t now);

/*
 * Order a quorum message in the current view. Before the first view it is
 * delivered to us alone (no one else can hear it yet). Operations
 * (reconfigure, qdevice) that the view loses before ordering them are
 * submitted again in the next view; nodeinfo is not (sync resends it).
 */
void tally_mb_submit(struct tally_mb *m, const struct tally_qmsg *msg, uint64_t now);
/* The local sync round is done: join the view's barrier. */
void tally_mb_sync_done(struct tally_mb *m, uint64_t now);
/* Clean leave: once our submitted messages are ordered, announce LEAVING. */
void tally_mb_leave(struct tally_mb *m, uint64_t now);

/* The leave is announced (every heartbeat says LEAVING now): safe to go. */
bool tally_mb_left(const struct tally_mb *m);

/* State for tools, tests and the simulator's settle check. */
votequorum_ring_id_t tally_mb_ring(const struct tally_mb *m);
size_t tally_mb_members(const struct tally_mb *m, const uint32_t **members);
/* Large views: the members this node watches (none in a small view). */
size_t tally_mb_subjects(const struct tally_mb *m, const uint32_t **subjects);
/* Installed, barrier passed, nothing queued, and our knowledge gives this view. */
bool tally_mb_stable(struct tally_mb *m, uint64_t now);
/* The sync barrier is still open (members have not all passed it). */
bool tally_mb_in_sync(const struct tally_mb *m);

/*
 * How close the failure detector is to giving up on a peer. DEAD: no frame
 * within the window (miss_count intervals), so it is not heard; DAMPED:
 * heard again but held out for flapping; SUSPECT: silent for at least half
 * the window; ALIVE otherwise; UNKNOWN: never heard from (this life).
 */
enum tally_mb_suspicion {
	TALLY_MB_UNKNOWN = 0,
	TALLY_MB_ALIVE,
	TALLY_MB_SUSPECT,
	TALLY_MB_DAMPED,
	TALLY_MB_DEAD,
};

struct tally_mb_peer_info {
	enum tally_mb_suspicion state;
	bool heard;		/**< counts as heard now (what evaluations use) */
	bool member;		/**< in our installed view */
	bool unresponsive;	/**< did not answer our proposal: sits out our next ones */
	bool taken;		/**< rejected us for a representative we cannot hear */
	uint64_t inc;		/**< its incarnation */
	uint64_t silent_us;	/**< since its last frame (our stalls forgiven); UINT64_MAX: never */
	uint32_t missed;	/**< whole heartbeat intervals of that silence */
	uint32_t miss_count;	/**< missed intervals at which it is dead */
	uint32_t flaps;		/**< silences that ended soon after the last one */
	uint64_t damp_left_us;	/**< damping still to sit out */
};

/* Failure-detector state of node `id` at `now` (state UNKNOWN: never heard). */
void tally_mb_peer_info(const struct tally_mb *m, uint32_t id, uint64_t now,
			struct tally_mb_peer_info *out);
const char *tally_mb_suspicion_name(enum tally_mb_suspicion s);

struct tally_mb_stats {
	uint64_t hb_sent, hb_received, msgs_sent, msgs_received;
	uint64_t stale_dropped;		/**< older incarnation or foreign view */
	uint64_t views_installed, proposals, proposals_aborted, rejects;
	uint64_t stalls;		/**< our own scheduling gaps forgiven */
	uint64_t nacks_sent, retransmits;
	uint64_t parts_dropped;		/**< malformed or foreign PROPOSE_PARTs */
	uint64_t alerts;		/**< large views: switches to full knowledge */
};
void tally_mb_get_stats(const struct tally_mb *m, struct tally_mb_stats *out);

#endif
