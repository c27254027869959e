/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tally-vnodes: N virtual nodes in one process, on one thread
 * (DESIGN.md §5, docs/design/vnodes.md). Each node is the lcore glue tallyd
 * runs (struct tally_engine: wire authentication, replay checks,
 * membership, the quorum node publishing into its own segment) over its own
 * struct tally_dp. The ports are pairs of rte_rings (tally_dp_open_rings:
 * RTE_MAX_ETHPORTS is 32), joined by a switch on the same thread that
 * copies multicast frames to every other live node and unicast ones to the
 * node whose MAC they name. The loop: poll every live node once
 * (tally_dp_poll), then run the switch.
 *
 * Measured: crash one node (stop polling it, drop its frames), the time
 * until every survivor's segment carries the quorum event a libvotequorum
 * client would get (the victim no longer a member); then restart the
 * victim with a higher incarnation and wait for the cluster to settle.
 *
 *   tally-vnodes [-n N] [-t TRIALS] [--interval US] [--miss K] [--small-view N]
 *                [--idle MS] [--settle SECONDS] [--trial-timeout SECONDS] [--csv FILE] [-v]
 *
 * Exit: 0, 1 when a crash was not seen by every survivor in time (or the
 * cluster did not settle), 2 for bad arguments, 77 when the EAL cannot start.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <sodium.h>

#include "config/cmap.h"
#include "daemon/engine.h"
#include "dp/dp.h"
#include "shm/shm.h"
#include "tally/shm_layout.h"

#define MAX_NODES 1024u
#define SWITCH_BURST 32u
/* Node polls per round while its inbox still holds frames. */
#define POLLS_PER_ROUND 8
#define EVENT_CAP 65536u

struct vnode {
	uint32_t id;
	uint64_t inc;
	bool alive;
	struct rte_ring *inbox, *outbox;
	struct tally_dp *dp;
	struct tally_engine *e;
	void *seg;
	struct tally_shm_reader rd;
	uint64_t deadline;
	/* the current trial */
	uint64_t done_ns;	/**< the snapshot stamp when the quorum event was seen */
	uint64_t seen_ns;	/**< when the harness saw the quorum event */
	uint64_t views0, proposals0;
};

struct sim {
	uint32_t n, n_alive;
	struct vnode *v;
	struct rte_mempool *pool;
	struct tally_cmap *map;
	struct tally_dp_cfg dpcfg;
	struct tally_engine_cfg ecfg;
	struct tally_shm_snapshot *snap;
	uint8_t *evbuf;
	bool verbose;
	/* switch */
	uint64_t delivered, dropped_full, dropped_dead;
	/* loop */
	uint64_t rounds, busy_cycles, all_cycles;
	unsigned seed;		/**< the crashes' phases (rand_r): the same every run */
};

struct trial {
	uint32_t victim;
	double detect_us;	/**< crash -> first survivor proposes a view */
	double first_us;	/**< crash -> first survivor's snapshot (getinfo) without the victim */
	double last_us;		/**< crash -> last survivor's */
	double seen_us;		/**< crash -> the last survivor's quorum event, as a polling client sees it */
	uint64_t views;		/**< views installed on survivors (N-1 is one each) */
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static void node_mac(uint32_t id, uint8_t mac[TALLY_ETH_ADDR_LEN])
{
	const uint8_t m[TALLY_ETH_ADDR_LEN] = { 0x02, 0x74, 0x6c, 0x00, (uint8_t)(id >> 8),
						(uint8_t)id };

	memcpy(mac, m, sizeof(m));
}

/* ------------------------------------------------------------------ */
/* The switch                                                          */

static void deliver(struct sim *s, struct vnode *to, struct rte_mbuf *m)
{
	if (rte_ring_sp_enqueue(to->inbox, m) != 0) {
		s->dropped_full++;
		rte_pktmbuf_free(m);
		return;
	}
	s->delivered++;
}

static void switch_frame(struct sim *s, const struct vnode *from, struct rte_mbuf *m)
{
	const uint8_t *dst = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t to;

	if (dst[0] & 1) {	/* group or broadcast: every other live node */
		uint32_t k = s->n_alive - (from->alive ? 1 : 0);

		if (k == 0) {
			rte_pktmbuf_free(m);
			return;
		}
		rte_mbuf_refcnt_update(m, (int16_t)(k - 1));
		for (uint32_t i = 0; i < s->n; i++)
			if (s->v[i].alive && &s->v[i] != from)
				deliver(s, &s->v[i], m);
		return;
	}
	to = (uint32_t)dst[4] << 8 | dst[5];
	if (dst[0] == 0x02 && dst[1] == 0x74 && dst[2] == 0x6c && dst[3] == 0 && to >= 1 &&
	    to <= s->n && s->v[to - 1].alive && &s->v[to - 1] != from) {
		deliver(s, &s->v[to - 1], m);
		return;
	}
	s->dropped_dead++;
	rte_pktmbuf_free(m);
}

static void drain(struct rte_ring *r)
{
	void *b[SWITCH_BURST];
	unsigned k;

	while ((k = rte_ring_sc_dequeue_burst(r, b, SWITCH_BURST, NULL)) > 0)
		rte_pktmbuf_free_bulk((struct rte_mbuf **)b, k);
}

static void run_switch(struct sim *s)
{
	void *b[SWITCH_BURST];
	unsigned k;

	for (uint32_t i = 0; i < s->n; i++) {
		struct vnode *v = &s->v[i];

		if (!v->alive)
			continue;
		while ((k = rte_ring_sc_dequeue_burst(v->outbox, b, SWITCH_BURST, NULL)) > 0)
			for (unsigned j = 0; j < k; j++)
				switch_frame(s, v, b[j]);
	}
}

/* ------------------------------------------------------------------ */
/* Nodes                                                               */

static void drain_notes(struct sim *s, struct vnode *v)
{
	struct tally_engine_note note;

	while (tally_engine_next_note(v->e, &note)) {
		if (note.kind == TALLY_ENGINE_NOTE_LOG && s->verbose)
			fprintf(stderr, "[node %u] %s\n", v->id, note.text);
		if (note.kind == TALLY_ENGINE_NOTE_RELOADED)
			tally_cmap_free(note.map);
	}
}

/* What a crashed node leaves behind, freed before it starts again. */
static void node_bury(struct vnode *v)
{
	tally_engine_destroy(v->e);
	tally_dp_close(v->dp);
	v->e = NULL;
	v->dp = NULL;
}

static int node_start(struct sim *s, struct vnode *v)
{
	struct tally_engine_cfg cfg = s->ecfg;
	uint8_t mac[TALLY_ETH_ADDR_LEN];
	char err[256];

	if (v->e != NULL)
		node_bury(v);
	drain(v->inbox);
	drain(v->outbox);
	node_mac(v->id, mac);
	v->dp = tally_dp_open_rings(&s->dpcfg, v->inbox, v->outbox, s->pool, mac, err,
				    sizeof(err));
	if (v->dp == NULL) {
		fprintf(stderr, "tally-vnodes: node %u: %s\n", v->id, err);
		return -1;
	}
	v->inc++;
	cfg.nodeid = v->id;
	cfg.incarnation = v->inc;	/* small: PROPOSE frames of 1024 members still fit */
	cfg.segment = v->seg;
	cfg.segment_size = TALLY_SHM_SEGMENT_SIZE;
	v->e = tally_engine_create(&cfg, v->dp, err, sizeof(err));
	if (v->e == NULL || tally_shm_attach(&v->rd, v->seg, TALLY_SHM_SEGMENT_SIZE) != 0) {
		fprintf(stderr, "tally-vnodes: node %u: %s\n", v->id, v->e ? "segment" : err);
		return -1;
	}
	v->deadline = 0;
	v->alive = true;
	s->n_alive++;
	return 0;
}

/*
 * A crash: never polled again, its frames in flight are lost. Its engine is
 * freed only when it starts again: freeing it now (up to 250 us) would stall
 * the one thread the survivors run on, which they would take for a
 * scheduling gap of their own and forgive, and the detection would be late.
 */
static void node_crash(struct sim *s, struct vnode *v)
{
	v->alive = false;
	s->n_alive--;
	drain(v->inbox);
	drain(v->outbox);
}

/* One round: every live node polled (again while its inbox is not empty), then the switch. */
static void round_once(struct sim *s)
{
	const struct tally_dp_ops *ops = tally_engine_dp_ops();
	uint64_t t0 = tally_dp_tsc(), t1;	/* rdtsc is not free under KVM: per round only */
	unsigned work = 0;

	for (uint32_t i = 0; i < s->n; i++) {
		struct vnode *v = &s->v[i];

		if (!v->alive)
			continue;
		for (int k = 0; k < POLLS_PER_ROUND; k++) {
			work += tally_dp_poll(v->dp, ops, v->e, &v->deadline);
			if (rte_ring_empty(v->inbox))
				break;
		}
		drain_notes(s, v);
	}
	run_switch(s);
	s->rounds++;
	t1 = tally_dp_tsc();
	s->all_cycles += t1 - t0;
	if (work > 0)
		s->busy_cycles += t1 - t0;
}

/* Every live node publishes a quorate view of all live nodes and its membership is stable. */
static bool settled(struct sim *s)
{
	votequorum_ring_id_t ring = { 0, 0 };
	bool first = true;

	for (uint32_t i = 0; i < s->n; i++) {
		struct vnode *v = &s->v[i];
		struct tally_engine_stats st;

		if (!v->alive)
			continue;
		tally_engine_stats(v->e, &st);
		if (!st.stable || !st.quorate || st.n_members != s->n_alive)
			return false;
		if (first)
			ring = st.ring;
		else if (ring.nodeid != st.ring.nodeid || ring.seq != st.ring.seq)
			return false;
		first = false;
		tally_shm_read_snapshot(&v->rd, s->snap);
		if (!s->snap->sum.quorate || s->snap->sum.n_members != s->n_alive)
			return false;
	}
	return true;
}

static uint64_t views_installed(const struct sim *s, uint64_t *proposals)
{
	uint64_t views = 0, props = 0;

	for (uint32_t i = 0; i < s->n; i++) {
		struct tally_engine_stats st;

		if (!s->v[i].alive)
			continue;
		tally_engine_stats(s->v[i].e, &st);
		views += st.mb.views_installed;
		props += st.mb.proposals;
	}
	if (proposals != NULL)
		*proposals = props;
	return views;
}

/*
 * Where a long settle stands, every PROGRESS_NS: how many nodes are in how
 * large a view, how many distinct rings, what the membership did so far.
 */
#define PROGRESS_NS 10000000000ull

static void report_progress(const struct sim *s, uint64_t elapsed_ns)
{
	uint32_t rings = 0, largest = 0, in_largest = 0, stable = 0, quorate = 0, alive = 0;
	uint64_t props = 0, aborted = 0, rejects = 0, alerts = 0, views = 0;

	for (uint32_t i = 0; i < s->n; i++) {
		struct tally_engine_stats st;
		bool seen = false;

		if (!s->v[i].alive)
			continue;
		alive++;
		tally_engine_stats(s->v[i].e, &st);
		for (uint32_t j = 0; j < i && !seen; j++) {
			struct tally_engine_stats o;

			if (!s->v[j].alive)
				continue;
			tally_engine_stats(s->v[j].e, &o);
			seen = o.ring.nodeid == st.ring.nodeid && o.ring.seq == st.ring.seq;
		}
		rings += !seen;
		if (st.n_members > largest) {
			largest = st.n_members;
			in_largest = 0;
		}
		in_largest += st.n_members == largest;
		stable += st.stable;
		quorate += st.quorate;
		props += st.mb.proposals;
		aborted += st.mb.proposals_aborted;
		rejects += st.mb.rejects;
		alerts += st.mb.alerts;
		views += st.mb.views_installed;
	}
	printf("  %.0f s: %u nodes, %u rings, largest view %u (%u nodes in one that size), "
	       "%u stable, %u quorate; so far %" PRIu64 " views, %" PRIu64 " proposals (%" PRIu64
	       " aborted), %" PRIu64 " rejects, %" PRIu64 " alerts\n",
	       (double)elapsed_ns / 1e9, alive, rings, largest, in_largest, stable, quorate, views,
	       props, aborted, rejects, alerts);
}

/* Run rounds until settled, then `quiet_ns` more. false on timeout. */
static bool settle(struct sim *s, uint64_t timeout_ns, uint64_t quiet_ns)
{
	uint64_t t0 = mono_ns(), t, next = PROGRESS_NS;

	while (!settled(s)) {
		for (int k = 0; k < 16; k++)
			round_once(s);
		t = mono_ns() - t0;
		if (t > timeout_ns)
			return false;
		if (t >= next) {
			report_progress(s, t);
			next += PROGRESS_NS;
		}
	}
	t = mono_ns();
	while (mono_ns() - t < quiet_ns)
		round_once(s);
	return true;
}

/* The survivor's newest quorum event shows the victim gone and every survivor a member. */
static bool quorum_event_seen(struct sim *s, struct vnode *v, uint32_t victim)
{
	struct tally_shm_event ev;
	enum tally_shm_read r;
	bool seen = false;

	while ((r = tally_shm_next_event(&v->rd, &ev, s->evbuf, EVENT_CAP)) != TALLY_SHM_READ_NONE) {
		const struct tally_shm_ev_quorum *q = (const void *)s->evbuf;
		const votequorum_node_t *nodes = (const void *)(q + 1);
		uint32_t members = 0;
		bool victim_gone = true;

		if (r == TALLY_SHM_READ_LOST) {
			tally_shm_resync(&v->rd);
			continue;
		}
		if (ev.type != TALLY_SHM_EV_QUORUM || !q->quorate)
			continue;
		for (uint32_t i = 0; i < q->n_nodes; i++) {
			if (nodes[i].nodeid == victim)
				victim_gone = nodes[i].state != VOTEQUORUM_NODESTATE_MEMBER;
			else if (nodes[i].state == VOTEQUORUM_NODESTATE_MEMBER)
				members++;
		}
		if (victim_gone && members == s->n_alive)
			seen = true;
	}
	return seen;
}

static int trial_run(struct sim *s, uint32_t victim, uint64_t timeout_ns, struct trial *out)
{
	struct vnode *vv = &s->v[victim - 1];
	uint64_t t0, props0, props, detect_ns = 0, views0;
	uint32_t left;

	/*
	 * Crash at a random point of the victim's heartbeat cycle: the loop
	 * before this is in step with the heartbeats, and a crash always just
	 * after (or before) one would measure one end of the range only.
	 */
	t0 = mono_ns();
	for (uint64_t wait = (uint64_t)rand_r(&s->seed) % (s->ecfg.mb.interval_us * 1000u);
	     mono_ns() - t0 < wait;)
		round_once(s);
	for (uint32_t i = 0; i < s->n; i++)
		if (s->v[i].alive)
			tally_shm_resync(&s->v[i].rd);	/* events from now on */
	/* Its silence starts when it is no longer polled. */
	t0 = mono_ns();
	node_crash(s, vv);
	for (uint32_t i = 0; i < s->n; i++)
		s->v[i].done_ns = s->v[i].seen_ns = 0;
	views0 = views_installed(s, &props0);	/* survivors only */
	left = s->n_alive;
	while (left > 0) {
		uint64_t now;

		round_once(s);
		now = mono_ns();
		if (detect_ns == 0) {
			views_installed(s, &props);
			if (props != props0)
				detect_ns = now;
		}
		for (uint32_t i = 0; i < s->n; i++) {
			struct vnode *v = &s->v[i];

			if (!v->alive || v->seen_ns != 0 || !quorum_event_seen(s, v, victim))
				continue;
			v->seen_ns = now;
			tally_shm_read_snapshot(&v->rd, s->snap);
			v->done_ns = s->snap->sum.stamp_ns >= t0 ? s->snap->sum.stamp_ns : now;
			left--;
		}
		if (now - t0 > timeout_ns) {
			fprintf(stderr, "tally-vnodes: crash of node %u: %u of %u survivors did not "
				"publish the new quorum state within %.0f ms\n",
				victim, left, s->n_alive, (double)timeout_ns / 1e6);
			return -1;
		}
	}
	out->victim = victim;
	out->first_us = out->last_us = out->seen_us = -1;
	for (uint32_t i = 0; i < s->n; i++) {
		const struct vnode *v = &s->v[i];
		double d, seen;

		if (!v->alive)
			continue;
		d = (double)(v->done_ns - t0) / 1e3;
		seen = (double)(v->seen_ns - t0) / 1e3;
		if (out->first_us < 0 || d < out->first_us)
			out->first_us = d;
		if (d > out->last_us)
			out->last_us = d;
		if (seen > out->seen_us)
			out->seen_us = seen;
	}
	out->detect_us = detect_ns != 0 ? (double)(detect_ns - t0) / 1e3 : out->first_us;
	/* The stats lag by up to a tick (CMD_POLL_US, 1 ms): let every survivor tick twice. */
	t0 = mono_ns();
	while (mono_ns() - t0 < 2 * (s->ecfg.mb.interval_us > 1000 ? s->ecfg.mb.interval_us : 1000) * 1000u)
		round_once(s);
	out->views = views_installed(s, NULL) - views0;
	return 0;
}

/* Frames every live engine accepted (authenticated, fresh, decoded). */
static uint64_t frames_accepted(const struct sim *s)
{
	uint64_t ok = 0;

	for (uint32_t i = 0; i < s->n; i++) {
		struct tally_engine_stats st;

		if (!s->v[i].alive)
			continue;
		tally_engine_stats(s->v[i].e, &st);
		ok += st.c.wire[TALLY_WIRE_OK];
	}
	return ok;
}

/* Run idle_ms without faults: views installed (false failures) and what the thread did. */
static uint64_t idle_check(struct sim *s, uint64_t idle_ms)
{
	uint64_t views0 = views_installed(s, NULL), ok0 = frames_accepted(s), views, ok;
	uint64_t cyc0 = s->all_cycles, busy0 = s->busy_cycles, rounds0 = s->rounds, rounds;
	uint64_t cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID), t0 = mono_ns(), t1;
	double secs, busy, cpu, fps;

	while ((t1 = mono_ns()) - t0 < idle_ms * 1000000u)
		round_once(s);
	cpu = (double)(clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0) / 1e9;
	views = views_installed(s, NULL) - views0;
	ok = frames_accepted(s) - ok0;
	rounds = s->rounds - rounds0;
	secs = (double)(t1 - t0) / 1e9;
	busy = (double)(s->busy_cycles - busy0) / (double)(s->all_cycles - cyc0);
	fps = (double)ok / secs;
	printf("idle %.1f s: %" PRIu64 " views installed (false failures: %s), "
	       "%.0f rounds/s (%.1f us/round)\n",
	       secs, views, views == 0 ? "none" : "YES", (double)rounds / secs,
	       secs * 1e6 / (double)(rounds ? rounds : 1));
	/* The host is shared: the thread got cpu/secs of a CPU; busy is a share of that. */
	printf("authenticated frames accepted: %.0f /s; the thread ran %.0f %% of the "
	       "time, %.0f %% of that in rounds with frames (%.2f us of CPU per frame)\n",
	       fps, cpu / secs * 100, busy * 100, ok > 0 ? busy * cpu * 1e6 / (double)ok : 0.0);
	return views;
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

static int make_config(struct sim *s, uint64_t interval_us, uint32_t miss, uint32_t small_view,
		       char *err, size_t errlen)
{
	char key[96], val[32];
	int rc = 0;

	s->map = tally_cmap_new();
	if (s->map == NULL)
		return -ENOMEM;
	rc |= tally_cmap_set(s->map, "quorum.provider", "corosync_votequorum");
	rc |= tally_cmap_set(s->map, "totem.cluster_name", "vnodes");
	snprintf(val, sizeof(val), "%" PRIu64, interval_us);
	rc |= tally_cmap_set(s->map, "engine.heartbeat_interval", val);
	snprintf(val, sizeof(val), "%" PRIu32, miss);
	rc |= tally_cmap_set(s->map, "engine.miss_count", val);
	if (small_view != 0) {
		snprintf(val, sizeof(val), "%" PRIu32, small_view);
		rc |= tally_cmap_set(s->map, "engine.small_view", val);
	}
	for (uint32_t i = 1; i <= s->n; i++) {
		uint8_t m[TALLY_ETH_ADDR_LEN];

		node_mac(i, m);
		snprintf(key, sizeof(key), "nodelist.node.%u.nodeid", i - 1);
		snprintf(val, sizeof(val), "%u", i);
		rc |= tally_cmap_set(s->map, key, val);
		snprintf(key, sizeof(key), "nodelist.node.%u.ring0_addr", i - 1);
		snprintf(val, sizeof(val), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
		rc |= tally_cmap_set(s->map, key, val);
	}
	if (rc != 0)
		return -ENOMEM;
	if (tally_mb_params_from_cmap(s->map, &s->ecfg.mb, err, errlen) != 0 ||
	    tally_probe_params_from_cmap(s->map, &s->ecfg.probe, err, errlen) != 0 ||
	    tally_dp_cfg_from_cmap(&s->dpcfg, s->map, err, errlen) != 0)
		return -EINVAL;
	return 0;
}

/*
 * A ring in rte_malloc memory, not a memzone: DPDK 22.11 has 2560 memzones
 * and each engine takes two for its command and note rings, so memzone-backed
 * inboxes and outboxes would stop the tool near 640 nodes.
 */
static struct rte_ring *ring_new(const char *name, unsigned count)
{
	ssize_t size = rte_ring_get_memsize(count);
	struct rte_ring *r;

	if (size < 0)
		return NULL;
	r = rte_zmalloc(name, (size_t)size, RTE_CACHE_LINE_SIZE);
	if (r != NULL && rte_ring_init(r, name, count, RING_F_SP_ENQ | RING_F_SC_DEQ) != 0) {
		rte_free(r);
		r = NULL;
	}
	return r;
}

static int make_nodes(struct sim *s)
{
	unsigned inbox = 1024, mbufs = 4095;
	char name[RTE_RING_NAMESIZE];

	while (inbox < 8 * s->n)
		inbox *= 2;
	while (mbufs < 16 * s->n + 2047)
		mbufs = mbufs * 2 + 1;
	s->pool = rte_pktmbuf_pool_create("vnodes", mbufs, 256, 0,
					  RTE_PKTMBUF_HEADROOM + TALLY_ETH_HDR_LEN +
						  TALLY_WIRE_MAX_FRAME,
					  (int)rte_socket_id());
	if (s->pool == NULL) {
		fprintf(stderr, "tally-vnodes: mempool of %u mbufs: %s\n", mbufs,
			rte_strerror(rte_errno));
		return -1;
	}
	for (uint32_t i = 0; i < s->n; i++) {
		struct vnode *v = &s->v[i];

		v->id = i + 1;
		snprintf(name, sizeof(name), "vn-in-%u", v->id);
		v->inbox = ring_new(name, inbox);
		snprintf(name, sizeof(name), "vn-out-%u", v->id);
		v->outbox = ring_new(name, 1024);
		/* Anonymous memory in place of tallyd's shm_open: readers here are in-process. */
		v->seg = mmap(NULL, TALLY_SHM_SEGMENT_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (v->inbox == NULL || v->outbox == NULL || v->seg == MAP_FAILED) {
			fprintf(stderr, "tally-vnodes: node %u: rings or segment: %s\n", v->id,
				rte_strerror(rte_errno));
			return -1;
		}
		if (node_start(s, v) != 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Report                                                              */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *sorted, size_t n, double p)
{
	size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);

	return sorted[i < n ? i : n - 1];
}

static void summary(const char *what, const struct trial *t, size_t n, size_t off)
{
	double *x = malloc(n * sizeof(*x));

	if (x == NULL || n == 0) {
		free(x);
		return;
	}
	for (size_t i = 0; i < n; i++)
		x[i] = *(const double *)((const char *)&t[i] + off);
	qsort(x, n, sizeof(*x), cmp_double);
	printf("  %-34s p50 %10.1f  p90 %10.1f  p99 %10.1f  max %10.1f\n", what, pct(x, n, 50),
	       pct(x, n, 90), pct(x, n, 99), x[n - 1]);
	free(x);
}

static int usage(void)
{
	fprintf(stderr, "usage: tally-vnodes [-n NODES] [-t TRIALS] [--interval US] [--miss K] "
			"[--small-view N] [--idle MS] [--settle S] [--trial-timeout S] [--csv FILE] "
			"[-v]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "trials", required_argument, NULL, 't' },
		{ "interval", required_argument, NULL, 'i' },
		{ "miss", required_argument, NULL, 'k' },
		{ "small-view", required_argument, NULL, 'w' },
		{ "idle", required_argument, NULL, 'I' },
		{ "csv", required_argument, NULL, 'c' },
		{ "settle", required_argument, NULL, 'S' },
		{ "trial-timeout", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sim ss;
	struct sim *s = &ss;
	uint8_t authkey[64] = { 0x76, 0x6e };
	uint64_t interval_us = 1000, idle_ms = 1000, window_ns, idle_views, t0, tj, settle_ns = 0;
	uint64_t trial_ns = 0;
	uint32_t miss = 8, trials = 10, small_view = 0;
	const char *csv_path = NULL;
	struct trial *tr;
	FILE *csv = NULL;
	char err[256];
	int opt, rc = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* progress of long runs, also into a file */
	s->n = 16;
	while ((opt = getopt_long(argc, argv, "n:t:c:v", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			s->n = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 't':
			trials = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'i':
			interval_us = strtoull(optarg, NULL, 0);
			break;
		case 'k':
			miss = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'w':
			small_view = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'I':
			idle_ms = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			csv_path = optarg;
			break;
		case 'S':
			settle_ns = strtoull(optarg, NULL, 0) * 1000000000ull;
			break;
		case 'T':
			trial_ns = strtoull(optarg, NULL, 0) * 1000000000ull;
			break;
		case 'v':
			s->verbose = true;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc || s->n < 3 || s->n > MAX_NODES || interval_us == 0 || miss == 0)
		return usage();
	if (sodium_init() < 0)
		return 1;
	if (make_config(s, interval_us, miss, small_view, err, sizeof(err)) != 0) {
		fprintf(stderr, "tally-vnodes: %s\n", err);
		return 2;
	}
	s->dpcfg.idle = TALLY_DP_IDLE_BUSY;
	s->dpcfg.memory_mb = 128 + s->n;	/* pool, rings, each engine's note ring */
	if (tally_dp_eal_init(&s->dpcfg, argv[0], err, sizeof(err)) != 0) {
		fprintf(stderr, "tally-vnodes: %s\n", err);
		return 77;
	}
	tally_wire_key_derive(&s->ecfg.key, authkey, sizeof(authkey), "vnodes");
	s->ecfg.map = s->map;
	s->ecfg.note_fd = -1;
	s->v = calloc(s->n, sizeof(*s->v));
	s->snap = malloc(sizeof(*s->snap));
	s->evbuf = malloc(EVENT_CAP);
	tr = calloc(trials ? trials : 1, sizeof(*tr));
	if (s->v == NULL || s->snap == NULL || s->evbuf == NULL || tr == NULL)
		return 1;
	if (csv_path != NULL && (csv = fopen(csv_path, "w")) == NULL) {
		fprintf(stderr, "tally-vnodes: %s: %s\n", csv_path, strerror(errno));
		return 1;
	}
	if (make_nodes(s) != 0)
		return 1;

	window_ns = interval_us * miss * 1000u;
	if (settle_ns == 0)
		settle_ns = 60000000000ull + 1000u * window_ns;
	if (trial_ns == 0)
		trial_ns = 2000000000ull + 100u * window_ns;
	printf("tally-vnodes: %u nodes on one thread, heartbeat %" PRIu64 " us x %u misses "
	       "(window %.1f ms)\n", s->n, interval_us, miss, (double)window_ns / 1e6);
	t0 = mono_ns();
	if (!settle(s, settle_ns, 20 * interval_us * 1000u)) {
		fprintf(stderr, "tally-vnodes: the cluster of %u did not settle\n", s->n);
		return 1;
	}
	printf("settled in %.1f ms\n", (double)(mono_ns() - t0) / 1e6);

	idle_views = idle_check(s, idle_ms);

	if (csv != NULL)
		fprintf(csv, "nodes,interval_us,miss,trial,victim,detect_us,first_us,last_us,"
			     "seen_us,views\n");
	for (uint32_t k = 0; k < trials; k++) {
		uint32_t victim = k % s->n + 1;
		struct trial *t = &tr[k];

		if (trial_run(s, victim, trial_ns, t) != 0) {
			rc = 1;
			trials = k;
			break;
		}
		printf("trial %3u: node %4u crashed: detected %9.1f us, getinfo %9.1f .. %9.1f us, "
		       "every quorum event %9.1f us, %" PRIu64 " views\n",
		       k + 1, victim, t->detect_us, t->first_us, t->last_us, t->seen_us, t->views);
		if (csv != NULL)
			fprintf(csv, "%u,%" PRIu64 ",%u,%u,%u,%.1f,%.1f,%.1f,%.1f,%" PRIu64 "\n",
				s->n, interval_us, miss, k + 1, victim, t->detect_us, t->first_us,
				t->last_us, t->seen_us, t->views);
		tj = mono_ns();
		if (node_start(s, &s->v[victim - 1]) != 0 ||
		    !settle(s, settle_ns, 0)) {
			fprintf(stderr, "tally-vnodes: node %u did not rejoin\n", victim);
			rc = 1;
			trials = k + 1;
			break;
		}
		if (s->verbose)
			printf("           node %u rejoined in %.1f ms\n", victim,
			       (double)(mono_ns() - tj) / 1e6);
		tj = mono_ns();
		while (mono_ns() - tj < 2 * window_ns)
			round_once(s);
	}
	if (trials > 0) {
		printf("summary, %u nodes, heartbeat %" PRIu64 " us x %u, %u trials, %" PRIu64
		       " views while idle, us from the crash:\n",
		       s->n, interval_us, miss, trials, idle_views);
		summary("detect (first proposal)", tr, trials, offsetof(struct trial, detect_us));
		summary("getinfo, first survivor", tr, trials, offsetof(struct trial, first_us));
		summary("getinfo, every survivor", tr, trials, offsetof(struct trial, last_us));
		summary("quorum event, every survivor", tr, trials, offsetof(struct trial, seen_us));
	}
	printf("switch: %" PRIu64 " frames delivered, %" PRIu64 " dropped (inbox full), %" PRIu64
	       " to or from dead nodes\n",
	       s->delivered, s->dropped_full, s->dropped_dead);
	if (csv != NULL)
		fclose(csv);
	return rc;
}
