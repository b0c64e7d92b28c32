// SPDX-License-Identifier: BSD-2-Clause
/* Prometheus text exposition.  Reason names come from the one enum in the
 * UAPI header, so metric labels, CLI output and the data path agree. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "api.h"
#include "api_stats.h"
#include "ct.h"
#include "ddos.h"
#include "l7.h"
#include "nat.h"
#include "node.h"
#include "fwd.h"
#include "version.h"

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

static void counters(struct buf *b, struct state *st, bool bytes)
{
	struct sluice_counter cnt[SLUICE_REASON_SLOTS];
	const char *name = bytes ? "sluice_xdp_bytes_total" :
				   "sluice_xdp_packets_total";

	bprintf(b,
		"# HELP %s %s seen by the XDP program, by ingress "
		"interface and the reason for its verdict.\n",
		name, bytes ? "Bytes" : "Packets");
	bprintf(b, "# TYPE %s counter\n", name);
	for (int i = 0; i < st->n_ifaces; i++) {
		const struct st_iface *ifc = &st->ifaces[i];

		if (dp_stats_read(st->dp, ifc->slot, cnt))
			continue;
		for (size_t i = 0; i < DP_REASON_COUNT; i++) {
			unsigned int r = dp_reason_at(i);

			bprintf(b,
				"%s{interface=\"%s\",reason=\"%s\",verdict=\"%s\"} %llu\n",
				name, ifc->name, dp_reason_name(r),
				dp_reason_verdict_name(r),
				(unsigned long long)(bytes ? cnt[r].bytes :
							     cnt[r].packets));
		}
	}
}

/* Frames the kernel lost after a redirect (uapi/sluice/xmit.h); the
 * family is left out where the data path does not count them. */
static void xmit_drops(struct buf *b, struct state *st)
{
	static const char name[] = "sluice_xmit_drops_total";
	struct dp_xmit_drops d;
	bool headed = false;

	for (int i = 0; i < st->n_ifaces; i++) {
		const struct st_iface *ifc = &st->ifaces[i];

		if (dp_xmit_drops(st->dp, ifc->slot, &d))
			continue;
		if (!headed) {
			bprintf(b,
				"# HELP %s Frames sluice redirected or sent "
				"back out that the kernel then lost, by port "
				"and where (docs/monitoring.md).\n"
				"# TYPE %s counter\n",
				name, name);
			headed = true;
		}
		for (unsigned int ev = 0; ev < SLUICE_XMIT_NEVENTS; ev++)
			bprintf(b, "%s{interface=\"%s\",event=\"%s\"} %llu\n",
				name, ifc->name, dp_xmit_event_name(ev),
				(unsigned long long)d.frames[ev]);
	}
}

static void gauge(struct buf *b, const char *name, const char *help,
		  unsigned long long v)
{
	bprintf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %llu\n", name, help, name,
		name, v);
}

static void head(struct buf *b, const char *name, const char *type,
		 const char *help)
{
	bprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Each family is printed whole (HELP, TYPE, then every series), as the
 * exposition format wants; the counters are read once per VIP/backend. */
struct lb_snap {
	const struct lb_vip *v;
	char id[LB_VIP_ID_LEN];
	struct sluice_lb_counter c;
	struct sluice_lb_counter *be; /* per backend */
};

static const struct {
	const char *name, *help;
	size_t off;
} vip_counters[] = {
	{ "packets", "Packets to the VIP.",
	  offsetof(struct sluice_lb_counter, packets) },
	{ "bytes", "Bytes to the VIP.",
	  offsetof(struct sluice_lb_counter, bytes) },
	{ "new_flows", "Flows given a backend by the Maglev table.",
	  offsetof(struct sluice_lb_counter, new_flows) },
	{ "flow_hits", "Packets whose backend the flow table knew.",
	  offsetof(struct sluice_lb_counter, flow_hits) },
	{ "drops", "Packets dropped (no backend, too big, no route).",
	  offsetof(struct sluice_lb_counter, drops) },
	{ "too_big", "Packets answered with ICMP too big.",
	  offsetof(struct sluice_lb_counter, too_big) },
};

static unsigned long long field(const struct sluice_lb_counter *c, size_t off)
{
	return (unsigned long long)*(const __u64 *)((const char *)c + off);
}

static void lb_metrics(struct buf *b, struct lb *lb)
{
	struct lb_snap snap[SLUICE_LB_MAX_VIPS];
	char name[64], a[INET6_ADDRSTRLEN];
	__u64 ev[SLUICE_LB_FLOW_NEVENTS];
	size_t n = 0;

	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++) {
		const struct lb_vip *v = lb_vip_get(lb, id);

		if (!v)
			continue;
		snap[n].v = v;
		lb_vip_id_str(&v->conf.key, snap[n].id, sizeof(snap[n].id));
		lb_vip_counters(lb, v, &snap[n].c);
		snap[n].be = calloc(v->n_be ? v->n_be : 1, sizeof(*snap[n].be));
		if (!snap[n].be) {
			b->oom = true;
			break;
		}
		for (size_t i = 0; i < v->n_be; i++)
			lb_backend_counters(lb, &v->be[i], &snap[n].be[i]);
		n++;
	}
	for (size_t k = 0; k < sizeof(vip_counters) / sizeof(vip_counters[0]);
	     k++) {
		snprintf(name, sizeof(name), "sluice_lb_vip_%s_total",
			 vip_counters[k].name);
		head(b, name, "counter", vip_counters[k].help);
		for (size_t i = 0; i < n; i++)
			bprintf(b, "%s{vip=\"%s\"} %llu\n", name, snap[i].id,
				field(&snap[i].c, vip_counters[k].off));
	}
	for (size_t k = 0; k < 3; k++) {
		snprintf(name, sizeof(name), "sluice_lb_backend_%s_total",
			 vip_counters[k].name);
		head(b, name, "counter",
		     k == 0 ? "Packets sent to the backend." :
		     k == 1 ? "Bytes sent to the backend." :
			      "New flows given to the backend.");
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < snap[i].v->n_be; j++)
				bprintf(b,
					"%s{vip=\"%s\",backend=\"%s\"} %llu\n",
					name, snap[i].id,
					lb_addr_str(&snap[i].v->be[j].spec.addr,
						    a, sizeof(a)),
					field(&snap[i].be[j],
					      vip_counters[k].off));
	}
	head(b, "sluice_lb_backend_health", "gauge",
	     "Health check verdict: 1 up, 0 down, -1 unknown (not checked yet "
	     "or checks off).");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < snap[i].v->n_be; j++) {
			const struct lb_backend *be = &snap[i].v->be[j];

			bprintf(b,
				"sluice_lb_backend_health{vip=\"%s\",backend=\"%s\"} %d\n",
				snap[i].id,
				lb_addr_str(&be->spec.addr, a, sizeof(a)),
				be->health == HEALTH_UP	  ? 1 :
				be->health == HEALTH_DOWN ? 0 :
							    -1);
		}
	head(b, "sluice_lb_backend_weight", "gauge",
	     "Weight in the Maglev table now (0: draining, down or failing).");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < snap[i].v->n_be; j++)
			bprintf(b,
				"sluice_lb_backend_weight{vip=\"%s\",backend=\"%s\"} %u\n",
				snap[i].id,
				lb_addr_str(&snap[i].v->be[j].spec.addr, a,
					    sizeof(a)),
				lb_backend_weight(&snap[i].v->be[j]));
	head(b, "sluice_lb_backend_slots", "gauge",
	     "Maglev table slots the backend owns.");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < snap[i].v->n_be; j++)
			bprintf(b,
				"sluice_lb_backend_slots{vip=\"%s\",backend=\"%s\"} %u\n",
				snap[i].id,
				lb_addr_str(&snap[i].v->be[j].spec.addr, a,
					    sizeof(a)),
				snap[i].v->be[j].slots);
	for (size_t i = 0; i < n; i++)
		free(snap[i].be);
	gauge(b, "sluice_lb_flows",
	      "Entries in the LB flow table, as last counted (on a timer).",
	      (unsigned long long)lb_flow_count(lb));
	head(b, "sluice_lb_flows_age_seconds", "gauge",
	     "How old the count in sluice_lb_flows is.");
	bprintf(b, "sluice_lb_flows_age_seconds %.3f\n",
		(double)lb_flows_age_ms(lb) / 1000);
	gauge(b, "sluice_lb_flow_capacity",
	      "Flows the LB flow table is sized for (lb.max_flows; twice as "
	      "many slots).",
	      lb_flow_capacity(lb));
	lb_flow_events(lb, ev);
	head(b, "sluice_lb_flow_events_total", "counter",
	     "What the data path's inserts into the LB flow table could not "
	     "do cleanly: evicted (a live flow's slot given to a new flow), "
	     "insert_fail_busy (a new flow not entered).");
	for (unsigned int i = 0; i < SLUICE_LB_FLOW_NEVENTS; i++)
		if (dp_lb_flow_event_name(i))
			bprintf(b,
				"sluice_lb_flow_events_total{event=\"%s\"} %llu\n",
				dp_lb_flow_event_name(i),
				(unsigned long long)ev[i]);
	bprintf(b,
		"# HELP sluice_lb_slots_written_total Maglev slots written "
		"into the data path.\n"
		"# TYPE sluice_lb_slots_written_total counter\n"
		"sluice_lb_slots_written_total %llu\n",
		(unsigned long long)lb_slots_written(lb));
	bprintf(b,
		"# HELP sluice_lb_state_write_errors_total API changes "
		"applied but not saved to the state file.\n"
		"# TYPE sluice_lb_state_write_errors_total counter\n"
		"sluice_lb_state_write_errors_total %llu\n",
		(unsigned long long)lb_state_write_errors(lb));
}

struct ddos_walk {
	struct buf *b;
	bool rate; /* this pass prints sluice_ddos_syn_rate */
};

static void ddos_svc_metric(const char *service, const char *mode,
			    const struct sluice_ddos_svc_state *st, void *arg)
{
	struct ddos_walk *w = arg;

	if (w->rate)
		bprintf(w->b, "sluice_ddos_syn_rate{service=\"%s\"} %llu\n",
			service, (unsigned long long)st->last_rate);
	else
		bprintf(w->b, "sluice_ddos_cookies_on{service=\"%s\"} %d\n",
			service, !strcmp(mode, "on"));
}

/* The DDoS guard (docs/ddos.md); its drops are sluice_packets_total's
 * drop_ddos_* reasons. */
static void ddos_metrics(struct buf *b, struct ddos *dd)
{
	struct ddos_walk w = { .b = b };
	struct ddos_counts c;

	ddos_counts(dd, &c);
	bprintf(b,
		"# HELP sluice_ddos_blocklist_entries Source prefixes in "
		"the blocklist.\n"
		"# TYPE sluice_ddos_blocklist_entries gauge\n"
		"sluice_ddos_blocklist_entries{family=\"ipv4\"} %llu\n"
		"sluice_ddos_blocklist_entries{family=\"ipv6\"} %llu\n"
		"# HELP sluice_ddos_blocklist_expired_total Entries removed "
		"after their expiry.\n"
		"# TYPE sluice_ddos_blocklist_expired_total counter\n"
		"sluice_ddos_blocklist_expired_total %llu\n"
		"# HELP sluice_ddos_state_write_errors_total DDoS changes "
		"applied but not saved to ddos.json or its journal.\n"
		"# TYPE sluice_ddos_state_write_errors_total counter\n"
		"sluice_ddos_state_write_errors_total %llu\n",
		(unsigned long long)c.block_v4, (unsigned long long)c.block_v6,
		(unsigned long long)c.expired_removed,
		(unsigned long long)c.state_write_errors);
	head(b, "sluice_ddos_cookies_on", "gauge",
	     "1 while SYNs to the protected service are answered with "
	     "cookies.");
	ddos_foreach_service(dd, ddos_svc_metric, &w);
	head(b, "sluice_ddos_syn_rate", "gauge",
	     "SYN/s to the protected service in the last second measured "
	     "(auto mode).");
	w.rate = true;
	ddos_foreach_service(dd, ddos_svc_metric, &w);
}

char *metrics_render(struct api_ctx *ctx)
{
	struct state *st = ctx->st;
	struct buf b = { .cap = 16384 };
	struct dp_fib_usage fu;
	char *api;

	b.s = malloc(b.cap);
	if (!b.s)
		return NULL;
	b.s[0] = '\0';
	bprintf(&b,
		"# HELP sluice_build_info Version of sluiced.\n"
		"# TYPE sluice_build_info gauge\n"
		"sluice_build_info{version=\"%s\"} 1\n",
		SLUICE_VERSION);
	counters(&b, st, false);
	counters(&b, st, true);
	xmit_drops(&b, st);
	bprintf(&b, "# HELP sluice_interface_attached 1 when the XDP (or TC) "
		    "program is attached to a managed interface.\n"
		    "# TYPE sluice_interface_attached gauge\n");
	for (int i = 0; i < st->n_ifaces; i++)
		bprintf(&b,
			"sluice_interface_attached{interface=\"%s\",mode=\"%s\"} %d\n",
			st->ifaces[i].name,
			!st->ifaces[i].configured ? "vlan" :
			st->ifaces[i].tc	  ? "tc" :
					   dp_xdp_mode_name(st->ifaces[i].mode),
			st->ifaces[i].state == IF_ATTACHED);
	bprintf(&b,
		"# HELP sluice_routes Routes programmed into the LPM maps.\n"
		"# TYPE sluice_routes gauge\n"
		"sluice_routes{family=\"ipv4\"} %llu\n"
		"sluice_routes{family=\"ipv6\"} %llu\n",
		(unsigned long long)st->routes_programmed[0],
		(unsigned long long)st->routes_programmed[1]);
	gauge(&b, "sluice_nexthop_groups", "Next-hop groups in use.",
	      HASH_CNT(hh, st->nhgs));
	if (!dp_fib_stats(st->dp, &fu))
		bprintf(&b,
			"# HELP sluice_fib_groups Groups of the forwarding "
			"table in use (fib.v4_groups / fib.v6_groups).\n"
			"# TYPE sluice_fib_groups gauge\n"
			"sluice_fib_groups{family=\"ipv4\"} %u\n"
			"sluice_fib_groups{family=\"ipv6\"} %u\n"
			"# HELP sluice_fib_groups_max The group pools' sizes.\n"
			"# TYPE sluice_fib_groups_max gauge\n"
			"sluice_fib_groups_max{family=\"ipv4\"} %u\n"
			"sluice_fib_groups_max{family=\"ipv6\"} %u\n"
			"# HELP sluice_fib6_index_slots Slots of the IPv6 /48 "
			"index in use (a /48 without one takes the walk).\n"
			"# TYPE sluice_fib6_index_slots gauge\n"
			"sluice_fib6_index_slots %u\n"
			"# HELP sluice_fib6_index_slots_max The /48 index's "
			"slots.\n"
			"# TYPE sluice_fib6_index_slots_max gauge\n"
			"sluice_fib6_index_slots_max %u\n",
			fu.v4_groups, fu.v6_groups, fu.v4_groups_max,
			fu.v6_groups_max, fu.v6_index_slots,
			fu.v6_index_slots_max);
	gauge(&b, "sluice_neighbors", "Neighbours mirrored from the kernel.",
	      HASH_CNT(hh, st->neighs));
	bprintf(&b,
		"# HELP sluice_netlink_events_total Netlink messages applied.\n"
		"# TYPE sluice_netlink_events_total counter\n"
		"sluice_netlink_events_total %llu\n"
		"# HELP sluice_netlink_resyncs_total Full re-dumps after an overrun.\n"
		"# TYPE sluice_netlink_resyncs_total counter\n"
		"sluice_netlink_resyncs_total %llu\n"
		"# HELP sluice_netlink_overruns_total Netlink overruns (ENOBUFS): events lost.\n"
		"# TYPE sluice_netlink_overruns_total counter\n"
		"sluice_netlink_overruns_total %llu\n"
		"# HELP sluice_route_errors_total Routes that could not be programmed.\n"
		"# TYPE sluice_route_errors_total counter\n"
		"sluice_route_errors_total %llu\n"
		"# HELP sluice_neigh_errors_total Neighbours that could not be programmed (the map is full).\n"
		"# TYPE sluice_neigh_errors_total counter\n"
		"sluice_neigh_errors_total %llu\n"
		"# HELP sluice_neigh_onlink_resolutions_total On-link destinations without a neighbour that sluiced asked the kernel to resolve.\n"
		"# TYPE sluice_neigh_onlink_resolutions_total counter\n"
		"sluice_neigh_onlink_resolutions_total %llu\n",
		(unsigned long long)st->nl_events,
		(unsigned long long)st->nl_resyncs,
		(unsigned long long)st->nl_overruns,
		(unsigned long long)st->route_errors,
		(unsigned long long)st->neigh_errors,
		(unsigned long long)st->onlink_asks);
	api = api_stats_metrics();
	if (api)
		bprintf(&b, "%s", api);
	else
		b.oom = true;
	free(api);
	if (ctx->lb)
		lb_metrics(&b, ctx->lb);
	if (ctx->ct) {
		char *ct = ct_metrics(ctx->ct);

		if (!ct)
			b.oom = true;
		else
			bprintf(&b, "%s", ct);
		free(ct);
	}
	if (ctx->ddos)
		ddos_metrics(&b, ctx->ddos);
	if (ctx->nat) {
		char *nat = nat_metrics(ctx->nat);

		if (!nat)
			b.oom = true;
		else
			bprintf(&b, "%s", nat);
		free(nat);
	}
	if (ctx->fw) {
		char *fw = fwd_metrics(ctx->fw);

		if (fw)
			bprintf(&b, "%s", fw);
		else
			b.oom = true;
		free(fw);
	}
	if (ctx->l7) {
		char *l7 = l7_metrics(ctx->l7);

		if (l7)
			bprintf(&b, "%s", l7);
		else
			b.oom = true;
		free(l7);
	}
	if (ctx->node) {
		char *node = node_metrics(ctx->node);

		if (node)
			bprintf(&b, "%s", node);
		else
			b.oom = true;
		free(node);
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
