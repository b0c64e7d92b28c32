// SPDX-License-Identifier: GPL-2.0-only
/*
 * sluice-lineprof: where a loaded BPF program spends its samples, by source
 * line.  perf on this kind of machine cannot annotate BPF (no libopcodes),
 * but the kernel keeps, for every program loaded with BTF, the JIT address
 * where each source line's code starts (jited_line_info) and the line itself
 * (line_info + BTF strings).  A sample's address maps to the last line that
 * starts at or before it.  bench/lineprof.sh records the samples.
 *
 *   sluice-lineprof NAME|TAG SAMPLES [TOP]
 *
 * SAMPLES has one hexadecimal instruction address per line (`perf script
 * -F ip`); addresses outside the program are counted apart.  The newest
 * loaded program with that name (or tag) is the one read.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct line_start {
	__u64 addr;
	__u32 line; /* index into line_info */
};

static int by_addr(const void *a, const void *b)
{
	const struct line_start *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The fd of the newest program called @want (or whose tag it is). */
static int prog_find(const char *want)
{
	struct bpf_prog_info info;
	__u32 id = 0, len;
	int fd, found = -ENOENT;

	while (!bpf_prog_get_next_id(id, &id)) {
		char tag[2 * BPF_TAG_SIZE + 1];

		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		len = sizeof(info);
		memset(&info, 0, len);
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		for (int i = 0; i < BPF_TAG_SIZE; i++)
			snprintf(tag + 2 * i, 3, "%02x", info.tag[i]);
		if (strcmp(info.name, want) && strcmp(tag, want)) {
			close(fd);
			continue;
		}
		if (found >= 0)
			close(found);
		found = fd; /* ids grow: the last match is the newest */
	}
	return found;
}

int main(int argc, char **argv)
{
	struct line_start *starts = NULL;
	struct bpf_prog_info info;
	unsigned long long *jited = NULL;
	long *hits = NULL, in = 0, out = 0;
	struct btf *btf = NULL;
	char *lines = NULL, buf[256];
	__u32 n_jited, n_lines, rec, len;
	int fd, top, err = 1;
	FILE *samples = NULL;

	if (argc < 3) {
		fprintf(stderr,
			"usage: sluice-lineprof NAME|TAG SAMPLES [TOP]\n");
		return 2;
	}
	top = argc > 3 ? atoi(argv[3]) : 30;
	fd = prog_find(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "lineprof: no loaded program %s\n", argv[1]);
		return 1;
	}
	len = sizeof(info);
	memset(&info, 0, len);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		goto out;
	n_jited = info.nr_jited_line_info;
	n_lines = info.nr_line_info;
	rec = info.line_info_rec_size;
	if (!n_jited || n_jited != n_lines || !info.btf_id) {
		fprintf(stderr,
			"lineprof: %s has no line info (loaded without BTF, or not JITed)\n",
			argv[1]);
		goto out;
	}
	jited = calloc(n_jited, sizeof(*jited));
	lines = calloc(n_lines, rec);
	starts = calloc(n_jited, sizeof(*starts));
	hits = calloc(n_lines, sizeof(*hits));
	if (!jited || !lines || !starts || !hits)
		goto out;
	len = sizeof(info);
	memset(&info, 0, len);
	info.nr_jited_line_info = n_jited;
	info.jited_line_info = (unsigned long)jited;
	info.jited_line_info_rec_size = sizeof(*jited);
	info.nr_line_info = n_lines;
	info.line_info = (unsigned long)lines;
	info.line_info_rec_size = rec;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		perror("lineprof: line info");
		goto out;
	}
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf) {
		perror("lineprof: BTF");
		goto out;
	}
	/* the program's functions are laid out apart: sort all starts */
	for (__u32 i = 0; i < n_jited; i++)
		starts[i] = (struct line_start){ .addr = jited[i], .line = i };
	qsort(starts, n_jited, sizeof(*starts), by_addr);

	samples = fopen(argv[2], "r");
	if (!samples) {
		perror(argv[2]);
		goto out;
	}
	while (fgets(buf, sizeof(buf), samples)) {
		unsigned long long ip = strtoull(buf, NULL, 16);
		long lo = 0, hi = (long)n_jited - 1, at = -1;

		if (!ip)
			continue;
		while (lo <= hi) {
			long mid = (lo + hi) / 2;

			if (starts[mid].addr <= ip) {
				at = mid;
				lo = mid + 1;
			} else {
				hi = mid - 1;
			}
		}
		/* past the last line's start by more than a page: not ours */
		if (at < 0 || ip - starts[at].addr > 4096) {
			out++;
			continue;
		}
		hits[starts[at].line]++;
		in++;
	}
	printf("# %ld samples in %s, %ld outside it\n", in, argv[1], out);
	for (int n = 0; n < top && in; n++) {
		const struct bpf_line_info *l;
		const char *file, *src, *base;
		long most = 0;
		__u32 best = 0;

		for (__u32 i = 0; i < n_lines; i++)
			if (hits[i] > most) {
				most = hits[i];
				best = i;
			}
		if (!most)
			break;
		l = (const void *)(lines + (size_t)best * rec);
		file = btf__name_by_offset(btf, l->file_name_off);
		src = btf__name_by_offset(btf, l->line_off);
		base = file ? strrchr(file, '/') : NULL;
		printf("%5.1f%%  %s:%u  %.100s\n",
		       100.0 * (double)most / (double)in,
		       base ? base + 1 : (file ? file : "?"),
		       BPF_LINE_INFO_LINE_NUM(l->line_col), src ? src : "");
		hits[best] = 0;
	}
	err = 0;
out:
	if (samples)
		fclose(samples);
	btf__free(btf);
	free(hits);
	free(starts);
	free(lines);
	free(jited);
	close(fd);
	return err;
}
