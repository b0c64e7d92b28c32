// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluiced: loads the XDP data path, mirrors the kernel's links, routes and
 * neighbours into its maps, runs the load balancer's VIPs, and serves the
 * REST API.  One thread, one epoll loop: netlink events, API connections,
 * backend health checks and signals.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include "api.h"
#include "api_tls.h"
#include "caps.h"
#include "bpffs.h"
#include "config.h"
#include "dir_lock.h"
#include "ct.h"
#include "ddos.h"
#include "explain.h"
#include "endpoint.h"
#include "dp.h"
#include "dp_ct.h"
#include "health.h"
#include "lb.h"
#include "log.h"
#include "loop.h"
#include "nat.h"
#include "node.h"
#include "lb_announce.h"
#include "steer.h"
#include "l7.h"
#include "neigh_probe.h"
#include "pin_dir_check.h"
#include "fwd.h"
#include "netlink.h"
#include "resync.h"
#include "opts.h"
#include "state.h"
#include "version.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum {
	OPT_CONFIG,
	OPT_INTERFACE,
	OPT_TC_INTERFACE,
	OPT_PIN_DIR,
	OPT_STATE_DIR,
	OPT_API,
	OPT_API_TOKEN,
	OPT_API_TLS_CERT,
	OPT_API_TLS_KEY,
	OPT_XDP_MODE,
	OPT_KEEP,
	OPT_EXPLAIN,
	OPT_LOG_LEVEL,
	OPT_ROLE,
	OPT_CHECK,
	OPT_API_ROUTES,
	OPT_HELP,
	OPT_VERSION,
};

static const struct opt_def opts[] = {
	[OPT_CONFIG] = { "config", 'c', OPT_ARG_REQUIRED, "FILE",
			 "JSON configuration (flags override it)" },
	[OPT_INTERFACE] = { "interface", 'i', OPT_ARG_REQUIRED, "IF",
			    "attach to IF (repeatable)" },
	[OPT_TC_INTERFACE] = { "tc-interface", 0, OPT_ARG_REQUIRED, "IF",
			       "attach the TC program to IF instead of\n"
			       "XDP: ports whose traffic starts in\n"
			       "containers (repeatable)" },
	[OPT_PIN_DIR] = { "pin-dir", 'p', OPT_ARG_REQUIRED, "DIR",
			  "pin maps and links here [" CFG_DEFAULT_PIN_DIR "]" },
	[OPT_STATE_DIR] = { "state-dir", 0, OPT_ARG_REQUIRED, "DIR",
			    "keep the load balancer's VIPs, as\n"
			    "changed through the API, in DIR/lb.json\n"
			    "across restarts [" CFG_DEFAULT_STATE_DIR "]" },
	[OPT_API] = { "api", 'a', OPT_ARG_REQUIRED, "SPEC",
		      "unix:PATH or tcp:ADDR:PORT (repeatable)\n"
		      "[" SLUICE_DEFAULT_API "]" },
	[OPT_API_TOKEN] = { "api-token", 't', OPT_ARG_REQUIRED, "TOKEN",
			    "bearer token, required for tcp: APIs" },
	[OPT_API_TLS_CERT] = { "api-tls-cert", 0, OPT_ARG_REQUIRED, "FILE",
			       "HTTPS on the tcp: APIs: this PEM\n"
			       "certificate (with --api-tls-key)" },
	[OPT_API_TLS_KEY] = { "api-tls-key", 0, OPT_ARG_REQUIRED, "FILE",
			      "... and this PEM private key" },
	[OPT_XDP_MODE] = { "xdp-mode", 'm', OPT_ARG_REQUIRED, "MODE",
			   "auto|native|generic [auto]" },
	[OPT_KEEP] = { "keep-on-exit", 'k', OPT_ARG_NONE, NULL,
		       "leave XDP attached and maps pinned on exit" },
	[OPT_EXPLAIN] = { "explain", 0, OPT_ARG_NONE, NULL,
			  "load a copy of the XDP program for\n"
			  "POST /v1/explain (docs/explain.md)" },
	[OPT_LOG_LEVEL] = { "log-level", 'l', OPT_ARG_REQUIRED, "LEVEL",
			    "err|warn|info|debug [info]" },
	[OPT_ROLE] = { "role", 0, OPT_ARG_REQUIRED, "ROLE",
		       "router (router + load balancer) or\n"
		       "backend (decapsulates for a balancer)\n"
		       "[router]" },
	[OPT_CHECK] = { "check-config", 0, OPT_ARG_NONE, NULL,
			"validate the configuration and exit" },
	[OPT_API_ROUTES] = { "api-routes", 0, OPT_ARG_NONE, NULL,
			     "print the API's routes (METHOD PATH) and\n"
			     "exit (docs/openapi.yaml)" },
	[OPT_HELP] = { "help", 'h', OPT_ARG_NONE, NULL, "this text" },
	[OPT_VERSION] = { "version", 'V', OPT_ARG_NONE, NULL,
			  "print the version" },
};
_Static_assert(ARRAY_SIZE(opts) <= OPTS_MAX, "opts_getopt_init takes them all");

static void usage(FILE *f)
{
	static const struct opts_help_style style = {
		.indent = 2,
		.col = 27,
		.align_long = true,
	};

	fputs("Usage: sluiced [OPTIONS]\n"
	      "XDP router and load balancer: mirrors kernel routes and neighbours\n"
	      "into eBPF maps and balances VIPs over backends (Maglev).\n\n",
	      f);
	opts_help(f, opts, ARRAY_SIZE(opts), &style);
}

/* The file first, then the flags on top of it; a repeated flag replaces the
 * file's list rather than appending to it. */
static int load_config(int argc, char **argv, struct sluiced_config *cfg,
		       bool *check_only)
{
	bool flag_ifaces = false, flag_tc_ifaces = false, flag_apis = false;
	struct opts_getopt g;
	char err[512] = "";
	int opt, rc = 0;

	opts_getopt_init(&g, opts, ARRAY_SIZE(opts), false);
	opterr = 0;
	while ((opt = opts_next(&g, argc, argv)) != OPTS_END) {
		if (opt == OPT_CONFIG) {
			rc = config_load_file(cfg, optarg, err, sizeof(err));
			if (rc)
				goto out;
		}
	}
	optind = 1;
	opterr = 1;
	while ((opt = opts_next(&g, argc, argv)) != OPTS_END) {
		switch (opt) {
		case OPT_CONFIG: break;
		case OPT_INTERFACE:
			if (!flag_ifaces)
				config_clear_ifaces(cfg);
			flag_ifaces = true;
			rc = config_add_iface(cfg, optarg, err, sizeof(err));
			break;
		case OPT_TC_INTERFACE:
			if (!flag_tc_ifaces)
				config_clear_tc_ifaces(cfg);
			flag_tc_ifaces = true;
			rc = config_add_tc_iface(cfg, optarg, err, sizeof(err));
			break;
		case OPT_PIN_DIR:
			rc = config_set_pin_dir(cfg, optarg, err, sizeof(err));
			break;
		case OPT_STATE_DIR:
			rc = config_set_state_dir(cfg, optarg, err,
						  sizeof(err));
			break;
		case OPT_API:
			if (!flag_apis)
				config_clear_apis(cfg);
			flag_apis = true;
			rc = config_add_api(cfg, optarg, err, sizeof(err));
			break;
		case OPT_API_TOKEN:
			rc = config_set_token(cfg, optarg, err, sizeof(err));
			break;
		case OPT_API_TLS_CERT:
			rc = config_set_tls_cert(cfg, optarg, err, sizeof(err));
			break;
		case OPT_API_TLS_KEY:
			rc = config_set_tls_key(cfg, optarg, err, sizeof(err));
			break;
		case OPT_XDP_MODE:
			rc = config_set_xdp_mode(cfg, optarg, err, sizeof(err));
			break;
		case OPT_KEEP: cfg->keep_on_exit = true; break;
		case OPT_EXPLAIN: cfg->explain = true; break;
		case OPT_LOG_LEVEL:
			rc = config_set_log_level(cfg, optarg, err,
						  sizeof(err));
			break;
		case OPT_CHECK: *check_only = true; break;
		case OPT_ROLE:
			rc = config_set_role(cfg, optarg, err, sizeof(err));
			break;
		case OPT_API_ROUTES: api_routes_print(stdout); exit(0);
		case OPT_HELP: usage(stdout); exit(0);
		case OPT_VERSION:
			printf("sluiced %s\n", SLUICE_VERSION);
			exit(0);
		default: usage(stderr); return -EINVAL;
		}
		if (rc)
			goto out;
	}
	if (optind < argc) {
		snprintf(err, sizeof(err), "unexpected argument '%s'",
			 argv[optind]);
		rc = -EINVAL;
		goto out;
	}
	if (!cfg->pin_dir)
		rc = config_set_pin_dir(cfg, CFG_DEFAULT_PIN_DIR, err,
					sizeof(err));
	if (!rc && !cfg->state_dir)
		rc = config_set_state_dir(cfg, CFG_DEFAULT_STATE_DIR, err,
					  sizeof(err));
	if (!rc && !cfg->n_apis)
		rc = config_add_api(cfg, SLUICE_DEFAULT_API, err, sizeof(err));
	if (!rc && !cfg->n_ifaces && !cfg->n_tc_ifaces) {
		snprintf(err, sizeof(err),
			 "interfaces: none given (--interface IF or "
			 "\"interfaces\" in the config file)");
		rc = -EINVAL;
	}
	if (!rc)
		rc = config_validate(cfg, err, sizeof(err));
out:
	if (rc)
		fprintf(stderr, "sluiced: %s\n", err);
	return rc;
}

/*
 * Which VIPs to run: the state file's when there is one (what the API left,
 * the record of the running service), else the config file's lb.vips (the
 * first start).  Read before anything touches the data path, so that a
 * state file sluiced cannot use stops it before it changes anything: it is
 * never silently replaced by the config's VIPs.
 */
/* fwd_new()'s error: from the config's "fw" section, in the format of
 * every other config error (load_config(), config_load_file()), since
 * only the firewall parses that section; else (fw.json, or applying it)
 * logged. */
static void fw_error(const struct sluiced_config *cfg, const char *err)
{
	if (cfg->fw && cfg->fw_file && !fwd_state_exists(cfg->state_dir))
		fprintf(stderr, "sluiced: config: %s: %s\n", cfg->fw_file, err);
	else
		pr_err("fw: %s", err);
}

/* The firewall: fw.json, or the config's "fw" at the first start. */
static int start_fw(const struct sluiced_config *cfg, struct dp *dp,
		    struct state *st, struct fwd **fw)
{
	char err[512];
	int rc = fwd_new(fw, dp, fwd_slot_state, st, cfg->state_dir, cfg->fw,
			 err, sizeof(err));

	if (rc)
		fw_error(cfg, err);
	return rc;
}

/* --check-config: the firewall's fw.json or "fw" section parses, its
 * set files read.  Interfaces are checked at start, when the VLAN
 * subinterfaces are known too: any name passes here. */
static int any_slot(const char *iface, void *arg)
{
	(void)iface;
	(void)arg;
	return 1;
}

static int check_fw(const struct sluiced_config *cfg)
{
	struct fwd *fw = NULL;
	char err[512];
	int rc = fwd_new(&fw, NULL, any_slot, NULL, cfg->state_dir, cfg->fw,
			 err, sizeof(err));

	if (rc)
		fw_error(cfg, err);
	fwd_free(fw);
	return rc;
}

struct lb_start {
	char path[256];
	struct lb_vip_spec *vips; /* the state file's, or NULL */
	size_t n;
	bool from_state;
};

static int lb_start_read(const struct sluiced_config *cfg, struct lb_start *ls)
{
	char err[640];
	int rc;

	snprintf(ls->path, sizeof(ls->path), "%s/%s", cfg->state_dir,
		 LB_STATE_FILE);
	rc = lb_state_read(ls->path, &ls->vips, &ls->n, err, sizeof(err));
	if (rc == -ENOENT)
		return 0;
	if (rc) {
		pr_err("lb: %s; not starting (fix or move the file: it holds "
		       "the VIPs changed through the API)",
		       err);
		return rc;
	}
	ls->from_state = true;
	return 0;
}

/* The load balancer: health checks, then the VIPs (lb_start_read) over
 * whatever a previous run left pinned (adopted, not rebuilt). */
static int start_lb(const struct sluiced_config *cfg, struct dp *dp,
		    const struct lb_start *ls, struct lb **lbp,
		    struct health **hcp)
{
	const struct lb_vip_spec *vips = ls->from_state ? ls->vips : cfg->vips;
	size_t n = ls->from_state ? ls->n : (size_t)cfg->n_vips;
	char err[512];
	int rc;

	rc = lb_new(lbp, dp, &lb_dp_bpf, NULL, &cfg->lb);
	if (!rc)
		rc = lb_set_state_dir(*lbp, cfg->state_dir);
	if (rc) {
		pr_err("lb: %s", strerror(-rc));
		return rc;
	}
	rc = health_new(hcp, lb_health_event, *lbp);
	if (rc) {
		pr_err("health: %s", strerror(-rc));
		return rc;
	}
	lb_set_health(*lbp, *hcp);
	if (ls->from_state)
		pr_info("lb: %zu VIPs from the state file %s (it wins over the "
			"config file's lb.vips%s)",
			n, ls->path, cfg->n_vips ? ", not used" : "");
	else
		pr_info("lb: %zu VIPs from the config file's lb.vips (no state "
			"file %s yet: the first change through the API writes it)",
			n, ls->path);
	rc = lb_load(*lbp, vips, n, err, sizeof(err));
	if (rc)
		pr_err("lb: %s (VIPs from %s)", err,
		       ls->from_state ? ls->path : "the config file");
	return rc;
}

/* Conntrack's settings: the state file's (what the API left) when there is
 * one, else the config file's section, as lb.json and lb.vips.  Read
 * before the data path is touched, like lb_start_read. */
static int ct_start(const struct sluiced_config *cfg, struct ct_config *out,
		    bool *from_state)
{
	char err[700];
	int rc = ct_start_read(cfg->state_dir, &cfg->ct, out, from_state, err,
			       sizeof(err));

	if (rc)
		pr_err("conntrack: %s; not starting (fix or move the file: it "
		       "holds the settings changed through the API)",
		       err);
	return rc;
}

/* The DDoS guard: ddos.json when there is one, else the config file's
 * "ddos" section (docs/ddos.md). */
static int start_ddos(const struct sluiced_config *cfg, struct dp *dp,
		      struct ddos **out)
{
	char err[640];
	int rc = ddos_new(out, dp, cfg->state_dir, cfg->ddos, err, sizeof(err));

	if (rc)
		pr_err("ddos: %s; not starting (fix or move the state file: "
		       "it holds the blocklist and settings set through the "
		       "API)",
		       err);
	return rc;
}

/* NAT's rules: nat.json's when there is one, else the config file's "nat"
 * array, as ct_start; resolved and written by start_nat. */
struct nat_start {
	struct nat_rule *rules;
	size_t n;
	uint32_t next_id;
	bool from_state;
};

static int nat_start(const struct sluiced_config *cfg, struct nat_start *ns)
{
	char err[700];
	int rc = nat_start_read(cfg->state_dir, cfg->nat_rules,
				(size_t)cfg->n_nat_rules, &ns->rules, &ns->n,
				&ns->next_id, &ns->from_state, err,
				sizeof(err));

	if (rc)
		pr_err("nat: %s; not starting (fix or move the file: it holds "
		       "the rules changed through the API)",
		       err);
	return rc;
}

/* Steering's selectors: steer.json's, else the config file's "steer"
 * (docs/steering.md). */
static int start_steer(const struct sluiced_config *cfg, struct dp *dp,
		       struct state *st, struct steer **out)
{
	char err[700];
	int rc = steer_new(out, dp, nat_resolve_state, st, cfg->state_dir,
			   cfg->steer_sels, (size_t)cfg->n_steer_sels, err,
			   sizeof(err));

	if (rc)
		pr_err("steer: %s; not starting (fix or move the state file " STEER_STATE_FILE
		       ")",
		       err);
	return rc;
}

/* The L7 hop's settings, its cgroup checked against the filesystem now:
 * a start that would stop on it stops before anything is attached, and
 * --check-config refuses it as the start would. */
static int check_l7(const struct sluiced_config *cfg)
{
	char err[700];
	int rc = l7_check(cfg->state_dir, cfg->l7, err, sizeof(err));

	if (rc)
		fprintf(stderr, "sluiced: %s%s\n",
			strncmp(err, "state file ", 11) ? "config: " : "l7: ",
			err);
	return rc;
}

/* The L7 local hop (docs/l7.md): any role.  A kernel that refuses its
 * programs stops the start only when it was asked for (the config's
 * "l7" or a state file l7.json). */
static int start_l7(const struct sluiced_config *cfg, struct l7 **out)
{
	char err[700], path[512];
	bool asked = cfg->l7 != NULL;
	int rc;

	if (cfg->state_dir) {
		snprintf(path, sizeof(path), "%s/" L7_STATE_FILE,
			 cfg->state_dir);
		asked = asked || !access(path, F_OK);
	}
	rc = l7_new(out, cfg->pin_dir, cfg->state_dir, cfg->l7, err,
		    sizeof(err));
	if (rc && asked)
		pr_err("l7: %s; not starting", err);
	else if (rc)
		pr_warn("l7: %s; the L7 local hop is unavailable", err);
	return asked ? rc : 0;
}

static int start_nat(const struct sluiced_config *cfg, struct dp *dp,
		     struct state *st, struct ct *ct,
		     const struct nat_start *ns, struct nat **out)
{
	char err[700];
	int rc = nat_new(out, dp, &nat_dp_bpf, nat_resolve_state, st, ct,
			 cfg->state_dir);

	if (rc)
		return rc;
	rc = nat_load(*out, ns->rules, ns->n, ns->next_id, err, sizeof(err));
	if (rc) {
		pr_err("nat: %s (rules from %s)", err,
		       ns->from_state ? "the state file " NAT_STATE_FILE :
					"the config file");
		return rc;
	}
	pr_info("nat: %zu rules from %s", ns->n,
		ns->from_state ?
			"the state file " NAT_STATE_FILE
			" (it wins over the config file's nat)" :
			"the config file (no state file " NAT_STATE_FILE
			" yet: the first change through the API writes it)");
	return 0;
}

/* Each API listener may hold API_CONN_MAX connections, on top of the map,
 * netlink and health-check descriptors: a soft limit of 1024 (systemd's
 * and most shells' default) would run out first.  Past the limit MHD stops
 * accepting until a connection closes. */
static void raise_nofile(int n_apis)
{
	rlim_t need = (rlim_t)n_apis * API_CONN_MAX + 1024;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		pr_warn("cannot raise the open files limit to %llu: %s",
			(unsigned long long)rl.rlim_max, strerror(errno));
		return;
	}
	if (rl.rlim_cur < need)
		pr_warn("open files limit %llu (the hard limit) is below the "
			"%llu the API may use",
			(unsigned long long)rl.rlim_cur,
			(unsigned long long)need);
}

static uint64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* VIP routes (lb_announce.h) follow the LB from now on; the node's drain
 * (node.h).  Routes a previous run left are adopted, not withdrawn. */
static int start_announce(const struct sluiced_config *cfg, struct lb *lb,
			  struct announce **an, struct node **node)
{
	int rc = announce_new(an, &cfg->announce, lb);

	if (!rc)
		rc = node_new(node, *an, cfg->sigterm_grace_s);
	if (rc)
		return rc;
	lb_set_watch(lb, &(struct lb_watch){ .changed = announce_sync,
					     .announced = announce_vip,
					     .arg = *an });
	announce_sync(*an);
	return 0;
}

struct signal_watch {
	struct loop *loop;
	struct node *node;
	int sfd;
};

static void on_signal(void *arg)
{
	struct signal_watch *sw = arg;
	struct signalfd_siginfo si;

	if (read(sw->sfd, &si, sizeof(si)) != sizeof(si))
		return;
	/* with node.sigterm_grace_s: drain first, exit at its end */
	if (si.ssi_signo == SIGTERM && node_sigterm(sw->node))
		return;
	pr_info("signal %u: shutting down", si.ssi_signo);
	loop_stop(sw->loop);
}

struct netlink_watch {
	struct nlsock *ns;
	struct state *st;
	struct nat *nat; /* its rules follow their interfaces */
	struct resync rs;
};

static void on_netlink(void *arg)
{
	struct netlink_watch *nw = arg;
	int rc = nlsock_read_events(nw->ns, nw->st);

	if (rc == -ENOBUFS) {
		nw->st->nl_overruns++;
		resync_request(&nw->rs, RESYNC_FULL);
		rc = 0;
	}
	if (nw->st->routes_dirty)
		resync_request(&nw->rs, RESYNC_ROUTES);
	if (!rc)
		rc = resync_run(&nw->rs, nw->ns, nw->st);
	state_retry_refused(nw->st);
	nw->st->nl_resyncs_coalesced = nw->rs.coalesced;
	nat_sync_ifaces(nw->nat);
	if (rc)
		pr_err("netlink: %s", strerror(-rc));
}

/* Another resync is pending: come back after this round's events. */
static int netlink_due(void *arg, int max)
{
	struct netlink_watch *nw = arg;

	return resync_pending(&nw->rs) ? 0 : max;
}

static int run_loop(struct nlsock *ns, struct state *st, struct health *hc,
		    struct neigh_probe_nl *pn, struct lb *lb, struct ct *ct,
		    struct ddos *dd, struct nat *nat, struct node *node,
		    struct api **apis, int n_apis, int sfd)
{
	struct netlink_watch nw = { .ns = ns, .st = st, .nat = nat };
	struct signal_watch sw = { .sfd = sfd, .node = node };
	struct loop *l;
	int err;

	err = loop_new(&l);
	if (err)
		return err;
	sw.loop = l;
	if (node)
		node_loop_set(node, l);
	err = loop_add_fd(l, sfd, on_signal, &sw) ? 0 : -errno;
	if (!err) {
		struct loop_src *src =
			loop_add_fd(l, nlsock_fd(ns), on_netlink, &nw);

		if (src)
			loop_set_due(src, netlink_due);
		else
			err = -errno;
	}
	/* checks run here, between API requests: a slow backend costs a
	 * probe socket, never the loop */
	if (!err && hc)
		err = health_loop_add(hc, l);
	if (!err && pn)
		err = neigh_probe_nl_loop_add(pn, l);
	/* state file writes coalesced, flows counted on a timer */
	if (!err && lb)
		err = lb_loop_add(lb, l);
	/* the heaviest sources of a nearly full table, walked in slices */
	if (!err && ct)
		err = ct_loop_add(ct, l);
	/* blocklist expiry and ddos.json writes */
	if (!err && dd)
		err = ddos_loop_add(dd, l);
	for (int i = 0; i < n_apis && !err; i++)
		err = api_loop_add(apis[i], l);
	if (!err)
		err = loop_run(l);
	/* a change the API acknowledged is in the state file before exit */
	if (lb)
		lb_loop_del(lb);
	if (ct)
		ct_loop_del(ct);
	ddos_loop_del(dd);
	if (node)
		node_loop_set(node, NULL);
	loop_free(l);
	return err;
}

/* --check-config: an interface that does not exist (yet) is valid, since
 * sluiced attaches it when it appears; but a typo should not pass
 * unnoticed, so it is named (stdout, the exit status unchanged). */
static void check_ifaces_exist(const struct sluiced_config *cfg)
{
	for (int i = 0; i < cfg->n_ifaces + cfg->n_tc_ifaces; i++) {
		const char *name = i < cfg->n_ifaces ?
					   cfg->ifaces[i] :
					   cfg->tc_ifaces[i - cfg->n_ifaces];

		if (!if_nametoindex(name))
			printf("sluiced: note: interface %s does not exist in "
			       "this namespace now; it is attached when it "
			       "appears\n",
			       name);
	}
}

/* dp_links_prune()'s question: is @ifname one of the XDP ports? */
static bool xdp_port_configured(const char *ifname, void *arg)
{
	const struct sluiced_config *cfg = arg;

	for (int i = 0; i < cfg->n_ifaces; i++)
		if (!strcmp(cfg->ifaces[i], ifname))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct api *apis[CFG_MAX_APIS] = {};
	struct sluiced_config cfg;
	struct nlsock *ns = NULL;
	struct neigh_probe_nl *pn = NULL;
	struct health *hc = NULL;
	struct lb *lb = NULL;
	struct ct *ct = NULL;
	struct ct_config ct_cfg = {};
	struct ddos *dd = NULL;
	struct nat *nat = NULL;
	struct nat_start nst = {};
	struct steer *steer = NULL;
	struct l7 *l7 = NULL;
	struct fwd *fw = NULL;
	struct announce *an = NULL;
	struct node *node = NULL;
	struct dp *dp = NULL;
	struct api_ctx actx;
	struct api_tls tls = {};
	struct state st;
	struct lb_start ls = {};
	bool check_only = false, have_state = false, ct_from_state = false;
	char tls_err[600], lock_err[600], pin_err[600];
	sigset_t mask;
	int err, sfd = -1, n_apis = 0, pin_lock = -1, state_lock = -1;
	int lock_wait_ms;

	config_init(&cfg);
	err = load_config(argc, argv, &cfg, &check_only);
	if (err)
		goto out_cfg;
	log_set_level(cfg.log_level);
	/* read now, while sluiced may still read any file; a bad one stops
	 * it (and --check-config) before anything is touched */
	err = api_tls_load(&cfg, &tls, tls_err, sizeof(tls_err));
	if (err) {
		fprintf(stderr, "sluiced: %s\n", tls_err);
		goto out_cfg;
	}
	/* a backend balances nothing: no state file to read */
	if (cfg.role == DP_ROLE_ROUTER) {
		err = lb_start_read(&cfg, &ls);
		if (!err)
			err = ct_start(&cfg, &ct_cfg, &ct_from_state);
		if (!err)
			err = nat_start(&cfg, &nst);
		if (err)
			goto out_cfg;
	}
	err = check_l7(&cfg);
	if (err)
		goto out_cfg;
	err = pin_dir_check(cfg.pin_dir, pin_err, sizeof(pin_err));
	if (err) {
		fprintf(stderr, "sluiced: config: %s\n", pin_err);
		goto out_cfg;
	}
	if (check_only && cfg.role == DP_ROLE_ROUTER) {
		err = check_fw(&cfg);
		if (err)
			goto out_cfg;
	}
	if (check_only) {
		printf("sluiced: configuration is valid (%d interfaces, role %s, "
		       "%d VIPs",
		       cfg.n_ifaces + cfg.n_tc_ifaces,
		       config_role_name(cfg.role), cfg.n_vips);
		if (ls.from_state)
			printf("; the state file %s with %zu VIPs is used "
			       "instead",
			       ls.path, ls.n);
		if (ct_from_state)
			printf("; conntrack settings from the state file "
			       "%s/%s",
			       cfg.state_dir, CT_STATE_FILE);
		printf("; %zu NAT rules from %s", nst.n,
		       nst.from_state ? "the state file " NAT_STATE_FILE :
					"the config file");
		printf(")\n");
		check_ifaces_exist(&cfg);
		goto out_cfg;
	}
	/* a missing capability is named before anything is touched */
	err = caps_check_start();
	if (err)
		goto out_cfg;
	dp_log_route_libbpf();
	raise_nofile(cfg.n_apis);

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		err = -errno;
		goto out_cfg;
	}

	err = bpffs_ensure(cfg.pin_dir, cfg.keep_on_exit);
	if (err)
		goto out_api;
	/* one sluiced per pin dir and state dir, before either is touched;
	 * an old one given SIGTERM may forward for its grace period first */
	lock_wait_ms = DIR_LOCK_WAIT_MS + (int)cfg.sigterm_grace_s * 1000;
	err = dir_lock(cfg.pin_dir, "pin dir", 0700, lock_wait_ms, &pin_lock,
		       lock_err, sizeof(lock_err));
	if (!err)
		err = dir_lock(cfg.state_dir, "state dir", 0755, lock_wait_ms,
			       &state_lock, lock_err, sizeof(lock_err));
	if (err) {
		pr_err("%s", lock_err);
		goto out_pin_dir;
	}
	/* The listeners, once both dirs are ours: an upgrade starts the new
	 * sluiced with the old one's flags while the old one runs, and it
	 * waits above until the old one has stopped and closed its socket.
	 * One that cannot be had (a file in the way, another program's
	 * socket) stops us before the data path is touched.  Nothing is
	 * served before run_loop, so actx is filled in later. */
	for (int i = 0; i < cfg.n_apis; i++) {
		err = api_start(&apis[n_apis], cfg.apis[i], cfg.api_token, &tls,
				&actx);
		if (err)
			goto out_pin_dir;
		n_apis++;
	}
	err = dp_open(&dp, &(struct dp_opts){
				   .pin_dir = cfg.pin_dir,
				   .lb_max_flows = cfg.lb.max_flows,
				   .fib4_groups = cfg.fib_v4_groups,
				   .fib6_groups = cfg.fib_v6_groups,
				   .fib6_index_slots = cfg.fib_v6_index_slots,
				   .fib6_index_off = cfg.fib_v6_index_set &&
						     !cfg.fib_v6_index_slots,
				   .ct_max_entries = cfg.ct.max_entries,
				   .role = cfg.role,
				   .load_tc = cfg.n_tc_ifaces > 0,
			   });
	if (err)
		goto out_api;
	pr_info("data path loaded (role %s), maps %s %s",
		config_role_name(cfg.role),
		dp_maps_reused(dp) ? "adopted from" : "pinned in", cfg.pin_dir);

	state_init(&st, dp, &state_dp_bpf, &cfg);
	have_state = true;
	if (dp_maps_reused(dp)) {
		err = state_seed_from_maps(&st);
		if (err)
			goto out_dp;
	}
	/* A router resolves the gateways its routes use (without it, one
	 * nobody pinged stays pass_no_neigh); it follows the dump below. */
	if (cfg.role == DP_ROLE_ROUTER) {
		err = neigh_probe_nl_new(&pn, &st);
		if (err)
			pr_warn("neigh probe: %s; unresolved gateways wait for "
				"the kernel to resolve them",
				strerror(-err));
		else
			st.probe = neigh_probe_nl_probe(pn);
		/* frames the kernel drops after a redirect, per port (logged
		 * when it cannot: forwarding goes on without these counts) */
		dp_xmit_attach(dp);
	}
	/* Subscribe before dumping: what changes during the dump is queued. */
	err = nlsock_open(&ns);
	if (err) {
		pr_err("netlink: %s", strerror(-err));
		goto out_dp;
	}
	/* nothing pinned: until the firewall, the VIPs and NAT are in the
	 * maps, the ports' packets go to the kernel, as before we ran,
	 * not through a half-loaded data path (pass_not_ready) */
	st.hold_ports = cfg.role == DP_ROLE_ROUTER && !dp_maps_reused(dp);
	err = nlsock_dump_all(ns, &st);
	if (!err)
		err = state_reconcile(&st);
	st.routes_dirty = false;
	if (err)
		goto out_nl;
	/* the configured ports are attached: a port an earlier run kept
	 * and this configuration dropped loses its program now */
	dp_links_prune(dp, xdp_port_configured, &cfg);
	for (int i = 0; i < cfg.n_ifaces + cfg.n_tc_ifaces; i++)
		if (st.ifaces[i].state == IF_ABSENT)
			pr_warn("iface %s: not present; will attach when it "
				"appears",
				st.ifaces[i].name);
	pr_info("mirrored %llu IPv4 and %llu IPv6 routes, %u neighbours",
		(unsigned long long)st.routes_programmed[0],
		(unsigned long long)st.routes_programmed[1],
		HASH_CNT(hh, st.neighs));

	/* The backend role only decapsulates (lib/dp attaches sluice_decap
	 * and state.c mirrors the local addresses): no VIPs to run. */
	if (cfg.role == DP_ROLE_ROUTER) {
		/* conntrack before the VIPs: a full-NAT one needs it on in
		 * the data path, or its packets are dropped in between */
		err = ct_new(&ct, dp, &ct_dp_bpf, &ct_cfg, cfg.state_dir);
		if (!err)
			err = start_lb(&cfg, dp, &ls, &lb, &hc);
		if (err)
			goto out_lb;
		pr_info("conntrack: %s, capacity %u, settings from %s",
			ct_cfg.enabled ? "enabled" : "disabled",
			dp_ct_capacity(dp),
			ct_from_state ?
				"the state file " CT_STATE_FILE
				" (it wins over the config file's conntrack section)" :
				"the config file (no state file " CT_STATE_FILE
				" yet: the first change through the API writes it)");
		err = start_ddos(&cfg, dp, &dd);
		if (!err)
			err = start_nat(&cfg, dp, &st, ct, &nst, &nat);
		if (err)
			goto out_lb;
		err = start_fw(&cfg, dp, &st, &fw);
		if (!err)
			err = start_steer(&cfg, dp, &st, &steer);
		if (!err)
			err = start_announce(&cfg, lb, &an, &node);
		if (err)
			goto out_lb;
	}

	err = start_l7(&cfg, &l7);
	if (err)
		goto out_lb;
	if (st.hold_ports) {
		state_release_ports(&st);
		pr_info("ports: forwarding (the firewall, VIPs and NAT are "
			"loaded)");
	}
	if (cfg.explain && cfg.role == DP_ROLE_ROUTER)
		explain_prepare(dp); /* a load: needs CAP_PERFMON */
	/* loaded, attached, pinned: keep only what running needs */
	err = caps_drop_to_runtime();
	if (err)
		goto out_lb;
	actx = (struct api_ctx){ .st = &st,
				 .cfg = &cfg,
				 .lb = lb,
				 .ct = ct,
				 .ddos = dd,
				 .nat = nat,
				 .fw = fw,
				 .steer = steer,
				 .l7 = l7,
				 .node = node,
				 .started_at = mono_s() };
	err = run_loop(ns, &st, hc, pn, lb, ct, dd, nat, node, apis, n_apis,
		       sfd);
	/* no longer served: clients see that at once, not after teardown */
	for (; n_apis > 0; n_apis--)
		api_stop(apis[n_apis - 1]);

out_lb:
	/* before the LB: its last changes call nobody; routes stay */
	if (lb)
		lb_set_watch(lb, &(struct lb_watch){});
	node_free(node);
	announce_free(an, !cfg.keep_on_exit);
	steer_free(steer);
	l7_free(l7, !cfg.keep_on_exit);
	nat_free(nat);
	ct_free(ct);
	ddos_free(dd);
	fwd_free(fw);
	lb_free(lb);
	health_free(hc);
out_nl:
	nlsock_close(ns);
out_dp:
	if (have_state) {
		/* the entries it created go, unless the data path stays */
		st.probe = NULL;
		neigh_probe_nl_free(pn, !cfg.keep_on_exit);
		state_shutdown(&st, cfg.keep_on_exit);
		state_free(&st);
	}
	dp_close(dp);
	goto out_api;
out_pin_dir:
	/* refused before the data path was opened: no empty pin dir of ours
	 * left behind (rmdir takes only an empty one) */
	if (pin_lock >= 0) {
		close(pin_lock);
		pin_lock = -1;
		rmdir(cfg.pin_dir);
	}
out_api:
	for (int i = 0; i < n_apis; i++)
		api_stop(apis[i]);
	/* last, once the pins are as this stop leaves them: a successor
	 * waiting for the locks starts only then */
	if (state_lock >= 0)
		close(state_lock);
	if (pin_lock >= 0)
		close(pin_lock);
	if (sfd >= 0)
		close(sfd);
out_cfg:
	lb_vip_specs_free(ls.vips, ls.n);
	free(nst.rules);
	api_tls_free(&tls);
	config_free(&cfg);
	return err ? 1 : 0;
}
