package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// CheckDir checks that dir is a directory to export into: new, or existing and empty, so
// that an export never mixes with or replaces other files. existed says whether it is
// there already, so that a failed export removes only a directory it made.
func CheckDir(dir string) (existed bool, err error) {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	if !info.IsDir() {
		return false, fmt.Errorf("%s is a file: give a new or empty directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	if len(entries) > 0 {
		return false, fmt.Errorf("%s is not empty: give a new or empty directory, so that the export mixes with nothing", dir)
	}
	return true, nil
}

// errTime says how a bound of the time range is written.
var errTime = errors.New("give a date (2025-03-01, a day in UTC) or an RFC 3339 time (2025-03-01T09:00:00+01:00)")

// ParseTime reads a bound of the exported time range: an RFC 3339 time, or a date, which
// is a day in UTC and, as the end of the range, takes in that whole day. Empty is no bound.
func ParseTime(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	day, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, errTime
	}
	if end {
		day = day.AddDate(0, 0, 1)
	}
	return day, nil
}
