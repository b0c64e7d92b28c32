/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAT's control plane (docs/nat.md): the rules an operator writes (the
 * config file's "nat" array, POST /v1/nat, the state file nat.json), their
 * interfaces resolved to ifindexes from the daemon's interface state, and
 * what is written into the data path through lib/dp (dp_nat.h).  The data
 * path itself is bpf/lib/nat.h.
 *
 * NAT rides on connection tracking: while a rule exists, conntrack is on.
 * The first rule switches it on through conntrack's own runtime switch
 * (ct_set_config), so ct.json stays the record of what runs.
 */
#ifndef SLUICED_NAT_H
#define SLUICED_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/sluice/nat.h>

struct dp;
struct ct;
struct json_object;
struct dp_snat_rule;
struct dp_dnat_rule;

/* nat.json in the state directory ({"version": 1, "next_id": N, "rules":
 * [...]}): the rules as changed through the API.  Like lb.json and
 * ct.json it wins over the config file's "nat" array, which only seeds
 * the first start. */
#define NAT_STATE_FILE "nat.json"
#define NAT_MAX_RULES 1024
#define NAT_PORT_LO_DEFAULT 1024
#define NAT_PORT_HI_DEFAULT 65535

enum nat_kind { NAT_SNAT, NAT_DNAT };

/* One rule, as written and as kept.  Addresses in network order. */
struct nat_rule {
	uint32_t id; /* 0: not assigned yet */
	enum nat_kind kind;
	int family;	/* AF_INET, AF_INET6 */
	char iface[16]; /* SNAT: "out"; DNAT: "in" */
	/* SNAT */
	uint8_t src[16]; /* the prefix, bits past src_plen zero */
	uint8_t src_plen;
	bool masquerade; /* no "to": the out interface's address */
	uint8_t to_lo[16], to_hi[16];
	uint16_t port_lo, port_hi; /* both set (default 1024..65535) */
	/* DNAT */
	uint8_t proto; /* IPPROTO_TCP, IPPROTO_UDP */
	uint8_t daddr[16];
	uint16_t dport;
	uint8_t to_addr[16];
	uint16_t to_port; /* 0: the port is kept */
};

/* Which keys a document may hold. */
#define NAT_PARSE_ID 0x1 /* "id" (the state file; the config file) */

/*
 * One rule from a JSON object (the POST body, an element of the config
 * file's "nat" array or of nat.json's "rules").  @where prefixes field
 * names in errors ("nat[2]." in the config file, "" in a body).  0, or
 * -EINVAL with the field and the value in @err, e.g. "src: '198.18.0.0/33'
 * is not a prefix".  Interfaces are only checked for their syntax here.
 */
int nat_rule_parse(struct json_object *o, const char *where, unsigned int keys,
		   struct nat_rule *r, char *err, size_t errlen);
/* An array of rules (the config file's "nat"): *@out malloc'd (free()). */
int nat_rules_parse(struct json_object *a, const char *where,
		    struct nat_rule **out, size_t *n, char *err, size_t errlen);
/* The rule as written (type, src, out, to, ports / type, in, dst, to),
 * with its id. */
struct json_object *nat_rule_json(const struct nat_rule *r);
/* Two rules the data path would key alike (SNAT: out, family, source
 * prefix; DNAT: in, family, protocol, address and port). */
bool nat_rule_same_key(const struct nat_rule *a, const struct nat_rule *b);
/* What lib/dp is given for @r on @ifindex. */
void nat_rule_to_snat(const struct nat_rule *r, uint32_t ifindex,
		      struct dp_snat_rule *out);
void nat_rule_to_dnat(const struct nat_rule *r, uint32_t ifindex,
		      struct dp_dnat_rule *out);

/* ---- the running part ---- */
struct nat;

/* What the running part asks of the data path: lib/dp (nat_dp_bpf), or a
 * fake in the unit tests. */
struct nat_dp_ops {
	int (*snat_set)(struct dp *dp, const struct dp_snat_rule *r);
	int (*snat_del)(struct dp *dp, const struct dp_snat_rule *r);
	int (*dnat_set)(struct dp *dp, const struct dp_dnat_rule *r);
	int (*dnat_del)(struct dp *dp, const struct dp_dnat_rule *r);
	int (*config_set)(struct dp *dp, uint32_t flags);
	int (*events)(struct dp *dp, uint64_t out[SLUICE_NAT_NEVENTS]);
	int (*flow_count)(struct dp *dp, uint32_t *n);
	/* removes the rules in the maps that @keep_snat / @keep_dnat do not
	 * want (what a previous run left pinned); NULL: nothing to do */
	int (*prune)(struct dp *dp,
		     bool (*keep_snat)(const struct dp_snat_rule *r, void *arg),
		     bool (*keep_dnat)(const struct dp_dnat_rule *r, void *arg),
		     void *arg);
};
extern const struct nat_dp_ops nat_dp_bpf;

/* An interface name to its ifindex: 0 and *@ifindex (0 while the
 * interface is absent), or -ENODEV when sluiced does not manage it. */
typedef int (*nat_resolve_fn)(void *arg, const char *name, uint32_t *ifindex);
/* The daemon's resolver: @arg is the struct state. */
int nat_resolve_state(void *arg, const char *name, uint32_t *ifindex);

/* The rules to start with: @dir/nat.json when there is one (*@from_state
 * true, *@next_id its next id), else @cfg_rules.  Read before the data
 * path is touched (0, or -errno with @err naming the file and field). */
int nat_start_read(const char *state_dir, const struct nat_rule *cfg_rules,
		   size_t n_cfg, struct nat_rule **out, size_t *n,
		   uint32_t *next_id, bool *from_state, char *err,
		   size_t errlen);

/* @ct may be NULL (the unit tests of the rules alone: nothing to switch
 * on); @state_dir NULL: changes are not saved. */
int nat_new(struct nat **out, struct dp *dp, const struct nat_dp_ops *ops,
	    nat_resolve_fn resolve, void *resolve_arg, struct ct *ct,
	    const char *state_dir);
void nat_free(struct nat *nat);
/* The rules of the start (ids kept; those without one get the next ones),
 * written into the data path; what a previous run left pinned and these
 * do not name is removed.  0, or -errno with @err naming the rule. */
int nat_load(struct nat *nat, const struct nat_rule *rules, size_t n,
	     uint32_t next_id, char *err, size_t errlen);
/* Adds @r (its id is assigned: *@id).  -EINVAL (bad interface), -EEXIST
 * (a rule with the same key: its id in @err), -ENOSPC, or the data path's
 * error; nothing changed on error. */
int nat_add(struct nat *nat, const struct nat_rule *r, uint32_t *id, char *err,
	    size_t errlen);
/* -ENOENT when there is no rule @id. */
int nat_del(struct nat *nat, uint32_t id, char *err, size_t errlen);
/* Interfaces that came, went or came back with a new ifindex: the rules
 * naming them are written again (after each round of netlink events). */
void nat_sync_ifaces(struct nat *nat);

size_t nat_rule_count(const struct nat *nat);
const struct nat_rule *nat_rule_at(const struct nat *nat, size_t i);
/* The ifindex the rule @i is written with (0: its interface is absent). */
uint32_t nat_rule_ifindex(const struct nat *nat, size_t i);
size_t nat_count_kind(const struct nat *nat, enum nat_kind k);
struct dp *nat_dp(const struct nat *nat);
const struct nat_dp_ops *nat_ops(const struct nat *nat);
uint64_t nat_state_write_errors(const struct nat *nat);
const char *nat_state_path(const struct nat *nat);
/* SLUICE_NAT_HAS_* as written. */
uint32_t nat_flags(const struct nat *nat);

/* GET /v1/nat's document (rules, counts, events, nat_flows). */
struct json_object *nat_json(struct nat *nat);
/* Prometheus text for NAT (malloc'd; NULL on ENOMEM). */
char *nat_metrics(struct nat *nat);

#endif
