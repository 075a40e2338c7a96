/*
 * priv.h: the shared-deployment group, for a setgid accord binary.
 *
 * On a shared host the store and its directory belong to a project group
 * that users are not in, and the accord binary is setgid to that group
 * (docs/deploy.md).  accord then runs with the user's own group by default,
 * so every file a user names (media, CSV, outputs, the trace file) and
 * every child process (player, editor) gets only the user's own rights,
 * and takes the project group only around opening, creating and closing
 * the store, the moments SQLite creates or removes the store's files.
 * Identity is the real uid throughout, whatever the group.
 *
 * Without a setgid bit every call here does nothing.
 */
#ifndef ACCORD_PRIV_H
#define ACCORD_PRIV_H

/* At start, before anything else: remember the setgid group and drop to
 * the real group.  -1 (with *cause) if the binary is setuid, which accord
 * refuses, or the group cannot be dropped. */
int priv_init(char **cause);
/* Take / drop the project group (no-ops when not setgid). */
void priv_raise(void);
void priv_drop(void);
/* In a child after fork, before exec: give up the project group for good. */
void priv_child(void);

#endif
