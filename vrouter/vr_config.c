// SPDX-License-Identifier: BSD-2-Clause
/* sluice-vrouter's config: JSON file, command line over it, checks. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <endpoint.h>
#include "vr_config.h"

#define CONFIG_FILE_MAX (1u << 20)

static const char *const steer_names[] = {
	[VR_STEER_AUTO] = "auto",
	[VR_STEER_REQUIRED] = "required",
	[VR_STEER_OFF] = "off",
};

const char *vr_steer_name(enum vr_steer s)
{
	return s <= VR_STEER_OFF ? steer_names[s] : "?";
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t len,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *jstr(struct json_object *o)
{
	return json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* ---- one value, from JSON or from a flag ---- */

static int str_value(const char *field, const char *v, char *dst, size_t len,
		     char *err, size_t errlen)
{
	size_t n = strlen(v);

	if (!n || n >= len)
		return fail(err, errlen,
			    "%s: \"%s\" is not a string of 1..%zu characters",
			    field, v, len - 1);
	memcpy(dst, v, n + 1);
	return 0;
}

static int uint_value(const char *field, const char *v, unsigned int min,
		      unsigned int max, unsigned int *dst, char *err,
		      size_t errlen)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(v, &end, 10);
	if (!*v || *end || errno || *v == '-' || x < min || x > max)
		return fail(err, errlen,
			    "%s: \"%s\" is not an integer within %u..%u", field,
			    v, min, max);
	*dst = (unsigned int)x;
	return 0;
}

static int steer_value(const char *field, const char *v, enum vr_steer *dst,
		       char *err, size_t errlen)
{
	for (unsigned int i = 0; i <= VR_STEER_OFF; i++) {
		if (!strcmp(v, steer_names[i])) {
			*dst = (enum vr_steer)i;
			return 0;
		}
	}
	return fail(err, errlen, "%s: \"%s\" is not auto, required or off",
		    field, v);
}

static int api_value(const char *field, const char *v, char *dst, size_t len,
		     char *err, size_t errlen)
{
	struct endpoint ep;
	char why[160];

	if (endpoint_parse(v, &ep, why, sizeof(why)))
		return fail(err, errlen, "%s: \"%s\": %s", field, v, why);
	return str_value(field, v, dst, len, err, errlen);
}

/* A JSON member as a string (a string's own text, a number's digits). */
static int json_scalar(struct json_object *root, const char *key, bool numeric,
		       const char **out, char *err, size_t errlen)
{
	struct json_object *o;

	*out = NULL;
	if (!json_object_object_get_ex(root, key, &o))
		return 0;
	if (numeric ? !json_object_is_type(o, json_type_int) ||
			      json_object_get_int64(o) < 0 :
		      !json_object_is_type(o, json_type_string))
		return fail(err, errlen, "%s: %s is not %s", key, jstr(o),
			    numeric ? "a non-negative integer" : "a string");
	*out = json_object_get_string(o);
	return 0;
}

/* ---- the JSON file ---- */

static const char *const root_keys[] = {
	"ports",	  "pools",	   "threads", "pin_dir",  "punt_tap",
	"stats_file",	  "steer",	   "api",     "fib_wait", "burst",
	"stats_interval", "idle_sleep_us", NULL,
};

static int check_keys(struct json_object *root, char *err, size_t errlen)
{
	json_object_object_foreach(root, key, val) {
		bool known = false;
		char list[256] = "";
		size_t n = 0;

		(void)val;
		for (unsigned int i = 0; root_keys[i]; i++) {
			known |= !strcmp(key, root_keys[i]);
			n += (size_t)snprintf(list + n, sizeof(list) - n,
					      "%s%s", i ? ", " : "",
					      root_keys[i]);
		}
		if (!known)
			return fail(err, errlen, "%s: unknown key (%s)", key,
				    list);
	}
	return 0;
}

/* Ports and pools go through libpktio's own parser: same paths, same
 * messages (ports[1].driver: ...). */
static int parse_pktio(struct json_object *root, struct vr_config *c,
		       bool queues_given[], char *err, size_t errlen)
{
	struct json_object *sub, *a;
	int rc;

	sub = json_object_new_object();
	if (!sub)
		return -ENOMEM;
	if (json_object_object_get_ex(root, "pools", &a))
		json_object_object_add(sub, "pools", json_object_get(a));
	if (json_object_object_get_ex(root, "ports", &a)) {
		json_object_object_add(sub, "ports", json_object_get(a));
		for (size_t i = 0;
		     json_object_is_type(a, json_type_array) &&
		     i < json_object_array_length(a) && i < VR_PORTS_MAX;
		     i++) {
			struct json_object *p = json_object_array_get_idx(a, i);

			queues_given[i] =
				json_object_is_type(p, json_type_object) &&
				json_object_object_get_ex(p, "queues", NULL);
		}
	}
	rc = pktio_config_parse(jstr(sub), &c->pk);
	json_object_put(sub);
	if (rc)
		return fail(err, errlen, "%s", pktio_last_error());
	/* libpktio's default pool is 4096 buffers: the router's ports share
	 * it (each af_xdp port keeps up to half of it in its fill ring) */
	if (!json_object_object_get_ex(root, "pools", NULL) &&
	    c->pk->n_pools == 1)
		c->pk->pools[0].count = VR_DEFAULT_POOL_COUNT;
	return 0;
}

static int parse_root(struct json_object *root, struct vr_config *c,
		      struct vr_cli *file, bool queues_given[], char *err,
		      size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
		bool numeric;
	} scalars[] = {
		{ "threads", offsetof(struct vr_cli, threads), true },
		{ "pin_dir", offsetof(struct vr_cli, pin_dir), false },
		{ "punt_tap", offsetof(struct vr_cli, punt_tap), false },
		{ "stats_file", offsetof(struct vr_cli, stats_file), false },
		{ "stats_interval", offsetof(struct vr_cli, stats_interval),
		  true },
		{ "steer", offsetof(struct vr_cli, steer), false },
		{ "api", offsetof(struct vr_cli, api), false },
		{ "fib_wait", offsetof(struct vr_cli, fib_wait), true },
		{ "idle_sleep_us", offsetof(struct vr_cli, idle_sleep), true },
	};
	const char *burst;
	int rc;

	if (!json_object_is_type(root, json_type_object))
		return fail(err, errlen, "config: %s is not an object",
			    jstr(root));
	rc = check_keys(root, err, errlen);
	for (size_t i = 0; !rc && i < sizeof(scalars) / sizeof(scalars[0]); i++)
		rc = json_scalar(root, scalars[i].key, scalars[i].numeric,
				 (const char **)((char *)file + scalars[i].off),
				 err, errlen);
	if (!rc)
		rc = json_scalar(root, "burst", true, &burst, err, errlen);
	if (!rc && burst)
		rc = uint_value("burst", burst, 1, PKTIO_BURST_MAX, &c->burst,
				err, errlen);
	if (!rc)
		rc = parse_pktio(root, c, queues_given, err, errlen);
	return rc;
}

/* ---- the values, file then command line ---- */

struct source {
	const char *field; /* how a refusal names it */
	const char *value;
};

/* The command line's value when given, else the file's. */
static struct source pick(const char *flag, const char *cli_v, const char *key,
			  const char *file_v)
{
	if (cli_v)
		return (struct source){ flag, cli_v };
	return (struct source){ key, file_v };
}

static int apply_scalars(const struct vr_cli *cli, const struct vr_cli *file,
			 struct vr_config *c, char *err, size_t errlen)
{
	struct source s;
	int rc = 0;

	s = pick("--threads", cli->threads, "threads", file->threads);
	if (s.value)
		rc = uint_value(s.field, s.value, 1, VR_THREADS_MAX,
				&c->threads, err, errlen);
	s = pick("--pin-dir", cli->pin_dir, "pin_dir", file->pin_dir);
	if (!rc && s.value)
		rc = str_value(s.field, s.value, c->pin_dir, sizeof(c->pin_dir),
			       err, errlen);
	s = pick("--punt-tap", cli->punt_tap, "punt_tap", file->punt_tap);
	if (!rc && s.value)
		rc = str_value(s.field, s.value, c->punt_tap,
			       sizeof(c->punt_tap), err, errlen);
	if (!rc && (strchr(c->punt_tap, '/') || strchr(c->punt_tap, ' ')))
		rc = fail(err, errlen, "%s: \"%s\" is not an interface name",
			  s.field, c->punt_tap);
	s = pick("--stats-file", cli->stats_file, "stats_file",
		 file->stats_file);
	if (!rc && s.value)
		rc = str_value(s.field, s.value, c->stats_file,
			       sizeof(c->stats_file), err, errlen);
	s = pick("--stats-interval", cli->stats_interval, "stats_interval",
		 file->stats_interval);
	if (!rc && s.value)
		rc = uint_value(s.field, s.value, 1, 3600, &c->stats_interval,
				err, errlen);
	s = pick("--steer", cli->steer, "steer", file->steer);
	if (!rc && s.value)
		rc = steer_value(s.field, s.value, &c->steer, err, errlen);
	s = pick("--api", cli->api, "api", file->api);
	if (!rc && s.value)
		rc = api_value(s.field, s.value, c->api, sizeof(c->api), err,
			       errlen);
	s = pick("--fib-wait", cli->fib_wait, "fib_wait", file->fib_wait);
	if (!rc && s.value)
		rc = uint_value(s.field, s.value, 0, 600, &c->fib_wait, err,
				errlen);
	s = pick("--idle-sleep", cli->idle_sleep, "idle_sleep_us",
		 file->idle_sleep);
	if (!rc && s.value)
		rc = uint_value(s.field, s.value, 0, 10000000,
				&c->idle_sleep_us, err, errlen);
	return rc;
}

/* --port IF, repeated: af_xdp ports that replace the file's. */
static int apply_cli_ports(const struct vr_cli *cli, struct vr_config *c,
			   bool queues_given[], char *err, size_t errlen)
{
	struct pktio_config *pk;

	if (!cli->n_ports)
		return 0;
	pk = pktio_config_new();
	if (!pk)
		return -ENOMEM;
	/* the file's pools stay */
	if (c->pk) {
		memcpy(pk->pools, c->pk->pools, sizeof(pk->pools));
		pk->n_pools = c->pk->n_pools;
		pktio_config_free(c->pk);
	}
	c->pk = pk;
	for (unsigned int i = 0; i < cli->n_ports; i++) {
		const char *dev = cli->ports[i];

		if (!*dev || strlen(dev) >= VR_TAP_NAME_MAX || strchr(dev, '/'))
			return fail(err, errlen,
				    "--port: \"%s\" is not an interface name",
				    dev);
		if (!pktio_config_add_port(pk, "af_xdp", dev))
			return fail(err, errlen,
				    "--port: \"%s\": more than %d ports", dev,
				    PKTIO_CFG_MAX_PORTS);
		queues_given[i] = false;
	}
	return 0;
}

static bool has_option(const struct pktio_config_port *p, const char *key)
{
	size_t n = strlen(key);

	for (unsigned int i = 0; i < p->n_options; i++)
		if (!strncmp(p->options[i], key, n) && p->options[i][n] == '=')
			return true;
	return false;
}

/* The router's rules over the ports, then the threads and the TAP. */
static int finish(struct vr_config *c, const bool queues_given[], char *err,
		  size_t errlen)
{
	struct pktio_config *pk = c->pk;
	struct pktio_config_port *tap;
	char kv[PKTIO_CFG_OPTION_MAX];

	if (!pk || !pk->n_ports)
		return fail(err, errlen,
			    "ports: missing: give --port IF or \"ports\" in "
			    "the config");
	if (pk->n_ports > VR_PORTS_MAX)
		return fail(err, errlen, "ports: %u ports, at most %d",
			    pk->n_ports, VR_PORTS_MAX);
	if (!pk->n_pools) {
		struct pktio_config_pool *pool =
			pktio_config_add_pool(pk, "vrouter");

		if (!pool)
			return -ENOMEM;
		pool->count = VR_DEFAULT_POOL_COUNT;
	}
	c->n_data_ports = pk->n_ports;
	for (unsigned int i = 0; i < pk->n_ports; i++) {
		struct pktio_config_port *p = &pk->ports[i];

		if (queues_given[i] && p->queues != c->threads)
			return fail(err, errlen,
				    "ports[%u].queues: %u is not threads (%u): "
				    "thread i polls and sends on queue i of "
				    "every port",
				    i, p->queues, c->threads);
		p->queues = (uint16_t)c->threads;
		if (!strcmp(p->driver, "tap") || !strcmp(p->driver, "tun"))
			return fail(err, errlen,
				    "ports[%u].driver: \"%s\": the graph "
				    "routes between Ethernet ports, not into "
				    "a tap or tun",
				    i, p->driver);
		if (!strcmp(p->dev, c->punt_tap) ||
		    !strcmp(p->name, c->punt_tap))
			return fail(err, errlen,
				    "ports[%u].dev: \"%s\" is the punt TAP's "
				    "name",
				    i, p->dev);
		if (!strcmp(p->driver, "af_xdp") && !has_option(p, "pin_dir")) {
			size_t n = strlen(c->pin_dir);

			/* a port option holds it: key=value in 127 bytes */
			if (n + 9 > sizeof(kv))
				return fail(err, errlen,
					    "pin_dir: \"%s\" is longer than "
					    "%zu characters (an af_xdp port "
					    "option)",
					    c->pin_dir, sizeof(kv) - 9);
			memcpy(kv, "pin_dir=", 8);
			memcpy(kv + 8, c->pin_dir, n + 1);
			if (pktio_config_port_option(p, kv))
				return fail(err, errlen,
					    "ports[%u].options: no room for "
					    "%s",
					    i, kv);
		}
	}
	tap = pktio_config_add_port(pk, "tap", c->punt_tap);
	if (!tap)
		return fail(err, errlen,
			    "ports: %u ports and the punt TAP are more than "
			    "%d",
			    c->n_data_ports, PKTIO_CFG_MAX_PORTS);
	tap->queues = (uint16_t)c->threads;
	/* thread i: queue i of every data port, never the TAP */
	pk->n_threads = 0;
	for (unsigned int t = 0; t < c->threads; t++) {
		struct pktio_config_thread *th;
		char name[PKTIO_NAME_MAX];

		snprintf(name, sizeof(name), "vr%u", t);
		th = pktio_config_add_thread(pk, name);
		if (!th)
			return -ENOMEM;
		th->burst = (uint16_t)c->burst;
		th->idle_sleep_us = c->idle_sleep_us;
		for (unsigned int i = 0; i < c->n_data_ports; i++) {
			struct pktio_config_queue *q =
				&th->queues[th->n_queues++];

			snprintf(q->port, sizeof(q->port), "%s",
				 pk->ports[i].name[0] ? pk->ports[i].name :
							pk->ports[i].dev);
			q->queue = (uint16_t)t;
		}
	}
	if (pktio_config_validate(pk))
		return fail(err, errlen, "%s", pktio_last_error());
	return 0;
}

static struct vr_config *config_new(void)
{
	struct vr_config *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->threads = 1;
	snprintf(c->pin_dir, sizeof(c->pin_dir), "%s", VR_DEFAULT_PIN_DIR);
	snprintf(c->punt_tap, sizeof(c->punt_tap), "%s", VR_DEFAULT_PUNT_TAP);
	c->stats_interval = 1;
	c->steer = VR_STEER_AUTO;
	snprintf(c->api, sizeof(c->api), "%s", SLUICE_DEFAULT_API);
	c->fib_wait = 10;
	c->burst = 32;
	return c;
}

/*
 * The file's strings point into its JSON document, so the values are
 * applied while it is alive: one function from text to config.
 */
static int build(const char *text, const struct vr_cli *cli,
		 struct vr_config **out, char *err, size_t errlen)
{
	bool queues_given[PKTIO_CFG_MAX_PORTS] = { false };
	struct vr_cli file = { 0 };
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL;
	struct vr_config *c;
	int rc = 0;

	*out = NULL;
	c = config_new();
	if (!c)
		return -ENOMEM;
	if (text) {
		enum json_tokener_error jerr;
		size_t len = strlen(text);

		if (len > CONFIG_FILE_MAX) {
			rc = fail(err, errlen, "config: %zu bytes, at most %u",
				  len, CONFIG_FILE_MAX);
			goto out;
		}
		tok = json_tokener_new();
		if (!tok) {
			rc = -ENOMEM;
			goto out;
		}
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		root = json_tokener_parse_ex(tok, text, (int)len);
		jerr = json_tokener_get_error(tok);
		if (!root || jerr != json_tokener_success ||
		    json_tokener_get_parse_end(tok) != len) {
			rc = fail(err, errlen, "config: invalid JSON: %s",
				  jerr == json_tokener_continue ?
					  "unexpected end of input" :
				  jerr != json_tokener_success ?
					  json_tokener_error_desc(jerr) :
					  "text after the document");
			goto out;
		}
		rc = parse_root(root, c, &file, queues_given, err, errlen);
		if (rc)
			goto out;
	}
	rc = apply_scalars(cli, &file, c, err, errlen);
	if (!rc)
		rc = apply_cli_ports(cli, c, queues_given, err, errlen);
	if (!rc)
		rc = finish(c, queues_given, err, errlen);
out:
	if (tok)
		json_tokener_free(tok);
	json_object_put(root);
	if (rc) {
		vr_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int vr_config_parse(const char *text, const struct vr_cli *cli,
		    struct vr_config **out, char *err, size_t errlen)
{
	return build(text, cli, out, err, errlen);
}

int vr_config_build(const struct vr_cli *cli, struct vr_config **out, char *err,
		    size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	*out = NULL;
	if (!cli->config)
		return build(NULL, cli, out, err, errlen);
	f = fopen(cli->config, "r");
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "--config: %s: %s", cli->config,
			 strerror(-rc));
		return rc;
	}
	text = malloc(CONFIG_FILE_MAX + 1);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	len = fread(text, 1, CONFIG_FILE_MAX + 1, f);
	rc = ferror(f) ? -EIO : 0;
	fclose(f);
	if (!rc && len > CONFIG_FILE_MAX)
		rc = fail(err, errlen, "--config: %s: more than %u bytes",
			  cli->config, CONFIG_FILE_MAX);
	else if (rc)
		snprintf(err, errlen, "--config: %s: read error", cli->config);
	if (!rc) {
		text[len] = '\0';
		rc = build(text, cli, out, err, errlen);
	}
	free(text);
	return rc;
}

void vr_config_free(struct vr_config *c)
{
	if (!c)
		return;
	pktio_config_free(c->pk);
	free(c);
}
