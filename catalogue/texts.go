package catalogue

import (
	"bytes"
	_ "embed"

	"gopkg.in/yaml.v3"
)

// The built-in texts file (texts.yaml): the Textbausteine, the Rechtsbehelfsbelehrung and the
// letter wordings of the demo's services, written by the amt team from the legal facts
// (statutes of the Federal Republic and of Mecklenburg-Vorpommern). An operator replaces it with
// their own texts file.

//go:embed texts.yaml
var defaultTextsYAML []byte

// LetterTexts are the wordings of a service's letters (package letter) beyond the text blocks
// and the Rechtsbehelfsbelehrung.
type LetterTexts struct {
	// LegalBasis names the provisions a decision rests on, e.g. "§ 22 StrWG M-V".
	LegalBasis string `yaml:"legalBasis"`
	// Grant is the Tenor sentence of an approval that has a validity date; "{bis}" becomes the
	// date ("31.12.2027").
	Grant string `yaml:"grant"`
	// GrantNoDate is the Tenor sentence of an approval without a validity date.
	GrantNoDate string `yaml:"grantNoDate"`
	// Conditions are the Nebenbestimmungen printed under an approval.
	Conditions []string `yaml:"conditions"`
	// FeeBasis names the legal basis of the fee.
	FeeBasis string `yaml:"feeBasis"`
	// RemedyNote follows the Rechtsbehelfsbelehrung (e.g. no suspensive effect).
	RemedyNote string `yaml:"remedyNote"`
	// MissingConsequence says, in a Nachforderung, what happens when documents do not arrive in
	// time; empty: the general wording of package letter.
	MissingConsequence string `yaml:"missingConsequence"`
}

// DefaultTexts returns the built-in texts file.
func DefaultTexts() *Texts {
	var t Texts
	dec := yaml.NewDecoder(bytes.NewReader(defaultTextsYAML))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		panic("catalogue: built-in texts.yaml: " + err.Error())
	}
	return &t
}

// DefaultWithTexts returns the built-in catalogue with the built-in texts applied.
func DefaultWithTexts() *Catalogue {
	c := Default()
	if err := c.ApplyTexts(DefaultTexts()); err != nil {
		panic("catalogue: built-in texts.yaml: " + err.Error())
	}
	return c
}
