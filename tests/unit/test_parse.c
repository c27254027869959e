/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The corosync.conf parser (tally_cmap_parse): broken and hostile input
 * first, then allocation failures, then the keys coroparse makes, and last
 * random bytes and mutated configurations that must give 0 or -EINVAL and
 * never a crash (a fixed seed, so every run feeds the same input).
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
	char *text;
	size_t len;
	size_t cap;
	int count;
	int bad_keys; /* keys a fresh map refuses */
};

static int dump_key(void *ctx, const char *key, const char *value)
{
	struct dump *d = ctx;
	size_t need = strlen(key) + strlen(value) + 3;
	struct tally_cmap *probe = tally_cmap_new();

	if (tally_cmap_set(probe, key, value) != 0)
		d->bad_keys++;
	tally_cmap_free(probe);
	if (d->len + need > d->cap) {
		size_t cap = (d->len + need) * 2;
		char *t = realloc(d->text, cap);

		if (t == NULL)
			return -1;
		d->text = t;
		d->cap = cap;
	}
	d->len += (size_t)snprintf(d->text + d->len, d->cap - d->len, "%s=%s\n", key, value);
	d->count++;
	return 0;
}

/* The whole map as "key=value\n" lines in key order; free with dump_free(). */
static const char *dump(const struct tally_cmap *m, const char *prefix, struct dump *d)
{
	memset(d, 0, sizeof(*d));
	d->text = calloc(1, 1);
	tally_cmap_foreach(m, prefix, dump_key, d);
	return d->text;
}

static void dump_free(struct dump *d)
{
	free(d->text);
}

static int parse(struct tally_cmap *m, const char *text, char *err, size_t errlen)
{
	return tally_cmap_parse(m, text, strlen(text), "t.conf", err, errlen);
}

/* `text` is refused, with an error that starts with `want` ("t.conf:LINE: reason"). */
static void refused_(const char *text, const char *want, int line)
{
	struct tally_cmap *m = tally_cmap_new();
	char err[512] = "(untouched)";
	int rc = parse(m, text, err, sizeof(err));

	if (rc != -EINVAL || strncmp(err, want, strlen(want)) != 0) {
		fprintf(stderr, "%s:%d: rc %d, error '%s', want -EINVAL and '%s...'\n", __FILE__,
			line, rc, err, want);
		check_failures++;
	}
	if (strchr(err, '\n') != NULL) {
		fprintf(stderr, "%s:%d: error is not one line: '%s'\n", __FILE__, line, err);
		check_failures++;
	}
	tally_cmap_free(m);
}

#define REFUSED(text, want) refused_(text, want, __LINE__)

/* `text` parses, and the map is exactly `want` ("key=value\n" lines, sorted). */
static void parses_to_(const char *text, size_t len, const char *want, int line)
{
	struct tally_cmap *m = tally_cmap_new();
	char err[512] = "";
	int rc = tally_cmap_parse(m, text, len, "t.conf", err, sizeof(err));
	struct dump d;

	dump(m, NULL, &d);
	if (rc != 0 || strcmp(d.text, want) != 0) {
		fprintf(stderr, "%s:%d: rc %d (%s), map:\n%s--- want:\n%s---\n", __FILE__, line, rc,
			err, d.text, want);
		check_failures++;
	}
	dump_free(&d);
	tally_cmap_free(m);
}

#define PARSES_TO(text, want) parses_to_(text, strlen(text), want, __LINE__)

static int streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* --- refused input -------------------------------------------------- */

static void refuses_broken_structure(void)
{
	/* braces */
	REFUSED("quorum {\n provider: corosync_votequorum\n",
		"t.conf:1: missing closing brace for section 'quorum'");
	REFUSED("quorum {\n device {\n  model: net\n }\n", "t.conf:1: missing closing brace");
	REFUSED("quorum {\n\n device {\n  model: net\n", /* the innermost open section */
		"t.conf:3: missing closing brace for section 'quorum.device'");
	REFUSED("nodelist {\n node {\n", "t.conf:2: missing closing brace for section "
					  "'nodelist.node.0'");
	REFUSED("quorum {\n}\n}\n", "t.conf:3: unexpected closing brace");
	REFUSED("}\n", "t.conf:1: unexpected closing brace");
	REFUSED("quorum {\n} }\n", "t.conf:2: unexpected text around '}'");
	REFUSED("quorum {\n}x\n", "t.conf:2: unexpected text around '}'");
	REFUSED("quorum { two_node: 1 }\n", "t.conf:1: unexpected 'two_node: 1 }' after '{'");
	REFUSED("quorum { # comment\n}\n", "t.conf:1: unexpected '# comment' after '{'");
	REFUSED("quorum {\n two_node: 1 }\n", "t.conf:2: a brace cannot follow a value");
	REFUSED("quorum {\n two_node: }\n}\n", "t.conf:2: a brace cannot follow a value");
	REFUSED("{\n}\n", "t.conf:1: missing section name before '{'");
	REFUSED("  :{\n}\n", "t.conf:1: missing section name before '{'");
	/* a brace on the next line is not corosync syntax */
	REFUSED("quorum\n{\n}\n", "t.conf:1: expected 'key: value', 'name {' or '}', got 'quorum'");
	/* lines that are none of the three */
	REFUSED("quorum {\n two_node 1\n}\n",
		"t.conf:2: expected 'key: value', 'name {' or '}', got 'two_node 1'");
	REFUSED("quorum {\n two_node = 1\n}\n", "t.conf:2: expected 'key: value'");
	REFUSED("# fine\n\n   \t\nquorum {\n ; not a comment\n}\n", "t.conf:5: expected");
}

static void refuses_bad_names(void)
{
	REFUSED("two_node: 1\n", "t.conf:1: 'two_node' is outside any section");
	REFUSED(": 1\n", "t.conf:1: '' is outside any section");
	REFUSED("quorum {\n : 1\n}\n", "t.conf:2: invalid key '': a key name can't be empty");
	REFUSED("quorum {\n two node: 1\n}\n", "t.conf:2: invalid key 'two node'");
	REFUSED("quorum {\n two.node: 1\n}\n", "t.conf:2: invalid key 'two.node'");
	/* a dotted key would reach into another section's keys */
	REFUSED("nodelist {\n node.0.nodeid: 9\n}\n", "t.conf:2: invalid key 'node.0.nodeid'");
	REFUSED("quorum {\n t\xc3\xa9: 1\n}\n", "t.conf:2: invalid key 't?\?'");
	REFUSED("quorum {\n a*b: 1\n}\n", "t.conf:2: invalid key 'a*b'");
	REFUSED("quorom {\n}\n", "t.conf:1: unknown section 'quorom'");
	REFUSED("Quorum {\n}\n", "t.conf:1: unknown section 'Quorum'");
	REFUSED("pload {\n}\n", "t.conf:1: unknown section 'pload'");
	REFUSED("my section {\n}\n", "t.conf:1: invalid section name 'my section'");
	REFUSED("quorum.device {\n}\n", "t.conf:1: invalid section name 'quorum.device'");
	REFUSED("quorum {\n model: net {\n}\n}\n", "t.conf:2: invalid section name 'model: net'");
	REFUSED("quorum {\n a#b {\n }\n}\n", "t.conf:2: invalid section name 'a#b'");
	/* cmap names stop at 255 characters, as corosync's ICMAP_KEYNAME_MAXLEN */
	{
		char text[1024];
		char name[300];

		memset(name, 'k', 250);
		name[250] = '\0';
		snprintf(text, sizeof(text), "quorum {\n %s: 1\n}\n", name); /* 257 */
		REFUSED(text, "t.conf:2: key 'quorum.kkkk");
		name[249] = '\0'; /* 256 */
		snprintf(text, sizeof(text), "quorum {\n %s: 1\n}\n", name);
		REFUSED(text, "t.conf:2: key 'quorum.kkkk");
		snprintf(text, sizeof(text), "engine {\n %s {\n }\n}\n", name);
		REFUSED(text, "t.conf:2: section 'kkkk");
		name[248] = '\0'; /* quorum. + 248 = 255 */
		snprintf(text, sizeof(text), "quorum {\n %s: 1\n}\n", name);
		{
			struct tally_cmap *m = tally_cmap_new();
			char err[256];

			CHECK_EQ(parse(m, text, err, sizeof(err)), 0);
			tally_cmap_free(m);
		}
	}
}

static void refuses_misused_special_sections(void)
{
	REFUSED("logging {\n logger_subsys {\n  debug: on\n }\n}\n",
		"t.conf:2: logger_subsys section without a subsys key");
	REFUSED("logging {\n logger_subsys {\n  subsys: a b\n }\n}\n",
		"t.conf:3: invalid subsys 'a b'");
	REFUSED("logging {\n logger_subsys {\n  subsys: A.B\n }\n}\n",
		"t.conf:3: invalid subsys 'A.B'");
	REFUSED("logging {\n logger_subsys {\n  subsys: QUORUM\n  x {\n  }\n }\n}\n",
		"t.conf:4: section 'logging.logger_subsys' cannot hold a section");
	REFUSED("logging {\n logging_daemon {\n  subsys: QUORUM\n }\n}\n",
		"t.conf:2: logging_daemon section without a name key");
	REFUSED("logging {\n logging_daemon {\n  name: a/b c\n }\n}\n",
		"t.conf:3: invalid name 'a/b c'");
	REFUSED("totem {\n interface {\n  linknumber: 256\n }\n}\n",
		"t.conf:3: linknumber '256' is not an integer from 0 to 255");
	REFUSED("totem {\n interface {\n  linknumber: -1\n }\n}\n", "t.conf:3: linknumber '-1'");
	REFUSED("totem {\n interface {\n  linknumber:\n }\n}\n", "t.conf:3: linknumber ''");
	REFUSED("totem {\n interface {\n  ringnumber: one\n }\n}\n", "t.conf:3: ringnumber 'one'");
	REFUSED("totem {\n interface {\n  linknumber: 1\n  linknumber: 0x1\n }\n}\n",
		"t.conf:4: linknumber '0x1'");
	REFUSED("totem {\n interface {\n  x {\n  }\n }\n}\n",
		"t.conf:3: section 'totem.interface' cannot hold a section 'x'");
	REFUSED("totem {\n interface {\n  member {\n   addr: 10.0.0.1\n  }\n }\n}\n",
		"t.conf:4: only memberaddr is allowed in a member section");
	REFUSED("totem {\n interface {\n  member {\n   x {\n", "t.conf:4: section "
							       "'totem.interface.member' cannot hold");
	REFUSED("uidgid {\n user: x\n}\n", "t.conf:2: uidgid takes uid: and gid: keys, not 'user'");
	REFUSED("uidgid {\n uid: a b\n}\n", "t.conf:2: invalid uid 'a b'");
	REFUSED("uidgid {\n gid:\n}\n", "t.conf:2: invalid gid ''");
	REFUSED("uidgid {\n x {\n }\n}\n", "t.conf:2: section 'uidgid' cannot hold a section");
	REFUSED("nodelist {\n node {\n  ring {\n  }\n }\n}\n",
		"t.conf:3: section 'nodelist.node.0' cannot hold a section");
	REFUSED("nodelist {\n node {\n  nodeid: 1\n }\n}\nnodelist {\n node {\n  nodeid: 2\n }\n}\n",
		"t.conf:6: a second nodelist section");
}

static void refuses_hostile_input(void)
{
	struct tally_cmap *m = tally_cmap_new();
	char deep[1024] = "engine {\n";
	char *big = malloc(10000);
	char err[256];
	struct dump d;

	/* NUL bytes, wherever they are */
	CHECK_EQ(tally_cmap_parse(m, "quorum {\0}\n", 11, "nul.conf", err, sizeof(err)), -EINVAL);
	CHECK(streq(err, "nul.conf:1: NUL byte in the configuration"));
	CHECK_EQ(tally_cmap_parse(m, "quorum {\n}\n\0", 12, "nul.conf", err, sizeof(err)), -EINVAL);
	CHECK(streq(err, "nul.conf:3: NUL byte in the configuration"));
	CHECK_EQ(tally_cmap_parse(m, "quorum {\n a: b\0c\n}\n", 19, "n", err, sizeof(err)), -EINVAL);
	CHECK(streq(err, "n:2: NUL byte in the configuration"));

	/* 16 levels are allowed, the 17th is not */
	for (int i = 1; i < 16; i++)
		strcat(deep, "a {\n");
	for (int i = 0; i < 16; i++)
		strcat(deep, "}\n");
	CHECK_EQ(parse(m, deep, err, sizeof(err)), 0);
	strcpy(deep, "engine {\n");
	for (int i = 1; i < 17; i++)
		strcat(deep, "a {\n");
	CHECK_EQ(parse(m, deep, err, sizeof(err)), -EINVAL);
	CHECK(streq(err, "t.conf:17: sections nested deeper than 16"));

	/* 4096 characters are a line, 4097 are too many (the newline and a CR not counted) */
	memcpy(big, "quorum {\n a: ", 13);
	memset(big + 13, 'x', 4096 - 4);
	memcpy(big + 13 + 4092, "\r\n}\n", 5);
	CHECK_EQ(parse(m, big, err, sizeof(err)), 0);
	CHECK_EQ(strlen(tally_cmap_get(m, "quorum.a")), 4092);
	memcpy(big + 13 + 4092, "y\r\n}\n", 6);
	CHECK_EQ(parse(m, big, err, sizeof(err)), -EINVAL);
	CHECK(streq(err, "t.conf:2: line longer than 4096 characters"));
	memset(big, 'x', 9999); /* no newline at all */
	big[9999] = '\0';
	CHECK_EQ(parse(m, big, err, sizeof(err)), -EINVAL);
	CHECK(streq(err, "t.conf:1: line longer than 4096 characters"));

	/* user text in errors: printable, one line, cut short */
	CHECK_EQ(parse(m, "quorum {\n \x1b[2J\r\x7f: 1\n}\n", err, sizeof(err)), -EINVAL);
	CHECK(streq(err, "t.conf:2: invalid key '?[2J?\?'"));
	memset(big, 'x', 200);
	memcpy(big, "quorum {\n ", 10);
	memcpy(big + 200, "\n}\n", 4);
	CHECK_EQ(parse(m, big, err, sizeof(err)), -EINVAL);
	CHECK(strlen(err) < 160);
	CHECK(strstr(err, "xxx...'") != NULL);

	/* errors without a buffer, or with a tiny one */
	CHECK_EQ(tally_cmap_parse(m, "}", 1, NULL, NULL, 0), -EINVAL);
	CHECK_EQ(tally_cmap_parse(m, "}", 1, NULL, err, 0), -EINVAL);
	err[0] = 'X';
	err[1] = 'X';
	CHECK_EQ(tally_cmap_parse(m, "}", 1, "f", err, 1), -EINVAL);
	CHECK(err[0] == '\0' && err[1] == 'X');
	CHECK_EQ(tally_cmap_parse(m, "}", 1, "f", err, 6), -EINVAL);
	CHECK(streq(err, "f:1: "));
	CHECK_EQ(tally_cmap_parse(m, "}", 1, NULL, err, sizeof(err)), -EINVAL);
	CHECK(streq(err, "<config>:1: unexpected closing brace"));

	/* no map, no text */
	CHECK_EQ(tally_cmap_parse(NULL, "", 0, "f", err, sizeof(err)), -EINVAL);
	CHECK_EQ(tally_cmap_parse(m, NULL, 3, "f", err, sizeof(err)), -EINVAL);
	tally_cmap_free(m);

	/* the keys before an error stay; none after it */
	m = tally_cmap_new();
	CHECK_EQ(parse(m, "quorum {\n a: 1\n b c\n d: 2\n}\n", err, sizeof(err)), -EINVAL);
	CHECK(strcmp(dump(m, NULL, &d), "quorum.a=1\n") == 0);
	dump_free(&d);
	tally_cmap_free(m);
	free(big);
}

/* --- allocation failures --------------------------------------------- */

static const char full_conf[] =
	"totem {\n version: 2\n cluster_name: lab\n"
	" interface {\n  linknumber: 1\n  knet_link_priority: 5\n"
	"  member {\n   memberaddr: 10.0.0.1\n  }\n }\n}\n"
	"logging {\n to_syslog: yes\n logger_subsys {\n  subsys: QUORUM\n  debug: on\n }\n"
	" logging_daemon {\n  name: qdevice\n  subsys: QDEVICE\n  debug: on\n }\n}\n"
	"nodelist {\n node {\n  nodeid: 1\n  ring0_addr: fe80::1\n }\n"
	" node {\n  nodeid: 2\n }\n}\n"
	"quorum {\n provider: corosync_votequorum\n device {\n  model: net\n }\n}\n"
	"uidgid {\n uid: hacluster\n}\n";

static void allocation_failures_give_enomem(void)
{
#ifndef TALLY_TEST_NO_ALLOC_WRAP
	struct tally_cmap *whole = tally_cmap_new();
	char err[256];
	struct dump want, got;
	long n;

	CHECK_EQ(parse(whole, full_conf, err, sizeof(err)), 0);
	dump(whole, NULL, &want);
	/* fail each allocation in turn; the run after the last one succeeds */
	for (n = 0;; n++) {
		struct tally_cmap *m = tally_cmap_new();
		int rc;

		fail_allocation(n);
		rc = parse(m, full_conf, err, sizeof(err));
		alloc_countdown = -1;
		if (!alloc_failed) {
			CHECK_EQ(rc, 0);
			CHECK(strcmp(dump(m, NULL, &got), want.text) == 0);
			dump_free(&got);
			tally_cmap_free(m);
			break;
		}
		if (rc != -ENOMEM || strstr(err, "out of memory") == NULL) {
			fprintf(stderr, "allocation %ld failed: rc %d, '%s'\n", n, rc, err);
			check_failures++;
		}
		tally_cmap_free(m);
	}
	CHECK(n > 40);
	dump_free(&want);
	tally_cmap_free(whole);
#endif
}

/* --- what it makes ---------------------------------------------------- */

static void flattens_like_coroparse(void)
{
	/* a configuration as pcs writes it, with comments, tabs and a CRLF line */
	PARSES_TO("# Please read the corosync.conf.5 manual page\n"
		  "totem {\n"
		  "\tversion: 2\n"
		  "\tcluster_name: hacluster\n"
		  "\ttransport: knet\n"
		  "\tcrypto_cipher: aes256\r\n"
		  "\tcrypto_hash: sha256\n"
		  "}\n"
		  "\n"
		  "nodelist {\n"
		  "\tnode {\n"
		  "\t\tring0_addr: 192.168.122.11\n"
		  "\t\tname: node1\n"
		  "\t\tnodeid: 1\n"
		  "\t}\n"
		  "\n"
		  "\tnode {\n"
		  "\t\tring0_addr: 192.168.122.12\n"
		  "\t\tring1_addr: fe80::12\n"
		  "\t\tname: node2\n"
		  "\t\tnodeid: 2\n"
		  "\t\tquorum_votes: 2\n"
		  "\t}\n"
		  "}\n"
		  "\n"
		  "quorum {\n"
		  "\tprovider: corosync_votequorum\n"
		  "\ttwo_node: 1\n"
		  "}\n"
		  "\n"
		  "logging {\n"
		  "\tto_logfile: yes\n"
		  "\tlogfile: /var/log/cluster/corosync.log\n"
		  "\tto_syslog: yes\n"
		  "\ttimestamp: on\n"
		  "}\n",
		  "logging.logfile=/var/log/cluster/corosync.log\n"
		  "logging.timestamp=on\n"
		  "logging.to_logfile=yes\n"
		  "logging.to_syslog=yes\n"
		  "nodelist.node.0.name=node1\n"
		  "nodelist.node.0.nodeid=1\n"
		  "nodelist.node.0.ring0_addr=192.168.122.11\n"
		  "nodelist.node.1.name=node2\n"
		  "nodelist.node.1.nodeid=2\n"
		  "nodelist.node.1.quorum_votes=2\n"
		  "nodelist.node.1.ring0_addr=192.168.122.12\n"
		  "nodelist.node.1.ring1_addr=fe80::12\n"
		  "quorum.provider=corosync_votequorum\n"
		  "quorum.two_node=1\n"
		  "totem.cluster_name=hacluster\n"
		  "totem.crypto_cipher=aes256\n"
		  "totem.crypto_hash=sha256\n"
		  "totem.transport=knet\n"
		  "totem.version=2\n");

	/* nested sections join with dots; engine { } is tally's and nests freely */
	PARSES_TO("quorum {\n device {\n  model: net\n  net {\n   host: qnetd\n  }\n }\n}\n"
		  "engine {\n port: net_af_packet0,iface=veth0\n dp {\n  burst: 32\n }\n}\n"
		  "system {\n state_dir: /var/lib/tally\n}\nresources {\n watchdog_timeout: 6\n}\n"
		  "qb {\n ipc_type: shm\n}\n",
		  "engine.dp.burst=32\n"
		  "engine.port=net_af_packet0,iface=veth0\n"
		  "qb.ipc_type=shm\n"
		  "quorum.device.model=net\n"
		  "quorum.device.net.host=qnetd\n"
		  "resources.watchdog_timeout=6\n"
		  "system.state_dir=/var/lib/tally\n");
}

static void reads_lines_as_coroparse_does(void)
{
	/* blanks around ':' and names, no blank after ':', empty values, ':' and '#' in values */
	PARSES_TO("quorum {\n"
		  "  a : 1\n"
		  "\tb:2\n"
		  " c:\n"
		  " d:    \t\n"
		  " e: x: y\n"
		  " f: v # not a comment\n"
		  "  g  :  spaced   words  \n"
		  "   # an indented comment\n"
		  "#no blank after the hash\n"
		  "\t\t\n"
		  "}\n",
		  "quorum.a=1\nquorum.b=2\nquorum.c=\nquorum.d=\nquorum.e=x: y\n"
		  "quorum.f=v # not a comment\nquorum.g=spaced   words\n");
	/* coroparse also takes "name: {" and blanks before the brace */
	PARSES_TO("quorum: {\n a: 1\n}\nlogging\t\t{\n b: 2\n\t}\t\n",
		  "logging.b=2\nquorum.a=1\n");
	/* CRLF everywhere, and no newline at the end */
	PARSES_TO("quorum {\r\n a: 1\r\n}", "quorum.a=1\n");
	PARSES_TO("quorum {\r\n a: 1\r\n}\r\n", "quorum.a=1\n");
	/* other control blanks around names and values */
	PARSES_TO("quorum {\r\r\n\v a\f:\r1\t\r\n}\n", "quorum.a=1\n");
	/* nothing at all */
	PARSES_TO("", "");
	PARSES_TO("\n\n# only comments\n   \n", "");
	PARSES_TO("quorum {\n}\n", "");
	/* the last of duplicate keys wins, and sections of the same name merge */
	PARSES_TO("quorum {\n two_node: 0\n two_node: 1\n}\nquorum {\n wait_for_all: 0\n}\n"
		  "quorum {\n two_node: 2\n}\n",
		  "quorum.two_node=2\nquorum.wait_for_all=0\n");
	/* `len` is obeyed: what follows is not read */
	parses_to_("quorum {\n a: 1\n}\nquorum {\n b: 2\n}\n", 17, "quorum.a=1\n", __LINE__);
	parses_to_("quorum {\n a: 1\n}\n}", 17, "quorum.a=1\n", __LINE__);
}

static void numbers_nodes_links_and_subsystems(void)
{
	/* nodes are numbered in order; a node without keys still takes its number */
	PARSES_TO("nodelist {\n node {\n  nodeid: 5\n }\n node {\n }\n node {\n  nodeid: 7\n }\n"
		  " local_node_pos: 0\n}\n",
		  "nodelist.local_node_pos=0\nnodelist.node.0.nodeid=5\nnodelist.node.2.nodeid=7\n");
	/* links: linknumber, else corosync 2's ringnumber, else 0; the number is not a key */
	PARSES_TO("totem {\n"
		  " interface {\n  knet_link_priority: 5\n  linknumber: 1\n }\n"
		  " interface {\n  mcastport: 5405\n }\n"
		  " interface {\n  ringnumber: 2\n  bindnetaddr: 10.0.2.0\n }\n"
		  " interface {\n  linknumber: 3\n  ringnumber: 4\n  ttl: 1\n }\n"
		  " interface {\n  linknumber: 007\n  x: y\n }\n"
		  "}\n",
		  "totem.interface.0.mcastport=5405\n"
		  "totem.interface.1.knet_link_priority=5\n"
		  "totem.interface.2.bindnetaddr=10.0.2.0\n"
		  "totem.interface.3.ttl=1\n"
		  "totem.interface.7.x=y\n");
	/* two interfaces on one link merge; members are numbered last-first, as coroparse does */
	PARSES_TO("totem {\n interface {\n  linknumber: 0\n  a: 1\n"
		  "  member {\n   memberaddr: 10.0.0.1\n  }\n"
		  "  member {\n   memberaddr: 10.0.0.2\n   memberaddr: 10.0.0.3\n  }\n }\n"
		  " interface {\n  b: 2\n }\n}\n",
		  "totem.interface.0.a=1\n"
		  "totem.interface.0.b=2\n"
		  "totem.interface.0.member.0=10.0.0.3\n"
		  "totem.interface.0.member.1=10.0.0.2\n"
		  "totem.interface.0.member.2=10.0.0.1\n");
	/* logger_subsys: keys go under the subsys, which is also stored */
	PARSES_TO("logging {\n debug: off\n logger_subsys {\n  debug: on\n  subsys: VOTEQ\n"
		  "  debug: trace\n }\n logger_subsys {\n  subsys: QUORUM\n }\n}\n",
		  "logging.debug=off\n"
		  "logging.logger_subsys.QUORUM.subsys=QUORUM\n"
		  "logging.logger_subsys.VOTEQ.debug=trace\n"
		  "logging.logger_subsys.VOTEQ.subsys=VOTEQ\n");
	/* logging_daemon: name "corosync" is corosync's own logging */
	PARSES_TO("logging {\n"
		  " logging_daemon {\n  name: corosync\n  to_stderr: yes\n }\n"
		  " logging_daemon {\n  name: corosync\n  subsys: CPG\n  debug: on\n }\n"
		  " logging_daemon {\n  name: qdevice\n  debug: on\n }\n"
		  " logging_daemon {\n  subsys: QDEV\n  name: qnetd\n  to_syslog: no\n }\n"
		  "}\n",
		  "logging.logger_subsys.CPG.debug=on\n"
		  "logging.logger_subsys.CPG.subsys=CPG\n"
		  "logging.logging_daemon.qdevice.debug=on\n"
		  "logging.logging_daemon.qdevice.name=qdevice\n"
		  "logging.logging_daemon.qnetd.QDEV.name=qnetd\n"
		  "logging.logging_daemon.qnetd.QDEV.subsys=QDEV\n"
		  "logging.logging_daemon.qnetd.QDEV.to_syslog=no\n"
		  "logging.to_stderr=yes\n");
	/* uidgid: one key per name, as corosync's uidgid.<uid|gid>.<id> = 1 */
	PARSES_TO("uidgid {\n uid: hacluster\n gid: haclient\n gid: 189\n}\n",
		  "uidgid.gid.189=1\nuidgid.gid.haclient=1\nuidgid.uid.hacluster=1\n");
	/* only the top-level paths are special */
	PARSES_TO("engine {\n nodelist {\n  node {\n   a: 1\n  }\n }\n interface {\n  b: 2\n }\n"
		  " logger_subsys {\n  c: 3\n }\n}\n",
		  "engine.interface.b=2\nengine.logger_subsys.c=3\nengine.nodelist.node.a=1\n");
}

static void remembers_where_each_key_came_from(void)
{
	struct tally_cmap *m = tally_cmap_new();
	char err[256];

	CHECK_EQ(tally_cmap_parse(m, full_conf, strlen(full_conf), "/etc/corosync/corosync.conf",
				  err, sizeof(err)),
		 0);
	CHECK(streq(tally_cmap_origin(m, "totem.version"), "/etc/corosync/corosync.conf:2"));
	/* held keys keep their own line, not the closing brace's */
	CHECK(streq(tally_cmap_origin(m, "totem.interface.1.knet_link_priority"),
		    "/etc/corosync/corosync.conf:6"));
	CHECK(streq(tally_cmap_origin(m, "totem.interface.1.member.0"),
		    "/etc/corosync/corosync.conf:8"));
	CHECK(streq(tally_cmap_origin(m, "logging.logger_subsys.QUORUM.subsys"),
		    "/etc/corosync/corosync.conf:15"));
	CHECK(streq(tally_cmap_origin(m, "logging.logger_subsys.QUORUM.debug"),
		    "/etc/corosync/corosync.conf:16"));
	CHECK(streq(tally_cmap_origin(m, "nodelist.node.1.nodeid"),
		    "/etc/corosync/corosync.conf:30"));
	CHECK(streq(tally_cmap_origin(m, "uidgid.uid.hacluster"),
		    "/etc/corosync/corosync.conf:40"));
	/* a second parse merges into the map: a later file overrides */
	CHECK_EQ(tally_cmap_parse(m, "quorum {\n\n provider: other\n}\n", 29, "drop-in.conf", err,
				  sizeof(err)),
		 0);
	CHECK(streq(tally_cmap_get(m, "quorum.provider"), "other"));
	CHECK(streq(tally_cmap_origin(m, "quorum.provider"), "drop-in.conf:3"));
	CHECK(streq(tally_cmap_get(m, "quorum.device.model"), "net"));
	tally_cmap_free(m);
}

/* --- random input ----------------------------------------------------- */

/* xorshift32: the same input on every run */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* What any parse must leave: rc 0 or -EINVAL; a one-line error naming the origin; valid keys. */
static void check_outcome(struct tally_cmap *m, int rc, const char *err, uint32_t iter)
{
	struct dump d;

	if (rc != 0 && rc != -EINVAL) {
		fprintf(stderr, "iteration %u: rc %d\n", iter, rc);
		check_failures++;
	}
	if (rc == -EINVAL && (strncmp(err, "rnd:", 4) != 0 || strchr(err, '\n') != NULL)) {
		fprintf(stderr, "iteration %u: bad error '%s'\n", iter, err);
		check_failures++;
	}
	if (rc == 0 && err[0] != '\0') {
		fprintf(stderr, "iteration %u: success with an error '%s'\n", iter, err);
		check_failures++;
	}
	for (const char *p = err; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e) {
			fprintf(stderr, "iteration %u: unprintable error '%s'\n", iter, err);
			check_failures++;
			break;
		}
	}
	dump(m, NULL, &d);
	if (d.bad_keys != 0) {
		fprintf(stderr, "iteration %u: %d invalid keys:\n%s", iter, d.bad_keys, d.text);
		check_failures++;
	}
	dump_free(&d);
}

static void survives_random_bytes(void)
{
	static const char alphabet[] = "{}:#\n\r \tabz019._-/\xa0\xff";
	uint32_t s = 0x2545f491;
	char buf[700];

	for (uint32_t iter = 0; iter < 20000; iter++) {
		struct tally_cmap *m = tally_cmap_new();
		size_t len = rnd(&s) % sizeof(buf);
		char err[160];
		int rc;

		for (size_t i = 0; i < len; i++)
			buf[i] = iter % 2 ? (char)rnd(&s)
					  : alphabet[rnd(&s) % (sizeof(alphabet) - 1)];
		/* with a well-formed start, the random part reaches deeper code */
		if (iter % 4 == 0 && len > 16)
			memcpy(buf, iter % 8 ? "totem {\n" : "logging {\n", 8);
		rc = tally_cmap_parse(m, buf, len, "rnd", err, sizeof(err));
		check_outcome(m, rc, err, iter);
		tally_cmap_free(m);
	}
}

/* Valid configurations with lines swapped, cut, doubled, and bytes changed. */
static void survives_mutated_configs(void)
{
	static const char *const pieces[] = {
		"{", "}", ":", "\n", "#", " ", "quorum", "nodelist", "node", "totem", "interface",
		"member", "memberaddr: a", "logging", "logger_subsys", "logging_daemon", "subsys: S",
		"name: corosync", "name: x", "linknumber: 1", "ringnumber: 300", "uidgid", "uid: u",
		"engine", "\r\n", "\0", "a: }", "k: v",
	};
	uint32_t s = 0xdecafbad;
	char buf[2048];

	for (uint32_t iter = 0; iter < 20000; iter++) {
		struct tally_cmap *m = tally_cmap_new();
		size_t len = sizeof(full_conf) - 1;
		char err[160];
		int rc;

		memcpy(buf, full_conf, len);
		for (uint32_t k = 0, edits = 1 + rnd(&s) % 6; k < edits; k++) {
			size_t at = rnd(&s) % (len + 1);
			const char *piece = pieces[rnd(&s) % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t plen = *piece ? strlen(piece) : 1;

			switch (rnd(&s) % 5) {
			case 0: /* insert a piece */
				if (len + plen < sizeof(buf)) {
					memmove(buf + at + plen, buf + at, len - at);
					memcpy(buf + at, piece, plen);
					len += plen;
				}
				break;
			case 1: /* delete a run */
				if (at < len) {
					size_t n = 1 + rnd(&s) % 24;

					n = n > len - at ? len - at : n;
					memmove(buf + at, buf + at + n, len - at - n);
					len -= n;
				}
				break;
			case 2: /* change a byte */
				if (at < len)
					buf[at] = (char)rnd(&s);
				break;
			case 3: /* double a run */
				if (at < len) {
					size_t n = 1 + rnd(&s) % 64;

					n = n > len - at ? len - at : n;
					if (len + n < sizeof(buf)) {
						memmove(buf + at + n, buf + at, len - at);
						len += n;
					}
				}
				break;
			default: /* cut the end */
				len = at;
				break;
			}
		}
		rc = tally_cmap_parse(m, buf, len, "rnd", err, sizeof(err));
		check_outcome(m, rc, err, iter);
		tally_cmap_free(m);
	}
}

int main(void)
{
	RUN(refuses_broken_structure);
	RUN(refuses_bad_names);
	RUN(refuses_misused_special_sections);
	RUN(refuses_hostile_input);
	RUN(allocation_failures_give_enomem);
	RUN(flattens_like_coroparse);
	RUN(reads_lines_as_coroparse_does);
	RUN(numbers_nodes_links_and_subsystems);
	RUN(remembers_where_each_key_came_from);
	RUN(survives_random_bytes);
	RUN(survives_mutated_configs);
	return CHECK_EXIT();
}
