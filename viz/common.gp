# common.gp - setup shared by the dcsim plot scripts: the PNG terminal, the
# run's name, and helpers that read report CSVs by column NAME, so that
# columns added to a report later (cooling_power_w, storage, ...) neither
# break a script nor shift what it draws.
#
# A plot script loads this first, with `dir` (the results folder), `out`
# (the PNG to write), `viz` (this folder), `run` (the run's name, for
# titles) and `reports` (the CSVs in `dir`, space separated) set by
# `dcsim plot`, or by hand, where all but `dir` are optional:
#   gnuplot -e "dir='results/quickstart'" viz/power_pue.gp
# Without `out` a script writes DIR/NAME.png itself.
#
# A script with nothing to draw (its CSV has no rows, or lacks the columns
# it needs) prints why on stderr and exits with status 3, writing nothing;
# `dcsim plot` reads status 3 as "skipped", anything else but 0 as failure.

if (!exists("dir")) dir = "."
if (!exists("out")) out = dir . "/" . NAME . ".png"

SKIPPED = 3   # exit status of a script that has nothing to draw

# Reports are CSV with a header row (results/README.md).
csv(name) = dir . "/" . name
# 1 when `name` is one of `reports` (always, without `reports`): lets a
# script that can do without a report skip it without a warning.
present(name) = !exists("reports") || \
    strstrt(" " . reports . " ", " " . name . " ") > 0
set datafile separator comma
set datafile columnheaders

# pngcairo draws anti-aliased lines; plain png (libgd) is the fallback.
# noenhanced: column and item names have underscores, not subscripts.
if (strstrt(GPVAL_TERMINALS, " pngcairo ") > 0) {
    set terminal pngcairo size 1280,760 noenhanced font "sans,11" linewidth 1.5
} else {
    set terminal png size 1280,760 noenhanced
}
set grid
# Key inside the top of the frame; plots leave headroom for it.
set key inside top center horizontal opaque box samplen 3

# Palette: one colour per series, the same in every plot.
set linetype 1 lc rgb "#1f77b4"
set linetype 2 lc rgb "#d62728"
set linetype 3 lc rgb "#2ca02c"
set linetype 4 lc rgb "#ff7f0e"
set linetype 5 lc rgb "#9467bd"
set linetype 6 lc rgb "#8c564b"
set linetype 7 lc rgb "#e377c2"
set linetype 8 lc rgb "#7f7f7f"
set linetype 9 lc rgb "#bcbd22"
set linetype 10 lc rgb "#17becf"
set linetype cycle 10

# eval READ_HEADER with CSV set: HDR becomes ",name1,name2,...,", COLS the
# same names space separated, and NROWS the number of data rows (0 for a
# header alone or an unreadable file).
READ_HEADER = 'HDR = ","; COLS = ""; NROWS = 0; undefine STATS_*; ' . \
    'stats CSV every ::0::0 using 0 nooutput; ' . \
    'if (exists("STATS_columns")) { NC_ = STATS_columns; ' . \
    'stats CSV every ::0::0 using (sum [i_ = 1:NC_] ' . \
    '(HDR = HDR . columnhead(i_) . ",", ' . \
    'COLS = COLS . " " . columnhead(i_), 0)) nooutput; ' . \
    'stats CSV using 0 nooutput; NROWS = STATS_records }'
has(name) = strstrt(HDR, "," . name . ",") > 0
# eval NO_HEADER: as READ_HEADER on a report that is not there.
NO_HEADER = 'HDR = ","; COLS = ""; NROWS = 0'

# eval DISTINCT with CSV and COL set: LABELS becomes the distinct values of
# column COL, space separated, in order of first appearance; NLABELS their
# count. Values are identifiers (no spaces), as the reports write them.
DISTINCT = 'LABELS = ""; ' . \
    'stats CSV using (s_ = strcol(COL), ' . \
    '(strstrt(" " . LABELS . " ", " " . s_ . " ") == 0 ? ' . \
    'LABELS = LABELS . " " . s_ : ""), 0) nooutput; ' . \
    'NLABELS = words(LABELS)'
label_index(s) = sum [i = 1:words(LABELS)] (word(LABELS, i) eq s ? i : 0)

# eval SUM_BY with CSV, COL, VAL and LABELS set: TOT[i] becomes the sum of
# column VAL over the rows whose COL is word(LABELS, i); empty cells count
# as nothing.
SUM_BY = 'array TOT[NLABELS]; do for [i_ = 1:NLABELS] { TOT[i_] = 0 }; ' . \
    'stats CSV using (k_ = label_index(strcol(COL)), v_ = column(VAL), ' . \
    '(k_ > 0 && v_ == v_ ? TOT[k_] = TOT[k_] + v_ : 0), 0) nooutput'

# eval COLUMN_RANGE with CSV and C set: CMIN and CMAX become the least and
# the greatest number in column C, both 0 when it has none (all empty).
# Run it before setting ranges: stats honours them.
COLUMN_RANGE = 'undefine STATS_*; stats CSV using C nooutput; ' . \
    'CMIN = exists("STATS_min") ? STATS_min : 0; ' . \
    'CMAX = exists("STATS_max") ? STATS_max : 0'

# Time axis: hours for runs up to three days, days beyond.
time_scale(end_s) = end_s > 3 * 86400 ? 86400.0 : 3600.0
time_name(scale) = scale == 86400.0 ? "days" : "hours"

# Run name for titles: `run` when given (dcsim plot passes the scenario),
# else the scenario from summary.csv, else the folder.
if (exists("run")) {
    RUN = run
} else {
    RUN = dir
    CSV = csv("summary.csv")
    eval READ_HEADER
    if (NROWS > 0 && has("scenario")) {
        stats CSV every ::0::0 using (RUN = strcol("scenario"), 0) nooutput
    }
}

ends_with(s, suffix) = strlen(s) >= strlen(suffix) && \
    s[strlen(s) - strlen(suffix) + 1:] eq suffix
# Money: axes in USD, thousand or million USD by the largest value; labels
# such as $98.07, $7.3k, $15.46M.
usd_scale(max) = max >= 1e6 ? 1e6 : max >= 1e4 ? 1e3 : 1.0
usd_unit(scale) = scale == 1e6 ? "million USD" : \
    scale == 1e3 ? "thousand USD" : "USD"
fmt_usd(v) = abs(v) >= 1e6 ? sprintf("$%.2fM", v / 1e6) : \
    abs(v) >= 1e4 ? sprintf("$%.1fk", v / 1e3) : sprintf("$%.2f", v)
