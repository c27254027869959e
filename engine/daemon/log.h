/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tallyd's log, configured like corosync's `logging { }` section:
 * to_stderr, to_syslog, to_logfile + logfile, debug (on/off), timestamp.
 * Called from the main and control threads only; the lcore hands its lines
 * over as notes (engine.h).
 */
#ifndef TALLY_DAEMON_LOG_H
#define TALLY_DAEMON_LOG_H

#include "quorum/quorum.h"

struct tally_cmap;

/* Apply the logging.* keys. 0, or -EINVAL with the reason in err (the old settings stay). */
int tally_log_configure(const struct tally_cmap *map, char *err, size_t errlen);
void tally_log(enum tally_qlog_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tally_log_close(void);

#endif
