// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's input: address and VIP id syntax, and JSON (config
 * file, state file, request bodies) into specs, with every field checked
 * before anything is built from them.  Pure: no maps, no model.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <json-c/json.h>
#include "lb_internal.h"
#include "maglev.h"
#include "vip_id.h"

/* ---- pure helpers ---------------------------------------------------------- */

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
	int err =
		check_range(p, "ring_size", m, LB_RING_MIN, SLUICE_LB_MAX_RING);

	if (!err && !maglev_is_prime((uint32_t)m))
		err = jfail(p, "ring_size", "%lld is not a prime",
			    (long long)m);
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
		return jfail(p, field, "family %u is not IPv4 or IPv6",
			     a->family);
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
		return jfail(p, field, "'%s' is %s",
			     lb_addr_str(a, s, sizeof(s)), why);
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
		return jfail(p, field, "family %u is not IPv4 or IPv6",
			     a->family);
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
		return jfail(p, field,
			     "'%s' is IPv4-mapped (use the IPv4 "
			     "address)",
			     lb_addr_str(a, s, sizeof(s)));
	/* the LB's own loopback, or a link-local address (which names no
	 * link here): no route the packet path could take */
	if ((a->family == AF_INET && a->a[0] == 127) ||
	    (a->family == AF_INET6 && !memcmp(a->a, zero, 15) && a->a[15] == 1))
		return jfail(p, field, "'%s' is a loopback address",
			     lb_addr_str(a, s, sizeof(s)));
	if ((a->family == AF_INET && a->a[0] == 169 && a->a[1] == 254) ||
	    (a->family == AF_INET6 && a->a[0] == 0xfe &&
	     (a->a[1] & 0xc0) == 0x80))
		return jfail(p, field, "'%s' is link-local",
			     lb_addr_str(a, s, sizeof(s)));
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
			return jfail(p, "health.port",
				     "required when the VIP "
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
		err = jfail(p, "protocol", "%u is not tcp or udp",
			    c->key.proto);
	if (!err && c->flags & ~(SLUICE_VIP_GRE | SLUICE_VIP_HASH_SRC |
				 SLUICE_VIP_FULLNAT))
		err = jfail(p, "flags", "0x%x has unknown bits", c->flags);
	if (!err && (c->flags & SLUICE_VIP_FULLNAT) &&
	    (c->flags & SLUICE_VIP_GRE))
		err = jfail(p, "encap",
			    "gre: a fullnat VIP encapsulates "
			    "nothing");
	if (!err && c->backend_port && !(c->flags & SLUICE_VIP_FULLNAT))
		err = jfail(p, "backend_port",
			    "%u: only a fullnat VIP translates ports",
			    c->backend_port);
	if (!err)
		err = check_ring_size(p, c->ring_size);
	if (!err && c->second_chance_s && (c->flags & SLUICE_VIP_FULLNAT))
		err = jfail(p, "second_chance_s",
			    "%u: a fullnat VIP encapsulates nothing",
			    c->second_chance_s);
	if (!err && c->second_chance_s && c->key.proto != IPPROTO_TCP)
		err = jfail(p, "second_chance_s",
			    "%u: only a tcp VIP has connections to find",
			    c->second_chance_s);
	if (!err)
		err = check_health(p, &c->health,
				   c->backend_port ? c->backend_port :
						     ntohs(c->key.port),
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
/* A full-NAT VIP translates within its family (no NAT46). */
int lb_fullnat_backend_check(const struct lb_vip_conf *c,
			     const struct lb_addr *a, const char *field,
			     char *err, size_t errlen)
{
	char s[INET6_ADDRSTRLEN];

	if (!(c->flags & SLUICE_VIP_FULLNAT) || a->family == c->key.family)
		return 0;
	snprintf(err, errlen,
		 "%s: %s is not of the VIP's family (a fullnat VIP translates "
		 "IPv4 to IPv4 and IPv6 to IPv6)",
		 field, lb_addr_str(a, s, sizeof(s)));
	return -EINVAL;
}

static int check_fullnat_backends(const struct jp *vp,
				  const struct lb_vip_spec *sp)
{
	char field[128];

	for (size_t i = 0; i < sp->n_be; i++) {
		snprintf(field, sizeof(field), "%sbackends[%zu].address",
			 vp->prefix, i);
		if (lb_fullnat_backend_check(&sp->conf, &sp->be[i].addr, field,
					     vp->err, vp->errlen))
			return -EINVAL;
	}
	return 0;
}

static int check_backends(const struct jp *vp, const struct lb_backend_spec *be,
			  size_t n)
{
	char prefix[128], s[INET6_ADDRSTRLEN];
	struct jp p = *vp;
	int err;

	p.prefix = prefix;
	for (size_t i = 0; i < n; i++) {
		snprintf(prefix, sizeof(prefix), "%sbackends[%zu].", vp->prefix,
			 i);
		err = check_backend(&p, &be[i]);
		if (err)
			return err;
		for (size_t j = 0; j < i; j++)
			if (addr_eq(&be[i].addr, &be[j].addr))
				return jfail(
					&p, "address", "'%s' is listed twice",
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
		     json_object_to_json_string_ext(
			     v, JSON_C_TO_STRING_PLAIN |
					JSON_C_TO_STRING_NOSLASHESCAPE));
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
	snprintf(p->err, p->errlen, "unknown field '%s%s' (known: %s)",
		 p->prefix, key, known);
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
	bool interval_given = false, timeout_given = false;
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
				!strcmp(key, "timeout_ms")  ? &h->timeout_ms :
				!strcmp(key, "rise")	    ? &h->rise :
				!strcmp(key, "fall")	    ? &h->fall :
							      NULL;
		const char *s;

		if (!strcmp(key, "kind")) {
			err = jstr(&hp, key, val, &s);
			if (!err && health_kind_parse(s, &h->kind))
				err = jfail(&hp, key,
					    "'%s' is not one of none, "
					    "tcp, http",
					    s);
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
				err = jfail(&hp, key,
					    "longer than %zu characters",
					    sizeof(h->http_path) - 1);
			if (!err)
				snprintf(h->http_path, sizeof(h->http_path),
					 "%s", s);
		} else if (u32) {
			/* health_params_validate() knows the real ranges */
			err = jint(&hp, key, val, &v);
			if (!err)
				err = check_range(&hp, key, v, 0, UINT32_MAX);
			*u32 = (uint32_t)v;
			interval_given |= u32 == &h->interval_ms;
			timeout_given |= u32 == &h->timeout_ms;
		} else {
			err = junknown(&hp, key, known);
		}
		if (err)
			return err;
	}
	/* an interval at or below the default timeout, the timeout not
	 * given: half the interval, rather than a refusal that names a
	 * value the user never wrote */
	if (interval_given && !timeout_given && h->timeout_ms >= h->interval_ms)
		h->timeout_ms = h->interval_ms / 2 ? h->interval_ms / 2 : 1;
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
				rc = jfail(&p, key,
					   "'%s' is not one of active, "
					   "draining, down",
					   s);
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
				rc = jfail(&p, key,
					   "'%s' is not one of active, "
					   "draining, down",
					   s);
			pa.has_state = true;
		} else if (!strcmp(key, "address")) {
			rc = jfail(&p, key,
				   "cannot be changed (it names the "
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
		snprintf(err, errlen,
			 "body: nothing to change (expected weight "
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
		snprintf(prefix, sizeof(prefix), "%sbackends[%zu].", p->prefix,
			 i);
		err = lb_backend_spec_from_json(
			json_object_array_get_idx(arr, i), prefix, &s->be[i],
			p->err, p->errlen);
		if (err)
			return err;
		s->n_be = i + 1;
	}
	return check_backends(p, s->be, s->n_be);
}

int lb_vip_spec_from_json(struct json_object *o, const char *prefix,
			  struct lb_vip_spec *out, char *err, size_t errlen)
{
	static const char known[] = "address, port, protocol, mode, "
				    "backend_port, encap, hash, ring_size, "
				    "second_chance_s, health, backends";
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
		.kind = HEALTH_TCP,
		.interval_ms = 1000,
		.timeout_ms = 500,
		.rise = 2,
		.fall = 3,
		.http_path = "/",
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
				rc = jfail(&p, key, "'%s' is not tcp or udp",
					   str);
			if (!rc)
				s.conf.key.proto = str[0] == 't' ? IPPROTO_TCP :
								   IPPROTO_UDP;
			have_proto = true;
		} else if (!strcmp(key, "mode")) {
			rc = jstr(&p, key, val, &str);
			if (!rc && strcmp(str, "dsr") && strcmp(str, "fullnat"))
				rc = jfail(&p, key,
					   "'%s' is not dsr or fullnat", str);
			if (!rc && !strcmp(str, "fullnat"))
				s.conf.flags |= SLUICE_VIP_FULLNAT;
		} else if (!strcmp(key, "backend_port")) {
			rc = jint(&p, key, val, &v);
			if (!rc)
				rc = check_range(&p, key, v, 1, 65535);
			s.conf.backend_port = (uint16_t)v;
		} else if (!strcmp(key, "encap")) {
			rc = jstr(&p, key, val, &str);
			if (!rc && strcmp(str, "ipip") && strcmp(str, "gre"))
				rc = jfail(&p, key, "'%s' is not ipip or gre",
					   str);
			if (!rc && !strcmp(str, "gre"))
				s.conf.flags |= SLUICE_VIP_GRE;
		} else if (!strcmp(key, "hash")) {
			rc = jstr(&p, key, val, &str);
			if (!rc && strcmp(str, "5tuple") && strcmp(str, "src"))
				rc = jfail(&p, key, "'%s' is not 5tuple or src",
					   str);
			if (!rc && !strcmp(str, "src"))
				s.conf.flags |= SLUICE_VIP_HASH_SRC;
		} else if (!strcmp(key, "ring_size")) {
			rc = jint(&p, key, val, &v);
			if (!rc)
				rc = check_ring_size(&p, v);
			s.conf.ring_size = (uint32_t)v;
		} else if (!strcmp(key, "second_chance_s")) {
			rc = jint(&p, key, val, &v);
			if (!rc)
				rc = check_range(&p, key, v, 0,
						 LB_SECOND_CHANCE_MAX);
			s.conf.second_chance_s = (uint32_t)v;
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
			return jfail(&p, "health.kind",
				     "required when a udp VIP "
				     "sets other health fields (its default "
				     "is none)");
	}
	rc = check_vip_conf(&p, &s.conf, health_port);
	if (!rc && backends)
		rc = parse_backends(&p, backends, &s);
	if (!rc)
		rc = check_fullnat_backends(&p, &s);
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
				 field, i,
				 lb_vip_id_str(&s->conf.key, id, sizeof(id)));
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
	lb_vip_specs_free(vips, n); /* the ones not reached are zeroes */
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
		return jfail(&p, field,
			     "'%s' must be a /%u (the data path varies "
			     "the last %s per flow)",
			     s, want, family == AF_INET ? "byte" : "32 bits");
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
	inet_ntop(family, family == AF_INET ? set->src4 : set->src6, a,
		  sizeof(a));
	snprintf(buf, len, "%s/%u", a, family == AF_INET ? 24 : 96);
	return buf;
}

/* ---- checks of a spec built elsewhere --------------------------------------- */

int lb_vip_spec_check(const struct lb_vip_spec *s, const char *prefix,
		      char *err, size_t errlen)
{
	const struct jp p = { .prefix = prefix, .err = err, .errlen = errlen };
	struct lb_vip_conf c = s->conf;
	int rc;

	rc = check_vip_conf(&p, &c, true);
	if (!rc)
		rc = check_backends(&p, s->be, s->n_be);
	if (!rc)
		rc = check_fullnat_backends(&p, s);
	return rc;
}

int lb_backend_spec_check(const struct lb_backend_spec *b, char *err,
			  size_t errlen)
{
	const struct jp p = { .prefix = "", .err = err, .errlen = errlen };

	return check_backend(&p, b);
}

int lb_backend_patch_check(const struct lb_backend_patch *p, char *err,
			   size_t errlen)
{
	const struct jp jp = { .prefix = "", .err = err, .errlen = errlen };

	if (p->has_weight &&
	    check_range(&jp, "weight", p->weight, 1, LB_WEIGHT_MAX))
		return -EINVAL;
	if (p->has_state && (unsigned int)p->state > LB_BE_DOWN)
		return jfail(&jp, "state", "%u is not active, draining or down",
			     (unsigned int)p->state);
	return 0;
}

/* ---- a whole backend set (PUT /v1/vips/{vip}/backends) --------------------- */

int lb_backend_set_from_json(struct json_object *o, struct lb_vip_spec *out,
			     char *err, size_t errlen)
{
	const struct jp p = { .prefix = "", .err = err, .errlen = errlen };
	struct json_object *arr = NULL;
	struct lb_vip_spec s = {};
	int rc;

	if (jobject(&p, o))
		return -EINVAL;
	json_object_object_foreach(o, key, val) {
		if (strcmp(key, "backends"))
			return junknown(&p, key, "backends");
		arr = val;
	}
	if (!arr)
		return jfail(&p, "backends", "required (a list, [] for none)");
	rc = parse_backends(&p, arr, &s);
	if (rc) {
		free(s.be);
		return rc;
	}
	out->be = s.be;
	out->n_be = s.n_be;
	return 0;
}

int lb_backend_set_check(const struct lb_backend_spec *be, size_t n, char *err,
			 size_t errlen)
{
	const struct jp p = { .prefix = "", .err = err, .errlen = errlen };

	if (n > LB_MAX_BACKENDS)
		return jfail(&p, "backends", "%zu are more than %u", n,
			     LB_MAX_BACKENDS);
	return check_backends(&p, be, n);
}
