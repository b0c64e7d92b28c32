// SPDX-License-Identifier: BSD-2-Clause
/*
 * Adopting pinned maps across upgrades (lib/dp/layout.c), with the real
 * objects: pins left by the previous release (35 reasons, a stats map of
 * 35 slots per interface, a decap_stats map, a 24-byte iface value, no
 * layout records, an LB flow table with one LRU for all CPUs) are adopted
 * by this build with their counters and flows intact; what this build pins
 * it adopts again unchanged, with the VIP pre-check bitmap rebuilt from
 * the VIPs; a layout newer than it knows is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "runner.h"

#define OLD_REASONS 35
#define OLD_FLOWS 3000 /* enough that probes of different flows meet */

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

/* Flow @i of the old table: a client, a VIP, a backend, a time. */
static void old_flow(__u32 i, struct sluice_flow_key *k, struct sluice_flow *v)
{
	memset(k, 0, sizeof(*k));
	k->family = AF_INET;
	k->proto = IPPROTO_TCP;
	k->saddr[0] = 198;
	k->saddr[1] = 18;
	k->saddr[2] = (__u8)(i >> 8);
	k->saddr[3] = (__u8)i;
	memcpy(k->daddr, (__u8[]){ 198, 19, 0, 100 }, 4);
	k->sport = htons((__u16)(10000 + i));
	k->dport = htons(80);
	*v = (struct sluice_flow){ .backend_id = 1 + i % 7,
				   .vip_id = 1 + i % 3,
				   .last_seen_ns = 1000000ull + i };
}

static int old_flows(int fd)
{
	struct sluice_flow_key k;
	struct sluice_flow v;

	for (__u32 i = 0; i < OLD_FLOWS; i++) {
		old_flow(i, &k, &v);
		if (bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST))
			return -errno;
	}
	return 0;
}

/* Every flow of the old table is in this build's, as it was, and the
 * table is one of slots (uapi/sluice/lb_flows.h) sized for @max_flows. */
static bool flows_kept(struct dp *dp, __u32 max_flows)
{
	int fd = dp_map_fd(dp, DP_MAP_LB_FLOWS);
	__u32 slots = 1u << sluice_lb_flow_bits(max_flows);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct sluice_flow_key k;
	struct sluice_flow v, got;
	int n = dp_lb_flow_count(dp);

	if (n != OLD_FLOWS) {
		diag("lb_flows: %d entries, want %d\n", n, OLD_FLOWS);
		return false;
	}
	for (__u32 i = 0; i < OLD_FLOWS; i++) {
		old_flow(i, &k, &v);
		if (dp_lb_flow_get(dp, &k, &got) ||
		    memcmp(&got, &v, sizeof(v))) {
			diag("lb_flows: flow %u lost or changed\n", i);
			return false;
		}
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_ARRAY ||
	    !(info.map_flags & BPF_F_MMAPABLE) || info.max_entries != slots ||
	    dp_lb_flow_slots(dp) != slots) {
		diag("lb_flows: type %u, flags %#x, %u entries; want an "
		     "mmapable array of %u\n",
		     info.type, info.map_flags, info.max_entries, slots);
		return false;
	}
	return true;
}

/* The VIP pre-check bitmap: exactly the bit of @k (none without @k). */
static bool bits_exact(struct dp *dp, const struct sluice_vip_key *k)
{
	struct sluice_lb_vip_bits b, want = { 0 };

	if (k) {
		__u32 bit = dp_lb_vip_bit(k);

		want.word[bit / 64] = 1ull << (bit % 64);
	}
	if (dp_lb_vip_bits_read(dp, &b))
		return false;
	return !memcmp(&b, &want, sizeof(b));
}

static int bits_scribble(void)
{
	struct sluice_lb_vip_bits b;
	__u32 zero = 0;
	char path[256];
	int fd, err;

	memset(&b, 0x5a, sizeof(b)); /* a crash left other bits, not ours */
	snprintf(path, sizeof(path), "%s/lb_vip_bits", pin);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = bpf_map_update_elem(fd, &zero, &b, BPF_ANY) ? -errno : 0;
	close(fd);
	return err;
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
	struct sluice_vip_key vk = { .addr = { 198, 19, 0, 100 },
				     .port = htons(80),
				     .proto = IPPROTO_TCP,
				     .family = AF_INET };
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
	fd = pin_new_map(BPF_MAP_TYPE_LRU_HASH, "lb_flows",
			 sizeof(struct sluice_flow_key),
			 sizeof(struct sluice_flow), SLUICE_LB_MAX_FLOWS);
	ok = ok && fd >= 0 && !old_flows(fd);
	if (fd >= 0)
		close(fd);
	tap(e, ok,
	    "layout: pins of the previous release made (stats of 35 "
	    "reasons a slot, 24-byte ifaces, decap_stats, a common-LRU "
	    "lb_flows)");

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
	tap(e, !err && flows_kept(dp, SLUICE_LB_MAX_FLOWS),
	    "layout: lb_flows layout 1 (an LRU) -> 3 (a table of slots): "
	    "every flow carried over");
	tap(e,
	    !err && !exists("decap_stats") && !exists("old_stats") &&
		    !exists("old_ifaces") && !exists("old_lb_flows"),
	    "layout: the retired decap_stats and the old copies are gone");
	tap(e,
	    recorded("stats") == SLUICE_LAYOUT_STATS &&
		    recorded("ifaces") == SLUICE_LAYOUT_IFACES &&
		    recorded("lb_flows") == SLUICE_LAYOUT_LB_FLOWS &&
		    recorded("lb_vip_bits") == SLUICE_LAYOUT_LB,
	    "layout: versions recorded in the layouts map");
	dp_close(dp);
	dp = NULL;

	/* a restart of the same build: everything adopted as it is, the
	 * VIP pre-check bits rebuilt from the VIPs */
	err = dp_open(&dp, &(struct dp_opts){ .pin_dir = pin });
	ok = !err &&
	     !dp_vip_set(dp, &vk, &(struct sluice_vip){ .vip_id = 1 }) &&
	     bits_exact(dp, &vk) && !bits_scribble();
	tap(e, ok,
	    "layout: a VIP set, its bit alone; then the bitmap scribbled");
	dp_close(dp);
	dp = NULL;
	err = dp_open(&dp, &(struct dp_opts){ .pin_dir = pin });
	tap(e,
	    !err && dp_maps_reused(dp) &&
		    counted(dp, 3, SLUICE_PASS_NO_ROUTE, 7) &&
		    flows_kept(dp, SLUICE_LB_MAX_FLOWS),
	    "layout: the same build adopts its own pins, counters and flows "
	    "intact");
	tap(e, !err && bits_exact(dp, &vk),
	    "layout: at open the VIP bitmap is rebuilt: the VIP's bit alone");
	ok = !err && !dp_vip_del(dp, &vk) && bits_exact(dp, NULL);
	tap(e, ok, "layout: the VIP deleted, its bit cleared");
	dp_close(dp);
	dp = NULL;

	/* another lb.max_flows: a new table, the flows carried over */
	err = dp_open(&dp, &(struct dp_opts){
				   .pin_dir = pin,
				   .lb_max_flows = 2 * SLUICE_LB_MAX_FLOWS });
	tap(e, !err && flows_kept(dp, 2 * SLUICE_LB_MAX_FLOWS),
	    "layout: another lb.max_flows (a table twice the size): the "
	    "flows carried over");
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
	set_recorded("lb_flows", SLUICE_LAYOUT_LB_FLOWS);
	if (!dp_open(&dp, &(struct dp_opts){
				  .pin_dir = pin,
				  .lb_max_flows = 2 * SLUICE_LB_MAX_FLOWS })) {
		dp_unpin_maps(dp);
		dp_close(dp);
	}
	tap(e, access(pin, F_OK) != 0, "layout: teardown leaves no pin dir");
}
