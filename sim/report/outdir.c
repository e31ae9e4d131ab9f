/* outdir.c - temporaries renamed into place on commit. */
#include "report/outdir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct outfile {
    char *tmp_path;   /* dir/.name.tmp */
    char *final_path; /* dir/name */
    FILE *f;
} outfile_t;

struct dcs_outdir {
    char *dir;
    outfile_t *files;
    size_t len, cap;
};

static char *join(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char *path = strdup(dir);
    if (!path)
        return -1;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) < 0 && errno != EEXIST) {
            free(path);
            return -1;
        }
        *p = '/';
    }
    int rc = mkdir(path, 0777) < 0 && errno != EEXIST ? -1 : 0;
    struct stat st;
    if (rc == 0 && (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))) {
        errno = ENOTDIR; /* it exists, but is not a folder */
        rc = -1;
    }
    free(path);
    return rc;
}

dcs_outdir_t *dcs_outdir_begin(const char *dir, dcs_err_t *err)
{
    if (make_dirs(dir) < 0) {
        dcs_err_set(err, DCS_EIO, "cannot create output folder '%s': %s", dir,
                    strerror(errno));
        return NULL;
    }
    dcs_outdir_t *o = calloc(1, sizeof *o);
    if (!o || !(o->dir = strdup(dir))) {
        free(o);
        dcs_err_set(err, DCS_ENOMEM, "out of memory");
        return NULL;
    }
    return o;
}

FILE *dcs_outdir_create(dcs_outdir_t *o, const char *name, dcs_err_t *err)
{
    if (o->len == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 16;
        outfile_t *files = realloc(o->files, cap * sizeof *files);
        if (!files) {
            dcs_err_set(err, DCS_ENOMEM, "out of memory");
            return NULL;
        }
        o->files = files;
        o->cap = cap;
    }
    outfile_t *of = &o->files[o->len];
    char *hidden = join(".", name, ".tmp");
    of->tmp_path = hidden ? join(o->dir, "/", hidden) : NULL;
    of->final_path = join(o->dir, "/", name);
    free(hidden);
    if (!of->tmp_path || !of->final_path) {
        free(of->tmp_path);
        free(of->final_path);
        dcs_err_set(err, DCS_ENOMEM, "out of memory");
        return NULL;
    }
    of->f = fopen(of->tmp_path, "w");
    if (!of->f) {
        dcs_err_set(err, DCS_EIO, "cannot write '%s': %s", of->tmp_path,
                    strerror(errno));
        free(of->tmp_path);
        free(of->final_path);
        return NULL;
    }
    o->len++;
    return of->f;
}

static void free_outdir(dcs_outdir_t *o)
{
    for (size_t i = 0; i < o->len; i++) {
        free(o->files[i].tmp_path);
        free(o->files[i].final_path);
    }
    free(o->files);
    free(o->dir);
    free(o);
}

void dcs_outdir_abort(dcs_outdir_t *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->len; i++) {
        if (o->files[i].f)
            fclose(o->files[i].f);
        unlink(o->files[i].tmp_path);
    }
    free_outdir(o);
}

int dcs_outdir_commit(dcs_outdir_t *o, dcs_err_t *err)
{
    int rc = 0;
    for (size_t i = 0; i < o->len; i++) {
        outfile_t *of = &o->files[i];
        int bad = ferror(of->f);
        if (fclose(of->f) != 0 || bad) {
            if (rc == 0)
                rc = dcs_err_set(err, DCS_EIO, "cannot write '%s': %s",
                                 of->final_path, strerror(errno ? errno : EIO));
        }
        of->f = NULL;
    }
    for (size_t i = 0; i < o->len && rc == 0; i++)
        if (rename(o->files[i].tmp_path, o->files[i].final_path) < 0)
            rc = dcs_err_set(err, DCS_EIO, "cannot rename '%s' to '%s': %s",
                             o->files[i].tmp_path, o->files[i].final_path,
                             strerror(errno));
    if (rc < 0)
        for (size_t i = 0; i < o->len; i++)
            unlink(o->files[i].tmp_path);
    free_outdir(o);
    return rc;
}
