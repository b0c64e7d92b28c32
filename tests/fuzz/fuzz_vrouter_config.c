// SPDX-License-Identifier: BSD-2-Clause
/* sluice-vrouter's JSON configuration (vrouter/vr_config.c,
 * docs/vrouter.md): vr_config_parse() with an empty command line on any
 * text, the libpktio config it builds included. */
#include <stdlib.h>
#include "fuzz.h"
#include "vr_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vr_cli cli = { 0 };
	struct vr_config *c = NULL;
	char err[512];
	char *text = fuzz_strdup(data, size);

	if (!text)
		return 0;
	if (!vr_config_parse(text, &cli, &c, err, sizeof(err)))
		vr_config_free(c);
	free(text);
	return 0;
}
