// SPDX-License-Identifier: BSD-2-Clause
/* Prometheus text exposition.  Reason names come from the one enum in the
 * UAPI header, so metric labels, CLI output and the data path agree. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"

struct buf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void bprintf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap * 2 + (size_t)n + 1;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

static const char *verdict_of(unsigned int r)
{
	return r < SLUICE_REASON_FIRST_PASS ? "forward" :
	       r < SLUICE_REASON_FIRST_DROP ? "pass" : "drop";
}

static void counters(struct buf *b, struct state *st, bool bytes)
{
	struct sluice_counter cnt[SLUICE_REASON_MAX];
	const char *name = bytes ? "sluice_xdp_bytes_total" :
				   "sluice_xdp_packets_total";

	bprintf(b, "# HELP %s %s seen by the XDP program, by ingress "
		   "interface and the reason for its verdict.\n",
		name, bytes ? "Bytes" : "Packets");
	bprintf(b, "# TYPE %s counter\n", name);
	for (int i = 0; i < st->n_ifaces; i++) {
		const struct st_iface *ifc = &st->ifaces[i];

		if (dp_stats_read(st->dp, ifc->slot, cnt))
			continue;
		for (unsigned int r = 0; r < SLUICE_REASON_MAX; r++)
			bprintf(b,
				"%s{interface=\"%s\",reason=\"%s\",verdict=\"%s\"} %llu\n",
				name, ifc->name, dp_reason_name(r), verdict_of(r),
				(unsigned long long)(bytes ? cnt[r].bytes :
							     cnt[r].packets));
	}
}

static void gauge(struct buf *b, const char *name, const char *help,
		  unsigned long long v)
{
	bprintf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %llu\n", name, help, name,
		name, v);
}

char *metrics_render(struct api_ctx *ctx)
{
	struct state *st = ctx->st;
	struct buf b = { .cap = 16384 };

	b.s = malloc(b.cap);
	if (!b.s)
		return NULL;
	b.s[0] = '\0';
	bprintf(&b, "# HELP sluice_build_info Version of sluiced.\n"
		    "# TYPE sluice_build_info gauge\n"
		    "sluice_build_info{version=\"%s\"} 1\n", SLUICE_VERSION);
	counters(&b, st, false);
	counters(&b, st, true);
	bprintf(&b, "# HELP sluice_interface_attached 1 when the XDP program "
		    "is attached to a managed interface.\n"
		    "# TYPE sluice_interface_attached gauge\n");
	for (int i = 0; i < st->n_ifaces; i++)
		bprintf(&b, "sluice_interface_attached{interface=\"%s\",mode=\"%s\"} %d\n",
			st->ifaces[i].name,
			st->ifaces[i].configured ?
				dp_xdp_mode_name(st->ifaces[i].mode) : "vlan",
			st->ifaces[i].state == IF_ATTACHED);
	bprintf(&b, "# HELP sluice_routes Routes programmed into the LPM maps.\n"
		    "# TYPE sluice_routes gauge\n"
		    "sluice_routes{family=\"ipv4\"} %llu\n"
		    "sluice_routes{family=\"ipv6\"} %llu\n",
		(unsigned long long)st->routes_programmed[0],
		(unsigned long long)st->routes_programmed[1]);
	gauge(&b, "sluice_nexthop_groups", "Next-hop groups in use.",
	      HASH_CNT(hh, st->nhgs));
	gauge(&b, "sluice_neighbors", "Neighbours mirrored from the kernel.",
	      HASH_CNT(hh, st->neighs));
	bprintf(&b, "# HELP sluice_netlink_events_total Netlink messages applied.\n"
		    "# TYPE sluice_netlink_events_total counter\n"
		    "sluice_netlink_events_total %llu\n"
		    "# HELP sluice_netlink_resyncs_total Full re-dumps after an overrun.\n"
		    "# TYPE sluice_netlink_resyncs_total counter\n"
		    "sluice_netlink_resyncs_total %llu\n"
		    "# HELP sluice_route_errors_total Routes that could not be programmed.\n"
		    "# TYPE sluice_route_errors_total counter\n"
		    "sluice_route_errors_total %llu\n",
		(unsigned long long)st->nl_events,
		(unsigned long long)st->nl_resyncs,
		(unsigned long long)st->route_errors);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
