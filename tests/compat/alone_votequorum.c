/* SPDX-License-Identifier: BSD-3-Clause */
/* <corosync/votequorum.h> is self-contained: it compiles included first and alone. */
#include <corosync/votequorum.h>

int main(void)
{
	return sizeof(cs_error_t) == 4 ? 0 : 1;
}
