package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/micromdm/nanomdm/mdm"
	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm/store"
)

// hotPath runs the statements of every check-in on the connection pool directly: each is
// a few microseconds of work for SQLite, and gorm's building of a statement would add
// half as much again.
type hotPath struct {
	pool gorm.ConnPool
	// cert finds the enrolment's newest certificate association with a hash.
	cert string
	// visit answers, for one enrolment, whether its last-seen time is at or before a
	// cutoff (NULL if there is no such enrolment) and whether anything is queued for it;
	// visitSkipNotNow passes over commands answered NotNow. certVisit answers cert and visit
	// in one statement.
	visit, visitSkipNotNow, certVisit string
	// state reads an enrolmentState.
	state string
}

func newHotPath(db *gorm.DB, postgres bool) hotPath {
	bind := func(q string) string {
		if postgres {
			return numberPlaceholders(q)
		}
		return q
	}
	const (
		cert     = `SELECT 1 FROM ios_cert_auth WHERE id = ? AND sha256 = ? AND latest`
		lastSeen = `(SELECT e.last_seen_at <= ? FROM ios_enrollments e WHERE e.id = ?)`
		queued   = `EXISTS (SELECT 1 FROM ios_queue q WHERE q.id = ?`
	)
	return hotPath{
		pool:            db.Statement.ConnPool,
		cert:            bind(cert),
		visit:           bind(`SELECT ` + lastSeen + `, ` + queued + `)`),
		visitSkipNotNow: bind(`SELECT ` + lastSeen + `, ` + queued + ` AND q.not_now_tally = 0)`),
		certVisit:       bind(`SELECT EXISTS (` + cert + `), ` + lastSeen + `, ` + queued + `)`),
		// last_seen_at as a column of the table, so that SQLite returns it as a time.
		state: bind(`SELECT (SELECT sha256 FROM ios_cert_auth WHERE id = ? AND latest), e.last_seen_at, ` +
			queued + `) FROM (SELECT 1) AS one LEFT JOIN ios_enrollments e ON e.id = ?`),
	}
}

// numberPlaceholders turns the ? placeholders of a query into PostgreSQL's $1, $2, …
// The queries it is given have no ? in literals.
func numberPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// visit is what a check-in needs to know about its enrolment besides the certificate.
type visit struct {
	id     string // the enrolment; "" when nothing is known
	stale  bool   // its last-seen time is due to be written
	queued bool   // something is queued for it
}

type visitKey struct{}

// RequestContext returns a context for one MDM request in which the storage answers
// IsCertHashAssociated and, after an Idle report, RetrieveNextCommand with one statement
// instead of two: the first call also reads what the second needs and keeps it in the
// context. The HTTP layer wraps the context of each request with it; nothing is kept
// beyond the request.
func RequestContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, visitKey{}, new(visit))
}

// keptVisit returns the request's place for a visit, or nil outside RequestContext.
func keptVisit(ctx context.Context) *visit {
	v, _ := ctx.Value(visitKey{}).(*visit)
	return v
}

// forgetVisit drops what the request knows about its enrolment, once it has changed it.
func forgetVisit(ctx context.Context) {
	if v := keptVisit(ctx); v != nil {
		*v = visit{}
	}
}

// IsCertHashAssociated reports whether the certificate is the one that identifies the
// enrolment now: its newest association. Every check-in asks this.
func (s *Storage) IsCertHashAssociated(r *mdm.Request, hash string) (bool, error) {
	ctx, hash := r.Context(), strings.ToLower(hash)
	kept := keptVisit(ctx)
	if kept == nil {
		var one int
		err := s.hot.pool.QueryRowContext(ctx, s.hot.cert, r.ID, hash).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		} else if err != nil {
			return false, fmt.Errorf("check certificate of %s: %w", r.ID, err)
		}
		return true, nil
	}
	if s.changes != nil {
		st, err := s.kept.Load(r.ID, func() (enrolmentState, error) { return s.enrolmentState(ctx, r.ID) })
		if err != nil {
			return false, fmt.Errorf("check certificate of %s: %w", r.ID, err)
		}
		*kept = st.visit(r.ID, s.lastSeenCutoff())
		return st.cert.is(hash), nil
	}
	var associated bool
	var stale sql.NullBool
	v := visit{id: r.ID}
	err := s.hot.pool.QueryRowContext(ctx, s.hot.certVisit, r.ID, hash, s.lastSeenCutoff(), r.ID, r.ID).
		Scan(&associated, &stale, &v.queued)
	if err != nil {
		return false, fmt.Errorf("check certificate of %s: %w", r.ID, err)
	}
	v.stale = stale.Bool
	*kept = v
	return associated, nil
}

// enrolmentState is what an Idle check-in reads of an enrolment, kept in memory while
// the enrolment exists and nothing is queued for it. A queued command or a new certificate association is a change
// of "enrolment:ID" (triggers of ios_queue and ios_cert_auth); the last-seen time only
// this server's visit changes here, and it forgets the state when it writes it. Another
// replica's write of last-seen only makes this one write it once more within the
// resolution.
type enrolmentState struct {
	cert     certHash     // the newest certificate association's hash
	lastSeen sql.NullTime // invalid when there is no such enrolment
	queued   bool
}

func keptEnrolments(changes *store.Changes) *store.Kept[string, enrolmentState] {
	return store.NewKept(changes, store.KeptPhones, "enrolment",
		// Without an enrolment row (before the first TokenUpdate) there is no visit to
		// record; keeping that would keep the visits from being recorded once there is one.
		func(st enrolmentState) bool { return st.lastSeen.Valid && !st.queued })
}

// enrolmentState reads the state of enrolment id.
func (s *Storage) enrolmentState(ctx context.Context, id string) (enrolmentState, error) {
	var st enrolmentState
	var cert sql.NullString
	err := s.hot.pool.QueryRowContext(ctx, s.hot.state, id, id, id).Scan(&cert, &st.lastSeen, &st.queued)
	st.cert = certHashOf(cert)
	return st, err
}

// certHash is a certificate's SHA-256, as the memory of enrolment states keeps it: the
// sum itself, not the 64 characters of hex that nanomdm stores.
type certHash struct {
	sum [sha256.Size]byte
	ok  bool // false for none, and for a stored hash that is not hex SHA-256 (nanomdm writes none)
}

// certHashOf reads a stored hash.
func certHashOf(stored sql.NullString) certHash {
	var h certHash
	if stored.Valid && len(stored.String) == hex.EncodedLen(sha256.Size) {
		_, err := hex.Decode(h.sum[:], []byte(stored.String))
		h.ok = err == nil
	}
	return h
}

// is reports whether the certificate whose hash is hexHash, in lower case, is this one.
func (h certHash) is(hexHash string) bool {
	var text [2 * sha256.Size]byte
	hex.Encode(text[:], h.sum[:])
	return h.ok && string(text[:]) == hexHash
}

// visit is the visit a check-in makes at the state.
func (st enrolmentState) visit(id string, cutoff time.Time) visit {
	return visit{id: id, stale: st.lastSeen.Valid && !st.lastSeen.Time.After(cutoff), queued: st.queued}
}

// visitOf returns what RetrieveNextCommand needs to know about the enrolment: from the
// request's context when IsCertHashAssociated has read it there (and nothing has changed
// it since), else from the database.
func (s *Storage) visitOf(r *mdm.Request, skipNotNow bool) (visit, error) {
	ctx := r.Context()
	if kept := keptVisit(ctx); kept != nil && kept.id == r.ID && !skipNotNow {
		v := *kept
		*kept = visit{}
		return v, nil
	}
	query := s.hot.visit
	if skipNotNow {
		query = s.hot.visitSkipNotNow
	}
	var stale sql.NullBool
	v := visit{id: r.ID}
	if err := s.hot.pool.QueryRowContext(ctx, query, s.lastSeenCutoff(), r.ID, r.ID).Scan(&stale, &v.queued); err != nil {
		return visit{}, err
	}
	v.stale = stale.Bool
	return v, nil
}

// lastSeenCutoff is the last-seen time at or before which a visit writes it again.
func (s *Storage) lastSeenCutoff() time.Time {
	return s.clock().Add(-s.resolution)
}
