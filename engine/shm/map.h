/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mapping the publication segment from its two files (shm_layout.h): the
 * engine's part and the client area, at one address so every offset of the
 * layout holds. The engine maps both writable; a client maps the engine's
 * part from a read-only descriptor, so it cannot write there, even by
 * mprotect().
 */
#ifndef TALLY_SHM_MAP_H
#define TALLY_SHM_MAP_H

#include <stdbool.h>
#include <stddef.h>

/* The client area's file: `name` + TALLY_SHM_CLIENTS_SUFFIX. 0, or -ENAMETOOLONG. */
int tally_shm_clients_name(const char *name, char *out, size_t len);

/*
 * TALLY_SHM_SEGMENT_SIZE bytes: the first TALLY_SHM_ENGINE_SIZE from
 * engine_fd (writable only if `writable`), the client area from clients_fd
 * (read-write). The descriptors may be closed after. NULL with errno set.
 */
void *tally_shm_map(int engine_fd, int clients_fd, bool writable);
void tally_shm_unmap(void *segment);

#endif
