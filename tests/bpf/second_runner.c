// SPDX-License-Identifier: BSD-2-Clause
/*
 * Second chance in the BPF tier (second_fixtures.h).
 *
 * The backend rows run the decapsulation program of a lib/dp of its own
 * (backend role) on sl9, a veth of the runner's namespace.
 * The client's and the VIP's addresses sit on lo with a listener on the
 * VIP's port, and a row that wants a connection makes a real one (the
 * client's socket bound to the row's port), so that the program's socket
 * lookup finds an established socket, or only the listener.  The expected
 * frames come from pktbuild (pkt_build, pkt_encap twice), never from BPF.
 *
 * The LB rows program VIPs of their own on the router's lib/dp (the
 * backends and routes of lb_fixtures.c): the table now installed as the
 * ring, the table before through dp_lb_second_set().  For each row the
 * runner looks for a client port whose flow has the row's property (its
 * slot's backend then and now differ, or agree) with sluice_flow_hash(),
 * and predicts the outer header(s) field by field.  A pairing row then
 * hands the LB's frame to the backend whose address is the new one (no
 * socket: sent on) and what that sent to the previous one (delivered: the
 * client's packet, byte for byte).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <uapi/sluice/flow_hash.h>
#include "dp.h"
#include "maglev.h"
#include "lb_fixtures.h"
#include "names.h"
#include "pktbuild.h"
#include "runner.h"
#include "second_fixtures.h"

#define SC_DEV "sl9"
#define SC_MAX_CONNS 16
#define SC_PORT_SEARCH 4000

static const char *const sc_local[] = { "198.18.11.2", "2001:db8:11::2",
					"198.18.11.3", "2001:db8:11::3" };

struct sc_env {
	struct env *e;
	struct dp *dp; /* backend role */
	int prog_fd;
	__u32 ifindex; /* sl9 */
	int listen4, listen6;
	int conns[SC_MAX_CONNS * 2];
	int nconns;
	struct sluice_counter before[SLUICE_REASON_SLOTS];
	struct sluice_counter after[SLUICE_REASON_SLOTS];
};

static struct sc_env sce = { .listen4 = -1, .listen6 = -1 };

static const char *const sc_setup_cmds[] = {
	"ip link add " SC_DEV " type veth peer name " SC_DEV "p",
	"ip link set " SC_DEV " up",
	"ip link set " SC_DEV "p up",
	"ip addr add 198.18.0.2/32 dev lo",
	"ip addr add 198.19.0.100/32 dev lo",
	"ip -6 addr add 2001:db8::2/128 dev lo nodad",
	"ip -6 addr add 2001:db8:100::100/128 dev lo nodad",
};

static const char *const sc_teardown_cmds[] = {
	"ip link del " SC_DEV,
	"ip addr del 198.18.0.2/32 dev lo",
	"ip addr del 198.19.0.100/32 dev lo",
	"ip -6 addr del 2001:db8::2/128 dev lo",
	"ip -6 addr del 2001:db8:100::100/128 dev lo",
};

/* ---- sockets ------------------------------------------------------------- */

static int sa_of(const char *addr, __u16 port, struct sockaddr_storage *ss,
		 socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family_of(addr) == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		*len = sizeof(*s);
		return inet_pton(AF_INET, addr, &s->sin_addr) == 1 ? 0 :
								     -EINVAL;
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	*len = sizeof(*s6);
	return inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1 ? 0 : -EINVAL;
}

static int sc_listen(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd = -1;

	if (sa_of(addr, 80, &ss, &len))
		return -EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* A connection @caddr:@cport -> @vaddr:80, accepted (both ends kept). */
static int sc_connect(struct sc_env *s, const char *caddr, __u16 cport,
		      const char *vaddr)
{
	struct sockaddr_storage cs, vs;
	socklen_t clen, vlen;
	int one = 1, fd, afd, lfd;

	lfd = family_of(vaddr) == AF_INET ? s->listen4 : s->listen6;
	if (s->nconns + 2 > SC_MAX_CONNS * 2 || lfd < 0 ||
	    sa_of(caddr, cport, &cs, &clen) || sa_of(vaddr, 80, &vs, &vlen))
		return -EINVAL;
	fd = socket(cs.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&cs, clen) ||
	    connect(fd, (struct sockaddr *)&vs, vlen)) {
		int err = -errno;

		close(fd);
		return err;
	}
	afd = accept(lfd, NULL, NULL);
	if (afd < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	s->conns[s->nconns++] = fd;
	s->conns[s->nconns++] = afd;
	return 0;
}

/* ---- backend rows ---------------------------------------------------------- */

static int tunnel(const struct pkt_spec *l2, const struct dx_tunnel *t,
		  struct pkt_encap *x)
{
	memset(x, 0, sizeof(*x));
	memcpy(x->dst, l2->dst, 6);
	memcpy(x->src, l2->src, 6);
	x->tagged = l2->tagged;
	x->pcp = l2->pcp;
	x->dei = l2->dei;
	x->vid = l2->vid;
	x->family = (__u8)family_of(t->daddr);
	if (family_of(t->saddr) != x->family ||
	    pkt_addr(x->family, t->saddr, x->saddr) ||
	    pkt_addr(x->family, t->daddr, x->daddr))
		return -EINVAL;
	x->gre = t->kind == DXT_GRE;
	x->tos = t->tos;
	x->frag = t->frag;
	x->ip_opts = t->ip_opts;
	x->gre_flags = t->gre_flags;
	x->gre_proto = t->gre_proto;
	x->gre_key = t->gre_key;
	return 0;
}

/* @f, a tunnel packet to the previous backend, as the backend sends it
 * on: back to the hop (MACs swapped, the tag kept), one hop less. */
static int sent_on(struct frame *f)
{
	struct pkt_mut m[3] = {};
	__u8 mac[6];

	memcpy(mac, f->buf, 6);
	memcpy(f->buf, f->buf + 6, 6);
	memcpy(f->buf + 6, mac, 6);
	if (f->l3 == PKT_L3_IP4) {
		m[0] = (struct pkt_mut){ MUT_SET8, BASE_L3, 8,
					 f->buf[f->l3_off + 8] - 1u };
		m[1] = (struct pkt_mut){ MUT_IP4_CSUM, BASE_L3, 0, 0 };
	} else {
		m[0] = (struct pkt_mut){ MUT_SET8, BASE_L3, 7,
					 f->buf[f->l3_off + 7] - 1u };
	}
	return pkt_mutate(f, m, false);
}

static bool sc_counters_ok(struct sc_env *s, int reason, __u64 bytes)
{
	bool ok = true;

	for (int r = 0; r < SLUICE_REASON_SLOTS; r++) {
		bool mine = r == reason;
		__u64 dp = s->after[r].packets - s->before[r].packets;
		__u64 db = s->after[r].bytes - s->before[r].bytes;

		if (dp == (mine ? 1u : 0u) && db == (mine ? bytes : 0))
			continue;
		diag("backend counter %s: +%llu packets +%llu bytes, want "
		     "+%u\n",
		     dp_reason_name((unsigned int)r), (unsigned long long)dp,
		     (unsigned long long)db, mine ? 1 : 0);
		ok = false;
	}
	return ok;
}

/* One run of the backend's program, checked against @exp. */
static bool sc_run(struct sc_env *s, const struct frame *in, int verdict,
		   int reason, const struct frame *exp)
{
	static struct run r;
	bool ok = true;

	if (dp_stats_read(s->dp, 0, s->before))
		return false;
	xdp_run(s->prog_fd, s->ifindex, in->buf, in->len, 0, 1, &r);
	if (dp_stats_read(s->dp, 0, s->after))
		return false;
	if (r.err) {
		diag("test_run: %s\n", strerror(-r.err));
		return false;
	}
	if (r.retval != (__u32)verdict) {
		diag("verdict %s, want %s\n", xdp_name(r.retval),
		     xdp_name((__u32)verdict));
		ok = false;
	}
	ok &= sc_counters_ok(s, reason, in->len);
	if (r.out_len != exp->len || memcmp(r.out, exp->buf, exp->len)) {
		hexdiff(exp->buf, exp->len, r.out, r.out_len);
		ok = false;
	}
	return ok;
}

static bool sc_row(struct sc_env *s, const struct second_fixture *fx)
{
	static struct frame inner, mid, full, exp;
	struct pkt_encap x;
	int err;

	err = pkt_build(&fx->in, &inner);
	if (!err && fx->mid.kind != DXT_NONE)
		err = tunnel(&fx->in, &fx->mid, &x)	  ?:
			      pkt_encap(&inner, &x, &mid) ?:
			      pkt_mutate(&mid, fx->imut, false);
	else if (!err)
		mid = inner;
	err = err				      ?:
		      tunnel(&fx->in, &fx->outer, &x) ?:
		      pkt_encap(&mid, &x, &full)      ?:
		      pkt_mutate(&full, fx->mut, false);
	if (err) {
		diag("cannot build the frames: %s\n", strerror(-err));
		return false;
	}
	if (fx->sock == SCS_ESTABLISHED) {
		err = sc_connect(s, fx->in.saddr, fx->in.sport, fx->in.daddr);
		if (err) {
			diag("cannot make the connection: %s\n",
			     strerror(-err));
			return false;
		}
	}
	switch (fx->out) {
	case SCO_INNER: exp = inner; break;
	case SCO_MID:
		exp = mid;
		err = sent_on(&exp);
		break;
	default: exp = full; break;
	}
	if (err) {
		diag("cannot build the expected frame\n");
		return false;
	}
	return sc_run(s, &full, fx->verdict, fx->reason, &exp);
}

/* ---- LB rows -------------------------------------------------------------- */

static const struct lb_backend_def *be_def(__u32 id)
{
	for (size_t i = 0; i < lb_n_backends; i++)
		if (lb_backends[i].id == id)
			return &lb_backends[i];
	return NULL;
}

static int sc_table(const __u32 *ids, __u32 m, __u32 *table)
{
	struct maglev_backend mb[SC_MAX_BE];
	size_t n = 0;

	for (; n < SC_MAX_BE && ids[n]; n++) {
		const struct lb_backend_def *b = be_def(ids[n]);
		__u8 key[17];
		int fam;

		if (!b)
			return -ENOENT;
		fam = family_of(b->addr);
		key[0] = fam == AF_INET ? 4 : 6;
		if (pkt_addr(fam, b->addr, key + 1))
			return -EINVAL;
		mb[n] = (struct maglev_backend){
			.key = maglev_key(key, fam == AF_INET ? 5 : 17),
			.weight = 1,
			.value = ids[n],
		};
	}
	return maglev_build(mb, n, m, table);
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

struct sc_vip {
	const struct second_vip_def *d;
	__u32 now[1024], prev[1024];
};

static struct sc_vip sc_vips[8];

static int sc_vip_key(const struct second_vip_def *d, struct sluice_vip_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = (__u8)family_of(d->addr);
	k->proto = d->proto;
	k->port = htons(d->port);
	return pkt_addr(k->family, d->addr, k->addr);
}

static int sc_grace(struct env *e, const struct sc_vip *v, int grace)
{
	__u64 now = mono_ns();

	if (grace == SCG_NONE)
		return dp_lb_second_del(e->dp, v->d->id);
	return dp_lb_second_set(e->dp, v->d->id, v->d->ring, v->prev,
				grace == SCG_ON ? now + 60000000000ull :
						  now - 1000000000ull);
}

static int sc_lb_setup(struct env *e)
{
	int err = dp_lb_config_set(e->dp, &lb_config_def);

	for (size_t i = 0; i < second_n_vips && !err; i++) {
		const struct second_vip_def *d = &second_vips[i];
		struct sc_vip *v = &sc_vips[i];
		struct sluice_vip vv = { .vip_id = d->id,
					 .ring_size = d->ring,
					 .flags = d->flags };
		struct sluice_vip_key k;

		if (i >= sizeof(sc_vips) / sizeof(sc_vips[0]) ||
		    d->ring > sizeof(v->now) / sizeof(v->now[0]))
			return -E2BIG;
		v->d = d;
		err = sc_table(d->be, d->ring, v->now)		  ?:
			      sc_table(d->prev, d->ring, v->prev) ?:
			      sc_vip_key(d, &k)			  ?:
			      dp_vip_set(e->dp, &k, &vv)	  ?:
			      dp_ring_install(e->dp, d->id, d->ring, v->now);
	}
	return err;
}

static const struct sc_vip *sc_vip_of(__u32 id)
{
	for (size_t i = 0; i < second_n_vips; i++)
		if (sc_vips[i].d && sc_vips[i].d->id == id)
			return &sc_vips[i];
	return NULL;
}

/* The client's frame to @v from H0 on P0, source port @sport. */
static void sc_client(const struct second_lb_fixture *fx,
		      const struct sc_vip *v, __u16 sport, __u8 flags,
		      struct pkt_spec *s)
{
	static const __u8 p0[6] = MAC_P0, h0[6] = MAC_H0;

	memset(s, 0, sizeof(*s));
	memcpy(s->dst, p0, 6);
	memcpy(s->src, h0, 6);
	s->l3 = fx->l3;
	s->l4 = fx->l4;
	s->saddr = fx->l3 == PKT_L3_IP4 ? H0_4 : H0_6;
	s->daddr = v->d->addr;
	s->sport = sport;
	s->dport = v->d->port;
	s->payload = fx->payload;
	s->tcp_flags = flags;
}

/* sluice_flow_hash() of the client's flow, as flow_hash.h describes it. */
static __u32 sc_hash(const struct pkt_spec *s)
{
	__u32 sa[4] = { 0 }, da[4] = { 0 }, ports;
	int fam = s->l3 == PKT_L3_IP4 ? AF_INET : AF_INET6;
	__u8 l4[4] = { s->sport >> 8, s->sport & 0xff, s->dport >> 8,
		       s->dport & 0xff };

	pkt_addr(fam, s->saddr, (__u8 *)sa);
	pkt_addr(fam, s->daddr, (__u8 *)da);
	memcpy(&ports, l4, 4);
	return sluice_flow_hash(sa, da, fam == AF_INET ? 1 : 4, ports, s->l4);
}

/* The header lb_config_def and @hash give toward backend @id. */
static int sc_encap_to(__u32 id, __u16 vip_flags, __u8 tos, __u32 hash,
		       const struct frame *in, struct frame *out)
{
	const struct lb_backend_def *b = be_def(id);
	struct pkt_encap x = { 0 };

	if (!b)
		return -ENOENT;
	memcpy(x.dst, b->out.dst, 6);
	memcpy(x.src, b->out.src, 6);
	x.family = (__u8)family_of(b->addr);
	if (pkt_addr(x.family, b->addr, x.daddr))
		return -EINVAL;
	x.gre = !!(vip_flags & SLUICE_VIP_GRE);
	x.tos = tos;
	x.flow = hash & 0xfffff;
	if (x.family == AF_INET) {
		memcpy(x.saddr, lb_config_def.src4, 3);
		x.saddr[3] = (__u8)(1 + hash % 254);
	} else {
		memcpy(x.saddr, lb_config_def.src6, 12);
		memcpy(x.saddr + 12, &hash, 4); /* as the host keeps it */
	}
	return pkt_encap(in, &x, out);
}

struct sc_flow {
	struct pkt_spec s;
	__u32 hash, be, prev;
};

/* A client port from @base on whose flow has the row's property. */
static int sc_find(const struct second_lb_fixture *fx, const struct sc_vip *v,
		   __u16 base, struct sc_flow *f)
{
	for (__u32 p = base; p < base + (__u32)SC_PORT_SEARCH; p++) {
		__u32 slot;

		sc_client(fx, v, (__u16)p, fx->tcp_flags, &f->s);
		f->hash = sc_hash(&f->s);
		slot = f->hash % v->d->ring;
		f->be = v->now[slot];
		f->prev = v->prev[slot];
		if (f->be && f->prev &&
		    (f->be != f->prev) == (fx->want == SCW_DIFFER))
			return 0;
	}
	return -ENOENT;
}

static int sc_backend_flags(struct env *e, __u32 id, __u8 flags, bool del)
{
	const struct lb_backend_def *d = be_def(id);
	struct sluice_backend b = { .flags = flags };

	if (del)
		return dp_backend_del(e->dp, id);
	if (!d)
		return -ENOENT;
	b.family = (__u8)family_of(d->addr);
	if (pkt_addr(b.family, d->addr, b.addr))
		return -EINVAL;
	return dp_backend_set(e->dp, id, &b);
}

static int sc_local_addr(struct sc_env *s, const char *a, bool add)
{
	int fam = family_of(a);
	__u8 b[16];

	if (pkt_addr(fam, a, b))
		return -EINVAL;
	return add ? dp_local_addr_set(s->dp, fam, b) :
		     dp_local_addr_del(s->dp, fam, b);
}

/* The LB's frame @lb handed to the backend of now, which has no socket
 * for it: the tunnel to the previous one (@mid) sent on; that handed to
 * the previous backend: the client's packet delivered. */
static bool sc_pair(struct sc_env *s, const struct sc_flow *f,
		    const struct frame *lb, const struct frame *mid,
		    const struct frame *client, __u16 vip_flags)
{
	const char *now = be_def(f->be)->addr, *prev = be_def(f->prev)->addr;
	static struct frame on, out;
	int reason = vip_flags & SLUICE_VIP_GRE ? SLUICE_DECAP_GRE :
						  SLUICE_DECAP_IPIP;
	bool ok;

	on = *mid;
	memcpy(on.buf, lb->buf, 12); /* the LB's frame's MACs, then swapped */
	out = *client;
	if (sent_on(&on) || out.l3_off != 14) {
		diag("cannot build the expected frames\n");
		return false;
	}
	memcpy(out.buf, on.buf, 12); /* behind the L2 of the frame sent on */
	if (sc_local_addr(s, now, true))
		return false;
	ok = sc_run(s, lb, XDP_REDIRECT, SLUICE_FWD_DECAP_SECOND, &on);
	if (sc_local_addr(s, now, false) || sc_local_addr(s, prev, true))
		return false;
	ok &= sc_run(s, &on, XDP_PASS, reason, &out);
	return !sc_local_addr(s, prev, false) && ok;
}

static bool sc_lb_row(struct sc_env *s, const struct second_lb_fixture *fx,
		      __u16 base)
{
	static struct frame client, syn, mid, exp;
	struct env *e = s->e;
	const struct sc_vip *v = sc_vip_of(fx->vip);
	struct sc_flow f;
	static struct run r;
	int err, flows;
	bool ok = true;

	if (!v)
		return false;
	err = sc_grace(e, v, fx->grace) ?: sc_find(fx, v, base, &f);
	if (err) {
		diag("previous table or flow: %s\n", strerror(-err));
		return false;
	}
	err = pkt_build(&f.s, &client);
	if (!err && fx->carried)
		err = sc_encap_to(f.prev, v->d->flags, 0, f.hash, &client, &mid) ?:
			      sc_encap_to(f.be, v->d->flags, 0, f.hash, &mid,
					  &exp);
	else if (!err)
		err = sc_encap_to(f.be, v->d->flags, 0, f.hash, &client, &exp);
	if (!err && fx->pre == SCP_SYN_FIRST) {
		struct pkt_spec ss = f.s;

		ss.tcp_flags = 0x02;
		ss.payload = 0;
		err = pkt_build(&ss, &syn);
		if (!err)
			xdp_run(e->prog_fd, e->ifindex[IFX_P0], syn.buf,
				syn.len, 0, 1, &r);
		err = err ?: r.err;
	}
	if (!err && (fx->pre == SCP_PREV_DOWN || fx->pre == SCP_PREV_DEL))
		err = sc_backend_flags(e, f.prev, SLUICE_BE_DOWN,
				       fx->pre == SCP_PREV_DEL);
	if (err) {
		diag("cannot prepare the row: %s\n", strerror(-err));
		return false;
	}
	flows = dp_lb_flow_count(e->dp);
	snapshot(e, e->before);
	xdp_run(e->prog_fd, e->ifindex[IFX_P0], client.buf, client.len, 0, 1,
		&r);
	snapshot(e, e->after);
	if (fx->pre == SCP_PREV_DOWN || fx->pre == SCP_PREV_DEL)
		ok &= !sc_backend_flags(e, f.prev, 0, false);
	if (r.err || r.retval != XDP_REDIRECT) {
		diag("test_run %d, verdict %s, want XDP_REDIRECT\n", r.err,
		     xdp_name(r.retval));
		return false;
	}
	ok &= counters_ok(e, e->slot[IFX_P0], fx->reason, client.len, 1);
	if (dp_lb_flow_count(e->dp) - flows != fx->flows) {
		diag("flow table %+d, want %+d\n",
		     dp_lb_flow_count(e->dp) - flows, fx->flows);
		ok = false;
	}
	if (r.out_len != exp.len || memcmp(r.out, exp.buf, exp.len)) {
		diag("port %u: backend %u now, %u before\n", f.s.sport, f.be,
		     f.prev);
		hexdiff(exp.buf, exp.len, r.out, r.out_len);
		ok = false;
	}
	if (ok && fx->pair)
		ok = sc_pair(s, &f, &exp, &mid, &client, v->d->flags);
	return ok;
}

/* ---- setup ----------------------------------------------------------------- */

static int sc_setup(struct sc_env *s, struct env *e, char *why, size_t len)
{
	int err;

	s->e = e;
	for (size_t i = 0; i < sizeof(sc_setup_cmds) / sizeof(*sc_setup_cmds);
	     i++) {
		if (system(sc_setup_cmds[i])) {
			snprintf(why, len, "'%s' failed", sc_setup_cmds[i]);
			return -EIO;
		}
	}
	s->ifindex = if_nametoindex(SC_DEV);
	s->listen4 = sc_listen("198.19.0.100");
	s->listen6 = sc_listen("2001:db8:100::100");
	if (!s->ifindex || s->listen4 < 0 || s->listen6 < 0) {
		snprintf(why, len, "%s or the listeners: %s", SC_DEV,
			 strerror(-(s->listen4 < 0 ? s->listen4 : s->listen6)));
		return -EIO;
	}
	err = dp_open(&s->dp, &(struct dp_opts){ .pin_dir = NULL,
						 .role = DP_ROLE_BACKEND });
	if (err) {
		snprintf(why, len, "dp_open (backend role): %s",
			 strerror(-err));
		return err;
	}
	s->prog_fd = dp_xdp_prog_fd(s->dp);
	for (size_t i = 0; i < sizeof(sc_local) / sizeof(*sc_local); i++) {
		err = sc_local_addr(s, sc_local[i], true);
		if (err) {
			snprintf(why, len, "local address %s: %s", sc_local[i],
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

static void sc_teardown(struct sc_env *s)
{
	for (int i = 0; i < s->nconns; i++)
		close(s->conns[i]);
	s->nconns = 0;
	if (s->listen4 >= 0)
		close(s->listen4);
	if (s->listen6 >= 0)
		close(s->listen6);
	for (size_t i = 0;
	     i < sizeof(sc_teardown_cmds) / sizeof(*sc_teardown_cmds); i++)
		if (system(sc_teardown_cmds[i]))
			diag("'%s' failed\n", sc_teardown_cmds[i]);
	for (size_t i = 0; i < second_n_vips; i++)
		dp_lb_second_del(s->e->dp, second_vips[i].id);
	dp_close(s->dp);
	s->dp = NULL;
}

void second_run_all(struct env *e, bool lb_ok)
{
	struct sc_env *s = &sce;
	char why[256] = "", name[256];
	int err = sc_setup(s, e, why, sizeof(why));

	tap(e, !err, "second chance: setup (sl9, sockets, backend role)");
	if (err) {
		diag("%s\n", why);
		sc_teardown(s);
		return;
	}
	for (size_t i = 0; i < second_n_fixtures; i++) {
		snprintf(name, sizeof(name), "second chance: %s",
			 second_fixtures[i].name);
		tap(e, sc_row(s, &second_fixtures[i]), name);
	}
	err = lb_ok ? sc_lb_setup(e) : -ENOENT;
	tap(e, !err, "second chance: lb VIPs, tables now and before");
	for (size_t i = 0; !err && i < second_n_lb_fixtures; i++) {
		snprintf(name, sizeof(name), "second chance: %s",
			 second_lb_fixtures[i].name);
		tap(e,
		    sc_lb_row(s, &second_lb_fixtures[i],
			      (__u16)(20000 + 2000 * i)),
		    name);
	}
	sc_teardown(s);
}
