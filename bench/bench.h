/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sluice-bench: what its parts share.  A figure is one number measured
 * over several repetitions (median, min and max are computed at the end),
 * or a statement that it is INVALID (its path check failed) or unavailable
 * (it cannot be measured here), with the reason.
 */
#ifndef SLUICE_BENCH_H
#define SLUICE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define BENCH_MAX_REPS 16
#define BENCH_MAX_FIGS 128

struct fig {
	char group[16];	    /* pktcost, control */
	char name[48];	    /* route_v4, maglev_build, ... */
	char label[96];	    /* human name of the figure's variant */
	unsigned int flows; /* distinct flows; 0 = not applicable */
	char unit[16];	    /* ns/packet, ms, routes/s, bytes */
	char method[160];   /* how it was measured */
	char check[200];    /* what the path check verified */
	double rep[BENCH_MAX_REPS];
	unsigned int nrep;
	unsigned long long runs;    /* per repetition */
	unsigned long long dropped; /* calls left out (preempted), all reps */
	bool invalid;		    /* a path check failed: no number */
	bool unavailable;
	char why[256]; /* reason for invalid / unavailable */
	/* extra numbers for the JSON only (e.g. memory per map) */
	char extra[512]; /* a JSON object's members, or "" */
};

struct bench_opts {
	bool smoke;
	unsigned int reps;
	unsigned long long runs; /* test_run runs per figure and rep */
	/* --spin PATH:FLOWS: only run that path (single method, every call
	 * checked) for spin_s seconds, for a profiler to watch */
	const char *spin;
	unsigned int spin_flows;
	double spin_s;
	/* --v6-index-slots: the fib part's IPv6 /48 index, log2 of its
	 * buckets (0: none), as sluiced's fib.v6_index_slots sets it */
	unsigned int v6_index_bits;
};

/* ---- figures and output (main.c) ---- */
struct fig *fig_new(const char *group, const char *name, unsigned int flows,
		    const char *unit);
struct fig *fig_find(const char *group, const char *name, unsigned int flows);
void fig_add(struct fig *f, double v);
__attribute__((format(printf, 2, 3))) void fig_invalid(struct fig *f,
						       const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void
fig_unavailable(struct fig *f, const char *fmt, ...);
double fig_median(const struct fig *f);
/* One TAP line per figure: a figure that is INVALID is "not ok". */
void fig_tap(const struct fig *f, const char *what);
/* "ok N - ..." / "not ok N - ..." for checks that are not a figure. */
void tap_line(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
__attribute__((format(printf, 1, 2))) void note(const char *fmt, ...);
double now_ns(void);

/* ---- parts ---- */
/* Per-packet cost with BPF_PROG_TEST_RUN (pktcost.c); runs in a network
 * namespace of its own.  Returns 0, or -errno if the setup failed. */
int pktcost_run(const struct bench_opts *o);
/* Route lookup against the table size, LPM trie vs compiled table
 * (fibcost.c); runs in a network namespace of its own. */
int fibcost_run(const struct bench_opts *o);
/* Conntrack and NAT per packet, a million entries' memory and ageing
 * (statecost.c, ctmem.c); runs in a network namespace of its own. */
int statecost_run(const struct bench_opts *o);
/* The backend's decapsulation and second chance per packet (decapcost.c);
 * runs in a network namespace of its own. */
int decapcost_run(const struct bench_opts *o);
/* Maglev build time, LPM insert rate, map memory (ctlplane.c). */
int ctlplane_run(const struct bench_opts *o);
/* Subcommands for bench/run.sh (tools.c). */
int route_latency_main(int argc, char **argv);
int api_rate_main(int argc, char **argv);

/* ---- frames (frame.c) ---- */
struct flow {
	__u8 family;	/* AF_INET or AF_INET6 */
	__u8 proto;	/* IPPROTO_UDP or IPPROTO_TCP */
	__u8 tcp_flags; /* TCP: SYN 0x02, ACK 0x10 */
	__u8 ttl;	/* TTL / hop limit */
	__u8 tos;
	__u8 dmac[6], smac[6];
	__u8 saddr[16], daddr[16]; /* network order */
	__u16 sport, dport;	   /* host order */
	__u16 payload;		   /* L4 payload bytes */
};

#define FRAME_MAX 256

/* One BPF_PROG_TEST_RUN of an XDP program and what came out (xdp_run.c). */
struct test_res {
	__u8 out[FRAME_MAX + 128];
	__u32 out_len, retval, duration;
	int err;
};
void test_res_run(int fd, __u32 ifindex, const __u8 *in, __u32 len,
		  __u32 repeat, struct test_res *r);
/* The path check of call @call: test_run succeeded, the verdict is
 * @verdict and the output exactly @exp; otherwise @f is made invalid, the
 * first differing bytes logged. */
bool test_res_check(struct fig *f, const struct test_res *r, __u32 verdict,
		    const __u8 *exp, __u32 explen, unsigned long long call);
const char *xdp_verdict_name(__u32 v);

/* Ethernet + IPv4/IPv6 + UDP/TCP, every checksum computed.  Returns the
 * length or -EINVAL. */
int frame_build(const struct flow *f, __u8 *buf, __u32 cap);
/* What the router sends for @in: new MACs, TTL - @hops, IPv4 checksum
 * computed afresh.  Returns the length or -EINVAL. */
int frame_routed(const struct flow *in, int hops, const __u8 dmac[6],
		 const __u8 smac[6], __u8 *buf, __u32 cap);
/* @inner (an Ethernet frame carrying IPv4) inside IPIP: new MACs, an outer
 * IPv4 header src -> dst, TTL 64, id 0, the inner TOS. */
int frame_ipip4(const __u8 *inner, __u32 len, const __u8 dmac[6],
		const __u8 smac[6], const __u8 src[4], const __u8 dst[4],
		__u8 *buf, __u32 cap);
int parse_addr(const char *txt, int *family, __u8 addr[16]);

/* ---- memory of BPF maps (ctlplane.c) ---- */
/* memlock bytes of the map behind @fd (from /proc/self/fdinfo), or -errno */
long long map_memlock(int fd);

#endif
