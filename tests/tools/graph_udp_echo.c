// SPDX-License-Identifier: BSD-2-Clause
/*
 * graph_udp_echo: a UDP echo application on the graph's UDP channels, for
 * the netns tier (tests/netns/t_graph_udp.sh).  A worker thread receives
 * from a pktio port (af_xdp by default: the socket registers itself in
 * sluiced's steering map through --pin-dir, so sluiced's XDP program sends
 * it what a `steer add` selector picks) and walks each burst through
 *   eth-input -> ip4-input / ip6-input -> ip4-lookup / ip6-lookup
 *     lookup:  local   -> udp-input (channels; unbound: punt)
 *              rewrite -> ip-rewrite -> if-output (the port)
 *              punt    -> punt, drop -> drop
 * on sluiced's own FIB (fibread_open on --pin-dir: the routes and
 * neighbours the XDP path forwards with).  punt: with --punt-tap, a punt
 * node sending to a TAP whose kernel answers what the graph does not take
 * (ICMP port unreachable among it; what the kernel writes to the TAP is
 * sent out of the port as it is); without it, a drop node named punt that
 * counts the reasons.  An application thread binds the --bind endpoints,
 * sleeps in poll() on the channels' eventfds, receives each datagram and
 * sends its payload back with graph_udp_send() from the address it came
 * to; the worker walks the channels' frames (graph_udp_poll_tx) through
 * the same graph's entry, so an answer is routed like any packet: the
 * lookup's next hop, the MACs of the FIB's neighbour and port, TTL - 1,
 * out by if-output.
 *
 *   graph_udp_echo --dev IF --pin-dir DIR [--driver D] [--punt-tap TAP]
 *                  --bind ADDR:PORT [--bind ...]
 *   (ADDR: 198.18.0.1, [2001:db8::1], 0.0.0.0, [::] or * for any)
 *
 * Prints "ready" when bound and running; at SIGTERM/SIGINT, per channel
 * "chan ADDR:PORT rx N rx_full N tx N tx_full N tx_nobuf N echoed N",
 * then "udp delivered N unbound N rx_full N send_failed N", "punt
 * pass_local N pass_fragment N", "drop bad_csum N bad_len N trunc_l4 N",
 * "lkp4 ..."/"lkp6 ..." (what the lookups punted, by reason), "rewrite
 * packets N punted N", "out packets N tx_full N bad_slot N", "port rx N
 * tx N", "tap tx N rx N" (to and from the kernel), "kernel out N" (frames
 * from the TAP sent out) and, once everything is closed, "pool A/T"; exit
 * status 1 when a buffer did not come back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sluice/graph/fib.h>
#include <sluice/graph/graph.h>
#include <sluice/graph/udp.h>
#include <sluice/pktio/pktio.h>
#include "fibread.h"

#define POOL_COUNT 4096u /* the af_xdp fill ring takes 2048 */
#define BURST 32
#define MAX_BINDS 8

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct echo {
	struct pktio_port *port;
	struct pktio_port *tap; /* the punt's, or NULL */
	uint64_t kernel_out;
	struct graph *g;
	struct graph_fib fib; /* the lookups', ip-rewrite's, if-output's */
	struct graph_udp *udp;
	struct graph_udp_chan *ch[MAX_BINDS];
	struct graph_udp_ep ep[MAX_BINDS];
	uint64_t echoed[MAX_BINDS];
	uint64_t send_failed;
	unsigned int n;
};

/* ADDR:PORT, [ADDR6]:PORT, *:PORT */
static int parse_ep(const char *s, struct graph_udp_ep *ep)
{
	char a[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	size_t n;
	long port;

	memset(ep, 0, sizeof(*ep));
	if (!colon || (size_t)(colon - s) >= sizeof(a))
		return -EINVAL;
	n = (size_t)(colon - s);
	memcpy(a, s, n);
	a[n] = 0;
	port = strtol(colon + 1, NULL, 10);
	if (port < 1 || port > 65535)
		return -EINVAL;
	ep->port = (uint16_t)port;
	if (!strcmp(a, "*")) {
		ep->family = AF_UNSPEC;
		return 0;
	}
	if (a[0] == '[' && n > 2 && a[n - 1] == ']') {
		a[n - 1] = 0;
		ep->family = AF_INET6;
		return inet_pton(AF_INET6, a + 1, &ep->addr) == 1 ? 0 : -EINVAL;
	}
	ep->family = AF_INET;
	return inet_pton(AF_INET, a, &ep->addr) == 1 ? 0 : -EINVAL;
}

/*
 * The worker: what the port received, then what the channels send, both
 * walked through the graph's entry (the answers are routed there); what
 * the kernel writes to the punt TAP goes out of the port as it is.
 */
static void *worker_main(void *arg)
{
	struct echo *e = arg;
	struct pktio_buf *bufs[BURST];
	struct timespec nap = { 0, 50000 };

	while (!stop) {
		uint16_t n = pktio_rx_burst(e->port, 0, bufs, BURST), k, m,
			 sent;

		if (n)
			graph_walk(e->g, bufs, n);
		k = graph_udp_poll_tx(e->udp, bufs, BURST);
		if (k)
			graph_walk(e->g, bufs, k);
		m = e->tap ? pktio_rx_burst(e->tap, 0, bufs, BURST) : 0;
		sent = m ? pktio_tx_burst(e->port, 0, bufs, m) : 0;
		e->kernel_out += sent;
		pktio_buf_free_bulk(bufs + sent, m - sent);
		if (!n && !k && !m)
			nanosleep(&nap, NULL);
	}
	return NULL;
}

/* The application: poll, recv, send back from the address it came to. */
static void *app_main(void *arg)
{
	struct echo *e = arg;
	struct pollfd pfd[MAX_BINDS];
	struct graph_udp_dgram dg[BURST];

	for (unsigned int i = 0; i < e->n; i++)
		pfd[i] = (struct pollfd){ .fd = graph_udp_fd(e->ch[i]),
					  .events = POLLIN };
	while (!stop) {
		if (poll(pfd, e->n, 100) <= 0)
			continue;
		for (unsigned int c = 0; c < e->n; c++) {
			unsigned int n;

			while ((n = graph_udp_recv(e->ch[c], dg, BURST))) {
				for (unsigned int i = 0; i < n; i++) {
					int err, tries = 0;

					do {
						err = graph_udp_send(
							e->ch[c], &dg[i].local,
							&dg[i].peer, dg[i].data,
							dg[i].len);
					} while ((err == -EAGAIN ||
						  err == -ENOBUFS) &&
						 ++tries < 1000 && !usleep(10));
					if (err)
						e->send_failed++;
					else
						e->echoed[c]++;
					graph_udp_release(&dg[i]);
				}
			}
		}
	}
	return NULL;
}

static int build_graph(struct echo *e)
{
	static const struct graph_edge_spec eth[] = { { "ip4", "ip4" },
						      { "ip6", "ip6" },
						      { "punt", "punt" },
						      { "drop", "drop" } };
	static const struct graph_edge_spec ip4[] = { { "ok", "lkp4" },
						      { "punt", "punt" },
						      { "drop", "drop" } };
	static const struct graph_edge_spec ip6[] = { { "ok", "lkp6" },
						      { "punt", "punt" },
						      { "drop", "drop" } };
	static const struct graph_edge_spec lkp[] = { { "rewrite", "rw" },
						      { "local", "udp" },
						      { "punt", "punt" },
						      { "drop", "drop" } };
	static const struct graph_edge_spec rw[] = { { "output", "out" },
						     { "punt", "punt" },
						     { "drop", "drop" } };
	static const struct graph_edge_spec udp[] = { { "punt", "punt" },
						      { "drop", "drop" } };
	struct graph_node_spec nodes[] = {
		{ .name = "eth", .type = "eth-input", .next = eth, .n_next = 4 },
		{ .name = "ip4", .type = "ip4-input", .next = ip4, .n_next = 3 },
		{ .name = "ip6", .type = "ip6-input", .next = ip6, .n_next = 3 },
		{ .name = "lkp4",
		  .type = "ip4-lookup",
		  .next = lkp,
		  .n_next = 4,
		  .arg = &e->fib },
		{ .name = "lkp6",
		  .type = "ip6-lookup",
		  .next = lkp,
		  .n_next = 4,
		  .arg = &e->fib },
		{ .name = "udp",
		  .type = "udp-input",
		  .next = udp,
		  .n_next = 2,
		  .arg = e->udp },
		{ .name = "rw",
		  .type = "ip-rewrite",
		  .next = rw,
		  .n_next = 3,
		  .arg = &e->fib },
		{ .name = "out", .type = "if-output", .arg = &e->fib },
		{ .name = "punt",
		  .type = e->tap ? "punt" : "drop",
		  .port = e->tap },
		{ .name = "drop", .type = "drop" },
	};
	struct graph_spec spec = {
		.nodes = nodes, .n_nodes = sizeof(nodes) / sizeof(nodes[0])
	};

	return graph_create(&spec, &e->g);
}

/*
 * The FIB the lookups read (sluiced's pins) and its one port: @dev's
 * ifindex, the next hops' egress, is the port the tool opened.
 */
static int open_fib(struct echo *e, const char *pin_dir, const char *dev)
{
	char why[256];
	int ifindex = (int)if_nametoindex(dev), err;

	if (!ifindex) {
		fprintf(stderr, "--dev %s: %s\n", dev, strerror(errno));
		return -ENODEV;
	}
	err = fibread_open(&e->fib.reader, pin_dir, why, sizeof(why));
	if (err) {
		fprintf(stderr, "--pin-dir %s: %s\n", pin_dir, why);
		return err;
	}
	e->fib.ports[0] =
		(struct graph_fib_port){ .ifindex = ifindex, .port = e->port };
	e->fib.n_ports = 1;
	return 0;
}

static uint64_t counter(struct echo *e, const char *node, const char *name)
{
	uint64_t v = 0;

	graph_node_counter(e->g, node, name, &v); /* 0 when never seen */
	return v;
}

static void print_stats(struct echo *e)
{
	struct pktio_port_stats ps;
	struct graph_udp_chan_stats s;
	char a[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < e->n; i++) {
		graph_udp_chan_stats(e->ch[i], &s);
		strcpy(a, "*");
		if (e->ep[i].family != AF_UNSPEC)
			inet_ntop(e->ep[i].family, &e->ep[i].addr, a,
				  sizeof(a));
		printf("chan %s%s%s:%u rx %llu rx_full %llu tx %llu tx_full "
		       "%llu tx_nobuf %llu echoed %llu\n",
		       e->ep[i].family == AF_INET6 ? "[" : "", a,
		       e->ep[i].family == AF_INET6 ? "]" : "", e->ep[i].port,
		       (unsigned long long)s.rx, (unsigned long long)s.rx_full,
		       (unsigned long long)s.tx, (unsigned long long)s.tx_full,
		       (unsigned long long)s.tx_nobuf,
		       (unsigned long long)e->echoed[i]);
	}
	printf("udp delivered %llu unbound %llu rx_full %llu send_failed "
	       "%llu\n",
	       (unsigned long long)counter(e, "udp", "delivered"),
	       (unsigned long long)counter(e, "udp", "unbound"),
	       (unsigned long long)counter(e, "udp", "rx_full"),
	       (unsigned long long)e->send_failed);
	printf("punt pass_local %llu pass_fragment %llu\n",
	       (unsigned long long)counter(e, "punt", "pass_local"),
	       (unsigned long long)counter(e, "punt", "pass_fragment"));
	printf("drop bad_csum %llu bad_len %llu trunc_l4 %llu\n",
	       (unsigned long long)counter(e, "drop", "drop_bad_csum"),
	       (unsigned long long)counter(e, "drop", "drop_bad_len"),
	       (unsigned long long)counter(e, "drop", "drop_trunc_l4"));
	for (int v = 4; v <= 6; v += 2) {
		const char *lkp = v == 4 ? "lkp4" : "lkp6";

		printf("%s packets %llu pass_no_route %llu pass_no_neigh %llu "
		       "pass_egress_unmanaged %llu pass_kernel_route %llu\n",
		       lkp, (unsigned long long)counter(e, lkp, "packets"),
		       (unsigned long long)counter(e, lkp, "pass_no_route"),
		       (unsigned long long)counter(e, lkp, "pass_no_neigh"),
		       (unsigned long long)counter(e, lkp,
						   "pass_egress_unmanaged"),
		       (unsigned long long)counter(e, lkp,
						   "pass_kernel_route"));
	}
	printf("rewrite packets %llu pass_no_neigh %llu pass_mtu %llu "
	       "pass_ttl %llu\n",
	       (unsigned long long)counter(e, "rw", "packets"),
	       (unsigned long long)counter(e, "rw", "pass_no_neigh"),
	       (unsigned long long)counter(e, "rw", "pass_mtu"),
	       (unsigned long long)counter(e, "rw", "pass_ttl"));
	printf("out packets %llu tx_full %llu bad_slot %llu\n",
	       (unsigned long long)counter(e, "out", "packets"),
	       (unsigned long long)counter(e, "out", "tx_full"),
	       (unsigned long long)counter(e, "out", "bad_slot"));
	pktio_port_stats_total(e->port, &ps);
	printf("port rx %llu tx %llu\n", (unsigned long long)ps.rx_packets,
	       (unsigned long long)ps.tx_packets);
	if (e->tap) {
		pktio_port_stats_total(e->tap, &ps);
		printf("tap tx %llu rx %llu\n",
		       (unsigned long long)ps.tx_packets,
		       (unsigned long long)ps.rx_packets);
	}
	printf("kernel out %llu\n", (unsigned long long)e->kernel_out);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "dev", required_argument, NULL, 'i' },
		{ "bind", required_argument, NULL, 'b' },
		{ "punt-tap", required_argument, NULL, 't' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct pktio_port_cfg cfg = { .driver = "af_xdp", .nqueues = 1 };
	struct pktio_port_cfg tcfg = { .driver = "tap", .nqueues = 1 };
	struct graph_udp_opts uopts = { 0 };
	const char *pin_dir = NULL;
	char pin_opt[256];
	const char *opts[1];
	struct pktio_pool_cfg pcfg;
	struct pktio_pool *pool;
	struct echo e = { 0 };
	pthread_t worker, app;
	int c, err, rc = 0;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'd': cfg.driver = optarg; break;
		case 'i': cfg.dev = optarg; break;
		case 't': tcfg.dev = optarg; break;
		case 'p': pin_dir = optarg; break;
		case 'b':
			if (e.n == MAX_BINDS || parse_ep(optarg, &e.ep[e.n])) {
				fprintf(stderr, "--bind %s: not ADDR:PORT\n",
					optarg);
				return 2;
			}
			e.n++;
			break;
		default: return 2;
		}
	}
	if (!cfg.dev || !pin_dir || !e.n) {
		fprintf(stderr, "usage: graph_udp_echo --dev IF --pin-dir DIR "
				"[--driver D] [--punt-tap TAP] "
				"--bind ADDR:PORT...\n");
		return 2;
	}
	if (!strcmp(cfg.driver, "af_xdp")) {
		/* the socket goes into sluiced's steering map */
		snprintf(pin_opt, sizeof(pin_opt), "pin_dir=%s", pin_dir);
		opts[0] = pin_opt;
		cfg.options = opts;
		cfg.n_options = 1;
	}
	/* the af_xdp driver says whether sluiced steers the port */
	pktio_set_log_level(PKTIO_LOG_INFO);
	pktio_pool_cfg_init(&pcfg, POOL_COUNT);
	err = pktio_pool_create(&pcfg, &pool);
	if (err) {
		fprintf(stderr, "pool: %s\n", strerror(-err));
		return 1;
	}
	cfg.pool = pool;
	err = pktio_port_open(&cfg, &e.port);
	if (err) {
		fprintf(stderr, "open: %s\n", pktio_last_error());
		goto out_pool;
	}
	if (tcfg.dev) {
		tcfg.pool = pool;
		err = pktio_port_open(&tcfg, &e.tap);
		if (err) {
			fprintf(stderr, "open %s: %s\n", tcfg.dev,
				pktio_last_error());
			goto out_port;
		}
	}
	err = open_fib(&e, pin_dir, cfg.dev);
	if (err)
		goto out_tap;
	uopts.tx_pool = pool;
	err = graph_udp_create(&e.udp, &uopts);
	if (!err)
		err = build_graph(&e);
	for (unsigned int i = 0; !err && i < e.n; i++)
		err = graph_udp_bind(e.udp, &e.ep[i], &e.ch[i]);
	if (err) {
		fprintf(stderr, "graph: %s\n", graph_last_error());
		goto out_graph;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (pthread_create(&worker, NULL, worker_main, &e)) {
		err = -errno;
		goto out_graph;
	}
	if (pthread_create(&app, NULL, app_main, &e)) {
		err = -errno;
		stop = 1;
		pthread_join(worker, NULL);
		goto out_graph;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop) /* the signal may land on any thread */
		usleep(100000);
	pthread_join(app, NULL);
	pthread_join(worker, NULL);
	print_stats(&e);
out_graph:
	graph_destroy(e.g);
	graph_udp_destroy(e.udp);
	fibread_close(e.fib.reader);
out_tap:
	if (e.tap)
		pktio_port_close(e.tap);
out_port:
	pktio_port_close(e.port);
out_pool:
	printf("pool %u/%u\n", pktio_pool_avail(pool), pktio_pool_count(pool));
	if (pktio_pool_avail(pool) != pktio_pool_count(pool))
		rc = 1;
	if (pktio_pool_destroy(pool))
		rc = 1;
	return err ? 1 : rc;
}
