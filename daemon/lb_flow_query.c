// SPDX-License-Identifier: BSD-2-Clause
/* The flow table's filter, page and flush (lb_flow_query.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <json-c/json.h>
#include "dp_trace.h"
#include "json_out.h"
#include "lb_flow_query.h"
#include "lb_internal.h"

static int flow_table(const struct lb *lb, struct lb_flow_table *t)
{
	return lb->ops->flow_table ? lb->ops->flow_table(lb->dp, t) :
				     -EOPNOTSUPP;
}

static void id_set(uint8_t *bits, uint32_t id)
{
	bits[id / 8] |= (uint8_t)(1u << (id % 8));
}

static bool id_has(const uint8_t *bits, uint32_t id)
{
	return id < SLUICE_LB_MAX_BACKENDS && (bits[id / 8] >> (id % 8)) & 1;
}

/* The ids @a has as a backend: of VIP @vip_id, or of every VIP (0). */
static int backend_ids(const struct lb *lb, uint32_t vip_id,
		       const struct lb_addr *a, uint8_t *bits)
{
	int n = 0;

	for (uint32_t v = 1; v < SLUICE_LB_MAX_VIPS; v++) {
		const struct lb_backend *b;

		if (!lb->vips[v] || (vip_id && v != vip_id))
			continue;
		b = lb_backend_find(lb->vips[v], a);
		if (b) {
			id_set(bits, b->id);
			n++;
		}
	}
	return n;
}

int lb_flow_filter_parse(const struct lb *lb, const char *vip,
			 const char *backend, const char *src,
			 struct lb_flow_filter *f, char *err, size_t errlen)
{
	struct sluice_trace_prefix p;
	const struct lb_vip *v = NULL;
	struct lb_addr a;
	char buf[INET6_ADDRSTRLEN];

	memset(f, 0, sizeof(*f));
	if (vip) {
		if (!*vip || lb_vip_lookup(lb, vip, &v)) {
			snprintf(err, errlen,
				 "vip: '%s' is not a VIP (ADDR:PORT/PROTO, "
				 "[ADDR6]:PORT/PROTO or a vip_id 1..%u)",
				 vip, LB_MAX_VIPS);
			return -EINVAL;
		}
		if (!v) {
			snprintf(err, errlen, "vip: %s does not exist", vip);
			return -ENOENT;
		}
		f->vip_id = v->id;
	}
	if (backend) {
		if (lb_addr_parse(backend, &a)) {
			snprintf(err, errlen,
				 "backend: '%s' is not an IPv4 or IPv6 address",
				 backend);
			return -EINVAL;
		}
		f->by_backend = true;
		if (!backend_ids(lb, f->vip_id, &a, f->backend_ids)) {
			if (vip)
				snprintf(err, errlen,
					 "backend: %s is not a backend of vip "
					 "%s",
					 lb_addr_str(&a, buf, sizeof(buf)),
					 vip);
			else
				snprintf(err, errlen,
					 "backend: %s is a backend of no VIP",
					 lb_addr_str(&a, buf, sizeof(buf)));
			return -ENOENT;
		}
	}
	if (src) {
		if (dp_trace_prefix_parse(src, &p)) {
			snprintf(err, errlen,
				 "src: '%s' is not an address or a prefix "
				 "(ADDR or ADDR/LEN, IPv4 or IPv6, host bits "
				 "zero)",
				 src);
			return -EINVAL;
		}
		f->family = p.family;
		f->src_plen = p.plen;
		memcpy(f->src, p.addr, sizeof(f->src));
	}
	return 0;
}

static bool prefix_has(const uint8_t *pfx, uint8_t plen, const uint8_t *a)
{
	unsigned int whole = plen / 8, rest = plen % 8;

	if (memcmp(pfx, a, whole))
		return false;
	return !rest || !((pfx[whole] ^ a[whole]) & (0xff00 >> rest));
}

static bool flow_match(const struct lb_flow_filter *f,
		       const struct sluice_flow_key *k,
		       const struct sluice_flow *v)
{
	if (f->vip_id && v->vip_id != f->vip_id)
		return false;
	if (f->by_backend && !id_has(f->backend_ids, v->backend_id))
		return false;
	if (f->family && (k->family != f->family ||
			  !prefix_has(f->src, f->src_plen, k->saddr)))
		return false;
	return true;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void add_addr(struct json_object *o, const char *name, int family,
		     const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	json_add_str(o, name, inet_ntop(family, a, buf, sizeof(buf)));
}

/* A flow as the API gives it: the VIP and backend by name when the model
 * still has them, their ids always. */
static struct json_object *flow_json(const struct lb *lb,
				     const struct sluice_flow_key *k,
				     const struct sluice_flow *v,
				     uint64_t now_ns)
{
	struct json_object *o = json_object_new_object();
	const struct lb_vip *vip = lb_vip_get(lb, v->vip_id);
	const struct lb_backend *be = NULL;
	int af = k->family == AF_INET6 ? AF_INET6 : AF_INET;
	char buf[LB_VIP_ID_LEN];

	for (size_t i = 0; vip && i < vip->n_be && !be; i++)
		if (vip->be[i].id == v->backend_id)
			be = &vip->be[i];
	if (vip)
		json_add_str(o, "vip",
			     lb_vip_id_str(&vip->conf.key, buf, sizeof(buf)));
	else
		json_object_object_add(o, "vip", NULL);
	json_add_int(o, "vip_id", v->vip_id);
	json_add_str(o, "family", af == AF_INET ? "ipv4" : "ipv6");
	if (k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP) {
		json_add_str(o, "proto",
			     k->proto == IPPROTO_TCP ? "tcp" : "udp");
	} else {
		snprintf(buf, sizeof(buf), "%u", k->proto);
		json_add_str(o, "proto", buf);
	}
	add_addr(o, "src", af, k->saddr);
	json_add_int(o, "sport", ntohs(k->sport));
	add_addr(o, "dst", af, k->daddr);
	json_add_int(o, "dport", ntohs(k->dport));
	if (be)
		add_addr(o, "backend", be->spec.addr.family, be->spec.addr.a);
	else
		json_object_object_add(o, "backend", NULL);
	json_add_int(o, "backend_id", v->backend_id);
	/* the stamp is a CPU's tick, refreshed about once a second
	 * (bpf/lib/lb.h), and may be a tick ahead of this clock */
	json_add_int(
		o, "idle_s",
		now_ns > v->last_seen_ns ?
			(int64_t)((now_ns - v->last_seen_ns) / 1000000000ull) :
			0);
	return o;
}

struct page_walk {
	const struct lb *lb;
	const struct lb_flow_filter *f;
	struct lb_flow_page *pg;
	uint64_t now_ns;
};

static int page_one(__u32 slot, const struct sluice_flow_key *k,
		    const struct sluice_flow *v, void *arg)
{
	struct page_walk *w = arg;

	if (!flow_match(w->f, k, v))
		return 0;
	json_object_array_add(w->pg->flows, flow_json(w->lb, k, v, w->now_ns));
	w->pg->next = slot + 1;
	return ++w->pg->n >= w->pg->limit;
}

int lb_flows_page(const struct lb *lb, const struct lb_flow_filter *f,
		  uint32_t from, struct lb_flow_page *pg)
{
	struct page_walk w = { lb, f, pg, mono_ns() };
	struct lb_flow_table t;
	int rc = flow_table(lb, &t);

	if (rc)
		return rc;
	pg->slots = 1u << t.bits;
	pg->n = 0;
	pg->next = pg->slots;
	pg->more = false;
	if (from >= pg->slots)
		return 0;
	/* stopped at a full page: the next goes on after its last flow (a
	 * full page may end the table: the next one says so, empty) */
	if (lb_flow_table_walk(&t, from, page_one, &w) != 1)
		pg->next = pg->slots;
	pg->more = pg->next < pg->slots;
	return 0;
}

struct flush_walk {
	const struct lb_flow_filter *f;
	const struct lb_flow_table *t;
	uint32_t n;
};

static int flush_one(__u32 slot, const struct sluice_flow_key *k,
		     const struct sluice_flow *v, void *arg)
{
	struct flush_walk *w = arg;

	(void)slot;
	/* a flow the data path rewrote or evicted meanwhile is not found
	 * by its key: nothing to count */
	if (flow_match(w->f, k, v) && !lb_flow_table_del(w->t, k))
		w->n++;
	return 0;
}

int lb_flows_flush(const struct lb *lb, const struct lb_flow_filter *f,
		   uint32_t *n)
{
	struct lb_flow_table t;
	struct flush_walk w = { f, &t, 0 };
	int rc = flow_table(lb, &t);

	*n = 0;
	if (rc)
		return rc;
	rc = lb_flow_table_walk(&t, 0, flush_one, &w);
	*n = w.n;
	return rc;
}
