/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allocation failure injection for unit tests linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc (tests/unit/meson.build).
 * Without the wrap (-DTALLY_TEST_NO_ALLOC_WRAP) nothing is defined and the
 * tests that need it are skipped.
 */
#ifndef TALLY_TEST_ALLOC_FAIL_H
#define TALLY_TEST_ALLOC_FAIL_H

#include <stddef.h>

#ifndef TALLY_TEST_NO_ALLOC_WRAP
static long alloc_countdown = -1; /* the allocation that fails: 0 = the next one, -1 = none */
static int alloc_failed;

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *ptr, size_t size);

static int inject(void)
{
	if (alloc_countdown < 0 || alloc_countdown-- > 0)
		return 0;
	alloc_failed = 1;
	return 1;
}

void *__wrap_malloc(size_t size)
{
	return inject() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return inject() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *ptr, size_t size)
{
	return inject() ? NULL : __real_realloc(ptr, size);
}

/* Make allocation number `n` (from now, 0-based) fail, and only that one. */
static void fail_allocation(long n)
{
	alloc_countdown = n;
	alloc_failed = 0;
}
#endif


#endif
