/* entry.c - main() of bin/lrsweep: the command line of main.c. */
#include "cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
