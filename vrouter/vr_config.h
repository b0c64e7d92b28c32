/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sluice-vrouter's configuration (docs/vrouter.md): a JSON file and the
 * command line over it, validated into one struct vr_config.  The ports
 * are libpktio's JSON ports (include/sluice/pktio/config.h) with two
 * rules of the router's: every data port has one queue per thread (thread
 * i polls queue i of every port and sends on queue i), and an af_xdp port
 * registers in the pin dir's sluiced.  The punt TAP is added as one more
 * pktio port (driver tap, one queue per thread, polled by nobody).
 *
 *   {"ports": [{"driver": "af_xdp", "dev": "eth1",
 *               "options": {"mode": "copy"}}],
 *    "pools": [{"name": "p", "count": 8192}],
 *    "threads": 1, "pin_dir": "/sys/fs/bpf/sluice", "punt_tap": "sv-punt",
 *    "stats_file": "/run/sluice/vrouter.json", "stats_interval": 1,
 *    "steer": "auto", "api": "unix:/run/sluice/sluiced.sock",
 *    "fib_wait": 10, "burst": 32, "idle_sleep_us": 0}
 *
 * Every refusal names the field (a JSON path, or the flag) and the value;
 * pure code (no port is opened), so the unit tests call it.
 */
#ifndef SLUICE_VROUTER_CONFIG_H
#define SLUICE_VROUTER_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <sluice/pktio/config.h>

#define VR_THREADS_MAX 16
#define VR_PORTS_MAX 16
#define VR_TAP_NAME_MAX 16 /* IFNAMSIZ */
#define VR_DEFAULT_PIN_DIR "/sys/fs/bpf/sluice"
#define VR_DEFAULT_PUNT_TAP "sv-punt"
#define VR_DEFAULT_POOL_COUNT 8192u

/* Whether sluice-vrouter adds the transit steering selectors itself. */
enum vr_steer {
	VR_STEER_AUTO, /* add them when sluiced's API takes them, else warn */
	VR_STEER_REQUIRED, /* add them or do not start */
	VR_STEER_OFF,	   /* the operator's step */
};

/* The command line: NULL / -1 for "not given". */
struct vr_cli {
	const char *config;
	const char *ports[VR_PORTS_MAX];
	unsigned int n_ports;
	const char *pin_dir;
	const char *punt_tap;
	const char *threads;
	const char *stats_file;
	const char *stats_interval;
	const char *steer;
	const char *api;
	const char *fib_wait;
	const char *idle_sleep;
};

struct vr_config {
	/* pools, the data ports, then the punt TAP; one thread each */
	struct pktio_config *pk;
	unsigned int n_data_ports; /* pk->ports[0..n_data_ports) */
	unsigned int threads;
	char pin_dir[PATH_MAX];
	char punt_tap[VR_TAP_NAME_MAX];
	char stats_file[PATH_MAX];   /* "" : none */
	unsigned int stats_interval; /* seconds */
	enum vr_steer steer;
	char api[PATH_MAX];
	unsigned int fib_wait; /* seconds to wait for sluiced's pins */
	unsigned int burst;
	unsigned int idle_sleep_us;
};

/*
 * Reads --config (if any), applies the command line over it, checks it
 * and fills the threads and the TAP in: 0, or -EINVAL (-errno of the
 * file) with @err naming the field and the value.
 */
int vr_config_build(const struct vr_cli *cli, struct vr_config **out, char *err,
		    size_t errlen);
/* The same from JSON text (tests), the command line then applied. */
int vr_config_parse(const char *text, const struct vr_cli *cli,
		    struct vr_config **out, char *err, size_t errlen);
void vr_config_free(struct vr_config *c);

const char *vr_steer_name(enum vr_steer s);

#endif
