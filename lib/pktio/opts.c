// SPDX-License-Identifier: BSD-2-Clause
/* Driver options: "key=value" strings checked against the driver's table,
 * every refusal naming the key and the value. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "pktio_internal.h"

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static void list_keys(const struct pktio_opt *tbl, size_t n, char *buf,
		      size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", tbl[i].key);
}

static void list_choices(const char *const *choices, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; choices[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", choices[i]);
}

static int parse_one(const char *who, const struct pktio_opt *o,
		     const char *key, const char *val)
{
	char list[160];
	char *end;
	unsigned long u = 0;
	bool bv;

	switch (o->type) {
	case PKTIO_OPT_STR:
		if (!*val) {
			pktio_drv_err("%s: option %s=: empty value", who, key);
			return -EINVAL;
		}
		*(const char **)o->out = val;
		return 0;
	case PKTIO_OPT_UINT:
		/* decimal, or hex after 0x; not octal: mtu=01500 is 1500 */
		errno = 0;
		if ((val[0] == '0' && (val[1] == 'x' || val[1] == 'X')) &&
		    isxdigit((unsigned char)val[2]))
			u = strtoul(val + 2, &end, 16);
		else if (isdigit((unsigned char)val[0]))
			u = strtoul(val, &end, 10);
		else
			end = (char *)"?"; /* no sign, no space, not empty */
		if (*end || errno || u < o->min || u > o->max) {
			pktio_drv_err(
				"%s: option %s=%s: not a number within %lu..%lu",
				who, key, val, o->min, o->max);
			return -EINVAL;
		}
		*(unsigned long *)o->out = u;
		return 0;
	case PKTIO_OPT_BOOL:
		if (parse_bool(val, &bv)) {
			pktio_drv_err(
				"%s: option %s=%s: not a boolean (0, 1, yes, no, true, false, on, off)",
				who, key, val);
			return -EINVAL;
		}
		*(bool *)o->out = bv;
		return 0;
	case PKTIO_OPT_ENUM:
		for (int i = 0; o->choices[i]; i++) {
			if (!strcmp(o->choices[i], val)) {
				*(int *)o->out = i;
				return 0;
			}
		}
		list_choices(o->choices, list, sizeof(list));
		pktio_drv_err("%s: option %s=%s: not one of %s", who, key, val,
			      list);
		return -EINVAL;
	}
	return -EINVAL;
}

int pktio_drv_parse_opts(const char *driver, const struct pktio_port_cfg *cfg,
			 const struct pktio_opt *tbl, size_t n)
{
	char key[64], list[160], who[160];
	const char *opt, *eq;
	size_t klen, i;
	int err;

	/* every message says which port and which driver */
	snprintf(who, sizeof(who), "port %s: driver %s", cfg->dev, driver);

	for (unsigned int k = 0; k < cfg->n_options; k++) {
		opt = cfg->options[k];
		eq = opt ? strchr(opt, '=') : NULL;
		if (!eq || eq == opt) {
			pktio_drv_err("%s: option \"%s\" is not key=value", who,
				      opt ? opt : "");
			return -EINVAL;
		}
		klen = (size_t)(eq - opt);
		if (klen >= sizeof(key))
			klen = sizeof(key) - 1;
		memcpy(key, opt, klen);
		key[klen] = '\0';
		/* one value per key: a second one would silently win */
		for (unsigned int j = 0; j < k; j++) {
			const char *prev = cfg->options[j];

			if (!strncmp(prev, opt, (size_t)(eq - opt) + 1)) {
				pktio_drv_err("%s: option %s is given twice",
					      who, key);
				return -EINVAL;
			}
		}
		for (i = 0; i < n; i++)
			if (!strcmp(tbl[i].key, key))
				break;
		if (i == n) {
			list_keys(tbl, n, list, sizeof(list));
			pktio_drv_err("%s: unknown option '%s' (%s)", who, key,
				      n ? list : "none");
			return -EINVAL;
		}
		err = parse_one(who, &tbl[i], key, eq + 1);
		if (err)
			return err;
	}
	return 0;
}
