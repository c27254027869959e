/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * votequorum, the algorithm of corosync 3.1.7 (spec §3–§5), as a per-node
 * state machine without I/O. Section numbers in comments refer to
 * shared/spec/votequorum.md.
 *
 * Deliberate differences from corosync, all documented in
 * docs/design/quorum.md: the expected-votes-tracking barrier is persisted on
 * every rise (corosync closes the file and never writes it again), getinfo on
 * an unknown node zeroes the reply instead of leaving junk, and a message
 * about an unknown sender is dropped instead of asserting.
 */
#include "quorum/quorum.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cmap.h"
#include "tally/shm_layout.h"

#define NO_DEADLINE UINT64_MAX

struct node_rec {
	uint32_t id;
	uint32_t state;		/**< VOTEQUORUM_NODESTATE_*; 0 only for the device */
	uint32_t votes;
	uint32_t expected_votes;
	uint32_t flags;		/**< TALLY_QFLAG_* */
};

struct tally_quorum {
	const struct tally_quorum_ops *ops;
	void *ops_ctx;
	uint32_t our_id;

	/* Every node ever seen, sorted by id (us included); the device apart. */
	struct node_rec *nodes;
	uint32_t n_nodes;
	uint32_t max_nodes;
	struct node_rec qdevice;
	votequorum_node_t *notify_buf;	/**< scratch for quorum notifications */

	/* Configuration in force (struct tally_vq_effective, kept current). */
	bool two_node;
	bool wait_for_all;
	bool wait_for_all_explicit;
	bool wfa_status;
	enum tally_atb_mode atb;
	enum tally_atb_mode initial_atb;
	uint32_t atb_list_len;
	uint32_t *atb_list;
	bool lms;
	bool lms_configured;
	uint32_t lms_window;
	bool allow_downscale;
	bool ev_tracking;
	uint32_t ev_barrier;		/**< downscale floor (runtime.votequorum.ev_barrier) */
	uint32_t evt_barrier;		/**< expected-votes-tracking barrier */

	/* Quorum state. */
	uint32_t quorum;
	bool quorate;
	uint32_t lowest_id;		/**< remembered from the last quorate recalculation */
	uint32_t highest_id;

	/* Membership. */
	uint32_t *members;
	uint32_t n_members;
	uint32_t *prev_members;
	uint32_t n_prev_members;
	uint32_t *sorted_scratch;	/**< the new members, sorted, during sync_init */
	votequorum_ring_id_t ring;
	bool sync_in_progress;
	bool sync_nodeinfo_sent;
	bool sync_wait_for_poll;

	/* Quorum device. */
	char qdevice_name[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
	uint32_t qdevice_timeout;
	uint32_t qdevice_sync_timeout;
	bool qdevice_can_operate;
	bool qdevice_master_wins;	/**< the local runtime switch (§3.6 step 4) */
	bool reg_pending;
	uint64_t reg_token;

	uint64_t lms_deadline;
	uint64_t qdevice_deadline;

	/*
	 * Member tally kept up to date by set_node(), so a recalculation costs
	 * O(1) instead of a walk over every record (a 1024-node start-up would
	 * otherwise be O(N^2) per node). The highest expected value is
	 * recomputed lazily when a member holding it leaves or lowers it.
	 */
	uint64_t tally_votes;
	uint32_t tally_nodes;
	uint32_t tally_highest;
	bool tally_highest_stale;
};

static void qlog(struct tally_quorum *q, enum tally_qlog_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void qlog(struct tally_quorum *q, enum tally_qlog_level level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (q->ops->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	q->ops->log(q->ops_ctx, level, buf);
}

static void send_msg(struct tally_quorum *q, const struct tally_qmsg *m)
{
	q->ops->send(q->ops_ctx, m);
}

static void notify(struct tally_quorum *q, const struct tally_qnotify *n)
{
	if (q->ops->notify != NULL)
		q->ops->notify(q->ops_ctx, n);
}

/* ------------------------------------------------------------------ */
/* Node table                                                          */

static struct node_rec *find_node(struct tally_quorum *q, uint32_t id)
{
	uint32_t lo = 0, hi = q->n_nodes;

	if (id == VOTEQUORUM_QDEVICE_NODEID)
		return &q->qdevice;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (q->nodes[mid].id == id)
			return &q->nodes[mid];
		if (q->nodes[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct node_rec *find_node_const(const struct tally_quorum *q, uint32_t id)
{
	return find_node((struct tally_quorum *)q, id);
}

static struct node_rec *us(struct tally_quorum *q)
{
	return find_node(q, q->our_id);
}

/*
 * Insert a zeroed record for `id`. A full table reuses a DEAD record, as
 * corosync does once its 386 records are used. NULL when nothing is free.
 */
static struct node_rec *alloc_node(struct tally_quorum *q, uint32_t id)
{
	uint32_t pos;

	if (q->n_nodes == q->max_nodes) {
		uint32_t i;

		for (i = 0; i < q->n_nodes; i++)
			if (q->nodes[i].state == VOTEQUORUM_NODESTATE_DEAD &&
			    q->nodes[i].id != q->our_id)
				break;
		if (i == q->n_nodes)
			return NULL;
		memmove(&q->nodes[i], &q->nodes[i + 1],
			(q->n_nodes - i - 1) * sizeof(q->nodes[0]));
		q->n_nodes--;
	}
	for (pos = q->n_nodes; pos > 0 && q->nodes[pos - 1].id > id; pos--)
		;
	memmove(&q->nodes[pos + 1], &q->nodes[pos], (q->n_nodes - pos) * sizeof(q->nodes[0]));
	q->n_nodes++;
	memset(&q->nodes[pos], 0, sizeof(q->nodes[pos]));
	q->nodes[pos].id = id;
	return &q->nodes[pos];
}

static bool is_member_state(const struct tally_quorum *q, uint32_t id)
{
	const struct node_rec *n = find_node_const(q, id);

	return n != NULL && id != VOTEQUORUM_QDEVICE_NODEID &&
	       n->state == VOTEQUORUM_NODESTATE_MEMBER;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static bool in_list(const uint32_t *list, uint32_t n, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (list[i] == id)
			return true;
	return false;
}

/* Every change of a record's state, votes or expected votes goes through here. */
static void set_node(struct tally_quorum *q, struct node_rec *n, uint32_t state, uint32_t votes,
		     uint32_t expected)
{
	bool was = n->state == VOTEQUORUM_NODESTATE_MEMBER;
	bool is = state == VOTEQUORUM_NODESTATE_MEMBER;

	if (was) {
		q->tally_votes -= n->votes;
		q->tally_nodes--;
		/* The member holding the highest value leaves or lowers it. */
		if (n->expected_votes >= q->tally_highest && !(is && expected >= n->expected_votes))
			q->tally_highest_stale = true;
	}
	if (is) {
		q->tally_votes += votes;
		q->tally_nodes++;
		if (expected > q->tally_highest)
			q->tally_highest = expected;
	}
	n->state = state;
	n->votes = votes;
	n->expected_votes = expected;
}

static void set_state(struct tally_quorum *q, struct node_rec *n, uint32_t state)
{
	set_node(q, n, state, n->votes, n->expected_votes);
}

static void set_votes(struct tally_quorum *q, struct node_rec *n, uint32_t votes)
{
	set_node(q, n, n->state, votes, n->expected_votes);
}

static void set_expected(struct tally_quorum *q, struct node_rec *n, uint32_t expected)
{
	set_node(q, n, n->state, n->votes, expected);
}

static void set_member_expected(struct tally_quorum *q, uint32_t expected)
{
	if (expected == 0)
		return;
	for (uint32_t i = 0; i < q->n_nodes; i++)
		if (q->nodes[i].state == VOTEQUORUM_NODESTATE_MEMBER)
			q->nodes[i].expected_votes = expected;
	/* Every member now holds the same value. */
	q->tally_highest = q->tally_nodes ? expected : 0;
	q->tally_highest_stale = false;
}

/* Votes, count and highest expected votes of the MEMBER records. */
struct member_tally {
	uint64_t votes;
	uint32_t nodes;
	uint32_t highest_expected;
};

/* The tally computed from scratch: the reference the cached one must equal. */
static struct member_tally count_members(const struct tally_quorum *q)
{
	struct member_tally t = { 0, 0, 0 };

	for (uint32_t i = 0; i < q->n_nodes; i++) {
		const struct node_rec *n = &q->nodes[i];

		if (n->state != VOTEQUORUM_NODESTATE_MEMBER)
			continue;
		if (n->expected_votes > t.highest_expected)
			t.highest_expected = n->expected_votes;
		t.votes += n->votes;
		t.nodes++;
	}
	return t;
}

static struct member_tally tally_members(const struct tally_quorum *q)
{
	struct member_tally t = { q->tally_votes, q->tally_nodes, q->tally_highest };

	if (q->tally_highest_stale) {
		/* A lazy cache: refreshing it does not change the observable state. */
		struct tally_quorum *mq = (struct tally_quorum *)q;

		t.highest_expected = count_members(q).highest_expected;
		mq->tally_highest = t.highest_expected;
		mq->tally_highest_stale = false;
	}
	return t;
}

bool tally_quorum_tally_consistent(const struct tally_quorum *q)
{
	struct member_tally cached = tally_members(q), fresh = count_members(q);

	return cached.votes == fresh.votes && cached.nodes == fresh.nodes &&
	       cached.highest_expected == fresh.highest_expected;
}

/* ------------------------------------------------------------------ */
/* Notifications                                                       */

static void emit_nodelist(const struct tally_quorum *q,
			  void (*sink)(void *, const struct tally_qnotify *), void *ctx)
{
	struct tally_qnotify n = { .type = TALLY_QNOTIFY_NODELIST };

	n.nodelist.ring_id = q->ring;
	n.nodelist.n_members = q->n_members;
	n.nodelist.members = q->members;
	sink(ctx, &n);
}

/*
 * Every record ever seen, then the device if ours is registered. corosync's
 * list ends with the local node and is otherwise ascending (spec §4.1).
 */
static void emit_quorum(const struct tally_quorum *q,
			void (*sink)(void *, const struct tally_qnotify *), void *ctx)
{
	struct tally_qnotify n = { .type = TALLY_QNOTIFY_QUORUM };
	const struct node_rec *self = find_node_const(q, q->our_id);
	uint32_t k = 0;

	for (uint32_t i = 0; i < q->n_nodes; i++) {
		if (q->nodes[i].id == q->our_id)
			continue;
		q->notify_buf[k].nodeid = q->nodes[i].id;
		q->notify_buf[k++].state = q->nodes[i].state;
	}
	q->notify_buf[k].nodeid = self->id;
	q->notify_buf[k++].state = self->state;
	if (self->flags & TALLY_QFLAG_QDEVICE_REGISTERED) {
		q->notify_buf[k].nodeid = VOTEQUORUM_QDEVICE_NODEID;
		q->notify_buf[k++].state = q->qdevice.state;
	}
	n.quorum.quorate = q->quorate;
	n.quorum.n_nodes = k;
	n.quorum.nodes = q->notify_buf;
	sink(ctx, &n);
}

static void notify_sink(void *ctx, const struct tally_qnotify *n)
{
	notify(ctx, n);
}

static void notify_expectedvotes(struct tally_quorum *q)
{
	struct tally_qnotify n = { .type = TALLY_QNOTIFY_EXPECTEDVOTES };

	n.expectedvotes.expected_votes = us(q)->expected_votes;
	notify(q, &n);
}

void tally_quorum_emit_current(const struct tally_quorum *q,
			       void (*sink)(void *ctx, const struct tally_qnotify *n), void *ctx)
{
	emit_nodelist(q, sink, ctx);
	emit_quorum(q, sink, ctx);
}

/* ------------------------------------------------------------------ */
/* Messages we send                                                    */

static void send_nodeinfo(struct tally_quorum *q, uint32_t nodeid)
{
	const struct node_rec *n = find_node(q, nodeid);
	struct tally_qmsg m = { .type = TALLY_QMSG_NODEINFO };

	m.nodeinfo.nodeid = nodeid;
	m.nodeinfo.votes = n->votes;
	m.nodeinfo.expected_votes = n->expected_votes;
	m.nodeinfo.flags = n->flags;
	send_msg(q, &m);
}

static void send_reconfigure(struct tally_quorum *q, enum tally_qreconf_param param,
			     uint32_t nodeid, uint32_t value)
{
	struct tally_qmsg m = { .type = TALLY_QMSG_RECONFIGURE };

	m.reconfigure.nodeid = nodeid;
	m.reconfigure.value = value;
	m.reconfigure.param = param;
	send_msg(q, &m);
}

static void send_qdevice_reg(struct tally_quorum *q, enum tally_qdevice_op op, const char *name)
{
	struct tally_qmsg m = { .type = TALLY_QMSG_QDEVICE_REG };

	m.qdevice_reg.op = op;
	snprintf(m.qdevice_reg.name, sizeof(m.qdevice_reg.name), "%s", name);
	send_msg(q, &m);
}

/* ------------------------------------------------------------------ */
/* The quorum calculation (§3.5–§3.7)                                  */

static void set_wfa_status(struct tally_quorum *q, bool on)
{
	struct node_rec *self = us(q);

	q->wfa_status = on;
	if (on)
		self->flags |= TALLY_QFLAG_WFASTATUS;
	else
		self->flags &= ~TALLY_QFLAG_WFASTATUS;
}

static void set_ev_tracking_barrier(struct tally_quorum *q, uint32_t barrier)
{
	q->evt_barrier = barrier;
	if (q->ops->persist_ev_barrier != NULL)
		q->ops->persist_ev_barrier(q->ops_ctx, barrier);
}

/*
 * The OpenVMS formula corosync uses: a strict majority of the highest
 * expected votes, or of the votes present if those are more.
 */
static uint32_t calculate_quorum(const struct tally_quorum *q, bool allow_decrease,
				 uint32_t max_expected, bool downscale, uint32_t *ret_total)
{
	const struct node_rec *self = find_node_const(q, q->our_id);
	struct member_tally t = tally_members(q);
	uint64_t total_votes = t.votes;
	uint32_t highest_expected = t.highest_expected, total_nodes = t.nodes;
	uint32_t q1, q2, newquorum;

	if (downscale && allow_decrease && max_expected)
		max_expected = max_expected > q->ev_barrier ? max_expected : q->ev_barrier;

	if (self->flags & TALLY_QFLAG_QDEVICE_CAST_VOTE) {
		total_votes += q->qdevice.votes;
		total_nodes++;
	}
	if (total_votes > UINT32_MAX - 2)
		total_votes = UINT32_MAX - 2;
	if (max_expected > 0)
		highest_expected = max_expected;

	q1 = (uint32_t)(((uint64_t)highest_expected + 2) / 2);
	q2 = (uint32_t)((total_votes + 2) / 2);
	newquorum = q1 > q2 ? q1 : q2;

	/* Quorum only falls when an administrator or a rule explicitly allows it. */
	if (!allow_decrease && q->quorum > newquorum)
		newquorum = q->quorum;

	/* Either node of a two-node cluster keeps quorum; fencing decides. */
	if (q->two_node && total_nodes <= 2)
		newquorum = 1;

	if (ret_total != NULL)
		*ret_total = (uint32_t)total_votes;
	return newquorum;
}

/* Lowest and highest MEMBER ids, us included; the table is sorted by id. */
static void refresh_atb_ids(struct tally_quorum *q)
{
	uint32_t i;

	q->lowest_id = q->our_id;
	q->highest_id = q->our_id;
	for (i = 0; i < q->n_nodes; i++) {
		if (q->nodes[i].state == VOTEQUORUM_NODESTATE_MEMBER) {
			if (q->nodes[i].id < q->lowest_id)
				q->lowest_id = q->nodes[i].id;
			break;
		}
	}
	for (i = q->n_nodes; i > 0; i--) {
		if (q->nodes[i - 1].state == VOTEQUORUM_NODESTATE_MEMBER) {
			if (q->nodes[i - 1].id > q->highest_id)
				q->highest_id = q->nodes[i - 1].id;
			break;
		}
	}
}

/*
 * List mode: the first listed node present here wins, unless a node listed
 * before it was in the previous membership: it may be alive on the other
 * side of the split.
 */
static bool atb_decides_for_us(const struct tally_quorum *q)
{
	switch (q->atb) {
	case TALLY_ATB_LOWEST:
		return is_member_state(q, q->lowest_id);
	case TALLY_ATB_HIGHEST:
		return is_member_state(q, q->highest_id);
	case TALLY_ATB_LIST:
		for (uint32_t i = 0; i < q->atb_list_len; i++) {
			if (!in_list(q->members, q->n_members, q->atb_list[i]))
				continue;
			for (uint32_t j = 0; j < i; j++)
				if (in_list(q->prev_members, q->n_prev_members, q->atb_list[j]))
					return false;
			return true;
		}
		return false;
	case TALLY_ATB_NONE:
		break;
	}
	return false;
}

static bool master_wins_member(const struct tally_quorum *q)
{
	const uint32_t both = TALLY_QFLAG_QDEVICE_MASTER_WINS | TALLY_QFLAG_QDEVICE_CAST_VOTE;

	for (uint32_t i = 0; i < q->n_nodes; i++)
		if (q->nodes[i].state == VOTEQUORUM_NODESTATE_MEMBER &&
		    (q->nodes[i].flags & both) == both)
			return true;
	return false;
}

/* §3.6 */
static void are_we_quorate(struct tally_quorum *q, uint32_t total_votes)
{
	struct node_rec *self = us(q);
	bool quorate;
	bool changed;

	if (q->wait_for_all && q->wfa_status) {
		if (total_votes != self->expected_votes) {
			qlog(q, TALLY_QLOG_NOTICE,
			     "Waiting for all cluster members. Current votes: %" PRIu32
			     " expected_votes: %" PRIu32,
			     total_votes, self->expected_votes);
			q->quorate = false;
			return;
		}
		set_wfa_status(q, false);
	}

	quorate = q->quorum <= total_votes;
	if (quorate)
		refresh_atb_ids(q);

	if (q->atb != TALLY_ATB_NONE && total_votes == self->expected_votes / 2 &&
	    (int64_t)q->n_prev_members - (int64_t)q->n_members < (int64_t)q->quorum &&
	    atb_decides_for_us(q))
		quorate = true;

	if (q->qdevice_master_wins && !quorate && master_wins_member(q)) {
		qlog(q, TALLY_QLOG_DEBUG, "node is quorate as part of master_wins partition");
		quorate = true;
	}

	changed = quorate != q->quorate;
	if (changed)
		qlog(q, TALLY_QLOG_DEBUG, quorate ? "quorum regained, resuming activity"
						  : "quorum lost, blocking activity");
	q->quorate = quorate;
	if (quorate)
		self->flags |= TALLY_QFLAG_QUORATE;
	else
		self->flags &= ~TALLY_QFLAG_QUORATE;

	/* Losing quorum re-arms wait_for_all (spec §3.11.2). */
	if (q->wait_for_all)
		set_wfa_status(q, !quorate);

	if (changed && !q->sync_in_progress)
		emit_quorum(q, notify_sink, q);
}

/*
 * Recalculate quorum. `by_current_nodes` lowers every member's expected votes
 * to the current node count (last man standing, downscale).
 */
static void recalculate_quorum(struct tally_quorum *q, bool allow_decrease,
			       bool by_current_nodes)
{
	struct node_rec *self = us(q);
	struct member_tally t = tally_members(q);
	uint64_t raw_total = t.votes;
	uint32_t member_count = t.nodes, total_votes;

	/* The device's votes raise E whether or not a device runs (§3.7.1). */
	if (q->qdevice.votes) {
		raw_total += q->qdevice.votes;
		member_count++;
	}
	if (raw_total > UINT32_MAX)
		raw_total = UINT32_MAX;
	if (!by_current_nodes)
		member_count = 0;

	if (raw_total > self->expected_votes) {
		set_expected(q, self, (uint32_t)raw_total);
		notify_expectedvotes(q);
	}
	if (q->ev_tracking && self->expected_votes > q->evt_barrier)
		set_ev_tracking_barrier(q, self->expected_votes);

	q->quorum = calculate_quorum(q, allow_decrease, member_count, q->allow_downscale,
				     &total_votes);
	set_member_expected(q, member_count);
	are_we_quorate(q, total_votes);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

static void note_to_log(void *ctx, enum tally_vq_note_level level, const char *text)
{
	qlog(ctx, level == TALLY_VQ_NOTE_CRIT ? TALLY_QLOG_CRIT : TALLY_QLOG_WARNING, "%s",
	     text);
}

static void apply_effective(struct tally_quorum *q, const struct tally_vq_effective *e)
{
	struct node_rec *self = us(q);

	q->two_node = e->two_node;
	q->wait_for_all = e->wait_for_all;
	q->wait_for_all_explicit = e->wait_for_all_explicit;
	q->atb = e->atb;
	q->lms_window = e->lms_window;
	q->qdevice_can_operate = e->qdevice_can_operate;
	q->qdevice_timeout = e->device_timeout;
	q->qdevice_sync_timeout = e->device_sync_timeout;

	set_votes(q, self, e->my_votes);
	if (e->expected_votes)
		set_expected(q, self, e->expected_votes);
	if (e->device_votes_known)
		q->qdevice.votes = e->device_votes;
	q->ev_barrier = self->expected_votes;
}

struct tally_quorum *tally_quorum_create(uint32_t nodeid, const struct tally_cmap *map,
					 uint32_t ev_barrier, uint32_t max_nodes,
					 const struct tally_quorum_ops *ops, void *ops_ctx,
					 char *err, size_t errlen)
{
	struct tally_vq_settings *s = NULL;
	struct tally_vq_effective e;
	struct tally_quorum *q = NULL;
	struct node_rec *self;
	int rc;

	if (nodeid == VOTEQUORUM_QDEVICE_NODEID || ops == NULL || ops->send == NULL ||
	    max_nodes < 2) {
		snprintf(err, errlen, "invalid node id or parameters");
		errno = EINVAL;
		return NULL;
	}

	s = malloc(sizeof(*s));
	q = calloc(1, sizeof(*q));
	if (s == NULL || q == NULL)
		goto err_nomem;
	q->ops = ops;
	q->ops_ctx = ops_ctx;

	rc = tally_vq_settings_read(map, nodeid, s, err, errlen);
	if (rc == 0)
		rc = tally_vq_derive(s, NULL, ev_barrier, &e, note_to_log, q, err, errlen);
	if (rc != 0) {
		free(s);
		free(q);
		errno = -rc;
		return NULL;
	}

	q->max_nodes = max_nodes;
	q->nodes = calloc(max_nodes, sizeof(*q->nodes));
	q->notify_buf = calloc((size_t)max_nodes + 1, sizeof(*q->notify_buf));
	q->members = calloc(max_nodes, sizeof(*q->members));
	q->prev_members = calloc(max_nodes, sizeof(*q->prev_members));
	q->sorted_scratch = calloc(max_nodes, sizeof(*q->sorted_scratch));
	q->atb_list = calloc(s->atb_list_len ? s->atb_list_len : 1, sizeof(*q->atb_list));
	if (q->nodes == NULL || q->notify_buf == NULL || q->members == NULL ||
	    q->prev_members == NULL || q->sorted_scratch == NULL || q->atb_list == NULL)
		goto err_nomem;
	memcpy(q->atb_list, s->atb_list, s->atb_list_len * sizeof(*q->atb_list));
	q->atb_list_len = s->atb_list_len;

	q->our_id = nodeid;
	q->lms_deadline = NO_DEADLINE;
	q->qdevice_deadline = NO_DEADLINE;
	self = alloc_node(q, nodeid);
	set_node(q, self, VOTEQUORUM_NODESTATE_MEMBER, 1, 0);
	self->flags = TALLY_QFLAG_FIRST;

	/* ATB as configured, before the start-up checks turned it off (§3.4 reload rule). */
	q->initial_atb = s->auto_tie_breaker ? s->atb_mode : TALLY_ATB_NONE;
	q->lms = e.last_man_standing;
	q->lms_configured = e.last_man_standing;
	q->allow_downscale = e.allow_downscale;
	q->ev_tracking = e.ev_tracking;
	apply_effective(q, &e);
	if (q->ev_tracking)
		set_ev_tracking_barrier(q, ev_barrier);
	if (q->wait_for_all)
		set_wfa_status(q, true);
	free(s);

	recalculate_quorum(q, false, false);
	return q;

err_nomem:
	tally_quorum_destroy(q);
	free(s);
	snprintf(err, errlen, "out of memory");
	errno = ENOMEM;
	return NULL;
}

void tally_quorum_destroy(struct tally_quorum *q)
{
	if (q == NULL)
		return;
	free(q->nodes);
	free(q->notify_buf);
	free(q->members);
	free(q->prev_members);
	free(q->sorted_scratch);
	free(q->atb_list);
	free(q);
}

void tally_quorum_reload(struct tally_quorum *q, const struct tally_cmap *map, uint64_t now)
{
	struct node_rec *self = us(q);
	struct tally_vq_settings *s;
	struct tally_vq_effective e;
	struct tally_vq_runtime rt = {
		.qdevice_registered = self->flags & TALLY_QFLAG_QDEVICE_REGISTERED,
		.wait_for_all = q->wait_for_all,
		.wait_for_all_explicit = q->wait_for_all_explicit,
		.last_man_standing = q->lms,
		.allow_downscale = q->allow_downscale,
		.ev_tracking = q->ev_tracking,
		.initial_atb = q->initial_atb,
	};
	uint32_t old_votes = self->votes, old_expected = self->expected_votes;
	char err[256];
	int rc;

	(void)now;
	s = malloc(sizeof(*s));
	if (s == NULL) {
		qlog(q, TALLY_QLOG_CRIT, "configuration reload failed: out of memory");
		return;
	}
	rc = tally_vq_settings_read(map, q->our_id, s, err, sizeof(err));
	if (rc == 0)
		rc = tally_vq_derive(s, &rt, q->evt_barrier, &e, note_to_log, q, err,
				     sizeof(err));
	free(s);
	if (rc != 0) {
		qlog(q, TALLY_QLOG_CRIT, "configuration reload ignored: %s", err);
		return;
	}

	if (!e.keep_runtime) {
		apply_effective(q, &e);
		/* two_node switched off while wait_for_all was only implied by it. */
		if (!q->wait_for_all && q->wfa_status)
			set_wfa_status(q, false);
	}

	send_nodeinfo(q, q->our_id);
	send_nodeinfo(q, VOTEQUORUM_QDEVICE_NODEID);
	if (self->votes != old_votes)
		send_reconfigure(q, TALLY_QRECONF_NODE_VOTES, q->our_id, self->votes);
	if (self->expected_votes != old_expected)
		send_reconfigure(q, TALLY_QRECONF_EXPECTED_VOTES, q->our_id,
				 self->expected_votes);
}

/* ------------------------------------------------------------------ */
/* Membership (§3.8)                                                   */

void tally_quorum_sync_init(struct tally_quorum *q, const votequorum_ring_id_t *ring,
			    const uint32_t *members, size_t n_members, uint64_t now)
{
	struct node_rec *self = us(q);
	bool someone_left = false;

	if (n_members > q->max_nodes) {
		qlog(q, TALLY_QLOG_CRIT, "membership of %zu nodes exceeds the node table (%" PRIu32
			   "); extra members ignored", n_members, q->max_nodes);
		n_members = q->max_nodes;
	}

	q->sync_in_progress = true;
	q->sync_nodeinfo_sent = false;
	q->sync_wait_for_poll = false;

	if (n_members > 1)
		self->flags &= ~TALLY_QFLAG_FIRST;

	/* Nodes become MEMBER only when their nodeinfo arrives in this ring. */
	memcpy(q->sorted_scratch, members, n_members * sizeof(*members));
	qsort(q->sorted_scratch, n_members, sizeof(*members), cmp_u32);
	for (uint32_t i = 0; i < q->n_members; i++) {
		struct node_rec *n;

		if (bsearch(&q->members[i], q->sorted_scratch, n_members, sizeof(*members),
			    cmp_u32) != NULL)
			continue;
		someone_left = true;
		n = find_node(q, q->members[i]);
		if (n != NULL && n->id != q->our_id)
			set_state(q, n, VOTEQUORUM_NODESTATE_DEAD);
	}

	/* Only (re)start the window, never extend it; joins alone do not start it. */
	if (q->lms && ((n_members >= q->quorum && someone_left) ||
		       (n_members <= q->quorum && q->atb != TALLY_ATB_NONE &&
			is_member_state(q, q->lowest_id))))
		q->lms_deadline = now + q->lms_window;

	memcpy(q->prev_members, q->members, q->n_members * sizeof(*q->members));
	q->n_prev_members = q->n_members;
	memcpy(q->members, members, n_members * sizeof(*members));
	q->n_members = (uint32_t)n_members;
	q->ring = *ring;

	if ((self->flags & TALLY_QFLAG_QDEVICE_REGISTERED) &&
	    (self->flags & TALLY_QFLAG_QDEVICE_ALIVE)) {
		q->qdevice_deadline = now + q->qdevice_sync_timeout;
		q->sync_wait_for_poll = true;
		qlog(q, TALLY_QLOG_INFO,
		     "waiting for quorum device %s poll (but maximum for %" PRIu32 " ms)",
		     q->qdevice_name, q->qdevice_sync_timeout);
	}
}

bool tally_quorum_sync_process(struct tally_quorum *q)
{
	if (!q->sync_nodeinfo_sent) {
		send_nodeinfo(q, q->our_id);
		send_nodeinfo(q, VOTEQUORUM_QDEVICE_NODEID);
		if (q->qdevice_name[0] != '\0')
			send_qdevice_reg(q, TALLY_QDEVICE_OP_REGISTER, q->qdevice_name);
		emit_nodelist(q, notify_sink, q);
		q->sync_nodeinfo_sent = true;
	}
	return !((us(q)->flags & TALLY_QFLAG_QDEVICE_REGISTERED) && q->sync_wait_for_poll);
}

void tally_quorum_sync_activate(struct tally_quorum *q)
{
	recalculate_quorum(q, false, false);
	/* Trackers get a quorum notification after every membership change. */
	emit_quorum(q, notify_sink, q);
	q->sync_in_progress = false;
}

/* ------------------------------------------------------------------ */
/* Message delivery (§3.9)                                             */

static void deliver_nodeinfo(struct tally_quorum *q, uint32_t sender, const struct tally_qmsg *m)
{
	struct node_rec *self = us(q);
	struct node_rec *node, old;
	uint32_t nodeid = m->nodeinfo.nodeid;
	bool new_node = false, allow_decrease = false, by_node = false;

	if (nodeid == VOTEQUORUM_QDEVICE_NODEID) {
		const struct node_rec *from = find_node(q, sender);
		uint32_t old_votes = q->qdevice.votes;

		if (from == NULL || sender == VOTEQUORUM_QDEVICE_NODEID) {
			/* corosync asserts here (corosync#63); an unknown sender is dropped. */
			qlog(q, TALLY_QLOG_WARNING,
			     "quorum device nodeinfo from unknown node %" PRIu32 " dropped", sender);
			return;
		}
		if (!q->quorate && (from->flags & TALLY_QFLAG_QUORATE))
			q->qdevice.votes = m->nodeinfo.votes;
		else if (m->nodeinfo.votes > q->qdevice.votes)
			q->qdevice.votes = m->nodeinfo.votes;
		if (q->qdevice.votes != old_votes)
			recalculate_quorum(q, false, false);
		return;
	}

	node = find_node(q, nodeid);
	if (node == NULL) {
		node = alloc_node(q, nodeid);
		if (node == NULL) {
			qlog(q, TALLY_QLOG_CRIT,
			     "node table full (%" PRIu32 " records): nodeinfo of %" PRIu32
			     " dropped", q->max_nodes, nodeid);
			return;
		}
		new_node = true;
		set_state(q, node, VOTEQUORUM_NODESTATE_DEAD);
		self = us(q);	/* the insert may have moved our record */
	}
	old = *node;

	node->flags = m->nodeinfo.flags;
	set_node(q, node, VOTEQUORUM_NODESTATE_MEMBER, m->nodeinfo.votes, node->expected_votes);
	if (node->flags & TALLY_QFLAG_LEAVING) {
		set_state(q, node, VOTEQUORUM_NODESTATE_LEAVING);
		allow_decrease = true;
		by_node = true;
	}

	/* A node joining a quorate cluster takes the cluster's expected votes. */
	if (!q->quorate && (node->flags & TALLY_QFLAG_QUORATE)) {
		allow_decrease = true;
		set_expected(q, self, m->nodeinfo.expected_votes);
	}
	if ((node->flags & TALLY_QFLAG_QUORATE) || q->ev_tracking)
		set_expected(q, node, m->nodeinfo.expected_votes);
	else
		set_expected(q, node, self->expected_votes);

	if (q->lms && node->votes > 1) {
		qlog(q, TALLY_QLOG_WARNING, "Last Man Standing feature is supported only when all "
					    "cluster nodes votes are set to 1. Disabling LMS.");
		q->lms = false;
		q->lms_deadline = NO_DEADLINE;
	}

	if (new_node || nodeid == q->our_id || (node->flags & TALLY_QFLAG_FIRST) ||
	    old.votes != node->votes || old.expected_votes != node->expected_votes ||
	    old.flags != node->flags || old.state != node->state) {
		recalculate_quorum(q, allow_decrease, by_node);
		node = find_node(q, nodeid);
	}

	/* A quorate node that is not waiting releases us from wait_for_all. */
	if (q->wait_for_all && !(node->flags & TALLY_QFLAG_WFASTATUS) &&
	    (node->flags & TALLY_QFLAG_QUORATE))
		set_wfa_status(q, false);
}

static void deliver_reconfigure(struct tally_quorum *q, const struct tally_qmsg *m)
{
	struct node_rec *self = us(q);
	struct node_rec *node;

	switch (m->reconfigure.param) {
	case TALLY_QRECONF_EXPECTED_VOTES:
		set_member_expected(q, m->reconfigure.value);
		notify_expectedvotes(q);
		q->ev_barrier = m->reconfigure.value;
		if (q->ev_tracking && self->expected_votes < q->evt_barrier)
			set_expected(q, self, q->evt_barrier);
		recalculate_quorum(q, true, false);
		break;
	case TALLY_QRECONF_NODE_VOTES:
		node = find_node(q, m->reconfigure.nodeid);
		if (node == NULL)
			return;
		set_votes(q, node, m->reconfigure.value);
		recalculate_quorum(q, true, false);
		break;
	case TALLY_QRECONF_CANCEL_WFA:
		set_wfa_status(q, false);
		qlog(q, TALLY_QLOG_INFO, "wait_for_all_status reset by user on node %" PRIu32 ".",
		     m->reconfigure.nodeid);
		recalculate_quorum(q, false, false);
		break;
	default:
		qlog(q, TALLY_QLOG_WARNING, "reconfigure message with unknown parameter %d dropped",
		     (int)m->reconfigure.param);
		break;
	}
}

static bool name_eq(const char *a, const char *b)
{
	return strncmp(a, b, VOTEQUORUM_QDEVICE_MAX_NAME_LEN) == 0;
}

static void set_qdevice_name(struct tally_quorum *q, const char *name)
{
	snprintf(q->qdevice_name, sizeof(q->qdevice_name), "%s", name);
}

static void deliver_qdevice_reg(struct tally_quorum *q, uint32_t sender,
				const struct tally_qmsg *m)
{
	struct node_rec *self = us(q);
	cs_error_t result = CS_OK;

	if (m->qdevice_reg.op == TALLY_QDEVICE_OP_UNREGISTER) {
		const uint32_t reg = TALLY_QFLAG_QDEVICE_REGISTERED;

		for (uint32_t i = 0; i < q->n_nodes; i++)
			if (q->nodes[i].state == VOTEQUORUM_NODESTATE_MEMBER &&
			    (q->nodes[i].flags & reg))
				return;
		memset(q->qdevice_name, 0, sizeof(q->qdevice_name));
		return;
	}

	/* Other nodes only learn the cluster-wide name. */
	if (sender != q->our_id) {
		if (q->qdevice_name[0] == '\0')
			set_qdevice_name(q, m->qdevice_reg.name);
		return;
	}
	/* Our own re-announcement at a membership change. */
	if (self->flags & TALLY_QFLAG_QDEVICE_REGISTERED)
		return;
	if (!q->reg_pending)
		return;

	if (q->qdevice_name[0] == '\0')
		set_qdevice_name(q, m->qdevice_reg.name);
	if (name_eq(m->qdevice_reg.name, q->qdevice_name)) {
		self->flags |= TALLY_QFLAG_QDEVICE_REGISTERED;
		send_nodeinfo(q, VOTEQUORUM_QDEVICE_NODEID);
		send_nodeinfo(q, q->our_id);
	} else {
		qlog(q, TALLY_QLOG_WARNING,
		     "A new qdevice with different name (new: %s old: %s) is trying to register!",
		     m->qdevice_reg.name, q->qdevice_name);
		result = CS_ERR_EXIST;
	}
	q->reg_pending = false;
	if (q->ops->reply != NULL)
		q->ops->reply(q->ops_ctx, q->reg_token, result);
}

void tally_quorum_deliver(struct tally_quorum *q, uint32_t sender, const struct tally_qmsg *msg,
			  uint64_t now)
{
	(void)now;
	switch (msg->type) {
	case TALLY_QMSG_NODEINFO:
		deliver_nodeinfo(q, sender, msg);
		break;
	case TALLY_QMSG_RECONFIGURE:
		deliver_reconfigure(q, msg);
		break;
	case TALLY_QMSG_QDEVICE_REG:
		deliver_qdevice_reg(q, sender, msg);
		break;
	case TALLY_QMSG_QDEVICE_RECONFIGURE:
		if (name_eq(msg->qdevice_reconfigure.oldname, q->qdevice_name))
			set_qdevice_name(q, msg->qdevice_reconfigure.newname);
		break;
	default:
		qlog(q, TALLY_QLOG_WARNING, "message of unknown type %d dropped", (int)msg->type);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Timers                                                              */

uint64_t tally_quorum_next_deadline(const struct tally_quorum *q)
{
	return q->lms_deadline < q->qdevice_deadline ? q->lms_deadline : q->qdevice_deadline;
}

static void qdevice_timer_expired(struct tally_quorum *q)
{
	struct node_rec *self = us(q);

	q->qdevice_deadline = NO_DEADLINE;
	if (!(self->flags & TALLY_QFLAG_QDEVICE_ALIVE))
		return;
	self->flags &= ~(TALLY_QFLAG_QDEVICE_ALIVE | TALLY_QFLAG_QDEVICE_CAST_VOTE);
	qlog(q, TALLY_QLOG_INFO, "lost contact with quorum device %s", q->qdevice_name);
	send_nodeinfo(q, q->our_id);
	q->sync_wait_for_poll = false;
}

void tally_quorum_expire(struct tally_quorum *q, uint64_t now)
{
	while (tally_quorum_next_deadline(q) <= now) {
		if (q->lms_deadline <= q->qdevice_deadline) {
			q->lms_deadline = NO_DEADLINE;
			if (q->quorate)
				recalculate_quorum(q, true, true);
		} else {
			qdevice_timer_expired(q);
		}
	}
}

void tally_quorum_leave(struct tally_quorum *q)
{
	if (!q->allow_downscale)
		return;
	us(q)->flags |= TALLY_QFLAG_LEAVING;
	send_nodeinfo(q, q->our_id);
}

/* ------------------------------------------------------------------ */
/* API requests (§2.2, §5.2)                                           */

/* The cluster-wide VOTEQUORUM_INFO_* bits (spec §3.10). */
static uint32_t global_info_flags(const struct tally_quorum *q)
{
	return (q->two_node ? VOTEQUORUM_INFO_TWONODE : 0) |
	       (q->quorate ? VOTEQUORUM_INFO_QUORATE : 0) |
	       (q->wait_for_all ? VOTEQUORUM_INFO_WAIT_FOR_ALL : 0) |
	       (q->lms ? VOTEQUORUM_INFO_LAST_MAN_STANDING : 0) |
	       (q->atb != TALLY_ATB_NONE ? VOTEQUORUM_INFO_AUTO_TIE_BREAKER : 0) |
	       (q->allow_downscale ? VOTEQUORUM_INFO_ALLOW_DOWNSCALE : 0);
}

/* A node's internal device flags as the API's VOTEQUORUM_INFO_QDEVICE_* bits. */
static uint32_t qdevice_info_flags(uint32_t qflags)
{
	return (qflags & TALLY_QFLAG_QDEVICE_REGISTERED ? VOTEQUORUM_INFO_QDEVICE_REGISTERED : 0) |
	       (qflags & TALLY_QFLAG_QDEVICE_ALIVE ? VOTEQUORUM_INFO_QDEVICE_ALIVE : 0) |
	       (qflags & TALLY_QFLAG_QDEVICE_CAST_VOTE ? VOTEQUORUM_INFO_QDEVICE_CAST_VOTE : 0) |
	       (qflags & TALLY_QFLAG_QDEVICE_MASTER_WINS ? VOTEQUORUM_INFO_QDEVICE_MASTER_WINS : 0);
}

cs_error_t tally_quorum_getinfo(const struct tally_quorum *q, uint32_t nodeid,
				struct votequorum_info *info)
{
	const struct node_rec *node;
	struct member_tally t;
	uint64_t total;

	memset(info, 0, sizeof(*info));
	if (nodeid == VOTEQUORUM_QDEVICE_NODEID)
		nodeid = q->our_id;
	node = find_node_const(q, nodeid);
	if (node == NULL)
		return CS_ERR_NOT_EXIST;

	t = tally_members(q);
	total = t.votes;
	if (node->flags & TALLY_QFLAG_QDEVICE_CAST_VOTE)
		total += q->qdevice.votes;

	info->node_id = node->id;
	info->node_state = node->state;
	info->node_votes = node->votes;
	info->node_expected_votes = node->expected_votes;
	info->highest_expected = t.highest_expected;
	info->total_votes = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	info->quorum = q->quorum;
	info->flags = global_info_flags(q) | qdevice_info_flags(node->flags);
	info->qdevice_votes = q->qdevice.votes;
	memcpy(info->qdevice_name, q->qdevice_name, sizeof(info->qdevice_name));
	return CS_OK;
}

cs_error_t tally_quorum_setexpected(struct tally_quorum *q, uint32_t expected_votes)
{
	uint32_t total, newquorum;

	/* Checked without the downscale floor (§3.7.2). */
	newquorum = calculate_quorum(q, true, expected_votes, false, &total);
	if (expected_votes < total || (q->quorate && newquorum > total))
		return CS_ERR_INVALID_PARAM;

	set_member_expected(q, expected_votes);
	send_reconfigure(q, TALLY_QRECONF_EXPECTED_VOTES, q->our_id, expected_votes);
	return CS_OK;
}

cs_error_t tally_quorum_setvotes(struct tally_quorum *q, uint32_t nodeid, uint32_t votes)
{
	struct node_rec *node = find_node(q, nodeid);
	uint32_t saved, total, newquorum;

	if (node == NULL)
		return CS_ERR_NAME_NOT_FOUND;

	saved = node->votes;
	set_votes(q, node, votes);
	newquorum = calculate_quorum(q, true, 0, q->allow_downscale, &total);
	if (newquorum < total / 2 || newquorum > total) {
		set_votes(q, node, saved);
		return CS_ERR_INVALID_PARAM;
	}
	send_reconfigure(q, TALLY_QRECONF_NODE_VOTES, nodeid, votes);
	return CS_OK;
}

void tally_quorum_cancel_wait_for_all(struct tally_quorum *q)
{
	send_reconfigure(q, TALLY_QRECONF_CANCEL_WFA, q->our_id, 0);
}

cs_error_t tally_qdevice_name_check(const char *name)
{
	size_t len;

	if (name == NULL)
		return CS_ERR_INVALID_PARAM;
	len = strnlen(name, VOTEQUORUM_QDEVICE_MAX_NAME_LEN);
	if (len == 0 || len >= VOTEQUORUM_QDEVICE_MAX_NAME_LEN)
		return CS_ERR_INVALID_PARAM;
	return CS_OK;
}

cs_error_t tally_quorum_qdevice_register(struct tally_quorum *q, const char *name,
					 uint64_t token, bool *pending)
{
	const struct node_rec *self = us(q);

	*pending = false;
	if (!q->qdevice_can_operate) {
		qlog(q, TALLY_QLOG_INFO, "Registration of quorum device is disabled by incorrect "
					 "corosync.conf. See logs for more information");
		return CS_ERR_ACCESS;
	}
	if (self->flags & TALLY_QFLAG_QDEVICE_REGISTERED) {
		if (name_eq(name, q->qdevice_name))
			return CS_OK;
		qlog(q, TALLY_QLOG_WARNING,
		     "A new qdevice with different name (new: %s old: %s) is trying to re-register!",
		     name, q->qdevice_name);
		return CS_ERR_EXIST;
	}
	if (q->reg_pending) {
		qlog(q, TALLY_QLOG_WARNING, "Registration request already in progress");
		return CS_ERR_TRY_AGAIN;
	}
	q->reg_pending = true;
	q->reg_token = token;
	*pending = true;
	send_qdevice_reg(q, TALLY_QDEVICE_OP_REGISTER, name);
	return CS_OK;
}

cs_error_t tally_quorum_qdevice_unregister(struct tally_quorum *q, const char *name)
{
	struct node_rec *self = us(q);

	if (!(self->flags & TALLY_QFLAG_QDEVICE_REGISTERED))
		return CS_ERR_NOT_EXIST;
	if (!name_eq(name, q->qdevice_name))
		return CS_ERR_INVALID_PARAM;

	q->qdevice_deadline = NO_DEADLINE;
	q->sync_wait_for_poll = false;
	self->flags &= ~(TALLY_QFLAG_QDEVICE_REGISTERED | TALLY_QFLAG_QDEVICE_ALIVE |
			 TALLY_QFLAG_QDEVICE_CAST_VOTE | TALLY_QFLAG_QDEVICE_MASTER_WINS);
	send_nodeinfo(q, q->our_id);
	send_qdevice_reg(q, TALLY_QDEVICE_OP_UNREGISTER, name);
	return CS_OK;
}

cs_error_t tally_quorum_qdevice_update(struct tally_quorum *q, const char *oldname,
				       const char *newname)
{
	struct tally_qmsg m = { .type = TALLY_QMSG_QDEVICE_RECONFIGURE };

	if (!(us(q)->flags & TALLY_QFLAG_QDEVICE_REGISTERED))
		return CS_ERR_NOT_EXIST;
	if (!name_eq(oldname, q->qdevice_name))
		return CS_ERR_INVALID_PARAM;
	snprintf(m.qdevice_reconfigure.oldname, sizeof(m.qdevice_reconfigure.oldname), "%s",
		 oldname);
	snprintf(m.qdevice_reconfigure.newname, sizeof(m.qdevice_reconfigure.newname), "%s",
		 newname);
	send_msg(q, &m);
	return CS_OK;
}

cs_error_t tally_quorum_qdevice_poll(struct tally_quorum *q, const char *name,
				     uint32_t cast_vote, const votequorum_ring_id_t *ring,
				     uint64_t now)
{
	struct node_rec *self = us(q);
	uint32_t oldflags;

	if (!q->qdevice_can_operate)
		return CS_ERR_ACCESS;
	if (!(self->flags & TALLY_QFLAG_QDEVICE_REGISTERED))
		return CS_ERR_NOT_EXIST;
	/* The ring id is checked before the name (§5.2). */
	if (ring->nodeid != q->ring.nodeid || ring->seq != q->ring.seq) {
		qlog(q, TALLY_QLOG_DEBUG,
		     "Received poll ring id (%" PRIu32 ".%" PRIu64 ") != last sync ring id (%" PRIu32
		     ".%" PRIu64 "). Ignoring poll call.",
		     ring->nodeid, ring->seq, q->ring.nodeid, q->ring.seq);
		return CS_ERR_MESSAGE_ERROR;
	}
	if (!name_eq(name, q->qdevice_name))
		return CS_ERR_INVALID_PARAM;

	oldflags = self->flags;
	self->flags |= TALLY_QFLAG_QDEVICE_ALIVE;
	if (cast_vote)
		self->flags |= TALLY_QFLAG_QDEVICE_CAST_VOTE;
	else
		self->flags &= ~TALLY_QFLAG_QDEVICE_CAST_VOTE;
	if (self->flags != oldflags)
		send_nodeinfo(q, q->our_id);

	q->qdevice_deadline = now + q->qdevice_timeout;
	q->sync_wait_for_poll = false;
	return CS_OK;
}

cs_error_t tally_quorum_qdevice_master_wins(struct tally_quorum *q, const char *name,
					    uint32_t allow)
{
	struct node_rec *self = us(q);
	uint32_t oldflags = self->flags;

	if (!q->qdevice_can_operate)
		return CS_ERR_ACCESS;
	if (!(self->flags & TALLY_QFLAG_QDEVICE_REGISTERED))
		return CS_ERR_NOT_EXIST;
	if (!name_eq(name, q->qdevice_name))
		return CS_ERR_INVALID_PARAM;

	if (allow)
		self->flags |= TALLY_QFLAG_QDEVICE_MASTER_WINS;
	else
		self->flags &= ~TALLY_QFLAG_QDEVICE_MASTER_WINS;
	if (self->flags != oldflags)
		send_nodeinfo(q, q->our_id);
	q->qdevice_master_wins = allow != 0;
	return CS_OK;
}

/* ------------------------------------------------------------------ */
/* Read-only state                                                     */

bool tally_quorum_is_quorate(const struct tally_quorum *q)
{
	return q->quorate;
}

votequorum_ring_id_t tally_quorum_ring_id(const struct tally_quorum *q)
{
	return q->ring;
}

size_t tally_quorum_members(const struct tally_quorum *q, const uint32_t **members)
{
	*members = q->members;
	return q->n_members;
}

bool tally_quorum_in_sync(const struct tally_quorum *q)
{
	return q->sync_in_progress;
}

uint32_t tally_quorum_ev_barrier(const struct tally_quorum *q)
{
	return q->evt_barrier;
}

void tally_quorum_snapshot(const struct tally_quorum *q, struct tally_shm_snapshot *out)
{
	struct member_tally t = tally_members(q);
	struct tally_shm_summary *sum = &out->sum;
	uint32_t n = q->n_nodes < TALLY_SHM_MAX_NODES ? q->n_nodes : TALLY_SHM_MAX_NODES;
	uint32_t m = q->n_members < TALLY_SHM_MAX_NODES ? q->n_members : TALLY_SHM_MAX_NODES;

	memset(sum, 0, sizeof(*sum));
	sum->local_nodeid = q->our_id;
	sum->quorate = q->quorate;
	sum->quorum = q->quorum;
	sum->flags = global_info_flags(q);
	sum->highest_expected = t.highest_expected;
	sum->member_votes = t.votes > UINT32_MAX ? UINT32_MAX : (uint32_t)t.votes;
	sum->qdevice_votes = q->qdevice.votes;
	sum->qdevice_registered =
		(find_node_const(q, q->our_id)->flags & TALLY_QFLAG_QDEVICE_REGISTERED) != 0;
	sum->ring_nodeid = q->ring.nodeid;
	sum->ring_seq = q->ring.seq;
	sum->n_nodes = n;
	sum->n_members = m;
	memcpy(sum->qdevice_name, q->qdevice_name, sizeof(q->qdevice_name));
	/* The records are kept sorted by id, as readers' binary search needs. */
	for (uint32_t i = 0; i < n; i++) {
		out->nodes[i].nodeid = q->nodes[i].id;
		out->nodes[i].state = q->nodes[i].state;
		out->nodes[i].votes = q->nodes[i].votes;
		out->nodes[i].expected_votes = q->nodes[i].expected_votes;
		out->nodes[i].qdevice_flags = qdevice_info_flags(q->nodes[i].flags);
	}
	memcpy(out->members, q->members, m * sizeof(q->members[0]));
}
