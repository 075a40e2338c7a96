/*
 * schema_int.h: SQL that both stores' schemas run as it is, the SQLite one
 * (core/schema.c) and the PostgreSQL one (core/schema_pg.c), so the
 * derived state moves the same way in both.
 */
#ifndef ACCORD_SCHEMA_INT_H
#define ACCORD_SCHEMA_INT_H

#include "label_int.h"

/*
 * The statements of trigger queue_levels_move (schema 5), run for a row
 * of item_labelers whose n changed (OLD, NEW): the item leaves its level
 * and joins the new one in queue_levels, and in labeler_levels for the
 * labelers it counts for.  Out of OLD.n: those in force before (the
 * newest row's labeler among them only if it left, n fell).  Into NEW.n:
 * those in force now.  Q and L qualify the counts' columns of the
 * upserts: "" in SQLite (the released text), "queue_levels." and
 * "labeler_levels." in PostgreSQL, where EXCLUDED makes a bare name
 * ambiguous.
 */
#define QUEUE_LEVELS_MOVE_SQL(Q, L)					\
	"  UPDATE queue_levels SET items = items - 1 WHERE batch = OLD.batch" \
	"  AND n = OLD.n;"						\
	"  INSERT INTO queue_levels (batch, n, items) VALUES (NEW.batch,"	\
	"  NEW.n, 1) ON CONFLICT (batch, n) DO UPDATE SET items = " Q	\
	"items + 1;"							\
	"  UPDATE labeler_levels SET items = items - 1 WHERE batch = OLD.batch" \
	"  AND n = OLD.n AND CASE WHEN labeler = (SELECT labeler FROM labels" \
	"  WHERE item = NEW.item ORDER BY id DESC LIMIT 1) THEN NEW.n < OLD.n" \
	"  ELSE labeler IN (SELECT l.labeler FROM labels l WHERE l.item ="	\
	"  NEW.item AND " LABEL_IN_FORCE("l") ") END;"			\
	"  INSERT INTO labeler_levels (labeler, batch, n, items) SELECT"	\
	"  l.labeler, NEW.batch, NEW.n, 1 FROM labels l WHERE l.item ="	\
	"  NEW.item AND " LABEL_IN_FORCE("l")				\
	"  ON CONFLICT (labeler, batch, n) DO UPDATE SET items = " L	\
	"items + 1;"

#endif
