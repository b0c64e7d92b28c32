// SPDX-License-Identifier: BSD-2-Clause
/*
 * The firewall's state file, fw.json in the state directory, and the
 * config file's "fw" section, which share one shape:
 *
 *   {"sets": [{"name": "bad", "prefixes": ["198.18.7.0/24", ...]}
 *             or {"name": "bad", "file": "/etc/sluice/bad.txt"}],
 *    "policies": [{"iface": "eth0", "dir": "in", "policy": "drop"}],
 *    "rules": [{"iface": "eth0", "dir": "in", "proto": "tcp",
 *               "dport": 22, "action": "accept"}, ...]}
 *
 * Rules are in order; the state file also keeps their ids.  The config
 * is read only when there is no state file yet, as for the LB's VIPs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include "config.h"
#include "dp_fw.h"
#include "fwd_internal.h"
#include "log.h"

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), (code))

static struct json_object *doc_of(struct fwd *f)
{
	struct json_object *d = json_object_new_object();
	struct json_object *sets = json_object_new_array();
	struct json_object *pols = json_object_new_array();
	struct json_object *rules = json_object_new_array();

	for (int i = 0; i < f->n_sets; i++) {
		struct json_object *s = json_object_new_object();
		struct json_object *p = json_object_new_array();
		char buf[64];

		json_object_object_add(s, "name",
				       json_object_new_string(f->sets[i].name));
		for (size_t k = 0; k < f->sets[i].n; k++) {
			fw_prefix_format(&f->sets[i].p[k], buf, sizeof(buf));
			json_object_array_add(p, json_object_new_string(buf));
		}
		json_object_object_add(s, "prefixes", p);
		json_object_array_add(sets, s);
	}
	for (int i = 0; i < f->n_pol; i++) {
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "iface",
				       json_object_new_string(f->pol[i].iface));
		json_object_object_add(
			p, "dir",
			json_object_new_string(fw_dir_name(f->pol[i].dir)));
		json_object_object_add(p, "policy",
				       json_object_new_string(fw_action_name(
					       f->pol[i].policy)));
		json_object_array_add(pols, p);
	}
	for (size_t i = 0; i < f->n; i++)
		json_object_array_add(rules,
				      fwd_rule_json(f, &f->rules[i], false));
	json_object_object_add(d, "sets", sets);
	json_object_object_add(d, "policies", pols);
	json_object_object_add(d, "rules", rules);
	return d;
}

void fwd_save(struct fwd *f)
{
	char path[512], tmp[520];
	struct json_object *d;
	const char *text;
	FILE *fp;
	int rc = 0;

	if (!f->state_dir)
		return;
	d = doc_of(f);
	text = json_object_to_json_string_ext(
		d, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	snprintf(path, sizeof(path), "%s/%s", f->state_dir, FWD_STATE_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	mkdir(f->state_dir, 0755);
	/* the whole file, synced, then renamed over the old one */
	fp = fopen(tmp, "we");
	if (!fp || fputs(text, fp) < 0 || fputc('\n', fp) < 0 || fflush(fp) ||
	    fsync(fileno(fp)))
		rc = -errno ?: -EIO;
	if (fp && fclose(fp) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc) {
		unlink(tmp);
		f->save_errors++;
		pr_err("fw: cannot write %s: %s (the change is in effect, "
		       "but will not survive a restart)",
		       path, strerror(-rc));
	}
	json_object_put(d);
}

static int load_sets(struct fwd *f, struct json_object *a, bool flush,
		     char *err, size_t errlen)
{
	if (!json_object_is_type(a, json_type_array))
		return ERR(-EINVAL, "fw.sets: expected an array");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *o = json_object_array_get_idx(a, i), *v;
		struct fwd_nset *s;
		int rc;

		if (!json_object_object_get_ex(o, "name", &v) ||
		    !json_object_is_type(v, json_type_string))
			return ERR(-EINVAL, "fw.sets[%zu].name: missing", i);
		rc = fwd_set_create(f, json_object_get_string(v), &s, err,
				    errlen);
		if (rc)
			return rc;
		if (json_object_object_get_ex(o, "file", &v)) {
			rc = fwd_read_prefixes(json_object_get_string(v), &s->p,
					       &s->n, err, errlen);
		} else if (json_object_object_get_ex(o, "prefixes", &v) &&
			   json_object_is_type(v, json_type_array)) {
			size_t n = json_object_array_length(v);

			s->p = calloc(n ? n : 1, sizeof(*s->p));
			if (!s->p)
				return ERR(-ENOMEM, "out of memory");
			for (size_t k = 0; k < n; k++) {
				const char *t = json_object_get_string(
					json_object_array_get_idx(v, k));

				if (fw_prefix_parse(t, &s->p[k]))
					return ERR(
						-EINVAL,
						"fw.sets[%zu].prefixes[%zu]: "
						"%s is not a prefix",
						i, k, t ? t : "(none)");
			}
			s->n = n;
		}
		if (!rc)
			rc = fwd_set_push(f, s, flush, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_policies(struct fwd *f, struct json_object *a, char *err,
			 size_t errlen)
{
	if (!json_object_is_type(a, json_type_array))
		return ERR(-EINVAL, "fw.policies: expected an array");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *o = json_object_array_get_idx(a, i), *v;
		struct fwd_policy *p;
		const char *t;

		if (f->n_pol == FWD_MAX_POLICIES)
			return ERR(-ENOSPC, "fw.policies: too many");
		p = &f->pol[f->n_pol];
		t = json_object_object_get_ex(o, "iface", &v) ?
			    json_object_get_string(v) :
			    "";
		if (!t || !*t || strlen(t) >= sizeof(p->iface))
			return ERR(-EINVAL, "fw.policies[%zu].iface: missing",
				   i);
		snprintf(p->iface, sizeof(p->iface), "%s", t);
		t = json_object_object_get_ex(o, "dir", &v) ?
			    json_object_get_string(v) :
			    NULL;
		if (fw_dir_parse(t, &p->dir))
			return ERR(-EINVAL,
				   "fw.policies[%zu].dir: %s is not in or out",
				   i, t ? t : "(none)");
		t = json_object_object_get_ex(o, "policy", &v) ?
			    json_object_get_string(v) :
			    NULL;
		if (fw_action_parse(t, &p->policy) ||
		    p->policy == SLUICE_FW_ACT_REJECT)
			return ERR(-EINVAL,
				   "fw.policies[%zu].policy: %s is not accept "
				   "or drop",
				   i, t ? t : "(none)");
		f->n_pol++;
	}
	return 0;
}

static int load_rules(struct fwd *f, struct json_object *a, bool with_id,
		      char *err, size_t errlen)
{
	if (!json_object_is_type(a, json_type_array))
		return ERR(-EINVAL, "fw.rules: expected an array");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		char e[FW_ERR_MAX];
		struct fw_rule r;
		size_t at;
		int pos, rc;

		rc = fwd_rule_from_json_id(json_object_array_get_idx(a, i), &r,
					   &pos, with_id, e, sizeof(e));
		if (rc)
			return ERR(rc, "fw.rules[%zu].%s", i, e);
		if (!r.id)
			r.id = f->next_id++;
		if (f->slot(r.iface, f->slot_arg) < 0)
			return ERR(-EINVAL,
				   "fw.rules[%zu].iface: %s is not an "
				   "interface sluiced manages",
				   i, r.iface);
		rc = fwd_insert(f, &r, 0, &at, err, errlen);
		if (rc)
			return rc;
		if (r.id >= f->next_id)
			f->next_id = r.id + 1;
	}
	return 0;
}

/* Installs every interface and direction the model names, and removes
 * the rule sets a previous run left on the others. */
static int apply_all(struct fwd *f, char *err, size_t errlen)
{
	bool want[SLUICE_MAX_IFACES][2] = { { false } };
	int rc;

	for (size_t i = 0; i < f->n; i++) {
		int slot = f->slot(f->rules[i].iface, f->slot_arg);

		if (slot >= 0 && slot < SLUICE_MAX_IFACES &&
		    !want[slot][f->rules[i].dir]) {
			want[slot][f->rules[i].dir] = true;
			rc = fwd_apply(f, f->rules[i].iface, f->rules[i].dir,
				       err, errlen);
			if (rc)
				return rc;
		}
	}
	for (int i = 0; i < f->n_pol; i++) {
		int slot = f->slot(f->pol[i].iface, f->slot_arg);

		if (slot < 0 || slot >= SLUICE_MAX_IFACES)
			return ERR(-EINVAL,
				   "fw.policies: %s is not an interface "
				   "sluiced manages",
				   f->pol[i].iface);
		if (!want[slot][f->pol[i].dir]) {
			want[slot][f->pol[i].dir] = true;
			rc = fwd_apply(f, f->pol[i].iface, f->pol[i].dir, err,
				       errlen);
			if (rc)
				return rc;
		}
	}
	for (uint32_t s = 0; f->dp && s < SLUICE_MAX_IFACES; s++) {
		struct sluice_fw_port e;

		if (dp_fw_port_get(f->dp, s, &e))
			continue;
		for (uint8_t d = 0; d < 2; d++)
			if (e.set[d] && !want[s][d])
				dp_fw_remove(f->dp, s, d);
	}
	return 0;
}

static int load_doc(struct fwd *f, struct json_object *d, bool with_id,
		    const char *what, char *err, size_t errlen)
{
	struct json_object *v;
	int rc = 0;

	if (!json_object_is_type(d, json_type_object))
		return ERR(-EINVAL, "%s: expected an object", what);
	json_object_object_foreach(d, key, val) {
		(void)val;
		if (strcmp(key, "sets") && strcmp(key, "policies") &&
		    strcmp(key, "rules"))
			return ERR(-EINVAL,
				   "%s: unknown field '%s' (known: sets, "
				   "policies, rules)",
				   what, key);
	}
	if (json_object_object_get_ex(d, "sets", &v))
		rc = load_sets(f, v, false, err, errlen);
	if (!rc && json_object_object_get_ex(d, "policies", &v))
		rc = load_policies(f, v, err, errlen);
	if (!rc && json_object_object_get_ex(d, "rules", &v))
		rc = load_rules(f, v, with_id, err, errlen);
	return rc ?: apply_all(f, err, errlen);
}

bool fwd_state_exists(const char *state_dir)
{
	char path[512];

	if (!state_dir)
		return false;
	snprintf(path, sizeof(path), "%s/%s", state_dir, FWD_STATE_FILE);
	return !access(path, F_OK);
}

int fwd_new(struct fwd **out, struct dp *dp, fwd_slot_fn slot, void *arg,
	    const char *state_dir, struct json_object *config, char *err,
	    size_t errlen)
{
	struct fwd *f = calloc(1, sizeof(*f));
	struct json_object *d = NULL;
	char path[512];
	int rc = 0;

	if (!f)
		return ERR(-ENOMEM, "out of memory");
	f->dp = dp;
	f->slot = slot;
	f->slot_arg = arg;
	f->next_id = 1;
	if (state_dir) {
		f->state_dir = strdup(state_dir);
		if (!f->state_dir) {
			fwd_free(f);
			return ERR(-ENOMEM, "out of memory");
		}
		snprintf(path, sizeof(path), "%s/%s", state_dir,
			 FWD_STATE_FILE);
		if (fwd_state_exists(state_dir)) {
			d = json_object_from_file(path);
			if (!d)
				rc = ERR(-EINVAL, "%s: not valid JSON", path);
			else
				rc = load_doc(f, d, true, path, err, errlen);
			json_object_put(d);
			goto done;
		}
	}
	if (config)
		rc = load_doc(f, config, false, "fw", err, errlen);
	else
		rc = apply_all(f, err, errlen);
done:
	if (rc) {
		fwd_free(f);
		return rc;
	}
	*out = f;
	return 0;
}
