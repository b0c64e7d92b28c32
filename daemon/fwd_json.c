// SPDX-License-Identifier: BSD-2-Clause
/* The firewall's JSON views (the API, fw.json), `fw check` and the
 * Prometheus lines. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "dp_fw.h"
#include "fwd_internal.h"

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

/* "80" or "1024-65535" */
static void range_text(const struct fw_range *r, char *buf, size_t len)
{
	if (r->lo == r->hi)
		snprintf(buf, len, "%u", r->lo);
	else
		snprintf(buf, len, "%u-%u", r->lo, r->hi);
}

struct json_object *fwd_rule_json(struct fwd *f, const struct fw_rule *r,
				  bool counters)
{
	struct json_object *o = json_object_new_object();
	char buf[256];

	json_object_object_add(o, "id", json_object_new_int64(r->id));
	add_str(o, "iface", r->iface);
	add_str(o, "dir", fw_dir_name(r->dir));
	if (r->src.kind == FW_ADDR_PREFIX) {
		fw_prefix_format(&r->src.p, buf, sizeof(buf));
		add_str(o, "src", buf);
	} else if (r->src.kind == FW_ADDR_SET) {
		snprintf(buf, sizeof(buf), "@%s", r->src.set);
		add_str(o, "src", buf);
	}
	if (r->dst.kind == FW_ADDR_PREFIX) {
		fw_prefix_format(&r->dst.p, buf, sizeof(buf));
		add_str(o, "dst", buf);
	} else if (r->dst.kind == FW_ADDR_SET) {
		snprintf(buf, sizeof(buf), "@%s", r->dst.set);
		add_str(o, "dst", buf);
	}
	if (r->proto)
		add_str(o, "proto", fw_proto_name(r->proto));
	if (r->sport.lo || r->sport.hi != 65535) {
		range_text(&r->sport, buf, sizeof(buf));
		add_str(o, "sport", buf);
	}
	if (r->dport.lo || r->dport.hi != 65535) {
		range_text(&r->dport, buf, sizeof(buf));
		add_str(o, "dport", buf);
	}
	if (r->icmp_type >= 0)
		json_object_object_add(o, "icmp_type",
				       json_object_new_int(r->icmp_type));
	if (r->states) {
		fw_states_format(r->states, buf, sizeof(buf));
		add_str(o, "state", buf);
	}
	add_str(o, "action", fw_action_name(r->action));
	if (counters) {
		struct sluice_counter c = { 0 };

		if (f->dp)
			dp_fw_counter_read(f->dp, r->id, &c);
		json_object_object_add(
			o, "packets",
			json_object_new_int64((int64_t)c.packets));
		json_object_object_add(o, "bytes",
				       json_object_new_int64((int64_t)c.bytes));
	}
	return o;
}

struct json_object *fwd_rules_json(struct fwd *f, const char *iface)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < f->n; i++)
		if (!iface || !strcmp(iface, f->rules[i].iface))
			json_object_array_add(a, fwd_rule_json(f, &f->rules[i],
							       true));
	return a;
}

/* The policy counter of (@iface, @dir). */
static struct sluice_counter policy_count(struct fwd *f, const char *iface,
					  uint8_t dir)
{
	struct sluice_counter c = { 0 };
	int slot = f->slot(iface, f->slot_arg);

	if (f->dp && slot >= 0)
		dp_fw_counter_read(
			f->dp, SLUICE_FW_POLICY_COUNTER((uint32_t)slot, dir),
			&c);
	return c;
}

struct json_object *fwd_policies_json(struct fwd *f)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < f->n_pol; i++) {
		struct json_object *o = json_object_new_object();
		struct sluice_counter c =
			policy_count(f, f->pol[i].iface, f->pol[i].dir);

		add_str(o, "iface", f->pol[i].iface);
		add_str(o, "dir", fw_dir_name(f->pol[i].dir));
		add_str(o, "policy", fw_action_name(f->pol[i].policy));
		json_object_object_add(
			o, "packets",
			json_object_new_int64((int64_t)c.packets));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *fwd_sets_json(struct fwd *f)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < f->n_sets; i++) {
		struct json_object *o = json_object_new_object();

		add_str(o, "name", f->sets[i].name);
		json_object_object_add(
			o, "prefixes",
			json_object_new_int64((int64_t)f->sets[i].n));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *fwd_check_json(struct fwd *f)
{
	struct json_object *a = json_object_new_array();
	struct fw_rule *list = malloc(sizeof(*list) * (f->n ? f->n : 1));
	struct fw_issue *is = malloc(sizeof(*is) * (f->n ? f->n : 1));
	bool *done = calloc(f->n ? f->n : 1, sizeof(*done));

	if (!list || !is || !done)
		goto out;
	/* each interface and direction on its own */
	for (size_t i = 0; i < f->n; i++) {
		size_t n = 0, found;

		if (done[i])
			continue;
		for (size_t k = i; k < f->n; k++)
			if (f->rules[k].dir == f->rules[i].dir &&
			    !strcmp(f->rules[k].iface, f->rules[i].iface)) {
				list[n++] = f->rules[k];
				done[k] = true;
			}
		found = fw_check(list, n, is, n);
		for (size_t k = 0; k < found && k < n; k++) {
			struct json_object *o = json_object_new_object();

			add_str(o, "iface", f->rules[i].iface);
			add_str(o, "dir", fw_dir_name(f->rules[i].dir));
			add_str(o, "issue", fw_issue_name(is[k].kind));
			json_object_object_add(
				o, "rule", json_object_new_int64(is[k].rule));
			json_object_object_add(o, "by",
					       json_object_new_int64(is[k].by));
			json_object_array_add(a, o);
		}
	}
out:
	free(done);
	free(is);
	free(list);
	return a;
}

struct mbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void mprintf(struct mbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void mprintf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	while (!b->oom) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		char *s = realloc(b->s, b->cap * 2 + (size_t)n + 1);

		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = b->cap * 2 + (size_t)n + 1;
	}
}

char *fwd_metrics(struct fwd *f)
{
	struct mbuf b = { .cap = 4096 };

	b.s = malloc(b.cap);
	if (!b.s)
		return NULL;
	b.s[0] = '\0';
	for (int bytes = 0; bytes < 2; bytes++) {
		const char *name = bytes ? "sluice_fw_rule_bytes_total" :
					   "sluice_fw_rule_packets_total";

		mprintf(&b,
			"# HELP %s %s that firewall rules (rule=\"policy\": "
			"the default policy) decided.\n"
			"# TYPE %s counter\n",
			name, bytes ? "Bytes" : "Packets", name);
		for (size_t i = 0; i < f->n; i++) {
			const struct fw_rule *r = &f->rules[i];
			struct sluice_counter c = { 0 };

			if (f->dp)
				dp_fw_counter_read(f->dp, r->id, &c);
			mprintf(&b,
				"%s{iface=\"%s\",dir=\"%s\",rule=\"%u\","
				"action=\"%s\"} %llu\n",
				name, r->iface, fw_dir_name(r->dir), r->id,
				fw_action_name(r->action),
				(unsigned long long)(bytes ? c.bytes :
							     c.packets));
		}
		for (int i = 0; i < f->n_pol; i++) {
			struct sluice_counter c =
				policy_count(f, f->pol[i].iface, f->pol[i].dir);

			mprintf(&b,
				"%s{iface=\"%s\",dir=\"%s\",rule=\"policy\","
				"action=\"%s\"} %llu\n",
				name, f->pol[i].iface,
				fw_dir_name(f->pol[i].dir),
				fw_action_name(f->pol[i].policy),
				(unsigned long long)(bytes ? c.bytes :
							     c.packets));
		}
	}
	mprintf(&b,
		"# HELP sluice_fw_state_write_errors_total Firewall changes "
		"applied but not saved to fw.json.\n"
		"# TYPE sluice_fw_state_write_errors_total counter\n"
		"sluice_fw_state_write_errors_total %llu\n",
		(unsigned long long)f->save_errors);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
