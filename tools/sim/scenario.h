/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scenario language of shared/scenarios/FORMAT.md: parsing (all errors
 * found before anything runs) and execution against a simulated cluster.
 */
#ifndef TALLY_SIM_SCENARIO_H
#define TALLY_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cluster.h"

struct scn_file;

/* Parse `text` (named `path` in messages). NULL on a syntax error, with
 * "path:line: reason" in err. */
struct scn_file *scn_parse(const char *path, const char *text, char *err, size_t errlen);
void scn_free(struct scn_file *f);
size_t scn_count(const struct scn_file *f);

struct scn_result {
	bool passed;
	char id[64];
	char title[256];
	char failure[1024];	/**< "line N: what differed" */
};

/* Run scenario `index` on a fresh cluster. */
void scn_run(const struct scn_file *f, size_t index, const struct sim_params *p,
	     struct scn_result *out);

#endif
