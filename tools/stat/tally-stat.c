/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tally-stat: one tallyd's own state, which votequorum cannot show: ring id,
 * membership counters, frame verdicts (authentication failures, replays,
 * unknown senders), datapath counters and the lcore's busy ratio; every
 * peer with its last-heartbeat age, failure-detector suspicion and RTT
 * histogram; the view history with ring ids and times; then its
 * libvotequorum clients (pid, uid, tracking, fd use) and how far each is
 * behind the event log.
 *
 *   tally-stat [--json] [--clients] [--screen] [-w SECONDS]
 *
 * Plain output is the daemon's "key: value" lines, for scripts; --json one
 * structured object (node, counters, peers[], views[], clients[]);
 * --screen, and -w without --json, a screen laid out for people (peers by
 * id, suspected ones marked), redrawn every SECONDS. --clients shows the
 * client section only (it needs no engine status).
 *
 * It asks the daemon of $TALLY_INSTANCE (the one of this network namespace
 * by default) over the control socket. Exit: 0, 1 (no daemon, refused).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbipcc.h>

#include "tally/ctl_proto.h"

/* One page of the status text at `offset` of generation `*gen` (any, at 0). */
static int fetch_page(qb_ipcc_connection_t *c, uint32_t offset, uint64_t *gen, char *out,
		      uint32_t *total, size_t *len)
{
	struct tally_ctl_req_status rq = { { .id = TALLY_CTL_REQ_STATUS, .size = sizeof(rq) },
					   .generation = *gen, .offset = offset };
	char buf[TALLY_CTL_MSG_MAX];
	struct tally_ctl_res_status *res = (void *)buf;
	ssize_t n = qb_ipcc_sendv_recv(c, &(struct iovec){ &rq, sizeof(rq) }, 1, buf, sizeof(buf),
				       5000);

	*len = 0;
	if (n < 0)
		return (int)n;
	if ((size_t)n <= sizeof(*res) || res->hdr.error != 1 /* CS_OK */ || res->offset != offset ||
	    res->total >= TALLY_CTL_STATUS_TEXT_MAX)
		return -EPROTO;
	buf[n - 1] = '\0';
	*len = strlen(res->text);
	if (offset + *len > res->total)
		return -EPROTO;
	memcpy(out + offset, res->text, *len);
	*gen = res->generation;
	*total = res->total;
	return 0;
}

/*
 * The whole status text into out (TALLY_CTL_STATUS_TEXT_MAX bytes), page by
 * page. The copy the pages come from is this connection's own, so nobody
 * else's read can replace it half way.
 */
static int fetch(qb_ipcc_connection_t *c, char *out)
{
	uint64_t gen = 0;
	uint32_t offset = 0, total = 0;
	size_t len;
	int rc;

	do {
		rc = fetch_page(c, offset, &gen, out, &total, &len);
		offset += (uint32_t)len;
	} while (rc == 0 && offset < total && len > 0);
	if (rc == 0 && offset != total)
		rc = -EPROTO;
	out[rc == 0 ? total : 0] = '\0';
	return rc;
}

/* ---- the status: "key: value" lines, some values "k=v k=v" words ---- */

#define MAX_LINES 16384	/* more than 4096 peers' lines and the rest */
/* tally_probe.h's buckets: bucket b holds [2^b, 2^(b+1)) µs, bucket 0 from 0, the last no end */
#define RTT_BUCKETS 24u

struct status {
	size_t n;
	const char *key[MAX_LINES], *val[MAX_LINES];
};

/* Split text in place into keys and values. */
static void parse_status(char *text, struct status *st)
{
	st->n = 0;
	for (char *line = text; *line != '\0' && st->n < MAX_LINES;) {
		char *end = strchr(line, '\n'), *colon;

		if (end != NULL)
			*end = '\0';
		colon = strstr(line, ": ");
		if (colon != NULL) {
			*colon = '\0';
			st->key[st->n] = line;
			st->val[st->n++] = colon + 2;
		}
		if (end == NULL)
			break;
		line = end + 1;
	}
}

static const char *get(const struct status *st, const char *key)
{
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->key[i], key) == 0)
			return st->val[i];
	return NULL;
}

static uint64_t get_num(const struct status *st, const char *key)
{
	const char *v = get(st, key);

	return v != NULL ? strtoull(v, NULL, 10) : 0;
}

/* The value of word "k=..." of a compound value, into out. false: none. */
static bool word(const char *val, const char *k, char *out, size_t len)
{
	size_t kl = strlen(k);

	for (const char *w = val; w != NULL && *w != '\0'; w = strchr(w, ' ')) {
		size_t n;

		while (*w == ' ')
			w++;
		n = strcspn(w, " ");
		if (n > kl && strncmp(w, k, kl) == 0 && w[kl] == '=') {
			snprintf(out, len, "%.*s", (int)(n - kl - 1), w + kl + 1);
			return true;
		}
	}
	return false;
}

/* A word's number; UINT64_MAX when missing or "never". */
static uint64_t word_num(const char *val, const char *k)
{
	char v[64];

	if (!word(val, k, v, sizeof(v)) || strcmp(v, "never") == 0)
		return UINT64_MAX;
	return strtoull(v, NULL, 10);
}

static bool is_number(const char *v)
{
	char *end;

	if (*v == '\0')
		return false;
	strtod(v, &end);
	return *end == '\0';
}

/* ---- JSON ---- */

enum kind { NUM, BOOL, STR };

struct field {
	const char *json, *key;
	enum kind kind;
};

static void json_str(const char *v)
{
	putchar('"');
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			printf("\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			printf("\\u%04x", *v);
		else
			putchar(*v);
	}
	putchar('"');
}

/* NULL, "never" and what is not a number (for NUM) are null. */
static void json_value(const char *v, enum kind kind)
{
	if (v == NULL || strcmp(v, "never") == 0 || (kind != STR && !is_number(v)))
		printf("null");
	else if (kind == BOOL)
		printf("%s", strtoull(v, NULL, 10) != 0 ? "true" : "false");
	else if (kind == NUM)
		printf("%s", v);
	else
		json_str(v);
}

static void json_member(const char *name, const char *v, enum kind kind, bool *first)
{
	printf("%s\"%s\": ", *first ? "" : ", ", name);
	json_value(v, kind);
	*first = false;
}

/* Fields of the top-level keys... */
static void json_keys(const struct status *st, const struct field *f, size_t n, bool *first)
{
	for (size_t i = 0; i < n; i++)
		json_member(f[i].json, get(st, f[i].key), f[i].kind, first);
}

/* ...and of a compound value's words. */
static void json_words(const char *val, const struct field *f, size_t n, bool *first)
{
	char v[256];

	for (size_t i = 0; i < n; i++)
		json_member(f[i].json, word(val, f[i].key, v, sizeof(v)) ? v : NULL, f[i].kind,
			    first);
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct field node_fields[] = {
	{ "nodeid", "nodeid", NUM },	 { "incarnation", "incarnation", NUM },
	{ "pid", "pid", NUM },		 { "port", "port", STR },
	{ "lcore", "lcore", NUM },	 { "idle", "idle", STR },
	{ "uptime_us", "uptime_us", NUM }, { "members", "members", NUM },
	{ "quorate", "quorate", BOOL },	 { "in_sync", "in_sync", BOOL },
	{ "stable", "stable", BOOL },	 { "leaving", "leaving", BOOL },
	{ "busy_pct", "busy_pct", NUM }, { "sleeps", "sleeps", NUM },
};

static const struct field peer_fields[] = {
	{ "frames", "frames", NUM },
	{ "last_heard_us", "last_heard_us", NUM },
	{ "state", "state", STR },
	{ "heard", "heard", BOOL },
	{ "member", "member", BOOL },
	{ "silent_us", "silent_us", NUM },
	{ "missed", "missed", NUM },
	{ "miss_count", "miss_count", NUM },
	{ "flaps", "flaps", NUM },
	{ "damp_left_us", "damp_left_us", NUM },
	{ "unresponsive", "unresponsive", BOOL },
	{ "taken", "taken", BOOL },
};

static const struct field rtt_fields[] = {
	{ "probes", "probes", NUM },	 { "answered", "answered", NUM },
	{ "lost", "lost", NUM },	 { "last_us", "rtt_last_us", NUM },
	{ "min_us", "rtt_min_us", NUM }, { "ewma_us", "rtt_ewma_us", NUM },
	{ "max_us", "rtt_max_us", NUM }, { "p50_us", "rtt_p50_us", NUM },
	{ "p99_us", "rtt_p99_us", NUM },
};

static const struct field view_fields[] = {
	{ "members", "members", NUM },
	{ "age_ms", "age_ms", NUM },
	{ "time", "time", NUM },
};

static bool is_node_key(const char *k)
{
	for (size_t i = 0; i < N_OF(node_fields); i++)
		if (strcmp(node_fields[i].key, k) == 0)
			return true;
	return strncmp(k, "ring_", 5) == 0;
}

static bool suspected(const char *state)
{
	return strcmp(state, "alive") != 0;
}

/* "6:3,7:9" as bucket objects with their bounds. */
static void json_hist(const char *h)
{
	bool first = true;

	putchar('[');
	for (const char *p = h; *p >= '0' && *p <= '9';) {
		char *end;
		unsigned long b = strtoul(p, &end, 10);
		unsigned long long c;

		if (*end != ':' || b >= RTT_BUCKETS)
			break;
		c = strtoull(end + 1, &end, 10);
		printf("%s{\"bucket\": %lu, \"lo_us\": %llu, \"hi_us\": ", first ? "" : ", ", b,
		       b == 0 ? 0ull : 1ull << b);
		if (b == RTT_BUCKETS - 1)
			printf("null");
		else
			printf("%llu", 2ull << b);
		printf(", \"count\": %llu}", c);
		first = false;
		p = *end == ',' ? end + 1 : end;
	}
	putchar(']');
}

static void json_peer(const char *id, const char *v)
{
	char state[32], hist[512];
	bool first = false;

	printf("{\"nodeid\": %s", id);
	json_words(v, peer_fields, N_OF(peer_fields), &first);
	if (word(v, "state", state, sizeof(state)))
		printf(", \"suspected\": %s", suspected(state) ? "true" : "false");
	printf(", \"rtt\": {");
	first = true;
	json_words(v, rtt_fields, N_OF(rtt_fields), &first);
	printf(", \"histogram\": ");
	json_hist(word(v, "rtt_hist", hist, sizeof(hist)) ? hist : "");
	printf("}}");
}

/* ring=N.S in hex, as corosync writes ring ids */
static bool parse_ring(const char *v, unsigned long long *node, unsigned long long *seq)
{
	char r[64], *end;

	if (!word(v, "ring", r, sizeof(r)))
		return false;
	*node = strtoull(r, &end, 16);
	if (*end != '.')
		return false;
	*seq = strtoull(end + 1, &end, 16);
	return *end == '\0';
}

/* Seconds since the epoch as "YYYY-MM-DD HH:MM:SS" (UTC). */
static void utc_text(double t, char *out, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	if (gmtime_r(&s, &tm) == NULL || strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, len, "-");
}

static void json_view(const char *v)
{
	unsigned long long node = 0, seq = 0;
	char t[64], utc[32];
	bool first = false;

	printf("{\"ring\": ");
	if (parse_ring(v, &node, &seq))
		printf("{\"nodeid\": %llu, \"seq\": %llu, \"id\": \"%llx.%llx\"}", node, seq, node,
		       seq);
	else
		printf("null");
	json_words(v, view_fields, N_OF(view_fields), &first);
	if (word(v, "time", t, sizeof(t))) {
		utc_text(strtod(t, NULL), utc, sizeof(utc));
		printf(", \"utc\": \"%sZ\"", utc);
	}
	putchar('}');
}

static void print_json(const struct status *st)
{
	bool first = true;

	printf("\"node\": {");
	json_keys(st, node_fields, N_OF(node_fields), &first);
	printf(", \"ring\": {\"nodeid\": %" PRIu64 ", \"seq\": %" PRIu64 "}}",
	       get_num(st, "ring_nodeid"), get_num(st, "ring_seq"));
	printf(", \"counters\": {");
	first = true;
	for (size_t i = 0; i < st->n; i++)
		if (!is_node_key(st->key[i]) && strchr(st->key[i], '.') == NULL)
			json_member(st->key[i], st->val[i], NUM, &first);
	printf("}, \"peers\": [");
	first = true;
	for (size_t i = 0; i < st->n; i++) {
		if (strncmp(st->key[i], "peer.", 5) != 0)
			continue;
		printf("%s", first ? "" : ", ");
		json_peer(st->key[i] + 5, st->val[i]);
		first = false;
	}
	printf("], \"views\": [");
	first = true;
	for (size_t i = 0; i < st->n; i++) {
		if (strncmp(st->key[i], "view.", 5) != 0)
			continue;
		printf("%s", first ? "" : ", ");
		json_view(st->val[i]);
		first = false;
	}
	putchar(']');
}

/* ---- clients: the CLIENTS request, page by page ---- */

struct clients {
	uint64_t head_seq;
	uint32_t total, n;
	struct tally_ctl_client_info *c;
};

static int fetch_clients(qb_ipcc_connection_t *c, struct clients *out)
{
	char buf[TALLY_CTL_MSG_MAX];
	struct tally_ctl_res_clients *res = (void *)buf;

	out->n = 0;
	for (uint32_t first = 0;; first += res->count) {
		struct tally_ctl_req_clients rq = { { .id = TALLY_CTL_REQ_CLIENTS,
						      .size = sizeof(rq) }, first, 0 };
		ssize_t n = qb_ipcc_sendv_recv(c, &(struct iovec){ &rq, sizeof(rq) }, 1, buf,
					       sizeof(buf), 5000);
		struct tally_ctl_client_info *t;

		if (n < 0)
			return (int)n;
		if ((size_t)n < sizeof(*res) || res->hdr.error != 1 /* CS_OK */ ||
		    res->count > TALLY_CTL_CLIENTS_PER_REPLY ||
		    (size_t)n != sizeof(*res) + res->count * sizeof(res->client[0]))
			return -EPROTO;
		if (res->count == 0)
			break;
		t = realloc(out->c, (out->n + res->count) * sizeof(*t));
		if (t == NULL)
			return -ENOMEM;
		out->c = t;
		memcpy(out->c + out->n, res->client, res->count * sizeof(*t));
		out->n += res->count;
		out->head_seq = res->head_seq;
		out->total = res->total;
	}
	return 0;
}

static const struct {
	uint32_t bit;
	const char *name;
} client_flags[] = {
	{ TALLY_CTL_CLIENT_TRACKING, "tracking" }, { TALLY_CTL_CLIENT_FD, "fd" },
	{ TALLY_CTL_CLIENT_SLEEPING, "sleeping" }, { TALLY_CTL_CLIENT_WATCH, "watch" },
	{ TALLY_CTL_CLIENT_LAPPED, "lapped" },
};

/* "tracking,fd", or "-" */
static const char *flags_text(const struct tally_ctl_client_info *ci, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t k = 0; k < N_OF(client_flags) && off < len; k++)
		if (ci->flags & client_flags[k].bit)
			off += (size_t)snprintf(out + off, len - off, "%s%s", off > 0 ? "," : "",
						client_flags[k].name);
	return off > 0 ? out : "-";
}

/* Libraries only: tools like this one say no hello. */
static uint32_t libraries(const struct clients *cl)
{
	uint32_t libs = 0;

	for (uint32_t i = 0; i < cl->n; i++)
		libs += !!(cl->c[i].flags & TALLY_CTL_CLIENT_HELLO);
	return libs;
}

static void print_clients_text(const struct clients *cl)
{
	uint32_t libs = libraries(cl);
	char flags[64];

	printf("clients: %u\nlog_head_seq: %" PRIu64 "\n", libs, cl->head_seq);
	if (libs == 0)
		return;
	printf("%8s %6s %6s %12s %8s %7s  %s\n", "pid", "uid", "gid", "cursor", "lag", "resyncs",
	       "flags");
	for (uint32_t i = 0; i < cl->n; i++) {
		const struct tally_ctl_client_info *ci = &cl->c[i];

		if (!(ci->flags & TALLY_CTL_CLIENT_HELLO))
			continue;
		if (ci->flags & TALLY_CTL_CLIENT_SLOT)
			printf("%8d %6u %6u %12" PRIu64 " %8" PRIu64 " %7u  ", ci->pid, ci->uid,
			       ci->gid, ci->cursor_seq, ci->lag, ci->resyncs);
		else	/* no slot: the engine knows nothing of its cursor */
			printf("%8d %6u %6u %12s %8s %7s  ", ci->pid, ci->uid, ci->gid, "-", "-",
			       "-");
		printf("%s\n", flags_text(ci, flags, sizeof(flags)));
	}
}

static void print_clients_json(const struct clients *cl, bool first)
{
	bool one = false;

	printf("%s\"log_head_seq\": %" PRIu64 ", \"clients\": [", first ? "" : ", ",
	       cl->head_seq);
	for (uint32_t i = 0; i < cl->n; i++) {
		const struct tally_ctl_client_info *ci = &cl->c[i];

		if (!(ci->flags & TALLY_CTL_CLIENT_HELLO))
			continue;
		printf("%s{\"pid\": %d, \"uid\": %u, \"gid\": %u", one ? ", " : "", ci->pid,
		       ci->uid, ci->gid);
		if (ci->flags & TALLY_CTL_CLIENT_SLOT)
			printf(", \"cursor_seq\": %" PRIu64 ", \"lag\": %" PRIu64
			       ", \"resyncs\": %u",
			       ci->cursor_seq, ci->lag, ci->resyncs);
		for (size_t k = 0; k < N_OF(client_flags); k++)
			printf(", \"%s\": %s", client_flags[k].name,
			       ci->flags & client_flags[k].bit ? "true" : "false");
		putchar('}');
		one = true;
	}
	putchar(']');
}

/* ---- the screen for people ---- */

/* Lines left on the terminal; every line is cut to its width. */
struct screen {
	int left, cols;
};

__attribute__((format(printf, 2, 3))) static void say(struct screen *sc, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (sc->left <= 0)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("%.*s\n", sc->cols, line);
	sc->left--;
}

static void blank(struct screen *sc)
{
	say(sc, "%s", "");
}

/* µs as "850us", "12.3ms", "4.1s"; "-" for none (UINT64_MAX). */
static const char *dur(uint64_t us, char *out, size_t len)
{
	if (us == UINT64_MAX)
		snprintf(out, len, "-");
	else if (us < 1000)
		snprintf(out, len, "%" PRIu64 "us", us);
	else if (us < 1000000)
		snprintf(out, len, "%.1fms", (double)us / 1e3);
	else
		snprintf(out, len, "%.1fs", (double)us / 1e6);
	return out;
}

/* An RTT word: "-" before the first sample. */
static const char *rtt(const char *v, const char *k, char *out, size_t len)
{
	return dur(word_num(v, "answered") == 0 ? UINT64_MAX : word_num(v, k), out, len);
}

static const char *val_or(const struct status *st, const char *key, const char *dflt)
{
	const char *v = get(st, key);

	return v != NULL ? v : dflt;
}

static void screen_head(struct screen *sc, const struct status *st)
{
	static const char *const other[] = { "wire_short", "wire_bad_magic", "wire_bad_version",
					     "wire_bad_length", "wire_other_cluster", "own_id",
					     "bad_type" };
	uint64_t others = 0;
	time_t now = time(NULL);
	struct tm tm;
	char clock[16] = "", up[16];

	for (size_t i = 0; i < N_OF(other); i++)
		others += get_num(st, other[i]);
	if (gmtime_r(&now, &tm) != NULL)
		strftime(clock, sizeof(clock), "%H:%M:%S UTC", &tm);
	say(sc, "tally-stat  node %s  ring %" PRIx64 ".%" PRIx64 "  %s members  %s%s%s  %s",
	    val_or(st, "nodeid", "?"), get_num(st, "ring_nodeid"), get_num(st, "ring_seq"),
	    val_or(st, "members", "?"), get_num(st, "quorate") ? "quorate" : "NOT QUORATE",
	    get_num(st, "stable") ? "  stable" : "  changing",
	    get_num(st, "leaving") ? "  leaving" : "", clock);
	say(sc, "up %s  lcore %s busy %s%%  views %s  port %s",
	    dur(get_num(st, "uptime_us"), up, sizeof(up)), val_or(st, "lcore", "?"),
	    val_or(st, "busy_pct", "?"), val_or(st, "views_installed", "?"),
	    val_or(st, "port", "?"));
	say(sc, "heartbeats out/in %s/%s  msgs out/in %s/%s  nacks %s  stalls %s",
	    val_or(st, "hb_sent", "?"), val_or(st, "hb_received", "?"),
	    val_or(st, "msgs_sent", "?"), val_or(st, "msgs_received", "?"),
	    val_or(st, "nacks_sent", "?"), val_or(st, "stalls", "?"));
	say(sc, "rx ok %s  bad_mac %s  replay %s  stale %s  bad_body %s  unknown %s  other %" PRIu64,
	    val_or(st, "wire_ok", "?"), val_or(st, "wire_bad_mac", "?"),
	    val_or(st, "wire_replay", "?"), val_or(st, "wire_stale_incarnation", "?"),
	    val_or(st, "wire_bad_body", "?"), val_or(st, "unknown_sender", "?"), others);
	say(sc, "tx %s  tx_drop %s  probes sent %s  answered %s  unmatched %s",
	    val_or(st, "tx", "?"), val_or(st, "tx_drop", "?"), val_or(st, "probe_pings_sent", "?"),
	    val_or(st, "probe_pongs_received", "?"), val_or(st, "probe_unmatched", "?"));
}

/* Peers are listed by id already (the daemon sorts them). */
static void screen_peers(struct screen *sc, const struct status *st, int room)
{
	size_t n = 0, shown = 0;

	for (size_t i = 0; i < st->n; i++)
		n += strncmp(st->key[i], "peer.", 5) == 0;
	blank(sc);
	say(sc, "  %5s %-7s %8s %9s %7s %7s %7s %7s %5s", "NODE", "STATE", "LAST HB", "MISSED",
	    "RTT p50", "LAST", "MIN", "EWMA", "LOST");
	for (size_t i = 0; i < st->n; i++) {
		const char *v = st->val[i];
		char state[16] = "?", a[16], b[16], c[16], d[16], e[16], missed[24];

		if (strncmp(st->key[i], "peer.", 5) != 0)
			continue;
		if (shown + 1 == (size_t)room && shown + 1 < n) {
			say(sc, "  ... %zu more peers (tally-stat --json)", n - shown);
			break;
		}
		word(v, "state", state, sizeof(state));
		/* a peer dead for hours has missed millions: the column says enough at 9999 */
		snprintf(missed, sizeof(missed), "%" PRIu64 "/%" PRIu64,
			 word_num(v, "missed") < 9999 ? word_num(v, "missed") : 9999,
			 word_num(v, "miss_count"));
		say(sc, "%c %5s %-7s %8s %9s %7s %7s %7s %7s %5" PRIu64,
		    suspected(state) ? '*' : ' ', st->key[i] + 5, state,
		    dur(word_num(v, "silent_us"), a, sizeof(a)), missed,
		    rtt(v, "rtt_p50_us", b, sizeof(b)), rtt(v, "rtt_last_us", c, sizeof(c)),
		    rtt(v, "rtt_min_us", d, sizeof(d)), rtt(v, "rtt_ewma_us", e, sizeof(e)),
		    word_num(v, "lost"));
		shown++;
	}
}

static void screen_views(struct screen *sc, const struct status *st, int room)
{
	blank(sc);
	say(sc, "VIEWS (newest first)");
	for (size_t i = 0; i < st->n && room > 0; i++) {
		const char *v = st->val[i];
		unsigned long long node, seq;
		char t[64] = "", utc[32], m[16] = "?", age[16];

		if (strncmp(st->key[i], "view.", 5) != 0 || !parse_ring(v, &node, &seq))
			continue;
		word(v, "time", t, sizeof(t));
		word(v, "members", m, sizeof(m));
		utc_text(strtod(t, NULL), utc, sizeof(utc));
		say(sc, "  ring %llx.%-6llx %4s members  %s UTC  %s ago", node, seq, m, utc,
		    dur((uint64_t)(strtod(word(v, "age_ms", age, sizeof(age)) ? age : "0", NULL) *
				   1000.0), age, sizeof(age)));
		room--;
	}
}

static void screen_clients(struct screen *sc, const struct clients *cl)
{
	char flags[64];

	blank(sc);
	say(sc, "CLIENTS %u  (event log head %" PRIu64 ")", libraries(cl), cl->head_seq);
	if (libraries(cl) > 0)
		say(sc, "  %8s %6s %8s  %s", "PID", "UID", "LAG", "FLAGS");
	for (uint32_t i = 0; i < cl->n; i++) {
		const struct tally_ctl_client_info *ci = &cl->c[i];

		if (!(ci->flags & TALLY_CTL_CLIENT_HELLO))
			continue;
		if (sc->left == 1 && i + 1 < cl->n) {
			say(sc, "  ... (tally-stat --clients)");
			break;
		}
		if (ci->flags & TALLY_CTL_CLIENT_SLOT)
			say(sc, "  %8d %6u %8" PRIu64 "  %s", ci->pid, ci->uid, ci->lag,
			    flags_text(ci, flags, sizeof(flags)));
		else
			say(sc, "  %8d %6u %8s  %s", ci->pid, ci->uid, "-",
			    flags_text(ci, flags, sizeof(flags)));
	}
}

/*
 * Head (5 lines), peers, views (up to 5), clients, within the terminal:
 * every peer that fits comes before any view, and a view of the last
 * change is kept over the clients' rows.
 */
static void print_screen(const struct status *st, const struct clients *cl)
{
	struct winsize ws;
	struct screen sc = { 23, 80 };
	int peer_room;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 8 && ws.ws_col > 20) {
		sc.left = ws.ws_row - 1;	/* no newline on the last row: no scrolling */
		sc.cols = ws.ws_col;
	}
	screen_head(&sc, st);
	/* room for 2 lines of views and 3 of clients after the peers */
	peer_room = sc.left - 2 - 4 - 3;
	screen_peers(&sc, st, peer_room > 1 ? peer_room : 1);
	screen_views(&sc, st, sc.left - 2 - 3 < 5 ? sc.left - 2 - 3 : 5);
	screen_clients(&sc, cl);
}

static int usage(void)
{
	fprintf(stderr, "usage: tally-stat [--json] [--clients] [--screen] [-w SECONDS]\n");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "clients", no_argument, NULL, 'C' },
		{ "screen", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char service[TALLY_CTL_SERVICE_MAX];
	char *text = malloc(TALLY_CTL_STATUS_TEXT_MAX);
	qb_ipcc_connection_t *c;
	struct clients cl = { 0 };
	struct status *st = calloc(1, sizeof(*st));
	bool json = false, clients_only = false, screen = false;
	double every = 0;
	int opt, rc = 0;

	while ((opt = getopt_long(argc, argv, "jsw:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'C':
			clients_only = true;
			break;
		case 's':
			screen = true;
			break;
		case 'w':
			every = atof(optarg);
			if (every <= 0)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (st == NULL || text == NULL)
		return 1;
	/* a refreshing view is for people, unless they asked for JSON */
	screen = !json && !clients_only && (screen || every > 0);
	if (tally_ctl_service_name(getenv(TALLY_CTL_INSTANCE_ENV), service, sizeof(service)) != 0) {
		fprintf(stderr, "tally-stat: bad %s\n", TALLY_CTL_INSTANCE_ENV);
		return 1;
	}
	c = qb_ipcc_connect(service, TALLY_CTL_MSG_MAX);
	if (c == NULL) {
		fprintf(stderr, "tally-stat: cannot reach tallyd (%s): %s\n", service,
			strerror(errno));
		return 1;
	}
	do {
		text[0] = '\0';
		rc = clients_only ? 0 : fetch(c, text);
		if (rc != 0) {
			fprintf(stderr, "tally-stat: status request failed: %s\n", strerror(-rc));
			break;
		}
		rc = fetch_clients(c, &cl);
		if (rc != 0) {
			fprintf(stderr, "tally-stat: clients request failed: %s\n", strerror(-rc));
			break;
		}
		if (screen) {
			parse_status(text, st);
			if (every > 0)
				printf("\033[H\033[2J");
			print_screen(st, &cl);
		} else if (json) {
			putchar('{');
			if (!clients_only) {
				parse_status(text, st);
				print_json(st);
			}
			print_clients_json(&cl, clients_only);
			printf("}\n");
		} else {
			if (every > 0)
				printf("\033[H\033[2J");
			fputs(text, stdout);
			print_clients_text(&cl);
		}
		fflush(stdout);
		if (every > 0)
			usleep((useconds_t)(every * 1e6));
	} while (every > 0);
	qb_ipcc_disconnect(c);
	free(cl.c);
	free(st);
	free(text);
	return rc == 0 ? 0 : 1;
}
