/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The publication segment's SIGBUS guard (engine/ctl/segment.c): a touch of
 * the client area after a client truncated its file restores the file and
 * goes on; a SIGBUS that is not such a fault still ends the process.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "ctl/ctl.h"
#include "shm/map.h"
#include "tally/shm_layout.h"

static char name[64], clients[96];

static void *segment(void)
{
	struct tally_ctl_acl acl;
	char err[128] = "";
	void *seg;

	memset(&acl, 0, sizeof(acl));
	snprintf(name, sizeof(name), "/tally-unit-seg.%d", (int)getpid());
	CHECK_EQ(tally_shm_clients_name(name, clients, sizeof(clients)), 0);
	seg = tally_ctl_segment_create(name, &acl, TALLY_SHM_SEGMENT_SIZE, err, sizeof(err));
	if (seg == NULL)
		fprintf(stderr, "%s\n", err);
	CHECK(seg != NULL);
	return seg;
}

static off_t clients_size(void)
{
	struct stat st;
	int fd = shm_open(clients, O_RDONLY, 0);

	if (fd < 0 || fstat(fd, &st) != 0)
		st.st_size = -1;
	if (fd >= 0)
		close(fd);
	return st.st_size;
}

static void truncate_clients(void)
{
	int fd = shm_open(clients, O_RDWR, 0);

	CHECK(fd >= 0 && ftruncate(fd, 0) == 0);
	if (fd >= 0)
		close(fd);
	CHECK_EQ(clients_size(), 0);
}

static void a_touch_after_truncation_restores_the_file(void)
{
	uint8_t *seg = segment();
	uint64_t restores = tally_ctl_segment_restores();
	volatile uint64_t *word;

	if (seg == NULL)
		return;
	word = (volatile uint64_t *)(seg + TALLY_SHM_CLIENTS_OFFSET + 64);
	*word = 42;
	truncate_clients();
	CHECK_EQ(*word, 0);	/* SIGBUS, repaired: the page comes back zeroed */
	CHECK_EQ(tally_ctl_segment_restores(), restores + 1);
	CHECK_EQ(clients_size(), (off_t)sizeof(struct tally_shm_clients));
	*word = 7;
	CHECK_EQ(*word, 7);
	CHECK_EQ(tally_ctl_segment_restores(), restores + 1);	/* nothing to repair now */
	tally_ctl_segment_destroy(name, seg, TALLY_SHM_SEGMENT_SIZE);
}

/* A sent SIGBUS (kill, raise) is no fault of the area: it keeps its default action. */
static void a_sent_sigbus_still_ends_the_process(void)
{
	int status = 0;
	pid_t kid = fork();

	if (kid == 0) {
		void *seg = segment();

		raise(SIGBUS);
		tally_ctl_segment_destroy(name, seg, TALLY_SHM_SEGMENT_SIZE);
		_exit(0);	/* swallowed */
	}
	CHECK(waitpid(kid, &status, 0) == kid);
	/* SIGBUS, or SIGABRT under ASan, whose handler reports it and aborts */
	CHECK(WIFSIGNALED(status));
	snprintf(name, sizeof(name), "/tally-unit-seg.%d", (int)kid);
	CHECK_EQ(tally_shm_clients_name(name, clients, sizeof(clients)), 0);
	shm_unlink(name);
	shm_unlink(clients);
}

int main(void)
{
	RUN(a_touch_after_truncation_restores_the_file);
	RUN(a_sent_sigbus_still_ends_the_process);
	return CHECK_EXIT();
}
