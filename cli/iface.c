// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl iface: managed interfaces (GET /v1/interfaces). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] iface [show] [[dev] NAME] [-j]\n"
	"\n"
	"Interfaces sluiced manages: state (attached, absent, error) and\n"
	"mode (native, generic, tc, vlan), counter slot, MTU, MAC, VLAN parent,\n"
	"and frames the kernel lost after sluice sent them (\"lost: EVENT N\n"
	"(ERROR)\"; docs/monitoring.md, \"Frames lost after a redirect\").\n"
	"NAME shows one interface and fails if sluiced does not manage it.\n";

int cli_iface_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen)
{
	const char *name = NULL;
	int i;

	cli_query_init(q, "/v1/interfaces");
	i = cli_parse_verb(argc, argv, q);
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		const char *a = argv[i];

		if (cli_is_json_opt(a)) {
			q->json = true;
			continue;
		}
		/* "iface show dev NAME" as well as "iface show NAME" */
		if (!strcmp(a, "dev") && !name) {
			if (i + 1 >= argc)
				return cli_fail(
					err, errlen,
					"iface: 'dev' needs an interface name");
			a = argv[++i];
		} else if (a[0] == '-' || name) {
			return cli_bad_arg("iface", a, false, err, errlen);
		}
		if (!cli_ifname_valid(a))
			return cli_fail(err, errlen,
					"iface: invalid interface name '%s'",
					a);
		name = a;
	}
	if (name)
		snprintf(q->name, sizeof(q->name), "%s", name);
	return 0;
}

int cli_iface_filter(json_object *doc, const char *name, char *err,
		     size_t errlen)
{
	json_object *a = fmt_top_array(doc, "interfaces", err, errlen);
	size_t n;

	if (!a)
		return -EPROTO;
	if (str_empty(name))
		return 0;
	for (n = json_object_array_length(a); n-- > 0;) {
		const char *nm = jstr(json_object_array_get_idx(a, n), "name");

		if (!nm || strcmp(nm, name))
			json_object_array_del_idx(a, n, 1);
	}
	if (!json_object_array_length(a)) {
		snprintf(err, errlen, "iface: interface '%s' not found", name);
		return -ENOENT;
	}
	return 0;
}

/* Appends "lost: redirect_failed 3 (EOPNOTSUPP), xmit_dropped 2" to @info (@n used of
 * @len) for each event that lost frames (docs/monitoring.md); nothing
 * when none did.  Returns the length used. */
static size_t xmit_info(json_object *xd, char *info, size_t len, size_t n)
{
	static const char *const events[] = { "redirect_failed", "xmit_dropped",
					      "tx_failed", "steer_failed" };
	json_object *errs = jobj(xd, "last_errors");
	const char *sep = n ? ", lost: " : "lost: ";

	if (!xd)
		return n;
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		const char *why = jstr(errs, events[i]);
		uint64_t frames = ju64(xd, events[i]);

		if (!frames || n >= len)
			continue;
		n += (size_t)snprintf(info + n, len - n, "%s%s %" PRIu64, sep,
				      events[i], frames);
		sep = ", ";
		if (!str_empty(why) && n < len)
			n += (size_t)snprintf(info + n, len - n, " (%s)", why);
	}
	return n < len ? n : len;
}

int cli_iface_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = {
		"NAME", "IFINDEX", "STATE", "MODE", "SLOT", "MTU", "MAC", "INFO"
	};
	struct table t = { .ncols = 8,
			   .head = head,
			   .right = 1u << 1 | 1u << 4 | 1u << 5 };
	json_object *a = fmt_top_array(doc, "interfaces", err, errlen);
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		const char *parent = jstr(e, "parent"),
			   *error = jstr(e, "error");
		char ifindex[24] = "-", slot[24] = "-", mtu[24] = "-";
		char info[256] = "";
		uint64_t vid = ju64(e, "vlan_id");
		size_t n = 0;

		if (ju64(e, "ifindex"))
			snprintf(ifindex, sizeof(ifindex), "%" PRIu64,
				 ju64(e, "ifindex"));
		if (ju64(e, "slot"))
			snprintf(slot, sizeof(slot), "%" PRIu64,
				 ju64(e, "slot"));
		if (ju64(e, "mtu"))
			snprintf(mtu, sizeof(mtu), "%" PRIu64, ju64(e, "mtu"));
		if (vid || !str_empty(parent))
			n += (size_t)snprintf(info + n, sizeof(info) - n,
					      "vlan %" PRIu64 " on %s", vid,
					      str_empty(parent) ? "-" : parent);
		if (!str_empty(jstr(e, "back_out")) && n < sizeof(info))
			n += (size_t)snprintf(info + n, sizeof(info) - n,
					      "%sback out: %s", n ? ", " : "",
					      jstr(e, "back_out"));
		if (jbool(e, "adopted") && n < sizeof(info))
			n += (size_t)snprintf(info + n, sizeof(info) - n,
					      "%sadopted", n ? ", " : "");
		n = xmit_info(jobj(e, "xmit_drops"), info, sizeof(info), n);
		if (!str_empty(error) && n < sizeof(info))
			snprintf(info + n, sizeof(info) - n, "%serror: %s",
				 n ? ", " : "", error);
		r = table_add(&t, jstr(e, "name"), ifindex, jstr(e, "state"),
			      jstr(e, "mode"), slot, mtu,
			      str_empty(jstr(e, "mac")) ? NULL : jstr(e, "mac"),
			      info);
	}
	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r ? fmt_nomem(err, errlen) : 0;
}

/* The API lists every interface; NAME picks one here. */
static int filter(json_object *doc, const struct cli_query *q, char *err,
		  size_t errlen)
{
	return cli_iface_filter(doc, q->name, err, errlen);
}

int do_iface(int argc, char **argv)
{
	struct cli_query q;
	char err[256];

	if (cli_iface_args(argc, argv, &q, err, sizeof(err))) {
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	return cli_show("iface", &q, filter, cli_iface_print);
}
