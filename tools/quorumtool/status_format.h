/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The text corosync-quorumtool 3.1.7 prints for -s and -l (spec §7.3), byte
 * for byte: monitoring exporters parse it. Pure formatting: the caller
 * gathers the state (getinfo per member, names, the date) and passes it in.
 */
#ifndef TALLY_QUORUMTOOL_STATUS_FORMAT_H
#define TALLY_QUORUMTOOL_STATUS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <corosync/votequorum.h>

struct qt_member {
	uint32_t nodeid;
	bool info_ok;			/**< getinfo(nodeid) succeeded */
	struct votequorum_info info;
	const char *name;		/**< as resolved by the tool ("" if none) */
};

struct qt_view {
	const char *date;		/**< ctime() text, with its newline */
	const char *provider;		/**< quorum.provider, NULL: not configured */
	bool have_votequorum;
	uint32_t local_nodeid;
	votequorum_ring_id_t ring;
	bool quorate;
	bool local_info_ok;		/**< getinfo(local) succeeded */
	struct votequorum_info local;
	size_t n_members;
	const struct qt_member *members;	/**< in the order received */
};

enum qt_order {
	QT_ORDER_RECEIVED,	/**< -o a (default) */
	QT_ORDER_NAME,		/**< -o n */
	QT_ORDER_NODEID,	/**< -o i */
};

struct qt_options {
	bool hex_ids;		/**< -H */
	bool qdevice_column;	/**< -p: always show the Qdevice column */
	enum qt_order order;
};

/* -s: the whole status block. */
void qt_print_status(FILE *out, const struct qt_view *v, const struct qt_options *o);
/* -l: from the empty line before "Membership information" on. */
void qt_print_members(FILE *out, const struct qt_view *v, const struct qt_options *o);

/* -h, and an unknown option: corosync-quorumtool's help text under `prog`. */
void qt_print_usage(FILE *out, const char *prog);
/* cs_strerror() of libcorosync_common: the enum name, "success" for CS_OK. */
const char *qt_strerror(cs_error_t err);

/*
 * The name column: how corosync-quorumtool names a node from the nodelist.
 * `name` is nodelist.node.X.name (NULL: none), addrs the ringN_addr values in
 * link order. Without numeric (-i) a name stands for the first address; the
 * remaining addresses follow it only with all (-a), joined by ", ". Each
 * address goes through resolve(ctx, addr, numeric, buf, len), which writes
 * the text to show and returns 0, or non-zero to leave that address out (as
 * a failed getnameinfo does). Writes "" when there is nothing to show.
 */
typedef int (*qt_resolve_fn)(void *ctx, const char *addr, bool numeric, char *buf, size_t len);

void qt_node_name(const char *name, const char *const *addrs, size_t n_addrs, bool numeric,
		  bool all, qt_resolve_fn resolve, void *ctx, char *buf, size_t len);

#endif
