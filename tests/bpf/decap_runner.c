// SPDX-License-Identifier: BSD-2-Clause
/*
 * The backend side's part of the BPF tier.  It opens a second lib/dp with
 * .role = DP_ROLE_BACKEND (no pinning), whose dp_xdp_prog_fd() is the
 * decapsulation program, registers this host's addresses with
 * dp_local_addr_set() and plays the rows and sweeps of decap_fixtures.c.
 *
 * Each run checks the verdict, that exactly one decap counter moved (by
 * one packet and the frame's bytes, dp_decap_stats_read() before and
 * after), and the exact output bytes and length.  The input is pkt_encap()
 * of the row's inner packet and tunnel; the expected output of a
 * decapsulation is pkt_build() of the inner spec alone, whose L2 is the
 * frame's: nothing is derived from the input frame or from BPF code.
 *
 * Last, the pairing: encapsulated frames the router program made from LB
 * rows (lb_fixtures.c) are handed to the decapsulation program with the
 * VIP's backends as this host's addresses; what comes out must be the
 * client's packet, byte for byte from its L3 header on, behind the L2 the
 * LB wrote.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include "dp.h"
#include "decap_fixtures.h"
#include "lb_fixtures.h"
#include "pktbuild.h"
#include "runner.h"

#define META_BYTE 0xa5 /* metadata: recognisable bytes */

/* The ingress device has no slot (no daemon runs): slot 0 counts it. */
#define DX_SLOT 0

typedef struct sluice_counter dstats_t[SLUICE_REASON_SLOTS];

struct dx_env {
	struct env *e;
	struct dp *dp; /* the backend role's */
	int prog_fd;
	__u32 ifindex; /* ingress: any real device will do */
	dstats_t before, after;
};

static struct dx_env dxe;

/* ---- helpers ------------------------------------------------------------- */

static int local_addr(struct dx_env *d, const char *txt, bool add)
{
	int fam = family_of(txt);
	__u8 a[16];

	if (pkt_addr(fam, txt, a))
		return -EINVAL;
	return add ? dp_local_addr_set(d->dp, fam, a) :
		     dp_local_addr_del(d->dp, fam, a);
}

static bool is_decap(int reason)
{
	return reason == SLUICE_DECAP_IPIP || reason == SLUICE_DECAP_GRE;
}

static int verdict_of(int reason)
{
	return dp_reason_verdict((unsigned int)reason) == SLUICE_V_DROP ?
		       XDP_DROP :
		       XDP_PASS;
}

static const char *reason_name(int reason)
{
	return reason < 0 ? "test_run EINVAL" :
			    dp_reason_name((unsigned int)reason);
}

/* Exactly one packet of @bytes under @reason between before and after,
 * nothing anywhere else.  @reason < 0: nothing at all. */
static bool dx_counters_ok(struct dx_env *d, int reason, __u64 bytes)
{
	bool ok = true;

	for (size_t i = 0; i < DP_REASON_COUNT; i++) {
		int r = (int)dp_reason_at(i);
		bool mine = r == reason;
		__u64 dp = d->after[r].packets - d->before[r].packets;
		__u64 db = d->after[r].bytes - d->before[r].bytes;

		if (dp == (mine ? 1 : 0) && db == (mine ? bytes : 0))
			continue;
		diag("decap counter %s: +%llu packets +%llu bytes, want +%u "
		     "+%llu\n",
		     dp_reason_name((unsigned int)r), (unsigned long long)dp,
		     (unsigned long long)db, mine ? 1 : 0,
		     (unsigned long long)(mine ? bytes : 0));
		ok = false;
	}
	return ok;
}

/* One run of the decapsulation program on @in (@meta bytes of metadata
 * in front), checked against @exp. */
static bool dx_run(struct dx_env *d, const __u8 *in, __u32 inlen, __u8 meta,
		   const __u8 *exp, __u32 explen, int run_err, int verdict,
		   int reason)
{
	static struct run r;
	bool ok = true;

	if (dp_stats_read(d->dp, DX_SLOT, d->before)) {
		diag("cannot read the decap counters\n");
		return false;
	}
	xdp_run(d->prog_fd, d->ifindex, in, inlen, meta, 1, &r);
	if (dp_stats_read(d->dp, DX_SLOT, d->after)) {
		diag("cannot read the decap counters\n");
		return false;
	}
	if (r.err != run_err) {
		diag("test_run returned %d (%s), want %d\n", r.err,
		     strerror(-r.err), run_err);
		return false;
	}
	if (run_err)
		return dx_counters_ok(d, -1, 0);
	if (r.retval != (__u32)verdict) {
		diag("verdict %s, want %s\n", xdp_name(r.retval),
		     xdp_name((__u32)verdict));
		ok = false;
	}
	if (!dx_counters_ok(d, reason, inlen - meta))
		ok = false;
	if (r.out_len != explen || memcmp(r.out, exp, explen)) {
		hexdiff(exp, explen, r.out, r.out_len);
		ok = false;
	}
	return ok;
}

/* ---- the rows ------------------------------------------------------------ */

struct dx_case {
	struct frame inner; /* the inner packet, with the frame's L2 */
	struct frame full;  /* encapsulated, before the row's mutations */
	struct frame in;    /* what the program gets */
	__u8 inb[OUT_MAX];
	__u32 inlen;
	__u8 expb[OUT_MAX];
	__u32 explen;
};

/* pkt_encap()'s description of @t, with the L2 of @s. */
static int tunnel_of(const struct pkt_spec *s, const struct dx_tunnel *t,
		     struct pkt_encap *x)
{
	memset(x, 0, sizeof(*x));
	memcpy(x->dst, s->dst, 6);
	memcpy(x->src, s->src, 6);
	x->tagged = s->tagged;
	x->pcp = s->pcp;
	x->dei = s->dei;
	x->vid = s->vid;
	x->family = (__u8)family_of(t->daddr);
	if (family_of(t->saddr) != x->family ||
	    pkt_addr(x->family, t->saddr, x->saddr) ||
	    pkt_addr(x->family, t->daddr, x->daddr))
		return -EINVAL;
	x->gre = t->kind == DXT_GRE;
	x->tos = t->tos;
	x->flow = t->flow;
	x->frag = t->frag;
	x->ip_opts = t->ip_opts;
	x->gre_flags = t->gre_flags;
	x->gre_proto = t->gre_proto;
	x->gre_key = t->gre_key;
	x->gre_seq = t->gre_seq;
	return 0;
}

static int dx_prepare(const struct decap_fixture *fx, struct dx_case *c)
{
	const struct frame *exp;
	struct pkt_encap x;
	__u32 cut;
	int err;

	err = pkt_build(&fx->in, &c->inner) ?:
		      pkt_mutate(&c->inner, fx->imut, false);
	if (err)
		return err;
	if (fx->t.kind == DXT_NONE) {
		if (fx->decap)
			return -EINVAL;
		c->full = c->inner;
	} else {
		err = tunnel_of(&fx->in, &fx->t, &x) ?:
			      pkt_encap(&c->inner, &x, &c->full);
		if (err)
			return err;
	}
	c->in = c->full;
	err = pkt_mutate(&c->in, fx->mut, false);
	if (err)
		return err;
	memset(c->inb, META_BYTE, fx->meta);
	memcpy(c->inb + fx->meta, c->in.buf, c->in.len);
	c->inlen = fx->meta + c->in.len;
	/* the inner packet, cut by as much as the input was */
	exp = fx->decap ? &c->inner : &c->in;
	cut = fx->decap ? c->full.len - c->in.len : 0;
	if (cut > exp->len || (fx->decap && c->in.len > c->full.len))
		return -EINVAL;
	memset(c->expb, META_BYTE, fx->meta);
	memcpy(c->expb + fx->meta, exp->buf, exp->len - cut);
	c->explen = fx->meta + exp->len - cut;
	return 0;
}

static bool dx_row(struct dx_env *d, const struct decap_fixture *fx,
		   int run_err)
{
	static struct dx_case c;
	int err;

	if ((fx->add_local && (err = local_addr(d, fx->add_local, true))) ||
	    (fx->del_local && (err = local_addr(d, fx->del_local, false)))) {
		diag("local address %s: %s\n",
		     fx->add_local ? fx->add_local : fx->del_local,
		     strerror(-err));
		return false;
	}
	err = dx_prepare(fx, &c);
	if (err) {
		diag("cannot build the frames: %s\n", strerror(-err));
		return false;
	}
	if (is_decap(fx->reason) != fx->decap ||
	    verdict_of(fx->reason) != fx->verdict) {
		diag("the row's reason, verdict and output disagree\n");
		return false;
	}
	return dx_run(d, c.inb, c.inlen, fx->meta, c.expb, c.explen, run_err,
		      fx->verdict, fx->reason);
}

static void dx_rows(struct dx_env *d)
{
	char name[200];

	for (size_t i = 0; i < decap_n_fixtures; i++) {
		snprintf(name, sizeof(name), "decap: %s",
			 decap_fixtures[i].name);
		tap(d->e, dx_row(d, &decap_fixtures[i], 0), name);
	}
}

static int band_of(const struct decap_sweep *sw, __u32 len, bool *found)
{
	for (size_t i = 0;
	     i < sizeof(sw->band) / sizeof(sw->band[0]) && sw->band[i].below;
	     i++) {
		if (len < sw->band[i].below) {
			*found = true;
			return sw->band[i].reason;
		}
	}
	*found = false;
	return DX_EINVAL;
}

static void dx_sweep(struct dx_env *d, const struct decap_sweep *sw)
{
	struct decap_fixture fx = { .in = sw->in, .t = sw->t };
	char name[200];

	for (__u32 len = sw->from; len < sw->upto; len++) {
		bool found;
		int want = band_of(sw, len, &found);

		fx.mut[0] = (struct pkt_mut){ MUT_CUT, BASE_L2, 0, len };
		fx.reason = want;
		fx.verdict = verdict_of(want);
		fx.decap = is_decap(want);
		snprintf(name, sizeof(name), "%s at %u: %s", sw->name, len,
			 reason_name(want));
		if (!found) {
			diag("no band covers length %u\n", len);
			tap(d->e, false, name);
			continue;
		}
		tap(d->e, dx_row(d, &fx, want == DX_EINVAL ? -EINVAL : 0),
		    name);
	}
}

/* ---- the pairing with the load balancer ---------------------------------- */

static const struct lb_vip_def *vip_def(__u32 id)
{
	for (size_t i = 0; i < lb_n_vips; i++)
		if (lb_vips[i].id == id)
			return &lb_vips[i];
	return NULL;
}

static const char *backend_addr(__u32 id)
{
	for (size_t i = 0; i < lb_n_backends; i++)
		if (lb_backends[i].id == id)
			return lb_backends[i].addr;
	return NULL;
}

/* The VIP's backends are this host's addresses (@add) or not any more. */
static int vip_backends_local(struct dx_env *d, const struct lb_vip_def *v,
			      bool add)
{
	int err = 0;

	for (size_t i = 0; i < LB_VIP_MAX_BE && v->be[i]; i++) {
		const char *a = backend_addr(v->be[i]);
		int e = a ? local_addr(d, a, add) : -ENOENT;

		err = err ?: e;
	}
	return err;
}

/* Rows whose output is an encapsulated frame on its way, and whose state
 * needs no action of their own. */
static bool pair_eligible(const struct lb_fixture *fx)
{
	return fx->out == LBO_ENCAP && fx->verdict != XDP_DROP &&
	       fx->act[0].op == ACT_END;
}

struct pair_case {
	struct frame client;
	__u8 inb[OUT_MAX];
	__u32 inlen;
	struct run lb;
	__u8 expb[OUT_MAX];
	__u32 explen;
};

/* The LB's frame, then the expected decapsulation: the metadata, the
 * LB's MACs (and tag), the client's family, the client's packet from its
 * L3 header to its end. */
static bool pair_prepare(struct dx_env *d, const struct lb_fixture *fx,
			 struct pair_case *p)
{
	struct env *e = d->e;
	const __u8 *l2;
	__u32 off, l2len, rest;
	int err = pkt_build(&fx->in, &p->client) ?:
			  pkt_mutate(&p->client, fx->mut, false);

	if (err) {
		diag("cannot build the client's frame: %s\n", strerror(-err));
		return false;
	}
	memset(p->inb, META_BYTE, fx->meta);
	memcpy(p->inb + fx->meta, p->client.buf, p->client.len);
	p->inlen = fx->meta + p->client.len;
	xdp_run(e->prog_fd, e->ifindex[fx->ingress], p->inb, p->inlen, fx->meta,
		1, &p->lb);
	if (p->lb.err || p->lb.retval != (__u32)fx->verdict ||
	    p->lb.out_len > OUT_MAX || p->lb.out_len < fx->meta + 14u) {
		diag("the LB's run: err %d, %s (want %s), %u bytes\n",
		     p->lb.err, xdp_name(p->lb.retval),
		     xdp_name((__u32)fx->verdict), p->lb.out_len);
		return false;
	}
	l2 = p->lb.out + fx->meta;
	l2len = l2[12] == 0x81 && l2[13] == 0x00 ? 18 : 14;
	rest = p->client.len - p->client.l3_off;
	if (fx->meta + l2len + rest > OUT_MAX)
		return false;
	memset(p->expb, META_BYTE, fx->meta);
	off = fx->meta;
	memcpy(p->expb + off, l2, l2len - 2); /* MACs, the tag if any */
	off += l2len - 2;
	p->expb[off++] = fx->in.l3 == PKT_L3_IP4 ? 0x08 : 0x86;
	p->expb[off++] = fx->in.l3 == PKT_L3_IP4 ? 0x00 : 0xdd;
	memcpy(p->expb + off, p->client.buf + p->client.l3_off, rest);
	p->explen = off + rest;
	return true;
}

static bool pair_row(struct dx_env *d, const struct lb_fixture *fx)
{
	static struct pair_case p;
	const struct lb_vip_def *v = vip_def(fx->vip);
	int reason, err;
	bool ok;

	if (!v) {
		diag("VIP %u is not in the LB's table\n", fx->vip);
		return false;
	}
	reason = v->flags & SLUICE_VIP_GRE ? SLUICE_DECAP_GRE :
					     SLUICE_DECAP_IPIP;
	if (!pair_prepare(d, fx, &p))
		return false;
	err = vip_backends_local(d, v, true);
	ok = !err && dx_run(d, p.lb.out, p.lb.out_len, fx->meta, p.expb,
			    p.explen, 0, XDP_PASS, reason);
	if (err)
		diag("cannot make the VIP's backends local: %s\n",
		     strerror(-err));
	err = vip_backends_local(d, v, false);
	if (err) {
		diag("cannot remove the VIP's backends: %s\n", strerror(-err));
		ok = false;
	}
	return ok;
}

static void dx_pairs(struct dx_env *d)
{
	char name[200];
	unsigned int n = 0;

	for (size_t i = 0; i < lb_n_fixtures; i++) {
		if (!pair_eligible(&lb_fixtures[i]))
			continue;
		snprintf(name, sizeof(name), "decap pairing: %s",
			 lb_fixtures[i].name);
		tap(d->e, pair_row(d, &lb_fixtures[i]), name);
		n++;
	}
	if (!n)
		tap(d->e, false, "decap pairing: no LB row to pair with");
}

/* ---- setup --------------------------------------------------------------- */

struct readback {
	bool seen[16];
	unsigned int n;
	bool ok;
};

/* Every key dp_local_addr_foreach() gives must be one of ours, value 1. */
static int readback_cb(const void *key, const void *value, void *arg)
{
	const struct sluice_addr_key *k = key;
	struct readback *rb = arg;

	rb->n++;
	for (size_t i = 0; i < decap_n_local_addrs; i++) {
		struct sluice_addr_key want = { 0 };

		want.family = (__u8)family_of(decap_local_addrs[i]);
		if (pkt_addr(want.family, decap_local_addrs[i], want.addr))
			break;
		if (!memcmp(&want, k, sizeof(want)) &&
		    *(const __u32 *)value == 1 && !rb->seen[i]) {
			rb->seen[i] = true;
			return 0;
		}
	}
	diag("local_addrs holds an unexpected key (family %u)\n", k->family);
	rb->ok = false;
	return 0;
}

static int dx_setup(struct dx_env *d, struct env *e, char *why, size_t len)
{
	struct readback rb = { .ok = true };
	int err;

	d->e = e;
	d->ifindex = e->ifindex[IFX_P1];
	err = dp_open(&d->dp, &(struct dp_opts){ .pin_dir = NULL,
						 .role = DP_ROLE_BACKEND });
	if (err) {
		snprintf(why, len, "dp_open (backend role): %s",
			 strerror(-err));
		return err;
	}
	d->prog_fd = dp_xdp_prog_fd(d->dp);
	if (dp_role(d->dp) != DP_ROLE_BACKEND || d->prog_fd < 0 ||
	    d->prog_fd == e->prog_fd) {
		snprintf(why, len, "not the backend role's program (fd %d)",
			 d->prog_fd);
		return -EINVAL;
	}
	if (decap_n_local_addrs > sizeof(rb.seen) / sizeof(rb.seen[0])) {
		snprintf(why, len,
			 "more local addresses than readback_cb "
			 "can tell apart");
		return -E2BIG;
	}
	for (size_t i = 0; i < decap_n_local_addrs; i++) {
		err = local_addr(d, decap_local_addrs[i], true);
		if (err) {
			snprintf(why, len, "dp_local_addr_set %s: %s",
				 decap_local_addrs[i], strerror(-err));
			return err;
		}
	}
	err = dp_local_addr_foreach(d->dp, readback_cb, &rb);
	if (err || !rb.ok || rb.n != decap_n_local_addrs) {
		snprintf(why, len, "local addresses read back: %u of %zu (%s)",
			 rb.n, decap_n_local_addrs, err ? strerror(-err) : "");
		return err ?: -EIO;
	}
	/* a fresh object counts nothing yet */
	err = dp_stats_read(d->dp, DX_SLOT, d->after);
	for (int r = 0; !err && r < SLUICE_REASON_SLOTS; r++)
		if (d->after[r].packets || d->after[r].bytes)
			err = -EEXIST;
	if (err)
		snprintf(why, len, "decap counters at start: %s",
			 strerror(-err));
	return err;
}

void decap_run_all(struct env *e)
{
	struct dx_env *d = &dxe;
	char why[256] = "";
	bool ok = !dx_setup(d, e, why, sizeof(why));

	if (!ok)
		diag("%s\n", why);
	tap(e, ok, "decap setup: backend-role dp, local addresses read back");
	if (ok) {
		dx_rows(d);
		for (size_t i = 0; i < decap_n_sweeps; i++)
			dx_sweep(d, &decap_sweeps[i]);
		dx_pairs(d);
	}
	dp_close(d->dp);
	d->dp = NULL;
}
