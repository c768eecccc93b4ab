package paginate

// Slice returns the page p of items, a list held in memory, and whether
// items follow it: up to p.Limit items from p.Offset on. It takes the Page
// as [Parse] returns it; do not pass it [Page.LimitOffset]'s limit, which is
// one more than the page so that a database query can tell whether there is
// more.
//
// Slice never panics: an offset at or past the end gives an empty page, a
// negative offset counts as 0, a limit below 1 gives an empty page, and a
// limit beyond the end gives the rest of the list. The page is never nil,
// so that it encodes as [] in JSON, and shares items' array but not its
// capacity: appending to the page never overwrites the item after it.
//
// In cursor style Offset is 0, so Slice pages from the start of items: pass
// it only the items that sort after p.Cursor.
func Slice[T any](items []T, p Page) (page []T, hasMore bool) {
	off := max(p.Offset, 0)
	if off >= len(items) {
		return []T{}, false
	}
	end := len(items)
	switch {
	case p.Limit < 1:
		end = off
	case p.Limit < len(items)-off: // no off+Limit: it could overflow
		end = off + p.Limit
	}
	if end == off {
		return []T{}, true
	}
	return items[off:end:end], end < len(items)
}
