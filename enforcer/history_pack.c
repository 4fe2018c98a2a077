/*
 * history_pack.c: the history repository kept small (docs/scale.md,
 * "Packing").
 *
 * Each run writes its objects loose (one zlib file each, fsync on), the
 * safest way to write them, and the most wasteful to keep: a year of
 * 15-minute runs is 35,000 runs, several objects each, most of them trees
 * that differ from the run before in a line or two.  So, after a run is
 * recorded, once the loose objects reach a threshold they are put into
 * one pack (libgit2's packbuilder, which stores each object as a delta
 * against a similar one), and removed; once the packs pass
 * HISTORY_PACK_MAX, everything the refs reach is packed into one and the
 * older packs go: git gc, done in process.
 *
 * Order, so that a process killed at any point loses nothing: the new
 * pack and its index are written (and synced) before any loose object or
 * older pack is removed, and only objects or packs listed before the pack
 * was built are removed.  Callers hold the history's lock, so no run
 * writes objects meanwhile; a reader that meets a removed file finds the
 * object in the new pack (libgit2 rescans the packs on a miss).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gitutil.h"
#include "history.h"

/* Loose objects and packs found in a repository. */
struct pack_scan {
	git_oid	 *loose;
	size_t	  nloose;
	char	**packs;	/* paths of the .pack files, without ".pack" */
	size_t	  npacks;
	char	 *objects;	/* ".../objects" */
};

static void
scan_release(struct pack_scan *s)
{
	size_t i;

	for (i = 0; i < s->npacks; i++)
		free(s->packs[i]);
	free(s->packs);
	free(s->loose);
	free(s->objects);
	memset(s, 0, sizeof(*s));
}

static int
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr("0123456789abcdef", s[i]) == NULL)
			return 0;
	return s[n] == '\0';
}

/* objects/xx/<38 hex> of one fan-out directory. */
static void
scan_fan(struct pack_scan *s, const char *xx)
{
	char hex[GIT_OID_HEXSZ + 1], *dir;
	struct dirent *de;
	DIR *d;

	dir = xasprintf("%s/%s", s->objects, xx);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (!is_hex(de->d_name, GIT_OID_HEXSZ - 2))
				continue;
			memcpy(hex, xx, 2);
			memcpy(hex + 2, de->d_name, GIT_OID_HEXSZ - 2);
			hex[GIT_OID_HEXSZ] = '\0';
			s->loose = xreallocarray(s->loose, s->nloose + 1,
			    sizeof(*s->loose));
			if (git_oid_fromstr(&s->loose[s->nloose], hex) == 0)
				s->nloose++;
		}
		closedir(d);
	}
	free(dir);
}

static void
scan_packs(struct pack_scan *s)
{
	struct dirent *de;
	char *dir;
	size_t len;
	DIR *d;

	dir = xasprintf("%s/pack", s->objects);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			len = strlen(de->d_name);
			if (len < 6 || strcmp(de->d_name + len - 5, ".pack") != 0)
				continue;
			s->packs = xreallocarray(s->packs, s->npacks + 1,
			    sizeof(*s->packs));
			s->packs[s->npacks++] = xasprintf("%s/%.*s", dir,
			    (int)(len - 5), de->d_name);
		}
		closedir(d);
	}
	free(dir);
}

static void
scan(git_repository *r, struct pack_scan *s)
{
	char xx[3];
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->objects = xasprintf("%sobjects", git_repository_commondir(r));
	for (i = 0; i < 256; i++) {
		snprintf(xx, sizeof(xx), "%02x", i);
		scan_fan(s, xx);
	}
	scan_packs(s);
}

int
history_pack_count(git_repository *r, size_t *loose, size_t *packs)
{
	struct pack_scan s;

	scan(r, &s);
	*loose = s.nloose;
	*packs = s.npacks;
	scan_release(&s);
	return 0;
}

/* Everything reachable from any ref, for a full repack. */
static int
pack_insert_refs(git_repository *r, git_packbuilder *pb)
{
	git_revwalk *walk = NULL;
	int err;

	err = git_revwalk_new(&walk, r);
	if (err == 0)
		err = git_revwalk_push_glob(walk, "refs/*");
	if (err == 0)
		err = git_packbuilder_insert_walk(pb, walk);
	git_revwalk_free(walk);
	return err;
}

/* The files a scan listed, now in the new pack: loose objects, and the
 * older packs when full (never the pack just written, named keep). */
static void
pack_remove_old(struct pack_scan *s, int full, const char *keep)
{
	/* The index first: a pack without its index is never read. */
	static const char *const ext[] = { ".idx", ".pack", ".rev", ".keep",
	    NULL };
	char hex[GIT_OID_HEXSZ + 1], *path;
	const char *base;
	size_t i, k;

	for (i = 0; i < s->nloose; i++) {
		git_oid_tostr(hex, sizeof(hex), &s->loose[i]);
		path = xasprintf("%s/%.2s/%s", s->objects, hex, hex + 2);
		unlink(path);
		/* Its directory too, once empty (rmdir fails otherwise). */
		*strrchr(path, '/') = '\0';
		rmdir(path);
		free(path);
	}
	for (i = 0; full && i < s->npacks; i++) {
		base = strrchr(s->packs[i], '/');
		if (base != NULL && strstr(base, keep) != NULL)
			continue;
		for (k = 0; ext[k] != NULL; k++) {
			path = xasprintf("%s%s", s->packs[i], ext[k]);
			unlink(path);
			free(path);
		}
	}
}

int
history_pack(git_repository *r, size_t threshold, const char *where,
    char **cause)
{
	git_packbuilder *pb = NULL;
	git_odb *odb = NULL;
	struct pack_scan s;
	size_t i;
	int full, err = 0, rc = 0;

	if (threshold == 0)
		return 0;
	scan(r, &s);
	if (s.nloose < threshold)
		goto out;
	full = s.npacks + 1 > HISTORY_PACK_MAX;
	if (git_packbuilder_new(&pb, r) != 0) {
		rc = gitutil_fail(cause, where, "pack");
		goto out;
	}
	git_packbuilder_set_threads(pb, 1);
	/* Loose objects a killed run left unreachable go in too: only what
	   is packed is removed, and a full repack drops them. */
	for (i = 0; i < s.nloose && err == 0; i++)
		err = git_packbuilder_insert(pb, &s.loose[i], NULL);
	if (err == 0 && full)
		err = pack_insert_refs(r, pb);
	if (err == 0)
		err = git_packbuilder_write(pb, NULL, 0, NULL, NULL);
	if (err != 0) {
		rc = gitutil_fail(cause, where, "pack");
		goto out;
	}
	pack_remove_old(&s, full, git_packbuilder_name(pb));
	if (git_repository_odb(&odb, r) == 0)
		git_odb_refresh(odb);
	git_odb_free(odb);
out:
	git_packbuilder_free(pb);
	scan_release(&s);
	return rc;
}
