/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The library's handle table (api/handle.c): stale, foreign and finalized
 * handles are refused, a reused slot gets a new generation, and the
 * instance lives until its last reference is dropped.
 */
#include <stdlib.h>

#include "../../api/lib_int.h"
#include "check.h"

static int freed, interrupted;

/* What handle.c calls when an instance goes: counted instead of done. */
void vq_track_clear(struct vq_inst *inst)
{
}

void vq_conn_close(struct vq_inst *inst)
{
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
	votequorum_handle_t h[100];

	for (int i = 0; i < 100; i++)
		CHECK_EQ(vq_handle_create(new_inst(), &h[i]), CS_OK);
	for (int i = 0; i < 100; i++) {
		struct vq_inst *inst = vq_handle_get(h[i]);

		CHECK(inst != NULL);
		vq_handle_put(h[i]);
		CHECK_EQ(vq_handle_destroy(h[i]), CS_OK);
	}
}

int main(void)
{
	RUN(unknown_handles_are_refused);
	RUN(finalize_waits_for_the_last_reference);
	RUN(a_reused_slot_does_not_revive_old_handles);
	RUN(many_handles_grow_the_table);
	return CHECK_EXIT();
}
