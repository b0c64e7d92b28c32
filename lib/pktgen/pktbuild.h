/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one packet builder: the BPF fixtures, the benchmarks and sluice-gen
 * build their frames and checksums here.  It writes every header byte
 * by byte in network order and computes every checksum from scratch with a
 * full RFC 1071 sum, so that it shares no code (and no mistakes) with the
 * data path it checks: no kernel header structs, no incremental updates.
 */
#ifndef SLUICE_PKTBUILD_H
#define SLUICE_PKTBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define PKT_MAX 2048  /* largest frame a fixture builds */
#define PKT_MAX_MUT 4 /* mutations per fixture */
#define TTL_ZERO (-1) /* pkt_spec.ttl for a literal 0 */
#define ID_ZERO (-1)  /* pkt_spec.id for a literal 0 */
#define ICMP_TYPE_ZERO                                                         \
	0xff /* pkt_spec.icmp_type for a literal 0 (v4
			      * echo reply; 255 is a reserved type) */

enum pkt_l3 {
	PKT_L3_IP4 = 1,
	PKT_L3_IP6,
	PKT_L3_ARP, /* an ARP reply from src to dst */
	PKT_L3_RAW, /* pkt_spec.ethertype + payload bytes */
};

enum pkt_ext { /* one IPv6 extension header before L4 */
	       PKT_EXT_NONE,
	       PKT_EXT_HBH,  /* hop-by-hop options (PadN) */
	       PKT_EXT_FRAG, /* fragment header, offset 0, M=1 */
};

/* What to build.  Zero fields take the usual defaults. */
struct pkt_spec {
	__u8 dst[6];
	__u8 src[6];
	__u8 tagged; /* 802.1Q tag with pcp/dei/vid */
	__u8 pcp;
	__u8 dei;
	__u16 vid;
	__u16 ethertype;   /* override; 0 = the one l3 implies */
	__u8 l3;	   /* enum pkt_l3 */
	__u8 l4;	   /* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 or other */
	const char *saddr; /* text, of the family l3 implies */
	const char *daddr;
	int ttl;      /* TTL / hop limit: 0 = 64, TTL_ZERO = 0 */
	__u16 frag;   /* IPv4 flags and offset, host order */
	__u8 ip_opts; /* IPv4 option words: router alert, NOPs */
	__u8 ext;     /* enum pkt_ext, IPv6 only */
	__u16 sport;  /* TCP/UDP ports; ICMP echo id and seq */
	__u16 dport;
	__u8 icmp_type; /* 0 = echo request; ICMP_TYPE_ZERO */
	__u16 payload;	/* L4 payload bytes */
	__u16 eth_pad;	/* zero bytes after the IP packet */
	/* added for the load-balancer fixtures; zero keeps the old bytes */
	__u8 tos;	/* IPv4 TOS / IPv6 traffic class */
	__u32 flow;	/* IPv6 flow label (20 bits) */
	__u8 tcp_flags; /* 0 = PSH | ACK */
	__u8 icmp_code;
	int id; /* IPv4 identification: 0 = 0x1234, ID_ZERO */
	/* An ICMP error: its body is the start of this packet's L3 (the
	 * ICMP payload field is then ignored); sport/dport fill bytes 4-7
	 * as for echo (v4 frag needed: dport = MTU; v6 too big: the MTU's
	 * high and low 16 bits). */
	const struct pkt_spec *quote;
	__u16 quote_len; /* 0 = the quoted IP header and 8 bytes */
	/* IPv6: this many destination-options headers (8 bytes, PadN)
	 * after a hop-by-hop header (ext) and before a fragment header */
	__u8 dst_opts;
	/* IPv6: one routing header (8 bytes, type 253, segments left 0)
	 * after the destination options */
	__u8 routing;
};

struct frame {
	__u8 buf[PKT_MAX];
	__u32 len;
	__u32 l3_off; /* 14, or 18 when tagged */
	__u32 l4_off; /* after IPv4 options / IPv6 extension */
	__u8 l3;      /* enum pkt_l3 */
};

enum pkt_mut_op {
	MUT_END,
	MUT_CUT,	   /* truncate the frame to val bytes */
	MUT_SET8,	   /* byte at base + off = val */
	MUT_SET16,	   /* 16 bits at base + off = val (network order) */
	MUT_XOR8,	   /* byte at base + off ^= val */
	MUT_IP4_CSUM,	   /* recompute the IPv4 header checksum */
	MUT_IP_LEN_FIT,	   /* IP length field = what the frame holds */
	MUT_IP4_FWD_CSUM,  /* pick the IP ID so that the forwarded
				 * header's checksum is val */
	MUT_IP4_CSUM_NEG0, /* input only: a 0x0000 checksum written as
				 * 0xffff, the other zero (RFC 1624, 3) */
};

enum pkt_base { BASE_L2, BASE_L3, BASE_L4 };

struct pkt_mut {
	__u8 op;   /* enum pkt_mut_op */
	__u8 base; /* enum pkt_base */
	__u16 off;
	__u32 val;
};

/* RFC 1071: add @len bytes as big-endian 16-bit words to @sum... */
__u64 csum_add(__u64 sum, const void *data, size_t len);
/* ...then fold the carries and complement. */
__u16 csum_fold(__u64 sum);

/* Parses @txt of @family (AF_INET, AF_INET6) into @out: 0 or -EINVAL. */
int pkt_addr(int family, const char *txt, __u8 *out);

/* 0 or -EINVAL (bad address, too big). */
int pkt_build(const struct pkt_spec *s, struct frame *f);

/* An outer header in front of a built packet (RFC 2003, 2473, 4213,
 * 2784): what the expected output of a load-balanced frame looks like.
 * Everything the outer header holds is named here; the builder derives
 * nothing but lengths, the protocol numbers and the checksum. */
struct pkt_encap {
	__u8 dst[6];
	__u8 src[6];
	__u8 tagged;
	__u8 pcp;
	__u8 dei;
	__u16 vid;
	__u8 family;	/* outer: AF_INET or AF_INET6 */
	__u8 gre;	/* a 4-byte GRE header (no options) */
	__u8 tos;	/* IPv4 TOS / IPv6 traffic class */
	__u32 flow;	/* IPv6 flow label */
	__u8 saddr[16]; /* network order, v4 in the first 4 */
	__u8 daddr[16];
	/* added for the decapsulation fixtures; zero keeps the old bytes */
	__u16 frag;	 /* outer IPv4 flags and offset, host order */
	__u8 ip_opts;	 /* outer IPv4 option words, as pkt_spec's */
	__u16 gre_flags; /* C (0x8000) or R (0x4000) add checksum and
				 * offset, K (0x2000) the key, S (0x1000)
				 * the sequence number (RFC 1701, 2890);
				 * other bits are only set */
	__u16 gre_proto; /* 0: the inner packet's ethertype */
	__u32 gre_key;
	__u32 gre_seq;
};

/* @out = L2 of @e, the outer header(s), then every byte of @inner from its
 * L3 header to its end (Ethernet padding included).  The outer length
 * fields count the inner IP packet by its own length field. */
int pkt_encap(const struct frame *inner, const struct pkt_encap *e,
	      struct frame *out);
/* Applies the list up to MUT_END.  @forwarded: @f is the expected output of
 * a forward (TTL already one less), which MUT_IP4_FWD_CSUM must know. */
int pkt_mutate(struct frame *f, const struct pkt_mut *m, bool forwarded);

#endif
