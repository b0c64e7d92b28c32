/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What sluice-echo and sluice-l2fwd share: the command line that needs no
 * config file (--driver, --dev, --queue, --opt), or --config FILE; the
 * app's life (open, serve live counters, run until a signal or
 * --duration, stop, check that every buffer came back) and its summary.
 */
#ifndef SLUICE_EXAMPLES_APP_CLI_H
#define SLUICE_EXAMPLES_APP_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <sluice/pktio/config.h>

#define APP_CLI_MAX_DEVS 2
#define APP_CLI_MAX_OPTS 16
#define APP_CLI_BUFFERS_PER_QUEUE 4096 /* the pool's default share */

struct app_cli {
	const char *prog;
	const char *config; /* --config FILE */
	const char *driver;
	const char *devs[APP_CLI_MAX_DEVS];
	unsigned int n_devs;
	unsigned int queue; /* the queue polled on each port */
	const char *opts[APP_CLI_MAX_OPTS];
	unsigned int n_opts;
	unsigned int pool_count;
	const char *stats_path;	    /* NULL: the default; "none": no export */
	unsigned int duration;	    /* seconds, 0: until SIGINT/SIGTERM */
	int cpu;		    /* the worker's CPU, -1: not pinned */
	unsigned int idle_sleep_us; /* after an empty poll; 0: busy poll */
};

/* Defaults, and the library's messages routed to stderr under @prog. */
void app_cli_init(struct app_cli *c, const char *prog);
/* Parses one common option at argv[*i] (taking its value): 1 when it was
 * one, 0 when not, -1 after printing an error naming it. */
int app_cli_option(struct app_cli *c, int argc, char **argv, int *i);
/* The usage lines of the common options. */
void app_cli_usage(FILE *f);
/* A program's own option at argv[*i]: 1 when it was one (its value
 * taken), 0 when not, -1 after printing an error naming it. */
typedef int (*app_cli_own_fn)(int argc, char **argv, int *i, void *ctx);
/* The whole command line: the common options, then @own's, --help.
 * 0: go on; 1: the manual was printed (exit 0); -1: an error was
 * printed (exit 2). */
int app_cli_parse(struct app_cli *c, int argc, char **argv, app_cli_own_fn own,
		  void (*usage)(FILE *f), void *ctx);
/* The config (--config or the command line, with @need_devs ports)
 * opened with fn(ctx) as every worker's callback: 0, or the exit status
 * after printing why. */
int app_cli_open(const struct app_cli *c, unsigned int need_devs,
		 pktio_burst_fn fn, void *ctx, struct pktio_app **app);
/* Checks the combination (--config, or --driver with the devices the
 * program needs): 0, or -1 after printing what is missing. */
int app_cli_check(const struct app_cli *c, unsigned int need_devs);
/* The config: loaded from --config, or built from the command line.
 * NULL after printing why. */
struct pktio_config *app_cli_config(const struct app_cli *c);

/* Runs the app with fn(ctx) as every worker's callback until a signal or
 * the duration; prints one JSON summary line on stdout.  Exit status. */
int app_cli_run(const struct app_cli *c, struct pktio_app *app,
		void (*summary)(FILE *f, void *ctx), void *ctx);

#endif
