package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/prodready/prodready"
)

// newLogger returns the service's logger: records in format at level and
// above, on w. In JSON, time.Duration values are written as text ("1.5s",
// as the text format writes them), not as a count of nanoseconds that
// reads as a number of anything.
func newLogger(w io.Writer, format prodready.LogFormat, level slog.Leveler) *slog.Logger {
	if format == prodready.LogJSON {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: durationText}))
	}
	return slog.New(format.NewHandler(w, level))
}

// durationText is a slog.HandlerOptions.ReplaceAttr that renders
// time.Duration values, in groups too, as time.Duration.String does.
func durationText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

// exitError writes err, why the service stops with status 1, on w: as one
// JSON record at level ERROR when LOG_FORMAT is json, so that a log
// pipeline that reads JSON gets it, or else as the line "itemsapi: err".
// The record holds the whole error as "err" and, when it joins several
// (every bad variable of the configuration), each as an element of
// "errors".
//
// The format is not taken from the configuration, which may be what
// failed to load, LOG_FORMAT included: see exitFormat.
func exitError(w io.Writer, env prodready.Environment, err error) {
	if exitFormat(env) != prodready.LogJSON {
		fmt.Fprintf(w, "itemsapi: %v\n", err)
		return
	}
	attrs := []slog.Attr{slog.String("err", err.Error())}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) && len(joined.Unwrap()) > 1 {
		var each []string
		for _, e := range joined.Unwrap() {
			each = append(each, e.Error())
		}
		attrs = append(attrs, slog.Any("errors", each))
	}
	newLogger(w, prodready.LogJSON, slog.LevelError).LogAttrs(context.Background(), slog.LevelError, "itemsapi: exiting on error", attrs...)
}

// exitFormat returns the log format of exitError: LOG_FORMAT as env has
// it (in any case, spaces trimmed; text if it is neither text nor json),
// or when it is not set the default of the profile APP_ENV names (json
// under production), or text. A LOG_FORMAT set only in a .env or
// configuration file is not seen.
func exitFormat(env prodready.Environment) prodready.LogFormat {
	v, ok := env.Lookup("LOG_FORMAT")
	if !ok {
		name, _ := env.Lookup("APP_ENV")
		p, err := prodready.LookupProfile(name, nil)
		if err != nil {
			return prodready.LogText
		}
		v, _, _ = p.Default("LOG_FORMAT")
	}
	if strings.EqualFold(strings.TrimSpace(v), string(prodready.LogJSON)) {
		return prodready.LogJSON
	}
	return prodready.LogText
}
