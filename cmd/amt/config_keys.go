package main

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/amt-mv/amt/tui"
)

// unknownKey is a key in the config file that neither the command line nor the terminal app reads.
type unknownKey struct {
	Path    string // "dueSoonDays", "views[0].filtr"
	Line    int
	Nearest string // the known key it most likely means; "" when none is close
}

// configShapes are the structs that read the one config file: the command line's and the
// terminal app's settings. A key none of them knows is reported (it would be ignored silently).
var configShapes = []reflect.Type{reflect.TypeOf(Config{}), reflect.TypeOf(tui.Config{})}

// unknownConfigKeys lists the keys of the YAML document b that no config struct reads, each with
// the nearest known key. Invalid YAML yields nothing here (loading reports it).
func unknownConfigKeys(b []byte) []unknownKey {
	var doc yaml.Node
	if yaml.Unmarshal(b, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	var out []unknownKey
	checkKeys(doc.Content[0], configShapes, "", &out)
	return out
}

// checkKeys walks a mapping node against the struct types that decode it.
func checkKeys(n *yaml.Node, types []reflect.Type, prefix string, out *[]unknownKey) {
	if n.Kind != yaml.MappingNode {
		return
	}
	fields := map[string][]reflect.Type{} // yaml key → the field types under it
	for _, t := range types {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			fields[name] = append(fields[name], f.Type)
		}
	}
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	sort.Strings(known)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		if !ok {
			*out = append(*out, unknownKey{Path: prefix + k.Value, Line: k.Line, Nearest: nearestKey(k.Value, known)})
			continue
		}
		// Descend into nested structs and lists of structs (views); maps (keys) are free-form.
		var sub []reflect.Type
		for _, t := range ft {
			for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
				t = t.Elem()
			}
			if t.Kind() == reflect.Struct {
				sub = append(sub, t)
			}
		}
		if len(sub) == 0 {
			continue
		}
		switch v.Kind {
		case yaml.MappingNode:
			checkKeys(v, sub, prefix+k.Value+".", out)
		case yaml.SequenceNode:
			for j, e := range v.Content {
				checkKeys(e, sub, fmt.Sprintf("%s%s[%d].", prefix, k.Value, j), out)
			}
		}
	}
}

// nearestKey is the known key closest to k: the same letters in another spelling (dueSoonDays,
// due-soon-days) first, else the smallest edit distance up to a third of the key's length.
func nearestKey(k string, known []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
	}
	best, bestD := "", 0
	for _, c := range known {
		if norm(c) == norm(k) {
			return c
		}
		d := editDistance(norm(k), norm(c))
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(2, len([]rune(k))/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b (in runes).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// warnUnknownKeys prints one warning per unknown key of the config file (the file is still used).
func (a *app) warnUnknownKeys(b []byte) {
	for _, u := range unknownConfigKeys(b) {
		if u.Nearest != "" {
			a.errorf("%s", a.T("warn.config_key_near", a.cfgPath, u.Line, u.Path, u.Nearest))
		} else {
			a.errorf("%s", a.T("warn.config_key", a.cfgPath, u.Line, u.Path))
		}
	}
}

// isConfigInit reports whether args (global flags taken out) are `config init …`.
func isConfigInit(args []string) bool {
	return len(args) >= 2 && args[0] == "config" && args[1] == "init"
}
