// SPDX-License-Identifier: BSD-2-Clause
/*
 * Conntrack's settings: parsed the same way from the config file's section,
 * a PUT /v1/conntrack/config body and the state file ct.json; written into
 * the data path; saved when changed through the API.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "config.h"
#include "ct.h"
#include "ct_internal.h"
#include "dp.h"
#include "dp_ct.h"
#include "json_out.h"
#include "log.h"
#include "state_file.h"

#define CT_STATE_VERSION 1

static const struct {
	unsigned int bit;
	const char *name;
} ct_keys[] = {
	{ CT_KEY_ENABLED, "enabled" },	 { CT_KEY_MAX_ENTRIES, "max_entries" },
	{ CT_KEY_TIMEOUTS, "timeouts" }, { CT_KEY_DEBUG_FILL, "debug_fill" },
	{ CT_KEY_VERSION, "version" },
};

#define N_CT_KEYS (sizeof(ct_keys) / sizeof(ct_keys[0]))

static void known_keys(unsigned int keys, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_CT_KEYS && n < len; i++)
		if (keys & ct_keys[i].bit)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? ", " : "", ct_keys[i].name);
}

static const char *json_text(struct json_object *v)
{
	return json_object_to_json_string_ext(
		v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int want_type(struct json_object *v, enum json_type t, const char *where,
		     const char *field, char *err, size_t errlen)
{
	if (json_object_is_type(v, t))
		return 0;
	snprintf(err, errlen, "%s%s: expected %s, got %s (%s)", where, field,
		 json_type_to_name(t),
		 json_type_to_name(json_object_get_type(v)), json_text(v));
	return -EINVAL;
}

static int get_uint(struct json_object *v, const char *where, const char *field,
		    int64_t lo, int64_t hi, uint32_t *out, char *err,
		    size_t errlen)
{
	int64_t n;
	int rc = want_type(v, json_type_int, where, field, err, errlen);

	if (rc)
		return rc;
	n = json_object_get_int64(v);
	if (n < lo || n > hi) {
		snprintf(err, errlen, "%s%s: %s is out of range %lld..%lld",
			 where, field, json_text(v), (long long)lo,
			 (long long)hi);
		return -EINVAL;
	}
	*out = (uint32_t)n;
	return 0;
}

static int parse_timeouts(struct ct_config *c, struct json_object *o,
			  const char *where, char *err, size_t errlen)
{
	char field[64];
	int rc = want_type(o, json_type_object, where, "timeouts", err, errlen);

	if (rc)
		return rc;
	json_object_object_foreach(o, key, v) {
		int st = dp_ct_state_parse(key);

		if (st < 0) {
			snprintf(err, errlen,
				 "%stimeouts: unknown state '%s' (known: "
				 "syn_sent, syn_recv, established, fin_wait, "
				 "close_wait, last_ack, time_wait, close, "
				 "unreplied, replied)",
				 where, key);
			return -EINVAL;
		}
		snprintf(field, sizeof(field), "timeouts.%s", key);
		rc = get_uint(v, where, field, 1, CT_TIMEOUT_MAX,
			      &c->timeout[st], err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

int ct_config_parse(struct ct_config *c, struct json_object *o,
		    const char *where, unsigned int keys, char *err,
		    size_t errlen)
{
	char known[96];
	int rc = 0;

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "%s: expected object, got %s (%s)",
			 *where ? "conntrack" : "body",
			 json_type_to_name(json_object_get_type(o)),
			 json_text(o));
		return -EINVAL;
	}
	json_object_object_foreach(o, key, v) {
		unsigned int bit = 0;

		for (size_t i = 0; i < N_CT_KEYS; i++)
			if (!strcmp(key, ct_keys[i].name))
				bit = ct_keys[i].bit;
		if (!(bit & keys)) {
			known_keys(keys, known, sizeof(known));
			snprintf(err, errlen,
				 "unknown field '%s%s' (known: %s)%s", where,
				 key, known,
				 bit & CT_KEYS_CONFIG ?
					 "; it is set at start, in the config "
					 "file's conntrack section" :
					 "");
			return -EINVAL;
		}
		switch (bit) {
		case CT_KEY_ENABLED:
		case CT_KEY_DEBUG_FILL:
			rc = want_type(v, json_type_boolean, where, key, err,
				       errlen);
			if (!rc && bit == CT_KEY_ENABLED)
				c->enabled = json_object_get_boolean(v);
			else if (!rc)
				c->debug_fill = json_object_get_boolean(v);
			break;
		case CT_KEY_MAX_ENTRIES:
			rc = get_uint(v, where, key, CT_MAX_ENTRIES_MIN,
				      CT_MAX_ENTRIES_MAX, &c->max_entries, err,
				      errlen);
			break;
		case CT_KEY_TIMEOUTS:
			rc = parse_timeouts(c, v, where, err, errlen);
			break;
		case CT_KEY_VERSION:
			if (!json_object_is_type(v, json_type_int) ||
			    json_object_get_int64(v) != CT_STATE_VERSION) {
				snprintf(err, errlen,
					 "version: %s is not %d (written by "
					 "another sluiced version?)",
					 json_text(v), CT_STATE_VERSION);
				rc = -EINVAL;
			}
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

void ct_config_to_dp(const struct ct_config *c, struct sluice_ct_config *out)
{
	dp_ct_default_config(out);
	for (unsigned int s = 1; s < SLUICE_CT_NSTATES; s++)
		if (c->timeout[s])
			out->timeout[s] = c->timeout[s];
	out->enabled = c->enabled;
}

/* ---- the state file ---------------------------------------------------- */

/* Every timeout spelled out: the file says what runs, not what a later
 * version's defaults would make of it. */
static struct json_object *state_json(const struct ct_config *c)
{
	struct json_object *o = json_object_new_object();
	struct json_object *t = json_object_new_object();
	struct sluice_ct_config dc;

	ct_config_to_dp(c, &dc);
	json_add_int(o, "version", CT_STATE_VERSION);
	json_add_bool(o, "enabled", c->enabled);
	for (unsigned int s = 1; s < SLUICE_CT_NSTATES; s++)
		json_add_int(t, dp_ct_state_name(s), dc.timeout[s]);
	json_object_object_add(o, "timeouts", t);
	return o;
}

int ct_start_read(const char *state_dir, const struct ct_config *cfg,
		  struct ct_config *out, bool *from_state, char *err,
		  size_t errlen)
{
	struct json_object *root = NULL;
	char path[320], msg[512], *text = NULL;
	size_t len;
	int rc;

	*out = *cfg;
	*from_state = false;
	if (!state_dir)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", state_dir, CT_STATE_FILE);
	rc = state_file_read(path, &text, &len, err, errlen);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	rc = config_json_parse(text, len, &root, msg, sizeof(msg));
	if (!rc)
		rc = ct_config_parse(out, root, "", CT_KEYS_STATE, msg,
				     sizeof(msg));
	if (rc)
		snprintf(err, errlen, "state file %s: %s", path, msg);
	else
		*from_state = true;
	json_object_put(root);
	free(text);
	return rc;
}

static int ct_save(struct ct *ct)
{
	struct json_object *doc;
	char err[400];
	int rc;

	if (!ct->state_dir)
		return 0;
	doc = state_json(&ct->cfg);
	rc = state_file_write(ct->state_dir, CT_STATE_FILE, doc, err,
			      sizeof(err));
	json_object_put(doc);
	if (rc) {
		ct->state_write_errors++;
		pr_err("conntrack: %s; the change is applied but would not "
		       "survive a restart (state_write_errors %llu)",
		       err, (unsigned long long)ct->state_write_errors);
	}
	return rc;
}

/* ---- the running settings ------------------------------------------------ */

static uint32_t capacity_bpf(const struct dp *dp)
{
	return dp_ct_capacity(dp);
}

const struct ct_dp_ops ct_dp_bpf = {
	.config_set = dp_ct_config_set,
	.counts = dp_ct_counts,
	.capacity = capacity_bpf,
	.walk = dp_ct_walk,
};

int ct_new(struct ct **out, struct dp *dp, const struct ct_dp_ops *ops,
	   const struct ct_config *c, const char *state_dir)
{
	struct sluice_ct_config dc;
	struct ct *ct = calloc(1, sizeof(*ct));
	int rc = -ENOMEM;

	if (!ct)
		return rc;
	ct->dp = dp;
	ct->ops = ops;
	ct->cfg = *c;
	if (state_dir) {
		ct->state_dir = strdup(state_dir);
		if (!ct->state_dir)
			goto err;
		snprintf(ct->state_path, sizeof(ct->state_path), "%s/%s",
			 state_dir, CT_STATE_FILE);
	}
	ct->top = ct_top_new();
	if (!ct->top)
		goto err;
	ct_config_to_dp(c, &dc);
	rc = ops->config_set(dp, &dc);
	if (rc) {
		pr_err("conntrack: cannot write its settings: %s",
		       strerror(-rc));
		goto err;
	}
	*out = ct;
	return 0;
err:
	ct_free(ct);
	return rc;
}

void ct_free(struct ct *ct)
{
	if (!ct)
		return;
	ct_loop_del(ct);
	ct_top_free(ct->top);
	free(ct->state_dir);
	free(ct);
}

struct dp *ct_dp(const struct ct *ct)
{
	return ct->dp;
}

const struct ct_config *ct_get_config(const struct ct *ct)
{
	return &ct->cfg;
}

void ct_running(const struct ct *ct, struct sluice_ct_config *out)
{
	ct_config_to_dp(&ct->cfg, out);
}

int ct_set_config(struct ct *ct, const struct ct_config *c, char *err,
		  size_t errlen)
{
	bool was = ct->cfg.enabled;
	struct sluice_ct_config dc;
	int rc;

	ct_config_to_dp(c, &dc);
	rc = ct->ops->config_set(ct->dp, &dc);
	if (rc) {
		snprintf(err, errlen,
			 "conntrack: cannot write the data path's settings: %s",
			 strerror(-rc));
		return rc;
	}
	ct->cfg = *c;
	ct_save(ct);
	/* say what changed: a timeout's change is not an "enabled" */
	if (was != c->enabled)
		pr_info("conntrack: %s through the API",
			c->enabled ? "enabled" : "disabled");
	else
		pr_info("conntrack: settings changed through the API (%s)",
			c->enabled ? "enabled" : "disabled");
	return 0;
}

uint64_t ct_state_write_errors(const struct ct *ct)
{
	return ct->state_write_errors;
}

const char *ct_state_path(const struct ct *ct)
{
	return ct->state_path;
}
