/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sluicectl, in the iproute2 manner: main.c holds the global options and
 * the noun table, show.c the one request/print path every noun goes
 * through, http.c the HTTP client, and each noun's file (status.c,
 * iface.c, route.c, neigh.c, stats.c, vip.c, backend.c, lb.c,
 * lb_flows.c) its own argument parsing and printing.  What the nouns
 * share: args.h (parsing) and fmt.h (printing).
 *
 * A noun's NOUN_args() turns the arguments after the noun (argv[0] is the
 * first of them, possibly a verb) into a request: 0, or -EINVAL with a
 * message naming the argument.  Its printers write the answer as text;
 * see fmt.h for what they return.  Both are pure, so the unit tests call
 * them.
 */
#ifndef SLUICECTL_CLI_H
#define SLUICECTL_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "args.h"
#include "fmt.h"
#include "version.h"
#include "vip_id.h"

/* Exit codes (docs/cli.md) */
#define CLI_EXIT_OK 0
#define CLI_EXIT_ERR 1	       /* bad input, or the daemon said no */
#define CLI_EXIT_UNREACHABLE 2 /* no answer from sluiced at all */

/* The global options, parsed once in main (as iproute2's `json`). */
extern struct cli_opts cli;

/* ---- http.c ---- */
struct http_resp {
	long status; /* HTTP status */
	char *body;  /* NUL-terminated; free() it */
	size_t len;
	bool sent; /* some of the request went out */
};

/* @method ("GET", "POST", "PATCH", "DELETE") @path ("/v1/routes?family=4")
 * on @ep, with @body as the JSON request body when set, and
 * "Authorization: Bearer" when @token is set.  0 once any HTTP status came
 * back; -ECONNREFUSED, -ENOENT, ... (the connect errno) or -EIO when none
 * did, with the reason in @err and resp->sent telling whether the daemon
 * may have seen the request.  Logs nothing: the caller decides what to
 * say. */
int http_request(const struct endpoint *ep, const char *token,
		 const char *method, const char *path, const char *body,
		 struct http_resp *resp, char *err, size_t errlen);
/* The same over HTTPS to a tcp: @ep when @cacert (a CA certificate file,
 * sluicectl --cacert) is set. */
int http_request_ca(const struct endpoint *ep, const char *token,
		    const char *cacert, const char *method, const char *path,
		    const char *body, struct http_resp *resp, char *err,
		    size_t errlen);
void http_resp_free(struct http_resp *resp);

/* ---- show.c ---- */
/* One line on stderr, "sluicectl: " first. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef int (*cli_filter_fn)(json_object *doc, const struct cli_query *q,
			     char *err, size_t errlen);
typedef int (*cli_print_fn)(json_object *doc, FILE *out, char *err,
			    size_t errlen);

/* Sends q->method to q->path (with q->body), applies @filter (may be
 * NULL) to the answer, prints -j JSON (global, or q->json) or the text of
 * @print.  Any 2xx is success (201 for a POST).  Returns the exit code. */
int cli_show(const char *noun, const struct cli_query *q, cli_filter_fn filter,
	     cli_print_fn print);
/* The tail of a noun's do_*() once its parser ran (@parse_err, its
 * answer): the parser's @err printed, @usage on -h, or cli_show() with
 * @print; frees @q.  Returns the exit code. */
int cli_run(const char *noun, const char *usage, struct cli_query *q,
	    int parse_err, const char *err, cli_print_fn print);

/* ---- one file per noun: argc/argv start after the noun ---- */
int do_status(int argc, char **argv);
int do_iface(int argc, char **argv);
int do_route(int argc, char **argv);
int do_neigh(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_vip(int argc, char **argv);
int do_backend(int argc, char **argv);
int do_lb(int argc, char **argv);
int do_ct(int argc, char **argv);
/* ddos.c: the DDoS guard (ddos) and its blocklist (block) */
int do_ddos(int argc, char **argv);
int do_block(int argc, char **argv);
int cli_ddos_args(int argc, char **argv, struct cli_query *q, char *err,
		  size_t errlen);
int do_nat(int argc, char **argv);
/* l7.c: the L7 local hop (docs/l7.md) */
int do_l7(int argc, char **argv);
/* steer.c: steering to AF_XDP sockets */
int do_steer(int argc, char **argv);
int do_fw(int argc, char **argv); /* fw.c */
/* Parses the arguments after "fw"; *@kind (enum cli_fw_out) says which
 * printer answers. */
enum cli_fw_out { FW_RULES, FW_RULE, FW_POLICY, FW_SETS, FW_CHECK, FW_DONE };
int cli_fw_args(int argc, char **argv, struct cli_query *q, int *kind,
		char *err, size_t errlen);
int cli_fw_rules_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_fw_policy_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_fw_sets_print(json_object *doc, FILE *out, char *err, size_t errlen);
/* node.c: the node's drain */
int do_node(int argc, char **argv);
int do_explain(int argc, char **argv); /* explain.c */
int cli_node_args(int argc, char **argv, struct cli_query *q, char *err,
		  size_t errlen);
int cli_node_print(json_object *doc, FILE *out, char *err, size_t errlen);

/* status.c */
int cli_status_args(int argc, char **argv, struct cli_query *q, char *err,
		    size_t errlen);
int cli_status_print(json_object *doc, FILE *out, char *err, size_t errlen);

/* iface.c; the filter keeps the interface named @name (NULL: all) */
int cli_iface_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen);
int cli_iface_filter(json_object *doc, const char *name, char *err,
		     size_t errlen);
int cli_iface_print(json_object *doc, FILE *out, char *err, size_t errlen);

/* route.c */
int cli_route_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen);
int cli_route_print(json_object *doc, FILE *out, char *err, size_t errlen);

/* neigh.c */
int cli_neigh_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen);
int cli_neigh_print(json_object *doc, FILE *out, char *err, size_t errlen);

/* stats.c; the filter drops zero counters unless @all */
int cli_stats_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen);
int cli_stats_filter(json_object *doc, bool all, char *err, size_t errlen);
int cli_stats_print(json_object *doc, FILE *out, char *err, size_t errlen);

/* The load balancer (docs/lb-api.md):
 *   vip add ID [--encap ..] [--hash ..] [--ring-size M] [--health ..] ...
 *   vip del ID | vip [show] [ID] [-j]
 *   backend add|set|drain|del ID ADDR [--weight N] [--state S]
 *   backend [show] ID [-j]
 *   lb [show] [-j]
 *   lb flows [show] [FILTER] | flows flush [FILTER]    (lb_flows.c)
 * Everything is checked before a request is made; the path carries the
 * VIP id and backend address percent-encoded (cli_path_encode).
 *
 * The text output, one block per VIP:
 *   198.18.100.1:80/tcp  encap ipip  hash 5tuple  M 65537  health tcp/1000ms
 *     198.18.2.11  weight 2  active  up  slots 43691  packets 123  new_flows 4
 *     vip  packets 123  bytes 9840  new_flows 4  ...
 * and a blank line between blocks.  Backends print as the lines above
 * (unindented for `backend show`). */

/* vip.c: a VIP id is "ADDR:PORT/PROTO" (IPv4), "[ADDR]:PORT/PROTO" (IPv6),
 * or, where @numeric allows, a vip_id 1..255. */
struct cli_vip {
	int family;		   /* 4, 6, or 0 for a bare vip_id */
	char addr[48];		   /* as written, without brackets */
	unsigned int port;	   /* 0..65535, 0 = every port */
	char proto[4];		   /* "tcp" or "udp" */
	unsigned int vip_id;	   /* family 0 only */
	struct sluice_vip_key key; /* family 4 and 6 */
};

/* 0, or -EINVAL with "invalid VIP 'S': why" in @err (no noun prefix). */
int cli_vip_parse(const char *s, bool numeric, struct cli_vip *v, char *err,
		  size_t errlen);
/* The canonical text id ("198.18.100.1:80/tcp", "[2001:db8::1]:443/udp",
 * "7"): what the daemon prints, whatever spelling was typed. */
void cli_vip_text(const struct cli_vip *v, char *buf, size_t len);
int cli_vip_args(int argc, char **argv, struct cli_query *q, char *err,
		 size_t errlen);
int cli_vips_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_vip_print(json_object *doc, FILE *out, char *err, size_t errlen);

/* backend.c; the table is the backend lines, @indent before each */
int cli_backend_args(int argc, char **argv, struct cli_query *q, char *err,
		     size_t errlen);
int cli_backends_table(json_object *arr, const char *indent, FILE *out);
int cli_backends_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_backend_print(json_object *doc, FILE *out, char *err, size_t errlen);

/* lb.c */
int cli_lb_args(int argc, char **argv, struct cli_query *q, char *err,
		size_t errlen);
int cli_lb_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_deleted_print(json_object *doc, FILE *out, char *err, size_t errlen);
/* "lb flows ...": argv[0] is "flows" or a prefix of it ("lb flush" is
 * not), so do_lb hands the rest to do_lb_flows. */
bool cli_lb_flows_named(int argc, char **argv);

/* lb_flows.c: lb flows [show] [--vip V] [--backend A] [--src P]
 * [--limit N] [--cursor C] | flush [--vip V] [--backend A] [--src P]
 * (GET and DELETE /v1/lb/flows); @out says which answer (and printer)
 * the request gets.  The text output, one flow a line:
 *   PROTO  CLIENT            VIP                 BACKEND     IDLE
 *   tcp    198.18.0.5:41000  198.18.1.10:80/tcp  198.18.2.2  2s
 * the VIP as the flow's dst:dport when it was deleted, the backend as
 * "id N" when it left the VIP; then "more: --cursor C" while the table
 * goes on. */
enum cli_lb_flows_out { CLI_LB_FLOWS_SHOW, CLI_LB_FLOWS_FLUSH };
int cli_lb_flows_args(int argc, char **argv, struct cli_query *q,
		      enum cli_lb_flows_out *out, char *err, size_t errlen);
int cli_lb_flows_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_lb_flows_flush_print(json_object *doc, FILE *out, char *err,
			     size_t errlen);
int do_lb_flows(int argc, char **argv);

/* ct.c (docs/conntrack.md): show, count, flush, enable|disable, timeout,
 * config; @out says which answer (and printer) the request gets. */
enum cli_ct_out { CLI_CT_SHOW, CLI_CT_COUNT, CLI_CT_FLUSH, CLI_CT_CONFIG };
int cli_ct_args(int argc, char **argv, struct cli_query *q,
		enum cli_ct_out *out, char *err, size_t errlen);
int cli_ct_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_ct_count_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_ct_config_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_ct_flush_print(json_object *doc, FILE *out, char *err, size_t errlen);

/* nat.c (docs/nat.md): show, add snat|dnat, del ID; @out says which
 * answer (and printer) the request gets. */
enum cli_nat_out { CLI_NAT_SHOW, CLI_NAT_ADDED, CLI_NAT_DELETED };
int cli_nat_args(int argc, char **argv, struct cli_query *q,
		 enum cli_nat_out *out, char *err, size_t errlen);
int cli_nat_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_nat_added_print(json_object *doc, FILE *out, char *err, size_t errlen);
/* steer.c (docs/steering.md): show, add, del ID; @out says which answer */
enum cli_steer_out { CLI_STEER_SHOW, CLI_STEER_ADDED, CLI_STEER_DELETED };
int cli_steer_args(int argc, char **argv, struct cli_query *q,
		   enum cli_steer_out *out, char *err, size_t errlen);
int cli_steer_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_steer_added_print(json_object *doc, FILE *out, char *err,
			  size_t errlen);

/* top.c: live rates from two successive reads of GET /v1/stats and GET
 * /v1/vips (@vips0/@vips1 NULL: no load balancer), @secs apart.  The
 * rates document: {"interval_s", "interfaces": [{name, rx_pps, rx_bps,
 * forward_pps, pass_pps, drop_pps}], "reasons": [{interface, reason,
 * verdict, pps, bps}] (those that moved, busiest first), "vips": [{id,
 * pps, bps, new_flows_ps, drops_ps, "backends": [{address, state, health,
 * pps, bps, new_flows_ps}]}]}; bps are bits per second. */
struct cli_top_opts {
	uint32_t interval_s; /* --interval, 1..3600 */
	uint32_t count;	     /* --count, 0: until interrupted */
	bool json;	     /* -j after the noun (the global -j too) */
	bool help;
};
int cli_top_args(int argc, char **argv, struct cli_top_opts *o, char *err,
		 size_t errlen);
json_object *cli_top_rates(json_object *stats0, json_object *stats1,
			   json_object *vips0, json_object *vips1, double secs);
int cli_top_print(json_object *doc, FILE *out, char *err, size_t errlen);
int do_top(int argc, char **argv);

/* The printer for what a load-balancer request answers with (q->out). */
typedef int (*cli_printer)(json_object *doc, FILE *out, char *err,
			   size_t errlen);
cli_printer cli_lb_printer(enum cli_out what);

#endif
