/* SPDX-License-Identifier: BSD-2-Clause */
/* Building the daemon's JSON answers (the API, the LB's state file). */
#ifndef SLUICED_JSON_OUT_H
#define SLUICED_JSON_OUT_H

#include <stdbool.h>
#include <stdint.h>

struct json_object;

/* @k = @v in object @o. */
void json_add_str(struct json_object *o, const char *k, const char *v);
void json_add_int(struct json_object *o, const char *k, int64_t v);
void json_add_bool(struct json_object *o, const char *k, bool v);
/* "02:00:00:00:01:02" */
void json_add_mac(struct json_object *o, const char *k, const uint8_t m[6]);
/* @o as compact text (malloc'd; NULL with errno set), and @o released. */
char *json_take(struct json_object *o);

#endif
