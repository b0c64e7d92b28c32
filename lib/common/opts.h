/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Command-line options as a table, after xdp-tools' lib/util/params.h: a
 * program lists its options once, in a struct opt_def array indexed by
 * its own enum, and gets from it getopt_long's arrays, the table index of
 * each option getopt_long returns, and the OPTIONS part of --help.
 * sluiced, sluicectl's global options and sluice-gen use it.
 */
#ifndef SLUICE_OPTS_H
#define SLUICE_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_arg {
	OPT_ARG_NONE,	  /* a flag */
	OPT_ARG_REQUIRED, /* --name VALUE, --name=VALUE, -n VALUE */
};

struct opt_def {
	const char *long_name; /* without the dashes: "config" */
	char short_name;       /* 'c', or 0 for a long-only option */
	enum opt_arg arg;
	const char *metavar; /* the value in the help: "FILE" */
	const char *help;    /* each '\n' starts a line in the help column */
};

#define OPTS_MAX 32

/* getopt_long's view of a table. */
struct opts_getopt {
	const struct opt_def *defs;
	size_t n;
	struct option longopts[OPTS_MAX + 1];
	char shortopts[2 + 2 * OPTS_MAX];
};

/*
 * Builds @g from @defs (@n of them, at most OPTS_MAX).  @missing_colon:
 * getopt_long returns ':' rather than '?' for a missing value (the
 * caller words the message).  0 or -E2BIG.
 */
int opts_getopt_init(struct opts_getopt *g, const struct opt_def *defs,
		     size_t n, bool missing_colon);

/*
 * getopt_long() over @g: the index in the table of the next option,
 * OPTS_END after the last, OPTS_UNKNOWN for an unknown option, and
 * OPTS_MISSING for a missing value (only with @missing_colon; without
 * it that is OPTS_UNKNOWN, as getopt_long says '?').  optarg, optind,
 * optopt and opterr are getopt_long's.
 */
#define OPTS_END (-1)
#define OPTS_UNKNOWN (-2)
#define OPTS_MISSING (-3)
int opts_next(const struct opts_getopt *g, int argc, char **argv);

/*
 * The exact spelling of option @d in argv[*i], as a hand-written parser
 * that stops at the first word not an option takes it: "-n" or "--name",
 * with a value as "--name=VALUE" or in the next argument (then *i moves
 * to it).  1 with the value in @val (NULL for a flag), 0 if argv[*i] is
 * not @d, -EINVAL if its value is missing.  No prefixes, no clusters.
 */
int opts_match(const struct opt_def *d, int argc, char **argv, int *i,
	       const char **val);

/* The index in @defs of the option argv[*i] spells (see opts_match), or
 * -ENOENT, or -EINVAL (value missing; @i on the option). */
int opts_find(const struct opt_def *defs, size_t n, int argc, char **argv,
	      int *i, const char **val);

/* True if @arg is one of the options, as "-n", "--name" or "--name=..."
 * (for a hint when it stands where it does not belong). */
bool opts_spelled(const struct opt_def *defs, size_t n, const char *arg);

/*
 * The options' help, one entry a line (more when the help has '\n'):
 * @indent spaces, "-c, --config FILE" (with @align_long, a long-only
 * option is indented as if it had "-x, "), then the help from column
 * @col, or one line down when the left part leaves less than 2 spaces.
 */
struct opts_help_style {
	int indent;
	int col;
	bool align_long;
};

void opts_help(FILE *out, const struct opt_def *defs, size_t n,
	       const struct opts_help_style *style);

#endif
