// SPDX-License-Identifier: BSD-2-Clause
/*
 * The LPM trie against the compiled table, lookup alone: bench/
 * fib_lookup.bpf.c's programs parse the frame's destination, look it up
 * (a BPF_MAP_TYPE_LPM_TRIE, or bpf/lib/fib.h's walk over the object's
 * own fib4/fib6 arrays) and write the target into the frame.  Both hold
 * the same routes, route i with target SLUICE_FIB_NHG0 + i: the trie
 * through bpf_map_update_elem, the table compiled by lib/fib over the
 * mmapped arrays as lib/dp/fib.c does (IPv6 with its /48 index,
 * uapi/sluice/fib_p48.h).  Route sets (routegen.h) grow
 * 1k -> 100k -> 1M (the first N of one shuffled set), IPv4 and IPv6; at
 * each size, 65536 destinations drawn inside random routes of the set.
 *
 * Path check, every call: XDP_PASS and the frame with the expected target
 * in it, the target being what the kernel's trie answers from user space
 * for that destination (the reference; lib/fib's own C walk must agree,
 * or the figure is INVALID).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "fib.h"
#include "fibcost.h"
#include "fiblookup.h"
#include "routegen.h"

#define FL_MAX_ROUTES 1000000u
#define N_SIZES 3

static const unsigned long sizes[N_SIZES] = { 1000, 100000, 1000000 };

/* The kernel's LPM key (bench/fib_lookup.bpf.c's trie4_key, trie6_key) */
struct trie_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct fl_family {
	int family;
	unsigned int bytes;
	const char *tag; /* v4, v6 */
	__u64 seed;
	struct rg_route *rt;
	size_t have; /* routes in the trie and the table */
	long groups_needed;
	struct fib *fib;
	struct fib_tables t;
	void *mem[3]; /* root, groups, the /48 index (IPv6) */
	size_t len[3];
	int trie_fd, fd_trie, fd_table;
	int idle_trie, idle_table;
	double trie_ns, table_ns; /* insert time so far */
	struct fc_frames fr;
	struct fig *trie, *table, *ratio;
};

static int map_mmap(int fd, void **mem, size_t *len)
{
	struct bpf_map_info info = { 0 };
	__u32 ilen = sizeof(info);
	void *p;

	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return -errno;
	*len = ((size_t)info.value_size * info.max_entries + 4095) & ~4095ul;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*mem = p;
	return 0;
}

static int fl_open(struct fc_env *e, struct dp_fiblookup *b,
		   struct fl_family *f)
{
	bool v4 = f->family == AF_INET;
	int root = v4 ? DP_FIBLOOKUP_MAP_FIB4_ROOT : DP_FIBLOOKUP_MAP_FIB6_ROOT;
	int groups = v4 ? DP_FIBLOOKUP_MAP_FIB4_GROUPS :
			  DP_FIBLOOKUP_MAP_FIB6_GROUPS;
	int err;

	f->trie_fd = dp_fiblookup_map_fd(b, v4 ? DP_FIBLOOKUP_MAP_TRIE4 :
						 DP_FIBLOOKUP_MAP_TRIE6);
	f->fd_trie = dp_fiblookup_prog_fd(b, v4 ? DP_FIBLOOKUP_TRIE4 :
						  DP_FIBLOOKUP_TRIE6);
	f->fd_table = dp_fiblookup_prog_fd(b, v4 ? DP_FIBLOOKUP_TABLE4 :
						   DP_FIBLOOKUP_TABLE6);
	err = map_mmap(dp_fiblookup_map_fd(b, root), &f->mem[0], &f->len[0]) ?:
		      map_mmap(dp_fiblookup_map_fd(b, groups), &f->mem[1],
			       &f->len[1]);
	if (!err && !v4)
		err = map_mmap(dp_fiblookup_map_fd(b,
						   DP_FIBLOOKUP_MAP_FIB6_P48),
			       &f->mem[2], &f->len[2]);
	if (err)
		return err;
	f->t = (struct fib_tables){ .root = f->mem[0],
				    .groups = f->mem[1],
				    .n_groups = (__u32)(f->len[1] / 1024),
				    .p48 = e->o->v6_index_bits ? f->mem[2] :
								 NULL,
				    .p48_bits = e->o->v6_index_bits };
	err = fib_new(&f->fib, f->bytes, &f->t, false);
	if (err)
		return err;
	f->idle_trie = fc_attach_idle(e, f->fd_trie);
	if (f->idle_trie < 0)
		return f->idle_trie;
	f->idle_table = fc_attach_idle(e, f->fd_table);
	return f->idle_table < 0 ? f->idle_table : 0;
}

static void fl_close(struct fl_family *f)
{
	fc_detach_idle(f->idle_trie);
	fc_detach_idle(f->idle_table);
	fib_free(f->fib);
	for (int i = 0; i < 3; i++)
		if (f->mem[i])
			munmap(f->mem[i], f->len[i]);
	fc_frames_free(&f->fr);
	free(f->rt);
}

/* Routes [have, n) into both, each timed. */
static int grow(struct fl_family *f, size_t n)
{
	struct trie_key k;
	double t0;
	int err = 0;

	t0 = now_ns();
	for (size_t i = f->have; i < n && !err; i++) {
		__u32 target = SLUICE_FIB_NHG0 + (__u32)i;

		k.prefixlen = f->rt[i].plen;
		memcpy(k.addr, f->rt[i].addr, 16);
		if (bpf_map_update_elem(f->trie_fd, &k, &target, BPF_ANY))
			err = -errno;
	}
	f->trie_ns += now_ns() - t0;
	if (err)
		return err;
	t0 = now_ns();
	for (size_t i = f->have; i < n && !err; i++)
		err = fib_add(f->fib, f->rt[i].addr, f->rt[i].plen,
			      SLUICE_FIB_NHG0 + (__u32)i);
	f->table_ns += now_ns() - t0;
	if (!err)
		f->have = n;
	return err;
}

/* Frames to destinations inside random routes of the first @n; the
 * expected target from the kernel's trie, checked against lib/fib. */
static int frames(struct fc_env *e, struct fl_family *f, size_t n, char *why,
		  size_t whylen)
{
	__u64 rng = f->seed ^ (__u64)n;
	struct flow fl = { .family = (__u8)f->family,
			   .proto = IPPROTO_UDP,
			   .ttl = 64,
			   .payload = 18,
			   .dport = 53,
			   .dmac = { 0x02, 0, 0, 0, 0xb0, 0x01 },
			   .smac = { 0x02, 0, 0, 0, 0xb0, 0x02 } };
	struct trie_key k = { .prefixlen = f->bytes * 8 };
	__u32 want, got;
	int len;

	if (f->family == AF_INET)
		memcpy(fl.saddr, (__u8[]){ 198, 18, 0, 2 }, 4);
	else
		parse_addr("2001:db8::2", &(int){ 0 }, fl.saddr);
	for (unsigned int i = 0; i < e->flows; i++) {
		routegen_dest(&f->rt[rg_next(&rng) % n], f->bytes, &rng,
			      fl.daddr);
		fl.sport = (__u16)(1024 + i % 50000);
		len = frame_build(&fl, f->fr.in[i], FRAME_MAX);
		if (len < 0)
			return len;
		f->fr.inlen[i] = (__u32)len;
		memcpy(k.addr, fl.daddr, 16);
		if (bpf_map_lookup_elem(f->trie_fd, &k, &want)) {
			snprintf(why, whylen,
				 "destination %u: the trie has no route", i);
			return -ENOENT;
		}
		got = fib_lookup(&f->t, f->bytes, fl.daddr);
		if (got != want) {
			snprintf(why, whylen,
				 "destination %u: lib/fib's walk gives "
				 "target %u, the kernel's trie %u",
				 i, got, want);
			return -EBADMSG;
		}
		memcpy(f->fr.exp[i], f->fr.in[i], (size_t)len);
		memcpy(f->fr.exp[i] + 6 + 2, &want, 4);
		f->fr.explen[i] = (__u32)len;
	}
	return 0;
}

static void figs_new(struct fc_env *e, struct fl_family *f, size_t n)
{
	char size[16], name[48];
	static const char *const what[2] = { "LPM trie", "compiled table" };
	struct fig **fig[2] = { &f->trie, &f->table };

	fc_size_name(n, size, sizeof(size));
	for (int i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s_%s_%s", i ? "table" : "trie",
			 f->tag, size);
		*fig[i] = fig_new("fiblookup", name, e->flows, "ns/packet");
		snprintf((*fig[i])->label, sizeof((*fig[i])->label),
			 "IPv%c lookup, %s, %zu routes", f->tag[1], what[i], n);
		fc_describe_single(*fig[i]);
		snprintf((*fig[i])->check, sizeof((*fig[i])->check),
			 "every call: XDP_PASS, output = input with the "
			 "target the kernel's trie gives (from user space) "
			 "for its destination");
	}
	snprintf(name, sizeof(name), "trie_vs_table_%s_%s", f->tag, size);
	f->ratio = fig_new("fiblookup", name, e->flows, "ratio");
	snprintf(f->ratio->label, sizeof(f->ratio->label),
		 "IPv%c, %zu routes: LPM trie / compiled table", f->tag[1], n);
	snprintf(f->ratio->method, sizeof(f->ratio->method),
		 "per repetition, the two figures measured back to back "
		 "(order alternating)");
}

static void details(struct fl_family *f, size_t n)
{
	long long trie = map_memlock(f->trie_fd);

	snprintf(f->trie->extra, sizeof(f->trie->extra),
		 "{\"routes\": %zu, \"insert_routes_per_s\": %.0f, "
		 "\"memlock_bytes\": %lld}",
		 n, (double)n / (f->trie_ns / 1e9), trie);
	snprintf(f->table->extra, sizeof(f->table->extra),
		 "{\"routes\": %zu, \"insert_routes_per_s\": %.0f, "
		 "\"groups_used\": %u, \"groups_pool\": %u, "
		 "\"groups_needed_1M\": %ld, \"p48_slots\": %zu, "
		 "\"p48_slots_max\": %zu, \"used_bytes\": %llu}",
		 n, (double)n / (f->table_ns / 1e9), fib_groups_used(f->fib),
		 f->t.n_groups, f->groups_needed, fib_p48_used(f->fib),
		 fib_p48_slots(f->fib),
		 (unsigned long long)(SLUICE_FIB_ROOT_SIZE +
				      (unsigned long long)fib_groups_used(
					      f->fib) *
					      SLUICE_FIB_GROUP_SIZE) *
			 4);
	note("fiblookup: IPv%c %zu routes: trie %.0f routes/s (%.1f MiB), "
	     "table %.0f routes/s, %u groups of %u (%.1f MiB with the root), "
	     "%zu of %zu /48 index slots",
	     f->tag[1], n, (double)n / (f->trie_ns / 1e9),
	     (double)trie / 1048576, (double)n / (f->table_ns / 1e9),
	     fib_groups_used(f->fib), f->t.n_groups,
	     (64.0 * 1048576 + (double)fib_groups_used(f->fib) * 1024) /
		     1048576,
	     fib_p48_used(f->fib), fib_p48_slots(f->fib));
}

static void measure(struct fc_env *e, struct fl_family *f, unsigned int rep)
{
	struct fig *a = rep % 2 ? f->table : f->trie;
	struct fig *b = rep % 2 ? f->trie : f->table;
	double na, nb;

	if (a->invalid || b->invalid ||
	    !fc_single(e, a, rep % 2 ? f->fd_table : f->fd_trie, XDP_PASS,
		       &f->fr, &na) ||
	    !fc_single(e, b, rep % 2 ? f->fd_trie : f->fd_table, XDP_PASS,
		       &f->fr, &nb)) {
		fig_invalid(f->ratio, "a figure is INVALID");
		return;
	}
	fig_add(a, na);
	fig_add(b, nb);
	fig_add(f->ratio, rep % 2 ? nb / na : na / nb);
}

static int setup(struct fc_env *e, struct fl_family *fam, size_t n_max,
		 struct dp_fiblookup **b)
{
	int err = 0;

	for (int i = 0; i < 2 && !err; i++) {
		struct fl_family *f = &fam[i];

		f->rt = calloc(n_max, sizeof(*f->rt));
		err = !f->rt ? -ENOMEM :
		      f->family == AF_INET ?
			       routegen_v4(f->rt, n_max, f->seed) :
			       routegen_v6(f->rt, n_max, f->seed);
		if (!err) {
			f->groups_needed =
				routegen_groups(f->rt, n_max, f->bytes);
			err = f->groups_needed < 0 ? (int)f->groups_needed : 0;
		}
		err = err ?: fc_frames_alloc(&f->fr, e->flows);
	}
	if (err)
		return err;
	/* exactly what the largest set needs, and a little more */
	*b = dp_fiblookup_open((__u32)fam[0].groups_needed + 64,
			       (__u32)fam[1].groups_needed + 64,
			       e->o->v6_index_bits);
	if (!*b)
		return -errno;
	return fl_open(e, *b, &fam[0]) ?: fl_open(e, *b, &fam[1]);
}

int fiblookup_run(struct fc_env *e)
{
	struct fl_family fam[2] = {
		{ .family = AF_INET,
		  .bytes = 4,
		  .tag = "v4",
		  .seed = 0x5eed0104ull },
		{ .family = AF_INET6,
		  .bytes = 16,
		  .tag = "v6",
		  .seed = 0x5eed0106ull },
	};
	unsigned int n_sizes = e->o->smoke ? 1 : N_SIZES;
	struct dp_fiblookup *b = NULL;
	char why[160];
	int err;

	err = setup(e, fam, sizes[n_sizes - 1], &b);
	if (err) {
		note("fiblookup: setup: %s", strerror(-err));
		goto out;
	}
	note("fiblookup: group pools for %lu routes: IPv4 %ld, IPv6 %ld",
	     sizes[n_sizes - 1], fam[0].groups_needed, fam[1].groups_needed);
	for (unsigned int s = 0; s < n_sizes; s++) {
		size_t n = sizes[s];

		for (int i = 0; i < 2; i++) {
			struct fl_family *f = &fam[i];

			figs_new(e, f, n);
			err = grow(f, n);
			if (err) {
				fig_invalid(f->table, "loading %zu routes: %s",
					    n, strerror(-err));
				fig_invalid(f->trie, "%s", f->table->why);
				continue;
			}
			details(f, n);
			why[0] = '\0';
			err = frames(e, f, n, why, sizeof(why));
			if (err) {
				fig_invalid(f->table, "frames: %s",
					    why[0] ? why : strerror(-err));
				fig_invalid(f->trie, "%s", f->table->why);
			}
		}
		for (unsigned int rep = 0; rep < e->o->reps; rep++) {
			if (!fc_pass_batch(e))
				break;
			for (int i = 0; i < 2; i++)
				measure(e, &fam[i], rep);
		}
		for (int i = 0; i < 2; i++) {
			fc_measured(fam[i].trie);
			fc_measured(fam[i].table);
			if (fam[i].trie->invalid)
				fig_invalid(fam[i].ratio, "%s",
					    fam[i].trie->why);
			fc_measured(fam[i].ratio);
			fig_tap(fam[i].trie, "path check");
			fig_tap(fam[i].table, "path check");
			fig_tap(fam[i].ratio, "figure (both path-checked)");
		}
	}
	err = 0;
out:
	fl_close(&fam[0]);
	fl_close(&fam[1]);
	dp_fiblookup_close(b);
	return err;
}
