// SPDX-License-Identifier: BSD-2-Clause
/*
 * The node's drain state (node.h).  Only the routes move: the maps, the
 * flows and the XDP programs stay as they are, so flows that still arrive
 * (the upstream takes a moment to reroute, and established connections
 * keep their path until then) are forwarded as before.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "json_out.h"
#include "lb_announce.h"
#include "log.h"
#include "loop.h"
#include "node.h"

struct node {
	struct announce *an;
	struct loop *loop;
	uint32_t sigterm_grace_s;
	bool draining;
	bool exiting; /* SIGTERM's grace runs: the loop stops at its end */
	uint32_t grace_s;
	uint64_t since_ms;
	struct loop_src *exit_timer;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int grace_value(struct json_object *v, const char *field, uint32_t *out,
		       char *err, size_t errlen)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int)) {
		snprintf(err, errlen,
			 "%s: '%s' is not an integer (seconds, 0..%u)", field,
			 json_object_get_string(v), NODE_GRACE_MAX);
		return -EINVAL;
	}
	x = json_object_get_int64(v);
	if (x < 0 || x > NODE_GRACE_MAX) {
		snprintf(err, errlen, "%s: %lld is out of range 0..%u", field,
			 (long long)x, NODE_GRACE_MAX);
		return -EINVAL;
	}
	*out = (uint32_t)x;
	return 0;
}

int node_conf_parse(uint32_t *sigterm_grace_s, struct json_object *o, char *err,
		    size_t errlen)
{
	uint32_t g = *sigterm_grace_s;

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "node: expected an object");
		return -EINVAL;
	}
	json_object_object_foreach(o, key, v) {
		int rc;

		if (strcmp(key, "sigterm_grace_s")) {
			snprintf(err, errlen,
				 "unknown field 'node.%s' (known: "
				 "sigterm_grace_s)",
				 key);
			return -EINVAL;
		}
		rc = grace_value(v, "node.sigterm_grace_s", &g, err, errlen);
		if (rc)
			return rc;
	}
	*sigterm_grace_s = g;
	return 0;
}

int node_drain_body(struct json_object *o, uint32_t *grace_s, char *err,
		    size_t errlen)
{
	uint32_t g = 0;

	if (!o) {
		*grace_s = 0;
		return 0;
	}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "body: expected an object");
		return -EINVAL;
	}
	json_object_object_foreach(o, key, v) {
		int rc;

		if (strcmp(key, "grace_s")) {
			snprintf(err, errlen,
				 "body: unknown field '%s' (known: grace_s)",
				 key);
			return -EINVAL;
		}
		rc = grace_value(v, "grace_s", &g, err, errlen);
		if (rc)
			return rc;
	}
	*grace_s = g;
	return 0;
}

int node_new(struct node **out, struct announce *an, uint32_t sigterm_grace_s)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->an = an;
	n->sigterm_grace_s = sigterm_grace_s;
	*out = n;
	return 0;
}

void node_free(struct node *n)
{
	free(n);
}

void node_loop_set(struct node *n, struct loop *l)
{
	if (n->loop && n->exit_timer)
		loop_remove(n->loop, n->exit_timer);
	n->exit_timer = NULL;
	n->loop = l;
}

static void start(struct node *n, uint32_t grace_s)
{
	n->draining = true;
	n->grace_s = grace_s;
	n->since_ms = now_ms();
	announce_set_drained(n->an, true);
}

int node_drain(struct node *n, uint32_t grace_s, char *err, size_t errlen)
{
	if (grace_s > NODE_GRACE_MAX) {
		snprintf(err, errlen, "grace_s: %u is out of range 0..%u",
			 grace_s, NODE_GRACE_MAX);
		return -EINVAL;
	}
	if (n->draining) {
		snprintf(err, errlen,
			 "the node is already draining (for %llu ms, grace "
			 "%u s): nothing changed; `sluicectl node undrain` "
			 "first to start another drain",
			 (unsigned long long)(now_ms() - n->since_ms),
			 n->grace_s);
		return -EALREADY;
	}
	start(n, grace_s);
	pr_info("node: draining (grace %u s): VIP routes withdrawn (%u "
		"left), forwarding continues",
		grace_s, announce_count(n->an));
	return 0;
}

int node_undrain(struct node *n, char *err, size_t errlen)
{
	if (n->exiting) {
		snprintf(err, errlen,
			 "the node is exiting (SIGTERM, grace %u s): it cannot "
			 "be undrained",
			 n->grace_s);
		return -EBUSY;
	}
	if (!n->draining) {
		snprintf(err, errlen,
			 "the node is not draining: nothing "
			 "changed");
		return -EALREADY;
	}
	n->draining = false;
	announce_set_drained(n->an, false);
	pr_info("node: undrained: %u VIP routes announced",
		announce_count(n->an));
	return 0;
}

static void on_grace_end(void *arg)
{
	struct node *n = arg;

	n->exit_timer = NULL; /* a one-shot timer goes by itself */
	pr_info("node: SIGTERM grace of %u s is over: exiting", n->grace_s);
	loop_stop(n->loop);
}

bool node_sigterm(struct node *n)
{
	uint64_t left_ms;

	if (!n || !n->sigterm_grace_s || !n->loop || n->exiting)
		return false;
	if (!n->draining)
		start(n, n->sigterm_grace_s);
	/* an API drain in progress: its start counts */
	left_ms = (uint64_t)n->sigterm_grace_s * 1000u;
	n->exit_timer = loop_add_timer(n->loop, left_ms, 0, on_grace_end, n);
	if (!n->exit_timer) {
		pr_err("node: SIGTERM: no timer (%s): exiting now",
		       strerror(errno));
		return false;
	}
	n->exiting = true;
	n->grace_s = n->sigterm_grace_s;
	n->since_ms = now_ms();
	pr_info("node: SIGTERM: drained, VIP routes withdrawn, forwarding "
		"for %u s more, then exiting (a second SIGTERM exits now)",
		n->sigterm_grace_s);
	return true;
}

bool node_draining(const struct node *n)
{
	return n && n->draining;
}

char *node_metrics(const struct node *n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f,
		"# HELP sluice_node_draining 1 while the node is drained "
		"(sluicectl node drain, SIGTERM with a grace).\n"
		"# TYPE sluice_node_draining gauge\n"
		"sluice_node_draining %d\n"
		"# HELP sluice_announce_routes VIP routes published for the "
		"routing daemon.\n"
		"# TYPE sluice_announce_routes gauge\n"
		"sluice_announce_routes %u\n"
		"# HELP sluice_announce_errors_total VIP route writes that "
		"failed.\n"
		"# TYPE sluice_announce_errors_total counter\n"
		"sluice_announce_errors_total %llu\n",
		n->draining, announce_count(n->an),
		(unsigned long long)announce_errors(n->an));
	announce_metrics(n->an, f);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

struct json_object *node_json(const struct node *n)
{
	struct json_object *o = json_object_new_object();
	uint64_t t = now_ms();

	json_add_str(o, "state", n->draining ? "draining" : "active");
	if (n->draining) {
		json_add_int(o, "grace_s", n->grace_s);
		json_add_int(o, "draining_for_ms", (int64_t)(t - n->since_ms));
	}
	if (n->exiting) {
		uint64_t end = n->since_ms + (uint64_t)n->grace_s * 1000u;

		json_add_int(o, "exit_in_ms", end > t ? (int64_t)(end - t) : 0);
	}
	json_add_int(o, "sigterm_grace_s", n->sigterm_grace_s);
	json_object_object_add(o, "announce", announce_json(n->an));
	return o;
}
