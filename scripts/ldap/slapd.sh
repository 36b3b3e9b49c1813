# scripts/ldap/slapd.sh — sourced by scripts/test: starts a throw-away OpenLDAP server
# (Debian's slapd) on free ports of 127.0.0.1 with the test directory of tree.sh, and
# exports TRENNWAND_TEST_LDAP (its ldap:// URL, which also offers StartTLS),
# TRENNWAND_TEST_LDAPS (its ldaps:// URL) and TRENNWAND_TEST_LDAP_CA (the PEM file of the
# throw-away CA that issued its certificate, for 127.0.0.1) for the directory's tests. The server
# binds the service account cn=sync,ou=service,dc=musterstadt,dc=example (password
# sync-secret), which may read everything but gets at most 500 entries per search unless
# it pages; cn=admin,dc=musterstadt,dc=example (password admin-secret) may change the
# tree. stop_slapd stops it and removes its directory.

LDAP_TMP=""
readonly FIRST_LDAP_PORT=56389

ensure_slapd() {
	if [[ -x /usr/sbin/slapd ]] && command -v slapadd >/dev/null 2>&1; then
		return 0
	fi
	if is_root && command -v apt-get >/dev/null 2>&1; then
		log "slapd not found; installing packages 'slapd' and 'ldap-utils' with apt-get for the directory tests"
		apt-get update
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slapd ldap-utils
		return 0
	fi
	log "slapd not found: the directory's LDAP tests will be skipped (install Debian's 'slapd')"
	return 1
}

start_slapd() {
	ensure_slapd || return 0
	local here
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	LDAP_TMP=$(mktemp -d /tmp/trennwand-ldap.XXXXXX)
	mkdir "$LDAP_TMP/db"
	if ! (cd "$LDAP_TMP" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=trennwand test CA" \
			-keyout ca.key -out ca.pem &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr &&
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.pem) \
		>"$LDAP_TMP/openssl.log" 2>&1; then
		cat "$LDAP_TMP/openssl.log" >&2
		die "could not make the test directory's certificate"
	fi
	cat >"$LDAP_TMP/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include $here/ad.schema
pidfile $LDAP_TMP/slapd.pid
TLSCACertificateFile $LDAP_TMP/ca.pem
TLSCertificateFile $LDAP_TMP/server.pem
TLSCertificateKeyFile $LDAP_TMP/server.key
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 268435456
suffix "dc=musterstadt,dc=example"
rootdn "cn=admin,dc=musterstadt,dc=example"
rootpw admin-secret
directory $LDAP_TMP/db
index objectClass eq
index entryUUID eq
limits dn.exact="cn=sync,ou=service,dc=musterstadt,dc=example" size.soft=500 size.hard=500 size.prtotal=unlimited
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="cn=sync,ou=service,dc=musterstadt,dc=example" read by * none
CONF
	if ! "$here/tree.sh" 2100 >"$LDAP_TMP/tree.ldif" ||
		! /usr/sbin/slapadd -q -f "$LDAP_TMP/slapd.conf" -l "$LDAP_TMP/tree.ldif" >"$LDAP_TMP/slapadd.log" 2>&1; then
		cat "$LDAP_TMP/slapadd.log" >&2
		die "could not load the test directory into slapd"
	fi
	local port=$FIRST_LDAP_PORT attempt
	for ((attempt = 0; attempt < PORT_ATTEMPTS; attempt++, port += 2)); do
		port_in_use "$port" && continue
		port_in_use "$((port + 1))" && continue
		if /usr/sbin/slapd -f "$LDAP_TMP/slapd.conf" -h "ldap://127.0.0.1:$port/ ldaps://127.0.0.1:$((port + 1))/" 2>"$LDAP_TMP/slapd.log"; then
			for _ in $(seq 50); do
				port_in_use "$port" && break
				sleep 0.1
			done
			export TRENNWAND_TEST_LDAP="ldap://127.0.0.1:$port"
			export TRENNWAND_TEST_LDAPS="ldaps://127.0.0.1:$((port + 1))"
			export TRENNWAND_TEST_LDAP_CA="$LDAP_TMP/ca.pem"
			log "OpenLDAP: throw-away slapd with 2,103 people, TRENNWAND_TEST_LDAP=$TRENNWAND_TEST_LDAP, TRENNWAND_TEST_LDAPS=$TRENNWAND_TEST_LDAPS"
			return 0
		fi
	done
	cat "$LDAP_TMP/slapd.log" >&2
	die "could not start the throw-away slapd"
}

stop_slapd() {
	[[ -n $LDAP_TMP && -d $LDAP_TMP ]] || return 0
	local pid
	if [[ -f $LDAP_TMP/slapd.pid ]]; then
		pid=$(cat "$LDAP_TMP/slapd.pid")
		if [[ $pid =~ ^[0-9]+$ ]]; then
			kill "$pid" 2>/dev/null
			for _ in $(seq 50); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			kill -KILL "$pid" 2>/dev/null
		fi
		log "stopped throw-away slapd"
	fi
	rm -rf -- "$LDAP_TMP"
}
