/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * corosync-quorumtool's status layout. Every cell but the name is
 * right-aligned in 10 characters and followed by one space; longer values
 * are not cut. A quirk kept on purpose because parsers see it: the "Quorum:"
 * line of a quorate node ends in two spaces. Checked against the output of
 * corosync-quorumtool 3.1.7 (tests/unit/test_quorumtool_format.c).
 */
#include "status_format.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void cell(FILE *out, const char *text)
{
	fprintf(out, "%10s ", text);
}

static void cell_u32(FILE *out, uint32_t v)
{
	fprintf(out, "%10" PRIu32 " ", v);
}

static void id_cell(FILE *out, uint32_t id, const struct qt_options *o)
{
	if (o->hex_ids)
		fprintf(out, "0x%08" PRIx32 " ", id);
	else
		cell_u32(out, id);
}

static void qdevice_cell(FILE *out, const struct votequorum_info *info)
{
	char buf[16];

	if (!(info->flags & VOTEQUORUM_INFO_QDEVICE_REGISTERED)) {
		cell(out, "NR");
		return;
	}
	snprintf(buf, sizeof(buf), "%s,%s,%s",
		 info->flags & VOTEQUORUM_INFO_QDEVICE_ALIVE ? "A" : "NA",
		 info->flags & VOTEQUORUM_INFO_QDEVICE_CAST_VOTE ? "V" : "NV",
		 info->flags & VOTEQUORUM_INFO_QDEVICE_MASTER_WINS ? "MW" : "NMW");
	cell(out, buf);
}

static int by_id(const void *a, const void *b)
{
	const struct qt_member *x = a, *y = b;

	return (x->nodeid > y->nodeid) - (x->nodeid < y->nodeid);
}

static int by_name(const void *a, const void *b)
{
	const struct qt_member *x = a, *y = b;

	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

void qt_print_members(FILE *out, const struct qt_view *v, const struct qt_options *o)
{
	struct qt_member *rows = malloc((v->n_members ? v->n_members : 1) * sizeof(*rows));
	const struct votequorum_info *first = NULL;
	bool any_registered = false, show_qdevice;
	uint32_t local_flags = 0;

	if (rows == NULL)
		return;
	memcpy(rows, v->members, v->n_members * sizeof(*rows));
	for (size_t i = 0; i < v->n_members; i++) {
		if (!rows[i].info_ok) {
			/* corosync reports this on stdout, before the table */
			fprintf(out, "Unable to get node %" PRIu32 " info\n", rows[i].nodeid);
			memset(&rows[i].info, 0, sizeof(rows[i].info));
		}
		if (v->have_votequorum && (rows[i].info.flags & VOTEQUORUM_INFO_QDEVICE_REGISTERED))
			any_registered = true;
	}
	/* -p shows the column even when no device is registered, but never the device row. */
	show_qdevice = v->have_votequorum && (any_registered || o->qdevice_column);
	if (v->n_members > 0)
		first = &v->members[0].info;

	fprintf(out, "\nMembership information\n----------------------\n");
	cell(out, "Nodeid");
	if (v->have_votequorum) {
		cell(out, "Votes");
		if (show_qdevice)
			cell(out, "Qdevice");
	}
	fprintf(out, "Name\n");

	if (o->order == QT_ORDER_NODEID)
		qsort(rows, v->n_members, sizeof(*rows), by_id);
	else if (o->order == QT_ORDER_NAME)
		qsort(rows, v->n_members, sizeof(*rows), by_name);

	for (size_t i = 0; i < v->n_members; i++) {
		id_cell(out, rows[i].nodeid, o);
		if (v->have_votequorum) {
			cell_u32(out, rows[i].info.node_votes);
			if (show_qdevice)
				qdevice_cell(out, &rows[i].info);
		}
		fprintf(out, "%s", rows[i].name ? rows[i].name : "");
		if (rows[i].nodeid == v->local_nodeid) {
			fprintf(out, " (local)");
			local_flags = rows[i].info.flags;
		}
		fprintf(out, "\n");
	}

	if (any_registered && first != NULL) {
		bool casting = local_flags & VOTEQUORUM_INFO_QDEVICE_CAST_VOTE;

		id_cell(out, VOTEQUORUM_QDEVICE_NODEID, o);
		cell_u32(out, casting ? first->qdevice_votes : 0);
		fprintf(out, "           %s", first->qdevice_name);
		if (casting)
			fprintf(out, "\n");
		else
			fprintf(out, " (votes %" PRIu32 ")\n", first->qdevice_votes);
	}
	free(rows);
}

void qt_print_status(FILE *out, const struct qt_view *v, const struct qt_options *o)
{
	static const struct {
		uint32_t bit;
		const char *token;
	} flags[] = {
		{ VOTEQUORUM_INFO_TWONODE, "2Node" },
		{ VOTEQUORUM_INFO_QUORATE, "Quorate" },
		{ VOTEQUORUM_INFO_WAIT_FOR_ALL, "WaitForAll" },
		{ VOTEQUORUM_INFO_LAST_MAN_STANDING, "LastManStanding" },
		{ VOTEQUORUM_INFO_AUTO_TIE_BREAKER, "AutoTieBreaker" },
		{ VOTEQUORUM_INFO_ALLOW_DOWNSCALE, "AllowDownscale" },
		{ VOTEQUORUM_INFO_QDEVICE_REGISTERED, "Qdevice" },
	};
	const struct votequorum_info *l = &v->local;

	fprintf(out, "Quorum information\n------------------\n");
	fprintf(out, "Date:             %s", v->date);
	fprintf(out, "Quorum provider:  %s\n", v->provider ? v->provider : "Not configured");
	fprintf(out, "Nodes:            %zu\n", v->n_members);
	if (o->hex_ids)
		fprintf(out, "Node ID:          0x%08" PRIx32 "\n", v->local_nodeid);
	else
		fprintf(out, "Node ID:          %" PRIu32 "\n", v->local_nodeid);
	if (v->have_votequorum)
		fprintf(out, "Ring ID:          " CS_PRI_RING_ID "\n", v->ring.nodeid, v->ring.seq);
	else
		fprintf(out, "Ring ID:          " CS_PRI_RING_ID_SEQ "\n", v->ring.seq);
	fprintf(out, "Quorate:          %s\n", v->quorate ? "Yes" : "No");
	if (!v->have_votequorum)
		return;

	if (v->local_info_ok) {
		fprintf(out, "\nVotequorum information\n----------------------\n");
		fprintf(out, "Expected votes:   %" PRIu32 "\n", l->node_expected_votes);
		fprintf(out, "Highest expected: %" PRIu32 "\n", l->highest_expected);
		fprintf(out, "Total votes:      %" PRIu32 "\n", l->total_votes);
		fprintf(out, "Quorum:           %" PRIu32 " %s\n", l->quorum,
			l->flags & VOTEQUORUM_INFO_QUORATE ? " " : "Activity blocked");
		fprintf(out, "Flags:            ");
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			if (l->flags & flags[i].bit)
				fprintf(out, "%s ", flags[i].token);
		fprintf(out, "\n");
	}
	qt_print_members(out, v, o);
}
