/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The publication segment's two files (ctl.h, shm_layout.h), made with the
 * control socket's access rules: the engine's part readable, the client
 * area readable and writable, by exactly the users the socket lets in.
 */
#include "ctl/ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm/map.h"
#include "tally/shm_layout.h"

/*
 * A new file of `size` bytes, mode `mode` for the owner, the same for the
 * first uidgid group if there is one. Its descriptor stays read-write
 * whatever the mode. -1 with a message.
 */
static int make_file(const char *name, const struct tally_ctl_acl *acl, mode_t mode, off_t size,
		     char *err, size_t errlen)
{
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(err, errlen, "segment %s: %s", name, strerror(errno));
		return -1;
	}
	if (ftruncate(fd, size) != 0 ||
	    (acl->n_gids > 0 && fchown(fd, (uid_t)-1, acl->gids[0]) != 0) ||
	    fchmod(fd, acl->n_gids > 0 ? mode | (mode >> 3) : mode) != 0) {
		snprintf(err, errlen, "segment %s: %s", name, strerror(errno));
		close(fd);
		shm_unlink(name);
		return -1;
	}
	return fd;
}

/*
 * A client allowed to write the client area can also ftruncate(2) its
 * file, and the next touch of a page past the new end raises SIGBUS in
 * whoever touches it: the engine's wake-up check, the control thread's
 * sweep. A client must not be able to kill the daemon, so a SIGBUS inside
 * a guarded client area gives the file its size back (the lost pages come
 * back zeroed: sleeper bits and slot words, which their clients write again
 * on their next sleep, and a truncation is an inotify IN_MODIFY that wakes
 * every poll() sleeper anyway), is counted, and the access resumes. Any
 * other SIGBUS goes where it went before.
 */
#define GUARDS 8	/* segments of one process at once (tests run a few) */

struct guard {
	_Atomic uintptr_t lo;	/**< the client area's first byte; 0: slot free */
	uintptr_t hi;
	int fd;			/**< the clients file, read-write */
};

static struct guard guards[GUARDS];
static struct sigaction bus_before;
static atomic_uint_fast64_t restores;
static pthread_once_t bus_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t guards_lock = PTHREAD_MUTEX_INITIALIZER;	/* writers only */

/* The client area's file `fd` back to `size` if it is shorter. Async-signal-safe. */
static bool restore_size(int fd, off_t size)
{
	struct stat st;

	if (fstat(fd, &st) != 0 || st.st_size >= size || ftruncate(fd, size) != 0)
		return false;
	atomic_fetch_add_explicit(&restores, 1, memory_order_relaxed);
	return true;
}

/* Ours: a fault (not a sent signal) past the end of a guarded area's file, now short. */
static bool repaired(const siginfo_t *si)
{
	uintptr_t a = (uintptr_t)si->si_addr;

	if (si->si_code != BUS_ADRERR)	/* kill(2), sigqueue, memory errors: not a truncation */
		return false;
	for (int i = 0; i < GUARDS; i++) {
		uintptr_t lo = atomic_load_explicit(&guards[i].lo, memory_order_acquire);

		if (lo == 0 || a < lo || a >= guards[i].hi)
			continue;
		/* Full size already: the fault has another cause (a full /dev/shm), which
		 * restoring would not cure; retrying it would loop for ever. */
		return restore_size(guards[i].fd, (off_t)(guards[i].hi - lo));
	}
	return false;
}

bool tally_ctl_segment_repair(int clients_fd)
{
	return restore_size(clients_fd, (off_t)sizeof(struct tally_shm_clients));
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	if (repaired(si)) {
		errno = saved;
		return;	/* the access runs again, on zeroed pages */
	}
	errno = saved;
	if (bus_before.sa_handler == SIG_DFL || bus_before.sa_handler == SIG_IGN) {
		/* What would have happened without us: a fault repeats and is fatal
		 * then, a sent signal is delivered again. */
		signal(SIGBUS, SIG_DFL);
		if (si->si_code <= 0)
			raise(sig);
	} else if (bus_before.sa_flags & SA_SIGINFO) {
		bus_before.sa_sigaction(sig, si, uc);
	} else {
		bus_before.sa_handler(sig);
	}
}

static void install_sigbus(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO | SA_ONSTACK };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &bus_before);
}

/* Guard the client area at `area` (the file `fd`); the guard owns fd. false: no slot free. */
static bool guard_add(void *area, size_t size, int fd)
{
	bool added = false;

	pthread_once(&bus_once, install_sigbus);
	pthread_mutex_lock(&guards_lock);
	for (int i = 0; i < GUARDS && !added; i++) {
		if (atomic_load_explicit(&guards[i].lo, memory_order_relaxed) != 0)
			continue;
		guards[i].hi = (uintptr_t)area + size;
		guards[i].fd = fd;
		atomic_store_explicit(&guards[i].lo, (uintptr_t)area, memory_order_release);
		added = true;
	}
	pthread_mutex_unlock(&guards_lock);
	return added;
}

/* Only once nothing touches the area any more (the handler may still use the fd). */
static void guard_remove(void *area)
{
	pthread_mutex_lock(&guards_lock);
	for (int i = 0; i < GUARDS; i++) {
		if (atomic_load_explicit(&guards[i].lo, memory_order_relaxed) != (uintptr_t)area)
			continue;
		atomic_store_explicit(&guards[i].lo, 0, memory_order_release);
		close(guards[i].fd);
	}
	pthread_mutex_unlock(&guards_lock);
}

uint64_t tally_ctl_segment_restores(void)
{
	return atomic_load_explicit(&restores, memory_order_relaxed);
}

void *tally_ctl_segment_create(const char *name, const struct tally_ctl_acl *acl, size_t size,
			       char *err, size_t errlen)
{
	char clients[NAME_MAX + 1];	/* what shm_open() takes */
	int efd, cfd;
	void *seg;

	if (size != TALLY_SHM_SEGMENT_SIZE ||
	    tally_shm_clients_name(name, clients, sizeof(clients)) != 0) {
		snprintf(err, errlen, "segment %s: %s", name, strerror(EINVAL));
		return NULL;
	}
	/* 0400 (0440): not even the owner's other processes may write it. */
	efd = make_file(name, acl, S_IRUSR, (off_t)TALLY_SHM_ENGINE_SIZE, err, errlen);
	if (efd < 0)
		return NULL;
	cfd = make_file(clients, acl, S_IRUSR | S_IWUSR, (off_t)sizeof(struct tally_shm_clients),
			err, errlen);
	if (cfd < 0) {
		close(efd);
		shm_unlink(name);
		return NULL;
	}
	seg = tally_shm_map(efd, cfd, true);
	if (seg == NULL) {
		snprintf(err, errlen, "segment %s: mmap: %s", name, strerror(errno));
		shm_unlink(name);
		shm_unlink(clients);
	} else if (!guard_add((uint8_t *)seg + TALLY_SHM_CLIENTS_OFFSET,
			      sizeof(struct tally_shm_clients), cfd)) {
		snprintf(err, errlen, "segment %s: more than %d segments in one process", name,
			 GUARDS);
		tally_shm_unmap(seg);
		shm_unlink(name);
		shm_unlink(clients);
		seg = NULL;
	}
	if (seg == NULL)
		close(cfd);
	close(efd);
	return seg;
}

void tally_ctl_segment_destroy(const char *name, void *segment, size_t size)
{
	char clients[NAME_MAX + 1];	/* what shm_open() takes */

	if (segment == NULL || size != TALLY_SHM_SEGMENT_SIZE)
		return;
	guard_remove((uint8_t *)segment + TALLY_SHM_CLIENTS_OFFSET);
	tally_shm_unmap(segment);
	shm_unlink(name);
	if (tally_shm_clients_name(name, clients, sizeof(clients)) == 0)
		shm_unlink(clients);
}
