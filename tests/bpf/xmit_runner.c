// SPDX-License-Identifier: BSD-2-Clause
/*
 * The loss counters after a redirect (bpf/lib/xmit.h, xmit_drops): what a
 * tracepoint hands over is given to sluice_xmit_test by test_run, since no
 * tracepoint can be driven so (tests/netns/t_xmit_drops.sh drives the real
 * ones).  A loss on a managed port of this namespace moves exactly its
 * (slot, event) counter by its frames and records its error; a device of
 * another namespace, one sluice does not manage, no frames, or an event
 * outside the list move nothing.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "runner.h"

typedef struct dp_xmit_drops xmit_snap_t[SLUICE_MAX_IFACES];

static int snap(struct env *e, xmit_snap_t s)
{
	for (__u32 slot = 0; slot < SLUICE_MAX_IFACES; slot++) {
		int err = dp_xmit_drops(e->dp, slot, &s[slot]);

		if (err)
			return err;
	}
	return 0;
}

/* One loss through test_run; @want_slot < 0: nothing may move, else only
 * (@want_slot, c->event), by c->frames, with c->err as its error. */
static void row(struct env *e, const char *name, struct sluice_xmit_test_ctx c,
		int want_slot)
{
	static xmit_snap_t before, after;
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &c,
		    .ctx_size_in = sizeof(c));
	int fd = dp_xmit_test_fd(e->dp);
	bool ok = true;

	if (fd < 0 || snap(e, before) || bpf_prog_test_run_opts(fd, &o) ||
	    snap(e, after)) {
		diag("sluice_xmit_test: %s\n", strerror(errno));
		tap(e, false, name);
		return;
	}
	for (int slot = 0; slot < SLUICE_MAX_IFACES; slot++) {
		for (__u32 ev = 0; ev < SLUICE_XMIT_NEVENTS; ev++) {
			bool moves = slot == want_slot && ev == c.event;
			__u64 d = after[slot].frames[ev] -
				  before[slot].frames[ev];
			__u64 want = moves ? (__u64)c.frames : 0;

			if (d != want) {
				diag("slot %d %s: +%llu, want +%llu\n", slot,
				     dp_xmit_event_name(ev),
				     (unsigned long long)d,
				     (unsigned long long)want);
				ok = false;
			}
			if (moves && after[slot].last_err[ev] != c.err) {
				diag("slot %d %s: last error %d, want %d\n",
				     slot, dp_xmit_event_name(ev),
				     after[slot].last_err[ev], c.err);
				ok = false;
			}
		}
	}
	tap(e, ok, name);
}

void xmit_run_all(struct env *e)
{
	__u32 p1 = e->ifindex[IFX_P1], p0 = e->ifindex[IFX_P0];
	int s1 = (int)e->slot[IFX_P1], s0 = (int)e->slot[IFX_P0];
	__u64 ns;

	if (dp_netns_cookie(&ns)) {
		diag("SO_NETNS_COOKIE: %s\n", strerror(errno));
		tap(e, false, "xmit: this namespace's cookie");
		return;
	}
	row(e, "xmit: a redirect P1 refused (EOPNOTSUPP) counts 1 on P1",
	    (struct sluice_xmit_test_ctx){ ns, p1, SLUICE_XMIT_REDIRECT_FAILED,
					   1, -EOPNOTSUPP },
	    s1);
	row(e, "xmit: a devmap bulk of 16 lost at P1 (ENXIO) counts 16",
	    (struct sluice_xmit_test_ctx){ ns, p1, SLUICE_XMIT_XMIT_DROPPED, 16,
					   -ENXIO },
	    s1);
	row(e, "xmit: an XDP_TX frame P0 could not send counts on P0",
	    (struct sluice_xmit_test_ctx){ ns, p0, SLUICE_XMIT_TX_FAILED, 1,
					   0 },
	    s0);
	row(e, "xmit: a frame P0's AF_XDP socket refused (ENOMEM) counts on P0",
	    (struct sluice_xmit_test_ctx){ ns, p0, SLUICE_XMIT_STEER_FAILED, 1,
					   -ENOMEM },
	    s0);
	row(e, "xmit: the same loss again: P1's counter only, its error anew",
	    (struct sluice_xmit_test_ctx){ ns, p1, SLUICE_XMIT_REDIRECT_FAILED,
					   1, -ENETDOWN },
	    s1);
	row(e,
	    "xmit: a device of another namespace (P1's ifindex) moves nothing",
	    (struct sluice_xmit_test_ctx){
		    ns + 1, p1, SLUICE_XMIT_REDIRECT_FAILED, 1, -EOPNOTSUPP },
	    -1);
	row(e, "xmit: a device sluice does not manage moves nothing",
	    (struct sluice_xmit_test_ctx){ ns, e->ifindex[IFX_EXT],
					   SLUICE_XMIT_REDIRECT_FAILED, 1,
					   -EOPNOTSUPP },
	    -1);
	row(e, "xmit: a bulk with no drops moves nothing",
	    (struct sluice_xmit_test_ctx){ ns, p1, SLUICE_XMIT_XMIT_DROPPED, 0,
					   0 },
	    -1);
	row(e, "xmit: an event outside the list moves nothing",
	    (struct sluice_xmit_test_ctx){ ns, p1, SLUICE_XMIT_NEVENTS, 1,
					   -EIO },
	    -1);
}
