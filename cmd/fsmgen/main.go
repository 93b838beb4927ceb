// Command fsmgen generates a finite state machine's Go package, SQL
// migrations and diagrams from a YAML spec. Run "fsmgen -h" for usage.
package main

import (
	"os"

	"github.com/fsmgen/fsmgen/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
