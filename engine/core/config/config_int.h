/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the files of the config module; not part of its API. */
#ifndef TALLY_CORE_CONFIG_INT_H
#define TALLY_CORE_CONFIG_INT_H

#include <stdlib.h>
#include <string.h>

/*
 * strdup through malloc(): glibc's strdup allocates internally, out of reach
 * of the unit tests' allocation-failure injection (ld --wrap=malloc).
 */
static inline char *config_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *d = malloc(len);

	if (d != NULL)
		memcpy(d, s, len);
	return d;
}

#endif
