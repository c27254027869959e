/* SPDX-License-Identifier: BSD-3-Clause */
/* corosync.conf text -> cmap -> votequorum settings and derivation. */
#include <stddef.h>
#include <stdint.h>

#include "config/cmap.h"
#include "config/votequorum_cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally_cmap *m = tally_cmap_new();
	static struct tally_vq_settings s;
	struct tally_vq_effective e;
	char err[256];

	if (m == NULL)
		return 0;
	if (tally_cmap_parse(m, (const char *)data, size, "fuzz", err, sizeof(err)) == 0 &&
	    tally_vq_settings_read(m, 1, &s, err, sizeof(err)) == 0)
		(void)tally_vq_derive(&s, NULL, 0, &e, NULL, NULL, err, sizeof(err));
	tally_cmap_free(m);
	return 0;
}
