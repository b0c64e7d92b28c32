/* SPDX-License-Identifier: BSD-2-Clause */
/* sluiced's configuration: a JSON file, overridden by command-line flags.
 * Every error names the field and the value. */
#ifndef SLUICED_CONFIG_H
#define SLUICED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include "ct.h"
#include "dp.h"
#include "lb.h"
#include "lb_announce.h"
#include "log.h"
#include "nat.h"
#include "steer.h"

struct json_object;

#define CFG_MAX_IFACES (SLUICE_MAX_IFACES - 1)
#define CFG_MAX_APIS 4
/* fib.v4_groups / fib.v6_groups: 256-entry groups (1 KiB each) */
#define CFG_FIB_GROUPS_MIN 16
#define CFG_FIB_GROUPS_MAX (4u << 20)
#define CFG_DEFAULT_PIN_DIR "/sys/fs/bpf/sluice"
/* lb.json there: the VIPs changed through the API, across restarts */
#define CFG_DEFAULT_STATE_DIR "/var/lib/sluice"

struct sluiced_config {
	char *ifaces[CFG_MAX_IFACES]; /* XDP */
	int n_ifaces;
	/* the TC router instead of XDP (docs/veth.md); the two lists share
	 * the CFG_MAX_IFACES slots and never name an interface twice */
	char *tc_ifaces[CFG_MAX_IFACES];
	int n_tc_ifaces;
	char *apis[CFG_MAX_APIS];
	int n_apis;
	char *api_token;
	/* HTTPS on the tcp: listeners: PEM files read at start (api_tls.c) */
	char *api_tls_cert;
	char *api_tls_key;
	char *pin_dir;
	char *state_dir;
	enum dp_xdp_mode xdp_mode;
	bool keep_on_exit;
	/* load the explain copy of the XDP program at start (explain.h) */
	bool explain;
	enum log_level log_level;
	enum dp_role role;
	/* "lb": settings, and the VIPs of the first start (the state file,
	 * once there is one, holds the VIPs to run instead) */
	struct lb_settings lb;
	/* "fib": the forwarding table's group pools (0: compiled default) */
	uint32_t fib_v4_groups;
	uint32_t fib_v6_groups;
	/* fib.v6_index_slots: the IPv6 /48 index's size (dp_opts); unset:
	 * the default; set to 0: no index */
	uint32_t fib_v6_index_slots;
	bool fib_v6_index_set;
	struct lb_vip_spec *vips;
	int n_vips;
	/* "conntrack": the settings of the first start (ct.json, once
	 * there is one, holds those to run instead) and the capacity */
	struct ct_config ct;
	/* "ddos": the DDoS guard of the first start (ddos.json, once there
	 * is one, wins); checked at parse time, NULL if absent */
	struct json_object *ddos;
	/* "nat": the rules of the first start (nat.json, once there is
	 * one, holds those to run instead) */
	struct nat_rule *nat_rules;
	int n_nat_rules;
	/* "steer": the selectors of the first start (steer.json, once
	 * there is one, holds those to run instead) */
	struct steer_sel *steer_sels;
	int n_steer_sels;
	/* "fw": the firewall of the first start (fwd_state.c reads it; the
	 * state file fw.json, once there is one, is used instead) */
	struct json_object *fw;
	/* the config file "fw" came from: a bad section is reported as a
	 * config error, parsed only once the firewall starts (main.c) */
	char *fw_file;
	/* "l7": the L7 local hop of the first start (l7.json, once there is
	 * one, wins); checked at parse time, NULL if absent */
	struct json_object *l7;
	/* "announce": VIP routes for a BGP daemon; "node": the SIGTERM
	 * grace (docs/deploy.md) */
	struct announce_conf announce;
	uint32_t sigterm_grace_s;
};

void config_init(struct sluiced_config *cfg);
void config_free(struct sluiced_config *cfg);

/* Parse a JSON document into @cfg (fields present replace defaults). */
int config_parse_json(struct sluiced_config *cfg, const char *text, char *err,
		      size_t errlen);
int config_load_file(struct sluiced_config *cfg, const char *path, char *err,
		     size_t errlen);
/* One complete JSON document of @len bytes (whitespace around it allowed),
 * strict RFC 8259 (json_strict.h): no comments, no trailing commas, no key
 * twice in an object at any depth, no \u0000 in strings.  @err says where
 * it broke: "invalid JSON at line 2 column 3: duplicate key 'port'". */
int config_json_parse(const char *text, size_t len, struct json_object **out,
		      char *err, size_t errlen);

/* Setters shared by the JSON parser and the flag parser; each validates. */
int config_add_iface(struct sluiced_config *cfg, const char *name, char *err,
		     size_t errlen);
int config_add_tc_iface(struct sluiced_config *cfg, const char *name, char *err,
			size_t errlen);
int config_add_api(struct sluiced_config *cfg, const char *spec, char *err,
		   size_t errlen);
int config_set_pin_dir(struct sluiced_config *cfg, const char *dir, char *err,
		       size_t errlen);
int config_set_state_dir(struct sluiced_config *cfg, const char *dir, char *err,
			 size_t errlen);
int config_set_xdp_mode(struct sluiced_config *cfg, const char *mode, char *err,
			size_t errlen);
int config_set_log_level(struct sluiced_config *cfg, const char *lvl, char *err,
			 size_t errlen);
int config_set_token(struct sluiced_config *cfg, const char *token, char *err,
		     size_t errlen);
int config_set_role(struct sluiced_config *cfg, const char *role, char *err,
		    size_t errlen);
/* api_tls_cert, api_tls_key: a path (absolute); read by api_tls_load() */
int config_set_tls_cert(struct sluiced_config *cfg, const char *path, char *err,
			size_t errlen);
int config_set_tls_key(struct sluiced_config *cfg, const char *path, char *err,
		       size_t errlen);
const char *config_role_name(enum dp_role r);
void config_clear_ifaces(struct sluiced_config *cfg);
void config_clear_tc_ifaces(struct sluiced_config *cfg);
void config_clear_apis(struct sluiced_config *cfg);

/* Cross-field checks, after file and flags are merged. */
int config_validate(const struct sluiced_config *cfg, char *err, size_t errlen);

#endif
