package demo

import "github.com/amt-mv/amt/api"

// place is a village or town of an Amt with its postcode.
type place struct {
	Name string
	PLZ  string
}

// amtDef describes one real Amt of Mecklenburg-Vorpommern with its member municipalities,
// district and staff. The clerks are invented.
type amtDef struct {
	ID, Name string
	Code     string   // short code for cash references
	Kreis    string   // the district (Landkreis), e.g. for forwarded cases and vehicle registration
	Court    string   // the register court (Handelsregister)
	Plates   []string // licence plate prefixes of the district
	Zones    []string // residents' parking zones
	Places   []place
	Clerks   []Clerk
}

var amtDefs = []amtDef{
	{
		ID: "amt-crivitz", Name: "Amt Crivitz", Code: "CRI",
		Kreis: "Landkreis Ludwigslust-Parchim", Court: "Amtsgericht Schwerin",
		Plates: []string{"LUP", "PCH", "LWL"},
		Zones:  []string{"Zone 1 – Altstadt Crivitz", "Zone 2 – Am Crivitzer See"},
		Places: []place{{"Crivitz", "19089"}, {"Banzkow", "19079"}, {"Sukow", "19079"}, {"Plate", "19086"},
			{"Pinnow", "19065"}, {"Raben Steinfeld", "19065"}, {"Leezen", "19067"}, {"Cambs", "19067"},
			{"Demen", "19089"}, {"Friedrichsruhe", "19089"}, {"Tramm", "19089"}, {"Zapel", "19089"}},
		Clerks: []Clerk{
			{ID: "crivitz.schulz", Name: "Kerstin Schulz", Amt: "amt-crivitz", Role: api.RoleLead},
			{ID: "crivitz.krueger", Name: "Mathias Krüger", Amt: "amt-crivitz", Role: api.RoleClerk},
			{ID: "crivitz.peters", Name: "Anja Peters", Amt: "amt-crivitz", Role: api.RoleClerk},
			{ID: "crivitz.wendt", Name: "Jan Wendt", Amt: "amt-crivitz", Role: api.RoleClerk},
		},
	},
	{
		ID: "amt-neustadt-glewe", Name: "Amt Neustadt-Glewe", Code: "NGL",
		Kreis: "Landkreis Ludwigslust-Parchim", Court: "Amtsgericht Schwerin",
		Plates: []string{"LUP", "LWL", "PCH"},
		Zones:  []string{"Zone A – Innenstadt", "Zone B – An der Burg"},
		Places: []place{{"Neustadt-Glewe", "19306"}, {"Klein Laasch", "19306"}, {"Blievenstorf", "19306"},
			{"Brenz", "19306"}},
		Clerks: []Clerk{
			{ID: "neustadt.bade", Name: "Sabine Bade", Amt: "amt-neustadt-glewe", Role: api.RoleLead},
			{ID: "neustadt.voss", Name: "Thomas Voß", Amt: "amt-neustadt-glewe", Role: api.RoleClerk},
			{ID: "neustadt.lange", Name: "Nadine Lange", Amt: "amt-neustadt-glewe", Role: api.RoleClerk},
		},
	},
	{
		ID: "amt-peenetal-loitz", Name: "Amt Peenetal/Loitz", Code: "LOI",
		Kreis: "Landkreis Vorpommern-Greifswald", Court: "Amtsgericht Stralsund",
		Plates: []string{"VG", "DM", "GW"},
		Zones:  []string{"Zone 1 – Marktplatz Loitz"},
		Places: []place{{"Loitz", "17121"}, {"Görmin", "17121"}, {"Sassen-Trantow", "17121"},
			{"Düvier", "17121"}, {"Rustow", "17121"}},
		Clerks: []Clerk{
			{ID: "loitz.kowalski", Name: "Andreas Kowalski", Amt: "amt-peenetal-loitz", Role: api.RoleLead},
			{ID: "loitz.behrens", Name: "Petra Behrens", Amt: "amt-peenetal-loitz", Role: api.RoleClerk},
			{ID: "loitz.zander", Name: "Monique Zander", Amt: "amt-peenetal-loitz", Role: api.RoleClerk},
		},
	},
	{
		ID: "amt-usedom-sued", Name: "Amt Usedom-Süd", Code: "USE",
		Kreis: "Landkreis Vorpommern-Greifswald", Court: "Amtsgericht Stralsund",
		Plates: []string{"VG", "WLG", "GW"},
		Zones:  []string{"Zone K – Koserow Ortskern", "Zone Z – Zempin Strandstraße", "Zone Ü – Ückeritz Seebad"},
		Places: []place{{"Usedom", "17406"}, {"Stolpe auf Usedom", "17406"}, {"Rankwitz", "17406"},
			{"Benz", "17429"}, {"Mellenthin", "17429"}, {"Pudagla", "17429"}, {"Koserow", "17459"},
			{"Loddin", "17459"}, {"Zempin", "17459"}, {"Ückeritz", "17459"}, {"Kamminke", "17419"},
			{"Korswandt", "17419"}, {"Zirchow", "17419"}, {"Garz", "17419"}},
		Clerks: []Clerk{
			{ID: "usedom.rieck", Name: "Birgit Rieck", Amt: "amt-usedom-sued", Role: api.RoleLead},
			{ID: "usedom.thiede", Name: "Stefan Thiede", Amt: "amt-usedom-sued", Role: api.RoleClerk},
			{ID: "usedom.moeller", Name: "Claudia Möller", Amt: "amt-usedom-sued", Role: api.RoleClerk},
			{ID: "usedom.hinz", Name: "Ronny Hinz", Amt: "amt-usedom-sued", Role: api.RoleClerk},
		},
	},
}

var (
	firstNamesF = []string{"Anja", "Birgit", "Claudia", "Doreen", "Franziska", "Heike", "Ines", "Jana",
		"Katrin", "Lena", "Marie", "Nicole", "Petra", "Sandra", "Sophie", "Susanne", "Ute", "Yvonne",
		"Emma", "Hannah", "Mia", "Ilse", "Gisela", "Jacqueline"}
	firstNamesM = []string{"Andreas", "Bernd", "Christian", "Dirk", "Enrico", "Frank", "Hans-Jürgen",
		"Jens", "Karsten", "Lars", "Marcel", "Mike", "Norbert", "Olaf", "Paul", "René", "Sven", "Torsten",
		"Uwe", "Jonas", "Lukas", "Finn", "Günter", "Mehmet"}
	lastNames = []string{"Müller", "Schmidt", "Schröder", "Krüger", "Lange", "Wegner", "Hinz", "Jahnke",
		"Brandt", "Voß", "Kühn", "Ahrens", "Timm", "Evers", "Lüdtke", "Rehberg", "Wilken", "Bartels",
		"Böttcher", "Dittmann", "Förster", "Heitmann", "Kowalczyk", "Ladwig", "Maaß", "Nehls", "Pagel",
		"Rathke", "Scharnweber", "Stüdemann", "Thießen", "Wendland", "Zabel", "Yılmaz", "Nguyen", "Peters"}
	streets = []string{"Dorfstraße", "Hauptstraße", "Schweriner Straße", "Bahnhofstraße", "Lindenallee",
		"Kirchstraße", "Schulstraße", "Am See", "Gartenweg", "Mühlenweg", "Waldweg", "Parkstraße",
		"Rosenweg", "Feldstraße", "Am Sportplatz", "Fritz-Reuter-Straße", "Ernst-Thälmann-Straße",
		"Strandstraße", "Wiesenweg", "Birkenweg"}
	trades   = []string{"Haustechnik", "Dachdeckerei", "Bau", "Gartenbau", "Elektro", "Malerbetrieb", "Ferienwohnungen", "Metallbau", "Landhandel", "Tischlerei"}
	orgForms = []string{"GmbH", "e.K.", "GbR", "UG (haftungsbeschränkt)", "GmbH & Co. KG"}
	vereine  = []string{"SV Blau-Weiß", "Heimatverein", "Anglerverein", "Förderverein Freiwillige Feuerwehr", "Kulturverein", "Karnevalsclub", "Reit- und Fahrverein"}
	// fictionalPhone are the number ranges the Bundesnetzagentur keeps for films and examples.
	fictionalPhone = []string{"030 23125 ", "040 66969 ", "069 90009 ", "0221 4710 ", "089 99998 "}
	mailDomains    = []string{"example.org", "example.com", "example.net"}
)

// attDef is an attachment a service may carry: its file name, file, and percent chance.
type attDef struct {
	Name string
	Kind fileKind
	Pct  int
}

// serviceDef describes one administrative service of an Amt.
type serviceDef struct {
	Key, Name, Prefix string
	FeeCents          int64
	DueDays           int // legal or internal deadline after submission
	FourEyes          bool
	OrgPct            int // percent of applicants that are organisations
	ValidMonths       int // validity of an approval from the decision, 0 = none or set by the form
	Weight            int
	Attachments       []attDef
	Docs              []string // documents that may be requested (Nachforderung)
	Notes             []string // service-specific notes
	Approve, Reject   string   // decision reasoning
	form              func(g *caseGen) []api.Section
	evidence          func(g *caseGen) []api.Evidence
}

// LeiKa keys: the Gewerbeanmeldung key is the real one; the others follow the LeiKa pattern
// (99 + group + object + activity) and are plausible, not authoritative.
var services = []*serviceDef{
	{Key: "99050012104000", Name: "Gewerbeanmeldung", Prefix: "GEW", FeeCents: 2600, DueDays: 3, OrgPct: 35, Weight: 14,
		Attachments: []attDef{{"Personalausweis_Kopie.pdf", filePersonalausweis, 80}, {"Handelsregisterauszug.pdf", fileHandelsregister, 30}},
		Docs:        []string{"Kopie des Personalausweises oder Reisepasses", "Aktueller Handelsregisterauszug", "Erlaubnis nach § 34a GewO"},
		Notes:       []string{"Tätigkeit nicht erlaubnispflichtig; Durchschriften an IHK, Finanzamt und Berufsgenossenschaft nach Eintragung.", "Gewerbezentralregister: keine Eintragungen."},
		Approve:     "Die Gewerbeanzeige ist vollständig. Die Empfangsbescheinigung nach § 15 Abs. 1 GewO wird erteilt.",
		Reject:      "Die angezeigte Tätigkeit ist erlaubnispflichtig; die Erlaubnis wurde nicht nachgewiesen.",
		form:        formGewerbe, evidence: evidenceGewerbe},
	{Key: "99101005012000", Name: "Hundesteuer-Anmeldung", Prefix: "HST", DueDays: 14, Weight: 10,
		Attachments: []attDef{{"Heimtierausweis_Scan.png", fileScan, 70}, {"Haftpflichtversicherung.pdf", fileVollmacht, 30}},
		Docs:        []string{"Kopie des Heimtierausweises (Seite mit Transpondernummer)", "Nachweis der Hundehaftpflichtversicherung"},
		Notes:       []string{"Chipnummer mit Heimtierausweis abgeglichen.", "Hundesteuermarke ausgegeben."},
		Approve:     "Der Hund wird zur Hundesteuer veranlagt; der Steuerbescheid und die Steuermarke werden übersandt.",
		Reject:      "Der Hund ist bereits unter einer anderen Steuernummer angemeldet.",
		form:        formHund, evidence: evidenceMelde},
	{Key: "99102007012000", Name: "Bewohnerparkausweis", Prefix: "BPA", FeeCents: 3070, DueDays: 14, ValidMonths: 12, Weight: 8,
		Attachments: []attDef{{"Fahrzeugschein_Scan.png", fileScan, 85}},
		Docs:        []string{"Zulassungsbescheinigung Teil I (Fahrzeugschein)", "Überlassungserklärung des Fahrzeughalters"},
		Notes:       []string{"Halterdaten stimmen mit dem Zulassungsregister überein.", "Hauptwohnsitz in der Zone bestätigt."},
		Approve:     "Die Voraussetzungen nach § 45 Abs. 1b StVO liegen vor; der Bewohnerparkausweis wird für ein Jahr erteilt.",
		Reject:      "Die Wohnung liegt außerhalb der Bewohnerparkzone.",
		form:        formParken, evidence: evidenceParken},
	{Key: "99058007261000", Name: "Sondernutzungserlaubnis", Prefix: "SNE", FeeCents: 5000, DueDays: 28, FourEyes: true, OrgPct: 60, Weight: 8,
		Attachments: []attDef{{"Lageplan.png", fileLageplan, 90}, {"Verkehrszeichenplan.pdf", fileKonzept, 60}},
		Docs:        []string{"Lageplan mit Maßangaben", "Verkehrszeichenplan", "Nachweis der Haftpflichtversicherung"},
		Notes:       []string{"Stellungnahme des Bauhofs angefragt (Restgehwegbreite 1,30 m).", "Abstimmung mit der Verkehrsbehörde des Landkreises erfolgt."},
		Approve:     "Die Sondernutzung wird nach § 22 StrWG M-V unter Auflagen (Verkehrssicherung, Wiederherstellung) widerruflich erlaubt.",
		Reject:      "Die Sondernutzung beeinträchtigt die Sicherheit und Leichtigkeit des Verkehrs unzumutbar.",
		form:        formSondernutzung, evidence: evidenceOrg},
	{Key: "99107004018000", Name: "Wohngeld (Mietzuschuss)", Prefix: "WOG", DueDays: 60, FourEyes: true, Weight: 9,
		Attachments: []attDef{{"Mietvertrag.pdf", fileMietvertrag, 90}, {"Verdienstbescheinigung.pdf", fileEinkommen, 80}, {"Personalausweis_Kopie.pdf", filePersonalausweis, 30}},
		Docs:        []string{"Verdienstbescheinigungen der letzten 12 Monate", "Mietbescheinigung des Vermieters", "Kontoauszüge der letzten 3 Monate", "Rentenbescheid"},
		Notes:       []string{"Einkommensberechnung nach §§ 14 ff. WoGG durchgeführt.", "Höchstbetrag der Miete nach Mietenstufe berücksichtigt."},
		Approve:     "Wohngeld wird für den Bewilligungszeitraum von zwölf Monaten bewilligt.",
		Reject:      "Das anzurechnende Einkommen übersteigt die Einkommensgrenze nach Anlage 1 WoGG.",
		form:        formWohngeld, evidence: evidenceMelde},
	{Key: "99089001001000", Name: "Führungszeugnis", Prefix: "FZG", FeeCents: 1300, DueDays: 7, Weight: 10,
		Attachments: []attDef{{"Aufforderung_Verein.pdf", fileVollmacht, 35}},
		Docs:        []string{"Schriftliche Aufforderung nach § 30a Abs. 2 BZRG", "Kopie des Personalausweises"},
		Notes:       []string{"Antrag an das Bundesamt für Justiz übermittelt.", "Identität anhand des Online-Ausweises geprüft."},
		Approve:     "Der Antrag wurde geprüft und an das Bundesamt für Justiz (Bundeszentralregister) übermittelt.",
		Reject:      "Für ein erweitertes Führungszeugnis fehlt die Aufforderung nach § 30a Abs. 2 BZRG.",
		form:        formFuehrung, evidence: evidenceMelde},
	{Key: "99115005000000", Name: "Meldebescheinigung", Prefix: "MEB", FeeCents: 500, DueDays: 3, Weight: 12,
		Docs:    []string{"Kopie des Personalausweises"},
		Notes:   []string{"Bescheinigung per Post versandt.", "Auskunftssperre geprüft: keine."},
		Approve: "Die Meldebescheinigung nach § 18 BMG wird ausgestellt.",
		Reject:  "Die Person ist im Zuständigkeitsbereich nicht gemeldet.",
		form:    formMelde, evidence: evidenceMelde},
	{Key: "99036004012000", Name: "Fischereischein", Prefix: "FIS", FeeCents: 2400, DueDays: 14, Weight: 5,
		Attachments: []attDef{{"Pruefungszeugnis_Scan.png", fileScan, 80}, {"Passbild.png", fileScan, 60}},
		Docs:        []string{"Prüfungszeugnis der Fischerprüfung", "Aktuelles Passbild"},
		Notes:       []string{"Prüfungszeugnis im Register des LALLF bestätigt."},
		Approve:     "Der Fischereischein wird nach § 6 LFischG M-V erteilt.",
		Reject:      "Die Fischerprüfung wurde nicht nachgewiesen.",
		form:        formFischerei, evidence: evidenceFischerei},
	{Key: "99038010012000", Name: "Anmeldung einer Veranstaltung", Prefix: "VER", FeeCents: 4000, DueDays: 21, OrgPct: 70, Weight: 6,
		Attachments: []attDef{{"Sicherheitskonzept.pdf", fileKonzept, 60}, {"Lageplan_Festplatz.png", fileLageplan, 70}},
		Docs:        []string{"Sicherheitskonzept", "Lageplan mit Rettungswegen", "Nachweis der Veranstalterhaftpflicht"},
		Notes:       []string{"Gestattung nach § 12 GastG für den Ausschank erforderlich – Hinweis an Veranstalter.", "Brandschutz mit Wehrführer abgestimmt."},
		Approve:     "Die Veranstaltung wird unter Auflagen (Lärmschutz ab 22 Uhr, Rettungswege freihalten) zur Kenntnis genommen.",
		Reject:      "Der Veranstaltungsort ist für die erwartete Besucherzahl nicht geeignet.",
		form:        formVeranstaltung, evidence: evidenceOrg},
	{Key: "99116013062000", Name: "Baumfällgenehmigung", Prefix: "BFG", FeeCents: 3500, DueDays: 21, FourEyes: true, OrgPct: 20, Weight: 6,
		Attachments: []attDef{{"Foto_Baum.png", fileFotoBaum, 90}, {"Lageplan_Grundstueck.png", fileLageplan, 50}},
		Docs:        []string{"Foto des Baumes", "Lageplan des Grundstücks", "Baumgutachten"},
		Notes:       []string{"Ortsbesichtigung durchgeführt: Totholz im Kronenbereich, Standsicherheit fraglich.", "Ersatzpflanzung (2 Stück, StU 16–18 cm) als Auflage vorgesehen."},
		Approve:     "Die Fällung wird nach § 18 NatSchAG M-V genehmigt; Ersatzpflanzung als Auflage. Fällung nur vom 1. Oktober bis 28. Februar.",
		Reject:      "Der Baum ist vital und standsicher; ein Ausnahmegrund nach § 18 Abs. 3 NatSchAG M-V liegt nicht vor.",
		form:        formBaum, evidence: evidenceMelde},
}

var genericNotes = []string{
	"Vollständigkeit geprüft – alle Pflichtangaben vorhanden.",
	"Antragsteller telefonisch erreicht, Unterlagen werden nachgereicht.",
	"Rückfrage per E-Mail gestellt.",
	"Vorgang mit der Sachgebietsleitung besprochen.",
	"Identität über Melderegister bestätigt (Once-Only-Abruf).",
	"Eingangsbestätigung versandt.",
}
