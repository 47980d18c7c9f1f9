package demo

import (
	"strconv"
	"strings"

	"github.com/amt-mv/amt/api"
)

// The form builders return the application form of each service as ordered sections of
// labelled fields, worded like the online forms of the MV-Serviceportal.

func f(label, value string) api.Field { return api.Field{Label: label, Value: value} }

func jaNein(b bool) string {
	if b {
		return "ja"
	}
	return "nein"
}

func (g *caseGen) personSection(title string) api.Section {
	return api.Section{Title: title, Fields: []api.Field{
		f("Name", g.first+" "+g.last),
		f("Geburtsdatum", deDate(g.birth)),
		f("Anschrift", g.street+", "+g.place.PLZ+" "+g.place.Name),
	}}
}

var activities = []struct{ Name, Kind string }{
	{"Hausmeisterservice und Gebäudereinigung", "Sonstiges"},
	{"Vermietung von Ferienwohnungen", "Sonstiges"},
	{"Online-Handel mit Bekleidung und Accessoires", "Handel"},
	{"Elektroinstallation (Meisterbetrieb)", "Handwerk"},
	{"Imbiss mit Ausschank alkoholfreier Getränke", "Gastgewerbe"},
	{"Fahrradverleih und -reparatur", "Handel"},
	{"Garten- und Landschaftspflege", "Sonstiges"},
	{"IT-Dienstleistungen und Webdesign", "Sonstiges"},
	{"Fußpflege (kosmetisch)", "Sonstiges"},
	{"Handel mit Brennholz", "Handel"},
	{"Bewachungsgewerbe (§ 34a GewO)", "Sonstiges"},
}

func formGewerbe(g *caseGen) []api.Section {
	a := activities[g.r.IntN(len(activities))]
	g.activity = a.Name
	rechtsform := "Einzelunternehmen"
	name := "–"
	switch g.orgForm {
	case "":
	case "e.K.":
		rechtsform, name = "Eingetragener Kaufmann (e.K.)", g.org
	case "e.V.":
		rechtsform, name = "Eingetragener Verein (wirtschaftlicher Geschäftsbetrieb)", g.org
	default:
		rechtsform, name = g.orgForm, g.org
	}
	begin := g.submitted.AddDate(0, 0, g.between(-5, 30))
	secs := []api.Section{
		{Title: "Angaben zum Betrieb", Fields: []api.Field{
			f("Rechtsform", rechtsform),
			f("Betriebsbezeichnung", name),
			f("Angemeldete Tätigkeit", a.Name),
			f("Art des Betriebes", a.Kind),
			f("Beginn der Tätigkeit", deDate(begin)),
			f("Im Nebenerwerb", jaNein(g.pct(35))),
			f("Zahl der Beschäftigten", strconv.Itoa(g.r.IntN(6))),
		}},
		{Title: "Betriebsstätte", Fields: []api.Field{
			f("Anschrift", g.pick(streets)+" "+strconv.Itoa(g.between(1, 60))+", "+g.place.PLZ+" "+g.place.Name),
			f("Betriebsstätte ist", g.pick([]string{"Hauptniederlassung", "Zweigniederlassung", "unselbständige Zweigstelle"})),
		}},
		g.personSection("Inhaber / vertretungsberechtigte Person"),
	}
	secs[2].Fields = append(secs[2].Fields, f("Staatsangehörigkeit", "deutsch"))
	if strings.HasPrefix(a.Name, "Bewachung") {
		secs = append(secs, api.Section{Title: "Erlaubnis", Fields: []api.Field{
			f("Erlaubnispflichtige Tätigkeit", "ja (§ 34a GewO)"),
			f("Erlaubnis erteilt durch", "IHK zu Schwerin"),
		}})
	}
	return secs
}

var (
	dogBreeds = []string{"Labrador Retriever", "Deutscher Schäferhund", "Jack Russell Terrier", "Dackel (Rauhaar)",
		"Mischling", "Golden Retriever", "Border Collie", "Französische Bulldogge", "Chihuahua", "Australian Shepherd"}
	dogNamesM = []string{"Balu", "Rocky", "Paul", "Sammy", "Bruno", "Anton", "Charly", "Oskar"}
	dogNamesF = []string{"Bella", "Luna", "Emma", "Lotte", "Kira", "Frieda", "Nala", "Maja"}
	dogColors = []string{"schwarz", "braun", "schwarz-weiß", "blond", "gestromt", "dreifarbig", "rot"}
)

func formHund(g *caseGen) []api.Section {
	chip := "276098" + pad(g.r.IntN(1000000000), 9)
	name, sex := g.pick(dogNamesM), "Rüde"
	if g.pct(50) {
		name, sex = g.pick(dogNamesF), "Hündin"
	}
	reduction := "nein"
	if g.pct(8) {
		reduction = "ja – Rettungshund (Nachweis liegt bei)"
	}
	return []api.Section{
		{Title: "Angaben zum Hund", Fields: []api.Field{
			f("Rasse", g.pick(dogBreeds)),
			f("Name des Hundes", name),
			f("Geschlecht", sex),
			f("Farbe", g.pick(dogColors)),
			f("Wurfdatum", deDate(g.submitted.AddDate(0, 0, -g.between(70, 4000)))),
			f("Chipnummer (Transponder)", chip),
		}},
		{Title: "Haltung", Fields: []api.Field{
			f("Haltungsbeginn", deDate(g.submitted.AddDate(0, 0, -g.between(0, 25)))),
			f("Weitere Hunde im Haushalt", strconv.Itoa(g.r.IntN(2))),
			f("Gefährlicher Hund (HundehVO M-V)", "nein"),
			f("Steuerermäßigung beantragt", reduction),
		}},
	}
}

func formParken(g *caseGen) []api.Section {
	letters := "ABCDEFGHJKLMNPRSTUVWXZ"
	g.plate = g.pick(g.amt.Plates) + "-" + string(letters[g.r.IntN(len(letters))]) +
		string(letters[g.r.IntN(len(letters))]) + " " + strconv.Itoa(g.between(1, 9999))
	return []api.Section{
		{Title: "Fahrzeug", Fields: []api.Field{
			f("Kennzeichen", g.plate),
			f("Fahrzeughalter", g.pick([]string{"Antragsteller/in selbst", "Antragsteller/in selbst", "Arbeitgeber (Dienstwagen zur privaten Nutzung)", "Leasinggesellschaft"})),
			f("Fahrzeugart", "Pkw"),
		}},
		{Title: "Bewohnerparkzone", Fields: []api.Field{
			f("Zone", g.pick(g.amt.Zones)),
			f("Gewünschter Beginn", deDate(g.submitted.AddDate(0, 0, g.between(3, 20)))),
		}},
		{Title: "Wohnsitz", Fields: []api.Field{
			f("Anschrift", g.street+", "+g.place.PLZ+" "+g.place.Name),
			f("Hauptwohnsitz seit", deDate(g.movedIn)),
		}},
	}
}

var sondernutzungen = []struct {
	Name             string
	MinArea, MaxArea int // m²
}{
	{"Baugerüst", 8, 60}, {"Container (Bauschutt)", 8, 15}, {"Außengastronomie", 10, 40},
	{"Werbeaufsteller", 1, 2}, {"Baustelleneinrichtung", 20, 120}, {"Umzugswagen (Haltverbotszone)", 15, 30},
}

func formSondernutzung(g *caseGen) []api.Section {
	use := sondernutzungen[g.r.IntN(len(sondernutzungen))]
	kind := use.Name
	area := g.between(use.MinArea*10, use.MaxArea*10)    // tenths of m²
	from := g.submitted.AddDate(0, 0, g.between(30, 70)) // applications are due four weeks ahead
	to := from.AddDate(0, 0, g.between(1, 120))
	g.validUntil = isoDate(to)
	return []api.Section{
		{Title: "Ort der Sondernutzung", Fields: []api.Field{
			f("Straße / Platz", g.pick(streets)+" "+strconv.Itoa(g.between(1, 40))),
			f("Gemeinde", g.place.PLZ+" "+g.place.Name),
			f("Betroffene Fläche", g.pick([]string{"Gehweg", "Fahrbahn", "Parkstreifen", "Grünstreifen"})),
		}},
		{Title: "Art und Umfang", Fields: []api.Field{
			f("Art der Nutzung", kind),
			f("Fläche in m²", strconv.Itoa(area/10)+","+strconv.Itoa(area%10)),
			f("Verkehrszeichenplan erforderlich", jaNein(g.pct(50))),
		}},
		{Title: "Zeitraum", Fields: []api.Field{
			f("von", deDate(from)),
			f("bis", deDate(to)),
		}},
	}
}

var incomeKinds = []string{"Erwerbseinkommen", "Altersrente", "Arbeitslosengeld I", "Erwerbsminderungsrente", "Elterngeld und Erwerbseinkommen"}

func formWohngeld(g *caseGen) []api.Section {
	members := g.between(1, 5)
	names := []string{g.first + " " + g.last + " (" + strconv.Itoa(g.birth.Year()) + ")"}
	for k := 1; k < members; k++ {
		var first string
		if g.pct(50) {
			first = g.pick(firstNamesF)
		} else {
			first = g.pick(firstNamesM)
		}
		names = append(names, first+" "+g.last+" ("+strconv.Itoa(g.today.Year()-g.between(1, 45))+")")
	}
	income := int64(g.between(900, 2600)+250*(members-1)) * 100
	rent := int64(g.between(280, 520)+60*members)*100 + int64(g.r.IntN(100))
	area := 35 + 12*members + g.r.IntN(15)
	next := g.submitted.AddDate(0, 1, 0)
	start := next.AddDate(0, 0, 1-next.Day())
	g.validUntil = isoDate(start.AddDate(1, 0, -1)) // twelve-month Bewilligungszeitraum
	return []api.Section{
		{Title: "Antrag", Fields: []api.Field{
			f("Antragsart", g.pick([]string{"Erstantrag", "Weiterleistungsantrag", "Erstantrag"})),
			f("Bewilligungszeitraum ab", deDate(start)),
		}},
		{Title: "Haushalt", Fields: []api.Field{
			f("Haushaltsmitglieder (Anzahl)", strconv.Itoa(members)),
			f("Haushaltsmitglieder", strings.Join(names, ", ")),
		}},
		{Title: "Einkommen", Fields: []api.Field{
			f("Einkommensart", g.pick(incomeKinds)),
			f("Monatliches Bruttoeinkommen des Haushalts", euro(income)),
		}},
		{Title: "Wohnung", Fields: []api.Field{
			f("Bruttokaltmiete monatlich", euro(rent)),
			f("Heizkosten monatlich", euro(int64(g.between(50, 140))*100)),
			f("Wohnfläche in m²", strconv.Itoa(area)),
			f("Mietbeginn", deDate(g.movedIn)),
		}},
	}
}

var (
	purposesExtended = []string{ // § 30a BZRG: work with children and young people
		"Ehrenamtliche Tätigkeit in der Kinder- und Jugendhilfe (§ 72a SGB VIII)",
		"Übungsleiter/in im Sportverein (Kinder- und Jugendbereich)",
		"Tätigkeit als Tagespflegeperson",
		"Betreuungskraft an der Grundschule",
	}
	purposes = []string{
		"Bewerbung bei einem Pflegedienst",
		"Einstellung im öffentlichen Dienst",
		"Bewerbung als Berufskraftfahrer/in",
		"Vorlage beim Arbeitgeber",
	}
)

func formFuehrung(g *caseGen) []api.Section {
	belegart := g.pick([]string{"Privatführungszeugnis (Belegart N)", "Führungszeugnis zur Vorlage bei einer Behörde (Belegart O)",
		"Erweitertes Führungszeugnis (Belegart NE)", "Erweitertes Führungszeugnis zur Vorlage bei einer Behörde (Belegart OE)"})
	purpose := g.pick(purposes)
	if strings.Contains(belegart, "Erweitertes") {
		purpose = g.pick(purposesExtended)
	}
	secs := []api.Section{
		{Title: "Art des Führungszeugnisses", Fields: []api.Field{
			f("Belegart", belegart),
			f("Verwendungszweck", purpose),
		}},
		g.personSection("Angaben zur Person"),
	}
	secs[1].Fields = append(secs[1].Fields,
		f("Geburtsname", g.last),
		f("Geburtsort", g.pick([]string{"Schwerin", "Rostock", "Greifswald", "Parchim", "Ludwigslust", "Anklam", "Wolgast", "Hamburg", "Berlin"})),
		f("Staatsangehörigkeit", "deutsch"))
	if strings.Contains(belegart, "Behörde") {
		secs[0].Fields = append(secs[0].Fields, f("Empfangsbehörde", g.pick([]string{
			g.amt.Kreis + ", Jugendamt", "Landesamt für Gesundheit und Soziales M-V", g.amt.Name + ", Personalstelle"})))
	}
	return secs
}

func formMelde(g *caseGen) []api.Section {
	return []api.Section{
		{Title: "Bescheinigung", Fields: []api.Field{
			f("Art", g.pick([]string{"einfache Meldebescheinigung", "einfache Meldebescheinigung", "erweiterte Meldebescheinigung"})),
			f("Zweck", g.pick([]string{"Vorlage beim Arbeitgeber", "Vorlage bei der Bank", "Kindergeld (Familienkasse)", "Vorlage beim Vermieter", "Einbürgerungsverfahren"})),
			f("Anzahl der Ausfertigungen", strconv.Itoa(g.between(1, 2))),
			f("Zustellung", g.pick([]string{"per Post", "Abholung im Bürgerbüro", "elektronisch ins Postfach"})),
		}},
		g.personSection("Angaben zur Person"),
	}
}

func formFischerei(g *caseGen) []api.Section {
	return []api.Section{
		{Title: "Fischereischein", Fields: []api.Field{
			f("Art", g.pick([]string{"Fischereischein (unbefristet)", "Fischereischein (unbefristet)", "Ersatzausfertigung (Verlust)"})),
			f("Datum der Fischerprüfung", deDate(g.submitted.AddDate(0, -g.between(0, 30), -g.r.IntN(28)))),
			f("Prüfungszeugnis Nr.", "MV-"+strconv.Itoa(g.submitted.Year()-g.r.IntN(3))+"-"+pad(g.r.IntN(100000), 5)),
			f("Prüfungsort", g.pick([]string{"Schwerin", "Rostock", "Greifswald", "Neubrandenburg"})),
		}},
		g.personSection("Angaben zur Person"),
	}
}

func formVeranstaltung(g *caseGen) []api.Section {
	name := g.pick([]string{"Dorffest", "Osterfeuer", "Sommerfest der Freiwilligen Feuerwehr", "Laternenumzug",
		"Flohmarkt", "Erntefest", "Beachvolleyball-Turnier", "Weihnachtsmarkt"}) + " " + g.place.Name
	day := g.submitted.AddDate(0, 0, g.between(21, 90))
	return []api.Section{
		{Title: "Veranstaltung", Fields: []api.Field{
			f("Bezeichnung", name),
			f("Ort", g.pick([]string{"Festwiese", "Sportplatz", "Dorfplatz", "Strandpromenade", "Gemeindezentrum"})+", "+g.place.Name),
			f("Datum", deDate(day)),
			f("Uhrzeit", g.pick([]string{"14:00–22:00 Uhr", "10:00–18:00 Uhr", "18:00–01:00 Uhr", "15:00–23:00 Uhr"})),
			f("Erwartete Besucherzahl", strconv.Itoa(g.between(2, 24)*25)),
		}},
		{Title: "Angaben zum Ablauf", Fields: []api.Field{
			f("Ausschank alkoholischer Getränke", jaNein(g.pct(60))),
			f("Musik / Lautsprecheranlage", jaNein(g.pct(70))),
			f("Offenes Feuer / Feuerwerk", jaNein(g.pct(20))),
			f("Verantwortliche Person vor Ort", g.first+" "+g.last),
		}},
	}
}

func formBaum(g *caseGen) []api.Section {
	return []api.Section{
		{Title: "Standort", Fields: []api.Field{
			f("Grundstück", g.street+", "+g.place.PLZ+" "+g.place.Name),
			f("Gemarkung", g.place.Name),
			f("Flur / Flurstück", strconv.Itoa(g.between(1, 9))+" / "+strconv.Itoa(g.between(10, 400))+"/"+strconv.Itoa(g.between(1, 9))),
		}},
		{Title: "Baum", Fields: []api.Field{
			f("Baumart", g.pick([]string{"Stieleiche", "Rotbuche", "Winterlinde", "Bergahorn", "Gemeine Esche", "Hängebirke", "Rosskastanie", "Hybridpappel"})),
			f("Stammumfang in 1,30 m Höhe (cm)", strconv.Itoa(g.between(100, 320))),
			f("Höhe (m)", strconv.Itoa(g.between(8, 28))),
			f("Anzahl", strconv.Itoa(g.between(1, 3))),
		}},
		{Title: "Begründung", Fields: []api.Field{
			f("Grund der Fällung", g.pick([]string{"Baum abgestorben (Eschentriebsterben)", "Gefahr für Gebäude und Personen",
				"Bauvorhaben (Baugenehmigung liegt vor)", "Starker Pilzbefall am Stammfuß", "Sturmschaden"})),
			f("Ersatzpflanzung angeboten", jaNein(g.pct(70))),
		}},
	}
}
