// SPDX-License-Identifier: BSD-2-Clause
/* NAT's control plane over a fake data path (struct nat_dp_ops) and a fake
 * interface table: rules parsed and refused naming the field and the
 * value; the first rule switches conntrack on through its own switch; the
 * switch the data path reads follows the kinds present; a duplicate, an
 * unknown interface or a refusing data path changes nothing; an
 * interface back with a new ifindex gets its rules again; nat.json read
 * back by the next start; the API's answers and the config file's "nat". */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include <cmocka.h>
#include "api.h"
#include "config.h"
#include "ct.h"
#include "dp_ct.h"
#include "dp_nat.h"
#include "nat.h"

#define MAXR 16

static struct fake {
	struct dp_snat_rule snat[MAXR];
	struct dp_dnat_rule dnat[MAXR];
	int n_snat, n_dnat;
	uint32_t flags;
	int flag_writes;
	int fail_set;	 /* the next rule write fails */
	int fail_config; /* the next switch write fails */
	/* what a previous run left (prune) */
	struct dp_snat_rule left[4];
	int n_left, pruned;
	/* interfaces: name -> ifindex (0 absent) */
	const char *if_names[4];
	uint32_t if_index[4];
	/* conntrack's switch */
	int ct_writes;
	bool ct_enabled;
} F;

static void fake_reset(void)
{
	memset(&F, 0, sizeof(F));
	F.if_names[0] = "eth0";
	F.if_index[0] = 2;
	F.if_names[1] = "eth1";
	F.if_index[1] = 3;
	F.if_names[2] = "eth2";
	F.if_index[2] = 0; /* managed, absent */
}

static int fake_resolve(void *arg, const char *name, uint32_t *ifindex)
{
	(void)arg;
	for (int i = 0; i < 4; i++)
		if (F.if_names[i] && !strcmp(F.if_names[i], name)) {
			*ifindex = F.if_index[i];
			return 0;
		}
	return -ENODEV;
}

static int snat_find(const struct dp_snat_rule *r)
{
	for (int i = 0; i < F.n_snat; i++)
		if (F.snat[i].ifindex == r->ifindex &&
		    F.snat[i].family == r->family &&
		    F.snat[i].src_plen == r->src_plen &&
		    !memcmp(F.snat[i].src, r->src, 16))
			return i;
	return -1;
}

static int fake_snat_set(struct dp *dp, const struct dp_snat_rule *r)
{
	int i = snat_find(r);

	(void)dp;
	if (F.fail_set) {
		F.fail_set = 0;
		return -EIO;
	}
	if (i < 0)
		i = F.n_snat++;
	F.snat[i] = *r;
	return 0;
}

static int fake_snat_del(struct dp *dp, const struct dp_snat_rule *r)
{
	int i = snat_find(r);

	(void)dp;
	if (i < 0)
		return -ENOENT;
	F.snat[i] = F.snat[--F.n_snat];
	return 0;
}

static int dnat_find(const struct dp_dnat_rule *r)
{
	for (int i = 0; i < F.n_dnat; i++)
		if (F.dnat[i].ifindex == r->ifindex &&
		    F.dnat[i].family == r->family &&
		    F.dnat[i].proto == r->proto &&
		    F.dnat[i].dport == r->dport &&
		    !memcmp(F.dnat[i].daddr, r->daddr, 16))
			return i;
	return -1;
}

static int fake_dnat_set(struct dp *dp, const struct dp_dnat_rule *r)
{
	int i = dnat_find(r);

	(void)dp;
	if (F.fail_set) {
		F.fail_set = 0;
		return -EIO;
	}
	if (i < 0)
		i = F.n_dnat++;
	F.dnat[i] = *r;
	return 0;
}

static int fake_dnat_del(struct dp *dp, const struct dp_dnat_rule *r)
{
	int i = dnat_find(r);

	(void)dp;
	if (i < 0)
		return -ENOENT;
	F.dnat[i] = F.dnat[--F.n_dnat];
	return 0;
}

static int fake_config_set(struct dp *dp, uint32_t flags)
{
	(void)dp;
	if (F.fail_config) {
		F.fail_config = 0;
		return -EIO;
	}
	F.flags = flags;
	F.flag_writes++;
	return 0;
}

static int fake_events(struct dp *dp, uint64_t out[SLUICE_NAT_NEVENTS])
{
	(void)dp;
	memset(out, 0, SLUICE_NAT_NEVENTS * sizeof(out[0]));
	out[SLUICE_NATE_SNAT_BOUND] = 7;
	out[SLUICE_NATE_PORT_EXHAUSTED] = 1;
	return 0;
}

static int fake_flow_count(struct dp *dp, uint32_t *n)
{
	(void)dp;
	*n = 14; /* 7 flows: a binding and an alias each */
	return 0;
}

/* The maps hold F.snat (what this run wrote) and F.left (a previous
 * run's); prune removes what is not kept. */
static int
fake_prune(struct dp *dp,
	   bool (*keep_snat)(const struct dp_snat_rule *r, void *arg),
	   bool (*keep_dnat)(const struct dp_dnat_rule *r, void *arg),
	   void *arg)
{
	(void)dp;
	(void)keep_dnat;
	for (int i = 0; i < F.n_left; i++)
		if (!keep_snat(&F.left[i], arg))
			F.pruned++;
	for (int i = 0; i < F.n_snat; i++)
		assert_true(keep_snat(&F.snat[i], arg));
	for (int i = 0; i < F.n_dnat; i++)
		assert_true(keep_dnat(&F.dnat[i], arg));
	return 0;
}

static const struct nat_dp_ops fake_ops = {
	.snat_set = fake_snat_set,
	.snat_del = fake_snat_del,
	.dnat_set = fake_dnat_set,
	.dnat_del = fake_dnat_del,
	.config_set = fake_config_set,
	.events = fake_events,
	.flow_count = fake_flow_count,
	.prune = fake_prune,
};

/* ---- conntrack underneath: the real ct over a fake ---- */
static int ct_fake_config_set(struct dp *dp, const struct sluice_ct_config *c)
{
	(void)dp;
	F.ct_enabled = c->enabled;
	F.ct_writes++;
	return 0;
}

static int ct_fake_counts(struct dp *dp, struct dp_ct_counts *out)
{
	(void)dp;
	memset(out, 0, sizeof(*out));
	return 0;
}

static uint32_t ct_fake_capacity(const struct dp *dp)
{
	(void)dp;
	return 1024;
}

static int ct_fake_walk(struct dp *dp, const struct sluice_ct_key *cursor,
			int (*cb)(const struct sluice_ct_key *,
				  const struct sluice_ct_entry *, void *),
			void *arg)
{
	(void)dp;
	(void)cursor;
	(void)cb;
	(void)arg;
	return 0;
}

static const struct ct_dp_ops ct_fake = {
	.config_set = ct_fake_config_set,
	.counts = ct_fake_counts,
	.capacity = ct_fake_capacity,
	.walk = ct_fake_walk,
};

static char err[700];

static int parse(const char *json, struct nat_rule *r)
{
	struct json_object *o = json_tokener_parse(json);
	int rc;

	assert_non_null(o);
	err[0] = '\0';
	rc = nat_rule_parse(o, "", 0, r, err, sizeof(err));
	json_object_put(o);
	return rc;
}

static void expect_error(const char *json, const char *needle)
{
	struct nat_rule r;

	assert_int_equal(parse(json, &r), -EINVAL);
	if (!strstr(err, needle))
		fail_msg("'%s': error '%s' lacks '%s'", json, err, needle);
}

/* The rule written back as text is the rule as written. */
static void expect_roundtrip(const char *json, const char *field,
			     const char *want)
{
	struct json_object *o;
	struct nat_rule r;
	const char *got;

	assert_int_equal(parse(json, &r), 0);
	o = nat_rule_json(&r);
	got = json_object_get_string(json_object_object_get(o, field));
	if (!got || strcmp(got, want))
		fail_msg("'%s': %s is '%s', not '%s'", json, field,
			 got ? got : "(none)", want);
	json_object_put(o);
}

static void test_parse_good(void **state)
{
	struct nat_rule r;
	uint8_t a[16] = {};

	(void)state;
	assert_int_equal(parse("{\"type\":\"snat\",\"src\":\"198.18.0.0/24\","
			       "\"out\":\"eth1\",\"to\":\"198.19.0.10-198.19."
			       "0.12\",\"ports\":\"1024-65535\"}",
			       &r),
			 0);
	assert_int_equal(r.kind, NAT_SNAT);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.src_plen, 24);
	assert_false(r.masquerade);
	inet_pton(AF_INET, "198.19.0.12", a);
	assert_memory_equal(r.to_hi, a, 16);
	assert_int_equal(r.port_lo, 1024);
	assert_int_equal(r.port_hi, 65535);
	assert_string_equal(r.iface, "eth1");

	/* no "to": masquerade; no "ports": 1024-65535 */
	assert_int_equal(parse("{\"type\":\"snat\",\"src\":\"2001:db8:1::/64\","
			       "\"out\":\"eth1\"}",
			       &r),
			 0);
	assert_true(r.masquerade);
	assert_int_equal(r.family, AF_INET6);
	assert_int_equal(r.port_lo, NAT_PORT_LO_DEFAULT);
	assert_int_equal(r.port_hi, NAT_PORT_HI_DEFAULT);

	assert_int_equal(
		parse("{\"type\":\"dnat\",\"in\":\"eth0\",\"dst\":"
		      "\"198.19.0.1:8080/tcp\",\"to\":\"198.18.1.5:80\"}",
		      &r),
		0);
	assert_int_equal(r.kind, NAT_DNAT);
	assert_int_equal(r.proto, IPPROTO_TCP);
	assert_int_equal(r.dport, 8080);
	assert_int_equal(r.to_port, 80);
	/* to port optional */
	assert_int_equal(
		parse("{\"type\":\"dnat\",\"in\":\"eth0\",\"dst\":"
		      "\"[2001:db8::1]:53/udp\",\"to\":\"2001:db8:1::5\"}",
		      &r),
		0);
	assert_int_equal(r.family, AF_INET6);
	assert_int_equal(r.proto, IPPROTO_UDP);
	assert_int_equal(r.to_port, 0);

	expect_roundtrip("{\"type\":\"snat\",\"src\":\"198.18.0.0/24\","
			 "\"out\":\"eth1\",\"to\":\"198.19.0.10-198.19.0.12\"}",
			 "to", "198.19.0.10-198.19.0.12");
	expect_roundtrip("{\"type\":\"snat\",\"src\":\"198.18.0.7\","
			 "\"out\":\"eth1\",\"ports\":\"2000\"}",
			 "ports", "2000-2000");
	expect_roundtrip("{\"type\":\"snat\",\"src\":\"198.18.0.7\","
			 "\"out\":\"eth1\"}",
			 "src", "198.18.0.7/32");
	expect_roundtrip(
		"{\"type\":\"dnat\",\"in\":\"eth0\",\"dst\":"
		"\"[2001:db8::1]:443/tcp\",\"to\":\"[2001:db8:1::5]:8443\"}",
		"dst", "[2001:db8::1]:443/tcp");
	expect_roundtrip(
		"{\"type\":\"dnat\",\"in\":\"eth0\",\"dst\":"
		"\"[2001:db8::1]:443/tcp\",\"to\":\"[2001:db8:1::5]:8443\"}",
		"to", "[2001:db8:1::5]:8443");
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_error("[]", "body: expected object");
	expect_error("{\"src\":\"198.18.0.0/24\"}", "type: required");
	expect_error("{\"type\":\"nat\"}", "type: 'nat' is not snat or dnat");
	expect_error("{\"type\":\"snat\",\"out\":\"eth1\"}", "src: required");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0.0/24\"}",
		     "out: required");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0.0/33\","
		     "\"out\":\"eth1\"}",
		     "src: '198.18.0.0/33': prefix length 33 is over 32");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0/24\","
		     "\"out\":\"eth1\"}",
		     "src: '198.18.0/24' is not a prefix");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0.1/24\","
		     "\"out\":\"eth1\"}",
		     "src: '198.18.0.1/24' has bits set past /24");
	expect_error(
		"{\"type\":\"snat\",\"src\":\"198.18.0.0/24\","
		"\"out\":\"eth1\",\"to\":\"198.19.0.12-198.19.0.10\"}",
		"to: '198.19.0.12-198.19.0.10': the first address is above");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0.0/24\","
		     "\"out\":\"eth1\",\"to\":\"198.19.0.1-2001:db8::1\"}",
		     "to: '198.19.0.1-2001:db8::1' spans two families");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0.0/24\","
		     "\"out\":\"eth1\",\"to\":\"2001:db8::1\"}",
		     "to: '2001:db8::1' is IPv6 and src is IPv4");
	expect_error("{\"type\":\"snat\",\"src\":\"2001:db8::/64\","
		     "\"out\":\"eth1\",\"to\":\"2001:db8::1-2001:db9::1\"}",
		     "within one /96");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0.0/24\","
		     "\"out\":\"eth1\",\"ports\":\"0-100\"}",
		     "ports: '0-100' is not a port range N-M within 1..65535");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0.0/24\","
		     "\"out\":\"eth1\",\"ports\":\"1024-65536\"}",
		     "ports: '1024-65536'");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0.0/24\","
		     "\"out\":\"eth1\",\"ports\":\"2000-1000\"}",
		     "ports: '2000-1000': the first port is above the last");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0.0/24\","
		     "\"out\":\"eth1\",\"ports\":1024}",
		     "ports: expected string, got int (1024)");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0.0/24\","
		     "\"out\":\"eth/1\"}",
		     "out: 'eth/1' is not an interface name");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0.0/24\","
		     "\"out\":\"eth1\",\"in\":\"eth0\"}",
		     "in: not a field of a snat rule (known: type, src, out, "
		     "to, ports)");
	expect_error("{\"type\":\"snat\",\"src\":\"198.18.0.0/24\","
		     "\"out\":\"eth1\",\"id\":4}",
		     "ids are given by sluiced");
	expect_error("{\"type\":\"dnat\",\"in\":\"eth0\",\"dst\":"
		     "\"198.19.0.1:8080/sctp\",\"to\":\"198.18.1.5\"}",
		     "dst: '198.19.0.1:8080/sctp': protocol 'sctp' is not tcp "
		     "or udp");
	expect_error("{\"type\":\"dnat\",\"in\":\"eth0\",\"dst\":"
		     "\"198.19.0.1:0/tcp\",\"to\":\"198.18.1.5\"}",
		     "dst: '198.19.0.1:0/tcp' is not ADDR:PORT/PROTO");
	expect_error("{\"type\":\"dnat\",\"in\":\"eth0\",\"dst\":"
		     "\"198.19.0.1/tcp\",\"to\":\"198.18.1.5\"}",
		     "dst: '198.19.0.1/tcp' is not ADDR:PORT/PROTO");
	expect_error("{\"type\":\"dnat\",\"in\":\"eth0\",\"dst\":"
		     "\"198.19.0.1:80/tcp\",\"to\":\"198.18.1.5:70000\"}",
		     "to: '198.18.1.5:70000' is not ADDR, ADDR:PORT");
	expect_error("{\"type\":\"dnat\",\"in\":\"eth0\",\"dst\":"
		     "\"198.19.0.1:80/tcp\",\"to\":\"2001:db8::5\"}",
		     "to: '2001:db8::5' is IPv6 and dst is IPv4");
	expect_error("{\"type\":\"dnat\",\"in\":\"eth0\",\"dst\":"
		     "\"198.19.0.1:80/tcp\"}",
		     "to: required");
}

static struct ct *make_ct(bool enabled)
{
	struct ct_config c = { .enabled = enabled };
	struct ct *ct;

	assert_int_equal(ct_new(&ct, NULL, &ct_fake, &c, NULL), 0);
	return ct;
}

static struct nat *make_nat(struct ct *ct, const char *dir)
{
	struct nat *nat;

	assert_int_equal(
		nat_new(&nat, NULL, &fake_ops, fake_resolve, NULL, ct, dir), 0);
	assert_int_equal(nat_load(nat, NULL, 0, 0, err, sizeof(err)), 0);
	return nat;
}

static uint32_t add(struct nat *nat, const char *json, int want)
{
	struct nat_rule r;
	uint32_t id = 0;

	assert_int_equal(parse(json, &r), 0);
	err[0] = '\0';
	assert_int_equal(nat_add(nat, &r, &id, err, sizeof(err)), want);
	return id;
}

#define SNAT1                                                                  \
	"{\"type\":\"snat\",\"src\":\"198.18.0.0/24\",\"out\":\"eth1\","       \
	"\"to\":\"198.19.0.10-198.19.0.12\"}"
#define DNAT1                                                                  \
	"{\"type\":\"dnat\",\"in\":\"eth0\",\"dst\":\"198.19.0.1:8080/tcp\","  \
	"\"to\":\"198.18.1.5:80\"}"

static void test_add_del(void **state)
{
	struct ct *ct;
	struct nat *nat;
	uint32_t s, d;

	(void)state;
	fake_reset();
	ct = make_ct(false);
	nat = make_nat(ct, NULL);
	assert_int_equal(F.flags, 0);
	assert_false(F.ct_enabled);

	/* the first rule: conntrack on, through its own switch */
	s = add(nat, SNAT1, 0);
	assert_int_equal(s, 1);
	assert_true(ct_get_config(ct)->enabled);
	assert_true(F.ct_enabled);
	assert_int_equal(F.n_snat, 1);
	assert_int_equal(F.snat[0].ifindex, 3);
	assert_int_equal(F.snat[0].id, 1);
	assert_int_equal(F.flags, SLUICE_NAT_HAS_SNAT);

	d = add(nat, DNAT1, 0);
	assert_int_equal(d, 2);
	assert_int_equal(F.n_dnat, 1);
	assert_int_equal(F.dnat[0].ifindex, 2);
	assert_int_equal(F.dnat[0].dport, 8080);
	assert_int_equal(F.dnat[0].to_port, 80);
	assert_int_equal(F.flags, SLUICE_NAT_HAS_SNAT | SLUICE_NAT_HAS_DNAT);

	/* the same key again: 409's error, the first rule's id named */
	add(nat,
	    "{\"type\":\"snat\",\"src\":\"198.18.0.0/24\",\"out\":"
	    "\"eth1\"}",
	    -EEXIST);
	assert_non_null(strstr(err, "rule 1 already translates"));
	/* an interface sluiced does not manage, named */
	add(nat,
	    "{\"type\":\"snat\",\"src\":\"198.18.9.0/24\",\"out\":"
	    "\"wlan0\"}",
	    -EINVAL);
	assert_non_null(strstr(
		err, "out: 'wlan0' is not an interface sluiced manages"));
	/* the data path refuses: nothing changed */
	F.fail_set = 1;
	add(nat,
	    "{\"type\":\"snat\",\"src\":\"198.18.9.0/24\",\"out\":"
	    "\"eth1\"}",
	    -EIO);
	/* the switch refuses: the rule written is taken back */
	F.fail_config = 1;
	nat_del(nat, d, err, sizeof(err));
	assert_int_equal(F.flags, SLUICE_NAT_HAS_SNAT | SLUICE_NAT_HAS_DNAT);
	assert_int_equal(nat_rule_count(nat), 2);
	assert_int_equal(F.n_snat, 1);
	assert_int_equal(F.n_dnat, 1);

	assert_int_equal(nat_del(nat, 9, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "id: no NAT rule 9"));
	assert_int_equal(nat_del(nat, d, err, sizeof(err)), 0);
	assert_int_equal(F.n_dnat, 0);
	assert_int_equal(F.flags, SLUICE_NAT_HAS_SNAT);
	assert_int_equal(nat_del(nat, s, err, sizeof(err)), 0);
	assert_int_equal(F.n_snat, 0);
	assert_int_equal(F.flags, 0);
	assert_int_equal(nat_rule_count(nat), 0);
	/* ids are not given twice */
	assert_int_equal(add(nat, SNAT1, 0), 3);
	nat_free(nat);
	ct_free(ct);
}

/* A rule whose first write the data path refuses leaves conntrack as it
 * was: off. */
static void test_ct_undo(void **state)
{
	struct ct *ct;
	struct nat *nat;

	(void)state;
	fake_reset();
	ct = make_ct(false);
	nat = make_nat(ct, NULL);
	F.fail_set = 1;
	add(nat, SNAT1, -EIO);
	assert_false(ct_get_config(ct)->enabled);
	assert_false(F.ct_enabled);
	assert_int_equal(nat_rule_count(nat), 0);
	assert_int_equal(F.flags, 0);
	nat_free(nat);
	ct_free(ct);
}

static void test_iface_sync(void **state)
{
	struct ct *ct;
	struct nat *nat;
	struct json_object *o, *rules;

	(void)state;
	fake_reset();
	ct = make_ct(true);
	nat = make_nat(ct, NULL);
	/* eth2 is managed but absent: kept, not written */
	add(nat,
	    "{\"type\":\"snat\",\"src\":\"198.18.0.0/24\",\"out\":"
	    "\"eth2\"}",
	    0);
	assert_int_equal(F.n_snat, 0);
	assert_int_equal(nat_rule_ifindex(nat, 0), 0);
	o = nat_json(nat);
	rules = json_object_object_get(o, "rules");
	assert_int_equal(json_object_array_length(rules), 1);
	assert_int_equal(
		json_object_get_int(json_object_object_get(
			json_object_array_get_idx(rules, 0), "ifindex")),
		0);
	assert_int_equal(
		json_object_get_int(json_object_object_get(o, "nat_flows")), 7);
	assert_int_equal(
		json_object_get_int(json_object_object_get(
			json_object_object_get(o, "events"), "snat_bound")),
		7);
	json_object_put(o);
	/* it appears */
	F.if_index[2] = 9;
	nat_sync_ifaces(nat);
	assert_int_equal(F.n_snat, 1);
	assert_int_equal(F.snat[0].ifindex, 9);
	/* it comes back with another ifindex: the old key goes */
	F.if_index[2] = 12;
	nat_sync_ifaces(nat);
	assert_int_equal(F.n_snat, 1);
	assert_int_equal(F.snat[0].ifindex, 12);
	/* it goes */
	F.if_index[2] = 0;
	nat_sync_ifaces(nat);
	assert_int_equal(F.n_snat, 0);
	nat_free(nat);
	ct_free(ct);
}

static void test_state_file(void **state)
{
	char dir[] = "/tmp/test_nat_XXXXXX", path[320];
	struct nat_rule *rules, cfg_rule;
	struct ct *ct;
	struct nat *nat;
	uint32_t next;
	size_t n;
	bool from_state;
	FILE *f;

	(void)state;
	fake_reset();
	assert_non_null(mkdtemp(dir));
	/* no nat.json: the config's rules */
	assert_int_equal(parse(SNAT1, &cfg_rule), 0);
	assert_int_equal(nat_start_read(dir, &cfg_rule, 1, &rules, &n, &next,
					&from_state, err, sizeof(err)),
			 0);
	assert_false(from_state);
	assert_int_equal(n, 1);
	free(rules);

	ct = make_ct(false);
	nat = make_nat(ct, dir);
	add(nat, SNAT1, 0);
	add(nat, DNAT1, 0);
	assert_int_equal(nat_del(nat, 1, err, sizeof(err)), 0);
	nat_free(nat);

	/* the next start: nat.json wins over the config, ids kept */
	assert_int_equal(nat_start_read(dir, &cfg_rule, 1, &rules, &n, &next,
					&from_state, err, sizeof(err)),
			 0);
	assert_true(from_state);
	assert_int_equal(n, 1);
	assert_int_equal(rules[0].id, 2);
	assert_int_equal(rules[0].kind, NAT_DNAT);
	assert_int_equal(next, 3);

	/* loaded over what a previous run left pinned: the stale rule
	 * goes, ours are kept (fake_prune asserts it) */
	fake_reset();
	F.n_left = 1;
	F.left[0].id = 1;
	F.left[0].ifindex = 3;
	F.left[0].family = AF_INET;
	assert_int_equal(
		nat_new(&nat, NULL, &fake_ops, fake_resolve, NULL, ct, dir), 0);
	assert_int_equal(nat_load(nat, rules, n, next, err, sizeof(err)), 0);
	assert_int_equal(F.pruned, 1);
	assert_int_equal(F.n_dnat, 1);
	assert_int_equal(F.dnat[0].id, 2);
	assert_int_equal(F.flags, SLUICE_NAT_HAS_DNAT);
	assert_true(ct_get_config(ct)->enabled);
	assert_int_equal(add(nat, SNAT1, 0), 3);
	nat_free(nat);
	free(rules);

	/* a rule naming an interface sluiced does not manage stops the
	 * start, naming it */
	fake_reset();
	F.if_names[0] = NULL;
	assert_int_equal(nat_start_read(dir, NULL, 0, &rules, &n, &next,
					&from_state, err, sizeof(err)),
			 0);
	assert_int_equal(
		nat_new(&nat, NULL, &fake_ops, fake_resolve, NULL, ct, dir), 0);
	assert_int_equal(nat_load(nat, rules, n, next, err, sizeof(err)),
			 -ENODEV);
	assert_non_null(strstr(err, "rule 2: in: 'eth0' is not an interface"));
	nat_free(nat);
	free(rules);

	/* a broken file is refused naming the file and the field */
	snprintf(path, sizeof(path), "%s/%s", dir, NAT_STATE_FILE);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"version\":1,\"rules\":[{\"type\":\"snat\",\"src\":"
	      "\"198.18.0.0/24\",\"out\":\"eth1\",\"ports\":\"9-1\"}]}",
	      f);
	fclose(f);
	assert_int_equal(nat_start_read(dir, NULL, 0, &rules, &n, &next,
					&from_state, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "nat.json: rules[0].ports: '9-1'"));
	unlink(path);
	rmdir(dir);
	ct_free(ct);
}

static void test_config_section(void **state)
{
	struct sluiced_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_parse_json(&cfg,
					   "{\"nat\":[" SNAT1 "," DNAT1 "]}",
					   err, sizeof(err)),
			 0);
	assert_int_equal(cfg.n_nat_rules, 2);
	assert_int_equal(cfg.nat_rules[1].kind, NAT_DNAT);
	assert_int_equal(config_parse_json(&cfg,
					   "{\"nat\":[" SNAT1 ",{\"type\":"
					   "\"snat\",\"src\":\"198.18.0.0/"
					   "24\",\"out\":\"eth1\",\"ports\":"
					   "\"1-0\"}]}",
					   err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "nat[1].ports: '1-0'"));
	assert_int_equal(config_parse_json(&cfg,
					   "{\"nat\":[" SNAT1 "," SNAT1 "]}",
					   err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "nat: rules 0 and 1 have the same key"));
	assert_int_equal(config_parse_json(&cfg, "{\"nat\":{}}", err,
					   sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "nat: expected array"));
	/* what failed left the first parse's rules */
	assert_int_equal(cfg.n_nat_rules, 2);
	config_free(&cfg);
}

static char *api(struct api_ctx *ctx, const char *method, const char *url,
		 const char *body, unsigned int want, const char *needle)
{
	struct api_query q = { .body = body,
			       .body_len = body ? strlen(body) : 0 };
	const char *ctype;
	unsigned int status;
	char *out;

	out = api_render(ctx, method, url, &q, &status, &ctype);
	assert_non_null(out);
	if (status != want || !strstr(out, needle))
		fail_msg("%s %s: %u '%s', wanted %u with '%s'", method, url,
			 status, out, want, needle);
	return out;
}

static void test_api(void **state)
{
	struct sluiced_config cfg;
	struct api_ctx ctx = { .cfg = &cfg };
	struct ct *ct;
	struct nat *nat;
	char *m;

	(void)state;
	fake_reset();
	config_init(&cfg);
	/* no NAT (the backend role): 404; a bad body is 400 first */
	free(api(&ctx, "GET", "/v1/nat", NULL, 404, "no NAT in role"));
	free(api(&ctx, "POST", "/v1/nat", "{\"type\":\"x\"}", 400,
		 "type: 'x' is not snat or dnat"));
	ct = make_ct(false);
	nat = make_nat(ct, NULL);
	ctx.ct = ct;
	ctx.nat = nat;
	free(api(&ctx, "POST", "/v1/nat", NULL, 400,
		 "body: a JSON object is required"));
	free(api(&ctx, "POST", "/v1/nat", "{", 400, "body: invalid JSON"));
	/* JSON that is not an object (found by fuzz_api on /v1/l7/ports) */
	free(api(&ctx, "POST", "/v1/nat", "80\n", 400,
		 "body: expected a JSON object, got int"));
	free(api(&ctx, "POST", "/v1/nat", "[1]", 400,
		 "body: expected a JSON object, got array"));
	free(api(&ctx, "POST", "/v1/nat", SNAT1, 201, "{\"id\":1}"));
	free(api(&ctx, "POST", "/v1/nat", SNAT1, 409, "rule 1 already"));
	free(api(&ctx, "POST", "/v1/nat",
		 "{\"type\":\"snat\",\"src\":\"198.18.1.0/24\",\"out\":"
		 "\"eth9\"}",
		 400, "out: 'eth9' is not an interface sluiced manages"));
	assert_int_equal(nat_rule_count(nat), 1);
	free(api(&ctx, "GET", "/v1/nat", NULL, 200,
		 "\"counts\":{\"snat\":1,\"dnat\":0}"));
	free(api(&ctx, "GET", "/v1/nat", NULL, 200, "\"port_exhausted\":1"));
	/* conntrack stays on while a rule needs it */
	free(api(&ctx, "PUT", "/v1/conntrack/config", "{\"enabled\":false}",
		 409, "NAT rides on conntrack"));
	assert_true(ct_get_config(ct)->enabled);
	free(api(&ctx, "DELETE", "/v1/nat/x1", NULL, 400, "id: 'x1'"));
	free(api(&ctx, "DELETE", "/v1/nat/0", NULL, 400, "id: '0'"));
	free(api(&ctx, "DELETE", "/v1/nat/7", NULL, 404, "no NAT rule 7"));
	free(api(&ctx, "PUT", "/v1/nat", NULL, 405, "method PUT"));
	free(api(&ctx, "DELETE", "/v1/nat/1", NULL, 200, "\"deleted\":1"));
	/* the metrics (metrics.c adds them to /metrics) */
	m = nat_metrics(nat);
	assert_non_null(m);
	assert_non_null(strstr(m, "sluice_nat_rules{kind=\"snat\"} 0\n"));
	assert_non_null(
		strstr(m, "sluice_nat_events_total{event=\"snat_bound\"} 7\n"));
	assert_non_null(strstr(m, "sluice_nat_flows 7\n"));
	free(m);
	nat_free(nat);
	ct_free(ct);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_add_del),
		cmocka_unit_test(test_ct_undo),
		cmocka_unit_test(test_iface_sync),
		cmocka_unit_test(test_state_file),
		cmocka_unit_test(test_config_section),
		cmocka_unit_test(test_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
