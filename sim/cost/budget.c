/* budget.c - team budgets per period: reading the `budgets` section,
 * booking spend into periods, forecasts, alerts and the report rows.
 *
 * Each team keeps its spend per period, settled up to its clock, and the
 * run rate it spends at from the clock on. Moving the clock forward books
 * the rate's integral into the periods it crosses and checks, at each
 * period start it passes, the new period's forecast (rate x P); within a
 * period the forecast is constant, so the only other instants to check are
 * the calls themselves. Queries past the clock add the rate's integral
 * without booking it, so they leave the budget untouched. */
#include "cost/budget.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PER_HOUR     3600.0
#define PERIOD_S_MIN   1.0  /* shortest period_s, seconds */
#define PERIOD_S_MAX   1e9  /* longest period_s, seconds (31.7 years) */
#define PLAN_USD_MAX   1e15 /* largest usd_per_period */
#define RATE_ZERO_FRAC 1e-9 /* |rate| below this x the largest seen is 0 */

static const char ALERT_NONE[] = "";
static const char ALERT_FORECAST[] = "over_forecast";
static const char ALERT_ACTUAL[] = "over_actual";

/* ---- reading ---------------------------------------------------------- */

static int read_period(dcs_cfg_node_t *map, dcs_budget_t *b, dcs_err_t *err)
{
    static const char *const names[] = {"month", "week", "day", NULL};
    static const double hours[] = {730.5, 168.0, 24.0};
    int which = 0;
    double period_s = 0;
    int rc;
    if ((rc = dcs_cfg_enum(map, "period", DCS_CFG_OPTIONAL, names, &which,
                           err)) < 0 ||
        (rc = dcs_cfg_f64(map, "period_s", DCS_CFG_OPTIONAL, PERIOD_S_MIN,
                          PERIOD_S_MAX, &period_s, err)) < 0)
        return rc;
    dcs_cfg_node_t *named = dcs_cfg_get(map, "period");
    dcs_cfg_node_t *seconds = dcs_cfg_get(map, "period_s");
    if (named && seconds)
        return dcs_cfg_error(seconds, err,
                             "expected either 'period' or 'period_s', "
                             "found both");
    if (!seconds)
        period_s = hours[which] * S_PER_HOUR;
    b->period_ns = dcs_time_from_s(period_s);
    return 0;
}

static int read_team(dcs_cfg_node_t *teams, size_t i, dcs_budget_team_t *t,
                     dcs_err_t *err)
{
    dcs_cfg_node_t *item = dcs_cfg_at(teams, i);
    const char *name = NULL;
    int rc;
    if ((rc = dcs_cfg_str(item, "name", DCS_CFG_REQUIRED, &name, err)) < 0 ||
        (rc = dcs_cfg_f64(item, "usd_per_period", DCS_CFG_REQUIRED, 0,
                          PLAN_USD_MAX, &t->plan_usd, err)) < 0)
        return rc;
    if (!*name || strlen(name) >= sizeof t->name)
        return dcs_cfg_error(dcs_cfg_get(item, "name"), err,
                             "expected a team name of 1 to %zu characters, "
                             "found '%s'",
                             sizeof t->name - 1, name);
    for (size_t j = 0; j < i; j++) {
        dcs_cfg_node_t *prev = dcs_cfg_get(dcs_cfg_at(teams, j), "name");
        if (strcmp(dcs_cfg_scalar(prev), name) == 0)
            return dcs_cfg_error(dcs_cfg_get(item, "name"), err,
                                 "team '%s' listed twice (first at %s:%d:%d)",
                                 name, dcs_cfg_file(prev), dcs_cfg_line(prev),
                                 dcs_cfg_col(prev));
    }
    snprintf(t->name, sizeof t->name, "%s", name);
    return 0;
}

/* Grows a team's per-period arrays to hold period `k`; new periods have no
 * spend and no alert. */
static int ensure_period(dcs_budget_team_t *t, int64_t k)
{
    if (k < t->nperiods)
        return 0;
    if (k >= t->cap) {
        int64_t cap = t->cap ? t->cap : 4;
        while (cap <= k)
            cap *= 2;
        double *spent = realloc(t->spent_usd, (size_t)cap * sizeof *spent);
        if (!spent)
            return DCS_ENOMEM;
        t->spent_usd = spent;
        dcs_time_t *alert = realloc(t->alert_ns, (size_t)cap * sizeof *alert);
        if (!alert)
            return DCS_ENOMEM;
        t->alert_ns = alert;
        t->cap = cap;
    }
    for (int64_t j = t->nperiods; j <= k; j++) {
        t->spent_usd[j] = 0;
        t->alert_ns[j] = -1;
    }
    t->nperiods = k + 1;
    return 0;
}

/* ---- time and periods ------------------------------------------------- */

int64_t dcs_budget_period_of(const dcs_budget_t *b, dcs_time_t t)
{
    return b->period_ns > 0 && t > 0 ? t / b->period_ns : 0;
}

/* Start of period k, saturating at DCS_TIME_NEVER. */
static dcs_time_t period_start(const dcs_budget_t *b, int64_t k)
{
    if (k > INT64_MAX / b->period_ns)
        return DCS_TIME_NEVER;
    return k * b->period_ns;
}

dcs_time_t dcs_budget_next_period_ns(const dcs_budget_t *b, dcs_time_t now)
{
    if (b->period_ns <= 0)
        return DCS_TIME_NEVER;
    return period_start(b, dcs_budget_period_of(b, now) + 1);
}

/* Spend at `rate_usd_per_s` over `dt` nanoseconds. */
static double accrued(double rate_usd_per_s, dcs_time_t dt)
{
    return rate_usd_per_s * (double)dt / 1e9;
}

dcs_budget_team_t *dcs_budget_team(const dcs_budget_t *b, const char *team)
{
    for (size_t i = 0; i < b->nteams; i++)
        if (strcmp(b->teams[i].name, team) == 0)
            return &b->teams[i];
    return NULL;
}

/* ---- alerts ----------------------------------------------------------- */

/* Raises period k's alert at `at` (a time in period k or later) when none
 * is raised yet and, as known at `at`, its forecast exceeds the plan or its
 * actual has reached it. */
static void check_alert(const dcs_budget_t *b, dcs_budget_team_t *t, int64_t k,
                        dcs_time_t at)
{
    if (t->alert_ns[k] >= 0)
        return;
    double actual = t->spent_usd[k];
    double forecast = actual;
    if (dcs_budget_period_of(b, at) == k)
        forecast += accrued(t->rate_usd_per_s, period_start(b, k + 1) - at);
    if (forecast > t->plan_usd || actual >= t->plan_usd)
        t->alert_ns[k] = at;
}

/* ---- the section ------------------------------------------------------ */

int dcs_budget_read(dcs_cfg_node_t *map, dcs_budget_t *b, dcs_err_t *err)
{
    memset(b, 0, sizeof *b);
    if (!map)
        return 0;
    dcs_cfg_node_t *teams = NULL;
    int rc;
    if ((rc = read_period(map, b, err)) < 0 ||
        (rc = dcs_cfg_bool(map, "hold_over_budget", DCS_CFG_OPTIONAL,
                           &b->hold_over_budget, err)) < 0 ||
        (rc = dcs_cfg_node(map, "teams", DCS_CFG_REQUIRED, &teams, err)) < 0)
        goto fail;
    if (dcs_cfg_kind(teams) != DCS_CFG_SEQ || dcs_cfg_len(teams) == 0) {
        rc =
            dcs_cfg_error(teams, err, "expected a non-empty sequence of teams");
        goto fail;
    }
    b->teams = calloc(dcs_cfg_len(teams), sizeof *b->teams);
    if (!b->teams) {
        rc = DCS_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < dcs_cfg_len(teams); i++) {
        dcs_budget_team_t *t = &b->teams[i];
        b->nteams = i + 1;
        if ((rc = read_team(teams, i, t, err)) < 0 ||
            (rc = ensure_period(t, 0)) < 0)
            goto fail;
        check_alert(b, t, 0, 0);
    }
    return 0;
fail:
    dcs_budget_destroy(b);
    return rc;
}

void dcs_budget_destroy(dcs_budget_t *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nteams; i++) {
        free(b->teams[i].spent_usd);
        free(b->teams[i].alert_ns);
    }
    free(b->teams);
    memset(b, 0, sizeof *b);
}

/* ---- booking spend ---------------------------------------------------- */

/* Moves the team's clock to `to` (> clock), booking its rate into the
 * periods crossed; checks each period start passed and, should the actual
 * reach the plan within a stretch, raises the alert at that instant. */
static int advance(const dcs_budget_t *b, dcs_budget_team_t *t, dcs_time_t to)
{
    int rc = ensure_period(t, dcs_budget_period_of(b, to));
    if (rc < 0)
        return rc;
    dcs_time_t a = t->clock_ns;
    double r = t->rate_usd_per_s;
    while (a < to) {
        int64_t k = dcs_budget_period_of(b, a);
        dcs_time_t end = period_start(b, k + 1);
        dcs_time_t e = end < to ? end : to;
        double before = t->spent_usd[k];
        t->spent_usd[k] += accrued(r, e - a);
        if (t->alert_ns[k] < 0 && r > 0 && before < t->plan_usd &&
            t->spent_usd[k] >= t->plan_usd) {
            double dt_ns = ceil((t->plan_usd - before) / r * 1e9);
            dcs_time_t reach =
                a + (dt_ns < (double)(e - a) ? (dcs_time_t)dt_ns : e - a);
            t->alert_ns[k] = reach;
        }
        a = e;
        t->clock_ns = a;
        if (a == end)
            check_alert(b, t, k + 1, a);
    }
    return 0;
}

/* Books `usd` spread uniformly over [t0, t1] (t1 <= the team's clock, all
 * periods allocated); the last share is what the others leave, so the
 * shares add up to usd. */
static void spread(const dcs_budget_t *b, dcs_budget_team_t *t, dcs_time_t t0,
                   dcs_time_t t1, double usd)
{
    if (t0 == t1) {
        t->spent_usd[dcs_budget_period_of(b, t0)] += usd;
        return;
    }
    double left = usd;
    dcs_time_t a = t0;
    while (a < t1) {
        int64_t k = dcs_budget_period_of(b, a);
        dcs_time_t end = period_start(b, k + 1);
        if (end >= t1) {
            t->spent_usd[k] += left;
            break;
        }
        double share = usd * (double)(end - a) / (double)(t1 - t0);
        t->spent_usd[k] += share;
        left -= share;
        a = end;
    }
}

/* Books a late or current amount over [t0, t1] (t1 <= clock) and checks
 * the periods it touched, as learnt at the clock. */
static void book(const dcs_budget_t *b, dcs_budget_team_t *t, dcs_time_t t0,
                 dcs_time_t t1, double usd)
{
    spread(b, t, t0, t1, usd);
    int64_t last = dcs_budget_period_of(b, t1);
    for (int64_t k = dcs_budget_period_of(b, t0); k <= last; k++)
        check_alert(b, t, k, t->clock_ns);
}

int dcs_budget_rate(dcs_budget_t *b, const char *team, dcs_time_t now,
                    double delta_usd_per_s)
{
    if (now < 0 || !isfinite(delta_usd_per_s))
        return DCS_EINVAL;
    dcs_budget_team_t *t = dcs_budget_team(b, team);
    if (!t)
        return 0;
    double rate = t->rate_usd_per_s + delta_usd_per_s;
    double scale = fmax(t->rate_scale,
                        fmax(fabs(t->rate_usd_per_s), fabs(delta_usd_per_s)));
    if (fabs(rate) <= RATE_ZERO_FRAC * scale)
        rate = 0;
    if (rate < 0)
        return DCS_EINVAL;
    int rc;
    if (now > t->clock_ns && (rc = advance(b, t, now)) < 0)
        return rc;
    t->rate_usd_per_s = rate;
    t->rate_scale = scale;
    if (now < t->clock_ns)
        book(b, t, now, t->clock_ns,
             accrued(delta_usd_per_s, t->clock_ns - now));
    check_alert(b, t, dcs_budget_period_of(b, t->clock_ns), t->clock_ns);
    return 0;
}

int dcs_budget_charge(dcs_budget_t *b, const char *team, dcs_time_t t0_ns,
                      dcs_time_t t1_ns, double usd)
{
    if (t0_ns < 0 || t1_ns < t0_ns || !isfinite(usd))
        return DCS_EINVAL;
    dcs_budget_team_t *t = dcs_budget_team(b, team);
    if (!t)
        return 0;
    int rc;
    if (t1_ns > t->clock_ns && (rc = advance(b, t, t1_ns)) < 0)
        return rc;
    book(b, t, t0_ns, t1_ns, usd);
    return 0;
}

/* ---- queries ---------------------------------------------------------- */

/* Spend of t in period k up to `now` (>= its clock): booked plus the rate
 * over the part of [clock, now] inside period k. */
static double spent_upto(const dcs_budget_t *b, const dcs_budget_team_t *t,
                         int64_t k, dcs_time_t now)
{
    double s = k >= 0 && k < t->nperiods ? t->spent_usd[k] : 0;
    dcs_time_t lo = period_start(b, k), hi = period_start(b, k + 1);
    if (lo < t->clock_ns)
        lo = t->clock_ns;
    if (hi > now)
        hi = now;
    if (hi > lo)
        s += accrued(t->rate_usd_per_s, hi - lo);
    return s;
}

double dcs_budget_spent(const dcs_budget_t *b, const char *team, int64_t period,
                        dcs_time_t now)
{
    const dcs_budget_team_t *t = dcs_budget_team(b, team);
    if (!t || period < 0)
        return 0;
    return spent_upto(b, t, period, now > t->clock_ns ? now : t->clock_ns);
}

double dcs_budget_forecast(const dcs_budget_t *b, const char *team,
                           dcs_time_t now)
{
    const dcs_budget_team_t *t = dcs_budget_team(b, team);
    if (!t)
        return 0;
    if (now < t->clock_ns)
        now = t->clock_ns;
    int64_t k = dcs_budget_period_of(b, now);
    return spent_upto(b, t, k, now) +
           accrued(t->rate_usd_per_s, period_start(b, k + 1) - now);
}

dcs_time_t dcs_budget_alert_ns(const dcs_budget_t *b, const char *team,
                               int64_t period)
{
    const dcs_budget_team_t *t = dcs_budget_team(b, team);
    if (!t || period < 0 || period >= t->nperiods)
        return -1;
    return t->alert_ns[period];
}

int dcs_budget_over(const dcs_budget_t *b, const char *team, dcs_time_t now)
{
    const dcs_budget_team_t *t = dcs_budget_team(b, team);
    if (!t)
        return 0;
    if (now < t->clock_ns)
        now = t->clock_ns;
    return spent_upto(b, t, dcs_budget_period_of(b, now), now) >= t->plan_usd;
}

int dcs_budget_holds(const dcs_budget_t *b, const char *team, dcs_time_t now)
{
    return b->hold_over_budget && dcs_budget_over(b, team, now);
}

/* ---- report ----------------------------------------------------------- */

int dcs_budget_rows(dcs_budget_t *b, dcs_time_t end_ns, dcs_budget_row_t **rows,
                    size_t *n)
{
    *rows = NULL;
    *n = 0;
    if (b->nteams == 0)
        return 0;
    if (end_ns < 0)
        return DCS_EINVAL;
    for (size_t i = 0; i < b->nteams; i++)
        if (b->teams[i].clock_ns > end_ns)
            return DCS_EINVAL;
    /* periods 0 .. ceil(end / P) - 1, at least one */
    int64_t nper = end_ns / b->period_ns + (end_ns % b->period_ns != 0);
    if (nper < 1)
        nper = 1;
    int rc;
    for (size_t i = 0; i < b->nteams; i++) {
        dcs_budget_team_t *t = &b->teams[i];
        if ((end_ns > t->clock_ns && (rc = advance(b, t, end_ns)) < 0) ||
            (rc = ensure_period(t, nper - 1)) < 0)
            return rc;
    }
    dcs_budget_row_t *out = calloc(b->nteams * (size_t)nper, sizeof *out);
    if (!out)
        return DCS_ENOMEM;
    size_t len = 0;
    for (size_t i = 0; i < b->nteams; i++) {
        const dcs_budget_team_t *t = &b->teams[i];
        for (int64_t k = 0; k < nper; k++) {
            dcs_budget_row_t *r = &out[len++];
            r->team = t->name;
            r->period = k;
            r->start_ns = period_start(b, k);
            r->end_ns = period_start(b, k + 1);
            r->plan_usd = t->plan_usd;
            r->actual_usd = t->spent_usd[k];
            r->forecast_usd = r->actual_usd;
            if (end_ns < r->end_ns && end_ns >= r->start_ns)
                r->forecast_usd +=
                    accrued(t->rate_usd_per_s, r->end_ns - end_ns);
            r->alert_ns = t->alert_ns[k];
            r->alert = r->actual_usd >= t->plan_usd ? ALERT_ACTUAL
                       : r->alert_ns >= 0           ? ALERT_FORECAST
                                                    : ALERT_NONE;
        }
    }
    *rows = out;
    *n = len;
    return 0;
}
