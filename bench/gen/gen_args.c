// SPDX-License-Identifier: BSD-2-Clause
/* sluice-gen: command line and frame template (see gen_args.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "gen_args.h"
#include "pktbuild.h"

#define ETH_HLEN_ 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define UDP_HLEN 8
#define TCP_HLEN 20

#define STR_(x) #x
#define STR(x) STR_(x)
_Static_assert(GEN_FLOWS_MAX == 16777216,
	       "the --flows help and message say so");

/* Every option has a short name: the parser below switches on it. */
const struct opt_def gen_opts[] = {
	{ "dev", 'i', OPT_ARG_REQUIRED, "IF", "send out of IF (required)" },
	{ "ipv4", '4', OPT_ARG_NONE, NULL,
	  "IPv4 (the default unless --dst is IPv6)" },
	{ "ipv6", '6', OPT_ARG_NONE, NULL, "IPv6" },
	{ "udp", 'u', OPT_ARG_NONE, NULL, "UDP datagrams (default)" },
	{ "tcp-syn", 'y', OPT_ARG_NONE, NULL, "TCP segments with SYN set" },
	{ "tcp-ack", 'k', OPT_ARG_NONE, NULL, "TCP segments with ACK set" },
	{ "size", 'l', OPT_ARG_REQUIRED, "BYTES",
	  "frame length without FCS, " STR(GEN_SIZE_MIN) ".." STR(
		  GEN_SIZE_MAX) "; default the\n"
				"smallest that holds the headers, at least 60\n"
				"(60 IPv4, 62 IPv6/UDP, 74 IPv6/TCP)" },
	{ "flows", 'f', OPT_ARG_REQUIRED, "N",
	  "distinct flows, 1..16777216 [1]" },
	{ "vary", 'v', OPT_ARG_REQUIRED, "WHAT",
	  "what differs between flows: sport, saddr or\n"
	  "both [sport]" },
	{ "src-mac", 'M', OPT_ARG_REQUIRED, "MAC", "source MAC [IF's own]" },
	{ "dst-mac", 'm', OPT_ARG_REQUIRED, "MAC",
	  "destination MAC (required)" },
	{ "src", 's', OPT_ARG_REQUIRED, "ADDR",
	  "(first) source address (required)" },
	{ "dst", 'd', OPT_ARG_REQUIRED, "ADDR",
	  "destination address (required); any unicast\n"
	  "address of the chosen family" },
	{ "sport", 'P', OPT_ARG_REQUIRED, "PORT",
	  "(first) source port [1024]" },
	{ "dport", 'p', OPT_ARG_REQUIRED, "PORT", "destination port [9]" },
	{ "duration", 't', OPT_ARG_REQUIRED, "SEC",
	  "stop after SEC seconds (0.001..86400)" },
	{ "count", 'n', OPT_ARG_REQUIRED, "N",
	  "stop after N frames (1..10^12; k, M, G = x1000)\n"
	  "at least one of --duration and --count is\n"
	  "required; with both, the first reached stops" },
	{ "rate", 'r', OPT_ARG_REQUIRED, "PPS",
	  "about PPS frames/s: " STR(
		  GEN_RATE_CALLS_PER_S) " batches per second with\n"
					"sleeps in between (bursty within a batch)" },
	{ "cpu", 'c', OPT_ARG_REQUIRED, "N",
	  "pin sluice-gen (and so the sending) to CPU N" },
	{ "method", 'x', OPT_ARG_REQUIRED, "HOW",
	  "how frames leave: live (BPF_PROG_RUN live\n"
	  "frames), af_packet, or auto: live, else\n"
	  "af_packet when the kernel refuses it [auto]" },
	{ "json", 'j', OPT_ARG_NONE, NULL,
	  "print the result as one JSON object" },
	{ "help", 'h', OPT_ARG_NONE, NULL, "this text" },
};
const size_t gen_nopts = sizeof(gen_opts) / sizeof(gen_opts[0]);
_Static_assert(sizeof(gen_opts) / sizeof(gen_opts[0]) <= OPTS_MAX,
	       "opts_getopt_init takes them all");

/* The long name of option @c, for messages. */
static const char *opt_name(int c)
{
	for (size_t i = 0; i < gen_nopts; i++)
		if (gen_opts[i].short_name == c)
			return gen_opts[i].long_name;
	return "?";
}

const char *gen_l4_name(enum gen_l4 l4)
{
	switch (l4) {
	case GEN_UDP: return "udp";
	case GEN_TCP_SYN: return "tcp-syn";
	case GEN_TCP_ACK: return "tcp-ack";
	}
	return "?";
}

const char *gen_vary_name(enum gen_vary v)
{
	switch (v) {
	case GEN_VARY_SPORT: return "sport";
	case GEN_VARY_SADDR: return "saddr";
	case GEN_VARY_BOTH: return "both";
	}
	return "?";
}

unsigned int gen_hdr_len(int family, enum gen_l4 l4)
{
	return ETH_HLEN_ + (family == AF_INET6 ? IP6_HLEN : IP4_HLEN) +
	       (l4 == GEN_UDP ? UDP_HLEN : TCP_HLEN);
}

/* Decimal @s in [min, max], with an optional k/M/G suffix (x1000) when
 * @suffix.  0 or -EINVAL. */
static int parse_num(const char *s, unsigned long long min,
		     unsigned long long max, bool suffix,
		     unsigned long long *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (suffix && *end && !end[1]) {
		if (*end == 'k' || *end == 'K')
			mul = 1000ULL;
		else if (*end == 'M')
			mul = 1000000ULL;
		else if (*end == 'G')
			mul = 1000000000ULL;
		else
			return -EINVAL;
		end++;
	}
	if (*end || v > max / mul || v * mul < min)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

static int parse_mac(const char *s, unsigned char mac[6])
{
	int n = 0;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%n", &mac[0], &mac[1],
		   &mac[2], &mac[3], &mac[4], &mac[5], &n) != 6 ||
	    n != 17)
		return -EINVAL;
	return 0;
}

/* 0 when @a (network order) may be used as a unicast address. */
static const char *not_unicast(int family, const unsigned char *a)
{
	static const unsigned char zero[16];

	if (family == AF_INET) {
		if (!memcmp(a, zero, 4))
			return "the unspecified address";
		if (a[0] >= 224 && a[0] <= 239)
			return "a multicast address";
		if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
			return "the broadcast address";
		return NULL;
	}
	if (!memcmp(a, zero, 16))
		return "the unspecified address";
	if (a[0] == 0xff)
		return "a multicast address";
	return NULL;
}

/* Resolves the deferred address @s of option @c into @out. */
static int parse_addr(int c, const char *s, int family, unsigned char *out,
		      char *err, size_t errlen)
{
	const char *why;

	if (inet_pton(family, s, out) != 1) {
		unsigned char tmp[16];
		int other = family == AF_INET ? AF_INET6 : AF_INET;

		if (inet_pton(other, s, tmp) == 1)
			snprintf(err, errlen,
				 "--%s: '%s' is not an %s address (use --%s)",
				 opt_name(c), s,
				 family == AF_INET ? "IPv4" : "IPv6",
				 family == AF_INET ? "ipv6" : "ipv4");
		else
			snprintf(err, errlen,
				 "--%s: '%s' is not an IPv4 or IPv6 address",
				 opt_name(c), s);
		return -EINVAL;
	}
	why = not_unicast(family, out);
	if (why) {
		snprintf(err, errlen,
			 "--%s: '%s' is %s; a unicast address is needed",
			 opt_name(c), s, why);
		return -EINVAL;
	}
	return 0;
}

static int bad_value(char *err, size_t errlen, int c, const char *v,
		     const char *want)
{
	snprintf(err, errlen, "--%s: '%s' is not %s", opt_name(c), v, want);
	return -EINVAL;
}

/* Source ports used per source address (see struct gen_frame). */
static unsigned int ports_per_addr(const struct gen_args *a)
{
	unsigned int room = 65536u - a->sport;

	switch (a->vary) {
	case GEN_VARY_SPORT: return a->flows;
	case GEN_VARY_SADDR: return 1;
	case GEN_VARY_BOTH: break;
	}
	return a->flows < room ? a->flows : room;
}

/* Checks the flows against the port and address space they need. */
static int check_flows(const struct gen_args *a, const char *src, char *err,
		       size_t errlen)
{
	unsigned int nports = ports_per_addr(a);
	unsigned int naddrs = (a->flows + nports - 1) / nports;
	unsigned char last[16];
	uint32_t lo, hi;
	char buf[INET6_ADDRSTRLEN];
	unsigned int off = a->family == AF_INET ? 0 : 12;

	if (a->vary == GEN_VARY_SPORT && a->flows > 65536u - a->sport) {
		snprintf(err, errlen,
			 "--flows: %u flows need %u source ports from %u, "
			 "only %u exist (use --vary saddr or both, or a "
			 "lower --sport)",
			 a->flows, a->flows, a->sport, 65536u - a->sport);
		return -EINVAL;
	}
	memcpy(&lo, a->src + off, 4);
	lo = ntohl(lo);
	hi = lo + (naddrs - 1);
	memcpy(last, a->src, 16);
	{
		uint32_t be = htonl(hi);

		memcpy(last + off, &be, 4);
	}
	inet_ntop(a->family, last, buf, sizeof(buf));
	if (hi < lo) {
		snprintf(err, errlen,
			 "--flows: %u flows need %u source addresses from %s; "
			 "they run past the end of the address space",
			 a->flows, naddrs, src);
		return -EINVAL;
	}
	if (a->family == AF_INET && ((lo < 0xe0000000u && hi >= 0xe0000000u) ||
				     not_unicast(AF_INET, last))) {
		snprintf(err, errlen,
			 "--flows: %u flows need source addresses %s..%s, "
			 "which leave unicast space",
			 a->flows, src, buf);
		return -EINVAL;
	}
	return 0;
}

int gen_args_parse(int argc, char *argv[], struct gen_args *a, char *err,
		   size_t errlen)
{
	const char *src = NULL, *dst = NULL, *dst_mac = NULL;
	unsigned long long v;
	bool want4 = false, want6 = false;
	struct opts_getopt g;
	unsigned int hlen;
	int c;

	memset(a, 0, sizeof(*a));
	a->l4 = GEN_UDP;
	a->flows = 1;
	a->vary = GEN_VARY_SPORT;
	a->sport = 1024;
	a->dport = 9;
	a->cpu = -1;
	snprintf(err, errlen, "no error");

	opts_getopt_init(&g, gen_opts, gen_nopts, true);
	optind = 0; /* glibc: full reinitialisation */
	opterr = 0;
	while ((c = opts_next(&g, argc, argv)) != OPTS_END) {
		c = c >= 0 ? gen_opts[c].short_name : c;
		switch (c) {
		case 'h': a->help = true; return 0;
		case 'i':
			if (!*optarg || strlen(optarg) >= sizeof(a->dev))
				return bad_value(err, errlen, c, optarg,
						 "an interface name");
			strcpy(a->dev, optarg);
			break;
		case '4': want4 = true; break;
		case '6': want6 = true; break;
		case 'u': a->l4 = GEN_UDP; break;
		case 'y': a->l4 = GEN_TCP_SYN; break;
		case 'k': a->l4 = GEN_TCP_ACK; break;
		case 'l':
			if (parse_num(optarg, GEN_SIZE_MIN, GEN_SIZE_MAX, false,
				      &v))
				return bad_value(
					err, errlen, c, optarg,
					"a frame size in 60..1514 bytes");
			a->size = (unsigned int)v;
			break;
		case 'f':
			if (parse_num(optarg, 1, GEN_FLOWS_MAX, false, &v))
				return bad_value(
					err, errlen, c, optarg,
					"a number of flows in 1..16777216");
			a->flows = (unsigned int)v;
			break;
		case 'v':
			if (!strcmp(optarg, "sport"))
				a->vary = GEN_VARY_SPORT;
			else if (!strcmp(optarg, "saddr"))
				a->vary = GEN_VARY_SADDR;
			else if (!strcmp(optarg, "both"))
				a->vary = GEN_VARY_BOTH;
			else
				return bad_value(err, errlen, c, optarg,
						 "one of sport, saddr, both");
			break;
		case 'M':
			if (parse_mac(optarg, a->src_mac))
				return bad_value(
					err, errlen, c, optarg,
					"a MAC address (xx:xx:xx:xx:xx:xx)");
			if ((a->src_mac[0] & 1) ||
			    !(a->src_mac[0] | a->src_mac[1] | a->src_mac[2] |
			      a->src_mac[3] | a->src_mac[4] | a->src_mac[5]))
				return bad_value(err, errlen, c, optarg,
						 "a unicast MAC address");
			a->have_src_mac = true;
			break;
		case 'm':
			dst_mac = optarg;
			if (parse_mac(optarg, a->dst_mac))
				return bad_value(
					err, errlen, c, optarg,
					"a MAC address (xx:xx:xx:xx:xx:xx)");
			if (!(a->dst_mac[0] | a->dst_mac[1] | a->dst_mac[2] |
			      a->dst_mac[3] | a->dst_mac[4] | a->dst_mac[5]))
				return bad_value(err, errlen, c, optarg,
						 "a usable MAC address");
			break;
		case 's': src = optarg; break;
		case 'd': dst = optarg; break;
		case 'P':
		case 'p':
			if (parse_num(optarg, 1, 65535, false, &v))
				return bad_value(err, errlen, c, optarg,
						 "a port in 1..65535");
			if (c == 'P')
				a->sport = (unsigned short)v;
			else
				a->dport = (unsigned short)v;
			break;
		case 't': {
			char *end;
			double d;

			errno = 0;
			d = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(d) ||
			    d < 0.001 || d > GEN_DURATION_MAX)
				return bad_value(
					err, errlen, c, optarg,
					"a duration in 0.001..86400 seconds");
			a->duration = d;
			break;
		}
		case 'n':
			if (parse_num(optarg, 1, GEN_COUNT_MAX, true, &v))
				return bad_value(err, errlen, c, optarg,
						 "a frame count in 1..10^12 "
						 "(k, M, G suffixes allowed)");
			a->count = v;
			break;
		case 'r':
			if (parse_num(optarg, 1, GEN_RATE_MAX, true, &v))
				return bad_value(err, errlen, c, optarg,
						 "a rate in 1..10^9 frames/s "
						 "(k, M, G suffixes allowed)");
			a->rate = v;
			break;
		case 'c':
			if (parse_num(optarg, 0, GEN_CPU_MAX, false, &v))
				return bad_value(err, errlen, c, optarg,
						 "a CPU number");
			a->cpu = (int)v;
			break;
		case 'x':
			if (!strcmp(optarg, "auto"))
				a->method = GEN_METHOD_AUTO;
			else if (!strcmp(optarg, "live"))
				a->method = GEN_METHOD_LIVE;
			else if (!strcmp(optarg, "af_packet"))
				a->method = GEN_METHOD_PACKET;
			else
				return bad_value(
					err, errlen, c, optarg,
					"one of auto, live, af_packet");
			break;
		case 'j': a->json = true; break;
		case OPTS_MISSING:
			if (optopt)
				snprintf(err, errlen, "--%s needs a value",
					 opt_name(optopt));
			else
				snprintf(err, errlen, "%s needs a value",
					 argv[optind - 1]);
			return -EINVAL;
		default:
			if (optopt)
				snprintf(err, errlen, "unknown option '-%c'",
					 optopt);
			else
				snprintf(err, errlen, "unknown option '%s'",
					 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}

	if (want4 && want6) {
		snprintf(err, errlen, "--ipv4 and --ipv6 exclude each other");
		return -EINVAL;
	}
	if (!a->dev[0]) {
		snprintf(err, errlen,
			 "--dev is required (the interface to send on)");
		return -EINVAL;
	}
	if (!dst) {
		snprintf(err, errlen,
			 "--dst is required (the destination address)");
		return -EINVAL;
	}
	if (!src) {
		snprintf(err, errlen,
			 "--src is required (the first source address)");
		return -EINVAL;
	}
	if (!dst_mac) {
		snprintf(err, errlen,
			 "--dst-mac is required (the next hop's MAC address)");
		return -EINVAL;
	}
	if (!a->duration && !a->count) {
		snprintf(err, errlen,
			 "--duration or --count is required (every run stops)");
		return -EINVAL;
	}
	if (want4 || want6) {
		a->family = want6 ? AF_INET6 : AF_INET;
	} else {
		unsigned char tmp[16];

		a->family = inet_pton(AF_INET6, dst, tmp) == 1 ? AF_INET6 :
								 AF_INET;
	}
	if (parse_addr('d', dst, a->family, a->dst, err, errlen) ||
	    parse_addr('s', src, a->family, a->src, err, errlen))
		return -EINVAL;

	hlen = gen_hdr_len(a->family, a->l4);
	if (!a->size) {
		a->size = hlen > GEN_SIZE_MIN ? hlen : GEN_SIZE_MIN;
	} else if (a->size < hlen) {
		snprintf(err, errlen,
			 "--size: %u is too small for %s/%s: the headers alone "
			 "take %u bytes",
			 a->size, a->family == AF_INET ? "IPv4" : "IPv6",
			 gen_l4_name(a->l4), hlen);
		return -EINVAL;
	}
	return check_flows(a, src, err, errlen);
}

/* ---- frame template ---------------------------------------------------------- */

/*
 * One's-complement sum of 16-bit words as they lie in memory: how the BPF
 * program adds.  The shared builder (lib/pktgen) sums big-endian words;
 * the order of the words only swaps the two bytes of a one's-complement
 * sum (RFC 1071, 2.(B)), so its folded sum, in network order, read as a
 * word in memory, is this sum folded (the BPF program folds after adding).
 */
static uint32_t sum16(const unsigned char *p, size_t len, uint32_t sum)
{
	uint16_t be = (uint16_t)~csum_fold(csum_add(0, p, len)), w;
	unsigned char b[2] = { (unsigned char)(be >> 8), (unsigned char)be };

	memcpy(&w, b, 2);
	return sum + w;
}

uint16_t gen_csum(const void *buf, size_t len, uint32_t sum)
{
	return csum_fold(sum16(buf, len, sum));
}

static void put16(unsigned char *p, uint16_t host)
{
	uint16_t be = htons(host);

	memcpy(p, &be, 2);
}

int gen_frame_build(const struct gen_args *a, struct gen_frame *f)
{
	unsigned char *h = f->hdr, pseudo[40], zero4[4] = { 0 };
	unsigned int l3 = ETH_HLEN_, l4, l4_len, plen;
	uint32_t be;

	memset(f, 0, sizeof(*f));
	f->hdr_len = gen_hdr_len(a->family, a->l4);
	if (a->size < f->hdr_len || a->size > GEN_SIZE_MAX || !a->flows)
		return -EINVAL;
	f->size = a->size;
	f->flows = a->flows;
	f->nports = ports_per_addr(a);
	f->sport0 = a->sport;
	f->udp = a->l4 == GEN_UDP;

	memcpy(h, a->dst_mac, 6);
	memcpy(h + 6, a->src_mac, 6);
	if (a->family == AF_INET) {
		l4 = l3 + IP4_HLEN;
		l4_len = a->size - l4;
		put16(h + 12, 0x0800);
		h[l3] = 0x45;
		put16(h + l3 + 2, (uint16_t)(a->size - l3));
		put16(h + l3 + 6, 0x4000); /* DF */
		h[l3 + 8] = 64;
		h[l3 + 9] = f->udp ? IPPROTO_UDP : IPPROTO_TCP;
		memcpy(h + l3 + 16, a->dst, 4);
		f->saddr_off = l3 + 12;
		f->ip_csum_off = l3 + 10;
		/* the header without its checksum and source */
		f->ip_sum = sum16(h + l3, IP4_HLEN, 0);
		memcpy(pseudo, zero4, 4);
		memcpy(pseudo + 4, a->dst, 4);
		pseudo[8] = 0;
		pseudo[9] = h[l3 + 9];
		put16(pseudo + 10, (uint16_t)l4_len);
		plen = 12;
	} else {
		l4 = l3 + IP6_HLEN;
		l4_len = a->size - l4;
		put16(h + 12, 0x86dd);
		h[l3] = 0x60;
		put16(h + l3 + 4, (uint16_t)l4_len);
		h[l3 + 6] = f->udp ? IPPROTO_UDP : IPPROTO_TCP;
		h[l3 + 7] = 64;
		memcpy(h + l3 + 24, a->dst, 16);
		f->saddr_off = l3 + 8 + 12;
		memcpy(pseudo, a->src, 12);
		memset(pseudo + 12, 0, 4);
		memcpy(pseudo + 16, a->dst, 16);
		be = htonl(l4_len);
		memcpy(pseudo + 32, &be, 4);
		memset(pseudo + 36, 0, 3);
		pseudo[39] = h[l3 + 6];
		plen = 40;
		/* the constant 96 bits of the source live in the template */
		memcpy(h + l3 + 8, a->src, 12);
	}
	memcpy(&be, a->src + (a->family == AF_INET ? 0 : 12), 4);
	f->saddr0 = ntohl(be);

	f->sport_off = l4;
	put16(h + l4 + 2, a->dport);
	if (f->udp) {
		put16(h + l4 + 4, (uint16_t)l4_len);
		f->l4_csum_off = l4 + 6;
	} else {
		put16(h + l4 + 4, 0);
		put16(h + l4 + 6, 1); /* seq 1 */
		if (a->l4 == GEN_TCP_ACK)
			put16(h + l4 + 10, 1); /* ack 1 */
		h[l4 + 12] = 0x50;	       /* 5 words */
		h[l4 + 13] = a->l4 == GEN_TCP_SYN ? 0x02 : 0x10;
		put16(h + l4 + 14, 64240); /* window */
		f->l4_csum_off = l4 + 16;
	}
	/* the payload is zeros and adds nothing */
	f->l4_sum = sum16(h + l4, f->hdr_len - l4, sum16(pseudo, plen, 0));
	return 0;
}

void gen_frame_flow(const struct gen_frame *f, unsigned int k,
		    unsigned char *out)
{
	uint16_t sport, csum;
	uint32_t saddr, sum;

	k %= f->flows;
	sport = htons((uint16_t)(f->sport0 + k % f->nports));
	saddr = htonl(f->saddr0 + k / f->nports);
	memcpy(out, f->hdr, f->hdr_len);
	memcpy(out + f->saddr_off, &saddr, 4);
	memcpy(out + f->sport_off, &sport, 2);
	sum = (saddr & 0xffff) + (saddr >> 16);
	if (f->ip_csum_off) {
		csum = csum_fold(f->ip_sum + sum);
		memcpy(out + f->ip_csum_off, &csum, 2);
	}
	csum = csum_fold(f->l4_sum + sum + sport);
	if (f->udp && !csum)
		csum = 0xffff;
	memcpy(out + f->l4_csum_off, &csum, 2);
}
