// SPDX-License-Identifier: BSD-2-Clause
/*
 * The neighbour probe's scheduling (daemon/neigh_probe.c) with a fake clock
 * and a fake sender: which gateways are probed and with what request,
 * the backoff, that probing stops when a gateway resolves or is no longer
 * used, that only sluiced's own entries are ever handed back or deleted;
 * and, through
 * state.c's hooks, that a route via a gateway starts a probe and its
 * removal ends it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <cmocka.h>
#include "neigh_probe.h"

#define PORT 5
#define NOT_PORT 9

static struct fake {
	uint64_t now;
	int n_sent;
	struct {
		enum neigh_probe_req req;
		struct sluice_neigh_key k;
	} sent[64];
	int next_err[NP_REQ_COUNT]; /* answer to the next request of each kind */
} fk;

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return fk.now;
}

static int fake_send(void *ctx, enum neigh_probe_req req,
		     const struct sluice_neigh_key *k)
{
	int err = fk.next_err[req];

	(void)ctx;
	fk.next_err[req] = 0;
	if (fk.n_sent < 64) {
		fk.sent[fk.n_sent].req = req;
		fk.sent[fk.n_sent].k = *k;
	}
	fk.n_sent++;
	return err;
}

static bool fake_is_port(void *ctx, uint32_t ifindex)
{
	(void)ctx;
	return ifindex == PORT;
}

static const struct neigh_probe_ops fake_ops = {
	.now_ms = fake_now,
	.send = fake_send,
	.is_port = fake_is_port,
};

static struct neigh_probe *np;

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk.now = 1000000;
	return neigh_probe_new(&np, &fake_ops, NULL);
}

static int teardown(void **state)
{
	(void)state;
	neigh_probe_free(np, false);
	np = NULL;
	return 0;
}

static int family_of(const char *a)
{
	return strchr(a, ':') ? AF_INET6 : AF_INET;
}

/* adds a member to @g: @gw NULL is on-link */
static void member(struct sluice_nhg *g, uint32_t ifindex, const char *gw)
{
	struct sluice_nh *nh = &g->nh[g->count++];

	memset(nh, 0, sizeof(*nh));
	nh->ifindex = ifindex;
	if (gw) {
		nh->family = (uint8_t)family_of(gw);
		assert_int_equal(inet_pton(nh->family, gw, nh->gw), 1);
	}
}

static void one_gw(struct sluice_nhg *g, uint32_t ifindex, const char *gw)
{
	memset(g, 0, sizeof(*g));
	member(g, ifindex, gw);
}

/* A kernel neighbour event. */
static void kneigh(uint32_t ifindex, const char *addr, uint16_t nud,
		   uint8_t proto, uint32_t flags_ext, uint8_t flags, bool del)
{
	struct nl_neigh n = {};

	n.ifindex = ifindex;
	n.family = (uint8_t)family_of(addr);
	assert_int_equal(inet_pton(n.family, addr, n.addr), 1);
	n.state = nud;
	n.protocol = proto;
	n.flags_ext = flags_ext;
	n.flags = flags;
	n.has_mac = nud & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
			   NUD_PERMANENT | NUD_NOARP);
	if (n.has_mac)
		memcpy(n.mac, "\x02\0\0\0\0\x07", 6);
	neigh_probe_neigh_event(np, &n, del);
}

/* Our own entry as the kernel reports it after a CREATE. */
static void ours(const char *addr, uint16_t nud)
{
	kneigh(PORT, addr, nud, NEIGH_PROBE_PROTO, NTF_EXT_MANAGED, 0, false);
}

/* Runs at @at; returns how many requests went out. */
static int run_at(uint64_t at)
{
	int before = fk.n_sent;

	fk.now = at;
	if (neigh_probe_due_in(np, 1000) == 0)
		neigh_probe_run(np);
	return fk.n_sent - before;
}

static void assert_last(enum neigh_probe_req req, const char *addr)
{
	struct sluice_neigh_key k = { .ifindex = PORT };

	assert_true(fk.n_sent > 0);
	k.family = (uint8_t)family_of(addr);
	assert_int_equal(inet_pton(k.family, addr, k.addr), 1);
	assert_int_equal(fk.sent[fk.n_sent - 1].req, req);
	assert_memory_equal(&fk.sent[fk.n_sent - 1].k, &k, sizeof(k));
}

/* Only gateways, only on ports, only when unresolved. */
static void test_which_gateways(void **state)
{
	struct sluice_nhg g = {};
	uint64_t t;

	(void)state;
	kneigh(PORT, "198.18.2.4", NUD_REACHABLE, 0, 0, 0, false);
	member(&g, PORT, NULL);		    /* on-link: the destination */
	member(&g, NOT_PORT, "198.18.9.2"); /* not sluice's port */
	member(&g, PORT, "198.18.2.4");	    /* resolved already */
	member(&g, PORT, "198.18.2.2");	    /* to probe */
	member(&g, PORT, "2001:db8:2::2");  /* to probe */
	neigh_probe_nhg_used(np, &g);
	assert_int_equal(neigh_probe_due_in(np, 1000), 0);
	assert_int_equal(run_at(fk.now), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(fk.sent[i].req, NP_REQ_CREATE);
		assert_int_equal(fk.sent[i].k.ifindex, PORT);
	}
	/* the two probed ones again; never the one on another interface */
	t = fk.now;
	assert_int_equal(run_at(t + 29999), 2);
	assert_int_equal(run_at(t + 30000), 0);
	for (int i = 0; i < fk.n_sent; i++)
		assert_int_equal(fk.sent[i].k.ifindex, PORT);
}

/* 1 s, 2 s, 4 s ... up to 30 s between requests while unresolved. */
static void test_backoff(void **state)
{
	static const uint64_t gaps[] = { 1000,	2000,  4000, 8000,
					 16000, 30000, 30000 };
	struct sluice_nhg g;
	uint64_t t;

	(void)state;
	one_gw(&g, PORT, "198.18.2.2");
	neigh_probe_nhg_used(np, &g);
	assert_int_equal(run_at(fk.now), 1);
	assert_last(NP_REQ_CREATE, "198.18.2.2");
	ours("198.18.2.2", NUD_INCOMPLETE);
	t = fk.now;
	for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++) {
		assert_int_equal(neigh_probe_due_in(np, 60000), (int)gaps[i]);
		assert_int_equal(run_at(t + gaps[i] - 1), 0);
		assert_int_equal(run_at(t + gaps[i]), 1);
		assert_last(NP_REQ_REFRESH, "198.18.2.2");
		/* the kernel reports each failed resolution: no extra probe */
		ours("198.18.2.2", NUD_FAILED);
		t += gaps[i];
	}
}

/* Resolved: no more requests.  Failing later: at once, backoff reset. */
static void test_resolved_stops(void **state)
{
	struct sluice_nhg g;

	(void)state;
	one_gw(&g, PORT, "198.18.2.2");
	neigh_probe_nhg_used(np, &g);
	run_at(fk.now);
	ours("198.18.2.2", NUD_INCOMPLETE);
	run_at(fk.now + 1000);
	run_at(fk.now + 2000);
	assert_int_equal(fk.n_sent, 3);
	ours("198.18.2.2", NUD_REACHABLE);
	assert_int_equal(neigh_probe_due_in(np, 777), 777);
	assert_int_equal(run_at(fk.now + 3600 * 1000), 0);
	ours("198.18.2.2", NUD_FAILED);
	assert_int_equal(run_at(fk.now), 1);
	assert_last(NP_REQ_REFRESH, "198.18.2.2");
	assert_int_equal(neigh_probe_due_in(np, 60000), 1000);
}

/* Unused and unresolved: probing stops and our entry is deleted, once. */
static void test_unused_deletes_ours(void **state)
{
	struct sluice_nhg g;

	(void)state;
	one_gw(&g, PORT, "198.18.2.2");
	neigh_probe_nhg_used(np, &g);
	run_at(fk.now);
	ours("198.18.2.2", NUD_INCOMPLETE);
	neigh_probe_nhg_unused(np, &g);
	assert_int_equal(run_at(fk.now), 1);
	assert_last(NP_REQ_DELETE, "198.18.2.2");
	kneigh(PORT, "198.18.2.2", NUD_INCOMPLETE, NEIGH_PROBE_PROTO,
	       NTF_EXT_MANAGED, 0, true);
	for (int i = 1; i <= 60; i++)
		assert_int_equal(run_at(fk.now + 1000), 0);
	assert_int_equal(neigh_probe_due_in(np, 5), 5);
}

/* A gateway two groups share is let go when the last one goes: resolved,
 * handed back to the kernel (it may be an on-link destination too). */
static void test_shared_gateway(void **state)
{
	struct sluice_nhg a, b;

	(void)state;
	one_gw(&a, PORT, "198.18.2.2");
	one_gw(&b, PORT, "198.18.2.2");
	member(&b, PORT, "198.18.2.3");
	neigh_probe_nhg_used(np, &a);
	neigh_probe_nhg_used(np, &b);
	assert_int_equal(run_at(fk.now), 2);
	ours("198.18.2.2", NUD_REACHABLE);
	ours("198.18.2.3", NUD_REACHABLE);
	neigh_probe_nhg_unused(np, &b);
	assert_int_equal(run_at(fk.now), 1);
	assert_last(NP_REQ_RELEASE, "198.18.2.3");
	neigh_probe_nhg_unused(np, &a);
	/* a release the kernel refuses falls back to a delete */
	fk.next_err[NP_REQ_RELEASE] = -EINVAL;
	assert_int_equal(run_at(fk.now), 2);
	assert_last(NP_REQ_DELETE, "198.18.2.2");
	/* handed back: the tag stays, "managed" goes: not ours any more */
	kneigh(PORT, "198.18.2.3", NUD_STALE, NEIGH_PROBE_PROTO, 0, 0, false);
	assert_int_equal(run_at(fk.now + 60000), 0);
	neigh_probe_free(np, true);
	assert_int_equal(fk.n_sent, 5);
	assert_int_equal(neigh_probe_new(&np, &fake_ops, NULL), 0);
}

/* The kernel's own unresolved entry gets NTF_USE and is never deleted;
 * someone else's managed or externally learned entry is left alone. */
static void test_other_entries(void **state)
{
	struct sluice_nhg g = {};

	(void)state;
	kneigh(PORT, "198.18.2.2", NUD_FAILED, 0, 0, 0, false);
	kneigh(PORT, "198.18.2.3", NUD_INCOMPLETE, 0, NTF_EXT_MANAGED, 0,
	       false);
	kneigh(PORT, "198.18.2.4", NUD_FAILED, 0, 0, NTF_EXT_LEARNED, false);
	/* a user's permanent entry that carries our tag is the user's */
	kneigh(PORT, "198.18.2.5", NUD_PERMANENT, NEIGH_PROBE_PROTO, 0, 0,
	       false);
	member(&g, PORT, "198.18.2.2");
	member(&g, PORT, "198.18.2.3");
	member(&g, PORT, "198.18.2.4");
	member(&g, PORT, "198.18.2.5");
	neigh_probe_nhg_used(np, &g);
	assert_int_equal(run_at(fk.now), 1);
	assert_last(NP_REQ_USE, "198.18.2.2");
	assert_int_equal(run_at(fk.now + 1000), 1);
	assert_last(NP_REQ_USE, "198.18.2.2");
	neigh_probe_nhg_unused(np, &g);
	assert_int_equal(run_at(fk.now + 1000), 0);
	neigh_probe_free(np, true);
	assert_int_equal(fk.n_sent, 2);
	assert_int_equal(neigh_probe_new(&np, &fake_ops, NULL), 0);
}

/* The kernel's answers steer the next request. */
static void test_answers(void **state)
{
	struct sluice_nhg g;

	(void)state;
	one_gw(&g, PORT, "198.18.2.2");
	/* an entry appeared that we have not heard of yet */
	fk.next_err[NP_REQ_CREATE] = -EEXIST;
	neigh_probe_nhg_used(np, &g);
	run_at(fk.now);
	assert_last(NP_REQ_CREATE, "198.18.2.2");
	/* not ours: NTF_USE; and it went away meanwhile */
	fk.next_err[NP_REQ_USE] = -ENOENT;
	run_at(fk.now + 1000);
	assert_last(NP_REQ_USE, "198.18.2.2");
	run_at(fk.now + 2000);
	assert_last(NP_REQ_CREATE, "198.18.2.2");
	/* a failure is retried with the backoff */
	fk.next_err[NP_REQ_REFRESH] = -ENETDOWN;
	run_at(fk.now + 4000);
	assert_last(NP_REQ_REFRESH, "198.18.2.2");
	assert_int_equal(neigh_probe_due_in(np, 60000), 8000);
}

/* An entry of ours left by an earlier run, unused: deleted; used: kept
 * (and owned, so deleted at a clean stop but not with keep-on-exit). */
static void test_leftovers_and_shutdown(void **state)
{
	struct sluice_nhg g;
	struct neigh_probe_stats s;

	(void)state;
	ours("198.18.2.7", NUD_STALE);
	ours("198.18.2.2", NUD_STALE);
	one_gw(&g, PORT, "198.18.2.2");
	neigh_probe_nhg_used(np, &g);
	assert_int_equal(run_at(fk.now), 1);
	assert_last(NP_REQ_RELEASE, "198.18.2.7");
	neigh_probe_get_stats(np, &s);
	assert_int_equal(s.owned, 1);
	assert_int_equal(s.unresolved, 0);
	neigh_probe_free(np, false);
	assert_int_equal(fk.n_sent, 1);
	assert_int_equal(neigh_probe_new(&np, &fake_ops, NULL), 0);
	ours("198.18.2.2", NUD_STALE);
	neigh_probe_nhg_used(np, &g);
	neigh_probe_free(np, true);
	assert_int_equal(fk.n_sent, 2);
	assert_last(NP_REQ_DELETE, "198.18.2.2");
	assert_int_equal(neigh_probe_new(&np, &fake_ops, NULL), 0);
}

/* A re-dump after an overrun: what the kernel no longer has is created
 * again; what it reports again is not. */
static void test_forget_kernel(void **state)
{
	struct sluice_nhg g = {};

	(void)state;
	member(&g, PORT, "198.18.2.2");
	member(&g, PORT, "198.18.2.3");
	neigh_probe_nhg_used(np, &g);
	assert_int_equal(run_at(fk.now), 2);
	ours("198.18.2.2", NUD_REACHABLE);
	ours("198.18.2.3", NUD_REACHABLE);
	neigh_probe_forget_kernel(np);
	ours("198.18.2.2", NUD_REACHABLE);
	assert_int_equal(run_at(fk.now), 1);
	assert_last(NP_REQ_CREATE, "198.18.2.3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_which_gateways, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolved_stops, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unused_deletes_ours, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shared_gateway, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_other_entries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leftovers_and_shutdown,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_kernel, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
