// SPDX-License-Identifier: BSD-2-Clause
/*
 * The DDoS guard joined to the host's state (bpf/lib/ddos_ct.h):
 *  - conntrack on: a valid cookie ACK makes its flow's entry (read back
 *    from the table: established, replied, SYNPROXY), the flow's later
 *    packets both ways are conntrack's (established, then to the kernel),
 *    a forged ACK is dropped and makes none; the connection is in
 *    ddos_flows too, and an entry that goes (flushed here) is made again
 *    by the connection's next packet, either way, cookies on or off;
 *    all of it through the XDP and the TC program;
 *  - conntrack off: an ACK of a connection the host has a socket for
 *    (opened before cookies were on) goes on, one it has none for (a
 *    listener only, or the socket gone) is still asked for its cookie;
 *  - UDP: with conntrack on a packet of a flow without an entry is a new
 *    connection for the connection bucket, which admits exactly its
 *    budget of flows while the admitted ones go on; with it off, no UDP
 *    packet is (docs/ddos.md).
 * Every run checks the verdict, the one counter that moved and the bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include "ct_fixtures.h"
#include "ddos_runner.h"
#include "dp.h"
#include "dp_ct.h"
#include "dp_fw.h"
#include "fw.h"
#include "names.h"
#include "runner.h"

static bool ct_set(struct env *e, bool on)
{
	struct sluice_ct_config cc = { 0 };
	int err;

	if (on) {
		dp_ct_default_config(&cc);
		cc.enabled = 1;
	}
	err = dp_ct_config_set(e->dp, &cc);
	if (err)
		diag("ct config: %s\n", strerror(-err));
	return !err;
}

/* ---- the entry a cookie made ------------------------------------------------ */

struct flow_find {
	__u8 family, proto;
	__u8 src[16], dst[16]; /* the opener's, the answerer's */
	__be16 sport, dport;
	unsigned int n;
	struct sluice_ct_entry e;
};

static int flow_cb(const struct sluice_ct_key *k,
		   const struct sluice_ct_entry *e, void *arg)
{
	struct flow_find *f = arg;
	const __u8 *s, *d;
	__be16 sp, dpt;

	if (k->family != f->family || k->proto != f->proto)
		return 0;
	dp_ct_sides(k, e, &s, &sp, &d, &dpt);
	if (sp == f->sport && dpt == f->dport && !memcmp(s, f->src, 16) &&
	    !memcmp(d, f->dst, 16)) {
		f->n++;
		f->e = *e;
	}
	return 0;
}

/* The entry of H0:@port -> the service, opened by H0; *@n how many. */
static int flow_entry(struct env *e, bool v6, __u16 port,
		      struct sluice_ct_entry *out, unsigned int *n)
{
	struct flow_find f = { .family = v6 ? AF_INET6 : AF_INET,
			       .proto = IPPROTO_TCP,
			       .sport = htons(port),
			       .dport = htons(SVC_PORT) };
	int err = pkt_addr(f.family, v6 ? H0_6 : H0_4, f.src)	      ?:
			  pkt_addr(f.family, v6 ? SVC6 : SVC4, f.dst) ?:
			  dp_ct_walk(e->dp, NULL, flow_cb, &f);

	*n = f.n;
	*out = f.e;
	return err;
}

/* Exactly one entry, established, replied and SYNPROXY, with @orig and
 * @repl packets. */
static bool entry_is(struct env *e, bool v6, __u16 port, __u64 orig, __u64 repl)
{
	const __u8 want = SLUICE_CTF_SYNPROXY | SLUICE_CTF_REPLIED;
	struct sluice_ct_entry ce;
	unsigned int n;

	if (flow_entry(e, v6, port, &ce, &n))
		return false;
	if (n != 1 || ce.state != SLUICE_CT_ESTABLISHED ||
	    (ce.flags & want) != want || ce.packets[0] != orig ||
	    ce.packets[1] != repl) {
		diag("%u entries; state %u flags 0x%x packets %llu/%llu, want "
		     "1; established, 0x%x, %llu/%llu\n",
		     n, ce.state, ce.flags, (unsigned long long)ce.packets[0],
		     (unsigned long long)ce.packets[1], want,
		     (unsigned long long)orig, (unsigned long long)repl);
		return false;
	}
	return true;
}

static bool no_entry(struct env *e, bool v6, __u16 port)
{
	struct sluice_ct_entry ce;
	unsigned int n;

	if (flow_entry(e, v6, port, &ce, &n))
		return false;
	if (n)
		diag("%u entries, want none\n", n);
	return !n;
}

/* conntrack's "created" moved by @created, no other event. */
static bool created_only(const struct dp_ct_counts *b,
			 const struct dp_ct_counts *a, __u64 created)
{
	for (int i = 0; i < SLUICE_CT_NEVENTS; i++) {
		__u64 want = i == SLUICE_CTE_CREATED ? created : 0;
		__u64 got = a->events[i] - b->events[i];

		if (got != want) {
			diag("ct event %s +%llu, want +%llu\n",
			     dp_ct_event_name((unsigned)i) ?: "?",
			     (unsigned long long)got, (unsigned long long)want);
			return false;
		}
	}
	return true;
}

/* P0 in: "state established" accepted, everything else dropped by the
 * policy: what passes is what conntrack calls established. */
static bool fw_established_only(struct env *e)
{
	struct fw_rule r;
	struct fw_compiled c;
	char err[FW_ERR_MAX] = "";
	int rc;

	fw_rule_init(&r);
	r.id = 1;
	rc = fw_rule_set(&r, "state", "established", err, sizeof(err)) ?:
		     fw_compile(&r, 1, SLUICE_FW_ACT_DROP, NULL, NULL, &c, err,
				sizeof(err));
	if (!rc) {
		rc = dp_fw_install(e->dp, e->slot[IFX_P0], SLUICE_FW_IN, &c);
		fw_compiled_free(&c);
	}
	if (rc)
		diag("firewall: %s (%s)\n", strerror(-rc), err);
	return !rc;
}

/*
 * The connection's entry gone (flushed here; aged out or never made is
 * the same): the connection is still in ddos_flows, so its next packet,
 * the client's or the service's, makes the entry again (established,
 * synproxy, pickup; the packet counted in its own direction) and goes to
 * the kernel, whose SYNPROXY translates it, whether cookies are on or
 * off; never picked up mid-stream and forwarded untranslated.
 */
static void run_cookie_ct_reopen(struct env *e, bool v6, __u16 port,
				 __u32 cookie, const char *fam)
{
	struct tcp_frame back = { .v6 = v6,
				  .reverse = true,
				  .client_port = port,
				  .flags = 0x18,
				  .seq = 300,
				  .ack = CLIENT_SEQ + 1 + 50,
				  .window = 0x1000 };
	struct dp_ct_counts b, a;
	struct sluice_ct_entry ce;
	static struct frame f;
	unsigned int n;
	char name[200];
	__u32 cookie2 = 0;
	int flows;
	bool ok;

	ok = !dp_ct_flush(e->dp, NULL, NULL) && no_entry(e, v6, port) &&
	     !dp_ct_counts(e->dp, &b) &&
	     ack_run(e, v6, port, CLIENT_SEQ + 1 + 50, cookie + 1 + 300,
		     XDP_PASS, SLUICE_PASS_DDOS_SYNPROXY) &&
	     entry_is(e, v6, port, 1, 0) && !dp_ct_counts(e->dp, &a) &&
	     created_only(&b, &a, 1) && !flow_entry(e, v6, port, &ce, &n) &&
	     (ce.flags & SLUICE_CTF_PICKUP);
	snprintf(name, sizeof(name),
		 "%sddos cookies + ct %s: the entry flushed, the client's next "
		 "packet makes it again (established, synproxy, pickup) and "
		 "goes to the kernel",
		 e->at_tc ? "tc: " : "", fam);
	tap(e, ok, name);

	ok = !dp_ct_flush(e->dp, NULL, NULL) && !dp_ct_counts(e->dp, &b) &&
	     !tcp_build(&back, &f) &&
	     run_check(e, IFX_P1, &f, XDP_PASS, SLUICE_PASS_DDOS_SYNPROXY,
		       NULL) &&
	     entry_is(e, v6, port, 0, 1) && !dp_ct_counts(e->dp, &a) &&
	     created_only(&b, &a, 1);
	snprintf(name, sizeof(name),
		 "%sddos cookies + ct %s: flushed again, the service's answer "
		 "makes it (counted as the reply), to the kernel",
		 e->at_tc ? "tc: " : "", fam);
	tap(e, ok, name);

	ok = !dp_ct_flush(e->dp, NULL, NULL) &&
	     set_cookies(e, SLUICE_DDOS_COOKIES_OFF, 0, 0) &&
	     ack_run(e, v6, port, CLIENT_SEQ + 1 + 60, cookie + 1 + 300,
		     XDP_PASS, SLUICE_PASS_DDOS_SYNPROXY) &&
	     entry_is(e, v6, port, 1, 0);
	ok = set_cookies(e, SLUICE_DDOS_COOKIES_ON, 0, 0) && ok;
	snprintf(name, sizeof(name),
		 "%sddos cookies + ct %s: cookies off, flushed: the client's "
		 "packet still goes to the kernel (not forwarded "
		 "untranslated), its entry made again",
		 e->at_tc ? "tc: " : "", fam);
	tap(e, ok, name);

	/* the client reuses the port for a new connection: its SYN is a
	 * SYN, answered with a cookie, and the old connection forgotten */
	flows = dp_ddos_flows_count(e->dp);
	ok = !dp_ct_flush(e->dp, NULL, NULL) &&
	     synack_ok(e, v6, port, &cookie2) &&
	     dp_ddos_flows_count(e->dp) == flows - 1;
	snprintf(name, sizeof(name),
		 "%sddos cookies + ct %s: a new SYN on the old connection's "
		 "tuple gets its own cookie SYN-ACK, the old one leaves "
		 "ddos_flows",
		 e->at_tc ? "tc: " : "", fam);
	tap(e, ok, name);
}

static void run_cookie_ct_family(struct env *e, bool v6)
{
	const char *fam = v6 ? "v6" : "v4";
	/* ddos_flows outlives the table: a port of its own per hook */
	__u16 port = (__u16)((v6 ? 46001 : 46000) + (e->at_tc ? 200 : 0));
	const char *at = e->at_tc ? "tc: " : "";
	struct dp_ct_counts c0, c1;
	static struct frame f;
	/* the service's answer, from P1; and a data packet of the client's
	 * after the service spoke: its ack is no cookie, only the entry can
	 * let it through */
	struct tcp_frame back = { .v6 = v6,
				  .reverse = true,
				  .client_port = port,
				  .flags = 0x18,
				  .seq = 77,
				  .ack = CLIENT_SEQ + 1,
				  .window = 0x1000 };
	int flows0 = dp_ddos_flows_count(e->dp);
	__u32 cookie = 0;
	char name[200];
	bool ok;

	ok = synack_ok(e, v6, port, &cookie) && !dp_ct_counts(e->dp, &c0) &&
	     ack_run(e, v6, port, CLIENT_SEQ + 1, (cookie ^ 0x00ff0000) + 1,
		     XDP_DROP, SLUICE_DROP_DDOS_BAD_COOKIE) &&
	     no_entry(e, v6, port) && !dp_ct_counts(e->dp, &c1) &&
	     created_only(&c0, &c1, 0);
	snprintf(name, sizeof(name),
		 "%sddos cookies + ct %s: a forged ACK is dropped and makes no "
		 "entry",
		 at, fam);
	tap(e, ok, name);

	ok = ack_run(e, v6, port, CLIENT_SEQ + 1, cookie + 1, XDP_PASS,
		     SLUICE_PASS_DDOS_COOKIE_CT) &&
	     entry_is(e, v6, port, 1, 0) && !dp_ct_counts(e->dp, &c1) &&
	     created_only(&c0, &c1, 1);
	snprintf(name, sizeof(name),
		 "%sddos cookies + ct %s: the valid ACK goes to the kernel and "
		 "makes the entry: established, replied, synproxy (created "
		 "+1)",
		 at, fam);
	tap(e, ok, name);

	/* under a firewall that lets only established packets in: the
	 * next packet passes it, an ACK of an unknown flow does not */
	ok = fw_established_only(e) &&
	     ack_run(e, v6, port, CLIENT_SEQ + 1, cookie + 1 + 100, XDP_PASS,
		     SLUICE_PASS_DDOS_SYNPROXY) &&
	     entry_is(e, v6, port, 2, 0);
	snprintf(name, sizeof(name),
		 "%sddos cookies + ct %s: the next packet (no cookie in it) is "
		 "the entry's: established for the firewall, to the kernel",
		 at, fam);
	tap(e, ok, name);
	set_cookies(e, SLUICE_DDOS_COOKIES_OFF, 0, 0);
	ok = ack_run(e, v6, (__u16)(port + 10), CLIENT_SEQ + 1, 1, XDP_DROP,
		     SLUICE_DROP_FW_POLICY);
	set_cookies(e, SLUICE_DDOS_COOKIES_ON, 0, 0);
	ok = !dp_fw_remove(e->dp, e->slot[IFX_P0], SLUICE_FW_IN) && ok &&
	     no_entry(e, v6, (__u16)(port + 10));
	snprintf(
		name, sizeof(name),
		"%sddos cookies + ct %s: that firewall drops the ACK of a flow "
		"conntrack does not know (cookies off: picked up as new)",
		at, fam);
	tap(e, ok, name);

	ok = !tcp_build(&back, &f) &&
	     run_check(e, IFX_P1, &f, XDP_PASS, SLUICE_PASS_DDOS_SYNPROXY,
		       NULL) &&
	     entry_is(e, v6, port, 2, 1) && !dp_ct_counts(e->dp, &c1) &&
	     created_only(&c0, &c1, 1);
	snprintf(name, sizeof(name),
		 "%sddos cookies + ct %s: the service's answer (from P1) too, "
		 "counted as the reply",
		 at, fam);
	tap(e, ok, name);

	ok = dp_ddos_flows_count(e->dp) == flows0 + 1;
	snprintf(name, sizeof(name),
		 "%sddos cookies + ct %s: the connection in ddos_flows too "
		 "(%d entries, one more)",
		 at, fam, flows0 + 1);
	tap(e, ok, name);
	run_cookie_ct_reopen(e, v6, port, cookie, fam);
}

/* The runner's table (CT_FULL_CAPACITY entries) full of established
 * flows (TCP picked up mid-stream, to a port no service has): a valid
 * cookie ACK is refused as any new flow would be, and makes nothing; the
 * client's retry once there is room opens the connection. */
static void run_cookie_ct_full(struct env *e)
{
	struct fixture est = {
		.ingress = IFX_P0,
		.in = { .dst = MAC_P0,
			.src = MAC_H0,
			.l3 = PKT_L3_IP4,
			.saddr = H0_4,
			.daddr = "198.19.0.9",
			.l4 = IPPROTO_TCP,
			.dport = 443,
			.tcp_flags = 0x10 },
		.verdict = XDP_REDIRECT,
		.reason = SLUICE_FWD_REDIRECT,
		.routed = true,
		.out = { .dst = MAC_GW1, .src = MAC_P1 },
	};
	const __u16 port = 46050;
	struct dp_ct_counts b, a;
	__u32 cookie = 0;
	bool ok;

	ok = !dp_ct_flush(e->dp, NULL, NULL);
	for (int i = 0; ok && i < CT_FULL_CAPACITY; i++) {
		est.in.sport = (__u16)(47000 + i);
		ok = run_fixture(e, &est);
	}
	ok = ok && synack_ok(e, false, port, &cookie) &&
	     !dp_ct_counts(e->dp, &b) &&
	     ack_run(e, false, port, CLIENT_SEQ + 1, cookie + 1, XDP_DROP,
		     SLUICE_DROP_DDOS_NO_CT_ENTRY) &&
	     !dp_ct_counts(e->dp, &a) && no_entry(e, false, port);
	if (ok && (a.events[SLUICE_CTE_INSERT_FAIL_FULL] -
				   b.events[SLUICE_CTE_INSERT_FAIL_FULL] !=
			   1 ||
		   a.total != CT_FULL_CAPACITY)) {
		diag("insert_fail_full +%llu, %llu entries\n",
		     (unsigned long long)(a.events[SLUICE_CTE_INSERT_FAIL_FULL] -
					  b.events[SLUICE_CTE_INSERT_FAIL_FULL]),
		     (unsigned long long)a.total);
		ok = false;
	}
	tap(e, ok,
	    "ddos cookies + ct: a table full of established entries refuses "
	    "the valid ACK (drop_ddos_no_ct_entry, insert_fail_full), no entry");
	ok = !dp_ct_flush(e->dp, NULL, NULL) &&
	     ack_run(e, false, port, CLIENT_SEQ + 1, cookie + 1, XDP_PASS,
		     SLUICE_PASS_DDOS_COOKIE_CT) &&
	     entry_is(e, false, port, 1, 0);
	tap(e, ok,
	    "ddos cookies + ct: room again, the client's retry opens it");
}

static void run_cookie_ct(struct env *e)
{
	struct sluice_ddos_service_key k4, k6;
	bool ok;

	ok = ct_set(e, true) && set_cookies(e, SLUICE_DDOS_COOKIES_ON, 0, 0) &&
	     !service_key(false, &k4) && !dp_ddos_service_set(e->dp, &k4, 1) &&
	     !service_key(true, &k6) && !dp_ddos_service_set(e->dp, &k6, 2);
	tap(e, ok, "ddos cookies + ct: conntrack on, cookies on, services");
	run_cookie_ct_family(e, false);
	run_cookie_ct_family(e, true);
	/* the same stages in the TC program (bpf/sluice_tc.bpf.c) */
	e->at_tc = true;
	run_cookie_ct_family(e, false);
	run_cookie_ct_family(e, true);
	e->at_tc = false;
	run_cookie_ct_full(e);
	ok = !dp_ct_flush(e->dp, NULL, NULL) && ct_set(e, false) &&
	     !dp_ddos_service_del(e->dp, &k4) &&
	     !dp_ddos_service_del(e->dp, &k6) &&
	     set_cookies(e, SLUICE_DDOS_COOKIES_OFF, 0, 0);
	tap(e, ok, "ddos cookies + ct: flushed, conntrack off, no service");
}

/* ---- conntrack off: the host's sockets ------------------------------------- */

#define SOCK_PORT 46100

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		diag("'%s': %d\n", cmd, rc);
	return rc ? -EIO : 0;
}

static int sock_at(const char *addr, __u16 port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -errno;
	inet_pton(AF_INET, addr, &a.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Closed with a RST: no time-wait socket left behind. */
static void close_hard(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/* A real connection H0:SOCK_PORT -> the service, both ends on lo of the
 * runner's namespace (where test_run's packets are looked up). */
static int connect_h0(int *lfd, int *cfd, int *afd)
{
	struct sockaddr_in s = { .sin_family = AF_INET,
				 .sin_port = htons(SVC_PORT) };

	*lfd = sock_at(SVC4, SVC_PORT);
	*cfd = sock_at(H0_4, SOCK_PORT);
	*afd = -1;
	if (*lfd < 0 || *cfd < 0 || listen(*lfd, 4))
		return -EIO;
	inet_pton(AF_INET, SVC4, &s.sin_addr);
	if (connect(*cfd, (struct sockaddr *)&s, sizeof(s)))
		return -errno;
	*afd = accept(*lfd, NULL, NULL);
	return *afd < 0 ? -errno : 0;
}

static void run_cookie_socket(struct env *e)
{
	struct sluice_ddos_service_key k;
	struct fixture ack = {
		.ingress = IFX_P0,
		.in = { .dst = MAC_P0,
			.src = MAC_H0,
			.l3 = PKT_L3_IP4,
			.saddr = H0_4,
			.daddr = SVC4,
			.l4 = IPPROTO_TCP,
			.sport = SOCK_PORT,
			.dport = SVC_PORT,
			.tcp_flags = 0x10 },
		.verdict = XDP_REDIRECT,
		.reason = SLUICE_FWD_REDIRECT,
		.routed = true,
		.out = { .dst = MAC_GW1, .src = MAC_P1 },
	};
	struct fixture other = ack;
	int lfd = -1, cfd = -1, afd = -1;
	bool ok;

	ok = !sh("ip addr add " SVC4 "/32 dev lo") &&
	     !sh("ip addr add " H0_4 "/32 dev lo") &&
	     !connect_h0(&lfd, &cfd, &afd) && ct_set(e, false) &&
	     set_cookies(e, SLUICE_DDOS_COOKIES_ON, 0, 0) &&
	     !service_key(false, &k) && !dp_ddos_service_set(e->dp, &k, 1);
	tap(e, ok,
	    "ddos cookies, ct off: a connection H0 -> the service open on "
	    "the host, then cookies on");
	tap(e, ok && run_fixture(e, &ack),
	    "ddos cookies, ct off: its ACK (no cookie) goes on: the host has "
	    "its socket");
	other.in.sport = SOCK_PORT + 1;
	tap(e, ok && run_dropped(e, &other, SLUICE_DROP_DDOS_BAD_COOKIE),
	    "ddos cookies, ct off: an ACK from another port (only the "
	    "listener matches) is dropped");
	close_hard(afd);
	close_hard(cfd);
	afd = cfd = -1;
	tap(e, ok && run_dropped(e, &ack, SLUICE_DROP_DDOS_BAD_COOKIE),
	    "ddos cookies, ct off: the socket closed, the same ACK is dropped");
	close_hard(lfd);
	ok = !dp_ddos_service_del(e->dp, &k) &&
	     set_cookies(e, SLUICE_DDOS_COOKIES_OFF, 0, 0) &&
	     !sh("ip addr del " SVC4 "/32 dev lo") &&
	     !sh("ip addr del " H0_4 "/32 dev lo");
	tap(e, ok, "ddos cookies, ct off: service and addresses removed");
}

/* ---- UDP new flows ------------------------------------------------------------ */

#define UDP_BUDGET 3
#define UDP_PORT 50000

static void run_udp_conn(struct env *e)
{
	struct fixture udp = {
		.ingress = IFX_P0,
		.in = { .dst = MAC_P0,
			.src = MAC_H0,
			.l3 = PKT_L3_IP4,
			.saddr = H0_4,
			.daddr = "198.19.0.9",
			.l4 = IPPROTO_UDP,
			.dport = 53,
			.payload = 16 },
		.verdict = XDP_REDIRECT,
		.reason = SLUICE_FWD_REDIRECT,
		.routed = true,
		.out = { .dst = MAC_GW1, .src = MAC_P1 },
	};
	bool ok;

	/* 1/s: the budget of a run of test_runs is the burst, exactly */
	ok = ct_set(e, true) &&
	     set_limit(e, SLUICE_DDOS_L_CONN_V4, 24, 1, UDP_BUDGET);
	for (int i = 0; ok && i < UDP_BUDGET; i++) {
		udp.in.sport = (__u16)(UDP_PORT + i);
		ok = run_fixture(e, &udp);
	}
	tap(e, ok,
	    "ddos conn rate + ct: a /24 bucket of 3 admits 3 new UDP "
	    "flows");
	udp.in.sport = UDP_PORT + UDP_BUDGET;
	tap(e, ok && run_dropped(e, &udp, SLUICE_DROP_DDOS_CONN_RATE),
	    "ddos conn rate + ct: the 4th new UDP flow is dropped");
	ok = true;
	for (int i = 0; ok && i < 2 * UDP_BUDGET; i++) {
		udp.in.sport = (__u16)(UDP_PORT + i % UDP_BUDGET);
		ok = run_fixture(e, &udp);
	}
	tap(e, ok,
	    "ddos conn rate + ct: packets of the admitted flows go on (6 "
	    "more)");
	udp.in.sport = UDP_PORT + UDP_BUDGET;
	tap(e, run_dropped(e, &udp, SLUICE_DROP_DDOS_CONN_RATE),
	    "ddos conn rate + ct: the refused flow is still refused");

	/* conntrack off: no telling a new UDP flow from an old one, so none
	 * takes from the (empty) connection bucket */
	dp_ct_flush(e->dp, NULL, NULL);
	ok = ct_set(e, false);
	for (int i = 0; ok && i < 2 * UDP_BUDGET; i++) {
		udp.in.sport = (__u16)(UDP_PORT + 100 + i);
		ok = run_fixture(e, &udp);
	}
	tap(e, ok,
	    "ddos conn rate, ct off: new UDP flows are not connections (6 "
	    "pass the empty bucket)");
	tap(e, set_limit(e, -1, 0, 0, 0), "ddos conn rate: limits off");
}

void ddos_ct_run_all(struct env *e)
{
	run_cookie_ct(e);
	run_cookie_socket(e);
	run_udp_conn(e);
}
