/*
 * schema.c: the store's schema as a list of migrations.  Migration v takes a
 * store from user_version v-1 to v and runs inside one transaction with the
 * user_version bump (store.c), so a store is never half-migrated.  Never edit
 * a released migration: add a new one.
 */
#include <stddef.h>

#include "label_int.h"
#include "schema_int.h"

/*
 * Tables that keep history refuse UPDATE and DELETE: a change is a new row
 * (a label superseding another, a member row with a new role).  The trigger
 * makes that a property of the file, not a promise of the code.
 */
#define APPEND_ONLY(t)							\
	"CREATE TRIGGER " t "_no_update BEFORE UPDATE ON " t " BEGIN "	\
	"SELECT RAISE(ABORT, '" t " rows are never changed'); END;\n"	\
	"CREATE TRIGGER " t "_no_delete BEFORE DELETE ON " t " BEGIN "	\
	"SELECT RAISE(ABORT, '" t " rows are never deleted'); END;\n"

static const char *const migrations[] = {
	/* 1: project, members, guidelines, items and their metadata, labels. */
	"CREATE TABLE settings ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  set_by TEXT NOT NULL,"
	"  set_at TEXT NOT NULL);\n"
	"CREATE INDEX settings_key ON settings(key, id);\n"
	"CREATE TABLE classes ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  key TEXT NOT NULL UNIQUE,"
	"  position INTEGER NOT NULL UNIQUE,"
	"  is_borderline INTEGER NOT NULL DEFAULT 0"
	"    CHECK (is_borderline IN (0, 1)));\n"
	"CREATE TABLE members ("
	"  id INTEGER PRIMARY KEY,"
	"  user TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('labeler', 'sme', 'admin')),"
	"  active INTEGER NOT NULL CHECK (active IN (0, 1)),"
	"  changed_by TEXT NOT NULL,"
	"  changed_at TEXT NOT NULL);\n"
	"CREATE INDEX members_user ON members(user, id);\n"
	"CREATE TABLE guidelines ("
	"  version INTEGER PRIMARY KEY,"
	"  text TEXT NOT NULL,"
	"  author TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  reason TEXT NOT NULL);\n"
	"CREATE TABLE guideline_classes ("
	"  version INTEGER NOT NULL REFERENCES guidelines(version),"
	"  class INTEGER NOT NULL REFERENCES classes(id),"
	"  description TEXT NOT NULL,"
	"  PRIMARY KEY (version, class));\n"
	"CREATE TABLE batches ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created_by TEXT NOT NULL,"
	"  created_at TEXT NOT NULL);\n"
	"CREATE TABLE items ("
	"  id INTEGER PRIMARY KEY,"
	"  sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),"
	"  path TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('image', 'audio')),"
	"  format TEXT NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  width INTEGER, height INTEGER, depth INTEGER,"
	"  channels INTEGER, rate INTEGER, frames INTEGER,"
	"  batch INTEGER NOT NULL REFERENCES batches(id),"
	"  imported_by TEXT NOT NULL,"
	"  imported_at TEXT NOT NULL);\n"
	"CREATE INDEX items_batch ON items(batch);\n"
	/* Every path a content was seen at; (path, bytes, mtime) lets a re-run
	 * skip files it already has without reading them. */
	"CREATE TABLE item_sources ("
	"  id INTEGER PRIMARY KEY,"
	"  item INTEGER NOT NULL REFERENCES items(id),"
	"  path TEXT NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  mtime INTEGER NOT NULL,"
	"  batch INTEGER NOT NULL REFERENCES batches(id),"
	"  seen_at TEXT NOT NULL);\n"
	"CREATE INDEX item_sources_path ON item_sources(path, bytes, mtime);\n"
	"CREATE INDEX item_sources_item ON item_sources(item);\n"
	"CREATE TABLE item_meta ("
	"  id INTEGER PRIMARY KEY,"
	"  item INTEGER NOT NULL REFERENCES items(id),"
	"  key TEXT NOT NULL,"
	"  value,"
	"  source TEXT NOT NULL,"
	"  created_at TEXT NOT NULL);\n"
	"CREATE INDEX item_meta_item ON item_meta(item, key, id);\n"
	"CREATE INDEX item_meta_key ON item_meta(key, value);\n"
	"CREATE TABLE label_imports ("
	"  id INTEGER PRIMARY KEY,"
	"  file TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  rows INTEGER NOT NULL,"
	"  imported_by TEXT NOT NULL,"
	"  imported_at TEXT NOT NULL);\n"
	"CREATE TABLE labels ("
	"  id INTEGER PRIMARY KEY,"
	"  item INTEGER NOT NULL REFERENCES items(id),"
	"  labeler TEXT NOT NULL,"
	"  class INTEGER REFERENCES classes(id),"	/* NULL: withdrawn (undo) */
	"  note TEXT NOT NULL DEFAULT '',"
	"  guideline INTEGER NOT NULL REFERENCES guidelines(version),"
	"  seconds_spent REAL,"
	"  created_at TEXT NOT NULL,"
	"  supersedes INTEGER REFERENCES labels(id),"
	"  origin TEXT NOT NULL CHECK (origin IN ('screen', 'import')),"
	"  label_import INTEGER REFERENCES label_imports(id),"
	"  recorded_by TEXT NOT NULL);\n"
	"CREATE INDEX labels_item ON labels(item, labeler, id);\n"
	"CREATE INDEX labels_labeler ON labels(labeler, id);\n"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  user TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  detail TEXT NOT NULL);\n"
	/* The label of each (item, labeler) in force (label_int.h). */
	"CREATE VIEW current_labels AS"
	"  SELECT l.* FROM labels l WHERE " LABEL_IN_FORCE("l") ";\n"
	/* The value of each (item, key) in force: its newest row. */
	"CREATE VIEW current_meta AS"
	"  SELECT m.item, m.key, m.value, m.source FROM item_meta m"
	"  WHERE m.id = (SELECT max(id) FROM item_meta n"
	"                WHERE n.item = m.item AND n.key = m.key);\n"
	/* Each user's membership in force: their newest member row. */
	"CREATE VIEW current_members AS"
	"  SELECT m.user, m.role, m.changed_by, m.changed_at FROM members m"
	"  WHERE m.id = (SELECT max(id) FROM members n WHERE n.user = m.user)"
	"    AND m.active = 1;\n"
	APPEND_ONLY("settings")
	APPEND_ONLY("members")
	APPEND_ONLY("guidelines")
	APPEND_ONLY("guideline_classes")
	APPEND_ONLY("item_meta")
	APPEND_ONLY("labels")
	APPEND_ONLY("audit"),

	/* 2: the review loop and error analysis: tags, leases, gold items,
	 * adjudications, comments, model predictions. */
	"CREATE TABLE tags ("
	"  id INTEGER PRIMARY KEY,"
	"  item INTEGER NOT NULL REFERENCES items(id),"
	"  user TEXT NOT NULL,"
	"  tag TEXT NOT NULL,"
	"  removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),"
	"  created_at TEXT NOT NULL);\n"
	"CREATE INDEX tags_item ON tags(item, tag);\n"
	/* Leases are working state, not history: expired ones are deleted. */
	"CREATE TABLE leases ("
	"  item INTEGER NOT NULL REFERENCES items(id),"
	"  user TEXT NOT NULL,"
	"  expires_at REAL NOT NULL,"
	"  PRIMARY KEY (item, user));\n"
	"CREATE TABLE gold ("
	"  id INTEGER PRIMARY KEY,"
	"  item INTEGER NOT NULL REFERENCES items(id),"
	"  class INTEGER REFERENCES classes(id),"	/* NULL: removed */
	"  user TEXT NOT NULL,"
	"  created_at TEXT NOT NULL);\n"
	"CREATE INDEX gold_item ON gold(item, id);\n"
	"CREATE TABLE adjudications ("
	"  id INTEGER PRIMARY KEY,"
	"  item INTEGER NOT NULL REFERENCES items(id),"
	"  class INTEGER REFERENCES classes(id),"
	"  status TEXT NOT NULL CHECK (status IN ('class', 'ambiguous', 'relabel')),"
	"  user TEXT NOT NULL,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  guideline INTEGER NOT NULL REFERENCES guidelines(version),"
	"  created_at TEXT NOT NULL);\n"
	"CREATE INDEX adjudications_item ON adjudications(item, id);\n"
	"CREATE TABLE comments ("
	"  id INTEGER PRIMARY KEY,"
	"  item INTEGER NOT NULL REFERENCES items(id),"
	"  user TEXT NOT NULL,"
	"  text TEXT NOT NULL,"
	"  created_at TEXT NOT NULL);\n"
	"CREATE INDEX comments_item ON comments(item, id);\n"
	"CREATE TABLE prediction_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  file TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  imported_by TEXT NOT NULL,"
	"  imported_at TEXT NOT NULL);\n"
	"CREATE TABLE predictions ("
	"  run INTEGER NOT NULL REFERENCES prediction_runs(id),"
	"  item INTEGER NOT NULL REFERENCES items(id),"
	"  class INTEGER NOT NULL REFERENCES classes(id),"
	"  score REAL,"
	"  PRIMARY KEY (run, item));\n"
	APPEND_ONLY("gold")
	APPEND_ONLY("adjudications")
	APPEND_ONLY("comments")
	APPEND_ONLY("predictions"),

	/*
	 * 3: item_labelers, the number of labelers with a label in force on
	 * each item, kept by trigger, so the queue reads the few items that
	 * are open instead of walking every label row under the write lock
	 * (60 ms a take at 300k labels, tests/stress/labelers.sh notes in
	 * design.md).  Derived working state like leases: its rows change.
	 * A label row changes its item's count by whether it is in force
	 * (class not NULL) minus whether the row it supersedes was: the
	 * labeler's newest earlier row on the item.
	 */
	"CREATE TABLE item_labelers ("
	"  item INTEGER PRIMARY KEY REFERENCES items(id),"
	"  n INTEGER NOT NULL DEFAULT 0);\n"
	"CREATE INDEX item_labelers_n ON item_labelers(n, item);\n"
	"INSERT INTO item_labelers (item, n) SELECT i.id, (SELECT count(*)"
	"  FROM current_labels c WHERE c.item = i.id) FROM items i;\n"
	"CREATE TRIGGER item_labelers_item AFTER INSERT ON items BEGIN"
	"  INSERT INTO item_labelers (item, n) VALUES (NEW.id, 0); END;\n"
	"CREATE TRIGGER item_labelers_label AFTER INSERT ON labels BEGIN"
	"  UPDATE item_labelers SET n = n + (NEW.class IS NOT NULL) -"
	"    coalesce((" LABEL_NEWEST_ROW("class IS NOT NULL", "NEW.item",
	"NEW.labeler", " AND id < NEW.id") "), 0)"
	"  WHERE item = NEW.item; END;\n",

	/*
	 * 4: item_labels, every label row of an item in id order packed in
	 * one text value, appended to by trigger in the label's own
	 * transaction, so reading the ratings matrix (core/ratings_read.c)
	 * decodes one row per item instead of one per label: 200,000 rows of
	 * 13 MB against 900,000 of 63 MB on the agree benchmark's store.
	 * Derived, like item_labelers; `labels` stays the record.  The
	 * encoding is core/label_int.h's (LABEL_PACKED_SQL).
	 */
	"CREATE TABLE item_labels ("
	"  item INTEGER PRIMARY KEY REFERENCES items(id),"
	"  rows TEXT NOT NULL);\n"
	/* Row by row in id order (group_concat promises no order). */
	"INSERT INTO item_labels (item, rows) SELECT item, "
	LABEL_PACKED_SQL("") " FROM labels WHERE true ORDER BY id"
	"  ON CONFLICT (item) DO UPDATE SET rows = rows || excluded.rows;\n"
	"CREATE TRIGGER item_labels_label AFTER INSERT ON labels BEGIN"
	"  INSERT INTO item_labels (item, rows) VALUES (NEW.item, "
	LABEL_PACKED_SQL("NEW.") ")"
	"  ON CONFLICT (item) DO UPDATE SET rows = rows || excluded.rows;"
	"  END;\n",

	/*
	 * 5: the queue's order kept by the store, so a take costs a few index
	 * seeks whatever the size of the project (core/queue.c).  The queue
	 * hands out items nearer to k labelers first, then by id: within one
	 * level n, item_labelers_n (and item_labelers_batch for one batch)
	 * gives them in order.  A labeler skips the items they have a label
	 * in force on; labeler_levels counts those per level, so a level made
	 * only of their own items is passed over without reading it.
	 * queue_levels counts the items per level, labeler_rows each
	 * labeler's label rows (the gold rate's take number).  Every count is
	 * kept by trigger in the label's or item's own transaction; derived
	 * like item_labelers, checked by accord check.  An item's n moves by
	 * one per label row: the row's labeler (the item's newest row) joins
	 * or leaves the set in force, and everyone else in force moves with
	 * the item.
	 */
	"ALTER TABLE item_labelers ADD COLUMN batch INTEGER NOT NULL "
	"  DEFAULT 0;\n"
	"UPDATE item_labelers SET batch = (SELECT batch FROM items WHERE "
	"  id = item_labelers.item);\n"
	"CREATE INDEX item_labelers_batch ON item_labelers(batch, n, item);\n"
	"DROP TRIGGER item_labelers_item;\n"
	"CREATE TRIGGER item_labelers_item AFTER INSERT ON items BEGIN"
	"  INSERT INTO item_labelers (item, n, batch) VALUES (NEW.id, 0,"
	"  NEW.batch); END;\n"
	"CREATE TABLE queue_levels ("
	"  batch INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  items INTEGER NOT NULL,"
	"  PRIMARY KEY (batch, n)) WITHOUT ROWID;\n"
	"INSERT INTO queue_levels (batch, n, items) SELECT batch, n, count(*) "
	"  FROM item_labelers GROUP BY batch, n;\n"
	"CREATE TABLE labeler_levels ("
	"  labeler TEXT NOT NULL,"
	"  batch INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  items INTEGER NOT NULL,"
	"  PRIMARY KEY (labeler, batch, n)) WITHOUT ROWID;\n"
	"INSERT INTO labeler_levels (labeler, batch, n, items) SELECT "
	"  c.labeler, l.batch, l.n, count(*) FROM current_labels c JOIN "
	"  item_labelers l ON l.item = c.item GROUP BY 1, 2, 3;\n"
	"CREATE TABLE labeler_rows ("
	"  labeler TEXT PRIMARY KEY,"
	"  rows INTEGER NOT NULL) WITHOUT ROWID;\n"
	"INSERT INTO labeler_rows (labeler, rows) SELECT labeler, count(*) "
	"  FROM labels GROUP BY labeler;\n"
	"CREATE TRIGGER labeler_rows_label AFTER INSERT ON labels BEGIN"
	"  INSERT INTO labeler_rows (labeler, rows) VALUES (NEW.labeler, 1)"
	"  ON CONFLICT (labeler) DO UPDATE SET rows = rows + 1; END;\n"
	"CREATE TRIGGER queue_levels_item AFTER INSERT ON item_labelers BEGIN"
	"  INSERT INTO queue_levels (batch, n, items) VALUES (NEW.batch,"
	"  NEW.n, 1) ON CONFLICT (batch, n) DO UPDATE SET items = items + 1;"
	"  END;\n"
	"CREATE TRIGGER queue_levels_move AFTER UPDATE OF n ON item_labelers"
	"  WHEN OLD.n != NEW.n BEGIN"
	"  UPDATE queue_levels SET items = items - 1 WHERE batch = OLD.batch"
	"  AND n = OLD.n;"
	"  INSERT INTO queue_levels (batch, n, items) VALUES (NEW.batch,"
	"  NEW.n, 1) ON CONFLICT (batch, n) DO UPDATE SET items = items + 1;"
	LABELER_LEVELS_LEAVE_SQL
	LABELER_LEVELS_JOIN_SQL
	"  ON CONFLICT (labeler, batch, n) DO UPDATE SET items = items + 1;"
	"  END;\n",

	/*
	 * 6: media kept in the store (import --store-media), for labelers on
	 * hosts that cannot read the files' paths.  Content-addressed: one
	 * media_blobs row per SHA-256 (an item's sha256 finds it), however
	 * many items or paths have those bytes; the bytes in media_chunks,
	 * MEDIA_CHUNK_BYTES a row in order from part 0, so a file is
	 * written and read a chunk at a time on both stores.  A blob and its
	 * chunks are written in their item's transaction and never changed.
	 */
	"CREATE TABLE media_blobs ("
	"  sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),"
	"  bytes INTEGER NOT NULL CHECK (bytes >= 0),"
	"  parts INTEGER NOT NULL CHECK (parts >= 0),"
	"  stored_by TEXT NOT NULL,"
	"  stored_at TEXT NOT NULL);\n"
	"CREATE TABLE media_chunks ("
	"  sha256 TEXT NOT NULL REFERENCES media_blobs(sha256),"
	"  part INTEGER NOT NULL CHECK (part >= 0),"
	"  data BLOB NOT NULL,"
	"  PRIMARY KEY (sha256, part));\n"
	APPEND_ONLY("media_blobs")
	APPEND_ONLY("media_chunks"),

	/*
	 * 7: what the labeler saw, with the label: the image's zoom and the
	 * part of it shown, and the tone adjustments (core/image_view.c,
	 * image_view_text: "zoom=3 region=10,4,53,25 contrast=1.41").  NULL
	 * when the image was fitted and unadjusted, and for labels from
	 * before this version, from `labels import` and on audio.  Written
	 * with the row; rows are still never changed.
	 */
	"ALTER TABLE labels ADD COLUMN view TEXT;\n",
};

const char *
schema_migration(int v)
{
	if (v < 1 || (size_t)v > sizeof migrations / sizeof migrations[0])
		return NULL;
	return migrations[v - 1];
}

_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION,
    "STORE_SCHEMA_VERSION must equal the number of migrations");
