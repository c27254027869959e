/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Types shared by the corosync client libraries, as tally provides them.
 *
 * ABI contract: every type, value and declaration here is identical to
 * corosync 3.1.7's <corosync/corotypes.h>, including the set of system
 * headers pulled in (programs rely on getting errno values and the
 * fixed-width integer types from here). tests/compat compares the two.
 * The include guard is corosync's own, so a program that ends up with both
 * headers on its path sees one definition.
 *
 * Note that CS_OK is 1, not 0: never test a cs_error_t for zero.
 */
#ifndef COROTYPES_H_DEFINED
#define COROTYPES_H_DEFINED

#include <stdint.h>
#include <errno.h>
#include <time.h>
#include <sys/time.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A time or duration in nanoseconds. */
typedef int64_t cs_time_t;

#define CS_FALSE 0
#define CS_TRUE !CS_FALSE
#define CS_MAX_NAME_LENGTH 256
/* "No deadline": the largest cs_time_t. */
#define CS_TIME_END ((cs_time_t)0x7FFFFFFFFFFFFFFFULL)
#define CS_MAX(x, y) (((x) > (y)) ? (x) : (y))

/*
 * printf formats; ring ids print as "<hex nodeid>.<hex seq>", e.g. "1.1d".
 * They expand to PRI* macros, so the caller includes <inttypes.h>.
 */
#define CS_PRI_NODE_ID "%" PRIu32
#define CS_PRI_NODE_ID_PADDED "%10" PRIu32
#define CS_PRI_RING_ID_SEQ "%" PRIx64
#define CS_PRI_RING_ID "%" PRIx32 ".%" PRIx64

/** A name with an explicit length (unused by votequorum). */
typedef struct {
	uint16_t length;
	uint8_t value[CS_MAX_NAME_LENGTH];
} cs_name_t;

/** Release code and version numbers (unused by votequorum). */
typedef struct {
	char releaseCode;
	unsigned char majorVersion;
	unsigned char minorVersion;
} cs_version_t;

/** How much a *_dispatch() call handles before it returns. */
typedef enum {
	CS_DISPATCH_ONE = 1,		/**< block until one callback ran */
	CS_DISPATCH_ALL = 2,		/**< run what is queued, never block */
	CS_DISPATCH_BLOCKING = 3,	/**< run callbacks until finalize or error */
	CS_DISPATCH_ONE_NONBLOCKING = 4	/**< at most one, never block */
} cs_dispatch_flags_t;

/* Flags of the *_trackstart() calls; they may be ORed. */
#define CS_TRACK_CURRENT 0x01
#define CS_TRACK_CHANGES 0x02
#define CS_TRACK_CHANGES_ONLY 0x04

/*
 * Result of every library call. The numbering comes from the SA Forum AIS
 * error codes corosync grew out of, which is why success is 1. 29 is unused.
 */
typedef enum {
	CS_OK = 1,
	CS_ERR_LIBRARY = 2,
	CS_ERR_VERSION = 3,
	CS_ERR_INIT = 4,
	CS_ERR_TIMEOUT = 5,
	CS_ERR_TRY_AGAIN = 6,
	CS_ERR_INVALID_PARAM = 7,
	CS_ERR_NO_MEMORY = 8,
	CS_ERR_BAD_HANDLE = 9,
	CS_ERR_BUSY = 10,
	CS_ERR_ACCESS = 11,
	CS_ERR_NOT_EXIST = 12,
	CS_ERR_NAME_TOO_LONG = 13,
	CS_ERR_EXIST = 14,
	CS_ERR_NO_SPACE = 15,
	CS_ERR_INTERRUPT = 16,
	CS_ERR_NAME_NOT_FOUND = 17,
	CS_ERR_NO_RESOURCES = 18,
	CS_ERR_NOT_SUPPORTED = 19,
	CS_ERR_BAD_OPERATION = 20,
	CS_ERR_FAILED_OPERATION = 21,
	CS_ERR_MESSAGE_ERROR = 22,
	CS_ERR_QUEUE_FULL = 23,
	CS_ERR_QUEUE_NOT_AVAILABLE = 24,
	CS_ERR_BAD_FLAGS = 25,
	CS_ERR_TOO_BIG = 26,
	CS_ERR_NO_SECTIONS = 27,
	CS_ERR_CONTEXT_NOT_FOUND = 28,
	CS_ERR_TOO_MANY_GROUPS = 30,
	CS_ERR_SECURITY = 100
} cs_error_t;

/* Blocking requests wait for their reply without a limit. */
#define CS_IPC_TIMEOUT_MS -1

#define CS_TIME_MS_IN_SEC 1000ULL
#define CS_TIME_US_IN_SEC 1000000ULL
#define CS_TIME_NS_IN_SEC 1000000000ULL
#define CS_TIME_US_IN_MSEC 1000ULL
#define CS_TIME_NS_IN_MSEC 1000000ULL
#define CS_TIME_NS_IN_USEC 1000ULL

/*
 * Nanoseconds from CLOCK_MONOTONIC, or from the wall clock when
 * _POSIX_MONOTONIC_CLOCK is not defined. That macro comes from <unistd.h>,
 * which this header does not include: include it first for the monotonic
 * clock (corosync's header behaves the same way).
 */
static inline uint64_t cs_timestamp_get(void)
{
	uint64_t result;
#if defined _POSIX_MONOTONIC_CLOCK && _POSIX_MONOTONIC_CLOCK >= 0
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	result = (ts.tv_sec * CS_TIME_NS_IN_SEC) + (uint64_t)ts.tv_nsec;
#else
	struct timeval tv;

	gettimeofday(&tv, 0);
	result = (tv.tv_sec * CS_TIME_NS_IN_SEC) + (tv.tv_usec * CS_TIME_NS_IN_USEC);
#endif
	return result;
}

/*
 * Defined in libcorosync_common, not in libvotequorum: programs that call
 * them link that library too.
 */
cs_error_t qb_to_cs_error(int result);
const char *cs_strerror(cs_error_t err);
cs_error_t hdb_error_to_cs(int res);

#ifdef __cplusplus
}
#endif

#endif /* COROTYPES_H_DEFINED */
