// SPDX-License-Identifier: BSD-2-Clause
/*
 * Explain (dp_explain.h): a second instance of the XDP object the router
 * runs, loaded next to it.  Every map the packet path only reads at run
 * time is the live one (bpf_map__reuse_fd() before the load), so the copy
 * decides exactly as the live program would; every map the packet path
 * writes is a private one (private_maps[] below), so a run leaves no trace
 * in the live counters, flow table, conntrack or NAT bindings.  Before
 * each run the private tables are emptied and the live entries this
 * packet would find are copied in: an established flow is explained as
 * it is (same backend, same conntrack state), a new one as a new flow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "dp_explain.h"
#include "dp_internal.h"
#include "log.h"
#include "pktbuild.h"
#include "testrun.h"
#include "sluice_xdp.skel.h"

/* Hash and LRU tables of the copy: a run adds a handful of entries. */
#define EXPLAIN_TABLE_SIZE 4096
/* The copy's flow table (uapi/sluice/lb_flows.h), its own size: the
 * program's constant says how many slots its table has. */
#define EXPLAIN_FLOW_BITS SLUICE_LB_FLOW_BITS_MIN

/*
 * The maps the packet path writes (grep bpf/ for bpf_map_update_elem,
 * bpf_map_delete_elem and counters bumped through a looked-up pointer).
 * Each is the copy's own; @table: a hash/LRU table sized down (and
 * emptied before every run); @copied says what of the live one is put in
 * before a run.
 */
static const struct explain_private {
	const char *name;
	bool table;
	const char *why;
} private_maps[] = {
	{ "stats", false, "per-reason counters: the run is read from them" },
	{ "xdp_tails", false,
	  "the pipeline's tail calls: the copy's own programs, else a tail "
	  "call would jump into the live ones (and their maps)" },
	{ "pkt_state", false, "per-CPU scratch the stages hand on" },
	{ "nat_scratch", false, "per-CPU scratch of NAT" },
	{ "lb_flows", false,
	  "a new flow is entered, a hit refreshes last_seen_ns (a small "
	  "table of slots, emptied before every run, the live entry of the "
	  "flow copied in)" },
	{ "lb_flow_events", false, "the flow table's event counters" },
	{ "lb_vip_stats", false, "per-VIP counters" },
	{ "lb_backend_stats", false, "per-backend counters" },
	{ "ct", true,
	  "entries created, their state and counters updated per packet "
	  "(the flow's live entry, and its NAT alias's, copied in)" },
	{ "ct_events", false, "conntrack's event counters" },
	{ "ct_gauges", false, "entries by state, moved on every transition" },
	{ "ct_embryonic", false, "the ring of half-open entries to evict" },
	{ "ct_new", false, "per-CPU scratch of a new entry" },
	{ "ct_sweep", false, "the sweep's cursor and timer (sluice_ct's)" },
	{ "nat_flows", true,
	  "bindings and aliases made for a new NATed flow (the flow's live "
	  "ones copied in)" },
	{ "nat_events", false, "NAT's event counters" },
	{ "ddos_buckets", true,
	  "token buckets taken per packet (the source's live ones copied "
	  "in)" },
	{ "ddos_svc_state", false,
	  "cookie mode switched by the SYN rate (the live array copied in)" },
	{ "ddos_svc_syns", false, "SYNs per second and CPU" },
	{ "ddos_flows", true, "connections a cookie opened" },
	{ "fw_counters", false, "hits by firewall rule" },
	{ "steer_counters", false, "steering's counters" },
	{ "neigh_wanted", true,
	  "an on-link miss's note (sluiced would ask the kernel to resolve "
	  "the host)" },
	{ "clock_tick", false,
	  "the per-CPU time of the current tick, stamped on first use" },
	{ "trace_cfg", false,
	  "the trace's switch and filter: the copy's stays off, so an "
	  "explain during a trace puts no event into the live ring" },
	{ "trace_stats", false, "the trace's counters" },
	{ "trace_events", false, "the trace's ring (the copy's, never read)" },
	{ "trace_scratch", false,
	  "per-CPU event the trace assembles during a packet: a run that a "
	  "live packet interrupts on its CPU would mix their decisions" },
};

#define N_PRIVATE (sizeof(private_maps) / sizeof(private_maps[0]))

struct dp_explain {
	struct dp *live;
	struct sluice_xdp *skel;
	struct lb_flow_table flows; /* the copy's, mapped */
	int ncpus;
};

static const struct explain_private *private_of(const char *name)
{
	for (size_t i = 0; i < N_PRIVATE; i++)
		if (!strcmp(private_maps[i].name, name))
			return &private_maps[i];
	return NULL;
}

/* Live maps shared, private ones sized; 0 or -errno naming the map. */
static int wire_maps(struct dp_explain *x)
{
	struct bpf_object *live = x->live->skel->obj;
	const struct explain_private *pm;
	struct bpf_map *map, *same;
	__u32 size;
	int err;

	bpf_object__for_each_map(map, x->skel->obj) {
		const char *name = bpf_map__name(map);

		if (bpf_map__is_internal(map))
			continue;
		pm = private_of(name);
		if (pm && map == x->skel->maps.lb_flows) {
			err = bpf_map__set_max_entries(map,
						       1u << EXPLAIN_FLOW_BITS);
			if (err)
				return err;
			continue;
		}
		if (pm) {
			if (!pm->table)
				continue;
			size = EXPLAIN_TABLE_SIZE;
			if (size < (__u32)x->ncpus * 8)
				size = (__u32)x->ncpus * 8;
			err = bpf_map__set_max_entries(map, size);
			if (err)
				return err;
			continue;
		}
		same = bpf_object__find_map_by_name(live, name);
		if (!same) {
			pr_err("dp: explain: the live object has no map %s",
			       name);
			return -ENOENT;
		}
		err = bpf_map__reuse_fd(map, bpf_map__fd(same));
		if (err) {
			pr_err("dp: explain: cannot share map %s: %s", name,
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

static __u32 map_id(struct bpf_map *m)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len) ? 0 :
								     info.id;
}

/* Every private map is a map of its own, never a live one: a run empties
 * the private tables, which must never reach the live flows. */
static int check_private(struct dp_explain *x)
{
	struct bpf_object *live = x->live->skel->obj;

	for (size_t i = 0; i < N_PRIVATE; i++) {
		struct bpf_map *mine, *theirs;

		mine = bpf_object__find_map_by_name(x->skel->obj,
						    private_maps[i].name);
		theirs = bpf_object__find_map_by_name(live,
						      private_maps[i].name);
		if (!mine || !theirs || !map_id(mine) ||
		    map_id(mine) == map_id(theirs)) {
			pr_err("dp: explain: map %s is not private",
			       private_maps[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

int dp_explain_open(struct dp *live, struct dp_explain **out)
{
	struct dp_explain *x;
	int err;

	if (!live->skel)
		return -EOPNOTSUPP;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->live = live;
	x->ncpus = live->ncpus;
	x->skel = sluice_xdp__open();
	if (!x->skel) {
		err = -errno;
		goto err_free;
	}
	err = wire_maps(x);
	if (err)
		goto err_skel;
	/* the live program's load-time settings, whatever they are */
	memcpy(x->skel->rodata, live->skel->rodata, sizeof(*x->skel->rodata));
	x->skel->rodata->cfg_lb_flow_bits = EXPLAIN_FLOW_BITS;
	err = sluice_xdp__load(x->skel);
	if (err) {
		pr_err("dp: explain: cannot load the copy: %s", strerror(-err));
		goto err_skel;
	}
	err = check_private(x) ?:
		      dp_lb_flow_table_map(bpf_map__fd(x->skel->maps.lb_flows),
					   &x->flows);
	if (err)
		goto err_skel;
	*out = x;
	return 0;

err_skel:
	dp_lb_flow_table_unmap(&x->flows);
	sluice_xdp__destroy(x->skel);
err_free:
	free(x);
	return err;
}

void dp_explain_close(struct dp_explain *x)
{
	if (!x)
		return;
	dp_lb_flow_table_unmap(&x->flows);
	sluice_xdp__destroy(x->skel);
	free(x);
}

int dp_explain_stats_fd(const struct dp_explain *x)
{
	return bpf_map__fd(x->skel->maps.stats);
}

/* Every entry out of a private table. */
static int empty_table(struct bpf_map *m)
{
	__u8 key[256], next[256];
	int fd = bpf_map__fd(m);

	if (bpf_map__key_size(m) > sizeof(key))
		return -E2BIG;
	while (!bpf_map_get_next_key(fd, NULL, next)) {
		memcpy(key, next, bpf_map__key_size(m));
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	}
	return 0;
}

/* @key's entry of live map @from into private map @to: 1 copied, 0 none. */
static int copy_entry(struct bpf_map *from, struct bpf_map *to, const void *key,
		      void *val)
{
	if (bpf_map_lookup_elem(bpf_map__fd(from), key, val))
		return 0;
	return bpf_map_update_elem(bpf_map__fd(to), key, val, BPF_ANY) ?
		       -errno :
		       1;
}

/* The ARRAY @name whole, live into private (small arrays only). */
static int copy_array(struct bpf_map *from, struct bpf_map *to)
{
	__u32 n = bpf_map__max_entries(from);
	void *val = calloc(1, bpf_map__value_size(from));
	int err = 0;

	if (!val)
		return -ENOMEM;
	for (__u32 i = 0; i < n && !err; i++) {
		if (bpf_map_lookup_elem(bpf_map__fd(from), &i, val))
			continue;
		if (bpf_map_update_elem(bpf_map__fd(to), &i, val, BPF_ANY))
			err = -errno;
	}
	free(val);
	return err;
}

/* The canonical conntrack key of the packet (bpf/lib/ct.h ct_key_fill):
 * the lower address (then port) first, one key for both directions. */
static void ct_key_of(const struct dp_explain_pkt *p, struct sluice_ct_key *k)
{
	int n = p->family == AF_INET ? 4 : 16;
	__be16 sport = p->sport, dport = p->dport;
	int c = memcmp(p->src, p->dst, (size_t)n);
	bool from_hi;

	if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6)
		dport = sport; /* the echo id, both sides */
	from_hi = c ? c > 0 : ntohs(sport) > ntohs(dport);
	memset(k, 0, sizeof(*k));
	memcpy(k->lo_addr, from_hi ? p->dst : p->src, (size_t)n);
	memcpy(k->hi_addr, from_hi ? p->src : p->dst, (size_t)n);
	k->lo_port = from_hi ? dport : sport;
	k->hi_port = from_hi ? sport : dport;
	k->proto = p->proto;
	k->family = p->family;
}

static void flow_key_of(const struct dp_explain_pkt *p,
			struct sluice_flow_key *k)
{
	int n = p->family == AF_INET ? 4 : 16;

	memset(k, 0, sizeof(*k));
	memcpy(k->saddr, p->src, (size_t)n);
	memcpy(k->daddr, p->dst, (size_t)n);
	k->sport = p->sport;
	k->dport = p->dport;
	k->proto = p->proto;
	k->family = p->family;
}

/* The source's live token buckets (bpf/lib/ddos.h: one per limit that
 * is on, keyed by the source masked to the limit's prefix length), so a
 * source the guard is dropping is explained as dropped. */
static int copy_buckets(struct dp_explain *x, const struct dp_explain_pkt *p)
{
	struct sluice_xdp *live = x->live->skel, *s = x->skel;
	unsigned int v6 = p->family == AF_INET6;
	const unsigned int lim[2] = { SLUICE_DDOS_L_PKT_V4 + v6,
				      SLUICE_DDOS_L_CONN_V4 + v6 };
	struct sluice_ddos_config c;
	struct sluice_ddos_bucket b;
	__u32 zero = 0;
	int err;

	if (bpf_map_lookup_elem(bpf_map__fd(live->maps.ddos_config), &zero, &c))
		return 0; /* no guard configured */
	for (unsigned int kind = 0; kind < 2; kind++) {
		const struct sluice_ddos_limit *l = &c.limit[lim[kind]];
		struct sluice_ddos_bucket_key k = { .family = p->family,
						    .plen = l->plen,
						    .kind = (__u8)kind };
		unsigned int bits = v6 ? 128 : 32;

		if (!l->pps)
			continue;
		memcpy(k.addr, p->src, v6 ? 16 : 4);
		for (unsigned int i = l->plen; i < bits; i++)
			k.addr[i / 8] &= (__u8) ~(0x80u >> (i % 8));
		err = copy_entry(live->maps.ddos_buckets, s->maps.ddos_buckets,
				 &k, &b);
		if (err < 0)
			return err;
	}
	return 0;
}

/* Fresh private tables, then the live state this packet meets. */
static int prepare(struct dp_explain *x, const struct dp_explain_pkt *p,
		   struct dp_explain_result *r)
{
	struct sluice_xdp *live = x->live->skel, *s = x->skel;
	struct sluice_flow_key fk;
	struct sluice_ct_key ck;
	struct sluice_ct_entry ce;
	struct sluice_nat_flow nf;
	int err;

	/* only what private_maps[] names (and check_private() proved the
	 * copy's own) is emptied */
	for (size_t i = 0; i < N_PRIVATE; i++) {
		if (!private_maps[i].table)
			continue;
		err = empty_table(bpf_object__find_map_by_name(
			s->obj, private_maps[i].name));
		if (err)
			return err;
	}
	memset(x->flows.slot, 0, sizeof(*x->flows.slot) << x->flows.bits);
	err = copy_array(live->maps.ddos_svc_state, s->maps.ddos_svc_state);
	if (!err)
		err = copy_buckets(x, p);
	if (err)
		return err;
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		flow_key_of(p, &fk);
		r->lb_flow_live = !dp_lb_flow_get(x->live, &fk, &r->lb_flow);
		if (r->lb_flow_live) {
			err = lb_flow_table_put(&x->flows, &fk, &r->lb_flow);
			if (err < 0)
				return err;
		}
	}
	ct_key_of(p, &ck);
	err = copy_entry(live->maps.ct, s->maps.ct, &ck, &r->ct);
	if (err < 0)
		return err;
	r->ct_live = err;
	/* a NATed flow: its binding, its alias and the alias's entry */
	err = copy_entry(live->maps.nat_flows, s->maps.nat_flows, &ck, &nf);
	if (err > 0) {
		struct sluice_nat_flow alias;

		err = copy_entry(live->maps.nat_flows, s->maps.nat_flows,
				 &nf.other, &alias);
		if (err >= 0)
			err = copy_entry(live->maps.ct, s->maps.ct, &nf.other,
					 &ce);
	}
	return err < 0 ? err : 0;
}

/* The frame: from a neighbour's MAC when the source is one, to the
 * ingress interface's own; tagged, on the parent port, when the interface
 * is a VLAN subinterface (the neighbour is then the VLAN's). */
static int build_frame(struct dp_explain *x, const struct dp_explain_pkt *p,
		       struct dp_explain_result *r)
{
	static const __u8 anon_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	struct pkt_spec s = { 0 };
	struct sluice_neigh_key nk = { .ifindex = p->ifindex,
				       .family = p->family };
	struct sluice_iface ifc;
	struct sluice_neigh nv;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	struct frame *f;
	int err;

	if (p->family != AF_INET && p->family != AF_INET6)
		return -EINVAL;
	if (!inet_ntop(p->family, p->src, src, sizeof(src)) ||
	    !inet_ntop(p->family, p->dst, dst, sizeof(dst)))
		return -EINVAL;
	r->port = p->ifindex;
	if (!dp_lookup(x->live, DP_MAP_IFACES, &p->ifindex, &ifc)) {
		memcpy(s.dst, ifc.mac, 6);
		r->slot = ifc.slot;
		if (ifc.flags & SLUICE_IF_VLAN) {
			s.tagged = 1;
			s.vid = ifc.vlan_id;
			r->vlan_id = ifc.vlan_id;
			r->port = ifc.parent_ifindex;
		}
	}
	memcpy(nk.addr, p->src, p->family == AF_INET ? 4 : 16);
	if (!dp_lookup(x->live, DP_MAP_NEIGHBORS, &nk, &nv))
		memcpy(s.src, nv.mac, 6);
	else
		memcpy(s.src, anon_mac, 6);
	s.l3 = p->family == AF_INET ? PKT_L3_IP4 : PKT_L3_IP6;
	s.l4 = p->proto;
	s.saddr = src;
	s.daddr = dst;
	s.ttl = p->ttl;
	s.sport = ntohs(p->sport);
	s.dport = ntohs(p->dport);
	s.tcp_flags = p->tcp_flags;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	err = pkt_build(&s, f);
	if (!err && f->len > sizeof(r->in))
		err = -E2BIG;
	if (!err) {
		memcpy(r->in, f->buf, f->len);
		r->in_len = f->len;
	}
	free(f);
	return err;
}

/* The slot's counters summed over the CPUs, by reason. */
static int read_slot(struct dp_explain *x, __u32 slot, __u64 *packets)
{
	struct sluice_counter *pc = calloc(x->ncpus, sizeof(*pc));
	int fd = bpf_map__fd(x->skel->maps.stats);

	if (!pc)
		return -ENOMEM;
	for (__u32 reason = 0; reason < SLUICE_REASON_SLOTS; reason++) {
		__u32 idx = slot * SLUICE_REASON_SLOTS + reason;

		packets[reason] = 0;
		if (dp_reason_verdict(reason) < 0)
			continue;
		if (bpf_map_lookup_elem(fd, &idx, pc))
			continue;
		for (int c = 0; c < x->ncpus; c++)
			packets[reason] += pc[c].packets;
	}
	free(pc);
	return 0;
}

/* Packets of every fw_counters slot of the copy, summed over the CPUs,
 * read in batches (a few hundred KB whatever the CPU count). */
#define FW_BATCH 256

static int fw_sums(struct dp_explain *x, __u64 *sums)
{
	int fd = bpf_map__fd(x->skel->maps.fw_counters);
	struct sluice_counter *vals;
	__u32 keys[FW_BATCH], out_batch = 0, count;
	bool first = true;
	int err = 0;

	vals = calloc((size_t)FW_BATCH * x->ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(sums, 0, SLUICE_FW_COUNTERS * sizeof(*sums));
	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, o);

		count = FW_BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &out_batch,
					   &out_batch, keys, vals, &count, &o);
		if (err && errno != ENOENT) {
			err = -errno;
			break;
		}
		for (__u32 i = 0; i < count; i++)
			for (int c = 0;
			     c < x->ncpus && keys[i] < SLUICE_FW_COUNTERS; c++)
				sums[keys[i]] +=
					vals[(size_t)i * x->ncpus + c].packets;
		if (err) { /* ENOENT: the last batch */
			err = 0;
			break;
		}
		first = false;
	}
	free(vals);
	return err;
}

static bool fw_reason(int reason)
{
	return reason == SLUICE_DROP_FW_RULE ||
	       reason == SLUICE_DROP_FW_POLICY ||
	       reason == SLUICE_FWD_FW_REJECT ||
	       reason == SLUICE_DROP_FW_REJECT;
}

static int run_once(struct dp_explain *x, const struct dp_explain_pkt *p,
		    struct dp_explain_result *r);

/* Which firewall counter the packet moves: the same run again (the
 * private tables prepared afresh), between two reads of the counters. */
static int fw_which(struct dp_explain *x, const struct dp_explain_pkt *p,
		    struct dp_explain_result *r)
{
	__u64 *before = calloc(SLUICE_FW_COUNTERS, sizeof(*before));
	__u64 *after = calloc(SLUICE_FW_COUNTERS, sizeof(*after));
	struct dp_explain_result *again = calloc(1, sizeof(*again));
	int err = -ENOMEM;

	if (!before || !after || !again)
		goto out;
	err = fw_sums(x, before);
	if (!err)
		err = run_once(x, p, again);
	if (!err)
		err = fw_sums(x, after);
	for (__u32 i = 0; !err && i < SLUICE_FW_COUNTERS; i++) {
		if (after[i] != before[i]) {
			r->fw_hit = true;
			r->fw_counter = i;
		}
	}
out:
	free(before);
	free(after);
	free(again);
	return err;
}

int dp_explain_run(struct dp_explain *x, const struct dp_explain_pkt *p,
		   struct dp_explain_result *r)
{
	int err = run_once(x, p, r);

	if (!err && fw_reason(r->reason))
		err = fw_which(x, p, r);
	return err;
}

static int run_once(struct dp_explain *x, const struct dp_explain_pkt *p,
		    struct dp_explain_result *r)
{
	__u64 before[SLUICE_REASON_SLOTS], after[SLUICE_REASON_SLOTS];
	struct dp_test_run t = { .ifindex = p->ifindex,
				 .repeat = 1,
				 .out = r->out,
				 .out_size = sizeof(r->out) };
	struct sluice_flow_key fk;
	struct sluice_ct_key ck;
	int err;

	memset(r, 0, sizeof(*r));
	r->reason = -1;
	err = build_frame(x, p, r);
	t.ifindex = r->port;
	if (!err)
		err = prepare(x, p, r);
	if (!err && r->slot >= SLUICE_MAX_IFACES)
		err = -ERANGE;
	if (!err)
		err = read_slot(x, r->slot, before);
	if (err)
		return err;
	err = dp_test_run_xdp(bpf_program__fd(x->skel->progs.sluice_xdp), r->in,
			      r->in_len, &t);
	if (err)
		return -errno;
	r->action = t.retval;
	r->out_len = t.out_len < sizeof(r->out) ? t.out_len : sizeof(r->out);
	err = read_slot(x, r->slot, after);
	if (err)
		return err;
	for (__u32 i = 0; i < SLUICE_REASON_SLOTS; i++)
		if (after[i] != before[i])
			r->reason = (int)i;
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		flow_key_of(p, &fk);
		r->lb_flow_after =
			!lb_flow_table_get(&x->flows, &fk, &r->lb_flow);
	}
	ct_key_of(p, &ck);
	r->ct_after = !bpf_map_lookup_elem(bpf_map__fd(x->skel->maps.ct), &ck,
					   &r->ct);
	r->nat_after = !bpf_map_lookup_elem(
		bpf_map__fd(x->skel->maps.nat_flows), &ck, &r->nat);
	return 0;
}
