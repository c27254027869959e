/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hostile and broken clients of one engine (tests/host/vq-host): a crowd
 * of a thousand, a client SIGKILLed inside its dispatch callback or asleep
 * in dispatch, one scribbling over all the segment it can write. The
 * engine keeps serving the others and gives back what a client held (its
 * descriptors, libqb's files, the watch, its announced futex sleep).
 * Readers that never read are test-libvq's lapped group.
 *
 *   test-clients GROUP      (GROUP: crowd killed hostile)
 *
 * Numbers (descriptors, memory, timings) are printed as "measure:" lines.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tally/shm_layout.h"
#include "vq_harness.h"

static pid_t host;

/* ---- what the engine holds ---- */

static int count_dir(const char *path, const char *prefix)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static int engine_fds(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)host);
	return count_dir(path, "");
}

/* libqb's per-connection files of the engine (host_forget names them so). */
static int engine_qb_files(void)
{
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "qb-%d-", (int)host);
	return count_dir("/dev/shm", prefix);
}

/*
 * Connections close asynchronously in the engine's loop: wait up to 10 s
 * for its descriptors and libqb files to be `fds` and `qb` again.
 */
static int released(int fds, int qb)
{
	for (int i = 0; i < 1000; i++) {
		if (engine_fds() == fds && engine_qb_files() == qb)
			return 1;
		usleep(10000);
	}
	fprintf(stderr, "engine holds %d fds (want %d), %d libqb files (want %d)\n",
		engine_fds(), fds, engine_qb_files(), qb);
	return 0;
}

/* vq_host's segment file (/tally-test.<instance>.<pid>), with `suffix` appended. */
static void segment_file(char *out, size_t len, const char *suffix)
{
	const char *inst = getenv("TALLY_INSTANCE");

	snprintf(out, len, "/tally-test.%s.%d%s", inst ? inst : "", (int)host, suffix);
}

/*
 * Readers the engine believes asleep on the futex, read from the segment's
 * client area (vq_host names the segment /tally-test.<instance>.<pid>): the
 * count plus the futex bits, what the engine's wake looks at. -1 when
 * unreadable.
 */
static long segment_waiters(void)
{
	char name[128];
	const struct tally_shm_clients *area;
	long w;
	int fd;

	segment_file(name, sizeof(name), TALLY_SHM_CLIENTS_SUFFIX);
	fd = shm_open(name, O_RDONLY, 0);
	if (fd < 0)
		return -1;
	area = mmap(NULL, sizeof(*area), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (area == MAP_FAILED)
		return -1;
	w = (long)atomic_load(&area->waiters);
	for (uint32_t i = 0; i < TALLY_SHM_CLIENTS / 64; i++)
		w += __builtin_popcountll(atomic_load(&area->futex_sleepers[i]));
	munmap((void *)area, sizeof(*area));
	return w;
}

/* Wait up to 5 s for the engine to count `want` sleepers. */
static int waiters_become(long want)
{
	for (int i = 0; i < 500; i++) {
		if (segment_waiters() == want)
			return 1;
		usleep(10000);
	}
	fprintf(stderr, "segment waiters %ld (want %ld)\n", segment_waiters(), want);
	return 0;
}

/* The engine still answers: a new client reads and changes state. */
static void engine_serves(void)
{
	int fds0 = engine_fds(), qb0 = engine_qb_files();
	votequorum_handle_t h = open_handle();
	struct votequorum_info info;

	CHECK_EQ(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK(info.flags & VOTEQUORUM_INFO_QUORATE);
	CHECK_EQ(votequorum_setexpected(h, 1), CS_OK);
	barrier(h);
	CHECK_EQ(votequorum_finalize(h), CS_OK);
	CHECK(released(fds0, qb0));
}

static void sync_write(int fd)
{
	char c = 1;

	if (write(fd, &c, 1) != 1)
		_exit(90);
}

static int sync_read(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

/* ---- crowd: a thousand clients at once ---- */

#define CROWD_PROCS 10
#define CROWD_PER_PROC 100

static int crowd_got[CROWD_PER_PROC];

static void crowd_expected(votequorum_handle_t h, uint64_t ctx, uint32_t expected)
{
	if (ctx < CROWD_PER_PROC && expected == 1)
		crowd_got[ctx]++;
}

/* One process of the crowd: connect all, track, wait for go, take the change. */
static void crowd_member(int ready, int go)
{
	votequorum_callbacks_t cbs = { .votequorum_expectedvotes_notify_fn = crowd_expected };
	votequorum_handle_t h[CROWD_PER_PROC];

	alarm(60);
	for (int i = 0; i < CROWD_PER_PROC; i++)
		if (votequorum_initialize(&h[i], &cbs) != CS_OK ||
		    votequorum_trackstart(h[i], (uint64_t)i, CS_TRACK_CHANGES_ONLY) != CS_OK)
			_exit(10);
	sync_write(ready);
	if (sync_read(go) != 0)
		_exit(11);
	for (int i = 0; i < CROWD_PER_PROC; i++) {
		/* blocks until the change is there: published before go */
		if (votequorum_dispatch(h[i], CS_DISPATCH_ONE) != CS_OK || crowd_got[i] != 1)
			_exit(12);
		if (votequorum_dispatch(h[i], CS_DISPATCH_ONE_NONBLOCKING) != CS_ERR_TRY_AGAIN)
			_exit(13);	/* exactly one change */
	}
	for (int i = 0; i < CROWD_PER_PROC; i++)
		if (votequorum_finalize(h[i]) != CS_OK)
			_exit(14);
	_exit(0);
}

/* One round: connect and track, take one change, leave; the engine's RSS after. */
static long crowd_round(void)
{
	int ready[2], go[2], fds0 = engine_fds(), qb0 = engine_qb_files(), fds1, qb1;
	long rss0 = proc_rss_kb(host), rss1;
	pid_t kids[CROWD_PROCS];
	votequorum_handle_t w;
	double t0, t1;

	CHECK(pipe(ready) == 0 && pipe(go) == 0);
	t0 = now_ms();
	for (int k = 0; k < CROWD_PROCS; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			close(ready[0]);
			close(go[1]);
			crowd_member(ready[1], go[0]);
		}
	}
	close(ready[1]);
	close(go[0]);
	for (int k = 0; k < CROWD_PROCS; k++)
		CHECK_EQ(sync_read(ready[0]), 0);
	t1 = now_ms();
	fds1 = engine_fds();
	qb1 = engine_qb_files();
	rss1 = proc_rss_kb(host);
	printf("measure: %d clients connected and tracking in %.0f ms\n",
	       CROWD_PROCS * CROWD_PER_PROC, t1 - t0);
	printf("measure: engine fds %d -> %d (%.2f per client), libqb files %d -> %d, "
	       "RSS %ld -> %ld kB (%.1f kB per client)\n",
	       fds0, fds1, (fds1 - fds0) / (double)(CROWD_PROCS * CROWD_PER_PROC), qb0, qb1,
	       rss0, rss1, (rss1 - rss0) / (double)(CROWD_PROCS * CROWD_PER_PROC));
	CHECK(fds1 >= fds0 + CROWD_PROCS * CROWD_PER_PROC);	/* at least a socket each */

	w = open_handle();
	CHECK_EQ(votequorum_setexpected(w, 1), CS_OK);
	barrier(w);
	t0 = now_ms();
	for (int k = 0; k < CROWD_PROCS; k++)
		sync_write(go[1]);
	for (int k = 0; k < CROWD_PROCS; k++) {
		int status = -1;

		CHECK_EQ(waitpid(kids[k], &status, 0), kids[k]);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fprintf(stderr, "crowd process %d: status 0x%x\n", k, status);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	printf("measure: all received the change and finalized in %.0f ms\n", now_ms() - t0);
	CHECK_EQ(votequorum_finalize(w), CS_OK);
	close(ready[0]);
	close(go[1]);
	/* everything given back, and still serving */
	CHECK(released(fds0, qb0));
	printf("measure: after: engine fds %d, libqb files %d, RSS %ld kB\n", engine_fds(),
	       engine_qb_files(), proc_rss_kb(host));
	engine_serves();
	return proc_rss_kb(host);
}

/*
 * Twice: what the first round leaves resident is the allocator's to keep,
 * but a second round must reuse it, not add to it (a leak per client of
 * even 1 kB would show as 1 MB).
 */
static void a_thousand_clients_track_and_leave(void)
{
	long first = crowd_round(), second = crowd_round();

	CHECK(!RSS_MEANS_LEAKS || second - first < 1024);
}

/* ---- killed: a client dies in the middle of a dispatch ---- */

static void die_in_callback(votequorum_handle_t h, uint64_t ctx, uint32_t expected)
{
	raise(SIGKILL);
}

/*
 * A child that tracks and watches its fd, says ready, then sleeps in a
 * blocking dispatch; with `die` its callback SIGKILLs it.
 */
static pid_t start_sleeper(int die)
{
	int ready[2];
	pid_t pid;

	CHECK(pipe(ready) == 0);
	pid = fork();
	if (pid == 0) {
		votequorum_callbacks_t cbs = {
			.votequorum_expectedvotes_notify_fn = die ? die_in_callback : NULL,
		};
		votequorum_handle_t h;
		int fd;

		close(ready[0]);
		alarm(30);
		if (votequorum_initialize(&h, &cbs) != CS_OK ||
		    votequorum_trackstart(h, 1, CS_TRACK_CHANGES_ONLY) != CS_OK ||
		    votequorum_fd_get(h, &fd) != CS_OK)
			_exit(10);
		sync_write(ready[1]);
		votequorum_dispatch(h, CS_DISPATCH_BLOCKING);
		_exit(11);	/* the callback never returns, nor does a blocking dispatch */
	}
	close(ready[1]);
	CHECK_EQ(sync_read(ready[0]), 0);
	close(ready[0]);
	return pid;
}

/* The tracker gets exactly one expected-votes change per setexpected. */
static void change_reaches(votequorum_handle_t w, votequorum_handle_t t)
{
	recs_clear();
	CHECK_EQ(votequorum_setexpected(w, 1), CS_OK);
	barrier(w);
	CHECK_EQ(votequorum_dispatch(t, CS_DISPATCH_ALL), CS_OK);
	CHECK_EQ(n_recs, 1);
	CHECK_EQ(recs[0].type, REC_EXPECTED);
}

/*
 * A client SIGKILLed inside its callback (`in_callback`) or while asleep in
 * dispatch: the engine reclaims its connection (descriptors back), and
 * the other clients still get their changes. Killed asleep on the futex,
 * its sleep is announced by its client slot's bit, which goes with the
 * connection: once the engine noticed the disconnect, nobody is left to
 * wake and changes make no wake syscall.
 */
static void killed_client_is_reclaimed(int in_callback)
{
	votequorum_handle_t t = open_handle(), w = open_handle();
	int fds0, qb0, status = 0;
	long waiters0, asleep = -1;
	pid_t kid;

	CHECK_EQ(votequorum_trackstart(t, 2, CS_TRACK_CHANGES_ONLY), CS_OK);
	fds0 = engine_fds();
	qb0 = engine_qb_files();
	waiters0 = segment_waiters();
	CHECK_EQ(waiters0, 0);
	kid = start_sleeper(in_callback);
	CHECK(engine_fds() > fds0);
	if (in_callback) {
		change_reaches(w, t);	/* its callback kills it */
	} else {
		/* into its futex sleep (after 20 µs of spinning) */
		CHECK(waiters_become(waiters0 + 1));
		asleep = segment_waiters();
		kill(kid, SIGKILL);
	}
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* its connection, libqb's files for it, its watch and its sleep are gone */
	CHECK(released(fds0, qb0));
	CHECK(waiters_become(waiters0));
	printf("measure: killed %s: engine fds back to %d, segment waiters %ld -> %ld -> %ld\n",
	       in_callback ? "in its callback" : "asleep", engine_fds(), waiters0, asleep,
	       segment_waiters());
	change_reaches(w, t);
	engine_serves();
	votequorum_finalize(t);
	votequorum_finalize(w);
}

static void a_client_killed_in_its_callback_is_reclaimed(void)
{
	killed_client_is_reclaimed(1);
}

static void a_client_killed_asleep_is_reclaimed(void)
{
	killed_client_is_reclaimed(0);
}

/* ---- hostile: a client that scribbles over everything it can write ---- */

#define HOSTILE_CONF ONE_NODE_CONF "uidgid {\n gid: 65534\n}\n"

/*
 * As nobody:nogroup (let in by uidgid, as a real group member would be):
 * connect, check that the engine's part of the segment cannot be written
 * (exit codes 102-105 otherwise), say ready, then scribble random words over
 * the whole client area and write(2) into its file for `ms` milliseconds.
 */
static void hostile_client(int ready, double ms)
{
	char name[128], clients[160];
	struct tally_shm_clients *area;
	votequorum_handle_t h;
	uint64_t *w;
	void *p;
	int efd, cfd;
	double t0;

	if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
		_exit(100);
	if (votequorum_initialize(&h, NULL) != CS_OK)
		_exit(101);
	segment_file(name, sizeof(name), "");
	segment_file(clients, sizeof(clients), TALLY_SHM_CLIENTS_SUFFIX);
	if (shm_open(name, O_RDWR, 0) >= 0 || errno != EACCES)
		_exit(102);
	efd = shm_open(name, O_RDONLY, 0);
	if (efd < 0 || mmap(NULL, TALLY_SHM_ENGINE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, efd,
			    0) != MAP_FAILED)
		_exit(103);
	p = mmap(NULL, TALLY_SHM_ENGINE_SIZE, PROT_READ, MAP_SHARED, efd, 0);
	if (p == MAP_FAILED || mprotect(p, TALLY_SHM_ENGINE_SIZE, PROT_READ | PROT_WRITE) == 0 ||
	    ftruncate(efd, 0) == 0)
		_exit(104);
	cfd = shm_open(clients, O_RDWR, 0);
	area = cfd < 0 ? MAP_FAILED
		       : mmap(NULL, sizeof(*area), PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
	if (area == MAP_FAILED)
		_exit(105);
	sync_write(ready);
	w = (uint64_t *)area;
	srand((unsigned)getpid());
	for (t0 = now_ms(); now_ms() - t0 < ms;) {
		for (size_t i = 0; i < sizeof(*area) / 8; i++)
			w[i] = (uint64_t)rand() << 33 ^ (uint64_t)rand() << 7 ^ (uint64_t)rand();
		if (pwrite(cfd, w, 4096, (off_t)(rand() % (int)(sizeof(*area) - 4096))) < 0)
			_exit(106);
	}
	_exit(0);
}

static void *dispatch_one(void *h)
{
	return (void *)(intptr_t)votequorum_dispatch(*(votequorum_handle_t *)h, CS_DISPATCH_ONE);
}

/*
 * While a hostile client scribbles over the client area, another client
 * keeps reading the right state and getting every change (by dispatch and
 * through its descriptor), and the engine keeps serving; after it left, the
 * sleepers it faked are gone.
 */
static void a_hostile_client_cannot_disturb_others(void)
{
	int fds0 = engine_fds(), qb0 = engine_qb_files();
	votequorum_handle_t t = open_handle(), w = open_handle();
	int ready[2], status = -1, fd, rounds = 0;
	struct votequorum_info info;
	pthread_t th;
	void *rc;
	pid_t kid;

	CHECK_EQ(votequorum_trackstart(t, 2, CS_TRACK_CHANGES_ONLY), CS_OK);
	CHECK_EQ(votequorum_fd_get(t, &fd), CS_OK);
	CHECK(pipe(ready) == 0);
	kid = fork();
	if (kid == 0) {
		close(ready[0]);
		hostile_client(ready[1], 1500);
	}
	close(ready[1]);
	CHECK_EQ(sync_read(ready[0]), 0);
	close(ready[0]);
	for (; waitpid(kid, &status, WNOHANG) == 0; rounds++) {
		CHECK_EQ(votequorum_getinfo(t, 0, &info), CS_OK);
		CHECK_EQ(info.node_id, 1);
		CHECK(info.flags & VOTEQUORUM_INFO_QUORATE);
		CHECK_EQ(info.node_votes, 1);
		change_reaches(w, t);
		CHECK(poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 0) >= 0);
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "hostile client: status 0x%x\n", status);
	printf("measure: %d rounds of getinfo + a change while a client scribbled\n", rounds);
	CHECK(rounds > 0);
	/*
	 * A sleeping dispatch is still woken by a change. Then every fake
	 * sleeper is gone: those of free slots and the count went when the
	 * hostile client left, w's with w, t's when t last slept.
	 */
	CHECK_EQ(votequorum_finalize(w), CS_OK);
	recs_clear();
	CHECK(pthread_create(&th, NULL, dispatch_one, &t) == 0);
	usleep(100000);	/* into its sleep */
	w = open_handle();
	CHECK_EQ(votequorum_setexpected(w, 1), CS_OK);
	pthread_join(th, &rc);
	CHECK_EQ((cs_error_t)(intptr_t)rc, CS_OK);
	CHECK_EQ(n_recs, 1);
	CHECK_EQ(votequorum_finalize(w), CS_OK);
	CHECK(waiters_become(0));
	CHECK_EQ(votequorum_finalize(t), CS_OK);
	CHECK(released(fds0, qb0));
	engine_serves();
}

/*
 * As nobody:nogroup: connect, truncate the client area's file to nothing,
 * say so on `ready` and wait for `go` (if given), then die without finalize
 * (its own library would touch the area).
 */
static void truncating_client(int ready, int go)
{
	char name[160];
	votequorum_handle_t h;
	int cfd;

	if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
		_exit(100);
	if (votequorum_initialize(&h, NULL) != CS_OK)
		_exit(101);
	segment_file(name, sizeof(name), TALLY_SHM_CLIENTS_SUFFIX);
	cfd = shm_open(name, O_RDWR, 0);
	if (cfd < 0 || ftruncate(cfd, 0) != 0)
		_exit(107);
	if (ready >= 0) {
		sync_write(ready);
		if (sync_read(go) != 0)
			_exit(108);
	}
	_exit(0);
}

static off_t clients_file_size(void)
{
	char name[160];
	struct stat st;
	int fd;

	segment_file(name, sizeof(name), TALLY_SHM_CLIENTS_SUFFIX);
	fd = shm_open(name, O_RDONLY, 0);
	if (fd < 0 || fstat(fd, &st) != 0)
		st.st_size = -1;
	if (fd >= 0)
		close(fd);
	return st.st_size;
}

/*
 * A client that truncates the client area (any client that may write it
 * can) and dies must not kill the engine: the file has its size back once
 * the engine dealt with the disconnect (the control thread's repair, or the
 * SIGBUS guard if the sweep touches the area first: unit/ctl-segment), and
 * clients keep getting every change by dispatch and through descriptors.
 */
static void a_truncated_client_area_is_restored(void)
{
	int fds0 = engine_fds(), qb0 = engine_qb_files(), status = -1, fd;
	votequorum_handle_t t, w;
	pid_t kid = fork();

	if (kid == 0)
		truncating_client(-1, -1);
	CHECK(waitpid(kid, &status, 0) == kid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(released(fds0, qb0));	/* the engine lived through its sweep of the area */
	CHECK_EQ(clients_file_size(), (off_t)sizeof(struct tally_shm_clients));
	t = open_handle();
	w = open_handle();
	CHECK_EQ(votequorum_trackstart(t, 3, CS_TRACK_CHANGES_ONLY), CS_OK);
	CHECK_EQ(votequorum_fd_get(t, &fd), CS_OK);
	recs_clear();
	CHECK_EQ(votequorum_setexpected(w, 1), CS_OK);
	barrier(w);
	CHECK_EQ(poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 5000), 1);
	CHECK_EQ(votequorum_dispatch(t, CS_DISPATCH_ALL), CS_OK);
	CHECK_EQ(n_recs, 1);
	change_reaches(w, t);
	CHECK_EQ(votequorum_finalize(w), CS_OK);
	CHECK_EQ(votequorum_finalize(t), CS_OK);
	CHECK(released(fds0, qb0));	/* before engine_serves counts what the engine holds */
	engine_serves();
}

/*
 * The other clients must not meet the truncated file either: the control
 * thread watches it and gives it its size back at once, while the client
 * that truncated it is still connected and nothing else touched the area.
 */
static void a_truncated_client_area_is_repaired_at_once(void)
{
	int fds0 = engine_fds(), qb0 = engine_qb_files(), ready[2], go[2], status = -1;
	off_t size = -1;
	pid_t kid;

	CHECK(pipe(ready) == 0 && pipe(go) == 0);
	kid = fork();
	if (kid == 0) {
		close(ready[0]);
		close(go[1]);
		truncating_client(ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	CHECK_EQ(sync_read(ready[0]), 0);
	for (int i = 0; i < 100 && size != (off_t)sizeof(struct tally_shm_clients); i++) {
		size = clients_file_size();
		usleep(10000);
	}
	CHECK_EQ(size, (off_t)sizeof(struct tally_shm_clients));
	sync_write(go[1]);
	close(ready[0]);
	close(go[1]);
	CHECK(waitpid(kid, &status, 0) == kid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(released(fds0, qb0));
	engine_serves();
}

int main(int argc, char **argv)
{
	const char *group = argc > 1 ? argv[1] : "";
	struct rlimit rl;

	signal(SIGPIPE, SIG_IGN);
	alarm(120);	/* a hang is a failure, not a stuck suite */
	/* a thousand connections: the engine (forked from here) inherits the limit */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (strcmp(group, "crowd") == 0) {
		if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < 4096) {
			printf("SKIP: RLIMIT_NOFILE below 4096\n");
			return 77;
		}
		host = host_start(ONE_NODE_CONF);
		RUN(a_thousand_clients_track_and_leave);
	} else if (strcmp(group, "killed") == 0) {
		host = host_start(ONE_NODE_CONF);
		RUN(a_client_killed_in_its_callback_is_reclaimed);
		RUN(a_client_killed_asleep_is_reclaimed);
	} else if (strcmp(group, "hostile") == 0) {
		if (geteuid() != 0) {
			printf("SKIP: needs root to become another user\n");
			return 77;
		}
		host = host_start(HOSTILE_CONF);
		RUN(a_hostile_client_cannot_disturb_others);
		RUN(a_truncated_client_area_is_restored);
		RUN(a_truncated_client_area_is_repaired_at_once);
	} else {
		fprintf(stderr, "usage: test-clients crowd|killed|hostile\n");
		return 2;
	}
	host_stop(host);
	return CHECK_EXIT();
}
