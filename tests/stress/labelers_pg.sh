# tests/stress/labelers.sh on a PostgreSQL store (STRESS_PG=1): 16
# labelers x 100 labels at once through accord.take; nothing lost,
# duplicated or past overlap k.  About 20 s with the sanitized binary, so
# it runs in `make test`.
STRESS_PG=1 exec sh "$(dirname "$0")/labelers.sh"
