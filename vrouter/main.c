// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-vrouter: an IPv4/IPv6 router in user space on libgraph and
 * libpktio (issue #10, docs/vrouter.md).  sluiced's XDP program hands it
 * the packets it would forward (transit steering) over AF_XDP; the graph
 * routes them with sluiced's own FIB (lib/fibread) and sends them out;
 * what it does not route goes to the kernel through a TAP.  The kernel
 * keeps ARP/ND, OSPF/BGP (FRR) and the host's own traffic.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fibread.h>
#include <sluice/graph/graph.h>
#include <sluice/pktio/config.h>
#include "vr_config.h"
#include "vr_fib.h"
#include "vr_graph.h"
#include "vr_punt.h"
#include "vr_stats.h"
#include "vr_steer.h"

#define PROG "sluice-vrouter"
#define EXIT_USAGE 2

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t dump_flag;

struct vrouter {
	struct vr_config *cfg;
	struct pktio_app *app;
	struct pktio_port *tap;
	struct graph_fib fib;
	struct vr_fib ctl;
	struct vr_stats_src stats;
	struct pktio_worker *workers[VR_THREADS_MAX];
	struct vr_steer_state steer;
	bool steer_added;
};

static void usage(FILE *f)
{
	fputs("NAME\n"
	      "    " PROG " - the user-space router FRR drives (sluice, "
	      "docs/vrouter.md)\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    " PROG " [--config FILE] [--port IF]... [OPTIONS]\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Routes IPv4 and IPv6 in user space over libpktio ports "
	      "(af_xdp by\n"
	      "    default): eth-input -> ip4/ip6-input -> ip4/ip6-lookup -> "
	      "ip-rewrite ->\n"
	      "    if-output, one graph per thread, with sluiced's pinned "
	      "FIB as the\n"
	      "    route source.  sluiced (router role, same interfaces) "
	      "steers the\n"
	      "    packets it would forward to the program's AF_XDP sockets "
	      "(a transit\n"
	      "    selector); what the graph does not route goes to the "
	      "kernel through\n"
	      "    the punt TAP.  ARP/ND, routing protocols and the host's "
	      "own traffic\n"
	      "    stay in the kernel.\n"
	      "\n"
	      "OPTIONS (each overrides the config file's key)\n"
	      "    --config FILE        JSON config: ports and pools as "
	      "libpktio's,\n"
	      "                         and the keys below\n"
	      "    --port IF            an af_xdp port on IF (repeat; "
	      "replaces the\n"
	      "                         config's ports)                  "
	      "[ports]\n"
	      "    --threads N          worker threads, 1..16; each polls "
	      "queue i of\n"
	      "                         every port and sends on queue i "
	      "(default 1)\n"
	      "                                                          "
	      "[threads]\n"
	      "    --pin-dir DIR        sluiced's pin dir (default "
	      "/sys/fs/bpf/sluice)\n"
	      "                                                          "
	      "[pin_dir]\n"
	      "    --punt-tap NAME      the TAP towards the kernel "
	      "(default sv-punt)\n"
	      "                                                          "
	      "[punt_tap]\n"
	      "    --stats-file F       the stats document, rewritten "
	      "atomically every\n"
	      "                         interval, on SIGUSR1 and at exit "
	      "[stats_file]\n"
	      "    --stats-interval S   seconds, 1..3600 (default 1)   "
	      "[stats_interval]\n"
	      "    --steer MODE         auto: add the transit selectors "
	      "through sluiced's\n"
	      "                         API, warn when it cannot; "
	      "required: or exit;\n"
	      "                         off: the operator adds them "
	      "(default auto) [steer]\n"
	      "    --api EP             sluiced's API, unix:PATH or "
	      "tcp:HOST:PORT\n"
	      "                         (default "
	      "unix:/run/sluice/sluiced.sock)  [api]\n"
	      "    --fib-wait S         wait this long for sluiced's pins "
	      "(default 10)\n"
	      "                                                          "
	      "[fib_wait]\n"
	      "    --idle-sleep US      sleep after an empty poll, 0: busy "
	      "poll (default 0)\n"
	      "                                                          "
	      "[idle_sleep_us]\n"
	      "    -h, --help           this text\n"
	      "\n"
	      "SIGNALS\n"
	      "    SIGTERM, SIGINT: remove the selectors added, stop, write "
	      "the stats,\n"
	      "    print a summary line, close every port.  SIGUSR1: write "
	      "the stats.\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0 clean exit; 1 a start-up or run-time failure; 2 a bad "
	      "command line\n"
	      "    or config (the message names the field and the value).\n",
	      f);
}

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	dump_flag = 1;
}

static int parse_args(int argc, char **argv, struct vr_cli *cli)
{
	enum {
		O_PORT = 256,
		O_PIN_DIR,
		O_PUNT_TAP,
		O_THREADS,
		O_STATS_FILE,
		O_STATS_INTERVAL,
		O_STEER,
		O_API,
		O_FIB_WAIT,
		O_IDLE_SLEEP,
		O_CONFIG,
	};
	static const struct option opts[] = {
		{ "config", required_argument, NULL, O_CONFIG },
		{ "port", required_argument, NULL, O_PORT },
		{ "pin-dir", required_argument, NULL, O_PIN_DIR },
		{ "punt-tap", required_argument, NULL, O_PUNT_TAP },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "stats-file", required_argument, NULL, O_STATS_FILE },
		{ "stats-interval", required_argument, NULL, O_STATS_INTERVAL },
		{ "steer", required_argument, NULL, O_STEER },
		{ "api", required_argument, NULL, O_API },
		{ "fib-wait", required_argument, NULL, O_FIB_WAIT },
		{ "idle-sleep", required_argument, NULL, O_IDLE_SLEEP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return 1;
		case O_CONFIG: cli->config = optarg; break;
		case O_PORT:
			if (cli->n_ports == VR_PORTS_MAX) {
				fprintf(stderr,
					PROG ": --port: \"%s\": more than %d "
					     "ports\n",
					optarg, VR_PORTS_MAX);
				return -1;
			}
			cli->ports[cli->n_ports++] = optarg;
			break;
		case O_PIN_DIR: cli->pin_dir = optarg; break;
		case O_PUNT_TAP: cli->punt_tap = optarg; break;
		case O_THREADS: cli->threads = optarg; break;
		case O_STATS_FILE: cli->stats_file = optarg; break;
		case O_STATS_INTERVAL: cli->stats_interval = optarg; break;
		case O_STEER: cli->steer = optarg; break;
		case O_API: cli->api = optarg; break;
		case O_FIB_WAIT: cli->fib_wait = optarg; break;
		case O_IDLE_SLEEP: cli->idle_sleep = optarg; break;
		default:
			if (optopt)
				fprintf(stderr,
					PROG ": %s: needs a value (--help)\n",
					argv[optind - 1]);
			else
				fprintf(stderr,
					PROG ": %s: unknown option (--help)\n",
					argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": \"%s\": unexpected argument (--help)\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

/* libpktio's warnings and notes; its errors come back as return values
 * and are printed once, where they stop the start. */
static void pktio_log(enum pktio_log_level lvl, const char *msg, void *ctx)
{
	(void)ctx;
	if (lvl != PKTIO_LOG_ERR)
		fprintf(stderr, PROG ": pktio: %s\n", msg);
}

/* Every worker's burst, walked through that worker's own graph. */
static void vr_burst(struct pktio_worker *w, struct pktio_port *port,
		     uint16_t q, struct pktio_buf **bufs, uint16_t n, void *ctx)
{
	struct vrouter *vr = ctx;

	(void)port;
	(void)q;
	for (unsigned int i = 0; i < vr->stats.n_threads; i++) {
		if (vr->workers[i] == w) {
			graph_walk(vr->stats.graphs[i], bufs, n);
			return;
		}
	}
	pktio_buf_free_bulk(bufs, n); /* not reached: every worker is ours */
}

static int setup_fib_ports(struct vrouter *vr)
{
	for (unsigned int i = 0; i < vr->cfg->n_data_ports; i++) {
		const struct pktio_config_port *cp = &vr->cfg->pk->ports[i];
		struct pktio_port *p = pktio_app_port(
			vr->app, cp->name[0] ? cp->name : cp->dev);
		struct pktio_port_info info;

		if (!p || pktio_port_info(p, &info)) {
			fprintf(stderr, PROG ": port %s: not open\n", cp->dev);
			return -ENODEV;
		}
		if (!info.ifindex) {
			fprintf(stderr,
				PROG ": port %s: no kernel interface, so no "
				     "route of the FIB can name it\n",
				info.name);
			return -EINVAL;
		}
		vr->fib.ports[vr->fib.n_ports].ifindex = info.ifindex;
		vr->fib.ports[vr->fib.n_ports].port = p;
		vr->fib.n_ports++;
	}
	return 0;
}

static int setup_graphs(struct vrouter *vr)
{
	for (unsigned int t = 0; t < vr->cfg->threads; t++) {
		char name[PKTIO_NAME_MAX];
		int rc;

		snprintf(name, sizeof(name), "vr%u", t);
		vr->workers[t] = pktio_app_worker(vr->app, name);
		if (!vr->workers[t]) {
			fprintf(stderr, PROG ": worker %s: not created\n",
				name);
			return -ENOENT;
		}
		vr->ctl.workers[t] = vr->workers[t];
		rc = vr_graph_create((uint16_t)t, vr->tap, &vr->fib,
				     &vr->stats.graphs[t]);
		if (rc) {
			fprintf(stderr, PROG ": graph of thread %u: %s\n", t,
				graph_last_error());
			return rc;
		}
		vr->stats.n_threads = t + 1;
	}
	vr->ctl.n_workers = vr->cfg->threads;
	return 0;
}

static int add_steering(struct vrouter *vr)
{
	const char *ifaces[VR_PORTS_MAX];
	char err[512];
	int rc;

	if (vr->cfg->steer == VR_STEER_OFF)
		return 0;
	for (unsigned int i = 0; i < vr->cfg->n_data_ports; i++)
		ifaces[i] = vr->cfg->pk->ports[i].dev;
	rc = vr_steer_add(&vr->steer, vr->cfg->api, ifaces,
			  vr->cfg->n_data_ports, err, sizeof(err));
	vr->steer_added = true; /* delete what was added, even on error */
	if (!rc) {
		fprintf(stderr,
			PROG ": transit steering: %u selector(s) added, %u "
			     "port(s) covered already\n",
			vr->steer.n_added, vr->steer.n_found);
		return 0;
	}
	fprintf(stderr, PROG ": transit steering (%s): %s\n",
		vr_steer_name(vr->cfg->steer), err);
	if (vr->cfg->steer == VR_STEER_REQUIRED)
		return rc;
	fprintf(stderr, PROG ": add it yourself: sluicectl steer add --transit "
			     "--iface IF, for each port\n");
	return 0;
}

static void write_stats(struct vrouter *vr)
{
	int rc;

	if (!vr->cfg->stats_file[0])
		return;
	rc = vr_stats_write(&vr->stats, vr->cfg->stats_file);
	if (rc)
		fprintf(stderr, PROG ": --stats-file %s: %s\n",
			vr->cfg->stats_file, strerror(-rc));
}

static int reregister(struct vrouter *vr);

static int run(struct vrouter *vr)
{
	const struct timespec step = { 0, 100 * 1000 * 1000 };
	unsigned int ticks = 0;
	char err[512];

	write_stats(vr);
	while (!stop_flag) {
		nanosleep(&step, NULL);
		if (dump_flag) {
			dump_flag = 0;
			write_stats(vr);
		}
		if (++ticks % 10)
			continue;
		/* every second: the FIB */
		int rc = vr_fib_tick(&vr->ctl, err, sizeof(err));

		if (rc == 1) {
			fprintf(stderr,
				PROG ": sluiced rebuilt its FIB: reader "
				     "swapped (%llu)\n",
				(unsigned long long)vr->ctl.swaps);
			rc = reregister(vr);
			if (rc)
				return rc;
		} else if (rc < 0 && vr->ctl.stale_errors < 5)
			fprintf(stderr,
				PROG ": FIB: %s (routing on with the last "
				     "table)\n",
				err);
		if ((ticks / 10) % vr->cfg->stats_interval == 0)
			write_stats(vr);
	}
	return 0;
}

/* The ports, the TAP, the graphs, the workers: the part of the router
 * that a rebuild of sluiced's maps makes re-open (the sockets register
 * in sluiced's steer_xsks when their port opens). */
static int open_dataplane(struct vrouter *vr)
{
	char err[512];
	int rc;

	rc = pktio_app_open(vr->cfg->pk, vr_burst, vr, &vr->app);
	if (rc) {
		fprintf(stderr, PROG ": %s\n", pktio_last_error());
		return rc;
	}
	vr->stats.app = vr->app;
	vr->tap = pktio_app_port(vr->app, vr->cfg->punt_tap);
	if (!vr->tap) {
		fprintf(stderr, PROG ": punt TAP %s: not open\n",
			vr->cfg->punt_tap);
		return -ENODEV;
	}
	rc = vr_punt_sysctls(vr->cfg->punt_tap, err, sizeof(err));
	if (rc) {
		fprintf(stderr, PROG ": punt TAP: %s\n", err);
		return rc;
	}
	rc = setup_fib_ports(vr);
	if (!rc)
		rc = setup_graphs(vr);
	if (rc)
		return rc;
	rc = pktio_app_start(vr->app);
	if (rc)
		fprintf(stderr, PROG ": start: %s\n", pktio_last_error());
	return rc;
}

/* Stops the workers and closes the ports; -EBUSY when buffers are out. */
static int close_dataplane(struct vrouter *vr, bool summary)
{
	int rc = 0;

	if (vr->app)
		pktio_app_stop(vr->app);
	if (vr->app && vr->stats.n_threads) {
		write_stats(vr);
		if (summary)
			vr_stats_summary(&vr->stats, stdout);
	}
	for (unsigned int t = 0; t < vr->stats.n_threads; t++)
		graph_destroy(vr->stats.graphs[t]);
	vr->stats.n_threads = 0;
	vr->ctl.n_workers = 0;
	vr->fib.n_ports = 0;
	if (vr->app && pktio_app_close(vr->app) == -EBUSY) {
		fprintf(stderr, PROG ": buffers still out at close\n");
		rc = -EBUSY;
	}
	vr->app = NULL;
	vr->stats.app = NULL;
	vr->tap = NULL;
	return rc;
}

/*
 * sluiced rebuilt its maps (a restart without --keep-on-exit): the
 * reader was swapped, but the sockets are in the old steer_xsks, so the
 * new sluice_xdp finds none of them (no_socket) and forwards by itself.
 * Open the ports again to register in the new one, and add the transit
 * selectors the new sluiced does not have.  The counters restart at 0.
 */
static int reregister(struct vrouter *vr)
{
	int rc;

	char err[512];

	/* The pins appear early in sluiced's start, before it manages the
	 * ports and serves steer_xsks: a port opened then would find no
	 * sluiced on its interface and attach an XDP program of its own.
	 * sluiced answers on its API once it is up: wait for that. */
	rc = vr_steer_wait_api(vr->cfg->api, 20000, &stop_flag, err,
			       sizeof(err));
	if (rc == -ECANCELED)
		return 0;
	if (rc) {
		fprintf(stderr,
			PROG ": sluiced rebuilt its maps but its API %s does "
			     "not answer (%s): not re-opening the ports\n",
			vr->cfg->api, err);
		return rc;
	}
	fprintf(stderr,
		PROG ": re-opening the ports to register in sluiced's new "
		     "maps\n");
	rc = close_dataplane(vr, false);
	/* no worker runs: the swapped-out reader can go now */
	vr_fib_drop_retired(&vr->ctl);
	if (!rc)
		rc = open_dataplane(vr);
	if (!rc)
		rc = add_steering(vr);
	if (!rc)
		fprintf(stderr, PROG ": re-registered in sluiced's new maps\n");
	return rc;
}

static int start(struct vrouter *vr)
{
	char err[512];
	struct fibread *reader;
	int rc;

	rc = vr_graph_types(err, sizeof(err));
	if (rc) {
		fprintf(stderr, PROG ": %s\n", err);
		return rc;
	}
	rc = fibread_open(&reader, vr->cfg->pin_dir, err, sizeof(err));
	if (rc == -ENOENT && vr->cfg->fib_wait) {
		fprintf(stderr,
			PROG ": waiting up to %u s for sluiced's FIB in %s "
			     "(%s)\n",
			vr->cfg->fib_wait, vr->cfg->pin_dir, err);
		rc = vr_fib_open_wait(vr->cfg->pin_dir, vr->cfg->fib_wait,
				      &stop_flag, &reader, err, sizeof(err));
	}
	if (rc) {
		fprintf(stderr,
			PROG ": sluiced's FIB in %s (waited %u s): %s (is "
			     "sluiced running, router role, --pin-dir %s?)\n",
			vr->cfg->pin_dir, vr->cfg->fib_wait, err,
			vr->cfg->pin_dir);
		return rc;
	}
	vr->fib.reader = reader;
	vr->ctl.fib = &vr->fib;
	snprintf(vr->ctl.pin_dir, sizeof(vr->ctl.pin_dir), "%s",
		 vr->cfg->pin_dir);
	vr->stats.fib = &vr->ctl;
	if (vr_fib_open_notes(&vr->ctl, err, sizeof(err)))
		fprintf(stderr,
			PROG ": on-link misses not noted for sluiced: %s "
			     "(counted as onlink_note_errors; tried again "
			     "every second)\n",
			err);
	{
		const char *ifaces[VR_PORTS_MAX];

		for (unsigned int i = 0; i < vr->cfg->n_data_ports; i++)
			ifaces[i] = vr->cfg->pk->ports[i].dev;
		rc = vr_ports_managed(vr->cfg->pin_dir, ifaces,
				      vr->cfg->n_data_ports, err, sizeof(err));
		if (rc) {
			fprintf(stderr, PROG ": %s\n", err);
			return rc;
		}
	}
	rc = open_dataplane(vr);
	if (rc)
		return rc;
	/* the sockets are in sluiced's XSKMAP since the ports opened: from
	 * the selector on, every transit packet finds one */
	return add_steering(vr);
}

static int stop(struct vrouter *vr)
{
	char err[512];
	int rc = 0;

	/* selectors first: with no selector, XDP forwards by itself again */
	if (vr->steer_added && vr_steer_del(&vr->steer, err, sizeof(err))) {
		fprintf(stderr, PROG ": removing the transit selectors: %s\n",
			err);
		rc = -EIO;
	}
	if (close_dataplane(vr, true))
		rc = -EBUSY;
	if (vr->ctl.fib)
		vr_fib_close(&vr->ctl);
	return rc;
}

int main(int argc, char **argv)
{
	struct vr_cli cli = { 0 };
	struct vrouter vr = { 0 };
	struct sigaction sa = { 0 };
	char err[512];
	int rc;

	rc = parse_args(argc, argv, &cli);
	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	pktio_set_log(pktio_log, NULL);
	rc = vr_config_build(&cli, &vr.cfg, err, sizeof(err));
	if (rc) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_USAGE;
	}
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = start(&vr);
	if (!rc) {
		fprintf(stderr,
			PROG ": routing on %u port(s), %u thread(s), punt TAP "
			     "%s, FIB %s\n",
			vr.cfg->n_data_ports, vr.cfg->threads, vr.cfg->punt_tap,
			vr.cfg->pin_dir);
		rc = run(&vr);
	}
	if (stop(&vr) && !rc)
		rc = -EIO;
	vr_config_free(vr.cfg);
	return rc ? 1 : 0;
}
