/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Futex wake-ups on the segment (wake.h). The pairing with the writer:
 *   W1 writer: change visible, futex word += 1 (seq_cst), then load waiters (seq_cst)
 *   W2 reader: waiters += 1 (seq_cst), load the word (seq_cst), re-check for events
 * Either the writer sees the waiter and wakes it, or the reader sees the
 * change (or a moved word, which makes FUTEX_WAIT return at once).
 */
#include "shm/wake.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long futex(TALLY_SHM_ATOMIC(uint32_t) *word, int op, uint32_t val,
		  const struct timespec *timeout)
{
	/* FUTEX_*_PRIVATE would not reach waiters in other processes. */
	return syscall(SYS_futex, (uint32_t *)word, op, val, timeout, NULL, 0);
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

int tally_shm_wait(const struct tally_shm_reader *r, int timeout_ms)
{
	struct tally_shm_header *h = (struct tally_shm_header *)r->hdr;
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
	uint32_t word;
	int rc = 0;

	atomic_fetch_add_explicit(&h->waiters, 1, memory_order_seq_cst);	/* W2 */
	word = atomic_load_explicit(&h->futex, memory_order_seq_cst);
	if (!tally_shm_pending(r) &&
	    futex(&h->futex, FUTEX_WAIT, word, timeout_ms < 0 ? NULL : &ts) != 0) {
		if (errno == ETIMEDOUT || errno == EINTR)
			rc = -errno;
		/* EAGAIN: the word moved before we slept, i.e. something changed */
	}
	atomic_fetch_sub_explicit(&h->waiters, 1, memory_order_seq_cst);
	return rc;
}
