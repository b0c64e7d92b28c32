// SPDX-License-Identifier: BSD-2-Clause
/*
 * ddos.json (daemon/ddos.c) over an in-memory data path: every change the
 * guard acknowledges is in the file when the call returns, with the event
 * loop attached as in a serving sluiced, so that a SIGKILL right after the
 * answer loses nothing; and the next start, which reconciles the pinned
 * maps against the file, keeps what was added and drops what was deleted.
 * Blocklist changes go to the journal (one line a request), the rest
 * rewrite ddos.json.  The data path's functions (lib/dp/ddos.c) are
 * defined here, an object linked before the archive, as
 * tests/fuzz/stub_ddos.c does.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "ddos.h"
#include "loop.h"

#define MAXP 256
#define MAXS 8

/* ---- the pinned maps, in memory: they outlive a "crash" ---- */
static struct fake {
	struct sluice_ddos_config config;
	struct dp_ddos_prefix block[MAXP];
	size_t n_block;
	struct sluice_ddos_service_key svc[MAXS];
	size_t n_svc;
} F;

static int prefix_at(const struct dp_ddos_prefix *pf)
{
	for (size_t i = 0; i < F.n_block; i++)
		if (F.block[i].family == pf->family &&
		    F.block[i].plen == pf->plen &&
		    !memcmp(F.block[i].addr, pf->addr, sizeof(pf->addr)))
			return (int)i;
	return -1;
}

int dp_ddos_config_get(struct dp *dp, struct sluice_ddos_config *c)
{
	(void)dp;
	*c = F.config;
	return 0;
}

int dp_ddos_config_set(struct dp *dp, const struct sluice_ddos_config *c)
{
	(void)dp;
	F.config = *c;
	return 0;
}

__u64 dp_ddos_now_ns(void)
{
	return 100 * 1000000000ull;
}

int dp_ddos_block_add(struct dp *dp, const struct dp_ddos_prefix *pf)
{
	int i = prefix_at(pf);

	(void)dp;
	if (i >= 0) {
		F.block[i] = *pf;
		return 0;
	}
	if (F.n_block == MAXP)
		return -ENOSPC;
	F.block[F.n_block++] = *pf;
	return 0;
}

int dp_ddos_block_del(struct dp *dp, int family, const void *addr,
		      unsigned int plen)
{
	struct dp_ddos_prefix pf = { .family = (__u8)family,
				     .plen = (__u8)plen };
	int i;

	(void)dp;
	memcpy(pf.addr, addr, family == AF_INET ? 4 : 16);
	i = prefix_at(&pf);
	if (i < 0)
		return -ENOENT;
	F.block[i] = F.block[--F.n_block];
	return 0;
}

/* Whether @outer covers @pf (same family, no longer, same leading bits). */
static bool covers(const struct dp_ddos_prefix *outer,
		   const struct dp_ddos_prefix *pf)
{
	unsigned int full = outer->plen / 8, rest = outer->plen % 8;

	if (outer->family != pf->family || outer->plen > pf->plen ||
	    memcmp(outer->addr, pf->addr, full))
		return false;
	return !rest ||
	       !((outer->addr[full] ^ pf->addr[full]) & (0xff << (8 - rest)));
}

/* As the LPM trie answers: the longest prefix that covers @pf's. */
int dp_ddos_block_get(struct dp *dp, const struct dp_ddos_prefix *pf,
		      __u64 *expires_ns)
{
	int i = -1;

	(void)dp;
	for (size_t k = 0; k < F.n_block; k++)
		if (covers(&F.block[k], pf) &&
		    (i < 0 || F.block[k].plen > F.block[i].plen))
			i = (int)k;
	if (i < 0)
		return -ENOENT;
	if (expires_ns)
		*expires_ns = F.block[i].expires_ns;
	return 0;
}

int dp_ddos_block_load(struct dp *dp, const struct dp_ddos_prefix *v, size_t n,
		       size_t *done)
{
	for (*done = 0; *done < n; (*done)++) {
		int rc = dp_ddos_block_add(dp, &v[*done]);

		if (rc)
			return rc;
	}
	return 0;
}

int dp_ddos_block_foreach(struct dp *dp, dp_ddos_prefix_cb cb, void *arg)
{
	(void)dp;
	for (size_t i = 0; i < F.n_block; i++) {
		int rc = cb(&F.block[i], arg);

		if (rc)
			return rc;
	}
	return 0;
}

int dp_ddos_block_flush(struct dp *dp)
{
	(void)dp;
	F.n_block = 0;
	return 0;
}

static int svc_at(const struct sluice_ddos_service_key *k)
{
	for (size_t i = 0; i < F.n_svc; i++)
		if (!memcmp(&F.svc[i], k, sizeof(*k)))
			return (int)i;
	return -1;
}

int dp_ddos_service_set(struct dp *dp, const struct sluice_ddos_service_key *k,
			__u32 id)
{
	(void)dp;
	(void)id;
	if (svc_at(k) >= 0)
		return 0;
	if (F.n_svc == MAXS)
		return -ENOSPC;
	F.svc[F.n_svc++] = *k;
	return 0;
}

int dp_ddos_service_del(struct dp *dp, const struct sluice_ddos_service_key *k)
{
	int i = svc_at(k);

	(void)dp;
	if (i < 0)
		return -ENOENT;
	F.svc[i] = F.svc[--F.n_svc];
	return 0;
}

int dp_ddos_service_first(struct dp *dp, struct sluice_ddos_service_key *k)
{
	(void)dp;
	if (!F.n_svc)
		return -ENOENT;
	*k = F.svc[0];
	return 0;
}

int dp_ddos_service_state(struct dp *dp, __u32 id,
			  struct sluice_ddos_svc_state *st, __u64 *syns_now)
{
	(void)dp;
	(void)id;
	memset(st, 0, sizeof(*st));
	if (syns_now)
		*syns_now = 0;
	return 0;
}

int dp_ddos_buckets_count(struct dp *dp)
{
	(void)dp;
	return 0;
}

int dp_ddos_flows_count(struct dp *dp)
{
	(void)dp;
	return 0;
}

/* ---- helpers ---- */

static char dir[64];

static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	snprintf(dir, sizeof(dir), "/tmp/test_ddos_state.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/%s", dir, DDOS_STATE_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, DDOS_JOURNAL_FILE);
	unlink(path);
	rmdir(dir);
	return 0;
}

/* A started guard with the loop attached, as sluiced serves the API. */
static struct ddos *start(struct loop *l)
{
	struct ddos *d = NULL;
	char err[512] = "";

	assert_int_equal(ddos_new(&d, NULL, dir, NULL, err, sizeof(err)), 0);
	if (l)
		assert_int_equal(ddos_loop_add(d, l), 0);
	return d;
}

/* What a start from the state directory alone programs (the maps
 * emptied first: a SIGKILL now, then a reboot); the maps are left so. */
static void restart_fresh(void)
{
	memset(&F, 0, sizeof(F));
	ddos_free(start(NULL));
}

/* The lines of the journal on disk now, and whether it ends in one. */
static size_t journal_lines(bool *whole)
{
	char path[128], buf[4096];
	size_t n = 0, len;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, DDOS_JOURNAL_FILE);
	fp = fopen(path, "r");
	assert_non_null(fp);
	*whole = true;
	while ((len = fread(buf, 1, sizeof(buf), fp)) > 0) {
		for (size_t i = 0; i < len; i++)
			n += buf[i] == '\n';
		*whole = buf[len - 1] == '\n';
	}
	fclose(fp);
	return n;
}

static void journal_add(const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, DDOS_JOURNAL_FILE);
	fp = fopen(path, "a");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static struct dp_ddos_prefix prefix(const char *s)
{
	struct dp_ddos_prefix pf;
	char err[256];

	assert_int_equal(ddos_parse_prefix("p", s, &pf, err, sizeof(err)), 0);
	return pf;
}

static struct sluice_ddos_service_key service(const char *s)
{
	struct sluice_ddos_service_key k;
	char err[256];

	assert_int_equal(ddos_parse_service("s", s, &k, err, sizeof(err)), 0);
	return k;
}

/* ---- tests ---- */

/* Each change is on disk when its call returns, the loop never run: a
 * start from the state directory alone finds it. */
static void test_written_before_answer(void **state)
{
	struct dp_ddos_prefix pf = prefix("198.18.80.0/24"), batch[40];
	struct sluice_ddos_service_key k = service("198.19.0.1:80");
	struct ddos_settings s;
	struct loop *l = NULL;
	struct ddos *d;
	char err[512], txt[64];

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	d = start(l);
	assert_int_equal(ddos_block_add(d, &pf, 1, 0, err, sizeof(err)), 0);
	restart_fresh();
	assert_int_equal(prefix_at(&pf), 0);
	assert_int_equal(ddos_service_add(d, &k, err, sizeof(err)), 0);
	restart_fresh();
	assert_int_equal(svc_at(&k), 0);
	s = *ddos_settings(d);
	s.syn_threshold = 777;
	assert_int_equal(ddos_settings_set(d, &s, err, sizeof(err)), 0);
	restart_fresh();
	assert_int_equal(F.config.syn_threshold, 777);
	/* a batch (block load's request) */
	for (int i = 0; i < 40; i++) {
		snprintf(txt, sizeof(txt), "198.18.81.%d", i);
		batch[i] = prefix(txt);
	}
	assert_int_equal(ddos_block_add(d, batch, 40, 0, err, sizeof(err)), 0);
	restart_fresh();
	assert_int_equal(F.n_block, 41);
	assert_true(prefix_at(&batch[39]) >= 0);
	assert_int_equal(ddos_block_del(d, &batch[0], err, sizeof(err)), 0);
	restart_fresh();
	assert_int_equal(F.n_block, 40);
	assert_int_equal(prefix_at(&batch[0]), -1);
	assert_int_equal(ddos_service_del(d, &k, err, sizeof(err)), 0);
	restart_fresh();
	assert_int_equal(F.n_svc, 0);
	ddos_free(d);
	loop_free(l);
}

/* The counts (ddos show, /metrics) with nested prefixes: a /24 inside a
 * blocked /16 is an entry of its own, and deleting them all gives 0.  A
 * longest-prefix get took the /24 for one already there: the count stayed
 * 1, and the deletes took it below 0 (18446744073709551615 in /metrics). */
static void test_counts_nested(void **state)
{
	struct dp_ddos_prefix p16 = prefix("198.19.0.0/16"),
			      p24 = prefix("198.19.1.0/24"),
			      p32 = prefix("198.19.1.7/32"),
			      other = prefix("198.18.77.0/24");
	struct ddos_counts c;
	struct ddos *d;
	char err[512];

	(void)state;
	d = start(NULL);
	assert_int_equal(ddos_block_add(d, &p16, 1, 0, err, sizeof(err)), 0);
	assert_int_equal(ddos_block_add(d, &p24, 1, 0, err, sizeof(err)), 0);
	assert_int_equal(ddos_block_add(d, &p32, 1, 60, err, sizeof(err)), 0);
	assert_int_equal(ddos_block_add(d, &other, 1, 0, err, sizeof(err)), 0);
	/* the same prefix again: still one entry */
	assert_int_equal(ddos_block_add(d, &p24, 1, 0, err, sizeof(err)), 0);
	ddos_counts(d, &c);
	assert_int_equal(c.block_v4, 4);
	assert_int_equal(ddos_block_del(d, &p24, err, sizeof(err)), 0);
	assert_int_equal(ddos_block_del(d, &p16, err, sizeof(err)), 0);
	assert_int_equal(ddos_block_del(d, &p32, err, sizeof(err)), 0);
	assert_int_equal(ddos_block_del(d, &other, err, sizeof(err)), 0);
	ddos_counts(d, &c);
	assert_int_equal(c.block_v4, 0);
	assert_int_equal(c.block_v6, 0);
	ddos_free(d);
}

/* A blocklist request is one journal line however many prefixes it
 * carries; a last line cut short was never answered and is ignored; a
 * bad whole line stops the start naming the file and the line. */
static void test_journal(void **state)
{
	struct dp_ddos_prefix pf = prefix("198.18.80.0/24"), batch[40];
	struct loop *l = NULL;
	struct ddos *d, *next = NULL;
	bool whole;
	char err[512], txt[64], path[128];

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	d = start(l);
	assert_int_equal(journal_lines(&whole), 0);
	assert_int_equal(ddos_block_add(d, &pf, 1, 3600, err, sizeof(err)), 0);
	for (int i = 0; i < 40; i++) {
		snprintf(txt, sizeof(txt), "2001:db8:%x::/48", i);
		batch[i] = prefix(txt);
	}
	assert_int_equal(ddos_block_add(d, batch, 40, 0, err, sizeof(err)), 0);
	assert_int_equal(ddos_block_del(d, &batch[1], err, sizeof(err)), 0);
	assert_int_equal(journal_lines(&whole), 3);
	assert_true(whole);
	ddos_free(d);
	loop_free(l);
	/* a write cut short after the last answered change */
	journal_add("{\"add\":[[\"198.18.90.0/24\",0]]");
	restart_fresh();
	assert_int_equal(F.n_block, 40);
	assert_true(prefix_at(&pf) >= 0);
	assert_true(F.block[prefix_at(&pf)].expires_ns > dp_ddos_now_ns());
	assert_int_equal(prefix_at(&batch[1]), -1);
	assert_int_equal(journal_lines(&whole), 0); /* in ddos.json now */
	/* a line that is no change */
	journal_add("{\"del\":\"198.18.80.0/24\"}\n{\"flush\":true}\n");
	assert_int_equal(ddos_new(&next, NULL, dir, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(
		err,
		"ddos.journal: line 2: unknown field 'flush' (known: add, del)"));
	snprintf(path, sizeof(path), "%s/%s", dir, DDOS_JOURNAL_FILE);
	/* an entry that is no prefix ([] or null, which json-c reads as no
	 * string: fuzz_state_files found the former crashing the start) */
	assert_int_equal(truncate(path, 0), 0);
	journal_add("{\"add\":[[\"198.18.80.0/24\",0],[]]}\n");
	assert_int_equal(ddos_new(&next, NULL, dir, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(
		err, "line 1: add[1]: expected a prefix or [PREFIX, EXPIRES]"));
	assert_int_equal(truncate(path, 0), 0);
	journal_add("{\"add\":[null]}\n");
	assert_int_equal(ddos_new(&next, NULL, dir, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "add[0]: expected a prefix"));
	/* a line that is no object of one field (state_journal.c) */
	assert_int_equal(truncate(path, 0), 0);
	journal_add("{\"add\":[],\"del\":\"198.18.80.0/24\"}\n");
	assert_int_equal(ddos_new(&next, NULL, dir, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(
		err, "line 1: expected an object with one field, add or del"));
	assert_int_equal(truncate(path, 0), 0);
	restart_fresh();
	assert_int_equal(F.n_block, 40);
}

/* A "SIGKILL": the old guard is never stopped; the next start reconciles
 * the maps (which kept everything) against the file. */
static void test_restart_after_kill(void **state)
{
	struct dp_ddos_prefix pf = prefix("198.18.80.0/24"),
			      gone = prefix("198.18.82.0/24");
	struct sluice_ddos_service_key k = service("198.19.0.1:80");
	struct loop *l = NULL;
	struct ddos *d, *next;
	char err[512];

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	d = start(l);
	assert_int_equal(ddos_block_add(d, &gone, 1, 0, err, sizeof(err)), 0);
	next = start(NULL); /* a first restart: the file is what counts */
	ddos_free(next);
	assert_int_equal(F.n_block, 1);
	assert_int_equal(ddos_block_del(d, &gone, err, sizeof(err)), 0);
	assert_int_equal(ddos_block_add(d, &pf, 1, 0, err, sizeof(err)), 0);
	assert_int_equal(ddos_service_add(d, &k, err, sizeof(err)), 0);
	next = start(NULL);
	assert_int_equal(F.n_block, 1);
	assert_int_equal(prefix_at(&pf), 0);
	assert_int_equal(F.n_svc, 1);
	assert_int_equal(svc_at(&k), 0);
	ddos_free(next);
	ddos_free(d);
	loop_free(l);
}

static int64_t write_errors_of(struct ddos *d)
{
	struct json_object *o = ddos_json(d), *v;
	int64_t n = -1;

	if (json_object_object_get_ex(o, "state_write_errors", &v))
		n = json_object_get_int64(v);
	json_object_put(o);
	return n;
}

/* A change the state directory cannot take stays applied and is counted
 * (GET /v1/ddos state_write_errors, /metrics): ddos.json made a directory
 * with something in it, so the rename over it fails, even for root. */
static void test_write_error_counted(void **state)
{
	struct ddos_settings s;
	struct ddos *d;
	char err[512], path[160], sub[200];

	(void)state;
	d = start(NULL);
	assert_int_equal(write_errors_of(d), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, DDOS_STATE_FILE);
	snprintf(sub, sizeof(sub), "%s/x", path);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	s = *ddos_settings(d);
	s.syn_threshold = 4321;
	assert_int_equal(ddos_settings_set(d, &s, err, sizeof(err)), 0);
	assert_int_equal(ddos_settings(d)->syn_threshold, 4321);
	assert_int_equal(write_errors_of(d), 1);
	ddos_free(d);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_written_before_answer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_after_kill, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts_nested, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_error_counted, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
