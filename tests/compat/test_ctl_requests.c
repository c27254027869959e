/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control IPC refuses malformed requests with an error and keeps
 * serving: wrong sizes, unknown ids, names without a terminating NUL,
 * a foreign protocol version, random bytes. A raw libqb client, no library.
 * Also the client area: slots handed out at hello, listed by CLIENTS with
 * what the client reports, the sleeper bit rung on appends and cleared
 * when the client goes; and STATUS read in pages, one generation whole.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <qb/qbipcc.h>

#include "tally/ctl_proto.h"
#include "tally/shm_layout.h"
#include "vq_harness.h"

static qb_ipcc_connection_t *conn;

/* Send `len` bytes of `msg` as they are; the reply's error, or -1 without one. */
static int32_t raw(void *msg, size_t len)
{
	struct tally_ctl_res_hello res;
	struct iovec iov = { msg, len };
	ssize_t n = qb_ipcc_sendv_recv(conn, &iov, 1, &res, sizeof(res), 5000);

	return n >= (ssize_t)sizeof(struct tally_ctl_res) ? res.hdr.error : -1;
}

static void refused_framing(void)
{
	struct tally_ctl_req_setexpected se = { { TALLY_CTL_REQ_SETEXPECTED, sizeof(se) }, 1, 0 };
	uint8_t big[sizeof(se) + 8] = { 0 };
	struct qb_ipc_request_header h = { 0, sizeof(h) };

	se.hdr.size = sizeof(se) - 1;	/* header says one thing, the message another */
	CHECK_EQ(raw(&se, sizeof(se)), CS_ERR_MESSAGE_ERROR);
	se.hdr.size = sizeof(se);
	memcpy(big, &se, sizeof(se));
	((struct qb_ipc_request_header *)big)->size = sizeof(big);
	CHECK_EQ(raw(big, sizeof(big)), CS_ERR_MESSAGE_ERROR);	/* too long for its type */
	CHECK_EQ(raw(&h, sizeof(h)), CS_ERR_MESSAGE_ERROR);	/* id 0 */
	h.id = TALLY_CTL_REQ_COUNT;
	CHECK_EQ(raw(&h, sizeof(h)), CS_ERR_MESSAGE_ERROR);
	h.id = -1;
	CHECK_EQ(raw(&h, sizeof(h)), CS_ERR_MESSAGE_ERROR);
	h.id = TALLY_CTL_REQ_SETEXPECTED;	/* a known id with no body */
	CHECK_EQ(raw(&h, sizeof(h)), CS_ERR_MESSAGE_ERROR);
	CHECK_EQ(raw(&se, sizeof(se)), CS_OK);	/* still serving */
}

static void refused_fields(void)
{
	struct tally_ctl_req_qdevice reg;
	struct tally_ctl_req_qdevice_poll poll;
	struct tally_ctl_req_qdevice_update upd;
	struct tally_ctl_req_hello hello = { { TALLY_CTL_REQ_HELLO, sizeof(hello) }, 99, 0 };

	memset(&reg, 'a', sizeof(reg));	/* no NUL anywhere in the name */
	reg.hdr = (struct qb_ipc_request_header){ TALLY_CTL_REQ_QDEVICE_REGISTER, sizeof(reg) };
	CHECK_EQ(raw(&reg, sizeof(reg)), CS_ERR_INVALID_PARAM);
	memset(&poll, 0, sizeof(poll));	/* an empty name */
	poll.hdr = (struct qb_ipc_request_header){ TALLY_CTL_REQ_QDEVICE_POLL, sizeof(poll) };
	CHECK_EQ(raw(&poll, sizeof(poll)), CS_ERR_INVALID_PARAM);
	memset(&upd, 'b', sizeof(upd));
	upd.hdr = (struct qb_ipc_request_header){ TALLY_CTL_REQ_QDEVICE_UPDATE, sizeof(upd) };
	strcpy(upd.oldname, "x");
	CHECK_EQ(raw(&upd, sizeof(upd)), CS_ERR_INVALID_PARAM);
	CHECK_EQ(raw(&hello, sizeof(hello)), CS_ERR_VERSION);
	hello.version = TALLY_CTL_PROTO_VERSION;
	CHECK_EQ(raw(&hello, sizeof(hello)), CS_OK);
}

/* Random bytes of random lengths: every one answered, nothing accepted. */
static void random_requests_are_answered(void)
{
	uint8_t buf[600];

	srand(7);
	for (int i = 0; i < 2000; i++) {
		size_t len = sizeof(struct qb_ipc_request_header) + (size_t)rand() % 580;
		struct qb_ipc_request_header *h = (void *)buf;
		int32_t rc;

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rand();
		if (i % 2)
			h->size = (int32_t)len;	/* half with a consistent size field */
		rc = raw(buf, len);
		if (rc != CS_ERR_MESSAGE_ERROR && rc != CS_ERR_INVALID_PARAM) {
			fprintf(stderr, "request %d (id %d, %zu bytes) got %d\n", i, h->id, len, rc);
			CHECK(!"a random request was not refused");
			break;
		}
	}
}

static char service[TALLY_CTL_SERVICE_MAX];

/* CLIENTS from `first` on, over `c`, into buf (TALLY_CTL_MSG_MAX bytes). */
static struct tally_ctl_res_clients *list_clients(qb_ipcc_connection_t *c, uint32_t first,
						  void *buf)
{
	struct tally_ctl_req_clients rq = { { TALLY_CTL_REQ_CLIENTS, sizeof(rq) }, first, 0 };
	struct tally_ctl_res_clients *res = buf;
	ssize_t n = qb_ipcc_sendv_recv(c, &(struct iovec){ &rq, sizeof(rq) }, 1, buf,
				       TALLY_CTL_MSG_MAX, 5000);

	CHECK(n >= (ssize_t)sizeof(*res));
	if (n < (ssize_t)sizeof(*res))
		return NULL;
	CHECK_EQ(res->hdr.error, CS_OK);
	CHECK_EQ((size_t)n, sizeof(*res) + res->count * sizeof(res->client[0]));
	return res;
}

/* The record of client slot `slot` (0-based) in a CLIENTS reply, or NULL. */
static const struct tally_ctl_client_info *find_slot(const struct tally_ctl_res_clients *res,
						     uint32_t slot)
{
	for (uint32_t i = 0; res != NULL && i < res->count; i++)
		if (res->client[i].slot == slot + 1)
			return &res->client[i];
	return NULL;
}

static bool readable_within(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, ms) == 1;
}

static void clients_are_listed_rung_and_forgotten(void)
{
	struct tally_ctl_req_hello hello = { { TALLY_CTL_REQ_HELLO, sizeof(hello) },
					     TALLY_CTL_PROTO_VERSION, 0 };
	struct tally_ctl_req_setexpected se = { { TALLY_CTL_REQ_SETEXPECTED, sizeof(se) }, 1, 0 };
	struct tally_ctl_res_hello hr;
	uint64_t buf[TALLY_CTL_MSG_MAX / 8], ev[64];
	char path[128];
	qb_ipcc_connection_t *c2 = qb_ipcc_connect(service, TALLY_CTL_MSG_MAX);
	const struct tally_ctl_client_info *ci;
	struct tally_ctl_res_clients *res;
	struct tally_shm_clients *area;
	struct tally_shm_header *h;
	uint32_t slot;
	int fd, in;

	CHECK(c2 != NULL);
	if (c2 == NULL)
		return;
	CHECK_EQ(qb_ipcc_sendv_recv(c2, &(struct iovec){ &hello, sizeof(hello) }, 1, &hr,
				    sizeof(hr), 5000), (ssize_t)sizeof(hr));
	CHECK(hr.client_slot > 0 && hr.client_slot <= TALLY_SHM_CLIENTS);
	slot = hr.client_slot - 1;
	/* the engine's part read-only, the client area read-write, as the library */
	fd = shm_open(hr.shm_name, O_RDONLY, 0);
	CHECK(fd >= 0);
	h = mmap(NULL, sizeof(*h), PROT_READ, MAP_SHARED, fd, 0);
	CHECK(h != MAP_FAILED);
	close(fd);
	snprintf(path, sizeof(path), "%s%s", hr.shm_name, TALLY_SHM_CLIENTS_SUFFIX);
	fd = shm_open(path, O_RDWR, 0);
	CHECK(fd >= 0);
	area = mmap(NULL, sizeof(*area), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(area != MAP_FAILED);

	/* Listed with our pid and uid; what the slot says is reported as such. */
	res = list_clients(c2, 0, buf);
	ci = find_slot(res, slot);
	CHECK(ci != NULL);
	CHECK(res != NULL && res->total >= 2);	/* conn and c2 */
	if (ci != NULL) {
		CHECK_EQ(ci->pid, (int32_t)getpid());
		CHECK_EQ(ci->uid, (uint32_t)getuid());
		CHECK_EQ(ci->flags, TALLY_CTL_CLIENT_HELLO | TALLY_CTL_CLIENT_SLOT);
		CHECK_EQ(ci->lag, res->head_seq);	/* a fresh slot has read nothing */
	}
	CHECK(res->head_seq > 0);	/* the fixture installed a view */
	area->slot[slot].cursor_seq = res->head_seq - 1;
	area->slot[slot].cursor = atomic_load(&h->ev_head) - TALLY_SHM_EVENT_RING - 8;
	area->slot[slot].flags = TALLY_SHM_CLIENT_TRACKING | TALLY_SHM_CLIENT_FD;
	area->slot[slot].resyncs = 3;
	area->sleepers[slot / 64] |= 1ull << (slot % 64);
	res = list_clients(c2, 0, buf);
	ci = find_slot(res, slot);
	CHECK(ci != NULL);
	if (ci != NULL) {
		CHECK_EQ(ci->flags, TALLY_CTL_CLIENT_HELLO | TALLY_CTL_CLIENT_SLOT |
					    TALLY_CTL_CLIENT_TRACKING | TALLY_CTL_CLIENT_FD |
					    TALLY_CTL_CLIENT_LAPPED | TALLY_CTL_CLIENT_SLEEPING);
		CHECK_EQ(ci->lag, 1);
		CHECK_EQ(ci->resyncs, 3);
	}
	/* Paging: from past the end, nothing. */
	res = list_clients(c2, 1000000, buf);
	CHECK(res != NULL && res->count == 0);

	/* An append rings the sleepers (inotify on the clients file) and takes the bit ... */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	in = inotify_init1(IN_NONBLOCK);
	CHECK(inotify_add_watch(in, path, IN_MODIFY) >= 0);
	CHECK_EQ(raw(&se, sizeof(se)), CS_OK);
	CHECK(readable_within(in, 2000));
	CHECK_EQ(area->sleepers[slot / 64] & (1ull << (slot % 64)), 0);
	while (read(in, ev, sizeof(ev)) > 0)
		;
	/* ... and without a sleeper nobody rings. */
	CHECK_EQ(raw(&se, sizeof(se)), CS_OK);
	CHECK(!readable_within(in, 200));

	/* A client that goes asleep costs nothing: its bit and slot go with it. */
	area->sleepers[slot / 64] |= 1ull << (slot % 64);
	qb_ipcc_disconnect(c2);
	for (int i = 0; i < 200 && (area->sleepers[slot / 64] & (1ull << (slot % 64))); i++)
		usleep(10000);
	CHECK_EQ(area->sleepers[slot / 64] & (1ull << (slot % 64)), 0);
	CHECK(find_slot(list_clients(conn, 0, buf), slot) == NULL);
	close(in);
	munmap(area, sizeof(*area));
	munmap(h, sizeof(*h));
	close(fd);
}

/* The fallback for a client without a slot: WATCH, answered by one wake event. */
static void watch_gets_one_wake_event(void)
{
	struct tally_ctl_req_setexpected se = { { TALLY_CTL_REQ_SETEXPECTED, sizeof(se) }, 1, 0 };
	struct tally_ctl_req_watch w = { { TALLY_CTL_REQ_WATCH, sizeof(w) }, 0 };
	uint64_t buf[TALLY_CTL_MSG_MAX / 8];
	struct tally_ctl_res_clients *res = list_clients(conn, 0, buf);
	struct tally_ctl_ev_wake ev;

	CHECK(res != NULL);
	if (res == NULL)
		return;
	while (qb_ipcc_event_recv(conn, &ev, sizeof(ev), 0) > 0)
		;	/* nothing left from earlier */
	w.seq = res->head_seq - 1;	/* the log is past that already: wake at once */
	CHECK_EQ(raw(&w, sizeof(w)), CS_OK);
	CHECK_EQ(qb_ipcc_event_recv(conn, &ev, sizeof(ev), 2000), (ssize_t)sizeof(ev));
	CHECK_EQ(ev.hdr.id, TALLY_CTL_EV_WAKE);
	w.seq = list_clients(conn, 0, buf)->head_seq;	/* now: wake on the next event */
	CHECK_EQ(raw(&w, sizeof(w)), CS_OK);
	CHECK(qb_ipcc_event_recv(conn, &ev, sizeof(ev), 100) < 0);
	CHECK_EQ(raw(&se, sizeof(se)), CS_OK);
	CHECK_EQ(qb_ipcc_event_recv(conn, &ev, sizeof(ev), 2000), (ssize_t)sizeof(ev));
	/* one per watch */
	CHECK_EQ(raw(&se, sizeof(se)), CS_OK);
	CHECK(qb_ipcc_event_recv(conn, &ev, sizeof(ev), 200) < 0);
}

#define BIG_NODES 400

/* A nodelist long enough that the host's STATUS (its configuration) takes pages. */
static char *big_conf(void)
{
	size_t len = 256 + BIG_NODES * 64, off = 0;
	char *s = malloc(len);

	CHECK(s != NULL);
	off += (size_t)snprintf(s + off, len - off, "totem {\n cluster_name: big\n}\nnodelist {\n");
	for (int i = 1; i <= BIG_NODES; i++)
		off += (size_t)snprintf(s + off, len - off,
					" node {\n  nodeid: %d\n  name: a-node-called-%d\n }\n", i, i);
	snprintf(s + off, len - off, "}\nquorum {\n provider: corosync_votequorum\n}\n");
	return s;
}

/* One STATUS page: its error; res holds the reply. */
static int32_t status_page(qb_ipcc_connection_t *c, uint64_t gen, uint32_t offset,
			   struct tally_ctl_res_status *res)
{
	struct tally_ctl_req_status rq = { { TALLY_CTL_REQ_STATUS, sizeof(rq) }, gen, offset, 0 };
	ssize_t n = qb_ipcc_sendv_recv(c, &(struct iovec){ &rq, sizeof(rq) }, 1, res,
				       TALLY_CTL_MSG_MAX, 5000);

	if (n < (ssize_t)sizeof(res->hdr))
		return -1;
	if (res->hdr.error == CS_OK)
		CHECK_EQ(n, (ssize_t)(sizeof(*res) + strlen(res->text) + 1));
	return res->hdr.error;
}

static void status_comes_in_pages(void)
{
	char *conf = big_conf();
	pid_t big = host_start(conf);
	char svc[TALLY_CTL_SERVICE_MAX], want[96];
	struct tally_ctl_res_status *res = malloc(TALLY_CTL_MSG_MAX);
	qb_ipcc_connection_t *c;
	uint32_t off = 0, total, pages = 0;
	uint64_t gen;
	char *text;

	CHECK_EQ(tally_ctl_service_name(getenv(TALLY_CTL_INSTANCE_ENV), svc, sizeof(svc)), 0);
	c = qb_ipcc_connect(svc, TALLY_CTL_MSG_MAX);
	CHECK(c != NULL && res != NULL);
	if (c == NULL || res == NULL) {
		free(res);
		free(conf);
		host_stop(big);
		return;
	}
	CHECK_EQ(status_page(c, 0, 0, res), CS_OK);
	gen = res->generation;
	total = res->total;
	CHECK(total > 2 * TALLY_CTL_STATUS_MAX);	/* at least three pages */
	text = calloc(1, total + 1);
	CHECK(text != NULL);
	/* page by page: each starts where the last ended, all of one generation */
	for (int32_t rc = CS_OK; text != NULL && rc == CS_OK; rc = status_page(c, gen, off, res)) {
		size_t n = strlen(res->text);

		CHECK_EQ(res->generation, gen);
		CHECK_EQ(res->offset, off);
		CHECK_EQ(res->total, total);
		CHECK(n > 0 && off + n <= total);
		memcpy(text + off, res->text, n);
		off += (uint32_t)n;
		pages++;
		if (off == total)
			break;
	}
	CHECK_EQ(off, total);
	CHECK(pages >= 3);
	snprintf(want, sizeof(want), "\nnodelist.node.%d.name: a-node-called-%d\n", BIG_NODES - 1,
		 BIG_NODES);
	CHECK(text != NULL && strstr(text, want) != NULL);	/* the last node, whole */
	CHECK(text != NULL && text[total - 1] == '\n');
	/* read to the end: that copy is gone, a later page asks to start again */
	CHECK_EQ(status_page(c, gen, 1, res), CS_ERR_TRY_AGAIN);
	/* a new read replaces the old one: its generation's pages are refused */
	CHECK_EQ(status_page(c, 0, 0, res), CS_OK);
	CHECK(res->generation != gen);
	CHECK_EQ(status_page(c, gen, TALLY_CTL_STATUS_MAX - 1, res), CS_ERR_TRY_AGAIN);
	CHECK_EQ(status_page(c, 0, 0, res), CS_OK);
	gen = res->generation;
	CHECK_EQ(status_page(c, gen, total + 1, res), CS_ERR_INVALID_PARAM);
	CHECK_EQ(status_page(c, gen, TALLY_CTL_STATUS_MAX - 1, res), CS_OK);	/* still readable */
	qb_ipcc_disconnect(c);
	free(text);
	free(res);
	free(conf);
	host_stop(big);
}

int main(void)
{
	pid_t host = host_start(ONE_NODE_CONF);

	CHECK_EQ(tally_ctl_service_name(getenv(TALLY_CTL_INSTANCE_ENV), service, sizeof(service)), 0);
	CHECK_EQ(tally_ctl_service_name("a.b", service, sizeof(service)), -EINVAL);
	CHECK_EQ(tally_ctl_service_name("x", service, 4), -EINVAL);
	CHECK_EQ(tally_ctl_service_name(getenv(TALLY_CTL_INSTANCE_ENV), service, sizeof(service)), 0);
	conn = qb_ipcc_connect(service, TALLY_CTL_MSG_MAX);
	CHECK(conn != NULL);
	if (conn != NULL) {
		RUN(refused_framing);
		RUN(refused_fields);
		RUN(random_requests_are_answered);
		RUN(clients_are_listed_rung_and_forgotten);
		RUN(watch_gets_one_wake_event);
		qb_ipcc_disconnect(conn);
	}
	host_stop(host);
	RUN(status_comes_in_pages);
	return CHECK_EXIT();
}
