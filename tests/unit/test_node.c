/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * engine/node: what the quorum core says reaches the segment — getinfo
 * there equals the core's after every input, notifications are logged in
 * order, the snapshot moves only when the state does, and the wake hook
 * runs only when a reader sleeps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "config/cmap.h"
#include "node/node.h"
#include "shm/shm.h"

struct fixture {
	struct tally_qmsg q[64];
	int n_q;
	int wakes;
	int replies;
	cs_error_t last_reply;
};

static void fx_send(void *ctx, const struct tally_qmsg *m)
{
	struct fixture *f = ctx;

	if (f->n_q < 64)
		f->q[f->n_q++] = *m;
}

static void fx_wake(void *ctx)
{
	((struct fixture *)ctx)->wakes++;
}

static void fx_reply(void *ctx, uint64_t token, cs_error_t rc)
{
	struct fixture *f = ctx;

	f->replies++;
	f->last_reply = rc;
}

static const struct tally_node_ops fx_ops = { .send = fx_send, .wake = fx_wake,
					      .reply = fx_reply };

/* The loopback of a one-node view: deliver what was sent, in order. */
static void deliver_all(struct tally_node *n, struct fixture *f)
{
	for (int i = 0; i < f->n_q; i++)
		tally_node_deliver(n, 1, &f->q[i], 0);
	f->n_q = 0;
}

static void *segment(void)
{
	void *seg = mmap(NULL, TALLY_SHM_SEGMENT_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (seg == MAP_FAILED)
		abort();
	return seg;
}

static struct tally_cmap *one_node_map(void)
{
	struct tally_cmap *m = tally_cmap_new();

	tally_cmap_set(m, "nodelist.node.0.nodeid", "1");
	tally_cmap_set(m, "nodelist.node.1.nodeid", "2");
	return m;
}

static void same_getinfo(struct tally_node *n, const struct tally_shm_reader *r)
{
	for (uint32_t id = 0; id <= 3; id++) {
		struct votequorum_info a, b;

		CHECK_EQ(tally_shm_getinfo(r, id, &a), tally_quorum_getinfo(tally_node_quorum(n), id, &b));
		CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	}
}

/* A one-node view, its sync round run to the end over the loopback. */
static void install_view(struct tally_node *n, struct fixture *f)
{
	static const uint32_t self = 1;
	votequorum_ring_id_t ring = { 1, 4 };

	tally_node_sync_init(n, &ring, &self, 1, 0);
	while (f->n_q > 0 || !tally_node_sync_process(n))
		deliver_all(n, f);
	tally_node_sync_activate(n);
}

static struct tally_node *new_node(void *seg, struct fixture *f, struct tally_shm_reader *r)
{
	struct tally_cmap *m = one_node_map();
	char err[128];
	struct tally_node *n =
		tally_node_create(1, m, 0, seg, TALLY_SHM_SEGMENT_SIZE, 9, &fx_ops, f, err, sizeof(err));

	tally_cmap_free(m);	/* the core keeps what it needs */
	CHECK(n != NULL);
	CHECK_EQ(tally_shm_attach(r, seg, TALLY_SHM_SEGMENT_SIZE), 0);
	return n;
}

static void create_refuses_bad_arguments(void)
{
	static const struct tally_node_ops no_send = { .wake = fx_wake };
	struct tally_cmap *m = one_node_map();
	void *seg = segment();
	char err[128] = "";

	errno = 0;
	CHECK(tally_node_create(1, m, 0, seg, TALLY_SHM_SEGMENT_SIZE, 1, NULL, NULL, err,
				sizeof(err)) == NULL);
	CHECK_EQ(errno, EINVAL);
	CHECK(tally_node_create(1, m, 0, seg, TALLY_SHM_SEGMENT_SIZE, 1, &no_send, NULL, err,
				sizeof(err)) == NULL);
	CHECK(tally_node_create(1, m, 0, seg, TALLY_SHM_SEGMENT_SIZE - 1, 1, &fx_ops, NULL, err,
				sizeof(err)) == NULL);
	CHECK(tally_node_create(1, m, 0, NULL, TALLY_SHM_SEGMENT_SIZE, 1, &fx_ops, NULL, err,
				sizeof(err)) == NULL);
	tally_cmap_set(m, "quorum.two_node", "1");
	tally_cmap_set(m, "quorum.auto_tie_breaker", "1");
	tally_cmap_set(m, "quorum.device.model", "net");	/* a start-up conflict */
	errno = 0;
	CHECK(tally_node_create(1, m, 0, seg, TALLY_SHM_SEGMENT_SIZE, 1, &fx_ops, NULL, err,
				sizeof(err)) == NULL);
	CHECK_EQ(errno, EINVAL);
	CHECK(err[0] != '\0');
	tally_cmap_free(m);
	munmap(seg, TALLY_SHM_SEGMENT_SIZE);
}

static void a_view_reaches_the_segment_in_order(void)
{
	struct fixture f = { .n_q = 0 };
	void *seg = segment();
	struct tally_shm_reader r;
	struct tally_node *n = new_node(seg, &f, &r);
	struct tally_shm_event ev;
	uint8_t payload[4096];
	struct tally_shm_ev_nodelist nl;
	struct tally_shm_ev_quorum qh;

	CHECK_EQ(r.hdr->engine_incarnation, 9);
	same_getinfo(n, &r);	/* readers before the first view see the start-up state */
	install_view(n, &f);
	same_getinfo(n, &r);

	CHECK_EQ(tally_shm_next_event(&r, &ev, payload, sizeof(payload)), TALLY_SHM_READ_EVENT);
	CHECK_EQ(ev.type, TALLY_SHM_EV_NODELIST);
	memcpy(&nl, payload, sizeof(nl));
	CHECK_EQ(nl.ring_nodeid, 1);
	CHECK_EQ(nl.ring_seq, 4);
	CHECK_EQ(nl.n_members, 1);
	CHECK_EQ(ev.len, sizeof(nl) + 4);
	for (;;) {	/* the round ends with the quorum notification */
		CHECK_EQ(tally_shm_next_event(&r, &ev, payload, sizeof(payload)),
			 TALLY_SHM_READ_EVENT);
		if (ev.type != TALLY_SHM_EV_EXPECTEDVOTES)
			break;
	}
	CHECK_EQ(ev.type, TALLY_SHM_EV_QUORUM);
	memcpy(&qh, payload, sizeof(qh));
	CHECK_EQ(ev.len, sizeof(qh) + qh.n_nodes * sizeof(votequorum_node_t));
	CHECK_EQ(tally_shm_next_event(&r, &ev, payload, sizeof(payload)), TALLY_SHM_READ_NONE);
	CHECK_EQ(tally_node_dropped_events(n), 0);
	tally_node_destroy(n);
	munmap(seg, TALLY_SHM_SEGMENT_SIZE);
}

/* The snapshot generation moves with the state, the log with every notification. */
static void snapshots_follow_state_and_wakes_follow_sleepers(void)
{
	struct fixture f = { .n_q = 0 };
	void *seg = segment();
	struct tally_shm_header *h = seg;
	struct tally_shm_clients *area = (void *)((uint8_t *)seg + TALLY_SHM_CLIENTS_OFFSET);
	struct tally_shm_reader r;
	struct tally_node *n = new_node(seg, &f, &r);
	uint64_t gen, seq;
	bool pending = false;

	install_view(n, &f);
	CHECK_EQ(f.wakes, 0);	/* nobody sleeps: no wake */

	/* an unchanged setexpected is announced but changes nothing */
	gen = tally_shm_generation(&r);
	seq = atomic_load(&h->ev_seq);
	CHECK_EQ(tally_node_setexpected(n, 2), CS_OK);
	deliver_all(n, &f);
	CHECK_EQ(tally_node_setexpected(n, 2), CS_OK);
	gen = tally_shm_generation(&r);
	deliver_all(n, &f);
	CHECK_EQ(tally_shm_generation(&r), gen);
	CHECK(atomic_load(&h->ev_seq) > seq);
	same_getinfo(n, &r);

	/* with a sleeper, one wake per input that changed something */
	atomic_fetch_add(&area->waiters, 1);
	CHECK_EQ(tally_node_setvotes(n, 1, 2), CS_OK);	/* applied locally at once */
	CHECK_EQ(f.wakes, 1);
	CHECK(tally_shm_generation(&r) > gen);
	same_getinfo(n, &r);
	deliver_all(n, &f);	/* its message: E rises to the new total, announced */
	CHECK_EQ(f.wakes, 2);
	tally_node_expire(n, 0);	/* no timer: nothing changes, no wake */
	CHECK_EQ(f.wakes, 2);
	atomic_fetch_sub(&area->waiters, 1);

	/* qdevice_register completes on delivery, through ops->reply */
	CHECK_EQ(tally_node_qdevice_register(n, "Qdevice", 5, &pending), CS_OK);
	CHECK(pending);
	CHECK_EQ(f.replies, 0);
	deliver_all(n, &f);
	CHECK_EQ(f.replies, 1);
	CHECK_EQ(f.last_reply, CS_OK);
	same_getinfo(n, &r);
	CHECK_EQ(f.wakes, 2);
	tally_node_destroy(n);
	munmap(seg, TALLY_SHM_SEGMENT_SIZE);
}

int main(void)
{
	RUN(create_refuses_bad_arguments);
	RUN(a_view_reaches_the_segment_in_order);
	RUN(snapshots_follow_state_and_wakes_follow_sleepers);
	return CHECK_EXIT();
}
