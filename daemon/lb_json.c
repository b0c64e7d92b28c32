// SPDX-License-Identifier: BSD-2-Clause
/* The load balancer's model as the API returns it (docs/lb-api.md). */
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <json-c/json.h>
#include "json_out.h"
#include "lb_internal.h"

/* ---- JSON out ------------------------------------------------------------------ */

struct json_object *lb_backend_json(const struct lb *lb,
				    const struct lb_backend *b)
{
	struct json_object *o = json_object_new_object();
	struct json_object *c = json_object_new_object();
	struct sluice_lb_counter cnt;
	char a[INET6_ADDRSTRLEN];

	json_add_str(o, "address", lb_addr_str(&b->spec.addr, a, sizeof(a)));
	json_add_int(o, "backend_id", b->id);
	json_add_int(o, "weight", b->spec.weight);
	json_add_str(o, "state", lb_be_state_name(b->spec.state));
	json_add_str(o, "health", health_state_name(b->health));
	json_add_str(o, "health_error", lb_health_error(lb, b));
	json_add_int(o, "slots", b->slots);
	lb_backend_counters(lb, b, &cnt);
	json_add_int(c, "packets", (int64_t)cnt.packets);
	json_add_int(c, "bytes", (int64_t)cnt.bytes);
	json_add_int(c, "new_flows", (int64_t)cnt.new_flows);
	json_object_object_add(o, "counters", c);
	return o;
}

void lb_vip_conf_json(struct json_object *o, const struct lb_vip_conf *c)
{
	const struct health_params *hp = &c->health;
	struct json_object *h = json_object_new_object();
	char a[INET6_ADDRSTRLEN];

	inet_ntop(c->key.family, c->key.addr, a, sizeof(a));
	json_add_str(o, "address", a);
	json_add_int(o, "port", ntohs(c->key.port));
	json_add_str(o, "protocol",
		     c->key.proto == IPPROTO_UDP ? "udp" : "tcp");
	json_add_str(o, "mode",
		     c->flags & SLUICE_VIP_FULLNAT ? "fullnat" : "dsr");
	if (c->flags & SLUICE_VIP_FULLNAT)
		json_add_int(o, "backend_port",
			     c->backend_port ? c->backend_port :
					       ntohs(c->key.port));
	else
		json_add_str(o, "encap",
			     c->flags & SLUICE_VIP_GRE ? "gre" : "ipip");
	json_add_str(o, "hash",
		     c->flags & SLUICE_VIP_HASH_SRC ? "src" : "5tuple");
	json_add_int(o, "ring_size", c->ring_size);
	json_add_int(o, "second_chance_s", c->second_chance_s);
	json_add_str(h, "kind", health_kind_name(hp->kind));
	json_add_int(h, "port", hp->port);
	json_add_str(h, "path", hp->http_path);
	json_add_int(h, "interval_ms", hp->interval_ms);
	json_add_int(h, "timeout_ms", hp->timeout_ms);
	json_add_int(h, "rise", hp->rise);
	json_add_int(h, "fall", hp->fall);
	json_object_object_add(o, "health", h);
}

struct json_object *lb_vip_json(const struct lb *lb, const struct lb_vip *v)
{
	struct json_object *o = json_object_new_object();
	struct json_object *c = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	char name[LB_VIP_ID_LEN];
	struct sluice_lb_counter cnt;

	json_add_str(o, "id", lb_vip_id_str(&v->conf.key, name, sizeof(name)));
	json_add_int(o, "vip_id", v->id);
	lb_vip_conf_json(o, &v->conf);
	if (lb->watch.announced) {
		int an = lb->watch.announced(lb->watch.arg, v);

		if (an >= 0)
			json_object_object_add(o, "announced",
					       json_object_new_boolean(an));
	}
	lb_vip_counters(lb, v, &cnt);
	json_add_int(c, "packets", (int64_t)cnt.packets);
	json_add_int(c, "bytes", (int64_t)cnt.bytes);
	json_add_int(c, "new_flows", (int64_t)cnt.new_flows);
	json_add_int(c, "flow_hits", (int64_t)cnt.flow_hits);
	json_add_int(c, "drops", (int64_t)cnt.drops);
	json_add_int(c, "too_big", (int64_t)cnt.too_big);
	json_object_object_add(o, "counters", c);
	for (size_t i = 0; i < v->n_be; i++)
		json_object_array_add(arr, lb_backend_json(lb, &v->be[i]));
	json_object_object_add(o, "backends", arr);
	return o;
}

struct json_object *lb_vips_json(const struct lb *lb)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();

	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		if (lb->vips[id])
			json_object_array_add(arr,
					      lb_vip_json(lb, lb->vips[id]));
	json_object_object_add(o, "vips", arr);
	json_add_int(o, "flows", lb_flow_count(lb));
	json_add_int(o, "flows_age_ms", lb_flows_age_ms(lb));
	json_add_int(o, "flow_capacity", lb_flow_capacity(lb));
	return o;
}

/* {"evicted": N, "insert_fail_busy": N}: every named event */
static struct json_object *lb_flow_events_json(const struct lb *lb)
{
	struct json_object *o = json_object_new_object();
	__u64 ev[SLUICE_LB_FLOW_NEVENTS];

	lb_flow_events(lb, ev);
	for (unsigned int i = 0; i < SLUICE_LB_FLOW_NEVENTS; i++)
		if (dp_lb_flow_event_name(i))
			json_add_int(o, dp_lb_flow_event_name(i),
				     (int64_t)ev[i]);
	return o;
}

struct json_object *lb_summary_json(const struct lb *lb)
{
	struct json_object *o = json_object_new_object();
	char buf[INET6_ADDRSTRLEN + 8];
	int n = 0;

	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		n += !!lb->vips[id];
	json_add_str(o, "source_v4",
		     lb_source_str(&lb->set, AF_INET, buf, sizeof(buf)));
	json_add_str(o, "source_v6",
		     lb_source_str(&lb->set, AF_INET6, buf, sizeof(buf)));
	json_add_int(o, "flow_idle_timeout_s", lb->set.flow_idle_timeout_s);
	json_add_int(o, "flows", lb_flow_count(lb));
	json_add_int(o, "flows_age_ms", lb_flows_age_ms(lb));
	json_add_int(o, "flow_capacity", lb_flow_capacity(lb));
	json_object_object_add(o, "flow_events", lb_flow_events_json(lb));
	json_add_int(o, "vips", n);
	json_add_int(o, "slots_written", (int64_t)lb->slots_written);
	json_add_str(o, "state_file", lb->state_path);
	json_add_int(o, "state_write_errors", (int64_t)lb->state_write_errors);
	return o;
}
