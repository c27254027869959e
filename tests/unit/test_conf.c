/* SPDX-License-Identifier: BSD-3-Clause */
/* Loading configuration and authkey files (engine/conf/conf.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "conf/conf.h"

static char dir[] = "/tmp/tally-test-conf.XXXXXX";

static const char *path_of(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static const char *put(const char *name, const void *data, size_t len)
{
	const char *p = path_of(name);
	FILE *f = fopen(p, "wb");

	CHECK(f != NULL && fwrite(data, 1, len, f) == len);
	if (f != NULL)
		fclose(f);
	return p;
}

/* Sizes around the limit and around the reader's growth steps. */
static void test_read_file(void)
{
	static char big[200000];
	size_t len = 7;
	char *t;

	errno = 0;
	CHECK(tally_conf_read_file(path_of("absent"), 100, &len) == NULL && errno == ENOENT);

	t = tally_conf_read_file(put("empty", "", 0), 100, &len);
	CHECK(t != NULL && len == 0 && t[0] == '\0');
	free(t);

	memset(big, 'x', sizeof(big));
	for (size_t n = 65535; n <= 65537; n++) {
		t = tally_conf_read_file(put("big", big, n), sizeof(big), &len);
		CHECK(t != NULL && len == n && t[n] == '\0' && t[n - 1] == 'x');
		free(t);
	}
	t = tally_conf_read_file(put("big", big, sizeof(big)), sizeof(big), &len);
	CHECK(t != NULL && len == sizeof(big));	/* exactly the limit */
	free(t);
	errno = 0;
	CHECK(tally_conf_read_file(path_of("big"), sizeof(big) - 1, &len) == NULL &&
	      errno == EFBIG);
	errno = 0;
	CHECK(tally_conf_read_file(dir, 100, &len) == NULL && errno != 0);	/* a directory */
}

static void test_load(void)
{
	const char good[] = "totem {\n\tcluster_name: c1\n}\nquorum {\n\tprovider: corosync_votequorum\n}\n";
	char err[256] = "";
	struct tally_cmap *map;

	map = tally_conf_load(put("good.conf", good, strlen(good)), err, sizeof(err));
	CHECK(map != NULL && strcmp(tally_cmap_get(map, "totem.cluster_name"), "c1") == 0);
	tally_cmap_free(map);

	CHECK(tally_conf_load(path_of("absent.conf"), err, sizeof(err)) == NULL);
	CHECK(strstr(err, "absent.conf: No such file or directory") != NULL);

	err[0] = '\0';
	CHECK(tally_conf_load(put("bad.conf", "totem {\n", 8), err, sizeof(err)) == NULL);
	CHECK(strstr(err, "bad.conf") != NULL);		/* the parser names the file */
}

/* A configuration naming the key file `key` (and cluster c1 unless `no_cluster`). */
static struct tally_cmap *conf_with(const char *key, bool no_cluster)
{
	char text[512], err[256];
	struct tally_cmap *map;

	snprintf(text, sizeof(text), "totem {\n%s\tkeyfile: %s\n}\n",
		 no_cluster ? "" : "\tcluster_name: c1\n", path_of(key));
	map = tally_conf_load(put("k.conf", text, strlen(text)), err, sizeof(err));
	CHECK(map != NULL);
	return map;
}

/* Loading the frame key from `key` fails with a message containing `why`. */
static void key_refused(const char *key, bool no_cluster, const char *why)
{
	struct tally_cmap *map = conf_with(key, no_cluster);
	struct tally_wire_key k;
	char err[256] = "";

	CHECK(tally_conf_load_key(map, &k, err, sizeof(err)) != 0);
	CHECK(strstr(err, why) != NULL);
	tally_cmap_free(map);
}

static void test_keys(void)
{
	uint8_t key[64], *raw;
	char err[256] = "";
	struct tally_wire_key a, b;
	struct tally_cmap *map;
	size_t len;

	randombytes_buf(key, sizeof(key));
	put("authkey", key, sizeof(key));
	put("short", key, TALLY_WIRE_AUTHKEY_MIN - 1);

	map = conf_with("authkey", false);
	CHECK_EQ(tally_conf_read_authkey(map, &raw, &len, err, sizeof(err)), 0);
	CHECK(len == sizeof(key) && memcmp(raw, key, len) == 0);
	tally_conf_authkey_free(raw, len);
	CHECK_EQ(tally_conf_load_key(map, &a, err, sizeof(err)), 0);
	CHECK_EQ(tally_wire_key_derive(&b, key, sizeof(key), "c1"), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	tally_cmap_free(map);

	key_refused("short", false, "31 bytes, need 32 to 4096");
	key_refused("nokey", false, "make one with tally-keygen");
	key_refused("authkey", true, "cluster_name is not set");
}

int main(void)
{
	char cmd[300];

	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 1;
	RUN(test_read_file);
	RUN(test_load);
	RUN(test_keys);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	return CHECK_EXIT();
}
