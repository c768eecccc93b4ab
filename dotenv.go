package prodready

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/prodready/prodready/internal/dotenv"
)

// dotenvValue is one entry of the .env file, with its line for the
// origin.
type dotenvValue struct {
	value string
	line  int
}

// readDotEnv reads the .env file, if the options and profile allow it.
func (l *loader) readDotEnv() {
	if l.o.NoDotEnv {
		return
	}
	name := l.dotEnvName()
	fp := fsPath(l.fsys, name)
	name = showPath(name) // from here on, for messages only
	st, err := fs.Stat(l.fsys, fp)
	if err != nil {
		if l.o.DotEnv != "" || !errors.Is(err, fs.ErrNotExist) {
			l.errorf(Finding{ID: idDotEnvFile, Origin: Origin{Source: SourceDotEnv, Name: name}, Hint: "fix the path, or turn .env reading off with Options.NoDotEnv"},
				ErrInvalid, err, "%s %s", name, fileErr(err))
		}
		return
	}
	if l.prof.Hardened() && !l.o.AllowDotEnvInProduction {
		l.add(Finding{ID: idDotEnvProd, Severity: SeverityWarning, Origin: Origin{Source: SourceDotEnv, Name: name},
			Message: fmt.Sprintf("%s exists but is not read under the %s profile", name, l.prof.Name()),
			Hint:    "set the variables in the environment and remove the file from the deployment"})
		return
	}
	if !st.Mode().IsRegular() {
		l.errorf(Finding{ID: idDotEnvFile, Origin: Origin{Source: SourceDotEnv, Name: name}, Hint: "point it at a regular file"},
			ErrInvalid, nil, "%s is not a regular file", name)
		return
	}
	var b []byte
	if st.Size() > dotenv.MaxSize {
		err = &sizeError{st.Size(), dotenv.MaxSize}
	} else {
		b, err = readLimited(l.fsys, fp, dotenv.MaxSize)
	}
	if err == nil {
		var entries []dotenv.Entry
		entries, err = dotenv.Parse(name, b)
		if err == nil {
			l.dotenv = make(map[string]dotenvValue, len(entries))
			for _, e := range entries {
				l.dotenv[e.Key] = dotenvValue{value: e.Value, line: e.Line}
			}
			l.checkAppEnv(SourceDotEnv, name, l.dotenv[l.o.Prefix+"APP_ENV"].value, l.dotenv[l.o.Prefix+"APP_ENV"].line, false)
			for _, k := range []string{"APP_ENV_FILE", "CONFIG_FILE", "CONFIG_FILE_FILE"} {
				if d, ok := l.dotenv[l.o.Prefix+k]; ok {
					l.errorf(Finding{ID: idAppEnv, Key: l.o.Prefix + k, Origin: Origin{Source: SourceDotEnv, Name: name, Line: d.line}, Hint: "set " + l.o.Prefix + k + " in the environment"},
						ErrInvalid, nil, "%s is read before the .env file, so %s cannot set it", l.o.Prefix+k, name)
				}
			}
			return
		}
	}
	var se *dotenv.SyntaxError
	if errors.As(err, &se) {
		l.errorf(Finding{ID: idDotEnvFile, Origin: Origin{Source: SourceDotEnv, Name: name, Line: se.Line}, Hint: "fix the file's syntax"},
			ErrInvalid, err, "%s", se.Error())
		return
	}
	hint := "fix the file's permissions, or turn .env reading off with Options.NoDotEnv"
	if se := (*sizeError)(nil); errors.As(err, &se) {
		hint = "keep the file under " + sizeString(dotenv.MaxSize)
	}
	l.errorf(Finding{ID: idDotEnvFile, Origin: Origin{Source: SourceDotEnv, Name: name}, Hint: hint},
		ErrInvalid, err, "%s %s", name, err)
}

// dotEnvName is the .env file's path: Options.DotEnv, else ".env" in the
// working directory.
func (l *loader) dotEnvName() string {
	if l.o.DotEnv != "" {
		return l.o.DotEnv
	}
	return ".env"
}
