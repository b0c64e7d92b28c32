// SPDX-License-Identifier: GPL-2.0-only
/*
 * Connection tracking's administration, run by lib/dp/ct.c through
 * BPF_PROG_TEST_RUN and never attached: the request (struct
 * sluice_ct_admin) is the packet, the answer is written back into it.
 * Flushing here rather than from user space keeps the per-state gauges
 * exact (ct_retire() moves them); filling makes synthetic entries for
 * the tests and benchmarks of a million-entry table; and the sweep that
 * ages the table lives here, armed by a request: one BPF timer whose
 * callback looks at a slice of the table each time it fires.
 */
#include "ctx/xdp.h"
#include "lib/ct.h"

#define CT_SWEEP_MS 50
#define CT_SWEEP_SLICE 32768

struct ct_sweep_ctx {
	__u64 now;
	const struct sluice_ct_config *cfg;
	__u32 seen;  /* entries looked at in this walk */
	__u32 skip;  /* the pass's entries the slices before looked at */
	__u32 slice; /* how many this slice looks at */
	__u32 gone;  /* taken out by this slice */
};

/* One entry of a walk: skip what earlier slices of the pass looked at,
 * retire what is due, stop at the end of the slice. */
static long ct_sweep_one(void *map, struct sluice_ct_key *k,
			 struct sluice_ct_entry *e, struct ct_sweep_ctx *sc)
{
	__u64 seen;
	struct ct_word w;

	(void)map;
	if (sc->seen++ < sc->skip)
		return 0;
	if (sc->seen > sc->skip + sc->slice)
		return 1;
	seen = *(volatile __u64 *)ct_word_of(e);
	w = ct_word_load(seen);
	if (w.state == SLUICE_CT_NONE)
		return 0;
	/* a packet on another CPU may have come after this slice began */
	if (e->last_seen_ns >= sc->now ||
	    sc->now - e->last_seen_ns < ct_timeout_ns(sc->cfg, w.state))
		return 0;
	if (!ct_retire(k, e, seen, SLUICE_CTE_EXPIRED))
		sc->gone++;
	return 0;
}

#define CT_MAX_CPUS 4096 /* bounds the gauges' sum; ends at nr_cpu_ids */

/* Gauge @i % SLUICE_CT_GAUGES of CPU @i / SLUICE_CT_GAUGES added to
 * *@sum; 1 (stop) past the last CPU. */
static long gauge_add(__u64 i, __s64 *sum)
{
	__u32 g = (__u32)(i % SLUICE_CT_GAUGES);
	__s64 *v = bpf_map_lookup_percpu_elem(&ct_gauges, &g,
					      (__u32)(i / SLUICE_CT_GAUGES));

	if (!v)
		return 1;
	*sum += *v;
	return 0;
}

/* Entries in the table by the gauges (exact: the CPU whose compare-and-
 * swap wins moves them; an entry that is being made may be missed, and
 * is seen by the next slice). */
static __s64 ct_live_entries(void)
{
	__s64 sum = 0;

	bpf_loop(CT_MAX_CPUS * SLUICE_CT_GAUGES, gauge_add, &sum, 0);
	return sum;
}

/* The timer's callback: one slice, then the timer again.  Positions in a
 * hash walk move as entries come and go, so a pass may look at an entry
 * twice or miss one; the next pass catches it.  An empty table is not
 * walked: a walk visits every bucket (a million by default), which cost
 * an idle sluiced about a tenth of a CPU, every CT_SWEEP_MS. */
static int ct_sweep_slice(void *map, __u32 *key, struct sluice_ct_sweep *sw)
{
	struct ct_sweep_ctx sc = {};
	struct sluice_ct_config *cfg;
	__u32 zero = 0, every;

	(void)map;
	(void)key;
	cfg = bpf_map_lookup_elem(&ct_config, &zero);
	if (!cfg) {
		bpf_timer_start(&sw->timer, CT_SWEEP_MS * 1000000ULL, 0);
		return 0;
	}
	every = cfg->sweep_ms ? cfg->sweep_ms : CT_SWEEP_MS;
	sc.now = bpf_ktime_get_ns();
	sc.cfg = cfg;
	sc.skip = sw->skip;
	sc.slice = cfg->sweep_slice ? cfg->sweep_slice : CT_SWEEP_SLICE;
	if (ct_live_entries() > 0)
		bpf_for_each_map_elem(&ct, ct_sweep_one, &sc, 0);
	sw->slices++;
	if (sc.seen <= sc.skip + sc.slice) { /* the walk reached the end */
		sw->skip = 0;
		sw->passes++;
		sw->last_ns = sc.now;
	} else {
		/* what this slice removed moved the rest forward */
		sw->skip = sc.skip + sc.slice - sc.gone;
	}
	bpf_timer_start(&sw->timer, (__u64)every * 1000000ULL, 0);
	return 0;
}

/* Arm the sweep (again: a restart's daemon takes the timer over). */
static int sweep_arm(void)
{
	struct sluice_ct_config *cfg;
	struct sluice_ct_sweep *sw;
	__u32 zero = 0, every;
	long err;

	sw = bpf_map_lookup_elem(&ct_sweep, &zero);
	cfg = bpf_map_lookup_elem(&ct_config, &zero);
	if (!sw || !cfg)
		return -1;
	every = cfg->sweep_ms ? cfg->sweep_ms : CT_SWEEP_MS;
	err = bpf_timer_init(&sw->timer, &ct_sweep, CLOCK_MONOTONIC);
	if (err && err != -EBUSY) /* EBUSY: armed by an earlier run */
		return -1;
	if (bpf_timer_set_callback(&sw->timer, ct_sweep_slice) ||
	    bpf_timer_start(&sw->timer, (__u64)every * 1000000ULL, 0))
		return -1;
	return 0;
}

struct flush_ctx {
	struct sluice_ct_filter f;
	__u32 n;
};

/* The first @plen bits of @a and @b agree (@plen <= 128). */
static __always_inline int prefix_match(const __u8 *a, const __u8 *b,
					__u32 plen)
{
	__u32 wa[4], wb[4];

	__builtin_memcpy(wa, a, 16);
	__builtin_memcpy(wb, b, 16);
#pragma unroll
	for (int i = 0; i < 4; i++) {
		__u32 bits, mask;

		if (plen <= (__u32)i * 32)
			break;
		bits = plen - i * 32;
		mask = bits >= 32 ? 0xffffffff : ~(0xffffffffU >> bits);
		if ((bpf_ntohl(wa[i]) ^ bpf_ntohl(wb[i])) & mask)
			return 0;
	}
	return 1;
}

static long flush_one(void *map, struct sluice_ct_key *k,
		      struct sluice_ct_entry *e, struct flush_ctx *fc)
{
	__u64 seen = *(volatile __u64 *)ct_word_of(e);
	struct ct_word w = ct_word_load(seen);
	const __u8 *src = (w.flags & SLUICE_CTF_ORIG_HI) ? k->hi_addr :
							   k->lo_addr;
	const __u8 *dst = (w.flags & SLUICE_CTF_ORIG_HI) ? k->lo_addr :
							   k->hi_addr;

	(void)map;
	if (fc->f.family && fc->f.family != k->family)
		return 0;
	if (fc->f.proto && fc->f.proto != k->proto)
		return 0;
	if (fc->f.state && fc->f.state != w.state)
		return 0;
	if (fc->f.src_plen && !prefix_match(src, fc->f.src, fc->f.src_plen))
		return 0;
	if (fc->f.dst_plen && !prefix_match(dst, fc->f.dst, fc->f.dst_plen))
		return 0;
	if (!ct_retire(k, e, seen, SLUICE_CTE_FLUSHED))
		fc->n++;
	return 0;
}

struct fill_ctx {
	struct pkt p;
	__u32 seed;
	__u32 n;
};

/* Entry @i: 198.18.0.0/15 client addresses, one server, UDP. */
static long fill_one(__u64 i, struct fill_ctx *fc)
{
	struct sluice_ct_config *cfg;
	struct ct_pkt c = {};
	__u32 zero = 0, a, b;

	cfg = bpf_map_lookup_elem(&ct_config, &zero);
	if (!cfg)
		return 1;
	i += fc->seed;
	a = bpf_htonl(0xc6120000 | (__u32)(i >> 16 & 0x1) << 16 |
		      (__u32)(i & 0xffff));
	b = bpf_htonl(0xc613ff01); /* 198.19.255.1 */
	c.key.family = AF_INET;
	c.key.proto = IPPROTO_UDP;
	__builtin_memcpy(c.key.lo_addr, &a, 4);
	__builtin_memcpy(c.key.hi_addr, &b, 4);
	c.key.lo_port = bpf_htons(1024 + (__u16)(i >> 17));
	c.key.hi_port = bpf_htons(53);
	c.state = SLUICE_CT_UNREPLIED;
	c.pclass = SLUICE_CT_P_UDP;
	if (!ct_create(&fc->p, &c, cfg))
		fc->n++;
	return 0;
}

SEC("xdp")
int sluice_ct_admin(struct xdp_md *ctx)
{
	struct sluice_ct_admin *req = (void *)(long)ctx->data;

	if ((void *)(req + 1) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	if (req->op == SLUICE_CT_OP_FLUSH) {
		struct flush_ctx fc = { .f = req->filter };

		bpf_for_each_map_elem(&ct, flush_one, &fc, 0);
		req->result = fc.n;
		return XDP_PASS;
	}
	if (req->op == SLUICE_CT_OP_SWEEP) {
		if (sweep_arm()) {
			ct_event(SLUICE_CTE_SWEEP_FAIL);
			return XDP_ABORTED;
		}
		req->result = 1;
		return XDP_PASS;
	}
	if (req->op == SLUICE_CT_OP_FILL) {
		struct fill_ctx fc = { .seed = req->seed };

		fc.p.len = 64;
		bpf_loop(req->count, fill_one, &fc, 0);
		req->result = fc.n;
		return XDP_PASS;
	}
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
