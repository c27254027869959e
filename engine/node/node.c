/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Engine glue of one node (node.h): the quorum core's outputs become
 * segment updates. Order matters for readers: a state change is published
 * as a snapshot before the event announcing it is appended, so a client
 * that reads the event log and then getinfo never sees an older state than
 * the events it already delivered.
 */
#include "node/node.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shm/shm.h"
#include "shm/wake.h"

/* Largest event payload: a quorum list of every record plus the device. */
#define EV_BUF_SIZE \
	(sizeof(struct tally_shm_ev_quorum) + (TALLY_SHM_MAX_NODES + 1) * sizeof(votequorum_node_t))

struct tally_node {
	struct tally_quorum *q;
	void *seg;
	const struct tally_node_ops *ops;
	void *ops_ctx;
	struct tally_shm_snapshot *fresh;	/**< scratch: the core's state now */
	struct tally_shm_snapshot *published;	/**< what the segment shows */
	bool changed;		/**< published or appended since the last wake */
	bool appended;		/**< appended since the last wake */
	uint64_t dropped;
	uint8_t ev[EV_BUF_SIZE];
};

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Used parts only; the stamp is not state. */
static bool snapshot_equal(const struct tally_shm_snapshot *a, const struct tally_shm_snapshot *b)
{
	struct tally_shm_summary sa = a->sum, sb = b->sum;

	sa.stamp_ns = sb.stamp_ns = 0;
	return memcmp(&sa, &sb, sizeof(sa)) == 0 &&
	       memcmp(a->nodes, b->nodes, sa.n_nodes * sizeof(a->nodes[0])) == 0 &&
	       memcmp(a->members, b->members, sa.n_members * sizeof(a->members[0])) == 0;
}

static void publish_if_changed(struct tally_node *n)
{
	struct tally_shm_snapshot *t;

	if (n->q == NULL)
		return;	/* the core notifies while it is being created */
	memset(&n->fresh->sum, 0, sizeof(n->fresh->sum));
	tally_quorum_snapshot(n->q, n->fresh);
	if (snapshot_equal(n->fresh, n->published))
		return;
	n->fresh->sum.stamp_ns = monotonic_ns();
	tally_shm_publish(n->seg, n->fresh);
	t = n->published;
	n->published = n->fresh;
	n->fresh = t;
	n->changed = true;
}

/* End of every entry point: final state out, then one wake for the batch. */
static void settle(struct tally_node *n)
{
	publish_if_changed(n);
	if (!n->changed)
		return;
	n->changed = false;
	if (tally_shm_wake(n->seg) && n->ops->wake != NULL)
		n->ops->wake(n->ops_ctx);
	/* poll() sleepers wait for events only, not for a snapshot alone. */
	if (n->appended && n->ops->ring != NULL && tally_shm_fd_sleeping(n->seg))
		n->ops->ring(n->ops_ctx);
	n->appended = false;
}

/* One event record: a fixed header and the list after it. */
static void append(struct tally_node *n, enum tally_shm_event_type type, const void *head,
		   size_t head_len, const void *list, size_t list_len)
{
	if (head_len + list_len > sizeof(n->ev)) {
		n->dropped++;
		return;
	}
	memcpy(n->ev, head, head_len);
	if (list_len > 0)
		memcpy(n->ev + head_len, list, list_len);
	publish_if_changed(n);
	if (tally_shm_append(n->seg, type, n->ev, (uint32_t)(head_len + list_len)) != 0)
		n->dropped++;
	n->changed = true;
	n->appended = true;
}

/* ---- quorum core ops ---- */

static void op_send(void *ctx, const struct tally_qmsg *msg)
{
	struct tally_node *n = ctx;

	n->ops->send(n->ops_ctx, msg);
}

static void op_notify(void *ctx, const struct tally_qnotify *qn)
{
	struct tally_node *n = ctx;

	switch (qn->type) {
	case TALLY_QNOTIFY_NODELIST: {
		struct tally_shm_ev_nodelist h = { qn->nodelist.ring_id.nodeid,
						   qn->nodelist.n_members,
						   qn->nodelist.ring_id.seq };

		append(n, TALLY_SHM_EV_NODELIST, &h, sizeof(h), qn->nodelist.members,
		       h.n_members * sizeof(uint32_t));
		break;
	}
	case TALLY_QNOTIFY_QUORUM: {
		struct tally_shm_ev_quorum h = { qn->quorum.quorate, qn->quorum.n_nodes };

		append(n, TALLY_SHM_EV_QUORUM, &h, sizeof(h), qn->quorum.nodes,
		       h.n_nodes * sizeof(votequorum_node_t));
		break;
	}
	case TALLY_QNOTIFY_EXPECTEDVOTES: {
		struct tally_shm_ev_expectedvotes h = { qn->expectedvotes.expected_votes, 0 };

		append(n, TALLY_SHM_EV_EXPECTEDVOTES, &h, sizeof(h), NULL, 0);
		break;
	}
	}
}

static void op_reply(void *ctx, uint64_t token, cs_error_t result)
{
	struct tally_node *n = ctx;

	/* The caller may answer its client at once: make getinfo current first. */
	publish_if_changed(n);
	if (n->ops->reply != NULL)
		n->ops->reply(n->ops_ctx, token, result);
}

static void op_persist(void *ctx, uint32_t barrier)
{
	struct tally_node *n = ctx;

	if (n->ops->persist_ev_barrier != NULL)
		n->ops->persist_ev_barrier(n->ops_ctx, barrier);
}

static void op_log(void *ctx, enum tally_qlog_level level, const char *text)
{
	struct tally_node *n = ctx;

	if (n->ops->log != NULL)
		n->ops->log(n->ops_ctx, level, text);
}

static const struct tally_quorum_ops node_quorum_ops = {
	.send = op_send,
	.notify = op_notify,
	.reply = op_reply,
	.persist_ev_barrier = op_persist,
	.log = op_log,
};

/* ---- life cycle ---- */

struct tally_node *tally_node_create(uint32_t nodeid, const struct tally_cmap *map,
				     uint32_t ev_barrier, void *segment, size_t size,
				     uint64_t engine_incarnation, const struct tally_node_ops *ops,
				     void *ops_ctx, char *err, size_t errlen)
{
	struct tally_node *n;

	if (ops == NULL || ops->send == NULL || tally_shm_init(segment, size, engine_incarnation)) {
		errno = EINVAL;
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->seg = segment;
	n->ops = ops;
	n->ops_ctx = ops_ctx;
	n->fresh = calloc(1, sizeof(*n->fresh));
	n->published = calloc(1, sizeof(*n->published));
	if (n->fresh == NULL || n->published == NULL)
		goto err_free;
	n->q = tally_quorum_create(nodeid, map, ev_barrier, TALLY_SHM_MAX_NODES, &node_quorum_ops, n,
				   err, errlen);
	if (n->q == NULL)
		goto err_free;
	/* Readers may attach before the first view: give them the start-up state. */
	publish_if_changed(n);
	n->changed = false;
	return n;

err_free:
	free(n->fresh);
	free(n->published);
	free(n);
	return NULL;
}

void tally_node_destroy(struct tally_node *n)
{
	if (n == NULL)
		return;
	tally_quorum_destroy(n->q);
	free(n->fresh);
	free(n->published);
	free(n);
}

/* ---- inputs: each ends with settle() ---- */

void tally_node_sync_init(struct tally_node *n, const votequorum_ring_id_t *ring,
			  const uint32_t *members, size_t n_members, uint64_t now)
{
	tally_quorum_sync_init(n->q, ring, members, n_members, now);
	settle(n);
}

bool tally_node_sync_process(struct tally_node *n)
{
	bool done = tally_quorum_sync_process(n->q);

	settle(n);
	return done;
}

void tally_node_sync_activate(struct tally_node *n)
{
	tally_quorum_sync_activate(n->q);
	settle(n);
}

void tally_node_deliver(struct tally_node *n, uint32_t sender, const struct tally_qmsg *msg,
			uint64_t now)
{
	tally_quorum_deliver(n->q, sender, msg, now);
	settle(n);
}

uint64_t tally_node_next_deadline(const struct tally_node *n)
{
	return tally_quorum_next_deadline(n->q);
}

void tally_node_expire(struct tally_node *n, uint64_t now)
{
	tally_quorum_expire(n->q, now);
	settle(n);
}

void tally_node_reload(struct tally_node *n, const struct tally_cmap *map, uint64_t now)
{
	tally_quorum_reload(n->q, map, now);
	settle(n);
}

void tally_node_leave(struct tally_node *n)
{
	tally_quorum_leave(n->q);
	settle(n);
}

static cs_error_t settled(struct tally_node *n, cs_error_t rc)
{
	settle(n);
	return rc;
}

cs_error_t tally_node_setexpected(struct tally_node *n, uint32_t expected_votes)
{
	return settled(n, tally_quorum_setexpected(n->q, expected_votes));
}

cs_error_t tally_node_setvotes(struct tally_node *n, uint32_t nodeid, uint32_t votes)
{
	return settled(n, tally_quorum_setvotes(n->q, nodeid, votes));
}

cs_error_t tally_node_qdevice_register(struct tally_node *n, const char *name, uint64_t token,
				       bool *pending)
{
	return settled(n, tally_quorum_qdevice_register(n->q, name, token, pending));
}

cs_error_t tally_node_qdevice_unregister(struct tally_node *n, const char *name)
{
	return settled(n, tally_quorum_qdevice_unregister(n->q, name));
}

cs_error_t tally_node_qdevice_update(struct tally_node *n, const char *oldname,
				     const char *newname)
{
	return settled(n, tally_quorum_qdevice_update(n->q, oldname, newname));
}

cs_error_t tally_node_qdevice_poll(struct tally_node *n, const char *name, uint32_t cast_vote,
				   const votequorum_ring_id_t *ring, uint64_t now)
{
	return settled(n, tally_quorum_qdevice_poll(n->q, name, cast_vote, ring, now));
}

cs_error_t tally_node_qdevice_master_wins(struct tally_node *n, const char *name,
					  uint32_t allow)
{
	return settled(n, tally_quorum_qdevice_master_wins(n->q, name, allow));
}

const void *tally_node_segment(const struct tally_node *n)
{
	return n->seg;
}

const struct tally_quorum *tally_node_quorum(const struct tally_node *n)
{
	return n->q;
}

uint64_t tally_node_dropped_events(const struct tally_node *n)
{
	return n->dropped;
}
