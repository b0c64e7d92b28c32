// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-packet cost of the backend's decapsulation program (sluiced --role
 * backend) with BPF_PROG_TEST_RUN, and what second chance adds to it:
 *
 *   decap_ipip_v4           a client's TCP ACK in IPIP: decapsulated
 *   decap_second_local_v4   the same inside a second tunnel (to another
 *                           backend): a socket lookup that finds the
 *                           connection, both headers stripped
 *   decap_second_sent_v4    the same, no connection (a listener only): the
 *                           lookup misses, the inner tunnel goes back out
 *
 * The program rewrites the frame (it strips headers), so each run is a
 * call at repeat 1 on a fresh copy; the figure is mean(call) - mean(XDP_PASS
 * call on the same frame) + XDP_PASS's cost in a batch of the same run, as
 * pktcost.c does for its single figures.  Every call is path-checked: the
 * verdict and the exact output (built by frame.c, not by BPF code), and
 * the reason counter moved by exactly the runs.  The socket lookup needs a
 * real connection: the namespace has the client's and the VIP's addresses
 * on lo and one connection from the client's port to the VIP's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include "bench.h"
#include "dp.h"
#include "floor.h"

#define DC_BATCH 254
#define DC_PREEMPTED_NS 50000u
#define DC_CPORT 40001 /* the client's port of the connection */
#define DC_NOPORT 40002

static const __u8 mac_be[6] = { 0x02, 0, 0, 0, 0x0b, 0x02 };
static const __u8 mac_hop[6] = { 0x02, 0, 0, 0, 0x01, 0x10 };

struct dc_path {
	const char *name, *label;
	bool second; /* two tunnels */
	__u16 sport;
	__u32 verdict;
	int reason;
};

static const struct dc_path dc_paths[] = {
	{ "decap_ipip_v4", "backend: IPIP decapsulated", false, DC_NOPORT,
	  XDP_PASS, SLUICE_DECAP_IPIP },
	{ "decap_second_local_v4",
	  "backend: second chance, socket found, delivered", true, DC_CPORT,
	  XDP_PASS, SLUICE_DECAP_SECOND_LOCAL },
	{ "decap_second_sent_v4", "backend: second chance, no socket, sent on",
	  true, DC_NOPORT, XDP_REDIRECT, SLUICE_FWD_DECAP_SECOND },
};

struct dc_env {
	const struct bench_opts *o;
	struct dp *dp;
	struct dp_floor *floor;
	int fd_pass;
	__u32 ifin;
	int lfd, cfd, afd;
	double pass_batch;
	__u8 in[FRAME_MAX], exp[FRAME_MAX];
	__u32 inlen, explen;
	struct sluice_counter before[SLUICE_REASON_SLOTS];
	struct sluice_counter after[SLUICE_REASON_SLOTS];
};

static int dc_sh(const char *cmd)
{
	return system(cmd) ? -EIO : 0;
}

static int dc_connect(struct dc_env *e)
{
	struct sockaddr_in v = { .sin_family = AF_INET, .sin_port = htons(80) };
	struct sockaddr_in c = { .sin_family = AF_INET,
				 .sin_port = htons(DC_CPORT) };
	int one = 1;

	inet_pton(AF_INET, "198.19.0.100", &v.sin_addr);
	inet_pton(AF_INET, "198.18.0.2", &c.sin_addr);
	e->lfd = socket(AF_INET, SOCK_STREAM, 0);
	e->cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (e->lfd < 0 || e->cfd < 0)
		return -errno;
	setsockopt(e->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(e->cfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(e->lfd, (struct sockaddr *)&v, sizeof(v)) ||
	    listen(e->lfd, 4) ||
	    bind(e->cfd, (struct sockaddr *)&c, sizeof(c)) ||
	    connect(e->cfd, (struct sockaddr *)&v, sizeof(v)))
		return -errno;
	e->afd = accept(e->lfd, NULL, NULL);
	return e->afd < 0 ? -errno : 0;
}

static int dc_setup(struct dc_env *e)
{
	static const char *const cmds[] = {
		"ip link set lo up",
		"ip link add dc0 type veth peer name dc0p",
		"ip addr add 198.18.0.2/32 dev lo",
		"ip addr add 198.19.0.100/32 dev lo",
	};
	__u8 me[4] = { 198, 18, 11, 2 };
	int err;

	e->lfd = e->cfd = e->afd = -1;
	if (unshare(CLONE_NEWNET))
		return -errno;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if ((err = dc_sh(cmds[i])))
			return err;
	e->ifin = if_nametoindex("dc0");
	if (!e->ifin)
		return -ENODEV;
	err = dc_connect(e);
	if (err)
		return err;
	err = dp_open(&e->dp, &(struct dp_opts){ .pin_dir = NULL,
						 .role = DP_ROLE_BACKEND });
	if (err)
		return err;
	err = dp_local_addr_set(e->dp, AF_INET, me);
	if (err)
		return err;
	e->floor = dp_floor_open();
	if (!e->floor)
		return -errno;
	e->fd_pass = dp_floor_pass_fd(e->floor);
	return 0;
}

static void dc_teardown(struct dc_env *e)
{
	if (e->afd >= 0)
		close(e->afd);
	if (e->cfd >= 0)
		close(e->cfd);
	if (e->lfd >= 0)
		close(e->lfd);
	dp_floor_close(e->floor);
	dp_close(e->dp);
}

/* IPv4 header checksum afresh, after a TTL change. */
static void ip4_csum(__u8 *ip)
{
	__u32 sum = 0;

	ip[10] = ip[11] = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (__u32)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (__u8)(~sum >> 8);
	ip[11] = (__u8)~sum;
}

/* The input and the expected output of @p, from frame.c alone. */
static int dc_frames(struct dc_env *e, const struct dc_path *p)
{
	static const __u8 lb[4] = { 198, 18, 200, 7 },
			  me[4] = { 198, 18, 11, 2 },
			  prev[4] = { 198, 18, 12, 9 };
	struct flow f = { .family = AF_INET,
			  .proto = IPPROTO_TCP,
			  .tcp_flags = 0x10,
			  .ttl = 64,
			  .sport = p->sport,
			  .dport = 80,
			  .payload = 8 };
	__u8 inner[FRAME_MAX], mid[FRAME_MAX];
	int n, m;

	f.saddr[0] = 198, f.saddr[1] = 18, f.saddr[3] = 2;
	f.daddr[0] = 198, f.daddr[1] = 19, f.daddr[3] = 100;
	memcpy(f.dmac, mac_be, 6);
	memcpy(f.smac, mac_hop, 6);
	n = frame_build(&f, inner, sizeof(inner));
	if (n < 0)
		return n;
	if (!p->second) {
		m = frame_ipip4(inner, (__u32)n, mac_be, mac_hop, lb, me, e->in,
				sizeof(e->in));
		memcpy(e->exp, inner, (size_t)n);
		e->explen = (__u32)n;
	} else {
		m = frame_ipip4(inner, (__u32)n, mac_be, mac_hop, lb, prev, mid,
				sizeof(mid));
		if (m < 0)
			return m;
		if (p->verdict == XDP_PASS) {
			memcpy(e->exp, inner, (size_t)n);
			e->explen = (__u32)n;
		} else {
			/* back to the hop: MACs swapped, TTL 63 */
			memcpy(e->exp, mid, (size_t)m);
			memcpy(e->exp, mac_hop, 6);
			memcpy(e->exp + 6, mac_be, 6);
			e->exp[14 + 8]--;
			ip4_csum(e->exp + 14);
			e->explen = (__u32)m;
		}
		m = frame_ipip4(mid, (__u32)m, mac_be, mac_hop, lb, me, e->in,
				sizeof(e->in));
	}
	if (m < 0)
		return m;
	e->inlen = (__u32)m;
	return 0;
}

static bool dc_counters_ok(struct dc_env *e, struct fig *f, int reason,
			   unsigned long long runs)
{
	for (int r = 0; r < SLUICE_REASON_SLOTS; r++) {
		__u64 d = e->after[r].packets - e->before[r].packets;
		__u64 want = r == reason ? runs : 0;

		if (d != want) {
			fig_invalid(f, "counter %s +%llu, want +%llu",
				    dp_reason_name((unsigned int)r),
				    (unsigned long long)d,
				    (unsigned long long)want);
			return false;
		}
	}
	return true;
}

static void dc_pass_batch(struct dc_env *e)
{
	struct fig *f =
		fig_new("pktcost_batch", "decap_xdp_pass", 1, "ns/packet");
	static struct test_res r;
	unsigned long long calls = (e->o->runs + DC_BATCH - 1) / DC_BATCH;
	unsigned long long sum = 0;

	snprintf(f->label, sizeof(f->label), "floor: XDP_PASS (decap frame)");
	snprintf(f->method, sizeof(f->method),
		 "test_run repeat %d, mean duration", DC_BATCH);
	snprintf(f->check, sizeof(f->check), "verdict and output per call");
	if (f->invalid || dc_frames(e, &dc_paths[0])) {
		fig_invalid(f, "no frames");
		return;
	}
	for (unsigned long long c = 0; c < calls; c++) {
		test_res_run(e->fd_pass, e->ifin, e->in, e->inlen, DC_BATCH,
			     &r);
		if (!test_res_check(f, &r, XDP_PASS, e->in, e->inlen, c))
			return;
		sum += (unsigned long long)r.duration * DC_BATCH;
	}
	f->runs = calls * DC_BATCH;
	e->pass_batch = (double)sum / (double)f->runs;
	fig_add(f, e->pass_batch);
}

static void dc_measure(struct dc_env *e, const struct dc_path *p)
{
	struct fig *f = fig_new("pktcost", p->name, 1, "ns/packet");
	static struct test_res r, rp;
	unsigned long long sum = 0, sum_pass = 0, kept = 0;
	int fd = dp_xdp_prog_fd(e->dp);

	snprintf(f->label, sizeof(f->label), "%s", p->label);
	snprintf(f->method, sizeof(f->method),
		 "test_run repeat 1 minus XDP_PASS at repeat 1, plus "
		 "XDP_PASS in a batch of %d",
		 DC_BATCH);
	snprintf(f->check, sizeof(f->check),
		 "per call: verdict %s and exact output; reason %s +runs",
		 xdp_verdict_name(p->verdict),
		 dp_reason_name((unsigned int)p->reason));
	if (f->invalid)
		return;
	if (dc_frames(e, p)) {
		fig_invalid(f, "cannot build the frames");
		return;
	}
	if (dp_stats_read(e->dp, 0, e->before)) {
		fig_invalid(f, "cannot read the counters");
		return;
	}
	for (unsigned long long c = 0; c < e->o->runs; c++) {
		test_res_run(fd, e->ifin, e->in, e->inlen, 1, &r);
		if (!test_res_check(f, &r, p->verdict, e->exp, e->explen, c))
			return;
		test_res_run(e->fd_pass, e->ifin, e->in, e->inlen, 1, &rp);
		if (!test_res_check(f, &rp, XDP_PASS, e->in, e->inlen, c))
			return;
		if (r.duration > DC_PREEMPTED_NS ||
		    rp.duration > DC_PREEMPTED_NS) {
			f->dropped++;
			continue;
		}
		sum += r.duration;
		sum_pass += rp.duration;
		kept++;
	}
	f->runs = e->o->runs;
	if (dp_stats_read(e->dp, 0, e->after)) {
		fig_invalid(f, "cannot read the counters");
		return;
	}
	if (!dc_counters_ok(e, f, p->reason, f->runs))
		return;
	if (!kept) {
		fig_invalid(f, "every call was interrupted");
		return;
	}
	fig_add(f, ((double)sum - (double)sum_pass) / (double)kept +
			   e->pass_batch);
}

int decapcost_run(const struct bench_opts *o)
{
	static struct dc_env e;
	int err;

	e.o = o;
	err = dc_setup(&e);
	if (err) {
		note("decapcost: setup: %s", strerror(-err));
		dc_teardown(&e);
		return err;
	}
	for (unsigned int rep = 0; rep < o->reps; rep++) {
		dc_pass_batch(&e);
		for (size_t i = 0; i < sizeof(dc_paths) / sizeof(dc_paths[0]);
		     i++)
			dc_measure(&e, &dc_paths[i]);
	}
	fig_tap(fig_find("pktcost_batch", "decap_xdp_pass", 1),
		"decapcost floor");
	for (size_t i = 0; i < sizeof(dc_paths) / sizeof(dc_paths[0]); i++)
		fig_tap(fig_find("pktcost", dc_paths[i].name, 1), "decapcost");
	dc_teardown(&e);
	return 0;
}
