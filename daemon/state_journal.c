// SPDX-License-Identifier: BSD-2-Clause
/*
 * A state journal read back (state_journal.h): lb_journal.c and
 * ddos_journal.c append their lines, and both replay them through here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "config.h"
#include "log.h"
#include "state_file.h"
#include "state_journal.h"

static int replay_line(const char *text, size_t len, const char *fields,
		       state_journal_line_cb cb, void *arg, char *msg,
		       size_t msglen)
{
	struct json_object *root = NULL;
	int rc = config_json_parse(text, len, &root, msg, msglen);

	if (rc)
		return rc;
	if (!json_object_is_type(root, json_type_object) ||
	    json_object_object_length(root) != 1) {
		snprintf(msg, msglen, "expected an object with one field, %s",
			 fields);
		rc = -EINVAL;
	} else {
		rc = cb(root, arg, msg, msglen);
	}
	json_object_put(root);
	return rc;
}

int state_journal_replay(const char *path, const char *who, const char *fields,
			 state_journal_line_cb cb, void *arg, size_t *lines,
			 char *err, size_t errlen)
{
	char msg[512] = "", *text = NULL, *p, *end, *nl;
	size_t len = 0, line = 0;
	int rc;

	*lines = 0;
	rc = state_file_read(path, &text, &len, err, errlen);
	if (rc)
		return rc;
	end = text + len;
	for (p = text; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line++;
		if (!nl) {
			pr_warn("%s: state file %s: line %zu has no end (a "
				"write cut short, never answered): ignored",
				who, path, line);
			break;
		}
		rc = replay_line(p, (size_t)(nl - p), fields, cb, arg, msg,
				 sizeof(msg));
		if (rc) {
			snprintf(err, errlen, "state file %s: line %zu: %s",
				 path, line, msg);
			break;
		}
		(*lines)++;
	}
	free(text);
	return rc;
}
