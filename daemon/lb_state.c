// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's state file: the VIP set as changed through the API,
 * so that it survives a restart, with or without --keep-on-exit (the pinned
 * maps are a cache of it, not the record).  It holds what an operator chose
 * (VIPs with their settings, backends with weight and administrative
 * state), never what the daemon observed (health, counters, ids), in the
 * shape of the config file's lb.vips so that it reads like the config and
 * goes through the same parser and the same checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include "config.h"
#include "json_out.h"
#include "lb_internal.h"
#include "log.h"
#include "state_file.h"

#define STATE_VERSION 1
/* 255 VIPs and 4095 backends print in well under 1 MiB */
#define STATE_MAX_BYTES (16u << 20)

/* Every field spelled out, defaults included: the file says what runs,
 * not what a later version's defaults would make of it. */
struct json_object *lb_vip_state_json(const struct lb_vip *v)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	char a[INET6_ADDRSTRLEN];

	lb_vip_conf_json(o, &v->conf);
	for (size_t i = 0; i < v->n_be; i++) {
		const struct lb_backend *b = &v->be[i];
		struct json_object *bo = json_object_new_object();

		json_add_str(bo, "address",
			     lb_addr_str(&b->spec.addr, a, sizeof(a)));
		json_add_int(bo, "weight", b->spec.weight);
		json_add_str(bo, "state", lb_be_state_name(b->spec.state));
		json_object_array_add(arr, bo);
	}
	json_object_object_add(o, "backends", arr);
	return o;
}

struct json_object *lb_state_json(const struct lb *lb)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();

	if (!o || !arr) {
		json_object_put(o);
		json_object_put(arr);
		return NULL;
	}
	json_add_int(o, "version", STATE_VERSION);
	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++) {
		const struct lb_vip *v = lb_vip_get(lb, id);

		if (v)
			json_object_array_add(arr, lb_vip_state_json(v));
	}
	json_object_object_add(o, "vips", arr);
	return o;
}

/* mkdir -p: the state directory need not exist before the first change. */
static int make_dirs(const char *dir)
{
	char path[256];
	size_t len = strlen(dir);

	if (len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (char *c = path + 1;; c++) {
		char keep = *c;

		if (keep && keep != '/')
			continue;
		*c = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*c = keep;
		if (!keep)
			return 0;
	}
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Atomically: the new text goes to a temporary file in the same directory,
 * reaches the disk, and replaces lb.json by rename(); the directory is
 * synced so that the rename itself survives a crash.  A reader (or the
 * next start) finds the old file or the new one, never a mix.
 */
int state_file_write_text(const char *dir, const char *name, const char *text,
			  char *err, size_t errlen)
{
	char path[320], tmp[320];
	const char *step;
	int fd = -1, dfd = -1, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	step = "out of memory";
	rc = -ENOMEM;
	if (!text)
		goto fail;
	step = "cannot create the directory";
	rc = make_dirs(dir);
	if (rc)
		goto fail;
	step = "cannot create a temporary file";
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	step = "cannot write it";
	rc = fchmod(fd, 0644) ? -errno : 0;
	if (!rc)
		rc = write_all(fd, text, strlen(text));
	if (!rc)
		rc = write_all(fd, "\n", 1);
	if (rc)
		goto unlink;
	step = "cannot sync it";
	if (fsync(fd)) {
		rc = -errno;
		goto unlink;
	}
	rc = close(fd) ? -errno : 0;
	fd = -1;
	if (rc)
		goto unlink;
	step = "cannot rename it into place";
	if (rename(tmp, path)) {
		rc = -errno;
		goto unlink;
	}
	/* the file is in place; only its durability is at stake now */
	step = "cannot sync the directory";
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd))
		rc = -errno;
	if (dfd >= 0)
		close(dfd);
	if (rc)
		goto fail;
	return 0;
unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
fail:
	snprintf(err, errlen, "state file %s: %s: %s", path, step,
		 strerror(-rc));
	return rc;
}

int state_file_write(const char *dir, const char *name, struct json_object *doc,
		     char *err, size_t errlen)
{
	const char *text = json_object_to_json_string_ext(
		doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			     JSON_C_TO_STRING_NOSLASHESCAPE);

	return state_file_write_text(dir, name, text, err, errlen);
}

int lb_state_write(const char *dir, struct json_object *doc, char *err,
		   size_t errlen)
{
	return state_file_write(dir, LB_STATE_FILE, doc, err, errlen);
}

int state_file_read(const char *path, char **out, size_t *len_out, char *err,
		    size_t errlen)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "state file %s: cannot open it: %s", path,
			 strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(err, errlen, "state file %s: not a regular file",
			 path);
		goto out_msg;
	}
	if ((uint64_t)st.st_size > STATE_MAX_BYTES) {
		rc = -EFBIG;
		snprintf(err, errlen,
			 "state file %s: %lld bytes is more than "
			 "%u",
			 path, (long long)st.st_size, STATE_MAX_BYTES);
		goto out_msg;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		rc = -ENOMEM;
		goto out;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, text + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (!n)
			break; /* shorter than fstat said: parse what is there */
		len += (size_t)n;
	}
	text[len] = '\0';
out:
	if (rc)
		snprintf(err, errlen, "state file %s: cannot read it: %s", path,
			 strerror(-rc));
out_msg:
	close(fd);
	if (rc) {
		free(text);
		return rc;
	}
	*out = text;
	*len_out = len;
	return 0;
}

/* The journal next to @path over the VIPs read from it. */
static int replay(const char *path, struct lb_vip_spec **vips, size_t *n,
		  char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char jpath[320];
	size_t lines;
	int rc;

	snprintf(jpath, sizeof(jpath), "%.*s%s",
		 slash ? (int)(slash - path + 1) : 0, path, LB_JOURNAL_FILE);
	rc = lb_journal_replay(jpath, vips, n, &lines, err, errlen);
	if (rc == -ENOENT)
		return 0;
	if (rc) {
		lb_vip_specs_free(*vips, *n);
		*vips = NULL;
		*n = 0;
		return rc;
	}
	if (lines)
		pr_info("lb: %zu changes from the journal %s over %s", lines,
			jpath, path);
	return 0;
}

int lb_state_read(const char *path, struct lb_vip_spec **vips, size_t *n,
		  char *err, size_t errlen)
{
	struct json_object *root = NULL, *arr = NULL;
	char msg[512] = "out of memory", *text = NULL;
	size_t len = 0;
	int rc;

	rc = state_file_read(path, &text, &len, err, errlen);
	if (rc)
		return rc;
	/* the config file's parser: errors say line and column */
	rc = config_json_parse(text, len, &root, msg, sizeof(msg));
	if (rc)
		goto fail;
	rc = -EINVAL;
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(msg, sizeof(msg),
			 "top level: expected an object, got %s",
			 json_type_to_name(json_object_get_type(root)));
		goto fail;
	}
	json_object_object_foreach(root, key, val) {
		if (!strcmp(key, "version")) {
			if (!json_object_is_type(val, json_type_int) ||
			    json_object_get_int64(val) != STATE_VERSION) {
				snprintf(
					msg, sizeof(msg),
					"version: %s is not %d "
					"(written by another sluiced version?)",
					json_object_to_json_string_ext(
						val,
						JSON_C_TO_STRING_SPACED |
							JSON_C_TO_STRING_NOSLASHESCAPE),
					STATE_VERSION);
				goto fail;
			}
		} else if (!strcmp(key, "vips")) {
			arr = val;
		} else {
			snprintf(msg, sizeof(msg),
				 "unknown field '%s' (known: "
				 "version, vips)",
				 key);
			goto fail;
		}
	}
	if (!arr) {
		snprintf(msg, sizeof(msg), "vips: required");
		goto fail;
	}
	rc = lb_vip_specs_from_json(arr, "vips", vips, n, msg, sizeof(msg));
	if (rc)
		goto fail;
	json_object_put(root);
	free(text);
	return replay(path, vips, n, err, errlen);
fail:
	snprintf(err, errlen, "state file %s: %s", path, msg);
	json_object_put(root);
	free(text);
	return rc;
}

/* ---- where and whether the running LB saves -------------------------------- */

int lb_set_state_dir(struct lb *lb, const char *dir)
{
	char *d = NULL;

	if (dir) {
		if (strlen(dir) + sizeof(LB_STATE_FILE) + 1 >
		    sizeof(lb->state_path))
			return -ENAMETOOLONG;
		d = strdup(dir);
		if (!d)
			return -ENOMEM;
	}
	free(lb->state_dir);
	lb->state_dir = d;
	if (d)
		snprintf(lb->state_path, sizeof(lb->state_path), "%s/%s", d,
			 LB_STATE_FILE);
	else
		lb->state_path[0] = '\0';
	return 0;
}

const char *lb_state_path(const struct lb *lb)
{
	return lb->state_path;
}

int lb_state_save(struct lb *lb)
{
	struct json_object *doc;
	char err[400];
	int rc, jr;

	if (!lb->state_dir)
		return 0;
	doc = lb_state_json(lb);
	if (!doc) {
		rc = -ENOMEM;
		snprintf(err, sizeof(err), "state file %s: out of memory",
			 lb->state_path);
	} else {
		rc = lb_state_write(lb->state_dir, doc, err, sizeof(err));
		json_object_put(doc);
	}
	/* lb.json has everything: the journal's lines are history (were it
	 * left as it is, they would be replayed over it: the same VIPs) */
	jr = rc ? 0 : lb_journal_reset(lb);
	if (jr)
		pr_warn("lb: %s/%s: cannot empty it (%s): every change "
			"rewrites %s until it can",
			lb->state_dir, LB_JOURNAL_FILE, strerror(-jr),
			LB_STATE_FILE);
	if (rc) {
		/* the maps already hold the change, and the API reports it:
		 * only a restart would lose it, so say that, loudly */
		lb->state_write_errors++;
		pr_err("lb: %s; the change is applied but would not survive a "
		       "restart (state_write_errors %llu)",
		       err, (unsigned long long)lb->state_write_errors);
	}
	return rc;
}

uint64_t lb_state_write_errors(const struct lb *lb)
{
	return lb->state_write_errors;
}
