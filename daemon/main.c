// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluiced: loads the XDP data path, mirrors the kernel's links, routes and
 * neighbours into its maps, runs the load balancer's VIPs, and serves the
 * REST API.  One thread, one epoll loop: netlink events, API connections,
 * backend health checks and signals.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "api.h"
#include "config.h"
#include "endpoint.h"
#include "dp.h"
#include "health.h"
#include "lb.h"
#include "log.h"
#include "netlink.h"
#include "state.h"

#define BPF_FS_MAGIC 0xcafe4a11

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sluiced [OPTIONS]\n"
		"XDP router and load balancer: mirrors kernel routes and neighbours\n"
		"into eBPF maps and balances VIPs over backends (Maglev).\n\n"
		"  -c, --config FILE        JSON configuration (flags override it)\n"
		"  -i, --interface IF       attach to IF (repeatable)\n"
		"  -p, --pin-dir DIR        pin maps and links here [%s]\n"
		"      --state-dir DIR      keep the load balancer's VIPs, as\n"
		"                           changed through the API, in DIR/lb.json\n"
		"                           across restarts [%s]\n"
		"  -a, --api SPEC           unix:PATH or tcp:ADDR:PORT (repeatable)\n"
		"                           [%s]\n"
		"  -t, --api-token TOKEN    bearer token, required for tcp: APIs\n"
		"  -m, --xdp-mode MODE      auto|native|generic [auto]\n"
		"  -k, --keep-on-exit       leave XDP attached and maps pinned on exit\n"
		"  -l, --log-level LEVEL    err|warn|info|debug [info]\n"
		"      --role ROLE          router (router + load balancer) or\n"
		"                           backend (decapsulates for a balancer)\n"
		"                           [router]\n"
		"      --check-config       validate the configuration and exit\n"
		"  -h, --help               this text\n"
		"  -V, --version            print the version\n",
		CFG_DEFAULT_PIN_DIR, CFG_DEFAULT_STATE_DIR, SLUICE_DEFAULT_API);
}

enum { OPT_CHECK = 1000, OPT_ROLE, OPT_STATE_DIR };

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "interface", required_argument, NULL, 'i' },
	{ "pin-dir", required_argument, NULL, 'p' },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "api", required_argument, NULL, 'a' },
	{ "api-token", required_argument, NULL, 't' },
	{ "xdp-mode", required_argument, NULL, 'm' },
	{ "keep-on-exit", no_argument, NULL, 'k' },
	{ "log-level", required_argument, NULL, 'l' },
	{ "check-config", no_argument, NULL, OPT_CHECK },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
static const char short_opts[] = "c:i:p:a:t:m:kl:hV";

/* The file first, then the flags on top of it; a repeated flag replaces the
 * file's list rather than appending to it. */
static int load_config(int argc, char **argv, struct sluiced_config *cfg,
		       bool *check_only)
{
	bool flag_ifaces = false, flag_apis = false;
	char err[512] = "";
	int opt, rc = 0;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		if (opt == 'c') {
			rc = config_load_file(cfg, optarg, err, sizeof(err));
			if (rc)
				goto out;
		}
	}
	optind = 1;
	opterr = 1;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			break;
		case 'i':
			if (!flag_ifaces)
				config_clear_ifaces(cfg);
			flag_ifaces = true;
			rc = config_add_iface(cfg, optarg, err, sizeof(err));
			break;
		case 'p':
			rc = config_set_pin_dir(cfg, optarg, err, sizeof(err));
			break;
		case OPT_STATE_DIR:
			rc = config_set_state_dir(cfg, optarg, err, sizeof(err));
			break;
		case 'a':
			if (!flag_apis)
				config_clear_apis(cfg);
			flag_apis = true;
			rc = config_add_api(cfg, optarg, err, sizeof(err));
			break;
		case 't':
			rc = config_set_token(cfg, optarg, err, sizeof(err));
			break;
		case 'm':
			rc = config_set_xdp_mode(cfg, optarg, err, sizeof(err));
			break;
		case 'k':
			cfg->keep_on_exit = true;
			break;
		case 'l':
			rc = config_set_log_level(cfg, optarg, err, sizeof(err));
			break;
		case OPT_CHECK:
			*check_only = true;
			break;
		case OPT_ROLE:
			rc = config_set_role(cfg, optarg, err, sizeof(err));
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("sluiced %s\n", SLUICE_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
		if (rc)
			goto out;
	}
	if (optind < argc) {
		snprintf(err, sizeof(err), "unexpected argument '%s'", argv[optind]);
		rc = -EINVAL;
		goto out;
	}
	if (!cfg->pin_dir)
		rc = config_set_pin_dir(cfg, CFG_DEFAULT_PIN_DIR, err, sizeof(err));
	if (!rc && !cfg->state_dir)
		rc = config_set_state_dir(cfg, CFG_DEFAULT_STATE_DIR, err,
					  sizeof(err));
	if (!rc && !cfg->n_apis)
		rc = config_add_api(cfg, SLUICE_DEFAULT_API, err, sizeof(err));
	if (!rc && !cfg->n_ifaces) {
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

/* Pinning needs bpffs; mount it where the system would when it is not. */
static int ensure_bpffs(const char *pin_dir)
{
	struct statfs sfs;

	if (strncmp(pin_dir, "/sys/fs/bpf", 11))
		return 0;
	if (!statfs("/sys/fs/bpf", &sfs) && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	mkdir("/sys/fs/bpf", 0700);
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		int err = -errno;

		pr_err("cannot mount bpffs on /sys/fs/bpf: %s", strerror(-err));
		return err;
	}
	pr_info("mounted bpffs on /sys/fs/bpf");
	return 0;
}

/*
 * Which VIPs to run: the state file's when there is one (what the API left,
 * the record of the running service), else the config file's lb.vips (the
 * first start).  Read before anything touches the data path, so that a
 * state file sluiced cannot use stops it before it changes anything: it is
 * never silently replaced by the config's VIPs.
 */
struct lb_start {
	char path[256];
	struct lb_vip_spec *vips;	/* the state file's, or NULL */
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
		       "the VIPs changed through the API)", err);
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
			"config file's lb.vips%s)", n, ls->path,
			cfg->n_vips ? ", not used" : "");
	else
		pr_info("lb: %zu VIPs from the config file's lb.vips (no state "
			"file %s yet: the first change through the API writes it)",
			n, ls->path);
	rc = lb_load(*lbp, vips, n, err, sizeof(err));
	if (rc)
		pr_err("lb: %s (VIPs from %s)", err, ls->from_state ? ls->path :
		       "the config file");
	return rc;
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
			"%llu the API may use", (unsigned long long)rl.rlim_cur,
			(unsigned long long)need);
}

static uint64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

static int resync(struct nlsock *ns, struct state *st)
{
	int err;

	st->nl_resyncs++;
	pr_warn("netlink: events were lost, re-reading the kernel's state");
	state_forget_kernel(st);
	err = nlsock_dump_all(ns, st);
	st->routes_dirty = false;
	return err ? err : state_reconcile(st);
}

static int resync_routes(struct nlsock *ns, struct state *st)
{
	int err;

	st->routes_dirty = false;
	pr_debug("netlink: a link changed, re-reading routes");
	state_forget_routes(st);
	err = nlsock_dump_routes(ns, st);
	return err ? err : state_reconcile(st);
}

static int epoll_add(int ep, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

#define TAG_SIGNAL 0
#define TAG_NETLINK 1
#define TAG_HEALTH 2
#define TAG_API 3	/* + index */

static int run_loop(struct nlsock *ns, struct state *st, struct health *hc,
		    struct api **apis, int n_apis, int sfd)
{
	struct epoll_event evs[16];
	int ep, err = 0;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -errno;
	err = epoll_add(ep, sfd, TAG_SIGNAL);
	if (!err)
		err = epoll_add(ep, nlsock_fd(ns), TAG_NETLINK);
	/* checks run here, between API requests: a slow backend costs a
	 * probe socket, never the loop */
	if (!err && hc)
		err = epoll_add(ep, health_fd(hc), TAG_HEALTH);
	for (int i = 0; i < n_apis && !err; i++)
		err = epoll_add(ep, api_fd(apis[i]), TAG_API + (uint64_t)i);
	while (!err) {
		int timeout = 1000, n;

		for (int i = 0; i < n_apis; i++)
			timeout = api_timeout_ms(apis[i], timeout);
		n = epoll_wait(ep, evs, 16, timeout);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;

			if (tag == TAG_SIGNAL) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) == sizeof(si))
					pr_info("signal %u: shutting down",
						si.ssi_signo);
				goto out;
			}
			if (tag == TAG_NETLINK) {
				int rc = nlsock_read_events(ns, st);

				if (rc == -ENOBUFS)
					rc = resync(ns, st);
				else if (!rc && st->routes_dirty)
					rc = resync_routes(ns, st);
				if (rc)
					pr_err("netlink: %s", strerror(-rc));
				continue;
			}
			if (tag == TAG_HEALTH) {
				health_run(hc);
				continue;
			}
			api_run(apis[tag - TAG_API]);
		}
		/* what MHD left for later (see api_timeout_ms) */
		for (int i = 0; i < n_apis; i++)
			if (!api_timeout_ms(apis[i], 1))
				api_run(apis[i]);
	}
out:
	close(ep);
	return err;
}

int main(int argc, char **argv)
{
	struct api *apis[CFG_MAX_APIS] = {};
	struct sluiced_config cfg;
	struct nlsock *ns = NULL;
	struct health *hc = NULL;
	struct lb *lb = NULL;
	struct dp *dp = NULL;
	struct api_ctx actx;
	struct state st;
	struct lb_start ls = {};
	bool check_only = false, have_state = false;
	sigset_t mask;
	int err, sfd = -1, n_apis = 0;

	config_init(&cfg);
	err = load_config(argc, argv, &cfg, &check_only);
	if (err)
		goto out_cfg;
	log_set_level(cfg.log_level);
	/* a backend balances nothing: no state file to read */
	if (cfg.role == ROLE_ROUTER) {
		err = lb_start_read(&cfg, &ls);
		if (err)
			goto out_cfg;
	}
	if (check_only) {
		printf("sluiced: configuration is valid (%d interfaces, role %s, "
		       "%d VIPs", cfg.n_ifaces, config_role_name(cfg.role),
		       cfg.n_vips);
		if (ls.from_state)
			printf("; the state file %s with %zu VIPs is used "
			       "instead", ls.path, ls.n);
		printf(")\n");
		goto out_cfg;
	}
	log_route_libbpf();
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

	/* The listeners first: one that cannot be had (a file in the way,
	 * another daemon's socket) stops us before we touch the system.
	 * Nothing is served before run_loop, so actx is filled in later. */
	for (int i = 0; i < cfg.n_apis; i++) {
		err = api_start(&apis[n_apis], cfg.apis[i], cfg.api_token, &actx);
		if (err)
			goto out_api;
		n_apis++;
	}

	err = ensure_bpffs(cfg.pin_dir);
	if (err)
		goto out_api;
	err = dp_open(&dp, &(struct dp_opts){
		.pin_dir = cfg.pin_dir,
		.lb_max_flows = cfg.lb.max_flows,
		.role = cfg.role == ROLE_BACKEND ? DP_ROLE_BACKEND :
						   DP_ROLE_ROUTER,
	});
	if (err)
		goto out_api;
	pr_info("data path loaded (role %s), maps %s %s",
		config_role_name(cfg.role), dp_maps_reused(dp) ?
		"adopted from" : "pinned in", cfg.pin_dir);

	state_init(&st, dp, &state_dp_bpf, &cfg);
	have_state = true;
	if (dp_maps_reused(dp)) {
		err = state_seed_from_maps(&st);
		if (err)
			goto out_dp;
	}
	/* Subscribe before dumping: what changes during the dump is queued. */
	err = nlsock_open(&ns);
	if (err) {
		pr_err("netlink: %s", strerror(-err));
		goto out_dp;
	}
	err = nlsock_dump_all(ns, &st);
	if (!err)
		err = state_reconcile(&st);
	st.routes_dirty = false;
	if (err)
		goto out_nl;
	for (int i = 0; i < cfg.n_ifaces; i++)
		if (st.ifaces[i].state == IF_ABSENT)
			pr_warn("iface %s: not present; will attach when it "
				"appears", cfg.ifaces[i]);
	pr_info("mirrored %llu IPv4 and %llu IPv6 routes, %u neighbours",
		(unsigned long long)st.routes_programmed[0],
		(unsigned long long)st.routes_programmed[1],
		HASH_CNT(hh, st.neighs));

	/* The backend role only decapsulates (lib/dp attaches sluice_decap
	 * and state.c mirrors the local addresses): no VIPs to run. */
	if (cfg.role == ROLE_ROUTER) {
		err = start_lb(&cfg, dp, &ls, &lb, &hc);
		if (err)
			goto out_lb;
	}

	actx = (struct api_ctx){ .st = &st, .cfg = &cfg, .lb = lb,
				 .started_at = mono_s() };
	err = run_loop(ns, &st, hc, apis, n_apis, sfd);
	/* no longer served: clients see that at once, not after teardown */
	for (; n_apis > 0; n_apis--)
		api_stop(apis[n_apis - 1]);

out_lb:
	lb_free(lb);
	health_free(hc);
out_nl:
	nlsock_close(ns);
out_dp:
	if (have_state) {
		state_shutdown(&st, cfg.keep_on_exit);
		state_free(&st);
	}
	dp_close(dp);
out_api:
	for (int i = 0; i < n_apis; i++)
		api_stop(apis[i]);
	if (sfd >= 0)
		close(sfd);
out_cfg:
	lb_vip_specs_free(ls.vips, ls.n);
	config_free(&cfg);
	return err ? 1 : 0;
}
