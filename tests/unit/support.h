/* support.h - helpers the Check suites share: temporary folders, reading
 * a whole file, running the dcsim binary. Each fails the running test
 * (ck_assert) when the system does not cooperate. */
#ifndef DCS_TEST_SUPPORT_H
#define DCS_TEST_SUPPORT_H

#include <stddef.h>

/* A new, empty folder under /tmp; its path into buf. */
void make_tmpdir(char *buf, size_t size);
/* rm -r, for folders the tests made. */
void remove_tree(const char *path);
/* 1 when `path` exists. */
int exists(const char *path);
/* The whole of a file, NUL-terminated (the caller frees); its length into
 * *len when len is not NULL. */
char *slurp(const char *path, size_t *len);
/* Runs the dcsim binary with `args` (NULL-terminated, without argv[0]),
 * stdout and stderr to files; returns its exit status and what it printed
 * (the caller frees both). */
int run_dcsim(const char *const *args, char **out, char **err);
/* 1 when s begins with prefix. */
int starts_with(const char *s, const char *prefix);

#endif
