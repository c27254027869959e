/* SPDX-License-Identifier: BSD-3-Clause */
/* The publication segment's file (ctl.h): made with the control socket's access rules. */
#include "ctl/ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void *tally_ctl_segment_create(const char *name, const struct tally_ctl_acl *acl, size_t size,
			       char *err, size_t errlen)
{
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	void *seg;

	if (fd < 0) {
		snprintf(err, errlen, "segment %s: %s", name, strerror(errno));
		return NULL;
	}
	/* Readers need read-write (the waiter count): 0660 for the first uidgid group. */
	if ((acl->n_gids > 0 && (fchown(fd, (uid_t)-1, acl->gids[0]) != 0 || fchmod(fd, 0660))) ||
	    ftruncate(fd, (off_t)size) != 0) {
		snprintf(err, errlen, "segment %s: %s", name, strerror(errno));
		close(fd);
		shm_unlink(name);
		return NULL;
	}
	seg = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (seg == MAP_FAILED) {
		snprintf(err, errlen, "segment %s: mmap: %s", name, strerror(errno));
		shm_unlink(name);
		return NULL;
	}
	return seg;
}

void tally_ctl_segment_destroy(const char *name, void *segment, size_t size)
{
	if (segment == NULL)
		return;
	munmap(segment, size);
	shm_unlink(name);
}
