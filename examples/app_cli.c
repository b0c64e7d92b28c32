// SPDX-License-Identifier: BSD-2-Clause
/* The command line and life cycle sluice-echo and sluice-l2fwd share. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sluice/pktio/stats.h>
#include "app_cli.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int number(const char *prog, const char *opt, const char *v,
		  unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(v, &end, 10);
	if (errno || end == v || *end || *v == '-' || *out > max) {
		fprintf(stderr, "%s: %s: '%s' is not a number (0-%lu)\n", prog,
			opt, v, max);
		return -1;
	}
	return 0;
}

/* The library's own messages: warnings and notes (a fallback to copy
 * mode, say) go to stderr; errors come back as return values, and the
 * program prints them once with pktio_last_error(). */
static void log_line(enum pktio_log_level lvl, const char *msg, void *ctx)
{
	const char *prog = ctx;

	if (lvl != PKTIO_LOG_ERR)
		fprintf(stderr, "%s: %s\n", prog, msg);
}

void app_cli_init(struct app_cli *c, const char *prog)
{
	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->cpu = -1;
	c->idle_sleep_us = 20;
	pktio_set_log(log_line, (void *)prog);
}

int app_cli_option(struct app_cli *c, int argc, char **argv, int *i)
{
	const char *opt = argv[*i], *v;
	unsigned long n;

	if (strcmp(opt, "--config") && strcmp(opt, "--driver") &&
	    strcmp(opt, "--dev") && strcmp(opt, "--queue") &&
	    strcmp(opt, "--opt") && strcmp(opt, "--stats") &&
	    strcmp(opt, "--duration") && strcmp(opt, "--buffers") &&
	    strcmp(opt, "--cpu") && strcmp(opt, "--idle-sleep-us"))
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "%s: %s needs a value\n", c->prog, opt);
		return -1;
	}
	v = argv[++*i];
	if (!strcmp(opt, "--config")) {
		c->config = v;
	} else if (!strcmp(opt, "--driver")) {
		c->driver = v;
	} else if (!strcmp(opt, "--dev")) {
		if (c->n_devs == APP_CLI_MAX_DEVS) {
			fprintf(stderr, "%s: --dev: at most %d devices\n",
				c->prog, APP_CLI_MAX_DEVS);
			return -1;
		}
		c->devs[c->n_devs++] = v;
	} else if (!strcmp(opt, "--opt")) {
		if (c->n_opts == APP_CLI_MAX_OPTS || !strchr(v, '=')) {
			fprintf(stderr,
				"%s: --opt: '%s' is not key=value (at most %d)\n",
				c->prog, v, APP_CLI_MAX_OPTS);
			return -1;
		}
		c->opts[c->n_opts++] = v;
	} else if (!strcmp(opt, "--stats")) {
		c->stats_path = v;
	} else if (!strcmp(opt, "--queue")) {
		if (number(c->prog, opt, v, PKTIO_MAX_QUEUES - 1, &n))
			return -1;
		c->queue = (unsigned int)n;
	} else if (!strcmp(opt, "--duration")) {
		if (number(c->prog, opt, v, 86400, &n))
			return -1;
		c->duration = (unsigned int)n;
	} else if (!strcmp(opt, "--buffers")) {
		if (number(c->prog, opt, v, 1u << 22, &n) || n < 64) {
			fprintf(stderr, "%s: --buffers: '%s' (64-%u)\n",
				c->prog, v, 1u << 22);
			return -1;
		}
		c->pool_count = (unsigned int)n;
	} else if (!strcmp(opt, "--idle-sleep-us")) {
		if (number(c->prog, opt, v, 1000000, &n))
			return -1;
		c->idle_sleep_us = (unsigned int)n;
	} else {
		if (number(c->prog, opt, v, 1023, &n))
			return -1;
		c->cpu = (int)n;
	}
	return 1;
}

void app_cli_usage(FILE *f)
{
	fprintf(f,
		"  --driver D      af_xdp, af_packet, tap, memif or ring\n"
		"  --dev IF        the interface (or memif/ring name)\n"
		"  --queue N       the queue to poll on each port (default 0)\n"
		"  --opt K=V       a driver option (repeatable), e.g. mode=copy\n"
		"  --config FILE   a libpktio JSON config instead (docs/pktio.md)\n"
		"  --buffers N     buffers in the pool (default 4096 for each\n"
		"                  queue opened: --dev x (--queue + 1))\n"
		"  --cpu N         pin the worker to CPU N\n"
		"  --idle-sleep-us N  sleep N us after a poll that found nothing\n"
		"                  (default 20; 0: busy poll, for benchmarks)\n"
		"  --stats PATH    serve live counters there (default\n"
		"                  " PKTIO_STATS_DIR
		"/<prog>.<pid>.sock; 'none': off);\n"
		"                  read them with sluice-pktio-stats\n"
		"  --duration S    stop after S seconds (default: on SIGINT/SIGTERM)\n");
}

int app_cli_check(const struct app_cli *c, unsigned int need_devs)
{
	if (c->config && (c->driver || c->n_devs)) {
		fprintf(stderr, "%s: --config or --driver/--dev, not both\n",
			c->prog);
		return -1;
	}
	if (c->config)
		return 0;
	if (c->driver && !strcmp(c->driver, "tun")) {
		/* a tun port carries IP packets without an Ethernet header,
		 * and both programs answer or forward Ethernet frames */
		fprintf(stderr,
			"%s: --driver tun: a tun port has no Ethernet header, "
			"which %s works on; use --driver tap\n",
			c->prog, c->prog);
		return -1;
	}
	if (!c->driver || c->n_devs != need_devs) {
		fprintf(stderr,
			"%s: needs --driver and %u --dev (or --config)\n",
			c->prog, need_devs);
		return -1;
	}
	return 0;
}

struct pktio_config *app_cli_config(const struct app_cli *c)
{
	struct pktio_config_thread *t;
	struct pktio_config_pool *pool;
	struct pktio_config *cfg;
	int err;

	if (c->config) {
		err = pktio_config_load(c->config, &cfg);
		if (err) {
			fprintf(stderr, "%s: %s\n", c->prog,
				pktio_last_error());
			return NULL;
		}
		return cfg;
	}
	cfg = pktio_config_new();
	if (!cfg)
		goto err_nomem;
	pool = pktio_config_add_pool(cfg, "default");
	t = pktio_config_add_thread(cfg, "worker0");
	if (!pool || !t)
		goto err_nomem;
	/* 4096 buffers for each queue opened (queues 0..--queue on every
	 * port): an af_xdp queue keeps up to half of it, 2048, in its fill
	 * ring, and a pool the fill rings take whole has nothing left to
	 * refill them with (every rx burst counts fill_empty) */
	pool->count = c->pool_count ? c->pool_count :
				      APP_CLI_BUFFERS_PER_QUEUE * c->n_devs *
					      (c->queue + 1);
	t->cpu = c->cpu;
	t->idle_sleep_us = c->idle_sleep_us;
	for (unsigned int i = 0; i < c->n_devs; i++) {
		struct pktio_config_port *p;

		p = pktio_config_add_port(cfg, c->driver, c->devs[i]);
		if (!p)
			goto err_nomem;
		snprintf(p->name, sizeof(p->name), "%s", c->devs[i]);
		p->queues = (uint16_t)(c->queue + 1);
		for (unsigned int k = 0; k < c->n_opts; k++)
			if (pktio_config_port_option(p, c->opts[k]))
				goto err_cfg;
		snprintf(t->queues[t->n_queues].port, sizeof(t->queues[0].port),
			 "%s", p->name);
		t->queues[t->n_queues++].queue = (uint16_t)c->queue;
	}
	if (pktio_config_validate(cfg))
		goto err_cfg;
	return cfg;

err_cfg:
	fprintf(stderr, "%s: %s\n", c->prog, pktio_last_error());
	pktio_config_free(cfg);
	return NULL;
err_nomem:
	fprintf(stderr, "%s: out of memory\n", c->prog);
	pktio_config_free(cfg);
	return NULL;
}

int app_cli_parse(struct app_cli *c, int argc, char **argv, app_cli_own_fn own,
		  void (*usage)(FILE *f), void *ctx)
{
	for (int i = 1; i < argc; i++) {
		int r = app_cli_option(c, argc, argv, &i);

		if (!r)
			r = own(argc, argv, &i, ctx);
		if (r < 0)
			return -1;
		if (r)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 1;
		}
		fprintf(stderr, "%s: '%s' is not an option\n", c->prog,
			argv[i]);
		usage(stderr);
		return -1;
	}
	return 0;
}

int app_cli_open(const struct app_cli *c, unsigned int need_devs,
		 pktio_burst_fn fn, void *ctx, struct pktio_app **app)
{
	struct pktio_config *cfg;
	int err;

	if (app_cli_check(c, need_devs))
		return 2;
	cfg = app_cli_config(c);
	if (!cfg)
		return 1;
	err = pktio_app_open(cfg, fn, ctx, app);
	pktio_config_free(cfg);
	if (err) {
		fprintf(stderr, "%s: %s\n", c->prog, pktio_last_error());
		return 1;
	}
	return 0;
}

static void print_modes(const struct app_cli *c, struct pktio_app *app)
{
	for (unsigned int i = 0; i < pktio_app_nports(app); i++) {
		struct pktio_port *p = pktio_app_port_at(app, i);
		struct pktio_queue_info qi = { 0 };

		for (uint16_t q = 0; q < pktio_port_nqueues(p); q++)
			if (!pktio_queue_info(p, q, &qi))
				fprintf(stderr, "%s: %s queue %u: %s\n",
					c->prog, pktio_port_name(p), q,
					qi.mode);
	}
}

/* Counters of every port, added up, as JSON members. */
static void print_totals(FILE *f, struct pktio_app *app)
{
	struct pktio_port_stats sum = { 0 };

	for (unsigned int i = 0; i < pktio_app_nports(app); i++) {
		struct pktio_port_stats s;

		if (pktio_port_stats_total(pktio_app_port_at(app, i), &s))
			continue;
		sum.rx_packets += s.rx_packets;
		sum.tx_packets += s.tx_packets;
		sum.rx_drops += s.rx_drops;
		sum.rx_errors += s.rx_errors;
		sum.copies += s.copies;
	}
	fprintf(f,
		"\"rx_packets\": %llu, \"tx_packets\": %llu, "
		"\"rx_drops\": %llu, \"rx_errors\": %llu, \"copies\": %llu",
		(unsigned long long)sum.rx_packets,
		(unsigned long long)sum.tx_packets,
		(unsigned long long)sum.rx_drops,
		(unsigned long long)sum.rx_errors,
		(unsigned long long)sum.copies);
}

static struct pktio_stats_server *serve_stats(const struct app_cli *c,
					      struct pktio_app *app)
{
	struct pktio_port *ports[PKTIO_CFG_MAX_PORTS];
	struct pktio_worker *workers[PKTIO_CFG_MAX_THREADS];
	struct pktio_stats_cfg sc = {
		.path = c->stats_path,
		.name = c->prog,
		.ports = ports,
		.nports = pktio_app_nports(app),
		.workers = workers,
		.nworkers = pktio_app_nworkers(app),
	};
	struct pktio_stats_server *srv = NULL;

	if (c->stats_path && !strcmp(c->stats_path, "none"))
		return NULL;
	for (unsigned int i = 0; i < sc.nports; i++)
		ports[i] = pktio_app_port_at(app, i);
	for (unsigned int i = 0; i < sc.nworkers; i++)
		workers[i] = pktio_app_worker_at(app, i);
	if (pktio_stats_serve(&sc, &srv)) {
		/* the program still works: say so and go on */
		fprintf(stderr, "%s: no live counters: %s\n", c->prog,
			pktio_last_error());
		return NULL;
	}
	fprintf(stderr, "%s: live counters on %s\n", c->prog,
		pktio_stats_path(srv));
	return srv;
}

int app_cli_run(const struct app_cli *c, struct pktio_app *app,
		void (*summary)(FILE *f, void *ctx), void *ctx)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct pktio_stats_server *srv;
	struct timespec start, now;
	int err;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	print_modes(c, app);
	srv = serve_stats(c, app);
	err = pktio_app_start(app);
	if (err) {
		fprintf(stderr, "%s: %s\n", c->prog, pktio_last_error());
		pktio_stats_stop(srv);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!stop_requested) {
		usleep(20000);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (c->duration && now.tv_sec - start.tv_sec >= c->duration)
			break;
	}
	pktio_stats_stop(srv);
	pktio_app_stop(app);
	printf("{");
	summary(stdout, ctx);
	printf(", ");
	print_totals(stdout, app);
	printf("}\n");
	fflush(stdout);
	/* every buffer back in its pool, or close says -EBUSY */
	err = pktio_app_close(app);
	if (err) {
		fprintf(stderr, "%s: stopping: %s\n", c->prog,
			pktio_last_error());
		return 1;
	}
	return 0;
}
