/* SPDX-License-Identifier: BSD-3-Clause */
/* The one place errno values become cs_error_t (corosync's qb_to_cs_error). */
#include <errno.h>

#include "lib_int.h"

cs_error_t tally_errno_to_cs(int err)
{
	if (err >= 0)
		return CS_OK;
	switch (-err) {
	case EBADF:
		return CS_ERR_BAD_HANDLE;
	case ENOMEM:
		return CS_ERR_NO_MEMORY;
	case ENOMSG:
	case ENOBUFS:
	case ETIMEDOUT:
	case EAGAIN:
		return CS_ERR_TRY_AGAIN;
	case EBADE:
		return CS_ERR_FAILED_OPERATION;
	case ETIME:
		return CS_ERR_TIMEOUT;
	case EINVAL:
		return CS_ERR_INVALID_PARAM;
	case EBUSY:
		return CS_ERR_BUSY;
	case EACCES:
		return CS_ERR_ACCESS;
	case EOVERFLOW:
		return CS_ERR_NAME_TOO_LONG;
	case EEXIST:
		return CS_ERR_EXIST;
	case ENOSPC:
		return CS_ERR_NO_SPACE;
	case EINTR:
		return CS_ERR_INTERRUPT;
	case ENOENT:
	case ENODEV:
		return CS_ERR_NOT_EXIST;
	case ENOSYS:
	case ENOTSUP:
		return CS_ERR_NOT_SUPPORTED;
	case EBADMSG:
		return CS_ERR_MESSAGE_ERROR;
	case EMSGSIZE:
	case E2BIG:
		return CS_ERR_TOO_BIG;
	default:
		return CS_ERR_LIBRARY;	/* ECONNREFUSED, ENOTCONN, ... */
	}
}
