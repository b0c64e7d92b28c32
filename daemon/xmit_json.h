/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Frames the kernel lost after a redirect, per port (lib/dp xmit.c), as
 * /v1/interfaces and /metrics show them.
 */
#ifndef SLUICED_XMIT_JSON_H
#define SLUICED_XMIT_JSON_H

#include <json-c/json.h>
#include "dp.h"

/* {"redirect_failed": N, "xmit_dropped": N, "tx_failed": N,
 *  "steer_failed": N, "last_errors": {"redirect_failed": "EOPNOTSUPP"}}:
 * last_errors names, for each event that lost frames, the kernel's error
 * of the latest loss ("" when the kernel gave none). */
struct json_object *xmit_drops_json(const struct dp_xmit_drops *d);

/* An errno's symbolic name ("EOPNOTSUPP"), or its number as text in @buf
 * when it has none; "" for 0.  @err may be negative. */
const char *xmit_err_name(int err, char *buf, size_t len);

#endif
