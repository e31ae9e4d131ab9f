/* pipeline.h - the 1F1B pipeline schedule, simulated stage by stage.
 *
 * pp stages run m micro-batches. Stage s does its forward of micro-batch
 * i after stage s - 1's (plus the send between them), its backward after
 * stage s + 1's; each stage runs one op at a time in the 1F1B order:
 * min(pp - s - 1, m) forwards to fill, then one forward and one backward
 * alternately, then the remaining backwards. The makespan is the time of
 * the last backward on stage 0.
 *
 * With every stage alike (forward f, backward b, no send time) this is the
 * closed form (m + pp - 1)(f + b) that the step model uses for its
 * representative stage; the simulation also handles unequal stages (the
 * embedding on the first, the head on the last, layers that do not divide
 * evenly). */
#ifndef DCS_PIPELINE_H
#define DCS_PIPELINE_H

#include <stdint.h>

/* Makespan (s) of one iteration of 1F1B over pp stages with per-stage
 * forward and backward times (per micro-batch) and a send time between
 * neighbours (each way). Returns a negative number when out of memory. */
double dcs_pipeline_1f1b(int64_t pp, int64_t m, const double *fwd,
                         const double *bwd, double send_s);

#endif
