package inbox

// StepFrom moves the cursor to the row d rows after (or before, d < 0) the row of case id and
// returns that row's case id, so the case view can open the next or previous case of the list
// without going back (issue 15 item 8). inList is false when id is not in the visible list;
// next is "" when the move would leave the list (the cursor then rests on id's row).
func (m *Model) StepFrom(id string, d int) (next string, inList bool) {
	i := -1
	for n, r := range m.rows {
		if m.rowsAll[r].ID == id {
			i = n
			break
		}
	}
	if i < 0 {
		return "", false
	}
	m.cursor = i
	if j := i + d; j >= 0 && j < len(m.rows) {
		m.cursor = j
		next = m.rowsAll[m.rows[j]].ID
	}
	m.scrollTo()
	return next, true
}
