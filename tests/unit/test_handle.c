/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The library's handle table (api/handle.c): stale, foreign and finalized
 * handles are refused, a reused slot gets a new generation, and the
 * instance lives until its last reference is dropped.
 */
#include <stdlib.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

#include "../../api/lib_int.h"
#include "check.h"

static atomic_int freed, interrupted;

/* What handle.c calls when an instance goes: counted instead of done. */
void vq_track_clear(struct vq_inst *inst)
{
}

void vq_conn_close(struct vq_inst *inst)
{
	inst->user_context = NULL;	/* a reader still holding it would see this */
	freed++;
}

void vq_conn_interrupt(struct vq_inst *inst)
{
	interrupted++;
}

static struct vq_inst *new_inst(void)
{
	struct vq_inst *inst = calloc(1, sizeof(*inst));

	pthread_mutex_init(&inst->lock, NULL);
	pthread_mutex_init(&inst->req_lock, NULL);
	return inst;
}

static void unknown_handles_are_refused(void)
{
	CHECK(vq_handle_get(0) == NULL);
	CHECK(vq_handle_get(0xdeadbeef) == NULL);
	CHECK(vq_handle_get(UINT64_MAX) == NULL);
	CHECK_EQ(vq_handle_destroy(0xdeadbeef), CS_ERR_BAD_HANDLE);
	vq_handle_put(0xdeadbeef);	/* harmless */
}

static void finalize_waits_for_the_last_reference(void)
{
	struct vq_inst *inst = new_inst();
	votequorum_handle_t h;

	freed = interrupted = 0;
	CHECK_EQ(vq_handle_create(inst, &h), CS_OK);
	CHECK(vq_handle_get(h) == inst);	/* a dispatch in progress */
	CHECK_EQ(vq_handle_destroy(h), CS_OK);
	CHECK_EQ(interrupted, 1);
	CHECK(atomic_load(&inst->finalizing));
	CHECK_EQ(freed, 0);			/* still referenced */
	CHECK(vq_handle_get(h) == NULL);	/* but nobody new gets it */
	CHECK_EQ(vq_handle_destroy(h), CS_ERR_BAD_HANDLE);
	vq_handle_put(h);
	CHECK_EQ(freed, 1);
	CHECK(vq_handle_get(h) == NULL);
}

static void a_reused_slot_does_not_revive_old_handles(void)
{
	votequorum_handle_t a, b, c;

	CHECK_EQ(vq_handle_create(new_inst(), &a), CS_OK);
	CHECK_EQ(vq_handle_destroy(a), CS_OK);
	CHECK_EQ(vq_handle_create(new_inst(), &b), CS_OK);
	CHECK((uint32_t)a == (uint32_t)b);	/* the same slot ... */
	CHECK(a != b);				/* ... another generation */
	CHECK(vq_handle_get(a) == NULL);
	CHECK_EQ(vq_handle_destroy(a), CS_ERR_BAD_HANDLE);
	CHECK_EQ(vq_handle_create(new_inst(), &c), CS_OK);
	CHECK(c != b);
	CHECK(vq_handle_get(b) != NULL);
	vq_handle_put(b);
	CHECK_EQ(vq_handle_destroy(b), CS_OK);
	CHECK_EQ(vq_handle_destroy(c), CS_OK);
}

static void many_handles_grow_the_table(void)
{
	votequorum_handle_t h[300];	/* more than one chunk */

	for (int i = 0; i < 300; i++)
		CHECK_EQ(vq_handle_create(new_inst(), &h[i]), CS_OK);
	for (int i = 0; i < 300; i++) {
		struct vq_inst *inst = vq_handle_get(h[i]);

		CHECK(inst != NULL);
		vq_handle_put(h[i]);
		CHECK_EQ(vq_handle_destroy(h[i]), CS_OK);
	}
}

/*
 * Lock-free lookups racing finalize and re-creation: a reference always
 * names the instance its handle was made for, alive; each instance is freed
 * once, after its last reference.
 */
#define RACE_HANDLES 8
#define RACE_ROUNDS 20000

static _Atomic votequorum_handle_t race_h[RACE_HANDLES];
static atomic_bool race_stop;
static atomic_int race_bad, race_hits, race_started;

static void *race_reader(void *arg)
{
	unsigned int k = (unsigned int)(uintptr_t)arg;

	race_started++;
	while (!atomic_load(&race_stop)) {
		votequorum_handle_t h = atomic_load(&race_h[k++ % RACE_HANDLES]);
		struct vq_inst *inst = vq_handle_get(h);

		if (inst == NULL)
			continue;
		if (inst->user_context != (void *)(uintptr_t)h)
			race_bad++;
		race_hits++;
		vq_handle_put(h);
	}
	return NULL;
}

static void lookups_race_finalize_safely(void)
{
	pthread_t th[3];
	int created = 0;

	freed = 0;
	for (int i = 0; i < RACE_HANDLES; i++) {
		struct vq_inst *inst = new_inst();
		votequorum_handle_t h;

		CHECK_EQ(vq_handle_create(inst, &h), CS_OK);
		inst->user_context = (void *)(uintptr_t)h;
		atomic_store(&race_h[i], h);
		created++;
	}
	for (int t = 0; t < 3; t++)
		pthread_create(&th[t], NULL, race_reader, (void *)(uintptr_t)t);
	/* On a busy machine the readers may start late: race only once they run, and go on
	 * until they have looked often enough (or 10 s have passed). */
	while (atomic_load(&race_started) < 3)
		sched_yield();
	time_t give_up = time(NULL) + 10;
	for (int r = 0; r < RACE_ROUNDS || (atomic_load(&race_hits) < 1000 && time(NULL) < give_up);
	     r++) {
		int i = r % RACE_HANDLES;
		struct vq_inst *inst = new_inst();
		votequorum_handle_t old = atomic_load(&race_h[i]), h;

		CHECK_EQ(vq_handle_destroy(old), CS_OK);
		CHECK_EQ(vq_handle_create(inst, &h), CS_OK);
		inst->user_context = (void *)(uintptr_t)h;
		atomic_store(&race_h[i], h);
		created++;
	}
	atomic_store(&race_stop, true);
	for (int t = 0; t < 3; t++)
		pthread_join(th[t], NULL);
	for (int i = 0; i < RACE_HANDLES; i++)
		CHECK_EQ(vq_handle_destroy(atomic_load(&race_h[i])), CS_OK);
	CHECK_EQ(race_bad, 0);
	CHECK(race_hits > 0);
	CHECK_EQ(freed, created);
}

int main(void)
{
	RUN(unknown_handles_are_refused);
	RUN(finalize_waits_for_the_last_reference);
	RUN(a_reused_slot_does_not_revive_old_handles);
	RUN(many_handles_grow_the_table);
	RUN(lookups_race_finalize_safely);
	return CHECK_EXIT();
}
