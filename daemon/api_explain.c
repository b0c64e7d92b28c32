// SPDX-License-Identifier: BSD-2-Clause
/*
 * POST /v1/explain (docs/explain.md): {"src": ADDR, "dst": ADDR, "proto":
 * "tcp"|"udp"|"icmp", "sport": N, "dport": N, "in": IFACE, "flags":
 * "syn"|"ack"|"synack"|"fin"|"rst", "ttl": N} runs one synthesized packet
 * through a copy of the live XDP program (lib/dp/explain.c: the live
 * tables, private counters and flow state) and answers every decision it
 * took, the reason, the verdict and the output frame.  Nothing live
 * changes: no counter, flow-table, conntrack or NAT entry.
 *
 * The copy is loaded at start when asked for (explain_prepare(): the
 * verifier wants CAP_PERFMON, which the running daemon no longer has) and
 * kept for the daemon's life.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "config.h"
#include "dp_ct.h"
#include "dp_explain.h"
#include "explain.h"
#include "json_out.h"
#include "log.h"
#include "state.h"

static struct dp_explain *explainer;
static int explainer_err = -ENOENT; /* -ENOENT: not asked for */

void explain_prepare(struct dp *dp)
{
	explainer_err = dp_explain_open(dp, &explainer);
	if (explainer_err)
		pr_err("explain: cannot load the copy of the XDP program: %s",
		       strerror(-explainer_err));
	else
		pr_info("explain: a copy of the XDP program is loaded "
			"(POST /v1/explain)");
}

struct explain_req {
	struct dp_explain_pkt p;
	char in[IF_NAMESIZE];
	/* names as asked (the body is freed before the answer) */
	char proto[8];
	char flags[8];
};

static const struct {
	const char *name;
	__u8 bits;
} tcp_flag_sets[] = {
	{ "syn", 0x02 }, { "ack", 0x10 }, { "synack", 0x12 },
	{ "fin", 0x11 }, { "rst", 0x04 },
};

static int parse_port(struct json_object *v, const char *field, __be16 *out,
		      char *err, size_t len)
{
	int64_t n;

	if (!json_object_is_type(v, json_type_int)) {
		snprintf(err, len, "%s: '%s' is not a port (0-65535)", field,
			 json_object_get_string(v));
		return -EINVAL;
	}
	n = json_object_get_int64(v);
	if (n < 0 || n > 65535) {
		snprintf(err, len, "%s: %lld is not a port (0-65535)", field,
			 (long long)n);
		return -EINVAL;
	}
	*out = htons((__u16)n);
	return 0;
}

static int parse_addr(struct json_object *v, const char *field, __u8 *addr,
		      __u8 *family, char *err, size_t len)
{
	const char *s = json_object_get_string(v);

	if (json_object_is_type(v, json_type_string)) {
		if (inet_pton(AF_INET, s, addr) == 1) {
			*family = AF_INET;
			return 0;
		}
		if (inet_pton(AF_INET6, s, addr) == 1) {
			*family = AF_INET6;
			return 0;
		}
	}
	snprintf(err, len, "%s: '%s' is not an IPv4 or IPv6 address", field,
		 s ? s : "");
	return -EINVAL;
}

/* The interface by name: one sluiced manages, else any of the host's. */
static __u32 iface_index(const struct state *st, const char *name)
{
	for (int i = 0; i < st->n_ifaces; i++)
		if (st->ifaces[i].ifindex && !strcmp(st->ifaces[i].name, name))
			return st->ifaces[i].ifindex;
	return if_nametoindex(name);
}

static const char *addr_str(int family, const void *a, char *buf, size_t len)
{
	if (!inet_ntop(family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static bool prefix_has(const struct prefix_key *k, int family, const __u8 *a)
{
	unsigned int full = k->len / 8, rest = k->len % 8;

	if (k->family != family)
		return false;
	if (memcmp(k->addr, a, full))
		return false;
	return !rest || !((k->addr[full] ^ a[full]) & (0xff00 >> rest));
}

/* The route the data path was given for @a: the longest prefix. */
static const struct st_prefix *route_of(const struct state *st, int family,
					const __u8 *a)
{
	const struct st_prefix *best = NULL;
	struct st_prefix *p, *tmp;

	HASH_ITER(hh, st->prefixes, p, tmp) {
		if (!p->is_programmed || !prefix_has(&p->key, family, a))
			continue;
		if (!best || p->key.len > best->key.len)
			best = p;
	}
	return best;
}

/* No "in": the port the route back to the source leaves by (the
 * first next hop's), as a reply to it would. */
static int in_from_route(struct state *st, struct explain_req *q, char *err,
			 size_t len)
{
	const struct st_prefix *p = route_of(st, q->p.family, q->p.src);
	struct sluice_nhg g;
	char buf[INET6_ADDRSTRLEN];

	if (!p || p->programmed.type != SLUICE_RT_FORWARD ||
	    dp_nhg_get(st->dp, p->programmed.nhg_id, &g) || !g.count ||
	    !g.nh[0].ifindex) {
		snprintf(err, len,
			 "in: required (no route back to %s names a port)",
			 addr_str(q->p.family, q->p.src, buf, sizeof(buf)));
		return -EINVAL;
	}
	q->p.ifindex = g.nh[0].ifindex;
	snprintf(q->in, sizeof(q->in), "%s", state_ifname(st, q->p.ifindex));
	return 0;
}

static int parse_req(struct state *st, struct json_object *doc,
		     struct explain_req *q, char *err, size_t len)
{
	static const char *const known[] = { "src",   "dst", "proto", "sport",
					     "dport", "in",  "flags", "ttl" };
	struct json_object *v;
	const char *proto;
	__u8 sfam = 0, dfam = 0;
	bool have_sport = false, have_dport = false;

	memset(q, 0, sizeof(*q)); /* @doc is an object (api_body_doc()) */
	json_object_object_foreach(doc, key, val) {
		size_t i;

		(void)val;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (!strcmp(key, known[i]))
				break;
		if (i == sizeof(known) / sizeof(known[0])) {
			snprintf(err, len,
				 "%s: unknown field (src, dst, proto, sport, "
				 "dport, in, flags, ttl)",
				 key);
			return -EINVAL;
		}
	}
	if (!json_object_object_get_ex(doc, "src", &v) ||
	    !json_object_object_get_ex(doc, "dst", &v)) {
		snprintf(err, len, "%s: required",
			 json_object_object_get_ex(doc, "src", &v) ? "dst" :
								     "src");
		return -EINVAL;
	}
	json_object_object_get_ex(doc, "src", &v);
	if (parse_addr(v, "src", q->p.src, &sfam, err, len))
		return -EINVAL;
	json_object_object_get_ex(doc, "dst", &v);
	if (parse_addr(v, "dst", q->p.dst, &dfam, err, len))
		return -EINVAL;
	if (sfam != dfam) {
		snprintf(err, len, "dst: '%s' is not of src's family",
			 json_object_get_string(v));
		return -EINVAL;
	}
	q->p.family = sfam;

	proto = "tcp";
	if (json_object_object_get_ex(doc, "proto", &v))
		proto = json_object_get_string(v);
	snprintf(q->proto, sizeof(q->proto), "%s", proto);
	if (!strcmp(proto, "tcp")) {
		q->p.proto = IPPROTO_TCP;
	} else if (!strcmp(proto, "udp")) {
		q->p.proto = IPPROTO_UDP;
	} else if (!strcmp(proto, "icmp")) {
		q->p.proto = sfam == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	} else {
		snprintf(err, len, "proto: '%s' is not tcp, udp or icmp",
			 proto);
		return -EINVAL;
	}

	if (json_object_object_get_ex(doc, "sport", &v)) {
		if (parse_port(v, "sport", &q->p.sport, err, len))
			return -EINVAL;
		have_sport = true;
	}
	if (json_object_object_get_ex(doc, "dport", &v)) {
		if (parse_port(v, "dport", &q->p.dport, err, len))
			return -EINVAL;
		have_dport = true;
	}
	if (q->p.proto == IPPROTO_TCP || q->p.proto == IPPROTO_UDP) {
		if (!have_dport || !q->p.dport) {
			snprintf(err, len, "dport: required for %s (1-65535)",
				 q->proto);
			return -EINVAL;
		}
		if (!have_sport)
			q->p.sport = htons(40000);
	} else {
		/* an echo request: id and sequence number */
		if (!have_sport)
			q->p.sport = htons(1);
		if (!have_dport)
			q->p.dport = htons(1);
	}

	if (json_object_object_get_ex(doc, "flags", &v)) {
		const char *flags = json_object_get_string(v);
		size_t i;

		for (i = 0;
		     i < sizeof(tcp_flag_sets) / sizeof(tcp_flag_sets[0]); i++)
			if (!strcmp(flags, tcp_flag_sets[i].name))
				break;
		if (q->p.proto != IPPROTO_TCP ||
		    i == sizeof(tcp_flag_sets) / sizeof(tcp_flag_sets[0])) {
			snprintf(err, len,
				 "flags: '%s' is not syn, ack, synack, fin or "
				 "rst of a tcp packet",
				 flags);
			return -EINVAL;
		}
		q->p.tcp_flags = tcp_flag_sets[i].bits;
		snprintf(q->flags, sizeof(q->flags), "%s", flags);
	} else if (q->p.proto == IPPROTO_TCP) {
		strcpy(q->flags, "syn"); /* a new connection unless told */
		q->p.tcp_flags = 0x02;
	}

	if (json_object_object_get_ex(doc, "ttl", &v)) {
		int64_t n = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || n < 1 ||
		    n > 255) {
			snprintf(err, len, "ttl: '%s' is not 1-255",
				 json_object_get_string(v));
			return -EINVAL;
		}
		q->p.ttl = (__u8)n;
	}

	if (!json_object_object_get_ex(doc, "in", &v))
		return in_from_route(st, q, err, len);
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, len, "in: '%s' is not an interface name",
			 json_object_get_string(v));
		return -EINVAL;
	}
	if (strlen(json_object_get_string(v)) >= sizeof(q->in) ||
	    !(q->p.ifindex = iface_index(st, json_object_get_string(v)))) {
		snprintf(err, len, "in: no interface '%s'",
			 json_object_get_string(v));
		return -EINVAL;
	}
	snprintf(q->in, sizeof(q->in), "%s", json_object_get_string(v));
	return 0;
}

static void add_line(struct json_object *arr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_line(struct json_object *arr, const char *fmt, ...)
{
	char buf[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(arr, json_object_new_string(buf));
}

static void route_lines(struct state *st, struct json_object *dec,
			struct json_object *o, int family, const __u8 *a)
{
	const struct st_prefix *p = route_of(st, family, a);
	char buf[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN], pfx[64];
	struct sluice_nhg g;

	if (!p) {
		add_line(dec, "route: no route to %s in the data path",
			 addr_str(family, a, buf, sizeof(buf)));
		return;
	}
	snprintf(pfx, sizeof(pfx), "%s/%u",
		 addr_str(p->key.family, p->key.addr, buf, sizeof(buf)),
		 p->key.len);
	json_add_str(o, "route", pfx);
	if (p->programmed.type != SLUICE_RT_FORWARD) {
		add_line(dec, "route: %s (%s)", pfx,
			 p->programmed.type == SLUICE_RT_LOCAL ?
				 "local: to this host" :
				 "the kernel's to handle");
		return;
	}
	if (dp_nhg_get(st->dp, p->programmed.nhg_id, &g)) {
		add_line(dec, "route: %s, next-hop group %u (missing)", pfx,
			 p->programmed.nhg_id);
		return;
	}
	for (__u32 i = 0; i < g.count && i < SLUICE_MAX_ECMP; i++) {
		const struct sluice_nh *nh = &g.nh[i];

		add_line(dec, "route: %s, next hop %u of %u: %s dev %s", pfx,
			 i + 1, g.count,
			 nh->family ?
				 addr_str(nh->family, nh->gw, gw, sizeof(gw)) :
				 "on-link",
			 state_ifname(st, nh->ifindex));
	}
}

static const struct st_neigh *neigh_find(const struct state *st, __u32 ifindex,
					 int family, const __u8 *addr,
					 const __u8 *mac)
{
	struct sluice_neigh_key k = { .ifindex = ifindex,
				      .family = (__u8)family };
	struct st_neigh *n;

	memcpy(k.addr, addr, family == AF_INET ? 4 : 16);
	HASH_FIND(hh, st->neighs, &k, sizeof(k), n);
	return n && !memcmp(n->mac, mac, 6) ? n : NULL;
}

/* The neighbour the frame went to: the next hop of the route to @dst
 * (@family) that leaves by @ifindex and whose entry has @mac (a member's
 * gateway, or @dst itself on-link); else an entry of @dst's family with
 * @mac on @ifindex.  Never one of another family: a host's IPv4 and IPv6
 * entries share its MAC, and naming the other would name an address the
 * packet does not go to. */
static const struct st_neigh *neigh_of(struct state *st, __u32 ifindex,
				       const __u8 *mac, int family,
				       const __u8 *dst)
{
	const struct st_prefix *p = route_of(st, family, dst);
	const struct st_neigh *found;
	struct st_neigh *n, *tmp;
	struct sluice_nhg g;

	if (p && p->programmed.type == SLUICE_RT_FORWARD &&
	    !dp_nhg_get(st->dp, p->programmed.nhg_id, &g))
		for (__u32 i = 0; i < g.count && i < SLUICE_MAX_ECMP; i++) {
			const struct sluice_nh *nh = &g.nh[i];

			if (nh->ifindex != ifindex)
				continue;
			found = nh->family ? neigh_find(st, ifindex, nh->family,
							nh->gw, mac) :
					     neigh_find(st, ifindex, family,
							dst, mac);
			if (found)
				return found;
		}
	HASH_ITER(hh, st->neighs, n, tmp)
		if (n->key.ifindex == ifindex && n->key.family == family &&
		    !memcmp(n->mac, mac, 6))
			return n;
	return NULL;
}

/* Egress: the port whose MAC the output's source is (the router writes
 * it), and the neighbour whose MAC its destination is. */
static void egress_lines(struct state *st, const struct explain_req *q,
			 const struct dp_explain_result *r,
			 const struct explain_decoded *d, int family,
			 const __u8 *dst, struct json_object *dec,
			 struct json_object *o)
{
	const struct st_iface *out = NULL;
	const struct st_neigh *n;
	char mac[18], buf[INET6_ADDRSTRLEN];

	if (r->action == XDP_TX) {
		out = state_iface_by_ifindex(st, q->p.ifindex);
	} else {
		for (int i = 0; i < st->n_ifaces && !out; i++)
			if (st->ifaces[i].ifindex && st->ifaces[i].configured &&
			    !memcmp(st->ifaces[i].mac, d->src_mac, 6))
				out = &st->ifaces[i];
	}
	/* a tagged frame leaves by the port's VLAN subinterface */
	if (out && d->vlan)
		for (int i = 0; i < st->n_ifaces; i++)
			if (st->ifaces[i].ifindex &&
			    st->ifaces[i].parent == out->ifindex &&
			    st->ifaces[i].vlan_id == d->vlan) {
				out = &st->ifaces[i];
				break;
			}
	explain_mac_str(d->dst_mac, mac, sizeof(mac));
	json_add_str(o, "egress", out ? out->name : "");
	json_add_str(o, "next_hop_mac", mac);
	n = out ? neigh_of(st, out->ifindex, d->dst_mac, family, dst) : NULL;
	json_add_str(o, "next_hop",
		     n ? addr_str(n->key.family, n->key.addr, buf,
				  sizeof(buf)) :
			 "");
	add_line(dec, "egress: %s%s to %s%s%s%s",
		 out ? out->name : "(unknown port)",
		 r->action == XDP_TX ? " (back out of the ingress port)" : "",
		 mac, n ? " (neighbour " : "", n ? buf : "", n ? ")" : "");
}

static void lb_lines(struct state *st, const struct explain_req *q,
		     const struct dp_explain_result *r,
		     const struct explain_decoded *d, struct json_object *dec,
		     struct json_object *o)
{
	struct sluice_vip_key vk = { .proto = q->p.proto,
				     .family = q->p.family,
				     .port = q->p.dport };
	struct sluice_vip vip;
	struct sluice_backend be;
	struct json_object *lb;
	char buf[INET6_ADDRSTRLEN];
	int fd = dp_map_fd(st->dp, DP_MAP_LB_VIPS);
	bool from_table;

	if (fd < 0)
		return;
	memcpy(vk.addr, q->p.dst, 16);
	if (bpf_map_lookup_elem(fd, &vk, &vip)) {
		vk.port = 0;
		if (bpf_map_lookup_elem(fd, &vk, &vip))
			return; /* not a VIP: the router's */
	}
	lb = json_object_new_object();
	json_add_int(lb, "vip_id", vip.vip_id);
	add_line(dec, "load balancer: %s:%u/%s is VIP %u",
		 addr_str(q->p.family, q->p.dst, buf, sizeof(buf)),
		 ntohs(vk.port), q->proto, vip.vip_id);
	from_table = r->lb_flow_live && r->lb_flow_after &&
		     r->lb_flow.vip_id == vip.vip_id;
	if (r->lb_flow_after && r->lb_flow.vip_id == vip.vip_id) {
		json_add_int(lb, "backend_id", r->lb_flow.backend_id);
		json_add_str(lb, "from", from_table ? "flow_table" : "maglev");
		if (!dp_backend_get(st->dp, r->lb_flow.backend_id, &be) &&
		    be.family) {
			addr_str(be.family, be.addr, buf, sizeof(buf));
			json_add_str(lb, "backend", buf);
			add_line(dec, "load balancer: backend %u (%s), %s",
				 r->lb_flow.backend_id, buf,
				 from_table ? "the flow table's entry (an "
					      "established flow)" :
					      "picked by Maglev (a new flow)");
		}
	} else if (d->encap) {
		json_add_str(lb, "from", "maglev");
		json_add_str(lb, "backend", d->dst);
		add_line(dec,
			 "load balancer: to %s (not kept in the flow "
			 "table)",
			 d->dst);
	}
	if (d->encap) {
		json_add_str(lb, "encap", d->encap);
		add_line(dec, "load balancer: encapsulated (%s) %s > %s",
			 d->encap, d->src, d->dst);
	}
	json_object_object_add(o, "lb", lb);
}

static void ct_lines(const struct dp_explain_pkt *pkt,
		     const struct dp_explain_result *r, struct json_object *dec,
		     struct json_object *o)
{
	struct json_object *ct = json_object_new_object();

	json_add_bool(ct, "live_entry", r->ct_live);
	json_add_bool(ct, "entry_after", r->ct_after);
	if (r->ct_after)
		json_add_str(ct, "state", dp_ct_state_name(r->ct.state));
	if (r->ct_live)
		add_line(dec,
			 "conntrack: an entry exists (%s after this packet)",
			 r->ct_after ? dp_ct_state_name(r->ct.state) : "gone");
	else if (r->ct_after)
		add_line(dec, "conntrack: a new entry would be made (%s)",
			 dp_ct_state_name(r->ct.state));
	json_object_object_add(o, "conntrack", ct);
	if (r->nat_after) {
		char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
		int fam = r->nat.other.family;
		/* a side NAT does not rewrite is the packet's own (its
		 * new_* fields are left zero) */
		int snat = r->nat.flags & SLUICE_NATF_SNAT;
		int dnat = r->nat.flags & SLUICE_NATF_DNAT;

		add_line(dec, "nat: the opener's packets become %s:%u > %s:%u",
			 addr_str(fam, snat ? r->nat.new_src : pkt->src, s,
				  sizeof(s)),
			 ntohs(snat ? r->nat.new_sport : pkt->sport),
			 addr_str(fam, dnat ? r->nat.new_dst : pkt->dst, d,
				  sizeof(d)),
			 ntohs(dnat ? r->nat.new_dport : pkt->dport));
	}
}

/* The firewall's decision: the rule (its id, as sluicectl fw show lists
 * it) or the list's policy, from the copy's counter that moved. */
static void fw_line(const struct dp_explain_result *r,
		    const struct explain_req *q, struct json_object *dec,
		    struct json_object *o)
{
	const char *why = dp_reason_name((unsigned)r->reason);

	if (r->fw_hit && r->fw_counter &&
	    r->fw_counter < SLUICE_FW_MAX_COUNTERS) {
		json_add_int(o, "fw_rule", r->fw_counter);
		add_line(dec,
			 "firewall: %s: rule %u of %s in (sluicectl fw show "
			 "%s)",
			 why, r->fw_counter, q->in, q->in);
	} else if (r->fw_hit) {
		add_line(dec, "firewall: %s: the policy of %s in", why, q->in);
	} else {
		add_line(dec, "firewall: %s at %s in", why, q->in);
	}
}

static char *hex_of(const __u8 *b, size_t len)
{
	char *s = malloc(len * 2 + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++)
		snprintf(s + 2 * i, 3, "%02x", b[i]);
	s[len * 2] = '\0';
	return s;
}

static void frame_json(struct json_object *o, const char *key, const __u8 *b,
		       size_t len, struct explain_decoded *d)
{
	struct json_object *f = json_object_new_object();
	char *hex = hex_of(b, len);

	json_add_int(f, "len", (int64_t)len);
	json_add_str(f, "hex", hex ? hex : "");
	json_object_object_add(f, "decoded", explain_decode(b, len, d));
	json_object_object_add(o, key, f);
	free(hex);
}

static const char *action_name(__u32 a)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP",
					     "XDP_PASS", "XDP_TX",
					     "XDP_REDIRECT" };

	return a < sizeof(names) / sizeof(names[0]) ? names[a] : "XDP_?";
}

static struct json_object *answer(struct state *st, const struct explain_req *q,
				  const struct dp_explain_result *r)
{
	struct json_object *o = json_object_new_object();
	struct json_object *pkt = json_object_new_object();
	struct json_object *dec = json_object_new_array();
	struct explain_decoded din, dout;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	const struct st_iface *in = state_iface_by_ifindex(st, q->p.ifindex);
	int verdict = r->reason >= 0 ? dp_reason_verdict((unsigned)r->reason) :
				       -1;
	__u8 out_dst[16];
	int out_family;

	addr_str(q->p.family, q->p.src, s, sizeof(s));
	addr_str(q->p.family, q->p.dst, d, sizeof(d));
	json_add_str(pkt, "src", s);
	json_add_str(pkt, "dst", d);
	json_add_str(pkt, "proto", q->proto);
	json_add_int(pkt, "sport", ntohs(q->p.sport));
	json_add_int(pkt, "dport", ntohs(q->p.dport));
	json_add_str(pkt, "flags", q->flags);
	json_add_str(pkt, "in", q->in);
	json_add_int(pkt, "ifindex", q->p.ifindex);
	json_add_int(pkt, "slot", r->slot);
	json_object_object_add(o, "packet", pkt);

	if (q->p.proto == IPPROTO_ICMP || q->p.proto == IPPROTO_ICMPV6)
		/* an echo request has no ports: its id and sequence */
		add_line(dec, "packet: %s > %s/%s echo id %u seq %u", s, d,
			 q->proto, ntohs(q->p.sport), ntohs(q->p.dport));
	else
		add_line(dec, "packet: %s%s%s:%u > %s%s%s:%u/%s%s%s",
			 q->p.family == AF_INET6 ? "[" : "", s,
			 q->p.family == AF_INET6 ? "]" : "", ntohs(q->p.sport),
			 q->p.family == AF_INET6 ? "[" : "", d,
			 q->p.family == AF_INET6 ? "]" : "", ntohs(q->p.dport),
			 q->proto, *q->flags ? " " : "", q->flags);
	if (in && !in->configured && in->parent)
		add_line(dec,
			 "ingress: %s (ifindex %u, VLAN %u of %s: the frame "
			 "is tagged and runs on that port)",
			 q->in, q->p.ifindex, in->vlan_id,
			 state_ifname(st, in->parent));
	else
		add_line(dec, "ingress: %s (ifindex %u, %s)", q->in,
			 q->p.ifindex,
			 in && in->configured ? "a port of sluice" :
						"not managed by sluice");
	json_add_int(pkt, "vlan", r->vlan_id);
	frame_json(o, "input", r->in, r->in_len, &din);
	frame_json(o, "output", r->out, r->out_len, &dout);
	ct_lines(&q->p, r, dec, o);
	lb_lines(st, q, r, &dout, dec, o);
	/* what the route was for: the output's (outer) destination when
	 * the packet goes on, else the packet's */
	memcpy(out_dst, q->p.dst, 16);
	if (verdict == SLUICE_V_REDIRECT || verdict == SLUICE_V_TX)
		inet_pton(dout.family ? dout.family : q->p.family, dout.dst,
			  out_dst);
	out_family = dout.family && verdict >= SLUICE_V_REDIRECT ? dout.family :
								   q->p.family;
	if (r->reason != SLUICE_FWD_FW_REJECT &&
	    r->reason != SLUICE_FWD_DDOS_SYNCOOKIE &&
	    r->reason != SLUICE_FWD_LB_TOO_BIG)
		route_lines(st, dec, o, out_family, out_dst);
	if (verdict == SLUICE_V_REDIRECT || verdict == SLUICE_V_TX)
		egress_lines(st, q, r, &dout, out_family, out_dst, dec, o);
	if (verdict >= SLUICE_V_REDIRECT && dout.family)
		add_line(dec, "output: %s > %s ttl %u", dout.src, dout.dst,
			 dout.ttl);
	if (r->reason == SLUICE_DROP_FW_RULE ||
	    r->reason == SLUICE_DROP_FW_POLICY ||
	    r->reason == SLUICE_FWD_FW_REJECT ||
	    r->reason == SLUICE_DROP_FW_REJECT)
		fw_line(r, q, dec, o);
	add_line(dec, "reason: %s, verdict %s (%s)",
		 r->reason >= 0 ? dp_reason_name((unsigned)r->reason) : "none",
		 r->reason >= 0 ? dp_reason_verdict_name((unsigned)r->reason) :
				  "?",
		 action_name(r->action));
	json_object_object_add(o, "decisions", dec);
	json_add_str(o, "reason",
		     r->reason >= 0 ? dp_reason_name((unsigned)r->reason) :
				      "none");
	json_add_str(o, "verdict",
		     r->reason >= 0 ?
			     dp_reason_verdict_name((unsigned)r->reason) :
			     "");
	json_add_str(o, "action", action_name(r->action));
	return o;
}

char *api_post_explain(struct api_ctx *c, const struct api_req *r,
		       unsigned int *status)
{
	struct dp_explain_result *res;
	struct json_object *doc = NULL, *o;
	struct explain_req q;
	char err[400], *ans;
	int rc;

	if (api_body_doc(r, &doc, status, &ans))
		return ans;
	rc = parse_req(c->st, doc, &q, err, sizeof(err));
	json_object_put(doc);
	if (rc)
		return error_body(status, 400, "%s", err);
	if (c->cfg->role != DP_ROLE_ROUTER)
		return error_body(status, 404,
				  "no explain in role %s (the router role has "
				  "it)",
				  config_role_name(c->cfg->role));
	if (explainer_err == -ENOENT)
		return error_body(status, 409,
				  "explain is off: start sluiced with "
				  "--explain (or \"explain\": true in its "
				  "config) to load the copy of the XDP program "
				  "it runs");
	if (explainer_err)
		return error_body(status, 500,
				  "explain: the copy of the XDP program did "
				  "not load at start: %s",
				  strerror(-explainer_err));
	res = calloc(1, sizeof(*res));
	if (!res)
		return api_fail(status, -ENOMEM, "");
	rc = dp_explain_run(explainer, &q.p, res);
	if (rc) {
		free(res);
		return error_body(status, 500, "explain: %s", strerror(-rc));
	}
	o = answer(c->st, &q, res);
	free(res);
	return json_take(o);
}
