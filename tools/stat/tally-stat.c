/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tally-stat: one tallyd's own state, which votequorum cannot show: ring id,
 * membership counters, frame verdicts (authentication failures, replays,
 * unknown senders), datapath counters and the lcore's busy ratio.
 *
 *   tally-stat [--json] [-w SECONDS]
 *
 * It asks the daemon of $TALLY_INSTANCE (the one of this network namespace
 * by default) over the control socket. Exit: 0, 1 (no daemon, refused).
 */
#include <errno.h>
#include <getopt.h>
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

/* "key: value" lines as one JSON object; values that are numbers stay numbers. */
static void print_json(const char *text)
{
	const char *line = text;
	bool first = true;

	putchar('{');
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
	printf("}\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char service[TALLY_CTL_SERVICE_MAX], text[TALLY_CTL_MSG_MAX];
	qb_ipcc_connection_t *c;
	bool json = false;
	double every = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "jw:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'w':
			every = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: tally-stat [--json] [-w SECONDS]\n");
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
		rc = fetch(c, text, sizeof(text));
		if (rc != 0) {
			fprintf(stderr, "tally-stat: status request failed: %s\n", strerror(-rc));
			break;
		}
		if (every > 0 && !json)
			printf("\033[H\033[2J");
		if (json)
			print_json(text);
		else
			fputs(text, stdout);
		fflush(stdout);
		if (every > 0)
			usleep((useconds_t)(every * 1e6));
	} while (every > 0);
	qb_ipcc_disconnect(c);
	return rc == 0 ? 0 : 1;
}
