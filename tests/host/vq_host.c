/* SPDX-License-Identifier: BSD-3-Clause */
/* TEST FIXTURE (vq_host.h): a one-node engine for the library tests and benchmarks. */
#include "vq_host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/cmap.h"
#include "ctl/ctl.h"
#include "node/node.h"
#include "tally/ctl_proto.h"
#include "tally/shm_layout.h"

#define SYNC_RETRY_NS 10000000ull

struct loop_msg {
	struct loop_msg *next;
	struct tally_qmsg msg;
};

struct vq_host {
	qb_loop_t *loop;
	uint32_t nodeid;
	struct tally_cmap *map;
	struct tally_node *node;
	struct tally_ctl *ctl;
	struct tally_ctl_exec exec;
	char shm_name[TALLY_CTL_SHM_NAME_MAX];
	void *seg;
	/* the loopback transport: a FIFO drained by a loop job */
	struct loop_msg *head, **tail;
	int pump_queued;
	int in_sync;
	uint64_t ring_seq;
	qb_loop_timer_handle timer, sync_timer;
};

static void pump(void *data);

static void host_send(void *ctx, const struct tally_qmsg *msg)
{
	struct vq_host *h = ctx;
	struct loop_msg *m = malloc(sizeof(*m));

	if (m == NULL)
		abort();	/* a fixture has no use for a lossy loopback */
	m->next = NULL;
	m->msg = *msg;
	*h->tail = m;
	h->tail = &m->next;
	if (!h->pump_queued) {
		h->pump_queued = 1;
		qb_loop_job_add(h->loop, QB_LOOP_MED, h, pump);
	}
}

static void on_deadline(void *data)
{
	struct vq_host *h = data;

	tally_node_expire(h->node, tally_ctl_now_ms());
	pump(h);
}

static void arm_timer(struct vq_host *h)
{
	uint64_t d = tally_node_next_deadline(h->node), now = tally_ctl_now_ms();

	qb_loop_timer_del(h->loop, h->timer);
	h->timer = 0;
	if (d != UINT64_MAX)
		qb_loop_timer_add(h->loop, QB_LOOP_MED, (d > now ? d - now : 0) * 1000000ull, h,
				  on_deadline, &h->timer);
}

static void sync_step(void *data)
{
	struct vq_host *h = data;

	h->sync_timer = 0;
	if (!h->in_sync)
		return;
	if (h->head != NULL) {
		pump(h);
		return;
	}
	if (tally_node_sync_process(h->node) && h->head == NULL) {
		h->in_sync = 0;
		tally_node_sync_activate(h->node);
	} else {
		/* waiting for the device's poll, or for what sync_process just sent */
		qb_loop_timer_add(h->loop, QB_LOOP_MED, h->head ? 0 : SYNC_RETRY_NS, h, sync_step,
				  &h->sync_timer);
	}
	arm_timer(h);
}

static void pump(void *data)
{
	struct vq_host *h = data;

	h->pump_queued = 0;
	while (h->head != NULL) {
		struct loop_msg *m = h->head;

		h->head = m->next;
		if (h->head == NULL)
			h->tail = &h->head;
		tally_node_deliver(h->node, h->nodeid, &m->msg, tally_ctl_now_ms());
		free(m);
	}
	if (h->in_sync)
		sync_step(h);
	else
		arm_timer(h);
}

void vq_host_view(struct vq_host *h)
{
	votequorum_ring_id_t ring = { h->nodeid, h->ring_seq += 4 };

	h->in_sync = 1;
	tally_node_sync_init(h->node, &ring, &h->nodeid, 1, tally_ctl_now_ms());
	sync_step(h);
}

static void host_wake(void *ctx)
{
	struct vq_host *h = ctx;

	tally_ctl_kick(h->ctl);
}

static void host_ring(void *ctx)
{
	struct vq_host *h = ctx;

	tally_ctl_ring(h->ctl);
}

static void host_reply(void *ctx, uint64_t token, cs_error_t result)
{
	struct vq_host *h = ctx;

	tally_ctl_reply(h->ctl, token, result);
}

/* One thread owns everything here: apply at once. */
static bool host_submit(void *ctx, const struct tally_ctl_op *op)
{
	struct vq_host *h = ctx;
	bool pending;
	cs_error_t rc = tally_ctl_op_apply(h->node, op, tally_ctl_now_ms(), &pending);

	if (!pending)
		tally_ctl_reply(h->ctl, op->token, rc);
	return true;
}

struct status_buf {
	char *buf;
	size_t len, off;
};

static int status_key(void *ctx, const char *key, const char *value)
{
	struct status_buf *b = ctx;

	if (b->off < b->len)
		b->off += (size_t)snprintf(b->buf + b->off, b->len - b->off, "%s: %s\n", key, value);
	return 0;
}

/* STATUS: the running configuration, a key a line (a big nodelist spans pages). */
static size_t host_status(void *ctx, char *buf, size_t len)
{
	struct vq_host *h = ctx;
	struct status_buf b = { buf, len, 0 };

	buf[0] = '\0';
	tally_cmap_foreach(h->map, "", status_key, &b);
	return b.off < len ? b.off : len - 1;
}

static const struct tally_node_ops host_ops = {
	.send = host_send,
	.wake = host_wake,
	.ring = host_ring,
	.reply = host_reply,
};

struct vq_host *vq_host_create(const char *conf, uint32_t nodeid, const char *instance,
			       qb_loop_t *loop, char *err, size_t errlen)
{
	struct vq_host *h = calloc(1, sizeof(*h));
	char service[TALLY_CTL_SERVICE_MAX];
	struct tally_ctl_cfg cfg = { 0 };
	uint64_t incarnation = ((uint64_t)getpid() << 32) ^ tally_ctl_now_ms();

	snprintf(err, errlen, "out of memory");
	if (h == NULL)
		return NULL;
	h->loop = loop;
	h->nodeid = nodeid;
	h->tail = &h->head;
	snprintf(h->shm_name, sizeof(h->shm_name), "/tally-test.%s.%d", instance, (int)getpid());
	h->map = tally_cmap_new();
	if (h->map == NULL ||
	    tally_cmap_parse(h->map, conf, strlen(conf), "host.conf", err, errlen) != 0 ||
	    tally_ctl_acl_from_cmap(h->map, &cfg.acl, err, errlen) != 0 ||
	    tally_ctl_service_name(instance, service, sizeof(service)) != 0)
		goto err_map;
	h->seg = tally_ctl_segment_create(h->shm_name, &cfg.acl, TALLY_SHM_SEGMENT_SIZE, err,
					  errlen);
	if (h->seg == NULL)
		goto err_map;
	h->node = tally_node_create(nodeid, h->map, 0, h->seg, TALLY_SHM_SEGMENT_SIZE, incarnation,
				    &host_ops, h, err, errlen);
	if (h->node == NULL)
		goto err_seg;
	cfg.service = service;
	cfg.shm_name = h->shm_name;
	cfg.segment_size = TALLY_SHM_SEGMENT_SIZE;
	cfg.engine_incarnation = incarnation;
	cfg.segment = h->seg;
	h->exec = (struct tally_ctl_exec){ .submit = host_submit, .status = host_status, .ctx = h };
	h->ctl = tally_ctl_create(&cfg, &h->exec, loop);
	if (h->ctl == NULL) {
		snprintf(err, errlen, "control IPC %s: %s", service, strerror(errno));
		goto err_node;
	}
	vq_host_view(h);
	return h;

err_node:
	tally_node_destroy(h->node);
err_seg:
	tally_ctl_segment_destroy(h->shm_name, h->seg, TALLY_SHM_SEGMENT_SIZE);
err_map:
	tally_cmap_free(h->map);
	free(h);
	return NULL;
}

void vq_host_destroy(struct vq_host *h)
{
	if (h == NULL)
		return;
	qb_loop_timer_del(h->loop, h->timer);
	qb_loop_timer_del(h->loop, h->sync_timer);
	tally_ctl_destroy(h->ctl);
	tally_node_destroy(h->node);
	while (h->head != NULL) {
		struct loop_msg *m = h->head;

		h->head = m->next;
		free(m);
	}
	tally_ctl_segment_destroy(h->shm_name, h->seg, TALLY_SHM_SEGMENT_SIZE);
	tally_cmap_free(h->map);
	free(h);
}

struct tally_node *vq_host_node(struct vq_host *h)
{
	return h->node;
}
