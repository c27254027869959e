/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tally-quorumtool: corosync-quorumtool 3.1.7 (spec §7) over libvotequorum.
 *
 * corosync's tool asks four services; tally serves only votequorum, so:
 *   cmap quorum.provider, nodelist names  -> the configuration file ($TALLY_CONF)
 *   runtime.votequorum.this_node_id      -> getinfo(0), which is the local node
 *   libquorum member list and quorate    -> the CURRENT nodelist + quorum pair
 *   cfg node addresses                   -> nodelist.node.X.ringN_addr
 * Thin on purpose: options, gathering, and the formatter (status_format.c).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <corosync/votequorum.h>

#include "conf/conf.h"
#include "config/cmap.h"
#include "status_format.h"
#include "wire/eth.h"

#define QT_DEFAULT_CONF "/etc/tally/tally.conf"
#define QT_MAX_LINKS 8	/* corosync's INTERFACE_MAX */
#define QT_NAME_MAX ((NI_MAXHOST + 2) * QT_MAX_LINKS)
#define QT_EXIT_NOT_QUORATE 2

enum qt_cmd { CMD_STATUS, CMD_NODES, CMD_MONITOR, CMD_SETVOTES, CMD_SETEXPECTED, CMD_UNREGISTER };

struct qt_state {
	struct tally_cmap *map;
	votequorum_handle_t vq;
	int using_vq;	/* 1 votequorum, 0 another provider, -1 none configured */
	uint32_t our_nodeid;
	/* the latest nodelist + quorum notifications */
	bool got_nodelist, got_quorum;
	votequorum_ring_id_t ring;
	uint32_t *members;
	uint32_t n_members;
	bool quorate;
};

static struct qt_state st;

static void on_nodelist(votequorum_handle_t h, uint64_t ctx, votequorum_ring_id_t ring,
			uint32_t n, uint32_t ids[])
{
	uint32_t *copy = malloc((n ? n : 1) * sizeof(*copy));

	if (copy == NULL)
		return;
	memcpy(copy, ids, n * sizeof(*copy));
	free(st.members);
	st.members = copy;
	st.n_members = n;
	st.ring = ring;
	st.got_nodelist = true;
}

static void on_quorum(votequorum_handle_t h, uint64_t ctx, uint32_t quorate, uint32_t n,
		      votequorum_node_t nodes[])
{
	st.quorate = quorate != 0;
	st.got_quorum = true;
}

static votequorum_callbacks_t callbacks = {
	.votequorum_quorum_notify_fn = on_quorum,
	.votequorum_nodelist_notify_fn = on_nodelist,
};

/* A numeric option: strtol's syntax in base 10, the whole argument, in [lo, hi]. */
struct number_opt {
	long long lo, hi;
	const char *refusal;	/* corosync's message for anything else */
};

static const struct number_opt expected_opt = {
	1, INT_MAX, "New expected votes value was not valid, try a positive number"
};
static const struct number_opt votes_opt = {
	0, INT_MAX, "New votes value was not valid, try a positive number or zero"
};
static const struct number_opt nodeid_opt = {
	1, UINT32_MAX, "The nodeid was not valid, try a positive number"
};

static bool parse_number(const char *arg, const struct number_opt *opt, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < opt->lo || v > opt->hi) {
		fprintf(stderr, "%s\n", opt->refusal);
		return false;
	}
	*out = v;
	return true;
}

/* The cmap stand-in: the configuration the engine runs with. */
static int load_config(void)
{
	const char *path = getenv("TALLY_CONF");
	char err[512] = "";

	if (path == NULL || path[0] == '\0')
		path = QT_DEFAULT_CONF;
	st.map = tally_conf_load(path, err, sizeof(err));
	if (st.map == NULL) {
		fprintf(stderr, "tally-quorumtool: %s\n", err);
		return -1;
	}
	return 0;
}

static const char *provider(void)
{
	return tally_cmap_get(st.map, "quorum.provider");
}

static int init_all(void)
{
	const char *p;
	struct votequorum_info info;

	/* corosync says this whenever its first connection fails */
	if (load_config() != 0 || votequorum_initialize(&st.vq, &callbacks) != CS_OK) {
		fprintf(stderr, "Cannot initialize CMAP service\n");
		st.vq = 0;
		return -1;
	}
	p = provider();
	st.using_vq = p == NULL ? -1 : strcmp(p, "corosync_votequorum") == 0;
	if (st.using_vq <= 0)
		return 0;
	if (votequorum_getinfo(st.vq, VOTEQUORUM_QDEVICE_NODEID, &info) != CS_OK) {
		fprintf(stderr, "Unable to retrieve this_node_id\n");
		return -1;
	}
	st.our_nodeid = info.node_id;
	return 0;
}

/* Queue the CURRENT pair and dispatch until both parts are in. */
static int fetch_current(void)
{
	cs_error_t err = votequorum_trackstart(st.vq, 0, CS_TRACK_CURRENT);

	if (err != CS_OK) {
		fprintf(stderr, "Unable to start votequorum status tracking: %s\n", qt_strerror(err));
		return -1;
	}
	st.got_nodelist = st.got_quorum = false;
	while (!st.got_nodelist || !st.got_quorum) {
		err = votequorum_dispatch(st.vq, CS_DISPATCH_ONE);
		if (err != CS_OK) {
			fprintf(stderr, "Unable to dispatch votequorum status: %s\n", qt_strerror(err));
			return -1;
		}
	}
	return 0;
}

/* A ringN_addr as corosync would show it after its cfg service resolved it. */
static int resolve(void *ctx, const char *addr, bool numeric, char *buf, size_t len)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_flags = AI_NUMERICHOST }, *ai;
	uint8_t mac[TALLY_ETH_ADDR_LEN];
	int rc;

	if (tally_eth_parse_addr(addr, mac) == 0) {
		/* tally's L2 links: the MAC is the address, and nothing resolves it */
		snprintf(buf, len, "%s", addr);
		return 0;
	}
	if (getaddrinfo(addr, NULL, &hints, &ai) != 0) {
		/* a host name (or an L2 address): shown as written, or as its address with -i */
		hints.ai_flags = 0;
		if (!numeric || getaddrinfo(addr, NULL, &hints, &ai) != 0) {
			snprintf(buf, len, "%s", addr);
			return 0;
		}
	}
	rc = getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, (socklen_t)len, NULL, 0,
			 numeric ? NI_NUMERICHOST : 0);
	freeaddrinfo(ai);
	return rc;
}

struct name_search {
	uint32_t nodeid;
	char entry[64];	/* "nodelist.node.X" of the matching entry */
};

static int find_node(void *ctx, const struct tally_cmap *map, const char *entry)
{
	struct name_search *s = ctx;
	uint32_t id;

	if (tally_cmap_node_get_u32(map, entry, "nodeid", &id) != 0 || id != s->nodeid)
		return 0;
	snprintf(s->entry, sizeof(s->entry), "%s", entry);
	return 1;
}

static void node_name(uint32_t nodeid, bool numeric, bool all, char *buf, size_t len)
{
	struct name_search s = { .nodeid = nodeid };
	const char *addrs[QT_MAX_LINKS];
	char key[96];
	size_t n = 0;

	buf[0] = '\0';
	if (tally_cmap_foreach_node(st.map, find_node, &s) != 1)
		return;
	for (int i = 0; i < QT_MAX_LINKS; i++) {
		const char *a;

		snprintf(key, sizeof(key), "ring%d_addr", i);
		a = tally_cmap_node_get(st.map, s.entry, key);
		if (a != NULL)
			addrs[n++] = a;
	}
	qt_node_name(tally_cmap_node_get(st.map, s.entry, "name"), addrs, n, numeric, all, resolve, NULL, buf, len);
}

struct qt_gathered {
	struct qt_view view;
	struct qt_member *rows;
	char (*names)[QT_NAME_MAX];
	char date[64];
	cs_error_t local_err;
};

/* Everything the formatter prints, from the last nodelist + quorum pair. */
static int gather(struct qt_gathered *g, bool numeric, bool all)
{
	struct qt_view *v = &g->view;
	time_t now = time(NULL);

	memset(g, 0, sizeof(*g));
	g->rows = calloc(st.n_members ? st.n_members : 1, sizeof(*g->rows));
	g->names = calloc(st.n_members ? st.n_members : 1, sizeof(*g->names));
	if (g->rows == NULL || g->names == NULL)
		return -1;
	ctime_r(&now, g->date);
	v->date = g->date;
	v->provider = provider();
	v->have_votequorum = st.using_vq > 0;
	v->local_nodeid = st.our_nodeid;
	v->ring = st.ring;
	v->quorate = st.quorate;
	g->local_err = CS_OK;
	if (v->have_votequorum) {
		g->local_err = votequorum_getinfo(st.vq, st.our_nodeid, &v->local);
		/* corosync prints the block after NOT_EXIST too */
		v->local_info_ok = g->local_err == CS_OK || g->local_err == CS_ERR_NOT_EXIST;
	}
	for (uint32_t i = 0; i < st.n_members; i++) {
		struct qt_member *m = &g->rows[i];

		m->nodeid = st.members[i];
		m->info_ok = !v->have_votequorum ||
			     votequorum_getinfo(st.vq, m->nodeid, &m->info) == CS_OK;
		node_name(m->nodeid, numeric, all, g->names[i], sizeof(g->names[i]));
		m->name = g->names[i];
	}
	v->members = g->rows;
	/* without a provider corosync's quorum service reports no members */
	v->n_members = st.using_vq < 0 ? 0 : st.n_members;
	return 0;
}

static void gathered_free(struct qt_gathered *g)
{
	free(g->rows);
	free(g->names);
}

/* -s, -l and each -m round: CS_OK, or the error corosync would return. */
static cs_error_t display(const struct qt_options *o, bool numeric, bool all, bool status)
{
	struct qt_gathered g;
	cs_error_t rc = CS_OK;

	if (gather(&g, numeric, all) != 0) {
		gathered_free(&g);
		fprintf(stderr, "Unable to get node info: %s\n", qt_strerror(CS_ERR_NO_MEMORY));
		return CS_ERR_NO_MEMORY;
	}
	if (!status) {
		qt_print_members(stdout, &g.view, o);
	} else {
		if (g.view.have_votequorum && !g.view.local_info_ok) {
			/* corosync writes this before the block it then leaves out */
			fflush(stdout);
			fprintf(stderr, "Unable to get node info: %s\n", qt_strerror(g.local_err));
		}
		/* NOT_EXIST still prints the block, and still fails */
		rc = g.local_err;
		qt_print_status(stdout, &g.view, o);
	}
	gathered_free(&g);
	return rc;
}

static int show_status(const struct qt_options *o, bool numeric, bool all)
{
	if (st.using_vq < 0) {
		/* corosync 3.1.7 tracks on the handle it never opened */
		fprintf(stderr, "Unable to start votequorum status tracking: %s\n",
			qt_strerror(CS_ERR_BAD_HANDLE));
		return EXIT_FAILURE;
	}
	if (fetch_current() != 0 || display(o, numeric, all, true) != CS_OK)
		return EXIT_FAILURE;
	return st.quorate ? EXIT_SUCCESS : QT_EXIT_NOT_QUORATE;
}

static int monitor(const struct qt_options *o, bool numeric, bool all)
{
	cs_error_t err;
	bool pending = false;

	if (st.using_vq < 0) {
		printf("\nQuorum is not configured - cannot monitor\n");
		fflush(stdout);	/* before the error that follows, as on a terminal */
		return show_status(o, numeric, all);
	}
	err = votequorum_trackstart(st.vq, 0, CS_TRACK_CHANGES);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to start votequorum status tracking: %s\n", qt_strerror(err));
		return EXIT_FAILURE;
	}
	for (;;) {
		st.got_nodelist = st.got_quorum = false;
		err = votequorum_dispatch(st.vq, CS_DISPATCH_ONE);
		if (err != CS_OK) {
			fprintf(stderr, "Unable to dispatch votequorum status: %s\n", qt_strerror(err));
			return EXIT_FAILURE;
		}
		/*
		 * corosync prints once a membership change (a nodelist notification)
		 * has come in; its quorate state is the one that follows it.
		 */
		pending |= st.got_nodelist;
		if (!pending || !st.got_quorum)
			continue;
		pending = false;
		err = display(o, numeric, all, true);
		printf("\n");
		fflush(stdout);
		if (err != CS_OK) {
			fprintf(stderr, "Unable to display quorum data: %s\n", qt_strerror(err));
			return EXIT_FAILURE;
		}
	}
}

static int show_nodes(const struct qt_options *o, bool numeric, bool all)
{
	if (fetch_current() != 0 || display(o, numeric, all, false) != CS_OK)
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

static int set_votes(uint32_t nodeid, long long votes)
{
	cs_error_t err = votequorum_setvotes(st.vq, nodeid, (unsigned int)votes);

	if (err != CS_OK) {
		fprintf(stderr, "Unable to set votes %lld for nodeid: %u: %s\n", votes, nodeid,
			qt_strerror(err));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static int set_expected(long long expected)
{
	cs_error_t err = votequorum_setexpected(st.vq, (unsigned int)expected);

	if (err != CS_OK) {
		fprintf(stderr, "Unable to set expected votes: %s\n", qt_strerror(err));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static int unregister_qdevice(void)
{
	struct votequorum_info info;
	cs_error_t err = votequorum_getinfo(st.vq, st.our_nodeid, &info);

	if (err != CS_OK) {
		fprintf(stderr, "Unable to get quorum device info: %s\n", qt_strerror(err));
		return EXIT_FAILURE;
	}
	if (!(info.flags & VOTEQUORUM_INFO_QDEVICE_REGISTERED))
		return EXIT_SUCCESS;
	err = votequorum_qdevice_unregister(st.vq, info.qdevice_name);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to unregister quorum device: %s\n", qt_strerror(err));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* The commands that need votequorum as the provider, and corosync's refusal for each. */
static const char *needs_votequorum(enum qt_cmd cmd)
{
	switch (cmd) {
	case CMD_SETVOTES:
		return "You cannot change node votes, corosync is not using votequorum";
	case CMD_SETEXPECTED:
		return "You cannot change expected votes, corosync is not using votequorum";
	case CMD_UNREGISTER:
		return "You cannot unregister quorum device, corosync is not using votequorum";
	default:
		return NULL;
	}
}

int main(int argc, char **argv)
{
	struct qt_options o = { .order = QT_ORDER_RECEIVED };
	enum qt_cmd cmd = CMD_STATUS;
	bool numeric = false, all = false, nodeid_set = false;
	long long votes = 0, expected = 0, nodeid = 0;
	const char *refusal;
	int opt, ret;

	while ((opt = getopt(argc, argv, "VHaslpmfe:v:hin:o:")) != -1) {
		switch (opt) {
		case 'V':
			printf("corosync-quorumtool version: 3.1.7\n");
			return EXIT_SUCCESS;
		case 'h':
			qt_print_usage(stdout, argv[0]);
			return EXIT_SUCCESS;
		case 'H':
			o.hex_ids = true;
			break;
		case 'a':
			all = true;
			break;
		case 's':
			cmd = CMD_STATUS;
			break;
		case 'l':
			cmd = CMD_NODES;
			break;
		case 'm':
			cmd = CMD_MONITOR;
			break;
		case 'p':
			o.qdevice_column = true;
			break;
		case 'i':
			numeric = true;
			break;
		case 'f':
			cmd = CMD_UNREGISTER;
			break;
		case 'e':
			if (!parse_number(optarg, &expected_opt, &expected))
				return EXIT_FAILURE;
			cmd = CMD_SETEXPECTED;
			break;
		case 'v':
			if (!parse_number(optarg, &votes_opt, &votes))
				return EXIT_FAILURE;
			cmd = CMD_SETVOTES;
			break;
		case 'n':
			if (!parse_number(optarg, &nodeid_opt, &nodeid))
				return EXIT_FAILURE;
			nodeid_set = true;
			break;
		case 'o':
			if (strcmp(optarg, "a") == 0) {
				o.order = QT_ORDER_RECEIVED;
			} else if (strcmp(optarg, "n") == 0) {
				o.order = QT_ORDER_NAME;
			} else if (strcmp(optarg, "i") == 0) {
				o.order = QT_ORDER_NODEID;
			} else {
				fprintf(stderr, "Invalid ordering option. valid orders are a(address), i(node ID) or n(name)\n");
				return EXIT_FAILURE;
			}
			break;
		default:
			qt_print_usage(stdout, argv[0]);
			return EXIT_FAILURE;
		}
	}

	if (init_all() != 0) {
		ret = EXIT_FAILURE;
		goto out;
	}
	refusal = needs_votequorum(cmd);
	if (refusal != NULL && st.using_vq <= 0) {
		fprintf(stderr, "%s\n", refusal);
		ret = EXIT_FAILURE;
		goto out;
	}
	switch (cmd) {
	case CMD_NODES:
		ret = show_nodes(&o, numeric, all);
		break;
	case CMD_MONITOR:
		ret = monitor(&o, numeric, all);
		break;
	case CMD_SETVOTES:
		ret = set_votes(nodeid_set ? (uint32_t)nodeid : st.our_nodeid, votes);
		break;
	case CMD_SETEXPECTED:
		ret = set_expected(expected);
		break;
	case CMD_UNREGISTER:
		ret = unregister_qdevice();
		break;
	case CMD_STATUS:
	default:
		ret = show_status(&o, numeric, all);
		break;
	}
out:
	if (st.vq != 0)
		votequorum_finalize(st.vq);
	tally_cmap_free(st.map);
	free(st.members);
	return ret;
}
