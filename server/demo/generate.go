package demo

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
)

// Options select a demo data set. The same options always give the same data.
type Options struct {
	Cases int       // number of cases; 0 (or less) gives DefaultCases
	Now   time.Time // reference "today"; the zero value gives DefaultNow
	Seed  int64
}

// DefaultCases is the size of the default demo data set.
const DefaultCases = 60

// Today is the reference time both demos (amt --demo, amt-server --demo) use unless told
// otherwise: midnight UTC of the current day, so deadlines are judged against the data's own day
// and the same date always gives the same data.
func Today() time.Time { return time.Now().UTC().Truncate(24 * time.Hour) }

// DefaultNow is the reference time of the demo data when Options.Now is zero (tests).
var DefaultNow = time.Date(2026, time.November, 24, 12, 0, 0, 0, time.UTC)

// HostileCaseIndexes are the case indexes (for every seed and size) whose texts carry terminal
// attacks, so the TUI's sanitiser can be proven. All of them belong to the first Amt
// (amt-crivitz) and are open:
//
//   - 3: the applicant's name contains an OSC 52 clipboard write "\x1b]52;c;ZWNobyBwd25lZA==\x07".
//   - 7: a form value starts with CSI clear-screen + cursor home "\x1b[2J\x1b[H", and another
//     contains the 8-bit C1 CSI U+009B.
//   - 11: an attachment is named "rechnung\u202Efdp.exe" (U+202E RIGHT-TO-LEFT OVERRIDE makes it
//     display as "rechnungexe.pdf") and a note contains U+202E and a C1 control.
var HostileCaseIndexes = slices.Clone(hostileIndexes[:])

var hostileIndexes = [...]int{3, 7, 11} // what the generator uses; the exported copy may be changed

// Hostile strings planted in the hostile cases.
const (
	HostileOSC52   = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
	HostileCSI     = "\x1b[2J\x1b[H"
	HostileC1      = "\u009b"
	HostileRLOName = "rechnung\u202Efdp.exe"
)

// Generate returns the demo data set for opts. Cases are built on demand by Data.Case: each is
// derived only from (Seed, index, Now), so any case of a 100,000-case set is cheap to produce
// (a few microseconds), identical however often it is asked for and whatever Cases is, and
// Data.Case is safe for concurrent use. Attachment bytes are built once and shared.
//
// The data: four real Ämter of Mecklenburg-Vorpommern with invented staff (one lead each), ten
// services Ämter really handle with form sections, fees and deadlines, applicants in the Ämter's
// villages (e-mail on example domains, phone numbers from the ranges reserved for fiction),
// small real PDF and PNG attachments, register evidence, and every case state, including
// overdue cases and cases due this week relative to Now.
func Generate(opts Options) *Data {
	n := opts.Cases
	if n <= 0 {
		n = DefaultCases
	}
	now := opts.Now
	if now.IsZero() {
		now = DefaultNow
	}
	now = now.UTC().Truncate(time.Second)
	y, m, d := now.Date()
	g := &generator{seed: uint64(opts.Seed), now: now, today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	for _, s := range services {
		g.totalWeight += s.Weight
		if s.FourEyes {
			g.fourEyes = append(g.fourEyes, s)
		}
	}
	sampleFiles()
	data := &Data{N: n, Case: g.caseAt}
	for _, a := range amtDefs {
		data.Amts = append(data.Amts, Amt{ID: a.ID, Name: a.Name})
		data.Clerks = append(data.Clerks, a.Clerks...)
	}
	return data
}

type generator struct {
	seed        uint64
	now, today  time.Time
	totalWeight int
	fourEyes    []*serviceDef
}

// statusPattern spreads the states over consecutive cases: 70 % open, the rest finished.
var statusPattern = []api.Status{
	api.StatusNew, api.StatusInReview, api.StatusAwaitingDocuments, api.StatusInReview, api.StatusDecided,
	api.StatusNew, api.StatusClosed, api.StatusDecisionProposed, api.StatusInReview, api.StatusWithdrawn,
	api.StatusNew, api.StatusAwaitingDocuments, api.StatusInReview, api.StatusDecided, api.StatusClosed,
	api.StatusInReview, api.StatusDecisionProposed, api.StatusNew, api.StatusForwarded, api.StatusInReview,
}

// splitmix64 scrambles the case index so that neighbouring cases get unrelated PCG streams.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// step is one event of a case's history before it gets its time.
type step struct {
	kind    api.EventKind
	actor   string
	summary string
	follow  bool // happens together with the step before (one second later)
}

// caseGen holds the state of building one case.
type caseGen struct {
	*generator
	r   *rand.Rand
	i   int
	id  string
	amt *amtDef
	svc *serviceDef

	place         place
	street        string
	first, last   string
	female        bool
	birth         time.Time
	org           string // organisation name, "" for a person
	orgForm       string
	activity      string    // Gewerbeanmeldung: the trade
	plate         string    // Bewohnerparkausweis: licence plate
	movedIn       time.Time // into the current home
	validUntil    string    // validity of an approval fixed by the form (YYYY-MM-DD), if any
	submitted     time.Time
	evidenceCount int

	steps    []step
	noteStep []int
	c        api.Case
}

func (g *generator) caseAt(i int) SeedCase {
	pcg := rand.NewPCG(g.seed, splitmix64(uint64(i)))
	cg := &caseGen{generator: g, r: rand.New(pcg), i: i, id: "c-" + pad(i+1, 6)}
	return cg.build()
}

func (g *caseGen) pick(list []string) string { return list[g.r.IntN(len(list))] }
func (g *caseGen) pct(p int) bool            { return g.r.IntN(100) < p }
func (g *caseGen) between(lo, hi int) int    { return lo + g.r.IntN(hi-lo+1) }

func (g *caseGen) hostile() int {
	if slices.Contains(hostileIndexes[:], g.i) {
		return g.i
	}
	return -1
}

func (g *caseGen) build() SeedCase {
	status := statusPattern[g.i%len(statusPattern)]

	// Amt, service, applicant.
	g.amt = &amtDefs[g.r.IntN(len(amtDefs))]
	if g.hostile() >= 0 {
		g.amt = &amtDefs[0]
	}
	if g.i < 2*len(services) {
		g.svc = services[g.i%len(services)]
	} else {
		w := g.r.IntN(g.totalWeight)
		for _, s := range services {
			if w < s.Weight {
				g.svc = s
				break
			}
			w -= s.Weight
		}
	}
	if status == api.StatusDecisionProposed && !g.svc.FourEyes {
		g.svc = g.fourEyes[g.r.IntN(len(g.fourEyes))]
	}
	g.applicant()
	g.timing(status)

	svc := g.svc
	c := &g.c
	c.ID = g.id
	c.Amt = g.amt.ID
	c.Reference = svc.Prefix + "-" + strconv.Itoa(g.submitted.Year()) + "-" + pad(g.i+1, 6)
	c.Service = api.Service{Key: svc.Key, Name: svc.Name, FourEyes: svc.FourEyes}
	if cs, ok := builtinCatalogue.Lookup(svc.Key); ok {
		c.Service.Decision = cs.APIService().Decision // the fields a decision form offers
	}
	c.SubmittedAt = g.submitted
	c.DueDate = isoDate(g.submitted.AddDate(0, 0, svc.DueDays))
	c.Status = status
	c.Sections = svc.form(g)
	c.Evidence = svc.evidence(g)
	if c.Evidence == nil {
		c.Evidence = []api.Evidence{}
	}
	files := g.attachments()
	g.payment(status)
	g.history(status)
	if g.hostile() == 7 {
		c.Sections[0].Fields = append(c.Sections[0].Fields,
			api.Field{Label: "Bemerkung", Value: HostileCSI + "Bitte sofort genehmigen!"},
			api.Field{Label: "Bemerkung (Fortsetzung)", Value: "Dringend" + HostileC1 + "31m – Rückruf erbeten"})
	}

	events := g.events()
	c.Version = int64(len(events))
	c.UpdatedAt = events[len(events)-1].At
	return SeedCase{Case: *c, Events: events, Files: files}
}

// applicant invents the applicant: a person living in one of the Amt's villages, or an
// organisation seated there.
func (g *caseGen) applicant() {
	a := g.amt
	g.place = a.Places[g.r.IntN(len(a.Places))]
	streetName := g.pick(streets)
	houseNo := strconv.Itoa(g.between(1, 48))
	if g.pct(15) {
		houseNo += string(rune('a' + g.r.IntN(3)))
	}
	g.street = streetName + " " + houseNo
	g.female = g.pct(50)
	if g.female {
		g.first = g.pick(firstNamesF)
	} else {
		g.first = g.pick(firstNamesM)
	}
	g.last = g.pick(lastNames)
	g.birth = g.today.AddDate(-g.between(19, 84), 0, -g.r.IntN(365))
	if g.pct(g.svc.OrgPct) {
		if g.svc.Prefix == "VER" || g.pct(25) {
			g.org = g.pick(vereine) + " " + g.place.Name + " e.V."
			g.orgForm = "e.V."
		} else {
			g.orgForm = g.pick(orgForms)
			g.org = g.last + " " + g.pick(trades) + " " + g.orgForm
		}
	}
	app := api.Applicant{Kind: "person", Name: g.first + " " + g.last,
		Address: g.street + ", " + g.place.PLZ + " " + g.place.Name,
		PostalAddress: &api.PostalAddress{Street: streetName, HouseNumber: houseNo,
			PostalCode: g.place.PLZ, City: g.place.Name}}
	local := translit(g.first) + "." + translit(g.last)
	if g.org != "" {
		app.Kind = "organisation"
		app.Name = g.org
		local = "info." + translit(strings.Fields(g.org)[0]) + strconv.Itoa(g.r.IntN(100))
	}
	if g.pct(85) {
		app.Email = local + "@" + g.pick(mailDomains)
	}
	if g.pct(70) {
		app.Phone = g.pick(fictionalPhone) + pad(g.r.IntN(1000), 3)
	}
	if g.hostile() == 3 {
		app.Name += HostileOSC52
	}
	g.c.Applicant = app
}

// timing chooses the submission time: open cases are recent and some are overdue or due this
// week; finished cases are older.
func (g *caseGen) timing(status api.Status) {
	due := g.svc.DueDays
	var age int
	if status.Open() {
		switch k := g.r.IntN(10); {
		case k < 3: // overdue
			age = due + 1 + g.r.IntN(20)
		case k < 5: // due within the next seven days
			age = due - g.r.IntN(min(7, due+1))
		default:
			age = g.r.IntN(max(due-6, 1))
		}
		if status != api.StatusNew {
			age = max(age, 1) // work has happened since
		}
	} else {
		age = due + 5 + g.r.IntN(180)
	}
	t := g.today.AddDate(0, 0, -age).Add(time.Duration(g.between(6*3600, 22*3600)) * time.Second)
	if latest := g.now.Add(-10 * time.Minute); !t.Before(latest) {
		t = latest.Add(-time.Duration(g.r.IntN(3600)) * time.Second)
	}
	g.submitted = t
	g.movedIn = g.since(30)
}

// attachments picks the service's files for the case; the bytes are shared.
func (g *caseGen) attachments() map[string][]byte {
	fs := sampleFiles()
	out := make(map[string][]byte, 3)
	add := func(name string, k fileKind) {
		id := g.id + "-a" + strconv.Itoa(len(g.c.Attachments)+1)
		f := &fs[k]
		g.c.Attachments = append(g.c.Attachments, api.Attachment{ID: id, Name: name,
			ContentType: f.ContentType, Size: int64(len(f.Data)), SHA256: f.SHA256})
		out[id] = f.Data
	}
	for _, a := range g.svc.Attachments {
		if g.pct(a.Pct) {
			add(a.Name, a.Kind)
		}
	}
	if g.hostile() == 11 {
		add(HostileRLOName, fileVollmacht)
	}
	if g.c.Attachments == nil {
		g.c.Attachments = []api.Attachment{}
	}
	return out
}

func (g *caseGen) payment(status api.Status) {
	fee := g.svc.FeeCents
	if fee == 0 {
		return
	}
	p := &api.Payment{AmountCents: fee, Status: "pending", Method: "Überweisung",
		Reference: "KZ-" + g.amt.Code + "-" + strconv.Itoa(g.submitted.Year()) + "-" + pad(g.i+1, 6)}
	switch {
	case status == api.StatusWithdrawn || status == api.StatusForwarded:
		p.Status, p.Method = "waived", ""
	case g.pct(55) || (!status.Open() && g.pct(80)):
		p.Status = "paid"
		p.Method = g.pick([]string{"ePayBL (Kreditkarte)", "ePayBL (giropay)", "ePayBL (PayPal)", "Überweisung"})
	}
	g.c.Payment = p
}

func (g *caseGen) add(kind api.EventKind, actor, summary string) int {
	g.steps = append(g.steps, step{kind: kind, actor: actor, summary: summary})
	return len(g.steps) - 1
}

func (g *caseGen) note(actor, text string) {
	g.noteStep = append(g.noteStep, g.add(api.EventNote, actor, text))
	g.c.Notes = append(g.c.Notes, api.Note{ID: g.id + "-n" + strconv.Itoa(len(g.c.Notes)+1), Text: text, Actor: actor})
}

func (g *caseGen) noteText() string {
	if g.pct(50) {
		return g.pick(g.svc.Notes)
	}
	return g.pick(genericNotes)
}

// history writes the case's events and the state they lead to.
func (g *caseGen) history(status api.Status) {
	c := &g.c
	svc := g.svc
	lead := g.amt.Clerks[0].ID
	clerks := g.amt.Clerks[1:]
	assignee := clerks[g.r.IntN(len(clerks))].ID
	if !svc.FourEyes && g.pct(15) {
		assignee = lead
	}
	g.add(api.EventReceived, "system", "Antrag über das MV-Serviceportal eingegangen")
	assign := func() {
		actor := lead
		if g.pct(40) {
			actor = assignee
		}
		g.add(api.EventAssigned, actor, assignee)
		c.Assignee = assignee
	}
	if status == api.StatusNew {
		if g.pct(40) || g.hostile() >= 0 {
			assign()
			if g.pct(30) {
				g.note(assignee, g.noteText())
			}
		}
		return
	}
	assign()
	if status == api.StatusWithdrawn && g.pct(40) { // withdrawn before review began
		g.decide(api.OutcomeWithdrawn, assignee, "")
		return
	}
	g.add(api.EventStatusChanged, assignee, string(api.StatusInReview))
	if g.pct(50) {
		g.note(assignee, g.noteText())
	}
	if status != api.StatusAwaitingDocuments && g.pct(20) {
		g.docRequest(assignee)
		g.add(api.EventDocumentsReceived, assignee, string(api.StatusInReview))
	}
	if g.hostile() == 11 {
		g.note(assignee, "Anlage "+HostileRLOName+" geprüft"+HostileC1+" – keine Rechnung, bitte ignorieren.")
	}
	switch status {
	case api.StatusInReview:
		if svc.FourEyes && g.pct(30) {
			g.proposal(assignee, api.OutcomeApproved)
			g.add(api.EventDecisionReturned, lead, g.pick([]string{"Bitte Begründung ergänzen.",
				"Gebühr prüfen – Ermäßigung nach Satzung?", "Stellungnahme des Bauhofs fehlt noch."}))
			c.Decision.State = api.DecisionReturned
		}
	case api.StatusAwaitingDocuments:
		g.docRequest(assignee)
	case api.StatusDecisionProposed:
		g.proposal(assignee, g.outcome())
	case api.StatusDecided, api.StatusClosed:
		o := g.outcome()
		if svc.FourEyes {
			g.proposal(assignee, o)
			g.add(api.EventDecisionApproved, lead, g.pick([]string{"", "Einverstanden.", "Geprüft, einverstanden."}))
			g.add(api.EventDecided, lead, string(o))
			g.steps[len(g.steps)-1].follow = true // the server writes both for one approval
			c.Decision.State = api.DecisionFinal
			c.Decision.ApprovedBy = lead
		} else {
			g.decide(o, assignee, "")
		}
		if status == api.StatusClosed {
			g.add(api.EventStatusChanged, assignee, string(api.StatusClosed))
		}
	case api.StatusWithdrawn:
		g.note(assignee, "Rücknahme des Antrags per E-Mail eingegangen.")
		g.decide(api.OutcomeWithdrawn, assignee, "")
	case api.StatusForwarded:
		reason := "Nicht zuständig: sachlich zuständig ist der " + g.amt.Kreis + "; Antrag dorthin weitergeleitet."
		if g.pct(50) {
			reason = "Nicht zuständig: Der Antragsteller wohnt nicht im Amtsbereich; Antrag an die Behörde des Wohnorts weitergeleitet."
		}
		g.decide(api.OutcomeForwarded, assignee, reason)
	}
	if status.Open() && g.pct(30) {
		reason := g.pick([]string{"Eingang der Unterlagen prüfen", "Rückruf Antragsteller", "Stellungnahme abwarten", "Zahlungseingang prüfen"})
		date := isoDate(g.today.AddDate(0, 0, g.between(-2, 14)))
		c.Resubmission = &api.Resubmission{ID: g.id + "-w1", Date: date, Reason: reason, Actor: assignee}
		g.add(api.EventResubmission, assignee, date)
	}
	c.Status = status
}

func (g *caseGen) outcome() api.Outcome {
	switch k := g.r.IntN(10); {
	case k == 0:
		return api.OutcomeRejected
	case k == 1 && (g.svc.Prefix == "WOG" || g.svc.Prefix == "SNE"):
		return api.OutcomePartiallyApproved
	}
	return api.OutcomeApproved
}

func (g *caseGen) decision(o api.Outcome, actor, reasoning string) *api.Decision {
	if reasoning == "" {
		switch o {
		case api.OutcomeRejected:
			reasoning = g.svc.Reject
		case api.OutcomeWithdrawn:
			reasoning = "Der Antrag wurde vom Antragsteller zurückgenommen; das Verfahren wird eingestellt."
		case api.OutcomePartiallyApproved:
			reasoning = "Teilweise stattgegeben. " + g.svc.Approve
		default:
			reasoning = g.svc.Approve
		}
	}
	d := &api.Decision{ID: g.id + "-d1", Outcome: o, Reasoning: reasoning, Actor: actor}
	if (o == api.OutcomeApproved || o == api.OutcomePartiallyApproved) && g.svc.FeeCents > 0 {
		fee := g.svc.FeeCents
		d.FeeCents = &fee
	}
	return d
}

func (g *caseGen) decide(o api.Outcome, actor, reasoning string) {
	g.c.Decision = g.decision(o, actor, reasoning)
	g.c.Decision.State = api.DecisionFinal
	g.add(api.EventDecided, actor, string(o))
}

func (g *caseGen) proposal(actor string, o api.Outcome) {
	g.c.Decision = g.decision(o, actor, "")
	g.c.Decision.State = api.DecisionProposed
	g.add(api.EventDecisionProposed, actor, string(o))
}

func (g *caseGen) docRequest(actor string) {
	docs := g.svc.Docs
	n := 1 + g.r.IntN(min(2, len(docs)))
	start := g.r.IntN(len(docs))
	list := make([]string, 0, n)
	for k := range n {
		list = append(list, docs[(start+k)%len(docs)])
	}
	g.c.DocumentRequests = append(g.c.DocumentRequests, api.DocumentRequest{
		ID: g.id + "-r" + strconv.Itoa(len(g.c.DocumentRequests)+1), Documents: list,
		Message: "Bitte reichen Sie die genannten Unterlagen über das Serviceportal nach.", Actor: actor})
	g.add(api.EventDocumentRequest, actor, strings.Join(list, ", "))
}

// events stamps the steps with times: the first at SubmittedAt, the rest spread up to an end
// time that is recent for open cases and near the deadline for finished ones. Objects created by
// a step (notes, document requests, decisions) take its time.
func (g *caseGen) events() []api.Event {
	start := g.submitted
	var end time.Time
	if g.c.Status.Open() {
		span := g.now.Sub(start)
		end = start.Add(time.Duration(float64(span) * (0.55 + 0.42*g.r.Float64())))
		if span < 72*time.Hour { // fresh cases: the clerk has just worked on it
			end = g.now.Add(-time.Duration(g.between(5, 90)) * time.Minute)
			if !end.After(start) {
				end = start.Add(span / 2)
			}
		}
	} else {
		days := max(1, g.svc.DueDays*(50+g.r.IntN(70))/100)
		end = start.Add(time.Duration(days)*24*time.Hour + time.Duration(g.r.IntN(8*3600))*time.Second)
		if lim := g.now.Add(-time.Hour); end.After(lim) {
			end = lim
		}
	}
	// Clerks work in office hours: when there is room, the work starts the day after the
	// submission, and the times are spread over the working time (Monday to Friday,
	// 07:00–16:00) up to the end, which keeps them in order.
	from := start.Truncate(24 * time.Hour).Add(24 * time.Hour)
	work := workdays(from, end)
	var short officeSpans // no full working day in between: use the office hours of the days touched
	if work == 0 {
		short = newOfficeSpans(start, end)
	}
	k := len(g.steps)
	evs := make([]api.Event, k)
	prev := start
	for j, s := range g.steps {
		at := start
		if j > 0 && s.follow {
			at = prev.Add(time.Second)
		} else if j > 0 {
			frac := (float64(j-1) + 0.15 + 0.7*g.r.Float64()) / float64(k-1)
			switch {
			case work > 0:
				w := time.Duration(frac * float64(time.Duration(work)*officeDay))
				at = nthWorkday(from, int(w/officeDay)).Add(7*time.Hour + w%officeDay)
			case short.total > 0:
				at = short.at(frac)
			default:
				at = start.Add(time.Duration(float64(end.Sub(start)) * frac))
			}
			if at.After(end) {
				at = end
			}
			at = at.Truncate(time.Second)
			if !at.After(prev) {
				at = prev.Add(time.Second)
			}
		}
		prev = at
		evs[j] = api.Event{Seq: int64(j + 1), Kind: s.kind, Actor: s.actor, At: at, Summary: s.summary}
	}
	// Created times of the objects, matched to their steps in order.
	for n, idx := range g.noteStep {
		g.c.Notes[n].CreatedAt = evs[idx].At
	}
	dr := 0
	for _, e := range evs {
		switch e.Kind {
		case api.EventDocumentRequest:
			g.c.DocumentRequests[dr].CreatedAt = e.At
			g.c.DocumentRequests[dr].Deadline = isoDate(e.At.AddDate(0, 0, 14))
			dr++
		case api.EventDecisionProposed, api.EventDecided:
			if g.c.Decision.CreatedAt.IsZero() { // a four-eyes decision keeps its proposal time
				g.c.Decision.CreatedAt = e.At
			}
			if o := g.c.Decision.Outcome; o == api.OutcomeApproved || o == api.OutcomePartiallyApproved {
				switch {
				case g.validUntil != "":
					if g.validUntil > isoDate(e.At) {
						g.c.Decision.ValidUntil = g.validUntil
					}
				case g.svc.Prefix == "BFG": // felling only until the end of the next February
					y := e.At.Year()
					if e.At.Month() > time.February || e.At.Month() == time.February && e.At.Day() > 14 {
						y++
					}
					g.c.Decision.ValidUntil = isoDate(time.Date(y, time.March, 0, 0, 0, 0, 0, time.UTC))
				case g.svc.ValidMonths > 0:
					g.c.Decision.ValidUntil = isoDate(e.At.AddDate(0, g.svc.ValidMonths, 0))
				}
			}
		}
	}
	return evs
}

// officeDay is the working time of one day, 07:00–16:00.
const officeDay = 9 * time.Hour

func weekend(d time.Time) bool { wd := d.Weekday(); return wd == time.Saturday || wd == time.Sunday }

// workdays counts the weekdays from the day of from up to the day before end's day (the last,
// partial day is left out so that the spread times stay before end).
func workdays(from, end time.Time) int {
	last := end.Truncate(24 * time.Hour)
	if !from.Before(last) {
		return 0
	}
	days := int(last.Sub(from) / (24 * time.Hour))
	n := days / 7 * 5
	d := from.AddDate(0, 0, days/7*7)
	for ; d.Before(last); d = d.AddDate(0, 0, 1) {
		if !weekend(d) {
			n++
		}
	}
	return n
}

// nthWorkday returns midnight of the n-th weekday (from 0) on or after the day of from.
func nthWorkday(from time.Time, n int) time.Time {
	d := from.Truncate(24 * time.Hour)
	for weekend(d) {
		d = d.AddDate(0, 0, 1)
	}
	d = d.AddDate(0, 0, n/5*7)
	for n %= 5; n > 0; {
		d = d.AddDate(0, 0, 1)
		if !weekend(d) {
			n--
		}
	}
	return d
}

// since returns a date within the last maxYears before the submission, but not before the
// applicant turned 18 (moving in, tenancy, main residence).
func (g *caseGen) since(maxYears int) time.Time {
	t := g.submitted.AddDate(-g.between(0, maxYears), -g.r.IntN(12), 0)
	if adult := g.birth.AddDate(18, 0, 0); t.Before(adult) {
		t = adult.AddDate(0, g.r.IntN(12), 0)
	}
	if t.After(g.submitted) {
		t = g.submitted.AddDate(0, 0, -1)
	}
	return t
}

// officeSpans are the office hours (weekdays 07:00–16:00) between two times less than a few
// days apart.
type officeSpans struct {
	from  [4]time.Time
	dur   [4]time.Duration
	n     int
	total time.Duration
}

func newOfficeSpans(start, end time.Time) officeSpans {
	var o officeSpans
	for day := start.Truncate(24 * time.Hour); day.Before(end) && o.n < len(o.from); day = day.Add(24 * time.Hour) {
		if weekend(day) {
			continue
		}
		a, b := day.Add(7*time.Hour), day.Add(16*time.Hour)
		if a.Before(start) {
			a = start
		}
		if b.After(end) {
			b = end
		}
		if b.After(a) {
			o.from[o.n], o.dur[o.n] = a, b.Sub(a)
			o.total += o.dur[o.n]
			o.n++
		}
	}
	return o
}

// at maps a fraction of the office time to a point in time.
func (o *officeSpans) at(frac float64) time.Time {
	w := time.Duration(frac * float64(o.total))
	for i := range o.n {
		if w < o.dur[i] || i == o.n-1 {
			return o.from[i].Add(min(w, o.dur[i]))
		}
		w -= o.dur[i]
	}
	return o.from[0]
}

// Evidence helpers.

func (g *caseGen) evidenceID() string {
	g.evidenceCount++
	return g.id + "-e" + strconv.Itoa(g.evidenceCount)
}

func (g *caseGen) retrieved() time.Time {
	t := g.submitted.Add(time.Duration(g.between(20, 1800)) * time.Second)
	if t.After(g.now) {
		t = g.now
	}
	return t
}

func (g *caseGen) melde() api.Evidence {
	return api.Evidence{ID: g.evidenceID(), Register: "Melderegister", Title: "Meldedaten (Hauptwohnung)",
		Issuer: g.amt.Name + " – Meldebehörde", RetrievedAt: g.retrieved(), Verified: !g.pct(8),
		Fields: []api.Field{
			{Label: "Familienname", Value: g.last},
			{Label: "Vornamen", Value: g.first},
			{Label: "Geburtsdatum", Value: deDate(g.birth)},
			{Label: "Anschrift", Value: g.street + ", " + g.place.PLZ + " " + g.place.Name},
			{Label: "Einzugsdatum", Value: deDate(g.movedIn)},
			{Label: "Auskunftssperre", Value: "nein"},
		}}
}

func (g *caseGen) orgRegister() (api.Evidence, bool) {
	switch g.orgForm {
	case "":
		return api.Evidence{}, false
	case "GbR":
		return api.Evidence{}, false
	case "e.V.":
		return api.Evidence{ID: g.evidenceID(), Register: "Vereinsregister", Title: "Registerauszug",
			Issuer: g.amt.Court + " – Registergericht", RetrievedAt: g.retrieved(), Verified: true,
			Fields: []api.Field{
				{Label: "Name", Value: g.org},
				{Label: "Registernummer", Value: "VR " + strconv.Itoa(g.between(100, 9999))},
				{Label: "Vorstand", Value: g.first + " " + g.last},
			}}, true
	}
	dept := "HRB "
	if g.orgForm == "e.K." || strings.Contains(g.orgForm, "KG") {
		dept = "HRA "
	}
	return api.Evidence{ID: g.evidenceID(), Register: "Handelsregister", Title: "Aktueller Ausdruck",
		Issuer: g.amt.Court + " – Registergericht", RetrievedAt: g.retrieved(), Verified: true,
		Fields: []api.Field{
			{Label: "Firma", Value: g.org},
			{Label: "Registernummer", Value: dept + strconv.Itoa(g.between(1000, 29999))},
			{Label: "Sitz", Value: g.place.Name},
			{Label: "Vertretung", Value: g.first + " " + g.last},
		}}, true
}

func evidenceMelde(g *caseGen) []api.Evidence {
	if g.org != "" {
		return evidenceOrg(g)
	}
	return []api.Evidence{g.melde()}
}

func evidenceOrg(g *caseGen) []api.Evidence {
	if e, ok := g.orgRegister(); ok {
		return []api.Evidence{e}
	}
	return []api.Evidence{g.melde()}
}

func evidenceGewerbe(g *caseGen) []api.Evidence {
	out := make([]api.Evidence, 0, 3)
	if e, ok := g.orgRegister(); ok {
		out = append(out, e)
	} else {
		out = append(out, g.melde())
	}
	existing := "keine"
	if g.pct(15) {
		existing = "1 (Abmeldung 2019)"
	}
	out = append(out, api.Evidence{ID: g.evidenceID(), Register: "Gewerberegister", Title: "Auskunft Gewerberegister",
		Issuer: g.amt.Name + " – Gewerbeamt", RetrievedAt: g.retrieved(), Verified: true,
		Fields: []api.Field{{Label: "Person", Value: g.first + " " + g.last}, {Label: "Frühere Gewerbe", Value: existing}}})
	if strings.HasPrefix(g.activity, "Bewachung") {
		out = append(out, api.Evidence{ID: g.evidenceID(), Register: "Bundeszentralregister",
			Title: "Führungszeugnis zur Vorlage bei einer Behörde (Belegart O)", Issuer: "Bundesamt für Justiz",
			RetrievedAt: g.retrieved(), Verified: true,
			Fields: []api.Field{{Label: "Person", Value: g.first + " " + g.last}, {Label: "Eintragungen", Value: "keine"}}})
	}
	return out
}

func evidenceParken(g *caseGen) []api.Evidence {
	return []api.Evidence{g.melde(), {ID: g.evidenceID(), Register: "Kfz-Zulassungsregister",
		Title: "Halterauskunft", Issuer: g.amt.Kreis + " – Zulassungsbehörde", RetrievedAt: g.retrieved(),
		Verified: !g.pct(10),
		Fields: []api.Field{
			{Label: "Kennzeichen", Value: g.plate},
			{Label: "Halter", Value: g.first + " " + g.last},
			{Label: "Fahrzeugklasse", Value: "M1 (Pkw)"},
			{Label: "Zugelassen seit", Value: deDate(g.submitted.AddDate(-g.between(0, 9), -g.r.IntN(12), 0))},
		}}}
}

func evidenceFischerei(g *caseGen) []api.Evidence {
	return []api.Evidence{g.melde(), {ID: g.evidenceID(), Register: "Fischereiprüfungsregister",
		Title:  "Nachweis der Fischerprüfung",
		Issuer: "Landesamt für Landwirtschaft, Lebensmittelsicherheit und Fischerei M-V", RetrievedAt: g.retrieved(),
		Verified: !g.pct(15),
		Fields: []api.Field{
			{Label: "Prüfling", Value: g.first + " " + g.last},
			{Label: "Ergebnis", Value: "bestanden"},
		}}}
}

// Formatting helpers.

// builtinCatalogue is the service catalogue the demo's services come from (decision fields).
var builtinCatalogue = catalogue.Default()

func pad(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) >= width {
		return s
	}
	return strings.Repeat("0", width-len(s)) + s
}

func isoDate(t time.Time) string { return t.Format("2006-01-02") }
func deDate(t time.Time) string  { return t.Format("02.01.2006") }

// euro formats cents the German way: "1.850,00 €".
func euro(cents int64) string {
	e := strconv.FormatInt(cents/100, 10)
	if len(e) > 3 {
		e = e[:len(e)-3] + "." + e[len(e)-3:]
	}
	return e + "," + pad(int(cents%100), 2) + " €"
}

var translitReplacer = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "ae", "Ö", "oe",
	"Ü", "ue", "ı", "i", "é", "e", " ", "", "-", "")

// translit makes an ASCII mailbox name from a German name.
func translit(s string) string {
	return strings.ToLower(translitReplacer.Replace(s))
}
