/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The state directory's files (lb.json, ct.json, ddos.json): what an operator changed
 * through the API, kept across restarts.  Implemented in lb_state.c, where
 * the first of them was written.
 */
#ifndef SLUICED_STATE_FILE_H
#define SLUICED_STATE_FILE_H

#include <stddef.h>

struct json_object;

/* Writes @doc as @dir/@name atomically (temporary file in @dir, fsync,
 * rename, fsync of @dir), creating @dir if needed; 0 or -errno with @err
 * naming the file and the step that failed. */
int state_file_write(const char *dir, const char *name, struct json_object *doc,
		     char *err, size_t errlen);
/* The same for @text already made (NULL: -ENOMEM): ddos.json's blocklist,
 * 100,000 entries and more, is written compact, not pretty-printed. */
int state_file_write_text(const char *dir, const char *name, const char *text,
			  char *err, size_t errlen);
/* The whole regular file @path (at most 16 MiB), NUL-terminated, in *@out
 * (free() it); -ENOENT when there is none, else -errno with @err naming
 * the path. */
int state_file_read(const char *path, char **out, size_t *len, char *err,
		    size_t errlen);

#endif
