/* SPDX-License-Identifier: BSD-3-Clause */
/* <corosync/corotypes.h> is self-contained: it compiles included first and alone. */
#include <corosync/corotypes.h>

int main(void)
{
	return sizeof(cs_error_t) == 4 ? 0 : 1;
}
