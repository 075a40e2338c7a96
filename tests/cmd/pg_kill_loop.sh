# tests/cmd/kill_loop.sh on a PostgreSQL store (KILL_PG=1): labelers and
# an SME killed with SIGKILL at seeded moments, every reported label and
# decision kept, the derived state whole, the project finished.  About
# 45 s with the sanitized binary, so it runs in `make test`.
KILL_PG=1 exec sh "$(dirname "$0")/kill_loop.sh"
