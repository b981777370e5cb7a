/* load.c - an experiment file and its data, loaded for a command
 * (pipeline.h): a problem of a data file located where the experiment
 * names that file. */
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/pipeline.h"
#include "lrsweep/util.h"

/* Which of the source's files `msg` starts with (0..3: images, labels,
 * path, features), or -1. */
static int names_a_file(const char *msg, const lrs_data_source *src)
{
	const char *files[] = { src->images, src->labels, src->path, src->features };

	for (int i = 0; i < 4; i++)
		if (files[i] && strncmp(msg, files[i], strlen(files[i])) == 0 && msg[strlen(files[i])] == ':')
			return i;
	return -1;
}

/* Rewrites the current error (`rc`) of loading the data as one line that
 * says where: at the position the error carries (a key of the
 * experiment's data section that the file contradicts: a column `drop:`
 * names that it lacks), else where experiment `path` names the file the
 * problem is in; one of the data as configured names the experiment
 * file. A control character of a file name (a newline) is shown escaped. */
static void locate_data_error(int rc, const char *path, const lrs_data_config *dc)
{
	const lrs_data_source *src = &dc->train;
	int f = names_a_file(lrs_error_last(), src);
	int line = lrs_error_line(), column = lrs_error_column();
	lrs_buf msg = { 0 };   /* the error, printable */

	if (f < 0 && dc->has_test && (f = names_a_file(lrs_error_last(), &dc->test)) >= 0)
		src = &dc->test;
	lrs_buf_printable(&msg, lrs_error_last(), 0);
	if (line > 0)
		lrs_error_set(rc, "%s:%d:%d: %s", path, line, column, msg.data ? msg.data : "");
	else if (f >= 0 && src->file_line[f] > 0)
		lrs_error_set(rc, "%s:%d:%d: %s", path, src->file_line[f], src->file_column[f], msg.data ? msg.data : "");
	else if (f < 0)
		lrs_error_set(rc, "%s: data: %s", path, msg.data ? msg.data : "");
	else
		lrs_error_set(rc, "%s", msg.data ? msg.data : "");
	lrs_buf_free(&msg);
}

int lrs_pipeline_load(lrs_experiment **exp, lrs_dataset **ds, const char *path)
{
	int rc;

	*exp = NULL;
	*ds = NULL;
	if ((rc = lrs_experiment_load(exp, path)) < 0)
		return rc;
	if ((*exp)->has_trainer) {   /* the program has the data; lrsweep a stand-in */
		if ((rc = lrs_dataset_new_external(ds)) < 0) {
			lrs_experiment_free(*exp);
			*exp = NULL;
			return rc;
		}
		return 0;
	}
	if ((rc = lrs_dataset_load(ds, &(*exp)->data)) < 0) {
		locate_data_error(rc, path, &(*exp)->data);
		lrs_experiment_free(*exp);
		*exp = NULL;
		return rc;
	}
	if ((rc = lrs_experiment_fit(*exp, *ds)) < 0) {   /* a stack that does not fit, before anything trains */
		lrs_experiment_free(*exp);
		lrs_dataset_free(*ds);
		*exp = NULL;
		*ds = NULL;
		return rc;
	}
	return 0;
}
