// SPDX-License-Identifier: BSD-2-Clause
/*
 * The BPF tier's runner: loads the real XDP object through lib/dp in a
 * network namespace of its own, programs the topology of fixtures.c, runs
 * every fixture with BPF_PROG_TEST_RUN and prints TAP.
 *
 * Each run checks the verdict, that exactly one counter moved (by one packet
 * and the frame's bytes, on the ingress port's slot), and the exact output
 * bytes and length against a frame built independently by pktbuild.c.
 * The load balancer's rows (lb_fixtures.c, run by lb_runner.c) follow the
 * router's, over the same topology, with the LB tables programmed only then.
 * The backend role's decapsulation program (decap_fixtures.c, run by
 * decap_runner.c in a second lib/dp) comes last.
 *
 * Facts about test_run this relies on (checked on Linux 6.18):
 *  - a frame shorter than ETH_HLEN is refused with EINVAL before the program
 *    runs, also when metadata (xdp_md.data = its length, 4..32 bytes at the
 *    start of data_in) brings data_size_in to 14 or more: drop_trunc_eth is
 *    out of test_run's reach.  With metadata the output starts with it;
 *  - ctx_in.data_end must equal data_size_in, and ingress_ifindex must be a
 *    real device of the caller's namespace;
 *  - XDP_REDIRECT is only a return value here: nothing is transmitted;
 *  - with repeat > 1 every run works on the buffer the previous run left.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <uapi/sluice/flow_hash.h>
#include "dp.h"
#include "log.h"
#include "fixtures.h"
#include "names.h"
#include "pktbuild.h"
#include "ct_fixtures.h"
#include "runner.h"
#include "testrun.h"
#include "floor.h"

/* TTL 255 allows at most 254 forwards of one buffer.  Every call with
 * repeat > 1 switches the XDP dispatcher to the program and back, two RCU
 * grace periods: about 15-25 ms of wall time per call here, whatever the
 * repeat.  The full figure (2 x 1000 calls) therefore takes about 45 s. */
#define PERF_REPEAT 200
#define PERF_CALLS 1000 /* with SLUICE_BPF_PERF=1: 200k runs */
#define PERF_SMOKE_CALLS 2

/* Real devices of our namespace; VLAN subinterfaces are map entries only:
 * this kernel has no 8021q ("ip link add ... type vlan" fails) and the data
 * path never hands a subinterface's ifindex to the kernel (it redirects to
 * the parent), so numbers far above any real ifindex stand in for them. */
static const char *const dev_names[IFX_COUNT] = {
	[IFX_LO] = "lo",  [IFX_P0] = "sl0",   [IFX_P1] = "sl1",
	[IFX_P2] = "sl2", [IFX_AUX] = "sl0p", [IFX_EXT] = "sl1p",
};
static const __u32 vlan_ifindex[IFX_COUNT] = {
	[IFX_V10] = 10010,
	[IFX_V20] = 10020,
	[IFX_V30] = 10130,
};

/* ---- TAP ---------------------------------------------------------------- */

static char diag_buf[32768];
static size_t diag_len;

void diag(const char *fmt, ...)
{
	size_t room = sizeof(diag_buf) - diag_len;
	va_list ap;
	int n;

	if (room < 3)
		return;
	diag_buf[diag_len++] = '#';
	diag_buf[diag_len++] = ' ';
	room -= 2;
	va_start(ap, fmt);
	n = vsnprintf(diag_buf + diag_len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		diag_len += (size_t)n < room ? (size_t)n : room - 1;
}

void tap(struct env *e, bool ok, const char *name)
{
	e->n++;
	if (!ok)
		e->failed++;
	printf("%sok %u - %s\n", ok ? "" : "not ", e->n, name);
	fwrite(diag_buf, 1, diag_len, stdout);
	diag_len = 0;
}

const char *xdp_name(__u32 v)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP",
					     "XDP_PASS", "XDP_TX",
					     "XDP_REDIRECT" };

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "XDP_?";
}

static void hex_line(const __u8 *a, __u32 alen, const __u8 *b, __u32 blen,
		     __u32 off, char *line, size_t len)
{
	size_t pos = 0;

	for (__u32 i = off; i < off + 16; i++) {
		bool d = i >= alen || i >= blen || a[i] != b[i];

		pos += snprintf(line + pos, len - pos,
				i < alen ? "%02x%c" : "  %c",
				i < alen ? a[i] : '*', d ? '*' : ' ');
	}
	pos += snprintf(line + pos, len - pos, "| ");
	for (__u32 i = off; i < off + 16 && i < blen; i++)
		pos += snprintf(line + pos, len - pos, "%02x ", b[i]);
}

/* The lines that differ, 16 bytes each: expected | got, '*' marks bytes.
 * @glen is what the kernel reported, which may exceed the buffer. */
void hexdiff(const __u8 *exp, __u32 elen, const __u8 *got, __u32 glen)
{
	__u32 n, shown = 0;
	char line[256];

	if (glen > OUT_MAX) {
		diag("output: %u bytes, more than the %u-byte buffer\n", glen,
		     OUT_MAX);
		glen = OUT_MAX;
	}
	n = elen > glen ? elen : glen;

	diag("output: expected %u bytes, got %u\n", elen, glen);
	diag("off   expected%40s| got\n", "");
	for (__u32 off = 0; off < n && shown < 24; off += 16) {
		__u32 end = off + 16 < n ? off + 16 : n;
		bool same = end <= elen && end <= glen &&
			    !memcmp(exp + off, got + off, end - off);

		if (same)
			continue;
		hex_line(exp, elen, got, glen, off, line, sizeof(line));
		diag("%04x  %s\n", off, line);
		shown++;
	}
}

/* ---- setup ---------------------------------------------------------------- */

static int sh(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -EIO;
}

static int make_netns(char *why, size_t len)
{
	static const char *const cmds[] = {
		"ip link set lo up",
		"ip link add sl0 type veth peer name sl0p",
		"ip link add sl1 type veth peer name sl1p",
		"ip link add sl2 type veth peer name sl2p",
		"for d in sl0 sl0p sl1 sl1p sl2 sl2p; do ip link set $d up; done",
	};

	if (geteuid() != 0) {
		snprintf(why, len, "not root (BPF and unshare need it)");
		return -EPERM;
	}
	if (unshare(CLONE_NEWNET)) {
		snprintf(why, len, "unshare(CLONE_NEWNET): %s",
			 strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (sh(cmds[i])) {
			snprintf(why, len, "'%s' failed", cmds[i]);
			return -EIO;
		}
	}
	return 0;
}

static int resolve_ifindexes(struct env *e, char *why, size_t len)
{
	for (int i = IFX_NONE + 1; i < IFX_COUNT; i++) {
		e->ifindex[i] = dev_names[i] ? if_nametoindex(dev_names[i]) :
					       vlan_ifindex[i];
		if (!e->ifindex[i]) {
			snprintf(why, len, "no device %s", dev_names[i]);
			return -ENODEV;
		}
	}
	return 0;
}

int family_of(const char *txt)
{
	return strchr(txt, ':') ? AF_INET6 : AF_INET;
}

static int setup_iface(struct env *e, const struct topo_iface *t)
{
	struct sluice_iface v = {
		.mtu = t->mtu,
		.slot = t->slot,
		.vlan_id = t->vid,
		.flags = t->parent ? SLUICE_IF_VLAN : 0,
		.parent_ifindex = t->parent ? e->ifindex[t->parent] : 0,
	};
	int err;

	memcpy(v.mac, t->mac, 6);
	err = dp_iface_set(e->dp, e->ifindex[t->ifx], &v);
	if (!err && t->port)
		err = dp_port_set(e->dp, e->ifindex[t->ifx]);
	if (!err && t->parent)
		err = dp_vlan_set(e->dp, e->ifindex[t->parent], t->vid,
				  e->ifindex[t->ifx]);
	e->slot[t->ifx] = t->slot;
	if (t->slot + 1 > e->nslots)
		e->nslots = t->slot + 1;
	return err;
}

static int setup_nhg(struct env *e, const struct topo_nhg *t)
{
	struct sluice_nhg g = { 0 };

	for (int i = 0; i < SLUICE_MAX_ECMP && t->nh[i].ifx; i++) {
		struct sluice_nh *nh = &g.nh[i];

		nh->ifindex = e->ifindex[t->nh[i].ifx];
		if (t->nh[i].gw) {
			nh->family = (__u8)family_of(t->nh[i].gw);
			if (pkt_addr(nh->family, t->nh[i].gw, nh->gw))
				return -EINVAL;
		}
		g.count++;
	}
	return dp_nhg_set(e->dp, t->id, &g);
}

static int setup_route(struct env *e, const struct topo_route *t)
{
	struct sluice_route rt = { .nhg_id = t->nhg, .type = t->type };
	char addr[64];
	__u8 bytes[16];
	char *slash;
	int family = family_of(t->prefix);

	snprintf(addr, sizeof(addr), "%s", t->prefix);
	slash = strchr(addr, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	if (pkt_addr(family, addr, bytes))
		return -EINVAL;
	return dp_route_set(e->dp, family, bytes, atoi(slash + 1), &rt);
}

static int setup_neigh(struct env *e, const struct topo_neigh *t)
{
	struct sluice_neigh_key k = {
		.ifindex = e->ifindex[t->ifx],
		.family = (__u8)family_of(t->addr),
	};
	struct sluice_neigh v = { 0 };

	memcpy(v.mac, t->mac, 6);
	if (pkt_addr(k.family, t->addr, k.addr))
		return -EINVAL;
	return dp_neigh_set(e->dp, &k, &v);
}

#define SETUP_EACH(tbl, n, fn, what)                                           \
	do {                                                                   \
		for (size_t i_ = 0; i_ < (n); i_++) {                          \
			int err_ = fn(e, &(tbl)[i_]);                          \
			if (err_) {                                            \
				snprintf(why, len, "%s %zu: %s", what, i_,     \
					 strerror(-err_));                     \
				return err_;                                   \
			}                                                      \
		}                                                              \
	} while (0)

static int setup_maps(struct env *e, char *why, size_t len)
{
	e->nslots = 1; /* slot 0: unmanaged ingress */
	SETUP_EACH(topo_ifaces, topo_n_ifaces, setup_iface, "iface");
	SETUP_EACH(topo_nhgs, topo_n_nhgs, setup_nhg, "nhg");
	SETUP_EACH(topo_routes, topo_n_routes, setup_route, "route");
	SETUP_EACH(topo_neighs, topo_n_neighs, setup_neigh, "neighbour");
	return dp_stats_clear(e->dp);
}

static int setup(struct env *e, char *why, size_t len)
{
	int err = make_netns(why, len);

	if (!err)
		err = resolve_ifindexes(e, why, len);
	if (err)
		return err;
	err = dp_open(&e->dp,
		      &(struct dp_opts){ .pin_dir = NULL,
					 .load_tc = true,
					 .ct_max_entries = CT_FULL_CAPACITY });
	if (err) {
		snprintf(why, len, "dp_open: %s", strerror(-err));
		return err;
	}
	e->prog_fd = dp_xdp_prog_fd(e->dp);
	e->tc_fd = dp_tc_prog_fd(e->dp);
	return setup_maps(e, why, len);
}

/* ---- one run ------------------------------------------------------------- */

int xdp_run(int fd, __u32 ifindex, const __u8 *in, __u32 len, __u32 meta,
	    __u32 repeat, struct run *r)
{
	struct dp_test_run t = { .ifindex = ifindex,
				 .meta = meta,
				 .repeat = repeat,
				 .out = r->out,
				 .out_size = sizeof(r->out) };

	r->err = dp_test_run_xdp(fd, in, len, &t);
	r->out_len = t.out_len;
	r->retval = t.retval;
	r->duration = t.duration;
	return r->err;
}

/* The same frame through the TC (clsact) program: an skb on @ifindex. */
int tc_run(int fd, __u32 ifindex, const __u8 *in, __u32 len, struct run *r)
{
	struct dp_test_run t = { .ifindex = ifindex,
				 .repeat = 1,
				 .out = r->out,
				 .out_size = sizeof(r->out) };

	r->err = dp_test_run_skb(fd, in, len, &t);
	r->out_len = t.out_len;
	r->retval = t.retval;
	return r->err;
}

/* tc_run() of a GSO skb (e->tc_gso_*): test_run gives it no GSO type. */
static int tc_run_gso(const struct env *e, __u32 ifindex, const __u8 *in,
		      __u32 len, struct run *r)
{
	struct dp_test_run t = { .ifindex = ifindex,
				 .repeat = 1,
				 .out = r->out,
				 .out_size = sizeof(r->out),
				 .gso_segs = e->tc_gso_segs,
				 .gso_size = e->tc_gso_size };

	r->err = dp_test_run_skb(e->tc_fd, in, len, &t);
	r->out_len = t.out_len;
	r->retval = t.retval;
	return r->err;
}

/* Frames the kernel's test_run refuses as an skb: shorter than Ethernet,
 * or an untagged IP ethertype without its whole IP header. */
static bool tc_refuses(const __u8 *f, __u32 len)
{
	__u16 type;

	if (len < 14)
		return true;
	type = (__u16)(f[12] << 8 | f[13]);
	return (type == 0x0800 && len < 14 + 20) ||
	       (type == 0x86dd && len < 14 + 40);
}

/* The TC action that carries out what XDP decided. */
__u32 tc_action_of(int xdp_verdict)
{
	switch (xdp_verdict) {
	case XDP_PASS: return TC_ACT_OK;
	case XDP_TX:
	case XDP_REDIRECT: return TC_ACT_REDIRECT;
	default: return TC_ACT_SHOT;
	}
}

int snapshot(struct env *e, stats_t s)
{
	for (__u32 slot = 0; slot < e->nslots; slot++) {
		int err = dp_stats_read(e->dp, slot, s[slot]);

		if (err)
			return err;
	}
	return 0;
}

__u32 count_slot(struct env *e, int ingress, const struct pkt_spec *in,
		 __u32 frame_len)
{
	if (!in->tagged || frame_len < 18) /* no complete tag */
		return e->slot[ingress];
	for (size_t i = 0; i < topo_n_ifaces; i++) {
		const struct topo_iface *t = &topo_ifaces[i];

		if (t->parent == ingress && t->vid &&
		    t->vid == (in->vid & 0xfff))
			return e->slot[t->ifx];
	}
	return e->slot[ingress];
}

/* Exactly @times packets (and @bytes each) under (@slot, @reason), nothing
 * anywhere else.  @reason < 0: nothing at all. */
bool counters_ok(struct env *e, __u32 slot, int reason, __u64 bytes,
		 __u64 times)
{
	bool ok = true;

	for (__u32 s = 0; s < e->nslots; s++) {
		for (int r = 0; r < SLUICE_REASON_SLOTS; r++) {
			bool mine = s == slot && r == reason;
			__u64 dp = e->after[s][r].packets -
				   e->before[s][r].packets;
			__u64 db = e->after[s][r].bytes - e->before[s][r].bytes;

			if (dp == (mine ? times : 0) &&
			    db == (mine ? bytes * times : 0))
				continue;
			diag("counter slot %u %s: +%llu packets +%llu bytes, "
			     "want +%llu +%llu\n",
			     s, dp_reason_name(r), (unsigned long long)dp,
			     (unsigned long long)db,
			     (unsigned long long)(mine ? times : 0),
			     (unsigned long long)(mine ? bytes * times : 0));
			ok = false;
		}
	}
	return ok;
}

static int spec_ttl_value(const struct pkt_spec *s)
{
	if (s->ttl == TTL_ZERO)
		return 0;
	return s->ttl ? s->ttl : 64;
}

/* The routed frame, from the spec: new L2, TTL - @hops, every checksum
 * computed afresh by the builder. */
int build_routed(const struct pkt_spec *in, const struct pkt_mut *mut,
		 const struct l2_out *o, int hops, struct frame *f)
{
	struct pkt_spec s = *in;
	int ttl = spec_ttl_value(in) - hops;

	if (ttl < 0)
		return -EINVAL;
	memcpy(s.dst, o->dst, 6);
	memcpy(s.src, o->src, 6);
	s.tagged = o->tagged;
	s.vid = o->vid;
	s.pcp = o->pcp;
	s.dei = o->dei;
	s.ttl = ttl ? ttl : TTL_ZERO;
	return pkt_build(&s, f) ?: pkt_mutate(f, mut, true);
}

struct bufs {
	struct frame f;
	__u8 in[OUT_MAX];
	__u32 in_len;
	__u8 exp[OUT_MAX];
	__u32 exp_len;
	struct run r;
};

static int prepare(const struct fixture *fx, struct bufs *b)
{
	int err = pkt_build(&fx->in, &b->f) ?:
					      pkt_mutate(&b->f, fx->mut, false);

	if (err || (fx->meta && fx->routed))
		return err ?: -EINVAL;
	memset(b->in, 0xa5, fx->meta); /* metadata: recognisable bytes */
	memcpy(b->in + fx->meta, b->f.buf, b->f.len);
	b->in_len = fx->meta + b->f.len;
	if (!fx->routed) {
		memcpy(b->exp, b->in, b->in_len);
		b->exp_len = b->in_len;
		return 0;
	}
	err = build_routed(&fx->in, fx->mut, &fx->out, 1, &b->f);
	memcpy(b->exp, b->f.buf, b->f.len);
	b->exp_len = b->f.len;
	return err;
}

static bool check_run(struct env *e, const struct fixture *fx,
		      const struct bufs *b)
{
	const struct run *r = &b->r;
	bool ok = true;

	if (r->err != fx->run_err) {
		diag("test_run returned %d (%s), want %d\n", r->err,
		     strerror(-r->err), fx->run_err);
		return false;
	}
	if (fx->run_err)
		return counters_ok(e, 0, -1, 0, 0);
	if (e->at_tc && r->retval != tc_action_of(fx->verdict)) {
		diag("TC action %u, want %u (XDP says %s)\n", r->retval,
		     tc_action_of(fx->verdict), xdp_name(fx->verdict));
		ok = false;
	} else if (!e->at_tc && r->retval != (__u32)fx->verdict) {
		diag("verdict %s, want %s\n", xdp_name(r->retval),
		     xdp_name(fx->verdict));
		ok = false;
	}
	if (!counters_ok(e,
			 count_slot(e, fx->ingress, &fx->in,
				    b->in_len - fx->meta),
			 fx->reason, b->in_len - fx->meta, 1))
		ok = false;
	if (r->out_len != b->exp_len || memcmp(r->out, b->exp, b->exp_len)) {
		hexdiff(b->exp, b->exp_len, r->out, r->out_len);
		ok = false;
	}
	return ok;
}

/* Runs one fixture; false with diagnostics when anything differs. */
bool run_fixture(struct env *e, const struct fixture *fx)
{
	static struct bufs b;
	int err = prepare(fx, &b);
	bool ok;

	if (err) {
		diag("cannot build the frames: %s\n", strerror(-err));
		return false;
	}
	if (snapshot(e, e->before) || (e->lb_quiet && lb_quiet_before(e)))
		return false;
	if (e->at_tc) {
		struct fixture tfx = *fx;

		if (e->tc_gso_size)
			tc_run_gso(e, e->ifindex[fx->ingress], b.in, b.in_len,
				   &b.r);
		else
			tc_run(e->tc_fd, e->ifindex[fx->ingress], b.in,
			       b.in_len, &b.r);
		if (snapshot(e, e->after))
			return false;
		/* what the skb hook cannot be given, or does differently */
		if (tc_refuses(b.in, b.in_len)) {
			tfx.run_err = -EINVAL;
		} else if (fx->reason == SLUICE_DROP_REDIRECT) {
			/* bpf_redirect() needs no devmap entry */
			tfx.reason = SLUICE_FWD_REDIRECT;
			tfx.verdict = XDP_REDIRECT;
		}
		return check_run(e, &tfx, &b);
	} else
		xdp_run(e->prog_fd, e->ifindex[fx->ingress], b.in, b.in_len,
			fx->meta, 1, &b.r);
	if (snapshot(e, e->after))
		return false;
	ok = check_run(e, fx, &b);
	/* and nothing of the load balancer's moved (LB sweeps) */
	if (e->lb_quiet && !lb_quiet_ok(e))
		ok = false;
	return ok;
}

/* ---- tables ---------------------------------------------------------------- */

static void run_fixtures(struct env *e)
{
	for (size_t i = 0; i < n_fixtures; i++)
		tap(e, run_fixture(e, &fixtures[i]), fixtures[i].name);
}

/*
 * The same table through the TC program (bpf/sluice_tc.bpf.c): the same
 * reason counted once, the same output bytes, and the TC action that
 * carries out the XDP verdict.  Rows with XDP metadata in front of the
 * frame have no skb equivalent and are XDP's alone.
 */
static void run_fixtures_tc(struct env *e)
{
	char name[200];

	e->at_tc = true;
	for (size_t i = 0; i < n_fixtures; i++) {
		if (fixtures[i].meta)
			continue;
		snprintf(name, sizeof(name), "tc: %s", fixtures[i].name);
		tap(e, run_fixture(e, &fixtures[i]), name);
	}
	for (size_t i = 0; i < n_sweep_fixtures; i++)
		if (!sweep_fixtures[i].meta)
			run_sweep(e, &sweep_fixtures[i]);
	e->at_tc = false;
}

/*
 * GSO at TC: a container's TCP comes as one skb larger than the egress MTU
 * (P2, 1280) that the stack cuts into gso_size segments on the way out.
 * It forwards when a segment, headers as the segments carry them (TCP
 * with 12 bytes of timestamps option here), fits; else the kernel gets it.
 */
struct gso_case {
	const char *name;
	__u8 l3, l4;
	const char *daddr;
	__u32 gso_segs, gso_size;
	__u32 action; /* TC_ACT_* */
};

static const struct gso_case gso_cases[] = {
	{ "tc gso: v4 TCP segment of exactly the mtu forwards", PKT_L3_IP4,
	  IPPROTO_TCP, "198.19.6.5", 3, 1280 - 20 - 32, TC_ACT_REDIRECT },
	{ "tc gso: v4 TCP segment one byte over the mtu passes", PKT_L3_IP4,
	  IPPROTO_TCP, "198.19.6.5", 3, 1280 - 20 - 32 + 1, TC_ACT_OK },
	{ "tc gso: v4 TCP over the mtu without gso passes", PKT_L3_IP4,
	  IPPROTO_TCP, "198.19.6.5", 0, 0, TC_ACT_OK },
	{ "tc gso: v6 TCP segment of exactly the mtu forwards", PKT_L3_IP6,
	  IPPROTO_TCP, "2001:db8:106::5", 3, 1280 - 40 - 32, TC_ACT_REDIRECT },
	{ "tc gso: v6 TCP segment one byte over the mtu passes", PKT_L3_IP6,
	  IPPROTO_TCP, "2001:db8:106::5", 3, 1280 - 40 - 32 + 1, TC_ACT_OK },
	{ "tc gso: v4 UDP segment of exactly the mtu forwards", PKT_L3_IP4,
	  IPPROTO_UDP, "198.19.6.5", 3, 1280 - 20 - 8, TC_ACT_REDIRECT },
	{ "tc gso: v4 UDP segment one byte over the mtu passes", PKT_L3_IP4,
	  IPPROTO_UDP, "198.19.6.5", 3, 1280 - 20 - 8 + 1, TC_ACT_OK },
};

static void run_gso_tc(struct env *e)
{
	static struct run r;
	static struct frame f;

	for (size_t i = 0; i < sizeof(gso_cases) / sizeof(gso_cases[0]); i++) {
		const struct gso_case *c = &gso_cases[i];
		struct pkt_spec s = {
			.dst = MAC_P0,
			.src = MAC_H0,
			.l3 = c->l3,
			.l4 = c->l4,
			.saddr = c->l3 == PKT_L3_IP6 ? H0_6 : H0_4,
			.daddr = c->daddr,
			.sport = 40000,
			.dport = 443,
			.payload = 1500,
		};
		struct dp_test_run t = { .ifindex = e->ifindex[IFX_P0],
					 .repeat = 1,
					 .out = r.out,
					 .out_size = sizeof(r.out),
					 .gso_segs = c->gso_segs,
					 .gso_size = c->gso_size };
		int err = pkt_build(&s, &f);

		/* data offset 8: 12 bytes of the payload become options */
		if (!err && c->l4 == IPPROTO_TCP)
			f.buf[f.l4_off + 12] = 8 << 4;
		if (!err)
			err = dp_test_run_skb(e->tc_fd, f.buf, f.len, &t);
		if (err)
			diag("cannot build or run it: %s\n", strerror(-err));
		else if (t.retval != c->action)
			diag("TC action %u, want %u\n", t.retval, c->action);
		tap(e, !err && t.retval == c->action, c->name);
	}
}

/*
 * GSO at TC out of a VLAN (V30 on P1, MTU 1500): the tag goes in front of
 * every segment and changes no segment's L3 size, so the skb is forwarded
 * tagged, gso_size as it was (ctx/skb.h ctx_vlan_push_room(); pktdiff
 * found UDP's drop_adjust).  Exact bytes and the reason, as the table's
 * rows; TCP with 12 bytes of options (data offset 8).
 */
struct gso_vlan_case {
	struct fixture fx;
	__u32 gso_segs, gso_size;
};

#define GSO_TO_V30(l4p, sp, dp, n)                                             \
	.dst = MAC_P0, .src = MAC_H0, .l3 = PKT_L3_IP4, .saddr = H0_4,         \
	.daddr = "198.19.8.5", .l4 = l4p, .sport = sp, .dport = dp,            \
	.payload = n
#define GSO_TAGGED                                                             \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_REDIRECT,                \
	.routed = true,                                                        \
	.out = { .dst = MAC_GW30, .src = MAC_V30, .tagged = 1, .vid = 30 }
#define DOFF8                                                                  \
	{                                                                      \
		MUT_SET8, BASE_L4, 12, 8 << 4                                  \
	}

static const struct gso_vlan_case gso_vlan_cases[] = {
	{ { "tc gso vlan: v4 TCP GSO out of VLAN 30 is tagged",
	    IFX_P0,
	    { GSO_TO_V30(IPPROTO_TCP, 40000, 443, 1900) },
	    { DOFF8 },
	    GSO_TAGGED },
	  2,
	  1000 },
	{ { "tc gso vlan: v4 UDP GSO out of VLAN 30 is tagged",
	    IFX_P0,
	    { GSO_TO_V30(IPPROTO_UDP, 40001, 4433, 1900) },
	    {},
	    GSO_TAGGED },
	  2,
	  1000 },
	{ { "tc gso vlan: v4 UDP GSO, segment of exactly the mtu, is tagged",
	    IFX_P0,
	    { GSO_TO_V30(IPPROTO_UDP, 40002, 4433, 1900) },
	    {},
	    GSO_TAGGED },
	  2,
	  1500 - 20 - 8 },
	{ { "tc gso vlan: v4 UDP GSO, segment one byte over: pass_mtu",
	    IFX_P0,
	    { GSO_TO_V30(IPPROTO_UDP, 40003, 4433, 1900) },
	    {},
	    .verdict = XDP_PASS,
	    .reason = SLUICE_PASS_MTU },
	  2,
	  1500 - 20 - 8 + 1 },
	{ { "tc gso vlan: v4 TCP GSO, segment one byte over: pass_mtu",
	    IFX_P0,
	    { GSO_TO_V30(IPPROTO_TCP, 40004, 443, 1900) },
	    { DOFF8 },
	    .verdict = XDP_PASS,
	    .reason = SLUICE_PASS_MTU },
	  2,
	  1500 - 20 - 32 + 1 },
};

static void run_gso_vlan_tc(struct env *e)
{
	e->at_tc = true;
	for (size_t i = 0;
	     i < sizeof(gso_vlan_cases) / sizeof(gso_vlan_cases[0]); i++) {
		const struct gso_vlan_case *c = &gso_vlan_cases[i];

		e->tc_gso_segs = c->gso_segs;
		e->tc_gso_size = c->gso_size;
		tap(e, run_fixture(e, &c->fx), c->fx.name);
	}
	e->tc_gso_segs = e->tc_gso_size = 0;
	e->at_tc = false;
}

/* The member sluice_flow_hash() names for this flow. */
__u32 ecmp_member(const struct pkt_spec *s, __u32 n)
{
	int v6 = s->l3 == PKT_L3_IP6;
	__u32 sa[4] = { 0 }, da[4] = { 0 }, ports = 0, h;

	pkt_addr(v6 ? AF_INET6 : AF_INET, s->saddr, (__u8 *)sa);
	pkt_addr(v6 ? AF_INET6 : AF_INET, s->daddr, (__u8 *)da);
	if (s->l4 == IPPROTO_TCP || s->l4 == IPPROTO_UDP) {
		/* as the data path loads them: the first four L4 bytes */
		__u8 raw[4] = { s->sport >> 8, s->sport & 0xff, s->dport >> 8,
				s->dport & 0xff };

		memcpy(&ports, raw, 4);
	}
	h = sluice_flow_hash(sa, da, v6 ? 4 : 1, ports, s->l4);
	return n > 1 ? h % n : 0;
}

bool run_ecmp(struct env *e, const struct ecmp_fixture *ef)
{
	unsigned int used[SLUICE_MAX_ECMP] = { 0 };
	struct fixture fx = { .name = ef->name,
			      .ingress = ef->ingress,
			      .in = ef->in,
			      .routed = true };
	bool ok = true;

	for (__u16 flow = 0; flow < ef->flows && ok; flow++) {
		__u32 m;

		fx.in.sport = ef->in.sport + flow;
		m = ecmp_member(&fx.in, ef->n);
		fx.out = ef->memb[m].out;
		fx.verdict = ef->memb[m].verdict;
		fx.reason = ef->memb[m].reason;
		for (__u16 run = 0; run < ef->runs && ok; run++) {
			ok = run_fixture(e, &fx);
			if (!ok)
				diag("flow with sport %u, run %u: want member "
				     "%u\n",
				     fx.in.sport, run, m);
		}
		used[m]++;
	}
	for (__u32 m = 0; ok && ef->all_used && m < ef->n; m++) {
		if (!used[m]) {
			diag("member %u carried none of %u flows\n", m,
			     ef->flows);
			ok = false;
		}
	}
	for (__u32 m = 0; ok && m < ef->n; m++)
		diag("member %u: %u flow(s)\n", m, used[m]);
	return ok;
}

static void run_ecmps(struct env *e)
{
	for (size_t i = 0; i < n_ecmp_fixtures; i++)
		tap(e, run_ecmp(e, &ecmp_fixtures[i]), ecmp_fixtures[i].name);
}

static int band_reason(const struct sweep_fixture *sw, __u32 len)
{
	for (int i = 0; i < 4 && sw->band[i].below; i++)
		if (len < sw->band[i].below)
			return sw->band[i].reason;
	return SWEEP_EINVAL - 1; /* the table does not cover @len */
}

void run_sweep(struct env *e, const struct sweep_fixture *sw)
{
	struct fixture fx = { .ingress = sw->ingress,
			      .in = sw->in,
			      .meta = sw->meta,
			      .verdict = XDP_DROP };
	char name[160];

	fx.mut[1].op = sw->fit_len ? MUT_IP_LEN_FIT : MUT_END;
	for (__u32 len = sw->from; len < sw->upto; len++) {
		int want = band_reason(sw, len);

		fx.mut[0] = (struct pkt_mut){ MUT_CUT, BASE_L2, 0, len };
		fx.run_err = want == SWEEP_EINVAL ? -EINVAL : 0;
		fx.reason = want;
		snprintf(name, sizeof(name), "%s%s at %u: %s",
			 e->at_tc ? "tc: " : "", sw->name, len,
			 want == SWEEP_EINVAL ? "test_run EINVAL" :
						dp_reason_name(want));
		fx.name = name;
		if (want < SWEEP_EINVAL) {
			diag("no band covers length %u\n", len);
			tap(e, false, name);
			continue;
		}
		tap(e, run_fixture(e, &fx), name);
	}
}

static void run_sweeps(struct env *e)
{
	for (size_t i = 0; i < n_sweep_fixtures; i++)
		run_sweep(e, &sweep_fixtures[i]);
}

/* ---- cost figure ------------------------------------------------------------ */

struct perf {
	unsigned int calls;
	__u64 fwd_ns, floor_ns; /* summed over all runs */
	__u32 len;
	__u8 in[OUT_MAX];
	__u8 exp[OUT_MAX];
	__u32 exp_len;
	struct run r;
};

/* One call of each, interleaved so that both see the same noise. */
static bool perf_call(struct env *e, int floor_fd, struct perf *p)
{
	__u32 ifindex = e->ifindex[perf_fixture.ingress];

	if (xdp_run(e->prog_fd, ifindex, p->in, p->len, 0, PERF_REPEAT,
		    &p->r) ||
	    p->r.retval != XDP_REDIRECT || p->r.out_len != p->exp_len ||
	    memcmp(p->r.out, p->exp, p->exp_len)) {
		diag("sluice: err %d, %s, %u bytes\n", p->r.err,
		     xdp_name(p->r.retval), p->r.out_len);
		hexdiff(p->exp, p->exp_len, p->r.out, p->r.out_len);
		return false;
	}
	p->fwd_ns += (__u64)p->r.duration * PERF_REPEAT;
	if (xdp_run(floor_fd, ifindex, p->in, p->len, 0, PERF_REPEAT, &p->r) ||
	    p->r.retval != XDP_PASS || p->r.out_len != p->len ||
	    memcmp(p->r.out, p->in, p->len)) {
		diag("xdp_pass: err %d, %s\n", p->r.err, xdp_name(p->r.retval));
		return false;
	}
	p->floor_ns += (__u64)p->r.duration * PERF_REPEAT;
	return true;
}

static int perf_frames(struct perf *p)
{
	static struct frame f;
	int err = pkt_build(&perf_fixture.in, &f);

	if (err)
		return err;
	memcpy(p->in, f.buf, f.len);
	p->len = f.len;
	/* after PERF_REPEAT forwards on one buffer: TTL 255 - 200 */
	err = build_routed(&perf_fixture.in, perf_fixture.mut,
			   &perf_fixture.out, PERF_REPEAT, &f);
	memcpy(p->exp, f.buf, f.len);
	p->exp_len = f.len;
	return err;
}

static bool perf_measure(struct env *e, struct perf *p)
{
	struct dp_floor *floor = dp_floor_open();
	bool ok;

	if (!floor) {
		diag("cannot load xdp_floor: %s\n", strerror(errno));
		return false;
	}
	ok = !snapshot(e, e->before);
	for (unsigned int i = 0; ok && i < p->calls; i++)
		ok = perf_call(e, dp_floor_pass_fd(floor), p);
	dp_floor_close(floor);
	if (!ok || snapshot(e, e->after))
		return false;
	return counters_ok(
		e, count_slot(e, perf_fixture.ingress, &perf_fixture.in, 64),
		perf_fixture.reason, p->len, (__u64)PERF_REPEAT * p->calls);
}

static void run_perf(struct env *e, bool full)
{
	static struct perf p;
	double runs, fwd, floor;
	bool ok;

	p.calls = full ? PERF_CALLS : PERF_SMOKE_CALLS;
	ok = !perf_frames(&p);
	if (!ok)
		diag("cannot build the frames\n");
	ok = ok && perf_measure(e, &p);
	tap(e, ok, perf_fixture.name);
	if (!ok)
		return;
	runs = (double)p.calls * PERF_REPEAT;
	fwd = p.fwd_ns / runs;
	floor = p.floor_ns / runs;
	printf("# perf%s: v4_forward_ns=%.1f (%.0f runs)\n",
	       full ? "" : " smoke (SLUICE_BPF_PERF=1 for the figure)", fwd,
	       runs);
	printf("# perf%s: xdp_pass_ns=%.1f ratio=%.2f\n", full ? "" : " smoke",
	       floor, floor > 0 ? fwd / floor : 0.0);
}

int main(void)
{
	static struct env e;
	const char *perf = getenv("SLUICE_BPF_PERF");
	char why[256] = "";
	bool lb_ok;

	setvbuf(stdout, NULL, _IOLBF, 0);
	dp_log_route_libbpf();
	if (setup(&e, why, sizeof(why))) {
		printf("not ok 1 - setup: %s\n1..1\n", why);
		dp_close(e.dp);
		return 1;
	}
	run_fixtures(&e);
	run_ecmps(&e);
	run_sweeps(&e);
	run_fixtures_tc(&e);
	run_gso_tc(&e);
	run_gso_vlan_tc(&e);
	neigh_wanted_run_all(&e);
	xmit_run_all(&e);
	ddos_run_all(&e);
	fw_run_all(&e);
	steer_run_all(&e);
	l7_run_all(&e);
	trace_run_all(&e);
	explain_run_all(&e);
	/* the load balancer's tables go in only now: the router's rows above
	 * run with none, as before */
	lb_ok = !lb_setup(&e, why, sizeof(why));
	if (!lb_ok)
		diag("%s\n", why);
	tap(&e, lb_ok, "lb setup: backends, VIPs, Maglev tables read back");
	if (lb_ok) {
		lb_run_all(&e);
		lb_hbh_run_all(&e);
	}
	run_perf(&e, perf && !strcmp(perf, "1"));
	if (lb_ok)
		lb_perf(&e, perf && !strcmp(perf, "1"));
	decap_run_all(&e);
	fib_run_all(&e);
	fibshare_run_all(&e);
	ct_run_all(&e);
	nat_run_all(&e);
	layout_run_all(&e);
	verifier_run_all(&e);
	second_run_all(&e, lb_ok);
	if (lb_ok)
		trace_run_lb(&e);
	printf("1..%u\n", e.n);
	if (e.failed)
		printf("# %u of %u failed\n", e.failed, e.n);
	lb_teardown();
	dp_close(e.dp);
	return e.failed ? 1 : 0;
}
