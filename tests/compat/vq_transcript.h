/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A normalised transcript of a votequorum client: each call with its return
 * code by name, each callback with its fields. What legitimately differs
 * between two runs is replaced by ordinals of first appearance: handles
 * (h1, h2, ...) and ring ids (R1, R2, ...; the representative's node id is
 * kept). Two runs of one program against two daemons that behave alike
 * print the same text (tests/compat/compat-vs-corosync.sh diffs them).
 */
#ifndef TALLY_TEST_VQ_TRANSCRIPT_H
#define TALLY_TEST_VQ_TRANSCRIPT_H

#include <stdbool.h>

#include <corosync/votequorum.h>

#include "vq_record.h"

/* Print "<what> = <name>" (corosync's cs_strerror: "success", "CS_ERR_NOT_EXIST", ...),
 * then the callbacks recorded since the last line. */
cs_error_t said(const char *what, cs_error_t rc);
#define SAY(call) said(#call, (call))

/* Print the callbacks recorded and not yet printed. */
void show_recs(void);

/* Print the fields of a getinfo answer (after CS_OK only: on error it is junk). */
void show_info(const struct votequorum_info *info);

/*
 * Dispatch h (CS_DISPATCH_ALL whenever its descriptor is readable) until `want`
 * callbacks have been recorded since the last line, or timeout_ms passes;
 * prints them, and "(timed out)" if they did not come. Returns whether they did.
 */
bool await_recs(votequorum_handle_t h, int want, int timeout_ms);

/* Like await_recs, waiting for a quorum callback that follows a nodelist of n members. */
bool await_view(votequorum_handle_t h, uint32_t members, int timeout_ms);

/* Dispatch for ms milliseconds and print whatever came: nothing, when all is settled. */
void linger(votequorum_handle_t h, int ms);

/* The ring id of the last nodelist callback printed (for qdevice_poll). */
votequorum_ring_id_t last_ring(void);

/* A line of its own in the transcript. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
