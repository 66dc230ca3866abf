/* netwrite.h: writing a built graph to its file (netwrite.c). */
#ifndef BOGIE_NETWRITE_H
#define BOGIE_NETWRITE_H

#include "net/build.h"

/* Writes the graph to path (which must not exist yet, or is overwritten); meta is a "key=value\n" blob. */
bogie_status net_write_file(const char *path, imp_state *st, const net_build *b, const char *meta,
                            bogie_diag *diag);

#endif
