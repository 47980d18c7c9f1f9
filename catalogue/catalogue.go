// Package catalogue owns the service catalogue (Leistungskatalog) of amt-server: which
// administrative services, by LeiKa key, an Amt receives; for each how a case is filed (name,
// Aktenzeichen prefix, four-eyes rule, deadline), which fields its decision (Bescheid) has, and how
// an application's data document maps to the applicant and the form sections a clerk sees. It
// also holds the text blocks and Rechtsbehelfsbelehrung of each service, which come from a
// separate texts file (see Texts).
//
// The catalogue is an operator file (YAML, see default.yaml for the built-in defaults of the
// demo's services). It depends on package api only.
package catalogue

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/amt-mv/amt/api"
)

//go:embed default.yaml
var defaultYAML []byte

// LeiKaURNPrefix is the prefix of a LeiKa key as a FIT-Connect service identifier.
const LeiKaURNPrefix = "urn:de:fim:leika:leistung:"

// Catalogue is the set of services amt-server accepts.
type Catalogue struct {
	Services []*Service `yaml:"services"`
	byKey    map[string]*Service
}

// Service is one administrative service (Leistung) of the catalogue.
type Service struct {
	Key          string `yaml:"key"`          // LeiKa key, 14 digits
	Name         string `yaml:"name"`         // e.g. "Gewerbeanmeldung"
	Prefix       string `yaml:"prefix"`       // Aktenzeichen prefix, e.g. "GEW"
	FourEyes     bool   `yaml:"fourEyes"`     // decisions need a lead's approval
	DeadlineDays int    `yaml:"deadlineDays"` // due date = day of receipt + DeadlineDays
	FeeCents     int64  `yaml:"feeCents"`     // the usual fee, 0 = none; the decision may set another
	// Decision lists the fields a decision (Bescheid) on this service carries.
	Decision []DecisionField `yaml:"decision"`
	// Data says which data document the service expects and how it maps to a case.
	Data DataMapping `yaml:"data"`

	// TextBlocks and Rechtsbehelfsbelehrung come from the texts file (ApplyTexts), not from the
	// catalogue file.
	TextBlocks             TextBlocks  `yaml:"-"`
	Rechtsbehelfsbelehrung string      `yaml:"-"`
	Letter                 LetterTexts `yaml:"-"` // texts.go
}

// URN is the service's identifier as FIT-Connect carries it (urn:de:fim:leika:leistung:<key>).
func (s *Service) URN() string { return LeiKaURNPrefix + s.Key }

// APIService is the service as a case carries it, with its decision fields.
func (s *Service) APIService() api.Service {
	out := api.Service{Key: s.Key, Name: s.Name, FourEyes: s.FourEyes}
	for _, f := range s.Decision {
		out.Decision = append(out.Decision, api.DecisionField{Name: f.Name, Label: f.Label, Kind: string(f.Kind), Required: f.Required})
	}
	return out
}

// DecisionKind says what a decision field holds and how a Bescheid renders it.
type DecisionKind string

// Decision field kinds.
const (
	KindFee            DecisionKind = "fee"              // one-off fee in cents (Gebühr)
	KindAmountPerMonth DecisionKind = "amount_per_month" // cents per month, e.g. Wohngeld
	KindAmountPerYear  DecisionKind = "amount_per_year"  // cents per year, e.g. Hundesteuer
	KindPeriod         DecisionKind = "period"           // from–to dates (YYYY-MM-DD), e.g. Bewilligungszeitraum
	KindValidity       DecisionKind = "validity"         // valid until a date (YYYY-MM-DD)
	KindDate           DecisionKind = "date"             // one date (YYYY-MM-DD)
	KindText           DecisionKind = "text"             // free text, e.g. an Auflage
)

// DecisionKinds lists every decision field kind.
var DecisionKinds = []DecisionKind{KindFee, KindAmountPerMonth, KindAmountPerYear, KindPeriod,
	KindValidity, KindDate, KindText}

// DecisionField is one field of a decision on a service.
type DecisionField struct {
	Name     string       `yaml:"name"`  // stable identifier, e.g. "monthlyAmount"
	Label    string       `yaml:"label"` // German label, e.g. "Wohngeld monatlich"
	Kind     DecisionKind `yaml:"kind"`
	Required bool         `yaml:"required"` // must be set for an approval
}

// DataMapping names the data schema of a service and how the data document's fields map to the
// applicant and to the sections of a case. Pointers are JSON pointers (RFC 6901).
type DataMapping struct {
	SchemaURI string           `yaml:"schemaUri"`
	MimeType  string           `yaml:"mimeType"` // application/json (the only one mapped today)
	Applicant ApplicantMapping `yaml:"applicant"`
	Sections  []SectionMapping `yaml:"sections"`
}

// ApplicantMapping says where the applicant's details are in the data document. When
// Organisation points to a non-empty value, the applicant is that organisation; otherwise a
// person whose name is the values at Name joined by spaces.
type ApplicantMapping struct {
	Organisation string   `yaml:"organisation"`
	Name         []string `yaml:"name"`
	Street       string   `yaml:"street"`
	HouseNumber  string   `yaml:"houseNumber"`
	Extra        string   `yaml:"extra"`
	PostalCode   string   `yaml:"postalCode"`
	City         string   `yaml:"city"`
	Country      string   `yaml:"country"`
	Email        string   `yaml:"email"`
	Phone        string   `yaml:"phone"`
}

// SectionMapping is one section of the case and the data fields it shows.
type SectionMapping struct {
	Title  string         `yaml:"title"`
	Fields []FieldMapping `yaml:"fields"`
}

// FieldMapping is one labelled field of a section and where its value is.
type FieldMapping struct {
	Label   string `yaml:"label"`
	Pointer string `yaml:"pointer"`
	// Format renders non-text values: "date" turns YYYY-MM-DD into DD.MM.YYYY, "bool" renders
	// true/false as ja/nein. Empty: strings as they are, numbers in decimal, booleans as ja/nein.
	Format string `yaml:"format"`
}

// Field formats.
const (
	FormatDate = "date"
	FormatBool = "bool"
)

// TextBlocks are the prepared texts a clerk picks from when writing a decision's reasoning
// (Begründung) or a request for documents (Nachforderung).
type TextBlocks struct {
	Begruendung   []TextBlock `yaml:"begruendung"`
	Nachforderung []TextBlock `yaml:"nachforderung"`
}

// TextBlock is one prepared text.
type TextBlock struct {
	ID    string `yaml:"id"`    // stable identifier within the service
	Title string `yaml:"title"` // short name in the picker
	// Outcome limits a Begründung block to decisions with this outcome; empty fits every outcome.
	Outcome api.Outcome `yaml:"outcome"`
	Text    string      `yaml:"text"`
}

// ForDecision returns the Begründung blocks that fit a decision with outcome o: the blocks for
// that outcome and those for every outcome, in file order.
func (tb TextBlocks) ForDecision(o api.Outcome) []TextBlock {
	var out []TextBlock
	for _, b := range tb.Begruendung {
		if b.Outcome == "" || b.Outcome == o {
			out = append(out, b)
		}
	}
	return out
}

// Texts is the texts file: text blocks and the Rechtsbehelfsbelehrung per service (by LeiKa key),
// and a default Rechtsbehelfsbelehrung for services without their own. It is a separate file from
// the catalogue so that the people who write the texts need not touch the technical mapping.
type Texts struct {
	Default  ServiceTexts            `yaml:"default"`
	Services map[string]ServiceTexts `yaml:"services"`
}

// ServiceTexts are the texts of one service.
type ServiceTexts struct {
	TextBlocks             TextBlocks  `yaml:"textBlocks"`
	Rechtsbehelfsbelehrung string      `yaml:"rechtsbehelfsbelehrung"`
	Letter                 LetterTexts `yaml:"letter"` // texts.go
}

// DecisionFieldsOf returns the decision fields of a case's service: those the case carries (from
// the server's catalogue at intake), else the built-in catalogue's for its key (a case filed before
// cases carried them), else none. Clients build decision forms from it; the server checks against
// its own catalogue.
func DecisionFieldsOf(s api.Service) []api.DecisionField {
	if len(s.Decision) > 0 {
		return s.Decision
	}
	builtinOnce.Do(func() { builtin = Default() })
	if svc, ok := builtin.Lookup(s.Key); ok {
		return svc.APIService().Decision
	}
	return nil
}

var (
	builtinOnce sync.Once
	builtin     *Catalogue
)

// Default returns the built-in catalogue: the services of the demo.
func Default() *Catalogue {
	c, err := Parse(defaultYAML)
	if err != nil {
		panic("catalogue: built-in default.yaml: " + err.Error())
	}
	return c
}

// Load reads and checks a catalogue file.
func Load(path string) (*Catalogue, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("service catalogue: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("service catalogue %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and checks a catalogue document. Unknown keys are errors, so a typo does not
// silently drop a setting. Top-level keys other than "services" may hold YAML anchors.
func Parse(b []byte) (*Catalogue, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var doc struct {
		Services []*Service           `yaml:"services"`
		Anchors  map[string]yaml.Node `yaml:",inline"`
	}
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	c := &Catalogue{Services: doc.Services}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

var (
	keyRE    = regexp.MustCompile(`^[0-9]{14}$`)
	prefixRE = regexp.MustCompile(`^[A-Z]{2,6}$`)
	nameRE   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)
)

func (c *Catalogue) check() error {
	if len(c.Services) == 0 {
		return errors.New("no services")
	}
	c.byKey = make(map[string]*Service, len(c.Services))
	prefixes := map[string]string{}
	for i, s := range c.Services {
		if s == nil {
			return fmt.Errorf("services[%d]: empty entry", i)
		}
		where := fmt.Sprintf("services[%d] (%s)", i, s.Key)
		switch {
		case !keyRE.MatchString(s.Key):
			return fmt.Errorf("services[%d]: key %q is no LeiKa key (14 digits; quote it in YAML)", i, s.Key)
		case c.byKey[s.Key] != nil:
			return fmt.Errorf("%s: key listed twice", where)
		case strings.TrimSpace(s.Name) == "":
			return fmt.Errorf("%s: name missing", where)
		case !prefixRE.MatchString(s.Prefix):
			return fmt.Errorf("%s: prefix %q must be 2 to 6 capital letters", where, s.Prefix)
		case prefixes[s.Prefix] != "":
			return fmt.Errorf("%s: prefix %s already used by %s", where, s.Prefix, prefixes[s.Prefix])
		case s.DeadlineDays <= 0 || s.DeadlineDays > 3650:
			return fmt.Errorf("%s: deadlineDays must be between 1 and 3650", where)
		case s.FeeCents < 0:
			return fmt.Errorf("%s: feeCents must not be negative", where)
		}
		names := map[string]bool{}
		for j, d := range s.Decision {
			switch {
			case !nameRE.MatchString(d.Name):
				return fmt.Errorf("%s: decision[%d]: name %q must be an identifier (letters, digits, _)", where, j, d.Name)
			case names[d.Name]:
				return fmt.Errorf("%s: decision field %s listed twice", where, d.Name)
			case strings.TrimSpace(d.Label) == "":
				return fmt.Errorf("%s: decision field %s: label missing", where, d.Name)
			case !validKind(d.Kind):
				return fmt.Errorf("%s: decision field %s: kind %q is none of %v", where, d.Name, d.Kind, DecisionKinds)
			}
			names[d.Name] = true
		}
		if err := s.Data.check(); err != nil {
			return fmt.Errorf("%s: data: %w", where, err)
		}
		c.byKey[s.Key] = s
		prefixes[s.Prefix] = s.Key
	}
	return nil
}

func validKind(k DecisionKind) bool {
	for _, v := range DecisionKinds {
		if v == k {
			return true
		}
	}
	return false
}

func (d *DataMapping) check() error {
	u, err := url.Parse(d.SchemaURI)
	if err != nil || u.Scheme == "" || (u.Opaque == "" && u.Host == "") {
		return fmt.Errorf("schemaUri %q is no absolute URI", d.SchemaURI)
	}
	if d.MimeType == "" {
		d.MimeType = "application/json"
	}
	if d.MimeType != "application/json" {
		return fmt.Errorf("mimeType %q: only application/json data can be mapped", d.MimeType)
	}
	a := d.Applicant
	if a.Organisation == "" && len(a.Name) == 0 {
		return errors.New("applicant: name or organisation pointer needed")
	}
	ptrs := append([]string{a.Organisation, a.Street, a.HouseNumber, a.Extra, a.PostalCode, a.City,
		a.Country, a.Email, a.Phone}, a.Name...)
	for _, p := range ptrs {
		if p == "" {
			continue
		}
		if _, err := parsePointer(p); err != nil {
			return fmt.Errorf("applicant: %w", err)
		}
	}
	for i, s := range d.Sections {
		if strings.TrimSpace(s.Title) == "" {
			return fmt.Errorf("sections[%d]: title missing", i)
		}
		for j, f := range s.Fields {
			if strings.TrimSpace(f.Label) == "" {
				return fmt.Errorf("section %q: fields[%d]: label missing", s.Title, j)
			}
			if _, err := parsePointer(f.Pointer); err != nil {
				return fmt.Errorf("section %q: field %q: %w", s.Title, f.Label, err)
			}
			if f.Format != "" && f.Format != FormatDate && f.Format != FormatBool {
				return fmt.Errorf("section %q: field %q: format %q is none of date, bool", s.Title, f.Label, f.Format)
			}
		}
	}
	return nil
}

// Lookup finds a service by its LeiKa key.
func (c *Catalogue) Lookup(key string) (*Service, bool) {
	s, ok := c.byKey[key]
	return s, ok
}

// LookupURN finds a service by its FIT-Connect identifier (urn:de:fim:leika:leistung:<key>).
func (c *Catalogue) LookupURN(urn string) (*Service, bool) {
	key, ok := strings.CutPrefix(urn, LeiKaURNPrefix)
	if !ok {
		return nil, false
	}
	return c.Lookup(key)
}

// LoadTexts reads a texts file.
func LoadTexts(path string) (*Texts, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("texts: %w", err)
	}
	var t Texts
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("texts %s: %w", path, err)
	}
	return &t, nil
}

// ApplyTexts puts the texts into the catalogue's services: each service gets its own text blocks
// and Rechtsbehelfsbelehrung, or the default Rechtsbehelfsbelehrung when it has none. Texts for a
// key the catalogue does not list, duplicate block ids and Begründung blocks with an unknown
// outcome are errors.
func (c *Catalogue) ApplyTexts(t *Texts) error {
	for key, st := range t.Services {
		if _, ok := c.byKey[key]; !ok {
			return fmt.Errorf("texts for service %s, which the catalogue does not list", key)
		}
		if err := st.TextBlocks.check(); err != nil {
			return fmt.Errorf("texts for service %s: %w", key, err)
		}
	}
	if err := t.Default.TextBlocks.check(); err != nil {
		return fmt.Errorf("default texts: %w", err)
	}
	for _, s := range c.Services {
		st, ok := t.Services[s.Key]
		if !ok {
			st = t.Default
		}
		s.TextBlocks = st.TextBlocks
		s.Rechtsbehelfsbelehrung = st.Rechtsbehelfsbelehrung
		s.Letter = st.Letter
		if s.Rechtsbehelfsbelehrung == "" {
			s.Rechtsbehelfsbelehrung = t.Default.Rechtsbehelfsbelehrung
		}
	}
	return nil
}

func (tb TextBlocks) check() error {
	for name, list := range map[string][]TextBlock{"begruendung": tb.Begruendung, "nachforderung": tb.Nachforderung} {
		ids := map[string]bool{}
		for i, b := range list {
			switch {
			case b.ID == "":
				return fmt.Errorf("%s[%d]: id missing", name, i)
			case ids[b.ID]:
				return fmt.Errorf("%s: id %s listed twice", name, b.ID)
			case strings.TrimSpace(b.Text) == "":
				return fmt.Errorf("%s %s: text missing", name, b.ID)
			case b.Outcome != "" && !b.Outcome.Valid():
				return fmt.Errorf("%s %s: outcome %q unknown", name, b.ID, b.Outcome)
			}
			ids[b.ID] = true
		}
	}
	return nil
}
