/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * corosync-quorumtool's layout, byte for byte, against the examples captured
 * from corosync 3.1.7 in spec §7.3 and against output of the real
 * corosync-quorumtool 3.1.7 (Debian 3.1.7-1+deb12u2) captured in a lab: one
 * corosync in a private network namespace, a device registered through the
 * system libvotequorum and never polled.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "status_format.h"

#define REG VOTEQUORUM_INFO_QDEVICE_REGISTERED
#define ALIVE VOTEQUORUM_INFO_QDEVICE_ALIVE
#define CAST VOTEQUORUM_INFO_QDEVICE_CAST_VOTE
#define MW VOTEQUORUM_INFO_QDEVICE_MASTER_WINS

static struct qt_member member(uint32_t id, uint32_t votes, uint32_t flags, const char *name)
{
	struct qt_member m;

	memset(&m, 0, sizeof(m));
	m.nodeid = id;
	m.info_ok = true;
	m.info.node_id = id;
	m.info.node_votes = votes;
	m.info.flags = flags;
	m.info.qdevice_votes = 1;
	strcpy(m.info.qdevice_name, "QD");
	m.name = name;
	return m;
}

static void expect_output(const struct qt_view *v, const struct qt_options *o, bool status,
			  const char *want)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (status)
		qt_print_status(f, v, o);
	else
		qt_print_members(f, v, o);
	fclose(f);
	if (strcmp(text, want) != 0) {
		fprintf(stderr, "--- want\n%s--- got\n%s---\n", want, text);
		check_failures++;
	}
	free(text);
}

static struct qt_view view(const struct qt_member *m, size_t n)
{
	struct qt_view v;

	memset(&v, 0, sizeof(v));
	v.date = "Wed Nov 25 03:00:00 2026\n";
	v.provider = "corosync_votequorum";
	v.have_votequorum = true;
	v.local_nodeid = 1;
	v.members = m;
	v.n_members = n;
	return v;
}

/* The local node's getinfo as the status block reports it. */
static void set_local(struct qt_view *v, uint32_t expected, uint32_t total, uint32_t quorum,
		      uint32_t flags)
{
	v->local_info_ok = true;
	v->local.node_expected_votes = expected;
	v->local.highest_expected = expected;
	v->local.total_votes = total;
	v->local.quorum = quorum;
	v->local.flags = flags;
}

static void members_without_a_device(void)
{
	struct qt_member m[] = { member(1, 1, 0, "n1"), member(2, 1, 0, "n2") };
	struct qt_view v = view(m, 2);
	struct qt_options o = { 0 };

	expect_output(&v, &o, false,
		      "\nMembership information\n"
		      "----------------------\n"
		      "    Nodeid      Votes Name\n"
		      "         1          1 n1 (local)\n"
		      "         2          1 n2\n");
}

static void members_with_a_casting_device(void)
{
	struct qt_member m[] = { member(1, 1, REG | ALIVE | CAST, "n1"),
				 member(2, 1, REG | ALIVE | CAST, "n2") };
	struct qt_view v = view(m, 2);
	struct qt_options o = { 0 };

	expect_output(&v, &o, false,
		      "\nMembership information\n"
		      "----------------------\n"
		      "    Nodeid      Votes    Qdevice Name\n"
		      "         1          1    A,V,NMW n1 (local)\n"
		      "         2          1    A,V,NMW n2\n"
		      "         0          1            QD\n");
}

static void a_silent_master_wins_device(void)
{
	struct qt_member m[] = { member(1, 1, REG | MW, "n1") };
	struct qt_view v = view(m, 1);
	struct qt_options o = { 0 };

	expect_output(&v, &o, false,
		      "\nMembership information\n"
		      "----------------------\n"
		      "    Nodeid      Votes    Qdevice Name\n"
		      "         1          1   NA,NV,MW n1 (local)\n"
		      "         0          0            QD (votes 1)\n");
	o.hex_ids = true;
	expect_output(&v, &o, false,
		      "\nMembership information\n"
		      "----------------------\n"
		      "    Nodeid      Votes    Qdevice Name\n"
		      "0x00000001          1   NA,NV,MW n1 (local)\n"
		      "0x00000000          0            QD (votes 1)\n");
}

static void p_shows_the_column_with_nothing_registered(void)
{
	struct qt_member m[] = { member(1, 1, 0, "n1") };
	struct qt_view v = view(m, 1);
	struct qt_options o = { .qdevice_column = true };

	expect_output(&v, &o, false,
		      "\nMembership information\n"
		      "----------------------\n"
		      "    Nodeid      Votes    Qdevice Name\n"
		      "         1          1         NR n1 (local)\n");
}

/* Captured from corosync-quorumtool -s 3.1.7: a registered device that never polled. */
static void real_status_with_a_silent_device(void)
{
	struct qt_member m[] = { member(1, 1, REG, "n1") };
	struct qt_view v = view(m, 1);
	struct qt_options o = { 0 };

	v.date = "Wed Nov 25 03:19:56 2026\n";
	v.ring.nodeid = 1;
	v.ring.seq = 5;
	set_local(&v, 3, 1, 2, REG);
	expect_output(&v, &o, true,
		      "Quorum information\n"
		      "------------------\n"
		      "Date:             Wed Nov 25 03:19:56 2026\n"
		      "Quorum provider:  corosync_votequorum\n"
		      "Nodes:            1\n"
		      "Node ID:          1\n"
		      "Ring ID:          1.5\n"
		      "Quorate:          No\n"
		      "\n"
		      "Votequorum information\n"
		      "----------------------\n"
		      "Expected votes:   3\n"
		      "Highest expected: 3\n"
		      "Total votes:      1\n"
		      "Quorum:           2 Activity blocked\n"
		      "Flags:            Qdevice \n"
		      "\n"
		      "Membership information\n"
		      "----------------------\n"
		      "    Nodeid      Votes    Qdevice Name\n"
		      "         1          1  NA,NV,NMW n1 (local)\n"
		      "         0          0            QD (votes 1)\n");
}

static void full_status_of_a_quorate_node(void)
{
	struct qt_member m[] = { member(2, 1, 0, "n2"), member(1, 1, 0, "n1"),
				 member(3, 1, 0, "n3") };
	struct qt_view v = view(m, 3);
	struct qt_options o = { .order = QT_ORDER_NODEID };

	v.ring.nodeid = 1;
	v.ring.seq = 0x1d;
	v.quorate = true;
	set_local(&v, 3, 3, 2, VOTEQUORUM_INFO_QUORATE | VOTEQUORUM_INFO_WAIT_FOR_ALL);
	expect_output(&v, &o, true,
		      "Quorum information\n"
		      "------------------\n"
		      "Date:             Wed Nov 25 03:00:00 2026\n"
		      "Quorum provider:  corosync_votequorum\n"
		      "Nodes:            3\n"
		      "Node ID:          1\n"
		      "Ring ID:          1.1d\n"
		      "Quorate:          Yes\n"
		      "\n"
		      "Votequorum information\n"
		      "----------------------\n"
		      "Expected votes:   3\n"
		      "Highest expected: 3\n"
		      "Total votes:      3\n"
		      "Quorum:           2  \n"
		      "Flags:            Quorate WaitForAll \n"
		      "\n"
		      "Membership information\n"
		      "----------------------\n"
		      "    Nodeid      Votes Name\n"
		      "         1          1 n1 (local)\n"
		      "         2          1 n2\n"
		      "         3          1 n3\n");
}

static void status_of_a_blocked_node_with_no_flags(void)
{
	struct qt_member m[] = { member(7, 1, 0, "zeta"), member(3, 1, 0, "alpha") };
	struct qt_view v = view(m, 2);
	struct qt_options o = { .hex_ids = true, .order = QT_ORDER_NAME };

	v.local_nodeid = 7;
	v.provider = NULL;
	v.ring.nodeid = 3;
	v.ring.seq = 0x11;
	set_local(&v, 5, 2, 3, 0);
	expect_output(&v, &o, true,
		      "Quorum information\n"
		      "------------------\n"
		      "Date:             Wed Nov 25 03:00:00 2026\n"
		      "Quorum provider:  Not configured\n"
		      "Nodes:            2\n"
		      "Node ID:          0x00000007\n"
		      "Ring ID:          3.11\n"
		      "Quorate:          No\n"
		      "\n"
		      "Votequorum information\n"
		      "----------------------\n"
		      "Expected votes:   5\n"
		      "Highest expected: 5\n"
		      "Total votes:      2\n"
		      "Quorum:           3 Activity blocked\n"
		      "Flags:            \n"
		      "\n"
		      "Membership information\n"
		      "----------------------\n"
		      "    Nodeid      Votes Name\n"
		      "0x00000003          1 alpha\n"
		      "0x00000007          1 zeta (local)\n");
}

static void a_member_without_info_is_reported(void)
{
	struct qt_member m[] = { member(1, 1, 0, "n1"), member(2, 1, 0, "n2") };
	struct qt_view v = view(m, 2);
	struct qt_options o = { 0 };

	m[1].info_ok = false;
	m[1].info.node_votes = 99;	/* junk a failed getinfo may leave */
	expect_output(&v, &o, false,
		      "Unable to get node 2 info\n"
		      "\nMembership information\n"
		      "----------------------\n"
		      "    Nodeid      Votes Name\n"
		      "         1          1 n1 (local)\n"
		      "         2          0 n2\n");
}

/* corosync-quorumtool -h of 3.1.7, as captured (the program name is argv[0]). */
static void usage_is_corosyncs_text(void)
{
	static const char want[] =
		"usage: \ncorosync-quorumtool <options>\n\n  options:\n\n"
		"  -s             show quorum status\n"
		"  -m             constantly monitor quorum status\n"
		"  -l             list nodes\n"
		"  -a             show all names or addresses for each node\n"
		"  -p             when used with -s or -l, generates machine parsable output\n"
		"  -v <votes>     change the number of votes for a node (*)\n"
		"  -n <nodeid>    optional nodeid of node for -v\n"
		"  -e <expected>  change expected votes for the cluster (*)\n"
		"  -H             show nodeids in hexadecimal rather than decimal\n"
		"  -i             show node IP addresses instead of the resolved name\n"
		"  -o <a|n|i>     order by [a] IP address (default), [n] name, [i] nodeid\n"
		"  -f             forcefully unregister a quorum device *DANGEROUS* (*)\n"
		"  -h             show this help text\n"
		"  -V             show version and exit\n"
		"\n"
		"  (*) Starred items only work if votequorum is the quorum provider for corosync\n"
		"\n";
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	qt_print_usage(f, "corosync-quorumtool");
	fclose(f);
	CHECK(strcmp(text, want) == 0);
	free(text);
}

static void strerror_names_the_enum(void)
{
	CHECK(strcmp(qt_strerror(CS_OK), "success") == 0);
	CHECK(strcmp(qt_strerror(CS_ERR_INVALID_PARAM), "CS_ERR_INVALID_PARAM") == 0);
	CHECK(strcmp(qt_strerror(CS_ERR_NAME_NOT_FOUND), "CS_ERR_NAME_NOT_FOUND") == 0);
	CHECK(strcmp(qt_strerror(CS_ERR_SECURITY), "CS_ERR_SECURITY") == 0);
	CHECK(strcmp(qt_strerror((cs_error_t)29), "unknown error") == 0);
	CHECK(strcmp(qt_strerror((cs_error_t)0), "unknown error") == 0);
}

/* A resolver that tags what it was asked, and refuses "bad". */
static int fake_resolve(void *ctx, const char *addr, bool numeric, char *buf, size_t len)
{
	int *calls = ctx;

	(*calls)++;
	if (strcmp(addr, "bad") == 0)
		return -1;
	snprintf(buf, len, "%s%s", numeric ? "#" : "", addr);
	return 0;
}

static void node_names_follow_corosync(void)
{
	const char *two[] = { "10.0.0.1", "10.1.0.1" }, *with_bad[] = { "bad", "10.1.0.1" };
	char buf[128];
	int calls = 0;

	/* a name stands for the first address, and is all that shows without -a */
	qt_node_name("n1", two, 2, false, false, fake_resolve, &calls, buf, sizeof(buf));
	CHECK(strcmp(buf, "n1") == 0);
	CHECK_EQ(calls, 0);
	qt_node_name("n1", two, 2, false, true, fake_resolve, &calls, buf, sizeof(buf));
	CHECK(strcmp(buf, "n1, 10.1.0.1") == 0);
	/* no name: the first address, resolved; -a: every address */
	qt_node_name(NULL, two, 2, false, false, fake_resolve, &calls, buf, sizeof(buf));
	CHECK(strcmp(buf, "10.0.0.1") == 0);
	qt_node_name("", two, 2, false, true, fake_resolve, &calls, buf, sizeof(buf));
	CHECK(strcmp(buf, "10.0.0.1, 10.1.0.1") == 0);
	/* -i ignores the name */
	qt_node_name("n1", two, 2, true, false, fake_resolve, &calls, buf, sizeof(buf));
	CHECK(strcmp(buf, "#10.0.0.1") == 0);
	qt_node_name("n1", two, 2, true, true, fake_resolve, &calls, buf, sizeof(buf));
	CHECK(strcmp(buf, "#10.0.0.1, #10.1.0.1") == 0);
	/* an address that does not resolve leaves its separator behind, as in corosync */
	qt_node_name(NULL, with_bad, 2, false, true, fake_resolve, &calls, buf, sizeof(buf));
	CHECK(strcmp(buf, ", 10.1.0.1") == 0);
	/* nothing known about the node */
	qt_node_name(NULL, NULL, 0, false, true, fake_resolve, &calls, buf, sizeof(buf));
	CHECK(strcmp(buf, "") == 0);
	/* the buffer bounds the text */
	qt_node_name(NULL, two, 2, false, true, fake_resolve, &calls, buf, 12);
	CHECK(strlen(buf) < 12);
	CHECK(strncmp(buf, "10.0.0.1", 8) == 0);
}

int main(void)
{
	RUN(members_without_a_device);
	RUN(members_with_a_casting_device);
	RUN(a_silent_master_wins_device);
	RUN(p_shows_the_column_with_nothing_registered);
	RUN(real_status_with_a_silent_device);
	RUN(full_status_of_a_quorate_node);
	RUN(status_of_a_blocked_node_with_no_flags);
	RUN(a_member_without_info_is_reported);
	RUN(usage_is_corosyncs_text);
	RUN(strerror_names_the_enum);
	RUN(node_names_follow_corosync);
	return CHECK_EXIT();
}
