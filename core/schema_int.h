/*
 * schema_int.h: SQL that both stores' schemas run as it is, the SQLite one
 * (core/schema.c) and the PostgreSQL one (core/schema_pg.c), so the
 * derived state moves the same way in both.  Whitespace and all, the
 * text is what SQLite's released migrations hold.
 */
#ifndef ACCORD_SCHEMA_INT_H
#define ACCORD_SCHEMA_INT_H

#include "label_int.h"

/*
 * Trigger queue_levels_move (schema 5), run for a row of item_labelers
 * whose n changed (OLD, NEW), moves the item's labelers in labeler_levels
 * by these two statements.  LEAVE: out of OLD.n, those in force before
 * (the newest row's labeler among them only if it left, n fell).  JOIN,
 * completed by each store's ON CONFLICT clause (PostgreSQL wants the
 * target's name on its column, SQLite's released text has none): into
 * NEW.n, those in force now.
 */
#define LABELER_LEVELS_LEAVE_SQL					\
	"  UPDATE labeler_levels SET items = items - 1 WHERE batch = OLD.batch" \
	"  AND n = OLD.n AND CASE WHEN labeler = (SELECT labeler FROM labels" \
	"  WHERE item = NEW.item ORDER BY id DESC LIMIT 1) THEN NEW.n < OLD.n" \
	"  ELSE labeler IN (SELECT l.labeler FROM labels l WHERE l.item ="	\
	"  NEW.item AND " LABEL_IN_FORCE("l") ") END;"
#define LABELER_LEVELS_JOIN_SQL						\
	"  INSERT INTO labeler_levels (labeler, batch, n, items) SELECT"	\
	"  l.labeler, NEW.batch, NEW.n, 1 FROM labels l WHERE l.item ="	\
	"  NEW.item AND " LABEL_IN_FORCE("l")

#endif
