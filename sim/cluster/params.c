/* params.c - the scheduler section's settings for policies and
 * preemption. */
#include "cluster/params.h"

#include <stdlib.h>
#include <string.h>

static int read_teams(dcs_cfg_node_t *seq, dcs_policy_params_t *p, int gpus,
                      dcs_err_t *err)
{
    if (dcs_cfg_kind(seq) != DCS_CFG_SEQ || dcs_cfg_len(seq) == 0)
        return dcs_cfg_error(seq, err,
                             "expected a non-empty sequence of "
                             "teams");
    if (dcs_cfg_len(seq) > DCS_POLICY_MAX_TEAMS)
        return dcs_cfg_error(seq, err, "at most %d teams",
                             DCS_POLICY_MAX_TEAMS);
    int reserved = 0, rc;
    for (size_t i = 0; i < dcs_cfg_len(seq); i++) {
        dcs_cfg_node_t *t = dcs_cfg_at(seq, i);
        dcs_team_quota_t *q = &p->teams[p->nteams];
        const char *name = NULL;
        int64_t quota = 0, res = 0;
        if ((rc = dcs_cfg_str(t, "team", DCS_CFG_REQUIRED, &name, err)) < 0 ||
            (rc = dcs_cfg_i64(t, "quota_gpus", DCS_CFG_OPTIONAL, 0, gpus,
                              &quota, err)) < 0 ||
            (rc = dcs_cfg_i64(t, "reserved_gpus", DCS_CFG_OPTIONAL, 0, gpus,
                              &res, err)) < 0)
            return rc;
        if (strlen(name) >= sizeof q->team)
            return dcs_cfg_error(dcs_cfg_get(t, "team"), err,
                                 "team name longer than %zu",
                                 sizeof q->team - 1);
        if (quota > 0 && res > quota)
            return dcs_cfg_error(dcs_cfg_get(t, "reserved_gpus"), err,
                                 "reserves %lld GPUs, more than its quota "
                                 "of %lld",
                                 (long long)res, (long long)quota);
        reserved += (int)res;
        if (reserved > gpus)
            return dcs_cfg_error(dcs_cfg_get(t, "reserved_gpus"), err,
                                 "teams reserve %d GPUs, the cluster has %d",
                                 reserved, gpus);
        snprintf(q->team, sizeof q->team, "%s", name);
        q->quota_gpus = (int)quota;
        q->reserved_gpus = (int)res;
        p->nteams++;
    }
    return 0;
}

int dcs_sched_params_read(dcs_cfg_node_t *map, int gpus, dcs_policy_params_t *p,
                          dcs_time_t *save_ns, dcs_time_t *restore_ns,
                          dcs_err_t *err)
{
    memset(p, 0, sizeof *p);
    /* Tiresias's defaults (Gu et al., NSDI 2019, sec. 6): two queues split
     * at 3,200 GPU-seconds. */
    p->thresholds_gpu_s[0] = 3200;
    p->nthresholds = 1;
    p->quantum_ns = dcs_time_from_s(60);
    *save_ns = *restore_ns = 0;
    if (!map)
        return 0;
    bool est = false;
    double quantum = 60, starve = 0, save = 0, restore = 0, resize = 0;
    double *th = NULL;
    size_t nth = 0;
    dcs_cfg_node_t *teams = NULL;
    int rc;
    if ((rc = dcs_cfg_bool(map, "use_estimates", DCS_CFG_OPTIONAL, &est, err)) <
            0 ||
        (rc = dcs_cfg_f64(map, "quantum_s", DCS_CFG_OPTIONAL, 1e-3, 1e7,
                          &quantum, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "starve_s", DCS_CFG_OPTIONAL, 0, 1e9, &starve,
                          err)) < 0 ||
        (rc = dcs_cfg_f64(map, "preempt_save_s", DCS_CFG_OPTIONAL, 0, 1e6,
                          &save, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "preempt_restore_s", DCS_CFG_OPTIONAL, 0, 1e6,
                          &restore, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "resize_s", DCS_CFG_OPTIONAL, 0, 1e6, &resize,
                          err)) < 0 ||
        (rc = dcs_cfg_f64_seq(map, "thresholds_gpu_s", DCS_CFG_OPTIONAL, 1,
                              1e12, &th, &nth, err)) < 0 ||
        (rc = dcs_cfg_node(map, "teams", DCS_CFG_OPTIONAL, &teams, err)) < 0)
        return rc;
    if (th) {
        dcs_cfg_node_t *node = dcs_cfg_get(map, "thresholds_gpu_s");
        if (nth > DCS_POLICY_MAX_LEVELS) {
            free(th);
            return dcs_cfg_error(node, err, "at most %d thresholds",
                                 DCS_POLICY_MAX_LEVELS);
        }
        for (size_t i = 1; i < nth; i++)
            if (!(th[i] > th[i - 1])) {
                free(th);
                return dcs_cfg_error(dcs_cfg_at(node, i), err,
                                     "thresholds must increase");
            }
        memcpy(p->thresholds_gpu_s, th, nth * sizeof *th);
        p->nthresholds = (int)nth;
        free(th);
    }
    p->use_estimates = est;
    p->quantum_ns = dcs_time_from_s(quantum);
    p->starve_ns = dcs_time_from_s(starve);
    p->resize_ns = dcs_time_from_s(resize);
    *save_ns = dcs_time_from_s(save);
    *restore_ns = dcs_time_from_s(restore);
    return teams ? read_teams(teams, p, gpus, err) : 0;
}
