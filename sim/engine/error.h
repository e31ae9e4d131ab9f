/* error.h - error codes and the error-message buffer.
 *
 * Library functions return 0 (or a non-negative value) on success and a
 * negative DCS_E* code on failure. One table generates both the enum and
 * dcs_strerror(). Functions that can fail on user input also fill a
 * dcs_err_t with a message naming file:line:col, so the command line can
 * print it; the library itself never prints and never exits. */
#ifndef DCS_ERROR_H
#define DCS_ERROR_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* X(name, value, text). DCS_EINPUT is the user's bad input (exit 2); the
 * others are runtime failures (exit 1). */
#define DCS_ERROR_TABLE(X)                                                     \
    X(DCS_OK, 0, "success")                                                    \
    X(DCS_EINPUT, -1, "bad input")                                             \
    X(DCS_ENOMEM, -2, "out of memory")                                         \
    X(DCS_EIO, -3, "input/output error")                                       \
    X(DCS_ENOTFOUND, -4, "not found")                                          \
    X(DCS_EINVAL, -5, "invalid argument")                                      \
    X(DCS_ESTATE, -6, "operation not valid in this state")

typedef enum dcs_error {
#define DCS_ERROR_ENUM(name, value, text) name = value,
    DCS_ERROR_TABLE(DCS_ERROR_ENUM)
#undef DCS_ERROR_ENUM
} dcs_error_t;

/* Returns a static description of `code`, or "unknown error". */
const char *dcs_strerror(int code);

/* A message buffer filled by functions that fail on input. */
typedef struct dcs_err {
    char msg[1024]; /* NUL-terminated; empty when no error was set */
} dcs_err_t;

/* Formats a message into `err` (when err is not NULL) and returns `code`, so
 * callers can write `return dcs_err_set(err, DCS_EINPUT, "...", ...);`. */
int dcs_err_set(dcs_err_t *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Aborts with file and line when an invariant does not hold. For invariants
 * only, never for input checks. */
#define DCS_ASSERT(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

#endif
