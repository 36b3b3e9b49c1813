package output

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestATableAlignsItsColumnsUnderTheHeader(t *testing.T) {
	var b bytes.Buffer
	if err := Table(&b, []string{"NAME", "STATE"}, [][]string{{"musterstadt", "active"}, {"a", "removed"}}); err != nil {
		t.Fatal(err)
	}
	want := "NAME         STATE\nmusterstadt  active\na            removed\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestANewFileIsTheOwnersAndNeverOverwritesOne(t *testing.T) {
	path := filepath.Join(t.TempDir(), "letters.html")
	write := func(text string) error {
		return NewFile(path, func(w io.Writer) error { _, err := io.WriteString(w, text); return err })
	}
	if err := write("codes"); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("the file has mode %o, want 600: it holds invitation codes", mode)
	}
	if err := write("other"); err == nil {
		t.Error("a second write over the file succeeded, want a refusal")
	}
	if b, _ := os.ReadFile(path); string(b) != "codes" {
		t.Errorf("the file holds %q, want the first write's %q", b, "codes")
	}
}
