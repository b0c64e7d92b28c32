/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sluicectl's shared printing: field access into the daemon's JSON,
 * aligned text tables, tables of named fields, and the -j output.  Each
 * noun prints its documents with these in cli/<noun>.c; filters there
 * shape the document that both the text and the -j output print, so the
 * two always show the same rows.
 *
 * Printers return 0, or -EPROTO with a message in @err when the document
 * lacks what the API promises (the top-level array); missing fields
 * inside an entry print as "-" so a newer daemon does not break an older
 * CLI.
 */
#ifndef SLUICECTL_FMT_H
#define SLUICECTL_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

/* ---- JSON access ---- */

/* A field as text: strings as they are, numbers and booleans in their
 * JSON spelling (so "table": 254 and "table": "main" both print), NULL
 * when missing or null. */
const char *jstr(json_object *o, const char *key);
uint64_t ju64(json_object *o, const char *key);
bool jbool(json_object *o, const char *key);
/* The object @key of @o, or NULL. */
json_object *jobj(json_object *o, const char *key);
/* NULL or "" (inline: the compiler then knows what follows is not NULL) */
static inline bool str_empty(const char *s)
{
	return !s || !*s;
}

/* The top-level array @key of @doc, or NULL with the error set. */
json_object *fmt_top_array(json_object *doc, const char *key, char *err,
			   size_t errlen);
/* 0 if @doc is an object, else -EPROTO and "@what is not an object". */
int fmt_not_object(json_object *doc, const char *what, char *err,
		   size_t errlen);
/* -ENOMEM and "out of memory" in @err. */
int fmt_nomem(char *err, size_t errlen);

/* The daemon's {"error": "..."} message from an error body, or NULL. */
const char *cli_error_message(json_object *doc);

/* The -j output: pretty, with '/' left unescaped, and a final newline. */
int cli_json_print(json_object *doc, FILE *out);

/* "ADDR:PORT" or "[ADDR6]:PORT" from @o's fields @addr and @port, the
 * address alone without a port field, "-" without an address. */
void fmt_endpoint(json_object *o, const char *addr, const char *port, char *buf,
		  size_t len);

/* 93784 -> "1d 2h 3m 4s"; 0 -> "0s". */
void cli_fmt_duration(uint64_t secs, char *buf, size_t len);

/* One line, @label then "a 1  b 2": the counts in the object @o that are
 * not zero; nothing when all are (or @o is not an object). */
void fmt_nonzero(FILE *out, const char *label, json_object *o);

/* ---- aligned tables ---- */

#define TABLE_MAX_COLS 8

struct table {
	size_t ncols;
	const char *const *head; /* NULL: no header line */
	unsigned int right;	 /* bit c: column c is right-aligned */
	size_t nrows, cap;
	char **cells; /* nrows * ncols */
};

/* @ncols cells; NULL prints as "-", "" as nothing.  0 or -ENOMEM. */
int table_add(struct table *t, ...);
/* Prints nothing when there are no rows, as `ip` does. */
void table_print(const struct table *t, FILE *out);
void table_free(struct table *t);

/* ---- tables of named fields (status, lb) ---- */

enum field_kind {
	F_TEXT,
	F_DURATION, /* seconds, printed as "1d 2h 3m 4s" */
	F_BOOL,	    /* "yes" or "no" */
	F_OPTIONAL, /* text, "" printed as "none" */
};

struct field {
	const char *key, *label;
	enum field_kind kind;
};

/* A two-column table of @doc's (an object's) @fields that it holds, in
 * that order, then of whatever else it holds, under its own key (what a
 * newer daemon adds).  0 or -ENOMEM with the message in @err. */
int fields_print(json_object *doc, const struct field *fields, size_t n,
		 FILE *out, char *err, size_t errlen);
/* The same rows added to @t (two columns), for a block made of several
 * objects that prints at one width.  0 or -ENOMEM. */
int fields_add(struct table *t, json_object *doc, const struct field *fields,
	       size_t n);

#endif
