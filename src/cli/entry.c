/* entry.c - main() of bin/lrsweep: the command line of main.c. */
#include "lrsweep/cli.h"

int main(int argc, char **argv)
{
	return lrs_cli_main(argc, argv, "lrsweep", NULL);
}
