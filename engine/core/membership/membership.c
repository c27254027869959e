/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The membership protocol (docs/design/membership.md): observe, agree,
 * sequence.
 *
 * Observe: heartbeats every interval. Views of up to `small_view`
 * members broadcast them with the sender's hear set, so every node knows
 * the whole directed hear graph; larger views send them to K observers
 * chosen on K pseudo-random rings and report the subjects they stop hearing
 * (deaf sets) to everyone. A peer is heard while a frame arrived within
 * `miss_count` intervals and its current period of being heard has lasted
 * longer than its flap damping.
 *
 * Agree: every node computes the same deterministic partition from what it
 * knows — candidates grouped greedily in ascending id order into cliques of
 * the mutual-hearing graph — and the lowest node of a group proposes it.
 * Members accept a proposal whose seq is above everything they accepted and
 * whose proposer is the lowest node of their own group that they hear; the
 * proposal commits when every proposed member accepted, so a node is in one
 * committed view at a time and ring seqs only grow.
 *
 * Sequence: inside a view the representative numbers every member's
 * messages; members deliver in number order, ask for gaps (NACK) and resend
 * their own until they see them ordered. The sync barrier is one ordered
 * SYNC_DONE per member.
 */
#include "membership.h"

#include "config/cmap.h"
#include "group.h"
#include "idruns.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_DEADLINE UINT64_MAX
#define RING_STEP 4u		/* ring seqs grow by 4, as totem's usually do */
#define MAX_REORDER 4096u	/* ORDERED gaps buffered per view */
#define EARLY_PER_MEMBER 8u	/* DATA frames that overtook an earlier one, held per member */
#define MAX_NACK_BURST 64u	/* retransmits per NACK */
#define FLAP_WINDOW_FACTOR 40u	/* a gap within this many windows of the last one is a flap */
#define MAX_DAMP_SHIFT 6u	/* flap damping grows to 64 x hold_down at most */
#define CUT_REPORTERS 3u
#define SCRATCH_KEEP_PAIRS 4096u	/* broken pairs whose buffers stay between calls */
#define TAKEN_FACTOR 10u	/* windows a node that rejected us is left to its representative */
#define MAX_PART_TOTAL 65536u	/* members of a proposal in parts: bounds what we allocate */
/*
 * Messages to more members than this go as one broadcast: a representative
 * of 256 unicasting each ORDERED (and a proposer each part) to every member
 * sends bursts of 10^5 frames that no TX ring holds. Receivers check ring
 * ids and membership, so nodes outside the set ignore what is not theirs.
 */
#define UNICAST_MAX 8u

struct peer {
	uint32_t id;
	uint64_t inc;
	uint64_t last_heard;	/**< any frame */
	uint64_t heard_since;	/**< start of the current heard period */
	uint64_t steady_since;	/**< end of its last gap of more than two intervals */
	uint64_t last_gap;	/**< when the last silence ended */
	uint32_t flaps;
	uint64_t damp;		/**< must be heard this long before it counts */
	uint32_t hb_flags;
	uint64_t hb_at;
	votequorum_ring_id_t ring;
	struct tally_idruns hear;	/**< hear set from its last heartbeat */
	uint32_t *set;		/**< deaf set from its last heartbeat */
	uint32_t n_set, cap_set;
	uint32_t *uset;		/**< nodes that do not hear it, by their hear sets */
	uint32_t n_uset, cap_uset;
	uint64_t unresponsive_until;	/**< did not answer our proposal */
	uint64_t taken_until;	/**< rejected us for a lower representative */
	/* Large views. */
	bool planned;		/**< not monitored by us: its silence is by design */
	uint64_t down_at;	/**< its observers found it dead (0: not) */
	uint64_t quiet_until;	/**< an outsider an alert looked at: no new alert yet */
};

/* One of our messages, until we see it ordered. */
struct pending {
	struct tally_mb_entry e;
	uint64_t sent_at;
};

struct entry {
	bool present;
	struct tally_mb_entry e;
};

/* A member's DATA that arrived before one it sent earlier. */
struct early {
	uint32_t idx;		/**< the member's index in the view */
	struct tally_mb_entry e;
};

/* Entries being gathered into DATA or ORDERED frames (TALLY_MB_RUN_MAX a frame). */
struct run {
	enum tally_mb_type type;
	uint32_t to;
	uint64_t gseq;		/**< ORDERED: the number of run[0] */
	uint32_t n;
	struct tally_mb_entry e[TALLY_MB_RUN_MAX];
};

/* A member list with incarnations, sorted by id. */
struct mset {
	uint32_t *ids;
	uint64_t *incs;
	size_t n, cap;
};

struct tally_mb {
	uint32_t id;
	uint64_t inc;
	struct tally_mb_params p;
	const struct tally_mb_ops *ops;
	void *ctx;
	uint64_t window;	/**< miss_count * interval */
	uint64_t started;
	uint64_t next_tick;
	uint64_t last_tick;
	/*
	 * An evaluation due before the next tick (0: none): a peer's window
	 * runs out, a hear set changed, or a new grouping waits to be seen
	 * again. Detection and agreement then take the window and a few
	 * message delays, not up to two intervals more.
	 */
	uint64_t eval_at;

	struct peer **peers;	/**< sorted by id */
	size_t n_peers, cap_peers;

	/* The installed view. */
	bool installed;
	struct mset view;
	votequorum_ring_id_t ring;
	uint64_t max_seq;	/**< highest seq seen anywhere */
	uint64_t accepted_seq;	/**< highest seq promised or installed */
	uint32_t *subjects, *observers;	/**< large views: whom we hear, who hears us */
	size_t n_subjects, n_observers;
	uint8_t *n_obs;		/**< observers of each view member (large views) */
	uint32_t *obs_of;	/**< per member K slots: its n_obs distinct observers (view indices) */
	/*
	 * Large views: while quiet, the expander watches (K observers per
	 * member). Once anything is wrong (a member found dead, a leave, an
	 * outsider, a member in alert) the view goes to alert: every member
	 * broadcasts its hear set and the small-view rules decide, until a new
	 * view is installed or the representative gives the all-clear.
	 */
	bool alert;
	bool alert_pending;	/**< a received frame asks for one */
	bool rep_alerted;	/**< the representative was seen in our alert */
	uint64_t alert_since;
	uint64_t calm_until;	/**< after an all-clear: lingering alerts start none */
	uint64_t last_event_hb;	/**< forming or alert: events handled at most every settle time */
	/* Whether a peer heard now is damped, valid until damp_until (0: recompute). */
	bool damped;
	uint64_t damp_until;
	uint64_t deaf_since;	/**< our own deaf set is not empty since (0: it is) */
	struct peer **reporting;	/**< peers whose last deaf set is not empty */
	size_t n_reporting, cap_reporting;

	/* Sequencing inside the view. */
	struct entry *store;	/**< by gseq - 1 */
	size_t n_store, cap_store;
	uint64_t next_gseq;	/**< next to deliver */
	uint64_t rep_high;	/**< highest gseq the representative announced */
	uint64_t *next_lseq;	/**< representative: per member, next to order */
	bool delivering;
	struct pending *pend;
	size_t n_pend, cap_pend;
	uint64_t own_lseq;
	uint64_t gap_at;	/**< a gap before held ordered messages: since, or last NACK (0: none) */
	bool in_view_cb;	/**< inside ops->view: hold submissions */
	bool flush_due;		/**< at the next tick: deliver what is ordered (our own
				     messages too) and, as representative, send it */
	uint64_t sent_gseq;	/**< representative: ordered and sent up to here */
	struct run run;
	/*
	 * Representative: what members send as a view begins is ordered as one
	 * batch per member in member order, once every batch is in, so every
	 * member sees the sync round's nodeinfo in the same, id-ordered way.
	 */
	bool batches_done;
	bool *batch_in;		/**< per member: its BATCH_END arrived */
	size_t n_batch_in;
	struct tally_mb_entry *hold;	/**< messages received before the batches are in */
	uint32_t *hold_idx;
	size_t n_hold, cap_hold, cap_hold_idx;
	struct early *early;	/**< reordered DATA, until the gap before it fills */
	size_t n_early, cap_early;
	bool *barrier;		/**< per member: SYNC_DONE delivered */
	size_t n_barrier;
	bool activated;

	/* Our proposal, as representative. */
	struct {
		bool active;
		uint64_t seq;
		struct mset set;
		bool *accepted;
		size_t n_accepted;
		uint64_t deadline;
		uint64_t sent_at;	/**< last sent to the members that have not answered */
		uint32_t *deaf;	/**< pairs (a, b) reported in accepts */
		size_t n_deaf, cap_deaf;
	} prop;
	uint64_t propose_after;	/**< back-off after a rejection */

	/* A proposal arriving in parts (TALLY_MB_PROPOSE_PART), one at a time. */
	struct {
		uint32_t from;
		uint64_t inc, seq, at;
		uint32_t total, got;	/**< members, and how many arrived (total 0: idle) */
		bool *have;		/**< per part */
		size_t cap_have;
		struct mset set;
	} parts;

	/* The proposal we accepted and wait to see committed. */
	struct {
		bool active;
		uint32_t rep;
		uint64_t seq;
		struct mset set;
		uint64_t deadline;
	} promise;

	bool leaving;
	bool agrees;		/**< our last evaluation gave the installed view */
	uint64_t disagree_since;
	uint64_t installed_at;

	/* Scratch for evaluate(). */
	struct mset cand;
	struct mset group;
	struct mset last_group;	/**< what the previous evaluation gave */
	uint64_t group_since;	/**< when an evaluation first gave last_group */
	uint32_t *sent;		/**< the set of our last heartbeat */
	size_t n_sent, cap_sent;
	uint32_t sent_flags;
	struct tally_grouper grouper;
	uint32_t *grp;		/**< indices of our group's members in cand */
	size_t cap_grp;
	uint32_t *pairs;	/**< broken pairs, 2 ids each */
	size_t n_pairs, cap_pairs;
	uint32_t *hbset;
	size_t cap_hbset;
	uint32_t *scratch;	/**< merge-walk output */
	size_t cap_scratch;
	/*
	 * Nodes outside our view that hear sets name and we do not hear
	 * (sorted), and when a node first joined that list.
	 */
	uint32_t *named, *named_next;
	size_t n_named, cap_named, cap_named_next;
	uint64_t named_grew_at;

	struct tally_mb_stats st;
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool grow(void **buf, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 8;
	void *nb;

	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	nb = realloc(*buf, c * elem);
	if (nb == NULL)
		return false;
	*buf = nb;
	*cap = c;
	return true;
}

static bool mset_reserve(struct mset *s, size_t n)
{
	size_t cap_ids = s->cap, cap_incs = s->cap;

	if (n <= s->cap)
		return true;
	if (!grow((void **)&s->ids, &cap_ids, n, sizeof(*s->ids)) ||
	    !grow((void **)&s->incs, &cap_incs, n, sizeof(*s->incs)))
		return false;
	s->cap = cap_ids < cap_incs ? cap_ids : cap_incs;
	return true;
}

static void mset_free(struct mset *s)
{
	free(s->ids);
	free(s->incs);
	memset(s, 0, sizeof(*s));
}

static bool mset_copy(struct mset *dst, const uint32_t *ids, const uint64_t *incs, size_t n)
{
	if (!mset_reserve(dst, n))
		return false;
	memcpy(dst->ids, ids, n * sizeof(*ids));
	memcpy(dst->incs, incs, n * sizeof(*incs));
	dst->n = n;
	return true;
}

static bool mset_equal(const struct mset *a, const struct mset *b)
{
	return a->n == b->n && memcmp(a->ids, b->ids, a->n * sizeof(*a->ids)) == 0 &&
	       memcmp(a->incs, b->incs, a->n * sizeof(*a->incs)) == 0;
}

static ssize_t mset_find(const struct mset *s, uint32_t id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ids[mid] == id)
			return (ssize_t)mid;
		if (s->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static bool sorted_has(const uint32_t *ids, size_t n, uint32_t id)
{
	return n > 0 && bsearch(&id, ids, n, sizeof(*ids), cmp_u32) != NULL;
}

static void send_msg(struct tally_mb *m, uint32_t to, struct tally_mb_msg *msg)
{
	msg->from = m->id;
	msg->inc = m->inc;
	msg->ring = m->installed ? m->ring : (votequorum_ring_id_t){ 0, 0 };
	msg->max_seq = m->max_seq;
	if (msg->type == TALLY_MB_HEARTBEAT)
		m->st.hb_sent++;
	else
		m->st.msgs_sent++;
	m->ops->send(m->ctx, to, msg);
}

static bool large_view(const struct tally_mb *m)
{
	return m->installed && m->view.n > m->p.small_view;
}

static bool is_rep(const struct tally_mb *m)
{
	return m->installed && m->ring.nodeid == m->id;
}

/* A large view in its quiet state: K observers per member, no hear sets. */
static bool expander(const struct tally_mb *m)
{
	return large_view(m) && !m->alert;
}

/* A large view in alert: full knowledge until the next view or the all-clear. */
static bool in_alert(const struct tally_mb *m)
{
	return large_view(m) && m->alert;
}

static bool is_subject(const struct tally_mb *m, uint32_t id)
{
	for (size_t k = 0; k < m->n_subjects; k++)
		if (m->subjects[k] == id)
			return true;
	return false;
}

/*
 * Do we expect frames from `id` every interval? In a quiet large view only
 * from our subjects and the representative; the silence of other members
 * is by design, neither a failure nor a flap when it ends.
 */
static bool monitored(const struct tally_mb *m, uint32_t id)
{
	return !expander(m) || id == m->ring.nodeid || is_subject(m, id) ||
	       mset_find(&m->view, id) < 0;
}

/* ------------------------------------------------------------------ */
/* Peers                                                               */

static struct peer *peer_find(const struct tally_mb *m, uint32_t id)
{
	size_t lo = 0, hi = m->n_peers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->peers[mid]->id == id)
			return m->peers[mid];
		if (m->peers[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct peer *peer_get(struct tally_mb *m, uint32_t id)
{
	struct peer *p = peer_find(m, id);
	size_t pos;

	if (p != NULL)
		return p;
	if (!grow((void **)&m->peers, &m->cap_peers, m->n_peers + 1, sizeof(*m->peers)))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->id = id;
	for (pos = m->n_peers; pos > 0 && m->peers[pos - 1]->id > id; pos--)
		m->peers[pos] = m->peers[pos - 1];
	m->peers[pos] = p;
	m->n_peers++;
	return p;
}

/* A new incarnation is a new node: forget everything about the old one. */
static void peer_reset(struct peer *p, uint64_t inc)
{
	p->inc = inc;
	p->last_heard = 0;
	p->heard_since = 0;
	p->steady_since = 0;
	p->last_gap = 0;
	p->flaps = 0;
	p->damp = 0;
	p->hb_flags = 0;
	p->hb_at = 0;
	p->n_set = 0;
	p->n_uset = 0;
	p->hear.n = p->hear.ids = 0;
	p->unresponsive_until = 0;
	p->taken_until = 0;
	p->planned = false;
	p->down_at = 0;
	p->quiet_until = 0;
}

static bool fresh(const struct tally_mb *m, uint64_t at, uint64_t now)
{
	return at != 0 && now - at <= m->window;
}

static bool heard(const struct tally_mb *m, const struct peer *p, uint64_t now)
{
	return p != NULL && fresh(m, p->last_heard, now) && now - p->heard_since >= p->damp;
}

static bool heard_id(const struct tally_mb *m, uint32_t id, uint64_t now)
{
	return id == m->id || heard(m, peer_find(m, id), now);
}

/* Evaluate at `at` if that comes before the next tick, which evaluates anyway. */
static void eval_soon(struct tally_mb *m, uint64_t at)
{
	if (at < m->next_tick && (m->eval_at == 0 || at < m->eval_at))
		m->eval_at = at;
}

/*
 * How long a new grouping must hold before we act on it: the hear sets it
 * rests on may lag ours by a frame, and a second look a little later sees
 * them caught up.
 */
static uint64_t settle_us(const struct tally_mb *m)
{
	return m->p.interval_us / 4 > 0 ? m->p.interval_us / 4 : 1;
}

/* Record a frame from `p`; a silence longer than the window ended now. */
static void peer_heard(struct tally_mb *m, struct peer *p, uint64_t now)
{
	if (!fresh(m, p->last_heard, now) && p->planned) {
		/*
		 * A silence by design ended: no flap, no newcomer, and no damping
		 * served again. Restarting the heard period here held a peer
		 * damped from older flaps (up to 64 hold-downs) out of every hear
		 * set at the start of an alert, long enough for the grouping to
		 * act on it: 512-node views split in about half the crashes.
		 */
	} else if (!fresh(m, p->last_heard, now)) {
		if (p->last_heard != 0 && p->last_gap != 0 &&
		    now - p->last_gap <= FLAP_WINDOW_FACTOR * m->window) {
			uint32_t shift = p->flaps - 1 < MAX_DAMP_SHIFT ? p->flaps - 1 : MAX_DAMP_SHIFT;

			p->flaps++;
			p->damp = m->p.hold_down_us << shift;
		} else {
			p->flaps = p->last_heard != 0;
			p->damp = 0;
		}
		if (p->last_heard != 0)
			p->last_gap = now;
		p->heard_since = now;
		m->damp_until = 0;
	}
	/* It just started, or it stalled: what it says may be stale for a while. */
	if (!p->planned && (p->last_heard == 0 || now - p->last_heard > 2 * m->p.interval_us))
		p->steady_since = now;
	p->last_heard = now;
	p->down_at = 0;
	p->planned = !monitored(m, p->id);
}

/* Drop frames of an older life; a newer one resets what we knew. */
static struct peer *peer_accept_frame(struct tally_mb *m, const struct tally_mb_msg *msg,
				      uint64_t now)
{
	struct peer *p;

	if (msg->from == m->id || msg->from == 0)
		return NULL;
	p = peer_get(m, msg->from);
	if (p == NULL)
		return NULL;
	if (msg->inc < p->inc) {
		m->st.stale_dropped++;
		return NULL;
	}
	if (msg->inc > p->inc)
		peer_reset(p, msg->inc);
	peer_heard(m, p, now);
	if (msg->max_seq > m->max_seq)
		m->max_seq = msg->max_seq;
	return p;
}

/* ------------------------------------------------------------------ */
/* Monitoring topology of large views                                  */

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct ranked {
	uint64_t key;
	uint32_t idx;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void add_unique(uint32_t *list, size_t *n, uint32_t id)
{
	for (size_t i = 0; i < *n; i++)
		if (list[i] == id)
			return;
	list[(*n)++] = id;
}

/*
 * K rings, each a pseudo-random order of the members seeded by the ring id:
 * on each, a node is observed by its predecessor. Every member computes the
 * same rings, so everyone knows how many observers a subject has.
 */
static int build_monitoring(struct tally_mb *m)
{
	size_t n = m->view.n, k = m->p.observers;
	struct ranked *r;
	uint32_t *obs_of;	/* k observers per member */

	free(m->subjects);
	free(m->observers);
	free(m->n_obs);
	free(m->obs_of);
	m->subjects = m->observers = m->obs_of = NULL;
	m->n_obs = NULL;
	m->n_subjects = m->n_observers = 0;
	if (n <= m->p.small_view)
		return 0;
	r = malloc(n * sizeof(*r));
	obs_of = malloc(n * k * sizeof(*obs_of));
	m->subjects = malloc(k * sizeof(*m->subjects));
	m->observers = malloc(k * sizeof(*m->observers));
	m->n_obs = calloc(n, sizeof(*m->n_obs));
	if (r == NULL || obs_of == NULL || m->subjects == NULL || m->observers == NULL ||
	    m->n_obs == NULL) {
		free(r);
		free(obs_of);
		return -ENOMEM;
	}
	for (size_t ring = 0; ring < k; ring++) {
		uint64_t seed = mix(m->ring.seq * 0x9e3779b97f4a7c15ull + ring + 1);

		for (size_t i = 0; i < n; i++) {
			r[i].key = mix(seed ^ m->view.ids[i]);
			r[i].idx = (uint32_t)i;
		}
		qsort(r, n, sizeof(*r), cmp_ranked);
		for (size_t pos = 0; pos < n; pos++) {
			uint32_t subj = r[pos].idx, obs = r[(pos + n - 1) % n].idx;

			obs_of[subj * k + ring] = obs;
			if (m->view.ids[subj] == m->id)
				add_unique(m->observers, &m->n_observers, m->view.ids[obs]);
			if (m->view.ids[obs] == m->id)
				add_unique(m->subjects, &m->n_subjects, m->view.ids[subj]);
		}
	}
	/* Each member's row keeps its distinct observers first (rings may repeat one). */
	for (size_t i = 0; i < n; i++) {
		uint32_t *row = obs_of + i * k;
		size_t nd = 0;

		for (size_t ring = 0; ring < k; ring++)
			add_unique(row, &nd, row[ring]);	/* writes row[nd], nd <= ring */
		m->n_obs[i] = (uint8_t)nd;
	}
	free(r);
	m->obs_of = obs_of;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Evaluation: the partition our knowledge gives                       */

static bool add_pair(struct tally_mb *m, uint32_t a, uint32_t b)
{
	if (!grow((void **)&m->pairs, &m->cap_pairs, 2 * (m->n_pairs + 1), sizeof(*m->pairs)))
		return false;
	m->pairs[2 * m->n_pairs] = a;
	m->pairs[2 * m->n_pairs + 1] = b;
	m->n_pairs++;
	return true;
}

static bool cand_add(struct tally_mb *m, uint32_t id, uint64_t inc)
{
	ssize_t at = mset_find(&m->cand, id);
	size_t pos;

	if (at >= 0) {
		if (inc > m->cand.incs[at])
			m->cand.incs[at] = inc;
		return true;
	}
	if (!mset_reserve(&m->cand, m->cand.n + 1))
		return false;
	for (pos = m->cand.n; pos > 0 && m->cand.ids[pos - 1] > id; pos--) {
		m->cand.ids[pos] = m->cand.ids[pos - 1];
		m->cand.incs[pos] = m->cand.incs[pos - 1];
	}
	m->cand.ids[pos] = id;
	m->cand.incs[pos] = inc;
	m->cand.n++;
	return true;
}

static void cand_remove_at(struct mset *s, size_t i)
{
	memmove(s->ids + i, s->ids + i + 1, (s->n - i - 1) * sizeof(*s->ids));
	memmove(s->incs + i, s->incs + i + 1, (s->n - i - 1) * sizeof(*s->incs));
	s->n--;
}

static bool same_ring(const votequorum_ring_id_t *a, const votequorum_ring_id_t *b)
{
	return a->seq == b->seq && a->nodeid == b->nodeid;
}

/* Does p's last heartbeat carry a deaf set that counts now (fresh, of our view)? */
static bool deaf_set_counts(const struct tally_mb *m, const struct peer *p, uint64_t now)
{
	return (p->hb_flags & TALLY_MB_HB_DEAFSET) && fresh(m, p->hb_at, now) &&
	       same_ring(&p->ring, &m->ring);
}

/* How many fresh deaf sets of our view name `id`. */
static uint32_t reporters(const struct tally_mb *m, uint32_t id, uint64_t now)
{
	uint32_t r = 0;

	for (size_t i = 0; i < m->n_reporting; i++)
		if (deaf_set_counts(m, m->reporting[i], now) &&
		    sorted_has(m->reporting[i]->set, m->reporting[i]->n_set, id))
			r++;
	return r;
}

/* Keep the list of peers with a deaf set to count reports over. */
static void reporting_update(struct tally_mb *m, struct peer *p)
{
	bool want = (p->hb_flags & TALLY_MB_HB_DEAFSET) && p->n_set > 0;
	size_t i = 0;

	while (i < m->n_reporting && m->reporting[i] != p)
		i++;
	if (want && i == m->n_reporting &&
	    grow((void **)&m->reporting, &m->cap_reporting, m->n_reporting + 1,
		 sizeof(*m->reporting)))
		m->reporting[m->n_reporting++] = p;
	else if (!want && i < m->n_reporting)
		m->reporting[i] = m->reporting[--m->n_reporting];
}

static uint32_t cut_threshold(const struct tally_mb *m, uint32_t id)
{
	ssize_t at = mset_find(&m->view, id);
	uint32_t obs = at >= 0 && m->n_obs != NULL ? m->n_obs[at] : 1;

	return obs < CUT_REPORTERS ? (obs ? obs : 1) : CUT_REPORTERS;
}

/* A fresh hear set of p: the nodes it names are known to it. */
static bool has_hearset(const struct tally_mb *m, const struct peer *p, uint64_t now)
{
	return p != NULL && (p->hb_flags & TALLY_MB_HB_HEARSET) && fresh(m, p->hb_at, now);
}

/*
 * Alert in a large view: a member we do not monitor counts as heard for a
 * window from the alert's start while its observers say it lives, so that
 * the hear sets broadcast in the alert's first frames already agree (its
 * own broadcast arrives a message delay later if it lives). Its observers
 * watch it directly: one whose hear set names it vouches for it; it is
 * dead once enough of them reported it (deaf sets) or their hear sets lack
 * it. Until its observers have spoken (two intervals at most: they may sit
 * on the other side of a partition) it is presumed pending, and no one
 * acts on a grouping that rests on it.
 */
enum presumption { NOT_PRESUMED, PRESUMED_PENDING, PRESUMED_VOUCHED };

static enum presumption presumption(const struct tally_mb *m, uint32_t id, uint64_t now)
{
	const struct peer *p;
	uint32_t lacking = 0;
	bool vouched = false, pending = false;
	ssize_t idx;

	if (!in_alert(m) || now - m->alert_since >= m->window || id == m->id ||
	    id == m->ring.nodeid || is_subject(m, id))
		return NOT_PRESUMED;
	idx = mset_find(&m->view, id);
	if (idx < 0)
		return NOT_PRESUMED;
	p = peer_find(m, id);
	if (p != NULL && (fresh(m, p->last_heard, now) || p->down_at != 0 ||
			  p->inc > m->view.incs[idx]))
		return NOT_PRESUMED;	/* what we hear of it decides */
	for (size_t r = 0; r < m->n_obs[idx]; r++) {
		const uint32_t *row = m->obs_of + (size_t)idx * m->p.observers;
		const struct peer *q = peer_find(m, m->view.ids[row[r]]);

		if (!has_hearset(m, q, now) || !same_ring(&q->ring, &m->ring))
			pending = true;
		else if (tally_idruns_has(&q->hear, id))
			vouched = true;
		else
			lacking++;
	}
	if (lacking >= cut_threshold(m, id))
		return NOT_PRESUMED;
	if (vouched)
		return PRESUMED_VOUCHED;
	return pending && now - m->alert_since < 2 * m->p.interval_us ? PRESUMED_PENDING
								      : NOT_PRESUMED;
}

static bool presumed(const struct tally_mb *m, uint32_t id, uint64_t now)
{
	return presumption(m, id, now) != NOT_PRESUMED;
}

/* Alert: a member is presumed alive only until its observers speak. */
static bool alert_unsettled(struct tally_mb *m, uint64_t now)
{
	for (size_t i = 0; in_alert(m) && i < m->view.n; i++) {
		if (presumption(m, m->view.ids[i], now) == PRESUMED_PENDING) {
			eval_soon(m, m->alert_since + 2 * m->p.interval_us);
			return true;
		}
	}
	return false;
}

/* We stopped hearing `q` less than two windows ago: others may still hear it. */
static bool lost_lately(const struct tally_mb *m, const struct peer *q, uint64_t now)
{
	return q != NULL && q->last_heard != 0 && !fresh(m, q->last_heard, now) &&
	       now - q->last_heard < 2 * m->window;
}

/* Heard, or presumed alive during an alert. */
static bool counts_heard(const struct tally_mb *m, uint32_t id, uint64_t now)
{
	return heard_id(m, id, now) || presumed(m, id, now);
}

/*
 * Alert: a member we do not watch and do not count as heard, still named by
 * a hear set. Early in an alert that is most likely the sender's presumption
 * (its observers had not spoken when it sent), which its next heartbeat drops;
 * grouping with it now splits the view (the sender and the member against
 * the rest) for one view change more.
 */
static bool presumed_by_others(const struct tally_mb *m, const struct peer *q, uint64_t now)
{
	return in_alert(m) && q->planned && now - m->alert_since < 2 * m->window &&
	       !counts_heard(m, q->id, now) && mset_find(&m->view, q->id) >= 0;
}

/*
 * Keep the outsiders others hear and we do not (named_next[0..n)); the
 * clock restarts when one is new to that list.
 */
static void note_named(struct tally_mb *m, size_t n, uint64_t now)
{
	uint32_t *t;
	size_t cap;

	if (n > 1)	/* named_next may be NULL when empty */
		qsort(m->named_next, n, sizeof(*m->named_next), cmp_u32);
	for (size_t k = 0; k < n; k++)
		if (!sorted_has(m->named, m->n_named, m->named_next[k])) {
			m->named_grew_at = now;
			break;
		}
	t = m->named;
	m->named = m->named_next;
	m->named_next = t;
	cap = m->cap_named;
	m->cap_named = m->cap_named_next;
	m->cap_named_next = cap;
	m->n_named = n;
}

static bool build_candidates(struct tally_mb *m, uint64_t now, bool as_proposer)
{
	size_t n_named = 0;

	m->cand.n = 0;
	if (!cand_add(m, m->id, m->inc))
		return false;
	for (size_t i = 0; i < m->n_peers; i++) {
		const struct peer *p = m->peers[i];

		if (!heard(m, p, now))
			continue;
		if (p->taken_until > now)
			continue;	/* it follows a representative we cannot hear */
		if (!cand_add(m, p->id, p->inc))
			return false;
	}
	/*
	 * Hear sets name nodes we may not hear ourselves (a one-way link):
	 * knowing them lets us group the way the nodes that hear them do. One
	 * merge walk per hear set finds the few not yet candidates.
	 */
	for (size_t i = 0; i < m->n_peers; i++) {
		const struct peer *p = m->peers[i];
		size_t n_new;

		if (!heard(m, p, now) || p->taken_until > now || !has_hearset(m, p, now))
			continue;
		if (!grow((void **)&m->scratch, &m->cap_scratch, p->hear.ids, sizeof(*m->scratch)))
			return false;
		n_new = tally_idruns_extra(&p->hear, m->cand.ids, m->cand.n, m->scratch);
		if (!grow((void **)&m->named_next, &m->cap_named_next, n_named + n_new,
			  sizeof(*m->named_next)))
			return false;
		for (size_t k = 0; k < n_new; k++) {
			uint32_t id = m->scratch[k];
			const struct peer *q = peer_find(m, id);

			if (id == m->id || (q != NULL && q->taken_until > now))
				continue;
			/* Never heard by us: never in our group (the pair is broken). */
			if (!cand_add(m, id, q != NULL ? q->inc : 0))
				return false;
			if (mset_find(&m->view, id) < 0)
				m->named_next[n_named++] = id;
		}
	}
	note_named(m, n_named, now);
	for (size_t i = 0; in_alert(m) && i < m->view.n; i++)
		if (presumed(m, m->view.ids[i], now) &&
		    !cand_add(m, m->view.ids[i], m->view.incs[i]))
			return false;
	/* Remove leavers and (for our proposals) the unresponsive. */
	for (size_t i = m->cand.n; i-- > 0;) {
		uint32_t id = m->cand.ids[i];
		const struct peer *p = peer_find(m, id);
		bool out = false;

		if (id == m->id)
			continue;
		if (p != NULL && (p->hb_flags & TALLY_MB_HB_LEAVING) && fresh(m, p->hb_at, now))
			out = true;
		if (as_proposer && p != NULL && p->unresponsive_until > now)
			out = true;
		if (out)
			cand_remove_at(&m->cand, i);
	}
	return true;
}

static bool build_pairs(struct tally_mb *m, uint64_t now)
{
	m->n_pairs = 0;
	if (!grow((void **)&m->scratch, &m->cap_scratch, m->cand.n, sizeof(*m->scratch)))
		return false;
	for (size_t i = 0; i < m->cand.n; i++) {
		uint32_t a = m->cand.ids[i];
		const struct peer *pa = a != m->id ? peer_find(m, a) : NULL;
		bool deafset = pa != NULL && fresh(m, pa->hb_at, now) &&
			       (pa->hb_flags & TALLY_MB_HB_DEAFSET);

		if (has_hearset(m, pa, now)) {
			/* Unheard-by tail, then the candidates its hear set lacks. */
			size_t n_miss;

			for (uint32_t k = 0; k < pa->n_uset; k++)
				if (mset_find(&m->cand, pa->uset[k]) >= 0 &&
				    !add_pair(m, pa->uset[k], a))
					return false;
			n_miss = tally_idruns_lacked(&pa->hear, m->cand.ids, m->cand.n, m->scratch);
			for (size_t k = 0; k < n_miss; k++)
				if (m->scratch[k] != a && !add_pair(m, a, m->scratch[k]))
					return false;
		} else if (a == m->id) {
			for (size_t j = 0; j < m->cand.n; j++)
				if (j != i && !counts_heard(m, m->cand.ids[j], now) &&
				    !add_pair(m, a, m->cand.ids[j]))
					return false;
		} else if (deafset) {
			for (uint32_t k = 0; k < pa->n_set; k++)
				if (mset_find(&m->cand, pa->set[k]) >= 0 &&
				    !add_pair(m, a, pa->set[k]))
					return false;
		}
	}
	return true;
}

/* Our group of the candidates around the broken pairs (group.h), to m->group. */
static bool greedy_group(struct tally_mb *m, const uint32_t *extra_pairs, size_t n_extra)
{
	ssize_t self = mset_find(&m->cand, m->id);
	size_t n;

	if (self < 0 || !grow((void **)&m->grp, &m->cap_grp, m->cand.n, sizeof(*m->grp)) ||
	    !mset_reserve(&m->group, m->cand.n))
		return false;
	n = tally_group_of(&m->grouper, m->cand.ids, m->cand.n, m->pairs, m->n_pairs,
			   extra_pairs, n_extra, (size_t)self, m->grp);
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		m->group.ids[i] = m->cand.ids[m->grp[i]];
		m->group.incs[i] = m->cand.incs[m->grp[i]];
	}
	m->group.n = n;
	return true;
}

static bool evaluate(struct tally_mb *m, uint64_t now, bool as_proposer)
{
	return build_candidates(m, now, as_proposer) && build_pairs(m, now) &&
	       greedy_group(m, NULL, 0);
}

/* The lowest node of our group that we hear: the representative we follow. */
static uint32_t followed_rep(const struct tally_mb *m, uint64_t now)
{
	for (size_t i = 0; i < m->group.n; i++)
		if (counts_heard(m, m->group.ids[i], now))
			return m->group.ids[i];
	return m->id;
}

/* ------------------------------------------------------------------ */
/* Alerts of large views                                               */

static void send_heartbeats(struct tally_mb *m, uint64_t now, bool if_changed);

/* Something is wrong with a quiet large view: everyone to full knowledge. */
static void enter_alert(struct tally_mb *m, uint64_t now)
{
	m->alert = true;
	m->alert_pending = false;
	m->rep_alerted = false;
	m->alert_since = now;
	m->last_event_hb = now;
	m->st.alerts++;
	send_heartbeats(m, now, false);
}

/* Nothing to change after all: back to the expander. */
static void end_alert(struct tally_mb *m, uint64_t now)
{
	m->alert = false;
	m->calm_until = now + 2 * m->p.interval_us;
	for (size_t i = 0; i < m->n_peers; i++) {
		struct peer *p = m->peers[i];

		if (mset_find(&m->view, p->id) >= 0)
			p->planned = !monitored(m, p->id);
		else if (heard(m, p, now))
			p->quiet_until = now + FLAP_WINDOW_FACTOR * m->window;	/* looked at */
	}
	send_heartbeats(m, now, false);
}

static void cause_alert(struct tally_mb *m, uint64_t now)
{
	m->alert_pending = true;
	eval_soon(m, now);
}

/* Reports of `id`, ours included, reach its cut threshold. */
static bool reaches_cut(const struct tally_mb *m, uint32_t id, uint64_t now)
{
	return reporters(m, id, now) + (is_subject(m, id) && !heard_id(m, id, now)) >=
	       cut_threshold(m, id);
}

/* Found dead: not presumed alive in an alert until heard again. */
static void mark_down(struct tally_mb *m, uint32_t id, uint64_t now)
{
	struct peer *q = peer_get(m, id);

	if (q != NULL && q->down_at == 0)
		q->down_at = now;
}

/*
 * A heartbeat in a quiet large view: does it call for an alert? A member
 * restarted, leaves, runs another ring or is in alert itself; an outsider
 * shows up; or a deaf set makes a member's reports reach its cut threshold.
 */
static void watch_heartbeat(struct tally_mb *m, struct peer *p, const struct tally_mb_msg *msg,
			    uint64_t now)
{
	bool ours = same_ring(&msg->ring, &m->ring);
	ssize_t idx;

	if (!large_view(m))
		return;
	if (m->alert) {
		if (p->id == m->ring.nodeid && ours && (msg->flags & TALLY_MB_HB_HEARSET))
			m->rep_alerted = true;
		return;
	}
	idx = mset_find(&m->view, p->id);
	if (idx < 0) {
		if (!(msg->flags & TALLY_MB_HB_LEAVING) && heard(m, p, now) && p->quiet_until <= now)
			cause_alert(m, now);
		return;
	}
	if (p->inc > m->view.incs[idx] || (msg->flags & TALLY_MB_HB_LEAVING) ||
	    (ours && (msg->flags & TALLY_MB_HB_HEARSET) && now >= m->calm_until) ||
	    (!ours && now - m->installed_at > m->window)) {
		cause_alert(m, now);
		return;
	}
	for (uint32_t k = 0; ours && (msg->flags & TALLY_MB_HB_DEAFSET) && k < p->n_set; k++) {
		uint32_t id = p->set[k];

		if (id == m->id || mset_find(&m->view, id) < 0 || !reaches_cut(m, id, now))
			continue;
		mark_down(m, id, now);
		cause_alert(m, now);
	}
}

/* Do the deaf sets of our view, ours included, name two members or more? */
static bool reports_spread(const struct tally_mb *m, uint64_t now)
{
	uint32_t first = 0;

	for (size_t k = 0; k < m->n_subjects; k++) {
		if (heard_id(m, m->subjects[k], now))
			continue;
		if (first != 0 && first != m->subjects[k])
			return true;
		first = m->subjects[k];
	}
	for (size_t i = 0; i < m->n_reporting; i++) {
		const struct peer *p = m->reporting[i];

		if (!deaf_set_counts(m, p, now))
			continue;
		for (uint32_t j = 0; j < p->n_set; j++) {
			if (p->set[j] == m->id || (first != 0 && first != p->set[j]))
				return true;
			first = p->set[j];
		}
	}
	return false;
}

/*
 * Quiet large view: does what we watch ourselves call for an alert? We
 * miss the representative; a subject we miss reaches its cut threshold;
 * reports name two members or more (a partition: on a small side a cut
 * threshold may never be reached); or our own deaf set has lasted a
 * window (one lasting broken link is resolved, not ignored). One fresh
 * report of one member is not enough: a single lossy link is waited out.
 */
static bool own_alert_needed(struct tally_mb *m, uint64_t now)
{
	bool need = false;

	if (now - m->installed_at <= m->window)
		return false;	/* new subjects start sending as they install */
	if (!is_rep(m) && !heard_id(m, m->ring.nodeid, now)) {
		mark_down(m, m->ring.nodeid, now);
		need = true;
	}
	for (size_t k = 0; k < m->n_subjects; k++) {
		if (heard_id(m, m->subjects[k], now) || !reaches_cut(m, m->subjects[k], now))
			continue;
		mark_down(m, m->subjects[k], now);
		need = true;
	}
	if (m->deaf_since != 0 && now - m->deaf_since >= m->window)
		need = true;
	return need || reports_spread(m, now);
}

/* ------------------------------------------------------------------ */
/* Installing a view                                                   */

static void deliver_ready(struct tally_mb *m);
static void send_pending(struct tally_mb *m, size_t first, uint64_t now);
static void submit(struct tally_mb *m, enum tally_mb_payload payload, const struct tally_qmsg *q,
		   uint64_t now);

static void proposal_clear(struct tally_mb *m)
{
	m->prop.active = false;
	m->prop.n_deaf = 0;
}

static void install(struct tally_mb *m, uint32_t rep, uint64_t seq, const struct mset *set,
		    uint64_t now)
{
	struct pending *keep = NULL;
	size_t n_keep = 0;

	if (!mset_copy(&m->view, set->ids, set->incs, set->n))
		return;	/* out of memory: keep the old view, the next round retries */
	m->installed = true;
	m->ring.nodeid = rep;
	m->ring.seq = seq;
	if (seq > m->max_seq)
		m->max_seq = seq;
	if (seq > m->accepted_seq)
		m->accepted_seq = seq;
	m->promise.active = false;
	proposal_clear(m);
	m->st.views_installed++;

	m->n_store = 0;
	m->sent_gseq = 0;
	m->next_gseq = 1;
	m->rep_high = 0;
	m->gap_at = 0;
	m->delivering = false;
	free(m->next_lseq);
	free(m->barrier);
	free(m->batch_in);
	m->next_lseq = calloc(set->n, sizeof(*m->next_lseq));
	m->barrier = calloc(set->n, sizeof(*m->barrier));
	m->batch_in = calloc(set->n, sizeof(*m->batch_in));
	m->n_batch_in = 0;
	m->n_hold = 0;
	m->n_early = 0;
	m->batches_done = false;
	m->n_barrier = 0;
	m->activated = false;
	for (size_t i = 0; m->next_lseq != NULL && i < set->n; i++)
		m->next_lseq[i] = 1;
	if (m->next_lseq == NULL || m->barrier == NULL || m->batch_in == NULL ||
	    build_monitoring(m) != 0) {
		/* Cannot run this view: leave it so the others cut us and we rejoin. */
		m->installed = false;
		return;
	}

	/* Operations the old view did not order go again, after this view's sync. */
	if (m->n_pend > 0) {
		keep = malloc(m->n_pend * sizeof(*keep));
		for (size_t i = 0; keep != NULL && i < m->n_pend; i++)
			if (m->pend[i].e.payload == TALLY_MB_PAYLOAD_QMSG &&
			    m->pend[i].e.qmsg.type != TALLY_QMSG_NODEINFO)
				keep[n_keep++] = m->pend[i];
	}
	m->n_pend = 0;
	m->own_lseq = 1;
	m->installed_at = now;
	m->alert = m->alert_pending = false;
	m->deaf_since = 0;
	for (size_t i = 0; i < m->n_peers; i++) {
		struct peer *p = m->peers[i];

		p->down_at = 0;
		if (mset_find(&m->view, p->id) >= 0) {
			p->taken_until = 0;	/* we are together now */
			/* New subjects start sending as they install; the rest go quiet. */
			p->planned = large_view(m);
		} else if (large_view(m) && heard(m, p, now)) {
			p->quiet_until = now + m->window;	/* the view was formed knowing it */
		}
	}
	m->agrees = true;
	m->disagree_since = now;
	/*
	 * Nothing is delivered into the quorum core while it handles the view,
	 * and what it sends meanwhile is our batch, closed by BATCH_END.
	 */
	m->delivering = true;
	m->in_view_cb = true;
	m->ops->view(m->ctx, &m->ring, m->view.ids, m->view.n);
	submit(m, TALLY_MB_PAYLOAD_BATCH_END, NULL, now);
	m->in_view_cb = false;
	send_pending(m, 0, now);
	for (size_t i = 0; i < n_keep; i++)
		tally_mb_submit(m, &keep[i].e.qmsg, now);
	m->delivering = false;
	free(keep);
	deliver_ready(m);
}

static void install_singleton(struct tally_mb *m, uint64_t now)
{
	struct mset self = { .ids = &m->id, .incs = &m->inc, .n = 1, .cap = 1 };

	install(m, m->id, m->max_seq + RING_STEP, &self, now);
}

/* ------------------------------------------------------------------ */
/* Proposals                                                           */

static void send_set_msg(struct tally_mb *m, uint32_t to, enum tally_mb_type type, uint64_t seq,
			 const uint32_t *ids, const uint64_t *incs, size_t n)
{
	struct tally_mb_msg msg = { .type = type, .seq = seq };

	msg.ids = ids;
	msg.incs = incs;
	msg.n_ids = (uint32_t)n;
	send_msg(m, to, &msg);
}

/* A message about set s to one node; a PROPOSE too large for a frame goes in parts. */
static void send_set_to(struct tally_mb *m, uint32_t to, enum tally_mb_type type, uint64_t seq,
			const struct mset *s, bool with_members)
{
	if (!with_members) {
		send_set_msg(m, to, type, seq, NULL, NULL, 0);
		return;
	}
	if (type != TALLY_MB_PROPOSE || s->n <= TALLY_MB_PART_MEMBERS) {
		send_set_msg(m, to, type, seq, s->ids, s->incs, s->n);
		return;
	}
	for (size_t off = 0; off < s->n; off += TALLY_MB_PART_MEMBERS) {
		struct tally_mb_msg msg = { .type = TALLY_MB_PROPOSE_PART, .seq = seq,
					    .gseq = s->n, .lseq = off };
		size_t left = s->n - off;

		msg.ids = s->ids + off;
		msg.incs = s->incs + off;
		msg.n_ids = (uint32_t)(left < TALLY_MB_PART_MEMBERS ? left : TALLY_MB_PART_MEMBERS);
		send_msg(m, to, &msg);
	}
}

/*
 * A message about set s to those of its members that have not answered
 * (answered[i] false; NULL: every member but us), `n_to` of them: unicasts
 * to a few, one broadcast to many.
 */
static void send_to_members(struct tally_mb *m, enum tally_mb_type type, uint64_t seq,
			    const struct mset *s, bool with_members, const bool *answered,
			    size_t n_to)
{
	if (n_to > UNICAST_MAX) {
		send_set_to(m, TALLY_MB_BROADCAST, type, seq, s, with_members);
		return;
	}
	for (size_t i = 0; i < s->n; i++)
		if (s->ids[i] != m->id && (answered == NULL || !answered[i]))
			send_set_to(m, s->ids[i], type, seq, s, with_members);
}

static void broadcast_to_set(struct tally_mb *m, enum tally_mb_type type, uint64_t seq,
			     const struct mset *s, bool with_members)
{
	send_to_members(m, type, seq, s, with_members, NULL, s->n);
}

/* Tell the proposed members our proposal is off, and drop it. */
static void withdraw_proposal(struct tally_mb *m)
{
	broadcast_to_set(m, TALLY_MB_ABORT, m->prop.seq, &m->prop.set, false);
	proposal_clear(m);
	m->st.proposals_aborted++;
}

static void propose(struct tally_mb *m, const struct mset *set, uint64_t now)
{
	if (m->prop.active)
		withdraw_proposal(m);
	proposal_clear(m);
	if (!mset_copy(&m->prop.set, set->ids, set->incs, set->n))
		return;
	free(m->prop.accepted);
	m->prop.accepted = calloc(set->n, sizeof(*m->prop.accepted));
	if (m->prop.accepted == NULL)
		return;
	m->prop.active = true;
	m->prop.seq = (m->max_seq > m->accepted_seq ? m->max_seq : m->accepted_seq) + RING_STEP;
	m->max_seq = m->accepted_seq = m->prop.seq;
	m->prop.deadline = now + m->window;
	m->prop.sent_at = now;
	m->prop.accepted[mset_find(&m->prop.set, m->id)] = true;
	m->prop.n_accepted = 1;
	m->promise.active = false;
	m->st.proposals++;
	broadcast_to_set(m, TALLY_MB_PROPOSE, m->prop.seq, &m->prop.set, true);
}

static void abort_proposal(struct tally_mb *m, uint64_t now)
{
	withdraw_proposal(m);
	m->propose_after = now + m->window;
	if (!m->installed)
		install_singleton(m, now);
}

static bool members_equal_view(const struct tally_mb *m, const struct mset *s)
{
	return m->installed && mset_equal(&m->view, s);
}

/* Every proposed member accepted: commit, or shrink by the deaf pairs they reported. */
static void proposal_complete(struct tally_mb *m, uint64_t now)
{
	if (m->prop.n_deaf > 0) {
		/* Regroup inside the proposal with the reported pairs added. */
		m->n_pairs = 0;
		if (!mset_copy(&m->cand, m->prop.set.ids, m->prop.set.incs, m->prop.set.n) ||
		    !greedy_group(m, m->prop.deaf, m->prop.n_deaf)) {
			abort_proposal(m, now);
			return;
		}
		if (m->group.n == m->prop.set.n) {
			/* The pairs did not matter for the greedy rule: commit as is. */
		} else if (members_equal_view(m, &m->group) || m->group.n == 0) {
			abort_proposal(m, now);
			return;
		} else {
			propose(m, &m->group, now);
			return;
		}
	}
	broadcast_to_set(m, TALLY_MB_COMMIT, m->prop.seq, &m->prop.set, false);
	install(m, m->id, m->prop.seq, &m->prop.set, now);	/* copies the set first */
}

static void on_propose(struct tally_mb *m, const struct tally_mb_msg *msg, uint64_t now)
{
	struct mset set = { .ids = (uint32_t *)msg->ids, .incs = (uint64_t *)msg->incs,
			    .n = msg->n_ids };
	struct tally_mb_msg reply = { .seq = msg->seq };
	uint32_t *deaf = NULL;
	size_t n_deaf = 0;
	ssize_t me;
	bool yield;

	if (msg->ids == NULL || msg->incs == NULL || msg->n_ids == 0 || m->leaving)
		return;
	for (size_t i = 1; i < set.n; i++)
		if (set.ids[i - 1] >= set.ids[i])
			return;	/* malformed: members must be sorted and distinct */
	me = mset_find(&set, m->id);
	if (me < 0 || set.incs[me] != m->inc || set.ids[0] != msg->from)
		return;
	if (msg->seq > m->max_seq)
		m->max_seq = msg->seq;
	/*
	 * A lower node proposing the ring seq we are proposing ourselves (we
	 * both acted on the same event): the members take its proposal and
	 * drop ours, so we do too rather than leave both to time out.
	 */
	yield = m->prop.active && msg->seq == m->prop.seq && msg->from < m->id;
	if (msg->seq <= m->accepted_seq && !yield &&
	    !(m->promise.active && m->promise.seq == msg->seq && m->promise.rep == msg->from))
		return;	/* an old proposal: we promised or installed a newer one */
	if (yield)
		withdraw_proposal(m);
	if (expander(m))
		enter_alert(m, now);	/* we missed the alert this proposal comes from */
	if (m->promise.active && m->promise.rep != msg->from && now < m->promise.deadline) {
		reply.type = TALLY_MB_REJECT;
		m->st.rejects++;
		send_msg(m, msg->from, &reply);
		return;
	}
	if (!evaluate(m, now, false))
		return;
	if (followed_rep(m, now) < msg->from) {
		reply.type = TALLY_MB_REJECT;
		reply.origin = followed_rep(m, now);
		m->st.rejects++;
		send_msg(m, msg->from, &reply);
		return;
	}
	if (!mset_copy(&m->promise.set, set.ids, set.incs, set.n))
		return;
	m->promise.active = true;
	m->promise.rep = msg->from;
	m->promise.seq = msg->seq;
	m->promise.deadline = now + 3 * m->window;
	m->accepted_seq = msg->seq;
	proposal_clear(m);

	/* Small views: name the proposed members we cannot hear. */
	if (set.n <= m->p.small_view) {
		deaf = malloc(set.n * sizeof(*deaf));
		for (size_t i = 0; deaf != NULL && i < set.n; i++)
			if (!counts_heard(m, set.ids[i], now))
				deaf[n_deaf++] = set.ids[i];
	}
	reply.type = TALLY_MB_ACCEPT;
	reply.ids = deaf;
	reply.n_ids = (uint32_t)n_deaf;
	send_msg(m, msg->from, &reply);
	free(deaf);
}

/*
 * A part of a large PROPOSE. Parts of one proposal fill one buffer; a part
 * that belongs to none we can hold (bad size or place, a duplicate, an older
 * proposal while a newer one is still arriving) is dropped and counted.
 * The whole is then checked as any PROPOSE is (sorted members, us in it).
 */
static void on_propose_part(struct tally_mb *m, const struct tally_mb_msg *msg, uint64_t now)
{
	uint64_t total = msg->gseq, off = msg->lseq;
	uint64_t want = total > off ? total - off : 0;
	size_t k = (size_t)(off / TALLY_MB_PART_MEMBERS);

	if (want > TALLY_MB_PART_MEMBERS)
		want = TALLY_MB_PART_MEMBERS;
	if (total <= TALLY_MB_PART_MEMBERS || total > MAX_PART_TOTAL ||
	    off % TALLY_MB_PART_MEMBERS != 0 || off >= total || msg->n_ids != want ||
	    msg->ids == NULL || msg->incs == NULL || msg->seq == 0)
		goto drop;
	/* A broadcast proposal of others: its part around our id leaves us out. */
	if (msg->ids[0] <= m->id && m->id <= msg->ids[msg->n_ids - 1] &&
	    !sorted_has(msg->ids, msg->n_ids, m->id))
		return;
	if (m->parts.total == 0 || m->parts.from != msg->from || m->parts.inc != msg->inc ||
	    m->parts.seq != msg->seq || m->parts.total != total) {
		size_t n_parts = (size_t)((total + TALLY_MB_PART_MEMBERS - 1) / TALLY_MB_PART_MEMBERS);

		/* A newer proposal, or one after the held one is complete or a window old. */
		if (m->parts.total != 0 && msg->seq < m->parts.seq && now - m->parts.at <= m->window)
			goto drop;
		if (!mset_reserve(&m->parts.set, (size_t)total) ||
		    !grow((void **)&m->parts.have, &m->parts.cap_have, n_parts,
			  sizeof(*m->parts.have)))
			goto drop;
		memset(m->parts.have, 0, n_parts * sizeof(*m->parts.have));
		m->parts.from = msg->from;
		m->parts.inc = msg->inc;
		m->parts.seq = msg->seq;
		m->parts.total = (uint32_t)total;
		m->parts.got = 0;
		m->parts.at = now;
	}
	if (m->parts.have[k])
		goto drop;
	m->parts.have[k] = true;
	memcpy(m->parts.set.ids + off, msg->ids, msg->n_ids * sizeof(*msg->ids));
	memcpy(m->parts.set.incs + off, msg->incs, msg->n_ids * sizeof(*msg->incs));
	m->parts.got += msg->n_ids;
	if (m->parts.got == m->parts.total) {
		struct tally_mb_msg whole = *msg;

		whole.type = TALLY_MB_PROPOSE;
		whole.gseq = whole.lseq = 0;
		whole.ids = m->parts.set.ids;
		whole.incs = m->parts.set.incs;
		whole.n_ids = m->parts.total;
		m->parts.total = 0;
		on_propose(m, &whole, now);
	}
	return;
drop:
	m->st.parts_dropped++;
}

static void on_accept(struct tally_mb *m, const struct tally_mb_msg *msg, uint64_t now)
{
	ssize_t at;

	if (!m->prop.active || msg->seq != m->prop.seq)
		return;
	at = mset_find(&m->prop.set, msg->from);
	if (at < 0 || m->prop.set.incs[at] != msg->inc)
		return;
	for (uint32_t k = 0; msg->ids != NULL && k < msg->n_ids; k++) {
		if (!grow((void **)&m->prop.deaf, &m->prop.cap_deaf, 2 * (m->prop.n_deaf + 1),
			  sizeof(*m->prop.deaf)))
			break;
		m->prop.deaf[2 * m->prop.n_deaf] = msg->from;
		m->prop.deaf[2 * m->prop.n_deaf + 1] = msg->ids[k];
		m->prop.n_deaf++;
	}
	if (!m->prop.accepted[at]) {
		m->prop.accepted[at] = true;
		m->prop.n_accepted++;
	}
	if (m->prop.n_accepted == m->prop.set.n)
		proposal_complete(m, now);
}

static void on_commit(struct tally_mb *m, uint32_t from, uint64_t seq, uint64_t now)
{
	if (m->promise.active && m->promise.rep == from && m->promise.seq == seq)
		install(m, from, seq, &m->promise.set, now);	/* copies the set first */
}

/* ------------------------------------------------------------------ */
/* Sequencing                                                          */

static ssize_t member_index(const struct tally_mb *m, uint32_t id)
{
	return mset_find(&m->view, id);
}

static bool store_put(struct tally_mb *m, uint64_t gseq, const struct tally_mb_entry *e)
{
	size_t idx = (size_t)(gseq - 1);

	if (gseq == 0 || gseq > m->next_gseq + MAX_REORDER)
		return false;
	if (!grow((void **)&m->store, &m->cap_store, idx + 1, sizeof(*m->store)))
		return false;
	while (m->n_store <= idx)
		m->store[m->n_store++].present = false;
	if (m->store[idx].present)
		return false;
	m->store[idx].present = true;
	m->store[idx].e = *e;
	return true;
}

/*
 * Runs: entries go out TALLY_MB_RUN_MAX a frame, a quorum-device message
 * alone; run_add sends what the run holds when the next entry does not fit.
 */
static void run_send(struct tally_mb *m)
{
	struct run *r = &m->run;
	struct tally_mb_msg msg = {
		.type = r->type,
		.gseq = r->gseq,
		.n_entries = r->n,
		.entries = r->e,
	};

	if (r->n == 0)
		return;
	send_msg(m, r->to, &msg);
	if (r->type == TALLY_MB_ORDERED)
		r->gseq += r->n;
	r->n = 0;
}

static void run_begin(struct tally_mb *m, enum tally_mb_type type, uint32_t to, uint64_t gseq)
{
	m->run.type = type;
	m->run.to = to;
	m->run.gseq = gseq;
	m->run.n = 0;
}

static void run_add(struct tally_mb *m, const struct tally_mb_entry *e)
{
	struct run *r = &m->run;

	if (r->n == TALLY_MB_RUN_MAX ||
	    (r->n > 0 && (tally_mb_entry_alone(e) || tally_mb_entry_alone(&r->e[r->n - 1]))))
		run_send(m);
	r->e[r->n++] = *e;
}

/* Stored entries first..last (all present: the representative's) to one node or all. */
static void send_ordered(struct tally_mb *m, uint32_t to, uint64_t first, uint64_t last)
{
	run_begin(m, TALLY_MB_ORDERED, to, first);
	for (uint64_t g = first; g <= last; g++)
		run_add(m, &m->store[g - 1].e);
	run_send(m);
}

/* Representative: what was ordered since the last call, to every member. */
static void send_new_ordered(struct tally_mb *m)
{
	uint64_t first = m->sent_gseq + 1, last = m->n_store;

	if (first > last)
		return;
	m->sent_gseq = last;
	if (m->view.n <= 1)
		return;
	if (m->view.n > UNICAST_MAX) {
		send_ordered(m, TALLY_MB_BROADCAST, first, last);
		return;
	}
	for (size_t i = 0; i < m->view.n; i++)
		if (m->view.ids[i] != m->id)
			send_ordered(m, m->view.ids[i], first, last);
}

static bool payload_valid(enum tally_mb_payload p)
{
	return p == TALLY_MB_PAYLOAD_QMSG || p == TALLY_MB_PAYLOAD_SYNC_DONE ||
	       p == TALLY_MB_PAYLOAD_BATCH_END;
}

/*
 * Representative: give the next number to a message already accepted in
 * FIFO order. It goes out at the next tick, with whatever else the frames
 * of this burst brought in.
 */
static void order(struct tally_mb *m, const struct tally_mb_entry *e)
{
	if (store_put(m, m->n_store + 1, e))
		m->flush_due = true;
}

/* Every batch is in: order them in member order, then what came after. */
static void flush_batches(struct tally_mb *m)
{
	m->batches_done = true;
	for (size_t idx = 0; idx < m->view.n; idx++)
		for (size_t i = 0; i < m->n_hold; i++)
			if (m->hold_idx[i] == idx)
				order(m, &m->hold[i]);
	m->n_hold = 0;
	m->flush_due = true;
}

/* Representative: the next message of member `idx`, in its own order. */
static void take_data(struct tally_mb *m, size_t idx, const struct tally_mb_entry *e)
{
	m->next_lseq[idx]++;
	if (m->batches_done) {
		order(m, e);
		return;
	}
	if (!grow((void **)&m->hold, &m->cap_hold, m->n_hold + 1, sizeof(*m->hold)) ||
	    !grow((void **)&m->hold_idx, &m->cap_hold_idx, m->n_hold + 1, sizeof(*m->hold_idx))) {
		m->next_lseq[idx]--;	/* the member sends it again */
		return;
	}
	m->hold[m->n_hold] = *e;
	m->hold_idx[m->n_hold++] = (uint32_t)idx;
	if (e->payload == TALLY_MB_PAYLOAD_BATCH_END && !m->batch_in[idx]) {
		m->batch_in[idx] = true;
		if (++m->n_batch_in == m->view.n)
			flush_batches(m);
	}
}

/*
 * A frame that overtook an earlier one of its member (a network or a
 * multi-queue port may reorder) waits for the gap to fill instead of a
 * retransmission an interval later. What does not fit is dropped: the
 * member sends it again.
 */
static void keep_early(struct tally_mb *m, size_t idx, const struct tally_mb_entry *e)
{
	struct early *x;

	for (size_t i = 0; i < m->n_early; i++)
		if (m->early[i].idx == idx && m->early[i].e.lseq == e->lseq)
			return;	/* a duplicate */
	if (m->n_early >= EARLY_PER_MEMBER * m->view.n ||
	    !grow((void **)&m->early, &m->cap_early, m->n_early + 1, sizeof(*m->early)))
		return;
	x = &m->early[m->n_early++];
	x->idx = (uint32_t)idx;
	x->e = *e;
}

/* Representative: a member's message, taken in its own (FIFO) order. */
static void accept_data(struct tally_mb *m, const struct tally_mb_entry *e)
{
	ssize_t idx = member_index(m, e->origin);
	bool more = true;

	if (idx < 0 || e->lseq < m->next_lseq[idx])
		return;	/* not a member, or a duplicate */
	if (e->lseq > m->next_lseq[idx]) {
		keep_early(m, (size_t)idx, e);
		return;
	}
	take_data(m, (size_t)idx, e);
	/* What overtook it may follow now. */
	while (more) {
		more = false;
		for (size_t i = 0; i < m->n_early; i++) {
			struct early x = m->early[i];

			if (x.idx != (size_t)idx || x.e.lseq > m->next_lseq[idx])
				continue;
			m->early[i] = m->early[--m->n_early];
			if (x.e.lseq == m->next_lseq[idx])
				take_data(m, (size_t)idx, &x.e);
			more = true;	/* taken, or a stale copy dropped: look again */
			break;
		}
	}
}

static void deliver_ready(struct tally_mb *m)
{
	if (m->delivering)
		return;	/* the outer loop delivers what callbacks ordered */
	m->delivering = true;
	while (m->installed && m->next_gseq <= m->n_store && m->store[m->next_gseq - 1].present) {
		struct tally_mb_entry e = m->store[m->next_gseq - 1].e;
		uint64_t ring_seq = m->ring.seq;

		m->next_gseq++;
		if (e.origin == m->id) {
			size_t k = 0;

			while (k < m->n_pend && m->pend[k].e.lseq <= e.lseq)
				k++;
			memmove(m->pend, m->pend + k, (m->n_pend - k) * sizeof(*m->pend));
			m->n_pend -= k;
			/* Our last word is out: announce the leave now, not at the next tick. */
			if (m->leaving && m->n_pend == 0)
				eval_soon(m, m->last_tick);
		}
		if (e.payload == TALLY_MB_PAYLOAD_QMSG) {
			m->ops->deliver(m->ctx, e.origin, &e.qmsg);
		} else if (e.payload == TALLY_MB_PAYLOAD_SYNC_DONE) {
			ssize_t idx = member_index(m, e.origin);

			if (idx >= 0 && !m->barrier[idx]) {
				m->barrier[idx] = true;
				m->n_barrier++;
			}
			if (m->n_barrier == m->view.n && !m->activated) {
				m->activated = true;
				m->ops->activate(m->ctx);
			}
		}
		if (m->ring.seq != ring_seq)
			break;	/* a callback's work installed a new view */
	}
	m->delivering = false;
}

/*
 * Our pending messages from index `first` on, to the sequencer: a member
 * sends them as DATA runs, the representative takes them itself.
 */
static void send_pending(struct tally_mb *m, size_t first, uint64_t now)
{
	if (first >= m->n_pend)
		return;
	if (is_rep(m)) {
		for (size_t i = first; i < m->n_pend; i++) {
			struct tally_mb_entry copy = m->pend[i].e;

			accept_data(m, &copy);
		}
		/*
		 * Our own message comes back through the timer, never inside the
		 * call that sent it: the quorum core finishes its step first.
		 */
		m->flush_due = true;
		return;
	}
	run_begin(m, TALLY_MB_DATA, m->ring.nodeid, 0);
	for (size_t i = first; i < m->n_pend; i++) {
		m->pend[i].sent_at = now;
		run_add(m, &m->pend[i].e);
	}
	run_send(m);
}

static void submit(struct tally_mb *m, enum tally_mb_payload payload, const struct tally_qmsg *q,
		   uint64_t now)
{
	struct pending *pd;

	if (!m->installed) {
		if (payload == TALLY_MB_PAYLOAD_QMSG)
			m->ops->deliver(m->ctx, m->id, q);	/* no one else can hear it yet */
		return;
	}
	if (!grow((void **)&m->pend, &m->cap_pend, m->n_pend + 1, sizeof(*m->pend)))
		return;
	pd = &m->pend[m->n_pend++];
	memset(pd, 0, sizeof(*pd));
	pd->e.origin = m->id;
	pd->e.lseq = m->own_lseq++;
	pd->e.payload = payload;
	if (q != NULL)
		pd->e.qmsg = *q;
	pd->sent_at = now;
	if (!m->in_view_cb)
		send_pending(m, m->n_pend - 1, now);
}

static void on_data(struct tally_mb *m, const struct tally_mb_msg *msg)
{
	if (!is_rep(m) || msg->ring.seq != m->ring.seq || msg->ring.nodeid != m->ring.nodeid)
		return;
	for (uint32_t i = 0; i < msg->n_entries; i++)
		if (!payload_valid(msg->entries[i].payload) || msg->entries[i].origin != msg->from)
			return;	/* only its own messages, or none */
	for (uint32_t i = 0; i < msg->n_entries; i++)
		accept_data(m, &msg->entries[i]);
	deliver_ready(m);
}

static void send_nack(struct tally_mb *m)
{
	struct tally_mb_msg msg = { .type = TALLY_MB_NACK, .gseq = m->next_gseq };

	m->st.nacks_sent++;
	send_msg(m, m->ring.nodeid, &msg);
}

/*
 * A gap before the ordered messages we hold: ask the representative again
 * once it lasted a settle time (links and multi-queue ports reorder frames
 * by microseconds; asking at once had the representative resend up to 64
 * messages per reordered frame, 3 500 copies of each in a 32-node sync
 * round), then at most once per settle time until it closes.
 */
static void nack_gap(struct tally_mb *m, uint64_t now)
{
	if (!m->installed || is_rep(m) || m->rep_high < m->next_gseq) {
		m->gap_at = 0;
		return;
	}
	if (m->gap_at == 0)
		m->gap_at = now;
	if (now - m->gap_at >= settle_us(m)) {
		send_nack(m);
		m->gap_at = now;
	}
	eval_soon(m, m->gap_at + settle_us(m));
}

static void on_ordered(struct tally_mb *m, const struct tally_mb_msg *msg, uint64_t now)
{
	uint64_t last = msg->gseq + msg->n_entries - 1;

	if (!m->installed || is_rep(m) || msg->ring.seq != m->ring.seq ||
	    msg->ring.nodeid != m->ring.nodeid || msg->from != m->ring.nodeid)
		return;
	if (msg->gseq == 0 || last < msg->gseq)
		return;	/* numbers start at 1 and do not wrap */
	for (uint32_t i = 0; i < msg->n_entries; i++)
		if (!payload_valid(msg->entries[i].payload))
			return;
	if (last < m->next_gseq)
		return;
	if (last > m->rep_high)
		m->rep_high = last;
	for (uint32_t i = 0; i < msg->n_entries; i++)
		if (msg->gseq + i >= m->next_gseq)
			store_put(m, msg->gseq + i, &msg->entries[i]);
	deliver_ready(m);
	nack_gap(m, now);
}

static void on_nack(struct tally_mb *m, const struct tally_mb_msg *msg)
{
	uint64_t last;

	if (!is_rep(m) || msg->ring.seq != m->ring.seq || member_index(m, msg->from) < 0 ||
	    msg->gseq == 0 || msg->gseq > m->sent_gseq)
		return;
	last = m->sent_gseq - msg->gseq < MAX_NACK_BURST ? m->sent_gseq
							  : msg->gseq + MAX_NACK_BURST - 1;
	send_ordered(m, msg->from, msg->gseq, last);
	m->st.retransmits += last - msg->gseq + 1;
}

/* ------------------------------------------------------------------ */
/* Heartbeats                                                          */

static void on_heartbeat(struct tally_mb *m, struct peer *p, const struct tally_mb_msg *msg,
			 uint64_t now)
{
	/* What it hears, or its view, changed: evaluate now, not at our next tick. */
	if (msg->flags != p->hb_flags || msg->ring.seq != p->ring.seq ||
	    msg->ring.nodeid != p->ring.nodeid || msg->n_unheard != p->n_uset ||
	    msg->n_ids - msg->n_unheard != ((msg->flags & TALLY_MB_HB_DEAFSET) ? p->n_set : p->hear.ids))
		eval_soon(m, now);
	m->st.hb_received++;
	/*
	 * A leave holds for the rest of this incarnation: a heartbeat from
	 * before it, overtaken by the announcement, must not undo it.
	 */
	p->hb_flags = msg->flags | (p->hb_flags & TALLY_MB_HB_LEAVING);
	p->hb_at = now;
	p->ring = msg->ring;
	p->n_set = 0;
	p->n_uset = 0;
	p->hear.n = p->hear.ids = 0;
	if ((msg->flags & (TALLY_MB_HB_HEARSET | TALLY_MB_HB_DEAFSET)) && msg->ids != NULL &&
	    msg->n_unheard <= msg->n_ids) {
		uint32_t n = msg->n_ids - msg->n_unheard;
		const uint32_t *u = msg->ids + n;
		bool sorted = true;

		for (uint32_t i = 1; i < n; i++)
			sorted = sorted && msg->ids[i - 1] < msg->ids[i];
		for (uint32_t i = 1; i < msg->n_unheard; i++)
			sorted = sorted && u[i - 1] < u[i];
		if (!sorted) {
			p->hb_flags &= ~(TALLY_MB_HB_HEARSET | TALLY_MB_HB_DEAFSET);
		} else {
			size_t cap = p->cap_set, ucap = p->cap_uset;
			bool deaf = msg->flags & TALLY_MB_HB_DEAFSET;

			if ((deaf && !grow((void **)&p->set, &cap, n, sizeof(*p->set))) ||
			    !grow((void **)&p->uset, &ucap, msg->n_unheard, sizeof(*p->uset)) ||
			    ((msg->flags & TALLY_MB_HB_HEARSET) &&
			     !tally_idruns_set(&p->hear, msg->ids, n))) {
				/* Out of memory: know nothing rather than a wrong set. */
				p->hb_flags &= ~(TALLY_MB_HB_HEARSET | TALLY_MB_HB_DEAFSET);
				return;
			}
			p->cap_set = (uint32_t)cap;
			p->cap_uset = (uint32_t)ucap;
			/* both may be NULL when empty, and memcpy(NULL, NULL, 0) is undefined */
			if (deaf && n > 0)
				memcpy(p->set, msg->ids, n * sizeof(*p->set));
			if (msg->n_unheard > 0)
				memcpy(p->uset, u, msg->n_unheard * sizeof(*p->uset));
			p->n_set = deaf ? n : 0;
			p->n_uset = msg->n_unheard;
		}
	}
	reporting_update(m, p);
	watch_heartbeat(m, p, msg, now);
	/* A heartbeat of the view we promised to join commits it for us. */
	if (m->promise.active && msg->from == m->promise.rep && msg->ring.seq == m->promise.seq &&
	    msg->ring.nodeid == m->promise.rep)
		on_commit(m, msg->from, msg->ring.seq, now);
	if (m->installed && msg->from == m->ring.nodeid && msg->ring.seq == m->ring.seq &&
	    msg->gseq > m->rep_high)
		m->rep_high = msg->gseq;
}

static size_t collect_set(struct tally_mb *m, uint64_t now, uint32_t *flags, uint32_t *n_unheard)
{
	size_t n = 0;

	*n_unheard = 0;
	if (expander(m)) {
		if (!grow((void **)&m->hbset, &m->cap_hbset, m->n_subjects + 1, sizeof(*m->hbset)))
			return 0;
		*flags |= TALLY_MB_HB_DEAFSET;
		/* New subjects start sending when they install: give them a window. */
		if (now - m->installed_at <= m->window)
			return 0;
		for (size_t k = 0; k < m->n_subjects; k++)
			if (!heard_id(m, m->subjects[k], now))
				m->hbset[n++] = m->subjects[k];
		if (!is_rep(m) && !heard_id(m, m->ring.nodeid, now))
			add_unique(m->hbset, &n, m->ring.nodeid);
		qsort(m->hbset, n, sizeof(*m->hbset), cmp_u32);
		if (n == 0)
			m->deaf_since = 0;
		else if (m->deaf_since == 0)
			m->deaf_since = now;
		return n;
	}
	if (!grow((void **)&m->hbset, &m->cap_hbset, 2 * m->n_peers + m->view.n + 1,
		  sizeof(*m->hbset)))
		return 0;
	for (size_t i = 0; i < m->n_peers; i++)
		if (heard(m, m->peers[i], now))
			m->hbset[n++] = m->peers[i]->id;
	if (in_alert(m)) {
		size_t heard_n = n;

		for (size_t i = 0; i < m->view.n; i++)
			if (presumed(m, m->view.ids[i], now))
				m->hbset[n++] = m->view.ids[i];	/* never heard fresh: no duplicate */
		if (n > heard_n)
			qsort(m->hbset, n, sizeof(*m->hbset), cmp_u32);
	}
	/* A hear set too big to carry says nothing: receivers assume mutual hearing. */
	if (n > TALLY_MB_MAX_HEARSET)
		return 0;
	*flags |= TALLY_MB_HB_HEARSET;
	/*
	 * Then the nodes that do not hear us (their hear sets say so): a node
	 * that cannot hear them learns the broken pair from us.
	 */
	*n_unheard = 0;
	for (size_t i = 0; i < m->n_peers; i++) {
		const struct peer *p = m->peers[i];

		if (heard(m, p, now) && (p->hb_flags & TALLY_MB_HB_HEARSET) &&
		    fresh(m, p->hb_at, now) && !tally_idruns_has(&p->hear, m->id)) {
			m->hbset[n + (*n_unheard)++] = p->id;
		}
	}
	return n + *n_unheard;
}

/* Did the set or flags we would send change since our last heartbeat? */
static bool heartbeat_changed(const struct tally_mb *m, uint32_t flags, size_t n)
{
	return flags != m->sent_flags || n != m->n_sent ||
	       (n > 0 && memcmp(m->hbset, m->sent, n * sizeof(*m->sent)) != 0);
}

/* Our heartbeat; between ticks (`if_changed`) only when what we hear changed. */
static void send_heartbeats(struct tally_mb *m, uint64_t now, bool if_changed)
{
	struct tally_mb_msg msg = { .type = TALLY_MB_HEARTBEAT };
	size_t n;

	msg.flags = 0;
	if (m->installed)
		msg.flags |= TALLY_MB_HB_IN_VIEW;
	if (is_rep(m)) {
		msg.flags |= TALLY_MB_HB_REP;
		msg.gseq = m->sent_gseq;	/* what it sent, not what waits for the tick */
	}
	if (m->leaving && m->n_pend == 0)
		msg.flags |= TALLY_MB_HB_LEAVING;
	n = collect_set(m, now, &msg.flags, &msg.n_unheard);
	if (if_changed && !heartbeat_changed(m, msg.flags, n))
		return;
	if (grow((void **)&m->sent, &m->cap_sent, n, sizeof(*m->sent))) {
		if (n > 0)
			memcpy(m->sent, m->hbset, n * sizeof(*m->sent));
		m->n_sent = n;
		m->sent_flags = msg.flags;
	}
	msg.ids = m->hbset;
	msg.n_ids = (uint32_t)n;
	if (!expander(m) || is_rep(m) || n > 0 || (msg.flags & TALLY_MB_HB_LEAVING)) {
		send_msg(m, TALLY_MB_BROADCAST, &msg);
	} else {
		for (size_t k = 0; k < m->n_observers; k++)
			send_msg(m, m->observers[k], &msg);
	}
}

/* ------------------------------------------------------------------ */
/* The periodic step                                                   */

/*
 * Do the members we hear run our view? One that moved to another ring has
 * left it, even if our knowledge would still group it with us.
 */
static bool member_consistent(const struct tally_mb *m, size_t i, uint64_t now)
{
	const struct peer *p = peer_find(m, m->view.ids[i]);

	/*
	 * What a member said in our view's first window may predate its
	 * install (in a large view, members we do not watch send us nothing
	 * newer).
	 */
	if (m->view.ids[i] == m->id || p == NULL || !fresh(m, p->hb_at, now) ||
	    p->hb_at <= m->installed_at + m->window)
		return true;
	return p->inc == m->view.incs[i] && same_ring(&p->ring, &m->ring);
}

static bool view_consistent(const struct tally_mb *m, uint64_t now)
{
	if (!m->installed || now - m->installed_at <= m->window)
		return true;	/* members install a little after one another */
	if (expander(m)) {
		/*
		 * Quiet: only our subjects and the representative send to us;
		 * anyone else's heartbeat of another ring alerts us as it
		 * arrives (watch_heartbeat). O(K log N), not O(N log N), per tick.
		 */
		ssize_t rep = mset_find(&m->view, m->ring.nodeid);

		for (size_t k = 0; k < m->n_subjects; k++)
			if (!member_consistent(m, (size_t)mset_find(&m->view, m->subjects[k]), now))
				return false;
		return rep < 0 || member_consistent(m, (size_t)rep, now);
	}
	for (size_t i = 0; i < m->view.n; i++)
		if (!member_consistent(m, i, now))
			return false;
	return true;
}

/* The representative was in our alert and is back to the expander. */
static bool rep_gave_all_clear(const struct tally_mb *m, uint64_t now)
{
	const struct peer *rep = peer_find(m, m->ring.nodeid);

	return m->rep_alerted && rep != NULL && fresh(m, rep->hb_at, now) &&
	       same_ring(&rep->ring, &m->ring) && (rep->hb_flags & TALLY_MB_HB_DEAFSET);
}

/* We are the lowest of our group: install it alone, or propose it. */
static void act_on_group(struct tally_mb *m, uint64_t now)
{
	if (m->group.n == 1)
		install_singleton(m, now);
	else
		propose(m, &m->group, now);
}

static bool hears_whole_view(const struct tally_mb *m, uint64_t now)
{
	for (size_t i = 0; i < m->view.n; i++) {
		const struct peer *p = peer_find(m, m->view.ids[i]);

		if (!counts_heard(m, m->view.ids[i], now))
			return false;
		if (p != NULL && (p->hb_flags & TALLY_MB_HB_LEAVING) && fresh(m, p->hb_at, now))
			return false;	/* a leaver is gone already */
	}
	return true;
}

/*
 * A candidate we stopped hearing less than a window ago, still named only by
 * the hear sets of others: most likely it crashed and their timeouts have
 * not run out yet (they heard its last frame a little later, or their ticks
 * come later). Grouping with their stale word now would split the view and
 * merge it again a moment later, two view changes for one crash; waiting
 * until the window since our loss has passed gives one. A lasting one-way
 * link is still honoured, one window later.
 */
static bool others_catching_up(const struct tally_mb *m, uint64_t now)
{
	for (size_t i = 0; i < m->cand.n; i++) {
		const struct peer *q = peer_find(m, m->cand.ids[i]);

		if (q != NULL && q->id != m->id &&
		    (lost_lately(m, q, now) || presumed_by_others(m, q, now)))
			return true;
	}
	return false;
}

/*
 * A broken pair with a node whose frames started or resumed (after a gap of
 * more than two intervals: it just started, or it stalled) less than a
 * window ago: its hear set may still lack nodes it has not heard again, and
 * theirs may lack it (a restarted node's first frames take a while to reach
 * everyone on a loaded machine, and a node waking from a stall sends a
 * heartbeat before it processed the frames queued meanwhile). Proposing on
 * that knowledge installs a view without the node and another with it a
 * moment later; waiting out the window gives one view change per rejoin. A
 * lasting one-way link is honoured one window later.
 */
static bool newcomer_unsettled(const struct tally_mb *m, uint64_t now)
{
	for (size_t i = 0; i < 2 * m->n_pairs; i++) {
		const struct peer *q = m->pairs[i] != m->id ? peer_find(m, m->pairs[i]) : NULL;

		if (q != NULL && heard(m, q, now) && now - q->steady_since < m->window)
			return true;
	}
	return false;
}

/*
 * An outsider that others hear and we do not, named for less than a window:
 * most likely a node that just started, whose first frames have not reached
 * us yet (they reach nodes at different times on a loaded machine). Grouping
 * without it now installs a view that splits the nodes hearing it off, and a
 * merge a moment later; waiting gives one view change per start. A lasting
 * one-way link is honoured one window later.
 */
static bool outsider_unheard(const struct tally_mb *m, uint64_t now)
{
	return m->n_named > 0 && now - m->named_grew_at < m->window;
}

static void step_membership(struct tally_mb *m, uint64_t now)
{
	bool joining = !m->installed;
	bool consistent = view_consistent(m, now);

	if (m->leaving)
		return;	/* on our way out: the others regroup without us */
	if (expander(m)) {
		if (!m->alert_pending && consistent && !own_alert_needed(m, now)) {
			m->agrees = true;
			m->disagree_since = now;
			return;
		}
		enter_alert(m, now);
	}
	/*
	 * A member follows its representative's grouping while it hears every
	 * member itself: the representative may know more (hear sets of nodes
	 * we cannot hear). Only direct evidence makes a member act alone.
	 */
	if (m->installed && !is_rep(m) && consistent && hears_whole_view(m, now)) {
		m->agrees = true;
		m->disagree_since = now;
		if (in_alert(m) && rep_gave_all_clear(m, now))
			end_alert(m, now);
		return;
	}
	if (!evaluate(m, now, false))
		return;
	m->agrees = members_equal_view(m, &m->group) && consistent;
	/* An alert that found nothing to change ends after two windows. */
	if (is_rep(m) && in_alert(m) && m->agrees && !m->prop.active &&
	    !m->promise.active && now - m->alert_since >= 2 * m->window) {
		end_alert(m, now);
		return;
	}
	/*
	 * Act on a grouping that held for the settle time, seen by two
	 * evaluations: hear sets lag ours by a heartbeat.
	 */
	if (!mset_equal(&m->last_group, &m->group)) {
		if (!mset_copy(&m->last_group, m->group.ids, m->group.incs, m->group.n))
			return;
		m->group_since = now;
	}
	if (!m->agrees && now - m->group_since < settle_us(m)) {
		eval_soon(m, m->group_since + settle_us(m));
		return;
	}
	if (m->agrees || m->promise.active || m->prop.active)
		m->disagree_since = now;
	if (m->promise.active)
		return;	/* wait for the proposal we accepted */
	if (m->prop.active)
		return;	/* its deadline handles it */
	if (now - m->disagree_since > 2 * m->window) {
		/*
		 * The representative our knowledge names does not invite us: its
		 * knowledge differs (a one-way or non-transitive link we cannot
		 * see). Leave it be for a while and group without it.
		 */
		uint32_t rep = followed_rep(m, now);
		struct peer *p = peer_find(m, rep);

		if (rep != m->id && p != NULL) {
			p->taken_until = now + TAKEN_FACTOR * m->window;
			m->disagree_since = now;
			if (!evaluate(m, now, false))
				return;
		}
	}
	if (m->group.ids[0] != m->id || now < m->propose_after)
		return;	/* another node proposes our group */
	if (joining && now - m->started < m->window + m->p.interval_us)
		return;	/* listen first: a running view may invite us */
	if (!evaluate(m, now, true))
		return;
	if (m->group.ids[0] != m->id || (members_equal_view(m, &m->group) && consistent))
		return;
	if (others_catching_up(m, now) || newcomer_unsettled(m, now) ||
	    outsider_unheard(m, now) || alert_unsettled(m, now))
		return;
	act_on_group(m, now);
}

/* Evaluate when the next peer we hear falls silent for a whole window. */
static void watch_expiry(struct tally_mb *m, uint64_t now)
{
	uint64_t at = UINT64_MAX;

	if (expander(m)) {
		/* We watch only our subjects and the representative. */
		for (size_t k = 0; k <= m->n_subjects; k++) {
			uint32_t id = k < m->n_subjects ? m->subjects[k] : m->ring.nodeid;
			const struct peer *p = id != m->id ? peer_find(m, id) : NULL;

			if (heard(m, p, now) && p->last_heard + m->window + 1 < at)
				at = p->last_heard + m->window + 1;
		}
	} else {
		for (size_t i = 0; i < m->n_peers; i++) {
			const struct peer *p = m->peers[i];

			if (heard(m, p, now) && p->last_heard + m->window + 1 < at)
				at = p->last_heard + m->window + 1;
		}
	}
	if (at != UINT64_MAX)
		eval_soon(m, at);
	if (in_alert(m) && now < m->alert_since + m->window)
		eval_soon(m, m->alert_since + m->window);	/* presumptions end */
}

/*
 * Between ticks: a window ran out or a hear set changed. Tell the others
 * at once if what we hear changed (their evaluations wait for it), then
 * evaluate.
 */
static void step_event(struct tally_mb *m, uint64_t now)
{
	/*
	 * While a cluster forms, and in a large view's alert, every node's
	 * hear set changes with each broadcast it hears: one heartbeat and
	 * one evaluation per settle time, not one per frame (N^2 broadcasts
	 * per interval; a simulated 1024-node start did not get through them
	 * in 30 min, and a 256-node start on one thread made no proposal in
	 * 15 min, evaluating 65 000 broken pairs per frame). A grouping must
	 * hold a settle time before anyone acts on it anyway.
	 */
	if ((!m->installed || in_alert(m)) && now - m->last_event_hb < settle_us(m)) {
		eval_soon(m, m->last_event_hb + settle_us(m));
		return;
	}
	m->last_event_hb = now;
	send_heartbeats(m, now, true);
	nack_gap(m, now);
	step_membership(m, now);
	watch_expiry(m, now);
}

/*
 * Ask the members that have not answered again, every interval until the
 * deadline: a lost PROPOSE or ACCEPT must not cost a member its place (with
 * 7 % loss, 63 ACCEPTs all arrive at a 64-node proposer 1 time in 100, and
 * the view shrank by the unlucky ones and grew back, again and again).
 */
static void resend_proposal(struct tally_mb *m, uint64_t now)
{
	size_t missing = m->prop.set.n - m->prop.n_accepted;

	if (now - m->prop.sent_at < m->p.interval_us || missing == 0)
		return;
	m->prop.sent_at = now;
	send_to_members(m, TALLY_MB_PROPOSE, m->prop.seq, &m->prop.set, true, m->prop.accepted,
			missing);
}

static void step_proposal(struct tally_mb *m, uint64_t now)
{
	if (m->promise.active && now >= m->promise.deadline) {
		m->promise.active = false;	/* its proposer gave up or died */
		if (!m->installed)
			install_singleton(m, now);
	}
	if (m->prop.active && now < m->prop.deadline)
		resend_proposal(m, now);
	if (m->prop.active && now >= m->prop.deadline) {
		/* Members that did not answer sit out the next rounds. */
		for (size_t i = 0; i < m->prop.set.n; i++) {
			struct peer *p = peer_find(m, m->prop.set.ids[i]);

			if (!m->prop.accepted[i] && p != NULL)
				p->unresponsive_until = now + 4 * m->window;
		}
		proposal_clear(m);
		m->st.proposals_aborted++;
		if (evaluate(m, now, true) && m->group.ids[0] == m->id &&
		    !members_equal_view(m, &m->group))
			act_on_group(m, now);
		else if (!m->installed)
			install_singleton(m, now);
	}
}

static void step_sequencing(struct tally_mb *m, uint64_t now)
{
	if (!m->installed)
		return;
	if (!is_rep(m)) {
		/* Unanswered for an interval: it and what followed it go again. */
		for (size_t i = 0; i < m->n_pend; i++)
			if (now - m->pend[i].sent_at >= m->p.interval_us) {
				send_pending(m, i, now);
				break;
			}
		nack_gap(m, now);	/* also a lost last message, known from its heartbeats */
	}
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

void tally_mb_params_default(struct tally_mb_params *p)
{
	p->interval_us = 1000;
	p->miss_count = 8;
	p->observers = 8;
	p->hold_down_us = 50000;
	p->small_view = TALLY_MB_SMALL_VIEW;
}

int tally_mb_params_from_cmap(const struct tally_cmap *map, struct tally_mb_params *p, char *err,
			      size_t errlen)
{
	static const struct {
		const char *key;
		uint32_t min, max;
	} keys[] = {
		{ "engine.heartbeat_interval", 10, 10000000 },
		{ "engine.miss_count", 2, 1000 },
		{ "engine.observers", 1, 64 },
		{ "engine.hold_down", 0, 600000000 },
		{ "engine.small_view", 1, TALLY_MB_MAX_HEARSET },
	};
	uint32_t v[sizeof(keys) / sizeof(keys[0])];

	tally_mb_params_default(p);
	v[0] = (uint32_t)p->interval_us;
	v[1] = p->miss_count;
	v[2] = p->observers;
	v[3] = (uint32_t)p->hold_down_us;
	v[4] = p->small_view;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (tally_cmap_get_u32_in(map, keys[i].key, keys[i].min, keys[i].max, &v[i], err,
					  errlen) != 0)
			return -EINVAL;
	p->interval_us = v[0];
	p->miss_count = v[1];
	p->observers = v[2];
	p->hold_down_us = v[3];
	p->small_view = v[4];
	return 0;
}

struct tally_mb *tally_mb_create(uint32_t id, uint64_t inc, const struct tally_mb_params *p,
				 const struct tally_mb_ops *ops, void *ctx, uint64_t now)
{
	struct tally_mb *m;

	if (id == 0 || p == NULL || p->interval_us == 0 || p->miss_count == 0 ||
	    p->observers == 0 || p->observers > 64 || p->small_view == 0 ||
	    p->small_view > TALLY_MB_MAX_HEARSET) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->id = id;
	m->inc = inc;
	m->p = *p;
	m->ops = ops;
	m->ctx = ctx;
	m->window = p->interval_us * p->miss_count;
	m->started = now;
	m->disagree_since = now;
	m->last_tick = now;
	m->next_tick = now;
	return m;
}

void tally_mb_destroy(struct tally_mb *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_peers; i++) {
		free(m->peers[i]->set);
		tally_idruns_free(&m->peers[i]->hear);
		free(m->peers[i]->uset);
		free(m->peers[i]);
	}
	free(m->peers);
	mset_free(&m->view);
	mset_free(&m->prop.set);
	mset_free(&m->promise.set);
	mset_free(&m->parts.set);
	free(m->parts.have);
	mset_free(&m->cand);
	mset_free(&m->group);
	mset_free(&m->last_group);
	free(m->named);
	free(m->named_next);
	free(m->prop.accepted);
	free(m->prop.deaf);
	free(m->subjects);
	free(m->observers);
	free(m->n_obs);
	free(m->obs_of);
	free(m->reporting);
	free(m->store);
	free(m->next_lseq);
	free(m->pend);
	free(m->barrier);
	free(m->batch_in);
	free(m->hold);
	free(m->hold_idx);
	free(m->early);
	free(m->grp);
	tally_grouper_free(&m->grouper);
	free(m->pairs);
	free(m->hbset);
	free(m->sent);
	free(m->scratch);
	free(m);
}

/*
 * Broken pairs are O(N^2) while a cluster forms (every node's hear set still
 * lacks most others) and a handful afterwards: give their buffers back after
 * each call rather than keep the high-water mark (a simulated 1024-node
 * start held tens of GB in them, all nodes in one process).
 */
static void trim_scratch(struct tally_mb *m)
{
	if (m->cap_pairs > 2 * SCRATCH_KEEP_PAIRS) {
		free(m->pairs);
		m->pairs = NULL;
		m->cap_pairs = 0;
		m->n_pairs = 0;
	}
	tally_grouper_trim(&m->grouper, SCRATCH_KEEP_PAIRS);
}

static void receive(struct tally_mb *m, const struct tally_mb_msg *msg, uint64_t now)
{
	struct peer *p = peer_accept_frame(m, msg, now);

	if (p == NULL)
		return;
	if (msg->type != TALLY_MB_HEARTBEAT)
		m->st.msgs_received++;
	switch (msg->type) {
	case TALLY_MB_HEARTBEAT:
		on_heartbeat(m, p, msg, now);
		break;
	case TALLY_MB_PROPOSE:
		on_propose(m, msg, now);
		break;
	case TALLY_MB_PROPOSE_PART:
		on_propose_part(m, msg, now);
		break;
	case TALLY_MB_ACCEPT:
		on_accept(m, msg, now);
		break;
	case TALLY_MB_REJECT:
		if (m->prop.active && msg->seq == m->prop.seq) {
			/*
			 * It follows a lower node we do not hear: leave it to that
			 * one, unless we lost that node less than two windows ago
			 * (it crashed, and the rejecter's timeout has not run out
			 * yet: our retry a window later finds it free).
			 */
			if (msg->origin != 0 && msg->origin < m->id && !heard_id(m, msg->origin, now) &&
			    !lost_lately(m, peer_find(m, msg->origin), now))
				p->taken_until = now + TAKEN_FACTOR * m->window;
			abort_proposal(m, now);
		}
		break;
	case TALLY_MB_COMMIT:
		on_commit(m, msg->from, msg->seq, now);
		break;
	case TALLY_MB_ABORT:
		if (m->promise.active && m->promise.rep == msg->from && m->promise.seq == msg->seq) {
			m->promise.active = false;
			if (!m->installed)
				install_singleton(m, now);
		}
		break;
	case TALLY_MB_DATA:
		on_data(m, msg);
		break;
	case TALLY_MB_ORDERED:
		on_ordered(m, msg, now);
		break;
	case TALLY_MB_NACK:
		on_nack(m, msg);
		break;
	default:
		m->st.stale_dropped++;
		break;
	}
}

void tally_mb_receive(struct tally_mb *m, const struct tally_mb_msg *msg, uint64_t now)
{
	receive(m, msg, now);
	trim_scratch(m);
}

uint64_t tally_mb_next_deadline(const struct tally_mb *m)
{
	uint64_t d = m->next_tick;

	if (m->flush_due)
		return 0;	/* at once, once the caller's call returned */
	if (m->prop.active && m->prop.deadline < d)
		d = m->prop.deadline;
	if (m->promise.active && m->promise.deadline < d)
		d = m->promise.deadline;
	if (m->eval_at != 0 && m->eval_at < d)
		d = m->eval_at;
	return d;
}

static void tick(struct tally_mb *m, uint64_t now)
{
	if (m->flush_due) {
		m->flush_due = false;
		deliver_ready(m);
		if (is_rep(m))
			send_new_ordered(m);
	}
	step_proposal(m, now);
	if (now < m->next_tick) {
		if (m->eval_at != 0 && now >= m->eval_at) {
			m->eval_at = 0;
			step_event(m, now);
		}
		return;
	}
	/*
	 * Our own scheduling gap (Lifeguard's local health): the intervals we
	 * slept through are no evidence against anyone, so move every peer's
	 * last frame forward by the time we were away.
	 */
	if (now - m->last_tick > 2 * m->p.interval_us && m->installed) {
		uint64_t gap = now - m->last_tick - m->p.interval_us;

		for (size_t i = 0; i < m->n_peers; i++)
			if (m->peers[i]->last_heard != 0 && fresh(m, m->peers[i]->last_heard,
								   m->last_tick))
				m->peers[i]->last_heard += gap;
		m->damp_until = 0;
		m->st.stalls++;
	}
	m->last_tick = now;
	m->next_tick = now + m->p.interval_us;
	m->eval_at = 0;
	send_heartbeats(m, now, false);
	step_sequencing(m, now);
	step_membership(m, now);
	watch_expiry(m, now);
}

void tally_mb_tick(struct tally_mb *m, uint64_t now)
{
	tick(m, now);
	trim_scratch(m);
}

void tally_mb_submit(struct tally_mb *m, const struct tally_qmsg *msg, uint64_t now)
{
	submit(m, TALLY_MB_PAYLOAD_QMSG, msg, now);
}

void tally_mb_sync_done(struct tally_mb *m, uint64_t now)
{
	submit(m, TALLY_MB_PAYLOAD_SYNC_DONE, NULL, now);
}

void tally_mb_leave(struct tally_mb *m, uint64_t now)
{
	m->leaving = true;
	if (m->n_pend == 0)
		send_heartbeats(m, now, false);
}

bool tally_mb_left(const struct tally_mb *m)
{
	return m->leaving && m->n_pend == 0;
}

votequorum_ring_id_t tally_mb_ring(const struct tally_mb *m)
{
	votequorum_ring_id_t none = { 0, 0 };

	return m->installed ? m->ring : none;
}

size_t tally_mb_members(const struct tally_mb *m, const uint32_t **members)
{
	*members = m->installed ? m->view.ids : NULL;
	return m->installed ? m->view.n : 0;
}

size_t tally_mb_subjects(const struct tally_mb *m, const uint32_t **subjects)
{
	bool watching = large_view(m);

	*subjects = watching ? m->subjects : NULL;
	return watching ? m->n_subjects : 0;
}

/*
 * Is a peer we hear damped? The answer holds until a damping or a
 * freshness ends, or a peer starts a new period of being heard: one look at
 * every peer then, not at each call (the engine asks after every tick, and
 * at 256 nodes that loop was 40 % of a quiet node's CPU).
 */
static bool peer_damped(struct tally_mb *m, uint64_t now)
{
	uint64_t until = UINT64_MAX;

	if (m->damp_until != 0 && now < m->damp_until)
		return m->damped;
	m->damped = false;
	for (size_t i = 0; i < m->n_peers; i++) {
		const struct peer *p = m->peers[i];
		uint64_t end;

		if (!fresh(m, p->last_heard, now) || now - p->heard_since >= p->damp)
			continue;
		m->damped = true;
		end = p->heard_since + p->damp;
		if (p->last_heard + m->window + 1 < end)
			end = p->last_heard + m->window + 1;
		if (end < until)
			until = end;
	}
	m->damp_until = until;
	return m->damped;
}

bool tally_mb_stable(struct tally_mb *m, uint64_t now)
{
	/* A damped peer will count again when its damping ends: not settled yet. */
	if (peer_damped(m, now))
		return false;
	if (m->leaving && m->n_pend == 0)
		return true;	/* announced: the others remove us */
	if (large_view(m) && (m->alert || m->alert_pending))
		return false;
	return m->installed && m->agrees && !m->prop.active && !m->promise.active &&
	       m->next_gseq > m->rep_high && m->next_gseq > m->n_store && m->n_pend == 0 &&
	       !m->flush_due;
}

bool tally_mb_in_sync(const struct tally_mb *m)
{
	return m->installed && !m->activated;
}

void tally_mb_peer_info(const struct tally_mb *m, uint32_t id, uint64_t now,
			struct tally_mb_peer_info *out)
{
	const struct peer *p = id == m->id ? NULL : peer_find(m, id);
	uint64_t silent, missed;

	memset(out, 0, sizeof(*out));
	out->miss_count = m->p.miss_count;
	out->silent_us = UINT64_MAX;
	out->member = m->installed && mset_find(&m->view, id) >= 0;
	if (p == NULL || p->last_heard == 0)
		return;
	/* stall forgiveness may have moved last_heard past a caller's stale now */
	silent = now > p->last_heard ? now - p->last_heard : 0;
	out->inc = p->inc;
	out->silent_us = silent;
	missed = silent / m->p.interval_us;
	out->missed = missed < UINT32_MAX ? (uint32_t)missed : UINT32_MAX;
	out->flaps = p->flaps;
	out->heard = heard(m, p, now);
	out->unresponsive = p->unresponsive_until > now;
	out->taken = p->taken_until > now;
	if (!fresh(m, p->last_heard, now))
		out->state = TALLY_MB_DEAD;
	else if (now - p->heard_since < p->damp) {
		out->state = TALLY_MB_DAMPED;
		out->damp_left_us = p->damp - (now - p->heard_since);
	} else
		out->state = 2 * (uint64_t)out->missed >= m->p.miss_count ? TALLY_MB_SUSPECT
									: TALLY_MB_ALIVE;
}

const char *tally_mb_suspicion_name(enum tally_mb_suspicion s)
{
	static const char *const names[] = {
		[TALLY_MB_UNKNOWN] = "unknown", [TALLY_MB_ALIVE] = "alive",
		[TALLY_MB_SUSPECT] = "suspect", [TALLY_MB_DAMPED] = "damped",
		[TALLY_MB_DEAD] = "dead",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

void tally_mb_get_stats(const struct tally_mb *m, struct tally_mb_stats *out)
{
	*out = m->st;
}
