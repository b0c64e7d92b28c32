// SPDX-License-Identifier: BSD-2-Clause
/*
 * NAT's running rules: resolved to ifindexes, written into the data path,
 * saved in nat.json, conntrack switched on under them.  A change is a
 * small transaction: the data path first, undone when a later step fails,
 * the model and the state file after.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "config.h"
#include "ct.h"
#include "dp_nat.h"
#include "json_out.h"
#include "log.h"
#include "nat.h"
#include "state.h"
#include "state_file.h"

#define NAT_STATE_VERSION 1

struct nat_slot {
	struct nat_rule r;
	uint32_t ifindex; /* as written; 0: not in the data path */
};

struct nat {
	struct dp *dp;
	const struct nat_dp_ops *ops;
	nat_resolve_fn resolve;
	void *resolve_arg;
	struct ct *ct;
	struct nat_slot *slots;
	size_t n, cap;
	uint32_t next_id;
	uint32_t flags; /* SLUICE_NAT_HAS_* as written */
	char *state_dir;
	char state_path[320];
	uint64_t state_write_errors;
	size_t pruned; /* nat_load: a previous run's rules removed */
};

static int prune_bpf(struct dp *dp,
		     bool (*keep_snat)(const struct dp_snat_rule *r, void *arg),
		     bool (*keep_dnat)(const struct dp_dnat_rule *r, void *arg),
		     void *arg)
{
	return dp_nat_prune(dp, keep_snat, keep_dnat, arg);
}

static int events_bpf(struct dp *dp, uint64_t out[SLUICE_NAT_NEVENTS])
{
	return dp_nat_events(dp, (__u64 *)out);
}

static int flow_count_bpf(struct dp *dp, uint32_t *n)
{
	return dp_nat_flow_count(dp, n);
}

/* NAT's bits of the switch (the load balancer's full-NAT VIPs own
 * another).  With no rule left, the flows bound under the deleted ones
 * keep being translated while any binding is left: never an answer sent
 * on untranslated. */
static int config_set_bpf(struct dp *dp, uint32_t flags)
{
	const uint32_t mine = SLUICE_NAT_HAS_SNAT | SLUICE_NAT_HAS_DNAT |
			      SLUICE_NAT_HAS_BOUND;
	__u32 n = 0;

	if (!flags && !dp_nat_flow_count(dp, &n) && n)
		flags = SLUICE_NAT_HAS_BOUND;
	return dp_nat_config_bits(dp, flags, mine & ~flags);
}

const struct nat_dp_ops nat_dp_bpf = {
	.snat_set = dp_snat_set,
	.snat_del = dp_snat_del,
	.dnat_set = dp_dnat_set,
	.dnat_del = dp_dnat_del,
	.config_set = config_set_bpf,
	.events = events_bpf,
	.flow_count = flow_count_bpf,
	.prune = prune_bpf,
};

int nat_resolve_state(void *arg, const char *name, uint32_t *ifindex)
{
	struct state *st = arg;

	for (int i = 0; i < st->n_ifaces; i++) {
		const struct st_iface *ifc = &st->ifaces[i];

		if (strcmp(ifc->name, name))
			continue;
		*ifindex = ifc->state == IF_ATTACHED ? ifc->ifindex : 0;
		return 0;
	}
	return -ENODEV;
}

/* ---- the data path ------------------------------------------------------- */

static int rule_write(struct nat *nat, const struct nat_rule *r,
		      uint32_t ifindex)
{
	struct dp_snat_rule s;
	struct dp_dnat_rule d;

	if (!ifindex)
		return 0;
	if (r->kind == NAT_SNAT) {
		nat_rule_to_snat(r, ifindex, &s);
		return nat->ops->snat_set(nat->dp, &s);
	}
	nat_rule_to_dnat(r, ifindex, &d);
	return nat->ops->dnat_set(nat->dp, &d);
}

static int rule_erase(struct nat *nat, const struct nat_rule *r,
		      uint32_t ifindex)
{
	struct dp_snat_rule s;
	struct dp_dnat_rule d;
	int rc;

	if (!ifindex)
		return 0;
	if (r->kind == NAT_SNAT) {
		nat_rule_to_snat(r, ifindex, &s);
		rc = nat->ops->snat_del(nat->dp, &s);
	} else {
		nat_rule_to_dnat(r, ifindex, &d);
		rc = nat->ops->dnat_del(nat->dp, &d);
	}
	return rc == -ENOENT ? 0 : rc;
}

/* The flags the rules call for, with @extra counted in and @skip not. */
static uint32_t flags_for(const struct nat *nat, const struct nat_rule *extra,
			  size_t skip)
{
	uint32_t f = 0;

	for (size_t i = 0; i < nat->n; i++)
		if (i != skip)
			f |= nat->slots[i].r.kind == NAT_SNAT ?
				     SLUICE_NAT_HAS_SNAT :
				     SLUICE_NAT_HAS_DNAT;
	if (extra)
		f |= extra->kind == NAT_SNAT ? SLUICE_NAT_HAS_SNAT :
					       SLUICE_NAT_HAS_DNAT;
	return f;
}

static int flags_write(struct nat *nat, uint32_t f)
{
	int rc;

	if (f == nat->flags)
		return 0;
	rc = nat->ops->config_set(nat->dp, f);
	if (!rc)
		nat->flags = f;
	return rc;
}

/* Conntrack on, through its own switch (ct.json records it).  *@switched
 * says it was off, for the undo. */
static int ct_on(struct nat *nat, bool *switched, char *err, size_t errlen)
{
	struct ct_config c;
	int rc;

	*switched = false;
	if (!nat->ct || ct_get_config(nat->ct)->enabled)
		return 0;
	c = *ct_get_config(nat->ct);
	c.enabled = true;
	rc = ct_set_config(nat->ct, &c, err, errlen);
	if (rc)
		return rc;
	*switched = true;
	pr_info("nat: conntrack switched on (NAT rides on it; kept in %s)",
		CT_STATE_FILE);
	return 0;
}

static void ct_undo(struct nat *nat, bool switched)
{
	struct ct_config c;
	char err[300];

	if (!switched)
		return;
	c = *ct_get_config(nat->ct);
	c.enabled = false;
	if (ct_set_config(nat->ct, &c, err, sizeof(err)))
		pr_err("nat: cannot switch conntrack back off: %s", err);
}

/* ---- the state file -------------------------------------------------------- */

static struct json_object *state_json(const struct nat *nat)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();

	json_add_int(o, "version", NAT_STATE_VERSION);
	json_add_int(o, "next_id", nat->next_id);
	for (size_t i = 0; i < nat->n; i++)
		json_object_array_add(a, nat_rule_json(&nat->slots[i].r));
	json_object_object_add(o, "rules", a);
	return o;
}

static void nat_save(struct nat *nat)
{
	struct json_object *doc;
	char err[400];

	if (!nat->state_dir)
		return;
	doc = state_json(nat);
	if (state_file_write(nat->state_dir, NAT_STATE_FILE, doc, err,
			     sizeof(err))) {
		nat->state_write_errors++;
		pr_err("nat: %s; the change is applied but would not survive "
		       "a restart (state_write_errors %llu)",
		       err, (unsigned long long)nat->state_write_errors);
	}
	json_object_put(doc);
}

static int state_parse(const char *text, size_t len, struct nat_rule **out,
		       size_t *n, uint32_t *next_id, char *err, size_t errlen)
{
	struct json_object *root = NULL, *rules = NULL;
	int rc = config_json_parse(text, len, &root, err, errlen);

	if (rc)
		return rc;
	rc = -EINVAL;
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "expected an object");
		goto out;
	}
	json_object_object_foreach(root, key, v) {
		int64_t x = json_object_get_int64(v);

		if (!strcmp(key, "version")) {
			if (!json_object_is_type(v, json_type_int) ||
			    x != NAT_STATE_VERSION) {
				snprintf(err, errlen,
					 "version: %s is not %d (written by "
					 "another sluiced version?)",
					 json_object_get_string(v),
					 NAT_STATE_VERSION);
				goto out;
			}
		} else if (!strcmp(key, "next_id")) {
			if (!json_object_is_type(v, json_type_int) || x < 1 ||
			    x > UINT32_MAX) {
				snprintf(err, errlen,
					 "next_id: %s is not 1..4294967295",
					 json_object_get_string(v));
				goto out;
			}
			*next_id = (uint32_t)x;
		} else if (!strcmp(key, "rules")) {
			rules = v;
		} else {
			snprintf(err, errlen,
				 "unknown field '%s' (known: version, "
				 "next_id, rules)",
				 key);
			goto out;
		}
	}
	if (!rules) {
		snprintf(err, errlen, "rules: required");
		goto out;
	}
	rc = nat_rules_parse(rules, "rules", out, n, err, errlen);
out:
	json_object_put(root);
	return rc;
}

int nat_start_read(const char *state_dir, const struct nat_rule *cfg_rules,
		   size_t n_cfg, struct nat_rule **out, size_t *n,
		   uint32_t *next_id, bool *from_state, char *err,
		   size_t errlen)
{
	char path[320], msg[512], *text = NULL;
	size_t len;
	int rc;

	*from_state = false;
	*next_id = 0;
	*out = NULL;
	*n = 0;
	if (state_dir) {
		snprintf(path, sizeof(path), "%s/%s", state_dir,
			 NAT_STATE_FILE);
		rc = state_file_read(path, &text, &len, err, errlen);
		if (!rc) {
			rc = state_parse(text, len, out, n, next_id, msg,
					 sizeof(msg));
			free(text);
			if (rc) {
				snprintf(err, errlen, "state file %s: %s", path,
					 msg);
				return rc;
			}
			*from_state = true;
			return 0;
		}
		if (rc != -ENOENT)
			return rc;
	}
	*out = calloc(n_cfg ? n_cfg : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	if (n_cfg)
		memcpy(*out, cfg_rules, n_cfg * sizeof(**out));
	*n = n_cfg;
	return 0;
}

/* ---- the running rules ------------------------------------------------------ */

int nat_new(struct nat **out, struct dp *dp, const struct nat_dp_ops *ops,
	    nat_resolve_fn resolve, void *resolve_arg, struct ct *ct,
	    const char *state_dir)
{
	struct nat *nat = calloc(1, sizeof(*nat));

	if (!nat)
		return -ENOMEM;
	nat->dp = dp;
	nat->ops = ops;
	nat->resolve = resolve;
	nat->resolve_arg = resolve_arg;
	nat->ct = ct;
	nat->next_id = 1;
	nat->flags = UINT32_MAX; /* unknown until written */
	if (state_dir) {
		nat->state_dir = strdup(state_dir);
		if (!nat->state_dir) {
			free(nat);
			return -ENOMEM;
		}
		snprintf(nat->state_path, sizeof(nat->state_path), "%s/%s",
			 state_dir, NAT_STATE_FILE);
	}
	*out = nat;
	return 0;
}

void nat_free(struct nat *nat)
{
	if (!nat)
		return;
	free(nat->slots);
	free(nat->state_dir);
	free(nat);
}

/* The interface of @r: 0 and its ifindex, or -ENODEV with @err saying
 * which interfaces sluiced manages. */
static int resolve(struct nat *nat, const struct nat_rule *r, uint32_t *ifindex,
		   char *err, size_t errlen)
{
	int rc = nat->resolve(nat->resolve_arg, r->iface, ifindex);

	if (rc == -ENODEV)
		snprintf(err, errlen,
			 "%s: '%s' is not an interface sluiced manages (see "
			 "sluicectl iface)",
			 r->kind == NAT_SNAT ? "out" : "in", r->iface);
	else if (rc)
		snprintf(err, errlen, "%s: '%s': %s",
			 r->kind == NAT_SNAT ? "out" : "in", r->iface,
			 strerror(-rc));
	return rc;
}

static int slots_grow(struct nat *nat, size_t want)
{
	struct nat_slot *s;
	size_t cap = nat->cap ? nat->cap : 8;

	while (cap < want)
		cap *= 2;
	if (cap == nat->cap)
		return 0;
	s = realloc(nat->slots, cap * sizeof(*s));
	if (!s)
		return -ENOMEM;
	nat->slots = s;
	nat->cap = cap;
	return 0;
}

static bool keep_snat(const struct dp_snat_rule *r, void *arg)
{
	struct nat *nat = arg;
	struct dp_snat_rule want;

	for (size_t i = 0; i < nat->n; i++) {
		const struct nat_slot *s = &nat->slots[i];

		if (s->r.kind != NAT_SNAT || !s->ifindex || s->r.id != r->id)
			continue;
		nat_rule_to_snat(&s->r, s->ifindex, &want);
		if (!memcmp(&want, r, sizeof(want)))
			return true;
		break;
	}
	nat->pruned++;
	return false;
}

static bool keep_dnat(const struct dp_dnat_rule *r, void *arg)
{
	struct nat *nat = arg;
	struct dp_dnat_rule want;

	for (size_t i = 0; i < nat->n; i++) {
		const struct nat_slot *s = &nat->slots[i];

		if (s->r.kind != NAT_DNAT || !s->ifindex || s->r.id != r->id)
			continue;
		nat_rule_to_dnat(&s->r, s->ifindex, &want);
		if (!memcmp(&want, r, sizeof(want)))
			return true;
		break;
	}
	nat->pruned++;
	return false;
}

int nat_load(struct nat *nat, const struct nat_rule *rules, size_t n,
	     uint32_t next_id, char *err, size_t errlen)
{
	bool switched = false;
	int rc;

	rc = slots_grow(nat, n);
	if (rc)
		return rc;
	nat->n = 0;
	nat->next_id = next_id ? next_id : 1;
	for (size_t i = 0; i < n; i++)
		if (rules[i].id >= nat->next_id)
			nat->next_id = rules[i].id + 1;
	for (size_t i = 0; i < n; i++) {
		struct nat_slot *s = &nat->slots[nat->n];
		char msg[300];

		s->r = rules[i];
		if (!s->r.id)
			s->r.id = nat->next_id++;
		rc = resolve(nat, &s->r, &s->ifindex, msg, sizeof(msg));
		if (rc) {
			snprintf(err, errlen, "rule %u: %s", s->r.id, msg);
			return rc;
		}
		nat->n++;
	}
	if (nat->n) {
		rc = ct_on(nat, &switched, err, errlen);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < nat->n; i++) {
		rc = rule_write(nat, &nat->slots[i].r, nat->slots[i].ifindex);
		if (rc) {
			snprintf(err, errlen, "rule %u: the data path: %s",
				 nat->slots[i].r.id, strerror(-rc));
			return rc;
		}
	}
	if (nat->ops->prune) {
		nat->pruned = 0;
		rc = nat->ops->prune(nat->dp, keep_snat, keep_dnat, nat);
		if (rc)
			pr_warn("nat: removing a previous run's rules: %s",
				strerror(-rc));
		else if (nat->pruned)
			pr_info("nat: removed %zu rules a previous run left in "
				"the data path (not in the rules loaded)",
				nat->pruned);
	}
	rc = nat->ops->config_set(nat->dp, flags_for(nat, NULL, SIZE_MAX));
	if (rc) {
		snprintf(err, errlen, "the data path's NAT switch: %s",
			 strerror(-rc));
		return rc;
	}
	nat->flags = flags_for(nat, NULL, SIZE_MAX);
	return 0;
}

int nat_add(struct nat *nat, const struct nat_rule *r, uint32_t *id, char *err,
	    size_t errlen)
{
	struct nat_rule nr = *r;
	uint32_t ifindex, f;
	bool switched;
	int rc;

	for (size_t i = 0; i < nat->n; i++)
		if (nat_rule_same_key(&nat->slots[i].r, r)) {
			snprintf(err, errlen,
				 "rule %u already translates %s %s%s%s",
				 nat->slots[i].r.id,
				 r->kind == NAT_SNAT ? "out of" : "into",
				 r->iface,
				 r->kind == NAT_SNAT ? " from that prefix" :
						       " to that address:port",
				 "; delete it first");
			return -EEXIST;
		}
	if (nat->n >= NAT_MAX_RULES) {
		snprintf(err, errlen,
			 "nat: %d rules already, the most there "
			 "may be",
			 NAT_MAX_RULES);
		return -ENOSPC;
	}
	rc = resolve(nat, r, &ifindex, err, errlen);
	if (rc)
		return rc == -ENODEV ? -EINVAL : rc;
	rc = slots_grow(nat, nat->n + 1);
	if (rc)
		return rc;
	nr.id = nat->next_id;
	rc = ct_on(nat, &switched, err, errlen);
	if (rc)
		return rc;
	rc = rule_write(nat, &nr, ifindex);
	if (rc) {
		snprintf(err, errlen, "the data path refused the rule: %s",
			 strerror(-rc));
		goto undo_ct;
	}
	f = flags_for(nat, &nr, SIZE_MAX);
	rc = flags_write(nat, f);
	if (rc) {
		snprintf(err, errlen, "the data path's NAT switch: %s",
			 strerror(-rc));
		rule_erase(nat, &nr, ifindex);
		goto undo_ct;
	}
	nat->slots[nat->n].r = nr;
	nat->slots[nat->n].ifindex = ifindex;
	nat->n++;
	nat->next_id++;
	*id = nr.id;
	nat_save(nat);
	pr_info("nat: rule %u added (%s %s%s)", nr.id,
		nr.kind == NAT_SNAT ? "snat out" : "dnat in", nr.iface,
		ifindex ? "" : ", absent: written when it appears");
	return 0;
undo_ct:
	ct_undo(nat, switched);
	return rc;
}

int nat_del(struct nat *nat, uint32_t id, char *err, size_t errlen)
{
	size_t i;
	int rc;

	for (i = 0; i < nat->n; i++)
		if (nat->slots[i].r.id == id)
			break;
	if (i == nat->n) {
		snprintf(err, errlen, "id: no NAT rule %u", id);
		return -ENOENT;
	}
	/* the switch first: with the last rule of a kind gone, the data
	 * path stops looking; the rule's entry then goes */
	rc = flags_write(nat, flags_for(nat, NULL, i));
	if (!rc)
		rc = rule_erase(nat, &nat->slots[i].r, nat->slots[i].ifindex);
	if (rc) {
		flags_write(nat, flags_for(nat, NULL, SIZE_MAX));
		snprintf(err, errlen, "the data path: %s", strerror(-rc));
		return rc;
	}
	memmove(&nat->slots[i], &nat->slots[i + 1],
		(nat->n - i - 1) * sizeof(nat->slots[0]));
	nat->n--;
	nat_save(nat);
	pr_info("nat: rule %u deleted (flows it bound stay translated until "
		"their conntrack entry expires)",
		id);
	return 0;
}

void nat_sync_ifaces(struct nat *nat)
{
	if (!nat)
		return;
	for (size_t i = 0; i < nat->n; i++) {
		struct nat_slot *s = &nat->slots[i];
		uint32_t now = 0;
		int rc;

		if (nat->resolve(nat->resolve_arg, s->r.iface, &now) ||
		    now == s->ifindex)
			continue;
		rc = rule_erase(nat, &s->r, s->ifindex);
		if (!rc)
			rc = rule_write(nat, &s->r, now);
		if (rc) {
			pr_err("nat: rule %u on %s (ifindex %u): %s", s->r.id,
			       s->r.iface, now, strerror(-rc));
			s->ifindex = 0;
			continue;
		}
		pr_info("nat: rule %u %s (%s ifindex %u)", s->r.id,
			now ? "written again" : "out of the data path",
			s->r.iface, now ? now : s->ifindex);
		s->ifindex = now;
	}
}

size_t nat_rule_count(const struct nat *nat)
{
	return nat ? nat->n : 0;
}

const struct nat_rule *nat_rule_at(const struct nat *nat, size_t i)
{
	return i < nat->n ? &nat->slots[i].r : NULL;
}

uint32_t nat_rule_ifindex(const struct nat *nat, size_t i)
{
	return i < nat->n ? nat->slots[i].ifindex : 0;
}

size_t nat_count_kind(const struct nat *nat, enum nat_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < nat->n; i++)
		n += nat->slots[i].r.kind == k;
	return n;
}

struct dp *nat_dp(const struct nat *nat)
{
	return nat->dp;
}

const struct nat_dp_ops *nat_ops(const struct nat *nat)
{
	return nat->ops;
}

uint64_t nat_state_write_errors(const struct nat *nat)
{
	return nat->state_write_errors;
}

const char *nat_state_path(const struct nat *nat)
{
	return nat->state_path;
}

uint32_t nat_flags(const struct nat *nat)
{
	return nat->flags == UINT32_MAX ? 0 : nat->flags;
}

/* ---- what is shown -------------------------------------------------------- */

struct json_object *nat_json(struct nat *nat)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();
	struct json_object *cnt = json_object_new_object();
	struct json_object *ev = json_object_new_object();
	uint64_t events[SLUICE_NAT_NEVENTS] = {};
	uint32_t flows = 0;
	bool have_events, have_flows;

	for (size_t i = 0; i < nat->n; i++) {
		struct json_object *r = nat_rule_json(&nat->slots[i].r);

		json_add_int(r, "ifindex", nat->slots[i].ifindex);
		json_object_array_add(a, r);
	}
	json_object_object_add(o, "rules", a);
	json_add_int(cnt, "snat", (int64_t)nat_count_kind(nat, NAT_SNAT));
	json_add_int(cnt, "dnat", (int64_t)nat_count_kind(nat, NAT_DNAT));
	json_object_object_add(o, "counts", cnt);
	have_events = !nat->ops->events(nat->dp, events);
	for (unsigned int e = 0; have_events && e < SLUICE_NAT_NEVENTS; e++)
		if (dp_nat_event_name(e))
			json_add_int(ev, dp_nat_event_name(e),
				     (int64_t)events[e]);
	json_object_object_add(o, "events", ev);
	have_flows = !nat->ops->flow_count(nat->dp, &flows);
	/* a NATed flow holds a binding and an alias */
	if (have_flows)
		json_add_int(o, "nat_flows", flows / 2);
	else
		json_object_object_add(o, "nat_flows", NULL);
	if (have_flows)
		json_add_int(o, "nat_flow_entries", flows);
	json_add_bool(o, "conntrack_enabled",
		      nat->ct && ct_get_config(nat->ct)->enabled);
	json_add_str(o, "state_file", nat->state_path);
	json_add_int(o, "state_write_errors", (int64_t)nat->state_write_errors);
	return o;
}

char *nat_metrics(struct nat *nat)
{
	uint64_t events[SLUICE_NAT_NEVENTS] = {};
	uint32_t flows = 0;
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	fprintf(f,
		"# HELP sluice_nat_rules NAT rules by kind.\n"
		"# TYPE sluice_nat_rules gauge\n"
		"sluice_nat_rules{kind=\"snat\"} %zu\n"
		"sluice_nat_rules{kind=\"dnat\"} %zu\n",
		nat_count_kind(nat, NAT_SNAT), nat_count_kind(nat, NAT_DNAT));
	if (!nat->ops->events(nat->dp, events)) {
		fprintf(f, "# HELP sluice_nat_events_total What NAT's data "
			   "path did, by event.\n"
			   "# TYPE sluice_nat_events_total counter\n");
		for (unsigned int e = 0; e < SLUICE_NAT_NEVENTS; e++)
			if (dp_nat_event_name(e))
				fprintf(f,
					"sluice_nat_events_total{event=\"%s\"} "
					"%llu\n",
					dp_nat_event_name(e),
					(unsigned long long)events[e]);
	}
	if (!nat->ops->flow_count(nat->dp, &flows))
		fprintf(f,
			"# HELP sluice_nat_flows Flows NAT has bound (each "
			"holds a binding and an alias).\n"
			"# TYPE sluice_nat_flows gauge\n"
			"sluice_nat_flows %u\n",
			flows / 2);
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	return s;
}
