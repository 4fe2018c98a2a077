/*
 * gitsig.c: is a commit signed by a key of a keyring?  The signature is
 * taken out with libgit2 and checked by gpgv, the verify-only tool of
 * GnuPG, whose machine-readable status lines (--status-fd, see GnuPG's
 * doc/DETAILS) decide; its human messages are discarded.  And the other
 * way: a commit's content signed with the operator's key, by gpg.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gitsrc.h"
#include "gitutil.h"
#include "util.h"

extern char **environ;

#define PGP_SIG_BEGIN	"-----BEGIN PGP SIGNATURE-----"

/* What gpgv said, from its status lines; each a key id or fingerprint. */
struct gpgv_status {
	char	*goodsig;
	char	*validsig;
	char	*badsig;
	char	*no_pubkey;
	char	*expkeysig;
	char	*revkeysig;
	int	 exit;		/* exit status, -1 if it did not exit */
};

/* The signed data, the signature and gpgv's empty home, in a temp dir. */
struct gpgv_files {
	char	*dir;
	char	*sig;
	char	*data;
};

static void
status_release(struct gpgv_status *st)
{
	free(st->goodsig);
	free(st->validsig);
	free(st->badsig);
	free(st->no_pubkey);
	free(st->expkeysig);
	free(st->revkeysig);
}

static void
status_line(struct gpgv_status *st, const char *line)
{
	static const struct {
		const char	*word;
		size_t		 off;
	} words[] = {
		{ "GOODSIG ", offsetof(struct gpgv_status, goodsig) },
		{ "VALIDSIG ", offsetof(struct gpgv_status, validsig) },
		{ "BADSIG ", offsetof(struct gpgv_status, badsig) },
		{ "NO_PUBKEY ", offsetof(struct gpgv_status, no_pubkey) },
		{ "EXPKEYSIG ", offsetof(struct gpgv_status, expkeysig) },
		{ "REVKEYSIG ", offsetof(struct gpgv_status, revkeysig) },
	};
	char **field;
	size_t i, len;

	if (strncmp(line, "[GNUPG:] ", 9) != 0)
		return;
	line += 9;
	for (i = 0; i < nitems(words); i++) {
		len = strlen(words[i].word);
		if (strncmp(line, words[i].word, len) != 0)
			continue;
		field = (char **)((char *)st + words[i].off);
		free(*field);
		*field = xstrndup(line + len, strcspn(line + len, " \n"));
	}
}

static void
status_parse(struct gpgv_status *st, char *text)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		status_line(st, line);
}

static void
files_remove(struct gpgv_files *f)
{
	struct dirent *de;
	DIR *d;
	char *p;

	if (f->dir == NULL)
		return;
	/* gpgv may leave files in its home: remove whatever is there. */
	if ((d = opendir(f->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			p = xasprintf("%s/%s", f->dir, de->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(f->dir);
	free(f->dir);
	free(f->sig);
	free(f->data);
}

static int
write_file(const char *path, const char *data, size_t len, char **cause)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600))
	    == -1)
		return cause_set(cause, "%s: %s", path, strerror(errno));
	for (; len > 0; data += n, len -= (size_t)n) {
		if ((n = write(fd, data, len)) == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n == -1) {
			close(fd);
			return cause_set(cause, "%s: %s", path,
			    strerror(errno));
		}
	}
	if (close(fd) == -1)
		return cause_set(cause, "%s: %s", path, strerror(errno));
	return 0;
}

static int
files_write(struct gpgv_files *f, const git_buf *sig, const git_buf *data,
    char **cause)
{
	const char *tmpdir = getenv("TMPDIR");

	f->dir = xasprintf("%s/enforcer-gpgv.XXXXXX", tmpdir != NULL &&
	    *tmpdir != '\0' ? tmpdir : "/tmp");
	if (mkdtemp(f->dir) == NULL) {
		cause_set(cause, "%s: %s", f->dir, strerror(errno));
		free(f->dir);
		f->dir = NULL;
		return -1;
	}
	f->sig = xasprintf("%s/commit.sig", f->dir);
	f->data = xasprintf("%s/commit", f->dir);
	if (write_file(f->sig, sig->ptr, sig->size, cause) == -1 ||
	    write_file(f->data, data->ptr, data->size, cause) == -1)
		return -1;
	return 0;
}

static void
read_all(int fd, struct buf *out)
{
	char chunk[4096];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		buf_add(out, chunk, (size_t)n);
	}
}

/* Run argv (its program from PATH), stdout into out, stderr discarded. */
static int
spawn_read(const char *const argv[], struct buf *out, int *status,
    char **cause)
{
	posix_spawn_file_actions_t fa;
	int p[2], err, wst;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return cause_set(cause, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* posix_spawn does not write argv; its prototype predates const. */
	err = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv,
	    environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (err != 0) {
		close(p[0]);
		return cause_set(cause, "%s: %s", argv[0], strerror(err));
	}
	read_all(p[0], out);
	close(p[0]);
	while (waitpid(pid, &wst, 0) == -1 && errno == EINTR)
		;
	*status = WIFEXITED(wst) ? WEXITSTATUS(wst) : -1;
	return 0;
}

/* gpgv --status-fd 1 ..., stdout read into st, stderr discarded. */
static int
run_gpgv(const struct gpgv_files *f, const char *keyring,
    struct gpgv_status *st, char **cause)
{
	const char *argv[] = { "gpgv", "--homedir", f->dir, "--status-fd",
	    "1", "--keyring", keyring, f->sig, f->data, NULL };
	struct buf out = BUF_INIT;

	if (spawn_read(argv, &out, &st->exit, cause) == -1)
		return -1;
	if (out.ptr != NULL)
		status_parse(st, out.ptr);
	buf_release(&out);
	return 0;
}

/* The verdict; an expired or revoked key is refused like a bad one. */
static int
judge(const struct gpgv_status *st, const char *hex, const char *keyring,
    char **signer, char **cause)
{
	if (st->badsig != NULL)
		return cause_set(cause, "commit %s: bad signature from key %s",
		    hex, st->badsig);
	if (st->no_pubkey != NULL)
		return cause_set(cause, "commit %s is signed by key %s, which "
		    "is not in keyring '%s'", hex, st->no_pubkey, keyring);
	if (st->expkeysig != NULL)
		return cause_set(cause, "commit %s is signed by key %s, which "
		    "has expired", hex, st->expkeysig);
	if (st->revkeysig != NULL)
		return cause_set(cause, "commit %s is signed by key %s, which "
		    "is revoked", hex, st->revkeysig);
	if (st->exit != 0 || st->goodsig == NULL || st->validsig == NULL)
		return cause_set(cause, "commit %s: gpgv could not verify its "
		    "signature (exit %d)", hex, st->exit);
	*signer = xstrdup(st->validsig);
	return 0;
}

int
gitsig_verify(git_repository *repo, const git_oid *id, const char *keyring,
    char **signer, char **cause)
{
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	struct gpgv_status st;
	struct gpgv_files f;
	char hex[13], abs[PATH_MAX];
	git_oid cid;
	int err, rc = -1;

	*signer = NULL;
	memset(&st, 0, sizeof(st));
	memset(&f, 0, sizeof(f));
	git_oid_tostr(hex, sizeof(hex), id);
	git_oid_cpy(&cid, id);
	/* gpgv looks a bare file name up in its home: make it a path. */
	if (realpath(keyring, abs) == NULL) {
		cause_set(cause, "keyring '%s': %s", keyring, strerror(errno));
		goto out;
	}
	err = git_commit_extract_signature(&sig, &data, repo, &cid, NULL);
	if (err == GIT_ENOTFOUND) {
		cause_set(cause, "commit %s is not signed", hex);
		goto out;
	}
	if (err != 0) {
		gitutil_fail(cause, hex, "read signature");
		goto out;
	}
	if (strncmp(sig.ptr, PGP_SIG_BEGIN, strlen(PGP_SIG_BEGIN)) != 0) {
		cause_set(cause, "commit %s has a signature that is not "
		    "OpenPGP", hex);
		goto out;
	}
	if (files_write(&f, &sig, &data, cause) == -1 ||
	    run_gpgv(&f, abs, &st, cause) == -1)
		goto out;
	rc = judge(&st, hex, keyring, signer, cause);
out:
	files_remove(&f);
	status_release(&st);
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
	return rc;
}

int
gitsig_sign(const char *key, const char *data, size_t len, char **sig,
    char **cause)
{
	const char *argv[] = { "gpg", "--batch", "--no-tty", "--armor",
	    "--detach-sign", "--local-user", key, "--output", "-", NULL,
	    NULL };
	const char *tmpdir = getenv("TMPDIR");
	struct buf out = BUF_INIT;
	struct gpgv_files f;
	int status = -1, rc = -1;

	*sig = NULL;
	memset(&f, 0, sizeof(f));
	f.dir = xasprintf("%s/enforcer-gpg.XXXXXX", tmpdir != NULL &&
	    *tmpdir != '\0' ? tmpdir : "/tmp");
	if (mkdtemp(f.dir) == NULL) {
		cause_set(cause, "%s: %s", f.dir, strerror(errno));
		free(f.dir);
		return -1;
	}
	f.data = xasprintf("%s/commit", f.dir);
	argv[9] = f.data;	/* the file to sign, once it has a name */
	if (write_file(f.data, data, len, cause) == -1 ||
	    spawn_read(argv, &out, &status, cause) == -1)
		goto out;
	if (status != 0 || out.len < strlen(PGP_SIG_BEGIN) ||
	    strncmp(out.ptr, PGP_SIG_BEGIN, strlen(PGP_SIG_BEGIN)) != 0) {
		cause_set(cause, "gpg could not sign with key '%s' (exit %d)",
		    key, status);
		goto out;
	}
	*sig = buf_detach(&out);
	rc = 0;
out:
	buf_release(&out);
	files_remove(&f);
	return rc;
}

int
gitsig_commit(git_oid *out, git_repository *repo, const git_signature *sig,
    const char *message, const git_tree *tree, const git_commit *parent,
    const char *key, const char *keyring, const char *where, char **cause)
{
	const git_commit *parents[1] = { parent };
	git_buf content = GIT_BUF_INIT;
	char *armored = NULL, *signer = NULL;
	int rc = -1;

	if (git_commit_create_buffer(&content, repo, sig, sig, NULL, message,
	    tree, parent != NULL ? 1 : 0, parents) < 0) {
		gitutil_fail(cause, where, "commit");
		goto out;
	}
	if (key != NULL && gitsig_sign(key, content.ptr, content.size,
	    &armored, cause) == -1)
		goto out;
	if (git_commit_create_with_signature(out, repo, content.ptr, armored,
	    NULL) < 0) {
		gitutil_fail(cause, where, "commit");
		goto out;
	}
	/* What signed-only runs would refuse is never pointed at. */
	if (keyring != NULL && gitsig_verify(repo, out, keyring, &signer,
	    cause) == -1) {
		cause_prefix(cause, "%s: the window's commit would be refused by "
		    "--require-signed", where);
		goto out;
	}
	rc = 0;
out:
	free(signer);
	free(armored);
	git_buf_dispose(&content);
	return rc;
}
