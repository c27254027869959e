/* SPDX-License-Identifier: BSD-3-Clause */
/* The normalised transcript (vq_transcript.h). */
#include "vq_transcript.h"

#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_SEEN 32

static votequorum_handle_t handles[MAX_SEEN];
static int n_handles;
static votequorum_ring_id_t rings[MAX_SEEN];
static int n_rings;
static votequorum_ring_id_t last;

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

cs_error_t said(const char *what, cs_error_t rc)
{
	note("%s = %s", what, cs_strerror(rc));
	show_recs();
	return rc;
}

static int handle_ordinal(votequorum_handle_t h)
{
	for (int i = 0; i < n_handles; i++)
		if (handles[i] == h)
			return i + 1;
	if (n_handles == MAX_SEEN)
		return 0;
	handles[n_handles++] = h;
	return n_handles;
}

static int ring_ordinal(votequorum_ring_id_t r)
{
	for (int i = 0; i < n_rings; i++)
		if (rings[i].nodeid == r.nodeid && rings[i].seq == r.seq)
			return i + 1;
	if (n_rings == MAX_SEEN)
		return 0;
	rings[n_rings++] = r;
	return n_rings;
}

static void show_rec(const struct rec *r)
{
	printf("  h%d ctx=%" PRIu64 " ", handle_ordinal(r->handle), r->context);
	switch (r->type) {
	case REC_NODELIST:
		last = r->ring;
		printf("nodelist ring=R%d@%" PRIu32 " members=", ring_ordinal(r->ring),
		       r->ring.nodeid);
		for (uint32_t i = 0; i < r->n && i < 8; i++)
			printf("%s%" PRIu32, i ? "," : "", r->ids[i]);
		break;
	case REC_QUORUM:
		printf("quorum quorate=%" PRIu32 " nodes=", r->quorate);
		for (uint32_t i = 0; i < r->n && i < 8; i++)
			printf("%s%" PRIu32 ":%" PRIu32, i ? "," : "", r->ids[i], r->states[i]);
		break;
	case REC_EXPECTED:
		printf("expectedvotes %" PRIu32, r->expected);
		break;
	}
	if (r->n > 8)
		printf(" (+%" PRIu32 " more)", r->n - 8);
	putchar('\n');
}

void show_recs(void)
{
	for (int i = 0; i < n_recs && i < MAX_RECS; i++)
		show_rec(&recs[i]);
	if (n_recs > MAX_RECS)
		printf("  (%d callbacks not kept)\n", n_recs - MAX_RECS);
	fflush(stdout);
	recs_clear();
}

void show_info(const struct votequorum_info *i)
{
	note("  info node=%u state=%u votes=%u expected=%u highest=%u total=%u quorum=%u "
	     "flags=0x%x qdevice_votes=%u qdevice_name=\"%s\"",
	     i->node_id, i->node_state, i->node_votes, i->node_expected_votes,
	     i->highest_expected, i->total_votes, i->quorum, i->flags, i->qdevice_votes,
	     i->qdevice_name);
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Has a quorum callback come after a nodelist of `members` entries? */
static bool view_seen(uint32_t members)
{
	bool nodelist = false;

	for (int i = 0; i < n_recs && i < MAX_RECS; i++) {
		if (recs[i].type == REC_NODELIST)
			nodelist = recs[i].n == members;
		else if (recs[i].type == REC_QUORUM && nodelist)
			return true;
	}
	return false;
}

/* Dispatch until done(arg) or the deadline; false on timeout or a library error. */
static bool dispatch_until(votequorum_handle_t h, bool (*done)(uint32_t), uint32_t arg,
			   int timeout_ms)
{
	long long end = ms_now() + timeout_ms;
	int fd;

	if (votequorum_fd_get(h, &fd) != CS_OK)
		return false;
	while (done == NULL || !done(arg)) {
		long long left = end - ms_now();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		cs_error_t rc;

		if (left <= 0)
			return false;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		rc = votequorum_dispatch(h, CS_DISPATCH_ALL);
		if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN) {
			note("votequorum_dispatch(h, CS_DISPATCH_ALL) = %s", cs_strerror(rc));
			return false;
		}
	}
	return true;
}

static bool enough(uint32_t want)
{
	return n_recs >= (int)want;
}

bool await_recs(votequorum_handle_t h, int want, int timeout_ms)
{
	bool ok = dispatch_until(h, enough, (uint32_t)want, timeout_ms);

	show_recs();
	if (!ok)
		note("  (timed out)");
	return ok;
}

bool await_view(votequorum_handle_t h, uint32_t members, int timeout_ms)
{
	bool ok = dispatch_until(h, view_seen, members, timeout_ms);

	show_recs();
	if (!ok)
		note("  (timed out waiting for a view of %u)", members);
	return ok;
}

void linger(votequorum_handle_t h, int ms)
{
	dispatch_until(h, NULL, 0, ms);
	show_recs();
}

votequorum_ring_id_t last_ring(void)
{
	return last;
}
