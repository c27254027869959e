/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control IPC refuses malformed requests with an error and keeps
 * serving: wrong sizes, unknown ids, names without a terminating NUL,
 * a foreign protocol version, random bytes. A raw libqb client, no library.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <qb/qbipcc.h>

#include "tally/ctl_proto.h"
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

int main(void)
{
	char service[TALLY_CTL_SERVICE_MAX];
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
		qb_ipcc_disconnect(conn);
	}
	host_stop(host);
	return CHECK_EXIT();
}
