/*
 * test_gitsrc.c: desired state read from a git commit (gitsrc.c): local
 * repositories, bare ones, REF:DIR, a file:// URL cloned then fetched, and
 * signatures checked with gpgv (gitsig.c) against keys made with gpg.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <git2.h>

#include "gitsrc.h"
#include "gitutil.h"
#include "util.h"

static char tmp[256];
static char *gnupghome;
static char *keyring;		/* holds the "trusted" key only */
static char trusted_fpr[64];

struct file {
	const char	*path;
	const char	*text;
	unsigned	 mode;		/* 0: a plain file */
};

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int rc;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	rc = system(cmd);
	free(cmd);
	return rc;
}

static char *
slurp(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp;

	assert_non_null(fp = fopen(path, "rb"));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	return buf_detach(&b);
}

/* Two keys: "trusted" exported to the keyring, "stranger" not. */
static int
group_setup(void **state)
{
	char *home, *fpr;

	strcpy(tmp, "/tmp/test_gitsrc.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	home = xasprintf("%s/home", tmp);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, home);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, home);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, home);
	free(home);
	gnupghome = xasprintf("%s/gnupg", tmp);
	mkdir(gnupghome, 0700);
	keyring = xasprintf("%s/keyring.gpg", tmp);
	fpr = xasprintf("%s/fpr", tmp);
	assert_int_equal(sh("gpg --homedir %s --batch --quiet --passphrase '' "
	    "--quick-gen-key 'Trusted <trusted@test>' ed25519 sign never "
	    "2>/dev/null && gpg --homedir %s --batch --quiet --passphrase '' "
	    "--quick-gen-key 'Stranger <stranger@test>' ed25519 sign never "
	    "2>/dev/null && gpg --homedir %s --quiet --export trusted@test "
	    "2>/dev/null > %s && gpg --homedir %s --with-colons "
	    "--fingerprint trusted@test 2>/dev/null | "
	    "awk -F: '/^fpr/ { print $10; exit }' | tr -d '\\n' > %s",
	    gnupghome, gnupghome, gnupghome, keyring, gnupghome, fpr), 0);
	home = slurp(fpr);
	assert_int_equal(strlen(home), 40);
	strcpy(trusted_fpr, home);
	free(home);
	free(fpr);
	return 0;
}

static int
group_teardown(void **state)
{
	sh("gpgconf --homedir %s --kill all 2>/dev/null", gnupghome);
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(gnupghome);
	free(keyring);
	return 0;
}

/* A detached armored signature of text by key (a user id). */
static char *
sign(const char *text, size_t len, const char *key)
{
	char *in, *out, *sig;
	FILE *fp;

	in = xasprintf("%s/tosign", tmp);
	out = xasprintf("%s/tosign.asc", tmp);
	assert_non_null(fp = fopen(in, "wb"));
	fwrite(text, 1, len, fp);
	fclose(fp);
	unlink(out);
	assert_int_equal(sh("gpg --homedir %s --batch --quiet --yes "
	    "--pinentry-mode loopback --passphrase '' -u %s --armor "
	    "--detach-sign -o %s %s", gnupghome, key, out, in), 0);
	sig = slurp(out);
	free(in);
	free(out);
	return sig;
}

static void
tree_of(git_repository *r, const struct file *files, size_t n, git_tree **t)
{
	git_index *idx;
	git_index_entry e;
	git_oid id;
	size_t i;

	assert_int_equal(git_index_new(&idx), 0);
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		e.path = files[i].path;
		e.mode = files[i].mode != 0 ? files[i].mode : GIT_FILEMODE_BLOB;
		assert_int_equal(git_blob_create_from_buffer(&e.id, r,
		    files[i].text, strlen(files[i].text)), 0);
		assert_int_equal(git_index_add(idx, &e), 0);
	}
	assert_int_equal(git_index_write_tree_to(&id, idx, r), 0);
	assert_int_equal(git_tree_lookup(t, r, &id), 0);
	git_index_free(idx);
}

/*
 * Commit files on branch main (after its tip); signed by key unless NULL;
 * with a signature of other content when tamper is set.
 */
static git_oid
commit(git_repository *r, const struct file *files, size_t n,
    const char *key, int tamper)
{
	git_signature *sig;
	git_commit *parent = NULL;
	git_buf content = GIT_BUF_INIT;
	git_tree *t;
	git_oid id, pid;
	const git_commit *parents[1];
	git_reference *ref;
	char *signature;

	tree_of(r, files, n, &t);
	if (git_reference_name_to_id(&pid, r, "refs/heads/main") == 0)
		assert_int_equal(git_commit_lookup(&parent, r, &pid), 0);
	parents[0] = parent;
	assert_int_equal(git_signature_new(&sig, "t", "t@test", 1000, 0), 0);
	assert_int_equal(git_commit_create_buffer(&content, r, sig, sig, NULL,
	    "desired\n", t, parent != NULL, parents), 0);
	if (key == NULL)
		assert_int_equal(git_commit_create(&id, r, NULL, sig, sig,
		    NULL, "desired\n", t, parent != NULL, parents), 0);
	else {
		signature = sign(content.ptr, tamper ? 3 : content.size, key);
		assert_int_equal(git_commit_create_with_signature(&id, r,
		    content.ptr, signature, NULL), 0);
		free(signature);
	}
	assert_int_equal(git_reference_create(&ref, r, "refs/heads/main",
	    &id, 1, NULL), 0);
	git_reference_free(ref);
	git_buf_dispose(&content);
	git_signature_free(sig);
	git_commit_free(parent);
	git_tree_free(t);
	return id;
}

static const struct file desired_v1[] = {
	{ "hosts.yaml", "hosts:\n  node1.contoso.test: {}\n", 0 },
	{ "policies/hci.yaml", "policies: {}\n", 0 },
	{ "policies/notes.yml", "not: read\n", 0 },
	{ "README.md", "# desired state\n", 0 },
	{ ".github/workflows/ci.yaml", "on: push\n", 0 },
	{ "link.yaml", "hosts.yaml", GIT_FILEMODE_LINK },
};

static git_repository *
new_repo(const char *name, int bare, char **path)
{
	git_repository *r;

	*path = xasprintf("%s/%s", tmp, name);
	assert_int_equal(git_repository_init(&r, *path, bare), 0);
	return r;
}

static void
read_ok(struct gitsrc_files *out, const char *repo, const char *ref,
    const char *cache, const char *kr)
{
	char *cause = NULL;

	if (gitsrc_read(out, repo, ref, cache, kr, &cause) == -1)
		fail_msg("%s", cause);
}

static void
read_fails(const char *repo, const char *ref, const char *cache,
    const char *kr, const char *want)
{
	struct gitsrc_files out;
	char *cause = NULL, *full;

	assert_int_equal(gitsrc_read(&out, repo, ref, cache, kr, &cause), -1);
	full = xasprintf(want, repo);
	assert_string_equal(cause, full);
	free(full);
	free(cause);
	gitsrc_files_release(&out);
}

static void
test_is_url(void **state)
{
	assert_true(gitsrc_is_url("https://git.contoso.test/infra/desired"));
	assert_true(gitsrc_is_url("file:///srv/desired.git"));
	assert_true(gitsrc_is_url("git@git.contoso.test:infra/desired"));
	assert_false(gitsrc_is_url("/srv/desired"));
	assert_false(gitsrc_is_url("desired"));
	assert_false(gitsrc_is_url("./a:b"));
}

static void
test_url_public(void **state)
{
	static const char *cases[][2] = {
		{ "https://bot:t0ken@git.contoso.test/infra/desired.git",
		  "https://git.contoso.test/infra/desired.git" },
		{ "https://t0ken@git.contoso.test", "https://git.contoso.test" },
		{ "https://git.contoso.test/a@b", "https://git.contoso.test/a@b" },
		{ "git@git.contoso.test:infra/desired",
		  "git@git.contoso.test:infra/desired" },
		{ "/srv/desired", "/srv/desired" },
	};
	char *s;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		s = gitutil_url_public(cases[i][0]);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

static void
test_local(void **state)
{
	struct gitsrc_files out;
	git_repository *r;
	git_oid id;
	char *path, hex[41];

	r = new_repo("local", 0, &path);
	id = commit(r, desired_v1, nitems(desired_v1), NULL, 0);
	git_oid_tostr(hex, sizeof(hex), &id);
	read_ok(&out, path, "main", NULL, NULL);
	assert_string_equal(out.commit, hex);
	assert_null(out.signer);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.files[0].name, "main:hosts.yaml");
	assert_string_equal(out.files[0].text, desired_v1[0].text);
	assert_int_equal(out.files[0].len, strlen(desired_v1[0].text));
	assert_string_equal(out.files[1].name, "main:policies/hci.yaml");
	gitsrc_files_release(&out);
	/* Only a directory, named by its place in the commit. */
	read_ok(&out, path, "main:policies", NULL, NULL);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.files[0].name, "main:policies/hci.yaml");
	gitsrc_files_release(&out);
	/* No work tree was written: the checkout is empty. */
	{
		char *wt = xasprintf("%s/hosts.yaml", path);

		assert_int_equal(access(wt, F_OK), -1);
		free(wt);
	}
	git_repository_free(r);
	free(path);
}

static void
test_bare_history(void **state)
{
	static const struct file v2[] = {
		{ "hosts.yaml", "hosts:\n  node2.contoso.test: {}\n", 0 },
	};
	struct gitsrc_files out;
	git_repository *r;
	git_object *obj;
	git_oid v1;
	char *path, hex[41];

	r = new_repo("bare.git", 1, &path);
	v1 = commit(r, desired_v1, nitems(desired_v1), NULL, 0);
	assert_int_equal(git_object_lookup(&obj, r, &v1, GIT_OBJECT_COMMIT),
	    0);
	assert_int_equal(git_tag_create_lightweight(&v1, r, "v1", obj, 0), 0);
	git_object_free(obj);
	commit(r, v2, nitems(v2), NULL, 0);
	read_ok(&out, path, "main", NULL, NULL);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.files[0].text, v2[0].text);
	gitsrc_files_release(&out);
	read_ok(&out, path, "v1", NULL, NULL);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.files[0].text, desired_v1[0].text);
	git_oid_tostr(hex, sizeof(hex), &v1);
	gitsrc_files_release(&out);
	read_ok(&out, path, hex, NULL, NULL);
	assert_string_equal(out.commit, hex);
	gitsrc_files_release(&out);
	git_repository_free(r);
	free(path);
}

static void
test_errors(void **state)
{
	static const struct file none[] = { { "README.md", "x\n", 0 } };
	git_repository *r;
	git_commit *c;
	git_oid id;
	char *path, *want, hex[41];

	r = new_repo("errors", 0, &path);
	id = commit(r, desired_v1, nitems(desired_v1), NULL, 0);
	read_fails(path, "mian", NULL, NULL, "%s: ref 'mian' not found");
	read_fails(path, "main:nope", NULL, NULL,
	    "%s: 'main:nope' is not a directory");
	read_fails(path, "", NULL, NULL, "%s: empty ref");
	assert_int_equal(git_commit_lookup(&c, r, &id), 0);
	git_oid_tostr(hex, sizeof(hex), git_commit_tree_id(c));
	git_commit_free(c);
	want = xasprintf("%%s: '%s' is not a commit", hex);
	read_fails(path, hex, NULL, NULL, want);
	free(want);
	commit(r, none, nitems(none), NULL, 0);
	read_fails(path, "main", NULL, NULL, "%s: no *.yaml file in 'main'");
	read_fails("file:///nowhere.git", "main", NULL, NULL,
	    "%s: a URL needs a cache directory");
	git_repository_free(r);
	free(path);
	path = xasprintf("%s/home", tmp);
	{
		struct gitsrc_files out;
		char *cause = NULL;

		assert_int_equal(gitsrc_read(&out, path, "main", NULL, NULL,
		    &cause), -1);
		want = xasprintf("%s: not a git repository: ", path);
		assert_int_equal(strncmp(cause, want, strlen(want)), 0);
		free(want);
		free(cause);
	}
	free(path);
}

static void
test_url_secrets(void **state)
{
	static const char *bad[] = {
		"https://bot:s3cret@[::1:bad/x",
		"https://bot:s3cret@127.0.0.1:99999/x",
		"https://bot:s3cret@/x",
		"https://bot:s3cret@127.0.0.1:1/x",
		"ssh://bot:s3cret@127.0.0.1:1/x",
		"file://bot:s3cret@127.0.0.1/nowhere",
	};
	struct gitsrc_files out;
	char *cause, *cache, *s;
	size_t i;

	s = gitutil_redact("fetch 'https://bot:s3cret@h/x' and "
	    "http://h/y, then ssh://u@h:1/z");
	assert_string_equal(s, "fetch 'https://***@h/x' and http://h/y, then "
	    "ssh://***@h:1/z");
	free(s);
	/* Never sent over plain HTTP: refused before any connection. */
	cause = NULL;
	assert_int_equal(gitsrc_read(&out, "http://bot:s3cret@127.0.0.1:1/x",
	    "main", NULL, NULL, &cause), -1);
	assert_string_equal(cause, "http://127.0.0.1:1/x: refusing to send "
	    "the URL's credentials over plain http://: use https:// or "
	    "ssh://");
	free(cause);
	gitsrc_files_release(&out);
	/* Whatever libgit2 says of a bad URL, the password is not in it. */
	cache = xasprintf("%s/cache/secrets", tmp);
	for (i = 0; i < nitems(bad); i++) {
		cause = NULL;
		assert_int_equal(gitsrc_read(&out, bad[i], "main", cache,
		    NULL, &cause), -1);
		if (strstr(cause, "s3cret") != NULL)
			fail_msg("case %zu leaks: %s", i, cause);
		free(cause);
		gitsrc_files_release(&out);
	}
	free(cache);
}

static void
test_url_cache(void **state)
{
	static const struct file v2[] = {
		{ "hosts.yaml", "hosts:\n  node2.contoso.test: {}\n", 0 },
	};
	struct gitsrc_files out;
	git_repository *r;
	git_reference *ref;
	git_oid id;
	char *path, *url, *cache, hex[41];

	r = new_repo("origin.git", 1, &path);
	commit(r, desired_v1, nitems(desired_v1), NULL, 0);
	url = xasprintf("file://%s", path);
	cache = xasprintf("%s/cache/desired", tmp);
	read_ok(&out, url, "main", cache, NULL);
	assert_int_equal(out.n, 2);
	gitsrc_files_release(&out);
	/* A new commit upstream is fetched on the next read. */
	id = commit(r, v2, nitems(v2), NULL, 0);
	git_oid_tostr(hex, sizeof(hex), &id);
	read_ok(&out, url, "main", cache, NULL);
	assert_string_equal(out.commit, hex);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.files[0].text, v2[0].text);
	gitsrc_files_release(&out);
	/* A branch deleted upstream is gone from the cache too. */
	assert_int_equal(git_reference_create(&ref, r, "refs/heads/old", &id,
	    0, NULL), 0);
	read_ok(&out, url, "old", cache, NULL);
	gitsrc_files_release(&out);
	assert_int_equal(git_reference_delete(ref), 0);
	git_reference_free(ref);
	read_fails(url, "old", cache, NULL, "%s: ref 'old' not found");
	git_repository_free(r);
	free(path);
	free(url);
	free(cache);
}

static void
test_signatures(void **state)
{
	struct gitsrc_files out;
	git_repository *r;
	git_oid id;
	char *path, *want, *missing, hex[13];

	r = new_repo("signed", 0, &path);
	commit(r, desired_v1, nitems(desired_v1), "trusted@test", 0);
	read_ok(&out, path, "main", NULL, keyring);
	assert_string_equal(out.signer, trusted_fpr);
	assert_int_equal(out.n, 2);
	gitsrc_files_release(&out);

	id = commit(r, desired_v1, nitems(desired_v1), NULL, 0);
	git_oid_tostr(hex, sizeof(hex), &id);
	want = xasprintf("%%s: main: commit %s is not signed", hex);
	read_fails(path, "main", NULL, keyring, want);
	free(want);

	id = commit(r, desired_v1, nitems(desired_v1), "stranger@test", 0);
	git_oid_tostr(hex, sizeof(hex), &id);
	want = xasprintf("%%s: main: commit %s is signed by key ", hex);
	{
		char *cause = NULL, *tail;

		assert_int_equal(gitsrc_read(&out, path, "main", NULL, keyring,
		    &cause), -1);
		assert_int_equal(strncmp(cause, path, strlen(path)), 0);
		assert_non_null(strstr(cause, want + 2));
		tail = xasprintf(", which is not in keyring '%s'", keyring);
		assert_non_null(strstr(cause, tail));
		free(tail);
		free(cause);
		gitsrc_files_release(&out);
	}
	free(want);

	id = commit(r, desired_v1, nitems(desired_v1), "trusted@test", 1);
	git_oid_tostr(hex, sizeof(hex), &id);
	want = xasprintf("%%s: main: commit %s: bad signature from key ", hex);
	{
		char *cause = NULL;

		assert_int_equal(gitsrc_read(&out, path, "main", NULL, keyring,
		    &cause), -1);
		assert_non_null(strstr(cause, want + 2));
		/* The key is named: the last 16 digits of its fingerprint. */
		assert_non_null(strstr(cause, trusted_fpr + 24));
		free(cause);
		gitsrc_files_release(&out);
	}
	free(want);

	missing = xasprintf("%s/none.gpg", tmp);
	want = xasprintf("%%s: main: keyring '%s': No such file or directory",
	    missing);
	read_fails(path, "main", NULL, missing, want);
	free(want);
	free(missing);
	git_repository_free(r);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_url),
		cmocka_unit_test(test_url_public),
		cmocka_unit_test(test_url_secrets),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_bare_history),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_url_cache),
		cmocka_unit_test(test_signatures),
	};
	int rc;

	/* Held for the whole program so the search paths set stay put. */
	git_libgit2_init();
	rc = cmocka_run_group_tests_name("gitsrc", tests, group_setup,
	    group_teardown);
	git_libgit2_shutdown();
	return rc;
}
