// SPDX-License-Identifier: BSD-2-Clause
/*
 * The DDoS guard's model: settings, protected services and the blocklist,
 * programmed through lib/dp and written to ddos.json.  The blocklist lives
 * in the data path's tries only (100,000 entries and more): the state file
 * is written from a walk of them, with expiry times turned from the
 * monotonic clock of the data path into wall clock seconds (and back on
 * load, dropping what expired meanwhile).  Every change is on disk before
 * it is acknowledged, as every other state file's is: a start reconciles
 * the pinned maps against the file, so a file behind the maps would undo
 * changes the API had answered for.  A blocklist change is a line of the
 * journal (ddos_journal.c), one per request however many prefixes it
 * carries; the rest rewrite ddos.json, which also empties the journal.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include "config.h"
#include "ddos.h"
#include "log.h"
#include "loop.h"
#include "state_file.h"

#define NS_PER_S 1000000000ull
/* ddos.json is rewritten (and the journal emptied) once the journal is
 * larger than it and than this: the rewrites of a growing list cost
 * about as much as the lines that led to them */
#define DDOS_JOURNAL_MIN_BYTES (1u << 20)

struct ddos_svc {
	struct sluice_ddos_service_key key;
	bool used; /* slot index = the service's id */
};

struct ddos {
	struct dp *dp;
	char dir[PATH_MAX];
	char path[PATH_MAX + 16];
	struct ddos_settings set;
	struct ddos_svc svc[SLUICE_DDOS_MAX_SERVICES];
	uint64_t block_v4, block_v6; /* entries in the tries */
	uint64_t expiring;	     /* of them with an expiry (at most) */
	uint64_t expired_removed;
	uint64_t write_errors;
	struct ddos_journal journal;
	size_t state_bytes; /* of the last ddos.json written */
	struct loop *loop;
	struct loop_src *expire_src;
};

/* ---- clocks ------------------------------------------------------------------ */

static uint64_t wall_s(void)
{
	return (uint64_t)time(NULL);
}

/* A deadline on the data path's clock from seconds from now. */
static uint64_t mono_deadline(uint64_t in_s)
{
	return in_s ? dp_ddos_now_ns() + in_s * NS_PER_S : 0;
}

/* ---- the data path ------------------------------------------------------------ */

static int program_config(struct ddos *d)
{
	struct sluice_ddos_config c = { 0 };

	for (int i = 0; i < SLUICE_DDOS_NLIMITS; i++) {
		c.limit[i].pps = d->set.limit[i].pps;
		c.limit[i].burst = d->set.limit[i].burst;
		c.limit[i].plen = d->set.limit[i].plen;
	}
	c.cookie_mode = d->set.cookie_mode;
	c.syn_threshold = d->set.syn_threshold;
	c.hold_s = d->set.hold_s;
	c.mss4 = d->set.mss4;
	c.mss6 = d->set.mss6;
	c.wscale = DDOS_SYNPROXY_WSCALE;
	return dp_ddos_config_set(d->dp, &c);
}

static int count_cb(const struct dp_ddos_prefix *pf, void *arg)
{
	struct ddos *d = arg;

	if (pf->family == AF_INET)
		d->block_v4++;
	else
		d->block_v6++;
	if (pf->expires_ns)
		d->expiring++;
	return 0;
}

static void recount(struct ddos *d)
{
	d->block_v4 = d->block_v6 = d->expiring = 0;
	dp_ddos_block_foreach(d->dp, count_cb, d);
}

static int svc_find(const struct ddos *d,
		    const struct sluice_ddos_service_key *k)
{
	for (int i = 1; i < SLUICE_DDOS_MAX_SERVICES; i++)
		if (d->svc[i].used && !memcmp(&d->svc[i].key, k, sizeof(*k)))
			return i;
	return 0;
}

/* ---- the state file ------------------------------------------------------------ */

struct block_out {
	struct json_object *arr;
	uint64_t now_ns, now_wall;
};

static int block_out_cb(const struct dp_ddos_prefix *pf, void *arg)
{
	struct block_out *b = arg;
	struct json_object *e;
	uint64_t wall = 0;
	char txt[64];

	if (pf->expires_ns) {
		if (pf->expires_ns <= b->now_ns)
			return 0; /* expired: not worth keeping */
		wall = b->now_wall +
		       (pf->expires_ns - b->now_ns + NS_PER_S - 1) / NS_PER_S;
	}
	ddos_prefix_text(pf, txt, sizeof(txt));
	e = json_object_new_array_ext(2);
	json_object_array_add(e, json_object_new_string(txt));
	json_object_array_add(e, json_object_new_int64((int64_t)wall));
	json_object_array_add(b->arr, e);
	return 0;
}

static struct json_object *state_doc(struct ddos *d)
{
	struct json_object *o = json_object_new_object(), *svcs;
	struct block_out b = { .now_ns = dp_ddos_now_ns(),
			       .now_wall = wall_s() };
	char txt[80];

	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "settings", ddos_settings_json(&d->set));
	svcs = json_object_new_array();
	for (int i = 1; i < SLUICE_DDOS_MAX_SERVICES; i++) {
		if (!d->svc[i].used)
			continue;
		ddos_service_text(&d->svc[i].key, txt, sizeof(txt));
		json_object_array_add(svcs, json_object_new_string(txt));
	}
	json_object_object_add(o, "services", svcs);
	b.arr = json_object_new_array();
	dp_ddos_block_foreach(d->dp, block_out_cb, &b);
	json_object_object_add(o, "block", b.arr);
	return o;
}

/* Atomically and durably (state_file_write_text(): temporary file, fsync,
 * rename, fsync of the directory); compact, the blocklist being large. */
static int state_write(struct ddos *d, char *err, size_t errlen)
{
	struct json_object *doc = state_doc(d);
	const char *text = json_object_to_json_string_ext(
		doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = state_file_write_text(d->dir, DDOS_STATE_FILE, text, err,
				       errlen);

	if (!rc)
		d->state_bytes = strlen(text);
	json_object_put(doc);
	return rc;
}

/* ddos.json with everything, then the journal emptied (its lines are in
 * the file now).  A write that fails leaves the change applied (the data
 * path has it) and is logged and counted, as for lb.json and nat.json. */
static int save(struct ddos *d)
{
	char err[PATH_MAX + 128];
	int rc = state_write(d, err, sizeof(err));

	if (!rc) {
		rc = ddos_journal_reset(&d->journal, d->dir);
		if (rc)
			snprintf(err, sizeof(err),
				 "state file %s/%s: cannot empty it: %s",
				 d->dir, DDOS_JOURNAL_FILE, strerror(-rc));
	}
	if (!rc)
		return 0;
	d->write_errors++;
	pr_err("ddos: %s; the change is applied but would not survive a "
	       "restart (state_write_errors %llu)",
	       err, (unsigned long long)d->write_errors);
	return rc;
}

/* After a change of the settings or the services, before the API
 * answers. */
static void changed(struct ddos *d)
{
	save(d);
}

/* After a blocklist change, before the API answers: its line in the
 * journal, or ddos.json rewritten when there is no journal, the line
 * could not be written, or the journal has grown past ddos.json. */
static void block_changed(struct ddos *d, struct json_object *line)
{
	const char *text = json_object_to_json_string_ext(
		line, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t limit = d->state_bytes > DDOS_JOURNAL_MIN_BYTES ?
			       d->state_bytes :
			       DDOS_JOURNAL_MIN_BYTES;

	if (text && d->journal.fd >= 0 &&
	    !ddos_journal_append(&d->journal, text, strlen(text)) &&
	    d->journal.bytes <= limit)
		return;
	save(d);
}

/* Wall-clock seconds of an expiry @expire_s from now (0: never), as
 * ddos.json and the journal hold them. */
static int64_t wall_expiry(uint32_t expire_s)
{
	return expire_s ? (int64_t)(wall_s() + expire_s) : 0;
}

/* The prefixes of @arr (NULL: none) in *@out (malloc'd), each a string or
 * [PREFIX, EXPIRES]; @from_state: EXPIRES is wall-clock seconds and the
 * expired ones are skipped.  Fields are named @name[i]. */
static int block_parse(struct json_object *arr, const char *name,
		       bool from_state, struct dp_ddos_prefix **out, size_t *n,
		       char *err, size_t errlen)
{
	size_t len = arr ? json_object_array_length(arr) : 0;
	struct dp_ddos_prefix *v = calloc(len ? len : 1, sizeof(*v));
	uint64_t now = wall_s();
	char field[96];
	int rc;

	*n = 0;
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i), *p;
		uint64_t exp = 0;

		snprintf(field, sizeof(field), "%s[%zu]", name, i);
		p = e;
		if (json_object_is_type(e, json_type_array)) {
			p = json_object_array_get_idx(e, 0);
			exp = (uint64_t)json_object_get_int64(
				json_object_array_get_idx(e, 1));
		}
		/* a hand-edited file or a journal line: [] or null is no
		 * prefix (json-c gives no string for it) */
		if (!json_object_is_type(p, json_type_string)) {
			snprintf(err, errlen,
				 "%s: expected a prefix or [PREFIX, EXPIRES]",
				 field);
			free(v);
			return -EINVAL;
		}
		rc = ddos_parse_prefix(field, json_object_get_string(p), &v[*n],
				       err, errlen);
		if (rc) {
			free(v);
			return rc;
		}
		if (from_state && exp && exp <= now)
			continue; /* expired while we were away */
		v[(*n)++].expires_ns = exp ? mono_deadline(exp - now) : 0;
	}
	*out = v;
	return 0;
}

/* Reads the lists of @o ("services", "block") into the data path, the
 * settings into @s.  @from_state: "block" entries carry wall-clock
 * expiries (expired ones are skipped). */
static int load_doc(struct ddos *d, struct json_object *o, const char *where,
		    bool from_state, char *err, size_t errlen)
{
	struct json_object *svcs = NULL, *blk = NULL, *set = o;
	struct ddos_settings s;
	struct dp_ddos_prefix *v = NULL;
	size_t n = 0, done = 0, len;
	char field[96];
	int rc;

	ddos_settings_default(&s);
	if (from_state && !json_object_object_get_ex(o, "settings", &set))
		set = NULL;
	if (set) {
		rc = ddos_settings_from_json(set, where, !from_state, &s, err,
					     errlen);
		if (rc)
			return rc;
	}
	json_object_object_get_ex(o, "services", &svcs);
	json_object_object_get_ex(o, "block", &blk);
	if ((svcs && !json_object_is_type(svcs, json_type_array)) ||
	    (blk && !json_object_is_type(blk, json_type_array))) {
		snprintf(err, errlen, "%sservices / %sblock: expected arrays",
			 where, where);
		return -EINVAL;
	}
	memset(d->svc, 0, sizeof(d->svc));
	len = svcs ? json_object_array_length(svcs) : 0;
	if (len >= SLUICE_DDOS_MAX_SERVICES) {
		snprintf(err, errlen, "%sservices: %zu, at most %d", where, len,
			 SLUICE_DDOS_MAX_SERVICES - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(svcs, i);

		snprintf(field, sizeof(field), "%sservices[%zu]", where, i);
		rc = ddos_parse_service(field, json_object_get_string(e),
					&d->svc[i + 1].key, err, errlen);
		if (rc)
			return rc;
		d->svc[i + 1].used = true;
	}
	snprintf(field, sizeof(field), "%sblock", where);
	rc = block_parse(blk, field, from_state, &v, &n, err, errlen);
	if (rc)
		return rc;
	d->set = s;
	rc = dp_ddos_block_flush(d->dp) ?: program_config(d);
	if (rc) {
		snprintf(err, errlen, "programming the data path: %s",
			 strerror(-rc));
		goto out;
	}
	for (int i = 1; !rc && i < SLUICE_DDOS_MAX_SERVICES; i++)
		if (d->svc[i].used)
			rc = dp_ddos_service_set(d->dp, &d->svc[i].key,
						 (__u32)i);
	rc = rc ?: dp_ddos_block_load(d->dp, v, n, &done);
	if (rc)
		snprintf(err, errlen, "programming the data path: %s",
			 strerror(-rc));
out:
	free(v);
	return rc;
}

/* One line of the journal over what ddos.json programmed. */
static int replay_cb(struct json_object *o, void *arg, char *err, size_t errlen)
{
	struct ddos *d = arg;
	struct dp_ddos_prefix *v = NULL, pf;
	struct json_object *val;
	size_t n = 0, done = 0;
	int rc;

	if (json_object_object_get_ex(o, "add", &val)) {
		if (!json_object_is_type(val, json_type_array)) {
			snprintf(err, errlen, "add: expected an array");
			return -EINVAL;
		}
		rc = block_parse(val, "add", true, &v, &n, err, errlen);
		rc = rc ?: dp_ddos_block_load(d->dp, v, n, &done);
		free(v);
	} else if (json_object_object_get_ex(o, "del", &val)) {
		if (!json_object_is_type(val, json_type_string)) {
			snprintf(err, errlen, "del: expected a prefix");
			return -EINVAL;
		}
		rc = ddos_parse_prefix("del", json_object_get_string(val), &pf,
				       err, errlen);
		if (rc)
			return rc;
		rc = dp_ddos_block_del(d->dp, pf.family, pf.addr, pf.plen);
		if (rc == -ENOENT) /* deleted before ddos.json was written */
			rc = 0;
	} else {
		json_object_object_foreach(o, key, unused) {
			(void)unused;
			snprintf(err, errlen,
				 "unknown field '%s' (known: add, del)", key);
		}
		return -EINVAL;
	}
	if (rc && rc != -EINVAL)
		snprintf(err, errlen, "programming the data path: %s",
			 strerror(-rc));
	return rc;
}

/* Services a previous run left pinned that are not ours now. */
static void services_clear(struct ddos *d)
{
	struct sluice_ddos_service_key k;

	/* every pinned service goes; load_doc adds ours back */
	while (!dp_ddos_service_first(d->dp, &k))
		if (dp_ddos_service_del(d->dp, &k))
			break;
}

int ddos_new(struct ddos **out, struct dp *dp, const char *state_dir,
	     struct json_object *cfg, char *err, size_t errlen)
{
	struct json_object *doc = NULL;
	struct ddos *d = calloc(1, sizeof(*d));
	size_t lines = 0;
	int rc = 0;

	if (!d)
		return -ENOMEM;
	d->journal.fd = -1;
	d->dp = dp;
	snprintf(d->dir, sizeof(d->dir), "%s", state_dir);
	snprintf(d->path, sizeof(d->path), "%s/%s", state_dir, DDOS_STATE_FILE);
	ddos_settings_default(&d->set);
	services_clear(d);
	if (!access(d->path, F_OK)) {
		doc = json_object_from_file(d->path);
		if (!doc) {
			snprintf(err, errlen, "%s: not valid JSON", d->path);
			rc = -EINVAL;
		} else {
			rc = load_doc(d, doc, "", true, err, errlen);
			if (rc) {
				char m[512];

				snprintf(m, sizeof(m), "%s", err);
				snprintf(err, errlen, "%s: %s", d->path, m);
			}
			/* the changes made since, journal lines (a journal
			 * without its ddos.json has nothing to apply to) */
			if (!rc)
				rc = ddos_journal_replay(d->dir, replay_cb, d,
							 &lines, err, errlen);
			if (rc == -ENOENT)
				rc = 0;
			if (!rc && lines)
				pr_info("ddos: %zu blocklist changes replayed "
					"from %s/%s",
					lines, d->dir, DDOS_JOURNAL_FILE);
		}
	} else if (cfg) {
		rc = load_doc(d, cfg, "ddos.", false, err, errlen);
	} else {
		rc = load_doc(d, NULL, "", false, err, errlen);
	}
	json_object_put(doc);
	if (!rc) {
		recount(d);
		rc = state_write(d, err, errlen);
	}
	/* the journal starts empty over the ddos.json just written; without
	 * one every change rewrites ddos.json */
	if (!rc && ddos_journal_reset(&d->journal, d->dir))
		pr_warn("ddos: no journal in %s: every blocklist change "
			"rewrites %s",
			d->dir, DDOS_STATE_FILE);
	if (rc) {
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void ddos_loop_del(struct ddos *d)
{
	if (!d || !d->loop)
		return;
	loop_remove(d->loop, d->expire_src);
	d->loop = NULL;
}

void ddos_free(struct ddos *d)
{
	if (!d)
		return;
	ddos_loop_del(d);
	ddos_journal_close(&d->journal);
	free(d);
}

static void on_expire(void *arg)
{
	ddos_expire(arg);
}

int ddos_loop_add(struct ddos *d, struct loop *l)
{
	d->expire_src = loop_add_timer(l, DDOS_EXPIRE_PERIOD_MS,
				       DDOS_EXPIRE_PERIOD_MS, on_expire, d);
	if (!d->expire_src)
		return -errno ?: -ENOMEM;
	d->loop = l;
	return 0;
}

/* ---- changes ---------------------------------------------------------------- */

const struct ddos_settings *ddos_settings(const struct ddos *d)
{
	return &d->set;
}

int ddos_settings_set(struct ddos *d, const struct ddos_settings *s, char *err,
		      size_t errlen)
{
	struct ddos_settings old = d->set;
	int rc;

	d->set = *s;
	rc = program_config(d);
	if (rc) {
		d->set = old;
		snprintf(err, errlen, "programming the data path: %s",
			 strerror(-rc));
		return rc;
	}
	changed(d);
	return 0;
}

int ddos_service_add(struct ddos *d, const struct sluice_ddos_service_key *k,
		     char *err, size_t errlen)
{
	char txt[80];
	int id, rc;

	ddos_service_text(k, txt, sizeof(txt));
	if (svc_find(d, k)) {
		snprintf(err, errlen, "service %s is already protected", txt);
		return -EEXIST;
	}
	for (id = 1; id < SLUICE_DDOS_MAX_SERVICES && d->svc[id].used; id++)
		;
	if (id == SLUICE_DDOS_MAX_SERVICES) {
		snprintf(err, errlen, "service %s: all %d services in use", txt,
			 SLUICE_DDOS_MAX_SERVICES - 1);
		return -ENOSPC;
	}
	rc = dp_ddos_service_set(d->dp, k, (__u32)id);
	if (rc) {
		snprintf(err, errlen, "service %s: %s", txt, strerror(-rc));
		return rc;
	}
	d->svc[id].key = *k;
	d->svc[id].used = true;
	changed(d);
	return 0;
}

int ddos_service_del(struct ddos *d, const struct sluice_ddos_service_key *k,
		     char *err, size_t errlen)
{
	int id = svc_find(d, k), rc;
	char txt[80];

	ddos_service_text(k, txt, sizeof(txt));
	if (!id) {
		snprintf(err, errlen, "service %s is not protected", txt);
		return -ENOENT;
	}
	rc = dp_ddos_service_del(d->dp, k);
	if (rc && rc != -ENOENT) {
		snprintf(err, errlen, "service %s: %s", txt, strerror(-rc));
		return rc;
	}
	d->svc[id].used = false;
	changed(d);
	return 0;
}

int ddos_block_add(struct ddos *d, const struct dp_ddos_prefix *v, size_t n,
		   uint32_t expire_s, char *err, size_t errlen)
{
	struct dp_ddos_prefix *c = calloc(n ? n : 1, sizeof(*c));
	uint64_t deadline = mono_deadline(expire_s), fresh4 = 0, fresh6 = 0;
	bool covered = false;
	size_t done = 0;
	int rc;

	if (!c)
		return -ENOMEM;
	/* the counts follow from the entries that are new (a walk of the
	 * tries per request would make a large load quadratic).  The get is
	 * a longest-prefix match: a hit is the prefix itself or one that
	 * covers it, which only a walk tells apart */
	for (size_t i = 0; i < n; i++) {
		c[i] = v[i];
		c[i].expires_ns = deadline;
		if (dp_ddos_block_get(d->dp, &c[i], NULL) != -ENOENT) {
			covered = true;
			continue;
		}
		if (c[i].family == AF_INET)
			fresh4++;
		else
			fresh6++;
	}
	rc = dp_ddos_block_load(d->dp, c, n, &done);
	free(c);
	if (rc && done) {
		/* which of them went in is the tries' to say (a load goes
		 * family by family): ddos.json from a walk of them */
		save(d);
	} else if (!rc && n) {
		struct json_object *line = json_object_new_object();
		struct json_object *arr = json_object_new_array_ext((int)n);
		int64_t wall = wall_expiry(expire_s);
		char txt[64];

		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_new_array_ext(2);

			ddos_prefix_text(&v[i], txt, sizeof(txt));
			json_object_array_add(e, json_object_new_string(txt));
			json_object_array_add(e, json_object_new_int64(wall));
			json_object_array_add(arr, e);
		}
		json_object_object_add(line, "add", arr);
		block_changed(d, line);
		json_object_put(line);
	}
	if (rc) {
		recount(d); /* some went in: count them */
		snprintf(err, errlen, "blocklist: %zu of %zu added: %s", done,
			 n, strerror(-rc));
	} else if (covered) {
		recount(d); /* nested in another, or there already */
	} else {
		d->block_v4 += fresh4;
		d->block_v6 += fresh6;
		if (deadline)
			d->expiring += n;
	}
	return rc;
}

int ddos_block_del(struct ddos *d, const struct dp_ddos_prefix *pf, char *err,
		   size_t errlen)
{
	struct json_object *line;
	char txt[64];
	int rc = dp_ddos_block_del(d->dp, pf->family, pf->addr, pf->plen);

	ddos_prefix_text(pf, txt, sizeof(txt));
	if (rc == -ENOENT) {
		snprintf(err, errlen, "prefix %s is not in the blocklist", txt);
		return rc;
	}
	if (rc) {
		snprintf(err, errlen, "prefix %s: %s", txt, strerror(-rc));
		return rc;
	}
	if (pf->family == AF_INET)
		d->block_v4--;
	else
		d->block_v6--;
	line = json_object_new_object();
	json_object_object_add(line, "del", json_object_new_string(txt));
	block_changed(d, line);
	json_object_put(line);
	return 0;
}

struct expired {
	struct dp_ddos_prefix *v;
	size_t n, cap;
	uint64_t now;
	uint64_t pending; /* entries that expire later */
};

static int expired_cb(const struct dp_ddos_prefix *pf, void *arg)
{
	struct expired *x = arg;

	if (!pf->expires_ns)
		return 0;
	if (pf->expires_ns > x->now) {
		x->pending++;
		return 0;
	}
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		void *nv = realloc(x->v, cap * sizeof(*x->v));

		if (!nv)
			return -ENOMEM;
		x->v = nv;
		x->cap = cap;
	}
	x->v[x->n++] = *pf;
	return 0;
}

size_t ddos_expire(struct ddos *d)
{
	struct expired x = { .now = dp_ddos_now_ns() };
	size_t removed = 0;

	if (!d->expiring)
		return 0;
	dp_ddos_block_foreach(d->dp, expired_cb, &x);
	for (size_t i = 0; i < x.n; i++)
		if (!dp_ddos_block_del(d->dp, x.v[i].family, x.v[i].addr,
				       x.v[i].plen))
			removed++;
	free(x.v);
	d->expiring = x.pending; /* no walk until an expiring entry comes */
	if (removed) {
		d->expired_removed += removed;
		recount(d);
		changed(d);
	}
	return removed;
}

/* ---- views ------------------------------------------------------------------ */

void ddos_foreach_service(struct ddos *d, ddos_service_cb cb, void *arg)
{
	for (int i = 1; i < SLUICE_DDOS_MAX_SERVICES; i++) {
		struct sluice_ddos_svc_state st = { 0 };
		const char *mode;
		char txt[80];

		if (!d->svc[i].used)
			continue;
		dp_ddos_service_state(d->dp, (__u32)i, &st, NULL);
		ddos_service_text(&d->svc[i].key, txt, sizeof(txt));
		if (d->set.cookie_mode == SLUICE_DDOS_COOKIES_ON)
			mode = "on";
		else if (d->set.cookie_mode == SLUICE_DDOS_COOKIES_AUTO &&
			 st.cookies_on)
			mode = "on";
		else
			mode = "off";
		cb(txt, mode, &st, arg);
	}
}

static void svc_json_cb(const char *service, const char *mode,
			const struct sluice_ddos_svc_state *st, void *arg)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "service", json_object_new_string(service));
	json_object_object_add(e, "cookies", json_object_new_string(mode));
	json_object_object_add(e, "syn_rate",
			       json_object_new_int64((int64_t)st->last_rate));
	json_object_object_add(e, "switches",
			       json_object_new_int64((int64_t)st->switches));
	json_object_array_add(arg, e);
}

struct json_object *ddos_json(struct ddos *d)
{
	struct json_object *o = ddos_settings_json(&d->set), *svcs;

	svcs = json_object_new_array();
	ddos_foreach_service(d, svc_json_cb, svcs);
	json_object_object_add(o, "services", svcs);
	json_object_object_add(o, "blocklist_v4",
			       json_object_new_int64((int64_t)d->block_v4));
	json_object_object_add(o, "blocklist_v6",
			       json_object_new_int64((int64_t)d->block_v6));
	json_object_object_add(
		o, "buckets",
		json_object_new_int64(dp_ddos_buckets_count(d->dp)));
	json_object_object_add(
		o, "cookie_flows",
		json_object_new_int64(dp_ddos_flows_count(d->dp)));
	json_object_object_add(o, "state_file",
			       json_object_new_string(d->path));
	json_object_object_add(o, "state_write_errors",
			       json_object_new_int64((int64_t)d->write_errors));
	return o;
}

struct block_view {
	struct json_object *arr;
	uint64_t now;
};

static int block_view_cb(const struct dp_ddos_prefix *pf, void *arg)
{
	struct block_view *b = arg;
	struct json_object *e;
	char txt[64];

	if (pf->expires_ns && pf->expires_ns <= b->now)
		return 0; /* no longer matches; removed soon */
	ddos_prefix_text(pf, txt, sizeof(txt));
	e = json_object_new_object();
	json_object_object_add(e, "prefix", json_object_new_string(txt));
	json_object_object_add(
		e, "expires_in_s",
		json_object_new_int64(
			pf->expires_ns ? (int64_t)((pf->expires_ns - b->now +
						    NS_PER_S - 1) /
						   NS_PER_S) :
					 0));
	json_object_array_add(b->arr, e);
	return 0;
}

struct json_object *ddos_block_json(struct ddos *d)
{
	struct json_object *o = json_object_new_object();
	struct block_view b = { .arr = json_object_new_array(),
				.now = dp_ddos_now_ns() };

	dp_ddos_block_foreach(d->dp, block_view_cb, &b);
	json_object_object_add(
		o, "count",
		json_object_new_int64(
			(int64_t)json_object_array_length(b.arr)));
	json_object_object_add(o, "entries", b.arr);
	return o;
}

void ddos_counts(struct ddos *d, struct ddos_counts *c)
{
	c->block_v4 = d->block_v4;
	c->block_v6 = d->block_v6;
	c->expired_removed = d->expired_removed;
	c->state_write_errors = d->write_errors;
}
