// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a map access costs on this machine, apart from sluice's programs
 * (bench/mapcost/mapcost.c runs them with BPF_PROG_TEST_RUN; docs/
 * performance.md, "Map costs on this machine").  Two questions the load
 * balancer's flow table raises:
 *
 *  - Does where a map's memory lives change a cold read?  A large array is
 *    vmalloc()ed (4 KiB pages); an array of at most 32 KiB is kmalloc()ed,
 *    in the kernel's direct map (1 GiB and 2 MiB pages here).  read_one
 *    reads one large array, read_inner the same number of slots spread over
 *    inner arrays of an ARRAY_OF_MAPS: chains of dependent reads at random,
 *    so each read waits for the one before, as a packet's lookups do.
 *  - What does a new flow's insert cost?  insert_lru inserts new 40-byte
 *    keys into an LRU hash with per-CPU lists (lb_flows' kind and sizes);
 *    insert_slot claims a slot of an array by compare-and-swap after
 *    reading it (what a flow table of our own would do).  Each insert's
 *    key depends on the one before, so inserts do not overlap.
 *  - What does an established flow's lookup cost?  lookup_lru and
 *    lookup_slot find keys the loader put in both tables (65,536 flows:
 *    the LRU sized as lb_flows by default; 262,144 slots probed in line),
 *    each lookup's key depending on the value the one before found.
 *
 * Every program returns XDP_PASS when all its accesses succeeded and
 * XDP_ABORTED at the first that did not: the loader's path check.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "mapcost/mapcost.h"

struct mapcost_line {
	__u64 word[MAPCOST_LINE / 8];
};

/* the loader's (the only thing in .rodata) */
const volatile struct mapcost_cfg cfg = { 1, 1, 1, 1 };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u32);
	__type(value, struct mapcost_line);
} mapcost_one SEC(".maps");

struct mapcost_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAPCOST_INNER_SLOTS);
	__type(key, __u32);
	__type(value, struct mapcost_line);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u32);
	__array(values, struct mapcost_inner);
} mapcost_outer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, struct mapcost_key);
	__type(value, struct mapcost_value);
} mapcost_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u32);
	__type(value, struct mapcost_slot);
} mapcost_slots SEC(".maps");

__u64 mapcost_seq; /* the next insert's number, across calls */
__u64 mapcost_sink;

/* Read number @h's line: in the one array, or in one of the inner ones. */
static __always_inline struct mapcost_line *line_at(__u64 h, int inner)
{
	__u32 o = (__u32)(h % cfg.inner), k;
	void *map = &mapcost_one;

	if (inner) {
		map = bpf_map_lookup_elem(&mapcost_outer, &o);
		if (!map)
			return NULL;
		k = (__u32)((h >> 32) % cfg.inner_slots);
	} else {
		k = (__u32)(h % cfg.slots);
	}
	return bpf_map_lookup_elem(map, &k);
}

static __always_inline int read_chain(int inner)
{
	__u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < MAPCOST_READS; i++) {
		struct mapcost_line *l = line_at(mix64(x), inner);

		if (!l)
			return XDP_ABORTED;
		x += l->word[0] + 1; /* the next read waits for this one */
	}
	mapcost_sink = x;
	return XDP_PASS;
}

SEC("xdp")
int read_one(struct xdp_md *ctx)
{
	return read_chain(0);
}

SEC("xdp")
int read_inner(struct xdp_md *ctx)
{
	return read_chain(1);
}

/* Flow @h (number @n) into the LRU, or into the array (@slot): a read of
 * its slot, a compare-and-swap of the tag, then key and value.  0 when
 * done; the next insert's key depends on it. */
static __always_inline long insert_one(__u64 h, __u64 n, int slot)
{
	struct mapcost_value v = { n, 1 };
	struct mapcost_slot *sl;
	struct mapcost_key k;
	__u32 idx;
	__u64 seen;

	mapcost_key_of(h, &k);
	if (!slot)
		return bpf_map_update_elem(&mapcost_lru, &k, &v, BPF_NOEXIST);
	idx = (__u32)(h % cfg.slots);
	sl = bpf_map_lookup_elem(&mapcost_slots, &idx);
	if (!sl)
		return -1;
	seen = sl->tag; /* free, or taken before: claimed all the same */
	if (__sync_val_compare_and_swap(&sl->tag, seen, h | 1) != seen)
		return -1; /* nobody else writes here */
	sl->key = k;
	sl->value = v;
	return sl->tag != (h | 1);
}

static __always_inline int insert_chain(int slot)
{
	__u64 s = __sync_fetch_and_add(&mapcost_seq, MAPCOST_INSERTS);
	long dep = 0;

	for (int i = 0; i < MAPCOST_INSERTS; i++) {
		dep = insert_one(mix64(s + i + (__u64)dep), s + i, slot);
		if (dep)
			return XDP_ABORTED;
	}
	return XDP_PASS;
}

SEC("xdp")
int insert_lru(struct xdp_md *ctx)
{
	return insert_chain(0);
}

SEC("xdp")
int insert_slot(struct xdp_md *ctx)
{
	return insert_chain(1);
}

/* Flow @h's value in the LRU, or in the array (@slot: its slots in line
 * from h, the tag, then the whole key); NULL when it is not there. */
static __always_inline struct mapcost_value *find(__u64 h, int slot)
{
	struct mapcost_key k;

	mapcost_key_of(h, &k);
	if (!slot)
		return bpf_map_lookup_elem(&mapcost_lru, &k);
	for (__u32 p = 0; p < MAPCOST_PROBES; p++) {
		__u32 idx = (__u32)((h + p) % cfg.slots);
		struct mapcost_slot *sl;
		int same = 1;

		sl = bpf_map_lookup_elem(&mapcost_slots, &idx);
		if (!sl)
			return NULL;
		if (sl->tag != (h | 1))
			continue;
		for (int w = 0; w < 10; w++)
			same &= sl->key.word[w] == k.word[w];
		if (same)
			return &sl->value;
	}
	return NULL;
}

static __always_inline int lookup_chain(int slot)
{
	__u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < MAPCOST_READS; i++) {
		struct mapcost_value *v =
			find(mix64(mix64(x) % cfg.flows), slot);

		if (!v)
			return XDP_ABORTED;
		x += v->b; /* 1: the next lookup waits for this one */
	}
	mapcost_sink = x;
	return XDP_PASS;
}

SEC("xdp")
int lookup_lru(struct xdp_md *ctx)
{
	return lookup_chain(0);
}

SEC("xdp")
int lookup_slot(struct xdp_md *ctx)
{
	return lookup_chain(1);
}

char LICENSE[] SEC("license") = "GPL";
