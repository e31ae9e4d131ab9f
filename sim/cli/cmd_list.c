/* cmd_list.c - `dcsim list`: what ships with dcsim.
 *
 * Devices, clusters, models and scenarios are YAML files under the data
 * root; each is listed by file name with its `description`. Policies and
 * placements are compiled in and listed from their registries. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cluster/policy.h"
#include "config/cfg.h"

static const char USAGE[] =
    "usage: dcsim list devices|clusters|models|scenarios|policies\n"
    "\n"
    "Lists what ships with dcsim: device specs (topologies/devices),\n"
    "clusters (topologies/clusters), model architectures (workloads/models),\n"
    "runnable scenarios (scenarios), and scheduling policies and placements.\n"
    "The data root is $DCSIM_HOME, else the source tree dcsim was built "
    "from.\n";

const char *dcs_cli_home(void)
{
    const char *home = getenv("DCSIM_HOME");
    return home && *home ? home : DCSIM_SOURCE_DIR;
}

int dcs_cli_exit_status(int rc)
{
    if (rc >= 0)
        return DCS_EXIT_OK;
    return rc == DCS_EINPUT ? DCS_EXIT_INPUT : DCS_EXIT_RUNTIME;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists NAME.yaml files of `subdir`, sorted, with their descriptions. */
static int list_yaml(FILE *out, const char *subdir)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", dcs_cli_home(), subdir);
    DIR *d = opendir(dir);
    if (!d && errno != ENOENT) {
        fprintf(stderr, "dcsim list: cannot open '%s': %s\n", dir,
                strerror(errno));
        return DCS_EXIT_RUNTIME;
    }
    if (!d) {
        fprintf(out, "none yet (no %s/ in %s)\n", subdir, dcs_cli_home());
        return DCS_EXIT_OK;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") ||
            e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n == 0)
        fprintf(out, "none yet (%s/ has no .yaml files)\n", subdir);
    else
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        dcs_err_t err;
        dcs_cfg_t *cfg = dcs_cfg_load(path, &err);
        const char *desc = "";
        if (cfg)
            dcs_cfg_str(dcs_cfg_root(cfg), "description", DCS_CFG_OPTIONAL,
                        &desc, &err);
        names[i][strlen(names[i]) - 5] = '\0';
        fprintf(out, "%-28s %s\n", names[i], cfg ? desc : "(unreadable)");
        dcs_cfg_free(cfg);
        free(names[i]);
    }
    free(names);
    return DCS_EXIT_OK;
}

int dcs_cmd_list(int argc, char **argv, FILE *out)
{
    if (argc != 2) {
        fputs(USAGE, stderr);
        return DCS_EXIT_INPUT;
    }
    const char *what = argv[1];
    if (!strcmp(what, "-h") || !strcmp(what, "--help")) {
        fputs(USAGE, out);
        return DCS_EXIT_OK;
    }
    if (!strcmp(what, "devices"))
        return list_yaml(out, "topologies/devices");
    if (!strcmp(what, "clusters"))
        return list_yaml(out, "topologies/clusters");
    if (!strcmp(what, "models"))
        return list_yaml(out, "workloads/models");
    if (!strcmp(what, "scenarios"))
        return list_yaml(out, "scenarios");
    if (!strcmp(what, "policies")) {
        fprintf(out, "scheduling policies (scheduler.policy):\n");
        for (size_t i = 0; dcs_policy_at(i); i++)
            fprintf(out, "  %-12s %s\n", dcs_policy_at(i)->name,
                    dcs_policy_at(i)->summary);
        fprintf(out, "placements (scheduler.placement):\n");
        for (size_t i = 0; dcs_placement_at(i); i++)
            fprintf(out, "  %-12s %s\n", dcs_placement_at(i)->name,
                    dcs_placement_at(i)->summary);
        return DCS_EXIT_OK;
    }
    fprintf(stderr, "dcsim list: unknown kind '%s'\n\n%s", what, USAGE);
    return DCS_EXIT_INPUT;
}
