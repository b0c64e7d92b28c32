/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SYN cookies for protected services (ddos_services), answered where the
 * flood arrives: a SYN becomes a SYN-ACK whose sequence number is the
 * kernel's own cookie (bpf_tcp_raw_gen_syncookie_*), sent back out of the
 * ingress port; no state is kept for it.  The client's ACK is checked
 * with bpf_tcp_raw_check_syncookie_*: valid, the connection is recorded
 * (its conntrack entry with conntrack on, ddos_ct.h; ddos_flows without)
 * and the ACK goes to the kernel, whose netfilter SYNPROXY
 * (nft `synproxy`, the same cookie secret) opens the connection to the
 * service and translates sequence numbers from then on; forged, it is
 * dropped.  Because the kernel translates, every later packet of such a
 * connection, both directions, goes to the kernel too (docs/ddos.md).
 *
 * Modes: off, on, auto.  In auto each CPU counts a service's SYNs per
 * second; the first SYN of a new second on a CPU sums the second before
 * over all CPUs and switches cookies on at syn_threshold, off when the
 * rate has stayed under half of it for hold_s seconds.
 */
#ifndef SLUICE_BPF_DDOS_COOKIE_H
#define SLUICE_BPF_DDOS_COOKIE_H

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include "csum.h"
#include "ddos_ct.h"
#include "ddos_maps.h"
#include "emit.h"
#include "l3.h"
#include "pkt.h"

#define DDOS_NS_PER_SEC 1000000000ull
#define DDOS_MAX_CPUS 256 /* bounds the per-CPU sum; ends at nr_cpu_ids */
#define DDOS_SYNACK_TTL 64
#define DDOS_SYNACK_TCP_LEN 24	  /* header + the MSS option */
#define DDOS_SYNACK_TCP_LEN_TS 40 /* + SACK/NOPs, timestamps, window scale */
#define DDOS_TS_LOW_BITS 0x3f	  /* tsval: wscale (4 bits), SACK, ECN */
#define TCPOPT_NOP 1
#define TCPOPT_WINDOW 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_TIMESTAMP 8
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_RST 0x04

/* Sum the service's SYNs of second @w over the CPUs; in auto mode,
 * switch. */
static __always_inline void ddos_syn_eval(const struct sluice_ddos_config *c,
					  __u32 id,
					  struct sluice_ddos_svc_state *st,
					  __u64 w, __u64 now)
{
	__u64 sum = 0, thr = c->syn_threshold;

	if (st->window >= w) /* another CPU did it */
		return;
	for (__u32 cpu = 0; cpu < DDOS_MAX_CPUS; cpu++) {
		struct sluice_ddos_svc_syns *o;

		o = bpf_map_lookup_percpu_elem(&ddos_svc_syns, &id, cpu);
		if (!o)
			break;
		if (o->window == w)
			sum += o->count;
		else if (o->prev_window == w)
			sum += o->prev_count;
	}
	st->window = w;
	st->last_rate = sum;
	if (c->cookie_mode != SLUICE_DDOS_COOKIES_AUTO)
		return;
	if (sum * 2 >= thr)
		st->last_hot_ns = now;
	if (!st->cookies_on && sum >= thr) {
		st->cookies_on = 1;
		st->changed_ns = now;
		st->switches++;
	} else if (st->cookies_on &&
		   now - st->last_hot_ns >=
			   (__u64)c->hold_s * DDOS_NS_PER_SEC) {
		st->cookies_on = 0;
		st->changed_ns = now;
		st->switches++;
	}
}

/*
 * Whether service @id answers SYNs with cookies now.  A SYN (@syn) is
 * counted in whatever mode, so that the rate is shown in all of them;
 * the first SYN of a new second on this CPU evaluates the second before.
 */
static __always_inline int ddos_cookies_on(const struct sluice_ddos_config *c,
					   __u32 id, int syn, __u64 now)
{
	struct sluice_ddos_svc_state *st;
	struct sluice_ddos_svc_syns *s;
	__u64 w = now / DDOS_NS_PER_SEC;

	st = bpf_map_lookup_elem(&ddos_svc_state, &id);
	s = bpf_map_lookup_elem(&ddos_svc_syns, &id);
	if (syn && st && s) {
		if (s->window != w) {
			s->prev_window = s->window;
			s->prev_count = s->count;
			s->window = w;
			s->count = 0;
			ddos_syn_eval(c, id, st, w - 1, now);
		}
		s->count++;
	}
	if (c->cookie_mode == SLUICE_DDOS_COOKIES_ON)
		return 1;
	if (c->cookie_mode != SLUICE_DDOS_COOKIES_AUTO || !st)
		return 0;
	return st->cookies_on;
}

/* The SYN-ACK's TCP header: 20 bytes, the MSS option, and with
 * timestamps (the SYN had them) 16 bytes more. */
struct ddos_synack_tcp {
	__u32 ports; /* as loaded: source, destination */
	__be32 seq;
	__be32 ack_seq;
	__be16 doff_flags;
	__be16 window; /* 0 */
	__u16 check;
	__be16 urg_ptr;
	__be32 mss_opt;
	__be32 ts_head; /* SACK_PERM or NOP NOP, then TS kind and length */
	__be32 tsval;	/* the cookie's options: SYNPROXY reads them back */
	__be32 tsecr;	/* the client's tsval */
	__be32 ws_opt;	/* NOP, window scale; or four NOPs */
};

/* What the SYN's options say, for the timestamp cookie. */
struct ddos_syn_opts {
	__be32 tsval;
	__u8 ts;     /* a timestamp option was there */
	__u8 wscale; /* 0xf: none */
	__u8 sack;
};

/* A walk over the options of the SYN's header copy, one option a step
 * of bpf_loop(): the callback is verified once, where an open-coded loop
 * over 40 option bytes multiplies the verifier's states past its limit. */
struct ddos_optwalk {
	__u8 hdr[64]; /* the SYN's TCP header, @thlen bytes of it */
	__u32 i;      /* the next option's offset */
	__u32 thlen;
	struct ddos_syn_opts o;
};

/* @w->hdr[@i], for a variable @i: the mask keeps the read inside the
 * copy for the verifier, the barrier keeps the compiler from dropping the
 * mask as redundant. */
static __always_inline __u8 ddos_hdr_at(const struct ddos_optwalk *w, __u32 i)
{
	asm volatile("" : "+r"(i));
	return w->hdr[i & 63];
}

static long ddos_opt_step(__u32 n, void *arg)
{
	struct ddos_optwalk *w = arg;
	__u32 i = w->i;
	__u8 kind, len;

	(void)n;
	if (i >= w->thlen || i >= 60)
		return 1;
	kind = ddos_hdr_at(w, i);
	if (kind == 0) /* end of options */
		return 1;
	if (kind == TCPOPT_NOP) {
		w->i = i + 1;
		return 0;
	}
	if (i + 1 >= w->thlen)
		return 1;
	len = ddos_hdr_at(w, i + 1);
	if (len < 2 || i + len > w->thlen)
		return 1;
	if (kind == TCPOPT_WINDOW && len == 3) {
		__u8 ws = ddos_hdr_at(w, i + 2);

		w->o.wscale = ws < 14 ? ws : 14;
	} else if (kind == TCPOPT_SACK_PERM && len == 2) {
		w->o.sack = 1;
	} else if (kind == TCPOPT_TIMESTAMP && len == 10) {
		w->o.ts = 1;
		w->o.tsval = (__u32)ddos_hdr_at(w, i + 2) |
			     (__u32)ddos_hdr_at(w, i + 3) << 8 |
			     (__u32)ddos_hdr_at(w, i + 4) << 16 |
			     (__u32)ddos_hdr_at(w, i + 5) << 24;
	}
	w->i = i + len;
	return 0;
}

/* The TCP checksum of @th (@len bytes; @nwords 16-bit words summed, a
 * constant, zeros past @len) under the pseudo header of @src/@dst
 * (@alen bytes, 4 or 16). */
static __always_inline __u16 ddos_tcp_csum(const void *src, const void *dst,
					   int alen, const void *th, int nwords,
					   __u32 len)
{
	__u32 sum = csum_words(src, alen / 2) + csum_words(dst, alen / 2);

	sum += bpf_htons(IPPROTO_TCP) + bpf_htons(len);
	sum += csum_words(th, nwords);
	return ~csum_fold32(sum);
}

/*
 * Turn the SYN into its cookie SYN-ACK in place: MACs, addresses and
 * ports swapped, seq = the cookie, ack = the SYN's seq + 1, window 0 (the
 * SYNPROXY opens it once the service answered), one option: the MSS the
 * cookie encodes (at most ddos_config.mss4/mss6).  Sent back out of the
 * ingress port as emit_back() does.
 */
static __always_inline int ddos_synack(struct __ctx_buff *ctx, struct pkt *p,
				       const struct l3_info *f,
				       const struct sluice_ddos_config *c)
{
	__u32 l3 = p->l3_off & 0x1f, l4 = f->l4_off, thlen, cookie, mss, max;
	struct ddos_optwalk w = {};
	__u8 smac[ETH_ALEN], dmac[ETH_ALEN];
	struct ddos_syn_opts so;
	__u32 tcplen = DDOS_SYNACK_TCP_LEN;
	__u32 seq, ports = f->ports;
	struct ddos_synack_tcp nth = {};
	struct ethhdr *eth;
	struct tcphdr *th;
	__s64 v;
	int r;

	if (l4 > L4_OFF_MAX)
		return SLUICE_DROP_DDOS_BAD_SYN;
	th = p->data + l4;
	if ((void *)(th + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_L4;
	thlen = th->doff * 4;
	seq = th->seq;
	if (thlen < sizeof(*th) || l4 + thlen > p->len ||
	    (f->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)))
		return SLUICE_DROP_DDOS_BAD_SYN;
	thlen &= 0x3c;
	if (ctx_load_bytes(ctx, l4, w.hdr, thlen))
		return SLUICE_DROP_DDOS_BAD_SYN;
	if (f->family == AF_INET) {
		struct iphdr *iph = p->data + l3;

		if ((void *)(iph + 1) > p->data_end)
			return SLUICE_DROP_TRUNC_IP4;
		v = bpf_tcp_raw_gen_syncookie_ipv4(iph, (void *)w.hdr, thlen);
		max = c->mss4;
	} else {
		struct ipv6hdr *ip6 = p->data + l3;

		if ((void *)(ip6 + 1) > p->data_end)
			return SLUICE_DROP_TRUNC_IP6;
		v = bpf_tcp_raw_gen_syncookie_ipv6(ip6, (void *)w.hdr, thlen);
		max = c->mss6;
	}
	if (v < 0)
		return SLUICE_DROP_DDOS_BAD_SYN;
	cookie = (__u32)v;
	mss = (__u32)(v >> 32);
	if (max && mss > max)
		mss = max;
	w.i = sizeof(struct tcphdr);
	w.thlen = thlen;
	w.o.wscale = 0xf; /* none */
	bpf_loop(40, ddos_opt_step, &w, 0);
	so = w.o;
	if (so.ts)
		tcplen = DDOS_SYNACK_TCP_LEN_TS;

	eth = p->data;
	if ((void *)(eth + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_ETH;
	__builtin_memcpy(smac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(dmac, eth->h_dest, ETH_ALEN);
	if (ctx_set_len(ctx, l4 + tcplen))
		return SLUICE_DROP_ADJUST;
	pkt_reload(p, ctx);
	eth = p->data;
	th = p->data + l4;
	if ((void *)(eth + 1) > p->data_end ||
	    (void *)th + tcplen > p->data_end)
		return SLUICE_DROP_ADJUST;
	__builtin_memcpy(eth->h_dest, smac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, dmac, ETH_ALEN);

	/* the TCP header is built and summed on the stack, then copied: a
	 * sum over the packet needs bounds the verifier loses here */
	nth.ports = (ports >> 16) | (ports << 16); /* swapped */
	nth.seq = bpf_htonl(cookie);
	nth.ack_seq = bpf_htonl(bpf_ntohl(seq) + 1);
	nth.doff_flags =
		bpf_htons((tcplen / 4) << 12 | TCP_FLAG_SYN | TCP_FLAG_ACK);
	nth.mss_opt = bpf_htonl(2u << 24 | 4u << 16 | (mss & 0xffff));
	if (so.ts) {
		/* the timestamp cookie, as the kernel's and SYNPROXY's:
		 * milliseconds with the client's window scale and SACK in
		 * the low bits, for SYNPROXY to read back from the echo */
		__u32 tsv = (__u32)(bpf_ktime_get_ns() / 1000000) &
			    ~DDOS_TS_LOW_BITS;

		tsv |= so.wscale & 0xf;
		tsv |= (__u32)so.sack << 4;
		nth.ts_head = bpf_htonl(
			(so.sack ? (TCPOPT_SACK_PERM << 24 | 2u << 16) :
				   (TCPOPT_NOP << 24 | TCPOPT_NOP << 16)) |
			TCPOPT_TIMESTAMP << 8 | 10);
		nth.tsval = bpf_htonl(tsv);
		nth.tsecr = so.tsval;
		nth.ws_opt = so.wscale == 0xf ?
				     bpf_htonl(0x01010101) :
				     bpf_htonl(TCPOPT_NOP << 24 |
					       TCPOPT_WINDOW << 16 | 3u << 8 |
					       (c->wscale & 0xf));
	}
	nth.check = ddos_tcp_csum(f->dst, f->src, f->family == AF_INET ? 4 : 16,
				  &nth, DDOS_SYNACK_TCP_LEN_TS / 2, tcplen);
	if (tcplen == DDOS_SYNACK_TCP_LEN_TS)
		__builtin_memcpy(th, &nth, DDOS_SYNACK_TCP_LEN_TS);
	else
		__builtin_memcpy(th, &nth, DDOS_SYNACK_TCP_LEN);

	if (f->family == AF_INET) {
		struct iphdr *iph = p->data + l3;

		if ((void *)(iph + 1) > p->data_end)
			return SLUICE_DROP_ADJUST;
		*(__u8 *)iph = 0x45;
		iph->tos = 0;
		iph->tot_len = bpf_htons(sizeof(*iph) + tcplen);
		iph->id = 0;
		iph->frag_off = bpf_htons(0x4000); /* DF */
		iph->ttl = DDOS_SYNACK_TTL;
		iph->protocol = IPPROTO_TCP;
		__builtin_memcpy(&iph->saddr, f->dst, 4);
		__builtin_memcpy(&iph->daddr, f->src, 4);
		iph->check = ip4_csum_full(iph);
	} else {
		struct ipv6hdr *ip6 = p->data + l3;

		if ((void *)(ip6 + 1) > p->data_end)
			return SLUICE_DROP_ADJUST;
		*(__be32 *)ip6 = bpf_htonl(6u << 28);
		ip6->payload_len = bpf_htons(tcplen);
		ip6->nexthdr = IPPROTO_TCP;
		ip6->hop_limit = DDOS_SYNACK_TTL;
		__builtin_memcpy(ip6->saddr.in6_u.u6_addr8, f->dst, 16);
		__builtin_memcpy(ip6->daddr.in6_u.u6_addr8, f->src, 16);
	}
	r = emit_back(ctx, p);
	return r == SLUICE_FWD_TX ? SLUICE_FWD_DDOS_SYNCOOKIE : r;
}

/* 0 when the ACK carries a cookie this host issued (and not too old). */
static __always_inline int ddos_cookie_check(struct pkt *p,
					     const struct l3_info *f)
{
	__u32 l3 = p->l3_off & 0x1f, l4 = f->l4_off;
	struct tcphdr *th;

	if (l4 > L4_OFF_MAX)
		return -1;
	th = p->data + l4;
	if ((void *)(th + 1) > p->data_end)
		return -1;
	if (f->family == AF_INET) {
		struct iphdr *iph = p->data + l3;

		if ((void *)(iph + 1) > p->data_end)
			return -1;
		return bpf_tcp_raw_check_syncookie_ipv4(iph, th) ? -1 : 0;
	}
	{
		struct ipv6hdr *ip6 = p->data + l3;

		if ((void *)(ip6 + 1) > p->data_end)
			return -1;
		return bpf_tcp_raw_check_syncookie_ipv6(ip6, th) ? -1 : 0;
	}
}

/* The connection as the client sent it; @rev: @f goes server -> client. */
static __always_inline void ddos_flow_key(struct sluice_ddos_flow_key *k,
					  const struct l3_info *f, int rev)
{
	__u32 alen = f->family == AF_INET ? 4 : 16;

	k->family = f->family;
	if (alen == 4) {
		__builtin_memcpy(k->saddr, rev ? f->dst : f->src, 4);
		__builtin_memcpy(k->daddr, rev ? f->src : f->dst, 4);
	} else {
		__builtin_memcpy(k->saddr, rev ? f->dst : f->src, 16);
		__builtin_memcpy(k->daddr, rev ? f->src : f->dst, 16);
	}
	k->sport = (__be16)(rev ? f->ports >> 16 : f->ports);
	k->dport = (__be16)(rev ? f->ports : f->ports >> 16);
}

/* The service a TCP packet goes to (@dir 0) or comes from (@dir 1). */
static __always_inline struct sluice_ddos_service *
ddos_service(const struct l3_info *f, int from)
{
	struct sluice_ddos_service_key k = {};

	k.family = f->family;
	if (f->family == AF_INET)
		__builtin_memcpy(k.addr, from ? f->src : f->dst, 4);
	else
		__builtin_memcpy(k.addr, from ? f->src : f->dst, 16);
	k.port = (__be16)(from ? f->ports : f->ports >> 16);
	return bpf_map_lookup_elem(&ddos_services, &k);
}

/*
 * A packet of a connection a cookie opened (ddos_flows holds it; @rev:
 * from the service).  Without conntrack: to the kernel.  With it, the
 * connection's entry decides (its SYNPROXY flag sends the packet to the
 * kernel after the firewall, chain.h); an entry that is gone (aged out,
 * flushed, or never made) is made again here and the packet goes to the
 * kernel, rather than being picked up mid-stream by conntrack and
 * forwarded untranslated, which would break the connection that
 * netfilter's SYNPROXY translates.  A table that refuses the entry: the
 * packet still goes to the kernel.
 */
static __always_inline int ddos_synproxy_flow(struct pkt *p,
					      const struct l3_info *f, int rev)
{
	if (!ct_on())
		return SLUICE_PASS_DDOS_SYNPROXY;
	if (ddos_ct_known(f))
		return DP_CONTINUE;
	ddos_ct_reopen(p, f, rev);
	return SLUICE_PASS_DDOS_SYNPROXY;
}

static __always_inline int ddos_cookie_stage(struct __ctx_buff *ctx,
					     struct pkt *p, struct l3_info *f,
					     const struct sluice_ddos_config *c,
					     __u64 now)
{
	__u8 fl = f->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST);
	struct sluice_ddos_flow_key fk = {};
	struct sluice_ddos_service *svc;

	svc = ddos_service(f, 0);
	if (!svc) {
		/* the service's side of a connection a cookie opened */
		if (!ddos_service(f, 1))
			return DP_CONTINUE;
		ddos_flow_key(&fk, f, 1);
		if (bpf_map_lookup_elem(&ddos_flows, &fk))
			return ddos_synproxy_flow(p, f, 1);
		return DP_CONTINUE;
	}
	ddos_flow_key(&fk, f, 0);
	if (bpf_map_lookup_elem(&ddos_flows, &fk)) {
		if (fl != TCP_FLAG_SYN)
			return ddos_synproxy_flow(p, f, 0);
		/* a SYN on the tuple of a connection a cookie opened: the
		 * client reuses its port, that connection is over; this one
		 * is new and asked for its own cookie */
		bpf_map_delete_elem(&ddos_flows, &fk);
	}
	if (!ddos_cookies_on(c, svc->id, fl == TCP_FLAG_SYN, now))
		return DP_CONTINUE;
	if (fl == TCP_FLAG_SYN)
		return ddos_synack(ctx, p, f, c);
	if (ddos_ct_known(f))
		return DP_CONTINUE;
	if (fl == TCP_FLAG_ACK && !ddos_cookie_check(p, f)) {
		/* a valid cookie ACK opens the connection: netfilter's
		 * SYNPROXY completes it with the service and translates its
		 * sequence numbers from then on, so its packets keep going to
		 * the kernel, never forwarded here untranslated: with
		 * conntrack, through its entry's SYNPROXY flag (after the
		 * firewall, chain.h); without, through ddos_flows */
		int r = SLUICE_PASS_DDOS_COOKIE_OK;

		if (ct_on())
			r = ddos_ct_open(p, f);
		/* ddos_flows records the connection in both cases: with
		 * conntrack on it is what remakes an entry that goes
		 * (ddos_synproxy_flow()) */
		if (r != SLUICE_DROP_DDOS_NO_CT_ENTRY)
			bpf_map_update_elem(&ddos_flows, &fk, &now, BPF_ANY);
		return r;
	}
	/* a connection the host accepted before cookies were on (conntrack
	 * off, or its entry gone): its packets carry no cookie */
	if (ddos_host_socket(ctx, f))
		return DP_CONTINUE;
	return SLUICE_DROP_DDOS_BAD_COOKIE;
}

#endif
