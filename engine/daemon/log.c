/* SPDX-License-Identifier: BSD-3-Clause */
/* tallyd's log (log.h). */
#include "daemon/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "config/cmap.h"

static struct {
	bool to_stderr, to_syslog, debug, timestamp;
	FILE *file;
} lg = { .to_stderr = true };

static const char *const level_name[] = {
	[TALLY_QLOG_CRIT] = "crit",	[TALLY_QLOG_WARNING] = "warning",
	[TALLY_QLOG_NOTICE] = "notice", [TALLY_QLOG_INFO] = "info",
	[TALLY_QLOG_DEBUG] = "debug",
};

static const int syslog_level[] = {
	[TALLY_QLOG_CRIT] = LOG_CRIT,	  [TALLY_QLOG_WARNING] = LOG_WARNING,
	[TALLY_QLOG_NOTICE] = LOG_NOTICE, [TALLY_QLOG_INFO] = LOG_INFO,
	[TALLY_QLOG_DEBUG] = LOG_DEBUG,
};

static int get_flag(const struct tally_cmap *map, const char *key, bool dflt, bool *out,
		    char *err, size_t errlen)
{
	const char *v = tally_cmap_get(map, key);
	int b;

	if (v == NULL) {
		*out = dflt;
		return 0;
	}
	/* corosync's debug also takes "trace" (more than on): treat it as on */
	if (strcmp(key, "logging.debug") == 0 && strcmp(v, "trace") == 0) {
		*out = true;
		return 0;
	}
	if (tally_cmap_get_bool(map, key, &b) != 0) {
		snprintf(err, errlen, "%s: '%s' is not yes/no (%s)", key, v,
			 tally_cmap_origin(map, key) ? tally_cmap_origin(map, key) : "?");
		return -EINVAL;
	}
	*out = b != 0;
	return 0;
}

int tally_log_configure(const struct tally_cmap *map, char *err, size_t errlen)
{
	bool to_stderr, to_syslog, to_file, debug, timestamp;
	const char *path = tally_cmap_get(map, "logging.logfile");
	FILE *f = NULL;

	if (get_flag(map, "logging.to_stderr", true, &to_stderr, err, errlen) ||
	    get_flag(map, "logging.to_syslog", false, &to_syslog, err, errlen) ||
	    get_flag(map, "logging.to_logfile", false, &to_file, err, errlen) ||
	    get_flag(map, "logging.debug", false, &debug, err, errlen) ||
	    get_flag(map, "logging.timestamp", true, &timestamp, err, errlen))
		return -EINVAL;
	if (to_file) {
		if (path == NULL) {
			snprintf(err, errlen, "logging.to_logfile is on but logging.logfile is not set");
			return -EINVAL;
		}
		f = fopen(path, "ae");
		if (f == NULL) {
			snprintf(err, errlen, "logging.logfile %s: %s", path, strerror(errno));
			return -EINVAL;
		}
		setvbuf(f, NULL, _IOLBF, 0);
	}
	if (lg.file != NULL)
		fclose(lg.file);
	lg.file = f;
	if (to_syslog && !lg.to_syslog)
		openlog("tallyd", LOG_PID, LOG_DAEMON);
	lg.to_stderr = to_stderr;
	lg.to_syslog = to_syslog;
	lg.debug = debug;
	lg.timestamp = timestamp;
	return 0;
}

static void emit(FILE *f, const char *lvl, const char *text)
{
	char ts[64] = "";

	if (lg.timestamp) {
		struct timespec now;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &now);
		localtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%b %d %T", &tm);
		snprintf(ts + strlen(ts), sizeof(ts) - strlen(ts), ".%03ld ", now.tv_nsec / 1000000);
	}
	fprintf(f, "%s[%s] %s\n", ts, lvl, text);
}

void tally_log(enum tally_qlog_level level, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	if (level == TALLY_QLOG_DEBUG && !lg.debug)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (lg.to_stderr)
		emit(stderr, level_name[level], text);
	if (lg.file != NULL)
		emit(lg.file, level_name[level], text);
	if (lg.to_syslog)
		syslog(syslog_level[level], "%s", text);
}

void tally_log_close(void)
{
	if (lg.file != NULL)
		fclose(lg.file);
	lg.file = NULL;
	if (lg.to_syslog)
		closelog();
	lg.to_syslog = false;
}
