/*
 * priv.c: take the setgid project group only while the store's files are
 * opened, created or removed (see priv.h).
 */
#include <stdlib.h>
#include <unistd.h>

#include "accord/priv.h"
#include "internal.h"

static gid_t project_gid;
static int have_project_gid;
static int depth;		/* raises not yet dropped: they nest */

int
priv_init(char **cause)
{
	gid_t g = getgid(), eg = getegid();

	if (geteuid() != getuid())
		return acc_error(cause, "accord must not be installed setuid "
		    "(setgid to the project group is enough: see "
		    "docs/deploy.md)");
	if (eg == g)
		return 0;
	project_gid = eg;
	have_project_gid = 1;
	if (setegid(g) != 0)
		return acc_error(cause, "cannot drop the project group");
	return 0;
}

void
priv_raise(void)
{
	/* Cannot fail: the saved set-group-ID holds project_gid. */
	if (have_project_gid && depth++ == 0 && setegid(project_gid) != 0)
		abort();
}

void
priv_drop(void)
{
	if (have_project_gid && --depth == 0 && setegid(getgid()) != 0)
		abort();
}

void
priv_child(void)
{
	gid_t g = getgid();

	if (have_project_gid && setresgid(g, g, g) != 0)
		_exit(127);
}
