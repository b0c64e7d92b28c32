// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's control plane.  See lb.h for the contract and
 * docs/lb-api.md for the objects.
 *
 * Every change follows one pattern: validate completely, build the new VIP
 * as a copy (backends and Maglev table), write the difference into the maps
 * through a transaction that records how to undo each write, and only then
 * swap the copy in.  A write that fails undoes the earlier ones in reverse,
 * so the maps and the model stay what they were.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <json-c/json.h>
#include "lb.h"
#include "log.h"
#include "maglev.h"
#include "vip_id.h"

_Static_assert(SLUICE_LB_MAX_VIPS <= 65536, "be_owner holds a vip id in 16 bits");

struct lb {
	struct dp *dp;
	const struct lb_dp_ops *ops;
	struct health *health;
	struct lb_settings set;
	struct lb_vip *vips[SLUICE_LB_MAX_VIPS];	/* by vip id */
	uint16_t be_owner[SLUICE_LB_MAX_BACKENDS];	/* backend id -> vip id */
	/*
	 * Free backend ids, first in first out: a freed id goes to the back,
	 * so it is reused as late as possible and flows that still name it
	 * in lb_flows have long expired by then.
	 */
	uint32_t free_q[LB_MAX_BACKENDS];
	uint32_t free_head, free_n;
	bool vip_reserved[SLUICE_LB_MAX_VIPS];		/* during lb_load() */
	uint64_t slots_written;
	char *state_dir;		/* NULL: changes are not saved */
	char state_path[256];
	uint64_t state_write_errors;
};

/* ---- pure helpers ---------------------------------------------------------- */

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

int lb_addr_parse(const char *s, struct lb_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->a) == 1)
		a->family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

const char *lb_addr_str(const struct lb_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static bool addr_eq(const struct lb_addr *x, const struct lb_addr *y)
{
	return x->family == y->family && !memcmp(x->a, y->a, addr_len(x->family));
}

static bool key_eq(const struct sluice_vip_key *a, const struct sluice_vip_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

const char *lb_vip_id_str(const struct sluice_vip_key *k, char *buf, size_t len)
{
	return vip_id_str(k, buf, len);
}

int lb_vip_id_parse(const char *s, struct sluice_vip_key *k)
{
	return vip_id_parse(s, k, NULL, 0);
}

static const char *const be_state_names[] = {
	[LB_BE_ACTIVE] = "active",
	[LB_BE_DRAINING] = "draining",
	[LB_BE_DOWN] = "down",
};

const char *lb_be_state_name(enum lb_be_state s)
{
	return (unsigned int)s <= LB_BE_DOWN ? be_state_names[s] : "invalid";
}

static int be_state_parse(const char *s, enum lb_be_state *out)
{
	for (unsigned int i = 0; i <= LB_BE_DOWN; i++) {
		if (!strcmp(s, be_state_names[i])) {
			*out = (enum lb_be_state)i;
			return 0;
		}
	}
	return -EINVAL;
}

uint64_t lb_backend_key(const struct lb_addr *a)
{
	uint8_t id[17];
	size_t len = addr_len(a->family);

	id[0] = a->family;
	memcpy(id + 1, a->a, len);
	return maglev_key(id, 1 + len);
}

uint32_t lb_backend_weight(const struct lb_backend *b)
{
	if (b->spec.state != LB_BE_ACTIVE || b->health == HEALTH_DOWN)
		return 0;
	return b->spec.weight;
}

bool lb_backend_down(const struct lb_backend *b)
{
	return b->spec.state == LB_BE_DOWN || b->health == HEALTH_DOWN;
}

int lb_table_compute(struct lb_backend *be, size_t n, uint32_t ring_size,
		     uint32_t *table)
{
	struct maglev_backend *mb;
	uint32_t *count;
	int err;

	mb = calloc(n ? n : 1, sizeof(*mb));
	count = calloc(SLUICE_LB_MAX_BACKENDS, sizeof(*count));
	if (!mb || !count) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!be[i].id || be[i].id >= SLUICE_LB_MAX_BACKENDS) {
			err = -EINVAL;
			goto out;
		}
		mb[i].key = be[i].key;
		mb[i].weight = lb_backend_weight(&be[i]);
		mb[i].value = be[i].id;
	}
	err = maglev_build(mb, n, ring_size, table);
	if (err)
		goto out;
	for (uint32_t s = 0; s < ring_size; s++)
		count[table[s]]++;
	for (size_t i = 0; i < n; i++)
		be[i].slots = count[be[i].id];
out:
	free(count);
	free(mb);
	return err;
}

static struct sluice_backend be_value(const struct lb_backend *b)
{
	struct sluice_backend v = {};

	memcpy(v.addr, b->spec.addr.a, sizeof(v.addr));
	v.family = b->spec.addr.family;
	v.flags = lb_backend_down(b) ? SLUICE_BE_DOWN : 0;
	return v;
}

static struct sluice_vip vip_value(const struct lb_vip *v)
{
	return (struct sluice_vip){
		.vip_id = v->id,
		.ring_size = v->conf.ring_size,
		.flags = v->conf.flags,
	};
}

/* ---- validation ------------------------------------------------------------ */

/* Where an error is reported: @prefix goes before every field name. */
struct jp {
	const char *prefix;
	char *err;
	size_t errlen;
};

static int jfail(const struct jp *p, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int jfail(const struct jp *p, const char *field, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s%s: ", p->prefix, field);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int check_range(const struct jp *p, const char *field, int64_t v,
		       int64_t lo, int64_t hi)
{
	if (v < lo || v > hi)
		return jfail(p, field, "%lld is out of range %lld..%lld",
			     (long long)v, (long long)lo, (long long)hi);
	return 0;
}

static int check_ring_size(const struct jp *p, int64_t m)
{
	int err = check_range(p, "ring_size", m, LB_RING_MIN, SLUICE_LB_MAX_RING);

	if (!err && !maglev_is_prime((uint32_t)m))
		err = jfail(p, "ring_size", "%lld is not a prime", (long long)m);
	return err;
}

/* A VIP address must be one a client can send to. */
static int check_vip_addr(const struct jp *p, const char *field,
			  const struct lb_addr *a)
{
	static const uint8_t zero[16];
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	char s[INET6_ADDRSTRLEN];
	const char *why = NULL;

	if (a->family != AF_INET && a->family != AF_INET6)
		return jfail(p, field, "family %u is not IPv4 or IPv6", a->family);
	if (!memcmp(a->a, zero, addr_len(a->family)))
		why = "unspecified";
	else if (a->family == AF_INET && (a->a[0] & 0xf0) == 0xe0)
		why = "multicast";
	else if (a->family == AF_INET && a->a[0] == 169 && a->a[1] == 254)
		why = "link-local";
	else if (a->family == AF_INET6 && a->a[0] == 0xff)
		why = "multicast";
	else if (a->family == AF_INET6 && a->a[0] == 0xfe &&
		 (a->a[1] & 0xc0) == 0x80)
		why = "link-local";
	/* ::ffff:a.b.c.d is the IPv4 VIP a.b.c.d in disguise, which the
	 * data path would never see as such */
	else if (a->family == AF_INET6 && !memcmp(a->a, v4mapped, 12))
		why = "IPv4-mapped (use the IPv4 address)";
	if (why)
		return jfail(p, field, "'%s' is %s", lb_addr_str(a, s, sizeof(s)),
			     why);
	return 0;
}

/* A backend is a tunnel's destination: it has to be a unicast address. */
static int check_be_addr(const struct jp *p, const char *field,
			 const struct lb_addr *a)
{
	static const uint8_t zero[16];
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	char s[INET6_ADDRSTRLEN];

	if (a->family != AF_INET && a->family != AF_INET6)
		return jfail(p, field, "family %u is not IPv4 or IPv6", a->family);
	if (!memcmp(a->a, zero, addr_len(a->family)))
		return jfail(p, field, "'%s' is unspecified",
			     lb_addr_str(a, s, sizeof(s)));
	if ((a->family == AF_INET && (a->a[0] & 0xf0) == 0xe0) ||
	    (a->family == AF_INET6 && a->a[0] == 0xff))
		return jfail(p, field, "'%s' is multicast",
			     lb_addr_str(a, s, sizeof(s)));
	/* a tunnel to ::ffff:a.b.c.d goes nowhere: IPv6 routing has no
	 * route for it */
	if (a->family == AF_INET6 && !memcmp(a->a, v4mapped, 12))
		return jfail(p, field, "'%s' is IPv4-mapped (use the IPv4 "
			     "address)", lb_addr_str(a, s, sizeof(s)));
	return 0;
}

/* health.port defaults to the VIP's port (none to default to for port 0);
 * the rest is the health checker's own rule book. */
static int check_health(const struct jp *p, struct health_params *h,
			uint16_t vip_port, bool port_given)
{
	char msg[256];

	if (!port_given || !h->port) {
		if (!vip_port && h->kind != HEALTH_NONE)
			return jfail(p, "health.port", "required when the VIP "
				     "port is 0 (health.kind %s)",
				     health_kind_name(h->kind));
		h->port = vip_port;
	}
	if (!health_params_validate(h, msg, sizeof(msg)))
		return 0;
	/* the field is "path" in our JSON, "http_path" in the C struct */
	if (!strncmp(msg, "health.http_path", 16)) {
		snprintf(p->err, p->errlen, "%shealth.path%s", p->prefix,
			 msg + 16);
		return -EINVAL;
	}
	snprintf(p->err, p->errlen, "%s%s", p->prefix, msg);
	return -EINVAL;
}

static int check_vip_conf(const struct jp *p, struct lb_vip_conf *c,
			  bool health_port_given)
{
	struct lb_addr a = { .family = c->key.family };
	int err;

	memcpy(a.a, c->key.addr, sizeof(a.a));
	err = check_vip_addr(p, "address", &a);
	if (!err && c->key.proto != IPPROTO_TCP && c->key.proto != IPPROTO_UDP)
		err = jfail(p, "protocol", "%u is not tcp or udp", c->key.proto);
	if (!err && c->flags & ~(SLUICE_VIP_GRE | SLUICE_VIP_HASH_SRC))
		err = jfail(p, "flags", "0x%x has unknown bits", c->flags);
	if (!err)
		err = check_ring_size(p, c->ring_size);
	if (!err)
		err = check_health(p, &c->health, ntohs(c->key.port),
				   health_port_given);
	return err;
}

static int check_backend(const struct jp *p, const struct lb_backend_spec *b)
{
	int err = check_be_addr(p, "address", &b->addr);

	if (!err)
		err = check_range(p, "weight", b->weight, 1, LB_WEIGHT_MAX);
	if (!err && (unsigned int)b->state > LB_BE_DOWN)
		err = jfail(p, "state", "%u is not active, draining or down",
			    (unsigned int)b->state);
	return err;
}

/* Backends of one VIP, each checked, addresses unique. */
static int check_backends(const struct jp *vp, const struct lb_backend_spec *be,
			  size_t n)
{
	char prefix[128], s[INET6_ADDRSTRLEN];
	struct jp p = *vp;
	int err;

	p.prefix = prefix;
	for (size_t i = 0; i < n; i++) {
		snprintf(prefix, sizeof(prefix), "%sbackends[%zu].", vp->prefix, i);
		err = check_backend(&p, &be[i]);
		if (err)
			return err;
		for (size_t j = 0; j < i; j++)
			if (addr_eq(&be[i].addr, &be[j].addr))
				return jfail(&p, "address", "'%s' is listed twice",
					     lb_addr_str(&be[i].addr, s, sizeof(s)));
	}
	return 0;
}

/* ---- JSON -> specs --------------------------------------------------------- */

static int jtype(const struct jp *p, const char *field, struct json_object *v,
		 enum json_type t)
{
	if (json_object_is_type(v, t))
		return 0;
	return jfail(p, field, "expected %s, got %s (%s)", json_type_to_name(t),
		     json_type_to_name(json_object_get_type(v)),
		     json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

static int jint(const struct jp *p, const char *field, struct json_object *v,
		int64_t *out)
{
	int err = jtype(p, field, v, json_type_int);

	if (!err)
		*out = json_object_get_int64(v);
	return err;
}

static int jstr(const struct jp *p, const char *field, struct json_object *v,
		const char **out)
{
	int err = jtype(p, field, v, json_type_string);

	if (!err)
		*out = json_object_get_string(v);
	return err;
}

static int jaddr(const struct jp *p, const char *field, struct json_object *v,
		 struct lb_addr *a)
{
	const char *s;
	int err = jstr(p, field, v, &s);

	if (!err && lb_addr_parse(s, a))
		err = jfail(p, field, "'%s' is not an IPv4 or IPv6 address", s);
	return err;
}

/* @what names the object itself ("lb.vips[0]", or "body"). */
static int jobject(const struct jp *p, struct json_object *o)
{
	char what[128];
	size_t len = strlen(p->prefix);

	if (json_object_is_type(o, json_type_object))
		return 0;
	snprintf(what, sizeof(what), "%.*s", len ? (int)len - 1 : 4,
		 len ? p->prefix : "body");
	snprintf(p->err, p->errlen, "%s: expected an object, got %s", what,
		 json_type_to_name(json_object_get_type(o)));
	return -EINVAL;
}

static int junknown(const struct jp *p, const char *key, const char *known)
{
	snprintf(p->err, p->errlen, "unknown field '%s%s' (known: %s)", p->prefix,
		 key, known);
	return -EINVAL;
}

static bool in_list(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(key, *list))
			return true;
	return false;
}

static int parse_health(const struct jp *p, struct json_object *o,
			struct health_params *h, bool *port_given,
			bool *kind_given)
{
	static const char known[] =
		"kind, port, path, interval_ms, timeout_ms, rise, fall";
	char prefix[128];
	struct jp hp = *p;
	int64_t v = 0;
	int err = 0;

	snprintf(prefix, sizeof(prefix), "%shealth.", p->prefix);
	hp.prefix = prefix;
	if (jobject(&hp, o))
		return -EINVAL;
	json_object_object_foreach(o, key, val) {
		uint32_t *u32 = !strcmp(key, "interval_ms") ? &h->interval_ms :
				!strcmp(key, "timeout_ms") ? &h->timeout_ms :
				!strcmp(key, "rise") ? &h->rise :
				!strcmp(key, "fall") ? &h->fall : NULL;
		const char *s;

		if (!strcmp(key, "kind")) {
			err = jstr(&hp, key, val, &s);
			if (!err && health_kind_parse(s, &h->kind))
				err = jfail(&hp, key, "'%s' is not one of none, "
					    "tcp, http", s);
			*kind_given = true;
		} else if (!strcmp(key, "port")) {
			err = jint(&hp, key, val, &v);
			if (!err)
				err = check_range(&hp, key, v, 0, 65535);
			h->port = (uint16_t)v;
			*port_given = true;
		} else if (!strcmp(key, "path")) {
			err = jstr(&hp, key, val, &s);
			if (!err && strlen(s) >= sizeof(h->http_path))
				err = jfail(&hp, key, "longer than %zu characters",
					    sizeof(h->http_path) - 1);
			if (!err)
				snprintf(h->http_path, sizeof(h->http_path), "%s", s);
		} else if (u32) {
			/* health_params_validate() knows the real ranges */
			err = jint(&hp, key, val, &v);
			if (!err)
				err = check_range(&hp, key, v, 0, UINT32_MAX);
			*u32 = (uint32_t)v;
		} else {
			err = junknown(&hp, key, known);
		}
		if (err)
			return err;
	}
	return 0;
}

static const char *const be_ro[] = {
	"backend_id", "health", "health_error", "slots", "counters", NULL,
};

int lb_backend_spec_from_json(struct json_object *o, const char *prefix,
			      struct lb_backend_spec *out, char *err,
			      size_t errlen)
{
	const struct jp p = { .prefix = prefix, .err = err, .errlen = errlen };
	struct lb_backend_spec b = { .weight = 1, .state = LB_BE_ACTIVE };
	bool have_addr = false;
	int64_t v = 0;
	int rc = 0;

	if (jobject(&p, o))
		return -EINVAL;
	json_object_object_foreach(o, key, val) {
		const char *s;

		if (!strcmp(key, "address")) {
			rc = jaddr(&p, key, val, &b.addr);
			have_addr = true;
		} else if (!strcmp(key, "weight")) {
			rc = jint(&p, key, val, &v);
			if (!rc)
				rc = check_range(&p, key, v, 1, LB_WEIGHT_MAX);
			b.weight = (uint32_t)v;
		} else if (!strcmp(key, "state")) {
			rc = jstr(&p, key, val, &s);
			if (!rc && be_state_parse(s, &b.state))
				rc = jfail(&p, key, "'%s' is not one of active, "
					   "draining, down", s);
		} else if (in_list(key, be_ro)) {
			rc = jfail(&p, key, "is read-only");
		} else {
			rc = junknown(&p, key, "address, weight, state");
		}
		if (rc)
			return rc;
	}
	if (!have_addr)
		return jfail(&p, "address", "required");
	rc = check_backend(&p, &b);
	if (!rc)
		*out = b;
	return rc;
}

int lb_backend_patch_from_json(struct json_object *o,
			       struct lb_backend_patch *out, char *err,
			       size_t errlen)
{
	const struct jp p = { .prefix = "", .err = err, .errlen = errlen };
	struct lb_backend_patch pa = {};
	int64_t v = 0;
	int rc = 0;

	if (jobject(&p, o))
		return -EINVAL;
	json_object_object_foreach(o, key, val) {
		const char *s;

		if (!strcmp(key, "weight")) {
			rc = jint(&p, key, val, &v);
			if (!rc)
				rc = check_range(&p, key, v, 1, LB_WEIGHT_MAX);
			pa.weight = (uint32_t)v;
			pa.has_weight = true;
		} else if (!strcmp(key, "state")) {
			rc = jstr(&p, key, val, &s);
			if (!rc && be_state_parse(s, &pa.state))
				rc = jfail(&p, key, "'%s' is not one of active, "
					   "draining, down", s);
			pa.has_state = true;
		} else if (!strcmp(key, "address")) {
			rc = jfail(&p, key, "cannot be changed (it names the "
				   "backend: delete it and add the new one)");
		} else if (in_list(key, be_ro)) {
			rc = jfail(&p, key, "is read-only");
		} else {
			rc = junknown(&p, key, "weight, state");
		}
		if (rc)
			return rc;
	}
	if (!pa.has_weight && !pa.has_state) {
		snprintf(err, errlen, "body: nothing to change (expected weight "
			 "and/or state)");
		return -EINVAL;
	}
	*out = pa;
	return 0;
}

static const char *const vip_ro[] = { "id", "vip_id", "counters", NULL };

static int parse_backends(const struct jp *p, struct json_object *arr,
			  struct lb_vip_spec *s)
{
	char prefix[128];
	size_t n;
	int err = jtype(p, "backends", arr, json_type_array);

	if (err)
		return err;
	n = json_object_array_length(arr);
	if (n > LB_MAX_BACKENDS)
		return jfail(p, "backends", "%zu are more than %u", n,
			     LB_MAX_BACKENDS);
	s->be = calloc(n ? n : 1, sizeof(*s->be));
	if (!s->be)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		snprintf(prefix, sizeof(prefix), "%sbackends[%zu].", p->prefix, i);
		err = lb_backend_spec_from_json(json_object_array_get_idx(arr, i),
						prefix, &s->be[i], p->err,
						p->errlen);
		if (err)
			return err;
		s->n_be = i + 1;
	}
	return check_backends(p, s->be, s->n_be);
}

int lb_vip_spec_from_json(struct json_object *o, const char *prefix,
			  struct lb_vip_spec *out, char *err, size_t errlen)
{
	static const char known[] = "address, port, protocol, encap, hash, "
				    "ring_size, health, backends";
	const struct jp p = { .prefix = prefix, .err = err, .errlen = errlen };
	struct json_object *health = NULL, *backends = NULL;
	bool have_addr = false, have_port = false, have_proto = false;
	bool health_port = false, health_kind = false;
	struct lb_vip_spec s = {};
	struct lb_addr a;
	int64_t v = 0;
	int rc = 0;

	if (jobject(&p, o))
		return -EINVAL;
	s.conf.ring_size = SLUICE_LB_DEFAULT_RING;
	s.conf.health = (struct health_params){
		.kind = HEALTH_TCP, .interval_ms = 1000, .timeout_ms = 500,
		.rise = 2, .fall = 3, .http_path = "/",
	};
	json_object_object_foreach(o, key, val) {
		const char *str;

		if (!strcmp(key, "address")) {
			rc = jaddr(&p, key, val, &a);
			if (!rc)
				rc = check_vip_addr(&p, key, &a);
			memcpy(s.conf.key.addr, a.a, sizeof(a.a));
			s.conf.key.family = a.family;
			have_addr = true;
		} else if (!strcmp(key, "port")) {
			rc = jint(&p, key, val, &v);
			if (!rc)
				rc = check_range(&p, key, v, 0, 65535);
			s.conf.key.port = htons((uint16_t)v);
			have_port = true;
		} else if (!strcmp(key, "protocol")) {
			rc = jstr(&p, key, val, &str);
			if (!rc && strcmp(str, "tcp") && strcmp(str, "udp"))
				rc = jfail(&p, key, "'%s' is not tcp or udp", str);
			if (!rc)
				s.conf.key.proto = str[0] == 't' ? IPPROTO_TCP :
								  IPPROTO_UDP;
			have_proto = true;
		} else if (!strcmp(key, "encap")) {
			rc = jstr(&p, key, val, &str);
			if (!rc && strcmp(str, "ipip") && strcmp(str, "gre"))
				rc = jfail(&p, key, "'%s' is not ipip or gre", str);
			if (!rc && !strcmp(str, "gre"))
				s.conf.flags |= SLUICE_VIP_GRE;
		} else if (!strcmp(key, "hash")) {
			rc = jstr(&p, key, val, &str);
			if (!rc && strcmp(str, "5tuple") && strcmp(str, "src"))
				rc = jfail(&p, key, "'%s' is not 5tuple or src", str);
			if (!rc && !strcmp(str, "src"))
				s.conf.flags |= SLUICE_VIP_HASH_SRC;
		} else if (!strcmp(key, "ring_size")) {
			rc = jint(&p, key, val, &v);
			if (!rc)
				rc = check_ring_size(&p, v);
			s.conf.ring_size = (uint32_t)v;
		} else if (!strcmp(key, "health")) {
			health = val;
		} else if (!strcmp(key, "backends")) {
			backends = val;
		} else if (in_list(key, vip_ro)) {
			rc = jfail(&p, key, "is read-only");
		} else {
			rc = junknown(&p, key, known);
		}
		if (rc)
			return rc;
	}
	if (!have_addr)
		return jfail(&p, "address", "required");
	if (!have_port)
		return jfail(&p, "port", "required");
	if (!have_proto)
		return jfail(&p, "protocol", "required (tcp or udp)");
	/* A UDP service (DNS, syslog, QUIC...) seldom answers TCP on its own
	 * port: a default TCP check would mark every backend down.  UDP
	 * VIPs get checks only when asked for. */
	if (s.conf.key.proto == IPPROTO_UDP)
		s.conf.health.kind = HEALTH_NONE;
	if (health) {
		rc = parse_health(&p, health, &s.conf.health, &health_port,
				  &health_kind);
		if (rc)
			return rc;
		/* {"port": 53} alone would silently check nothing */
		if (!health_kind && s.conf.key.proto == IPPROTO_UDP &&
		    json_object_object_length(health))
			return jfail(&p, "health.kind", "required when a udp VIP "
				     "sets other health fields (its default "
				     "is none)");
	}
	rc = check_vip_conf(&p, &s.conf, health_port);
	if (!rc && backends)
		rc = parse_backends(&p, backends, &s);
	if (rc) {
		lb_vip_spec_free(&s);
		return rc;
	}
	*out = s;
	return 0;
}

void lb_vip_spec_free(struct lb_vip_spec *s)
{
	free(s->be);
	s->be = NULL;
	s->n_be = 0;
}

void lb_vip_specs_free(struct lb_vip_spec *vips, size_t n)
{
	for (size_t i = 0; vips && i < n; i++)
		lb_vip_spec_free(&vips[i]);
	free(vips);
}

int lb_vip_specs_from_json(struct json_object *arr, const char *field,
			   struct lb_vip_spec **out, size_t *n_out, char *err,
			   size_t errlen)
{
	const struct jp p = { .prefix = "", .err = err, .errlen = errlen };
	char prefix[64], id[LB_VIP_ID_LEN];
	struct lb_vip_spec *vips;
	size_t n, backends = 0;
	int rc = jtype(&p, field, arr, json_type_array);

	if (rc)
		return rc;
	n = json_object_array_length(arr);
	if (n > LB_MAX_VIPS)
		return jfail(&p, field, "%zu VIPs are more than %u", n,
			     LB_MAX_VIPS);
	vips = calloc(n ? n : 1, sizeof(*vips));
	if (!vips)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct lb_vip_spec *s = &vips[i];

		snprintf(prefix, sizeof(prefix), "%s[%zu].", field, i);
		rc = lb_vip_spec_from_json(json_object_array_get_idx(arr, i),
					   prefix, s, err, errlen);
		if (rc)
			goto err;
		backends += s->n_be;
		for (size_t j = 0; j < i; j++) {
			if (!key_eq(&s->conf.key, &vips[j].conf.key))
				continue;
			snprintf(err, errlen, "%s[%zu]: vip %s is listed twice",
				 field, i, lb_vip_id_str(&s->conf.key, id,
							 sizeof(id)));
			rc = -EINVAL;
			goto err;
		}
	}
	if (backends > LB_MAX_BACKENDS) {
		rc = jfail(&p, field, "%zu backends in all are more than %u",
			   backends, LB_MAX_BACKENDS);
		goto err;
	}
	*out = vips;
	*n_out = n;
	return 0;
err:
	lb_vip_specs_free(vips, n);	/* the ones not reached are zeroes */
	return rc;
}

int lb_source_parse(const char *field, const char *s, int family,
		    struct lb_settings *set, char *err, size_t errlen)
{
	const struct jp p = { .prefix = "", .err = err, .errlen = errlen };
	unsigned int want = family == AF_INET ? 24 : 96;
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	struct lb_addr a = { .family = (uint8_t)family };
	unsigned long len;

	if (!*s) {
		if (family == AF_INET)
			set->have_src4 = false;
		else
			set->have_src6 = false;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return jfail(&p, field, "'%.60s...' is too long", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash || inet_pton(family, (*slash = '\0', buf), a.a) != 1)
		return jfail(&p, field, "'%s' is not an %s prefix (like %s)", s,
			     family == AF_INET ? "IPv4" : "IPv6",
			     family == AF_INET ? "198.18.200.0/24" :
						 "2001:db8:200::/96");
	len = strtoul(slash + 1, &end, 10);
	if (end == slash + 1 || *end || len != want)
		return jfail(&p, field, "'%s' must be a /%u (the data path varies "
			     "the last %s per flow)", s, want,
			     family == AF_INET ? "byte" : "32 bits");
	for (unsigned int i = want / 8; i < addr_len(family); i++)
		if (a.a[i])
			return jfail(&p, field, "'%s' has host bits set", s);
	if (check_be_addr(&p, field, &a))
		return -EINVAL;
	if (family == AF_INET) {
		memcpy(set->src4, a.a, 4);
		set->have_src4 = true;
	} else {
		memcpy(set->src6, a.a, 16);
		set->have_src6 = true;
	}
	return 0;
}

const char *lb_source_str(const struct lb_settings *set, int family, char *buf,
			  size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (family == AF_INET ? !set->have_src4 : !set->have_src6) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	inet_ntop(family, family == AF_INET ? set->src4 : set->src6, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, family == AF_INET ? 24 : 96);
	return buf;
}

/* ---- transactions ---------------------------------------------------------- */

enum undo_op {
	UNDO_VIP_DEL,		/* the VIP key was new */
	UNDO_VIP_SET,		/* restore the previous VIP value */
	UNDO_BE_DEL,		/* the backend was new */
	UNDO_BE_SET,		/* restore the previous backend value */
	UNDO_RING_DEL,		/* the ring was new */
	UNDO_RING_INSTALL,	/* put the previous table back (borrowed) */
	UNDO_RING_WRITE,	/* write the previous slot values (owned) */
};

struct undo {
	enum undo_op op;
	uint32_t id;		/* vip or backend id */
	uint32_t n;		/* ring size or number of slots */
	struct sluice_vip_key key;
	struct sluice_vip vip;
	struct sluice_backend be;
	const uint32_t *table;
	uint32_t *slots, *vals;
};

struct txn {
	struct lb *lb;
	struct undo *u;
	size_t n, cap;
};

/* Room for one more undo, made before the write it undoes: a write that
 * succeeded is never left without its undo. */
static int txn_reserve(struct txn *t)
{
	struct undo *u;
	size_t cap;

	if (t->n < t->cap)
		return 0;
	cap = t->cap ? t->cap * 2 : 16;
	u = realloc(t->u, cap * sizeof(*u));
	if (!u)
		return -ENOMEM;
	t->u = u;
	t->cap = cap;
	return 0;
}

/* After a write (@err its result): keep @u, the way back, if it worked. */
static int txn_note(struct txn *t, int err, const struct undo *u)
{
	if (!err)
		t->u[t->n++] = *u;
	return err;
}

static void txn_free(struct txn *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->u[i].slots);
		free(t->u[i].vals);
	}
	free(t->u);
	t->u = NULL;
	t->n = t->cap = 0;
}

/* Each t_*() makes one map write through lb->ops and notes its undo: a new
 * key or entry is deleted again, an old value is put back. */
static int t_vip_set(struct txn *t, const struct sluice_vip_key *k,
		     const struct sluice_vip *v, const struct sluice_vip *prev)
{
	struct undo u = { .op = prev ? UNDO_VIP_SET : UNDO_VIP_DEL, .key = *k };

	if (prev)
		u.vip = *prev;
	if (txn_reserve(t))
		return -ENOMEM;
	return txn_note(t, t->lb->ops->vip_set(t->lb->dp, k, v), &u);
}

static int t_vip_del(struct txn *t, const struct sluice_vip_key *k,
		     const struct sluice_vip *prev)
{
	struct undo u = { .op = UNDO_VIP_SET, .key = *k, .vip = *prev };

	if (txn_reserve(t))
		return -ENOMEM;
	return txn_note(t, t->lb->ops->vip_del(t->lb->dp, k), &u);
}

static int t_be_set(struct txn *t, uint32_t id, const struct sluice_backend *b,
		    const struct sluice_backend *prev)
{
	struct undo u = { .op = prev ? UNDO_BE_SET : UNDO_BE_DEL, .id = id };

	if (prev)
		u.be = *prev;
	if (txn_reserve(t))
		return -ENOMEM;
	return txn_note(t, t->lb->ops->backend_set(t->lb->dp, id, b), &u);
}

static int t_be_del(struct txn *t, uint32_t id, const struct sluice_backend *prev)
{
	struct undo u = { .op = UNDO_BE_SET, .id = id, .be = *prev };

	if (txn_reserve(t))
		return -ENOMEM;
	return txn_note(t, t->lb->ops->backend_del(t->lb->dp, id), &u);
}

/* @prev (@prev_m slots) is what was installed, NULL if nothing; it must stay
 * valid until the transaction is over. */
static int t_ring_install(struct txn *t, uint32_t vip_id, uint32_t m,
			  const uint32_t *table, uint32_t prev_m,
			  const uint32_t *prev)
{
	struct undo u = { .op = prev ? UNDO_RING_INSTALL : UNDO_RING_DEL,
			  .id = vip_id, .n = prev_m, .table = prev };
	int err;

	if (txn_reserve(t))
		return -ENOMEM;
	err = t->lb->ops->ring_install(t->lb->dp, vip_id, m, table);
	t->lb->slots_written += err ? 0 : m;
	return txn_note(t, err, &u);
}

static int t_ring_del(struct txn *t, uint32_t vip_id, uint32_t m,
		      const uint32_t *prev)
{
	struct undo u = { .op = UNDO_RING_INSTALL, .id = vip_id, .n = m,
			  .table = prev };

	if (txn_reserve(t))
		return -ENOMEM;
	return txn_note(t, t->lb->ops->ring_del(t->lb->dp, vip_id), &u);
}

/* Writes the @n @slots where @old and @nw differ. */
static int t_ring_write(struct txn *t, uint32_t vip_id, const uint32_t *slots,
			uint32_t n, const uint32_t *old, const uint32_t *nw)
{
	struct undo u = { .op = UNDO_RING_WRITE, .id = vip_id, .n = n };
	uint32_t *vals;
	int err = -ENOMEM;

	if (!n)
		return 0;
	/* the undo owns the slot numbers and their old values */
	u.slots = malloc(n * sizeof(*u.slots));
	u.vals = malloc(n * sizeof(*u.vals));
	vals = malloc(n * sizeof(*vals));
	if (!u.slots || !u.vals || !vals || txn_reserve(t))
		goto err;
	for (uint32_t i = 0; i < n; i++) {
		u.slots[i] = slots[i];
		u.vals[i] = old[slots[i]];
		vals[i] = nw[slots[i]];
	}
	err = t->lb->ops->ring_write(t->lb->dp, vip_id, slots, vals, n);
	free(vals);
	/* A failed batch may have written some of the slots (the kernel
	 * stops at the first element it cannot update): the undo puts all
	 * of them back, before any backend they now name is unset again. */
	t->u[t->n++] = u;
	if (!err)
		t->lb->slots_written += n;
	return err;
err:
	free(u.slots);
	free(u.vals);
	free(vals);
	return err;
}

/* Puts the maps back as they were, newest write first. */
static void txn_rollback(struct txn *t)
{
	struct lb *lb = t->lb;
	int err, failed = 0;

	while (t->n) {
		struct undo *u = &t->u[--t->n];

		switch (u->op) {
		case UNDO_VIP_DEL:
			err = lb->ops->vip_del(lb->dp, &u->key);
			break;
		case UNDO_VIP_SET:
			err = lb->ops->vip_set(lb->dp, &u->key, &u->vip);
			break;
		case UNDO_BE_DEL:
			err = lb->ops->backend_del(lb->dp, u->id);
			break;
		case UNDO_BE_SET:
			err = lb->ops->backend_set(lb->dp, u->id, &u->be);
			break;
		case UNDO_RING_DEL:
			err = lb->ops->ring_del(lb->dp, u->id);
			break;
		case UNDO_RING_INSTALL:
			err = lb->ops->ring_install(lb->dp, u->id, u->n, u->table);
			lb->slots_written += err ? 0 : u->n;
			break;
		case UNDO_RING_WRITE:
			err = lb->ops->ring_write(lb->dp, u->id, u->slots,
						  u->vals, u->n);
			lb->slots_written += err ? 0 : u->n;
			break;
		default:
			err = -EINVAL;
		}
		free(u->slots);
		free(u->vals);
		u->slots = u->vals = NULL;
		if (err)
			failed++;
	}
	if (failed)
		pr_err("lb: %d undo writes failed: the data path may differ from "
		       "the model until the next change", failed);
}

/* ---- ids ------------------------------------------------------------------------ */

static uint32_t be_id_alloc(struct lb *lb)
{
	uint32_t id;

	if (!lb->free_n)
		return 0;
	id = lb->free_q[lb->free_head];
	lb->free_head = (lb->free_head + 1) % LB_MAX_BACKENDS;
	lb->free_n--;
	return id;
}

/* Undoes the last be_id_alloc(): back to the front of the queue. */
static void be_id_unalloc(struct lb *lb, uint32_t id)
{
	lb->free_head = (lb->free_head + LB_MAX_BACKENDS - 1) % LB_MAX_BACKENDS;
	lb->free_q[lb->free_head] = id;
	lb->free_n++;
}

static void be_id_release(struct lb *lb, uint32_t id)
{
	lb->free_q[(lb->free_head + lb->free_n) % LB_MAX_BACKENDS] = id;
	lb->free_n++;
}

static uint32_t vip_id_alloc(const struct lb *lb)
{
	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		if (!lb->vips[id] && !lb->vip_reserved[id])
			return id;
	return 0;
}

/* ---- the model --------------------------------------------------------------- */

static void vip_free(struct lb_vip *v)
{
	if (!v)
		return;
	free(v->be);
	free(v->table);
	free(v);
}

/* A copy of @v with room for @extra more backends and a table to fill. */
static struct lb_vip *vip_clone(const struct lb_vip *v, size_t extra)
{
	struct lb_vip *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->conf = v->conf;
	c->id = v->id;
	c->be = calloc(v->n_be + extra ? v->n_be + extra : 1, sizeof(*c->be));
	c->table = malloc(v->conf.ring_size * sizeof(*c->table));
	if (!c->be || !c->table) {
		vip_free(c);
		return NULL;
	}
	memcpy(c->be, v->be, v->n_be * sizeof(*c->be));
	c->n_be = v->n_be;
	return c;
}

static ssize_t be_index(const struct lb_vip *v, const struct lb_addr *a)
{
	for (size_t i = 0; i < v->n_be; i++)
		if (addr_eq(&v->be[i].spec.addr, a))
			return (ssize_t)i;
	return -1;
}

static const struct lb_backend *be_by_id(const struct lb_vip *v, uint32_t id)
{
	for (size_t i = 0; i < v->n_be; i++)
		if (v->be[i].id == id)
			return &v->be[i];
	return NULL;
}

/* ix[id]: @v's backend with that id, or NULL (@v may be NULL), so that
 * comparing two versions of a VIP stays linear in its backends. */
static const struct lb_backend **index_by_id(const struct lb_vip *v)
{
	const struct lb_backend **ix = calloc(SLUICE_LB_MAX_BACKENDS, sizeof(*ix));

	for (size_t i = 0; ix && v && i < v->n_be; i++)
		ix[v->be[i].id] = &v->be[i];
	return ix;
}

static void backend_init(struct lb_backend *b, const struct lb_backend_spec *s,
			 uint32_t id)
{
	memset(b, 0, sizeof(*b));
	b->spec = *s;
	b->id = id;
	b->key = lb_backend_key(&s->addr);
	b->health = HEALTH_UNKNOWN;
}

static void stats_clear(struct lb *lb, uint32_t vip_id, uint32_t be_id)
{
	/* counters only: a failure leaves old numbers, never a wrong packet */
	int err = lb->ops->stats_clear(lb->dp, vip_id, be_id);

	if (err)
		pr_warn("lb: cannot clear counters of vip %u/backend %u: %s",
			vip_id, be_id, strerror(-err));
}

/* A new VIP: its backends, then its complete table, then the key that makes
 * the data path look at all that. */
static int program_add(struct lb *lb, struct txn *t, const struct lb_vip *nw)
{
	struct sluice_vip vv = vip_value(nw);
	int err;

	stats_clear(lb, nw->id, 0);
	for (size_t i = 0; i < nw->n_be; i++) {
		struct sluice_backend bv = be_value(&nw->be[i]);

		stats_clear(lb, 0, nw->be[i].id);
		err = t_be_set(t, nw->be[i].id, &bv, NULL);
		if (err)
			return err;
	}
	err = t_ring_install(t, nw->id, nw->conf.ring_size, nw->table, 0, NULL);
	return err ? err : t_vip_set(t, &nw->conf.key, &vv, NULL);
}

/* Gone: the key first (no new packet finds the VIP), then its table, then
 * the backends nothing points to any more. */
static int program_del(struct lb *lb, struct txn *t, const struct lb_vip *old)
{
	struct sluice_vip vv = vip_value(old);
	int err;

	err = t_vip_del(t, &old->conf.key, &vv);
	if (!err)
		err = t_ring_del(t, old->id, old->conf.ring_size, old->table);
	for (size_t i = 0; i < old->n_be && !err; i++) {
		struct sluice_backend bv = be_value(&old->be[i]);

		err = t_be_del(t, old->be[i].id, &bv);
	}
	if (err)
		return err;
	stats_clear(lb, old->id, 0);
	for (size_t i = 0; i < old->n_be; i++)
		stats_clear(lb, 0, old->be[i].id);
	return 0;
}

/* Every slot has a backend: a Maglev table is full or, with no usable
 * backend, empty. */
static bool table_full(const uint32_t *table, uint32_t m)
{
	for (uint32_t s = 0; s < m; s++)
		if (!table[s])
			return false;
	return true;
}

static bool be_value_eq(const struct sluice_backend *a,
			const struct sluice_backend *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/*
 * @old (as the maps hold it: @old_vv is its lb_vips value, @old->table its
 * ring or NULL if there is none) becomes @nw, same vip id and key.
 *
 * What the data path sees at every step, rollback included: each slot of
 * the VIP's table names a backend that is set and not down, or the whole
 * table is empty (no usable backend), so a new flow never finds an empty
 * or dangling slot while some backend could take it (drop_lb_no_backend).
 * Hence a backend that comes (or comes back) up is written before the
 * table gives it slots; one that goes down loses its slots before it is
 * flagged (flagging first would drop the new flows still hashed to it);
 * one that leaves is deleted once no slot names it; and a table that goes
 * from empty to full or back is swapped whole, not written slot by slot.
 * The undo of each step runs in reverse order, so it keeps the same rule.
 */
static int program_change(struct lb *lb, struct txn *t, const struct lb_vip *old,
			  const struct sluice_vip *old_vv, const struct lb_vip *nw,
			  uint32_t *written)
{
	const struct lb_backend **old_ix = index_by_id(old);
	const struct lb_backend **new_ix = index_by_id(nw);
	struct sluice_vip vv = vip_value(nw);
	uint32_t m = nw->conf.ring_size, *changed = NULL, n;
	uint64_t before = lb->slots_written;
	bool vip_first;
	int err = 0;

	if (!old_ix || !new_ix) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nw->n_be && !err; i++) {
		const struct lb_backend *o = old_ix[nw->be[i].id];
		struct sluice_backend bv = be_value(&nw->be[i]), ov;

		if (!o) {
			stats_clear(lb, 0, nw->be[i].id);
			err = t_be_set(t, nw->be[i].id, &bv, NULL);
			continue;
		}
		ov = be_value(o);
		if (!be_value_eq(&bv, &ov) && !(bv.flags & SLUICE_BE_DOWN))
			err = t_be_set(t, nw->be[i].id, &bv, &ov);
	}
	if (err)
		goto out;

	/* A new M: the data path indexes hash % vip.ring_size, so a smaller
	 * M goes first (the old, larger table covers it), a larger one last
	 * (after its table). */
	vip_first = old->table && m < old_vv->ring_size &&
		    m <= old->conf.ring_size;
	if (vip_first && memcmp(&vv, old_vv, sizeof(vv))) {
		err = t_vip_set(t, &nw->conf.key, &vv, old_vv);
		if (err)
			goto out;
	}
	if (old->table && old->conf.ring_size == m) {
		changed = malloc(m * sizeof(*changed));
		if (!changed) {
			err = -ENOMEM;
			goto out;
		}
		n = (uint32_t)maglev_diff(old->table, nw->table, m, changed);
		/* From no usable backend to some, or back: every slot changes,
		 * and slot by slot the data path would see a table half empty
		 * while a backend is there to take the flows.  A whole table
		 * swapped in is never half anything. */
		if (n && (!table_full(old->table, m) || !table_full(nw->table, m)))
			err = t_ring_install(t, nw->id, m, nw->table, m,
					     old->table);
		else
			err = t_ring_write(t, nw->id, changed, n, old->table,
					   nw->table);
		free(changed);
	} else {
		err = t_ring_install(t, nw->id, m, nw->table,
				     old->table ? old->conf.ring_size : 0,
				     old->table);
	}
	if (err)
		goto out;

	for (size_t i = 0; i < nw->n_be && !err; i++) {
		const struct lb_backend *o = old_ix[nw->be[i].id];
		struct sluice_backend bv = be_value(&nw->be[i]), ov;

		if (!o)
			continue;
		ov = be_value(o);
		if (!be_value_eq(&bv, &ov) && (bv.flags & SLUICE_BE_DOWN))
			err = t_be_set(t, nw->be[i].id, &bv, &ov);
	}
	for (size_t i = 0; i < old->n_be && !err; i++) {
		struct sluice_backend ov = be_value(&old->be[i]);

		if (new_ix[old->be[i].id])
			continue;
		err = t_be_del(t, old->be[i].id, &ov);
		if (!err)
			stats_clear(lb, 0, old->be[i].id);
	}
	if (!err && !vip_first && memcmp(&vv, old_vv, sizeof(vv)))
		err = t_vip_set(t, &nw->conf.key, &vv, old_vv);
	if (written)
		*written = (uint32_t)(lb->slots_written - before);
out:
	free(old_ix);
	free(new_ix);
	return err;
}

/* Health targets for @nw's backends that @old (NULL: none) did not have.
 * On failure the ones added here are removed again. */
static int health_add(struct lb *lb, const struct lb_vip *old,
		      const struct lb_vip *nw)
{
	const struct health_params *hp = &nw->conf.health;
	const struct lb_backend **old_ix;
	size_t i;
	int err = 0;

	if (!lb->health || hp->kind == HEALTH_NONE)
		return 0;
	old_ix = index_by_id(old);
	if (!old_ix)
		return -ENOMEM;
	for (i = 0; i < nw->n_be && !err; i++) {
		const struct lb_backend *b = &nw->be[i];

		if (old_ix[b->id])
			continue;
		err = health_set(lb->health, b->id, b->spec.addr.family,
				 b->spec.addr.a, hp);
	}
	while (err && i-- > 0)
		if (!old_ix[nw->be[i].id])
			health_del(lb->health, nw->be[i].id);
	free(old_ix);
	return err;
}

/* After a commit: no checks for backends that are gone. */
static void health_drop(struct lb *lb, const struct lb_vip *old,
			const struct lb_backend **new_ix)
{
	if (!lb->health || !old)
		return;
	for (size_t i = 0; i < old->n_be; i++)
		if (!new_ix[old->be[i].id])
			health_del(lb->health, old->be[i].id);
}

/* The model follows the maps: @nw replaces @old (either may be NULL);
 * @new_ix indexes @nw. */
static void commit(struct lb *lb, struct lb_vip *old, struct lb_vip *nw,
		   const struct lb_backend **new_ix)
{
	if (old) {
		for (size_t i = 0; i < old->n_be; i++) {
			uint32_t id = old->be[i].id;

			if (new_ix[id])
				continue;
			lb->be_owner[id] = 0;
			be_id_release(lb, id);
		}
		lb->vips[old->id] = NULL;
	}
	if (nw) {
		for (size_t i = 0; i < nw->n_be; i++)
			lb->be_owner[nw->be[i].id] = (uint16_t)nw->id;
		lb->vips[nw->id] = nw;
	}
	vip_free(old);
}

static int map_error(char *err, size_t errlen, int rc)
{
	snprintf(err, errlen, "data path: a map write failed (%s); nothing "
		 "changed", strerror(rc < 0 ? -rc : rc));
	pr_err("lb: %s", err);
	return -EIO;
}

/*
 * The one way a VIP changes: program @nw over @old (either NULL for add or
 * delete), add health targets, then swap the model.  On failure everything
 * is undone and @nw freed; @old stays.
 */
static int apply(struct lb *lb, struct lb_vip *old, struct lb_vip *nw,
		 uint32_t *written, char *err, size_t errlen)
{
	const struct lb_backend **new_ix = index_by_id(nw);
	struct txn t = { .lb = lb };
	struct sluice_vip ovv;
	int rc;

	if (!new_ix) {
		rc = -ENOMEM;
	} else if (!old) {
		rc = program_add(lb, &t, nw);
	} else if (!nw) {
		rc = program_del(lb, &t, old);
	} else {
		ovv = vip_value(old);
		rc = program_change(lb, &t, old, &ovv, nw, written);
	}
	if (!rc && nw)
		rc = health_add(lb, old, nw);
	if (rc) {
		txn_rollback(&t);
		txn_free(&t);
		free(new_ix);
		vip_free(nw);
		return map_error(err, errlen, rc);
	}
	txn_free(&t);
	health_drop(lb, old, new_ix);
	commit(lb, old, nw, new_ix);
	free(new_ix);
	return 0;
}

static struct lb_vip *vip_by_key(const struct lb *lb,
				 const struct sluice_vip_key *k)
{
	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		if (lb->vips[id] && key_eq(&lb->vips[id]->conf.key, k))
			return lb->vips[id];
	return NULL;
}

static int check_spec(const struct lb_vip_spec *s, const char *prefix,
		      char *err, size_t errlen)
{
	const struct jp p = { .prefix = prefix, .err = err, .errlen = errlen };
	struct lb_vip_conf c = s->conf;
	int rc;

	rc = check_vip_conf(&p, &c, true);
	if (!rc)
		rc = check_backends(&p, s->be, s->n_be);
	return rc;
}

/* A VIP with @s's backends, ids from the free lists (or @ids), table built. */
static int vip_build(const struct lb_vip_spec *s, uint32_t vip_id,
		     const uint32_t *ids, struct lb_vip **out)
{
	struct lb_vip *v = calloc(1, sizeof(*v));
	int err;

	if (!v)
		return -ENOMEM;
	v->conf = s->conf;
	v->id = vip_id;
	v->be = calloc(s->n_be ? s->n_be : 1, sizeof(*v->be));
	v->table = malloc(s->conf.ring_size * sizeof(*v->table));
	if (!v->be || !v->table) {
		vip_free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->n_be; i++)
		backend_init(&v->be[i], &s->be[i], ids[i]);
	v->n_be = s->n_be;
	err = lb_table_compute(v->be, v->n_be, v->conf.ring_size, v->table);
	if (err) {
		vip_free(v);
		return err;
	}
	*out = v;
	return 0;
}

/* ---- public operations ------------------------------------------------------ */

int lb_vip_add(struct lb *lb, const struct lb_vip_spec *spec, uint32_t *vip_id,
	       char *err, size_t errlen)
{
	char name[LB_VIP_ID_LEN];
	struct lb_vip *nw = NULL;
	uint32_t *ids, id;
	size_t got = 0;
	int rc;

	rc = check_spec(spec, "", err, errlen);
	if (rc)
		return rc;
	lb_vip_id_str(&spec->conf.key, name, sizeof(name));
	if (vip_by_key(lb, &spec->conf.key)) {
		snprintf(err, errlen, "vip %s exists", name);
		return -EEXIST;
	}
	id = vip_id_alloc(lb);
	if (!id) {
		snprintf(err, errlen, "vips: all %u vip ids are in use",
			 LB_MAX_VIPS);
		return -ENOSPC;
	}
	ids = calloc(spec->n_be ? spec->n_be : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (; got < spec->n_be; got++) {
		ids[got] = be_id_alloc(lb);
		if (!ids[got])
			break;
	}
	if (got < spec->n_be) {
		snprintf(err, errlen, "backends: only %zu backend ids are free "
			 "(%u for all VIPs together)", got, LB_MAX_BACKENDS);
		rc = -ENOSPC;
		goto out;
	}
	rc = vip_build(spec, id, ids, &nw);
	if (rc) {
		snprintf(err, errlen, "cannot build the table: %s", strerror(-rc));
		goto out;
	}
	rc = apply(lb, NULL, nw, NULL, err, errlen);
	if (!rc) {
		pr_info("lb: VIP %s added (vip_id %u, %zu backends)", name, id,
			spec->n_be);
		if (vip_id)
			*vip_id = id;
		lb_state_save(lb);
	}
out:
	if (rc)
		while (got-- > 0)
			be_id_unalloc(lb, ids[got]);
	free(ids);
	return rc;
}

static struct lb_vip *vip_get_err(struct lb *lb, uint32_t vip_id, char *err,
				  size_t errlen)
{
	struct lb_vip *v = vip_id < SLUICE_LB_MAX_VIPS ? lb->vips[vip_id] : NULL;

	if (!v)
		snprintf(err, errlen, "vip %u does not exist", vip_id);
	return v;
}

int lb_vip_del(struct lb *lb, uint32_t vip_id, char *err, size_t errlen)
{
	struct lb_vip *old = vip_get_err(lb, vip_id, err, errlen);
	char name[LB_VIP_ID_LEN];
	int rc;

	if (!old)
		return -ENOENT;
	lb_vip_id_str(&old->conf.key, name, sizeof(name));
	rc = apply(lb, old, NULL, NULL, err, errlen);
	if (!rc) {
		pr_info("lb: VIP %s deleted", name);
		lb_state_save(lb);
	}
	return rc;
}

/* Recomputes @nw's table and applies it over the VIP it was cloned from. */
static int change(struct lb *lb, struct lb_vip *nw, uint32_t *written,
		  char *err, size_t errlen)
{
	int rc = lb_table_compute(nw->be, nw->n_be, nw->conf.ring_size,
				  nw->table);

	if (rc) {
		vip_free(nw);
		snprintf(err, errlen, "cannot build the table: %s", strerror(-rc));
		return rc;
	}
	return apply(lb, lb->vips[nw->id], nw, written, err, errlen);
}

int lb_backend_add(struct lb *lb, uint32_t vip_id,
		   const struct lb_backend_spec *spec, char *err, size_t errlen)
{
	const struct jp p = { .prefix = "", .err = err, .errlen = errlen };
	struct lb_vip *v = vip_get_err(lb, vip_id, err, errlen), *nw;
	char name[LB_VIP_ID_LEN], a[INET6_ADDRSTRLEN];
	uint32_t id, written = 0;
	int rc;

	if (!v)
		return -ENOENT;
	rc = check_backend(&p, spec);
	if (rc)
		return rc;
	lb_vip_id_str(&v->conf.key, name, sizeof(name));
	lb_addr_str(&spec->addr, a, sizeof(a));
	if (be_index(v, &spec->addr) >= 0) {
		snprintf(err, errlen, "backend %s exists in vip %s", a, name);
		return -EEXIST;
	}
	id = be_id_alloc(lb);
	if (!id) {
		snprintf(err, errlen, "backends: all %u backend ids are in use",
			 LB_MAX_BACKENDS);
		return -ENOSPC;
	}
	nw = vip_clone(v, 1);
	if (!nw) {
		be_id_unalloc(lb, id);
		return -ENOMEM;
	}
	backend_init(&nw->be[nw->n_be++], spec, id);
	rc = change(lb, nw, &written, err, errlen);
	if (rc) {
		be_id_unalloc(lb, id);
		return rc;
	}
	pr_info("lb: VIP %s: backend %s added (backend_id %u, %u slots written)",
		name, a, id, written);
	lb_state_save(lb);
	return 0;
}

static struct lb_vip *clone_for(struct lb *lb, uint32_t vip_id,
				const struct lb_addr *addr, size_t *idx,
				char *err, size_t errlen, int *rc)
{
	struct lb_vip *v = vip_get_err(lb, vip_id, err, errlen), *nw;
	char name[LB_VIP_ID_LEN], a[INET6_ADDRSTRLEN];
	ssize_t i;

	*rc = -ENOENT;
	if (!v)
		return NULL;
	i = be_index(v, addr);
	if (i < 0) {
		snprintf(err, errlen, "backend %s is not in vip %s",
			 lb_addr_str(addr, a, sizeof(a)),
			 lb_vip_id_str(&v->conf.key, name, sizeof(name)));
		return NULL;
	}
	nw = vip_clone(v, 0);
	*rc = nw ? 0 : -ENOMEM;
	*idx = (size_t)i;
	return nw;
}

int lb_backend_patch(struct lb *lb, uint32_t vip_id, const struct lb_addr *addr,
		     const struct lb_backend_patch *p, char *err, size_t errlen)
{
	const struct jp jp = { .prefix = "", .err = err, .errlen = errlen };
	char name[LB_VIP_ID_LEN], a[INET6_ADDRSTRLEN];
	struct lb_backend *b;
	struct lb_vip *nw;
	uint32_t written = 0;
	size_t i;
	int rc;

	if (p->has_weight && check_range(&jp, "weight", p->weight, 1, LB_WEIGHT_MAX))
		return -EINVAL;
	if (p->has_state && (unsigned int)p->state > LB_BE_DOWN)
		return jfail(&jp, "state", "%u is not active, draining or down",
			     (unsigned int)p->state);
	nw = clone_for(lb, vip_id, addr, &i, err, errlen, &rc);
	if (!nw)
		return rc;
	b = &nw->be[i];
	if (p->has_weight)
		b->spec.weight = p->weight;
	if (p->has_state)
		b->spec.state = p->state;
	lb_vip_id_str(&nw->conf.key, name, sizeof(name));
	lb_addr_str(addr, a, sizeof(a));
	rc = change(lb, nw, &written, err, errlen);
	if (rc)
		return rc;
	pr_info("lb: VIP %s: backend %s set to weight %u, %s (%u slots "
		"written)", name, a, lb->vips[vip_id]->be[i].spec.weight,
		lb_be_state_name(lb->vips[vip_id]->be[i].spec.state), written);
	lb_state_save(lb);
	return 0;
}

int lb_backend_del(struct lb *lb, uint32_t vip_id, const struct lb_addr *addr,
		   char *err, size_t errlen)
{
	char name[LB_VIP_ID_LEN], a[INET6_ADDRSTRLEN];
	struct lb_vip *nw;
	uint32_t written = 0;
	size_t i;
	int rc;

	nw = clone_for(lb, vip_id, addr, &i, err, errlen, &rc);
	if (!nw)
		return rc;
	memmove(&nw->be[i], &nw->be[i + 1], (nw->n_be - i - 1) * sizeof(nw->be[0]));
	nw->n_be--;
	lb_vip_id_str(&nw->conf.key, name, sizeof(name));
	lb_addr_str(addr, a, sizeof(a));
	rc = change(lb, nw, &written, err, errlen);
	if (rc)
		return rc;
	pr_info("lb: VIP %s: backend %s deleted (%u slots written)", name, a,
		written);
	lb_state_save(lb);
	return 0;
}

void lb_health_event(void *arg, uint64_t backend_id, enum health_state st)
{
	char name[LB_VIP_ID_LEN], a[INET6_ADDRSTRLEN], err[256];
	struct lb *lb = arg;
	struct lb_vip *v, *nw;
	const struct lb_backend *b;
	uint32_t written = 0;
	const char *why;
	size_t i;
	int rc;

	if (!backend_id || backend_id >= SLUICE_LB_MAX_BACKENDS)
		return;
	v = lb->vips[lb->be_owner[backend_id]];
	b = v ? be_by_id(v, (uint32_t)backend_id) : NULL;
	if (!b || b->health == st)
		return;
	/* @v and @b are freed when the change commits */
	i = (size_t)(b - v->be);
	lb_vip_id_str(&v->conf.key, name, sizeof(name));
	lb_addr_str(&b->spec.addr, a, sizeof(a));
	nw = vip_clone(v, 0);
	if (!nw) {
		pr_err("lb: VIP %s: backend %s is %s, but: out of memory", name,
		       a, health_state_name(st));
		return;
	}
	nw->be[i].health = st;
	rc = change(lb, nw, &written, err, sizeof(err));
	if (rc) {
		pr_err("lb: VIP %s: backend %s is %s, but %s", name, a,
		       health_state_name(st), err);
		return;
	}
	why = lb->health ? health_last_error(lb->health, backend_id) : NULL;
	if (st == HEALTH_DOWN)
		pr_warn("lb: VIP %s: backend %s is down (%s): %u slots written",
			name, a, why ? why : "", written);
	else
		pr_info("lb: VIP %s: backend %s is %s: %u slots written", name, a,
			health_state_name(st), written);
}

/* ---- startup: load and adopt ------------------------------------------------- */

struct map_vip {
	struct sluice_vip_key key;
	struct sluice_vip v;
	bool matched;
};

struct adopt {
	struct map_vip vips[SLUICE_LB_MAX_VIPS];
	size_t n_vips;
	struct sluice_backend be[SLUICE_LB_MAX_BACKENDS];
	bool claimed[SLUICE_LB_MAX_BACKENDS];
	/* flows[vip id][backend id / 8]: lb_flows has a flow of that pair */
	uint8_t (*flows)[SLUICE_LB_MAX_BACKENDS / 8 + 1];
	/* per config VIP */
	ssize_t *match;		/* index into vips, -1 = new */
	uint32_t **ids;		/* backend ids, 0 = to allocate */
	uint32_t **tables;	/* the pinned ring, NULL if none */
	uint32_t *table_m;
};

static int adopt_vip_cb(const void *key, const void *value, void *arg)
{
	struct adopt *ad = arg;

	if (ad->n_vips < SLUICE_LB_MAX_VIPS) {
		ad->vips[ad->n_vips].key = *(const struct sluice_vip_key *)key;
		ad->vips[ad->n_vips].v = *(const struct sluice_vip *)value;
		ad->n_vips++;
	}
	return 0;
}

static int adopt_be_cb(const void *key, const void *value, void *arg)
{
	const struct sluice_backend *b = value;
	struct adopt *ad = arg;
	uint32_t id = *(const uint32_t *)key;

	if (id && id < SLUICE_LB_MAX_BACKENDS && b->family)
		ad->be[id] = *b;
	return 0;
}

static int adopt_flow_cb(const void *key, const void *value, void *arg)
{
	const struct sluice_flow *f = value;
	struct adopt *ad = arg;

	(void)key;
	if (f->vip_id && f->vip_id < SLUICE_LB_MAX_VIPS && f->backend_id &&
	    f->backend_id < SLUICE_LB_MAX_BACKENDS)
		ad->flows[f->vip_id][f->backend_id / 8] |=
			(uint8_t)(1u << (f->backend_id % 8));
	return 0;
}

static bool be_matches(const struct sluice_backend *b,
		       const struct lb_backend_spec *s)
{
	return b->family == s->addr.family &&
	       !memcmp(b->addr, s->addr.a, addr_len(b->family));
}

static void adopt_free(struct adopt *ad, size_t n)
{
	if (!ad)
		return;
	for (size_t i = 0; i < n; i++) {
		if (ad->ids)
			free(ad->ids[i]);
		if (ad->tables)
			free(ad->tables[i]);
	}
	free(ad->ids);
	free(ad->tables);
	free(ad->table_m);
	free(ad->match);
	free(ad->flows);
	free(ad);
}

/* The pinned ring of a VIP, NULL if it has none. */
static uint32_t *read_ring(struct lb *lb, uint32_t vip_id, uint32_t *m)
{
	uint32_t *t = malloc(SLUICE_LB_MAX_RING * sizeof(*t));
	int err;

	if (!t)
		return NULL;
	err = lb->ops->ring_read(lb->dp, vip_id, t, SLUICE_LB_MAX_RING, m);
	if (err || !*m) {
		free(t);
		return NULL;
	}
	return t;
}

/*
 * Which pinned ids the config's VIPs and backends take over.  A backend id
 * is claimed by the VIP whose ring or flows name it (so flows stay on it),
 * then, for backends still without one, any unclaimed pinned entry with the
 * same address.  Never an id that the pinned ring of another adopted VIP
 * names: that VIP's slots point to it until its own table is rewritten,
 * and the new owner could flag it down or change it first (a backend
 * moved to another VIP across the restart).  Such an id stays unclaimed
 * and is deleted once every table is rewritten; the backend gets a new id.
 */
#define RING_SHARED UINT16_MAX

static int adopt_claim(struct lb *lb, struct adopt *ad,
		       const struct lb_vip_spec *vips, size_t n)
{
	bool *cand = calloc(SLUICE_LB_MAX_BACKENDS, sizeof(*cand));
	/* the adopted VIP whose pinned ring names an id, RING_SHARED if
	 * several do */
	uint16_t *ring_vid = calloc(SLUICE_LB_MAX_BACKENDS, sizeof(*ring_vid));

	if (!cand || !ring_vid) {
		free(cand);
		free(ring_vid);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		ad->match[i] = -1;
		for (size_t k = 0; k < ad->n_vips; k++) {
			if (!ad->vips[k].matched &&
			    key_eq(&ad->vips[k].key, &vips[i].conf.key) &&
			    ad->vips[k].v.vip_id &&
			    ad->vips[k].v.vip_id < SLUICE_LB_MAX_VIPS) {
				ad->vips[k].matched = true;
				ad->match[i] = (ssize_t)k;
				break;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint16_t vid;

		if (ad->match[i] < 0)
			continue;
		vid = (uint16_t)ad->vips[ad->match[i]].v.vip_id;
		lb->vip_reserved[vid] = true;
		ad->tables[i] = read_ring(lb, vid, &ad->table_m[i]);
		for (uint32_t s = 0; ad->tables[i] && s < ad->table_m[i]; s++) {
			uint32_t id = ad->tables[i][s];

			if (id >= SLUICE_LB_MAX_BACKENDS || ring_vid[id] == vid)
				continue;
			ring_vid[id] = ring_vid[id] ? RING_SHARED : vid;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t vid;

		if (ad->match[i] < 0)
			continue;
		vid = ad->vips[ad->match[i]].v.vip_id;
		memset(cand, 0, SLUICE_LB_MAX_BACKENDS * sizeof(*cand));
		for (uint32_t s = 0; ad->tables[i] && s < ad->table_m[i]; s++)
			if (ad->tables[i][s] < SLUICE_LB_MAX_BACKENDS)
				cand[ad->tables[i][s]] = true;
		for (uint32_t id = 1; id < SLUICE_LB_MAX_BACKENDS; id++) {
			if (!(cand[id] || ad->flows[vid][id / 8] & (1u << (id % 8))) ||
			    ad->claimed[id] || !ad->be[id].family ||
			    (ring_vid[id] && ring_vid[id] != vid))
				continue;
			for (size_t j = 0; j < vips[i].n_be; j++) {
				if (!ad->ids[i][j] &&
				    be_matches(&ad->be[id], &vips[i].be[j])) {
					ad->ids[i][j] = id;
					ad->claimed[id] = true;
					break;
				}
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t vid;

		if (ad->match[i] < 0)
			continue;
		vid = ad->vips[ad->match[i]].v.vip_id;
		for (size_t j = 0; j < vips[i].n_be; j++) {
			for (uint32_t id = 1; !ad->ids[i][j] &&
					      id < SLUICE_LB_MAX_BACKENDS; id++) {
				if (!ad->claimed[id] && ad->be[id].family &&
				    (!ring_vid[id] || ring_vid[id] == vid) &&
				    be_matches(&ad->be[id], &vips[i].be[j])) {
					ad->ids[i][j] = id;
					ad->claimed[id] = true;
				}
			}
		}
	}
	free(ring_vid);
	free(cand);
	/* Free ids: never used first, then the pinned ones nobody claimed
	 * (deleted at the end of lb_load, reused last). */
	lb->free_head = lb->free_n = 0;
	for (uint32_t id = 1; id < SLUICE_LB_MAX_BACKENDS; id++)
		if (!ad->claimed[id] && !ad->be[id].family)
			be_id_release(lb, id);
	for (uint32_t id = 1; id < SLUICE_LB_MAX_BACKENDS; id++)
		if (!ad->claimed[id] && ad->be[id].family)
			be_id_release(lb, id);
	return 0;
}

/* What the maps hold for an adopted VIP, as a model VIP: the old side of
 * program_change(). */
static int adopt_old(struct adopt *ad, size_t i, const struct lb_vip *nw,
		     struct lb_vip *old, struct sluice_vip *old_vv)
{
	const struct map_vip *mv = &ad->vips[ad->match[i]];
	size_t k = 0;

	memset(old, 0, sizeof(*old));
	old->conf = nw->conf;
	old->id = mv->v.vip_id;
	*old_vv = mv->v;
	old->table = ad->tables[i];
	old->conf.ring_size = ad->tables[i] ? ad->table_m[i] : mv->v.ring_size;
	old->be = calloc(nw->n_be ? nw->n_be : 1, sizeof(*old->be));
	if (!old->be)
		return -ENOMEM;
	for (size_t j = 0; j < nw->n_be; j++) {
		uint32_t id = nw->be[j].id;
		const struct sluice_backend *pb = &ad->be[id];
		struct lb_backend *b = &old->be[k];

		/* claimed ids are this VIP's (each is claimed once); the
		 * others were allocated now and are not in its ring yet */
		if (!ad->claimed[id])
			continue;
		b->id = id;
		b->spec.addr.family = pb->family;
		memcpy(b->spec.addr.a, pb->addr, sizeof(pb->addr));
		/* so that be_value() gives back exactly what is pinned */
		b->spec.state = pb->flags & SLUICE_BE_DOWN ? LB_BE_DOWN :
							     LB_BE_ACTIVE;
		b->health = HEALTH_UNKNOWN;
		k++;
	}
	old->n_be = k;
	return 0;
}

static void remove_stale_vip(struct lb *lb, const struct map_vip *mv)
{
	char name[LB_VIP_ID_LEN];
	int err;

	lb_vip_id_str(&mv->key, name, sizeof(name));
	err = lb->ops->vip_del(lb->dp, &mv->key);
	if (!err && mv->v.vip_id && mv->v.vip_id < SLUICE_LB_MAX_VIPS) {
		err = lb->ops->ring_del(lb->dp, mv->v.vip_id);
		stats_clear(lb, mv->v.vip_id, 0);
	}
	if (err)
		pr_warn("lb: cannot remove stale VIP %s: %s", name, strerror(-err));
	else
		pr_info("lb: VIP %s (vip_id %u) is not configured: removed",
			name, mv->v.vip_id);
}

static int load_one(struct lb *lb, struct adopt *ad, const struct lb_vip_spec *s,
		    size_t i, char *err, size_t errlen)
{
	struct lb_vip *nw = NULL, old;
	struct sluice_vip old_vv;
	char name[LB_VIP_ID_LEN];
	struct txn t = { .lb = lb };
	uint32_t vid, written = 0;
	bool recompute = false;
	int rc;

	lb_vip_id_str(&s->conf.key, name, sizeof(name));
	for (size_t j = 0; j < s->n_be; j++) {
		if (!ad->ids[i][j])
			ad->ids[i][j] = be_id_alloc(lb);
		if (!ad->ids[i][j]) {
			snprintf(err, errlen, "lb.vips: more than %u backends",
				 LB_MAX_BACKENDS);
			return -ENOSPC;
		}
	}
	vid = ad->match[i] >= 0 ? ad->vips[ad->match[i]].v.vip_id :
				  vip_id_alloc(lb);
	if (!vid) {
		snprintf(err, errlen, "lb.vips: more than %u VIPs", LB_MAX_VIPS);
		return -ENOSPC;
	}
	rc = vip_build(s, vid, ad->ids[i], &nw);
	if (rc)
		return rc;
	if (ad->match[i] < 0) {
		rc = apply(lb, NULL, nw, NULL, err, errlen);
		if (!rc)
			pr_info("lb: VIP %s added (vip_id %u, %zu backends)", name,
				vid, s->n_be);
		return rc;
	}
	/* A backend the old run saw failing stays out until its check says
	 * otherwise: no new flows to a dead server, no slots rewritten. */
	for (size_t j = 0; j < nw->n_be; j++) {
		uint32_t id = nw->be[j].id;

		if (ad->claimed[id] && (ad->be[id].flags & SLUICE_BE_DOWN) &&
		    nw->be[j].spec.state == LB_BE_ACTIVE && lb->health &&
		    nw->conf.health.kind != HEALTH_NONE) {
			nw->be[j].health = HEALTH_DOWN;
			recompute = true;
		}
	}
	if (recompute)
		rc = lb_table_compute(nw->be, nw->n_be, nw->conf.ring_size,
				      nw->table);
	if (!rc)
		rc = adopt_old(ad, i, nw, &old, &old_vv);
	if (rc) {
		vip_free(nw);
		return rc;
	}
	rc = program_change(lb, &t, &old, &old_vv, nw, &written);
	if (!rc)
		rc = health_add(lb, NULL, nw);
	if (rc) {
		txn_rollback(&t);
		vip_free(nw);
		rc = map_error(err, errlen, rc);
	} else {
		commit(lb, NULL, nw, NULL);
		pr_info("lb: VIP %s adopted, %u slots rewritten", name, written);
	}
	txn_free(&t);
	free(old.be);
	return rc;
}

int lb_load(struct lb *lb, const struct lb_vip_spec *vips, size_t n, char *err,
	    size_t errlen)
{
	struct sluice_lb_config c = {};
	struct adopt *ad = NULL;
	char prefix[LB_VIP_ID_LEN];
	int rc;

	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		if (lb->vips[id])
			return -EBUSY;	/* only for a new lb */
	if (n > LB_MAX_VIPS) {
		snprintf(err, errlen, "lb.vips: %zu are more than %u", n,
			 LB_MAX_VIPS);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(prefix, sizeof(prefix), "lb.vips[%zu].", i);
		rc = check_spec(&vips[i], prefix, err, errlen);
		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++) {
			if (key_eq(&vips[i].conf.key, &vips[j].conf.key)) {
				snprintf(err, errlen, "lb.vips[%zu]: vip %s is "
					 "listed twice", i,
					 lb_vip_id_str(&vips[i].conf.key, prefix,
						       sizeof(prefix)));
				return -EINVAL;
			}
		}
	}
	memcpy(c.src4, lb->set.src4, 4);
	memcpy(c.src6, lb->set.src6, 16);
	c.have_src4 = lb->set.have_src4;
	c.have_src6 = lb->set.have_src6;
	c.flow_idle_timeout_s = lb->set.flow_idle_timeout_s;
	rc = lb->ops->config_set(lb->dp, &c);
	if (rc) {
		snprintf(err, errlen, "lb: cannot write lb_config: %s",
			 strerror(-rc));
		return rc;
	}

	rc = -ENOMEM;
	ad = calloc(1, sizeof(*ad));
	if (!ad)
		goto out;
	ad->flows = calloc(SLUICE_LB_MAX_VIPS, sizeof(*ad->flows));
	ad->match = calloc(n ? n : 1, sizeof(*ad->match));
	ad->ids = calloc(n ? n : 1, sizeof(*ad->ids));
	ad->tables = calloc(n ? n : 1, sizeof(*ad->tables));
	ad->table_m = calloc(n ? n : 1, sizeof(*ad->table_m));
	if (!ad->flows || !ad->match || !ad->ids || !ad->tables || !ad->table_m)
		goto out;
	for (size_t i = 0; i < n; i++) {
		ad->ids[i] = calloc(vips[i].n_be ? vips[i].n_be : 1,
				    sizeof(*ad->ids[i]));
		if (!ad->ids[i])
			goto out;
	}
	rc = lb->ops->map_foreach(lb->dp, DP_MAP_LB_VIPS, adopt_vip_cb, ad);
	if (!rc)
		rc = lb->ops->map_foreach(lb->dp, DP_MAP_LB_BACKENDS, adopt_be_cb,
					  ad);
	if (!rc && (ad->n_vips))
		rc = lb->ops->map_foreach(lb->dp, DP_MAP_LB_FLOWS, adopt_flow_cb,
					  ad);
	if (rc) {
		snprintf(err, errlen, "lb: cannot read the pinned maps: %s",
			 strerror(-rc));
		goto out;
	}
	rc = adopt_claim(lb, ad, vips, n);
	if (rc)
		goto out;

	/* Unconfigured VIPs go first, the safe way (key, then ring). */
	for (size_t k = 0; k < ad->n_vips; k++)
		if (!ad->vips[k].matched)
			remove_stale_vip(lb, &ad->vips[k]);
	for (size_t i = 0; i < n; i++) {
		rc = load_one(lb, ad, &vips[i], i, err, errlen);
		if (rc)
			goto out;
	}
	/* Pinned backends nobody claimed: no ring names them any more. */
	for (uint32_t id = 1; id < SLUICE_LB_MAX_BACKENDS; id++) {
		if (ad->claimed[id] || !ad->be[id].family || lb->be_owner[id])
			continue;
		rc = lb->ops->backend_del(lb->dp, id);
		if (rc)
			pr_warn("lb: cannot remove stale backend %u: %s", id,
				strerror(-rc));
		stats_clear(lb, 0, id);
	}
	/* Rings without a VIP (a run that stopped half-way) */
	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		if (!lb->vips[id])
			lb->ops->ring_del(lb->dp, id);
	rc = 0;
	pr_info("lb: %zu VIPs loaded, %llu slots written", n,
		(unsigned long long)lb->slots_written);
out:
	memset(lb->vip_reserved, 0, sizeof(lb->vip_reserved));
	adopt_free(ad, n);
	return rc;
}

/* ---- life cycle and lookups ------------------------------------------------- */

int lb_new(struct lb **out, struct dp *dp, const struct lb_dp_ops *ops,
	   struct health *h, const struct lb_settings *s)
{
	struct lb *lb = calloc(1, sizeof(*lb));

	if (!lb)
		return -ENOMEM;
	lb->dp = dp;
	lb->ops = ops;
	lb->health = h;
	lb->set = *s;
	for (uint32_t id = 1; id < SLUICE_LB_MAX_BACKENDS; id++)
		be_id_release(lb, id);
	*out = lb;
	return 0;
}

void lb_set_health(struct lb *lb, struct health *h)
{
	lb->health = h;
}

void lb_free(struct lb *lb)
{
	if (!lb)
		return;
	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		vip_free(lb->vips[id]);
	free(lb->state_dir);
	free(lb);
}

int lb_set_state_dir(struct lb *lb, const char *dir)
{
	char *d = NULL;

	if (dir) {
		if (strlen(dir) + sizeof(LB_STATE_FILE) + 1 > sizeof(lb->state_path))
			return -ENAMETOOLONG;
		d = strdup(dir);
		if (!d)
			return -ENOMEM;
	}
	free(lb->state_dir);
	lb->state_dir = d;
	if (d)
		snprintf(lb->state_path, sizeof(lb->state_path), "%s/%s", d,
			 LB_STATE_FILE);
	else
		lb->state_path[0] = '\0';
	return 0;
}

const char *lb_state_path(const struct lb *lb)
{
	return lb->state_path;
}

int lb_state_save(struct lb *lb)
{
	struct json_object *doc;
	char err[400];
	int rc;

	if (!lb->state_dir)
		return 0;
	doc = lb_state_json(lb);
	if (!doc) {
		rc = -ENOMEM;
		snprintf(err, sizeof(err), "state file %s: out of memory",
			 lb->state_path);
	} else {
		rc = lb_state_write(lb->state_dir, doc, err, sizeof(err));
		json_object_put(doc);
	}
	if (rc) {
		/* the maps already hold the change, and the API reports it:
		 * only a restart would lose it, so say that, loudly */
		lb->state_write_errors++;
		pr_err("lb: %s; the change is applied but would not survive a "
		       "restart (state_write_errors %llu)", err,
		       (unsigned long long)lb->state_write_errors);
	}
	return rc;
}

uint64_t lb_state_write_errors(const struct lb *lb)
{
	return lb->state_write_errors;
}

const struct lb_vip *lb_vip_get(const struct lb *lb, uint32_t vip_id)
{
	return vip_id < SLUICE_LB_MAX_VIPS ? lb->vips[vip_id] : NULL;
}

int lb_vip_lookup(const struct lb *lb, const char *id, const struct lb_vip **out)
{
	struct sluice_vip_key k;
	size_t len = strlen(id);

	*out = NULL;
	if (len && len <= 3 && strspn(id, "0123456789") == len) {
		unsigned long n = strtoul(id, NULL, 10);

		if (!n || n >= SLUICE_LB_MAX_VIPS)
			return -EINVAL;
		*out = lb->vips[n];
		return 0;
	}
	if (lb_vip_id_parse(id, &k))
		return -EINVAL;
	*out = vip_by_key(lb, &k);
	return 0;
}

const struct lb_backend *lb_backend_find(const struct lb_vip *v,
					 const struct lb_addr *a)
{
	ssize_t i = be_index(v, a);

	return i < 0 ? NULL : &v->be[i];
}

const struct lb_settings *lb_get_settings(const struct lb *lb)
{
	return &lb->set;
}

uint64_t lb_slots_written(const struct lb *lb)
{
	return lb->slots_written;
}

void lb_vip_counters(const struct lb *lb, const struct lb_vip *v,
		     struct sluice_lb_counter *out)
{
	if (lb->ops->vip_stats(lb->dp, v->id, out))
		memset(out, 0, sizeof(*out));
}

void lb_backend_counters(const struct lb *lb, const struct lb_backend *b,
			 struct sluice_lb_counter *out)
{
	if (lb->ops->backend_stats(lb->dp, b->id, out))
		memset(out, 0, sizeof(*out));
}

int lb_flow_count(const struct lb *lb)
{
	int n = lb->ops->flow_count(lb->dp);

	return n < 0 ? 0 : n;
}

uint32_t lb_flow_capacity(const struct lb *lb)
{
	return lb->set.max_flows ? lb->set.max_flows : SLUICE_LB_MAX_FLOWS;
}

const char *lb_health_error(const struct lb *lb, const struct lb_backend *b)
{
	const char *e = lb->health ? health_last_error(lb->health, b->id) : NULL;

	return e ? e : "";
}

/* ---- JSON out ------------------------------------------------------------------ */

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

struct json_object *lb_backend_json(const struct lb *lb,
				    const struct lb_backend *b)
{
	struct json_object *o = json_object_new_object();
	struct json_object *c = json_object_new_object();
	struct sluice_lb_counter cnt;
	char a[INET6_ADDRSTRLEN];

	add_str(o, "address", lb_addr_str(&b->spec.addr, a, sizeof(a)));
	add_int(o, "backend_id", b->id);
	add_int(o, "weight", b->spec.weight);
	add_str(o, "state", lb_be_state_name(b->spec.state));
	add_str(o, "health", health_state_name(b->health));
	add_str(o, "health_error", lb_health_error(lb, b));
	add_int(o, "slots", b->slots);
	lb_backend_counters(lb, b, &cnt);
	add_int(c, "packets", (int64_t)cnt.packets);
	add_int(c, "bytes", (int64_t)cnt.bytes);
	add_int(c, "new_flows", (int64_t)cnt.new_flows);
	json_object_object_add(o, "counters", c);
	return o;
}

struct json_object *lb_vip_json(const struct lb *lb, const struct lb_vip *v)
{
	struct json_object *o = json_object_new_object();
	struct json_object *h = json_object_new_object();
	struct json_object *c = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	char name[LB_VIP_ID_LEN], a[INET6_ADDRSTRLEN];
	struct sluice_lb_counter cnt;

	add_str(o, "id", lb_vip_id_str(&v->conf.key, name, sizeof(name)));
	add_int(o, "vip_id", v->id);
	inet_ntop(v->conf.key.family, v->conf.key.addr, a, sizeof(a));
	add_str(o, "address", a);
	add_int(o, "port", ntohs(v->conf.key.port));
	add_str(o, "protocol", v->conf.key.proto == IPPROTO_UDP ? "udp" : "tcp");
	add_str(o, "encap", v->conf.flags & SLUICE_VIP_GRE ? "gre" : "ipip");
	add_str(o, "hash", v->conf.flags & SLUICE_VIP_HASH_SRC ? "src" : "5tuple");
	add_int(o, "ring_size", v->conf.ring_size);
	add_str(h, "kind", health_kind_name(v->conf.health.kind));
	add_int(h, "port", v->conf.health.port);
	add_str(h, "path", v->conf.health.http_path);
	add_int(h, "interval_ms", v->conf.health.interval_ms);
	add_int(h, "timeout_ms", v->conf.health.timeout_ms);
	add_int(h, "rise", v->conf.health.rise);
	add_int(h, "fall", v->conf.health.fall);
	json_object_object_add(o, "health", h);
	lb_vip_counters(lb, v, &cnt);
	add_int(c, "packets", (int64_t)cnt.packets);
	add_int(c, "bytes", (int64_t)cnt.bytes);
	add_int(c, "new_flows", (int64_t)cnt.new_flows);
	add_int(c, "flow_hits", (int64_t)cnt.flow_hits);
	add_int(c, "drops", (int64_t)cnt.drops);
	add_int(c, "too_big", (int64_t)cnt.too_big);
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
			json_object_array_add(arr, lb_vip_json(lb, lb->vips[id]));
	json_object_object_add(o, "vips", arr);
	add_int(o, "flows", lb_flow_count(lb));
	add_int(o, "flow_capacity", lb_flow_capacity(lb));
	return o;
}

struct json_object *lb_summary_json(const struct lb *lb)
{
	struct json_object *o = json_object_new_object();
	char buf[INET6_ADDRSTRLEN + 8];
	int n = 0;

	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		n += !!lb->vips[id];
	add_str(o, "source_v4", lb_source_str(&lb->set, AF_INET, buf, sizeof(buf)));
	add_str(o, "source_v6", lb_source_str(&lb->set, AF_INET6, buf, sizeof(buf)));
	add_int(o, "flow_idle_timeout_s", lb->set.flow_idle_timeout_s);
	add_int(o, "flows", lb_flow_count(lb));
	add_int(o, "flow_capacity", lb_flow_capacity(lb));
	add_int(o, "vips", n);
	add_int(o, "slots_written", (int64_t)lb->slots_written);
	add_str(o, "state_file", lb->state_path);
	add_int(o, "state_write_errors", (int64_t)lb->state_write_errors);
	return o;
}

/* ---- lib/dp ------------------------------------------------------------------ */

const struct lb_dp_ops lb_dp_bpf = {
	.config_set = dp_lb_config_set,
	.vip_set = dp_vip_set,
	.vip_del = dp_vip_del,
	.backend_set = dp_backend_set,
	.backend_del = dp_backend_del,
	.ring_install = dp_ring_install,
	.ring_write = dp_ring_write,
	.ring_read = dp_ring_read,
	.ring_del = dp_ring_del,
	.stats_clear = dp_lb_stats_clear,
	.vip_stats = dp_lb_vip_stats,
	.backend_stats = dp_lb_backend_stats,
	.flow_count = dp_lb_flow_count,
	.map_foreach = dp_map_foreach,
};
