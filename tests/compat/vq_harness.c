/* SPDX-License-Identifier: BSD-3-Clause */
/* Private engine for the library tests (vq_harness.h). */
#include "vq_harness.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

votequorum_handle_t open_handle(void)
{
	votequorum_handle_t h = 0;

	CHECK_EQ(votequorum_initialize(&h, &recording_callbacks), CS_OK);
	return h;
}

void barrier(votequorum_handle_t h)
{
	CHECK_EQ(votequorum_qdevice_register(h, "barrier"), CS_OK);
	CHECK_EQ(votequorum_qdevice_unregister(h, "barrier"), CS_OK);
}

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

long proc_rss_kb(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kb;
}

pid_t host_start(const char *conf)
{
	static int seq;
	char path[] = "/tmp/vq-host-XXXXXX", inst[32], line[16] = "";
	const char *host = getenv("VQ_HOST");
	int fd = mkstemp(path), out[2];
	FILE *f;
	pid_t pid;

	if (host == NULL || fd < 0 || write(fd, conf, strlen(conf)) != (ssize_t)strlen(conf) ||
	    pipe(out) != 0) {
		fprintf(stderr, "host_start: VQ_HOST unset or no temp file\n");
		exit(1);
	}
	close(fd);
	snprintf(inst, sizeof(inst), "t%d_%d", (int)getpid(), seq++);
	setenv("TALLY_INSTANCE", inst, 1);
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		execl(host, host, path, "1", inst, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	if (pid < 0 || f == NULL || fgets(line, sizeof(line), f) == NULL ||
	    strcmp(line, "ready\n") != 0) {
		fprintf(stderr, "host_start: the engine did not come up\n");
		exit(1);
	}
	fclose(f);
	unlink(path);
	return pid;
}

/* Remove /dev/shm/NAME, or the directory NAME with the files in it. */
static void remove_shm_entry(const char *name)
{
	char path[512];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/dev/shm/%s", name);
	d = opendir(path);
	if (d == NULL) {
		unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char file[1024];

		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		unlink(file);
	}
	closedir(d);
	rmdir(path);
}

void host_forget(pid_t pid)
{
	char seg[96], qb[32];
	DIR *d = opendir("/dev/shm");
	struct dirent *e;

	/* only names carrying this engine's pid: tally-test.<inst>.<pid>[.<part>], qb-<pid>-... */
	snprintf(seg, sizeof(seg), ".%d", (int)pid);
	snprintf(qb, sizeof(qb), "qb-%d-", (int)pid);
	while (d != NULL && (e = readdir(d)) != NULL) {
		/* past the instance (no dots in it): .<pid>, then the end or .<part> */
		const char *at = strncmp(e->d_name, "tally-test.", 11) == 0
					 ? strchr(e->d_name + 11, '.') : NULL;
		size_t k = strlen(seg);

		if ((at != NULL && strncmp(at, seg, k) == 0 && (at[k] == '\0' || at[k] == '.')) ||
		    strncmp(e->d_name, qb, strlen(qb)) == 0)
			remove_shm_entry(e->d_name);
	}
	if (d != NULL)
		closedir(d);
}

void host_stop(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
}
