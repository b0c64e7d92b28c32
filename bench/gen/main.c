// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-gen: a traffic generator on BPF_PROG_RUN with live frames.  The XDP
 * program in sluice_gen.bpf.c writes every frame's headers and returns
 * XDP_TX; the kernel runs it in a loop inside one bpf() call and sends each
 * frame out of --dev.  This file parses the command line (gen_args.c),
 * loads and self-checks the program, runs it in large batches until the
 * duration, the count or a signal stops it, and reports the rate.
 */
#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "gen_args.h"
#include "tx_packet.h"
#include "sluice_gen.skel.h"

#define PROG "sluice-gen"
/* Frames per bpf() call at full speed: each call sets up and tears down a
 * page pool (about 13 ms here), so calls must be long (PLATFORM.md). */
#define CHUNK (1u << 24)

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_UNSUPPORTED = 3 };

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static void usage(FILE *f)
{
	static const struct opts_help_style style = { .indent = 4, .col = 26 };

	fputs("NAME\n"
	      "    sluice-gen - send crafted UDP/TCP frames out of an interface at the\n"
	      "    highest rate one core allows (XDP live frames)\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    sluice-gen -i IF -s SRC -d DST -m MAC (-t SEC | -n COUNT) [OPTIONS]\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    sluice-gen loads a small XDP program and runs it with BPF_PROG_RUN and\n"
	      "    BPF_F_TEST_XDP_LIVE_FRAMES: the kernel calls the program in a loop, the\n"
	      "    program writes a complete Ethernet/IPv4 or IPv6/UDP or TCP header into\n"
	      "    every frame (pages are recycled, so nothing is assumed about their\n"
	      "    previous content) and returns XDP_TX, and the frame leaves through IF\n"
	      "    as if IF had received it and sent it back.  Nothing is resolved: the\n"
	      "    destination MAC is the next hop's (a router's port, or the receiver's).\n"
	      "\n"
	      "    Flow k (0 <= k < --flows, sent round robin) has the source port\n"
	      "    SPORT + k % P and, in the last 32 bits of the source address,\n"
	      "    SRC + k / P, where P is the number of ports varied: --flows for\n"
	      "    --vary sport, 1 for saddr, and min(--flows, 65536 - SPORT) for both.\n"
	      "    Checksums (IPv4 header, UDP/TCP) are correct for every frame; the\n"
	      "    payload is zeros and the IP packet fills the frame.\n"
	      "\n"
	      "    Before sending, the program's output for a few flows is checked\n"
	      "    against a reference implementation.  Every run ends: at --duration,\n"
	      "    after --count frames, on SIGINT/SIGTERM, and after 86400 s at most.\n"
	      "    The result counts the frames the program handed to IF, and what IF's\n"
	      "    own counters say it transmitted and dropped (on a veth, dropped frames\n"
	      "    found the peer's queue full); count at the receiver to be sure.\n"
	      "    It needs root (CAP_BPF, CAP_NET_ADMIN) and Linux >= 5.18.  On a veth,\n"
	      "    the peer must have an XDP program attached or GRO enabled, or the\n"
	      "    frames are dropped (counted as the peer's xdp_xmit errors).\n"
	      "\n"
	      "    A kernel that refuses live frames with EPERM (some hardened or\n"
	      "    virtualised ones do, to root too) gets the same frames, flow for flow,\n"
	      "    through an AF_PACKET socket instead: slower (an skb per frame), said\n"
	      "    on stderr and in the result (\"method\": \"af_packet\", else \"live\").\n"
	      "    --method chooses one of the two.\n"
	      "\n"
	      "OPTIONS\n",
	      f);
	opts_help(f, gen_opts, gen_nopts, &style);
	fputs("\n"
	      "EXAMPLES\n"
	      "    Five seconds of 64-byte UDP frames (60 + FCS), 65536 flows, from CPU 0\n"
	      "    (the documentation ranges 198.18.0.0/15 and 2001:db8::/32):\n"
	      "        sluice-gen -i veth0 -m 02:00:00:00:01:01 -s 198.18.1.2 \\\n"
	      "            -d 198.18.2.2 -f 65536 -v both -t 5 -c 0\n"
	      "\n"
	      "    One million IPv6 TCP SYNs of 128 bytes at about 100k frames/s:\n"
	      "        sluice-gen -i veth0 -6 -y -l 128 -m 02:00:00:00:01:01 \\\n"
	      "            -s 2001:db8:1::2 -d 2001:db8:2::2 -p 80 -n 1M -r 100k\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0  the run ended (by duration, count or signal); the result is printed\n"
	      "    1  the program could not be loaded, checked or run\n"
	      "    2  bad options (the message names the option and the value)\n"
	      "    3  live frames are not supported here (kernel older than 5.18, or the\n"
	      "       interface refused)\n",
	      f);
}

__attribute__((format(printf, 1, 2))) static void errmsg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

__attribute__((format(printf, 2, 0))) static int
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	fprintf(stderr, PROG ": "); /* fmt starts with "libbpf: " */
	return vfprintf(stderr, fmt, ap);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The interface's flags and MAC (when @mac).  0 or -errno. */
static int if_info(const char *dev, short *flags, unsigned char *mac)
{
	struct ifreq ifr;
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = -errno;
		goto out;
	}
	*flags = ifr.ifr_flags;
	if (mac) {
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
			err = -errno;
			goto out;
		}
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	}
out:
	close(fd);
	return err;
}

/* The interface's transmit counters from /proc/net/dev (per network
 * namespace, unlike /sys when entered with nsenter).  0 or -ENOENT. */
struct dev_tx {
	unsigned long long packets, dropped;
};

static int dev_tx_read(const char *dev, struct dev_tx *tx)
{
	char line[512], name[32];
	unsigned long long v[16];
	int rc = -ENOENT;
	FILE *f = fopen("/proc/net/dev", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *p = line;
		size_t n;

		if (!colon)
			continue;
		while (*p == ' ')
			p++;
		n = (size_t)(colon - p);
		if (n >= sizeof(name))
			continue;
		memcpy(name, p, n);
		name[n] = '\0';
		if (strcmp(name, dev))
			continue;
		if (sscanf(colon + 1,
			   "%llu %llu %llu %llu %llu %llu %llu %llu "
			   "%llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13],
			   &v[14], &v[15]) == 16) {
			tx->packets = v[9];
			tx->dropped = v[11];
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

static void set_state(struct sluice_gen *skel, unsigned int k,
		      const struct gen_frame *f)
{
	skel->bss->frames = 0;
	skel->bss->flow = k;
	skel->bss->port_idx = k % f->nports;
	skel->bss->addr_idx = k / f->nports;
}

/*
 * Runs the program (not live) on the template for a few flows, including
 * the wrap from the last flow to the first, and compares each output with
 * gen_frame_flow().  0, or -EPROTO / -errno with a message printed.
 */
static int self_check(struct sluice_gen *skel, const struct gen_frame *f,
		      unsigned char *frame)
{
	unsigned int ks[] = { 0, 1 % f->flows, f->flows / 2, f->flows - 1 };
	/* zeroed: what BPF_PROG_RUN does not write compares as a mismatch */
	unsigned char out[GEN_SIZE_MAX] = { 0 }, want[GEN_HDR_MAX];
	int fd = bpf_program__fd(skel->progs.sluice_gen);

	for (unsigned int i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		unsigned int k = ks[i];
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
			    .data_size_in = f->size, .data_out = out,
			    .data_size_out = sizeof(out), .repeat = 1);

		set_state(skel, k, f);
		if (bpf_prog_test_run_opts(fd, &opts)) {
			int err = -errno;

			errmsg("self-check: BPF_PROG_RUN failed: %s",
			       strerror(errno));
			return err;
		}
		gen_frame_flow(f, k, want);
		if (opts.retval != XDP_TX || opts.data_size_out != f->size ||
		    memcmp(out, want, f->hdr_len) ||
		    memcmp(out + f->hdr_len, frame + f->hdr_len,
			   f->size - f->hdr_len) ||
		    skel->bss->frames != 1 ||
		    skel->bss->flow != (k + 1) % f->flows) {
			errmsg("self-check: flow %u: the program's frame differs "
			       "from the reference (verdict %u, %u bytes)",
			       k, opts.retval, opts.data_size_out);
			return -EPROTO;
		}
	}
	set_state(skel, 0, f);
	return 0;
}

static void print_result(const struct gen_args *a, int ifindex,
			 unsigned long long frames, double secs,
			 const char *stopped_by, const char *method,
			 const struct dev_tx *tx)
{
	double pps = secs > 0 ? (double)frames / secs : 0;
	/* frame bits with the FCS (no preamble or gap) */
	double bps = pps * (a->size + 4) * 8;
	char txp[24] = "null", txd[24] = "null", dev[2 * sizeof(a->dev)];
	size_t n = 0;

	if (tx) {
		snprintf(txp, sizeof(txp), "%llu", tx->packets);
		snprintf(txd, sizeof(txd), "%llu", tx->dropped);
	}
	/* an interface name may hold a quote or a backslash */
	for (const char *c = a->dev; *c; c++) {
		if (*c == '"' || *c == '\\')
			dev[n++] = '\\';
		dev[n++] = *c;
	}
	dev[n] = '\0';

	if (a->json) {
		printf("{\"dev\": \"%s\", \"ifindex\": %d, \"family\": \"%s\", "
		       "\"l4\": \"%s\", \"size\": %u, \"flows\": %u, "
		       "\"vary\": \"%s\", \"rate_limit\": %llu, \"cpu\": %d, "
		       "\"frames\": %llu, \"seconds\": %.6f, \"pps\": %.0f, "
		       "\"bits_per_s\": %.0f, \"stopped_by\": \"%s\", "
		       "\"method\": \"%s\", "
		       "\"dev_tx_packets\": %s, \"dev_tx_dropped\": %s}\n",
		       dev, ifindex, a->family == AF_INET ? "ipv4" : "ipv6",
		       gen_l4_name(a->l4), a->size, a->flows,
		       gen_vary_name(a->vary), a->rate, a->cpu, frames, secs,
		       pps, bps, stopped_by, method, txp, txd);
	} else {
		printf("%llu frames in %.3f s out of %s: %.3f Mpps, %.3f Gbit/s "
		       "(%u-byte %s/%s frames, %u flow%s, stopped by %s, "
		       "through %s)\n",
		       frames, secs, a->dev, pps / 1e6, bps / 1e9, a->size,
		       a->family == AF_INET ? "IPv4" : "IPv6",
		       gen_l4_name(a->l4), a->flows, a->flows == 1 ? "" : "s",
		       stopped_by,
		       strcmp(method, "live") ? "AF_PACKET" : "live frames");
		if (tx)
			printf("%s's counters: %llu transmitted, %llu dropped\n",
			       a->dev, tx->packets, tx->dropped);
	}
	fflush(stdout);
}

/* One call of @n live frames: *@sent is the program's count after it.
 * 0, or -errno (-EINTR: a signal ended the call). */
static int send_live(struct sluice_gen *skel, unsigned char *frame,
		     const struct gen_frame *f, struct xdp_md *ctx,
		     unsigned long long n, unsigned long long *sent)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = f->size, .ctx_in = ctx,
		    .ctx_size_in = sizeof(*ctx),
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .repeat = (__u32)n);
	int err = bpf_prog_test_run_opts(
		bpf_program__fd(skel->progs.sluice_gen), &opts);

	*sent = skel->bss->frames;
	return err ? -errno : 0;
}

/* Live frames refused (@why): the same frames through AF_PACKET from
 * here on, into *@pk.  0, or EXIT_FAIL with a message printed. */
static int fall_back(const struct gen_args *a, int ifindex,
		     const unsigned char *frame, const struct gen_frame *f,
		     int why, struct tx_packet **pk)
{
	int err;

	*pk = calloc(1, sizeof(**pk));
	if (!*pk) {
		errmsg("out of memory");
		return EXIT_FAIL;
	}
	err = tx_packet_open(*pk, ifindex, f, frame);
	if (err) {
		errmsg("live frames are refused on %s (%s), and so is an "
		       "AF_PACKET socket: %s",
		       a->dev, strerror(why), strerror(-err));
		free(*pk);
		*pk = NULL;
		return EXIT_FAIL;
	}
	errmsg("note: this kernel refuses live frames on %s (%s): sending "
	       "the same frames through AF_PACKET, more slowly",
	       a->dev, strerror(why));
	return 0;
}

static int run(const struct gen_args *a, int ifindex, struct sluice_gen *skel,
	       unsigned char *frame, const struct gen_frame *f)
{
	/* the kernel wants data_end = the frame's length */
	struct xdp_md ctx = { .data_end = f->size,
			      .ingress_ifindex = (__u32)ifindex };
	unsigned long long sent = 0, limit = a->count ? a->count : ~0ULL;
	unsigned long long batch = CHUNK;
	struct itimerval itv = { 0 };
	const char *stopped_by = "count";
	struct dev_tx tx0 = { 0 }, tx1 = { 0 };
	struct tx_packet *pk = NULL;
	bool have_tx;
	double t0, t1, secs;
	bool first = true;
	int rc = EXIT_OK;

	if (a->rate) {
		batch = a->rate / GEN_RATE_CALLS_PER_S;
		if (!batch)
			batch = 1;
		if (batch > CHUNK)
			batch = CHUNK;
	}
	secs = a->duration ? a->duration : GEN_DURATION_MAX;
	itv.it_value.tv_sec = (time_t)secs;
	itv.it_value.tv_usec = (suseconds_t)((secs - floor(secs)) * 1e6);
	if (!itv.it_value.tv_sec && !itv.it_value.tv_usec)
		itv.it_value.tv_usec = 1;

	have_tx = !dev_tx_read(a->dev, &tx0);
	t0 = now_s();
	if (setitimer(ITIMER_REAL, &itv, NULL)) {
		errmsg("setitimer: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (a->method == GEN_METHOD_PACKET) {
		pk = calloc(1, sizeof(*pk));
		rc = !pk ? -ENOMEM : tx_packet_open(pk, ifindex, f, frame);
		if (rc) {
			errmsg("--method af_packet: a socket on %s: %s", a->dev,
			       strerror(-rc));
			free(pk);
			pk = NULL;
			rc = EXIT_FAIL;
			goto out;
		}
	}
	while (!stop_sig && sent < limit) {
		unsigned long long n = limit - sent;
		int err;

		if (n > batch)
			n = batch;
		if (pk) {
			err = tx_packet_send(pk, n, &sent, &stop_sig);
			if (err) {
				errmsg("AF_PACKET on %s failed after %llu "
				       "frames: %s",
				       a->dev, sent, strerror(-err));
				rc = EXIT_FAIL;
				goto out;
			}
		} else {
			err = send_live(skel, frame, f, &ctx, n, &sent);
		}
		if (!pk && err && err != -EINTR) {
			if (first && (err == -EPERM || err == -EACCES) &&
			    a->method == GEN_METHOD_AUTO) {
				rc = fall_back(a, ifindex, frame, f, -err, &pk);
				if (rc)
					goto out;
				continue;
			}
			if (first && (err == -EINVAL || err == -EOPNOTSUPP ||
				      err == -524 /* ENOTSUPP */)) {
				errmsg("live frames are not supported here: "
				       "BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES "
				       "on %s failed: %s (needs Linux >= 5.18)",
				       a->dev, strerror(-err));
				rc = EXIT_UNSUPPORTED;
				goto out;
			}
			errmsg("BPF_PROG_RUN on %s failed after %llu frames: %s",
			       a->dev, sent, strerror(-err));
			rc = EXIT_FAIL;
			goto out;
		}
		first = false;
		if (a->rate && sent < limit) {
			double due = t0 + (double)sent / (double)a->rate;
			double wait = due - now_s();

			if (wait > 0) {
				struct timespec ts = {
					.tv_sec = (time_t)wait,
					.tv_nsec = (long)((wait - floor(wait)) *
							  1e9),
				};

				nanosleep(&ts, NULL); /* EINTR: stop_sig says */
			}
		}
	}
	t1 = now_s();
	memset(&itv, 0, sizeof(itv));
	setitimer(ITIMER_REAL, &itv, NULL);
	if (stop_sig == SIGALRM)
		stopped_by = a->duration ? "duration" : "time limit";
	else if (stop_sig)
		stopped_by = "signal";
	if (have_tx && !dev_tx_read(a->dev, &tx1)) {
		tx1.packets -= tx0.packets;
		tx1.dropped -= tx0.dropped;
	} else {
		have_tx = false;
	}
	print_result(a, ifindex, sent, t1 - t0, stopped_by,
		     pk ? "af_packet" : "live", have_tx ? &tx1 : NULL);
	if (have_tx && sent && !tx1.packets && !tx1.dropped)
		errmsg("warning: %s's counters did not move: it may not accept "
		       "%s frames for transmission (on a veth, the peer needs "
		       "an XDP program or GRO)",
		       a->dev, pk ? "these" : "XDP");
out:
	memset(&itv, 0, sizeof(itv));
	setitimer(ITIMER_REAL, &itv, NULL);
	if (pk) {
		tx_packet_close(pk);
		free(pk);
	}
	return rc;
}

int main(int argc, char **argv)
{
	unsigned char frame[GEN_SIZE_MAX] = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct sluice_gen *skel;
	struct gen_args a;
	struct gen_frame f;
	char err[256];
	short flags = 0;
	int ifindex, rc, e;

	if (gen_args_parse(argc, argv, &a, err, sizeof(err))) {
		errmsg("%s", err);
		fprintf(stderr, "Try '" PROG " --help'.\n");
		return EXIT_USAGE;
	}
	if (a.help) {
		usage(stdout);
		return EXIT_OK;
	}
	ifindex = (int)if_nametoindex(a.dev);
	if (!ifindex) {
		errmsg("--dev: no interface '%s' in this network namespace",
		       a.dev);
		return EXIT_USAGE;
	}
	e = if_info(a.dev, &flags, a.have_src_mac ? NULL : a.src_mac);
	if (e) {
		errmsg("--dev: '%s': %s", a.dev, strerror(-e));
		return EXIT_USAGE;
	}
	if (!(flags & IFF_UP)) {
		errmsg("--dev: '%s' is down", a.dev);
		return EXIT_USAGE;
	}
	if (a.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(a.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			errmsg("--cpu: '%d': CPU not available to this process: %s",
			       a.cpu, strerror(errno));
			return EXIT_USAGE;
		}
	}
	if (gen_frame_build(&a, &f)) {
		errmsg("internal error: cannot build the frame template");
		return EXIT_FAIL;
	}
	memcpy(frame, f.hdr, f.hdr_len);

	libbpf_set_print(libbpf_print);
	skel = sluice_gen__open();
	if (!skel) {
		errmsg("cannot open the BPF object: %s", strerror(errno));
		return EXIT_FAIL;
	}
	memcpy(skel->bss->tmpl, f.hdr, f.hdr_len);
	skel->rodata->hdr_len = f.hdr_len;
	skel->rodata->saddr_off = f.saddr_off;
	skel->rodata->sport_off = f.sport_off;
	skel->rodata->ip_csum_off = f.ip_csum_off;
	skel->rodata->l4_csum_off = f.l4_csum_off;
	skel->rodata->saddr0 = f.saddr0;
	skel->rodata->sport0 = f.sport0;
	skel->rodata->ip_sum = f.ip_sum;
	skel->rodata->l4_sum = f.l4_sum;
	skel->rodata->flows = f.flows;
	skel->rodata->nports = f.nports;
	skel->rodata->udp = f.udp;
	if (sluice_gen__load(skel)) {
		e = errno;
		errmsg("cannot load the XDP program: %s%s", strerror(e),
		       e == EPERM ? " (needs root: CAP_BPF and CAP_NET_ADMIN)" :
				    "");
		rc = EXIT_FAIL;
		goto out_destroy;
	}
	if (self_check(skel, &f, frame)) {
		rc = EXIT_FAIL;
		goto out_destroy;
	}

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a signal ends the bpf() call */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	rc = run(&a, ifindex, skel, frame, &f);
out_destroy:
	sluice_gen__destroy(skel);
	return rc;
}
