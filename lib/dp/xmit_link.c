// SPDX-License-Identifier: BSD-2-Clause
/*
 * The loss counters' tracepoint links (bpf/sluice_xmit.bpf.c), pinned
 * beside the maps.  A tracing link lives as long as something holds it:
 * held only by sluiced, it went with the process, and a frame the kernel
 * lost while sluiced was stopped with --keep-on-exit, or being upgraded,
 * went uncounted although the XDP program went on forwarding.  Pinned, the
 * counting goes on as the forwarding does; an orderly stop without
 * --keep-on-exit removes the pins with the maps (dp_unpin_maps()).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "dp_internal.h"
#include "log.h"
#include "sluice_xmit.skel.h"

/* Not an interface's link (link_<ifname>) nor a map's name. */
static void xmit_link_path(const struct dp *dp, const char *prog, char *buf,
			   size_t len)
{
	snprintf(buf, len, "%s/xmit_link_%s", dp->pin_dir, prog);
}

/*
 * @prog attached, its link in *@link and pinned over the previous run's.
 * The new link is attached before the old pin goes, so no loss goes
 * uncounted across a restart; one that happens in the microseconds both
 * are attached is counted twice.  (A tracing link cannot be given a new
 * program, as an XDP link can.)
 */
static int attach_one(struct dp *dp, struct bpf_program *prog,
		      struct bpf_link **link)
{
	char path[PATH_MAX];
	struct bpf_link *l;
	int err;

	l = bpf_program__attach(prog);
	if (!l)
		return -errno;
	if (dp->pin_dir) {
		xmit_link_path(dp, bpf_program__name(prog), path, sizeof(path));
		if (unlink(path) && errno != ENOENT) {
			err = -errno;
			goto err_link;
		}
		err = bpf_link__pin(l, path);
		if (err)
			goto err_link;
	}
	*link = l;
	return 0;

err_link:
	bpf_link__destroy(l);
	return err;
}

int dp_xmit_attach(struct dp *dp)
{
	const struct bpf_object_skeleton *s;
	int err = 0;

	if (!dp->xmit)
		return -EOPNOTSUPP;
	s = dp->xmit->skeleton;
	for (int i = 0; i < s->prog_cnt && !err; i++) {
		struct bpf_program *prog = *s->progs[i].prog;

		/* the test's syscall program is run, never attached */
		if (!bpf_program__autoload(prog) ||
		    bpf_program__type(prog) != BPF_PROG_TYPE_TRACING ||
		    *s->progs[i].link)
			continue;
		err = attach_one(dp, prog, s->progs[i].link);
	}
	if (err)
		pr_warn("dp: frames the kernel drops after a redirect will not "
			"be counted: cannot attach to the xdp tracepoints: %s",
			strerror(-err));
	return err;
}

int dp_xmit_unpin_links(const struct dp *dp)
{
	struct sluice_xmit *names = NULL;
	struct bpf_program *prog;
	struct bpf_object *obj;
	char path[PATH_MAX];
	int err = 0;

	if (!dp->pin_dir)
		return 0;
	if (dp->xmit) {
		obj = dp->xmit->obj;
	} else { /* a run that had them may have pinned them: their names */
		names = sluice_xmit__open();
		if (!names)
			return -errno;
		obj = names->obj;
	}
	bpf_object__for_each_program(prog, obj) {
		xmit_link_path(dp, bpf_program__name(prog), path, sizeof(path));
		if (unlink(path) && errno != ENOENT && !err)
			err = -errno;
	}
	sluice_xmit__destroy(names);
	return err;
}
