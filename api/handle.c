/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The handle database (corosync's hdb idea): a handle is
 * (generation << 32 | index); every reuse of a slot bumps its generation,
 * so a stale handle never reaches the instance that took its slot. Each
 * user holds a counted reference; finalize marks the entry and drops the
 * creation reference, and the instance is destroyed with the last one, so
 * finalize from another thread during dispatch is safe.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "lib_int.h"

struct hdb_entry {
	uint32_t gen;
	uint32_t refs;		/**< 0: free */
	bool finalizing;
	struct vq_inst *inst;
};

static pthread_mutex_t hdb_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hdb_entry *hdb;
static uint32_t hdb_len;
static uint32_t hdb_gen_seed;

static uint32_t next_gen(void)
{
	/* A per-process random start, like libqb's check word, so handles of
	 * different processes or runs do not line up by accident. */
	if (hdb_gen_seed == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		hdb_gen_seed = (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16);
	}
	if (++hdb_gen_seed == 0)
		++hdb_gen_seed;
	return hdb_gen_seed;
}

cs_error_t vq_handle_create(struct vq_inst *inst, votequorum_handle_t *handle)
{
	uint32_t i;

	pthread_mutex_lock(&hdb_lock);
	for (i = 0; i < hdb_len && hdb[i].refs != 0; i++)
		;
	if (i == hdb_len) {
		uint32_t len = hdb_len ? 2 * hdb_len : 8;
		struct hdb_entry *t = realloc(hdb, len * sizeof(*t));

		if (t == NULL) {
			pthread_mutex_unlock(&hdb_lock);
			return CS_ERR_NO_MEMORY;
		}
		for (uint32_t k = hdb_len; k < len; k++)
			t[k] = (struct hdb_entry){ 0, 0, false, NULL };
		hdb = t;
		hdb_len = len;
	}
	hdb[i] = (struct hdb_entry){ next_gen(), 1, false, inst };
	*handle = (uint64_t)hdb[i].gen << 32 | i;
	pthread_mutex_unlock(&hdb_lock);
	return CS_OK;
}

/* The live entry of `handle`, or NULL. Called with hdb_lock held. */
static struct hdb_entry *lookup(votequorum_handle_t handle)
{
	uint32_t i = (uint32_t)handle, gen = (uint32_t)(handle >> 32);

	if (i >= hdb_len || hdb[i].refs == 0 || hdb[i].gen != gen)
		return NULL;
	return &hdb[i];
}

struct vq_inst *vq_handle_get(votequorum_handle_t handle)
{
	struct hdb_entry *e;
	struct vq_inst *inst = NULL;

	pthread_mutex_lock(&hdb_lock);
	e = lookup(handle);
	if (e != NULL && !e->finalizing) {
		e->refs++;
		inst = e->inst;
	}
	pthread_mutex_unlock(&hdb_lock);
	return inst;
}

static void inst_free(struct vq_inst *inst)
{
	vq_track_clear(inst);
	vq_conn_close(inst);
	pthread_mutex_destroy(&inst->lock);
	pthread_mutex_destroy(&inst->req_lock);
	free(inst);
}

/* Drop one reference; the last one frees the slot and the instance. */
static void drop(struct hdb_entry *e)
{
	struct vq_inst *inst = e->inst;

	if (--e->refs != 0) {
		pthread_mutex_unlock(&hdb_lock);
		return;
	}
	e->inst = NULL;
	pthread_mutex_unlock(&hdb_lock);
	inst_free(inst);
}

void vq_handle_put(votequorum_handle_t handle)
{
	struct hdb_entry *e;

	pthread_mutex_lock(&hdb_lock);
	e = lookup(handle);
	if (e == NULL) {
		pthread_mutex_unlock(&hdb_lock);
		return;
	}
	drop(e);
}

cs_error_t vq_handle_destroy(votequorum_handle_t handle)
{
	struct hdb_entry *e;

	pthread_mutex_lock(&hdb_lock);
	e = lookup(handle);
	if (e == NULL || e->finalizing) {
		pthread_mutex_unlock(&hdb_lock);
		return CS_ERR_BAD_HANDLE;
	}
	e->finalizing = true;
	atomic_store(&e->inst->finalizing, true);
	vq_conn_interrupt(e->inst);	/* a dispatch asleep in another thread returns */
	drop(e);
	return CS_OK;
}
