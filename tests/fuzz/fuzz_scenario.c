/* SPDX-License-Identifier: BSD-3-Clause */
/* Scenario text -> tally-sim's parser (running it would need a time budget). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char err[512];

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';	/* the runner reads files as C strings */
	scn_free(scn_parse("fuzz", text, err, sizeof(err)));
	free(text);
	return 0;
}
