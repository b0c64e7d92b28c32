/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sluice-gen's pure parts: the command line, and the frame template with the
 * per-flow rewrite its XDP program performs (gen_frame_flow is the reference
 * the program is checked against).  No I/O, no BPF: unit-tested.
 */
#ifndef SLUICE_GEN_ARGS_H
#define SLUICE_GEN_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "opts.h"

#define GEN_SIZE_MIN 60	  /* Ethernet minimum without FCS */
#define GEN_SIZE_MAX 1514 /* a 1500-byte IP packet */
#define GEN_FLOWS_MAX (1u << 24)
#define GEN_DURATION_MAX 86400.0 /* seconds: every run stops */
#define GEN_COUNT_MAX 1000000000000ULL
#define GEN_RATE_MAX 1000000000ULL
#define GEN_CPU_MAX 4095
#define GEN_HDR_MAX 74 /* Ethernet + IPv6 + TCP */
/* With --rate, calls per second (smaller batches, sleeps in between). */
#define GEN_RATE_CALLS_PER_S 20

enum gen_l4 { GEN_UDP, GEN_TCP_SYN, GEN_TCP_ACK };
enum gen_vary { GEN_VARY_SPORT, GEN_VARY_SADDR, GEN_VARY_BOTH };
/* How frames leave: live frames, falling back to AF_PACKET when the
 * kernel refuses them (auto), or one of the two only. */
enum gen_method { GEN_METHOD_AUTO, GEN_METHOD_LIVE, GEN_METHOD_PACKET };

struct gen_args {
	char dev[16]; /* IFNAMSIZ */
	int family;   /* AF_INET or AF_INET6 */
	enum gen_l4 l4;
	unsigned int size; /* frame bytes without FCS */
	unsigned int flows;
	enum gen_vary vary;
	unsigned char src_mac[6];
	bool have_src_mac; /* else the interface's own */
	unsigned char dst_mac[6];
	unsigned char src[16]; /* network order, 4 or 16 bytes used */
	unsigned char dst[16];
	unsigned short sport; /* first source port */
	unsigned short dport;
	double duration;	  /* seconds; 0 = not given */
	unsigned long long count; /* frames; 0 = not given */
	unsigned long long rate;  /* frames/s; 0 = unlimited */
	int cpu;		  /* -1 = not pinned */
	enum gen_method method;
	bool json;
	bool help;
};

/* The options, in --help's order (opts.h). */
extern const struct opt_def gen_opts[];
extern const size_t gen_nopts;

/*
 * Parses and validates the command line (argv[0] is the program name).
 * 0 on success (with a->help set, nothing else is checked), or -EINVAL with
 * a message in @err that names the option and the value.
 */
int gen_args_parse(int argc, char *argv[], struct gen_args *a, char *err,
		   size_t errlen);

const char *gen_l4_name(enum gen_l4 l4);
const char *gen_vary_name(enum gen_vary v);
/* Bytes of Ethernet + IP + L4 headers for this family and protocol. */
unsigned int gen_hdr_len(int family, enum gen_l4 l4);

/*
 * The headers of flow 0 and what changes per flow.  Flow k uses source
 * port sport + k % nports and, in the last 32 bits of the source address,
 * saddr0 + k / nports.  Checksums are the partial one's-complement sums of
 * everything that does not change, over 16-bit words as they lie in memory.
 */
struct gen_frame {
	unsigned char hdr[GEN_HDR_MAX];
	unsigned int hdr_len;
	unsigned int size;
	unsigned int flows;
	unsigned int nports;
	unsigned int saddr_off; /* the varied 32 bits of the source */
	unsigned int sport_off;
	unsigned int ip_csum_off; /* 0: IPv6 has none */
	unsigned int l4_csum_off;
	uint32_t saddr0; /* host order */
	uint16_t sport0;
	uint32_t ip_sum;
	uint32_t l4_sum;
	bool udp; /* a zero UDP checksum is sent as 0xffff */
};

/* Fills @f from validated arguments (0, or -EINVAL on a size too small). */
int gen_frame_build(const struct gen_args *a, struct gen_frame *f);
/* Writes flow @k's headers (f->hdr_len bytes) to @out. */
void gen_frame_flow(const struct gen_frame *f, unsigned int k,
		    unsigned char *out);
/* The Internet checksum of @len bytes (for checking). */
uint16_t gen_csum(const void *buf, size_t len, uint32_t sum);

#endif
