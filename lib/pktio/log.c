// SPDX-License-Identifier: BSD-2-Clause
/* Messages: the library prints nothing itself, it calls the log callback;
 * the last error of each thread is kept for pktio_last_error(). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "pktio_internal.h"

static void log_stderr(enum pktio_log_level lvl, const char *msg, void *ctx)
{
	(void)lvl;
	(void)ctx;
	fprintf(stderr, "pktio: %s\n", msg);
}

static pktio_log_fn log_fn = log_stderr;
static void *log_ctx;
static enum pktio_log_level log_max = PKTIO_LOG_WARN;
static __thread char last_error[256];

void pktio_set_log(pktio_log_fn fn, void *ctx)
{
	log_fn = fn;
	log_ctx = ctx;
}

void pktio_set_log_level(enum pktio_log_level max)
{
	log_max = max;
}

const char *pktio_last_error(void)
{
	return last_error;
}

static void vlog(enum pktio_log_level lvl, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void vlog(enum pktio_log_level lvl, const char *fmt, va_list ap)
{
	char msg[256];

	if (!log_fn || lvl > log_max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_fn(lvl, msg, log_ctx);
}

void pktio_log(enum pktio_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

static void verr(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));
static void verr(const char *fmt, va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	vsnprintf(last_error, sizeof(last_error), fmt, ap2);
	va_end(ap2);
	vlog(PKTIO_LOG_ERR, fmt, ap);
}

void pktio_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
}

void pktio_drv_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
}

void pktio_set_error(const char *fmt, ...)
{
	char msg[sizeof(last_error)];
	va_list ap;

	/* fmt's arguments may be last_error itself */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(last_error, msg, sizeof(msg));
}
