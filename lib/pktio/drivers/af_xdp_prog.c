// SPDX-License-Identifier: BSD-2-Clause
/*
 * How frames reach the af_xdp sockets.  When sluiced manages the
 * interface (its pinned `ifaces` map has the ifindex and the XDP program
 * on the interface, in our namespace, uses the pinned steer_xsks: an
 * ifindex alone may be another namespace's interface), its steering stage
 * redirects to that XSKMAP: the sockets are entered there
 * (uapi/sluice/steer.h) and no program of ours is loaded.  Otherwise a five-instruction program of our
 * own redirects every frame of a queue to that queue's socket (and passes
 * the frame to the kernel when the queue has none); it is attached with
 * "no replace" and detached on close only if it is still ours.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <uapi/sluice/route.h>
#include <uapi/sluice/steer.h>
#include "af_xdp.h"

/* sluiced's default --pin-dir (daemon/config.c) */
#define AFXDP_PIN_DIR_DEFAULT "/sys/fs/bpf/sluice"

static int steer_find(struct afxdp_prog *p, const char *dev,
		      const char *pin_dir, uint32_t max_qid)
{
	struct sluice_iface iface;
	char path[512];
	int ifaces_fd, xsks_fd, err;
	uint32_t key = (uint32_t)p->ifindex;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, SLUICE_STEER_IFACES_PIN);
	ifaces_fd = bpf_obj_get(path);
	if (ifaces_fd < 0)
		return 0; /* no sluiced: our own program */
	err = bpf_map_lookup_elem(ifaces_fd, &key, &iface);
	close(ifaces_fd);
	if (err)
		return 0; /* sluiced does not manage dev */
	snprintf(path, sizeof(path), "%s/%s", pin_dir, SLUICE_STEER_XSKS_PIN);
	xsks_fd = bpf_obj_get(path);
	if (xsks_fd < 0) {
		err = -errno;
		pktio_drv_err(
			"port %s: driver af_xdp: sluiced manages %s but %s is missing (%s): a sluiced without the steering stage?",
			dev, dev, path, strerror(errno));
		return err;
	}
	err = afxdp_steer_owned(p->ifindex, xsks_fd);
	if (!err) {
		/* another namespace's interface of the same ifindex */
		close(xsks_fd);
		pktio_log(
			PKTIO_LOG_WARN,
			"port %s: driver af_xdp: sluiced's pins in %s name ifindex %d but this namespace's %s does not run its program: using our own",
			dev, pin_dir, p->ifindex, dev);
		return 0;
	}
	if (err < 0)
		pktio_log(
			PKTIO_LOG_WARN,
			"port %s: driver af_xdp: cannot tell whether %s runs sluiced's program (%s): trusting sluiced's ifaces entry",
			dev, dev, strerror(-err));
	if (iface.slot >= SLUICE_MAX_IFACES ||
	    max_qid >= SLUICE_STEER_MAX_QUEUES) {
		close(xsks_fd);
		pktio_drv_err(
			"port %s: driver af_xdp: queue %u or slot %u is beyond sluiced's steer_xsks (%d queues, %d slots)",
			dev, max_qid, iface.slot, SLUICE_STEER_MAX_QUEUES,
			SLUICE_MAX_IFACES);
		return -ERANGE;
	}
	p->steer = true;
	p->steer_xsks_fd = xsks_fd;
	p->steer_slot = iface.slot;
	pktio_log(
		PKTIO_LOG_INFO,
		"port %s: driver af_xdp: sluiced steers %s (slot %u): sockets go into %s",
		dev, dev, iface.slot, path);
	return 0;
}

static int own_prog_load(struct afxdp_prog *p, const char *dev,
			 uint32_t max_qid)
{
	struct bpf_insn insns[] = {
		/* r2 = ctx->rx_queue_index */
		{ .code = BPF_LDX | BPF_MEM | BPF_W,
		  .dst_reg = BPF_REG_2,
		  .src_reg = BPF_REG_1,
		  .off = offsetof(struct xdp_md, rx_queue_index) },
		/* r1 = the XSKMAP (imm set below) */
		/* NOLINTNEXTLINE(misc-redundant-expression): BPF_LD, BPF_IMM are 0 */
		{ .code = BPF_LD | BPF_DW | BPF_IMM,
		  .dst_reg = BPF_REG_1,
		  .src_reg = BPF_PSEUDO_MAP_FD },
		{ 0 },
		/* r3 = XDP_PASS: what a queue without a socket does */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		  .dst_reg = BPF_REG_3,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect_map },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, popts);
	int err;

	p->map_fd = bpf_map_create(BPF_MAP_TYPE_XSKMAP, "pktio_xsks", 4, 4,
				   max_qid + 1, NULL);
	if (p->map_fd < 0) {
		err = -errno;
		pktio_drv_err(
			"port %s: driver af_xdp: creating an XSKMAP of %u entries: %s",
			dev, max_qid + 1, strerror(errno));
		p->map_fd = -1;
		return err;
	}
	insns[1].imm = p->map_fd;
	p->prog_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "pktio_xsk",
				   "Dual BSD/GPL", insns,
				   sizeof(insns) / sizeof(insns[0]), &popts);
	if (p->prog_fd < 0) {
		err = -errno;
		pktio_drv_err(
			"port %s: driver af_xdp: loading the redirect program: %s",
			dev, strerror(errno));
		p->prog_fd = -1;
		return err;
	}
	return 0;
}

int afxdp_prog_setup(struct afxdp_prog *p, const char *dev, int ifindex,
		     const char *pin_dir, uint32_t max_qid)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->ifindex = ifindex;
	p->steer_xsks_fd = p->map_fd = p->prog_fd = -1;
	err = steer_find(p, dev, pin_dir ? pin_dir : AFXDP_PIN_DIR_DEFAULT,
			 max_qid);
	if (err || p->steer)
		return err;
	return own_prog_load(p, dev, max_qid);
}

static uint32_t steer_key(const struct afxdp_prog *p, uint32_t qid)
{
	return SLUICE_STEER_XSK_KEY(p->steer_slot, qid);
}

int afxdp_prog_add(struct afxdp_prog *p, uint32_t qid, int xsk_fd)
{
	uint32_t key = p->steer ? steer_key(p, qid) : qid;
	int fd = p->steer ? p->steer_xsks_fd : p->map_fd;

	if (bpf_map_update_elem(fd, &key, &xsk_fd, BPF_ANY))
		return -errno;
	return 0;
}

void afxdp_prog_del(struct afxdp_prog *p, uint32_t qid)
{
	uint32_t key = p->steer ? steer_key(p, qid) : qid;
	int fd = p->steer ? p->steer_xsks_fd : p->map_fd;

	if (fd >= 0)
		bpf_map_delete_elem(fd, &key);
}

/* sluiced's program: in the driver or generic? */
static void steer_mode(struct afxdp_prog *p, bool *drv)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	*drv = !bpf_xdp_query(p->ifindex, 0, &q) &&
	       q.attach_mode != XDP_ATTACHED_SKB;
}

int afxdp_prog_attach(struct afxdp_prog *p, const char *dev,
		      enum afxdp_xdp_mode mode, bool *drv)
{
	uint32_t flags = XDP_FLAGS_UPDATE_IF_NOEXIST;
	int err = -EINVAL;

	if (p->steer) {
		steer_mode(p, drv);
		return 0;
	}
	if (mode != AFXDP_XDP_SKB) {
		err = bpf_xdp_attach(p->ifindex, p->prog_fd,
				     flags | XDP_FLAGS_DRV_MODE, NULL);
		if (!err) {
			p->attach_flags = flags | XDP_FLAGS_DRV_MODE;
			*drv = true;
			return 0;
		}
		if (err == -EBUSY || err == -EEXIST || mode == AFXDP_XDP_DRV)
			goto fail;
	}
	err = bpf_xdp_attach(p->ifindex, p->prog_fd, flags | XDP_FLAGS_SKB_MODE,
			     NULL);
	if (!err) {
		p->attach_flags = flags | XDP_FLAGS_SKB_MODE;
		*drv = false;
		return 0;
	}
fail:
	if (err == -EBUSY || err == -EEXIST)
		pktio_drv_err(
			"port %s: driver af_xdp: %s has an XDP program already and sluiced does not manage it (no %s entry under pin_dir): refusing to replace it",
			dev, dev, SLUICE_STEER_IFACES_PIN);
	else
		pktio_drv_err(
			"port %s: driver af_xdp: attaching the redirect program (xdp_mode=%s): %s",
			dev, mode == AFXDP_XDP_DRV ? "drv" : "auto/skb",
			strerror(-err));
	return err;
}

void afxdp_prog_release(struct afxdp_prog *p)
{
	if (p->attach_flags) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, opts,
			    .old_prog_fd = p->prog_fd);
		/* only if ours is still the one attached */
		bpf_xdp_detach(p->ifindex,
			       (p->attach_flags &
				~XDP_FLAGS_UPDATE_IF_NOEXIST) |
				       XDP_FLAGS_REPLACE,
			       &opts);
		p->attach_flags = 0;
	}
	if (p->prog_fd >= 0)
		close(p->prog_fd);
	if (p->map_fd >= 0)
		close(p->map_fd);
	if (p->steer_xsks_fd >= 0)
		close(p->steer_xsks_fd);
	p->prog_fd = p->map_fd = p->steer_xsks_fd = -1;
	p->steer = false;
}
