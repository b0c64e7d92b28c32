// SPDX-License-Identifier: BSD-2-Clause
/* Command-line options as a table: see opts.h. */
#include <errno.h>
#include <string.h>
#include "opts.h"

/* What getopt_long returns for a long-only option: past any char. */
#define OPT_LONG_VAL(i) (256 + (int)(i))

int opts_getopt_init(struct opts_getopt *g, const struct opt_def *defs,
		     size_t n, bool missing_colon)
{
	size_t s = 0;

	if (n > OPTS_MAX)
		return -E2BIG;
	memset(g, 0, sizeof(*g));
	g->defs = defs;
	g->n = n;
	if (missing_colon)
		g->shortopts[s++] = ':';
	for (size_t i = 0; i < n; i++) {
		const struct opt_def *d = &defs[i];

		g->longopts[i] = (struct option){
			.name = d->long_name,
			.has_arg = d->arg == OPT_ARG_REQUIRED ?
					   required_argument :
					   no_argument,
			.val = d->short_name ? d->short_name : OPT_LONG_VAL(i),
		};
		if (d->short_name) {
			g->shortopts[s++] = d->short_name;
			if (d->arg == OPT_ARG_REQUIRED)
				g->shortopts[s++] = ':';
		}
	}
	return 0;
}

int opts_next(const struct opts_getopt *g, int argc, char **argv)
{
	int c = getopt_long(argc, argv, g->shortopts, g->longopts, NULL);

	if (c == -1)
		return OPTS_END;
	if (c == ':')
		return OPTS_MISSING;
	if (c >= OPT_LONG_VAL(0) && c < OPT_LONG_VAL(g->n))
		return c - OPT_LONG_VAL(0);
	for (size_t i = 0; i < g->n; i++)
		if (g->defs[i].short_name && g->defs[i].short_name == c)
			return (int)i;
	return OPTS_UNKNOWN;
}

int opts_match(const struct opt_def *d, int argc, char **argv, int *i,
	       const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(d->long_name);

	*val = NULL;
	if (d->short_name && a[0] == '-' && a[1] == d->short_name && !a[2])
		goto matched;
	if (strncmp(a, "--", 2) || strncmp(a + 2, d->long_name, n))
		return 0;
	if (a[2 + n] == '=' && d->arg == OPT_ARG_REQUIRED) {
		*val = a + 2 + n + 1;
		return 1;
	}
	if (a[2 + n])
		return 0;
matched:
	if (d->arg == OPT_ARG_NONE)
		return 1;
	if (*i + 1 >= argc)
		return -EINVAL;
	*val = argv[++*i];
	return 1;
}

int opts_find(const struct opt_def *defs, size_t n, int argc, char **argv,
	      int *i, const char **val)
{
	for (size_t k = 0; k < n; k++) {
		int r = opts_match(&defs[k], argc, argv, i, val);

		if (r)
			return r < 0 ? r : (int)k;
	}
	return -ENOENT;
}

bool opts_spelled(const struct opt_def *defs, size_t n, const char *arg)
{
	for (size_t k = 0; k < n; k++) {
		const struct opt_def *d = &defs[k];
		size_t len = strlen(d->long_name);

		if (d->short_name && arg[0] == '-' && arg[1] == d->short_name &&
		    !arg[2])
			return true;
		if (!strncmp(arg, "--", 2) &&
		    !strncmp(arg + 2, d->long_name, len) &&
		    (!arg[2 + len] || arg[2 + len] == '='))
			return true;
	}
	return false;
}

void opts_help(FILE *out, const struct opt_def *defs, size_t n,
	       const struct opts_help_style *style)
{
	for (size_t i = 0; i < n; i++) {
		const struct opt_def *d = &defs[i];
		const char *h = d->help;
		int w;

		if (d->short_name)
			w = fprintf(out, "%*s-%c, --%s", style->indent, "",
				    d->short_name, d->long_name);
		else
			w = fprintf(out, "%*s%s--%s", style->indent, "",
				    style->align_long ? "    " : "",
				    d->long_name);
		if (d->metavar)
			w += fprintf(out, " %s", d->metavar);
		if (w > style->col - 2) {
			fputc('\n', out);
			w = 0;
		}
		/* the first help line, then each after a '\n' */
		for (;;) {
			size_t len = strcspn(h, "\n");

			fprintf(out, "%*s%.*s\n", style->col - w, "", (int)len,
				h);
			if (!h[len])
				break;
			h += len + 1;
			w = 0;
		}
	}
}
