/* SPDX-License-Identifier: BSD-3-Clause */
#include "conf/conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

char *tally_conf_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	char *buf = NULL;
	size_t cap = 0;
	int saved = 0;

	if (f == NULL)
		return NULL;
	*len = 0;
	/* Grow as the file does; one byte beyond `max` tells "too large" from "exactly max". */
	while (saved == 0) {
		size_t want = cap == 0 ? 65536 : cap * 2, got;
		char *nb;

		if (want > max + 1)
			want = max + 1;
		if (want <= cap)
			break;	/* cap is max + 1 and full: EFBIG below */
		nb = realloc(buf, want + 1);
		if (nb == NULL) {
			saved = ENOMEM;
			break;
		}
		buf = nb;
		cap = want;
		got = fread(buf + *len, 1, cap - *len, f);
		*len += got;
		if (*len < cap) {
			saved = ferror(f) ? EIO : 0;
			break;
		}
	}
	fclose(f);
	if (saved == 0 && *len > max)
		saved = EFBIG;
	if (saved != 0) {
		free(buf);
		errno = saved;
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

struct tally_cmap *tally_conf_load(const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = tally_conf_read_file(path, TALLY_CONF_MAX_BYTES, &len);
	struct tally_cmap *map;

	if (text == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	map = tally_cmap_new();
	if (map == NULL)
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
	else if (tally_cmap_parse(map, text, len, path, err, errlen) != 0) {
		tally_cmap_free(map);
		map = NULL;
	}
	free(text);
	return map;
}

int tally_conf_read_authkey(const struct tally_cmap *map, uint8_t **key, size_t *len, char *err,
			    size_t errlen)
{
	const char *path = tally_cmap_get(map, "totem.keyfile");
	char *k;

	if (path == NULL)
		path = TALLY_CONF_DEFAULT_AUTHKEY;
	k = tally_conf_read_file(path, TALLY_WIRE_AUTHKEY_MAX, len);
	if (k == NULL) {
		snprintf(err, errlen, "authkey %s: %s (make one with tally-keygen)", path,
			 strerror(errno));
		return -EINVAL;
	}
	if (*len < TALLY_WIRE_AUTHKEY_MIN) {
		snprintf(err, errlen, "authkey %s: %zu bytes, need %d to %d", path, *len,
			 TALLY_WIRE_AUTHKEY_MIN, TALLY_WIRE_AUTHKEY_MAX);
		tally_conf_authkey_free((uint8_t *)k, *len);
		return -EINVAL;
	}
	*key = (uint8_t *)k;
	return 0;
}

void tally_conf_authkey_free(uint8_t *key, size_t len)
{
	if (key == NULL)
		return;
	sodium_memzero(key, len);
	free(key);
}

int tally_conf_load_key(const struct tally_cmap *map, struct tally_wire_key *key, char *err,
			size_t errlen)
{
	const char *cluster = tally_cmap_get(map, "totem.cluster_name");
	uint8_t *k;
	size_t len;
	int rc;

	if (cluster == NULL) {
		snprintf(err, errlen, "totem.cluster_name is not set");
		return -EINVAL;
	}
	rc = tally_conf_read_authkey(map, &k, &len, err, errlen);
	if (rc != 0)
		return rc;
	rc = tally_wire_key_derive(key, k, len, cluster);
	if (rc != 0)
		snprintf(err, errlen, "cannot derive the frame key (%s)", strerror(-rc));
	tally_conf_authkey_free(k, len);
	return rc;
}
