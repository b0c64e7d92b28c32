// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-mapcost: what a map access costs on this machine, apart from
 * sluice's programs (bench/mapcost.bpf.c says what each program does;
 * docs/performance.md, "Map costs on this machine", what was found).
 *
 *   sluice-mapcost [--obj FILE] [--rounds N] [--calls N]
 *
 * Loads bench/mapcost.bpf.c four times (reads over 8 MiB, reads over
 * 64 MiB, inserts, lookups of 65,536 flows the loader put in both flow
 * tables), runs each program --calls times per round with
 * BPF_PROG_TEST_RUN at repeat 1, the programs taking turns within a round,
 * and prints per read or insert the median over rounds of the kernel's
 * duration (the program only: no syscall, no copying), next to its pair.
 * Path checks: every call returned XDP_PASS (a failed lookup or insert
 * returns XDP_ABORTED: a lookup also when it does not find its flow), and
 * after the runs each LRU holds exactly the keys put in (none evicted:
 * the inserts are into free entries).  Runs
 * on CPU 0 so the LRU's inserts all take the same CPU's list.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mapcost.h"

#define INSERT_SLOTS (1u << 18) /* per CPU for the LRU; the array's */
/* the lookups: lb_flows' default (131,072 entries: 65,536 per CPU here)
 * holding the bench's 64k flows; the array four times the flows, probed
 * in line (16 probes) */
#define LOOKUP_FLOWS 65536u
#define LOOKUP_SLOTS 262144u
#define MAX_ROUNDS 64

struct load {
	struct bpf_object *obj;
};

struct figure {
	const char *name;
	int load; /* which load */
	const char *prog;
	unsigned int per_call; /* reads or inserts per call */
	double ns[MAX_ROUNDS];
};

static const char *set_size(struct bpf_object *obj, const char *map, __u32 n)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, map);

	if (!m || bpf_map__set_max_entries(m, n))
		return map;
	return NULL;
}

/* @n inner arrays into the outer one, in one batch: an update of a map
 * of maps from user space waits for an RCU grace period, one per call. */
static int fill_outer(int outer_fd, __u32 n)
{
	__u32 *keys = calloc(n, sizeof(*keys));
	int *fds = calloc(n, sizeof(*fds));
	__u32 i, count = n;
	int err = 0;

	if (!keys || !fds) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		keys[i] = i;
		fds[i] = bpf_map_create(BPF_MAP_TYPE_ARRAY, "mapcost_in", 4,
					MAPCOST_LINE, MAPCOST_INNER_SLOTS,
					NULL);
		if (fds[i] < 0) {
			err = -errno;
			fprintf(stderr, "sluice-mapcost: inner array %u: %s\n",
				i, strerror(-err));
			goto out;
		}
	}
	if (bpf_map_update_batch(outer_fd, keys, fds, &count, NULL)) {
		err = -errno;
		fprintf(stderr, "sluice-mapcost: the inner arrays: %s\n",
			strerror(-err));
	}
out:
	/* the outer map holds what it took */
	for (__u32 j = 0; fds && j < n && fds[j] > 0; j++)
		close(fds[j]);
	free(keys);
	free(fds);
	return err;
}

/* Flows 0..@flows-1 into both tables, as the programs make their keys:
 * the LRU (from CPU 0: that CPU's list) and the array of @slots slots,
 * each at its hash's slot or the next free one in line. */
static int fill_flows(struct load *l, __u32 flows, __u32 slots)
{
	int lru = bpf_map__fd(
		bpf_object__find_map_by_name(l->obj, "mapcost_lru"));
	int tab = bpf_map__fd(
		bpf_object__find_map_by_name(l->obj, "mapcost_slots"));
	struct mapcost_slot *t = calloc(slots, sizeof(*t));
	__u32 *keys = calloc(slots, sizeof(*keys));
	__u32 count = slots;
	int err = 0;

	if (!t || !keys) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 n = 0; n < flows; n++) {
		__u64 h = mix64(n);
		struct mapcost_value v = { n, 1 };
		struct mapcost_key key;
		__u32 p;

		mapcost_key_of(h, &key);
		if (bpf_map_update_elem(lru, &key, &v, BPF_NOEXIST)) {
			err = -errno;
			fprintf(stderr, "sluice-mapcost: LRU flow %u: %s\n", n,
				strerror(-err));
			goto out;
		}
		for (p = 0; p < MAPCOST_PROBES; p++) {
			struct mapcost_slot *sl = &t[(h + p) % slots];

			if (sl->tag)
				continue;
			sl->tag = h | 1;
			sl->key = key;
			sl->value = v;
			break;
		}
		if (p == MAPCOST_PROBES) {
			fprintf(stderr,
				"sluice-mapcost: flow %u: no slot in "
				"%d probes\n",
				n, MAPCOST_PROBES);
			err = -ENOSPC;
			goto out;
		}
	}
	for (__u32 i = 0; i < slots; i++)
		keys[i] = i;
	if (bpf_map_update_batch(tab, keys, t, &count, NULL)) {
		err = -errno;
		fprintf(stderr, "sluice-mapcost: the array table: %s\n",
			strerror(-err));
	}
out:
	free(t);
	free(keys);
	return err;
}

/* The sizes of one load: @read_mib MiB of read targets (0: a token size);
 * the LRU's entries per CPU, the array table's slots, and the flows the
 * lookups find (0: none put in). */
struct sizes {
	unsigned int read_mib;
	__u32 lru_per_cpu;
	__u32 table_slots;
	__u32 flows;
};

static int load_one(struct load *l, const char *path, struct sizes z)
{
	unsigned int read_mib = z.read_mib;
	__u32 slots = read_mib ? read_mib * (1024 * 1024 / MAPCOST_LINE) : 1;
	__u32 inner = read_mib ? slots / MAPCOST_INNER_SLOTS : 1;
	int ncpu = libbpf_num_possible_cpus();
	const char *bad = NULL;
	struct bpf_map *outer;
	int err;

	if (ncpu < 1)
		return ncpu;
	l->obj = bpf_object__open_file(path, NULL);
	if (!l->obj) {
		err = -errno;
		fprintf(stderr, "sluice-mapcost: %s: %s\n", path,
			strerror(-err));
		return err;
	}
	bad = set_size(l->obj, "mapcost_one", slots);
	if (!bad)
		bad = set_size(l->obj, "mapcost_outer", inner);
	if (!bad)
		bad = set_size(l->obj, "mapcost_lru",
			       z.lru_per_cpu * (__u32)ncpu);
	if (!bad)
		bad = set_size(l->obj, "mapcost_slots", z.table_slots);
	if (bad) {
		fprintf(stderr, "sluice-mapcost: %s: no map %s\n", path, bad);
		return -ENOENT;
	}
	{
		struct mapcost_cfg cfg = {
			.slots = read_mib ? slots : z.table_slots,
			.inner = inner,
			.inner_slots = MAPCOST_INNER_SLOTS,
			.flows = z.flows ? z.flows : 1,
		};
		struct bpf_map *ro =
			bpf_object__find_map_by_name(l->obj, ".rodata");

		if (!ro || bpf_map__set_initial_value(ro, &cfg, sizeof(cfg))) {
			fprintf(stderr,
				"sluice-mapcost: %s: .rodata is not cfg "
				"alone\n",
				path);
			return -ENOENT;
		}
	}
	err = bpf_object__load(l->obj);
	if (err) {
		fprintf(stderr, "sluice-mapcost: %s: load: %s\n", path,
			strerror(-err));
		return err;
	}
	outer = bpf_object__find_map_by_name(l->obj, "mapcost_outer");
	err = fill_outer(bpf_map__fd(outer), inner);
	if (!err && z.flows)
		err = fill_flows(l, z.flows, z.table_slots);
	return err;
}

/* The mean duration per access of @calls calls, or -1 when a call failed
 * or did not return XDP_PASS. */
static double run(struct load *l, const struct figure *f, int calls)
{
	struct bpf_program *p =
		bpf_object__find_program_by_name(l->obj, f->prog);
	unsigned char frame[64] = { 0 };
	unsigned long long sum = 0;

	if (!p)
		return -1;
	for (int c = 0; c < calls; c++) {
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = frame,
			    .data_size_in = sizeof(frame), .repeat = 1);

		if (bpf_prog_test_run_opts(bpf_program__fd(p), &t) ||
		    t.retval != 2 /* XDP_PASS */) {
			fprintf(stderr,
				"sluice-mapcost: %s: call %d returned %u "
				"(%s)\n",
				f->prog, c, t.retval, strerror(errno));
			return -1;
		}
		sum += t.duration;
	}
	return (double)sum / calls / f->per_call;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, sizeof(*v) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Exactly @want keys in the LRU: no insert evicted another. */
static int lru_holds(struct load *l, unsigned long long want)
{
	int fd = bpf_map__fd(
		bpf_object__find_map_by_name(l->obj, "mapcost_lru"));
	__u32 key[10], next[10];
	unsigned long long n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, sizeof(key));
		prev = key;
		n++;
	}
	if (n != want) {
		fprintf(stderr,
			"sluice-mapcost: the LRU holds %llu keys, %llu "
			"inserted\n",
			n, want);
		return -1;
	}
	return 0;
}

/* lb_flows' entries are per CPU: the LRU sized as lb_flows is 131,072
 * in all, whatever the CPUs. */
static __u32 ncpu_or_1(void)
{
	int n = libbpf_num_possible_cpus();

	return n > 0 ? (__u32)n : 1;
}

static void default_obj(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0) {
		snprintf(buf, len, "build/bpf/mapcost.bpf.o");
		return;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	/* build/bench/sluice-mapcost -> build/bpf/mapcost.bpf.o */
	snprintf(buf, len, "%s/../bpf/mapcost.bpf.o", exe);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "obj", required_argument, NULL, 'o' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "calls", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct figure figs[] = {
		{ "read, 8 MiB, one array (vmalloc, 4 KiB pages)",
		  0,
		  "read_one",
		  MAPCOST_READS,
		  { 0 } },
		{ "read, 8 MiB, inner arrays (kmalloc, direct map)",
		  0,
		  "read_inner",
		  MAPCOST_READS,
		  { 0 } },
		{ "read, 64 MiB, one array (vmalloc, 4 KiB pages)",
		  1,
		  "read_one",
		  MAPCOST_READS,
		  { 0 } },
		{ "read, 64 MiB, inner arrays (kmalloc, direct map)",
		  1,
		  "read_inner",
		  MAPCOST_READS,
		  { 0 } },
		{ "insert, LRU hash with per-CPU lists (free entries)",
		  2,
		  "insert_lru",
		  MAPCOST_INSERTS,
		  { 0 } },
		{ "insert, array slot read and claimed by compare-and-swap",
		  2,
		  "insert_slot",
		  MAPCOST_INSERTS,
		  { 0 } },
		{ "lookup, LRU hash, 65,536 flows in 131,072 entries",
		  3,
		  "lookup_lru",
		  MAPCOST_READS,
		  { 0 } },
		{ "lookup, array of 262,144 slots probed in line, the same",
		  3,
		  "lookup_slot",
		  MAPCOST_READS,
		  { 0 } },
	};
	const int n_figs = (int)(sizeof(figs) / sizeof(figs[0]));
	static struct load loads[4];
	char obj[PATH_MAX + 32];
	int rounds = 4, calls = 4000, c;
	unsigned long long lru_inserts = 0;
	cpu_set_t cpu0;

	default_obj(obj, sizeof(obj));
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': snprintf(obj, sizeof(obj), "%s", optarg); break;
		case 'r': rounds = atoi(optarg); break;
		case 'c': calls = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: sluice-mapcost [--obj FILE] "
					"[--rounds N] [--calls N]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || calls < 1 ||
	    (unsigned long long)rounds * (unsigned)calls * MAPCOST_INSERTS >
		    INSERT_SLOTS) {
		fprintf(stderr,
			"sluice-mapcost: --rounds 1..%d, --calls 1.., and "
			"rounds * calls * %d at most %u (the LRU's room)\n",
			MAX_ROUNDS, MAPCOST_INSERTS, INSERT_SLOTS);
		return 2;
	}
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		perror("sluice-mapcost: CPU 0");
	if (load_one(&loads[0], obj, (struct sizes){ 8, 1024, 1, 0 }) ||
	    load_one(&loads[1], obj, (struct sizes){ 64, 1024, 1, 0 }) ||
	    load_one(&loads[2], obj,
		     (struct sizes){ 0, INSERT_SLOTS, INSERT_SLOTS, 0 }) ||
	    load_one(&loads[3], obj,
		     (struct sizes){ 0, LOOKUP_FLOWS * 2 / ncpu_or_1(),
				     LOOKUP_SLOTS, LOOKUP_FLOWS }))
		return 1;
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < n_figs; i++) {
			figs[i].ns[r] =
				run(&loads[figs[i].load], &figs[i], calls);
			if (figs[i].ns[r] < 0)
				return 1;
		}
		lru_inserts += (unsigned long long)calls * MAPCOST_INSERTS;
	}
	if (lru_holds(&loads[2], lru_inserts) ||
	    lru_holds(&loads[3], LOOKUP_FLOWS))
		return 1;
	printf("# sluice-mapcost: rounds %d, calls per round %d; medians, ns "
	       "per access (the program's time only)\n",
	       rounds, calls);
	for (int i = 0; i < n_figs; i++) {
		double m = median(figs[i].ns, rounds);

		printf("%-58s %7.1f", figs[i].name, m);
		if (i % 2)
			printf("   %.2f of the line above",
			       m / median(figs[i - 1].ns, rounds));
		printf("\n");
	}
	return 0;
}
