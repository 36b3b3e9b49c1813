#!/usr/bin/env bash
# scripts/ldap/tree.sh N — prints the test directory as LDIF: the town of Musterstadt
# laid out like an Active Directory, with N employees (user0001 …) in the groups
# Verwaltung and Kita (every tenth), the named people the tests change (anna, ben,
# clara, who is disabled), and the service account the sync binds as.
set -euo pipefail
readonly BASE=dc=musterstadt,dc=example
n=${1:-2100}

cat <<LDIF
dn: $BASE
objectClass: dcObject
objectClass: organization
o: Musterstadt
dc: musterstadt

dn: ou=people,$BASE
objectClass: organizationalUnit
ou: people

dn: ou=groups,$BASE
objectClass: organizationalUnit
ou: groups

dn: ou=service,$BASE
objectClass: organizationalUnit
ou: service

dn: cn=sync,ou=service,$BASE
objectClass: person
objectClass: simpleSecurityObject
cn: sync
sn: sync
userPassword: sync-secret

LDIF
for g in Verwaltung Kita; do
	printf 'dn: cn=%s,ou=groups,%s\nobjectClass: groupOfNames\ncn: %s\nmember: cn=sync,ou=service,%s\n\n' "$g" "$BASE" "$g" "$BASE"
done

person() { # uid name group userAccountControl
	printf 'dn: uid=%s,ou=people,%s\nobjectClass: user\nuid: %s\nsAMAccountName: %s\ncn: %s\nsn: %s\ndisplayName: %s\nmail: %s@musterstadt.example\nmemberOf: cn=%s,ou=groups,%s\nuserAccountControl: %s\n\n' \
		"$1" "$BASE" "$1" "$1" "$2" "$2" "$2" "$1" "$3" "$BASE" "$4"
}
person anna "Anna Muster" Verwaltung 512
person ben "Ben Beispiel" Kita 512
person clara "Clara Gestern" Verwaltung 514
for ((i = 1; i <= n; i++)); do
	group=Verwaltung
	((i % 10 == 0)) && group=Kita
	person "$(printf 'user%04d' "$i")" "$(printf 'Mitarbeiterin %04d' "$i")" "$group" 512
done
