// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's journal (daemon/lb_journal.c): with a loop, every
 * change is a line appended to lb.journal and lb.json is left as the first
 * change wrote it; lb_state_read() gives back lb.json with the journal
 * replayed over it, which is the VIP set the LB runs; a last line cut
 * short is ignored, a bad line is refused naming the file and the line;
 * lb_loop_del() folds the journal into lb.json.  The maps are a fake that
 * accepts every write (test_lb.c checks the writes themselves).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include <cmocka.h>
#include "config.h"
#include "lb.h"
#include "loop.h"

struct dp {
	int unused;
};

static struct dp fake;
static char err[640];

static int ok_config(struct dp *dp, const struct sluice_lb_config *c)
{
	(void)dp, (void)c;
	return 0;
}

static int ok_vip_set(struct dp *dp, const struct sluice_vip_key *k,
		      const struct sluice_vip *v)
{
	(void)dp, (void)k, (void)v;
	return 0;
}

static int ok_vip_del(struct dp *dp, const struct sluice_vip_key *k)
{
	(void)dp, (void)k;
	return 0;
}

static int ok_be_set(struct dp *dp, __u32 id, const struct sluice_backend *b)
{
	(void)dp, (void)id, (void)b;
	return 0;
}

static int ok_id(struct dp *dp, __u32 id)
{
	(void)dp, (void)id;
	return 0;
}

static int ok_ring_install(struct dp *dp, __u32 vip_id, __u32 m,
			   const __u32 *table)
{
	(void)dp, (void)vip_id, (void)m, (void)table;
	return 0;
}

static int ok_ring_update(struct dp *dp, __u32 vip_id, __u32 m,
			  const __u32 *old, const __u32 *nw, __u32 *changed)
{
	(void)dp, (void)vip_id;
	*changed = 0;
	for (__u32 i = 0; i < m; i++)
		*changed += old[i] != nw[i];
	return 0;
}

static int no_ring_read(struct dp *dp, __u32 vip_id, __u32 *table, __u32 max,
			__u32 *m)
{
	(void)dp, (void)vip_id, (void)table, (void)max;
	*m = 0;
	return -ENOENT;
}

static int ok_stats_clear(struct dp *dp, __u32 vip_id, __u32 be_id)
{
	(void)dp, (void)vip_id, (void)be_id;
	return 0;
}

static int zero_stats(struct dp *dp, __u32 id, struct sluice_lb_counter *out)
{
	(void)dp, (void)id;
	memset(out, 0, sizeof(*out));
	return 0;
}

static int no_flows(struct dp *dp)
{
	(void)dp;
	return 0;
}

static int no_entries(struct dp *dp, enum dp_map_id id, dp_key_cb cb, void *arg)
{
	(void)dp, (void)id, (void)cb, (void)arg;
	return 0;
}

static const struct lb_dp_ops ok_ops = {
	.config_set = ok_config,
	.vip_set = ok_vip_set,
	.vip_del = ok_vip_del,
	.backend_set = ok_be_set,
	.backend_del = ok_id,
	.ring_install = ok_ring_install,
	.ring_update = ok_ring_update,
	.ring_read = no_ring_read,
	.ring_del = ok_id,
	.stats_clear = ok_stats_clear,
	.vip_stats = zero_stats,
	.backend_stats = zero_stats,
	.flow_count = no_flows,
	.map_foreach = no_entries,
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	assert_non_null(s);
	n = fread(s, 1, (1 << 20) - 1, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

static void append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	fclose(f);
}

static long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

static void rm_dir(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static char *state_text(const struct lb *lb)
{
	struct json_object *o = lb_state_json(lb);
	char *s;

	assert_non_null(o);
	s = strdup(json_object_to_json_string(o));
	json_object_put(o);
	return s;
}

/* The VIP set lb_state_read() gives for @path, as lb_state_json() would
 * print it once loaded. */
static char *read_back(const char *path)
{
	struct lb_settings s = { 0 };
	struct lb_vip_spec *vips = NULL;
	struct lb *lb;
	size_t n = 0;
	char *text;

	assert_int_equal(lb_state_read(path, &vips, &n, err, sizeof(err)), 0);
	assert_int_equal(lb_new(&lb, &fake, &ok_ops, NULL, &s), 0);
	assert_int_equal(lb_load(lb, vips, n, err, sizeof(err)), 0);
	lb_vip_specs_free(vips, n);
	text = state_text(lb);
	lb_free(lb);
	return text;
}

static uint32_t add_vip(struct lb *lb, const char *text)
{
	struct json_object *o = json_tokener_parse(text);
	struct lb_vip_spec *s = NULL;
	struct json_object *arr = json_object_new_array();
	uint32_t id = 0;
	size_t n = 0;

	assert_non_null(o);
	json_object_array_add(arr, o);
	assert_int_equal(lb_vip_specs_from_json(arr, "vips", &s, &n, err,
						sizeof(err)),
			 0);
	assert_int_equal(lb_vip_add(lb, &s[0], &id, err, sizeof(err)), 0);
	lb_vip_specs_free(s, n);
	json_object_put(arr);
	return id;
}

static struct lb_addr addr4(const char *a)
{
	struct lb_addr x = { .family = AF_INET };

	assert_int_equal(inet_pton(AF_INET, a, x.a), 1);
	return x;
}

#define VIP_A                                                                  \
	"{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","      \
	"\"ring_size\":251,\"health\":{\"kind\":\"none\"},"                    \
	"\"backends\":[{\"address\":\"198.18.2.1\"}]}"
#define VIP_B                                                                  \
	"{\"address\":\"198.18.100.2\",\"port\":53,\"protocol\":\"udp\","      \
	"\"ring_size\":13,\"health\":{\"kind\":\"none\"}}"

static void test_journal(void **state)
{
	char dir[] = "/tmp/sluice-lbjournal-XXXXXX", path[300], jpath[300];
	struct lb_backend_patch w5 = { .has_weight = true, .weight = 5 };
	struct lb_backend_spec b = { .weight = 2 };
	struct lb_settings s = { 0 };
	char *first, *now, *want, *got;
	struct lb_vip_spec *vips;
	struct lb_addr a;
	struct loop *l;
	struct lb *lb;
	uint32_t va, vb;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, LB_STATE_FILE);
	snprintf(jpath, sizeof(jpath), "%s/%s", dir, LB_JOURNAL_FILE);
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(lb_new(&lb, &fake, &ok_ops, NULL, &s), 0);
	assert_int_equal(lb_set_state_dir(lb, dir), 0);
	assert_int_equal(lb_loop_add(lb, l), 0);

	/* the first change writes lb.json and starts an empty journal */
	va = add_vip(lb, VIP_A);
	assert_int_equal(size_of(jpath), 0);
	first = slurp(path);
	assert_non_null(strstr(first, "198.18.2.1"));

	/* the others are lines of the journal; lb.json stays */
	vb = add_vip(lb, VIP_B);
	for (int i = 1; i <= 20; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "198.18.3.%d", i);
		b.addr = addr4(ip);
		assert_int_equal(lb_backend_add(lb, va, &b, err, sizeof(err)),
				 0);
	}
	a = addr4("198.18.3.7");
	assert_int_equal(lb_backend_patch(lb, va, &a, &w5, err, sizeof(err)),
			 0);
	a = addr4("198.18.2.1");
	assert_int_equal(lb_backend_del(lb, va, &a, err, sizeof(err)), 0);
	b.addr = addr4("198.18.4.1");
	assert_int_equal(lb_backend_add(lb, vb, &b, err, sizeof(err)), 0);
	assert_int_equal(lb_vip_del(lb, vb, err, sizeof(err)), 0);
	now = slurp(path);
	assert_string_equal(first, now);
	free(now);
	now = slurp(jpath);
	n = 0;
	for (const char *c = now; *c; c++)
		n += *c == '\n';
	assert_int_equal(n, 1 + 20 + 1 + 1 + 1 + 1);
	assert_non_null(strstr(now, "{\"del\":\"198.18.100.2:53/udp\"}\n"));
	free(now);

	/* lb.json + the journal is what runs */
	want = state_text(lb);
	got = read_back(path);
	assert_string_equal(want, got);
	free(got);

	/* a last line cut short was never answered: ignored */
	append(jpath, "{\"vip\": {\"address\": \"198.18.100.9\", \"po");
	got = read_back(path);
	assert_string_equal(want, got);
	free(got);

	/* a bad whole line is refused, naming the file and the line */
	append(jpath, "\n{\"x\": 1}\n");
	vips = NULL;
	n = 0;
	assert_int_equal(lb_state_read(path, &vips, &n, err, sizeof(err)),
			 -EINVAL);
	assert_null(vips);
	assert_non_null(strstr(err, LB_JOURNAL_FILE ": line 26: invalid JSON"));
	/* (line 26 is the torn one, now ended by the newline appended) */

	/* a clean stop folds the journal into lb.json and empties it */
	lb_loop_del(lb);
	assert_int_equal(size_of(jpath), 0);
	got = read_back(path);
	assert_string_equal(want, got);
	free(got);
	now = slurp(path);
	assert_string_not_equal(first, now);
	free(now);

	free(first);
	free(want);
	lb_free(lb);
	loop_free(l);
	rm_dir(dir);
}

/* A line that is a VIP refuses what lb.json would refuse, with where. */
static void test_journal_bad_lines(void **state)
{
	static const struct {
		const char *line, *err;
	} bad[] = {
		{ "[]\n", "line 1: expected an object with one field" },
		{ "{\"vip\": {}, \"del\": \"198.18.100.1:80/tcp\"}\n",
		  "line 1: expected an object with one field" },
		{ "{\"del\": \"nope\"}\n",
		  "line 1: del: \"nope\" is not a VIP" },
		{ "{\"del\": 7}\n", "line 1: del: 7 is not a VIP" },
		{ "{\"vip\": {\"address\": \"198.18.100.1\", \"port\": 80, "
		  "\"protocol\": \"tcp\", \"backends\": [{\"address\": "
		  "\"198.18.2.1\", \"weight\": 0}]}}\n",
		  "line 1: vip[0].backends[0].weight: 0 is out of range" },
		{ "{\"del\": \"198.18.100.1:80/tcp\"}\n{\"vip\": 1}\n",
		  "line 2: vip[0]: expected an object, got int" },
	};
	char dir[] = "/tmp/sluice-lbjournal-XXXXXX", path[300], jpath[300];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, LB_STATE_FILE);
	snprintf(jpath, sizeof(jpath), "%s/%s", dir, LB_JOURNAL_FILE);
	append(path, "{\"version\": 1, \"vips\": []}\n");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct lb_vip_spec *vips = NULL;
		size_t n = 0;

		unlink(jpath);
		append(jpath, bad[i].line);
		err[0] = '\0';
		assert_int_equal(lb_state_read(path, &vips, &n, err,
					       sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad[i].err))
			fail_msg("case %zu: '%s' does not say '%s'", i, err,
				 bad[i].err);
		assert_null(vips);
	}
	/* a removal of a VIP that is not there is no error: a line may be
	 * replayed over an lb.json written after it */
	unlink(jpath);
	append(jpath, "{\"del\": \"198.18.100.1:80/tcp\"}\n");
	{
		struct lb_vip_spec *vips = NULL;
		size_t n = 9;

		assert_int_equal(
			lb_state_read(path, &vips, &n, err, sizeof(err)), 0);
		assert_int_equal(n, 0);
		lb_vip_specs_free(vips, n);
	}
	rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal),
		cmocka_unit_test(test_journal_bad_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
