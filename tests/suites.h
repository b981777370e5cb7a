/* suites.h - one Suite constructor per tests/test_<module>.c. */
#ifndef LRSWEEP_TESTS_SUITES_H
#define LRSWEEP_TESTS_SUITES_H

#include <check.h>

Suite *suite_common(void);     /* test_common.c: error, util, rng, node, YAML */
Suite *suite_schedule(void);   /* test_schedule.c: every schedule type        */
Suite *suite_data(void);       /* test_data.c: loaders, split, normalisation   */
Suite *suite_nn(void);         /* test_nn.c: MLP forward, gradients, init       */
Suite *suite_net(void);        /* test_net.c: layer stacks, shapes              */
Suite *suite_optim(void);      /* test_optim.c: SGD, Adam, AdamW updates        */
Suite *suite_train(void);      /* test_train.c: the training loop               */
Suite *suite_rangetest(void);  /* test_rangetest.c: one LR range test           */
Suite *suite_store(void);      /* test_store.c: the SQLite store, sha256         */
Suite *suite_pick(void);       /* test_pick.c: the range test's bound rules     */
Suite *suite_plan(void);       /* test_plan.c: the trial plan, trials: section  */
Suite *suite_prune(void);      /* test_prune.c: ASHA rungs, median rule         */
Suite *suite_stats(void);      /* test_stats.c: t distribution, Welch test      */
Suite *suite_options(void);    /* test_options.c: the command-line parser, help */
Suite *suite_trials(void);     /* test_trials.c: the trials runner, pruning     */
Suite *suite_results(void);    /* test_results.c: configurations, labels, compare */
Suite *suite_tpe(void);        /* test_tpe.c: the TPE sampler on known optima   */
Suite *suite_kernels(void);    /* test_kernels.c: AVX-512 kernels vs portable   */
Suite *suite_external(void);   /* test_external.c: the trainer protocol's JSON  */
Suite *suite_report(void);     /* test_report.c: the report's HTML text          */

#endif
