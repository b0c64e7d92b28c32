// SPDX-License-Identifier: BSD-2-Clause
/* Link facts of a kernel interface (ifindex, MTU, MAC, up and running,
 * its kernel driver), for the drivers that open one: af_xdp, af_packet,
 * tap. */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "pktio_internal.h"

int pktio_drv_netdev_link(struct pktio_port *port, const char *ifname)
{
	uint8_t mac[6] = { 0 };
	struct ifreq ifr;
	int fd, err, ifindex;
	uint32_t mtu;
	bool up;

	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ) {
		pktio_drv_err(
			"port %s: interface \"%s\": not an interface name",
			port->name, ifname ? ifname : "");
		return -EINVAL;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		goto err_ioctl;
	ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		goto err_ioctl;
	mtu = (uint32_t)ifr.ifr_mtu;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		goto err_ioctl;
	up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	/* a TUN device or a loopback has no (or a zero) hardware address */
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 &&
	    (ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER ||
	     ifr.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK))
		memcpy(mac, ifr.ifr_hwaddr.sa_data, sizeof(mac));
	close(fd);
	pktio_drv_set_link(port, ifindex, mtu, mac, up);
	return 0;

err_ioctl:
	err = -errno;
	close(fd);
	pktio_drv_err("port %s: interface %s: %s", port->name, ifname,
		      err == -ENODEV ? "no such interface" : strerror(-err));
	return err;
}

/* One ethtool request (@cmd, its struct, the command first) about
 * @ifname: 0 or -errno. */
static int ethtool(const char *ifname, void *cmd)
{
	struct ifreq ifr;
	int fd, err;

	if (!ifname || strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_data = cmd;
	err = ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
	close(fd);
	return err;
}

bool pktio_drv_netdev_is(const char *ifname, const char *driver)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };

	return !ethtool(ifname, &info) &&
	       !strncmp(info.driver, driver, sizeof(info.driver));
}

int pktio_drv_netdev_queues(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	int err = ethtool(ifname, &ch);

	if (err)
		return err;
	/* a socket binds to a queue below the larger of the rx and tx
	 * counts (xsk_bind); combined channels are both */
	return (int)(ch.combined_count +
		     (ch.rx_count > ch.tx_count ? ch.rx_count : ch.tx_count));
}
