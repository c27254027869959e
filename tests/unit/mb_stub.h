/* SPDX-License-Identifier: BSD-3-Clause */
/* Membership callbacks that ignore what they are told, for tests that watch one side only. */
#ifndef TALLY_TEST_MB_STUB_H
#define TALLY_TEST_MB_STUB_H

#include "membership/membership.h"

static inline void mb_stub_view(void *ctx, const votequorum_ring_id_t *r, const uint32_t *mem,
				size_t n)
{
	(void)ctx;
	(void)r;
	(void)mem;
	(void)n;
}

static inline void mb_stub_deliver(void *ctx, uint32_t sender, const struct tally_qmsg *q)
{
	(void)ctx;
	(void)sender;
	(void)q;
}

static inline void mb_stub_activate(void *ctx)
{
	(void)ctx;
}

#endif
