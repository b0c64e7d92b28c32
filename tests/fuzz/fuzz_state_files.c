// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluiced's state files (lb.json, ct.json, nat.json, ddos.json, fw.json,
 * steer.json, l7.json in the state directory, and the journals lb.journal
 * and ddos.journal): what a restart reads back and runs, so a file cut
 * short by a full disk or edited by hand is input too.  Byte 0 picks the
 * file, the rest is its content; the subsystem is then started from it as
 * main() starts it (over fake_dp.h's data path and the stand-ins for
 * lib/dp), and freed.  A journal is replayed over a state file of its own
 * with nothing in it: without one there is nothing to replay it over.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "ct.h"
#include "ddos.h"
#include "fake_dp.h"
#include "fuzz.h"
#include "fwd.h"
#include "l7.h"
#include "lb.h"
#include "nat.h"
#include "steer.h"

/* on tmpfs: the subsystems fsync what they write back */
static char dir[] = "/dev/shm/sluice-fuzz-state.XXXXXX";

/* appended only: byte 0 of the committed corpus names a file by index */
static const char *const files[] = {
	LB_STATE_FILE,	 CT_STATE_FILE,	  NAT_STATE_FILE,
	DDOS_STATE_FILE, FWD_STATE_FILE,  STEER_STATE_FILE,
	L7_STATE_FILE,	 LB_JOURNAL_FILE, DDOS_JOURNAL_FILE,
};
enum { FILE_LB_JOURNAL = 7, FILE_DDOS_JOURNAL = 8 };

/* The state file a journal is replayed over: empty, and valid. */
static void write_base(const char *name, const char *text)
{
	char path[sizeof(dir) + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}
#define N_FILES (sizeof(files) / sizeof(files[0]))

static int remove_one(const char *path, const struct stat *sb, int type,
		      struct FTW *ftw)
{
	(void)sb;
	(void)type;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

static void wipe(void)
{
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void remove_dir(void)
{
	wipe();
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	atexit(remove_dir);
	return 0;
}

static void start_lb(struct dp *dp, const struct sluiced_config *cfg,
		     const char *path)
{
	struct lb_vip_spec *vips = NULL;
	struct lb *lb;
	char err[512];
	size_t n = 0;

	if (lb_state_read(path, &vips, &n, err, sizeof(err)))
		return;
	if (!lb_new(&lb, dp, &fuzz_lb_ops, NULL, &cfg->lb)) {
		lb_load(lb, vips, n, err, sizeof(err));
		lb_free(lb);
	}
	lb_vip_specs_free(vips, n);
}

static void start_ct_nat(struct dp *dp, struct state *st,
			 const struct sluiced_config *cfg, bool nat)
{
	struct nat_rule *rules = NULL;
	struct ct_config ctc;
	struct ct *ct = NULL;
	struct nat *nt;
	uint32_t next_id;
	bool from_state;
	char err[640];
	size_t n = 0;

	if (ct_start_read(dir, &cfg->ct, &ctc, &from_state, err, sizeof(err)) ||
	    ct_new(&ct, dp, &fuzz_ct_ops, &ctc, dir))
		return;
	if (nat && !nat_start_read(dir, NULL, 0, &rules, &n, &next_id,
				   &from_state, err, sizeof(err))) {
		if (!nat_new(&nt, dp, &fuzz_nat_ops, nat_resolve_state, st, ct,
			     dir)) {
			nat_load(nt, rules, n, next_id, err, sizeof(err));
			nat_free(nt);
		}
		free(rules);
	}
	ct_free(ct);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sluiced_config cfg;
	struct state st;
	char path[sizeof(dir) + 32], err[640];
	struct ddos *dd;
	struct steer *se;
	struct fwd *fw;
	struct l7 *l7;
	struct dp *dp;
	unsigned int which;
	FILE *f;

	if (!size)
		return 0;
	which = data[0] % N_FILES;
	snprintf(path, sizeof(path), "%s/%s", dir, files[which]);
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data + 1, 1, size - 1, f);
	fclose(f);
	config_init(&cfg);
	config_add_iface(&cfg, "veth0", err, sizeof(err));
	config_add_iface(&cfg, "veth1", err, sizeof(err));
	dp = fuzz_dp_new();
	if (!dp || state_init(&st, dp, &fuzz_state_ops, &cfg))
		abort();
	switch (which) {
	case 0: start_lb(dp, &cfg, path); break;
	case FILE_LB_JOURNAL:
		write_base(LB_STATE_FILE, "{\"version\": 1, \"vips\": []}");
		snprintf(path, sizeof(path), "%s/%s", dir, LB_STATE_FILE);
		start_lb(dp, &cfg, path);
		break;
	case 1:
	case 2: start_ct_nat(dp, &st, &cfg, which == 2); break;
	case FILE_DDOS_JOURNAL:
		/* ddos.json is read first, then its journal over it */
		write_base(DDOS_STATE_FILE,
			   "{\"version\": 1, \"services\": [], \"block\": []}");
		__attribute__((fallthrough));
	case 3:
		if (!ddos_new(&dd, dp, dir, NULL, err, sizeof(err)))
			ddos_free(dd);
		break;
	case 4:
		if (!fwd_new(&fw, dp, fwd_slot_state, &st, dir, NULL, err,
			     sizeof(err)))
			fwd_free(fw);
		break;
	case 5:
		if (!steer_new(&se, dp, nat_resolve_state, &st, dir, NULL, 0,
			       err, sizeof(err)))
			steer_free(se);
		break;
	default:
		if (!l7_new(&l7, dir, dir, NULL, err, sizeof(err)))
			l7_free(l7, false);
		break;
	}
	state_free(&st);
	fuzz_dp_free(dp);
	config_free(&cfg);
	wipe();
	return 0;
}
