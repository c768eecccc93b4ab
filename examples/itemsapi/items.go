package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/paginate"
)

// Limits of the items' requests.
const (
	maxItemBody = 64 << 10 // bytes of a POST /items or PUT /items/{id} body
	maxNameLen  = 200      // bytes of an item's name
	maxPrice    = 1_000_000_000_000
)

// itemsKeyset is the order of GET /items: by id, which is unique.
var itemsKeyset = paginate.Keyset{Name: "items", Columns: []string{"id"}}

// listItems answers GET /items: a page of items by id, after the
// ?cursor= of the previous page, with the next page's cursor in "next"
// and in the Link header. ?limit above MAX_PAGE_SIZE, and a cursor whose
// position is not an item id, are a 400 invalid_parameter.
func (s *server) listItems(w http.ResponseWriter, r *http.Request) {
	limits := paginate.LimitsFrom(s.cfg)
	limits.Styles = paginate.StyleCursor
	limits.Strict = true // ?limit above MAX_PAGE_SIZE is a 400, as its message says
	p, err := paginate.Parse(r.URL.Query(), limits, s.cursors)
	var after int64
	if err == nil {
		var args []any
		_, args, err = itemsKeyset.Where(p.Cursor)
		if err == nil && len(args) == 1 {
			var ok bool
			if after, ok = args[0].(int64); !ok {
				err = &paginate.ParamError{Param: paginate.ParamCursor, Reason: "not a cursor of this listing", Err: paginate.ErrInvalidCursor}
			}
		}
	}
	var pe *paginate.ParamError
	switch {
	case errors.As(err, &pe):
		invalidParam(w, pe.Param, pe.Message())
		return
	case err != nil:
		s.serverError(w, r, "list items", err)
		return
	}
	limit, _ := p.LimitOffset()
	rows, err := s.store.list(r.Context(), after, limit)
	if err != nil {
		s.serverError(w, r, "list items", err)
		return
	}
	var token string
	env, links, err := paginate.NewEnvelope(r.URL, p, rows, func(last Item) (string, error) {
		var err error
		token, err = s.cursors.Encode(itemsKeyset.After(last.ID))
		return token, err
	}, nil)
	if err != nil {
		s.serverError(w, r, "list items", err)
		return
	}
	// "next" is the cursor token of the next page, "" on the last one; the
	// Link header has the URL.
	env.Next = ""
	if env.HasMore {
		env.Next = token
	}
	if h := links.Header(); h != "" {
		w.Header().Set("Link", h)
	}
	writeJSON(w, http.StatusOK, env)
}

// getItem answers GET /items/{id}, through the cache when CACHE_ITEMS is
// on and the cache is connected. A missing item is loaded as
// cache.ErrNotFound, so that the cache keeps "not found" too (for its
// NegativeTTL) and a scan of ids does not reach the database each time.
func (s *server) getItem(w http.ResponseWriter, r *http.Request) {
	id, ok := itemID(w, r)
	if !ok {
		return
	}
	load := func(ctx context.Context) (Item, error) {
		it, err := s.store.get(ctx, id)
		if errors.Is(err, errNotFound) {
			return it, fmt.Errorf("%w: %w", cache.ErrNotFound, err)
		}
		return it, err
	}
	var it Item
	var err error
	if c := s.cache(); s.cfg.CacheItems && c != nil {
		it, err = c.GetOrLoad(r.Context(), itemKey(id), load)
	} else {
		it, err = load(r.Context())
	}
	switch {
	case errors.Is(err, cache.ErrNotFound):
		writeError(w, http.StatusNotFound, codeNotFound, fmt.Sprintf("item %d not found", id), nil)
	case err != nil:
		s.serverError(w, r, "get item", err)
	default:
		writeJSON(w, http.StatusOK, it)
	}
}

// itemID returns the {id} of the request's path, or answers 400.
func itemID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 || raw[0] < '0' || raw[0] > '9' {
		invalidParam(w, "id", "id: want a positive integer, got "+quote(raw))
		return 0, false
	}
	return id, true
}

// itemKey is the cache key of item id. Its version changes with the
// encoding of Item, so that instances of two versions side by side during
// a deploy do not read each other's entries.
func itemKey(id int64) string { return "item:v1:" + strconv.FormatInt(id, 10) }

// createItem answers POST /items (admin session): 201 with the item and
// its Location.
func (s *server) createItem(w http.ResponseWriter, r *http.Request) {
	in, ok := readItem(w, r)
	if !ok {
		return
	}
	it, err := s.store.create(r.Context(), in)
	if err != nil {
		s.serverError(w, r, "create item", err)
		return
	}
	// A GET of the id before it existed may have cached "not found".
	s.invalidate(r.Context(), it.ID)
	w.Header().Set("Location", "/items/"+strconv.FormatInt(it.ID, 10))
	writeJSON(w, http.StatusCreated, it)
}

// updateItem answers PUT /items/{id} (admin session): the item replaced,
// or 404; the body is checked before the id is looked up.
func (s *server) updateItem(w http.ResponseWriter, r *http.Request) {
	id, ok := itemID(w, r)
	if !ok {
		return
	}
	in, ok := readItem(w, r)
	if !ok {
		return
	}
	it, err := s.store.update(r.Context(), id, in)
	switch {
	case errors.Is(err, errNotFound):
		writeError(w, http.StatusNotFound, codeNotFound, fmt.Sprintf("item %d not found", id), nil)
		return
	case err != nil:
		s.serverError(w, r, "update item", err)
		return
	}
	s.invalidate(r.Context(), id)
	writeJSON(w, http.StatusOK, it)
}

// readItem decodes and validates the body of a write, or answers 4xx.
func readItem(w http.ResponseWriter, r *http.Request) (ItemInput, bool) {
	var b itemBody
	if !readJSON(w, r, maxItemBody, &b) {
		return ItemInput{}, false
	}
	switch {
	case b.Name == nil:
		invalidParam(w, "name", "name: required")
		return ItemInput{}, false
	case b.PriceCents == nil:
		invalidParam(w, "price_cents", "price_cents: required")
		return ItemInput{}, false
	}
	in := ItemInput{Name: *b.Name, PriceCents: *b.PriceCents}
	if param, msg := validateItem(in); param != "" {
		invalidParam(w, param, msg)
		return ItemInput{}, false
	}
	return in, true
}

// itemBody is ItemInput as it is decoded, so that a missing field is told
// from a zero one.
type itemBody struct {
	Name       *string `json:"name"`
	PriceCents *int64  `json:"price_cents"`
}

// validateItem returns the field of in that is invalid and why, or "".
func validateItem(in ItemInput) (param, msg string) {
	switch {
	case in.Name == "" || len(in.Name) > maxNameLen:
		return "name", fmt.Sprintf("name: want 1 to %d bytes, got %d", maxNameLen, len(in.Name))
	case !utf8.ValidString(in.Name):
		return "name", "name: not valid UTF-8"
	case in.PriceCents < 0 || in.PriceCents > maxPrice:
		return "price_cents", fmt.Sprintf("price_cents: want 0 to %d, got %d", int64(maxPrice), in.PriceCents)
	}
	if msg := nameProblem(in.Name); msg != "" {
		return "name", msg
	}
	return "", ""
}
