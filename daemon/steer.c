// SPDX-License-Identifier: BSD-2-Clause
/*
 * Steering's running part (steer.h): the selectors in force, written into
 * the data path through lib/dp (dp_steer.h), kept in steer.json.  Each
 * selector's id indexes its counters in the data path, so ids stay below
 * SLUICE_STEER_MAX_SELECTORS: the lowest free one is given, and its
 * counters are zeroed first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include "config.h"
#include "dp.h"
#include "dp_steer.h"
#include "json_out.h"
#include "log.h"
#include "state_file.h"
#include "steer.h"

#define STEER_STATE_VERSION 1

struct steer_slot {
	struct steer_sel s;
	uint32_t ifindex; /* of s.iface; 0: every port, or absent */
	bool active;	  /* its entries are in the data path */
};

struct steer {
	struct dp *dp;
	steer_resolve_fn resolve;
	void *resolve_arg;
	char *state_dir;
	char state_path[320];
	struct steer_slot v[STEER_MAX_SELECTORS];
	size_t n;
	uint64_t state_write_errors;
};

/* ---- the data path ---------------------------------------------------------- */

static void entry_of(const struct steer_slot *sl, uint16_t port,
		     struct dp_steer_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->ifindex = sl->ifindex;
	if (sl->s.kind == STEER_PORT) {
		e->kind = DP_STEER_PORT;
		e->proto = sl->s.proto;
		e->dport = port;
		return;
	}
	if (sl->s.kind == STEER_TRANSIT) {
		e->kind = DP_STEER_TRANSIT;
		return;
	}
	e->kind = DP_STEER_DST;
	e->family = sl->s.family;
	memcpy(e->addr, sl->s.addr, sizeof(e->addr));
	e->plen = sl->s.plen;
}

/* Entries of @sl from the first up to (not including) port @upto. */
static void sel_erase_upto(struct steer *st, const struct steer_slot *sl,
			   uint32_t upto)
{
	struct dp_steer_entry e;

	if (sl->s.kind != STEER_PORT) {
		entry_of(sl, 0, &e);
		dp_steer_entry_del(st->dp, &e);
		return;
	}
	for (uint32_t p = sl->s.port_lo; p < upto; p++) {
		entry_of(sl, (uint16_t)p, &e);
		dp_steer_entry_del(st->dp, &e);
	}
}

static void sel_erase(struct steer *st, struct steer_slot *sl)
{
	if (!sl->active)
		return;
	sel_erase_upto(st, sl,
		       sl->s.kind == STEER_PORT ? sl->s.port_hi + 1u : 1);
	sl->active = false;
}

/* Its entries in; none when a named interface is absent.  All or
 * nothing. */
static int sel_write(struct steer *st, struct steer_slot *sl)
{
	struct sluice_steer_sel v = { .id = sl->s.id, .queue = sl->s.queue };
	struct dp_steer_entry e;
	int err = 0;

	if (sl->s.iface[0] && !sl->ifindex)
		return 0;
	if (sl->s.kind != STEER_PORT) {
		entry_of(sl, 0, &e);
		err = dp_steer_entry_set(st->dp, &e, &v);
	} else {
		for (uint32_t p = sl->s.port_lo; p <= sl->s.port_hi; p++) {
			entry_of(sl, (uint16_t)p, &e);
			err = dp_steer_entry_set(st->dp, &e, &v);
			if (err) {
				sel_erase_upto(st, sl, p);
				break;
			}
		}
	}
	if (!err)
		sl->active = true;
	return err;
}

/* SLUICE_STEER_F_* of the active selectors but @skip's (NULL: none). */
static uint32_t flags_of(const struct steer *st, const struct steer_slot *skip)
{
	uint32_t f = 0;

	for (size_t i = 0; i < st->n; i++) {
		const struct steer_slot *sl = &st->v[i];

		if (sl == skip || !sl->active)
			continue;
		if (sl->s.kind == STEER_TRANSIT) {
			/* the route stage's: the port stage's lookups
			 * (SLUICE_STEER_F_IFACE) are not for it */
			f |= SLUICE_STEER_F_TRANSIT;
			continue;
		}
		if (sl->s.kind == STEER_PORT)
			f |= SLUICE_STEER_F_PORTS;
		else
			f |= sl->s.family == AF_INET ? SLUICE_STEER_F_DST4 :
						       SLUICE_STEER_F_DST6;
		if (sl->ifindex)
			f |= SLUICE_STEER_F_IFACE;
	}
	return f;
}

/* ---- the state file ----------------------------------------------------------- */

static void steer_save(struct steer *st)
{
	struct json_object *doc, *a;
	char err[400];

	if (!st->state_dir)
		return;
	doc = json_object_new_object();
	a = json_object_new_array();
	json_add_int(doc, "version", STEER_STATE_VERSION);
	for (size_t i = 0; i < st->n; i++)
		json_object_array_add(a, steer_sel_json(&st->v[i].s));
	json_object_object_add(doc, "selectors", a);
	if (state_file_write(st->state_dir, STEER_STATE_FILE, doc, err,
			     sizeof(err))) {
		st->state_write_errors++;
		pr_err("steer: %s; the change is applied but would not "
		       "survive a restart (state_write_errors %llu)",
		       err, (unsigned long long)st->state_write_errors);
	}
	json_object_put(doc);
}

static int state_parse(const char *text, size_t len, struct steer_sel **out,
		       size_t *n, char *err, size_t errlen)
{
	struct json_object *root = NULL, *sels = NULL;
	int rc = config_json_parse(text, len, &root, err, errlen);

	if (rc)
		return rc;
	rc = -EINVAL;
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "expected an object");
		goto out;
	}
	json_object_object_foreach(root, key, v) {
		if (!strcmp(key, "version")) {
			if (!json_object_is_type(v, json_type_int) ||
			    json_object_get_int64(v) != STEER_STATE_VERSION) {
				snprintf(err, errlen,
					 "version: %s is not %d (written by "
					 "another sluiced version?)",
					 json_object_get_string(v),
					 STEER_STATE_VERSION);
				goto out;
			}
		} else if (!strcmp(key, "selectors")) {
			sels = v;
		} else {
			snprintf(err, errlen,
				 "unknown field '%s' (known: version, "
				 "selectors)",
				 key);
			goto out;
		}
	}
	if (!sels) {
		snprintf(err, errlen, "selectors: required");
		goto out;
	}
	rc = steer_sels_parse(sels, "selectors", STEER_PARSE_ID, out, n, err,
			      errlen);
out:
	json_object_put(root);
	return rc;
}

/* The selectors to start with: steer.json's, or a copy of @cfg's. */
static int start_read(struct steer *st, const struct steer_sel *cfg,
		      size_t n_cfg, struct steer_sel **out, size_t *n,
		      bool *from_state, char *err, size_t errlen)
{
	char msg[512], *text = NULL;
	size_t len;
	int rc;

	*from_state = false;
	if (st->state_dir) {
		rc = state_file_read(st->state_path, &text, &len, err, errlen);
		if (!rc) {
			rc = state_parse(text, len, out, n, msg, sizeof(msg));
			free(text);
			if (rc)
				snprintf(err, errlen, "state file %s: %s",
					 st->state_path, msg);
			*from_state = !rc;
			return rc;
		}
		if (rc != -ENOENT)
			return rc;
	}
	*out = calloc(n_cfg ? n_cfg : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	if (n_cfg)
		memcpy(*out, cfg, n_cfg * sizeof(**out));
	for (size_t i = 0; i < n_cfg; i++)
		(*out)[i].id = (uint32_t)i + 1;
	*n = n_cfg;
	return 0;
}

/* ---- the model ------------------------------------------------------------------ */

/* @s's interface: -EINVAL naming it when sluiced does not manage it. */
static int resolve(struct steer *st, const struct steer_sel *s,
		   uint32_t *ifindex, char *err, size_t errlen)
{
	*ifindex = 0;
	if (!s->iface[0])
		return 0;
	if (st->resolve(st->resolve_arg, s->iface, ifindex)) {
		snprintf(err, errlen,
			 "iface: '%s' is not an interface sluiced manages",
			 s->iface);
		return -EINVAL;
	}
	return 0;
}

/* A transit selector is an entry of steer_ports too. */
static bool in_port_map(enum steer_kind k)
{
	return k == STEER_PORT || k == STEER_TRANSIT;
}

static size_t entries_in_use(const struct steer *st, bool ports)
{
	size_t n = 0;

	for (size_t i = 0; i < st->n; i++)
		if (in_port_map(st->v[i].s.kind) == ports)
			n += steer_sel_entries(&st->v[i].s);
	return n;
}

static int set_flags(struct steer *st, const struct steer_slot *skip)
{
	return dp_steer_flags_set(st->dp, flags_of(st, skip));
}

int steer_new(struct steer **out, struct dp *dp, steer_resolve_fn resolve_fn,
	      void *resolve_arg, const char *state_dir,
	      const struct steer_sel *cfg, size_t n_cfg, char *err,
	      size_t errlen)
{
	struct steer_sel *sels = NULL;
	struct steer *st;
	bool from_state;
	size_t n = 0;
	int rc;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->dp = dp;
	st->resolve = resolve_fn;
	st->resolve_arg = resolve_arg;
	if (state_dir) {
		st->state_dir = strdup(state_dir);
		if (!st->state_dir) {
			rc = -ENOMEM;
			goto fail;
		}
		snprintf(st->state_path, sizeof(st->state_path), "%s/%s",
			 state_dir, STEER_STATE_FILE);
	}
	rc = start_read(st, cfg, n_cfg, &sels, &n, &from_state, err, errlen);
	if (rc)
		goto fail;
	/* what an earlier run left pinned goes; the sockets stay */
	rc = dp_steer_flush(dp);
	if (rc) {
		snprintf(err, errlen, "cannot clear the steering maps: %s",
			 strerror(-rc));
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		struct steer_slot *sl = &st->v[st->n];
		char t[80];

		sl->s = sels[i];
		steer_sel_text(&sl->s, t, sizeof(t));
		if (resolve(st, &sl->s, &sl->ifindex, err, errlen))
			pr_warn("steer: selector %u (%s): %s; inactive",
				sl->s.id, t, err);
		if (!from_state)
			dp_steer_counters_clear(dp, sl->s.id);
		rc = sel_write(st, sl);
		st->n++;
		if (rc) {
			snprintf(err, errlen, "selector %u (%s): %s", sl->s.id,
				 t, strerror(-rc));
			goto fail;
		}
	}
	rc = set_flags(st, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot switch steering on: %s",
			 strerror(-rc));
		goto fail;
	}
	pr_info("steer: %zu selectors from %s", st->n,
		from_state ? st->state_path : "the config file");
	free(sels);
	*out = st;
	return 0;
fail:
	free(sels);
	steer_free(st);
	return rc;
}

void steer_free(struct steer *st)
{
	if (!st)
		return;
	free(st->state_dir);
	free(st);
}

static uint32_t free_id(const struct steer *st)
{
	for (uint32_t id = 1; id <= STEER_MAX_SELECTORS; id++) {
		size_t i;

		for (i = 0; i < st->n && st->v[i].s.id != id; i++)
			;
		if (i == st->n)
			return id;
	}
	return 0;
}

int steer_add(struct steer *st, const struct steer_sel *s, uint32_t *id,
	      char *err, size_t errlen)
{
	struct steer_slot *sl;
	bool ports = in_port_map(s->kind);
	size_t max = ports ? SLUICE_STEER_MAX_PORTS : SLUICE_STEER_MAX_PREFIXES;
	uint32_t ifindex;
	char t[80];
	int rc;

	steer_sel_text(s, t, sizeof(t));
	for (size_t i = 0; i < st->n; i++)
		if (steer_sel_overlap(&st->v[i].s, s)) {
			snprintf(err, errlen,
				 "%s%s%s overlaps selector %u (%s)", t,
				 s->iface[0] ? " on " : "", s->iface,
				 st->v[i].s.id, steer_overlap_why(s));
			return -EEXIST;
		}
	if (st->n >= STEER_MAX_SELECTORS ||
	    entries_in_use(st, ports) + steer_sel_entries(s) > max) {
		snprintf(err, errlen,
			 "%s: no room (%zu selectors; at most %d selectors, "
			 "%zu %s entries)",
			 t, st->n, STEER_MAX_SELECTORS, max,
			 ports ? "port" : "prefix");
		return -ENOSPC;
	}
	rc = resolve(st, s, &ifindex, err, errlen);
	if (rc)
		return rc;
	sl = &st->v[st->n];
	sl->s = *s;
	sl->s.id = free_id(st);
	sl->ifindex = ifindex;
	sl->active = false;
	rc = dp_steer_counters_clear(st->dp, sl->s.id);
	if (!rc)
		rc = sel_write(st, sl);
	if (rc) {
		snprintf(err, errlen, "%s: data path: %s", t, strerror(-rc));
		return rc;
	}
	st->n++;
	rc = set_flags(st, NULL);
	if (rc) {
		st->n--;
		sel_erase(st, sl);
		snprintf(err, errlen, "%s: data path: %s", t, strerror(-rc));
		return rc;
	}
	*id = sl->s.id;
	pr_info("steer: selector %u: %s%s%s%s", sl->s.id, t,
		s->iface[0] ? " on " : "", s->iface,
		s->iface[0] && !ifindex ? " (absent: inactive)" : "");
	steer_save(st);
	return 0;
}

int steer_del(struct steer *st, uint32_t id, char *err, size_t errlen)
{
	size_t i;
	int rc;

	for (i = 0; i < st->n && st->v[i].s.id != id; i++)
		;
	if (i == st->n) {
		snprintf(err, errlen, "no selector %u", id);
		return -ENOENT;
	}
	/* the switch first: the data path stops looking before the entries
	 * go */
	rc = set_flags(st, &st->v[i]);
	if (rc) {
		snprintf(err, errlen, "selector %u: data path: %s", id,
			 strerror(-rc));
		return rc;
	}
	sel_erase(st, &st->v[i]);
	memmove(&st->v[i], &st->v[i + 1], (st->n - i - 1) * sizeof(st->v[0]));
	st->n--;
	pr_info("steer: selector %u deleted", id);
	steer_save(st);
	return 0;
}

/* ---- GET /v1/steer ---------------------------------------------------------------- */

static int port_json(const void *key, const void *value, void *arg)
{
	const struct sluice_iface *v = value;
	struct steer *st = ((void **)arg)[0];
	struct json_object *a = ((void **)arg)[1], *o, *q;
	__u32 ifindex = *(const __u32 *)key;
	char name[IF_NAMESIZE] = "";
	__u64 bits = 0;
	int err;

	if (v->flags & SLUICE_IF_VLAN)
		return 0; /* sockets are bound to the physical port */
	err = dp_steer_xsk_queues(st->dp, ifindex, &bits);
	o = json_object_new_object();
	q = json_object_new_array();
	if (!if_indextoname(ifindex, name))
		snprintf(name, sizeof(name), "#%u", ifindex);
	json_add_str(o, "iface", name);
	json_add_int(o, "ifindex", ifindex);
	json_add_int(o, "slot", v->slot);
	for (int i = 0; i < SLUICE_STEER_MAX_QUEUES; i++)
		if (bits & (1ull << i))
			json_object_array_add(q, json_object_new_int(i));
	json_object_object_add(o, "queues", q);
	if (err)
		json_add_str(o, "error", strerror(-err));
	json_object_array_add(a, o);
	return 0;
}

struct json_object *steer_json(struct steer *st)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();
	struct json_object *socks = json_object_new_array();
	void *arg[2] = { st, socks };
	__u32 flags = 0;

	for (size_t i = 0; i < st->n; i++) {
		const struct steer_slot *sl = &st->v[i];
		struct json_object *e = steer_sel_json(&sl->s), *c;
		struct sluice_steer_counter n = {};

		dp_steer_counters(st->dp, sl->s.id, &n);
		json_add_str(e, "kind", steer_kind_name(sl->s.kind));
		json_add_bool(e, "active", sl->active);
		if (sl->s.iface[0])
			json_add_int(e, "ifindex", sl->ifindex);
		c = json_object_new_object();
		json_add_int(c, "matched", (int64_t)n.matched);
		json_add_int(c, "redirected", (int64_t)n.redirected);
		json_add_int(c, "no_socket", (int64_t)n.no_socket);
		json_object_object_add(e, "counters", c);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "selectors", a);
	dp_map_foreach(st->dp, DP_MAP_IFACES, port_json, arg);
	json_object_object_add(o, "sockets", socks);
	dp_steer_flags_get(st->dp, &flags);
	json_add_int(o, "flags", flags);
	json_add_str(o, "xskmap", SLUICE_STEER_XSKS_PIN);
	json_add_int(o, "max_queues", SLUICE_STEER_MAX_QUEUES);
	if (st->state_dir)
		json_add_str(o, "state_file", st->state_path);
	json_add_int(o, "state_write_errors", (int64_t)st->state_write_errors);
	return o;
}
