// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluicectl trace: every packet's decision, as it happens (docs/trace.md).
 *
 * Unlike the other nouns this one does not go through sluiced's API: it
 * opens the pinned trace maps itself (it runs as root beside sluiced, as
 * bpftool would), sets the filter in the kernel, and reads the ring
 * buffer directly.  A stream of events at packet rate does not fit a
 * request/answer API, and the trace keeps working while sluiced restarts
 * (the programs and their maps stay pinned).
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "dp.h"
#include "dp_trace.h"
#include "pcapng.h"
#include "cli_trace.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] trace [--src PREFIX] [--dst PREFIX]\n"
	"                 [--proto tcp|udp|icmp|icmpv6|N] [--port N]\n"
	"                 [--vip ADDR[:PORT]] [--reason NAME[,NAME...]]\n"
	"                 [--sample 1/N] [--count N] [--pcap FILE]\n"
	"                 [--pin-dir DIR] [-j]\n"
	"\n"
	"Prints each packet's decision as the data path takes it: ingress\n"
	"port, addresses, the reason, the egress port, and what the stages\n"
	"decided: conntrack state, firewall rule or policy, VIP and backend,\n"
	"NAT, route (prefix, next-hop group, gateway, device).  The filter runs in\n"
	"the kernel; the trace is off again when this command ends (Ctrl-C or\n"
	"--count).  Events the ring had no room for are counted and reported\n"
	"(every second while any are lost, and at the end).\n"
	"  --src, --dst PREFIX  source, destination address or prefix\n"
	"                       (the inner header of a tunnelled packet)\n"
	"  --proto P            L4 protocol\n"
	"  --port N             source or destination port (TCP, UDP)\n"
	"  --vip ADDR[:PORT]    packets to a VIP (--dst ADDR, --port PORT)\n"
	"  --reason NAMES       only these reasons (as sluicectl stats names them)\n"
	"  --sample 1/N         one matching packet in N (per CPU)\n"
	"  --count N            stop after N events\n"
	"  --pcap FILE          also write the frames (the first 128 bytes,\n"
	"                       as they leave) to FILE as pcapng, each with\n"
	"                       its decision as the packet comment\n"
	"  --pin-dir DIR        sluiced's pin directory (default: the one\n"
	"                       sluiced reports, else /sys/fs/bpf/sluice)\n"
	"  -j                   one JSON object per event\n"
	"Runs as root (it reads sluiced's pinned maps).\n";

#define DEFAULT_PIN_DIR "/sys/fs/bpf/sluice"

static int bad(char *err, size_t len, const char *flag, const char *val,
	       const char *why)
{
	snprintf(err, len, "trace: invalid %s '%s': %s", flag, val, why);
	return -EINVAL;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_proto(const char *s, __u8 *proto)
{
	static const struct {
		const char *name;
		__u8 num;
	} names[] = { { "tcp", IPPROTO_TCP },
		      { "udp", IPPROTO_UDP },
		      { "icmp", IPPROTO_ICMP },
		      { "icmpv6", IPPROTO_ICMPV6 } };
	uint64_t v;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name)) {
			*proto = names[i].num;
			return 0;
		}
	if (parse_u64(s, 255, &v) || !v)
		return -EINVAL;
	*proto = (__u8)v;
	return 0;
}

static int parse_reasons(const char *s, struct sluice_trace_cfg *cfg, char *err,
			 size_t len)
{
	char buf[512], *save = NULL, *tok;
	int r;

	if (!*s || strlen(s) >= sizeof(buf))
		return bad(err, len, "--reason", s, "expected reason names");
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		r = dp_reason_by_name(tok);
		if (r < 0) {
			char why[96];

			snprintf(why, sizeof(why), "no reason '%.40s'", tok);
			return bad(err, len, "--reason", s, why);
		}
		dp_trace_cfg_reason(cfg, (unsigned int)r);
	}
	return 0;
}

/* ADDR, ADDR:PORT, [V6ADDR]:PORT or a bare V6ADDR */
static int parse_vip(const char *s, struct cli_trace *t, char *err, size_t len)
{
	char buf[64], *addr = buf, *port = NULL, *c;
	uint64_t p;

	if (strlen(s) >= sizeof(buf))
		return bad(err, len, "--vip", s, "too long");
	strcpy(buf, s);
	if (buf[0] == '[') {
		addr = buf + 1;
		c = strchr(addr, ']');
		if (!c || (c[1] && c[1] != ':'))
			return bad(err, len, "--vip", s,
				   "expected [ADDR]:PORT");
		*c = '\0';
		if (c[1])
			port = c + 2;
	} else if (strchr(buf, ':') == strrchr(buf, ':') &&
		   (c = strchr(buf, ':'))) {
		*c = '\0';
		port = c + 1;
	}
	if (strchr(addr, '/') || dp_trace_prefix_parse(addr, &t->cfg.dst))
		return bad(err, len, "--vip", s, "expected an address");
	if (port) {
		if (parse_u64(port, 65535, &p) || !p)
			return bad(err, len, "--vip", s, "bad port");
		t->cfg.port = (__u16)p;
	}
	return 0;
}

static int parse_sample(const char *s, __u32 *n)
{
	uint64_t v;

	if (!strncmp(s, "1/", 2))
		s += 2;
	if (parse_u64(s, UINT32_MAX, &v) || !v)
		return -EINVAL;
	*n = (__u32)v;
	return 0;
}

/* Every option of trace takes a value: an unknown one is named as such
 * before its missing value is, whatever its place on the line. */
static bool trace_opt_known(const char *o)
{
	static const char *const opts[] = {
		"--src",    "--dst",	"--proto", "--port", "--vip",
		"--reason", "--sample", "--count", "--pcap", "--pin-dir",
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(o, opts[i]))
			return true;
	return false;
}

int cli_trace_args(int argc, char **argv, struct cli_trace *t, char *err,
		   size_t len)
{
	uint64_t v;

	memset(t, 0, sizeof(*t));
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i],
			   *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "help") || !strcmp(o, "-h") ||
		    !strcmp(o, "--help")) {
			t->help = true;
			return 0;
		}
		if (cli_is_json_opt(o)) {
			t->json = true;
			continue;
		}
		if (strncmp(o, "--", 2)) {
			snprintf(err, len, "trace: unexpected argument '%s'",
				 o);
			return -EINVAL;
		}
		if (!trace_opt_known(o))
			return cli_bad_arg("trace", o, false, err, len);
		if (!val) {
			snprintf(err, len, "trace: %s needs a value", o);
			return -EINVAL;
		}
		i++;
		if (!strcmp(o, "--src")) {
			if (dp_trace_prefix_parse(val, &t->cfg.src))
				return bad(err, len, o, val,
					   "expected ADDR or ADDR/LEN, host "
					   "bits zero");
		} else if (!strcmp(o, "--dst")) {
			if (dp_trace_prefix_parse(val, &t->cfg.dst))
				return bad(err, len, o, val,
					   "expected ADDR or ADDR/LEN, host "
					   "bits zero");
		} else if (!strcmp(o, "--proto")) {
			if (parse_proto(val, &t->cfg.proto))
				return bad(err, len, o, val,
					   "expected tcp, udp, icmp, icmpv6 "
					   "or 1..255");
		} else if (!strcmp(o, "--port")) {
			if (parse_u64(val, 65535, &v) || !v)
				return bad(err, len, o, val,
					   "expected 1..65535");
			t->cfg.port = (__u16)v;
		} else if (!strcmp(o, "--vip")) {
			if (parse_vip(val, t, err, len))
				return -EINVAL;
		} else if (!strcmp(o, "--reason")) {
			if (parse_reasons(val, &t->cfg, err, len))
				return -EINVAL;
		} else if (!strcmp(o, "--sample")) {
			if (parse_sample(val, &t->cfg.sample))
				return bad(err, len, o, val,
					   "expected 1/N, N >= 1");
		} else if (!strcmp(o, "--count")) {
			if (parse_u64(val, UINT32_MAX, &v) || !v)
				return bad(err, len, o, val,
					   "expected 1..4294967295");
			t->cfg.count = v;
			t->count = v;
		} else if (!strcmp(o, "--pcap")) {
			if (!*val)
				return bad(err, len, o, val, "empty file name");
			t->pcap = val;
		} else if (!strcmp(o, "--pin-dir")) {
			if (!*val)
				return bad(err, len, o, val, "empty path");
			t->pin_dir = val;
		}
	}
	return 0;
}

const char *cli_trace_pin_dir(const char *given, json_object *status,
			      const char **from)
{
	const char *dir = status ? jstr(status, "pin_dir") : NULL;

	if (given) {
		*from = "--pin-dir";
		return given;
	}
	/* an absolute path, or nothing we could open */
	if (dir && dir[0] == '/') {
		*from = "sluiced's pin directory";
		return dir;
	}
	*from = "the default";
	return DEFAULT_PIN_DIR;
}

static const char *verdict_name(__u8 v)
{
	switch (v) {
	case SLUICE_V_PASS: return "pass";
	case SLUICE_V_DROP: return "drop";
	case SLUICE_V_REDIRECT: return "redirect";
	case SLUICE_V_TX: return "tx";
	default: return "?";
	}
}

static void ifname_of(__u32 ifindex, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	if (!ifindex)
		snprintf(buf, len, "-");
	else if (if_indextoname(ifindex, name))
		snprintf(buf, len, "%s(%u)", name, ifindex);
	else
		snprintf(buf, len, "%u", ifindex);
}

static const char *proto_name(__u8 p, char *buf, size_t len)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	default: snprintf(buf, len, "proto %u", p); return buf;
	}
}

int cli_trace_line(const struct sluice_trace_event *ev, char *buf, size_t len)
{
	char in[32], out[32], src[64], dst[64], tun[64] = "", pn[16], dec[400];
	bool ports = ev->flags & SLUICE_TRACE_F_PORTS;
	const char *hook = ev->hook == SLUICE_TRACE_HOOK_TC ? "tc" : "xdp";

	ifname_of(ev->ifindex, in, sizeof(in));
	ifname_of(ev->egress_ifindex, out, sizeof(out));
	cli_trace_decision(ev, dec, sizeof(dec));
	if (!(ev->flags & SLUICE_TRACE_F_PARSED))
		return snprintf(buf, len, "%s in %s len %u %s %s out %s%s",
				hook, in, ev->len, dp_reason_name(ev->reason),
				verdict_name(ev->verdict), out, dec);
	cli_trace_endpoint(ev->family, ev->src, ports, ev->sport, src,
			   sizeof(src));
	cli_trace_endpoint(ev->family, ev->dst, ports, ev->dport, dst,
			   sizeof(dst));
	/* with the VIP noted, the decision names the backend */
	if ((ev->flags & SLUICE_TRACE_F_ENCAP) &&
	    !(ev->d.flags & SLUICE_TRACE_D_VIP)) {
		char t[INET6_ADDRSTRLEN] = "?";

		inet_ntop(ev->tun_family == AF_INET6 ? AF_INET6 : AF_INET,
			  ev->tun_dst, t, sizeof(t));
		snprintf(tun, sizeof(tun), " backend %s", t);
	}
	return snprintf(buf, len, "%s in %s %s > %s %s len %u %s %s out %s%s%s",
			hook, in, src, dst,
			proto_name(ev->proto, pn, sizeof(pn)), ev->len,
			dp_reason_name(ev->reason), verdict_name(ev->verdict),
			out, tun, dec);
}

static volatile sig_atomic_t stop_now;

static void on_signal(int sig)
{
	(void)sig;
	stop_now = 1;
}

struct sink {
	const struct cli_trace *t;
	FILE *pcap;
	int64_t mono_to_real_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	uint64_t shown;
	int err;
};

static int64_t ns_of(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int cli_trace_json(const struct sluice_trace_event *ev, uint64_t real_ns,
		   const char *line, FILE *out)
{
	json_object *o = json_object_new_object();
	const char *s;

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "ts_ns",
			       json_object_new_int64((int64_t)real_ns));
	json_object_object_add(
		o, "reason",
		json_object_new_string(dp_reason_name(ev->reason)));
	json_object_object_add(
		o, "verdict",
		json_object_new_string(verdict_name(ev->verdict)));
	json_object_object_add(o, "ifindex",
			       json_object_new_int64(ev->ifindex));
	json_object_object_add(o, "egress_ifindex",
			       json_object_new_int64(ev->egress_ifindex));
	json_object_object_add(o, "len", json_object_new_int64(ev->len));
	cli_trace_decision_json(ev, o);
	json_object_object_add(o, "text", json_object_new_string(line));
	/* '/' as is, as in all of sluicectl's JSON: "vip 198.18.100.1:80/tcp" */
	s = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s)
		fprintf(out, "%s\n", s);
	json_object_put(o);
	return s ? 0 : -ENOMEM;
}

static int on_event(void *arg, const struct sluice_trace_event *ev)
{
	struct sink *s = arg;
	uint64_t real_ns = (uint64_t)((int64_t)ev->ts_ns + s->mono_to_real_ns);
	time_t sec = (time_t)(real_ns / 1000000000);
	char line[768], when[32];
	struct tm tm;

	if (s->t->count && s->shown >= s->t->count)
		return 1;
	cli_trace_line(ev, line, sizeof(line));
	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (s->t->json) {
		cli_trace_json(ev, real_ns, line, stdout);
	} else {
		printf("%s.%06u %s\n", when,
		       (unsigned int)(real_ns % 1000000000 / 1000), line);
	}
	if (s->pcap && pcapng_frame(s->pcap, real_ns / 1000, ev->data,
				    ev->cap_len, ev->len, line)) {
		s->err = -EIO;
		return -EIO;
	}
	s->shown++;
	return s->t->count && s->shown >= s->t->count ? 1 : 0;
}

static void report(struct dp_trace *dt, const struct sink *s, bool final)
{
	struct sluice_trace_stats st;

	if (dp_trace_stats(dt, &st))
		return;
	if (final || st.lost)
		fprintf(stderr,
			"trace: %" PRIu64 " shown, %llu matched, %llu "
			"emitted, %llu lost (ring full)\n",
			s->shown, (unsigned long long)st.matched,
			(unsigned long long)st.emitted,
			(unsigned long long)st.lost);
}

static int trace_run(const struct cli_trace *t)
{
	struct sink s = { .t = t };
	struct dp_trace *dt = NULL;
	int64_t last = ns_of(CLOCK_MONOTONIC);
	struct sigaction sa = { .sa_handler = on_signal };
	int err, rc = CLI_EXIT_OK;

	err = dp_trace_open_pinned(&dt, t->pin_dir);
	if (err && !strcmp(t->pin_dir_from, "the default")) {
		/* sluiced did not say where it pins: it may not run, or
		 * --api points elsewhere */
		cli_error("trace: cannot open the trace maps in %s: %s (the "
			  "default: sluiced did not answer at %s; is it "
			  "running? --pin-dir DIR names its pin directory)",
			  t->pin_dir, strerror(-err), cli.api);
		return CLI_EXIT_ERR;
	}
	if (err) {
		cli_error("trace: cannot open the trace maps in %s (%s): %s "
			  "(is sluiced running%s, and are you root?)",
			  t->pin_dir, t->pin_dir_from, strerror(-err),
			  strcmp(t->pin_dir_from, "--pin-dir") ?
				  "" :
				  " with this --pin-dir");
		return CLI_EXIT_ERR;
	}
	if (t->pcap) {
		s.pcap = fopen(t->pcap, "wb");
		if (!s.pcap ||
		    pcapng_begin(s.pcap, SLUICE_TRACE_CAP,
				 "sluicectl trace " SLUICE_VERSION)) {
			cli_error("trace: cannot write --pcap '%s': %s",
				  t->pcap, strerror(errno));
			rc = CLI_EXIT_ERR;
			goto close;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	s.mono_to_real_ns = ns_of(CLOCK_REALTIME) - ns_of(CLOCK_MONOTONIC);
	err = dp_trace_start(dt, &t->cfg);
	if (err == -EBUSY) {
		cli_error("trace: a trace is running already (pid %d): one at "
			  "a time, since they share the filter",
			  (int)dp_trace_owner(dt));
		rc = CLI_EXIT_ERR;
		goto close;
	}
	if (err) {
		cli_error("trace: cannot switch the trace on: %s",
			  strerror(-err));
		rc = CLI_EXIT_ERR;
		goto close;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fprintf(stderr, "trace: on (%s)\n", t->pin_dir);
	while (!stop_now) {
		err = dp_trace_poll(dt, 200, on_event, &s);
		if (t->count && s.shown >= t->count)
			break;
		if (err < 0) {
			cli_error("trace: %s", strerror(-err));
			rc = CLI_EXIT_ERR;
			break;
		}
		if (ns_of(CLOCK_MONOTONIC) - last >= 1000000000) {
			last = ns_of(CLOCK_MONOTONIC);
			report(dt, &s, false);
			/* a sluiced restarted without its pins runs other
			 * maps: this trace would show nothing more */
			if (dp_trace_pinned_still(dt, t->pin_dir) == 0) {
				cli_error(
					"trace: the maps this trace reads are "
					"no longer pinned in %s (sluiced "
					"restarted without --keep-on-exit?): "
					"run it again",
					t->pin_dir);
				rc = CLI_EXIT_ERR;
				break;
			}
		}
	}
	dp_trace_stop(dt);
	report(dt, &s, true);
close:
	if (s.pcap && fclose(s.pcap) && rc == CLI_EXIT_OK) {
		cli_error("trace: --pcap '%s': %s", t->pcap, strerror(errno));
		rc = CLI_EXIT_ERR;
	}
	dp_trace_close(dt);
	return rc;
}

/* GET /v1/status, or NULL: no answer is no error here, trace then tries
 * the default pin directory. */
static json_object *status_doc(void)
{
	struct http_resp resp;
	json_object *doc = NULL;
	char err[512];

	if (http_request_ca(&cli.ep, cli.token, cli.cacert, "GET", "/v1/status",
			    NULL, &resp, err, sizeof(err)))
		return NULL;
	if (resp.status == 200 && resp.body)
		doc = json_tokener_parse(resp.body);
	http_resp_free(&resp);
	return doc;
}

int do_trace(int argc, char **argv)
{
	json_object *status = NULL;
	struct cli_trace t;
	char err[256];
	int rc;

	if (cli_trace_args(argc, argv, &t, err, sizeof(err))) {
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (t.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	t.json = t.json || cli.json;
	/* sluiced may pin elsewhere (its --pin-dir): it says where */
	if (!t.pin_dir)
		status = status_doc();
	t.pin_dir = cli_trace_pin_dir(t.pin_dir, status, &t.pin_dir_from);
	rc = trace_run(&t);
	json_object_put(status);
	return rc;
}
