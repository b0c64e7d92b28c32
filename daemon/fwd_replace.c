// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluiced's firewall, whole lists at once (fwd.h): an interface and
 * direction's rules replaced by a new ordered list with one compile and
 * one swap (10,000 rules added one by one would compile 10,000 times),
 * and a named set deleted once no rule names it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dp.h"
#include "dp_fw.h"
#include "fwd.h"
#include "fwd_internal.h"

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), (code))

static bool is_list(const struct fw_rule *r, const char *iface, uint8_t dir)
{
	return r->dir == dir && !strcmp(r->iface, iface);
}

/* Ids for @n new rules, none that @keep's rules use, from f->next_id on
 * as fwd_rule_add() hands them out; 0 or -ENOSPC. */
static int give_ids(struct fwd *f, const struct fw_rule *keep, size_t nkeep,
		    struct fw_rule *rules, size_t n)
{
	uint8_t *used = calloc(SLUICE_FW_MAX_COUNTERS, 1);
	uint32_t id = f->next_id;
	size_t i = 0;

	if (!used)
		return -ENOMEM;
	for (size_t k = 0; k < nkeep; k++)
		used[keep[k].id] = 1;
	for (uint32_t tries = 0; i < n && tries < SLUICE_FW_MAX_COUNTERS;
	     tries++) {
		if (id >= SLUICE_FW_MAX_COUNTERS)
			id = 1;
		if (id && !used[id]) {
			used[id] = 1;
			rules[i++].id = id;
		}
		id++;
	}
	free(used);
	if (i < n)
		return -ENOSPC;
	f->next_id = id >= SLUICE_FW_MAX_COUNTERS ? 1 : id;
	return 0;
}

int fwd_rules_replace(struct fwd *f, const char *iface, uint8_t dir,
		      struct fw_rule *rules, size_t n, char *err, size_t errlen)
{
	struct fw_rule *all, *old = f->rules;
	size_t nkeep = 0, oldn = f->n, oldcap = f->cap;
	uint32_t old_next = f->next_id;
	int rc;

	if (dir > SLUICE_FW_OUT)
		return ERR(-EINVAL, "dir: %u is not in or out", dir);
	if (f->slot(iface, f->slot_arg) < 0)
		return ERR(-EINVAL,
			   "iface: %s is not an interface sluiced manages",
			   iface);
	if (n > SLUICE_FW_MAX_RULES)
		return ERR(-E2BIG,
			   "rules: %zu rules on one interface and direction, "
			   "at most %d",
			   n, SLUICE_FW_MAX_RULES);
	for (size_t i = 0; i < n; i++) {
		char why[FW_ERR_MAX];

		snprintf(rules[i].iface, sizeof(rules[i].iface), "%s", iface);
		rules[i].dir = dir;
		if (fw_rule_validate(&rules[i], why, sizeof(why)))
			return ERR(-EINVAL, "rules[%zu]: %s", i, why);
	}
	all = malloc(sizeof(*all) * (oldn + n + 1));
	if (!all)
		return ERR(-ENOMEM, "out of memory");
	for (size_t i = 0; i < oldn; i++)
		if (!is_list(&old[i], iface, dir))
			all[nkeep++] = old[i];
	if (nkeep + n > FWD_MAX_RULES) {
		free(all);
		return ERR(-ENOSPC,
			   "rules: %zu rules on the other interfaces and %zu "
			   "here, at most %d in all",
			   nkeep, n, FWD_MAX_RULES);
	}
	rc = give_ids(f, all, nkeep, rules, n);
	if (rc) {
		free(all);
		return ERR(rc, "rules: no free rule ids for %zu rules", n);
	}
	memcpy(all + nkeep, rules, n * sizeof(*rules));
	f->rules = all;
	f->n = nkeep + n;
	f->cap = oldn + n + 1;
	rc = fwd_apply(f, iface, dir, err, errlen);
	if (rc) {
		/* the model as it was; the data path was not touched */
		free(all);
		f->rules = old;
		f->n = oldn;
		f->cap = oldcap;
		f->next_id = old_next;
		return rc;
	}
	free(old);
	/* new ids start from zero, whatever older rules left there */
	for (size_t i = 0; f->dp && i < n; i++)
		dp_fw_counter_clear(f->dp, rules[i].id);
	fwd_save(f);
	return 0;
}

int fwd_set_del(struct fwd *f, const char *name, char *err, size_t errlen)
{
	struct fwd_nset *s = fwd_nset_find(f, name);
	int rc;

	if (!s)
		return ERR(-ENOENT, "name: no set %s", name);
	for (size_t i = 0; i < f->n; i++) {
		const struct fw_rule *r = &f->rules[i];

		if ((r->src.kind == FW_ADDR_SET && !strcmp(r->src.set, name)) ||
		    (r->dst.kind == FW_ADDR_SET && !strcmp(r->dst.set, name)))
			return ERR(-EBUSY,
				   "name: set %s is used by rule %u (%s %s); "
				   "delete the rule first",
				   name, r->id, r->iface, fw_dir_name(r->dir));
	}
	if (f->dp) {
		rc = dp_fw_nset_flush(f->dp, s->id);
		if (rc)
			return ERR(rc, "set %s: cannot remove it: %s", name,
				   strerror(-rc));
	}
	free(s->p);
	memmove(s, s + 1, (size_t)(f->sets + f->n_sets - (s + 1)) * sizeof(*s));
	f->n_sets--;
	fwd_save(f);
	return 0;
}
