/* test_model.c - transformer architectures and their parameter counts.
 *
 * Invariant: every shipped model file's parameter count is within 2 % of
 * the total its authors published (the table below, with sources), and MoE
 * models' active parameters match theirs too; the closed form of one small
 * model is checked exactly; bad model input is reported with its field. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "workload/model.h"

static int load(const char *name, dcs_model_t *m)
{
    char path[256];
    snprintf(path, sizeof path, "workloads/models/%s.yaml", name);
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load(path, &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    int rc = dcs_model_read(dcs_cfg_root(cfg), m, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_int_eq(dcs_cfg_check_unknown(dcs_cfg_root(cfg), &err), 0);
    dcs_cfg_free(cfg);
    return rc;
}

START_TEST(test_published_totals)
{
    static const struct {
        const char *name;
        double published; /* parameters */
    } table[] = {
        {"gpt3-1.3b", 1.3e9},          /* Brown et al. 2020, Table 2.1 */
        {"gpt3-6.7b", 6.7e9},          /* ibid. */
        {"gpt3-13b", 13.0e9},          /* ibid. */
        {"gpt3-175b", 175.0e9},        /* ibid. */
        {"llama2-7b", 6.74e9},         /* Touvron et al. 2023 (6,738,415,616) */
        {"llama2-70b", 68.98e9},       /* ibid. (68,976,648,192) */
        {"llama3-8b", 8.03e9},         /* Llama Team 2024 (8,030,261,248) */
        {"llama3-70b", 70.6e9},        /* ibid. (70,553,706,496) */
        {"llama3-405b", 405.0e9},      /* ibid., "405B" */
        {"mixtral-8x7b", 46.7e9},      /* Jiang et al. 2024 */
        {"deepseek-v3-671b", 671.0e9}, /* DeepSeek-AI 2024 */
        {"bert-large", 340.0e6},       /* Devlin et al. 2019 */
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        dcs_model_t m;
        load(table[i].name, &m);
        double p = dcs_model_params(&m);
        ck_assert_msg(fabs(p - table[i].published) <= 0.02 * table[i].published,
                      "%s: %.4g parameters, published %.4g", table[i].name, p,
                      table[i].published);
    }
    /* Active parameters per token: Mixtral 12.9B, DeepSeek-V3 37B
     * (published). */
    dcs_model_t m;
    load("mixtral-8x7b", &m);
    ck_assert(fabs(dcs_model_active_params(&m) - 12.9e9) <= 0.02 * 12.9e9);
    load("deepseek-v3-671b", &m);
    ck_assert(fabs(dcs_model_active_params(&m) - 37e9) <= 0.03 * 37e9);
}
END_TEST

START_TEST(test_closed_form_gpt)
{
    /* GPT-3 1.3B exactly: per layer attention 4h^2 + 4h, FFN 8h^2 + 5h,
     * two LayerNorms 4h; embeddings V h, positions 2048 h, final norm 2h:
     * 24 (12 h^2 + 13 h) + 50257 h + 2048 h + 2 h with h = 2048. */
    dcs_model_t m;
    load("gpt3-1.3b", &m);
    double h = 2048;
    double want = 24 * (12 * h * h + 13 * h) + 50257 * h + 2048 * h + 2 * h;
    ck_assert_double_eq_tol(dcs_model_params(&m), want, 0.5);
    ck_assert_double_eq_tol(dcs_model_params(&m), 1315723264.0, 0.5);
}
END_TEST

START_TEST(test_bad_models)
{
    const char *cases[][2] = {
        {"name: x\nlayers: 2\nhidden: 100\nffn_hidden: 400\nheads: 3\nvocab: "
         "10\nseq_len: 8\n",
         "m.yaml:5:8: field 'heads': hidden 100 is not a multiple of 3 heads; "
         "give head_dim"},
        {"name: x\nlayers: 2\nhidden: 64\nffn_hidden: 256\nheads: 8\nkv_heads: "
         "3\nvocab: 10\nseq_len: 8\n",
         "m.yaml:6:11: field 'kv_heads': 3 kv_heads do not divide 8 heads"},
        {"name: x\nlayers: 2\nhidden: 64\nheads: 8\nvocab: 10\nseq_len: "
         "8\nexperts: 4\nexpert_ffn_hidden: 128\ntop_k: 5\n",
         "m.yaml:9:8: field 'top_k': top_k 5 exceeds 4 experts"},
        {"name: x\nlayers: 2\nhidden: 64\nheads: 8\nvocab: 10\nseq_len: 8\n",
         "m.yaml:1:1: field 'ffn_hidden': missing (required for dense layers)"},
        {"name: x\nlayers: 2\nhidden: 64\nffn_hidden: 256\nheads: 8\nvocab: "
         "10\nseq_len: 8\nactivation: relu\n",
         "m.yaml:8:13: field 'activation': expected one of gelu, swiglu, found "
         "'relu'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dcs_err_t err = {""};
        dcs_cfg_t *cfg = dcs_cfg_load_string("m.yaml", cases[i][0], &err);
        ck_assert_ptr_nonnull(cfg);
        dcs_model_t m;
        ck_assert_int_eq(dcs_model_read(dcs_cfg_root(cfg), &m, &err),
                         DCS_EINPUT);
        ck_assert_str_eq(err.msg, cases[i][1]);
        dcs_cfg_free(cfg);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_published_totals);
    tcase_add_test(tc, test_closed_form_gpt);
    tcase_add_test(tc, test_bad_models);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
