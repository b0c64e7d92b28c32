// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's control plane without BPF: validation of every field
 * (the field named, nothing changed), VIP ids, Maglev tables as a pure
 * function of the backend set, and the write order, rollback and restart
 * adoption against a fake data path that records every write, fails the
 * Nth one on demand, and checks after each write that the data path could
 * never see a half-built VIP.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <json-c/json.h>
#include <cmocka.h>
#include "api.h"
#include "config.h"
#include "lb.h"
#include "maglev.h"

/* ---- a fake data path ----------------------------------------------------- */

#define FAKE_FLOWS 64

struct dp {
	struct {
		bool used;
		struct sluice_vip_key k;
		struct sluice_vip v;
	} vips[SLUICE_LB_MAX_VIPS];
	struct sluice_backend be[SLUICE_LB_MAX_BACKENDS];
	uint32_t *ring[SLUICE_LB_MAX_VIPS];
	uint32_t ring_m[SLUICE_LB_MAX_VIPS];
	struct sluice_lb_config cfg;
	struct sluice_flow flows[FAKE_FLOWS];
	int n_flows;
	/* the write with this number (1-based) fails with -EIO; 0 never */
	int fail_at;
	int writes;
	/* a failing ring write first writes half of its slots, as a batch
	 * update that the kernel stops part-way would */
	bool fail_partial;
	/* inside a ring write: for that moment the data path may see a
	 * table that fills or empties partly written */
	bool in_write;
	uint64_t checks; /* states the data path could have seen */
	uint64_t slot_writes;
	/* every write, in order: "B1 R1 V1 W1:20 b2 r1 v1" */
	char log[8192];
	int violations;
	char why[256];
	/* second chance: the previous table each VIP was given last */
	uint32_t *prev[SLUICE_LB_MAX_VIPS];
	uint32_t prev_m[SLUICE_LB_MAX_VIPS];
	uint64_t prev_until[SLUICE_LB_MAX_VIPS];
	int second_sets, second_dels;
	/* NAT's full-NAT switch and conntrack's (lb_dp_ops.fullnat_set) */
	bool fullnat, ct_on;
};

static struct dp fake;

static void logw(struct dp *dp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logw(struct dp *dp, const char *fmt, ...)
{
	size_t len = strlen(dp->log);
	va_list ap;

	if (len + 32 >= sizeof(dp->log))
		return;
	if (len)
		dp->log[len++] = ' ';
	va_start(ap, fmt);
	vsnprintf(dp->log + len, sizeof(dp->log) - len, fmt, ap);
	va_end(ap);
}

/*
 * What the data path may see at any moment: a VIP key it finds has a ring
 * of at least vip.ring_size slots, and every slot names a backend that is
 * set and not flagged down, unless the VIP has no usable backend at all
 * (then every slot is empty: the data path drops, as it must).  A new SYN
 * that hashes to an empty slot, or to one whose backend is unset or down,
 * is dropped (drop_lb_no_backend) while other backends could take it.
 * The one exception: while a ring write runs (sluiced stores slot after
 * slot into the mapped ring), a table that fills or empties is partly
 * empty; it never names an unset or down backend even then.
 */
static void check_consistent(struct dp *dp)
{
	dp->checks++;
	for (uint32_t i = 0; i < SLUICE_LB_MAX_VIPS; i++) {
		const struct sluice_vip *v = &dp->vips[i].v;
		uint32_t empty = 0;

		if (!dp->vips[i].used)
			continue;
		if (!dp->ring[v->vip_id] ||
		    dp->ring_m[v->vip_id] < v->ring_size) {
			snprintf(dp->why, sizeof(dp->why),
				 "vip %u visible without "
				 "a ring of %u slots",
				 v->vip_id, v->ring_size);
			dp->violations++;
			continue;
		}
		for (uint32_t s = 0; s < v->ring_size; s++) {
			uint32_t id = dp->ring[v->vip_id][s];

			if (!id) {
				empty++;
				continue;
			}
			if (id >= SLUICE_LB_MAX_BACKENDS ||
			    !dp->be[id].family ||
			    (dp->be[id].flags & SLUICE_BE_DOWN)) {
				snprintf(dp->why, sizeof(dp->why),
					 "vip %u slot %u -> backend %u (%s)",
					 v->vip_id, s, id,
					 id < SLUICE_LB_MAX_BACKENDS &&
							 dp->be[id].family ?
						 "down" :
						 "unset");
				dp->violations++;
				break;
			}
		}
		if (empty && empty < v->ring_size && !dp->in_write) {
			snprintf(dp->why, sizeof(dp->why),
				 "vip %u: %u of %u slots "
				 "empty while the others have a backend",
				 v->vip_id, empty, v->ring_size);
			dp->violations++;
		}
	}
}

static int write_begin(struct dp *dp)
{
	if (dp->fail_at && ++dp->writes == dp->fail_at)
		return -EIO;
	return 0;
}

static int write_end(struct dp *dp)
{
	check_consistent(dp);
	return 0;
}

static int fake_config_set(struct dp *dp, const struct sluice_lb_config *c)
{
	dp->cfg = *c;
	return 0;
}

static int vip_slot(struct dp *dp, const struct sluice_vip_key *k)
{
	for (int i = 0; i < SLUICE_LB_MAX_VIPS; i++)
		if (dp->vips[i].used && !memcmp(&dp->vips[i].k, k, sizeof(*k)))
			return i;
	return -1;
}

static int fake_vip_set(struct dp *dp, const struct sluice_vip_key *k,
			const struct sluice_vip *v)
{
	int i = vip_slot(dp, k);

	if (write_begin(dp))
		return -EIO;
	for (int j = 0; i < 0 && j < SLUICE_LB_MAX_VIPS; j++)
		if (!dp->vips[j].used)
			i = j;
	if (i < 0)
		return -E2BIG;
	dp->vips[i].used = true;
	dp->vips[i].k = *k;
	dp->vips[i].v = *v;
	logw(dp, "V%u", v->vip_id);
	return write_end(dp);
}

static int fake_vip_del(struct dp *dp, const struct sluice_vip_key *k)
{
	int i = vip_slot(dp, k);

	if (write_begin(dp))
		return -EIO;
	if (i < 0)
		return -ENOENT;
	logw(dp, "v%u", dp->vips[i].v.vip_id);
	memset(&dp->vips[i], 0, sizeof(dp->vips[i]));
	return write_end(dp);
}

static int fake_backend_set(struct dp *dp, __u32 id,
			    const struct sluice_backend *b)
{
	if (write_begin(dp))
		return -EIO;
	if (!id || id >= SLUICE_LB_MAX_BACKENDS)
		return -ERANGE;
	dp->be[id] = *b;
	logw(dp, "B%u%s", id, b->flags & SLUICE_BE_DOWN ? "d" : "");
	return write_end(dp);
}

static int fake_backend_del(struct dp *dp, __u32 id)
{
	if (write_begin(dp))
		return -EIO;
	if (!id || id >= SLUICE_LB_MAX_BACKENDS)
		return -ERANGE;
	memset(&dp->be[id], 0, sizeof(dp->be[id]));
	logw(dp, "b%u", id);
	return write_end(dp);
}

static int fake_ring_install(struct dp *dp, __u32 vip_id, __u32 m,
			     const __u32 *table)
{
	uint32_t *r;

	if (write_begin(dp))
		return -EIO;
	r = malloc(m * sizeof(*r));
	if (!r)
		return -ENOMEM;
	memcpy(r, table, m * sizeof(*r));
	free(dp->ring[vip_id]);
	dp->ring[vip_id] = r;
	dp->ring_m[vip_id] = m;
	dp->slot_writes += m;
	logw(dp, "R%u", vip_id);
	return write_end(dp);
}

static int fake_ring_update(struct dp *dp, __u32 vip_id, __u32 m,
			    const __u32 *old, const __u32 *nw, __u32 *changed)
{
	uint32_t n = 0, half = 0;

	*changed = 0;
	for (uint32_t i = 0; i < m; i++)
		n += old[i] != nw[i];
	if (write_begin(dp)) {
		/* a failure that wrote some of the slots first */
		dp->in_write = true;
		for (uint32_t i = 0; dp->fail_partial && dp->ring[vip_id] &&
				     i < m && half < n / 2;
		     i++) {
			if (old[i] == nw[i])
				continue;
			dp->ring[vip_id][i] = nw[i];
			half++;
		}
		if (dp->fail_partial)
			check_consistent(dp);
		dp->in_write = false;
		*changed = half;
		return -EIO;
	}
	if (!dp->ring[vip_id])
		return -ENOENT;
	if (m > dp->ring_m[vip_id])
		return -ERANGE;
	/* slot after slot, as the mapped ring is written; a small table is
	 * checked after each one */
	dp->in_write = true;
	for (uint32_t i = 0; i < m; i++) {
		if (old[i] == nw[i])
			continue;
		dp->ring[vip_id][i] = nw[i];
		if (dp->ring_m[vip_id] <= 1021)
			check_consistent(dp);
	}
	dp->in_write = false;
	dp->slot_writes += n;
	*changed = n;
	logw(dp, "W%u", vip_id);
	return write_end(dp);
}

static int fake_ring_read(struct dp *dp, __u32 vip_id, __u32 *table, __u32 max,
			  __u32 *m)
{
	*m = dp->ring_m[vip_id];
	if (!dp->ring[vip_id])
		return -ENOENT;
	if (*m > max)
		return -ENOSPC;
	memcpy(table, dp->ring[vip_id], *m * sizeof(*table));
	return 0;
}

static int fake_ring_del(struct dp *dp, __u32 vip_id)
{
	if (write_begin(dp))
		return -EIO;
	if (dp->ring[vip_id])
		logw(dp, "r%u", vip_id);
	free(dp->ring[vip_id]);
	dp->ring[vip_id] = NULL;
	dp->ring_m[vip_id] = 0;
	return write_end(dp);
}

static int fake_stats_clear(struct dp *dp, __u32 vip_id, __u32 be_id)
{
	(void)dp;
	(void)vip_id;
	(void)be_id;
	return 0;
}

static int fake_stats(struct dp *dp, __u32 id, struct sluice_lb_counter *out)
{
	(void)dp;
	memset(out, 0, sizeof(*out));
	out->packets = id; /* something to see in the metrics */
	return 0;
}

static int fake_flow_count(struct dp *dp)
{
	return dp->n_flows;
}

/* something to see: 7 evictions, 2 failed inserts */
static int fake_flow_events(struct dp *dp, __u64 out[SLUICE_LB_FLOW_NEVENTS])
{
	(void)dp;
	memset(out, 0, SLUICE_LB_FLOW_NEVENTS * sizeof(out[0]));
	out[SLUICE_LBFE_EVICTED] = 7;
	out[SLUICE_LBFE_INSERT_FAIL_BUSY] = 2;
	return 0;
}

static int fake_foreach(struct dp *dp, enum dp_map_id id, dp_key_cb cb,
			void *arg)
{
	int err = 0;

	if (id == DP_MAP_LB_VIPS) {
		for (int i = 0; i < SLUICE_LB_MAX_VIPS && !err; i++)
			if (dp->vips[i].used)
				err = cb(&dp->vips[i].k, &dp->vips[i].v, arg);
	} else if (id == DP_MAP_LB_BACKENDS) {
		/* an ARRAY: every index, set or not */
		for (uint32_t i = 0; i < SLUICE_LB_MAX_BACKENDS && !err; i++)
			err = cb(&i, &dp->be[i], arg);
	} else if (id == DP_MAP_LB_FLOWS) {
		for (int i = 0; i < dp->n_flows && !err; i++) {
			struct sluice_flow_key k = { .sport = (__be16)i };

			err = cb(&k, &dp->flows[i], arg);
		}
	} else {
		err = -EINVAL;
	}
	return err;
}

static int fake_second_set(struct dp *dp, __u32 vip_id, __u32 m,
			   const __u32 *table, __u64 until_ns)
{
	free(dp->prev[vip_id]);
	dp->prev[vip_id] = malloc(m * sizeof(*table));
	if (!dp->prev[vip_id])
		return -ENOMEM;
	memcpy(dp->prev[vip_id], table, m * sizeof(*table));
	dp->prev_m[vip_id] = m;
	dp->prev_until[vip_id] = until_ns;
	dp->second_sets++;
	return 0;
}

static int fake_second_del(struct dp *dp, __u32 vip_id)
{
	free(dp->prev[vip_id]);
	dp->prev[vip_id] = NULL;
	dp->prev_m[vip_id] = 0;
	dp->second_dels++;
	return 0;
}

static int fake_fullnat_set(struct dp *dp, bool any, bool *ct_on)
{
	dp->fullnat = any;
	*ct_on = dp->ct_on;
	return 0;
}

static const struct lb_dp_ops fake_ops = {
	.config_set = fake_config_set,
	.vip_set = fake_vip_set,
	.vip_del = fake_vip_del,
	.backend_set = fake_backend_set,
	.backend_del = fake_backend_del,
	.ring_install = fake_ring_install,
	.ring_update = fake_ring_update,
	.ring_read = fake_ring_read,
	.ring_del = fake_ring_del,
	.stats_clear = fake_stats_clear,
	.vip_stats = fake_stats,
	.backend_stats = fake_stats,
	.flow_count = fake_flow_count,
	.flow_events = fake_flow_events,
	.map_foreach = fake_foreach,
	.second_set = fake_second_set,
	.second_del = fake_second_del,
	.fullnat_set = fake_fullnat_set,
};

static void fake_reset(void)
{
	for (int i = 0; i < SLUICE_LB_MAX_VIPS; i++) {
		free(fake.ring[i]);
		free(fake.prev[i]);
	}
	memset(&fake, 0, sizeof(fake));
}

/* A deep copy, to compare before and after a failed request. */
static struct dp *fake_snapshot(void)
{
	struct dp *s = malloc(sizeof(*s));

	assert_non_null(s);
	*s = fake;
	for (int i = 0; i < SLUICE_LB_MAX_VIPS; i++) {
		if (!fake.ring[i])
			continue;
		s->ring[i] = malloc(fake.ring_m[i] * sizeof(uint32_t));
		assert_non_null(s->ring[i]);
		memcpy(s->ring[i], fake.ring[i],
		       fake.ring_m[i] * sizeof(uint32_t));
	}
	return s;
}

static void snapshot_free(struct dp *s)
{
	for (int i = 0; i < SLUICE_LB_MAX_VIPS; i++)
		free(s->ring[i]);
	free(s);
}

/* The maps hold what they held (VIP slots may be reordered). */
static void assert_maps_equal(const struct dp *a, const struct dp *b)
{
	for (int i = 0; i < SLUICE_LB_MAX_VIPS; i++) {
		int found = 0;

		if (!a->vips[i].used)
			continue;
		for (int j = 0; j < SLUICE_LB_MAX_VIPS; j++)
			if (b->vips[j].used &&
			    !memcmp(&a->vips[i].k, &b->vips[j].k,
				    sizeof(a->vips[i].k)) &&
			    !memcmp(&a->vips[i].v, &b->vips[j].v,
				    sizeof(a->vips[i].v)))
				found++;
		assert_int_equal(found, 1);
	}
	for (int i = 0, n = 0, m = 0; i < SLUICE_LB_MAX_VIPS; i++) {
		n += a->vips[i].used;
		m += b->vips[i].used;
		if (i == SLUICE_LB_MAX_VIPS - 1)
			assert_int_equal(n, m);
	}
	assert_memory_equal(a->be, b->be, sizeof(a->be));
	for (int i = 0; i < SLUICE_LB_MAX_VIPS; i++) {
		assert_int_equal(a->ring_m[i], b->ring_m[i]);
		assert_int_equal(!a->ring[i], !b->ring[i]);
		if (a->ring[i])
			assert_memory_equal(a->ring[i], b->ring[i],
					    a->ring_m[i] * sizeof(uint32_t));
	}
}

/* The model and the maps agree: every VIP's key, ring and backends. */
static void assert_model_is_maps(const struct lb *lb)
{
	int n = 0;

	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++) {
		const struct lb_vip *v = lb_vip_get(lb, id);
		int i;

		if (!v)
			continue;
		n++;
		i = vip_slot(&fake, &v->conf.key);
		assert_true(i >= 0);
		assert_int_equal(fake.vips[i].v.vip_id, id);
		assert_int_equal(fake.vips[i].v.ring_size, v->conf.ring_size);
		assert_int_equal(fake.ring_m[id], v->conf.ring_size);
		assert_memory_equal(fake.ring[id], v->table,
				    v->conf.ring_size * sizeof(uint32_t));
		for (size_t j = 0; j < v->n_be; j++) {
			const struct sluice_backend *b = &fake.be[v->be[j].id];

			assert_int_equal(b->family, v->be[j].spec.addr.family);
			assert_memory_equal(b->addr, v->be[j].spec.addr.a,
					    b->family == AF_INET ? 4 : 16);
			assert_int_equal(!!(b->flags & SLUICE_BE_DOWN),
					 lb_backend_down(&v->be[j]));
		}
	}
	for (int i = 0, m = 0; i < SLUICE_LB_MAX_VIPS; i++) {
		m += fake.vips[i].used;
		if (i == SLUICE_LB_MAX_VIPS - 1)
			assert_int_equal(m, n);
	}
	assert_int_equal(fake.violations, 0);
}

/* ---- helpers -------------------------------------------------------------- */

static char err[600];

static struct json_object *J(const char *text)
{
	struct json_object *o;

	assert_int_equal(
		config_json_parse(text, strlen(text), &o, err, sizeof(err)), 0);
	return o;
}

static int spec_of(const char *text, const char *prefix, struct lb_vip_spec *s)
{
	struct json_object *o = J(text);
	int rc;

	err[0] = '\0';
	rc = lb_vip_spec_from_json(o, prefix, s, err, sizeof(err));
	json_object_put(o);
	return rc;
}

static struct lb_settings settings(void)
{
	struct lb_settings s = { .flow_idle_timeout_s = 300 };

	assert_int_equal(lb_source_parse("lb.source_v4", "198.18.200.0/24",
					 AF_INET, &s, err, sizeof(err)),
			 0);
	assert_int_equal(lb_source_parse("lb.source_v6", "2001:db8:200::/96",
					 AF_INET6, &s, err, sizeof(err)),
			 0);
	return s;
}

static struct lb *new_lb(void)
{
	struct lb_settings s = settings();
	struct lb *lb;

	assert_int_equal(lb_new(&lb, &fake, &fake_ops, NULL, &s), 0);
	return lb;
}

/* Adds a VIP from JSON; returns its vip id. */
static uint32_t add_vip(struct lb *lb, const char *text)
{
	struct lb_vip_spec s;
	uint32_t id = 0;
	int rc;

	assert_int_equal(spec_of(text, "", &s), 0);
	rc = lb_vip_add(lb, &s, &id, err, sizeof(err));
	lb_vip_spec_free(&s);
	if (rc)
		fail_msg("lb_vip_add: %d %s", rc, err);
	return id;
}

static struct lb_addr A(const char *s) {
	struct lb_addr a;

	assert_int_equal(lb_addr_parse(s, &a), 0);
	return a;
}

static const struct lb_backend *
BE(const struct lb *lb, uint32_t vip, const char *addr)
{
	struct lb_addr a = A(addr);
	const struct lb_backend *b = lb_backend_find(lb_vip_get(lb, vip), &a);

	assert_non_null(b);
	return b;
}

static char *model_json(const struct lb *lb)
{
	struct json_object *o = lb_vips_json(lb);
	char *s = strdup(json_object_to_json_string(o));

	json_object_put(o);
	return s;
}

#define VIP1                                                                   \
	"{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","      \
	"\"ring_size\":1021,\"backends\":[{\"address\":\"198.18.2.11\","       \
	"\"weight\":2},{\"address\":\"198.18.3.11\"},"                         \
	"{\"address\":\"2001:db8:2::11\"}]}"

/* ---- VIP ids --------------------------------------------------------------- */

static void test_vip_id(void **state)
{
	static const char *const good[] = {
		"198.18.100.1:80/tcp",
		"198.18.100.1:0/udp",
		"[2001:db8:100::1]:443/tcp",
		"[2001:db8::]:65535/udp",
	};
	static const char *const bad[] = {
		"",
		"198.18.100.1",
		"198.18.100.1:80",
		"198.18.100.1/tcp",
		"198.18.100.1:80/",
		"198.18.100.1:80/sctp",
		"198.18.100.1:80/TCP",
		"198.18.100.1:65536/tcp",
		"198.18.100.1:-1/tcp",
		"198.18.100.1:8x/tcp",
		"198.18.100.1:/tcp",
		"2001:db8::1:80/tcp",
		"[2001:db8::1]80/tcp",
		"[2001:db8::1:80/tcp",
		"[198.18.100.1]:80/tcp",
		"198.18.300.1:80/tcp",
		"198.18.100.1:80/tcp/",
		"198.18.100.1:0000080/tcp",
	};
	struct sluice_vip_key k;
	char buf[LB_VIP_ID_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(lb_vip_id_parse(good[i], &k), 0);
		assert_string_equal(lb_vip_id_str(&k, buf, sizeof(buf)),
				    good[i]);
	}
	assert_int_equal(lb_vip_id_parse("198.18.100.1:80/tcp", &k), 0);
	assert_int_equal(k.family, AF_INET);
	assert_int_equal(ntohs(k.port), 80);
	assert_int_equal(k.proto, IPPROTO_TCP);
	assert_int_equal(k.addr[0], 198);
	assert_int_equal(k.addr[4], 0); /* v4: the rest stays zero */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!lb_vip_id_parse(bad[i], &k))
			fail_msg("'%s' was accepted", bad[i]);
}

/* ---- JSON -> spec ---------------------------------------------------------- */

static void test_vip_defaults(void **state)
{
	struct lb_vip_spec s;

	(void)state;
	assert_int_equal(
		spec_of("{\"address\":\"2001:DB8:100::1\",\"port\":443,"
			"\"protocol\":\"udp\"}",
			"", &s),
		0);
	assert_int_equal(s.conf.key.family, AF_INET6);
	assert_int_equal(s.conf.key.proto, IPPROTO_UDP);
	assert_int_equal(s.conf.flags, 0); /* ipip, 5tuple */
	assert_int_equal(s.conf.ring_size, 65537);
	/* udp: no check unless asked (a UDP service seldom answers TCP) */
	assert_int_equal(s.conf.health.kind, HEALTH_NONE);
	assert_int_equal(s.conf.health.port, 443); /* the VIP's port */
	assert_string_equal(s.conf.health.http_path, "/");
	assert_int_equal(s.conf.health.interval_ms, 1000);
	assert_int_equal(s.conf.health.timeout_ms, 500);
	assert_int_equal(s.conf.health.rise, 2);
	assert_int_equal(s.conf.health.fall, 3);
	assert_int_equal(s.n_be, 0);
	lb_vip_spec_free(&s);
	/* an interval at or below the default timeout, no timeout given:
	 * half the interval (it was refused naming timeout_ms 500) */
	assert_int_equal(spec_of("{\"address\":\"198.18.100.1\",\"port\":80,"
				 "\"protocol\":\"tcp\",\"health\":{"
				 "\"interval_ms\":250}}",
				 "", &s),
			 0);
	assert_int_equal(s.conf.health.interval_ms, 250);
	assert_int_equal(s.conf.health.timeout_ms, 125);
	lb_vip_spec_free(&s);

	/* tcp: a TCP connect to the VIP's port */
	assert_int_equal(spec_of("{\"address\":\"198.18.100.1\",\"port\":80,"
				 "\"protocol\":\"tcp\"}",
				 "", &s),
			 0);
	assert_int_equal(s.conf.health.kind, HEALTH_TCP);
	assert_int_equal(s.conf.health.port, 80);
	lb_vip_spec_free(&s);

	/* udp on every port: nothing to check, so no health.port needed;
	 * asked for explicitly, a check is there (on the port named) */
	assert_int_equal(spec_of("{\"address\":\"198.18.100.1\",\"port\":0,"
				 "\"protocol\":\"udp\"}",
				 "", &s),
			 0);
	assert_int_equal(s.conf.health.kind, HEALTH_NONE);
	lb_vip_spec_free(&s);
	assert_int_equal(
		spec_of("{\"address\":\"198.18.100.1\",\"port\":53,"
			"\"protocol\":\"udp\",\"health\":{\"kind\":\"tcp\","
			"\"port\":8053}}",
			"", &s),
		0);
	assert_int_equal(s.conf.health.kind, HEALTH_TCP);
	assert_int_equal(s.conf.health.port, 8053);
	lb_vip_spec_free(&s);

	assert_int_equal(
		spec_of("{\"address\":\"198.18.100.1\",\"port\":0,"
			"\"protocol\":\"tcp\",\"encap\":\"gre\",\"hash\":\"src\","
			"\"ring_size\":7,\"health\":{\"kind\":\"http\",\"port\":8080,"
			"\"path\":\"/healthz\",\"interval_ms\":200,\"timeout_ms\":100,"
			"\"rise\":1,\"fall\":1},\"backends\":[{\"address\":"
			"\"198.18.2.11\",\"weight\":1000,\"state\":\"draining\"}]}",
			"", &s),
		0);
	assert_int_equal(s.conf.flags, SLUICE_VIP_GRE | SLUICE_VIP_HASH_SRC);
	assert_int_equal(s.conf.ring_size, 7);
	assert_int_equal(s.conf.health.kind, HEALTH_HTTP);
	assert_int_equal(s.conf.health.port, 8080);
	assert_string_equal(s.conf.health.http_path, "/healthz");
	assert_int_equal(s.n_be, 1);
	assert_int_equal(s.be[0].weight, 1000);
	assert_int_equal(s.be[0].state, LB_BE_DRAINING);
	lb_vip_spec_free(&s);
}

#define V "\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\""
#define B(x) "{" V ",\"backends\":[{\"address\":\"198.18.2.11\"}," x "]}"
#define H(x) "{" V ",\"health\":{" x "}}"

static const struct {
	const char *json, *err;
} bad_vips[] = {
	{ "[]", "body: expected an object, got array" },
	{ "{\"port\":80,\"protocol\":\"tcp\"}", "address: required" },
	{ "{\"address\":\"198.18.100.1\",\"protocol\":\"tcp\"}",
	  "port: required" },
	{ "{\"address\":\"198.18.100.1\",\"port\":80}", "protocol: required" },
	{ "{\"address\":7}", "address: expected string, got int (7)" },
	{ "{\"address\":\"198.18.300.1\"}",
	  "address: '198.18.300.1' is not an IPv4 or IPv6 address" },
	{ "{\"address\":\"198.18.100.1/32\"}",
	  "address: '198.18.100.1/32' is not an IPv4 or IPv6 address" },
	{ "{\"address\":\"224.0.0.1\"}", "address: '224.0.0.1' is multicast" },
	{ "{\"address\":\"0.0.0.0\"}", "address: '0.0.0.0' is unspecified" },
	{ "{\"address\":\"169.254.1.1\"}",
	  "address: '169.254.1.1' is link-local" },
	{ "{\"address\":\"ff02::1\"}", "address: 'ff02::1' is multicast" },
	{ "{\"address\":\"fe80::1\"}", "address: 'fe80::1' is link-local" },
	{ "{\"address\":\"::\"}", "address: '::' is unspecified" },
	{ "{\"address\":\"::ffff:198.18.100.1\"}",
	  "address: '::ffff:198.18.100.1' is IPv4-mapped (use the IPv4 address)" },
	{ "{\"port\":-1}", "port: -1 is out of range 0..65535" },
	{ "{\"port\":65536}", "port: 65536 is out of range 0..65535" },
	{ "{\"port\":\"80\"}", "port: expected int, got string (\"80\")" },
	{ "{\"port\":80.5}", "port: expected int, got double (80.5)" },
	{ "{\"port\":null}", "port: expected int, got null (null)" },
	{ "{\"protocol\":\"sctp\"}", "protocol: 'sctp' is not tcp or udp" },
	{ "{\"protocol\":6}", "protocol: expected string, got int (6)" },
	{ "{\"encap\":\"vxlan\"}", "encap: 'vxlan' is not ipip or gre" },
	{ "{\"hash\":\"dst\"}", "hash: 'dst' is not 5tuple or src" },
	{ "{\"ring_size\":65536}", "ring_size: 65536 is not a prime" },
	{ "{\"ring_size\":2}", "ring_size: 2 is out of range 3..655373" },
	{ "{\"ring_size\":655379}",
	  "ring_size: 655379 is out of range 3..655373" },
	{ "{\"ring_size\":true}",
	  "ring_size: expected int, got boolean (true)" },
	{ "{\"second_chance_s\":86401}",
	  "second_chance_s: 86401 is out of range 0..86400" },
	{ "{\"second_chance_s\":-1}",
	  "second_chance_s: -1 is out of range 0..86400" },
	{ "{\"second_chance_s\":\"60\"}",
	  "second_chance_s: expected int, got string (\"60\")" },
	{ "{\"address\":\"198.18.100.1\",\"port\":53,\"protocol\":\"udp\","
	  "\"second_chance_s\":60}",
	  "second_chance_s: 60: only a tcp VIP has connections to find" },
	{ "{" V ",\"mode\":\"fullnat\",\"second_chance_s\":60}",
	  "second_chance_s: 60: a fullnat VIP encapsulates nothing" },
	{ "{\"id\":\"198.18.100.1:80/tcp\"}", "id: is read-only" },
	{ "{\"vip_id\":1}", "vip_id: is read-only" },
	{ "{\"counters\":{}}", "counters: is read-only" },
	{ "{\"colour\":\"blue\"}",
	  "unknown field 'colour' (known: address, port, "
	  "protocol, mode, backend_port, encap, hash, ring_size, "
	  "second_chance_s, health, backends)" },
	/* full NAT */
	{ "{" V ",\"mode\":\"nat\"}", "mode: 'nat' is not dsr or fullnat" },
	{ "{" V ",\"backend_port\":8080}",
	  "backend_port: 8080: only a fullnat VIP translates ports" },
	{ "{" V ",\"mode\":\"fullnat\",\"backend_port\":0}",
	  "backend_port: 0 is out of range 1..65535" },
	{ "{" V ",\"mode\":\"fullnat\",\"encap\":\"gre\"}",
	  "encap: gre: a fullnat VIP encapsulates nothing" },
	{ "{" V ",\"mode\":\"fullnat\",\"backends\":[{\"address\":"
	  "\"2001:db8::5\"}]}",
	  "backends[0].address: 2001:db8::5 is not of the VIP's family (a "
	  "fullnat VIP translates IPv4 to IPv4 and IPv6 to IPv6)" },
	/* health */
	{ "{" V ",\"health\":\"tcp\"}",
	  "health: expected an object, got string" },
	{ H("\"kind\":\"icmp\""),
	  "health.kind: 'icmp' is not one of none, tcp, http" },
	{ H("\"port\":70000"), "health.port: 70000 is out of range 0..65535" },
	{ "{\"address\":\"198.18.100.1\",\"port\":0,\"protocol\":\"tcp\"}",
	  "health.port: required when the VIP port is 0 (health.kind tcp)" },
	{ "{\"address\":\"198.18.100.1\",\"port\":0,\"protocol\":\"udp\","
	  "\"health\":{\"kind\":\"http\",\"port\":0}}",
	  "health.port: required when the VIP port is 0 (health.kind http)" },
	{ "{\"address\":\"198.18.100.1\",\"port\":53,\"protocol\":\"udp\","
	  "\"health\":{\"port\":53}}",
	  "health.kind: required when a udp VIP "
	  "sets other health fields (its default is none)" },
	{ H("\"kind\":\"http\",\"path\":\"healthz\""),
	  "health.path: \"healthz\" does not start with '/'" },
	{ H("\"kind\":\"http\",\"path\":\"/a b\""),
	  "health.path: \"/a b\" has a space or control character at 2" },
	{ H("\"path\":\"/0123456789012345678901234567890123456789012345678901234567"
	    "89012345678901234567890123456789012345678901234567890123456789012345"
	    "6789\""),
	  "health.path: longer than 127 characters" },
	{ H("\"interval_ms\":50"), "health.interval_ms: 50 is below 100" },
	{ H("\"interval_ms\":-1"),
	  "health.interval_ms: -1 is out of range 0..4294967295" },
	{ H("\"timeout_ms\":1000"),
	  "health.timeout_ms: 1000 is not below interval_ms 1000" },
	{ H("\"interval_ms\":250,\"timeout_ms\":300"),
	  "health.timeout_ms: 300 is not below interval_ms 250" },
	{ H("\"timeout_ms\":0"), "health.timeout_ms: 0 is below 1" },
	{ H("\"rise\":0"), "health.rise: 0 is outside 1..100" },
	{ H("\"fall\":101"), "health.fall: 101 is outside 1..100" },
	{ H("\"fall\":\"3\""), "health.fall: expected int, got string" },
	{ H("\"retries\":3"),
	  "unknown field 'health.retries' (known: kind, port, "
	  "path, interval_ms, timeout_ms, rise, fall)" },
	/* backends */
	{ "{" V ",\"backends\":{}}", "backends: expected array, got object" },
	{ B("7"), "backends[1]: expected an object, got int" },
	{ B("{}"), "backends[1].address: required" },
	{ B("{\"address\":\"x\"}"),
	  "backends[1].address: 'x' is not an IPv4 or IPv6 address" },
	{ B("{\"address\":\"0.0.0.0\"}"),
	  "backends[1].address: '0.0.0.0' is unspecified" },
	{ B("{\"address\":\"ff02::2\"}"),
	  "backends[1].address: 'ff02::2' is multicast" },
	{ B("{\"address\":\"::ffff:198.18.2.12\"}"),
	  "backends[1].address: "
	  "'::ffff:198.18.2.12' is IPv4-mapped (use the IPv4 address)" },
	{ B("{\"address\":\"127.0.0.1\"}"),
	  "backends[1].address: '127.0.0.1' is a loopback address" },
	{ B("{\"address\":\"::1\"}"),
	  "backends[1].address: '::1' is a loopback address" },
	{ B("{\"address\":\"fe80::1\"}"),
	  "backends[1].address: 'fe80::1' is link-local" },
	{ B("{\"address\":\"169.254.1.1\"}"),
	  "backends[1].address: '169.254.1.1' is link-local" },
	{ B("{\"address\":\"198.18.2.11\"}"),
	  "backends[1].address: '198.18.2.11' is listed twice" },
	{ B("{\"address\":\"198.18.2.12\",\"weight\":0}"),
	  "backends[1].weight: 0 is out of range 1..1000" },
	{ B("{\"address\":\"198.18.2.12\",\"weight\":1001}"),
	  "backends[1].weight: 1001 is out of range 1..1000" },
	{ B("{\"address\":\"198.18.2.12\",\"weight\":\"2\"}"),
	  "backends[1].weight: expected int, got string" },
	{ B("{\"address\":\"198.18.2.12\",\"state\":\"up\"}"),
	  "backends[1].state: 'up' is not one of active, draining, down" },
	{ B("{\"address\":\"198.18.2.12\",\"backend_id\":3}"),
	  "backends[1].backend_id: is read-only" },
	{ B("{\"address\":\"198.18.2.12\",\"health\":\"up\"}"),
	  "backends[1].health: is read-only" },
	{ B("{\"address\":\"198.18.2.12\",\"port\":80}"),
	  "unknown field 'backends[1].port' (known: address, weight, state)" },
};

static void expect_bad_vip(const char *json, const char *prefix,
			   const char *want)
{
	struct lb_vip_spec s, before;
	int rc;

	memset(&s, 0xa5, sizeof(s));
	before = s;
	rc = spec_of(json, prefix, &s);
	if (rc != -EINVAL)
		fail_msg("%s: rc %d, error '%s'", json, rc, err);
	if (strcmp(err, want) && strncmp(err, want, strlen(want)))
		fail_msg("%s\n  error '%s'\n  wanted '%s'", json, err, want);
	/* nothing was filled in */
	assert_memory_equal(&s, &before, sizeof(s));
}

static void test_vip_every_bad_field(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_vips) / sizeof(bad_vips[0]); i++)
		expect_bad_vip(bad_vips[i].json, "", bad_vips[i].err);
}

/* In the config file every field is named with its path. */
static void test_vip_errors_name_the_path(void **state)
{
	const char *prefix = "lb.vips[3].";
	char want[700];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_vips) / sizeof(bad_vips[0]); i++) {
		const char *e = bad_vips[i].err;

		if (!strncmp(e, "body: ", 6))
			snprintf(want, sizeof(want), "lb.vips[3]: %s", e + 6);
		else if (!strncmp(e, "unknown field '", 15))
			snprintf(want, sizeof(want), "unknown field '%s%s",
				 prefix, e + 15);
		else
			snprintf(want, sizeof(want), "%s%s", prefix, e);
		expect_bad_vip(bad_vips[i].json, prefix, want);
	}
}

static void test_backend_and_patch_json(void **state)
{
	static const struct {
		const char *json, *err;
	} bad_be[] = {
		{ "[]", "body: expected an object, got array" },
		{ "{\"weight\":2}", "address: required" },
		{ "{\"address\":\"198.18.2.300\"}",
		  "address: '198.18.2.300' is not an IPv4 or IPv6 address" },
		{ "{\"address\":\"198.18.2.1\",\"weight\":0}",
		  "weight: 0 is out of range 1..1000" },
		{ "{\"address\":\"198.18.2.1\",\"state\":\"off\"}",
		  "state: 'off' is not one of active, draining, down" },
		{ "{\"address\":\"198.18.2.1\",\"slots\":3}", "slots: is read-only" },
		{ "{\"address\":\"198.18.2.1\",\"x\":3}", "unknown field 'x' "
		  "(known: address, weight, state)" },
	}, bad_patch[] = {
		{ "{}", "body: nothing to change (expected weight and/or state)" },
		{ "{\"weight\":0}", "weight: 0 is out of range 1..1000" },
		{ "{\"weight\":-3}", "weight: -3 is out of range 1..1000" },
		{ "{\"state\":\"gone\"}", "state: 'gone' is not one of active, draining, down" },
		{ "{\"state\":1}", "state: expected string, got int (1)" },
		{ "{\"address\":\"198.18.2.2\"}", "address: cannot be changed" },
		{ "{\"health\":\"up\"}", "health: is read-only" },
		{ "{\"weight\":2,\"ring_size\":7}", "unknown field 'ring_size' "
		  "(known: weight, state)" },
	};
	struct lb_backend_spec b, bb;
	struct lb_backend_patch p, pb;
	struct json_object *o;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_be) / sizeof(bad_be[0]); i++) {
		o = J(bad_be[i].json);
		memset(&b, 0x5a, sizeof(b));
		bb = b;
		assert_int_equal(lb_backend_spec_from_json(o, "", &b, err,
							   sizeof(err)),
				 -EINVAL);
		json_object_put(o);
		if (strncmp(err, bad_be[i].err, strlen(bad_be[i].err)))
			fail_msg("%s: '%s', wanted '%s'", bad_be[i].json, err,
				 bad_be[i].err);
		assert_memory_equal(&b, &bb, sizeof(b));
	}
	for (size_t i = 0; i < sizeof(bad_patch) / sizeof(bad_patch[0]); i++) {
		o = J(bad_patch[i].json);
		memset(&p, 0x5a, sizeof(p));
		pb = p;
		assert_int_equal(lb_backend_patch_from_json(o, &p, err,
							    sizeof(err)),
				 -EINVAL);
		json_object_put(o);
		if (strncmp(err, bad_patch[i].err, strlen(bad_patch[i].err)))
			fail_msg("%s: '%s', wanted '%s'", bad_patch[i].json,
				 err, bad_patch[i].err);
		assert_memory_equal(&p, &pb, sizeof(p));
	}
	o = J("{\"address\":\"2001:db8::7\"}");
	assert_int_equal(lb_backend_spec_from_json(o, "", &b, err, sizeof(err)),
			 0);
	json_object_put(o);
	assert_int_equal(b.weight, 1);
	assert_int_equal(b.state, LB_BE_ACTIVE);
	o = J("{\"state\":\"down\"}");
	assert_int_equal(lb_backend_patch_from_json(o, &p, err, sizeof(err)),
			 0);
	json_object_put(o);
	assert_false(p.has_weight);
	assert_true(p.has_state);
	assert_int_equal(p.state, LB_BE_DOWN);
}

static void test_sources(void **state)
{
	static const struct {
		const char *s, *err;
		int family;
	} bad[] = {
		{ "198.18.200.0",
		  "lb.source_v4: '198.18.200.0' is not an IPv4 prefix",
		  AF_INET },
		{ "198.18.200.0/23",
		  "lb.source_v4: '198.18.200.0/23' must be a /24", AF_INET },
		{ "198.18.200.1/24",
		  "lb.source_v4: '198.18.200.1/24' has host bits set",
		  AF_INET },
		{ "2001:db8::/96",
		  "lb.source_v4: '2001:db8::/96' is not an IPv4 prefix",
		  AF_INET },
		{ "224.0.0.0/24", "lb.source_v4: '224.0.0.0' is multicast",
		  AF_INET },
		{ "2001:db8:200::/64",
		  "lb.source_v6: '2001:db8:200::/64' must be a /96", AF_INET6 },
		{ "2001:db8:200::1/96",
		  "lb.source_v6: '2001:db8:200::1/96' has host bits set",
		  AF_INET6 },
		{ "2001:db8:200::/96x",
		  "lb.source_v6: '2001:db8:200::/96x' must be a /96",
		  AF_INET6 },
	};
	struct lb_settings s = {}, before;
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *field = bad[i].family == AF_INET ? "lb.source_v4" :
							       "lb.source_v6";

		before = s;
		assert_int_equal(lb_source_parse(field, bad[i].s, bad[i].family,
						 &s, err, sizeof(err)),
				 -EINVAL);
		if (strncmp(err, bad[i].err, strlen(bad[i].err)))
			fail_msg("'%s': '%s', wanted '%s'", bad[i].s, err,
				 bad[i].err);
		assert_memory_equal(&s, &before, sizeof(s));
	}
	assert_int_equal(lb_source_parse("lb.source_v4", "198.18.200.0/24",
					 AF_INET, &s, err, sizeof(err)),
			 0);
	assert_int_equal(lb_source_parse("lb.source_v6", "2001:db8:200::/96",
					 AF_INET6, &s, err, sizeof(err)),
			 0);
	assert_string_equal(lb_source_str(&s, AF_INET, buf, sizeof(buf)),
			    "198.18.200.0/24");
	assert_string_equal(lb_source_str(&s, AF_INET6, buf, sizeof(buf)),
			    "2001:db8:200::/96");
	assert_int_equal(lb_source_parse("lb.source_v6", "", AF_INET6, &s, err,
					 sizeof(err)),
			 0);
	assert_string_equal(lb_source_str(&s, AF_INET6, buf, sizeof(buf)), "");
}

/* ---- tables ---------------------------------------------------------------- */

static void make_set(struct lb_backend *be, size_t n, const uint32_t *weights)
{
	char a[32];

	memset(be, 0, n * sizeof(*be));
	for (size_t i = 0; i < n; i++) {
		snprintf(a, sizeof(a), "198.18.%zu.%zu", 2 + i / 200,
			 10 + i % 200);
		be[i].spec.addr = A(a);
		be[i].spec.weight = weights ? weights[i] : 1;
		be[i].spec.state = LB_BE_ACTIVE;
		be[i].health = HEALTH_UNKNOWN;
		be[i].key = lb_backend_key(&be[i].spec.addr);
		be[i].id = (uint32_t)i + 1;
	}
}

/* The same set in any order, under any ids: the same address per slot. */
static void test_table_is_a_function_of_the_set(void **state)
{
	enum { N = 9, M = 65537 };
	static const uint32_t w[N] = { 1, 2, 3, 1, 1, 5, 1, 1, 2 };
	struct lb_backend a[N], b[N];
	uint32_t *ta = malloc(M * sizeof(*ta)), *tb = malloc(M * sizeof(*tb));
	uint64_t ka[SLUICE_LB_MAX_BACKENDS], kb[SLUICE_LB_MAX_BACKENDS];

	(void)state;
	assert_non_null(ta);
	assert_non_null(tb);
	make_set(a, N, w);
	/* reversed, and other ids (as another daemon would allocate them) */
	for (size_t i = 0; i < N; i++) {
		b[i] = a[N - 1 - i];
		b[i].id = (uint32_t)(100 + 7 * i);
	}
	assert_int_equal(lb_table_compute(a, N, M, ta), 0);
	assert_int_equal(lb_table_compute(b, N, M, tb), 0);
	for (size_t i = 0; i < N; i++) {
		ka[a[i].id] = a[i].key;
		kb[b[i].id] = b[i].key;
	}
	for (uint32_t s = 0; s < M; s++) {
		assert_true(ta[s] && tb[s]);
		assert_true(ka[ta[s]] == kb[tb[s]]);
	}
	for (size_t i = 0; i < N; i++)
		assert_int_equal(a[i].slots, b[N - 1 - i].slots);
	free(ta);
	free(tb);
}

static void test_weights(void **state)
{
	enum { N = 4, M = 65537 };
	static const uint32_t w[N] = { 1, 3, 2, 2 };
	struct lb_backend be[N];
	uint32_t *t = malloc(M * sizeof(*t)), sum = 0;

	(void)state;
	assert_non_null(t);
	make_set(be, N, w);
	assert_int_equal(lb_table_compute(be, N, M, t), 0);
	for (size_t i = 0; i < N; i++)
		sum += be[i].slots;
	assert_int_equal(sum, M);
	/* slots follow weight (8 shares of M), within 1% */
	for (size_t i = 0; i < N; i++) {
		double want = (double)M * w[i] / 8;

		if (be[i].slots < want * 0.99 || be[i].slots > want * 1.01)
			fail_msg("backend %zu: %u slots, want about %.0f", i,
				 be[i].slots, want);
	}

	/* the rule: active and not failing counts; unknown counts as up */
	be[0].health = HEALTH_UP;
	be[1].spec.state = LB_BE_DRAINING;
	be[2].spec.state = LB_BE_DOWN;
	be[3].health = HEALTH_DOWN;
	assert_int_equal(lb_backend_weight(&be[0]), 1);
	assert_int_equal(lb_backend_weight(&be[1]), 0);
	assert_int_equal(lb_backend_weight(&be[2]), 0);
	assert_int_equal(lb_backend_weight(&be[3]), 0);
	assert_false(lb_backend_down(&be[0]));
	assert_false(lb_backend_down(&be[1])); /* draining: flows stay */
	assert_true(lb_backend_down(&be[2]));  /* down: flows rehash */
	assert_true(lb_backend_down(&be[3]));
	assert_int_equal(lb_table_compute(be, N, M, t), 0);
	assert_int_equal(be[0].slots, M);
	assert_int_equal(be[1].slots + be[2].slots + be[3].slots, 0);

	/* nobody: an empty table, which the data path drops */
	be[0].spec.state = LB_BE_DRAINING;
	assert_int_equal(lb_table_compute(be, N, M, t), 0);
	for (uint32_t s = 0; s < M; s++)
		assert_int_equal(t[s], 0);
	free(t);
}

/*
 * Draining (or losing) one backend moves all of its slots, and almost
 * nothing else: Maglev's fill order shifts a few slots between the others
 * (the table stays a pure function of the set, so that is the price), and
 * this bounds it.
 */
static void test_drain_moves_its_slots(void **state)
{
	enum { N = 5, M = 65537 };
	struct lb_backend be[N];
	uint32_t *t0 = malloc(M * sizeof(*t0)), *t1 = malloc(M * sizeof(*t1));
	uint32_t *changed = malloc(M * sizeof(*changed));

	(void)state;
	assert_true(t0 && t1 && changed);
	for (size_t k = 0; k < N; k++) {
		size_t n, own = 0;
		uint32_t had;

		make_set(be, N, NULL);
		assert_int_equal(lb_table_compute(be, N, M, t0), 0);
		had = be[k].slots;
		for (int round = 0; round < 2; round++) {
			if (round == 0) {
				be[k].spec.state = LB_BE_DRAINING;
			} else {
				be[k].spec.state = LB_BE_ACTIVE;
				be[k].health = HEALTH_DOWN;
			}
			assert_int_equal(lb_table_compute(be, N, M, t1), 0);
			assert_int_equal(be[k].slots, 0);
			n = maglev_diff(t0, t1, M, changed);
			own = 0;
			for (size_t i = 0; i < n; i++)
				own += t0[changed[i]] == be[k].id;
			assert_int_equal(own, had); /* every one of its slots */
			if (n - own > M / 200)	    /* others: under 0.5% */
				fail_msg("backend %zu: %zu other slots moved",
					 k, n - own);
		}
		print_message("# draining 1 of %d: its %u slots moved, and %zu "
			      "of the others (%.3f%% of M)\n",
			      N, had, n - own, 100.0 * (double)(n - own) / M);
	}
	free(t0);
	free(t1);
	free(changed);
}

/* ---- the model over the fake data path ----------------------------------- */

static int setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

static void test_add_delete_order(void **state)
{
	struct lb *lb = new_lb();
	uint32_t id;

	(void)state;
	id = add_vip(lb, VIP1);
	assert_int_equal(id, 1);
	/* backends, the complete table, then the key */
	assert_string_equal(fake.log, "B1 B2 B3 R1 V1");
	assert_int_equal(fake.slot_writes, 1021);
	assert_int_equal(lb_slots_written(lb), 1021);
	assert_model_is_maps(lb);
	assert_int_equal(BE(lb, 1, "198.18.2.11")->slots +
				 BE(lb, 1, "198.18.3.11")->slots +
				 BE(lb, 1, "2001:db8:2::11")->slots,
			 1021);

	fake.log[0] = '\0';
	assert_int_equal(lb_vip_del(lb, id, err, sizeof(err)), 0);
	/* the key, the table, then the backends */
	assert_string_equal(fake.log, "v1 r1 b1 b2 b3");
	assert_null(lb_vip_get(lb, id));
	assert_model_is_maps(lb);
	assert_int_equal(lb_vip_del(lb, id, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "vip 1 does not exist");
	lb_free(lb);
}

static void test_backend_changes_order(void **state)
{
	struct lb *lb = new_lb();
	struct lb_addr a = A("198.18.2.11");
	struct lb_backend_patch down = { .has_state = true,
					 .state = LB_BE_DOWN };
	struct lb_backend_patch up = { .has_state = true,
				       .state = LB_BE_ACTIVE };
	struct lb_backend_patch drain = { .has_state = true,
					  .state = LB_BE_DRAINING };
	struct lb_backend_patch w5 = { .has_weight = true, .weight = 5 };
	struct lb_backend_spec nb = { .addr = A("198.18.4.11"), .weight = 1 };
	uint32_t before;

	(void)state;
	add_vip(lb, VIP1);
	before = BE(lb, 1, "198.18.2.11")->slots;
	assert_true(before > 0);

	/* down: its slots go first, then the flag (its flows rehash) */
	fake.log[0] = '\0';
	fake.slot_writes = 0;
	assert_int_equal(lb_backend_patch(lb, 1, &a, &down, err, sizeof(err)),
			 0);
	assert_string_equal(fake.log, "W1 B1d");
	/* its slots, and the few Maglev shifts between the others */
	assert_true(fake.slot_writes >= before);
	assert_true(fake.slot_writes <= before + 1021 / 100);
	assert_int_equal(BE(lb, 1, "198.18.2.11")->slots, 0);
	assert_model_is_maps(lb);

	/* back up: the flag is cleared before it gets slots */
	fake.log[0] = '\0';
	assert_int_equal(lb_backend_patch(lb, 1, &a, &up, err, sizeof(err)), 0);
	assert_string_equal(fake.log, "B1 W1");
	assert_int_equal(BE(lb, 1, "198.18.2.11")->slots, before);
	assert_model_is_maps(lb);

	/* draining: no new flows, existing ones stay; the flag (a SYN does
	 * not follow a flow entry to it) is there before its slots go */
	fake.log[0] = '\0';
	assert_int_equal(lb_backend_patch(lb, 1, &a, &drain, err, sizeof(err)),
			 0);
	assert_string_equal(fake.log, "B1 W1");
	assert_int_equal(BE(lb, 1, "198.18.2.11")->slots, 0);
	assert_int_equal(fake.be[1].flags, SLUICE_BE_DRAINING);
	assert_model_is_maps(lb);

	/* active again: the flag goes before it gets slots; then a weight
	 * alone rewrites slots only */
	fake.log[0] = '\0';
	assert_int_equal(lb_backend_patch(lb, 1, &a, &up, err, sizeof(err)), 0);
	assert_int_equal(fake.be[1].flags, 0);
	assert_int_equal(lb_backend_patch(lb, 1, &a, &w5, err, sizeof(err)), 0);
	assert_string_equal(fake.log, "B1 W1 W1");
	assert_true(BE(lb, 1, "198.18.2.11")->slots > before);

	/* a new backend is in lb_backends before a slot names it; a deleted
	 * one leaves the table before it leaves lb_backends */
	fake.log[0] = '\0';
	assert_int_equal(lb_backend_add(lb, 1, &nb, err, sizeof(err)), 0);
	assert_string_equal(fake.log, "B4 W1");
	assert_int_equal(lb_backend_add(lb, 1, &nb, err, sizeof(err)), -EEXIST);
	assert_string_equal(
		err, "backend 198.18.4.11 exists in vip 198.18.100.1:80/tcp");
	fake.log[0] = '\0';
	assert_int_equal(lb_backend_del(lb, 1, &nb.addr, err, sizeof(err)), 0);
	assert_string_equal(fake.log, "W1 b4");
	assert_int_equal(lb_backend_del(lb, 1, &nb.addr, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(
		err, "backend 198.18.4.11 is not in vip 198.18.100.1:80/tcp");
	assert_int_equal(lb_backend_patch(lb, 7, &a, &up, err, sizeof(err)),
			 -ENOENT);
	assert_model_is_maps(lb);
	lb_free(lb);
}

/* Second chance: a table change hands the table of before to the data
 * path (with the grace period), only when the VIP asks and a slot moved;
 * turning it off or deleting the VIP forgets it; the field round-trips. */
static void test_second_chance(void **state)
{
	struct lb_backend_spec be = { .weight = 1, .state = LB_BE_ACTIVE };
	struct lb *lb = new_lb();
	struct timespec ts;
	uint32_t id, *before;
	uint64_t now;
	struct lb_vip_spec s;
	struct json_object *o;

	(void)state;
	id = add_vip(lb, "{" V ",\"ring_size\":1021,\"second_chance_s\":60,"
			 "\"backends\":[{\"address\":\"198.18.2.11\"},"
			 "{\"address\":\"198.18.3.11\"}]}");
	assert_int_equal(fake.second_sets, 0); /* a new VIP: nothing before */
	before = malloc(1021 * sizeof(*before));
	assert_non_null(before);
	memcpy(before, lb_vip_get(lb, id)->table, 1021 * sizeof(*before));
	be.addr = A("198.18.4.11");
	assert_int_equal(lb_backend_add(lb, id, &be, err, sizeof(err)), 0);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	assert_int_equal(fake.second_sets, 1);
	assert_int_equal(fake.prev_m[id], 1021);
	assert_memory_equal(fake.prev[id], before, 1021 * sizeof(*before));
	assert_true(memcmp(fake.prev[id], fake.ring[id],
			   1021 * sizeof(*before)) != 0);
	assert_true(fake.prev_until[id] > now + 59000000000ull &&
		    fake.prev_until[id] <= now + 60000000000ull);

	assert_int_equal(lb_vip_del(lb, id, err, sizeof(err)), 0);
	assert_int_equal(fake.second_dels, 1);
	assert_null(fake.prev[id]);

	/* without it: never called */
	fake.second_sets = fake.second_dels = 0;
	id = add_vip(lb, "{" V ",\"ring_size\":1021,\"backends\":["
			 "{\"address\":\"198.18.2.11\"}]}");
	be.addr = A("198.18.3.11");
	assert_int_equal(lb_backend_add(lb, id, &be, err, sizeof(err)), 0);
	assert_int_equal(lb_vip_del(lb, id, err, sizeof(err)), 0);
	assert_int_equal(fake.second_sets + fake.second_dels, 0);

	/* the API's and the state file's JSON carry it, and parse back */
	add_vip(lb, "{" V ",\"second_chance_s\":3600}");
	o = lb_state_json(lb);
	assert_non_null(o);
	err[0] = '\0';
	assert_int_equal(lb_vip_spec_from_json(
				 json_object_array_get_idx(
					 json_object_object_get(o, "vips"), 0),
				 "", &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.conf.second_chance_s, 3600);
	lb_vip_spec_free(&s);
	json_object_put(o);
	free(before);
	lb_free(lb);
}

static void test_health_events(void **state)
{
	struct lb *lb = new_lb();
	uint32_t id, slots;

	(void)state;
	add_vip(lb, VIP1);
	id = BE(lb, 1, "198.18.3.11")->id;
	slots = BE(lb, 1, "198.18.3.11")->slots;

	/* unknown -> up: nothing to write */
	fake.log[0] = '\0';
	lb_health_event(lb, id, HEALTH_UP);
	assert_string_equal(fake.log, "");
	assert_int_equal(BE(lb, 1, "198.18.3.11")->health, HEALTH_UP);

	fake.log[0] = '\0';
	lb_health_event(lb, id, HEALTH_DOWN);
	assert_string_equal(fake.log, "W1 B2d");
	assert_int_equal(BE(lb, 1, "198.18.3.11")->slots, 0);
	assert_model_is_maps(lb);

	fake.log[0] = '\0';
	lb_health_event(lb, id, HEALTH_UP);
	assert_string_equal(fake.log, "B2 W1");
	assert_int_equal(BE(lb, 1, "198.18.3.11")->slots, slots);
	assert_model_is_maps(lb);

	/* ids nobody owns are ignored */
	fake.log[0] = '\0';
	lb_health_event(lb, 99, HEALTH_DOWN);
	lb_health_event(lb, 0, HEALTH_DOWN);
	lb_health_event(lb, SLUICE_LB_MAX_BACKENDS, HEALTH_DOWN);
	assert_string_equal(fake.log, "");

	/* a draining backend that fails: flagged, no slots to move */
	{
		struct lb_addr a = A("198.18.3.11");
		struct lb_backend_patch drain = { .has_state = true,
						  .state = LB_BE_DRAINING };

		assert_int_equal(lb_backend_patch(lb, 1, &a, &drain, err,
						  sizeof(err)),
				 0);
		fake.log[0] = '\0';
		lb_health_event(lb, id, HEALTH_DOWN);
		assert_string_equal(fake.log, "B2d");
	}
	lb_free(lb);
}

/* Every operation, failed at each of its writes in turn: the maps and the
 * model are exactly as before, and the ids it took are free again. */
enum op {
	OP_ADD,
	OP_DEL,
	OP_BE_ADD,
	OP_BE_DOWN,
	OP_BE_UP,
	OP_BE_DEL,
	OP_HEALTH_DOWN,
	OP_MAX
};

static int run_op(struct lb *lb, enum op op)
{
	struct lb_addr a = A("198.18.2.11");
	struct lb_backend_patch down = { .has_state = true,
					 .state = LB_BE_DOWN };
	struct lb_backend_patch up = { .has_state = true,
				       .state = LB_BE_ACTIVE };
	struct lb_backend_spec nb = { .addr = A("2001:db8:4::11"),
				      .weight = 3 };
	struct lb_vip_spec s;
	int rc;

	switch (op) {
	case OP_ADD:
		assert_int_equal(
			spec_of("{\"address\":\"2001:db8:100::1\",\"port\":443,"
				"\"protocol\":\"tcp\",\"ring_size\":251,"
				"\"backends\":[{\"address\":\"198.18.5.11\"},"
				"{\"address\":\"198.18.5.12\",\"state\":\"down\"}]}",
				"", &s),
			0);
		rc = lb_vip_add(lb, &s, NULL, err, sizeof(err));
		lb_vip_spec_free(&s);
		return rc;
	case OP_DEL: return lb_vip_del(lb, 1, err, sizeof(err));
	case OP_BE_ADD: return lb_backend_add(lb, 1, &nb, err, sizeof(err));
	case OP_BE_DOWN:
		return lb_backend_patch(lb, 1, &a, &down, err, sizeof(err));
	case OP_BE_UP:
		return lb_backend_patch(lb, 2, &a, &up, err, sizeof(err));
	case OP_BE_DEL: return lb_backend_del(lb, 1, &a, err, sizeof(err));
	case OP_HEALTH_DOWN:
		lb_health_event(lb, 1, HEALTH_DOWN);
		return lb_vip_get(lb, 1)->be[0].health == HEALTH_DOWN ? 0 :
									-EIO;
	default: return -EINVAL;
	}
}

static struct lb *prepared(void)
{
	struct lb *lb;

	fake_reset();
	lb = new_lb();
	add_vip(lb, VIP1);
	/* VIP 2 has 198.18.2.11 down, for OP_BE_UP */
	add_vip(lb,
		"{\"address\":\"198.18.100.2\",\"port\":53,\"protocol\":\"udp\","
		"\"ring_size\":13,\"backends\":[{\"address\":\"198.18.2.11\","
		"\"state\":\"down\"},{\"address\":\"198.18.2.12\"}]}");
	fake.log[0] = '\0';
	return lb;
}

static void test_rollback_at_every_write(void **state)
{
	(void)state;
	for (int op = 0; op < OP_MAX; op++) {
		struct lb *lb = prepared();
		int writes;

		/* how many writes it takes when all goes well */
		fake.fail_at = 1 << 30;
		fake.writes = 0;
		assert_int_equal(run_op(lb, op), 0);
		assert_model_is_maps(lb);
		writes = fake.writes;
		assert_true(writes > 0);
		lb_free(lb);

		for (int k = 1; k <= writes; k++) {
			struct dp *snap;
			char *before, *after, *ok_json, *again_json;
			int rc;

			lb = prepared();
			snap = fake_snapshot();
			before = model_json(lb);
			fake.fail_at = k;
			fake.writes = 0;
			rc = run_op(lb, op);
			if (rc != -EIO)
				fail_msg("op %d, write %d failing: rc %d", op,
					 k, rc);
			if (op != OP_HEALTH_DOWN)
				assert_non_null(strstr(err, "nothing changed"));
			after = model_json(lb);
			assert_string_equal(before, after);
			assert_maps_equal(snap, &fake);
			assert_int_equal(fake.violations, 0);

			/* and then it works, with the same ids as first time */
			fake.fail_at = 0;
			assert_int_equal(run_op(lb, op), 0);
			assert_model_is_maps(lb);
			ok_json = model_json(lb);
			lb_free(lb);
			lb = prepared();
			assert_int_equal(run_op(lb, op), 0);
			again_json = model_json(lb);
			assert_string_equal(ok_json, again_json);
			free(before);
			free(after);
			free(ok_json);
			free(again_json);
			snapshot_free(snap);
			lb_free(lb);
		}
	}
	fake_reset();
}

/*
 * The defect this guards against: new connections dropped while backends
 * change.  A random churn of backend changes (add, delete, drain, weight,
 * administrative down and up, health events, VIPs coming and going, the
 * whole set replaced at once), some
 * of them failing at a random write (ring writes part-way through) and
 * rolled back.  After every single map write, the fake data path checks
 * that every slot of every visible VIP names a backend that is set and
 * not down, or that the VIP has no usable backend at all; after every
 * operation the maps are exactly the model.
 */
static uint32_t churn_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void test_churn_keeps_every_slot_usable(void **state)
{
	static const char *const pool[] = {
		"198.18.2.11",	  "198.18.2.12",    "198.18.2.13",
		"198.18.2.14",	  "198.18.2.15",    "198.18.2.16",
		"2001:db8:2::11", "2001:db8:2::12",
	};
	static const char *const vips[] = {
		"{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","
		"\"ring_size\":251,\"backends\":[{\"address\":\"198.18.2.11\"},"
		"{\"address\":\"198.18.2.12\",\"weight\":3}]}",
		"{\"address\":\"2001:db8:100::1\",\"port\":53,\"protocol\":\"udp\","
		"\"hash\":\"src\",\"ring_size\":13,\"backends\":[{\"address\":"
		"\"2001:db8:2::11\"}]}",
		"{\"address\":\"198.18.100.3\",\"port\":0,\"protocol\":\"tcp\","
		"\"health\":{\"kind\":\"none\"},\"ring_size\":31}",
	};
	static const char *const vip_ids[] = {
		"198.18.100.1:80/tcp",
		"[2001:db8:100::1]:53/udp",
		"198.18.100.3:0/tcp",
	};
	enum { OPS = 1500, NPOOL = sizeof(pool) / sizeof(pool[0]) };
	const char *names[] = { "backend add", "backend del", "drain",
				"activate",    "admin down",  "weight",
				"health down", "health up",   "vip add",
				"vip del",     "replace set" };
	unsigned int done[11] = { 0 }, failed = 0, wrote = 0;
	struct lb *lb = new_lb();
	uint32_t x = 0x5eed1e55;

	(void)state;
	add_vip(lb, vips[0]);
	add_vip(lb, vips[1]);
	for (int i = 0; i < OPS; i++) {
		uint32_t r = churn_rand(&x), vid = 1 + churn_rand(&x) % 3;
		const struct lb_vip *v = lb_vip_get(lb, vid);
		struct lb_backend_patch pa = { 0 };
		struct lb_addr a = A(pool[churn_rand(&x) % NPOOL]);
		const struct lb_backend *b = NULL;
		unsigned int op = r % 100 < 88 ? r % 8 :
				  r % 100 < 95 ? 10 :
						 8 + r % 2;
		bool inject = churn_rand(&x) % 100 < 15;
		uint64_t checks;
		int rc = 0;

		if (v && v->n_be) {
			b = &v->be[churn_rand(&x) % v->n_be];
			if (op != 0)
				a = b->spec.addr;
		}
		/* a change needs something to change */
		if ((op >= 1 && op <= 7 && !b) || (op == 0 && !v) ||
		    (op == 8 && v) || ((op == 9 || op == 10) && !v)) {
			i--;
			continue;
		}
		if (op == 0 && lb_backend_find(v, &a)) {
			i--;
			continue;
		}
		checks = fake.checks;
		fake.fail_at = inject ? 1 + (int)(churn_rand(&x) % 4) : 0;
		fake.fail_partial = churn_rand(&x) % 2;
		fake.writes = 0;
		switch (op) {
		case 0: {
			struct lb_backend_spec nb = {
				.addr = a,
				.weight = 1 + churn_rand(&x) % 5,
				.state = churn_rand(&x) % 4 ? LB_BE_ACTIVE :
							      LB_BE_DRAINING,
			};

			rc = lb_backend_add(lb, vid, &nb, err, sizeof(err));
			break;
		}
		case 1:
			rc = lb_backend_del(lb, vid, &a, err, sizeof(err));
			break;
		case 2:
		case 3:
		case 4:
			pa.has_state = true;
			pa.state = op == 2 ? LB_BE_DRAINING :
				   op == 3 ? LB_BE_ACTIVE :
					     LB_BE_DOWN;
			rc = lb_backend_patch(lb, vid, &a, &pa, err,
					      sizeof(err));
			break;
		case 5:
			pa.has_weight = true;
			pa.weight = 1 + churn_rand(&x) % 5;
			rc = lb_backend_patch(lb, vid, &a, &pa, err,
					      sizeof(err));
			break;
		case 6:
		case 7:
			lb_health_event(lb, b->id,
					op == 6 ? HEALTH_DOWN : HEALTH_UP);
			break;
		case 8: {
			const struct lb_vip *there = NULL;
			struct lb_vip_spec s;
			size_t k = 0;

			/* one of the three that is not there */
			for (; k < 3; k++) {
				assert_int_equal(lb_vip_lookup(lb, vip_ids[k],
							       &there),
						 0);
				if (!there)
					break;
			}
			assert_true(k < 3);
			assert_int_equal(spec_of(vips[k], "", &s), 0);
			rc = lb_vip_add(lb, &s, NULL, err, sizeof(err));
			lb_vip_spec_free(&s);
			break;
		}
		case 9: rc = lb_vip_del(lb, vid, err, sizeof(err)); break;
		case 10: {
			/* any part of the pool, weights and states anew:
			 * adds, removes and changes in one table */
			struct lb_backend_spec set[NPOOL];
			size_t n = 0;

			for (size_t k = 0; k < NPOOL; k++) {
				uint32_t c = churn_rand(&x);

				if (c % 3 == 0)
					continue;
				set[n].addr = A(pool[k]);
				set[n].weight = 1 + (c >> 4) % 5;
				set[n++].state =
					(c >> 8) % 5 == 0 ? LB_BE_DRAINING :
					(c >> 8) % 5 == 1 ? LB_BE_DOWN :
							    LB_BE_ACTIVE;
			}
			rc = lb_backends_replace(lb, vid, set, n, NULL, err,
						 sizeof(err));
			break;
		}
		}
		if (rc && !(rc == -EIO && inject))
			fail_msg("op %d (%s): %d %s", i, names[op], rc, err);
		failed += inject && fake.writes >= fake.fail_at;
		wrote += fake.checks > checks;
		fake.fail_at = 0;
		done[op]++;
		if (fake.violations)
			fail_msg("op %d (%s%s): %s", i, names[op],
				 inject ? ", failing" : "", fake.why);
		assert_model_is_maps(lb);
	}
	print_message("# %d operations (", OPS);
	for (unsigned int k = 0; k < 11; k++)
		print_message("%s%s %u", k ? ", " : "", names[k], done[k]);
	print_message(
		"): %u wrote to the maps, %u of them failed part-way "
		"and were rolled back; the data path's view checked after "
		"each of %llu map writes\n",
		wrote, failed, (unsigned long long)fake.checks);
	lb_free(lb);
}

static void test_conflicts_and_limits(void **state)
{
	struct lb *lb = new_lb();
	struct lb_vip_spec s;
	char json[256], *before;
	uint32_t id;
	int rc;

	(void)state;
	add_vip(lb, VIP1);
	before = model_json(lb);
	assert_int_equal(spec_of(VIP1, "", &s), 0);
	assert_int_equal(lb_vip_add(lb, &s, NULL, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "vip 198.18.100.1:80/tcp exists");
	lb_vip_spec_free(&s);

	/* no outer source range: fine, the egress port's address is used */
	{
		struct lb_settings none = { 0 };
		struct lb *l2;

		assert_int_equal(lb_new(&l2, &fake, &fake_ops, NULL, &none), 0);
		assert_int_equal(spec_of(VIP1, "", &s), 0);
		assert_int_equal(lb_vip_add(l2, &s, NULL, err, sizeof(err)), 0);
		lb_vip_spec_free(&s);
		lb_free(l2);
	}

	/* 255 VIPs, then no more */
	for (int i = 2; i <= LB_MAX_VIPS; i++) {
		snprintf(json, sizeof(json),
			 "{\"address\":\"198.18.101.%d\",\"port\":80,"
			 "\"protocol\":\"udp\",\"ring_size\":3}",
			 i);
		id = add_vip(lb, json);
		assert_int_equal(id, i);
	}
	assert_int_equal(spec_of("{\"address\":\"198.18.102.1\",\"port\":80,"
				 "\"protocol\":\"udp\"}",
				 "", &s),
			 0);
	fake.log[0] = '\0';
	assert_int_equal(lb_vip_add(lb, &s, NULL, err, sizeof(err)), -ENOSPC);
	assert_string_equal(err, "vips: all 255 vip ids are in use");
	assert_string_equal(fake.log, "");
	lb_vip_spec_free(&s);
	/* a freed id is the next one given */
	assert_int_equal(lb_vip_del(lb, 77, err, sizeof(err)), 0);
	assert_int_equal(add_vip(lb,
				 "{\"address\":\"198.18.102.1\",\"port\":80,"
				 "\"protocol\":\"udp\",\"ring_size\":3}"),
			 77);
	for (int i = 2; i <= LB_MAX_VIPS; i++)
		assert_int_equal(lb_vip_del(lb, (uint32_t)i, err, sizeof(err)),
				 0);
	{
		char *now = model_json(lb);

		assert_string_equal(before, now);
		free(now);
	}
	free(before);

	/* backend ids run out across VIPs; ids are reused first in, first
	 * out, so a freed id comes back as late as possible */
	{
		struct lb_backend_spec b = { .weight = 1 };
		char a[32];
		int n = 3; /* VIP1 holds 1..3 */

		for (; n < LB_MAX_BACKENDS; n++) {
			snprintf(a, sizeof(a), "198.18.%d.%d", 10 + n / 250,
				 n % 250 + 1);
			b.addr = A(a);
			rc = lb_backend_add(lb, 1, &b, err, sizeof(err));
			if (rc)
				fail_msg("backend %d: %s", n, err);
		}
		b.addr = A("198.19.0.1");
		assert_int_equal(lb_backend_add(lb, 1, &b, err, sizeof(err)),
				 -ENOSPC);
		assert_string_equal(
			err, "backends: all 4095 backend ids are in use");
		b.addr = A("198.18.10.5"); /* n = 4: id 5 */
		assert_int_equal(BE(lb, 1, "198.18.10.5")->id, 5);
		assert_int_equal(
			lb_backend_del(lb, 1, &b.addr, err, sizeof(err)), 0);
		b.addr = A("198.19.0.1");
		assert_int_equal(lb_backend_add(lb, 1, &b, err, sizeof(err)),
				 0);
		assert_int_equal(BE(lb, 1, "198.19.0.1")->id, 5);
		assert_model_is_maps(lb);
	}
	lb_free(lb);
}

/* ---- restart adoption ---------------------------------------------------- */

static int load(struct lb *lb, const char *const *vips, size_t n)
{
	struct lb_vip_spec *s = calloc(n ? n : 1, sizeof(*s));
	int rc;

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(spec_of(vips[i], "", &s[i]), 0);
	rc = lb_load(lb, s, n, err, sizeof(err));
	for (size_t i = 0; i < n; i++)
		lb_vip_spec_free(&s[i]);
	free(s);
	return rc;
}

#define VIP2                                                                   \
	"{\"address\":\"2001:db8:100::1\",\"port\":443,\"protocol\":\"tcp\","  \
	"\"ring_size\":509,\"backends\":[{\"address\":\"2001:db8:2::21\"},"    \
	"{\"address\":\"198.18.2.21\",\"weight\":4}]}"
/* VIP1 with its backends in another order */
#define VIP1_REORDERED                                                         \
	"{\"address\":\"198.18.100.1\",\"port\":80,"                           \
	"\"protocol\":\"tcp\",\"ring_size\":1021,\"backends\":["               \
	"{\"address\":\"2001:db8:2::11\"},{\"address\":\"198.18.3.11\"},"      \
	"{\"address\":\"198.18.2.11\",\"weight\":2}]}"

static void test_adopt_unchanged(void **state)
{
	const char *cfg1[] = { VIP1, VIP2 }, *cfg2[] = { VIP2, VIP1_REORDERED };
	struct lb *lb = new_lb();
	struct dp *snap;
	uint32_t ids[3];

	(void)state;
	assert_int_equal(load(lb, cfg1, 2), 0);
	assert_string_equal(fake.log, "B1 B2 B3 R1 V1 B4 B5 R2 V2");
	assert_model_is_maps(lb);
	ids[0] = BE(lb, 1, "198.18.2.11")->id;
	ids[1] = BE(lb, 1, "198.18.3.11")->id;
	ids[2] = BE(lb, 2, "198.18.2.21")->id;
	/* the daemon stops with --keep-on-exit: the maps stay */
	lb_free(lb);

	snap = fake_snapshot();
	fake.log[0] = '\0';
	lb = new_lb();
	assert_int_equal(load(lb, cfg2, 2), 0);
	/* nothing written at all, same ids */
	assert_string_equal(fake.log, "");
	assert_int_equal(lb_slots_written(lb), 0);
	assert_maps_equal(snap, &fake);
	assert_model_is_maps(lb);
	assert_non_null(lb_vip_get(lb, 1));
	assert_int_equal(lb_vip_get(lb, 1)->conf.key.family, AF_INET);
	assert_int_equal(BE(lb, 1, "198.18.2.11")->id, ids[0]);
	assert_int_equal(BE(lb, 1, "198.18.3.11")->id, ids[1]);
	assert_int_equal(BE(lb, 2, "198.18.2.21")->id, ids[2]);
	/* new ids do not collide with adopted ones */
	{
		struct lb_backend_spec b = { .addr = A("198.18.9.9"),
					     .weight = 1 };

		assert_int_equal(lb_backend_add(lb, 2, &b, err, sizeof(err)),
				 0);
		assert_int_equal(BE(lb, 2, "198.18.9.9")->id, 6);
		assert_int_equal(
			add_vip(lb, "{\"address\":\"198.18.100.9\",\"port\":1,"
				    "\"protocol\":\"udp\",\"ring_size\":3}"),
			3);
	}
	snapshot_free(snap);
	lb_free(lb);
}

static void test_adopt_changed(void **state)
{
	const char *cfg1[] = {
		VIP1, VIP2,
		"{\"address\":\"198.18.100.3\",\"port\":0,\"protocol\":\"udp\","
		"\"health\":{\"kind\":\"none\"},\"ring_size\":7,"
		"\"backends\":[{\"address\":\"198.18.2.31\"}]}"
	};
	/* VIP1: 198.18.3.11 gone, 198.18.4.11 new, 198.18.2.11 weight 1;
	 * VIP2 unchanged; VIP3 gone; VIP4 new */
	const char *cfg2[] = {
		"{\"address\":\"198.18.100.4\",\"port\":80,\"protocol\":\"tcp\","
		"\"ring_size\":13,\"backends\":[{\"address\":\"198.18.2.41\"}]}",
		"{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","
		"\"ring_size\":1021,\"backends\":[{\"address\":\"198.18.2.11\"},"
		"{\"address\":\"198.18.4.11\"},{\"address\":\"2001:db8:2::11\"}]}",
		VIP2
	};
	struct lb *lb = new_lb();
	uint32_t *old1, id_211, id_v6, id_311, id_231;
	uint32_t *changed = malloc(1021 * sizeof(*changed));
	size_t n;

	(void)state;
	assert_non_null(changed);
	assert_int_equal(load(lb, cfg1, 3), 0);
	id_211 = BE(lb, 1, "198.18.2.11")->id;
	id_v6 = BE(lb, 1, "2001:db8:2::11")->id;
	id_311 = BE(lb, 1, "198.18.3.11")->id;
	id_231 = BE(lb, 3, "198.18.2.31")->id;
	old1 = malloc(1021 * sizeof(*old1));
	assert_non_null(old1);
	memcpy(old1, fake.ring[1], 1021 * sizeof(*old1));
	lb_free(lb);

	fake.log[0] = '\0';
	fake.slot_writes = 0;
	lb = new_lb();
	assert_int_equal(load(lb, cfg2, 3), 0);
	assert_model_is_maps(lb);
	/* kept VIPs keep their ids and their backends' ids */
	assert_int_equal(lb_vip_get(lb, 1)->conf.key.addr[3], 1);
	assert_int_equal(BE(lb, 1, "198.18.2.11")->id, id_211);
	assert_int_equal(BE(lb, 1, "2001:db8:2::11")->id, id_v6);
	/* VIP3 is gone, safely: key, then ring; its backend and the one
	 * VIP1 lost are deleted once nothing names them */
	assert_non_null(strstr(fake.log, "v3 r3"));
	assert_true(strstr(fake.log, "v3") < strstr(fake.log, "W1"));
	{
		char b[16];

		snprintf(b, sizeof(b), "b%u", id_311);
		assert_non_null(strstr(fake.log, b));
		assert_true(strstr(fake.log, "W1") < strstr(fake.log, b));
		snprintf(b, sizeof(b), "b%u", id_231);
		assert_non_null(strstr(fake.log, b));
	}
	/* the new VIP takes the lowest free id (3, freed by VIP3) */
	assert_non_null(lb_vip_get(lb, 3));
	assert_int_equal(lb_vip_get(lb, 3)->conf.key.addr[3], 4);
	/* VIP1: only the slots that differ were written; VIP2 untouched */
	n = maglev_diff(old1, lb_vip_get(lb, 1)->table, 1021, changed);
	assert_true(n > 0 && n < 1021);
	assert_int_equal(fake.slot_writes, n + 13);
	assert_null(strstr(fake.log, "W2"));
	assert_null(strstr(fake.log, "R2"));
	free(old1);
	free(changed);
	lb_free(lb);
}

/* A draining backend owns no slot, but flows in lb_flows still name it:
 * it keeps its id across a restart so those flows stay where they are. */
static void test_adopt_keeps_ids_that_flows_use(void **state)
{
	/* the same address draining in two VIPs: only the flows tell which
	 * pinned id is whose */
	const char *cfg[] = {
		"{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","
		"\"ring_size\":13,\"backends\":[{\"address\":\"198.18.2.11\"},"
		"{\"address\":\"198.18.2.12\",\"state\":\"draining\"}]}",
		"{\"address\":\"198.18.100.2\",\"port\":80,\"protocol\":\"tcp\","
		"\"ring_size\":13,\"backends\":[{\"address\":\"198.18.2.11\"},"
		"{\"address\":\"198.18.2.12\",\"state\":\"draining\"}]}",
	};
	struct lb *lb = new_lb();
	uint32_t drained, other;

	(void)state;
	assert_int_equal(load(lb, cfg, 2), 0);
	drained = BE(lb, 1, "198.18.2.12")->id;
	other = BE(lb, 2, "198.18.2.12")->id;
	assert_int_not_equal(drained, other);
	assert_int_equal(BE(lb, 1, "198.18.2.12")->slots, 0);
	fake.flows[fake.n_flows++] =
		(struct sluice_flow){ .vip_id = 1, .backend_id = drained };
	lb_free(lb);

	/* a config that lists the VIPs the other way round */
	{
		const char *rev[] = { cfg[1], cfg[0] };

		fake.log[0] = '\0';
		lb = new_lb();
		assert_int_equal(load(lb, rev, 2), 0);
		assert_string_equal(fake.log, "");
		assert_int_equal(BE(lb, 1, "198.18.2.12")->id, drained);
		assert_int_equal(BE(lb, 2, "198.18.2.12")->id, other);
		assert_model_is_maps(lb);
		lb_free(lb);
	}
}

/* A new M on restart: the data path never indexes past its table. */
static void test_adopt_new_ring_size(void **state)
{
	const char *big[] = {
		"{\"address\":\"198.18.100.1\",\"port\":80,"
		"\"protocol\":\"tcp\",\"ring_size\":1021,\"backends\":"
		"[{\"address\":\"198.18.2.11\"}]}"
	};
	const char *small[] = {
		"{\"address\":\"198.18.100.1\",\"port\":80,"
		"\"protocol\":\"tcp\",\"ring_size\":7,\"backends\":"
		"[{\"address\":\"198.18.2.11\"}]}"
	};
	struct lb *lb = new_lb();

	(void)state;
	assert_int_equal(load(lb, big, 1), 0);
	lb_free(lb);
	fake.log[0] = '\0';
	lb = new_lb();
	assert_int_equal(load(lb, small, 1), 0);
	/* smaller: the VIP's M first (the old table covers it) */
	assert_string_equal(fake.log, "V1 R1");
	assert_model_is_maps(lb);
	lb_free(lb);
	fake.log[0] = '\0';
	lb = new_lb();
	assert_int_equal(load(lb, big, 1), 0);
	/* larger: the table first */
	assert_string_equal(fake.log, "R1 V1");
	assert_model_is_maps(lb);
	assert_int_equal(fake.violations, 0);
	lb_free(lb);
}

/* A backend the previous run saw failing stays out until it is checked. */
static void test_adopt_down_backend(void **state)
{
	const char *cfg[] = { VIP1 };
	struct lb *lb = new_lb();
	struct health *h;

	(void)state;
	assert_int_equal(load(lb, cfg, 1), 0);
	lb_health_event(lb, BE(lb, 1, "198.18.3.11")->id, HEALTH_DOWN);
	assert_int_equal(fake.be[BE(lb, 1, "198.18.3.11")->id].flags,
			 SLUICE_BE_DOWN);
	lb_free(lb);

	fake.log[0] = '\0';
	lb = new_lb();
	assert_int_equal(health_new(&h, lb_health_event, lb), 0);
	lb_set_health(lb, h);
	assert_int_equal(load(lb, cfg, 1), 0);
	assert_string_equal(fake.log, "");
	assert_int_equal(BE(lb, 1, "198.18.3.11")->health, HEALTH_DOWN);
	assert_int_equal(BE(lb, 1, "198.18.2.11")->health, HEALTH_UNKNOWN);
	/* its check brings it back */
	lb_health_event(lb, BE(lb, 1, "198.18.3.11")->id, HEALTH_UP);
	assert_string_equal(fake.log, "B2 W1");
	assert_model_is_maps(lb);
	lb_free(lb);
	health_free(h);
}

/*
 * A backend that moves to another VIP across a restart, and is down there:
 * the VIP it leaves names it in its table until that table is rewritten,
 * so its pinned entry is not handed to the new VIP (which would flag it
 * down first); it gets a new id, and the old one goes once no slot names
 * it.
 */
static void test_adopt_backend_moves(void **state)
{
	const char *cfg1[] = {
		"{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","
		"\"ring_size\":13,\"backends\":[{\"address\":\"198.18.2.11\"},"
		"{\"address\":\"198.18.2.12\"}]}",
		"{\"address\":\"198.18.100.2\",\"port\":80,\"protocol\":\"tcp\","
		"\"ring_size\":13,\"backends\":[{\"address\":\"198.18.2.21\"}]}",
	};
	/* listed first, so that it is programmed first */
	const char *cfg2[] = {
		"{\"address\":\"198.18.100.2\",\"port\":80,\"protocol\":\"tcp\","
		"\"ring_size\":13,\"backends\":[{\"address\":\"198.18.2.21\"},"
		"{\"address\":\"198.18.2.11\",\"state\":\"down\"}]}",
		"{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","
		"\"ring_size\":13,\"backends\":[{\"address\":\"198.18.2.12\"}]}",
	};
	struct lb *lb = new_lb();
	uint32_t old_id, new_id;
	char want[32];

	(void)state;
	assert_int_equal(load(lb, cfg1, 2), 0);
	old_id = BE(lb, 1, "198.18.2.11")->id;
	lb_free(lb);
	fake.log[0] = '\0';
	lb = new_lb();
	assert_int_equal(load(lb, cfg2, 2), 0);
	assert_int_equal(fake.violations, 0);
	assert_model_is_maps(lb);
	new_id = BE(lb, 2, "198.18.2.11")->id;
	assert_int_not_equal(new_id, old_id);
	/* new entry (down), VIP 1's table without it, then the old entry */
	snprintf(want, sizeof(want), "B%ud W1 b%u", new_id, old_id);
	assert_string_equal(fake.log, want);
	lb_free(lb);
}

/* ---- REST and metrics ---------------------------------------------------- */

static struct state api_st;
static struct sluiced_config api_cfg;

static char *req(struct api_ctx *c, const char *method, const char *url,
		 const char *body, unsigned int want)
{
	struct api_query q = { .body = body,
			       .body_len = body ? strlen(body) : 0 };
	const char *ctype;
	unsigned int status;
	char *out = api_render(c, method, url, &q, &status, &ctype);

	assert_non_null(out);
	if (status != want)
		fail_msg("%s %s: %u, wanted %u: %s", method, url, status, want,
			 out);
	return out;
}

static void expect_req(struct api_ctx *c, const char *method, const char *url,
		       const char *body, unsigned int want, const char *needle)
{
	char *out = req(c, method, url, body, want);

	if (!strstr(out, needle))
		fail_msg("%s %s: '%s' lacks '%s'", method, url, out, needle);
	free(out);
}

/*
 * PUT /v1/vips/{vip}/backends: bad bodies are refused with the field and
 * the value named and change nothing (not a map write); a good one keeps
 * the ids of the backends that stay, adds and removes in one table.
 */
static void test_put_backends(void **state)
{
	static const struct {
		const char *body;
		const char *error;
	} bad[] = {
		{ "[]", "body: expected an object, got array" },
		{ "{}", "backends: required" },
		{ "{\"backends\":{}}", "backends: expected array, got object" },
		{ "{\"backends\":[],\"weight\":1}",
		  "unknown field 'weight' (known: backends)" },
		{ "{\"backends\":[{\"address\":\"198.18.2.11\"},"
		  "{\"address\":\"198.18.2.300\"}]}",
		  "backends[1].address: '198.18.2.300' is not" },
		{ "{\"backends\":[{\"address\":\"198.18.2.11\","
		  "\"weight\":0}]}",
		  "backends[0].weight: 0 is out of range 1..1000" },
		{ "{\"backends\":[{\"address\":\"198.18.2.11\","
		  "\"state\":\"up\"}]}",
		  "backends[0].state: 'up' is not one of active, draining, down" },
		{ "{\"backends\":[{\"address\":\"198.18.2.11\"},"
		  "{\"address\":\"198.18.2.11\",\"weight\":3}]}",
		  "backends[1].address: '198.18.2.11' is listed twice" },
		{ "{\"backends\":[{\"address\":\"198.18.2.11\","
		  "\"backend_id\":7}]}",
		  "backends[0].backend_id: is read-only" },
	};
	struct lb *lb = new_lb();
	struct api_ctx c = { .st = &api_st, .cfg = &api_cfg, .lb = lb };
	char *before, *after;

	(void)state;
	expect_req(&c, "POST", "/v1/vips", VIP1, 201, "\"vip_id\":1,");
	before = req(&c, "GET", "/v1/vips", NULL, 200);
	fake.log[0] = '\0';
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_req(&c, "PUT", "/v1/vips/1/backends", bad[i].body, 400,
			   bad[i].error);
	expect_req(&c, "PUT", "/v1/vips/9/backends", "{\"backends\":[]}", 404,
		   "vip 9 does not exist");
	expect_req(&c, "PUT", "/v1/vips/1/backends", NULL, 400,
		   "body: a JSON object is required");
	after = req(&c, "GET", "/v1/vips", NULL, 200);
	assert_string_equal(before, after);
	assert_string_equal(fake.log, "");
	free(before);
	free(after);

	/* 198.18.2.11 stays (id 1, weight 5 now), 198.18.3.11 and
	 * 2001:db8:2::11 go, 198.18.9.1 comes (a fresh id) */
	expect_req(
		&c, "PUT", "/v1/vips/198.18.100.1:80/tcp/backends",
		"{\"backends\":[{\"address\":\"198.18.9.1\"},"
		"{\"address\":\"198.18.2.11\",\"weight\":5}]}",
		200,
		"{\"added\":1,\"removed\":2,\"changed\":1,\"slots_written\":");
	expect_req(&c, "GET", "/v1/vips/1/backends/198.18.2.11", NULL, 200,
		   "\"backend_id\":1,\"weight\":5,");
	expect_req(&c, "GET", "/v1/vips/1/backends/198.18.9.1", NULL, 200,
		   "\"backend_id\":4,\"weight\":1,");
	expect_req(&c, "GET", "/v1/vips/1/backends/198.18.3.11", NULL, 404,
		   "backend 198.18.3.11 is not in vip 198.18.100.1:80/tcp");
	assert_model_is_maps(lb);
	/* none at all: an empty table */
	expect_req(&c, "PUT", "/v1/vips/1/backends/", "{\"backends\":[]}", 200,
		   "\"removed\":2,\"changed\":0");
	expect_req(&c, "GET", "/v1/vips/1/backends", NULL, 200,
		   "{\"backends\":[]}");
	assert_model_is_maps(lb);
	lb_free(lb);
}

#define FULLNAT_VIP(n)                                                         \
	"{\"address\":\"198.18.100." n "\",\"port\":80,\"protocol\":\"tcp\","  \
	"\"mode\":\"fullnat\",\"backends\":[{\"address\":\"198.18.2.11\"}]}"
/*
 * POST /v1/vips of a fullnat VIP while conntrack is off: 409 (a state the
 * request needs, not a failure of sluiced), saying how to turn it on;
 * nothing changes, NAT's full-NAT switch included.  With conntrack on it
 * is added; a second one refused leaves the switch on for the first.
 */
static void test_fullnat_needs_ct(void **state)
{
	struct lb *lb = new_lb();
	struct api_ctx c = { .st = &api_st, .cfg = &api_cfg, .lb = lb };
	char *before, *after;

	(void)state;
	before = req(&c, "GET", "/v1/vips", NULL, 200);
	expect_req(&c, "POST", "/v1/vips", FULLNAT_VIP("1"), 409,
		   "{\"error\":\"mode: fullnat needs connection tracking: "
		   "turn it on first (sluicectl ct enable, or "
		   "conntrack.enabled in the config)\"}");
	after = req(&c, "GET", "/v1/vips", NULL, 200);
	assert_string_equal(before, after);
	assert_false(fake.fullnat);
	free(before);
	free(after);
	fake.ct_on = true;
	expect_req(&c, "POST", "/v1/vips", FULLNAT_VIP("1"), 201,
		   "\"mode\":\"fullnat\"");
	assert_true(fake.fullnat);
	fake.ct_on = false;
	expect_req(&c, "POST", "/v1/vips", FULLNAT_VIP("2"), 409,
		   "mode: fullnat needs connection tracking");
	assert_true(fake.fullnat);
	expect_req(&c, "GET", "/v1/vips/198.18.100.2:80/tcp", NULL, 404,
		   "does not exist");
	lb_free(lb);
}

static void test_rest(void **state)
{
	struct lb *lb = new_lb();
	struct api_ctx c = { .st = &api_st, .cfg = &api_cfg, .lb = lb };
	char *before, *after;

	(void)state;
	expect_req(
		&c, "GET", "/v1/vips", NULL, 200,
		"{\"vips\":[],\"flows\":0,\"flows_age_ms\":0,\"flow_capacity\":131072}");
	expect_req(&c, "POST", "/v1/vips", VIP1, 201,
		   "\"id\":\"198.18.100.1:80/tcp\",\"vip_id\":1,");
	expect_req(&c, "POST", "/v1/vips", VIP1, 409,
		   "{\"error\":\"vip 198.18.100.1:80/tcp exists\"}");
	expect_req(&c, "GET", "/v1/vips/1", NULL, 200, "\"ring_size\":1021");
	expect_req(
		&c, "GET", "/v1/vips/198.18.100.1:80/tcp", NULL, 200,
		"\"address\":\"198.18.2.11\",\"backend_id\":1,\"weight\":2,"
		"\"state\":\"active\",\"health\":\"unknown\",\"health_error\":\"\"");
	expect_req(&c, "HEAD", "/v1/vips/1/backends", NULL, 200,
		   "{\"backends\":[{");
	expect_req(&c, "GET",
		   "/v1/vips/198.18.100.1:80/tcp/backends/198.18.3.11", NULL,
		   200, "\"backend_id\":2");

	before = req(&c, "GET", "/v1/vips", NULL, 200);
	/* bad requests change nothing */
	expect_req(&c, "POST", "/v1/vips",
		   "{\"address\":\"198.18.100.9\",\"port\":80,"
		   "\"protocol\":\"tcp\",\"ring_size\":65536}",
		   400, "{\"error\":\"ring_size: 65536 is not a prime\"}");
	expect_req(&c, "POST", "/v1/vips", "{\"address\":", 400,
		   "body: invalid JSON at line 1 column 12");
	expect_req(
		&c, "POST", "/v1/vips", "{} x", 400,
		"body: invalid JSON at line 1 column 4: unexpected data after");
	expect_req(&c, "POST", "/v1/vips",
		   "{\"address\":\"198.18.100.9\",\"port\":80,"
		   "\"protocol\":\"tcp\",}",
		   400,
		   "body: invalid JSON at line 1 "
		   "column 53: trailing comma before '}'");
	expect_req(&c, "POST", "/v1/vips",
		   "{\"address\":\"198.18.100.9\",\"port\":80,"
		   "\"protocol\":\"tcp\"} // new",
		   400,
		   "body: invalid JSON at line 1 "
		   "column 55: comments are not allowed");
	expect_req(&c, "POST", "/v1/vips",
		   "{\"address\":\"198.18.100.9\",\"port\":80,"
		   "\"protocol\":\"tcp\",\"port\":81}",
		   400,
		   "body: invalid JSON at "
		   "line 1 column 54: duplicate key 'port'");
	expect_req(&c, "POST", "/v1/vips/1/backends",
		   "{\"address\":\"198.18.2.50\","
		   "\"weight\":2,\"weight\":3}",
		   400, "duplicate key 'weight'");
	expect_req(&c, "PATCH", "/v1/vips/1/backends/198.18.2.11",
		   "{\"weight\":2,}", 400, "trailing comma before '}'");
	expect_req(
		&c, "POST", "/v1/vips",
		"{\"address\":\"::ffff:198.18.100.9\","
		"\"port\":80,\"protocol\":\"tcp\"}",
		400,
		"{\"error\":\"address: "
		"'::ffff:198.18.100.9' is IPv4-mapped (use the IPv4 address)\"}");
	expect_req(
		&c, "POST", "/v1/vips/1/backends",
		"{\"address\":"
		"\"::FFFF:c612:23c\"}",
		400,
		"{\"error\":\"address: "
		"'::ffff:198.18.2.60' is IPv4-mapped (use the IPv4 address)\"}");
	expect_req(&c, "POST", "/v1/vips", NULL, 400,
		   "body: a JSON object is required");
	expect_req(
		&c, "POST", "/v1/vips",
		"{\"address\":\"198.18.100.9\",\"port\":80,"
		"\"protocol\":\"tcp\",\"backends\":[{\"address\":\"198.18.2.1\"},"
		"{\"address\":\"198.18.2.2\",\"weight\":0}]}",
		400, "backends[1].weight: 0 is out of range 1..1000");
	expect_req(&c, "GET", "/v1/vips/7", NULL, 404, "vip 7 does not exist");
	expect_req(&c, "GET", "/v1/vips/0", NULL, 400, "id: '0' is not a VIP");
	expect_req(&c, "GET", "/v1/vips/256", NULL, 400,
		   "id: '256' is not a VIP");
	expect_req(&c, "GET", "/v1/vips/198.18.100.1:81/tcp", NULL, 404,
		   "vip 198.18.100.1:81/tcp does not exist");
	expect_req(&c, "GET", "/v1/vips/198.18.100.1:80/sctp", NULL, 400,
		   "id: '198.18.100.1:80/sctp' is not a VIP");
	expect_req(&c, "GET", "/v1/vips/1/nothing", NULL, 404,
		   "no such resource");
	expect_req(&c, "GET", "/v1/vips/1/backends/198.18.2.11/x", NULL, 404,
		   "no such resource");
	expect_req(&c, "PUT", "/v1/vips", "{}", 405, "method PUT");
	expect_req(&c, "POST", "/v1/vips/1", "{}", 405, "method POST");
	expect_req(&c, "PATCH", "/v1/vips/1/backends", "{}", 405,
		   "method PATCH");
	expect_req(&c, "POST", "/v1/vips/1/backends/198.18.2.11", "{}", 405,
		   "method POST");
	expect_req(&c, "DELETE", "/v1/lb", NULL, 405, "method DELETE");
	expect_req(&c, "POST", "/v1/vips/1/backends",
		   "{\"address\":\"198.18.2.11\"}", 409,
		   "backend 198.18.2.11 exists in vip 198.18.100.1:80/tcp");
	expect_req(&c, "POST", "/v1/vips/1/backends",
		   "{\"address\":\"198.18.2.50\","
		   "\"weight\":2,\"colour\":1}",
		   400, "unknown field 'colour'");
	expect_req(&c, "POST", "/v1/vips/9/backends",
		   "{\"address\":\"198.18.2.50\"}", 404,
		   "vip 9 does not exist");
	expect_req(&c, "PATCH", "/v1/vips/1/backends/198.18.2.11",
		   "{\"weight\":0}", 400, "weight: 0 is out of range 1..1000");
	expect_req(&c, "PATCH", "/v1/vips/1/backends/198.18.2.11", "{}", 400,
		   "nothing to change");
	expect_req(&c, "PATCH", "/v1/vips/1/backends/198.18.2.99",
		   "{\"weight\":2}", 404,
		   "backend 198.18.2.99 is not in vip 198.18.100.1:80/tcp");
	expect_req(&c, "PATCH", "/v1/vips/1/backends/198.18.2.x",
		   "{\"weight\":2}", 400,
		   "address: '198.18.2.x' is not an IPv4 or IPv6 address");
	expect_req(&c, "DELETE", "/v1/vips/1/backends/198.18.9.9", NULL, 404,
		   "is not in vip");
	after = req(&c, "GET", "/v1/vips", NULL, 200);
	assert_string_equal(before, after);
	free(before);
	free(after);

	expect_req(
		&c, "POST", "/v1/vips/198.18.100.1:80/tcp/backends",
		"{\"address\":\"198.18.2.50\",\"weight\":3}", 201,
		"{\"address\":\"198.18.2.50\",\"backend_id\":4,\"weight\":3,");
	expect_req(&c, "PATCH", "/v1/vips/1/backends/198.18.2.50",
		   "{\"state\":\"draining\"}", 200,
		   "\"weight\":3,\"state\":\"draining\",\"health\":\"unknown\","
		   "\"health_error\":\"\",\"slots\":0");
	expect_req(&c, "PATCH", "/v1/vips/1/backends/198.18.2.50",
		   "{\"state\":\"active\",\"weight\":1}", 200,
		   "\"weight\":1,\"state\":\"active\"");
	expect_req(&c, "DELETE", "/v1/vips/1/backends/198.18.2.50", NULL, 200,
		   "{\"deleted\":\"198.18.2.50\"}");
	expect_req(&c, "POST", "/v1/vips", VIP2, 201,
		   "\"id\":\"[2001:db8:100::1]:443/tcp\"");
	expect_req(&c, "GET",
		   "/v1/vips/[2001:db8:100::1]:443/tcp/backends/2001:db8:2::21",
		   NULL, 200, "\"address\":\"2001:db8:2::21\"");
	expect_req(
		&c, "GET", "/v1/lb", NULL, 200,
		"{\"source_v4\":\"198.18.200.0/24\",\"source_v6\":\"2001:db8:200::/96\","
		"\"flow_idle_timeout_s\":300,\"flows\":0,\"flows_age_ms\":0,\"flow_capacity\":131072,"
		"\"flow_events\":{\"evicted\":7,\"insert_fail_busy\":2},"
		"\"vips\":2,\"slots_written\":");
	expect_req(&c, "DELETE", "/v1/vips/[2001:db8:100::1]:443/tcp", NULL,
		   200, "{\"deleted\":\"[2001:db8:100::1]:443/tcp\"}");
	expect_req(&c, "DELETE", "/v1/vips/1", NULL, 200,
		   "{\"deleted\":\"198.18.100.1:80/tcp\"}");
	expect_req(&c, "GET", "/v1/vips", NULL, 200, "{\"vips\":[]");
	assert_model_is_maps(lb);

	/* no load balancer (role backend): the resources are not there */
	c.lb = NULL;
	api_cfg.role = DP_ROLE_BACKEND;
	expect_req(
		&c, "GET", "/v1/vips", NULL, 404,
		"no such resource '/v1/vips' (no load balancer in role backend)");
	expect_req(&c, "GET", "/v1/lb", NULL, 404, "no such resource");
	api_cfg.role = DP_ROLE_ROUTER;
	lb_free(lb);
}

static void test_metrics(void **state)
{
	struct lb *lb = new_lb();
	struct api_ctx c = { .st = &api_st, .cfg = &api_cfg, .lb = lb };
	struct lb_addr a = A("198.18.3.11");
	struct lb_backend_patch drain = { .has_state = true,
					  .state = LB_BE_DRAINING };
	char line[160], *m;

	(void)state;
	add_vip(lb, VIP1);
	assert_int_equal(lb_backend_patch(lb, 1, &a, &drain, err, sizeof(err)),
			 0);
	lb_health_event(lb, 1, HEALTH_UP);
	lb_health_event(lb, 3, HEALTH_DOWN);
	m = metrics_render(&c);
	assert_non_null(m);
	static const char *const want[] = {
		"# TYPE sluice_lb_vip_packets_total counter\n"
		"sluice_lb_vip_packets_total{vip=\"198.18.100.1:80/tcp\"} 1\n",
		"sluice_lb_vip_bytes_total{vip=\"198.18.100.1:80/tcp\"} 0\n",
		"sluice_lb_vip_new_flows_total{vip=\"198.18.100.1:80/tcp\"} 0\n",
		"sluice_lb_vip_flow_hits_total{vip=\"198.18.100.1:80/tcp\"} 0\n",
		"sluice_lb_vip_drops_total{vip=\"198.18.100.1:80/tcp\"} 0\n",
		"sluice_lb_vip_too_big_total{vip=\"198.18.100.1:80/tcp\"} 0\n",
		"sluice_lb_backend_packets_total{vip=\"198.18.100.1:80/tcp\",backend=\"198.18.3.11\"} 2\n",
		"sluice_lb_backend_bytes_total{vip=\"198.18.100.1:80/tcp\",backend=\"2001:db8:2::11\"} 0\n",
		"sluice_lb_backend_new_flows_total{vip=\"198.18.100.1:80/tcp\",backend=\"198.18.2.11\"} 0\n",
		"sluice_lb_backend_health{vip=\"198.18.100.1:80/tcp\",backend=\"198.18.2.11\"} 1\n",
		"sluice_lb_backend_health{vip=\"198.18.100.1:80/tcp\",backend=\"198.18.3.11\"} -1\n",
		"sluice_lb_backend_health{vip=\"198.18.100.1:80/tcp\",backend=\"2001:db8:2::11\"} 0\n",
		"sluice_lb_backend_weight{vip=\"198.18.100.1:80/tcp\",backend=\"198.18.2.11\"} 2\n",
		"sluice_lb_backend_weight{vip=\"198.18.100.1:80/tcp\",backend=\"198.18.3.11\"} 0\n",
		"sluice_lb_backend_slots{vip=\"198.18.100.1:80/tcp\",backend=\"198.18.2.11\"} 1021\n",
		"sluice_lb_backend_slots{vip=\"198.18.100.1:80/tcp\",backend=\"2001:db8:2::11\"} 0\n",
		"# TYPE sluice_lb_flows gauge\nsluice_lb_flows 0\n",
		"# TYPE sluice_lb_flow_capacity gauge\nsluice_lb_flow_capacity 131072\n",
		"# TYPE sluice_lb_flow_events_total counter\n"
		"sluice_lb_flow_events_total{event=\"evicted\"} 7\n"
		"sluice_lb_flow_events_total{event=\"insert_fail_busy\"} 2\n",
		"sluice_lb_slots_written_total ",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(m, want[i]))
			fail_msg("metrics lack '%s'", want[i]);
	/* every family once: HELP and TYPE are not repeated per series */
	snprintf(line, sizeof(line), "# TYPE sluice_lb_backend_slots gauge");
	assert_non_null(strstr(m, line));
	assert_null(strstr(strstr(m, line) + 1, line));
	free(m);
	lb_free(lb);
}

/* ---- the state file ------------------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	assert_non_null(s);
	n = fread(s, 1, (1 << 20) - 1, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

static void spew(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	fclose(f);
}

/* Removes @dir and the files in it (one level: that is all the state
 * directory ever has). */
static void rm_dir(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path))
			rmdir(path);
	}
	closedir(d);
	rmdir(dir);
}

static int dir_entries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static char *state_text(const struct lb *lb)
{
	struct json_object *o = lb_state_json(lb);
	char *s;

	assert_non_null(o);
	s = strdup(json_object_to_json_string(o));
	json_object_put(o);
	return s;
}

#define VIP6U                                                                  \
	"{\"address\":\"2001:db8:100::53\",\"port\":53,\"protocol\":\"udp\","  \
	"\"encap\":\"gre\",\"hash\":\"src\",\"ring_size\":251,\"backends\":["  \
	"{\"address\":\"2001:db8:3::53\",\"weight\":7},"                       \
	"{\"address\":\"198.18.3.53\",\"state\":\"draining\"}]}"
#define VIPH                                                                   \
	"{\"address\":\"198.18.100.8\",\"port\":0,\"protocol\":\"tcp\","       \
	"\"ring_size\":13,\"health\":{\"kind\":\"http\",\"port\":8080,"        \
	"\"path\":\"/healthz?full=1\",\"interval_ms\":300,\"timeout_ms\":200," \
	"\"rise\":1,\"fall\":5},\"backends\":[{\"address\":\"198.18.4.8\"}]}"

/*
 * Every change through the API is saved; what is saved, loaded into a new
 * LB over empty maps (a restart without --keep-on-exit), runs the same VIP
 * set: the same settings, backends, weights, administrative states and,
 * the table being a function of the set, the same slots per backend.
 */
static void test_state_round_trip(void **state)
{
	char dir[] = "/tmp/sluice-lbstate-XXXXXX", path[300], *before, *now;
	struct lb_backend_patch drain = { .has_state = true,
					  .state = LB_BE_DRAINING };
	struct lb_backend_patch down = { .has_state = true,
					 .state = LB_BE_DOWN };
	struct lb_backend_patch w9 = { .has_weight = true, .weight = 9 };
	struct lb_backend_spec nb = { .addr = A("198.18.9.11"), .weight = 4 };
	struct lb_addr a;
	struct lb_vip_spec *vips = NULL;
	struct lb *lb = new_lb(), *lb2;
	size_t n = 0;
	char *doc1, *doc2;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(lb_set_state_dir(lb, dir), 0);
	snprintf(path, sizeof(path), "%s/lb.json", dir);
	assert_string_equal(lb_state_path(lb), path);
	assert_int_equal(lb_state_read(path, &vips, &n, err, sizeof(err)),
			 -ENOENT);

	add_vip(lb, VIP1);
	assert_int_equal(dir_entries(dir), 1); /* lb.json, no temporary left */
	add_vip(lb, VIP6U);
	add_vip(lb, VIPH);
	a = A("198.18.3.11");
	assert_int_equal(lb_backend_patch(lb, 1, &a, &drain, err, sizeof(err)),
			 0);
	a = A("2001:db8:2::11");
	assert_int_equal(lb_backend_patch(lb, 1, &a, &down, err, sizeof(err)),
			 0);
	a = A("198.18.2.11");
	assert_int_equal(lb_backend_patch(lb, 1, &a, &w9, err, sizeof(err)), 0);
	assert_int_equal(lb_backend_add(lb, 1, &nb, err, sizeof(err)), 0);
	a = A("198.18.4.8");
	assert_int_equal(lb_backend_del(lb, 3, &a, err, sizeof(err)), 0);
	assert_int_equal(lb_backend_add(lb, 3, &nb, err, sizeof(err)), 0);
	add_vip(lb,
		"{\"address\":\"198.18.100.9\",\"port\":9,\"protocol\":\"udp\"}");
	assert_int_equal(lb_vip_del(lb, 4, err, sizeof(err)), 0);
	assert_int_equal(dir_entries(dir), 1);
	assert_int_equal(lb_state_write_errors(lb), 0);

	/* the file is what the LB runs, and says it as the config would */
	before = slurp(path);
	assert_non_null(strstr(before, "\"version\": 1"));
	assert_non_null(strstr(before, "\"path\": \"/healthz?full=1\""));
	assert_null(strstr(before, "health\": \"up")); /* no observations */
	assert_null(strstr(before, "backend_id"));
	assert_null(strstr(before, "counters"));
	assert_int_equal(lb_state_read(path, &vips, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);

	/* health is observed, not chosen: not saved; a failed change is not
	 * saved either */
	lb_health_event(lb, BE(lb, 1, "198.18.2.11")->id, HEALTH_DOWN);
	fake.fail_at = 1;
	fake.writes = 0;
	a = A("198.18.9.11");
	assert_int_equal(lb_backend_patch(lb, 1, &a, &down, err, sizeof(err)),
			 -EIO);
	fake.fail_at = 0;
	now = slurp(path);
	assert_string_equal(before, now);
	free(now);
	lb_health_event(lb, BE(lb, 1, "198.18.2.11")->id, HEALTH_UP);

	/* a restart without --keep-on-exit: new maps, the saved set */
	doc1 = state_text(lb);
	lb_free(lb);
	fake_reset();
	lb2 = new_lb();
	assert_int_equal(lb_load(lb2, vips, n, err, sizeof(err)), 0);
	lb_vip_specs_free(vips, n);
	doc2 = state_text(lb2);
	assert_string_equal(doc1, doc2);
	assert_model_is_maps(lb2);
	assert_int_equal(BE(lb2, 1, "198.18.2.11")->spec.weight, 9);
	assert_int_equal(BE(lb2, 1, "198.18.3.11")->spec.state, LB_BE_DRAINING);
	assert_int_equal(BE(lb2, 1, "2001:db8:2::11")->spec.state, LB_BE_DOWN);
	assert_int_equal(BE(lb2, 1, "198.18.3.11")->slots, 0);
	assert_int_equal(BE(lb2, 1, "198.18.2.11")->slots +
				 BE(lb2, 1, "198.18.9.11")->slots,
			 1021);
	assert_int_equal(lb_vip_get(lb2, 2)->conf.health.kind, HEALTH_NONE);
	assert_int_equal(lb_vip_get(lb2, 3)->conf.health.port, 8080);
	assert_int_equal(lb_vip_get(lb2, 3)->conf.health.fall, 5);
	/* nothing is written by a load: the file stays the one it read */
	now = slurp(path);
	assert_string_equal(before, now);
	free(now);
	free(before);
	free(doc1);
	free(doc2);
	lb_free(lb2);
	rm_dir(dir);
}

/* A state file sluiced cannot use is reported, with where it breaks. */
static void test_state_corrupt(void **state)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "{\"version\": 1, \"vips\": [\n  {\"address\": \"198.18.100.1\",, }\n]}\n",
		  "invalid JSON at line 2 column 30: unexpected ',' (a key in double quotes expected)" },
		/* what a torn write would leave (the writer never does) */
		{ "{\"version\": 1, \"vips\": [\n  {\"address\": \"198.18.100.1\",",
		  "invalid JSON at line 2 column 30: unexpected end of input" },
		{ "", "invalid JSON at line 1 column 1" },
		{ "[]", "top level: expected an object, got array" },
		{ "{\"version\": 2, \"vips\": []}",
		  "version: 2 is not 1 (written by another sluiced version?)" },
		{ "{\"version\": 1}", "vips: required" },
		{ "{\"vips\": [], \"lb\": {}}",
		  "unknown field 'lb' (known: version, vips)" },
		{ "{\"vips\": {}}", "vips: expected array, got object" },
		{ "{\"vips\": [{\"address\": \"198.18.100.1\", \"port\": 80, "
		  "\"protocol\": \"tcp\", \"backends\": [{\"address\": "
		  "\"198.18.2.11\", \"weight\": 0}]}]}",
		  "vips[0].backends[0].weight: 0 is out of range 1..1000" },
		{ "{\"vips\": [{\"address\": \"198.18.100.1\", \"port\": 80, "
		  "\"protocol\": \"tcp\"}, {\"address\": \"198.18.100.1\", "
		  "\"port\": 80, \"protocol\": \"tcp\"}]}",
		  "vips[1]: vip 198.18.100.1:80/tcp is listed twice" },
	};
	char dir[] = "/tmp/sluice-lbstate-XXXXXX", path[300], want[700];
	struct lb_vip_spec *vips = (struct lb_vip_spec *)&vips;
	size_t n = 77;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lb.json", dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		spew(path, bad[i].text);
		err[0] = '\0';
		assert_int_equal(lb_state_read(path, &vips, &n, err,
					       sizeof(err)),
				 -EINVAL);
		snprintf(want, sizeof(want), "state file %s: %s", path,
			 bad[i].err);
		if (strncmp(err, want, strlen(want)))
			fail_msg("'%s'\n  error '%s'\n  wanted '%s'",
				 bad[i].text, err, want);
		/* nothing handed out */
		assert_ptr_equal(vips, (struct lb_vip_spec *)&vips);
		assert_int_equal(n, 77);
	}
	/* not a file */
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(lb_state_read(path, &vips, &n, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want), "state file %s: not a regular file", path);
	assert_string_equal(err, want);
	rmdir(path);
	rm_dir(dir);
}

/* A write that fails leaves the change applied, logged and counted. */
static void test_state_write_error(void **state)
{
	char dir[] = "/tmp/sluice-lbstate-XXXXXX", blocker[300], good[100];
	struct api_ctx c = { .st = &api_st, .cfg = &api_cfg };
	struct lb *lb = new_lb();
	char *m;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* a directory below a regular file cannot exist, root or not */
	snprintf(blocker, sizeof(blocker), "%s/file", dir);
	spew(blocker, "x");
	snprintf(blocker, sizeof(blocker), "%s/file/state", dir);
	assert_int_equal(lb_set_state_dir(lb, blocker), 0);
	assert_int_equal(add_vip(lb, VIP1), 1);
	assert_non_null(lb_vip_get(lb, 1));
	assert_model_is_maps(lb);
	assert_int_equal(lb_state_write_errors(lb), 1);
	c.lb = lb;
	expect_req(&c, "GET", "/v1/lb", NULL, 200, "\"state_write_errors\":1");
	m = metrics_render(&c);
	assert_non_null(strstr(m, "sluice_lb_state_write_errors_total 1\n"));
	free(m);
	/* once the directory can be written, the next change saves all */
	snprintf(good, sizeof(good), "%s/state", dir);
	assert_int_equal(lb_set_state_dir(lb, good), 0);
	assert_int_equal(lb_vip_del(lb, 1, err, sizeof(err)), 0);
	assert_int_equal(lb_state_write_errors(lb), 1);
	{
		struct lb_vip_spec *vips = NULL;
		size_t n = 9;

		snprintf(blocker, sizeof(blocker), "%s/lb.json", good);
		assert_int_equal(
			lb_state_read(blocker, &vips, &n, err, sizeof(err)), 0);
		assert_int_equal(n, 0);
		lb_vip_specs_free(vips, n);
	}
	snprintf(blocker, sizeof(blocker), "%s/file", dir);
	unlink(blocker);
	rm_dir(good);
	rm_dir(dir);
	lb_free(lb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vip_id),
		cmocka_unit_test(test_vip_defaults),
		cmocka_unit_test(test_vip_every_bad_field),
		cmocka_unit_test(test_vip_errors_name_the_path),
		cmocka_unit_test(test_backend_and_patch_json),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_table_is_a_function_of_the_set),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_drain_moves_its_slots),
		cmocka_unit_test_setup_teardown(test_add_delete_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_backend_changes_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_chance, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_health_events, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rollback_at_every_write,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_churn_keeps_every_slot_usable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_and_limits,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_unchanged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_adopt_changed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_adopt_keeps_ids_that_flows_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_new_ring_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_adopt_down_backend, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_adopt_backend_moves, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fullnat_needs_ct, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_put_backends, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_state_corrupt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_state_write_error, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
