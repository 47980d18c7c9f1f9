package casework

import (
	"github.com/amt-mv/amt/api"
)

// Clerk is who asks to act: the signed-in clerk (clients) or the token's clerk (server).
type Clerk struct {
	ID   string
	Role api.Role
}

// MayApprove reports whether a role may approve or return four-eyes decisions of others: a lead,
// and a lead's deputy with the same rights.
func MayApprove(r api.Role) bool { return r == api.RoleLead || r == api.RoleDeputy }

// Reason says why an action is refused; clients translate it (with the action kind) for clerks.
type Reason string

// Reasons of a refusal.
const (
	// ReasonFinished: the case is no longer open for this kind of action (decided, closed,
	// withdrawn, forwarded).
	ReasonFinished Reason = "finished"
	// ReasonAwaitingApproval: a proposed four-eyes decision waits for approval; the case takes no
	// new decision or Nachforderung until a lead approves or returns it.
	ReasonAwaitingApproval Reason = "awaiting_approval"
	// ReasonTransition: this status change, or a decision with this outcome, is not possible from
	// the case's status.
	ReasonTransition Reason = "transition"
	// ReasonNoProposal: there is no proposed decision to approve.
	ReasonNoProposal Reason = "no_proposal"
	// ReasonOtherDecision: the approval names a decision that is not the proposed one.
	ReasonOtherDecision Reason = "other_decision"
	// ReasonNotApprover: only a lead (or deputy) may approve or return a proposal.
	ReasonNotApprover Reason = "not_approver"
	// ReasonOwnProposal: nobody approves their own proposal.
	ReasonOwnProposal Reason = "own_proposal"
	// ReasonNeedsApprover: withdrawing a four-eyes case by a status change needs a lead or deputy
	// (a clerk proposes the withdrawal as a decision instead), so four-eyes is never bypassed.
	ReasonNeedsApprover Reason = "needs_approver"
	// ReasonNotProposer: only the clerk who proposed a decision takes it back (a lead returns it).
	ReasonNotProposer Reason = "not_proposer"
)

// Refusal is the answer "not allowed, because …" of a precondition. Its text is the server's
// English problem detail; clients show a translation of Reason instead.
type Refusal struct {
	Kind   api.ActionKind
	Reason Reason
	From   api.Status // the case's status when refused
	Detail string
}

func (r *Refusal) Error() string { return r.Detail }

// Forbidden reports whether the refusal concerns the clerk's rights (HTTP 403) rather than the
// case's state (409).
func (r *Refusal) Forbidden() bool {
	switch r.Reason {
	case ReasonNotApprover, ReasonOwnProposal, ReasonNeedsApprover, ReasonNotProposer:
		return true
	}
	return false
}

func refuse(k api.ActionKind, why Reason, c api.Case, detail string) *Refusal {
	return &Refusal{Kind: k, Reason: why, From: c.Status, Detail: detail}
}

// CanNote answers whether a note may be added: to open and decided cases.
func CanNote(c api.Case, _ Clerk) error {
	if !c.Status.Open() && c.Status != api.StatusDecided {
		return refuse(api.ActionNote, ReasonFinished, c, "notes cannot be added to a "+string(c.Status)+" case")
	}
	return nil
}

// CanDecide answers whether the clerk may decide the case at all: an open case without a pending
// proposal. A new case may be withdrawn or forwarded at once; for any other outcome clients take it
// into review first (StartsReview). DecisionAllowed checks one outcome.
func CanDecide(c api.Case, _ Clerk) error {
	switch {
	case c.Status == api.StatusDecisionProposed:
		return refuse(api.ActionDecision, ReasonAwaitingApproval, c, "a decision is not possible from "+string(c.Status))
	case !c.Status.Open():
		return refuse(api.ActionDecision, ReasonFinished, c, "a decision is not possible from "+string(c.Status))
	}
	return nil
}

// DecisionAllowed answers whether a decision with outcome o may be made now, as the server
// applies it (without a preceding start of the review).
func DecisionAllowed(c api.Case, who Clerk, o api.Outcome) error {
	detail := "a decision " + string(o) + " is not possible from " + string(c.Status)
	if err := CanDecide(c, who); err != nil {
		err.(*Refusal).Detail = detail
		return err
	}
	if c.Status == api.StatusNew && o != api.OutcomeWithdrawn && o != api.OutcomeForwarded {
		return refuse(api.ActionDecision, ReasonTransition, c, detail)
	}
	return nil
}

// StartsReview reports whether deciding case c with outcome o first needs the status change to
// in_review (a new case is decided only after its review started; withdrawing and forwarding need
// none). Clients queue that status change before the decision.
func StartsReview(c api.Case, o api.Outcome) bool {
	return c.Status == api.StatusNew && o != api.OutcomeWithdrawn && o != api.OutcomeForwarded
}

// NeedsApproval reports whether a decision with outcome o on case c is only proposed and needs a
// second pair of eyes: every decision of a four-eyes service, withdrawing and forwarding too (a
// forwarded case leaves the Amt, so it must not leave on one clerk's word).
func NeedsApproval(c api.Case, _ api.Outcome) bool {
	return c.Service.FourEyes
}

// Approvers lists the clerks of the Amt who could approve a proposal of proposer: leads and
// deputies other than the proposer. Clients warn before a four-eyes proposal when it is empty.
func Approvers(clerks []api.Clerk, proposer string) []api.Clerk {
	var out []api.Clerk
	for _, k := range clerks {
		if MayApprove(k.Role) && k.ID != proposer {
			out = append(out, k)
		}
	}
	return out
}

// OwnProposal reports whether the case carries a proposed decision of the clerk.
func OwnProposal(c api.Case, who Clerk) bool {
	d := c.Decision
	return c.Status == api.StatusDecisionProposed && d != nil && d.State == api.DecisionProposed && d.Actor == who.ID
}

// CanApprove answers whether the clerk may approve or return the case's proposed decision: there
// is one, the clerk is a lead or deputy, and did not propose it.
func CanApprove(c api.Case, who Clerk) error {
	return ApprovalAllowed(c, who, "")
}

// ApprovalAllowed is CanApprove for the approval of decision decisionID ("" = the proposed one).
func ApprovalAllowed(c api.Case, who Clerk, decisionID string) error {
	d := c.Decision
	switch {
	case c.Status != api.StatusDecisionProposed || d == nil || d.State != api.DecisionProposed:
		return refuse(api.ActionApproval, ReasonNoProposal, c, "there is no proposed decision to approve")
	case decisionID != "" && d.ID != decisionID:
		return refuse(api.ActionApproval, ReasonOtherDecision, c, "the decision is not the proposed one")
	case !MayApprove(who.Role):
		return refuse(api.ActionApproval, ReasonNotApprover, c, "only a lead or deputy may approve a four-eyes decision")
	case d.Actor == who.ID:
		return refuse(api.ActionApproval, ReasonOwnProposal, c, "a decision cannot be approved by the clerk who proposed it")
	}
	return nil
}

// CanAssign answers whether the case may be assigned (or unassigned): open cases only.
func CanAssign(c api.Case, _ Clerk) error {
	if !c.Status.Open() {
		return refuse(api.ActionAssignment, ReasonFinished, c, "a "+string(c.Status)+" case cannot be assigned")
	}
	return nil
}

// statusTransitions lists what a status change may set, from where. Who may set it is
// statusRefusal's rule.
var statusTransitions = map[api.Status][]api.Status{
	api.StatusNew:               {api.StatusInReview, api.StatusWithdrawn},
	api.StatusInReview:          {api.StatusAwaitingDocuments, api.StatusWithdrawn},
	api.StatusAwaitingDocuments: {api.StatusInReview, api.StatusWithdrawn},
	api.StatusDecisionProposed:  {api.StatusInReview, api.StatusWithdrawn},
	api.StatusDecided:           {api.StatusClosed},
}

// StatusTargets lists the statuses the clerk may set by a status change from the case's status.
func StatusTargets(c api.Case, who Clerk) []api.Status {
	var out []api.Status
	for _, to := range statusTransitions[c.Status] {
		if statusRefusal(c, who, to) == "" {
			out = append(out, to)
		}
	}
	return out
}

// statusRefusal says why the clerk may not make the possible transition to `to` ("" = may):
// withdrawing a four-eyes case needs a lead or deputy, and a proposal is taken back (back to
// in_review) only by its proposer.
func statusRefusal(c api.Case, who Clerk, to api.Status) Reason {
	switch {
	case to == api.StatusWithdrawn && c.Service.FourEyes && !MayApprove(who.Role):
		return ReasonNeedsApprover
	case c.Status == api.StatusDecisionProposed && to == api.StatusInReview && !OwnProposal(c, who):
		return ReasonNotProposer
	}
	return ""
}

// CanChangeStatus answers whether the clerk may make any status change from the case's status.
func CanChangeStatus(c api.Case, who Clerk) error {
	if len(statusTransitions[c.Status]) == 0 {
		return refuse(api.ActionStatus, ReasonFinished, c, "the status of a "+string(c.Status)+" case cannot change")
	}
	var why Reason // the first refusal: the one about the nearest step
	for _, to := range statusTransitions[c.Status] {
		r := statusRefusal(c, who, to)
		if r == "" {
			return nil
		}
		if why == "" {
			why = r
		}
	}
	return refuse(api.ActionStatus, why, c, "this clerk cannot change the status of a "+string(c.Status)+" case")
}

// StatusChangeAllowed answers whether the clerk may change the status to `to` now.
func StatusChangeAllowed(c api.Case, who Clerk, to api.Status) error {
	for _, a := range statusTransitions[c.Status] {
		if a != to {
			continue
		}
		switch statusRefusal(c, who, to) {
		case ReasonNeedsApprover:
			return refuse(api.ActionStatus, ReasonNeedsApprover, c, "only a lead or deputy may withdraw a four-eyes case; propose the withdrawal as a decision")
		case ReasonNotProposer:
			return refuse(api.ActionStatus, ReasonNotProposer, c, "only the clerk who proposed the decision may take it back")
		}
		return nil
	}
	why := ReasonTransition
	if len(statusTransitions[c.Status]) == 0 {
		why = ReasonFinished
	}
	return refuse(api.ActionStatus, why, c, "status cannot change from "+string(c.Status)+" to "+string(to))
}

// CanResubmit answers whether a Wiedervorlage may be set: open cases only.
func CanResubmit(c api.Case, _ Clerk) error {
	if !c.Status.Open() {
		return refuse(api.ActionResubmission, ReasonFinished, c, "a "+string(c.Status)+" case needs no resubmission")
	}
	return nil
}

// CanRequestDocuments answers whether documents may be requested from the applicant: new cases
// and cases in review or already awaiting documents.
func CanRequestDocuments(c api.Case, _ Clerk) error {
	switch c.Status {
	case api.StatusNew, api.StatusInReview, api.StatusAwaitingDocuments:
		return nil
	}
	why := ReasonFinished
	if c.Status == api.StatusDecisionProposed {
		why = ReasonAwaitingApproval
	}
	return refuse(api.ActionDocumentRequest, why, c, "documents cannot be requested for a "+string(c.Status)+" case")
}

// Precondition returns the precondition of an action kind; nil for an unknown kind.
func Precondition(kind api.ActionKind) func(api.Case, Clerk) error {
	switch kind {
	case api.ActionNote:
		return CanNote
	case api.ActionDecision:
		return CanDecide
	case api.ActionApproval:
		return CanApprove
	case api.ActionAssignment:
		return CanAssign
	case api.ActionStatus:
		return CanChangeStatus
	case api.ActionResubmission:
		return CanResubmit
	case api.ActionDocumentRequest:
		return CanRequestDocuments
	case api.ActionPrinted:
		return CanPrint
	case api.ActionEvidenceChecked:
		return CanCheckEvidence
	}
	return nil
}

// Allowed answers whether the clerk may take an action of this kind on the case now (some body
// of the kind is accepted): what clients offer.
func Allowed(kind api.ActionKind, c api.Case, who Clerk) error {
	p := Precondition(kind)
	if p == nil {
		return &Refusal{Kind: kind, Reason: ReasonTransition, From: c.Status, Detail: "unknown action"}
	}
	return p(c, who)
}

// Check answers whether this concrete action may be applied to the case now: the kind's
// precondition and what depends on the body (outcome, target status, the approved decision).
// decisionID is the id of the decision an approval refers to. The server refuses with it (409 or
// 403); clients ask it before queueing.
func Check(c api.Case, who Clerk, b Body, decisionID string) error {
	switch b.Kind {
	case api.ActionDecision:
		return DecisionAllowed(c, who, b.Decision.Outcome)
	case api.ActionApproval:
		return ApprovalAllowed(c, who, decisionID)
	case api.ActionStatus:
		return StatusChangeAllowed(c, who, b.Status.Status)
	case api.ActionPrinted:
		return PrintAllowed(c, decisionID) // for printed marks: the document's id
	case api.ActionEvidenceChecked:
		return EvidenceCheckAllowed(c, decisionID) // the evidence's id
	}
	return Allowed(b.Kind, c, who)
}
