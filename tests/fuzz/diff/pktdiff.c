// SPDX-License-Identifier: BSD-2-Clause
/*
 * pktdiff: the differential packet fuzzer's driver.
 *
 *   pktdiff [--count N] [--seed S] [--index I] [--config NAME] [--self-test]
 *
 * In a network namespace of its own, for each configuration (topo.c) it
 * programs a fresh lib/dp, then runs N / configurations generated frames
 * (gen.c) through the real program with BPF_PROG_TEST_RUN (repeat 1) and
 * through the reference model (model_*.c), comparing the action, the output
 * bytes and the reason: the per-reason counters are read every BATCH frames
 * and must have moved exactly as the model's tally says (each frame in
 * exactly one counter); when they did not, the batch is replayed one frame
 * at a time to find the frame.  A disagreement prints the frame in hex,
 * both results, the seed and the index; at most MAX_REPORTS are printed and
 * the run exits 1.  One TAP line per configuration.
 *
 * --self-test then runs the router's configuration twice with a planted
 * model error, one that changes the action and the bytes (TTL 2 taken as
 * expired) and one that only the reason counters can see (IPv4 multicast
 * counted as link-local); each passes when the driver catches it.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <uapi/sluice/sluice.h>
#include "diff.h"
#include "dp.h"
#include "testrun.h"

#define BATCH 4096
#define MAX_REPORTS 10
#define SLOTS 8 /* counter slots the topology uses (0..4), and room */
#define SELF_TEST_COUNT 20000

static const char *const devs[4] = { "pd0", "pd1", "pd2", "pd3" };
static const char *const configs[] = { "xdp-router", "xdp-lb", "tc-router",
				       "xdp-decap" };

struct tally {
	__u64 packets[SLOTS][SLUICE_REASON_SLOTS];
	__u64 bytes[SLOTS][SLUICE_REASON_SLOTS];
};

struct run {
	struct dcfg cfg;
	struct dp *dp;
	int prog_fd;
	__u64 seed;
	__u64 start;	      /* the first frame's index */
	bool verbose;	      /* print every frame and both results (--index) */
	bool replaying;	      /* the counters' replay: actions were reported */
	unsigned int reports; /* disagreements printed */
	__u64 disagree;
	__u64 frames, refused;
	__u64 verdicts[8];		    /* by the model's action */
	__u64 reasons[SLUICE_REASON_SLOTS]; /* by the model's reason */
	struct tally want; /* the model's, since the last read */
	struct sluice_counter seen[SLOTS][SLUICE_REASON_SLOTS]; /* last read */
};

static struct run R;

static int sh(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -EIO;
}

static int make_netns(__u32 dev[4])
{
	char cmd[160];

	if (geteuid() != 0) {
		printf("# not root: BPF and unshare need it\n");
		return -EPERM;
	}
	if (unshare(CLONE_NEWNET)) {
		printf("# unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -errno;
	}
	for (int i = 0; i < 4; i++) {
		snprintf(cmd, sizeof(cmd),
			 "ip link add %s type veth peer name %sp && "
			 "ip link set %s up && ip link set %sp up",
			 devs[i], devs[i], devs[i], devs[i]);
		if (sh(cmd))
			return -EIO;
		dev[i] = if_nametoindex(devs[i]);
		if (!dev[i])
			return -ENODEV;
	}
	return 0;
}

/* ---- one frame ------------------------------------------------------------ */

/* Frames test_run refuses as an skb (checked here on Linux 6.18): shorter
 * than Ethernet, or an untagged IP ethertype without a whole IP header. */
static bool skb_refuses(const struct d_frame *f)
{
	__u16 type = (__u16)(f->buf[12] << 8 | f->buf[13]);

	return (type == 0x0800 && f->len < 14 + 20) ||
	       (type == 0x86dd && f->len < 14 + 40);
}

static int prog_run(struct run *r, const struct d_frame *f,
		    struct d_result *got)
{
	struct dp_test_run t = { .ifindex = f->ifindex,
				 .gso_segs = f->gso_segs,
				 .gso_size = f->gso_size,
				 .repeat = 1,
				 .out = got->out,
				 .out_size = sizeof(got->out) };
	int err = r->cfg.prog == D_PROG_TC ?
			  dp_test_run_skb(r->prog_fd, f->buf, f->len, &t) :
			  dp_test_run_xdp(r->prog_fd, f->buf, f->len, &t);

	got->retval = t.retval;
	got->out_len = t.out_len;
	return err;
}

static void hex(const char *what, const __u8 *b, __u32 len)
{
	printf("#   %s (%u bytes):", what, len);
	for (__u32 i = 0; i < len; i++)
		printf("%s%02x", i % 32 ? "" : "\n#     ", b[i]);
	printf("\n");
}

/* Counts a disagreement and prints it: false when it is past the ones
 * printed. */
static bool report(struct run *r, __u64 index, const struct d_frame *f,
		   const struct d_result *want, const struct d_result *got,
		   const char *what)
{
	r->disagree++;
	if (r->reports++ >= (r->cfg.plant ? 1 : MAX_REPORTS))
		return false;
	printf("# %s: disagreement at seed %llu index %llu (%s): ingress "
	       "ifindex %u, gso %u x %u\n",
	       r->cfg.name, (unsigned long long)r->seed,
	       (unsigned long long)index, what, f->ifindex, f->gso_segs,
	       f->gso_size);
	hex("frame", f->buf, f->len);
	printf("#   model: action %u reason %d (%s) slot %u\n", want->retval,
	       want->reason, dp_reason_name((unsigned int)want->reason),
	       want->slot);
	if (got) {
		printf("#   program: action %u\n", got->retval);
		hex("model output", want->out, want->out_len);
		hex("program output", got->out,
		    got->out_len < D_OUT_MAX ? got->out_len : D_OUT_MAX);
	}
	return true;
}

/* Runs frame @index (into @f); false on a disagreement of action or
 * bytes.  want->reason is -1 for a frame no counter sees. */
static bool one(struct run *r, __u64 index, struct d_frame *f,
		struct d_result *want)
{
	static struct d_result got;
	int err;

	gen_frame(&r->cfg, r->seed, index, f);
	model_run(&r->cfg, f, want);
	err = prog_run(r, f, &got);
	if (r->cfg.prog == D_PROG_TC && skb_refuses(f)) {
		/* refused before the program runs: counted nowhere */
		want->reason = -1;
		if (err == -EINVAL) {
			r->refused++;
			return true;
		}
		report(r, index, f, want, &got,
		       "test_run took a frame "
		       "it should refuse");
		return false;
	}
	if (err) {
		printf("# test_run: %s\n", strerror(-err));
		report(r, index, f, want, NULL, "test_run failed");
		want->reason = -1;
		return false;
	}
	if (r->verbose) {
		printf("# index %llu, ingress ifindex %u, gso %u x %u\n",
		       (unsigned long long)index, f->ifindex, f->gso_segs,
		       f->gso_size);
		hex("frame", f->buf, f->len);
		printf("#   model: action %u reason %s slot %u; program: "
		       "action %u\n",
		       want->retval, dp_reason_name((unsigned int)want->reason),
		       want->slot, got.retval);
		hex("model output", want->out, want->out_len);
		hex("program output", got.out,
		    got.out_len < D_OUT_MAX ? got.out_len : D_OUT_MAX);
	}
	if (r->replaying)
		return true;
	if (got.retval != want->retval || got.out_len != want->out_len ||
	    memcmp(got.out, want->out, want->out_len)) {
		report(r, index, f, want, &got, "action or output");
		return false;
	}
	return true;
}

/* ---- counters --------------------------------------------------------------- */

typedef struct sluice_counter counters_t[SLOTS][SLUICE_REASON_SLOTS];

static int read_counters(struct run *r, counters_t now)
{
	for (__u32 s = 0; s < SLOTS; s++) {
		int err = dp_stats_read(r->dp, s, now[s]);

		if (err)
			return err;
	}
	return 0;
}

/* The counters moved from r->seen to @now exactly as @t says. */
static bool counters_match(const struct run *r, counters_t now,
			   const struct tally *t)
{
	for (__u32 s = 0; s < SLOTS; s++)
		for (__u32 x = 0; x < SLUICE_REASON_SLOTS; x++)
			if (now[s][x].packets - r->seen[s][x].packets !=
				    t->packets[s][x] ||
			    now[s][x].bytes - r->seen[s][x].bytes !=
				    t->bytes[s][x])
				return false;
	return true;
}

static void counters_diag(const struct run *r, counters_t now,
			  const struct tally *t)
{
	for (__u32 s = 0; s < SLOTS; s++)
		for (__u32 x = 0; x < SLUICE_REASON_SLOTS; x++) {
			__u64 moved = now[s][x].packets - r->seen[s][x].packets;

			if (moved != t->packets[s][x])
				printf("#   slot %u %s: moved %llu, model %llu\n",
				       s, dp_reason_name(x),
				       (unsigned long long)moved,
				       (unsigned long long)t->packets[s][x]);
		}
}

static void tally_add(struct tally *t, const struct d_result *w, __u32 len)
{
	if (w->reason < 0 || w->slot >= SLOTS)
		return;
	t->packets[w->slot][w->reason]++;
	t->bytes[w->slot][w->reason] += len;
}

/* The batch's counters disagree: replay it one frame at a time (the flow
 * table may have entries the first pass made: they name the same
 * backends). */
static int replay(struct run *r, __u64 first, __u64 n)
{
	static counters_t now;
	static struct tally t;
	static struct d_result want;
	static struct d_frame f;
	int err = read_counters(r, r->seen);

	r->replaying = true;
	for (__u64 i = first; !err && i < first + n && r->reports < MAX_REPORTS;
	     i++) {
		memset(&t, 0, sizeof(t));
		one(r, i, &f, &want);
		tally_add(&t, &want, f.len);
		err = read_counters(r, now);
		if (err)
			break;
		if (!counters_match(r, now, &t) &&
		    report(r, i, &f, &want, NULL, "reason counter"))
			counters_diag(r, now, &t);
		memcpy(r->seen, now, sizeof(now));
	}
	r->replaying = false;
	return err;
}

/* Every slot the program has, not only those the topology uses: the
 * packets counted in all of them must be the frames it ran, one each
 * (the batches checked slots 0..SLOTS-1 exactly). */
static int all_counted(struct run *r, __u64 counted)
{
	static struct sluice_counter c[SLUICE_REASON_SLOTS];
	__u64 total = 0;

	for (__u32 s = 0; s < SLUICE_MAX_IFACES; s++) {
		int err = dp_stats_read(r->dp, s, c);

		if (err)
			return err;
		for (__u32 x = 0; x < SLUICE_REASON_SLOTS; x++) {
			total += c[x].packets;
			if (s >= SLOTS && c[x].packets &&
			    r->reports < MAX_REPORTS) {
				r->reports++;
				r->disagree++;
				printf("# %s: %llu packets in slot %u %s, a slot "
				       "no port has\n",
				       r->cfg.name,
				       (unsigned long long)c[x].packets, s,
				       dp_reason_name(x));
			}
		}
	}
	if (total != counted) {
		r->disagree++;
		printf("# %s: the counters hold %llu packets, the program ran "
		       "%llu frames\n",
		       r->cfg.name, (unsigned long long)total,
		       (unsigned long long)counted);
	}
	return 0;
}

static int run_frames(struct run *r, __u64 count)
{
	static counters_t now;
	static struct d_result want;
	static struct d_frame f;
	__u64 first = r->start, end = r->start + count, counted = 0;
	int err = read_counters(r, r->seen);

	memset(&r->want, 0, sizeof(r->want));
	for (__u64 i = r->start; !err && i < end && r->reports < MAX_REPORTS;
	     i++) {
		one(r, i, &f, &want);
		if (want.reason >= 0 && want.retval < 8)
			r->verdicts[want.retval]++;
		if (want.reason >= 0)
			r->reasons[want.reason]++;
		tally_add(&r->want, &want, f.len);
		counted += want.reason >= 0;
		r->frames++;
		if ((i + 1) % BATCH && i + 1 != end)
			continue;
		err = read_counters(r, now);
		if (err)
			break;
		if (!counters_match(r, now, &r->want))
			err = replay(r, first, i + 1 - first);
		else
			memcpy(r->seen, now, sizeof(now));
		memset(&r->want, 0, sizeof(r->want));
		first = i + 1;
	}
	if (!err && !r->disagree)
		err = all_counted(r, counted);
	return err;
}

/* ---- configurations ------------------------------------------------------- */

static const char *action_name(const struct dcfg *c, __u32 a)
{
	static const char *const xdp[] = { "aborted", "drop", "pass", "tx",
					   "redirect" };

	if (c->prog != D_PROG_TC)
		return a < 5 ? xdp[a] : "?";
	return a == TC_ACT_OK	    ? "ok" :
	       a == TC_ACT_SHOT	    ? "shot" :
	       a == TC_ACT_REDIRECT ? "redirect" :
				      "?";
}

/* What the frames exercised: the model's reasons. */
static void reasons_diag(const struct run *r)
{
	unsigned int n = 0;

	printf("# %s reasons:", r->cfg.name);
	for (__u32 x = 0; x < SLUICE_REASON_SLOTS; x++) {
		if (!r->reasons[x])
			continue;
		printf("%s %s %llu", n++ % 6 ? "" : "\n#  ", dp_reason_name(x),
		       (unsigned long long)r->reasons[x]);
	}
	printf("\n");
}

/* One configuration: false when it did not agree (or could not run). */
static bool run_one(const char *name, const __u32 dev[4], __u64 seed,
		    __u64 start, __u64 count, int plant, unsigned int *tap)
{
	struct run *r = &R;
	struct timespec t0, t1;
	char why[256], line[512];
	size_t pos = 0;
	bool ok;
	int err;

	memset(r, 0, sizeof(*r));
	r->seed = seed;
	r->start = start;
	r->verbose = start && count == 1;
	err = topo_build(&r->cfg, name, dev);
	if (err) {
		printf("not ok %u - %s: unknown configuration\n", ++*tap, name);
		return false;
	}
	r->cfg.plant = plant;
	err = setup_dp(&r->cfg, &r->dp, &r->prog_fd, why, sizeof(why));
	if (err) {
		printf("not ok %u - %s: %s\n", ++*tap, name, why);
		return false;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = run_frames(r, count);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dp_close(r->dp);
	for (__u32 a = 0; a < 8; a++)
		if (r->verdicts[a])
			pos += (size_t)snprintf(
				line + pos, sizeof(line) - pos, " %s %llu",
				action_name(&r->cfg, a),
				(unsigned long long)r->verdicts[a]);
	if (r->refused)
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos,
					" refused-by-test_run %llu",
					(unsigned long long)r->refused);
	ok = !err && !r->disagree && r->frames == count;
	if (plant) /* the self-test passes when the error is caught */
		ok = !err && r->disagree;
	printf("%sok %u - %s%s: %llu frames (seed %llu):%s; %llu "
	       "disagreements; %.1f s\n",
	       ok ? "" : "not ", ++*tap,
	       plant == 1 ? "self-test, planted action error: " :
	       plant == 2 ? "self-test, planted reason error: " :
			    "",
	       name, (unsigned long long)r->frames, (unsigned long long)seed,
	       line, (unsigned long long)r->disagree,
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (err)
		printf("# %s: %s\n", name, strerror(-err));
	reasons_diag(r);
	return ok;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pktdiff [--count N] [--seed S] [--index I]\n"
		"               [--config xdp-router|xdp-lb|tc-router|"
		"xdp-decap] [--self-test]\n"
		"  --count N   frames in all, shared by the configurations\n"
		"  --index I   frame I of the seed's sequence alone\n");
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	unsigned long long count = 100000, seed = 1, start = 0;
	bool one_frame = false;
	unsigned int tap = 0, n = 0;
	bool self_test = false, ok = true;
	__u32 dev[4];
	size_t ncfg = sizeof(configs) / sizeof(configs[0]);

	for (int i = 1; i < argc; i++) {
		char *end = NULL;

		if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = strtoull(argv[++i], &end, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], &end, 0);
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--index") && i + 1 < argc) {
			start = strtoull(argv[++i], &end, 0);
			one_frame = true;
		} else if (!strcmp(argv[i], "--self-test"))
			self_test = true;
		else {
			usage();
			return 2;
		}
		if (end && *end) {
			usage();
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (make_netns(dev))
		return 1;
	for (size_t i = 0; i < ncfg; i++)
		n += !only || !strcmp(only, configs[i]);
	if (!n) {
		usage();
		return 2;
	}
	printf("1..%u\n", n + (self_test ? 2 : 0));
	for (size_t i = 0; i < ncfg; i++)
		if (!only || !strcmp(only, configs[i]))
			ok &= run_one(configs[i], dev, seed, start,
				      one_frame ? 1 : count / n, 0, &tap);
	for (int plant = 1; self_test && plant <= 2; plant++)
		ok &= run_one(configs[0], dev, seed, 0, SELF_TEST_COUNT, plant,
			      &tap);
	return ok ? 0 : 1;
}
