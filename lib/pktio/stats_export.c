// SPDX-License-Identifier: BSD-2-Clause
/* The live statistics export (include/sluice/pktio/stats.h): one thread
 * that accepts on a unix socket and writes the counters as one JSON
 * document per connection.  Nothing here runs on a packet path. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>
#include <sluice/pktio/stats.h>
#include "pktio_internal.h"

struct pktio_stats_server {
	struct pktio_stats_cfg cfg; /* ports/workers arrays copied below */
	struct pktio_port **ports;
	struct pktio_worker **workers;
	char name[64];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
	int stop_pipe[2];
	pthread_t thread;
};

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static struct json_object *queue_json(struct pktio_port *port, uint16_t q)
{
	struct json_object *o = json_object_new_object();
	struct pktio_queue_info qi = { 0 };
	struct pktio_port_stats s = { 0 };

	pktio_queue_info(port, q, &qi);
	pktio_port_stats(port, q, &s);
	json_object_object_add(o, "queue", json_object_new_int(q));
	json_object_object_add(o, "mode", json_object_new_string(qi.mode));
	add_u64(o, "rx_packets", s.rx_packets);
	add_u64(o, "rx_bytes", s.rx_bytes);
	add_u64(o, "rx_drops", s.rx_drops);
	add_u64(o, "rx_errors", s.rx_errors);
	add_u64(o, "tx_packets", s.tx_packets);
	add_u64(o, "tx_bytes", s.tx_bytes);
	add_u64(o, "tx_drops", s.tx_drops);
	add_u64(o, "tx_errors", s.tx_errors);
	add_u64(o, "wakeups", s.wakeups);
	add_u64(o, "fill_empty", s.fill_empty);
	add_u64(o, "copies", s.copies);
	return o;
}

static struct json_object *port_json(struct pktio_port *port)
{
	struct json_object *o = json_object_new_object();
	struct json_object *queues = json_object_new_array();
	struct json_object *pool = json_object_new_object();
	struct pktio_port_info info = { 0 };
	struct pktio_pool_stats ps = { 0 };
	struct pktio_pool *p;

	pktio_port_info(port, &info);
	json_object_object_add(o, "name", json_object_new_string(info.name));
	json_object_object_add(o, "driver",
			       json_object_new_string(info.driver));
	json_object_object_add(o, "dev", json_object_new_string(info.dev));
	json_object_object_add(o, "id", json_object_new_int(info.id));
	p = pktio_port_pool(port, 0);
	if (p)
		pktio_pool_stats(p, &ps);
	add_u64(pool, "total", ps.total);
	add_u64(pool, "avail", ps.avail);
	add_u64(pool, "copies", ps.copies);
	add_u64(pool, "alloc_fails", ps.alloc_fails);
	json_object_object_add(o, "pool", pool);
	for (uint16_t q = 0; q < info.nqueues; q++)
		json_object_array_add(queues, queue_json(port, q));
	json_object_object_add(o, "queues", queues);
	return o;
}

static struct json_object *worker_json(struct pktio_worker *w)
{
	struct json_object *o = json_object_new_object();
	struct pktio_worker_stats s = { 0 };

	pktio_worker_stats(w, &s);
	json_object_object_add(o, "name",
			       json_object_new_string(pktio_worker_name(w)));
	json_object_object_add(o, "cpu",
			       json_object_new_int(pktio_worker_cpu(w)));
	add_u64(o, "loops", s.loops);
	add_u64(o, "polls", s.polls);
	add_u64(o, "bursts", s.bursts);
	add_u64(o, "packets", s.packets);
	add_u64(o, "idle_loops", s.idle_loops);
	return o;
}

char *pktio_stats_json(const struct pktio_stats_cfg *cfg)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *ports = json_object_new_array();
	struct json_object *workers = json_object_new_array();
	char *text;

	if (!doc || !ports || !workers) {
		json_object_put(doc);
		json_object_put(ports);
		json_object_put(workers);
		errno = ENOMEM;
		return NULL;
	}
	json_object_object_add(doc, "pid", json_object_new_int(getpid()));
	json_object_object_add(doc, "name",
			       json_object_new_string(cfg->name ?: "pktio"));
	for (unsigned int i = 0; i < cfg->nports; i++)
		json_object_array_add(ports, port_json(cfg->ports[i]));
	for (unsigned int i = 0; i < cfg->nworkers; i++)
		json_object_array_add(workers, worker_json(cfg->workers[i]));
	json_object_object_add(doc, "ports", ports);
	json_object_object_add(doc, "workers", workers);
	text = strdup(json_object_to_json_string_ext(
		doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	if (!text)
		errno = ENOMEM;
	return text;
}

static void serve_one(struct pktio_stats_server *srv, int c)
{
	char *text = pktio_stats_json(&srv->cfg);
	size_t len, off = 0;

	if (!text)
		return;
	len = strlen(text);
	while (off < len) {
		ssize_t n = send(c, text + off, len - off, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(text);
}

static void *serve(void *arg)
{
	struct pktio_stats_server *srv = arg;
	struct pollfd fds[2] = {
		{ .fd = srv->fd, .events = POLLIN },
		{ .fd = srv->stop_pipe[0], .events = POLLIN },
	};

	for (;;) {
		int c;

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		c = accept4(srv->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		serve_one(srv, c);
		close(c);
	}
	return NULL;
}

/* An existing socket file is replaced only when nobody answers on it. */
static int claim_path(const struct sockaddr_un *sa)
{
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (probe < 0)
		return -errno;
	if (!connect(probe, (const struct sockaddr *)sa, sizeof(*sa))) {
		pktio_set_error("stats: %s: another process serves it",
				sa->sun_path);
		err = -EADDRINUSE;
	} else if (errno == ECONNREFUSED) {
		unlink(sa->sun_path);
	}
	close(probe);
	return err;
}

static int bind_socket(struct pktio_stats_server *srv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", srv->path);
	err = claim_path(&sa);
	if (err)
		return err;
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv->fd < 0)
		return -errno;
	if (bind(srv->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(srv->fd, 8)) {
		err = -errno;
		pktio_set_error("stats: %s: %s", srv->path, strerror(-err));
		close(srv->fd);
		srv->fd = -1;
		return err;
	}
	return 0;
}

static int default_path(struct pktio_stats_server *srv)
{
	int n;

	if (mkdir(PKTIO_STATS_DIR, 0755) && errno != EEXIST) {
		int err = -errno;

		pktio_set_error("stats: cannot create %s: %s", PKTIO_STATS_DIR,
				strerror(-err));
		return err;
	}
	n = snprintf(srv->path, sizeof(srv->path), "%s/%s.%d.sock",
		     PKTIO_STATS_DIR, srv->name, (int)getpid());
	return n < 0 || (size_t)n >= sizeof(srv->path) ? -ENAMETOOLONG : 0;
}

int pktio_stats_serve(const struct pktio_stats_cfg *cfg,
		      struct pktio_stats_server **out)
{
	struct pktio_stats_server *srv;
	int err;

	if (!cfg || !out || (cfg->nports && !cfg->ports) ||
	    (cfg->nworkers && !cfg->workers))
		return -EINVAL;
	if (cfg->path && strlen(cfg->path) >= sizeof(srv->path)) {
		pktio_set_error("stats: path '%s' is too long for a socket",
				cfg->path);
		return -ENAMETOOLONG;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->fd = -1;
	srv->stop_pipe[0] = srv->stop_pipe[1] = -1;
	snprintf(srv->name, sizeof(srv->name), "%s", cfg->name ?: "pktio");
	srv->ports = calloc(cfg->nports + 1, sizeof(*srv->ports));
	srv->workers = calloc(cfg->nworkers + 1, sizeof(*srv->workers));
	if (!srv->ports || !srv->workers) {
		err = -ENOMEM;
		goto err_free;
	}
	if (cfg->nports)
		memcpy(srv->ports, cfg->ports,
		       cfg->nports * sizeof(*srv->ports));
	if (cfg->nworkers)
		memcpy(srv->workers, cfg->workers,
		       cfg->nworkers * sizeof(*srv->workers));
	srv->cfg = *cfg;
	srv->cfg.ports = srv->ports;
	srv->cfg.workers = srv->workers;
	srv->cfg.name = srv->name;
	if (cfg->path)
		snprintf(srv->path, sizeof(srv->path), "%s", cfg->path);
	else if ((err = default_path(srv)))
		goto err_free;
	srv->cfg.path = srv->path;
	err = bind_socket(srv);
	if (err)
		goto err_free;
	if (pipe2(srv->stop_pipe, O_CLOEXEC)) {
		err = -errno;
		goto err_close;
	}
	err = -pthread_create(&srv->thread, NULL, serve, srv);
	if (err)
		goto err_pipe;
	*out = srv;
	return 0;

err_pipe:
	close(srv->stop_pipe[0]);
	close(srv->stop_pipe[1]);
err_close:
	close(srv->fd);
	unlink(srv->path);
err_free:
	free(srv->ports);
	free(srv->workers);
	free(srv);
	return err;
}

const char *pktio_stats_path(const struct pktio_stats_server *srv)
{
	return srv->path;
}

void pktio_stats_stop(struct pktio_stats_server *srv)
{
	if (!srv)
		return;
	if (write(srv->stop_pipe[1], "x", 1) < 0)
		pthread_cancel(srv->thread);
	pthread_join(srv->thread, NULL);
	close(srv->stop_pipe[0]);
	close(srv->stop_pipe[1]);
	close(srv->fd);
	unlink(srv->path);
	free(srv->ports);
	free(srv->workers);
	free(srv);
}
