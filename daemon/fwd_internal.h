/* SPDX-License-Identifier: BSD-2-Clause */
/* What fwd.c (the model), fwd_state.c (fw.json and the config's "fw")
 * and fwd_json.c (the API's views, check, metrics) share. */
#ifndef SLUICED_FWD_INTERNAL_H
#define SLUICED_FWD_INTERNAL_H

#include <stdbool.h>
#include "fwd.h"

#define FWD_MAX_POLICIES (2 * SLUICE_MAX_IFACES)

struct fwd_nset {
	char name[FW_NAME_MAX];
	uint16_t id; /* 1..SLUICE_FW_MAX_NSETS-1, by creation order */
	struct fw_prefix *p;
	size_t n;
};

struct fwd_policy {
	char iface[FW_IFNAME_MAX];
	uint8_t dir;
	uint8_t policy;
};

struct fwd {
	struct dp *dp; /* NULL: model only */
	fwd_slot_fn slot;
	void *slot_arg;
	char *state_dir; /* NULL: nothing saved */
	/* every rule; each interface and direction's in their order */
	struct fw_rule *rules;
	size_t n, cap;
	uint32_t next_id;
	struct fwd_policy pol[FWD_MAX_POLICIES];
	int n_pol;
	struct fwd_nset sets[SLUICE_FW_MAX_NSETS - 1];
	int n_sets;
	uint64_t save_errors;
};

struct fwd_nset *fwd_nset_find(struct fwd *f, const char *name);
uint8_t fwd_policy_get(const struct fwd *f, const char *iface, uint8_t dir);
int fwd_apply(struct fwd *f, const char *iface, uint8_t dir, char *err,
	      size_t errlen);
int fwd_insert(struct fwd *f, const struct fw_rule *r, int position, size_t *at,
	       char *err, size_t errlen);
int fwd_set_create(struct fwd *f, const char *name, struct fwd_nset **out,
		   char *err, size_t errlen);
int fwd_read_prefixes(const char *file, struct fw_prefix **out, size_t *n,
		      char *err, size_t errlen);
int fwd_set_push(struct fwd *f, struct fwd_nset *s, bool flush, char *err,
		 size_t errlen);
int fwd_rule_from_json_id(struct json_object *o, struct fw_rule *r,
			  int *position, bool with_id, char *err,
			  size_t errlen);
/* Rewrites fw.json (logged and counted when it fails: the change is in
 * effect either way). */
void fwd_save(struct fwd *f);

#endif
