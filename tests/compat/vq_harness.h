/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Library tests against a private engine (tests/host/vq-host, a TEST
 * FIXTURE with a one-node loopback transport): start one per test group
 * under a unique TALLY_INSTANCE, record every callback, stop it.
 * Compiled against the system <corosync/votequorum.h> only.
 */
#ifndef TALLY_TEST_VQ_HARNESS_H
#define TALLY_TEST_VQ_HARNESS_H

#include <stdint.h>
#include <sys/types.h>

#include <corosync/votequorum.h>

#include "../unit/check.h"
#include "vq_record.h"

#define ONE_NODE_CONF                                                                      \
	"totem {\n cluster_name: t\n}\n"                                                   \
	"nodelist {\n node {\n  nodeid: 1\n }\n}\n"                                        \
	"quorum {\n provider: corosync_votequorum\n}\n"

/* Start vq-host (path from $VQ_HOST) with `conf`; sets TALLY_INSTANCE. */
pid_t host_start(const char *conf);
void host_stop(pid_t pid);
/* After the engine was killed: remove what it could not (its segment, libqb's files). */
void host_forget(pid_t pid);

/* initialize with the recording callbacks; CHECKs CS_OK. */
votequorum_handle_t open_handle(void);

/*
 * setexpected replies before its message is delivered (as corosync); a
 * register replies after, and the loopback delivers in order, so this waits
 * for everything sent before it.
 */
void barrier(votequorum_handle_t h);

/* CLOCK_MONOTONIC in ms; a process's resident memory (VmRSS, kB; -1 unknown). */
double now_ms(void);
long proc_rss_kb(pid_t pid);

/*
 * ASan keeps freed memory in quarantine, so resident size says nothing
 * about leaks there; LeakSanitizer checks them at exit instead.
 */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_MEANS_LEAKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_MEANS_LEAKS 0
#endif
#endif
#ifndef RSS_MEANS_LEAKS
#define RSS_MEANS_LEAKS 1
#endif

#endif
