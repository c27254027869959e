/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tally-keygen: make the authkey every tally engine of a cluster shares
 * (corosync-keygen's job, same file format: raw random bytes).
 *
 *   tally-keygen [-k FILE] [-s BYTES] [-f]
 *
 * The key comes from libsodium (getrandom(2)); the file is created with mode
 * 0400, written in full and fsync'ed before the name appears, so a crash
 * never leaves a short key behind. An existing file is kept unless -f.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "wire/wire.h"

#define DEFAULT_KEYFILE "/etc/tally/authkey"
#define DEFAULT_SIZE 256

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tally-keygen [-k FILE] [-s BYTES] [-f]\n"
		"  -k FILE   where to write the key (default %s)\n"
		"  -s BYTES  key size, %d to %d (default %d)\n"
		"  -f        replace an existing key file\n",
		DEFAULT_KEYFILE, TALLY_WIRE_AUTHKEY_MIN, TALLY_WIRE_AUTHKEY_MAX, DEFAULT_SIZE);
}

static int write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_KEYFILE;
	unsigned char key[TALLY_WIRE_AUTHKEY_MAX];
	char tmp[PATH_MAX], dir[PATH_MAX];
	long size = DEFAULT_SIZE;
	bool force = false;
	struct stat st;
	int opt, fd, dfd;
	char *end;

	while ((opt = getopt(argc, argv, "k:s:fh")) != -1) {
		switch (opt) {
		case 'k':
			path = optarg;
			break;
		case 's':
			errno = 0;
			size = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || size < TALLY_WIRE_AUTHKEY_MIN ||
			    size > TALLY_WIRE_AUTHKEY_MAX) {
				fprintf(stderr, "tally-keygen: key size must be %d to %d bytes\n",
					TALLY_WIRE_AUTHKEY_MIN, TALLY_WIRE_AUTHKEY_MAX);
				return 1;
			}
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	if (!force && lstat(path, &st) == 0) {
		fprintf(stderr, "tally-keygen: %s exists; use -f to replace it\n", path);
		return 1;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "tally-keygen: libsodium cannot initialise\n");
		return 1;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp)) {
		fprintf(stderr, "tally-keygen: path too long\n");
		return 1;
	}

	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "tally-keygen: cannot create a file next to %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	randombytes_buf(key, (size_t)size);
	if (fchmod(fd, 0400) != 0 || write_all(fd, key, (size_t)size) != 0 || fsync(fd) != 0 ||
	    close(fd) != 0) {
		fprintf(stderr, "tally-keygen: cannot write %s: %s\n", tmp, strerror(errno));
		sodium_memzero(key, sizeof(key));
		unlink(tmp);
		return 1;
	}
	sodium_memzero(key, sizeof(key));
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "tally-keygen: cannot move the key to %s: %s\n", path,
			strerror(errno));
		unlink(tmp);
		return 1;
	}
	/* Make the rename durable too. */
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	printf("wrote a %ld-byte authkey to %s\n", size, path);
	return 0;
}
