/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tracking and dispatch (spec §2.3, §2.4; docs/design/libvotequorum-lab.md).
 *
 * The engine logs every notification once, for all clients; each handle
 * reads the log from its own cursor and delivers only what its tracking
 * asks for. What corosync's daemon queues to one connection alone (the
 * CURRENT pair of trackstart, also on EXIST) the library queues itself,
 * built from the snapshot and tagged with the log position it describes, so
 * it is delivered after exactly the log records that came before it. A
 * reader the log lapped gets a fresh nodelist + quorum pair instead of the
 * records it lost: never a silent gap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib_int.h"
#include "shm/wake.h"

/* A busy dispatch spins this long before it sleeps on the futex. */
#define SPIN_NS 20000u
/* How often a sleeping or idle dispatch looks for a dead engine. */
#define CHECK_NS 100000000u
#define CHECK_MS 100

struct vq_msg {
	uint32_t type;
	uint32_t len;
	uint64_t context;
	uint64_t payload[(VQ_EVENT_MAX + 7) / 8];
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* ------------------------------------------------------------------ */
/* The library's own queue                                             */

static bool enqueue(struct vq_inst *inst, uint64_t at_seq, uint64_t context, uint32_t type,
		    const void *payload, uint32_t len)
{
	struct vq_queued *e = malloc(sizeof(*e) + len);

	if (e == NULL)
		return false;
	e->next = NULL;
	e->at_seq = at_seq;
	e->context = context;
	e->type = type;
	e->len = len;
	memcpy(e->payload, payload, len);
	*inst->q_tail = e;
	inst->q_tail = &e->next;
	vq_conn_local_ready(inst, true);
	return true;
}

void vq_track_clear(struct vq_inst *inst)
{
	while (inst->q_head != NULL) {
		struct vq_queued *e = inst->q_head;

		inst->q_head = e->next;
		free(e);
	}
	inst->q_tail = &inst->q_head;
}

/*
 * The current nodelist and quorum notifications (and the local expected
 * votes, if asked), as the engine would send them (quorum list: other records ascending, the local node last, then the
 * device if ours is registered; spec §4.1). Tagged with the log position
 * read before the snapshot, which is at least that new (engine/node
 * publishes before it appends).
 */
static cs_error_t queue_current(struct vq_inst *inst, uint64_t context, bool with_expected)
{
	struct tally_shm_snapshot *s = malloc(sizeof(*s));
	uint64_t at_seq = atomic_load_explicit(&((struct tally_shm_header *)inst->rd.hdr)->ev_seq,
					       memory_order_acquire) + 1;
	uint8_t *buf = malloc(VQ_EVENT_MAX);
	struct tally_shm_ev_nodelist nl;
	struct tally_shm_ev_quorum qh;
	votequorum_node_t *list;
	uint32_t k = 0;
	bool ok;

	if (s == NULL || buf == NULL) {
		free(s);
		free(buf);
		return CS_ERR_NO_MEMORY;
	}
	tally_shm_read_snapshot(&inst->rd, s);
	nl = (struct tally_shm_ev_nodelist){ s->sum.ring_nodeid, s->sum.n_members, s->sum.ring_seq };
	memcpy(buf, &nl, sizeof(nl));
	memcpy(buf + sizeof(nl), s->members, nl.n_members * sizeof(uint32_t));
	ok = enqueue(inst, at_seq, context, TALLY_SHM_EV_NODELIST, buf,
		     (uint32_t)(sizeof(nl) + nl.n_members * sizeof(uint32_t)));

	list = (votequorum_node_t *)(buf + sizeof(qh));
	for (uint32_t i = 0; i < s->sum.n_nodes; i++)
		if (s->nodes[i].nodeid != s->sum.local_nodeid)
			list[k++] = (votequorum_node_t){ s->nodes[i].nodeid, s->nodes[i].state };
	for (uint32_t i = 0; i < s->sum.n_nodes; i++)
		if (s->nodes[i].nodeid == s->sum.local_nodeid)
			list[k++] = (votequorum_node_t){ s->nodes[i].nodeid, s->nodes[i].state };
	if (s->sum.qdevice_registered)
		list[k++] = (votequorum_node_t){ VOTEQUORUM_QDEVICE_NODEID, 0 };
	qh = (struct tally_shm_ev_quorum){ s->sum.quorate, k };
	memcpy(buf, &qh, sizeof(qh));
	ok = ok && enqueue(inst, at_seq, context, TALLY_SHM_EV_QUORUM, buf,
			   (uint32_t)(sizeof(qh) + k * sizeof(votequorum_node_t)));
	if (with_expected) {
		struct tally_shm_ev_expectedvotes ev = { 0, 0 };

		for (uint32_t i = 0; i < s->sum.n_nodes; i++)
			if (s->nodes[i].nodeid == s->sum.local_nodeid)
				ev.expected_votes = s->nodes[i].expected_votes;
		ok = ok && enqueue(inst, at_seq, context, TALLY_SHM_EV_EXPECTEDVOTES, &ev,
				   sizeof(ev));
	}
	free(buf);
	free(s);
	return ok ? CS_OK : CS_ERR_NO_MEMORY;
}

cs_error_t vq_track_start(struct vq_inst *inst, uint64_t context, unsigned int flags)
{
	cs_error_t rc = CS_OK;

	pthread_mutex_lock(&inst->lock);
	if (inst->tracking) {
		/* corosync 3.1.7: EXIST, yet CURRENT/CHANGES still queue a pair
		 * with the new context; the registration keeps the old one. */
		if (flags & (CS_TRACK_CURRENT | CS_TRACK_CHANGES))
			queue_current(inst, context, false);
		pthread_mutex_unlock(&inst->lock);
		return CS_ERR_EXIST;
	}
	if (flags & (CS_TRACK_CHANGES | CS_TRACK_CHANGES_ONLY)) {
		/* Changes from now on; what is in the log already is history. */
		tally_shm_resync(&inst->rd);
		inst->tracking = true;
		inst->track_context = context;
		vq_conn_report(inst);
	}
	if (flags & (CS_TRACK_CURRENT | CS_TRACK_CHANGES))
		rc = queue_current(inst, context, false);
	pthread_mutex_unlock(&inst->lock);
	return rc;
}

cs_error_t vq_track_stop(struct vq_inst *inst)
{
	cs_error_t rc = CS_OK;

	pthread_mutex_lock(&inst->lock);
	if (!inst->tracking)
		rc = CS_ERR_NOT_EXIST;
	inst->tracking = false;
	vq_conn_report(inst);
	pthread_mutex_unlock(&inst->lock);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */

static bool payload_valid(uint32_t type, const void *p, uint32_t len)
{
	switch (type) {
	case TALLY_SHM_EV_NODELIST: {
		const struct tally_shm_ev_nodelist *h = p;

		return len >= sizeof(*h) && len == sizeof(*h) + (uint64_t)h->n_members * 4;
	}
	case TALLY_SHM_EV_QUORUM: {
		const struct tally_shm_ev_quorum *h = p;

		return len >= sizeof(*h) &&
		       len == sizeof(*h) + (uint64_t)h->n_nodes * sizeof(votequorum_node_t);
	}
	case TALLY_SHM_EV_EXPECTEDVOTES:
		return len == sizeof(struct tally_shm_ev_expectedvotes);
	default:
		return false;
	}
}

/*
 * The log lost records for us: deliver the state instead (trackers only),
 * including expected votes, whose changes may be among the lost records.
 */
static void resync(struct vq_inst *inst)
{
	inst->resyncs++;
	tally_shm_resync(&inst->rd);
	if (inst->tracking)
		queue_current(inst, inst->track_context, true);
}

/* The next message for this handle into *m; false when there is none. Locked. */
static bool next_message(struct vq_inst *inst, struct vq_msg *m)
{
	for (;;) {
		struct vq_queued *e = inst->q_head;
		struct tally_shm_event ev;

		if (e != NULL && e->at_seq <= inst->rd.next_seq) {
			inst->q_head = e->next;
			if (inst->q_head == NULL) {
				inst->q_tail = &inst->q_head;
				vq_conn_local_ready(inst, false);
			}
			m->type = e->type;
			m->len = e->len;
			m->context = e->context;
			memcpy(m->payload, e->payload, e->len);
			free(e);
			return true;
		}
		if (!inst->tracking && e == NULL) {
			tally_shm_resync(&inst->rd);	/* not ours: skip it all */
			return false;
		}
		switch (tally_shm_next_event(&inst->rd, &ev, m->payload, sizeof(m->payload))) {
		case TALLY_SHM_READ_NONE:
			return false;
		case TALLY_SHM_READ_LOST:
			resync(inst);
			continue;
		case TALLY_SHM_READ_EVENT:
			break;
		}
		if (!inst->tracking)
			continue;	/* read only to reach a queued message's position */
		if (!payload_valid(ev.type, m->payload, ev.len)) {
			resync(inst);
			continue;
		}
		m->type = ev.type;
		m->len = ev.len;
		m->context = inst->track_context;
		return true;
	}
}

/* Run one callback without any lock held; it may call the library. */
static void deliver(votequorum_handle_t handle, const votequorum_callbacks_t *cb,
		    const struct vq_msg *m)
{
	const uint8_t *p = (const uint8_t *)m->payload;

	switch (m->type) {
	case TALLY_SHM_EV_NODELIST: {
		const struct tally_shm_ev_nodelist *h = (const void *)p;
		votequorum_ring_id_t ring = { h->ring_nodeid, h->ring_seq };

		if (cb->votequorum_nodelist_notify_fn != NULL)
			cb->votequorum_nodelist_notify_fn(handle, m->context, ring, h->n_members,
							  (uint32_t *)(p + sizeof(*h)));
		break;
	}
	case TALLY_SHM_EV_QUORUM: {
		const struct tally_shm_ev_quorum *h = (const void *)p;

		if (cb->votequorum_quorum_notify_fn != NULL)
			cb->votequorum_quorum_notify_fn(handle, m->context, h->quorate, h->n_nodes,
							(votequorum_node_t *)(p + sizeof(*h)));
		break;
	}
	case TALLY_SHM_EV_EXPECTEDVOTES: {
		const struct tally_shm_ev_expectedvotes *h = (const void *)p;

		if (cb->votequorum_expectedvotes_notify_fn != NULL)
			cb->votequorum_expectedvotes_notify_fn(handle, m->context,
								h->expected_votes);
		break;
	}
	}
}

/*
 * Nothing to deliver: is the engine still there? Cheap enough to ask on
 * every idle pass of an fd user (it drains wake events and re-arms the
 * watch); a busy poller asks at most every CHECK_NS, so it makes no
 * syscalls in between.
 */
static bool engine_alive(struct vq_inst *inst, bool force)
{
	uint64_t t;

	if (inst->epoll_fd < 0 && !force) {
		/* Every idle pass of a busy poller asks: the coarse clock (a few
		 * ms resolution) is a plain memory read, the fine one is not. */
		t = clock_ns(CLOCK_MONOTONIC_COARSE);
		if (t - inst->last_check_ns < CHECK_NS)
			return !atomic_load(&inst->dead);
		inst->last_check_ns = t;
	}
	if (!vq_conn_check(inst))
		return false;
	if (inst->epoll_fd >= 0 && vq_conn_arm(inst) == CS_ERR_LIBRARY)
		return false;
	return true;
}

/* Block until something may be there, the engine died or finalize ran. */
static cs_error_t wait_for_more(struct vq_inst *inst)
{
	uint64_t start = now_ns();

	while (now_ns() - start < SPIN_NS)
		if (tally_shm_pending(&inst->rd) || atomic_load(&inst->finalizing))
			return CS_OK;
	if (tally_shm_wait(&inst->rd, inst->clients, inst->slot_index, &inst->futex_sleeping,
			   CHECK_MS) == -ETIMEDOUT) {
		bool alive;

		pthread_mutex_lock(&inst->lock);
		alive = engine_alive(inst, true);
		pthread_mutex_unlock(&inst->lock);
		if (!alive)
			return CS_ERR_LIBRARY;
	}
	return CS_OK;
}

/*
 * A non-blocking dispatch that finds nothing, the busy poller's usual case:
 * CS_OK (ALL), CS_ERR_TRY_AGAIN, CS_ERR_LIBRARY; or CS_ERR_EXIST when there
 * may be something (take the full path). Spares it the message buffer.
 */
static cs_error_t dispatch_idle(struct vq_inst *inst, cs_dispatch_flags_t type)
{
	cs_error_t rc = CS_ERR_EXIST;

	if (type != CS_DISPATCH_ALL && type != CS_DISPATCH_ONE_NONBLOCKING)
		return rc;
	pthread_mutex_lock(&inst->lock);
	if (inst->q_head == NULL && !tally_shm_pending(&inst->rd)) {
		if (!engine_alive(inst, false))
			rc = CS_ERR_LIBRARY;
		else
			rc = type == CS_DISPATCH_ALL ? CS_OK : CS_ERR_TRY_AGAIN;
	}
	pthread_mutex_unlock(&inst->lock);
	return rc;
}

cs_error_t vq_dispatch(struct vq_inst *inst, votequorum_handle_t handle, cs_dispatch_flags_t type)
{
	cs_error_t rc = dispatch_idle(inst, type);
	struct vq_msg *m;

	if (rc != CS_ERR_EXIST)
		return rc;
	rc = CS_OK;
	m = malloc(sizeof(*m));
	if (m == NULL)
		return CS_ERR_NO_MEMORY;
	for (;;) {
		votequorum_callbacks_t cb;
		bool got;

		pthread_mutex_lock(&inst->lock);
		got = next_message(inst, m);
		vq_conn_report(inst);
		cb = inst->cb;
		if (!got && !engine_alive(inst, false))
			rc = CS_ERR_LIBRARY;
		pthread_mutex_unlock(&inst->lock);

		if (got) {
			deliver(handle, &cb, m);
			if (atomic_load(&inst->finalizing)) {
				rc = CS_ERR_BAD_HANDLE;
				break;
			}
			if (type == CS_DISPATCH_ONE || type == CS_DISPATCH_ONE_NONBLOCKING)
				break;
			continue;
		}
		if (rc != CS_OK)
			break;
		if (type == CS_DISPATCH_ALL)
			break;
		if (type == CS_DISPATCH_ONE_NONBLOCKING) {
			rc = CS_ERR_TRY_AGAIN;
			break;
		}
		rc = wait_for_more(inst);
		if (rc == CS_OK && atomic_load(&inst->finalizing))
			rc = CS_ERR_BAD_HANDLE;
		if (rc != CS_OK)
			break;
	}
	free(m);
	return rc;
}
