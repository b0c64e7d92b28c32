// SPDX-License-Identifier: BSD-2-Clause
/*
 * Control-plane figures that need no daemon: Maglev table build time
 * (lib/maglev), the LPM insert rate through lib/dp, and the memory the
 * kernel charges for sluice's maps (memlock in /proc/self/fdinfo, the
 * figure `bpftool map show` prints).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "bench.h"
#include "dp.h"
#include "maglev.h"

long long map_memlock(int fd)
{
	char path[64], line[256];
	long long v = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* ---- Maglev ------------------------------------------------------------------ */

static int maglev_fig(const struct bench_opts *o, unsigned int n, __u32 m,
		      struct maglev_backend *mb, __u32 *table)
{
	char name[48];
	struct fig *f;
	int err = 0;

	snprintf(name, sizeof(name), "maglev_build_%u_M%u", n, m);
	f = fig_new("control", name, 0, "ms");
	snprintf(f->label, sizeof(f->label), "Maglev table, %u backends, M=%u",
		 n, m);
	snprintf(f->method, sizeof(f->method),
		 "maglev_build() wall time (CLOCK_MONOTONIC), weight 1 each, "
		 "keys of distinct IPv4 addresses");
	snprintf(
		f->check, sizeof(f->check),
		"every slot holds a backend; slots per backend within 1%% of M/n "
		"(or 1 slot)");
	for (unsigned int rep = 0; rep < o->reps && !err; rep++) {
		unsigned int *count = calloc(n + 1, sizeof(*count));
		double t0 = now_ns(), t;
		unsigned int lo = ~0u, hi = 0;

		if (!count)
			return -ENOMEM;
		err = maglev_build(mb, n, m, table);
		t = now_ns() - t0;
		for (__u32 s = 0; s < m && !err; s++) {
			if (!table[s] || table[s] > n)
				err = -EINVAL;
			else
				count[table[s]]++;
		}
		for (unsigned int b = 1; b <= n && !err; b++) {
			lo = count[b] < lo ? count[b] : lo;
			hi = count[b] > hi ? count[b] : hi;
		}
		free(count);
		if (err) {
			fig_invalid(f, "maglev_build: %s", strerror(-err));
			break;
		}
		/* Maglev's balance: at most a few slots apart */
		if (hi - lo > 1 && (hi - lo) * 100.0 > (double)m / n) {
			fig_invalid(f, "unbalanced: %u..%u slots per backend",
				    lo, hi);
			break;
		}
		fig_add(f, t / 1e6);
		f->runs = 1;
	}
	fig_tap(f, "figure (table checked)");
	return 0;
}

static int maglev_figs(const struct bench_opts *o)
{
	static const unsigned int ns[] = { 10, 100, 1000 };
	static const __u32 ms[] = { 65537, 655373 };
	struct maglev_backend *mb = calloc(1000, sizeof(*mb));
	__u32 *table = calloc(655373, sizeof(*table));
	int err = 0;

	if (!mb || !table) {
		free(mb);
		free(table);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < 1000; i++) {
		/* 198.18.(i / 250).(1 + i % 250), as sluiced keys backends */
		__u8 id[5] = { 4, 198, 18, (__u8)(i / 250),
			       (__u8)(1 + i % 250) };

		mb[i] = (struct maglev_backend){ .key = maglev_key(id, 5),
						 .weight = 1,
						 .value = i + 1 };
	}
	for (size_t a = 0; a < 3 && !err; a++)
		for (size_t b = 0; b < 2 && !err; b++)
			err = maglev_fig(o, ns[a], ms[b], mb, table);
	free(mb);
	free(table);
	return err;
}

/* ---- LPM insert rate and map memory ------------------------------------------- */

#define LPM_ROUTES 100000u

static void route_key(int family, unsigned int i, __u8 a[16],
		      unsigned int *plen)
{
	memset(a, 0, 16);
	if (family == AF_INET) {
		/* 100k /32s from 198.18.64.0: inside 198.18.0.0/15 */
		__u32 v = (198u << 24 | 18u << 16 | 64u << 8) + i;

		a[0] = v >> 24;
		a[1] = (__u8)(v >> 16);
		a[2] = (__u8)(v >> 8);
		a[3] = (__u8)v;
		*plen = 32;
	} else {
		/* 2001:db8:1000+i/65536:i%65536::/64 */
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[4] = (__u8)(0x10 + (i >> 24));
		a[5] = (__u8)(i >> 16);
		a[6] = (__u8)(i >> 8);
		a[7] = (__u8)i;
		*plen = 64;
	}
}

static void memory_extra(struct dp *dp, struct fig *f, long long *total)
{
	size_t pos = 0;

	*total = 0;
	for (int id = 0; id < DP_MAP_COUNT; id++) {
		long long b = map_memlock(dp_map_fd(dp, (enum dp_map_id)id));

		if (b < 0)
			continue;
		*total += b;
		pos += (size_t)snprintf(f->extra + pos, sizeof(f->extra) - pos,
					"%s\"%s\": %lld", pos ? ", " : "{",
					dp_map_name((enum dp_map_id)id), b);
		if (pos >= sizeof(f->extra) - 2) {
			f->extra[0] = '\0';
			return;
		}
	}
	if (pos)
		snprintf(f->extra + pos, sizeof(f->extra) - pos, "}");
}

static int lpm_figs(const struct bench_opts *o)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct fig *rate[2], *mem_empty, *mem_full;
	struct sluice_route rt = { .nhg_id = 1, .type = SLUICE_RT_FORWARD };
	unsigned int n = o->smoke ? 2000 : LPM_ROUTES;
	long long total;

	rate[0] = fig_new("control", "lpm_insert_v4", 0, "routes/s");
	rate[1] = fig_new("control", "lpm_insert_v6", 0, "routes/s");
	mem_empty = fig_new("control", "map_memory_empty", 0, "bytes");
	mem_full = fig_new("control", "map_memory_loaded", 0, "bytes");
	for (int i = 0; i < 2; i++) {
		snprintf(rate[i]->label, sizeof(rate[i]->label),
			 "LPM insert via lib/dp, IPv%d", i ? 6 : 4);
		snprintf(rate[i]->method, sizeof(rate[i]->method),
			 "%u dp_route_set() into an empty trie of a freshly "
			 "loaded object, wall time",
			 n);
		snprintf(rate[i]->check, sizeof(rate[i]->check),
			 "dp_map_count() = %u afterwards", n);
	}
	snprintf(mem_empty->label, sizeof(mem_empty->label),
		 "map memory, tables empty");
	snprintf(mem_full->label, sizeof(mem_full->label),
		 "map memory, %u IPv4 + %u IPv6 routes", n, n);
	snprintf(mem_empty->method, sizeof(mem_empty->method),
		 "sum of memlock (/proc/self/fdinfo) over sluice_xdp's maps");
	snprintf(mem_full->method, sizeof(mem_full->method), "%s",
		 mem_empty->method);

	for (unsigned int rep = 0; rep < o->reps; rep++) {
		struct dp *dp = NULL;
		int err = dp_open(&dp, &(struct dp_opts){ 0 });

		if (err) {
			for (int i = 0; i < 2; i++)
				fig_invalid(rate[i], "dp_open: %s",
					    strerror(-err));
			break;
		}
		memory_extra(dp, mem_empty, &total);
		fig_add(mem_empty, (double)total);
		for (int i = 0; i < 2; i++) {
			double t0 = now_ns(), t;
			__u8 a[16];
			unsigned int plen;
			int cnt;

			for (unsigned int r = 0; r < n && !err; r++) {
				route_key(fams[i], r, a, &plen);
				err = dp_route_set(dp, fams[i], a, plen, &rt);
			}
			t = now_ns() - t0;
			cnt = dp_map_count(dp, i ? DP_MAP_ROUTES_V6 :
						   DP_MAP_ROUTES_V4);
			if (err || cnt != (int)n) {
				fig_invalid(rate[i],
					    "dp_route_set: %s, %d "
					    "routes in the map",
					    strerror(-err), cnt);
				continue;
			}
			fig_add(rate[i], n / (t / 1e9));
			rate[i]->runs = n;
		}
		memory_extra(dp, mem_full, &total);
		fig_add(mem_full, (double)total);
		dp_close(dp);
	}
	fig_tap(rate[0], "figure (routes counted back)");
	fig_tap(rate[1], "figure (routes counted back)");
	fig_tap(mem_empty, "figure");
	fig_tap(mem_full, "figure");
	return 0;
}

int ctlplane_run(const struct bench_opts *o)
{
	return maglev_figs(o) ?: lpm_figs(o);
}
