// Package dotenv is a strict, safe parser for .env files.
//
// The input is treated as untrusted and as possibly holding secrets: Parse
// never panics, rejects the whole file on the first error, and its errors
// never quote a value (they may quote a key name, which is not secret).
//
// # Syntax
//
// A file is a sequence of lines separated by LF or CRLF. A UTF-8 byte order
// mark at the very start of the file is skipped. "Blank" below means a space
// or a horizontal tab; no other character counts as whitespace.
//
// Blank lines, and lines whose first non-blank character is '#', are ignored.
//
// Every other line starts an assignment:
//
//	[export ]KEY = VALUE
//
// The optional "export" prefix must be followed by at least one blank and is
// dropped. KEY matches [A-Za-z_][A-Za-z0-9_.]* and may be surrounded by blanks,
// as may the '='. A key may be assigned only once per file.
//
// VALUE takes one of three forms:
//
//   - Unquoted: everything after the '=' up to the end of the line, with
//     surrounding blanks removed. A '#' preceded by a blank starts a comment
//     that runs to the end of the line; a '#' not preceded by a blank is part
//     of the value (KEY=a#b is "a#b"). The value may be empty (KEY=). Quotes
//     and backslashes inside an unquoted value are literal.
//   - Single-quoted ('...'): taken literally, with no escapes. It may not
//     contain a single quote and must end on the line where it started.
//   - Double-quoted ("..."): recognizes the escapes \n, \r, \t, \", \\ and \$;
//     any other backslash sequence is an error. It may span several lines;
//     each line break inside it becomes "\n" (also for CRLF files).
//
// After the closing quote of a quoted value only blanks may follow,
// optionally followed by a comment that starts with a blank and a '#'.
//
// There is no variable expansion or command substitution: "$OTHER" and
// "${OTHER}" are kept literally, in every form of value.
//
// # Errors
//
// Parse returns a *SyntaxError for: input larger than MaxSize, a NUL byte
// anywhere, a carriage return not followed by a line feed (outside of the
// CRLF line ending), a line that is neither blank, a comment nor an
// assignment with '=', an invalid key, a duplicate key, an unterminated
// quoted value (reported on the line where the quote opened), an unknown
// escape, characters after a closing quote, and a key or value that is not
// valid UTF-8.
package dotenv
