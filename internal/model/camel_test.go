package model

import "testing"

func TestCamelSpellsInitialismsAsGo(t *testing.T) {
	for name, want := range map[string]string{
		"abort_end":              "AbortEnd",
		"awaiting_http_response": "AwaitingHTTPResponse",
		"json_error":             "JSONError",
		"id_mismatch":            "IDMismatch",
		"api":                    "API",
		"user_ids":               "UserIDs",
		"utf8_check":             "UTF8Check",
		"ids":                    "IDs",
		"is":                     "Is",
		"a__b":                   "AB",
		"s0":                     "S0",
		"httpd":                  "Httpd",
	} {
		if got := Camel(name); got != want {
			t.Errorf("Camel(%q) = %q, want %q", name, got, want)
		}
	}
}
