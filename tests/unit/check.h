/* SPDX-License-Identifier: BSD-3-Clause */
/* A minimal check harness: CHECK() records a failure and goes on. */
#ifndef TALLY_TEST_CHECK_H
#define TALLY_TEST_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			check_failures++;                                                  \
		}                                                                          \
	} while (0)

#define CHECK_EQ(a, b)                                                                     \
	do {                                                                               \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);            \
		if (check_a_ != check_b_) {                                                \
			fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__,     \
				__LINE__, #a, #b, check_a_, check_b_);                     \
			check_failures++;                                                  \
		}                                                                          \
	} while (0)

#define RUN(test)                                                                          \
	do {                                                                               \
		int check_before_ = check_failures;                                        \
		test();                                                                    \
		printf("%s %s\n", check_failures == check_before_ ? "ok  " : "FAIL", #test);  \
	} while (0)

#define CHECK_EXIT() (check_failures ? 1 : 0)

#endif
