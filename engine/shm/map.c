/* SPDX-License-Identifier: BSD-3-Clause */
/* The segment's two files at one address (map.h). */
#include "shm/map.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include "tally/shm_layout.h"

int tally_shm_clients_name(const char *name, char *out, size_t len)
{
	int n = snprintf(out, len, "%s%s", name, TALLY_SHM_CLIENTS_SUFFIX);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

void *tally_shm_map(int engine_fd, int clients_fd, bool writable)
{
	/* Reserve the whole range first, then lay both files over it. */
	uint8_t *seg = mmap(NULL, TALLY_SHM_SEGMENT_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
	int prot = PROT_READ | (writable ? PROT_WRITE : 0);

	if (seg == MAP_FAILED)
		return NULL;
	if (mmap(seg, TALLY_SHM_ENGINE_SIZE, prot, MAP_SHARED | MAP_FIXED, engine_fd, 0) ==
		    MAP_FAILED ||
	    mmap(seg + TALLY_SHM_CLIENTS_OFFSET, sizeof(struct tally_shm_clients),
		 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, clients_fd, 0) == MAP_FAILED) {
		int err = errno;

		munmap(seg, TALLY_SHM_SEGMENT_SIZE);
		errno = err;
		return NULL;
	}
	return seg;
}

void tally_shm_unmap(void *segment)
{
	if (segment != NULL)
		munmap(segment, TALLY_SHM_SEGMENT_SIZE);
}
