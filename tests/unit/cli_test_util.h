/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the CLI printers' unit tests share: a printer run over a JSON
 * document into a string, and a comparison of that text with the lines
 * a test wants.
 */
#ifndef SLUICE_TEST_CLI_UTIL_H
#define SLUICE_TEST_CLI_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cli.h"

/* @print's text for the document @json (freed by the caller); a printer
 * that fails fails the test. */
static inline char *cli_render(cli_print_fn print, const char *json)
{
	char *text = NULL, e[256] = "";
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_object *doc = json_tokener_parse(json);
	int r;

	assert_non_null(f);
	assert_non_null(doc);
	r = print(doc, f, e, sizeof(e));
	fclose(f);
	json_object_put(doc);
	if (r)
		fail_msg("printer failed: %d %s", r, e);
	return text;
}

static inline void cli_expect_text(cli_print_fn print, const char *json,
				   const char *want)
{
	char *text = cli_render(print, json);

	if (strcmp(text, want))
		fail_msg("got:\n%s\nwant:\n%s", text, want);
	free(text);
}

#endif
