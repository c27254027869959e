/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration map: entries sorted by key in one dynamic array, found
 * by binary search. A configuration holds tens to hundreds of keys, written
 * at start-up and reload and read a few times, so a sorted array is the
 * simplest structure that is also fast enough, and it gives foreach its
 * sorted order for free.
 *
 * Every failing call leaves the map as it was. Only <stdlib.h> allocation
 * is used (no strdup), so tests can inject allocation failures with
 * `ld --wrap=malloc,realloc`.
 */
#include "config/cmap.h"
#include "config/config_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* corosync's ICMAP_KEYNAME_MAXLEN: cmapctl cannot show a longer name. */
#define KEY_MAX 255

struct entry {
	char *key;
	char *value;
	char *origin; /**< "file:line", or NULL when set at runtime */
};

struct tally_cmap {
	struct entry *e; /**< sorted by strcmp() of key, no duplicates */
	size_t n;
	size_t cap;
};


struct tally_cmap *tally_cmap_new(void)
{
	struct tally_cmap *m = malloc(sizeof(*m));

	if (m == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	m->e = NULL;
	m->n = 0;
	m->cap = 0;
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

/* Index of `key`, or of the place it would be inserted at (*found says which). */
static size_t lookup(const struct tally_cmap *m, const char *key, bool *found)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->e[mid].key, key);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* The characters corosync's icmap allows in a key name (icmap_is_valid_name_char). */
static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == '/' || c == ':';
}

/* 1 to 255 icmap characters; dots only between non-empty components. */
static bool key_valid(const char *key)
{
	size_t len;

	if (key == NULL)
		return false;
	len = strlen(key);
	if (len == 0 || len > KEY_MAX || key[0] == '.' || key[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!key_char(key[i]) || (key[i] == '.' && key[i + 1] == '.'))
			return false;
	return true;
}

int tally_cmap_set_at(struct tally_cmap *m, const char *key, const char *value,
		      const char *origin)
{
	char *v, *o = NULL, *k = NULL;
	bool found;
	size_t i;

	if (m == NULL || !key_valid(key) || value == NULL)
		return -EINVAL;
	v = config_strdup(value);
	if (v == NULL)
		return -ENOMEM;
	if (origin != NULL) {
		o = config_strdup(origin);
		if (o == NULL)
			goto err_free;
	}
	i = lookup(m, key, &found);
	if (found) {
		free(m->e[i].value);
		free(m->e[i].origin);
		m->e[i].value = v;
		m->e[i].origin = o;
		return 0;
	}

	/* Everything that can fail happens before the array is touched. */
	k = config_strdup(key);
	if (k == NULL)
		goto err_free;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct entry *e;

		if (cap > SIZE_MAX / sizeof(*e))
			goto err_free;
		e = realloc(m->e, cap * sizeof(*e));
		if (e == NULL)
			goto err_free;
		m->e = e;
		m->cap = cap;
	}
	memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof(*m->e));
	m->e[i].key = k;
	m->e[i].value = v;
	m->e[i].origin = o;
	m->n++;
	return 0;

err_free:
	free(k);
	free(o);
	free(v);
	return -ENOMEM;
}

int tally_cmap_set(struct tally_cmap *m, const char *key, const char *value)
{
	return tally_cmap_set_at(m, key, value, NULL);
}

/* The entry of `key`, or NULL. */
static const struct entry *find_entry(const struct tally_cmap *m, const char *key)
{
	bool found;
	size_t i;

	if (m == NULL || key == NULL)
		return NULL;
	i = lookup(m, key, &found);
	return found ? &m->e[i] : NULL;
}

const char *tally_cmap_origin(const struct tally_cmap *m, const char *key)
{
	const struct entry *e = find_entry(m, key);

	return e != NULL ? e->origin : NULL;
}

int tally_cmap_unset(struct tally_cmap *m, const char *key)
{
	bool found;
	size_t i;

	if (m == NULL || key == NULL)
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
	const struct entry *e = find_entry(m, key);

	return e != NULL ? e->value : NULL;
}

struct tally_cmap *tally_cmap_dup(const struct tally_cmap *m)
{
	struct tally_cmap *d;

	if (m == NULL) {
		errno = EINVAL;
		return NULL;
	}
	d = tally_cmap_new();
	if (d == NULL)
		return NULL;
	if (m->n == 0)
		return d;
	d->e = malloc(m->n * sizeof(*d->e));
	if (d->e == NULL)
		goto err_nomem;
	d->cap = m->n;
	for (size_t i = 0; i < m->n; i++) {
		struct entry *e = &d->e[i];

		e->key = config_strdup(m->e[i].key);
		e->value = config_strdup(m->e[i].value);
		e->origin = m->e[i].origin != NULL ? config_strdup(m->e[i].origin) : NULL;
		d->n++; /* counted at once, so that tally_cmap_free() frees what was copied */
		if (e->key == NULL || e->value == NULL ||
		    (m->e[i].origin != NULL && e->origin == NULL))
			goto err_nomem;
	}
	return d;

err_nomem:
	tally_cmap_free(d);
	errno = ENOMEM;
	return NULL;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decimal, or hexadecimal after 0x. Unlike strtoul: no blanks, no sign, no
 * octal (corosync reads "010" as ten, with strtoll base 10), and overflow is
 * an error rather than a clamp.
 */
int tally_parse_u32(const char *text, uint32_t *out)
{
	const char *p = text;
	unsigned int base = 10;
	uint64_t x = 0;

	if (p == NULL || out == NULL)
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (*p == '\0')
		return -EINVAL;
	for (; *p != '\0'; p++) {
		int d = digit_value(*p);

		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		x = x * base + (unsigned int)d;
		if (x > UINT32_MAX)
			return -EINVAL;
	}
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

int tally_cmap_get_u32_in(const struct tally_cmap *m, const char *key, uint32_t min,
			  uint32_t max, uint32_t *out, char *err, size_t errlen)
{
	const char *v = tally_cmap_get(m, key);
	uint32_t x;

	if (v == NULL)
		return 0;
	if (tally_parse_u32(v, &x) != 0 || x < min || x > max) {
		snprintf(err, errlen, "%s: '%s' is not a number in %" PRIu32 "..%" PRIu32, key, v,
			 min, max);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

int tally_cmap_get_u8(const struct tally_cmap *m, const char *key, uint8_t *out)
{
	uint32_t x;
	int rc = tally_cmap_get_u32(m, key, &x);

	if (rc != 0)
		return rc;
	if (x > UINT8_MAX || out == NULL)
		return -EINVAL;
	*out = (uint8_t)x;
	return 0;
}

/* ASCII only: the result must not depend on the locale. */
static bool same_word(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;

		if (ca != *b)
			return false;
	}
	return *a == *b;
}

int tally_cmap_get_bool(const struct tally_cmap *m, const char *key, int *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };
	const char *v = tally_cmap_get(m, key);

	if (v == NULL)
		return -ENOENT;
	if (out == NULL)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (same_word(v, yes[i])) {
			*out = 1;
			return 0;
		}
		if (same_word(v, no[i])) {
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
	bool found;
	size_t i;

	if (m == NULL || fn == NULL)
		return 0;
	/* Keys with the prefix sort together, starting where the prefix would go. */
	i = plen ? lookup(m, prefix, &found) : 0;
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

struct node_walk {
	tally_cmap_node_fn fn;
	void *ctx;
	const struct tally_cmap *map;
	char last[64];
};

static int node_key(void *ctx, const char *key, const char *value)
{
	struct node_walk *w = ctx;
	const char *idx = key + strlen("nodelist.node."), *dot = strchr(idx, '.');
	char entry[64];

	(void)value;
	if (dot == NULL || dot == idx || (size_t)(dot - key) >= sizeof(entry))
		return 0;
	memcpy(entry, key, (size_t)(dot - key));
	entry[dot - key] = '\0';
	/* Keys of one entry sort together: act when the entry changes. */
	if (strcmp(entry, w->last) == 0)
		return 0;
	memcpy(w->last, entry, sizeof(entry));
	return w->fn(w->ctx, w->map, entry);
}

int tally_cmap_foreach_node(const struct tally_cmap *map, tally_cmap_node_fn fn, void *ctx)
{
	struct node_walk w = { fn, ctx, map, "" };

	return tally_cmap_foreach(map, "nodelist.node.", node_key, &w);
}

const char *tally_cmap_node_get(const struct tally_cmap *map, const char *entry, const char *field)
{
	char key[128];

	snprintf(key, sizeof(key), "%s.%s", entry, field);
	return tally_cmap_get(map, key);
}

int tally_cmap_node_get_u32(const struct tally_cmap *map, const char *entry, const char *field,
			    uint32_t *out)
{
	char key[128];

	snprintf(key, sizeof(key), "%s.%s", entry, field);
	return tally_cmap_get_u32(map, key, out);
}
