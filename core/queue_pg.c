/*
 * queue_pg.c: the labeling queue on PostgreSQL (core/queue_pg.h): the
 * rules of core/queue.c and core/queue_gold.c in plpgsql, run by the
 * server with the project's rights, and the client's calls of them.
 *
 * Concurrency.  On SQLite a take chooses in a read transaction and claims
 * under the one write lock.  Here no take waits for another: every claim
 * locks the item's item_labelers row (FOR UPDATE), and a label's own
 * trigger updates that row (labels_derive), so a claim and a label on one
 * item are serialised by that row alone, in READ COMMITTED.  The level
 * scans skip rows another transaction holds (SKIP LOCKED), so labelers
 * who read the same head of a level take the next items instead of
 * queueing for one.  Holding the row, the claim asks the rule again about
 * that item with a fresh snapshot (each statement of a plpgsql function
 * has its own): a lease or label committed since the scan is seen, and
 * none can commit until this take does.  A take never blocks on a row
 * (two takes each holding a row the other wants would deadlock): when a
 * pass finds nothing, the levels are read once more without locking, and
 * if an item is there that was only locked (or a leased or sent-back one
 * was), the take sleeps a few milliseconds and tries again, for up to
 * about 5 s; so "nothing left" is never the answer while an open item is
 * merely held by a transaction of a moment.  Expired leases are deleted
 * by whichever take finds them unlocked first.
 *
 * The order is the SQLite queue's: items sent back for relabeling first,
 * then the levels from k - 1 down, a leased item at the level its leases
 * lift it to, lowest id first; gold on the takes the seeded hash picks,
 * with the same hash (splitmix64 over FNV-1a, unsigned 64-bit arithmetic
 * done modulo 2^64 in numeric), so the same labels give the same items on
 * both stores (tests/cmd/pg_queue.sh compares them).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accord/config.h"
#include "accord/queue.h"
#include "label_int.h"
#include "queue_int.h"
#include "queue_pg.h"
#include "schema_pg.h"
#include "store_pg.h"

/*
 * Every function's search_path, and generic plans for its statements: a
 * statement with parameters is otherwise planned again on each call for
 * as long as the planner expects a custom plan to be cheaper, which it
 * does for the level scans (16 labelers at once: take p99 33-53 ms, and
 * 26-27 ms with generic plans).
 */
#define FIXED	"SET search_path = accord, pg_catalog, pg_temp "	\
	"SET plan_cache_mode = force_generic_plan"
#define DEFINER	"SECURITY DEFINER " FIXED

/* The member's role check every function makes first, as lease_put. */
#define MEMBER_CHECK							\
	"  IF my_role() IS NULL THEN"					\
	"    RAISE EXCEPTION 'permission denied: % is not a member of this"	\
	" project', session_user USING ERRCODE = 'insufficient_privilege';"	\
	"  END IF;"
#define BATCH_CHECK							\
	"  IF b <> 0 THEN"						\
	"    IF b < 0 OR NOT EXISTS (SELECT 1 FROM batches WHERE id = b)"	\
	"    THEN"							\
	"      RAISE EXCEPTION 'no import batch %', b"			\
	"        USING ERRCODE = 'invalid_parameter_value';"		\
	"    END IF;"							\
	"  END IF;"
/* The overlap k, as project_setting_int reads it (at least 1), and the
 * gold items in force, ascending (queue.c load_gold): one statement. */
#define OVERLAP_K_GOLD							\
	"  SELECT greatest(coalesce((SELECT value FROM settings WHERE key ="	\
	"    'overlap' ORDER BY id DESC LIMIT 1)::integer, 1), 1),"	\
	"    ARRAY(SELECT g.item FROM gold g WHERE g.class IS NOT NULL"	\
	"    AND g.id = (SELECT max(h.id) FROM gold h WHERE h.item = g.item)"	\
	"    ORDER BY g.item) INTO k, gold;"
/* lv[t] and mn[t], t < k: items at level t in the batch, and the
 * caller's among them (queue.c load_counts). */
#define LEVELS								\
	"  lv := array_fill(0::bigint, ARRAY[k], ARRAY[0]);"		\
	"  mn := array_fill(0::bigint, ARRAY[k], ARRAY[0]);"		\
	"  FOR r IN SELECT q.n, sum(q.items) AS c FROM queue_levels q"	\
	"    WHERE b = 0 OR q.batch = b GROUP BY q.n LOOP"		\
	"    IF r.n >= 0 AND r.n < k THEN lv[r.n] := r.c; END IF;"	\
	"  END LOOP;"							\
	"  FOR r IN SELECT q.n, sum(q.items) AS c FROM labeler_levels q"	\
	"    WHERE q.labeler = me AND (b = 0 OR q.batch = b) GROUP BY q.n"	\
	"  LOOP"							\
	"    IF r.n >= 0 AND r.n < k THEN mn[r.n] := r.c; END IF;"	\
	"  END LOOP;"
/*
 * Whether who's newest row on item is in force: one seek down
 * labels_item, written into each query that asks (an SQL function with a
 * subquery in it is never inlined: as accord.q_in_force it was planned
 * again on every outer statement, 22 calls a take with 16 labelers).
 */
#define IN_FORCE(item, who)						\
	"coalesce((" LABEL_NEWEST_ROW("class IS NOT NULL", item, who, "")	\
	"), false)"
/*
 * Items sent back for relabeling, in the order they were (queue_gold.c
 * queue_relabel_open's first query); ex: excluded ids.  From the partial
 * index adjudications_relabel, the item's batch looked up per row: the
 * join with items as written for SQLite was planned as a pass over items
 * (0.8 ms a take at 400 items).
 */
#define RELABEL_ROWS(ex)						\
	"SELECT a.item, a.guideline FROM adjudications a"		\
	"    WHERE a.status = 'relabel' AND a.id = (SELECT max(c.id) FROM"	\
	"    adjudications c WHERE c.item = a.item) AND (b = 0 OR (SELECT"	\
	"    i.batch FROM items i WHERE i.id = a.item) = b) AND"	\
	"    a.item <> ALL (" ex ") ORDER BY a.id"

static const char queue_sql[] =
	/* The send-backs, in order, without reading other decisions. */
	"CREATE INDEX IF NOT EXISTS adjudications_relabel ON"
	"  accord.adjudications (id) WHERE status = 'relabel';\n"
	/*
	 * Unsigned 64-bit arithmetic on bigint's bits: x modulo 2^64 as
	 * the bigint with the same low 64 bits, and a logical shift right.
	 */
	"CREATE OR REPLACE FUNCTION accord.q_wrap(x numeric) RETURNS bigint"
	"  LANGUAGE plpgsql IMMUTABLE " FIXED " AS $f$"
	"  DECLARE m numeric := mod(x, 18446744073709551616); BEGIN"
	"  IF m < 0 THEN m := m + 18446744073709551616; END IF;"
	"  IF m >= 9223372036854775808 THEN m := m - 18446744073709551616;"
	"  END IF;"
	"  RETURN m::bigint; END $f$;\n"
	"CREATE OR REPLACE FUNCTION accord.q_shr(x bigint, s integer)"
	"  RETURNS bigint LANGUAGE sql IMMUTABLE " FIXED " AS $f$"
	"  SELECT (x >> s) & ((1::bigint << (64 - s)) - 1) $f$;\n"
	/* queue_gold.c's mix64 (splitmix64's finaliser), constants as
	 * signed bigints. */
	"CREATE OR REPLACE FUNCTION accord.q_mix64(p bigint) RETURNS bigint"
	"  LANGUAGE plpgsql IMMUTABLE " FIXED " AS $f$"
	"  DECLARE x bigint := q_wrap(p::numeric - 7046029254386353131);"
	"  BEGIN"
	"  x := q_wrap((x # q_shr(x, 30))::numeric * -4658895280553007687);"
	"  x := q_wrap((x # q_shr(x, 27))::numeric * -7723592293110705685);"
	"  RETURN x # q_shr(x, 31); END $f$;\n"
	/* queue_gold.c's user_uniform: FNV-1a of the name's bytes. */
	"CREATE OR REPLACE FUNCTION accord.q_uniform(p_seed bigint,"
	"  p_user text, p_n bigint) RETURNS double precision"
	"  LANGUAGE plpgsql IMMUTABLE " FIXED " AS $f$"
	"  DECLARE u bytea := convert_to(p_user, 'UTF8');"
	"  h bigint := -3750763034362895579; i integer; BEGIN"
	"  FOR i IN 0 .. length(u) - 1 LOOP"
	"    h := q_wrap((h # get_byte(u, i))::numeric * 1099511628211);"
	"  END LOOP;"
	"  h := q_mix64(h # q_mix64(p_seed));"
	"  RETURN q_shr(q_mix64(h # q_mix64(p_n)), 11)::double precision *"
	"    power(2::double precision, -53);"
	"  END $f$;\n"
	/* Made by earlier versions; IN_FORCE is written out instead. */
	"DROP FUNCTION IF EXISTS accord.q_in_force(bigint, text);\n"
	/*
	 * queue.c item_state: the item's level, whether it is in the batch
	 * (0: any), whether the caller has a label in force on it, and the
	 * slots taken counting other users' live leases (a holder in force
	 * there counted once).
	 */
	"CREATE OR REPLACE FUNCTION accord.q_state(p_item bigint, p_me text,"
	"  p_batch bigint, p_now double precision, OUT s_n integer,"
	"  OUT s_in_batch boolean, OUT s_mine boolean, OUT s_taken integer)"
	"  LANGUAGE plpgsql STABLE " FIXED " AS $f$ BEGIN"
	"  SELECT il.n, p_batch = 0 OR il.batch = p_batch, il.n > 0 AND "
	IN_FORCE("p_item", "p_me") ","
	"    il.n + (SELECT count(*) FROM leases s"
	"    WHERE s.item = p_item AND s.\"user\" <> p_me"
	"    AND s.expires_at > p_now"
	"    AND (il.n = 0 OR NOT " IN_FORCE("p_item", "s.\"user\"") "))"
	"    INTO s_n, s_in_batch, s_mine, s_taken"
	"    FROM item_labelers il WHERE il.item = p_item;"
	"  IF NOT FOUND THEN"
	"    s_n := 0; s_in_batch := false; s_mine := false;"
	"    SELECT count(*) INTO s_taken FROM leases s"
	"      WHERE s.item = p_item AND s.\"user\" <> p_me"
	"      AND s.expires_at > p_now;"
	"  END IF;"
	"  END $f$;\n"
	/*
	 * queue_gold.c queue_relabel_open for one item sent back under
	 * version p_v: the caller has no label in force made under p_v or
	 * later, and fewer than k labelers have, counting other users' live
	 * leases (unless that user already has such a label).
	 */
	"CREATE OR REPLACE FUNCTION accord.q_relabel_ok(p_item bigint,"
	"  p_v bigint, p_me text, p_k integer, p_now double precision)"
	"  RETURNS boolean LANGUAGE plpgsql STABLE " FIXED " AS $f$"
	"  DECLARE have bigint; mine bigint; held bigint; BEGIN"
	"  SELECT count(*), count(*) FILTER (WHERE c.labeler = p_me)"
	"    INTO have, mine FROM current_labels c"
	"    WHERE c.item = p_item AND c.guideline >= p_v;"
	"  IF mine > 0 OR have >= p_k THEN RETURN false; END IF;"
	"  SELECT count(*) INTO held FROM leases s WHERE s.item = p_item"
	"    AND s.\"user\" <> p_me AND s.expires_at > p_now"
	"    AND s.\"user\" NOT IN (SELECT c.labeler FROM current_labels c"
	"    WHERE c.item = p_item AND c.guideline >= p_v);"
	"  RETURN have + held < p_k; END $f$;\n"
	/* Lock the item's queue row unless another transaction holds it. */
	"CREATE OR REPLACE FUNCTION accord.q_lock(p_item bigint)"
	"  RETURNS boolean LANGUAGE plpgsql " FIXED " AS $f$ BEGIN"
	"  PERFORM 1 FROM item_labelers WHERE item = p_item"
	"    FOR UPDATE SKIP LOCKED;"
	"  RETURN FOUND; END $f$;\n"
	/*
	 * queue.c level_first, locking what it returns: the first item of
	 * level p_t in the batch with an id below p_below, not in p_not
	 * (others' leased items, exclusions, gold, items refused before),
	 * not the caller's own; rows another transaction holds are skipped
	 * (or, p_peek, the first one whether locked or not, unlocked).  A seek down item_labelers_n (or _batch)
	 * and a step per item passed over.  0 if none.  Four plain queries,
	 * so that each keeps its cached plan.
	 */
	"CREATE OR REPLACE FUNCTION accord.q_level(p_t integer,"
	"  p_batch bigint, p_below bigint, p_me text, p_not bigint[],"
	"  p_peek boolean) RETURNS bigint"
	"  LANGUAGE plpgsql " FIXED " AS $f$ DECLARE x bigint; BEGIN"
	"  IF p_batch = 0 AND NOT p_peek THEN"
	"    SELECT il.item INTO x FROM item_labelers il WHERE il.n = p_t"
	"      AND il.item < p_below AND il.item <> ALL (p_not)"
	"      AND (p_t = 0 OR NOT " IN_FORCE("il.item", "p_me") ")"
	"      ORDER BY il.item LIMIT 1 FOR UPDATE OF il SKIP LOCKED;"
	"  ELSIF p_batch = 0 THEN"
	"    SELECT il.item INTO x FROM item_labelers il WHERE il.n = p_t"
	"      AND il.item < p_below AND il.item <> ALL (p_not)"
	"      AND (p_t = 0 OR NOT " IN_FORCE("il.item", "p_me") ")"
	"      ORDER BY il.item LIMIT 1;"
	"  ELSIF NOT p_peek THEN"
	"    SELECT il.item INTO x FROM item_labelers il WHERE"
	"      il.batch = p_batch AND il.n = p_t"
	"      AND il.item < p_below AND il.item <> ALL (p_not)"
	"      AND (p_t = 0 OR NOT " IN_FORCE("il.item", "p_me") ")"
	"      ORDER BY il.item LIMIT 1 FOR UPDATE OF il SKIP LOCKED;"
	"  ELSE"
	"    SELECT il.item INTO x FROM item_labelers il WHERE"
	"      il.batch = p_batch AND il.n = p_t"
	"      AND il.item < p_below AND il.item <> ALL (p_not)"
	"      AND (p_t = 0 OR NOT " IN_FORCE("il.item", "p_me") ")"
	"      ORDER BY il.item LIMIT 1;"
	"  END IF;"
	"  RETURN coalesce(x, 0); END $f$;\n"

	/*
	 * The take.  A pass chooses as queue.c queue_next does, locking the
	 * item it chooses, and asks the rule again holding it; an item
	 * refused then is left out of the next pass.  busy: leased items
	 * found locked, left out of the pass; naps: the passes that found
	 * only locked items.
	 */
	"CREATE OR REPLACE FUNCTION accord.take(p_batch bigint,"
	"  p_exclude bigint[], p_lease_seconds double precision)"
	"  RETURNS bigint LANGUAGE plpgsql " DEFINER " AS $f$"
	"  DECLARE me text := session_user; b bigint := coalesce(p_batch, 0);"
	"  ex bigint[] := coalesce(p_exclude, '{}'); skip bigint[] := '{}';"
	"  busy bigint[] := '{}'; held bigint[]; gold bigint[];"
	"  lv bigint[]; mn bigint[]; now double precision; k integer;"
	"  naps integer := 0; tries integer := 0; it bigint; kind integer;"
	"  x bigint; leased bigint; lt integer; t integer; s record; r record;"
	"  rate double precision; seed bigint; gi bigint;"
	"  best double precision; hv double precision; BEGIN"
	MEMBER_CHECK
	"  IF p_lease_seconds IS NULL OR NOT (p_lease_seconds > 0 AND"
	"    p_lease_seconds <= 3600) THEN"
	"    RAISE EXCEPTION 'a lease lasts 0 to 3600 s, not %', p_lease_seconds"
	"      USING ERRCODE = 'invalid_parameter_value';"
	"  END IF;"
	BATCH_CHECK
	"  now := lease_now();"
	"  WITH gone AS (DELETE FROM leases WHERE ctid = ANY (ARRAY(SELECT"
	"    ctid FROM leases WHERE expires_at <= now FOR UPDATE SKIP LOCKED))"
	"    RETURNING 1)"
	"  SELECT count(*) INTO x FROM leases WHERE \"user\" = me"
	"    AND expires_at > now;"
	"  IF x >= 64 THEN"
	"    RAISE EXCEPTION '% holds 64 leases, the most one may hold', me"
	"      USING ERRCODE = 'program_limit_exceeded';"
	"  END IF;"
	OVERLAP_K_GOLD
	"  <<choose>> LOOP"
	"    tries := tries + 1;"
	"    IF tries > 100000 THEN"
	"      RAISE EXCEPTION 'the queue could claim no item in % passes',"
	"        tries - 1;"
	"    END IF;"
	"    it := 0; kind := 0;"
	"    FOR r IN " RELABEL_ROWS("ex || skip") " LOOP"
	"      CONTINUE WHEN NOT q_relabel_ok(r.item, r.guideline, me, k, now);"
	"      IF NOT q_lock(r.item) THEN busy := busy || r.item;"
	"        CONTINUE; END IF;"
	"      IF q_relabel_ok(r.item, r.guideline, me, k, now) THEN"
	"        it := r.item; kind := 1; EXIT;"
	"      END IF;"
	"      skip := skip || r.item;"
	"    END LOOP;"
	"    IF it = 0 THEN"
	/* The best leased item: the highest level its leases lift it to. */
	"      SELECT o.held, hb.item, hb.taken INTO held, leased, lt FROM"
	"        (SELECT ARRAY(SELECT DISTINCT l.item FROM leases l"
	"        WHERE l.\"user\" <> me AND l.expires_at > now ORDER BY 1) AS held)"
	"        o LEFT JOIN LATERAL (SELECT h.item, h.taken FROM (SELECT il.item,"
	"        il.n + (SELECT count(*) FROM leases ls WHERE ls.item = il.item"
	"        AND ls.\"user\" <> me AND ls.expires_at > now AND (il.n = 0 OR"
	"        NOT " IN_FORCE("il.item", "ls.\"user\"") ")) AS taken"
	"        FROM item_labelers il WHERE il.item = ANY (o.held)"
	"        AND (b = 0 OR il.batch = b)"
	"        AND il.item <> ALL (ex || skip || busy || gold)"
	"        AND NOT (il.n > 0 AND " IN_FORCE("il.item", "me") ")) h"
	"        WHERE h.taken < k ORDER BY h.taken DESC, h.item LIMIT 1) hb"
	"        ON true;"
	"      IF leased IS NULL THEN lt := -1; leased := 0; END IF;"
	LEVELS
	"      FOR t IN REVERSE k - 1 .. greatest(lt, 0) LOOP"
	"        x := 0;"
	"        IF lv[t] > 0 AND NOT (t > 0 AND mn[t] >= lv[t]) THEN"
	"          x := q_level(t, b, CASE WHEN t = lt THEN leased"
	"            ELSE 9223372036854775807 END, me,"
	"            held || ex || skip || gold, false);"
	"        END IF;"
	"        IF x <> 0 THEN it := x; EXIT; END IF;"
	"        IF t = lt THEN"
	"          IF NOT q_lock(leased) THEN busy := busy || leased;"
	"            CONTINUE choose; END IF;"
	"          it := leased; EXIT;"
	"        END IF;"
	"      END LOOP;"
	"      IF it = 0 THEN"
	/* Nothing unlocked: anything at all, locked for a moment? */
	"        x := 0;"
	"        FOR t IN REVERSE k - 1 .. 0 LOOP"
	"          EXIT WHEN x <> 0;"
	"          IF lv[t] > 0 AND NOT (t > 0 AND mn[t] >= lv[t]) THEN"
	"            x := q_level(t, b, 9223372036854775807, me,"
	"              held || ex || skip || gold, true);"
	"          END IF;"
	"        END LOOP;"
	"        EXIT choose WHEN x = 0 AND cardinality(busy) = 0;"
	"        naps := naps + 1;"
	"        IF naps > 100 THEN"
	"          RAISE EXCEPTION 'the open items stayed locked by other"
	" transactions for 5 s' USING ERRCODE = 'lock_not_available';"
	"        END IF;"
	"        PERFORM pg_sleep(0.001 * least(naps * 5, 50));"
	"        busy := '{}'; CONTINUE choose;"
	"      END IF;"
	"      s := q_state(it, me, b, now);"
	"      IF NOT (s.s_in_batch AND NOT s.s_mine AND s.s_taken < k) THEN"
	"        skip := skip || it; CONTINUE choose;"
	"      END IF;"
	"      kind := 2;"
	"    END IF;"
	"    EXIT choose;"
	"  END LOOP;"
	/* Gold, in place of an item of the overlap rule (queue_gold.c). */
	"  IF kind = 2 AND cardinality(gold) > 0 THEN"
	"    rate := coalesce((SELECT value FROM settings WHERE key ="
	"      'gold-rate' ORDER BY id DESC LIMIT 1), '"
	CONFIG_GOLD_RATE_DEFAULT "')::double precision;"
	"    seed := coalesce((SELECT value FROM settings WHERE key ="
	"      'gold-seed' ORDER BY id DESC LIMIT 1), '"
	CONFIG_GOLD_SEED_DEFAULT "')::bigint;"
	"    IF rate > 0 AND q_uniform(seed, me, coalesce((SELECT lr.rows"
	"      FROM labeler_rows lr WHERE lr.labeler = me), 0) + (SELECT"
	"      count(*) FROM leases WHERE \"user\" = me AND expires_at > now))"
	"      < rate THEN"
	"      gi := 0; best := 2;"
	"      FOREACH x IN ARRAY gold LOOP"
	"        CONTINUE WHEN x = ANY (ex) OR EXISTS (SELECT 1 FROM labels"
	"          WHERE item = x AND labeler = me) OR (b <> 0 AND"
	"          (SELECT batch FROM items WHERE id = x) <> b);"
	"        hv := q_uniform(0, me, x);"
	"        IF hv < best THEN best := hv; gi := x; END IF;"
	"      END LOOP;"
	"      IF gi <> 0 AND q_lock(gi) AND NOT EXISTS (SELECT 1 FROM"
	"        labels WHERE item = gi AND labeler = me) THEN"
	"        it := gi; kind := 3;"
	"      END IF;"
	"    END IF;"
	"  END IF;"
	"  IF it <> 0 THEN"
	"    INSERT INTO leases (item, \"user\", expires_at) VALUES (it, me,"
	"      lease_now() + p_lease_seconds) ON CONFLICT (item, \"user\")"
	"      DO UPDATE SET expires_at = excluded.expires_at;"
	"  END IF;"
	"  RETURN it; END $f$;\n"

	/* queue.c queue_progress and count_remaining. */
	"CREATE OR REPLACE FUNCTION accord.progress(p_batch bigint)"
	"  RETURNS TABLE (done bigint, remaining bigint)"
	"  LANGUAGE plpgsql " DEFINER " AS $f$"
	"  DECLARE me text := session_user; b bigint := coalesce(p_batch, 0);"
	"  now double precision; k integer; gold bigint[]; lv bigint[];"
	"  mn bigint[]; x bigint; t integer; s record; r record; BEGIN"
	MEMBER_CHECK
	BATCH_CHECK
	"  now := lease_now();"
	OVERLAP_K_GOLD
	LEVELS
	"  done := coalesce((SELECT sum(q.items) FROM labeler_levels q"
	"    WHERE q.labeler = me AND (b = 0 OR q.batch = b)), 0);"
	"  remaining := 0;"
	"  FOR t IN 0 .. k - 1 LOOP remaining := remaining + lv[t] - mn[t];"
	"  END LOOP;"
	/* Leased and gold items the level counts count but the rule does
	 * not offer; each judged once. */
	"  FOR x IN SELECT l.item FROM leases l WHERE l.\"user\" <> me AND"
	"    l.expires_at > now UNION SELECT unnest(gold) LOOP"
	"    s := q_state(x, me, b, now);"
	"    IF s.s_in_batch AND s.s_n < k AND NOT s.s_mine AND"
	"      (s.s_taken >= k OR x = ANY (gold)) THEN"
	"      remaining := remaining - 1;"
	"    END IF;"
	"  END LOOP;"
	/* Items sent back to the caller that the counts leave out. */
	"  FOR r IN " RELABEL_ROWS("'{}'::bigint[]") " LOOP"
	"    CONTINUE WHEN NOT q_relabel_ok(r.item, r.guideline, me, k, now);"
	"    s := q_state(r.item, me, b, now);"
	"    IF NOT (s.s_in_batch AND NOT s.s_mine AND s.s_taken < k AND"
	"      r.item <> ALL (gold)) THEN remaining := remaining + 1; END IF;"
	"  END LOOP;"
	"  RETURN NEXT; END $f$;\n";

/* The functions a member may execute; the others are the owner's. */
static const char *const queue_pg_public[] = {
	"accord.take(bigint, bigint[], double precision)",
	"accord.progress(bigint)",
};
static const char *const queue_pg_private[] = {
	"accord.q_wrap(numeric)",
	"accord.q_shr(bigint, integer)",
	"accord.q_mix64(bigint)",
	"accord.q_uniform(bigint, text, bigint)",
	"accord.q_state(bigint, text, bigint, double precision)",
	"accord.q_relabel_ok(bigint, bigint, text, integer, double precision)",
	"accord.q_lock(bigint)",
	"accord.q_level(integer, bigint, bigint, text, bigint[], boolean)",
};

char *
queue_pg_sql(const char *prefix, char **cause)
{
	struct buf b = { 0 };
	char *member;
	size_t i;

	if ((member = schema_pg_role(prefix, "member", cause)) == NULL)
		return NULL;
	buf_puts(&b, queue_sql);
	for (i = 0; i < sizeof queue_pg_private / sizeof *queue_pg_private;
	    i++)
		buf_printf(&b, "REVOKE ALL ON FUNCTION %s FROM PUBLIC, %s;\n",
		    queue_pg_private[i], member);
	for (i = 0; i < sizeof queue_pg_public / sizeof *queue_pg_public;
	    i++)
		buf_printf(&b, "REVOKE ALL ON FUNCTION %s FROM PUBLIC;\n"
		    "GRANT EXECUTE ON FUNCTION %s TO %s;\n",
		    queue_pg_public[i], queue_pg_public[i], member);
	free(member);
	return b.s;
}

int
queue_pg_install(struct store *st, const char *prefix, char **cause)
{
	char *sql = queue_pg_sql(prefix, cause);
	int r;

	if (sql == NULL)
		return -1;
	r = sql_exec(st, sql, cause);
	free(sql);
	return r;
}

/* The exclusions as an array literal, "{1,2,3}". */
static char *
id_array(const long long *ex, size_t nex)
{
	struct buf b = { 0 };
	size_t i;

	buf_puts(&b, "{");
	for (i = 0; i < nex; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", ex[i]);
	buf_puts(&b, "}");
	return b.s;
}

/*
 * The take and the item it gives, in one statement: accord.take runs once
 * (a function in FROM is a scan evaluated once), and the item's row and
 * metadata in force join it.  The join reads with the statement's
 * snapshot, taken before take ran: an item committed in between is not
 * there yet, and is read again after (queue_item_read).
 */
int
queue_pg_take(struct store *st, long long batch, const long long *ex,
    size_t nex, struct queue_item *out, char **cause)
{
	struct sql_stmt *s;
	char *arr = id_array(ex, nex), *q;
	long long item = 0;
	int rc, r;

	memset(out, 0, sizeof *out);
	q = xasprintf("SELECT t.it, i.path, i.sha256, i.kind, m.key, %s "
	    "FROM accord.take(?1, CAST(?2 AS bigint[]), ?3) AS t(it) "
	    "LEFT JOIN items i ON i.id = t.it "
	    "LEFT JOIN current_meta m ON m.item = i.id ORDER BY m.key",
	    sql_meta_value(st));
	r = sql_prepare(st, q, &s, cause);
	free(q);
	if (r != 0) {
		free(arr);
		return -1;
	}
	sql_bind_int(s, 1, batch);
	sql_bind_text(s, 2, arr);
	sql_bind_double(s, 3, QUEUE_LEASE_SECONDS);
	while ((rc = sql_step(s)) == SQL_ROW) {
		if (item == 0) {
			item = sql_col_int64(s, 0);
			if (item == 0 || sql_col_type(s, 1) == SQL_COL_NULL)
				continue;
			out->id = item;
			out->path = xstrdup(sql_text(s, 1));
			out->sha256 = xstrdup(sql_text(s, 2));
			out->kind = xstrdup(sql_text(s, 3));
		}
		if (out->id != 0 && sql_col_type(s, 4) != SQL_COL_NULL)
			queue_item_meta_add(out, s, 4);
	}
	sql_finalize(st, s);
	free(arr);
	if (rc != SQL_DONE) {
		queue_item_free(out);
		return sql_fail(st, cause, "cannot take an item");
	}
	if (item != 0 && out->id == 0 &&
	    queue_item_read(st, item, out, cause) != 0) {
		char *why = NULL;

		queue_pg_lease(st, item, 0, &why);
		free(why);
		return -1;
	}
	return item != 0;
}

int
queue_pg_progress(struct store *st, long long batch, long long *done,
    long long *remaining, char **cause)
{
	struct sql_stmt *s;
	int rc;

	*done = *remaining = 0;
	if (sql_prepare(st, "SELECT done, remaining FROM accord.progress(?1)",
	    &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, batch);
	rc = sql_step(s);
	if (rc == SQL_ROW) {
		*done = sql_col_int64(s, 0);
		*remaining = sql_col_int64(s, 1);
	}
	sql_finalize(st, s);
	if (rc != SQL_ROW)
		return sql_fail(st, cause, "cannot read the queue");
	return 0;
}

int
queue_pg_lease(struct store *st, long long item, int renew, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, renew ? "SELECT accord.lease_put(?1, ?2)" :
	    "SELECT accord.lease_drop(?1)", &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, item);
	if (renew)
		sql_bind_double(s, 2, QUEUE_LEASE_SECONDS);
	rc = sql_step(s);
	sql_finalize(st, s);
	if (rc != SQL_ROW)
		return sql_fail(st, cause, renew ? "cannot renew the lease" :
		    "cannot release the lease");
	return 0;
}

int
queue_pg_label(struct store *st, long long *item, int class_id,
    const char *note, double seconds, const char *created_at,
    const char *view, long long *label_id, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (label_id != NULL)
		*label_id = 0;
	if (sql_prepare(st, "SELECT label_id, label_item FROM "
	    "accord.label_put(?1, ?2, ?3, ?4, ?5, ?6)", &s, cause) != 0)
		return -1;
	if (*item > 0)
		sql_bind_int(s, 1, *item);
	else
		sql_bind_null(s, 1);
	if (class_id > 0)
		sql_bind_int(s, 2, class_id);
	else
		sql_bind_null(s, 2);
	sql_bind_text(s, 3, note != NULL ? note : "");
	if (seconds >= 0 && isfinite(seconds))
		sql_bind_double(s, 4, seconds);
	else
		sql_bind_null(s, 4);
	sql_bind_text(s, 5, created_at);
	if (view != NULL)
		sql_bind_text(s, 6, view);
	else
		sql_bind_null(s, 6);
	rc = pg_step_flushed(s);
	if (rc == SQL_ROW) {
		*item = sql_col_type(s, 1) == SQL_COL_NULL ? 0 :
		    sql_col_int64(s, 1);
		if (label_id != NULL && sql_col_type(s, 0) != SQL_COL_NULL)
			*label_id = sql_col_int64(s, 0);
	}
	sql_finalize(st, s);
	if (rc != SQL_ROW)
		return acc_error(cause, "%s", sql_errmsg(st));
	return 0;
}
