/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A flat configuration map with corosync's cmap key names.
 *
 * corosync.conf is parsed into dotted keys exactly as corosync's coroparse
 * flattens it, so every consumer (quorum derivation, tools, the simulator's
 * `config KEY VALUE`) speaks the names that corosync-cmapctl shows:
 *
 *   quorum { two_node: 1 }                    -> quorum.two_node = "1"
 *   quorum { device { model: net } }          -> quorum.device.model = "net"
 *   nodelist { node { nodeid: 3 } node {...} } -> nodelist.node.0.nodeid = "3", nodelist.node.1...
 *   totem { interface { linknumber: 0 ... } }  -> totem.interface.0.*
 *   logging { logger_subsys { subsys: VOTEQ debug: on } } -> logging.logger_subsys.VOTEQ.debug = "on"
 *
 * Values are kept as strings; typed getters convert and validate. Pure: no
 * I/O (the caller reads the file and hands over the text).
 */
#ifndef TALLY_CORE_CONFIG_CMAP_H
#define TALLY_CORE_CONFIG_CMAP_H

#include <stddef.h>
#include <stdint.h>

struct tally_cmap;

/* NULL with errno = ENOMEM on failure. */
struct tally_cmap *tally_cmap_new(void);
void tally_cmap_free(struct tally_cmap *map);
/* Deep copy; NULL with errno = ENOMEM. */
struct tally_cmap *tally_cmap_dup(const struct tally_cmap *map);

/* 0, -EINVAL (empty/invalid key), -ENOMEM. Replaces an existing value. */
int tally_cmap_set(struct tally_cmap *map, const char *key, const char *value);
/*
 * As tally_cmap_set, and remember where the value came from ("file:line"),
 * so that a consumer rejecting the value can point at it. NULL: unknown.
 */
int tally_cmap_set_at(struct tally_cmap *map, const char *key, const char *value,
		      const char *origin);
/* Where the key's value came from, or NULL (absent key, or set at runtime). */
const char *tally_cmap_origin(const struct tally_cmap *map, const char *key);
/* 0 or -ENOENT. */
int tally_cmap_unset(struct tally_cmap *map, const char *key);
/* The value, or NULL when the key is absent. Valid until the key changes. */
const char *tally_cmap_get(const struct tally_cmap *map, const char *key);

/*
 * Typed getters: 0, -ENOENT (absent), -EINVAL (not a number in range).
 * Numbers are decimal, or hex after 0x; no sign, no blanks, and a leading 0
 * is still decimal ("010" is 10), as corosync reads them.
 * tally_cmap_get_bool accepts 0/1, yes/no, on/off, true/false.
 */
/* Parse a whole string as a u32 (decimal, or hex with 0x): 0 or -EINVAL. */
int tally_parse_u32(const char *text, uint32_t *out);

int tally_cmap_get_u32(const struct tally_cmap *map, const char *key, uint32_t *out);
int tally_cmap_get_u8(const struct tally_cmap *map, const char *key, uint8_t *out);
int tally_cmap_get_bool(const struct tally_cmap *map, const char *key, int *out);
/*
 * An optional setting in min..max: 0 with *out set, or left alone when the
 * key is absent; -EINVAL with a message in err otherwise.
 */
int tally_cmap_get_u32_in(const struct tally_cmap *map, const char *key, uint32_t min,
			  uint32_t max, uint32_t *out, char *err, size_t errlen);

/*
 * Iterate over keys starting with `prefix` in sorted key order. `fn` returns
 * 0 to go on, non-zero to stop (that value is returned). Returns 0 when all
 * were visited. The map must not change during iteration.
 */
typedef int (*tally_cmap_iter_fn)(void *ctx, const char *key, const char *value);
int tally_cmap_foreach(const struct tally_cmap *map, const char *prefix, tally_cmap_iter_fn fn,
		       void *ctx);

/*
 * Once per nodelist.node.<index> entry, in key order: `entry` is its key
 * prefix ("nodelist.node.3"); the caller reads entry + ".nodeid" and so on.
 * `fn` returns 0 to go on, non-zero to stop (that value is returned).
 */
typedef int (*tally_cmap_node_fn)(void *ctx, const struct tally_cmap *map, const char *entry);
int tally_cmap_foreach_node(const struct tally_cmap *map, tally_cmap_node_fn fn, void *ctx);

/* The value of `entry` + "." + `field` (NULL if absent). */
const char *tally_cmap_node_get(const struct tally_cmap *map, const char *entry, const char *field);
int tally_cmap_node_get_u32(const struct tally_cmap *map, const char *entry, const char *field,
			    uint32_t *out);

/*
 * Parse corosync.conf text (nested `name { ... }` sections, `key: value`
 * lines, `#` comments) and merge its keys into `map`. `origin` names the
 * text in error messages ("file:line: reason"). On error returns -EINVAL
 * and writes one line into err (if errlen > 0); `map` may then hold the
 * keys that came before the error. -ENOMEM on allocation failure.
 */
int tally_cmap_parse(struct tally_cmap *map, const char *text, size_t len, const char *origin,
		     char *err, size_t errlen);

#endif
