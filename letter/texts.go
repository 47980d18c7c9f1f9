package letter

// ServiceTextsByKey are the letter wordings of the services the demo and a new installation
// know, by LeiKa key. Written by the amt team from the legal facts (statutes of the Federal
// Republic and of Mecklenburg-Vorpommern); an operator may replace them in the service catalogue.
var ServiceTextsByKey = map[string]ServiceTexts{
	"99050012104000": { // Gewerbeanmeldung
		LegalBasis:  "§ 14 Abs. 1 und § 15 Abs. 1 Gewerbeordnung (GewO)",
		GrantNoDate: "Der Empfang Ihrer Gewerbeanzeige wird bescheinigt (§ 15 Abs. 1 GewO). Die Empfangsbescheinigung (Gewerbeschein) liegt bei.",
		FeeBasis:    "Verwaltungskostengesetz M-V in Verbindung mit der Kostenverordnung für Amtshandlungen nach der Gewerbeordnung",
		Blocks: []TextBlock{
			{Key: "1", Kind: KindBescheid, Title: "Anzeige vollständig", Text: "Ihre Gewerbeanzeige ist vollständig. Die angezeigte Tätigkeit ist nicht erlaubnispflichtig."},
			{Key: "2", Kind: KindBescheid, Title: "Erlaubnis fehlt", Text: "Die angezeigte Tätigkeit bedarf einer Erlaubnis, die Sie nicht nachgewiesen haben. Ohne diese Erlaubnis darf das Gewerbe nicht ausgeübt werden."},
			{Key: "3", Kind: KindNachforderung, Title: "Ausweis", Text: "Bitte senden Sie uns eine Kopie Ihres Personalausweises oder Reisepasses (Vorder- und Rückseite)."},
			{Key: "4", Kind: KindNachforderung, Title: "Registerauszug", Text: "Bitte senden Sie uns einen aktuellen Auszug aus dem Handelsregister (nicht älter als drei Monate)."},
		},
	},
	"99101005012000": { // Hundesteuer-Anmeldung
		LegalBasis:  "§ 3 Kommunalabgabengesetz M-V (KAG M-V) in Verbindung mit der Hundesteuersatzung der Gemeinde",
		GrantNoDate: "Ihr Hund wird ab dem Monat der Anschaffung zur Hundesteuer nach der Hundesteuersatzung der Gemeinde veranlagt. Die Steuermarke liegt bei; der Hund muss sie außerhalb der Wohnung sichtbar tragen.",
		RemedyNote:  "Der Widerspruch hat keine aufschiebende Wirkung (§ 80 Abs. 2 Satz 1 Nr. 1 VwGO): Die festgesetzte Steuer ist auch bei einem Widerspruch zu den Fälligkeitsterminen zu zahlen.",
		Blocks: []TextBlock{
			{Key: "1", Kind: KindBescheid, Title: "Veranlagung", Text: "Sie halten den Hund in Ihrem Haushalt im Gemeindegebiet. Damit sind Sie nach der Hundesteuersatzung steuerpflichtig."},
			{Key: "2", Kind: KindNachforderung, Title: "Heimtierausweis", Text: "Bitte senden Sie uns eine Kopie der Seite des Heimtierausweises mit der Transpondernummer."},
		},
	},
	"99102007012000": { // Bewohnerparkausweis
		LegalBasis: "§ 45 Abs. 1b Satz 1 Nr. 2a Straßenverkehrs-Ordnung (StVO)",
		Grant:      "Der Bewohnerparkausweis wird für das im Antrag genannte Fahrzeug erteilt und gilt bis zum {bis}.",
		Conditions: []string{"Der Ausweis gilt nur in der im Antrag genannten Bewohnerparkzone und ist gut lesbar hinter der Windschutzscheibe auszulegen."},
		FeeBasis:   "Gebührenordnung für Maßnahmen im Straßenverkehr (GebOSt), Gebühren-Nr. 265",
		Blocks: []TextBlock{
			{Key: "1", Kind: KindBescheid, Title: "Voraussetzungen liegen vor", Text: "Sie wohnen mit Hauptwohnsitz in der Bewohnerparkzone und sind Halter oder dauernder Nutzer des Fahrzeugs."},
			{Key: "2", Kind: KindBescheid, Title: "Außerhalb der Zone", Text: "Ihre Wohnung liegt außerhalb der Bewohnerparkzone. Ein Bewohnerparkausweis kann nur Bewohnern der Zone erteilt werden."},
			{Key: "3", Kind: KindNachforderung, Title: "Fahrzeugschein", Text: "Bitte senden Sie uns eine Kopie der Zulassungsbescheinigung Teil I (Fahrzeugschein)."},
		},
	},
	"99058007261000": { // Sondernutzungserlaubnis
		LegalBasis: "§ 22 Straßen- und Wegegesetz des Landes Mecklenburg-Vorpommern (StrWG M-V)",
		Grant:      "Die Sondernutzung der öffentlichen Verkehrsfläche wird wie beantragt bis zum {bis} erlaubt. Die Erlaubnis ist widerruflich.",
		Conditions: []string{
			"Die genutzte Fläche ist nach den Regeln der Verkehrssicherung abzusichern; eine Restgehwegbreite von mindestens 1,30 m ist freizuhalten.",
			"Nach dem Ende der Nutzung ist die Fläche unverzüglich im ursprünglichen Zustand wiederherzustellen.",
		},
		FeeBasis: "Sondernutzungsgebührensatzung der Gemeinde",
		Blocks: []TextBlock{
			{Key: "1", Kind: KindBescheid, Title: "Verkehr nicht beeinträchtigt", Text: "Die Sicherheit und Leichtigkeit des Verkehrs werden durch die Nutzung unter den genannten Auflagen nicht unzumutbar beeinträchtigt."},
			{Key: "2", Kind: KindBescheid, Title: "Verkehr beeinträchtigt", Text: "Die beantragte Nutzung würde die Sicherheit und Leichtigkeit des Verkehrs unzumutbar beeinträchtigen; Auflagen können dies nicht ausgleichen."},
			{Key: "3", Kind: KindNachforderung, Title: "Lageplan", Text: "Bitte senden Sie uns einen Lageplan mit Maßangaben, aus dem die genutzte Fläche und die verbleibende Gehwegbreite hervorgehen."},
		},
	},
	"99107004018000": { // Wohngeld (Mietzuschuss)
		LegalBasis:         "§§ 1 bis 25 Wohngeldgesetz (WoGG)",
		Grant:              "Ihnen wird Wohngeld als Mietzuschuss für den Bewilligungszeitraum bis zum {bis} bewilligt. Die Höhe und die Berechnung ergeben sich aus der Anlage.",
		Conditions:         []string{"Änderungen Ihres Einkommens, Ihrer Miete oder der Zahl der Haushaltsmitglieder müssen Sie uns unverzüglich mitteilen (§ 27 WoGG, § 60 SGB I)."},
		MissingConsequence: "Gehen die Unterlagen bis zu diesem Tag nicht ein, kann das Wohngeld wegen fehlender Mitwirkung ganz oder teilweise versagt werden (§§ 60, 66 Erstes Buch Sozialgesetzbuch).",
		Blocks: []TextBlock{
			{Key: "1", Kind: KindBescheid, Title: "Einkommen unter der Grenze", Text: "Das nach §§ 14 ff. WoGG ermittelte Gesamteinkommen Ihres Haushalts liegt unter der Einkommensgrenze; die berücksichtigungsfähige Miete wurde nach der Mietenstufe der Gemeinde begrenzt."},
			{Key: "2", Kind: KindBescheid, Title: "Einkommen über der Grenze", Text: "Das nach §§ 14 ff. WoGG ermittelte Gesamteinkommen Ihres Haushalts übersteigt die Einkommensgrenze nach Anlage 1 WoGG; ein Wohngeldanspruch besteht daher nicht."},
			{Key: "3", Kind: KindNachforderung, Title: "Einkommensnachweise", Text: "Bitte senden Sie uns die Verdienstbescheinigungen aller Haushaltsmitglieder für die letzten zwölf Monate."},
		},
	},
	"99089001001000": { // Führungszeugnis
		LegalBasis:  "§ 30 Abs. 2 und § 30a Bundeszentralregistergesetz (BZRG)",
		GrantNoDate: "Ihr Antrag wurde an das Bundesamt für Justiz übermittelt. Das Führungszeugnis wird Ihnen von dort zugesandt.",
		FeeBasis:    "Justizverwaltungskostengesetz, Gebühr Nr. 1130 des Kostenverzeichnisses",
		Blocks: []TextBlock{
			{Key: "1", Kind: KindNachforderung, Title: "Aufforderung", Text: "Für ein erweitertes Führungszeugnis benötigen wir die schriftliche Aufforderung der Stelle, die es verlangt (§ 30a Abs. 2 BZRG)."},
		},
	},
	"99115005000000": { // Meldebescheinigung
		LegalBasis:  "§ 18 Bundesmeldegesetz (BMG)",
		GrantNoDate: "Die Meldebescheinigung wird ausgestellt und liegt bei.",
		FeeBasis:    "Landesverordnung über die Gebühren im Meldewesen M-V",
	},
	"99036004012000": { // Fischereischein
		LegalBasis: "§ 6 Landesfischereigesetz Mecklenburg-Vorpommern (LFischG M-V)",
		Grant:      "Der Fischereischein wird erteilt und gilt bis zum {bis}.",
		GrantNoDate: "Der Fischereischein wird erteilt. Er berechtigt nicht allein zum Fischfang; " +
			"dazu ist zusätzlich die Erlaubnis des Fischereiberechtigten erforderlich.",
		FeeBasis: "Fischereigebührenverordnung M-V",
		Blocks: []TextBlock{
			{Key: "1", Kind: KindNachforderung, Title: "Prüfungszeugnis", Text: "Bitte senden Sie uns das Zeugnis über die bestandene Fischerprüfung."},
		},
	},
	"99038010012000": { // Anmeldung einer Veranstaltung
		LegalBasis:  "Sicherheits- und Ordnungsgesetz M-V (SOG M-V)",
		GrantNoDate: "Die angemeldete Veranstaltung wird unter den folgenden Auflagen zur Kenntnis genommen.",
		Conditions: []string{
			"Ab 22 Uhr ist die Lautstärke so zu begrenzen, dass die Nachtruhe der Nachbarschaft nicht gestört wird.",
			"Rettungswege und Zufahrten für Feuerwehr und Rettungsdienst sind jederzeit freizuhalten.",
		},
		FeeBasis: "Verwaltungskostengesetz M-V",
		Blocks: []TextBlock{
			{Key: "1", Kind: KindNachforderung, Title: "Sicherheitskonzept", Text: "Bitte senden Sie uns ein Sicherheitskonzept mit der erwarteten Besucherzahl, dem Ordnungsdienst und den Rettungswegen."},
		},
	},
	"99116013062000": { // Baumfällgenehmigung
		LegalBasis: "§ 18 Naturschutzausführungsgesetz M-V (NatSchAG M-V) und Baumschutzsatzung der Gemeinde",
		GrantNoDate: "Die Fällung des im Antrag bezeichneten Baumes wird genehmigt. Die Genehmigung erlischt, " +
			"wenn der Baum nicht innerhalb von zwei Jahren gefällt wird.",
		Grant: "Die Fällung des im Antrag bezeichneten Baumes wird genehmigt. Die Genehmigung gilt bis zum {bis}.",
		Conditions: []string{
			"Die Fällung ist nur in der Zeit vom 1. Oktober bis zum 28. Februar zulässig (§ 39 Abs. 5 BNatSchG).",
			"Als Ersatz sind auf dem Grundstück innerhalb eines Jahres nach der Fällung zwei standortgerechte Laubbäume (Stammumfang 16 bis 18 cm) zu pflanzen und dauerhaft zu erhalten.",
		},
		FeeBasis: "Verwaltungskostengesetz M-V",
		Blocks: []TextBlock{
			{Key: "1", Kind: KindBescheid, Title: "Standsicherheit", Text: "Die Ortsbesichtigung hat ergeben, dass die Standsicherheit des Baumes nicht mehr gegeben ist; von ihm geht eine Gefahr für Personen und Sachen aus."},
			{Key: "2", Kind: KindBescheid, Title: "Baum gesund", Text: "Die Ortsbesichtigung hat ergeben, dass der Baum gesund und standsicher ist. Ein Grund, der die Fällung rechtfertigt, liegt nicht vor."},
			{Key: "3", Kind: KindNachforderung, Title: "Baumgutachten", Text: "Bitte senden Sie uns ein Gutachten einer fachkundigen Person zur Standsicherheit des Baumes."},
		},
	},
}

// TextsFor returns the letter wordings of a service; a service without its own gets the general
// wordings (empty fields fall back to the defaults).
func TextsFor(serviceKey string) ServiceTexts { return ServiceTextsByKey[serviceKey] }

// BlocksOf returns a service's Textbausteine of one kind, in catalogue order.
func BlocksOf(serviceKey string, kind Kind) []TextBlock {
	var out []TextBlock
	for _, b := range ServiceTextsByKey[serviceKey].Blocks {
		if b.Kind == kind {
			out = append(out, b)
		}
	}
	return out
}
