-- What an Idle check-in reads of an enrolment (its certificate, whether anything is
-- queued) may be kept in memory (ios/storage): a queued command and a new certificate
-- association are changes every replica must hear of (see the core's cache_changes).
{{if .Postgres}}
-- A command for 100,000 phones is one statement per 1,000 of them: one trigger call each.
CREATE FUNCTION ios_queue_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cache_changes (key) SELECT 'enrolment:' || id FROM queued;
    RETURN NULL;
END
$$;
CREATE TRIGGER ios_queue_cache_insert AFTER INSERT ON ios_queue REFERENCING NEW TABLE AS queued
    FOR EACH STATEMENT EXECUTE FUNCTION ios_queue_cache_change();
CREATE TRIGGER ios_cert_auth_cache_insert AFTER INSERT OR UPDATE ON ios_cert_auth
    FOR EACH ROW EXECUTE FUNCTION cache_change('enrolment');
{{else}}
CREATE TRIGGER ios_queue_cache_insert AFTER INSERT ON ios_queue BEGIN
    INSERT INTO cache_changes (key) VALUES ('enrolment:' || NEW.id);
END;
CREATE TRIGGER ios_cert_auth_cache_insert AFTER INSERT ON ios_cert_auth BEGIN
    INSERT INTO cache_changes (key) VALUES ('enrolment:' || NEW.id);
END;
CREATE TRIGGER ios_cert_auth_cache_update AFTER UPDATE ON ios_cert_auth BEGIN
    INSERT INTO cache_changes (key) VALUES ('enrolment:' || NEW.id);
END;
{{end}}
