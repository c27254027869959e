/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration map (config/cmap.h): refused keys and numbers first,
 * then allocation failures, then what it must do, and last a random
 * sequence of sets and unsets checked against a plain model.
 *
 * Allocation failures are injected through `ld --wrap=malloc,calloc,realloc`
 * (tests/unit/meson.build); without it (-DTALLY_TEST_NO_ALLOC_WRAP) those
 * checks are skipped.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config/cmap.h"

#include "alloc_fail.h"

/* --- helpers ------------------------------------------------------------ */

struct dump {
	char text[8192];
	size_t len;
	int count;
};

static int dump_key(void *ctx, const char *key, const char *value)
{
	struct dump *d = ctx;
	int n = snprintf(d->text + d->len, sizeof(d->text) - d->len, "%s=%s\n", key, value);

	if (n > 0 && (size_t)n < sizeof(d->text) - d->len)
		d->len += (size_t)n;
	d->count++;
	return 0;
}

/* "key=value\n" for every key under `prefix`, in iteration order. */
static const char *dump(const struct tally_cmap *m, const char *prefix, struct dump *d)
{
	memset(d, 0, sizeof(*d));
	tally_cmap_foreach(m, prefix, dump_key, d);
	return d->text;
}

static int count(const struct tally_cmap *m)
{
	struct dump d;

	dump(m, NULL, &d);
	return d.count;
}

static int streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* --- refused input -------------------------------------------------- */

static void set_refuses_bad_keys_and_values(void)
{
	static const char *const bad[] = {
		"",	"a b", "a\tb", " a", "a ", ".a", "a.", "a..b", ".", "a{b", "a}b", "a#b",
		"a=b",	"a\"b", "a\\b", "a*b", "caf\xc3\xa9", "a\nb", "\x7f",
	};
	struct tally_cmap *m = tally_cmap_new();
	char longkey[300];

	CHECK(m != NULL);
	CHECK_EQ(tally_cmap_set(NULL, "a", "v"), -EINVAL);
	CHECK_EQ(tally_cmap_set(m, NULL, "v"), -EINVAL);
	CHECK_EQ(tally_cmap_set(m, "a", NULL), -EINVAL);
	CHECK_EQ(tally_cmap_set_at(m, "a", NULL, "f:1"), -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (tally_cmap_set(m, bad[i], "v") != -EINVAL) {
			fprintf(stderr, "key '%s' was accepted\n", bad[i]);
			check_failures++;
		}
		CHECK_EQ(tally_cmap_set_at(m, bad[i], "v", "f:1"), -EINVAL);
	}
	/* corosync's ICMAP_KEYNAME_MAXLEN is 255 */
	memset(longkey, 'k', 256);
	longkey[256] = '\0';
	CHECK_EQ(tally_cmap_set(m, longkey, "v"), -EINVAL);
	CHECK_EQ(count(m), 0);
	longkey[255] = '\0';
	CHECK_EQ(tally_cmap_set(m, longkey, "v"), 0);
	CHECK_EQ(count(m), 1);
	tally_cmap_free(m);
}

static void lookups_of_absent_keys(void)
{
	struct tally_cmap *m = tally_cmap_new();

	CHECK(tally_cmap_get(m, "a") == NULL);
	CHECK(tally_cmap_get(m, NULL) == NULL);
	CHECK(tally_cmap_get(NULL, "a") == NULL);
	CHECK(tally_cmap_origin(m, "a") == NULL);
	CHECK(tally_cmap_origin(m, NULL) == NULL);
	CHECK(tally_cmap_origin(NULL, "a") == NULL);
	CHECK_EQ(tally_cmap_unset(m, "a"), -ENOENT);
	CHECK_EQ(tally_cmap_unset(m, NULL), -ENOENT);
	CHECK_EQ(tally_cmap_unset(NULL, "a"), -ENOENT);
	CHECK_EQ(tally_cmap_set(m, "b", "1"), 0);
	CHECK(tally_cmap_get(m, "a") == NULL);
	CHECK(tally_cmap_get(m, "c") == NULL);
	CHECK(tally_cmap_get(m, "b.") == NULL);
	CHECK_EQ(tally_cmap_unset(m, "a"), -ENOENT);
	CHECK_EQ(tally_cmap_unset(m, "c"), -ENOENT);
	CHECK_EQ(tally_cmap_foreach(NULL, NULL, dump_key, NULL), 0);
	CHECK_EQ(tally_cmap_foreach(m, NULL, NULL, NULL), 0);
	CHECK(tally_cmap_dup(NULL) == NULL);
	tally_cmap_free(m);
	tally_cmap_free(NULL);
}

static void typed_getters_refuse_bad_values(void)
{
	static const char *const bad_u32[] = {
		"",	   "-1",	 "+1",	 " 1",	"1 ",  "1x",	     "x",   "0x",
		"0xg",	   "0x-1",	 "0x 1", "1.0", "1e3", "4294967296", "-0", "0x100000000",
		"99999999999999999999999999", "18446744073709551617", "\xef\xbc\x91", "0b1",
	};
	static const char *const bad_u8[] = { "256", "0x100", "4294967295", "-1", "" };
	static const char *const bad_bool[] = {
		"", "2", "-1", "yess", "y", "n", "onn", " on", "on ", "tru", "0x1", "01", "enable",
	};
	struct tally_cmap *m = tally_cmap_new();
	uint32_t u32 = 7;
	uint8_t u8 = 7;
	int b = 7;

	CHECK_EQ(tally_cmap_get_u32(m, "absent", &u32), -ENOENT);
	CHECK_EQ(tally_cmap_get_u8(m, "absent", &u8), -ENOENT);
	CHECK_EQ(tally_cmap_get_bool(m, "absent", &b), -ENOENT);
	CHECK_EQ(tally_parse_u32(NULL, &u32), -EINVAL);
	CHECK_EQ(tally_parse_u32("1", NULL), -EINVAL);
	for (size_t i = 0; i < sizeof(bad_u32) / sizeof(bad_u32[0]); i++) {
		CHECK_EQ(tally_cmap_set(m, "k", bad_u32[i]), 0);
		if (tally_cmap_get_u32(m, "k", &u32) != -EINVAL) {
			fprintf(stderr, "u32 '%s' was accepted\n", bad_u32[i]);
			check_failures++;
		}
		CHECK_EQ(tally_parse_u32(bad_u32[i], &u32), -EINVAL);
		CHECK_EQ(tally_cmap_get_u8(m, "k", &u8), -EINVAL);
	}
	for (size_t i = 0; i < sizeof(bad_u8) / sizeof(bad_u8[0]); i++) {
		CHECK_EQ(tally_cmap_set(m, "k", bad_u8[i]), 0);
		if (tally_cmap_get_u8(m, "k", &u8) != -EINVAL) {
			fprintf(stderr, "u8 '%s' was accepted\n", bad_u8[i]);
			check_failures++;
		}
	}
	for (size_t i = 0; i < sizeof(bad_bool) / sizeof(bad_bool[0]); i++) {
		CHECK_EQ(tally_cmap_set(m, "k", bad_bool[i]), 0);
		if (tally_cmap_get_bool(m, "k", &b) != -EINVAL) {
			fprintf(stderr, "bool '%s' was accepted\n", bad_bool[i]);
			check_failures++;
		}
	}
	/* a refused value leaves the output alone */
	CHECK_EQ(u32, 7);
	CHECK_EQ(u8, 7);
	CHECK_EQ(b, 7);
	tally_cmap_free(m);
}

/* --- allocation failures --------------------------------------------- */

static void allocation_failures_leave_the_map_intact(void)
{
#ifndef TALLY_TEST_NO_ALLOC_WRAP
	struct tally_cmap *m, *d;
	char key[32];
	struct dump before, after;
	int rc;

	fail_allocation(0);
	errno = 0;
	CHECK(tally_cmap_new() == NULL);
	CHECK_EQ(errno, ENOMEM);

	m = tally_cmap_new();
	for (int i = 0; i < 16; i++) { /* exactly full: the next new key must grow the array */
		snprintf(key, sizeof(key), "k.%02d", i);
		CHECK_EQ(tally_cmap_set_at(m, key, "v", "f:1"), 0);
	}
	dump(m, NULL, &before);

	/* every allocation of set_at fails in turn: a new key ... */
	for (long n = 0;; n++) {
		fail_allocation(n);
		rc = tally_cmap_set_at(m, "k.05a", "new", "f:2");
		alloc_countdown = -1;
		if (!alloc_failed) {
			CHECK_EQ(rc, 0);
			CHECK(n >= 3); /* value, origin, key, array */
			break;
		}
		CHECK_EQ(rc, -ENOMEM);
		CHECK(strcmp(dump(m, NULL, &after), before.text) == 0);
	}
	CHECK(streq(tally_cmap_get(m, "k.05a"), "new"));
	CHECK(streq(tally_cmap_origin(m, "k.05a"), "f:2"));

	/* ... and a replaced one, which keeps its old value and origin */
	dump(m, NULL, &before);
	for (long n = 0;; n++) {
		fail_allocation(n);
		rc = tally_cmap_set_at(m, "k.00", "replaced", "f:3");
		alloc_countdown = -1;
		if (!alloc_failed) {
			CHECK_EQ(rc, 0);
			break;
		}
		CHECK_EQ(rc, -ENOMEM);
		CHECK(strcmp(dump(m, NULL, &after), before.text) == 0);
		CHECK(streq(tally_cmap_origin(m, "k.00"), "f:1"));
	}
	CHECK(streq(tally_cmap_get(m, "k.00"), "replaced"));
	CHECK(streq(tally_cmap_origin(m, "k.00"), "f:3"));

	/* dup: NULL and ENOMEM whichever allocation fails, nothing leaked */
	CHECK_EQ(tally_cmap_set(m, "runtime", "no origin"), 0);
	for (long n = 0;; n++) {
		fail_allocation(n);
		errno = 0;
		d = tally_cmap_dup(m);
		alloc_countdown = -1;
		if (!alloc_failed) {
			CHECK(d != NULL);
			break;
		}
		CHECK(d == NULL);
		CHECK_EQ(errno, ENOMEM);
	}
	CHECK(strcmp(dump(d, NULL, &after), dump(m, NULL, &before)) == 0);
	tally_cmap_free(d);
	tally_cmap_free(m);
#endif
}

/* --- what it does ----------------------------------------------------- */

static void typed_getters_read_numbers_and_switches(void)
{
	static const struct {
		const char *text;
		uint32_t value;
	} u32s[] = {
		{ "0", 0 },	      { "1", 1 },	    { "007", 7 },	   { "010", 10 },
		{ "4294967295", UINT32_MAX },		    { "0x10", 16 },	   { "0X1f", 31 },
		{ "0xFFFFFFFF", UINT32_MAX },		    { "0x0000000000001", 1 },
		{ "00000000000000000000000042", 42 },
	};
	static const struct {
		const char *text;
		int value;
	} bools[] = {
		{ "1", 1 },  { "yes", 1 }, { "YES", 1 },   { "on", 1 },	  { "On", 1 },	 { "true", 1 },
		{ "TRUE", 1 }, { "0", 0 }, { "no", 0 },	   { "No", 0 },	  { "off", 0 },	 { "OFF", 0 },
		{ "false", 0 }, { "False", 0 },
	};
	struct tally_cmap *m = tally_cmap_new();
	uint32_t u32;
	uint8_t u8;
	int b;

	for (size_t i = 0; i < sizeof(u32s) / sizeof(u32s[0]); i++) {
		u32 = 12345;
		CHECK_EQ(tally_cmap_set(m, "k", u32s[i].text), 0);
		CHECK_EQ(tally_cmap_get_u32(m, "k", &u32), 0);
		CHECK_EQ(u32, u32s[i].value);
		CHECK_EQ(tally_parse_u32(u32s[i].text, &u32), 0);
		CHECK_EQ(u32, u32s[i].value);
	}
	CHECK_EQ(tally_cmap_set(m, "k", "255"), 0);
	CHECK_EQ(tally_cmap_get_u8(m, "k", &u8), 0);
	CHECK_EQ(u8, 255);
	CHECK_EQ(tally_cmap_set(m, "k", "0"), 0);
	CHECK_EQ(tally_cmap_get_u8(m, "k", &u8), 0);
	CHECK_EQ(u8, 0);
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		b = 7;
		CHECK_EQ(tally_cmap_set(m, "k", bools[i].text), 0);
		CHECK_EQ(tally_cmap_get_bool(m, "k", &b), 0);
		CHECK_EQ(b, bools[i].value);
	}
	tally_cmap_free(m);
}

static void set_replaces_and_remembers_the_origin(void)
{
	struct tally_cmap *m = tally_cmap_new();
	const char *v;

	CHECK_EQ(tally_cmap_set_at(m, "quorum.two_node", "1", "/etc/corosync.conf:12"), 0);
	CHECK(streq(tally_cmap_get(m, "quorum.two_node"), "1"));
	CHECK(streq(tally_cmap_origin(m, "quorum.two_node"), "/etc/corosync.conf:12"));
	/* a runtime change forgets the file */
	CHECK_EQ(tally_cmap_set(m, "quorum.two_node", "0"), 0);
	CHECK(streq(tally_cmap_get(m, "quorum.two_node"), "0"));
	CHECK(tally_cmap_origin(m, "quorum.two_node") == NULL);
	/* empty values, and values of any bytes, are kept as they are */
	CHECK_EQ(tally_cmap_set(m, "a", ""), 0);
	CHECK(streq(tally_cmap_get(m, "a"), ""));
	CHECK_EQ(tally_cmap_set(m, "b", " x { } : # \t\xff "), 0);
	CHECK(streq(tally_cmap_get(m, "b"), " x { } : # \t\xff "));
	/* the characters corosync allows in a key */
	CHECK_EQ(tally_cmap_set(m, "Az09._-/:", "ok"), 0);
	CHECK(streq(tally_cmap_get(m, "Az09._-/:"), "ok"));
	/* keys are exact: no prefix, case or trailing-dot match */
	CHECK(tally_cmap_get(m, "quorum") == NULL);
	CHECK(tally_cmap_get(m, "QUORUM.two_node") == NULL);
	CHECK(tally_cmap_get(m, "quorum.two_nod") == NULL);
	/* the value is copied */
	{
		char buf[8] = "abc";

		CHECK_EQ(tally_cmap_set(m, "copy", buf), 0);
		buf[0] = 'X';
		CHECK(streq(tally_cmap_get(m, "copy"), "abc"));
	}
	CHECK_EQ(tally_cmap_unset(m, "quorum.two_node"), 0);
	CHECK(tally_cmap_get(m, "quorum.two_node") == NULL);
	CHECK(tally_cmap_origin(m, "quorum.two_node") == NULL);
	CHECK_EQ(tally_cmap_unset(m, "quorum.two_node"), -ENOENT);
	v = tally_cmap_get(m, "a");
	CHECK(v != NULL && *v == '\0');
	CHECK_EQ(count(m), 4);
	tally_cmap_free(m);
}

static int stop_at_third(void *ctx, const char *key, const char *value)
{
	(void)key;
	(void)value;
	return ++*(int *)ctx == 3 ? -42 : 0;
}

static void foreach_visits_a_prefix_in_order(void)
{
	static const char *const keys[] = {
		"nodelist.node.1.nodeid", "nodelist.node.0.ring0_addr", "nodelist.node.0.nodeid",
		"nodelist.node.10.nodeid", "nodelist.nodes", "nodelist", "nodelisx.a", "a",
		"quorum.provider", "nodelist.node.", /* invalid: not stored */
	};
	struct tally_cmap *m = tally_cmap_new();
	struct dump d, e;
	int n = 0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		tally_cmap_set(m, keys[i], keys[i]);
	CHECK(strcmp(dump(m, "nodelist.node.", &d), "nodelist.node.0.nodeid=nodelist.node.0.nodeid\n"
						     "nodelist.node.0.ring0_addr=nodelist.node.0.ring0_addr\n"
						     "nodelist.node.1.nodeid=nodelist.node.1.nodeid\n"
						     "nodelist.node.10.nodeid=nodelist.node.10.nodeid\n") == 0);
	CHECK_EQ(d.count, 4);
	dump(m, "nodelist", &d);
	CHECK_EQ(d.count, 6);
	dump(m, "nodelist.node.1", &d);
	CHECK_EQ(d.count, 2);
	dump(m, "zzz", &d); /* past the last key */
	CHECK_EQ(d.count, 0);
	dump(m, "0", &d); /* before the first key */
	CHECK_EQ(d.count, 0);
	dump(m, "", &e);
	CHECK_EQ(e.count, 9);
	dump(m, NULL, &d);
	CHECK_EQ(d.count, 9);
	CHECK(strcmp(d.text, e.text) == 0);
	CHECK(strncmp(d.text, "a=a\nnodelist=nodelist\n", 22) == 0);
	/* the callback's non-zero return stops the walk and is returned */
	CHECK_EQ(tally_cmap_foreach(m, NULL, stop_at_third, &n), -42);
	CHECK_EQ(n, 3);
	n = 0;
	CHECK_EQ(tally_cmap_foreach(m, "nodelist.node.0", stop_at_third, &n), 0);
	CHECK_EQ(n, 2);
	tally_cmap_free(m);
}

static void dup_is_a_deep_copy(void)
{
	struct tally_cmap *m = tally_cmap_new(), *d, *e;
	struct dump a, b;

	e = tally_cmap_dup(m); /* an empty map */
	CHECK(e != NULL);
	CHECK_EQ(count(e), 0);
	CHECK_EQ(tally_cmap_set(e, "x", "1"), 0);
	CHECK(streq(tally_cmap_get(e, "x"), "1"));
	tally_cmap_free(e);

	tally_cmap_set_at(m, "a", "1", "f:1");
	tally_cmap_set(m, "b", "2");
	d = tally_cmap_dup(m);
	CHECK(strcmp(dump(d, NULL, &a), dump(m, NULL, &b)) == 0);
	CHECK(streq(tally_cmap_origin(d, "a"), "f:1"));
	CHECK(tally_cmap_origin(d, "b") == NULL);
	CHECK_EQ(tally_cmap_set(m, "a", "changed"), 0);
	CHECK_EQ(tally_cmap_unset(m, "b"), 0);
	CHECK_EQ(tally_cmap_set(d, "c", "3"), 0); /* the copy can grow */
	CHECK(streq(tally_cmap_get(d, "a"), "1"));
	CHECK(streq(tally_cmap_get(d, "b"), "2"));
	CHECK(tally_cmap_get(m, "c") == NULL);
	tally_cmap_free(m);
	tally_cmap_free(d);
}

/* xorshift32: the same sequence on every run */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

#define MODEL_KEYS 64

struct model_walk {
	char (*keys)[8];
	const int *present;
	int next; /* index into keys of the next expected key */
	int bad;
};

static int model_check(void *ctx, const char *key, const char *value)
{
	struct model_walk *w = ctx;

	while (w->next < MODEL_KEYS && !w->present[w->next])
		w->next++;
	if (w->next == MODEL_KEYS || strcmp(key, w->keys[w->next]) != 0 ||
	    atoi(value) != w->present[w->next])
		w->bad++;
	w->next++;
	return 0;
}

/* Random sets and unsets, against an array of flags (keys are made in sorted order). */
static void random_operations_match_a_model(void)
{
	static char keys[MODEL_KEYS][8];
	int present[MODEL_KEYS] = { 0 }; /* 0: absent, else the stored number */
	struct tally_cmap *m = tally_cmap_new();
	uint32_t s = 0x9e3779b9;
	char value[16];

	for (int i = 0; i < MODEL_KEYS; i++)
		snprintf(keys[i], sizeof(keys[i]), "k%c.%c", 'a' + i / 8, 'a' + i % 8);
	for (int step = 0; step < 20000; step++) {
		int i = (int)(rnd(&s) % MODEL_KEYS);

		if (rnd(&s) % 3 == 0) {
			CHECK_EQ(tally_cmap_unset(m, keys[i]), present[i] ? 0 : -ENOENT);
			present[i] = 0;
		} else {
			present[i] = (int)(rnd(&s) % 1000) + 1;
			snprintf(value, sizeof(value), "%d", present[i]);
			CHECK_EQ(tally_cmap_set(m, keys[i], value), 0);
		}
		if (step % 97 == 0) {
			struct model_walk w = { keys, present, 0, 0 };

			tally_cmap_foreach(m, NULL, model_check, &w);
			while (w.next < MODEL_KEYS && !present[w.next])
				w.next++;
			CHECK_EQ(w.bad, 0);
			CHECK_EQ(w.next, MODEL_KEYS);
		}
		i = (int)(rnd(&s) % MODEL_KEYS);
		CHECK(present[i] ? atoi(tally_cmap_get(m, keys[i])) == present[i]
				 : tally_cmap_get(m, keys[i]) == NULL);
	}
	tally_cmap_free(m);
}

int main(void)
{
	RUN(set_refuses_bad_keys_and_values);
	RUN(lookups_of_absent_keys);
	RUN(typed_getters_refuse_bad_values);
	RUN(allocation_failures_leave_the_map_intact);
	RUN(typed_getters_read_numbers_and_switches);
	RUN(set_replaces_and_remembers_the_origin);
	RUN(foreach_visits_a_prefix_in_order);
	RUN(dup_is_a_deep_copy);
	RUN(random_operations_match_a_model);
	return CHECK_EXIT();
}
