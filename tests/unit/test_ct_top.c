// SPDX-License-Identifier: BSD-2-Clause
/* Conntrack's running part over a fake data path (struct ct_dp_ops): the
 * heaviest sources walked in slices from the real event loop, only over
 * the fill threshold, shown in the metrics; a runtime change written to
 * the data path and to ct.json, which the next start reads back; a change
 * the data path refuses leaves everything as it was. */
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
#include <cmocka.h>
#include "ct.h"
#include "dp_ct.h"
#include "loop.h"

static struct fake {
	struct sluice_ct_key *keys;
	struct sluice_ct_entry *ents;
	uint32_t n, cap;
	int walks;
	int writes;
	int fail_write;
	struct sluice_ct_config written;
} F;

static int fake_config_set(struct dp *dp, const struct sluice_ct_config *c)
{
	(void)dp;
	if (F.fail_write)
		return -EIO;
	F.written = *c;
	F.writes++;
	return 0;
}

static int fake_counts(struct dp *dp, struct dp_ct_counts *out)
{
	(void)dp;
	memset(out, 0, sizeof(*out));
	out->gauge[SLUICE_CT_P_UDP][SLUICE_CT_UNREPLIED] = F.n;
	out->total = F.n;
	return 0;
}

static uint32_t fake_capacity(const struct dp *dp)
{
	(void)dp;
	return F.cap;
}

/* The entry's index is in its key (hi_addr), so that a cursor finds its
 * place as the kernel's get_next_key does. */
static int fake_walk(struct dp *dp, const struct sluice_ct_key *cursor,
		     int (*cb)(const struct sluice_ct_key *,
			       const struct sluice_ct_entry *, void *),
		     void *arg)
{
	uint32_t i = 0;

	(void)dp;
	F.walks++;
	if (cursor) {
		memcpy(&i, cursor->hi_addr, sizeof(i));
		i++;
	}
	for (; i < F.n; i++) {
		int r = cb(&F.keys[i], &F.ents[i], arg);

		if (r)
			return r;
	}
	return 0;
}

static const struct ct_dp_ops fake_ops = {
	.config_set = fake_config_set,
	.counts = fake_counts,
	.capacity = fake_capacity,
	.walk = fake_walk,
};

/* @n UDP entries: 60 % from 198.18.0.0/24, 30 % from 198.18.1.0/24, the
 * rest spread over 198.18.2-31.0/24. */
static void fake_table(uint32_t n, uint32_t cap)
{
	free(F.keys);
	free(F.ents);
	memset(&F, 0, sizeof(F));
	F.n = n;
	F.cap = cap;
	F.keys = calloc(n ? n : 1, sizeof(*F.keys));
	F.ents = calloc(n ? n : 1, sizeof(*F.ents));
	assert_non_null(F.keys);
	assert_non_null(F.ents);
	for (uint32_t i = 0; i < n; i++) {
		struct sluice_ct_key *k = &F.keys[i];
		uint8_t net = i < n / 10 * 6 ? 0 :
			      i < n / 10 * 9 ? 1 :
					       (uint8_t)(2 + i % 30);

		k->family = AF_INET;
		k->proto = IPPROTO_UDP;
		k->lo_addr[0] = 198;
		k->lo_addr[1] = 18;
		k->lo_addr[2] = net;
		k->lo_addr[3] = (uint8_t)i;
		memcpy(k->hi_addr, &i, sizeof(i));
		F.ents[i].state = SLUICE_CT_UNREPLIED;
		F.ents[i].pclass = SLUICE_CT_P_UDP;
	}
}

struct run {
	struct loop *l;
	struct ct *ct;
	int ticks;
};

/* Stops the loop once the metrics show the heaviest sources, or after
 * @ticks of 10 ms. */
static void on_tick(void *arg)
{
	struct run *r = arg;
	char *m = ct_metrics(r->ct);

	assert_non_null(m);
	if (strstr(m, "sluice_ct_top_sources{") || --r->ticks <= 0)
		loop_stop(r->l);
	free(m);
}

static char *run_loop(struct ct *ct, int ticks)
{
	struct run r = { .ct = ct, .ticks = ticks };

	assert_int_equal(loop_new(&r.l), 0);
	assert_int_equal(ct_loop_add(ct, r.l), 0);
	assert_non_null(loop_add_timer(r.l, 10, 10, on_tick, &r));
	assert_int_equal(loop_run(r.l), 0);
	ct_loop_del(ct);
	loop_free(r.l);
	return ct_metrics(ct);
}

static void test_top_sources_in_slices(void **state)
{
	struct ct_config cfg = { .enabled = true };
	struct ct *ct;
	char *m;
	const char *first, *second;

	(void)state;
	/* 91 % full, 2.4 slices */
	fake_table(120000, 131072);
	assert_int_equal(ct_new(&ct, NULL, &fake_ops, &cfg, NULL), 0);
	m = run_loop(ct, 500);
	assert_non_null(m);
	/* three slices: 50,000 + 50,000 + the last 20,000 up to the end */
	assert_int_equal(F.walks, (120000 + CT_TOP_SLICE - 1) / CT_TOP_SLICE);
	first = strstr(m, "sluice_ct_top_sources{prefix=\"198.18.0.0/24\"} "
			  "72000\n");
	second = strstr(m, "sluice_ct_top_sources{prefix=\"198.18.1.0/24\"} "
			   "36000\n");
	if (!first || !second || second < first)
		fail_msg("metrics:\n%s", m);
	/* the ten heaviest: the two, then 198.18.2-9.0/24 (ties: lower
	 * first) */
	assert_non_null(strstr(m, "prefix=\"198.18.9.0/24\"} 400\n"));
	assert_null(strstr(m, "prefix=\"198.18.10.0/24\""));
	assert_non_null(strstr(m, "sluice_ct_capacity 131072\n"));
	assert_non_null(strstr(
		m, "sluice_ct_entries{proto=\"udp\",state=\"unreplied\"} "
		   "120000\n"));
	free(m);
	ct_free(ct);
}

static void test_no_walk_below_threshold(void **state)
{
	struct ct_config cfg = { .enabled = true };
	struct ct *ct;
	char *m;

	(void)state;
	/* 80 % exactly: not over */
	fake_table(104857, 131072);
	assert_int_equal(ct_new(&ct, NULL, &fake_ops, &cfg, NULL), 0);
	m = run_loop(ct, 150); /* 1.5 s: the first look is at 1 s */
	assert_non_null(m);
	assert_int_equal(F.walks, 0);
	assert_null(strstr(m, "sluice_ct_top_sources"));
	free(m);
	ct_free(ct);
}

static void test_runtime_change_saved(void **state)
{
	char dir[] = "/tmp/test_ct_top.XXXXXX", path[300], err[512];
	struct ct_config cfg = { .max_entries = 4096 }, next, back;
	struct sluice_ct_config def;
	struct ct *ct;
	bool from_state;

	(void)state;
	fake_table(0, 4096);
	dp_ct_default_config(&def);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, CT_STATE_FILE);
	/* start: the config's settings go to the data path, nothing saved */
	assert_int_equal(ct_new(&ct, NULL, &fake_ops, &cfg, dir), 0);
	assert_int_equal(F.writes, 1);
	assert_int_equal(F.written.enabled, 0);
	assert_int_equal(access(path, F_OK), -1);
	/* a change: to the data path, then ct.json */
	next = *ct_get_config(ct);
	next.enabled = true;
	next.timeout[SLUICE_CT_CLOSE] = 9;
	assert_int_equal(ct_set_config(ct, &next, err, sizeof(err)), 0);
	assert_int_equal(F.writes, 2);
	assert_int_equal(F.written.enabled, 1);
	assert_int_equal(F.written.timeout[SLUICE_CT_CLOSE], 9);
	assert_int_equal(F.written.timeout[SLUICE_CT_ESTABLISHED],
			 def.timeout[SLUICE_CT_ESTABLISHED]);
	assert_int_equal(access(path, F_OK), 0);
	assert_string_equal(ct_state_path(ct), path);
	/* the data path refuses: nothing changes, nothing is saved */
	F.fail_write = 1;
	next.enabled = false;
	assert_int_equal(ct_set_config(ct, &next, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "cannot write the data path's settings"));
	assert_true(ct_get_config(ct)->enabled);
	ct_free(ct);
	/* the next start reads it back, every timeout spelled out */
	memset(&cfg.timeout, 0, sizeof(cfg.timeout));
	assert_int_equal(ct_start_read(dir, &cfg, &back, &from_state, err,
				       sizeof(err)),
			 0);
	assert_true(from_state);
	assert_true(back.enabled);
	assert_int_equal(back.timeout[SLUICE_CT_CLOSE], 9);
	for (unsigned int s = 1; s < SLUICE_CT_NSTATES; s++)
		if (s != SLUICE_CT_CLOSE)
			assert_int_equal(back.timeout[s], def.timeout[s]);
	assert_int_equal(back.max_entries, 4096);
	unlink(path);
	rmdir(dir);
}

static int teardown(void **state)
{
	(void)state;
	free(F.keys);
	free(F.ents);
	memset(&F, 0, sizeof(F));
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_top_sources_in_slices, teardown),
		cmocka_unit_test_teardown(test_no_walk_below_threshold,
					  teardown),
		cmocka_unit_test_teardown(test_runtime_change_saved, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
