/* error.c - dcs_strerror() and the error-message buffer. */
#include "engine/error.h"

#include <string.h>

const char *dcs_strerror(int code)
{
    switch (code) {
#define DCS_ERROR_CASE(name, value, text)                                      \
    case value:                                                                \
        return text;
        DCS_ERROR_TABLE(DCS_ERROR_CASE)
#undef DCS_ERROR_CASE
    }
    return "unknown error";
}

int dcs_err_set(dcs_err_t *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
