// SPDX-License-Identifier: BSD-2-Clause
/*
 * Adopting pinned maps across upgrades (lib/dp/layout.c), with the real
 * objects: pins left by the previous release (35 reasons, a stats map of
 * 35 slots per interface, a decap_stats map, a 24-byte iface value, no
 * layout records) are adopted by this build with their counters intact;
 * what this build pins it adopts again unchanged; a layout newer than it
 * knows is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "runner.h"

#define OLD_REASONS 35

static char pin[128];

static int pin_new_map(enum bpf_map_type type, const char *name, __u32 ksize,
		       __u32 vsize, __u32 entries)
{
	char path[256];
	int fd;

	fd = bpf_map_create(type, name, ksize, vsize, entries, NULL);
	if (fd < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s", pin, name);
	if (bpf_obj_pin(fd, path)) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Slot @slot, reason @reason of the old stats map: @pk packets of 100
 * bytes on CPU 0. */
static int old_count(int fd, __u32 slot, __u32 reason, __u64 pk)
{
	int ncpus = libbpf_num_possible_cpus();
	struct sluice_counter *v = calloc((size_t)ncpus, sizeof(*v));
	__u32 idx = slot * OLD_REASONS + reason;
	int err;

	if (!v)
		return -ENOMEM;
	v[0].packets = pk;
	v[0].bytes = pk * 100;
	err = bpf_map_update_elem(fd, &idx, v, BPF_ANY) ? -errno : 0;
	free(v);
	return err;
}

static bool counted(struct dp *dp, __u32 slot, __u32 reason, __u64 pk)
{
	static struct sluice_counter c[SLUICE_REASON_SLOTS];

	if (dp_stats_read(dp, slot, c))
		return false;
	if (c[reason].packets == pk && c[reason].bytes == pk * 100)
		return true;
	diag("slot %u %s: %llu packets %llu bytes, want %llu %llu\n", slot,
	     dp_reason_name(reason), (unsigned long long)c[reason].packets,
	     (unsigned long long)c[reason].bytes, (unsigned long long)pk,
	     (unsigned long long)pk * 100);
	return false;
}

static bool exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", pin, name);
	return access(path, F_OK) == 0;
}

static unsigned int recorded(const char *name)
{
	struct sluice_layout_key k = {};
	struct sluice_layout v = {};
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin, SLUICE_LAYOUT_MAP_NAME);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	strncpy(k.name, name, sizeof(k.name) - 1);
	if (bpf_map_lookup_elem(fd, &k, &v))
		v.version = 0;
	close(fd);
	return v.version;
}

static int set_recorded(const char *name, unsigned int version)
{
	struct sluice_layout_key k = {};
	struct sluice_layout v = { .version = version };
	char path[256];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", pin, SLUICE_LAYOUT_MAP_NAME);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	strncpy(k.name, name, sizeof(k.name) - 1);
	err = bpf_map_update_elem(fd, &k, &v, BPF_ANY) ? -errno : 0;
	close(fd);
	return err;
}

void layout_run_all(struct env *e)
{
	struct dp *dp = NULL;
	int fd, err;
	bool ok;

	snprintf(pin, sizeof(pin), "/sys/fs/bpf/sluice-layout-test-%d",
		 (int)getpid());
	mkdir(pin, 0700);

	/* what the previous release left pinned */
	fd = pin_new_map(BPF_MAP_TYPE_PERCPU_ARRAY, "stats", 4,
			 sizeof(struct sluice_counter),
			 SLUICE_MAX_IFACES * OLD_REASONS);
	ok = fd >= 0 && !old_count(fd, 3, SLUICE_PASS_NO_ROUTE, 7) &&
	     !old_count(fd, 1, SLUICE_FWD_REDIRECT, 5) &&
	     !old_count(fd, 2, SLUICE_DROP_LB_TOO_BIG, 2);
	if (fd >= 0)
		close(fd);
	fd = pin_new_map(BPF_MAP_TYPE_HASH, "ifaces", 4, 24,
			 SLUICE_MAX_IFACES * 4);
	ok = ok && fd >= 0;
	if (fd >= 0)
		close(fd);
	fd = pin_new_map(BPF_MAP_TYPE_PERCPU_ARRAY, "decap_stats", 4,
			 sizeof(struct sluice_counter), 7);
	ok = ok && fd >= 0;
	if (fd >= 0)
		close(fd);
	tap(e, ok,
	    "layout: pins of the previous release made (stats of 35 "
	    "reasons a slot, 24-byte ifaces, decap_stats)");

	err = dp_open(&dp, &(struct dp_opts){ .pin_dir = pin });
	if (err)
		diag("dp_open: %s\n", strerror(-err));
	tap(e, !err && dp_maps_reused(dp),
	    "layout: this build adopts them (maps reused)");
	ok = !err && counted(dp, 3, SLUICE_PASS_NO_ROUTE, 7) &&
	     counted(dp, 1, SLUICE_FWD_REDIRECT, 5) &&
	     counted(dp, 2, SLUICE_DROP_LB_TOO_BIG, 2) &&
	     counted(dp, 3, SLUICE_PASS_VLAN_OFFLOADED, 0);
	tap(e, ok, "layout: counters carried over to the same reasons");
	tap(e,
	    !err && !exists("decap_stats") && !exists("old_stats") &&
		    !exists("old_ifaces"),
	    "layout: the retired decap_stats and the old copies are gone");
	tap(e,
	    recorded("stats") == SLUICE_LAYOUT_STATS &&
		    recorded("ifaces") == SLUICE_LAYOUT_IFACES &&
		    recorded("lb_flows") == SLUICE_LAYOUT_LB,
	    "layout: versions recorded in the layouts map");
	dp_close(dp);
	dp = NULL;

	/* a restart of the same build: everything adopted as it is */
	err = dp_open(&dp, &(struct dp_opts){ .pin_dir = pin });
	tap(e,
	    !err && dp_maps_reused(dp) &&
		    counted(dp, 3, SLUICE_PASS_NO_ROUTE, 7),
	    "layout: the same build adopts its own pins, counters intact");
	dp_close(dp);
	dp = NULL;

	/* pins of a newer build: refused, nothing changed */
	err = set_recorded("lb_flows", 99);
	if (!err)
		err = dp_open(&dp, &(struct dp_opts){ .pin_dir = pin });
	tap(e, err == -EPROTO && exists("lb_flows") && exists("stats"),
	    "layout: a newer layout is refused (EPROTO), the pins stay");
	dp_close(dp);
	dp = NULL;

	/* clean up: this build's teardown removes what it pinned */
	set_recorded("lb_flows", SLUICE_LAYOUT_LB);
	if (!dp_open(&dp, &(struct dp_opts){ .pin_dir = pin })) {
		dp_unpin_maps(dp);
		dp_close(dp);
	}
	tap(e, access(pin, F_OK) != 0, "layout: teardown leaves no pin dir");
}
