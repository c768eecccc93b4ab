// Package cfgfile parses a configuration file, in YAML or JSON, into a small
// generic tree of Nodes that remembers the line of every key and value.
//
// The input is treated as untrusted and as possibly holding secrets: Parse
// never panics, rejects the whole file on the first problem, and its errors
// never quote a value. They may quote a key, truncated to 64 bytes.
//
// Mapping keys to configuration variables is not done here; the tree only
// keeps what the file says. Every scalar is kept as text, exactly as the
// parser reads it: YAML 10m is "10m", JSON 42 is "42", true is "true", and a
// !!binary value keeps its base64 text.
//
// # Format
//
// The format is chosen by the file name's extension, ignoring case: .yaml
// and .yml are YAML, .json is JSON. Any other name is an error.
//
// The top level must be a map (a JSON object). An empty YAML document (an
// empty file, or one holding only comments or a bare "---") yields a Map
// with no fields and Line 0; a top level written as ~ or null is an error,
// as is an empty JSON file.
//
// Parse keeps no state between calls and is safe for concurrent use.
//
// # YAML
//
// YAML is read with go.yaml.in/yaml/v3. In addition to what that parser
// rejects, Parse rejects:
//
//   - more than one document ("---" starting a second document);
//   - a key used twice in one map, naming the key and both lines;
//   - a key that is not a scalar (a list or map used as a key);
//   - tags other than the standard !!str, !!int, !!float, !!bool, !!null,
//     !!binary and !!timestamp on scalars, !!seq on lists and !!map on maps.
//     An unquoted value starting with '!' is read as a tag, so a custom tag
//     is usually a value that needs quotes;
//   - an alias (*name) without a matching anchor, or one that refers to a
//     value containing the alias itself.
//
// Aliases are expanded: each *name becomes a copy of the anchored value,
// whose nodes keep the lines where the anchored text is written (a key
// given by an alias has the line of the alias). Every node
// produced counts against MaxNodes, so an exponential "billion laughs"
// document fails quickly with a "too many values" error, and the text of
// every key and scalar produced against MaxText, so a few aliases of a
// long value fail with "values too large after alias expansion".
//
// Merge keys are supported: "<<: *base" (or "<<: [*a, *b]", or an inline
// map) copies the fields of the merged map or maps into the current map, at
// the position of the "<<" key. Keys written explicitly in the current map
// win over merged ones, wherever they appear, and among several merged maps
// the earlier one wins. A map may have only one "<<" key. Merged fields keep
// the lines where they are written. A quoted "<<" is an ordinary key.
//
// # JSON
//
// JSON must be valid by encoding/json's standard (json.Valid) and its top
// level must be an object. It is then read with encoding/json's token
// stream, which also gives the lines, rather than with the YAML parser:
// that parser rejects some valid JSON (the escape "\/", escaped surrogate
// pairs such as "\ud83d\ude00", keys longer than 1024 bytes, a line break
// before a ':') and changes some strings (a raw NEL becomes a space).
// Numbers keep their literal text. A key used twice in one object is an
// error, as in YAML; keys are compared after unescaping. A UTF-8 byte order
// mark at the start is skipped. Syntax errors give the line but not the
// reason, as encoding/json's messages quote a character of the input.
//
// # Limits
//
// The input may be at most MaxSize bytes (1 MiB), checked before parsing.
// Values may be nested at most MaxDepth (32) levels deep, counting the top
// level map as level 1. A file may produce at most MaxNodes (100,000) nodes,
// and at most MaxText (2 MiB) of keys and scalar values in all, both
// counted after alias and merge expansion: an alias copies nothing in the
// tree, but a 60 KiB value named by thousands of aliases would still be
// read as thousands of values. A file without aliases never reaches
// MaxText, and JSON has none. The input must be valid UTF-8
// without NUL bytes; YAML input additionally may not contain control
// characters other than tab, line feed and carriage return.
//
// # Errors
//
// Every error returned by Parse is an *Error. Its Line is the 1-based line
// of the problem when one applies. For YAML syntax errors the line is the
// one reported by the YAML parser, which for some errors is the line where
// the enclosing block starts rather than the exact line of the mistake.
// Messages from the YAML parser are passed on only when they are known to
// carry no part of the input; any other message becomes "invalid YAML
// syntax". Line breaks are counted as the YAML parser counts them: LF, CR,
// CRLF and, in YAML only, NEL, LS and PS. (An empty YAML value at the very
// end of the file is given the file's last line.)
package cfgfile
