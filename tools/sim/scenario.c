/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario files: parse every line into a typed command first (so a broken
 * file is reported with file:line before anything runs), then run them.
 */
#include "scenario.h"

#include "config/cmap.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 64
#define MAX_LIST 1024
#define MAX_GROUPS 64

enum cmd_kind {
	CMD_CLUSTER,
	CMD_CONFIG,
	CMD_EVT_FILE,
	CMD_START,
	CMD_KILL,
	CMD_STOP,
	CMD_PARTITION,
	CMD_BLOCK,
	CMD_UNBLOCK,
	CMD_LOSS,
	CMD_HEAL,
	CMD_ADVANCE,
	CMD_SET,
	CMD_UNSET,
	CMD_CALL,
	CMD_EXPECT_FIELDS,
	CMD_EXPECT_MEMBERS,
	CMD_EXPECT_CALLBACKS,
	CMD_EXPECT_AGREEMENT,
	CMD_EXPECT_SINGLE_QUORATE,
	CMD_FORGET_CALLBACKS,
	CMD_TIMING,		/* simulator only: the real-world timing model */
	CMD_EXPECT_VIEW_CHANGES,	/* simulator only: views per node in the last event */
};

enum field {
	F_NODE_ID,
	F_NODE_STATE,
	F_NODE_VOTES,
	F_NODE_EXPECTED_VOTES,
	F_HIGHEST_EXPECTED,
	F_TOTAL_VOTES,
	F_QUORUM,
	F_FLAGS,
	F_QDEVICE_VOTES,
	F_QDEVICE_NAME,
	F_QUORATE,
	F_FLAGS_SET,
	F_FLAGS_CLEAR,
	F_RING_ID_NODEID,
};

static const char *const field_names[] = {
	[F_NODE_ID] = "node_id",
	[F_NODE_STATE] = "node_state",
	[F_NODE_VOTES] = "node_votes",
	[F_NODE_EXPECTED_VOTES] = "node_expected_votes",
	[F_HIGHEST_EXPECTED] = "highest_expected",
	[F_TOTAL_VOTES] = "total_votes",
	[F_QUORUM] = "quorum",
	[F_FLAGS] = "flags",
	[F_QDEVICE_VOTES] = "qdevice_votes",
	[F_QDEVICE_NAME] = "qdevice_name",
	[F_QUORATE] = "quorate",
	[F_FLAGS_SET] = "flags_set",
	[F_FLAGS_CLEAR] = "flags_clear",
	[F_RING_ID_NODEID] = "ring_id_nodeid",
};

struct check {
	enum field field;
	uint32_t value;
	char *text;		/**< qdevice_name */
};

struct cmd {
	enum cmd_kind kind;
	int line;
	bool all;		/**< expect all */
	uint32_t node;		/**< target node (expect N, set N, call N) */
	uint32_t other;		/**< expect N node M; block A>B: B */
	bool has_other;
	uint32_t *ids;		/**< start/kill/stop, members, cluster ids */
	uint32_t *votes;	/**< cluster votes */
	size_t n_ids;
	uint32_t **groups;	/**< partition */
	size_t *group_sizes;
	size_t n_groups;
	char *key;
	char *value;
	char *fail_text;	/**< start ... => FAIL text */
	uint64_t num;
	struct sim_call_args call;
	char *name1, *name2;
	cs_error_t expected_result;
	struct check *checks;
	size_t n_checks;
	char **tokens;		/**< expect callbacks */
	size_t n_tokens;
	struct sim_timing timing;
	char *text;		/**< the line as written, for narration */
};

struct scenario {
	char id[64];
	char title[256];
	struct cmd *cmds;
	size_t n_cmds;
};

struct scn_file {
	char *path;
	struct scenario *scns;
	size_t n_scns;
};

static const struct {
	const char *name;
	cs_error_t value;
} results[] = {
	{ "OK", CS_OK },
	{ "LIBRARY", CS_ERR_LIBRARY },
	{ "VERSION", CS_ERR_VERSION },
	{ "INIT", CS_ERR_INIT },
	{ "TIMEOUT", CS_ERR_TIMEOUT },
	{ "TRY_AGAIN", CS_ERR_TRY_AGAIN },
	{ "INVALID_PARAM", CS_ERR_INVALID_PARAM },
	{ "NO_MEMORY", CS_ERR_NO_MEMORY },
	{ "BAD_HANDLE", CS_ERR_BAD_HANDLE },
	{ "BUSY", CS_ERR_BUSY },
	{ "ACCESS", CS_ERR_ACCESS },
	{ "NOT_EXIST", CS_ERR_NOT_EXIST },
	{ "NAME_TOO_LONG", CS_ERR_NAME_TOO_LONG },
	{ "EXIST", CS_ERR_EXIST },
	{ "NO_SPACE", CS_ERR_NO_SPACE },
	{ "INTERRUPT", CS_ERR_INTERRUPT },
	{ "NAME_NOT_FOUND", CS_ERR_NAME_NOT_FOUND },
	{ "NO_RESOURCES", CS_ERR_NO_RESOURCES },
	{ "NOT_SUPPORTED", CS_ERR_NOT_SUPPORTED },
	{ "BAD_OPERATION", CS_ERR_BAD_OPERATION },
	{ "FAILED_OPERATION", CS_ERR_FAILED_OPERATION },
	{ "MESSAGE_ERROR", CS_ERR_MESSAGE_ERROR },
	{ "QUEUE_FULL", CS_ERR_QUEUE_FULL },
	{ "QUEUE_NOT_AVAILABLE", CS_ERR_QUEUE_NOT_AVAILABLE },
	{ "BAD_FLAGS", CS_ERR_BAD_FLAGS },
	{ "TOO_BIG", CS_ERR_TOO_BIG },
	{ "NO_SECTIONS", CS_ERR_NO_SECTIONS },
	{ "CONTEXT_NOT_FOUND", CS_ERR_CONTEXT_NOT_FOUND },
	{ "TOO_MANY_GROUPS", CS_ERR_TOO_MANY_GROUPS },
	{ "SECURITY", CS_ERR_SECURITY },
};

static const char *result_name(cs_error_t e)
{
	for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (results[i].value == e)
			return results[i].name;
	return "?";
}

static const struct {
	const char *name;
	enum sim_call op;
	int min_args, max_args;
} call_ops[] = {
	{ "setexpected", SIM_CALL_SETEXPECTED, 1, 1 },
	{ "setvotes", SIM_CALL_SETVOTES, 2, 2 },
	{ "getinfo", SIM_CALL_GETINFO, 1, 1 },
	{ "qdevice_register", SIM_CALL_QDEVICE_REGISTER, 1, 1 },
	{ "qdevice_unregister", SIM_CALL_QDEVICE_UNREGISTER, 1, 1 },
	{ "qdevice_update", SIM_CALL_QDEVICE_UPDATE, 2, 2 },
	{ "qdevice_poll", SIM_CALL_QDEVICE_POLL, 2, 3 },
	{ "qdevice_master_wins", SIM_CALL_QDEVICE_MASTER_WINS, 2, 2 },
	{ "cancel_wait_for_all", SIM_CALL_CANCEL_WAIT_FOR_ALL, 0, 0 },
};

/* ------------------------------------------------------------------ */
/* Parsing helpers                                                     */

struct parser {
	const char *path;
	int line;
	char *err;
	size_t errlen;
};

static int perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int off = snprintf(p->err, p->errlen, "%s:%d: ", p->path, p->line);

	if (off >= 0 && (size_t)off < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + off, p->errlen - (size_t)off, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int parse_u32(const char *s, uint32_t *out)
{
	return tally_parse_u32(s, out);
}

/* "1,2,3" */
static int parse_id_list(const char *s, uint32_t **out, size_t *n)
{
	uint32_t *ids = malloc(MAX_LIST * sizeof(*ids));
	const char *p = s;
	size_t k = 0;

	if (ids == NULL)
		return -ENOMEM;
	for (;;) {
		char buf[16];
		size_t len = strcspn(p, ",");

		if (len == 0 || len >= sizeof(buf) || k == MAX_LIST)
			goto bad;
		memcpy(buf, p, len);
		buf[len] = '\0';
		if (parse_u32(buf, &ids[k]) != 0 || ids[k] == 0)
			goto bad;
		k++;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*out = ids;
	*n = k;
	return 0;
bad:
	free(ids);
	return -EINVAL;
}

/* Split on blanks; returns the count. `rest[i]` points at token i in `orig`. */
static size_t tokenize(char *line, char **tok, const char **rest, const char *orig)
{
	size_t n = 0;
	char *p = line;

	while (n < MAX_TOKENS) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		tok[n] = p;
		rest[n] = orig + (p - line);
		n++;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

/* A name argument: `""` is the empty name; surrounding quotes are dropped. */
static char *unquote(const char *s)
{
	size_t len = strlen(s);

	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		char *d = xstrdup(s + 1);

		d[len - 2] = '\0';
		return d;
	}
	return xstrdup(s);
}

static char *trimmed(const char *s)
{
	char *d = xstrdup(s);
	size_t len = strlen(d);

	while (len > 0 && (d[len - 1] == ' ' || d[len - 1] == '\t'))
		d[--len] = '\0';
	return d;
}

static int parse_target(struct parser *p, const char *tok, struct cmd *c)
{
	if (strcmp(tok, "all") == 0) {
		c->all = true;
		return 0;
	}
	if (parse_u32(tok, &c->node) != 0 || c->node == 0)
		return perr(p, "'%s' is not a node id or 'all'", tok);
	return 0;
}

static int parse_check(struct parser *p, const char *tok, struct check *ck, bool allow_ring)
{
	const char *eq = strchr(tok, '=');
	size_t len;
	size_t f;

	if (eq == NULL)
		return perr(p, "expected FIELD=VALUE, got '%s'", tok);
	len = (size_t)(eq - tok);
	for (f = 0; f < sizeof(field_names) / sizeof(field_names[0]); f++)
		if (strlen(field_names[f]) == len && strncmp(tok, field_names[f], len) == 0)
			break;
	if (f == sizeof(field_names) / sizeof(field_names[0]) ||
	    (f == F_RING_ID_NODEID && !allow_ring))
		return perr(p, "unknown field '%.*s'", (int)len, tok);
	ck->field = (enum field)f;
	if (f == F_QDEVICE_NAME) {
		ck->text = unquote(eq + 1);
		return 0;
	}
	if (parse_u32(eq + 1, &ck->value) != 0)
		return perr(p, "'%s' is not a number", eq + 1);
	if (f == F_QUORATE && ck->value > 1)
		return perr(p, "quorate is 0 or 1");
	return 0;
}

static int parse_expect(struct parser *p, char **tok, size_t n, struct cmd *c)
{
	size_t first;

	/* tok[1] and on are only set up to n (a bare "expect" has none) */
	if (n < 2)
		return perr(p, "expect needs a check");
	if (n == 2 && strcmp(tok[1], "agreement") == 0) {
		c->kind = CMD_EXPECT_AGREEMENT;
		return 0;
	}
	if (n == 2 && strcmp(tok[1], "single_quorate") == 0) {
		c->kind = CMD_EXPECT_SINGLE_QUORATE;
		return 0;
	}
	if (strcmp(tok[1], "view_changes") == 0) {
		uint32_t v;

		c->kind = CMD_EXPECT_VIEW_CHANGES;
		if (n != 3 || parse_u32(tok[2], &v) != 0)
			return perr(p, "expect view_changes N");
		c->num = v;
		return 0;
	}
	if (n < 3)
		return perr(p, "expect needs a node (or all) and checks");
	if (parse_target(p, tok[1], c) != 0)
		return -EINVAL;

	if (strcmp(tok[2], "members") == 0) {
		c->kind = CMD_EXPECT_MEMBERS;
		if (n != 4 || parse_id_list(tok[3], &c->ids, &c->n_ids) != 0)
			return perr(p, "expect members takes one list like 1,2,3");
		return 0;
	}
	if (strcmp(tok[2], "callbacks") == 0) {
		c->kind = CMD_EXPECT_CALLBACKS;
		if (n < 4)
			return perr(p, "expect callbacks needs entries or 'none'");
		c->tokens = calloc(n - 3, sizeof(*c->tokens));
		if (c->tokens == NULL)
			return -ENOMEM;
		for (size_t i = 3; i < n; i++) {
			const char *t = tok[i];
			uint32_t v;
			size_t len = strlen(t);

			if (strcmp(t, "none") == 0) {
				if (n != 4)
					return perr(p, "'none' stands alone");
			} else if (strcmp(t, "nodelist") == 0 || strcmp(t, "quorum") == 0) {
			} else if (strncmp(t, "nodelist(", 9) == 0 && t[len - 1] == ')') {
				char *inner = xstrdup(t + 9);
				uint32_t *ids;
				size_t k;
				int rc;

				inner[strlen(inner) - 1] = '\0';
				rc = inner[0] == '\0' ? 0 : parse_id_list(inner, &ids, &k);
				if (rc == 0 && inner[0] != '\0')
					free(ids);
				free(inner);
				if (rc != 0)
					return perr(p, "bad callback '%s'", t);
			} else if ((strncmp(t, "quorum(", 7) == 0 ||
				    strncmp(t, "expectedvotes(", 14) == 0) &&
				   t[len - 1] == ')') {
				char *inner = xstrdup(strchr(t, '(') + 1);
				int rc;

				inner[strlen(inner) - 1] = '\0';
				rc = parse_u32(inner, &v);
				free(inner);
				if (rc != 0)
					return perr(p, "bad callback '%s'", t);
			} else {
				return perr(p, "unknown callback '%s'", t);
			}
			c->tokens[c->n_tokens++] = xstrdup(t);
		}
		return 0;
	}

	c->kind = CMD_EXPECT_FIELDS;
	first = 2;
	if (strcmp(tok[2], "node") == 0) {
		if (n < 5 || parse_u32(tok[3], &c->other) != 0)
			return perr(p, "expect N node M FIELD=VALUE ...");
		c->has_other = true;
		first = 4;
	}
	c->checks = calloc(n - first, sizeof(*c->checks));
	if (c->checks == NULL)
		return -ENOMEM;
	for (size_t i = first; i < n; i++)
		if (parse_check(p, tok[i], &c->checks[c->n_checks++], !c->has_other) != 0)
			return -EINVAL;
	return 0;
}

static int parse_call(struct parser *p, char **tok, size_t n, struct cmd *c)
{
	size_t arrow, nargs, op;

	c->kind = CMD_CALL;
	for (arrow = 0; arrow < n && strcmp(tok[arrow], "=>") != 0; arrow++)
		;
	if (arrow == n || arrow + 2 != n || arrow < 3)
		return perr(p, "call N OP ARGS... => RESULT");
	if (parse_u32(tok[1], &c->node) != 0 || c->node == 0)
		return perr(p, "'%s' is not a node id", tok[1]);
	for (op = 0; op < sizeof(call_ops) / sizeof(call_ops[0]); op++)
		if (strcmp(tok[2], call_ops[op].name) == 0)
			break;
	if (op == sizeof(call_ops) / sizeof(call_ops[0]))
		return perr(p, "unknown call '%s'", tok[2]);
	nargs = arrow - 3;
	if ((int)nargs < call_ops[op].min_args || (int)nargs > call_ops[op].max_args)
		return perr(p, "%s takes %d to %d arguments", call_ops[op].name,
			    call_ops[op].min_args, call_ops[op].max_args);
	c->call.op = call_ops[op].op;

	{
		size_t r;

		for (r = 0; r < sizeof(results) / sizeof(results[0]); r++)
			if (strcmp(tok[n - 1], results[r].name) == 0)
				break;
		if (r == sizeof(results) / sizeof(results[0]))
			return perr(p, "unknown result '%s'", tok[n - 1]);
		c->expected_result = results[r].value;
	}

	switch (c->call.op) {
	case SIM_CALL_SETEXPECTED:
	case SIM_CALL_GETINFO:
		if (parse_u32(tok[3], &c->call.a) != 0)
			return perr(p, "'%s' is not a number", tok[3]);
		break;
	case SIM_CALL_SETVOTES:
		if (parse_u32(tok[3], &c->call.a) != 0 || parse_u32(tok[4], &c->call.b) != 0)
			return perr(p, "setvotes NODEID VOTES");
		break;
	case SIM_CALL_QDEVICE_REGISTER:
	case SIM_CALL_QDEVICE_UNREGISTER:
		c->name1 = unquote(tok[3]);
		break;
	case SIM_CALL_QDEVICE_UPDATE:
		c->name1 = unquote(tok[3]);
		c->name2 = unquote(tok[4]);
		break;
	case SIM_CALL_QDEVICE_POLL:
		c->name1 = unquote(tok[3]);
		if (parse_u32(tok[4], &c->call.a) != 0)
			return perr(p, "qdevice_poll NAME CAST_VOTE [ring+K]");
		if (nargs == 3) {
			uint32_t k;
			int sign = 0;

			if (strncmp(tok[5], "ring+", 5) == 0)
				sign = 1;
			else if (strncmp(tok[5], "ring-", 5) == 0)
				sign = -1;
			if (sign == 0 || parse_u32(tok[5] + 5, &k) != 0)
				return perr(p, "ring offset must be ring+K");
			c->call.ring_offset = sign * (int64_t)k;
		}
		break;
	case SIM_CALL_QDEVICE_MASTER_WINS:
		c->name1 = unquote(tok[3]);
		if (parse_u32(tok[4], &c->call.a) != 0)
			return perr(p, "qdevice_master_wins NAME ALLOW");
		break;
	case SIM_CALL_CANCEL_WAIT_FOR_ALL:
		break;
	}
	c->call.name = c->name1;
	c->call.name2 = c->name2;
	return 0;
}

static int parse_cluster(struct parser *p, char **tok, size_t n, struct cmd *c)
{
	uint32_t count;

	c->kind = CMD_CLUSTER;
	if (n < 2)
		return perr(p, "cluster N, or cluster ID:VOTES ...");
	c->ids = calloc(MAX_LIST, sizeof(*c->ids));
	c->votes = calloc(MAX_LIST, sizeof(*c->votes));
	if (c->ids == NULL || c->votes == NULL)
		return -ENOMEM;
	if (n == 2 && strchr(tok[1], ':') == NULL) {
		if (parse_u32(tok[1], &count) != 0 || count == 0 || count > MAX_LIST)
			return perr(p, "cluster size must be 1..%d", MAX_LIST);
		for (uint32_t i = 0; i < count; i++) {
			c->ids[i] = i + 1;
			c->votes[i] = 1;
		}
		c->n_ids = count;
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		char *colon = strchr(tok[i], ':');

		if (colon == NULL || c->n_ids == MAX_LIST)
			return perr(p, "expected ID:VOTES, got '%s'", tok[i]);
		*colon = '\0';
		if (parse_u32(tok[i], &c->ids[c->n_ids]) != 0 || c->ids[c->n_ids] == 0 ||
		    parse_u32(colon + 1, &c->votes[c->n_ids]) != 0)
			return perr(p, "expected ID:VOTES");
		c->n_ids++;
	}
	return 0;
}

/* timing delay=US jitter=US wake=US stall_rate=N stall_max=US start_stall=US skew=0|1 */
static int parse_timing(struct parser *p, char **tok, size_t n, struct cmd *c)
{
	static const char *const keys[] = { "delay", "jitter", "wake", "stall_rate",
					    "stall_max", "start_stall", "skew" };
	struct sim_timing *t = &c->timing;
	uint32_t *dst[] = { &t->delay_us, &t->jitter_us, &t->wake_us, &t->stall_rate,
			    &t->stall_max_us, &t->start_stall_us, NULL };

	c->kind = CMD_TIMING;
	for (size_t i = 1; i < n; i++) {
		const char *eq = strchr(tok[i], '=');
		size_t k, len = eq != NULL ? (size_t)(eq - tok[i]) : 0;
		uint32_t v;

		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strlen(keys[k]) == len && strncmp(tok[i], keys[k], len) == 0)
				break;
		if (eq == NULL || k == sizeof(keys) / sizeof(keys[0]) || parse_u32(eq + 1, &v) != 0)
			return perr(p, "timing KEY=NUMBER...: delay jitter wake stall_rate "
				       "stall_max start_stall skew");
		if (dst[k] != NULL)
			*dst[k] = v;
		else
			t->skew = v != 0;
	}
	return 0;
}

static int parse_line(struct parser *p, char *line, const char *orig, struct cmd *c)
{
	char *tok[MAX_TOKENS];
	const char *rest[MAX_TOKENS];
	size_t n = tokenize(line, tok, rest, orig);
	const char *k = tok[0];

	c->line = p->line;
	c->text = trimmed(orig);
	if (strcmp(k, "cluster") == 0)
		return parse_cluster(p, tok, n, c);
	if (strcmp(k, "config") == 0) {
		c->kind = CMD_CONFIG;
		if (n < 3)
			return perr(p, "config KEY VALUE");
		c->key = xstrdup(tok[1]);
		c->value = trimmed(rest[2]);
		return 0;
	}
	if (strcmp(k, "evt_file") == 0) {
		c->kind = CMD_EVT_FILE;
		if (n != 2 || parse_u32(tok[1], (uint32_t *)&c->node) != 0)
			return perr(p, "evt_file VALUE");
		return 0;
	}
	if (strcmp(k, "start") == 0 || strcmp(k, "kill") == 0 || strcmp(k, "stop") == 0) {
		c->kind = k[0] == 's' ? (k[2] == 'a' ? CMD_START : CMD_STOP) : CMD_KILL;
		if (n < 2 || parse_id_list(tok[1], &c->ids, &c->n_ids) != 0)
			return perr(p, "%s takes a node list like 1,2,3", k);
		if (c->kind == CMD_START && n >= 3) {
			if (n < 4 || strcmp(tok[2], "=>") != 0 || strcmp(tok[3], "FAIL") != 0)
				return perr(p, "start LIST => FAIL text");
			c->fail_text = n > 4 ? trimmed(rest[4]) : xstrdup("");
			return 0;
		}
		if (n != 2)
			return perr(p, "%s takes one node list", k);
		return 0;
	}
	if (strcmp(k, "partition") == 0) {
		c->kind = CMD_PARTITION;
		if (n < 2 || n - 1 > MAX_GROUPS)
			return perr(p, "partition LIST LIST ...");
		c->groups = calloc(n - 1, sizeof(*c->groups));
		c->group_sizes = calloc(n - 1, sizeof(*c->group_sizes));
		if (c->groups == NULL || c->group_sizes == NULL)
			return -ENOMEM;
		for (size_t i = 1; i < n; i++) {
			if (parse_id_list(tok[i], &c->groups[i - 1], &c->group_sizes[i - 1]) != 0)
				return perr(p, "bad node list '%s'", tok[i]);
			c->n_groups++;
		}
		return 0;
	}
	if (strcmp(k, "block") == 0 || strcmp(k, "unblock") == 0) {
		char *gt;

		c->kind = k[0] == 'b' ? CMD_BLOCK : CMD_UNBLOCK;
		gt = n == 2 ? strchr(tok[1], '>') : NULL;
		if (gt == NULL)
			return perr(p, "%s A>B", k);
		*gt = '\0';
		if (parse_u32(tok[1], &c->node) != 0 || parse_u32(gt + 1, &c->other) != 0)
			return perr(p, "%s A>B", k);
		return 0;
	}
	if (strcmp(k, "loss") == 0 || strcmp(k, "advance") == 0) {
		uint32_t v;

		c->kind = k[0] == 'l' ? CMD_LOSS : CMD_ADVANCE;
		if (n != 2 || parse_u32(tok[1], &v) != 0 || (c->kind == CMD_LOSS && v > 100))
			return perr(p, "%s takes one number%s", k,
				    c->kind == CMD_LOSS ? " from 0 to 100" : "");
		c->num = v;
		return 0;
	}
	if (strcmp(k, "heal") == 0 || strcmp(k, "forget_callbacks") == 0) {
		c->kind = k[0] == 'h' ? CMD_HEAL : CMD_FORGET_CALLBACKS;
		if (n != 1)
			return perr(p, "%s takes no arguments", k);
		return 0;
	}
	if (strcmp(k, "set") == 0 || strcmp(k, "unset") == 0) {
		c->kind = k[0] == 's' ? CMD_SET : CMD_UNSET;
		if ((c->kind == CMD_SET && n < 4) || (c->kind == CMD_UNSET && n != 3) ||
		    parse_u32(tok[1], &c->node) != 0)
			return perr(p, c->kind == CMD_SET ? "set N KEY VALUE" : "unset N KEY");
		c->key = xstrdup(tok[2]);
		if (c->kind == CMD_SET)
			c->value = trimmed(rest[3]);
		return 0;
	}
	if (strcmp(k, "call") == 0)
		return parse_call(p, tok, n, c);
	if (strcmp(k, "timing") == 0)
		return parse_timing(p, tok, n, c);
	if (strcmp(k, "expect") == 0)
		return parse_expect(p, tok, n, c);
	return perr(p, "unknown command '%s'", k);
}

static void cmd_free(struct cmd *c)
{
	free(c->text);
	free(c->ids);
	free(c->votes);
	for (size_t g = 0; g < c->n_groups; g++)
		free(c->groups[g]);
	free(c->groups);
	free(c->group_sizes);
	free(c->key);
	free(c->value);
	free(c->fail_text);
	free(c->name1);
	free(c->name2);
	for (size_t i = 0; i < c->n_checks; i++)
		free(c->checks[i].text);
	free(c->checks);
	for (size_t i = 0; i < c->n_tokens; i++)
		free(c->tokens[i]);
	free(c->tokens);
}

void scn_free(struct scn_file *f)
{
	if (f == NULL)
		return;
	for (size_t s = 0; s < f->n_scns; s++) {
		for (size_t i = 0; i < f->scns[s].n_cmds; i++)
			cmd_free(&f->scns[s].cmds[i]);
		free(f->scns[s].cmds);
	}
	free(f->scns);
	free(f->path);
	free(f);
}

size_t scn_count(const struct scn_file *f)
{
	return f->n_scns;
}

struct scn_file *scn_parse(const char *path, const char *text, char *err, size_t errlen)
{
	struct scn_file *f = calloc(1, sizeof(*f));
	struct parser p = { .path = path, .err = err, .errlen = errlen };
	const char *line = text;

	if (f == NULL)
		return NULL;
	f->path = xstrdup(path);
	while (*line != '\0') {
		size_t len = strcspn(line, "\n");
		char *buf = malloc(len + 1), *orig, *hash;
		char *s;

		p.line++;
		if (buf == NULL)
			abort();
		memcpy(buf, line, len);
		buf[len] = '\0';
		line += len + (line[len] == '\n');
		if (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
		hash = strchr(buf, '#');
		if (hash != NULL)
			*hash = '\0';
		for (s = buf; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '\0') {
			free(buf);
			continue;
		}
		orig = xstrdup(s);

		if (strncmp(s, "scenario", 8) == 0 && (s[8] == ' ' || s[8] == '\t' || !s[8])) {
			struct scenario *sc;
			char *id = s + 8, *title;

			while (*id == ' ' || *id == '\t')
				id++;
			if (*id == '\0') {
				perr(&p, "scenario needs an ID");
				goto fail;
			}
			title = id + strcspn(id, " \t");
			if (*title != '\0')
				*title++ = '\0';
			while (*title == ' ' || *title == '\t')
				title++;
			sc = realloc(f->scns, (f->n_scns + 1) * sizeof(*sc));
			if (sc == NULL)
				abort();
			f->scns = sc;
			sc = &f->scns[f->n_scns++];
			memset(sc, 0, sizeof(*sc));
			snprintf(sc->id, sizeof(sc->id), "%s", id);
			snprintf(sc->title, sizeof(sc->title), "%s", title);
			{
				size_t tl = strlen(sc->title);

				while (tl > 0 && (sc->title[tl - 1] == ' ' || sc->title[tl - 1] == '\t'))
					sc->title[--tl] = '\0';
			}
		} else {
			struct scenario *sc;
			struct cmd *cmds;

			if (f->n_scns == 0) {
				perr(&p, "command before the first 'scenario'");
				goto fail;
			}
			sc = &f->scns[f->n_scns - 1];
			cmds = realloc(sc->cmds, (sc->n_cmds + 1) * sizeof(*cmds));
			if (cmds == NULL)
				abort();
			sc->cmds = cmds;
			memset(&sc->cmds[sc->n_cmds], 0, sizeof(sc->cmds[0]));
			sc->n_cmds++;
			if (parse_line(&p, s, orig, &sc->cmds[sc->n_cmds - 1]) != 0)
				goto fail;
		}
		free(orig);
		free(buf);
		continue;
fail:
		free(orig);
		free(buf);
		scn_free(f);
		return NULL;
	}
	if (f->n_scns == 0) {
		snprintf(err, errlen, "%s: no scenario in file", path);
		scn_free(f);
		return NULL;
	}
	return f;
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

/* A running node as the last event found it. */
struct before {
	uint32_t id;
	uint64_t inc, views;
};

struct run {
	struct sim_cluster *c;
	struct scn_result *res;
	const struct cmd *cmd;
	bool started;
	const struct cmd *event;	/**< the last event */
	struct before *before;		/**< running nodes before it */
	size_t n_before;
};

static bool failf(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool failf(struct run *r, const char *fmt, ...)
{
	va_list ap;
	int off;

	if (!r->res->passed)
		return false;
	r->res->passed = false;
	off = snprintf(r->res->failure, sizeof(r->res->failure), "line %d: ", r->cmd->line);
	va_start(ap, fmt);
	vsnprintf(r->res->failure + off, sizeof(r->res->failure) - (size_t)off, fmt, ap);
	va_end(ap);
	return false;
}

static bool settled(struct run *r, int rc)
{
	if (rc == -ETIMEDOUT)
		return failf(r, "the cluster did not settle within %u s of virtual time",
			     SIM_SETTLE_LIMIT_MS / 1000);
	if (rc != 0)
		return failf(r, "simulator error %d", rc);
	return true;
}

static uint32_t field_value(enum field f, const struct votequorum_info *info)
{
	switch (f) {
	case F_NODE_ID:
		return info->node_id;
	case F_NODE_STATE:
		return info->node_state;
	case F_NODE_VOTES:
		return info->node_votes;
	case F_NODE_EXPECTED_VOTES:
		return info->node_expected_votes;
	case F_HIGHEST_EXPECTED:
		return info->highest_expected;
	case F_TOTAL_VOTES:
		return info->total_votes;
	case F_QUORUM:
		return info->quorum;
	case F_FLAGS:
	case F_FLAGS_SET:
	case F_FLAGS_CLEAR:
		return info->flags;
	case F_QDEVICE_VOTES:
		return info->qdevice_votes;
	case F_QUORATE:
		return (info->flags & VOTEQUORUM_INFO_QUORATE) ? 1 : 0;
	case F_QDEVICE_NAME:
	case F_RING_ID_NODEID:
		break;
	}
	return 0;
}

static bool check_fields(struct run *r, uint32_t node)
{
	const struct cmd *c = r->cmd;
	struct votequorum_info info;
	uint32_t target = c->has_other ? c->other : 0;
	char who[64];
	cs_error_t rc;

	if (!sim_running(r->c, node))
		return failf(r, "node %" PRIu32 " is not running", node);
	rc = sim_getinfo(r->c, node, target, &info);
	if (c->has_other)
		snprintf(who, sizeof(who), "node %" PRIu32 " node %" PRIu32, node, c->other);
	else
		snprintf(who, sizeof(who), "node %" PRIu32, node);
	if (rc != CS_OK)
		return failf(r, "%s getinfo: %s", who, result_name(rc));

	for (size_t i = 0; i < c->n_checks; i++) {
		const struct check *ck = &c->checks[i];
		uint32_t got;

		switch (ck->field) {
		case F_QDEVICE_NAME:
			if (strcmp(info.qdevice_name, ck->text) != 0)
				return failf(r, "%s qdevice_name: expected \"%s\", got \"%s\"", who,
					     ck->text, info.qdevice_name);
			continue;
		case F_RING_ID_NODEID:
			got = sim_ring_id(r->c, node).nodeid;
			break;
		case F_FLAGS_SET:
			if ((info.flags & ck->value) != ck->value)
				return failf(r, "%s flags: expected bits 0x%" PRIx32
					     " set, got 0x%" PRIx32, who, ck->value, info.flags);
			continue;
		case F_FLAGS_CLEAR:
			if ((info.flags & ck->value) != 0)
				return failf(r, "%s flags: expected bits 0x%" PRIx32
					     " clear, got 0x%" PRIx32, who, ck->value, info.flags);
			continue;
		default:
			got = field_value(ck->field, &info);
			break;
		}
		if (got != ck->value) {
			if (ck->field == F_FLAGS)
				return failf(r, "%s flags: expected 0x%" PRIx32 ", got 0x%" PRIx32,
					     who, ck->value, got);
			return failf(r, "%s %s: expected %" PRIu32 ", got %" PRIu32, who,
				     field_names[ck->field], ck->value, got);
		}
	}
	return true;
}

static void format_list(char *buf, size_t len, const uint32_t *ids, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%" PRIu32, i ? "," : "", ids[i]);
}

static bool check_members(struct run *r, uint32_t node)
{
	const uint32_t *m;
	size_t n;
	char want[4096], got[4096];

	if (!sim_running(r->c, node))
		return failf(r, "node %" PRIu32 " is not running", node);
	n = sim_members(r->c, node, &m);
	if (n == r->cmd->n_ids && memcmp(m, r->cmd->ids, n * sizeof(*m)) == 0)
		return true;
	format_list(want, sizeof(want), r->cmd->ids, r->cmd->n_ids);
	format_list(got, sizeof(got), m, n);
	return failf(r, "node %" PRIu32 " members: expected %s, got %s", node, want, got);
}

static bool callback_matches(const char *want, const char *got)
{
	if (strcmp(want, "nodelist") == 0)
		return strncmp(got, "nodelist(", 9) == 0;
	if (strcmp(want, "quorum") == 0)
		return strncmp(got, "quorum(", 7) == 0;
	return strcmp(want, got) == 0;
}

static bool check_callbacks(struct run *r, uint32_t node)
{
	const struct cmd *c = r->cmd;
	const char *const *log;
	size_t n = sim_callbacks(r->c, node, &log);
	bool none = c->n_tokens == 1 && strcmp(c->tokens[0], "none") == 0;
	size_t want_n = none ? 0 : c->n_tokens;
	bool ok = n == want_n;
	char want[4096] = "", got[4096] = "";
	size_t off;

	for (size_t i = 0; ok && i < n; i++)
		ok = callback_matches(c->tokens[i], log[i]);
	if (!ok) {
		off = 0;
		for (size_t i = 0; i < c->n_tokens && off < sizeof(want); i++)
			off += (size_t)snprintf(want + off, sizeof(want) - off, "%s%s", i ? " " : "",
						c->tokens[i]);
		off = 0;
		for (size_t i = 0; i < n && off < sizeof(got); i++)
			off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%s", i ? " " : "",
						log[i]);
		if (n == 0)
			snprintf(got, sizeof(got), "none");
	}
	sim_forget_callbacks(r->c, node);
	if (!ok)
		return failf(r, "node %" PRIu32 " callbacks: expected %s, got %s", node, want, got);
	return true;
}

/* Nodes that see each other share one view; different views do not overlap. */
static bool check_agreement(struct run *r)
{
	uint32_t ids[SIM_MAX_NODES];
	size_t n = sim_running_ids(r->c, ids, SIM_MAX_NODES);

	for (size_t i = 0; i < n; i++) {
		const uint32_t *mi;
		size_t ni = sim_members(r->c, ids[i], &mi);
		votequorum_ring_id_t ri = sim_ring_id(r->c, ids[i]);
		bool self = false;

		for (size_t k = 0; k < ni; k++)
			self = self || mi[k] == ids[i];
		if (!self)
			return failf(r, "node %" PRIu32 " is not in its own view", ids[i]);
		for (size_t j = 0; j < n; j++) {
			const uint32_t *mj;
			size_t nj = sim_members(r->c, ids[j], &mj);
			votequorum_ring_id_t rj = sim_ring_id(r->c, ids[j]);
			bool same = ni == nj && memcmp(mi, mj, ni * sizeof(*mi)) == 0 &&
				    ri.nodeid == rj.nodeid && ri.seq == rj.seq;
			bool overlap = false;

			if (i == j || same)
				continue;
			for (size_t a = 0; a < ni && !overlap; a++)
				for (size_t b = 0; b < nj && !overlap; b++)
					overlap = mi[a] == mj[b];
			if (overlap)
				return failf(r, "nodes %" PRIu32 " and %" PRIu32
					     " have different, overlapping views", ids[i], ids[j]);
		}
	}
	return true;
}

static bool check_single_quorate(struct run *r)
{
	uint32_t ids[SIM_MAX_NODES];
	size_t n = sim_running_ids(r->c, ids, SIM_MAX_NODES);
	votequorum_ring_id_t first = { 0, 0 };
	bool have = false;

	for (size_t i = 0; i < n; i++) {
		votequorum_ring_id_t ring;

		if (!sim_quorate(r->c, ids[i]))
			continue;
		ring = sim_ring_id(r->c, ids[i]);
		if (!have) {
			first = ring;
			have = true;
		} else if (ring.nodeid != first.nodeid || ring.seq != first.seq) {
			return failf(r, "more than one partition is quorate (rings %" PRIx32
				     ".%" PRIx64 " and %" PRIx32 ".%" PRIx64 ")",
				     first.nodeid, first.seq, ring.nodeid, ring.seq);
		}
	}
	return true;
}

static bool is_event(enum cmd_kind k)
{
	return k >= CMD_START && k <= CMD_CALL;
}

static void snapshot_before(struct run *r)
{
	uint32_t ids[SIM_MAX_NODES];
	size_t n = sim_running_ids(r->c, ids, SIM_MAX_NODES);

	r->event = r->cmd;
	r->n_before = 0;
	for (size_t i = 0; i < n && r->before != NULL; i++) {
		struct before *b = &r->before[r->n_before++];

		b->id = ids[i];
		b->inc = sim_incarnation(r->c, ids[i]);
		b->views = sim_views_installed(r->c, ids[i]);
	}
}

/*
 * Every node that ran through the last event, in the same life, and is not
 * named by it installed exactly N views while the event settled.
 */
static bool check_view_changes(struct run *r)
{
	const struct cmd *e = r->event;

	if (e == NULL)
		return failf(r, "expect view_changes before any event");
	for (size_t i = 0; i < r->n_before; i++) {
		const struct before *b = &r->before[i];
		bool named = false;
		uint64_t got;

		for (size_t k = 0; k < e->n_ids && e->kind <= CMD_STOP; k++)
			named = named || e->ids[k] == b->id;
		if (named || sim_incarnation(r->c, b->id) != b->inc)
			continue;
		got = sim_views_installed(r->c, b->id) - b->views;
		if (got != r->cmd->num)
			return failf(r, "node %" PRIu32 " went through %" PRIu64
				     " view changes in '%s' (line %d), expected %" PRIu64,
				     b->id, got, e->text, e->line, r->cmd->num);
	}
	return true;
}

/* Apply a check to one node or to every running node. */
static bool for_targets(struct run *r, bool (*fn)(struct run *, uint32_t))
{
	uint32_t ids[SIM_MAX_NODES];
	size_t n;

	if (!r->cmd->all)
		return fn(r, r->cmd->node);
	n = sim_running_ids(r->c, ids, SIM_MAX_NODES);
	for (size_t i = 0; i < n; i++)
		if (!fn(r, ids[i]))
			return false;
	return true;
}

static bool run_cmd(struct run *r)
{
	const struct cmd *c = r->cmd;
	struct sim_cluster *sc = r->c;
	char err[1024] = "";
	cs_error_t got;
	int rc;

	switch (c->kind) {
	case CMD_CLUSTER:
		if (r->started)
			return failf(r, "cluster after the first start");
		for (size_t i = 0; i < c->n_ids; i++)
			if (sim_add_node(sc, c->ids[i], c->votes[i]) != 0)
				return failf(r, "cannot define node %" PRIu32, c->ids[i]);
		return true;
	case CMD_CONFIG:
		if (r->started)
			return failf(r, "config after the first start (use set)");
		return sim_config(sc, c->key, c->value) == 0 || failf(r, "bad config key");
	case CMD_EVT_FILE:
		sim_evt_file(sc, c->node);
		return true;
	case CMD_START:
		r->started = true;
		rc = sim_start(sc, c->ids, c->n_ids, err, sizeof(err));
		if (c->fail_text != NULL) {
			if (rc != -EINVAL)
				return failf(r, "start was expected to fail with \"%s\", but it %s",
					     c->fail_text, rc == 0 ? "started" : "failed otherwise");
			if (strstr(err, c->fail_text) == NULL)
				return failf(r, "start failed with \"%s\", expected \"%s\"", err,
					     c->fail_text);
			return true;
		}
		if (rc == -EINVAL)
			return failf(r, "start failed: %s", err);
		return settled(r, rc);
	case CMD_KILL:
		return settled(r, sim_kill(sc, c->ids, c->n_ids));
	case CMD_STOP:
		return settled(r, sim_stop(sc, c->ids, c->n_ids));
	case CMD_PARTITION:
		return settled(r, sim_partition(sc, (const uint32_t *const *)c->groups,
						c->group_sizes, c->n_groups));
	case CMD_BLOCK:
	case CMD_UNBLOCK:
		return settled(r, sim_block(sc, c->node, c->other, c->kind == CMD_BLOCK));
	case CMD_LOSS:
		return settled(r, sim_loss(sc, (unsigned)c->num));
	case CMD_HEAL:
		return settled(r, sim_heal(sc));
	case CMD_ADVANCE:
		return settled(r, sim_advance(sc, c->num));
	case CMD_SET:
		rc = sim_set(sc, c->node, c->key, c->value);
		if (rc == -ENOENT)
			return failf(r, "node %" PRIu32 " is not running", c->node);
		return settled(r, rc);
	case CMD_UNSET:
		rc = sim_unset(sc, c->node, c->key);
		if (rc == -ENOENT)
			return failf(r, "node %" PRIu32 " is not running", c->node);
		return settled(r, rc);
	case CMD_CALL:
		got = sim_call(sc, c->node, &c->call);
		if (got != c->expected_result)
			return failf(r, "node %" PRIu32 " call returned %s, expected %s", c->node,
				     result_name(got), result_name(c->expected_result));
		return true;
	case CMD_EXPECT_FIELDS:
		return for_targets(r, check_fields);
	case CMD_EXPECT_MEMBERS:
		return for_targets(r, check_members);
	case CMD_EXPECT_CALLBACKS:
		return for_targets(r, check_callbacks);
	case CMD_EXPECT_AGREEMENT:
		return check_agreement(r);
	case CMD_EXPECT_SINGLE_QUORATE:
		return check_single_quorate(r);
	case CMD_FORGET_CALLBACKS:
		sim_forget_all_callbacks(sc);
		return true;
	case CMD_TIMING:
		sim_set_timing(sc, &c->timing);
		return true;
	case CMD_EXPECT_VIEW_CHANGES:
		return check_view_changes(r);
	}
	return failf(r, "unknown command");
}

/* After an event, one status line per running node; after a check, "ok". */
static void narrate_outcome(struct run *r, FILE *out)
{
	uint32_t ids[SIM_MAX_NODES];
	size_t n;

	if ((r->cmd->kind >= CMD_EXPECT_FIELDS && r->cmd->kind <= CMD_EXPECT_SINGLE_QUORATE) ||
	    r->cmd->kind == CMD_EXPECT_VIEW_CHANGES) {
		fprintf(out, "  ok\n");
		return;
	}
	if (r->cmd->kind == CMD_CLUSTER || r->cmd->kind == CMD_CONFIG ||
	    r->cmd->kind == CMD_EVT_FILE || r->cmd->kind == CMD_FORGET_CALLBACKS ||
	    r->cmd->kind == CMD_TIMING)
		return;
	n = sim_running_ids(r->c, ids, SIM_MAX_NODES);
	for (size_t i = 0; i < n; i++) {
		struct votequorum_info info;
		votequorum_ring_id_t ring = sim_ring_id(r->c, ids[i]);
		const uint32_t *m;
		size_t nm = sim_members(r->c, ids[i], &m);
		char members[2048];

		if (sim_getinfo(r->c, ids[i], 0, &info) != CS_OK)
			continue;
		format_list(members, sizeof(members), m, nm);
		fprintf(out,
			"  node %" PRIu32 ": ring %" PRIx32 ".%" PRIx64 " members %s  %s  "
			"votes %" PRIu32 "/%" PRIu32 " quorum %" PRIu32 "\n",
			ids[i], ring.nodeid, ring.seq, members,
			(info.flags & VOTEQUORUM_INFO_QUORATE) ? "QUORATE" : "not quorate",
			info.total_votes, info.node_expected_votes, info.quorum);
	}
}

void scn_run(const struct scn_file *f, size_t index, const struct sim_params *p,
	     struct scn_result *out)
{
	const struct scenario *s = &f->scns[index];
	struct run r = { .res = out };

	memset(out, 0, sizeof(*out));
	out->passed = true;
	snprintf(out->id, sizeof(out->id), "%s", s->id);
	snprintf(out->title, sizeof(out->title), "%s", s->title);
	r.c = sim_cluster_new(p);
	if (r.c == NULL) {
		out->passed = false;
		snprintf(out->failure, sizeof(out->failure), "out of memory");
		return;
	}
	if (p->narrate != NULL)
		fprintf(p->narrate, "\n=== scenario %s: %s\n", s->id, s->title);
	r.before = malloc(SIM_MAX_NODES * sizeof(*r.before));
	for (size_t i = 0; i < s->n_cmds; i++) {
		r.cmd = &s->cmds[i];
		if (p->narrate != NULL)
			fprintf(p->narrate, "\n> %s\n", r.cmd->text);
		if (is_event(r.cmd->kind))
			snapshot_before(&r);
		if (!run_cmd(&r))
			break;
		if (p->narrate != NULL)
			narrate_outcome(&r, p->narrate);
	}
	if (p->narrate != NULL && !out->passed)
		fprintf(p->narrate, "  FAILED: %s\n", out->failure);
	free(r.before);
	sim_cluster_free(r.c);
}
