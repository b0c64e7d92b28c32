/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The L4 load balancer: a packet to a VIP (address, protocol, port) gets a
 * backend from the flow table or, for a new flow, from the VIP's Maglev
 * table; it is then encapsulated (IPIP or GRE) and the outer packet is
 * routed by the router's own tables.  Backends answer clients directly
 * (direct server return), so only the client -> VIP direction comes here.
 */
#ifndef SLUICE_BPF_LB_H
#define SLUICE_BPF_LB_H

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <uapi/sluice/flow_hash.h>
#include "clock.h"
#include "csum.h"
#include "encap.h"
#include "l3.h"
#include "config.h"
#include "lb_flows.h"
#include "lb_maps.h"
#include "lb_second.h"
#include "pkt.h"
#include "route.h"

/* A flow-table entry older than this is refreshed; fewer writes to a
 * shared cache line than stamping every packet.  Under an idle timeout
 * the entry is refreshed once it is half that old (lb_flow_hit()): at
 * 1 s, an active flow's entry would otherwise reach the timeout before
 * its refresh and the flow go through Maglev again each second. */
#define LB_FLOW_REFRESH_NS 1000000000ull

/* lb_run()'s answer for a full-NAT VIP: not sent here, NAT takes the flow
 * to the backend (lb_fullnat says where). */
#define LB_FULLNAT (-2)

struct lb_fullnat {
	__u8 addr[16];
	__be16 port;
	__u16 pad;
};

/* The flow as the VIP sees it: client -> VIP. */
struct lb_flow {
	struct sluice_flow_key key;
	__u32 hash;	 /* the VIP's Maglev hash */
	__u8 icmp_error; /* an ICMP error about the flow */
	__u8 tcp_flags;
	__u8 ext; /* TCP/UDP behind IPv6 extension headers */
	__u8 pad;
};

static __always_inline struct sluice_lb_counter *vip_counter(__u32 vip_id)
{
	return bpf_map_lookup_elem(&lb_vip_stats, &vip_id);
}

static __always_inline void lb_count_drop(__u32 vip_id, __u8 too_big)
{
	struct sluice_lb_counter *c = vip_counter(vip_id);

	if (c) {
		c->drops++;
		c->too_big += too_big;
	}
}

/* An ICMP error (destination unreachable incl. fragmentation needed, time
 * exceeded, IPv6 packet too big) about a packet a backend sent from a VIP:
 * the flow it belongs to is the quoted packet, reversed.  Only an error
 * sent to the VIP is one: the quoted source must be the error's
 * destination (an error to another address that quotes a VIP's packet is
 * that address's, and is routed to it). */
static __always_inline int lb_addr_equal(__u8 family, const __u8 *a,
					 const __u8 *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	if (family == AF_INET)
		return x[0] == y[0];
	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

static __always_inline int lb_icmp_flow(struct pkt *p, struct l3_info *f,
					struct lb_flow *fl)
{
	__u32 off = f->l4_off, quote;
	void *l4;

	/* a bound the verifier can see: the offset came through the stack */
	if (off > L4_OFF_MAX)
		return -1;
	/* the ICMP header, the quoted IP header and its four port bytes,
	 * inside the IP packet: an Ethernet trailer beyond it is no quote */
	quote = f->family == AF_INET ?
			sizeof(struct icmphdr) + sizeof(struct iphdr) + 4 :
			sizeof(struct icmp6hdr) + sizeof(struct ipv6hdr) + 4;
	if (off + quote > p->l3_off + f->l3_len)
		return -1;
	l4 = p->data + off;
	if (f->family == AF_INET) {
		struct icmphdr *ic = l4;
		struct iphdr *in;
		__be16 *ports;

		if ((void *)(ic + 1) > p->data_end)
			return -1;
		if (ic->type != ICMP_DEST_UNREACH &&
		    ic->type != ICMP_TIME_EXCEEDED)
			return -1;
		in = (void *)(ic + 1);
		if ((void *)(in + 1) + 4 > p->data_end || in->ihl != 5 ||
		    in->version != 4)
			return -1;
		ports = (void *)(in + 1);
		fl->key.family = AF_INET;
		fl->key.proto = in->protocol;
		__builtin_memcpy(fl->key.saddr, &in->daddr, 4);
		__builtin_memcpy(fl->key.daddr, &in->saddr, 4);
		fl->key.sport = ports[1];
		fl->key.dport = ports[0];
	} else {
		struct icmp6hdr *ic = l4;
		struct ipv6hdr *in;
		__be16 *ports;

		if ((void *)(ic + 1) > p->data_end)
			return -1;
		if (ic->icmp6_type < ICMPV6_DEST_UNREACH ||
		    ic->icmp6_type > ICMPV6_TIME_EXCEED)
			return -1;
		in = (void *)(ic + 1);
		if ((void *)(in + 1) + 4 > p->data_end || in->version != 6)
			return -1;
		ports = (void *)(in + 1);
		fl->key.family = AF_INET6;
		fl->key.proto = in->nexthdr;
		__builtin_memcpy(fl->key.saddr, in->daddr.in6_u.u6_addr8, 16);
		__builtin_memcpy(fl->key.daddr, in->saddr.in6_u.u6_addr8, 16);
		fl->key.sport = ports[1];
		fl->key.dport = ports[0];
	}
	if (fl->key.proto != IPPROTO_TCP && fl->key.proto != IPPROTO_UDP)
		return -1;
	if (!lb_addr_equal(f->family, fl->key.daddr, f->dst))
		return -1;
	fl->icmp_error = 1;
	return 0;
}

/* IPv6 extension headers the LB looks through for TCP/UDP: at most this
 * many hop-by-hop (first), destination-options and routing headers, within
 * this offset from the frame start (a bound the verifier can see). */
#define LB_IP6_EXT_MAX 4
#define LB_IP6_EXT_END 256

/* TCP/UDP to a VIP behind hop-by-hop, destination options and routing
 * headers is the VIP's like the same flow without them: its key from the
 * real L4 ports, the packet encapsulated whole.  The parser (l3.h
 * ip6_ext_walk()) already found the transport behind destination options
 * and routing headers, and gives the kernel fragments and longer chains;
 * this walk, from the fixed header, adds hop-by-hop first and the LB's
 * own rules: a routing header with segments left is not for us yet (the
 * packet is routed), and fl->ext keeps such a flow from full NAT.  A
 * fragment header or a longer chain behind hop-by-hop is not looked
 * through: the kernel's. */
static __always_inline int lb_ip6_ext_flow(struct pkt *p, struct l3_info *f,
					   struct lb_flow *fl)
{
	__u32 off = p->l3_off + sizeof(struct ipv6hdr);
	__u32 end = p->l3_off + f->l3_len, need;
	struct ipv6hdr *ip6 = p->data + p->l3_off;
	__u8 nh, *h;
	int i;

	if ((void *)(ip6 + 1) > p->data_end)
		return -1;
	nh = ip6->nexthdr;

	for (i = 0; i < LB_IP6_EXT_MAX; i++) {
		/* hop-by-hop only first (lb_hbh.h) */
		if (nh != IPPROTO_DSTOPTS && nh != IPPROTO_ROUTING &&
		    (nh != NEXTHDR_HOP || i))
			break;
		if (off > LB_IP6_EXT_END)
			return -1;
		h = p->data + off;
		if ((void *)(h + 8) > p->data_end || off + 8 > end)
			return -1;
		if (nh == IPPROTO_ROUTING && h[3]) /* segments left */
			return -1;
		nh = h[0];
		off += ((__u32)h[1] + 1) * 8;
	}
	if (nh != IPPROTO_TCP && nh != IPPROTO_UDP)
		return -1;
	if (off > LB_IP6_EXT_END)
		return -1;
	h = p->data + off;
	need = nh == IPPROTO_TCP ? sizeof(struct tcphdr) :
				   sizeof(struct udphdr);
	if ((void *)(h + need) > p->data_end || off + need > end)
		return -1;
	fl->key.family = AF_INET6;
	fl->key.proto = nh;
	__builtin_memcpy(fl->key.saddr, f->src, 16);
	__builtin_memcpy(fl->key.daddr, f->dst, 16);
	__builtin_memcpy(&fl->key.sport, h, 2);
	__builtin_memcpy(&fl->key.dport, h + 2, 2);
	if (nh == IPPROTO_TCP) {
		if ((void *)(h + sizeof(struct tcphdr)) > p->data_end)
			return -1;
		fl->tcp_flags = h[13];
	}
	fl->ext = 1;
	return 0;
}

static __always_inline int lb_flow_of(struct pkt *p, struct l3_info *f,
				      struct lb_flow *fl)
{
	/* TCP/UDP the parser found behind destination-options or routing
	 * headers (l3.h): the LB's own walk, for its rules on segments left
	 * and full NAT */
	if (f->family == AF_INET6 &&
	    f->l4_off != p->l3_off + sizeof(struct ipv6hdr))
		return lb_ip6_ext_flow(p, f, fl);
	if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) {
		fl->key.family = f->family;
		fl->key.proto = f->proto;
		__builtin_memcpy(fl->key.saddr, f->src, 16);
		__builtin_memcpy(fl->key.daddr, f->dst, 16);
		fl->key.sport = (__be16)(f->ports & 0xffff);
		fl->key.dport = (__be16)(f->ports >> 16);
		fl->tcp_flags = f->tcp_flags;
		return 0;
	}
	/* ICMP of the packet's own family: protocol 1 in IPv6 or 58 in
	 * IPv4 is nobody's error message */
	if ((f->family == AF_INET && f->proto == IPPROTO_ICMP) ||
	    (f->family == AF_INET6 && f->proto == IPPROTO_ICMPV6))
		return lb_icmp_flow(p, f, fl);
	if (f->family == AF_INET6 && f->proto == NEXTHDR_HOP)
		return lb_ip6_ext_flow(p, f, fl);
	return -1;
}

/* Whether @daddr may be a VIP: its bit in lb_vip_bits (uapi lb.h).  A
 * clear bit means no VIP has this address; a set one may be another's. */
static __always_inline int lb_vip_maybe(__u8 family, const __u8 *daddr)
{
	const struct sluice_lb_vip_bits *bits;
	__u32 zero = 0, bit;

	bits = bpf_map_lookup_elem(&lb_vip_bits, &zero);
	if (!bits)
		return 1;
	bit = sluice_vip_bit(family, (const __u32 *)daddr);
	return (bits->word[(bit / 64) % (SLUICE_LB_VIP_BITS / 64)] >>
		(bit % 64)) &
	       1;
}

/* The VIP of @fl's address, protocol and port, else of its address and
 * protocol (port 0), as lb_vip_ids holds it: every path below sees a VIP
 * of one map, so the verifier checks them once, not once a source. */
static __always_inline const struct sluice_vip *lb_vip_of(struct lb_flow *fl)
{
	struct sluice_vip_key vk = {};
	const struct sluice_vip_by_id *v;
	const struct sluice_vip *vip;
	__u32 id;

	__builtin_memcpy(vk.addr, fl->key.daddr, 16);
	vk.port = fl->key.dport;
	vk.proto = fl->key.proto;
	vk.family = fl->key.family;
	vip = bpf_map_lookup_elem(&lb_vips, &vk);
	if (!vip) {
		vk.port = 0;
		vip = bpf_map_lookup_elem(&lb_vips, &vk);
		if (!vip)
			return NULL;
	}
	/* the key's first word as the id's: the stack of sluice_xdp's
	 * calls is at its limit */
	id = vip->vip_id;
	__builtin_memcpy(vk.addr, &id, sizeof(id));
	v = bpf_map_lookup_elem(&lb_vip_ids, vk.addr);
	/* lib/dp writes the id before the VIP and forgets it after */
	if (!v || v->vip.vip_id != id)
		return NULL;
	return &v->vip;
}

/* The VIP a flow-table entry names (@vip_id), when it is the one
 * lb_vip_of() would find: a VIP of the flow's own address, protocol and
 * port.  NULL for a VIP of every port (a VIP of the flow's port, added
 * since, would take precedence: the lookup decides) or an id no longer
 * this flow's VIP's. */
static __always_inline const struct sluice_vip *
lb_vip_of_entry(const struct lb_flow *fl, __u32 vip_id)
{
	const struct sluice_vip_by_id *v;

	v = bpf_map_lookup_elem(&lb_vip_ids, &vip_id);
	if (!v || v->key.family != fl->key.family ||
	    v->key.proto != fl->key.proto || !v->key.port ||
	    v->key.port != fl->key.dport ||
	    !lb_addr_equal(fl->key.family, v->key.addr, fl->key.daddr))
		return NULL;
	return &v->vip;
}

/* The VIP's Maglev hash: the 5-tuple's (@thash, the flow table's hash
 * too), or the client address's for a VIP hashed by source. */
static __always_inline __u32 lb_hash(const struct lb_flow *fl, __u16 flags,
				     __u32 thash)
{
	const __u32 zero[4] = {};
	int words = fl->key.family == AF_INET ? 1 : 4;

	if (flags & SLUICE_VIP_HASH_SRC)
		return sluice_flow_hash((const __u32 *)fl->key.saddr, zero,
					words, 0, 0);
	return thash;
}

/* A connection's first packet: a TCP SYN without ACK, not inside an
 * ICMP error. */
static __always_inline int lb_new_syn(const struct lb_flow *fl)
{
	return !fl->icmp_error && fl->key.proto == IPPROTO_TCP &&
	       (fl->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN;
}

/* The flow's entry (lb_select() found it in slot @at, read into *@entry;
 * @at 0: the table lacks the flow), when it names this VIP and a
 * backend that is still up (and, with an idle timeout, has been seen
 * within it): no map write, only a refresh of last_seen_ns once per
 * LB_FLOW_REFRESH_NS (half the idle timeout when that is shorter). */
static __always_inline const struct sluice_backend *
lb_flow_hit(const struct sluice_vip *vip, struct lb_flow *fl, __u64 now,
	    __u32 *idp, const struct lb_flow_entry *entry, int at)
{
	const struct sluice_lb_config *cfg;
	const struct sluice_backend *be;
	__u64 idle, refresh;
	__u32 zero = 0;

	if (at <= 0 || entry->vip_id != vip->vip_id)
		return NULL;
	cfg = bpf_map_lookup_elem(&lb_config, &zero);
	idle = cfg ? cfg->flow_idle_timeout_s : 0;
	*idp = entry->backend_id;
	be = bpf_map_lookup_elem(&lb_backends, idp);
	if (!be || !be->family || (be->flags & SLUICE_BE_DOWN))
		return NULL;
	if ((be->flags & SLUICE_BE_DRAINING) && fl->key.proto == IPPROTO_TCP &&
	    (fl->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN)
		return NULL;
	refresh = LB_FLOW_REFRESH_NS;
	if (idle) {
		idle *= 1000000000ull;
		if (clock_since(now, entry->last_seen_ns) >= idle)
			return NULL;
		if (idle / 2 < refresh)
			refresh = idle / 2;
	}
	if (clock_since(now, entry->last_seen_ns) > refresh)
		lb_flows_touch(at, now);
	return be;
}

/* The backend @vip's Maglev ring gives @hash, when it can carry traffic
 * (known, not down), its id in *@idp; NULL when there is none. */
static __always_inline const struct sluice_backend *
lb_maglev_backend(const struct sluice_vip *vip, __u32 hash, __u32 *idp)
{
	const struct sluice_backend *be;
	__u32 idx, *slot;
	void *ring;

	if (!vip->ring_size)
		return NULL;
	ring = bpf_map_lookup_elem(&lb_rings, &vip->vip_id);
	if (!ring)
		return NULL;
	idx = hash % vip->ring_size;
	slot = bpf_map_lookup_elem(ring, &idx);
	if (!slot || !*slot)
		return NULL;
	*idp = *slot;
	be = bpf_map_lookup_elem(&lb_backends, idp);
	if (!be || !be->family || (be->flags & SLUICE_BE_DOWN))
		return NULL;
	return be;
}

/* A new flow for backend @id: counted for its VIP (@vc) and for it. */
static __always_inline void lb_count_new_flow(struct sluice_lb_counter *vc,
					      __u32 id)
{
	struct sluice_lb_counter *bc;

	if (vc)
		vc->new_flows++;
	bc = bpf_map_lookup_elem(&lb_backend_stats, &id);
	if (bc)
		bc->new_flows++;
}

/*
 * Flow table first, for every packet: a SYN of a flow the table knows
 * (a retransmission, or a client reusing its port) keeps its backend and
 * writes nothing, unless that backend is draining.  Maglev and an insert
 * only for a flow the table does not know or whose entry is no longer
 * usable.  A flow that second chance gives its previous backend too
 * (*@altp) is not inserted: the table would send its next packets
 * without it.
 */
static __always_inline __u32 lb_pick(const struct sluice_vip *vip,
				     struct lb_flow *fl, __u32 thash,
				     struct lb_flow_entry *nf, int at,
				     const struct sluice_backend **bep,
				     const struct sluice_backend **altp,
				     struct sluice_lb_counter *vc)
{
	const struct sluice_backend *be;
	__u64 now = clock_tick_ns(); /* stamps counted in seconds */
	__u32 id = 0;

	/* A connection's first packet is almost always a new flow: its
	 * Maglev choice is inserted unless the table knows the flow (the
	 * put leaves a known entry as it is), one walk of its probes where
	 * a lookup and then an insert took two.  A known flow, or no
	 * choice, goes the way of every other packet below.  (@at: the
	 * slot lb_select() found the flow in; 0 when the table lacks it,
	 * or for such a SYN, which it did not look up.) */
	if (at <= 0 && lb_new_syn(fl)) {
		int known;

		be = lb_maglev_backend(vip, fl->hash, &id);
		nf->vip_id = vip->vip_id;
		nf->backend_id = id;
		nf->last_seen_ns = now;
		known = be ? lb_flows_put(&fl->key, thash, nf, 1) : 1;
		/* entered; or not enterable (every probe being written,
		 * counted by the put): the pick stands, with no second put */
		if (known <= 0) {
			lb_count_new_flow(vc, id);
			*bep = be;
			return id;
		}
		/* a flow the table knows (a retransmission, a port reused)
		 * or no Maglev choice: the flow's entry decides */
		at = lb_flows_find(&fl->key, thash, nf);
	}
	be = lb_flow_hit(vip, fl, now, &id, nf, at);
	if (be) {
		if (vc)
			vc->flow_hits++;
		*bep = be;
		return id;
	}
	be = lb_maglev_backend(vip, fl->hash, &id);
	if (!be)
		return 0;
	*altp = lb_second_alt(vip, fl->hash, fl->key.proto, fl->tcp_flags, id,
			      now);
	/* nf held the flow's entry, if any */
	nf->vip_id = vip->vip_id;
	nf->backend_id = id;
	nf->last_seen_ns = now;
	if (!fl->icmp_error && !*altp)
		lb_flows_put(&fl->key, thash, nf, 0);
	lb_count_new_flow(vc, id);
	*bep = be;
	return id;
}

/* The cheap part: 0 when the packet cannot be for a VIP (no VIP at all,
 * or TCP/UDP to an address no VIP has), before any flow is read. */
static __always_inline int lb_candidate(const struct l3_info *f)
{
	__u32 zero = 0, *vip_count;

	if (!cfg_lb_enabled)
		return 0;
	/* a router with no VIP pays one array read, not two hash lookups */
	vip_count = bpf_map_lookup_elem(&lb_vip_count, &zero);
	if (vip_count && *vip_count == 0)
		return 0;
	if ((f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) &&
	    !lb_vip_maybe(f->family, f->dst))
		return 0;
	return 1;
}

/* Whether @f is for a direct-server-return VIP (TCP or UDP, by its own
 * port or as a VIP of every port): conntrack leaves such a flow out
 * (sluice_xdp.bpf.c, ct_bypass()). */
static __always_inline int lb_vip_untracked(const struct l3_info *f)
{
	struct sluice_vip_key vk = {};
	const struct sluice_vip *vip;

	if ((f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP) ||
	    !lb_candidate(f))
		return 0;
	__builtin_memcpy(vk.addr, f->dst, 16);
	vk.port = (__be16)(f->ports >> 16);
	vk.proto = f->proto;
	vk.family = f->family;
	vip = bpf_map_lookup_elem(&lb_vips, &vk);
	if (!vip) {
		vk.port = 0;
		vip = bpf_map_lookup_elem(&lb_vips, &vk);
	}
	return vip && !(vip->flags & SLUICE_VIP_FULLNAT);
}

/* lb_select()'s answers besides a backend id */
#define LB_NOT_A_VIP 0	 /* routed as any other packet */
#define LB_NO_BACKEND -1 /* the VIP's, with no backend to take it */

/*
 * The packet's VIP (*@vipp, its counters *@vcp) and backend: its id, with
 * *@bep (and *@altp, second chance), or LB_NOT_A_VIP, LB_NO_BACKEND.  The
 * flow's entry lives only here, not across the encapsulation: the stack
 * of sluice_xdp's calls is at its limit.
 */
static __always_inline int lb_select(struct pkt *p, struct lb_flow *fl,
				     const struct sluice_vip **vipp,
				     struct sluice_lb_counter **vcp,
				     const struct sluice_backend **bep,
				     const struct sluice_backend **altp)
{
	const struct sluice_vip *vip = NULL;
	struct sluice_lb_counter *vc;
	struct lb_flow_entry nf;
	__u32 thash, id;
	int at;

	/* the table's hash is the 5-tuple's whatever the VIP (uapi
	 * lb_flows.h), so a packet finds its flow's entry first, and a
	 * flow the table knows its VIP by the entry's id, with no hash
	 * lookup of the address */
	thash = sluice_lb_flow_hash(&fl->key);
	/* a connection's first packet is almost always a new flow:
	 * lb_pick() enters it in one walk of its slots, where a lookup
	 * here would take another */
	at = lb_new_syn(fl) ? 0 : lb_flows_find(&fl->key, thash, &nf);
	if (at > 0)
		vip = lb_vip_of_entry(fl, nf.vip_id);
	if (!vip) {
		vip = lb_vip_of(fl);
		if (!vip)
			return LB_NOT_A_VIP;
	}
	/* an ICMP error about a full-NAT flow: conntrack's (RELATED); NAT
	 * rewrites ports at the parser's L4 offset, which extension
	 * headers move: such a flow is routed, as before */
	if ((vip->flags & SLUICE_VIP_FULLNAT) && (fl->icmp_error || fl->ext))
		return LB_NOT_A_VIP;

	trace_note_vip(p, vip->vip_id, 0);
	vc = vip_counter(vip->vip_id);
	if (vc) {
		vc->packets++;
		vc->bytes += p->len;
	}
	*vipp = vip;
	*vcp = vc;
	fl->hash = lb_hash(fl, vip->flags, thash);
	id = lb_pick(vip, fl, thash, &nf, at, bep, altp, vc);
	if (!id || !*bep) {
		if (vc)
			vc->drops++;
		return LB_NO_BACKEND;
	}
	return (int)id;
}

/*
 * A candidate (lb_candidate()): DP_CONTINUE for traffic that is not for a
 * VIP after all (the router takes it), else the reason that decided the
 * packet.
 */
static __always_inline int lb_run(struct __ctx_buff *ctx, struct pkt *p,
				  struct l3_info *f, struct lb_fullnat *fn)
{
	const struct sluice_backend *be = NULL, *alt = NULL;
	const struct sluice_vip *vip = NULL;
	struct sluice_lb_counter *vc = NULL, *bc;
	struct lb_flow fl = {};
	__u32 backend_id;
	int r;

	if (lb_flow_of(p, f, &fl))
		return DP_CONTINUE;
	/* an ICMP error is about the flow it quotes, to the VIP */
	if (fl.icmp_error && !lb_vip_maybe(fl.key.family, fl.key.daddr))
		return DP_CONTINUE;
	r = lb_select(p, &fl, &vip, &vc, &be, &alt);
	if (r == LB_NOT_A_VIP || !vip)
		return DP_CONTINUE;
	if (r == LB_NO_BACKEND || !be)
		return SLUICE_DROP_LB_NO_BACKEND;
	backend_id = (__u32)r;
	trace_note_vip(p, vip->vip_id, backend_id);
	if (vip->flags & SLUICE_VIP_FULLNAT) {
		if (!fn || be->family != f->family) {
			if (vc)
				vc->drops++;
			return SLUICE_DROP_LB_FULLNAT;
		}
		__builtin_memcpy(fn->addr, be->addr, 16);
		fn->port = vip->backend_port ? vip->backend_port :
					       (__be16)(f->ports >> 16);
		bc = bpf_map_lookup_elem(&lb_backend_stats, &backend_id);
		if (bc) {
			bc->packets++;
			bc->bytes += p->len;
		}
		return LB_FULLNAT;
	}
	r = lb_encap_forward(ctx, p, f, vip, be, alt, fl.hash, fl.icmp_error);
	if (r == SLUICE_FWD_LB || r == SLUICE_FWD_LB_TX ||
	    r == SLUICE_FWD_LB_SECOND || r == SLUICE_FWD_LB_SECOND_TX) {
		bc = bpf_map_lookup_elem(&lb_backend_stats, &backend_id);
		if (bc) {
			bc->packets++;
			bc->bytes += p->len;
		}
	} else {
		/* not delivered; too_big counts the answered ones */
		lb_count_drop(vip->vip_id, r == SLUICE_FWD_LB_TOO_BIG);
	}
	return r;
}

/* The load balancer's stage: DP_CONTINUE for what is not for a VIP;
 * LB_FULLNAT with @fn filled for a full-NAT VIP (NULL: refused, as
 * without conntrack). */
static __always_inline int lb_stage(struct __ctx_buff *ctx, struct pkt *p,
				    struct l3_info *f, struct lb_fullnat *fn)
{
	if (!lb_candidate(f))
		return DP_CONTINUE;
	return lb_run(ctx, p, f, fn);
}

#endif
