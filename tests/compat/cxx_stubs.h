/* SPDX-License-Identifier: BSD-3-Clause */
/* What the C stubs of cxx_stubs.c saw last; read back by header_cxx.cpp. */
#ifndef TALLY_TESTS_COMPAT_CXX_STUBS_H
#define TALLY_TESTS_COMPAT_CXX_STUBS_H

#include <corosync/votequorum.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STUB_HANDLE 0x6b8b456700000000ULL
#define STUB_CONTEXT 0xfeedULL

struct stub_record {
	const char *fn;		/* __func__ of the last stub called */
	votequorum_handle_t handle;
	const char *name;
	const char *name2;
	unsigned int u1;
	unsigned int u2;
	uint64_t u64;
};

extern struct stub_record stub_last;

#ifdef __cplusplus
}
#endif

#endif /* TALLY_TESTS_COMPAT_CXX_STUBS_H */
