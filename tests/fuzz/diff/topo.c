// SPDX-License-Identifier: BSD-2-Clause
/*
 * The configurations the fuzzer runs: one topology (three ports, one a
 * veth, a VLAN subinterface, an unmanaged device), routes of every kind the
 * router handles, and for the load balancer eight VIPs whose backends cover
 * IPIP in all four family combinations, GRE, an ECMP route to the backends,
 * a backend that is down, one whose neighbour is unknown, an egress MTU
 * too small for the larger packets and one without an outer source.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uapi/sluice/sluice.h>
#include "diff.h"

/* dev[]: the namespace's devices */
enum { DEV_P0, DEV_P1, DEV_P2, DEV_UNMANAGED };
#define V10_IFINDEX 10010 /* a subinterface: a map entry, no device */

static int fam_of(const char *a)
{
	return strchr(a, ':') ? AF_INET6 : AF_INET;
}

static void addr(const char *txt, __u8 *out)
{
	memset(out, 0, 16);
	inet_pton(fam_of(txt), txt, out);
}

static void iface(struct dcfg *c, __u32 ifindex, __u8 mac_last, __u16 mtu,
		  __u32 slot, __u16 flags, const char *a4, const char *a6)
{
	struct d_iface *i = &c->ifaces[c->n_ifaces++];

	*i = (struct d_iface){ .ifindex = ifindex,
			       .mac = { 0x02, 0x5e, 0, 0, 0, mac_last },
			       .mtu = mtu,
			       .slot = slot,
			       .flags = flags,
			       .port = !(flags & SLUICE_IF_VLAN) };
	addr(a4, i->addr4);
	if (a6)
		addr(a6, i->addr6);
}

static void nhg(struct dcfg *c, __u32 id, __u32 n, const __u32 *ifx,
		const char *const *gw)
{
	struct d_nhg *g = &c->nhgs[c->n_nhgs++];

	g->id = id;
	g->count = n;
	for (__u32 i = 0; i < n; i++) {
		g->nh[i].ifindex = ifx[i];
		g->nh[i].family = gw[i] ? (__u8)fam_of(gw[i]) : 0;
		if (gw[i])
			addr(gw[i], g->nh[i].gw);
	}
}

static void nhg1(struct dcfg *c, __u32 id, __u32 ifx, const char *gw)
{
	nhg(c, id, 1, &ifx, &gw);
}

static void route(struct dcfg *c, const char *pfx, __u8 plen, __u8 type,
		  __u32 nhg_id)
{
	struct d_route *r = &c->routes[c->n_routes++];

	r->family = (__u8)fam_of(pfx);
	r->plen = plen;
	r->type = type;
	r->nhg = nhg_id;
	addr(pfx, r->addr);
}

static void neigh(struct dcfg *c, __u32 ifx, const char *a, __u8 mac_last)
{
	struct d_neigh *n = &c->neighs[c->n_neighs++];

	n->ifindex = ifx;
	n->family = (__u8)fam_of(a);
	addr(a, n->addr);
	memcpy(n->mac,
	       (__u8[]){ 0x02, 0xbb, 0, 0, (__u8)(ifx & 0xff), mac_last }, 6);
}

static void backend(struct dcfg *c, __u32 id, const char *a, __u8 flags)
{
	struct d_backend *b = &c->backends[c->n_backends++];

	b->id = id;
	b->family = (__u8)fam_of(a);
	b->flags = flags;
	addr(a, b->addr);
}

static void vip(struct dcfg *c, __u32 id, const char *a, __u8 proto, __u16 port,
		__u16 flags, const __u32 *be)
{
	struct d_vip *v = &c->vips[c->n_vips++];

	v->id = id;
	v->family = (__u8)fam_of(a);
	v->proto = proto;
	v->port = port;
	v->flags = flags;
	addr(a, v->addr);
	for (int i = 0; i < D_VIP_BE && be[i]; i++)
		v->be[i] = be[i];
}

static void router(struct dcfg *c, const __u32 dev[4])
{
	__u32 p0 = dev[DEV_P0], p1 = dev[DEV_P1], p2 = dev[DEV_P2];
	__u32 un = dev[DEV_UNMANAGED], v10 = V10_IFINDEX;

	/* P0 is a veth: "back out of the ingress port" is a redirect */
	iface(c, p0, 1, 1500, 1, SLUICE_IF_VETH, "198.18.0.1", "2001:db8::1");
	iface(c, p1, 2, 1500, 2, 0, "198.18.1.1", "2001:db8:1::1");
	iface(c, p2, 3, 200, 3, 0, "198.18.2.1", NULL); /* a small MTU */
	iface(c, v10, 10, 1500, 4, SLUICE_IF_VLAN, "198.18.10.1",
	      "2001:db8:10::1");
	c->ifaces[c->n_ifaces - 1].vid = 10;
	c->ifaces[c->n_ifaces - 1].parent = p0;

	nhg1(c, 1, p1, "198.18.1.254"); /* the default */
	nhg1(c, 2, p0, NULL);		/* connected */
	nhg1(c, 3, v10, NULL);		/* connected, tagged */
	nhg1(c, 4, p2, "198.18.2.254"); /* small MTU */
	nhg1(c, 5, p1, "198.18.3.254"); /* no neighbour */
	nhg1(c, 7, un, "198.18.5.254"); /* unmanaged egress */
	nhg1(c, 8, p1, NULL);		/* connected */
	nhg(c, 6, 4, (__u32[]){ p1, p1, p0, v10 },
	    (const char *const[]){ "198.18.1.10", "198.18.1.11", "198.18.0.12",
				   "198.18.10.13" });
	nhg1(c, 11, p1, "2001:db8:1::fe");
	nhg1(c, 12, p0, NULL);
	nhg1(c, 13, p2, "2001:db8:2::fe");
	nhg1(c, 14, p1, "2001:db8:3::fe"); /* no neighbour */
	nhg1(c, 15, un, "2001:db8:5::fe");
	/* one member without a neighbour: its share is pass_no_neigh */
	nhg(c, 16, 4, (__u32[]){ p1, p1, v10, p1 },
	    (const char *const[]){ "2001:db8:1::10", "2001:db8:1::11",
				   "2001:db8:10::13", "2001:db8:1::12" });

	route(c, "0.0.0.0", 0, SLUICE_RT_FORWARD, 1);
	route(c, "198.18.0.0", 24, SLUICE_RT_FORWARD, 2);
	route(c, "198.18.1.0", 24, SLUICE_RT_FORWARD, 8);
	route(c, "198.18.10.0", 24, SLUICE_RT_FORWARD, 3);
	route(c, "198.18.2.0", 24, SLUICE_RT_FORWARD, 4);
	route(c, "198.18.3.0", 24, SLUICE_RT_FORWARD, 5);
	route(c, "198.18.4.0", 24, SLUICE_RT_FORWARD, 6);
	route(c, "198.18.5.0", 24, SLUICE_RT_FORWARD, 7);
	route(c, "198.18.6.0", 24, SLUICE_RT_KERNEL, 0);
	route(c, "198.18.6.7", 32, SLUICE_RT_LOCAL, 0);
	route(c, "198.18.6.8", 32, SLUICE_RT_FORWARD, 1);
	route(c, "198.18.0.1", 32, SLUICE_RT_LOCAL, 0);
	route(c, "198.19.0.0", 16, SLUICE_RT_FORWARD, 99); /* no such group */
	route(c, "198.19.1.0", 24, SLUICE_RT_FORWARD, 0);  /* no group at all */
	route(c, "2001:db8:1::", 48, SLUICE_RT_FORWARD, 11);
	route(c, "2001:db8::", 64, SLUICE_RT_FORWARD, 12);
	route(c, "2001:db8:2::", 48, SLUICE_RT_FORWARD, 13);
	route(c, "2001:db8:3::", 48, SLUICE_RT_FORWARD, 14);
	route(c, "2001:db8:4::", 48, SLUICE_RT_FORWARD, 16);
	route(c, "2001:db8:5::", 48, SLUICE_RT_FORWARD, 15);
	route(c, "2001:db8:6::", 48, SLUICE_RT_KERNEL, 0);
	route(c, "2001:db8:6::7", 128, SLUICE_RT_LOCAL, 0);
	route(c, "2001:db8:6::8", 128, SLUICE_RT_FORWARD, 11);

	neigh(c, p1, "198.18.1.254", 1);
	neigh(c, p2, "198.18.2.254", 2);
	neigh(c, un, "198.18.5.254", 3);
	neigh(c, p1, "198.18.1.10", 4);
	neigh(c, p1, "198.18.1.11", 5);
	neigh(c, p0, "198.18.0.12", 6);
	neigh(c, v10, "198.18.10.13", 7);
	for (int i = 2; i < 8; i++) {
		char a[48];

		snprintf(a, sizeof(a), "198.18.0.%d", i);
		neigh(c, p0, a, (__u8)(0x20 + i));
		snprintf(a, sizeof(a), "198.18.10.%d", i);
		neigh(c, v10, a, (__u8)(0x30 + i));
		snprintf(a, sizeof(a), "2001:db8::%d", i);
		neigh(c, p0, a, (__u8)(0x40 + i));
	}
	neigh(c, p1, "198.18.1.21", 8);
	neigh(c, p1, "198.18.1.22", 9);
	neigh(c, p1, "198.18.1.23", 10);
	neigh(c, p1, "2001:db8:1::fe", 11);
	neigh(c, p2, "2001:db8:2::fe", 12);
	neigh(c, un, "2001:db8:5::fe", 13);
	neigh(c, p1, "2001:db8:1::10", 14);
	neigh(c, p1, "2001:db8:1::11", 15);
	neigh(c, v10, "2001:db8:10::13", 16);

	c->ingress[0] = p0;
	c->ingress[1] = p1;
	c->ingress[2] = p2;
	c->ingress[3] = un;
	c->n_ingress = 4;
}

static void balancer(struct dcfg *c)
{
	__u8 a[16];

	c->lb = true;
	addr("198.18.200.0", a);
	memcpy(c->src4, a, 4);
	c->have_src4 = true;
	/* v4 in v4 to connected backends (hop resolved by lib/dp) */
	backend(c, 1, "198.18.1.21", 0);
	backend(c, 2, "198.18.1.22", 0);
	backend(c, 3, "198.18.1.23", 0);
	/* v6 backends behind a gateway; the outer source is P1's address */
	backend(c, 4, "2001:db8:1::21", 0);
	backend(c, 5, "2001:db8:1::22", 0);
	/* behind the ECMP route: the LB's hash picks the member */
	backend(c, 6, "198.18.4.31", 0);
	backend(c, 7, "198.18.4.32", 0);
	/* connected on P0 (the veth ingress: LB_TX), one unresolved */
	backend(c, 8, "2001:db8::5", 0);
	backend(c, 9, "2001:db8::77", 0);
	backend(c, 10, "198.18.1.24", SLUICE_BE_DOWN);

	vip(c, 1, "198.18.100.1", IPPROTO_TCP, 80, 0, (__u32[]){ 1, 2, 3, 0 });
	vip(c, 2, "198.18.100.2", IPPROTO_UDP, 0, SLUICE_VIP_HASH_SRC,
	    (__u32[]){ 4, 5, 0 });
	vip(c, 3, "2001:db8:100::1", IPPROTO_TCP, 443, SLUICE_VIP_GRE,
	    (__u32[]){ 6, 7, 0 });
	vip(c, 4, "2001:db8:100::2", IPPROTO_UDP, 53, 0, (__u32[]){ 8, 9, 0 });
	vip(c, 5, "198.18.100.5", IPPROTO_TCP, 0, 0, (__u32[]){ 10, 1, 0 });
	/* behind P2's MTU of 200: the larger packets get an ICMP "too big";
	 * P2 has no IPv6 address: no outer source for the v6 backend */
	backend(c, 11, "198.18.2.40", 0);
	backend(c, 12, "2001:db8:2::40", 0);
	vip(c, 6, "198.18.100.6", IPPROTO_UDP, 0, 0, (__u32[]){ 11, 0 });
	vip(c, 7, "2001:db8:100::6", IPPROTO_TCP, 0, SLUICE_VIP_GRE,
	    (__u32[]){ 12, 0 });
	vip(c, 8, "2001:db8:100::7", IPPROTO_UDP, 0, 0, (__u32[]){ 11, 0 });
}

static void local(struct dcfg *c, const char *a)
{
	struct d_local *l = &c->locals[c->n_locals++];

	l->family = (__u8)fam_of(a);
	addr(a, l->addr);
}

/* A load-balanced server: two ports (P2 is not one here), its addresses. */
static void backend_host(struct dcfg *c, const __u32 dev[4])
{
	c->prog = D_PROG_DECAP;
	iface(c, dev[DEV_P0], 1, 1500, 1, SLUICE_IF_VETH, "198.18.1.21",
	      "2001:db8:1::21");
	iface(c, dev[DEV_P1], 2, 1500, 2, 0, "198.18.1.31", NULL);
	local(c, "198.18.1.21");
	local(c, "198.18.1.31");
	local(c, "2001:db8:1::21");
	for (int i = 0; i < 4; i++)
		c->ingress[i] = dev[i];
	c->n_ingress = 4;
}

int topo_build(struct dcfg *c, const char *name, const __u32 dev[4])
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	if (!strcmp(name, "xdp-decap")) {
		backend_host(c, dev);
		return 0;
	}
	router(c, dev);
	if (!strcmp(name, "xdp-router")) {
		c->prog = D_PROG_XDP;
	} else if (!strcmp(name, "xdp-lb")) {
		c->prog = D_PROG_XDP;
		balancer(c);
	} else if (!strcmp(name, "tc-router")) {
		c->prog = D_PROG_TC;
	} else {
		return -EINVAL;
	}
	return 0;
}
