// Command gen writes ddmschema's facts file from a local checkout of Apple's
// device-management repository (github.com/apple/device-management): for every declaration
// type, credential type and status item under declarative/, what iOS accepts — its keys,
// their types, presence, allowed values and nested keys, and whether User Enrolment allows
// it. The YAML stays in Apple's repository; only the facts are committed.
//
// Usage (from ios/ddm/ddmschema, or through go generate there):
//
//	go run ./internal/gen -apple /path/to/device-management -out facts.go
package main

import (
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

func main() {
	apple := flag.String("apple", "", "checkout of github.com/apple/device-management (the directory that holds declarative/)")
	commit := flag.String("commit", "", "the checkout's commit; read with git when empty")
	out := flag.String("out", "facts.go", "the Go file to write")
	flag.Parse()
	if err := run(*apple, *commit, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

var commitPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

func run(apple, commit, out string) error {
	if apple == "" {
		return fmt.Errorf("-apple is required: the checkout of github.com/apple/device-management")
	}
	if commit == "" {
		b, err := exec.Command("git", "-C", apple, "rev-parse", "HEAD").Output()
		if err != nil {
			return fmt.Errorf("read the checkout's commit (or pass -commit): %w", err)
		}
		commit = strings.TrimSpace(string(b))
	}
	if !commitPattern.MatchString(commit) {
		return fmt.Errorf("commit %q is not a full git commit hash", commit)
	}
	f, err := readAll(filepath.Join(apple, "declarative"))
	if err != nil {
		return err
	}
	formatted, err := format.Source(f.render(commit))
	if err != nil {
		return fmt.Errorf("format the facts file: %w", err)
	}
	if err := os.WriteFile(out, formatted, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}
