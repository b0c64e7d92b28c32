/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sluiced's firewall (docs/firewall.md): the ordered rules of each
 * interface and direction, their default policies and the named prefix
 * sets, as the API, the config file's "fw" section and the state file
 * fw.json hold them.  Every change compiles the (interface, direction)
 * it touches with lib/fw and swaps the result in through lib/dp; a change
 * that does not compile or install leaves the model and the data path as
 * they were.  After each change fw.json is rewritten, so rules, policies
 * and sets survive a restart.
 */
#ifndef SLUICED_FWD_H
#define SLUICED_FWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fw.h"

#define FWD_STATE_FILE "fw.json"
#define FWD_MAX_RULES 32768 /* all interfaces */

struct dp;
struct state;
struct json_object;
struct fwd;

/* The slot of a managed interface by name, or -ENOENT (a seam for the
 * unit tests; fwd_slot_state is the daemon's). */
typedef int (*fwd_slot_fn)(const char *iface, void *arg);
int fwd_slot_state(const char *iface, void *arg); /* arg: struct state */

/* Whether @state_dir/fw.json exists, so that fwd_new() starts from it
 * rather than from the config's "fw" (@state_dir NULL: no). */
bool fwd_state_exists(const char *state_dir);

/*
 * Starts from @state_dir/fw.json when it exists, else from @config (the
 * config file's "fw" object, may be NULL), and installs everything.
 * Stale rule sets a previous run left on interfaces that now have none
 * are removed.  0 or -errno with @err naming the field and the value.
 */
int fwd_new(struct fwd **out, struct dp *dp, fwd_slot_fn slot, void *arg,
	    const char *state_dir, struct json_object *config, char *err,
	    size_t errlen);
void fwd_free(struct fwd *f);

/* A rule from its JSON object ({"iface":..., "dir":..., "dport":80, ...,
 * "position": N}); *@position is 0 when absent (the end). */
int fwd_rule_from_json(struct json_object *o, struct fw_rule *r, int *position,
		       char *err, size_t errlen);
/* Adds @r (its id is given here) at 1-based @position of its interface
 * and direction, 0 = last. */
int fwd_rule_add(struct fwd *f, struct fw_rule *r, int position, char *err,
		 size_t errlen);
int fwd_rule_del(struct fwd *f, const char *iface, uint32_t id, char *err,
		 size_t errlen);
int fwd_policy_set(struct fwd *f, const char *iface, uint8_t dir,
		   uint8_t policy, char *err, size_t errlen);
int fwd_set_add(struct fwd *f, const char *name, char *err, size_t errlen);
/* Removes named set @name; -EBUSY naming the rule while one uses it. */
int fwd_set_del(struct fwd *f, const char *name, char *err, size_t errlen);
/*
 * Replaces every rule of (@iface, @dir) by the @n of @rules, in order
 * (their iface, dir and id are set here): one compile, one swap.  A bad
 * rule is reported as "rules[I]: field: value ..."; on any error the
 * model and the data path are as they were.
 */
int fwd_rules_replace(struct fwd *f, const char *iface, uint8_t dir,
		      struct fw_rule *rules, size_t n, char *err,
		      size_t errlen);
/* Replaces the set's prefixes by those of @file (one a line, '#'
 * comments); a bad line is reported with its number, nothing changed. */
int fwd_set_load(struct fwd *f, const char *name, const char *file, char *err,
		 size_t errlen);

/* JSON views; @iface NULL for all. */
struct json_object *fwd_rule_json(struct fwd *f, const struct fw_rule *r,
				  bool counters);
struct json_object *fwd_rules_json(struct fwd *f, const char *iface);
struct json_object *fwd_policies_json(struct fwd *f);
struct json_object *fwd_sets_json(struct fwd *f);
struct json_object *fwd_check_json(struct fwd *f);
/* Prometheus lines for every rule and policy counter (malloc'd, NULL
 * when out of memory). */
char *fwd_metrics(struct fwd *f);

#endif
