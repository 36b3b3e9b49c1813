package export

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestTheTimeRangeTakesDatesAsWholeDaysInUTC(t *testing.T) {
	tests := []struct {
		in   string
		end  bool
		want time.Time
	}{
		{"", false, time.Time{}},
		{"2025-03-01", false, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"2025-03-01", true, time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"2025-03-01T09:00:00+01:00", true, time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, tt.end)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q, %v) = %v, %v; want %v", tt.in, tt.end, got, err, tt.want)
		}
	}
	if _, err := ParseTime("1.3.2025", false); err == nil {
		t.Error("a date in another form was taken")
	}
}

func TestAnExportGoesOnlyIntoANewOrEmptyDirectory(t *testing.T) {
	root := t.TempDir()
	full := filepath.Join(root, "full")
	if err := os.MkdirAll(full, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "other.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(full, "other.txt")
	empty := filepath.Join(root, "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]struct{ existed, ok bool }{
		filepath.Join(root, "new"): {false, true}, empty: {true, true}, full: {false, false}, file: {false, false},
	} {
		existed, err := CheckDir(dir)
		if existed != want.existed || (err == nil) != want.ok {
			t.Errorf("CheckDir(%s) = %v, %v; want existed %v, ok %v", dir, existed, err, want.existed, want.ok)
		}
	}
}
