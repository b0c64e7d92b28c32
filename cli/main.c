// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl: global options and the noun table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cli_trace.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int do_help(int argc, char **argv);

/* iproute2's table: unique prefixes select ("r" = route, "ne" = neigh);
 * entries with the same fn are aliases.  "b" is one: it was backend's
 * prefix until block came, and the docs and users' fingers kept it. */
static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "status", do_status },   { "iface", do_iface },
	{ "interface", do_iface }, { "route", do_route },
	{ "neigh", do_neigh },	   { "neighbor", do_neigh },
	{ "neighbour", do_neigh }, { "stats", do_stats },
	{ "vip", do_vip },	   { "backend", do_backend },
	{ "b", do_backend },	   { "lb", do_lb },
	{ "ct", do_ct },	   { "conntrack", do_ct },
	{ "ddos", do_ddos },	   { "block", do_block },
	{ "nat", do_nat },	   { "fw", do_fw },
	{ "steer", do_steer },	   { "l7", do_l7 },
	{ "node", do_node },	   { "top", do_top },
	{ "trace", do_trace },	   { "explain", do_explain },
	{ "help", do_help },
};

static void usage(FILE *out)
{
	static const struct opts_help_style style = { .indent = 2, .col = 23 };

	fputs("Usage: sluicectl [OPTIONS] NOUN [VERB] [ARGS]\n"
	      "\n"
	      "  status                              daemon summary\n"
	      "  iface [show] [NAME]                 managed interfaces\n"
	      "  route [show] [PREFIX] [-4|-6] [--limit N] [--cursor C]\n"
	      "                                      routes in the data path, a page at a time\n"
	      "  neigh [show] [dev IFNAME]           neighbours in the data path\n"
	      "  stats [show] [dev IFNAME] [-a]      packets per interface and reason\n"
	      "  vip [show] [ID] | add ID [...] | del ID\n"
	      "                                      load-balanced services (VIPs)\n"
	      "  backend [show] ID | add|set|drain|del ID ADDR [...]\n"
	      "                                      a VIP's backends\n"
	      "  lb [show] | flows [show] [FILTER] | flows flush [FILTER]\n"
	      "                                      load balancer settings, its flows\n"
	      "  fw [show] [IFACE] | add IFACE in|out [...] | del IFACE ID |\n"
	      "     policy | set | check             stateful firewall\n"
	      "  ct [show] [FILTER] | count | flush [FILTER] | enable | disable\n"
	      "     | timeout STATE SECONDS | config  connection tracking\n"
	      "  ddos [show] | set [...] | protect|unprotect ADDR:PORT\n"
	      "                                      DDoS guard: rates, SYN cookies\n"
	      "  block [show] | add|del PREFIX | load FILE\n"
	      "                                      source blocklist\n"
	      "  nat [show] | add snat|dnat [...] | del ID\n"
	      "                                      NAT rules (SNAT, masquerade, DNAT)\n"
	      "  steer [show] | add [...] | del ID   steering to AF_XDP sockets\n"
	      "  l7 [show] | add|del --port N | on [--cgroup PATH] | off\n"
	      "                                      the L7 local hop (sockmap)\n"
	      "  node [show] | drain [--grace S] | undrain\n"
	      "                                      drain: VIP routes withdrawn\n"
	      "  top [--interval S] [--count N]      live rates: interfaces, reasons,\n"
	      "                                      VIPs, backends\n"
	      "  trace [--src P] [--dst P] [--reason R] [--count N] [--pcap F] ...\n"
	      "                                      each packet's decision, live\n"
	      "  explain SRC:PORT DST:PORT/PROTO [--in IFACE]\n"
	      "                                      one packet through the live tables\n"
	      "  help [NOUN]\n"
	      "\n"
	      "Nouns and verbs may be shortened to any unique prefix (r, ne);\n"
	      "b is backend.\n"
	      "\n"
	      "Options (before the noun; -j also after it):\n",
	      out);
	opts_help(out, cli_global_opts, cli_nglobal_opts, &style);
	fputs("\n"
	      "Exit status: 0 ok, 1 error, 2 sluiced unreachable.\n",
	      out);
}

/* The noun table as cli_match() sees it: an alias carries the index of
 * the first entry with the same fn. */
static void cmd_names(struct cli_name *names)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		names[i].name = cmds[i].name;
		names[i].id = (int)i;
		for (size_t j = 0; j < i; j++)
			if (cmds[j].fn == cmds[i].fn) {
				names[i].id = (int)j;
				break;
			}
	}
	names[ARRAY_SIZE(cmds)].name = NULL;
}

static const struct cmd *find_cmd(const char *arg)
{
	struct cli_name names[ARRAY_SIZE(cmds) + 1];
	char list[128] = "";
	size_t n = 0;
	int id;

	cmd_names(names);
	id = cli_match(arg, names);
	if (id >= 0)
		return &cmds[id];
	if (id == -ENOTUNIQ) {
		/* Name the candidates, one per command. */
		for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
			if (names[i].id == (int)i &&
			    !strncmp(arg, cmds[i].name, strlen(arg)) &&
			    n < sizeof(list))
				n += (size_t)snprintf(list + n,
						      sizeof(list) - n, "%s%s",
						      n ? ", " : "",
						      cmds[i].name);
		cli_error("ambiguous command '%s' (%s)", arg, list);
	} else {
		cli_error("unknown command '%s', try 'sluicectl --help'", arg);
	}
	return NULL;
}

/* "help" or "help NOUN" */
static int do_help(int argc, char **argv)
{
	static char help_arg[] = "help";
	char *help_argv[] = { help_arg, NULL };
	const struct cmd *c;

	if (argc < 1) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	c = find_cmd(argv[0]);
	if (!c)
		return CLI_EXIT_ERR;
	if (c->fn == do_help) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	return c->fn(1, help_argv);
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	char err[512];
	int i;

	cli_opts_init(&cli, getenv("SLUICE_API"), getenv("SLUICE_API_TOKEN"));
	i = cli_opts_parse(&cli, argc, argv, err, sizeof(err));
	if (i < 0) {
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (cli.help) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (cli.version) {
		printf("sluicectl %s\n", SLUICE_VERSION);
		return CLI_EXIT_OK;
	}
	if (i >= argc) {
		cli_error("no command given, try 'sluicectl --help'");
		return CLI_EXIT_ERR;
	}
	if (cli.cacert && cli_cacert_check(cli.cacert, err, sizeof(err))) {
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	c = find_cmd(argv[i]);
	if (!c)
		return CLI_EXIT_ERR;
	return c->fn(argc - i - 1, argv + i + 1);
}
