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

void qt_print_usage(FILE *out, const char *prog)
{
	fprintf(out, "usage: \n%s <options>\n\n  options:\n\n", prog);
	fputs("  -s             show quorum status\n"
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
	      "\n",
	      out);
}

const char *qt_strerror(cs_error_t err)
{
#define QT_ERR(e) \
	case e:   \
		return #e
	switch (err) {
	case CS_OK:
		return "success";
		QT_ERR(CS_ERR_LIBRARY);
		QT_ERR(CS_ERR_VERSION);
		QT_ERR(CS_ERR_INIT);
		QT_ERR(CS_ERR_TIMEOUT);
		QT_ERR(CS_ERR_TRY_AGAIN);
		QT_ERR(CS_ERR_INVALID_PARAM);
		QT_ERR(CS_ERR_NO_MEMORY);
		QT_ERR(CS_ERR_BAD_HANDLE);
		QT_ERR(CS_ERR_BUSY);
		QT_ERR(CS_ERR_ACCESS);
		QT_ERR(CS_ERR_NOT_EXIST);
		QT_ERR(CS_ERR_NAME_TOO_LONG);
		QT_ERR(CS_ERR_EXIST);
		QT_ERR(CS_ERR_NO_SPACE);
		QT_ERR(CS_ERR_INTERRUPT);
		QT_ERR(CS_ERR_NAME_NOT_FOUND);
		QT_ERR(CS_ERR_NO_RESOURCES);
		QT_ERR(CS_ERR_NOT_SUPPORTED);
		QT_ERR(CS_ERR_BAD_OPERATION);
		QT_ERR(CS_ERR_FAILED_OPERATION);
		QT_ERR(CS_ERR_MESSAGE_ERROR);
		QT_ERR(CS_ERR_QUEUE_FULL);
		QT_ERR(CS_ERR_QUEUE_NOT_AVAILABLE);
		QT_ERR(CS_ERR_BAD_FLAGS);
		QT_ERR(CS_ERR_TOO_BIG);
		QT_ERR(CS_ERR_NO_SECTIONS);
		QT_ERR(CS_ERR_CONTEXT_NOT_FOUND);
		QT_ERR(CS_ERR_TOO_MANY_GROUPS);
		QT_ERR(CS_ERR_SECURITY);
	}
#undef QT_ERR
	return "unknown error";
}

void qt_node_name(const char *name, const char *const *addrs, size_t n_addrs, bool numeric,
		  bool all, qt_resolve_fn resolve, void *ctx, char *buf, size_t len)
{
	size_t used = 0, first = 0, last = n_addrs > 0 ? 1 : 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (!numeric && name != NULL && name[0] != '\0') {
		snprintf(buf, len, "%s", name);
		used = strlen(buf);
		first = 1;
	}
	if (all)
		last = n_addrs;
	for (size_t i = first; i < last && used + 1 < len; i++) {
		if (i > 0 && used + 3 < len) {
			/* corosync adds the separator before it knows the address resolves */
			memcpy(buf + used, ", ", 3);
			used += 2;
		}
		if (resolve(ctx, addrs[i], numeric, buf + used, len - used) != 0)
			buf[used] = '\0';
		used += strlen(buf + used);
	}
}
