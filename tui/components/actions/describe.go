package actions

import (
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// OutcomeLabel is the clerk-facing label of a decision outcome.
func OutcomeLabel(o api.Outcome) string {
	k := "act.outcome." + string(o)
	if o.Valid() && i18n.Has(k) {
		return i18n.T(k)
	}
	return common.Line(string(o))
}

func feeText(fee *int64) string {
	if fee == nil {
		return i18n.T("act.none")
	}
	return casework.FormatFee(*fee)
}

func dateOrNone(d string) string {
	if d == "" {
		return i18n.T("act.none")
	}
	return common.FormatDate(d)
}

// Describe renders an outbox action's intent for the clerk (pending view): a title and labelled
// lines, all sanitised.
func Describe(ctx *common.Ctx, a store.Action) (title string, lines [][2]string) {
	title = KindLabel(a.Kind)
	b, err := casework.Decode(a.Kind, a.Body)
	if err != nil {
		return title, nil
	}
	add := func(label, value string) { lines = append(lines, [2]string{i18n.T(label), value}) }
	switch b.Kind {
	case api.ActionNote:
		add("act.label.text", common.Text(b.Note.Text))
	case api.ActionDecision:
		r := b.Decision
		add("act.label.outcome", OutcomeLabel(r.Outcome))
		add("act.label.fee", feeText(r.FeeCents))
		if r.ValidUntil != "" {
			add("act.label.valid", common.FormatDate(r.ValidUntil))
		}
		add("act.label.reasoning", common.Text(r.Reasoning))
	case api.ActionApproval:
		what := i18n.T("act.approval.approve")
		if !b.Approval.Approve {
			what = i18n.T("act.approval.return")
		}
		add("act.label.action", what)
		if b.Approval.Comment != "" {
			add("act.label.comment", common.Text(b.Approval.Comment))
		}
	case api.ActionAssignment:
		who := ctx.ClerkName(b.Assignment.Assignee)
		if b.Assignment.Assignee == "" {
			who = i18n.T("act.assign.nobody")
		}
		add("act.label.assignee", who)
	case api.ActionStatus:
		add("act.label.status", common.StatusLabel(b.Status.Status))
	case api.ActionResubmission:
		add("act.label.date", common.FormatDate(b.Resubmission.Date))
		if b.Resubmission.Reason != "" {
			add("act.label.reason", common.Line(b.Resubmission.Reason))
		}
	case api.ActionDocumentRequest:
		r := b.DocumentRequest
		docs := make([]string, len(r.Documents))
		for i, d := range r.Documents {
			docs[i] = "• " + common.Line(d)
		}
		add("act.label.documents", strings.Join(docs, "\n"))
		add("act.label.deadline", common.FormatDate(r.Deadline))
		if r.Message != "" {
			add("act.label.message", common.Text(r.Message))
		}
	}
	return title, lines
}

// KindLabel is the clerk-facing name of an action kind.
func KindLabel(k api.ActionKind) string {
	key := "act.kind." + string(k)
	if i18n.Has(key) {
		return i18n.T(key)
	}
	return common.Line(string(k))
}
