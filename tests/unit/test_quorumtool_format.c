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
	return CHECK_EXIT();
}
