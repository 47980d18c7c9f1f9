package catalogue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
)

// ExtraSectionTitle is the title of the last section, which keeps the data fields that no mapping
// names, labelled with their path in the document.
const ExtraSectionTitle = "Weitere Angaben"

// DataError says why a data document cannot become a case. Syntax is true when the document is
// no JSON at all (FIT-Connect problem data-json-syntax-violation); otherwise it does not have the
// shape the mapping needs (data-schema-violation).
type DataError struct {
	Syntax bool
	Reason string
}

func (e *DataError) Error() string { return "data document: " + e.Reason }

// Mapped is what a data document says about a case.
type Mapped struct {
	Applicant api.Applicant
	Sections  []api.Section
}

// Map reads a data document of this service (JSON) and returns the applicant and the sections
// the mapping describes, plus a last section "Weitere Angaben" with every value no mapping names.
// Absent optional values are left out; a section without values is left out. The applicant's
// name is required. The text is taken as it is: it is untrusted, and whoever shows it sanitises.
func (s *Service) Map(data []byte) (Mapped, error) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return Mapped{}, &DataError{Syntax: true, Reason: err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return Mapped{}, &DataError{Syntax: true, Reason: "data after the JSON value"}
	}
	if _, ok := doc.(map[string]any); !ok {
		return Mapped{}, &DataError{Reason: "not a JSON object"}
	}
	used := map[string]bool{}
	get := func(ptr, format string) (string, error) {
		if ptr == "" {
			return "", nil
		}
		used[ptr] = true
		v, ok := lookup(doc, ptr)
		if !ok || v == nil {
			return "", nil
		}
		str, err := render(v, format)
		if err != nil {
			return "", &DataError{Reason: ptr + ": " + err.Error()}
		}
		return str, nil
	}
	var firstErr error
	must := func(ptr string, format string) string {
		v, err := get(ptr, format)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return v
	}
	m := s.Data.Applicant
	var out Mapped
	app := &out.Applicant
	if org := must(m.Organisation, ""); strings.TrimSpace(org) != "" {
		app.Kind, app.Name = "organisation", org
		for _, p := range m.Name {
			used[p] = true // a contact person's name stays in the sections, if mapped there
		}
	} else {
		var parts []string
		for _, p := range m.Name {
			if v := strings.TrimSpace(must(p, "")); v != "" {
				parts = append(parts, v)
			}
		}
		app.Kind, app.Name = "person", strings.Join(parts, " ")
	}
	addr := api.PostalAddress{Street: must(m.Street, ""), HouseNumber: must(m.HouseNumber, ""),
		Extra: must(m.Extra, ""), PostalCode: must(m.PostalCode, ""), City: must(m.City, ""),
		Country: must(m.Country, "")}
	if addr.Country == "DE" {
		addr.Country = ""
	}
	if addr != (api.PostalAddress{}) {
		app.PostalAddress = &addr
		app.Address = OneLine(addr)
	}
	app.Email = must(m.Email, "")
	app.Phone = must(m.Phone, "")
	for _, sm := range s.Data.Sections {
		sec := api.Section{Title: sm.Title}
		for _, fm := range sm.Fields {
			if v := must(fm.Pointer, fm.Format); v != "" {
				sec.Fields = append(sec.Fields, api.Field{Label: fm.Label, Value: v})
			}
		}
		if len(sec.Fields) > 0 {
			out.Sections = append(out.Sections, sec)
		}
	}
	if firstErr != nil {
		return Mapped{}, firstErr
	}
	if strings.TrimSpace(app.Name) == "" {
		return Mapped{}, &DataError{Reason: "the applicant's name is missing"}
	}
	extra := api.Section{Title: ExtraSectionTitle}
	leaves(doc, "", func(ptr string, v any) {
		if used[ptr] || v == nil {
			return
		}
		str, err := render(v, "")
		if err != nil || str == "" {
			return
		}
		extra.Fields = append(extra.Fields, api.Field{Label: strings.TrimPrefix(ptr, "/"), Value: str})
	}, used)
	if len(extra.Fields) > 0 {
		out.Sections = append(out.Sections, extra)
	}
	if out.Sections == nil {
		out.Sections = []api.Section{}
	}
	return out, nil
}

// OneLine writes an address on one line, e.g. "Dorfstraße 12a, 19089 Crivitz".
func OneLine(a api.PostalAddress) string {
	street := strings.TrimSpace(a.Street + " " + a.HouseNumber)
	parts := []string{}
	for _, p := range []string{street, a.Extra, strings.TrimSpace(a.PostalCode + " " + a.City)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if a.Country != "" && a.Country != "DE" {
		parts = append(parts, a.Country)
	}
	return strings.Join(parts, ", ")
}

// render turns a JSON value into the text of a field: strings as they are, numbers in decimal,
// booleans as ja/nein, arrays of these joined by ", ". Objects are not field values.
func render(v any, format string) (string, error) {
	switch x := v.(type) {
	case string:
		if format == FormatDate {
			if t, err := time.Parse("2006-01-02", x); err == nil {
				return t.Format("02.01.2006"), nil
			}
		}
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		if x {
			return "ja", nil
		}
		return "nein", nil
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if e == nil {
				continue
			}
			if _, ok := e.([]any); ok {
				return "", errors.New("nested lists are no field value")
			}
			s, err := render(e, format)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ", "), nil
	case nil:
		return "", nil
	default:
		return "", errors.New("an object is no field value")
	}
}

// leaves calls f for every value below doc that is not an object, in key order, skipping
// subtrees whose pointer is in skip.
func leaves(doc any, prefix string, f func(ptr string, v any), skip map[string]bool) {
	if arr, ok := doc.([]any); ok {
		for _, e := range arr {
			if _, isObj := e.(map[string]any); isObj {
				for i, e := range arr {
					leaves(e, prefix+"/"+strconv.Itoa(i), f, skip)
				}
				return
			}
		}
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		f(prefix, doc)
		return
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ptr := prefix + "/" + escapeToken(k)
		if skip[ptr] {
			continue
		}
		leaves(obj[k], ptr, f, skip)
	}
}

func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// parsePointer splits an RFC 6901 JSON pointer into its reference tokens.
func parsePointer(p string) ([]string, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("pointer %q must start with /", p)
	}
	toks := strings.Split(p[1:], "/")
	for i, t := range toks {
		if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(t, "~0", ""), "~1", ""), "~") {
			return nil, fmt.Errorf("pointer %q: ~ must be followed by 0 or 1", p)
		}
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks, nil
}

// lookup resolves a JSON pointer in a decoded document.
func lookup(doc any, ptr string) (any, bool) {
	toks, err := parsePointer(ptr)
	if err != nil {
		return nil, false
	}
	cur := doc
	for _, t := range toks {
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[t]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(x) || strconv.Itoa(i) != t {
				return nil, false
			}
			cur = x[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// Document builds a data document of this service from an applicant and form sections: the
// inverse of Map, for senders (the demo, tests). The applicant needs PostalAddress for its address
// to appear; a person's name is split into the Name pointers (all words but the last, then the
// last). Fields whose section title and label the mapping does not know are an error.
func (s *Service) Document(a api.Applicant, sections []api.Section) ([]byte, error) {
	doc := map[string]any{}
	m := s.Data.Applicant
	set := func(ptr, v string) error {
		if ptr == "" || v == "" {
			return nil
		}
		return put(doc, ptr, v)
	}
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if a.Kind == "organisation" && m.Organisation != "" {
		add(set(m.Organisation, a.Name))
	} else {
		words := strings.Fields(a.Name)
		switch {
		case len(m.Name) == 0:
			return nil, errors.New("the mapping has no pointer for a person's name")
		case len(m.Name) == 1 || len(words) < 2:
			add(set(m.Name[0], a.Name))
		default:
			add(set(m.Name[0], strings.Join(words[:len(words)-1], " ")))
			add(set(m.Name[len(m.Name)-1], words[len(words)-1]))
		}
	}
	if p := a.PostalAddress; p != nil {
		add(set(m.Street, p.Street))
		add(set(m.HouseNumber, p.HouseNumber))
		add(set(m.Extra, p.Extra))
		add(set(m.PostalCode, p.PostalCode))
		add(set(m.City, p.City))
		add(set(m.Country, p.Country))
	}
	add(set(m.Email, a.Email))
	add(set(m.Phone, a.Phone))
	for _, sec := range sections {
		var sm *SectionMapping
		for i := range s.Data.Sections {
			if s.Data.Sections[i].Title == sec.Title {
				sm = &s.Data.Sections[i]
				break
			}
		}
		if sm == nil {
			return nil, fmt.Errorf("service %s: no mapping for section %q", s.Key, sec.Title)
		}
		for _, f := range sec.Fields {
			ptr := ""
			for _, fm := range sm.Fields {
				if fm.Label == f.Label {
					ptr = fm.Pointer
					break
				}
			}
			if ptr == "" {
				return nil, fmt.Errorf("service %s: section %q has no field %q", s.Key, sec.Title, f.Label)
			}
			add(set(ptr, f.Value))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// put sets the value at ptr, creating objects on the way.
func put(doc map[string]any, ptr, v string) error {
	toks, err := parsePointer(ptr)
	if err != nil {
		return err
	}
	cur := doc
	for _, t := range toks[:len(toks)-1] {
		next, ok := cur[t]
		if !ok {
			m := map[string]any{}
			cur[t] = m
			cur = m
			continue
		}
		m, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("pointer %s crosses a value", ptr)
		}
		cur = m
	}
	last := toks[len(toks)-1]
	if _, ok := cur[last]; ok {
		return fmt.Errorf("pointer %s set twice", ptr)
	}
	cur[last] = v
	return nil
}
