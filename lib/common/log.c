// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "log.h"

static enum log_level cur_level = LOG_LVL_INFO;
static const char *const level_names[] = { "err", "warn", "info", "debug" };

void log_set_level(enum log_level lvl)
{
	cur_level = lvl;
}

enum log_level log_get_level(void)
{
	return cur_level;
}

int log_level_parse(const char *s, enum log_level *out)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
	     i++) {
		if (!strcmp(s, level_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* One line is one write: stderr is unbuffered, and three writes a line
 * (stamp, message, newline) cost a daemon that logs every API change a
 * tenth of a request's time, and let lines of two writers interleave. */
__attribute__((format(printf, 2, 0))) void log_vmsg(enum log_level lvl,
						    const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32], line[1024];
	size_t len;
	va_list ap2;
	int n;

	if (lvl > cur_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ld %-5s ", stamp,
		     ts.tv_nsec / 1000000, level_names[lvl]);
	va_copy(ap2, ap);
	n = n < 0 ? n : vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap2);
	va_end(ap2);
	len = strlen(line);
	if (n < 0 || len + 1 >= sizeof(line)) {
		/* too long for the buffer: in pieces, as it always was */
		fprintf(stderr, "%s.%03ld %-5s ", stamp, ts.tv_nsec / 1000000,
			level_names[lvl]);
		vfprintf(stderr, fmt, ap);
		if (!*fmt || fmt[strlen(fmt) - 1] != '\n')
			fputc('\n', stderr);
		return;
	}
	if (!len || line[len - 1] != '\n')
		line[len++] = '\n';
	fwrite(line, 1, len, stderr);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}
