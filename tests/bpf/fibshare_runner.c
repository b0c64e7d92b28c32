// SPDX-License-Identifier: BSD-2-Clause
/*
 * One route source for XDP and user space (issue #10 §2): lib/fibread, the
 * user-space reader of sluiced's pinned forwarding table, must decide
 * exactly as the XDP program does.  A lib/dp of its own (router role,
 * pinned in a directory of this test, as sluiced pins in its pin_dir)
 * holds 10,000+ routes, v4 and v6, over ECMP groups of 1 to 8 members,
 * groups with unresolved members, on-link groups and a group whose egress
 * sluice does not manage; local and kernel routes.  For 100,000 random
 * destinations (inside routes, between them, on-link hosts with and
 * without a neighbour) and random ports, one frame goes through the
 * sluice_xdp program with BPF_PROG_TEST_RUN and its flow through
 * fibread_lookup(), opened on the pins:
 *  - forwarded: XDP redirects, the output's destination MAC is the next
 *    hop the reader chose (every gateway has its own MAC, so a different
 *    ECMP member shows) and its source MAC the reader's egress port, whose
 *    ifindex is the reader's tx_ifindex;
 *  - otherwise XDP passes the frame untouched, and the reason counters
 *    hold, reason by reason, exactly the reader's punt decisions.
 * The reader's view is live: a route added or deleted through lib/dp
 * shows at once; it is never torn by a concurrent writer
 * (fibshare_race.c); fibread_stale() tells when sluiced re-pinned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/bpf.h>
#include "dp.h"
#include "fib_fixtures.h"
#include "fibshare.h"
#include "names.h"
#include "neigh_note.h"
#include "pktbuild.h"
#include "runner.h"

#define SEED 0x5eed10u
#define N_DESTS 100000u
#define N_ROUTES4 6000u
#define N_ROUTES6 6000u
#define N_GROUPS 64u /* per family; group i has 1 + i % 8 members */
#define GW_UNRESOLVED(k) ((k) % 13 == 5) /* gateways left without MAC */
#define ONLINK_HOSTS 80u		 /* probed per on-link prefix */
#define ONLINK_NEIGHS 40u		 /* of which have a neighbour */
#define MAX_DIAG 5

enum { ID4 = 1000, ID6 = 2000, ID_ONLINK4 = 3000, ID_ONLINK6, ID_UNMANAGED };

static const __u8 onlink4[4] = { 198, 19, 200, 0 }; /* /24 */
static const __u8 onlink6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xaa, 0xaa };
static const __u8 unmanaged4[4] = { 198, 19, 201, 0 }; /* /24 */

struct rng {
	__u64 s;
};

static __u32 rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (__u32)(r->s >> 16);
}

/* A prefix of a family, as installed. */
struct pfx {
	__u8 addr[16];
	__u8 plen;
};

struct share {
	struct env *e;
	struct dp *dp;
	struct fibread *rd;
	struct pfx *r4, *r6;
	unsigned int n4, n6;
	/* what the reader decided, and what showed */
	__u64 by_reason[SLUICE_REASON_SLOTS];
	struct sluice_counter seen[SLUICE_REASON_SLOTS]; /* P0's, so far */
	__u64 fwd_unread; /* forwards run since seen was read */
	unsigned int ecmp_fwd, onlink_fwd, mismatches, runs;
	unsigned int tagged_fwd, vlan_fwd; /* tagged in; to V30 */
	__u32 member_seen; /* bit m: member m of an 8-member group forwarded */
	/* the forwarding graph on the same table (fibshare_graph.c) */
	struct fsgraph *gr;
	unsigned int graph_fwd, graph_punt, graph_mismatches;
	/* its on-link notes against XDP's: each frame's, taken */
	struct neigh_note *nn;
	unsigned int notes_same, notes_bad;
};

/* The MAC of gateway @k (distinct for each member of each group). */
static void gw_mac(unsigned int k, __u8 *mac)
{
	const __u8 m[6] = { 0x02, 0x5e, 0x00, 0x00, (__u8)(k >> 8), (__u8)k };

	memcpy(mac, m, 6);
}

static void gw_addr(int family, unsigned int k, __u8 *a)
{
	memset(a, 0, 16);
	if (family == AF_INET) {
		a[0] = 198;
		a[1] = 19;
		a[2] = (__u8)(254 + (k >> 8));
		a[3] = (__u8)k;
	} else {
		memcpy(a, (__u8[]){ 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff }, 6);
		a[14] = (__u8)(k >> 8);
		a[15] = (__u8)k;
	}
}

static int neigh_add(struct share *s, int ifx, int family, const __u8 *addr,
		     const __u8 *mac)
{
	struct sluice_neigh_key k = { .ifindex = s->e->ifindex[ifx],
				      .family = (__u8)family };
	struct sluice_neigh v = { 0 };

	memcpy(k.addr, addr, family == AF_INET ? 4 : 16);
	memcpy(v.mac, mac, 6);
	return dp_neigh_set(s->dp, &k, &v);
}

/* VLAN subinterfaces: V10 on P0 (tagged frames come in by it) and V30
 * on P1 (a third of the gateways are behind it).  V10 shares P0's counter
 * slot, so every frame is counted in one slot whatever its tag. */
static int vlans_set(struct share *s)
{
	static const __u8 mac10[6] = MAC_V10, mac30[6] = MAC_V30;
	struct sluice_iface v10 = { .mtu = 1500,
				    .slot = s->e->slot[IFX_P0],
				    .vlan_id = 10,
				    .flags = SLUICE_IF_VLAN,
				    .parent_ifindex = s->e->ifindex[IFX_P0] };
	struct sluice_iface v30 = { .mtu = 1500,
				    .slot = s->e->slot[IFX_V30],
				    .vlan_id = 30,
				    .flags = SLUICE_IF_VLAN,
				    .parent_ifindex = s->e->ifindex[IFX_P1] };

	memcpy(v10.mac, mac10, 6);
	memcpy(v30.mac, mac30, 6);
	return dp_iface_set(s->dp, s->e->ifindex[IFX_V10], &v10) ?:
		       dp_vlan_set(s->dp, s->e->ifindex[IFX_P0], 10, s->e->ifindex[IFX_V10]) ?:
		       dp_iface_set(s->dp, s->e->ifindex[IFX_V30], &v30) ?:
		       dp_vlan_set(s->dp, s->e->ifindex[IFX_P1], 30,
				   s->e->ifindex[IFX_V30]);
}

/* Ports P0-P2 as the fib fixtures have them, and the VLANs. */
static int ports_set(struct share *s)
{
	int err = vlans_set(s);

	for (size_t i = 0; !err && i < fib_n_topo_ifaces; i++) {
		const struct topo_iface *t = &fib_topo_ifaces[i];
		struct sluice_iface v = { .mtu = t->mtu, .slot = t->slot };

		memcpy(v.mac, t->mac, 6);
		err = dp_iface_set(s->dp, s->e->ifindex[t->ifx], &v) ?:
			      dp_port_set(s->dp, s->e->ifindex[t->ifx]);
	}
	return err;
}

/* N_GROUPS groups of a family over P1, P2 and V30, their gateways'
 * MACs. */
static int groups_set(struct share *s, int family, __u32 id0)
{
	int err = 0;

	for (unsigned int i = 0; !err && i < N_GROUPS; i++) {
		struct sluice_nhg g = { .count = 1 + i % SLUICE_MAX_ECMP };

		for (unsigned int m = 0; !err && m < g.count; m++) {
			unsigned int k = i * SLUICE_MAX_ECMP + m;
			int ifx = (i + m) % 3 == 2 ? IFX_V30 :
				  (i + m) % 2	   ? IFX_P2 :
						     IFX_P1;
			__u8 mac[6];

			g.nh[m].ifindex = s->e->ifindex[ifx];
			g.nh[m].family = (__u8)family;
			gw_addr(family, k, g.nh[m].gw);
			gw_mac(k, mac);
			if (!GW_UNRESOLVED(k))
				err = neigh_add(s, ifx, family, g.nh[m].gw,
						mac);
		}
		if (!err)
			err = dp_nhg_set(s->dp, id0 + i, &g);
	}
	return err;
}

/* On-link groups (and their hosts' neighbours), the unmanaged one. */
static int special_set(struct share *s)
{
	struct sluice_nhg on4 = { .count = 1 }, on6 = { .count = 1 },
			  un = { .count = 1 };
	__u8 a[16] = { 0 }, mac[6];
	int err;

	on4.nh[0].ifindex = on6.nh[0].ifindex = s->e->ifindex[IFX_P2];
	un.nh[0].ifindex = s->e->ifindex[IFX_EXT];
	un.nh[0].family = AF_INET;
	memcpy(un.nh[0].gw, unmanaged4, 4);
	un.nh[0].gw[3] = 1;
	gw_mac(0xf00, mac);
	err = dp_nhg_set(s->dp, ID_ONLINK4, &on4)		       ?:
		      dp_nhg_set(s->dp, ID_ONLINK6, &on6)	       ?:
		      neigh_add(s, IFX_EXT, AF_INET, un.nh[0].gw, mac) ?:
		      dp_nhg_set(s->dp, ID_UNMANAGED, &un);
	for (unsigned int h = 1; !err && h <= ONLINK_NEIGHS; h++) {
		gw_mac(0x1000 + h, mac);
		memcpy(a, onlink4, 4);
		a[3] = (__u8)h;
		err = neigh_add(s, IFX_P2, AF_INET, a, mac);
		if (err)
			break;
		gw_mac(0x2000 + h, mac);
		memcpy(a, onlink6, 16);
		a[15] = (__u8)h;
		err = neigh_add(s, IFX_P2, AF_INET6, a, mac);
	}
	return err;
}

static void host_bits_clear(__u8 *a, unsigned int plen, unsigned int bytes)
{
	for (unsigned int b = 0; b < bytes; b++) {
		if (plen >= 8 * (b + 1))
			continue;
		a[b] &= plen > 8 * b ? (__u8)(0xff << (8 * (b + 1) - plen)) : 0;
	}
}

static int route_set(struct share *s, int family, const __u8 *addr,
		     unsigned int plen, __u8 type, __u32 nhg)
{
	struct sluice_route rt = { .type = type, .nhg_id = nhg };

	return dp_route_set(s->dp, family, addr, plen, &rt);
}

/* A random prefix inside 198.18.0.0/15 or 2001:db8::/32, random type. */
static int route_random(struct share *s, struct rng *g, int family,
			struct pfx *p, unsigned int *n)
{
	struct dp_fib_usage u0, u1;
	unsigned int bytes = family == AF_INET ? 4 : 16, x = rnd(g) % 100;
	__u32 nhg = (family == AF_INET ? ID4 : ID6) + rnd(g) % N_GROUPS;
	__u8 type = SLUICE_RT_FORWARD;
	int err;

	for (unsigned int b = 0; b < bytes; b++)
		p->addr[b] = (__u8)rnd(g);
	if (family == AF_INET) {
		p->addr[0] = 198;
		p->addr[1] = (__u8)(18 | (p->addr[1] & 1));
		p->plen = (__u8)(15 + rnd(g) % 18); /* 15..32 */
	} else {
		memcpy(p->addr, (__u8[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
		p->plen = (__u8)(x < 70 ? 32 + rnd(g) % 33 :
				 x < 90 ? 65 + rnd(g) % 32 :
					  97 + rnd(g) % 32);
	}
	host_bits_clear(p->addr, p->plen, bytes);
	x = rnd(g) % 100;
	if (x < 4)
		type = SLUICE_RT_LOCAL;
	else if (x < 7)
		type = SLUICE_RT_KERNEL;
	err = dp_fib_stats(s->dp, &u0) ?:
		      route_set(s, family, p->addr, p->plen, type, type == SLUICE_RT_FORWARD ? nhg : 0) ?:
		      dp_fib_stats(s->dp, &u1);
	/* a prefix drawn before was replaced: not counted again */
	if (!err && u1.v4_routes + u1.v6_routes > u0.v4_routes + u0.v6_routes)
		(*n)++;
	return err;
}

static int table_build(struct share *s, struct rng *g)
{
	int err = ports_set(s)			       ?:
			  groups_set(s, AF_INET, ID4)  ?:
			  groups_set(s, AF_INET6, ID6) ?:
							 special_set(s);

	/* distinct prefixes, so that the counts are routes in the table */
	for (unsigned int i = 0; !err && s->n4 < N_ROUTES4 && i < 8 * N_ROUTES4;
	     i++)
		err = route_random(s, g, AF_INET, &s->r4[s->n4], &s->n4);
	for (unsigned int i = 0; !err && s->n6 < N_ROUTES6 && i < 8 * N_ROUTES6;
	     i++)
		err = route_random(s, g, AF_INET6, &s->r6[s->n6], &s->n6);
	/* last, so that no random route hides them */
	return err ?:
		       route_set(s, AF_INET, onlink4, 24, SLUICE_RT_FORWARD, ID_ONLINK4) ?:
		       route_set(s, AF_INET6, onlink6, 64, SLUICE_RT_FORWARD, ID_ONLINK6) ?:
		       route_set(s, AF_INET, unmanaged4, 24, SLUICE_RT_FORWARD,
				 ID_UNMANAGED);
}

/* A destination: inside a route (60%), anywhere in the range (25%), an
 * on-link host (10%), behind the unmanaged egress (5%). */
static void dest_random(struct share *s, struct rng *g, int family, __u8 *d)
{
	unsigned int x = rnd(g) % 100, bytes = family == AF_INET ? 4 : 16;
	const struct pfx *p;

	memset(d, 0, 16);
	for (unsigned int b = 0; b < bytes; b++)
		d[b] = (__u8)rnd(g);
	if (x < 60) {
		p = family == AF_INET ? &s->r4[rnd(g) % s->n4] :
					&s->r6[rnd(g) % s->n6];
		for (unsigned int b = 0; b < bytes; b++) {
			__u8 keep = p->plen >= 8 * (b + 1) ?
					    0xff :
				    p->plen > 8 * b ?
					    (__u8)(0xff
						   << (8 * (b + 1) - p->plen)) :
					    0;

			d[b] = (__u8)((p->addr[b] & keep) | (d[b] & ~keep));
		}
	} else if (x < 85) {
		if (family == AF_INET) {
			d[0] = 198;
			d[1] = (__u8)(18 | (d[1] & 1));
		} else {
			memcpy(d, (__u8[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
		}
	} else if (x < 95) {
		memcpy(d, family == AF_INET ? onlink4 : onlink6, bytes);
		d[bytes - 1] = (__u8)(1 + rnd(g) % ONLINK_HOSTS);
	} else if (family == AF_INET) {
		memcpy(d, unmanaged4, 4);
		d[3] = (__u8)(2 + rnd(g) % 250);
	} else { /* global unicast outside 2001:db8::/32: no route */
		d[0] = (__u8)(0x20 | (d[0] & 0x0f));
		d[1] = (__u8)(d[1] == 0x01 ? 0x02 : d[1]);
	}
}

/* The egress port whose MAC (or whose VLAN's) is @mac, IFX_NONE when
 * none. */
static int port_of_mac(const __u8 *mac)
{
	static const __u8 mac30[6] = MAC_V30;

	if (!memcmp(mac, mac30, 6))
		return IFX_P1;
	for (size_t i = 0; i < fib_n_topo_ifaces; i++)
		if (!memcmp(fib_topo_ifaces[i].mac, mac, 6))
			return fib_topo_ifaces[i].ifx;
	return IFX_NONE;
}

static void mismatch(struct share *s, const char *daddr, const char *why,
		     const struct run *r, const struct fibread_hop *h)
{
	if (s->mismatches++ >= MAX_DIAG)
		return;
	diag("%s: %s: XDP %s (err %d), out dst %02x:%02x src %02x:%02x; "
	     "fibread %s flags %#x target %u nhg %u member %u/%u nh %u dmac "
	     "%02x:%02x smac %02x:%02x tx %u\n",
	     daddr, why, xdp_name(r->retval), r->err, r->out[4], r->out[5],
	     r->out[10], r->out[11], dp_reason_name((unsigned int)h->reason),
	     h->flags, h->target, h->nhg, h->member, h->count, h->nh,
	     h->dmac[4], h->dmac[5], h->smac[4], h->smac[5], h->tx_ifindex);
}

/*
 * The frame just run was counted once, under @reason, in P0's slot (and
 * the forwards not read since, under fwd_redirect).  Read for punts only:
 * a forward shows its decision in its bytes, and reading the per-CPU
 * counters after each of 100,000 frames would triple the run time.
 */
static bool counted_as(struct share *s, int reason)
{
	struct sluice_counter now[SLUICE_REASON_SLOTS];
	bool ok = true;

	if (dp_stats_read(s->dp, s->e->slot[IFX_P0], now))
		return false;
	for (int rs = 0; rs < SLUICE_REASON_SLOTS; rs++) {
		__u64 d = now[rs].packets - s->seen[rs].packets;

		__u64 want = (rs == reason) +
			     (rs == SLUICE_FWD_REDIRECT ? s->fwd_unread : 0);

		if (d != want) {
			if (s->mismatches < MAX_DIAG)
				diag("%s: +%llu\n", dp_reason_name(rs),
				     (unsigned long long)d);
			ok = false;
		}
	}
	memcpy(s->seen, now, sizeof(now));
	s->fwd_unread = 0;
	return ok;
}

/*
 * The same frame through the forwarding graph: XDP's decision, egress
 * port and output bytes.  A forward leaves by the port whose ifindex is
 * the reader's tx_ifindex (the XDP output's source MAC is that port's:
 * probe() checks it) with XDP's output bytes exactly; anything else goes
 * to the kernel unchanged under @want, the reason XDP counts (probe()
 * checks that too).
 */
static void graph_probe(struct share *s, const char *daddr,
			const struct frame *in, const struct run *r,
			const struct fibread_hop *h, int want)
{
	static struct fsgraph_out o;
	static const int ifx[] = { IFX_P0, IFX_P1, IFX_P2 };
	const char *why = NULL;
	int err = fsgraph_run(s->gr, in->buf, in->len, &o);

	if (err)
		why = "a buffer lost or sent twice";
	else if (want == SLUICE_FWD_REDIRECT &&
		 (o.port < 0 || s->e->ifindex[ifx[o.port]] != h->tx_ifindex))
		why = "not forwarded, or by another port";
	else if (want == SLUICE_FWD_REDIRECT &&
		 (o.len != r->out_len || memcmp(o.bytes, r->out, o.len)))
		why = "forwarded, other bytes than XDP's";
	else if (want != SLUICE_FWD_REDIRECT &&
		 (o.port != FSG_PUNTED || o.reason != want))
		why = "not punted, or under another reason";
	else if (want != SLUICE_FWD_REDIRECT &&
		 (o.len != in->len || memcmp(o.bytes, in->buf, in->len)))
		why = "punted, but changed";
	if (!why) {
		if (want == SLUICE_FWD_REDIRECT)
			s->graph_fwd++;
		else
			s->graph_punt++;
		return;
	}
	if (s->graph_mismatches++ < MAX_DIAG)
		diag("graph: %s: %s: want %s; graph port %d reason %s len %u "
		     "(XDP %u)\n",
		     daddr, why, dp_reason_name((unsigned int)want), o.port,
		     dp_reason_name(o.reason), o.len, r->out_len);
}

/* The note the last frame left in neigh_wanted (taken): how many. */
static int note_taken(struct share *s, struct sluice_neigh_key *k)
{
	struct sluice_neigh_key got[4];
	int n = dp_neigh_wanted_take(s->dp, got, 4);

	if (n > 0)
		*k = got[0];
	return n;
}

/* XDP left @nx notes (@kx the first), the graph @ng (@kg): one each, the
 * same 24 bytes, for an on-link miss as the reader saw it; none else. */
static void notes_compare(struct share *s, const char *daddr,
			  const struct fibread_hop *h, int nx,
			  const struct sluice_neigh_key *kx, int ng,
			  const struct sluice_neigh_key *kg)
{
	int want = h->reason == SLUICE_PASS_NO_NEIGH &&
		   (h->flags & FIBREAD_ONLINK);

	if (nx == want && ng == want &&
	    (!want || !memcmp(kx, kg, sizeof(*kx)))) {
		s->notes_same += (unsigned int)want;
		return;
	}
	if (s->notes_bad++ < MAX_DIAG)
		diag("notes: %s: want %d; XDP %d (ifindex %u family %u), "
		     "graph %d (ifindex %u family %u)\n",
		     daddr, want, nx, nx > 0 ? kx->ifindex : 0,
		     nx > 0 ? kx->family : 0, ng, ng > 0 ? kg->ifindex : 0,
		     ng > 0 ? kg->family : 0);
}

/* One destination through both; false on a disagreement. */
static void probe(struct share *s, struct rng *g, int family)
{
	static struct frame in;
	static struct run r;
	struct fibread_flow fl = { .family = (__u8)family,
				   .proto = IPPROTO_TCP };
	struct pkt_spec sp = { .dst = MAC_P0,
			       .src = MAC_H0,
			       .l3 = family == AF_INET ? PKT_L3_IP4 :
							 PKT_L3_IP6,
			       .l4 = IPPROTO_TCP,
			       .saddr = family == AF_INET ? H0_4 : H0_6,
			       .sport = (__u16)(1024 + rnd(g) % 60000),
			       .dport = (__u16)(1 + rnd(g) % 65535),
			       .payload = 32 };
	/* 1 in 16 around the egress MTU (1500): a forward or pass_mtu */
	unsigned int l3_len = rnd(g) % 16 ? 0 : 1480 + rnd(g) % 41;
	/* 1 in 4 tagged (VLAN 10 on P0, any priority): popped, or retagged
	 * to V30 */
	bool tagged = rnd(g) % 4 == 0;
	__u32 out_len;
	int want;
	char daddr[INET6_ADDRSTRLEN];
	struct fibread_hop h;
	__u16 ports[2];
	int ifx, nx, ng;
	struct sluice_neigh_key kx = { 0 }, kg = { 0 };

	if (l3_len)
		sp.payload =
			(__u16)(l3_len - 20 - (family == AF_INET ? 20 : 40));
	else
		l3_len = (family == AF_INET ? 20 : 40) + 20 + 32;
	if (tagged) {
		static const __u8 mac10[6] = MAC_V10;

		memcpy(sp.dst, mac10, 6);
		sp.tagged = 1;
		sp.vid = 10;
		sp.pcp = (__u8)(rnd(g) % 8);
	}
	dest_random(s, g, family, fl.daddr);
	inet_ntop(family, fl.daddr, daddr, sizeof(daddr));
	sp.daddr = daddr;
	pkt_addr(family, sp.saddr, fl.saddr);
	ports[0] = htons(sp.sport);
	ports[1] = htons(sp.dport);
	memcpy(&fl.ports, ports, 4);
	s->runs++;
	if (pkt_build(&sp, &in) || fibread_lookup(s->rd, &fl, &h)) {
		memset(&h, 0, sizeof(h));
		mismatch(s, daddr, "frame or fibread_lookup failed", &r, &h);
		return;
	}
	xdp_run(s->e->prog_fd, s->e->ifindex[IFX_P0], in.buf, in.len, 0, 1, &r);
	nx = note_taken(s, &kx);
	/* fibread decides the route; the packet check after it is XDP's
	 * forward_stage(): too big for the egress, to the kernel */
	want = h.reason;
	if (want == SLUICE_FWD_REDIRECT && l3_len > h.mtu)
		want = SLUICE_PASS_MTU;
	if (want >= 0 && want < SLUICE_REASON_SLOTS)
		s->by_reason[want]++;
	if (r.err) {
		mismatch(s, daddr, "test_run failed", &r, &h);
		return;
	}
	graph_probe(s, daddr, &in, &r, &h, want);
	ng = note_taken(s, &kg);
	notes_compare(s, daddr, &h, nx, &kx, ng, &kg);
	if (want != SLUICE_FWD_REDIRECT) {
		if (!counted_as(s, want))
			mismatch(s, daddr, "XDP counted another reason", &r,
				 &h);
		else if (r.retval != XDP_PASS || r.out_len != in.len ||
			 memcmp(r.out, in.buf, in.len))
			mismatch(s, daddr, "fibread punts, XDP does not", &r,
				 &h);
		return;
	}
	ifx = port_of_mac(h.smac);
	out_len = in.len - (tagged ? 4 : 0) +
		  (h.port_flags & SLUICE_IF_VLAN ? 4 : 0);
	if (r.retval != XDP_REDIRECT || r.out_len != out_len ||
	    memcmp(r.out, h.dmac, 6) || memcmp(r.out + 6, h.smac, 6) ||
	    ifx == IFX_NONE || s->e->ifindex[ifx] != h.tx_ifindex) {
		counted_as(s, h.reason); /* its diagnostics */
		mismatch(s, daddr, "another next hop or egress", &r, &h);
		return;
	}
	s->fwd_unread++;
	if (h.count > 1)
		s->ecmp_fwd++;
	if (h.count == SLUICE_MAX_ECMP)
		s->member_seen |= 1u << h.member;
	if (h.flags & FIBREAD_ONLINK)
		s->onlink_fwd++;
	s->tagged_fwd += tagged;
	s->vlan_fwd += !!(h.port_flags & SLUICE_IF_VLAN);
}

/* The P0 slot's counters moved by exactly the reader's tallies. */
static bool counters_match(struct share *s)
{
	struct env *e = s->e;
	__u32 slot = e->slot[IFX_P0];
	bool ok = true;

	for (__u32 sl = 0; sl < e->nslots; sl++) {
		for (int rs = 0; rs < SLUICE_REASON_SLOTS; rs++) {
			__u64 want = sl == slot ? s->by_reason[rs] : 0,
			      got = e->after[sl][rs].packets -
				    e->before[sl][rs].packets;

			if (got == want)
				continue;
			diag("slot %u %s: %llu packets, fibread predicted "
			     "%llu\n",
			     sl, dp_reason_name((unsigned int)rs),
			     (unsigned long long)got, (unsigned long long)want);
			ok = false;
		}
	}
	return ok;
}

static bool all_seen(struct share *s)
{
	static const int reasons[] = {
		SLUICE_FWD_REDIRECT,  SLUICE_PASS_NO_ROUTE,
		SLUICE_PASS_LOCAL,    SLUICE_PASS_KERNEL_ROUTE,
		SLUICE_PASS_NO_NEIGH, SLUICE_PASS_EGRESS_UNMANAGED,
	};
	bool ok = s->ecmp_fwd && s->onlink_fwd && s->tagged_fwd &&
		  s->vlan_fwd && s->by_reason[SLUICE_PASS_MTU] &&
		  s->member_seen == (1u << SLUICE_MAX_ECMP) - 1;

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		ok = ok && s->by_reason[reasons[i]];
	diag("%u destinations: %llu forwarded (%u through ECMP groups, %u "
	     "on-link, %u tagged in, %u to VLAN 30), punted: %llu no route, %llu local, %llu kernel, %llu "
	     "no neighbour, %llu unmanaged egress, %llu too big\n",
	     s->runs, (unsigned long long)s->by_reason[SLUICE_FWD_REDIRECT],
	     s->ecmp_fwd, s->onlink_fwd, s->tagged_fwd, s->vlan_fwd,
	     (unsigned long long)s->by_reason[SLUICE_PASS_NO_ROUTE],
	     (unsigned long long)s->by_reason[SLUICE_PASS_LOCAL],
	     (unsigned long long)s->by_reason[SLUICE_PASS_KERNEL_ROUTE],
	     (unsigned long long)s->by_reason[SLUICE_PASS_NO_NEIGH],
	     (unsigned long long)s->by_reason[SLUICE_PASS_EGRESS_UNMANAGED],
	     (unsigned long long)s->by_reason[SLUICE_PASS_MTU]);
	return ok;
}

/* A /32 added then deleted through lib/dp: the reader, opened before,
 * sees each change at once (it reads the maps, not a copy). */
static bool live_view(struct share *s)
{
	struct fibread_hop h0, h1, h2;
	__u8 d[4];
	int err;

	memcpy(d, unmanaged4, 4);
	d[3] = 9;
	err = fibread_lookup4(s->rd, d, 0, &h0) ?:
		      route_set(s, AF_INET, d, 32, SLUICE_RT_FORWARD, ID_UNMANAGED) ?:
		      fibread_lookup4(s->rd, d, 0, &h1)	  ?:
		      dp_route_del(s->dp, AF_INET, d, 32) ?:
		      fibread_lookup4(s->rd, d, 0, &h2);
	if (err) {
		diag("live view: %s\n", strerror(-err));
		return false;
	}
	diag("198.19.201.9: %s (target %u), with the /32 %s (target %u), "
	     "without %s (target %u)\n",
	     dp_reason_name((unsigned int)h0.reason), h0.target,
	     dp_reason_name((unsigned int)h1.reason), h1.target,
	     dp_reason_name((unsigned int)h2.reason), h2.target);
	return h1.reason == SLUICE_PASS_EGRESS_UNMANAGED &&
	       h0.target != h1.target && h2.target == h0.target &&
	       h2.reason == h0.reason;
}

/* @a and @b answer alike for 198.19.200.0/24 (on-link hosts, some
 * under random routes); the forwards among them in *@fwd. */
static bool same_answers(const struct fibread *a, const struct fibread *b,
			 unsigned int *fwd)
{
	struct fibread_hop ha, hb;
	__u8 d[4];

	memcpy(d, onlink4, 4);
	*fwd = 0;
	for (unsigned int i = 0; i < 256; i++) {
		d[3] = (__u8)i;
		if (fibread_lookup4(a, d, i, &ha) ||
		    fibread_lookup4(b, d, i, &hb) || ha.reason != hb.reason ||
		    memcmp(ha.dmac, hb.dmac, 6) ||
		    ha.tx_ifindex != hb.tx_ifindex)
			return false;
		*fwd += ha.reason == SLUICE_FWD_REDIRECT;
	}
	return true;
}

/*
 * sluiced restarted with another group pool: the table is rebuilt into new
 * maps pinned in place of the old.  The open reader is stale; opened
 * again, it answers as the old one did before the restart.
 */
static void repin(struct share *s, struct dp_opts *o)
{
	struct fibread *before = NULL, *again = NULL;
	int stale0, stale1, err;
	unsigned int fwd = 0;
	char why[256] = "";
	bool same = false;

	stale0 = fibread_stale(s->rd);
	/* a second reader on the old maps, to compare with after */
	err = fibread_open(&before, o->pin_dir, why, sizeof(why));
	dp_close(s->dp);
	s->dp = NULL;
	o->fib4_groups = SLUICE_FIB4_GROUPS / 2;
	err = err ?: dp_open(&s->dp, o);
	stale1 = err ? 0 : fibread_stale(s->rd);
	err = err ?: fibread_open(&again, o->pin_dir, why, sizeof(why));
	if (err)
		diag("reopening: %s %s\n", strerror(-err), why);
	else
		same = same_answers(before, again, &fwd);
	diag("stale: %d before, %d after the restart; %u forwards of 256\n",
	     stale0, stale1, fwd);
	tap(s->e, !err && stale0 == 0 && stale1 == 1,
	    "fibshare: fibread_stale: 0, then 1 once a restart with another "
	    "pool re-pins the table");
	tap(s->e, !err && same && fwd > 0,
	    "fibshare: reopened on the new pins, the same answers for a /24 "
	    "as before the restart");
	fibread_close(before);
	if (again) {
		fibread_close(s->rd);
		s->rd = again;
	}
}

static void open_missing(struct env *e)
{
	struct fibread *rd = NULL;
	char why[256] = "";
	int err;

	err = fibread_open(&rd, "/nonexistent-sluice-pins", why, sizeof(why));
	diag("fibread_open: %s\n", why);
	tap(e, err == -ENOENT && !rd && strstr(why, "fib4_root"),
	    "fibshare: fibread_open without pins: ENOENT naming fib4_root");
}

static void compare(struct share *s)
{
	struct rng g = { SEED };
	char name[320];
	struct timespec t0, t1;

	if (snapshot(s->e, s->e->before)) {
		tap(s->e, false, "fibshare: counters readable");
		return;
	}
	memcpy(s->seen, s->e->before[s->e->slot[IFX_P0]], sizeof(s->seen));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0; i < N_DESTS; i++)
		probe(s, &g, i % 2 ? AF_INET6 : AF_INET);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diag("%u destinations in %.1f s\n", N_DESTS,
	     (double)(t1.tv_sec - t0.tv_sec) +
		     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	snprintf(name, sizeof(name),
		 "fibshare: %u destinations (v4 and v6): XDP and fibread "
		 "agree on forward or punt (the reason, frame by frame), "
		 "next hop and egress port",
		 N_DESTS);
	if (s->mismatches)
		diag("%u of %u disagree\n", s->mismatches, s->runs);
	tap(s->e, !s->mismatches && s->runs == N_DESTS, name);
	diag("graph: %u forwarded, %u punted as XDP; %u disagree\n",
	     s->graph_fwd, s->graph_punt, s->graph_mismatches);
	snprintf(name, sizeof(name),
		 "fibshare: %u destinations (v4 and v6) through the graph "
		 "eth-input -> ip4/ip6-input -> ip4/ip6-lookup -> ip-rewrite "
		 "-> if-output: XDP's decision and reason, egress port and "
		 "output bytes, frame by frame",
		 N_DESTS);
	tap(s->e,
	    !s->graph_mismatches && s->graph_fwd + s->graph_punt == N_DESTS &&
		    s->graph_fwd > 0,
	    name);
	tap(s->e, !snapshot(s->e, s->e->after) && counters_match(s),
	    "fibshare: XDP counted each reason exactly as often as fibread "
	    "predicted it");
	diag("%u on-link misses noted alike by XDP and the graph\n",
	     s->notes_same);
	tap(s->e, !s->notes_bad && s->notes_same > 0,
	    "fibshare: the graph notes each on-link miss in neigh_wanted "
	    "with XDP's key, byte for byte, and nothing else");
	tap(s->e, all_seen(s),
	    "fibshare: every decision seen (ECMP forwards with each of 8 "
	    "members, on-link, tagged in, to a VLAN, no route, local, kernel, no neighbour, "
	    "unmanaged egress, too big)");
}

void fibshare_run_all(struct env *e)
{
	struct dp *main_dp = e->dp;
	int main_fd = e->prog_fd;
	struct share s = { .e = e };
	struct dp_fib_usage u = { 0 };
	struct dp_opts o = { 0 };
	struct rng g = { SEED ^ 0xabcdefu };
	char pin[128], why[256] = "";
	struct timespec t0, t1;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	open_missing(e);
	snprintf(pin, sizeof(pin), "/sys/fs/bpf/sluice-fibshare-test-%d",
		 (int)getpid());
	mkdir(pin, 0700);
	o.pin_dir = pin;
	s.r4 = calloc(N_ROUTES4, sizeof(*s.r4));
	s.r6 = calloc(N_ROUTES6, sizeof(*s.r6));
	err = s.r4 && s.r6 ? dp_open(&s.dp, &o) : -ENOMEM;
	if (!err) {
		e->dp = s.dp;
		e->prog_fd = dp_xdp_prog_fd(s.dp);
		err = table_build(&s, &g) ?: dp_fib_stats(s.dp, &u);
	}
	if (err)
		diag("building the table: %s\n", strerror(-err));
	diag("%llu v4 and %llu v6 routes, %u + %u trie groups, %u next-hop "
	     "groups, %u next hops\n",
	     (unsigned long long)u.v4_routes, (unsigned long long)u.v6_routes,
	     u.v4_groups, u.v6_groups, u.nhgs, u.nhs);
	tap(e, !err && u.v4_routes + u.v6_routes >= 10000,
	    "fibshare: 10,000+ v4 and v6 routes over ECMP groups, through "
	    "lib/dp on pinned maps");
	if (!err) {
		err = fibread_open(&s.rd, pin, why, sizeof(why));
		if (err)
			diag("fibread_open: %s\n", why);
		tap(e, !err, "fibshare: fibread_open on the pins");
	}
	if (!err) {
		__u32 ports[] = { e->ifindex[IFX_P0], e->ifindex[IFX_P1],
				  e->ifindex[IFX_P2] };

		err = fsgraph_open(&s.gr, s.rd, ports, 3, why, sizeof(why));
		if (err)
			diag("the graph: %s\n", why);
		tap(e, !err, "fibshare: the forwarding graph on the pins");
	}
	if (!err) {
		/* without, the graph runs on and the notes' check fails */
		int nerr = neigh_note_open(&s.nn, pin, why, sizeof(why));

		if (nerr)
			diag("neigh_note_open: %s\n", why);
		tap(e, !nerr,
		    "fibshare: the graph's notes on the pinned "
		    "neigh_wanted");
		fsgraph_set_notes(s.gr, s.nn);
	}
	if (!err) {
		compare(&s);
		fsgraph_close(s.gr);
		neigh_note_close(s.nn);
		tap(e, live_view(&s),
		    "fibshare: a /32 added and deleted through lib/dp: the "
		    "open reader sees each change at once");
		fibshare_race(e, s.dp, s.rd);
		repin(&s, &o);
	}
	fibread_close(s.rd);
	if (s.dp) {
		dp_unpin_maps(s.dp);
		dp_close(s.dp);
	}
	rmdir(pin);
	free(s.r4);
	free(s.r6);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* after the last TAP line: a comment of its own */
	printf("# fibshare: %.1f s in all\n",
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	e->dp = main_dp;
	e->prog_fd = main_fd;
}
