// SPDX-License-Identifier: BSD-2-Clause
/* The backend role's map: this host's addresses, the tunnel endpoints. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"

static int addr_key(int family, const void *addr, struct sluice_addr_key *k)
{
	memset(k, 0, sizeof(*k));
	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	k->family = (__u8)family;
	memcpy(k->addr, addr, family == AF_INET ? 4 : 16);
	return 0;
}

int dp_local_addr_set(struct dp *dp, int family, const void *addr)
{
	int fd = dp_fd(dp, DP_MAP_LOCAL_ADDRS), err;
	struct sluice_addr_key k;
	__u32 one = 1;

	if (fd < 0)
		return fd;
	err = addr_key(family, addr, &k);
	if (err)
		return err;
	return bpf_map_update_elem(fd, &k, &one, BPF_ANY) ? -errno : 0;
}

int dp_local_addr_del(struct dp *dp, int family, const void *addr)
{
	int fd = dp_fd(dp, DP_MAP_LOCAL_ADDRS), err;
	struct sluice_addr_key k;

	if (fd < 0)
		return fd;
	err = addr_key(family, addr, &k);
	if (err)
		return err;
	return bpf_map_delete_elem(fd, &k) ? -errno : 0;
}

int dp_local_addr_foreach(struct dp *dp, dp_key_cb cb, void *arg)
{
	int fd = dp_fd(dp, DP_MAP_LOCAL_ADDRS), err = 0;
	struct sluice_addr_key key, next;
	bool first = true;
	__u32 v;

	if (fd < 0)
		return fd;
	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		err = cb(&key, &v, arg);
		if (err)
			break;
	}
	return err;
}
