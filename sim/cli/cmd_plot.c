/* cmd_plot.c - `dcsim plot RESULTS_DIR`: draws a finished run's reports as
 * PNGs beside its CSVs, running gnuplot on the scripts in viz/.
 *
 * Each script reads its CSVs by column name and either writes its PNG or,
 * when the run has nothing for it (a report without rows, or without the
 * columns it needs), says why on stderr and exits with status 3 (SKIPPED,
 * as in viz/common.gp). gnuplot writes each PNG to a hidden .NAME.png.tmp,
 * renamed into place only once gnuplot succeeded and the file is a PNG, so
 * a PNG you can see is whole. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/table.h"

static const char USAGE[] =
    "usage: dcsim plot RESULTS_DIR\n"
    "\n"
    "Draws the reports of a finished run (the CSVs `dcsim run` wrote into\n"
    "RESULTS_DIR) as PNGs beside them, with gnuplot and the scripts in\n"
    "viz/ (viz/README.md says what each draws from which columns):\n"
    "  power_pue.png            IT and facility power (kW or MW), PUE and\n"
    "                           outside temperature over time "
    "(timeseries.csv)\n"
    "  utilization.png          busy GPUs (%), running and queued jobs over\n"
    "                           time (utilization.csv, timeseries.csv)\n"
    "  energy_by_component.png  total energy by component (energy.csv)\n"
    "  cost_breakdown.png       total cost by item, stacked by period when\n"
    "                           there are 2 to 12 periods (cost.csv)\n"
    "  budget.png               planned, actual and forecast spend per team\n"
    "                           (budget.csv, from runs with budgets)\n"
    "A plot whose report or columns are missing is skipped, with a note on\n"
    "stderr. Prints the path of each PNG written.\n"
    "\n"
    "Needs gnuplot (e.g. the gnuplot-nox package) on PATH. The scripts are\n"
    "read from $DCSIM_HOME/viz, else the source tree dcsim was built from.\n"
    "Exit status: 0 success, 1 gnuplot missing or failing, 2 no such folder\n"
    "or no reports in it.\n";

enum {
    PATH_LEN = 4096,
    SKIPPED = 3, /* a script's exit status when it has nothing to draw */
};

/* One gnuplot script: viz/NAME.gp writes NAME.png from its inputs; it
 * runs when one of them exists in the results folder. */
typedef struct plot_script {
    const char *name;      /* script and PNG name, without extension */
    const char *inputs[3]; /* reports it draws from, NULL-terminated */
} plot_script_t;

static const plot_script_t SCRIPTS[] = {
    {"power_pue", {"timeseries.csv", NULL}},
    {"utilization", {"utilization.csv", "timeseries.csv", NULL}},
    {"energy_by_component", {"energy.csv", NULL}},
    {"cost_breakdown", {"cost.csv", NULL}},
    {"budget", {"budget.csv", NULL}},
};
enum { NSCRIPTS = sizeof SCRIPTS / sizeof SCRIPTS[0] };

static const char REPORTS[] =
    "timeseries.csv, utilization.csv, energy.csv, cost.csv or budget.csv";

/* What every script of one `dcsim plot` is given. */
typedef struct plot_run {
    char dir[PATH_LEN];     /* the results folder, no trailing slash */
    char viz[PATH_LEN];     /* the folder of the scripts */
    char run[256];          /* the run's name, for titles */
    char reports[PATH_LEN]; /* the inputs present in dir, space separated */
    FILE *out;              /* where the paths of PNGs written go */
} plot_run_t;

/* snprintf into buf; 0, or -1 (with a message) when it does not fit. */
static int join(char *buf, size_t size, const char *a, const char *b)
{
    int n = snprintf(buf, size, "%s/%s", a, b);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "dcsim plot: path too long: '%s/%s'\n", a, b);
        return -1;
    }
    return 0;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Appends `s` to `buf` as a gnuplot single-quoted string ('' for '). */
static int append_quoted(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    if (n + 1 >= size)
        return -1;
    buf[n++] = '\'';
    for (; *s; s++) {
        if (n + 3 >= size)
            return -1;
        if (*s == '\'')
            buf[n++] = '\'';
        buf[n++] = *s;
    }
    buf[n++] = '\'';
    buf[n] = '\0';
    return 0;
}

/* The -e argument: dir='...'; out='...'; viz='...'; run='...';
 * reports='...', the variables viz/common.gp reads. */
static int gnuplot_vars(char *buf, size_t size, const plot_run_t *r,
                        const char *out)
{
    buf[0] = '\0';
    const char *names[5] = {"dir=", "; out=", "; viz=", "; run=", "; reports="};
    const char *values[5] = {r->dir, out, r->viz, r->run, r->reports};
    for (int i = 0; i < 5; i++) {
        size_t n = strlen(buf);
        if (n + strlen(names[i]) >= size)
            return -1;
        strcpy(buf + n, names[i]);
        if (append_quoted(buf, size, values[i]) < 0)
            return -1;
    }
    return 0;
}

/* Runs `gnuplot -e VARS SCRIPT` with stdin from /dev/null and its stdout
 * on our stderr. Returns gnuplot's exit status (128 + signal when killed),
 * or -1 when gnuplot could not be started (a message on stderr). */
static int run_gnuplot(const char *vars, const char *script)
{
    /* The child reports a failed exec through a close-on-exec pipe: EOF
     * means gnuplot started. */
    int fds[2];
    if (pipe(fds) < 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0) {
        fprintf(stderr, "dcsim plot: cannot create a pipe: %s\n",
                strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "dcsim plot: cannot fork: %s\n", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            close(null);
        }
        dup2(STDERR_FILENO, STDOUT_FILENO);
        char *argv[] = {"gnuplot", "-e", (char *)vars, (char *)script, NULL};
        execvp("gnuplot", argv);
        int e = errno;
        ssize_t w = write(fds[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(fds[1]);
    int exec_errno = 0;
    ssize_t got;
    do {
        got = read(fds[0], &exec_errno, sizeof exec_errno);
    } while (got < 0 && errno == EINTR);
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "dcsim plot: waiting for gnuplot: %s\n",
                    strerror(errno));
            return -1;
        }
    }
    if (got == (ssize_t)sizeof exec_errno) {
        fprintf(stderr,
                "dcsim plot: cannot run gnuplot: %s (install gnuplot, "
                "e.g. the gnuplot-nox package)\n",
                strerror(exec_errno));
        return -1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* 1 when `path` is a non-empty file that starts with the PNG signature. */
static int is_png(const char *path)
{
    static const unsigned char SIGNATURE[8] = {0x89, 'P',  'N',  'G',
                                               '\r', '\n', 0x1a, '\n'};
    unsigned char head[8];
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == sizeof head && !memcmp(head, SIGNATURE, sizeof head);
}

/* The run's name for titles into buf: the scenario in DIR/summary.csv,
 * else the folder's last component. */
static void run_name(const char *dir, char *buf, size_t size)
{
    const char *slash = strrchr(dir, '/');
    snprintf(buf, size, "%s", slash && slash[1] ? slash + 1 : dir);
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    if (!is_file(path))
        return;
    dcs_table_t t;
    dcs_err_t err = {{0}};
    if (dcs_table_read(path, &t, &err) < 0)
        return; /* not ours to judge: the plots do not need it */
    int col = dcs_table_col(&t, "scenario");
    if (col >= 0 && t.nrows > 0 && t.cells[0][col][0])
        snprintf(buf, size, "%s", t.cells[0][col]);
    dcs_table_free(&t);
}

/* Draws one script. Returns 1 when its PNG was written (and printed), 0
 * when it had nothing to draw, -1 on failure, -2 when gnuplot cannot run. */
static int draw(const plot_script_t *s, const plot_run_t *r)
{
    char script[PATH_LEN], png[PATH_LEN], tmp[PATH_LEN], leaf[256];
    char vars[6 * PATH_LEN];
    snprintf(leaf, sizeof leaf, "%s.gp", s->name);
    if (join(script, sizeof script, r->viz, leaf) < 0)
        return -1;
    if (!is_file(script)) {
        fprintf(stderr,
                "dcsim plot: cannot find the gnuplot script '%s' (set "
                "DCSIM_HOME to the dcsim source tree)\n",
                script);
        return -1;
    }
    snprintf(leaf, sizeof leaf, "%s.png", s->name);
    if (join(png, sizeof png, r->dir, leaf) < 0)
        return -1;
    snprintf(leaf, sizeof leaf, ".%s.png.tmp", s->name);
    if (join(tmp, sizeof tmp, r->dir, leaf) < 0)
        return -1;
    if (gnuplot_vars(vars, sizeof vars, r, tmp) < 0) {
        fprintf(stderr, "dcsim plot: path too long: '%s'\n", tmp);
        return -1;
    }
    unlink(tmp);
    int rc = run_gnuplot(vars, script);
    if (rc == 0 && is_png(tmp)) {
        if (rename(tmp, png) < 0) {
            fprintf(stderr, "dcsim plot: cannot write '%s': %s\n", png,
                    strerror(errno));
            unlink(tmp);
            return -1;
        }
        fprintf(r->out, "%s\n", png);
        return 1;
    }
    unlink(tmp);
    if (rc == SKIPPED)
        return 0;
    if (rc < 0)
        return -2;
    if (rc == 0)
        fprintf(stderr, "dcsim plot: gnuplot wrote no PNG from '%s'\n", script);
    else
        fprintf(stderr, "dcsim plot: gnuplot failed on '%s' (exit status %d)\n",
                script, rc);
    return -1;
}

int dcs_cmd_plot(int argc, char **argv, FILE *out)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(USAGE, out);
            return DCS_EXIT_OK;
        }
        fputs(USAGE, stderr);
        return DCS_EXIT_INPUT;
    }
    if (argc - optind != 1) {
        fprintf(stderr, "dcsim plot: expected one RESULTS_DIR, found %d\n\n%s",
                argc - optind, USAGE);
        return DCS_EXIT_INPUT;
    }

    /* The folder as given, less trailing slashes (but "/" stays). */
    plot_run_t r = {.out = out};
    char *dir = r.dir;
    if (snprintf(dir, sizeof r.dir, "%s", argv[optind]) >= (int)sizeof r.dir) {
        fprintf(stderr, "dcsim plot: path too long: '%s'\n", argv[optind]);
        return DCS_EXIT_INPUT;
    }
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
        dir[n - 1] = '\0';
    struct stat st;
    if (stat(dir, &st) < 0) {
        fprintf(stderr, "dcsim plot: no results folder '%s': %s\n", dir,
                strerror(errno));
        return DCS_EXIT_INPUT;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "dcsim plot: '%s' is not a folder\n", dir);
        return DCS_EXIT_INPUT;
    }

    /* Which scripts have a report to draw from. */
    int wanted[NSCRIPTS] = {0}, any = 0;
    for (int i = 0; i < NSCRIPTS; i++) {
        for (const char *const *in = SCRIPTS[i].inputs; *in; in++) {
            char path[PATH_LEN];
            if (join(path, sizeof path, dir, *in) < 0)
                return DCS_EXIT_INPUT;
            if (!is_file(path))
                continue;
            wanted[i] = 1;
            if (!strstr(r.reports, *in)) {
                size_t n = strlen(r.reports);
                snprintf(r.reports + n, sizeof r.reports - n, "%s%s",
                         n ? " " : "", *in);
            }
        }
        any |= wanted[i];
    }
    if (!any) {
        fprintf(stderr,
                "dcsim plot: no reports to plot in '%s': expected %s, as "
                "`dcsim run` writes them\n",
                dir, REPORTS);
        return DCS_EXIT_INPUT;
    }

    if (join(r.viz, sizeof r.viz, dcs_cli_home(), "viz") < 0)
        return DCS_EXIT_RUNTIME;
    if (stat(r.viz, &st) < 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr,
                "dcsim plot: cannot find the gnuplot scripts: no folder "
                "'%s' (set DCSIM_HOME to the dcsim source tree)\n",
                r.viz);
        return DCS_EXIT_RUNTIME;
    }
    run_name(dir, r.run, sizeof r.run);
    int written = 0, failed = 0;
    for (int i = 0; i < NSCRIPTS; i++) {
        if (!wanted[i])
            continue;
        int rc = draw(&SCRIPTS[i], &r);
        if (rc == -2)
            return DCS_EXIT_RUNTIME; /* no gnuplot: the rest would fail too */
        if (rc < 0)
            failed++;
        else
            written += rc;
    }
    if (failed)
        return DCS_EXIT_RUNTIME;
    if (!written) {
        fprintf(stderr,
                "dcsim plot: nothing to plot in '%s': its reports have no "
                "rows or not the columns the plots need\n",
                dir);
        return DCS_EXIT_INPUT;
    }
    return DCS_EXIT_OK;
}
