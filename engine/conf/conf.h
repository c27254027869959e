/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading the configuration and the authkey from files: the I/O half of
 * configuration. Parsing stays in the pure core (engine/core/config); every
 * program that starts from a tally.conf (tallyd, tally-quorumtool, the test
 * fixtures and tools) loads it through here, so they agree on limits and
 * error texts.
 */
#ifndef TALLY_CONF_H
#define TALLY_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "config/cmap.h"
#include "wire/wire.h"

/* Where the authkey is when totem.keyfile does not say. */
#define TALLY_CONF_DEFAULT_AUTHKEY "/etc/tally/authkey"
/* A configuration file larger than this is refused (EFBIG). */
#define TALLY_CONF_MAX_BYTES (1u << 20)

/*
 * The whole file, NUL-terminated, its size in *len; NULL with errno set
 * (ENOENT..., EFBIG when larger than `max`, ENOMEM). Free with free().
 */
char *tally_conf_read_file(const char *path, size_t max, size_t *len);

/* Read and parse `path`; NULL with the reason ("PATH: ...") in err. */
struct tally_cmap *tally_conf_load(const char *path, char *err, size_t errlen);

/*
 * The raw authkey named by totem.keyfile (TALLY_CONF_DEFAULT_AUTHKEY when
 * unset), its length checked. Free with tally_conf_authkey_free().
 */
int tally_conf_read_authkey(const struct tally_cmap *map, uint8_t **key, size_t *len, char *err,
			    size_t errlen);
void tally_conf_authkey_free(uint8_t *key, size_t len);

/* The frame key of this cluster: the authkey bound to totem.cluster_name. */
int tally_conf_load_key(const struct tally_cmap *map, struct tally_wire_key *key, char *err,
			size_t errlen);

#endif
