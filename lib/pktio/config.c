// SPDX-License-Identifier: BSD-2-Clause
/*
 * The application config: JSON (json-c) or filled in by the program, then
 * validated.  Every refusal names the field path and the value:
 * `ports[1].driver: "afxdp" is not a driver (af_xdp, ...)`.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include <sluice/pktio/config.h>
#include "pktio_internal.h"

#define CONFIG_FILE_MAX (1u << 20)

struct pktio_config *pktio_config_new(void)
{
	return calloc(1, sizeof(struct pktio_config));
}

void pktio_config_free(struct pktio_config *c)
{
	free(c);
}

struct pktio_config_pool *pktio_config_add_pool(struct pktio_config *c,
						const char *name)
{
	struct pktio_config_pool *p;

	if (c->n_pools == PKTIO_CFG_MAX_POOLS) {
		errno = ENOSPC;
		return NULL;
	}
	p = &c->pools[c->n_pools++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
	p->count = PKTIO_CFG_DEFAULT_POOL_COUNT;
	p->buf_size = PKTIO_BUF_SIZE_DEFAULT;
	p->headroom = PKTIO_HEADROOM_DEFAULT;
	p->cache_size = PKTIO_CACHE_SIZE_DEFAULT;
	return p;
}

struct pktio_config_port *pktio_config_add_port(struct pktio_config *c,
						const char *driver,
						const char *dev)
{
	struct pktio_config_port *p;

	if (c->n_ports == PKTIO_CFG_MAX_PORTS) {
		errno = ENOSPC;
		return NULL;
	}
	p = &c->ports[c->n_ports++];
	memset(p, 0, sizeof(*p));
	snprintf(p->driver, sizeof(p->driver), "%s", driver ? driver : "");
	snprintf(p->dev, sizeof(p->dev), "%s", dev ? dev : "");
	p->queues = 1;
	return p;
}

struct pktio_config_thread *pktio_config_add_thread(struct pktio_config *c,
						    const char *name)
{
	struct pktio_config_thread *t;

	if (c->n_threads == PKTIO_CFG_MAX_THREADS) {
		errno = ENOSPC;
		return NULL;
	}
	t = &c->threads[c->n_threads++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "");
	t->cpu = -1;
	t->burst = 32;
	return t;
}

int pktio_config_port_option(struct pktio_config_port *p, const char *kv)
{
	if (!kv || strlen(kv) >= PKTIO_CFG_OPTION_MAX)
		return -EINVAL;
	if (p->n_options == PKTIO_CFG_MAX_OPTIONS)
		return -ENOSPC;
	snprintf(p->options[p->n_options++], PKTIO_CFG_OPTION_MAX, "%s", kv);
	return 0;
}

/* ---- validation, for JSON and programs alike ---- */

/* strings between fields of one config (snprintf would be told they may
 * overlap); src is NUL-terminated within dst's size */
static void copy_name(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memmove(dst, src, len);
	dst[len] = '\0';
}

static int find_pool(const struct pktio_config *c, const char *name)
{
	for (unsigned int i = 0; i < c->n_pools; i++)
		if (!strcmp(c->pools[i].name, name))
			return (int)i;
	return -1;
}

static int find_port(const struct pktio_config *c, const char *name)
{
	for (unsigned int i = 0; i < c->n_ports; i++)
		if (!strcmp(c->ports[i].name, name))
			return (int)i;
	return -1;
}

static void names_of_pools(const struct pktio_config *c, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < c->n_pools && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", c->pools[i].name);
}

static void names_of_ports(const struct pktio_config *c, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < c->n_ports && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", c->ports[i].name);
}

static int check_pool(struct pktio_config *c, unsigned int i)
{
	struct pktio_config_pool *p = &c->pools[i];

	if (!p->name[0])
		snprintf(p->name, sizeof(p->name), "pool%u", i);
	if (find_pool(c, p->name) != (int)i) {
		pktio_err("pools[%u].name: \"%s\" is used twice", i, p->name);
		return -EINVAL;
	}
	if (p->count < 1 || p->count > (1u << 24)) {
		pktio_err("pools[%u].count: %u is not within 1..%u", i,
			  p->count, 1u << 24);
		return -EINVAL;
	}
	if (p->buf_size < PKTIO_BUF_SIZE_MIN ||
	    p->buf_size > PKTIO_BUF_SIZE_MAX ||
	    (p->buf_size & (p->buf_size - 1))) {
		pktio_err(
			"pools[%u].buf_size: %u is not a power of two within %u..%u",
			i, p->buf_size, PKTIO_BUF_SIZE_MIN, PKTIO_BUF_SIZE_MAX);
		return -EINVAL;
	}
	if (p->headroom >= p->buf_size) {
		pktio_err(
			"pools[%u].headroom: %u leaves no room in buf_size %u",
			i, p->headroom, p->buf_size);
		return -EINVAL;
	}
	if (p->cache_size > PKTIO_CACHE_SIZE_MAX) {
		pktio_err("pools[%u].cache_size: %u is above %u", i,
			  p->cache_size, PKTIO_CACHE_SIZE_MAX);
		return -EINVAL;
	}
	return 0;
}

static int check_port(struct pktio_config *c, unsigned int i)
{
	struct pktio_config_port *p = &c->ports[i];
	char list[160];

	if (!pktio_driver_find(p->driver)) {
		const char *const *names = pktio_driver_names();
		size_t off = 0;

		list[0] = '\0';
		for (size_t k = 0; names[k] && off < sizeof(list); k++)
			off += (size_t)snprintf(list + off, sizeof(list) - off,
						"%s%s", k ? ", " : "",
						names[k]);
		pktio_err("ports[%u].driver: \"%s\" is not a driver (%s)", i,
			  p->driver, list);
		return -EINVAL;
	}
	if (!p->dev[0]) {
		pktio_err("ports[%u].dev: missing", i);
		return -EINVAL;
	}
	if (!p->name[0])
		copy_name(p->name, sizeof(p->name), p->dev);
	if (find_port(c, p->name) != (int)i) {
		pktio_err("ports[%u].name: \"%s\" is used twice", i, p->name);
		return -EINVAL;
	}
	if (p->queues < 1 || p->queues > PKTIO_MAX_QUEUES) {
		pktio_err("ports[%u].queues: %u is not within 1..%d", i,
			  p->queues, PKTIO_MAX_QUEUES);
		return -EINVAL;
	}
	if (!p->pool[0]) {
		if (c->n_pools != 1) {
			names_of_pools(c, list, sizeof(list));
			pktio_err(
				"ports[%u].pool: missing, and there are %u pools (%s)",
				i, c->n_pools, list);
			return -EINVAL;
		}
		copy_name(p->pool, sizeof(p->pool), c->pools[0].name);
	}
	if (find_pool(c, p->pool) < 0) {
		names_of_pools(c, list, sizeof(list));
		pktio_err("ports[%u].pool: \"%s\" is not a pool (%s)", i,
			  p->pool, list);
		return -EINVAL;
	}
	for (unsigned int k = 0; k < p->n_options; k++) {
		const char *o = p->options[k];

		if (!strchr(o, '=') || o[0] == '=') {
			pktio_err("ports[%u].options: \"%s\" is not key=value",
				  i, o);
			return -EINVAL;
		}
	}
	return 0;
}

/* No threads: one thread polling every queue of every port. */
static int default_thread(struct pktio_config *c)
{
	struct pktio_config_thread *t;

	if (c->n_threads || !c->n_ports)
		return 0;
	t = pktio_config_add_thread(c, "worker0");
	for (unsigned int i = 0; i < c->n_ports; i++) {
		for (uint16_t q = 0; q < c->ports[i].queues; q++) {
			if (t->n_queues == PKTIO_WORKER_MAX_QUEUES) {
				pktio_err(
					"threads: missing, and one thread cannot poll more than %d queues",
					PKTIO_WORKER_MAX_QUEUES);
				return -EINVAL;
			}
			copy_name(t->queues[t->n_queues].port,
				  sizeof(t->queues[0].port), c->ports[i].name);
			t->queues[t->n_queues++].queue = q;
		}
	}
	return 0;
}

static int check_thread(struct pktio_config *c, unsigned int i)
{
	struct pktio_config_thread *t = &c->threads[i];
	char list[160];

	if (!t->name[0])
		snprintf(t->name, sizeof(t->name), "worker%u", i);
	for (unsigned int k = 0; k < i; k++) {
		if (!strcmp(c->threads[k].name, t->name)) {
			pktio_err("threads[%u].name: \"%s\" is used twice", i,
				  t->name);
			return -EINVAL;
		}
	}
	if (t->cpu < -1 || t->cpu >= CPU_SETSIZE) {
		pktio_err("threads[%u].cpu: %d is not a CPU number (or -1)", i,
			  t->cpu);
		return -EINVAL;
	}
	if (t->burst < 1 || t->burst > PKTIO_BURST_MAX) {
		pktio_err("threads[%u].burst: %u is not within 1..%d", i,
			  t->burst, PKTIO_BURST_MAX);
		return -EINVAL;
	}
	if (!t->n_queues) {
		pktio_err("threads[%u].ports: empty", i);
		return -EINVAL;
	}
	for (unsigned int k = 0; k < t->n_queues; k++) {
		const struct pktio_config_queue *q = &t->queues[k];
		int p = find_port(c, q->port);

		if (p < 0) {
			names_of_ports(c, list, sizeof(list));
			pktio_err(
				"threads[%u].ports[%u].port: \"%s\" is not a port (%s)",
				i, k, q->port, list);
			return -EINVAL;
		}
		if (q->queue >= c->ports[p].queues) {
			pktio_err(
				"threads[%u].ports[%u].queue: %u is not a queue of port \"%s\" (0..%u)",
				i, k, q->queue, q->port,
				c->ports[p].queues - 1u);
			return -EINVAL;
		}
		/* one thread per queue: rx/tx on it take no lock */
		for (unsigned int j = 0; j <= i; j++) {
			const struct pktio_config_thread *o = &c->threads[j];

			for (unsigned int m = 0; m < (j == i ? k : o->n_queues);
			     m++) {
				if (!strcmp(o->queues[m].port, q->port) &&
				    o->queues[m].queue == q->queue) {
					pktio_err(
						"threads[%u].ports[%u]: port \"%s\" queue %u is polled by threads[%u] already",
						i, k, q->port, q->queue, j);
					return -EINVAL;
				}
			}
		}
	}
	return 0;
}

int pktio_config_validate(struct pktio_config *c)
{
	int err;

	if (!c->n_pools && !pktio_config_add_pool(c, "default"))
		return -ENOSPC;
	for (unsigned int i = 0; i < c->n_pools; i++) {
		err = check_pool(c, i);
		if (err)
			return err;
	}
	for (unsigned int i = 0; i < c->n_ports; i++) {
		err = check_port(c, i);
		if (err)
			return err;
	}
	err = default_thread(c);
	if (err)
		return err;
	for (unsigned int i = 0; i < c->n_threads; i++) {
		err = check_thread(c, i);
		if (err)
			return err;
	}
	return 0;
}

/* ---- JSON ---- */

static const char *jstr(struct json_object *v)
{
	return json_object_to_json_string_ext(
		v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Refuses keys of obj not in allowed (NULL-terminated). */
static int check_keys(struct json_object *obj, const char *path,
		      const char *const *allowed)
{
	json_object_object_foreach(obj, key, val) {
		size_t k;
		char list[160];
		size_t off = 0;

		(void)val;
		for (k = 0; allowed[k]; k++)
			if (!strcmp(allowed[k], key))
				break;
		if (allowed[k])
			continue;
		list[0] = '\0';
		for (k = 0; allowed[k] && off < sizeof(list); k++)
			off += (size_t)snprintf(list + off, sizeof(list) - off,
						"%s%s", k ? ", " : "",
						allowed[k]);
		pktio_err("%s%s%s: unknown key (%s)", path, *path ? "." : "",
			  key, list);
		return -EINVAL;
	}
	return 0;
}

static int get_str(struct json_object *obj, const char *path, const char *key,
		   char *out, size_t size)
{
	struct json_object *v;
	size_t len;

	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	len = json_object_is_type(v, json_type_string) ?
		      (size_t)json_object_get_string_len(v) :
		      0;
	if (!len || len >= size) {
		pktio_err("%s.%s: %s is not a string of 1..%zu characters",
			  path, key, jstr(v), size - 1);
		return -EINVAL;
	}
	memcpy(out, json_object_get_string(v), len + 1);
	return 0;
}

static int get_int(struct json_object *obj, const char *path, const char *key,
		   int64_t min, int64_t max, int64_t *out)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int)) {
		pktio_err("%s.%s: %s is not an integer", path, key, jstr(v));
		return -EINVAL;
	}
	n = json_object_get_int64(v);
	if (n < min || n > max) {
		pktio_err("%s.%s: %s is not within %lld..%lld", path, key,
			  jstr(v), (long long)min, (long long)max);
		return -EINVAL;
	}
	*out = n;
	return 0;
}

static int get_u32(struct json_object *obj, const char *path, const char *key,
		   uint32_t max, uint32_t *out)
{
	int64_t n = *out;
	int err = get_int(obj, path, key, 0, max, &n);

	*out = (uint32_t)n;
	return err;
}

/* The array at key (absent: NULL and 0), or -EINVAL. */
static int get_array(struct json_object *obj, const char *path, const char *key,
		     size_t max, struct json_object **out)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_array)) {
		pktio_err("%s%s%s: %s is not an array", path, *path ? "." : "",
			  key, jstr(v));
		return -EINVAL;
	}
	if (json_object_array_length(v) > max) {
		pktio_err("%s%s%s: %zu entries, at most %zu", path,
			  *path ? "." : "", key, json_object_array_length(v),
			  max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int need_object(struct json_object *v, const char *path)
{
	if (json_object_is_type(v, json_type_object))
		return 0;
	pktio_err("%s: %s is not an object", path, jstr(v));
	return -EINVAL;
}

static int parse_pool(struct pktio_config *c, struct json_object *o,
		      unsigned int i)
{
	static const char *const keys[] = { "name",	  "count",
					    "buf_size",	  "headroom",
					    "cache_size", NULL };
	struct pktio_config_pool *p = pktio_config_add_pool(c, NULL);
	char path[32];
	int err;

	snprintf(path, sizeof(path), "pools[%u]", i);
	err = need_object(o, path);
	if (!err)
		err = check_keys(o, path, keys);
	if (!err)
		err = get_str(o, path, "name", p->name, sizeof(p->name));
	if (!err)
		err = get_u32(o, path, "count", UINT32_MAX, &p->count);
	if (!err)
		err = get_u32(o, path, "buf_size", UINT32_MAX, &p->buf_size);
	if (!err)
		err = get_u32(o, path, "headroom", UINT32_MAX, &p->headroom);
	if (!err)
		err = get_u32(o, path, "cache_size", UINT32_MAX,
			      &p->cache_size);
	return err;
}

static int parse_options(struct pktio_config_port *p, struct json_object *o,
			 const char *path)
{
	char kv[PKTIO_CFG_OPTION_MAX];
	int n;

	if (!json_object_is_type(o, json_type_object)) {
		pktio_err("%s.options: %s is not an object", path, jstr(o));
		return -EINVAL;
	}
	json_object_object_foreach(o, key, val) {
		if (!*key) {
			pktio_err("%s.options: \"\" is not a key", path);
			return -EINVAL;
		}
		/* the driver splits key=value at the first '=' */
		if (strchr(key, '=')) {
			pktio_err("%s.options.%s: a key has no '='", path, key);
			return -EINVAL;
		}
		switch (json_object_get_type(val)) {
		case json_type_string:
			n = snprintf(kv, sizeof(kv), "%s=%s", key,
				     json_object_get_string(val));
			break;
		case json_type_int:
		case json_type_boolean:
			n = snprintf(kv, sizeof(kv), "%s=%s", key, jstr(val));
			break;
		default:
			pktio_err(
				"%s.options.%s: %s is not a string, integer or boolean",
				path, key, jstr(val));
			return -EINVAL;
		}
		if (n < 0 || (size_t)n >= sizeof(kv)) {
			pktio_err(
				"%s.options.%s: %s is too long (key=value within %d characters)",
				path, key, jstr(val), PKTIO_CFG_OPTION_MAX - 1);
			return -EINVAL;
		}
		if (p->n_options == PKTIO_CFG_MAX_OPTIONS) {
			pktio_err("%s.options: more than %d", path,
				  PKTIO_CFG_MAX_OPTIONS);
			return -EINVAL;
		}
		pktio_config_port_option(p, kv);
	}
	return 0;
}

static int parse_port(struct pktio_config *c, struct json_object *o,
		      unsigned int i)
{
	static const char *const keys[] = { "name", "driver",  "dev", "queues",
					    "pool", "options", NULL };
	struct pktio_config_port *p = pktio_config_add_port(c, NULL, NULL);
	struct json_object *opts;
	uint32_t queues = 1;
	char path[32];
	int err;

	snprintf(path, sizeof(path), "ports[%u]", i);
	err = need_object(o, path);
	if (!err)
		err = check_keys(o, path, keys);
	if (!err && !json_object_object_get_ex(o, "driver", NULL)) {
		pktio_err("%s.driver: missing", path);
		err = -EINVAL;
	}
	if (!err)
		err = get_str(o, path, "name", p->name, sizeof(p->name));
	if (!err)
		err = get_str(o, path, "driver", p->driver, sizeof(p->driver));
	if (!err)
		err = get_str(o, path, "dev", p->dev, sizeof(p->dev));
	if (!err)
		err = get_u32(o, path, "queues", UINT16_MAX, &queues);
	p->queues = (uint16_t)queues;
	if (!err)
		err = get_str(o, path, "pool", p->pool, sizeof(p->pool));
	if (!err && json_object_object_get_ex(o, "options", &opts))
		err = parse_options(p, opts, path);
	return err;
}

static int parse_thread_queue(struct pktio_config_thread *t,
			      struct json_object *o, const char *tpath,
			      unsigned int k)
{
	static const char *const keys[] = { "port", "queue", NULL };
	struct pktio_config_queue *q = &t->queues[t->n_queues++];
	uint32_t queue = 0;
	char path[64];
	int err;

	snprintf(path, sizeof(path), "%s.ports[%u]", tpath, k);
	err = need_object(o, path);
	if (!err)
		err = check_keys(o, path, keys);
	if (!err && !json_object_object_get_ex(o, "port", NULL)) {
		pktio_err("%s.port: missing", path);
		err = -EINVAL;
	}
	if (!err)
		err = get_str(o, path, "port", q->port, sizeof(q->port));
	if (!err)
		err = get_u32(o, path, "queue", UINT16_MAX, &queue);
	q->queue = (uint16_t)queue;
	return err;
}

static int parse_thread(struct pktio_config *c, struct json_object *o,
			unsigned int i)
{
	static const char *const keys[] = { "name",  "cpu",	      "burst",
					    "ports", "idle_sleep_us", NULL };
	struct pktio_config_thread *t = pktio_config_add_thread(c, NULL);
	struct json_object *queues;
	int64_t cpu = -1;
	uint32_t burst = t->burst;
	char path[32];
	int err;

	snprintf(path, sizeof(path), "threads[%u]", i);
	err = need_object(o, path);
	if (!err)
		err = check_keys(o, path, keys);
	if (!err)
		err = get_str(o, path, "name", t->name, sizeof(t->name));
	if (!err)
		err = get_int(o, path, "cpu", -1, CPU_SETSIZE - 1, &cpu);
	t->cpu = (int)cpu;
	if (!err)
		err = get_u32(o, path, "burst", UINT16_MAX, &burst);
	t->burst = (uint16_t)burst;
	if (!err)
		err = get_u32(o, path, "idle_sleep_us", 10000000,
			      &t->idle_sleep_us);
	if (!err)
		err = get_array(o, path, "ports", PKTIO_WORKER_MAX_QUEUES,
				&queues);
	if (!err && !queues) {
		pktio_err("%s.ports: missing", path);
		err = -EINVAL;
	}
	for (size_t k = 0; !err && k < json_object_array_length(queues); k++)
		err = parse_thread_queue(t,
					 json_object_array_get_idx(queues, k),
					 path, (unsigned int)k);
	return err;
}

static int parse_root(struct pktio_config *c, struct json_object *root)
{
	static const char *const keys[] = { "pools", "ports", "threads", NULL };
	struct json_object *a;
	int err;

	if (!json_object_is_type(root, json_type_object)) {
		pktio_err("config: %s is not an object", jstr(root));
		return -EINVAL;
	}
	err = check_keys(root, "", keys);
	if (!err)
		err = get_array(root, "", "pools", PKTIO_CFG_MAX_POOLS, &a);
	for (size_t i = 0; !err && a && i < json_object_array_length(a); i++)
		err = parse_pool(c, json_object_array_get_idx(a, i),
				 (unsigned int)i);
	if (!err)
		err = get_array(root, "", "ports", PKTIO_CFG_MAX_PORTS, &a);
	for (size_t i = 0; !err && a && i < json_object_array_length(a); i++)
		err = parse_port(c, json_object_array_get_idx(a, i),
				 (unsigned int)i);
	if (!err)
		err = get_array(root, "", "threads", PKTIO_CFG_MAX_THREADS, &a);
	for (size_t i = 0; !err && a && i < json_object_array_length(a); i++)
		err = parse_thread(c, json_object_array_get_idx(a, i),
				   (unsigned int)i);
	return err;
}

static void text_position(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int pktio_config_parse(const char *text, struct pktio_config **out)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	struct pktio_config *c;
	size_t len = strlen(text), end;
	int err, line, col;

	*out = NULL;
	if (len > CONFIG_FILE_MAX) {
		pktio_err("config: %zu bytes, at most %u", len,
			  CONFIG_FILE_MAX);
		return -EINVAL;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (root && jerr == json_tokener_success && end < len &&
	       strchr(" \t\r\n", text[end]))
		end++;
	if (!root || jerr != json_tokener_success || end != len) {
		json_object_put(root);
		text_position(text, end, &line, &col);
		pktio_err("config: invalid JSON at line %d column %d: %s", line,
			  col,
			  jerr == json_tokener_continue ?
				  "unexpected end of input" :
			  jerr != json_tokener_success ?
				  json_tokener_error_desc(jerr) :
				  "unexpected data after the document");
		return -EINVAL;
	}
	c = pktio_config_new();
	if (!c) {
		json_object_put(root);
		return -ENOMEM;
	}
	err = parse_root(c, root);
	json_object_put(root);
	if (!err)
		err = pktio_config_validate(c);
	if (err) {
		pktio_config_free(c);
		return err;
	}
	*out = c;
	return 0;
}

int pktio_config_load(const char *path, struct pktio_config **out)
{
	char *text;
	ssize_t n;
	size_t len = 0;
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pktio_err("config %s: %s", path, strerror(errno));
		return err;
	}
	text = malloc(CONFIG_FILE_MAX + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while (len <= CONFIG_FILE_MAX &&
	       (n = read(fd, text + len, CONFIG_FILE_MAX + 1 - len)) > 0)
		len += (size_t)n;
	err = n < 0 ? -errno : 0;
	close(fd);
	if (!err && len > CONFIG_FILE_MAX) {
		pktio_err("config %s: larger than %u bytes", path,
			  CONFIG_FILE_MAX);
		err = -EFBIG;
	}
	if (!err && memchr(text, '\0', len)) {
		pktio_err("config %s: a NUL byte in the file", path);
		err = -EINVAL;
	}
	if (!err) {
		text[len] = '\0';
		err = pktio_config_parse(text, out);
	}
	free(text);
	return err;
}
