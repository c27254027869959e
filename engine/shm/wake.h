/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sleeping on and waking the publication segment (shm_layout.h `futex`,
 * `waiters`, `futex_sleepers`). The syscalls of the segment code live
 * here and in map.c, so shm.c stays plain memory operations. A reader that sleeps
 * announces it first (its client slot's bit, or the count); the engine makes
 * the wake syscall (5-7 µs of its time, PLATFORM.md §5) only when someone
 * did, so busy-polling readers cost it nothing.
 */
#ifndef TALLY_SHM_WAKE_H
#define TALLY_SHM_WAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "shm/shm.h"

/*
 * Writer: has some reader announced that it sleeps on the futex (W1)? The
 * client area's count (readers without a client slot) or any bit of its
 * futex bitmap, found through its futex_any summary (whose stale
 * bits this clears). No syscall; two loads while nobody sleeps.
 */
bool tally_shm_has_waiters(void *segment);
/* Writer: wake every sleeper if there is one. true when a wake was made. */
bool tally_shm_wake(void *segment);

/* Reader: is an event record waiting at the cursor? No syscall. */
bool tally_shm_pending(const struct tally_shm_reader *r);

/*
 * Reader: sleep until the segment changes, at most timeout_ms (< 0: no
 * limit). Returns at once when an event is already pending. `area` is the
 * reader's client area (its writable mapping). The sleep is announced by
 * client slot `slot`'s futex bit there, which the control thread clears when
 * the client's connection goes, so a reader killed asleep is forgotten;
 * `sharers` counts this process's threads asleep on the slot (the last one
 * takes the bit back). Without a slot (slot >= TALLY_SHM_CLIENTS) it counts
 * itself in the area's `waiters`, which a reader killed asleep leaves
 * counted. 0 when woken or an event is pending, -ETIMEDOUT, -EINTR.
 */
int tally_shm_wait(const struct tally_shm_reader *r, struct tally_shm_clients *area,
		   uint32_t slot, TALLY_SHM_ATOMIC(uint32_t) *sharers, int timeout_ms);

/*
 * Clients asleep in poll() (votequorum_fd_get). A sleeper sets its bit in
 * the client area, then re-checks the log (F2); the engine, after a change
 * is visible and the futex word moved (W1), looks at the bits (F1): one of
 * the two sees the other. The ring is one pwrite(2) of the segment file,
 * which every sleeper's inotify descriptor sees (IN_MODIFY): a wake for
 * all of them at the cost of one syscall, made only when a bit is set and
 * straight from the engine's thread. A crashed sleeper's bit is cleared by
 * the control thread when its connection goes.
 */

/* Engine: does some client sleep on the ring? No syscall (F1). */
bool tally_shm_fd_sleeping(const void *segment);
/* Engine: take every sleeper bit; true if there was one (then ring). */
bool tally_shm_fd_take(void *segment);
/* Engine: ring through `fd`, the clients file opened read-write. 0 or -errno. */
int tally_shm_fd_ring(int fd);
/* Control thread: client slot `slot` is gone; its sleeper bits (poll and futex) go with it. */
void tally_shm_slot_forget(void *segment, uint32_t slot);
/*
 * Control thread: put right what clients may have scribbled over in the
 * sleeper bits and count: clear the bits of every slot not in `used` (a
 * bitmap of the slots handed out) and, if `count_is_own` (no client without
 * a slot is connected, so none can be counted asleep), set the count to
 * `own`, the control server's own share. Garbage in slots in use stays
 * (spurious or missed wake-ups of their clients, nothing worse).
 */
void tally_shm_sweep(void *segment, const uint64_t *used, bool count_is_own, uint32_t own);

/* Reader: a descriptor that becomes readable when the engine rings (inotify
 * on the clients file `shm_fd`), or -errno. Non-blocking, close-on-exec. */
int tally_shm_fd_watch(int shm_fd);
/* Reader: empty the watch descriptor (it stays readable until read). */
void tally_shm_fd_drain(int watch_fd);
/*
 * Reader: announce that client slot `slot` of `area` (the reader's client
 * area, its writable mapping) goes to
 * sleep (F2). true: an event is already pending, so the caller must not
 * wait for the ring.
 */
bool tally_shm_fd_sleep(const struct tally_shm_reader *r, struct tally_shm_clients *area,
			uint32_t slot);

#endif
