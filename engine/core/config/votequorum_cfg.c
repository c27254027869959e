/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * votequorum configuration: gathering (spec §3.2) and derivation with the
 * conflict rules of corosync 3.1.7 (spec §3.3, §3.4). Error texts are
 * corosync's, so scripts and people who grep logs find what they expect.
 */
#include "config/votequorum_cfg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cmap.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* "file:line: key: 'value' <what is wrong>", file:line when the parser knew it. */
static int bad_value(const struct tally_cmap *map, const char *key, const char *what, char *err,
		     size_t errlen)
{
	const char *origin = tally_cmap_origin(map, key);

	return fail(err, errlen, "%s%s%s: '%s' %s", origin ? origin : "", origin ? ": " : "",
		    key, tally_cmap_get(map, key), what);
}

/* Read an optional u32; absent leaves *out alone. */
static int opt_u32(const struct tally_cmap *map, const char *key, uint32_t *out, char *err,
		   size_t errlen)
{
	if (tally_cmap_get_u32(map, key, out) == -EINVAL)
		return bad_value(map, key, "is not a number from 0 to 4294967295", err, errlen);
	return 0;
}

/* corosync reads the feature switches as u8: any non-zero value turns them on. */
static int opt_switch(const struct tally_cmap *map, const char *key, int *out, char *err,
		      size_t errlen)
{
	uint8_t v;
	int rc = tally_cmap_get_u8(map, key, &v);

	if (rc == -EINVAL)
		return bad_value(map, key, "is not a number from 0 to 255", err, errlen);
	if (rc == 0)
		*out = v != 0;
	return 0;
}

struct nodelist_scan {
	uint32_t local_nodeid;
	struct tally_vq_settings *out;
	uint32_t *ids;
	size_t n_ids;
	size_t cap_ids;
	int rc;
	char *err;
	size_t errlen;
};

/* Called once per nodelist entry ("nodelist.node.N"). */
static int scan_node(void *ctx, const struct tally_cmap *map, const char *entry)
{
	struct nodelist_scan *sc = ctx;
	char sub[96];
	uint32_t nodeid, votes = 1;

	snprintf(sub, sizeof(sub), "%s.nodeid", entry);
	switch (tally_cmap_node_get_u32(map, entry, "nodeid", &nodeid)) {
	case -ENOENT:
		sc->rc = fail(sc->err, sc->errlen, "nodelist: node entry %s has no nodeid",
			      entry + strlen("nodelist.node."));
		return 1;
	case -EINVAL:
		sc->rc = bad_value(map, sub, "is not a valid node id", sc->err, sc->errlen);
		return 1;
	}
	if (nodeid == 0) {
		sc->rc = fail(sc->err, sc->errlen,
			      "%s: node id 0 is reserved for the quorum device", sub);
		return 1;
	}

	snprintf(sub, sizeof(sub), "%s.quorum_votes", entry);
	sc->rc = opt_u32(map, sub, &votes, sc->err, sc->errlen);
	if (sc->rc != 0)
		return 1;

	for (size_t i = 0; i < sc->n_ids; i++) {
		if (sc->ids[i] == nodeid) {
			sc->rc = fail(sc->err, sc->errlen,
				      "nodelist: node id %" PRIu32 " appears more than once",
				      nodeid);
			return 1;
		}
	}
	if (sc->n_ids == sc->cap_ids) {
		size_t cap = sc->cap_ids ? sc->cap_ids * 2 : 16;
		uint32_t *ids = realloc(sc->ids, cap * sizeof(*ids));

		if (ids == NULL) {
			sc->rc = -ENOMEM;
			return 1;
		}
		sc->ids = ids;
		sc->cap_ids = cap;
	}
	sc->ids[sc->n_ids++] = nodeid;

	sc->out->node_count++;
	sc->out->nodelist_sum += votes;
	if (nodeid == sc->local_nodeid) {
		sc->out->have_nodelist = true;
		sc->out->my_votes = votes;
	}
	return 0;
}

/*
 * auto_tie_breaker_node: "lowest", "highest" or a space-separated list of
 * node ids. Anything else disables ATB with a warning (as corosync does).
 */
static void parse_atb_nodes(const char *text, struct tally_vq_settings *s)
{
	const char *p = text;

	s->atb_mode = TALLY_ATB_LOWEST;
	if (text == NULL || strcmp(text, "lowest") == 0)
		return;
	if (strcmp(text, "highest") == 0) {
		s->atb_mode = TALLY_ATB_HIGHEST;
		return;
	}

	s->atb_list_len = 0;
	for (;;) {
		char *end;
		unsigned long id;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (*p < '0' || *p > '9')
			goto invalid;
		id = strtoul(p, &end, 10);
		if (id == 0 || id > UINT32_MAX || (*end != '\0' && *end != ' ' && *end != '\t') ||
		    s->atb_list_len == TALLY_VQ_ATB_LIST_MAX)
			goto invalid;
		s->atb_list[s->atb_list_len++] = (uint32_t)id;
		p = end;
	}
	if (s->atb_list_len > 0) {
		s->atb_mode = TALLY_ATB_LIST;
		return;
	}
invalid:
	s->atb_list_len = 0;
	s->atb_mode = TALLY_ATB_NONE;
	s->atb_string_invalid = true;
}

int tally_vq_settings_read(const struct tally_cmap *map, uint32_t local_nodeid,
			   struct tally_vq_settings *out, char *err, size_t errlen)
{
	struct nodelist_scan sc = {
		.local_nodeid = local_nodeid, .out = out,
		.err = err, .errlen = errlen,
	};
	int two_node = 0, lms = 0, atb = 0, ad = 0, evt = 0, wfa = -1;
	const char *model;
	int rc;

	memset(out, 0, sizeof(*out));
	out->local_nodeid = local_nodeid;
	out->quorum_votes = 1;
	out->lms_window = TALLY_VQ_DEFAULT_LMS_WINDOW;
	out->device_timeout = TALLY_VQ_DEFAULT_DEVICE_TIMEOUT;
	out->device_sync_timeout = TALLY_VQ_DEFAULT_DEVICE_SYNC_TIMEOUT;

	tally_cmap_foreach_node(map, scan_node, &sc);
	free(sc.ids);
	if (sc.rc != 0)
		return sc.rc;

	if ((rc = opt_u32(map, "quorum.expected_votes", &out->expected_votes, err, errlen)) ||
	    (rc = opt_u32(map, "quorum.votes", &out->quorum_votes, err, errlen)) ||
	    (rc = opt_switch(map, "quorum.two_node", &two_node, err, errlen)) ||
	    (rc = opt_switch(map, "quorum.wait_for_all", &wfa, err, errlen)) ||
	    (rc = opt_switch(map, "quorum.last_man_standing", &lms, err, errlen)) ||
	    (rc = opt_u32(map, "quorum.last_man_standing_window", &out->lms_window, err,
			  errlen)) ||
	    (rc = opt_switch(map, "quorum.auto_tie_breaker", &atb, err, errlen)) ||
	    (rc = opt_switch(map, "quorum.allow_downscale", &ad, err, errlen)) ||
	    (rc = opt_switch(map, "quorum.expected_votes_tracking", &evt, err, errlen)))
		return rc;

	out->two_node = two_node;
	out->wait_for_all = wfa;
	out->last_man_standing = lms;
	out->auto_tie_breaker = atb;
	out->allow_downscale = ad;
	out->ev_tracking = evt;
	if (atb)
		parse_atb_nodes(tally_cmap_get(map, "quorum.auto_tie_breaker_node"), out);

	model = tally_cmap_get(map, "quorum.device.model");
	out->have_qdevice = model != NULL && model[0] != '\0';
	if (out->have_qdevice) {
		rc = tally_cmap_get_u32(map, "quorum.device.votes", &out->device_votes);
		if (rc == -EINVAL)
			return opt_u32(map, "quorum.device.votes", &out->device_votes, err,
				       errlen);
		out->device_votes_set = rc == 0;
		if ((rc = opt_u32(map, "quorum.device.timeout", &out->device_timeout, err,
				  errlen)) ||
		    (rc = opt_u32(map, "quorum.device.sync_timeout", &out->device_sync_timeout,
				  err, errlen)))
			return rc;
	}
	return 0;
}

static void note(tally_vq_note_fn fn, void *ctx, enum tally_vq_note_level level,
		 const char *text)
{
	if (fn != NULL)
		fn(ctx, level, text);
}

/*
 * A conflict: fatal at start-up, "device operation off" on reload.
 * Returns non-zero when derivation must stop with an error.
 */
static int device_conflict(const struct tally_vq_runtime *rt, struct tally_vq_effective *out,
			   const char *text, tally_vq_note_fn fn, void *ctx, char *err,
			   size_t errlen)
{
	if (rt == NULL)
		return fail(err, errlen, "%s", text);
	note(fn, ctx, TALLY_VQ_NOTE_CRIT, text);
	note(fn, ctx, TALLY_VQ_NOTE_CRIT, "disabling quorum device operations");
	out->qdevice_can_operate = false;
	return 0;
}

int tally_vq_derive(const struct tally_vq_settings *s, const struct tally_vq_runtime *rt,
		    uint32_t ev_barrier, struct tally_vq_effective *out, tally_vq_note_fn fn,
		    void *ctx, char *err, size_t errlen)
{
	uint32_t expected_votes = s->expected_votes;
	uint32_t node_expected = s->nodelist_sum;
	bool device_votes_known = s->device_votes_set;
	uint32_t device_votes = s->device_votes;
	int rc;

	memset(out, 0, sizeof(*out));
	out->qdevice_can_operate = true;
	out->have_qdevice = s->have_qdevice;
	out->device_timeout = s->device_timeout;
	out->device_sync_timeout = s->device_sync_timeout;
	out->two_node = s->two_node;

	if (!s->have_nodelist && expected_votes == 0) {
		static const char text[] =
			"configuration error: nodelist or quorum.expected_votes must be configured!";

		if (rt == NULL)
			return fail(err, errlen, "%s", text);
		note(fn, ctx, TALLY_VQ_NOTE_CRIT, text);
		note(fn, ctx, TALLY_VQ_NOTE_CRIT, "will continue with current runtime data");
		out->keep_runtime = true;
		return 0;
	}

	if (out->two_node && s->have_qdevice) {
		static const char text[] = "configuration error: two_node and quorum device "
					   "cannot be configured at the same time!";

		if (rt == NULL)
			return fail(err, errlen, "%s", text);
		note(fn, ctx, TALLY_VQ_NOTE_CRIT, text);
		if (rt->qdevice_registered) {
			note(fn, ctx, TALLY_VQ_NOTE_CRIT,
			     "quorum device is registered, disabling two_node");
			out->two_node = false;
		} else {
			note(fn, ctx, TALLY_VQ_NOTE_CRIT,
			     "quorum device is not registered, allowing two_node");
			out->qdevice_can_operate = false;
		}
	}

	if (rt == NULL) {
		/* wait_for_all follows two_node unless it is set explicitly. */
		out->wait_for_all_explicit = s->wait_for_all >= 0;
		out->wait_for_all = out->wait_for_all_explicit ? s->wait_for_all : out->two_node;
		out->last_man_standing = s->last_man_standing;
		out->allow_downscale = s->allow_downscale;
		out->ev_tracking = s->ev_tracking || s->allow_downscale;
		out->atb = s->auto_tie_breaker ? s->atb_mode : TALLY_ATB_NONE;
		if (s->auto_tie_breaker && s->atb_string_invalid)
			note(fn, ctx, TALLY_VQ_NOTE_WARNING,
			     "auto_tie_breaker_nodes is not valid. It must be 'lowest', "
			     "'highest' or a space-separated list of node IDs. "
			     "auto_tie_breaker is disabled");
	} else {
		/* These keys are read-only after start; ATB restarts from its start value. */
		out->wait_for_all_explicit = rt->wait_for_all_explicit;
		out->wait_for_all = rt->wait_for_all_explicit ? rt->wait_for_all : out->two_node;
		out->last_man_standing = rt->last_man_standing;
		out->allow_downscale = rt->allow_downscale;
		out->ev_tracking = rt->ev_tracking;
		out->atb = rt->initial_atb;
	}
	out->lms_window = s->lms_window;

	/* two_node decides by a fence race, ATB by node id: they cannot both rule. */
	if (out->two_node && out->atb != TALLY_ATB_NONE) {
		note(fn, ctx, TALLY_VQ_NOTE_CRIT,
		     "two_node and auto_tie_breaker are both specified but are not compatible.");
		note(fn, ctx, TALLY_VQ_NOTE_CRIT,
		     "two_node has been disabled, please fix your corosync.conf");
		out->two_node = false;
	}

	/*
	 * With an odd vote count, an isolated half+1 without the tie-breaker
	 * node could be quorate after a reboot unless wait_for_all holds it.
	 */
	if (out->atb != TALLY_ATB_NONE && (node_expected % 2) && !out->wait_for_all) {
		if (out->last_man_standing && rt == NULL)
			return fail(err, errlen,
				    "configuration error: auto_tie_breaker & last_man_standing "
				    "not available in odd sized cluster");
		note(fn, ctx, TALLY_VQ_NOTE_CRIT,
		     "auto_tie_breaker is set and the cluster has an odd number of nodes. "
		     "wait_for_all needs to be set for this configuration but it is missing. "
		     "Therefore auto_tie_breaker has been disabled. Please fix your corosync.conf");
		out->atb = TALLY_ATB_NONE;
	}

	if (s->have_qdevice && out->last_man_standing &&
	    (rc = device_conflict(rt, out,
				  "configuration error: quorum.device is not compatible with "
				  "last_man_standing",
				  fn, ctx, err, errlen)))
		return rc;
	if (s->have_qdevice && out->atb != TALLY_ATB_NONE &&
	    (rc = device_conflict(rt, out,
				  "configuration error: quorum.device is not compatible with "
				  "auto_tie_breaker",
				  fn, ctx, err, errlen)))
		return rc;
	if (s->have_qdevice && out->allow_downscale &&
	    (rc = device_conflict(rt, out,
				  "configuration error: quorum.device is not compatible with "
				  "allow_downscale",
				  fn, ctx, err, errlen)))
		return rc;
	if (expected_votes && s->have_qdevice && !s->device_votes_set &&
	    (rc = device_conflict(rt, out,
				  "configuration error: quorum.device.votes must be specified "
				  "when quorum.expected_votes is set",
				  fn, ctx, err, errlen)))
		return rc;
	if (s->have_qdevice && !s->device_votes_set && s->have_nodelist &&
	    s->node_count != s->nodelist_sum &&
	    (rc = device_conflict(rt, out,
				  "configuration error: quorum.device.votes must be specified "
				  "when not all nodes votes 1",
				  fn, ctx, err, errlen)))
		return rc;
	if (s->device_votes_set && s->device_votes > 0 && expected_votes &&
	    (int64_t)expected_votes - (int64_t)s->device_votes < 2 &&
	    (rc = device_conflict(rt, out,
				  "configuration error: quorum.device.votes is too high or "
				  "expected_votes is too low",
				  fn, ctx, err, errlen)))
		return rc;

	/* With every node at one vote the device gets one vote less than the nodes. */
	if (s->have_qdevice && !s->device_votes_set && !expected_votes && s->have_nodelist &&
	    s->node_count == s->nodelist_sum) {
		device_votes = s->nodelist_sum - 1;
		device_votes_known = true;
		node_expected += device_votes;
	}

	/* expected_votes_tracking replaces quorum.expected_votes by its barrier. */
	if (out->ev_tracking)
		expected_votes = ev_barrier;

	if (s->have_nodelist) {
		out->my_votes = s->my_votes;
		out->expected_votes = node_expected;
	} else {
		out->my_votes = s->quorum_votes;
	}
	if (expected_votes)
		out->expected_votes = expected_votes;

	if (!s->have_qdevice) {
		device_votes = 0;
		device_votes_known = true;
	}
	out->device_votes_known = device_votes_known;
	out->device_votes = device_votes_known ? device_votes : 0;
	return 0;
}
