// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's journal: STATE_DIR/lb.journal, one line for each
 * change made through the API since lb.json was last written, appended
 * with one write() before the change is answered.  Once write() returns
 * the line is the kernel's, so a sluiced killed right after its answer
 * (SIGKILL, a crash) loses nothing: the next start reads lb.json and
 * replays the journal over it.  fdatasync() follows within
 * LB_SAVE_INTERVAL_MS, for a power cut; lb.json itself (temporary file,
 * fsync, rename) is rewritten only when the journal has grown past
 * LB_JOURNAL_MAX, at the first change after a start and at a clean stop,
 * so that a backend write costs one small append instead of a file
 * rewritten and synced (milliseconds: a few hundred writes per second).
 *
 * A line is the whole new state of one VIP, {"vip": {...}} in lb.json's
 * shape, or its removal, {"del": "198.18.100.1:80/tcp"}: never a delta.
 * Replaying a line twice, or over an lb.json written after it, gives the
 * same VIP set, so the journal is emptied after lb.json is written and a
 * crash in between costs nothing.  A last line without its newline is a
 * write that did not finish, hence was never answered: it is ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "config.h"
#include "json_out.h"
#include "lb_internal.h"
#include "log.h"
#include "state_file.h"
#include "state_journal.h"

static void journal_path(const struct lb *lb, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", lb->state_dir, LB_JOURNAL_FILE);
}

static const struct lb_vip *vip_of_key(const struct lb *lb,
				       const struct sluice_vip_key *k)
{
	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++) {
		const struct lb_vip *v = lb_vip_get(lb, id);

		if (v && key_eq(&v->conf.key, k))
			return v;
	}
	return NULL;
}

/* The line for the VIP of key @k as it is now (gone: its removal). */
static char *record(const struct lb *lb, const struct sluice_vip_key *k,
		    size_t *len)
{
	const struct lb_vip *v = vip_of_key(lb, k);
	struct json_object *o = json_object_new_object();
	char id[LB_VIP_ID_LEN], *line = NULL;
	const char *text;

	if (!o)
		return NULL;
	if (v)
		json_object_object_add(o, "vip", lb_vip_state_json(v));
	else
		json_add_str(o, "del", lb_vip_id_str(k, id, sizeof(id)));
	text = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text) {
		*len = strlen(text) + 1;
		line = malloc(*len);
	}
	if (line) {
		memcpy(line, text, *len - 1);
		line[*len - 1] = '\n';
	}
	json_object_put(o);
	return line;
}

void lb_journal_close(struct lb *lb)
{
	if (lb->journal_fd >= 0)
		close(lb->journal_fd);
	lb->journal_fd = -1;
	lb->journal_bytes = 0;
	lb->journal_unsynced = false;
}

int lb_journal_append(struct lb *lb, const struct sluice_vip_key *k)
{
	size_t len = 0, off = 0;
	char *line;
	int rc = 0;

	if (lb->journal_fd < 0)
		return -EBADF;
	line = record(lb, k, &len);
	if (!line)
		return -ENOMEM;
	while (off < len && !rc) {
		ssize_t n = write(lb->journal_fd, line + off, len - off);

		if (n < 0 && errno != EINTR)
			rc = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	free(line);
	if (!rc) {
		lb->journal_bytes += len;
		lb->journal_unsynced = true;
		return 0;
	}
	/* no torn line in the middle of the file: back to the last whole
	 * one, or no more journal (every change rewrites lb.json) */
	if (ftruncate(lb->journal_fd, (off_t)lb->journal_bytes))
		lb_journal_close(lb);
	return rc;
}

int lb_journal_reset(struct lb *lb)
{
	char path[320];
	int fd;

	journal_path(lb, path, sizeof(path));
	if (!lb->loop) {
		/* no appends without a loop: a journal an earlier run left
		 * must not be replayed over this newer lb.json */
		lb_journal_close(lb);
		return unlink(path) && errno != ENOENT ? -errno : 0;
	}
	if (lb->journal_fd < 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			  0644);
		if (fd < 0)
			return -errno;
		lb->journal_fd = fd;
	}
	/* synced, so that lines appended from now on never land after
	 * older ones a power cut brought back */
	if (ftruncate(lb->journal_fd, 0) || fdatasync(lb->journal_fd)) {
		int rc = -errno;

		lb_journal_close(lb);
		return rc;
	}
	lb->journal_bytes = 0;
	lb->journal_unsynced = false;
	return 0;
}

int lb_journal_sync(struct lb *lb)
{
	if (lb->journal_fd < 0 || !lb->journal_unsynced)
		return 0;
	lb->journal_unsynced = false;
	return fdatasync(lb->journal_fd) ? -errno : 0;
}

/* ---- replay at start ---------------------------------------------------------- */

static ssize_t spec_index(const struct lb_vip_spec *vips, size_t n,
			  const struct sluice_vip_key *k)
{
	for (size_t i = 0; i < n; i++)
		if (key_eq(&vips[i].conf.key, k))
			return (ssize_t)i;
	return -1;
}

/* {"vip": {...}}: that VIP's new state, in place of the old or added. */
static int replay_vip(struct json_object *val, struct lb_vip_spec **vips,
		      size_t *n, char *msg, size_t msglen)
{
	struct json_object *arr = json_object_new_array();
	struct lb_vip_spec *one = NULL, *grown;
	size_t got = 0;
	ssize_t i;
	int rc;

	if (!arr)
		return -ENOMEM;
	json_object_array_add(arr, json_object_get(val));
	rc = lb_vip_specs_from_json(arr, "vip", &one, &got, msg, msglen);
	json_object_put(arr);
	if (rc)
		return rc;
	i = spec_index(*vips, *n, &one[0].conf.key);
	if (i >= 0) {
		lb_vip_spec_free(&(*vips)[i]);
		(*vips)[i] = one[0];
	} else if (*n >= LB_MAX_VIPS) {
		snprintf(msg, msglen, "vip: more than %u VIPs", LB_MAX_VIPS);
		lb_vip_specs_free(one, got);
		return -EINVAL;
	} else {
		grown = realloc(*vips, (*n + 1) * sizeof(**vips));
		if (!grown) {
			lb_vip_specs_free(one, got);
			return -ENOMEM;
		}
		grown[(*n)++] = one[0];
		*vips = grown;
	}
	free(one); /* its backends moved into *vips */
	return 0;
}

/* {"del": "ADDR:PORT/PROTO"}: that VIP is gone (already gone: nothing). */
static int replay_del(struct json_object *val, struct lb_vip_spec *vips,
		      size_t *n, char *msg, size_t msglen)
{
	struct sluice_vip_key k;
	const char *s = json_object_get_string(val);
	ssize_t i;

	if (!json_object_is_type(val, json_type_string) ||
	    lb_vip_id_parse(s, &k)) {
		snprintf(msg, msglen, "del: %s is not a VIP (ADDR:PORT/PROTO)",
			 json_object_to_json_string_ext(
				 val, JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE));
		return -EINVAL;
	}
	i = spec_index(vips, *n, &k);
	if (i < 0)
		return 0;
	lb_vip_spec_free(&vips[i]);
	memmove(&vips[i], &vips[i + 1], (*n - (size_t)i - 1) * sizeof(*vips));
	(*n)--;
	return 0;
}

/* Where a replay puts the VIPs: lb_state.c's array, grown and shrunk. */
struct replay_into {
	struct lb_vip_spec **vips;
	size_t *n;
};

static int replay_line(struct json_object *root, void *arg, char *msg,
		       size_t msglen)
{
	struct replay_into *into = arg;
	int rc = -EINVAL;

	json_object_object_foreach(root, key, val) {
		if (!strcmp(key, "vip"))
			rc = replay_vip(val, into->vips, into->n, msg, msglen);
		else if (!strcmp(key, "del"))
			rc = replay_del(val, *into->vips, into->n, msg, msglen);
		else
			snprintf(msg, msglen,
				 "unknown field '%s' (known: vip, del)", key);
	}
	return rc;
}

int lb_journal_replay(const char *path, struct lb_vip_spec **vips, size_t *n,
		      size_t *lines, char *err, size_t errlen)
{
	struct replay_into into = { .vips = vips, .n = n };

	return state_journal_replay(path, "lb", "vip or del", replay_line,
				    &into, lines, err, errlen);
}
