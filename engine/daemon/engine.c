/* SPDX-License-Identifier: BSD-3-Clause */
/* tallyd's lcore side (engine.h). Nothing here locks, allocates or logs once running. */
#include "daemon/engine.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_ring.h>
#include <rte_errno.h>
#include <rte_ring_elem.h>

#include "config/cmap.h"
#include "daemon/peers.h"
#include "node/node.h"
#include "tally/shm_layout.h"

#define CMD_RING 64
#define NOTE_RING 1024
/* Commands taken per tick: control traffic must not starve the heartbeats. */
#define CMD_BURST 8
/* The loop looks at the command ring at least this often. */
#define CMD_POLL_US 1000u
/* A leaver announces itself this many heartbeats before it goes... */
#define LEAVE_ANNOUNCE 3u
/* ...but never waits longer than this for its queued messages (a partition). */
#define LEAVE_MAX_US 1000000u
/*
 * Peers whose failure-detector and RTT snapshot the lcore republishes, at
 * most every PUB_PERIOD_US: a bounded cost per tick, the whole table every
 * n / 8 x 10 ms. The table is for tally-stat, not for decisions: every tick it
 * was a quarter of the CPU of a quiet 256-node cluster on one thread, every
 * millisecond still 60 %.
 */
#define PUB_PER_TICK 8u
#define PUB_PERIOD_US 10000u

_Static_assert(sizeof(struct tally_engine_cmd) % 4 == 0, "rte_ring element size");
_Static_assert(sizeof(struct tally_engine_note) % 4 == 0, "rte_ring element size");

/* One peer's snapshot for other threads, under its own sequence count. */
struct pub_peer {
	_Atomic uint64_t gen;	/**< odd: being written */
	const struct tally_peer *peer;	/**< frames and last frame, stamped by on_rx */
	struct pub_snap {
		uint64_t at_us;
		struct tally_mb_peer_info fd;
		struct tally_probe_rtt rtt;
	} v;
};

struct tally_engine {
	struct tally_engine_cfg cfg;
	struct tally_dp *dp;
	struct tally_mb *mb;
	struct tally_probe *probe;
	struct tally_node *node;
	struct tally_peers peers;
	struct rte_ring *cmds, *notes;
	uint64_t seq;			/**< of our frames */
	uint64_t hz, tsc0;
	uint64_t now_us;		/**< of the current callback */
	bool sync_signalled;
	bool notes_pending;
	struct tally_engine_view views[TALLY_ENGINE_VIEW_HISTORY];	/**< a ring */
	uint64_t n_views;
	/* clean leave */
	bool leaving;
	uint64_t leave_deadline, left_at;
	struct tally_engine_counters c;
	struct pub_peer *pub;		/**< in the probe's (ascending id) order */
	size_t n_pub, pub_next;
	uint64_t pub_at;	/**< engine time of the last publish_peers */
	/* stats, republished under a sequence count (odd: being written) */
	_Atomic uint64_t stats_gen;
	struct tally_engine_stats stats;
	uint8_t body[TALLY_WIRE_MAX_BODY];
	struct tally_wire_mb_arrays arrays;
};

/* a * b / c without overflowing 64 bits for a up to years of TSC ticks */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	return a / c * b + a % c * b / c;
}

static uint64_t tsc_to_us(const struct tally_engine *e, uint64_t tsc)
{
	return muldiv(tsc - e->tsc0, 1000000u, e->hz);
}

static uint64_t us_to_tsc(const struct tally_engine *e, uint64_t us)
{
	return e->tsc0 + muldiv(us, e->hz, 1000000u);
}

static uint64_t now_ms(const struct tally_engine *e)
{
	return e->now_us / 1000u;
}

/* ------------------------------------------------------------------ */
/* Sequence counts: the lcore writes, other threads copy and retry     */

static void seq_write_begin(_Atomic uint64_t *gen)
{
	uint64_t g = atomic_load_explicit(gen, memory_order_relaxed);

	atomic_store_explicit(gen, g + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static void seq_write_end(_Atomic uint64_t *gen)
{
	uint64_t g = atomic_load_explicit(gen, memory_order_relaxed);

	atomic_store_explicit(gen, g + 1, memory_order_release);
}

static void seq_read(const _Atomic uint64_t *gen, void *dst, const void *src, size_t len)
{
	uint64_t g0, g1;

	do {
		g0 = atomic_load_explicit(gen, memory_order_acquire);
		memcpy(dst, src, len);
		atomic_thread_fence(memory_order_acquire);
		g1 = atomic_load_explicit(gen, memory_order_relaxed);
	} while (g0 != g1 || (g0 & 1));
}

/* ------------------------------------------------------------------ */
/* Notes to the control thread                                         */

static void note(struct tally_engine *e, struct tally_engine_note *n)
{
	if (rte_ring_sp_enqueue_elem(e->notes, n, sizeof(*n)) != 0) {
		e->c.notes_dropped++;
		return;
	}
	e->notes_pending = true;
}

/* One eventfd write per tick that made notes: they are rare (control traffic, logs). */
static void flush_notes(struct tally_engine *e)
{
	uint64_t one = 1;

	if (!e->notes_pending)
		return;
	e->notes_pending = false;
	if (e->cfg.note_fd < 0)
		return;	/* the caller polls tally_engine_next_note itself */
	if (write(e->cfg.note_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already set, the control thread will look */
	}
}

/* ------------------------------------------------------------------ */
/* Node (quorum core) hooks                                            */

static void node_send(void *ctx, const struct tally_qmsg *msg)
{
	struct tally_engine *e = ctx;

	tally_mb_submit(e->mb, msg, e->now_us);
}

static void node_wake(void *ctx)
{
	struct tally_engine *e = ctx;

	if (e->cfg.wake != NULL)
		e->cfg.wake(e->cfg.wake_ctx);
}

static void node_ring(void *ctx)
{
	struct tally_engine *e = ctx;

	if (e->cfg.ring != NULL)
		e->cfg.ring(e->cfg.wake_ctx);
}

static void node_reply(void *ctx, uint64_t token, cs_error_t result)
{
	struct tally_engine_note n = { .kind = TALLY_ENGINE_NOTE_REPLY, .value = (uint32_t)result,
				       .token = token };

	note(ctx, &n);
}

static void node_persist(void *ctx, uint32_t barrier)
{
	struct tally_engine_note n = { .kind = TALLY_ENGINE_NOTE_PERSIST, .value = barrier };

	note(ctx, &n);
}

static void node_log(void *ctx, enum tally_qlog_level level, const char *text)
{
	struct tally_engine_note n = { .kind = TALLY_ENGINE_NOTE_LOG, .value = (uint32_t)level };

	snprintf(n.text, sizeof(n.text), "%s", text);
	note(ctx, &n);
}

static const struct tally_node_ops engine_node_ops = {
	.send = node_send,
	.wake = node_wake,
	.ring = node_ring,
	.reply = node_reply,
	.persist_ev_barrier = node_persist,
	.log = node_log,
};

/* ------------------------------------------------------------------ */
/* Membership hooks                                                    */

/*
 * Seal the blen bytes of e->body into a frame to `to`: its address once
 * known, else (and for TALLY_MB_BROADCAST) the group. blen < 0: the encoder
 * refused it.
 */
static void send_body(struct tally_engine *e, enum tally_wire_type type, uint32_t to, int blen)
{
	struct tally_wire_hdr h = { type, e->cfg.nodeid, e->cfg.incarnation, 0 };
	const struct tally_peer *p = to == TALLY_MB_BROADCAST ? NULL : tally_peers_find(&e->peers, to);
	const uint8_t *dst = p != NULL && p->addr_known ? p->addr : tally_dp_group(e->dp);
	uint8_t *frame;

	if (blen < 0) {
		e->c.tx_too_big++;
		return;
	}
	frame = tally_dp_tx_frame(e->dp, dst, TALLY_WIRE_OVERHEAD + (size_t)blen);
	if (frame == NULL) {
		e->c.tx_no_buf++;
		return;
	}
	h.seq = ++e->seq;
	tally_wire_seal(&e->cfg.key, &h, e->body, (size_t)blen, frame,
			TALLY_WIRE_OVERHEAD + (size_t)blen);
}

static void mb_send(void *ctx, uint32_t to, const struct tally_mb_msg *m)
{
	struct tally_engine *e = ctx;

	send_body(e, TALLY_WIRE_MEMBERSHIP, to, tally_wire_encode_mb(m, e->body, sizeof(e->body)));
}

static void probe_send(void *ctx, uint32_t to, const struct tally_probe_msg *m)
{
	struct tally_engine *e = ctx;

	send_body(e, TALLY_WIRE_PROBE, to, tally_wire_encode_probe(m, e->body, sizeof(e->body)));
}

static const struct tally_probe_ops engine_probe_ops = { .send = probe_send };

/* The quorum core's sync round is done unless it waits for a device poll. */
static void sync_progress(struct tally_engine *e)
{
	if (e->sync_signalled || !tally_quorum_in_sync(tally_node_quorum(e->node)))
		return;
	if (tally_node_sync_process(e->node)) {
		e->sync_signalled = true;
		tally_mb_sync_done(e->mb, e->now_us);
	}
}

/* corosync logs every membership change; so do we, off the lcore. */
static void log_view(struct tally_engine *e, const votequorum_ring_id_t *ring,
		     const uint32_t *members, size_t n)
{
	struct tally_engine_note note_ = { .kind = TALLY_ENGINE_NOTE_LOG,
					   .value = TALLY_QLOG_NOTICE };
	size_t off = (size_t)snprintf(note_.text, sizeof(note_.text),
				      "view %" PRIx32 ".%" PRIx64 ": %zu members:", ring->nodeid,
				      ring->seq, n);

	for (size_t i = 0; i < n && off < sizeof(note_.text); i++)
		off += (size_t)snprintf(note_.text + off, sizeof(note_.text) - off, " %" PRIu32,
					members[i]);
	note(e, &note_);
}

static void mb_view(void *ctx, const votequorum_ring_id_t *ring, const uint32_t *members,
		    size_t n)
{
	struct tally_engine *e = ctx;
	struct tally_engine_view *v = &e->views[e->n_views++ % TALLY_ENGINE_VIEW_HISTORY];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);	/* vDSO: no system call on the lcore */
	v->ring = *ring;
	v->n_members = (uint32_t)n;
	v->at_us = e->now_us;
	v->realtime_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	log_view(e, ring, members, n);
	e->sync_signalled = false;
	tally_node_sync_init(e->node, ring, members, n, now_ms(e));
	sync_progress(e);
}

static void mb_deliver(void *ctx, uint32_t sender, const struct tally_qmsg *msg)
{
	struct tally_engine *e = ctx;

	tally_node_deliver(e->node, sender, msg, now_ms(e));
	sync_progress(e);
}

static void mb_activate(void *ctx)
{
	struct tally_engine *e = ctx;

	tally_node_sync_activate(e->node);
}

static const struct tally_mb_ops engine_mb_ops = {
	.send = mb_send,
	.view = mb_view,
	.deliver = mb_deliver,
	.activate = mb_activate,
};

/* ------------------------------------------------------------------ */
/* The loop                                                            */

static void publish_stats(struct tally_engine *e)
{
	struct tally_engine_stats *s = &e->stats;
	const uint32_t *members;

	seq_write_begin(&e->stats_gen);
	s->now_us = e->now_us;
	s->ring = tally_mb_ring(e->mb);
	s->n_members = (uint32_t)tally_mb_members(e->mb, &members);
	s->quorate = tally_quorum_is_quorate(tally_node_quorum(e->node));
	s->in_sync = tally_mb_in_sync(e->mb);
	s->stable = tally_mb_stable(e->mb, e->now_us);
	s->leaving = e->leaving;
	tally_mb_get_stats(e->mb, &s->mb);
	s->c = e->c;
	tally_probe_get_stats(e->probe, &s->probe);
	s->n_views = e->n_views;
	memcpy(s->views, e->views, sizeof(s->views));
	seq_write_end(&e->stats_gen);
}

void tally_engine_stats(const struct tally_engine *e, struct tally_engine_stats *out)
{
	seq_read(&e->stats_gen, out, &e->stats, sizeof(*out));
}

/* The next few peers' failure-detector state and RTTs, round robin. */
static void publish_peers(struct tally_engine *e)
{
	for (size_t k = 0; k < PUB_PER_TICK && k < e->n_pub; k++) {
		struct pub_peer *pp = &e->pub[e->pub_next];

		seq_write_begin(&pp->gen);
		pp->v.at_us = e->now_us;
		tally_mb_peer_info(e->mb, pp->peer->nodeid, e->now_us, &pp->v.fd);
		pp->v.rtt = *tally_probe_peer_rtt(e->probe, e->pub_next);
		seq_write_end(&pp->gen);
		e->pub_next = (e->pub_next + 1) % e->n_pub;
	}
}

static void run_command(struct tally_engine *e, const struct tally_engine_cmd *cmd)
{
	struct tally_engine_note n = { 0 };
	bool pending;
	cs_error_t rc;

	e->c.cmds++;
	switch (cmd->kind) {
	case TALLY_ENGINE_CMD_OP:
		rc = tally_ctl_op_apply(e->node, &cmd->op, now_ms(e), &pending);
		if (!pending)
			node_reply(e, cmd->op.token, rc);
		sync_progress(e);	/* a device poll may end a sync round */
		break;
	case TALLY_ENGINE_CMD_RELOAD:
		tally_node_reload(e->node, cmd->map, now_ms(e));
		n.kind = TALLY_ENGINE_NOTE_RELOADED;
		n.map = (struct tally_cmap *)e->cfg.map;
		e->cfg.map = cmd->map;
		note(e, &n);
		break;
	case TALLY_ENGINE_CMD_LEAVE:
		if (e->leaving)
			break;
		e->leaving = true;
		e->leave_deadline = e->now_us + LEAVE_MAX_US;
		tally_node_leave(e->node);
		tally_mb_leave(e->mb, e->now_us);
		break;
	default:
		break;
	}
}

/* Stop once the leave was announced for a few heartbeats, or waited too long. */
static void check_leave(struct tally_engine *e)
{
	if (!e->leaving)
		return;
	if (e->left_at == 0 && tally_mb_left(e->mb))
		e->left_at = e->now_us;
	if ((e->left_at != 0 && e->now_us >= e->left_at + LEAVE_ANNOUNCE * e->cfg.mb.interval_us) ||
	    e->now_us >= e->leave_deadline)
		tally_dp_stop(e->dp);
}

static uint64_t on_tick(void *ctx, struct tally_dp *dp, uint64_t now_tsc)
{
	struct tally_engine *e = ctx;
	struct tally_engine_cmd cmd;
	uint64_t next, qd;

	e->now_us = tsc_to_us(e, now_tsc);
	for (int i = 0; i < CMD_BURST &&
			rte_ring_sc_dequeue_elem(e->cmds, &cmd, sizeof(cmd)) == 0; i++)
		run_command(e, &cmd);
	if (tally_node_next_deadline(e->node) <= now_ms(e)) {
		tally_node_expire(e->node, now_ms(e));
		sync_progress(e);
	}
	if (tally_mb_next_deadline(e->mb) <= e->now_us) {
		tally_mb_tick(e->mb, e->now_us);
		sync_progress(e);
	}
	tally_probe_tick(e->probe, e->now_us);
	check_leave(e);
	publish_stats(e);
	if (e->now_us - e->pub_at >= PUB_PERIOD_US) {
		e->pub_at = e->now_us;
		publish_peers(e);
	}
	flush_notes(e);

	next = tally_mb_next_deadline(e->mb);
	if (tally_probe_next_deadline(e->probe) < next)
		next = tally_probe_next_deadline(e->probe);
	qd = tally_node_next_deadline(e->node);
	if (qd != UINT64_MAX && qd * 1000u < next)
		next = qd * 1000u;
	if (next > e->now_us + CMD_POLL_US)
		next = e->now_us + CMD_POLL_US;
	(void)dp;
	return us_to_tsc(e, next);
}

static void on_rx(void *ctx, struct tally_dp *dp, const uint8_t *payload, size_t len,
		  const uint8_t src[TALLY_ETH_ADDR_LEN], uint64_t now_tsc)
{
	struct tally_engine *e = ctx;
	struct tally_wire_hdr h;
	struct tally_mb_msg m;
	struct tally_probe_msg pm;
	struct tally_peer *p;
	const uint8_t *body;
	size_t blen;
	enum tally_wire_verdict v = tally_wire_open(&e->cfg.key, payload, len, &h, &body, &blen);

	if (v != TALLY_WIRE_OK) {
		e->c.wire[v]++;
		return;
	}
	if (h.sender == e->cfg.nodeid) {
		e->c.own_id++;
		return;
	}
	p = tally_peers_find(&e->peers, h.sender);
	if (p == NULL) {
		e->c.unknown_sender++;
		return;
	}
	if (h.type != TALLY_WIRE_MEMBERSHIP && h.type != TALLY_WIRE_PROBE) {
		e->c.bad_type++;
		return;
	}
	/* Decode before the replay window moves: a bad body must not burn a sequence number. */
	v = h.type == TALLY_WIRE_PROBE ? tally_wire_decode_probe(body, blen, &pm)
				       : tally_wire_decode_mb(&h, body, blen, &m, &e->arrays);
	if (v == TALLY_WIRE_OK)
		v = tally_wire_replay_check(&p->replay, h.incarnation, h.seq);
	e->c.wire[v]++;
	if (v != TALLY_WIRE_OK)
		return;
	/* Authenticated and fresh: now its source address may be believed. */
	memcpy(p->addr, src, TALLY_ETH_ADDR_LEN);
	p->addr_known = true;
	/* relaxed atomic stores: the control thread reads these for status */
	__atomic_store_n(&p->frames, p->frames + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&p->last_tsc, now_tsc, __ATOMIC_RELAXED);
	e->now_us = tsc_to_us(e, now_tsc);
	if (h.type == TALLY_WIRE_PROBE) {
		/* never the membership's: an answered probe is no heartbeat */
		tally_probe_receive(e->probe, h.sender, &pm, e->now_us);
		return;
	}
	tally_mb_receive(e->mb, &m, e->now_us);
	sync_progress(e);
	if (tally_mb_next_deadline(e->mb) <= e->now_us || e->notes_pending)
		tally_dp_tick_soon(dp);
}

size_t tally_engine_peers(const struct tally_engine *e, struct tally_engine_peer *out, size_t max)
{
	uint64_t now = tally_dp_tsc(), now_us = tsc_to_us(e, now);
	size_t n;

	for (n = 0; n < e->n_pub && n < max; n++) {
		const struct pub_peer *pp = &e->pub[n];
		const struct tally_peer *p = pp->peer;
		struct pub_snap snap;
		uint64_t last = __atomic_load_n(&p->last_tsc, __ATOMIC_RELAXED);

		out[n].nodeid = p->nodeid;
		out[n].frames = __atomic_load_n(&p->frames, __ATOMIC_RELAXED);
		/* the lcore may have stamped a frame after our clock read: age 0 */
		out[n].age_us = last == 0     ? UINT64_MAX
				: last >= now ? 0
					      : muldiv(now - last, 1000000u, e->hz);
		seq_read(&pp->gen, &snap, &pp->v, sizeof(snap));
		out[n].snap_age_us = now_us > snap.at_us ? now_us - snap.at_us : 0;
		out[n].fd = snap.fd;
		out[n].rtt = snap.rtt;
	}
	return e->n_pub;
}

const struct tally_dp_ops *tally_engine_dp_ops(void)
{
	static const struct tally_dp_ops ops = { .rx = on_rx, .tick = on_tick };

	return &ops;
}

struct tally_cmap *tally_engine_map(const struct tally_engine *e)
{
	return (struct tally_cmap *)e->cfg.map;
}

bool tally_engine_command(struct tally_engine *e, const struct tally_engine_cmd *cmd)
{
	struct tally_engine_cmd copy = *cmd;	/* the ring's API takes a non-const pointer */

	return rte_ring_sp_enqueue_elem(e->cmds, &copy, sizeof(copy)) == 0;
}

bool tally_engine_next_note(struct tally_engine *e, struct tally_engine_note *out)
{
	return rte_ring_sc_dequeue_elem(e->notes, out, sizeof(*out)) == 0;
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

struct nodelist_walk {
	struct tally_engine *e;
	char *err;
	size_t errlen;
};

/* One peer per nodelist entry; ring0_addr, when a MAC, is where to unicast. */
static int add_listed(void *ctx, const struct tally_cmap *map, const char *entry)
{
	struct nodelist_walk *w = ctx;
	const char *addr = tally_cmap_node_get(map, entry, "ring0_addr");
	uint8_t mac[TALLY_ETH_ADDR_LEN];
	uint32_t id;

	if (tally_cmap_node_get_u32(map, entry, "nodeid", &id) != 0 || id == 0) {
		snprintf(w->err, w->errlen, "%s.nodeid: missing or not a node id", entry);
		return -EINVAL;
	}
	if (id == w->e->cfg.nodeid)
		return 0;
	if (tally_peers_add(&w->e->peers, id,
			    addr != NULL && tally_eth_parse_addr(addr, mac) == 0 ? mac : NULL) ==
	    NULL) {
		snprintf(w->err, w->errlen, "nodelist: more than %u nodes", TALLY_SHM_MAX_NODES);
		return -E2BIG;
	}
	return 0;
}

/* A prober of every configured peer, and a published snapshot of each. */
static int setup_probes(struct tally_engine *e)
{
	uint32_t *ids = calloc(e->peers.n + 1, sizeof(*ids));
	size_t n = 0;

	if (ids == NULL)
		return -ENOMEM;
	for (size_t i = 0; i <= e->peers.mask; i++)
		if (e->peers.slot[i].nodeid != 0)
			ids[n++] = e->peers.slot[i].nodeid;
	e->probe = tally_probe_create(e->cfg.nodeid, ids, n, &e->cfg.probe, &engine_probe_ops, e, 0);
	free(ids);
	e->pub = calloc(n + 1, sizeof(*e->pub));
	if (e->probe == NULL || e->pub == NULL)
		return -ENOMEM;
	e->n_pub = n;
	for (size_t i = 0; i < n; i++) {
		atomic_init(&e->pub[i].gen, 0);
		e->pub[i].peer = tally_peers_find(&e->peers, tally_probe_peer_id(e->probe, i));
	}
	return 0;
}

struct tally_engine *tally_engine_create(const struct tally_engine_cfg *cfg,
					 struct tally_dp *dp, char *err, size_t errlen)
{
	struct tally_engine *e = calloc(1, sizeof(*e));
	struct nodelist_walk w = { e, err, errlen };
	/* Ring names are process-wide: one process may run many engines (bench/vnodes.c). */
	static atomic_uint instances;
	unsigned instance = atomic_fetch_add(&instances, 1);
	char name[RTE_RING_NAMESIZE];

	snprintf(err, errlen, "out of memory");
	if (e == NULL)
		return NULL;
	e->cfg = *cfg;
	e->dp = dp;
	e->hz = tally_dp_tsc_hz();
	e->tsc0 = tally_dp_tsc();
	atomic_init(&e->stats_gen, 0);
	if (tally_peers_init(&e->peers, TALLY_SHM_MAX_NODES) != 0)
		goto err;
	if (tally_cmap_foreach_node(cfg->map, add_listed, &w) != 0)
		goto err;
	snprintf(name, sizeof(name), "tally-cmd-%d-%u", (int)getpid(), instance);
	e->cmds = rte_ring_create_elem(name, sizeof(struct tally_engine_cmd), CMD_RING,
				       SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "tally-note-%d-%u", (int)getpid(), instance);
	e->notes = rte_ring_create_elem(name, sizeof(struct tally_engine_note), NOTE_RING,
					SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (e->cmds == NULL || e->notes == NULL) {
		snprintf(err, errlen, "rings: %s", rte_strerror(rte_errno));
		goto err;
	}
	e->node = tally_node_create(cfg->nodeid, cfg->map, cfg->ev_barrier, cfg->segment,
				    cfg->segment_size, cfg->incarnation, &engine_node_ops, e, err,
				    errlen);
	if (e->node == NULL)
		goto err;
	e->mb = tally_mb_create(cfg->nodeid, cfg->incarnation, &cfg->mb, &engine_mb_ops, e, 0);
	if (e->mb == NULL)
		goto err;
	if (setup_probes(e) != 0) {
		snprintf(err, errlen, "probes: out of memory");
		goto err;
	}
	publish_stats(e);
	for (size_t i = 0; i < e->n_pub; i += PUB_PER_TICK)
		publish_peers(e);
	return e;
err:
	tally_engine_destroy(e);
	return NULL;
}

void tally_engine_destroy(struct tally_engine *e)
{
	if (e == NULL)
		return;
	tally_mb_destroy(e->mb);
	tally_probe_destroy(e->probe);
	free(e->pub);
	tally_node_destroy(e->node);
	rte_ring_free(e->cmds);
	rte_ring_free(e->notes);
	tally_peers_free(&e->peers);
	free(e);
}
