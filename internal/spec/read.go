package spec

import (
	"io"
	"os"
)

// ReadFile reads a spec, stopping one byte past MaxSize: Decode then
// reports the size with a position, and a path such as /dev/zero or a
// runaway pipe cannot exhaust memory first.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxSize+1))
}
