// SPDX-License-Identifier: BSD-2-Clause
/*
 * lib/fibread against a concurrent writer: a thread changes, through
 * lib/dp as sluiced does, a /32 between a one-member group and an ECMP
 * group, resizes that group between 8 members and 2 at every change (the
 * member the reader's hash picks in the large one leaves the small one:
 * its fib_nhs entry is freed while the reader may hold its index), and
 * deletes and restores the /32 now and then (its trie group is folded and
 * made again).  Meanwhile this thread looks the /32 up: every answer must
 * be one of the four the quiescent states give (no mix of two states),
 * and the states must all have been seen.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include "dp.h"
#include "fibshare.h"

#define ID_ONE 4000
#define ID_ECMP 4001
#define HASH 3u /* member 3 of 8, member 1 of 2 */
#define MIN_FLIPS 2000u
#define MAX_FLIPS 200000u
#define DEL_EVERY 16u
#define MAX_NS (10ull * 1000 * 1000 * 1000)

static const __u8 dst[4] = { 198, 19, 202, 77 };

enum state { S_ONE, S_BIG, S_SMALL, S_GONE, S_STATES, S_OTHER = S_STATES };

struct race {
	struct env *e;
	struct dp *dp;
	int err;
	unsigned int flips;
	int seen_all, done; /* atomics */
};

static int gw_set(struct env *e, struct dp *dp, unsigned int m,
		  struct sluice_nh *nh)
{
	struct sluice_neigh_key k = { .family = AF_INET };
	struct sluice_neigh v = { .mac = { 0x02, 0x5e, 0x01, 0x00, 0x00,
					   (__u8)m } };
	int ifx = m % 2 ? IFX_P2 : IFX_P1;

	nh->ifindex = k.ifindex = e->ifindex[ifx];
	nh->family = AF_INET;
	memcpy(nh->gw, (__u8[]){ 198, 19, 203, (__u8)(1 + m) }, 4);
	memcpy(k.addr, nh->gw, 4);
	return dp_neigh_set(dp, &k, &v);
}

/* The ECMP group with its first @n of 8 members. */
static int ecmp_set(struct env *e, struct dp *dp, __u32 n)
{
	struct sluice_nhg g = { .count = n };
	int err = 0;

	for (unsigned int m = 0; !err && m < n; m++)
		err = gw_set(e, dp, 1 + m, &g.nh[m]);
	return err ?: dp_nhg_set(dp, ID_ECMP, &g);
}

static int route(struct dp *dp, __u32 nhg)
{
	struct sluice_route rt = { .type = SLUICE_RT_FORWARD, .nhg_id = nhg };

	return nhg ? dp_route_set(dp, AF_INET, dst, 32, &rt) :
		     dp_route_del(dp, AF_INET, dst, 32);
}

/* The writer's state @s; lib/dp changes only. */
static int state_set(struct race *x, enum state s)
{
	switch (s) {
	case S_ONE: return route(x->dp, ID_ONE);
	case S_BIG: return ecmp_set(x->e, x->dp, 8) ?: route(x->dp, ID_ECMP);
	case S_SMALL: return ecmp_set(x->e, x->dp, 2) ?: route(x->dp, ID_ECMP);
	default: return route(x->dp, 0);
	}
}

static void *writer(void *arg)
{
	struct race *x = arg;
	unsigned int i;

	for (i = 0;
	     !x->err && (i < MIN_FLIPS ||
			 (!__atomic_load_n(&x->seen_all, __ATOMIC_ACQUIRE) &&
			  i < MAX_FLIPS));
	     i++) {
		/* one, big, small, one, big, small, ..., now and then gone */
		enum state s = i % DEL_EVERY == DEL_EVERY - 1 ?
				       S_GONE :
				       (enum state)(i % 3);

		x->err = state_set(x, s);
	}
	x->flips = i;
	__atomic_store_n(&x->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static bool same(const struct fibread_hop *a, const struct fibread_hop *b)
{
	return a->reason == b->reason && a->target == b->target &&
	       !memcmp(a->dmac, b->dmac, 6) && a->tx_ifindex == b->tx_ifindex;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

void fibshare_race(struct env *e, struct dp *dp, const struct fibread *rd)
{
	struct race x = { .e = e, .dp = dp };
	struct sluice_nhg one = { .count = 1 };
	struct fibread_hop want[S_STATES], h;
	unsigned int n[S_STATES + 1] = { 0 };
	__u64 end;
	pthread_t th;
	int err;

	/* each state's answer, read quiescent */
	err = gw_set(e, dp, 0, &one.nh[0]) ?: dp_nhg_set(dp, ID_ONE, &one);
	for (int s = 0; !err && s < S_STATES; s++)
		err = state_set(&x, (enum state)s) ?:
			      fibread_lookup4(rd, dst, HASH, &want[s]);
	if (!err && (want[S_BIG].member != 3 || want[S_SMALL].member != 1 ||
		     same(&want[S_ONE], &want[S_BIG]) ||
		     same(&want[S_BIG], &want[S_SMALL]) ||
		     same(&want[S_SMALL], &want[S_GONE])))
		err = -EBADMSG; /* the states must differ */
	if (!err)
		err = -pthread_create(&th, NULL, writer, &x);
	tap(e, !err, "fibshare race: four states with distinct answers");
	if (err) {
		diag("%s\n", strerror(-err));
		return;
	}
	end = now_ns() + MAX_NS;
	while (!__atomic_load_n(&x.done, __ATOMIC_ACQUIRE)) {
		enum state o = S_OTHER;

		if (fibread_lookup4(rd, dst, HASH, &h))
			break;
		for (int s = 0; s < S_STATES; s++)
			if (same(&h, &want[s]))
				o = (enum state)s;
		if (o == S_OTHER && !n[S_OTHER])
			diag("an answer of no state: reason %d target %u "
			     "member %u/%u nh %u mac ..:%02x\n",
			     h.reason, h.target, h.member, h.count, h.nh,
			     h.dmac[5]);
		n[o]++;
		if (n[S_ONE] && n[S_BIG] && n[S_SMALL] && n[S_GONE])
			__atomic_store_n(&x.seen_all, 1, __ATOMIC_RELEASE);
		if (now_ns() > end)
			break;
	}
	pthread_join(th, NULL);
	diag("%u changes; answers: %u one, %u big, %u small, %u gone, %u "
	     "other\n",
	     x.flips, n[S_ONE], n[S_BIG], n[S_SMALL], n[S_GONE], n[S_OTHER]);
	tap(e, !x.err, "fibshare race: the writer's changes all succeeded");
	tap(e, !n[S_OTHER],
	    "fibshare race: every answer is one a state gives (never torn)");
	tap(e, n[S_ONE] && n[S_BIG] && n[S_SMALL] && n[S_GONE],
	    "fibshare race: all four states were seen by the reader");
}
