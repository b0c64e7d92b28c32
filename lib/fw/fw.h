/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/fw: the stateful firewall's rule model, its parser and validator,
 * the compiler that turns one (interface, direction) rule list into the
 * bit-vector lookups of include/uapi/sluice/fw.h, and the checker behind
 * `sluicectl fw check`.  Pure C, no BPF: lib/dp/fw.c writes what the
 * compiler produces, and the unit tests run the compiled form against a
 * plain first-match evaluation.
 *
 * Errors name the field and the value: "dport: 70000 is not a port".
 */
#ifndef SLUICE_FW_H
#define SLUICE_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <uapi/sluice/fw.h>

#define FW_NAME_MAX 32	 /* a named prefix set's name, NUL included */
#define FW_IFNAME_MAX 16 /* IFNAMSIZ */
#define FW_ERR_MAX 160

enum fw_addr_kind {
	FW_ADDR_ANY,
	FW_ADDR_PREFIX,
	FW_ADDR_SET, /* a named prefix set: "@NAME" */
};

struct fw_prefix {
	__u8 family; /* AF_INET, AF_INET6 */
	__u8 plen;
	__u8 addr[16]; /* network order, host bits zero */
};

struct fw_addr {
	enum fw_addr_kind kind;
	struct fw_prefix p;    /* FW_ADDR_PREFIX */
	char set[FW_NAME_MAX]; /* FW_ADDR_SET */
};

struct fw_range {
	__u16 lo, hi; /* inclusive; 0-65535 is "any" */
};

struct fw_rule {
	__u32 id; /* unique over all interfaces, 1..SLUICE_FW_MAX_COUNTERS-1 */
	char iface[FW_IFNAME_MAX];
	__u8 dir;    /* SLUICE_FW_IN, SLUICE_FW_OUT */
	__u8 proto;  /* 0: any; IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 */
	__u8 states; /* SLUICE_CTM_* bits; 0: any */
	__u8 action; /* SLUICE_FW_ACT_ACCEPT, _DROP, _REJECT */
	struct fw_addr src, dst;
	struct fw_range sport, dport;
	__s16 icmp_type; /* -1: any */
};

/* A rule that matches everything, accepting. */
void fw_rule_init(struct fw_rule *r);

/*
 * Sets one field of @r from its text, as the CLI, the API and the config
 * file name them: "iface", "dir" (in|out), "src", "dst" (PREFIX or @NAME),
 * "proto" (tcp|udp|icmp|icmpv6), "sport", "dport" (N or N-M), "icmp_type"
 * (0..255), "state" (new,established,related,invalid,untracked) and
 * "action" (accept|drop|reject).  0 or -EINVAL with @err set.
 */
int fw_rule_set(struct fw_rule *r, const char *field, const char *value,
		char *err, size_t errlen);
/* Cross-field checks (ports need tcp, udp or no protocol: then they
 * match TCP and UDP; icmp_type icmp or icmpv6,
 * src and dst of one family, the protocol's family): 0 or -EINVAL. */
int fw_rule_validate(const struct fw_rule *r, char *err, size_t errlen);
/* The protocols @r can match by its protocol class (SLUICE_FW_P_*):
 * a port range without a protocol means TCP and UDP (as nftables' `th
 * dport`), never ICMP or another protocol. */
bool fw_rule_class_ok(const struct fw_rule *r, __u32 cls);

int fw_prefix_parse(const char *txt, struct fw_prefix *p);
int fw_action_parse(const char *txt, __u8 *action);
const char *fw_action_name(__u8 action);
const char *fw_dir_name(__u8 dir);
int fw_dir_parse(const char *txt, __u8 *dir);
const char *fw_proto_name(__u8 proto); /* "" for any */
/* "new,established" into SLUICE_CTM_* bits, and back. */
int fw_states_parse(const char *txt, __u8 *states);
void fw_states_format(__u8 states, char *buf, size_t len);
void fw_prefix_format(const struct fw_prefix *p, char *buf, size_t len);
/* The match as CLI options ("--src 198.18.0.0/24 --proto tcp ..."). */
void fw_rule_format(const struct fw_rule *r, char *buf, size_t len);

/* ---- the compiler ------------------------------------------------------ */

/* An LPM entry: @bits for @p (@dim SLUICE_FW_DIM_*). */
struct fw_lpm_entry {
	__u8 dim;
	struct fw_prefix p;
	struct sluice_fw_bits bits;
};

struct fw_port_entry {
	__u8 dim;   /* 0 sport, 1 dport (ICMP type for ICMP) */
	__u8 plen;  /* of the 16-bit port */
	__u16 port; /* host order */
	struct sluice_fw_bits bits;
};

/* One compiled rule set, ready for lib/dp to write under a set id. */
struct fw_compiled {
	struct sluice_fw_set hdr; /* nrefs' nset ids are filled by the
				   * caller's resolver */
	__u32 nrules;
	struct sluice_fw_rule rules[SLUICE_FW_MAX_RULES];
	struct sluice_fw_bits ps[SLUICE_FW_NCLASS * SLUICE_FW_NSTATE];
	struct fw_lpm_entry *lpm;
	size_t n_lpm;
	struct fw_port_entry *ports;
	size_t n_ports;
	/* fw_psx: ps[k] without the rules of the refs in miss, at
	 * psx[k * (SLUICE_FW_MISS - 1) + miss - 1] for miss 1..2^nrefs-1 */
	struct sluice_fw_bits *psx;
	size_t n_psx;
};

/* A named set's id by name, or -ENOENT. */
typedef int (*fw_nset_resolve)(const char *name, void *arg);

/*
 * Compiles @n rules (in order) of one interface and direction with the
 * default @policy.  More than SLUICE_FW_MAX_RULES rules or
 * SLUICE_FW_MAX_REFS named sets: -E2BIG with @err set; an unknown named
 * set: -EINVAL (bad input of the rule).  fw_compiled_free() releases it
 * (also after an error).
 */
int fw_compile(const struct fw_rule *rules, size_t n, __u8 policy,
	       fw_nset_resolve resolve, void *arg, struct fw_compiled *out,
	       char *err, size_t errlen);
void fw_compiled_free(struct fw_compiled *c);
/* Sets @b's summary from its words (fw_compile does it for all it
 * produces). */
void fw_bits_summarize(struct sluice_fw_bits *b);

/* A packet as the data path sees it, for fw_eval_*(). */
struct fw_packet {
	__u8 family;
	__u8 proto;
	__u8 ct_state; /* SLUICE_CTM_*, 0 = untracked */
	__u8 icmp_type;
	__u8 src[16], dst[16];
	__u16 sport, dport; /* host order */
};

/* In named set @nset? (for fw_eval_compiled) */
typedef bool (*fw_nset_member)(__u16 nset, const struct fw_packet *pk, __u8 dim,
			       void *arg);
/* The data path's classification over @c, in C: the rule position, or
 * -1 (the policy).  The unit tests check it against fw_eval_linear(). */
int fw_eval_compiled(const struct fw_compiled *c, const struct fw_packet *pk,
		     fw_nset_member member, void *arg);
/* First match by reading the rules one by one. */
typedef bool (*fw_nset_contains)(const char *name, const __u8 *addr,
				 __u8 family, void *arg);
int fw_eval_linear(const struct fw_rule *rules, size_t n,
		   const struct fw_packet *pk, fw_nset_contains contains,
		   void *arg);

/* ---- the checker ------------------------------------------------------- */

enum fw_issue_kind {
	FW_SHADOWED,	/* no packet reaches it: an earlier rule covers it */
	FW_CONTRADICTS, /* same match as an earlier rule, other action */
};

struct fw_issue {
	enum fw_issue_kind kind;
	__u32 rule; /* the later rule's id */
	__u32 by;   /* the earlier rule's id */
};

/* Does @a's match cover all of @b's? */
bool fw_rule_covers(const struct fw_rule *a, const struct fw_rule *b);
/*
 * The issues of one ordered rule list (one interface and direction),
 * pairwise: a rule covered by a single earlier rule is shadowed (a
 * contradiction when both matches are equal and the actions differ).
 * Returns how many were found; at most @max are stored.
 */
size_t fw_check(const struct fw_rule *rules, size_t n, struct fw_issue *out,
		size_t max);
const char *fw_issue_name(enum fw_issue_kind k);

#endif
