package spec

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// ReadFile reads a spec or project file. Only regular files are read: a
// named pipe with no writer would block the open forever, and a device
// such as /dev/zero never ends. The open itself does not wait
// (O_NONBLOCK), so a pipe is refused at once.
func ReadFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s); to read a spec from a pipe, pass -spec - and feed it on standard input", path, st.Mode().Type())
	}
	return Read(f)
}

// Read reads at most one byte past MaxSize from r: Decode then reports the
// size with a position, and an endless stream cannot exhaust memory first.
func Read(r io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, MaxSize+1))
}
