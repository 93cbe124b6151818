#!/bin/sh
# Bring the schema up to date, then run the given command (the server by default).
set -e
roundtable migrate
exec "$@"
