#!/bin/sh
# Herald's own database role and database, made once by the postgres image on the first start
# of an empty data volume (/docker-entrypoint-initdb.d, run as the superuser). Herald connects
# as this role: it owns its database and the schema its tables live in (public), so its
# migrations run, but it is no superuser: it cannot create roles or databases, read other
# databases, or run programs on the server. Also runnable by hand (psql honours PGHOST etc.):
#   POSTGRES_USER=postgres POSTGRES_DB=postgres HERALD_DB_PASSWORD=... sh 10-herald-role.sh
set -e
: "${HERALD_DB_PASSWORD:?set HERALD_DB_PASSWORD: the password of Herald's database role}"

# psql variables (:"name" quotes an identifier, :'name' a literal): no value is spliced into SQL.
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  -v role="${HERALD_DB_USER:-herald}" -v db="${HERALD_DB_NAME:-herald}" \
  -v password="$HERALD_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password'
  NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE :"db" OWNER :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
\connect :"db"
ALTER SCHEMA public OWNER TO :"role";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
