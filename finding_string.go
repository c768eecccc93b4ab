package prodready

// String returns the finding on one line, in the words of the library's
// logs: its ID, severity, variable and message, and its hint, as in
//
//	PR-W041 warning: DATABASE_URL: connection is not encrypted (hint: add sslmode=require)
//
// It leaves out Field, Origin and Err; read them from the fields. Like the
// message, it never holds a secret.
func (f Finding) String() string {
	s := f.ID + " " + f.Severity.String() + ": "
	if f.Key != "" {
		s += f.Key + ": "
	}
	s += f.Message
	if f.Hint != "" {
		s += " (hint: " + f.Hint + ")"
	}
	return s
}
