/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Compile-time limits of the data path.  Each can be overridden with -D at
 * build time; the map sizes follow from them.
 */
#ifndef SLUICE_UAPI_LIMITS_H
#define SLUICE_UAPI_LIMITS_H

#ifndef SLUICE_MAX_ECMP
#define SLUICE_MAX_ECMP 8 /* members of one next-hop group */
#endif
#ifndef SLUICE_MAX_IFACES
#define SLUICE_MAX_IFACES 64 /* counter slots; slot 0 = unknown */
#endif
#ifndef SLUICE_MAX_ROUTES_V4
#define SLUICE_MAX_ROUTES_V4 2097152 /* LPM tries are not preallocated */
#endif
#ifndef SLUICE_MAX_ROUTES_V6
#define SLUICE_MAX_ROUTES_V6 1048576
#endif
#ifndef SLUICE_MAX_NHGS
#define SLUICE_MAX_NHGS 65536
#endif
#ifndef SLUICE_MAX_NEIGHS
#define SLUICE_MAX_NEIGHS 65536
#endif
/* on-link destinations waiting for sluiced to ask for their neighbour
 * (bpf/lib/neigh_wanted.h): what one poll of sluiced's takes at most */
#ifndef SLUICE_MAX_NEIGH_WANTED
#define SLUICE_MAX_NEIGH_WANTED 1024
#endif
#ifndef SLUICE_MAX_VLANS
#define SLUICE_MAX_VLANS 4096
#endif
/* load balancer */
#ifndef SLUICE_LB_MAX_VIPS
#define SLUICE_LB_MAX_VIPS 256 /* VIP ids 1..MAX-1 */
#endif
#ifndef SLUICE_LB_MAX_BACKENDS
#define SLUICE_LB_MAX_BACKENDS 4096 /* backend ids 1..MAX-1, all VIPs */
#endif
#ifndef SLUICE_LB_MAX_RING
#define SLUICE_LB_MAX_RING 655373 /* largest Maglev table size M */
#endif
#ifndef SLUICE_LB_DEFAULT_RING
#define SLUICE_LB_DEFAULT_RING 65537
#endif
#ifndef SLUICE_LB_MAX_FLOWS
#define SLUICE_LB_MAX_FLOWS 131072 /* LRU flow table entries (load-time) */
#endif
#ifndef SLUICE_MAX_LOCAL_ADDRS
#define SLUICE_MAX_LOCAL_ADDRS 1024 /* decap: addresses of this host */
#endif

#endif /* SLUICE_UAPI_LIMITS_H */
