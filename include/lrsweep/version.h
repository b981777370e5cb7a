/* version.h - the version of lrsweep, printed by --version and stored with
 * every experiment. */
#ifndef LRSWEEP_VERSION_H
#define LRSWEEP_VERSION_H

#define LRSWEEP_VERSION "0.1.0"

#endif
