package main

import (
	"context"
	"log/slog"

	"github.com/prodready/prodready"
)

// logFindings logs the findings of the checks, one line each, with the
// attribute names the library's own finding logs use (check=, var=, hint=),
// so that one grep finds a finding in either, and the origin of the
// variable's value: a warning or worse at WARN, the rest at INFO.
func logFindings(ctx context.Context, logger *slog.Logger, findings []prodready.Finding) {
	for _, f := range findings {
		level := slog.LevelInfo
		if f.Severity >= prodready.SeverityWarning {
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{slog.String("check", f.ID)}
		msg := f.Message
		if f.Key != "" {
			attrs = append(attrs, slog.String("var", f.Key))
			msg = f.Key + ": " + msg
			attrs = append(attrs, slog.String("origin", f.Origin.String()))
		}
		if f.Hint != "" {
			attrs = append(attrs, slog.String("hint", f.Hint))
		}
		logger.LogAttrs(ctx, level, msg, attrs...)
	}
}
