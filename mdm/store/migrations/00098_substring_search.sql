-- Search for any part of an employee's e-mail address or name (store.searchEmployees),
-- answered from an index of trigrams, ignoring case and accents: "mül", "MUL" and "ller"
-- all find "Jürgen Müller". Terms of one or two characters are too short for trigrams and
-- keep matching the start of the address or name (migration 00082's indexes).
{{- if .Postgres}}
--
-- PostgreSQL: the pg_trgm extension, which Debian's postgresql package ships. It is a
-- trusted extension (PostgreSQL 13 and later), so the database's owner or any role with
-- CREATE on the database may create it; no superuser is needed. Where it is refused
-- anyway, a superuser runs `CREATE EXTENSION pg_trgm;` in trennwand's database once and
-- trennwand is started again (docs/deployment.md).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The folded text a search looks in: lower case, without the accents of the Latin letters
-- that names in the administrations' registers carry (what SQLite's trigram tokenizer
-- removes with remove_diacritics), so that both databases find the same employees.
-- store.foldSearch folds the search term the same way.
CREATE FUNCTION trennwand_search_fold(t TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(translate(t,
        'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöøùúûüýÿĀāĂăĄąĆćČčĎďĒēĘęĚěĞğĪīİıŁłŃńŇňŌōŐőŒœŘřŚśŞşŠšŢţŤťŪūŮůŰűŸŹźŻżŽž',
        'AAAAAACEEEEIIIINOOOOOOUUUUYaaaaaaceeeeiiiinoooooouuuuyyAaAaAaCcCcDdEeEeEeGgIiIiLlNnNnOoOoOoRrSsSsSsTtTtUuUuUuYZzZzZz')) $$;

CREATE INDEX employees_search_trgm ON employees
    USING gin (trennwand_search_fold(email || ' ' || name) gin_trgm_ops);
{{- else}}
--
-- SQLite: an FTS5 table with the trigram tokenizer. Its documents are numbered by
-- employee_search_docs, whose explicit INTEGER PRIMARY KEY keeps the numbers stable
-- through VACUUM (an employee's own rowid is not); triggers keep both in step with
-- employees.
CREATE TABLE employee_search_docs (
    doc         INTEGER PRIMARY KEY,
    employee_id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE employee_search USING fts5 (
    body, content = '', contentless_delete = 1, tokenize = 'trigram remove_diacritics 1'
);
INSERT INTO employee_search_docs (employee_id) SELECT id FROM employees ORDER BY created_at, id;
INSERT INTO employee_search (rowid, body)
    SELECT d.doc, e.email || ' ' || e.name FROM employee_search_docs d JOIN employees e ON e.id = d.employee_id;

CREATE TRIGGER employees_search_insert AFTER INSERT ON employees BEGIN
    INSERT INTO employee_search_docs (employee_id) VALUES (new.id);
    INSERT INTO employee_search (rowid, body)
        VALUES ((SELECT doc FROM employee_search_docs WHERE employee_id = new.id), new.email || ' ' || new.name);
END;
CREATE TRIGGER employees_search_update AFTER UPDATE OF email, name ON employees BEGIN
    DELETE FROM employee_search WHERE rowid = (SELECT doc FROM employee_search_docs WHERE employee_id = old.id);
    INSERT INTO employee_search (rowid, body)
        VALUES ((SELECT doc FROM employee_search_docs WHERE employee_id = old.id), new.email || ' ' || new.name);
END;
CREATE TRIGGER employees_search_delete AFTER DELETE ON employees BEGIN
    DELETE FROM employee_search WHERE rowid = (SELECT doc FROM employee_search_docs WHERE employee_id = old.id);
    DELETE FROM employee_search_docs WHERE employee_id = old.id;
END;
{{- end}}
