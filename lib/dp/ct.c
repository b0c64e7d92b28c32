// SPDX-License-Identifier: BSD-2-Clause
/* Connection tracking through lib/dp: see dp_ct.h and bpf/lib/ct.h. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp_ct.h"
#include "dp_internal.h"

#define CT_STATE_NAME_(id, num, name) [num] = name,
static const char *const state_names[SLUICE_CT_NSTATES] = { SLUICE_CT_STATES(
	CT_STATE_NAME_) };
#undef CT_STATE_NAME_

#define CT_EVENT_NAME_(id, num, name) [num] = name,
static const char *const event_names[SLUICE_CT_NEVENTS] = { SLUICE_CT_EVENTS(
	CT_EVENT_NAME_) };
#undef CT_EVENT_NAME_

static const char *const class_names[SLUICE_CT_NPROTO] = { "tcp", "udp", "icmp",
							   "other" };

const char *dp_ct_state_name(unsigned int state)
{
	return state < SLUICE_CT_NSTATES ? state_names[state] : "unknown";
}

int dp_ct_state_parse(const char *s)
{
	for (unsigned int i = 1; i < SLUICE_CT_NSTATES; i++)
		if (!strcmp(s, state_names[i]))
			return (int)i;
	return -EINVAL;
}

const char *dp_ct_event_name(unsigned int ev)
{
	return ev < SLUICE_CT_NEVENTS ? event_names[ev] : NULL;
}

const char *dp_ct_class_name(unsigned int pclass)
{
	return pclass < SLUICE_CT_NPROTO ? class_names[pclass] : "unknown";
}

/* Seconds.  TCP close to Linux's, established shorter (6 h, as Cilium):
 * a table of a million entries turns over stale flows in hours, not
 * days. */
void dp_ct_default_config(struct sluice_ct_config *c)
{
	memset(c, 0, sizeof(*c));
	c->timeout[SLUICE_CT_SYN_SENT] = 60;
	c->timeout[SLUICE_CT_SYN_RECV] = 60;
	c->timeout[SLUICE_CT_ESTABLISHED] = 21600;
	c->timeout[SLUICE_CT_FIN_WAIT] = 120;
	c->timeout[SLUICE_CT_CLOSE_WAIT] = 60;
	c->timeout[SLUICE_CT_LAST_ACK] = 30;
	c->timeout[SLUICE_CT_TIME_WAIT] = 120;
	c->timeout[SLUICE_CT_CLOSE] = 10;
	c->timeout[SLUICE_CT_UNREPLIED] = 30;
	c->timeout[SLUICE_CT_REPLIED] = 180;
}

int dp_ct_config_set(struct dp *dp, const struct sluice_ct_config *c)
{
	__u32 zero = 0;

	return dp_update(dp, DP_MAP_CT_CONFIG, &zero, c);
}

int dp_ct_config_get(struct dp *dp, struct sluice_ct_config *c)
{
	__u32 zero = 0;

	return dp_lookup(dp, DP_MAP_CT_CONFIG, &zero, c);
}

__u32 dp_ct_capacity(const struct dp *dp)
{
	const struct bpf_map *m = dp->maps[DP_MAP_CT];

	return m ? bpf_map__max_entries(m) : 0;
}

int dp_ct_map_fd(const struct dp *dp)
{
	return dp_fd(dp, DP_MAP_CT);
}

int dp_ct_counts(struct dp *dp, struct dp_ct_counts *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	for (__u32 i = 0; i < SLUICE_CT_GAUGES; i++) {
		__s64 *g = &out->gauge[i / SLUICE_CT_NSTATES]
				      [i % SLUICE_CT_NSTATES];

		err = dp_percpu_sum(dp, DP_MAP_CT_GAUGES, &i, g, sizeof(*g));
		if (err)
			return err;
		/* a state the sweep left between a CPU's + and another's
		 * - can read -1 for an instant */
		if (*g < 0)
			*g = 0;
		out->total += (__u64)*g;
	}
	return dp_percpu_sum_events(dp, DP_MAP_CT_EVENTS, SLUICE_CT_NEVENTS,
				    out->events);
}

void dp_ct_sides(const struct sluice_ct_key *k, const struct sluice_ct_entry *e,
		 const __u8 **src, __be16 *sport, const __u8 **dst,
		 __be16 *dport)
{
	bool hi = e->flags & SLUICE_CTF_ORIG_HI;

	*src = hi ? k->hi_addr : k->lo_addr;
	*dst = hi ? k->lo_addr : k->hi_addr;
	*sport = hi ? k->hi_port : k->lo_port;
	*dport = hi ? k->lo_port : k->hi_port;
}

static bool prefix_match(const __u8 *a, const __u8 *b, unsigned int plen)
{
	unsigned int bytes = plen / 8, bits = plen % 8;

	if (memcmp(a, b, bytes))
		return false;
	if (!bits)
		return true;
	return !((a[bytes] ^ b[bytes]) & (__u8)(0xff << (8 - bits)));
}

bool dp_ct_match(const struct sluice_ct_filter *f,
		 const struct sluice_ct_key *k, const struct sluice_ct_entry *e)
{
	const __u8 *src, *dst;
	__be16 sp, dpt;

	if (e->state == SLUICE_CT_NONE)
		return false;
	if (f->family && f->family != k->family)
		return false;
	if (f->proto && f->proto != k->proto)
		return false;
	if (f->state && f->state != e->state)
		return false;
	dp_ct_sides(k, e, &src, &sp, &dst, &dpt);
	if (f->src_plen && !prefix_match(src, f->src, f->src_plen))
		return false;
	if (f->dst_plen && !prefix_match(dst, f->dst, f->dst_plen))
		return false;
	return true;
}

int dp_ct_walk(struct dp *dp, const struct sluice_ct_key *cursor, dp_ct_cb cb,
	       void *arg)
{
	struct sluice_ct_key k, next;
	struct sluice_ct_entry e;
	int fd = dp_fd(dp, DP_MAP_CT), r;
	const void *prev = cursor;

	if (fd < 0)
		return fd;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &e))
			continue; /* expired meanwhile */
		r = cb(&k, &e, arg);
		if (r)
			return r;
	}
	return errno == ENOENT ? 0 : -errno;
}

static int admin_run(struct dp *dp, struct sluice_ct_admin *req)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = req,
		    .data_size_in = sizeof(*req), .data_out = req,
		    .data_size_out = sizeof(*req), .repeat = 1);
	int fd = dp_ct_admin_fd(dp);

	if (fd < 0)
		return fd;
	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	return o.retval == XDP_PASS ? 0 : -EINVAL;
}

int dp_ct_flush(struct dp *dp, const struct sluice_ct_filter *f, __u32 *n)
{
	struct sluice_ct_admin req = { .op = SLUICE_CT_OP_FLUSH };
	int err;

	if (f)
		req.filter = *f;
	err = admin_run(dp, &req);
	if (!err && n)
		*n = req.result;
	return err;
}

int dp_ct_sweep_arm(struct dp *dp)
{
	struct sluice_ct_admin req = { .op = SLUICE_CT_OP_SWEEP };

	return admin_run(dp, &req);
}

int dp_ct_sweep_read(struct dp *dp, struct sluice_ct_sweep *out)
{
	__u32 zero = 0;

	return dp_lookup(dp, DP_MAP_CT_SWEEP, &zero, out);
}

int dp_ct_fill(struct dp *dp, __u32 count, __u32 seed, __u32 *n)
{
	struct sluice_ct_admin req = { .op = SLUICE_CT_OP_FILL,
				       .count = count,
				       .seed = seed };
	int err = admin_run(dp, &req);

	if (!err && n)
		*n = req.result;
	return err;
}
