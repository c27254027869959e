/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tallyd's lcore side (docs/design/tallyd.md): the membership protocol and
 * the node (quorum core + segment) driven by the datapath loop. Frames in:
 * Ethernet filter (dp) -> wire open -> nodelist + replay check (peers.h) ->
 * membership decode -> tally_mb_receive. Frames out: membership encode ->
 * wire seal -> tx burst. Everything else talks to the lcore through two
 * single-producer rings, so the lcore never takes a lock:
 *
 *   control thread --cmd ring-->  lcore   requests, reload, leave
 *   control thread <--note ring-- lcore   replies, log lines, persistence
 *
 * plus a stats block the lcore republishes under a sequence count every
 * tick, which the control thread copies for status requests.
 */
#ifndef TALLY_DAEMON_ENGINE_H
#define TALLY_DAEMON_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/ctl.h"
#include "dp/dp.h"
#include "membership/membership.h"
#include "probe/probe.h"
#include "quorum/quorum.h"
#include "wire/mb.h"
#include "wire/wire.h"

struct tally_cmap;
struct tally_engine;

struct tally_engine_cfg {
	uint32_t nodeid;
	uint64_t incarnation;		/**< grows on every start (frames, segment) */
	struct tally_wire_key key;
	struct tally_mb_params mb;
	struct tally_probe_params probe;	/**< RTT probes; all 0: none sent */
	const struct tally_cmap *map;	/**< nodelist, quorum.*; the caller keeps it alive */
	uint32_t ev_barrier;		/**< persisted expected-votes-tracking value */
	void *segment;
	size_t segment_size;
	/* A reader sleeps on the segment and it changed (lcore; tally_ctl_kick). */
	void (*wake)(void *ctx);
	/* Events appended and a client sleeps in poll() (lcore; tally_ctl_ring). */
	void (*ring)(void *ctx);
	void *wake_ctx;
	int note_fd;			/**< eventfd the control thread polls for notes; < 0: none */
};

enum tally_engine_cmd_kind {
	TALLY_ENGINE_CMD_OP = 1,	/**< apply op, reply through a note */
	TALLY_ENGINE_CMD_RELOAD,	/**< map: the new configuration */
	TALLY_ENGINE_CMD_LEAVE,		/**< clean leave, then stop the loop */
};

struct tally_engine_cmd {
	uint32_t kind;
	uint32_t pad;
	struct tally_cmap *map;
	struct tally_ctl_op op;
};

enum tally_engine_note_kind {
	TALLY_ENGINE_NOTE_REPLY = 1,	/**< token, result */
	TALLY_ENGINE_NOTE_LOG,		/**< level, text */
	TALLY_ENGINE_NOTE_PERSIST,	/**< value: the expected-votes-tracking barrier */
	TALLY_ENGINE_NOTE_RELOADED,	/**< map: the configuration it replaced (free it) */
};

#define TALLY_ENGINE_NOTE_TEXT 200

struct tally_engine_note {
	uint32_t kind;
	uint32_t value;		/**< result, level or barrier */
	uint64_t token;
	struct tally_cmap *map;
	char text[TALLY_ENGINE_NOTE_TEXT];
};

/* Why received frames were dropped beyond the wire verdicts. */
struct tally_engine_counters {
	uint64_t wire[TALLY_WIRE_VERDICT_COUNT];	/**< by verdict (OK: accepted) */
	uint64_t unknown_sender;	/**< authenticated, but not in the nodelist */
	uint64_t own_id;		/**< carries our node id: a duplicate id or a loop */
	uint64_t bad_type;		/**< a frame type we do not take */
	uint64_t tx_too_big;		/**< a message that does not fit a frame */
	uint64_t tx_no_buf;		/**< no mbuf for a frame */
	uint64_t notes_dropped;		/**< note ring full */
	uint64_t cmds;			/**< commands taken */
};

#define TALLY_ENGINE_VIEW_HISTORY 16

struct tally_engine_view {
	votequorum_ring_id_t ring;
	uint32_t n_members;
	uint64_t at_us;		/**< engine clock (stats.now_us is the same clock) */
	uint64_t realtime_ns;	/**< CLOCK_REALTIME at install */
};

/* What the lcore republishes every tick (tally_engine_stats copies it). */
struct tally_engine_stats {
	uint64_t now_us;
	votequorum_ring_id_t ring;
	uint32_t n_members;
	bool quorate, in_sync, stable, leaving;
	struct tally_mb_stats mb;
	struct tally_engine_counters c;
	struct tally_probe_stats probe;
	uint64_t n_views;	/**< views installed; the last ones are in views[] */
	struct tally_engine_view views[TALLY_ENGINE_VIEW_HISTORY];
};

/*
 * One configured peer: as the receive path last saw it, and what the
 * failure detector and the RTT probes say of it. The lcore republishes the
 * latter for 8 peers a tick, at most every 10 ms, so they are up to
 * n / 8 x 10 ms old (snap_age_us).
 */
struct tally_engine_peer {
	uint32_t nodeid;
	uint64_t frames;	/**< accepted from it (any type) */
	uint64_t age_us;	/**< since its last accepted frame; UINT64_MAX: never */
	uint64_t snap_age_us;	/**< how old fd and rtt are */
	struct tally_mb_peer_info fd;
	struct tally_probe_rtt rtt;
};

/* On the main thread, before the loop: the rings and the core. NULL with a message. */
struct tally_engine *tally_engine_create(const struct tally_engine_cfg *cfg,
					 struct tally_dp *dp, char *err, size_t errlen);
void tally_engine_destroy(struct tally_engine *e);

/* The datapath callbacks: run with tally_dp_run(dp, tally_engine_dp_ops(), e). */
const struct tally_dp_ops *tally_engine_dp_ops(void);

/* Control thread: queue a command. false: the ring is full (try again). */
bool tally_engine_command(struct tally_engine *e, const struct tally_engine_cmd *cmd);
/* Control thread: take the next note. false: none. */
bool tally_engine_next_note(struct tally_engine *e, struct tally_engine_note *out);
/* The configuration the engine runs with now (a reload replaces it); once the loop stopped. */
struct tally_cmap *tally_engine_map(const struct tally_engine *e);
/* Any thread: a consistent copy of the stats. */
void tally_engine_stats(const struct tally_engine *e, struct tally_engine_stats *out);
/*
 * Any thread: the first `max` configured peers in ascending id order (each
 * entry whole, the set not one instant). Returns how many there are.
 */
size_t tally_engine_peers(const struct tally_engine *e, struct tally_engine_peer *out, size_t max);

#endif
