/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The handle database (corosync's hdb idea): a handle is
 * (generation << 32 | index); every reuse of a slot takes a new generation,
 * so a stale handle never reaches the instance that took its slot. Each
 * user holds a counted reference; finalize marks the entry and drops the
 * creation reference, and the instance is destroyed with the last one, so
 * finalize from another thread during dispatch is safe.
 *
 * Lookup is lock-free, so getinfo pays two atomic operations and no lock:
 * an entry's generation, reference count and finalize mark are one 64-bit
 * word changed only by compare-and-swap, and the table never moves (a fixed
 * directory of chunks that are added, never freed). Only creation, which
 * picks a free slot, takes a mutex.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "lib_int.h"

/*
 * state: gen << 32 | refs << 1 | finalizing. 0: free. refs == 0 with a
 * generation: the last reference is gone and the instance is being freed.
 */
#define ST_FIN 1ull
#define ST_REF 2ull
#define ST_REFS(s) ((s) & 0xfffffffeull)
#define ST_GEN(s) ((uint32_t)((s) >> 32))

#define CHUNK 256u	/* entries per chunk */
#define DIR 4096u	/* chunks: at most 1M handles */

struct hdb_entry {
	_Atomic uint64_t state;
	struct vq_inst *inst;	/**< written before state publishes it */
	uint8_t pad[48];	/**< one cache line each: threads on other handles do not share it */
};

_Static_assert(sizeof(struct hdb_entry) == 64, "one entry per cache line");

static pthread_mutex_t create_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hdb_entry *_Atomic dir[DIR];
static uint32_t n_entries;	/* create_lock */
static uint32_t gen_seed;	/* create_lock */

static uint32_t next_gen(void)
{
	/* A per-process random start, like libqb's check word, so handles of
	 * different processes or runs do not line up by accident. */
	if (gen_seed == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		gen_seed = (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16);
	}
	if (++gen_seed == 0)
		++gen_seed;
	return gen_seed;
}

static struct hdb_entry *entry_at(uint32_t i)
{
	struct hdb_entry *chunk;

	if (i / CHUNK >= DIR)
		return NULL;
	chunk = atomic_load_explicit(&dir[i / CHUNK], memory_order_acquire);
	return chunk != NULL ? &chunk[i % CHUNK] : NULL;
}

cs_error_t vq_handle_create(struct vq_inst *inst, votequorum_handle_t *handle)
{
	struct hdb_entry *e = NULL;
	uint32_t i, gen;

	pthread_mutex_lock(&create_lock);
	for (i = 0; i < n_entries; i++) {
		e = entry_at(i);
		if (atomic_load_explicit(&e->state, memory_order_acquire) == 0)
			break;
	}
	if (i == n_entries) {
		struct hdb_entry *chunk = i / CHUNK < DIR ? calloc(CHUNK, sizeof(*chunk)) : NULL;

		if (chunk == NULL) {
			pthread_mutex_unlock(&create_lock);
			return CS_ERR_NO_MEMORY;
		}
		atomic_store_explicit(&dir[i / CHUNK], chunk, memory_order_release);
		n_entries += CHUNK;
		e = &chunk[0];
	}
	gen = next_gen();
	e->inst = inst;
	atomic_store_explicit(&e->state, (uint64_t)gen << 32 | ST_REF, memory_order_release);
	*handle = (uint64_t)gen << 32 | i;
	pthread_mutex_unlock(&create_lock);
	return CS_OK;
}

/* The entry `handle` names if it holds that generation with references, else NULL. */
static struct hdb_entry *lookup(votequorum_handle_t handle, uint64_t *state)
{
	uint32_t gen = (uint32_t)(handle >> 32);
	struct hdb_entry *e = gen != 0 ? entry_at((uint32_t)handle) : NULL;

	if (e == NULL)
		return NULL;
	*state = atomic_load_explicit(&e->state, memory_order_acquire);
	return ST_GEN(*state) == gen && ST_REFS(*state) != 0 ? e : NULL;
}

struct vq_inst *vq_handle_get(votequorum_handle_t handle)
{
	uint64_t s;
	struct hdb_entry *e = lookup(handle, &s);

	if (e == NULL)
		return NULL;
	/* A failed CAS reloads s; the generation check is redone on it. */
	while (ST_GEN(s) == (uint32_t)(handle >> 32) && ST_REFS(s) != 0 && !(s & ST_FIN))
		if (atomic_compare_exchange_weak_explicit(&e->state, &s, s + ST_REF,
							  memory_order_acquire,
							  memory_order_acquire))
			return e->inst;	/* stable: our reference keeps the slot */
	return NULL;
}

static void inst_free(struct vq_inst *inst)
{
	vq_track_clear(inst);
	vq_conn_close(inst);
	pthread_mutex_destroy(&inst->lock);
	pthread_mutex_destroy(&inst->req_lock);
	free(inst);
}

void vq_handle_put(votequorum_handle_t handle)
{
	uint64_t s;
	struct hdb_entry *e = lookup(handle, &s);

	if (e == NULL)
		return;
	while (ST_GEN(s) == (uint32_t)(handle >> 32) && ST_REFS(s) != 0) {
		if (!atomic_compare_exchange_weak_explicit(&e->state, &s, s - ST_REF,
							   memory_order_acq_rel,
							   memory_order_acquire))
			continue;
		if (ST_REFS(s) == ST_REF) {
			/* The last one: nobody can take a reference any more. */
			struct vq_inst *inst = e->inst;

			e->inst = NULL;
			inst_free(inst);
			atomic_store_explicit(&e->state, 0, memory_order_release);
		}
		return;
	}
}

cs_error_t vq_handle_destroy(votequorum_handle_t handle)
{
	uint64_t s;
	struct hdb_entry *e = lookup(handle, &s);
	struct vq_inst *inst;

	if (e == NULL)
		return CS_ERR_BAD_HANDLE;
	for (;;) {
		if (ST_GEN(s) != (uint32_t)(handle >> 32) || ST_REFS(s) == 0 || (s & ST_FIN))
			return CS_ERR_BAD_HANDLE;
		if (atomic_compare_exchange_weak_explicit(&e->state, &s, s | ST_FIN,
							  memory_order_acq_rel,
							  memory_order_acquire))
			break;
	}
	/* Only the finalize that set the mark drops the creation reference, so
	 * the instance is still there. */
	inst = e->inst;
	atomic_store(&inst->finalizing, true);
	vq_conn_interrupt(inst);	/* a dispatch asleep in another thread returns */
	vq_handle_put(handle);
	return CS_OK;
}
