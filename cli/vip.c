// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl vip: load-balanced services (/v1/vips, docs/lb-api.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "lb.h"
#include "maglev.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char usage[] =
	"Usage: sluicectl [OPTIONS] vip [show] [ID] [-j]\n"
	"       sluicectl [OPTIONS] vip add ADDR:PORT/PROTO [--mode dsr|fullnat]\n"
	"                 [--backend-port N] [--encap ipip|gre]\n"
	"                 [--hash 5tuple|src] [--ring-size M] [--health none|tcp|http]\n"
	"                 [--health-path P] [--health-port N] [--interval MS]\n"
	"                 [--timeout MS] [--rise N] [--fall N]\n"
	"                 [--second-chance S] [-j]\n"
	"       sluicectl [OPTIONS] vip del ID [-j]\n"
	"\n"
	"A VIP is an address, a port and a protocol: 198.18.100.1:80/tcp,\n"
	"[2001:db8:100::1]:443/tcp; port 0 means every port.  ID is that, or\n"
	"the numeric vip_id (1..255) the daemon gave it.\n"
	"  --mode         dsr (default: packets reach the backends encapsulated,\n"
	"                 they answer clients directly) or fullnat (the backends\n"
	"                 get the packets from our address and answer through\n"
	"                 us; needs connection tracking: sluicectl ct enable)\n"
	"  --backend-port fullnat: the backends' port (default: the VIP's)\n"
	"  --encap        ipip (default) or gre (dsr)\n"
	"  --hash         5tuple (default) or src (source-address affinity)\n"
	"  --ring-size    Maglev table size M, a prime 3..655373 (65537)\n"
	"  --health       none, tcp or http backend checks (default: tcp for\n"
	"                 a tcp VIP, none for a udp VIP; a udp service seldom\n"
	"                 answers TCP on its own port: give --health-port)\n"
	"  --health-path  the http check's path (/)\n"
	"  --health-port  the port checked (0 = the VIP port; required for a\n"
	"                 port-0 VIP that is checked)\n"
	"  --interval, --timeout   check period and timeout in ms (1000, 500)\n"
	"  --rise, --fall checks in a row that mark a backend up / down (2, 3)\n"
	"  --second-chance  seconds a changed table's predecessor is kept:\n"
	"                 a tcp packet the LB does not remember also carries\n"
	"                 the flow's backend of before, which gets it when the\n"
	"                 new one has no socket for it (0: off, the default;\n"
	"                 up to 86400; dsr tcp VIPs)\n"
	"Options the command leaves out take the daemon's defaults; a health\n"
	"option without --health means --health tcp.\n"
	"  -j             print the daemon's JSON answer\n";

/* ---- arguments ---- */

int cli_vip_parse(const char *s, bool numeric, struct cli_vip *v, char *err,
		  size_t errlen)
{
	char why[128];
	uint32_t n;

	memset(v, 0, sizeof(*v));
	if (numeric && *s && strspn(s, "0123456789") == strlen(s)) {
		if (cli_parse_u32(s, 1, 255, &n))
			return cli_fail(err, errlen,
					"invalid VIP '%s': a vip_id is 1..255",
					s);
		v->vip_id = n;
		return 0;
	}
	if (vip_id_parse(s, &v->key, why, sizeof(why)))
		return cli_fail(err, errlen, "invalid VIP '%s': %s%s", s, why,
				numeric && !strcmp(why, VIP_ID_EXPECTED) ?
					" or a vip_id" :
					"");
	v->family = v->key.family == AF_INET6 ? 6 : 4;
	inet_ntop(v->key.family, v->key.addr, v->addr, sizeof(v->addr));
	v->port = ntohs(v->key.port);
	snprintf(v->proto, sizeof(v->proto), "%s",
		 v->key.proto == IPPROTO_UDP ? "udp" : "tcp");
	return 0;
}

/* The canonical text id ("198.18.100.1:80/tcp", "[2001:db8::1]:443/udp",
 * "7"): what the daemon prints, whatever spelling was typed. */
void cli_vip_text(const struct cli_vip *v, char *buf, size_t len)
{
	if (!v->family)
		snprintf(buf, len, "%u", v->vip_id);
	else
		vip_id_str(&v->key, buf, len);
}

/* Not an address the contract lets a VIP have: multicast, link-local,
 * unspecified.  The reason, or NULL. */
static const char *vip_addr_unfit(const struct cli_vip *v)
{
	unsigned char b[16];

	if (v->family == 4) {
		inet_pton(AF_INET, v->addr, b);
		if (!b[0] && !b[1] && !b[2] && !b[3])
			return "unspecified";
		if ((b[0] & 0xf0) == 0xe0)
			return "multicast";
		if (b[0] == 169 && b[1] == 254)
			return "link-local";
	} else {
		static const unsigned char zero[16];

		inet_pton(AF_INET6, v->addr, b);
		if (!memcmp(b, zero, 16))
			return "unspecified";
		if (b[0] == 0xff)
			return "multicast";
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
			return "link-local";
	}
	return NULL;
}

static const struct cli_name vip_verbs[] = {
	{ "show", LB_SHOW }, { "list", LB_SHOW }, { "ls", LB_SHOW },
	{ "add", LB_ADD },   { "del", LB_DEL },	  { "delete", LB_DEL },
	{ "help", LB_HELP }, { NULL, 0 },
};

static const struct lb_option vip_options[O_MAX] = {
	[O_ENCAP] = { { "encap", 0, OPT_ARG_REQUIRED, "ipip|gre", NULL },
		      1u << LB_ADD },
	[O_MODE] = { { "mode", 0, OPT_ARG_REQUIRED, "dsr|fullnat", NULL },
		     1u << LB_ADD },
	[O_BEPORT] = { { "backend-port", 0, OPT_ARG_REQUIRED, "N", NULL },
		       1u << LB_ADD },
	[O_HASH] = { { "hash", 0, OPT_ARG_REQUIRED, "5tuple|src", NULL },
		     1u << LB_ADD },
	[O_RING] = { { "ring-size", 0, OPT_ARG_REQUIRED, "M", NULL },
		     1u << LB_ADD },
	[O_HEALTH] = { { "health", 0, OPT_ARG_REQUIRED, "none|tcp|http", NULL },
		       1u << LB_ADD },
	[O_HPATH] = { { "health-path", 0, OPT_ARG_REQUIRED, "P", NULL },
		      1u << LB_ADD },
	[O_HPORT] = { { "health-port", 0, OPT_ARG_REQUIRED, "N", NULL },
		      1u << LB_ADD },
	[O_INTERVAL] = { { "interval", 0, OPT_ARG_REQUIRED, "MS", NULL },
			 1u << LB_ADD },
	[O_TIMEOUT] = { { "timeout", 0, OPT_ARG_REQUIRED, "MS", NULL },
			1u << LB_ADD },
	[O_RISE] = { { "rise", 0, OPT_ARG_REQUIRED, "N", NULL }, 1u << LB_ADD },
	[O_FALL] = { { "fall", 0, OPT_ARG_REQUIRED, "N", NULL }, 1u << LB_ADD },
	[O_SECOND] = { { "second-chance", 0, OPT_ARG_REQUIRED, "S", NULL },
		       1u << LB_ADD },
};

#define RING_MIN 3
#define RING_MAX 655373
#define POSITIVE_MAX 2147483647u /* a JSON int every parser keeps */
#define SECOND_MAX 86400	 /* the daemon's LB_SECOND_CHANCE_MAX */

/* vip add: the VIP object of POST /v1/vips, with only what was given
 * (the daemon fills in its defaults).  Everything is checked first. */
static int vip_add_body(const struct lb_args *la, const struct cli_vip *v,
			json_object **bodyp, char *err, size_t errlen)
{
	static const char *const encaps[] = { "ipip", "gre", NULL };
	static const char *const modes[] = { "dsr", "fullnat", NULL };
	static const char *const hashes[] = { "5tuple", "src", NULL };
	static const char *const kinds[] = { "none", "tcp", "http", NULL };
	static const struct {
		enum lb_opt o;
		const char *key, *expected;
	} nums[] = {
		{ O_INTERVAL, "interval_ms",
		  "a positive number of milliseconds" },
		{ O_TIMEOUT, "timeout_ms",
		  "a positive number of milliseconds" },
		{ O_RISE, "rise", "a positive count" },
		{ O_FALL, "fall", "a positive count" },
	};
	const struct lb_option *opts = vip_options;
	const char *kind = la->opt[O_HEALTH], *path = la->opt[O_HPATH], *unfit;
	uint32_t ring = 0, hport = 0, beport = 0, second = 0,
		 num[ARRAY_SIZE(nums)] = { 0 };
	bool none = kind && !strcmp(kind, "none"), health_opts = false, checked;
	json_object *body, *health;
	int r;

	unfit = vip_addr_unfit(v);
	if (unfit)
		return cli_fail(err, errlen,
				"vip: invalid VIP '%s': address %s is %s",
				la->pos[0], v->addr, unfit);
	if (la->opt[O_ENCAP] && (r = lb_opt_choice(la, O_ENCAP, opts, encaps,
						   "ipip or gre", err, errlen)))
		return r;
	if (la->opt[O_MODE] &&
	    (r = lb_opt_choice(la, O_MODE, opts, modes, "dsr or fullnat", err,
			       errlen)))
		return r;
	if (la->opt[O_BEPORT] &&
	    (r = lb_opt_num(la, O_BEPORT, opts, 1, 65535, "a port 1..65535",
			    &beport, err, errlen)))
		return r;
	if (la->opt[O_HASH] &&
	    (r = lb_opt_choice(la, O_HASH, opts, hashes, "5tuple or src", err,
			       errlen)))
		return r;
	if (la->opt[O_RING]) {
		if ((r = lb_opt_num(la, O_RING, opts, RING_MIN, RING_MAX,
				    "a prime 3..655373", &ring, err, errlen)))
			return r;
		if (!maglev_is_prime(ring))
			return cli_fail(err, errlen,
					"vip: --ring-size '%s': not a prime",
					la->opt[O_RING]);
	}
	if (kind && (r = lb_opt_choice(la, O_HEALTH, opts, kinds,
				       "none, tcp or http", err, errlen)))
		return r;
	for (int o = O_HPATH; o <= O_FALL; o++) {
		if (!la->opt[o])
			continue;
		if (none)
			return cli_fail(
				err, errlen,
				"vip: --%s does not go with --health none",
				opts[o].def.long_name);
		health_opts = true;
	}
	if (path && (!kind || strcmp(kind, "http")))
		return cli_fail(err, errlen,
				"vip: --health-path needs --health http");
	if (path) {
		bool ok = path[0] == '/';

		for (const char *c = path; *c && ok; c++)
			ok = *c > ' ' && *c < 0x7f;
		if (!ok)
			return cli_fail(
				err, errlen,
				"vip: --health-path '%s': expected /PATH without spaces",
				path);
	}
	if (la->opt[O_SECOND] &&
	    (r = lb_opt_num(la, O_SECOND, opts, 0, SECOND_MAX,
			    "seconds 0..86400", &second, err, errlen)))
		return r;
	if (la->opt[O_HPORT] && (r = lb_opt_num(la, O_HPORT, opts, 0, 65535,
						"0..65535 (0 = the VIP port)",
						&hport, err, errlen)))
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++)
		if (la->opt[nums[i].o] &&
		    (r = lb_opt_num(la, nums[i].o, opts, 1, POSITIVE_MAX,
				    nums[i].expected, &num[i], err, errlen)))
			return r;
	/* The contract: a VIP on every port names the port it checks.  A UDP
	 * VIP is checked only when asked (its default is none); a health
	 * option alone asks for the tcp check, as for a TCP VIP. */
	checked = kind ? !none : health_opts || strcmp(v->proto, "udp");
	if (!v->port && !hport && checked)
		return cli_fail(
			err, errlen,
			"vip: VIP '%s' is on every port: give --health-port N or --health none",
			la->pos[0]);

	body = json_object_new_object();
	if (!body)
		return -ENOMEM;
	lb_add_string(body, "address", v->addr);
	lb_add_u32(body, "port", v->port);
	lb_add_string(body, "protocol", v->proto);
	if (la->opt[O_MODE])
		lb_add_string(body, "mode", la->opt[O_MODE]);
	if (la->opt[O_BEPORT])
		lb_add_u32(body, "backend_port", beport);
	if (la->opt[O_ENCAP])
		lb_add_string(body, "encap", la->opt[O_ENCAP]);
	if (la->opt[O_HASH])
		lb_add_string(body, "hash", la->opt[O_HASH]);
	if (la->opt[O_RING])
		lb_add_u32(body, "ring_size", ring);
	if (la->opt[O_SECOND])
		lb_add_u32(body, "second_chance_s", second);
	if (kind || health_opts) {
		health = json_object_new_object();
		json_object_object_add(body, "health", health);
		/* spelled out: no daemon has to guess a kind-less object */
		lb_add_string(health, "kind", kind ? kind : "tcp");
		if (la->opt[O_HPORT])
			lb_add_u32(health, "port", hport);
		if (path)
			lb_add_string(health, "path", path);
		for (size_t i = 0; i < ARRAY_SIZE(nums); i++)
			if (la->opt[nums[i].o])
				lb_add_u32(health, nums[i].key, num[i]);
	}
	*bodyp = body;
	return 0;
}

int cli_vip_args(int argc, char **argv, struct cli_query *q, char *err,
		 size_t errlen)
{
	char enc[CLI_PATH_MAX];
	struct lb_args la;
	struct cli_vip v;
	int r;

	cli_query_init(q, "/v1/vips");
	q->out = CLI_OUT_VIPS;
	r = lb_parse("vip", vip_verbs, vip_options, 1, argc, argv, &la, q, err,
		     errlen);
	if (r || q->help)
		return r;
	switch (la.verb) {
	case LB_SHOW:
		if (!la.npos)
			return 0;
		if ((r = lb_vip(&la, true, &v, enc, sizeof(enc), err, errlen)))
			return r;
		q->out = CLI_OUT_VIP;
		break;
	case LB_ADD:
		if (!la.npos)
			return cli_fail(
				err, errlen,
				"vip: 'add' needs a VIP (ADDR:PORT/PROTO)");
		if ((r = lb_vip(&la, false, &v, enc, sizeof(enc), err, errlen)))
			return r;
		r = vip_add_body(&la, &v, &q->body, err, errlen);
		if (r == -ENOMEM)
			return cli_fail(err, errlen, "vip: out of memory");
		if (r)
			return r;
		q->method = "POST";
		q->out = CLI_OUT_VIP;
		return 0;
	case LB_DEL:
		if (!la.npos)
			return cli_fail(
				err, errlen,
				"vip: 'del' needs a VIP (ADDR:PORT/PROTO)");
		if ((r = lb_vip(&la, true, &v, enc, sizeof(enc), err, errlen)))
			return r;
		q->method = "DELETE";
		q->out = CLI_OUT_DELETED;
		break;
	default: return cli_bad_arg("vip", argv[0], true, err, errlen);
	}
	if (lb_set_path(q, "/v1/vips/%s", enc))
		return cli_too_long("vip", err, errlen);
	return 0;
}

/* ---- printing ---- */

/* "tcp/1000ms", "http:8080/1000ms" (a port other than the VIP's), "none" */
static void health_text(json_object *vip, char *buf, size_t len)
{
	json_object *h = jobj(vip, "health");
	const char *kind = h ? jstr(h, "kind") : NULL;
	const char *iv = h ? jstr(h, "interval_ms") : NULL;
	uint64_t hp = h ? ju64(h, "port") : 0;
	size_t n;

	if (str_empty(kind)) {
		snprintf(buf, len, "-");
		return;
	}
	n = (size_t)snprintf(buf, len, "%s", kind);
	if (!strcmp(kind, "none"))
		return;
	if (hp && hp != ju64(vip, "port") && n < len)
		n += (size_t)snprintf(buf + n, len - n, ":%" PRIu64, hp);
	if (iv && n < len)
		snprintf(buf + n, len - n, "/%sms", iv);
}

static int vip_block(json_object *vip, FILE *out)
{
	static const char *const vip_counters[] = {
		"packets",   "bytes", "new_flows",
		"flow_hits", "drops", "too_big",
	};
	json_object *bs, *c = jobj(vip, "counters");
	const char *id = jstr(vip, "id"), *ring = jstr(vip, "ring_size");
	char health[128];
	int r = 0;

	health_text(vip, health, sizeof(health));
	fprintf(out, "%s  %s %s  hash %s  M %s  health %s",
		str_empty(id) ? "-" : id,
		jstr(vip, "encap") ? "encap" : "fullnat to port",
		jstr(vip, "encap")	  ? jstr(vip, "encap") :
		jstr(vip, "backend_port") ? jstr(vip, "backend_port") :
					    "-",
		jstr(vip, "hash") ? jstr(vip, "hash") : "-", ring ? ring : "-",
		health);
	if (ju64(vip, "second_chance_s"))
		fprintf(out, "  second chance %ss",
			jstr(vip, "second_chance_s"));
	/* only from a daemon that announces VIPs (docs/deploy.md) */
	if (jstr(vip, "announced"))
		fprintf(out, "  announced %s",
			jbool(vip, "announced") ? "yes" : "no");
	fputc('\n', out);
	if (json_object_object_get_ex(vip, "backends", &bs) &&
	    json_object_is_type(bs, json_type_array) &&
	    json_object_array_length(bs))
		r = cli_backends_table(bs, "  ", out);
	else
		fputs("  no backends\n", out);
	fputs("  counters", out);
	for (size_t i = 0; i < ARRAY_SIZE(vip_counters); i++) {
		const char *v = c ? jstr(c, vip_counters[i]) : NULL;

		fprintf(out, "  %s %s", vip_counters[i], v ? v : "-");
	}
	fputc('\n', out);
	return r;
}

int cli_vips_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *a = fmt_top_array(doc, "vips", err, errlen);
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		if (i)
			fputc('\n', out);
		r = vip_block(json_object_array_get_idx(a, i), out);
	}
	return r ? fmt_nomem(err, errlen) : 0;
}

int cli_vip_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	int r = fmt_not_object(doc, "the VIP", err, errlen);

	if (r)
		return r;
	return vip_block(doc, out) ? fmt_nomem(err, errlen) : 0;
}

int do_vip(int argc, char **argv)
{
	struct cli_query q;
	char err[512];
	int ret;

	if (cli_vip_args(argc, argv, &q, err, sizeof(err))) {
		cli_query_free(&q);
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	ret = cli_show("vip", &q, NULL, cli_lb_printer(q.out));
	cli_query_free(&q);
	return ret;
}
