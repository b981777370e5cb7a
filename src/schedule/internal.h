/* internal.h - the schedule struct, shared by build.c (parameters) and
 * lr.c (formulas). Not a public header: everything outside src/schedule
 * sees lrs_sched as opaque. */
#ifndef LRSWEEP_SCHEDULE_INTERNAL_H
#define LRSWEEP_SCHEDULE_INTERNAL_H

#include "lrsweep/schedule.h"

typedef struct {
	long *v;     /* step counts, in order */
	size_t n;
} lrs_steps_list;

typedef struct {
	double *v;   /* rates, in order */
	size_t n;
} lrs_rates_list;

enum { ANNEAL_COS, ANNEAL_LINEAR };                        /* one_cycle      */
enum { CYCLIC_TRIANGULAR, CYCLIC_TRIANGULAR2, CYCLIC_EXP_RANGE };
enum { WINDOW_TRIANGULAR, WINDOW_WELCH, WINDOW_HANN };     /* CLR policies   */
enum { PLATEAU_MAX, PLATEAU_MIN };
enum { THRESHOLD_REL, THRESHOLD_ABS };

/* One struct per family; field names are the parameter names of the system
 * the family comes from, so build.c can find them by offset. */
struct lrs_sched {
	lrs_sched_type type;
	int restarted;          /* 1: started by SequentialLR's step(0) */
	union {
		struct { double lr, factor; long total_iters; } constant;
		struct { double lr; long step_size; double gamma; } step;
		struct { double lr; lrs_steps_list milestones; double gamma; } multistep;
		struct { double lr, gamma; } exponential;
		struct { double lr, start_factor, end_factor; long total_iters; } linear;
		struct { double lr; long total_iters; double power; } polynomial;
		struct { double lr; long T_max; double eta_min; } cosine;
		struct { double lr; long T_0, T_mult; double eta_min; } warm;
		struct {
			double max_lr;
			long total_steps;
			double pct_start;
			int anneal_strategy;         /* ANNEAL_*                  */
			double div_factor, final_div_factor;
			int three_phase, cycle_momentum;
			double base_momentum, max_momentum;
		} one_cycle;
		struct {
			double base_lr, max_lr;
			long step_size_up, step_size_down;
			int mode;                    /* CYCLIC_*                  */
			double gamma;
			int cycle_momentum;
			double base_momentum, max_momentum;
		} cyclic;
		struct {
			double base_lr, max_lr;
			long step_size;
			double gamma;                /* exp_range only, else 1    */
			int window;                  /* WINDOW_*                  */
		} clr;
		struct {
			double initial_learning_rate;
			long decay_steps;
			double decay_rate;
			int staircase;
		} decay;                             /* exponential, inverse time */
		struct { lrs_steps_list boundaries; lrs_rates_list values; } piecewise;
		struct {
			double initial_learning_rate;
			long decay_steps;
			double end_learning_rate, power;
			int cycle;
		} poly_decay;
		struct {
			double initial_learning_rate;
			long decay_steps;
			double alpha;
			double warmup_target;        /* NAN: no warm-up           */
			long warmup_steps;
		} cos_decay;
		struct {
			double initial_learning_rate;
			long first_decay_steps;
			double t_mul, m_mul, alpha;
		} restarts;
		struct {
			double initial_learning_rate;
			long decay_steps;
			double num_periods, alpha, beta;
			double initial_variance, variance_decay; /* noisy only    */
			long seed;                               /* noisy only    */
		} lin_cos;
		struct {
			double min_lr, max_lr;
			long steps_per_epoch, cycle_length;
			double mult_factor, lr_decay;
		} sgdr;
		struct {
			double lr;
			int mode;                    /* PLATEAU_*                 */
			double factor;
			long patience;
			double threshold;
			int threshold_mode;          /* THRESHOLD_*               */
			long cooldown;
			double min_lr, eps;
		} plateau;
		struct {
			lrs_sched **schedules;       /* inner schedules, in order */
			size_t n_schedules;
			lrs_steps_list milestones;   /* n_schedules - 1 of them   */
		} seq;
	} u;
};

#endif
