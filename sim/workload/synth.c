/* synth.c - Poisson arrivals, discrete GPU counts, log-normal durations. */
#include "workload/synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"

static int read_gpu_choices(dcs_cfg_node_t *map, dcs_synth_spec_t *spec,
                            dcs_err_t *err)
{
    size_t nweights = 0;
    dcs_cfg_node_t *counts = NULL;
    int rc = dcs_cfg_f64_seq(map, "gpu_weights", DCS_CFG_REQUIRED, 0, 1e12,
                             &spec->gpu_weights, &nweights, err);
    if (rc < 0)
        return rc;
    if ((rc = dcs_cfg_node(map, "gpu_counts", DCS_CFG_REQUIRED, &counts, err)) <
        0)
        return rc;
    if (dcs_cfg_kind(counts) != DCS_CFG_SEQ || dcs_cfg_len(counts) == 0)
        return dcs_cfg_error(counts, err,
                             "expected a non-empty sequence of GPU counts");
    spec->nchoices = dcs_cfg_len(counts);
    spec->gpu_counts = calloc(spec->nchoices, sizeof *spec->gpu_counts);
    if (!spec->gpu_counts)
        return DCS_ENOMEM;
    for (size_t i = 0; i < spec->nchoices; i++) {
        int64_t v;
        if ((rc = dcs_cfg_as_i64(dcs_cfg_at(counts, i), 1, 10000000, &v, err)) <
            0)
            return rc;
        spec->gpu_counts[i] = (int)v;
    }
    if (nweights != spec->nchoices)
        return dcs_cfg_error(dcs_cfg_get(map, "gpu_weights"), err,
                             "expected %zu weights, one per entry of "
                             "gpu_counts, found %zu",
                             spec->nchoices, nweights);
    double sum = 0;
    for (size_t i = 0; i < nweights; i++)
        sum += spec->gpu_weights[i];
    if (sum <= 0)
        return dcs_cfg_error(dcs_cfg_get(map, "gpu_weights"), err,
                             "expected at least one weight above 0");
    return 0;
}

static int read_teams(dcs_cfg_node_t *map, dcs_synth_spec_t *spec,
                      dcs_err_t *err)
{
    dcs_cfg_node_t *teams = dcs_cfg_get(map, "teams");
    if (!teams) {
        spec->nteams = 1;
        spec->teams = calloc(1, sizeof *spec->teams);
        if (!spec->teams)
            return DCS_ENOMEM;
        snprintf(spec->teams[0], sizeof spec->teams[0], "default");
        return 0;
    }
    if (dcs_cfg_kind(teams) != DCS_CFG_SEQ || dcs_cfg_len(teams) == 0)
        return dcs_cfg_error(teams, err,
                             "expected a non-empty sequence of team names");
    spec->nteams = dcs_cfg_len(teams);
    spec->teams = calloc(spec->nteams, sizeof *spec->teams);
    if (!spec->teams)
        return DCS_ENOMEM;
    for (size_t i = 0; i < spec->nteams; i++) {
        dcs_cfg_node_t *item = dcs_cfg_at(teams, i);
        const char *name = dcs_cfg_scalar(item);
        if (!name || !*name || strlen(name) >= sizeof spec->teams[i])
            return dcs_cfg_error(item, err,
                                 "expected a team name of 1 to %zu characters",
                                 sizeof spec->teams[i] - 1);
        snprintf(spec->teams[i], sizeof spec->teams[i], "%s", name);
    }
    return 0;
}

int dcs_synth_read(dcs_cfg_node_t *map, dcs_synth_spec_t *spec, dcs_err_t *err)
{
    memset(spec, 0, sizeof *spec);
    spec->duration_max_s = 30 * 86400.0;
    int rc;
    if ((rc = dcs_cfg_i64(map, "jobs", DCS_CFG_REQUIRED, 1, 100000000,
                          &spec->jobs, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "arrival_rate_per_h", DCS_CFG_REQUIRED, 1e-6,
                          1e9, &spec->arrival_rate_per_h, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "duration_median_s", DCS_CFG_REQUIRED, 1e-3, 1e9,
                          &spec->duration_median_s, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "duration_sigma", DCS_CFG_REQUIRED, 0, 10,
                          &spec->duration_sigma, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "duration_max_s", DCS_CFG_OPTIONAL, 1e-3, 1e10,
                          &spec->duration_max_s, err)) < 0 ||
        (rc = read_gpu_choices(map, spec, err)) < 0 ||
        (rc = read_teams(map, spec, err)) < 0) {
        dcs_synth_spec_destroy(spec);
        return rc;
    }
    return 0;
}

void dcs_synth_spec_destroy(dcs_synth_spec_t *spec)
{
    free(spec->gpu_counts);
    free(spec->gpu_weights);
    free(spec->teams);
    spec->gpu_counts = NULL;
    spec->gpu_weights = NULL;
    spec->teams = NULL;
}

static void arrival(dcs_sim_t *sim, void *obj, int64_t arg);

static void schedule_next(dcs_synth_t *synth, dcs_sim_t *sim)
{
    double mean_gap_s = 3600.0 / synth->spec->arrival_rate_per_h;
    double gap_s = gsl_ran_exponential(synth->arrivals, mean_gap_s);
    dcs_sim_after(sim, dcs_time_from_s(gap_s), arrival, synth, 0);
}

static void arrival(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_synth_t *synth = obj;
    const dcs_synth_spec_t *spec = synth->spec;
    (void)arg;
    dcs_job_t *job = dcs_jobs_add(synth->jobs, synth->emitted);
    DCS_ASSERT(job != NULL); /* out of memory mid-run: nothing sane to do */
    synth->emitted++;
    job->gpus =
        spec->gpu_counts[gsl_ran_discrete(synth->gpus, synth->gpu_table)];
    double d_s = gsl_ran_lognormal(
        synth->durations, log(spec->duration_median_s), spec->duration_sigma);
    job->duration_ns = dcs_time_from_s(fmin(d_s, spec->duration_max_s));
    if (job->duration_ns < 1)
        job->duration_ns = 1;
    size_t team =
        spec->nteams > 1 ? gsl_rng_uniform_int(synth->teams, spec->nteams) : 0;
    snprintf(job->team, sizeof job->team, "%s", spec->teams[team]);
    job->state = DCS_JOB_QUEUED;
    job->submit_ns = dcs_sim_now(sim);
    if (synth->emitted < spec->jobs)
        schedule_next(synth, sim);
    synth->sink(synth->sink_ctx, sim, job);
}

int dcs_synth_start(dcs_synth_t *synth, const dcs_synth_spec_t *spec,
                    dcs_sim_t *sim, uint64_t seed, dcs_jobs_t *jobs,
                    dcs_job_sink_fn sink, void *sink_ctx)
{
    memset(synth, 0, sizeof *synth);
    synth->spec = spec;
    synth->jobs = jobs;
    synth->sink = sink;
    synth->sink_ctx = sink_ctx;
    synth->arrivals = dcs_rng_new(seed, "workload.arrivals");
    synth->gpus = dcs_rng_new(seed, "workload.gpus");
    synth->durations = dcs_rng_new(seed, "workload.durations");
    synth->teams = dcs_rng_new(seed, "workload.teams");
    synth->gpu_table =
        gsl_ran_discrete_preproc(spec->nchoices, spec->gpu_weights);
    if (!synth->arrivals || !synth->gpus || !synth->durations ||
        !synth->teams || !synth->gpu_table) {
        dcs_synth_destroy(synth);
        return DCS_ENOMEM;
    }
    schedule_next(synth, sim);
    return 0;
}

void dcs_synth_destroy(dcs_synth_t *synth)
{
    gsl_rng_free(synth->arrivals);
    gsl_rng_free(synth->gpus);
    gsl_rng_free(synth->durations);
    gsl_rng_free(synth->teams);
    if (synth->gpu_table)
        gsl_ran_discrete_free(synth->gpu_table);
    memset(synth, 0, sizeof *synth);
}
