-- 网上投诉代理工作平台: what the application's database role may do on PostgreSQL.
--
-- 等保 (安全审计): the running platform must not be able to empty, drop or rewrite its own
-- audit log. So two roles (README, "The audit log"):
--
--   owner  e.g. xinfang_owner. Owns the database and every table. Used only to run
--          `xinfang migrate`; its password is not on the application's server config.
--   app    e.g. xinfang. The running platform (serve, remind, backup, keys). Reads and writes
--          the ordinary tables. On the audit tables (audit_*) only SELECT and INSERT: no
--          UPDATE, DELETE or TRUNCATE, and as it owns nothing, no DROP or ALTER either (so it
--          cannot switch the audit triggers off).
--
-- Create the roles and the database once, as a superuser:
--   sudo -u postgres createuser --pwprompt xinfang_owner
--   sudo -u postgres createuser --pwprompt xinfang
--   sudo -u postgres createdb --owner xinfang_owner xinfang
-- then migrate as the owner:
--   DATABASE_URL=postgres://xinfang_owner:…@127.0.0.1:5432/xinfang xinfang migrate
-- then run this file, connected to the platform's database as the owner or a superuser:
--   sudo -u postgres psql -d xinfang -v owner=xinfang_owner -v app=xinfang \
--        -v ON_ERROR_STOP=1 -f deploy/postgresql-roles.sql
-- Run it again after every `xinfang migrate` (new tables); every statement may run twice.
-- The platform itself runs with DATABASE_URL=postgres://xinfang:…@127.0.0.1:5432/xinfang.

-- Only the owner creates objects; the application uses them.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO :"owner";
GRANT USAGE ON SCHEMA public TO :"app";

-- Ordinary tables: read and write. Sequences: take the next number.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
-- Tables a later migration creates get the same, without waiting for this file.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";

-- The audit tables, every table named audit_* (the log, its anchors, and any later one):
-- SELECT and INSERT only, for the application and for everyone else who is not the owner.
SET xinfang.app_role = :'app';
DO $$
DECLARE
    audit_table text;
BEGIN
    FOR audit_table IN
        SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'audit\_%'
    LOOP
        EXECUTE format('REVOKE ALL ON public.%I FROM PUBLIC', audit_table);
        EXECUTE format(
            'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON public.%I FROM %I',
            audit_table, current_setting('xinfang.app_role'));
        EXECUTE format('GRANT SELECT, INSERT ON public.%I TO %I',
            audit_table, current_setting('xinfang.app_role'));
    END LOOP;
END
$$;
RESET xinfang.app_role;
