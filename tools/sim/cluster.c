/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated cluster behind tally-sim (see cluster.h).
 *
 * Views: the oracle groups running nodes greedily, in ascending id order,
 * into cliques of the "hears each other both ways" graph, so every view is
 * fully connected, views never overlap and the result does not depend on
 * anything but the connectivity. Each new view gets a ring id whose node is
 * the lowest member and whose seq grows by 4 per view (as totem's usually
 * does), and runs one votequorum sync round: sync_init everywhere, messages
 * delivered in one order, sync_activate once every member's sync_process
 * is done and nothing is in flight.
 */
#include "cluster.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config/cmap.h"
#include "membership/membership.h"
#include "quorum/quorum.h"
#include "shm/shm.h"
#include "wire/mb.h"

/* Node-table size of every simulated core: the largest cluster plus slack. */
#define SIM_NODE_TABLE (SIM_MAX_NODES + 2)
/* Guard against a protocol that never quiesces. */
#define SIM_MAX_STEPS 50000000u

struct sim_node {
	struct sim_cluster *c;
	uint32_t id;
	bool in_nodelist;
	bool running;
	struct tally_quorum *q;
	struct tally_mb *mb;		/**< protocol membership; NULL with the oracle */
	uint64_t incarnation;		/**< grows on every start */
	uint64_t gen;			/**< tells timers of an earlier life apart */
	uint64_t armed;			/**< earliest timer event queued (UINT64_MAX: none) */
	bool sync_signalled;		/**< told membership our sync round is done */
	struct tally_cmap *cmap;
	bool evt_present;
	uint32_t evt_value;
	int view;		/**< index into c->views, -1 before the first */
	bool sync_done;
	bool tracker;
	int partition;		/**< 0: the group of unlisted nodes */
	bool reply_ready;
	cs_error_t reply;
	char **log;
	size_t n_log;
	size_t cap_log;
	/* Real-world timing (struct sim_timing). */
	uint64_t views;			/**< installed in this life */
	uint64_t ticks;			/**< timer events handled in this life */
	uint64_t stalled_until;		/**< not running: frames and timers wait */
	uint64_t late_until;		/**< a timer that woke a sleeping node late */
	uint64_t last_active;		/**< last event handled */
	uint64_t *link_last;		/**< per destination id: last arrival (FIFO links) */
	size_t n_link_last;
};

struct sim_view {
	votequorum_ring_id_t ring;
	struct sim_node **members;
	size_t n_members;
	bool in_sync;
	bool current;
};

struct sim_msg {
	int view;
	struct sim_node *sender;
	struct tally_qmsg msg;
};

struct block {
	uint32_t from, to;
};

struct sim_cluster {
	struct sim_params p;
	uint64_t now;
	uint64_t last_seq;
	struct tally_cmap *base;
	struct sim_node **nodes;	/**< sorted by id */
	size_t n_nodes;
	struct sim_view *views;
	size_t n_views;
	struct sim_msg *queue;
	size_t q_head, q_tail, q_cap;
	struct block *blocks;
	size_t n_blocks;
	unsigned loss_pct;
	uint64_t rng;
	bool evt_default_set;	/**< evt_file given: every node's file holds it */
	uint32_t evt_default;
	struct tally_shm_snapshot *snapshot;	/**< scratch for sim_getinfo */
	/* Protocol membership: a network of timed events. */
	struct sim_event *heap;
	size_t n_heap, cap_heap;
	uint64_t ev_order;
	struct tally_mb_params mbp;
	votequorum_ring_id_t narrated;	/**< the last view narrated */
	/* The network carries bytes: every message is encoded and decoded. */
	struct tally_wire_mb_arrays *mb_arrays;	/**< decoder scratch */
	uint64_t mb_too_large, mb_invalid;	/**< sends dropped: could not be encoded */
	uint64_t trng;			/**< timing randomness, apart from `rng` */
};

/* A frame in flight, shared by the copies of a broadcast. */
struct sim_packet {
	unsigned refs;
	struct tally_mb_msg m;
	uint32_t *ids;
	uint64_t *incs;
	struct tally_mb_entry *entries;
};

_Static_assert(SIM_MAX_NODES <= TALLY_WIRE_MB_MAX_IDS, "every simulated hear set fits an id list");

/* Stands for a message that could not be encoded: no destination gets it. */
static struct sim_packet unencodable;

enum sim_event_kind { EV_DELIVER, EV_TIMER };

struct sim_event {
	uint64_t at;
	uint64_t order;		/**< ties broken by scheduling order: deterministic */
	enum sim_event_kind kind;
	struct sim_node *node;
	uint64_t gen;
	struct sim_packet *pkt;
};

/* ------------------------------------------------------------------ */

static struct sim_node *node_by_id(const struct sim_cluster *c, uint32_t id)
{
	size_t lo = 0, hi = c->n_nodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->nodes[mid]->id == id)
			return c->nodes[mid];
		if (c->nodes[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The quorum core keeps milliseconds; the network runs in microseconds. */
static uint64_t now_ms(const struct sim_cluster *c)
{
	return c->now / 1000;
}

static struct sim_node *node_add(struct sim_cluster *c, uint32_t id)
{
	struct sim_node **nodes, *n;
	size_t pos;

	if (c->n_nodes == SIM_MAX_NODES)
		return NULL;
	n = calloc(1, sizeof(*n));
	nodes = realloc(c->nodes, (c->n_nodes + 1) * sizeof(*nodes));
	if (n == NULL || nodes == NULL) {
		free(n);
		if (nodes != NULL)
			c->nodes = nodes;
		return NULL;
	}
	c->nodes = nodes;
	for (pos = c->n_nodes; pos > 0 && c->nodes[pos - 1]->id > id; pos--)
		c->nodes[pos] = c->nodes[pos - 1];
	c->nodes[pos] = n;
	c->n_nodes++;
	n->c = c;
	n->id = id;
	n->view = -1;
	n->armed = UINT64_MAX;
	n->evt_present = c->evt_default_set;
	n->evt_value = c->evt_default;
	return n;
}

static void log_clear(struct sim_node *n);
static void narrate(struct sim_cluster *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void narrate(struct sim_cluster *c, const char *fmt, ...)
{
	va_list ap;

	if (c->p.narrate == NULL)
		return;
	fprintf(c->p.narrate, "[%4" PRIu64 ".%06" PRIu64 "s] ", c->now / 1000000,
		c->now % 1000000);
	va_start(ap, fmt);
	vfprintf(c->p.narrate, fmt, ap);
	va_end(ap);
	fputc('\n', c->p.narrate);
}

static void log_append(struct sim_node *n, const char *text)
{
	if (n->n_log == n->cap_log) {
		size_t cap = n->cap_log ? n->cap_log * 2 : 16;
		char **log = realloc(n->log, cap * sizeof(*log));

		if (log == NULL)
			abort();	/* the simulator cannot go on without its record */
		n->log = log;
		n->cap_log = cap;
	}
	n->log[n->n_log] = strdup(text);
	if (n->log[n->n_log] == NULL)
		abort();
	n->n_log++;
}

/* Render a notification as the scenario language writes it. */
static void format_notification(const struct tally_qnotify *q, char *buf, size_t len)
{
	size_t off;

	switch (q->type) {
	case TALLY_QNOTIFY_NODELIST:
		off = (size_t)snprintf(buf, len, "nodelist(");
		for (uint32_t i = 0; i < q->nodelist.n_members && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, "%s%" PRIu32, i ? "," : "",
						q->nodelist.members[i]);
		if (off < len)
			snprintf(buf + off, len - off, ")");
		break;
	case TALLY_QNOTIFY_QUORUM:
		snprintf(buf, len, "quorum(%" PRIu32 ")", q->quorum.quorate);
		break;
	case TALLY_QNOTIFY_EXPECTEDVOTES:
		snprintf(buf, len, "expectedvotes(%" PRIu32 ")", q->expectedvotes.expected_votes);
		break;
	}
}

static void tracker_sink(void *ctx, const struct tally_qnotify *q)
{
	struct sim_node *n = ctx;
	char buf[16384];

	format_notification(q, buf, sizeof(buf));
	if (q->type == TALLY_QNOTIFY_NODELIST)
		narrate(n->c, "node %" PRIu32 ": callback %s ring %" PRIx32 ".%" PRIx64, n->id, buf,
			q->nodelist.ring_id.nodeid, q->nodelist.ring_id.seq);
	else
		narrate(n->c, "node %" PRIu32 ": callback %s", n->id, buf);
	log_append(n, buf);
}

/* ------------------------------------------------------------------ */
/* Core operations                                                     */

static void op_send(void *ctx, const struct tally_qmsg *msg)
{
	struct sim_node *n = ctx;
	struct sim_cluster *c = n->c;

	if (n->mb != NULL) {
		tally_mb_submit(n->mb, msg, c->now);
		return;
	}
	if (c->q_tail == c->q_cap) {
		if (c->q_head > 0) {
			memmove(c->queue, c->queue + c->q_head,
				(c->q_tail - c->q_head) * sizeof(*c->queue));
			c->q_tail -= c->q_head;
			c->q_head = 0;
		} else {
			size_t cap = c->q_cap ? c->q_cap * 2 : 256;
			struct sim_msg *qq = realloc(c->queue, cap * sizeof(*qq));

			if (qq == NULL)
				abort();
			c->queue = qq;
			c->q_cap = cap;
		}
	}
	c->queue[c->q_tail].view = n->view;
	c->queue[c->q_tail].sender = n;
	c->queue[c->q_tail].msg = *msg;
	c->q_tail++;
}

static void op_notify(void *ctx, const struct tally_qnotify *q)
{
	struct sim_node *n = ctx;

	if (n->tracker)
		tracker_sink(n, q);
}

static void op_reply(void *ctx, uint64_t token, cs_error_t result)
{
	struct sim_node *n = ctx;

	(void)token;
	n->reply_ready = true;
	n->reply = result;
}

static void op_persist(void *ctx, uint32_t barrier)
{
	struct sim_node *n = ctx;

	n->evt_present = true;
	n->evt_value = barrier;
}

static void op_log(void *ctx, enum tally_qlog_level level, const char *text)
{
	struct sim_node *n = ctx;

	if (level <= TALLY_QLOG_WARNING)
		narrate(n->c, "node %" PRIu32 ": %s", n->id, text);
}

static const struct tally_quorum_ops sim_ops = {
	.send = op_send,
	.notify = op_notify,
	.reply = op_reply,
	.persist_ev_barrier = op_persist,
	.log = op_log,
};

/* ------------------------------------------------------------------ */
/* Views                                                               */

static bool blocked(const struct sim_cluster *c, uint32_t from, uint32_t to)
{
	for (size_t i = 0; i < c->n_blocks; i++)
		if (c->blocks[i].from == from && c->blocks[i].to == to)
			return true;
	return false;
}

static bool connected(const struct sim_cluster *c, const struct sim_node *a,
		      const struct sim_node *b)
{
	return a->partition == b->partition && !blocked(c, a->id, b->id) &&
	       !blocked(c, b->id, a->id);
}

static int install_view(struct sim_cluster *c, struct sim_node **members, size_t n)
{
	struct sim_view *views, *v;
	uint32_t *ids;

	views = realloc(c->views, (c->n_views + 1) * sizeof(*views));
	ids = malloc(n * sizeof(*ids));
	if (views == NULL || ids == NULL) {
		if (views != NULL)
			c->views = views;
		free(ids);
		return -ENOMEM;
	}
	c->views = views;
	v = &c->views[c->n_views];
	memset(v, 0, sizeof(*v));
	v->members = malloc(n * sizeof(*v->members));
	if (v->members == NULL) {
		free(ids);
		return -ENOMEM;
	}
	memcpy(v->members, members, n * sizeof(*members));
	v->n_members = n;
	v->in_sync = true;
	v->current = true;
	c->last_seq += 4;
	v->ring.nodeid = members[0]->id;
	v->ring.seq = c->last_seq;

	for (size_t i = 0; i < n; i++)
		ids[i] = members[i]->id;
	for (size_t i = 0; i < n; i++) {
		members[i]->view = (int)c->n_views;
		members[i]->sync_done = false;
		members[i]->views++;
	}
	c->n_views++;
	if (c->p.narrate != NULL) {
		char buf[8192];
		size_t off = 0;

		for (size_t i = 0; i < n && off < sizeof(buf); i++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%" PRIu32,
						i ? "," : "", ids[i]);
		narrate(c, "view %" PRIx32 ".%" PRIx64 " members %s", v->ring.nodeid, v->ring.seq,
			buf);
	}
	for (size_t i = 0; i < n; i++)
		tally_quorum_sync_init(members[i]->q, &v->ring, ids, n, now_ms(c));
	free(ids);
	return 0;
}

/* Is `group` exactly the current view of each of its members? */
static bool view_unchanged(const struct sim_cluster *c, struct sim_node **group, size_t n)
{
	int v = group[0]->view;

	if (v < 0 || !c->views[v].current || c->views[v].n_members != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (group[i]->view != v || c->views[v].members[i] != group[i])
			return false;
	return true;
}

static int recompute_views(struct sim_cluster *c)
{
	struct sim_node **group;
	bool *assigned;
	int rc = 0;

	group = malloc((c->n_nodes + 1) * sizeof(*group));
	assigned = calloc(c->n_nodes + 1, sizeof(*assigned));
	if (group == NULL || assigned == NULL) {
		free(group);
		free(assigned);
		return -ENOMEM;
	}

	/* Views of departed members are over. */
	for (size_t v = 0; v < c->n_views; v++)
		for (size_t i = 0; i < c->views[v].n_members; i++)
			if (!c->views[v].members[i]->running)
				c->views[v].current = false;

	for (size_t i = 0; i < c->n_nodes && rc == 0; i++) {
		size_t n = 0;

		if (!c->nodes[i]->running || assigned[i])
			continue;
		group[n++] = c->nodes[i];
		assigned[i] = true;
		for (size_t j = i + 1; j < c->n_nodes; j++) {
			bool ok = c->nodes[j]->running && !assigned[j];

			for (size_t k = 0; ok && k < n; k++)
				ok = connected(c, group[k], c->nodes[j]);
			if (ok) {
				group[n++] = c->nodes[j];
				assigned[j] = true;
			}
		}
		if (view_unchanged(c, group, n))
			continue;
		for (size_t k = 0; k < n; k++)
			if (group[k]->view >= 0)
				c->views[group[k]->view].current = false;
		rc = install_view(c, group, n);
	}
	free(group);
	free(assigned);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Settling                                                            */

static void deliver_one(struct sim_cluster *c)
{
	struct sim_msg m = c->queue[c->q_head++];

	if (m.view < 0) {
		/* Sent before the node's first view: only the sender hears it. */
		if (m.sender->running)
			tally_quorum_deliver(m.sender->q, m.sender->id, &m.msg, now_ms(c));
		return;
	}
	if (!c->views[m.view].current)
		return;	/* the view ended; virtual synchrony drops it */
	for (size_t i = 0; i < c->views[m.view].n_members; i++) {
		struct sim_node *n = c->views[m.view].members[i];

		if (n->running)
			tally_quorum_deliver(n->q, m.sender->id, &m.msg, now_ms(c));
	}
}

static void activate(struct sim_cluster *c, struct sim_view *v)
{
	for (size_t i = 0; i < v->n_members; i++) {
		struct sim_node *n = v->members[i];

		tally_quorum_sync_activate(n->q);
		if (!n->tracker) {
			/* The node's client connects once the daemon is up: trackstart(CHANGES). */
			n->tracker = true;
			tally_quorum_emit_current(n->q, tracker_sink, n);
		}
	}
	v->in_sync = false;
}

/* Internal consistency of every core after every settle (cheap, always on). */
static int check_cores(struct sim_cluster *c)
{
	for (size_t i = 0; i < c->n_nodes; i++) {
		if (c->nodes[i]->running && !tally_quorum_tally_consistent(c->nodes[i]->q)) {
			fprintf(stderr, "tally-sim: node %" PRIu32 ": member tally is inconsistent\n",
				c->nodes[i]->id);
			abort();
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Protocol membership: nodes run engine/core/membership over a        */
/* simulated network of timed, lossy, partitionable links.             */

#define NET_DELAY_US 20u	/* one-way frame latency */
#define NET_JITTER_US 10u	/* added at random: frames may overtake each other */
#define SETTLE_CHECK_US 250u	/* how often settling looks at every node */
#define SPIN_US 20u		/* an idle node spins this long before it sleeps */
#define STALL_MIN_US 500u	/* shortest random stall */

static uint64_t splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t sim_rand(struct sim_cluster *c)
{
	return splitmix(&c->rng);
}

/* Uniform in 0..max. */
static uint64_t timing_rand(struct sim_cluster *c, uint64_t max)
{
	return max ? splitmix(&c->trng) % (max + 1) : 0;
}

static bool ev_before(const struct sim_event *a, const struct sim_event *b)
{
	return a->at != b->at ? a->at < b->at : a->order < b->order;
}

static void heap_push(struct sim_cluster *c, const struct sim_event *ev)
{
	size_t i;

	if (c->n_heap == c->cap_heap) {
		size_t cap = c->cap_heap ? c->cap_heap * 2 : 1024;
		struct sim_event *h = realloc(c->heap, cap * sizeof(*h));

		if (h == NULL)
			abort();	/* the simulation cannot go on without its events */
		c->heap = h;
		c->cap_heap = cap;
	}
	i = c->n_heap++;
	c->heap[i] = *ev;
	c->heap[i].order = c->ev_order++;
	while (i > 0 && ev_before(&c->heap[i], &c->heap[(i - 1) / 2])) {
		struct sim_event t = c->heap[i];

		c->heap[i] = c->heap[(i - 1) / 2];
		c->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static struct sim_event heap_pop(struct sim_cluster *c)
{
	struct sim_event top = c->heap[0];
	size_t i = 0;

	c->heap[0] = c->heap[--c->n_heap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < c->n_heap && ev_before(&c->heap[l], &c->heap[m]))
			m = l;
		if (r < c->n_heap && ev_before(&c->heap[r], &c->heap[m]))
			m = r;
		if (m == i)
			break;
		struct sim_event t = c->heap[i];

		c->heap[i] = c->heap[m];
		c->heap[m] = t;
		i = m;
	}
	return top;
}

static void packet_put(struct sim_packet *p)
{
	if (--p->refs == 0) {
		free(p->ids);
		free(p->incs);
		free(p->entries);
		free(p);
	}
}

static void *memdup_or_die(const void *src, size_t len)
{
	void *p = malloc(len);

	if (p == NULL)
		abort();
	return memcpy(p, src, len);
}

/*
 * What the receivers get is what a frame body carries: the message encoded
 * and decoded again, so every scenario proves the wire format too.
 */
static struct sim_packet *packet_new(struct sim_cluster *c, const struct tally_mb_msg *m)
{
	const struct tally_wire_hdr hdr = { TALLY_WIRE_MEMBERSHIP, m->from, m->inc, 0 };
	uint8_t body[TALLY_WIRE_MAX_BODY];
	struct sim_packet *p;
	int n = tally_wire_encode_mb(m, body, sizeof(body));

	if (n < 0) {
		if (n == -EMSGSIZE)
			c->mb_too_large++;
		else
			c->mb_invalid++;
		narrate(c, "node %" PRIu32 ": membership message type %d not encoded: %s", m->from,
			(int)m->type, n == -EMSGSIZE ? "too large" : "invalid");
		return &unencodable;
	}
	if (c->mb_arrays == NULL && (c->mb_arrays = malloc(sizeof(*c->mb_arrays))) == NULL)
		abort();
	p = calloc(1, sizeof(*p));
	if (p == NULL ||
	    tally_wire_decode_mb(&hdr, body, (size_t)n, &p->m, c->mb_arrays) != TALLY_WIRE_OK ||
	    !tally_wire_mb_same(m, &p->m))
		abort();	/* our own encoding must decode to what was sent */
	/* The scratch arrays are reused by the next packet: keep a copy. */
	if (p->m.n_ids > 0)
		p->ids = memdup_or_die(p->m.ids, p->m.n_ids * sizeof(*p->ids));
	if (p->m.incs != NULL && p->m.n_ids > 0)
		p->incs = memdup_or_die(p->m.incs, p->m.n_ids * sizeof(*p->incs));
	if (p->m.n_entries > 0)
		p->entries = memdup_or_die(p->m.entries, p->m.n_entries * sizeof(*p->entries));
	p->m.ids = p->ids;
	p->m.incs = p->incs;
	p->m.entries = p->entries;
	return p;
}

/* Schedule the node's next timer if it is earlier than the one queued. */
static void arm(struct sim_node *n)
{
	struct sim_cluster *c = n->c;
	uint64_t d, qd;
	struct sim_event ev = { .kind = EV_TIMER };

	if (!n->running || n->mb == NULL)
		return;
	d = tally_mb_next_deadline(n->mb);
	qd = tally_quorum_next_deadline(n->q);
	if (qd != UINT64_MAX && qd * 1000 < d)
		d = qd * 1000;
	if (d < c->now)
		d = c->now;
	if (d < n->stalled_until)
		d = n->stalled_until;	/* a stalled node runs nothing */
	if (d < n->late_until)
		d = n->late_until;	/* it sleeps a little past its deadline */
	if (d >= n->armed)
		return;
	n->armed = d;
	ev.at = d;
	ev.node = n;
	ev.gen = n->gen;
	heap_push(c, &ev);
}

static bool link_up(const struct sim_cluster *c, const struct sim_node *from,
		    const struct sim_node *to)
{
	return from->partition == to->partition && !blocked(c, from->id, to->id);
}

static void transmit(struct sim_cluster *c, struct sim_node *from, struct sim_node *to,
		     struct sim_packet **pkt, const struct tally_mb_msg *m)
{
	struct sim_event ev = { .kind = EV_DELIVER };

	if (to == from || !to->running || !link_up(c, from, to))
		return;
	if (c->loss_pct > 0 && sim_rand(c) % 100 < c->loss_pct)
		return;
	if (*pkt == NULL)
		*pkt = packet_new(c, m);
	if (*pkt == &unencodable)
		return;
	(*pkt)->refs++;
	if (c->p.timing.delay_us == 0) {
		ev.at = c->now + NET_DELAY_US + sim_rand(c) % (NET_JITTER_US + 1);
	} else {
		/* A link is FIFO (one wire, one queue): delays push later frames back. */
		ev.at = c->now + c->p.timing.delay_us + timing_rand(c, c->p.timing.jitter_us);
		if (to->id >= from->n_link_last) {
			size_t cap = (size_t)to->id + 1;
			uint64_t *l = realloc(from->link_last, cap * sizeof(*l));

			if (l == NULL)
				abort();
			memset(l + from->n_link_last, 0, (cap - from->n_link_last) * sizeof(*l));
			from->link_last = l;
			from->n_link_last = cap;
		}
		if (ev.at < from->link_last[to->id])
			ev.at = from->link_last[to->id];
		from->link_last[to->id] = ev.at;
	}
	ev.node = to;
	ev.gen = to->gen;
	ev.pkt = *pkt;
	heap_push(c, &ev);
}

static void mb_send(void *ctx, uint32_t to, const struct tally_mb_msg *m)
{
	struct sim_node *n = ctx;
	struct sim_cluster *c = n->c;
	struct sim_packet *pkt = NULL;

	if (to == TALLY_MB_BROADCAST) {
		for (size_t i = 0; i < c->n_nodes; i++)
			transmit(c, n, c->nodes[i], &pkt, m);
	} else {
		struct sim_node *dst = node_by_id(c, to);

		if (dst != NULL)
			transmit(c, n, dst, &pkt, m);
	}
}

/* The quorum core's sync round is done unless it waits for a device poll. */
static void sync_progress(struct sim_node *n)
{
	if (n->sync_signalled || !tally_quorum_in_sync(n->q))
		return;
	if (tally_quorum_sync_process(n->q)) {
		n->sync_signalled = true;
		tally_mb_sync_done(n->mb, n->c->now);
	}
}

static void mb_view(void *ctx, const votequorum_ring_id_t *ring, const uint32_t *members,
		    size_t n_members)
{
	struct sim_node *n = ctx;
	struct sim_cluster *c = n->c;

	if (c->p.narrate != NULL &&
	    (ring->nodeid != c->narrated.nodeid || ring->seq != c->narrated.seq)) {
		char buf[8192];
		size_t off = 0;

		for (size_t i = 0; i < n_members && off < sizeof(buf); i++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%" PRIu32,
						i ? "," : "", members[i]);
		narrate(c, "view %" PRIx32 ".%" PRIx64 " members %s", ring->nodeid, ring->seq, buf);
		c->narrated = *ring;
	}
	n->sync_signalled = false;
	n->views++;
	tally_quorum_sync_init(n->q, ring, members, n_members, now_ms(c));
	sync_progress(n);
}

static void mb_deliver(void *ctx, uint32_t sender, const struct tally_qmsg *msg)
{
	struct sim_node *n = ctx;

	tally_quorum_deliver(n->q, sender, msg, now_ms(n->c));
	sync_progress(n);
}

static void mb_activate(void *ctx)
{
	struct sim_node *n = ctx;

	tally_quorum_sync_activate(n->q);
	if (!n->tracker) {
		/* The node's client connects once the daemon is up: trackstart(CHANGES). */
		n->tracker = true;
		tally_quorum_emit_current(n->q, tracker_sink, n);
	}
}

static const struct tally_mb_ops sim_mb_ops = {
	.send = mb_send,
	.view = mb_view,
	.deliver = mb_deliver,
	.activate = mb_activate,
};

/*
 * The timing model's say over an event: a stalled node handles nothing until
 * the stall ends (frames queue and arrive together, as a burst), and a node
 * that went to sleep wakes for its timer up to wake_us late. True when the
 * event was put off.
 */
static bool timing_defers(struct sim_cluster *c, struct sim_event *ev)
{
	struct sim_node *n = ev->node;
	const struct sim_timing *t = &c->p.timing;

	if (!n->running || n->mb == NULL)
		return false;
	if (ev->kind == EV_DELIVER) {
		if (ev->at >= n->stalled_until)
			return false;
		ev->at = n->stalled_until;
		heap_push(c, ev);
		return true;
	}
	if (ev->gen != n->gen || ev->at != n->armed)
		return false;
	if (ev->at < n->stalled_until) {
		n->armed = UINT64_MAX;
		arm(n);
		return true;
	}
	if (t->wake_us > 0 && ev->at != n->late_until && ev->at - n->last_active > SPIN_US) {
		n->late_until = ev->at + timing_rand(c, t->wake_us);
		n->armed = UINT64_MAX;
		arm(n);
		return true;
	}
	return false;
}

/* After a tick: the node may stall now (descheduled, or still starting). */
static void timing_after_tick(struct sim_cluster *c, struct sim_node *n)
{
	const struct sim_timing *t = &c->p.timing;
	uint64_t len = 0;

	if (n->ticks++ == 0 && t->start_stall_us > 0)
		len = timing_rand(c, t->start_stall_us);
	else if (t->stall_rate > 0 && t->stall_max_us >= STALL_MIN_US &&
		 timing_rand(c, 999999) < (uint64_t)t->stall_rate * c->mbp.interval_us)
		len = STALL_MIN_US + timing_rand(c, t->stall_max_us - STALL_MIN_US);
	if (len > 0 && c->now + len > n->stalled_until)
		n->stalled_until = c->now + len;
}

static void process_event(struct sim_cluster *c, struct sim_event *ev)
{
	struct sim_node *n = ev->node;

	c->now = ev->at;
	if (timing_defers(c, ev))
		return;
	n->last_active = c->now;
	if (ev->kind == EV_DELIVER) {
		if (n->running && n->mb != NULL)
			tally_mb_receive(n->mb, &ev->pkt->m, c->now);
		packet_put(ev->pkt);
	} else {
		if (ev->gen != n->gen || !n->running || ev->at != n->armed)
			return;	/* a timer of an earlier life, or superseded */
		n->armed = UINT64_MAX;
		if (tally_quorum_next_deadline(n->q) <= now_ms(c))
			tally_quorum_expire(n->q, now_ms(c));
		tally_mb_tick(n->mb, c->now);
		sync_progress(n);
		timing_after_tick(c, n);
	}
	if (n->running && n->mb != NULL)
		arm(n);
}

/*
 * One node is settled when its membership is stable and its sync barrier is
 * passed — or the barrier waits for a member whose quorum core waits for a
 * device poll, which only a call or `advance` ends.
 */
static bool node_settled(struct sim_cluster *c, struct sim_node *n)
{
	const uint32_t *members;
	size_t k;

	if (!tally_mb_stable(n->mb, c->now))
		return false;
	if (!tally_mb_in_sync(n->mb))
		return true;
	k = tally_mb_members(n->mb, &members);
	for (size_t i = 0; i < k; i++) {
		struct sim_node *o = node_by_id(c, members[i]);

		if (o != NULL && o->running && o->mb != NULL && !o->sync_signalled)
			return true;
	}
	return false;
}

static bool cluster_settled(struct sim_cluster *c)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		if (c->nodes[i]->running && !node_settled(c, c->nodes[i]))
			return false;
	return true;
}

/* Run events up to `until` (inclusive). */
static void run_until(struct sim_cluster *c, uint64_t until)
{
	while (c->n_heap > 0 && c->heap[0].at <= until) {
		struct sim_event ev = heap_pop(c);

		process_event(c, &ev);
	}
	if (until > c->now)
		c->now = until;
}

/*
 * Run until every node has been settled for a quiet period long enough for
 * any failure to be detected (two detection windows and a few intervals).
 */
static int settle_protocol(struct sim_cluster *c)
{
	uint64_t window = c->mbp.interval_us * c->mbp.miss_count;
	uint64_t quiet = 2 * window + 4 * c->mbp.interval_us;
	uint64_t limit = c->now + (uint64_t)SIM_SETTLE_LIMIT_MS * 1000;
	uint64_t calm_since = c->now;

	for (size_t i = 0; i < c->n_nodes; i++)
		arm(c->nodes[i]);
	while (c->now < limit) {
		run_until(c, c->now + SETTLE_CHECK_US);
		if (!cluster_settled(c))
			calm_since = c->now;
		else if (c->now - calm_since >= quiet)
			return check_cores(c);
	}
	return -ETIMEDOUT;
}

static int settle_oracle(struct sim_cluster *c)
{
	int rc = recompute_views(c);

	if (rc != 0)
		return rc;
	for (uint64_t steps = 0; steps < SIM_MAX_STEPS; steps++) {
		bool progress = false;

		if (c->q_head < c->q_tail) {
			deliver_one(c);
			continue;
		}
		for (size_t v = 0; v < c->n_views && !progress; v++) {
			struct sim_view *view = &c->views[v];
			bool all_done = true;

			if (!view->current || !view->in_sync)
				continue;
			for (size_t i = 0; i < view->n_members; i++) {
				struct sim_node *n = view->members[i];

				if (!n->sync_done)
					n->sync_done = tally_quorum_sync_process(n->q);
				all_done = all_done && n->sync_done;
			}
			if (c->q_head < c->q_tail) {
				progress = true;	/* deliver what sync sent first */
			} else if (all_done) {
				activate(c, view);
				progress = true;
			}
		}
		if (!progress)
			return check_cores(c);
	}
	return -ETIMEDOUT;
}

static int settle(struct sim_cluster *c)
{
	return c->p.membership == SIM_MEMBERSHIP_PROTOCOL ? settle_protocol(c) : settle_oracle(c);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

struct sim_cluster *sim_cluster_new(const struct sim_params *p)
{
	struct sim_cluster *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->p = *p;
	c->rng = p->seed ? p->seed : 1;
	c->trng = c->rng ^ 0x5851f42d4c957f2dull;
	tally_mb_params_default(&c->mbp);
	c->base = tally_cmap_new();
	if (c->base == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

static void node_halt(struct sim_node *n)
{
	tally_mb_destroy(n->mb);
	n->mb = NULL;
	n->gen++;
	n->armed = UINT64_MAX;
	tally_quorum_destroy(n->q);
	tally_cmap_free(n->cmap);
	n->q = NULL;
	n->cmap = NULL;
	n->running = false;
	n->tracker = false;
	n->view = -1;
}

void sim_cluster_free(struct sim_cluster *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_nodes; i++) {
		struct sim_node *n = c->nodes[i];

		node_halt(n);
		for (size_t k = 0; k < n->n_log; k++)
			free(n->log[k]);
		free(n->log);
		free(n->link_last);
		free(n);
	}
	for (size_t v = 0; v < c->n_views; v++)
		free(c->views[v].members);
	free(c->views);
	for (size_t i = 0; i < c->n_heap; i++)
		if (c->heap[i].kind == EV_DELIVER)
			packet_put(c->heap[i].pkt);
	free(c->heap);
	free(c->nodes);
	free(c->queue);
	free(c->blocks);
	free(c->snapshot);
	tally_cmap_free(c->base);
	if (c->mb_too_large + c->mb_invalid > 0)
		fprintf(stderr,
			"tally-sim: %" PRIu64 " membership messages dropped unencoded (%" PRIu64
			" too large for a frame, %" PRIu64 " invalid)\n",
			c->mb_too_large + c->mb_invalid, c->mb_too_large, c->mb_invalid);
	free(c->mb_arrays);
	free(c);
}

int sim_add_node(struct sim_cluster *c, uint32_t id, uint32_t votes)
{
	struct sim_node *n;
	char key[64], val[16];
	size_t index;
	int rc;

	if (id == 0 || node_by_id(c, id) != NULL)
		return -EINVAL;
	n = node_add(c, id);
	if (n == NULL)
		return -ENOMEM;
	n->in_nodelist = true;

	index = 0;
	for (size_t i = 0; i < c->n_nodes; i++)
		index += c->nodes[i]->in_nodelist;
	index--;
	snprintf(key, sizeof(key), "nodelist.node.%zu.nodeid", index);
	snprintf(val, sizeof(val), "%" PRIu32, id);
	rc = tally_cmap_set(c->base, key, val);
	snprintf(key, sizeof(key), "nodelist.node.%zu.quorum_votes", index);
	snprintf(val, sizeof(val), "%" PRIu32, votes);
	if (rc == 0)
		rc = tally_cmap_set(c->base, key, val);
	snprintf(key, sizeof(key), "nodelist.node.%zu.ring0_addr", index);
	snprintf(val, sizeof(val), "n%" PRIu32, id);
	if (rc == 0)
		rc = tally_cmap_set(c->base, key, val);
	snprintf(key, sizeof(key), "nodelist.node.%zu.name", index);
	if (rc == 0)
		rc = tally_cmap_set(c->base, key, val);
	return rc;
}

int sim_config(struct sim_cluster *c, const char *key, const char *value)
{
	return tally_cmap_set(c->base, key, value);
}

void sim_evt_file(struct sim_cluster *c, uint32_t value)
{
	c->evt_default_set = true;
	c->evt_default = value;
	for (size_t i = 0; i < c->n_nodes; i++) {
		c->nodes[i]->evt_present = true;
		c->nodes[i]->evt_value = value;
	}
}

uint64_t sim_now(const struct sim_cluster *c)
{
	return c->now / 1000;
}

bool sim_running(const struct sim_cluster *c, uint32_t id)
{
	const struct sim_node *n = node_by_id(c, id);

	return n != NULL && n->running;
}

size_t sim_running_ids(const struct sim_cluster *c, uint32_t *ids, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n_nodes && k < max; i++)
		if (c->nodes[i]->running)
			ids[k++] = c->nodes[i]->id;
	return k;
}

int sim_start(struct sim_cluster *c, const uint32_t *ids, size_t n, char *err, size_t errlen)
{
	int first_rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct sim_node *node = node_by_id(c, ids[i]);
		char why[512] = "";

		if (node == NULL)
			node = node_add(c, ids[i]);
		if (node == NULL)
			return -ENOMEM;
		if (node->running)
			continue;
		node->cmap = tally_cmap_dup(c->base);
		if (node->cmap == NULL)
			return -ENOMEM;
		node->q = tally_quorum_create(node->id, node->cmap,
					      node->evt_present ? node->evt_value : 0,
					      SIM_NODE_TABLE, &sim_ops, node, why, sizeof(why));
		/* A bad value, in the quorum section or the engine's timing, refuses the start. */
		if (node->q == NULL ||
		    (c->p.membership == SIM_MEMBERSHIP_PROTOCOL &&
		     tally_mb_params_from_cmap(c->base, &c->mbp, why, sizeof(why)) != 0)) {
			narrate(c, "node %" PRIu32 ": refused to start: %s", node->id, why);
			tally_quorum_destroy(node->q);
			node->q = NULL;
			tally_cmap_free(node->cmap);
			node->cmap = NULL;
			if (first_rc == 0) {
				snprintf(err, errlen, "%s", why);
				first_rc = -EINVAL;
			}
			continue;
		}
		if (c->p.membership == SIM_MEMBERSHIP_PROTOCOL) {
			if (c->p.small_view != 0)
				c->mbp.small_view = c->p.small_view;	/* --small-view overrides the config */
			node->mb = tally_mb_create(node->id, node->incarnation + 1, &c->mbp,
						   &sim_mb_ops, node, c->now);
			if (node->mb == NULL)
				return -ENOMEM;
		}
		node->running = true;
		node->incarnation++;
		node->views = 0;
		node->ticks = 0;
		node->late_until = 0;
		node->last_active = c->now;
		/* Nodes started together do not tick in step on a real machine. */
		node->stalled_until =
			c->p.timing.skew ? c->now + timing_rand(c, c->mbp.interval_us - 1) : 0;
		node->view = -1;
		node->reply_ready = false;
		node->sync_signalled = false;
		/* A new daemon, a new client: its tracker starts with an empty record. */
		log_clear(node);
		narrate(c, "node %" PRIu32 ": started", node->id);
	}
	return first_rc != 0 ? (settle(c) ? -ETIMEDOUT : first_rc) : settle(c);
}

int sim_kill(struct sim_cluster *c, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sim_node *node = node_by_id(c, ids[i]);

		if (node != NULL && node->running) {
			node_halt(node);
			narrate(c, "node %" PRIu32 ": killed", node->id);
		}
	}
	return settle(c);
}

int sim_stop(struct sim_cluster *c, const uint32_t *ids, size_t n)
{
	int rc;

	/* Every leaver announces itself before any of them goes (spec §3.11.5). */
	for (size_t i = 0; i < n; i++) {
		struct sim_node *node = node_by_id(c, ids[i]);

		if (node != NULL && node->running) {
			narrate(c, "node %" PRIu32 ": leaving", node->id);
			tally_quorum_leave(node->q);
			if (node->mb != NULL)
				tally_mb_leave(node->mb, c->now);
		}
	}
	rc = settle(c);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct sim_node *node = node_by_id(c, ids[i]);

		if (node != NULL && node->running) {
			node_halt(node);
			narrate(c, "node %" PRIu32 ": stopped", node->id);
		}
	}
	return settle(c);
}

int sim_partition(struct sim_cluster *c, const uint32_t *const *groups, const size_t *sizes,
		  size_t n_groups)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		c->nodes[i]->partition = 0;
	for (size_t g = 0; g < n_groups; g++) {
		for (size_t k = 0; k < sizes[g]; k++) {
			struct sim_node *n = node_by_id(c, groups[g][k]);

			if (n == NULL)
				n = node_add(c, groups[g][k]);
			if (n == NULL)
				return -ENOMEM;
			n->partition = (int)g + 1;
		}
	}
	narrate(c, "network partitioned into %zu groups", n_groups);
	return settle(c);
}

int sim_block(struct sim_cluster *c, uint32_t from, uint32_t to, bool on)
{
	if (on && !blocked(c, from, to)) {
		struct block *b = realloc(c->blocks, (c->n_blocks + 1) * sizeof(*b));

		if (b == NULL)
			return -ENOMEM;
		c->blocks = b;
		c->blocks[c->n_blocks].from = from;
		c->blocks[c->n_blocks].to = to;
		c->n_blocks++;
	} else if (!on) {
		for (size_t i = 0; i < c->n_blocks; i++) {
			if (c->blocks[i].from == from && c->blocks[i].to == to) {
				c->blocks[i] = c->blocks[--c->n_blocks];
				break;
			}
		}
	}
	narrate(c, "%s %" PRIu32 " -> %" PRIu32, on ? "block" : "unblock", from, to);
	return settle(c);
}

int sim_loss(struct sim_cluster *c, unsigned pct)
{
	/* The oracle's views come from connectivity; totem-like delivery hides loss. */
	c->loss_pct = pct;
	narrate(c, "packet loss %u%%", pct);
	return settle(c);
}

int sim_heal(struct sim_cluster *c)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		c->nodes[i]->partition = 0;
	c->n_blocks = 0;
	c->loss_pct = 0;
	narrate(c, "network healed");
	return settle(c);
}

int sim_advance(struct sim_cluster *c, uint64_t ms)
{
	uint64_t target = c->now + ms * 1000;

	if (c->p.membership == SIM_MEMBERSHIP_PROTOCOL) {
		for (size_t i = 0; i < c->n_nodes; i++)
			arm(c->nodes[i]);
		run_until(c, target);
		return settle(c);
	}

	for (;;) {
		uint64_t next = UINT64_MAX;
		int rc;

		for (size_t i = 0; i < c->n_nodes; i++) {
			if (c->nodes[i]->running) {
				uint64_t d = tally_quorum_next_deadline(c->nodes[i]->q);

				if (d < next)
					next = d;
			}
		}
		if (next != UINT64_MAX)
			next *= 1000;
		if (next > target)
			break;
		c->now = next > c->now ? next : c->now;
		for (size_t i = 0; i < c->n_nodes; i++)
			if (c->nodes[i]->running)
				tally_quorum_expire(c->nodes[i]->q, now_ms(c));
		rc = settle(c);
		if (rc != 0)
			return rc;
	}
	c->now = target;
	return 0;
}

static int runtime_change(struct sim_cluster *c, struct sim_node *n, const char *key)
{
	uint8_t cancel;

	if (strcmp(key, "quorum.cancel_wait_for_all") == 0) {
		/* A trigger key: corosync acts on >= 1 and writes it back to 0. */
		if (tally_cmap_get_u8(n->cmap, key, &cancel) == 0 && cancel >= 1) {
			tally_cmap_set(n->cmap, key, "0");
			tally_quorum_cancel_wait_for_all(n->q);
		}
	} else if (strncmp(key, "quorum.", 7) == 0 || strncmp(key, "nodelist.", 9) == 0) {
		tally_quorum_reload(n->q, n->cmap, now_ms(c));
	}
	return settle(c);
}

int sim_set(struct sim_cluster *c, uint32_t id, const char *key, const char *value)
{
	struct sim_node *n = node_by_id(c, id);
	int rc;

	if (n == NULL || !n->running)
		return -ENOENT;
	rc = tally_cmap_set(n->cmap, key, value);
	if (rc != 0)
		return rc;
	narrate(c, "node %" PRIu32 ": set %s = %s", id, key, value);
	return runtime_change(c, n, key);
}

int sim_unset(struct sim_cluster *c, uint32_t id, const char *key)
{
	struct sim_node *n = node_by_id(c, id);

	if (n == NULL || !n->running)
		return -ENOENT;
	if (tally_cmap_unset(n->cmap, key) != 0)
		return 0;	/* deleting an absent key changes nothing */
	narrate(c, "node %" PRIu32 ": unset %s", id, key);
	return runtime_change(c, n, key);
}

cs_error_t sim_call(struct sim_cluster *c, uint32_t id, const struct sim_call_args *a)
{
	struct sim_node *n = node_by_id(c, id);
	struct votequorum_info info;
	votequorum_ring_id_t ring;
	cs_error_t rc = CS_OK;
	bool pending = false;

	/* votequorum_initialize fails when the daemon is not running. */
	if (n == NULL || !n->running)
		return CS_ERR_LIBRARY;

	switch (a->op) {
	case SIM_CALL_SETEXPECTED:
		rc = tally_quorum_setexpected(n->q, a->a);
		break;
	case SIM_CALL_SETVOTES:
		rc = tally_quorum_setvotes(n->q, a->a, a->b);
		break;
	case SIM_CALL_GETINFO:
		rc = tally_quorum_getinfo(n->q, a->a, &info);
		break;
	case SIM_CALL_QDEVICE_REGISTER:
		rc = tally_qdevice_name_check(a->name);
		if (rc == CS_OK) {
			n->reply_ready = false;
			rc = tally_quorum_qdevice_register(n->q, a->name, 1, &pending);
		}
		break;
	case SIM_CALL_QDEVICE_UNREGISTER:
		rc = tally_qdevice_name_check(a->name);
		if (rc == CS_OK)
			rc = tally_quorum_qdevice_unregister(n->q, a->name);
		break;
	case SIM_CALL_QDEVICE_UPDATE:
		rc = tally_qdevice_name_check(a->name);
		if (rc == CS_OK)
			rc = tally_qdevice_name_check(a->name2);
		if (rc == CS_OK)
			rc = tally_quorum_qdevice_update(n->q, a->name, a->name2);
		break;
	case SIM_CALL_QDEVICE_POLL:
		rc = tally_qdevice_name_check(a->name);
		if (rc == CS_OK) {
			ring = tally_quorum_ring_id(n->q);
			ring.seq += (uint64_t)a->ring_offset;
			rc = tally_quorum_qdevice_poll(n->q, a->name, a->a, &ring, now_ms(c));
		}
		break;
	case SIM_CALL_QDEVICE_MASTER_WINS:
		rc = tally_qdevice_name_check(a->name);
		if (rc == CS_OK)
			rc = tally_quorum_qdevice_master_wins(n->q, a->name, a->a);
		break;
	case SIM_CALL_CANCEL_WAIT_FOR_ALL:
		tally_quorum_cancel_wait_for_all(n->q);
		break;
	}
	if (settle(c) != 0)
		return CS_ERR_TIMEOUT;
	if (pending) {
		/* The reply of a registration waits for its message (spec §5.2). */
		if (!n->running || !n->reply_ready)
			return CS_ERR_TIMEOUT;
		rc = n->reply;
	}
	return rc;
}

/*
 * getinfo as a client will see it: from a published snapshot. The core's
 * own answer must be identical, so every scenario also checks the export.
 */
cs_error_t sim_getinfo(struct sim_cluster *c, uint32_t id, uint32_t nodeid,
		       struct votequorum_info *info)
{
	struct sim_node *n = node_by_id(c, id);
	struct votequorum_info direct;
	cs_error_t rc, rc_direct;

	if (n == NULL || !n->running)
		return CS_ERR_LIBRARY;
	if (c->snapshot == NULL) {
		c->snapshot = malloc(sizeof(*c->snapshot));
		if (c->snapshot == NULL)
			abort();
	}
	tally_quorum_snapshot(n->q, c->snapshot);
	rc = tally_shm_snapshot_getinfo(c->snapshot, nodeid, info);
	rc_direct = tally_quorum_getinfo(n->q, nodeid, &direct);
	if (rc != rc_direct || memcmp(info, &direct, sizeof(direct)) != 0) {
		fprintf(stderr, "tally-sim: node %" PRIu32 " getinfo(%" PRIu32
				") differs between the core and its published snapshot\n",
			id, nodeid);
		abort();
	}
	return rc;
}

size_t sim_members(struct sim_cluster *c, uint32_t id, const uint32_t **members)
{
	struct sim_node *n = node_by_id(c, id);

	if (n == NULL || !n->running) {
		*members = NULL;
		return 0;
	}
	return tally_quorum_members(n->q, members);
}

votequorum_ring_id_t sim_ring_id(struct sim_cluster *c, uint32_t id)
{
	struct sim_node *n = node_by_id(c, id);
	votequorum_ring_id_t none = { 0, 0 };

	return n != NULL && n->running ? tally_quorum_ring_id(n->q) : none;
}

bool sim_quorate(struct sim_cluster *c, uint32_t id)
{
	struct sim_node *n = node_by_id(c, id);

	return n != NULL && n->running && tally_quorum_is_quorate(n->q);
}

size_t sim_callbacks(struct sim_cluster *c, uint32_t id, const char *const **entries)
{
	struct sim_node *n = node_by_id(c, id);

	if (n == NULL) {
		*entries = NULL;
		return 0;
	}
	*entries = (const char *const *)n->log;
	return n->n_log;
}

static void log_clear(struct sim_node *n)
{
	for (size_t k = 0; k < n->n_log; k++)
		free(n->log[k]);
	n->n_log = 0;
}

void sim_forget_callbacks(struct sim_cluster *c, uint32_t id)
{
	struct sim_node *n = node_by_id(c, id);

	if (n != NULL)
		log_clear(n);
}

void sim_forget_all_callbacks(struct sim_cluster *c)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		log_clear(c->nodes[i]);
}

void sim_set_timing(struct sim_cluster *c, const struct sim_timing *t)
{
	c->p.timing = *t;
}

uint64_t sim_views_installed(const struct sim_cluster *c, uint32_t id)
{
	const struct sim_node *n = node_by_id(c, id);

	if (n == NULL || !n->running)
		return 0;
	return n->views;
}

uint64_t sim_incarnation(const struct sim_cluster *c, uint32_t id)
{
	const struct sim_node *n = node_by_id(c, id);

	return n != NULL && n->running ? n->incarnation : 0;
}
