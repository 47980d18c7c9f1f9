package demo

import (
	"reflect"
	"slices"
	"testing"

	"github.com/amt-mv/amt/catalogue"
)

// The built-in service catalogue describes the demo's services: same keys, names, prefixes,
// four-eyes rules, deadlines and fees, and a data mapping that carries every demo form through a
// data document and back unchanged.
func TestCatalogueMatchesDemoServices(t *testing.T) {
	cat := catalogue.Default()
	if len(cat.Services) != len(services) {
		t.Fatalf("catalogue has %d services, demo %d", len(cat.Services), len(services))
	}
	for _, d := range services {
		s, ok := cat.Lookup(d.Key)
		if !ok {
			t.Errorf("catalogue lacks %s (%s)", d.Key, d.Name)
			continue
		}
		if s.Name != d.Name || s.Prefix != d.Prefix || s.FourEyes != d.FourEyes || s.DeadlineDays != d.DueDays || s.FeeCents != d.FeeCents {
			t.Errorf("%s: catalogue %+v differs from the demo's %+v", d.Key, s, d)
		}
	}
	data := Generate(Options{Cases: 600})
	for i := range data.N {
		if slices.Contains(hostileIndexes[:], i) {
			continue // extra hostile fields land in "Weitere Angaben", tested in the catalogue
		}
		c := data.Case(i).Case
		s, _ := cat.Lookup(c.Service.Key)
		doc, err := s.Document(c.Applicant, c.Sections)
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, c.Service.Name, err)
		}
		m, err := s.Map(doc)
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, c.Service.Name, err)
		}
		if !reflect.DeepEqual(m.Applicant, c.Applicant) || !reflect.DeepEqual(m.Sections, c.Sections) {
			t.Fatalf("case %d (%s) does not survive the mapping:\n got %+v\n%+v\nwant %+v\n%+v", i, c.Service.Name,
				m.Applicant, m.Sections, c.Applicant, c.Sections)
		}
	}
}
