/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Futex wake-ups on the segment (wake.h). The pairing with the writer:
 *   W1 writer: change visible, futex word += 1 (seq_cst), then load the
 *      count and the futex bitmap (seq_cst loads)
 *   W2 reader: its slot's bit |= and its word's futex_any bit |= (or
 *      count += 1) (seq_cst), load the word (seq_cst), re-check for events
 * All of these are in one total order: either the writer's loads come after
 * the announcement and it wakes, or they come before it, so the bump came
 * before the reader's load of the word and the reader sees the change (or a
 * moved word, which makes FUTEX_WAIT return at once). A reader takes its
 * announcement back only after its sleep, and the control thread clears a
 * slot's bit (tally_shm_slot_forget, tally_shm_sweep) only once the slot is
 * no longer handed out, and resets the count only while no slotless client
 * is connected: an announcement is never taken from under a live sleeper,
 * so W2 holds for every one. Two exceptions put it right themselves: a
 * summary bit of futex_any is cleared only by whoever then looks at that
 * word again (tally_shm_has_waiters), and the last of several threads
 * sleeping on one slot that clears the bit re-announces and wakes if
 * another came meanwhile (retract).
 */
#include "shm/wake.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long futex(TALLY_SHM_ATOMIC(uint32_t) *word, int op, uint32_t val,
		  const struct timespec *timeout)
{
	/* FUTEX_*_PRIVATE would not reach waiters in other processes. */
	return syscall(SYS_futex, (uint32_t *)word, op, val, timeout, NULL, 0);
}

/* The engine's own address of the client area: layout constants, not the header. */
static struct tally_shm_clients *writer_clients(const void *segment)
{
	return (struct tally_shm_clients *)((uint8_t *)segment + TALLY_SHM_CLIENTS_OFFSET);
}

bool tally_shm_has_waiters(void *segment)
{
	struct tally_shm_clients *c = writer_clients(segment);
	uint64_t any;

	/* seq_cst loads (plain loads on x86): W1 needs them after the bump */
	if (atomic_load_explicit(&c->waiters, memory_order_seq_cst) != 0)
		return true;
	any = atomic_load_explicit(&c->futex_any, memory_order_seq_cst);
	while (any != 0) {
		uint32_t j = (uint32_t)__builtin_ctzll(any);
		uint64_t bit = 1ull << j;

		any &= any - 1;
		if (atomic_load_explicit(&c->futex_sleepers[j], memory_order_seq_cst) != 0)
			return true;
		/*
		 * Its sleepers woke or went. Clear, then look again: a sleeper
		 * that set its bit in word j before this second load is seen
		 * here, one that set it after sets futex_any after the clear.
		 */
		atomic_fetch_and_explicit(&c->futex_any, ~bit, memory_order_seq_cst);
		if (atomic_load_explicit(&c->futex_sleepers[j], memory_order_seq_cst) != 0) {
			atomic_fetch_or_explicit(&c->futex_any, bit, memory_order_seq_cst);
			return true;
		}
	}
	return false;
}

bool tally_shm_wake(void *segment)
{
	struct tally_shm_header *h = segment;

	if (!tally_shm_has_waiters(segment))	/* W1 */
		return false;
	futex(&h->futex, FUTEX_WAKE, INT_MAX, NULL);
	return true;
}

bool tally_shm_pending(const struct tally_shm_reader *r)
{
	struct tally_shm_header *h = (struct tally_shm_header *)r->hdr;

	return atomic_load_explicit(&h->ev_tail, memory_order_acquire) != r->cursor;
}

/* W2 for a reader with a slot: its bit, then its word's summary bit. */
static void announce(struct tally_shm_clients *area, uint32_t slot)
{
	atomic_fetch_or_explicit(&area->futex_sleepers[slot / 64], 1ull << (slot % 64),
				 memory_order_seq_cst);
	atomic_fetch_or_explicit(&area->futex_any, 1ull << (slot / 64), memory_order_seq_cst);
}

/*
 * The last sleeper of a slot takes its bit back. A thread of the same
 * process that announced meanwhile may have lost its bit to the clear: put
 * it back and wake, in case the engine looked in between (a sleeper that
 * was not asleep yet then finds the futex word moved or the change there).
 */
static void retract(struct tally_shm_header *h, struct tally_shm_clients *area, uint32_t slot,
		    TALLY_SHM_ATOMIC(uint32_t) *sharers)
{
	if (atomic_fetch_sub_explicit(sharers, 1, memory_order_seq_cst) != 1)
		return;
	atomic_fetch_and_explicit(&area->futex_sleepers[slot / 64], ~(1ull << (slot % 64)),
				  memory_order_seq_cst);
	if (atomic_load_explicit(sharers, memory_order_seq_cst) != 0) {
		announce(area, slot);
		futex(&h->futex, FUTEX_WAKE, INT_MAX, NULL);
	}
}

int tally_shm_wait(const struct tally_shm_reader *r, struct tally_shm_clients *area,
		   uint32_t slot, TALLY_SHM_ATOMIC(uint32_t) *sharers, int timeout_ms)
{
	struct tally_shm_header *h = (struct tally_shm_header *)r->hdr;
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
	bool own = slot < TALLY_SHM_CLIENTS;
	uint32_t word;
	int rc = 0;

	if (own) {
		atomic_fetch_add_explicit(sharers, 1, memory_order_seq_cst);
		announce(area, slot);	/* W2 */
	} else {
		atomic_fetch_add_explicit(&area->waiters, 1, memory_order_seq_cst);	/* W2 */
	}
	word = atomic_load_explicit(&h->futex, memory_order_seq_cst);
	if (!tally_shm_pending(r) &&
	    futex(&h->futex, FUTEX_WAIT, word, timeout_ms < 0 ? NULL : &ts) != 0) {
		if (errno == ETIMEDOUT || errno == EINTR)
			rc = -errno;
		/* EAGAIN: the word moved before we slept, i.e. something changed */
	}
	if (own)
		retract(h, area, slot, sharers);
	else
		atomic_fetch_sub_explicit(&area->waiters, 1, memory_order_seq_cst);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The ring: waking clients asleep in poll()                           */

bool tally_shm_fd_sleeping(const void *segment)
{
	struct tally_shm_clients *c = writer_clients(segment);

	atomic_thread_fence(memory_order_seq_cst);	/* F1 */
	for (uint32_t i = 0; i < TALLY_SHM_CLIENTS / 64; i++)
		if (atomic_load_explicit(&c->sleepers[i], memory_order_relaxed) != 0)
			return true;
	return false;
}

bool tally_shm_fd_take(void *segment)
{
	struct tally_shm_clients *c = writer_clients(segment);
	bool any = false;

	atomic_thread_fence(memory_order_seq_cst);	/* F1 */
	for (uint32_t i = 0; i < TALLY_SHM_CLIENTS / 64; i++)
		if (atomic_load_explicit(&c->sleepers[i], memory_order_relaxed) != 0 &&
		    atomic_exchange_explicit(&c->sleepers[i], 0, memory_order_seq_cst) != 0)
			any = true;
	return any;
}

int tally_shm_fd_ring(int fd)
{
	static _Atomic uint64_t rings;
	uint64_t v = atomic_fetch_add_explicit(&rings, 1, memory_order_relaxed);

	/* fd is the clients file: the area starts at its offset 0 */
	if (pwrite(fd, &v, sizeof(v), (off_t)offsetof(struct tally_shm_clients, ring)) !=
	    (ssize_t)sizeof(v))
		return -errno;
	return 0;
}

void tally_shm_slot_forget(void *segment, uint32_t slot)
{
	struct tally_shm_clients *c = writer_clients(segment);
	uint64_t keep = ~(1ull << (slot % 64));

	if (slot >= TALLY_SHM_CLIENTS)
		return;
	atomic_fetch_and_explicit(&c->sleepers[slot / 64], keep, memory_order_seq_cst);
	atomic_fetch_and_explicit(&c->futex_sleepers[slot / 64], keep, memory_order_seq_cst);
}

void tally_shm_sweep(void *segment, const uint64_t *used, bool count_is_own, uint32_t own)
{
	struct tally_shm_clients *c = writer_clients(segment);

	for (uint32_t i = 0; i < TALLY_SHM_CLIENTS / 64; i++) {
		atomic_fetch_and_explicit(&c->sleepers[i], used[i], memory_order_seq_cst);
		atomic_fetch_and_explicit(&c->futex_sleepers[i], used[i], memory_order_seq_cst);
	}
	if (count_is_own)
		atomic_store_explicit(&c->waiters, own, memory_order_seq_cst);
}

int tally_shm_fd_watch(int shm_fd)
{
	char path[64];
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* The descriptor's own file, whatever directory shm_open() uses. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", shm_fd);
	if (inotify_add_watch(fd, path, IN_MODIFY) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void tally_shm_fd_drain(int watch_fd)
{
	/* Room for a few events; IN_MODIFY events of one file merge anyway. */
	uint64_t buf[64];

	while (read(watch_fd, buf, sizeof(buf)) > 0)
		;
}

bool tally_shm_fd_sleep(const struct tally_shm_reader *r, struct tally_shm_clients *area,
			uint32_t slot)
{
	struct tally_shm_header *h = (struct tally_shm_header *)r->hdr;

	if (slot >= TALLY_SHM_CLIENTS)
		return true;	/* cannot sleep on the ring: do not wait for it */
	atomic_fetch_or_explicit(&area->sleepers[slot / 64], 1ull << (slot % 64),
				 memory_order_seq_cst);	/* F2 */
	return atomic_load_explicit(&h->ev_tail, memory_order_seq_cst) != r->cursor;
}
