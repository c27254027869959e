/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the quorum core, driven directly: a tiny bus delivers each
 * node's messages to every node of one view in send order. Behaviour across
 * whole scenarios is covered by the scenario suites; these tests go after
 * the error paths and the corners scenarios cannot reach.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config/cmap.h"
#include "quorum/quorum.h"

#define MAX_N 8
#define MAX_MSGS 1024

struct bus;

struct tnode {
	struct bus *bus;
	uint32_t id;
	struct tally_quorum *q;
	char log[4096];		/**< notifications, "N(..) Q(x) E(y) " */
	uint32_t persisted;
	int n_persisted;
	int replies;
	cs_error_t reply;
	char lastlog[512];
};

struct bus {
	struct tnode nodes[MAX_N];
	int n;
	struct {
		uint32_t sender;
		struct tally_qmsg msg;
	} q[MAX_MSGS];
	int head, tail;
	uint64_t seq;
};

static void t_send(void *ctx, const struct tally_qmsg *m)
{
	struct tnode *n = ctx;
	struct bus *b = n->bus;

	if (b->tail < MAX_MSGS) {
		b->q[b->tail].sender = n->id;
		b->q[b->tail].msg = *m;
		b->tail++;
	}
}

static void t_notify(void *ctx, const struct tally_qnotify *q)
{
	struct tnode *n = ctx;
	char buf[256];

	switch (q->type) {
	case TALLY_QNOTIFY_NODELIST:
		snprintf(buf, sizeof(buf), "N%u ", (unsigned)q->nodelist.n_members);
		break;
	case TALLY_QNOTIFY_QUORUM:
		snprintf(buf, sizeof(buf), "Q%u ", (unsigned)q->quorum.quorate);
		break;
	case TALLY_QNOTIFY_EXPECTEDVOTES:
		snprintf(buf, sizeof(buf), "E%u ", (unsigned)q->expectedvotes.expected_votes);
		break;
	}
	strncat(n->log, buf, sizeof(n->log) - strlen(n->log) - 1);
}

static void t_reply(void *ctx, uint64_t token, cs_error_t r)
{
	struct tnode *n = ctx;

	(void)token;
	n->replies++;
	n->reply = r;
}

static void t_persist(void *ctx, uint32_t barrier)
{
	struct tnode *n = ctx;

	n->persisted = barrier;
	n->n_persisted++;
}

static void t_log(void *ctx, enum tally_qlog_level level, const char *text)
{
	struct tnode *n = ctx;

	(void)level;
	snprintf(n->lastlog, sizeof(n->lastlog), "%s", text);
}

static const struct tally_quorum_ops t_ops = {
	.send = t_send, .notify = t_notify, .reply = t_reply,
	.persist_ev_barrier = t_persist, .log = t_log,
};

/* A cmap with a nodelist of `n` nodes at one vote each, plus key=value pairs. */
static struct tally_cmap *mkcfg(int n, const char *const *kv)
{
	struct tally_cmap *m = tally_cmap_new();
	char key[64], val[16];

	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "nodelist.node.%d.nodeid", i);
		snprintf(val, sizeof(val), "%d", i + 1);
		tally_cmap_set(m, key, val);
	}
	for (; kv != NULL && kv[0] != NULL; kv += 2)
		tally_cmap_set(m, kv[0], kv[1]);
	return m;
}

static void deliver_all(struct bus *b)
{
	while (b->head < b->tail) {
		int i = b->head++;

		for (int k = 0; k < b->n; k++)
			if (b->nodes[k].q != NULL)
				tally_quorum_deliver(b->nodes[k].q, b->q[i].sender, &b->q[i].msg, 0);
	}
}

/* One view of every running node, one full sync round. */
static void form_view(struct bus *b)
{
	uint32_t ids[MAX_N] = { 0 };
	size_t n = 0;
	votequorum_ring_id_t ring;

	for (int k = 0; k < b->n; k++)
		if (b->nodes[k].q != NULL)
			ids[n++] = b->nodes[k].id;
	b->seq += 4;
	ring.nodeid = ids[0];
	ring.seq = b->seq;
	for (int k = 0; k < b->n; k++)
		if (b->nodes[k].q != NULL)
			tally_quorum_sync_init(b->nodes[k].q, &ring, ids, n, 0);
	for (int k = 0; k < b->n; k++)
		if (b->nodes[k].q != NULL)
			tally_quorum_sync_process(b->nodes[k].q);
	deliver_all(b);
	for (int k = 0; k < b->n; k++)
		if (b->nodes[k].q != NULL)
			tally_quorum_sync_activate(b->nodes[k].q);
}

static struct tnode *boot(struct bus *b, uint32_t id, const struct tally_cmap *m,
			  uint32_t evt, uint32_t max_nodes)
{
	struct tnode *n = &b->nodes[b->n++];
	char err[256];

	memset(n, 0, sizeof(*n));
	n->bus = b;
	n->id = id;
	n->q = tally_quorum_create(id, m, evt, max_nodes, &t_ops, n, err, sizeof(err));
	return n;
}

/*
 * One bus at a time, zeroed: half a megabyte each, so fifteen of them on
 * main's stack (the tests inlined, ASan keeping each its own slot) overflow it.
 */
static struct bus *fresh_bus(void)
{
	static struct bus bus;

	memset(&bus, 0, sizeof(bus));
	return &bus;
}

static void shutdown_bus(struct bus *b)
{
	for (int k = 0; k < b->n; k++)
		tally_quorum_destroy(b->nodes[k].q);
}

static struct tally_quorum *create_err(const struct tally_cmap *m, uint32_t id, char *err,
				       size_t errlen)
{
	static struct tnode dummy;

	return tally_quorum_create(id, m, 0, 16, &t_ops, &dummy, err, errlen);
}

/* ------------------------------------------------------------------ */

static void create_rejects_bad_parameters(void)
{
	struct tally_cmap *m = mkcfg(3, NULL);
	struct tally_quorum_ops no_send = { 0 };
	char err[256];

	errno = 0;
	CHECK(tally_quorum_create(0, m, 0, 16, &t_ops, NULL, err, sizeof(err)) == NULL);
	CHECK_EQ(errno, EINVAL);
	CHECK(tally_quorum_create(1, m, 0, 16, NULL, NULL, err, sizeof(err)) == NULL);
	CHECK(tally_quorum_create(1, m, 0, 16, &no_send, NULL, err, sizeof(err)) == NULL);
	CHECK(tally_quorum_create(1, m, 0, 1, &t_ops, NULL, err, sizeof(err)) == NULL);
	tally_cmap_free(m);
}

static void create_reports_corosync_config_errors(void)
{
	static const struct {
		int nodes;
		const char *kv[9];
		const char *text;
	} cases[] = {
		{ 0, { NULL }, "nodelist or quorum.expected_votes must be configured!" },
		{ 2, { "quorum.two_node", "1", "quorum.device.model", "net", NULL },
		  "two_node and quorum device cannot be configured at the same time!" },
		{ 3, { "quorum.last_man_standing", "1", "quorum.device.model", "net", NULL },
		  "quorum.device is not compatible with last_man_standing" },
		{ 4, { "quorum.auto_tie_breaker", "1", "quorum.device.model", "net", NULL },
		  "quorum.device is not compatible with auto_tie_breaker" },
		{ 3, { "quorum.allow_downscale", "1", "quorum.device.model", "net", NULL },
		  "quorum.device is not compatible with allow_downscale" },
		{ 3, { "quorum.expected_votes", "3", "quorum.device.model", "net", NULL },
		  "quorum.device.votes must be specified when quorum.expected_votes is set" },
		{ 3, { "nodelist.node.0.quorum_votes", "2", "quorum.device.model", "net", NULL },
		  "quorum.device.votes must be specified when not all nodes votes 1" },
		{ 3, { "quorum.expected_votes", "3", "quorum.device.model", "net",
		       "quorum.device.votes", "2", NULL },
		  "quorum.device.votes is too high or expected_votes is too low" },
		{ 5, { "quorum.auto_tie_breaker", "1", "quorum.last_man_standing", "1", NULL },
		  "auto_tie_breaker & last_man_standing not available in odd sized cluster" },
		{ 3, { "quorum.two_node", "yes", NULL }, "quorum.two_node" },
		{ 3, { "quorum.expected_votes", "-1", NULL }, "quorum.expected_votes" },
		{ 3, { "quorum.device.model", "net", "quorum.device.votes", "x", NULL },
		  "quorum.device.votes" },
		{ 3, { "nodelist.node.3.ring0_addr", "10.0.0.4", NULL }, "has no nodeid" },
		{ 3, { "nodelist.node.2.nodeid", "1", NULL }, "appears more than once" },
		{ 3, { "nodelist.node.2.nodeid", "0", NULL }, "reserved" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tally_cmap *m = mkcfg(cases[i].nodes, cases[i].kv);
		char err[256] = "";
		struct tally_quorum *q = create_err(m, 1, err, sizeof(err));

		CHECK(q == NULL);
		if (strstr(err, cases[i].text) == NULL) {
			fprintf(stderr, "case %zu: '%s' does not contain '%s'\n", i, err,
				cases[i].text);
			check_failures++;
		}
		tally_quorum_destroy(q);
		tally_cmap_free(m);
	}
}

static void getinfo_unknown_node_is_not_exist_and_zeroed(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *m = mkcfg(3, NULL);
	struct tnode *n = boot(b, 1, m, 0, 16);
	struct votequorum_info info;

	memset(&info, 0xab, sizeof(info));
	CHECK_EQ(tally_quorum_getinfo(n->q, 99, &info), CS_ERR_NOT_EXIST);
	CHECK_EQ(info.node_id, 0);
	CHECK_EQ(info.highest_expected, 0);
	CHECK_EQ(info.qdevice_name[0], 0);
	CHECK_EQ(tally_quorum_getinfo(n->q, 0, &info), CS_OK);
	CHECK_EQ(info.node_id, 1);
	shutdown_bus(b);
	tally_cmap_free(m);
}

static void qdevice_name_check_bounds(void)
{
	char name[300];

	CHECK_EQ(tally_qdevice_name_check(NULL), CS_ERR_INVALID_PARAM);
	CHECK_EQ(tally_qdevice_name_check(""), CS_ERR_INVALID_PARAM);
	memset(name, 'a', sizeof(name));
	name[255] = '\0';
	CHECK_EQ(tally_qdevice_name_check(name), CS_ERR_INVALID_PARAM);
	name[254] = '\0';
	CHECK_EQ(tally_qdevice_name_check(name), CS_OK);
}

static void qdevice_calls_without_registration(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *m = mkcfg(1, (const char *const[]){ "quorum.device.model", "net", NULL });
	struct tnode *n = boot(b, 1, m, 0, 16);
	votequorum_ring_id_t ring;

	form_view(b);
	ring = tally_quorum_ring_id(n->q);
	CHECK_EQ(tally_quorum_qdevice_unregister(n->q, "QD"), CS_ERR_NOT_EXIST);
	CHECK_EQ(tally_quorum_qdevice_update(n->q, "QD", "QE"), CS_ERR_NOT_EXIST);
	CHECK_EQ(tally_quorum_qdevice_poll(n->q, "QD", 1, &ring, 0), CS_ERR_NOT_EXIST);
	CHECK_EQ(tally_quorum_qdevice_master_wins(n->q, "QD", 1), CS_ERR_NOT_EXIST);
	shutdown_bus(b);
	tally_cmap_free(m);
}

static void qdevice_register_is_deferred_and_busy(void)
{
	struct bus *b = fresh_bus();
	/* two configured nodes, one running: the device's vote decides */
	struct tally_cmap *m = mkcfg(2, (const char *const[]){ "quorum.device.model", "net", NULL });
	struct tnode *n = boot(b, 1, m, 0, 16);
	votequorum_ring_id_t ring;
	bool pending;

	form_view(b);
	CHECK_EQ(tally_quorum_qdevice_register(n->q, "QD", 7, &pending), CS_OK);
	CHECK(pending);
	/* a second register while the first is in flight */
	CHECK_EQ(tally_quorum_qdevice_register(n->q, "QD", 8, &pending), CS_ERR_TRY_AGAIN);
	CHECK(!pending);
	CHECK_EQ(n->replies, 0);
	deliver_all(b);
	CHECK_EQ(n->replies, 1);
	CHECK_EQ(n->reply, CS_OK);

	ring = tally_quorum_ring_id(n->q);
	CHECK_EQ(tally_quorum_qdevice_update(n->q, "X", "QE"), CS_ERR_INVALID_PARAM);
	CHECK_EQ(tally_quorum_qdevice_update(n->q, "QD", "QE"), CS_OK);
	deliver_all(b);
	CHECK_EQ(tally_quorum_qdevice_poll(n->q, "QD", 1, &ring, 0), CS_ERR_INVALID_PARAM);
	CHECK_EQ(tally_quorum_qdevice_poll(n->q, "QE", 1, &ring, 0), CS_OK);
	deliver_all(b);
	CHECK(tally_quorum_is_quorate(n->q));
	CHECK_EQ(tally_quorum_qdevice_unregister(n->q, "QD"), CS_ERR_INVALID_PARAM);
	CHECK_EQ(tally_quorum_qdevice_unregister(n->q, "QE"), CS_OK);
	deliver_all(b);
	CHECK(!tally_quorum_is_quorate(n->q));
	shutdown_bus(b);
	tally_cmap_free(m);
}

static void node_table_full_drops_then_reuses_dead(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *m = mkcfg(5, NULL);
	struct tnode *n = boot(b, 1, m, 0, 3);
	struct tally_qmsg msg = { .type = TALLY_QMSG_NODEINFO };
	struct votequorum_info info;
	uint32_t members[] = { 1, 2, 3 }, fewer[] = { 1, 3 };
	votequorum_ring_id_t ring = { 1, 4 };

	tally_quorum_sync_init(n->q, &ring, members, 3, 0);
	for (uint32_t id = 2; id <= 4; id++) {
		msg.nodeinfo.nodeid = id;
		msg.nodeinfo.votes = 1;
		msg.nodeinfo.expected_votes = 5;
		tally_quorum_deliver(n->q, id, &msg, 0);
	}
	CHECK_EQ(tally_quorum_getinfo(n->q, 3, &info), CS_OK);
	CHECK_EQ(tally_quorum_getinfo(n->q, 4, &info), CS_ERR_NOT_EXIST);
	CHECK(strstr(n->lastlog, "node table full") != NULL);

	/* node 2 dies: its record is reused for node 4 */
	ring.seq = 8;
	tally_quorum_sync_init(n->q, &ring, fewer, 2, 0);
	msg.nodeinfo.nodeid = 4;
	tally_quorum_deliver(n->q, 4, &msg, 0);
	CHECK_EQ(tally_quorum_getinfo(n->q, 4, &info), CS_OK);
	CHECK_EQ(tally_quorum_getinfo(n->q, 2, &info), CS_ERR_NOT_EXIST);
	shutdown_bus(b);
	tally_cmap_free(m);
}

static void hostile_messages_are_dropped(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *m = mkcfg(3, NULL);
	struct tnode *n = boot(b, 1, m, 0, 16);
	struct tally_qmsg msg = { .type = TALLY_QMSG_NODEINFO };
	struct votequorum_info info;

	form_view(b);
	/* a device nodeinfo from a node never seen (corosync asserts: corosync#63) */
	msg.nodeinfo.nodeid = 0;
	msg.nodeinfo.votes = 9;
	tally_quorum_deliver(n->q, 42, &msg, 0);
	tally_quorum_getinfo(n->q, 0, &info);
	CHECK_EQ(info.qdevice_votes, 0);
	CHECK(strstr(n->lastlog, "unknown node") != NULL);

	msg.type = (enum tally_qmsg_type)77;
	tally_quorum_deliver(n->q, 2, &msg, 0);
	CHECK(strstr(n->lastlog, "unknown type") != NULL);

	msg.type = TALLY_QMSG_RECONFIGURE;
	msg.reconfigure.param = (enum tally_qreconf_param)9;
	tally_quorum_deliver(n->q, 2, &msg, 0);
	CHECK(strstr(n->lastlog, "unknown parameter") != NULL);

	/* votes for a node never seen change nothing */
	msg.reconfigure.param = TALLY_QRECONF_NODE_VOTES;
	msg.reconfigure.nodeid = 55;
	msg.reconfigure.value = 100;
	tally_quorum_deliver(n->q, 2, &msg, 0);
	CHECK_EQ(tally_quorum_getinfo(n->q, 55, &info), CS_ERR_NOT_EXIST);
	shutdown_bus(b);
	tally_cmap_free(m);
}

static void quorum_is_a_strict_majority_of_expected(void)
{
	/* spec §3.5 table: E 1..10 -> 1 2 2 3 3 4 4 5 5 6 */
	static const uint32_t want[] = { 1, 2, 2, 3, 3, 4, 4, 5, 5, 6 };

	for (int e = 1; e <= 10; e++) {
		struct bus *b = fresh_bus();
		struct tally_cmap *m = mkcfg(e, NULL);
		struct tnode *n = boot(b, 1, m, 0, 16);
		struct votequorum_info info;

		form_view(b);
		tally_quorum_getinfo(n->q, 0, &info);
		CHECK_EQ(info.quorum, want[e - 1]);
		CHECK_EQ(info.node_expected_votes, (uint32_t)e);
		shutdown_bus(b);
		tally_cmap_free(m);
	}
}

static void reload_with_bad_value_keeps_config(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *m = mkcfg(3, NULL);
	struct tnode *n = boot(b, 1, m, 0, 16);
	struct votequorum_info info;

	form_view(b);
	tally_cmap_set(m, "quorum.expected_votes", "many");
	tally_quorum_reload(n->q, m, 0);
	CHECK(strstr(n->lastlog, "reload ignored") != NULL);
	deliver_all(b);
	tally_quorum_getinfo(n->q, 0, &info);
	CHECK_EQ(info.node_expected_votes, 3);

	/* neither nodelist nor expected votes: the running values stay */
	tally_cmap_free(m);
	m = mkcfg(0, NULL);
	tally_quorum_reload(n->q, m, 0);
	deliver_all(b);
	tally_quorum_getinfo(n->q, 0, &info);
	CHECK_EQ(info.node_expected_votes, 3);
	CHECK_EQ(info.node_votes, 1);
	shutdown_bus(b);
	tally_cmap_free(m);
}

static void runtime_two_node_with_device(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *m = mkcfg(2, (const char *const[]){ "quorum.device.model", "net", NULL });
	struct tnode *n = boot(b, 1, m, 0, 16);
	struct votequorum_info info;
	bool pending;

	form_view(b);
	/* not registered: two_node wins, the device is switched off */
	tally_cmap_set(m, "quorum.two_node", "1");
	tally_quorum_reload(n->q, m, 0);
	deliver_all(b);
	tally_quorum_getinfo(n->q, 0, &info);
	CHECK(info.flags & VOTEQUORUM_INFO_TWONODE);
	CHECK_EQ(tally_quorum_qdevice_register(n->q, "QD", 1, &pending), CS_ERR_ACCESS);

	/* back to a device only, register, then two_node again: two_node loses */
	tally_cmap_unset(m, "quorum.two_node");
	tally_quorum_reload(n->q, m, 0);
	deliver_all(b);
	CHECK_EQ(tally_quorum_qdevice_register(n->q, "QD", 1, &pending), CS_OK);
	deliver_all(b);
	tally_cmap_set(m, "quorum.two_node", "1");
	tally_quorum_reload(n->q, m, 0);
	deliver_all(b);
	tally_quorum_getinfo(n->q, 0, &info);
	CHECK(!(info.flags & VOTEQUORUM_INFO_TWONODE));
	CHECK(info.flags & VOTEQUORUM_INFO_QDEVICE_REGISTERED);
	shutdown_bus(b);
	tally_cmap_free(m);
}

static void runtime_device_conflict_disables_device(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *m = mkcfg(4, (const char *const[]){ "quorum.auto_tie_breaker", "1", NULL });
	struct tnode *n = boot(b, 1, m, 0, 16);
	votequorum_ring_id_t ring;
	bool pending;

	form_view(b);
	ring = tally_quorum_ring_id(n->q);
	tally_cmap_set(m, "quorum.device.model", "net");
	tally_quorum_reload(n->q, m, 0);
	deliver_all(b);
	CHECK(strstr(n->lastlog, "disabling quorum device operations") != NULL);
	CHECK_EQ(tally_quorum_qdevice_register(n->q, "QD", 1, &pending), CS_ERR_ACCESS);
	CHECK_EQ(tally_quorum_qdevice_poll(n->q, "QD", 1, &ring, 0), CS_ERR_ACCESS);
	CHECK_EQ(tally_quorum_qdevice_master_wins(n->q, "QD", 1), CS_ERR_ACCESS);
	shutdown_bus(b);
	tally_cmap_free(m);
}

static void ev_tracking_persists_every_rise(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *m = mkcfg(3, (const char *const[]){
		"quorum.expected_votes_tracking", "1", "quorum.expected_votes", "2", NULL });
	struct tnode *n = boot(b, 1, m, 4, 16);
	struct votequorum_info info;

	/* the barrier from disk replaces quorum.expected_votes */
	tally_quorum_getinfo(n->q, 0, &info);
	CHECK_EQ(info.node_expected_votes, 4);
	CHECK_EQ(n->persisted, 4);
	form_view(b);
	CHECK_EQ(tally_quorum_setexpected(n->q, 6), CS_OK);
	deliver_all(b);
	CHECK_EQ(n->persisted, 6);
	CHECK_EQ(tally_quorum_ev_barrier(n->q), 6);
	/* setexpected cannot push E below the barrier */
	CHECK_EQ(tally_quorum_setexpected(n->q, 2), CS_OK);
	deliver_all(b);
	tally_quorum_getinfo(n->q, 0, &info);
	CHECK_EQ(info.node_expected_votes, 6);
	shutdown_bus(b);
	tally_cmap_free(m);
}

static void leave_announces_only_with_downscale(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *plain = mkcfg(3, NULL);
	struct tally_cmap *ad = mkcfg(3, (const char *const[]){ "quorum.allow_downscale", "1", NULL });
	struct tnode *n1 = boot(b, 1, plain, 0, 16);
	int before;

	form_view(b);
	before = b->tail;
	tally_quorum_leave(n1->q);
	CHECK_EQ(b->tail, before);
	shutdown_bus(b);

	b = fresh_bus();
	n1 = boot(b, 1, ad, 0, 16);
	form_view(b);
	before = b->tail;
	tally_quorum_leave(n1->q);
	CHECK_EQ(b->tail, before + 1);
	CHECK(b->q[before].msg.nodeinfo.flags & TALLY_QFLAG_LEAVING);
	shutdown_bus(b);
	tally_cmap_free(plain);
	tally_cmap_free(ad);
}

struct seen_nodes {
	uint32_t ids[8];
	uint32_t n;
};

static void record_quorum_nodes(void *ctx, const struct tally_qnotify *q)
{
	struct seen_nodes *seen = ctx;

	if (q->type != TALLY_QNOTIFY_QUORUM)
		return;
	seen->n = q->quorum.n_nodes;
	for (uint32_t i = 0; i < q->quorum.n_nodes && i < 8; i++)
		seen->ids[i] = q->quorum.nodes[i].nodeid;
}

static void quorum_notification_lists_local_node_last(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *m = mkcfg(3, NULL);
	struct tnode *n2;
	struct seen_nodes seen = { { 0 }, 0 };

	boot(b, 1, m, 0, 16);
	n2 = boot(b, 2, m, 0, 16);
	boot(b, 3, m, 0, 16);
	form_view(b);

	tally_quorum_emit_current(n2->q, record_quorum_nodes, &seen);
	CHECK_EQ(seen.n, 3);
	CHECK_EQ(seen.ids[0], 1);
	CHECK_EQ(seen.ids[1], 3);
	CHECK_EQ(seen.ids[2], 2);
	shutdown_bus(b);
	tally_cmap_free(m);
}

static void setvotes_and_setexpected_checks(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *m = mkcfg(3, NULL);
	struct tnode *n = boot(b, 1, m, 0, 16);
	struct votequorum_info info;

	boot(b, 2, m, 0, 16);
	boot(b, 3, m, 0, 16);
	form_view(b);
	CHECK_EQ(tally_quorum_setvotes(n->q, 9, 1), CS_ERR_NAME_NOT_FOUND);
	CHECK_EQ(tally_quorum_setvotes(n->q, 2, 0), CS_OK);
	deliver_all(b);
	tally_quorum_getinfo(n->q, 0, &info);
	CHECK_EQ(info.total_votes, 2);
	CHECK(info.flags & VOTEQUORUM_INFO_QUORATE);
	/* a change that leaves the partition short of quorum is refused */
	CHECK_EQ(tally_quorum_setvotes(n->q, 3, 0), CS_ERR_INVALID_PARAM);
	CHECK_EQ(tally_quorum_setexpected(n->q, 1), CS_ERR_INVALID_PARAM);
	CHECK_EQ(tally_quorum_setexpected(n->q, 0), CS_ERR_INVALID_PARAM);
	/* the reply comes before delivery; the local copy changes at once */
	CHECK_EQ(tally_quorum_setexpected(n->q, 3), CS_OK);
	tally_quorum_getinfo(n->q, 0, &info);
	CHECK_EQ(info.node_expected_votes, 3);
	deliver_all(b);
	CHECK(strstr(n->log, "E3") != NULL);
	shutdown_bus(b);
	tally_cmap_free(m);
}

static void cancel_wait_for_all_releases_waiting_nodes(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *m = mkcfg(3, (const char *const[]){ "quorum.wait_for_all", "1", NULL });
	struct tnode *n = boot(b, 1, m, 0, 16);
	struct votequorum_info info;

	boot(b, 2, m, 0, 16);
	form_view(b);
	CHECK(!tally_quorum_is_quorate(n->q));
	tally_quorum_cancel_wait_for_all(n->q);
	deliver_all(b);
	CHECK(tally_quorum_is_quorate(n->q));
	tally_quorum_getinfo(n->q, 0, &info);
	CHECK(info.flags & VOTEQUORUM_INFO_WAIT_FOR_ALL);
	shutdown_bus(b);
	tally_cmap_free(m);
}

static void atb_list_invalid_string_disables_atb(void)
{
	struct bus *b = fresh_bus();
	struct tally_cmap *m = mkcfg(4, (const char *const[]){
		"quorum.auto_tie_breaker", "1", "quorum.auto_tie_breaker_node", "1 two", NULL });
	struct tnode *n = boot(b, 1, m, 0, 16);
	struct votequorum_info info;

	CHECK(n->q != NULL);
	tally_quorum_getinfo(n->q, 0, &info);
	CHECK(!(info.flags & VOTEQUORUM_INFO_AUTO_TIE_BREAKER));
	shutdown_bus(b);
	tally_cmap_free(m);
}

int main(void)
{
	RUN(create_rejects_bad_parameters);
	RUN(create_reports_corosync_config_errors);
	RUN(getinfo_unknown_node_is_not_exist_and_zeroed);
	RUN(qdevice_name_check_bounds);
	RUN(qdevice_calls_without_registration);
	RUN(hostile_messages_are_dropped);
	RUN(node_table_full_drops_then_reuses_dead);
	RUN(reload_with_bad_value_keeps_config);
	RUN(runtime_device_conflict_disables_device);
	RUN(runtime_two_node_with_device);
	RUN(qdevice_register_is_deferred_and_busy);
	RUN(quorum_is_a_strict_majority_of_expected);
	RUN(ev_tracking_persists_every_rise);
	RUN(leave_announces_only_with_downscale);
	RUN(quorum_notification_lists_local_node_last);
	RUN(setvotes_and_setexpected_checks);
	RUN(cancel_wait_for_all_releases_waiting_nodes);
	RUN(atb_list_invalid_string_disables_atb);
	return CHECK_EXIT();
}
