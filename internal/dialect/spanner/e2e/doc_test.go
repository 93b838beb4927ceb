package e2e

import (
	"os"
	"strings"
	"testing"
)

// TestDocExample: docs/spanner.md's Go block is example_test.go's openDoor,
// which TestSpannerStore runs.
func TestDocExample(t *testing.T) {
	page, err := os.ReadFile("../../../../docs/spanner.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, _ := strings.Cut(string(page), "```go\n")
	block, _, _ = strings.Cut(block, "```")
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if block == "" || !strings.Contains(string(src), block) {
		t.Errorf("docs/spanner.md's Go block is not example_test.go's openDoor:\n%s", block)
	}
}
