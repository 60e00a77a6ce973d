/* Output files (see outfile.h): an unnamed temporary linked in at commit,
 * or a named one renamed into place. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include "util/outfile.h"

static int is_stdout(const char *path)
{
	return !path || !strcmp(path, "-");
}

/* "FILE.tmp.PID.XXXXXX": the pid says whose it is, for the clean-up. */
static char *tmp_name(const char *path)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[6] = {};
	char s[7], *name;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)rand();
	for (size_t i = 0; i < 6; i++)
		s[i] = set[r[i] % (sizeof(set) - 1)];
	s[6] = 0;
	return asprintf(&name, "%s.tmp.%d.%s", path, (int)getpid(), s) < 0 ? NULL : name;
}

/* The pid in "BASE.tmp.PID.XXXXXX", or 0 when name is not of that form. */
static int stale_pid(const char *name, const char *base)
{
	size_t n = strlen(base);
	const char *p;
	char *end;
	long pid;

	if (strncmp(name, base, n) || strncmp(name + n, ".tmp.", 5))
		return 0;
	p = name + n + 5;
	pid = strtol(p, &end, 10);
	if (end == p || pid <= 0 || *end != '.' || strlen(end + 1) != 6)
		return 0;
	for (p = end + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return 0;
	return (int)pid;
}

/* Removes temporaries a killed fastpath left beside path: our naming, our
 * uid, a regular file, and its pid gone (a pid reused since keeps it: it
 * is left, never someone else's file taken). */
static void clean_stale(const char *dir, const char *base)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	int pid;

	if (!d)
		return;
	while ((e = readdir(d))) {
		pid = stale_pid(e->d_name, base);
		if (!pid || pid == getpid() || !kill(pid, 0) || errno != ESRCH)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode) ||
		    st.st_uid != geteuid())
			continue;
		unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/* An unnamed file in dir, or -errno; -EOPNOTSUPP and the like when the
 * filesystem (or the test, FASTPATH_TEST_NO_TMPFILE) has none. */
static int open_unnamed(const char *dir, mode_t mode)
{
	int fd;

	if (getenv("FASTPATH_TEST_NO_TMPFILE"))
		return -EOPNOTSUPP;
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	return fd < 0 ? -errno : fd;
}

static int open_named(struct fp_outfile *o, mode_t mode)
{
	for (int tries = 0; tries < 100; tries++) {
		int fd;

		free(o->tmp);
		o->tmp = tmp_name(o->path);
		if (!o->tmp)
			return -ENOMEM;
		fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? -errno : fd;
	}
	return -EEXIST;
}

/* The temporary's fd: unnamed if the filesystem can, else named. */
static int open_tmp(struct fp_outfile *o, mode_t mode)
{
	/* dirname and basename may write into their argument: a copy each */
	char *dcopy = strdup(o->path), *bcopy = strdup(o->path);
	int fd = -ENOMEM;

	if (!dcopy || !bcopy)
		goto out;
	fd = open_unnamed(dirname(dcopy), mode);
	if (fd >= 0) {
		o->unnamed = true;
	} else if (fd == -EOPNOTSUPP || fd == -EISDIR || fd == -EINVAL) {
		clean_stale(dcopy, basename(bcopy));
		fd = open_named(o, mode);
	}
out:
	free(dcopy);
	free(bcopy);
	return fd;
}

/* Opening the temporary up front doubles as the "can we write there?"
 * check, done before anything is attached. */
int outfile__open(struct fp_outfile *o, const char *path, mode_t mode)
{
	bool keep = false;
	struct stat st;
	int fd, err;

	memset(o, 0, sizeof(*o));
	if (is_stdout(path)) {
		o->f = stdout;
		return 0;
	}
	if (!stat(path, &st)) {
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		if (S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode))
			return -EINVAL;
		if (!S_ISREG(st.st_mode)) {
			/* a FIFO or a character device (/dev/null, /dev/stdout's
			 * terminal): renaming over it would replace it */
			fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
			if (fd < 0)
				return -errno;
			o->direct = true;
			goto stream;
		}
		keep = true;
		mode = st.st_mode & 07777;
	} else if (errno != ENOENT) {
		return -errno;
	}
	o->path = strdup(path);
	if (!o->path)
		return -ENOMEM;
	/* 0600 while it is written; its mode at commit */
	fd = open_tmp(o, keep ? 0600 : mode);
	if (fd < 0) {
		err = fd;
		outfile__abort(o);
		return err;
	}
	/* A replaced file keeps its mode exactly (chmod is not masked). */
	if (keep && fchmod(fd, mode)) {
		err = -errno;
		close(fd);
		outfile__abort(o);
		return err;
	}
stream:
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		outfile__abort(o);
		return -ENOMEM;
	}
	return 0;
}

/* Gives the unnamed file fd the name `name` (which must not exist). */
static int link_fd(int fd, const char *name)
{
	char proc[64];

	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd does not */
	if (!linkat(fd, "", AT_FDCWD, name, AT_EMPTY_PATH))
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) ? -errno : 0;
}

/* The unnamed file in place: linked straight to the target when there is
 * none, else linked beside it and renamed over it (atomic for readers). */
static int link_in(struct fp_outfile *o)
{
	int fd = fileno(o->f), err = link_fd(fd, o->path);

	if (err != -EEXIST)
		return err;
	for (int tries = 0; tries < 100; tries++) {
		free(o->tmp);
		o->tmp = tmp_name(o->path);
		if (!o->tmp)
			return -ENOMEM;
		err = link_fd(fd, o->tmp);
		if (err != -EEXIST)
			break;
	}
	if (err)
		return err;
	if (rename(o->tmp, o->path))
		return -errno;
	free(o->tmp);
	o->tmp = NULL;
	return 0;
}

int outfile__commit(struct fp_outfile *o)
{
	int err = 0;

	if (!o->f || o->f == stdout) {
		fflush(stdout);
		return 0;
	}
	if (fflush(o->f) || ferror(o->f))
		err = errno ? -errno : -EIO;
	/* on disk before it has the name: never an empty file after a crash */
	if (!err && !o->direct && fsync(fileno(o->f)))
		err = -errno;
	if (!err && o->unnamed)
		err = link_in(o);
	if (fclose(o->f) && !err)
		err = -errno;
	o->f = NULL;
	if (!err && !o->unnamed && !o->direct && rename(o->tmp, o->path))
		err = -errno;
	if (o->tmp && (err || o->unnamed))
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	return err;
}

void outfile__abort(struct fp_outfile *o)
{
	if (o->f == stdout)
		return;
	if (o->f)
		fclose(o->f);
	if (o->tmp && !o->unnamed)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
}
