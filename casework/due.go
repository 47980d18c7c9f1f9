package casework

import (
	"time"

	"github.com/amt-mv/amt/api"
)

// DueDays is the horizon of "Fällig": an open case is due when its deadline has passed or falls
// within the next DueDays days. The inbox's Fällig tab and the dashboard's Fällig count both use
// this one definition (DueBy, IsDue).
const DueDays = 7

// DueBy is the last deadline (YYYY-MM-DD, local date) that counts as due at now.
func DueBy(now time.Time) string { return now.Local().AddDate(0, 0, DueDays).Format(time.DateOnly) }

// IsDue reports whether a case with status and deadline (YYYY-MM-DD, "" for none) is due at now.
func IsDue(status api.Status, deadline string, now time.Time) bool {
	return status.Open() && deadline != "" && deadline <= DueBy(now)
}
