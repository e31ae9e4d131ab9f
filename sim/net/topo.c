/* topo.c - topology builders and up-down routing.
 *
 * Link ids are laid out by formula for each shape, so a route is a handful
 * of index computations: hosts' uplinks and downlinks first, then the
 * switch-to-switch links of each tier, up then down. */
#include "net/topo.h"

#include <stdlib.h>
#include <string.h>

#include "engine/error.h"

static int alloc_links(dcs_topo_t *t, int hosts, int nodes, int nlinks)
{
    t->hosts = hosts;
    t->nodes = nodes;
    t->nlinks = nlinks;
    t->links = calloc((size_t)nlinks, sizeof *t->links);
    t->up = malloc((size_t)hosts * sizeof *t->up);
    t->down = malloc((size_t)hosts * sizeof *t->down);
    if (!t->links || !t->up || !t->down) {
        dcs_topo_destroy(t);
        return DCS_ENOMEM;
    }
    return 0;
}

static void set_link(dcs_topo_t *t, int id, int src, int dst, double bw,
                     int64_t latency_ns)
{
    dcs_link_t *l = &t->links[id];
    l->src = src;
    l->dst = dst;
    l->bw_bytes_per_s = bw;
    l->latency_ns = latency_ns;
    l->failed = 0;
}

/* Host links: 2h is host h's uplink to `sw`, 2h+1 its downlink. */
static void host_links(dcs_topo_t *t, int h, int sw, double bw, int64_t lat)
{
    t->up[h] = 2 * h;
    t->down[h] = 2 * h + 1;
    set_link(t, 2 * h, h, sw, bw, lat);
    set_link(t, 2 * h + 1, sw, h, bw, lat);
}

void dcs_topo_destroy(dcs_topo_t *t)
{
    free(t->links);
    free(t->up);
    free(t->down);
    memset(t, 0, sizeof *t);
}

int dcs_topo_dumbbell(dcs_topo_t *t, int per_side, double bw,
                      int64_t latency_ns, double middle_bw)
{
    memset(t, 0, sizeof *t);
    if (per_side < 1)
        return DCS_EINVAL;
    int hosts = 2 * per_side, left = hosts, right = hosts + 1;
    if (alloc_links(t, hosts, hosts + 2, 2 * hosts + 2) < 0)
        return DCS_ENOMEM;
    t->kind = DCS_TOPO_DUMBBELL;
    t->a = per_side;
    for (int h = 0; h < hosts; h++)
        host_links(t, h, h < per_side ? left : right, bw, latency_ns);
    set_link(t, 2 * hosts, left, right, middle_bw, latency_ns);
    set_link(t, 2 * hosts + 1, right, left, middle_bw, latency_ns);
    return 0;
}

int dcs_topo_star(dcs_topo_t *t, int clients, double bw, double in_bw,
                  double out_bw, int64_t latency_ns)
{
    memset(t, 0, sizeof *t);
    if (clients < 1)
        return DCS_EINVAL;
    int hosts = clients + 1, sw = hosts;
    if (alloc_links(t, hosts, hosts + 1, 2 * hosts) < 0)
        return DCS_ENOMEM;
    t->kind = DCS_TOPO_STAR;
    t->a = clients;
    for (int h = 0; h < clients; h++)
        host_links(t, h, sw, bw, latency_ns);
    t->up[clients] = 2 * clients;
    t->down[clients] = 2 * clients + 1;
    set_link(t, 2 * clients, clients, sw, out_bw, latency_ns);
    set_link(t, 2 * clients + 1, sw, clients, in_bw, latency_ns);
    return 0;
}

static int leaf_spine(dcs_topo_t *t, int per_leaf, int leaves, int spines,
                      double bw, double spine_bw, int64_t latency_ns, int rail)
{
    memset(t, 0, sizeof *t);
    t->rail = rail;
    if (per_leaf < 1 || leaves < 1 || spines < 1)
        return DCS_EINVAL;
    int hosts = per_leaf * leaves, pairs = leaves * spines;
    if (alloc_links(t, hosts, hosts + leaves + spines, 2 * hosts + 2 * pairs) <
        0)
        return DCS_ENOMEM;
    t->kind = DCS_TOPO_LEAF_SPINE;
    t->a = per_leaf;
    t->b = leaves;
    t->c = spines;
    for (int h = 0; h < hosts; h++)
        host_links(t, h, hosts + (t->rail ? h % leaves : h / per_leaf), bw,
                   latency_ns);
    int up = 2 * hosts, down = up + pairs;
    for (int l = 0; l < leaves; l++)
        for (int s = 0; s < spines; s++) {
            int leaf = hosts + l, spine = hosts + leaves + s;
            set_link(t, up + l * spines + s, leaf, spine, spine_bw, latency_ns);
            set_link(t, down + l * spines + s, spine, leaf, spine_bw,
                     latency_ns);
        }
    return 0;
}

int dcs_topo_leaf_spine(dcs_topo_t *t, int per_leaf, int leaves, int spines,
                        double bw, double spine_bw, int64_t latency_ns)
{
    return leaf_spine(t, per_leaf, leaves, spines, bw, spine_bw, latency_ns, 0);
}

int dcs_topo_rail(dcs_topo_t *t, int per_leaf, int leaves, int spines,
                  double bw, double spine_bw, int64_t latency_ns)
{
    return leaf_spine(t, per_leaf, leaves, spines, bw, spine_bw, latency_ns, 1);
}

/* Dragonfly link ids: hosts first; then local links, router r1 -> r2 of
 * group x at local0 + (x * routers + r1) * routers + r2; then global links,
 * group i -> group j at global0 + i * groups + j. */
static int df_router_for(int from, int to, int groups, int routers)
{
    /* The router of group `from` holding its link to group `to`. */
    return (((to - from + groups) % groups) - 1) % routers;
}

int dcs_topo_dragonfly(dcs_topo_t *t, int groups, int routers, int per_router,
                       double bw, double global_bw, int64_t latency_ns)
{
    memset(t, 0, sizeof *t);
    if (groups < 1 || routers < 1 || per_router < 1)
        return DCS_EINVAL;
    int hosts = groups * routers * per_router, nrouters = groups * routers;
    int local0 = 2 * hosts, global0 = local0 + nrouters * routers;
    if (alloc_links(t, hosts, hosts + nrouters, global0 + groups * groups) < 0)
        return DCS_ENOMEM;
    t->kind = DCS_TOPO_DRAGONFLY;
    t->a = groups;
    t->b = routers;
    t->c = per_router;
    for (int h = 0; h < hosts; h++)
        host_links(t, h, hosts + h / per_router, bw, latency_ns);
    for (int x = 0; x < groups; x++)
        for (int r1 = 0; r1 < routers; r1++)
            for (int r2 = 0; r2 < routers; r2++)
                set_link(t, local0 + (x * routers + r1) * routers + r2,
                         hosts + x * routers + r1, hosts + x * routers + r2, bw,
                         latency_ns);
    for (int i = 0; i < groups; i++)
        for (int j = 0; j < groups; j++) {
            int ri = i == j ? 0 : df_router_for(i, j, groups, routers);
            int rj = i == j ? 0 : df_router_for(j, i, groups, routers);
            set_link(t, global0 + i * groups + j, hosts + i * routers + ri,
                     hosts + j * routers + rj, global_bw, latency_ns);
        }
    return 0;
}

int dcs_topo_fat_tree(dcs_topo_t *t, int k, double bw, int64_t latency_ns)
{
    memset(t, 0, sizeof *t);
    if (k < 2 || k % 2)
        return DCS_EINVAL;
    int half = k / 2, hosts = k * half * half, edges = k * half;
    int aggs = k * half, cores = half * half;
    int pairs = edges * half; /* edge-agg pairs = agg-core pairs */
    if (alloc_links(t, hosts, hosts + edges + aggs + cores,
                    2 * hosts + 4 * pairs) < 0)
        return DCS_ENOMEM;
    t->kind = DCS_TOPO_FAT_TREE;
    t->a = k;
    int edge0 = hosts, agg0 = hosts + edges, core0 = agg0 + aggs;
    for (int h = 0; h < hosts; h++)
        host_links(t, h, edge0 + h / half, bw, latency_ns);
    int ea = 2 * hosts, ae = ea + pairs, ac = ae + pairs, ca = ac + pairs;
    for (int p = 0; p < k; p++)
        for (int i = 0; i < half; i++)
            for (int j = 0; j < half; j++) {
                int e = p * half + i, a = p * half + j;
                /* edge e <-> agg (p, j) */
                set_link(t, ea + e * half + j, edge0 + e, agg0 + a, bw,
                         latency_ns);
                set_link(t, ae + e * half + j, agg0 + a, edge0 + e, bw,
                         latency_ns);
                /* agg (p, i) <-> core (i, j): here i plays the agg index */
                int ag = p * half + i, core = i * half + j;
                set_link(t, ac + ag * half + j, agg0 + ag, core0 + core, bw,
                         latency_ns);
                set_link(t, ca + ag * half + j, core0 + core, agg0 + ag, bw,
                         latency_ns);
            }
    return 0;
}

/* Torus link ids: host h, dimension d, direction dir (0: +, 1: -). */
static int torus_link(int h, int d, int dir)
{
    return (h * 3 + d) * 2 + dir;
}

int dcs_topo_torus(dcs_topo_t *t, int x, int y, int z, double bw,
                   int64_t latency_ns)
{
    memset(t, 0, sizeof *t);
    if (x < 1 || y < 1 || z < 1 ||
        (x - 1) / 2 + (y - 1) / 2 + (z - 1) / 2 + 3 > DCS_MAX_HOPS)
        return DCS_EINVAL;
    int hosts = x * y * z;
    if (alloc_links(t, hosts, hosts, hosts * 6) < 0)
        return DCS_ENOMEM;
    t->kind = DCS_TOPO_TORUS;
    t->a = x;
    t->b = y;
    t->c = z;
    int size[3] = {x, y, z};
    for (int h = 0; h < hosts; h++) {
        int co[3] = {h % x, (h / x) % y, h / (x * y)};
        t->up[h] = t->down[h] = -1; /* no host links: hosts are switches */
        for (int d = 0; d < 3; d++)
            for (int dir = 0; dir < 2; dir++) {
                int nb[3] = {co[0], co[1], co[2]};
                nb[d] = (co[d] + (dir ? size[d] - 1 : 1)) % size[d];
                int to = nb[0] + x * (nb[1] + y * nb[2]);
                /* Unused directions (size 1, or the second neighbor of a
                 * size-2 ring) stay in the table but are never routed. */
                set_link(t, torus_link(h, d, dir), h, to, bw, latency_ns);
            }
    }
    return 0;
}

static int ok(const dcs_topo_t *t, const int *links, int n)
{
    for (int i = 0; i < n; i++)
        if (t->links[links[i]].failed)
            return 0;
    return 1;
}

static int torus_route(const dcs_topo_t *t, int src, int dst,
                       int links[DCS_MAX_HOPS])
{
    int size[3] = {t->a, t->b, t->c};
    int at[3] = {src % t->a, (src / t->a) % t->b, src / (t->a * t->b)};
    int to[3] = {dst % t->a, (dst / t->a) % t->b, dst / (t->a * t->b)};
    int n = 0;
    for (int d = 0; d < 3; d++) {
        int fwd = (to[d] - at[d] + size[d]) % size[d];
        int dir = fwd <= size[d] - fwd ? 0 : 1;
        int steps = dir ? size[d] - fwd : fwd;
        if (size[d] == 2)
            dir = 0; /* one neighbor: the + link */
        for (int s = 0; s < steps; s++) {
            int h = at[0] + t->a * (at[1] + t->b * at[2]);
            links[n++] = torus_link(h, d, dir);
            at[d] = (at[d] + (dir ? size[d] - 1 : 1)) % size[d];
        }
    }
    return ok(t, links, n) ? n : -1;
}

int dcs_topo_route(const dcs_topo_t *t, int src, int dst, uint64_t hash,
                   int links[DCS_MAX_HOPS])
{
    if (t->kind == DCS_TOPO_TORUS)
        return torus_route(t, src, dst, links);
    links[0] = t->up[src];
    switch (t->kind) {
    case DCS_TOPO_STAR:
        links[1] = t->down[dst];
        return ok(t, links, 2) ? 2 : -1;
    case DCS_TOPO_DUMBBELL: {
        int n = 0;
        links[n++] = t->up[src];
        if ((src < t->a) != (dst < t->a))
            links[n++] = 2 * t->hosts + (src < t->a ? 0 : 1);
        links[n++] = t->down[dst];
        return ok(t, links, n) ? n : -1;
    }
    case DCS_TOPO_LEAF_SPINE: {
        int ls = t->rail ? src % t->b : src / t->a;
        int ld = t->rail ? dst % t->b : dst / t->a, spines = t->c;
        if (ls == ld) {
            links[1] = t->down[dst];
            return ok(t, links, 2) ? 2 : -1;
        }
        int up = 2 * t->hosts, down = up + t->b * spines;
        for (int try = 0; try < spines; try++) {
            int s = (int)((hash + (uint64_t)try) % (uint64_t)spines);
            links[1] = up + ls * spines + s;
            links[2] = down + ld * spines + s;
            links[3] = t->down[dst];
            if (ok(t, links, 4))
                return 4;
        }
        return -1;
    }
    case DCS_TOPO_FAT_TREE: {
        int k = t->a, half = k / 2, per_pod = half * half;
        int pairs = k * half * half;
        int ea = 2 * t->hosts, ae = ea + pairs, ac = ae + pairs,
            ca = ac + pairs;
        int ps = src / per_pod, pd = dst / per_pod;
        int es = src / half, ed = dst / half; /* global edge indexes */
        if (es == ed) {
            links[1] = t->down[dst];
            return ok(t, links, 2) ? 2 : -1;
        }
        for (int try = 0; try < half * half; try++) {
            uint64_t h = hash + (uint64_t)try;
            int j = (int)(h % (uint64_t)half);
            int m = (int)((h / (uint64_t)half) % (uint64_t)half);
            int n = 1;
            links[n++] = ea + es * half + j; /* edge -> agg (ps, j) */
            if (ps != pd) {
                int ag_s = ps * half + j, ag_d = pd * half + j;
                links[n++] = ac + ag_s * half + m; /* agg -> core (j, m) */
                links[n++] = ca + ag_d * half + m; /* core -> agg (pd, j) */
            } else if (try >= half) {
                break; /* within a pod only j varies */
            }
            links[n++] = ae + ed * half + j; /* agg (pd, j) -> edge */
            links[n++] = t->down[dst];
            if (ok(t, links, n))
                return n;
        }
        return -1;
    }
    case DCS_TOPO_DRAGONFLY: {
        int groups = t->a, routers = t->b, per = t->c;
        int local0 = 2 * t->hosts,
            global0 = local0 + groups * routers * routers;
        int rs = src / per, rd = dst / per; /* global router indexes */
        int gs = rs / routers, gd = rd / routers, n = 1;
        if (gs == gd) {
            if (rs != rd)
                links[n++] = local0 + (gs * routers + rs % routers) * routers +
                             rd % routers;
        } else {
            int out = df_router_for(gs, gd, groups, routers);
            int in = df_router_for(gd, gs, groups, routers);
            if (rs % routers != out)
                links[n++] =
                    local0 + (gs * routers + rs % routers) * routers + out;
            links[n++] = global0 + gs * groups + gd;
            if (in != rd % routers)
                links[n++] =
                    local0 + (gd * routers + in) * routers + rd % routers;
        }
        links[n++] = t->down[dst];
        (void)hash;
        return ok(t, links, n) ? n : -1;
    }
    case DCS_TOPO_TORUS:
        break;
    }
    return -1;
}

/* `hosts` hosts per group in nodes of g, or 0 when they do not divide. */
static int whole_nodes(int hosts, int g)
{
    return hosts > 0 && hosts % g == 0 ? hosts / g : 0;
}

int dcs_topo_nodes_per_group(const dcs_topo_t *t, int g)
{
    if (g <= 0 || t->hosts <= 0)
        return 0;
    switch (t->kind) {
    case DCS_TOPO_DUMBBELL:
        return whole_nodes(t->a, g);
    case DCS_TOPO_LEAF_SPINE:
        if (t->rail) /* every node on every rail leaf: one group */
            return g % t->b == 0 ? t->hosts / g : 0;
        return g % t->a == 0 ? 1 : whole_nodes(t->a, g);
    case DCS_TOPO_FAT_TREE:
        return whole_nodes(t->a / 2 * (t->a / 2), g);
    case DCS_TOPO_TORUS: {
        int row = whole_nodes(t->a, g);
        return row ? row : whole_nodes(t->a * t->b, g);
    }
    case DCS_TOPO_DRAGONFLY:
        return whole_nodes(t->b * t->c, g);
    case DCS_TOPO_STAR:
        break;
    }
    return 0;
}
