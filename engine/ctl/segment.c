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
	}
	close(efd);
	close(cfd);
	return seg;
}

void tally_ctl_segment_destroy(const char *name, void *segment, size_t size)
{
	char clients[NAME_MAX + 1];	/* what shm_open() takes */

	if (segment == NULL || size != TALLY_SHM_SEGMENT_SIZE)
		return;
	tally_shm_unmap(segment);
	shm_unlink(name);
	if (tally_shm_clients_name(name, clients, sizeof(clients)) == 0)
		shm_unlink(clients);
}
