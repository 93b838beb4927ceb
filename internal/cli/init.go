package cli

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed starter
var starter embed.FS

// starterFiles maps where init writes each starter file to its name in
// the starter directory.
var starterFiles = []struct{ dst, src string }{
	{"fsmgen.yaml", "starter/fsmgen.yaml"},
	{"order/order.yaml", "starter/order.yaml"},
	{"order/generate.go", "starter/generate.go.txt"}, // not .go: the go command would run its directive here,
}

// runInit writes the starter project into dir, refusing to overwrite
// anything: it writes all of the files or none.
func runInit(dir string, stdout, stderr io.Writer) int {
	for _, f := range starterFiles {
		if _, err := os.Lstat(filepath.Join(dir, f.dst)); !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "fsmgen init: %s already exists; init writes only into a module without fsmgen files and never overwrites\n", f.dst)
			return ExitFail
		}
	}
	if p, err := findProject(dir); err == nil {
		fmt.Fprintf(stderr, "fsmgen init: %s already governs this directory\n", p)
		return ExitFail
	}
	for _, f := range starterFiles {
		b, err := starter.ReadFile(f.src)
		if err == nil {
			dst := filepath.Join(dir, f.dst)
			if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
				err = writeNew(dst, b)
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "fsmgen init: %v\n", err)
			return ExitFail
		}
		fmt.Fprintf(stdout, "wrote %s\n", f.dst)
	}
	fmt.Fprint(stdout, `
Next:
  go get -tool github.com/fsmgen/fsmgen/cmd/fsmgen
  go generate ./...
and add the run lock to .gitignore:
  echo .fsmgen.lock >> .gitignore
`)
	return ExitOK
}

// writeNew creates name, failing if it appeared meanwhile.
func writeNew(name string, b []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
