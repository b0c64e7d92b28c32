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

#define MAPCOST_READS 64   /* dependent reads per call */
#define MAPCOST_INSERTS 16 /* dependent inserts per call */
#define MAPCOST_PROBES 16  /* slots a lookup tries, in line */

struct mapcost_line {
	__u64 word[8]; /* one 64-byte cache line */
};

/* Set by the loader before load (the only thing in .rodata): the large
 * array's slots (the insert table's, for the inserts), the inner arrays'
 * count and slots each (inner * inner_slots about the large one's). */
const volatile struct {
	__u32 slots;
	__u32 inner;
	__u32 inner_slots;
	__u32 flows; /* lookups: the keys of 0..flows-1 are in both tables */
} cfg = { 1, 1, 1, 1 };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u32);
	__type(value, struct mapcost_line);
} mapcost_one SEC(".maps");

struct mapcost_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	/* 480 lines and the array's header: at most 32 KiB, kmalloc()ed */
	__uint(max_entries, 480);
	__type(key, __u32);
	__type(value, struct mapcost_line);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u32);
	__array(values, struct mapcost_inner);
} mapcost_outer SEC(".maps");

/* lb_flows' key and value sizes (uapi/sluice/lb.h) */
struct mapcost_key {
	__u32 word[10];
};

struct mapcost_value {
	__u64 a, b;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, struct mapcost_key);
	__type(value, struct mapcost_value);
} mapcost_lru SEC(".maps");

/* A slot of the array flow table: a tag (0: free) claimed by
 * compare-and-swap, the key and the value; one cache line. */
struct mapcost_slot {
	__u64 tag;
	struct mapcost_key key;
	struct mapcost_value value;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u32);
	__type(value, struct mapcost_slot);
} mapcost_slots SEC(".maps");

__u64 mapcost_seq; /* the next insert's number, across calls */
__u64 mapcost_sink;

/* splitmix64's finaliser: every key another slot, at random */
static __always_inline __u64 mix(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

SEC("xdp")
int read_one(struct xdp_md *ctx)
{
	__u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < MAPCOST_READS; i++) {
		__u32 k = (__u32)(mix(x) % cfg.slots);
		struct mapcost_line *l = bpf_map_lookup_elem(&mapcost_one, &k);

		if (!l)
			return XDP_ABORTED;
		x += l->word[0] + 1; /* the next read waits for this one */
	}
	mapcost_sink = x;
	return XDP_PASS;
}

SEC("xdp")
int read_inner(struct xdp_md *ctx)
{
	__u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < MAPCOST_READS; i++) {
		__u64 h = mix(x);
		__u32 o = (__u32)(h % cfg.inner);
		__u32 k = (__u32)((h >> 32) % cfg.inner_slots);
		struct mapcost_line *l;
		void *inner;

		inner = bpf_map_lookup_elem(&mapcost_outer, &o);
		if (!inner)
			return XDP_ABORTED;
		l = bpf_map_lookup_elem(inner, &k);
		if (!l)
			return XDP_ABORTED;
		x += l->word[0] + 1;
	}
	mapcost_sink = x;
	return XDP_PASS;
}

SEC("xdp")
int insert_lru(struct xdp_md *ctx)
{
	__u64 s = __sync_fetch_and_add(&mapcost_seq, MAPCOST_INSERTS);
	__u64 dep = 0;

	for (int i = 0; i < MAPCOST_INSERTS; i++) {
		__u64 h = mix(s + i + dep);
		struct mapcost_key k = { .word = { (__u32)h,
						   (__u32)(h >> 32) } };
		struct mapcost_value v = { s + i, 1 };
		long err;

		err = bpf_map_update_elem(&mapcost_lru, &k, &v, BPF_NOEXIST);
		if (err)
			return XDP_ABORTED;
		dep = (__u64)err; /* 0, known only once the insert is done */
	}
	return XDP_PASS;
}

SEC("xdp")
int insert_slot(struct xdp_md *ctx)
{
	__u64 s = __sync_fetch_and_add(&mapcost_seq, MAPCOST_INSERTS);
	__u64 dep = 0;

	for (int i = 0; i < MAPCOST_INSERTS; i++) {
		__u64 h = mix(s + i + dep);
		__u32 idx = (__u32)(h % cfg.slots);
		struct mapcost_slot *sl;
		__u64 seen, tag = h | 1;

		sl = bpf_map_lookup_elem(&mapcost_slots, &idx);
		if (!sl)
			return XDP_ABORTED;
		/* a free slot or one taken before: read, then claim it */
		seen = sl->tag;
		if (__sync_val_compare_and_swap(&sl->tag, seen, tag) != seen)
			return XDP_ABORTED; /* nobody else writes here */
		sl->key.word[0] = (__u32)h;
		sl->key.word[1] = (__u32)(h >> 32);
		sl->value.a = s + i;
		sl->value.b = 1;
		dep = sl->tag != tag; /* 0; the next claim waits for this one */
	}
	return XDP_PASS;
}

/* The key of flow @n, as the inserts and the loader make it. */
static __always_inline void key_of(__u64 h, struct mapcost_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->word[0] = (__u32)h;
	k->word[1] = (__u32)(h >> 32);
}

SEC("xdp")
int lookup_lru(struct xdp_md *ctx)
{
	__u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < MAPCOST_READS; i++) {
		struct mapcost_value *v;
		struct mapcost_key k;

		key_of(mix(mix(x) % cfg.flows), &k);
		v = bpf_map_lookup_elem(&mapcost_lru, &k);
		if (!v)
			return XDP_ABORTED;
		x += v->b; /* 1: the next lookup waits for this one */
	}
	mapcost_sink = x;
	return XDP_PASS;
}

SEC("xdp")
int lookup_slot(struct xdp_md *ctx)
{
	__u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < MAPCOST_READS; i++) {
		__u64 h = mix(mix(x) % cfg.flows);
		struct mapcost_slot *found = NULL;
		struct mapcost_key k;

		key_of(h, &k);
		for (__u32 p = 0; p < MAPCOST_PROBES; p++) {
			__u32 idx = (__u32)((h + p) % cfg.slots);
			struct mapcost_slot *sl;
			int same = 1;

			sl = bpf_map_lookup_elem(&mapcost_slots, &idx);
			if (!sl)
				return XDP_ABORTED;
			if (sl->tag != (h | 1))
				continue;
			for (int w = 0; w < 10; w++)
				same &= sl->key.word[w] == k.word[w];
			if (same) {
				found = sl;
				break;
			}
		}
		if (!found)
			return XDP_ABORTED;
		x += found->value.b;
	}
	mapcost_sink = x;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
