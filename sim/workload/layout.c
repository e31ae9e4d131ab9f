/* layout.c - strides of a rank layout. */
#include "workload/layout.h"

#include <stddef.h>

const char *const dcs_dim_names[DCS_NDIMS + 1] = {"tp", "cp", "pp", "dp", NULL};

void dcs_layout_strides(const int *order, const int64_t size[DCS_NDIMS],
                        int64_t stride[DCS_NDIMS])
{
    static const int def[DCS_NDIMS] = {DCS_DIM_TP, DCS_DIM_CP, DCS_DIM_PP,
                                       DCS_DIM_DP};
    const int *o = order ? order : def;
    int64_t s = 1;
    for (int i = 0; i < DCS_NDIMS; i++) {
        stride[o[i]] = s;
        s *= size[o[i]] > 0 ? size[o[i]] : 1;
    }
}

int64_t dcs_layout_on_node(int64_t size, int64_t stride, int64_t gpn)
{
    if (size < 1)
        return 1;
    if (stride >= gpn)
        return 1;
    int64_t n = (gpn + stride - 1) / stride; /* members in [0, gpn) */
    return n < size ? n : size;
}

int64_t dcs_layout_replicas_on_node(const int64_t size[DCS_NDIMS],
                                    const int64_t stride[DCS_NDIMS],
                                    int64_t gpn)
{
    int64_t p = size[DCS_DIM_DP] * size[DCS_DIM_CP];
    int64_t k = dcs_layout_on_node(size[DCS_DIM_DP], stride[DCS_DIM_DP], gpn) *
                dcs_layout_on_node(size[DCS_DIM_CP], stride[DCS_DIM_CP], gpn);
    return k < 1 ? 1 : k > p ? p : k;
}
