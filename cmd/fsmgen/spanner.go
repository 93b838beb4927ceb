//go:build spanner

package main

// verify opens Spanner databases only in a binary built with -tags
// spanner: the client more than doubles the binary (27 MB to 63 MB).
import _ "github.com/fsmgen/fsmgen/internal/verify/spannersql"
