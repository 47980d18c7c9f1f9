package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestWriteJSONStreamsLikeMarshalIndent: element-wise output is byte-identical to MarshalIndent
// (apart from the escapes), decodes back unchanged, and never carries raw C1 or bidi characters.
func TestWriteJSONStreamsLikeMarshalIndent(t *testing.T) {
	type row struct {
		ID   string   `json:"id"`
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	rows := []row{
		{"c-1", "Müller", []string{"a", "b"}},
		{"c-2", "rechnung\u202efdp.exe \u009b2J", nil},
	}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"slice", rows, ""},
		{"empty", []row{}, "[]\n"},
		{"nil", []row(nil), "[]\n"},
		{"object", rows[0], ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			a := &app{stdout: &out, stderr: &out}
			if code := a.writeJSON(tt.v); code != exitOK {
				t.Fatalf("exit %d: %s", code, out.String())
			}
			got := out.String()
			if tt.want != "" {
				if got != tt.want {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
				return
			}
			if strings.ContainsAny(got, "\u202e\u009b") {
				t.Fatalf("raw bidi/C1 in output: %q", got)
			}
			ref, _ := json.MarshalIndent(tt.v, "", "  ")
			unescaped := strings.NewReplacer(`\u202e`, "\u202e", `\u009b`, "\u009b").Replace(got)
			if unescaped != string(ref)+"\n" {
				t.Fatalf("output differs from MarshalIndent:\n%s\nwant\n%s", got, ref)
			}
			var back any
			if err := json.Unmarshal(out.Bytes(), &back); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
		})
	}
}
