-- The folded text a search looks in (store.searchEmployees), kept beside each employee on
-- PostgreSQL, with the trigram index on it instead of on the expression of migration
-- 00098. The index finds the candidates by their trigrams in about a millisecond; each
-- candidate is then checked against the term, and with the index on the expression that
-- check folded the address and name again (translate over the table of accents, about 35
-- microseconds a row): 46 of the 65 ms of a search for "0456" over 1,000,000 employees
-- (EXPLAIN ANALYZE, docs/benchmarks.md). Kept, the check is a plain LIKE. Adding the column
-- rewrites the table once, under a lock that holds off writes to it (about two minutes for
-- 1,000,000 employees on a busy two-core machine); the old index goes first, so that the
-- rewrite does not fold everything for it again.
--
-- SQLite searches its FTS5 trigram table (migration 00098), which has no such check to
-- make; nothing changes there.
{{- if .Postgres}}
DROP INDEX employees_search_trgm;
ALTER TABLE employees ADD COLUMN search_text TEXT
    GENERATED ALWAYS AS (trennwand_search_fold(email || ' ' || name)) STORED;
CREATE INDEX employees_search_text_trgm ON employees USING gin (search_text gin_trgm_ops);
{{- else}}
SELECT 1;
{{- end}}
