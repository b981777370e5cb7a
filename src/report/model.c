/* model.c - the model's shape table (report.h): what `lrsweep data`,
 * `train -v` and a dry run show of a layer stack, as torchinfo's summary
 * does: each layer's output shape for one sample and its parameters, the
 * totals, and the memory one training run holds. */
#include <stdio.h>

#include "lrsweep/experiment.h"
#include "lrsweep/data.h"
#include "lrsweep/error.h"
#include "lrsweep/net.h"
#include "lrsweep/report.h"

#define MIB (1024.0 * 1024.0)

/* "[6, 28, 28]", or "[120]" for a flat one (not a map). */
static void shape_text(char *buf, size_t size, int map, size_t c, size_t h, size_t w)
{
	if (!map)
		snprintf(buf, size, "[%zu]", c);
	else
		snprintf(buf, size, "[%zu, %zu, %zu]", c, h, w);
}

/* "61,706": thousands set apart, as torchinfo prints counts. */
static void count_text(char *buf, size_t size, size_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%zu", n), at = 0;

	for (int i = 0; i < len && (size_t)at + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[at++] = ',';
		buf[at++] = digits[i];
	}
	buf[at] = '\0';
}

/* The first line: how the model was written and initialised. */
static void model_line(FILE *f, const lrs_model_config *m)
{
	static const char *const acts[] = { "relu", "tanh", "sigmoid" };
	const lrs_net_config *c = &m->net;
	const char *init = c->init == LRS_INIT_HE ? "He" : "Xavier";

	if (m->layers) {
		fprintf(f, "model: %zu layers, %s initialisation, %zu classes\n", c->n_layers,
		        c->torch_init ? "PyTorch's default" : init, c->outputs);
		return;
	}
	fprintf(f, "model: hidden [");
	for (size_t i = 0; i < m->mlp.n_hidden; i++)
		fprintf(f, "%s%zu", i ? ", " : "", m->mlp.hidden[i]);
	fprintf(f, "], %s, %s initialisation, %zu classes\n", acts[m->mlp.activation], init, c->outputs);
}

void lrs_report_model(FILE *f, const lrs_model_config *m, double run_bytes, long batch_size)
{
	const lrs_net_config *c = &m->net;
	lrs_layer_shape shape[LRS_NET_MAX_LAYERS];
	char sh[64], text[96], count[LRS_COUNT_TEXT];
	size_t bad, total = 0;
	double net;
	int map = c->height > 1 || c->width > 1;   /* a (C, H, W) map, until a linear layer flattens it */

	model_line(f, m);
	if (lrs_net_shapes(c, shape, &bad) < 0) {
		fprintf(f, "the stack does not fit its input: %s\n", lrs_error_last());
		return;
	}
	fprintf(f, "%5s  %-24s  %-16s  %12s\n", "#", "layer", "output shape", "parameters");
	shape_text(sh, sizeof sh, map, c->channels, c->height, c->width);
	fprintf(f, "%5s  %-24s  %-16s  %12s\n", "", "input", sh, "-");
	for (size_t l = 0; l < c->n_layers; l++) {
		lrs_layer L = c->layer[l];

		if (L.type == LRS_LAYER_LINEAR && L.size == 0)   /* the shorthand's last: the classes */
			L.size = shape[l].c;
		lrs_model_layer_text(text, sizeof text, &L);
		map = L.type == LRS_LAYER_CONV || L.type == LRS_LAYER_MAXPOOL || L.type == LRS_LAYER_AVGPOOL ? 1
		      : L.type == LRS_LAYER_LINEAR ? 0 : map;
		shape_text(sh, sizeof sh, map, shape[l].c, shape[l].h, shape[l].w);
		count_text(count, sizeof count, shape[l].params);
		fprintf(f, "%5zu  %-24s  %-16s  %12s\n", l + 1, text, sh, count);
		total += shape[l].params;
	}
	count_text(count, sizeof count, total);
	fprintf(f, "total parameters %s (%.2f MiB of float32)\n", count, (double)total * sizeof(float) / MIB);
	if (run_bytes > 0) {
		const char *limit = NULL;
		double avail = lrs_memory_available(1, &limit);

		fprintf(f, "one training run at batch %ld holds %.1f MiB: parameters, gradients, optimizer state, "
		        "activations and scratch\n", batch_size, run_bytes / MIB);
		if (run_bytes > avail)
			fprintf(f, "warning: that is more than the %.0f MiB available (%s): run, train and range-test "
			        "will refuse it; a smaller batch_size or model fits\n", avail / MIB, limit);
	} else if (lrs_net_bytes(c, 1, &net) < 0)
		fprintf(f, "not trainable by this build: %s\n", lrs_error_last());
}
