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
 * -F ip`); addresses outside the program are counted apart.  Of the loaded
 * programs with that name (or tag), the one holding most samples is read.
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

/* Where a program's JIT image lies: one range per function. */
struct prog_image {
	unsigned long long *start;
	__u32 *len;
	__u32 n;
};

static void prog_image_free(struct prog_image *img)
{
	free(img->start);
	free(img->len);
	*img = (struct prog_image){ 0 };
}

static int prog_image_read(int fd, struct prog_image *img)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	*img = (struct prog_image){ 0 };
	memset(&info, 0, len);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (!info.nr_jited_ksyms ||
	    info.nr_jited_ksyms != info.nr_jited_func_lens)
		return -ENOENT;
	img->n = info.nr_jited_ksyms;
	img->start = calloc(img->n, sizeof(*img->start));
	img->len = calloc(img->n, sizeof(*img->len));
	if (!img->start || !img->len) {
		prog_image_free(img);
		return -ENOMEM;
	}
	len = sizeof(info);
	memset(&info, 0, len);
	info.nr_jited_ksyms = img->n;
	info.jited_ksyms = (unsigned long)img->start;
	info.nr_jited_func_lens = img->n;
	info.jited_func_lens = (unsigned long)img->len;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		prog_image_free(img);
		return -errno;
	}
	return 0;
}

/* Small programs share a JIT page (the kernel packs them), so an address
 * near a program's code may be another program's: only its own ranges
 * count. */
static int prog_image_holds(const struct prog_image *img, unsigned long long ip)
{
	for (__u32 f = 0; f < img->n; f++)
		if (ip >= img->start[f] && ip - img->start[f] < img->len[f])
			return 1;
	return 0;
}

/* How many of @ips fall inside @fd's JIT image. */
static long prog_samples(int fd, const unsigned long long *ips, long n_ips)
{
	struct prog_image img;
	long in = 0;

	if (prog_image_read(fd, &img))
		return 0;
	for (long i = 0; i < n_ips; i++)
		in += prog_image_holds(&img, ips[i]);
	prog_image_free(&img);
	return in;
}

/* The fd of the program called @want (or whose tag it is) that holds most
 * of @ips: a running sluiced loads programs of the same name, and two
 * loads of one object can share a tag (it hashes the instructions with
 * the map references left out). */
static int prog_find(const char *want, const unsigned long long *ips,
		     long n_ips)
{
	struct bpf_prog_info info;
	__u32 id = 0, len;
	int fd, found = -ENOENT;
	long most = -1;

	while (!bpf_prog_get_next_id(id, &id)) {
		char tag[2 * BPF_TAG_SIZE + 1];
		long in;

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
		in = prog_samples(fd, ips, n_ips);
		if (in < most) {
			close(fd);
			continue;
		}
		if (found >= 0)
			close(found);
		found = fd; /* on a tie, the newest: ids grow */
		most = in;
	}
	return found;
}

/* The sample file's addresses (`perf script -F ip`), zeros left out. */
static long samples_read(const char *path, unsigned long long **ips)
{
	unsigned long long *all = NULL, *more;
	long n = 0, cap = 0;
	char buf[256];
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		unsigned long long ip = strtoull(buf, NULL, 16);

		if (!ip)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			more = realloc(all, (size_t)cap * sizeof(*all));
			if (!more) {
				free(all);
				fclose(f);
				return -1;
			}
			all = more;
		}
		all[n++] = ip;
	}
	fclose(f);
	*ips = all;
	return n;
}

int main(int argc, char **argv)
{
	struct line_start *starts = NULL;
	struct bpf_prog_info info;
	unsigned long long *jited = NULL;
	long *hits = NULL, in = 0, out = 0;
	struct btf *btf = NULL;
	unsigned long long *ips = NULL;
	struct prog_image img = { 0 };
	char *lines = NULL;
	__u32 n_jited, n_lines, rec, len;
	int fd, top, err = 1;
	long n_ips;

	if (argc < 3) {
		fprintf(stderr,
			"usage: sluice-lineprof NAME|TAG SAMPLES [TOP]\n");
		return 2;
	}
	top = argc > 3 ? atoi(argv[3]) : 30;
	n_ips = samples_read(argv[2], &ips);
	if (n_ips < 0)
		return 1;
	fd = prog_find(argv[1], ips, n_ips);
	if (fd < 0) {
		free(ips);
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
	if (prog_image_read(fd, &img)) {
		fprintf(stderr, "lineprof: %s: no JIT image\n", argv[1]);
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

	for (long s = 0; s < n_ips; s++) {
		unsigned long long ip = ips[s];
		long lo = 0, hi = (long)n_jited - 1, at = -1;

		while (lo <= hi) {
			long mid = (lo + hi) / 2;

			if (starts[mid].addr <= ip) {
				at = mid;
				lo = mid + 1;
			} else {
				hi = mid - 1;
			}
		}
		if (at < 0 || !prog_image_holds(&img, ip)) {
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
	btf__free(btf);
	prog_image_free(&img);
	free(ips);
	free(hits);
	free(starts);
	free(lines);
	free(jited);
	close(fd);
	return err;
}
