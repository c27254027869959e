/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control IPC between libvotequorum and an engine (libqb IPC, the role
 * corosync's ipc_votequorum.h plays). Read-only calls do not come here: the
 * library reads getinfo and notifications from the shared-memory segment
 * (tally/shm_layout.h). Requests are fixed-size structs; the engine refuses
 * any request whose size is not exactly that of its type.
 *
 * Service name: "tally-votequorum", or "tally-votequorum.<instance>" when
 * the environment variable TALLY_INSTANCE is set (letters, digits, '-',
 * '_', at most TALLY_CTL_INSTANCE_MAX characters), so several engines can run
 * on one host. libqb's sockets are abstract, so each network namespace
 * has its own names anyway.
 */
#ifndef TALLY_CTL_PROTO_H
#define TALLY_CTL_PROTO_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qb/qbipc_common.h>

#include <corosync/votequorum.h>

#define TALLY_CTL_SERVICE "tally-votequorum"
#define TALLY_CTL_INSTANCE_ENV "TALLY_INSTANCE"
#define TALLY_CTL_INSTANCE_MAX 32
#define TALLY_CTL_SERVICE_MAX (sizeof(TALLY_CTL_SERVICE) + 1 + TALLY_CTL_INSTANCE_MAX)
#define TALLY_CTL_PROTO_VERSION 1u
#define TALLY_CTL_SHM_NAME_MAX 64u
/* libqb buffer size of a connection: the largest message with room to spare. */
#define TALLY_CTL_MSG_MAX 4096u

enum tally_ctl_req_id {
	TALLY_CTL_REQ_HELLO = 1,
	TALLY_CTL_REQ_SETEXPECTED,
	TALLY_CTL_REQ_SETVOTES,
	TALLY_CTL_REQ_QDEVICE_REGISTER,
	TALLY_CTL_REQ_QDEVICE_UNREGISTER,
	TALLY_CTL_REQ_QDEVICE_UPDATE,
	TALLY_CTL_REQ_QDEVICE_POLL,
	TALLY_CTL_REQ_QDEVICE_MASTER_WINS,
	TALLY_CTL_REQ_WATCH,
	TALLY_CTL_REQ_STATUS,
	TALLY_CTL_REQ_CLIENTS,
	TALLY_CTL_REQ_COUNT,
};

/* The only event the engine sends: "the event log moved past your watch". */
#define TALLY_CTL_EV_WAKE 1

/* Every reply is at least this; `hdr.error` carries a cs_error_t. */
struct tally_ctl_res {
	struct qb_ipc_response_header hdr;
};

struct tally_ctl_req_hello {
	struct qb_ipc_request_header hdr;
	uint32_t version;	/**< TALLY_CTL_PROTO_VERSION */
	uint32_t reserved;
};

struct tally_ctl_res_hello {
	struct qb_ipc_response_header hdr;
	uint32_t version;
	uint32_t client_slot;	/**< this connection's slot in the segment's client area + 1; 0: none */
	uint64_t engine_incarnation;	/**< must equal the segment header's */
	uint64_t segment_size;
	char shm_name[TALLY_CTL_SHM_NAME_MAX];	/**< for shm_open(), NUL-terminated */
};

struct tally_ctl_req_setexpected {
	struct qb_ipc_request_header hdr;
	uint32_t expected_votes;
	uint32_t reserved;
};

struct tally_ctl_req_setvotes {
	struct qb_ipc_request_header hdr;
	uint32_t nodeid;
	uint32_t votes;
};

/* register and unregister */
struct tally_ctl_req_qdevice {
	struct qb_ipc_request_header hdr;
	char name[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
	uint8_t pad[1];
};

struct tally_ctl_req_qdevice_update {
	struct qb_ipc_request_header hdr;
	char oldname[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
	char newname[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
	uint8_t pad[2];
};

struct tally_ctl_req_qdevice_poll {
	struct qb_ipc_request_header hdr;
	char name[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
	uint8_t pad[1];
	uint32_t cast_vote;
	uint32_t ring_nodeid;
	uint64_t ring_seq;
};

struct tally_ctl_req_qdevice_master_wins {
	struct qb_ipc_request_header hdr;
	char name[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
	uint8_t pad[1];
	uint32_t allow;
	uint32_t reserved;
};

/*
 * Send one TALLY_CTL_EV_WAKE event as soon as the log's newest seq exceeds
 * `seq` (at once if it already does); then the watch is over until renewed.
 */
struct tally_ctl_req_watch {
	struct qb_ipc_request_header hdr;
	uint64_t seq;
};

/*
 * The engine's counters and state as "key: value" lines, for tools, in pages
 * (a thousand peers do not fit one message). Offset 0 takes a fresh copy of
 * the whole text for this connection, a new generation; the later pages come
 * from that copy, so a reader sees one text however many pages it takes. A
 * page of another generation gets CS_ERR_TRY_AGAIN: start again at 0.
 */
struct tally_ctl_req_status {
	struct qb_ipc_request_header hdr;
	uint64_t generation;	/**< from the reply to offset 0; unused for offset 0 */
	uint32_t offset;	/**< byte offset into the text */
	uint32_t reserved;	/**< 0 */
};

#define TALLY_CTL_STATUS_TEXT_MAX (2u << 20)	/* the whole text, bytes */

struct tally_ctl_res_status {
	struct qb_ipc_response_header hdr;
	uint64_t generation;
	uint32_t offset;	/**< where this page starts in the text */
	uint32_t total;		/**< the text's length */
	char text[];		/**< hdr.size - offsetof(text) bytes, NUL-terminated */
};

#define TALLY_CTL_STATUS_MAX (TALLY_CTL_MSG_MAX - sizeof(struct tally_ctl_res_status))

/* The connected libvotequorum clients, from the `first`-th on (tally-stat). */
struct tally_ctl_req_clients {
	struct qb_ipc_request_header hdr;
	uint32_t first;
	uint32_t reserved;
};

/* Client flags: the library's own report (TALLY_SHM_CLIENT_*) and the engine's. */
#define TALLY_CTL_CLIENT_TRACKING 1u	/**< reported: a CHANGES tracker */
#define TALLY_CTL_CLIENT_FD 2u		/**< reported: uses votequorum_fd_get */
#define TALLY_CTL_CLIENT_HELLO 0x100u	/**< said hello (a library, not a tool) */
#define TALLY_CTL_CLIENT_SLOT 0x200u	/**< has a slot: cursor and resyncs are known */
#define TALLY_CTL_CLIENT_LAPPED 0x400u	/**< its cursor is a whole ring behind the head now */
#define TALLY_CTL_CLIENT_WATCH 0x800u	/**< waits for a wake event (WATCH) */
#define TALLY_CTL_CLIENT_SLEEPING 0x1000u	/**< asleep in poll() on the ring */

struct tally_ctl_client_info {
	int32_t pid;
	uint32_t uid;
	uint32_t gid;
	uint32_t flags;		/**< TALLY_CTL_CLIENT_* */
	uint64_t cursor_seq;	/**< seq of the last event it read */
	uint64_t lag;		/**< events between that and the log's newest */
	uint32_t resyncs;	/**< times it was lapped and resynchronised */
	uint32_t slot;		/**< its client slot + 1; 0: none */
};

struct tally_ctl_res_clients {
	struct qb_ipc_response_header hdr;
	uint32_t total;		/**< connections now */
	uint32_t count;		/**< records below */
	uint64_t head_seq;	/**< the log's newest seq */
	struct tally_ctl_client_info client[];
};

#define TALLY_CTL_CLIENTS_PER_REPLY \
	((TALLY_CTL_MSG_MAX - sizeof(struct tally_ctl_res_clients)) / \
	 sizeof(struct tally_ctl_client_info))

struct tally_ctl_ev_wake {
	struct qb_ipc_response_header hdr;
};

#ifndef __cplusplus
_Static_assert(sizeof(struct qb_ipc_request_header) == 16, "libqb request header");
_Static_assert(sizeof(struct qb_ipc_response_header) == 24, "libqb response header");
_Static_assert(sizeof(struct tally_ctl_res_hello) == 24 + 24 + TALLY_CTL_SHM_NAME_MAX, "hello");
_Static_assert(sizeof(struct tally_ctl_req_qdevice) == 16 + 256, "qdevice request");
_Static_assert(sizeof(struct tally_ctl_req_qdevice_update) == 16 + 512, "update request");
_Static_assert(sizeof(struct tally_ctl_req_qdevice_poll) == 16 + 256 + 16, "poll request");
_Static_assert(sizeof(struct tally_ctl_req_qdevice_master_wins) == 16 + 256 + 8, "mw request");
_Static_assert(sizeof(struct tally_ctl_req_qdevice_update) < TALLY_CTL_MSG_MAX, "buffer size");
_Static_assert(sizeof(struct tally_ctl_client_info) == 40, "client record");
_Static_assert(sizeof(struct tally_ctl_res_clients) == 24 + 16, "clients reply");
#endif

/*
 * The service name for `instance` (NULL or "": the default). 0, or -EINVAL
 * when the instance name is too long or has other characters.
 */
static inline int tally_ctl_service_name(const char *instance, char *buf, size_t len)
{
	size_t n = instance != NULL ? strlen(instance) : 0;

	if (n > TALLY_CTL_INSTANCE_MAX || len < TALLY_CTL_SERVICE_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = instance[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return -EINVAL;
	}
	if (n == 0)
		snprintf(buf, len, "%s", TALLY_CTL_SERVICE);
	else
		snprintf(buf, len, "%s.%s", TALLY_CTL_SERVICE, instance);
	return 0;
}

#endif
