package actions

import (
	"sync"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/letter"
	"github.com/amt-mv/amt/tui/common"
)

// The decision dialog's preview of the Bescheid: the same template (package letter) and mapping
// (letter.ForDecision) as the server's PDF, worded offline from the cached case, the Amt's
// letterhead from GET /me and the built-in texts.

var (
	builtinOnce sync.Once
	builtin     *catalogue.Catalogue
)

func builtinCatalogue() *catalogue.Catalogue {
	builtinOnce.Do(func() { builtin = catalogue.DefaultWithTexts() })
	return builtin
}

// PreviewBescheid returns the text of the Bescheid the decision would produce, or "" when the
// outcome is made known without one (withdrawn, forwarded). Applicant data is sanitised.
func PreviewBescheid(ctx *common.Ctx, c api.Case, req api.DecisionRequest, now time.Time) string {
	if !letter.HasBescheid(req.Outcome) {
		return ""
	}
	sender := letter.Sender{Name: ctx.Me.AmtName}
	if lh := ctx.Me.Letterhead; lh != nil {
		sender = letter.Sender(*lh)
	}
	c.Decision = &api.Decision{ID: "preview", Outcome: req.Outcome, Reasoning: req.Reasoning, FeeCents: req.FeeCents,
		ValidUntil: req.ValidUntil, Values: req.Values, State: api.DecisionFinal, Actor: ctx.Me.Clerk, CreatedAt: now}
	svc, _ := builtinCatalogue().Lookup(c.Service.Key)
	in := letter.Input{Case: c, Sender: sender, Service: svc, Clerk: ctx.Me.Name, Date: now}
	return sanitize.Text(letter.ForDecision(in).Text())
}
