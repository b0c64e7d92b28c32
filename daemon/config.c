// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include "config.h"
#include "ddos.h"
#include "endpoint.h"
#include "json_strict.h"
#include "l7.h"
#include "node.h"

void config_init(struct sluiced_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->xdp_mode = DP_XDP_AUTO;
	cfg->log_level = LOG_LVL_INFO;
	cfg->role = DP_ROLE_ROUTER;
	cfg->lb.flow_idle_timeout_s = LB_FLOW_IDLE_DEFAULT;
	announce_conf_init(&cfg->announce);
}

void config_clear_ifaces(struct sluiced_config *cfg)
{
	for (int i = 0; i < cfg->n_ifaces; i++)
		free(cfg->ifaces[i]);
	cfg->n_ifaces = 0;
}

void config_clear_tc_ifaces(struct sluiced_config *cfg)
{
	for (int i = 0; i < cfg->n_tc_ifaces; i++)
		free(cfg->tc_ifaces[i]);
	cfg->n_tc_ifaces = 0;
}

void config_clear_apis(struct sluiced_config *cfg)
{
	for (int i = 0; i < cfg->n_apis; i++)
		free(cfg->apis[i]);
	cfg->n_apis = 0;
}

static void free_vips(struct sluiced_config *cfg)
{
	for (int i = 0; i < cfg->n_vips; i++)
		lb_vip_spec_free(&cfg->vips[i]);
	free(cfg->vips);
	cfg->vips = NULL;
	cfg->n_vips = 0;
}

void config_free(struct sluiced_config *cfg)
{
	free_vips(cfg);
	free(cfg->nat_rules);
	free(cfg->steer_sels);
	json_object_put(cfg->l7);
	cfg->nat_rules = NULL;
	cfg->n_nat_rules = 0;
	json_object_put(cfg->fw);
	cfg->fw = NULL;
	free(cfg->fw_file);
	config_clear_ifaces(cfg);
	config_clear_tc_ifaces(cfg);
	config_clear_apis(cfg);
	free(cfg->pin_dir);
	free(cfg->state_dir);
	free(cfg->api_token);
	free(cfg->api_tls_cert);
	free(cfg->api_tls_key);
	json_object_put(cfg->ddos);
	config_init(cfg);
}

static int replace_str(char **dst, const char *src)
{
	char *s = strdup(src);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

/* One name onto @list (interfaces or tc_interfaces, @field in errors). */
static int add_ifname(char **list, int *n, const char *field, const char *name,
		      char *err, size_t errlen)
{
	size_t len = strlen(name);

	if (!len || len >= 16 || strpbrk(name, "/: \t\n") ||
	    !strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(err, errlen,
			 "%s: invalid interface name '%s' (1-15 "
			 "characters, no '/', ':' or spaces)",
			 field, name);
		return -EINVAL;
	}
	for (int i = 0; i < *n; i++) {
		if (!strcmp(list[i], name)) {
			snprintf(err, errlen, "%s: '%s' is listed twice", field,
				 name);
			return -EINVAL;
		}
	}
	if (*n >= CFG_MAX_IFACES) {
		snprintf(err, errlen, "%s: '%s' is one too many (at most %d)",
			 field, name, CFG_MAX_IFACES);
		return -E2BIG;
	}
	list[*n] = strdup(name);
	if (!list[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

int config_add_iface(struct sluiced_config *cfg, const char *name, char *err,
		     size_t errlen)
{
	return add_ifname(cfg->ifaces, &cfg->n_ifaces, "interfaces", name, err,
			  errlen);
}

int config_add_tc_iface(struct sluiced_config *cfg, const char *name, char *err,
			size_t errlen)
{
	return add_ifname(cfg->tc_ifaces, &cfg->n_tc_ifaces, "tc_interfaces",
			  name, err, errlen);
}

int config_add_api(struct sluiced_config *cfg, const char *spec, char *err,
		   size_t errlen)
{
	struct endpoint ep;
	int rc = endpoint_parse(spec, &ep, err, errlen);

	if (rc)
		return rc;
	/* a second listener on the same socket would find the first one's
	 * socket live and refuse: say what is wrong instead */
	for (int i = 0; i < cfg->n_apis; i++) {
		struct endpoint o;

		if (endpoint_parse(cfg->apis[i], &o, err, errlen))
			continue;
		if (o.kind == ep.kind &&
		    (ep.kind == EP_UNIX ?
			     !strcmp(o.path, ep.path) :
			     !strcmp(o.host, ep.host) && o.port == ep.port)) {
			snprintf(err, errlen, "api: '%s' is listed twice",
				 spec);
			return -EINVAL;
		}
	}
	if (cfg->n_apis >= CFG_MAX_APIS) {
		snprintf(err, errlen, "api: '%s' is one too many (at most %d)",
			 spec, CFG_MAX_APIS);
		return -E2BIG;
	}
	cfg->apis[cfg->n_apis] = strdup(spec);
	if (!cfg->apis[cfg->n_apis])
		return -ENOMEM;
	cfg->n_apis++;
	return 0;
}

int config_set_pin_dir(struct sluiced_config *cfg, const char *dir, char *err,
		       size_t errlen)
{
	if (dir[0] != '/' || strlen(dir) > 200 || strstr(dir, "/../")) {
		snprintf(err, errlen,
			 "pin_dir: '%s' must be an absolute path without '..' "
			 "(at most 200 bytes)",
			 dir);
		return -EINVAL;
	}
	return replace_str(&cfg->pin_dir, dir);
}

/* Where the state file lives: a real directory (not bpffs, which holds no
 * regular files), absolute, without a ".." component, so that two
 * instances given two directories never write the same file. */
int config_set_state_dir(struct sluiced_config *cfg, const char *dir, char *err,
			 size_t errlen)
{
	bool dotdot = false;

	for (const char *c = strchr(dir, '/'); c; c = strchr(c + 1, '/'))
		dotdot |= !strncmp(c, "/..", 3) && (c[3] == '/' || !c[3]);
	if (dir[0] != '/' || strlen(dir) > 200 || dotdot) {
		snprintf(
			err, errlen,
			"state_dir: '%s' must be an absolute path without '..' "
			"(at most 200 bytes)",
			dir);
		return -EINVAL;
	}
	if (!strncmp(dir, "/sys/fs/bpf", 11) && (!dir[11] || dir[11] == '/')) {
		snprintf(err, errlen,
			 "state_dir: '%s' is in bpffs, which holds no regular "
			 "files (pin_dir goes there, state_dir does not)",
			 dir);
		return -EINVAL;
	}
	return replace_str(&cfg->state_dir, dir);
}

int config_set_xdp_mode(struct sluiced_config *cfg, const char *mode, char *err,
			size_t errlen)
{
	if (dp_xdp_mode_parse(mode, &cfg->xdp_mode)) {
		snprintf(err, errlen,
			 "xdp_mode: '%s' is not one of auto, native, generic",
			 mode);
		return -EINVAL;
	}
	return 0;
}

int config_set_log_level(struct sluiced_config *cfg, const char *lvl, char *err,
			 size_t errlen)
{
	if (log_level_parse(lvl, &cfg->log_level)) {
		snprintf(err, errlen,
			 "log_level: '%s' is not one of err, warn, info, debug",
			 lvl);
		return -EINVAL;
	}
	return 0;
}

/* How the docs' and manifests' example tokens begin. */
#define TOKEN_PLACEHOLDER "change-me"

int config_set_token(struct sluiced_config *cfg, const char *token, char *err,
		     size_t errlen)
{
	size_t len = strlen(token);

	if (len < 16 || len > 256) {
		snprintf(err, errlen,
			 "api_token: must be 16-256 characters (got %zu)", len);
		return -EINVAL;
	}
	for (const char *p = token; *p; p++) {
		if (*p <= ' ' || *p > '~') {
			snprintf(err, errlen,
				 "api_token: only printable ASCII without "
				 "spaces is allowed");
			return -EINVAL;
		}
	}
	/* the examples' and deploy/kubernetes/secret.yaml's: public, so a
	 * node started with one copied as it is would let anyone in */
	if (!strncmp(token, TOKEN_PLACEHOLDER, strlen(TOKEN_PLACEHOLDER))) {
		snprintf(err, errlen,
			 "api_token: '%.12s...' is the placeholder of the "
			 "examples: set a secret of your own (e.g. head -c 24 "
			 "/dev/urandom | base64)",
			 token);
		return -EINVAL;
	}
	return replace_str(&cfg->api_token, token);
}

static int set_path(char **dst, const char *key, const char *path, char *err,
		    size_t errlen)
{
	if (path[0] != '/') {
		snprintf(err, errlen, "%s: '%s' is not an absolute path", key,
			 path);
		return -EINVAL;
	}
	return replace_str(dst, path);
}

int config_set_tls_cert(struct sluiced_config *cfg, const char *path, char *err,
			size_t errlen)
{
	return set_path(&cfg->api_tls_cert, "api_tls_cert", path, err, errlen);
}

int config_set_tls_key(struct sluiced_config *cfg, const char *path, char *err,
		       size_t errlen)
{
	return set_path(&cfg->api_tls_key, "api_tls_key", path, err, errlen);
}

static const char *const role_names[] = {
	[DP_ROLE_ROUTER] = "router",
	[DP_ROLE_BACKEND] = "backend",
};

const char *config_role_name(enum dp_role r)
{
	return (unsigned int)r <= DP_ROLE_BACKEND ? role_names[r] : "invalid";
}

int config_set_role(struct sluiced_config *cfg, const char *role, char *err,
		    size_t errlen)
{
	for (unsigned int i = 0; i <= DP_ROLE_BACKEND; i++) {
		if (!strcmp(role, role_names[i])) {
			cfg->role = (enum dp_role)i;
			return 0;
		}
	}
	snprintf(err, errlen, "role: '%s' is not one of router, backend", role);
	return -EINVAL;
}

/* ---- JSON ------------------------------------------------------------------ */

static int want_type(struct json_object *v, enum json_type t, const char *field,
		     char *err, size_t errlen)
{
	if (json_object_is_type(v, t))
		return 0;
	snprintf(err, errlen, "%s: expected %s, got %s (%s)", field,
		 json_type_to_name(t),
		 json_type_to_name(json_object_get_type(v)),
		 json_object_to_json_string_ext(
			 v, JSON_C_TO_STRING_PLAIN |
				    JSON_C_TO_STRING_NOSLASHESCAPE));
	return -EINVAL;
}

typedef int (*str_setter)(struct sluiced_config *, const char *, char *,
			  size_t);

static int set_string(struct sluiced_config *cfg, struct json_object *v,
		      const char *field, str_setter fn, char *err,
		      size_t errlen)
{
	int rc = want_type(v, json_type_string, field, err, errlen);

	return rc ? rc : fn(cfg, json_object_get_string(v), err, errlen);
}

static int set_string_list(struct sluiced_config *cfg, struct json_object *v,
			   const char *field, str_setter add, char *err,
			   size_t errlen)
{
	char name[48];
	int rc = want_type(v, json_type_array, field, err, errlen);

	if (rc)
		return rc;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		snprintf(name, sizeof(name), "%s[%zu]", field, i);
		rc = set_string(cfg, json_object_array_get_idx(v, i), name, add,
				err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

static int set_bool(bool *dst, struct json_object *v, const char *field,
		    char *err, size_t errlen)
{
	int rc = want_type(v, json_type_boolean, field, err, errlen);

	if (!rc)
		*dst = json_object_get_boolean(v);
	return rc;
}

static int set_uint(uint32_t *dst, struct json_object *v, const char *field,
		    int64_t lo, int64_t hi, char *err, size_t errlen)
{
	int rc = want_type(v, json_type_int, field, err, errlen);
	int64_t n;

	if (rc)
		return rc;
	n = json_object_get_int64(v);
	if (n < lo || n > hi) {
		snprintf(err, errlen, "%s: %lld is out of range %lld..%lld",
			 field, (long long)n, (long long)lo, (long long)hi);
		return -EINVAL;
	}
	*dst = (uint32_t)n;
	return 0;
}

static int set_source(struct sluiced_config *cfg, struct json_object *v,
		      const char *field, int family, char *err, size_t errlen)
{
	int rc = want_type(v, json_type_string, field, err, errlen);

	return rc ? rc :
		    lb_source_parse(field, json_object_get_string(v), family,
				    &cfg->lb, err, errlen);
}

static int set_vips(struct sluiced_config *cfg, struct json_object *v,
		    char *err, size_t errlen)
{
	struct lb_vip_spec *vips;
	size_t n;
	int rc = lb_vip_specs_from_json(v, "lb.vips", &vips, &n, err, errlen);

	if (rc)
		return rc;
	free_vips(cfg);
	cfg->vips = vips;
	cfg->n_vips = (int)n;
	return 0;
}

static int apply_lb(struct sluiced_config *cfg, struct json_object *o,
		    char *err, size_t errlen)
{
	int rc = want_type(o, json_type_object, "lb", err, errlen);

	if (rc)
		return rc;
	json_object_object_foreach(o, key, v) {
		if (!strcmp(key, "source_v4"))
			rc = set_source(cfg, v, "lb.source_v4", AF_INET, err,
					errlen);
		else if (!strcmp(key, "source_v6"))
			rc = set_source(cfg, v, "lb.source_v6", AF_INET6, err,
					errlen);
		else if (!strcmp(key, "flow_idle_timeout_s"))
			rc = set_uint(&cfg->lb.flow_idle_timeout_s, v,
				      "lb.flow_idle_timeout_s", 0,
				      LB_FLOW_IDLE_MAX, err, errlen);
		else if (!strcmp(key, "max_flows"))
			rc = set_uint(&cfg->lb.max_flows, v, "lb.max_flows",
				      LB_MAX_FLOWS_MIN, LB_MAX_FLOWS_MAX, err,
				      errlen);
		else if (!strcmp(key, "vips"))
			rc = set_vips(cfg, v, err, errlen);
		else {
			snprintf(err, errlen,
				 "unknown field 'lb.%s' (known: "
				 "source_v4, source_v6, flow_idle_timeout_s, "
				 "max_flows, vips)",
				 key);
			rc = -EINVAL;
		}
		if (rc)
			return rc;
	}
	return rc;
}

static int set_nat(struct sluiced_config *cfg, struct json_object *v, char *err,
		   size_t errlen)
{
	struct nat_rule *rules;
	size_t n;
	int rc = nat_rules_parse(v, "nat", &rules, &n, err, errlen);

	if (rc)
		return rc;
	free(cfg->nat_rules);
	cfg->nat_rules = rules;
	cfg->n_nat_rules = (int)n;
	return 0;
}

static int set_steer(struct sluiced_config *cfg, struct json_object *v,
		     char *err, size_t errlen)
{
	struct steer_sel *sels;
	size_t n;
	int rc = steer_sels_parse(v, "steer", 0, &sels, &n, err, errlen);

	if (rc)
		return rc;
	free(cfg->steer_sels);
	cfg->steer_sels = sels;
	cfg->n_steer_sels = (int)n;
	return 0;
}

/* fib.v6_index_slots: 0 (no index) or a power of two the index takes. */
static int set_index_slots(struct sluiced_config *cfg, struct json_object *v,
			   char *err, size_t errlen)
{
	const char *field = "fib.v6_index_slots";
	int rc = want_type(v, json_type_int, field, err, errlen);
	int64_t n;

	if (rc)
		return rc;
	n = json_object_get_int64(v);
	if (n < 0 || sluice_fib6_p48_slots_bits((uint64_t)n) < 0) {
		snprintf(err, errlen,
			 "%s: %lld is not 0 (no index) or a power of two from "
			 "%u to %u",
			 field, (long long)n, SLUICE_FIB6_P48_SLOTS_MIN,
			 SLUICE_FIB6_P48_SLOTS_MAX);
		return -EINVAL;
	}
	cfg->fib_v6_index_slots = (uint32_t)n;
	cfg->fib_v6_index_set = true;
	return 0;
}

static int apply_fib(struct sluiced_config *cfg, struct json_object *o,
		     char *err, size_t errlen)
{
	int rc = want_type(o, json_type_object, "fib", err, errlen);

	if (rc)
		return rc;
	json_object_object_foreach(o, key, v) {
		if (!strcmp(key, "v4_groups"))
			rc = set_uint(&cfg->fib_v4_groups, v, "fib.v4_groups",
				      CFG_FIB_GROUPS_MIN, CFG_FIB_GROUPS_MAX,
				      err, errlen);
		else if (!strcmp(key, "v6_groups"))
			rc = set_uint(&cfg->fib_v6_groups, v, "fib.v6_groups",
				      CFG_FIB_GROUPS_MIN, CFG_FIB_GROUPS_MAX,
				      err, errlen);
		else if (!strcmp(key, "v6_index_slots"))
			rc = set_index_slots(cfg, v, err, errlen);
		else {
			snprintf(err, errlen,
				 "unknown field 'fib.%s' (known: v4_groups, "
				 "v6_groups, v6_index_slots)",
				 key);
			rc = -EINVAL;
		}
		if (rc)
			return rc;
	}
	return rc;
}

static int apply_field(struct sluiced_config *cfg, const char *key,
		       struct json_object *v, char *err, size_t errlen)
{
	if (!strcmp(key, "interfaces")) {
		config_clear_ifaces(cfg);
		return set_string_list(cfg, v, key, config_add_iface, err,
				       errlen);
	}
	if (!strcmp(key, "tc_interfaces")) {
		config_clear_tc_ifaces(cfg);
		return set_string_list(cfg, v, key, config_add_tc_iface, err,
				       errlen);
	}
	if (!strcmp(key, "api")) {
		config_clear_apis(cfg);
		return set_string_list(cfg, v, key, config_add_api, err,
				       errlen);
	}
	if (!strcmp(key, "api_token"))
		return set_string(cfg, v, key, config_set_token, err, errlen);
	if (!strcmp(key, "api_tls_cert"))
		return set_string(cfg, v, key, config_set_tls_cert, err,
				  errlen);
	if (!strcmp(key, "api_tls_key"))
		return set_string(cfg, v, key, config_set_tls_key, err, errlen);
	if (!strcmp(key, "pin_dir"))
		return set_string(cfg, v, key, config_set_pin_dir, err, errlen);
	if (!strcmp(key, "state_dir"))
		return set_string(cfg, v, key, config_set_state_dir, err,
				  errlen);
	if (!strcmp(key, "xdp_mode"))
		return set_string(cfg, v, key, config_set_xdp_mode, err,
				  errlen);
	if (!strcmp(key, "log_level"))
		return set_string(cfg, v, key, config_set_log_level, err,
				  errlen);
	if (!strcmp(key, "keep_on_exit"))
		return set_bool(&cfg->keep_on_exit, v, key, err, errlen);
	if (!strcmp(key, "explain"))
		return set_bool(&cfg->explain, v, key, err, errlen);
	if (!strcmp(key, "role"))
		return set_string(cfg, v, key, config_set_role, err, errlen);
	if (!strcmp(key, "lb"))
		return apply_lb(cfg, v, err, errlen);
	if (!strcmp(key, "fib"))
		return apply_fib(cfg, v, err, errlen);
	if (!strcmp(key, "nat"))
		return set_nat(cfg, v, err, errlen);
	if (!strcmp(key, "steer"))
		return set_steer(cfg, v, err, errlen);
	if (!strcmp(key, "conntrack"))
		return ct_config_parse(&cfg->ct, v, "conntrack.",
				       CT_KEYS_CONFIG, err, errlen);
	if (!strcmp(key, "ddos")) {
		int rc = ddos_config_check(v, err, errlen);

		if (!rc) {
			json_object_put(cfg->ddos);
			cfg->ddos = json_object_get(v);
		}
		return rc;
	}
	if (!strcmp(key, "announce"))
		return announce_conf_parse(&cfg->announce, v, err, errlen);
	if (!strcmp(key, "node"))
		return node_conf_parse(&cfg->sigterm_grace_s, v, err, errlen);
	if (!strcmp(key, "l7")) {
		struct l7_conf c;
		int rc = l7_conf_parse(v, "l7.", &c, err, errlen);

		if (!rc) {
			json_object_put(cfg->l7);
			cfg->l7 = json_object_get(v);
		}
		return rc;
	}
	if (!strcmp(key, "fw")) {
		if (!json_object_is_type(v, json_type_object)) {
			snprintf(err, errlen, "fw: expected an object");
			return -EINVAL;
		}
		json_object_put(cfg->fw);
		cfg->fw = json_object_get(v);
		return 0;
	}
	snprintf(
		err, errlen,
		"unknown field '%s' (known: interfaces, tc_interfaces, api, "
		"api_token, api_tls_cert, api_tls_key, pin_dir, state_dir, xdp_mode, log_level, keep_on_exit, explain, role, "
		"lb, fib, conntrack, ddos, nat, fw, steer, l7, announce, node)",
		key);
	return -EINVAL;
}

int config_json_parse(const char *text, size_t len, struct json_object **out,
		      char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	int line, col, rc;
	size_t end;

	if (len > INT32_MAX) {
		snprintf(err, errlen, "invalid JSON: %zu bytes is too long",
			 len);
		return -EINVAL;
	}
	/* json-c cannot tell us about duplicate keys, and even strict it
	 * takes more than RFC 8259: our check goes first */
	rc = json_strict_check(text, len, err, errlen);
	if (rc)
		return rc;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	/* a second line: no trailing commas, no comments (checked by
	 * test_config.c against the json-c we build with) */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	/* trailing whitespace after a complete document is fine (@text need
	 * not be NUL-terminated: a request body is not) */
	while (root && jerr == json_tokener_success && end < len &&
	       strchr(" \t\r\n", text[end]) && text[end])
		end++;
	if (root && jerr == json_tokener_success && end == len) {
		*out = root;
		return 0;
	}
	json_object_put(root);
	json_text_position(text, len, end, &line, &col);
	snprintf(err, errlen, "invalid JSON at line %d column %d: %s", line,
		 col,
		 jerr == json_tokener_continue ?
			 "unexpected end of input" :
		 jerr != json_tokener_success ?
			 json_tokener_error_desc(jerr) :
			 "unexpected data after the document");
	return -EINVAL;
}

int config_parse_json(struct sluiced_config *cfg, const char *text, char *err,
		      size_t errlen)
{
	struct json_object *root;
	int rc;

	rc = config_json_parse(text, strlen(text), &root, err, errlen);
	if (rc)
		return rc;
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "top level: expected an object, got %s",
			 json_type_to_name(json_object_get_type(root)));
		rc = -EINVAL;
		goto out;
	}
	json_object_object_foreach(root, key, val) {
		rc = apply_field(cfg, key, val, err, errlen);
		if (rc)
			break;
	}
out:
	json_object_put(root);
	return rc;
}

int config_load_file(struct sluiced_config *cfg, const char *path, char *err,
		     size_t errlen)
{
	struct json_object *fw;
	char msg[512];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "config: cannot open '%s': %s", path,
			 strerror(-rc));
		return rc;
	}
	/* read it whole: configuration files are small */
	for (;;) {
		char *n = realloc(text, len + 4097);

		if (!n) {
			rc = -ENOMEM;
			goto out;
		}
		text = n;
		size_t got = fread(text + len, 1, 4096, f);

		len += got;
		if (got < 4096)
			break;
		if (len > (1 << 20)) {
			snprintf(err, errlen, "config: '%s' is over 1 MiB",
				 path);
			rc = -EFBIG;
			goto out;
		}
	}
	text[len] = '\0';
	fw = cfg->fw;
	rc = config_parse_json(cfg, text, msg, sizeof(msg));
	if (rc)
		snprintf(err, errlen, "config: %s: %s", path, msg);
	/* this file's "fw" replaced the one before (if any) */
	else if (cfg->fw != fw && replace_str(&cfg->fw_file, path)) {
		snprintf(err, errlen, "config: %s: out of memory", path);
		rc = -ENOMEM;
	}
out:
	free(text);
	fclose(f);
	return rc;
}

int config_validate(const struct sluiced_config *cfg, char *err, size_t errlen)
{
	char e[256];

	if (cfg->role == DP_ROLE_BACKEND && cfg->n_vips) {
		snprintf(err, errlen,
			 "role: a backend does not balance: "
			 "lb.vips must be empty (%d given)",
			 cfg->n_vips);
		return -EINVAL;
	}
	if (cfg->role == DP_ROLE_BACKEND && cfg->ct.enabled) {
		snprintf(err, errlen,
			 "role: a backend tracks no connections: "
			 "conntrack.enabled must be false");
		return -EINVAL;
	}
	if (cfg->role == DP_ROLE_BACKEND && cfg->n_nat_rules) {
		snprintf(err, errlen,
			 "role: a backend translates no addresses: nat must "
			 "be empty (%d rules given)",
			 cfg->n_nat_rules);
		return -EINVAL;
	}
	/* the backend role loads sluice_decap alone: XDP only */
	if (cfg->role == DP_ROLE_BACKEND && cfg->n_tc_ifaces) {
		snprintf(err, errlen,
			 "tc_interfaces: a backend attaches XDP "
			 "only (its decapsulation program): '%s' must go in "
			 "interfaces",
			 cfg->tc_ifaces[0]);
		return -EINVAL;
	}
	/* one hook per interface: XDP and TC on one port would route each
	 * packet twice */
	for (int i = 0; i < cfg->n_tc_ifaces; i++) {
		for (int j = 0; j < cfg->n_ifaces; j++) {
			if (strcmp(cfg->tc_ifaces[i], cfg->ifaces[j]))
				continue;
			snprintf(err, errlen,
				 "tc_interfaces: '%s' is also in "
				 "interfaces (an interface gets XDP or TC, not "
				 "both)",
				 cfg->ifaces[j]);
			return -EINVAL;
		}
	}
	if (cfg->n_ifaces + cfg->n_tc_ifaces > CFG_MAX_IFACES) {
		snprintf(err, errlen,
			 "interfaces and tc_interfaces: %d in all "
			 "is too many (at most %d)",
			 cfg->n_ifaces + cfg->n_tc_ifaces, CFG_MAX_IFACES);
		return -E2BIG;
	}

	/* one without the other is a mistake, not plain HTTP */
	if (!cfg->api_tls_cert != !cfg->api_tls_key) {
		snprintf(err, errlen,
			 "%s: set without %s (HTTPS needs both, plain HTTP "
			 "neither)",
			 cfg->api_tls_cert ? "api_tls_cert" : "api_tls_key",
			 cfg->api_tls_cert ? "api_tls_key" : "api_tls_cert");
		return -EINVAL;
	}
	for (int i = 0; i < cfg->n_apis; i++) {
		struct endpoint ep;

		if (endpoint_parse(cfg->apis[i], &ep, e, sizeof(e))) {
			snprintf(err, errlen, "%s", e);
			return -EINVAL;
		}
		if (ep.kind == EP_TCP && !cfg->api_token) {
			snprintf(err, errlen,
				 "api: '%s' is TCP and needs api_token "
				 "(--api-token)",
				 cfg->apis[i]);
			return -EINVAL;
		}
	}
	return 0;
}
