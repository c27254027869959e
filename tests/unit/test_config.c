/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration map and the corosync.conf parser: broken input first,
 * then the flattening rules, then random input that must never crash.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config/cmap.h"
#include "config/votequorum_cfg.h"

static int parse(struct tally_cmap *m, const char *text, char *err, size_t errlen)
{
	return tally_cmap_parse(m, text, strlen(text), "test.conf", err, errlen);
}

static void expect_error(const char *text, const char *fragment)
{
	struct tally_cmap *m = tally_cmap_new();
	char err[256] = "";
	int rc = parse(m, text, err, sizeof(err));

	CHECK_EQ(rc, -EINVAL);
	if (strstr(err, fragment) == NULL) {
		fprintf(stderr, "error '%s' lacks '%s' (input: %s)\n", err, fragment, text);
		check_failures++;
	}
	tally_cmap_free(m);
}

static void parse_rejects_broken_syntax(void)
{
	expect_error("quorum {\n provider: corosync_votequorum\n", "test.conf:1: missing closing brace");
	expect_error("quorum {\n}\n}\n", "test.conf:3: unexpected closing brace");
	expect_error("quorum {\n two_node 1\n}\n", "test.conf:2: expected 'key: value'");
	expect_error("two_node: 1\n", "test.conf:1: 'two_node' is outside any section");
	expect_error("quorum {\n : 1\n}\n", "test.conf:2: invalid key");
	expect_error("quorum {\n two node: 1\n}\n", "test.conf:2: invalid key");
	expect_error("quorom {\n}\n", "test.conf:1: unknown section 'quorom'");
	expect_error("my section {\n}\n", "invalid section name");
	expect_error("quorum {\n device {\n model: net {\n}\n}\n}\n", "invalid section name");
	expect_error("logging {\n logger_subsys {\n debug: on\n }\n}\n", "without a subsys key");
	expect_error("totem {\n interface {\n x {\n }\n }\n}\n", "cannot hold a section");
	expect_error("uidgid {\n user: x\n}\n", "uidgid takes uid: and gid:");
	expect_error("quorum {\n a: b }\n}\n", "brace cannot follow a value");
}

static void parse_rejects_hostile_input(void)
{
	struct tally_cmap *m = tally_cmap_new();
	char deep[16 * 12 + 64] = "";
	char *longline = malloc(5000);
	char err[256];

	/* a NUL inside the text */
	CHECK_EQ(tally_cmap_parse(m, "quorum {\0}\n", 11, "nul.conf", err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "NUL byte") != NULL);

	strcat(deep, "engine {\n");
	for (int i = 0; i < 16; i++)
		strcat(deep, "a {\n");
	CHECK_EQ(parse(m, deep, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "nested deeper") != NULL);

	memset(longline, 'x', 4999);
	longline[4999] = '\0';
	CHECK_EQ(parse(m, longline, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "longer than") != NULL);
	/* errors are reported even without a buffer */
	CHECK_EQ(tally_cmap_parse(m, "}", 1, NULL, NULL, 0), -EINVAL);
	free(longline);
	tally_cmap_free(m);
}

static void parse_flattens_like_coroparse(void)
{
	static const char conf[] =
		"# a comment\n"
		"totem {\n"
		"\tversion: 2\n"
		"\tcluster_name: lab\n"
		"\tinterface {\n"
		"\t\tlinknumber: 1\n"
		"\t\tknet_link_priority: 5\n"
		"\t}\n"
		"\tinterface {\n"
		"\t\tmcastport: 5405\n"
		"\t}\n"
		"}\n"
		"\n"
		"nodelist {\n"
		"  node {\n"
		"    nodeid: 1\n"
		"    ring0_addr: fe80::1\n"
		"    name: n1\n"
		"  }\n"
		"  node {\n"
		"    nodeid: 2\n"
		"    quorum_votes : 3\n"
		"  }\n"
		"}\n"
		"quorum {\n"
		"  provider: corosync_votequorum\n"
		"  auto_tie_breaker_node: 3 1\n"
		"  two_node: 0\n"
		"  two_node: 1\n"
		"  device {\n"
		"    model: net\n"
		"  }\n"
		"}\n"
		"logging {\n"
		"  to_stderr: yes\n"
		"  logger_subsys {\n"
		"    debug: on\n"
		"    subsys: VOTEQ\n"
		"  }\n"
		"}\n"
		"uidgid {\n"
		"  uid: hacluster\n"
		"  gid: haclient\n"
		"}\n"
		"engine {\n"
		"  port: net_af_packet0,iface=veth0\n"
		"}\n";
	struct tally_cmap *m = tally_cmap_new();
	char err[256] = "";

	CHECK_EQ(parse(m, conf, err, sizeof(err)), 0);
	if (err[0] != '\0')
		fprintf(stderr, "unexpected error: %s\n", err);
	CHECK(strcmp(tally_cmap_get(m, "totem.version"), "2") == 0);
	CHECK(strcmp(tally_cmap_get(m, "totem.interface.1.knet_link_priority"), "5") == 0);
	CHECK(strcmp(tally_cmap_get(m, "totem.interface.0.mcastport"), "5405") == 0);
	CHECK(tally_cmap_get(m, "totem.interface.1.linknumber") == NULL);
	CHECK(strcmp(tally_cmap_get(m, "nodelist.node.0.ring0_addr"), "fe80::1") == 0);
	CHECK(strcmp(tally_cmap_get(m, "nodelist.node.1.quorum_votes"), "3") == 0);
	CHECK(strcmp(tally_cmap_get(m, "quorum.auto_tie_breaker_node"), "3 1") == 0);
	CHECK(strcmp(tally_cmap_get(m, "quorum.two_node"), "1") == 0);
	CHECK(strcmp(tally_cmap_get(m, "quorum.device.model"), "net") == 0);
	CHECK(strcmp(tally_cmap_get(m, "logging.logger_subsys.VOTEQ.debug"), "on") == 0);
	CHECK(strcmp(tally_cmap_get(m, "uidgid.uid.hacluster"), "1") == 0);
	CHECK(strcmp(tally_cmap_get(m, "uidgid.gid.haclient"), "1") == 0);
	CHECK(strcmp(tally_cmap_get(m, "engine.port"), "net_af_packet0,iface=veth0") == 0);
	tally_cmap_free(m);
}

static void typed_getters_refuse_bad_numbers(void)
{
	struct tally_cmap *m = tally_cmap_new();
	uint32_t u32 = 7;
	uint8_t u8 = 7;
	int b = 7;

	CHECK_EQ(tally_cmap_get_u32(m, "absent", &u32), -ENOENT);
	static const char *const bad32[] = { "", "-1", " 1", "1x", "4294967296", "x", "+1" };
	for (size_t i = 0; i < sizeof(bad32) / sizeof(bad32[0]); i++) {
		tally_cmap_set(m, "k", bad32[i]);
		CHECK_EQ(tally_cmap_get_u32(m, "k", &u32), -EINVAL);
	}
	CHECK_EQ(u32, 7);
	tally_cmap_set(m, "k", "4294967295");
	CHECK_EQ(tally_cmap_get_u32(m, "k", &u32), 0);
	CHECK_EQ(u32, 4294967295u);
	tally_cmap_set(m, "k", "0x10");
	CHECK_EQ(tally_cmap_get_u32(m, "k", &u32), 0);
	CHECK_EQ(u32, 16);
	tally_cmap_set(m, "k", "256");
	CHECK_EQ(tally_cmap_get_u8(m, "k", &u8), -EINVAL);
	tally_cmap_set(m, "k", "255");
	CHECK_EQ(tally_cmap_get_u8(m, "k", &u8), 0);
	CHECK_EQ(u8, 255);
	tally_cmap_set(m, "k", "maybe");
	CHECK_EQ(tally_cmap_get_bool(m, "k", &b), -EINVAL);
	tally_cmap_set(m, "k", "On");
	CHECK_EQ(tally_cmap_get_bool(m, "k", &b), 0);
	CHECK_EQ(b, 1);
	tally_cmap_set(m, "k", "false");
	CHECK_EQ(tally_cmap_get_bool(m, "k", &b), 0);
	CHECK_EQ(b, 0);
	CHECK_EQ(tally_cmap_get_bool(m, "absent", &b), -ENOENT);
	tally_cmap_free(m);
}

static int count_key(void *ctx, const char *key, const char *value)
{
	(void)key;
	(void)value;
	return ++*(int *)ctx == 100 ? 5 : 0;
}

static void map_set_unset_dup_and_iterate(void)
{
	struct tally_cmap *m = tally_cmap_new(), *d;
	char key[32];
	int n = 0;

	CHECK_EQ(tally_cmap_set(m, "", "x"), -EINVAL);
	CHECK_EQ(tally_cmap_set(m, "a b", "x"), -EINVAL);
	CHECK_EQ(tally_cmap_set(m, NULL, "x"), -EINVAL);
	CHECK_EQ(tally_cmap_set(m, "k", NULL), -EINVAL);
	CHECK_EQ(tally_cmap_unset(m, "absent"), -ENOENT);
	CHECK(tally_cmap_get(m, NULL) == NULL);

	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "p.%03d", 299 - i);
		CHECK_EQ(tally_cmap_set(m, key, "v"), 0);
	}
	tally_cmap_set(m, "q.x", "other");
	tally_cmap_set(m, "o.x", "other");
	CHECK_EQ(tally_cmap_foreach(m, "p.", count_key, &n), 5);
	CHECK_EQ(n, 100);
	n = -1000;
	CHECK_EQ(tally_cmap_foreach(m, "p.", count_key, &n), 0);
	CHECK_EQ(n, -700);

	d = tally_cmap_dup(m);
	CHECK_EQ(tally_cmap_unset(m, "p.150"), 0);
	CHECK(tally_cmap_get(m, "p.150") == NULL);
	CHECK(strcmp(tally_cmap_get(d, "p.150"), "v") == 0);
	CHECK_EQ(tally_cmap_set(d, "p.150", "w"), 0);
	CHECK(strcmp(tally_cmap_get(d, "p.150"), "w") == 0);
	tally_cmap_free(m);
	tally_cmap_free(d);
	tally_cmap_free(NULL);
}

/* xorshift: deterministic input for the robustness test */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void parse_survives_random_input(void)
{
	static const char seed_conf[] =
		"quorum {\n provider: corosync_votequorum\n device {\n model: net\n }\n}\n"
		"nodelist {\n node {\n nodeid: 1\n }\n}\n"
		"logging {\n logger_subsys {\n subsys: VOTEQ\n }\n}\n"
		"totem {\n interface {\n linknumber: 0\n }\n}\n";
	static const char alphabet[] = "{}:#\n \tabz019.";
	uint32_t s = 0x2545f491;
	char buf[512];

	for (int iter = 0; iter < 20000; iter++) {
		struct tally_cmap *m = tally_cmap_new();
		size_t len;
		char err[128];
		int rc;

		if (iter % 2) {
			len = rnd(&s) % sizeof(buf);
			for (size_t i = 0; i < len; i++)
				buf[i] = (char)(iter % 4 == 1 ? alphabet[rnd(&s) % (sizeof(alphabet) - 1)]
							     : (char)rnd(&s));
		} else {
			len = sizeof(seed_conf) - 1;
			memcpy(buf, seed_conf, len);
			for (int k = 0; k < 4; k++)
				buf[rnd(&s) % len] = alphabet[rnd(&s) % (sizeof(alphabet) - 1)];
		}
		rc = tally_cmap_parse(m, buf, len, "random", err, sizeof(err));
		CHECK(rc == 0 || rc == -EINVAL);
		if (rc == -EINVAL)
			CHECK(strncmp(err, "random:", 7) == 0);
		tally_cmap_free(m);
	}
}

/* A value the parser stored is reported with the file and line it came from. */
static void typed_errors_point_at_the_line(void)
{
	static const char conf[] = "nodelist {\n node {\n  nodeid: 1\n }\n}\n"
				   "quorum {\n  provider: corosync_votequorum\n"
				   "  two_node: yes\n}\n";
	struct tally_cmap *m = tally_cmap_new();
	struct tally_vq_settings s;
	char err[256] = "";

	CHECK_EQ(tally_cmap_parse(m, conf, sizeof(conf) - 1, "/etc/tally.conf", err, sizeof(err)),
		 0);
	CHECK(strcmp(tally_cmap_origin(m, "quorum.two_node"), "/etc/tally.conf:8") == 0);
	CHECK_EQ(tally_vq_settings_read(m, 1, &s, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "/etc/tally.conf:8: quorum.two_node: 'yes'") != NULL);
	/* a runtime change has no file behind it */
	tally_cmap_set(m, "quorum.two_node", "2x");
	CHECK(tally_cmap_origin(m, "quorum.two_node") == NULL);
	CHECK_EQ(tally_vq_settings_read(m, 1, &s, err, sizeof(err)), -EINVAL);
	CHECK(strncmp(err, "quorum.two_node: '2x'", 21) == 0);
	tally_cmap_free(m);
}

int main(void)
{
	RUN(typed_errors_point_at_the_line);
	RUN(parse_rejects_broken_syntax);
	RUN(parse_rejects_hostile_input);
	RUN(typed_getters_refuse_bad_numbers);
	RUN(map_set_unset_dup_and_iterate);
	RUN(parse_flattens_like_coroparse);
	RUN(parse_survives_random_input);
	return CHECK_EXIT();
}
