/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine connection: libqb IPC for requests, the mapped segment for
 * everything read-only. The segment is two files (shm_layout.h): the
 * engine's part, opened and mapped read-only, and the client area (our
 * slot, the sleeper bits and count), read-write.
 *
 * votequorum_fd_get returns an epoll descriptor over three sources: an
 * inotify watch on the segment's clients file, which the engine rings (one pwrite)
 * when the log moves while our sleeper bit is set; libqb's event socket,
 * which hangs up when the engine dies (and, for a handle the engine gave no
 * client slot, carries the wake event of a WATCH request instead of the
 * ring); and a local eventfd that is set while the library itself holds
 * queued notifications (trackstart CURRENT, resync). See
 * docs/design/libvotequorum.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib_int.h"
#include "shm/map.h"
#include "shm/wake.h"
#include "tally/ctl_proto.h"

/* The slot the engine gave us (client_slot - 1); none if anything is off. */
static void take_slot(struct vq_inst *inst, uint32_t client_slot)
{
	if (client_slot == 0 || client_slot > TALLY_SHM_CLIENTS)
		return;
	inst->slot_index = client_slot - 1;
	inst->slot = &inst->clients->slot[inst->slot_index];
	vq_conn_report(inst);
}

/* The segment's file `name`, or its clients file; a descriptor or -errno. */
static int open_file(const char *name, bool clients, int flags, uint64_t size)
{
	char path[NAME_MAX + 1];	/* what shm_open() takes */
	struct stat st;
	int fd;

	if (clients && tally_shm_clients_name(name, path, sizeof(path)) != 0)
		return -ENAMETOOLONG;
	fd = shm_open(clients ? path : name, flags | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < size) {
		close(fd);
		return -EPROTO;
	}
	return fd;
}

/*
 * The engine's part read-only from a read-only descriptor (we could not
 * make it writable if we tried), the client area read-write.
 */
static cs_error_t map_segment(struct vq_inst *inst, const struct tally_ctl_res_hello *hello)
{
	char name[TALLY_CTL_SHM_NAME_MAX];
	int efd, cfd;

	memcpy(name, hello->shm_name, sizeof(name));
	name[sizeof(name) - 1] = '\0';
	if (hello->segment_size != TALLY_SHM_SEGMENT_SIZE)
		return CS_ERR_LIBRARY;
	efd = open_file(name, false, O_RDONLY, TALLY_SHM_ENGINE_SIZE);
	if (efd < 0)
		return efd == -EPROTO ? CS_ERR_LIBRARY : tally_errno_to_cs(efd);
	cfd = open_file(name, true, O_RDWR, sizeof(struct tally_shm_clients));
	if (cfd < 0) {
		close(efd);
		return cfd == -EPROTO ? CS_ERR_LIBRARY : tally_errno_to_cs(cfd);
	}
	inst->seg = tally_shm_map(efd, cfd, false);
	close(efd);
	if (inst->seg == NULL) {
		close(cfd);
		return CS_ERR_NO_MEMORY;
	}
	inst->seg_size = TALLY_SHM_SEGMENT_SIZE;
	inst->shm_fd = cfd;	/* the ring's inotify watch */
	inst->clients = (struct tally_shm_clients *)(inst->seg + TALLY_SHM_CLIENTS_OFFSET);
	if (tally_shm_attach(&inst->rd, inst->seg, inst->seg_size) != 0 ||
	    inst->rd.hdr->engine_incarnation != hello->engine_incarnation)
		return CS_ERR_LIBRARY;	/* vq_conn_close unmaps */
	take_slot(inst, hello->client_slot);
	return CS_OK;
}

cs_error_t vq_conn_open(struct vq_inst *inst)
{
	char service[TALLY_CTL_SERVICE_MAX];
	struct tally_ctl_req_hello rq = { { TALLY_CTL_REQ_HELLO, sizeof(rq) },
					  TALLY_CTL_PROTO_VERSION, 0 };
	struct tally_ctl_res_hello res;
	struct iovec iov = { &rq, sizeof(rq) };
	ssize_t n;
	cs_error_t rc;

	inst->epoll_fd = inst->event_fd = inst->local_fd = inst->ring_fd = inst->shm_fd = -1;
	inst->slot_index = TALLY_SHM_CLIENTS;	/* none until the engine gives one */
	if (tally_ctl_service_name(getenv(TALLY_CTL_INSTANCE_ENV), service, sizeof(service)) != 0)
		return CS_ERR_INVALID_PARAM;
	inst->conn = qb_ipcc_connect(service, TALLY_CTL_MSG_MAX);
	if (inst->conn == NULL)
		return tally_errno_to_cs(-errno);
	n = qb_ipcc_sendv_recv(inst->conn, &iov, 1, &res, sizeof(res), CS_IPC_TIMEOUT_MS);
	if (n < 0)
		return tally_errno_to_cs((int)n);
	if ((size_t)n != sizeof(res) || res.hdr.id != TALLY_CTL_REQ_HELLO)
		return CS_ERR_LIBRARY;
	if (res.hdr.error != CS_OK)
		return (cs_error_t)res.hdr.error;
	rc = map_segment(inst, &res);
	if (rc != CS_OK)
		return rc;
	if (qb_ipcc_fd_get(inst->conn, &inst->event_fd) != 0)
		return CS_ERR_LIBRARY;
	return CS_OK;
}

void vq_conn_close(struct vq_inst *inst)
{
	if (inst->epoll_fd >= 0)
		close(inst->epoll_fd);
	if (inst->local_fd >= 0)
		close(inst->local_fd);
	if (inst->ring_fd >= 0)
		close(inst->ring_fd);
	if (inst->shm_fd >= 0)
		close(inst->shm_fd);
	if (inst->conn != NULL)
		qb_ipcc_disconnect(inst->conn);
	tally_shm_unmap(inst->seg);
}

static bool gone(int err)
{
	return err == -ENOTCONN || err == -ECONNRESET || err == -EPIPE || err == -ECONNREFUSED ||
	       err == -ESHUTDOWN;
}

cs_error_t vq_conn_request(struct vq_inst *inst, void *req, size_t size)
{
	struct qb_ipc_request_header *h = req;
	struct tally_ctl_res res;
	struct iovec iov = { req, size };
	ssize_t n;

	if (atomic_load(&inst->dead))
		return CS_ERR_LIBRARY;
	h->size = (int32_t)size;
	pthread_mutex_lock(&inst->req_lock);
	n = qb_ipcc_sendv_recv(inst->conn, &iov, 1, &res, sizeof(res), CS_IPC_TIMEOUT_MS);
	pthread_mutex_unlock(&inst->req_lock);
	if (n < 0) {
		if (gone((int)n) || !qb_ipcc_is_connected(inst->conn))
			atomic_store(&inst->dead, true);
		return atomic_load(&inst->dead) ? CS_ERR_LIBRARY : tally_errno_to_cs((int)n);
	}
	if ((size_t)n != sizeof(res) || res.hdr.id != h->id)
		return CS_ERR_LIBRARY;
	return (cs_error_t)res.hdr.error;
}

bool vq_conn_check(struct vq_inst *inst)
{
	struct tally_ctl_ev_wake ev;
	ssize_t n;

	if (atomic_load(&inst->dead))
		return false;
	/* Wake events carry nothing; reading them is how a hang-up shows. */
	while ((n = qb_ipcc_event_recv(inst->conn, &ev, sizeof(ev), 0)) > 0)
		inst->watch_armed = false;
	if ((n < 0 && n != -EAGAIN && n != -ETIMEDOUT) || !qb_ipcc_is_connected(inst->conn)) {
		atomic_store(&inst->dead, true);
		return false;
	}
	return true;
}

/* Without a slot: ask for a wake event once the log passes what we consumed. */
static cs_error_t watch(struct vq_inst *inst)
{
	struct tally_ctl_req_watch rq = { { TALLY_CTL_REQ_WATCH, sizeof(rq) },
					  inst->rd.next_seq - 1 };
	cs_error_t rc;

	if (inst->watch_armed)
		return CS_OK;
	rc = vq_conn_request(inst, &rq, sizeof(rq));
	inst->watch_armed = rc == CS_OK;
	return rc;
}

cs_error_t vq_conn_arm(struct vq_inst *inst)
{
	if (inst->ring_fd < 0)
		return watch(inst);
	tally_shm_fd_drain(inst->ring_fd);
	vq_conn_local_ready(inst, inst->q_head != NULL);
	/* An event that came after our last look must not wait for a ring. */
	if (tally_shm_fd_sleep(&inst->rd, inst->clients, inst->slot_index))
		vq_conn_local_ready(inst, true);
	return CS_OK;
}

void vq_conn_report(struct vq_inst *inst)
{
	struct tally_shm_client *sl = inst->slot;
	uint32_t flags = (inst->tracking ? TALLY_SHM_CLIENT_TRACKING : 0) |
			 (inst->epoll_fd >= 0 ? TALLY_SHM_CLIENT_FD : 0);

	if (sl == NULL)
		return;
	atomic_store_explicit(&sl->cursor_seq, inst->rd.next_seq - 1, memory_order_relaxed);
	atomic_store_explicit(&sl->cursor, inst->rd.cursor, memory_order_relaxed);
	atomic_store_explicit(&sl->flags, flags, memory_order_relaxed);
	atomic_store_explicit(&sl->resyncs, inst->resyncs, memory_order_relaxed);
}

void vq_conn_local_ready(struct vq_inst *inst, bool ready)
{
	uint64_t v = 1;

	if (inst->local_fd < 0 || inst->local_set == ready)
		return;
	/* An eventfd is a level: set once, cleared by one read. */
	if (ready)
		inst->local_set = write(inst->local_fd, &v, sizeof(v)) == (ssize_t)sizeof(v);
	else
		inst->local_set = read(inst->local_fd, &v, sizeof(v)) != (ssize_t)sizeof(v);
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	ev.data.fd = fd;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Called with inst->lock held. */
cs_error_t vq_conn_fd(struct vq_inst *inst, int *fd)
{
	if (inst->epoll_fd < 0) {
		int ep = epoll_create1(EPOLL_CLOEXEC);
		int local = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		/* No slot or no inotify: the WATCH request instead of the ring. */
		int ring = inst->slot != NULL ? tally_shm_fd_watch(inst->shm_fd) : -1;

		if (ring >= 0 && (ep < 0 || epoll_add(ep, ring) != 0)) {
			close(ring);
			ring = -1;
		}
		if (ep < 0 || local < 0 || epoll_add(ep, inst->event_fd) != 0 ||
		    epoll_add(ep, local) != 0) {
			if (ep >= 0)
				close(ep);
			if (local >= 0)
				close(local);
			if (ring >= 0)
				close(ring);
			return CS_ERR_NO_RESOURCES;
		}
		inst->epoll_fd = ep;
		inst->local_fd = local;
		inst->ring_fd = ring;
		vq_conn_report(inst);
		/* From now on the engine wakes us; anything already unread wakes at once. */
		vq_conn_arm(inst);
	}
	*fd = inst->epoll_fd;
	return CS_OK;
}

void vq_conn_interrupt(struct vq_inst *inst)
{
	if (inst->seg != NULL)
		tally_shm_wake(inst->seg);
}
