// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "vr_stats.h"

struct totals {
	uint64_t rx, tx, port_drops, forwarded, punted, dropped;
	uint64_t onlink_notes, onlink_note_errors;
};

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static uint64_t node_packets(struct graph *g, const char *node)
{
	struct graph_node_stats ns;

	return graph_node_stats(g, node, &ns) ? 0 : ns.packets;
}

/* A counter of the node's own, 0 when it has none. */
static uint64_t node_counter(struct graph *g, const char *node,
			     const char *name)
{
	uint64_t v;

	return graph_node_counter(g, node, name, &v) ? 0 : v;
}

static void add_lookups(struct graph *g, struct totals *t)
{
	static const char *const lookups[] = { "ip4-lookup", "ip6-lookup" };

	for (size_t i = 0; i < 2; i++) {
		t->onlink_notes += node_counter(g, lookups[i], "onlink_notes");
		t->onlink_note_errors +=
			node_counter(g, lookups[i], "onlink_note_errors");
	}
}

static struct json_object *threads_json(const struct vr_stats_src *s,
					struct totals *t)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; a && i < s->n_threads; i++) {
		struct pktio_worker *w = pktio_app_worker_at(s->app, i);
		struct json_object *o = json_object_new_object(), *g = NULL;
		struct pktio_worker_stats ws = { 0 };
		char *text;

		if (!o)
			break;
		if (w)
			pktio_worker_stats(w, &ws);
		json_object_object_add(
			o, "name",
			json_object_new_string(w ? pktio_worker_name(w) : "?"));
		add_u64(o, "loops", ws.loops);
		add_u64(o, "packets", ws.packets);
		text = s->graphs[i] ? graph_stats_json(s->graphs[i]) : NULL;
		if (text)
			g = json_tokener_parse(text);
		free(text);
		json_object_object_add(o, "graph", g);
		json_object_array_add(a, o);
		if (s->graphs[i]) {
			t->forwarded += node_packets(s->graphs[i], "if-output");
			t->punted += node_packets(s->graphs[i], "punt");
			t->dropped += node_packets(s->graphs[i], "drop");
			add_lookups(s->graphs[i], t);
		}
	}
	return a;
}

static struct json_object *ports_json(const struct vr_stats_src *s,
				      struct totals *t)
{
	struct json_object *a = json_object_new_array();
	unsigned int n = pktio_app_nports(s->app);

	for (unsigned int i = 0; a && i < n; i++) {
		struct pktio_port *p = pktio_app_port_at(s->app, i);
		struct json_object *o = json_object_new_object();
		struct pktio_port_info info;
		struct pktio_port_stats ps;

		if (!o)
			break;
		if (pktio_port_info(p, &info) ||
		    pktio_port_stats_total(p, &ps)) {
			json_object_put(o);
			continue;
		}
		json_object_object_add(o, "name",
				       json_object_new_string(info.name));
		json_object_object_add(o, "driver",
				       json_object_new_string(info.driver));
		add_u64(o, "rx_packets", ps.rx_packets);
		add_u64(o, "rx_bytes", ps.rx_bytes);
		add_u64(o, "rx_drops", ps.rx_drops);
		add_u64(o, "tx_packets", ps.tx_packets);
		add_u64(o, "tx_bytes", ps.tx_bytes);
		add_u64(o, "tx_drops", ps.tx_drops);
		add_u64(o, "tx_errors", ps.tx_errors);
		json_object_array_add(a, o);
		t->rx += ps.rx_packets;
		t->tx += ps.tx_packets;
		t->port_drops += ps.rx_drops + ps.tx_drops;
	}
	return a;
}

static struct json_object *doc_new(const struct vr_stats_src *s,
				   struct totals *t)
{
	struct json_object *doc = json_object_new_object(), *o;

	if (!doc)
		return NULL;
	memset(t, 0, sizeof(*t));
	json_object_object_add(doc, "threads", threads_json(s, t));
	json_object_object_add(doc, "ports", ports_json(s, t));
	o = json_object_new_object();
	if (o) {
		add_u64(o, "rx_packets", t->rx);
		add_u64(o, "tx_packets", t->tx);
		add_u64(o, "port_drops", t->port_drops);
		add_u64(o, "forwarded", t->forwarded);
		add_u64(o, "punted", t->punted);
		add_u64(o, "dropped", t->dropped);
		add_u64(o, "onlink_notes", t->onlink_notes);
		add_u64(o, "onlink_note_errors", t->onlink_note_errors);
	}
	json_object_object_add(doc, "totals", o);
	o = json_object_new_object();
	if (o && s->fib) {
		add_u64(o, "swaps", s->fib->swaps);
		add_u64(o, "stale_errors", s->fib->stale_errors);
		add_u64(o, "note_opens", s->fib->note_opens);
	}
	json_object_object_add(doc, "fib", o);
	return doc;
}

char *vr_stats_json(const struct vr_stats_src *s)
{
	struct json_object *doc;
	struct totals t;
	char *text;

	doc = doc_new(s, &t);
	if (!doc) {
		errno = ENOMEM;
		return NULL;
	}
	text = strdup(json_object_to_json_string_ext(
		doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	if (!text)
		errno = ENOMEM;
	return text;
}

int vr_stats_write(const struct vr_stats_src *s, const char *path)
{
	char tmp[PATH_MAX + 16];
	char *text;
	FILE *f;
	int rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	text = vr_stats_json(s);
	if (!text)
		return -errno;
	f = fopen(tmp, "w");
	if (!f) {
		rc = -errno;
		goto out;
	}
	if (fprintf(f, "%s\n", text) < 0)
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -errno;
	/* readers see the old document or the new one, never half */
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
out:
	free(text);
	return rc;
}

void vr_stats_summary(const struct vr_stats_src *s, FILE *f)
{
	struct json_object *doc;
	struct totals t;

	doc = doc_new(s, &t);
	json_object_put(doc);
	fprintf(f,
		"sluice-vrouter: rx %llu tx %llu forwarded %llu punted %llu "
		"dropped %llu port_drops %llu fib_swaps %llu onlink_notes %llu "
		"onlink_note_errors %llu\n",
		(unsigned long long)t.rx, (unsigned long long)t.tx,
		(unsigned long long)t.forwarded, (unsigned long long)t.punted,
		(unsigned long long)t.dropped, (unsigned long long)t.port_drops,
		(unsigned long long)(s->fib ? s->fib->swaps : 0),
		(unsigned long long)t.onlink_notes,
		(unsigned long long)t.onlink_note_errors);
}
