/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sleeping on and waking the publication segment (shm_layout.h `futex`,
 * `waiters`). The only syscalls of the segment code live here, so shm.c
 * stays plain memory operations. A reader that sleeps counts itself in
 * `waiters` first; the engine makes the wake syscall (5-7 µs of its time,
 * PLATFORM.md §5) only when that count is non-zero, so busy-polling readers
 * cost it nothing.
 */
#ifndef TALLY_SHM_WAKE_H
#define TALLY_SHM_WAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "shm/shm.h"

/* Writer: wake every sleeper if there is one. true when a wake was made. */
bool tally_shm_wake(void *segment);

/* Reader: is an event record waiting at the cursor? No syscall. */
bool tally_shm_pending(const struct tally_shm_reader *r);

/*
 * Reader: sleep until the segment changes, at most timeout_ms (< 0: no
 * limit). Returns at once when an event is already pending. The header
 * page must be mapped writable (the waiter count). 0 when woken or an event
 * is pending, -ETIMEDOUT, -EINTR.
 */
int tally_shm_wait(const struct tally_shm_reader *r, int timeout_ms);

#endif
