/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * <corosync/corotypes.h> included first and alone must compile, and must
 * bring what corosync's copy brings: programs use uint64_t, errno values,
 * time_t and struct timeval without including anything else.
 */
#include <corosync/corotypes.h>

int main(void)
{
	uint64_t now = cs_timestamp_get();
	struct timeval tv = { .tv_sec = 0 };
	struct timespec ts = { .tv_nsec = 0 };
	time_t t = (time_t)tv.tv_sec + ts.tv_sec;
	int err = EAGAIN;
	cs_error_t rc = CS_OK;
	cs_dispatch_flags_t how = CS_DISPATCH_ONE_NONBLOCKING;
	cs_name_t name = { .length = 0 };
	cs_version_t version = { .releaseCode = 'Y' };
	cs_time_t end = CS_TIME_END;

	_Static_assert(sizeof(cs_error_t) == 4, "cs_error_t is an int-sized enum");
	_Static_assert(CS_OK == 1 && CS_TRUE && !CS_FALSE, "truth values");
	return (now > 0 && t == 0 && err != 0 && rc == CS_OK && how == 4 && name.length == 0 &&
		version.releaseCode == 'Y' && end > 0 && CS_IPC_TIMEOUT_MS < 0) ? 0 : 1;
}
