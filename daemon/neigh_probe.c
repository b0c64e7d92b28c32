// SPDX-License-Identifier: BSD-2-Clause
/*
 * One entry per (ifindex, family, address) that either a used next-hop
 * group names as a gateway or the kernel has in its neighbour table: the
 * kernel's facts are kept for all of them, because what may be sent for a
 * gateway (create, NTF_USE, nothing) depends on the entry the kernel
 * already has, and neighbours are dumped before the routes that use them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <uthash.h>
#include "log.h"
#include "neigh_probe.h"

struct np_entry {
	UT_hash_handle hh;
	struct sluice_neigh_key key;
	uint32_t refs;	 /* members of used next-hop groups naming it */
	bool in_kernel;	 /* the kernel has an entry, in whatever state */
	bool usable;	 /* ... that state.c programs (a MAC, not failed) */
	bool foreign;	 /* someone else's managed/ext-learned entry */
	bool ours;	 /* sluiced's: NEIGH_PROBE_PROTO and managed */
	uint64_t due_ms; /* when to look at it again; 0: not scheduled */
	uint32_t backoff_ms;
};

struct neigh_probe {
	const struct neigh_probe_ops *ops;
	void *ctx;
	struct np_entry *entries;
	struct neigh_probe_stats stats;
	uint64_t earliest_ms; /* min due_ms, valid unless earliest_dirty */
	bool earliest_dirty;
};

int neigh_probe_new(struct neigh_probe **out, const struct neigh_probe_ops *ops,
		    void *ctx)
{
	struct neigh_probe *np = calloc(1, sizeof(*np));

	if (!np)
		return -ENOMEM;
	np->ops = ops;
	np->ctx = ctx;
	*out = np;
	return 0;
}

static const char *key_str(const struct sluice_neigh_key *k, char *buf,
			   size_t len)
{
	if (!inet_ntop(k->family, k->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static void entry_free(struct neigh_probe *np, struct np_entry *e)
{
	HASH_DEL(np->entries, e);
	free(e);
	np->earliest_dirty = true;
}

/* Forgotten once nothing ties it to us or to the kernel. */
static void entry_maybe_free(struct neigh_probe *np, struct np_entry *e)
{
	if (!e->refs && !e->in_kernel && !e->ours)
		entry_free(np, e);
}

static struct np_entry *entry_get(struct neigh_probe *np,
				  const struct sluice_neigh_key *k)
{
	struct np_entry *e;

	HASH_FIND(hh, np->entries, k, sizeof(*k), e);
	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->key = *k;
	e->backoff_ms = NEIGH_PROBE_BACKOFF_MIN_MS;
	HASH_ADD(hh, np->entries, key, sizeof(e->key), e);
	return e;
}

static void schedule(struct neigh_probe *np, struct np_entry *e, uint64_t at)
{
	e->due_ms = at ? at : 1; /* 0 means "not scheduled" */
	np->earliest_dirty = true;
}

static void schedule_now(struct neigh_probe *np, struct np_entry *e)
{
	e->backoff_ms = NEIGH_PROBE_BACKOFF_MIN_MS;
	schedule(np, e, np->ops->now_ms(np->ctx));
}

static void unschedule(struct neigh_probe *np, struct np_entry *e)
{
	e->due_ms = 0;
	e->backoff_ms = NEIGH_PROBE_BACKOFF_MIN_MS;
	np->earliest_dirty = true;
}

static bool wants_probe(const struct np_entry *e)
{
	return e->refs && !e->usable && !e->foreign;
}

static bool wants_delete(const struct np_entry *e)
{
	return !e->refs && e->ours && e->in_kernel;
}

/* ---- hooks ---------------------------------------------------------------- */

static void nh_key(const struct sluice_nh *nh, struct sluice_neigh_key *k)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = nh->ifindex;
	k->family = nh->family;
	memcpy(k->addr, nh->gw, nh->family == AF_INET ? 4 : 16);
}

void neigh_probe_nhg_used(struct neigh_probe *np, const struct sluice_nhg *g)
{
	if (!np)
		return;
	for (uint32_t i = 0; i < g->count && i < SLUICE_MAX_ECMP; i++) {
		struct sluice_neigh_key k;
		struct np_entry *e;

		if (!g->nh[i].family)
			continue; /* on-link: the destination is the neighbour */
		nh_key(&g->nh[i], &k);
		e = entry_get(np, &k);
		if (!e) {
			np->stats.errors++;
			continue;
		}
		if (e->refs++ == 0 && wants_probe(e))
			schedule_now(np, e);
	}
}

void neigh_probe_nhg_unused(struct neigh_probe *np, const struct sluice_nhg *g)
{
	if (!np)
		return;
	for (uint32_t i = 0; i < g->count && i < SLUICE_MAX_ECMP; i++) {
		struct sluice_neigh_key k;
		struct np_entry *e;

		if (!g->nh[i].family)
			continue;
		nh_key(&g->nh[i], &k);
		HASH_FIND(hh, np->entries, &k, sizeof(k), e);
		if (!e || !e->refs || --e->refs)
			continue;
		if (wants_delete(e)) {
			schedule_now(np, e);
		} else {
			unschedule(np, e);
			entry_maybe_free(np, e);
		}
	}
}

void neigh_probe_neigh_event(struct neigh_probe *np, const struct nl_neigh *n,
			     bool del)
{
	struct sluice_neigh_key k = { .ifindex = n->ifindex,
				      .family = n->family };
	struct np_entry *e;

	if (!np)
		return;
	memcpy(k.addr, n->addr, n->family == AF_INET ? 4 : 16);
	HASH_FIND(hh, np->entries, &k, sizeof(k), e);
	if (!e && del)
		return;
	if (!e) {
		e = entry_get(np, &k);
		if (!e) {
			np->stats.errors++;
			return;
		}
	}
	e->in_kernel = !del;
	e->usable = !del && nl_neigh_usable(n);
	/* the tag stays on an entry that is handed back, or that the user
	 * takes over (replaced without "managed", or made permanent): then
	 * it is the kernel's or theirs */
	e->ours = !del && n->protocol == NEIGH_PROBE_PROTO &&
		  (n->flags_ext & NTF_EXT_MANAGED) &&
		  !(n->state & (NUD_PERMANENT | NUD_NOARP));
	e->foreign = !del && !e->ours &&
		     ((n->flags_ext & NTF_EXT_MANAGED) ||
		      (n->flags & NTF_EXT_LEARNED));
	if (wants_probe(e)) {
		/* a gateway that was fine became unresolved: at once; one
		 * already waiting keeps its backoff */
		if (!e->due_ms)
			schedule_now(np, e);
	} else if (wants_delete(e)) {
		if (!e->due_ms)
			schedule_now(np, e); /* left by an earlier run */
	} else {
		unschedule(np, e);
		entry_maybe_free(np, e);
	}
}

void neigh_probe_forget_kernel(struct neigh_probe *np)
{
	struct np_entry *e, *tmp;

	if (!np)
		return;
	/* the re-dump tells again; run() then looks at every entry */
	HASH_ITER(hh, np->entries, e, tmp) {
		e->in_kernel = e->usable = e->foreign = e->ours = false;
		schedule_now(np, e);
	}
}

/* ---- sending -------------------------------------------------------------- */

static const char *const req_name[] = {
	[NP_REQ_CREATE] = "create a managed entry",
	[NP_REQ_REFRESH] = "ask again",
	[NP_REQ_USE] = "resolve the kernel's entry (NTF_USE)",
	[NP_REQ_RELEASE] = "hand our entry back to the kernel",
	[NP_REQ_DELETE] = "delete our entry",
};

static int send_req(struct neigh_probe *np, struct np_entry *e,
		    enum neigh_probe_req req)
{
	char a[INET6_ADDRSTRLEN];
	int err = np->ops->send(np->ctx, req, &e->key);

	np->stats.sent[req]++;
	if (err && err != -EEXIST && err != -ENOENT) {
		/* a port going away or down: said once per burst */
		if (np->stats.errors++ < 10)
			pr_warn("neigh probe: %s for %s (ifindex %u): %s",
				req_name[req], key_str(&e->key, a, sizeof(a)),
				e->key.ifindex, strerror(-err));
	} else if (req == NP_REQ_CREATE || req == NP_REQ_RELEASE ||
		   req == NP_REQ_DELETE) {
		pr_info("neigh probe: %s for %s (ifindex %u)%s", req_name[req],
			key_str(&e->key, a, sizeof(a)), e->key.ifindex,
			err == -EEXIST ? ": the kernel has one already" : "");
	} else {
		pr_debug("neigh probe: %s for %s (ifindex %u)%s", req_name[req],
			 key_str(&e->key, a, sizeof(a)), e->key.ifindex,
			 err == -ENOENT ? ": gone" : "");
	}
	return err;
}

static void probe_entry(struct neigh_probe *np, struct np_entry *e,
			uint64_t now)
{
	enum neigh_probe_req req = !e->in_kernel ? NP_REQ_CREATE :
				   e->ours	 ? NP_REQ_REFRESH :
						   NP_REQ_USE;
	int err = send_req(np, e, req);

	/* until its event comes: an entry exists now (ours if created) */
	if (req == NP_REQ_CREATE && !err)
		e->in_kernel = e->ours = true;
	else if (req == NP_REQ_CREATE && err == -EEXIST)
		e->in_kernel = true;
	else if (req == NP_REQ_USE && err == -ENOENT)
		e->in_kernel = false;
	schedule(np, e, now + e->backoff_ms);
	e->backoff_ms = e->backoff_ms * 2 > NEIGH_PROBE_BACKOFF_MAX_MS ?
				NEIGH_PROBE_BACKOFF_MAX_MS :
				e->backoff_ms * 2;
}

static void entry_due(struct neigh_probe *np, struct np_entry *e, uint64_t now)
{
	if (wants_delete(e)) {
		/* resolved: the kernel keeps it (see neigh_probe.h); a
		 * release that fails (no address after all) deletes */
		if (!e->usable || send_req(np, e, NP_REQ_RELEASE))
			send_req(np, e, NP_REQ_DELETE);
		/* whatever the answer: never twice (it may be someone
		 * else's by the time we would) */
		e->ours = false;
		e->in_kernel = false;
		unschedule(np, e);
		entry_maybe_free(np, e);
		return;
	}
	if (!wants_probe(e)) {
		unschedule(np, e);
		entry_maybe_free(np, e);
		return;
	}
	if (!np->ops->is_port(np->ctx, e->key.ifindex)) {
		/* not ours to resolve; look again in a while (a port that
		 * failed to attach may come back) */
		schedule(np, e, now + NEIGH_PROBE_BACKOFF_MAX_MS);
		return;
	}
	probe_entry(np, e, now);
}

void neigh_probe_run(struct neigh_probe *np)
{
	uint64_t now = np->ops->now_ms(np->ctx);
	struct np_entry *e, *tmp;

	HASH_ITER(hh, np->entries, e, tmp) {
		if (e->due_ms && e->due_ms <= now)
			entry_due(np, e, now);
	}
}

int neigh_probe_due_in(struct neigh_probe *np, int max)
{
	uint64_t now;

	if (np->earliest_dirty) {
		struct np_entry *e, *tmp;

		np->earliest_ms = 0;
		HASH_ITER(hh, np->entries, e, tmp) {
			if (e->due_ms &&
			    (!np->earliest_ms || e->due_ms < np->earliest_ms))
				np->earliest_ms = e->due_ms;
		}
		np->earliest_dirty = false;
	}
	if (!np->earliest_ms)
		return max;
	now = np->ops->now_ms(np->ctx);
	if (np->earliest_ms <= now)
		return 0;
	return np->earliest_ms - now < (uint64_t)max ?
		       (int)(np->earliest_ms - now) :
		       max;
}

void neigh_probe_get_stats(const struct neigh_probe *np,
			   struct neigh_probe_stats *s)
{
	const struct np_entry *e, *tmp;

	*s = np->stats;
	s->unresolved = s->owned = 0;
	HASH_ITER(hh, np->entries, e, tmp) {
		if (wants_probe(e))
			s->unresolved++;
		if (e->ours && e->in_kernel)
			s->owned++;
	}
}

void neigh_probe_free(struct neigh_probe *np, bool remove_ours)
{
	struct np_entry *e, *tmp;

	if (!np)
		return;
	HASH_ITER(hh, np->entries, e, tmp) {
		if (remove_ours && e->ours && e->in_kernel)
			send_req(np, e, NP_REQ_DELETE);
		HASH_DEL(np->entries, e);
		free(e);
	}
	free(np);
}
