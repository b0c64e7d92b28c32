// SPDX-License-Identifier: BSD-2-Clause
/*
 * The L7 local hop's running part (l7.h): the ports selected and the
 * switch, written through lib/dp (dp_l7.h), kept in l7.json.  Each port's
 * selector id indexes its counters in the data path: the lowest free id
 * is given and its counters zeroed first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <json-c/json.h>
#include "config.h"
#include "dp_l7.h"
#include "json_out.h"
#include "l7.h"
#include "log.h"
#include "state_file.h"

#define L7_STATE_VERSION 1

struct l7 {
	struct dp_l7 *dp;
	struct l7_conf c; /* in force; c.ids[i] is c.ports[i]'s selector */
	char *state_dir;
	char state_path[320];
	uint64_t state_write_errors;
};

/* ---- parsing --------------------------------------------------------------- */

static int port_parse(struct json_object *v, const char *where, size_t i,
		      uint16_t *port, char *err, size_t errlen)
{
	int64_t n = json_object_get_int64(v);

	if (!json_object_is_type(v, json_type_int) || n < 1 || n > 65535) {
		snprintf(err, errlen,
			 "%sports[%zu]: '%s' is not a port 1..65535", where, i,
			 json_object_get_string(v));
		return -EINVAL;
	}
	*port = (uint16_t)n;
	return 0;
}

/* A state file's port: {"id": N, "port": P}; the config's: P. */
static int ports_parse(struct json_object *a, const char *where,
		       struct l7_conf *c, char *err, size_t errlen)
{
	size_t n;

	if (!json_object_is_type(a, json_type_array)) {
		snprintf(err, errlen, "%sports: expected an array", where);
		return -EINVAL;
	}
	n = json_object_array_length(a);
	if (n > L7_MAX_PORTS) {
		snprintf(err, errlen, "%sports: %zu ports, at most %d", where,
			 n, L7_MAX_PORTS);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i), *v;
		int rc;

		c->ids[i] = 0;
		v = e;
		/* the state file's form, with the selector's id */
		if (json_object_is_type(e, json_type_object)) {
			struct json_object *id;
			int64_t n_id;

			if (!json_object_object_get_ex(e, "port", &v) ||
			    !json_object_object_get_ex(e, "id", &id)) {
				snprintf(err, errlen,
					 "%sports[%zu]: needs port and id",
					 where, i);
				return -EINVAL;
			}
			n_id = json_object_get_int64(id);
			if (!json_object_is_type(id, json_type_int) ||
			    n_id < 1 || n_id > L7_MAX_PORTS) {
				snprintf(err, errlen,
					 "%sports[%zu].id: '%s' is not 1..%d",
					 where, i, json_object_get_string(id),
					 L7_MAX_PORTS);
				return -EINVAL;
			}
			c->ids[i] = (uint32_t)n_id;
		}
		rc = port_parse(v, where, i, &c->ports[i], err, errlen);
		if (rc)
			return rc;
		for (size_t k = 0; k < i; k++)
			if (c->ports[k] == c->ports[i]) {
				snprintf(err, errlen,
					 "%sports[%zu]: %u is given twice",
					 where, i, c->ports[i]);
				return -EINVAL;
			}
	}
	c->n_ports = n;
	return 0;
}

/* A cgroup path: absolute, no "..", a cgroup v2 directory when
 * @check_fs (the config is parsed before anything exists; a PUT is not). */
static int cgroup_check(const char *path, const char *where, bool check_fs,
			char *err, size_t errlen)
{
	struct statfs sf;

	if (path[0] != '/' || strstr(path, "/..") ||
	    strlen(path) >= L7_CGROUP_LEN) {
		snprintf(err, errlen,
			 "%scgroup: '%s' is not an absolute path (without "
			 "'..', under %d characters)",
			 where, path, L7_CGROUP_LEN);
		return -EINVAL;
	}
	if (check_fs &&
	    (statfs(path, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC)) {
		snprintf(err, errlen,
			 "%scgroup: '%s' is not a cgroup v2 directory", where,
			 path);
		return -EINVAL;
	}
	return 0;
}

int l7_conf_parse(struct json_object *v, const char *where, struct l7_conf *c,
		  char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (!json_object_is_type(v, json_type_object)) {
		snprintf(err, errlen, "%s: expected an object",
			 where[0] ? "l7" : "body");
		return -EINVAL;
	}
	json_object_object_foreach(v, key, f) {
		int rc = 0;

		if (!strcmp(key, "enabled")) {
			if (!json_object_is_type(f, json_type_boolean)) {
				snprintf(err, errlen,
					 "%senabled: '%s' is not true or false",
					 where, json_object_get_string(f));
				return -EINVAL;
			}
			c->enabled = json_object_get_boolean(f);
		} else if (!strcmp(key, "cgroup")) {
			if (!json_object_is_type(f, json_type_string)) {
				snprintf(err, errlen,
					 "%scgroup: '%s' is not a path", where,
					 json_object_get_string(f));
				return -EINVAL;
			}
			/* "": not given.  Only a state file says so: the
			 * sluiced of 5358e27 and before wrote it after an
			 * 'l7 add' with no cgroup ever given */
			if (!where[0] && !json_object_get_string_len(f))
				continue;
			rc = cgroup_check(json_object_get_string(f), where,
					  false, err, errlen);
			if (!rc)
				snprintf(c->cgroup, sizeof(c->cgroup), "%s",
					 json_object_get_string(f));
		} else if (!strcmp(key, "ports")) {
			rc = ports_parse(f, where, c, err, errlen);
		} else if (strcmp(key, "version")) {
			snprintf(err, errlen,
				 "%s%s: unknown field (known: enabled, cgroup, "
				 "ports)",
				 where, key);
			return -EINVAL;
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the state file ---------------------------------------------------------- */

static void l7_save(struct l7 *l)
{
	struct json_object *doc, *a;
	char err[400];

	if (!l->state_dir)
		return;
	doc = json_object_new_object();
	a = json_object_new_array();
	json_add_int(doc, "version", L7_STATE_VERSION);
	json_add_bool(doc, "enabled", l->c.enabled);
	if (l->c.cgroup[0]) /* none given: the root, found at attach */
		json_add_str(doc, "cgroup", l->c.cgroup);
	for (size_t i = 0; i < l->c.n_ports; i++) {
		struct json_object *e = json_object_new_object();

		json_add_int(e, "port", l->c.ports[i]);
		json_add_int(e, "id", l->c.ids[i]);
		json_object_array_add(a, e);
	}
	json_object_object_add(doc, "ports", a);
	if (state_file_write(l->state_dir, L7_STATE_FILE, doc, err,
			     sizeof(err))) {
		l->state_write_errors++;
		pr_err("l7: %s; the change is applied but would not survive "
		       "a restart (state_write_errors %llu)",
		       err, (unsigned long long)l->state_write_errors);
	}
	json_object_put(doc);
}

/* l7.json's settings, or @cfg's; *@from_state says which. */
static int start_read(struct l7 *l, struct json_object *cfg, struct l7_conf *c,
		      bool *from_state, char *err, size_t errlen)
{
	struct json_object *root = NULL;
	char msg[512], *text = NULL;
	size_t len;
	int rc;

	*from_state = false;
	memset(c, 0, sizeof(*c));
	if (l->state_dir) {
		rc = state_file_read(l->state_path, &text, &len, err, errlen);
		if (!rc) {
			rc = config_json_parse(text, len, &root, msg,
					       sizeof(msg));
			free(text);
			if (!rc)
				rc = l7_conf_parse(root, "", c, msg,
						   sizeof(msg));
			json_object_put(root);
			if (rc)
				snprintf(err, errlen, "state file %s: %s",
					 l->state_path, msg);
			*from_state = !rc;
			return rc;
		}
		if (rc != -ENOENT)
			return rc;
	}
	if (!cfg)
		return 0;
	return l7_conf_parse(cfg, "l7.", c, err, errlen);
}

int l7_check(const char *state_dir, struct json_object *cfg, char *err,
	     size_t errlen)
{
	struct l7 l = { 0 };
	struct l7_conf c;
	bool from_state;
	int rc;

	if (state_dir) {
		l.state_dir = (char *)state_dir;
		snprintf(l.state_path, sizeof(l.state_path), "%s/%s", state_dir,
			 L7_STATE_FILE);
	}
	rc = start_read(&l, cfg, &c, &from_state, err, errlen);
	if (rc || !c.enabled || !c.cgroup[0])
		return rc;
	rc = cgroup_check(c.cgroup, from_state ? "" : "l7.", true, err, errlen);
	if (rc && from_state) {
		char msg[400];

		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errlen, "state file %s: %s", l.state_path, msg);
	}
	return rc;
}

/* ---- the model ------------------------------------------------------------------ */

static uint32_t free_id(const struct l7_conf *c)
{
	for (uint32_t id = 1; id <= L7_MAX_PORTS; id++) {
		size_t i;

		for (i = 0; i < c->n_ports && c->ids[i] != id; i++)
			;
		if (i == c->n_ports)
			return id;
	}
	return 0;
}

static int attach(struct l7 *l, const char *cgroup, char *err, size_t errlen)
{
	char root[L7_CGROUP_LEN];
	int rc;

	if (!cgroup[0]) {
		rc = dp_l7_cgroup_root(root, sizeof(root));
		if (rc) {
			snprintf(err, errlen,
				 "cgroup: no cgroup v2 hierarchy is mounted");
			return -EINVAL;
		}
		cgroup = root;
	}
	rc = cgroup_check(cgroup, "", true, err, errlen);
	if (rc)
		return rc;
	rc = dp_l7_attach(l->dp, cgroup);
	if (rc)
		snprintf(err, errlen, "cgroup: cannot attach to '%s': %s",
			 cgroup, strerror(-rc));
	return rc;
}

int l7_new(struct l7 **out, const char *pin_dir, const char *state_dir,
	   struct json_object *cfg, char *err, size_t errlen)
{
	struct l7_conf c;
	bool from_state;
	struct l7 *l;
	int rc;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	if (state_dir) {
		l->state_dir = strdup(state_dir);
		if (!l->state_dir) {
			rc = -ENOMEM;
			goto err;
		}
		snprintf(l->state_path, sizeof(l->state_path), "%s/%s",
			 state_dir, L7_STATE_FILE);
	}
	rc = start_read(l, cfg, &c, &from_state, err, errlen);
	if (rc)
		goto err;
	rc = dp_l7_open(&l->dp, pin_dir);
	if (rc) {
		snprintf(err, errlen,
			 "the kernel refuses the sockops/sk_msg programs: %s",
			 strerror(-rc));
		goto err;
	}
	/* what an earlier run selected is replaced by what is in force */
	rc = dp_l7_ports_flush(l->dp);
	for (size_t i = 0; !rc && i < c.n_ports; i++) {
		if (!c.ids[i])
			c.ids[i] = free_id(&c);
		rc = dp_l7_port_set(l->dp, c.ports[i], c.ids[i]);
	}
	if (rc) {
		snprintf(err, errlen, "cannot write the selectors: %s",
			 strerror(-rc));
		goto err;
	}
	l->c = c;
	rc = c.enabled ? attach(l, c.cgroup, err, errlen) : dp_l7_detach(l->dp);
	if (rc)
		goto err;
	pr_info("l7: %s, %zu ports selected, settings from %s",
		c.enabled ? "on" : "off", c.n_ports,
		from_state ? "the state file " L7_STATE_FILE :
			     "the config file");
	*out = l;
	return 0;
err:
	dp_l7_close(l->dp);
	free(l->state_dir);
	free(l);
	return rc;
}

void l7_free(struct l7 *l, bool detach)
{
	int n;

	if (!l)
		return;
	if (detach) {
		if (l->c.enabled)
			dp_l7_detach(l->dp);
		/* as the router's maps go: unless sockets are still in the
		 * sockhash (freeing it would drop their unread bytes) */
		n = dp_l7_unpin(l->dp);
		if (n == -EBUSY)
			pr_warn("l7: sockets are still in the sockhash: its "
				"maps stay pinned in the pin dir's l7/ until "
				"they close");
	}
	dp_l7_close(l->dp);
	free(l->state_dir);
	free(l);
}

int l7_port_add(struct l7 *l, uint16_t port, uint32_t *id, char *err,
		size_t errlen)
{
	uint32_t nid;
	int rc;

	if (!port) {
		snprintf(err, errlen, "port: 0 is not a port 1..65535");
		return -EINVAL;
	}
	for (size_t i = 0; i < l->c.n_ports; i++)
		if (l->c.ports[i] == port) {
			snprintf(err, errlen, "port: %u is selected already",
				 port);
			return -EEXIST;
		}
	nid = free_id(&l->c);
	if (!nid) {
		snprintf(err, errlen, "port: %d ports are selected, the most",
			 L7_MAX_PORTS);
		return -ENOSPC;
	}
	rc = dp_l7_counters_clear(l->dp, nid);
	if (!rc)
		rc = dp_l7_port_set(l->dp, port, nid);
	if (rc) {
		snprintf(err, errlen, "the data path: %s", strerror(-rc));
		return rc;
	}
	l->c.ports[l->c.n_ports] = port;
	l->c.ids[l->c.n_ports++] = nid;
	*id = nid;
	l7_save(l);
	return 0;
}

int l7_port_del(struct l7 *l, uint16_t port, char *err, size_t errlen)
{
	size_t i;
	int rc;

	for (i = 0; i < l->c.n_ports && l->c.ports[i] != port; i++)
		;
	if (i == l->c.n_ports) {
		snprintf(err, errlen, "port: %u is not selected", port);
		return -ENOENT;
	}
	rc = dp_l7_port_del(l->dp, port);
	if (rc && rc != -ENOENT) {
		snprintf(err, errlen, "the data path: %s", strerror(-rc));
		return rc;
	}
	l->c.n_ports--;
	l->c.ports[i] = l->c.ports[l->c.n_ports];
	l->c.ids[i] = l->c.ids[l->c.n_ports];
	l7_save(l);
	return 0;
}

int l7_set(struct l7 *l, bool enabled, const char *cgroup, char *err,
	   size_t errlen)
{
	const char *cg = cgroup ? cgroup : l->c.cgroup;
	int rc;

	if (cgroup) {
		rc = cgroup_check(cgroup, "", true, err, errlen);
		if (rc)
			return rc;
	}
	if (enabled) {
		/* attaching again moves the link to @cg, or adopts it; a
		 * failure detached everything: what was on goes back on */
		rc = attach(l, cg, err, errlen);
		if (rc && l->c.enabled) {
			char e2[128];

			attach(l, l->c.cgroup, e2, sizeof(e2));
		}
	} else {
		rc = dp_l7_detach(l->dp);
		if (rc)
			snprintf(err, errlen, "cannot detach: %s",
				 strerror(-rc));
	}
	if (rc)
		return rc;
	l->c.enabled = enabled;
	if (cgroup)
		snprintf(l->c.cgroup, sizeof(l->c.cgroup), "%s", cgroup);
	l7_save(l);
	return 0;
}

struct json_object *l7_json(struct l7 *l)
{
	struct json_object *o = json_object_new_object(), *a;
	char root[L7_CGROUP_LEN] = "";

	json_add_bool(o, "enabled", l->c.enabled);
	json_add_bool(o, "attached", dp_l7_attached(l->dp));
	if (!l->c.cgroup[0])
		dp_l7_cgroup_root(root, sizeof(root));
	json_add_str(o, "cgroup", l->c.cgroup[0] ? l->c.cgroup : root);
	json_add_int(o, "sockets", dp_l7_socks_count(l->dp));
	json_add_int(o, "state_write_errors", (int64_t)l->state_write_errors);
	a = json_object_new_array();
	for (size_t i = 0; i < l->c.n_ports; i++) {
		struct json_object *e = json_object_new_object(), *cn, *fb;
		struct sluice_l7_counter c = {};

		dp_l7_counters(l->dp, l->c.ids[i], &c);
		json_add_int(e, "id", l->c.ids[i]);
		json_add_int(e, "port", l->c.ports[i]);
		cn = json_object_new_object();
		json_add_int(cn, "sockets", (int64_t)c.socks);
		json_add_int(cn, "redirected_msgs", (int64_t)c.redirect_msgs);
		json_add_int(cn, "redirected_bytes", (int64_t)c.redirect_bytes);
		fb = json_object_new_object();
		for (uint32_t r = 0; r < SLUICE_L7_FB_COUNT; r++)
			json_add_int(fb, dp_l7_fallback_name(r),
				     (int64_t)c.fb_msgs[r]);
		json_object_object_add(cn, "fallbacks", fb);
		json_object_object_add(e, "counters", cn);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "ports", a);
	return o;
}

/* Prometheus text for /metrics: per selected port, what went through the
 * hop and what fell back to the normal path, by reason. */
char *l7_metrics(struct l7 *l)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f,
		"# HELP sluice_l7_enabled 1 while the L7 local hop is on and "
		"attached.\n"
		"# TYPE sluice_l7_enabled gauge\n"
		"sluice_l7_enabled %d\n"
		"# HELP sluice_l7_sockets Sockets in the L7 sockhash.\n"
		"# TYPE sluice_l7_sockets gauge\n"
		"sluice_l7_sockets %d\n",
		l->c.enabled && dp_l7_attached(l->dp),
		dp_l7_socks_count(l->dp));
	fprintf(f, "# HELP sluice_l7_redirected_msgs_total Messages moved "
		   "socket to socket by the L7 local hop.\n"
		   "# TYPE sluice_l7_redirected_msgs_total counter\n"
		   "# HELP sluice_l7_redirected_bytes_total Bytes moved socket "
		   "to socket by the L7 local hop.\n"
		   "# TYPE sluice_l7_redirected_bytes_total counter\n"
		   "# HELP sluice_l7_fallback_msgs_total Messages of selected "
		   "ports sent the normal way, by reason.\n"
		   "# TYPE sluice_l7_fallback_msgs_total counter\n");
	for (size_t i = 0; i < l->c.n_ports; i++) {
		struct sluice_l7_counter c = {};
		unsigned int port = l->c.ports[i];

		dp_l7_counters(l->dp, l->c.ids[i], &c);
		fprintf(f,
			"sluice_l7_redirected_msgs_total{port=\"%u\"} %llu\n"
			"sluice_l7_redirected_bytes_total{port=\"%u\"} %llu\n",
			port, (unsigned long long)c.redirect_msgs, port,
			(unsigned long long)c.redirect_bytes);
		for (uint32_t r = 0; r < SLUICE_L7_FB_COUNT; r++)
			fprintf(f,
				"sluice_l7_fallback_msgs_total{port=\"%u\","
				"reason=\"%s\"} %llu\n",
				port, dp_l7_fallback_name(r),
				(unsigned long long)c.fb_msgs[r]);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}
