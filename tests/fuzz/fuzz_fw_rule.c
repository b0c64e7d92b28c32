// SPDX-License-Identifier: BSD-2-Clause
/*
 * The firewall's rule compiler (lib/fw): a JSON list of rules as the API
 * and the config file take them (fwd_rule_from_json_id, then the
 * cross-field checks), compiled into the data path's bitmaps, checked for
 * shadowed rules, and every packet of the input classified twice: by the
 * compiled form (what the BPF program does) and by reading the rules one
 * by one.  The two must agree: a difference aborts (a compiler bug).
 *
 * Input: the rules' JSON, a NUL, then packets of PKT_LEN bytes each.
 * Named sets "@a".."@d" exist; membership is a fixed function of the
 * address, the same for both evaluations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include "config.h"
#include "fuzz.h"
#include "fw.h"
#include "fwd_internal.h"

#define MAX_RULES 64
#define MAX_PKTS 32
#define PKT_LEN 40

static struct fw_compiled *compiled;

static int resolve(const char *name, void *arg)
{
	(void)arg;
	if (strlen(name) == 1 && name[0] >= 'a' && name[0] <= 'd')
		return name[0] - 'a' + 1;
	return -ENOENT;
}

static bool in_set(int id, const __u8 *addr, __u8 family)
{
	return ((addr[0] ^ addr[family == AF_INET ? 3 : 15]) >> (id - 1)) & 1;
}

static bool member(__u16 nset, const struct fw_packet *pk, __u8 dim, void *arg)
{
	(void)arg;
	return in_set(nset, dim == SLUICE_FW_DIM_DST ? pk->dst : pk->src,
		      pk->family);
}

static bool contains(const char *name, const __u8 *addr, __u8 family, void *arg)
{
	int id = resolve(name, arg);

	return id > 0 && in_set(id, addr, family);
}

static void packet(const uint8_t *b, struct fw_packet *pk)
{
	memset(pk, 0, sizeof(*pk));
	pk->family = b[0] & 1 ? AF_INET6 : AF_INET;
	pk->proto = b[1];
	/* one state as the data path gives it, or 0 (untracked) */
	pk->ct_state = b[2] % 6 ? 1u << (b[2] % 6 - 1) : 0;
	pk->icmp_type = b[3];
	memcpy(pk->src, b + 4, pk->family == AF_INET ? 4 : 16);
	memcpy(pk->dst, b + 20, pk->family == AF_INET ? 4 : 16);
	pk->sport = (__u16)(b[36] << 8 | b[37]);
	pk->dport = (__u16)(b[38] << 8 | b[39]);
}

static int rules_from(const char *text, size_t len, struct fw_rule *rules)
{
	struct json_object *doc;
	char err[512];
	size_t n = 0;

	if (config_json_parse(text, len, &doc, err, sizeof(err)))
		return -1;
	if (json_object_is_type(doc, json_type_array)) {
		size_t total = json_object_array_length(doc);

		for (size_t i = 0; i < total && n < MAX_RULES; i++) {
			struct json_object *o =
				json_object_array_get_idx(doc, i);
			int pos;

			if (fwd_rule_from_json_id(o, &rules[n], &pos, true, err,
						  sizeof(err)) ||
			    fw_rule_validate(&rules[n], err, sizeof(err))) {
				if (getenv("FUZZ_FW_VERBOSE"))
					fprintf(stderr, "rule %zu: %s\n", i,
						err);
				continue;
			}
			rules[n].id = (__u32)n + 1;
			n++;
		}
	}
	json_object_put(doc);
	return (int)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_rule rules[MAX_RULES];
	struct fw_issue issues[16];
	const uint8_t *nul = memchr(data, '\0', size);
	size_t jlen = nul ? (size_t)(nul - data) : size;
	char *text = fuzz_strdup(data, jlen);
	char err[512];
	int n;

	if (!compiled)
		compiled = malloc(sizeof(*compiled));
	if (!text || !compiled)
		abort();
	n = rules_from(text, jlen, rules);
	free(text);
	if (n < 0)
		return 0;
	fw_check(rules, (size_t)n, issues, 16);
	memset(compiled, 0, sizeof(*compiled));
	if (!fw_compile(rules, (size_t)n,
			data[0] & 1 ? SLUICE_FW_ACT_DROP : SLUICE_FW_ACT_ACCEPT,
			resolve, NULL, compiled, err, sizeof(err)) &&
	    nul) {
		const uint8_t *p = nul + 1;
		size_t left = size - jlen - 1;

		for (int i = 0; i < MAX_PKTS && left >= PKT_LEN; i++) {
			struct fw_packet pk;
			int want, got;

			packet(p, &pk);
			want = fw_eval_linear(rules, (size_t)n, &pk, contains,
					      NULL);
			got = fw_eval_compiled(compiled, &pk, member, NULL);
			/* FUZZ_FW_VERBOSE=1: what each packet matched */
			if (getenv("FUZZ_FW_VERBOSE"))
				fprintf(stderr, "packet %d: rule %d of %d\n", i,
					got, n);
			if (want != got) {
				fprintf(stderr,
					"fw: compiled form says %d, the rules "
					"%d (packet %d)\n",
					got, want, i);
				abort();
			}
			p += PKT_LEN;
			left -= PKT_LEN;
		}
	}
	fw_compiled_free(compiled);
	return 0;
}
