// SPDX-License-Identifier: BSD-2-Clause
/* sluiced's firewall model: see fwd.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include "dp.h"
#include "dp_fw.h"
#include "fwd.h"
#include "fwd_internal.h"
#include "log.h"
#include "state.h"

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), (code))

int fwd_slot_state(const char *iface, void *arg)
{
	struct state *st = arg;

	for (int i = 0; i < st->n_ifaces; i++)
		if (!strcmp(st->ifaces[i].name, iface))
			return (int)st->ifaces[i].slot;
	return -ENOENT;
}

static int nset_resolve(const char *name, void *arg)
{
	struct fwd_nset *s = fwd_nset_find(arg, name);

	return s ? s->id : -ENOENT;
}

struct fwd_nset *fwd_nset_find(struct fwd *f, const char *name)
{
	for (int i = 0; i < f->n_sets; i++)
		if (!strcmp(f->sets[i].name, name))
			return &f->sets[i];
	return NULL;
}

uint8_t fwd_policy_get(const struct fwd *f, const char *iface, uint8_t dir)
{
	for (int i = 0; i < f->n_pol; i++)
		if (f->pol[i].dir == dir && !strcmp(f->pol[i].iface, iface))
			return f->pol[i].policy;
	return SLUICE_FW_ACT_ACCEPT;
}

/* Compiles and installs (@iface, @dir) from the model. */
int fwd_apply(struct fwd *f, const char *iface, uint8_t dir, char *err,
	      size_t errlen)
{
	uint8_t policy = fwd_policy_get(f, iface, dir);
	struct fw_rule *list;
	struct fw_compiled *c;
	size_t n = 0;
	int slot, rc;

	slot = f->slot(iface, f->slot_arg);
	if (slot < 0)
		return ERR(-ENOENT,
			   "iface: %s is not an interface sluiced "
			   "manages",
			   iface);
	list = malloc(sizeof(*list) * (f->n ? f->n : 1));
	c = malloc(sizeof(*c));
	if (!list || !c) {
		rc = ERR(-ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < f->n; i++)
		if (f->rules[i].dir == dir && !strcmp(f->rules[i].iface, iface))
			list[n++] = f->rules[i];
	if (!n && policy == SLUICE_FW_ACT_ACCEPT) {
		rc = 0;
		if (!f->dp) /* no data path: --check-config, tests */
			goto out;
		rc = dp_fw_remove(f->dp, (uint32_t)slot, dir);
		if (rc)
			rc = ERR(rc, "%s %s: cannot remove the rule set: %s",
				 iface, fw_dir_name(dir), strerror(-rc));
		goto out;
	}
	/* compiled also without a data path: that checks it */
	rc = fw_compile(list, n, policy, nset_resolve, f, c, err, errlen);
	if (!rc && f->dp) {
		rc = dp_fw_install(f->dp, (uint32_t)slot, dir, c);
		if (rc)
			rc = ERR(rc, "%s %s: cannot install the rule set: %s",
				 iface, fw_dir_name(dir), strerror(-rc));
	}
	fw_compiled_free(c);
out:
	free(c);
	free(list);
	return rc;
}

static uint32_t next_id(struct fwd *f)
{
	for (uint32_t tries = 0; tries < SLUICE_FW_MAX_COUNTERS; tries++) {
		uint32_t id = f->next_id++;
		bool used = false;

		if (f->next_id >= SLUICE_FW_MAX_COUNTERS)
			f->next_id = 1;
		if (!id)
			continue;
		for (size_t i = 0; i < f->n && !used; i++)
			used = f->rules[i].id == id;
		if (!used)
			return id;
	}
	return 0;
}

/* Inserts @r into the model at 1-based @position of its list. */
int fwd_insert(struct fwd *f, const struct fw_rule *r, int position, size_t *at,
	       char *err, size_t errlen)
{
	size_t idx = f->n;
	int seen = 0;

	if (f->n >= FWD_MAX_RULES)
		return ERR(-ENOSPC, "rules: %d rules already, at most %d",
			   FWD_MAX_RULES, FWD_MAX_RULES);
	if (position > 0) {
		for (size_t i = 0; i < f->n; i++) {
			if (f->rules[i].dir != r->dir ||
			    strcmp(f->rules[i].iface, r->iface))
				continue;
			if (++seen == position) {
				idx = i;
				break;
			}
		}
		if (idx == f->n && position > seen + 1)
			return ERR(-EINVAL,
				   "position: %d is past the end (%s %s has "
				   "%d rules)",
				   position, r->iface, fw_dir_name(r->dir),
				   seen);
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct fw_rule *m = realloc(f->rules, cap * sizeof(*m));

		if (!m)
			return ERR(-ENOMEM, "out of memory");
		f->rules = m;
		f->cap = cap;
	}
	memmove(&f->rules[idx + 1], &f->rules[idx],
		(f->n - idx) * sizeof(*f->rules));
	f->rules[idx] = *r;
	f->n++;
	*at = idx;
	return 0;
}

static void remove_at(struct fwd *f, size_t idx)
{
	memmove(&f->rules[idx], &f->rules[idx + 1],
		(f->n - idx - 1) * sizeof(*f->rules));
	f->n--;
}

int fwd_rule_add(struct fwd *f, struct fw_rule *r, int position, char *err,
		 size_t errlen)
{
	uint32_t old_next = f->next_id;
	size_t at;
	int rc;

	rc = fw_rule_validate(r, err, errlen);
	if (rc)
		return rc;
	if (f->slot(r->iface, f->slot_arg) < 0)
		return ERR(-EINVAL,
			   "iface: %s is not an interface sluiced "
			   "manages",
			   r->iface);
	/* the id is taken here for the compiled rule set to count under,
	 * and given back if the rule is refused after all (a named set that
	 * does not exist, a position past the end): ids follow the rules
	 * that were accepted, without gaps from refused ones */
	r->id = next_id(f);
	if (!r->id)
		return ERR(-ENOSPC, "rules: no free rule id");
	rc = fwd_insert(f, r, position, &at, err, errlen);
	if (rc) {
		f->next_id = old_next;
		return rc;
	}
	rc = fwd_apply(f, r->iface, r->dir, err, errlen);
	if (rc) {
		remove_at(f, at);
		f->next_id = old_next;
		return rc;
	}
	/* a new id starts from zero, whatever an older rule left there */
	if (f->dp)
		dp_fw_counter_clear(f->dp, r->id);
	fwd_save(f);
	return 0;
}

int fwd_rule_del(struct fwd *f, const char *iface, uint32_t id, char *err,
		 size_t errlen)
{
	struct fw_rule old;
	size_t i;
	int rc;

	for (i = 0; i < f->n; i++)
		if (f->rules[i].id == id && !strcmp(f->rules[i].iface, iface))
			break;
	if (i == f->n)
		return ERR(-ENOENT, "id: no rule %u on %s", id, iface);
	old = f->rules[i];
	remove_at(f, i);
	rc = fwd_apply(f, old.iface, old.dir, err, errlen);
	if (rc) {
		/* back where it was */
		memmove(&f->rules[i + 1], &f->rules[i],
			(f->n - i) * sizeof(*f->rules));
		f->rules[i] = old;
		f->n++;
		return rc;
	}
	fwd_save(f);
	return 0;
}

int fwd_policy_set(struct fwd *f, const char *iface, uint8_t dir,
		   uint8_t policy, char *err, size_t errlen)
{
	uint8_t old = fwd_policy_get(f, iface, dir);
	int i, rc;

	if (policy > SLUICE_FW_ACT_DROP)
		return ERR(-EINVAL, "policy: %s is not accept or drop",
			   fw_action_name(policy));
	if (f->slot(iface, f->slot_arg) < 0)
		return ERR(-EINVAL,
			   "iface: %s is not an interface sluiced "
			   "manages",
			   iface);
	for (i = 0; i < f->n_pol; i++)
		if (f->pol[i].dir == dir && !strcmp(f->pol[i].iface, iface))
			break;
	if (i == f->n_pol) {
		if (f->n_pol == FWD_MAX_POLICIES)
			return ERR(-ENOSPC, "policy: too many");
		snprintf(f->pol[i].iface, sizeof(f->pol[i].iface), "%s", iface);
		f->pol[i].dir = dir;
		f->n_pol++;
	}
	f->pol[i].policy = policy;
	rc = fwd_apply(f, iface, dir, err, errlen);
	if (rc) {
		f->pol[i].policy = old;
		return rc;
	}
	fwd_save(f);
	return 0;
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= FW_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(name[i] == '-' || name[i] == '_' || name[i] == '.' ||
		      (name[i] >= '0' && name[i] <= '9') ||
		      (name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z')))
			return false;
	return true;
}

int fwd_set_create(struct fwd *f, const char *name, struct fwd_nset **out,
		   char *err, size_t errlen)
{
	struct fwd_nset *s;

	if (!name_ok(name))
		return ERR(-EINVAL,
			   "name: '%s' is not a set name (1 to %d letters, "
			   "digits, '-', '_', '.')",
			   name, FW_NAME_MAX - 1);
	if (fwd_nset_find(f, name))
		return ERR(-EEXIST, "name: set %s exists", name);
	if (f->n_sets == SLUICE_FW_MAX_NSETS - 1)
		return ERR(-ENOSPC, "name: %d sets already, at most %d",
			   f->n_sets, SLUICE_FW_MAX_NSETS - 1);
	s = &f->sets[f->n_sets];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	/* the lowest id no set has (fwd_set_del() leaves gaps) */
	for (uint16_t id = 1; !s->id; id++) {
		bool used = false;

		for (int i = 0; i < f->n_sets && !used; i++)
			used = f->sets[i].id == id;
		if (!used)
			s->id = id;
	}
	f->n_sets++;
	*out = s;
	return 0;
}

int fwd_set_add(struct fwd *f, const char *name, char *err, size_t errlen)
{
	struct fwd_nset *s;
	int rc = fwd_set_create(f, name, &s, err, errlen);

	if (!rc)
		fwd_save(f);
	return rc;
}

/* Reads @file's prefixes into a new array; the first bad line fails. */
int fwd_read_prefixes(const char *file, struct fw_prefix **out, size_t *n,
		      char *err, size_t errlen)
{
	FILE *fp = fopen(file, "re");
	struct fw_prefix *v = NULL;
	size_t cap = 0, cnt = 0, lineno = 0;
	char line[256];
	struct stat sb;
	int rc = 0;

	if (!fp)
		return ERR(-errno, "file: cannot open %s: %s", file,
			   strerror(errno));
	/* a device or a FIFO never ends (/dev/zero is an endless run of
	 * empty lines): the event loop would spin in here for good */
	if (fstat(fileno(fp), &sb) || !S_ISREG(sb.st_mode)) {
		fclose(fp);
		return ERR(-EINVAL, "file: %s is not a regular file", file);
	}
	while (fgets(line, sizeof(line), fp)) {
		char *s = line, *e;

		lineno++;
		s += strspn(s, " \t");
		e = s + strcspn(s, "#\r\n");
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = '\0';
		if (!*s)
			continue;
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			struct fw_prefix *m = realloc(v, nc * sizeof(*v));

			if (!m) {
				rc = ERR(-ENOMEM, "out of memory");
				break;
			}
			v = m;
			cap = nc;
		}
		if (fw_prefix_parse(s, &v[cnt])) {
			rc = ERR(-EINVAL,
				 "file: %s line %zu: %s is not a prefix", file,
				 lineno, s);
			break;
		}
		cnt++;
	}
	fclose(fp);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* Writes @s's prefixes to the data path (after a flush when @flush). */
int fwd_set_push(struct fwd *f, struct fwd_nset *s, bool flush, char *err,
		 size_t errlen)
{
	int rc = 0;

	if (!f->dp)
		return 0;
	if (flush)
		rc = dp_fw_nset_flush(f->dp, s->id);
	for (size_t i = 0; !rc && i < s->n; i++)
		rc = dp_fw_nset_add(f->dp, s->id, &s->p[i]);
	if (rc)
		rc = ERR(rc, "set %s: cannot write it: %s", s->name,
			 strerror(-rc));
	return rc;
}

int fwd_set_load(struct fwd *f, const char *name, const char *file, char *err,
		 size_t errlen)
{
	struct fwd_nset *s = fwd_nset_find(f, name);
	struct fw_prefix *v;
	size_t n;
	int rc;

	if (!s)
		return ERR(-ENOENT, "name: no set %s (fw set add %s first)",
			   name, name);
	rc = fwd_read_prefixes(file, &v, &n, err, errlen);
	if (rc)
		return rc;
	free(s->p);
	s->p = v;
	s->n = n;
	rc = fwd_set_push(f, s, true, err, errlen);
	fwd_save(f);
	return rc;
}

void fwd_free(struct fwd *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->n_sets; i++)
		free(f->sets[i].p);
	free(f->rules);
	free(f->state_dir);
	free(f);
}

int fwd_rule_from_json(struct json_object *o, struct fw_rule *r, int *position,
		       char *err, size_t errlen)
{
	return fwd_rule_from_json_id(o, r, position, false, err, errlen);
}

int fwd_rule_from_json_id(struct json_object *o, struct fw_rule *r,
			  int *position, bool with_id, char *err, size_t errlen)
{
	fw_rule_init(r);
	*position = 0;
	if (!json_object_is_type(o, json_type_object))
		return ERR(-EINVAL, "rule: expected an object");
	json_object_object_foreach(o, key, v) {
		char num[32];
		const char *txt;
		int rc;

		if (!strcmp(key, "position") ||
		    (with_id && !strcmp(key, "id"))) {
			int64_t x;

			if (!json_object_is_type(v, json_type_int))
				return ERR(-EINVAL, "%s: expected a number",
					   key);
			x = json_object_get_int64(v);
			if (x < 1 ||
			    x >= (key[0] == 'p' ? FWD_MAX_RULES + 1 :
						  SLUICE_FW_MAX_COUNTERS))
				return ERR(-EINVAL, "%s: %lld is out of range",
					   key, (long long)x);
			if (key[0] == 'p')
				*position = (int)x;
			else
				r->id = (uint32_t)x;
			continue;
		}
		if (json_object_is_type(v, json_type_int)) {
			snprintf(num, sizeof(num), "%lld",
				 (long long)json_object_get_int64(v));
			txt = num;
		} else if (json_object_is_type(v, json_type_string)) {
			txt = json_object_get_string(v);
		} else {
			return ERR(-EINVAL, "%s: expected a string or a number",
				   key);
		}
		rc = fw_rule_set(r, key, txt, err, errlen);
		if (rc)
			return rc;
	}
	/* no default: a rule that forgot its action must not become an
	 * accept (the CLI asks for one too) */
	if (!json_object_object_get_ex(o, "action", NULL))
		return ERR(-EINVAL,
			   "action: required (accept, drop or reject)");
	return fw_rule_validate(r, err, errlen);
}
