/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control IPC server (ctl.h). Every request goes through
 * tally_ctl_decode (op.c) before anything reads it; a malformed request
 * gets CS_ERR_MESSAGE_ERROR (or INVALID_PARAM for a bad field) and the
 * connection stays usable.
 */
#include "ctl/ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbipcs.h>

#include "node/node.h"
#include "shm/map.h"
#include "shm/wake.h"
#include "tally/ctl_proto.h"
#include "tally/shm_layout.h"

struct ctl_conn {
	struct tally_ctl *ctl;
	qb_ipcs_connection_t *c;
	uid_t uid;
	gid_t gid;
	int32_t pid;
	int32_t slot;		/**< client area slot, -1: none (not a library, or all taken) */
	bool slotless;		/**< said hello, got no slot: may sleep counted */
	bool watching;
	uint64_t watch_seq;
	char *status;		/**< the STATUS text being read in pages, or NULL */
	size_t status_len;
	uint64_t status_gen;
	struct ctl_conn *next;
};

/* A qdevice_register waiting for its message to be delivered. */
struct ctl_pending {
	uint64_t token;
	qb_ipcs_connection_t *c;	/**< referenced until answered */
	int32_t id;
};

struct tally_ctl {
	struct tally_ctl_cfg cfg;
	char service[TALLY_CTL_SERVICE_MAX];
	char shm_name[TALLY_CTL_SHM_NAME_MAX];
	struct tally_ctl_exec exec;
	qb_loop_t *loop;
	qb_ipcs_service_t *svc;
	int kick_fd;
	int ring_fd;		/**< the clients file, read-write: tally_shm_fd_ring */
	int watch_fd;		/**< inotify on it: a client's ftruncate is repaired at once */
	struct ctl_conn *conns;
	size_t n_conns;
	size_t n_watching;
	size_t n_slotless;	/**< libraries that said hello and got no slot */
	uint64_t slot_used[TALLY_SHM_CLIENTS / 64];	/**< bitmap of slots handed out */
	struct ctl_pending *pending;
	size_t n_pending, cap_pending;
	uint64_t next_token;
	uint64_t malformed;
	uint64_t status_generation;
};

uint64_t tally_ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t tally_ctl_malformed(const struct tally_ctl *ctl)
{
	return ctl->malformed;
}

static struct tally_shm_header *segment_header(struct tally_ctl *ctl)
{
	return ctl->cfg.segment;
}

static struct tally_shm_clients *client_area(struct tally_ctl *ctl)
{
	return (struct tally_shm_clients *)((uint8_t *)ctl->cfg.segment + TALLY_SHM_CLIENTS_OFFSET);
}

/* ------------------------------------------------------------------ */
/* Watchers: clients sleeping in poll() on votequorum_fd_get's fd      */

/*
 * While anyone watches, the control server counts as one sleeper in the
 * segment, so the node calls its wake hook (tally_ctl_kick) after changes.
 */
static void set_watching(struct ctl_conn *cc, bool on)
{
	struct tally_ctl *ctl = cc->ctl;
	struct tally_shm_clients *area = client_area(ctl);

	if (cc->watching == on)
		return;
	cc->watching = on;
	if (on && ctl->n_watching++ == 0)
		atomic_fetch_add_explicit(&area->waiters, 1, memory_order_seq_cst);	/* W2 */
	else if (!on && --ctl->n_watching == 0)
		atomic_fetch_sub_explicit(&area->waiters, 1, memory_order_seq_cst);
}

static void wake_if_moved(struct ctl_conn *cc, uint64_t newest)
{
	struct tally_ctl_ev_wake ev = { { .id = TALLY_CTL_EV_WAKE, .size = sizeof(ev) } };

	if (!cc->watching || newest <= cc->watch_seq)
		return;
	/* -EAGAIN: the client's queue is full, so its fd is readable anyway. */
	qb_ipcs_event_send(cc->c, &ev, sizeof(ev));
	set_watching(cc, false);
}

static uint64_t newest_seq(struct tally_ctl *ctl)
{
	return atomic_load_explicit(&segment_header(ctl)->ev_seq, memory_order_seq_cst);
}

static int32_t on_kick(int32_t fd, int32_t revents, void *data)
{
	struct tally_ctl *ctl = data;
	uint64_t count, newest;

	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return 0;
	newest = newest_seq(ctl);
	for (struct ctl_conn *cc = ctl->conns; cc != NULL; cc = cc->next)
		wake_if_moved(cc, newest);
	return 0;
}

/*
 * The clients file changed (a ring, a client's write(2), or a client's
 * ftruncate): give it its size back before the other clients touch the
 * lost pages and die of SIGBUS (the daemon's own touches are guarded,
 * segment.c). One fstat per ring otherwise.
 */
static int32_t on_area_modified(int32_t fd, int32_t revents, void *data)
{
	struct tally_ctl *ctl = data;

	tally_shm_fd_drain(fd);
	(void)tally_ctl_segment_repair(ctl->ring_fd);
	return 0;
}

void tally_ctl_kick(struct tally_ctl *ctl)
{
	uint64_t one = 1;

	/* An eventfd counter cannot overflow in practice; EAGAIN means it is set. */
	if (write(ctl->kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return;
}

void tally_ctl_ring(struct tally_ctl *ctl)
{
	/* No hop through the loop: one write(2) from the caller's thread. */
	if (tally_shm_fd_take(ctl->cfg.segment))
		(void)tally_shm_fd_ring(ctl->ring_fd);
}

/* ------------------------------------------------------------------ */
/* Replies                                                             */

static void respond(qb_ipcs_connection_t *c, int32_t id, cs_error_t err)
{
	struct tally_ctl_res res = { { .id = id, .size = sizeof(res), .error = err } };

	qb_ipcs_response_send(c, &res, sizeof(res));
}

void tally_ctl_reply(struct tally_ctl *ctl, uint64_t token, cs_error_t result)
{
	for (size_t i = 0; i < ctl->n_pending; i++) {
		struct ctl_pending p = ctl->pending[i];

		if (p.token != token)
			continue;
		ctl->pending[i] = ctl->pending[--ctl->n_pending];
		respond(p.c, p.id, result);	/* fails quietly if the client left */
		qb_ipcs_connection_unref(p.c);
		return;
	}
}

static bool add_pending(struct tally_ctl *ctl, qb_ipcs_connection_t *c, int32_t id,
			uint64_t token)
{
	if (ctl->n_pending == ctl->cap_pending) {
		size_t cap = ctl->cap_pending ? 2 * ctl->cap_pending : 4;
		struct ctl_pending *p = realloc(ctl->pending, cap * sizeof(*p));

		if (p == NULL)
			return false;
		ctl->pending = p;
		ctl->cap_pending = cap;
	}
	qb_ipcs_connection_ref(c);
	ctl->pending[ctl->n_pending++] = (struct ctl_pending){ token, c, id };
	return true;
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

/* A fresh slot for a library that said hello; none when all are taken. */
static void take_slot(struct ctl_conn *cc)
{
	struct tally_ctl *ctl = cc->ctl;

	if (cc->slot >= 0)
		return;
	for (uint32_t i = 0; i < TALLY_SHM_CLIENTS; i++) {
		struct tally_shm_client *sl = &client_area(ctl)->slot[i];

		if (ctl->slot_used[i / 64] & (1ull << (i % 64)))
			continue;
		ctl->slot_used[i / 64] |= 1ull << (i % 64);
		cc->slot = (int32_t)i;
		tally_shm_slot_forget(ctl->cfg.segment, i);
		atomic_store_explicit(&sl->cursor_seq, 0, memory_order_relaxed);
		atomic_store_explicit(&sl->cursor, 0, memory_order_relaxed);
		atomic_store_explicit(&sl->flags, 0, memory_order_relaxed);
		atomic_store_explicit(&sl->resyncs, 0, memory_order_relaxed);
		return;
	}
}

static void release_slot(struct ctl_conn *cc)
{
	if (cc->slot < 0)
		return;
	/* A client that died asleep costs the engine nothing from now on. */
	tally_shm_slot_forget(cc->ctl->cfg.segment, (uint32_t)cc->slot);
	cc->ctl->slot_used[cc->slot / 64] &= ~(1ull << (cc->slot % 64));
	cc->slot = -1;
}

static void do_hello(struct ctl_conn *cc, const struct tally_ctl_req_hello *rq)
{
	struct tally_ctl *ctl = cc->ctl;
	struct tally_ctl_res_hello res;

	memset(&res, 0, sizeof(res));
	res.hdr.id = rq->hdr.id;
	res.hdr.size = sizeof(res);
	res.hdr.error = rq->version == TALLY_CTL_PROTO_VERSION ? CS_OK : CS_ERR_VERSION;
	res.version = TALLY_CTL_PROTO_VERSION;
	res.engine_incarnation = ctl->cfg.engine_incarnation;
	res.segment_size = ctl->cfg.segment_size;
	memcpy(res.shm_name, ctl->shm_name, sizeof(res.shm_name));
	if (res.hdr.error == CS_OK) {
		take_slot(cc);
		res.client_slot = (uint32_t)(cc->slot + 1);
		if (cc->slot < 0 && !cc->slotless) {
			cc->slotless = true;
			ctl->n_slotless++;
		}
	}
	qb_ipcs_response_send(cc->c, &res, sizeof(res));
}

/* Hand a state-changing request to the node's thread; the reply follows its apply. */
static void do_op(struct tally_ctl *ctl, qb_ipcs_connection_t *c, struct tally_ctl_op *op)
{
	int32_t id = op->rq.hdr.id;

	op->token = ++ctl->next_token;
	/* Recorded first: the executor may apply, and so reply, inside the call. */
	if (!add_pending(ctl, c, id, op->token)) {
		respond(c, id, CS_ERR_NO_MEMORY);
		return;
	}
	if (!ctl->exec.submit(ctl->exec.ctx, op))
		tally_ctl_reply(ctl, op->token, CS_ERR_TRY_AGAIN);
}

/* Page 0 of a STATUS read: the whole text, copied once for this connection. */
static cs_error_t status_snapshot(struct ctl_conn *cc)
{
	struct tally_ctl *ctl = cc->ctl;

	if (cc->status == NULL)
		cc->status = malloc(TALLY_CTL_STATUS_TEXT_MAX);
	if (cc->status == NULL)
		return CS_ERR_NO_MEMORY;
	cc->status_len = ctl->exec.status(ctl->exec.ctx, cc->status, TALLY_CTL_STATUS_TEXT_MAX);
	if (cc->status_len >= TALLY_CTL_STATUS_TEXT_MAX)
		cc->status_len = TALLY_CTL_STATUS_TEXT_MAX - 1;
	cc->status_gen = ++ctl->status_generation;
	return CS_OK;
}

static void do_status(struct ctl_conn *cc, const struct tally_ctl_req_status *rq)
{
	char buf[TALLY_CTL_MSG_MAX];
	struct tally_ctl_res_status *res = (void *)buf;
	cs_error_t err = CS_OK;
	size_t n = 0;

	memset(res, 0, sizeof(*res));
	if (cc->ctl->exec.status == NULL)
		err = CS_ERR_NOT_SUPPORTED;
	else if (rq->offset == 0)
		err = status_snapshot(cc);
	else if (cc->status == NULL || rq->generation != cc->status_gen)
		err = CS_ERR_TRY_AGAIN;
	else if (rq->offset > cc->status_len)
		err = CS_ERR_INVALID_PARAM;
	if (err == CS_OK) {
		n = cc->status_len - rq->offset;
		if (n > TALLY_CTL_STATUS_MAX - 1)
			n = TALLY_CTL_STATUS_MAX - 1;
		memcpy(res->text, cc->status + rq->offset, n);
		res->generation = cc->status_gen;
		res->offset = rq->offset;
		res->total = (uint32_t)cc->status_len;
		if (rq->offset + n == cc->status_len) {	/* read to the end: done with it */
			free(cc->status);
			cc->status = NULL;
		}
	}
	res->text[n] = '\0';
	res->hdr.id = rq->hdr.id;
	res->hdr.size = (int32_t)(offsetof(struct tally_ctl_res_status, text) + n + 1);
	res->hdr.error = err;
	qb_ipcs_response_send(cc->c, res, (size_t)res->hdr.size);
}

_Static_assert(TALLY_CTL_CLIENT_TRACKING == TALLY_SHM_CLIENT_TRACKING &&
		       TALLY_CTL_CLIENT_FD == TALLY_SHM_CLIENT_FD,
	       "reported flags pass through");

/* What the library reports in its slot (untrusted: shown, never acted on). */
static void slot_info(struct ctl_conn *cc, uint64_t head_seq, uint64_t head,
		      struct tally_ctl_client_info *ci)
{
	struct tally_shm_clients *area = client_area(cc->ctl);
	struct tally_shm_client *sl = &area->slot[cc->slot];
	uint64_t cursor = atomic_load_explicit(&sl->cursor, memory_order_relaxed);
	uint64_t bits = atomic_load_explicit(&area->sleepers[cc->slot / 64], memory_order_relaxed);

	ci->flags |= TALLY_CTL_CLIENT_SLOT |
		     (atomic_load_explicit(&sl->flags, memory_order_relaxed) &
		      (TALLY_CTL_CLIENT_TRACKING | TALLY_CTL_CLIENT_FD));
	ci->cursor_seq = atomic_load_explicit(&sl->cursor_seq, memory_order_relaxed);
	ci->lag = head_seq >= ci->cursor_seq ? head_seq - ci->cursor_seq : 0;
	ci->resyncs = atomic_load_explicit(&sl->resyncs, memory_order_relaxed);
	ci->slot = (uint32_t)cc->slot + 1;
	if (head - cursor > TALLY_SHM_EVENT_RING)
		ci->flags |= TALLY_CTL_CLIENT_LAPPED;
	if (bits & (1ull << (cc->slot % 64)))
		ci->flags |= TALLY_CTL_CLIENT_SLEEPING;
}

static void do_clients(struct tally_ctl *ctl, qb_ipcs_connection_t *c,
		       const struct tally_ctl_req_clients *rq)
{
	char buf[TALLY_CTL_MSG_MAX];
	struct tally_ctl_res_clients *res = (void *)buf;
	struct tally_shm_header *h = segment_header(ctl);
	uint64_t head_seq = atomic_load_explicit(&h->ev_seq, memory_order_acquire);
	uint64_t head = atomic_load_explicit(&h->ev_head, memory_order_acquire);
	uint32_t k = 0;

	memset(res, 0, sizeof(*res));
	res->total = (uint32_t)ctl->n_conns;
	res->head_seq = head_seq;
	for (struct ctl_conn *cc = ctl->conns; cc != NULL; cc = cc->next, k++) {
		struct tally_ctl_client_info *ci;

		if (k < rq->first)
			continue;
		if (res->count == TALLY_CTL_CLIENTS_PER_REPLY)
			break;
		ci = &res->client[res->count];
		memset(ci, 0, sizeof(*ci));
		ci->pid = cc->pid;
		ci->uid = (uint32_t)cc->uid;
		ci->gid = (uint32_t)cc->gid;
		ci->flags = (cc->slot >= 0 ? TALLY_CTL_CLIENT_HELLO : 0) |
			    (cc->watching ? TALLY_CTL_CLIENT_WATCH : 0);
		if (cc->slot >= 0)
			slot_info(cc, head_seq, head, ci);
		res->count++;
	}
	res->hdr.id = rq->hdr.id;
	res->hdr.size = (int32_t)(sizeof(*res) + res->count * sizeof(res->client[0]));
	res->hdr.error = CS_OK;
	qb_ipcs_response_send(c, res, (size_t)res->hdr.size);
}

static void do_watch(struct ctl_conn *cc, const struct tally_ctl_req_watch *rq)
{
	cc->watch_seq = rq->seq;
	set_watching(cc, true);
	respond(cc->c, rq->hdr.id, CS_OK);
	wake_if_moved(cc, newest_seq(cc->ctl));	/* it moved before the client asked */
}

static struct tally_ctl *service_ctl(qb_ipcs_connection_t *c)
{
	return qb_ipcs_connection_service_context_get(c);
}

static int32_t on_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
	struct ctl_conn *cc = qb_ipcs_context_get(c);
	struct tally_ctl *ctl = service_ctl(c);
	struct tally_ctl_op op;
	cs_error_t rc;

	if (cc == NULL)
		return 0;
	rc = tally_ctl_decode(data, size, &op);
	if (rc != CS_OK) {
		if (rc == CS_ERR_MESSAGE_ERROR)
			ctl->malformed++;
		respond(c, op.rq.hdr.id, rc);
		return 0;
	}
	switch (op.rq.hdr.id) {
	case TALLY_CTL_REQ_HELLO:
		do_hello(cc, &op.rq.hello);
		break;
	case TALLY_CTL_REQ_WATCH:
		do_watch(cc, &op.rq.watch);
		break;
	case TALLY_CTL_REQ_STATUS:
		do_status(cc, &op.rq.status);
		break;
	case TALLY_CTL_REQ_CLIENTS:
		do_clients(ctl, c, &op.rq.clients);
		break;
	default:
		do_op(ctl, c, &op);
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Connections                                                         */

static bool allowed(const struct tally_ctl_acl *acl, uid_t uid, gid_t gid)
{
	/* corosync lets root's uid and root's group in, then the uidgid lists */
	if (uid == 0 || gid == 0)
		return true;
	for (size_t i = 0; i < acl->n_uids; i++)
		if (acl->uids[i] == uid)
			return true;
	for (size_t i = 0; i < acl->n_gids; i++)
		if (acl->gids[i] == gid)
			return true;
	return false;
}

/*
 * The connection's record is made here, where libqb hands over the peer's
 * credentials (for tally-stat), and linked once the connection is up; if
 * setup fails in between, on_destroyed frees it.
 */
static int32_t on_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
	struct ctl_conn *cc;

	if (!allowed(&service_ctl(c)->cfg.acl, uid, gid))
		return -EACCES;
	cc = calloc(1, sizeof(*cc));
	if (cc == NULL)
		return -ENOMEM;
	cc->ctl = service_ctl(c);
	cc->c = c;
	cc->uid = uid;
	cc->gid = gid;
	cc->slot = -1;
	qb_ipcs_context_set(c, cc);
	/* libqb's per-connection shared memory: the client's alone */
	qb_ipcs_connection_auth_set(c, uid, gid, S_IRUSR | S_IWUSR);
	return 0;
}

static void on_created(qb_ipcs_connection_t *c)
{
	struct ctl_conn *cc = qb_ipcs_context_get(c);
	struct qb_ipcs_connection_stats st;

	if (cc == NULL) {
		qb_ipcs_disconnect(c);
		return;
	}
	if (qb_ipcs_connection_stats_get(c, &st, 0) == 0)
		cc->pid = st.client_pid;
	cc->next = cc->ctl->conns;
	cc->ctl->conns = cc;
	cc->ctl->n_conns++;
}

static void on_destroyed(qb_ipcs_connection_t *c)
{
	free(qb_ipcs_context_get(c));	/* NULL unless on_closed never ran */
	qb_ipcs_context_set(c, NULL);
}

/* Only the watch goes with the connection; registrations stay (spec §5.2). */
static int32_t on_closed(qb_ipcs_connection_t *c)
{
	struct ctl_conn *cc = qb_ipcs_context_get(c);

	if (cc == NULL)
		return 0;
	set_watching(cc, false);
	release_slot(cc);
	if (cc->slotless)
		cc->ctl->n_slotless--;
	/* Undo what a client may have scribbled on the sleepers: the count is
	 * ours alone while every library has a slot. */
	tally_shm_sweep(cc->ctl->cfg.segment, cc->ctl->slot_used, cc->ctl->n_slotless == 0,
			cc->ctl->n_watching > 0);
	for (struct ctl_conn **p = &cc->ctl->conns; *p != NULL; p = &(*p)->next) {
		if (*p == cc) {
			*p = cc->next;
			cc->ctl->n_conns--;
			break;
		}
	}
	qb_ipcs_context_set(c, NULL);
	free(cc->status);
	free(cc);
	return 0;
}

/* ------------------------------------------------------------------ */
/* libqb glue                                                          */

static qb_loop_t *glue_loop;	/* qb_ipcs_poll_handlers carry no context */

static int32_t glue_dispatch_add(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
				 qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_add(glue_loop, p, fd, events, data, fn);
}

static int32_t glue_dispatch_mod(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
				 qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_mod(glue_loop, p, fd, events, data, fn);
}

static int32_t glue_dispatch_del(int32_t fd)
{
	return qb_loop_poll_del(glue_loop, fd);
}

static int32_t glue_job_add(enum qb_loop_priority p, void *data, qb_loop_job_dispatch_fn fn)
{
	return qb_loop_job_add(glue_loop, p, data, fn);
}

struct tally_ctl *tally_ctl_create(const struct tally_ctl_cfg *cfg,
				   const struct tally_ctl_exec *exec, qb_loop_t *loop)
{
	static struct qb_ipcs_service_handlers handlers = {
		.connection_accept = on_accept,
		.connection_created = on_created,
		.msg_process = on_msg,
		.connection_closed = on_closed,
		.connection_destroyed = on_destroyed,
	};
	static struct qb_ipcs_poll_handlers poll_handlers = {
		.job_add = glue_job_add,
		.dispatch_add = glue_dispatch_add,
		.dispatch_mod = glue_dispatch_mod,
		.dispatch_del = glue_dispatch_del,
	};
	char clients[NAME_MAX + 1];
	struct tally_ctl *ctl;
	int rc;

	if (cfg->service == NULL || strlen(cfg->service) >= TALLY_CTL_SERVICE_MAX ||
	    cfg->shm_name == NULL || strlen(cfg->shm_name) >= TALLY_CTL_SHM_NAME_MAX ||
	    cfg->segment == NULL || exec == NULL || exec->submit == NULL || loop == NULL ||
	    (glue_loop != NULL && glue_loop != loop)) {
		errno = EINVAL;
		return NULL;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		return NULL;
	ctl->cfg = *cfg;
	snprintf(ctl->service, sizeof(ctl->service), "%s", cfg->service);
	snprintf(ctl->shm_name, sizeof(ctl->shm_name), "%s", cfg->shm_name);
	ctl->exec = *exec;
	ctl->loop = loop;
	glue_loop = loop;
	if (tally_shm_clients_name(ctl->shm_name, clients, sizeof(clients)) != 0) {
		errno = ENAMETOOLONG;
		goto err_free;
	}
	ctl->ring_fd = shm_open(clients, O_RDWR | O_CLOEXEC, 0);
	if (ctl->ring_fd < 0)
		goto err_free;
	ctl->watch_fd = tally_shm_fd_watch(ctl->ring_fd);
	if (ctl->watch_fd < 0) {
		errno = -ctl->watch_fd;
		goto err_ring;
	}
	if (qb_loop_poll_add(loop, QB_LOOP_HIGH, ctl->watch_fd, POLLIN, ctl, on_area_modified) !=
	    0)
		goto err_watch;
	ctl->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ctl->kick_fd < 0)
		goto err_watch_poll;
	if (qb_loop_poll_add(loop, QB_LOOP_HIGH, ctl->kick_fd, POLLIN, ctl, on_kick) != 0)
		goto err_close;
	ctl->svc = qb_ipcs_create(ctl->service, 0, QB_IPC_SHM, &handlers);
	if (ctl->svc == NULL)
		goto err_poll;
	qb_ipcs_service_context_set(ctl->svc, ctl);
	qb_ipcs_poll_handlers_set(ctl->svc, &poll_handlers);
	rc = qb_ipcs_run(ctl->svc);
	if (rc != 0) {
		errno = -rc;
		goto err_svc;
	}
	return ctl;

err_svc:
	qb_ipcs_destroy(ctl->svc);
err_poll:
	qb_loop_poll_del(loop, ctl->kick_fd);
err_close:
	close(ctl->kick_fd);
err_watch_poll:
	qb_loop_poll_del(loop, ctl->watch_fd);
err_watch:
	close(ctl->watch_fd);
err_ring:
	close(ctl->ring_fd);
err_free:
	free(ctl);
	return NULL;
}

void tally_ctl_destroy(struct tally_ctl *ctl)
{
	if (ctl == NULL)
		return;
	for (size_t i = 0; i < ctl->n_pending; i++)
		qb_ipcs_connection_unref(ctl->pending[i].c);
	free(ctl->pending);
	qb_ipcs_destroy(ctl->svc);	/* closes every connection: on_closed frees them */
	qb_loop_poll_del(ctl->loop, ctl->kick_fd);
	close(ctl->kick_fd);
	qb_loop_poll_del(ctl->loop, ctl->watch_fd);
	close(ctl->watch_fd);
	close(ctl->ring_fd);
	free(ctl);
}
