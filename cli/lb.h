/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What sluicectl's load-balancer nouns share (docs/lb-api.md): vip and
 * backend take a verb, options that go with some verbs only, and a VIP id;
 * lb.c parses that shape, each noun checks what it means.
 */
#ifndef SLUICECTL_LB_H
#define SLUICECTL_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "cli.h"

enum lb_verb { LB_SHOW, LB_ADD, LB_DEL, LB_SET, LB_DRAIN, LB_HELP };

/* "show", "add", ... by enum lb_verb */
extern const char *const lb_verb_names[];

/* The options of vip and backend, by what they set. */
enum lb_opt {
	O_ENCAP,
	O_HASH,
	O_RING,
	O_HEALTH,
	O_HPATH,
	O_HPORT,
	O_INTERVAL,
	O_TIMEOUT,
	O_RISE,
	O_FALL,
	O_WEIGHT,
	O_STATE,
	O_MODE,	  /* vip add --mode dsr|fullnat */
	O_BEPORT, /* vip add --backend-port N */
	O_SECOND, /* vip add --second-chance S */
	O_MAX
};

/* The noun's usage text describes them: it groups options on a line. */
struct lb_option {
	struct opt_def def; /* each takes a value */
	unsigned int verbs; /* bit per enum lb_verb it goes with */
};

#define LB_MAX_POS 2

struct lb_args {
	const char *noun;
	enum lb_verb verb;
	const char *opt[O_MAX]; /* value as given, or NULL */
	const char *pos[LB_MAX_POS];
	int npos;
};

/* The verb (explicit, or show when the first argument is an id), then
 * the options (@opts, by enum lb_opt; -j anywhere) and up to @max_pos
 * positional arguments, checked only for their shape.  0 (q->help set
 * for help), or -EINVAL with the message in @err. */
int lb_parse(const char *noun, const struct cli_name *verbs,
	     const struct lb_option *opts, int max_pos, int argc, char **argv,
	     struct lb_args *la, struct cli_query *q, char *err, size_t errlen);

/* The VIP at la->pos[0] (a vip_id too when @numeric) into @v, its
 * canonical id percent-encoded into @enc.  0 or -EINVAL. */
int lb_vip(const struct lb_args *la, bool numeric, struct cli_vip *v, char *enc,
	   size_t enclen, char *err, size_t errlen);

/* Option @o's value is one of @choices (NULL-terminated) / a number in
 * @min..@max; else -EINVAL and "NOUN: --OPT 'V': expected @expected". */
int lb_opt_choice(const struct lb_args *la, enum lb_opt o,
		  const struct lb_option *opts, const char *const *choices,
		  const char *expected, char *err, size_t errlen);
int lb_opt_num(const struct lb_args *la, enum lb_opt o,
	       const struct lb_option *opts, uint32_t min, uint32_t max,
	       const char *expected, uint32_t *val, char *err, size_t errlen);

/* printf into q->path.  0 or -ENOSPC. */
__attribute__((format(printf, 2, 3))) int lb_set_path(struct cli_query *q,
						      const char *fmt, ...);

/* Request body fields. */
void lb_add_string(json_object *o, const char *key, const char *val);
void lb_add_u32(json_object *o, const char *key, uint32_t val);

#endif
