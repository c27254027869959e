/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration map: keys sorted in a dynamic array, found by binary
 * search. Configurations hold hundreds of keys, written rarely and read at
 * start-up and reload, so a sorted array beats anything cleverer.
 */
#include "config/cmap.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct entry {
	char *key;
	char *value;
	char *origin;	/**< "file:line", or NULL */
};

struct tally_cmap {
	struct entry *e;
	size_t n;
	size_t cap;
};

struct tally_cmap *tally_cmap_new(void)
{
	struct tally_cmap *m = calloc(1, sizeof(*m));

	if (m == NULL)
		errno = ENOMEM;
	return m;
}

void tally_cmap_free(struct tally_cmap *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].key);
		free(m->e[i].value);
		free(m->e[i].origin);
	}
	free(m->e);
	free(m);
}

/* Index of `key`, or of where it would be inserted (*found says which). */
static size_t lookup(const struct tally_cmap *m, const char *key, int *found)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->e[mid].key, key);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

static int key_valid(const char *key)
{
	if (key == NULL || key[0] == '\0' || key[0] == '.')
		return 0;
	for (const char *p = key; *p != '\0'; p++)
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return 0;
	return 1;
}

int tally_cmap_set_at(struct tally_cmap *m, const char *key, const char *value,
		      const char *origin)
{
	int found;
	size_t i;
	char *v, *o = NULL;

	if (!key_valid(key) || value == NULL)
		return -EINVAL;
	v = strdup(value);
	if (origin != NULL)
		o = strdup(origin);
	if (v == NULL || (origin != NULL && o == NULL))
		goto err_nomem;
	i = lookup(m, key, &found);
	if (found) {
		free(m->e[i].value);
		free(m->e[i].origin);
		m->e[i].value = v;
		m->e[i].origin = o;
		return 0;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 32;
		struct entry *e = realloc(m->e, cap * sizeof(*e));

		if (e == NULL)
			goto err_nomem;
		m->e = e;
		m->cap = cap;
	}
	memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof(*m->e));
	m->e[i].key = strdup(key);
	if (m->e[i].key == NULL) {
		memmove(&m->e[i], &m->e[i + 1], (m->n - i) * sizeof(*m->e));
		goto err_nomem;
	}
	m->e[i].value = v;
	m->e[i].origin = o;
	m->n++;
	return 0;

err_nomem:
	free(v);
	free(o);
	return -ENOMEM;
}

int tally_cmap_set(struct tally_cmap *m, const char *key, const char *value)
{
	return tally_cmap_set_at(m, key, value, NULL);
}

const char *tally_cmap_origin(const struct tally_cmap *m, const char *key)
{
	int found;
	size_t i;

	if (key == NULL)
		return NULL;
	i = lookup(m, key, &found);
	return found ? m->e[i].origin : NULL;
}

int tally_cmap_unset(struct tally_cmap *m, const char *key)
{
	int found;
	size_t i;

	if (key == NULL)
		return -ENOENT;
	i = lookup(m, key, &found);
	if (!found)
		return -ENOENT;
	free(m->e[i].key);
	free(m->e[i].value);
	free(m->e[i].origin);
	memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof(*m->e));
	m->n--;
	return 0;
}

const char *tally_cmap_get(const struct tally_cmap *m, const char *key)
{
	int found;
	size_t i;

	if (key == NULL)
		return NULL;
	i = lookup(m, key, &found);
	return found ? m->e[i].value : NULL;
}

struct tally_cmap *tally_cmap_dup(const struct tally_cmap *m)
{
	struct tally_cmap *d = tally_cmap_new();

	if (d == NULL)
		return NULL;
	d->e = calloc(m->n ? m->n : 1, sizeof(*d->e));
	if (d->e == NULL)
		goto err;
	d->cap = m->n ? m->n : 1;
	for (size_t i = 0; i < m->n; i++) {
		d->e[i].key = strdup(m->e[i].key);
		d->e[i].value = strdup(m->e[i].value);
		d->e[i].origin = m->e[i].origin ? strdup(m->e[i].origin) : NULL;
		d->n++;
		if (d->e[i].key == NULL || d->e[i].value == NULL ||
		    (m->e[i].origin != NULL && d->e[i].origin == NULL))
			goto err;
	}
	return d;
err:
	tally_cmap_free(d);
	errno = ENOMEM;
	return NULL;
}

int tally_parse_u32(const char *text, uint32_t *out)
{
	unsigned long long x;
	char *end;

	/* strtoull would accept leading blanks and a minus sign: refuse both. */
	if (text == NULL || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	x = strtoull(text, &end, 0);
	if (errno != 0 || *end != '\0' || x > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)x;
	return 0;
}

int tally_cmap_get_u32(const struct tally_cmap *m, const char *key, uint32_t *out)
{
	const char *v = tally_cmap_get(m, key);

	if (v == NULL)
		return -ENOENT;
	return tally_parse_u32(v, out);
}

int tally_cmap_get_u8(const struct tally_cmap *m, const char *key, uint8_t *out)
{
	uint32_t x;
	int rc = tally_cmap_get_u32(m, key, &x);

	if (rc != 0)
		return rc;
	if (x > UINT8_MAX)
		return -EINVAL;
	*out = (uint8_t)x;
	return 0;
}

int tally_cmap_get_bool(const struct tally_cmap *m, const char *key, int *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };
	const char *v = tally_cmap_get(m, key);

	if (v == NULL)
		return -ENOENT;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}

int tally_cmap_foreach(const struct tally_cmap *m, const char *prefix, tally_cmap_iter_fn fn,
		       void *ctx)
{
	size_t plen = prefix != NULL ? strlen(prefix) : 0;
	int found;
	size_t i = plen ? lookup(m, prefix, &found) : 0;

	for (; i < m->n; i++) {
		int rc;

		if (plen && strncmp(m->e[i].key, prefix, plen) != 0)
			break;
		rc = fn(ctx, m->e[i].key, m->e[i].value);
		if (rc != 0)
			return rc;
	}
	return 0;
}
