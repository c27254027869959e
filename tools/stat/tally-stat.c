/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tally-stat: one tallyd's own state, which votequorum cannot show: ring id,
 * membership counters, frame verdicts (authentication failures, replays,
 * unknown senders), datapath counters and the lcore's busy ratio; then
 * its libvotequorum clients (pid, uid, tracking, fd use) and how far each
 * is behind the event log.
 *
 *   tally-stat [--json] [--clients] [-w SECONDS]
 *
 * --clients shows the client section only (it needs no engine status).
 *
 * It asks the daemon of $TALLY_INSTANCE (the one of this network namespace
 * by default) over the control socket. Exit: 0, 1 (no daemon, refused).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qb/qbipcc.h>

#include "tally/ctl_proto.h"

static int fetch(qb_ipcc_connection_t *c, char *out, size_t len)
{
	struct tally_ctl_req_status rq = { { .id = TALLY_CTL_REQ_STATUS, .size = sizeof(rq) } };
	char buf[TALLY_CTL_MSG_MAX];
	struct tally_ctl_res_status *res = (void *)buf;
	ssize_t n = qb_ipcc_sendv_recv(c, &(struct iovec){ &rq, sizeof(rq) }, 1, buf, sizeof(buf),
				       5000);

	if (n < 0)
		return (int)n;
	if ((size_t)n <= sizeof(res->hdr) || res->hdr.error != 1 /* CS_OK */)
		return -EPROTO;
	buf[n - 1] = '\0';
	snprintf(out, len, "%s", res->text);
	return 0;
}

/* "key: value" lines as JSON members; values that are numbers stay numbers. */
static void print_json(const char *text)
{
	const char *line = text;
	bool first = true;

	while (*line != '\0') {
		const char *end = strchr(line, '\n'), *colon = strstr(line, ": ");
		size_t n = end ? (size_t)(end - line) : strlen(line);

		if (colon != NULL && colon < line + n) {
			const char *v = colon + 2;
			int vlen = (int)(line + n - v);
			char *num_end;

			strtod(v, &num_end);
			printf("%s\"%.*s\": ", first ? "" : ", ", (int)(colon - line), line);
			if (vlen > 0 && num_end == line + n)
				printf("%.*s", vlen, v);
			else	/* our values never hold quotes or backslashes */
				printf("\"%.*s\"", vlen, v);
			first = false;
		}
		line += n + (end ? 1 : 0);
	}
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

/* Libraries only: tools like this one say no hello. */
static void print_clients_text(const struct clients *cl)
{
	uint32_t libs = 0;

	for (uint32_t i = 0; i < cl->n; i++)
		libs += !!(cl->c[i].flags & TALLY_CTL_CLIENT_HELLO);
	printf("clients: %u\nlog_head_seq: %" PRIu64 "\n", libs, cl->head_seq);
	if (libs == 0)
		return;
	printf("%8s %6s %6s %12s %8s %7s  %s\n", "pid", "uid", "gid", "cursor", "lag", "resyncs",
	       "flags");
	for (uint32_t i = 0; i < cl->n; i++) {
		const struct tally_ctl_client_info *ci = &cl->c[i];
		bool any = false;

		if (!(ci->flags & TALLY_CTL_CLIENT_HELLO))
			continue;
		if (ci->flags & TALLY_CTL_CLIENT_SLOT)
			printf("%8d %6u %6u %12" PRIu64 " %8" PRIu64 " %7u  ", ci->pid, ci->uid,
			       ci->gid, ci->cursor_seq, ci->lag, ci->resyncs);
		else	/* no slot: the engine knows nothing of its cursor */
			printf("%8d %6u %6u %12s %8s %7s  ", ci->pid, ci->uid, ci->gid, "-", "-",
			       "-");
		for (size_t k = 0; k < sizeof(client_flags) / sizeof(client_flags[0]); k++) {
			if (ci->flags & client_flags[k].bit) {
				printf("%s%s", any ? "," : "", client_flags[k].name);
				any = true;
			}
		}
		printf("%s\n", any ? "" : "-");
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
		for (size_t k = 0; k < sizeof(client_flags) / sizeof(client_flags[0]); k++)
			printf(", \"%s\": %s", client_flags[k].name,
			       ci->flags & client_flags[k].bit ? "true" : "false");
		putchar('}');
		one = true;
	}
	putchar(']');
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "clients", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char service[TALLY_CTL_SERVICE_MAX], text[TALLY_CTL_MSG_MAX];
	qb_ipcc_connection_t *c;
	struct clients cl = { 0 };
	bool json = false, clients_only = false;
	double every = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "jw:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'C':
			clients_only = true;
			break;
		case 'w':
			every = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: tally-stat [--json] [--clients] [-w SECONDS]\n");
			return 1;
		}
	}
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
		rc = clients_only ? 0 : fetch(c, text, sizeof(text));
		if (rc != 0) {
			fprintf(stderr, "tally-stat: status request failed: %s\n", strerror(-rc));
			break;
		}
		rc = fetch_clients(c, &cl);
		if (rc != 0) {
			fprintf(stderr, "tally-stat: clients request failed: %s\n", strerror(-rc));
			break;
		}
		if (every > 0 && !json)
			printf("\033[H\033[2J");
		if (json) {
			putchar('{');
			if (!clients_only)
				print_json(text);
			print_clients_json(&cl, clients_only || text[0] == '\0');
			printf("}\n");
		} else {
			if (!clients_only)
				fputs(text, stdout);
			print_clients_text(&cl);
		}
		fflush(stdout);
		if (every > 0)
			usleep((useconds_t)(every * 1e6));
	} while (every > 0);
	qb_ipcc_disconnect(c);
	free(cl.c);
	return rc == 0 ? 0 : 1;
}
