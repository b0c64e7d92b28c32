// SPDX-License-Identifier: BSD-2-Clause
/* Frames the kernel lost after a redirect, as JSON (xmit_json.h). */
#include <stdio.h>
#include <string.h>
#include "json_out.h"
#include "xmit_json.h"

const char *xmit_err_name(int err, char *buf, size_t len)
{
	const char *name;

	if (!err)
		return "";
	if (err < 0)
		err = -err;
	name = strerrorname_np(err);
	if (name)
		return name;
	snprintf(buf, len, "%d", err);
	return buf;
}

struct json_object *xmit_drops_json(const struct dp_xmit_drops *d)
{
	struct json_object *o = json_object_new_object();
	struct json_object *errs = json_object_new_object();
	char num[16];

	for (unsigned int ev = 0; ev < SLUICE_XMIT_NEVENTS; ev++) {
		json_add_int(o, dp_xmit_event_name(ev), (int64_t)d->frames[ev]);
		if (d->frames[ev])
			json_add_str(errs, dp_xmit_event_name(ev),
				     xmit_err_name(d->last_err[ev], num,
						   sizeof(num)));
	}
	json_object_object_add(o, "last_errors", errs);
	return o;
}
