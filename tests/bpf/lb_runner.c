// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's part of the BPF tier.  It programs backends, VIPs and
 * Maglev tables (built with lib/maglev) through lib/dp, then plays the rows
 * of lb_fixtures.c in order.
 *
 * To know which backend a flow must reach it keeps its own model: the
 * Maglev tables as it installed and changed them, and the flow entries the
 * rows made.  A new flow goes to table[hash % M], where hash is computed
 * here from the row's addresses and ports with sluice_flow_hash() (the
 * shared header), the way the header documents its inputs; a flow-table
 * hit goes where the model's entry says.  From that backend, the VIP and
 * lb_config the expected outer header is written field by field by
 * pktbuild.c.  Nothing here calls or copies BPF code.
 *
 * Each row checks: the verdict; exactly one router counter (the row's
 * reason on the ingress slot); the output bytes; every VIP and backend
 * counter of the tables (the row's VIP and backend by the expected amount,
 * all others unchanged); the size of the flow table; and the flow entry
 * itself (backend, VIP, last_seen_ns where the row says).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <uapi/sluice/flow_hash.h>
#include "dp.h"
#include "maglev.h"
#include "lb_fixtures.h"
#include "pktbuild.h"
#include "runner.h"
#include "floor.h"

#define LB_MAX_MODEL_FLOWS 512
/* The cost figure runs with repeat = 1 (see lb_perf()). */
#define LB_PERF_CALLS 200000
#define LB_PERF_SMOKE_CALLS 200

struct vip_state {
	const struct lb_vip_def *d;
	__u32 *ring; /* the table as installed and changed */
	__u32 m;
};

struct model_flow {
	struct sluice_flow_key key;
	__u32 be;
	__u32 vip;
};

struct lb_counts {
	struct sluice_lb_counter vip[SLUICE_LB_MAX_VIPS];
	struct sluice_lb_counter be[LB_MAX_BE_ID];
	__u64 fev[SLUICE_LB_FLOW_NEVENTS]; /* lb_flow_events */
	int flows;
};

struct lb_env {
	struct env *e;
	struct sluice_lb_config cfg;		   /* as last written */
	struct vip_state vips[SLUICE_LB_MAX_VIPS]; /* by VIP id */
	struct model_flow flows[LB_MAX_MODEL_FLOWS];
	size_t nflows;
	struct lb_counts before, after, want, quiet;
	__u64 aged_ns;		 /* what ACT_FLOW_AGE wrote last */
	__u32 prev_be, prev_be5; /* the row before: backend, and the
					 * one a 5-tuple hash would give */
	/* ACT_PROBES_*: the slots of a flow's probes as they were */
	struct sluice_lb_flow_slot saved[SLUICE_LB_FLOW_PROBES];
	__u32 saved_at[SLUICE_LB_FLOW_PROBES];
	bool have_saved;
};

static struct lb_env lbe;

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns()'s clock */
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static const struct lb_backend_def *backend_def(__u32 id)
{
	for (size_t i = 0; i < lb_n_backends; i++)
		if (lb_backends[i].id == id)
			return &lb_backends[i];
	return NULL;
}

static int backend_write(struct lb_env *l, __u32 id, __u8 flags)
{
	const struct lb_backend_def *d = backend_def(id);
	struct sluice_backend b = { .flags = flags };

	if (!d)
		return -ENOENT;
	b.family = (__u8)family_of(d->addr);
	if (pkt_addr(b.family, d->addr, b.addr))
		return -EINVAL;
	return dp_backend_set(l->e->dp, id, &b);
}

/* ---- Maglev tables ------------------------------------------------------- */

static size_t vip_nbe(const struct lb_vip_def *d)
{
	size_t n = 0;

	while (n < LB_VIP_MAX_BE && d->be[n])
		n++;
	return n;
}

/* The table for the VIP's backend set, weight 1 each, keyed by family and
 * address (as tests/unit/test_maglev.c does). */
static int build_table(const struct lb_vip_def *d, __u32 *table, __u32 m)
{
	struct maglev_backend mb[LB_VIP_MAX_BE];
	size_t n = vip_nbe(d);

	for (size_t i = 0; i < n; i++) {
		const struct lb_backend_def *b = backend_def(d->be[i]);
		__u8 id[17];
		int fam;

		if (!b)
			return -ENOENT;
		fam = family_of(b->addr);
		id[0] = fam == AF_INET ? 4 : 6;
		if (pkt_addr(fam, b->addr, id + 1))
			return -EINVAL;
		mb[i] = (struct maglev_backend){
			.key = maglev_key(id, fam == AF_INET ? 5 : 17),
			.weight = 1,
			.value = d->be[i],
		};
	}
	return maglev_build(mb, n, m, table);
}

/* The VIP's backend after @cur in its list (the first if @cur is none). */
static __u32 next_be(const struct lb_vip_def *d, __u32 cur)
{
	size_t n = vip_nbe(d);

	for (size_t i = 0; i < n; i++)
		if (d->be[i] == cur)
			return d->be[(i + 1) % n];
	return n ? d->be[0] : 0;
}

static int ring_set(struct lb_env *l, struct vip_state *vs, __u32 slot,
		    __u32 value)
{
	int err = dp_ring_write(l->e->dp, vs->d->id, &slot, &value, 1);

	if (!err)
		vs->ring[slot] = value;
	return err;
}

/* Back to maglev_build()'s table, writing only the slots that differ. */
static int ring_reset(struct lb_env *l, struct vip_state *vs)
{
	__u32 *fresh = calloc(vs->m, sizeof(*fresh));
	__u32 *changed = calloc(vs->m, sizeof(*changed));
	__u32 *values = calloc(vs->m, sizeof(*values));
	size_t n;
	int err = -ENOMEM;

	if (!fresh || !changed || !values)
		goto out;
	err = build_table(vs->d, fresh, vs->m);
	if (err)
		goto out;
	n = maglev_diff(vs->ring, fresh, vs->m, changed);
	for (size_t i = 0; i < n; i++)
		values[i] = fresh[changed[i]];
	err = dp_ring_write(l->e->dp, vs->d->id, changed, values, (__u32)n);
	if (!err)
		memcpy(vs->ring, fresh, sizeof(*fresh) * vs->m);
out:
	free(fresh);
	free(changed);
	free(values);
	return err;
}

/* ---- setup ------------------------------------------------------------------ */

static int vip_key(const struct lb_vip_def *d, struct sluice_vip_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = (__u8)family_of(d->addr);
	k->proto = d->proto;
	k->port = htons(d->port);
	return pkt_addr(k->family, d->addr, k->addr);
}

/* What dp_ring_read() gives back must be what we installed. */
static int ring_check(struct lb_env *l, struct vip_state *vs)
{
	__u32 *back = calloc(vs->m, sizeof(*back)), size = 0;
	int err = back ? dp_ring_read(l->e->dp, vs->d->id, back, vs->m, &size) :
			 -ENOMEM;

	if (!err &&
	    (size != vs->m || memcmp(back, vs->ring, sizeof(*back) * vs->m)))
		err = -EIO;
	free(back);
	return err;
}

static int setup_vip(struct lb_env *l, const struct lb_vip_def *d)
{
	struct vip_state *vs = &l->vips[d->id];
	struct sluice_vip v = { .vip_id = d->id,
				.ring_size = d->ring,
				.flags = d->flags };
	struct sluice_vip_key k;
	int err;

	if (!d->id || d->id >= SLUICE_LB_MAX_VIPS || vs->d)
		return -EINVAL;
	vs->d = d;
	vs->m = d->ring;
	vs->ring = calloc(vs->m, sizeof(*vs->ring));
	if (!vs->ring)
		return -ENOMEM;
	err = vip_key(d, &k)			      ?:
		      build_table(d, vs->ring, vs->m) ?:
		      dp_vip_set(l->e->dp, &k, &v);
	if (err || d->no_table) {
		memset(vs->ring, 0, sizeof(*vs->ring) * vs->m);
		return err;
	}
	return dp_ring_install(l->e->dp, d->id, vs->m, vs->ring) ?:
		       ring_check(l, vs)			 ?:
		       dp_lb_stats_clear(l->e->dp, d->id, 0);
}

int lb_setup(struct env *e, char *why, size_t len)
{
	struct lb_env *l = &lbe;
	int err;

	l->e = e;
	l->cfg = lb_config_def;
	err = dp_lb_config_set(e->dp, &l->cfg);
	if (err) {
		snprintf(why, len, "lb_config: %s", strerror(-err));
		return err;
	}
	for (size_t i = 0; i < lb_n_backends; i++) {
		if (lb_backends[i].id >= LB_MAX_BE_ID)
			err = -ERANGE;
		err = err					     ?:
			      backend_write(l, lb_backends[i].id, 0) ?:
			      dp_lb_stats_clear(e->dp, 0, lb_backends[i].id);
		if (err) {
			snprintf(why, len, "backend %u: %s", lb_backends[i].id,
				 strerror(-err));
			return err;
		}
	}
	for (size_t i = 0; i < lb_n_vips; i++) {
		err = setup_vip(l, &lb_vips[i]);
		if (err) {
			snprintf(why, len, "VIP %u: %s", lb_vips[i].id,
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

void lb_teardown(void)
{
	for (size_t i = 0; i < SLUICE_LB_MAX_VIPS; i++) {
		free(lbe.vips[i].ring);
		lbe.vips[i].ring = NULL;
	}
}

/* ---- the model -------------------------------------------------------------- */

/* The flow as the VIP sees it (client -> VIP); for an ICMP error, the
 * packet it quotes, reversed. */
static int flow_of(const struct pkt_spec *s, struct sluice_flow_key *k,
		   bool *icmp)
{
	const struct pkt_spec *q = s->quote;
	int fam;

	memset(k, 0, sizeof(*k));
	*icmp = q && (s->l4 == IPPROTO_ICMP || s->l4 == IPPROTO_ICMPV6);
	if (*icmp) {
		fam = q->l3 == PKT_L3_IP6 ? AF_INET6 : AF_INET;
		k->sport = htons(q->dport);
		k->dport = htons(q->sport);
		k->proto = q->l4;
		k->family = (__u8)fam;
		return pkt_addr(fam, q->daddr, k->saddr) ?:
			       pkt_addr(fam, q->saddr, k->daddr);
	}
	fam = s->l3 == PKT_L3_IP6 ? AF_INET6 : AF_INET;
	k->sport = htons(s->sport);
	k->dport = htons(s->dport);
	k->proto = s->l4;
	k->family = (__u8)fam;
	return pkt_addr(fam, s->saddr, k->saddr) ?:
		       pkt_addr(fam, s->daddr, k->daddr);
}

/* sluice_flow_hash() over the flow as flow_hash.h describes its inputs:
 * the address words as they lie in memory, the ports word as the first
 * four L4 bytes load, the protocol.  By source: source words only, no
 * ports, no protocol. */
static __u32 model_hash(const struct sluice_flow_key *k, __u16 flags)
{
	__u32 sa[4], da[4] = { 0 }, ports;
	__u16 sp = ntohs(k->sport), dp = ntohs(k->dport);
	__u8 l4[4] = { sp >> 8, sp & 0xff, dp >> 8, dp & 0xff };
	int words = k->family == AF_INET6 ? 4 : 1;

	memcpy(sa, k->saddr, 16);
	if (flags & SLUICE_VIP_HASH_SRC)
		return sluice_flow_hash(sa, da, words, 0, 0);
	memcpy(da, k->daddr, 16);
	memcpy(&ports, l4, 4);
	return sluice_flow_hash(sa, da, words, ports, k->proto);
}

static struct model_flow *model_find(struct lb_env *l,
				     const struct sluice_flow_key *k)
{
	for (size_t i = 0; i < l->nflows; i++)
		if (!memcmp(&l->flows[i].key, k, sizeof(*k)))
			return &l->flows[i];
	return NULL;
}

static int model_put(struct lb_env *l, const struct sluice_flow_key *k,
		     __u32 be, __u32 vip)
{
	struct model_flow *f = model_find(l, k);

	if (!f) {
		if (l->nflows == LB_MAX_MODEL_FLOWS)
			return -ENOSPC;
		f = &l->flows[l->nflows++];
		f->key = *k;
	}
	f->be = be;
	f->vip = vip;
	return 0;
}

/* ---- counters ----------------------------------------------------------------- */

static int lb_counts_read(struct lb_env *l, struct lb_counts *c)
{
	int err = 0;

	for (size_t i = 0; i < lb_n_vips && !err; i++)
		err = dp_lb_vip_stats(l->e->dp, lb_vips[i].id,
				      &c->vip[lb_vips[i].id]);
	for (size_t i = 0; i < lb_n_backends && !err; i++)
		err = dp_lb_backend_stats(l->e->dp, lb_backends[i].id,
					  &c->be[lb_backends[i].id]);
	if (err)
		return err;
	err = dp_lb_flow_events(l->e->dp, c->fev);
	if (err)
		return err;
	c->flows = dp_lb_flow_count(l->e->dp);
	return c->flows < 0 ? c->flows : 0;
}

#define LBC_FIELDS(X)                                                          \
	X(packets) X(bytes) X(new_flows) X(flow_hits) X(drops) X(too_big)

static bool lbc_ok(const char *what, __u32 id,
		   const struct sluice_lb_counter *b,
		   const struct sluice_lb_counter *a,
		   const struct sluice_lb_counter *w)
{
	bool ok = true;

#define LBC_CHECK(f)                                                           \
	if (a->f - b->f != w->f) {                                             \
		diag("%s %u: " #f " +%llu, want +%llu\n", what, id,            \
		     (unsigned long long)(a->f - b->f),                        \
		     (unsigned long long)w->f);                                \
		ok = false;                                                    \
	}
	LBC_FIELDS(LBC_CHECK)
#undef LBC_CHECK
	return ok;
}

/* Every VIP and backend counter moved by l->want exactly. */
static bool lb_counts_ok(struct lb_env *l, int flows)
{
	bool ok = true;

	for (size_t i = 0; i < lb_n_vips; i++) {
		__u32 id = lb_vips[i].id;

		ok &= lbc_ok("VIP", id, &l->before.vip[id], &l->after.vip[id],
			     &l->want.vip[id]);
	}
	for (size_t i = 0; i < lb_n_backends; i++) {
		__u32 id = lb_backends[i].id;

		ok &= lbc_ok("backend", id, &l->before.be[id], &l->after.be[id],
			     &l->want.be[id]);
	}
	if (l->after.flows - l->before.flows != flows) {
		diag("flow table: %d entries, was %d, want %+d\n",
		     l->after.flows, l->before.flows, flows);
		ok = false;
	}
	for (unsigned int i = 0; i < SLUICE_LB_FLOW_NEVENTS; i++) {
		__u64 d = l->after.fev[i] - l->before.fev[i];

		if (d != l->want.fev[i]) {
			diag("flow table event %s: +%llu, want +%llu\n",
			     dp_lb_flow_event_name(i) ?: "?",
			     (unsigned long long)d,
			     (unsigned long long)l->want.fev[i]);
			ok = false;
		}
	}
	return ok;
}

/* What one packet of @len bytes does to the LB counters, @times times. */
static void lb_expect(struct lb_env *l, const struct lb_fixture *fx, __u32 be,
		      __u64 len, __u64 times)
{
	struct sluice_lb_counter *v = &l->want.vip[fx->vip];
	struct sluice_lb_counter *b = &l->want.be[be];
	bool fwd = fx->reason == SLUICE_FWD_LB ||
		   fx->reason == SLUICE_FWD_LB_TX;

	memset(&l->want, 0, sizeof(l->want));
	if (fx->fev == FEV_EVICTED)
		l->want.fev[SLUICE_LBFE_EVICTED] = times;
	else if (fx->fev == FEV_BUSY)
		l->want.fev[SLUICE_LBFE_INSERT_FAIL_BUSY] = times;
	if (fx->path == LBP_ROUTER)
		return;
	v->packets = times;
	v->bytes = len * times;
	if (fx->path == LBP_NEW) {
		v->new_flows = times;
		b->new_flows = times;
	} else if (fx->path == LBP_HIT) {
		v->flow_hits = times;
	}
	if (fwd) {
		b->packets = times;
		b->bytes = len * times;
	} else {
		v->drops = times;
		v->too_big = fx->reason == SLUICE_FWD_LB_TOO_BIG ? times : 0;
	}
}

int lb_quiet_before(struct env *e)
{
	return lb_counts_read(e->lb_quiet, &e->lb_quiet->quiet);
}

bool lb_quiet_ok(struct env *e)
{
	struct lb_env *l = e->lb_quiet;

	l->before = l->quiet;
	memset(&l->want, 0, sizeof(l->want));
	if (lb_counts_read(l, &l->after)) {
		diag("cannot read the LB counters\n");
		return false;
	}
	return lb_counts_ok(l, 0);
}

/* ---- actions ------------------------------------------------------------------ */

static int flow_entry(struct lb_env *l, const struct sluice_flow_key *k,
		      struct sluice_flow *v)
{
	return dp_lb_flow_get(l->e->dp, k, v);
}

/* VIP @id out of lb_vips or back in, as the table defines it; its Maglev
 * table and counters stay. */
static int vip_toggle(struct lb_env *l, __u32 id, bool add)
{
	const struct lb_vip_def *d = id < SLUICE_LB_MAX_VIPS ? l->vips[id].d :
							       NULL;
	struct sluice_vip v;
	struct sluice_vip_key k;

	if (!d || vip_key(d, &k))
		return -EINVAL;
	v = (struct sluice_vip){ .vip_id = d->id,
				 .ring_size = d->ring,
				 .flags = d->flags };
	return add ? dp_vip_set(l->e->dp, &k, &v) : dp_vip_del(l->e->dp, &k);
}

/* The slots of @k's probes, in probe order, into @at (the table's). */
static int probe_slots(struct lb_env *l, const struct sluice_flow_key *k,
		       struct lb_flow_table *t, __u32 at[SLUICE_LB_FLOW_PROBES])
{
	int err = dp_lb_flow_table(l->e->dp, t);
	__u32 base;

	if (err)
		return err;
	base = sluice_lb_flow_base(sluice_lb_flow_hash(k), t->bits);
	for (__u32 p = 0; p < SLUICE_LB_FLOW_PROBES; p++)
		at[p] = (base + p) & ((1u << t->bits) - 1);
	return 0;
}

/* ACT_PROBES_FILL (@oldest: the probe seen longest ago) and _BUSY: what
 * the slots held is kept, then they are rewritten.  The program does not
 * run meanwhile: the test writes the mapped table directly. */
static int probes_take(struct lb_env *l, const struct sluice_flow_key *k,
		       bool busy, __u32 oldest, __u32 vip_id, __u32 be)
{
	__u32 tag = sluice_lb_flow_tag(sluice_lb_flow_hash(k));
	struct lb_flow_table t;
	__u64 now = mono_ns();
	int err;

	if (l->have_saved || oldest >= SLUICE_LB_FLOW_PROBES)
		return -EINVAL;
	err = probe_slots(l, k, &t, l->saved_at);
	if (err)
		return err;
	for (__u32 p = 0; p < SLUICE_LB_FLOW_PROBES; p++) {
		struct sluice_lb_flow_slot *sl = &t.slot[l->saved_at[p]];

		l->saved[p] = *sl;
		memset(sl, 0, sizeof(*sl));
		sl->key = *k;
		sl->key.sport = htons((__u16)(60000 + p)); /* another flow */
		sl->vip_id = vip_id;
		sl->backend_id = be;
		/* seen a second ago; the oldest ten */
		sl->last_seen_ns = now - (p == oldest ? 10 : 1) * 1000000000ull;
		/* odd, and not the flow's own */
		sl->tag = busy ? SLUICE_LB_FLOW_BUSY : (tag ^ 0x100u) | 1u;
	}
	l->have_saved = true;
	return 0;
}

static int probes_restore(struct lb_env *l)
{
	struct lb_flow_table t;
	int err;

	if (!l->have_saved)
		return -EINVAL;
	err = dp_lb_flow_table(l->e->dp, &t);
	if (err)
		return err;
	for (__u32 p = 0; p < SLUICE_LB_FLOW_PROBES; p++)
		t.slot[l->saved_at[p]] = l->saved[p];
	l->have_saved = false;
	return 0;
}

static int act_one(struct lb_env *l, const struct lb_fixture *fx,
		   const struct lb_act *a, const struct sluice_flow_key *k,
		   __u32 hash)
{
	struct vip_state *vs = fx->vip ? &l->vips[fx->vip] : NULL;
	__u32 slot = vs && vs->m ? hash % vs->m : 0;
	struct model_flow *mf = model_find(l, k);
	struct sluice_flow v;
	__u64 now = mono_ns();
	__s64 age;
	int err;

	if (a->op != ACT_SRC && a->op != ACT_IDLE && a->op != ACT_BE_RESTORE &&
	    a->op != ACT_VIP_DEL && a->op != ACT_VIP_ADD &&
	    a->op != ACT_PROBES_RESTORE && !vs)
		return -EINVAL;
	switch (a->op) {
	case ACT_RING_MOVE:
		return ring_set(l, vs, slot, next_be(vs->d, vs->ring[slot]));
	case ACT_RING_ZERO: return ring_set(l, vs, slot, 0);
	case ACT_RING_RESET: return ring_reset(l, vs);
	case ACT_ENTRY_BE_DOWN:
		return mf ? backend_write(l, mf->be, SLUICE_BE_DOWN) : -ENOENT;
	case ACT_ENTRY_BE_DRAIN:
		return mf ? backend_write(l, mf->be, SLUICE_BE_DRAINING) :
			    -ENOENT;
	case ACT_ENTRY_BE_DEL:
		return mf ? dp_backend_del(l->e->dp, mf->be) : -ENOENT;
	case ACT_SLOT_BE_DOWN:
		return backend_write(l, vs->ring[slot], SLUICE_BE_DOWN);
	case ACT_BE_RESTORE:
		for (size_t i = 0; i < lb_n_backends; i++) {
			err = backend_write(l, lb_backends[i].id, 0);
			if (err)
				return err;
		}
		return 0;
	case ACT_FLOW_AGE:
		err = flow_entry(l, k, &v);
		if (err)
			return err;
		/* signed: a negative age is a stamp ahead of now.  On a
		 * machine up for less than the age (a fresh CI machine, an
		 * hour), the oldest stamp the clock can have: 1 ns */
		age = (__s64)(__s32)a->a * 1000000;
		v.last_seen_ns =
			age > 0 && (__u64)age >= now ? 1 : now - (__u64)age;
		l->aged_ns = v.last_seen_ns;
		err = dp_lb_flow_put(l->e->dp, k, &v);
		return err == 1 ? 0 : err < 0 ? err : -ENOENT;
	case ACT_FLOW_PUT:
		v = (struct sluice_flow){
			.backend_id = next_be(vs->d, vs->ring[slot]),
			.vip_id = a->a,
			.last_seen_ns = now,
		};
		err = dp_lb_flow_put(l->e->dp, k, &v);
		if (err < 0)
			return err;
		return model_put(l, k, v.backend_id, v.vip_id);
	case ACT_SRC:
		l->cfg.have_src4 = (__u8)a->a;
		l->cfg.have_src6 = (__u8)a->b;
		return dp_lb_config_set(l->e->dp, &l->cfg);
	case ACT_IDLE:
		l->cfg.flow_idle_timeout_s = a->a;
		return dp_lb_config_set(l->e->dp, &l->cfg);
	case ACT_VIP_DEL:
	case ACT_VIP_ADD: return vip_toggle(l, a->a, a->op == ACT_VIP_ADD);
	case ACT_PROBES_FILL:
	case ACT_PROBES_BUSY:
		return probes_take(l, k, a->op == ACT_PROBES_BUSY, a->a,
				   fx->vip, next_be(vs->d, vs->ring[slot]));
	case ACT_PROBES_RESTORE: return probes_restore(l);
	}
	return -EINVAL;
}

static bool act_all(struct lb_env *l, const struct lb_fixture *fx,
		    const struct lb_act *acts, const struct sluice_flow_key *k,
		    __u32 hash)
{
	for (int i = 0; i < LB_MAX_ACT && acts[i].op != ACT_END; i++) {
		int err = act_one(l, fx, &acts[i], k, hash);

		if (err) {
			diag("action %d (op %u): %s\n", i, acts[i].op,
			     strerror(-err));
			return false;
		}
	}
	return true;
}

/* ---- expected frames -------------------------------------------------------- */

/* Toward backend @be: its L2, an outer header from lb_config and @hash. */
static int build_encap(const struct lb_env *l, const struct lb_fixture *fx,
		       const struct frame *in, __u32 be, __u32 hash,
		       struct frame *out)
{
	const struct lb_backend_def *b = backend_def(be);
	const struct vip_state *vs = &l->vips[fx->vip];
	const struct l2_out *o;
	struct pkt_encap x = { 0 };

	if (!b)
		return -ENOENT;
	o = b->ecmp2 && hash % 2 ? &b->out2 : &b->out;
	memcpy(x.dst, o->dst, 6);
	memcpy(x.src, o->src, 6);
	x.tagged = o->tagged;
	x.vid = o->vid;
	if (x.tagged && fx->in.tagged) { /* priority travels along */
		x.pcp = fx->in.pcp;
		x.dei = fx->in.dei;
	}
	x.family = (__u8)family_of(b->addr);
	if (pkt_addr(x.family, b->addr, x.daddr))
		return -EINVAL;
	x.gre = !!(vs->d->flags & SLUICE_VIP_GRE);
	x.tos = fx->in.tos;
	x.flow = hash & 0xfffff;
	if (x.family == AF_INET) {
		/* the configured /24, the last byte 1..254 by flow */
		memcpy(x.saddr, l->cfg.src4, 3);
		x.saddr[3] = (__u8)(1 + hash % 254);
	} else {
		/* the configured /96, then the hash's four bytes as a
		 * little-endian host keeps them in memory */
		memcpy(x.saddr, l->cfg.src6, 12);
		x.saddr[12] = hash & 0xff;
		x.saddr[13] = (hash >> 8) & 0xff;
		x.saddr[14] = (hash >> 16) & 0xff;
		x.saddr[15] = hash >> 24;
	}
	return pkt_encap(in, &x, out);
}

/* ICMP fragmentation needed / packet too big, from the VIP back to the
 * client, quoting the packet's IP header and 8 bytes; MACs swapped, the
 * tag (if any) kept. */
static int build_too_big(const struct lb_fixture *fx, struct frame *f)
{
	const struct pkt_spec *in = &fx->in;
	struct pkt_spec s = {
		.tagged = in->tagged,
		.pcp = in->pcp,
		.dei = in->dei,
		.vid = in->vid,
		.l3 = in->l3,
		.saddr = in->daddr,
		.daddr = in->saddr,
		.ttl = 64,
		.id = ID_ZERO,
		.quote = in,
	};

	memcpy(s.dst, in->src, 6);
	memcpy(s.src, in->dst, 6);
	if (in->l3 == PKT_L3_IP4) {
		s.l4 = IPPROTO_ICMP;
		s.icmp_type = 3;	  /* destination unreachable */
		s.icmp_code = 4;	  /* fragmentation needed */
		s.dport = (__u16)fx->mtu; /* next-hop MTU, bytes 6-7 */
	} else {
		s.l4 = IPPROTO_ICMPV6;
		s.icmp_type = 2;		  /* packet too big */
		s.sport = (__u16)(fx->mtu >> 16); /* MTU, bytes 4-7 */
		s.dport = (__u16)fx->mtu;
	}
	return pkt_build(&s, f);
}

/* ---- one row ----------------------------------------------------------------- */

struct lb_case {
	struct frame in;
	struct frame exp;
	__u8 inb[OUT_MAX]; /* metadata, then the frame */
	__u32 inlen;
	__u8 expb[OUT_MAX];
	__u32 explen;
	struct sluice_flow_key key;
	bool icmp;
	__u32 hash;
	__u32 be;
	struct run r;
};

/* The flow, its hash and the backend the row's path leads to. */
static bool predict(struct lb_env *l, const struct lb_fixture *fx,
		    struct lb_case *c)
{
	const struct vip_state *vs = fx->vip ? &l->vips[fx->vip] : NULL;
	const struct model_flow *mf;

	c->be = 0;
	if (fx->path == LBP_ROUTER || fx->path == LBP_NONE)
		return true;
	if (!vs || !vs->d) {
		diag("row names no VIP of the table\n");
		return false;
	}
	if (fx->path == LBP_NEW) {
		c->be = vs->ring[c->hash % vs->m];
		if (!c->be)
			diag("the model's slot %u is empty\n", c->hash % vs->m);
		return c->be != 0;
	}
	mf = model_find(l, &c->key);
	if (!mf || mf->vip != fx->vip) {
		diag("the model has no entry of VIP %u for this flow\n",
		     fx->vip);
		return false;
	}
	c->be = mf->be;
	return true;
}

/* Hash by source: this row's backend is the one before, and the 5-tuple
 * hash would have sent the two flows to different backends. */
static bool same_be_ok(struct lb_env *l, const struct lb_fixture *fx,
		       const struct lb_case *c)
{
	const struct vip_state *vs = fx->vip ? &l->vips[fx->vip] : NULL;
	__u32 be5 = vs && vs->m ? vs->ring[model_hash(&c->key, 0) % vs->m] : 0;
	bool ok = true;

	if (fx->same_be && c->be != l->prev_be) {
		diag("backend %u, the row before had %u\n", c->be, l->prev_be);
		ok = false;
	}
	if (fx->same_be && be5 == l->prev_be5) {
		diag("a 5-tuple hash would give both flows backend %u too: "
		     "pick other ports for this row\n",
		     be5);
		ok = false;
	}
	l->prev_be = c->be;
	l->prev_be5 = be5;
	return ok;
}

static int build_expected(const struct lb_env *l, const struct lb_fixture *fx,
			  struct lb_case *c)
{
	switch (fx->out) {
	case LBO_SAME: c->exp = c->in; return 0;
	case LBO_ENCAP:
		return build_encap(l, fx, &c->in, c->be, c->hash, &c->exp);
	case LBO_ROUTED:
		return build_routed(&fx->in, fx->mut, &fx->routed, 1, &c->exp);
	case LBO_TOO_BIG: return build_too_big(fx, &c->exp);
	}
	return -EINVAL;
}

/* The longest tick: 10 ms (CONFIG_HZ 100, the lowest). */
#define LB_TICK_MAX_NS 10000000ull

/* The flow entry after the run. */
static bool entry_ok(struct lb_env *l, const struct lb_fixture *fx,
		     const struct lb_case *c, __u64 t0, __u64 t1)
{
	const struct model_flow *mf = model_find(l, &c->key);
	struct sluice_flow v;
	int err = flow_entry(l, &c->key, &v);

	if (fx->path == LBP_ROUTER || (!mf && fx->path != LBP_NEW))
		return true;
	if (fx->fev == FEV_BUSY) { /* its probes were all being written */
		if (err == -ENOENT)
			return true;
		diag("a flow entered while every probe was busy\n");
		return false;
	}
	if (c->icmp && !mf) { /* an error never makes an entry */
		if (err == -ENOENT)
			return true;
		diag("an ICMP error made a flow entry (backend %u)\n",
		     err ? 0 : v.backend_id);
		return false;
	}
	if (err) {
		diag("no flow entry: %s\n", strerror(-err));
		return false;
	}
	if (fx->path != LBP_NONE &&
	    (v.backend_id != c->be || v.vip_id != fx->vip)) {
		diag("flow entry: backend %u VIP %u, want %u %u\n",
		     v.backend_id, v.vip_id, c->be, fx->vip);
		return false;
	}
	/* the data path stamps the time of its CPU's current tick
	 * (bpf/lib/clock.h): up to one tick before the run began */
	if (fx->seen == SEEN_NOW &&
	    (v.last_seen_ns + LB_TICK_MAX_NS < t0 || v.last_seen_ns > t1)) {
		diag("last_seen_ns %llu not stamped in [%llu - one tick, "
		     "%llu]\n",
		     (unsigned long long)v.last_seen_ns, (unsigned long long)t0,
		     (unsigned long long)t1);
		return false;
	}
	if (fx->seen == SEEN_KEPT && v.last_seen_ns != l->aged_ns) {
		diag("last_seen_ns %llu, want it kept at %llu\n",
		     (unsigned long long)v.last_seen_ns,
		     (unsigned long long)l->aged_ns);
		return false;
	}
	return true;
}

/* FEV_EVICTED: the row's flow in the slot of the probe seen longest ago,
 * every other probe's flow where ACT_PROBES_FILL put it. */
static bool evicted_ok(struct lb_env *l, const struct lb_fixture *fx,
		       const struct lb_case *c)
{
	__u32 oldest = SLUICE_LB_FLOW_PROBES;
	struct lb_flow_table t;
	bool ok = true;

	for (int i = 0; i < LB_MAX_ACT; i++)
		if (fx->act[i].op == ACT_PROBES_FILL)
			oldest = fx->act[i].a;
	if (fx->fev != FEV_EVICTED)
		return true;
	if (oldest >= SLUICE_LB_FLOW_PROBES || dp_lb_flow_table(l->e->dp, &t)) {
		diag("an eviction row needs ACT_PROBES_FILL and a table\n");
		return false;
	}
	for (__u32 p = 0; p < SLUICE_LB_FLOW_PROBES; p++) {
		const struct sluice_lb_flow_slot *sl = &t.slot[l->saved_at[p]];
		struct sluice_flow_key want = c->key;

		if (p != oldest)
			want.sport = htons((__u16)(60000 + p));
		if (memcmp(&sl->key, &want, sizeof(want))) {
			diag("probe %u (slot %u): not the %s\n", p,
			     l->saved_at[p],
			     p == oldest ? "row's flow, which should have "
					   "evicted the oldest" :
					   "flow put there");
			ok = false;
		}
	}
	return ok;
}

static bool check_case(struct lb_env *l, const struct lb_fixture *fx,
		       const struct lb_case *c, __u64 t0, __u64 t1)
{
	struct env *e = l->e;
	const struct run *r = &c->r;
	bool ok = true;

	if (r->err) {
		diag("test_run: %s\n", strerror(-r->err));
		return false;
	}
	if (r->retval != (__u32)fx->verdict) {
		diag("verdict %s, want %s\n", xdp_name(r->retval),
		     xdp_name(fx->verdict));
		ok = false;
	}
	if (!counters_ok(e, count_slot(e, fx->ingress, &fx->in, c->in.len),
			 fx->reason, c->in.len, 1))
		ok = false;
	if (r->out_len != c->explen || memcmp(r->out, c->expb, c->explen)) {
		hexdiff(c->expb, c->explen, r->out, r->out_len);
		ok = false;
	}
	if (!lb_counts_ok(l, fx->flows))
		ok = false;
	if (!entry_ok(l, fx, c, t0, t1) || !evicted_ok(l, fx, c))
		ok = false;
	if (!ok && c->be)
		diag("(flow hash %#010x, slot %u, backend %u)\n", c->hash,
		     c->hash % l->vips[fx->vip].m, c->be);
	return ok;
}

/* The destination's bit in lb_vip_bits is what the row says, and the
 * address it names has the same bit. */
static bool bit_ok(struct lb_env *l, const struct lb_fixture *fx)
{
	struct sluice_vip_key k = { 0 }, o = { 0 };
	struct sluice_lb_vip_bits b;
	__u32 bit;
	bool set;

	if (fx->bit == BIT_ANY && !fx->same_bit)
		return true;
	k.family = (__u8)family_of(fx->in.daddr);
	if (pkt_addr(k.family, fx->in.daddr, k.addr) ||
	    dp_lb_vip_bits_read(l->e->dp, &b)) {
		diag("cannot read the destination's pre-check bit\n");
		return false;
	}
	bit = dp_lb_vip_bit(&k);
	set = b.word[bit / 64] >> (bit % 64) & 1;
	if (fx->bit != BIT_ANY && set != (fx->bit == BIT_SET)) {
		diag("pre-check bit %u of %s is %s\n", bit, fx->in.daddr,
		     set ? "set" : "clear");
		return false;
	}
	if (fx->same_bit) {
		o.family = (__u8)family_of(fx->same_bit);
		if (pkt_addr(o.family, fx->same_bit, o.addr) ||
		    dp_lb_vip_bit(&o) != bit) {
			diag("%s has bit %u, %s another: pick another "
			     "address\n",
			     fx->in.daddr, bit, fx->same_bit);
			return false;
		}
	}
	return true;
}

/* Prepares @c for @fx: frames, flow, backend, the expected frame.  Runs
 * the row's actions first: they may move what the model predicts. */
static bool lb_prepare(struct lb_env *l, const struct lb_fixture *fx,
		       struct lb_case *c)
{
	const struct vip_state *vs = fx->vip ? &l->vips[fx->vip] : NULL;
	int err;

	c->be = 0;
	err = flow_of(&fx->in, &c->key, &c->icmp) ?:
		      pkt_build(&fx->in, &c->in)  ?:
		      pkt_mutate(&c->in, fx->mut, false);
	if (err) {
		diag("cannot build the frame: %s\n", strerror(-err));
		return false;
	}
	c->hash = vs && vs->d ? model_hash(&c->key, vs->d->flags) : 0;
	if (!act_all(l, fx, fx->act, &c->key, c->hash) || !predict(l, fx, c))
		return false;
	err = build_expected(l, fx, c);
	if (err) {
		diag("cannot build the expected frame: %s\n", strerror(-err));
		return false;
	}
	/* metadata: recognisable bytes, which come back in front */
	memset(c->inb, 0xa5, fx->meta);
	memcpy(c->inb + fx->meta, c->in.buf, c->in.len);
	c->inlen = fx->meta + c->in.len;
	memset(c->expb, 0xa5, fx->meta);
	memcpy(c->expb + fx->meta, c->exp.buf, c->exp.len);
	c->explen = fx->meta + c->exp.len;
	return true;
}

static bool lb_row(struct lb_env *l, const struct lb_fixture *fx)
{
	static struct lb_case c;
	struct env *e = l->e;
	__u64 t0, t1;
	bool ok;

	ok = lb_prepare(l, fx, &c) && same_be_ok(l, fx, &c) && bit_ok(l, fx);
	if (ok) {
		lb_expect(l, fx, c.be, c.in.len, 1);
		ok = !snapshot(e, e->before) && !lb_counts_read(l, &l->before);
	}
	if (ok) {
		t0 = mono_ns();
		xdp_run(e->prog_fd, e->ifindex[fx->ingress], c.inb, c.inlen,
			fx->meta, 1, &c.r);
		t1 = mono_ns();
		ok = !snapshot(e, e->after) && !lb_counts_read(l, &l->after) &&
		     check_case(l, fx, &c, t0, t1);
	}
	/* the model follows what the row says happened */
	/* (a row of the table's events puts its slots back after) */
	if (fx->path == LBP_NEW && !c.icmp && c.be && fx->fev == FEV_NONE &&
	    model_put(l, &c.key, c.be, fx->vip))
		ok = false;
	if (!act_all(l, fx, fx->after, &c.key, c.hash))
		ok = false;
	return ok;
}

/*
 * The notes the rows left in neigh_wanted: one for each connected backend
 * without a neighbour (its next hop is in no route's group, so only the
 * note gets sluiced to ask the kernel for it), none for a backend behind
 * an unresolved gateway (the routes' probe asks for that one).
 */
static bool lb_notes_ok(struct env *e)
{
	static const char *const want[] = { "198.18.1.9", "2001:db8:1::9" };
	struct sluice_neigh_key notes[8];
	bool seen[2] = { false, false };
	int n = dp_neigh_wanted_take(e->dp, notes, 8);

	if (n != 2)
		diag("%d notes in neigh_wanted, want 2\n", n);
	for (int i = 0; i < n; i++) {
		char got[INET6_ADDRSTRLEN] = "?";
		bool known = false;

		for (size_t w = 0; w < 2; w++) {
			struct sluice_neigh_key k = {
				.ifindex = e->ifindex[IFX_P1],
				.family = (__u8)family_of(want[w]),
			};

			inet_pton(k.family, want[w], k.addr);
			if (!memcmp(&k, &notes[i], sizeof(k)))
				known = seen[w] = true;
		}
		if (!known) {
			inet_ntop(notes[i].family, notes[i].addr, got,
				  sizeof(got));
			diag("a note for ifindex %u %s\n", notes[i].ifindex,
			     got);
		}
	}
	return n == 2 && seen[0] && seen[1];
}

void lb_run_all(struct env *e)
{
	struct sluice_neigh_key notes[8];
	char name[200];

	while (dp_neigh_wanted_take(e->dp, notes, 8) > 0)
		; /* the router's rows' */
	for (size_t i = 0; i < lb_n_fixtures; i++) {
		snprintf(name, sizeof(name), "lb: %s", lb_fixtures[i].name);
		tap(e, lb_row(&lbe, &lb_fixtures[i]), name);
	}
	tap(e, lb_notes_ok(e),
	    "lb: neigh_wanted holds a note for each connected backend without "
	    "a neighbour (198.18.1.9, 2001:db8:1::9 on P1), none for a "
	    "backend behind an unresolved gateway");
	e->lb_quiet = &lbe;
	for (size_t i = 0; i < lb_n_sweeps; i++)
		run_sweep(e, &lb_sweeps[i]);
	e->lb_quiet = NULL;
}

/* ---- cost figure ---------------------------------------------------------------- */

/*
 * Encapsulation pushes a header on every run, and test_run with repeat > 1
 * runs again on the buffer the last run left (PLATFORM.md): the second run
 * would see an IPIP packet to a backend, not a VIP packet.  So every call
 * here is repeat = 1 on a fresh copy of the frame, and the floor (XDP_PASS)
 * is measured the same way, interleaved, so that both carry test_run's
 * per-call timing overhead.  Every call's verdict and output bytes are
 * checked, and afterwards fwd_lb must have grown by exactly the number of
 * calls, flow_hits by the ACK calls and new_flows by the SYN calls.
 */
struct lb_perf_run {
	const struct lb_fixture *fx;
	struct lb_case c;
	__u64 ns;
};

static bool perf_call(struct lb_env *l, struct lb_perf_run *p)
{
	struct env *e = l->e;

	xdp_run(e->prog_fd, e->ifindex[p->fx->ingress], p->c.inb, p->c.inlen,
		p->fx->meta, 1, &p->c.r);
	if (p->c.r.err || p->c.r.retval != (__u32)p->fx->verdict ||
	    p->c.r.out_len != p->c.explen ||
	    memcmp(p->c.r.out, p->c.expb, p->c.explen)) {
		diag("%s: err %d, %s\n", p->fx->name, p->c.r.err,
		     xdp_name(p->c.r.retval));
		hexdiff(p->c.expb, p->c.explen, p->c.r.out, p->c.r.out_len);
		return false;
	}
	p->ns += p->c.r.duration;
	return true;
}

static bool floor_call(struct lb_env *l, int fd, const struct frame *f,
		       __u64 *ns)
{
	static struct run r;

	xdp_run(fd, l->e->ifindex[IFX_P0], f->buf, f->len, 0, 1, &r);
	if (r.err || r.retval != XDP_PASS) {
		diag("xdp_pass: err %d, %s\n", r.err, xdp_name(r.retval));
		return false;
	}
	*ns += r.duration;
	return true;
}

static bool perf_loop(struct lb_env *l, struct lb_perf_run *ack,
		      struct lb_perf_run *syn, __u64 *floor_ns,
		      unsigned int calls)
{
	struct dp_floor *floor = dp_floor_open();
	bool ok = floor != NULL;

	if (!floor)
		diag("cannot load xdp_floor: %s\n", strerror(errno));
	/* the SYN opens the flow anew each time: a SYN of a flow the
	 * table knows would be a hit */
	for (unsigned int i = 0; ok && i < calls; i++)
		ok = perf_call(l, ack) &&
		     floor_call(l, dp_floor_pass_fd(floor), &ack->c.in,
				floor_ns) &&
		     !dp_lb_flow_del(l->e->dp, &syn->c.key) &&
		     perf_call(l, syn);
	dp_floor_close(floor);
	return ok;
}

/* Both frames are one flow and one length: one counter, one backend. */
static bool perf_counts_ok(struct lb_env *l, const struct lb_perf_run *ack,
			   const struct lb_perf_run *syn, unsigned int calls)
{
	struct env *e = l->e;
	struct sluice_lb_counter *v;
	bool ok;

	if (snapshot(e, e->after) || lb_counts_read(l, &l->after))
		return false;
	ok = counters_ok(e, e->slot[ack->fx->ingress], SLUICE_FWD_LB,
			 ack->c.in.len, 2ull * calls);
	lb_expect(l, syn->fx, syn->c.be, syn->c.in.len, 2ull * calls);
	/* half of the packets were ACKs: hits, not picks */
	v = &l->want.vip[ack->fx->vip];
	v->new_flows = calls;
	v->flow_hits = calls;
	l->want.be[syn->c.be].new_flows = calls;
	return lb_counts_ok(l, 0) && ok;
}

void lb_perf(struct env *e, bool full)
{
	static struct lb_perf_run ack, syn;
	struct lb_env *l = &lbe;
	struct lb_fixture first = lb_perf_ack;
	unsigned int calls = full ? LB_PERF_CALLS : LB_PERF_SMOKE_CALLS;
	double est, syn_ns, pass;
	__u64 floor_ns = 0;
	bool ok;

	/* the flow's first packet, checked like any row, makes the entry */
	first.path = LBP_NEW;
	first.flows = 1;
	ack = (struct lb_perf_run){ .fx = &lb_perf_ack };
	syn = (struct lb_perf_run){ .fx = &lb_perf_syn };
	ok = lb_row(l, &first) && lb_prepare(l, ack.fx, &ack.c) &&
	     lb_prepare(l, syn.fx, &syn.c);
	if (ok && ack.c.be != syn.c.be) {
		diag("ACK and SYN should reach one backend: %u, %u\n", ack.c.be,
		     syn.c.be);
		ok = false;
	}
	ok = ok && !snapshot(e, e->before) && !lb_counts_read(l, &l->before) &&
	     perf_loop(l, &ack, &syn, &floor_ns, calls) &&
	     perf_counts_ok(l, &ack, &syn, calls);
	tap(e, ok, "lb perf: established ACK and SYN, repeat 1, path checked");
	if (!ok)
		return;
	est = (double)ack.ns / calls;
	syn_ns = (double)syn.ns / calls;
	pass = (double)floor_ns / calls;
	printf("# perf%s: lb_established_ns=%.1f lb_syn_ns=%.1f "
	       "xdp_pass_ns=%.1f\n",
	       full ? "" : " smoke", est, syn_ns, pass);
	printf("# perf%s: (%u calls each, repeat=1, interleaved, every output "
	       "checked; all three carry test_run's per-call timer overhead: "
	       "net of the floor %.1f and %.1f ns, ratios %.2f and %.2f)\n",
	       full ? "" : " smoke", calls, est - pass, syn_ns - pass,
	       pass > 0 ? est / pass : 0.0, pass > 0 ? syn_ns / pass : 0.0);
}
