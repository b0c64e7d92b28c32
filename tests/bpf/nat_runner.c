// SPDX-License-Identifier: BSD-2-Clause
/*
 * NAT at packet level, over the main topology's lib/dp with connection
 * tracking on: each packet goes in as one spec and must come out as
 * another, the translated one, byte for byte (the builder computes every
 * checksum from scratch, so the data path's incremental updates are
 * checked exactly), at XDP and at TC:
 *
 *  - SNAT of 198.19.5.0/25 leaving by P1 to the pool 198.18.1.100: UDP
 *    and its answer, a second client on the same port (the next port),
 *    UDP without a checksum (stays without), ICMP echo by identifier;
 *  - SNAT with a pool of two ports: the third flow is refused
 *    (drop_nat_no_port), never sent untranslated;
 *  - DNAT of 198.18.0.1:8080/tcp on P0 to 198.19.0.5:80 and back;
 *  - NAT66: 2001:db8:105::/64 leaving by P1 to 2001:db8:1::100;
 *  - ICMP errors about NATed flows (UDP port unreachable to the pool,
 *    fragmentation needed from a DNATed server, ICMPv6 too big to a
 *    NAT66 pool): outer address and quoted packet back to what the
 *    client knows, every checksum with them;
 *  - a full-NAT VIP (198.19.9.9:80/tcp, backend 198.19.0.5:8080): the
 *    client's packets reach the backend from the SNAT pool, the backend's
 *    answers reach the client from the VIP, and the flow's later packets
 *    skip the load balancer (their binding says where they go);
 *  - a new SNAT flow whose next hop is not resolved yet goes to the
 *    kernel as it came and leaves no entry, so that its next packet,
 *    the neighbour known, is translated;
 *  - a flush of the table releases every binding and alias.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include "dp.h"
#include "dp_ct.h"
#include "dp_nat.h"
#include "names.h"
#include "runner.h"
#include "testrun.h"

#define NAT_MAX_STEPS 8

struct nat_step {
	const char *name;
	int ingress;
	struct pkt_spec in;
	struct pkt_spec out; /* the translated packet, before routing */
	struct pkt_mut mut[PKT_MAX_MUT];
	struct l2_out l2;
	int reason; /* SLUICE_FWD_REDIRECT or a drop */
};

struct nat_case {
	const char *name;
	struct nat_step steps[NAT_MAX_STEPS];
	int n;
	bool xdp_only; /* the load balancer is XDP's alone */
};

#define C1 "198.19.5.10"
#define C2 "198.19.5.11"
#define C3 "198.19.5.90" /* in the two-port rule's prefix */
#define C4 "198.19.5.91"
#define CD "198.19.5.200" /* outside both SNAT prefixes */
#define SRV "198.19.0.5"
#define POOL "198.18.1.100"
#define POOL2 "198.18.1.101"
#define PUB "198.18.0.1" /* the router's own address, DNATed */
#define VIP "198.19.9.9"
#define VIP_ID 250
#define VIP_BE 4090
#define BE "198.19.0.5"
#define C6 "2001:db8:105::10"
#define C6B "2001:db8:105::11"
#define SRV6 "2001:db8:100::5"
#define POOL6 "2001:db8:1::100"

#define TO_P1                                                                  \
	{                                                                      \
		.dst = MAC_GW1, .src = MAC_P1                                  \
	}
#define TO_P0                                                                  \
	{                                                                      \
		.dst = MAC_GW0, .src = MAC_P0                                  \
	}
#define IN_P0 .dst = MAC_P0, .src = MAC_GW0
#define IN_P1 .dst = MAC_P1, .src = MAC_GW1
#define V4 .l3 = PKT_L3_IP4
#define V6 .l3 = PKT_L3_IP6
#define UDP_(sp, dp) .l4 = IPPROTO_UDP, .sport = sp, .dport = dp, .payload = 16
#define TCP_(sp, dp, fl)                                                       \
	.l4 = IPPROTO_TCP, .sport = sp, .dport = dp, .tcp_flags = fl
#define FWD .reason = SLUICE_FWD_REDIRECT

/* ICMP errors quote packets as they were on the wire where the error was
 * made: translated ones, which must come back untranslated. */
static const struct pkt_spec q_pool = { V4, .saddr = POOL, .daddr = SRV,
					UDP_(40000, 53) };
static const struct pkt_spec q_c1 = { V4, .saddr = C1, .daddr = SRV,
				      UDP_(40000, 53) };
static const struct pkt_spec q_srv80 = { V4, .saddr = CD, .daddr = SRV,
					 TCP_(42000, 80, 0x10) };
static const struct pkt_spec q_pub = { V4, .saddr = CD, .daddr = PUB,
				       TCP_(42000, 8080, 0x10) };
static const struct pkt_spec q_pool6 = { V6, .saddr = POOL6, .daddr = SRV6,
					 TCP_(43000, 443, 0x10) };
static const struct pkt_spec q_c6 = { V6, .saddr = C6, .daddr = SRV6,
				      TCP_(43000, 443, 0x10) };

static const struct nat_case nat_cases[] = {
	{ "full-NAT VIP",
	  { { "SYN to the VIP: to the backend's 8080, from the pool",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C1, .daddr = VIP, TCP_(44000, 80, 0x02) },
	      { V4, .saddr = POOL, .daddr = BE, TCP_(44000, 8080, 0x02) },
	      .l2 = TO_P1,
	      FWD },
	    { "the backend's SYN+ACK: to the client, from the VIP",
	      IFX_P1,
	      { IN_P1, V4, .saddr = BE, .daddr = POOL, TCP_(8080, 44000, 0x12) },
	      { V4, .saddr = VIP, .daddr = C1, TCP_(80, 44000, 0x12) },
	      .l2 = TO_P0,
	      FWD },
	    { "the ACK: its binding, not the load balancer",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C1, .daddr = VIP, TCP_(44000, 80, 0x10) },
	      { V4, .saddr = POOL, .daddr = BE, TCP_(44000, 8080, 0x10) },
	      .l2 = TO_P1,
	      FWD } },
	  3,
	  true },
	{ "snat udp",
	  { { "out: the source becomes the pool's, the port kept",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C1, .daddr = SRV, UDP_(40000, 53) },
	      { V4, .saddr = POOL, .daddr = SRV, UDP_(40000, 53) },
	      .l2 = TO_P1,
	      FWD },
	    { "the answer: back to the client",
	      IFX_P1,
	      { IN_P1, V4, .saddr = SRV, .daddr = POOL, UDP_(53, 40000) },
	      { V4, .saddr = SRV, .daddr = C1, UDP_(53, 40000) },
	      .l2 = TO_P0,
	      FWD },
	    { "a second client on the same port: the next port",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C2, .daddr = SRV, UDP_(40000, 53) },
	      { V4, .saddr = POOL, .daddr = SRV, UDP_(40001, 53) },
	      .l2 = TO_P1,
	      FWD },
	    { "its answer reaches the second client",
	      IFX_P1,
	      { IN_P1, V4, .saddr = SRV, .daddr = POOL, UDP_(53, 40001) },
	      { V4, .saddr = SRV, .daddr = C2, UDP_(53, 40000) },
	      .l2 = TO_P0,
	      FWD },
	    { "the first client again: its binding",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C1, .daddr = SRV, UDP_(40000, 53) },
	      { V4, .saddr = POOL, .daddr = SRV, UDP_(40000, 53) },
	      .l2 = TO_P1,
	      FWD },
	    { "port unreachable to the pool: to the client, quote "
	      "untranslated",
	      IFX_P1,
	      { IN_P1, V4, .saddr = SRV, .daddr = POOL, .l4 = IPPROTO_ICMP,
		.icmp_type = 3, .icmp_code = 3, .quote = &q_pool },
	      { V4, .saddr = SRV, .daddr = C1, .l4 = IPPROTO_ICMP,
		.icmp_type = 3, .icmp_code = 3, .quote = &q_c1 },
	      .l2 = TO_P0,
	      FWD } },
	  6,
	  false },
	{ "snat udp without a checksum",
	  { { "out: a zero checksum stays zero",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C1, .daddr = SRV, UDP_(40002, 53) },
	      { V4, .saddr = POOL, .daddr = SRV, UDP_(40002, 53) },
	      { { MUT_SET16, BASE_L4, 6, 0 } },
	      .l2 = TO_P1,
	      FWD },
	    { "the answer: still zero",
	      IFX_P1,
	      { IN_P1, V4, .saddr = SRV, .daddr = POOL, UDP_(53, 40002) },
	      { V4, .saddr = SRV, .daddr = C1, UDP_(53, 40002) },
	      { { MUT_SET16, BASE_L4, 6, 0 } },
	      .l2 = TO_P0,
	      FWD } },
	  2,
	  false },
	{ "snat tcp and icmp echo",
	  { { "tcp SYN out",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C1, .daddr = SRV, TCP_(41000, 80, 0x02) },
	      { V4, .saddr = POOL, .daddr = SRV, TCP_(41000, 80, 0x02) },
	      .l2 = TO_P1,
	      FWD },
	    { "tcp SYN+ACK back",
	      IFX_P1,
	      { IN_P1, V4, .saddr = SRV, .daddr = POOL, TCP_(80, 41000, 0x12) },
	      { V4, .saddr = SRV, .daddr = C1, TCP_(80, 41000, 0x12) },
	      .l2 = TO_P0,
	      FWD },
	    { "tcp data out",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C1, .daddr = SRV, TCP_(41000, 80, 0x18),
		.payload = 100 },
	      { V4, .saddr = POOL, .daddr = SRV, TCP_(41000, 80, 0x18),
		.payload = 100 },
	      .l2 = TO_P1,
	      FWD },
	    { "echo request out: the identifier kept",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C1, .daddr = SRV, .l4 = IPPROTO_ICMP,
		.icmp_type = 8, .sport = 77, .dport = 1, .payload = 8 },
	      { V4, .saddr = POOL, .daddr = SRV, .l4 = IPPROTO_ICMP,
		.icmp_type = 8, .sport = 77, .dport = 1, .payload = 8 },
	      .l2 = TO_P1,
	      FWD },
	    { "echo reply back",
	      IFX_P1,
	      { IN_P1, V4, .saddr = SRV, .daddr = POOL, .l4 = IPPROTO_ICMP,
		.icmp_type = ICMP_TYPE_ZERO, .sport = 77, .dport = 1,
		.payload = 8 },
	      { V4, .saddr = SRV, .daddr = C1, .l4 = IPPROTO_ICMP,
		.icmp_type = ICMP_TYPE_ZERO, .sport = 77, .dport = 1,
		.payload = 8 },
	      .l2 = TO_P0,
	      FWD } },
	  5,
	  false },
	{ "snat with two ports",
	  { { "the first flow takes its own port",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C3, .daddr = SRV, UDP_(5000, 53) },
	      { V4, .saddr = POOL2, .daddr = SRV, UDP_(5000, 53) },
	      .l2 = TO_P1,
	      FWD },
	    { "the second its own",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C3, .daddr = SRV, UDP_(5001, 53) },
	      { V4, .saddr = POOL2, .daddr = SRV, UDP_(5001, 53) },
	      .l2 = TO_P1,
	      FWD },
	    { "the third: no port left, dropped (drop_nat_no_port)",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C4, .daddr = SRV, UDP_(5000, 53) },
	      { .l3 = 0 },
	      .reason = SLUICE_DROP_NAT_NO_PORT },
	    { "still none on its next packet",
	      IFX_P0,
	      { IN_P0, V4, .saddr = C4, .daddr = SRV, UDP_(5000, 53) },
	      { .l3 = 0 },
	      .reason = SLUICE_DROP_NAT_NO_PORT } },
	  4,
	  false },
	{ "dnat tcp",
	  { { "SYN to the router's 8080: to the server's 80",
	      IFX_P0,
	      { IN_P0, V4, .saddr = CD, .daddr = PUB, TCP_(42000, 8080, 0x02) },
	      { V4, .saddr = CD, .daddr = SRV, TCP_(42000, 80, 0x02) },
	      .l2 = TO_P1,
	      FWD },
	    { "the SYN+ACK: from the router's 8080 again",
	      IFX_P1,
	      { IN_P1, V4, .saddr = SRV, .daddr = CD, TCP_(80, 42000, 0x12) },
	      { V4, .saddr = PUB, .daddr = CD, TCP_(8080, 42000, 0x12) },
	      .l2 = TO_P0,
	      FWD },
	    { "the ACK",
	      IFX_P0,
	      { IN_P0, V4, .saddr = CD, .daddr = PUB, TCP_(42000, 8080, 0x10) },
	      { V4, .saddr = CD, .daddr = SRV, TCP_(42000, 80, 0x10) },
	      .l2 = TO_P1,
	      FWD },
	    { "frag needed from the server: from the router's address, "
	      "quote untranslated",
	      IFX_P1,
	      { IN_P1, V4, .saddr = SRV, .daddr = CD, .l4 = IPPROTO_ICMP,
		.icmp_type = 3, .icmp_code = 4, .dport = 1400,
		.quote = &q_srv80 },
	      { V4, .saddr = PUB, .daddr = CD, .l4 = IPPROTO_ICMP,
		.icmp_type = 3, .icmp_code = 4, .dport = 1400, .quote = &q_pub },
	      .l2 = TO_P0,
	      FWD } },
	  4,
	  false },
	/* behind IPv6 extension headers (l3.h ip6_ext_walk()): the ports
	 * and the L4 checksum (which does not cover the headers) at the real
	 * L4 offset, the headers kept */
	{ "nat66 udp behind destination options",
	  { { "out: the pool's address, the header kept",
	      IFX_P0,
	      { IN_P0, V6, .saddr = C6, .daddr = SRV6, UDP_(43100, 53),
		.dst_opts = 1 },
	      { V6, .saddr = POOL6, .daddr = SRV6, UDP_(43100, 53),
		.dst_opts = 1 },
	      .l2 = TO_P1,
	      FWD },
	    { "a second client on the same port: the next port",
	      IFX_P0,
	      { IN_P0, V6, .saddr = C6B, .daddr = SRV6, UDP_(43100, 53),
		.dst_opts = 1, .routing = 1 },
	      { V6, .saddr = POOL6, .daddr = SRV6, UDP_(43101, 53),
		.dst_opts = 1, .routing = 1 },
	      .l2 = TO_P1,
	      FWD },
	    { "its answer behind destination options: the second client",
	      IFX_P1,
	      { IN_P1, V6, .saddr = SRV6, .daddr = POOL6, UDP_(53, 43101),
		.dst_opts = 2 },
	      { V6, .saddr = SRV6, .daddr = C6B, UDP_(53, 43100),
		.dst_opts = 2 },
	      .l2 = TO_P0,
	      FWD } },
	  3,
	  false },
	{ "nat66 tcp",
	  { { "SYN out: the pool's address",
	      IFX_P0,
	      { IN_P0, V6, .saddr = C6, .daddr = SRV6, TCP_(43000, 443, 0x02) },
	      { V6, .saddr = POOL6, .daddr = SRV6, TCP_(43000, 443, 0x02) },
	      .l2 = TO_P1,
	      FWD },
	    { "SYN+ACK back",
	      IFX_P1,
	      { IN_P1, V6, .saddr = SRV6, .daddr = POOL6,
		TCP_(443, 43000, 0x12) },
	      { V6, .saddr = SRV6, .daddr = C6, TCP_(443, 43000, 0x12) },
	      .l2 = TO_P0,
	      FWD },
	    { "packet too big to the pool: to the client, quote "
	      "untranslated",
	      IFX_P1,
	      { IN_P1, V6, .saddr = SRV6, .daddr = POOL6, .l4 = IPPROTO_ICMPV6,
		.icmp_type = 2, .dport = 1280, .quote = &q_pool6 },
	      { V6, .saddr = SRV6, .daddr = C6, .l4 = IPPROTO_ICMPV6,
		.icmp_type = 2, .dport = 1280, .quote = &q_c6 },
	      .l2 = TO_P0,
	      FWD } },
	  3,
	  false },
};

static int addr_of(const char *txt, __u8 *out)
{
	memset(out, 0, 16);
	return pkt_addr(strchr(txt, ':') ? AF_INET6 : AF_INET, txt, out);
}

/* The full-NAT VIP: one backend in every slot of a small ring. */
static int fullnat_vip(struct env *e, bool add)
{
	struct sluice_vip_key k = { .proto = IPPROTO_TCP, .family = AF_INET };
	struct sluice_vip v = { .vip_id = VIP_ID,
				.ring_size = 7,
				.flags = SLUICE_VIP_FULLNAT };
	struct sluice_backend b = { .family = AF_INET };
	__u32 ring[7];
	int err;

	k.port = htons(80);
	v.backend_port = htons(8080);
	err = addr_of(VIP, k.addr) ?: addr_of(BE, b.addr);
	if (err)
		return err;
	if (!add)
		return dp_vip_del(e->dp, &k)		  ?:
			       dp_ring_del(e->dp, VIP_ID) ?:
			       dp_backend_del(e->dp, VIP_BE);
	for (int i = 0; i < 7; i++)
		ring[i] = VIP_BE;
	return dp_backend_set(e->dp, VIP_BE, &b) ?:
		       dp_vip_set(e->dp, &k, &v) ?:
		       dp_ring_install(e->dp, VIP_ID, 7, ring);
}

static int rules(struct env *e, bool add)
{
	struct dp_snat_rule s1 = { .id = 1,
				   .ifindex = e->ifindex[IFX_P1],
				   .family = AF_INET,
				   .src_plen = 26 };
	struct dp_snat_rule s2 = { .id = 2,
				   .ifindex = e->ifindex[IFX_P1],
				   .family = AF_INET,
				   .src_plen = 26,
				   .port_lo = 5000,
				   .port_hi = 5001 };
	struct dp_snat_rule s6 = { .id = 3,
				   .ifindex = e->ifindex[IFX_P1],
				   .family = AF_INET6,
				   .src_plen = 64 };
	struct dp_dnat_rule d1 = { .id = 4,
				   .ifindex = e->ifindex[IFX_P0],
				   .family = AF_INET,
				   .proto = IPPROTO_TCP,
				   .dport = 8080,
				   .to_port = 80 };
	int err = addr_of("198.19.5.0", s1.src)		    ?:
			  addr_of(POOL, s1.to_lo)	    ?:
			  addr_of(POOL, s1.to_hi)	    ?:
			  addr_of("198.19.5.64", s2.src)    ?:
			  addr_of(POOL2, s2.to_lo)	    ?:
			  addr_of(POOL2, s2.to_hi)	    ?:
			  addr_of("2001:db8:105::", s6.src) ?:
			  addr_of(POOL6, s6.to_lo)	    ?:
			  addr_of(POOL6, s6.to_hi)	    ?:
			  addr_of(PUB, d1.daddr)	    ?:
			  addr_of(SRV, d1.to_addr);

	if (err)
		return err;
	if (!add)
		return dp_snat_del(e->dp, &s1)	       ?:
			       dp_snat_del(e->dp, &s2) ?:
			       dp_snat_del(e->dp, &s6) ?:
			       dp_dnat_del(e->dp, &d1) ?:
			       dp_nat_config_set(e->dp, 0);
	return dp_snat_set(e->dp, &s1)	       ?:
		       dp_snat_set(e->dp, &s2) ?:
		       dp_snat_set(e->dp, &s6) ?:
		       dp_dnat_set(e->dp, &d1) ?:
		       dp_nat_config_set(e->dp, SLUICE_NAT_HAS_SNAT |
							SLUICE_NAT_HAS_DNAT);
}

static bool step_ok(struct env *e, const struct nat_step *st)
{
	static struct frame in, exp;
	static struct run r;
	__u32 verdict, slot;
	bool fwd = st->reason == SLUICE_FWD_REDIRECT, ok = true;

	if (pkt_build(&st->in, &in) || pkt_mutate(&in, st->mut, false)) {
		diag("cannot build the input\n");
		return false;
	}
	if (fwd) {
		if (build_routed(&st->out, st->mut, &st->l2, 1, &exp)) {
			diag("cannot build the expected output\n");
			return false;
		}
	} else {
		exp = in;
	}
	if (snapshot(e, e->before))
		return false;
	if (e->at_tc)
		tc_run(e->tc_fd, e->ifindex[st->ingress], in.buf, in.len, &r);
	else
		xdp_run(e->prog_fd, e->ifindex[st->ingress], in.buf, in.len, 0,
			1, &r);
	if (snapshot(e, e->after))
		return false;
	if (r.err) {
		diag("test_run: %s\n", strerror(-r.err));
		return false;
	}
	verdict = fwd ? XDP_REDIRECT : XDP_DROP;
	if (e->at_tc ? r.retval != tc_action_of((int)verdict) :
		       r.retval != verdict) {
		diag("verdict %u, want %s\n", r.retval, xdp_name(verdict));
		ok = false;
	}
	slot = count_slot(e, st->ingress, &st->in, in.len);
	if (!counters_ok(e, slot, st->reason, in.len, 1))
		ok = false;
	if (r.out_len != exp.len || memcmp(r.out, exp.buf, exp.len)) {
		hexdiff(exp.buf, exp.len, r.out, r.out_len);
		ok = false;
	}
	return ok;
}

static void run_cases(struct env *e, const char *hook)
{
	char name[256];
	__u32 left = 0;

	for (size_t i = 0; i < sizeof(nat_cases) / sizeof(nat_cases[0]); i++) {
		const struct nat_case *c = &nat_cases[i];

		if (c->xdp_only && e->at_tc)
			continue;
		dp_ct_flush(e->dp, NULL, NULL);
		for (int s = 0; s < c->n; s++) {
			snprintf(name, sizeof(name), "%snat: %s: %s", hook,
				 c->name, c->steps[s].name);
			tap(e, step_ok(e, &c->steps[s]), name);
		}
	}
	/* a flush retires every entry, and with them bindings and aliases */
	dp_ct_flush(e->dp, NULL, NULL);
	if (dp_nat_flow_count(e->dp, &left))
		left = ~0u;
	snprintf(name, sizeof(name),
		 "%snat: the table's flush released every binding and alias "
		 "(%u left)",
		 hook, left);
	tap(e, left == 0, name);
}

/* Conntrack's entries of family @fam and protocol @proto. */
struct count_arg {
	__u8 proto;
	unsigned int n;
};

static int count_cb(const struct sluice_ct_key *k,
		    const struct sluice_ct_entry *ce, void *arg)
{
	struct count_arg *a = arg;

	(void)ce;
	if (k->proto == a->proto && !k->zone)
		a->n++;
	return 0;
}

/*
 * The first packet the kernel forwards for an unresolved next hop (above)
 * leaves by P1 through the TC egress program (the skb came in by P0):
 * translated there, from the pool, its entry and binding made; the
 * answer then comes back to the client at XDP like any SNAT flow's.
 */
static void run_unresolved_egress(struct env *e)
{
	static const struct pkt_spec in = { IN_P0, V4, .saddr = C1,
					    .daddr = "198.18.1.8",
					    UDP_(4445, 53) };
	static const struct pkt_spec out = { IN_P0, V4, .saddr = POOL,
					     .daddr = "198.18.1.8",
					     UDP_(4445, 53) };
	static const struct nat_step answer = {
		"the answer, at XDP: back to the client",
		IFX_P1,
		{ IN_P1, V4, .saddr = "198.18.1.8", .daddr = POOL,
		  UDP_(53, 4445) },
		{ V4, .saddr = "198.18.1.8", .daddr = C1, UDP_(53, 4445) },
		.l2 = TO_P0,
		FWD
	};
	const struct l2_out l2 = { .dst = { 0x02, 0, 0, 0, 0x18, 0x08 },
				   .src = MAC_P1 };
	static const struct pkt_mut nomut[PKT_MAX_MUT];
	int egress_fd = dp_egress_prog_fd(e->dp);
	static struct frame fin, exp;
	static __u8 out_buf[2048];
	struct dp_test_run t = { .ifindex = e->ifindex[IFX_P1],
				 .skb_iif = e->ifindex[IFX_P0],
				 .repeat = 1,
				 .out = out_buf,
				 .out_size = sizeof(out_buf) };
	bool ok;
	int err;

	dp_ct_flush(e->dp, NULL, NULL);
	ok = egress_fd >= 0 && !build_routed(&in, nomut, &l2, 1, &fin) &&
	     !build_routed(&out, nomut, &l2, 1, &exp) &&
	     !snapshot(e, e->before);
	if (ok) {
		err = dp_test_run_skb(egress_fd, fin.buf, fin.len, &t);
		ok = !err && !snapshot(e, e->after) &&
		     t.retval == tc_action_of(XDP_PASS) &&
		     counters_ok(e, e->slot[IFX_P1], SLUICE_PASS_EGRESS_TRACKED,
				 fin.len, 1);
		if (ok && (t.out_len != exp.len ||
			   memcmp(out_buf, exp.buf, exp.len))) {
			hexdiff(exp.buf, exp.len, out_buf, t.out_len);
			ok = false;
		}
	}
	tap(e, ok,
	    "nat: egress: the kernel forwards that first packet out of P1: "
	    "translated there (from the pool), its entry made");
	/* the answer needs only the client's way back, which is known */
	ok = ok && step_ok(e, &answer);
	dp_ct_flush(e->dp, NULL, NULL);
	tap(e, ok, "nat: egress: the answer, at XDP: back to the client");
}

/*
 * A new flow that SNAT would translate, to an on-link host whose
 * neighbour is not resolved yet (198.18.1.8 on P1): the packet goes to
 * the kernel as it came (pass_no_neigh), but no untranslated entry is
 * left behind (event unresolved), so once the neighbour is known the
 * flow's next packet leaves translated, from the pool.
 */
static void run_unresolved(struct env *e, const char *hook)
{
	static const struct pkt_spec in = { IN_P0, V4, .saddr = C1,
					    .daddr = "198.18.1.8",
					    UDP_(4444, 53) };
	static const struct pkt_spec out = { IN_P0, V4, .saddr = POOL,
					     .daddr = "198.18.1.8",
					     UDP_(4444, 53) };
	const struct l2_out l2 = { .dst = { 0x02, 0, 0, 0, 0x18, 0x08 },
				   .src = MAC_P1 };
	struct sluice_neigh_key nk = { .ifindex = e->ifindex[IFX_P1],
				       .family = AF_INET };
	struct sluice_neigh nv = { .mac = { 0x02, 0, 0, 0, 0x18, 0x08 } };
	__u64 ev0[SLUICE_NAT_NEVENTS] = {}, ev1[SLUICE_NAT_NEVENTS] = {};
	struct count_arg ca = { .proto = IPPROTO_UDP };
	static const struct pkt_mut nomut[PKT_MAX_MUT];
	static struct frame f, exp;
	static struct run r;
	__u32 want = e->at_tc ? tc_action_of(XDP_PASS) : XDP_PASS;
	char name[256];
	bool ok;

	dp_ct_flush(e->dp, NULL, NULL);
	ok = !pkt_build(&in, &f) && !pkt_addr(AF_INET, "198.18.1.8", nk.addr) &&
	     !dp_nat_events(e->dp, ev0) && !snapshot(e, e->before);
	if (ok) {
		if (e->at_tc)
			tc_run(e->tc_fd, e->ifindex[IFX_P0], f.buf, f.len, &r);
		else
			xdp_run(e->prog_fd, e->ifindex[IFX_P0], f.buf, f.len, 0,
				1, &r);
		ok = !r.err && !snapshot(e, e->after) && r.retval == want &&
		     counters_ok(e, e->slot[IFX_P0], SLUICE_PASS_NO_NEIGH,
				 f.len, 1) &&
		     r.out_len == f.len && !memcmp(r.out, f.buf, f.len);
	}
	ok = ok && !dp_nat_events(e->dp, ev1) &&
	     !dp_ct_walk(e->dp, NULL, count_cb, &ca);
	if (ok &&
	    (ca.n ||
	     ev1[SLUICE_NATE_UNRESOLVED] - ev0[SLUICE_NATE_UNRESOLVED] != 1)) {
		diag("%u UDP entries left, unresolved +%llu; want 0, +1\n",
		     ca.n,
		     (unsigned long long)(ev1[SLUICE_NATE_UNRESOLVED] -
					  ev0[SLUICE_NATE_UNRESOLVED]));
		ok = false;
	}
	snprintf(name, sizeof(name),
		 "%snat: SNAT's next hop unresolved: the packet to the kernel "
		 "as it came (pass_no_neigh), no entry left (unresolved +1)",
		 hook);
	tap(e, ok, name);

	ok = !dp_neigh_set(e->dp, &nk, &nv) &&
	     !build_routed(&out, nomut, &l2, 1, &exp) &&
	     !snapshot(e, e->before);
	if (ok) {
		if (e->at_tc)
			tc_run(e->tc_fd, e->ifindex[IFX_P0], f.buf, f.len, &r);
		else
			xdp_run(e->prog_fd, e->ifindex[IFX_P0], f.buf, f.len, 0,
				1, &r);
		ok = !r.err && !snapshot(e, e->after) &&
		     r.retval == (e->at_tc ? tc_action_of(XDP_REDIRECT) :
					     XDP_REDIRECT) &&
		     counters_ok(e, e->slot[IFX_P0], SLUICE_FWD_REDIRECT, f.len,
				 1);
		if (ok &&
		    (r.out_len != exp.len || memcmp(r.out, exp.buf, exp.len))) {
			hexdiff(exp.buf, exp.len, r.out, r.out_len);
			ok = false;
		}
	}
	dp_neigh_del(e->dp, &nk);
	dp_ct_flush(e->dp, NULL, NULL);
	snprintf(name, sizeof(name),
		 "%snat: the neighbour known, the flow's next packet leaves "
		 "translated (from the pool)",
		 hook);
	tap(e, ok, name);
	if (!e->at_tc)
		run_unresolved_egress(e);
}

/*
 * A direct-server-return VIP while conntrack is on: its answers never pass
 * the LB, so conntrack would see it one way only (half-open, its ACKs
 * invalid, cut by a firewall's "state invalid: drop").  Its SYN and its
 * ACK go to the backend (fwd_lb) and leave no entry; the full-NAT VIP's
 * flows above are tracked.
 */
#define DSR_VIP "198.19.9.10"

static int dsr_vip(struct env *e, bool add)
{
	struct sluice_vip_key k = { .proto = IPPROTO_TCP, .family = AF_INET };
	struct sluice_vip v = { .vip_id = VIP_ID + 1, .ring_size = 7 };
	__u32 ring[7];

	k.port = htons(80);
	if (addr_of(DSR_VIP, k.addr))
		return -EINVAL;
	if (!add)
		return dp_vip_del(e->dp, &k) ?: dp_ring_del(e->dp, VIP_ID + 1);
	for (int i = 0; i < 7; i++)
		ring[i] = VIP_BE;
	return dp_vip_set(e->dp, &k, &v) ?:
		       dp_ring_install(e->dp, VIP_ID + 1, 7, ring);
}

static void run_dsr_untracked(struct env *e)
{
	static const struct pkt_spec syn = { IN_P0, V4, .saddr = C1,
					     .daddr = DSR_VIP,
					     TCP_(40001, 80, 0x02) };
	static const struct pkt_spec ack = { IN_P0, V4, .saddr = C1,
					     .daddr = DSR_VIP,
					     TCP_(40001, 80, 0x10) };
	const struct pkt_spec *const steps[] = { &syn, &ack };
	struct count_arg ca = { .proto = IPPROTO_TCP };
	static struct frame f;
	static struct run r;
	bool ok = !dsr_vip(e, true);

	dp_ct_flush(e->dp, NULL, NULL);
	for (size_t i = 0; ok && i < 2; i++) {
		ok = !pkt_build(steps[i], &f) && !snapshot(e, e->before);
		if (!ok)
			break;
		xdp_run(e->prog_fd, e->ifindex[IFX_P0], f.buf, f.len, 0, 1, &r);
		ok = !r.err && !snapshot(e, e->after) &&
		     r.retval == XDP_REDIRECT &&
		     counters_ok(e, e->slot[IFX_P0], SLUICE_FWD_LB, f.len, 1);
		if (!ok)
			diag("%s: err %d, %s\n", i ? "ACK" : "SYN", r.err,
			     xdp_name(r.retval));
	}
	ok = ok && !dp_ct_walk(e->dp, NULL, count_cb, &ca);
	if (ok && ca.n) {
		diag("%u TCP entries, want none\n", ca.n);
		ok = false;
	}
	tap(e, ok && !dsr_vip(e, false),
	    "nat: conntrack on: a direct-server-return VIP's SYN and ACK go "
	    "to the backend (fwd_lb), untracked: no entry");
}

void nat_run_all(struct env *e)
{
	struct sluice_ct_config cfg;

	dp_ct_default_config(&cfg);
	cfg.enabled = 1;
	if (dp_ct_config_set(e->dp, &cfg) || rules(e, true) ||
	    fullnat_vip(e, true)) {
		tap(e, false, "nat: setup (conntrack on, rules in)");
		return;
	}
	run_cases(e, "");
	run_unresolved(e, "");
	run_dsr_untracked(e);
	e->at_tc = true;
	run_cases(e, "tc: ");
	run_unresolved(e, "tc: ");
	e->at_tc = false;
	tap(e, !rules(e, false) && !fullnat_vip(e, false),
	    "nat: rules and the full-NAT VIP out again");
	dp_ct_flush(e->dp, NULL, NULL);
	dp_ct_config_set(e->dp, &(struct sluice_ct_config){ 0 });
}
